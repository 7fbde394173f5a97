/* ---------------------------------------------------------------------------------------------
 * core/exchange.c — the exchange primitive: route records to ranks (count, pack, all-to-all,
 * unpack), request/reply exchanges and routed lookups built on it.
 * SPDX-License-Identifier: MIT
 *
 * Every module that moves records between ranks (the graph loader, id lookups, conversions to
 * original-id order, plan-based gathers and reductions, the superstep's messages and published
 * values, SpMSpV) goes through these few calls, so the bookkeeping of counts, offsets and
 * buffers, the 64-bit all-to-all and the agreement on errors before moving are written once.
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

int amls__xchg_setup(amls__xchg *x, MPI_Comm comm, int nranks)
{
    int rc = AMLS_OK;
    memset(x, 0, sizeof *x);
    x->comm = comm;
    x->nranks = nranks;
    AMLS_CALLOC(x->scnt, nranks);
    AMLS_CALLOC(x->soff, nranks + 1);
    AMLS_CALLOC(x->fill, nranks);
    AMLS_CALLOC(x->rcnt, nranks);
    AMLS_CALLOC(x->roff, nranks + 1);
    AMLS_ALLOC(x->req, nranks);
    x->req_cap = nranks;
cleanup:
    return rc;
}

int amls__xchg_init(amls__xchg *x, MPI_Comm comm)
{
    int nranks = 1;
    memset(x, 0, sizeof *x);
    x->comm = comm;
    int rc = amls__comm_rank(comm, NULL, &nranks);
    return rc < 0 ? rc : amls__xchg_setup(x, comm, nranks);
}

int amls__xchg_pack(amls__xchg *x)
{
    int rc = AMLS_OK;
    for (int p = 0; p < x->nranks; p++) {
        x->soff[p + 1] = x->soff[p] + x->scnt[p];
        x->fill[p] = x->soff[p];
    }
    AMLS_ALLOC(x->send, x->soff[x->nranks] + 1);
cleanup:
    return rc;
}

static void set_roff(amls__xchg *x)
{
    x->roff[0] = 0;
    for (int p = 0; p < x->nranks; p++)
        x->roff[p + 1] = x->roff[p] + x->rcnt[p];
    x->nrecv = x->roff[x->nranks];
}

#ifndef NDEBUG
/* Every rank was packed exactly as counted. */
static bool packed_as_counted(const amls__xchg *x)
{
    for (int p = 0; p < x->nranks; p++)
        if (x->fill[p] != x->soff[p + 1])
            return false;
    return true;
}
#endif

int amls__xchg_local(amls__xchg *x)
{
    AMLS_ASSERT(x->nranks == 1 && packed_as_counted(x));
    x->rcnt[0] = x->scnt[0];
    set_roff(x);
    x->recv = x->send;
    x->send = NULL;
    return AMLS_OK;
}

int amls__xchg_run(amls__xchg *x, int rc)
{
    AMLS_AGREE(x->comm, rc);
    AMLS_ASSERT(packed_as_counted(x));
    if (x->nranks == 1) {
        AMLS_TRY(amls__xchg_local(x));
        goto cleanup;
    }
    int64_t total = 0;
    AMLS_TRY(amls__alltoallv_bytes(x->comm, x->send, x->scnt, (void **)&x->recv, x->rcnt, &total));
    set_roff(x);
cleanup:
    amls__free(x->send);
    x->send = NULL;
    return rc;
}

/* Moves the packed bytes into recv, whose layout x->rcnt is known. Collective. */
static int move_into(amls__xchg *x, int rc, char *recv)
{
    AMLS_AGREE(x->comm, rc);
    AMLS_ASSERT(packed_as_counted(x));
    set_roff(x);
    x->recv = recv;
    if (x->nranks == 1) {
        AMLS_CHECK(x->scnt[0] == x->rcnt[0], AMLS_ERR_INTERNAL,
                   "exchange: %lld bytes sent to self, %lld expected", (long long)x->scnt[0],
                   (long long)x->rcnt[0]);
        if (x->scnt[0] > 0)
            memcpy(recv, x->send, (size_t)x->scnt[0]);
        goto cleanup;
    }
    AMLS_TRY(amls__alltoallv_into(x->comm, x->send, x->scnt, recv, x->rcnt));
cleanup:
    amls__free(x->send);
    x->send = NULL;
    return rc;
}

int amls__xchg_run_into(amls__xchg *x, int rc, void *recv, const int64_t *rcnt)
{
    if (rc == AMLS_OK && x->rcnt)
        memcpy(x->rcnt, rcnt, (size_t)x->nranks * sizeof *rcnt);
    x->recv_ext = true;
    return move_into(x, rc, recv);
}

int amls__xchg_reply(const amls__xchg *req, size_t req_rec, size_t ans_rec, amls__xchg *ans)
{
    int rc = amls__xchg_setup(ans, req->comm, req->nranks);
    if (rc < 0)
        return rc;
    for (int p = 0; p < req->nranks; p++) {
        ans->scnt[p] = req->rcnt[p] / (int64_t)req_rec * (int64_t)ans_rec;
        ans->rcnt[p] = req->scnt[p] / (int64_t)req_rec * (int64_t)ans_rec;
    }
    return amls__xchg_pack(ans);
}

