/* ---------------------------------------------------------------------------------------------
 * linalg/ps_train.c — amls_ps_train: checks the options, numbers and deals the rows, starts the
 * server and worker roles on the communicator it is given, and gathers the model, the
 * evaluation points and the final metrics on every rank.
 * SPDX-License-Identifier: MIT
 *
 * Roles: ranks [0, M) are servers (server s holds parameters [off[s], off[s+1]) with off[s] =
 * s m / M), ranks [M, P) are workers 0..W-1. Server 0 also holds the evaluation rows (a sample
 * of at most eval_rows training and test rows) for the progress lines; the final metrics are
 * computed collectively on every row where it was read.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

void amls_ps_opts_default(amls_ps_opts *o)
{
    memset(o, 0, sizeof *o);
    amls_sgd_hparams_default(&o->hp);
    o->update = AMLS_PS_BSP;
    o->servers = 1;
    o->epochs = 10;
    o->evals_per_epoch = 1;
    o->eval_rows = 100000;
    o->straggler = -1;
    o->straggler_factor = 1.0;
    o->fail_worker = -1;
    o->fail_clock = -1;
}

static int check_hparams(const amls_sgd_hparams *hp)
{
    if (hp->model < AMLS_SGD_LOGREG || hp->model > AMLS_SGD_SVM)
        return amls_error(AMLS_ERR_PARAM, "unknown model %d", (int)hp->model);
    if (!(hp->lr > 0) || !isfinite(hp->lr))
        return amls_error(AMLS_ERR_PARAM, "--lr must be a positive number");
    if (!(hp->lambda >= 0) || !isfinite(hp->lambda))
        return amls_error(AMLS_ERR_PARAM, "--lambda must be >= 0");
    if (hp->batch < 1)
        return amls_error(AMLS_ERR_PARAM, "--batch-size must be >= 1");
    if (hp->schedule == AMLS_LR_DECAY && !(hp->lr_decay > 0 && hp->lr_decay <= 1))
        return amls_error(AMLS_ERR_PARAM, "--lr-schedule decay:G needs 0 < G <= 1");
    return AMLS_OK;
}

int amls_ps_opts_check(const amls_ps_opts *o, int nranks)
{
    int rc = check_hparams(&o->hp);
    int W = nranks - o->servers;
    if (rc < 0)
        return rc;
    if (o->servers < 1)
        return amls_error(AMLS_ERR_PARAM, "--servers must be >= 1");
    if (W < 1)
        return amls_error(AMLS_ERR_PARAM,
                          "--servers %d leaves no worker: run with more than %d ranks (M servers "
                          "and at least one worker)",
                          o->servers, o->servers);
    if (o->update < AMLS_PS_BSP || o->update > AMLS_PS_BACKUP)
        return amls_error(AMLS_ERR_PARAM, "unknown update strategy %d", (int)o->update);
    if (o->update == AMLS_PS_SSP && o->staleness < 0)
        return amls_error(AMLS_ERR_PARAM, "--staleness must be >= 0");
    if (o->update == AMLS_PS_BACKUP && (o->backup < 1 || o->backup >= W))
        return amls_error(AMLS_ERR_PARAM,
                          "--backup-workers %d: needs 1 <= b < workers (%d workers here)",
                          o->backup, W);
    if (o->drop_fixed && o->update != AMLS_PS_BACKUP)
        return amls_error(AMLS_ERR_PARAM, "--drop fixed needs --update backup");
    if (o->shuffle && !(o->update == AMLS_PS_BSP || o->drop_fixed))
        return amls_error(AMLS_ERR_PARAM,
                          "--shuffle re-deals rows at every epoch, which needs the workers in "
                          "step: use it with --update bsp or --update backup --drop fixed");
    if (o->per_epoch && o->hp.optimizer == AMLS_SGD_ADAGRAD)
        return amls_error(AMLS_ERR_PARAM,
                          "--update-every epoch runs plain SGD on the workers; --optimizer "
                          "adagrad keeps its state on the servers and needs per-batch updates");
    if (o->per_epoch && o->evals_per_epoch != 1)
        return amls_error(AMLS_ERR_PARAM, "--evals-per-epoch must be 1 with --update-every epoch");
    if (o->evals_per_epoch < 1 || o->evals_per_epoch > 1000)
        return amls_error(AMLS_ERR_PARAM, "--evals-per-epoch must be in 1..1000");
    if (o->epochs < 1 || o->epochs > 1000000)
        return amls_error(AMLS_ERR_PARAM, "--epochs must be in 1..1000000");
    if (o->eval_rows < 0)
        return amls_error(AMLS_ERR_PARAM, "--eval-rows must be >= 0");
    if (o->straggler >= W || o->straggler < -1 || !(o->straggler_factor >= 1.0))
        return amls_error(AMLS_ERR_PARAM, "--straggler W:F needs a worker 0..%d and a factor >= 1",
                          W - 1);
    if (o->restart_dir && o->init)
        return amls_error(AMLS_ERR_PARAM, "a restart and a warm start exclude each other");
    if (o->init_epoch < 0)
        return amls_error(AMLS_ERR_PARAM, "the warm start's epoch must be >= 0");
    return AMLS_OK;
}

void amls_ps_result_free(amls_ps_result *res)
{
    if (res == NULL)
        return;
    amls__free(res->w);
    amls__free(res->history);
    memset(res, 0, sizeof *res);
}

/* Appends the rows of b to a (both owned; b is freed). */
static int rows_append(amls__ps_rows *a, amls__ps_rows *b)
{
    int rc = AMLS_OK;
    int64_t na = a->r.n_local, nb = b->r.n_local, za = a->r.nnz, zb = b->r.nnz;
    amls__ps_rows c = {0};
    AMLS_ALLOC(c.r.ptr, na + nb + 1);
    AMLS_ALLOC(c.r.idx, za + zb + 1);
    AMLS_ALLOC(c.r.val, za + zb + 1);
    AMLS_ALLOC(c.r.y, na + nb + 1);
    AMLS_ALLOC(c.gi, na + nb + 1);
    c.r.ptr[0] = 0;
    for (int64_t i = 0; i < na; i++)
        c.r.ptr[i + 1] = a->r.ptr[i + 1];
    for (int64_t i = 0; i < nb; i++)
        c.r.ptr[na + i + 1] = za + b->r.ptr[i + 1];
    memcpy(c.r.idx, a->r.idx, (size_t)za * sizeof *c.r.idx);
    memcpy(c.r.idx + za, b->r.idx, (size_t)zb * sizeof *c.r.idx);
    memcpy(c.r.val, a->r.val, (size_t)za * sizeof *c.r.val);
    memcpy(c.r.val + za, b->r.val, (size_t)zb * sizeof *c.r.val);
    memcpy(c.r.y, a->r.y, (size_t)na * sizeof *c.r.y);
    memcpy(c.r.y + na, b->r.y, (size_t)nb * sizeof *c.r.y);
    memcpy(c.gi, a->gi, (size_t)na * sizeof *c.gi);
    memcpy(c.gi + na, b->gi, (size_t)nb * sizeof *c.gi);
    c.r.n_local = na + nb;
    c.r.n_global = a->r.n_global + b->r.n_global;
    c.r.nnz = za + zb;
    c.r.nfeat = a->r.nfeat;
    amls__ps_rows_free(a);
    *a = c;
    memset(&c, 0, sizeof c);
cleanup:
    amls__ps_rows_free(&c);
    amls__ps_rows_free(b);
    return rc;
}

