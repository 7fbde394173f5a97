/* ---------------------------------------------------------------------------------------------
 * io/read.c — amls_graph_read and what every reader shares: format names and detection, LDBC
 * properties lookup, the parallel body loop, and the one rule for direction and weights.
 * SPDX-License-Identifier: MIT
 *
 * Each format has its own file (io/read_<format>.c) with a header phase (every rank reads the
 * first lines itself: the Matrix Market banner and size line, the METIS header, the DIMACS
 * problem line) and a body phase in which every rank parses only the lines of its byte range
 * (io/textio.c). Errors name the file and the absolute line; every rank returns the same status.
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <math.h>
#include <stdio.h>

/* Name without a trailing ".gz". */
static void strip_gz(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    size_t n = strlen(out);
    if (n > 3 && strcmp(out + n - 3, ".gz") == 0)
        out[n - 3] = '\0';
}

amls_format amls_format_from_name(const char *path)
{
    char name[4096];
    if (strncmp(path, "gen:", 4) == 0)
        return AMLS_FORMAT_GEN;
    strip_gz(path, name, sizeof name);
    if (amls__ends_with(name, ".mtx") || amls__ends_with(name, ".mm"))
        return AMLS_FORMAT_MTX;
    if (amls__ends_with(name, ".graph") || amls__ends_with(name, ".metis"))
        return AMLS_FORMAT_METIS;
    if (amls__ends_with(name, ".gr") || amls__ends_with(name, ".dimacs"))
        return AMLS_FORMAT_DIMACS;
    if (amls__ends_with(name, ".e") || amls__ends_with(name, ".v") ||
        amls__ends_with(name, ".properties"))
        return AMLS_FORMAT_LDBC;
    if (amls__ends_with(name, ".csv") || amls__ends_with(name, ".tsv"))
        return AMLS_FORMAT_CSV;
    return AMLS_FORMAT_EDGELIST;
}

int amls_format_parse(const char *name)
{
    static const char *names[] = {"auto",  "edgelist", "ldbc", "mtx",
                                  "metis", "dimacs",   "gen",  "csv"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *amls_format_name(amls_format f)
{
    switch (f) {
    case AMLS_FORMAT_EDGELIST:
        return "edgelist";
    case AMLS_FORMAT_LDBC:
        return "ldbc";
    case AMLS_FORMAT_MTX:
        return "mtx";
    case AMLS_FORMAT_METIS:
        return "metis";
    case AMLS_FORMAT_DIMACS:
        return "dimacs";
    case AMLS_FORMAT_GEN:
        return "gen";
    case AMLS_FORMAT_CSV:
        return "csv";
    default:
        return "auto";
    }
}

const char *amls_props_get(const char *props, const char *key)
{
    static _Thread_local char value[256];
    if (props == NULL)
        return NULL;
    size_t klen = strlen(key);
    for (const char *line = props; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        /* Match "graph.<name>.<key> = value": the key must follow a '.' and precede '=' or ws. */
        const char *eq = memchr(line, '=', len);
        if (line[0] != '#' && eq != NULL) {
            const char *kend = eq;
            while (kend > line && (kend[-1] == ' ' || kend[-1] == '\t'))
                kend--;
            size_t kl = (size_t)(kend - line);
            if (kl > klen && line[kl - klen - 1] == '.' &&
                strncmp(line + kl - klen, key, klen) == 0) {
                const char *v = eq + 1;
                while (v < line + len && (*v == ' ' || *v == '\t'))
                    v++;
                size_t vl = (size_t)(line + len - v);
                while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\r' || v[vl - 1] == '\t'))
                    vl--;
                if (vl >= sizeof value)
                    vl = sizeof value - 1;
                memcpy(value, v, vl);
                value[vl] = '\0';
                return value;
            }
        }
        line = eol ? eol + 1 : line + len;
    }
    return NULL;
}

int amls__push_edge(amls_raw_graph *g, int64_t u, int64_t v, double w, bool mirror, int64_t rel,
                    amls__perr *err)
{
    if (!isfinite(w))
        return amls__perr_set(err, AMLS_ERR_NUMERIC, rel,
                              "edge %lld -> %lld: weight %g is not a finite number", (long long)u,
                              (long long)v, w);
    int prc = amls_raw_graph_push(g, u, v, w);
    if (prc == AMLS_OK && mirror && u != v)
        prc = amls_raw_graph_push(g, v, u, w);
    return prc < 0 ? amls__perr_set(err, prc, rel, "%s", amls_last_error()) : 0;
}

const char *amls__id_error(int r)
{
    return r == -2 ? "vertex id does not fit in a signed 64-bit integer" : "expected a vertex id";
}

int amls__finish_edges(MPI_Comm comm, amls_raw_graph *g, int64_t records, int64_t with_w,
                       int has_weights)
{
    int rc = AMLS_OK;
    int64_t cnt[2] = {records, with_w};
    AMLS_TRY(amls__allreduce_i64(comm, cnt, 2, MPI_SUM));
    if (records >= 0)
        g->edges_read = cnt[0];
    g->weighted = has_weights < 0 ? cnt[1] > 0 : has_weights > 0;
cleanup:
    return rc;
}

/* The fraction of this rank's share read so far (for progress lines). */
static double share_done(const amls__lines *L)
{
    int64_t hi = L->hi == INT64_MAX ? L->size : L->hi;
    return hi > L->lo ? (double)(amls__lines_end_offset(L) - L->lo) / (double)(hi - L->lo) : 1.0;
}

/* Reads this rank's lines, stopping at the first parse error. Local; returns an I/O error. */
static int scan_lines(amls__lines *L, amls__line_fn fn, void *ud, amls__perr *err)
{
    char *line = NULL;
    size_t len = 0;
    amls__progress("reading", 0.0);
    while (err->code == 0) {
        int r = amls__lines_next(L, &line, &len);
        if (r < 0)
            return r;
        if (r == 0)
            break;
        if (L->line_has_nul)
            amls__perr_set(err, AMLS_ERR_PARSE, L->nlines - 1, "%s", amls__nul_error);
        else
            fn(ud, line, L->nlines - 1, err);
        if ((L->nlines & 0xffff) == 0)
            amls__progress("reading", share_done(L));
    }
    amls__progress("reading", 1.0);
    return AMLS_OK;
}

int amls__read_body(MPI_Comm comm, const char *path, int64_t skip, int64_t header_lines,
                    amls__line_fn fn, void *ud, amls__body *res)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    amls__perr err = {0};
    int64_t before = 0;
    rc = amls__lines_open(&L, comm, path, skip);
    if (rc < 0)
        goto cleanup;
    int io_rc = scan_lines(&L, fn, ud, &err);
    AMLS_TRY(amls__exscan_i64(comm, L.nlines, &before));
    if (res) {
        res->nlines = L.nlines;
        res->lines_before = header_lines + before;
    }
    AMLS_AGREE(comm, io_rc);
    rc = amls__perr_finish(comm, &err, path, header_lines + before);
cleanup:
    amls__lines_close(&L);
    return rc;
}

const char amls__nul_error[] = "NUL byte in the line: binary data, not text";

int amls__header_line(amls__lines *L, const char *comment, bool skip_blank, char **line)
{
    size_t len = 0;
    for (;;) {
        int r = amls__lines_next(L, line, &len);
        if (r <= 0)
            return r;
        if (L->line_has_nul)
            return amls_error(AMLS_ERR_PARSE, "%s:%lld: %s", L->path, (long long)L->nlines,
                              amls__nul_error);
        const char *p = amls__skip_ws(*line);
        if (*p == '\0' ? !skip_blank : strchr(comment, *p) == NULL)
            return 1;
    }
}

int amls__header_open(amls__lines *L, const char *path, const char *comment, bool skip_blank,
                      const char *missing, char **line, int64_t *lines, int64_t *skip)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__lines_open_local(L, path));
    int r = amls__header_line(L, comment, skip_blank, line);
    AMLS_TRY(r);
    AMLS_CHECK(r == 1, AMLS_ERR_HEADER, missing, path);
    *lines = L->nlines;
    *skip = amls__lines_end_offset(L);
