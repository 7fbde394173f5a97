/* ---------------------------------------------------------------------------------------------
 * linalg/ps_points.c — evaluation points of a parameter-server run: every server snapshots its
 * range when the progress reaches a point and sends it to server 0, which assembles the model,
 * writes the checkpoint at epoch ends, evaluates it on its evaluation rows and prints the
 * progress line. Also the set-up and tear-down of a server's state.
 * SPDX-License-Identifier: MIT
 *
 * Point q (0-based, evals_per_epoch = K per epoch) is reached when the units (steps, or
 * gradients applied) reach k*upe + ceil((q + 1) upe / K). Snapshots travel with MPI_Issend and
 * a server announces how many it sent in a final "fin" message, so server 0 knows when the
 * last one has arrived without any collective inside the loop.
 * ------------------------------------------------------------------------------------------- */
#include "ps_server.h"

#include <errno.h>

static int64_t point_unit(const ps_srv *s, int64_t q)
{
    int64_t K = s->cx->o->evals_per_epoch;
    return s->cx->k * s->upe + ((q + 1) * s->upe + K - 1) / K;
}

static bool epoch_end(const ps_srv *s, int64_t q)
{
    return (q + 1) % s->cx->o->evals_per_epoch == 0;
}

static double point_epoch(const ps_srv *s, int64_t q)
{
    return (double)s->cx->k + (double)(q + 1) / (double)s->cx->o->evals_per_epoch;
}

/* Evaluates the assembled model of point q, records and prints it. */
static int evaluate(ps_srv *s, int64_t q, const ps_snap *sn)
{
    const amls__ps_ctx *cx = s->cx;
    const amls_ps_opts *o = cx->o;
    double tr[AMLS__NSUMS] = {0}, te[AMLS__NSUMS] = {0};
    amls__sgd_sums(o->hp.model, sn->w, cx->nfeat, &cx->eval_train.r, NULL, 0, tr);
    amls__sgd_sums(o->hp.model, sn->w, cx->nfeat, &cx->eval_test.r, NULL, 0, te);
    amls_ps_point p = {.epoch = point_epoch(s, q),
                       .seconds = sn->seconds,
                       .updates = sn->st.updates,
                       .dropped = sn->st.dropped,
                       .max_staleness = sn->st.max_staleness,
                       .mean_staleness = sn->mean_staleness};
    amls__sgd_metrics(tr, &p.train);
    amls__sgd_metrics(te, &p.test);
    if (o->progress) {
        bool lin = o->hp.model == AMLS_SGD_LINREG;
        fprintf(o->progress, "# epoch %.2f: loss %.6f train_%s %.6f", p.epoch, p.train.loss,
                lin ? "rmse" : "accuracy", lin ? p.train.rmse : p.train.accuracy);
        if (p.test.rows > 0)
            fprintf(o->progress, " test_%s %.6f", lin ? "rmse" : "accuracy",
                    lin ? p.test.rmse : p.test.accuracy);
        fprintf(o->progress,
                " updates %lld dropped %lld max_staleness %lld mean_staleness %.2f seconds "
                "%.3f\n",
                (long long)p.updates, (long long)p.dropped, (long long)p.max_staleness,
                p.mean_staleness, p.seconds);
        fflush(o->progress);
    }
    return amls__vec_push(s->hist, &p);
}

/* Server 0: adds a range to point q; when all ranges are in, checkpoints and evaluates. */
static int store_slice(ps_srv *s, int64_t q, int64_t lo, int64_t n, const double *w,
                       const double *h)
{
    int rc = AMLS_OK;
    ps_snap *sn = &s->snaps[q];
    AMLS_CHECK(q >= 0 && q < s->Q && lo >= 0 && lo + n <= s->cx->m, AMLS_ERR_INTERNAL,
               "server 0: malformed snapshot");
    if (sn->w == NULL)
        AMLS_CHECK((sn->w = amls__calloc((size_t)s->cx->m, sizeof *sn->w)) != NULL, AMLS_ERR_NOMEM,
                   "out of memory (snapshot)");
    memcpy(sn->w + lo, w, (size_t)n * sizeof *w);
    if (h != NULL) {
        if (sn->h == NULL)
            AMLS_CHECK((sn->h = amls__calloc((size_t)s->cx->m, sizeof *sn->h)) != NULL,
                       AMLS_ERR_NOMEM, "out of memory (snapshot)");
        memcpy(sn->h + lo, h, (size_t)n * sizeof *h);
    }
    if (++sn->have < s->cx->M || s->err < 0 || s->remote)
        goto cleanup;
    if (epoch_end(s, q) && s->cx->o->checkpoint_dir)
        AMLS_TRY(amls__ps_ckpt_write(s->cx, s->cx->k + (q + 1) / s->cx->o->evals_per_epoch, sn->w,
                                     sn->h, &sn->st));
    AMLS_TRY(evaluate(s, q, sn));
cleanup:
    if (sn->have >= s->cx->M || rc < 0) {
        amls__free(sn->w);
        amls__free(sn->h);
        sn->w = sn->h = NULL;
    }
    return rc;
}

