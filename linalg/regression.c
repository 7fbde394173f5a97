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
#include "la_internal.h"

#include <cblas.h>
#include <float.h>
#include <math.h>

/* Global facts about the rows that bound the terms of every sum of a solve. */
typedef struct row_bounds {
    int64_t n;   /* rows */
    double xmax; /* max |x_ij| over the features used */
    double ymax; /* max |y_i| */
} row_bounds;

static int row_bounds_get(MPI_Comm comm, const amls_rows *X, int64_t d, row_bounds *b)
{
    int rc = AMLS_OK;
    double m[2] = {0, 0};
    int64_t n = X->n_local;
    for (int64_t i = 0; i < X->n_local; i++) {
        m[1] = fmax(m[1], fabs(X->y[i]));
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                m[0] = fmax(m[0], fabs(X->val[j]));
    }
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, comm));
    AMLS_TRY(amls__allreduce_i64(comm, &n, 1, MPI_SUM));
    *b = (row_bounds){.n = n, .xmax = m[0], .ymax = m[1]};
cleanup:
    return rc;
}

/* out = X~^T (X~ v) over all rows (m = d + 1 values); tmp[i] gets row i's X~ v (n_local
 * entries); acc is work space of 2m. Reproducible. Collective. */
static int normal_product(MPI_Comm comm, const amls_rows *X, int64_t d, const row_bounds *rb,
                          const double *v, double *tmp, double *acc, double *out)
{
    int rc = AMLS_OK;
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
    AMLS_TRY(amls__max_same(comm, &smax));
    amls__rsum p = amls__rsum_plan(smax * fmax(1.0, rb->xmax), rb->n);
    memset(acc, 0, 2 * (size_t)m * sizeof *acc);
    for (int64_t i = 0; i < X->n_local; i++) {
        amls__rsum_add(&p, tmp[i], &acc[0], &acc[m]);
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                amls__rsum_add(&p, X->val[j] * tmp[i], &acc[1 + X->idx[j]],
                               &acc[m + 1 + X->idx[j]]);
    }
    AMLS_TRY(amls__rsum_reduce(comm, acc, (int)m));
    memcpy(out, acc, (size_t)m * sizeof *out);
cleanup:
    return rc;
}

/* Sum of squares of e[0..n_local), reproducibly (e is overwritten). Collective. */
static int sum_squares(MPI_Comm comm, const row_bounds *rb, double *e, int64_t n, double *out)
{
    int rc = AMLS_OK;
    double emax = 0, acc[2] = {0, 0};
    for (int64_t i = 0; i < n; i++) {
        e[i] *= e[i];
        emax = fmax(emax, e[i]);
    }
    AMLS_TRY(amls__max_same(comm, &emax));
    amls__rsum p = amls__rsum_plan(emax, rb->n);
    for (int64_t i = 0; i < n; i++)
        amls__rsum_add(&p, e[i], &acc[0], &acc[1]);
    AMLS_TRY(amls__rsum_reduce(comm, acc, 1));
    *out = acc[0];
cleanup:
    return rc;
}

static double dotn(int64_t n, const double *a, const double *b)
{
    return n > 0 ? cblas_ddot((int)n, a, 1, b, 1) : 0.0;
}

/* Work vectors of a ridge regression (m = features + 1 unknowns). */
typedef struct lr_work {
    double *rhs, *diag, *r, *z, *p, *ap, *tmp;
    double *acc; /* 2m accumulators of the reproducible sums */
    row_bounds rb;
} lr_work;

static int lr_alloc(const amls_rows *X, int64_t m, lr_work *w)
{
    w->rhs = amls__calloc((size_t)m, sizeof *w->rhs);
    w->diag = amls__calloc((size_t)m + 1, sizeof *w->diag);
    w->r = amls__calloc((size_t)m, sizeof *w->r);
    w->z = amls__calloc((size_t)m, sizeof *w->z);
    w->p = amls__calloc((size_t)m, sizeof *w->p);
    w->ap = amls__calloc((size_t)m, sizeof *w->ap);
    w->tmp = amls__calloc((size_t)X->n_local + 1, sizeof *w->tmp);
    w->acc = amls__calloc(2 * (size_t)m, sizeof *w->acc);
    return amls__alloc_status(w->rhs && w->diag && w->r && w->z && w->p && w->ap && w->tmp &&
                              w->acc);
}

static void lr_free(lr_work *w)
{
    amls__free(w->rhs);
    amls__free(w->diag);
    amls__free(w->r);
    amls__free(w->z);
    amls__free(w->p);
    amls__free(w->ap);
    amls__free(w->tmp);
    amls__free(w->acc);
}