int amls__ps_number_rows(MPI_Comm comm, const amls_rows *X, const uint8_t *role, int which,
                         int64_t **gi, int64_t *n)
{
    int rc = AMLS_OK;
    int64_t nl = X ? X->n_local : 0, cnt = 0, base = 0;
    *gi = amls__malloc((size_t)nl + 1, sizeof **gi);
    AMLS_AGREE(comm, amls__alloc_status(*gi != NULL));
    for (int64_t i = 0; i < nl; i++)
        cnt += (role == NULL ? which == AMLS_ROW_TRAIN : role[i] == which);
    AMLS_TRY(amls__exscan_i64(comm, cnt, &base));
    *n = cnt;
    AMLS_TRY(amls__allreduce_i64(comm, n, 1, MPI_SUM));
    for (int64_t i = 0; i < nl; i++)
        (*gi)[i] = (role == NULL ? which == AMLS_ROW_TRAIN : role[i] == which) ? base++ : -1;
cleanup:
    return rc;
}

/* dest[i] for the rows numbered gi: server 0 for a sample of at most `cap` of n rows. */
static void sample_dest(const int64_t *gi, int64_t nl, int64_t n, int64_t cap, uint64_t key,
                        int *dest)
{
    for (int64_t i = 0; i < nl; i++)
        dest[i] =
            gi[i] >= 0 && (cap == 0 || n <= cap || amls__ps_perm(key, n, gi[i]) < cap) ? 0 : -1;
}

