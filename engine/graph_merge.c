/* ---------------------------------------------------------------------------------------------
 * engine/graph_merge.c — step 5c of the build: repeated edges merged before the rows are built.
 * SPDX-License-Identifier: MIT
 *
 * An edge list may name an edge more than once: symmetric graphs are often written with every
 * edge in both directions (SNAP's undirected graphs, gapbs's converter), and generators repeat
 * edges. The rows merge repeats at the end anyway, but they are sized before any arc moves, so
 * until then every repeat costs the room of its arcs, beside the edges still held: a file with
 * both directions needed twice the memory of one with each edge once. So the build first
 * estimates how many records repeat an edge and, where at least one in eight does, merges them:
 *   0. the estimate: the records whose ends hash (symmetrically) below a cut, about 64 K per rank
 *      (or all of them), go to the rank their key's hash names, which counts the distinct keys;
 *      every copy of an edge is in the sample or out, so distinct over received estimates the
 *      whole (on Kronecker scale 20: 6.4% repeats estimated for 6.4% true, 50.0% for 50.0%);
 *   1. every record, as a key (source << 32 | target, the smaller id first when undirected) and
 *      its weight, goes to the rank its key's hash names, in rounds taken from the end of the
 *      edge arrays, which shrink behind them, into buckets (by hash again, about 32 K records
 *      each) laid out in advance from counts: a rank holds about its share of the records
 *      throughout, and no record moves twice. The rounds keep their buffers;
 *   2. each rank merges each bucket through an open-addressing table of its keys (which fits in
 *      L2) and keeps one record per key, with the smallest weight (the rule of the rows: the
 *      first copy, replaced by any strictly smaller one);
 *   3. the distinct edges replace the raw ones, and the rows are built from them as usual: the
 *      arcs of every row are then distinct, and the rows' room is that of the distinct edges.
 * The partition was computed from the edges as read, so it is the same either way, and so are
 * the rows. An input with few repeats keeps the direct path, which costs no extra exchange.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

enum {
    SAMPLE_PER_RANK = 1 << 16, /* records in the estimate, per rank */
    BUCKET_KEYS = 1 << 15,     /* records per bucket of step 2 (its table fits L2) */
    MAX_BUCKET_BITS = 12
};

static _Thread_local int merge_mode = -1;

void amls__edges_merge_mode(int mode)
{
    merge_mode = mode < 0 ? -1 : mode > 0;
}

static inline uint64_t edge_key(uint32_t u, uint32_t v, bool undirected)
{
    uint32_t a = undirected ? AMLS_MIN(u, v) : u, b = undirected ? AMLS_MAX(u, v) : v;
    return (uint64_t)a << 32 | b;
}

/* One hash per key (amls__mix64): its low 32 bits pick the rank, bits 32.. the bucket. The
 * sample takes the records whose ends (u, v) hash, by a function symmetric in u and v and cheap
 * enough for a pass over every record, below a cut of 2^24: both directions of an edge and all
 * its copies are in or out together. */
static inline bool in_sample(uint32_t u, uint32_t v, uint32_t cut)
{
    return ((u * v + u + v) * 0x9e3779b9u) >> 8 < cut;
}

static inline int key_rank(uint64_t h, int nranks)
{
    return (int)(((h & 0xffffffffu) * (uint64_t)nranks) >> 32);
}

static inline int64_t key_bucket(uint64_t h, int bits)
{
    return (int64_t)((h >> 32) & (((uint64_t)1 << bits) - 1));
}

/* ---- 0. The estimate ---------------------------------------------------------------------- */

typedef struct sample {
    const uint64_t *keys;
    int nranks;
} sample;

static int sample_dest(const void *ud, int64_t i)
{
    const sample *s = ud;
    return key_rank(amls__mix64(s->keys[i]), s->nranks);
}

static void sample_pack(const void *ud, int64_t i, void *rec)
{
    const sample *s = ud;
    memcpy(rec, &s->keys[i], sizeof s->keys[i]);
}

