/* ---------------------------------------------------------------------------------------------
 * io/read_graph.c — parallel readers for edge lists, LDBC Graphalytics, Matrix Market, METIS
 * and DIMACS graph files.
 * SPDX-License-Identifier: MIT
 *
 * Each reader has a header phase (every rank reads the first lines itself: the Matrix Market
 * banner and size line, the METIS header, the DIMACS problem line) and a body phase in which
 * every rank parses only the lines of its byte range (io/textio.h). Errors name the file and
 * the absolute line; every rank returns the same status.
 * ------------------------------------------------------------------------------------------- */
#include "io/textio.h"

#include "amls/io.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- raw graph helpers ------------------------------------------------------------------ */

void amls_raw_graph_free(amls_raw_graph *g)
{
    if (g == NULL)
        return;
    amls__free(g->src);
    amls__free(g->dst);
    amls__free(g->w);
    amls__free(g->vlist);
    amls__free(g->props);
    memset(g, 0, sizeof *g);
}

int amls_raw_graph_push(amls_raw_graph *g, amls_vid u, amls_vid v, double w)
{
    if (g->nedges == g->cap) {
        int64_t ncap = g->cap ? 2 * g->cap : 4096;
        amls_vid *ns = amls__realloc(g->src, (size_t)ncap, sizeof *ns);
        if (ns == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory storing %lld edges", (long long)ncap);
        g->src = ns;
        amls_vid *nd = amls__realloc(g->dst, (size_t)ncap, sizeof *nd);
        if (nd == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory storing %lld edges", (long long)ncap);
        g->dst = nd;
        double *nw = amls__realloc(g->w, (size_t)ncap, sizeof *nw);
        if (nw == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory storing %lld edges", (long long)ncap);
        g->w = nw;
        g->cap = ncap;
    }
    g->src[g->nedges] = u;
    g->dst[g->nedges] = v;
    g->w[g->nedges] = w;
    g->nedges++;
    return AMLS_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

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
    if (ends_with(name, ".mtx") || ends_with(name, ".mm"))
        return AMLS_FORMAT_MTX;
    if (ends_with(name, ".graph") || ends_with(name, ".metis"))
        return AMLS_FORMAT_METIS;
    if (ends_with(name, ".gr") || ends_with(name, ".dimacs"))
        return AMLS_FORMAT_DIMACS;
    if (ends_with(name, ".e") || ends_with(name, ".v") || ends_with(name, ".properties"))
        return AMLS_FORMAT_LDBC;
    return AMLS_FORMAT_EDGELIST;
}

int amls_format_parse(const char *name)
{
    static const char *names[] = {"auto", "edgelist", "ldbc", "mtx", "metis", "dimacs", "gen"};
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

/* Stores one edge (and its reverse when `mirror`), turning a failure into a line error. */
static int push_edge(amls_raw_graph *g, int64_t u, int64_t v, double w, bool mirror, int64_t rel,
                     amls__perr *err)
{
    int prc = amls_raw_graph_push(g, u, v, w);
    if (prc == AMLS_OK && mirror && u != v)
        prc = amls_raw_graph_push(g, v, u, w);
    return prc < 0 ? amls__perr_set(err, prc, rel, "%s", amls_last_error()) : 0;
}

/* ---- the common body loop ---------------------------------------------------------------- */

typedef int (*line_fn)(void *ud, char *line, int64_t rel, amls__perr *err);

typedef struct body_result {
    int64_t nlines;       /* lines this rank read */
    int64_t lines_before; /* absolute line number of this rank's first line, minus one */
} body_result;

/* Runs `fn` on every line of this rank's share of [skip, EOF). Collective; agreed status.
 * `header_lines` is the number of lines in [0, skip). */
static int read_body(MPI_Comm comm, const char *path, int64_t skip, int64_t header_lines,
                     line_fn fn, void *ud, body_result *res)
{
    amls__lines L;
    amls__perr err = {0};
    int rc = amls__lines_open(&L, comm, path, skip);
    if (rc < 0) {
        amls__lines_close(&L);
        return rc;
    }
    int io_rc = AMLS_OK;
    char *line = NULL;
    size_t len = 0;
    while (err.code == 0) {
        int r = amls__lines_next(&L, &line, &len);
        if (r < 0) {
            io_rc = r;
            break;
        }
        if (r == 0)
            break;
        fn(ud, line, L.nlines - 1, &err);
    }
    int64_t before = 0;
    rc = amls__exscan_i64(comm, L.nlines, &before);
    res->nlines = L.nlines;
    res->lines_before = header_lines + before;
    amls__lines_close(&L);
    if (rc < 0)
        return rc;
    if (io_rc < 0)
        return amls_agree(comm, io_rc, NULL);
    return amls__perr_finish(comm, &err, path, res->lines_before);
}

static const char *id_error(int r)
{
    return r == -2 ? "vertex id does not fit in a signed 64-bit integer" : "expected a vertex id";
}

/* ---- edge lists (SNAP, LDBC .e) ---------------------------------------------------------- */

typedef struct el_ctx {
    amls_raw_graph *g;
    bool mirror;     /* store the reverse too (symmetric input forced directed) */
    int64_t records; /* edge records on this rank */
    int64_t with_w;  /* records carrying a weight */
} el_ctx;

static int edgelist_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    el_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int64_t u, v;
    double w = 1.0;
    int r = amls__parse_i64(&p, &u);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s (source) in \"%.60s\"", id_error(r), line);
    r = amls__parse_i64(&p, &v);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s (target) in \"%.60s\": expected 'src dst [weight]'",
                              r == 0 ? "missing target" : id_error(r), line);
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
    return push_edge(c->g, u, v, w, c->mirror, rel, err);
}

static int finish_counts(MPI_Comm comm, amls_raw_graph *g, int64_t records, int64_t with_w)
{
    int rc = AMLS_OK;
    int64_t loc[2] = {records, with_w}, glob[2] = {0, 0};
    AMLS_MPI_TRY(MPI_Allreduce(loc, glob, 2, MPI_INT64_T, MPI_SUM, comm));
    g->edges_read = glob[0];
    g->weighted = glob[1] > 0;
cleanup:
    return rc;
}

static int read_edgelist(MPI_Comm comm, const char *path, amls_raw_graph *g)
{
    el_ctx c = {.g = g};
    body_result res;
    int rc = read_body(comm, path, 0, 0, edgelist_line, &c, &res);
    if (rc < 0)
        return rc;
    return finish_counts(comm, g, c.records, c.with_w);
}

/* ---- LDBC Graphalytics ------------------------------------------------------------------- */

static int slurp(const char *path, char **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return AMLS_ERR_NOT_FOUND;
    amls__vec v;
    amls__vec_init(&v, 1);
    char tmp[4096];
    size_t got;
    int rc = AMLS_OK;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) {
        for (size_t i = 0; i < got && rc == AMLS_OK; i++)
            rc = amls__vec_push(&v, &tmp[i]);
    }
    char nul = '\0';
    if (rc == AMLS_OK)
        rc = amls__vec_push(&v, &nul);
    fclose(f);
    if (rc < 0) {
        amls__vec_free(&v);
        return rc;
    }
    *out = amls__vec_steal(&v);
    return AMLS_OK;
}

