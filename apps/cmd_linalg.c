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

static void cg_args_get(cli *c, cg_args *a)
{
    a->mat = cli_str(c, "matrix");
    a->rhs = cli_str(c, "rhs");
    a->pre = cli_str(c, "precond");
    a->outp = cli_str(c, "output");
    a->strict = cli_flag(c, "strict");
    a->tol = cli_f64(c, "tol");
    a->maxit = cli_i64(c, "max-iterations");
}

/* Every stored entry is a finite number. Local. */
static int finite_entries(const amls_graph *g, const char *mat)
{
    for (int64_t j = 0; g->out_w && j < g->out_ptr[g->n_local]; j++)
        if (!isfinite(g->out_w[j]))
            return amls_error(AMLS_ERR_NUMERIC, "%s: the matrix has a NaN or infinite entry", mat);
    return AMLS_OK;
}

static int cmd_cg(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    double *b = NULL, *x = NULL;
    cg_args a;
    amls_solve_info info = {0};
    cg_args_get(c, &a);
    /* The matrix is read as a graph: rows are vertices, entries weighted edges; an entry given
     * twice is the sum of both (Matrix Market, scipy), not one of them as for graph edges. */
    c->sum_duplicates = true;
    CLI_LOAD(cli_load_graph(c, a.mat, true, false, &g));
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
    AMLS_TRY(amls_cg(g, b, x, a.tol, maxit, !strcmp(a.pre, "jacobi"), &info));
    cli_print(c,
              "rows: %lld\nnonzeros: %lld\npreconditioner: %s\niterations: %lld\nresidual: "
              "%.6e\nconverged: %s\nseconds: %.4f\n",
              (long long)g->n, (long long)g->arcs, a.pre, (long long)info.iterations, info.residual,
              info.converged ? "yes" : "no", info.seconds);
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

static void reg_args_get(cli *c, reg_args *a)
{
    a->train = cli_str(c, "train");
    a->test = cli_str(c, "test");
    a->outp = cli_str(c, "output");
    a->strict = cli_flag(c, "strict");
    a->lambda = cli_f64(c, "lambda");
    a->tol = cli_f64(c, "tol");
    a->maxit = cli_i64(c, "max-iterations");
}

/* Writes the coefficients when --output is given, then reports non-convergence, an error only
 * with --strict (the same on every rank). */
static int reg_finish(cli *c, const reg_args *a, const double *coef, int64_t m,
                      const amls_solve_info *info)
{
    int rc = AMLS_OK;
    AMLS_AGREE(c->comm, amls_solve_stats(info, c->cmd->name, c->stats));
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "solver", "lambda", a->lambda));
    if (a->outp)
        AMLS_TRY(write_coef(c, a->outp, coef, m));
    AMLS_CHECK(info->converged || !a->strict, AMLS_ERR_DIVERGED,
               "%s: no convergence in %lld iterations (--strict)", c->cmd->name,
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

static int cmd_linreg(cli *c)
{
    int rc = AMLS_OK;
    reg_args a;
    amls_rows X = {0}, T = {0};
    double *coef = NULL, test_rmse = 0;
    amls_solve_info info = {0};
    reg_args_get(c, &a);
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

static int cmd_logreg(cli *c)
{
    int rc = AMLS_OK;
    reg_args a;
    amls_rows X = {0}, T = {0};
    double *coef = NULL, acc_train = 0, acc_test = 0;
    amls_solve_info info = {0};
    reg_args_get(c, &a);
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

/* The options of als (checked by the table). */
static void als_args_get(cli *c, amls_als_opts *o, const char **path)
{
    *path = cli_str(c, "ratings");
    o->quiet = cli_flag(c, "quiet");
    o->rank = (int)cli_i64(c, "rank");
    o->lambda = cli_f64(c, "lambda");
    o->iterations = (int)cli_i64(c, "iterations");
    o->test_fraction = cli_f64(c, "test-fraction");
    o->seed = (uint64_t)cli_i64(c, "seed");
}

static int cmd_als(cli *c)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_graph *g = NULL;
    amls_als_opts o = {0};
    amls_als_result res = {0};
    const char *path = NULL, *part = cli_str(c, "partition");
    als_args_get(c, &o, &path);
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

/* ---- The commands' tables ------------------------------------------------------------------ */

/* The output is none of the inputs (it would be overwritten before it was read). Local. */
static int check_cg(cli *c)
{
    int rc = AMLS_OK;
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "matrix")));
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "rhs")));
cleanup:
    return rc;
}

static int check_reg(cli *c)
{
    int rc = AMLS_OK;
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "train")));
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "test")));
cleanup:
    return rc;
}

static const cli_group cg_group = {
    "cg options",
    (const cli_opt[]){
        {"matrix", 'A', CLI_GRAPH, "A.mtx",
         .help = "the matrix, symmetric positive definite (Matrix Market, or any graph format)",
         .flags = CLI_REQUIRED},
        {"rhs", 0, CLI_IN, "b.mtx",
         .help = "the right-hand side: a Matrix Market vector or 'row value' lines",
         .def_text = "ones"},
        {"precond", 0, CLI_CHOICE, "P", .help = "preconditioner", .choices = "jacobi|none",
         .def = "jacobi"},
        {"tol", 0, CLI_NUM, "T", .help = "stop at ||b - Ax|| / ||b|| <= T", .min = 0, .max = 1,
         .def = "1e-8", .flags = CLI_OPEN_MIN},
        {"max-iterations", 0, CLI_INT, "N", .help = "iteration limit", .min = 1, .max = 1e12,
         .def_text = "max(1000, 10 rows)"},
        {"strict", 0, CLI_FLAG, .help = "no convergence is an error (exit code 6)"},
        {"output", 'o', CLI_OUT, "PATH", .help = "the solution: 'row value' lines",
         .def_text = "none"},
        {"format", 0, CLI_CHOICE, "F", .help = "the matrix's format",
         .choices = "edgelist|csv|ldbc|mtx|metis|dimacs|h5", .def_text = "from the file name"},
        {"partition", 0, CLI_PART, "P",
         .help = "rows to ranks: auto, chunk, metis, ptscotch, hash, range, or a file",
         .def_text = "auto"},
        {"parts", 0, CLI_INT, "K", .help = "number of parts", .min = 1, .max = 1 << 20,
         .def_text = "the number of ranks"},
        {0}}};