int amls__xchg_run_reply(amls__xchg *ans, int rc)
{
    int64_t total = 0;
    for (int p = 0; p < ans->nranks; p++)
        total += ans->rcnt[p];
    char *buf = rc < 0 ? NULL : amls__malloc((size_t)total + 1, 1);
    rc = move_into(ans, rc < 0 ? rc : amls__alloc_status(buf != NULL), buf);
    if (ans->recv != buf)
        amls__free(buf);
    return rc;
}

/* ---- Point-to-point rounds ----------------------------------------------------------- */

static int64_t p2p_chunk = (int64_t)1 << 30;

void amls__xchg_set_chunk(int64_t bytes)
{
    p2p_chunk = bytes > 0 ? bytes : (int64_t)1 << 30;
}

void amls__xchg_clear(amls__xchg *x)
{
    size_t b = (size_t)x->nranks * sizeof(int64_t);
    memset(x->scnt, 0, b);
    memset(x->fill, 0, b);
    memset(x->rcnt, 0, b);
    x->nrecv = 0;
}

/* Grows a kept buffer to at least `need` bytes (contents not kept). */
static int grow(char **buf, int64_t *cap, int64_t need)
{
    if (need <= *cap)
        return AMLS_OK;
    int64_t c = AMLS_MAX(need, *cap + *cap / 2);
    char *nb = amls__malloc((size_t)c + 1, 1);
    if (nb == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory for a %lld-byte exchange buffer",
                          (long long)c);
    amls__free(*buf);
    *buf = nb;
    *cap = c;
    return AMLS_OK;
}

int amls__xchg_pack_keep(amls__xchg *x)
{
    for (int p = 0; p < x->nranks; p++) {
        x->soff[p + 1] = x->soff[p] + x->scnt[p];
        x->fill[p] = x->soff[p];
    }
    return grow(&x->send, &x->send_cap, x->soff[x->nranks]);
}

/* Posts the chunks of the bytes for rank q. Local. */
static int post_sends(amls__xchg *x, int q, int tag, int *nreq)
{
    int rc = AMLS_OK;
    int64_t len = x->scnt[q], at = 0;
    do { /* the last chunk is shorter than a chunk, possibly empty */
        int64_t c = AMLS_MIN(p2p_chunk, len - at);
        AMLS_MPI_TRY(MPI_Isend(x->send + x->soff[q] + at, (int)c, MPI_BYTE, q, tag, x->comm,
                               &x->req[(*nreq)++]));
        at += c;
        if (c < p2p_chunk)
            break;
    } while (true);
cleanup:
    return rc;
}

/* Takes a matched message off the wire without room for it: a receive of no bytes truncates
 * it, an error returned (not fatal) for this one call and ignored. */
static void drain(MPI_Message *msg, MPI_Comm comm)
{
    char none[1];
    MPI_Errhandler old;
    MPI_Comm_get_errhandler(comm, &old);
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_Mrecv(none, 0, MPI_BYTE, msg, MPI_STATUS_IGNORE);
    MPI_Comm_set_errhandler(comm, old);
    MPI_Errhandler_free(&old);
}

/* Receives the chunks from rank q at the end of what was received so far. Out of memory, the
 * rest of q's chunks are still taken off the wire (a later exchange must not meet them), and
 * what came from q is dropped. Local. */
