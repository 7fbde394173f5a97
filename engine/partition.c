/* ---------------------------------------------------------------------------------------------
 * engine/partition.c — partitioners: auto (the default), chunk, METIS k-way, PT-Scotch, hash,
 * range and partition files.
 * SPDX-License-Identifier: MIT
 *
 * Each partitioner fills part[] for this rank's directory block of dense ids (vertices in
 * original-id order, block [dir_off[rank], dir_off[rank+1])).
 * - chunk: contiguous ranges of original-id order whose weights (arcs stored at a vertex, plus
 *   CHUNK_ALPHA per vertex for the per-vertex work) are equal, as Gemini does: one prefix sum,
 *   no rank holds more than its block.
 * - metis: METIS k-way on rank 0 on the symmetrised, loop-free, duplicate-free graph (METIS 5.1
 *   needs that) with vertex weights = degree + 1, so that parts balance arcs rather than
 *   vertices; the result is scattered. The whole graph must fit rank 0. METIS 5.1.0 crashes on
 *   nparts = 1, so one part is assigned directly; empty parts are allowed.
 * - ptscotch: PT-Scotch on the distributed graph: each rank hands it the symmetrised adjacency
 *   of its directory block only (the loader's own streamed shuffle builds it), so no rank ever
 *   holds the whole graph.
 * - auto: chunk when the degrees are skewed (max > AUTO_SKEW x mean) or the graph is large
 *   (more than AMLS_AUTO_METIS_ARCS arcs, where METIS on one rank costs more than it saves), else
 *   metis.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#include <limits.h>
#include <malloc.h>
#include <metis.h>
#include <ptscotch.h>
#include <stdio.h>

enum { CHUNK_ALPHA = 4, AUTO_SKEW = 64 };

static const struct {
    const char *name;
    amls_part_method m;
} method_names[] = {{"auto", AMLS_PART_AUTO},   {"metis", AMLS_PART_METIS},
                    {"hash", AMLS_PART_HASH},   {"range", AMLS_PART_RANGE},
                    {"chunk", AMLS_PART_CHUNK}, {"ptscotch", AMLS_PART_PTSCOTCH},
                    {"file", AMLS_PART_FILE}};
enum { NMETHODS = sizeof method_names / sizeof method_names[0] };

amls_part_method amls_part_method_parse(const char *s)
{
    for (int i = 0; i < NMETHODS - 1; i++)
        if (strcmp(s, method_names[i].name) == 0)
            return method_names[i].m;
    return AMLS_PART_FILE;
}

const char *amls_part_method_name(amls_part_method m)
{
    for (int i = 0; i < NMETHODS; i++)
        if (method_names[i].m == m)
            return method_names[i].name;
    return "file";
}

/* ---- METIS on rank 0 ----------------------------------------------------------------------- */

static int cmp_idx(const void *a, const void *b)
{
    idx_t x = *(const idx_t *)a, y = *(const idx_t *)b;
    return (x > y) - (x < y);
}

/* The symmetrised, loop-free, duplicate-free adjacency of the edges (su[e], sv[e]). Local. */
static int metis_graph(int64_t n, int64_t ne, const uint32_t *su, const uint32_t *sv, idx_t **xadj,
                       idx_t **adj)
{
    int rc = AMLS_OK;
    int64_t *deg = NULL;
    AMLS_CALLOC(deg, n + 1);
    for (int64_t e = 0; e < ne; e++)
        if (su[e] != sv[e]) {
            deg[su[e]]++;
            deg[sv[e]]++;
        }
    AMLS_ALLOC(*xadj, n + 1);
    idx_t *x = *xadj;
    x[0] = 0;
    for (int64_t i = 0; i < n; i++)
        x[i + 1] = x[i] + (idx_t)deg[i];
    AMLS_ALLOC(*adj, x[n] + 1);
    for (int64_t i = 0; i < n; i++)
        deg[i] = x[i];
    for (int64_t e = 0; e < ne; e++)
        if (su[e] != sv[e]) {
            (*adj)[deg[su[e]]++] = (idx_t)sv[e];
            (*adj)[deg[sv[e]]++] = (idx_t)su[e];
        }
    /* Sort and de-duplicate each adjacency list, compacting in place. */
    idx_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        idx_t b = x[i], e = x[i + 1];
        qsort(*adj + b, (size_t)(e - b), sizeof **adj, cmp_idx);
        x[i] = w;
        for (idx_t k = b; k < e; k++)
            if (k == b || (*adj)[k] != (*adj)[k - 1])
                (*adj)[w++] = (*adj)[k];
    }
    x[n] = w;
