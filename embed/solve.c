/* ---------------------------------------------------------------------------------------------
 * embed/solve.c — the solvers for embedding programs: conjugate gradient on a matrix graph,
 * ridge and logistic regression on rows from a file or from arrays, ALS on ratings; each adds
 * its "solver" section (with the convergence history) to a statistics document.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include "amls/embed.h"

#include <math.h>

/* Every stored entry is a finite number. Local. */
static int finite_entries(const amls_graph *g)
{
    for (int64_t j = 0; g->out_w && j < g->out_ptr[g->n_local]; j++)
        if (!isfinite(g->out_w[j]))
            return amls_error(AMLS_ERR_NUMERIC, "the matrix has a NaN or infinite entry");
    return AMLS_OK;
}

int amls_solve_cg(amls_graph *A, const double *b_local, double tol, int64_t max_iter, bool jacobi,
                  double *x_local, amls_stats *stats)
{
    int rc = AMLS_OK;
    double *b = NULL, *x = NULL;
    amls_solve_info info = {0};
    int64_t n = A->n_local;
    AMLS_AGREE(A->comm, finite_entries(A));
    AMLS_TRY(amls_check_symmetric(A));
    b = amls_dvec_new(A);
    x = amls_dvec_new(A);
    AMLS_AGREE(A->comm, amls__alloc_status(b != NULL && x != NULL));
    for (int64_t i = 0; i < n; i++)
        b[i] = b_local ? b_local[i] : 1.0;
    if (max_iter <= 0)
        max_iter = AMLS_MAX((int64_t)1000, 10 * A->n);
    AMLS_TRY(amls_cg(A, b, x, tol, max_iter, jacobi, &info));
    if (n > 0)
        memcpy(x_local, x, (size_t)n * sizeof *x);
    if (stats)
        AMLS_AGREE(A->comm, amls_solve_stats(&info, "cg", stats));
cleanup:
    amls_solve_info_free(&info);
    amls_vec_free(b);
    amls_vec_free(x);
    return rc;
}

void amls_rows_delete(amls_rows **X)
{
    if (X == NULL || *X == NULL)
        return;
    amls_rows_free(*X);
    amls__free(*X);
    *X = NULL;
}

void amls_rows_shape(const amls_rows *X, int64_t *n_global, int64_t *nfeat)
{
    *n_global = X->n_global;
    *nfeat = X->nfeat;
}

int amls_rows_load(MPI_Comm comm, const char *path, amls_rows **out)
{
    int rc = AMLS_OK;
    amls_rows *X = amls__calloc(1, sizeof *X);
    *out = NULL;
    AMLS_AGREE(comm, amls__alloc_status(X != NULL));
    AMLS_TRY(amls_rows_read(comm, path, X));
    *out = X;
    X = NULL;
cleanup:
    amls_rows_delete(&X);
    return rc;
}

/* Copies this rank's CSR rows into X, checking indices and values. Local. */
static int copy_csr(amls_rows *X, int64_t n, int64_t nfeat, const int64_t *ptr, const int64_t *idx,
                    const double *val, const double *y)
{
    int rc = AMLS_OK;
    AMLS_CHECK(n >= 0 && nfeat >= 0 && (n == 0 || ptr[0] == 0), AMLS_ERR_PARAM,
               "rows: bad shape (%lld rows, %lld features)", (long long)n, (long long)nfeat);
    int64_t nnz = n > 0 ? ptr[n] : 0;
    AMLS_ALLOC(X->ptr, n + 1);
    AMLS_ALLOC(X->idx, nnz + 1);
    AMLS_ALLOC(X->val, nnz + 1);
    AMLS_ALLOC(X->y, n + 1);
    X->ptr[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        AMLS_CHECK(ptr[i + 1] >= ptr[i], AMLS_ERR_PARAM, "rows: offsets decrease at row %lld",
                   (long long)i);
        AMLS_CHECK(isfinite(y[i]), AMLS_ERR_NUMERIC, "row %lld: the label is not finite",
                   (long long)i);
        X->ptr[i + 1] = ptr[i + 1];
        X->y[i] = y[i];
        for (int64_t j = ptr[i]; j < ptr[i + 1]; j++) {
            AMLS_CHECK(idx[j] >= 0 && idx[j] < nfeat && nfeat <= INT32_MAX, AMLS_ERR_RANGE,
                       "row %lld: feature index %lld outside 0..%lld", (long long)i,
                       (long long)idx[j], (long long)nfeat - 1);
            AMLS_CHECK(isfinite(val[j]), AMLS_ERR_NUMERIC, "row %lld: a value is not finite",
                       (long long)i);
            X->idx[j] = (int32_t)idx[j];
            X->val[j] = val[j];
        }
    }
    X->n_local = n;
    X->nnz = nnz;
    X->nfeat = nfeat;
cleanup:
    return rc;
}