static int recv_from(amls__xchg *x, int q, int tag)
{
    int rc = AMLS_OK;
    x->roff[q] = x->nrecv;
    for (int n = (int)p2p_chunk; n == p2p_chunk;) {
        MPI_Message msg;
        MPI_Status st;
        AMLS_MPI_TRY(MPI_Mprobe(q, tag, x->comm, &msg, &st));
        AMLS_MPI_TRY(MPI_Get_count(&st, MPI_BYTE, &n));
        if (rc == AMLS_OK && x->nrecv + n > x->recv_cap) { /* grow, keeping what is there */
            int64_t c = AMLS_MAX(x->nrecv + n, x->recv_cap + x->recv_cap / 2);
            char *nb = amls__realloc(x->recv, (size_t)c + 1, 1);
            if (nb == NULL) {
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory receiving %d bytes", n);
            } else {
                x->recv = nb;
                x->recv_cap = c;
            }
        }
        if (rc < 0) {
            drain(&msg, x->comm);
            continue;
        }
        if (MPI_Mrecv(x->recv + x->nrecv, n, MPI_BYTE, &msg, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            rc = amls_error(AMLS_ERR_MPI, "MPI_Mrecv failed in a point-to-point exchange");
        x->nrecv += rc == AMLS_OK ? n : 0;
    }
cleanup:
    x->nrecv = rc < 0 ? x->roff[q] : x->nrecv;
    x->rcnt[q] = x->nrecv - x->roff[q];
    return rc;
}

int amls__xchg_run_p2p(amls__xchg *x, const uint8_t *to, const uint8_t *from, int tag)
{
    int rc = AMLS_OK, me = 0, nreq = 0;
    AMLS_TRY(amls__comm_rank(x->comm, &me, NULL));
    int need = 0;
    for (int q = 0; q < x->nranks; q++)
        if (to[q] && q != me)
            need += (int)(x->scnt[q] / p2p_chunk) + 1;
    if (need > x->req_cap) {
        MPI_Request *r = amls__realloc(x->req, (size_t)AMLS_MAX(need, x->nranks), sizeof *r);
        if (r == NULL) { /* promised messages still go out, empty (x->req has nranks) */
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory for %d requests", need);
            for (int q = 0; q < x->nranks; q++)
                x->scnt[q] = 0;
        } else {
            x->req = r;
            x->req_cap = AMLS_MAX(need, x->nranks);
        }
    }
    for (int q = 0; q < x->nranks; q++)
        if (to[q] && q != me)
            AMLS_TRY(post_sends(x, q, tag, &nreq));
    x->nrecv = 0;
    for (int q = 0; q < x->nranks; q++) {
        x->rcnt[q] = 0;
        x->roff[q] = x->nrecv;
        if (q == me && to[q] && x->scnt[q] > 0) {
            int64_t n = x->scnt[q];
            char *nb = x->nrecv + n <= x->recv_cap
                           ? x->recv
                           : amls__realloc(x->recv, (size_t)(x->nrecv + n) + 1, 1);
            if (nb == NULL) { /* keep receiving: the peers are sending */
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory copying %lld bytes", (long long)n);
                continue;
            }
            if (nb != x->recv) {
                x->recv = nb;
                x->recv_cap = x->nrecv + n;
            }
            memcpy(x->recv + x->nrecv, x->send + x->soff[q], (size_t)n);
            x->rcnt[q] = n;
            x->nrecv += n;
        } else if (q != me && from[q]) {
            int r = recv_from(x, q, tag);
            rc = rc < 0 ? rc : r; /* keep receiving: the peers are sending */
        }
    }
    x->roff[x->nranks] = x->nrecv;
cleanup:
    if (nreq > 0 && MPI_Waitall(nreq, x->req, MPI_STATUSES_IGNORE) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_MPI, "MPI_Waitall failed in a point-to-point exchange");
    return rc;
}

void amls__xchg_free(amls__xchg *x)
{
    amls__free(x->req);
    amls__free(x->scnt);
    amls__free(x->soff);
    amls__free(x->fill);
    amls__free(x->rcnt);
    amls__free(x->roff);
    amls__free(x->send);
    if (!x->recv_ext)
        amls__free(x->recv);
    memset(x, 0, sizeof *x);
}

typedef struct lookup_ctx {
    const int64_t *keys;
    amls__route_fn route;
    const void *rctx;
    amls__answer_fn answer;
    const void *actx;
    size_t ans_size;
    amls__xchg *ans;
} lookup_ctx;

static int lookup_dest(const void *ud, int64_t i)
{
    const lookup_ctx *l = ud;
    return l->route(l->rctx, l->keys[i]);
}

static void lookup_pack(const void *ud, int64_t i, void *rec)
{
    const lookup_ctx *l = ud;
    memcpy(rec, &l->keys[i], sizeof l->keys[i]);
}

static void answer_one(void *ud, int src, const void *rec)
{
    lookup_ctx *l = ud;
    int64_t key;
    memcpy(&key, rec, sizeof key);
    l->answer(l->actx, key, amls__xchg_put(l->ans, src, (int64_t)l->ans_size));
}

int amls__xchg_lookup(MPI_Comm comm, const int64_t *keys, int64_t n, amls__route_fn route,
                      const void *rctx, amls__answer_fn answer, const void *actx, size_t ans_size,
                      void *out)
{
    int rc = AMLS_OK;
    amls__xchg req = {0}, ans = {0};
    int64_t *cur = NULL;
    lookup_ctx l = {keys, route, rctx, answer, actx, ans_size, &ans};
    AMLS_TRY(amls__xchg_route(&req, comm, AMLS_OK, n, sizeof *keys, lookup_dest, lookup_pack, &l));
    AMLS_AGREE(comm, amls__xchg_reply(&req, sizeof *keys, ans_size, &ans));
    amls__xchg_each(&req, sizeof *keys, answer_one, &l);
    amls__xchg_free(&req);
    AMLS_TRY(amls__xchg_run_reply(&ans, AMLS_OK));
    cur = amls__calloc((size_t)ans.nranks, sizeof *cur);
    AMLS_AGREE(comm, amls__alloc_status(cur != NULL));
    /* Answers come back per rank in the order asked; keys may alias out. */
    for (int64_t i = 0; i < n; i++) {
        int d = route(rctx, keys[i]);
        memcpy((char *)out + (size_t)i * ans_size, ans.recv + ans.roff[d] + cur[d], ans_size);
        cur[d] += (int64_t)ans_size;
    }
cleanup:
    amls__xchg_free(&req);
    amls__xchg_free(&ans);
    amls__free(cur);
    return rc;
}
