/* ---------------------------------------------------------------------------------------------
 * engine/run_pull.c — one value per sender, pushed or pulled (Beamer et al., "Direction-
 * optimizing breadth-first search", SC 2012; Gemini's dense signal/slot, Zhu et al., OSDI 2016).
 * SPDX-License-Identifier: MIT
 *
 * With a combiner, amls_send_to_neighbors does not touch the edges: it records the sender's
 * value once (and amls_send_to_in_neighbors likewise for the other direction). When the
 * superstep ends, its one reduction (run_step.c) tells every rank how many vertices sent, over
 * how many arcs (m_f), and how many arcs lead into vertices that can still use messages (m_u,
 * from the program's optional `wants`). All ranks then take the same decision:
 *   - push: each recorded value is put into the combining slots of the sender's neighbours, as
 *     amls_send_nbr would (a read-modify-write per arc; cheap when few vertices send);
 *   - pull: each value travels once to every rank that holds the sender as a ghost (FULL,
 *     BITMAP or PAIRS over the plan, a single value when all are equal), and every receiver
 *     that wants messages combines the values of its neighbours that sent, reading each arc
 *     once and writing once per vertex; with AMLS_OP_ANY it stops at the first sender found
 *     (a bottom-up BFS step).
 * The switch is Beamer's when pull steps stop at the first sender (AMLS_OP_ANY): push until
 * m_f > m_u / alpha, then pull until fewer than n / beta vertices send (alpha = 15, beta = 18,
 * as gapbs). Other combiners read every arc of a receiver when pulling, so a superstep pulls
 * when the senders' arcs are more than half of the arcs into receivers (m_f > m_u / 2). The
 * inbox a vertex sees is the same either way (up to the order in which floating-point values
 * were combined).
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

enum { ALPHA = 15, BETA = 18, DENSE = 2 };

/* The rows values travel along in direction d (0: out-edges, 1: in-edges); NULL ptr when the
 * graph has no in-edges. */
static void send_rows(const amls_graph *g, int d, const int64_t **ptr, const uint32_t **col)
{
    *ptr = d == 0 ? g->out_ptr : g->in_ptr;
    *col = d == 0 ? g->out_col : g->in_col;
}

int amls__sig_setup(amls_ctx *cx)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    int64_t nz[2] = {0, 0};
    for (int d = 0; d < 2; d++) {
        const int64_t *ptr;
        const uint32_t *col;
        send_rows(g, d, &ptr, &col);
        for (int64_t v = 0; v < g->n_local && ptr; v++)
            nz[d] += ptr[v + 1] > ptr[v];
        cx->m.sig[d].nonzero = nz[d];
    }
    AMLS_TRY(amls__allreduce_i64(g->comm, nz, 2, MPI_SUM));
    cx->m.sig[0].g_nonzero = nz[0];
    cx->m.sig[1].g_nonzero = nz[1];
cleanup:
    return rc;
}

/* Frees the arrays of one direction (keeping its counts). */
static void sig_free_dir(amls__sig *s)
{
    amls__free(s->val);
    amls__free(s->bits);
    amls__free(s->list);
    amls__free(s->bnd);
    amls__free(s->pwoff);
    amls__free(s->pbits);
    amls__pull_free(&s->seg);
    amls__free(s->segy);
    amls__free(s->qnset);
    amls__free(s->quni);
    int64_t nz = s->nonzero, gnz = s->g_nonzero;
    memset(s, 0, sizeof *s);
    s->nonzero = nz;
    s->g_nonzero = gnz;
}

void amls__sig_free(amls__msgs *m)
{
    sig_free_dir(&m->sig[0]);
    sig_free_dir(&m->sig[1]);
}

/* The arrays of direction d, on first use: values and bits for owned and ghost vertices. Local.
 */
