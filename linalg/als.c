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
#include "engine/graph_util.h"
#include "io/textio.h"
#include "linalg/la_internal.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>

static bool is_test(uint64_t seed, int64_t u, int64_t i, double fraction)
{
    return amls__u01(amls__rand64(seed, 0x7e57, (uint64_t)u * 0x100000000ULL + (uint64_t)i)) <
           fraction;
}

int amls_als_read(MPI_Comm comm, const char *path, double fraction, uint64_t seed,
                  amls_raw_graph *out)
{
    int rc = AMLS_OK;
    amls__lines L;
    amls__perr err = {0};
    memset(out, 0, sizeof *out);
    rc = amls__lines_open(&L, comm, path, 0);
    if (rc < 0) {
        amls__lines_close(&L);
        return rc;
    }
    char *line;
    size_t len;
    int r = 0;
    int64_t records = 0;
    while (err.code == 0 && (r = amls__lines_next(&L, &line, &len)) > 0) {
        const char *p = amls__skip_ws(line);
        if (*p == '\0' || *p == '#' || *p == '%')
            continue;
        int64_t u, i;
        double rating;
        if (amls__parse_i64(&p, &u) != 1 || amls__parse_i64(&p, &i) != 1 ||
            amls__parse_f64(&p, &rating) != 1) {
            amls__perr_set(&err, AMLS_ERR_PARSE, L.nlines - 1,
                           "expected 'user item rating [timestamp]', got \"%.40s\"", line);
            break;
        }
        if (u < 0 || i < 0 || u >= AMLS_ALS_ITEM_BASE || i >= AMLS_ALS_ITEM_BASE) {
            amls__perr_set(&err, AMLS_ERR_RANGE, L.nlines - 1, "user or item id out of range");
            break;
        }
        if (!isfinite(rating) || rating <= 0) {
            amls__perr_set(&err, AMLS_ERR_NUMERIC, L.nlines - 1,
                           "rating must be a positive finite number, got %g", rating);
            break;
        }
        double w = is_test(seed, u, i, fraction) ? -rating : rating;
        int prc = amls_raw_graph_push(out, u, AMLS_ALS_ITEM_BASE + i, w);
        if (prc < 0) {
            amls__perr_set(&err, prc, L.nlines - 1, "out of memory");
            break;
        }
        records++;
    }
    int io_rc = r < 0 ? r : AMLS_OK;
    int64_t before = 0;
    amls__exscan_i64(comm, L.nlines, &before);
    amls__lines_close(&L);
    rc = io_rc < 0 ? amls_agree(comm, io_rc, NULL) : amls__perr_finish(comm, &err, path, before);
    if (rc == AMLS_OK) {
        MPI_Allreduce(&records, &out->edges_read, 1, MPI_INT64_T, MPI_SUM, comm);
        out->directed = false;
        out->weighted = true;
        out->vset = AMLS_VSET_IMPLICIT;
        out->format = AMLS_FORMAT_EDGELIST;
    } else {
        amls_raw_graph_free(out);
    }
    return rc;
}

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

int amls_als_run(const amls_graph *g, const amls_als_opts *o, amls_als_result *res,
                 double **factors)
{
    int rc = AMLS_OK;
    int K = o->rank;
    int64_t nt = g->n_local + g->n_ghost, maxdeg = 0;
    double *F = NULL, *M = NULL, *rv = NULL, *A = NULL, *b = NULL;
    double t0 = amls__now(), lo = INFINITY, hi = -INFINITY;
    memset(res, 0, sizeof *res);
    if (factors)
        *factors = NULL;
    AMLS_CHECK(K >= 1 && K <= 1000, AMLS_ERR_PARAM, "als: --rank %d must be in 1..1000", K);
    AMLS_CHECK(g->weighted && !g->directed, AMLS_ERR_INVALID,
               "als needs the undirected, weighted rating graph");
    for (int64_t v = 0; v < g->n_local; v++) {
        maxdeg = AMLS_MAX(maxdeg, g->out_ptr[v + 1] - g->out_ptr[v]);
        for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
            lo = fmin(lo, fabs(g->out_w[j]));
            hi = fmax(hi, fabs(g->out_w[j]));
        }
    }
    AMLS_ALLOC(F, (size_t)nt * K + 1);
    AMLS_ALLOC(M, (size_t)maxdeg * K + 1);
    AMLS_ALLOC(rv, maxdeg + 1);
    AMLS_ALLOC(A, (size_t)K * K);
    AMLS_ALLOC(b, K);
    /* Deterministic start (independent of the rank count): items small random values. */
    for (int64_t v = 0; v < g->n_local; v++)
        for (int k = 0; k < K; k++)
            F[(size_t)v * K + k] =
                0.1 *
                amls__u01(amls__rand64(o->seed, 11, (uint64_t)g->orig[v] * 1024 + (uint64_t)k));
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    {
        double mm[2] = {-lo, hi};
        AMLS_TRY(amls__allreduce_same(g->comm, mm, 2, MPI_MAX));
        lo = -mm[0];
        hi = mm[1];
        int64_t cnt[2] = {0, 0}, gc[2];
        for (int64_t v = 0; v < g->n_local; v++)
            cnt[g->orig[v] >= AMLS_ALS_ITEM_BASE]++;
        MPI_Allreduce(cnt, gc, 2, MPI_INT64_T, MPI_SUM, g->comm);
        res->users = gc[0];
        res->items = gc[1];
    }
    for (int it = 0; it < o->iterations; it++) {
        for (int side = 0; side < 2; side++) { /* 0: solve users from items; 1: items */
            AMLS_TRY(amls__plan_gather(g, F, (size_t)K * sizeof *F));
            int lrc = AMLS_OK;
            for (int64_t v = 0; v < g->n_local && lrc == AMLS_OK; v++)
                if ((g->orig[v] >= AMLS_ALS_ITEM_BASE) == (side == 1))
                    if (solve_vertex(g, v, K, o->lambda, F, M, rv, A, b) < 0)
                        lrc = amls_error(AMLS_ERR_NUMERIC,
                                         "als: the system of vertex %lld is not positive definite",
                                         (long long)g->orig[v]);
            AMLS_TRY(amls_agree(g->comm, lrc, NULL));
        }
        AMLS_TRY(amls__plan_gather(g, F, (size_t)K * sizeof *F));
        double s[4];
        AMLS_TRY(errors(g, K, F, lo, hi, s));
        res->train_rmse = sqrt(s[0] / fmax(s[2], 1));
        res->test_rmse = sqrt(s[1] / fmax(s[3], 1));
        res->train_ratings = (int64_t)s[2];
        res->test_ratings = (int64_t)s[3];
        if (!o->quiet && g->rank == 0) {
            printf("als iteration %d: train_rmse %.6f test_rmse %.6f\n", it + 1, res->train_rmse,
                   res->test_rmse);
            fflush(stdout);
        }
    }
    if (factors) {
        *factors = F;
        F = NULL;
    }
out:
    res->seconds = amls__now() - t0;
    amls__free(F);
    amls__free(M);
    amls__free(rv);
    amls__free(A);
    amls__free(b);
    return rc;
}
