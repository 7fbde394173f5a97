/* ---------------------------------------------------------------------------------------------
 * apps/cmd_linalg.c — solver subcommands: cg, linreg, logreg, als.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "amls/engine.h"
#include "amls/linalg.h"
#include "cli.h"

#include "io/textio.h"
#include "io/util.h"

#include <math.h>
#include <stdio.h>

/* Writes one double per owned vertex as "original-id value" lines. Collective. */
static int write_vertex_values(const amls_graph *g, double *vals, const char *path)
{
    static const amls_vprog vec = {.name = "vector", .state_size = sizeof(double),
                                   .result_type = AMLS_TYPE_F64};
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
                lrc = amls_error(AMLS_ERR_NUMERIC, "%s: the matrix has a NaN or infinite entry",
                                 mat);
        AMLS_TRY(amls_agree(c->comm, lrc, NULL));
    }
    AMLS_TRY(amls_check_symmetric(g));
    b = amls_dvec_new(g);
    x = amls_dvec_new(g);
    AMLS_TRY(amls_agree(c->comm, b && x ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                        NULL));
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
              (long long)g->n, (long long)g->arcs, pre ? pre : "jacobi",
              (long long)info.iterations, info.residual, info.converged ? "yes" : "no",
              info.seconds);
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