typedef struct v_ctx {
    amls__vec ids;
} v_ctx;

static int vfile_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    v_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int64_t id;
    int r = amls__parse_i64(&p, &id);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s in \"%.60s\"", id_error(r), line);
    if (!amls__at_end(p))
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              "unexpected extra field in \"%.60s\": expected one vertex id", line);
    if (id < 0)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel, "negative vertex id in \"%.60s\"", line);
    int prc = amls__vec_push_i64(&c->ids, id);
    if (prc < 0)
        return amls__perr_set(err, prc, rel, "%s", amls_last_error());
    return 0;
}

static int read_ldbc(MPI_Comm comm, const char *path, amls_direction dir, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    char base[4096], vpath[4200], epath[4200], ppath[4200];
    char *props = NULL;
    v_ctx vc;
    amls__vec_init(&vc.ids, sizeof(int64_t));
    snprintf(base, sizeof base, "%s", path);
    size_t n = strlen(base);
    if (ends_with(base, ".e") || ends_with(base, ".v"))
        base[n - 2] = '\0';
    else if (ends_with(base, ".properties"))
        base[n - 11] = '\0';
    snprintf(vpath, sizeof vpath, "%s.v", base);
    snprintf(epath, sizeof epath, "%s.e", base);
    snprintf(ppath, sizeof ppath, "%s.properties", base);

    /* Properties are small: every rank reads them. A missing file is fine. */
    int prc = slurp(ppath, &props);
    if (prc == AMLS_ERR_NOMEM)
        rc = amls_error(prc, "out of memory reading %s", ppath);
    AMLS_TRY(amls_agree(comm, rc, NULL));
    bool directed = true;
    const char *d = amls_props_get(props, "directed");
    if (d != NULL)
        directed = strcmp(d, "true") == 0;
    if (dir == AMLS_DIRECTION_DIRECTED)
        directed = true;
    else if (dir == AMLS_DIRECTION_UNDIRECTED)
        directed = false;
    g->directed = directed;

    body_result res;
    AMLS_TRY(read_body(comm, vpath, 0, 0, vfile_line, &vc, &res));
    el_ctx c = {.g = g};
    AMLS_TRY(read_body(comm, epath, 0, 0, edgelist_line, &c, &res));
    AMLS_TRY(finish_counts(comm, g, c.records, c.with_w));
    const char *wn = amls_props_get(props, "edge-properties.names");
    if (wn != NULL && strstr(wn, "weight") != NULL)
        g->weighted = true;
    g->vset = AMLS_VSET_LIST;
    g->nvlist = (int64_t)vc.ids.len;
    g->vlist = amls__vec_steal(&vc.ids);
    g->props = props;
    props = NULL;
cleanup:
    amls__vec_free(&vc.ids);
    amls__free(props);
    return rc;
}

