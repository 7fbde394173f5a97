/* ---------------------------------------------------------------------------------------------
 * apps/cmd_linalg.c — solver subcommands: cg, linreg, logreg, als.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "io/textio.h"
#include "io/util.h"

#include "amls/engine.h"
#include "amls/linalg.h"

#include <math.h>
#include <stdio.h>

/* Writes one double per owned vertex as "original-id value" lines. Collective. */
static int write_vertex_values(const amls_graph *g, double *vals, const char *path)
{
    static const amls_vprog vec = {
        .name = "vector", .state_size = sizeof(double), .result_type = AMLS_TYPE_F64};
    amls_run r = {.g = (amls_graph *)g, .p = &vec, .state = (char *)vals};
    bool as_dir = path[0] && path[strlen(path) - 1] == '/';
    return amls_run_write(&r, path, as_dir);
}

/* Reads a right-hand side (Matrix Market array or coordinate vector, or "row value" lines)
 * on every rank and keeps the owned rows. Collective. */
static int read_rhs(const amls_graph *g, const char *path, double *b)
{
    int rc = AMLS_OK;
    amls__lines L;
    int64_t *key = NULL, *idx = NULL, seen = 0, gseen = 0;
    char *line;
    size_t len;
    int64_t n = g->n_local, row = 0, lineno = 0;
    bool array = false, header_done = false, coord = false;
    rc = amls__lines_open_local(&L, path);
    if (rc == AMLS_OK) {
        key = amls__malloc((size_t)n + 1, sizeof *key);
        idx = amls__malloc((size_t)n + 1, sizeof *idx);
        if (key == NULL || idx == NULL)
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    if (rc == AMLS_OK) {
        for (int64_t i = 0; i < n; i++) {
            key[i] = g->orig[i];
            idx[i] = i;
        }
        uint64_t *k = (uint64_t *)key;
        for (int64_t i = 0; i < n; i++)
            k[i] ^= (uint64_t)1 << 63;
        rc = amls__sort_u64(k, (uint64_t *)idx, (size_t)n);
        for (int64_t i = 0; i < n; i++)
            k[i] ^= (uint64_t)1 << 63;
    }
    int r;
    while (rc == AMLS_OK && (r = amls__lines_next(&L, &line, &len)) > 0) {
        lineno++;
        if (lineno == 1 && strncmp(line, "%%MatrixMarket", 14) == 0) {
            array = strstr(line, "array") != NULL;
            coord = !array;
            continue;
        }
        const char *p = amls__skip_ws(line);
        if (*p == '%' || *p == '#' || *p == '\0')
            continue;
        if ((array || coord) && !header_done) {
            int64_t rows = 0;
            if (amls__parse_i64(&p, &rows) != 1 || rows != g->n) {
                rc = amls_error(AMLS_ERR_DIM,
                                "%s:%lld: right-hand side has %lld rows, the matrix %lld", path,
                                (long long)lineno, (long long)rows, (long long)g->n);
                break;
            }
            header_done = true;
            continue;
        }
        int64_t at;
        double v;
        if (array) {
            at = ++row;
        } else if (amls__parse_i64(&p, &at) != 1) {
            rc = amls_error(AMLS_ERR_PARSE, "%s:%lld: expected 'row [col] value'", path,
                            (long long)lineno);
            break;
        }
        if (coord) {
            int64_t col;
            const char *q = p;
            if (amls__parse_i64(&q, &col) == 1 && strchr(q, '.') == NULL && !amls__at_end(q))
                p = q; /* "row 1 value" */
        }
        if (amls__parse_f64(&p, &v) != 1 || !isfinite(v)) {
            rc = amls_error(isfinite(v) ? AMLS_ERR_PARSE : AMLS_ERR_NUMERIC,
                            "%s:%lld: expected a finite value", path, (long long)lineno);
            break;
        }
        int64_t pos = amls__bsearch_i64(key, n, at);
        if (pos >= 0) {
            b[idx[pos]] = v;
            seen++;
        }
        if (at < 1 || at > g->n) {
            rc = amls_error(AMLS_ERR_DIM, "%s:%lld: row %lld outside 1..%lld", path,
                            (long long)lineno, (long long)at, (long long)g->n);
            break;
        }
    }
    amls__lines_close(&L);
    amls__free(key);
    amls__free(idx);
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK) {
        MPI_Allreduce(&seen, &gseen, 1, MPI_INT64_T, MPI_SUM, g->comm);
        if (gseen != g->n && !coord)
            rc = amls_agree(g->comm,
                            g->rank == 0 ? amls_error(AMLS_ERR_DIM,
                                                      "%s: right-hand side has %lld entries, the "
                                                      "matrix %lld rows",
                                                      path, (long long)gseen, (long long)g->n)
                                         : AMLS_ERR_DIM,
                            NULL);
    }
    return rc;
}

