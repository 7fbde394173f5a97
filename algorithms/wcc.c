/* ---------------------------------------------------------------------------------------------
 * algorithms/wcc.c — weakly connected components: local union-find with Afforest sampling,
 * then hooking and pointer jumping between the pieces, then the smallest id of each tree.
 * SPDX-License-Identifier: MIT
 *
 * SAMPLE links every vertex to its first SAMPLES neighbours on the same rank, and the master
 * step takes the most frequent root of a fixed sample as the rank's big piece (Afforest:
 * Sutton, Ben-Nun and Barak, IPDPS'18). COLLECT contracts the rest: a vertex outside the big
 * piece unites with all its neighbours on the rank (an edge between two such vertices once,
 * from its larger end; an edge into the big piece from outside it) and remembers its remote
 * neighbours; a vertex inside publishes its piece's key (its representative's engine id, the
 * smallest key a piece can have) and a few keep their remote neighbours as probes. The anchor
 * is the smallest key over all ranks (an aggregator); a big piece that is the anchor's, or
 * that a probe found next to it, joins it: in SETTLE its vertices publish the anchor, and its
 * edges are never read. The others' members mark their remote neighbours then (a bitmap).
 * The master step then builds each piece's root, smallest original id, representative and
 * remote neighbours (pieces without any are whole components); remote neighbours in big
 * pieces are known by what they published: a piece next to some starts under the smallest.
 *
 * Between pieces runs Shiloach-Vishkin in Pregel form (after FastSV, Zhang, Azad and Hu, SIAM
 * PP 2020, and the request-respond pattern of Yan et al., VLDB 2014): a piece points at a
 * piece with a smaller key (big pieces order before the others: small pieces hook under big
 * ones, and a big piece that joined the anchor never moves); every superstep each
 * representative asks its parent for the parent's pointer (amls_request: the engine asks each
 * target once per rank) and takes it when smaller (shortcutting), and tells the remote
 * neighbours of its piece when its pointer changed, but not those whose big piece's pointer is
 * known to be as small; a member hearing a smaller pointer takes it (aggressive hooking) and
 * sends it to its piece's old parent (stochastic hooking). When a superstep changes nothing,
 * the ends of every cut edge hold the same pointer, and every tree is a star. GATHER sends
 * each piece's smallest original id to its root, LOOKUP asks the root for the smallest it
 * heard, READ takes the answer and FINAL writes it into every vertex: the smallest original id
 * of the component, at every rank count and partitioner. Supersteps: O(log n) over the pieces
 * plus seven; on a graph with one giant component, two or three of jumping.
 *
 * Program data lives per rank (setup, amls_set_user). After a restart it is gone: the master
 * step then samples again from the vertex states, whose labels are ids of their components
 * not above their own, from which the same run gives the same answer. Reference: union-find
 * (ref/wcc_ref.c); `--variant label` is min-label propagation.
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <stdlib.h>
#include <string.h>

typedef struct ptr {
    int64_t id;  /* the key of the piece it leads to */
    int64_t gid; /* engine id of that piece's representative */
} ptr;
typedef struct msg {
    ptr p;
    int64_t from; /* the key of the big piece that sends its own pointer, or -1 */
} msg;
typedef struct wcc_state {
    int64_t label;
} wcc_state;

enum { SAMPLE, COLLECT, SETTLE, JUMP, GATHER, LOOKUP, READ, FINAL };
/* Keys order the pieces: big pieces (key: their representative's engine id) before the others
 * (HI + it), so that small pieces hook under big ones and big ones rarely move. */
#define HI   (INT64_C(1) << 62)
#define NONE UINT32_MAX
enum { SAMPLES = 2, SAMPLE_SIZE = 1024, PROBE_EVERY = 64, PROBES = 4096, FULL_DEGREE = 8 };
enum { A_PHASE, A_BOUNDARY, A_CHANGED, A_ANCHOR };
enum { P_CONTRACT };
static const amls_param params[] = {
    {"contract", AMLS_PARAM_STRING, "auto",
     "local contraction: full (every edge), sample (Afforest), auto (full up to 8 edges per "
     "vertex)"},
};
static const amls_aggregator aggs[] = {
    {"phase", AMLS_OP_MAX, AMLS_TYPE_I64, true}, /* set by the master step */
    {"boundary", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"changed", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"anchor", AMLS_OP_MIN, AMLS_TYPE_I64, false}, /* the smallest key of a big piece */
};

/* A piece with remote neighbours: its representative, pointer, the pointer it last told the
 * remote neighbours, and the key of the big piece whose message set the pointer (-1: none or
 * not known). */
