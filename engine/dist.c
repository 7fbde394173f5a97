/* ---------------------------------------------------------------------------------------------
 * engine/dist.c — routed lookups and a distributed sort-unique (regular sampling).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "engine/dist.h"

int amls__dist_lookup(MPI_Comm comm, const int64_t *keys, int64_t n, int64_t *out,
                      amls__route_fn route, const void *rctx, amls__answer_fn answer,
                      const void *actx)
{
    int rc = AMLS_OK, nranks = 1;
    MPI_Comm_size(comm, &nranks);
    int *dest = NULL;
    int64_t *cnt = NULL, *pos = NULL, *rcnt = NULL, *sendk = NULL, *recvk = NULL, *back = NULL;
    int64_t nrecv = 0;
    AMLS_ALLOC(dest, n);
    AMLS_CALLOC(cnt, nranks);
    AMLS_ALLOC(pos, nranks);
    AMLS_ALLOC(rcnt, nranks);
    AMLS_ALLOC(sendk, n);
    AMLS_ALLOC(back, n);
    for (int64_t i = 0; i < n; i++) {
        int d = route(rctx, keys[i]);
        dest[i] = d;
        cnt[d]++;
    }
    pos[0] = 0;
    for (int p = 1; p < nranks; p++)
        pos[p] = pos[p - 1] + cnt[p - 1];
    for (int64_t i = 0; i < n; i++)
        sendk[pos[dest[i]]++] = keys[i];
    for (int p = 0; p < nranks; p++)
        cnt[p] *= (int64_t)sizeof(int64_t);
    rc = AMLS_OK;
cleanup:
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    rc = amls__alltoallv_bytes(comm, sendk, cnt, (void **)&recvk, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(int64_t);
    for (int64_t j = 0; j < nrecv; j++)
        recvk[j] = answer(actx, recvk[j]);
    rc = amls__alltoallv_into(comm, recvk, rcnt, back, cnt);
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    pos[0] = 0;
    for (int p = 1; p < nranks; p++)
        pos[p] = pos[p - 1] + cnt[p - 1] / (int64_t)sizeof(int64_t);
    for (int64_t i = 0; i < n; i++)
        out[i] = back[pos[dest[i]]++];
out:
    amls__free(dest);
    amls__free(cnt);
    amls__free(pos);
    amls__free(rcnt);
    amls__free(sendk);
    amls__free(recvk);
    amls__free(back);
    return rc;
}

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

int amls__dist_sort_unique(MPI_Comm comm, int64_t *ids, int64_t n, int64_t **block, int64_t *nblock,
                           int64_t *splitters)
{
    int rc = AMLS_OK, nranks = 1;
    MPI_Comm_size(comm, &nranks);
    size_t m = 0;
    int64_t *samples = NULL, *all = NULL, *cnt = NULL, *rcnt = NULL, *recv = NULL;
    int *scnt = NULL, *sdisp = NULL;
    *block = NULL;
    *nblock = 0;
    rc = amls__sort_unique_i64(ids, (size_t)n, &m);
    const int S = 64;
    int ns = (int)AMLS_MIN((int64_t)S, (int64_t)m);
    AMLS_ALLOC(samples, S);
    for (int k = 0; k < ns; k++)
        samples[k] = ids[(size_t)((amls__i128)m * k / ns)];
    AMLS_ALLOC(scnt, nranks);
    AMLS_ALLOC(sdisp, nranks);
    AMLS_ALLOC(cnt, nranks);
    AMLS_ALLOC(rcnt, nranks);
cleanup:
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    MPI_Allgather(&ns, 1, MPI_INT, scnt, 1, MPI_INT, comm);
    int total = 0;
    for (int p = 0; p < nranks; p++) {
        sdisp[p] = total;
        total += scnt[p];
    }
    all = amls__malloc((size_t)total + 1, sizeof *all);
    rc = amls_agree(comm, all ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    if (rc < 0)
        goto out;
    MPI_Allgatherv(samples, ns, MPI_INT64_T, all, scnt, sdisp, MPI_INT64_T, comm);
    size_t tu = 0;
    amls__sort_unique_i64(all, (size_t)total, &tu);
    for (int p = 0; p < nranks - 1; p++)
        splitters[p] = tu == 0 ? INT64_MAX : all[(size_t)((amls__i128)tu * (p + 1) / nranks)];
    amls__splitters sp = {splitters, nranks};
    for (int p = 0; p < nranks; p++)
        cnt[p] = 0;
    for (size_t i = 0; i < m; i++)
        cnt[amls__splitter_route(&sp, ids[i])]++;
    for (int p = 0; p < nranks; p++)
        cnt[p] *= (int64_t)sizeof(int64_t);
    int64_t nrecv = 0;
    rc = amls__alltoallv_bytes(comm, ids, cnt, (void **)&recv, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(int64_t);
    size_t mu = 0;
    amls__sort_unique_i64(recv, (size_t)nrecv, &mu);
    *block = recv;
    recv = NULL;
    *nblock = (int64_t)mu;
out:
    amls__free(samples);
    amls__free(all);
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(recv);
    amls__free(scnt);
    amls__free(sdisp);
    return rc;
}
