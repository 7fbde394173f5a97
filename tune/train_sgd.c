/* ---------------------------------------------------------------------------------------------
 * tune/train_sgd.c — the SGD trainers over LIBSVM rows: logistic regression, least squares and
 * the linear SVM (hinge loss) by mini-batch SGD (amls/sgd.h), with the epoch as budget unit.
 * SPDX-License-Identifier: MIT
 *
 * Under task parallelism a group fits a configuration by synchronous data-parallel SGD
 * (amls_sgd_sync): every rank of the group works on its share of each global batch and the
 * batch gradient is a reproducible sum, so a fit gives the same bits whatever the group's size
 * and the search's results do not depend on the number of groups. (The parameter server's BSP
 * would make a fit depend on its number of workers, and needs two ranks at least.) A fit is a
 * pure function of (configuration, fold, epochs), and training e1 epochs then e2 - e1 more
 * equals training e2: the model is the whole state, so Hyperband continues a promoted
 * configuration from its previous rung instead of starting again.
 *
 * Under model hopper parallelism each rank keeps its rows; a model's sub-epoch on a rank is
 * local SGD over that rank's rows outside the model's fold (amls_sgd_sub_epoch).
 *
 * A configuration whose SGD diverges (the loss or gradient stops being finite) is not an error
 * of the search: its model becomes NaN and its score NaN, which ranks last.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <math.h>

enum { P_LR = 0, P_LAMBDA = 1, P_BATCH = 2, P_DECAY = 3 };

static const amls_tune_param sgd_params[] = {
    {"lr", AMLS_TUNE_REAL, 0.1, 0, INFINITY, true, "learning rate eta"},
    {"lambda", AMLS_TUNE_REAL, 1e-4, 0, INFINITY, false, "L2 penalty (lambda/2) ||w||^2"},
    {"batch", AMLS_TUNE_INT, 64, 1, 1e7, false, "rows per mini-batch"},
    {"decay", AMLS_TUNE_REAL, 1, 0, 1, true, "learning rate eta * decay^epoch"},
};

static amls_sgd_hparams hparams(amls_sgd_model kind, const double *hp, uint64_t seed)
{
    amls_sgd_hparams h;
    amls_sgd_hparams_default(&h);
    h.model = kind;
    h.lr = hp[P_LR];
    h.lambda = hp[P_LAMBDA];
    h.batch = (int64_t)hp[P_BATCH];
    h.lr_decay = hp[P_DECAY];
    h.schedule = hp[P_DECAY] < 1 ? AMLS_LR_DECAY : AMLS_LR_CONSTANT;
    h.seed = seed;
    return h;
}

static int svm_load(MPI_Comm world, const char *train, const char *test, const char *part,
                    void **out)
{
    (void)part;
    return amls__rows_load(world, train, test, AMLS_SGD_SVM, out);
}

static int64_t state_len(const void *data)
{
    return ((const amls__rows_data *)data)->X.nfeat + 1;
}

/* Roles of the rows for a fit that holds `fold` out (fold < 0: none). Local. */
static int fold_roles(const amls__rows_gdata *g, int fold, uint8_t **role)
{
    int64_t n = g->rows->n_local;
    *role = NULL;
    if (fold < 0)
        return AMLS_OK;
    *role = amls__malloc((size_t)n + 1, 1);
    if (*role == NULL)
        return amls__alloc_status(false);
    for (int64_t i = 0; i < n; i++)
        (*role)[i] = g->fold[i] == fold ? AMLS_ROW_TEST : AMLS_ROW_TRAIN;
    return AMLS_OK;
}

/* A divergence is an outcome: the model becomes NaN. */
static int diverged(int rc, double *w, int64_t m)
{
    if (rc != AMLS_ERR_NUMERIC)
        return rc;
    amls_clear_error();
    for (int64_t q = 0; q < m; q++)
        w[q] = NAN;
    return AMLS_OK;
}

static int sgd_evaluate(void *gdata, const double *hp, int64_t budget, int fold, amls_metric m,
                        double *state, int64_t done, amls_tune_fit *out)
{
    int rc = AMLS_OK;
    amls__rows_gdata *g = gdata;
    int64_t d = g->rows->nfeat;
    uint8_t *role = NULL;
    double t0 = amls__now();
    amls_sgd_hparams h = hparams(g->kind, hp, g->seed);
    AMLS_AGREE(g->comm, fold_roles(g, fold, &role));
    if (!isnan(state[0]))
        AMLS_TRY(diverged(amls_sgd_sync(g->comm, &h, g->rows, role, d, done, budget, state), state,
                          d + 1));
    out->score = NAN;
    if (!isnan(state[0]))
        AMLS_TRY(amls__rows_score(g->comm, g->rows, g->fold, fold, state, d, m, &out->score));
    out->budget_used = budget - done;
    out->objective = NAN;
    out->converged = true;
    out->seconds = amls__now() - t0;
cleanup:
    amls__free(role);
    return rc;
}

