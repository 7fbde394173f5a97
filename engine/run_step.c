/* ---------------------------------------------------------------------------------------------
 * engine/run_step.c — the one reduction of a superstep: every rank's record, gathered.
 * SPDX-License-Identifier: MIT
 *
 * After the compute phase every rank writes one record: its counts (vertices computed and
 * active, messages, requests, the frontier figures of the push/pull switch, the bytes it sent
 * in the previous superstep, its smallest sleeping key), whether its compute phase failed, the
 * ranks it will send messages and requests to, and its aggregator partials. One MPI_Allgather moves
 * all records; every rank then folds them in rank order, so sums, aggregates and the halting test
 * have the same bits everywhere without a second collective, and every rank knows exactly which
 * peers will send to it, so the exchanges that follow are point-to-point between the ranks that
 * have something to say (run_messages.c, run_request.c). A superstep with little work thus costs
 * one small collective and a message per pair of ranks that exchange messages.
 *
 * The record grows with the number of ranks (two masks of nranks bits), which suits the tens
 * to hundreds of ranks this engine targets; the gathered volume is nranks * record bytes.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

enum { MASK_MSG = 0, MASK_REQ = 1 };

static size_t mask_off(const amls__step *st, int which)
{
    return AMLS__REC_FIXED * 8 + (size_t)which * (size_t)st->words * 8;
}

static size_t agg_off(const amls__step *st)
{
    return mask_off(st, 2);
}

int amls__step_init(amls__step *st, int nranks, size_t agg_bytes)
{
    int rc = AMLS_OK;
    memset(st, 0, sizeof *st);
    st->words = (nranks + 63) / 64;
    st->rec = agg_off(st) + (agg_bytes + 7) / 8 * 8;
    AMLS_CALLOC(st->mine, st->rec);
    AMLS_CALLOC(st->all, st->rec * (size_t)nranks);
cleanup:
    return rc;
}

void amls__step_free(amls__step *st)
{
    amls__free(st->mine);
    amls__free(st->all);
    memset(st, 0, sizeof *st);
}

void amls__step_fill(amls_ctx *cx, const int64_t *fixed, const uint8_t *msg_to,
                     const uint8_t *req_to)
{
    amls__step *st = &cx->st;
    memset(st->mine, 0, agg_off(st));
    memcpy(st->mine, fixed, AMLS__REC_FIXED * 8);
    uint64_t *mm = (uint64_t *)(void *)(st->mine + mask_off(st, MASK_MSG));
    uint64_t *rm = (uint64_t *)(void *)(st->mine + mask_off(st, MASK_REQ));
    for (int q = 0; q < cx->g->nranks; q++) {
        if (msg_to[q])
            mm[q / 64] |= (uint64_t)1 << (q % 64);
        if (req_to && req_to[q])
            rm[q / 64] |= (uint64_t)1 << (q % 64);
    }
    if (cx->agg.bytes > 0)
        memcpy(st->mine + agg_off(st), cx->agg.part, cx->agg.bytes);
}

void amls__step_empty(int64_t *rec)
{
    memset(rec, 0, AMLS__REC_FIXED * sizeof *rec);
    rec[AMLS__REC_SLEEP] = rec[AMLS__REC_SIGLO] = INT64_MAX;
    rec[AMLS__REC_SIGHI] = INT64_MIN;
}

/* Whether rank q's record says it sends to rank r (MASK_MSG or MASK_REQ). */
static bool sends_to(const amls__step *st, int q, int which, int r)
{
    uint64_t w;
    memcpy(&w, st->all + (size_t)q * st->rec + mask_off(st, which) + (size_t)(r / 64) * 8, 8);
    return (w >> (r % 64)) & 1u;
}

void amls__step_sources(const amls_ctx *cx, bool requests, uint8_t *from)
{
    const amls__step *st = &cx->st;
    for (int q = 0; q < cx->g->nranks; q++)
        from[q] = q != cx->g->rank && sends_to(st, q, requests ? MASK_REQ : MASK_MSG, cx->g->rank);
}

int amls__step_reduce(amls_ctx *cx, bool aggregates)
{
    int rc = AMLS_OK;
    amls__step *st = &cx->st;
    const amls_graph *g = cx->g;
    if (g->nranks == 1)
        memcpy(st->all, st->mine, st->rec);
    else
        AMLS_MPI_TRY(MPI_Allgather(st->mine, (int)st->rec, MPI_BYTE, st->all, (int)st->rec,
                                   MPI_BYTE, g->comm));
    amls__step_empty(st->sum);
    st->sum[AMLS__REC_MLO] = INT64_MAX;
    st->sum[AMLS__REC_MHI] = INT64_MIN;
    for (int q = 0; q < g->nranks; q++) {
        int64_t f[AMLS__REC_FIXED];
        memcpy(f, st->all + (size_t)q * st->rec, sizeof f);
        for (int k = 0; k < AMLS__REC_SLEEP; k++) /* the counts */
            st->sum[k] += f[k];
        st->sum[AMLS__REC_SLEEP] = AMLS_MIN(st->sum[AMLS__REC_SLEEP], f[AMLS__REC_SLEEP]);
        st->sum[AMLS__REC_MHI] = AMLS_MAX(st->sum[AMLS__REC_MHI], f[AMLS__REC_MHI]);
        st->sum[AMLS__REC_MLO] = AMLS_MIN(st->sum[AMLS__REC_MLO], f[AMLS__REC_MLO]);
        st->sum[AMLS__REC_SIGHI] = AMLS_MAX(st->sum[AMLS__REC_SIGHI], f[AMLS__REC_SIGHI]);
        st->sum[AMLS__REC_SIGLO] = AMLS_MIN(st->sum[AMLS__REC_SIGLO], f[AMLS__REC_SIGLO]);
    }
    if (st->sum[AMLS__REC_FAILED] > 0 || !aggregates)
        goto cleanup; /* the caller agrees on the error; aggregates do not matter */
    amls__aggs_fold(&cx->agg, st->all + agg_off(st), st->rec, g->nranks);
cleanup:
    return rc;
}
