/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/ref.c — serial reference implementations, written independently of the vertex
 * programs and as simply as possible: queue BFS, Dijkstra with a binary heap, union-find,
 * dense power iteration, synchronous label propagation with sorting, and LCC by marking each
 * neighbourhood. They run on one rank over a gathered graph (amls_csr, vertices in original-id
 * order) and back --verify and the tests.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io/util.h"

#include "amls/algorithms.h"

#include <math.h>
#include <stdio.h>

static int64_t find_vertex(const amls_csr *c, amls_vid id)
{
    return amls__bsearch_i64(c->orig, c->n, id);
}

int amls_ref_bfs(const amls_csr *c, const double *params, double *f, int64_t *out)
{
    (void)f;
    int64_t n = c->n, src = find_vertex(c, (amls_vid)params[0]);
    int64_t *queue = amls__malloc((size_t)n + 1, sizeof *queue);
    if (queue == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        out[v] = INT64_MAX;
    int64_t head = 0, tail = 0;
    if (src >= 0) {
        out[src] = 0;
        queue[tail++] = src;
    }
    while (head < tail) {
        int64_t u = queue[head++];
        for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
            if (out[c->col[j]] == INT64_MAX) {
                out[c->col[j]] = out[u] + 1;
                queue[tail++] = c->col[j];
            }
    }
    amls__free(queue);
    return AMLS_OK;
}

/* Binary heap of (distance, vertex) with lazy deletion. */
typedef struct hitem {
    double d;
    int64_t v;
} hitem;

int amls_ref_sssp(const amls_csr *c, const double *params, double *dist, int64_t *i)
{
    (void)i;
    int64_t n = c->n, src = find_vertex(c, (amls_vid)params[0]), m = c->ptr[n];
    hitem *h = amls__malloc((size_t)m + 2, sizeof *h);
    if (h == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        dist[v] = INFINITY;
    int64_t hn = 0;
    if (src >= 0) {
        dist[src] = 0;
        h[hn++] = (hitem){0, src};
    }
    while (hn > 0) {
        hitem top = h[0];
        h[0] = h[--hn];
        for (int64_t k = 0;;) { /* sift down */
            int64_t l = 2 * k + 1, r = l + 1, s = k;
            if (l < hn && h[l].d < h[s].d)
                s = l;
            if (r < hn && h[r].d < h[s].d)
                s = r;
            if (s == k)
                break;
            hitem t = h[k];
            h[k] = h[s];
            h[s] = t;
            k = s;
        }
        if (top.d > dist[top.v])
            continue;
        for (int64_t j = c->ptr[top.v]; j < c->ptr[top.v + 1]; j++) {
            double nd = top.d + (c->w ? c->w[j] : 1.0);
            int64_t t = c->col[j];
            if (nd < dist[t]) {
                dist[t] = nd;
                int64_t k = hn++;
                h[k] = (hitem){nd, t};
                while (k > 0 && h[(k - 1) / 2].d > h[k].d) { /* sift up */
                    hitem x = h[k];
                    h[k] = h[(k - 1) / 2];
                    h[(k - 1) / 2] = x;
                    k = (k - 1) / 2;
                }
            }
        }
    }
    amls__free(h);
    return AMLS_OK;
}

static int64_t uf_find(int64_t *p, int64_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

int amls_ref_wcc(const amls_csr *c, const double *params, double *f, int64_t *out)
{
    (void)params;
    (void)f;
    int64_t n = c->n;
    int64_t *p = amls__malloc((size_t)n + 1, sizeof *p);
    if (p == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        p[v] = v;
    for (int64_t u = 0; u < n; u++)
        for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++) {
            int64_t a = uf_find(p, u), b = uf_find(p, c->col[j]);
            if (a != b)
                p[a < b ? b : a] = a < b ? a : b; /* the root is the smallest index */
        }
    for (int64_t v = 0; v < n; v++)
        out[v] = c->orig[uf_find(p, v)]; /* vertices are in id order: root = smallest id */
    amls__free(p);
    return AMLS_OK;
}

int amls_ref_pagerank(const amls_csr *c, const double *params, double *pr, int64_t *i)
{
    (void)i;
    int64_t n = c->n, iters = (int64_t)params[1];
    double d = params[0];
    double *next = amls__malloc((size_t)n + 1, sizeof *next);
    if (next == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        pr[v] = 1.0 / (double)n;
    for (int64_t it = 0; it < iters; it++) {
        double sink = 0;
        for (int64_t v = 0; v < n; v++) {
            next[v] = 0;
            if (c->ptr[v + 1] == c->ptr[v])
                sink += pr[v];
        }
        for (int64_t u = 0; u < n; u++) {
            int64_t deg = c->ptr[u + 1] - c->ptr[u];
            for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
                next[c->col[j]] += pr[u] / (double)deg;
        }
        for (int64_t v = 0; v < n; v++)
            pr[v] = (1 - d) / (double)n + d * (next[v] + sink / (double)n);
    }
    amls__free(next);
    return AMLS_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int amls_ref_cdlp(const amls_csr *c, const double *params, double *f, int64_t *lab)
{
    (void)f;
    int64_t n = c->n, iters = (int64_t)params[0], m = c->ptr[n];
    int64_t *old = amls__malloc((size_t)n + 1, sizeof *old);
    int64_t *buf = amls__malloc(2 * (size_t)m + 1, sizeof *buf);
    if (old == NULL || buf == NULL) {
        amls__free(old);
        amls__free(buf);
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    for (int64_t v = 0; v < n; v++)
        lab[v] = c->orig[v];
    for (int64_t it = 0; it < iters; it++) {
        memcpy(old, lab, (size_t)n * sizeof *old);
        for (int64_t v = 0; v < n; v++) {
            int64_t k = 0;
            for (int64_t j = c->ptr[v]; j < c->ptr[v + 1]; j++)
                buf[k++] = old[c->col[j]];
            if (c->directed)
                for (int64_t j = c->iptr[v]; j < c->iptr[v + 1]; j++)
                    buf[k++] = old[c->icol[j]];
            if (k == 0)
                continue;
            qsort(buf, (size_t)k, sizeof *buf, cmp_i64);
            int64_t best = buf[0], bc = 0;
            for (int64_t a = 0; a < k;) {
                int64_t b = a;
                while (b < k && buf[b] == buf[a])
                    b++;
                if (b - a > bc) {
                    bc = b - a;
                    best = buf[a];
                }
                a = b;
            }
            lab[v] = best;
        }
    }
    amls__free(old);
    amls__free(buf);
    return AMLS_OK;
}

int amls_ref_lcc(const amls_csr *c, const double *params, double *lcc, int64_t *i)
{
    (void)params;
    (void)i;
    int64_t n = c->n;
    int64_t *mark = amls__malloc((size_t)n + 1, sizeof *mark);
    int64_t *nb = amls__malloc((size_t)n + 1, sizeof *nb);
    if (mark == NULL || nb == NULL) {
        amls__free(mark);
        amls__free(nb);
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    for (int64_t v = 0; v < n; v++)
        mark[v] = -1;
    for (int64_t v = 0; v < n; v++) {
        /* N(v): out- and in-neighbours, without v, each once. */
        int64_t d = 0;
        for (int pass = 0; pass < (c->directed ? 2 : 1); pass++) {
            const int64_t *ptr = pass ? c->iptr : c->ptr, *col = pass ? c->icol : c->col;
            for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
                int64_t u = col[j];
                if (u != v && mark[u] != v) {
                    mark[u] = v;
                    nb[d++] = u;
                }
            }
        }
        /* Count arcs u -> w with both ends in N(v). */
        double arcs = 0;
        for (int64_t k = 0; k < d; k++) {
            int64_t u = nb[k];
            for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
                if (c->col[j] != u && mark[c->col[j]] == v)
                    arcs += 1;
        }
        lcc[v] = d >= 2 ? arcs / ((double)d * (double)(d - 1)) : 0.0;
    }
    amls__free(mark);
    amls__free(nb);
    return AMLS_OK;
}

int64_t amls_compare(amls_rule rule, int64_t n, const double *ef, const int64_t *ei,
                     const double *af, const int64_t *ai, const amls_vid *ids, char *msg,
                     size_t msglen)
{
    int64_t bad = 0;
    msg[0] = '\0';
    if (rule == AMLS_RULE_EQUIV) {
        /* Same grouping: the map expected label -> actual label must be a bijection. Sort
         * (expected, actual) pairs and check both directions. */
        uint64_t *k = amls__malloc((size_t)n + 1, sizeof *k),
                 *v = amls__malloc((size_t)n + 1, sizeof *v);
        if (k == NULL || v == NULL) {
            amls__free(k);
            amls__free(v);
            snprintf(msg, msglen, "out of memory comparing");
            return n + 1;
        }
        for (int dir = 0; dir < 2; dir++) {
            for (int64_t x = 0; x < n; x++) {
                k[x] = (uint64_t)(dir ? ai[x] : ei[x]) ^ ((uint64_t)1 << 63);
                v[x] = (uint64_t)x;
            }
            amls__sort_u64(k, v, (size_t)n);
            for (int64_t x = 1; x < n; x++) {
                int64_t a = (int64_t)v[x - 1], b = (int64_t)v[x];
                if (k[x] == k[x - 1] && (dir ? ei[a] != ei[b] : ai[a] != ai[b])) {
                    if (bad++ == 0)
                        snprintf(msg, msglen,
                                 "vertices %lld and %lld share a component in the %s result "
                                 "but not in the %s one",
                                 (long long)ids[a], (long long)ids[b], dir ? "actual" : "expected",
                                 dir ? "expected" : "actual");
                }
            }
        }
        amls__free(k);
        amls__free(v);
        return bad;
    }
    for (int64_t x = 0; x < n; x++) {
        bool ok;
        if (rule == AMLS_RULE_EXACT) {
            ok = ei[x] == ai[x];
        } else {
            double e = ef[x], a = af[x];
            if (isinf(e) || isinf(a))
                ok = e == a;
            else
                ok = fabs(e - a) <= 1e-4 * fabs(e);
        }
        if (!ok && bad++ == 0) {
            if (rule == AMLS_RULE_EXACT)
                snprintf(msg, msglen, "vertex %lld: expected %lld, got %lld", (long long)ids[x],
                         (long long)ei[x], (long long)ai[x]);
            else
                snprintf(msg, msglen, "vertex %lld: expected %.15g, got %.15g", (long long)ids[x],
                         ef[x], af[x]);
        }
    }
    return bad;
}
