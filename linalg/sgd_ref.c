/* ---------------------------------------------------------------------------------------------
 * linalg/sgd_ref.c — the serial reference of parameter-server training: synchronous mini-batch
 * SGD with W simulated workers, on one rank, with dense arrays and no messages.
 * SPDX-License-Identifier: MIT
 *
 * It follows the definition, not the implementation: in step t every (not dropped) worker
 * takes batch t mod S of its share of epoch t / S (the share and its order come from the seeded
 * permutation, amls__ps_perm), computes the gradient sum of its rows in row order at the
 * current parameters, the sums are added in worker order and the mean over all rows of the step
 * is applied to every coordinate some row touched. A run of the parameter server under BSP (or
 * backup with the fixed drop rule) must give the same bits; a replay of a server's trace (the
 * gradients each step applied, by worker and clock) reproduces a run with first-come drops.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

typedef struct ref_row {
    uint64_t key;
    int64_t row;
} ref_row;

static int by_key(const void *a, const void *b)
{
    const ref_row *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

typedef struct ref {
    const amls_ps_opts *o;
    const amls_rows *X;
    int W;
    int64_t n, m, S, nb;
    int64_t epoch;   /* of the shares below */
    int64_t **share; /* per worker: rows in epoch order */
    int64_t *nshare;
    double *G, *gw, *wl, *hl;       /* m each */
    uint8_t *seen, *seen_w, *batch; /* m each: touched in the step / by the worker / batch */
} ref;

/* Shares of every worker in epoch e, each in its epoch order. */
static int make_shares(ref *r, int64_t e)
{
    int rc = AMLS_OK;
    ref_row *tmp = NULL;
    if (r->epoch == e)
        return AMLS_OK;
    AMLS_ALLOC(tmp, r->n + 1);
    for (int w = 0; w < r->W; w++) {
        int64_t cnt = 0;
        for (int64_t i = 0; i < r->n; i++)
            if (amls__ps_worker_of(r->o, e, r->n, r->W, i) == w)
                tmp[cnt++] =
                    (ref_row){(uint64_t)amls__ps_perm(amls__ps_order_key(r->o, e), r->n, i), i};
        qsort(tmp, (size_t)cnt, sizeof *tmp, by_key);
        for (int64_t j = 0; j < cnt; j++)
            r->share[w][j] = tmp[j].row;
        r->nshare[w] = cnt;
    }
    r->epoch = e;
cleanup:
    amls__free(tmp);
    return rc;
}

/* gw += gradient sums of rows[0..nr) at w, in row order; marks the coordinates in `batch`. */
static void gradient(ref *r, const int64_t *rows, int64_t nr, const double *w)
{
    const amls_rows *X = r->X;
    for (int64_t i = 0; i < nr; i++) {
        int64_t q = rows[i];
        double z = w[0];
        for (int64_t j = X->ptr[q]; j < X->ptr[q + 1]; j++)
            z += X->val[j] * w[1 + X->idx[j]];
        double dz = 0;
        amls__sgd_loss(r->o->hp.model, X->y[q], z, &dz);
        r->gw[0] += dz;
        r->batch[0] = 1;
        for (int64_t j = X->ptr[q]; j < X->ptr[q + 1]; j++) {
            r->gw[1 + X->idx[j]] += dz * X->val[j];
            r->batch[1 + X->idx[j]] = 1;
        }
    }
}

/* w[j] -= eta * (g + lambda w[j]) (Adagrad-scaled when h), for j = 0..m-1 with mask[j]. */
static void update(ref *r, double *w, double *h, const double *gsum, double cnt, double eta,
                   uint8_t *mask)
{
    const amls_sgd_hparams *hp = &r->o->hp;
    for (int64_t j = 0; j < r->m; j++) {
        if (!mask[j])
            continue;
        double g = gsum[j] / cnt;
        if (j > 0)
            g += hp->lambda * w[j];
        if (h != NULL) {
            h[j] += g * g;
            w[j] -= eta * g / (sqrt(h[j]) + 1e-8);
        } else {
            w[j] -= eta * g;
        }
    }
}

