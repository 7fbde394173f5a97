/* ---------------------------------------------------------------------------------------------
 * linalg/la_internal.h — internal helpers of the linear-algebra path.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include "amls/linalg.h"

/* Reusable work space for SpMSpV (slots for owned + ghost columns, touched lists). */
typedef struct amls__spmspv_ws {
    const amls_graph *g;
    char *slot;       /* (n_local + n_ghost) * 8 bytes */
    uint8_t *has;     /* n_local + n_ghost */
    int64_t *touched; /* indices with has set */
    int64_t ntouched;
    int32_t *ghost_owner;
} amls__spmspv_ws;

int amls__spmspv_ws_new(const amls_graph *g, amls__spmspv_ws **ws);
void amls__spmspv_ws_free(amls__spmspv_ws **ws);
int amls__spmspv(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi, const void *xv,
                 int64_t nx, int64_t **yi, void **yv, int64_t *ny);
/* Same, pushing along in-edges too when `both` (the undirected view of a directed graph). */
int amls__spmspv_dir(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi,
                     const void *xv, int64_t nx, bool both, int64_t **yi, void **yv, int64_t *ny);

/* ---- reproducible sums (linalg/rsum.c) --------------------------------------------------------
 * Usage: p = amls__rsum_plan(B, n) with B >= |every term| and n >= the number of terms of any
 * one sum, both the same on every rank; accumulate each term into its pair (s[k], s[m + k])
 * with amls__rsum_add; amls__rsum_reduce sums the pairs over the ranks and leaves the result in
 * s[0..m). The result does not depend on the order of the terms or on the number of ranks. */
typedef struct amls__rsum {
    double m1, m2; /* 1.5 * 2^k: adding and subtracting rounds to the level's quantum */
} amls__rsum;

amls__rsum amls__rsum_plan(double bound, int64_t n);
static inline void amls__rsum_add(const amls__rsum *p, double x, double *hi, double *lo)
{
    double q1 = (x + p->m1) - p->m1;
    double r = x - q1;
    *hi += q1;
    *lo += (r + p->m2) - p->m2;
}
/* Collective: sums the 2m accumulators over comm and folds them into s[0..m). */
int amls__rsum_reduce(MPI_Comm comm, double *s, int m);
/* Collective: *x = the maximum of x over comm (exact, so the same on every rank). */
int amls__max_same(MPI_Comm comm, double *x);
