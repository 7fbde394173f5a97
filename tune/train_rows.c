/* ---------------------------------------------------------------------------------------------
 * tune/train_rows.c — the trainers over LIBSVM rows with full-batch solvers: logistic
 * regression by L-BFGS (amls_logreg) and ridge regression by CG on the normal equations
 * (amls_linreg); and what every row trainer shares (data, group copies, folds, scores, models).
 * SPDX-License-Identifier: MIT
 *
 * Both solvers are full-batch and data-parallel over the communicator they are given, so a
 * group fits a configuration with them unchanged: the training rows of a fold are cut from the
 * group's copy of the data (every row outside the fold), the solver runs with the budget as
 * its iteration limit, and the validation rows are scored with one reduction. The budget unit
 * is the solver's iteration: an L-BFGS iteration (one or more function evaluations in the line
 * search) or a CG iteration. A solver may converge before its budget; the iterations it used
 * are reported.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>

enum { P_LAMBDA = 0, P_TOL = 1 };

static const amls_tune_param logreg_params[] = {
    {"lambda", AMLS_TUNE_REAL, 1e-4, 0, INFINITY, false, "L2 penalty: (lambda/2) ||w||^2"},
    {"tol", AMLS_TUNE_REAL, 1e-6, 0, INFINITY, true, "stop when max |gradient| <= tol"},
};
static const amls_tune_param linreg_params[] = {
    {"lambda", AMLS_TUNE_REAL, 0, 0, INFINITY, false, "ridge penalty: lambda ||w||^2"},
    {"tol", AMLS_TUNE_REAL, 1e-10, 0, INFINITY, true, "stop when ||r|| <= tol ||b||"},
};

static double log1pexp(double t) /* log(1 + e^t), stable */
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

int amls__rows_score(MPI_Comm comm, const amls_rows *X, const uint8_t *fold, int f,
                     const double *coef, int64_t d, amls_metric m, double *score)
{
    int rc = AMLS_OK;
    double *term = amls__malloc((size_t)X->n_local + 1, sizeof *term), cnt[2] = {0, 0}, tmax = 0;
    double acc[2] = {0, 0};
    int64_t k = 0;
    AMLS_AGREE(comm, amls__alloc_status(term != NULL));
    for (int64_t i = 0; i < X->n_local; i++) {
        if (fold && fold[i] != f)
            continue;
        double z = coef[0];
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                z += X->val[j] * coef[1 + X->idx[j]];
        double y = X->y[i];
        cnt[0] += (z > 0) == (y > 0); /* integers: exact in any order */
        cnt[1] += 1;
        term[k] =
            m == AMLS_METRIC_LOGLOSS ? log1pexp(-(y > 0 ? 1.0 : -1.0) * z) : (y - z) * (y - z);
        tmax = fmax(tmax, term[k++]);
    }
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, cnt, 2, MPI_DOUBLE, MPI_SUM, comm));
    AMLS_TRY(amls__max_same(comm, &tmax));
    amls__rsum p = amls__rsum_plan(tmax, (int64_t)cnt[1]);
    for (int64_t i = 0; i < k; i++)
        amls__rsum_add(&p, term[i], &acc[0], &acc[1]);
    AMLS_TRY(amls__rsum_reduce(comm, acc, 1));
    double n = fmax(cnt[1], 1);
    *score = m == AMLS_METRIC_ACCURACY  ? cnt[0] / n
             : m == AMLS_METRIC_LOGLOSS ? acc[0] / n
                                        : sqrt(acc[0] / n);
cleanup:
    amls__free(term);
    return rc;
}

static int fit(MPI_Comm comm, amls_sgd_model kind, const amls_rows *X, const double *hp,
               int64_t budget, double *coef, amls_tune_fit *out)
{
    amls_solve_info info = {0};
    int rc = kind == AMLS_SGD_LOGREG
                 ? amls_logreg(comm, X, hp[P_LAMBDA], hp[P_TOL], budget, coef, &info)
                 : amls_linreg(comm, X, hp[P_LAMBDA], hp[P_TOL], budget, coef, &info);
    out->budget_used = info.iterations;
    out->objective = info.objective;
    out->converged = info.converged;
    out->seconds = info.seconds;
    amls_solve_info_free(&info); /* the convergence history is not needed here */
    return rc;
}

