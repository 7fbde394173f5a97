/* ---------------------------------------------------------------------------------------------
 * engine/run_messages.c — messages: sends, the per-peer segments (run_wire.h), and delivery.
 * SPDX-License-Identifier: MIT
 *
 * With a combiner, a message to a neighbour is combined on the sender into a slot per local or
 * ghost vertex (the ghost slots are this rank's copy of the remote vertices its edges reach),
 * and a value sent to all neighbours is recorded once per sender (run_pull.c). At the end of
 * the superstep each peer gets one segment (amls__seg_hdr): the combined values for the ghosts
 * it owns, as a bitmap over them in plan order plus the values of the set bits, or as (plan
 * position, value) pairs when few are set, so no vertex ids travel with them; then the messages
 * to vertices that are not neighbours, as (index at the owner, message) records; in a pull
 * superstep, then the values of the senders the peer holds as ghosts. Without a combiner every
 * message is such a record; the receiver groups all records by target with a counting sort
 * over the targets that received some, so compute() sees all its messages contiguously.
 *
 * Segments travel point-to-point, and only between ranks that promised them in the
 * superstep's reduction (run_step.c): a rank promises a segment to every peer it shares edges
 * with when it set a ghost slot or a sender with remote neighbours sent, and to every rank it
 * has records for. Buffers are kept across supersteps; nothing is cleared in O(vertices) when
 * little was sent.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

/* The plan's peers: ranks with ghosts of ours or ours as their ghosts. */
static int peers_init(amls__msgs *m, const amls_graph *g)
{
    int rc = AMLS_OK;
    AMLS_CALLOC(m->peer, g->nranks);
    AMLS_CALLOC(m->to, g->nranks);
    AMLS_CALLOC(m->from, g->nranks);
    for (int q = 0; q < g->nranks; q++)
        m->peer[q] = q != g->rank &&
                     (g->recv_off[q + 1] > g->recv_off[q] || g->send_off[q + 1] > g->send_off[q]);
cleanup:
    return rc;
}

int amls__msgs_init(amls__msgs *m, const amls_graph *g, const amls_vprog *p, bool no_combiner)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, nt = g->n_local + g->n_ghost;
    memset(m, 0, sizeof *m);
    amls__sig_reset(&m->sig[0]);
    amls__sig_reset(&m->sig[1]);
    m->msz = p->msg_size;
    m->rsz = sizeof(uint32_t) + p->msg_size;
    m->comb = amls__comb_of(&p->combiner, p->msg_size, no_combiner);
    amls__vec_init(&m->lrec, 1);
    AMLS_CALLOC(m->raw, g->nranks);
    AMLS_CALLOC(m->vrec, g->nranks);
    for (int q = 0; q < g->nranks; q++) {
        amls__vec_init(&m->raw[q], 1);
        amls__vec_init(&m->vrec[q], 1);
    }
    AMLS_ALLOC(m->ghost_owner, g->n_ghost + 1);
    amls_graph_ghost_owners(g, m->ghost_owner);
    if (m->comb.kind != AMLS__COMB_NONE) {
        AMLS_ALLOC(m->nval, (size_t)nt * m->msz + 1);
        AMLS_ALLOC(m->ival, (size_t)nt * m->msz + 1);
        AMLS_CALLOC(m->nhas, nt + 1);
        AMLS_CALLOC(m->ihas, nt + 1);
        AMLS_ALLOC(m->nlist, nt + 1);
        AMLS_ALLOC(m->ilist, nt + 1);
    }
    AMLS_CALLOC(m->icnt, nl + 1);
    AMLS_CALLOC(m->istart, nl + 1);
    AMLS_ALLOC(m->woken, nl + 1);
    AMLS_CALLOC(m->nset, g->nranks);
    AMLS_CALLOC(m->fill, g->nranks);
    AMLS_CALLOC(m->pairs, g->nranks);
    AMLS_TRY(amls__xchg_setup(&m->x, g->comm, g->nranks));
    AMLS_TRY(peers_init(m, g));
cleanup:
    return rc;
}