static int sig_alloc(amls_ctx *cx, int d)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    amls__sig *s = &cx->m.sig[d];
    int64_t nl = g->n_local, nt = g->n_local + g->n_ghost;
    AMLS_ALLOC(s->val, (size_t)(nt + 1) * cx->m.msz + 1); /* + one to combine into */
    AMLS_CALLOC(s->bits, (nt + 63) / 64 + 1);
    AMLS_ALLOC(s->list, nl + 1);
    AMLS_CALLOC(s->qnset, g->nranks);
    AMLS_CALLOC(s->quni, g->nranks);
    AMLS_ALLOC(s->pwoff, g->nranks + 1);
    s->pwoff[0] = 0;
    for (int q = 0; q < g->nranks; q++)
        s->pwoff[q + 1] = s->pwoff[q] + (g->send_off[q + 1] - g->send_off[q] + 63) / 64;
    AMLS_ALLOC(s->pbits, s->pwoff[g->nranks] + 1);
    if (!g->directed) { /* the owned vertices some peer holds as ghosts */
        AMLS_CALLOC(s->bnd, (nl + 63) / 64 + 1);
        for (int64_t k = 0; k < g->send_off[g->nranks]; k++)
            amls__bit_set(s->bnd, g->send_idx[k]);
    }
cleanup:
    if (rc < 0) /* all or nothing: a later send tries again */
        sig_free_dir(s);
    return rc;
}

void amls__sig_reset(amls__sig *s)
{
    s->n = s->arcs = 0;
    s->boundary = false;
    s->vlo = INT64_MAX;
    s->vhi = INT64_MIN;
}

/* Widens the range of values sent (8-byte messages; longer ones are never uniform). */
static inline void sig_range(amls__sig *s, const char *at, size_t msz)
{
    int64_t x;
    if (msz != sizeof x) {
        s->vlo = INT64_MIN;
        s->vhi = INT64_MAX;
        return;
    }
    memcpy(&x, at, sizeof x);
    s->vlo = x < s->vlo ? x : s->vlo;
    s->vhi = x > s->vhi ? x : s->vhi;
}

int amls__send_sig(amls_ctx *cx, int d, amls_vertex v, const void *msg)
{
    amls__msgs *m = &cx->m;
    amls__sig *s = &m->sig[d];
    const int64_t *ptr;
    const uint32_t *col;
    send_rows(cx->g, d, &ptr, &col);
    int64_t deg = ptr[v + 1] - ptr[v];
    m->sent += deg;
    if (deg == 0)
        return AMLS_OK;
    if (s->val == NULL) {
        int rc = sig_alloc(cx, d);
        if (rc < 0)
            return rc;
    }
    char *at = s->val + (size_t)v * m->msz;
    if (amls__bit(s->bits, v)) {
        amls__comb_apply(&m->comb, at, msg);
        sig_range(s, at, m->msz);
        return AMLS_OK;
    }
    amls__bit_set(s->bits, v);
    amls__vcopy(at, msg, m->msz);
    sig_range(s, at, m->msz);
    s->list[s->n++] = v;
    s->arcs += deg;
    /* Whether some sender has a neighbour on another rank (then the plan's peers get a
     * segment): from the plan in undirected graphs, else looked up in the senders' rows until
     * one is found. */
    int64_t nl = cx->g->n_local;
    if (s->bnd)
        s->boundary = s->boundary || amls__bit(s->bnd, v);
    for (int64_t j = ptr[v]; j < ptr[v + 1] && !s->boundary && !s->bnd; j++)
        s->boundary = col[j] >= nl;
    return AMLS_OK;
}

/* ---- the switch ------------------------------------------------------------------------ */

void amls__sig_track(amls_ctx *cx, amls_vertex v)
{
    const amls_graph *g = cx->g;
    if (amls__bit(cx->done, v) || cx->p->wants(cx, v, cx->state + (size_t)v * cx->p->state_size))
        return;
    amls__bit_set(cx->done, v);
    cx->mu[0] -= g->in_ptr ? g->in_ptr[v + 1] - g->in_ptr[v] : 0;
    cx->mu[1] -= g->out_ptr[v + 1] - g->out_ptr[v];
}

