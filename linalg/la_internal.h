/* ---------------------------------------------------------------------------------------------
 * linalg/la_internal.h — internal helpers of the linear-algebra path: the neighbour exchange
 * along the communication plan, the cache-blocked pull SpMV and the SpMSpV work space.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/linalg.h"

/* ---- Neighbour exchange (la_nbx.c) ----------------------------------------------------------
 * A persistent point-to-point exchange with the peers of the graph's communication plan, built
 * once per algorithm run: buffers sized for the largest message, no count exchange, no
 * allocation and no collective per round (the caller's own reduction decides when to stop).
 *
 * PUSH moves updates of ghost slots to the owners of the ghosts: the caller sets slots in the
 * outbox (amls__nbx_mark / amls__nbx_min_*), amls__nbx_push sends to each peer either a bitmap
 * over its ghosts in plan order followed by the values of the set slots, or (position, value)
 * lists when few are set, whichever is smaller; amls__nbx_recv_each visits what arrived as
 * (owned vertex, value). GATHER copies owned values into the ghost slots of the ranks that hold
 * them (values only, straight into the ghost part of the vector), and BITS does the same for one
 * bit per vertex. */
typedef struct amls__nbx {
    const amls_graph *g;
    MPI_Comm comm; /* a duplicate of g->comm: the exchange's own tag space */
    bool own_comm;
    int np;           /* peers */
    int *peer;        /* np: their ranks */
    char **out;       /* np: message buffers to each peer */
    char **in;        /* np: message buffers from each peer */
    uint8_t *got;     /* np: a push message from the peer is in `in` */
    MPI_Request *req; /* 2 np */
    size_t vsz;       /* bytes of a pushed value (0: marks only) */
    /* the outbox: one slot per ghost */
    uint8_t *has;
    char *val;
    int64_t *touched;
    int64_t ntouched;
    int32_t *gpeer; /* n_ghost: peer index of each ghost's owner */
    int64_t *cnt;   /* np: slots set per peer */
    int pending;    /* requests posted by a *_begin */
} amls__nbx;

/* Builds the exchange for pushed values of vsz bytes (0, 4 or 8). Collective (it duplicates
 * the communicator); errors agreed. */
int amls__nbx_new(const amls_graph *g, size_t vsz, amls__nbx **out);
void amls__nbx_free(amls__nbx **x);

/* Sets ghost slot k (index among the ghosts, 0-based); true when it was not set yet. */
static inline bool amls__nbx_mark(amls__nbx *x, int64_t k)
{
    if (x->has[k])
        return false;
    x->has[k] = 1;
    x->touched[x->ntouched++] = k;
    return true;
}
/* Ghost slot k = min(slot, v), for int64 or double values. */
static inline void amls__nbx_min_i64(amls__nbx *x, int64_t k, int64_t v)
{
    int64_t *s = (int64_t *)(void *)x->val + k;
    if (amls__nbx_mark(x, k) || v < *s)
        *s = v;
}
static inline void amls__nbx_min_f64(amls__nbx *x, int64_t k, double v)
{
    double *s = (double *)(void *)x->val + k;
    if (amls__nbx_mark(x, k) || v < *s)
        *s = v;
}
static inline void amls__nbx_add_f64(amls__nbx *x, int64_t k, double v)
{
    double *s = (double *)(void *)x->val + k;
    if (amls__nbx_mark(x, k))
        *s = v;
    else
        *s += v;
}

/* Sends the outbox to the owners, receives what the peers sent and clears the outbox. Only the
 * peers take part (no collective). */
int amls__nbx_push(amls__nbx *x);

/* The message format of a push (8-byte words): a header {slots set, mode}, then for BITMAP the
 * bitmap over the peer's plan positions and the values of the set bits in position order; for
 * PAIRS the positions (u32) and then the values in the same order. */
enum { AMLS__NBX_BITMAP = 0, AMLS__NBX_PAIRS = 1 };
typedef struct amls__nbx_hdr {
    uint32_t nset, mode;
} amls__nbx_hdr;

