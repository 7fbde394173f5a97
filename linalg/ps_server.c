/* ---------------------------------------------------------------------------------------------
 * linalg/ps_server.c — a parameter server: holds one range of the model and serves pulls and
 * pushes from every worker, with point-to-point messages and a probe loop.
 * SPDX-License-Identifier: MIT
 *
 * Why point-to-point with MPI_Mprobe/MPI_Mrecv and not one-sided windows: every arrival needs
 * a decision (accept or drop a gradient, close a step, answer or defer a pull under SSP, write
 * a trace line), messages are sparse and of varying size, and deferred answers are the whole
 * point of SSP. With windows the server would still have to poll flags written by workers
 * (passive target progress on an oversubscribed node is poor), and the decisions would need
 * atomics and locks; with a probe loop each message is handled once, in arrival order, by one
 * process that owns the state. A server never blocks on a collective inside the loop, so one
 * server's work (a checkpoint, an evaluation) cannot deadlock the others.
 *
 * Progress is counted in units: steps for BSP and backup (a step closes when `need` gradients
 * computed on the current parameters have arrived; later ones are dropped), gradients applied
 * for ASP and SSP. A pull is answered when the strategy allows it (BSP/backup: the step the
 * worker waits for has closed; SSP: the slowest active worker has pushed at least c - s
 * batches; ASP: at once) and deferred otherwise. The run ends when the units reach the budget,
 * when a worker leaves a synchronous run, or when a worker reports an error; every pull is then
 * answered with PS_STOP (and PS_ERROR). Evaluation points are snapshots of each server's range
 * sent to server 0, which checkpoints, evaluates and prints them (linalg/ps_points.c).
 * ------------------------------------------------------------------------------------------- */
#include "ps_server.h"

/* Minimum clock over the active workers (the current time when none is active). */
static int64_t min_clock(const ps_srv *s)
{
    int64_t mn = INT64_MAX;
    for (int w = 0; w < s->cx->W; w++)
        if (s->active[w] && s->clock[w] < mn)
            mn = s->clock[w];
    return mn == INT64_MAX ? s->t : mn;
}

static void stop(ps_srv *s)
{
    s->stopped = true;
}

/* True when worker w's pending pull may be answered now. */
static bool can_answer(const ps_srv *s, int w)
{
    const ps_pull *p = &s->pull[w];
    if (s->stopped)
        return true;
    switch (s->cx->o->update) {
    case AMLS_PS_BSP:
    case AMLS_PS_BACKUP:
        return s->t >= p->required;
    case AMLS_PS_SSP:
        return min_clock(s) >= p->clock - s->cx->o->staleness;
    default:
        return true;
    }
}

/* Sends the answer to worker w's pending pull. */
static int answer(ps_srv *s, int w)
{
    int rc = AMLS_OK;
    ps_pull *p = &s->pull[w];
    int64_t nk = (int64_t)p->keys.len, mc = min_clock(s);
    const int64_t *keys = p->keys.data;
    AMLS_MPI_TRY(MPI_Wait(&s->rreq[w], MPI_STATUS_IGNORE));
    size_t need = sizeof(ps_hdr) + (size_t)nk * sizeof(double);
    if (need > s->rcap[w]) {
        char *nb = amls__realloc(s->rbuf[w], need, 1);
        AMLS_CHECK(nb != NULL, AMLS_ERR_NOMEM, "out of memory (reply of %zu bytes)", need);
        s->rbuf[w] = nb;
        s->rcap[w] = need;
    }
    ps_hdr h = {.type = PS_PULL, .from = s->sidx, .tag = s->t, .nkeys = nk, .extra = mc};
    if (s->stopped)
        h.flags = PS_STOP | (s->err < 0 || s->remote ? PS_ERROR : 0);
    double *vals = (double *)(s->rbuf[w] + sizeof h);
    for (int64_t i = 0; i < nk && !s->stopped; i++)
        vals[i] = s->w[keys[i] - s->lo];
    memcpy(s->rbuf[w], &h, sizeof h);
    if (!s->stopped)
        s->st.max_gap = AMLS_MAX(s->st.max_gap, p->clock - mc);
    if (s->trace)
        fprintf(s->trace, "reply %d %lld %lld %lld %d\n", w, (long long)p->clock, (long long)s->t,
                (long long)mc, h.flags);
    p->pending = false;
    AMLS_MPI_TRY(MPI_Isend(s->rbuf[w], (int)need, MPI_BYTE, s->cx->M + w, PS_TAG_REPLY, s->cx->comm,
                           &s->rreq[w]));
cleanup:
    return rc;
}

