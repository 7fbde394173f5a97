/* ---------------------------------------------------------------------------------------------
 * io/read_metis.c — METIS graph files: the header "n m [fmt [ncon]]", then one line of
 * neighbours (1-based) per vertex, with vertex sizes/weights and edge weights as fmt says; an
 * empty line is an isolated vertex. Undirected unless told otherwise.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>

typedef struct metis_ctx {
    amls_raw_graph *g;
    int64_t n;
    bool has_vsize, has_ew;
    int ncon;
    int64_t vlines;        /* vertex lines on this rank */
    int64_t last_nonblank; /* relative index of the last vertex line with content, or -1 */
    int64_t entries;       /* adjacency entries on this rank */
} metis_ctx;

static int metis_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    metis_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '%')
        return 0;
    int64_t vrel = c->vlines++;
    if (*p == '\0')
        return 0;
    c->last_nonblank = vrel;
    int64_t x;
    int skipn = (c->has_vsize ? 1 : 0) + c->ncon;
    for (int k = 0; k < skipn; k++) {
        if (amls__parse_i64(&p, &x) != 1)
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "expected %d vertex size/weight value(s) before the neighbours",
                                  skipn);
    }
    for (;;) {
        int64_t nb;
        int r = amls__parse_i64(&p, &nb);
        if (r == 0)
            break;
        if (r < 0)
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "expected a neighbour index in \"%.60s\"", line);
        if (nb < 1 || nb > c->n)
            return amls__perr_set(err, AMLS_ERR_RANGE, rel,
                                  "neighbour %lld outside 1..%lld (the header's vertex count)",
                                  (long long)nb, (long long)c->n);
        double w = 1.0;
        if (c->has_ew) {
            int64_t wi;
            if (amls__parse_i64(&p, &wi) != 1)
                return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                      "expected an edge weight after neighbour %lld",
                                      (long long)nb);
            w = (double)wi;
        }
        c->entries++;
        /* Source is the relative vertex index for now; made absolute after the scan. */
        int prc = amls_raw_graph_push(c->g, vrel, nb, w);
        if (prc < 0)
            return amls__perr_set(err, prc, rel, "%s", amls_last_error());
    }
    return 0;
}

typedef struct metis_header {
    long long n, m;
    int fmt, ncon;
    int64_t lines, skip; /* header lines (the header's line number) and the body offset */
} metis_header;

/* The header "n m [fmt [ncon]]", read by this rank alone. Local. */
static int read_header(const char *path, metis_header *h)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL, fmts[16] = "0";
    AMLS_TRY(amls__header_open(&L, path, "%", false, "%s: empty file, expected 'n m [fmt]'", &line,
                               &h->lines, &h->skip));
    int got = sscanf(amls__skip_ws(line), "%lld %lld %15s %d", &h->n, &h->m, fmts, &h->ncon);
    bool okfmt = strspn(fmts, "01") == strlen(fmts) && strlen(fmts) <= 3;
    AMLS_CHECK(got >= 2 && h->n >= 0 && h->m >= 0 && okfmt, AMLS_ERR_HEADER,
               "%s:%lld: expected the METIS header 'n m [fmt [ncon]]', got \"%.60s\"", path,
               (long long)h->lines, line);
    h->fmt = atoi(fmts);
cleanup:
    amls__lines_close(&L);
    return rc;
}

/* The counts over all ranks must match the header. Collective. */
static int check_counts(MPI_Comm comm, const char *path, const metis_header *h, metis_ctx *c,
                        int64_t vbefore)
{
    int rc = AMLS_OK;
    int64_t cnt[2] = {c->vlines, c->entries};
    int64_t glast = c->last_nonblank >= 0 ? vbefore + c->last_nonblank : -1;
    AMLS_TRY(amls__allreduce_i64(comm, cnt, 2, MPI_SUM));
    AMLS_TRY(amls__allreduce_i64(comm, &glast, 1, MPI_MAX));
    AMLS_CHECK(glast < h->n, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld vertices but the file has more vertex lines",
               path, (long long)h->lines, h->n);
    AMLS_CHECK(cnt[0] >= h->n, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld vertices but the file has %lld vertex lines",
               path, (long long)h->lines, h->n, (long long)cnt[0]);
    AMLS_CHECK(cnt[1] == 2 * h->m, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld edges, so 2*%lld adjacency entries, but the file "
               "has %lld",
               path, (long long)h->lines, h->m, h->m, (long long)cnt[1]);
cleanup:
    return rc;
}

int amls__read_metis(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    metis_header h = {0};
    AMLS_AGREE(comm, read_header(path, &h));
    metis_ctx c = {.g = g,
                   .n = h.n,
                   .has_vsize = h.fmt / 100 % 10 == 1,
                   .has_ew = h.fmt % 10 == 1,
                   .ncon = h.fmt / 10 % 10 == 1 ? (h.ncon > 0 ? h.ncon : 1) : 0,
                   .last_nonblank = -1};
    AMLS_TRY(amls__read_body(comm, path, h.skip, h.lines, metis_line, &c, NULL));
    /* Vertex numbers: count vertex lines before this rank. */
    int64_t vbefore = 0;
    AMLS_TRY(amls__exscan_i64(comm, c.vlines, &vbefore));
    AMLS_AGREE(comm, amls__raw_graph_shift_src(g, vbefore + 1));
    AMLS_TRY(check_counts(comm, path, &h, &c, vbefore));
    g->edges_read = h.m;
    AMLS_TRY(amls__finish_edges(comm, g, -1, 0, c.has_ew));
    g->directed = amls__want_directed(o->direction, false);
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = h.n;
cleanup:
    return rc;
}