/* The keys of this rank's records that fall in the sample. Local. */
static int sample_keys(const amls__edges *e, bool undirected, uint32_t cut, amls__vec *out)
{
    int rc = AMLS_OK;
    for (int64_t i = 0; i < e->ne; i++)
        if (in_sample(e->src[i], e->dst[i], cut))
            AMLS_TRY(amls__vec_push_i64(out, (int64_t)edge_key(e->src[i], e->dst[i], undirected)));
cleanup:
    return rc;
}

/* Whether at least one record in eight repeats another, from the sample. Collective. */
static int repeats_many(MPI_Comm comm, const amls__edges *e, bool undirected, bool *many)
{
    int rc = AMLS_OK, R = 1;
    amls__vec keys;
    amls__vec_init(&keys, sizeof(uint64_t));
    amls__xchg x = {0};
    uint64_t *got = NULL;
    *many = false;
    AMLS_TRY(amls__comm_rank(comm, NULL, &R));
    int64_t total = e->ne;
    AMLS_TRY(amls__allreduce_i64(comm, &total, 1, MPI_SUM));
    int64_t cut = (int64_t)1 << 24, want = (int64_t)SAMPLE_PER_RANK * R;
    if (total > want)
        cut = AMLS_MAX((int64_t)1, amls__muldiv(cut, want, total));
    rc = sample_keys(e, undirected, (uint32_t)cut, &keys);
    sample s = {keys.data, R};
    AMLS_TRY(amls__xchg_route(&x, comm, rc, (int64_t)keys.len, sizeof(uint64_t), sample_dest,
                              sample_pack, &s));
    int64_t n = x.nrecv / (int64_t)sizeof *got, cnt[2] = {n, 0};
    got = amls__malloc((size_t)n + 1, sizeof *got);
    rc = amls__alloc_status(got != NULL);
    if (rc == AMLS_OK) {
        memcpy(got, x.recv, (size_t)x.nrecv);
        rc = amls__sort_u64(got, NULL, (size_t)n);
    }
    AMLS_AGREE(comm, rc);
    for (int64_t i = 0; i < n; i++)
        cnt[1] += i == 0 || got[i] != got[i - 1];
    AMLS_TRY(amls__allreduce_i64(comm, cnt, 2, MPI_SUM));
    *many = 8 * (cnt[0] - cnt[1]) >= cnt[0] && cnt[0] > cnt[1];
cleanup:
    amls__vec_free(&keys);
    amls__xchg_free(&x);
    amls__free(got);
    return rc;
}

/* ---- 1. Every record to the rank of its hash ----------------------------------------------- */

/* The records a rank receives, grouped by bucket: bucket b is [start[b], start[b+1]) of key
 * and w (NULL when unweighted), filled at cur[b]. */
typedef struct pool {
    uint64_t *key;
    double *w;
    int64_t n;
    int bits;
    int64_t *start, *cur;
} pool;

typedef struct merge {
    MPI_Comm comm;
    int nranks;
    bool undirected, weighted;
    size_t rec; /* bytes per record on the wire: the key, and the weight */
    amls__edges *e;
    pool p;
} merge;

/* Buckets of about BUCKET_KEYS records each, fewer with many ranks: every rank counts its
 * records for every rank's buckets, nranks x buckets counters (at most 2^21). */
static int bucket_bits(int64_t total, int nranks)
{
    int bits = 0;
    while (bits < MAX_BUCKET_BITS && ((int64_t)BUCKET_KEYS << bits) * nranks < total &&
           ((int64_t)nranks << (bits + 1)) <= ((int64_t)1 << 22))
        bits++;
    return bits;
}

/* Step 1a: what every rank receives in every bucket, summed on the receivers, so that the pool
 * is allocated once, its buckets laid out in advance. Collective. */