typedef struct piece {
    int64_t rep, from;
    ptr P, A;
} piece;

/* Per rank. Per owned vertex: uf, key, big, pidx; per piece with remote neighbours: pc, roff
 * and its slice of rn. */
typedef struct wcc_data {
    int64_t n, lo;  /* owned vertices; engine id of vertex 0 (the others follow) */
    uint32_t *uf;   /* union-find parents, each below its child (handles are 32 bits: so is n) */
    int64_t *key;   /* original ids; after building, at each root the smallest of its piece
                     * (of its tree once looked up) */
    uint8_t *big;   /* in the big piece (after sampling) */
    uint32_t *pidx; /* at the root of a piece with remote neighbours: its index in pc */
    piece *pc;
    int64_t npc, *roff, *rn;
    uint64_t *pairs; /* remote edges of vertices outside the big piece (of every
                      * vertex when full): member << 32 | handle */
    int64_t npairs, cap;
    int64_t hmax;    /* the largest remote neighbour handle seen (handles of remote vertices
                      * follow the n owned ones) */
    uint64_t *bmark; /* remote neighbours of the big piece: bit h - n for handle h */
    int64_t bwords;
    int64_t brep, broot;    /* the big piece's representative (its root after sampling, or
                             * when full a member with remote neighbours); its root after
                             * building */
    int64_t *peers, npeers; /* keys of other ranks' big pieces next to this one: one edge each
                             * stands for all edges between them */
    int64_t *probe, nprobe; /* remote neighbours of a few members of the big piece */
    int64_t anchor;         /* the smallest key of a big piece (the anchor) */
    int64_t boundary;       /* vertices that may have remote neighbours, all ranks */
    bool member;            /* the big piece is known to join the anchor's: it points there */
    int directed;           /* the graph is: walk in-edges as well */
    bool full; /* few edges per vertex: superstep 0 links every edge on the rank and keeps every
                * remote one; only vertices with remote neighbours (and vertex 0, until SETTLE) run
                * until FINAL */
    int stage; /* 0: nothing yet, 1: sampled, 2: collected, 3: pieces built */
} wcc_data;

static int64_t find(const uint32_t *uf, int64_t x)
{
    while (uf[x] != x)
        x = uf[x];
    return x;
}

/* Unites the sets of a and b: the larger of two roots goes under the smaller, so every
 * parent is below its child (Afforest's link, without full finds). */
static void link(uint32_t *uf, uint32_t a, uint32_t b)
{
    uint32_t p = uf[a], q = uf[b];
    while (p != q) {
        uint32_t hi = p > q ? p : q, lo = p > q ? q : p, ph = uf[hi];
        if (ph == lo)
            return;
        if (ph == hi) {
            uf[hi] = lo;
            return;
        }
        p = uf[ph];
        q = uf[lo];
    }
}

/* Points every vertex at its root: parents are below their children, so one ascending pass. */
static void compress(uint32_t *uf, int64_t n)
{
    for (int64_t v = 0; v < n; v++)
        uf[v] = uf[uf[v]];
}

/* Forgets everything the rank built (a fresh run, or a restart). */
static void reset(wcc_data *d)
{
    for (int64_t v = 0; v < d->n; v++)
        d->uf[v] = (uint32_t)v;
    memset(d->big, 0, (size_t)d->n + 1);
    if (d->bmark)
        memset(d->bmark, 0, (size_t)d->bwords * sizeof *d->bmark);
    d->npairs = d->hmax = d->npeers = d->nprobe = 0;
    d->member = false;
    d->brep = d->broot = -1;
    d->stage = 0;
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
    d->directed = amls_is_directed(cx);
    const char *mode = amls_param_str(cx, P_CONTRACT);
    if (strcmp(mode, "auto") && strcmp(mode, "full") && strcmp(mode, "sample"))
        return amls_fail(cx, "--contract must be auto, full or sample");
    d->full = !strcmp(mode, "full") ||
              (!strcmp(mode, "auto") && amls_num_edges(cx) <= FULL_DEGREE * amls_num_vertices(cx));
    d->lo = n > 0 ? amls_vertex_gid(cx, 0) : 0;
    d->key = amls_alloc(cx, (size_t)(n + 1) * sizeof *d->key);
    d->uf = amls_alloc(cx, (size_t)(n + 1) * sizeof *d->uf);
    d->pidx = amls_alloc(cx, (size_t)(n + 1) * sizeof *d->pidx);
    d->big = amls_alloc(cx, (size_t)n + 1);
    d->peers = amls_alloc(cx, (size_t)amls_nranks(cx) * sizeof *d->peers);
    d->probe = amls_alloc(cx, PROBES * sizeof *d->probe);
    if (!d->key || !d->uf || !d->pidx || !d->big || !d->peers || !d->probe)
        return amls_fail(cx, "out of memory");
    reset(d);
    return 0;
}

