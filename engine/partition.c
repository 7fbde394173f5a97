/* ---------------------------------------------------------------------------------------------
 * engine/partition.c — partitioners: METIS k-way, hash, range and partition files.
 * SPDX-License-Identifier: MIT
 *
 * Each partitioner fills part[] for this rank's directory block of dense ids (vertices in
 * original-id order, block [dir_off[rank], dir_off[rank+1])). METIS runs serially on rank 0
 * on the symmetrised, loop-free, duplicate-free graph (METIS 5.1 needs that) and scatters the
 * result; it is the default while the graph fits one node's memory. METIS 5.1.0 crashes on
 * nparts = 1, so one part is assigned directly; empty parts are allowed.
 * ------------------------------------------------------------------------------------------- */
#include "engine/partition.h"

#include "io/textio.h"

#include <limits.h>
#include <metis.h>
#include <stdio.h>

amls_part_method amls_part_method_parse(const char *s)
{
    if (strcmp(s, "metis") == 0)
        return AMLS_PART_METIS;
    if (strcmp(s, "hash") == 0)
        return AMLS_PART_HASH;
    if (strcmp(s, "range") == 0)
        return AMLS_PART_RANGE;
    return AMLS_PART_FILE;
}

const char *amls_part_method_name(amls_part_method m)
{
    switch (m) {
    case AMLS_PART_METIS:
        return "metis";
    case AMLS_PART_HASH:
        return "hash";
    case AMLS_PART_RANGE:
        return "range";
    default:
        return "file";
    }
}

/* ---- METIS on rank 0 ----------------------------------------------------------------------- */

static int cmp_idx(const void *a, const void *b)
{
    idx_t x = *(const idx_t *)a, y = *(const idx_t *)b;
    return (x > y) - (x < y);
}

static int metis_on_root(int64_t n, int64_t ne, const int64_t *pairs, int K, idx_t *part)
{
    int rc = AMLS_OK;
    idx_t *xadj = NULL, *adj = NULL;
    int64_t *deg = NULL;
    AMLS_CHECK(n < INT32_MAX && 2 * ne < INT32_MAX, AMLS_ERR_PARTITION,
               "graph too large for METIS' 32-bit indices (%lld vertices, %lld edges); use "
               "--partition hash",
               (long long)n, (long long)ne);
    AMLS_CALLOC(deg, n + 1);
    for (int64_t e = 0; e < ne; e++) {
        int64_t u = pairs[2 * e], v = pairs[2 * e + 1];
        if (u != v) {
            deg[u]++;
            deg[v]++;
        }
    }
    AMLS_ALLOC(xadj, n + 1);
    xadj[0] = 0;
    for (int64_t i = 0; i < n; i++)
        xadj[i + 1] = xadj[i] + (idx_t)deg[i];
    AMLS_ALLOC(adj, xadj[n] + 1);
    for (int64_t i = 0; i < n; i++)
        deg[i] = xadj[i];
    for (int64_t e = 0; e < ne; e++) {
        int64_t u = pairs[2 * e], v = pairs[2 * e + 1];
        if (u != v) {
            adj[deg[u]++] = (idx_t)v;
            adj[deg[v]++] = (idx_t)u;
        }
    }
    /* Sort and de-duplicate each adjacency list, compacting in place. */
    idx_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        idx_t b = xadj[i], e = xadj[i + 1];
        qsort(adj + b, (size_t)(e - b), sizeof *adj, cmp_idx);
        xadj[i] = w;
        for (idx_t k = b; k < e; k++)
            if (k == b || adj[k] != adj[k - 1])
                adj[w++] = adj[k];
    }
    xadj[n] = w;
    if (K == 1 || n == 0) {
        for (int64_t i = 0; i < n; i++)
            part[i] = 0;
        goto cleanup;
    }
    idx_t nv = (idx_t)n, ncon = 1, nparts = K, objval = 0;
    idx_t options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_SEED] = 1;
    options[METIS_OPTION_NUMBERING] = 0;
    int mrc = METIS_PartGraphKway(&nv, &ncon, xadj, adj, NULL, NULL, NULL, &nparts, NULL, NULL,
                                  options, &objval, part);
    AMLS_CHECK(mrc == METIS_OK, AMLS_ERR_METIS, "METIS_PartGraphKway failed (status %d)%s", mrc,
               mrc == METIS_ERROR_MEMORY ? ": out of memory; use --partition hash" : "");
cleanup:
    amls__free(xadj);
    amls__free(adj);
    amls__free(deg);
    return rc;
}

