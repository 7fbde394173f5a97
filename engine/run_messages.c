/* ---------------------------------------------------------------------------------------------
 * engine/run_messages.c — messages: sends, the per-peer segments (run_wire.h), and delivery.
 * SPDX-License-Identifier: MIT
 *
 * With a combiner, a message to a neighbour is combined on the sender into a slot per local or
 * ghost vertex (the ghost slots are this rank's copy of the remote vertices its edges reach).
 * At the end of the superstep each peer gets one segment (amls__seg_hdr): the combined values
 * for the ghosts it owns, as a bitmap over them in plan order plus the values of the set bits,
 * or as (plan position, value) pairs when few are set, so no vertex ids travel with them; then
 * the messages to vertices that are not neighbours, as (index at the owner, message) records.
 * Without a combiner every message is such a record; the receiver groups all records by target
 * with a counting sort, so compute() sees all its messages contiguously. One exchange (the
 * core primitive) moves all segments.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

int amls__msgs_init(amls__msgs *m, const amls_graph *g, const amls_vprog *p, bool no_combiner)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, nt = g->n_local + g->n_ghost;
    memset(m, 0, sizeof *m);
    m->msz = p->msg_size;
    m->rsz = sizeof(uint32_t) + p->msg_size;
    m->comb = amls__comb_of(&p->combiner, no_combiner);
    amls__vec_init(&m->lrec, 1);
    AMLS_CALLOC(m->raw, g->nranks);
    AMLS_CALLOC(m->vrec, g->nranks);
    for (int q = 0; q < g->nranks; q++) {
        amls__vec_init(&m->raw[q], 1);
        amls__vec_init(&m->vrec[q], 1);
    }
    AMLS_ALLOC(m->ghost_owner, g->n_ghost + 1);
    for (int q = 0; q < g->nranks; q++)
        for (int64_t k = g->recv_off[q]; k < g->recv_off[q + 1]; k++)
            m->ghost_owner[k] = q;
    if (m->comb.kind != AMLS__COMB_NONE) {
        AMLS_ALLOC(m->nval, (size_t)nt * m->msz + 1);
        AMLS_ALLOC(m->ival, (size_t)nt * m->msz + 1);
        AMLS_CALLOC(m->nhas, nt + 1);
        AMLS_CALLOC(m->ihas, nt + 1);
        AMLS_ALLOC(m->nlist, nt + 1);
        AMLS_ALLOC(m->ilist, nt + 1);
    }
    AMLS_CALLOC(m->ioff, nl + 2);
    AMLS_ALLOC(m->woken, nl + 1);
    AMLS_CALLOC(m->nset, g->nranks);
    AMLS_CALLOC(m->fill, g->nranks);
    AMLS_CALLOC(m->pairs, g->nranks);
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
    amls__free(m->ioff);
    amls__free(m->idata);
    amls__free(m->woken);
    amls__free(m->nset);
    amls__free(m->fill);
    amls__free(m->pairs);
    memset(m, 0, sizeof *m);
}

/* ---- sending ------------------------------------------------------------------------------- */

/* Put msg into slot t of the outgoing combined array. */
static inline void slot_put(amls__msgs *m, int64_t t, const void *msg)
{
    char *acc = m->nval + (size_t)t * m->msz;
    if (m->nhas[t]) {
        amls__comb_apply(&m->comb, acc, msg);
    } else {
        memcpy(acc, msg, m->msz);
        m->nhas[t] = 1;
        m->nlist[m->nlist_len++] = t;
    }
}

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
    memcpy(r + sizeof idx, msg, m->msz);
    buf->len = need;
    return AMLS_OK;
}

