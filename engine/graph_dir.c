/* ---------------------------------------------------------------------------------------------
 * engine/graph_dir.c — steps 1 and 2 of the build: the vertex directory and dense ids.
 * SPDX-License-Identifier: MIT
 *
 * The vertex set sorted by original id is cut into one block per rank (dir_off); a vertex's
 * position in that order is its dense id. Declared ranges (mtx, METIS, DIMACS, generators)
 * need no sort. When the ids span a small range, a bitmap replicated on every rank maps ids to
 * dense ids with one reduction. Otherwise a sample sort of the ids that occur (or of the LDBC
 * vertex list) builds the blocks and the endpoints ask the block owners for their dense ids,
 * a bounded slice at a time. The endpoint arrays of the raw graph are translated in place and
 * end as 32-bit dense ids: no copy of the edges is made.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

/* The endpoints being translated, taken over from the raw graph: 32-bit arrays, or 64-bit ones
 * (original ids that do not fit) narrowed once they hold dense ids. Endpoint i < ne is the
 * source of edge i, endpoint ne + i its target. */
typedef struct ends {
    uint32_t *s32, *d32;
    int64_t *s64, *d64;
    int64_t ne;
} ends;

static inline int64_t end_get(const ends *x, int64_t i)
{
    if (i < x->ne)
        return x->s32 ? (int64_t)x->s32[i] : x->s64[i];
    return x->d32 ? (int64_t)x->d32[i - x->ne] : x->d64[i - x->ne];
}

static inline void end_set(ends *x, int64_t i, int64_t v)
{
    if (i < x->ne) {
        if (x->s32)
            x->s32[i] = (uint32_t)v;
        else
            x->s64[i] = v;
    } else if (x->d32) {
        x->d32[i - x->ne] = (uint32_t)v;
    } else {
        x->d64[i - x->ne] = v;
    }
}

/* 64-bit dense ids narrowed to 32 bits in place (each entry moves to a lower address). */
static uint32_t *narrow(int64_t *a, int64_t n)
{
    uint32_t *b = (uint32_t *)a;
    for (int64_t i = 0; i < n; i++)
        b[i] = (uint32_t)a[i];
    uint32_t *r = amls__realloc(b, (size_t)n + 1, sizeof *r);
    return r ? r : b;
}

/* Dense ids from a replicated bitmap over [lo, lo + 64 * nw): bit set = the id exists; the
 * dense id of x is the number of set bits below it. */
typedef struct idmap {
    int64_t lo;
    int64_t nw;
    uint64_t *bits;
    int64_t *prefix; /* set bits before word w */
} idmap;

static void idmap_free(idmap *m)
{
    amls__free(m->bits);
    amls__free(m->prefix);
    memset(m, 0, sizeof *m);
}

static int64_t idmap_dense(const idmap *m, int64_t x)
{
    int64_t off = x - m->lo;
    if (off < 0 || off >= 64 * m->nw)
        return -1;
    uint64_t w = m->bits[off / 64], bit = (uint64_t)1 << (off % 64);
    if (!(w & bit))
        return -1;
    return m->prefix[off / 64] + amls__popcount64(w & (bit - 1));
}

/* The keys that define the vertex set: a list (the LDBC vertex file), or every endpoint. */
typedef struct keyset {
    bool use_list;
    const int64_t *list;
    int64_t nlist;
    const ends *x;
} keyset;

static inline int64_t keyset_n(const keyset *k)
{
    return k->use_list ? k->nlist : 2 * k->x->ne;
}

static inline int64_t keyset_get(const keyset *k, int64_t i)
{
    return k->use_list ? k->list[i] : end_get(k->x, i);
}

/* Builds the map if [min, max] of the keys is small (<= 2^26 ids or 16x the keys); returns
 * AMLS_OK with m->bits == NULL when it is not worth it. Collective. */
