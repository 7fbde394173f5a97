/* ---------------------------------------------------------------------------------------------
 * engine/run_vdir.c — the original-id directory behind amls_send_vid: every original id has a
 * directory rank (a hash of the id, so a sender finds it without asking), which holds the id's
 * engine id. Built once per run, on the first superstep in which a vertex sends by original
 * id: one all-to-all of 16 bytes per vertex, and 16 bytes per vertex kept.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

int amls__vdir_rank(amls_vid x, int nranks)
{
    return (int)(amls__mix64((uint64_t)x ^ 0x243f6a8885a308d3ULL) % (uint64_t)nranks);
}

static int vdir_dest(const void *ud, int64_t i)
{
    const amls_graph *g = ud;
    return amls__vdir_rank(g->orig[i], g->nranks);
}

static void vdir_pack(const void *ud, int64_t i, void *rec)
{
    const amls_graph *g = ud;
    int64_t e[2] = {g->orig[i], g->lo + i};
    memcpy(rec, e, sizeof e);
}

/* The received (original id, engine id) entries, sorted by original id. Local. */
static int vdir_sort(const amls__xchg *x, amls__vdir *d)
{
    int rc = AMLS_OK;
    d->n = x->nrecv / 16;
    AMLS_ALLOC(d->orig, d->n + 1);
    AMLS_ALLOC(d->gid, d->n + 1);
    for (int64_t k = 0; k < d->n; k++) {
        memcpy(&d->orig[k], x->recv + 16 * k, 8);
        memcpy(&d->gid[k], x->recv + 16 * k + 8, 8);
    }
    AMLS_TRY(amls__sort_i64(d->orig, d->gid, (size_t)d->n));
cleanup:
    return rc;
}

int amls__vdir_build(const amls_graph *g, amls__vdir **out)
{
    int rc = AMLS_OK;
    amls__xchg x = {0};
    amls__vdir *d = amls__calloc(1, sizeof *d);
    *out = NULL;
    rc = amls__alloc_status(d != NULL);
    AMLS_TRY(amls__xchg_route(&x, g->comm, rc, g->n_local, 16, vdir_dest, vdir_pack, g));
    AMLS_AGREE(g->comm, vdir_sort(&x, d));
    *out = d;
    d = NULL;
cleanup:
    amls__xchg_free(&x);
    if (d) {
        amls__free(d->orig);
        amls__free(d->gid);
        amls__free(d);
    }
    return rc;
}

amls_gid amls__vdir_find(const amls__vdir *d, amls_vid x)
{
    int64_t k = amls__bsearch_i64(d->orig, d->n, x);
    return k < 0 ? -1 : d->gid[k];
}