static int partition_metis(const amls__part_input *in, int32_t *part)
{
    int rc = AMLS_OK, rank = in->rank, nranks = in->nranks;
    int64_t *pairs = NULL, *all = NULL;
    int *cnts = NULL, *displs = NULL, *pc = NULL, *pd = NULL;
    idx_t *full = NULL;
    int32_t *full32 = NULL;
    AMLS_ALLOC(pairs, 2 * in->nedges);
    for (int64_t e = 0; e < in->nedges; e++) {
        pairs[2 * e] = in->src[e];
        pairs[2 * e + 1] = in->dst[e];
    }
    AMLS_ALLOC(cnts, nranks);
    AMLS_ALLOC(displs, nranks);
    AMLS_ALLOC(pc, nranks);
    AMLS_ALLOC(pd, nranks);
cleanup:
    rc = amls_agree(in->comm, rc, NULL);
    if (rc < 0)
        goto out;
    {
        int64_t mine = 2 * in->nedges, tot = 0;
        MPI_Allreduce(&mine, &tot, 1, MPI_INT64_T, MPI_SUM, in->comm);
        if (tot > INT_MAX) {
            rc = amls_error(AMLS_ERR_PARTITION,
                            "graph too large to gather for METIS (%lld edges); use "
                            "--partition hash",
                            (long long)tot / 2);
            rc = amls_agree(in->comm, rc, NULL);
            goto out;
        }
        int c = (int)mine;
        MPI_Gather(&c, 1, MPI_INT, cnts, 1, MPI_INT, 0, in->comm);
        int64_t total = 0;
        if (rank == 0)
            for (int p = 0; p < nranks; p++) {
                displs[p] = (int)total;
                total += cnts[p];
            }
        if (rank == 0) {
            all = amls__malloc((size_t)total + 1, sizeof *all);
            full = amls__malloc((size_t)in->n + 1, sizeof *full);
            if (all == NULL || full == NULL)
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory gathering the graph for METIS");
        }
        rc = amls_agree(in->comm, rc, NULL);
        if (rc < 0)
            goto out;
        MPI_Gatherv(pairs, c, MPI_INT64_T, all, cnts, displs, MPI_INT64_T, 0, in->comm);
        amls__free(pairs);
        pairs = NULL;
        if (rank == 0)
            rc = metis_on_root(in->n, total / 2, all, in->nparts, full);
        rc = amls_agree(in->comm, rc, NULL);
        if (rc < 0)
            goto out;
        /* Scatter parts to the directory blocks. */
        if (rank == 0) {
            full32 = amls__malloc((size_t)in->n + 1, sizeof *full32);
            if (full32 == NULL)
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
            else
                for (int64_t i = 0; i < in->n; i++)
                    full32[i] = (int32_t)full[i];
            for (int p = 0; p < nranks; p++) {
                pc[p] = (int)(in->dir_off[p + 1] - in->dir_off[p]);
                pd[p] = (int)in->dir_off[p];
            }
        }
        rc = amls_agree(in->comm, rc, NULL);
        if (rc < 0)
            goto out;
        int mycount = (int)(in->dir_off[rank + 1] - in->dir_off[rank]);
        MPI_Scatterv(full32, pc, pd, MPI_INT32_T, part, mycount, MPI_INT32_T, 0, in->comm);
    }
out:
    amls__free(pairs);
    amls__free(all);
    amls__free(cnts);
    amls__free(displs);
    amls__free(pc);
    amls__free(pd);
    amls__free(full);
    amls__free(full32);
    return rc;
}

/* ---- partition files ------------------------------------------------------------------------ */

