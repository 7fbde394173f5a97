/* ---------------------------------------------------------------------------------------------
 * linalg/sgd_sync.c — synchronous data-parallel mini-batch SGD whose trajectory does not depend
 * on the number of ranks, and the sub-epoch of model hopping (one model, this rank's rows).
 * SPDX-License-Identifier: MIT
 *
 * Synchronous SGD: the training rows are numbered in (rank, row) order, visited in epoch e in
 * the order of a permutation of those numbers keyed by (seed, e) and cut into
 * ceil(n / batch) batches of nearly equal size, exactly as one worker of the parameter server
 * would cut them. Each rank adds the gradient terms of its rows of the batch into reproducible
 * sums (core/rsum.c) with a count of the rows touching each coordinate; one allreduce of 3m
 * values completes the batch gradient, the same bits on every rank and at every rank count, and
 * every rank applies it (L2 lazily on the touched coordinates, as the parameter server does).
 * For logistic regression and the SVM the terms are bounded by max |x| a priori (|dloss/dz| <=
 * 1); least squares needs one more allreduce per batch for the bound. The reduction is dense in
 * the model size: meant for models up to some 10^5 features (model selection's fits), where the
 * parameter server's sparse pulls and pushes are not worth their messages.
 *
 * Model hopping (Cerebro): a model visits every rank once per epoch and trains on that rank's
 * rows in turn; on each, amls_sgd_sub_epoch runs local SGD (amls_sgd_local_epoch) over the
 * rank's training rows in the order the epoch's permutation gives their global row numbers.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

/* State of a synchronous run on this rank. */
typedef struct sync_run {
    MPI_Comm comm;
    const amls_sgd_hparams *hp;
    const amls_rows *X;
    int64_t m, n;  /* parameters; training rows (global) */
    int64_t nl;    /* training rows here */
    int64_t *gi;   /* nl: global training numbers */
    int64_t *row;  /* nl: local row of each training row */
    int64_t *ord;  /* nl: local training rows in epoch order */
    uint64_t *pos; /* nl: their positions */
    double *dz;    /* nl: d loss / d z of the batch's rows */
    double *acc;   /* 3m: reproducible sums (hi, lo) and touch counts */
    double xmax;
} sync_run;

static void sync_free(sync_run *r)
{
    amls__free(r->gi);
    amls__free(r->row);
    amls__free(r->ord);
    amls__free(r->pos);
    amls__free(r->dz);
    amls__free(r->acc);
}

/* Numbers the training rows and measures max |x|. Collective. */
static int sync_setup(sync_run *r, const uint8_t *role, int64_t nfeat)
{
    int rc = AMLS_OK;
    const amls_rows *X = r->X;
    int64_t nrows = X ? X->n_local : 0, first = 0;
    r->m = nfeat + 1;
    for (int64_t i = 0; i < nrows; i++)
        r->nl += role == NULL || role[i] == AMLS_ROW_TRAIN;
    r->gi = amls__malloc((size_t)r->nl + 1, sizeof *r->gi);
    r->row = amls__malloc((size_t)r->nl + 1, sizeof *r->row);
    r->ord = amls__malloc((size_t)r->nl + 1, sizeof *r->ord);
    r->pos = amls__malloc((size_t)r->nl + 1, sizeof *r->pos);
    r->dz = amls__malloc((size_t)r->nl + 1, sizeof *r->dz);
    r->acc = amls__malloc(3 * (size_t)r->m, sizeof *r->acc);
    AMLS_AGREE(r->comm, amls__alloc_status(r->gi && r->row && r->ord && r->pos && r->dz && r->acc));
    AMLS_TRY(amls__exscan_i64(r->comm, r->nl, &first));
    r->n = r->nl;
    AMLS_TRY(amls__allreduce_i64(r->comm, &r->n, 1, MPI_SUM));
    for (int64_t i = 0, k = 0; i < nrows; i++) {
        if (role != NULL && role[i] != AMLS_ROW_TRAIN)
            continue;
        r->row[k] = i;
        r->gi[k] = first + k;
        k++;
        for (int64_t j = X->ptr[i]; j < X->ptr[i + 1]; j++)
            if (X->idx[j] < nfeat)
                r->xmax = fmax(r->xmax, fabs(X->val[j]));
    }
    AMLS_TRY(amls__max_same(r->comm, &r->xmax));
cleanup:
    return rc;
}

/* Local training rows sorted by their position in epoch e's order. Local. */
static int sync_order(sync_run *r, int64_t epoch)
{
    uint64_t key = amls__sgd_order_key(r->hp->seed, epoch);
    for (int64_t k = 0; k < r->nl; k++) {
        r->pos[k] = (uint64_t)amls__ps_perm(key, r->n, r->gi[k]);
        r->ord[k] = r->row[k];
    }
    return amls__sort_u64(r->pos, (uint64_t *)r->ord, (size_t)r->nl);
}

