/* ---------------------------------------------------------------------------------------------
 * engine/graph_build.c — from raw edges to the distributed graph.
 * SPDX-License-Identifier: MIT
 *
 * Steps (all collective, errors agreed after each):
 *   1. Directory: the vertex set sorted by original id and cut into one block per rank; a
 *      vertex's position in that order is its dense id (graph_dir.c).
 *   2. Edge endpoints are translated to dense ids in place, as 32-bit ids (graph_dir.c).
 *   3. The partitioner assigns a part to every directory entry (partition.c).
 *   4. Final ids: parts are laid out one after the other, keeping original-id order inside a
 *      part; each rank owns a contiguous run of parts, hence of ids.
 *   5. Endpoints are translated again (dense -> final), in place; where many records repeat an
 *      edge (both directions listed, say), the repeats are merged first (graph_merge.c); then
 *      the edges are streamed to the owner of the source (and of the target, for in-edges) in
 *      bounded rounds, straight into rows sized in advance; rows are sorted and duplicate edges
 *      merged, keeping the smallest weight (graph_shuffle.c).
 *   6. Ghosts and 32-bit local columns (in place), the communication plan (graph_csr.c).
 * At no point does a rank hold its edges twice: the raw endpoints become the dense, then the
 * final ids, and the rows (or the merge's records, which replace the endpoints) are the only
 * other copy of the edges, built one round at a time.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#include <stdio.h>

int amls_graph_owner(const amls_graph *g, int64_t gid)
{
    return amls__owner_of(g->owner_off, g->nranks, gid);
}

void amls_graph_free(amls_graph **gp)
{
    if (gp == NULL || *gp == NULL)
        return;
    amls_graph *g = *gp;
    amls__free(g->owner_off);
    amls__free(g->part_off);
    amls__free(g->orig);
    amls__free(g->dense);
    amls__free(g->dir_off);
    if (g->in_ptr != g->out_ptr) {
        amls__free(g->in_ptr);
        amls__free(g->in_col);
        amls__free(g->in_w);
    }
    amls__free(g->out_ptr);
    amls__free(g->out_col);
    amls__free(g->out_w);
    amls__free(g->ghost_gid);
    amls__free(g->ghost_orig);
    amls__free(g->recv_off);
    amls__free(g->send_off);
    amls__free(g->send_idx);
    if (g->comm != MPI_COMM_NULL)
        MPI_Comm_free(&g->comm); /* nothing to report to: freeing cannot fail the caller */
    amls__free(g);
    *gp = NULL;
}

/* The state of one build, phase to phase. */
typedef struct build {
    MPI_Comm comm;
    amls_build_opts o;
    amls_raw_graph *raw;
    amls_graph *g;
    int64_t ne;          /* raw edges on this rank */
    uint32_t *src, *dst; /* endpoints: dense ids (steps 1-3), then final ids (step 5) */
    int64_t *dir_ids;    /* original ids of the directory block (NULL for declared ranges) */
    int32_t *part;       /* parts of the directory block */
    int64_t *final;      /* final ids of the directory block */
    int64_t dlo, nd;     /* the directory block */
    int K;               /* parts */
    double tm;           /* phase timer */
} build;

/* Phase timer for AMLS_TIMING=1 (rank 0 prints). */
static void mark(const build *b, const char *what, double *t)
{
    static int on = -1;
    if (on < 0)
        on = getenv("AMLS_TIMING") != NULL;
    if (!on)
        return;
    double now = amls__now();
    if (b->g->rank == 0)
        fprintf(stderr, "[timing] build %-22s %.3f s (peak RSS so far %.0f MiB)\n", what, now - *t,
                (double)amls__peak_rss() / 1048576.0);
    *t = now;
}

/* 0. The graph object: its communicator, and agreement on weightedness (a rank with no edges
 * may have none). Collective. */