/* Moves the batch gradient (gw, marked in `batch`) into `sum`/`mask` and clears it. */
static void collect(ref *r, double *sum, uint8_t *mask, bool add)
{
    for (int64_t j = 0; j < r->m; j++) {
        if (!r->batch[j])
            continue;
        if (add)
            sum[j] += r->gw[j];
        mask[j] = 1;
        r->gw[j] = 0;
        r->batch[j] = 0;
    }
}

/* Worker wk's contribution to the step at clock c: its gradient sums (per-batch mode) or the
 * change of a local epoch of SGD (per-epoch mode), added into G. Returns the rows (or 1). */
static double contribute(ref *r, int wk, int64_t c, const double *w)
{
    const amls_sgd_hparams *hp = &r->o->hp;
    int64_t e = c / r->S, nw = r->nshare[wk], *sh = r->share[wk];
    if (!r->o->per_epoch) {
        int64_t a = amls__muldiv(nw, c % r->S, r->S), b = amls__muldiv(nw, c % r->S + 1, r->S);
        gradient(r, sh + a, b - a, w);
        collect(r, r->G, r->seen, true);
        return (double)(b - a);
    }
    memcpy(r->wl, w, (size_t)r->m * sizeof *w);
    int64_t nb = (nw + hp->batch - 1) / hp->batch;
    for (int64_t s = 0; s < nb; s++) {
        int64_t a = amls__muldiv(nw, s, nb), b = amls__muldiv(nw, s + 1, nb);
        gradient(r, sh + a, b - a, r->wl);
        update(r, r->wl, NULL, r->gw, (double)(b - a), amls_sgd_lr(hp, e), r->batch);
        collect(r, NULL, r->seen_w, false);
    }
    for (int64_t j = 0; j < r->m; j++)
        if (r->seen_w[j]) {
            r->G[j] += r->wl[j] - w[j];
            r->seen[j] = 1;
            r->seen_w[j] = 0;
        }
    return 1.0;
}

/* One step: the listed workers' contributions (in worker order), then the update. */
static int step(ref *r, int64_t t, const int64_t *wks, const int64_t *clocks, int64_t nwk,
                double *w, double *h)
{
    double rows = 0;
    for (int64_t i = 0; i < nwk; i++) {
        int rc = make_shares(r, clocks[i] / r->S);
        if (rc < 0)
            return rc;
        rows += contribute(r, (int)wks[i], clocks[i], w);
    }
    if (r->o->per_epoch) {
        for (int64_t j = 0; j < r->m; j++)
            if (r->seen[j])
                w[j] += r->G[j] / rows;
    } else {
        update(r, w, h, r->G, rows, amls_sgd_lr(&r->o->hp, t / r->S), r->seen);
    }
    memset(r->G, 0, (size_t)r->m * sizeof *r->G);
    memset(r->seen, 0, (size_t)r->m);
    return AMLS_OK;
}

static int ref_init(ref *r)
{
    int rc = AMLS_OK;
    AMLS_CALLOC(r->share, r->W);
    AMLS_CALLOC(r->nshare, r->W);
    for (int w = 0; w < r->W; w++)
        AMLS_ALLOC(r->share[w], r->n / r->W + 2);
    AMLS_CALLOC(r->G, r->m);
    AMLS_CALLOC(r->gw, r->m);
    AMLS_CALLOC(r->wl, r->m);
    AMLS_CALLOC(r->seen, r->m);
    AMLS_CALLOC(r->seen_w, r->m);
    AMLS_CALLOC(r->batch, r->m);
cleanup:
    return rc;
}

static void ref_free(ref *r)
{
    for (int w = 0; r->share && w < r->W; w++)
        amls__free(r->share[w]);
    amls__free(r->share);
    amls__free(r->nshare);
    amls__free(r->G);
    amls__free(r->gw);
    amls__free(r->wl);
    amls__free(r->seen);
    amls__free(r->seen_w);
    amls__free(r->batch);
}

