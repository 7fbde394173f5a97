/* ---------------------------------------------------------------------------------------------
 * linalg/graph_la.c — PageRank, connected components and BFS in the language of linear algebra
 * (GraphBLAS style), on the same partitions as the vertex engine and with the same results.
 * SPDX-License-Identifier: MIT
 *
 * PageRank: x_{k+1} = (1-d)/N + d (A^T D^{-1} x_k + (sink mass of x_k)/N), one pull SpMV per
 * iteration over the in-edge CSR (pattern: weights are ignored, as Graphalytics does).
 * WCC: labels start as original ids; variant 0 repeats labels = min(labels, A labels, A^T
 * labels) over the min-select semiring until nothing changes; variant 1 pushes only the labels
 * that changed in the last round (SpMSpV), so work follows the frontier.
 * BFS: SpMSpV of the frontier over min-select, masked by the visited set.
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

#include <math.h>

/* 1/outdeg of every owned vertex (0 for sinks), and x = 1/N. Local. */
static int pagerank_start(const amls_graph *g, double *inv, double *x)
{
    for (int64_t v = 0; v < g->n_local; v++) {
        int64_t deg = g->out_ptr[v + 1] - g->out_ptr[v];
        inv[v] = deg > 0 ? 1.0 / (double)deg : 0.0;
        x[v] = 1.0 / (double)g->n;
    }
    return (!g->directed || g->in_ptr != NULL)
               ? AMLS_OK
               : amls_error(AMLS_ERR_INVALID,
                            "linear-algebra PageRank needs the in-edges of a directed graph");
}

int amls_la_pagerank(const amls_graph *g, double damping, int64_t iterations, double *x,
                     int64_t *spmv_count, double *sec_per_iter)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local;
    double n = (double)g->n, t0 = 0;
    double *c = amls_dvec_new(g), *y = amls__malloc((size_t)nl + 1, sizeof *y);
    double *inv = amls__malloc((size_t)nl + 1, sizeof *inv);
    AMLS_AGREE(g->comm, c && y && inv ? pagerank_start(g, inv, x) : amls__alloc_status(false));
    amls_dmat A = amls_dmat_view(g, AMLS_MAT_IN);
    A.val = NULL; /* PageRank ignores weights */
    amls_semiring sr = {.kind = AMLS_SR_PLUS_TIMES};
    t0 = amls__now();
    for (int64_t it = 0; it < iterations; it++) {
        double sink = 0, gsink = 0;
        for (int64_t v = 0; v < nl; v++) {
            if (inv[v] == 0.0)
                sink += x[v];
            c[v] = x[v] * inv[v];
        }
        AMLS_MPI_TRY(MPI_Allreduce(&sink, &gsink, 1, MPI_DOUBLE, MPI_SUM, g->comm));
        AMLS_TRY(amls_spmv(&A, &sr, c, y));
        double base = (1.0 - damping) / n + damping * gsink / n;
        for (int64_t v = 0; v < nl; v++)
            x[v] = base + damping * y[v];
    }
    if (spmv_count)
        *spmv_count = iterations;
    if (sec_per_iter)
        *sec_per_iter = iterations > 0 ? (amls__now() - t0) / (double)iterations : 0;
cleanup:
    amls__free(c);
    amls__free(y);
    amls__free(inv);
    return rc;
}

/* label = min(label, y) element-wise; returns how many changed. */
static int64_t take_min(int64_t *x, const int64_t *y, int64_t n)
{
    int64_t changed = 0;
    for (int64_t v = 0; v < n; v++)
        if (y[v] < x[v]) {
            x[v] = y[v];
            changed++;
        }
    return changed;
}

