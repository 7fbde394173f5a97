/* ---------------------------------------------------------------------------------------------
 * linalg/regression.c — ridge regression by CG on the normal equations, and L2-regularised
 * logistic regression by L-BFGS (Nocedal 1980; Liu and Nocedal 1989), rows distributed over
 * ranks.
 * SPDX-License-Identifier: MIT
 *
 * The design matrix is X~ = [1 | X]: coefficient 0 is the intercept and is not penalised. The
 * unknowns (nfeat + 1 values) are replicated on every rank; each rank applies its own rows and
 * one reduction per product sums the contributions. Every sum over rows is a reproducible sum
 * (linalg/rsum.c): its bits do not depend on the number of ranks or on which rank holds which
 * row, so all ranks hold identical iterates and stop together, and a fit gives the same
 * coefficients at every rank count (model selection relies on it: a configuration scores the
 * same whichever group of ranks trains it).
 * ------------------------------------------------------------------------------------------- */
#include "linalg/la_internal.h"

#include <cblas.h>
#include <math.h>

/* Global facts about the rows that bound the terms of every sum of a solve. */
typedef struct row_bounds {
    int64_t n;   /* rows */
    double xmax; /* max |x_ij| over the features used */
    double ymax; /* max |y_i| */
} row_bounds;

static int row_bounds_get(MPI_Comm comm, const amls_rows *X, int64_t d, row_bounds *b)
{
    double m[2] = {0, 0};
    for (int64_t i = 0; i < X->n_local; i++) {
        m[1] = fmax(m[1], fabs(X->y[i]));
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                m[0] = fmax(m[0], fabs(X->val[j]));
    }
    int64_t n = X->n_local;
    if (MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, comm) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, &n, 1, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS)
        return amls_error(AMLS_ERR_MPI, "MPI_Allreduce failed");
    *b = (row_bounds){.n = n, .xmax = m[0], .ymax = m[1]};
    return AMLS_OK;
}

/* out = X~^T (X~ v) over all rows (m = d + 1 values); tmp[i] gets row i's X~ v (n_local
 * entries); acc is work space of 2m. Reproducible. Collective. */
static int normal_product(MPI_Comm comm, const amls_rows *X, int64_t d, const row_bounds *rb,
                          const double *v, double *tmp, double *acc, double *out)
{
    int64_t m = d + 1;
    double smax = 0;
    for (int64_t i = 0; i < X->n_local; i++) {
        double s = v[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                s += X->val[j] * v[1 + X->idx[j]];
        tmp[i] = s;
        smax = fmax(smax, fabs(s));
    }
    int rc = amls__max_same(comm, &smax);
    if (rc < 0)
        return rc;
    amls__rsum p = amls__rsum_plan(smax * fmax(1.0, rb->xmax), rb->n);
    memset(acc, 0, 2 * (size_t)m * sizeof *acc);
    for (int64_t i = 0; i < X->n_local; i++) {
        amls__rsum_add(&p, tmp[i], &acc[0], &acc[m]);
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                amls__rsum_add(&p, X->val[j] * tmp[i], &acc[1 + X->idx[j]],
                               &acc[m + 1 + X->idx[j]]);
    }
    rc = amls__rsum_reduce(comm, acc, (int)m);
    memcpy(out, acc, (size_t)m * sizeof *out);
    return rc;
}

/* rhs = X~^T y and diag = diag(X~^T X~), reproducibly. acc: work space of 2m. Collective. */
static int rhs_and_diag(MPI_Comm comm, const amls_rows *X, int64_t d, const row_bounds *rb,
                        double *acc, double *rhs, double *diag)
{
    int64_t m = d + 1;
    for (int pass = 0; pass < 2; pass++) {
        double bound = pass == 0 ? rb->ymax * fmax(1.0, rb->xmax) : fmax(1.0, rb->xmax * rb->xmax);
        amls__rsum p = amls__rsum_plan(bound, rb->n);
        memset(acc, 0, 2 * (size_t)m * sizeof *acc);
        for (int64_t i = 0; i < X->n_local; i++) {
            amls__rsum_add(&p, pass == 0 ? X->y[i] : 1.0, &acc[0], &acc[m]);
            for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++) {
                if (X->idx[j] >= d)
                    continue;
                double t = X->val[j] * (pass == 0 ? X->y[i] : X->val[j]);
                amls__rsum_add(&p, t, &acc[1 + X->idx[j]], &acc[m + 1 + X->idx[j]]);
            }
        }
        int rc = amls__rsum_reduce(comm, acc, (int)m);
        if (rc < 0)
            return rc;
        memcpy(pass == 0 ? rhs : diag, acc, (size_t)m * sizeof *acc);
    }
    return AMLS_OK;
}