/* Answers every pending pull the strategy now allows. */
static int serve_pending(ps_srv *s)
{
    int rc = AMLS_OK;
    for (int w = 0; w < s->cx->W; w++)
        if (s->pull[w].pending && can_answer(s, w))
            AMLS_TRY(answer(s, w));
cleanup:
    return rc;
}

/* After progress: snapshots that are due, the end of the budget, deferred pulls. */
static int progressed(ps_srv *s)
{
    int rc = AMLS_OK;
    if (s->t >= s->t_end)
        stop(s);
    AMLS_TRY(amls__ps_points_due(s));
    AMLS_TRY(serve_pending(s));
cleanup:
    return rc;
}

/* Applies the gradient sums (or deltas) gathered in acc for the touched coordinates. */
static void apply_touched(ps_srv *s, double rows, int64_t epoch)
{
    const amls_sgd_hparams *hp = &s->cx->o->hp;
    double eta = amls_sgd_lr(hp, epoch);
    const int64_t *tl = s->touched.data;
    for (size_t i = 0; i < s->touched.len; i++) {
        int64_t q = tl[i];
        if (rows <= 0) /* an empty batch (a share smaller than S): nothing to apply */
            ;
        else if (s->cx->o->per_epoch)
            s->w[q] += s->acc[q] / rows;
        else
            amls__sgd_apply(hp, eta, s->lo + q > 0, s->acc[q] / rows, &s->w[q],
                            s->h ? &s->h[q] : NULL);
        s->acc[q] = 0.0;
        s->mark[q] = 0;
    }
    s->touched.len = 0;
}

/* Adds a gradient's values into acc (in the order of the calls). */
static int accumulate(ps_srv *s, const int64_t *keys, const double *vals, int64_t nk)
{
    int rc = AMLS_OK;
    for (int64_t i = 0; i < nk; i++) {
        int64_t q = keys[i] - s->lo;
        if (!s->mark[q]) {
            s->mark[q] = 1;
            AMLS_TRY(amls__vec_push_i64(&s->touched, q));
        }
        s->acc[q] += vals[i];
    }
cleanup:
    return rc;
}

/* BSP/backup: the step has its gradients; sum them in worker order and apply. */
static int close_step(ps_srv *s)
{
    int rc = AMLS_OK;
    double rows = 0;
    if (s->trace)
        fprintf(s->trace, "step %lld", (long long)s->t);
    for (int w = 0; w < s->cx->W; w++) {
        ps_grad *g = &s->grad[w];
        if (!g->has)
            continue;
        AMLS_TRY(accumulate(s, g->keys.data, g->vals.data, (int64_t)g->keys.len));
        rows += s->cx->o->per_epoch ? 1.0 : (double)g->nrows;
        g->has = false;
        if (s->trace)
            fprintf(s->trace, " %d:%lld", w, (long long)g->clock);
    }
    if (s->trace)
        fprintf(s->trace, "\n");
    apply_touched(s, rows, s->t / s->cx->S);
    s->st.updates += s->naccepted;
    s->stale_n += s->naccepted;
    s->naccepted = 0;
    s->t++;
    AMLS_TRY(progressed(s));
cleanup:
    return rc;
}

static int copy_grad(ps_grad *g, const ps_hdr *h, const int64_t *keys, const double *vals)
{
    int rc = AMLS_OK;
    g->keys.len = g->vals.len = 0;
    AMLS_TRY(amls__vec_reserve(&g->keys, (size_t)h->nkeys));
    AMLS_TRY(amls__vec_reserve(&g->vals, (size_t)h->nkeys));
    memcpy(g->keys.data, keys, (size_t)h->nkeys * sizeof *keys);
    memcpy(g->vals.data, vals, (size_t)h->nkeys * sizeof *vals);
    g->keys.len = g->vals.len = (size_t)h->nkeys;
    g->has = true;
    g->clock = h->clock;
    g->nrows = h->nrows;
cleanup:
    return rc;
}

/* A push under BSP/backup: accepted when computed on the current step's parameters and the
 * step still needs gradients; otherwise it is late and dropped. */