static int partition_file(const amls__part_input *in, int32_t *part, int *nparts_out)
{
    int rc = AMLS_OK;
    amls__lines L;
    amls__perr err = {0};
    amls__vec idx, val;
    amls__vec_init(&idx, sizeof(int64_t));
    amls__vec_init(&val, sizeof(int64_t));
    int64_t *cnt = NULL, *rcnt = NULL, *sendbuf = NULL, *recvbuf = NULL, *pos = NULL;
    int nranks = in->nranks;
    rc = amls__lines_open(&L, in->comm, in->file, 0);
    if (rc < 0) {
        amls__lines_close(&L);
        return rc;
    }
    char *line;
    size_t len;
    int64_t data_lines = 0;
    int r;
    while (err.code == 0 && (r = amls__lines_next(&L, &line, &len)) > 0) {
        const char *p = amls__skip_ws(line);
        if (*p == '#' || *p == '%' || *p == '\0')
            continue;
        int64_t v;
        int pr = amls__parse_i64(&p, &v);
        if (pr != 1 || !amls__at_end(p) || v < 0 || v > INT32_MAX) {
            amls__perr_set(&err, AMLS_ERR_PARTITION, L.nlines - 1,
                           "expected one non-negative part number per line, got \"%.40s\"", line);
            break;
        }
        if (amls__vec_push_i64(&idx, data_lines) < 0 || amls__vec_push_i64(&val, v) < 0) {
            amls__perr_set(&err, AMLS_ERR_NOMEM, L.nlines - 1, "out of memory");
            break;
        }
        data_lines++;
    }
    int64_t lines_before = 0, data_before = 0;
    amls__exscan_i64(in->comm, L.nlines, &lines_before);
    amls__exscan_i64(in->comm, data_lines, &data_before);
    amls__lines_close(&L);
    rc = amls__perr_finish(in->comm, &err, in->file, lines_before);
    if (rc < 0)
        goto out;
    int64_t total = 0, maxp = -1, mymax = -1;
    MPI_Allreduce(&data_lines, &total, 1, MPI_INT64_T, MPI_SUM, in->comm);
    for (size_t i = 0; i < val.len; i++)
        mymax = AMLS_MAX(mymax, ((int64_t *)val.data)[i]);
    MPI_Allreduce(&mymax, &maxp, 1, MPI_INT64_T, MPI_MAX, in->comm);
    if (total != in->n) {
        rc = amls_error(AMLS_ERR_PARTITION,
                        "%s: the partition file has %lld entries but the graph has %lld vertices",
                        in->file, (long long)total, (long long)in->n);
        rc = amls_agree(in->comm, rc, NULL);
        goto out;
    }
    *nparts_out = (int)(maxp + 1);
    /* Route (index, part) pairs to the directory block that holds the index. */
    cnt = amls__calloc((size_t)nranks, sizeof *cnt);
    rcnt = amls__calloc((size_t)nranks, sizeof *rcnt);
    pos = amls__calloc((size_t)nranks, sizeof *pos);
    sendbuf = amls__malloc(2 * val.len + 1, sizeof *sendbuf);
    rc = (cnt && rcnt && pos && sendbuf) ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(in->comm, rc, NULL);
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < val.len; i++) {
        int64_t gi = data_before + ((int64_t *)idx.data)[i];
        cnt[amls__owner_of(in->dir_off, nranks, gi)] += 2;
    }
    for (int p = 1; p < nranks; p++)
        pos[p] = pos[p - 1] + cnt[p - 1];
    for (size_t i = 0; i < val.len; i++) {
        int64_t gi = data_before + ((int64_t *)idx.data)[i];
        int d = amls__owner_of(in->dir_off, nranks, gi);
        sendbuf[pos[d]++] = gi;
        sendbuf[pos[d]++] = ((int64_t *)val.data)[i];
    }
    for (int p = 0; p < nranks; p++)
        cnt[p] *= (int64_t)sizeof(int64_t);
    int64_t nrecv = 0;
    rc = amls__alltoallv_bytes(in->comm, sendbuf, cnt, (void **)&recvbuf, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(int64_t);
    int64_t base = in->dir_off[in->rank];
    for (int64_t k = 0; k + 1 < nrecv; k += 2)
        part[recvbuf[k] - base] = (int32_t)recvbuf[k + 1];
out:
    amls__vec_free(&idx);
    amls__vec_free(&val);
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(sendbuf);
    amls__free(recvbuf);
    return rc;
}

int amls__partition_compute(const amls__part_input *in, int32_t *part, int *nparts_out)
{
    int64_t lo = in->dir_off[in->rank], nb = in->dir_off[in->rank + 1] - lo;
    *nparts_out = in->nparts;
    switch (in->method) {
    case AMLS_PART_HASH:
        for (int64_t i = 0; i < nb; i++) {
            amls_vid o = in->dir_orig ? in->dir_orig[i] : in->vbase + lo + i;
            part[i] = (int32_t)(amls__mix64((uint64_t)o ^ 0x5bd1e995ULL) % (uint64_t)in->nparts);
        }
        return AMLS_OK;
    case AMLS_PART_RANGE:
        for (int64_t i = 0; i < nb; i++)
            part[i] = (int32_t)((amls__i128)(lo + i) * in->nparts / AMLS_MAX(in->n, (int64_t)1));
        return AMLS_OK;
    case AMLS_PART_METIS:
        return partition_metis(in, part);
    default:
        return partition_file(in, part, nparts_out);
    }
}
