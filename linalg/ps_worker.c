/* ---------------------------------------------------------------------------------------------
 * linalg/ps_worker.c — a parameter-server worker: for each batch of its share it pulls the
 * parameters the batch touches from the servers that hold them, computes the sparse gradient
 * and pushes it, until a server answers a pull with PS_STOP.
 * SPDX-License-Identifier: MIT
 *
 * The worker's clock counts the batches it has pushed (absolute, so a restart at epoch k starts
 * at k*S); batch c is batch c mod S of epoch c / S of its share. Under BSP and fixed-drop
 * backup the clock is the step: a worker left out of a step skips that batch. In per-epoch
 * mode a clock is an epoch: the worker pulls every parameter its share touches, runs one epoch
 * of local SGD and pushes the change of its parameters. A worker that fails tells every server
 * (PS_DONE with its status); a worker told PS_ERROR stops and reports AMLS_OK with *remote set.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

#include <limits.h>
#include <time.h>

typedef struct ps_wk {
    const amls__ps_ctx *cx;
    int widx;
    MPI_Comm wcomm;
    amls__ps_rows *rows; /* this worker's share */
    int64_t *order;      /* the share's order in epoch `order_epoch` */
    int64_t order_epoch, deal_epoch;
    double *w, *w0; /* m: parameters as pulled (w0: per-epoch mode, before local SGD) */
    amls__sgd_ws ws;
    int64_t clock;
    int64_t *tag, *required;     /* per server */
    int64_t *kbeg;               /* per server: first key of its range in ws.keys */
    char **qbuf, **pbuf, **rbuf; /* per server: pull request, push, reply buffers */
    size_t *qcap, *pcap, *rcap;
    MPI_Request *qreq, *preq, *rreq;
    bool stop, remote;
    double t_cal[24]; /* straggler: durations of its first steps */
    int n_cal;
    double t_mark; /* straggler: when its previous step ended */
    double delay;  /* straggler: sleep after each gradient */
} ps_wk;

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need > (size_t)INT_MAX)
        return amls_error(AMLS_ERR_RANGE, "a batch touches too many parameters (%zu bytes)", need);
    if (need <= *cap)
        return AMLS_OK;
    char *nb = amls__realloc(*buf, need, 1);
    if (nb == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory (message of %zu bytes)", need);
    *buf = nb;
    *cap = need;
    return AMLS_OK;
}

/* Splits the sorted keys by server range. */
static void split_keys(ps_wk *k)
{
    const int64_t *keys = k->ws.keys.data;
    int64_t nk = (int64_t)k->ws.keys.len, at = 0;
    for (int s = 0; s <= k->cx->M; s++) {
        while (at < nk && keys[at] < k->cx->off[s])
            at++;
        k->kbeg[s] = s == k->cx->M ? nk : at;
    }
}

/* Sends a pull of ws.keys to every server and waits for the answers. */
static int pull(ps_wk *k)
{
    int rc = AMLS_OK, M = k->cx->M;
    const int64_t *keys = k->ws.keys.data;
    split_keys(k);
    /* Buffers first, so that nothing can fail once receives are posted. */
    for (int s = 0; s < M; s++) {
        size_t bytes = sizeof(ps_hdr) + (size_t)(k->kbeg[s + 1] - k->kbeg[s]) * 8;
        AMLS_TRY(grow(&k->rbuf[s], &k->rcap[s], bytes));
        AMLS_TRY(grow(&k->qbuf[s], &k->qcap[s], bytes));
    }
    for (int s = 0; s < M; s++) {
        int64_t nk = k->kbeg[s + 1] - k->kbeg[s];
        size_t bytes = sizeof(ps_hdr) + (size_t)nk * 8;
        AMLS_MPI_TRY(
            MPI_Irecv(k->rbuf[s], (int)bytes, MPI_BYTE, s, PS_TAG_REPLY, k->cx->comm, &k->rreq[s]));
        ps_hdr h = {.type = PS_PULL,
                    .from = k->widx,
                    .clock = k->clock,
                    .tag = k->required[s],
                    .nkeys = nk};
        memcpy(k->qbuf[s], &h, sizeof h);
        memcpy(k->qbuf[s] + sizeof h, keys + k->kbeg[s], (size_t)nk * 8);
        AMLS_MPI_TRY(
            MPI_Isend(k->qbuf[s], (int)bytes, MPI_BYTE, s, PS_TAG_REQ, k->cx->comm, &k->qreq[s]));
    }
    AMLS_MPI_TRY(MPI_Waitall(M, k->rreq, MPI_STATUSES_IGNORE));
    AMLS_MPI_TRY(MPI_Waitall(M, k->qreq, MPI_STATUSES_IGNORE));
    for (int s = 0; s < M; s++) {
        ps_hdr h;
        memcpy(&h, k->rbuf[s], sizeof h);
        k->tag[s] = h.tag;
        k->stop = k->stop || (h.flags & PS_STOP);
        k->remote = k->remote || (h.flags & PS_ERROR);
        const double *v = (const double *)(k->rbuf[s] + sizeof h);
        for (int64_t i = k->kbeg[s]; i < k->kbeg[s + 1]; i++)
            k->w[keys[i]] = v[i - k->kbeg[s]];
    }
cleanup:
    return rc;
}

