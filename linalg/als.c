/* ---------------------------------------------------------------------------------------------
 * linalg/als.c — alternating least squares matrix factorisation on the user-item graph
 * (Zhou, Wilkinson, Schreiber and Pan, "Large-scale parallel collaborative filtering for the
 * Netflix prize", 2008: weighted-lambda regularisation).
 * SPDX-License-Identifier: MIT
 *
 * Users and items are the vertices of one bipartite graph, partitioned like any other; an
 * edge carries the rating (negated for held-out test ratings). A half-step copies the factors
 * of one side to the ranks that hold them as ghosts, along the communication plan, then every
 * vertex of the other side solves its own K x K system
 *     (F^T F + lambda n_u I) x = F^T r
 * over its training ratings (F: the neighbours' factors), with OpenBLAS (dsyrk, dgemv) and
 * LAPACKE (dposv, Cholesky).
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>

/* Solves the K x K system of owned vertex v from its neighbours' factors; returns the number
 * of training ratings used. */
static int solve_vertex(const amls_graph *g, int64_t v, int K, double lambda, double *F, double *M,
                        double *rv, double *A, double *b)
{
    int64_t n = 0;
    for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
        double w = g->out_w[j];
        if (w <= 0)
            continue; /* test rating */
        memcpy(M + n * K, F + (size_t)g->out_col[j] * K, (size_t)K * sizeof *M);
        rv[n++] = w;
    }
    double *x = F + (size_t)v * K;
    if (n == 0) {
        memset(x, 0, (size_t)K * sizeof *x);
        return 0;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, K, (int)n, 1.0, M, K, 0.0, A, K);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, K, 1.0, M, K, rv, 1, 0.0, b, 1);
    for (int k = 0; k < K; k++)
        A[k * K + k] += lambda * (double)n;
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', K, 1, A, K, b, 1);
    if (info != 0)
        return -1;
    memcpy(x, b, (size_t)K * sizeof *x);
    return (int)n;
}

/* Train and test squared errors (predictions clipped to [lo, hi]) over owned users. */
static int errors(const amls_graph *g, int K, const double *F, double lo, double hi, double *sums)
{
    double loc[4] = {0, 0, 0, 0};
    for (int64_t v = 0; v < g->n_local; v++) {
        if (g->orig[v] >= AMLS_ALS_ITEM_BASE)
            continue;
        for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
            double w = g->out_w[j];
            double pred = cblas_ddot(K, F + (size_t)v * K, 1, F + (size_t)g->out_col[j] * K, 1);
            pred = fmin(hi, fmax(lo, pred));
            double e = pred - fabs(w);
            loc[w > 0 ? 0 : 1] += e * e;
            loc[w > 0 ? 2 : 3] += 1;
        }
    }
    memcpy(sums, loc, sizeof loc);
    return amls__allreduce_same(g->comm, sums, 4, MPI_SUM);
}

/* Work space of a run: factors of owned and ghost vertices, one vertex's system. */
typedef struct als_work {
    int K;
    double *F, *M, *rv, *A, *b;
    double lo, hi; /* the rating range, for clipping predictions */
} als_work;

/* Checks, this rank's rating range, the work space and the deterministic start (items and users
 * alike: small random values that do not depend on the rank count). Local. */
static int prepare(const amls_graph *g, const amls_als_opts *o, als_work *w)
{
    int rc = AMLS_OK, K = o->rank;
    int64_t nt = g->n_local + g->n_ghost, maxdeg = 0;
    AMLS_CHECK(K >= 1 && K <= 1000, AMLS_ERR_PARAM, "als: --rank %d must be in 1..1000", K);
    AMLS_CHECK(g->weighted && !g->directed, AMLS_ERR_INVALID,
               "als needs the undirected, weighted rating graph");
    w->K = K;
    w->lo = INFINITY;
    w->hi = -INFINITY;
    for (int64_t v = 0; v < g->n_local; v++) {
        maxdeg = AMLS_MAX(maxdeg, g->out_ptr[v + 1] - g->out_ptr[v]);
        for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
            w->lo = fmin(w->lo, fabs(g->out_w[j]));
            w->hi = fmax(w->hi, fabs(g->out_w[j]));
        }
    }
    AMLS_ALLOC(w->F, (size_t)nt * K + 1);
    AMLS_ALLOC(w->M, (size_t)maxdeg * K + 1);
    AMLS_ALLOC(w->rv, maxdeg + 1);
    AMLS_ALLOC(w->A, (size_t)K * K);
    AMLS_ALLOC(w->b, K);
    for (int64_t v = 0; v < g->n_local; v++)
        for (int k = 0; k < K; k++)
            w->F[(size_t)v * K + k] =
                0.1 *
                amls__u01(amls__rand64(o->seed, 11, (uint64_t)g->orig[v] * 1024 + (uint64_t)k));