int cmd_cg(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    double *b = NULL, *x = NULL, tol = 1e-8;
    int64_t maxit = 0;
    const char *mat = cli_get(c, "matrix", "A"), *rhs = cli_get(c, "rhs", NULL);
    const char *pre = cli_get(c, "precond", NULL), *outp = cli_get(c, "output", "o");
    bool strict = cli_flag(c, "strict");
    rc = cli_get_f64(c, "tol", NULL, 1e-8, &tol);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "max-iterations", NULL, 0, &maxit);
    if (rc == AMLS_OK && mat == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "cg: --matrix A.mtx is required");
    if (rc == AMLS_OK && pre && strcmp(pre, "jacobi") && strcmp(pre, "none"))
        rc = amls_error(AMLS_ERR_PARAM, "cg: --precond %s: expected jacobi or none", pre);
    rc = amls_agree(c->comm, rc, NULL);
    if (rc < 0)
        return rc;
    /* The matrix is read as a graph: rows are vertices, entries weighted edges. */
    rc = cli_load_graph(c, mat, true, false, &g, NULL);
    if (rc == AMLS_OK)
        rc = amls_agree(c->comm, cli_check_unused(c), NULL);
    if (rc < 0)
        goto out;
    if (!g->weighted)
        cli_print(c, "# note: pattern matrix, every stored entry is 1\n");
    {
        int lrc = AMLS_OK;
        for (int64_t j = 0; g->out_w && j < g->out_ptr[g->n_local] && lrc == AMLS_OK; j++)
            if (!isfinite(g->out_w[j]))
                lrc =
                    amls_error(AMLS_ERR_NUMERIC, "%s: the matrix has a NaN or infinite entry", mat);
        AMLS_TRY(amls_agree(c->comm, lrc, NULL));
    }
    AMLS_TRY(amls_check_symmetric(g));
    b = amls_dvec_new(g);
    x = amls_dvec_new(g);
    AMLS_TRY(
        amls_agree(c->comm, b && x ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
    if (rhs)
        AMLS_TRY(read_rhs(g, rhs, b));
    else
        for (int64_t i = 0; i < g->n_local; i++)
            b[i] = 1.0;
    amls_solve_info info;
    if (maxit <= 0)
        maxit = AMLS_MAX((int64_t)1000, 10 * g->n);
    AMLS_TRY(amls_cg(g, b, x, tol, maxit, !pre || !strcmp(pre, "jacobi"), &info));
    cli_print(c,
              "rows: %lld\nnonzeros: %lld\npreconditioner: %s\niterations: %lld\nresidual: "
              "%.6e\nconverged: %s\nseconds: %.4f\n",
              (long long)g->n, (long long)g->arcs, pre ? pre : "jacobi", (long long)info.iterations,
              info.residual, info.converged ? "yes" : "no", info.seconds);
    if (outp)
        AMLS_TRY(write_vertex_values(g, x, outp));
    if (!info.converged && strict)
        rc = amls_agree(c->comm,
                        c->rank == 0 ? amls_error(AMLS_ERR_DIVERGED,
                                                  "cg: no convergence to %g in %lld iterations "
                                                  "(--strict)",
                                                  tol, (long long)info.iterations)
                                     : AMLS_ERR_DIVERGED,
                        NULL);
cleanup:
out:
    amls_vec_free(b);
    amls_vec_free(x);
    amls_graph_free(&g);
    return rc;
}

/* Writes coefficients (intercept first), one per line, from rank 0 (they are replicated). */
static int write_coef(cli *c, const char *path, const double *coef, int64_t m)
{
    amls__vec txt;
    amls__vec_init(&txt, 1);
    int rc = AMLS_OK;
    if (c->rank == 0)
        for (int64_t k = 0; k < m && rc == AMLS_OK; k++) {
            char line[64];
            int n = snprintf(line, sizeof line, "%.17g\n", coef[k]);
            for (int i = 0; i < n && rc == AMLS_OK; i++)
                rc = amls__vec_push(&txt, &line[i]);
        }
    rc = amls_agree(c->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls_write_text(c->comm, path, txt.data, txt.len, false);
    amls__vec_free(&txt);
    return rc;
}

typedef struct reg_args {
    const char *train, *test, *outp;
    double lambda, tol;
    int64_t maxit;
    bool strict;
} reg_args;

static int reg_parse(cli *c, reg_args *a, double def_lambda, double def_tol, int64_t def_it,
                     bool need_test)
{
    a->train = cli_get(c, "train", NULL);
    a->test = cli_get(c, "test", NULL);
    a->outp = cli_get(c, "output", "o");
    a->strict = cli_flag(c, "strict");
    int rc = cli_get_f64(c, "lambda", NULL, def_lambda, &a->lambda);
    if (rc == AMLS_OK)
        rc = cli_get_f64(c, "tol", NULL, def_tol, &a->tol);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "max-iterations", NULL, def_it, &a->maxit);
    if (rc == AMLS_OK && a->train == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "%s: --train FILE is required", c->cmd);
    if (rc == AMLS_OK && need_test && a->test == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "%s: --test FILE is required", c->cmd);
    if (rc == AMLS_OK && !(a->lambda >= 0))
        rc = amls_error(AMLS_ERR_PARAM, "%s: --lambda must be >= 0", c->cmd);
    if (rc == AMLS_OK)
        rc = cli_check_unused(c);
    return amls_agree(c->comm, rc, NULL);
}

static int not_converged(cli *c, const reg_args *a, const amls_solve_info *info)
{
    if (info->converged || !a->strict)
        return AMLS_OK;
    return amls_agree(c->comm,
                      c->rank == 0 ? amls_error(AMLS_ERR_DIVERGED,
                                                "%s: no convergence in %lld iterations (--strict)",
                                                c->cmd, (long long)info->iterations)
                                   : AMLS_ERR_DIVERGED,
                      NULL);
}

int cmd_linreg(cli *c)
{
    reg_args a;
    amls_rows X = {0};
    double *coef = NULL;
    amls_solve_info info;
    int rc = reg_parse(c, &a, 0.0, 1e-10, 1000, false);
    if (rc == AMLS_OK)
        rc = amls_rows_read(c->comm, a.train, &X);
    if (rc == AMLS_OK) {
        coef = amls__calloc((size_t)X.nfeat + 2, sizeof *coef);
        rc =
            amls_agree(c->comm, coef ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    }
    if (rc == AMLS_OK)
        rc = amls_linreg(c->comm, &X, a.lambda, a.tol, a.maxit, coef, &info);
    if (rc == AMLS_OK) {
        cli_print(c,
                  "rows: %lld\nfeatures: %lld\nlambda: %g\niterations: %lld\nresidual: %.6e\n"
                  "converged: %s\nrss: %.10g\ntrain_rmse: %.8g\nintercept: %.10g\nseconds: %.4f\n",
                  (long long)X.n_global, (long long)X.nfeat, a.lambda, (long long)info.iterations,
                  info.residual, info.converged ? "yes" : "no", info.objective,
                  sqrt(info.objective / (double)X.n_global), coef[0], info.seconds);
        if (a.outp)
            rc = write_coef(c, a.outp, coef, X.nfeat + 1);
    }
    if (rc == AMLS_OK)
        rc = not_converged(c, &a, &info);
    amls__free(coef);
    amls_rows_free(&X);
    return rc;
}

int cmd_logreg(cli *c)
{
    reg_args a;
    amls_rows X = {0}, T = {0};
    double *coef = NULL, acc_train = 0, acc_test = 0;
    amls_solve_info info;
    int rc = reg_parse(c, &a, 1e-4, 1e-6, 500, true);
    if (rc == AMLS_OK)
        rc = amls_rows_read(c->comm, a.train, &X);
    if (rc == AMLS_OK)
        rc = amls_rows_read(c->comm, a.test, &T);
    if (rc == AMLS_OK) {
        coef = amls__calloc((size_t)X.nfeat + 2, sizeof *coef);
        rc =
            amls_agree(c->comm, coef ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    }
    if (rc == AMLS_OK)
        rc = amls_logreg(c->comm, &X, a.lambda, a.tol, a.maxit, coef, &info);
    if (rc == AMLS_OK)
        rc = amls_logreg_accuracy(c->comm, &X, coef, X.nfeat, &acc_train);
    if (rc == AMLS_OK)
        rc = amls_logreg_accuracy(c->comm, &T, coef, X.nfeat, &acc_test);
    if (rc == AMLS_OK) {
        cli_print(c,
                  "rows: %lld\ntest_rows: %lld\nfeatures: %lld\nlambda: %g\niterations: %lld\n"
                  "objective: %.10g\ngradient_max: %.3e\nconverged: %s\ntrain_accuracy: %.6f\n"
                  "test_accuracy: %.6f\nseconds: %.4f\n",
                  (long long)X.n_global, (long long)T.n_global, (long long)X.nfeat, a.lambda,
                  (long long)info.iterations, info.objective, info.residual,
                  info.converged ? "yes" : "no", acc_train, acc_test, info.seconds);
        if (a.outp)
            rc = write_coef(c, a.outp, coef, X.nfeat + 1);
    }
    if (rc == AMLS_OK)
        rc = not_converged(c, &a, &info);
    amls__free(coef);
    amls_rows_free(&X);
    amls_rows_free(&T);
    return rc;
}

int cmd_als(cli *c)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_graph *g = NULL;
    amls_als_opts o = {
        .rank = 10, .lambda = 0.1, .iterations = 10, .test_fraction = 0.2, .seed = 1};
    int64_t k = 10, iters = 10, seed = 1;
    const char *path = cli_get(c, "ratings", NULL), *part = cli_get(c, "partition", NULL);
    o.quiet = cli_flag(c, "quiet");
    rc = cli_get_i64(c, "rank", NULL, 10, &k);
    if (rc == AMLS_OK)
        rc = cli_get_f64(c, "lambda", NULL, 0.1, &o.lambda);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "iterations", NULL, 10, &iters);
    if (rc == AMLS_OK)
        rc = cli_get_f64(c, "test-fraction", NULL, 0.2, &o.test_fraction);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "seed", NULL, 1, &seed);
    if (rc == AMLS_OK && path == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "als: --ratings FILE is required");
    if (rc == AMLS_OK && (o.test_fraction < 0 || o.test_fraction >= 1))
        rc = amls_error(AMLS_ERR_PARAM, "als: --test-fraction must be in [0, 1)");
    if (rc == AMLS_OK && !(o.lambda > 0))
        rc = amls_error(AMLS_ERR_PARAM, "als: --lambda must be > 0");
    if (rc == AMLS_OK && (iters < 0 || iters > 100000))
        rc = amls_error(AMLS_ERR_PARAM, "als: --iterations out of range");
    if (rc == AMLS_OK)
        rc = cli_check_unused(c);
    o.rank = (int)k;
    o.iterations = (int)iters;
    o.seed = (uint64_t)seed;
    rc = amls_agree(c->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls_als_read(c->comm, path, o.test_fraction, o.seed, &raw);
    if (rc == AMLS_OK) {
        amls_build_opts bo = {.method = part ? amls_part_method_parse(part) : AMLS_PART_METIS,
                              .part_file = part};
        rc = amls_graph_build(c->comm, &raw, &bo, &g);
    }
    amls_als_result res;
    if (rc == AMLS_OK)
        rc = amls_als_run(g, &o, &res, NULL);
    if (rc == AMLS_OK)
        cli_print(c,
                  "users: %lld\nitems: %lld\ntrain_ratings: %lld\ntest_ratings: %lld\nrank: %d\n"
                  "lambda: %g\niterations: %d\ntrain_rmse: %.6f\ntest_rmse: %.6f\nseconds: %.4f\n",
                  (long long)res.users, (long long)res.items, (long long)res.train_ratings,
                  (long long)res.test_ratings, o.rank, o.lambda, o.iterations, res.train_rmse,
                  res.test_rmse, res.seconds);
    amls_raw_graph_free(&raw);
    amls_graph_free(&g);
    return rc;
}
