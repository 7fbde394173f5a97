/* ---------------------------------------------------------------------------------------------
 * engine/graph_build.c — from raw edges to the distributed graph.
 * SPDX-License-Identifier: MIT
 *
 * Steps (all collective, errors agreed after each):
 *   1. Directory: the vertex set sorted by original id and cut into one block per rank; a
 *      vertex's position in that order is its dense id. Declared ranges (mtx, METIS, DIMACS,
 *      generators) need no sort; otherwise a sample sort of the ids that occur (or of the LDBC
 *      vertex list) builds it.
 *   2. Edge endpoints are translated to dense ids by asking the directory.
 *   3. The partitioner assigns a part to every directory entry.
 *   4. Final ids: parts are laid out one after the other, keeping original-id order inside a
 *      part; each rank owns a contiguous run of parts, hence of ids.
 *   5. Endpoints are translated again (dense -> final) and the edges shuffled to the owner of
 *      the source (and of the target, for in-edges); each rank sorts its rows, removes
 *      duplicate edges (keeping the smallest weight) and maps targets to local indices.
 *   6. The communication plan: the ghosts each rank needs, grouped by owner, and the mirror
 *      lists of local vertices each peer needs.
 * ------------------------------------------------------------------------------------------- */
#include "engine/dist.h"
#include "engine/graph_internal.h"
#include "engine/partition.h"

#include "amls/graph.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct dir_ctx {
    int nranks;
    const int64_t *dir_off;
    const int64_t *ids; /* sorted original ids of this rank's block (sorted mode) */
    int64_t nids, lo;
    amls_vid vbase;
    bool sorted;
    const int64_t *value; /* per directory entry answer (final ids) */
    const amls_vid *orig; /* graph's owned original ids (for ghost lookup) */
    int64_t glo;
} dir_ctx;

static int route_by_dense(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return amls__owner_of(d->dir_off, d->nranks, key);
}

/* Answer: dense id of an original id, or -1 if it is not in the vertex set. */
static int64_t answer_dense(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    int64_t i = amls__bsearch_i64(d->ids, d->nids, key);
    return i < 0 ? -1 : d->lo + i;
}

static int64_t answer_value(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return d->value[key - d->lo];
}

static int64_t answer_orig(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return d->orig[key - d->glo];
}

int amls_graph_owner(const amls_graph *g, int64_t gid)
{
    return amls__owner_of(g->owner_off, g->nranks, gid);
}

void amls_graph_free(amls_graph **gp)
{
    if (gp == NULL || *gp == NULL)
        return;
    amls_graph *g = *gp;
    amls__free(g->owner_off);
    amls__free(g->part_off);
    amls__free(g->orig);
    amls__free(g->dense);
    amls__free(g->dir_off);
    if (g->in_ptr != g->out_ptr) {
        amls__free(g->in_ptr);
        amls__free(g->in_col);
        amls__free(g->in_w);
    }
    amls__free(g->out_ptr);
    amls__free(g->out_col);
    amls__free(g->out_w);
    amls__free(g->ghost_gid);
    amls__free(g->ghost_orig);
    amls__free(g->recv_off);
    amls__free(g->send_off);
    amls__free(g->send_idx);
    if (g->comm != MPI_COMM_NULL)
        MPI_Comm_free(&g->comm);
    amls__free(g);
    *gp = NULL;
}

/* ---- CSR assembly --------------------------------------------------------------------------- */

/* Sorts one row (targets with optional weights) by target, then by weight. */
static void sort_row(int64_t *t, double *w, int64_t n)
{
    if (n <= 32 || w != NULL) {
        for (int64_t i = 1; i < n; i++) {
            int64_t x = t[i];
            double y = w ? w[i] : 0;
            int64_t j = i;
            while (j > 0 && (t[j - 1] > x || (w && t[j - 1] == x && w[j - 1] > y))) {
                t[j] = t[j - 1];
                if (w)
                    w[j] = w[j - 1];
                j--;
            }
            t[j] = x;
            if (w)
                w[j] = y;
        }
        return;
    }
    size_t m = 0;
    amls__sort_unique_i64(t, (size_t)n, &m); /* radix; duplicates removed later anyway */
    for (int64_t i = (int64_t)m; i < n; i++)
        t[i] = INT64_MAX; /* padding, dropped by the caller's compaction */
}