/* A message to local index t (owned or ghost), not counted. */
static inline int put_local(amls_ctx *cx, int64_t t, const void *msg)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    if (m->comb.kind != AMLS__COMB_NONE) {
        slot_put(m, t, msg);
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

/* Puts message x (of type T) into the slot of every target of a CSR row: the first message to
 * a slot is stored, the next ones are combined by UPDATE (an assignment to val[t] from x). For
 * the two combiners on the hot paths of the built-in programs (PageRank's sum of doubles,
 * WCC's and BFS's minimum of int64), with the switch out of the edge loop. Locals: stores
 * through the uint8_t flags could alias the context otherwise. */
#define ROW_PUT(m, col, b, e, T, x, UPDATE)                                                        \
    do {                                                                                           \
        T *val = (T *)(m)->nval;                                                                   \
        uint8_t *has = (m)->nhas;                                                                  \
        int64_t *lst = (m)->nlist, len = (m)->nlist_len;                                           \
        for (int64_t j = (b); j < (e); j++) {                                                      \
            uint32_t t = (col)[j];                                                                 \
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

int amls__send_row(amls_ctx *cx, const uint32_t *col, int64_t b, int64_t e, const void *msg)
{
    amls__msgs *m = &cx->m;
    m->sent += e - b;
    if (m->comb.kind == AMLS__COMB_NONE) { /* one record per message */
        for (int64_t j = b; j < e; j++) {
            int rc = put_local(cx, col[j], msg);
            if (rc < 0)
                return rc;
        }
    } else if (m->comb.kind == AMLS__COMB_SUM_F64) {
        double x;
        memcpy(&x, msg, sizeof x);
        ROW_PUT(m, col, b, e, double, x, val[t] += x);
    } else if (m->comb.kind == AMLS__COMB_MIN_I64) {
        int64_t x;
        memcpy(&x, msg, sizeof x);
        ROW_PUT(m, col, b, e, int64_t, x, if (x < val[t]) val[t] = x);
    } else {
        for (int64_t j = b; j < e; j++)
            slot_put(m, col[j], msg);
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

/* Counts and packs one segment per peer; *bytes: those that leave this rank. Local. */
static int pack_segments(amls_ctx *cx, amls__xchg *x, int64_t *bytes)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    int64_t nl = g->n_local;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    memset(m->nset, 0, (size_t)g->nranks * sizeof *m->nset);
    memset(m->fill, 0, (size_t)g->nranks * sizeof *m->fill);
    for (int64_t q = 0; q < m->nlist_len && m->comb.kind != AMLS__COMB_NONE; q++)
        if (m->nlist[q] >= nl && m->ghost_owner[m->nlist[q] - nl] != g->rank)
            m->nset[m->ghost_owner[m->nlist[q] - nl]]++;
    for (int q = 0; q < g->nranks; q++)
        if (q != g->rank || m->raw[q].len > 0)
            amls__xchg_count(
                x, q,
                amls__seg_size(seg_ghosts(cx, q), m->nset[q], m->msz, (int64_t)m->raw[q].len));
    AMLS_TRY(amls__xchg_pack(x));
    *bytes = x->soff[g->nranks] - x->scnt[g->rank];
    for (int q = 0; q < g->nranks; q++) {
        if (x->scnt[q] == 0)
            continue;
        int64_t t0 = nl + g->recv_off[q];
        m->pairs[q] = amls__seg_encode(
            amls__xchg_put(x, q, x->scnt[q]), seg_ghosts(cx, q), m->nset[q],
            m->nhas ? m->nhas + t0 : NULL, m->nval ? m->nval + (size_t)t0 * m->msz : NULL, m->msz,
            m->raw[q].data, (int64_t)m->raw[q].len, (int64_t)(m->raw[q].len / m->rsz));
        m->raw[q].len = 0;
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
    slot_put(&d->cx->m, g->send_idx[g->send_off[d->src] + at], value);
}

static void combined_record(void *ud, uint32_t target, const void *msg)
{
    slot_put(&((deliver *)ud)->cx->m, target, msg);
}

/* Combined delivery: every value and record into the next-inbox slots, then the slots filled
 * this superstep become the inbox. Local. */
static int deliver_combined(amls_ctx *cx, const amls__xchg *x)
{
    amls__msgs *m = &cx->m;
    const amls_graph *g = cx->g;
    for (int q = 0; q < g->nranks; q++) {
        int64_t len;
        const char *seg = amls__xchg_from(x, q, &len);
        deliver d = {cx, q};
        int64_t ng = q != g->rank ? g->send_off[q + 1] - g->send_off[q] : 0;
        if (len > 0)
            amls__seg_decode(seg, ng, m->msz, combined_value, combined_record, &d);
    }
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
    /* Clear the old inbox's flags through its list, or by a sweep when many are set. */
    int64_t nt = g->n_local + g->n_ghost;
    if (m->nlist_len > nt / 16)
        memset(m->nhas, 0, (size_t)nt);
    else
        for (int64_t q = 0; q < m->nlist_len; q++)
            m->nhas[m->nlist[q]] = 0;
    m->nlist_len = 0;
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
    int64_t *ioff = m->ioff, *woken = m->woken, nw = m->nwoken;
    for (uint64_t r = 0; r < nr; r++) {
        uint32_t t;
        memcpy(&t, recs + r * m->rsz, 4);
        if (ioff[t + 1]++ == 0)
            woken[nw++] = t;
    }
    m->nwoken = nw;
}

/* Counting-sort pass 1: each message to its target's next place. */
static void place_records(amls__msgs *m, const char *recs, uint64_t nr, int64_t *pos)
{
    char *idata = m->idata;
    size_t msz = m->msz, rsz = m->rsz;
    for (uint64_t r = 0; r < nr; r++) {
        uint32_t t;
        memcpy(&t, recs + r * rsz, 4);
        memcpy(idata + (size_t)pos[t]++ * msz, recs + r * rsz + 4, msz);
    }
}

/* Uncombined delivery: a counting sort of all records (local ones first, then by source
 * rank) by target; the targets are woken. */
static int deliver_records(amls_ctx *cx, const amls__xchg *x)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    int64_t nl = cx->g->n_local, nrec = 0, *pos = NULL;
    uint64_t nr;
    for (int q = -1; q < cx->g->nranks; q++) {
        records_from(cx, x, q, &nr);
        nrec += (int64_t)nr;
    }
    memset(m->ioff, 0, (size_t)(nl + 2) * sizeof *m->ioff);
    amls__free(m->idata);
    m->idata = amls__malloc((size_t)nrec * m->msz + 1, 1);
    pos = amls__malloc((size_t)nl + 1, sizeof *pos);
    AMLS_CHECK(m->idata && pos, AMLS_ERR_NOMEM, "out of memory receiving %lld messages",
               (long long)nrec);
    m->nwoken = 0;
    for (int q = -1; q < cx->g->nranks; q++) {
        const char *recs = records_from(cx, x, q, &nr);
        count_records(m, recs, nr);
    }
    for (int64_t i = 0; i < nl; i++)
        m->ioff[i + 1] += m->ioff[i];
    memcpy(pos, m->ioff, (size_t)nl * sizeof *pos);
    for (int q = -1; q < cx->g->nranks; q++) {
        const char *recs = records_from(cx, x, q, &nr);
        place_records(m, recs, nr, pos);
    }
    m->lrec.len = 0;
cleanup:
    amls__free(pos);
    return rc;
}

int amls__msgs_exchange(amls_ctx *cx, int64_t *bytes)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    amls__xchg x = {.comm = g->comm};
    AMLS_TRY(amls__xchg_run(&x, pack_segments(cx, &x, bytes)));
    AMLS_AGREE(g->comm, cx->m.comb.kind != AMLS__COMB_NONE ? deliver_combined(cx, &x)
                                                           : deliver_records(cx, &x));
cleanup:
    amls__xchg_free(&x);
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
