/* ---------------------------------------------------------------------------------------------
 * io/read_dimacs.c — DIMACS graphs: "p sp n m" with "a u v w" arcs (directed, weighted), or
 * "p tw n m" with "u v" lines and "p edge n m" with "e u v" lines (undirected).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>

typedef struct dimacs_ctx {
    amls_raw_graph *g;
    int64_t n;
    char kind; /* 's' (p sp: a u v w), 't' (p tw: u v), 'e' (p edge: e u v) */
    bool mirror;
    int64_t records;
} dimacs_ctx;

static int dimacs_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    dimacs_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == 'c')
        return 0;
    if (c->kind == 's' || c->kind == 'e') {
        char want = c->kind == 's' ? 'a' : 'e';
        if (*p != want)
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "expected an '%c' line ('%c u v%s'), got \"%.60s\"", want, want,
                                  c->kind == 's' ? " w" : "", line);
        p++;
    }
    int64_t u, v;
    double w = 1.0;
    int r = amls__parse_i64(&p, &u);
    int r2 = r == 1 ? amls__parse_i64(&p, &v) : r;
    if (r != 1 || r2 != 1)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "expected two vertex ids in \"%.60s\"",
                              line);
    if (c->kind == 's' && amls__parse_f64(&p, &w) != 1)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "expected 'a u v w' in \"%.60s\"", line);
    if (!amls__at_end(p))
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "unexpected extra field in \"%.60s\"",
                              line);
    if (u < 1 || u > c->n || v < 1 || v > c->n)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel,
                              "vertex id outside 1..%lld (the problem line's count) in \"%.60s\"",
                              (long long)c->n, line);
    c->records++;
    return amls__push_edge(c->g, u, v, w, c->mirror, rel, err);
}

typedef struct dimacs_header {
    char kind[16];
    long long n, m;
    int64_t lines, skip; /* header lines (the problem line's number) and the body offset */
} dimacs_header;

/* Comment lines, then the problem line "p sp|tw|edge n m", read by this rank alone. Local. */
static int read_header(const char *path, dimacs_header *h)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL;
    AMLS_TRY(amls__header_open(&L, path, "c", true, "%s: no problem line 'p sp|tw|edge n m'", &line,
                               &h->lines, &h->skip));
    AMLS_CHECK(sscanf(amls__skip_ws(line), "p %15s %lld %lld", h->kind, &h->n, &h->m) == 3 &&
                   h->n >= 0 && h->m >= 0 &&
                   (!strcmp(h->kind, "sp") || !strcmp(h->kind, "tw") || !strcmp(h->kind, "edge")),
               AMLS_ERR_HEADER,
               "%s:%lld: expected the problem line 'p sp|tw|edge n m', got \"%.60s\"", path,
               (long long)h->lines, line);
cleanup:
    amls__lines_close(&L);
    return rc;
}

int amls__read_dimacs(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    dimacs_header h = {0};
    AMLS_AGREE(comm, read_header(path, &h));
    bool file_directed = strcmp(h.kind, "sp") == 0;
    g->directed = amls__want_directed(o->direction, file_directed);
    dimacs_ctx c = {.g = g,
                    .n = h.n,
                    .kind = file_directed ? 's' : (strcmp(h.kind, "tw") == 0 ? 't' : 'e'),
                    .mirror = !file_directed && g->directed};
    AMLS_TRY(amls__read_body(comm, path, h.skip, h.lines, dimacs_line, &c, NULL));
    AMLS_TRY(amls__finish_edges(comm, g, c.records, 0, file_directed));
    AMLS_CHECK(g->edges_read == h.m, AMLS_ERR_HEADER,
               "%s:%lld: the problem line declares %lld %s but the file has %lld", path,
               (long long)h.lines, h.m, file_directed ? "arcs" : "edges", (long long)g->edges_read);
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = h.n;
cleanup:
    return rc;
}