/* rhs = X~^T y and diag = diag(X~^T X~) + lambda, reproducibly. Collective. */
static int normal_rhs(MPI_Comm comm, const amls_rows *X, int64_t m, double lambda, lr_work *w)
{
    int rc = AMLS_OK;
    const row_bounds *rb = &w->rb;
    double *acc = w->acc;
    for (int pass = 0; pass < 2; pass++) {
        double bound = pass == 0 ? rb->ymax * fmax(1.0, rb->xmax) : fmax(1.0, rb->xmax * rb->xmax);
        amls__rsum p = amls__rsum_plan(bound, rb->n);
        memset(acc, 0, 2 * (size_t)m * sizeof *acc);
        for (int64_t i = 0; i < X->n_local; i++) {
            amls__rsum_add(&p, pass == 0 ? X->y[i] : 1.0, &acc[0], &acc[m]);
            for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++) {
                if (X->idx[j] >= m - 1)
                    continue;
                double t = X->val[j] * (pass == 0 ? X->y[i] : X->val[j]);
                amls__rsum_add(&p, t, &acc[1 + X->idx[j]], &acc[m + 1 + X->idx[j]]);
            }
        }
        AMLS_TRY(amls__rsum_reduce(comm, acc, (int)m));
        memcpy(pass == 0 ? w->rhs : w->diag, acc, (size_t)m * sizeof *acc);
    }
    for (int64_t k = 1; k < m; k++)
        w->diag[k] += lambda;
    for (int64_t k = 0; k < m; k++)
        if (w->diag[k] <= 0)
            w->diag[k] = 1.0; /* a feature that never occurs: its coefficient stays 0 */
cleanup:
    return rc;
}

/* Jacobi-preconditioned CG on the normal equations from coef = 0. Collective. */
static int lr_cg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                 double *coef, lr_work *w, int64_t *it, double *bnorm, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t d = X->nfeat, m = d + 1;
    memset(coef, 0, (size_t)m * sizeof *coef);
    memcpy(w->r, w->rhs, (size_t)m * sizeof *w->r);
    for (int64_t k = 0; k < m; k++)
        w->z[k] = w->r[k] / w->diag[k];
    memcpy(w->p, w->z, (size_t)m * sizeof *w->p);
    double rz = dotn(m, w->r, w->z), rnorm = sqrt(dotn(m, w->rhs, w->rhs));
    *bnorm = rnorm;
    if (*bnorm > 0)
        amls__history_push(info, 1.0, NAN);
    for (*it = 0; *bnorm > 0 && rnorm > tol * *bnorm && *it < max_iter; (*it)++) {
        AMLS_TRY(normal_product(comm, X, d, &w->rb, w->p, w->tmp, w->acc, w->ap));
        for (int64_t k = 1; k < m; k++)
            w->ap[k] += lambda * w->p[k];
        double pap = dotn(m, w->p, w->ap);
        if (!(pap > 0))
            break; /* exact solution reached, or a singular direction (collinear features) */
        double alpha = rz / pap;
        cblas_daxpy((int)m, alpha, w->p, 1, coef, 1);
        cblas_daxpy((int)m, -alpha, w->ap, 1, w->r, 1);
        for (int64_t k = 0; k < m; k++)
            w->z[k] = w->r[k] / w->diag[k];
        double rz2 = dotn(m, w->r, w->z);
        rnorm = sqrt(dotn(m, w->r, w->r));
        amls__history_push(info, rnorm / *bnorm, NAN);
        for (int64_t k = 0; k < m; k++)
            w->p[k] = w->z[k] + rz2 / rz * w->p[k];
        rz = rz2;
    }
cleanup:
    return rc;
}

int amls_linreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *coef, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t d = X->nfeat, m = d + 1, it = 0;
    lr_work w = {0};
    double t0 = amls__now(), bnorm = 0, rr = 0;
    memset(info, 0, sizeof *info);
    AMLS_AGREE(comm, lr_alloc(X, m, &w));
    AMLS_TRY(row_bounds_get(comm, X, d, &w.rb));
    AMLS_TRY(normal_rhs(comm, X, m, lambda, &w));
    AMLS_TRY(lr_cg(comm, X, lambda, tol, max_iter, coef, &w, &it, &bnorm, info));
    /* True residual of the normal equations. */
    AMLS_TRY(normal_product(comm, X, d, &w.rb, coef, w.tmp, w.acc, w.ap));
    for (int64_t k = 0; k < m; k++) {
        double e = w.rhs[k] - w.ap[k] - (k > 0 ? lambda * coef[k] : 0.0);
        rr += e * e;
    }
    info->iterations = it;
    info->residual = bnorm > 0 ? sqrt(rr) / bnorm : 0.0;
    info->converged = info->residual <= tol;
    /* Training loss: residual sum of squares over the rows. */
    for (int64_t i = 0; i < X->n_local; i++)
        w.tmp[i] = X->y[i] - w.tmp[i];
    AMLS_TRY(sum_squares(comm, &w.rb, w.tmp, X->n_local, &info->objective));
