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
#include "la_internal.h"

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

/* Work vectors of a solve and the Jacobi scaling. */
typedef struct cg_work {
    double *r, *z, *p, *ap, *dinv;
} cg_work;

/* Work space and the preconditioner (1/diagonal, or 1). Local. */
static int prepare(const amls_graph *g, const amls_dmat *A, bool jacobi, cg_work *w)
{
    int rc = AMLS_OK;
    AMLS_CHECK(g->n_local <= INT32_MAX, AMLS_ERR_UNSUPPORTED, "too many rows per rank for BLAS");
    w->r = amls_dvec_new(g);
    w->z = amls_dvec_new(g);
    w->p = amls_dvec_new(g);
    w->ap = amls_dvec_new(g);
    w->dinv = amls_dvec_new(g);
    AMLS_CHECK(w->r && w->z && w->p && w->ap && w->dinv, AMLS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < g->n_local; i++) {
        double d = 0;
        for (int64_t j = A->ptr[i]; j < A->ptr[i + 1]; j++)
            if (A->col[j] == (uint32_t)i)
                d = A->val ? A->val[j] : 1.0;
        AMLS_CHECK(!jacobi || d > 0, AMLS_ERR_NOT_SPD,
                   "matrix is not positive definite: diagonal entry %lld is %g (Jacobi "
                   "preconditioning needs a positive diagonal)",
                   (long long)g->orig[i], d);
        w->dinv[i] = jacobi ? 1.0 / d : 1.0;
    }
cleanup:
    return rc;
}

/* z = M^-1 r. */
static void precondition(const cg_work *w, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        w->z[i] = w->dinv[i] * w->r[i];
}

/* The iterations from x until ||r|| <= tol ||b|| or max_iter; *k gets their number. A
 * non-positive curvature or a residual that is not finite stops every rank. Collective. */
static int iterate(const amls_graph *g, const amls_dmat *A, cg_work *w, double *x, double tol,
                   double bnorm, int64_t max_iter, int64_t *k, amls_solve_info *info)
{
    int rc = AMLS_OK, ni = (int)g->n_local;
    int64_t n = g->n_local;
    amls_semiring sr = {.kind = AMLS_SR_PLUS_TIMES};
    double rz = 0, rnorm = 0;
    precondition(w, n);
    if (n > 0)
        cblas_dcopy(ni, w->z, 1, w->p, 1);
    AMLS_TRY(amls_dot(g, w->r, w->z, &rz));
    AMLS_TRY(amls_norm2(g, w->r, &rnorm));
    amls__history_push(info, rnorm / bnorm, NAN);
    for (*k = 0; rnorm > tol * bnorm && *k < max_iter; (*k)++) {
        double pap = 0, rz_new = 0;
        AMLS_TRY(amls_spmv(A, &sr, w->p, w->ap));
        AMLS_TRY(amls_dot(g, w->p, w->ap, &pap));
        /* pap and rnorm have the same bits on every rank: all stop together. */
        AMLS_CHECK(pap > 0, AMLS_ERR_NOT_SPD,
                   "matrix is not positive definite: p'Ap = %g at iteration %lld", pap,
                   (long long)*k);
        if (n > 0) {
            cblas_daxpy(ni, rz / pap, w->p, 1, x, 1);
            cblas_daxpy(ni, -rz / pap, w->ap, 1, w->r, 1);
        }
        precondition(w, n);
        AMLS_TRY(amls_dot(g, w->r, w->z, &rz_new));
        AMLS_TRY(amls_norm2(g, w->r, &rnorm));
        for (int64_t i = 0; i < n; i++)
            w->p[i] = w->z[i] + rz_new / rz * w->p[i];
        rz = rz_new;
        amls__history_push(info, rnorm / bnorm, NAN);
        AMLS_CHECK(isfinite(rnorm), AMLS_ERR_NUMERIC, "CG broke down: residual is %g", rnorm);
    }
cleanup:
    return rc;
}

int amls_cg(const amls_graph *g, const double *b, double *x, double tol, int64_t max_iter,
            bool jacobi, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t n = g->n_local;
    cg_work w = {0};
    double t0 = amls__now(), bnorm = 0, rnorm = 0;
    memset(info, 0, sizeof *info);
    amls_dmat A = amls_dmat_view(g, AMLS_MAT_OUT);
    amls_semiring sr = {.kind = AMLS_SR_PLUS_TIMES};
    AMLS_AGREE(g->comm, prepare(g, &A, jacobi, &w));
    AMLS_TRY(amls_norm2(g, b, &bnorm));
    if (bnorm == 0) {
        memset(x, 0, (size_t)n * sizeof *x);
        info->converged = true;
        goto cleanup;
    }
    AMLS_TRY(residual(&A, &sr, b, x, w.r, n));
    AMLS_TRY(iterate(g, &A, &w, x, tol, bnorm, max_iter, &info->iterations, info));
    /* The true residual, recomputed from x. */
    AMLS_TRY(residual(&A, &sr, b, x, w.r, n));
    AMLS_TRY(amls_norm2(g, w.r, &rnorm));
    info->residual = rnorm / bnorm;
    info->converged = info->residual <= tol;
cleanup:
    info->seconds = amls__now() - t0;
    amls__free(w.r);
    amls__free(w.z);
    amls__free(w.p);
    amls__free(w.ap);
    amls__free(w.dinv);
    return rc;
}