void amls__rows_free_data(void *data)
{
    amls__rows_data *d = data;
    if (d == NULL)
        return;
    amls_rows_free(&d->X);
    amls_rows_free(&d->T);
    amls__free(d);
}

int amls__rows_load(MPI_Comm world, const char *train, const char *test, amls_sgd_model kind,
                    void **out)
{
    int rc = AMLS_OK;
    amls__rows_data *d = amls__calloc(1, sizeof *d);
    *out = NULL;
    AMLS_AGREE(world, amls__alloc_status(d != NULL));
    d->kind = kind;
    AMLS_TRY(amls_rows_read(world, train, &d->X));
    if (test) {
        AMLS_TRY(amls_rows_read(world, test, &d->T));
        d->has_test = true;
    }
    *out = d;
    d = NULL;
cleanup:
    amls__rows_free_data(d);
    return rc;
}

int amls__rows_load_logreg(MPI_Comm world, const char *train, const char *test, const char *part,
                           void **out)
{
    (void)part;
    return amls__rows_load(world, train, test, AMLS_SGD_LOGREG, out);
}

int amls__rows_load_linreg(MPI_Comm world, const char *train, const char *test, const char *part,
                           void **out)
{
    (void)part;
    return amls__rows_load(world, train, test, AMLS_SGD_LINREG, out);
}

int64_t amls__rows_count(const void *data)
{
    return ((const amls__rows_data *)data)->X.n_global;
}

int amls__rows_write_folds(MPI_Comm world, const void *data, uint64_t seed, int k, const char *path)
{
    int rc = AMLS_OK;
    const amls_rows *X = &((const amls__rows_data *)data)->X;
    int64_t first = 0;
    size_t len = 0;
    char *buf = amls__malloc((size_t)X->n_local * 4 + 1, 1);
    AMLS_AGREE(world, amls__alloc_status(buf != NULL));
    AMLS_TRY(amls__exscan_i64(world, X->n_local, &first));
    for (int64_t i = 0; i < X->n_local; i++)
        len += (size_t)sprintf(buf + len, "%d\n", amls_tune_fold(seed, k, first + i));
    AMLS_TRY(amls_write_text(world, path, buf, len, false));
cleanup:
    amls__free(buf);
    return rc;
}

void amls__rows_free_gdata(void *gdata)
{
    amls__rows_gdata *g = gdata;
    if (g == NULL)
        return;
    amls_rows_free(&g->X);
    amls__free(g->fold);
    amls__free(g->gi);
    amls__free(g);
}

int amls__rows_group(MPI_Comm world, MPI_Comm group, int ngroups, const void *data, uint64_t seed,
                     int k, void **out, int64_t *counts)
{
    int rc = AMLS_OK;
    const amls__rows_data *d = data;
    amls__rows_gdata *g = amls__calloc(1, sizeof *g);
    amls__groups gr = {.world = world, .comm = group, .ngroups = ngroups};
    int64_t first = 0;
    *out = NULL;
    AMLS_AGREE(world, amls__alloc_status(g != NULL));
    AMLS_TRY(amls__comm_rank(world, &gr.rank, &gr.nranks));
    g->comm = group;
    g->kind = d->kind;
    g->seed = seed;
    g->n = d->X.n_global;
    AMLS_TRY(amls__rows_to_group(&gr, &d->X, &g->X, &first));
    g->rows = &g->X;
    g->fold = amls__malloc((size_t)g->X.n_local + 1, 1);
    AMLS_AGREE(world, amls__alloc_status(g->fold != NULL));
    memset(counts, 0, (size_t)k * sizeof *counts);
    for (int64_t i = 0; i < g->X.n_local; i++) {
        g->fold[i] = (uint8_t)amls_tune_fold(seed, k, first + i);
        counts[g->fold[i]]++;
    }
    AMLS_AGREE(world, amls__allreduce_i64(group, counts, k, MPI_SUM));
    *out = g;
    g = NULL;
cleanup:
    amls__rows_free_gdata(g);
    return rc;
}