void amls__sig_track_all(amls_ctx *cx)
{
    const amls_graph *g = cx->g;
    cx->mu[0] = g->in_ptr ? g->in_ptr[g->n_local] : 0;
    cx->mu[1] = g->out_ptr[g->n_local];
    if (cx->done == NULL || cx->p->wants == NULL)
        return;
    amls__phase(cx, AMLS__PHASE_WANTS, true);
    for (int64_t v = 0; v < g->n_local; v++) {
        cx->cur_v = v;
        amls__sig_track(cx, v);
    }
    amls__phase(cx, AMLS__PHASE_NONE, false);
}

bool amls__sig_decide(amls_ctx *cx)
{
    amls__msgs *m = &cx->m;
    amls__step *st = &cx->st;
    const amls_graph *g = cx->g;
    int64_t n0 = st->sum[AMLS__REC_NSIG0], n1 = st->sum[AMLS__REC_NSIG1];
    m->sig_used[0] = n0 > 0;
    m->sig_used[1] = n1 > 0;
    m->pull = false;
    if (n0 + n1 == 0)
        return false;
    bool can = n0 == 0 || !g->directed || g->in_ptr != NULL;
    bool pull;
    if (cx->direction != AMLS_STEP_AUTO) {
        pull = cx->direction == AMLS_STEP_PULL;
    } else {
        int64_t mf = st->sum[AMLS__REC_MF];
        int64_t mu = (n0 ? st->sum[AMLS__REC_MU0] : 0) + (n1 ? st->sum[AMLS__REC_MU1] : 0);
        if (m->comb.kind == AMLS__COMB_ANY) /* bottom-up steps stop early: Beamer's rule */
            pull = st->pulling ? (n0 + n1) * BETA >= g->n : mf * ALPHA > mu;
        else /* a pull reads every arc of the receivers: worth it when half of them carry */
            pull = mf * DENSE > mu;
    }
    m->pull = pull && can;
    st->pulling = m->pull;
    return m->pull;
}

void amls__sig_push(amls_ctx *cx)
{
    amls__msgs *m = &cx->m;
    for (int d = 0; d < 2; d++) {
        amls__sig *s = &m->sig[d];
        const int64_t *ptr;
        const uint32_t *col;
        send_rows(cx->g, d, &ptr, &col);
        amls__rows_put(m, ptr, col, s->list, s->n, s->val, cx->done, cx->g->n_local);
        for (int64_t k = 0; k < s->n; k++)
            amls__bit_clear(s->bits, s->list[k]);
        amls__sig_reset(s);
    }
}

/* ---- pull: the signal segments ---------------------------------------------------------- */

/* The senders among the vertices peer q holds as ghosts, as bits in q's plan order (built a
 * word at a time, without branches), their count, and whether their values are all equal
 * (without reading them when every sender on every rank sent the same 8 bytes). Local. */
static void seg_scan(amls_ctx *cx, amls__sig *s, int q)
{
    const amls_graph *g = cx->g;
    size_t msz = cx->m.msz;
    int64_t b = g->send_off[q], len = g->send_off[q + 1] - b, n = 0;
    const uint32_t *idx = g->send_idx + b;
    uint64_t *o = s->pbits + s->pwoff[q];
    for (int64_t w = 0; 64 * w < len; w++) {
        uint64_t word = 0;
        int64_t k0 = 64 * w, k1 = AMLS_MIN(len, k0 + 64);
        for (int64_t k = k0; k < k1; k++)
            word |= (uint64_t)amls__bit(s->bits, idx[k]) << (k - k0);
        o[w] = word;
        n += amls__popcount64(word);
    }
    const char *first = NULL;
    int64_t same = cx->st.sum[AMLS__REC_SIGLO];
    bool uni = true, known = msz == sizeof same && same == cx->st.sum[AMLS__REC_SIGHI];
    for (int64_t w = 0; 64 * w < len && uni && !known; w++)
        for (uint64_t word = o[w]; word && uni; word &= word - 1) {
            const char *x = s->val + (size_t)idx[64 * w + __builtin_ctzll(word)] * msz;
            uni = first == NULL || amls__vequal(first, x, msz);
            first = first ? first : x;
        }
    s->qnset[q] = n;
    s->quni[q] = uni;
}