static int graph_new(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g = amls__calloc(1, sizeof *b->g);
    if (g)
        g->comm = MPI_COMM_NULL;
    AMLS_AGREE(b->comm, amls__alloc_status(g != NULL));
    AMLS_MPI_TRY(MPI_Comm_dup(b->comm, &g->comm));
    AMLS_TRY(amls__comm_rank(g->comm, &g->rank, &g->nranks));
    g->directed = b->raw->directed;
    int64_t weighted = b->raw->weighted && !b->o.drop_weights;
    AMLS_TRY(amls__allreduce_i64(g->comm, &weighted, 1, MPI_MAX));
    g->weighted = weighted != 0;
    g->edges_read = b->raw->edges_read;
    b->K = b->o.nparts > 0 ? b->o.nparts : g->nranks;
    if (!g->weighted) {
        amls__free(b->raw->w);
        b->raw->w = NULL;
    }
    g->dir_off = amls__calloc((size_t)g->nranks + 1, sizeof *g->dir_off);
    AMLS_AGREE(g->comm, amls__alloc_status(g->dir_off != NULL));
cleanup:
    return rc;
}

/* 3. A part for every vertex of this rank's directory block. Collective. */
static int partition(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    b->dlo = g->dir_off[g->rank];
    b->nd = g->dir_off[g->rank + 1] - b->dlo;
    b->part = amls__malloc((size_t)b->nd + 1, sizeof *b->part);
    AMLS_AGREE(g->comm, amls__alloc_status(b->part != NULL));
    amls__part_input pin = {.comm = g->comm,
                            .rank = g->rank,
                            .nranks = g->nranks,
                            .method = b->o.method,
                            .file = b->o.part_file,
                            .nparts = b->K,
                            .n = g->n,
                            .dir_off = g->dir_off,
                            .dir_orig = b->dir_ids,
                            .vbase = b->raw->vbase,
                            .src = b->src,
                            .dst = b->dst,
                            .nedges = b->ne,
                            .directed = g->directed,
                            .need_in = g->directed && b->o.need_in_edges,
                            .round_bytes = b->o.round_bytes,
                            .memory_limit = b->o.memory_limit};
    amls__part_result res = {0};
    double tp = amls__now();
    AMLS_TRY(amls__partition_compute(&pin, b->part, &res));
    b->K = res.nparts;
    g->part_method = res.chosen;
    AMLS_CHECK(b->K >= 1, AMLS_ERR_PARTITION, "the partition has no parts");
    g->partition_seconds = amls__now() - tp;
cleanup:
    return rc;
}

/* 4. Final ids: parts one after the other, original order inside a part; rank r owns the
 * parts p with p*R/K == r, a contiguous run. Collective. */
static int final_ids(build *b)
{
    int rc = AMLS_OK, K = b->K;
    amls_graph *g = b->g;
    int R = g->nranks;
    int64_t *cnt = amls__calloc((size_t)K, sizeof *cnt);
    int64_t *before = amls__calloc((size_t)K, sizeof *before);
    int64_t *total = amls__calloc((size_t)K, sizeof *total);
    b->final = amls__malloc((size_t)b->nd + 1, sizeof *b->final);
    g->part_off = amls__calloc((size_t)K + 1, sizeof *g->part_off);
    g->owner_off = amls__calloc((size_t)R + 1, sizeof *g->owner_off);
    AMLS_AGREE(g->comm, amls__alloc_status(cnt && before && total && b->final && g->part_off &&
                                           g->owner_off));
    for (int64_t i = 0; i < b->nd; i++)
        cnt[b->part[i]]++;
    AMLS_MPI_TRY(MPI_Exscan(cnt, before, K, MPI_INT64_T, MPI_SUM, g->comm));
    if (g->rank == 0)
        memset(before, 0, (size_t)K * sizeof *before);
    AMLS_MPI_TRY(MPI_Allreduce(cnt, total, K, MPI_INT64_T, MPI_SUM, g->comm));
    g->nparts = K;
    for (int p = 0; p < K; p++)
        g->part_off[p + 1] = g->part_off[p] + total[p];
    for (int r = 0, p = 0; r <= R; r++) {
        while (p < K && (int64_t)p * R / K < r)
            p++;
        g->owner_off[r] = g->part_off[p];
    }
    g->owner_off[R] = g->n;
    for (int64_t i = 0; i < b->nd; i++) {
        int p = b->part[i];
        b->final[i] = g->part_off[p] + before[p]++;
    }
    g->lo = g->owner_off[g->rank];
    g->n_local = g->owner_off[g->rank + 1] - g->lo;
cleanup:
    amls__free(cnt);
    amls__free(before);
    amls__free(total);
    return rc;
}

