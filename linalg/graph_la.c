/* ---------------------------------------------------------------------------------------------
 * linalg/graph_la.c — the table of graph algorithms run through linear algebra (--engine
 * linalg) with their variants, the public entry points, and the earlier algorithms kept for
 * comparison. The defaults live in their own files: la_pagerank.c (cache-blocked pull),
 * la_wcc.c (FastSV), la_bfs.c (direction-optimising), la_sssp.c (delta-stepping).
 * SPDX-License-Identifier: MIT
 *
 * Earlier algorithms: WCC variant 0 (dense) repeats labels = min(labels, A labels, A^T labels)
 * over the min-select semiring until nothing changes, starting from original ids; variant 1
 * (frontier) pushes only the labels that changed in the last round (SpMSpV). BFS variant
 * spmspv: SpMSpV of the frontier over min-select, masked by the visited set.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

#include <math.h>

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
    AMLS_TRY(variant == 0   ? wcc_dense(g, label, &it)
             : variant == 1 ? wcc_frontier(g, label, &it)
                            : amls__la_wcc_fastsv(g, label, &it));
cleanup:
    if (iterations)
        *iterations = it;
    return rc;
}

/* The earlier BFS: SpMSpV of the frontier over min-select, masked by the visited set (levels
 * only grow, so "improves" is "not visited yet"). */
static int bfs_spmspv(const amls_graph *g, amls_vid source, int64_t *depth, int64_t *levels)
{
    for (int64_t v = 0; v < g->n_local; v++)
        depth[v] = g->orig[v] == source ? 0 : INT64_MAX;
    return frontier_min(g, false, 1, depth, start_source, &source, levels);
}

/* The global id of an original id that must exist; errors agreed. Collective. */
static int find_source(const amls_graph *g, const char *algo, amls_vid source, int64_t *gid)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_graph_find(g, source, gid));
    AMLS_AGREE(g->comm, *gid >= 0
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_NOT_FOUND, "%s: --source %lld: no such vertex",
                                         algo, (long long)source));
cleanup:
    return rc;
}

int amls_la_bfs(const amls_graph *g, amls_vid source, int64_t *depth, int64_t *levels)
{
    int rc = AMLS_OK;
    int64_t gid = -1, lv = 0, nbu = 0;
    AMLS_TRY(find_source(g, "bfs", source, &gid));
    AMLS_TRY(amls__la_bfs(g, gid, AMLS__BFS_DIROPT, depth, &lv, &nbu));
cleanup:
    if (levels)
        *levels = lv;
    return rc;
}

static int la_pagerank(const amls_graph *g, const amls_param_value *params, const char *variant,
                       void *values, int64_t *iterations, double *spi)
{
    amls__pr_variant v = !variant || !strcmp(variant, "blocked") ? AMLS__PR_BLOCKED
                         : !strcmp(variant, "fp32")              ? AMLS__PR_FP32
                                                                 : AMLS__PR_PLAIN;
    *iterations = params[1].i;
    return amls__la_pagerank(g, params[0].f, params[1].i, v, values, spi);
}

static int la_wcc(const amls_graph *g, const amls_param_value *params, const char *variant,
                  void *values, int64_t *iterations, double *spi)
{
    (void)params, (void)spi;
    int v = !variant || !strcmp(variant, "fastsv") ? 2 : !strcmp(variant, "frontier") ? 1 : 0;
    return amls_la_wcc(g, v, values, iterations);
}

static int la_bfs(const amls_graph *g, const amls_param_value *params, const char *variant,
                  void *values, int64_t *iterations, double *spi)
{
    (void)spi;
    int rc = AMLS_OK;
    int64_t gid = -1, nbu = 0;
    amls_vid src = params[0].i;
    AMLS_TRY(find_source(g, "bfs", src, &gid));
    if (variant && !strcmp(variant, "spmspv"))
        AMLS_TRY(bfs_spmspv(g, src, values, iterations));
    else
        AMLS_TRY(amls__la_bfs(
            g, gid, variant && !strcmp(variant, "push") ? AMLS__BFS_PUSH : AMLS__BFS_DIROPT, values,
            iterations, &nbu));
cleanup:
    return rc;
}

int amls_la_sssp(const amls_graph *g, amls_vid source, double delta, double *dist, int64_t *rounds)
{
    int rc = AMLS_OK;
    int64_t gid = -1, r = 0, nb = 0;
    double used = 0;
    AMLS_TRY(find_source(g, "sssp", source, &gid));
    AMLS_TRY(amls__la_sssp(g, gid, delta, dist, &r, &nb, &used));
cleanup:
    if (rounds)
        *rounds = r;
    return rc;
}

static int la_sssp(const amls_graph *g, const amls_param_value *params, const char *variant,
                   void *values, int64_t *iterations, double *spi)
{
    (void)spi;
    double delta = variant && !strcmp(variant, "bellman-ford") ? INFINITY : params[1].f;
    return amls_la_sssp(g, params[0].i, delta, values, iterations);
}

static const amls_la_algorithm la_table[] = {
    {"pagerank", AMLS_TYPE_F64, "blocked|fp32|plain", la_pagerank, "damping,iterations"},
    {"wcc", AMLS_TYPE_I64, "fastsv|frontier|dense", la_wcc, NULL},
    {"bfs", AMLS_TYPE_I64, "diropt|push|spmspv", la_bfs, "source"},
    {"sssp", AMLS_TYPE_F64, "delta|bellman-ford", la_sssp, "source,delta"},
};

const amls_la_algorithm *amls_la_find(const char *name)
{
    for (size_t i = 0; i < sizeof la_table / sizeof la_table[0]; i++)
        if (strcmp(la_table[i].name, name) == 0)
            return &la_table[i];
    return NULL;
}

/* True if `v` is one of the '|'-separated names in `list`. */
static bool in_list(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *at = list; at && *at; at += strcspn(at, "|"), at += *at == '|') {
        if (strcspn(at, "|") == n && strncmp(at, v, n) == 0)
            return true;
    }
    return false;
}

/* The entry for name and a check of the variant. Local. */
static int la_lookup(const char *name, const char *variant, const amls_la_algorithm **la)
{
    int rc = AMLS_OK;
    *la = amls_la_find(name);
    AMLS_CHECK(*la != NULL, AMLS_ERR_UNSUPPORTED,
               "--engine linalg supports pagerank, wcc, bfs and sssp, not %s", name);
    AMLS_CHECK(!variant || (*la)->variants, AMLS_ERR_PARAM, "--variant: %s has no variants", name);
    AMLS_CHECK(!variant || in_list((*la)->variants, variant), AMLS_ERR_PARAM,
               "--variant %s: expected %s", variant, (*la)->variants);
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