int64_t amls__sig_seg_size(amls_ctx *cx, int q, bool scan)
{
    const amls_graph *g = cx->g;
    int64_t len = g->send_off[q + 1] - g->send_off[q], bytes = 0;
    for (int d = 0; d < 2; d++) {
        amls__sig *s = &cx->m.sig[d];
        if (!cx->m.sig_used[d])
            continue;
        if (s->qnset == NULL) { /* no sender here in this direction: an empty part */
            bytes += amls__sigseg_size(len, 0, true, cx->m.msz);
            continue;
        }
        if (scan)
            seg_scan(cx, s, q);
        bytes += amls__sigseg_size(len, s->qnset[q], s->quni[q], cx->m.msz);
    }
    return bytes;
}

/* Writes direction d's part for peer q at `at` from seg_scan's bits; returns its end. The
 * bitmap goes as bytes, bit k of byte k / 8 for plan position k. */
static char *seg_put_dir(amls_ctx *cx, const amls__sig *s, int q, char *at)
{
    const amls_graph *g = cx->g;
    size_t msz = cx->m.msz;
    int64_t b = g->send_off[q], len = g->send_off[q + 1] - b;
    int64_t nset = s->qnset ? s->qnset[q] : 0;
    bool uni = s->qnset ? s->quni[q] : true;
    amls__sigseg_hdr h = {(uint64_t)nset, (uint32_t)amls__sigseg_mode(len, nset), uni};
    memcpy(at, &h, sizeof h);
    at += sizeof h;
    if (nset == 0)
        return at;
    const uint64_t *o = s->pbits + s->pwoff[q];
    int64_t npos = h.mode == AMLS__SIG_PAIRS    ? 4 * nset
                   : h.mode == AMLS__SIG_BITMAP ? (len + 7) / 8
                                                : 0;
    char *pos = at, *vals = at + npos;
    for (int64_t i = 0; h.mode == AMLS__SIG_BITMAP && i < npos; i++)
        pos[i] = (char)(uint8_t)(o[i / 8] >> (8 * (i % 8)));
    int64_t j = 0;
    for (int64_t w = 0; 64 * w < len && (h.mode == AMLS__SIG_PAIRS || !uni || j == 0); w++)
        for (uint64_t word = o[w]; word; word &= word - 1) {
            uint32_t k = (uint32_t)(64 * w + __builtin_ctzll(word));
            if (h.mode == AMLS__SIG_PAIRS)
                memcpy(pos + 4 * j, &k, 4);
            if (!uni || j == 0)
                amls__vcopy(vals + (size_t)j * msz, s->val + (size_t)g->send_idx[b + k] * msz, msz);
            j++;
        }
    return vals + (uni ? 1 : nset) * (int64_t)msz;
}

void amls__sig_seg_put(amls_ctx *cx, int q, char *at)
{
    for (int d = 0; d < 2; d++)
        if (cx->m.sig_used[d])
            at = seg_put_dir(cx, &cx->m.sig[d], q, at);
}

/* Marks ghost t (a local index) as sent with value x. */
static inline void ghost_put(amls__sig *s, size_t msz, int64_t t, const char *x)
{
    amls__bit_set(s->bits, t);
    amls__vcopy(s->val + (size_t)t * msz, x, msz);
}

