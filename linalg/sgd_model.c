/* ---------------------------------------------------------------------------------------------
 * linalg/sgd_model.c — the SGD kernel of the sparse linear models: losses and their
 * derivatives, sparse batch gradients, the learning-rate schedule, one epoch of local SGD and
 * the evaluation of a model on distributed rows.
 * SPDX-License-Identifier: MIT
 *
 * A batch gradient touches only the parameters of the features its rows contain (plus the
 * intercept): the worker sends exactly those keys and values to the servers. Sums run in row
 * order into a dense accumulator that is zero between uses, so that the serial reference, which
 * adds the same numbers in the same order, gets the same bits.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

void amls_sgd_hparams_default(amls_sgd_hparams *hp)
{
    memset(hp, 0, sizeof *hp);
    hp->model = AMLS_SGD_LOGREG;
    hp->optimizer = AMLS_SGD_PLAIN;
    hp->schedule = AMLS_LR_CONSTANT;
    hp->lr = 0.1;
    hp->lr_decay = 1.0;
    hp->lambda = 0.0;
    hp->batch = 64;
    hp->seed = 1;
}

double amls_sgd_lr(const amls_sgd_hparams *hp, int64_t epoch)
{
    switch (hp->schedule) {
    case AMLS_LR_INVSQRT:
        return hp->lr / sqrt(1.0 + (double)epoch);
    case AMLS_LR_DECAY:
        return hp->lr * pow(hp->lr_decay, (double)epoch);
    default:
        return hp->lr;
    }
}

static double log1pexp(double t) /* log(1 + e^t) without overflow */
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

double amls__sgd_loss(amls_sgd_model model, double y, double z, double *dz)
{
    double s = y > 0 ? 1.0 : -1.0;
    switch (model) {
    case AMLS_SGD_LINREG:
        *dz = z - y;
        return 0.5 * (z - y) * (z - y);
    case AMLS_SGD_SVM:
        *dz = s * z < 1.0 ? -s : 0.0;
        return s * z < 1.0 ? 1.0 - s * z : 0.0;
    default:
        *dz = -s / (1.0 + exp(s * z));
        return log1pexp(-s * z);
    }
}

double amls__sgd_score(const double *w, const amls_rows *X, int64_t r, int64_t nfeat)
{
    double z = w[0];
    for (int64_t j = X->ptr[r]; j < X->ptr[r + 1]; j++)
        if (X->idx[j] < nfeat)
            z += X->val[j] * w[1 + X->idx[j]];
    return z;
}

int amls__sgd_ws_init(amls__sgd_ws *ws, int64_t m)
{
    ws->m = m;
    ws->acc = amls__calloc((size_t)m, sizeof *ws->acc);
    amls__vec_init(&ws->keys, sizeof(int64_t));
    amls__vec_init(&ws->vals, sizeof(double));
    return ws->acc ? AMLS_OK
                   : amls_error(AMLS_ERR_NOMEM, "out of memory (model of %lld)", (long long)m);
}

void amls__sgd_ws_free(amls__sgd_ws *ws)
{
    amls__free(ws->acc);
    ws->acc = NULL;
    amls__vec_free(&ws->keys);
    amls__vec_free(&ws->vals);
}

int amls__sgd_batch_keys(amls__sgd_ws *ws, const amls_rows *X, const int64_t *rows, int64_t n)
{
    int rc = AMLS_OK;
    ws->keys.len = 0;
    AMLS_TRY(amls__vec_push_i64(&ws->keys, 0));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = X->ptr[rows[i]]; j < X->ptr[rows[i] + 1]; j++)
            AMLS_TRY(amls__vec_push_i64(&ws->keys, 1 + (int64_t)X->idx[j]));
    size_t nk = 0;
    AMLS_TRY(amls__sort_unique_i64(ws->keys.data, ws->keys.len, &nk));
    ws->keys.len = nk;
    AMLS_CHECK(((int64_t *)ws->keys.data)[nk - 1] < ws->m, AMLS_ERR_RANGE,
               "a row has feature %lld, beyond the model's %lld features",
               (long long)((int64_t *)ws->keys.data)[nk - 1], (long long)(ws->m - 1));
    AMLS_TRY(amls__vec_reserve(&ws->vals, nk));
    ws->vals.len = nk;
cleanup:
    return rc;
}

int amls__sgd_batch_grad(amls__sgd_ws *ws, amls_sgd_model model, const amls_rows *X,
                         const int64_t *rows, int64_t n, const double *w, double *loss)
{
    double *acc = ws->acc, sum = 0;
    int64_t d = ws->m - 1;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = rows[i];
        double z = amls__sgd_score(w, X, r, d), dz = 0;
        sum += amls__sgd_loss(model, X->y[r], z, &dz);
        acc[0] += dz;
        for (int64_t j = X->ptr[r]; j < X->ptr[r + 1]; j++)
            acc[1 + X->idx[j]] += dz * X->val[j];
    }
    const int64_t *keys = ws->keys.data;
    double *vals = ws->vals.data;
    bool finite = isfinite(sum);
    for (size_t i = 0; i < ws->keys.len; i++) {
        vals[i] = acc[keys[i]];
        acc[keys[i]] = 0.0;
        finite = finite && isfinite(vals[i]);
    }
    *loss += sum;
    if (!finite)
        return amls_error(AMLS_ERR_NUMERIC,
                          "SGD diverged: the loss or gradient became %s (lower --lr)",
                          isnan(sum) ? "NaN" : "infinite");
    return AMLS_OK;
}