static int rows_evaluate(void *gdata, const double *hp, int64_t budget, int fold, amls_metric m,
                         double *state, int64_t done, amls_tune_fit *out)
{
    int rc = AMLS_OK;
    amls__rows_gdata *g = gdata;
    amls_rows T = {0};
    double *coef = amls__calloc((size_t)g->X.nfeat + 2, sizeof *coef);
    (void)state;
    (void)done;
    AMLS_AGREE(g->comm, coef == NULL ? amls__alloc_status(false)
                                     : amls__rows_subset(&g->X, g->fold, fold, false, &T));
    AMLS_TRY(fit(g->comm, g->kind, &T, hp, budget, coef, out));
    AMLS_TRY(amls__rows_score(g->comm, &g->X, g->fold, fold, coef, g->X.nfeat, m, &out->score));
cleanup:
    amls_rows_free(&T);
    amls__free(coef);
    return rc;
}

void amls__rows_free_model(void *model)
{
    amls__rows_model *r = model;
    if (r == NULL)
        return;
    amls__free(r->coef);
    amls__free(r);
}

int amls__rows_model_new(MPI_Comm comm, int64_t m, amls__rows_model **out)
{
    int rc = AMLS_OK;
    amls__rows_model *r = amls__calloc(1, sizeof *r);
    if (r)
        r->coef = amls__calloc((size_t)m + 1, sizeof *r->coef);
    AMLS_AGREE(comm, amls__alloc_status(r && r->coef));
    r->m = m;
    *out = r;
    r = NULL;
cleanup:
    amls__rows_free_model(r);
    return rc;
}

static int rows_refit(MPI_Comm world, void *data, const double *hp, int64_t budget, uint64_t seed,
                      amls_metric m, void **model, amls_tune_fit *out)
{
    int rc = AMLS_OK;
    amls__rows_data *d = data;
    amls__rows_model *r = NULL;
    (void)seed;
    *model = NULL;
    AMLS_TRY(amls__rows_model_new(world, d->X.nfeat + 1, &r));
    AMLS_TRY(fit(world, d->kind, &d->X, hp, budget, r->coef, out));
    AMLS_TRY(amls__rows_score(world, d->has_test ? &d->T : &d->X, NULL, 0, r->coef, d->X.nfeat, m,
                              &out->score));
    *model = r;
    r = NULL;
cleanup:
    amls__rows_free_model(r);
    return rc;
}

int amls__rows_write_model(MPI_Comm world, const void *data, const void *model, amls_h5file *f)
{
    int rc = AMLS_OK, rank = 0;
    const amls__rows_model *r = model;
    int64_t features = r->m - 1;
    const amls_h5_attr attrs[] = {AMLS_H5_ATTR_I64("features", &features)};
    (void)data;
    AMLS_TRY(amls__comm_rank(world, &rank, NULL));
    AMLS_AGREE(world, amls_h5file_put_attrs(f, attrs, 1));
    AMLS_TRY(amls_h5file_write(f, "/coef", AMLS_H5_F64, r->m, 0, rank == 0 ? r->m : 0, r->coef));
cleanup:
    return rc;
}

const amls_trainer amls__trainer_logreg = {
    .model = "logreg",
    .solver = "L-BFGS (full batch)",
    .solver_key = "lbfgs",
    .budget_unit = "iterations",
    .default_budget = 500,
    .params = logreg_params,
    .nparams = 2,
    .metrics = 1u << AMLS_METRIC_ACCURACY | 1u << AMLS_METRIC_LOGLOSS,
    .default_metric = AMLS_METRIC_ACCURACY,
    .load = amls__rows_load_logreg,
    .rows = amls__rows_count,
    .write_folds = amls__rows_write_folds,
    .group_data = amls__rows_group,
    .evaluate = rows_evaluate,
    .refit = rows_refit,
    .write_model = amls__rows_write_model,
    .free_gdata = amls__rows_free_gdata,
    .free_model = amls__rows_free_model,
    .free_data = amls__rows_free_data,
};

const amls_trainer amls__trainer_linreg = {
    .model = "linreg",
    .solver = "CG on the normal equations",
    .solver_key = "cg",
    .budget_unit = "iterations",
    .default_budget = 1000,
    .params = linreg_params,
    .nparams = 2,
    .metrics = 1u << AMLS_METRIC_RMSE,
    .default_metric = AMLS_METRIC_RMSE,
    .load = amls__rows_load_linreg,
    .rows = amls__rows_count,
    .write_folds = amls__rows_write_folds,
    .group_data = amls__rows_group,
    .evaluate = rows_evaluate,
    .refit = rows_refit,
    .write_model = amls__rows_write_model,
    .free_gdata = amls__rows_free_gdata,
    .free_model = amls__rows_free_model,
    .free_data = amls__rows_free_data,
};