/* Routes the training rows to the workers and the evaluation rows to server 0. */
static int deal_rows(amls__ps_ctx *cx, const amls_sgd_data *data, const int64_t *gtrain,
                     const int64_t *gtest, const int64_t *gtest2, int64_t ntest,
                     amls__ps_rows *mine)
{
    int rc = AMLS_OK;
    const amls_rows *X = data->rows;
    int64_t nl = X ? X->n_local : 0, nt = data->test ? data->test->n_local : 0;
    int *dest = amls__malloc((size_t)AMLS_MAX(nl, nt) + 1, sizeof *dest);
    amls__ps_rows extra = {0};
    AMLS_AGREE(cx->comm, amls__alloc_status(dest != NULL));
    for (int64_t i = 0; i < nl; i++)
        dest[i] = gtrain[i] >= 0
                      ? cx->M + amls__ps_worker_of(cx->o, cx->k, cx->ntrain, cx->W, gtrain[i])
                      : -1;
    AMLS_TRY(amls__ps_route(cx->comm, X, gtrain, dest, cx->nfeat, mine));
    uint64_t key = amls__rand64(cx->o->hp.seed, 0x4556, 0);
    sample_dest(gtrain, nl, cx->ntrain, cx->o->eval_rows, key, dest);
    AMLS_TRY(amls__ps_route(cx->comm, X, gtrain, dest, cx->nfeat, &cx->eval_train));
    sample_dest(gtest, nl, ntest, cx->o->eval_rows, key, dest);
    AMLS_TRY(amls__ps_route(cx->comm, X, gtest, dest, cx->nfeat, &cx->eval_test));
    sample_dest(gtest2, nt, ntest, cx->o->eval_rows, key, dest);
    AMLS_TRY(amls__ps_route(cx->comm, data->test, gtest2, dest, cx->nfeat, &extra));
    AMLS_AGREE(cx->comm, rows_append(&cx->eval_test, &extra));
cleanup:
    amls__ps_rows_free(&extra);
    amls__free(dest);
    return rc;
}

/* The model's dimension (every rank) and a zero model, or the warm start. */
static int model_alloc(amls__ps_ctx *cx, const amls_sgd_data *data, int64_t nf, double **w,
                       double **h)
{
    int rc = AMLS_OK;
    AMLS_CHECK(data->nfeat == 0 || data->nfeat >= nf, AMLS_ERR_DIM,
               "the model has %lld features but the rows have %lld", (long long)data->nfeat,
               (long long)nf);
    cx->nfeat = data->nfeat > 0 ? data->nfeat : nf;
    cx->m = cx->nfeat + 1;
    AMLS_CALLOC(*w, cx->m);
    AMLS_CALLOC(*h, cx->m);
    if (cx->o->init)
        memcpy(*w, cx->o->init, (size_t)cx->m * sizeof **w);
cleanup:
    return rc;
}

/* The starting point: zeros, the warm start, or the newest checkpoint. Collective. */
static int starting_point(amls__ps_ctx *cx, const amls_sgd_data *data, double **w, double **h)
{
    int rc = AMLS_OK;
    const amls_ps_opts *o = cx->o;
    int64_t nf = data->rows ? data->rows->nfeat : 0;
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, &nf, 1, MPI_INT64_T, MPI_MAX, cx->comm));
    AMLS_AGREE(cx->comm, model_alloc(cx, data, nf, w, h));
    cx->k = o->init_epoch;
    if (o->restart_dir)
        AMLS_TRY(amls__ps_ckpt_read(cx->comm, o, cx->m, cx->ntrain, o->restart_dir, *w,
                                    o->hp.optimizer == AMLS_SGD_ADAGRAD ? *h : NULL, &cx->k));
cleanup:
    return rc;
}

