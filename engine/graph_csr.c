/* ---------------------------------------------------------------------------------------------
 * engine/graph_csr.c — steps 5 and 6 of the build: edges shuffled to their owners and turned
 * into sorted, duplicate-free CSR rows; then ghosts, 32-bit local columns, edge statistics, the
 * communication plan and the ghosts' original ids (shared with the HDF5 container loader).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

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

typedef struct edge_route {
    const amls_graph *g;
    const int64_t *ends;
    const double *wts;
    bool both, reverse, keep_w;
} edge_route;

/* Item i = 2e + k: k = 0 is edge e from its source, k = 1 its mirror (when `both`). */
static int edge_dest(const void *ud, int64_t i)
{
    const edge_route *r = ud;
    int64_t e = i / 2, u = r->ends[2 * e + r->reverse], v = r->ends[2 * e + !r->reverse];
    if (i % 2 == 0)
        return amls_graph_owner(r->g, u);
    return r->both && u != v ? amls_graph_owner(r->g, v) : -1;
}

static void edge_pack(const void *ud, int64_t i, void *rec)
{
    const edge_route *r = ud;
    int64_t e = i / 2, u = r->ends[2 * e + r->reverse], v = r->ends[2 * e + !r->reverse];
    int64_t a = i % 2 ? v : u, b = i % 2 ? u : v;
    double wt = r->wts ? r->wts[e] : 1.0;
    memcpy(rec, &a, 8);
    memcpy((char *)rec + 8, &b, 8);
    if (r->keep_w)
        memcpy((char *)rec + 16, &wt, 8);
}

/* Rows from the received (source, target[, weight]) records: sorted by target, duplicates
 * dropped (the smallest weight stays). Frees the records once copied. Local. */
static int csr_from_records(amls_graph *g, amls__xchg *x, size_t rs, bool keep_w,
                            amls__graph_csr *out)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, nrecv = x->nrecv / (int64_t)rs, *fill = NULL;
    AMLS_CALLOC(out->ptr, nl + 2);
    AMLS_ALLOC(out->gcol, nrecv + 1);
    if (keep_w)
        AMLS_ALLOC(out->w, nrecv + 1);
    AMLS_ALLOC(fill, nl + 1);
    for (int64_t e = 0; e < nrecv; e++) {
        int64_t u;
        memcpy(&u, x->recv + (size_t)e * rs, 8);
        out->ptr[u - g->lo + 1]++;
    }
    for (int64_t i = 0; i < nl; i++)
        out->ptr[i + 1] += out->ptr[i];
    memcpy(fill, out->ptr, (size_t)nl * sizeof *fill);
    for (int64_t e = 0; e < nrecv; e++) {
        const char *r = x->recv + (size_t)e * rs;
        int64_t u;
        memcpy(&u, r, 8);
        int64_t k = fill[u - g->lo]++;
        memcpy(&out->gcol[k], r + 8, 8);
        if (keep_w)
            memcpy(&out->w[k], r + 16, 8);
    }
    amls__xchg_free(x);
    /* Sort each row, drop duplicates (the first, smallest weight, stays), compact. */
    int64_t k = 0, *ptr = out->ptr, *gcol = out->gcol;
    double *w = out->w;
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
    out->m = k;
cleanup:
    amls__free(fill);
    return rc;
}

int amls__graph_shuffle(amls_graph *g, const int64_t *ends, const double *wts, int64_t ne,
                        bool both, bool reverse, bool keep_w, amls__graph_csr *out)
{
    int rc = AMLS_OK;
    size_t rs = keep_w ? 24 : 16;
    amls__xchg x = {0};
    memset(out, 0, sizeof *out);
    edge_route r = {g, ends, wts, both, reverse, keep_w};
    AMLS_TRY(amls__xchg_route(&x, g->comm, AMLS_OK, 2 * ne, rs, edge_dest, edge_pack, &r));
    AMLS_AGREE(g->comm, csr_from_records(g, &x, rs, keep_w, out));
cleanup:
    amls__xchg_free(&x);
    if (rc < 0)
        amls__graph_csr_free(out);
    return rc;
}

