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
#include "graph_internal.h"

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

/* Every rank's endpoint pairs gathered on rank 0 (*all, *total values there). Collective. */
static int gather_pairs(const amls__part_input *in, int64_t **all, int64_t *total)
{
    int rc = AMLS_OK, c = (int)(2 * in->nedges);
    int64_t *pairs = amls__malloc(2 * (size_t)in->nedges + 1, sizeof *pairs), tot = 2 * in->nedges;
    int *cnts = amls__malloc((size_t)in->nranks, sizeof *cnts);
    int *displs = amls__malloc((size_t)in->nranks, sizeof *displs);
    AMLS_AGREE(in->comm, amls__alloc_status(pairs && cnts && displs));
    for (int64_t e = 0; e < in->nedges; e++) {
        pairs[2 * e] = in->src[e];
        pairs[2 * e + 1] = in->dst[e];
    }
    AMLS_TRY(amls__allreduce_i64(in->comm, &tot, 1, MPI_SUM));
    AMLS_CHECK(tot <= INT_MAX, AMLS_ERR_PARTITION,
               "graph too large to gather for METIS (%lld edges); use --partition hash",
               (long long)tot / 2);
    AMLS_MPI_TRY(MPI_Gather(&c, 1, MPI_INT, cnts, 1, MPI_INT, 0, in->comm));
    *total = 0;
    for (int p = 0; p < in->nranks && in->rank == 0; p++) {
        displs[p] = (int)*total;
        *total += cnts[p];
    }
    if (in->rank == 0)
        *all = amls__malloc((size_t)*total + 1, sizeof **all);
    AMLS_AGREE(in->comm,
               in->rank != 0 || *all
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_NOMEM, "out of memory gathering the graph for METIS"));
    AMLS_MPI_TRY(MPI_Gatherv(pairs, c, MPI_INT64_T, *all, cnts, displs, MPI_INT64_T, 0, in->comm));
cleanup:
    amls__free(pairs);
    amls__free(cnts);
    amls__free(displs);
    return rc;
}

/* Rank 0: METIS on the gathered pairs, the parts as int32. Local. */
static int metis_parts(const amls__part_input *in, const int64_t *all, int64_t total,
                       int32_t **full32)
{
    int rc = AMLS_OK;
    idx_t *full = NULL;
    AMLS_ALLOC(full, in->n + 1);
    AMLS_TRY(metis_on_root(in->n, total / 2, all, in->nparts, full));
    AMLS_ALLOC(*full32, in->n + 1);
    for (int64_t i = 0; i < in->n; i++)
        (*full32)[i] = (int32_t)full[i];
cleanup:
    amls__free(full);
    return rc;
}

/* METIS on rank 0, its parts scattered to the directory blocks. Collective. */
static int partition_metis(const amls__part_input *in, int32_t *part)
{
    int rc = AMLS_OK, nranks = in->nranks;
    int64_t *all = NULL, total = 0;
    int32_t *full32 = NULL;
    int *pc = amls__malloc((size_t)nranks, sizeof *pc),
        *pd = amls__malloc((size_t)nranks, sizeof *pd);
    AMLS_AGREE(in->comm, amls__alloc_status(pc && pd));
    AMLS_TRY(gather_pairs(in, &all, &total));
    AMLS_AGREE(in->comm, in->rank == 0 ? metis_parts(in, all, total, &full32) : AMLS_OK);
    for (int p = 0; p < nranks; p++) {
        pc[p] = (int)(in->dir_off[p + 1] - in->dir_off[p]);
        pd[p] = (int)in->dir_off[p];
    }
    AMLS_MPI_TRY(
        MPI_Scatterv(full32, pc, pd, MPI_INT32_T, part, pc[in->rank], MPI_INT32_T, 0, in->comm));
cleanup:
    amls__free(all);
    amls__free(full32);
    amls__free(pc);
    amls__free(pd);
    return rc;
}

/* ---- partition files ------------------------------------------------------------------------ */

typedef struct part_route {
    const amls__part_input *in;
    const amls_part_entries *e;
    int32_t *part;
} part_route;

enum { PART_REC = sizeof(int64_t) + sizeof(int32_t) };

static int part_dest(const void *ud, int64_t i)
{
    const part_route *r = ud;
    return amls__owner_of(r->in->dir_off, r->in->nranks, r->e->first + i);
}

static void part_pack(const void *ud, int64_t i, void *rec)
{
    const part_route *r = ud;
    int64_t at = r->e->first + i;
    memcpy(rec, &at, sizeof at);
    memcpy((char *)rec + sizeof at, &r->e->part[i], sizeof(int32_t));
}

static void part_store(void *ud, int src, const void *rec)
{
    (void)src;
    const part_route *r = ud;
    int64_t at;
    memcpy(&at, rec, sizeof at);
    memcpy(&r->part[at - r->in->dir_off[r->in->rank]], (const char *)rec + sizeof at,
           sizeof(int32_t));
}

/* Reads the file (io) and routes each (index, part) entry to the rank whose directory block
 * holds the index. Collective. */
static int partition_file(const amls__part_input *in, int32_t *part, int *nparts_out)
{
    int rc = AMLS_OK;
    amls_part_entries e = {0};
    amls__xchg x = {0};
    AMLS_TRY(amls_part_file_read(in->comm, in->file, &e));
    AMLS_CHECK(e.total == in->n, AMLS_ERR_PARTITION,
               "%s: the partition file has %lld entries but the graph has %lld vertices", in->file,
               (long long)e.total, (long long)in->n);
    *nparts_out = (int)e.max_part + 1;
    part_route r = {in, &e, part};
    AMLS_TRY(amls__xchg_route(&x, in->comm, AMLS_OK, e.n, PART_REC, part_dest, part_pack, &r));
    amls__xchg_each(&x, PART_REC, part_store, &r);
cleanup:
    amls_part_entries_free(&e);
    amls__xchg_free(&x);
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
