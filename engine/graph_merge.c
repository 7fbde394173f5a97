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
 *      throughout, and no record moves twice;
 *   2. each rank sorts each bucket by key and keeps one record per key, with the smallest weight
 *      (the rule of the rows: the first copy, replaced by any strictly smaller one);
 *   3. the distinct edges replace the raw ones, and the rows are built from them as usual: the
 *      arcs of every row are then distinct, and the rows' room is that of the distinct edges.
 * The partition was computed from the edges as read, so it is the same either way, and so are
 * the rows. An input with few repeats keeps the direct path, which costs no extra exchange.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

enum {
    SAMPLE_PER_RANK = 1 << 16, /* records in the estimate, per rank */
    BUCKET_KEYS = 1 << 15,     /* records per bucket of step 2 (a bucket's keys fit L2) */
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

/* Buckets of about BUCKET_KEYS records each, fewer with many ranks (a rank counts nranks
 * buckets' worth of them). */
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

/* Counts and packs the records of the edges [e0, ne), each for the rank of its key. Local. */
static int pack_tail(amls__xchg *x, const merge *m, int64_t e0)
{
    int rc = AMLS_OK;
    const amls__edges *e = m->e;
    AMLS_TRY(amls__xchg_init(x, x->comm));
    for (int64_t i = e0; i < e->ne; i++) {
        uint64_t k = edge_key(e->src[i], e->dst[i], m->undirected);
        amls__xchg_count(x, key_rank(amls__mix64(k), m->nranks), (int64_t)m->rec);
    }
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t i = e0; i < e->ne; i++) {
        uint64_t k = edge_key(e->src[i], e->dst[i], m->undirected);
        char *at = amls__xchg_put(x, key_rank(amls__mix64(k), m->nranks), (int64_t)m->rec);
        memcpy(at, &k, sizeof k);
        if (m->weighted) {
            double w = e->w ? e->w[i] : 1.0;
            memcpy(at + sizeof k, &w, sizeof w);
        }
    }
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

/* Places the records x received in their buckets. Local. */
static void place(pool *p, const amls__xchg *x, size_t rec)
{
    const char *at = x->recv, *end = x->recv + x->nrecv;
    for (; at < end; at += rec) {
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
    amls__xchg x = {0};
    int64_t slice =
        AMLS_MAX((int64_t)1, (round_bytes > 0 ? round_bytes : AMLS_ROUND_BYTES) / (int64_t)m->rec);
    int64_t rounds = (m->e->ne + slice - 1) / slice, got = 0;
    AMLS_TRY(amls__allreduce_i64(m->comm, &rounds, 1, MPI_MAX));
    amls__progress("merging repeated edges", 0.0);
    for (int64_t k = 0; k < rounds; k++) {
        int64_t e0 = AMLS_MAX((int64_t)0, m->e->ne - slice);
        x.comm = m->comm;
        AMLS_TRY(amls__xchg_run(&x, pack_tail(&x, m, e0)));
        shrink(m->e, e0);
        place(&m->p, &x, m->rec);
        got += x.nrecv / (int64_t)m->rec;
        amls__xchg_free(&x);
        amls__held_note((m->e->ne + got) * (int64_t)m->rec);
        amls__progress("merging repeated edges", 0.8 * (double)(k + 1) / (double)rounds);
    }
cleanup:
    amls__xchg_free(&x);
    return rc;
}

/* ---- 2. Buckets, sorted and merged -------------------------------------------------------- */

/* Sorts the bucket [lo, hi) by key and appends one record per key to the merged prefix
 * [0, *out) of the pool (which never passes lo). wb is scratch for hi - lo weights. Local. */
static int merge_bucket(pool *p, int64_t lo, int64_t hi, uint64_t *wb, int64_t *out)
{
    int rc = AMLS_OK;
    if (p->w)
        memcpy(wb, p->w + lo, (size_t)(hi - lo) * sizeof *wb);
    AMLS_TRY(amls__sort_u64(p->key + lo, p->w ? wb : NULL, (size_t)(hi - lo)));
    int64_t k = *out, first = k;
    for (int64_t i = lo; i < hi; i++) {
        double w = 0.0;
        if (p->w)
            memcpy(&w, &wb[i - lo], sizeof w);
        if (k > first && p->key[k - 1] == p->key[i]) {
            if (p->w && w < p->w[k - 1])
                p->w[k - 1] = w;
            continue;
        }
        p->key[k] = p->key[i];
        if (p->w)
            p->w[k] = w;
        k++;
    }
    *out = k;
cleanup:
    return rc;
}

/* Step 2: the pool keeps one record per key, and shrinks to them. Local. */
static int merge_pool(pool *p)
{
    int rc = AMLS_OK;
    int64_t nb = (int64_t)1 << p->bits, out = 0, widest = 0;
    uint64_t *wb = NULL;
    for (int64_t b = 0; b < nb; b++)
        widest = AMLS_MAX(widest, p->start[b + 1] - p->start[b]);
    if (p->w)
        AMLS_ALLOC(wb, widest + 1);
    for (int64_t b = 0; b < nb; b++)
        AMLS_TRY(merge_bucket(p, p->start[b], p->start[b + 1], wb, &out));
    p->n = out;
    p->key = amls__shrunk(p->key, out, sizeof *p->key);
    if (p->w)
        p->w = amls__shrunk(p->w, out, sizeof *p->w);
cleanup:
    amls__free(wb);
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