void amls__graph_csr_free(amls__graph_csr *c)
{
    amls__free(c->ptr);
    amls__free(c->gcol);
    amls__free(c->w);
    memset(c, 0, sizeof *c);
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

static int ghost_dest(const void *ud, int64_t k)
{
    const amls_graph *g = ud;
    return amls_graph_owner(g, g->ghost_gid[k]);
}

static void ghost_pack(const void *ud, int64_t k, void *rec)
{
    const amls_graph *g = ud;
    memcpy(rec, &g->ghost_gid[k], sizeof g->ghost_gid[k]);
}

/* Builds the communication plan from the sorted ghost list: each owner learns which of its
 * vertices each peer holds as ghosts. Collective. */
static int build_plan(amls_graph *g)
{
    int rc = AMLS_OK, R = g->nranks;
    amls__xchg x = {0};
    g->recv_off = amls__calloc((size_t)R + 1, sizeof *g->recv_off);
    g->send_off = amls__calloc((size_t)R + 1, sizeof *g->send_off);
    rc = amls__alloc_status(g->recv_off && g->send_off);
    AMLS_TRY(
        amls__xchg_route(&x, g->comm, rc, g->n_ghost, sizeof(int64_t), ghost_dest, ghost_pack, g));
    for (int p = 0; p < R; p++) {
        g->recv_off[p + 1] = g->recv_off[p] + x.scnt[p] / (int64_t)sizeof(int64_t);
        g->send_off[p + 1] = g->send_off[p] + x.rcnt[p] / (int64_t)sizeof(int64_t);
    }
    int64_t nrecv = g->send_off[R];
    g->send_idx = amls__malloc((size_t)nrecv + 1, sizeof *g->send_idx);
    AMLS_AGREE(g->comm, amls__alloc_status(g->send_idx != NULL));
    const int64_t *recv = (const int64_t *)x.recv;
    for (int64_t k = 0; k < nrecv; k++)
        g->send_idx[k] = (uint32_t)(recv[k] - g->lo);
cleanup:
    amls__xchg_free(&x);
    return rc;
}

/* Global edge statistics: arcs, self loops, distinct edges. Collective. */
static int edge_stats(amls_graph *g, int64_t nout)
{
    int rc = AMLS_OK;
    int64_t cnt[2] = {nout, 0};
    for (int64_t i = 0; i < g->n_local; i++)
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++)
            if (g->out_col[j] == (uint32_t)i)
                cnt[1]++;
    AMLS_TRY(amls__allreduce_i64(g->comm, cnt, 2, MPI_SUM));
    g->arcs = cnt[0];
    g->self_loops = cnt[1];
    g->edges = g->directed ? g->arcs : (g->arcs - g->self_loops) / 2 + g->self_loops;
cleanup:
    return rc;
}

static void answer_orig(const void *ctx, int64_t gid, void *out)
{
    const amls_graph *g = ctx;
    memcpy(out, &g->orig[gid - g->lo], sizeof *g->orig);
}

static int route_owner(const void *ctx, int64_t gid)
{
    return amls_graph_owner(ctx, gid);
}

/* Completes a graph whose rows are set (out_ptr, and in_ptr for directed graphs with in-edges)
 * from global-id targets: ghosts and 32-bit columns, edge statistics, the plan, ghost ids.
 * Converts the gid arrays in place (the caller frees them). Collective. */
/* Ghosts and 32-bit local columns from global-id targets. Local. */
static int columns(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    AMLS_TRY(localise(g, gout, nout, gin, nin));
    g->out_col = to_u32(gout, nout);
    if (gin)
        g->in_col = to_u32(gin, nin);
    rc = amls__alloc_status(g->out_col != NULL && (gin == NULL || g->in_col != NULL));
cleanup:
    return rc;
}

int amls__graph_finish(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    AMLS_AGREE(g->comm, columns(g, gout, nout, gin, nin));
    if (!g->directed) {
        g->in_ptr = g->out_ptr;
        g->in_col = g->out_col;
        g->in_w = g->out_w;
    }
    AMLS_TRY(edge_stats(g, nout));
    AMLS_TRY(build_plan(g));
    g->ghost_orig = amls__malloc((size_t)g->n_ghost + 1, sizeof *g->ghost_orig);
    AMLS_AGREE(g->comm, amls__alloc_status(g->ghost_orig != NULL));
    AMLS_TRY(amls__xchg_lookup(g->comm, g->ghost_gid, g->n_ghost, route_owner, g, answer_orig, g,
                               sizeof *g->ghost_orig, g->ghost_orig));
cleanup:
    return rc;
}