static int push_sync(ps_srv *s, const ps_hdr *h, const int64_t *keys, const double *vals)
{
    int rc = AMLS_OK;
    int w = h->from;
    AMLS_CHECK(h->tag <= s->t, AMLS_ERR_INTERNAL, "worker %d pushed for step %lld at step %lld", w,
               (long long)h->tag, (long long)s->t);
    bool acc = !s->stopped && h->tag == s->t && !s->grad[w].has &&
               !amls__ps_dropped_fixed(s->cx->o, s->cx->W, s->t, w);
    if (s->trace)
        fprintf(s->trace, "push %d %lld %lld %lld %s\n", w, (long long)h->clock, (long long)h->tag,
                (long long)s->t, acc ? "acc" : (s->stopped ? "ignored" : "drop"));
    if (!acc) {
        s->st.dropped += !s->stopped;
        return AMLS_OK;
    }
    AMLS_TRY(copy_grad(&s->grad[w], h, keys, vals));
    if (++s->naccepted == s->cx->need)
        AMLS_TRY(close_step(s));
cleanup:
    return rc;
}

/* A push under ASP/SSP: applied on arrival; its staleness is the number of gradients applied
 * since the worker's parameters were read. After the budget, pushes are ignored. */
static int push_async(ps_srv *s, const ps_hdr *h, const int64_t *keys, const double *vals)
{
    int rc = AMLS_OK;
    int64_t stale = s->t - h->tag;
    if (s->trace)
        fprintf(s->trace, "push %d %lld %lld %lld %s %lld\n", h->from, (long long)h->clock,
                (long long)h->tag, (long long)s->t, s->stopped ? "ignored" : "acc",
                (long long)stale);
    if (s->stopped)
        return AMLS_OK;
    AMLS_TRY(accumulate(s, keys, vals, h->nkeys));
    apply_touched(s, s->cx->o->per_epoch ? (double)s->cx->W : (double)h->nrows,
                  h->clock / s->cx->S);
    s->st.updates++;
    s->st.max_staleness = AMLS_MAX(s->st.max_staleness, stale);
    s->stale_sum += (double)stale;
    s->stale_n++;
    s->t++;
    AMLS_TRY(progressed(s));
cleanup:
    return rc;
}

/* Checks that a message's keys are sorted and inside this server's range. */
static int check_keys(const ps_srv *s, const ps_hdr *h, const int64_t *keys, size_t bytes,
                      bool with_vals)
{
    size_t want = sizeof *h + (size_t)h->nkeys * (with_vals ? 16 : 8);
    bool ok = h->nkeys >= 0 && bytes == want && h->from >= 0 && h->from < s->cx->W;
    for (int64_t i = 0; ok && i < h->nkeys; i++)
        ok = keys[i] >= s->lo && keys[i] < s->lo + s->n && (i == 0 || keys[i] > keys[i - 1]);
    return ok ? AMLS_OK
              : amls_error(AMLS_ERR_INTERNAL, "server %d: malformed message from worker %d",
                           s->sidx, h->from);
}

static int on_pull(ps_srv *s, const ps_hdr *h, const int64_t *keys)
{
    int rc = AMLS_OK;
    ps_pull *p = &s->pull[h->from];
    AMLS_CHECK(!p->pending, AMLS_ERR_INTERNAL, "worker %d pulled twice", h->from);
    p->keys.len = 0;
    AMLS_TRY(amls__vec_reserve(&p->keys, (size_t)h->nkeys));
    memcpy(p->keys.data, keys, (size_t)h->nkeys * sizeof *keys);
    p->keys.len = (size_t)h->nkeys;
    p->clock = h->clock;
    p->required = h->tag;
    p->pending = true;
    if (s->trace)
        fprintf(s->trace, "pull %d %lld %lld\n", h->from, (long long)h->clock, (long long)h->tag);
    if (can_answer(s, h->from))
        AMLS_TRY(answer(s, h->from));
cleanup:
    return rc;
}

static int on_done(ps_srv *s, const ps_hdr *h)
{
    int w = h->from;
    s->active[w] = false;
    s->ndone++;
    if (s->trace)
        fprintf(s->trace, "done %d %d\n", w, h->code);
    if (h->code < 0)
        s->remote = true;
    /* A worker leaving a synchronous run ends it; an error ends any run. */
    if (h->code < 0 || (s->cx->sync && !s->stopped))
        stop(s);
    return serve_pending(s);
}

