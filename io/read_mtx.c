/* ---------------------------------------------------------------------------------------------
 * io/read_mtx.c — Matrix Market coordinate files: pattern, real or integer entries, general
 * (directed) or symmetric (undirected); vertices are the row/column indices 1..max(M, N).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>
#include <strings.h>

typedef struct mtx_ctx {
    amls_raw_graph *g;
    int64_t nrows, ncols;
    bool pattern, mirror;
    int64_t records;
} mtx_ctx;

static int mtx_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    mtx_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '%')
        return 0;
    int64_t i, j;
    double v = 1.0;
    int r = amls__parse_i64(&p, &i);
    int r2 = r == 1 ? amls__parse_i64(&p, &j) : r;
    if (r != 1 || r2 != 1)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "expected 'row column%s' in \"%.60s\"",
                              c->pattern ? "" : " value", line);
    if (!c->pattern) {
        r = amls__parse_f64(&p, &v);
        if (r != 1)
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "expected a numeric value after the indices in \"%.60s\"", line);
    }
    if (!amls__at_end(p))
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "unexpected extra field in \"%.60s\"",
                              line);
    if (i < 1 || i > c->nrows || j < 1 || j > c->ncols)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel,
                              "entry (%lld, %lld) outside the %lld x %lld matrix of the header",
                              (long long)i, (long long)j, (long long)c->nrows, (long long)c->ncols);
    c->records++;
    return amls__push_edge(c->g, i, j, v, c->mirror, rel, err);
}

typedef struct mtx_header {
    long long m, n, nnz;
    char field[32], sym[32];
    int64_t lines, size_line, skip; /* header lines, the size line's number, body offset */
} mtx_header;

/* The banner "%%MatrixMarket matrix coordinate <field> <symmetry>". Local. */
static int parse_banner(const char *path, const char *line, mtx_header *h)
{
    int rc = AMLS_OK;
    char obj[32] = "", fmt[32] = "";
    AMLS_CHECK(strncasecmp(line, "%%MatrixMarket", 14) == 0 &&
                   sscanf(line + 14, "%31s %31s %31s %31s", obj, fmt, h->field, h->sym) == 4,
               AMLS_ERR_HEADER,
               "%s:1: expected '%%%%MatrixMarket matrix coordinate <field> <symmetry>'", path);
    AMLS_CHECK(strcasecmp(obj, "matrix") == 0 && strcasecmp(fmt, "coordinate") == 0,
               AMLS_ERR_FORMAT, "%s:1: only 'matrix coordinate' Matrix Market files are supported",
               path);
    AMLS_CHECK(!strcasecmp(h->field, "pattern") || !strcasecmp(h->field, "real") ||
                   !strcasecmp(h->field, "integer"),
               AMLS_ERR_FORMAT,
               "%s:1: field '%s' not supported (expected pattern, real or integer)", path,
               h->field);
    AMLS_CHECK(!strcasecmp(h->sym, "general") || !strcasecmp(h->sym, "symmetric"), AMLS_ERR_FORMAT,
               "%s:1: symmetry '%s' not supported (expected general or symmetric)", path, h->sym);
cleanup:
    return rc;
}

/* The banner and the size line "M N NNZ", read by this rank alone. Local. */
static int read_header(const char *path, mtx_header *h)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL;
    AMLS_TRY(amls__header_open(&L, path, "", false,
                               "%s:1: expected '%%%%MatrixMarket matrix coordinate <field> "
                               "<symmetry>'",
                               &line, &h->lines, &h->skip));
    AMLS_TRY(parse_banner(path, line, h));
    int r = amls__header_line(&L, "%", true, &line);
    AMLS_TRY(r);
    AMLS_CHECK(r == 1, AMLS_ERR_HEADER, "%s:%lld: missing size line 'M N NNZ'", path,
               (long long)L.nlines + 1);
    h->size_line = h->lines = L.nlines;
    h->skip = amls__lines_end_offset(&L);
    char extra[8];
    AMLS_CHECK(sscanf(line, "%lld %lld %lld %7s", &h->m, &h->n, &h->nnz, extra) == 3 && h->m >= 0 &&
                   h->n >= 0 && h->nnz >= 0,
               AMLS_ERR_HEADER, "%s:%lld: expected the size line 'M N NNZ', got \"%.60s\"", path,
               (long long)h->lines, line);
cleanup:
    amls__lines_close(&L);
    return rc;
}

int amls__read_mtx(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    mtx_header h = {0};
    AMLS_AGREE(comm, read_header(path, &h));
    AMLS_CHECK(h.m == h.n || o->allow_rectangular, AMLS_ERR_FORMAT,
               "%s:%lld: matrix is %lld x %lld; a graph needs a square matrix", path,
               (long long)h.size_line, h.m, h.n);
    bool symmetric = strcasecmp(h.sym, "symmetric") == 0;
    g->directed = amls__want_directed(o->direction, !symmetric);
    mtx_ctx c = {.g = g,
                 .nrows = h.m,
                 .ncols = h.n,
                 .pattern = strcasecmp(h.field, "pattern") == 0,
                 .mirror = symmetric && g->directed};
    AMLS_TRY(amls__read_body(comm, path, h.skip, h.lines, mtx_line, &c, NULL));
    AMLS_TRY(amls__finish_edges(comm, g, c.records, 0, !c.pattern));
    AMLS_CHECK(g->edges_read == h.nnz, AMLS_ERR_HEADER,
               "%s:%lld: the size line declares %lld entries but the file holds %lld", path,
               (long long)h.size_line, h.nnz, (long long)g->edges_read);
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = AMLS_MAX(h.m, h.n);
cleanup:
    return rc;
}