cleanup:
    info->seconds = amls__now() - t0;
    lr_free(&w);
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
    int rc = AMLS_OK;
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
    AMLS_TRY(amls__max_same(comm, &lmax));
    amls__rsum pl = amls__rsum_plan(lmax, ws->rb.n);
    for (int64_t i = 0; i < X->n_local; i++)
        amls__rsum_add(&pl, ws->loss[i], &acc[0], &acc[m1]);
    AMLS_TRY(amls__rsum_reduce(comm, acc, (int)m1));
    double inv = 1.0 / (double)(ws->rb.n > 0 ? ws->rb.n : 1);
    for (int64_t k = 0; k <= m; k++)
        fg[k] = acc[k] * inv;
    for (int64_t k = 1; k < m; k++) {
        fg[0] += 0.5 * lambda * w[k] * w[k];
        fg[1 + k] += lambda * w[k];
    }
cleanup:
    return rc;
}

/* L-BFGS state: the last M pairs (s, y) in a ring, with rho = 1 / (s.y). */
enum { M = 10 };
typedef struct lbfgs {
    int64_t m;
    double *S, *Y, rho[M], alpha[M];
    int hist, head;
} lbfgs;

/* dir = -H g by the two-loop recursion; steepest descent when that is not a descent
 * direction. Returns g.dir. Local. */
static double direction(lbfgs *l, const double *g, double *dir)
{
    int64_t m = l->m;
    for (int64_t k = 0; k < m; k++)
        dir[k] = -g[k];
    for (int h = 0; h < l->hist; h++) {
        int s = (l->head - 1 - h + M) % M;
        l->alpha[s] = l->rho[s] * dotn(m, l->S + s * m, dir);
        cblas_daxpy((int)m, -l->alpha[s], l->Y + s * m, 1, dir, 1);
    }
    int last = (l->head - 1 + M) % M;
    double scale = l->hist > 0 ? dotn(m, l->S + last * m, l->Y + last * m) /
                                     dotn(m, l->Y + last * m, l->Y + last * m)
                               : 1.0 / fmax(1.0, sqrt(dotn(m, g, g)));
    cblas_dscal((int)m, scale, dir, 1);
    for (int h = l->hist - 1; h >= 0; h--) {
        int s = (l->head - 1 - h + M) % M;
        double beta = l->rho[s] * dotn(m, l->Y + s * m, dir);
        cblas_daxpy((int)m, l->alpha[s] - beta, l->S + s * m, 1, dir, 1);
    }
    double gd = dotn(m, g, dir);
    if (!(gd < 0)) { /* not a descent direction: restart from steepest descent */
        l->hist = 0;
        for (int64_t k = 0; k < m; k++)
            dir[k] = -g[k];
        gd = -dotn(m, g, g);
    }
    return gd;
}

/* Remembers s = w2 - w and y = g2 - g when the curvature s.y is positive. */
static void remember(lbfgs *l, const double *w, const double *w2, const double *fg,
                     const double *fg2)
{
    double *s = l->S + l->head * l->m, *yv = l->Y + l->head * l->m;
    for (int64_t k = 0; k < l->m; k++) {
        s[k] = w2[k] - w[k];
        yv[k] = fg2[1 + k] - fg[1 + k];
    }
    double sy = dotn(l->m, s, yv);
    if (sy > 1e-12) {
        l->rho[l->head] = 1.0 / sy;
        l->head = (l->head + 1) % M;
        if (l->hist < M)
            l->hist++;
    }
}

/* The largest gradient component. */
static double grad_max(const double *fg, int64_t m)
{
    double gmax = 0;
    for (int64_t k = 0; k < m; k++)
        gmax = fmax(gmax, fabs(fg[1 + k]));
    return gmax;
}

/* Backtracking line search (Armijo) from w along dir: w2 and fg2 at the accepted step;
 * *found is false when no step makes progress: f decreases strictly, or stays equal in double
 * precision while the gradient shrinks (accepting an equal f and gradient would repeat the same
 * iterate until the iteration limit).
 * f comes from a reduction with the same bits on every rank, so every rank decides alike. */
