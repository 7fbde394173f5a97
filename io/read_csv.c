/* ---------------------------------------------------------------------------------------------
 * io/read_csv.c — edges in delimited text (CSV, TSV): one edge per line, a chosen delimiter,
 * an optional header line, and the source, target and (optional) weight taken from chosen
 * columns, by number or by header name. Fields may be quoted ("..." with "" for a quote).
 * Lines starting with # or % are comments. Directed unless told otherwise.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>
#include <strings.h>

#define MAX_FIELDS 256

typedef struct csv_ctx {
    amls_raw_graph *g;
    char delim;
    int col[3]; /* 0-based source, target, weight (-1: none) */
    int need;   /* fields a line must have */
    int64_t records;
} csv_ctx;

static bool is_space_delim(char d)
{
    return d == ' ' || d == '\t';
}

/* Splits line in place into at most MAX_FIELDS fields; returns their number, -1 for an
 * unterminated quote, -2 for text after a closing quote. Blanks around fields are dropped; a
 * space or tab delimiter also swallows runs of blanks. */
static int split(char *line, char delim, char **f)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (n == MAX_FIELDS)
            return n;
        char *out = p;
        f[n++] = p;
        if (*p == '"') { /* quoted: "" is a quote, the delimiter is text */
            char *q = p + 1;
            for (;; q++) {
                if (*q == '\0')
                    return -1;
                if (*q == '"' && q[1] == '"')
                    *out++ = *q++;
                else if (*q == '"')
                    break;
                else
                    *out++ = *q;
            }
            p = q + 1;
            while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
        } else {
            while (*p && *p != delim)
                p++;
            out = p;
            while (out > f[n - 1] && (out[-1] == ' ' || out[-1] == '\t' || out[-1] == '\r'))
                out--;
        }
        char at = *p;
        *out = '\0';
        if (at == '\0')
            return n;
        if (at == delim)
            p++;
        else if (!is_space_delim(delim))
            return -2;
    }
}

static int csv_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    csv_ctx *c = ud;
    char *f[MAX_FIELDS];
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int n = split(line, c->delim, f);
    if (n < 0)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              n == -1 ? "unterminated quote" : "text after a quoted field");
    if (n < c->need)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              "%d field(s), the columns chosen need %d (delimiter '%c')", n,
                              c->need, c->delim);
    int64_t id[2];
    for (int k = 0; k < 2; k++) {
        const char *q = f[c->col[k]];
        int r = amls__parse_i64(&q, &id[k]);
        if (r != 1 || !amls__at_end(q))
            return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                                  "%s in column %d (%s): \"%.40s\"", amls__id_error(r),
                                  c->col[k] + 1, k ? "target" : "source", f[c->col[k]]);
        if (id[k] < 0)
            return amls__perr_set(err, AMLS_ERR_RANGE, rel, "negative vertex id %lld",
                                  (long long)id[k]);
    }
    double w = 1.0;
    if (c->col[2] >= 0) {
        const char *q = f[c->col[2]];
        if (amls__parse_f64(&q, &w) != 1 || !amls__at_end(q))
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "expected a number as weight in column %d: \"%.40s\"",
                                  c->col[2] + 1, f[c->col[2]]);
    }
    c->records++;
    return amls__push_edge(c->g, id[0], id[1], w, false, rel, err);
}

/* The columns "A,B[,C]": 1-based numbers, or names from the header (NULL when there is none).
 * Local. */
static int parse_columns(const char *path, const char *spec, char **hdr, int nh, int *col)
{
    int rc = AMLS_OK, n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec ? spec : "1,2");
    col[2] = -1;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        AMLS_CHECK(n < 3, AMLS_ERR_PARAM, "--columns %s: expected SOURCE,TARGET[,WEIGHT]", spec);
        char *end = NULL;
        long k = strtol(t, &end, 10);
        if (*t && *end == '\0') {
            AMLS_CHECK(k >= 1 && k <= MAX_FIELDS, AMLS_ERR_PARAM,
                       "--columns %s: column %ld outside 1..%d", spec, k, MAX_FIELDS);
            col[n++] = (int)k - 1;
            continue;
        }
        int found = -1;
        for (int i = 0; i < nh && found < 0; i++)
            if (strcasecmp(hdr[i], t) == 0)
                found = i;
        AMLS_CHECK(hdr != NULL, AMLS_ERR_PARAM,
                   "--columns %s: names a column ('%s') but %s has no header line", spec, t, path);
        AMLS_CHECK(found >= 0, AMLS_ERR_PARAM, "%s: no column named '%s' in the header line", path,
                   t);
        col[n++] = found;
    }
    AMLS_CHECK(n >= 2, AMLS_ERR_PARAM, "--columns %s: expected SOURCE,TARGET[,WEIGHT]",
               spec ? spec : "");
cleanup:
    return rc;
}

/* A header line is one whose source and target fields are not numbers. */
static bool looks_like_header(char **f, int n, const int *col)
{
    for (int k = 0; k < 2; k++) {
        int64_t x;
        const char *q = col[k] < n ? f[col[k]] : "";
        if (amls__parse_i64(&q, &x) != 1 || !amls__at_end(q))
            return true;
    }
    return false;
}

typedef struct csv_header {
    int64_t lines, skip; /* header lines and the body offset (0, 0: no header) */
} csv_header;

/* The first line decides: a header (given, or detected) names the columns. Local. */
static int read_header(const char *path, const amls_read_opts *o, csv_ctx *c, csv_header *h)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL, *f[MAX_FIELDS];
    int64_t lines = 0, skip = 0;
    AMLS_TRY(amls__header_open(&L, path, "#%", true, "%s: empty file, expected delimited edges",
                               &line, &lines, &skip));
    int n = split(line, c->delim, f);
    AMLS_CHECK(n > 0, AMLS_ERR_PARSE, "%s:%lld: unterminated quote", path, (long long)lines);
    bool named = o->csv_columns && strpbrk(o->csv_columns, "abcdefghijklmnopqrstuvwxyzABCDEFGHI"
                                                           "JKLMNOPQRSTUVWXYZ_") != NULL;
    int probe[3] = {0, 1, -1};
    if (!named)
        AMLS_TRY(parse_columns(path, o->csv_columns, NULL, 0, probe));
    bool header =
        o->csv_header == 1 || (o->csv_header == 0 && (named || looks_like_header(f, n, probe)));
    AMLS_TRY(parse_columns(path, o->csv_columns, header ? f : NULL, header ? n : 0, c->col));
    if (o->csv_columns == NULL && n >= 3)
        c->col[2] = 2; /* like an edge list: a third column is the weight */
    *h = header ? (csv_header){lines, skip} : (csv_header){0, 0};
cleanup:
    amls__lines_close(&L);
    return rc;
}

int amls__read_csv(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    csv_header h = {0};
    char delim =
        o->csv_delimiter
            ? o->csv_delimiter
            : (amls__ends_with(path, ".tsv") || amls__ends_with(path, ".tsv.gz") ? '\t' : ',');
    csv_ctx c = {.g = g, .delim = delim};
    AMLS_AGREE(comm, read_header(path, o, &c, &h));
    c.need = 1 + AMLS_MAX(AMLS_MAX(c.col[0], c.col[1]), c.col[2]);
    AMLS_TRY(amls__read_body(comm, path, h.skip, h.lines, csv_line, &c, NULL));
    AMLS_TRY(amls__finish_edges(comm, g, c.records, 0, c.col[2] >= 0));
    g->directed = amls__want_directed(o->direction, true);
cleanup:
    return rc;
}