/* Sum of squares of e[0..n_local), reproducibly (e is overwritten). Collective. */
static int sum_squares(MPI_Comm comm, const row_bounds *rb, double *e, int64_t n, double *out)
{
    double emax = 0, acc[2] = {0, 0};
    for (int64_t i = 0; i < n; i++) {
        e[i] *= e[i];
        emax = fmax(emax, e[i]);
    }
    int rc = amls__max_same(comm, &emax);
    amls__rsum p = amls__rsum_plan(emax, rb->n);
    for (int64_t i = 0; i < n; i++)
        amls__rsum_add(&p, e[i], &acc[0], &acc[1]);
    if (rc == AMLS_OK)
        rc = amls__rsum_reduce(comm, acc, 1);
    *out = acc[0];
    return rc;
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
    double *acc = NULL;
    row_bounds rb;
    double t0 = amls__now();
    memset(info, 0, sizeof *info);
    rhs = amls__calloc((size_t)m, sizeof *rhs);
    diag = amls__calloc((size_t)m + 1, sizeof *diag);
    r = amls__calloc((size_t)m, sizeof *r);
    z = amls__calloc((size_t)m, sizeof *z);
    p = amls__calloc((size_t)m, sizeof *p);
    ap = amls__calloc((size_t)m, sizeof *ap);
    tmp = amls__calloc((size_t)X->n_local + 1, sizeof *tmp);
    acc = amls__calloc(2 * (size_t)m, sizeof *acc);
    rc = (rhs && diag && r && z && p && ap && tmp && acc)
             ? AMLS_OK
             : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = row_bounds_get(comm, X, d, &rb);
    if (rc == AMLS_OK) /* rhs = X~^T y; diag = diag(X~^T X~) */
        rc = rhs_and_diag(comm, X, d, &rb, acc, rhs, diag);
    if (rc < 0)
        goto out;
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
        rc = normal_product(comm, X, d, &rb, p, tmp, acc, ap);
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
    rc = normal_product(comm, X, d, &rb, coef, tmp, acc, ap);
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
    for (int64_t i = 0; i < X->n_local; i++)
        tmp[i] = X->y[i] - tmp[i];
    rc = sum_squares(comm, &rb, tmp, X->n_local, &info->objective);
out:
    info->seconds = amls__now() - t0;
    amls__free(rhs);
    amls__free(diag);
    amls__free(r);
    amls__free(z);
    amls__free(p);
    amls__free(ap);
    amls__free(tmp);
    amls__free(acc);
    return rc;
}

/* ---- logistic regression ----------------------------------------------------------------------
 */

static double log1pexp(double t) /* log(1 + e^t), stable */
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* Work space of a logistic-regression solve. */
typedef struct logreg_ws {
    row_bounds rb;
    double *acc;  /* 2 (m + 1) accumulators */
    double *loss; /* n_local */
} logreg_ws;

/* f and gradient at w: fg[0] = f, fg[1..m] = gradient. Reproducible. Collective. */
static int logreg_fg(MPI_Comm comm, const amls_rows *X, int64_t d, double lambda, const double *w,
                     logreg_ws *ws, double *fg)
{
    int64_t m = d + 1, m1 = m + 1;
    double *acc = ws->acc, lmax = 0;
    /* |d/dz log(1 + exp(-y z))| < 1, so the gradient terms are bounded by max |x_ij|. */
    amls__rsum pg = amls__rsum_plan(fmax(1.0, ws->rb.xmax), ws->rb.n);
    memset(acc, 0, 2 * (size_t)m1 * sizeof *acc);
    for (int64_t i = 0; i < X->n_local; i++) {
        double z = w[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                z += X->val[j] * w[1 + X->idx[j]];
        double y = X->y[i] > 0 ? 1.0 : -1.0;
        ws->loss[i] = log1pexp(-y * z);
        lmax = fmax(lmax, ws->loss[i]);
        double coeff = -y / (1.0 + exp(y * z)); /* d/dz log(1 + exp(-y z)) */
        amls__rsum_add(&pg, coeff, &acc[1], &acc[m1 + 1]);
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                amls__rsum_add(&pg, coeff * X->val[j], &acc[2 + X->idx[j]],
                               &acc[m1 + 2 + X->idx[j]]);
    }
    int rc = amls__max_same(comm, &lmax);
    if (rc < 0)
        return rc;
    amls__rsum pl = amls__rsum_plan(lmax, ws->rb.n);
    for (int64_t i = 0; i < X->n_local; i++)
        amls__rsum_add(&pl, ws->loss[i], &acc[0], &acc[m1]);
    rc = amls__rsum_reduce(comm, acc, (int)m1);
    if (rc < 0)
        return rc;
    double inv = 1.0 / (double)(ws->rb.n > 0 ? ws->rb.n : 1);
    for (int64_t k = 0; k <= m; k++)
        fg[k] = acc[k] * inv;
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
    logreg_ws ws = {0};
    double t0 = amls__now();
    memset(info, 0, sizeof *info);
    fg = amls__calloc((size_t)m + 1, sizeof *fg);
    fg2 = amls__calloc((size_t)m + 1, sizeof *fg2);
    dir = amls__calloc((size_t)m, sizeof *dir);
    w2 = amls__calloc((size_t)m, sizeof *w2);
    S = amls__calloc((size_t)(M * m), sizeof *S);
    Y = amls__calloc((size_t)(M * m), sizeof *Y);
    ws.acc = amls__calloc(2 * (size_t)m + 2, sizeof *ws.acc);
    ws.loss = amls__calloc((size_t)X->n_local + 1, sizeof *ws.loss);
    rc = (fg && fg2 && dir && w2 && S && Y && ws.acc && ws.loss)
             ? AMLS_OK
             : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = row_bounds_get(comm, X, d, &ws.rb);
    if (rc < 0)
        goto out;
    memset(w, 0, (size_t)m * sizeof *w);
    AMLS_TRY(logreg_fg(comm, X, d, lambda, w, &ws, fg));
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
            AMLS_TRY(logreg_fg(comm, X, d, lambda, w2, &ws, fg2));
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
    amls__free(ws.acc);
    amls__free(ws.loss);
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