cleanup:
    amls__free(deg);
    return rc;
}

static int metis_on_root(int64_t n, int64_t ne, const uint32_t *su, const uint32_t *sv, int K,
                         idx_t *part)
{
    int rc = AMLS_OK;
    idx_t *xadj = NULL, *adj = NULL, *vwgt = NULL;
    AMLS_CHECK(n < INT32_MAX && 2 * ne < INT32_MAX, AMLS_ERR_PARTITION,
               "graph too large for METIS' 32-bit indices (%lld vertices, %lld edges); use "
               "--partition chunk or ptscotch",
               (long long)n, (long long)ne);
    AMLS_TRY(metis_graph(n, ne, su, sv, &xadj, &adj));
    if (K == 1 || n == 0) {
        for (int64_t i = 0; i < n; i++)
            part[i] = 0;
        goto cleanup;
    }
    /* Degree + 1 per vertex: parts balance the arcs they store (and the vertices a little). */
    AMLS_ALLOC(vwgt, n + 1);
    for (int64_t i = 0; i < n; i++)
        vwgt[i] = xadj[i + 1] - xadj[i] + 1;
    idx_t nv = (idx_t)n, ncon = 1, nparts = K, objval = 0;
    idx_t options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_SEED] = 1;
    options[METIS_OPTION_NUMBERING] = 0;
    int mrc = METIS_PartGraphKway(&nv, &ncon, xadj, adj, vwgt, NULL, NULL, &nparts, NULL, NULL,
                                  options, &objval, part);
    AMLS_CHECK(mrc == METIS_OK, AMLS_ERR_METIS, "METIS_PartGraphKway failed (status %d)%s", mrc,
               mrc == METIS_ERROR_MEMORY ? ": out of memory; use --partition chunk" : "");
cleanup:
    amls__free(xadj);
    amls__free(adj);
    amls__free(vwgt);
    return rc;
}

/* Every rank's edges gathered on rank 0 (*su, *sv, *total there). Collective. */
static int gather_edges(const amls__part_input *in, uint32_t **su, uint32_t **sv, int64_t *total)
{
    int rc = AMLS_OK, c = (int)in->nedges;
    int64_t tot = in->nedges;
    int *cnts = amls__malloc((size_t)in->nranks, sizeof *cnts);
    int *displs = amls__malloc((size_t)in->nranks, sizeof *displs);
    AMLS_AGREE(in->comm, amls__alloc_status(cnts && displs));
    AMLS_TRY(amls__allreduce_i64(in->comm, &tot, 1, MPI_SUM));
    AMLS_CHECK(tot <= INT_MAX, AMLS_ERR_PARTITION,
               "graph too large to gather for METIS (%lld edges); use --partition chunk or "
               "ptscotch",
               (long long)tot);
    AMLS_MPI_TRY(MPI_Gather(&c, 1, MPI_INT, cnts, 1, MPI_INT, 0, in->comm));
    *total = 0;
    for (int p = 0; p < in->nranks && in->rank == 0; p++) {
        displs[p] = (int)*total;
        *total += cnts[p];
    }
    if (in->rank == 0) {
        *su = amls__malloc((size_t)*total + 1, sizeof **su);
        *sv = amls__malloc((size_t)*total + 1, sizeof **sv);
    }
    AMLS_AGREE(in->comm,
               in->rank != 0 || (*su && *sv)
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_NOMEM, "out of memory gathering the graph for METIS"));
    AMLS_MPI_TRY(
        MPI_Gatherv(in->src, c, MPI_UINT32_T, *su, cnts, displs, MPI_UINT32_T, 0, in->comm));
    AMLS_MPI_TRY(
        MPI_Gatherv(in->dst, c, MPI_UINT32_T, *sv, cnts, displs, MPI_UINT32_T, 0, in->comm));
cleanup:
    amls__free(cnts);
    amls__free(displs);
    return rc;
}