static int line_search(MPI_Comm comm, const amls_rows *X, double lambda, logreg_ws *ws,
                       const double *w, const double *fg, const double *dir, double gd, double *w2,
                       double *fg2, bool *found)
{
    int rc = AMLS_OK;
    int64_t m = X->nfeat + 1;
    double step = 1.0;
    *found = false;
    for (int ls = 0; ls < 40 && !*found; ls++, step *= 0.5) {
        for (int64_t k = 0; k < m; k++)
            w2[k] = w[k] + step * dir[k];
        AMLS_TRY(logreg_fg(comm, X, X->nfeat, lambda, w2, ws, fg2));
        /* Below what f can resolve (a few ulps), f is noise: the gradient decides. */
        double flat = 8 * DBL_EPSILON * fabs(fg[0]);
        if (-step * gd <= flat)
            *found = fg2[0] <= fg[0] + flat && grad_max(fg2, m) < grad_max(fg, m);
        else
            *found = fg2[0] <= fg[0] + 1e-4 * step * gd && fg2[0] < fg[0];
    }
cleanup:
    return rc;
}

int amls_logreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *w, amls_solve_info *info)
{
    int rc = AMLS_OK;
    int64_t m = X->nfeat + 1, it = 0;
    double t0 = amls__now();
    double *fg = amls__calloc((size_t)m + 1, sizeof *fg);
    double *fg2 = amls__calloc((size_t)m + 1, sizeof *fg2);
    double *dir = amls__calloc((size_t)m, sizeof *dir), *w2 = amls__calloc((size_t)m, sizeof *w2);
    lbfgs l = {.m = m,
               .S = amls__calloc((size_t)(M * m), sizeof(double)),
               .Y = amls__calloc((size_t)(M * m), sizeof(double))};
    logreg_ws ws = {.acc = amls__calloc(2 * (size_t)m + 2, sizeof(double)),
                    .loss = amls__calloc((size_t)X->n_local + 1, sizeof(double))};
    memset(info, 0, sizeof *info);
    AMLS_AGREE(comm, amls__alloc_status(fg && fg2 && dir && w2 && l.S && l.Y && ws.acc && ws.loss));
    AMLS_TRY(row_bounds_get(comm, X, X->nfeat, &ws.rb));
    memset(w, 0, (size_t)m * sizeof *w);
    AMLS_TRY(logreg_fg(comm, X, X->nfeat, lambda, w, &ws, fg));
    info->stop_reason = "iteration limit reached";
    for (; it < max_iter; it++) {
        bool found = false;
        amls__history_push(info, grad_max(fg, m), fg[0]);
        if (grad_max(fg, m) <= tol)
            break;
        double gd = direction(&l, fg + 1, dir);
        AMLS_TRY(line_search(comm, X, lambda, &ws, w, fg, dir, gd, w2, fg2, &found));
        if (!found) {
            info->stop_reason =
                "no step decreases the objective or the gradient (double precision limit)";
            break;
        }
        remember(&l, w, w2, fg, fg2);
        memcpy(w, w2, (size_t)m * sizeof *w);
        memcpy(fg, fg2, (size_t)(m + 1) * sizeof *fg);
    }
    if (info->nhistory <= it) /* the iterate the last step reached */
        amls__history_push(info, grad_max(fg, m), fg[0]);
    /* The test is on the final iterate, whatever ended the loop. */
    info->iterations = it;
    info->objective = fg[0];
    info->residual = grad_max(fg, m);
    info->converged = info->residual <= tol;
    if (info->converged)
        info->stop_reason = "gradient below the tolerance";
cleanup:
    info->seconds = amls__now() - t0;
    amls__free(fg);
    amls__free(fg2);
    amls__free(dir);
    amls__free(w2);
    amls__free(l.S);
    amls__free(l.Y);
    amls__free(ws.acc);
    amls__free(ws.loss);
    return rc;
}

int amls_logreg_accuracy(MPI_Comm comm, const amls_rows *X, const double *w, int64_t d,
                         double *accuracy)
{
    int64_t loc[2] = {0, X->n_local};
    for (int64_t i = 0; i < X->n_local; i++) {
        double z = w[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                z += X->val[j] * w[1 + X->idx[j]];
        loc[0] += (z > 0) == (X->y[i] > 0);
    }
    int rc = amls__allreduce_i64(comm, loc, 2, MPI_SUM);
    *accuracy = loc[1] > 0 ? (double)loc[0] / (double)loc[1] : 0.0;
    return rc;
}