/* Runs this rank's role between two barriers; the status is agreed afterwards. */
static int run_role(amls__ps_ctx *cx, double *w, double *h, amls__ps_rows *mine, amls__vec *hist,
                    amls__ps_stats *st, double *seconds)
{
    int rc = AMLS_OK, remote = 0, any_remote = 0;
    MPI_Comm wcomm = MPI_COMM_NULL;
    bool rem = false;
    AMLS_MPI_TRY(MPI_Comm_split(cx->comm, cx->rank < cx->M, cx->rank, &wcomm));
    AMLS_MPI_TRY(MPI_Barrier(cx->comm));
    cx->t0 = amls__now();
    if (cx->rank < cx->M) {
        int64_t lo = cx->off[cx->rank];
        rc = amls__ps_server(cx, cx->rank, w + lo,
                             cx->o->hp.optimizer == AMLS_SGD_ADAGRAD ? h + lo : NULL, hist, st,
                             &rem);
    } else {
        rc = amls__ps_worker(cx, cx->rank - cx->M, wcomm, mine, &rem);
    }
    *seconds = amls__now() - cx->t0;
    remote = rem;
    AMLS_AGREE(cx->comm, rc);
    AMLS_MPI_TRY(MPI_Allreduce(&remote, &any_remote, 1, MPI_INT, MPI_MAX, cx->comm));
    AMLS_CHECK(!any_remote, AMLS_ERR_INTERNAL, "the run was stopped by a failure nobody reported");
cleanup:
    if (wcomm != MPI_COMM_NULL && MPI_Comm_free(&wcomm) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_MPI, "MPI_Comm_free failed");
    return rc;
}

/* Every rank gets the model (from the servers' ranges), the history and server 0's counts. */
static int gather(amls__ps_ctx *cx, double *w, amls__vec *hist, amls__ps_stats *st,
                  amls_ps_result *res)
{
    int rc = AMLS_OK;
    int *cnt = amls__calloc((size_t)cx->nranks, sizeof *cnt);
    int *dsp = amls__calloc((size_t)cx->nranks, sizeof *dsp);
    int64_t np = (int64_t)hist->len;
    rc = cnt && dsp && cx->m < INT32_MAX
             ? AMLS_OK
             : amls_error(AMLS_ERR_NOMEM, "out of memory, or a model too large to gather");
    AMLS_AGREE(cx->comm, rc);
    for (int s = 0; s < cx->M; s++) {
        cnt[s] = (int)(cx->off[s + 1] - cx->off[s]);
        dsp[s] = (int)cx->off[s];
    }
    AMLS_MPI_TRY(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, w, cnt, dsp, MPI_DOUBLE, cx->comm));
    int64_t gap = 0;
    AMLS_MPI_TRY(MPI_Allreduce(&st->max_gap, &gap, 1, MPI_INT64_T, MPI_MAX, cx->comm));
    AMLS_MPI_TRY(MPI_Bcast(&np, 1, MPI_INT64_T, 0, cx->comm));
    AMLS_MPI_TRY(MPI_Bcast(st, (int)sizeof *st, MPI_BYTE, 0, cx->comm));
    st->max_gap = gap;
    res->history = amls__calloc((size_t)np + 1, sizeof *res->history);
    rc = res->history ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    AMLS_AGREE(cx->comm, rc);
    if (cx->rank == 0)
        memcpy(res->history, hist->data, (size_t)np * sizeof *res->history);
    AMLS_MPI_TRY(
        MPI_Bcast(res->history, (int)(np * (int64_t)sizeof *res->history), MPI_BYTE, 0, cx->comm));
    res->npoints = np;
cleanup:
    amls__free(cnt);
    amls__free(dsp);
    return rc;
}

/* Final metrics on every training and test row, where it was read. */
static int final_metrics(const amls__ps_ctx *cx, const amls_sgd_data *data, amls_ps_result *res)
{
    amls_sgd_model model = cx->o->hp.model;
    double s[2 * AMLS__NSUMS] = {0};
    if (data->rows) {
        amls__sgd_sums(model, res->w, cx->nfeat, data->rows, data->role, AMLS_ROW_TRAIN, s);
        if (data->role)
            amls__sgd_sums(model, res->w, cx->nfeat, data->rows, data->role, AMLS_ROW_TEST,
                           s + AMLS__NSUMS);
    }
    if (data->test)
        amls__sgd_sums(model, res->w, cx->nfeat, data->test, NULL, 0, s + AMLS__NSUMS);
    int rc = amls__allreduce_same(cx->comm, s, 2 * AMLS__NSUMS, MPI_SUM);
    amls__sgd_metrics(s, &res->final.train);
    amls__sgd_metrics(s + AMLS__NSUMS, &res->final.test);
    double reg = 0;
    for (int64_t q = 1; q < cx->m; q++)
        reg += res->w[q] * res->w[q];
    res->objective = res->final.train.loss + 0.5 * cx->o->hp.lambda * reg;
    res->final.epoch = (double)cx->E;
    return rc;
}