int64_t amls__sig_seg_get(amls_ctx *cx, int q, const char *at, int64_t left)
{
    const amls_graph *g = cx->g;
    size_t msz = cx->m.msz;
    const char *start = at;
    int64_t base = g->n_local + g->recv_off[q], len = g->recv_off[q + 1] - g->recv_off[q];
    for (int d = 0; d < 2; d++) {
        if (!cx->m.sig_used[d] || left < (int64_t)sizeof(amls__sigseg_hdr))
            continue;
        amls__sig *s = &cx->m.sig[d];
        amls__sigseg_hdr h;
        memcpy(&h, at, sizeof h);
        at += sizeof h;
        if (h.nset == 0)
            continue;
        if (s->val == NULL && sig_alloc(cx, d) < 0)
            return left; /* out of memory: the values are lost; caught by the next agreement */
        int64_t nset = (int64_t)h.nset;
        int64_t npos = h.mode == AMLS__SIG_PAIRS    ? 4 * nset
                       : h.mode == AMLS__SIG_BITMAP ? (len + 7) / 8
                                                    : 0;
        const char *pos = at, *vals = at + npos;
        int64_t j = 0;
        size_t step = h.uniform ? 0 : msz;
        for (int64_t i = 0; h.mode == AMLS__SIG_BITMAP && i < npos; i++) /* set bits only */
            for (unsigned byte = (uint8_t)pos[i]; byte && j < nset; byte &= byte - 1, j++)
                ghost_put(s, msz, base + 8 * i + __builtin_ctz(byte), vals + (size_t)j * step);
        for (; h.mode != AMLS__SIG_BITMAP && j < nset && j < len; j++) {
            uint32_t k = (uint32_t)j;
            if (h.mode == AMLS__SIG_PAIRS)
                memcpy(&k, pos + 4 * j, 4);
            ghost_put(s, msz, base + k, vals + (size_t)j * step);
        }
        at = vals + (h.uniform ? 1 : nset) * (int64_t)msz;
    }
    return at - start;
}

/* ---- pull: gathering -------------------------------------------------------------------- */

/* The gathering rows in column segments, once, where the values outgrow the second-level cache
 * (a third more memory than the rows; without it, or when it cannot be had, the plain loop).
 * Local. */
static const amls__pull *sum_segments(amls_ctx *cx, amls__sig *s, const int64_t *ptr,
                                      const uint32_t *col)
{
    const amls_graph *g = cx->g;
    int64_t nl = g->n_local, nt = nl + g->n_ghost;
    if (!s->seg_tried) {
        s->seg_tried = true;
        if (nt <= 2 * amls__pull_width(sizeof(double)))
            return NULL;
        amls__csr a = {ptr, col, nl, nt};
        s->segy = amls__malloc((size_t)nl + 1, sizeof *s->segy);
        if (s->segy == NULL || amls__pull_new(&a, 0, sizeof(double), &s->seg) < 0) {
            amls__free(s->segy);
            s->segy = NULL;
        }
    }
    return s->seg;
}

/* Sums of doubles when every vertex with a neighbour in the sending direction sent (PageRank):
 * no bit to test, every arc's value is there; segment by segment where the values outgrow the
 * cache. */
static void gather_sum_full(amls_ctx *cx, amls__sig *s, const int64_t *ptr, const uint32_t *col)
{
    amls__msgs *m = &cx->m;
    const double *val = (const double *)(const void *)s->val;
    const uint64_t *done = cx->done;
    const amls__pull *seg = sum_segments(cx, s, ptr, col);
    if (seg) {
        memset(s->segy, 0, (size_t)cx->g->n_local * sizeof *s->segy);
        for (int k = 0; k < seg->nseg; k++)
            amls__pull_seg_f64(seg, k, val, s->segy);
    }
    for (int64_t v = 0; v < cx->g->n_local; v++) {
        int64_t b = ptr[v], e = ptr[v + 1];
        if (b == e || (done && amls__bit(done, v)))
            continue;
        double acc = 0.0;
        if (seg)
            acc = s->segy[v];
        else
            for (int64_t j = b; j < e; j++)
                acc += val[col[j]];
        amls__slot_put(m, v, &acc);
    }
}

