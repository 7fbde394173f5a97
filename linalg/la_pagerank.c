/* ---------------------------------------------------------------------------------------------
 * linalg/la_pagerank.c — PageRank as power iteration with a pull SpMV (Graphalytics definition:
 * x_{k+1} = (1-d)/N + d (A^T D^{-1} x_k + (sink mass of x_k)/N), weights ignored).
 * SPDX-License-Identifier: MIT
 *
 * Variants:
 *   blocked (default): the cache-blocked pull (la_pull.c) over the in-edge CSR; the ghost
 *     contributions travel point to point while the owned segments are summed, and the sink
 *     mass is reduced by a non-blocking allreduce meanwhile: one collective per iteration, no
 *     allocation inside the loop. Doubles throughout.
 *   fp32: the same with the contributions x_v / outdeg(v) rounded to single precision (half the
 *     bytes to read and to send); sums and ranks stay doubles. Each contribution carries a
 *     relative error of at most 2^-24, so ranks differ from the doubles' by about 1e-7
 *     relative (within Graphalytics' 1e-4); identical across rank counts to 1e-12.
 *   plain: one amls_spmv per iteration (row-by-row pull, ghost sync by all-to-all), the
 *     earlier implementation, for comparison.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

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

static int pagerank_plain(const amls_graph *g, double damping, int64_t iterations, double *x,
                          double *sec_per_iter)
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
    *sec_per_iter = iterations > 0 ? (amls__now() - t0) / (double)iterations : 0;
cleanup:
    amls__free(c);
    amls__free(y);
    amls__free(inv);
    return rc;
}

/* Work of the blocked variants. */
typedef struct pr_work {
    double *inv, *y;
    void *c; /* contributions: doubles or floats, owned + ghosts */
    amls__pull *pull;
    amls__nbx *nbx;
} pr_work;

static void pr_work_free(pr_work *w)
{
    amls__free(w->inv);
    amls__free(w->y);
    amls__free(w->c);
    amls__pull_free(&w->pull);
    amls__nbx_free(&w->nbx);
}

/* c = x / outdeg in the chosen precision; returns the owned sink mass. Local. */
static double contributions(const amls_graph *g, const double *x, const double *inv, void *c,
                            size_t vsz)
{
    double sink = 0;
    for (int64_t v = 0; v < g->n_local; v++) {
        if (inv[v] == 0.0)
            sink += x[v];
        if (vsz == 4)
            ((float *)c)[v] = (float)(x[v] * inv[v]);
        else
            ((double *)c)[v] = x[v] * inv[v];
    }
    return sink;
}

/* One iteration: contributions out, pull, sink mass reduced meanwhile. Collective. */
static int pr_step(const amls_graph *g, pr_work *w, size_t vsz, double damping, double *x)
{
    int rc = AMLS_OK;
    double sink = contributions(g, x, w->inv, w->c, vsz), gsink = 0;
    MPI_Request req = MPI_REQUEST_NULL;
    AMLS_MPI_TRY(MPI_Iallreduce(&sink, &gsink, 1, MPI_DOUBLE, MPI_SUM, g->comm, &req));
    AMLS_TRY(amls__nbx_gather_begin(w->nbx, w->c, vsz));
    AMLS_TRY(amls__pull_run(w->pull, w->c, vsz, w->y, w->nbx));
    AMLS_MPI_TRY(MPI_Wait(&req, MPI_STATUS_IGNORE));
    double n = (double)g->n, base = (1.0 - damping) / n + damping * gsink / n;
    for (int64_t v = 0; v < g->n_local; v++)
        x[v] = base + damping * w->y[v];
cleanup:
    return rc;
}

static int pagerank_blocked(const amls_graph *g, double damping, int64_t iterations, size_t vsz,
                            double *x, double *sec_per_iter)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local;
    pr_work w = {0};
    w.inv = amls__malloc((size_t)nl + 1, sizeof *w.inv);
    w.y = amls__malloc((size_t)nl + 1, sizeof *w.y);
    w.c = amls__calloc((size_t)(nl + g->n_ghost) + 1, vsz);
    AMLS_AGREE(g->comm,
               w.inv && w.y && w.c ? pagerank_start(g, w.inv, x) : amls__alloc_status(false));
    amls_dmat A = amls_dmat_view(g, AMLS_MAT_IN);
    amls__csr pat = {A.ptr, A.col, A.nrows, A.ncols};
    AMLS_AGREE(g->comm, amls__pull_new(&pat, 0, vsz, &w.pull));
    AMLS_TRY(amls__nbx_new(g, 0, &w.nbx));
    double t0 = amls__now();
    for (int64_t it = 0; it < iterations; it++)
        AMLS_TRY(pr_step(g, &w, vsz, damping, x));
    *sec_per_iter = iterations > 0 ? (amls__now() - t0) / (double)iterations : 0;
cleanup:
    pr_work_free(&w);
    return rc;
}

int amls__la_pagerank(const amls_graph *g, double damping, int64_t iterations,
                      amls__pr_variant variant, double *x, double *sec_per_iter)
{
    double spi = 0;
    int rc =
        variant == AMLS__PR_PLAIN
            ? pagerank_plain(g, damping, iterations, x, &spi)
            : pagerank_blocked(g, damping, iterations, variant == AMLS__PR_FP32 ? 4 : 8, x, &spi);
    if (sec_per_iter)
        *sec_per_iter = spi;
    return rc;
}

int amls_la_pagerank(const amls_graph *g, double damping, int64_t iterations, double *x,
                     int64_t *spmv_count, double *sec_per_iter)
{
    if (spmv_count)
        *spmv_count = iterations;
    return amls__la_pagerank(g, damping, iterations, AMLS__PR_BLOCKED, x, sec_per_iter);
}