void amls__msgs_free(amls__msgs *m, int nranks)
{
    amls__free(m->nval);
    amls__free(m->ival);
    amls__free(m->nhas);
    amls__free(m->ihas);
    amls__free(m->nlist);
    amls__free(m->ilist);
    amls__vec_free(&m->lrec);
    for (int q = 0; q < nranks; q++) {
        if (m->raw)
            amls__vec_free(&m->raw[q]);
        if (m->vrec)
            amls__vec_free(&m->vrec[q]);
    }
    amls__free(m->raw);
    amls__free(m->vrec);
    amls__free(m->ghost_owner);
    amls__free(m->icnt);
    amls__free(m->istart);
    amls__free(m->idata);
    amls__free(m->woken);
    amls__free(m->nset);
    amls__free(m->fill);
    amls__free(m->pairs);
    amls__free(m->peer);
    amls__free(m->to);
    amls__free(m->from);
    amls__xchg_free(&m->x);
    amls__sig_free(m);
    memset(m, 0, sizeof *m);
}

/* ---- sending ------------------------------------------------------------------------------- */

/* Append a (target index, message) record to a buffer. */
static inline int rec_put(const amls__msgs *m, amls__vec *buf, uint32_t idx, const void *msg)
{
    size_t need = buf->len + m->rsz;
    if (need > buf->cap) {
        int rc = amls__vec_reserve(buf, AMLS_MAX(need, 2 * buf->cap + 4096));
        if (rc < 0)
            return rc;
    }
    char *r = (char *)buf->data + buf->len;
    memcpy(r, &idx, sizeof idx);
    amls__vcopy(r + sizeof idx, msg, m->msz);
    buf->len = need;
    return AMLS_OK;
}

/* A message to local index t (owned or ghost), not counted. */
static inline int put_local(amls_ctx *cx, int64_t t, const void *msg)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    if (m->comb.kind != AMLS__COMB_NONE) {
        amls__slot_put(m, t, msg);
        return AMLS_OK;
    }
    if (t < g->n_local)
        return rec_put(m, &m->lrec, (uint32_t)t, msg);
    int64_t k = t - g->n_local;
    int p = m->ghost_owner[k];
    return rec_put(m, &m->raw[p], (uint32_t)(g->ghost_gid[k] - g->owner_off[p]), msg);
}

/* A message to engine id t, not counted: through a slot when t is local or a ghost. */
static int put_gid(amls_ctx *cx, amls_gid t, const void *msg)
{
    const amls_graph *g = cx->g;
    if (t >= g->lo && t < g->lo + g->n_local)
        return put_local(cx, t - g->lo, msg);
    int64_t k = amls__bsearch_i64(g->ghost_gid, g->n_ghost, t);
    if (k >= 0)
        return put_local(cx, g->n_local + k, msg);
    int p = amls_graph_owner(g, t);
    return rec_put(&cx->m, &cx->m.raw[p], (uint32_t)(t - g->owner_off[p]), msg);
}

int amls__send_nbr(amls_ctx *cx, amls_nbr n, const void *msg)
{
    cx->m.sent++;
    return put_local(cx, (int64_t)n, msg);
}

int amls__send_gid(amls_ctx *cx, amls_gid t, const void *msg)
{
    const amls_graph *g = cx->g;
    if (t < 0 || t >= g->n)
        return amls_error(AMLS_ERR_VPROG, "%s: message to vertex id %lld, outside 0..%lld",
                          cx->p->name, (long long)t, (long long)g->n - 1);
    cx->m.sent++;
    return put_gid(cx, t, msg);
}

/* Puts message x (of type T) into the slot of every target of a CSR row, but those for which
 * SKIP holds: the first message to a slot is stored, the next ones are combined by UPDATE (an
 * assignment to val[t] from x). For the combiners on the hot paths of the built-in programs
 * (PageRank's sum of doubles, the minimum of int64, BFS's any), with the switch out of the
 * edge loop. Locals: stores through the uint8_t flags could alias the context otherwise. */