cleanup:
    return rc;
}

/* Solves the systems of every owned vertex of one side (0: users, 1: items). Local. */
static int solve_side(const amls_graph *g, const amls_als_opts *o, als_work *w, int side)
{
    for (int64_t v = 0; v < g->n_local; v++)
        if ((g->orig[v] >= AMLS_ALS_ITEM_BASE) == (side == 1) &&
            solve_vertex(g, v, w->K, o->lambda, w->F, w->M, w->rv, w->A, w->b) < 0)
            return amls_error(AMLS_ERR_NUMERIC,
                              "als: the system of vertex %lld is not positive definite",
                              (long long)g->orig[v]);
    return AMLS_OK;
}

/* The errors of the current factors (after syncing the ghosts' factors). Collective. */
static int measure(const amls_graph *g, als_work *w, amls_als_result *res)
{
    int rc = AMLS_OK;
    double s[4];
    AMLS_TRY(amls_graph_sync_ghosts(g, w->F, (size_t)w->K * sizeof *w->F));
    AMLS_TRY(errors(g, w->K, w->F, w->lo, w->hi, s));
    res->train_rmse = sqrt(s[0] / fmax(s[2], 1));
    res->test_rmse = sqrt(s[1] / fmax(s[3], 1));
    res->train_ratings = (int64_t)s[2];
    res->test_ratings = (int64_t)s[3];
    amls__history_push(&res->info, res->train_rmse, res->test_rmse);
cleanup:
    return rc;
}

/* One iteration: users from items, items from users, then the errors. Collective. */
static int iterate(const amls_graph *g, const amls_als_opts *o, als_work *w, amls_als_result *res)
{
    int rc = AMLS_OK;
    size_t row = (size_t)w->K * sizeof *w->F;
    for (int side = 0; side < 2; side++) {
        AMLS_TRY(amls_graph_sync_ghosts(g, w->F, row));
        AMLS_AGREE(g->comm, solve_side(g, o, w, side));
    }
    AMLS_TRY(measure(g, w, res));
cleanup:
    return rc;
}

int amls_als_run(const amls_graph *g, const amls_als_opts *o, amls_als_result *res,
                 double **factors)
{
    int rc = AMLS_OK;
    als_work w = {0};
    double t0 = amls__now();
    memset(res, 0, sizeof *res);
    if (factors)
        *factors = NULL;
    AMLS_AGREE(g->comm, prepare(g, o, &w));
    double mm[2] = {-w.lo, w.hi};
    AMLS_TRY(amls__allreduce_same(g->comm, mm, 2, MPI_MAX));
    w.lo = -mm[0];
    w.hi = mm[1];
    int64_t cnt[2] = {0, 0};
    for (int64_t v = 0; v < g->n_local; v++)
        cnt[g->orig[v] >= AMLS_ALS_ITEM_BASE]++;
    AMLS_TRY(amls__allreduce_i64(g->comm, cnt, 2, MPI_SUM));
    res->users = cnt[0];
    res->items = cnt[1];
    AMLS_TRY(measure(g, &w, res)); /* the starting point: iteration 0 of the history */
    for (int it = 0; it < o->iterations; it++) {
        AMLS_TRY(iterate(g, o, &w, res));
        res->info.iterations = it + 1;
        if (!o->quiet && g->rank == 0) {
            printf("als iteration %d: train_rmse %.6f test_rmse %.6f\n", it + 1, res->train_rmse,
                   res->test_rmse);
            fflush(stdout);
        }
    }
    if (factors) {
        *factors = w.F;
        w.F = NULL;
    }
cleanup:
    res->seconds = res->info.seconds = amls__now() - t0;
    res->info.residual = res->train_rmse;
    res->info.objective = res->test_rmse;
    res->info.converged = true; /* a fixed number of sweeps */
    amls__free(w.F);
    amls__free(w.M);
    amls__free(w.rv);
    amls__free(w.A);
    amls__free(w.b);
    return rc;
}

int amls_als_stats(const amls_als_opts *o, const amls_als_result *r, amls_stats *st)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_solve_stats(&r->info, "als", st));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "users", r->users));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "items", r->items));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "train_ratings", r->train_ratings));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "test_ratings", r->test_ratings));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "rank", o->rank));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "lambda", o->lambda));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "train_rmse", r->train_rmse));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "test_rmse", r->test_rmse));
cleanup:
    return rc;
}