/* Rank 0: METIS on the gathered edges, the parts as int32. Local. */
static int metis_parts(const amls__part_input *in, const uint32_t *su, const uint32_t *sv,
                       int64_t total, int32_t **full32)
{
    int rc = AMLS_OK;
    idx_t *full = NULL;
    AMLS_ALLOC(full, in->n + 1);
    AMLS_TRY(metis_on_root(in->n, total, su, sv, in->nparts, full));
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
    uint32_t *su = NULL, *sv = NULL;
    int64_t total = 0;
    int32_t *full32 = NULL;
    int *pc = amls__malloc((size_t)nranks, sizeof *pc),
        *pd = amls__malloc((size_t)nranks, sizeof *pd);
    AMLS_AGREE(in->comm, amls__alloc_status(pc && pd));
    AMLS_TRY(gather_edges(in, &su, &sv, &total));
    AMLS_AGREE(in->comm, in->rank == 0 ? metis_parts(in, su, sv, total, &full32) : AMLS_OK);
    for (int p = 0; p < nranks; p++) {
        pc[p] = (int)(in->dir_off[p + 1] - in->dir_off[p]);
        pd[p] = (int)in->dir_off[p];
    }
    AMLS_MPI_TRY(
        MPI_Scatterv(full32, pc, pd, MPI_INT32_T, part, pc[in->rank], MPI_INT32_T, 0, in->comm));
cleanup:
    amls__free(su);
    amls__free(sv);
    amls__free(full32);
    amls__free(pc);
    amls__free(pd);
    return rc;
}

/* ---- chunk: contiguous ranges of equal weight ------------------------------------------------ */

/* The arcs a vertex will store: out-arcs (both ways for undirected graphs), plus in-arcs when
 * the build keeps them. */
static amls__arcs stored_arcs(const amls__part_input *in)
{
    return (amls__arcs){.src = in->src,
                        .dst = in->dst,
                        .ne = in->nedges,
                        .both = !in->directed || in->need_in,
                        .loops = true};
}

/* Vertex i of the block goes to the part where the middle of its weight falls on the line of
 * all weights laid end to end. Collective. */
static int partition_chunk(const amls__part_input *in, const uint32_t *cnt, int32_t *part)
{
    int rc = AMLS_OK;
    int64_t nb = in->dir_off[in->rank + 1] - in->dir_off[in->rank], mine = 0, before = 0;
    for (int64_t i = 0; i < nb; i++)
        mine += (int64_t)cnt[i] + CHUNK_ALPHA;
    int64_t total = mine;
    AMLS_TRY(amls__exscan_i64(in->comm, mine, &before));
    AMLS_TRY(amls__allreduce_i64(in->comm, &total, 1, MPI_SUM));
    for (int64_t i = 0, at = before; i < nb; i++) {
        int64_t wt = (int64_t)cnt[i] + CHUNK_ALPHA;
        amls__i128 mid = 2 * (amls__i128)at + wt;
        part[i] = (int32_t)AMLS_MIN((amls__i128)in->nparts - 1,
                                    mid * in->nparts / (2 * (amls__i128)total));
        at += wt;
    }
cleanup:
    return rc;
}

/* ---- PT-Scotch on the distributed graph ---------------------------------------------------- */

/* SCOTCH_Num arrays of the block's adjacency (rows of dense ids) and vertex weights. Local. */
static int scotch_arrays(const amls__rows *r, int64_t n, SCOTCH_Num **vert, SCOTCH_Num **velo)
{
    int rc = AMLS_OK;
    AMLS_CHECK(n < SCOTCH_NUMMAX && r->m < SCOTCH_NUMMAX, AMLS_ERR_PARTITION,
               "graph too large for PT-Scotch's %d-bit numbers (%lld vertices); use --partition "
               "chunk",
               (int)(8 * sizeof(SCOTCH_Num)), (long long)n);
    AMLS_ALLOC(*vert, r->nrows + 1);
    AMLS_ALLOC(*velo, r->nrows + 1);
    for (int64_t i = 0; i <= r->nrows; i++)
        (*vert)[i] = (SCOTCH_Num)r->ptr[i];
    for (int64_t i = 0; i < r->nrows; i++)
        (*velo)[i] = (SCOTCH_Num)(r->ptr[i + 1] - r->ptr[i] + 1);
cleanup:
    return rc;
}