enum { META_REC = 3 * sizeof(int64_t) };

static int meta_dest(const void *ud, int64_t i)
{
    const build *b = ud;
    return amls_graph_owner(b->g, b->final[i]);
}

/* (final id, original id, dense id) of directory entry i. */
static void meta_pack(const void *ud, int64_t i, void *rec)
{
    const build *b = ud;
    int64_t m[3] = {b->final[i], b->dir_ids ? b->dir_ids[i] : b->raw->vbase + b->dlo + i,
                    b->dlo + i};
    memcpy(rec, m, sizeof m);
}

static void meta_store(void *ud, int src, const void *rec)
{
    (void)src;
    amls_graph *g = ud;
    int64_t m[3];
    memcpy(m, rec, sizeof m);
    g->orig[m[0] - g->lo] = m[1];
    g->dense[m[0] - g->lo] = m[2];
}

/* 5a. Every owner learns the original and dense ids of its vertices. Collective. */
static int vertex_metadata(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    amls__xchg x = {0};
    g->orig = amls__malloc((size_t)g->n_local + 1, sizeof *g->orig);
    g->dense = amls__malloc((size_t)g->n_local + 1, sizeof *g->dense);
    rc = amls__alloc_status(g->orig && g->dense);
    AMLS_TRY(amls__xchg_route(&x, g->comm, rc, b->nd, META_REC, meta_dest, meta_pack, b));
    amls__xchg_each(&x, META_REC, meta_store, g);
cleanup:
    amls__xchg_free(&x);
    return rc;
}

/* 5b, through a table of every final id replicated on every rank. Collective. */
static int ends_by_table(build *b, uint32_t *table)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    int *cnts = amls__malloc((size_t)g->nranks, sizeof *cnts);
    int *disp = amls__malloc((size_t)g->nranks, sizeof *disp);
    uint32_t *mine = amls__malloc((size_t)b->nd + 1, sizeof *mine);
    AMLS_AGREE(g->comm, amls__alloc_status(cnts && disp && mine));
    for (int p = 0; p < g->nranks; p++) {
        cnts[p] = (int)(g->dir_off[p + 1] - g->dir_off[p]);
        disp[p] = (int)g->dir_off[p];
    }
    for (int64_t i = 0; i < b->nd; i++)
        mine[i] = (uint32_t)b->final[i];
    AMLS_MPI_TRY(MPI_Allgatherv(mine, cnts[g->rank], MPI_UINT32_T, table, cnts, disp, MPI_UINT32_T,
                                g->comm));
    for (int64_t e = 0; e < b->ne; e++) {
        b->src[e] = table[b->src[e]];
        b->dst[e] = table[b->dst[e]];
    }
cleanup:
    amls__free(cnts);
    amls__free(disp);
    amls__free(mine);
    return rc;
}

static int route_dense(const void *ctx, int64_t key)
{
    const amls_graph *g = ctx;
    return amls__owner_of(g->dir_off, g->nranks, key);
}

static void answer_final(const void *ctx, int64_t key, void *out)
{
    const build *b = ctx;
    memcpy(out, &b->final[key - b->dlo], sizeof *b->final);
}

/* 5b. Endpoints dense -> final: through a replicated table (4 bytes per vertex) when it is no
 * larger than the endpoints on every rank, else by asking the directory. Collective. */
static int ends_to_final(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    int64_t least = 2 * b->ne;
    uint32_t *table = NULL;
    AMLS_TRY(amls__allreduce_i64(g->comm, &least, 1, MPI_MIN));
    if (g->n <= AMLS_MAX(least, (int64_t)1 << 22) && g->n <= INT32_MAX)
        table = amls__malloc((size_t)g->n + 1, sizeof *table);
    int64_t have = table != NULL;
    AMLS_TRY(amls__allreduce_i64(g->comm, &have, 1, MPI_MIN));
    if (have)
        AMLS_TRY(ends_by_table(b, table));
    else
        AMLS_TRY(
            amls__ends_lookup(g->comm, b->src, b->dst, b->ne, route_dense, g, answer_final, b));
cleanup:
    amls__free(table);
    return rc;
}

static _Thread_local int64_t held_peak;

void amls__held_note(int64_t bytes)
{
    held_peak = AMLS_MAX(held_peak, bytes);
}