static void wcc_finalize(amls_ctx *cx)
{
    wcc_data *d = amls_user(cx);
    if (d == NULL)
        return;
    void *arr[] = {d->uf, d->key,   d->big,   d->pidx,  d->pc,    d->roff,
                   d->rn, d->pairs, d->bmark, d->peers, d->probe, d};
    for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++)
        amls_free(cx, arr[k]);
}

static int wcc_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((wcc_state *)state)->label = amls_vertex_id(cx, v);
    return 0;
}

/* v's out-edges (dir 0) or in-edges (dir 1, walked on directed graphs only): their count. */
static int64_t row(const amls_ctx *cx, amls_vertex v, int dir, const amls_nbr **nb)
{
    return dir ? amls_in_edges(cx, v, nb, NULL) : amls_out_edges(cx, v, nb, NULL);
}

/* Links v to up to `want` neighbours on this rank in a row sorted by engine id (owned vertices
 * have the engine ids lo .. lo + n - 1, so they lie together in it): the first ones, or the
 * last ones when the row starts with another rank's vertices and ends with owned ones (the
 * last rank), or after a binary search. Returns how many it linked. */
static int link_owned(const amls_ctx *cx, wcc_data *d, amls_vertex v, const amls_nbr *nb, int64_t k,
                      int want)
{
    int64_t a = 0, b = k;
    int linked = 0;
    if (k > 0 && nb[0] >= d->n && nb[k - 1] < d->n) { /* from the end */
        for (int64_t i = k - 1; i >= 0 && nb[i] < d->n && linked < want; i--, linked++)
            link(d->uf, (uint32_t)v, nb[i]);
        return linked;
    }
    if (k > 0 && nb[0] >= d->n && amls_nbr_gid(cx, nb[0]) < d->lo)
        while (a < b) { /* the first position at or above lo */
            int64_t m = a + (b - a) / 2;
            if (nb[m] >= d->n && amls_nbr_gid(cx, nb[m]) < d->lo)
                a = m + 1;
            else
                b = m;
        }
    for (int64_t i = a; i < k && nb[i] < d->n && linked < want; i++, linked++)
        link(d->uf, (uint32_t)v, nb[i]); /* an owned vertex: its handle is its index */
    return linked;
}

static int contract(amls_ctx *cx, amls_vertex v, wcc_data *d, const amls_nbr *nb, int64_t k);

/* Every edge of v: linked when on the rank, kept when not; v halts without remote ones.
 * Returns 1 when v has remote neighbours, 0 when not, or a negative status. */
static int contract_all(amls_ctx *cx, amls_vertex v, wcc_data *d)
{
    int remote = 0;
    for (int dir = 0; dir < 1 + d->directed; dir++) {
        const amls_nbr *nb;
        int64_t k = row(cx, v, dir, &nb);
        int r = k < 0 ? (int)k : contract(cx, v, d, nb, k);
        if (r < 0)
            return r;
        remote |= r;
    }
    if (!remote && !(d->full && v == 0)) /* vertex 0 keeps the run going into SETTLE (then the
                                          * representatives do, or FINAL wakes every vertex) */
        amls_vote_to_halt(cx, v);
    return remote;
}

/* Sampling: link to the first SAMPLES neighbours on this rank, out- and (directed graphs)
 * in-neighbours (the two lists, not amls_nbrs: no merge); with few edges, all of them. */