static int idmap_build(MPI_Comm comm, const keyset *ks, idmap *m)
{
    int rc = AMLS_OK;
    memset(m, 0, sizeof *m);
    int64_t nk = keyset_n(ks), gmin = INT64_MAX, gmax = INT64_MIN, gk = nk;
    for (int64_t i = 0; i < nk; i++) {
        int64_t k = keyset_get(ks, i);
        gmin = AMLS_MIN(gmin, k);
        gmax = AMLS_MAX(gmax, k);
    }
    AMLS_TRY(amls__allreduce_i64(comm, &gmin, 1, MPI_MIN));
    AMLS_TRY(amls__allreduce_i64(comm, &gmax, 1, MPI_MAX));
    AMLS_TRY(amls__allreduce_i64(comm, &gk, 1, MPI_SUM));
    if (gk == 0 || gmax < gmin)
        return AMLS_OK;
    uint64_t range = (uint64_t)gmax - (uint64_t)gmin + 1;
    if ((range > ((uint64_t)1 << 26) && range > 16 * (uint64_t)gk) || range > ((uint64_t)1 << 34))
        return AMLS_OK;
    m->lo = gmin;
    m->nw = (int64_t)((range + 63) / 64);
    m->bits = amls__calloc((size_t)m->nw + 1, sizeof *m->bits);
    m->prefix = amls__malloc((size_t)m->nw + 1, sizeof *m->prefix);
    AMLS_AGREE(comm, amls__alloc_status(m->bits && m->prefix));
    for (int64_t i = 0; i < nk; i++) {
        uint64_t off = (uint64_t)(keyset_get(ks, i) - gmin);
        m->bits[off / 64] |= (uint64_t)1 << (off % 64);
    }
    for (int64_t w = 0; w < m->nw; w += 1 << 24) {
        int cnt = (int)AMLS_MIN((int64_t)1 << 24, m->nw - w);
        AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, m->bits + w, cnt, MPI_UINT64_T, MPI_BOR, comm));
    }
    int64_t run = 0;
    for (int64_t w = 0; w < m->nw; w++) {
        m->prefix[w] = run;
        run += amls__popcount64(m->bits[w]);
    }
    m->prefix[m->nw] = run;
cleanup:
    if (rc < 0)
        idmap_free(m);
    return rc;
}

