/* ---------------------------------------------------------------------------------------------
 * linalg/regression.c — ridge regression by CG on the normal equations, and L2-regularised
 * logistic regression by L-BFGS (Nocedal 1980; Liu and Nocedal 1989), rows distributed over
 * ranks.
 * SPDX-License-Identifier: MIT
 *
 * The design matrix is X~ = [1 | X]: coefficient 0 is the intercept and is not penalised. The
 * unknowns (nfeat + 1 values) are replicated on every rank; each rank applies its own rows and
 * one reduction per product sums the contributions. Every reduction goes through
 * amls__allreduce_same, so all ranks hold bitwise identical iterates and stop together.
 * ------------------------------------------------------------------------------------------- */
#include "linalg/la_internal.h"

#include <cblas.h>
#include <math.h>

/* out = X~^T (X~ v) over this rank's rows, plus reduction. tmp has n_local entries. */
static int normal_product(MPI_Comm comm, const amls_rows *X, int64_t d, const double *v,
                          double *tmp, double *out)
{
    memset(out, 0, (size_t)(d + 1) * sizeof *out);
    for (int64_t i = 0; i < X->n_local; i++) {
        double s = v[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                s += X->val[j] * v[1 + X->idx[j]];
        tmp[i] = s;
        out[0] += s;
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                out[1 + X->idx[j]] += X->val[j] * s;
    }
    return amls__allreduce_same(comm, out, (int)(d + 1), MPI_SUM);
}

static double dotn(int64_t n, const double *a, const double *b)
{
    return n > 0 ? cblas_ddot((int)n, a, 1, b, 1) : 0.0;
}

int amls_linreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *coef, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t d = X->nfeat, m = d + 1;
    double *rhs = NULL, *diag = NULL, *r = NULL, *z = NULL, *p = NULL, *ap = NULL, *tmp = NULL;
    double t0 = amls__now();
    memset(info, 0, sizeof *info);
    rhs = amls__calloc((size_t)m, sizeof *rhs);
    diag = amls__calloc((size_t)m + 1, sizeof *diag);
    r = amls__calloc((size_t)m, sizeof *r);
    z = amls__calloc((size_t)m, sizeof *z);
    p = amls__calloc((size_t)m, sizeof *p);
    ap = amls__calloc((size_t)m, sizeof *ap);
    tmp = amls__calloc((size_t)X->n_local + 1, sizeof *tmp);
    rc = (rhs && diag && r && z && p && ap && tmp) ? AMLS_OK
                                                   : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    /* rhs = X~^T y; diag = diag(X~^T X~) (one reduction for both). */
    {
        double *both = amls__calloc(2 * (size_t)m, sizeof *both);
        rc = amls_agree(comm, both ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
        if (rc < 0)
            goto out;
        for (int64_t i = 0; i < X->n_local; i++) {
            both[0] += X->y[i];
            both[m] += 1.0;
            for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++) {
                both[1 + X->idx[j]] += X->val[j] * X->y[i];
                both[m + 1 + X->idx[j]] += X->val[j] * X->val[j];
            }
        }
        rc = amls__allreduce_same(comm, both, (int)(2 * m), MPI_SUM);
        memcpy(rhs, both, (size_t)m * sizeof *rhs);
        memcpy(diag, both + m, (size_t)m * sizeof *diag);
        amls__free(both);
        if (rc < 0)
            goto out;
    }
    for (int64_t k = 1; k < m; k++)
        diag[k] += lambda;
    for (int64_t k = 0; k < m; k++)
        if (diag[k] <= 0)
            diag[k] = 1.0; /* a feature that never occurs: its coefficient stays 0 */
    /* CG from x = 0: r = rhs. */
    memset(coef, 0, (size_t)m * sizeof *coef);
    memcpy(r, rhs, (size_t)m * sizeof *r);
    for (int64_t k = 0; k < m; k++)
        z[k] = r[k] / diag[k];
    memcpy(p, z, (size_t)m * sizeof *p);
    double rz = dotn(m, r, z), bnorm = sqrt(dotn(m, rhs, rhs)), rnorm = bnorm;
    int64_t it = 0;
    while (bnorm > 0 && rnorm > tol * bnorm && it < max_iter) {
        rc = normal_product(comm, X, d, p, tmp, ap);
        if (rc < 0)
            goto out;
        for (int64_t k = 1; k < m; k++)
            ap[k] += lambda * p[k];
        double pap = dotn(m, p, ap);
        if (!(pap > 0))
            break; /* exact solution reached, or a singular direction (collinear features) */
        double alpha = rz / pap;
        cblas_daxpy((int)m, alpha, p, 1, coef, 1);
        cblas_daxpy((int)m, -alpha, ap, 1, r, 1);
        for (int64_t k = 0; k < m; k++)
            z[k] = r[k] / diag[k];
        double rz2 = dotn(m, r, z);
        rnorm = sqrt(dotn(m, r, r));
        for (int64_t k = 0; k < m; k++)
            p[k] = z[k] + rz2 / rz * p[k];
        rz = rz2;
        it++;
    }
    /* True residual of the normal equations. */
    rc = normal_product(comm, X, d, coef, tmp, ap);
    if (rc < 0)
        goto out;
    double rr = 0;
    for (int64_t k = 0; k < m; k++) {
        double e = rhs[k] - ap[k] - (k > 0 ? lambda * coef[k] : 0.0);
        rr += e * e;
    }
    info->iterations = it;
    info->residual = bnorm > 0 ? sqrt(rr) / bnorm : 0.0;
    info->converged = info->residual <= tol;
    /* Training loss: residual sum of squares over the rows. */
    {
        double rss = 0;
        for (int64_t i = 0; i < X->n_local; i++) {
            double e = X->y[i] - tmp[i];
            rss += e * e;
        }
        rc = amls__allreduce_same(comm, &rss, 1, MPI_SUM);
        info->objective = rss;
    }
out:
    info->seconds = amls__now() - t0;
    amls__free(rhs);
    amls__free(diag);
    amls__free(r);
    amls__free(z);
    amls__free(p);
    amls__free(ap);
    amls__free(tmp);
    return rc;
}