static int sgd_refit(MPI_Comm world, void *data, const double *hp, int64_t budget, uint64_t seed,
                     amls_metric m, void **model, amls_tune_fit *out)
{
    int rc = AMLS_OK;
    amls__rows_data *d = data;
    amls__rows_model *r = NULL;
    amls_sgd_hparams h = hparams(d->kind, hp, seed);
    amls_sgd_metrics train = {0};
    double t0 = amls__now(), reg = 0;
    *model = NULL;
    AMLS_TRY(amls__rows_model_new(world, d->X.nfeat + 1, &r));
    AMLS_TRY(amls_sgd_sync(world, &h, &d->X, NULL, d->X.nfeat, 0, budget, r->coef));
    AMLS_TRY(amls__rows_score(world, d->has_test ? &d->T : &d->X, NULL, 0, r->coef, d->X.nfeat, m,
                              &out->score));
    AMLS_TRY(amls_sgd_evaluate(world, d->kind, r->coef, d->X.nfeat, &d->X, NULL, AMLS_ROW_TRAIN,
                               &train));
    for (int64_t q = 1; q < r->m; q++)
        reg += r->coef[q] * r->coef[q];
    out->objective = train.loss + 0.5 * h.lambda * reg;
    out->budget_used = budget;
    out->converged = true;
    out->seconds = amls__now() - t0;
    *model = r;
    r = NULL;
cleanup:
    amls__rows_free_model(r);
    return rc;
}

/* This rank's rows as its partition, with their folds and global row numbers. */
static int sgd_mop_data(MPI_Comm world, const void *data, uint64_t seed, int k, void **out,
                        int64_t *counts)
{
    int rc = AMLS_OK;
    const amls__rows_data *d = data;
    amls__rows_gdata *g = amls__calloc(1, sizeof *g);
    int64_t first = 0, n = d->X.n_local;
    *out = NULL;
    if (g) {
        g->fold = amls__malloc((size_t)n + 1, 1);
        g->gi = amls__malloc((size_t)n + 1, sizeof *g->gi);
    }
    AMLS_AGREE(world, amls__alloc_status(g && g->fold && g->gi));
    AMLS_TRY(amls__exscan_i64(world, n, &first));
    g->comm = world;
    g->rows = &d->X;
    g->kind = d->kind;
    g->seed = seed;
    g->n = d->X.n_global;
    memset(counts, 0, (size_t)k * sizeof *counts);
    for (int64_t i = 0; i < n; i++) {
        g->gi[i] = first + i;
        g->fold[i] = (uint8_t)amls_tune_fold(seed, k, first + i);
        counts[g->fold[i]]++;
    }
    AMLS_TRY(amls__allreduce_i64(world, counts, k, MPI_SUM));
    *out = g;
    g = NULL;
cleanup:
    amls__rows_free_gdata(g);
    return rc;
}

static int sgd_sub_epoch(void *pdata, const double *hp, int fold, int64_t epoch, double *state)
{
    int rc = AMLS_OK;
    amls__rows_gdata *g = pdata;
    int64_t d = g->rows->nfeat;
    uint8_t *role = NULL;
    amls_sgd_hparams h = hparams(g->kind, hp, g->seed);
    if (isnan(state[0]))
        return AMLS_OK;
    AMLS_TRY(fold_roles(g, fold, &role));
    AMLS_TRY(diverged(amls_sgd_sub_epoch(&h, epoch, g->rows, role, g->gi, g->n, d, state), state,
                      d + 1));
cleanup:
    amls__free(role);
    return rc;
}

static int sgd_mop_score(void *pdata, const double *hp, int fold, amls_metric m,
                         const double *state, amls_tune_fit *out)
{
    amls__rows_gdata *g = pdata;
    (void)hp;
    out->score = NAN;
    out->objective = NAN;
    out->converged = true;
    if (isnan(state[0]))
        return AMLS_OK;
    return amls__rows_score(g->comm, g->rows, g->fold, fold, state, g->rows->nfeat, m, &out->score);
}

#define SGD_TRAINER(name_, load_, metrics_, metric_)                                               \
    {                                                                                              \
        .model = name_, .solver = "mini-batch SGD", .solver_key = "sgd", .budget_unit = "epochs",  \
        .default_budget = 10, .params = sgd_params, .nparams = 4, .metrics = metrics_,             \
        .default_metric = metric_, .load = load_, .rows = amls__rows_count,                        \
        .write_folds = amls__rows_write_folds, .group_data = amls__rows_group,                     \
        .evaluate = sgd_evaluate, .refit = sgd_refit, .write_model = amls__rows_write_model,       \
        .free_gdata = amls__rows_free_gdata, .free_model = amls__rows_free_model,                  \
        .free_data = amls__rows_free_data, .state_len = state_len, .mop_data = sgd_mop_data,       \
        .sub_epoch = sgd_sub_epoch, .mop_score = sgd_mop_score,                                    \
    }

const amls_trainer amls__trainer_logreg_sgd =
    SGD_TRAINER("logreg", amls__rows_load_logreg,
                1u << AMLS_METRIC_ACCURACY | 1u << AMLS_METRIC_LOGLOSS, AMLS_METRIC_ACCURACY);
const amls_trainer amls__trainer_linreg_sgd =
    SGD_TRAINER("linreg", amls__rows_load_linreg, 1u << AMLS_METRIC_RMSE, AMLS_METRIC_RMSE);
const amls_trainer amls__trainer_svm =
    SGD_TRAINER("svm", svm_load, 1u << AMLS_METRIC_ACCURACY, AMLS_METRIC_ACCURACY);
