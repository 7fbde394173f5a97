/* ---------------------------------------------------------------------------------------------
 * engine/graph_internal.h — the graph side of the engine, internal: the build steps shared by
 * the builder and the container loader, partitioners, the sample sort, conversions to and from
 * original-id (dense) order and the plan-based exchanges.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/graph.h"

/* ---- Building (graph_build.c, graph_dir.c, graph_merge.c, graph_shuffle.c, graph_csr.c). -- */
/* An array shrunk to n elements of `size` bytes (its tail returned to the system), or the array
 * as it was when shrinking fails, which cannot matter. */
static inline void *amls__shrunk(void *p, int64_t n, size_t size)
{
    void *q = amls__realloc(p, (size_t)n + 1, size);
    return q ? q : p;
}

/* Steps 1-2: the directory of dense ids. Takes the endpoint arrays of `raw` over (they are NULL
 * on return): *src and *dst (raw->nedges each) hold the dense ids of the endpoints, g->n and
 * g->dir_off are set, and *dir_ids (NULL for declared ranges) holds the original ids of this
 * rank's directory block. At most 2^32 - 1 vertices. Collective. */
int amls__graph_directory(amls_graph *g, amls_raw_graph *raw, uint32_t **src, uint32_t **dst,
                          int64_t **dir_ids);

/* Replaces every endpoint x of the edges (src, dst: ne each) by answer(x) (an id that fits 32
 * bits), computed on rank route(x), a bounded slice at a time. Collective. */
int amls__ends_lookup(MPI_Comm comm, uint32_t *src, uint32_t *dst, int64_t ne, amls__route_fn route,
                      const void *rctx, amls__answer_fn answer, const void *actx);

/* Edges as 32-bit endpoint pairs, and which arcs they stand for. */
typedef struct amls__arcs {
    const uint32_t *src, *dst; /* ne endpoints */
    const double *w;           /* ne weights, or NULL: every weight is 1 */
    int64_t ne;
    bool both;    /* every edge both ways (undirected) */
    bool reverse; /* stored at the target (in-edges) */
    bool loops;   /* keep self loops */
} amls__arcs;

/* Rows of arcs: this rank's block of ids under a layout `off`. */
typedef struct amls__rows {
    int64_t nrows, m;
    int64_t *ptr;  /* nrows + 1 */
    uint32_t *col; /* m targets (ids) */
    double *w;     /* m weights, or NULL */
    int64_t held;  /* arcs the rows held before duplicates were merged */
} amls__rows;
void amls__rows_free(amls__rows *r);

/* Bytes one rank sends per round of the shuffle, unless the build options say otherwise. */
#define AMLS_ROUND_BYTES ((int64_t)8 << 20)

/* The arcs per row of this rank's block [off[rank], off[rank+1]) of the ids [0, n), summed
 * over every rank's edges into cnt. Collective. */
int amls__arcs_count(MPI_Comm comm, const int64_t *off, int64_t n, const amls__arcs *a,
                     uint32_t *cnt);
/* The streamed shuffle: every arc to the owner of its row under `off`, in rounds of at most
 * round_bytes (0: AMLS_ROUND_BYTES) per rank, rows sized in advance, sorted by target, with
 * duplicates merged (the smallest weight kept). Collective. */
int amls__arcs_to_rows(MPI_Comm comm, const int64_t *off, int64_t n, const amls__arcs *a,
                       bool keep_w, int64_t round_bytes, amls__rows *out);

/* Step 5c (graph_merge.c): repeated edges merged before the rows are built. The edges of this
 * rank, owned by the caller, which the merge replaces. */
typedef struct amls__edges {
    uint32_t *src, *dst; /* ne endpoints */
    double *w;           /* ne weights, or NULL (on a rank with no edges, or unweighted) */
    int64_t ne;
} amls__edges;
/* When a hashed sample shows that at least one edge record in eight repeats another (the same
 * ends, in either order when `undirected`: a file listing every edge both ways, or plain
 * repeats), every record goes to the rank its hash names, which keeps one record per edge with
 * the smallest weight (the rule of the rows), and e becomes this rank's share of the distinct
 * edges (src < dst when undirected); otherwise e is left as it is. *merged says which. With
 * `weighted`, e->w holds the weights on return (1 where a rank had none). Rounds of at most
 * round_bytes (0: AMLS_ROUND_BYTES) per rank; the edge arrays shrink behind them. Collective. */
int amls__edges_merge(MPI_Comm comm, amls__edges *e, bool undirected, bool weighted,
                      int64_t round_bytes, bool *merged);
/* Test hook: 1 merges always, 0 never, -1 (the default) when the sample says so. */
void amls__edges_merge_mode(int mode);

/* The loader's own account of the edge data a rank holds (endpoint arrays, merge records and
 * rows, in bytes) at its largest during the last build on this thread; for tests. */
void amls__held_note(int64_t bytes);
int64_t amls__held_peak(void);