/* Sends a message to server 0 with MPI_Issend, keeping its buffer until it completes. */
static int send_peer(ps_srv *s, const ps_hdr *h, const double *a, const double *b, int64_t n)
{
    int rc = AMLS_OK;
    size_t bytes = sizeof *h + (size_t)n * sizeof(double) * (b ? 2 : (a ? 1 : 0));
    char *buf = NULL;
    MPI_Request req = MPI_REQUEST_NULL;
    int done = 0;
    /* Buffers of completed sends are released (all at once, to keep the bookkeeping simple). */
    if (s->peer_req.len > 0) {
        AMLS_MPI_TRY(
            MPI_Testall((int)s->peer_req.len, s->peer_req.data, &done, MPI_STATUSES_IGNORE));
        for (size_t i = 0; done && i < s->peer_buf.len; i++)
            amls__free(((char **)s->peer_buf.data)[i]);
        if (done)
            s->peer_req.len = s->peer_buf.len = 0;
    }
    buf = amls__malloc(bytes, 1);
    AMLS_CHECK(buf != NULL, AMLS_ERR_NOMEM, "out of memory (snapshot of %zu bytes)", bytes);
    memcpy(buf, h, sizeof *h);
    if (a)
        memcpy(buf + sizeof *h, a, (size_t)n * sizeof *a);
    if (b)
        memcpy(buf + sizeof *h + (size_t)n * sizeof *a, b, (size_t)n * sizeof *b);
    AMLS_TRY(amls__vec_push(&s->peer_buf, &buf));
    buf = NULL;
    AMLS_MPI_TRY(MPI_Issend(((char **)s->peer_buf.data)[s->peer_buf.len - 1], (int)bytes, MPI_BYTE,
                            0, PS_TAG_PEER, s->cx->comm, &req));
    AMLS_TRY(amls__vec_push(&s->peer_req, &req));
cleanup:
    amls__free(buf);
    return rc;
}

static int snapshot(ps_srv *s, int64_t q)
{
    const amls_ps_opts *o = s->cx->o;
    bool with_h = s->h != NULL && epoch_end(s, q) && o->checkpoint_dir != NULL;
    double mean = s->stale_n > 0 ? s->stale_sum / (double)s->stale_n : 0.0;
    s->stale_sum = 0;
    s->stale_n = 0;
    if (s->sidx == 0) {
        ps_snap *sn = &s->snaps[q];
        sn->seconds = amls__now() - s->cx->t0;
        sn->st = s->st;
        sn->mean_staleness = mean;
        return store_slice(s, q, s->lo, s->n, s->w, with_h ? s->h : NULL);
    }
    ps_hdr h = {.type = PS_SNAP,
                .from = s->sidx,
                .clock = s->lo,
                .nkeys = s->n,
                .nrows = q,
                .extra = with_h};
    s->snaps_sent++;
    return send_peer(s, &h, s->w, with_h ? s->h : NULL, s->n);
}

int amls__ps_points_due(ps_srv *s)
{
    int rc = AMLS_OK;
    while (s->next_q < s->Q && s->t >= point_unit(s, s->next_q))
        AMLS_TRY(snapshot(s, s->next_q++));
cleanup:
    return rc;
}

int amls__ps_points_flush(ps_srv *s)
{
    int rc = AMLS_OK;
    while (s->err == AMLS_OK && !s->remote && s->next_q < s->Q)
        AMLS_TRY(snapshot(s, s->next_q++));
cleanup:
    if (s->sidx != 0) {
        ps_hdr h = {.type = PS_FIN, .from = s->sidx, .extra = s->snaps_sent};
        int frc = send_peer(s, &h, NULL, NULL, 0);
        rc = rc < 0 ? rc : frc;
    }
    return rc;
}

bool amls__ps_points_complete(const ps_srv *s)
{
    return s->nfin == s->cx->M - 1 && s->snaps_recv == s->snaps_expected;
}