int amls_ps_train(MPI_Comm comm, const amls_sgd_data *data, const amls_ps_opts *o,
                  amls_ps_result *res)
{
    int rc = AMLS_OK;
    amls__ps_ctx cx = {.comm = comm, .o = o};
    int64_t *gtrain = NULL, *gtest = NULL, *gtest2 = NULL, ntest = 0, ntest2 = 0;
    double *w = NULL, *h = NULL, seconds = 0;
    amls__ps_rows mine = {0};
    amls__ps_stats st = {0};
    amls__vec hist;
    amls__vec_init(&hist, sizeof(amls_ps_point));
    memset(res, 0, sizeof *res);
    AMLS_TRY(amls__comm_rank(comm, &cx.rank, &cx.nranks));
    AMLS_AGREE(comm, amls_ps_opts_check(o, cx.nranks));
    cx.M = o->servers;
    cx.W = cx.nranks - cx.M;
    cx.sync = o->update == AMLS_PS_BSP || o->update == AMLS_PS_BACKUP;
    cx.need = cx.W - (o->update == AMLS_PS_BACKUP ? o->backup : 0);
    /* Number the rows, fix the dimensions and the starting point. */
    AMLS_TRY(
        amls__ps_number_rows(comm, data->rows, data->role, AMLS_ROW_TRAIN, &gtrain, &cx.ntrain));
    AMLS_TRY(amls__ps_number_rows(comm, data->rows, data->role, AMLS_ROW_TEST, &gtest, &ntest));
    AMLS_TRY(amls__ps_number_rows(comm, data->test, NULL, AMLS_ROW_TRAIN, &gtest2, &ntest2));
    for (int64_t i = 0; data->test && i < data->test->n_local; i++)
        gtest2[i] += ntest;
    ntest += ntest2;
    AMLS_CHECK(cx.ntrain >= cx.W, AMLS_ERR_DIM, "%lld training rows cannot be shared by %d workers",
               (long long)cx.ntrain, cx.W);
    cx.batches = amls__ps_steps(cx.ntrain, cx.W, o->hp.batch);
    cx.S = o->per_epoch ? 1 : cx.batches;
    cx.E = o->epochs;
    AMLS_TRY(starting_point(&cx, data, &w, &h));
    cx.k = AMLS_MIN(cx.k, cx.E);
    cx.off = amls__calloc((size_t)cx.M + 1, sizeof *cx.off);
    AMLS_AGREE(comm, amls__alloc_status(cx.off != NULL));
    for (int s = 0; s <= cx.M; s++)
        cx.off[s] = amls__muldiv(cx.m, s, cx.M);
    AMLS_TRY(deal_rows(&cx, data, gtrain, gtest, gtest2, ntest, &mine));
    /* Train, then share the outcome. */
    AMLS_TRY(run_role(&cx, w, h, &mine, &hist, &st, &seconds));
    AMLS_TRY(gather(&cx, w, &hist, &st, res));
    res->w = w;
    w = NULL;
    AMLS_TRY(final_metrics(&cx, data, res));
    AMLS_MPI_TRY(MPI_Allreduce(&seconds, &res->seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
    res->final.seconds = res->seconds;
    res->final.updates = st.updates;
    res->final.dropped = st.dropped;
    res->final.max_staleness = st.max_staleness;
    res->nfeat = cx.nfeat;
    res->epochs = cx.E;
    res->start_epoch = cx.k;
    res->steps_per_epoch = cx.S;
    res->train_rows = cx.ntrain;
    res->test_rows = ntest;
    res->workers = cx.W;
    res->servers = cx.M;
    res->updates = st.updates;
    res->dropped = st.dropped;
    res->max_staleness = st.max_staleness;
    res->max_clock_gap = st.max_gap;
cleanup:
    if (rc < 0)
        amls_ps_result_free(res);
    amls__free(gtrain);
    amls__free(gtest);
    amls__free(gtest2);
    amls__free(w);
    amls__free(h);
    amls__free(cx.off);
    amls__ps_rows_free(&mine);
    amls__ps_rows_free(&cx.eval_train);
    amls__ps_rows_free(&cx.eval_test);
    amls__vec_free(&hist);
    return rc;
}
