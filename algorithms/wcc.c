/* ---------------------------------------------------------------------------------------------
 * algorithms/wcc.c — weakly connected components: local union-find, then hooking and pointer
 * jumping between the pieces.
 * SPDX-License-Identifier: MIT
 *
 * Superstep 0 contracts what each rank holds: every vertex unites with its neighbours on the
 * same rank (union-find, amls_nbr_vertex), and the master step then finds each piece's root,
 * its smallest original id and one representative among its members that have neighbours on
 * other ranks (pieces without such neighbours are whole components). Between pieces runs
 * Shiloach-Vishkin in Pregel form (after FastSV, Zhang, Azad and Hu, SIAM PP 2020, and the
 * request-respond pattern of Yan et al., VLDB 2014): a piece points at a piece with a smaller
 * id, a pointer being (original id, representative's engine id); every superstep each
 * representative asks its parent for the parent's pointer (amls_request: the engine asks each
 * target once per rank) and takes it when smaller (shortcutting), and tells the remote
 * neighbours of its piece when its pointer changed; a member hearing a smaller pointer takes
 * it (aggressive hooking) and sends it to its piece's old parent (stochastic hooking). When a
 * superstep changes nothing, every piece holds the smallest original id of its component (the
 * ends of every cut edge heard each other's last pointer and kept the smaller), and a last
 * superstep writes it into every vertex. Supersteps: O(log n) over the pieces; with a
 * partitioner that cuts few edges (METIS on road networks) only a few.
 *
 * Program data lives per rank (setup, amls_set_user). After a restart it is gone: the master
 * step then collects again from the vertex states, whose labels are ids of their components
 * not above their own, from which the same run gives the same answer. Reference: union-find
 * (ref/wcc_ref.c); `--variant label` is min-label propagation.
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <string.h>

typedef struct ptr {
    int64_t id;  /* original id: the key */
    int64_t gid; /* engine id of the representative of the piece it leads to */
} ptr;
typedef struct wcc_state {
    int64_t label;
} wcc_state;

enum { COLLECT = 0, JUMP = 1, FINAL = 2 };
enum { A_PHASE, A_BOUNDARY, A_CHANGED };
static const amls_aggregator aggs[] = {
    {"phase", AMLS_OP_MAX, AMLS_TYPE_I64, true}, /* set by the master step */
    {"boundary", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"changed", AMLS_OP_SUM, AMLS_TYPE_I64, false},
};

/* Per rank, indexed by owned vertex; P, A, rep and the remote lists by piece root. */
typedef struct wcc_data {
    int64_t n, *uf, *key, *gid, *rep, *roff, *rn, npairs, cap;
    int64_t *pairs; /* remote edges: member << 32 | neighbour handle */
    int64_t hmax;   /* the largest remote neighbour handle seen (handles of remote vertices follow
                     * the n owned ones) */
    ptr *P, *A;     /* pointer; last one told the remote neighbours */
    bool ready;
} wcc_data;

static int64_t find(int64_t *uf, int64_t x)
{
    while (uf[x] != x)
        x = uf[x] = uf[uf[x]];
    return x;
}

static int wcc_setup(amls_ctx *cx)
{
    wcc_data *d = amls_alloc(cx, sizeof *d);
    int64_t n = amls_local_vertices(cx);
    if (d == NULL)
        return amls_fail(cx, "out of memory");
    memset(d, 0, sizeof *d);
    amls_set_user(cx, d);
    d->n = n;
    int64_t **arr[] = {&d->uf, &d->key, &d->gid, &d->rep, &d->roff};
    for (int k = 0; k < 5; k++)
        if ((*arr[k] = amls_alloc(cx, (size_t)(n + 1) * sizeof(int64_t))) == NULL)
            return amls_fail(cx, "out of memory");
    d->P = amls_alloc(cx, (size_t)(n + 1) * sizeof(ptr));
    d->A = amls_alloc(cx, (size_t)(n + 1) * sizeof(ptr));
    return d->P && d->A ? 0 : amls_fail(cx, "out of memory");
}

static void wcc_finalize(amls_ctx *cx)
{
    wcc_data *d = amls_user(cx);
    if (d == NULL)
        return;
    void *arr[] = {d->uf, d->key, d->gid, d->rep, d->roff, d->rn, d->pairs, d->P, d->A, d};
    for (int k = 0; k < 10; k++)
        amls_free(cx, arr[k]);
}

