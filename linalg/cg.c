/* ---------------------------------------------------------------------------------------------
 * linalg/cg.c — preconditioned conjugate gradient on the distributed matrix (Hestenes and
 * Stiefel 1952; Jacobi preconditioner), and the symmetry check it relies on.
 * SPDX-License-Identifier: MIT
 *
 * Every scalar that decides the course of the iteration comes from a reduction that gives the
 * same bits on every rank (amls__allreduce_same), so all ranks take the same number of steps.
 * A non-positive curvature p'Ap proves the matrix is not positive definite: that is an error.
 * Running out of iterations is not: the caller gets converged = false.
 * ------------------------------------------------------------------------------------------- */
#include "linalg/la_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>

int amls_check_symmetric(const amls_graph *g)
{
    int rc = AMLS_OK;
    if (!g->directed)
        return AMLS_OK; /* stored both ways by construction */
    if (g->in_ptr == NULL)
        rc = amls_error(AMLS_ERR_INVALID, "symmetry check needs the in-edges");
    for (int64_t i = 0; i < g->n_local && rc == AMLS_OK; i++) {
        int64_t a = g->out_ptr[i], ae = g->out_ptr[i + 1], b = g->in_ptr[i], be = g->in_ptr[i + 1];
        for (; rc == AMLS_OK && (a < ae || b < be);) {
            int64_t ga = a < ae ? amls_graph_gid(g, g->out_col[a]) : INT64_MAX;
            int64_t gb = b < be ? amls_graph_gid(g, g->in_col[b]) : INT64_MAX;
            double va = a < ae && g->out_w ? g->out_w[a] : 1.0;
            double vb = b < be && g->in_w ? g->in_w[b] : 1.0;
            if (ga != gb || va != vb) {
                int64_t t = ga < gb ? g->out_col[a] : g->in_col[b];
                rc = amls_error(AMLS_ERR_NOT_SPD,
                                "matrix is not symmetric: entry (%lld, %lld) has no equal mirror "
                                "(%lld, %lld)",
                                (long long)g->orig[i], (long long)amls_graph_orig(g, t),
                                (long long)amls_graph_orig(g, t), (long long)g->orig[i]);
            }
            if (ga <= gb)
                a++;
            if (gb <= ga)
                b++;
        }
    }
    return amls_agree(g->comm, rc, NULL);
}

/* r = b - A x (x synced inside amls_spmv). */
static int residual(const amls_dmat *A, const amls_semiring *sr, const double *b, double *x,
                    double *r, int64_t n)
{
    int rc = amls_spmv(A, sr, x, r);
    if (rc < 0)
        return rc;
    for (int64_t i = 0; i < n; i++)
        r[i] = b[i] - r[i];
    return AMLS_OK;
}

int amls_cg(const amls_graph *g, const double *b, double *x, double tol, int64_t max_iter,
            bool jacobi, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t n = g->n_local;
    int ni = (int)n;
    double *r = NULL, *z = NULL, *p = NULL, *ap = NULL, *dinv = NULL;
    double t0 = amls__now();
    memset(info, 0, sizeof *info);
    amls_dmat A = amls_dmat_view(g, AMLS_MAT_OUT);
    amls_semiring sr = {.kind = AMLS_SR_PLUS_TIMES};
    AMLS_CHECK(n <= INT32_MAX, AMLS_ERR_UNSUPPORTED, "too many rows per rank for BLAS");
    r = amls_dvec_new(g);
    z = amls_dvec_new(g);
    p = amls_dvec_new(g);
    ap = amls_dvec_new(g);
    dinv = amls_dvec_new(g);
    AMLS_CHECK(r && z && p && ap && dinv, AMLS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) {
        double d = 0;
        for (int64_t j = A.ptr[i]; j < A.ptr[i + 1]; j++)
            if (A.col[j] == (uint32_t)i)
                d = A.val ? A.val[j] : 1.0;
        AMLS_CHECK(!jacobi || d > 0, AMLS_ERR_NOT_SPD,
                   "matrix is not positive definite: diagonal entry %lld is %g (Jacobi "
                   "preconditioning needs a positive diagonal)",
                   (long long)g->orig[i], d);
        dinv[i] = jacobi ? 1.0 / d : 1.0;
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    {
        double bnorm = 0, rz = 0, rnorm = 0;
        AMLS_TRY(amls_norm2(g, b, &bnorm));
        if (bnorm == 0) {
            memset(x, 0, (size_t)n * sizeof *x);
            info->converged = true;
            goto out;
        }
        AMLS_TRY(residual(&A, &sr, b, x, r, n));
        for (int64_t i = 0; i < n; i++)
            z[i] = dinv[i] * r[i];
        if (n > 0)
            cblas_dcopy(ni, z, 1, p, 1);
        AMLS_TRY(amls_dot(g, r, z, &rz));
        AMLS_TRY(amls_norm2(g, r, &rnorm));
        int64_t k = 0;
        while (rnorm > tol * bnorm && k < max_iter) {
            double pap = 0;
            AMLS_TRY(amls_spmv(&A, &sr, p, ap));
            AMLS_TRY(amls_dot(g, p, ap, &pap));
            if (!(pap > 0)) {
                rc = amls_error(AMLS_ERR_NOT_SPD,
                                "matrix is not positive definite: p'Ap = %g at iteration %lld", pap,
                                (long long)k);
                rc = amls_agree(g->comm, g->rank == 0 ? rc : AMLS_ERR_NOT_SPD, NULL);
                goto out;
            }
            double alpha = rz / pap;
            if (n > 0) {
                cblas_daxpy(ni, alpha, p, 1, x, 1);
                cblas_daxpy(ni, -alpha, ap, 1, r, 1);
            }
            for (int64_t i = 0; i < n; i++)
                z[i] = dinv[i] * r[i];
            double rz_new = 0;
            AMLS_TRY(amls_dot(g, r, z, &rz_new));
            AMLS_TRY(amls_norm2(g, r, &rnorm));
            double beta = rz_new / rz;
            rz = rz_new;
            for (int64_t i = 0; i < n; i++)
                p[i] = z[i] + beta * p[i];
            k++;
            if (!isfinite(rnorm)) {
                rc = amls_agree(g->comm,
                                g->rank == 0 ? amls_error(AMLS_ERR_NUMERIC,
                                                          "CG broke down: residual is %g", rnorm)
                                             : AMLS_ERR_NUMERIC,
                                NULL);
                goto out;
            }
        }
        info->iterations = k;
        /* The true residual, recomputed from x. */
        AMLS_TRY(residual(&A, &sr, b, x, r, n));
        AMLS_TRY(amls_norm2(g, r, &rnorm));
        info->residual = rnorm / bnorm;
        info->converged = info->residual <= tol;
    }
out:
    info->seconds = amls__now() - t0;
    amls__free(r);
    amls__free(z);
    amls__free(p);
    amls__free(ap);
    amls__free(dinv);
    return rc;
}