/* Pushes ws.vals (gradient sums or deltas at ws.keys) to every server. */
static int push(ps_wk *k, int64_t nrows, double loss)
{
    int rc = AMLS_OK, M = k->cx->M;
    const int64_t *keys = k->ws.keys.data;
    const double *vals = k->ws.vals.data;
    AMLS_MPI_TRY(MPI_Waitall(M, k->preq, MPI_STATUSES_IGNORE));
    for (int s = 0; s < M; s++)
        AMLS_TRY(grow(&k->pbuf[s], &k->pcap[s],
                      sizeof(ps_hdr) + (size_t)(k->kbeg[s + 1] - k->kbeg[s]) * 16));
    for (int s = 0; s < M; s++) {
        int64_t nk = k->kbeg[s + 1] - k->kbeg[s];
        size_t pb = sizeof(ps_hdr) + (size_t)nk * 16;
        ps_hdr h = {.type = PS_PUSH,
                    .from = k->widx,
                    .clock = k->clock,
                    .tag = k->tag[s],
                    .nkeys = nk,
                    .nrows = nrows,
                    .loss = loss};
        memcpy(k->pbuf[s], &h, sizeof h);
        memcpy(k->pbuf[s] + sizeof h, keys + k->kbeg[s], (size_t)nk * 8);
        memcpy(k->pbuf[s] + sizeof h + (size_t)nk * 8, vals + k->kbeg[s], (size_t)nk * 8);
        AMLS_MPI_TRY(
            MPI_Isend(k->pbuf[s], (int)pb, MPI_BYTE, s, PS_TAG_REQ, k->cx->comm, &k->preq[s]));
    }
cleanup:
    return rc;
}

/* The share and its order for epoch e. With --shuffle, rows are dealt anew at every epoch:
 * all workers are at the same clock (BSP, fixed drop), and a pull without keys first makes
 * sure none of them has been told to stop. */
static int enter_epoch(ps_wk *k, int64_t e)
{
    int rc = AMLS_OK;
    const amls__ps_ctx *cx = k->cx;
    if (cx->o->shuffle && e != k->deal_epoch) {
        /* A worker left out of the epoch's first step still waits for that step only. */
        int64_t keep = k->required[0];
        for (int s = 0; s < cx->M; s++)
            k->required[s] = AMLS_MIN(keep, e * cx->S);
        k->ws.keys.len = 0;
        rc = pull(k);
        for (int s = 0; s < cx->M; s++)
            k->required[s] = keep;
        if (rc < 0 || k->stop)
            goto cleanup;
        int64_t n = k->rows->r.n_local;
        int *dest = amls__malloc((size_t)n + 1, sizeof *dest);
        amls__ps_rows next = {0};
        rc = dest ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; rc == AMLS_OK && i < n; i++)
            dest[i] = amls__ps_worker_of(cx->o, e, cx->ntrain, cx->W, k->rows->gi[i]);
        rc = amls_agree(k->wcomm, rc, NULL);
        if (rc == AMLS_OK)
            rc = amls__ps_route(k->wcomm, &k->rows->r, k->rows->gi, dest, cx->nfeat, &next);
        amls__free(dest);
        AMLS_TRY(rc);
        amls__ps_rows_free(k->rows);
        *k->rows = next;
        amls__free(k->order);
        AMLS_ALLOC(k->order, k->rows->r.n_local + 1);
        k->deal_epoch = e;
        k->order_epoch = -1;
    }
    if (e != k->order_epoch) {
        AMLS_TRY(amls__ps_epoch_order(cx->o, e, cx->ntrain, k->rows, k->order));
        k->order_epoch = e;
    }