static int sample(amls_ctx *cx, amls_vertex v, wcc_data *d, const wcc_state *s)
{
    d->key[v] = s->label;
    if (d->full) {
        int rc = contract_all(cx, v, d);
        return rc < 0 ? rc : 0;
    }
    for (int dir = 0, linked = 0; dir < 1 + d->directed && linked < SAMPLES; dir++) {
        const amls_nbr *nb;
        int64_t k = row(cx, v, dir, &nb);
        if (k < 0)
            return (int)k;
        linked += link_owned(cx, d, v, nb, k, SAMPLES - linked);
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Master, after sampling: the most frequent root among a fixed sample is the big piece. */
static void find_big(wcc_data *d)
{
    int64_t smp[SAMPLE_SIZE], best = -1;
    if (d->n == 0)
        return;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < SAMPLE_SIZE; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: the same sample every run */
        smp[i] = find(d->uf, (int64_t)(x % (uint64_t)d->n));
    }
    qsort(smp, SAMPLE_SIZE, sizeof smp[0], cmp_i64);
    for (int i = 0, run = 0, most = 0; i < SAMPLE_SIZE; i++) {
        run = i > 0 && smp[i] == smp[i - 1] ? run + 1 : 1;
        if (run > most) {
            most = run;
            best = smp[i];
        }
    }
    compress(d->uf, d->n);
    for (int64_t v = 0; v < d->n; v++)
        d->big[v] = d->uf[v] == best;
    d->brep = best;
    for (int64_t k = 0; d->full && k < d->npairs; k++) /* a member still running */
        if (d->big[d->pairs[k] >> 32]) {
            d->brep = (int64_t)(d->pairs[k] >> 32);
            break;
        }
}

/* Grows an array of 64-bit words from *cap to at least `need` (doubling, else `need` and
 * `spare` more), keeping its contents; the new words zeroed when `zero`. */
static int grow(amls_ctx *cx, uint64_t **arr, int64_t *cap, int64_t need, int64_t spare, bool zero)
{
    if (need <= *cap)
        return 0;
    int64_t c = 2 * *cap > need ? 2 * *cap : need + spare;
    uint64_t *na = amls_alloc(cx, (size_t)c * sizeof *na);
    if (na == NULL)
        return amls_fail(cx, "out of memory");
    if (zero)
        memset(na + *cap, 0, (size_t)(c - *cap) * sizeof *na);
    if (*arr)
        memcpy(na, *arr, (size_t)*cap * sizeof *na);
    amls_free(cx, *arr);
    *arr = na;
    *cap = c;
    return 0;
}

/* Sets bit h - n of the big piece's bitmap (remote handle h), growing it. */
static int mark_one(amls_ctx *cx, wcc_data *d, int64_t h)
{
    int64_t b = h - d->n;
    int rc = grow(cx, &d->bmark, &d->bwords, b / 64 + 1, 1023, true);
    if (rc < 0)
        return rc;
    d->bmark[b >> 6] |= UINT64_C(1) << (b & 63);
    d->hmax = h > d->hmax ? h : d->hmax;
    return 1;
}

/* A member of the big piece: marks its remote neighbours. (Reading only the runs of remote
 * ones at both ends of the row, the owned ones lying together between, measured slower.) */
static int mark_remote(amls_ctx *cx, wcc_data *d, const amls_nbr *nb, int64_t k)
{
    int rc = 0;
    for (int64_t i = 0; i < k && rc >= 0; i++)
        if (nb[i] >= d->n)
            rc = mark_one(cx, d, nb[i]);
    return rc;
}

static int add_pair(amls_ctx *cx, wcc_data *d, amls_vertex v, amls_nbr h)
{
    int rc = grow(cx, &d->pairs, &d->cap, d->npairs + 1, 4095, false);
    if (rc < 0)
        return rc;
    /* the member and the handle (sends go straight to its slot), 32 bits each */
    d->pairs[d->npairs++] = (uint64_t)v << 32 | h;
    d->hmax = h > d->hmax ? h : d->hmax;
    return 1;
}

/* Collect, outside the big piece: unite with the neighbours on this rank (an edge between two
 * outsiders once, every edge into the big piece) and remember the others. Returns 1 when v has
 * remote neighbours, 0 when not, or a negative status. */
static int contract(amls_ctx *cx, amls_vertex v, wcc_data *d, const amls_nbr *nb, int64_t k)
{
    int remote = 0;
    for (int64_t i = 0; i < k && remote >= 0; i++) {
        int64_t u = nb[i];
        if (u >= d->n)
            remote = add_pair(cx, d, v, nb[i]);
        else if (u < v || d->big[u]) /* an edge between two outsiders once; every edge in */
            link(d->uf, (uint32_t)u, (uint32_t)v);
    }
    return remote;
}

/* The key of the big piece a remote neighbour belongs to, or -1 (published while collecting).*/
static int64_t big_key(const amls_ctx *cx, amls_nbr h)
{
    const int64_t *pub = amls_nbr_published(cx, h, NULL);
    return pub ? *pub : -1;
}

/* A member of the big piece publishes its piece's key, and its representative offers the
 * key to the anchor; every PROBE_EVERY-th one keeps its remote neighbours as probes. Its
 * edges wait for SETTLE: they are read only when the piece is not known to join the anchor's.*/
static int collect_big(amls_ctx *cx, amls_vertex v, wcc_data *d)
{
    int64_t key = d->lo + d->brep, one = 1;
    if (v % PROBE_EVERY == 0)
        for (int dir = 0; dir < 1 + d->directed; dir++) {
            const amls_nbr *nb;
            int64_t k = row(cx, v, dir, &nb);
            for (int64_t i = 0; i < k && d->nprobe < PROBES; i++)
                if (nb[i] >= d->n)
                    d->probe[d->nprobe++] = nb[i];
        }
    int rc = amls_publish(cx, v, &key, sizeof key);
    if (rc == 0 && v == d->brep) {
        rc = amls_aggregate(cx, A_ANCHOR, &key);
        if (rc == 0 && amls_nranks(cx) > 1) /* its edges are not read: may cross ranks */
            rc = amls_aggregate(cx, A_BOUNDARY, &one);
    }
    return rc;
}

/* Whether v has a neighbour on another rank. */
static bool has_remote(const amls_ctx *cx, const wcc_data *d, amls_vertex v)
{
    for (int dir = 0; dir < 1 + d->directed; dir++) {
        const amls_nbr *nb;
        int64_t k = row(cx, v, dir, &nb);
        for (int64_t i = 0; i < k; i++)
            if (nb[i] >= d->n)
                return true;
    }
    return false;
}

/* Collect, outside the big piece: a vertex with remote neighbours also publishes -1. With
 * few edges (full) only vertices with remote neighbours run: they publish their piece's key
 * (big) or -1. */
static int collect(amls_ctx *cx, amls_vertex v, wcc_data *d)
{
    if (d->big[v] && !d->full)
        return collect_big(cx, v, d);
    int64_t one = 1, key = d->big[v] ? d->lo + d->brep : -1;
    if (d->full) { /* every edge was read: v has remote neighbours, or is vertex 0 */
        if (v == 0 && !has_remote(cx, d, v))
            return 0;
        int rc = amls_publish(cx, v, &key, sizeof key);
        if (rc == 0 && v == d->brep)
            rc = amls_aggregate(cx, A_ANCHOR, &key);
        return rc < 0 ? rc : amls_aggregate(cx, A_BOUNDARY, &one);
    }
    int remote = contract_all(cx, v, d);
    if (remote <= 0)
        return remote;
    int rc = amls_publish(cx, v, &key, sizeof key);
    return rc < 0 ? rc : amls_aggregate(cx, A_BOUNDARY, &one);
}

/* Master, after collecting: the big piece joins the anchor's when it is the anchor's or a
 * probe reached it (its published key is the anchor). */
static void decide(amls_ctx *cx, wcc_data *d)
{
    d->anchor = amls_aggregated_i64(cx, A_ANCHOR);
    d->boundary = amls_aggregated_i64(cx, A_BOUNDARY);
    d->member = d->brep >= 0 && d->lo + d->brep == d->anchor;
    for (int64_t i = 0; d->brep >= 0 && i < d->nprobe && !d->member; i++)
        d->member = big_key(cx, (amls_nbr)d->probe[i]) == d->anchor;
    for (int64_t k = 0; d->full && k < d->npairs && !d->member; k++) /* every edge a probe */
        d->member = d->big[d->pairs[k] >> 32] &&
                    big_key(cx, (amls_nbr)(d->pairs[k] & 0xffffffff)) == d->anchor;
}

/* Settle, in the big piece: a member publishes the anchor (its pointer, final); the others
 * mark their remote neighbours. Only the representative stays. */
static int settle(amls_ctx *cx, amls_vertex v, wcc_data *d)
{
    int rc = 0;
    if (!d->big[v])
        return 0; /* outside: still active when it has remote neighbours */
    if (v != d->brep)
        amls_vote_to_halt(cx, v);
    if (d->member)
        return amls_publish(cx, v, &d->anchor, sizeof d->anchor);
    for (int dir = 0; dir < 1 + d->directed && rc >= 0 && !d->full; dir++) {
        const amls_nbr *nb;
        int64_t k = row(cx, v, dir, &nb);
        rc = k < 0 ? (int)k : mark_remote(cx, d, nb, k);
    }
    return rc < 0 ? rc : 0;
}

/* Keeps each remote neighbour once per piece (a piece's members often share them), so that a
 * changed pointer is sent once per neighbour. */
static int distinct(amls_ctx *cx, wcc_data *d)
{
    int64_t span = d->hmax >= d->n ? d->hmax - d->n + 1 : 1, out = 0;
    int64_t *mark = amls_alloc(cx, (size_t)span * sizeof *mark);
    if (mark == NULL)
        return amls_fail(cx, "out of memory");
    memset(mark, 0xff, (size_t)span * sizeof *mark);
    for (int64_t q = 0, k = 0; q < d->npc; q++) {
        for (int64_t end = d->roff[q + 1]; k < end; k++)
            if (mark[d->rn[k] - d->n] != q) {
                mark[d->rn[k] - d->n] = q;
                d->rn[out++] = d->rn[k];
            }
        d->roff[q + 1] = out;
    }
    amls_free(cx, mark);
    return 0;
}

/* Gives the piece rooted at r an index (first time) with representative v. */
static void add_piece(wcc_data *d, int64_t r, int64_t v)
{
    if (d->pidx[r] == NONE) {
        d->pidx[r] = (uint32_t)d->npc;
        d->pc[d->npc++].rep = v;
    }
}

/* Roots and smallest ids of the pieces (key at the root); the pieces with remote neighbours
 * get indices (the big piece first), representatives and keys, and roff[q + 1] counts piece
 * q's remote neighbours (the big piece's: its nbits bitmap bits, then its pairs). */
static void count_pieces(wcc_data *d, int64_t nbits)
{
    compress(d->uf, d->n);
    for (int64_t v = 0; v < d->n; v++) {
        d->pidx[v] = NONE;
        if (d->key[v] < d->key[d->uf[v]]) /* the root comes first: it is the smallest */
            d->key[d->uf[v]] = d->key[v];
    }
    d->npc = 0;
    d->broot = d->brep >= 0 ? (int64_t)d->uf[d->brep] : -1;
    if (d->broot >= 0)
        add_piece(d, d->broot, d->brep);
    for (int64_t k = 0; k < d->npairs; k++)
        add_piece(d, d->uf[d->pairs[k] >> 32], (int64_t)(d->pairs[k] >> 32));
    memset(d->roff, 0, (size_t)(d->npc + 1) * sizeof *d->roff);
    d->roff[1] = d->broot >= 0 ? nbits : 0;
    for (int64_t k = 0; k < d->npairs; k++)
        d->roff[d->pidx[d->uf[d->pairs[k] >> 32]] + 1]++;
    for (int64_t q = 0; q < d->npc; q++) {
        int64_t g = d->lo + d->pc[q].rep;
        d->roff[q + 1] += d->roff[q];
        d->pc[q].P = (ptr){d->broot >= 0 && q == 0 ? g : HI + g, g};
        d->pc[q].A = (ptr){INT64_MAX, -1};
        d->pc[q].from = -1;
    }
}

/* Takes pointer (k, k) when smaller: k is a big piece's key, and its representative. */
static void take_big(ptr *p, int64_t k)
{
    if (k >= 0 && k < p->id)
        *p = (ptr){k, k};
}

/* Master, after collecting: the big piece's remote neighbours in other ranks' big pieces
 * leave the bitmap; their keys are kept once each, and the piece hooks under the smallest. */
static void split_peers(amls_ctx *cx, wcc_data *d)
{
    for (int64_t w = 0; w < d->bwords; w++)
        for (uint64_t m = d->bmark[w]; m; m &= m - 1) {
            int b = __builtin_ctzll(m);
            int64_t k = big_key(cx, (amls_nbr)(d->n + 64 * w + b)), i = 0;
            if (k < 0)
                continue;
            while (i < d->npeers && d->peers[i] != k)
                i++;
            if (i == d->npeers && d->npeers == amls_nranks(cx))
                continue; /* cannot happen (a key per other rank), but the edge stays */
            if (i == d->npeers)
                d->peers[d->npeers++] = k;
            d->bmark[w] &= ~(UINT64_C(1) << b);
        }
}

/* The per-piece arrays, for at most npairs + 1 pieces. */
static int alloc_pieces(amls_ctx *cx, wcc_data *d, int64_t nbits)
{
    amls_free(cx, d->pc);
    amls_free(cx, d->roff);
    amls_free(cx, d->rn);
    d->pc = amls_alloc(cx, (size_t)(d->npairs + 1) * sizeof *d->pc);
    d->roff = amls_alloc(cx, (size_t)(d->npairs + 2) * sizeof *d->roff);
    d->rn = amls_alloc(cx, (size_t)(d->npairs + nbits + 1) * sizeof *d->rn);
    return d->pc && d->roff && d->rn ? 0 : amls_fail(cx, "out of memory");
}

/* Master, after settling: every piece's remote neighbours (rn, grouped by piece with a
 * counting sort), each once; pieces next to big pieces start under the smallest of them. */
static int build(amls_ctx *cx, wcc_data *d)
{
    split_peers(cx, d);
    int64_t nbits = 0, *fill;
    for (int64_t w = 0; d->brep >= 0 && w < d->bwords; w++)
        nbits += __builtin_popcountll(d->bmark[w]);
    int rc = alloc_pieces(cx, d, nbits);
    if (rc < 0)
        return rc;
    count_pieces(d, nbits);
    for (int64_t k = 0; d->broot >= 0 && k < d->npeers; k++)
        take_big(&d->pc[0].P, d->peers[k]);
    if (d->broot >= 0 && d->member)
        take_big(&d->pc[0].P, d->anchor);
    if ((fill = amls_alloc(cx, (size_t)(d->npc + 1) * sizeof *fill)) == NULL)
        return amls_fail(cx, "out of memory");
    memcpy(fill, d->roff, (size_t)d->npc * sizeof *fill); /* a cursor per piece */
    for (int64_t w = 0; d->broot >= 0 && w < d->bwords; w++)
        for (uint64_t m = d->bmark[w]; m; m &= m - 1)
            d->rn[fill[0]++] = d->n + 64 * w + __builtin_ctzll(m);
    for (int64_t k = 0; k < d->npairs; k++) {
        int64_t q = d->pidx[d->uf[d->pairs[k] >> 32]], h = (int64_t)(d->pairs[k] & 0xffffffff);
        take_big(&d->pc[q].P, big_key(cx, (amls_nbr)h));
        d->rn[fill[q]++] = h;
    }
    amls_free(cx, fill);
    d->npairs = 0;
    d->stage = 3;
    return distinct(cx, d);
}

/* A smaller pointer m reached piece q: take it, and hook the old parent under it. */
static int hook(amls_ctx *cx, wcc_data *d, piece *q, const msg *m, int64_t *changed)
{
    ptr old = q->P;
    if (m->p.id >= old.id)
        return 0;
    q->P = m->p;
    q->from = m->from;
    *changed = 1;
    return old.gid != d->lo + q->rep ? amls_send(cx, old.gid, &(msg){m->p, -1}) : 0;
}

/* Whether piece q must tell remote neighbour h its pointer p: not when h lies in a big piece
 * whose pointer is known to be as small (its published key is not above p, or it sent p: a
 * joined big piece publishes the anchor, the smallest key, so the first test covers it). */
static bool needs(const amls_ctx *cx, const wcc_data *d, const piece *q, amls_nbr h)
{
    if (q == d->pc && d->broot >= 0)
        return true; /* the big piece's remote neighbours outside big pieces */
    int64_t k = big_key(cx, h);
    return k < 0 || (q->P.id < k && k != q->from);
}

/* Tells piece q's remote neighbours its pointer, where needed, and the big piece's peers
 * when the pointer is below their keys. */
static int tell(amls_ctx *cx, wcc_data *d, const piece *q)
{
    int rc = 0;
    int64_t i = q - d->pc;
    bool bigp = i == 0 && d->broot >= 0;
    msg m = {q->P, bigp ? d->lo + d->brep : -1};
    for (int64_t k = d->roff[i]; k < d->roff[i + 1] && rc == 0; k++)
        if (needs(cx, d, q, (amls_nbr)d->rn[k]))
            rc = amls_send_nbr(cx, (amls_nbr)d->rn[k], &m);
    for (int64_t k = 0; bigp && k < d->npeers && rc == 0; k++)
        if (q->P.id < d->peers[k])
            rc = amls_send(cx, d->peers[k], &m);
    return rc;
}

/* A representative: shortcut through the parent's answer, tell the remote neighbours, ask
 * the parent again. It stays active while pieces still move. */
static int represent(amls_ctx *cx, amls_vertex v, wcc_data *d, piece *q, int64_t *changed)
{
    const ptr *r = amls_reply(cx, v);
    int rc = 0;
    if (r && r->id < q->P.id) {
        q->P = *r;
        q->from = -1;
        *changed = 1;
    }
    if (q->P.id != q->A.id || q->P.gid != q->A.gid) {
        rc = tell(cx, d, q);
        q->A = q->P;
        *changed = 1;
    }
    return rc == 0 && q->P.gid != d->lo + v ? amls_request(cx, v, q->P.gid) : rc;
}

/* After the pointers settled (every tree a star): each piece's smallest original id goes to
 * its root's representative, which keeps the smallest it hears; the others then ask it. */
static int finish(amls_ctx *cx, amls_vertex v, wcc_data *d, const piece *q, int64_t phase,
                  const msg *m)
{
    bool root = q->P.gid == d->lo + v;
    int64_t *lab = &d->key[d->uf[v]];
    if (phase == GATHER)
        return root ? 0 : amls_send(cx, q->P.gid, &(msg){{*lab, 0}, -1});
    if (phase == LOOKUP) {
        if (m && m->p.id < *lab)
            *lab = m->p.id;
        return root ? 0 : amls_request(cx, v, q->P.gid);
    }
    const ptr *r = amls_reply(cx, v); /* READ */
    if (!root && r)
        *lab = r->id;
    return 0;
}

/* Jumping, finishing and writing (after building). */
static int jump(amls_ctx *cx, amls_vertex v, wcc_data *d, int64_t phase, const void *msgs,
                int64_t n)
{
    uint32_t c = d->uf[v], i = d->pidx[c];
    piece *q = i == NONE ? NULL : &d->pc[i];
    bool rep = q && q->rep == v;
    int64_t changed = 0;
    int rc = 0;
    if (!rep || phase == FINAL)
        amls_vote_to_halt(cx, v);
    if (phase != JUMP)
        return rep && phase != FINAL ? finish(cx, v, d, q, phase, n > 0 ? msgs : NULL) : 0;
    if (n > 0 && q)
        rc = hook(cx, d, q, msgs, &changed);
    if (rc == 0 && rep)
        rc = represent(cx, v, d, q, &changed);
    return rc == 0 && changed ? amls_aggregate(cx, A_CHANGED, &changed) : rc;
}

static int wcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    wcc_data *d = amls_user(cx);
    wcc_state *s = state;
    int64_t phase = amls_aggregated_i64(cx, A_PHASE);
    if (phase <= SAMPLE) /* the aggregator starts below every phase */
        return sample(cx, v, d, s);
    if (phase == COLLECT && d->stage == 1)
        return collect(cx, v, d);
    if (phase == SETTLE && d->stage == 2)
        return settle(cx, v, d);
    if (d->stage != 3) { /* restarted: the master step samples again */
        amls_vote_to_halt(cx, v);
        return 0;
    }
    if (phase == FINAL)
        s->label = d->key[d->uf[v]];
    return jump(cx, v, d, phase, msgs, n);
}

