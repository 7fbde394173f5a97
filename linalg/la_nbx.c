/* ---------------------------------------------------------------------------------------------
 * linalg/la_nbx.c — the neighbour exchange of the linear-algebra path: pushes of ghost updates
 * to their owners (bitmap or position lists, whichever is smaller), gathers of owned values
 * and bits into the ghost slots of the peers, all point to point with the plan's peers, into
 * buffers allocated once.
 * SPDX-License-Identifier: MIT
 *
 * Every round each peer pair exchanges exactly one message per direction that has plan entries
 * (an empty push is a header), so a receiver always knows what to wait for and no counts travel.
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

#include <limits.h>

enum { TAG_PUSH = 1, TAG_GATHER = 2, TAG_BITS = 3 };

static int64_t words(int64_t bytes)
{
    return (bytes + 7) / 8;
}

/* Ghosts owned by peer rank p, and my vertices p holds as ghosts. */
static int64_t n_ghosts(const amls_graph *g, int p)
{
    return g->recv_off[p + 1] - g->recv_off[p];
}
static int64_t n_sends(const amls_graph *g, int p)
{
    return g->send_off[p + 1] - g->send_off[p];
}

/* Largest push message over n plan positions, in words. */
static int64_t push_words(int64_t n, size_t vsz)
{
    return 1 + (n + 63) / 64 + words(n * (int64_t)vsz);
}

/* Peers, buffers and the outbox. Local. */
static int nbx_alloc(amls__nbx *x)
{
    int rc = AMLS_OK;
    const amls_graph *g = x->g;
    for (int p = 0; p < g->nranks; p++)
        x->np += p != g->rank && (n_ghosts(g, p) > 0 || n_sends(g, p) > 0);
    AMLS_CALLOC(x->peer, x->np + 1);
    AMLS_CALLOC(x->out, x->np + 1);
    AMLS_CALLOC(x->in, x->np + 1);
    AMLS_CALLOC(x->got, x->np + 1);
    AMLS_CALLOC(x->cnt, x->np + 1);
    AMLS_ALLOC(x->req, 2 * x->np + 1);
    AMLS_CALLOC(x->has, g->n_ghost + 1);
    AMLS_ALLOC(x->val, (size_t)g->n_ghost * x->vsz + 8);
    AMLS_ALLOC(x->touched, g->n_ghost + 1);
    AMLS_ALLOC(x->gpeer, g->n_ghost + 1);
    for (int p = 0, i = 0; p < g->nranks; p++) {
        if (p == g->rank || (n_ghosts(g, p) == 0 && n_sends(g, p) == 0))
            continue;
        int64_t ng = n_ghosts(g, p), ns = n_sends(g, p);
        int64_t ow = AMLS_MAX(push_words(ng, x->vsz), AMLS_MAX(ns, (ns + 63) / 64));
        int64_t iw = AMLS_MAX(push_words(ns, x->vsz), (ng + 63) / 64);
        AMLS_CHECK(ow < INT_MAX && iw < INT_MAX && ng < INT_MAX / 8, AMLS_ERR_RANGE,
                   "exchange with rank %d: %lld ghosts do not fit one message", p, (long long)ng);
        x->peer[i] = p;
        x->out[i] = amls__malloc((size_t)ow + 1, 8); /* words */
        x->in[i] = amls__malloc((size_t)iw + 1, 8);
        AMLS_CHECK(x->out[i] && x->in[i], AMLS_ERR_NOMEM, "out of memory");
        for (int64_t k = g->recv_off[p]; k < g->recv_off[p + 1]; k++)
            x->gpeer[k] = i;
        i++;
    }
cleanup:
    return rc;
}

int amls__nbx_new(const amls_graph *g, size_t vsz, amls__nbx **out)
{
    int rc = AMLS_OK;
    amls__nbx *x = NULL;
    MPI_Comm dup = MPI_COMM_NULL;
    *out = NULL;
    AMLS_MPI_TRY(MPI_Comm_dup(g->comm, &dup));
    x = amls__calloc(1, sizeof *x);
    if (x != NULL) {
        x->g = g;
        x->comm = dup;
        x->own_comm = true;
        x->vsz = vsz;
        dup = MPI_COMM_NULL;
    }
    AMLS_AGREE(g->comm, x ? nbx_alloc(x) : amls__alloc_status(false));
    *out = x;
    x = NULL;
cleanup:
    if (dup != MPI_COMM_NULL)
        MPI_Comm_free(&dup);
    amls__nbx_free(&x);
    return rc;
}