/* Sends edge records (source, target[, weight]) to the owner of the source and builds a CSR
 * of global targets, rows sorted, duplicates removed (smallest weight kept). The records are
 * made from the endpoint pairs `ends` (final ids): (ends[2e], ends[2e+1]), reversed when
 * `reverse`, and both ways when `both`. Collective. */
static int shuffle_build(amls_graph *g, const int64_t *ends, const double *wts, int64_t ne,
                         bool both, bool reverse, bool keep_w, int64_t **ptr_out,
                         int64_t **gcol_out, double **w_out, int64_t *ne_out)
{
    int rc = AMLS_OK, R = g->nranks;
    size_t rs = keep_w ? 24 : 16;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL, *ptr = NULL, *gcol = NULL, *fill = NULL;
    double *w = NULL;
    char *send = NULL, *recv = NULL;
    int64_t nrecv = 0;
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(pos, R);
    for (int64_t e = 0; e < ne; e++) {
        int64_t u = ends[2 * e + (reverse ? 1 : 0)], v = ends[2 * e + (reverse ? 0 : 1)];
        cnt[amls_graph_owner(g, u)]++;
        if (both && u != v)
            cnt[amls_graph_owner(g, v)]++;
    }
    for (int p = 1; p < R; p++)
        pos[p] = pos[p - 1] + cnt[p - 1];
    AMLS_ALLOC(send, (size_t)(pos[R - 1] + cnt[R - 1]) * rs + 1);
    for (int64_t e = 0; e < ne; e++) {
        int64_t u = ends[2 * e + (reverse ? 1 : 0)], v = ends[2 * e + (reverse ? 0 : 1)];
        double wt = wts ? wts[e] : 1.0;
        for (int k = 0; k < (both && u != v ? 2 : 1); k++) {
            int64_t a = k ? v : u, b = k ? u : v;
            char *r = send + (size_t)pos[amls_graph_owner(g, a)]++ * rs;
            memcpy(r, &a, 8);
            memcpy(r + 8, &b, 8);
            if (keep_w)
                memcpy(r + 16, &wt, 8);
        }
    }
    for (int p = 0; p < R; p++)
        cnt[p] *= (int64_t)rs;
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    rc = amls__alltoallv_bytes(g->comm, send, cnt, (void **)&recv, rcnt, &nrecv);
    amls__free(send);
    send = NULL;
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)rs;
    {
        int64_t nl = g->n_local;
        ptr = amls__calloc((size_t)nl + 2, sizeof *ptr);
        gcol = amls__malloc((size_t)nrecv + 1, sizeof *gcol);
        w = keep_w ? amls__malloc((size_t)nrecv + 1, sizeof *w) : NULL;
        fill = amls__malloc((size_t)nl + 1, sizeof *fill);
        if (ptr == NULL || gcol == NULL || (keep_w && w == NULL) || fill == NULL) {
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory building the CSR (%lld edges)",
                            (long long)nrecv);
            goto agree;
        }
        for (int64_t e = 0; e < nrecv; e++) {
            int64_t u;
            memcpy(&u, recv + (size_t)e * rs, 8);
            ptr[u - g->lo + 1]++;
        }
        for (int64_t i = 0; i < nl; i++)
            ptr[i + 1] += ptr[i];
        memcpy(fill, ptr, (size_t)nl * sizeof *fill);
        for (int64_t e = 0; e < nrecv; e++) {
            const char *r = recv + (size_t)e * rs;
            int64_t u;
            memcpy(&u, r, 8);
            int64_t k = fill[u - g->lo]++;
            memcpy(&gcol[k], r + 8, 8);
            if (keep_w)
                memcpy(&w[k], r + 16, 8);
        }
        amls__free(recv);
        recv = NULL;
        /* Sort each row, drop duplicates (the first, smallest weight, stays), compact. */
        int64_t k = 0;
        for (int64_t i = 0; i < nl; i++) {
            int64_t b = ptr[i], e = ptr[i + 1];
            sort_row(gcol + b, w ? w + b : NULL, e - b);
            ptr[i] = k;
            for (int64_t j = b; j < e; j++)
                if (gcol[j] != INT64_MAX && (j == b || gcol[j] != gcol[j - 1])) {
                    gcol[k] = gcol[j];
                    if (w)
                        w[k] = w[j];
                    k++;
                }
        }
        ptr[nl] = k;
        *ne_out = k;
    }