/* ---- Matrix Market ------------------------------------------------------------------------- */

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
    return push_edge(c->g, i, j, v, c->mirror, rel, err);
}

static int read_mtx(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__lines L;
    char *line = NULL;
    size_t len = 0;
    int64_t hdr_lines = 0, skip = 0, size_line = 0;
    long long m = 0, n = 0, nnz = 0;
    char field[32] = "", sym[32] = "";
    rc = amls__lines_open_local(&L, path);
    if (rc == AMLS_OK) {
        int r = amls__lines_next(&L, &line, &len);
        char obj[32] = "", fmt[32] = "";
        if (r < 0)
            rc = r;
        else if (r == 0 || strncasecmp(line, "%%MatrixMarket", 14) != 0 ||
                 sscanf(line + 14, "%31s %31s %31s %31s", obj, fmt, field, sym) != 4)
            rc = amls_error(AMLS_ERR_HEADER,
                            "%s:1: expected '%%%%MatrixMarket matrix coordinate <field> "
                            "<symmetry>'",
                            path);
        else if (strcasecmp(obj, "matrix") != 0 || strcasecmp(fmt, "coordinate") != 0)
            rc = amls_error(AMLS_ERR_FORMAT,
                            "%s:1: only 'matrix coordinate' Matrix Market files are supported",
                            path);
        else if (strcasecmp(field, "pattern") && strcasecmp(field, "real") &&
                 strcasecmp(field, "integer"))
            rc = amls_error(AMLS_ERR_FORMAT,
                            "%s:1: field '%s' not supported (expected pattern, real or integer)",
                            path, field);
        else if (strcasecmp(sym, "general") && strcasecmp(sym, "symmetric"))
            rc = amls_error(AMLS_ERR_FORMAT,
                            "%s:1: symmetry '%s' not supported (expected general or symmetric)",
                            path, sym);
        hdr_lines = 1;
        while (rc == AMLS_OK) {
            r = amls__lines_next(&L, &line, &len);
            if (r <= 0) {
                rc = r < 0 ? r
                           : amls_error(AMLS_ERR_HEADER, "%s:%lld: missing size line 'M N NNZ'",
                                        path, (long long)hdr_lines + 1);
                break;
            }
            hdr_lines++;
            const char *p = amls__skip_ws(line);
            if (*p == '%' || *p == '\0')
                continue;
            char extra[8];
            if (sscanf(p, "%lld %lld %lld %7s", &m, &n, &nnz, extra) != 3 || m < 0 || n < 0 ||
                nnz < 0)
                rc = amls_error(AMLS_ERR_HEADER,
                                "%s:%lld: expected the size line 'M N NNZ', got \"%.60s\"", path,
                                (long long)hdr_lines, line);
            size_line = hdr_lines;
            skip = amls__lines_end_offset(&L);
            break;
        }
    }
    amls__lines_close(&L);
    AMLS_TRY(amls_agree(comm, rc, NULL));
    AMLS_CHECK(m == n || o->allow_rectangular, AMLS_ERR_FORMAT,
               "%s:%lld: matrix is %lld x %lld; a graph needs a square matrix", path,
               (long long)size_line, m, n);
    bool symmetric = strcasecmp(sym, "symmetric") == 0;
    bool directed = !symmetric;
    if (o->direction == AMLS_DIRECTION_DIRECTED)
        directed = true;
    else if (o->direction == AMLS_DIRECTION_UNDIRECTED)
        directed = false;
    mtx_ctx c = {.g = g,
                 .nrows = m,
                 .ncols = n,
                 .pattern = strcasecmp(field, "pattern") == 0,
                 .mirror = symmetric && directed};
    body_result res;
    AMLS_TRY(read_body(comm, path, skip, hdr_lines, mtx_line, &c, &res));
    AMLS_TRY(finish_counts(comm, g, c.records, 0));
    AMLS_CHECK(g->edges_read == nnz, AMLS_ERR_HEADER,
               "%s:%lld: the size line declares %lld entries but the file holds %lld", path,
               (long long)size_line, nnz, (long long)g->edges_read);
    g->directed = directed;
    g->weighted = !c.pattern;
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = AMLS_MAX(m, n);
cleanup:
    return rc;
}