static int wcc_dense(const amls_graph *g, int64_t *label, int64_t *iters)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, *x = amls_ivec_new(g), *y = amls__malloc((size_t)nl + 1, sizeof *y);
    AMLS_AGREE(g->comm, amls__alloc_status(x && y));
    for (int64_t v = 0; v < nl; v++)
        x[v] = g->orig[v];
    amls_semiring sr = {.kind = AMLS_SR_MIN_SELECT2ND};
    amls_dmat out = amls_dmat_view(g, AMLS_MAT_OUT), in = amls_dmat_view(g, AMLS_MAT_IN);
    for (*iters = 0;; (*iters)++) {
        int64_t changed = 0;
        AMLS_TRY(amls_spmv(&out, &sr, x, y));
        changed += take_min(x, y, nl);
        if (g->directed) {
            AMLS_TRY(amls_spmv(&in, &sr, x, y));
            changed += take_min(x, y, nl);
        }
        AMLS_TRY(amls__allreduce_i64(g->comm, &changed, 1, MPI_SUM));
        if (changed == 0)
            break;
    }
    memcpy(label, x, (size_t)nl * sizeof *label);
cleanup:
    amls__free(x);
    amls__free(y);
    return rc;
}

/* Frontier relaxation over the min-select semiring, shared by WCC and BFS: the frontier pushes
 * value + inc along its out-edges (and in-edges when `both`); a vertex whose value improves
 * takes the new value and joins the next frontier. The caller sets val[] and marks the first
 * frontier in `start`. *rounds gets the number of SpMSpV rounds. Collective. */
static int frontier_min(const amls_graph *g, bool both, int64_t inc, int64_t *val,
                        bool (*start)(const amls_graph *g, int64_t v, const void *ud),
                        const void *ud, int64_t *rounds)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, nf = 0, *yi = NULL, *yv = NULL, ny = 0;
    int64_t *fi = amls__malloc((size_t)nl + 1, sizeof *fi);
    int64_t *fv = amls__malloc((size_t)nl + 1, sizeof *fv);
    amls__spmspv_ws *ws = NULL;
    AMLS_AGREE(g->comm, fi && fv ? amls__spmspv_ws_new(g, &ws) : amls__alloc_status(false));
    for (int64_t v = 0; v < nl; v++)
        if (start(g, v, ud)) {
            fi[nf] = v;
            fv[nf++] = val[v] + inc;
        }
    amls_semiring sr = {.kind = AMLS_SR_MIN_SELECT2ND};
    for (*rounds = 0;; (*rounds)++) {
        int64_t gnf = nf;
        AMLS_TRY(amls__allreduce_i64(g->comm, &gnf, 1, MPI_SUM));
        if (gnf == 0)
            break;
        AMLS_TRY(amls__spmspv_dir(ws, &sr, fi, fv, nf, both, &yi, (void **)&yv, &ny));
        nf = 0;
        for (int64_t q = 0; q < ny; q++)
            if (yv[q] < val[yi[q]]) {
                val[yi[q]] = yv[q];
                fi[nf] = yi[q];
                fv[nf++] = yv[q] + inc;
            }
        amls__free(yi);
        amls__free(yv);
        yi = yv = NULL;
    }
cleanup:
    amls__spmspv_ws_free(&ws);
    amls__free(fi);
    amls__free(fv);
    return rc;
}

static bool start_all(const amls_graph *g, int64_t v, const void *ud)
{
    (void)g, (void)v, (void)ud;
    return true;
}

static bool start_source(const amls_graph *g, int64_t v, const void *ud)
{
    return g->orig[v] == *(const amls_vid *)ud;
}

static int wcc_frontier(const amls_graph *g, int64_t *label, int64_t *iters)
{
    for (int64_t v = 0; v < g->n_local; v++)
        label[v] = g->orig[v];
    return frontier_min(g, true, 0, label, start_all, NULL, iters);
}

int amls_la_wcc(const amls_graph *g, int variant, int64_t *label, int64_t *iterations)
{
    int rc = AMLS_OK;
    int64_t it = 0;
    AMLS_AGREE(g->comm, !g->directed || g->in_ptr != NULL
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_INVALID, "linear-algebra WCC needs in-edges"));
    AMLS_TRY(variant == 0 ? wcc_dense(g, label, &it) : wcc_frontier(g, label, &it));
