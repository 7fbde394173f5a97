/* ---------------------------------------------------------------------------------------------
 * apps/cmd_linalg.c — solver subcommands: cg, linreg, logreg, als.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/engine.h"
#include "amls/linalg.h"

#include <math.h>
#include <stdio.h>

/* Writes one double per owned vertex as "original-id value" lines. Collective. */
static int write_vertex_values(const amls_graph *g, const double *vals, const char *path)
{
    amls_values v = {g, vals, sizeof *vals, AMLS_TYPE_F64, NULL};
    return amls_values_write(&v, path, path[0] && path[strlen(path) - 1] == '/');
}

/* The options of cg. */
typedef struct cg_args {
    const char *mat, *rhs, *pre, *outp;
    bool strict;
    double tol;
    int64_t maxit;
} cg_args;

static int cg_parse(cli *c, cg_args *a)
{
    int rc = AMLS_OK;
    a->mat = cli_get(c, "matrix", "A");
    a->rhs = cli_get(c, "rhs", NULL);
    a->pre = cli_get(c, "precond", NULL);
    a->outp = cli_get(c, "output", "o");
    a->strict = cli_flag(c, "strict");
    AMLS_TRY(cli_get_f64(c, "tol", NULL, 1e-8, &a->tol));
    AMLS_TRY(cli_get_i64(c, "max-iterations", NULL, 0, &a->maxit));
    AMLS_CHECK(a->mat != NULL, AMLS_ERR_PARAM, "cg: --matrix A.mtx is required");
    AMLS_TRY(cli_output_not_input(a->outp, a->mat));
    AMLS_TRY(cli_output_not_input(a->outp, a->rhs));
    AMLS_CHECK(!a->pre || !strcmp(a->pre, "jacobi") || !strcmp(a->pre, "none"), AMLS_ERR_PARAM,
               "cg: --precond %s: expected jacobi or none", a->pre);
cleanup:
    return rc;
}

/* Every stored entry is a finite number. Local. */
static int finite_entries(const amls_graph *g, const char *mat)
{
    for (int64_t j = 0; g->out_w && j < g->out_ptr[g->n_local]; j++)
        if (!isfinite(g->out_w[j]))
            return amls_error(AMLS_ERR_NUMERIC, "%s: the matrix has a NaN or infinite entry", mat);
    return AMLS_OK;
}

int cmd_cg(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    double *b = NULL, *x = NULL;
    cg_args a;
    amls_solve_info info = {0};
    AMLS_AGREE(c->comm, cg_parse(c, &a));
    /* The matrix is read as a graph: rows are vertices, entries weighted edges; an entry given
     * twice is the sum of both (Matrix Market, scipy), not one of them as for graph edges. */
    c->sum_duplicates = true;
    CLI_LOAD(cli_load_graph(c, a.mat, true, false, &g, NULL));
    AMLS_AGREE(c->comm, cli_check_unused(c));
    if (!g->weighted)
        cli_print(c, "# note: pattern matrix, every stored entry is 1\n");
    AMLS_AGREE(c->comm, finite_entries(g, a.mat));
    AMLS_TRY(amls_check_symmetric(g));
    b = amls_dvec_new(g);
    x = amls_dvec_new(g);
    AMLS_AGREE(c->comm, amls__alloc_status(b && x));
    if (a.rhs)
        AMLS_TRY(amls_vector_read(c->comm, a.rhs, g->n, g->orig, g->n_local, b));
    else
        for (int64_t i = 0; i < g->n_local; i++)
            b[i] = 1.0;
    int64_t maxit = a.maxit > 0 ? a.maxit : AMLS_MAX((int64_t)1000, 10 * g->n);
    AMLS_TRY(amls_cg(g, b, x, a.tol, maxit, !a.pre || !strcmp(a.pre, "jacobi"), &info));
    cli_print(c,
              "rows: %lld\nnonzeros: %lld\npreconditioner: %s\niterations: %lld\nresidual: "
              "%.6e\nconverged: %s\nseconds: %.4f\n",
              (long long)g->n, (long long)g->arcs, a.pre ? a.pre : "jacobi",
              (long long)info.iterations, info.residual, info.converged ? "yes" : "no",
              info.seconds);
    AMLS_AGREE(c->comm, amls_solve_stats(&info, "cg", c->stats));
    if (a.outp)
        AMLS_TRY(write_vertex_values(g, x, a.outp));
    AMLS_CHECK(info.converged || !a.strict, AMLS_ERR_DIVERGED,
               "cg: no convergence to %g in %lld iterations (--strict)", a.tol,
               (long long)info.iterations);
cleanup:
    amls_solve_info_free(&info);
    amls_vec_free(b);
    amls_vec_free(x);
    amls_graph_free(&g);
    return rc;
}