/* ---- METIS graph files ----------------------------------------------------------------------- */

typedef struct metis_ctx {
    amls_raw_graph *g;
    int64_t n;
    bool has_vsize, has_ew, mirror;
    int ncon;
    int64_t vlines;        /* vertex lines on this rank */
    int64_t last_nonblank; /* relative index of the last vertex line with content, or -1 */
    int64_t entries;       /* adjacency entries on this rank */
    int64_t first_edge;    /* not used */
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

static int read_metis(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__lines L;
    char *line = NULL;
    size_t len = 0;
    int64_t hdr_lines = 0, skip = 0;
    long long n = 0, m = 0;
    int fmt = 0, ncon = 0;
    rc = amls__lines_open_local(&L, path);
    while (rc == AMLS_OK) {
        int r = amls__lines_next(&L, &line, &len);
        if (r <= 0) {
            rc = r < 0 ? r
                       : amls_error(AMLS_ERR_HEADER, "%s: empty file, expected 'n m [fmt]'", path);
            break;
        }
        hdr_lines++;
        const char *p = amls__skip_ws(line);
        if (*p == '%')
            continue;
        char fmts[16] = "0";
        int got = sscanf(p, "%lld %lld %15s %d", &n, &m, fmts, &ncon);
        bool okfmt = strspn(fmts, "01") == strlen(fmts) && strlen(fmts) <= 3;
        if (got < 2 || n < 0 || m < 0 || !okfmt)
            rc = amls_error(AMLS_ERR_HEADER,
                            "%s:%lld: expected the METIS header 'n m [fmt [ncon]]', got \"%.60s\"",
                            path, (long long)hdr_lines, line);
        fmt = atoi(fmts);
        skip = amls__lines_end_offset(&L);
        break;
    }
    amls__lines_close(&L);
    AMLS_TRY(amls_agree(comm, rc, NULL));
    bool directed = o->direction == AMLS_DIRECTION_DIRECTED;
    metis_ctx c = {.g = g,
                   .n = n,
                   .has_vsize = fmt / 100 % 10 == 1,
                   .has_ew = fmt % 10 == 1,
                   .ncon = fmt / 10 % 10 == 1 ? (ncon > 0 ? ncon : 1) : 0,
                   .last_nonblank = -1};
    body_result res;
    AMLS_TRY(read_body(comm, path, skip, hdr_lines, metis_line, &c, &res));
    /* Vertex numbers: count vertex lines before this rank. */
    int64_t vbefore = 0;
    AMLS_TRY(amls__exscan_i64(comm, c.vlines, &vbefore));
    for (int64_t e = 0; e < g->nedges; e++)
        g->src[e] += vbefore + 1;
    int64_t loc[2] = {c.vlines, c.entries}, glob[2];
    int64_t lastnb = c.last_nonblank >= 0 ? vbefore + c.last_nonblank : -1, glast = -1;
    AMLS_MPI_TRY(MPI_Allreduce(loc, glob, 2, MPI_INT64_T, MPI_SUM, comm));
    AMLS_MPI_TRY(MPI_Allreduce(&lastnb, &glast, 1, MPI_INT64_T, MPI_MAX, comm));
    AMLS_CHECK(glast < n, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld vertices but the file has more vertex lines",
               path, (long long)hdr_lines, n);
    AMLS_CHECK(glob[0] >= n, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld vertices but the file has %lld vertex lines",
               path, (long long)hdr_lines, n, (long long)glob[0]);
    AMLS_CHECK(glob[1] == 2 * m, AMLS_ERR_HEADER,
               "%s:%lld: the header declares %lld edges, so 2*%lld adjacency entries, but the file "
               "has %lld",
               path, (long long)hdr_lines, m, m, (long long)glob[1]);
    g->edges_read = m;
    g->directed = directed;
    g->weighted = c.has_ew;
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = n;
cleanup:
    return rc;
}

/* ---- DIMACS ---------------------------------------------------------------------------------- */

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
    return push_edge(c->g, u, v, w, c->mirror, rel, err);
}

