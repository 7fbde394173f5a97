/* ---------------------------------------------------------------------------------------------
 * io/read_vector.c — dense vectors (right-hand sides): a Matrix Market array or coordinate
 * vector, or "row value" lines. Vectors are small next to their matrix: every rank reads the
 * whole file and keeps the rows it asked for.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <math.h>

typedef struct vec_ctx {
    const char *path;
    int64_t nrows;
    const int64_t *key, *idx; /* the requested rows, sorted, and their positions */
    int64_t n;
    double *vals;
    int64_t row, seen, lineno;
    bool array, coord, header_done;
} vec_ctx;

/* The row of an entry line: the next row of an array, else the first field (and, in a
 * coordinate vector "row 1 value", the column is skipped). Local. */
static int entry_row(vec_ctx *c, const char **p, int64_t *at)
{
    if (c->array) {
        *at = ++c->row;
        return AMLS_OK;
    }
    if (amls__parse_i64(p, at) != 1)
        return amls_error(AMLS_ERR_PARSE, "%s:%lld: expected 'row [col] value'", c->path,
                          (long long)c->lineno);
    if (c->coord) {
        int64_t col;
        const char *q = *p;
        if (amls__parse_i64(&q, &col) == 1 && strchr(q, '.') == NULL && !amls__at_end(q))
            *p = q;
    }
    return AMLS_OK;
}

static int vector_line(vec_ctx *c, const char *line)
{
    int rc = AMLS_OK;
    int64_t at = 0;
    double v = 0;
    if (c->lineno == 1 && strncmp(line, "%%MatrixMarket", 14) == 0) {
        c->array = strstr(line, "array") != NULL;
        c->coord = !c->array;
        return AMLS_OK;
    }
    const char *p = amls__skip_ws(line);
    if (*p == '%' || *p == '#' || *p == '\0')
        return AMLS_OK;
    if ((c->array || c->coord) && !c->header_done) {
        int64_t rows = 0;
        AMLS_CHECK(amls__parse_i64(&p, &rows) == 1 && rows == c->nrows, AMLS_ERR_DIM,
                   "%s:%lld: right-hand side has %lld rows, the matrix %lld", c->path,
                   (long long)c->lineno, (long long)rows, (long long)c->nrows);
        c->header_done = true;
        return AMLS_OK;
    }
    AMLS_TRY(entry_row(c, &p, &at));
    AMLS_CHECK(amls__parse_f64(&p, &v) == 1 && isfinite(v),
               isfinite(v) ? AMLS_ERR_PARSE : AMLS_ERR_NUMERIC, "%s:%lld: expected a finite value",
               c->path, (long long)c->lineno);
    int64_t pos = amls__bsearch_i64(c->key, c->n, at);
    if (pos >= 0) {
        c->vals[c->idx[pos]] = v;
        c->seen++;
    }
    AMLS_CHECK(at >= 1 && at <= c->nrows, AMLS_ERR_DIM, "%s:%lld: row %lld outside 1..%lld",
               c->path, (long long)c->lineno, (long long)at, (long long)c->nrows);
cleanup:
    return rc;
}

/* Sorts the requested rows (with their positions) and reads the whole file. Local. */
static int read_local(vec_ctx *c, const int64_t *rows, int64_t *key, int64_t *idx)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL;
    size_t len = 0;
    for (int64_t i = 0; i < c->n; i++) {
        key[i] = rows[i];
        idx[i] = i;
    }
    AMLS_TRY(amls__sort_i64(key, idx, (size_t)c->n));
    AMLS_TRY(amls__lines_open_local(&L, c->path));
    int r;
    while ((r = amls__lines_next(&L, &line, &len)) > 0) {
        c->lineno++;
        AMLS_CHECK(!L.line_has_nul, AMLS_ERR_PARSE, "%s:%lld: %s", c->path, (long long)c->lineno,
                   amls__nul_error);
        AMLS_TRY(vector_line(c, line));
    }
    AMLS_TRY(r);
cleanup:
    amls__lines_close(&L);
    return rc;
}

int amls_vector_read(MPI_Comm comm, const char *path, int64_t nrows, const int64_t *rows, int64_t n,
                     double *vals)
{
    int rc = AMLS_OK, rank = 0;
    int64_t *key = NULL, *idx = NULL;
    vec_ctx c = {.path = path, .nrows = nrows, .n = n, .vals = vals};
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    key = amls__malloc((size_t)n + 1, sizeof *key);
    idx = amls__malloc((size_t)n + 1, sizeof *idx);
    c.key = key;
    c.idx = idx;
    AMLS_AGREE(comm, key && idx ? read_local(&c, rows, key, idx) : amls__alloc_status(false));
    int64_t seen = c.seen;
    AMLS_TRY(amls__allreduce_i64(comm, &seen, 1, MPI_SUM));
    if (seen != nrows && !c.coord)
        AMLS_AGREE(comm, rank == 0 ? amls_error(AMLS_ERR_DIM,
                                                "%s: right-hand side has %lld entries, the matrix "
                                                "%lld rows",
                                                path, (long long)seen, (long long)nrows)
                                   : AMLS_ERR_DIM);
cleanup:
    amls__free(key);
    amls__free(idx);
    return rc;
}