static int wcc_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((wcc_state *)state)->label = amls_vertex_id(cx, v);
    return 0;
}

/* Collect: unite with neighbours on this rank, remember the others. */
static int collect(amls_ctx *cx, amls_vertex v, wcc_data *d, const wcc_state *s)
{
    const amls_nbr *nb;
    int64_t k = amls_nbrs(cx, v, &nb, NULL), remote = 0;
    if (k < 0)
        return (int)k;
    d->key[v] = s->label;
    d->gid[v] = amls_vertex_gid(cx, v);
    d->uf[v] = v;
    for (int64_t i = 0; i < k; i++) {
        amls_vertex u = amls_nbr_vertex(cx, nb[i]);
        if (u >= 0 && u < v) { /* u is already in the forest: link the roots */
            int64_t a = find(d->uf, u), b = find(d->uf, v);
            d->uf[a > b ? a : b] = a > b ? b : a;
        } else if (u < 0) {
            if (d->npairs + 1 > d->cap) {
                int64_t c = 2 * d->cap + 4096, *np = amls_alloc(cx, (size_t)c * sizeof *np);
                if (np == NULL)
                    return amls_fail(cx, "out of memory");
                if (d->pairs)
                    memcpy(np, d->pairs, (size_t)d->npairs * sizeof *np);
                amls_free(cx, d->pairs);
                d->pairs = np;
                d->cap = c;
            }
            /* the member and the handle (sends go straight to its slot), 32 bits each */
            d->pairs[d->npairs++] = (int64_t)((uint64_t)v << 32 | nb[i]);
            d->hmax = nb[i] > d->hmax ? nb[i] : d->hmax;
            remote = 1;
        }
    }
    if (!remote)
        amls_vote_to_halt(cx, v);
    return remote ? amls_aggregate(cx, A_BOUNDARY, &remote) : 0;
}

/* Keeps each remote neighbour once per piece (a piece's members often share them: the big
 * piece of a power-law graph lists every cut edge), so that a changed pointer is sent once per
 * neighbour. */
static int distinct(amls_ctx *cx, wcc_data *d)
{
    int64_t span = d->hmax >= d->n ? d->hmax - d->n + 1 : 1, out = 0;
    int64_t *mark = amls_alloc(cx, (size_t)span * sizeof *mark);
    if (mark == NULL)
        return amls_fail(cx, "out of memory");
    memset(mark, 0xff, (size_t)span * sizeof *mark);
    for (int64_t r = 0, k = 0; r < d->n; r++) {
        for (int64_t end = d->roff[r + 1]; k < end; k++)
            if (mark[d->rn[k] - d->n] != r) {
                mark[d->rn[k] - d->n] = r;
                d->rn[out++] = d->rn[k];
            }
        d->roff[r + 1] = out;
    }
    amls_free(cx, mark);
    return 0;
}

/* Master, after collecting: roots, smallest ids, representatives, and every piece's remote
 * neighbours (rn, grouped by root with a counting sort). */
static int build(amls_ctx *cx, wcc_data *d)
{
    for (int64_t v = 0; v < d->n; v++) {
        d->uf[v] = find(d->uf, v);
        d->rep[v] = -1;
        d->roff[v] = 0;
        d->P[v] = d->A[v] = (ptr){INT64_MAX, -1};
    }
    d->roff[d->n] = 0;
    for (int64_t v = 0; v < d->n; v++)
        if (d->key[v] < d->P[d->uf[v]].id)
            d->P[d->uf[v]].id = d->key[v];
    for (int64_t k = 0; k < d->npairs; k++) {
        int64_t r = d->uf[d->pairs[k] >> 32];
        if (d->rep[r] < 0)
            d->rep[r] = d->pairs[k] >> 32;
        d->roff[r + 1]++;
    }
    for (int64_t r = 0; r < d->n; r++) {
        d->roff[r + 1] += d->roff[r];
        if (d->rep[r] >= 0)
            d->P[r].gid = d->gid[d->rep[r]];
    }
    amls_free(cx, d->rn);
    d->rn = amls_alloc(cx, (size_t)(d->npairs + 1) * sizeof *d->rn);
    if (d->rn == NULL)
        return amls_fail(cx, "out of memory");
    int64_t *fill = d->key; /* keys are no longer needed: cursors per root */
    memcpy(fill, d->roff, (size_t)d->n * sizeof *fill);
    for (int64_t k = 0; k < d->npairs; k++)
        d->rn[fill[d->uf[d->pairs[k] >> 32]]++] = d->pairs[k] & 0xffffffff;
    d->npairs = 0;
    d->ready = true;
    return distinct(cx, d);
}