/* ---- logistic regression ----------------------------------------------------------------------
 */

static double log1pexp(double t) /* log(1 + e^t), stable */
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* f and gradient at w: fg[0] = f, fg[1..m] = gradient. Collective. */
static int logreg_fg(MPI_Comm comm, const amls_rows *X, int64_t d, double lambda, const double *w,
                     double *fg)
{
    int64_t m = d + 1;
    memset(fg, 0, (size_t)(m + 1) * sizeof *fg);
    for (int64_t i = 0; i < X->n_local; i++) {
        double z = w[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                z += X->val[j] * w[1 + X->idx[j]];
        double y = X->y[i] > 0 ? 1.0 : -1.0;
        fg[0] += log1pexp(-y * z);
        double coeff = -y / (1.0 + exp(y * z)); /* d/dz log(1 + exp(-y z)) */
        fg[1] += coeff;
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                fg[2 + X->idx[j]] += coeff * X->val[j];
    }
    int64_t loc[1] = {X->n_local}, n = 0;
    MPI_Allreduce(loc, &n, 1, MPI_INT64_T, MPI_SUM, comm);
    int rc = amls__allreduce_same(comm, fg, (int)(m + 1), MPI_SUM);
    if (rc < 0)
        return rc;
    double inv = 1.0 / (double)(n > 0 ? n : 1);
    for (int64_t k = 0; k <= m; k++)
        fg[k] *= inv;
    for (int64_t k = 1; k < m; k++) {
        fg[0] += 0.5 * lambda * w[k] * w[k];
        fg[1 + k] += lambda * w[k];
    }
    return AMLS_OK;
}

int amls_logreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *w, amls_solve_info *info)
{
    enum { M = 10 };
    int rc = AMLS_OK;
    int64_t d = X->nfeat, m = d + 1;
    double *fg = NULL, *fg2 = NULL, *dir = NULL, *w2 = NULL, *S = NULL, *Y = NULL;
    double rho[M], alpha[M];
    double t0 = amls__now();
    memset(info, 0, sizeof *info);
    fg = amls__calloc((size_t)m + 1, sizeof *fg);
    fg2 = amls__calloc((size_t)m + 1, sizeof *fg2);
    dir = amls__calloc((size_t)m, sizeof *dir);
    w2 = amls__calloc((size_t)m, sizeof *w2);
    S = amls__calloc((size_t)(M * m), sizeof *S);
    Y = amls__calloc((size_t)(M * m), sizeof *Y);
    rc = (fg && fg2 && dir && w2 && S && Y) ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    memset(w, 0, (size_t)m * sizeof *w);
    AMLS_TRY(logreg_fg(comm, X, d, lambda, w, fg));
    int hist = 0, head = 0;
    int64_t it = 0;
    for (; it < max_iter; it++) {
        const double *g = fg + 1;
        double gmax = 0;
        for (int64_t k = 0; k < m; k++)
            gmax = fmax(gmax, fabs(g[k]));
        if (gmax <= tol) {
            info->converged = true;
            break;
        }
        /* Two-loop recursion: dir = -H g. */
        for (int64_t k = 0; k < m; k++)
            dir[k] = -g[k];
        for (int h = 0; h < hist; h++) {
            int s = (head - 1 - h + M) % M;
            alpha[s] = rho[s] * dotn(m, S + s * m, dir);
            cblas_daxpy((int)m, -alpha[s], Y + s * m, 1, dir, 1);
        }
        if (hist > 0) {
            int s = (head - 1 + M) % M;
            double gamma = dotn(m, S + s * m, Y + s * m) / dotn(m, Y + s * m, Y + s * m);
            cblas_dscal((int)m, gamma, dir, 1);
        } else {
            double gn = sqrt(dotn(m, g, g));
            cblas_dscal((int)m, 1.0 / fmax(1.0, gn), dir, 1);
        }
        for (int h = hist - 1; h >= 0; h--) {
            int s = (head - 1 - h + M) % M;
            double beta = rho[s] * dotn(m, Y + s * m, dir);
            cblas_daxpy((int)m, alpha[s] - beta, S + s * m, 1, dir, 1);
        }
        double gd = dotn(m, g, dir);
        if (!(gd < 0)) { /* not a descent direction: restart from steepest descent */
            hist = 0;
            for (int64_t k = 0; k < m; k++)
                dir[k] = -g[k];
            gd = -dotn(m, g, g);
        }
        /* Backtracking line search (Armijo). */
        double step = 1.0;
        int ls = 0;
        for (; ls < 40; ls++) {
            for (int64_t k = 0; k < m; k++)
                w2[k] = w[k] + step * dir[k];
            AMLS_TRY(logreg_fg(comm, X, d, lambda, w2, fg2));
            if (fg2[0] <= fg[0] + 1e-4 * step * gd)
                break;
            step *= 0.5;
        }
        if (ls == 40)
            break; /* no progress possible in double precision */
        /* Update the history with s = w2 - w, y = g2 - g. */
        double *s = S + head * m, *yv = Y + head * m;
        for (int64_t k = 0; k < m; k++) {
            s[k] = w2[k] - w[k];
            yv[k] = fg2[1 + k] - fg[1 + k];
        }
        double sy = dotn(m, s, yv);
        if (sy > 1e-12) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % M;
            if (hist < M)
                hist++;
        }
        memcpy(w, w2, (size_t)m * sizeof *w);
        memcpy(fg, fg2, (size_t)(m + 1) * sizeof *fg);
    }
    info->iterations = it;
    info->objective = fg[0];
    {
        double gn = 0;
        for (int64_t k = 0; k < m; k++)
            gn = fmax(gn, fabs(fg[1 + k]));
        info->residual = gn;
    }
cleanup:
out:
    info->seconds = amls__now() - t0;
    amls__free(fg);
    amls__free(fg2);
    amls__free(dir);
    amls__free(w2);
    amls__free(S);
    amls__free(Y);
    return rc;
}

int amls_logreg_accuracy(MPI_Comm comm, const amls_rows *X, const double *w, int64_t d,
                         double *accuracy)
{
    int64_t loc[2] = {0, X->n_local}, glob[2] = {0, 0};
    for (int64_t i = 0; i < X->n_local; i++) {
        double z = w[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                z += X->val[j] * w[1 + X->idx[j]];
        loc[0] += (z > 0) == (X->y[i] > 0);
    }
    int mrc = MPI_Allreduce(loc, glob, 2, MPI_INT64_T, MPI_SUM, comm);
    *accuracy = glob[1] > 0 ? (double)glob[0] / (double)glob[1] : 0.0;
    return mrc == MPI_SUCCESS ? AMLS_OK : amls_error(AMLS_ERR_MPI, "MPI_Allreduce failed");
}