/* Builds the distributed graph and partitions it, in a Scotch context of one thread per rank
 * (Debian's PT-Scotch starts a thread per core otherwise, and our MPI is not initialised for
 * threads) that is deterministic. Collective (every rank calls PT-Scotch). */
static int scotch_part(MPI_Comm comm, int K, const amls__rows *r, SCOTCH_Num *vert,
                       SCOTCH_Num *velo, SCOTCH_Num *out)
{
    int rc = AMLS_OK;
    SCOTCH_Dgraph dg, bound;
    SCOTCH_Strat st;
    SCOTCH_Context ctx;
    bool dg_ok = SCOTCH_dgraphInit(&dg, comm) == 0, bd_ok = SCOTCH_dgraphInit(&bound, comm) == 0;
    bool st_ok = SCOTCH_stratInit(&st) == 0, cx_ok = SCOTCH_contextInit(&ctx) == 0;
    int src = dg_ok && bd_ok && st_ok && cx_ok ? 0 : 1;
    src = src ? src : SCOTCH_contextOptionSetNum(&ctx, SCOTCH_OPTIONNUMDETERMINISTIC, 1);
    src = src ? src : SCOTCH_contextOptionSetNum(&ctx, SCOTCH_OPTIONNUMRANDOMFIXEDSEED, 1);
    src = src ? src : SCOTCH_contextThreadSpawn(&ctx, 1, NULL);
    AMLS_AGREE(comm,
               src == 0 ? AMLS_OK : amls_error(AMLS_ERR_PARTITION, "PT-Scotch did not start"));
    SCOTCH_Num nr = (SCOTCH_Num)r->nrows, m = (SCOTCH_Num)r->m;
    /* The columns are 32-bit dense ids below SCOTCH_NUMMAX: the same bits as SCOTCH_Num. */
    SCOTCH_Num *edge = (SCOTCH_Num *)(void *)r->col;
    src = SCOTCH_dgraphBuild(&dg, 0, nr, nr, vert, NULL, velo, NULL, m, m, edge, NULL, NULL);
    src = src ? src : SCOTCH_contextBindDgraph(&ctx, &dg, &bound);
    AMLS_AGREE(comm, src == 0
                         ? AMLS_OK
                         : amls_error(AMLS_ERR_PARTITION, "PT-Scotch: building the graph failed"));
    src = SCOTCH_stratDgraphMapBuild(&st, SCOTCH_STRATDEFAULT, (SCOTCH_Num)K, (SCOTCH_Num)K, 0.03);
    src = src == 0 ? SCOTCH_dgraphPart(&bound, (SCOTCH_Num)K, &st, out) : src;
    AMLS_AGREE(comm, src == 0 ? AMLS_OK
                              : amls_error(AMLS_ERR_PARTITION, "PT-Scotch: partitioning failed"));
cleanup:
    if (bd_ok)
        SCOTCH_dgraphExit(&bound);
    if (dg_ok)
        SCOTCH_dgraphExit(&dg);
    if (st_ok)
        SCOTCH_stratExit(&st);
    if (cx_ok)
        SCOTCH_contextExit(&ctx);
    return rc;
}