/* Calls fn(ud, v, value) for every (owned vertex v, value) received by the last push. */
typedef void (*amls__nbx_fn)(void *ud, uint32_t v, const void *val);
static inline void amls__nbx_recv_each(const amls__nbx *x, amls__nbx_fn fn, void *ud)
{
    const amls_graph *g = x->g;
    for (int i = 0; i < x->np; i++) {
        if (!x->got[i])
            continue;
        const char *m = x->in[i];
        amls__nbx_hdr h;
        memcpy(&h, m, sizeof h);
        const uint32_t *idx = g->send_idx + g->send_off[x->peer[i]];
        int64_t n = g->send_off[x->peer[i] + 1] - g->send_off[x->peer[i]];
        const char *body = m + sizeof h;
        if (h.mode == AMLS__NBX_PAIRS) {
            const uint32_t *pos = (const uint32_t *)(const void *)body;
            const char *vals = body + ((4 * (size_t)h.nset + 7) & ~(size_t)7);
            for (uint32_t j = 0; j < h.nset; j++)
                fn(ud, idx[pos[j]], vals + (size_t)j * x->vsz);
            continue;
        }
        const uint64_t *bits = (const uint64_t *)(const void *)body;
        const char *vals = body + 8 * (size_t)((n + 63) / 64);
        size_t j = 0;
        for (int64_t w = 0; w < (n + 63) / 64; w++)
            for (uint64_t b = bits[w]; b; b &= b - 1)
                fn(ud, idx[64 * w + __builtin_ctzll(b)], vals + j++ * x->vsz);
    }
}

/* Copies the owned entries of vals (vsz = 4 or 8 bytes each) into the ghost entries of the
 * ranks that hold them; begin posts the transfers, end completes them (overlap work between).
 * Only the peers take part. */
int amls__nbx_gather_begin(amls__nbx *x, void *vals, size_t vsz);
int amls__nbx_gather_end(amls__nbx *x);

/* The same for one bit per vertex: bits[] covers n_local + n_ghost bits; the owned bits are
 * sent, the ghost bits overwritten. */
int amls__nbx_bits_begin(amls__nbx *x, const uint64_t *bits);
int amls__nbx_bits_end(amls__nbx *x, uint64_t *bits);

/* Tests the transfers posted by a *_begin, so that they progress while the caller computes. */
int amls__nbx_progress(amls__nbx *x);

/* ---- Cache-blocked pull SpMV (la_pull.c, over the segments of core/pull.c). ------------- */
/* y[0..nrows) = for each row the sum of x over its columns; x holds doubles (vsz 8) or floats
 * (vsz 4), sums are doubles. The owned segments run first, testing ex's pending gather (if ex
 * is not NULL) between segments; then the gather is completed and the ghost segments run.
 * Only the peers take part. */
int amls__pull_run(const amls__pull *p, const void *x, size_t vsz, double *y, amls__nbx *ex);

/* ---- SpMSpV work space (dmat.c) ------------------------------------------------------------ */
/* Reusable work space for SpMSpV (slots for owned columns, the exchange for ghost columns). */
typedef struct amls__spmspv_ws {
    const amls_graph *g;
    char *slot;       /* n_local * 8 bytes */
    uint8_t *has;     /* n_local */
    int64_t *touched; /* owned indices with has set */
    int64_t ntouched;
    amls__nbx *nbx; /* ghost slots and their exchange */
} amls__spmspv_ws;

/* Collective (it builds an exchange); errors agreed. */
int amls__spmspv_ws_new(const amls_graph *g, amls__spmspv_ws **ws);
void amls__spmspv_ws_free(amls__spmspv_ws **ws);
int amls__spmspv(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi, const void *xv,
                 int64_t nx, int64_t **yi, void **yv, int64_t *ny);
/* Same, pushing along in-edges too when `both` (the undirected view of a directed graph). */
int amls__spmspv_dir(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi,
                     const void *xv, int64_t nx, bool both, int64_t **yi, void **yv, int64_t *ny);

/* ---- Shared by the graph algorithms -------------------------------------------------------- */
/* The number of edges to scan for each direction: out-edges, and in-edges when `both` on a
 * directed graph (the undirected view). */
static inline int amls__la_ndir(const amls_graph *g, bool both)
{
    return both && g->directed && g->in_ptr ? 2 : 1;
}

/* Appends one iteration to a solve's history (solve_info.c). Cannot fail: when memory runs out
 * the history stops growing and info->history_truncated says so. Local. */
void amls__history_push(amls_solve_info *info, double residual, double objective);
