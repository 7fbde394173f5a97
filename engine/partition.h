/* ---------------------------------------------------------------------------------------------
 * engine/partition.h — internal partitioner interface.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include "amls/graph.h"

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