static int read_dimacs(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__lines L;
    char *line = NULL;
    size_t len = 0;
    int64_t hdr_lines = 0, skip = 0;
    long long n = 0, m = 0;
    char kind[16] = "";
    rc = amls__lines_open_local(&L, path);
    while (rc == AMLS_OK) {
        int r = amls__lines_next(&L, &line, &len);
        if (r <= 0) {
            rc = r < 0
                     ? r
                     : amls_error(AMLS_ERR_HEADER, "%s: no problem line 'p sp|tw|edge n m'", path);
            break;
        }
        hdr_lines++;
        const char *p = amls__skip_ws(line);
        if (*p == 'c' || *p == '\0')
            continue;
        if (sscanf(p, "p %15s %lld %lld", kind, &n, &m) != 3 || n < 0 || m < 0 ||
            (strcmp(kind, "sp") && strcmp(kind, "tw") && strcmp(kind, "edge")))
            rc = amls_error(AMLS_ERR_HEADER,
                            "%s:%lld: expected the problem line 'p sp|tw|edge n m', got \"%.60s\"",
                            path, (long long)hdr_lines, line);
        skip = amls__lines_end_offset(&L);
        break;
    }
    amls__lines_close(&L);
    AMLS_TRY(amls_agree(comm, rc, NULL));
    bool file_directed = strcmp(kind, "sp") == 0;
    bool directed = file_directed;
    if (o->direction == AMLS_DIRECTION_DIRECTED)
        directed = true;
    else if (o->direction == AMLS_DIRECTION_UNDIRECTED)
        directed = false;
    dimacs_ctx c = {.g = g,
                    .n = n,
                    .kind = file_directed ? 's' : (strcmp(kind, "tw") == 0 ? 't' : 'e'),
                    .mirror = !file_directed && directed};
    body_result res;
    AMLS_TRY(read_body(comm, path, skip, hdr_lines, dimacs_line, &c, &res));
    AMLS_TRY(finish_counts(comm, g, c.records, 0));
    AMLS_CHECK(g->edges_read == m, AMLS_ERR_HEADER,
               "%s:%lld: the problem line declares %lld %s but the file has %lld", path,
               (long long)hdr_lines, m, file_directed ? "arcs" : "edges", (long long)g->edges_read);
    g->directed = directed;
    g->weighted = file_directed;
    g->vset = AMLS_VSET_RANGE;
    g->vbase = 1;
    g->nverts = n;
cleanup:
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------- */

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
    switch (f) {
    case AMLS_FORMAT_GEN: {
        amls_gen_spec s;
        rc = amls_gen_spec_parse(path, &s);
        rc = amls_agree(comm, rc, NULL);
        if (rc == AMLS_OK)
            rc = amls_generate(comm, &s, out);
        if (rc == AMLS_OK && o.direction == AMLS_DIRECTION_DIRECTED)
            out->directed = true;
        break;
    }
    case AMLS_FORMAT_LDBC:
        rc = read_ldbc(comm, path, o.direction, out);
        break;
    case AMLS_FORMAT_MTX:
        rc = read_mtx(comm, path, &o, out);
        break;
    case AMLS_FORMAT_METIS:
        rc = read_metis(comm, path, &o, out);
        break;
    case AMLS_FORMAT_DIMACS:
        rc = read_dimacs(comm, path, &o, out);
        break;
    default:
        rc = read_edgelist(comm, path, out);
        out->directed = o.direction != AMLS_DIRECTION_UNDIRECTED;
        break;
    }
    if (rc == AMLS_OK && !out->weighted) {
        amls__free(out->w);
        out->w = NULL;
    }
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}
