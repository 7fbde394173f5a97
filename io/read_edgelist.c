/* ---------------------------------------------------------------------------------------------
 * io/read_edgelist.c — edge lists ("src dst [weight]" lines, SNAP style: # and % comments,
 * spaces or tabs, CRLF, .gz), also the body of LDBC .e files. Directed unless told otherwise.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

int amls__edgelist_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    amls__el_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int64_t u, v;
    double w = 1.0;
    int r = amls__parse_i64(&p, &u);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s (source) in \"%.60s\"", amls__id_error(r), line);
    r = amls__parse_i64(&p, &v);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s (target) in \"%.60s\": expected 'src dst [weight]'",
                              r == 0 ? "missing target" : amls__id_error(r), line);
    r = amls__parse_f64(&p, &w);
    if (r < 0)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel, "expected a number as weight in \"%.60s\"",
                              line);
    if (r == 1)
        c->with_w++;
    if (!amls__at_end(p))
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              "unexpected extra field in \"%.60s\": expected 'src dst [weight]'",
                              line);
    if (u < 0 || v < 0)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel, "negative vertex id in \"%.60s\"", line);
    c->records++;
    return amls__push_edge(c->g, u, v, w, false, rel, err);
}

int amls__read_edgelist(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__el_ctx c = {.g = g};
    AMLS_TRY(amls__read_body(comm, path, 0, 0, amls__edgelist_line, &c, NULL));
    AMLS_TRY(amls__finish_edges(comm, g, c.records, c.with_w, -1));
    g->directed = amls__want_directed(o->direction, true);
cleanup:
    return rc;
}