cleanup:
    return rc;
}

/* The straggler runs its first PS_WARMUP + PS_CALIBRATE steps at full speed and takes the
 * median duration of the last PS_CALIBRATE of them (from the end of one step to the gradient of
 * the next, waits included) as its step time t; afterwards it sleeps (factor - 1) t after each
 * gradient, so that its steps take about `factor` times as long, whatever the strategy (under BSP
 * every step then does too). */
enum { PS_WARMUP = 5, PS_CALIBRATE = 21 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void straggle(ps_wk *k, double t_start)
{
    const amls_ps_opts *o = k->cx->o;
    if (k->widx != o->straggler || o->straggler_factor <= 1.0)
        return;
    double now = amls__now();
    if (k->n_cal < PS_WARMUP + PS_CALIBRATE) {
        if (k->n_cal >= PS_WARMUP)
            k->t_cal[k->n_cal - PS_WARMUP] = now - (k->t_mark > 0 ? k->t_mark : t_start);
        k->t_mark = now;
        if (++k->n_cal == PS_WARMUP + PS_CALIBRATE) {
            qsort(k->t_cal, PS_CALIBRATE, sizeof *k->t_cal, cmp_double);
            k->delay = (o->straggler_factor - 1.0) * k->t_cal[PS_CALIBRATE / 2];
        }
        return;
    }
    struct timespec ts = {(time_t)k->delay, (long)((k->delay - (double)(time_t)k->delay) * 1e9)};
    nanosleep(&ts, NULL);
}

/* One clock: pull, gradient (or local epoch), push. */
static int iterate(ps_wk *k)
{
    int rc = AMLS_OK;
    const amls__ps_ctx *cx = k->cx;
    const amls_ps_opts *o = cx->o;
    int64_t e = k->clock / cx->S, s = k->clock % cx->S, nw = k->rows->r.n_local, a = 0, b = nw;
    AMLS_TRY(enter_epoch(k, e));
    if (k->stop)
        goto cleanup;
    if (!o->per_epoch)
        amls__ps_batch_range(nw, cx->batches, s, &a, &b);
    AMLS_TRY(amls__sgd_batch_keys(&k->ws, &k->rows->r, k->order + a, b - a));
    double t_start = amls__now(), loss = 0;
    AMLS_TRY(pull(k));
    if (k->stop)
        goto cleanup;
    AMLS_CHECK(k->widx != o->fail_worker || k->clock != o->fail_clock, AMLS_ERR_INTERNAL,
               "worker %d: injected failure at clock %lld (--fail-at-clock)", k->widx,
               (long long)k->clock);
    if (o->per_epoch) {
        const int64_t *keys = k->ws.keys.data;
        size_t nk = k->ws.keys.len;
        for (size_t i = 0; i < nk; i++)
            k->w0[keys[i]] = k->w[keys[i]];
        AMLS_TRY(amls_sgd_local_epoch(&o->hp, e, &k->rows->r, k->order, nw, cx->nfeat, k->w, NULL,
                                      &loss));
        for (size_t i = 0; i < nk; i++)
            ((double *)k->ws.vals.data)[i] = k->w[keys[i]] - k->w0[keys[i]];
    } else {
        AMLS_TRY(amls__sgd_batch_grad(&k->ws, o->hp.model, &k->rows->r, k->order + a, b - a, k->w,
                                      &loss));
    }
    straggle(k, t_start);
    AMLS_TRY(push(k, b - a, loss));
    k->clock++;
    if (cx->sync) {
        int64_t next = k->tag[0] + 1;
        while (amls__ps_dropped_fixed(o, cx->W, next, k->widx) && next < cx->E * cx->S) {
            next++;
            k->clock++;
        }
        for (int sv = 0; sv < cx->M; sv++)
            k->required[sv] = o->drop_fixed ? next : k->tag[sv] + 1;
    }
cleanup:
    return rc;
}

/* Tells every server this worker is done (with its status). Blocking sends of a header:
 * nothing to allocate, so even a worker whose set-up failed can say it. */
static int say_done(ps_wk *k, int code)
{
    int rc = AMLS_OK;
    if (k->preq != NULL)
        AMLS_MPI_TRY(MPI_Waitall(k->cx->M, k->preq, MPI_STATUSES_IGNORE));
    for (int s = 0; s < k->cx->M; s++) {
        ps_hdr h = {.type = PS_DONE, .from = k->widx, .code = code, .clock = k->clock};
        AMLS_MPI_TRY(MPI_Send(&h, (int)sizeof h, MPI_BYTE, s, PS_TAG_REQ, k->cx->comm));
    }
cleanup:
    return rc;
}

static int wk_init(ps_wk *k)
{
    int rc = AMLS_OK;
    const amls__ps_ctx *cx = k->cx;
    int M = cx->M;
    AMLS_TRY(amls__sgd_ws_init(&k->ws, cx->m));
    AMLS_CALLOC(k->w, cx->m);
    AMLS_CALLOC(k->w0, cx->m);
    AMLS_ALLOC(k->order, k->rows->r.n_local + 1);
    AMLS_CALLOC(k->tag, M);
    AMLS_CALLOC(k->required, M);
    AMLS_CALLOC(k->kbeg, M + 1);
    AMLS_CALLOC(k->qbuf, M);
    AMLS_CALLOC(k->pbuf, M);
    AMLS_CALLOC(k->rbuf, M);
    AMLS_CALLOC(k->qcap, M);
    AMLS_CALLOC(k->pcap, M);
    AMLS_CALLOC(k->rcap, M);
    AMLS_ALLOC(k->qreq, M);
    AMLS_ALLOC(k->rreq, M);
    for (int s = 0; s < M; s++)
        k->qreq[s] = k->rreq[s] = MPI_REQUEST_NULL;
    AMLS_ALLOC(k->preq, M); /* last: say_done waits on it when it is not NULL */
    for (int s = 0; s < M; s++)
        k->preq[s] = MPI_REQUEST_NULL;
    k->clock = cx->k * cx->S;
    int64_t first = k->clock;
    while (amls__ps_dropped_fixed(cx->o, cx->W, first, k->widx) && first < cx->E * cx->S)
        first++;
    k->clock = first;
    for (int s = 0; s < M; s++)
        k->required[s] = first;
    k->order_epoch = -1;
    k->deal_epoch = cx->k;
cleanup:
    return rc;
}

static void wk_free(ps_wk *k)
{
    for (int s = 0; k->qbuf && s < k->cx->M; s++) {
        amls__free(k->qbuf[s]);
        amls__free(k->pbuf[s]);
        amls__free(k->rbuf[s]);
    }
    amls__sgd_ws_free(&k->ws);
    amls__free(k->w);
    amls__free(k->w0);
    amls__free(k->order);
    amls__free(k->tag);
    amls__free(k->required);
    amls__free(k->kbeg);
    amls__free(k->qbuf);
    amls__free(k->pbuf);
    amls__free(k->rbuf);
    amls__free(k->qcap);
    amls__free(k->pcap);
    amls__free(k->rcap);
    amls__free(k->qreq);
    amls__free(k->preq);
    amls__free(k->rreq);
}

int amls__ps_worker(const amls__ps_ctx *cx, int widx, MPI_Comm wcomm, amls__ps_rows *rows,
                    bool *remote)
{
    ps_wk k = {.cx = cx, .widx = widx, .wcomm = wcomm, .rows = rows};
    int rc = wk_init(&k);
    while (rc == AMLS_OK && !k.stop)
        rc = iterate(&k);
    int drc = say_done(&k, rc);
    *remote = k.remote;
    wk_free(&k);
    return rc < 0 ? rc : drc;
}