#define ROW_PUT(m, col, b, e, T, x, UPDATE, SKIP)                                                  \
    do {                                                                                           \
        T *val = (T *)(void *)(m)->nval;                                                           \
        uint8_t *has = (m)->nhas;                                                                  \
        int64_t *lst = (m)->nlist, len = (m)->nlist_len;                                           \
        for (int64_t j = (b); j < (e); j++) {                                                      \
            uint32_t t = (col)[j];                                                                 \
            if (SKIP)                                                                              \
                continue;                                                                          \
            if (!has[t]) {                                                                         \
                val[t] = (x);                                                                      \
                has[t] = 1;                                                                        \
                lst[len++] = t;                                                                    \
            } else {                                                                               \
                UPDATE;                                                                            \
            }                                                                                      \
        }                                                                                          \
        (m)->nlist_len = len;                                                                      \
    } while (0)

/* ROW_PUT for the combiner of m. */
#define ROW_PUT_COMB(m, col, b, e, msg, SKIP)                                                      \
    do {                                                                                           \
        int64_t x;                                                                                 \
        double xd;                                                                                 \
        if ((m)->comb.kind == AMLS__COMB_SUM_F64) {                                                \
            memcpy(&xd, msg, sizeof xd);                                                           \
            ROW_PUT(m, col, b, e, double, xd, val[t] += xd, SKIP);                                 \
        } else if ((m)->comb.kind == AMLS__COMB_MIN_I64) {                                         \
            memcpy(&x, msg, sizeof x);                                                             \
            ROW_PUT(m, col, b, e, int64_t, x, if (x < val[t]) val[t] = x, SKIP);                   \
        } else if ((m)->comb.kind == AMLS__COMB_ANY && (m)->msz == 8) {                            \
            memcpy(&x, msg, sizeof x);                                                             \
            ROW_PUT(m, col, b, e, int64_t, x, (void)0, SKIP);                                      \
        } else {                                                                                   \
            for (int64_t j = (b); j < (e); j++) {                                                  \
                uint32_t t = (col)[j];                                                             \
                if (!(SKIP))                                                                       \
                    amls__slot_put(m, t, msg);                                                     \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static void row_put(amls__msgs *m, const uint32_t *col, int64_t b, int64_t e, const void *msg)
{
    ROW_PUT_COMB(m, col, b, e, msg, 0);
}

void amls__rows_put(amls__msgs *m, const int64_t *ptr, const uint32_t *col, const int64_t *list,
                    int64_t n, const char *vals, const uint64_t *done, int64_t nl)
{
    for (int64_t k = 0; k < n; k++) {
        int64_t u = list[k];
        const char *msg = vals + (size_t)u * m->msz;
        if (done)
            ROW_PUT_COMB(m, col, ptr[u], ptr[u + 1], msg, t < nl && amls__bit(done, t));
        else
            ROW_PUT_COMB(m, col, ptr[u], ptr[u + 1], msg, 0);
    }
}

int amls__send_row(amls_ctx *cx, const uint32_t *col, int64_t b, int64_t e, const void *msg)
{
    amls__msgs *m = &cx->m;
    m->sent += e - b;
    if (m->comb.kind != AMLS__COMB_NONE) {
        row_put(m, col, b, e, msg);
        return AMLS_OK;
    }
    for (int64_t j = b; j < e; j++) { /* one record per message */
        int rc = put_local(cx, col[j], msg);
        if (rc < 0)
            return rc;
    }
    return AMLS_OK;
}

int amls__send_vid(amls_ctx *cx, amls_vid t, const void *msg)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    amls__vec *buf = &m->vrec[amls__vdir_rank(t, cx->g->nranks)];
    m->sent++;
    m->vid_sent++;
    AMLS_TRY(amls__vec_append(buf, &t, sizeof t));
    AMLS_TRY(amls__vec_append(buf, msg, m->msz));
cleanup:
    return rc;
}

/* ---- the exchange ---------------------------------------------------------------------- */

/* Ghosts of peer q with a combined part in its segment (none for this rank itself). */
static int64_t seg_ghosts(const amls_ctx *cx, int q)
{
    const amls_graph *g = cx->g;
    return cx->m.comb.kind != AMLS__COMB_NONE && q != g->rank ? g->recv_off[q + 1] - g->recv_off[q]
                                                              : 0;
}

void amls__msgs_promise(amls_ctx *cx)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    bool plan = m->sig[0].boundary || m->sig[1].boundary;
    for (int64_t q = 0; q < m->nlist_len && !plan; q++)
        plan = m->nlist[q] >= g->n_local;
    for (int q = 0; q < g->nranks; q++)
        m->to[q] = (plan && m->peer[q]) || (q != g->rank && m->raw[q].len > 0);
}

/* Counts the combined values per peer, and the bytes of every promised segment. Local. */
static void count_segments(amls_ctx *cx, amls__xchg *x)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    int64_t nl = g->n_local;
    memset(m->nset, 0, (size_t)g->nranks * sizeof *m->nset);
    memset(m->fill, 0, (size_t)g->nranks * sizeof *m->fill);
    for (int64_t q = 0; q < m->nlist_len && m->comb.kind != AMLS__COMB_NONE; q++)
        if (m->nlist[q] >= nl)
            m->nset[m->ghost_owner[m->nlist[q] - nl]]++;
    for (int q = 0; q < g->nranks; q++)
        if (m->to[q])
            amls__xchg_count(
                x, q,
                amls__seg_size(seg_ghosts(cx, q), m->nset[q], m->msz, (int64_t)m->raw[q].len) +
                    (m->pull ? amls__sig_seg_size(cx, q, true) : 0));
}