/* Coefficients as text, one per line. Local. */
static int format_coef(const double *coef, int64_t m, amls__vec *txt)
{
    int rc = AMLS_OK;
    for (int64_t k = 0; k < m; k++) {
        char line[64];
        int n = snprintf(line, sizeof line, "%.17g\n", coef[k]);
        AMLS_TRY(amls__vec_append(txt, line, (size_t)n));
    }
cleanup:
    return rc;
}

/* Writes coefficients (intercept first), one per line, from rank 0 (they are replicated). */
static int write_coef(cli *c, const char *path, const double *coef, int64_t m)
{
    int rc = AMLS_OK;
    amls__vec txt;
    amls__vec_init(&txt, 1);
    AMLS_AGREE(c->comm, c->rank == 0 ? format_coef(coef, m, &txt) : AMLS_OK);
    AMLS_TRY(amls_write_text(c->comm, path, txt.data, txt.len, false));
cleanup:
    amls__vec_free(&txt);
    return rc;
}

typedef struct reg_args {
    const char *train, *test, *outp;
    double lambda, tol;
    int64_t maxit;
    bool strict;
} reg_args;

static int reg_parse(cli *c, reg_args *a, double def_lambda, double def_tol, int64_t def_it)
{
    int rc = AMLS_OK;
    a->train = cli_get(c, "train", NULL);
    a->test = cli_get(c, "test", NULL);
    a->outp = cli_get(c, "output", "o");
    a->strict = cli_flag(c, "strict");
    AMLS_TRY(cli_get_f64(c, "lambda", NULL, def_lambda, &a->lambda));
    AMLS_TRY(cli_get_f64(c, "tol", NULL, def_tol, &a->tol));
    AMLS_TRY(cli_get_i64(c, "max-iterations", NULL, def_it, &a->maxit));
    AMLS_CHECK(a->train != NULL, AMLS_ERR_PARAM, "%s: --train FILE is required", c->cmd);
    AMLS_TRY(cli_output_not_input(a->outp, a->train));
    AMLS_TRY(cli_output_not_input(a->outp, a->test));
    AMLS_CHECK(a->lambda >= 0, AMLS_ERR_PARAM, "%s: --lambda must be >= 0", c->cmd);
    AMLS_TRY(cli_check_unused(c));
cleanup:
    return rc;
}

/* Writes the coefficients when --output is given, then reports non-convergence, an error only
 * with --strict (the same on every rank). */
static int reg_finish(cli *c, const reg_args *a, const double *coef, int64_t m,
                      const amls_solve_info *info)
{
    int rc = AMLS_OK;
    AMLS_AGREE(c->comm, amls_solve_stats(info, c->cmd, c->stats));
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "lambda", a->lambda));
    if (a->outp)
        AMLS_TRY(write_coef(c, a->outp, coef, m));
    AMLS_CHECK(info->converged || !a->strict, AMLS_ERR_DIVERGED,
               "%s: no convergence in %lld iterations (--strict)", c->cmd,
               (long long)info->iterations);
cleanup:
    return rc;
}