/* Step 6: completes a graph whose rows are set (out_ptr, and in_ptr for directed graphs with
 * in-edges) from targets given as global ids: takes gout and gin over and turns them into the
 * local columns out_col and in_col (ghosts, in place), then edge statistics, the plan and the
 * ghosts' original ids. Collective. */
int amls__graph_finish(amls_graph *g, uint32_t *gout, int64_t nout, uint32_t *gin, int64_t nin);

/* ---- Sample sort (dist.c). -------------------------------------------------------------- */
/* Sorts and de-duplicates the union of every rank's keys (ids is reordered in place). On
 * return this rank holds the sorted block *block (length *nblock, allocated) and every rank
 * the same nranks-1 splitters: key k lives on rank amls__splitter_route(splitters, k). */
int amls__dist_sort_unique(MPI_Comm comm, int64_t *ids, int64_t n, int64_t **block, int64_t *nblock,
                           int64_t *splitters);
typedef struct amls__splitters {
    const int64_t *s; /* nranks-1 */
    int nranks;
} amls__splitters;
int amls__splitter_route(const void *ctx, int64_t key);

/* ---- Partitioning (partition.c). ------------------------------------------------------- */
typedef struct amls__part_input {
    MPI_Comm comm;
    int rank, nranks;
    amls_part_method method;
    const char *file;
    int nparts;
    int64_t n;
    const int64_t *dir_off;    /* nranks+1 */
    const amls_vid *dir_orig;  /* original ids of this rank's directory block, or NULL ... */
    amls_vid vbase;            /* ... in which case orig = vbase + dense */
    const uint32_t *src, *dst; /* this rank's edges as dense ids */
    int64_t nedges;
    bool directed;        /* the edges are arcs (stored at their source) */
    bool need_in;         /* directed graphs: in-arcs are stored too (at their target) */
    int64_t round_bytes;  /* shuffles in rounds of this size (0: the default) */
    int64_t memory_limit; /* bytes per rank (0: none): auto avoids METIS above it */
} amls__part_input;

/* auto picks chunk above this many stored arcs: METIS on one rank would cost more than it
 * saves (partition.c; the memory estimate assumes the same). */
#define AMLS_AUTO_METIS_ARCS ((int64_t)1 << 24)

/* What METIS on rank 0 adds to rank 0's memory for a graph of `records` edge records
 * (graph_estimate.c). */
int64_t amls__metis_bytes(int64_t records, int64_t vertices);

/* What the partitioner did: the method it chose (for auto), and the time. */
typedef struct amls__part_result {
    amls_part_method chosen;
    int nparts;
} amls__part_result;

/* Fills part[] for this rank's directory block. out->nparts receives the number of parts (for
 * files the number the file names, max + 1). Collective; errors agreed. */
int amls__partition_compute(const amls__part_input *in, int32_t *part, amls__part_result *out);

/* Part of a global id. */
int amls__part_of(const amls_graph *g, int64_t gid);

/* ---- Original-id (dense) order (graph_order.c). ---------------------------------------- */
/* Moves one fixed-size value per owned vertex into original-id (dense) order: on return this
 * rank holds *out, the values of the dense ids [dir_off[rank], dir_off[rank+1]). Collective. */
int amls__to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out);
/* The reverse: this rank holds `block`, the values of its directory block of dense ids; on
 * return `out` (n_local values, caller-allocated) holds the values of the vertices it owns.
 * Collective. */
int amls__from_dense_order(const amls_graph *g, const void *block, size_t vsz, void *out);
/* Variable-length values: owned vertex i has len[i] bytes at data + off[i]. On return this
 * rank holds its directory block's lengths (*blen, nb entries) and bytes (*bdata, concatenated
 * in dense order). Collective. */
int amls__to_dense_order_var(const amls_graph *g, const int64_t *len, const int64_t *off,
                             const char *data, int64_t **blen, char **bdata, int64_t *btotal);
/* Reverse: from a directory block (blen, bdata) to owned vertices: *olen[i], bytes at
 * *odata + *ooff[i]. Collective. */
int amls__from_dense_order_var(const amls_graph *g, const int64_t *blen, const char *bdata,
                               int64_t **olen, int64_t **ooff, char **odata);
/* Gathers one fixed-size value per owned vertex onto root in original-id order (*out, n values,
 * allocated on root only). Collective. */
int amls__gather_dense(const amls_graph *g, int root, const void *vals, size_t vsz, void **out);

/* ---- The communication plan (graph_order.c). ------------------------------------------- */
/* Copies owned entries of vals (element size vsz, length n_local + n_ghost) into the ghost
 * entries of the ranks that reference them. Collective. (Public: amls_graph_sync_ghosts.) */
int amls__plan_gather(const amls_graph *g, void *vals, size_t vsz);
/* Adds ghost entries of vals (length n_local + n_ghost) into their owners' entries. Collective. */
int amls__plan_reduce_i64(const amls_graph *g, int64_t *vals);