agree:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK) {
        *ptr_out = ptr;
        *gcol_out = gcol;
        *w_out = w;
        ptr = gcol = NULL;
        w = NULL;
    }
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(send);
    amls__free(recv);
    amls__free(ptr);
    amls__free(gcol);
    amls__free(w);
    amls__free(fill);
    return rc;
}

/* Maps global targets to local indices, creating the ghost list (sorted by global id). Remote
 * targets are marked in a bitmap over the global ids; a ghost's index is the number of marked
 * ids below it (prefix popcounts), so no sort or search is needed. */
static int localise(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    int64_t nw = (g->n + 63) / 64, hi = g->lo + g->n_local;
    uint64_t *bits = NULL;
    int64_t *prefix = NULL;
    AMLS_CALLOC(bits, nw + 1);
    AMLS_ALLOC(prefix, nw + 1);
    for (int pass = 0; pass < 2; pass++) {
        const int64_t *a = pass == 0 ? gout : gin;
        int64_t na = pass == 0 ? nout : nin;
        for (int64_t j = 0; j < na; j++)
            if (a[j] < g->lo || a[j] >= hi)
                bits[a[j] / 64] |= (uint64_t)1 << (a[j] % 64);
    }
    int64_t ng = 0;
    for (int64_t w = 0; w < nw; w++) {
        prefix[w] = ng;
        ng += __builtin_popcountll(bits[w]);
    }
    AMLS_CHECK((uint64_t)g->n_local + (uint64_t)ng < UINT32_MAX, AMLS_ERR_RANGE,
               "rank %d would hold %lld local and %lld remote vertices, more than 32-bit local "
               "indices allow; use more ranks",
               g->rank, (long long)g->n_local, (long long)ng);
    g->n_ghost = ng;
    AMLS_ALLOC(g->ghost_gid, ng + 1);
    for (int64_t w = 0, k = 0; w < nw; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1)
            g->ghost_gid[k++] = 64 * w + __builtin_ctzll(b);
    for (int pass = 0; pass < 2; pass++) {
        int64_t *a = pass == 0 ? gout : gin;
        int64_t na = pass == 0 ? nout : nin;
        for (int64_t j = 0; j < na; j++) {
            int64_t x = a[j];
            if (x >= g->lo && x < hi)
                a[j] = x - g->lo;
            else
                a[j] = g->n_local + prefix[x / 64] +
                       __builtin_popcountll(bits[x / 64] & (((uint64_t)1 << (x % 64)) - 1));
        }
    }
cleanup:
    amls__free(bits);
    amls__free(prefix);
    return rc;
}

static uint32_t *to_u32(int64_t *a, int64_t n)
{
    uint32_t *b = amls__malloc((size_t)n + 1, sizeof *b);
    if (b == NULL)
        return NULL;
    for (int64_t j = 0; j < n; j++)
        b[j] = (uint32_t)a[j];
    return b;
}