/* Root mean squared error of the linear model coef (intercept first, d features) on T. */
static int rmse_of(MPI_Comm comm, const amls_rows *T, const double *coef, int64_t d, double *rmse)
{
    double sse = 0;
    for (int64_t i = 0; i < T->n_local; i++) {
        double z = coef[0];
        for (int64_t j = T->ptr[i]; j < T->ptr[i + 1]; j++)
            if (T->idx[j] < d)
                z += T->val[j] * coef[1 + T->idx[j]];
        sse += (T->y[i] - z) * (T->y[i] - z);
    }
    int rc = amls__allreduce_same(comm, &sse, 1, MPI_SUM);
    *rmse = sqrt(sse / (double)AMLS_MAX(T->n_global, (int64_t)1));
    return rc;
}

int cmd_linreg(cli *c)
{
    int rc = AMLS_OK;
    reg_args a;
    amls_rows X = {0}, T = {0};
    double *coef = NULL, test_rmse = 0;
    amls_solve_info info = {0};
    AMLS_AGREE(c->comm, reg_parse(c, &a, 0.0, 1e-10, 1000));
    AMLS_TRY(amls_rows_read(c->comm, a.train, &X));
    if (a.test)
        AMLS_TRY(amls_rows_read(c->comm, a.test, &T));
    coef = amls__calloc((size_t)X.nfeat + 2, sizeof *coef);
    AMLS_AGREE(c->comm, amls__alloc_status(coef != NULL));
    AMLS_TRY(amls_linreg(c->comm, &X, a.lambda, a.tol, a.maxit, coef, &info));
    cli_print(c,
              "rows: %lld\nfeatures: %lld\nlambda: %g\niterations: %lld\nresidual: %.6e\n"
              "converged: %s\nrss: %.10g\ntrain_rmse: %.8g\nintercept: %.10g\nseconds: %.4f\n",
              (long long)X.n_global, (long long)X.nfeat, a.lambda, (long long)info.iterations,
              info.residual, info.converged ? "yes" : "no", info.objective,
              sqrt(info.objective / (double)X.n_global), coef[0], info.seconds);
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "train_rmse",
                                           sqrt(info.objective / (double)X.n_global)));
    if (a.test) {
        AMLS_TRY(rmse_of(c->comm, &T, coef, X.nfeat, &test_rmse));
        cli_print(c, "test_rows: %lld\ntest_rmse: %.8g\n", (long long)T.n_global, test_rmse);
        AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "test_rmse", test_rmse));
    }
    AMLS_TRY(reg_finish(c, &a, coef, X.nfeat + 1, &info));
cleanup:
    amls_solve_info_free(&info);
    amls__free(coef);
    amls_rows_free(&X);
    amls_rows_free(&T);
    return rc;
}

int cmd_logreg(cli *c)
{
    int rc = AMLS_OK;
    reg_args a;
    amls_rows X = {0}, T = {0};
    double *coef = NULL, acc_train = 0, acc_test = 0;
    amls_solve_info info = {0};
    AMLS_AGREE(c->comm, reg_parse(c, &a, 1e-4, 1e-6, 500));
    AMLS_TRY(amls_rows_read(c->comm, a.train, &X));
    if (a.test)
        AMLS_TRY(amls_rows_read(c->comm, a.test, &T));
    coef = amls__calloc((size_t)X.nfeat + 2, sizeof *coef);
    AMLS_AGREE(c->comm, amls__alloc_status(coef != NULL));
    AMLS_TRY(amls_logreg(c->comm, &X, a.lambda, a.tol, a.maxit, coef, &info));
    AMLS_TRY(amls_logreg_accuracy(c->comm, &X, coef, X.nfeat, &acc_train));
    if (a.test)
        AMLS_TRY(amls_logreg_accuracy(c->comm, &T, coef, X.nfeat, &acc_test));
    cli_print(c,
              "rows: %lld\nfeatures: %lld\nlambda: %g\niterations: %lld\nobjective: %.10g\n"
              "gradient_max: %.3e\nconverged: %s\nstop_reason: %s\ntrain_accuracy: %.6f\n",
              (long long)X.n_global, (long long)X.nfeat, a.lambda, (long long)info.iterations,
              info.objective, info.residual, info.converged ? "yes" : "no",
              info.stop_reason ? info.stop_reason : "", acc_train);
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "train_accuracy", acc_train));
    if (a.test) {
        cli_print(c, "test_rows: %lld\ntest_accuracy: %.6f\n", (long long)T.n_global, acc_test);
        AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "test_accuracy", acc_test));
    }
    cli_print(c, "seconds: %.4f\n", info.seconds);
    AMLS_TRY(reg_finish(c, &a, coef, X.nfeat + 1, &info));
