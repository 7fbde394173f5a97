/* ---------------------------------------------------------------------------------------------
 * core/rsum.c — reproducible sums: the same bits whatever the order of the terms, hence
 * whatever the number of ranks and the distribution of the rows.
 * SPDX-License-Identifier: MIT
 *
 * Pre-rounding in two levels (Demmel and Nguyen, "Parallel reproducible summation", IEEE TC
 * 2015): with all terms bounded by B and at most n of them, each term x is split exactly into
 * q1 + q2 + r, where q1 is x rounded to a multiple of a quantum u1 chosen from B and n (by
 * adding and subtracting M1 = 1.5 * 2^k1) and q2 the rest rounded to a finer quantum u2. Sums
 * of q1 (and of q2) are exact: multiples of the quantum, far from overflowing 53 bits. Exact
 * sums do not depend on the order of addition, so per-rank partial sums reduced by MPI in any
 * tree give the same bits everywhere. The dropped remainders r cost at most about
 * n^3 2^-102 B in absolute error (2^-57 B for n = 2^15), well inside the worst case of plain
 * summation (n 2^-53 B).
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <math.h>

amls__rsum amls__rsum_plan(double bound, int64_t n)
{
    int eb = 0, en = 0;
    /* bound < 2^eb; tiny bounds are raised so that the second level stays normal. */
    frexp(!isfinite(bound) ? 1.0 : bound > 0x1p-900 ? bound : 0x1p-900, &eb);
    frexp((double)(n > 1 ? n : 1), &en); /* n < 2^en */
    int k1 = eb + en + 2, k2 = k1 - 53 + en + 2;
    amls__rsum p = {.m1 = ldexp(1.5, k1), .m2 = ldexp(1.5, k2)};
    return p;
}

int amls__rsum_reduce(MPI_Comm comm, double *s, int m)
{
    /* s[0..m) and s[m..2m) hold exact sums: any reduction order gives the same bits. */
    int rc = AMLS_OK;
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, s, 2 * m, MPI_DOUBLE, MPI_SUM, comm));
    for (int k = 0; k < m; k++)
        s[k] += s[m + k];
cleanup:
    return rc;
}

int amls__max_same(MPI_Comm comm, double *x)
{
    int rc = AMLS_OK;
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, x, 1, MPI_DOUBLE, MPI_MAX, comm));
cleanup:
    return rc;
}