int64_t amls__held_peak(void)
{
    return held_peak;
}

/* 5c. Repeated edges merged first where there are many (graph_merge.c). Collective. */
static int merge_repeats(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    amls__edges e = {b->src, b->dst, b->raw->w, b->ne};
    bool merged = false;
    rc = amls__edges_merge(g->comm, &e, !g->directed, g->weighted, b->o.round_bytes, &merged);
    b->src = e.src;
    b->dst = e.dst;
    b->raw->w = e.w;
    b->ne = e.ne;
    if (merged)
        mark(b, "merge repeated edges", &b->tm);
    return rc;
}

/* 5d-6. The rows, then ghosts and the plan. Collective. */
static int build_rows(build *b)
{
    int rc = AMLS_OK;
    amls_graph *g = b->g;
    amls__rows out = {0}, in = {0};
    amls__arcs a = {b->src, b->dst, b->raw->w, b->ne, !g->directed, false, true};
    int64_t edge = 8 + (g->weighted ? 8 : 0), arc = 4 + (g->weighted ? 8 : 0);
    AMLS_TRY(
        amls__arcs_to_rows(g->comm, g->owner_off, g->n, &a, g->weighted, b->o.round_bytes, &out));
    amls__held_note(b->ne * edge + out.held * arc);
    g->out_ptr = out.ptr;
    g->out_w = out.w;
    out.ptr = NULL;
    out.w = NULL;
    g->has_in = !g->directed || b->o.need_in_edges;
    if (g->directed && b->o.need_in_edges) {
        a.reverse = true;
        AMLS_TRY(amls__arcs_to_rows(g->comm, g->owner_off, g->n, &a, g->weighted, b->o.round_bytes,
                                    &in));
        amls__held_note(b->ne * edge + (out.m + in.held) * arc);
        g->in_ptr = in.ptr;
        g->in_w = in.w;
        in.ptr = NULL;
        in.w = NULL;
    }
    amls__free(b->src);
    amls__free(b->dst);
    b->src = b->dst = NULL;
    amls_raw_graph_free(b->raw);
    mark(b, "shuffle+rows", &b->tm);
    rc = amls__graph_finish(g, out.col, out.m, in.col, in.m);
    out.col = in.col = NULL; /* taken over, even on failure */
cleanup:
    amls__rows_free(&out);
    amls__rows_free(&in);
    return rc;
}

int amls_graph_build(MPI_Comm comm, amls_raw_graph *raw, const amls_build_opts *opts,
                     amls_graph **out)
{
    int rc = AMLS_OK;
    build b = {.comm = comm, .raw = raw, .ne = raw->nedges};
    if (opts)
        b.o = *opts;
    double t0 = amls__now();
    *out = NULL;
    held_peak = 0;
    AMLS_TRY(graph_new(&b));
    b.tm = t0;
    mark(&b, "start", &b.tm);
    amls__progress("numbering vertices", 0.0);
    AMLS_TRY(amls__graph_directory(b.g, raw, &b.src, &b.dst, &b.dir_ids));
    amls__progress("numbering vertices", 1.0);
    mark(&b, "directory+dense ids", &b.tm);
    amls__progress("partitioning", 0.0);
    AMLS_TRY(partition(&b));
    amls__progress("partitioning", 1.0);
    mark(&b, "partition", &b.tm);
    AMLS_TRY(final_ids(&b));
    AMLS_TRY(vertex_metadata(&b));
    amls__free(b.dir_ids);
    amls__free(b.part);
    b.dir_ids = NULL;
    b.part = NULL;
    mark(&b, "final ids+metadata", &b.tm);
    AMLS_TRY(ends_to_final(&b));
    amls__free(b.final);
    b.final = NULL;
    mark(&b, "dense->final lookup", &b.tm);
    AMLS_TRY(merge_repeats(&b));
    AMLS_TRY(build_rows(&b));
    mark(&b, "plan+ghost ids", &b.tm);
    b.g->build_seconds = amls__now() - t0;
cleanup:
    amls__free(b.src);
    amls__free(b.dst);
    amls__free(b.dir_ids);
    amls__free(b.part);
    amls__free(b.final);
    amls_raw_graph_free(raw);
    if (rc < 0)
        amls_graph_free(&b.g);
    *out = b.g;
    return rc;
}