int amls__sgd_ref(const amls_ps_opts *o, const amls_rows *X, int W, int64_t k, int64_t E,
                  const amls__ps_replay *replay, double *w, double *h)
{
    int rc = AMLS_OK;
    ref r = {.o = o, .X = X, .W = W, .n = X->n_local, .m = X->nfeat + 1, .epoch = -1};
    int64_t *wks = NULL, *clocks = NULL;
    r.nb = amls__ps_steps(r.n, W, o->hp.batch);
    r.S = o->per_epoch ? 1 : r.nb;
    AMLS_TRY(ref_init(&r));
    AMLS_ALLOC(wks, W);
    AMLS_ALLOC(clocks, W);
    if (replay != NULL) {
        for (int64_t i = 0; i < replay->nsteps; i++) {
            int64_t a = replay->ptr[i], b = replay->ptr[i + 1];
            AMLS_TRY(step(&r, k * r.S + i, replay->worker + a, replay->clock + a, b - a, w, h));
        }
        goto cleanup;
    }
    for (int64_t t = k * r.S; t < E * r.S; t++) {
        int64_t nwk = 0;
        for (int wk = 0; wk < W; wk++)
            if (!amls__ps_dropped_fixed(o, W, t, wk)) {
                wks[nwk] = wk;
                clocks[nwk++] = t;
            }
        AMLS_TRY(step(&r, t, wks, clocks, nwk, w, h));
    }
cleanup:
    amls__free(wks);
    amls__free(clocks);
    ref_free(&r);
    return rc;
}

/* Rank 0: runs the reference from the run's starting point and compares. */
static int verify_root(const amls_ps_opts *o, const amls_rows *X, const amls_ps_result *res)
{
    int rc = AMLS_OK;
    int64_t m = res->nfeat + 1;
    double *w = NULL, *h = NULL;
    AMLS_CALLOC(w, m);
    AMLS_CALLOC(h, m);
    if (o->init)
        memcpy(w, o->init, (size_t)m * sizeof *w);
    AMLS_TRY(amls__sgd_ref(o, X, res->workers, res->start_epoch, res->epochs, NULL, w,
                           o->hp.optimizer == AMLS_SGD_ADAGRAD ? h : NULL));
    for (int64_t q = 0; q < m; q++)
        AMLS_CHECK(memcmp(&w[q], &res->w[q], sizeof *w) == 0, AMLS_ERR_VERIFY,
                   "verify: coefficient %lld is %.17g, the serial reference has %.17g",
                   (long long)q, res->w[q], w[q]);
cleanup:
    amls__free(w);
    amls__free(h);
    return rc;
}

int amls_ps_verify(MPI_Comm comm, const amls_sgd_data *data, const amls_ps_opts *o,
                   const amls_ps_result *res)
{
    int rc = AMLS_OK, rank = 0;
    int64_t *gi = NULL, n = 0;
    int *dest = NULL;
    amls__ps_rows all = {0};
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_CHECK(o->update == AMLS_PS_BSP || (o->update == AMLS_PS_BACKUP && o->drop_fixed),
               AMLS_ERR_PARAM,
               "--verify needs a reproducible strategy: --update bsp or --update backup --drop "
               "fixed");
    AMLS_CHECK(o->restart_dir == NULL, AMLS_ERR_PARAM, "--verify checks whole runs, not restarts");
    AMLS_TRY(amls__ps_number_rows(comm, data->rows, data->role, AMLS_ROW_TRAIN, &gi, &n));
    int64_t nl = data->rows ? data->rows->n_local : 0;
    dest = amls__malloc((size_t)nl + 1, sizeof *dest);
    AMLS_AGREE(comm, amls__alloc_status(dest != NULL));
    for (int64_t i = 0; i < nl; i++)
        dest[i] = gi[i] >= 0 ? 0 : -1;
    AMLS_TRY(amls__ps_route(comm, data->rows, gi, dest, res->nfeat, &all));
    AMLS_AGREE(comm, rank == 0 ? verify_root(o, &all.r, res) : AMLS_OK);
cleanup:
    amls__free(gi);
    amls__free(dest);
    amls__ps_rows_free(&all);
    return rc;
}