/* The owned vertices 64i .. 64i+63 that still want messages, as bits. */
static inline uint64_t wanting(const amls_ctx *cx, int64_t i)
{
    int64_t left = cx->g->n_local - 64 * i;
    uint64_t w = cx->done ? ~cx->done[i] : ~(uint64_t)0;
    return left >= 64 ? w : w & (((uint64_t)1 << left) - 1);
}

/* The first sender found is enough (AMLS_OP_ANY: a bottom-up BFS step). When every sender on
 * every rank sent the same 8 bytes (a BFS level), that value, without reading the sender's. */
static void gather_any(amls_ctx *cx, const amls__sig *s, const int64_t *ptr, const uint32_t *col)
{
    amls__msgs *m = &cx->m;
    const uint64_t *bits = s->bits;
    int64_t same = cx->st.sum[AMLS__REC_SIGLO];
    bool uniform = m->msz == sizeof same && same == cx->st.sum[AMLS__REC_SIGHI];
    for (int64_t i = 0; 64 * i < cx->g->n_local; i++) {
        for (uint64_t want = wanting(cx, i); want; want &= want - 1) {
            int64_t v = 64 * i + __builtin_ctzll(want);
            for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
                uint32_t u = col[j];
                if (amls__bit(bits, u)) {
                    amls__slot_put(m, v,
                                   uniform ? (const char *)&same : s->val + (size_t)u * m->msz);
                    break;
                }
            }
        }
    }
}

/* Any combiner: the values of the neighbours that sent, combined in edge order. */
static void gather_generic(amls_ctx *cx, const amls__sig *s, const int64_t *ptr,
                           const uint32_t *col)
{
    amls__msgs *m = &cx->m;
    char *acc = s->val + (size_t)(cx->g->n_local + cx->g->n_ghost) * m->msz;
    const uint64_t *bits = s->bits;
    const uint64_t *done = cx->done;
    size_t msz = m->msz;
    for (int64_t v = 0; v < cx->g->n_local; v++) {
        if (done && amls__bit(done, v))
            continue;
        bool any = false;
        for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
            uint32_t u = col[j];
            if (!amls__bit(bits, u))
                continue;
            if (any) {
                amls__comb_apply(&m->comb, acc, s->val + (size_t)u * msz);
            } else {
                amls__vcopy(acc, s->val + (size_t)u * msz, msz);
                any = true;
            }
        }
        if (any)
            amls__slot_put(m, v, acc);
    }
}

void amls__sig_gather(amls_ctx *cx)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    int64_t nt = g->n_local + g->n_ghost;
    for (int d = 0; d < 2; d++) {
        amls__sig *s = &m->sig[d];
        if (!m->sig_used[d] || s->val == NULL)
            continue;
        /* Values sent along out-edges are gathered over in-edges, and the reverse. */
        const int64_t *ptr = d == 0 ? g->in_ptr : g->out_ptr;
        const uint32_t *col = d == 0 ? g->in_col : g->out_col;
        int64_t nsig = cx->st.sum[d == 0 ? AMLS__REC_NSIG0 : AMLS__REC_NSIG1];
        if (m->comb.kind == AMLS__COMB_SUM_F64 && nsig == s->g_nonzero)
            gather_sum_full(cx, s, ptr, col);
        else if (m->comb.kind == AMLS__COMB_ANY)
            gather_any(cx, s, ptr, col);
        else
            gather_generic(cx, s, ptr, col);
        memset(s->bits, 0, (size_t)((nt + 63) / 64) * sizeof *s->bits);
        amls__sig_reset(s);
    }
}