/* Packs one segment per promised peer; adds the bytes to cx->st.bytes. Local. */
static int pack_segments(amls_ctx *cx, amls__xchg *x)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    int64_t nl = g->n_local;
    amls__xchg_clear(x);
    count_segments(cx, x);
    AMLS_TRY(amls__xchg_pack_keep(x));
    for (int q = 0; q < g->nranks; q++) {
        if (!m->to[q])
            continue;
        cx->st.bytes += x->scnt[q];
        int64_t t0 = nl + g->recv_off[q];
        char *seg = amls__xchg_put(x, q, x->scnt[q]);
        m->pairs[q] =
            amls__seg_encode(seg, seg_ghosts(cx, q), m->nset[q], m->nhas ? m->nhas + t0 : NULL,
                             m->nval ? m->nval + (size_t)t0 * m->msz : NULL, m->msz, m->raw[q].data,
                             (int64_t)m->raw[q].len, (int64_t)(m->raw[q].len / m->rsz));
        if (m->pull) {
            int64_t sz = amls__sig_seg_size(cx, q, false); /* scanned when counted */
            amls__sig_seg_put(cx, q, seg + x->scnt[q] - sz);
        }
    }
    for (int64_t q = 0; q < m->nlist_len && m->comb.kind != AMLS__COMB_NONE; q++) {
        int64_t t = m->nlist[q]; /* sparse pairs, in the order the slots were set */
        int p = t >= nl ? m->ghost_owner[t - nl] : g->rank;
        if (p == g->rank || amls__seg_mode(seg_ghosts(cx, p), m->nset[p]) != AMLS__SEG_PAIRS)
            continue;
        amls__seg_put_pair(m->pairs[p], m->fill[p]++, (uint32_t)(t - nl - g->recv_off[p]),
                           m->nval + (size_t)t * m->msz, m->msz);
    }
cleanup:
    for (int q = 0; q < g->nranks; q++)
        m->raw[q].len = 0;
    return rc;
}

/* Combined delivery from source rank src: values and records into next-inbox slots. */
typedef struct deliver {
    amls_ctx *cx;
    int src;
} deliver;

static void combined_value(void *ud, int64_t at, const void *value)
{
    const deliver *d = ud;
    const amls_graph *g = d->cx->g;
    uint32_t t = g->send_idx[g->send_off[d->src] + at];
    if (d->cx->done == NULL || !amls__bit(d->cx->done, t)) /* it wants no more */
        amls__slot_put(&d->cx->m, t, value);
}

static void combined_record(void *ud, uint32_t target, const void *msg)
{
    amls__slot_put(&((deliver *)ud)->cx->m, target, msg);
}

