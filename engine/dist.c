/* ---------------------------------------------------------------------------------------------
 * engine/dist.c — a distributed sort-unique by regular sampling: every rank ends with a sorted,
 * duplicate-free, disjoint block of the keys, and every rank knows the splitters.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

int amls__splitter_route(const void *ctx, int64_t key)
{
    const amls__splitters *sp = ctx;
    /* Number of splitters <= key. */
    int lo = 0, hi = sp->nranks - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (sp->s[mid] <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Splitters from up to 64 regular samples of every rank's sorted keys. Collective. */
static int choose_splitters(MPI_Comm comm, int nranks, const int64_t *ids, size_t m,
                            int64_t *splitters)
{
    enum { S = 64 };
    int rc = AMLS_OK, total = 0;
    int64_t samples[S], *all = NULL;
    int *scnt = NULL, *sdisp = NULL;
    int ns = (int)AMLS_MIN((int64_t)S, (int64_t)m);
    for (int k = 0; k < ns; k++)
        samples[k] = ids[(size_t)((amls__i128)m * k / ns)];
    scnt = amls__malloc((size_t)nranks, sizeof *scnt);
    sdisp = amls__malloc((size_t)nranks, sizeof *sdisp);
    AMLS_AGREE(comm, amls__alloc_status(scnt && sdisp));
    AMLS_MPI_TRY(MPI_Allgather(&ns, 1, MPI_INT, scnt, 1, MPI_INT, comm));
    for (int p = 0; p < nranks; p++) {
        sdisp[p] = total;
        total += scnt[p];
    }
    all = amls__malloc((size_t)total + 1, sizeof *all);
    AMLS_AGREE(comm, amls__alloc_status(all != NULL));
    AMLS_MPI_TRY(MPI_Allgatherv(samples, ns, MPI_INT64_T, all, scnt, sdisp, MPI_INT64_T, comm));
    size_t tu = 0;
    AMLS_AGREE(comm, amls__sort_unique_i64(all, (size_t)total, &tu));
    for (int p = 0; p < nranks - 1; p++)
        splitters[p] = tu == 0 ? INT64_MAX : all[(size_t)((amls__i128)tu * (p + 1) / nranks)];
cleanup:
    amls__free(all);
    amls__free(scnt);
    amls__free(sdisp);
    return rc;
}

typedef struct sort_route {
    const int64_t *ids;
    amls__splitters sp;
} sort_route;

static int sort_dest(const void *ud, int64_t i)
{
    const sort_route *r = ud;
    return amls__splitter_route(&r->sp, r->ids[i]);
}

static void sort_pack(const void *ud, int64_t i, void *rec)
{
    const sort_route *r = ud;
    memcpy(rec, &r->ids[i], sizeof r->ids[i]);
}

int amls__dist_sort_unique(MPI_Comm comm, int64_t *ids, int64_t n, int64_t **block, int64_t *nblock,
                           int64_t *splitters)
{
    int rc = AMLS_OK, nranks = 1;
    size_t m = 0, mu = 0;
    amls__xchg x = {0};
    *block = NULL;
    *nblock = 0;
    AMLS_TRY(amls__comm_rank(comm, NULL, &nranks));
    AMLS_AGREE(comm, amls__sort_unique_i64(ids, (size_t)n, &m));
    AMLS_TRY(choose_splitters(comm, nranks, ids, m, splitters));
    sort_route r = {ids, {splitters, nranks}};
    AMLS_TRY(
        amls__xchg_route(&x, comm, AMLS_OK, (int64_t)m, sizeof *ids, sort_dest, sort_pack, &r));
    int64_t *recv = (int64_t *)x.recv;
    AMLS_AGREE(comm, amls__sort_unique_i64(recv, (size_t)(x.nrecv / (int64_t)sizeof *ids), &mu));
    *block = recv;
    x.recv = NULL;
    *nblock = (int64_t)mu;
cleanup:
    amls__xchg_free(&x);
    return rc;
}