void amls__nbx_free(amls__nbx **xp)
{
    if (xp == NULL || *xp == NULL)
        return;
    amls__nbx *x = *xp;
    for (int i = 0; x->out && x->in && i < x->np; i++) {
        amls__free(x->out[i]);
        amls__free(x->in[i]);
    }
    if (x->own_comm)
        MPI_Comm_free(&x->comm);
    amls__free(x->peer);
    amls__free(x->out);
    amls__free(x->in);
    amls__free(x->got);
    amls__free(x->cnt);
    amls__free(x->req);
    amls__free(x->has);
    amls__free(x->val);
    amls__free(x->touched);
    amls__free(x->gpeer);
    amls__free(x);
    *xp = NULL;
}

/* ---- push ------------------------------------------------------------------------------- */

/* Encodes the set slots among peer i's ghosts; returns the message length in words. */
static int64_t encode(amls__nbx *x, int i)
{
    const amls_graph *g = x->g;
    int p = x->peer[i];
    int64_t gb = g->recv_off[p], n = n_ghosts(g, p), nset = x->cnt[i];
    int64_t bm = (n + 63) / 64, pw = words(4 * nset);
    amls__nbx_hdr h = {(uint32_t)nset, pw < bm ? AMLS__NBX_PAIRS : AMLS__NBX_BITMAP};
    char *m = x->out[i];
    memcpy(m, &h, sizeof h);
    uint64_t *body = (uint64_t *)(void *)(m + 8);
    size_t vsz = x->vsz;
    if (h.mode == AMLS__NBX_PAIRS) {
        uint32_t *pos = (uint32_t *)body;
        char *vals = (char *)(body + pw);
        int64_t j = 0;
        for (int64_t q = 0; q < x->ntouched; q++) {
            int64_t k = x->touched[q];
            if (x->gpeer[k] != i)
                continue;
            pos[j] = (uint32_t)(k - gb);
            memcpy(vals + (size_t)j++ * vsz, x->val + (size_t)k * vsz, vsz);
        }
        return 1 + pw + words(nset * (int64_t)vsz);
    }
    memset(body, 0, 8 * (size_t)bm);
    char *vals = (char *)(body + bm);
    int64_t j = 0;
    for (int64_t k = 0; k < n && j < nset; k++)
        if (x->has[gb + k]) {
            body[k >> 6] |= (uint64_t)1 << (k & 63);
            memcpy(vals + (size_t)j++ * vsz, x->val + (size_t)(gb + k) * vsz, vsz);
        }
    return 1 + bm + words(nset * (int64_t)vsz);
}

int amls__nbx_push(amls__nbx *x)
{
    int rc = AMLS_OK, nreq = 0;
    const amls_graph *g = x->g;
    for (int i = 0; i < x->np; i++)
        x->cnt[i] = 0;
    for (int64_t q = 0; q < x->ntouched; q++)
        x->cnt[x->gpeer[x->touched[q]]]++;
    for (int i = 0; i < x->np; i++) {
        x->got[i] = 0;
        if (n_sends(g, x->peer[i]) > 0)
            AMLS_MPI_TRY(MPI_Irecv(x->in[i], (int)push_words(n_sends(g, x->peer[i]), x->vsz),
                                   MPI_UINT64_T, x->peer[i], TAG_PUSH, x->comm, &x->req[nreq++]));
    }
    for (int i = 0; i < x->np; i++)
        if (n_ghosts(g, x->peer[i]) > 0)
            AMLS_MPI_TRY(MPI_Isend(x->out[i], (int)encode(x, i), MPI_UINT64_T, x->peer[i], TAG_PUSH,
                                   x->comm, &x->req[nreq++]));
    for (int64_t q = 0; q < x->ntouched; q++)
        x->has[x->touched[q]] = 0;
    x->ntouched = 0;
    AMLS_MPI_TRY(MPI_Waitall(nreq, x->req, MPI_STATUSES_IGNORE));
    for (int i = 0; i < x->np; i++)
        x->got[i] = n_sends(g, x->peer[i]) > 0; /* every expected message arrived */
cleanup:
    return rc;
}

/* ---- gathers ---------------------------------------------------------------------------- */