/* The slots filled this superstep become the inbox; the old inbox's flags are cleared through
 * its list, or by a sweep when many are set. */
static void swap_inbox(amls__msgs *m, int64_t nt)
{
    char *tv = m->ival;
    m->ival = m->nval;
    m->nval = tv;
    uint8_t *th = m->ihas;
    m->ihas = m->nhas;
    m->nhas = th;
    int64_t *tl = m->ilist;
    m->ilist = m->nlist;
    m->nlist = tl;
    int64_t tn = m->ilist_len;
    m->ilist_len = m->nlist_len;
    m->nlist_len = tn;
    if (m->nlist_len > nt / 16)
        memset(m->nhas, 0, (size_t)nt);
    else
        for (int64_t q = 0; q < m->nlist_len; q++)
            m->nhas[m->nlist[q]] = 0;
    m->nlist_len = 0;
}

/* Combined delivery: every value and record into the next-inbox slots, the pulled values
 * gathered, then the slots filled this superstep become the inbox. Local. */
static int deliver_combined(amls_ctx *cx, const amls__xchg *x)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    for (int q = 0; q < g->nranks; q++) {
        int64_t len;
        const char *seg = amls__xchg_from(x, q, &len);
        deliver d = {cx, q};
        int64_t ng = q != g->rank ? g->send_off[q + 1] - g->send_off[q] : 0;
        if (len == 0)
            continue;
        int64_t used = amls__seg_decode(seg, ng, m->msz, combined_value, combined_record, &d);
        if (m->pull)
            amls__sig_seg_get(cx, q, seg + used, len - used);
    }
    if (m->pull)
        amls__sig_gather(cx);
    swap_inbox(m, g->n_local + g->n_ghost);
    return AMLS_OK;
}

/* The raw records from source q (local ones for q < 0): *nr of them. */
static const char *records_from(const amls_ctx *cx, const amls__xchg *x, int q, uint64_t *nr)
{
    const amls__msgs *m = &cx->m;
    int64_t len = 0;
    const char *seg = q >= 0 ? amls__xchg_from(x, q, &len) : NULL;
    *nr = q < 0 ? m->lrec.len / m->rsz : 0;
    if (q < 0)
        return m->lrec.data;
    return len > 0 ? amls__seg_raw(seg, 0, m->msz, nr) : NULL;
}

/* Counting-sort pass 0: messages per target; first-time targets are woken. */
static void count_records(amls__msgs *m, const char *recs, uint64_t nr)
{
    int64_t *icnt = m->icnt, *woken = m->woken, nw = m->nwoken;
    for (uint64_t r = 0; r < nr; r++) {
        uint32_t t;
        memcpy(&t, recs + r * m->rsz, 4);
        if (icnt[t]++ == 0)
            woken[nw++] = t;
    }
    m->nwoken = nw;
}

/* Counting-sort pass 1: each message to its target's next place (istart is the cursor). */
static void place_records(amls__msgs *m, const char *recs, uint64_t nr)
{
    char *idata = m->idata;
    int64_t *pos = m->istart;
    size_t msz = m->msz, rsz = m->rsz;
    for (uint64_t r = 0; r < nr; r++) {
        uint32_t t;
        memcpy(&t, recs + r * rsz, 4);
        amls__vcopy(idata + (size_t)pos[t]++ * msz, recs + r * rsz + 4, msz);
    }
}

/* Uncombined delivery: a counting sort of all records (local ones first, then by source
 * rank) by target, over the targets that received some (woken, in arrival order). */
