/* ---------------------------------------------------------------------------------------------
 * tune/mop.c — model hopper parallelism (Nakandala, Zhang and Kumar, "Cerebro: a data system
 * for optimized deep learning model selection", VLDB 2020): the models of several
 * configurations train at once, each rank keeping one partition of the data, and the models
 * move from rank to rank between sub-epochs. Data never move; models do.
 * SPDX-License-Identifier: MIT
 *
 * The schedule is a ring. In round j (j = 0, 1, ...) model i sits on rank (start_i + j) mod P
 * and runs one sub-epoch there (the rank's rows outside its fold) if its epoch e = from_min +
 * j / P lies in [from_i, to_i); then every rank passes the models it holds to rank + 1 in one
 * MPI_Sendrecv. After P rounds every model has visited every partition once: an epoch. Where a
 * model starts depends only on the model (the caller derives it from the configuration and the
 * fold), so its trajectory does not depend on which other models share the phase: a model
 * trained e1 epochs in one phase and e2 - e1 more in a later one ends where e2 epochs in one
 * phase would. Models spread evenly over the start ranks keep the ranks equally busy; a rank
 * that holds none in a round waits at the exchange.
 *
 * With one model the schedule is sequential SGD: epoch e is the sub-epochs on partitions
 * start, start + 1, ..., in that order, one after the other (tests/mpi/test_mop.c checks it
 * bit for bit against SGD over all rows in that order on one rank).
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

typedef struct mop_run {
    MPI_Comm comm;
    int rank, P;
    amls__mop_model *models;
    int64_t n, len; /* models; doubles per model */
    int64_t slot;   /* doubles per model on the wire: the state and its seconds */
    double *buf;    /* n * slot: the models this rank holds (valid where held) */
    double *wire;   /* n * slot: send and receive space */
} mop_run;

/* The rank that holds model i in round j. */
static int holder(const mop_run *r, int64_t i, int64_t j)
{
    return (int)(((int64_t)r->models[i].start + j) % r->P);
}

/* Packs the models held by `rank` in round j into dst (in model order); returns the count. */
static int64_t pack_held(const mop_run *r, int rank, int64_t j, double *dst)
{
    int64_t c = 0;
    for (int64_t i = 0; i < r->n; i++)
        if (holder(r, i, j) == rank)
            memcpy(dst + (c++) * r->slot, r->buf + i * r->slot, (size_t)r->slot * sizeof *dst);
    return c;
}

/* Unpacks the models `rank` held in round j from src (model order) into buf. */
static void unpack_held(mop_run *r, int rank, int64_t j, const double *src)
{
    int64_t c = 0;
    for (int64_t i = 0; i < r->n; i++)
        if (holder(r, i, j) == rank)
            memcpy(r->buf + i * r->slot, src + (c++) * r->slot, (size_t)r->slot * sizeof *src);
}

/* Passes every model to the next rank: round j's holders send, round j + 1's receive. */
static int hop(mop_run *r, int64_t j)
{
    int rc = AMLS_OK;
    int64_t cs = pack_held(r, r->rank, j, r->wire), cr = 0;
    int prev = (r->rank - 1 + r->P) % r->P, next = (r->rank + 1) % r->P;
    for (int64_t i = 0; i < r->n; i++)
        cr += holder(r, i, j) == prev;
    AMLS_CHECK(cs * r->slot <= INT32_MAX && cr * r->slot <= INT32_MAX, AMLS_ERR_RANGE,
               "model hopping: %lld models of %lld values are too many for one message",
               (long long)AMLS_MAX(cs, cr), (long long)r->len);
    /* The received models go to the part of buf they belong to; wire holds what is sent. */
    double *in = r->wire + cs * r->slot;
    AMLS_MPI_TRY(MPI_Sendrecv(r->wire, (int)(cs * r->slot), MPI_DOUBLE, next, 7401, in,
                              (int)(cr * r->slot), MPI_DOUBLE, prev, 7401, r->comm,
                              MPI_STATUS_IGNORE));
    unpack_held(r, prev, j, in);
cleanup:
    return rc;
}