/* Handles one message from a worker. */
static int on_worker(ps_srv *s, const char *buf, size_t bytes)
{
    ps_hdr h;
    if (bytes < sizeof h)
        return amls_error(AMLS_ERR_INTERNAL, "server %d: short message", s->sidx);
    memcpy(&h, buf, sizeof h);
    const int64_t *keys = (const int64_t *)(buf + sizeof h);
    const double *vals = (const double *)(keys + (h.nkeys > 0 ? h.nkeys : 0));
    int rc = AMLS_OK;
    switch (h.type) {
    case PS_PULL:
        AMLS_TRY(check_keys(s, &h, keys, bytes, false));
        return on_pull(s, &h, keys);
    case PS_PUSH:
        AMLS_TRY(check_keys(s, &h, keys, bytes, true));
        s->clock[h.from] = h.clock + 1;
        return s->cx->sync ? push_sync(s, &h, keys, vals) : push_async(s, &h, keys, vals);
    case PS_DONE:
        return on_done(s, &h);
    default:
        return amls_error(AMLS_ERR_INTERNAL, "server %d: unknown message type %d", s->sidx, h.type);
    }
cleanup:
    return rc;
}

/* After a local failure the server keeps serving (with PS_STOP | PS_ERROR) so that every
 * worker learns and leaves; the failure is reported once the loop ends. */
static void fail(ps_srv *s, int rc)
{
    if (s->err == AMLS_OK)
        s->err = rc;
    stop(s);
    (void)serve_pending(s);
}

/* Receives one message of any source and tag into s->buf. */
static int receive(ps_srv *s, MPI_Status *st, size_t *bytes)
{
    int rc = AMLS_OK, cnt = 0;
    MPI_Message msg;
    AMLS_MPI_TRY(MPI_Mprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, s->cx->comm, &msg, st));
    AMLS_MPI_TRY(MPI_Get_count(st, MPI_BYTE, &cnt));
    if ((size_t)cnt > s->cap) {
        size_t ncap = AMLS_MAX((size_t)cnt, 2 * s->cap);
        char *nb = amls__realloc(s->buf, ncap, 1);
        if (nb == NULL) {
            /* Receive and drop it so that the sender is not left waiting. */
            char dummy;
            AMLS_MPI_TRY(MPI_Mrecv(&dummy, 0, MPI_BYTE, &msg, MPI_STATUS_IGNORE));
            return amls_error(AMLS_ERR_NOMEM, "out of memory (message of %d bytes)", cnt);
        }
        s->buf = nb;
        s->cap = ncap;
    }
    AMLS_MPI_TRY(MPI_Mrecv(s->buf, cnt, MPI_BYTE, &msg, st));
    *bytes = (size_t)cnt;
cleanup:
    return rc;
}

/* The loop: until every worker is done (server 0: and every peer's snapshots are in). */
static int serve(ps_srv *s)
{
    int rc = AMLS_OK;
    bool flushed = false;
    for (;;) {
        if (s->ndone == s->cx->W && !flushed) {
            flushed = true;
            rc = amls__ps_points_flush(s);
            if (rc < 0)
                break; /* MPI failed: nothing more can be sent */
        }
        if (flushed && (s->sidx != 0 || amls__ps_points_complete(s)))
            break;
        MPI_Status st;
        size_t bytes = 0;
        rc = receive(s, &st, &bytes);
        if (rc == AMLS_ERR_NOMEM) {
            fail(s, rc);
            continue;
        }
        if (rc < 0)
            break;
        if (st.MPI_TAG == PS_TAG_REQ)
            rc = on_worker(s, s->buf, bytes);
        else
            rc = amls__ps_on_peer(s, s->buf, bytes);
        if (rc < 0)
            fail(s, rc);
        rc = AMLS_OK;
    }
    return rc;
}

int amls__ps_server(const amls__ps_ctx *cx, int sidx, double *w, double *h, amls__vec *hist,
                    amls__ps_stats *st, bool *remote)
{
    int rc = AMLS_OK;
    ps_srv s = {.cx = cx, .sidx = sidx, .w = w, .h = h, .hist = hist, .err = AMLS_OK};
    s.lo = cx->off[sidx];
    s.n = cx->off[sidx + 1] - s.lo;
    AMLS_TRY(amls__ps_srv_init(&s));
    rc = serve(&s);
    int mrc = MPI_Waitall(cx->W, s.rreq, MPI_STATUSES_IGNORE);
    if (rc == AMLS_OK && mrc != MPI_SUCCESS)
        rc = amls__mpi_error(mrc, "MPI_Waitall", __FILE__, __LINE__);
    AMLS_TRY(rc);
    AMLS_TRY(amls__ps_points_finish(&s));
    rc = s.err;
cleanup:
    *st = s.st;
    *remote = s.remote;
    amls__ps_srv_free(&s);
    return rc;
}