/* The answer to a request: the pointer of the target's piece; when looking up, the smallest
 * original id its tree holds. */
static void wcc_reply(const amls_ctx *cx, amls_vertex v, const void *state, void *out)
{
    const wcc_data *d = amls_user(cx);
    ptr p = {((const wcc_state *)state)->label, amls_vertex_gid(cx, v)};
    uint32_t i = d->stage == 3 ? d->pidx[d->uf[v]] : NONE;
    if (i != NONE)
        p = d->pc[i].P;
    if (i != NONE && amls_aggregated_i64(cx, A_PHASE) == LOOKUP)
        p.id = d->key[d->uf[v]];
    memcpy(out, &p, sizeof p);
}

/* The next phase: sample, collect, settle, jump until a superstep changes nothing, gather,
 * look up, read, write the labels. After a restart (no program data for the phase), sample
 * again from the states. Returns -1 when the phase stays. */
static int64_t next_phase(amls_ctx *cx, wcc_data *d, int64_t phase, int *rc)
{
    if (phase <= SAMPLE && d->stage == 0) {
        find_big(d);
        d->stage = 1;
        return COLLECT;
    }
    if (phase == COLLECT && d->stage == 1) {
        decide(cx, d);
        d->stage = 2;
        return SETTLE;
    }
    if (phase == SETTLE && d->stage == 2) {
        *rc = build(cx, d);
        return d->boundary > 0 ? JUMP : FINAL;
    }
    if (d->stage != 3 || phase <= SETTLE) {
        reset(d);
        return SAMPLE;
    }
    if (phase == JUMP)
        return amls_aggregated_i64(cx, A_CHANGED) == 0 ? GATHER : -1;
    return phase < FINAL ? phase + 1 : -1;
}

static int wcc_master(amls_ctx *cx)
{
    int rc = 0;
    int64_t phase = next_phase(cx, amls_user(cx), amls_aggregated_i64(cx, A_PHASE), &rc);
    if (phase < 0)
        return 0;
    wcc_data *d = amls_user(cx);
    if (phase == SAMPLE || (phase == COLLECT && !d->full) || phase == FINAL)
        amls_wake_all(cx);
    amls_set_aggregated(cx, A_PHASE, &phase);
    return rc;
}

AMLS_VPROG_DEFINE(wcc,
                  .description = "weakly connected components (Afforest sampling, local "
                                 "union-find, pointer jumping)",
                  .state_size = sizeof(wcc_state), .msg_size = sizeof(msg),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_I64, 0}, .pub_size = sizeof(int64_t),
                  .flags = AMLS_NEED_IN_EDGES, AMLS_AGGREGATORS(aggs), AMLS_PARAMS(params),
                  .result_type = AMLS_TYPE_I64, .setup = wcc_setup, .init = wcc_init,
                  .compute = wcc_compute, .master = wcc_master, .finalize = wcc_finalize,
                  .reply_size = sizeof(ptr), .reply = wcc_reply)
