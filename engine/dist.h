/* ---------------------------------------------------------------------------------------------
 * engine/dist.h — distributed building blocks: key lookups routed to owner ranks, and a sample
 * sort that leaves each rank a sorted, duplicate-free, disjoint block of keys.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

typedef int (*amls__route_fn)(const void *ctx, int64_t key);
typedef int64_t (*amls__answer_fn)(const void *ctx, int64_t key);

/* out[i] = answer(keys[i]) evaluated on rank route(keys[i]). Collective; errors agreed. */
int amls__dist_lookup(MPI_Comm comm, const int64_t *keys, int64_t n, int64_t *out,
                      amls__route_fn route, const void *rctx, amls__answer_fn answer,
                      const void *actx);

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