/* The batch's rows here are ord[a, b): dz of each, and the bound of the gradient terms. */
static int batch_dz(sync_run *r, int64_t a, int64_t b, const double *w, double *bound)
{
    int rc = AMLS_OK;
    double dzmax = 0;
    for (int64_t k = a; k < b; k++) {
        int64_t i = r->ord[k];
        double z = amls__sgd_score(w, r->X, i, r->m - 1);
        amls__sgd_loss(r->hp->model, r->X->y[i], z, &r->dz[k - a]);
        dzmax = fmax(dzmax, fabs(r->dz[k - a]));
    }
    if (r->hp->model == AMLS_SGD_LINREG) {
        AMLS_TRY(amls__max_same(r->comm, &dzmax));
        AMLS_CHECK(isfinite(dzmax), AMLS_ERR_NUMERIC,
                   "SGD diverged: the gradient became %s (lower the learning rate)",
                   isnan(dzmax) ? "NaN" : "infinite");
    } else {
        dzmax = 1.0;
    }
    *bound = dzmax * fmax(1.0, r->xmax);
cleanup:
    return rc;
}

/* One batch: positions [lo, hi) of the epoch's order; local rows ord[*at, ...). Collective. */
static int sync_batch(sync_run *r, double eta, uint64_t lo, uint64_t hi, int64_t *at, double *w)
{
    int rc = AMLS_OK;
    int64_t m = r->m, a = *at, b = a;
    double bound = 0, *acc = r->acc;
    while (b < r->nl && r->pos[b] < hi)
        b++;
    AMLS_TRY(batch_dz(r, a, b, w, &bound));
    amls__rsum p = amls__rsum_plan(bound, (int64_t)(hi - lo));
    memset(acc, 0, 3 * (size_t)m * sizeof *acc);
    for (int64_t k = a; k < b; k++) {
        int64_t i = r->ord[k];
        double dz = r->dz[k - a];
        amls__rsum_add(&p, dz, &acc[0], &acc[m]);
        for (int64_t j = r->X->ptr[i]; j < r->X->ptr[i + 1]; j++) {
            int64_t q = 1 + (int64_t)r->X->idx[j];
            if (q < m) {
                amls__rsum_add(&p, dz * r->X->val[j], &acc[q], &acc[m + q]);
                acc[2 * m + q] += 1.0;
            }
        }
    }
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, acc, (int)(3 * m), MPI_DOUBLE, MPI_SUM, r->comm));
    double inv = 1.0 / (double)(hi - lo);
    for (int64_t q = 0; q < m; q++) {
        if (q > 0 && acc[2 * m + q] == 0)
            continue; /* not touched by the batch: no gradient, no lazy L2 */
        double g = (acc[q] + acc[m + q]) * inv;
        AMLS_CHECK(isfinite(g), AMLS_ERR_NUMERIC,
                   "SGD diverged: the gradient became %s (lower the learning rate)",
                   isnan(g) ? "NaN" : "infinite");
        amls__sgd_apply(r->hp, eta, q > 0, g, &w[q], NULL);
    }
    *at = b;
cleanup:
    return rc;
}

int amls_sgd_sync(MPI_Comm comm, const amls_sgd_hparams *hp, const amls_rows *X,
                  const uint8_t *role, int64_t nfeat, int64_t from, int64_t to, double *w)
{
    int rc = AMLS_OK;
    sync_run r = {.comm = comm, .hp = hp, .X = X};
    AMLS_CHECK(hp->optimizer == AMLS_SGD_PLAIN && hp->batch >= 1 && hp->lr > 0, AMLS_ERR_PARAM,
               "synchronous SGD needs plain SGD, a batch of at least 1 row and lr > 0");
    AMLS_TRY(sync_setup(&r, role, nfeat));
    int64_t S = r.n > 0 ? (r.n + hp->batch - 1) / hp->batch : 0;
    for (int64_t e = from; e < to; e++) {
        double eta = amls_sgd_lr(hp, e);
        int64_t at = 0;
        AMLS_AGREE(comm, sync_order(&r, e));
        for (int64_t s = 0; s < S; s++) {
            int64_t lo = 0, hi = 0;
            amls__ps_batch_range(r.n, S, s, &lo, &hi);
            AMLS_TRY(sync_batch(&r, eta, (uint64_t)lo, (uint64_t)hi, &at, w));
        }
    }
cleanup:
    sync_free(&r);
    return rc;
}

int amls_sgd_sub_epoch(const amls_sgd_hparams *hp, int64_t epoch, const amls_rows *X,
                       const uint8_t *role, const int64_t *gi, int64_t n, int64_t nfeat, double *w)
{
    int rc = AMLS_OK;
    int64_t nl = 0;
    uint64_t *pos = amls__malloc((size_t)X->n_local + 1, sizeof *pos), key;
    int64_t *ord = amls__malloc((size_t)X->n_local + 1, sizeof *ord);
    double loss = 0;
    AMLS_TRY(amls__alloc_status(pos && ord));
    key = amls__sgd_order_key(hp->seed, epoch);
    for (int64_t i = 0; i < X->n_local; i++)
        if (role == NULL || role[i] == AMLS_ROW_TRAIN) {
            pos[nl] = (uint64_t)amls__ps_perm(key, n, gi[i]);
            ord[nl++] = i;
        }
    AMLS_TRY(amls__sort_u64(pos, (uint64_t *)ord, (size_t)nl));
    AMLS_TRY(amls_sgd_local_epoch(hp, epoch, X, ord, nl, nfeat, w, NULL, &loss));
cleanup:
    amls__free(pos);
    amls__free(ord);
    return rc;
}