/* Round j: a sub-epoch of every model held here whose epoch range covers e. Local. */
static int round_work(mop_run *r, const amls_trainer *t, void *pdata, int64_t j, int64_t e)
{
    int rc = AMLS_OK;
    for (int64_t i = 0; i < r->n; i++) {
        amls__mop_model *md = &r->models[i];
        if (holder(r, i, j) != r->rank || e < md->from || e >= md->to)
            continue;
        double t0 = amls__now(), *at = r->buf + i * r->slot;
        AMLS_TRY(t->sub_epoch(pdata, md->hp, md->fold, e, at));
        at[r->len] += amls__now() - t0;
    }
cleanup:
    return rc;
}

/* Every rank gets every model back: the holders of the last round contribute theirs. */
static int share_all(mop_run *r, int64_t j)
{
    int rc = AMLS_OK;
    int *cnt = amls__calloc((size_t)r->P, sizeof *cnt),
        *dsp = amls__calloc((size_t)r->P, sizeof *dsp);
    double *all = amls__malloc((size_t)(r->n * r->slot) + 1, sizeof *all);
    AMLS_AGREE(r->comm, amls__alloc_status(cnt && dsp && all));
    for (int64_t i = 0; i < r->n; i++)
        cnt[holder(r, i, j)] += (int)r->slot;
    for (int p = 1; p < r->P; p++)
        dsp[p] = dsp[p - 1] + cnt[p - 1];
    int64_t mine = pack_held(r, r->rank, j, r->wire);
    AMLS_MPI_TRY(MPI_Allgatherv(r->wire, (int)(mine * r->slot), MPI_DOUBLE, all, cnt, dsp,
                                MPI_DOUBLE, r->comm));
    for (int p = 0; p < r->P; p++)
        unpack_held(r, p, j, all + dsp[p]);
cleanup:
    amls__free(cnt);
    amls__free(dsp);
    amls__free(all);
    return rc;
}

int amls__mop_train(MPI_Comm world, const amls_trainer *t, void *pdata, amls__mop_model *models,
                    int64_t n, int64_t len)
{
    int rc = AMLS_OK;
    mop_run r = {.comm = world, .models = models, .n = n, .len = len, .slot = len + 1};
    int64_t e0 = INT64_MAX, e1 = 0;
    AMLS_TRY(amls__comm_rank(world, &r.rank, &r.P));
    if (n == 0)
        goto cleanup;
    r.buf = amls__malloc((size_t)(n * r.slot), sizeof *r.buf);
    r.wire = amls__malloc(2 * (size_t)(n * r.slot), sizeof *r.wire);
    AMLS_AGREE(world, amls__alloc_status(r.buf && r.wire));
    for (int64_t i = 0; i < n; i++) {
        e0 = AMLS_MIN(e0, models[i].from);
        e1 = AMLS_MAX(e1, models[i].to);
        memcpy(r.buf + i * r.slot, models[i].state, (size_t)len * sizeof(double));
        r.buf[i * r.slot + len] = 0;
    }
    int64_t rounds = AMLS_MAX(e1 - e0, (int64_t)0) * r.P;
    for (int64_t j = 0; j < rounds; j++) {
        AMLS_AGREE(world, round_work(&r, t, pdata, j, e0 + j / r.P));
        if (r.P > 1)
            AMLS_TRY(hop(&r, j));
    }
    AMLS_TRY(share_all(&r, rounds));
    for (int64_t i = 0; i < n; i++) {
        memcpy(models[i].state, r.buf + i * r.slot, (size_t)len * sizeof(double));
        models[i].seconds = r.buf[i * r.slot + len];
    }
cleanup:
    amls__free(r.buf);
    amls__free(r.wire);
    return rc;
}
