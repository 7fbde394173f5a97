/* ---------------------------------------------------------------------------------------------
 * linalg/la_algos.h — the graph algorithms of the linear-algebra path with their variants, as
 * the table of graph_la.c runs them. Internal.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/linalg.h"

/* PageRank (la_pagerank.c). */
typedef enum amls__pr_variant {
    AMLS__PR_BLOCKED = 0, /* cache-blocked pull, doubles (default) */
    AMLS__PR_FP32,        /* the same with single-precision contributions */
    AMLS__PR_PLAIN,       /* one amls_spmv per iteration */
} amls__pr_variant;
int amls__la_pagerank(const amls_graph *g, double damping, int64_t iterations,
                      amls__pr_variant variant, double *x, double *sec_per_iter);

/* BFS from the vertex with global id src_gid (la_bfs.c): depth = levels (INT64_MAX when
 * unreachable); *levels the levels run, *bottom_up those run bottom-up. */
typedef enum amls__bfs_variant {
    AMLS__BFS_DIROPT = 0, /* direction-optimising (default) */
    AMLS__BFS_PUSH,       /* top-down only */
} amls__bfs_variant;
int amls__la_bfs(const amls_graph *g, int64_t src_gid, amls__bfs_variant variant, int64_t *depth,
                 int64_t *levels, int64_t *bottom_up);

/* Single-source shortest paths from global id src_gid by delta-stepping (la_sssp.c); delta <= 0
 * picks the default, INFINITY is Bellman-Ford. dist: INFINITY when unreachable. Refuses negative
 * weights. Collective. */
int amls__la_sssp(const amls_graph *g, int64_t src_gid, double delta, double *dist, int64_t *rounds,
                  int64_t *buckets, double *delta_used);

/* Weakly connected components by FastSV (la_wcc.c): label = smallest original id of the
 * component; *rounds the FastSV rounds. Collective. */
int amls__la_wcc_fastsv(const amls_graph *g, int64_t *label, int64_t *rounds);

/* The local contraction of WCC (la_wcc_local.c). */
typedef struct amls__contract {
    uint32_t *root; /* n_local: the smallest local index of each vertex's local component */
    uint32_t *act;  /* na: the roots whose component has ghost neighbours ("active") */
    int64_t na;
    int64_t *gptr;     /* na+1: active root i touches ghosts gl[gptr[i] .. gptr[i+1]) */
    uint32_t *gl;      /* ghost indices (0-based among the ghosts), distinct per root */
    int64_t big_act;   /* active index of this rank's skipped piece (-1: none), whose parent */
    int64_t big_label; /* starts at big_label, the skipping group's smallest piece root */
} amls__contract;
/* Collective (the skipped pieces are agreed with the other ranks). */
int amls__contract_new(const amls_graph *g, amls__contract *c);
void amls__contract_free(amls__contract *c);
