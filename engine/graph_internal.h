/* ---------------------------------------------------------------------------------------------
 * engine/graph_internal.h — the graph side of the engine, internal: the build steps shared by
 * the builder and the container loader, partitioners, the sample sort, conversions to and from
 * original-id (dense) order and the plan-based exchanges.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/graph.h"

/* ---- Building (graph_build.c, graph_dir.c, graph_csr.c). --------------------------------- */
/* Steps 1-2: the directory of dense ids. On return g->n and g->dir_off are set, ends[0..2 ne)
 * holds the dense ids of the endpoints of raw's edges, and *dir_ids (NULL for declared ranges)
 * the original ids of this rank's directory block. Collective. */
int amls__graph_directory(amls_graph *g, const amls_raw_graph *raw, int64_t *ends,
                          int64_t **dir_ids);

/* One CSR of global-id targets. */
typedef struct amls__graph_csr {
    int64_t *ptr;  /* n_local + 1 */
    int64_t *gcol; /* m targets (global ids) */
    double *w;     /* m weights or NULL */
    int64_t m;
} amls__graph_csr;
void amls__graph_csr_free(amls__graph_csr *c);

/* Step 5: sends edge records (source, target[, weight]) to the owner of the source and builds
 * the rows, sorted, duplicates removed (the smallest weight kept). The records are the endpoint
 * pairs `ends` (final ids): (ends[2e], ends[2e+1]), reversed when `reverse`, and both ways when
 * `both`. Collective. */
int amls__graph_shuffle(amls_graph *g, const int64_t *ends, const double *wts, int64_t ne,
                        bool both, bool reverse, bool keep_w, amls__graph_csr *out);

/* Step 6: completes a graph whose rows are set (out_ptr, and in_ptr for directed graphs with
 * in-edges) from global-id targets: ghosts and 32-bit columns, edge statistics, the plan, ghost
 * ids. Converts the gid arrays in place (the caller frees them). Collective. */
int amls__graph_finish(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin);

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
    const int64_t *dir_off;   /* nranks+1 */
    const amls_vid *dir_orig; /* original ids of this rank's directory block, or NULL ... */
    amls_vid vbase;           /* ... in which case orig = vbase + dense */
    const int64_t *src, *dst; /* this rank's edges as dense ids (METIS only) */
    int64_t nedges;
} amls__part_input;

/* Fills part[] for this rank's directory block. For files, *nparts_out receives the number of
 * parts the file names (max + 1). Collective; errors agreed. */
int amls__partition_compute(const amls__part_input *in, int32_t *part, int *nparts_out);

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