static int partition_ptscotch(const amls__part_input *in, int32_t *part)
{
    int rc = AMLS_OK;
    amls__rows r = {0};
    SCOTCH_Num *vert = NULL, *velo = NULL, *out = NULL;
    amls__arcs a = {.src = in->src, .dst = in->dst, .ne = in->nedges, .both = true};
    AMLS_TRY(amls__arcs_to_rows(in->comm, in->dir_off, in->n, &a, false, in->round_bytes, &r));
    AMLS_AGREE(in->comm, scotch_arrays(&r, in->n, &vert, &velo));
    out = amls__malloc((size_t)r.nrows + 1, sizeof *out);
    AMLS_AGREE(in->comm, amls__alloc_status(out != NULL));
    if (in->nparts == 1) {
        memset(part, 0, (size_t)r.nrows * sizeof *part);
        goto cleanup;
    }
    AMLS_TRY(scotch_part(in->comm, in->nparts, &r, vert, velo, out));
    for (int64_t i = 0; i < r.nrows; i++)
        part[i] = (int32_t)out[i];
cleanup:
    amls__rows_free(&r);
    amls__free(vert);
    amls__free(velo);
    amls__free(out);
#ifdef __GLIBC__
    malloc_trim(0); /* PT-Scotch's work space back to the system before the rows are built */
#endif
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

/* auto: the arcs each vertex stores decide. Collective. */
static int choose(const amls__part_input *in, const uint32_t *cnt, amls_part_method *m)
{
    int rc = AMLS_OK;
    int64_t nb = in->dir_off[in->rank + 1] - in->dir_off[in->rank], sum = 0, top = 0;
    for (int64_t i = 0; i < nb; i++) {
        sum += cnt[i];
        top = AMLS_MAX(top, (int64_t)cnt[i]);
    }
    int64_t v[3] = {sum, in->nedges, 0}, mx[2] = {top, 0};
    AMLS_TRY(amls__allreduce_i64(in->comm, v, 2, MPI_SUM));
    /* With a memory limit, METIS only if rank 0 can hold the whole graph besides what it has. */
    mx[1] = in->rank == 0 && in->memory_limit > 0 &&
            amls__peak_rss() + amls__metis_bytes(v[1], in->n) > in->memory_limit;
    AMLS_TRY(amls__allreduce_i64(in->comm, mx, 2, MPI_MAX));
    bool skewed = (amls__i128)mx[0] * AMLS_MAX(in->n, (int64_t)1) > (amls__i128)AUTO_SKEW * v[0];
    *m = skewed || v[0] > AMLS_AUTO_METIS_ARCS || mx[1] ? AMLS_PART_CHUNK : AMLS_PART_METIS;
cleanup:
    return rc;
}

/* chunk, or auto: the arcs per vertex first. Collective. */
static int partition_weighted(const amls__part_input *in, int32_t *part, amls_part_method *m)
{
    int rc = AMLS_OK;
    int64_t nb = in->dir_off[in->rank + 1] - in->dir_off[in->rank];
    uint32_t *cnt = amls__malloc((size_t)nb + 1, sizeof *cnt);
    AMLS_AGREE(in->comm, amls__alloc_status(cnt != NULL));
    amls__arcs a = stored_arcs(in);
    AMLS_TRY(amls__arcs_count(in->comm, in->dir_off, in->n, &a, cnt));
    if (*m == AMLS_PART_AUTO)
        AMLS_TRY(choose(in, cnt, m));
    if (*m == AMLS_PART_CHUNK)
        AMLS_TRY(partition_chunk(in, cnt, part));
cleanup:
    amls__free(cnt);
    return rc;
}

int amls__partition_compute(const amls__part_input *in, int32_t *part, amls__part_result *out)
{
    int rc = AMLS_OK;
    int64_t lo = in->dir_off[in->rank], nb = in->dir_off[in->rank + 1] - lo;
    amls_part_method m = in->method;
    out->nparts = in->nparts;
    if (m == AMLS_PART_AUTO && in->nparts == 1)
        m = AMLS_PART_RANGE; /* one part: nothing to choose */
    if (m == AMLS_PART_AUTO || m == AMLS_PART_CHUNK)
        AMLS_TRY(partition_weighted(in, part, &m));
    out->chosen = m;
    switch (m) {
    case AMLS_PART_HASH:
        for (int64_t i = 0; i < nb; i++) {
            amls_vid o = in->dir_orig ? in->dir_orig[i] : in->vbase + lo + i;
            part[i] = (int32_t)(amls__mix64((uint64_t)o ^ 0x5bd1e995ULL) % (uint64_t)in->nparts);
        }
        break;
    case AMLS_PART_RANGE:
        for (int64_t i = 0; i < nb; i++)
            part[i] = (int32_t)((amls__i128)(lo + i) * in->nparts / AMLS_MAX(in->n, (int64_t)1));
        break;
    case AMLS_PART_CHUNK:
        break; /* done above */
    case AMLS_PART_METIS:
        AMLS_TRY(partition_metis(in, part));
        break;
    case AMLS_PART_PTSCOTCH:
        AMLS_TRY(partition_ptscotch(in, part));
        break;
    default:
        AMLS_TRY(partition_file(in, part, &out->nparts));
    }
cleanup:
    return rc;
}