/* A smaller pointer m reached piece c: take it, and hook the old parent under it. */
static int hook(amls_ctx *cx, wcc_data *d, int64_t c, const ptr *m, int64_t *changed)
{
    ptr old = d->P[c];
    if (m->id >= old.id)
        return 0;
    d->P[c] = *m;
    *changed = 1;
    return old.gid != d->gid[d->rep[c]] ? amls_send(cx, old.gid, m) : 0;
}

/* A representative: shortcut through the parent's answer, tell the remote neighbours, ask
 * the parent again. It stays active while pieces still move. */
static int represent(amls_ctx *cx, amls_vertex v, wcc_data *d, int64_t c, int64_t *changed)
{
    const ptr *r = amls_reply(cx, v);
    ptr *p = &d->P[c], *a = &d->A[c];
    int rc = 0;
    if (r && r->id < p->id) {
        *p = *r;
        *changed = 1;
    }
    if (p->id != a->id || p->gid != a->gid) {
        for (int64_t k = d->roff[c]; k < d->roff[c + 1] && rc == 0; k++)
            rc = amls_send_nbr(cx, (amls_nbr)d->rn[k], p);
        *a = *p;
        *changed = 1;
    }
    return rc == 0 && p->gid != d->gid[v] ? amls_request(cx, v, p->gid) : rc;
}

static int wcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    wcc_data *d = amls_user(cx);
    wcc_state *s = state;
    int64_t phase = amls_aggregated_i64(cx, A_PHASE), changed = 0;
    int rc = 0;
    if (phase <= COLLECT)
        return collect(cx, v, d, s);
    int64_t c = d->ready ? d->uf[v] : -1;
    if (c < 0 || d->rep[c] != v || phase == FINAL)
        amls_vote_to_halt(cx, v);
    if (c < 0) /* restarted: the master step collects again */
        return 0;
    if (phase == FINAL) {
        s->label = d->P[c].id;
        return 0;
    }
    if (n > 0)
        rc = hook(cx, d, c, msgs, &changed);
    if (rc == 0 && d->rep[c] == v)
        rc = represent(cx, v, d, c, &changed);
    return rc == 0 && changed ? amls_aggregate(cx, A_CHANGED, &changed) : rc;
}

/* The answer to a request: the pointer of the target's piece. */
static void wcc_reply(const amls_ctx *cx, amls_vertex v, const void *state, void *out)
{
    const wcc_data *d = amls_user(cx);
    ptr p = {((const wcc_state *)state)->label, amls_vertex_gid(cx, v)};
    if (d->ready)
        p = d->P[d->uf[v]];
    memcpy(out, &p, sizeof p);
}

/* Collect, then jump until a superstep changes nothing, then write the labels. After a
 * restart (no program data), collect again from the states. */
static int wcc_master(amls_ctx *cx)
{
    wcc_data *d = amls_user(cx);
    int64_t phase = amls_aggregated_i64(cx, A_PHASE);
    int rc = 0;
    if (phase <= COLLECT) {
        rc = build(cx, d);
        phase = amls_aggregated_i64(cx, A_BOUNDARY) > 0 ? JUMP : FINAL;
    } else if (!d->ready) {
        phase = COLLECT;
    } else if (phase == JUMP && amls_aggregated_i64(cx, A_CHANGED) == 0) {
        phase = FINAL;
    } else {
        return 0;
    }
    if (phase != JUMP)
        amls_wake_all(cx);
    amls_set_aggregated(cx, A_PHASE, &phase);
    return rc;
}

AMLS_VPROG_DEFINE(wcc,
                  .description = "weakly connected components (local union-find, pointer jumping)",
                  .state_size = sizeof(wcc_state), .msg_size = sizeof(ptr),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_I64, 0}, .flags = AMLS_NEED_IN_EDGES,
                  AMLS_AGGREGATORS(aggs), .result_type = AMLS_TYPE_I64, .setup = wcc_setup,
                  .init = wcc_init, .compute = wcc_compute, .master = wcc_master,
                  .finalize = wcc_finalize, .reply_size = sizeof(ptr), .reply = wcc_reply)