static int plan_pool(merge *m)
{
    int rc = AMLS_OK, R = m->nranks;
    const amls__edges *e = m->e;
    pool *p = &m->p;
    int64_t *cnt = NULL, total = e->ne;
    AMLS_TRY(amls__allreduce_i64(m->comm, &total, 1, MPI_SUM));
    p->bits = bucket_bits(total, R);
    int64_t nb = (int64_t)1 << p->bits;
    cnt = amls__calloc((size_t)(R * nb), sizeof *cnt);
    p->start = amls__calloc((size_t)nb + 1, sizeof *p->start);
    p->cur = amls__malloc((size_t)nb, sizeof *p->cur);
    AMLS_AGREE(m->comm, amls__alloc_status(cnt && p->start && p->cur));
    for (int64_t i = 0; i < e->ne; i++) {
        uint64_t h = amls__mix64(edge_key(e->src[i], e->dst[i], m->undirected));
        cnt[key_rank(h, R) * nb + key_bucket(h, p->bits)]++;
    }
    AMLS_MPI_TRY(
        MPI_Reduce_scatter_block(cnt, p->start + 1, (int)nb, MPI_INT64_T, MPI_SUM, m->comm));
    for (int64_t b = 0; b < nb; b++) {
        p->cur[b] = p->start[b];
        p->start[b + 1] += p->start[b];
    }
    p->n = p->start[nb];
    p->key = amls__malloc((size_t)p->n + 1, sizeof *p->key);
    p->w = m->weighted ? amls__malloc((size_t)p->n + 1, sizeof *p->w) : NULL;
    AMLS_AGREE(m->comm, amls__alloc_status(p->key && (!m->weighted || p->w)));
cleanup:
    amls__free(cnt);
    return rc;
}

/* The buffers of the rounds, kept from round to round (fresh ones would cost a page fault per
 * 4 KiB every round): what goes to each rank, and the bytes sent and received. */
typedef struct wire {
    int64_t *scnt, *fill, *rcnt; /* nranks each */
    char *send, *recv;
    int64_t recv_cap;
} wire;

static void wire_free(wire *w)
{
    amls__free(w->scnt);
    amls__free(w->fill);
    amls__free(w->rcnt);
    amls__free(w->send);
    amls__free(w->recv);
}

/* Buffers for rounds of `slice` records. Local. */
static int wire_new(wire *w, int nranks, int64_t slice, size_t rec)
{
    memset(w, 0, sizeof *w);
    w->scnt = amls__malloc((size_t)nranks, sizeof *w->scnt);
    w->fill = amls__malloc((size_t)nranks, sizeof *w->fill);
    w->rcnt = amls__malloc((size_t)nranks, sizeof *w->rcnt);
    w->send = amls__malloc((size_t)slice * rec + 1, 1);
    return amls__alloc_status(w->scnt && w->fill && w->rcnt && w->send);
}

/* Packs the records of the edges [e0, ne), each for the rank of its key. Local. */
static void pack_tail(wire *w, const merge *m, int64_t e0)
{
    const amls__edges *e = m->e;
    int64_t rec = (int64_t)m->rec;
    memset(w->scnt, 0, (size_t)m->nranks * sizeof *w->scnt);
    for (int64_t i = e0; i < e->ne; i++) {
        uint64_t k = edge_key(e->src[i], e->dst[i], m->undirected);
        w->scnt[key_rank(amls__mix64(k), m->nranks)] += rec;
    }
    w->fill[0] = 0;
    for (int d = 1; d < m->nranks; d++)
        w->fill[d] = w->fill[d - 1] + w->scnt[d - 1];
    for (int64_t i = e0; i < e->ne; i++) {
        uint64_t k = edge_key(e->src[i], e->dst[i], m->undirected);
        int d = key_rank(amls__mix64(k), m->nranks);
        char *at = w->send + w->fill[d];
        w->fill[d] += rec;
        memcpy(at, &k, sizeof k);
        if (m->weighted) {
            double x = e->w ? e->w[i] : 1.0;
            memcpy(at + sizeof k, &x, sizeof x);
        }
    }
}

/* Moves a round: the counts, then the bytes into the kept receive buffer; *got is the number of
 * bytes received. Collective. */
static int move_round(MPI_Comm comm, wire *w, int nranks, int64_t *got)
{
    int rc = AMLS_OK;
    AMLS_MPI_TRY(MPI_Alltoall(w->scnt, 1, MPI_INT64_T, w->rcnt, 1, MPI_INT64_T, comm));
    *got = 0;
    for (int p = 0; p < nranks; p++)
        *got += w->rcnt[p];
    if (*got > w->recv_cap || w->recv == NULL) { /* a rank that receives nothing still needs one */
        int64_t cap = AMLS_MAX(*got, w->recv_cap + w->recv_cap / 2);
        amls__free(w->recv);
        w->recv = amls__malloc((size_t)cap + 1, 1);
        w->recv_cap = w->recv ? cap : 0;
    }
    AMLS_AGREE(comm, amls__alloc_status(w->recv != NULL));
    AMLS_TRY(amls__alltoallv_into(comm, w->send, w->scnt, w->recv, w->rcnt));
cleanup:
    return rc;
}