cleanup:
    amls_solve_info_free(&info);
    amls__free(coef);
    amls_rows_free(&X);
    amls_rows_free(&T);
    return rc;
}

/* The options of als. */
static int als_parse(cli *c, amls_als_opts *o, const char **path)
{
    int rc = AMLS_OK;
    int64_t k = 10, iters = 10, seed = 1;
    *path = cli_get(c, "ratings", NULL);
    o->quiet = cli_flag(c, "quiet");
    AMLS_TRY(cli_get_i64(c, "rank", NULL, 10, &k));
    AMLS_TRY(cli_get_f64(c, "lambda", NULL, 0.1, &o->lambda));
    AMLS_TRY(cli_get_i64(c, "iterations", NULL, 10, &iters));
    AMLS_TRY(cli_get_f64(c, "test-fraction", NULL, 0.2, &o->test_fraction));
    AMLS_TRY(cli_get_i64(c, "seed", NULL, 1, &seed));
    AMLS_CHECK(*path != NULL, AMLS_ERR_PARAM, "als: --ratings FILE is required");
    AMLS_CHECK(o->test_fraction >= 0 && o->test_fraction < 1, AMLS_ERR_PARAM,
               "als: --test-fraction must be in [0, 1)");
    AMLS_CHECK(o->lambda > 0, AMLS_ERR_PARAM, "als: --lambda must be > 0");
    AMLS_CHECK(iters >= 0 && iters <= 100000, AMLS_ERR_PARAM, "als: --iterations out of range");
    o->rank = (int)k;
    o->iterations = (int)iters;
    o->seed = (uint64_t)seed;
cleanup:
    return rc;
}

int cmd_als(cli *c)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_graph *g = NULL;
    amls_als_opts o = {0};
    amls_als_result res = {0};
    const char *path = NULL, *part = cli_get(c, "partition", NULL);
    int prc = als_parse(c, &o, &path);
    AMLS_AGREE(c->comm, prc < 0 ? prc : cli_check_unused(c));
    AMLS_TRY(amls_ratings_read(c->comm, path, o.test_fraction, o.seed, &raw));
    amls_build_opts bo = {.method = part ? amls_part_method_parse(part) : AMLS_PART_METIS,
                          .part_file = part};
    AMLS_TRY(amls_graph_build(c->comm, &raw, &bo, &g));
    AMLS_TRY(amls_als_run(g, &o, &res, NULL));
    cli_print(c,
              "users: %lld\nitems: %lld\ntrain_ratings: %lld\ntest_ratings: %lld\nrank: %d\n"
              "lambda: %g\niterations: %d\ntrain_rmse: %.6f\ntest_rmse: %.6f\nseconds: %.4f\n",
              (long long)res.users, (long long)res.items, (long long)res.train_ratings,
              (long long)res.test_ratings, o.rank, o.lambda, o.iterations, res.train_rmse,
              res.test_rmse, res.seconds);
    AMLS_AGREE(c->comm, amls_als_stats(&o, &res, c->stats));
cleanup:
    amls_solve_info_free(&res.info);
    amls_raw_graph_free(&raw);
    amls_graph_free(&g);
    return rc;
}
