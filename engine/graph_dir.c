/* ---------------------------------------------------------------------------------------------
 * engine/graph_dir.c — steps 1 and 2 of the build: the vertex directory and dense ids.
 * SPDX-License-Identifier: MIT
 *
 * The vertex set sorted by original id is cut into one block per rank (dir_off); a vertex's
 * position in that order is its dense id. Declared ranges (mtx, METIS, DIMACS, generators)
 * need no sort. When the ids span a small range, a bitmap replicated on every rank maps ids to
 * dense ids with one reduction. Otherwise a sample sort of the ids that occur (or of the LDBC
 * vertex list) builds the blocks and the endpoints ask the block owners for their dense ids.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

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
    return m->prefix[off / 64] + __builtin_popcountll(w & (bit - 1));
}

/* Builds the map if [min, max] of the keys is small (<= 2^26 ids or 16x the keys); returns
 * AMLS_OK with m->bits == NULL when it is not worth it. Collective. */
static int idmap_build(MPI_Comm comm, const int64_t *keys, int64_t nk, idmap *m)
{
    int rc = AMLS_OK;
    memset(m, 0, sizeof *m);
    int64_t gmin = INT64_MAX, gmax = INT64_MIN, gk = nk;
    for (int64_t i = 0; i < nk; i++) {
        gmin = AMLS_MIN(gmin, keys[i]);
        gmax = AMLS_MAX(gmax, keys[i]);
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
        uint64_t off = (uint64_t)(keys[i] - gmin);
        m->bits[off / 64] |= (uint64_t)1 << (off % 64);
    }
    for (int64_t w = 0; w < m->nw; w += 1 << 24) {
        int cnt = (int)AMLS_MIN((int64_t)1 << 24, m->nw - w);
        AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, m->bits + w, cnt, MPI_UINT64_T, MPI_BOR, comm));
    }
    int64_t run = 0;
    for (int64_t w = 0; w < m->nw; w++) {
        m->prefix[w] = run;
        run += __builtin_popcountll(m->bits[w]);
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

static int not_listed(const amls_raw_graph *raw, int64_t e)
{
    return amls_error(AMLS_ERR_NOT_FOUND,
                      "edge (%lld, %lld) refers to vertex %lld, which the vertex file does not "
                      "list",
                      (long long)raw->src[e / 2], (long long)raw->dst[e / 2],
                      (long long)(e % 2 ? raw->dst[e / 2] : raw->src[e / 2]));
}

/* Every endpoint has a dense id. Local. */
static int all_listed(const amls_raw_graph *raw, const int64_t *ends)
{
    for (int64_t e = 0; e < 2 * raw->nedges; e++)
        if (ends[e] < 0)
            return not_listed(raw, e);
    return AMLS_OK;
}

/* Declared range [vbase, vbase + nverts): dense id = id - vbase. Local. */
static int dense_range(amls_graph *g, const amls_raw_graph *raw, int64_t *ends)
{
    int rc = AMLS_OK;
    g->n = raw->nverts;
    for (int p = 0; p <= g->nranks; p++)
        g->dir_off[p] = amls__muldiv(g->n, p, g->nranks);
    for (int64_t e = 0; e < raw->nedges; e++) {
        ends[2 * e] = raw->src[e] - raw->vbase;
        ends[2 * e + 1] = raw->dst[e] - raw->vbase;
        AMLS_CHECK(ends[2 * e] >= 0 && ends[2 * e] < g->n && ends[2 * e + 1] >= 0 &&
                       ends[2 * e + 1] < g->n,
                   AMLS_ERR_RANGE, "edge (%lld, %lld) refers to a vertex outside %lld..%lld",
                   (long long)raw->src[e], (long long)raw->dst[e], (long long)raw->vbase,
                   (long long)(raw->vbase + g->n - 1));
    }
cleanup:
    return rc;
}

/* Through the replicated bitmap: every rank maps its endpoints by itself. Local. */
static int dense_idmap(amls_graph *g, const amls_raw_graph *raw, const idmap *im, int64_t *ends,
                       int64_t **dir_ids)
{
    int rc = AMLS_OK;
    g->n = im->prefix[im->nw];
    for (int p = 0; p <= g->nranks; p++)
        g->dir_off[p] = amls__muldiv(g->n, p, g->nranks);
    AMLS_TRY(idmap_block(im, g->dir_off[g->rank], g->dir_off[g->rank + 1], dir_ids));
    for (int64_t e = 0; e < 2 * raw->nedges; e++) {
        ends[e] = idmap_dense(im, ends[e]);
        if (ends[e] < 0)
            AMLS_TRY(not_listed(raw, e));
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

/* Through a sample sort of the keys (freed once sorted) and lookups at the blocks' owners.
 * Collective. */
static int dense_sorted(amls_graph *g, const amls_raw_graph *raw, int64_t **keys, int64_t nk,
                        int64_t *ends, int64_t **dir_ids)
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
    amls__splitters sp = {splitters, g->nranks};
    sorted_dir d = {*dir_ids, ndir, g->dir_off[g->rank]};
    AMLS_TRY(amls__xchg_lookup(g->comm, ends, 2 * raw->nedges, amls__splitter_route, &sp,
                               answer_dense, &d, sizeof *ends, ends));
    AMLS_AGREE(g->comm, all_listed(raw, ends));
cleanup:
    amls__free(splitters);
    return rc;
}

/* The keys that define the vertex set: the LDBC vertex list, or every endpoint; and the
 * endpoints as original ids in ends. Local. */
static int collect_keys(const amls_raw_graph *raw, int64_t *ends, int64_t **keys, int64_t *nk)
{
    int rc = AMLS_OK;
    int64_t ne = raw->nedges;
    *nk = raw->vset == AMLS_VSET_LIST ? raw->nvlist : 2 * ne;
    AMLS_ALLOC(*keys, *nk + 1);
    for (int64_t e = 0; e < ne; e++) {
        ends[2 * e] = raw->src[e];
        ends[2 * e + 1] = raw->dst[e];
    }
    if (raw->vset == AMLS_VSET_LIST)
        memcpy(*keys, raw->vlist, (size_t)*nk * sizeof **keys);
    else
        memcpy(*keys, ends, (size_t)*nk * sizeof **keys);
cleanup:
    return rc;
}

int amls__graph_directory(amls_graph *g, const amls_raw_graph *raw, int64_t *ends,
                          int64_t **dir_ids)
{
    int rc = AMLS_OK;
    int64_t *keys = NULL, nk = 0;
    idmap im = {0};
    *dir_ids = NULL;
    if (raw->vset == AMLS_VSET_RANGE) {
        AMLS_AGREE(g->comm, dense_range(g, raw, ends));
        goto cleanup;
    }
    AMLS_AGREE(g->comm, collect_keys(raw, ends, &keys, &nk));
    AMLS_TRY(idmap_build(g->comm, keys, nk, &im));
    if (im.bits != NULL)
        AMLS_AGREE(g->comm, dense_idmap(g, raw, &im, ends, dir_ids));
    else
        AMLS_TRY(dense_sorted(g, raw, &keys, nk, ends, dir_ids));
cleanup:
    amls__free(keys);
    idmap_free(&im);
    return rc;
}