cleanup:
    return rc;
}

/* A generator spec as a raw graph. Collective. */
static int read_gen(MPI_Comm comm, const char *spec, const amls_read_opts *o, amls_raw_graph *out)
{
    int rc = AMLS_OK;
    amls_gen_spec s;
    AMLS_AGREE(comm, amls_gen_spec_parse(spec, &s));
    AMLS_TRY(amls__generate(comm, &s, o->compact, out));
    out->directed = amls__want_directed(o->direction, out->directed);
cleanup:
    return rc;
}

/* The reader of format f. Collective. */
static int read_format(MPI_Comm comm, const char *path, amls_format f, const amls_read_opts *o,
                       amls_raw_graph *out)
{
    switch (f) {
    case AMLS_FORMAT_GEN:
        return read_gen(comm, path, o, out);
    case AMLS_FORMAT_LDBC:
        return amls__read_ldbc(comm, path, o, out);
    case AMLS_FORMAT_MTX:
        return amls__read_mtx(comm, path, o, out);
    case AMLS_FORMAT_METIS:
        return amls__read_metis(comm, path, o, out);
    case AMLS_FORMAT_DIMACS:
        return amls__read_dimacs(comm, path, o, out);
    case AMLS_FORMAT_CSV:
        return amls__read_csv(comm, path, o, out);
    default:
        return amls__read_edgelist(comm, path, o, out);
    }
}

int amls_graph_read(MPI_Comm comm, const char *path, const amls_read_opts *opts,
                    amls_raw_graph *out)
{
    int rc = AMLS_OK;
    amls_read_opts o = {0};
    if (opts)
        o = *opts;
    memset(out, 0, sizeof *out);
    amls_format f = o.format != AMLS_FORMAT_AUTO ? o.format : amls_format_from_name(path);
    out->format = f;
    out->directed = true;
    out->compact = o.compact;
    AMLS_TRY(read_format(comm, path, f, &o, out));
    amls__raw_graph_trim(out);
cleanup:
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}