cleanup:
    if (iterations)
        *iterations = it;
    return rc;
}

int amls_la_bfs(const amls_graph *g, amls_vid source, int64_t *depth, int64_t *levels)
{
    /* Levels only grow, so "improves" is "not visited yet": the mask of BFS. */
    for (int64_t v = 0; v < g->n_local; v++)
        depth[v] = g->orig[v] == source ? 0 : INT64_MAX;
    int64_t lvl = 0;
    int rc = frontier_min(g, false, 1, depth, start_source, &source, &lvl);
    if (levels)
        *levels = lvl;
    return rc;
}

static int la_pagerank(const amls_graph *g, const amls_param_value *params, const char *variant,
                       void *values, int64_t *iterations, double *spi)
{
    (void)variant;
    return amls_la_pagerank(g, params[0].f, params[1].i, values, iterations, spi);
}

static int la_wcc(const amls_graph *g, const amls_param_value *params, const char *variant,
                  void *values, int64_t *iterations, double *spi)
{
    (void)params, (void)spi;
    return amls_la_wcc(g, variant && !strcmp(variant, "dense") ? 0 : 1, values, iterations);
}

static int la_bfs(const amls_graph *g, const amls_param_value *params, const char *variant,
                  void *values, int64_t *iterations, double *spi)
{
    (void)variant, (void)spi;
    int rc = AMLS_OK;
    int64_t gid = -1;
    AMLS_TRY(amls_graph_find(g, params[0].i, &gid));
    AMLS_AGREE(g->comm, gid >= 0
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_NOT_FOUND, "bfs: --source %lld: no such vertex",
                                         (long long)params[0].i));
    AMLS_TRY(amls_la_bfs(g, params[0].i, values, iterations));
cleanup:
    return rc;
}

static const amls_la_algorithm la_table[] = {
    {"pagerank", AMLS_TYPE_F64, NULL, la_pagerank},
    {"wcc", AMLS_TYPE_I64, "dense|frontier", la_wcc},
    {"bfs", AMLS_TYPE_I64, NULL, la_bfs},
};

const amls_la_algorithm *amls_la_find(const char *name)
{
    for (size_t i = 0; i < sizeof la_table / sizeof la_table[0]; i++)
        if (strcmp(la_table[i].name, name) == 0)
            return &la_table[i];
    return NULL;
}

/* The entry for name and a check of the variant. Local. */
static int la_lookup(const char *name, const char *variant, const amls_la_algorithm **la)
{
    int rc = AMLS_OK;
    *la = amls_la_find(name);
    AMLS_CHECK(*la != NULL, AMLS_ERR_UNSUPPORTED,
               "--engine linalg supports pagerank, wcc and bfs, not %s", name);
    AMLS_CHECK(!variant || (*la)->variants, AMLS_ERR_PARAM, "--variant: %s has no variants", name);
    AMLS_CHECK(!variant || (strstr((*la)->variants, variant) && !strchr(variant, '|')),
               AMLS_ERR_PARAM, "--variant %s: expected %s", variant, (*la)->variants);
cleanup:
    return rc;
}

int amls_la_run(const amls_graph *g, const char *name, const amls_param_value *params,
                const char *variant, void **values, amls_type *type, int64_t *iterations,
                double *spi)
{
    int rc = AMLS_OK;
    const amls_la_algorithm *la = NULL;
    *values = NULL;
    *iterations = 0;
    *spi = 0;
    rc = la_lookup(name, variant, &la);
    if (rc == AMLS_OK) {
        *values = amls__calloc((size_t)g->n_local + 1, 8);
        rc = amls__alloc_status(*values != NULL);
    }
    AMLS_AGREE(g->comm, rc);
    *type = la->type;
    AMLS_TRY(la->run(g, params, variant, *values, iterations, spi));
cleanup:
    if (rc < 0) {
        amls__free(*values);
        *values = NULL;
    }
    return rc;
}