/* Builds the communication plan from the sorted ghost list. */
static int build_plan(amls_graph *g)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *recv = NULL;
    AMLS_CALLOC(g->recv_off, R + 1);
    AMLS_CALLOC(g->send_off, R + 1);
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    for (int64_t k = 0; k < g->n_ghost; k++)
        cnt[amls_graph_owner(g, g->ghost_gid[k])]++;
    for (int p = 0; p < R; p++) {
        g->recv_off[p + 1] = g->recv_off[p] + cnt[p];
        cnt[p] *= (int64_t)sizeof(int64_t);
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t nrecv = 0;
    rc = amls__alltoallv_bytes(g->comm, g->ghost_gid, cnt, (void **)&recv, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(int64_t);
    for (int p = 0; p < R; p++)
        g->send_off[p + 1] = g->send_off[p] + rcnt[p] / (int64_t)sizeof(int64_t);
    g->send_idx = amls__malloc((size_t)nrecv + 1, sizeof *g->send_idx);
    if (g->send_idx == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    else
        for (int64_t k = 0; k < nrecv; k++)
            g->send_idx[k] = (uint32_t)(recv[k] - g->lo);
    rc = amls_agree(g->comm, rc, NULL);
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(recv);
    return rc;
}

/* Completes a graph whose rows are set (out_ptr, and in_ptr for directed graphs with in-edges)
 * from global-id targets: ghosts and 32-bit columns, edge statistics, the plan, ghost ids.
 * Takes the gid arrays (converts them in place; the caller frees them). Collective. */
int amls__graph_finish(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    MPI_Comm comm = g->comm;
    int R = g->nranks;
    rc = localise(g, gout, nout, gin, nin);
    if (rc == AMLS_OK) {
        g->out_col = to_u32(gout, nout);
        if (gin)
            g->in_col = to_u32(gin, nin);
        if (g->out_col == NULL || (gin != NULL && g->in_col == NULL))
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto cleanup;
    if (!g->directed) {
        g->in_ptr = g->out_ptr;
        g->in_col = g->out_col;
        g->in_w = g->out_w;
    }
    {
        /* Global edge statistics. */
        int64_t loops = 0;
        for (int64_t i = 0; i < g->n_local; i++)
            for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++)
                if (g->out_col[j] == (uint32_t)i)
                    loops++;
        int64_t loc[2] = {nout, loops}, glob[2] = {0, 0};
        MPI_Allreduce(loc, glob, 2, MPI_INT64_T, MPI_SUM, comm);
        g->arcs = glob[0];
        g->self_loops = glob[1];
        g->edges = g->directed ? g->arcs : (g->arcs - g->self_loops) / 2 + g->self_loops;
    }

    /* 6. Communication plan and ghost original ids. */
    AMLS_TRY(build_plan(g));
    g->ghost_orig = amls__malloc((size_t)g->n_ghost + 1, sizeof *g->ghost_orig);
    AMLS_TRY(amls_agree(comm, g->ghost_orig ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                        NULL));
    {
        dir_ctx oc = {.nranks = R, .dir_off = g->owner_off, .orig = g->orig, .glo = g->lo};
        AMLS_TRY(amls__dist_lookup(comm, g->ghost_gid, g->n_ghost, g->ghost_orig, route_by_dense,
                                   &oc, answer_orig, &oc));
    }
cleanup:
    return rc;
}

/* ---- the pipeline ---------------------------------------------------------------------------- */

/* Dense ids from a replicated bitmap over [lo, lo + 64 * nw): bit set = the id exists; the
 * dense id of x is the number of set bits below it. Used when the id range is small enough,
 * it replaces the distributed sort and lookup with one MPI_Allreduce. */
typedef struct idmap {
    int64_t lo;
    int64_t nw;
    uint64_t *bits;
    int64_t *prefix; /* set bits before word w */
} idmap;

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
    int64_t mm[3] = {INT64_MAX, INT64_MIN, nk}, gmin = 0, gmax = 0, gk = 0;
    for (int64_t i = 0; i < nk; i++) {
        mm[0] = AMLS_MIN(mm[0], keys[i]);
        mm[1] = AMLS_MAX(mm[1], keys[i]);
    }
    MPI_Allreduce(&mm[0], &gmin, 1, MPI_INT64_T, MPI_MIN, comm);
    MPI_Allreduce(&mm[1], &gmax, 1, MPI_INT64_T, MPI_MAX, comm);
    MPI_Allreduce(&mm[2], &gk, 1, MPI_INT64_T, MPI_SUM, comm);
    if (gk == 0 || gmax < gmin)
        return AMLS_OK;
    uint64_t range = (uint64_t)gmax - (uint64_t)gmin + 1;
    if (range > ((uint64_t)1 << 26) && range > 16 * (uint64_t)gk)
        return AMLS_OK;
    if (range > ((uint64_t)1 << 34))
        return AMLS_OK;
    m->lo = gmin;
    m->nw = (int64_t)((range + 63) / 64);
    m->bits = amls__calloc((size_t)m->nw + 1, sizeof *m->bits);
    m->prefix = amls__malloc((size_t)m->nw + 1, sizeof *m->prefix);
    rc = (m->bits && m->prefix) ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto fail;
    for (int64_t i = 0; i < nk; i++) {
        uint64_t off = (uint64_t)(keys[i] - gmin);
        m->bits[off / 64] |= (uint64_t)1 << (off % 64);
    }
    for (int64_t w = 0; w < m->nw; w += 1 << 24) {
        int cnt = (int)AMLS_MIN((int64_t)1 << 24, m->nw - w);
        if (MPI_Allreduce(MPI_IN_PLACE, m->bits + w, cnt, MPI_UINT64_T, MPI_BOR, comm) !=
            MPI_SUCCESS) {
            rc = amls_error(AMLS_ERR_MPI, "MPI_Allreduce of the id bitmap failed");
            goto fail;
        }
    }
    int64_t run = 0;
    for (int64_t w = 0; w < m->nw; w++) {
        m->prefix[w] = run;
        run += __builtin_popcountll(m->bits[w]);
    }
    m->prefix[m->nw] = run;
    return AMLS_OK;
fail:
    amls__free(m->bits);
    amls__free(m->prefix);
    memset(m, 0, sizeof *m);
    return rc;
}

/* Original ids of the dense block [dlo, dhi): the set bits in that rank range. */
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

/* Local checks inside a section of the pipeline: on failure set rc and jump to the section's
 * end, where every rank agrees before the next collective step. */
#define SEC_CHECK(cond, label, code, ...)                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = amls_error((code), __VA_ARGS__);                                                  \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)
#define SEC_ALLOC(ptr, n, label)                                                                   \
    SEC_CHECK(((ptr) = amls__malloc((size_t)(n) + 1, sizeof *(ptr))) != NULL, label,               \
              AMLS_ERR_NOMEM, "out of memory allocating %zu bytes",                                \
              ((size_t)(n) + 1) * sizeof *(ptr))
#define SEC_CALLOC(ptr, n, label)                                                                  \
    SEC_CHECK(((ptr) = amls__calloc((size_t)(n) + 1, sizeof *(ptr))) != NULL, label,               \
              AMLS_ERR_NOMEM, "out of memory allocating %zu bytes",                                \
              ((size_t)(n) + 1) * sizeof *(ptr))
#define SEC_END(label)                                                                             \
    label:                                                                                         \
    rc = amls_agree(comm, rc, NULL);                                                               \
    if (rc < 0)                                                                                    \
    goto done

/* Phase timer for AMLS_TIMING=1 (rank 0 prints). */
static void mark(MPI_Comm comm, const char *what, double *t)
{
    static int on = -1;
    if (on < 0)
        on = getenv("AMLS_TIMING") != NULL;
    if (!on)
        return;
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    double now = amls__now();
    if (rank == 0)
        fprintf(stderr, "[timing] build %-22s %.3f s\n", what, now - *t);
    *t = now;
}

int amls_graph_build(MPI_Comm comm, amls_raw_graph *raw, const amls_build_opts *opts,
                     amls_graph **out)
{
    int rc = AMLS_OK, R = 1, me = 0, K = 1;
    amls_build_opts o = {0};
    if (opts)
        o = *opts;
    amls_graph *g = NULL;
    int64_t *dir_ids = NULL, *ends = NULL, *splitters = NULL, *final = NULL, *cnt = NULL;
    int64_t *before = NULL, *total = NULL, *gout = NULL, *gin = NULL, *meta = NULL;
    int64_t *rcnt = NULL, *pos = NULL, *mrecv = NULL, *c3 = NULL, *keys = NULL, *sd = NULL;
    int32_t *part = NULL;
    int64_t ndir = 0, dlo = 0, nd = 0, ne = raw->nedges, nout = 0, nin = 0;
    double t0 = amls__now(), tp = 0;
    dir_ctx dc = {0};
    *out = NULL;
    MPI_Comm_rank(comm, &me);
    MPI_Comm_size(comm, &R);

    /* 0. The graph object. */
    SEC_CHECK((g = amls__calloc(1, sizeof *g)) != NULL, s0, AMLS_ERR_NOMEM, "out of memory");
    g->comm = MPI_COMM_NULL;
    SEC_END(s0);
    MPI_Comm_dup(comm, &g->comm);
    g->rank = me;
    g->nranks = R;
    g->directed = raw->directed;
    {
        /* Agree on weightedness: a rank with no edges may have w == NULL. */
        int wl = raw->weighted && !o.drop_weights ? 1 : 0, wg = 0;
        MPI_Allreduce(&wl, &wg, 1, MPI_INT, MPI_MAX, comm);
        g->weighted = wg != 0;
    }
    g->edges_read = raw->edges_read;
    K = o.nparts > 0 ? o.nparts : R;

    double tm = amls__now();
    /* 1. Directory. */
    SEC_CALLOC(g->dir_off, R, s1);
    SEC_ALLOC(splitters, R, s1);
    SEC_ALLOC(ends, 2 * ne, s1);
    dc.nranks = R;
    dc.dir_off = g->dir_off;
    if (raw->vset == AMLS_VSET_RANGE) {
        g->n = raw->nverts;
        for (int p = 0; p <= R; p++)
            g->dir_off[p] = (int64_t)((amls__i128)g->n * p / R);
        for (int64_t e = 0; e < ne; e++) {
            ends[2 * e] = raw->src[e] - raw->vbase;
            ends[2 * e + 1] = raw->dst[e] - raw->vbase;
            SEC_CHECK(ends[2 * e] >= 0 && ends[2 * e] < g->n && ends[2 * e + 1] >= 0 &&
                          ends[2 * e + 1] < g->n,
                      s1, AMLS_ERR_RANGE, "edge (%lld, %lld) refers to a vertex outside %lld..%lld",
                      (long long)raw->src[e], (long long)raw->dst[e], (long long)raw->vbase,
                      (long long)(raw->vbase + g->n - 1));
        }
    } else {
        int64_t nk = raw->vset == AMLS_VSET_LIST ? raw->nvlist : 2 * ne;
        SEC_ALLOC(keys, nk, s1);
        if (raw->vset == AMLS_VSET_LIST)
            memcpy(keys, raw->vlist, (size_t)nk * sizeof *keys);
        else
            for (int64_t e = 0; e < ne; e++) {
                keys[2 * e] = raw->src[e];
                keys[2 * e + 1] = raw->dst[e];
            }
        for (int64_t e = 0; e < ne; e++) {
            ends[2 * e] = raw->src[e];
            ends[2 * e + 1] = raw->dst[e];
        }
    }
    SEC_END(s1);
    if (raw->vset != AMLS_VSET_RANGE) {
        int64_t nk = raw->vset == AMLS_VSET_LIST ? raw->nvlist : 2 * ne;
        idmap im;
        AMLS_TRY(idmap_build(comm, keys, nk, &im));
        if (im.bits != NULL) {
            /* Fast path: every rank maps ids to dense ids by itself. */
            g->n = im.prefix[im.nw];
            for (int p = 0; p <= R; p++)
                g->dir_off[p] = amls__muldiv(g->n, p, R);
            int lrc = idmap_block(&im, g->dir_off[me], g->dir_off[me + 1], &dir_ids);
            for (int64_t e = 0; e < 2 * ne && lrc == AMLS_OK; e++) {
                int64_t dd = idmap_dense(&im, ends[e]);
                if (dd < 0)
                    lrc = amls_error(AMLS_ERR_NOT_FOUND,
                                     "edge (%lld, %lld) refers to vertex %lld, which the vertex "
                                     "file does not list",
                                     (long long)raw->src[e / 2], (long long)raw->dst[e / 2],
                                     (long long)ends[e]);
                ends[e] = dd;
            }
            amls__free(im.bits);
            amls__free(im.prefix);
            rc = lrc;
            goto s2;
        }
        AMLS_TRY(amls__dist_sort_unique(comm, keys, nk, &dir_ids, &ndir, splitters));
        amls__free(keys);
        keys = NULL;
        MPI_Allgather(&ndir, 1, MPI_INT64_T, g->dir_off + 1, 1, MPI_INT64_T, comm);
        g->dir_off[0] = 0;
        for (int p = 0; p < R; p++)
            g->dir_off[p + 1] += g->dir_off[p];
        g->n = g->dir_off[R];
        /* 2. Translate endpoints to dense ids (-1: not in the vertex set). */
        amls__splitters sp = {splitters, R};
        dc.ids = dir_ids;
        dc.nids = ndir;
        dc.lo = g->dir_off[me];
        AMLS_TRY(amls__dist_lookup(comm, ends, 2 * ne, ends, amls__splitter_route, &sp,
                                   answer_dense, &dc));
        for (int64_t e = 0; e < 2 * ne; e++)
            SEC_CHECK(ends[e] >= 0, s2, AMLS_ERR_NOT_FOUND,
                      "edge (%lld, %lld) refers to vertex %lld, which the vertex file does not "
                      "list",
                      (long long)raw->src[e / 2], (long long)raw->dst[e / 2],
                      (long long)(e % 2 ? raw->dst[e / 2] : raw->src[e / 2]));
    }
    SEC_END(s2);
    /* The endpoints live on in `ends`: the raw ids are not needed any more. */
    amls__free(raw->src);
    amls__free(raw->dst);
    raw->src = raw->dst = NULL;
    mark(comm, "directory+dense ids", &tm);

    /* 3. Partition. */
    tp = amls__now();
    dlo = g->dir_off[me];
    nd = g->dir_off[me + 1] - dlo;
    SEC_ALLOC(part, nd, s3);
    if (o.method == AMLS_PART_METIS) {
        SEC_ALLOC(sd, 2 * ne, s3);
        for (int64_t e = 0; e < ne; e++) {
            sd[e] = ends[2 * e];
            sd[ne + e] = ends[2 * e + 1];
        }
    }
    SEC_END(s3);
    {
        amls__part_input pin = {.comm = comm,
                                .rank = me,
                                .nranks = R,
                                .method = o.method,
                                .file = o.part_file,
                                .nparts = K,
                                .n = g->n,
                                .dir_off = g->dir_off,
                                .dir_orig = raw->vset == AMLS_VSET_RANGE ? NULL : dir_ids,
                                .vbase = raw->vbase,
                                .src = sd,
                                .dst = sd ? sd + ne : NULL,
                                .nedges = ne};
        AMLS_TRY(amls__partition_compute(&pin, part, &K));
        amls__free(sd);
        sd = NULL;
    }
    SEC_CHECK(K >= 1, s4, AMLS_ERR_PARTITION, "the partition has no parts");
    g->partition_seconds = amls__now() - tp;
    mark(comm, "partition", &tm);

    /* 4. Final ids: parts one after the other, original order inside a part. */
    SEC_CALLOC(cnt, K, s4);
    SEC_CALLOC(before, K, s4);
    SEC_CALLOC(total, K, s4);
    SEC_ALLOC(final, nd, s4);
    SEC_CALLOC(g->part_off, K, s4);
    SEC_CALLOC(g->owner_off, R, s4);
    for (int64_t i = 0; i < nd; i++)
        cnt[part[i]]++;
    SEC_END(s4);
    MPI_Exscan(cnt, before, K, MPI_INT64_T, MPI_SUM, comm);
    if (me == 0)
        memset(before, 0, (size_t)K * sizeof *before);
    MPI_Allreduce(cnt, total, K, MPI_INT64_T, MPI_SUM, comm);
    g->nparts = K;
    for (int p = 0; p < K; p++)
        g->part_off[p + 1] = g->part_off[p] + total[p];
    /* Rank r owns the parts p with p*R/K == r: a contiguous run. */
    for (int r = 0, p = 0; r <= R; r++) {
        while (p < K && (int64_t)p * R / K < r)
            p++;
        g->owner_off[r] = g->part_off[p];
    }
    g->owner_off[R] = g->n;
    for (int64_t i = 0; i < nd; i++) {
        int p = part[i];
        final[i] = g->part_off[p] + before[p]++;
    }
    g->lo = g->owner_off[me];
    g->n_local = g->owner_off[me + 1] - g->lo;

    /* 5a. Vertex metadata to owners: (final, orig, dense). */
    SEC_CALLOC(rcnt, R, s5);
    SEC_CALLOC(pos, R, s5);
    SEC_CALLOC(c3, R, s5);
    SEC_ALLOC(meta, 3 * nd, s5);
    SEC_ALLOC(g->orig, g->n_local, s5);
    SEC_ALLOC(g->dense, g->n_local, s5);
    for (int64_t i = 0; i < nd; i++)
        c3[amls_graph_owner(g, final[i])]++;
    for (int p = 1; p < R; p++)
        pos[p] = pos[p - 1] + 3 * c3[p - 1];
    for (int64_t i = 0; i < nd; i++) {
        int d = amls_graph_owner(g, final[i]);
        meta[pos[d]++] = final[i];
        meta[pos[d]++] = raw->vset == AMLS_VSET_RANGE ? raw->vbase + dlo + i : dir_ids[i];
        meta[pos[d]++] = dlo + i;
    }
    for (int p = 0; p < R; p++)
        c3[p] *= 3 * (int64_t)sizeof(int64_t);
    SEC_END(s5);
    {
        int64_t nm = 0;
        AMLS_TRY(amls__alltoallv_bytes(comm, meta, c3, (void **)&mrecv, rcnt, &nm));
        nm /= 3 * (int64_t)sizeof(int64_t);
        for (int64_t k = 0; k < nm; k++) {
            int64_t l = mrecv[3 * k] - g->lo;
            g->orig[l] = mrecv[3 * k + 1];
            g->dense[l] = mrecv[3 * k + 2];
        }
    }
    amls__free(meta);
    meta = NULL;
    amls__free(mrecv);
    mrecv = NULL;
    amls__free(dir_ids);
    dir_ids = NULL;
    amls__free(part);
    part = NULL;

    mark(comm, "final ids+metadata", &tm);
    /* 5b. Endpoints dense -> final: through a replicated table when it is no larger than the
     * endpoint array on every rank, else by asking the directory. */
    {
        int64_t mine = 2 * ne, least = 0;
        MPI_Allreduce(&mine, &least, 1, MPI_INT64_T, MPI_MIN, comm);
        int64_t *table = g->n <= AMLS_MAX(least, (int64_t)1 << 20)
                             ? amls__malloc((size_t)g->n + 1, sizeof *table)
                             : NULL;
        int have = table != NULL, all = 0;
        MPI_Allreduce(&have, &all, 1, MPI_INT, MPI_MIN, comm);
        if (all && g->n <= INT32_MAX) {
            int *cnts = amls__malloc((size_t)R, sizeof *cnts),
                *disp = amls__malloc((size_t)R, sizeof *disp);
            int ok = cnts && disp, allok = 0;
            MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
            if (allok) {
                for (int p = 0; p < R; p++) {
                    cnts[p] = (int)(g->dir_off[p + 1] - g->dir_off[p]);
                    disp[p] = (int)g->dir_off[p];
                }
                MPI_Allgatherv(final, cnts[me], MPI_INT64_T, table, cnts, disp, MPI_INT64_T, comm);
                for (int64_t e = 0; e < 2 * ne; e++)
                    ends[e] = table[ends[e]];
            }
            amls__free(cnts);
            amls__free(disp);
            amls__free(table);
            if (!allok)
                AMLS_TRY(amls_agree(comm, amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
        } else {
            amls__free(table);
            dc.value = final;
            dc.lo = dlo;
            AMLS_TRY(amls__dist_lookup(comm, ends, 2 * ne, ends, route_by_dense, &dc, answer_value,
                                       &dc));
        }
    }
    amls__free(final);
    final = NULL;

    mark(comm, "dense->final lookup", &tm);
    /* 5c. Shuffle and build the CSRs. */
    AMLS_TRY(shuffle_build(g, ends, raw->w, ne, !g->directed, false, g->weighted, &g->out_ptr,
                           &gout, &g->out_w, &nout));
    g->has_in = !g->directed || o.need_in_edges;
    if (g->directed && o.need_in_edges)
        AMLS_TRY(shuffle_build(g, ends, raw->w, ne, false, true, g->weighted, &g->in_ptr, &gin,
                               &g->in_w, &nin));
    amls__free(ends);
    ends = NULL;
    amls_raw_graph_free(raw);
    mark(comm, "shuffle+csr", &tm);
    AMLS_TRY(amls__graph_finish(g, gout, nout, gin, nin));
    mark(comm, "plan+ghost ids", &tm);
    g->build_seconds = amls__now() - t0;

cleanup:
done:
    amls__free(dir_ids);
    amls__free(ends);
    amls__free(splitters);
    amls__free(final);
    amls__free(cnt);
    amls__free(before);
    amls__free(total);
    amls__free(gout);
    amls__free(gin);
    amls__free(meta);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(c3);
    amls__free(keys);
    amls__free(sd);
    amls__free(mrecv);
    amls__free(part);
    amls_raw_graph_free(raw);
    if (rc < 0)
        amls_graph_free(&g);
    *out = g;
    return rc;
}
