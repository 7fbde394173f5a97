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
#include "linalg/la_internal.h"

#include <math.h>

int amls_la_pagerank(const amls_graph *g, double damping, int64_t iterations, double *x,
                     int64_t *spmv_count, double *sec_per_iter)
{
    int rc = AMLS_OK;
    double *c = NULL, *y = NULL;
    double *inv = NULL;
    int64_t nl = g->n_local;
    double n = (double)g->n;
    AMLS_CHECK(!g->directed || g->in_ptr != NULL, AMLS_ERR_INVALID,
               "linear-algebra PageRank needs the in-edges of a directed graph");
    c = amls_dvec_new(g);
    y = amls__malloc((size_t)nl + 1, sizeof *y);
    inv = amls__malloc((size_t)nl + 1, sizeof *inv);
    AMLS_CHECK(c && y && inv, AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < nl; v++) {
        int64_t deg = g->out_ptr[v + 1] - g->out_ptr[v];
        inv[v] = deg > 0 ? 1.0 / (double)deg : 0.0;
        x[v] = 1.0 / n;
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    {
        amls_dmat A = amls_dmat_view(g, AMLS_MAT_IN);
        A.val = NULL; /* PageRank ignores weights */
        amls_semiring sr = {.kind = AMLS_SR_PLUS_TIMES};
        double t0 = amls__now();
        for (int64_t it = 0; it < iterations; it++) {
            double sink = 0, gsink = 0;
            for (int64_t v = 0; v < nl; v++) {
                if (inv[v] == 0.0)
                    sink += x[v];
                c[v] = x[v] * inv[v];
            }
            MPI_Allreduce(&sink, &gsink, 1, MPI_DOUBLE, MPI_SUM, g->comm);
            AMLS_TRY(amls_spmv(&A, &sr, c, y));
            double base = (1.0 - damping) / n + damping * gsink / n;
            for (int64_t v = 0; v < nl; v++)
                x[v] = base + damping * y[v];
        }
        if (spmv_count)
            *spmv_count = iterations;
        if (sec_per_iter)
            *sec_per_iter = iterations > 0 ? (amls__now() - t0) / (double)iterations : 0;
    }
out:
    amls__free(c);
    amls__free(y);
    amls__free(inv);
    return rc;
}

static int wcc_dense(const amls_graph *g, int64_t *label, int64_t *iters)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, *x = NULL, *y = NULL;
    x = amls_ivec_new(g);
    y = amls__malloc((size_t)nl + 1, sizeof *y);
    rc = (x && y) ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    for (int64_t v = 0; v < nl; v++)
        x[v] = g->orig[v];
    amls_semiring sr = {.kind = AMLS_SR_MIN_SELECT2ND};
    amls_dmat out = amls_dmat_view(g, AMLS_MAT_OUT), in = amls_dmat_view(g, AMLS_MAT_IN);
    for (*iters = 0;; (*iters)++) {
        int64_t changed = 0, gchanged = 0;
        AMLS_TRY(amls_spmv(&out, &sr, x, y));
        for (int64_t v = 0; v < nl; v++)
            if (y[v] < x[v]) {
                x[v] = y[v];
                changed++;
            }
        if (g->directed) {
            AMLS_TRY(amls_spmv(&in, &sr, x, y));
            for (int64_t v = 0; v < nl; v++)
                if (y[v] < x[v]) {
                    x[v] = y[v];
                    changed++;
                }
        }
        MPI_Allreduce(&changed, &gchanged, 1, MPI_INT64_T, MPI_SUM, g->comm);
        if (gchanged == 0)
            break;
    }
    memcpy(label, x, (size_t)nl * sizeof *label);
cleanup:
out:
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
    int64_t nl = g->n_local, nf = 0, *fi = NULL, *fv = NULL;
    amls__spmspv_ws *ws = NULL;
    rc = amls__spmspv_ws_new(g, &ws);
    fi = amls__malloc((size_t)nl + 1, sizeof *fi);
    fv = amls__malloc((size_t)nl + 1, sizeof *fv);
    if (rc == AMLS_OK && (fi == NULL || fv == NULL))
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    for (int64_t v = 0; v < nl; v++)
        if (start(g, v, ud)) {
            fi[nf] = v;
            fv[nf++] = val[v] + inc;
        }
    amls_semiring sr = {.kind = AMLS_SR_MIN_SELECT2ND};
    for (*rounds = 0;; (*rounds)++) {
        int64_t gnf = 0;
        MPI_Allreduce(&nf, &gnf, 1, MPI_INT64_T, MPI_SUM, g->comm);
        if (gnf == 0)
            break;
        int64_t *yi = NULL, *yv = NULL, ny = 0;
        rc = amls__spmspv_dir(ws, &sr, fi, fv, nf, both, &yi, (void **)&yv, &ny);
        if (rc < 0)
            goto out;
        nf = 0;
        for (int64_t q = 0; q < ny; q++)
            if (yv[q] < val[yi[q]]) {
                val[yi[q]] = yv[q];
                fi[nf] = yi[q];
                fv[nf++] = yv[q] + inc;
            }
        amls__free(yi);
        amls__free(yv);
    }
out:
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
    int64_t it = 0;
    int rc = (!g->directed || g->in_ptr != NULL)
                 ? AMLS_OK
                 : amls_error(AMLS_ERR_INVALID, "linear-algebra WCC needs in-edges");
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = variant == 0 ? wcc_dense(g, label, &it) : wcc_frontier(g, label, &it);
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