int amls__nbx_gather_begin(amls__nbx *x, void *vals, size_t vsz)
{
    int rc = AMLS_OK, nreq = 0;
    const amls_graph *g = x->g;
    MPI_Datatype t = vsz == 4 ? MPI_UINT32_T : MPI_UINT64_T;
    char *ghosts = (char *)vals + (size_t)g->n_local * vsz;
    for (int i = 0; i < x->np; i++) {
        int p = x->peer[i];
        if (n_ghosts(g, p) > 0)
            AMLS_MPI_TRY(MPI_Irecv(ghosts + (size_t)g->recv_off[p] * vsz, (int)n_ghosts(g, p), t, p,
                                   TAG_GATHER, x->comm, &x->req[nreq++]));
    }
    for (int i = 0; i < x->np; i++) {
        int p = x->peer[i];
        int64_t ns = n_sends(g, p);
        const uint32_t *idx = g->send_idx + g->send_off[p];
        if (ns == 0)
            continue;
        if (vsz == 4) {
            const uint32_t *v = vals;
            uint32_t *o = (uint32_t *)(void *)x->out[i];
            for (int64_t k = 0; k < ns; k++)
                o[k] = v[idx[k]];
        } else {
            const uint64_t *v = vals;
            uint64_t *o = (uint64_t *)(void *)x->out[i];
            for (int64_t k = 0; k < ns; k++)
                o[k] = v[idx[k]];
        }
        AMLS_MPI_TRY(MPI_Isend(x->out[i], (int)ns, t, p, TAG_GATHER, x->comm, &x->req[nreq++]));
    }
cleanup:
    x->pending = nreq;
    return rc;
}

int amls__nbx_progress(amls__nbx *x)
{
    int rc = AMLS_OK, done = 0;
    if (x->pending > 0)
        AMLS_MPI_TRY(MPI_Testall(x->pending, x->req, &done, MPI_STATUSES_IGNORE));
cleanup:
    return rc;
}

int amls__nbx_gather_end(amls__nbx *x)
{
    int rc = AMLS_OK;
    AMLS_MPI_TRY(MPI_Waitall(x->pending, x->req, MPI_STATUSES_IGNORE));
    x->pending = 0;
cleanup:
    return rc;
}

int amls__nbx_bits_begin(amls__nbx *x, const uint64_t *bits)
{
    int rc = AMLS_OK, nreq = 0;
    const amls_graph *g = x->g;
    for (int i = 0; i < x->np; i++) {
        int p = x->peer[i];
        if (n_ghosts(g, p) > 0)
            AMLS_MPI_TRY(MPI_Irecv(x->in[i], (int)((n_ghosts(g, p) + 63) / 64), MPI_UINT64_T, p,
                                   TAG_BITS, x->comm, &x->req[nreq++]));
    }
    for (int i = 0; i < x->np; i++) {
        int p = x->peer[i];
        int64_t ns = n_sends(g, p);
        const uint32_t *idx = g->send_idx + g->send_off[p];
        if (ns == 0)
            continue;
        uint64_t *o = (uint64_t *)(void *)x->out[i];
        memset(o, 0, 8 * (size_t)((ns + 63) / 64));
        for (int64_t k = 0; k < ns; k++)
            o[k >> 6] |= (uint64_t)amls__bit(bits, idx[k]) << (k & 63);
        AMLS_MPI_TRY(MPI_Isend(o, (int)((ns + 63) / 64), MPI_UINT64_T, p, TAG_BITS, x->comm,
                               &x->req[nreq++]));
    }
cleanup:
    x->pending = nreq;
    return rc;
}

/* dst bits [at, at+n) = src bits [0, n). */
static void copy_bits(uint64_t *dst, int64_t at, const uint64_t *src, int64_t n)
{
    for (int64_t w = 0; w < (n + 63) / 64; w++) {
        int64_t len = AMLS_MIN((int64_t)64, n - 64 * w);
        uint64_t mask = len == 64 ? ~(uint64_t)0 : (((uint64_t)1 << len) - 1);
        uint64_t v = src[w] & mask;
        int64_t o = at + 64 * w, d = o >> 6, s = o & 63;
        dst[d] = (dst[d] & ~(mask << s)) | (v << s);
        if (s != 0 && (mask >> (64 - s)) != 0)
            dst[d + 1] = (dst[d + 1] & ~(mask >> (64 - s))) | (v >> (64 - s));
    }
}

int amls__nbx_bits_end(amls__nbx *x, uint64_t *bits)
{
    int rc = AMLS_OK;
    const amls_graph *g = x->g;
    AMLS_MPI_TRY(MPI_Waitall(x->pending, x->req, MPI_STATUSES_IGNORE));
    x->pending = 0;
    for (int i = 0; i < x->np; i++) {
        int p = x->peer[i];
        if (n_ghosts(g, p) > 0)
            copy_bits(bits, g->n_local + g->recv_off[p], (const uint64_t *)(void *)x->in[i],
                      n_ghosts(g, p));
    }
cleanup:
    return rc;
}
