/* ---------------------------------------------------------------------------------------------
 * engine/graph_util.h — internal helpers over the distributed graph.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include "amls/graph.h"

/* Moves one fixed-size value per owned vertex into original-id (dense) order: on return this
 * rank holds *out, the values of the dense ids [dir_off[rank], dir_off[rank+1]). Collective. */
int amls__to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out);

/* Gathers one fixed-size value per owned vertex onto root in original-id order (*out, n values,
 * allocated on root only). Collective. */
int amls__gather_dense(const amls_graph *g, int root, const void *vals, size_t vsz, void **out);

/* Adds ghost entries of vals (length n_local + n_ghost) into their owners' entries. Collective. */
int amls__plan_reduce_i64(const amls_graph *g, int64_t *vals);

/* Copies owned entries of vals (element size vsz, length n_local + n_ghost) into the ghost
 * entries of the ranks that reference them. Collective. */
int amls__plan_gather(const amls_graph *g, void *vals, size_t vsz);

/* Part of a global id. */
int amls__part_of(const amls_graph *g, int64_t gid);

/* The reverse of amls__to_dense_order: this rank holds `block`, the values of its directory
 * block of dense ids; on return `out` (n_local values, caller-allocated) holds the values of
 * the vertices it owns. Collective. */
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