static const cli_group *const cg_table[] = {&cg_group, &cli_quiet_group, NULL};
const cli_command cli_cmd_cg = {
    .name = "cg",
    .usage = "--matrix A.mtx [--rhs b.mtx] [options]",
    .summary = "conjugate gradient for a symmetric positive definite system A x = b",
    .about = "Solves A x = b by (Jacobi-preconditioned) conjugate gradient; prints rows, "
             "iterations,\nresidual (recomputed), converged, seconds.",
    .groups = cg_table,
    .check = check_cg,
    .run = cmd_cg};

/* What linreg and logreg share; their numbers differ in defaults only. */
static const cli_group reg_group = {
    "data and output",
    (const cli_opt[]){{"train", 0, CLI_IN, "FILE",
                       .help = "training rows (LIBSVM: label index:value ...)",
                       .flags = CLI_REQUIRED},
                      {"test", 0, CLI_IN, "FILE",
                       .help = "test rows (LIBSVM), scored after training (test_rmse, "
                               "test_accuracy)",
                       .def_text = "none"},
                      {"output", 'o', CLI_OUT, "FILE",
                       .help = "the intercept, then one coefficient per line", .def_text = "none"},
                      {"strict", 0, CLI_FLAG, .help = "no convergence is an error (exit code 6)"},
                      {0}}};

static const cli_group linreg_group = {
    "solver options",
    (const cli_opt[]){{"lambda", 0, CLI_NUM, "L", .help = "ridge (L2) regularisation", .min = 0,
                       .max = 1e300, .def = "0"},
                      {"tol", 0, CLI_NUM, "T", .help = "CG tolerance on the normal equations",
                       .min = 0, .max = 1, .def = "1e-10", .flags = CLI_OPEN_MIN},
                      {"max-iterations", 0, CLI_INT, "N", .help = "CG iteration limit", .min = 1,
                       .max = 1e12, .def = "1000"},
                      {0}}};
static const cli_group *const linreg_table[] = {&reg_group, &linreg_group, NULL};
const cli_command cli_cmd_linreg = {
    .name = "linreg",
    .usage = "--train FILE [options]",
    .summary = "least squares / ridge regression (CG on the normal equations)",
    .groups = linreg_table,
    .check = check_reg,
    .run = cmd_linreg};

static const cli_group logreg_group = {
    "solver options",
    (const cli_opt[]){{"lambda", 0, CLI_NUM, "L", .help = "L2 regularisation", .min = 0,
                       .max = 1e300, .def = "1e-4"},
                      {"tol", 0, CLI_NUM, "T", .help = "gradient tolerance", .min = 0, .max = 1,
                       .def = "1e-6", .flags = CLI_OPEN_MIN},
                      {"max-iterations", 0, CLI_INT, "N", .help = "L-BFGS iteration limit",
                       .min = 1, .max = 1e12, .def = "500"},
                      {0}}};
static const cli_group *const logreg_table[] = {&reg_group, &logreg_group, NULL};
const cli_command cli_cmd_logreg = {.name = "logreg",
                                    .usage = "--train FILE [--test FILE] [options]",
                                    .summary = "L2-regularised logistic regression (L-BFGS)",
                                    .groups = logreg_table,
                                    .check = check_reg,
                                    .run = cmd_logreg};

static const cli_group als_group = {
    "als options",
    (const cli_opt[]){
        {"ratings", 0, CLI_IN, "FILE", .help = "'user item rating [time]' lines (MovieLens u.data)",
         .flags = CLI_REQUIRED},
        {"rank", 0, CLI_INT, "K", .help = "latent factors", .min = 1, .max = 1000, .def = "10"},
        {"lambda", 0, CLI_NUM, "L", .help = "regularisation (weighted-lambda)", .min = 0,
         .max = 1e300, .def = "0.1", .flags = CLI_OPEN_MIN},
        {"iterations", 0, CLI_INT, "N", .help = "ALS sweeps", .min = 0, .max = 100000, .def = "10"},
        {"test-fraction", 0, CLI_NUM, "F", .help = "ratings held out for testing", .min = 0,
         .max = 0.999999, .def = "0.2"},
        {"seed", 0, CLI_INT, "N", .help = "the train/test split", .min = 0, .max = 9.2e18,
         .def = "1"},
        {"partition", 0, CLI_PART, "P", .help = "the rating graph's partition",
         .def_text = "metis"},
        {0}}};
static const cli_group *const als_table[] = {&als_group, &cli_quiet_group, NULL};
const cli_command cli_cmd_als = {
    .name = "als",
    .usage = "--ratings FILE [options]",
    .summary = "ALS matrix factorisation of a rating graph (MovieLens u.data)",
    .groups = als_table,
    .run = cmd_als};