int amls__ps_on_peer(ps_srv *s, const char *buf, size_t bytes)
{
    ps_hdr h;
    if (s->sidx != 0 || bytes < sizeof h)
        return amls_error(AMLS_ERR_INTERNAL, "server %d: unexpected peer message", s->sidx);
    memcpy(&h, buf, sizeof h);
    if (h.type == PS_FIN) {
        s->nfin++;
        s->snaps_expected += h.extra;
        return AMLS_OK;
    }
    size_t want = sizeof h + (size_t)h.nkeys * sizeof(double) * (h.extra ? 2 : 1);
    if (h.type != PS_SNAP || h.nkeys < 0 || bytes != want)
        return amls_error(AMLS_ERR_INTERNAL, "server 0: malformed snapshot message");
    s->snaps_recv++;
    const double *w = (const double *)(buf + sizeof h);
    return store_slice(s, h.nrows, h.clock, h.nkeys, w, h.extra ? w + h.nkeys : NULL);
}

int amls__ps_points_finish(ps_srv *s)
{
    int rc = AMLS_OK;
    if (s->peer_req.len > 0)
        AMLS_MPI_TRY(MPI_Waitall((int)s->peer_req.len, s->peer_req.data, MPI_STATUSES_IGNORE));
cleanup:
    return rc;
}

int amls__ps_srv_init(ps_srv *s)
{
    int rc = AMLS_OK;
    const amls__ps_ctx *cx = s->cx;
    int W = cx->W;
    amls__vec_init(&s->touched, sizeof(int64_t));
    amls__vec_init(&s->peer_req, sizeof(MPI_Request));
    amls__vec_init(&s->peer_buf, sizeof(char *));
    AMLS_CALLOC(s->clock, W);
    AMLS_CALLOC(s->active, W);
    AMLS_CALLOC(s->pull, W);
    AMLS_CALLOC(s->grad, W);
    AMLS_CALLOC(s->rbuf, W);
    AMLS_CALLOC(s->rcap, W);
    AMLS_CALLOC(s->rreq, W);
    AMLS_CALLOC(s->acc, s->n + 1);
    AMLS_CALLOC(s->mark, s->n + 1);
    s->upe = cx->sync ? cx->S : cx->S * W;
    s->t = cx->k * s->upe;
    s->t_end = cx->E * s->upe;
    s->Q = (cx->E - cx->k) * cx->o->evals_per_epoch;
    for (int w = 0; w < W; w++) {
        s->clock[w] = cx->k * cx->S;
        s->active[w] = true;
        s->rreq[w] = MPI_REQUEST_NULL;
        amls__vec_init(&s->pull[w].keys, sizeof(int64_t));
        amls__vec_init(&s->grad[w].keys, sizeof(int64_t));
        amls__vec_init(&s->grad[w].vals, sizeof(double));
    }
    if (s->sidx == 0)
        AMLS_CALLOC(s->snaps, s->Q + 1);
    if (cx->o->trace) {
        char path[4200];
        snprintf(path, sizeof path, "%s.s%d", cx->o->trace, s->sidx);
        s->trace = fopen(path, "w");
        AMLS_CHECK(s->trace != NULL, AMLS_ERR_IO, "%s: cannot open the trace for writing: %s", path,
                   strerror(errno));
    }
    if (s->t >= s->t_end)
        s->stopped = true;
cleanup:
    return rc;
}

void amls__ps_srv_free(ps_srv *s)
{
    for (int w = 0; s->pull && w < s->cx->W; w++) {
        amls__vec_free(&s->pull[w].keys);
        amls__vec_free(&s->grad[w].keys);
        amls__vec_free(&s->grad[w].vals);
    }
    for (int w = 0; s->rbuf && w < s->cx->W; w++)
        amls__free(s->rbuf[w]);
    for (int64_t q = 0; s->snaps && q < s->Q; q++) {
        amls__free(s->snaps[q].w);
        amls__free(s->snaps[q].h);
    }
    for (size_t i = 0; i < s->peer_buf.len; i++)
        amls__free(((char **)s->peer_buf.data)[i]);
    if (s->trace)
        fclose(s->trace);
    amls__vec_free(&s->touched);
    amls__vec_free(&s->peer_req);
    amls__vec_free(&s->peer_buf);
    amls__free(s->clock);
    amls__free(s->active);
    amls__free(s->pull);
    amls__free(s->grad);
    amls__free(s->rbuf);
    amls__free(s->rcap);
    amls__free(s->rreq);
    amls__free(s->acc);
    amls__free(s->mark);
    amls__free(s->snaps);
    amls__free(s->buf);
}