/* Original ids of the dense block [dlo, dhi): the set bits in that rank range. Local. */
static int idmap_block(const idmap *m, int64_t dlo, int64_t dhi, int64_t **out)
{
    int64_t *ids = amls__malloc((size_t)(dhi - dlo) + 1, sizeof *ids);
    if (ids == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    int64_t lo = 0, hi = m->nw;
    while (lo < hi) { /* first word whose prefix + count > dlo */
        int64_t mid = (lo + hi) / 2;
        if (m->prefix[mid + 1] <= dlo)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t k = 0, d = lo < m->nw ? m->prefix[lo] : 0;
    for (int64_t w = lo; w < m->nw && d < dhi; w++)
        for (uint64_t b = m->bits[w]; b && d < dhi; b &= b - 1, d++)
            if (d >= dlo)
                ids[k++] = m->lo + 64 * w + __builtin_ctzll(b);
    *out = ids;
    return AMLS_OK;
}

/* Endpoint i (original id `id`) is not in the vertex list. */
static int not_listed(const ends *x, int64_t i, int64_t id)
{
    int64_t e = i % x->ne;
    return amls_error(AMLS_ERR_NOT_FOUND,
                      "edge (%lld, %lld) refers to vertex %lld, which the vertex file does not "
                      "list",
                      (long long)(i < x->ne ? id : end_get(x, e)),
                      (long long)(i < x->ne ? end_get(x, x->ne + e) : id), (long long)id);
}

/* At most 2^32 - 1 vertices: dense ids are 32-bit. Local. */
static int check_n(int64_t n)
{
    if ((uint64_t)n <= UINT32_MAX)
        return AMLS_OK;
    return amls_error(AMLS_ERR_UNSUPPORTED,
                      "the graph has %lld vertices; the loader numbers vertices with 32-bit ids "
                      "(at most %u)",
                      (long long)n, UINT32_MAX);
}

/* Declared range [vbase, vbase + nverts): dense id = id - vbase. Local. */
static int dense_range(amls_graph *g, const amls_raw_graph *raw, ends *x)
{
    int rc = AMLS_OK;
    g->n = raw->nverts;
    AMLS_TRY(check_n(g->n));
    for (int p = 0; p <= g->nranks; p++)
        g->dir_off[p] = amls__muldiv(g->n, p, g->nranks);
    for (int64_t i = 0; i < 2 * x->ne; i++) {
        int64_t id = end_get(x, i), d = id - raw->vbase;
        int64_t e = i % x->ne, u = i < x->ne ? id : end_get(x, e),
                v = i < x->ne ? end_get(x, x->ne + e) : id;
        AMLS_CHECK(d >= 0 && d < g->n, AMLS_ERR_RANGE,
                   "edge (%lld, %lld) refers to a vertex outside %lld..%lld", (long long)u,
                   (long long)v, (long long)raw->vbase, (long long)(raw->vbase + g->n - 1));
        end_set(x, i, d);
    }
cleanup:
    return rc;
}

/* Through the replicated bitmap: every rank maps its endpoints by itself. Local. */
static int dense_idmap(amls_graph *g, const idmap *im, ends *x, int64_t **dir_ids)
{
    int rc = AMLS_OK;
    g->n = im->prefix[im->nw];
    AMLS_TRY(check_n(g->n));
    for (int p = 0; p <= g->nranks; p++)
        g->dir_off[p] = amls__muldiv(g->n, p, g->nranks);
    AMLS_TRY(idmap_block(im, g->dir_off[g->rank], g->dir_off[g->rank + 1], dir_ids));
    for (int64_t i = 0; i < 2 * x->ne; i++) {
        int64_t id = end_get(x, i), d = idmap_dense(im, id);
        if (d < 0)
            AMLS_TRY(not_listed(x, i, id));
        end_set(x, i, d);
    }
cleanup:
    return rc;
}

typedef struct sorted_dir {
    const int64_t *ids; /* this rank's sorted block of original ids */
    int64_t nids, lo;
} sorted_dir;

/* Dense id of an original id, or -1 if it is not in the vertex set. */
static void answer_dense(const void *ctx, int64_t key, void *out)
{
    const sorted_dir *d = ctx;
    int64_t i = amls__bsearch_i64(d->ids, d->nids, key);
    int64_t ans = i < 0 ? -1 : d->lo + i;
    memcpy(out, &ans, sizeof ans);
}

enum { LOOKUP_SLICE = 1 << 20 };

/* Every endpoint x becomes answer(x), an int64 asked from rank route(x), LOOKUP_SLICE
 * endpoints at a time; a negative answer means x is not in the vertex list. Collective. */
static int lookup_ends(MPI_Comm comm, ends *x, amls__route_fn route, const void *rctx,
                       amls__answer_fn answer, const void *actx)
{
    int rc = AMLS_OK;
    int64_t *buf = NULL, nend = 2 * x->ne, rounds = (nend + LOOKUP_SLICE - 1) / LOOKUP_SLICE;
    buf = amls__malloc(LOOKUP_SLICE, sizeof *buf);
    AMLS_AGREE(comm, amls__alloc_status(buf != NULL));
    AMLS_TRY(amls__allreduce_i64(comm, &rounds, 1, MPI_MAX));
    for (int64_t k = 0; k < rounds; k++) {
        int64_t i0 = AMLS_MIN(nend, k * LOOKUP_SLICE), cnt = AMLS_MIN(nend - i0, LOOKUP_SLICE);
        for (int64_t j = 0; j < cnt; j++)
            buf[j] = end_get(x, i0 + j);
        AMLS_TRY(amls__xchg_lookup(comm, buf, cnt, route, rctx, answer, actx, sizeof *buf, buf));
        for (int64_t j = 0; j < cnt && rc == AMLS_OK; j++) {
            if (buf[j] < 0)
                rc = not_listed(x, i0 + j, end_get(x, i0 + j));
            else
                end_set(x, i0 + j, buf[j]);
        }
        AMLS_AGREE(comm, rc);
    }
cleanup:
    amls__free(buf);
    return rc;
}

int amls__ends_lookup(MPI_Comm comm, uint32_t *src, uint32_t *dst, int64_t ne, amls__route_fn route,
                      const void *rctx, amls__answer_fn answer, const void *actx)
{
    ends x = {src, dst, NULL, NULL, ne};
    return lookup_ends(comm, &x, route, rctx, answer, actx);
}

/* Through a sample sort of the keys (freed once sorted) and lookups at the blocks' owners.
 * Collective. */
static int dense_sorted(amls_graph *g, int64_t **keys, int64_t nk, ends *x, int64_t **dir_ids)
{
    int rc = AMLS_OK;
    int64_t ndir = 0, *splitters = NULL;
    splitters = amls__malloc((size_t)g->nranks + 1, sizeof *splitters);
    AMLS_AGREE(g->comm, amls__alloc_status(splitters != NULL));
    AMLS_TRY(amls__dist_sort_unique(g->comm, *keys, nk, dir_ids, &ndir, splitters));
    amls__free(*keys);
    *keys = NULL;
    AMLS_MPI_TRY(MPI_Allgather(&ndir, 1, MPI_INT64_T, g->dir_off + 1, 1, MPI_INT64_T, g->comm));
    g->dir_off[0] = 0;
    for (int p = 0; p < g->nranks; p++)
        g->dir_off[p + 1] += g->dir_off[p];
    g->n = g->dir_off[g->nranks];
    AMLS_AGREE(g->comm, check_n(g->n));
    amls__splitters sp = {splitters, g->nranks};
    sorted_dir d = {*dir_ids, ndir, g->dir_off[g->rank]};
    AMLS_TRY(lookup_ends(g->comm, x, amls__splitter_route, &sp, answer_dense, &d));
cleanup:
    amls__free(splitters);
    return rc;
}

/* The keys as one array (for the sample sort). Local. */
static int copy_keys(const keyset *ks, int64_t **keys)
{
    int rc = AMLS_OK;
    int64_t nk = keyset_n(ks);
    AMLS_ALLOC(*keys, nk + 1);
    for (int64_t i = 0; i < nk; i++)
        (*keys)[i] = keyset_get(ks, i);
cleanup:
    return rc;
}

/* Takes the endpoint arrays over from the raw graph. */
static ends take_ends(amls_raw_graph *raw)
{
    ends x = {raw->src32, raw->dst32, raw->src32 ? NULL : raw->src, raw->dst32 ? NULL : raw->dst,
              raw->nedges};
    raw->src32 = raw->dst32 = NULL;
    raw->src = raw->dst = NULL;
    return x;
}

/* Dense ids as 32-bit arrays. Local. */
static int finish_ends(ends *x, uint32_t **src, uint32_t **dst)
{
    if (x->s64) {
        x->s32 = narrow(x->s64, x->ne);
        x->s64 = NULL;
    }
    if (x->d64) {
        x->d32 = narrow(x->d64, x->ne);
        x->d64 = NULL;
    }
    if (x->s32 == NULL)
        x->s32 = amls__malloc(1, sizeof *x->s32);
    if (x->d32 == NULL)
        x->d32 = amls__malloc(1, sizeof *x->d32);
    *src = x->s32;
    *dst = x->d32;
    x->s32 = x->d32 = NULL;
    return amls__alloc_status(*src && *dst);
}

static void ends_free(ends *x)
{
    amls__free(x->s32);
    amls__free(x->d32);
    amls__free(x->s64);
    amls__free(x->d64);
    memset(x, 0, sizeof *x);
}

int amls__graph_directory(amls_graph *g, amls_raw_graph *raw, uint32_t **src, uint32_t **dst,
                          int64_t **dir_ids)
{
    int rc = AMLS_OK;
    int64_t *keys = NULL;
    idmap im = {0};
    ends x = take_ends(raw);
    *dir_ids = NULL;
    *src = *dst = NULL;
    if (raw->vset == AMLS_VSET_RANGE) {
        AMLS_AGREE(g->comm, dense_range(g, raw, &x));
    } else {
        keyset ks = {raw->vset == AMLS_VSET_LIST, raw->vlist, raw->nvlist, &x};
        AMLS_TRY(idmap_build(g->comm, &ks, &im));
        if (im.bits != NULL) {
            AMLS_AGREE(g->comm, dense_idmap(g, &im, &x, dir_ids));
        } else {
            AMLS_AGREE(g->comm, copy_keys(&ks, &keys));
            AMLS_TRY(dense_sorted(g, &keys, keyset_n(&ks), &x, dir_ids));
        }
    }
    AMLS_AGREE(g->comm, finish_ends(&x, src, dst));
cleanup:
    amls__free(keys);
    idmap_free(&im);
    ends_free(&x);
    if (rc < 0) {
        amls__free(*src);
        amls__free(*dst);
        *src = *dst = NULL;
    }
    return rc;
}