/* Keeps the edges [0, ne) and returns the memory of the others. Local. */
static void shrink(amls__edges *e, int64_t ne)
{
    e->ne = ne;
    e->src = amls__shrunk(e->src, ne, sizeof *e->src);
    e->dst = amls__shrunk(e->dst, ne, sizeof *e->dst);
    if (e->w)
        e->w = amls__shrunk(e->w, ne, sizeof *e->w);
}

/* Places the `bytes` of records received in their buckets. Local. */
static void place(pool *p, const char *recv, int64_t bytes, size_t rec)
{
    for (const char *at = recv, *end = recv + bytes; at < end; at += rec) {
        uint64_t k;
        memcpy(&k, at, sizeof k);
        int64_t i = p->cur[key_bucket(amls__mix64(k), p->bits)]++;
        p->key[i] = k;
        if (p->w)
            memcpy(&p->w[i], at + sizeof k, sizeof *p->w);
    }
}

/* Step 1b, in rounds of at most round_bytes sent per rank. Collective. */
static int gather(merge *m, int64_t round_bytes)
{
    int rc = AMLS_OK;
    wire w = {0};
    int64_t slice =
        AMLS_MAX((int64_t)1, (round_bytes > 0 ? round_bytes : AMLS_ROUND_BYTES) / (int64_t)m->rec);
    int64_t rounds = (m->e->ne + slice - 1) / slice, held = 0;
    slice = AMLS_MIN(slice, AMLS_MAX(m->e->ne, (int64_t)1));
    AMLS_AGREE(m->comm, wire_new(&w, m->nranks, slice, m->rec));
    AMLS_TRY(amls__allreduce_i64(m->comm, &rounds, 1, MPI_MAX));
    amls__progress("merging repeated edges", 0.0);
    for (int64_t k = 0; k < rounds; k++) {
        int64_t e0 = AMLS_MAX((int64_t)0, m->e->ne - slice), got = 0;
        pack_tail(&w, m, e0);
        shrink(m->e, e0); /* before the bytes move: the packed edges are not needed */
        AMLS_TRY(move_round(m->comm, &w, m->nranks, &got));
        place(&m->p, w.recv, got, m->rec);
        held += got;
        amls__held_note(m->e->ne * (int64_t)m->rec + held);
        amls__progress("merging repeated edges", 0.8 * (double)(k + 1) / (double)rounds);
    }
cleanup:
    wire_free(&w);
    return rc;
}

/* ---- 2. Buckets merged ------------------------------------------------------------------- */

/* An open-addressing table of the keys of one bucket and where their records went; no key is
 * ever all ones (ids are below 2^32 - 1). */
#define NO_KEY UINT64_MAX

typedef struct table {
    uint64_t *key;
    uint32_t *at; /* from the bucket's first merged record */
    int bits;
} table;

/* The slot of `key` in the table: where it is, or the empty one where it would go. */
static inline uint64_t probe(const table *t, uint64_t key)
{
    uint64_t mask = ((uint64_t)1 << t->bits) - 1,
             s = (key * 0x9e3779b97f4a7c15ULL) >> (64 - t->bits);
    while (t->key[s] != NO_KEY && t->key[s] != key)
        s = (s + 1) & mask;
    return s;
}

/* Keeps the first record of every key of the bucket [lo, hi), its weight replaced by any
 * strictly smaller one of the later copies (the rule of the rows), and appends them to the
 * merged prefix [0, *out) of the pool, which never passes the record being read. Local. */