int amls_rows_from_csr(MPI_Comm comm, int64_t n_local, int64_t nfeat, const int64_t *ptr,
                       const int64_t *idx, const double *val, const double *y, amls_rows **out)
{
    int rc = AMLS_OK;
    amls_rows *X = amls__calloc(1, sizeof *X);
    *out = NULL;
    rc = amls__alloc_status(X != NULL);
    AMLS_AGREE(comm, rc == AMLS_OK ? copy_csr(X, n_local, nfeat, ptr, idx, val, y) : rc);
    int64_t sz[2] = {X->n_local, -X->nfeat};
    AMLS_TRY(amls__allreduce_i64(comm, sz, 1, MPI_SUM));
    AMLS_TRY(amls__allreduce_i64(comm, sz + 1, 1, MPI_MIN));
    X->n_global = sz[0];
    X->nfeat = -sz[1];
    *out = X;
    X = NULL;
cleanup:
    amls_rows_delete(&X);
    return rc;
}

/* The figures regression adds to the "solver" section. Local. */
static int reg_stats(amls_stats *st, const amls_rows *X, const amls_solve_info *info,
                     const char *name, double lambda)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_solve_stats(info, name, st));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "rows", X->n_global));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "features", X->nfeat));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "lambda", lambda));
cleanup:
    return rc;
}

int amls_solve_linreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol,
                      int64_t max_iter, double *coef, amls_stats *stats)
{
    int rc = AMLS_OK;
    amls_solve_info info = {0};
    AMLS_TRY(amls_linreg(comm, X, lambda, tol, max_iter, coef, &info));
    if (stats) {
        AMLS_AGREE(comm, reg_stats(stats, X, &info, "linreg", lambda));
        AMLS_AGREE(comm, amls_stats_set_f64(stats, "solver", "train_rmse",
                                            sqrt(info.objective / (double)X->n_global)));
    }
cleanup:
    amls_solve_info_free(&info);
    return rc;
}

int amls_solve_logreg(MPI_Comm comm, const amls_rows *X, const amls_rows *T, double lambda,
                      double tol, int64_t max_iter, double *coef, amls_stats *stats)
{
    int rc = AMLS_OK;
    amls_solve_info info = {0};
    double acc = 0, tacc = 0;
    AMLS_TRY(amls_logreg(comm, X, lambda, tol, max_iter, coef, &info));
    AMLS_TRY(amls_logreg_accuracy(comm, X, coef, X->nfeat, &acc));
    if (T)
        AMLS_TRY(amls_logreg_accuracy(comm, T, coef, X->nfeat, &tacc));
    if (stats) {
        AMLS_AGREE(comm, reg_stats(stats, X, &info, "logreg", lambda));
        AMLS_AGREE(comm, amls_stats_set_f64(stats, "solver", "train_accuracy", acc));
        if (T)
            AMLS_AGREE(comm, amls_stats_set_f64(stats, "solver", "test_accuracy", tacc));
    }
cleanup:
    amls_solve_info_free(&info);
    return rc;
}

int amls_solve_als(MPI_Comm comm, const char *path, int64_t n, const int64_t *users,
                   const int64_t *items, const double *ratings, int rank, double lambda,
                   int iterations, double test_fraction, uint64_t seed, amls_stats *stats)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_graph *g = NULL;
    amls_als_opts o = {rank, lambda, iterations, test_fraction, seed, true};
    amls_als_result res = {0};
    amls_build_opts bo = {.method = AMLS_PART_METIS};
    AMLS_AGREE(comm, rank > 0 && rank <= 1000 && lambda > 0 && iterations >= 0 &&
                             test_fraction >= 0 && test_fraction < 1
                         ? AMLS_OK
                         : amls_error(AMLS_ERR_PARAM,
                                      "als: need 0 < rank <= 1000, lambda > 0, iterations >= 0 "
                                      "and 0 <= test_fraction < 1"));
    if (path)
        AMLS_TRY(amls_ratings_read(comm, path, test_fraction, seed, &raw));
    else
        AMLS_TRY(
            amls_ratings_from_arrays(comm, n, users, items, ratings, test_fraction, seed, &raw));
    AMLS_TRY(amls_graph_build(comm, &raw, &bo, &g));
    AMLS_TRY(amls_als_run(g, &o, &res, NULL));
    if (stats)
        AMLS_AGREE(comm, amls_als_stats(&o, &res, stats));
cleanup:
    amls_solve_info_free(&res.info);
    amls_raw_graph_free(&raw);
    amls_graph_free(&g);
    return rc;
}