int amls_sgd_local_epoch(const amls_sgd_hparams *hp, int64_t epoch, const amls_rows *X,
                         const int64_t *order, int64_t n, int64_t nfeat, double *w, double *h,
                         double *loss)
{
    int rc = AMLS_OK;
    amls__sgd_ws ws = {0};
    double eta = amls_sgd_lr(hp, epoch);
    int64_t nb = (n + hp->batch - 1) / hp->batch;
    AMLS_TRY(amls__sgd_ws_init(&ws, nfeat + 1));
    for (int64_t s = 0; s < nb; s++) {
        int64_t a = 0, b = 0;
        amls__ps_batch_range(n, nb, s, &a, &b);
        AMLS_TRY(amls__sgd_batch_keys(&ws, X, order + a, b - a));
        AMLS_TRY(amls__sgd_batch_grad(&ws, hp->model, X, order + a, b - a, w, loss));
        const int64_t *keys = ws.keys.data;
        const double *g = ws.vals.data;
        for (size_t i = 0; i < ws.keys.len; i++) {
            int64_t q = keys[i];
            amls__sgd_apply(hp, eta, q > 0, g[i] / (double)(b - a), &w[q], h ? &h[q] : NULL);
        }
    }
cleanup:
    amls__sgd_ws_free(&ws);
    return rc;
}

void amls__sgd_sums(amls_sgd_model model, const double *w, int64_t nfeat, const amls_rows *X,
                    const uint8_t *role, int which, double *sums)
{
    for (int64_t r = 0; r < X->n_local; r++) {
        if (role != NULL && role[r] != which)
            continue;
        double z = amls__sgd_score(w, X, r, nfeat), dz = 0, e = z - X->y[r];
        sums[0] += 1.0;
        sums[1] += amls__sgd_loss(model, X->y[r], z, &dz);
        sums[2] += (z > 0) == (X->y[r] > 0);
        sums[3] += e * e;
    }
}

void amls__sgd_metrics(const double *sums, amls_sgd_metrics *out)
{
    double n = sums[0] > 0 ? sums[0] : 1.0;
    out->rows = (int64_t)sums[0];
    out->loss = sums[1] / n;
    out->accuracy = sums[2] / n;
    out->rss = sums[3];
    out->rmse = sqrt(sums[3] / n);
}

int amls_sgd_evaluate(MPI_Comm comm, amls_sgd_model model, const double *w, int64_t nfeat,
                      const amls_rows *rows, const uint8_t *role, int which, amls_sgd_metrics *out)
{
    double sums[AMLS__NSUMS] = {0};
    if (rows != NULL)
        amls__sgd_sums(model, w, nfeat, rows, role, which, sums);
    int rc = amls__allreduce_same(comm, sums, AMLS__NSUMS, MPI_SUM);
    amls__sgd_metrics(sums, out);
    return rc;
}

/* Dense standardized copy of X's rows (features < nfeat). */
static int densify(amls_rows *X, int64_t d, const double *mu, const double *sd)
{
    int rc = AMLS_OK;
    int64_t n = X->n_local;
    amls_rows Y = {.n_local = n, .n_global = X->n_global, .nnz = n * d, .nfeat = d};
    AMLS_ALLOC(Y.ptr, n + 1);
    AMLS_ALLOC(Y.idx, n * d + 1);
    AMLS_ALLOC(Y.val, n * d + 1);
    AMLS_ALLOC(Y.y, n + 1);
    for (int64_t i = 0; i < n; i++) {
        double *row = Y.val + i * d;
        for (int64_t f = 0; f < d; f++) {
            Y.idx[i * d + f] = (int32_t)f;
            row[f] = 0.0;
        }
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < d)
                row[X->idx[j]] = X->val[j];
        for (int64_t f = 0; f < d; f++)
            row[f] = (row[f] - mu[f]) / sd[f];
        Y.ptr[i + 1] = (i + 1) * d;
        Y.y[i] = X->y[i];
    }
    Y.ptr[0] = 0;
    amls_rows_free(X);
    *X = Y;
    memset(&Y, 0, sizeof Y);
cleanup:
    amls_rows_free(&Y);
    return rc;
}

int amls_rows_standardize(MPI_Comm comm, amls_rows *X, amls_rows *T, double **mu, double **sd)
{
    int rc = AMLS_OK;
    int64_t d = X->nfeat;
    double *s = amls__calloc(2 * (size_t)d + 2, sizeof *s);
    *mu = amls__calloc((size_t)d + 1, sizeof **mu);
    *sd = amls__calloc((size_t)d + 1, sizeof **sd);
    rc = s && *mu && *sd ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    AMLS_AGREE(comm, rc);
    for (int64_t j = 0; j < X->ptr[X->n_local]; j++) {
        s[X->idx[j]] += X->val[j];
        s[d + X->idx[j]] += X->val[j] * X->val[j];
    }
    AMLS_TRY(amls__allreduce_same(comm, s, (int)(2 * d), MPI_SUM));
    double n = (double)(X->n_global > 0 ? X->n_global : 1);
    for (int64_t f = 0; f < d; f++) {
        (*mu)[f] = s[f] / n;
        double var = s[d + f] / n - (*mu)[f] * (*mu)[f];
        (*sd)[f] = var > 1e-300 ? sqrt(var) : 1.0;
    }
    AMLS_AGREE(comm, densify(X, d, *mu, *sd));
    if (T != NULL)
        AMLS_AGREE(comm, densify(T, d, *mu, *sd));
cleanup:
    amls__free(s);
    if (rc < 0) {
        amls__free(*mu);
        amls__free(*sd);
        *mu = *sd = NULL;
    }
    return rc;
}

void amls_sgd_unstandardize(double *w, int64_t nfeat, const double *mu, const double *sd)
{
    for (int64_t f = 0; f < nfeat; f++) {
        w[1 + f] /= sd[f];
        w[0] -= w[1 + f] * mu[f];
    }
}