static void merge_bucket(pool *p, table *t, int64_t lo, int64_t hi, int64_t *out)
{
    memset(t->key, 0xff, ((size_t)1 << t->bits) * sizeof *t->key);
    int64_t k = *out, first = k;
    if (p->w == NULL) { /* no branch on whether a key is new: half of them are not */
        for (int64_t i = lo; i < hi; i++) {
            uint64_t key = p->key[i], s = probe(t, key);
            bool fresh = t->key[s] == NO_KEY;
            t->key[s] = key;
            p->key[k] = key; /* kept only when fresh: k moves on */
            k += fresh;
        }
        *out = k;
        return;
    }
    for (int64_t i = lo; i < hi; i++) {
        uint64_t key = p->key[i], s = probe(t, key);
        if (t->key[s] == key) {
            if (p->w[i] < p->w[first + t->at[s]])
                p->w[first + t->at[s]] = p->w[i];
            continue;
        }
        t->key[s] = key;
        t->at[s] = (uint32_t)(k - first);
        p->key[k] = key;
        p->w[k++] = p->w[i];
    }
    *out = k;
}

/* Step 2: the pool keeps one record per key, and shrinks to them. Local. */
static int merge_pool(pool *p)
{
    int rc = AMLS_OK;
    int64_t nb = (int64_t)1 << p->bits, out = 0, widest = 0;
    table t = {NULL, NULL, 1};
    for (int64_t b = 0; b < nb; b++)
        widest = AMLS_MAX(widest, p->start[b + 1] - p->start[b]);
    while (((int64_t)1 << t.bits) < 2 * widest) /* at most half full */
        t.bits++;
    AMLS_ALLOC(t.key, (int64_t)1 << t.bits);
    if (p->w)
        AMLS_ALLOC(t.at, (int64_t)1 << t.bits);
    for (int64_t b = 0; b < nb; b++)
        merge_bucket(p, &t, p->start[b], p->start[b + 1], &out);
    p->n = out;
    p->key = amls__shrunk(p->key, out, sizeof *p->key);
    if (p->w)
        p->w = amls__shrunk(p->w, out, sizeof *p->w);
cleanup:
    amls__free(t.key);
    amls__free(t.at);
    return rc;
}

/* ---- 3. The merged edges replace the raw ones --------------------------------------------- */

/* Local. */
static int to_edges(merge *m)
{
    int rc = AMLS_OK;
    pool *p = &m->p;
    amls__edges *e = m->e;
    uint32_t *src = amls__malloc((size_t)p->n + 1, sizeof *src);
    uint32_t *dst = amls__malloc((size_t)p->n + 1, sizeof *dst);
    AMLS_TRY(amls__alloc_status(src && dst));
    for (int64_t i = 0; i < p->n; i++) {
        src[i] = (uint32_t)(p->key[i] >> 32);
        dst[i] = (uint32_t)p->key[i];
    }
    amls__held_note(p->n * ((int64_t)m->rec + 8));
    amls__free(e->src);
    amls__free(e->dst);
    amls__free(e->w);
    e->src = src;
    e->dst = dst;
    e->w = p->w;
    e->ne = p->n;
    src = dst = NULL;
    p->w = NULL;
cleanup:
    amls__free(src);
    amls__free(dst);
    return rc;
}

int amls__edges_merge(MPI_Comm comm, amls__edges *e, bool undirected, bool weighted,
                      int64_t round_bytes, bool *merged)
{
    int rc = AMLS_OK;
    merge m = {.comm = comm, .undirected = undirected, .weighted = weighted, .e = e};
    m.rec = sizeof(uint64_t) + (weighted ? sizeof(double) : 0);
    *merged = false;
    AMLS_TRY(amls__comm_rank(comm, NULL, &m.nranks));
    bool many = merge_mode > 0;
    if (merge_mode < 0)
        AMLS_TRY(repeats_many(comm, e, undirected, &many));
    if (!many)
        goto cleanup;
    AMLS_TRY(plan_pool(&m));
    AMLS_TRY(gather(&m, round_bytes));
    AMLS_AGREE(comm, merge_pool(&m.p));
    amls__progress("merging repeated edges", 0.9);
    AMLS_AGREE(comm, to_edges(&m));
    amls__progress("merging repeated edges", 1.0);
    *merged = true;
cleanup:
    amls__free(m.p.key);
    amls__free(m.p.w);
    amls__free(m.p.start);
    amls__free(m.p.cur);
    return rc;
}