static int deliver_records(amls_ctx *cx, const amls__xchg *x)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    int64_t nrec = 0;
    uint64_t nr;
    for (int64_t q = 0; q < m->nwoken; q++)
        m->icnt[m->woken[q]] = 0;
    m->nwoken = 0;
    for (int q = -1; q < cx->g->nranks; q++) {
        records_from(cx, x, q, &nr);
        nrec += (int64_t)nr;
    }
    if ((size_t)nrec * m->msz + 1 > m->idata_cap) {
        size_t cap = AMLS_MAX((size_t)nrec * m->msz + 1, m->idata_cap + m->idata_cap / 2);
        char *nd = amls__malloc(cap, 1);
        AMLS_CHECK(nd != NULL, AMLS_ERR_NOMEM, "out of memory receiving %lld messages",
                   (long long)nrec);
        amls__free(m->idata);
        m->idata = nd;
        m->idata_cap = cap;
    }
    for (int q = -1; q < cx->g->nranks; q++) {
        const char *recs = records_from(cx, x, q, &nr);
        count_records(m, recs, nr);
    }
    int64_t at = 0;
    for (int64_t q = 0; q < m->nwoken; q++) {
        m->istart[m->woken[q]] = at;
        at += m->icnt[m->woken[q]];
    }
    for (int q = -1; q < cx->g->nranks; q++) {
        const char *recs = records_from(cx, x, q, &nr);
        place_records(m, recs, nr);
    }
    for (int64_t q = 0; q < m->nwoken; q++) /* cursors back to starts */
        m->istart[m->woken[q]] -= m->icnt[m->woken[q]];
cleanup:
    m->lrec.len = 0;
    return rc;
}

int amls__msgs_exchange(amls_ctx *cx, bool all)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    if (all)
        for (int q = 0; q < g->nranks; q++)
            m->to[q] = m->from[q] = q != g->rank;
    else
        amls__step_sources(cx, false, m->from);
    if (!m->pull && m->comb.kind != AMLS__COMB_NONE)
        amls__sig_push(cx);
    int prc = pack_segments(cx, &m->x);
    if (prc < 0) /* the promised segments still go out, empty */
        amls__xchg_clear(&m->x);
    rc = amls__xchg_run_p2p(&m->x, m->to, m->from, 11);
    rc = prc < 0 ? prc : rc;
    if (rc == AMLS_OK)
        rc = m->comb.kind != AMLS__COMB_NONE ? deliver_combined(cx, &m->x)
                                             : deliver_records(cx, &m->x);
    return rc;
}

/* ---- messages by original id ----------------------------------------------------------- */

/* Forwards the (original id, message) records that reached this directory rank. Local. */
static int forward_vids(amls_ctx *cx, const amls__xchg *x)
{
    int rc = AMLS_OK;
    size_t rec = sizeof(amls_vid) + cx->m.msz;
    for (int64_t at = 0; at + (int64_t)rec <= x->nrecv; at += (int64_t)rec) {
        amls_vid id;
        memcpy(&id, x->recv + at, sizeof id);
        amls_gid t = amls__vdir_find(cx->vdir, id);
        AMLS_CHECK(t >= 0, AMLS_ERR_VPROG,
                   "%s: message to original id %lld, which is not a vertex of the graph",
                   cx->p->name, (long long)id);
        AMLS_TRY(put_gid(cx, t, x->recv + at + sizeof id));
    }
cleanup:
    return rc;
}

/* The (original id, message) records, to their directory ranks. Local. */
static int pack_vids(amls_ctx *cx, amls__xchg *x)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    AMLS_TRY(amls__xchg_init(x, cx->g->comm));
    for (int q = 0; q < cx->g->nranks; q++)
        amls__xchg_count(x, q, (int64_t)m->vrec[q].len);
    AMLS_TRY(amls__xchg_pack(x));
    for (int q = 0; q < cx->g->nranks; q++) {
        if (m->vrec[q].len > 0)
            memcpy(amls__xchg_put(x, q, (int64_t)m->vrec[q].len), m->vrec[q].data, m->vrec[q].len);
        if (q != cx->g->rank)
            cx->st.bytes += (int64_t)m->vrec[q].len;
        m->vrec[q].len = 0;
    }
cleanup:
    return rc;
}

int amls__msgs_route_vids(amls_ctx *cx)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    amls__xchg x = {.comm = g->comm};
    if (cx->vdir == NULL)
        AMLS_TRY(amls__vdir_build(g, &cx->vdir));
    AMLS_TRY(amls__xchg_run(&x, pack_vids(cx, &x)));
    AMLS_AGREE(g->comm, forward_vids(cx, &x));
cleanup:
    amls__xchg_free(&x);
    return rc;
}
