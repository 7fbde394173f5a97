/* ---------------------------------------------------------------------------------------------
 * io/probe.c — the size of a graph before it is read, for memory estimates (--dry-run): from
 * the header where the format has one (Matrix Market, METIS, DIMACS), from a generator spec,
 * or, for edge lists and LDBC files, from the file size and a sample of its first lines.
 * Rank 0 looks; every rank gets the answer. Malformed files are the readers' business: a probe
 * that cannot make sense of a header says so and estimates from the file size instead.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

enum { SAMPLE_BYTES = 1 << 20 };

/* What the first lines of a text file show. */
typedef struct sample {
    int64_t bytes, lines, fields3, maxid;
    double ratio; /* uncompressed bytes per byte on disk */
} sample;

/* Reads up to SAMPLE_BYTES of content: data lines (not comments), their bytes, how many carry
 * a third field, the largest id. Local. */
static int take_sample(const char *path, sample *s)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    AMLS_TRY(amls__lines_open_local(&L, path));
    int64_t seen = 0;
    while (seen < SAMPLE_BYTES) {
        int r = amls__lines_next(&L, &line, &len);
        AMLS_TRY(r);
        if (r == 0)
            break;
        seen += (int64_t)len + 1;
        const char *p = amls__skip_ws(line);
        if (*p == '\0' || *p == '#' || *p == '%')
            continue;
        int64_t u = 0, v = 0;
        double w = 0;
        if (amls__parse_i64(&p, &u) != 1 || amls__parse_i64(&p, &v) != 1)
            continue;
        s->lines++;
        s->bytes += (int64_t)len + 1;
        s->maxid = AMLS_MAX(s->maxid, AMLS_MAX(u, v));
        if (amls__parse_f64(&p, &w) == 1)
            s->fields3++;
    }
    int64_t on_disk = L.gz ? (int64_t)gzoffset(L.gz) : seen;
    s->ratio = on_disk > 0 && seen > 0 ? (double)seen / (double)on_disk : 1.0;
cleanup:
    amls__lines_close(&L);
    return rc;
}

/* Uncompressed size: the file's, or for gzip its trailer's when plausible, else the sample's
 * ratio times the compressed size. Local. */
static int64_t content_bytes(const char *path, const sample *s)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    int64_t disk = (int64_t)st.st_size;
    if (s->ratio <= 1.0)
        return disk;
    FILE *f = fopen(path, "rb");
    unsigned char t[4] = {0, 0, 0, 0};
    bool got = f && disk >= 18 && fseeko(f, disk - 4, SEEK_SET) == 0 && fread(t, 1, 4, f) == 4;
    if (f)
        fclose(f);
    int64_t isize = (int64_t)t[0] | (int64_t)t[1] << 8 | (int64_t)t[2] << 16 | (int64_t)t[3] << 24;
    if (got && isize >= disk && (double)disk * s->ratio < 4e9)
        return isize; /* below 4 GiB the trailer is exact */
    return (int64_t)((double)disk * s->ratio);
}

/* Edge lines in a text file, estimated. Local. */
static int estimate_lines(const char *path, amls_graph_size *sz)
{
    int rc = AMLS_OK;
    sample s;
    AMLS_TRY(take_sample(path, &s));
    int64_t total = content_bytes(path, &s);
    double per_line = s.lines > 0 ? (double)s.bytes / (double)s.lines : 16.0;
    sz->records = (int64_t)((double)total / per_line + 0.5);
    sz->weighted = s.fields3 > 0;
    /* Vertices: at most twice the records, and about the largest id seen when the ids look
     * dense (ids from 0 or 1 up; a sample of scattered ids sees nearly the largest). */
    sz->vertices = 2 * sz->records;
    if (s.maxid > 0 && s.maxid < 4 * sz->records)
        sz->vertices = AMLS_MIN(sz->vertices, s.maxid + 1);
cleanup:
    return rc;
}

/* The first line that is not a comment or blank. Local. */
static int first_line(const char *path, const char *comment, char *out, size_t cap)
{
    int rc = AMLS_OK;
    amls__lines L = {0};
    char *line = NULL;
    AMLS_TRY(amls__lines_open_local(&L, path));
    int r = amls__header_line(&L, comment, true, &line);
    AMLS_TRY(r);
    snprintf(out, cap, "%s", r == 1 ? line : "");
cleanup:
    amls__lines_close(&L);
    return rc;
}

/* Matrix Market: the banner and the size line. Local. */
static int probe_mtx(const char *path, amls_graph_size *sz)
{
    int rc = AMLS_OK;
    char banner[256], size[256], field[32] = "", sym[32] = "";
    long long m = 0, n = 0, nnz = 0;
    AMLS_TRY(first_line(path, "", banner, sizeof banner));
    AMLS_TRY(first_line(path, "%", size, sizeof size));
    if (sscanf(banner, "%%%%MatrixMarket matrix coordinate %31s %31s", field, sym) != 2 ||
        sscanf(size, "%lld %lld %lld", &m, &n, &nnz) != 3)
        return estimate_lines(path, sz);
    sz->exact = true;
    sz->records = nnz;
    sz->vertices = AMLS_MAX(m, n);
    sz->weighted = strcasecmp(field, "pattern") != 0;
    sz->directed = strcasecmp(sym, "symmetric") != 0;
cleanup:
    return rc;
}

/* METIS "n m [fmt]" and DIMACS "p sp|tw|edge n m". Local. */
static int probe_header(const char *path, amls_format f, amls_graph_size *sz)
{
    int rc = AMLS_OK;
    char line[256], kind[16] = "";
    long long n = 0, m = 0, fmt = 0;
    AMLS_TRY(first_line(path, f == AMLS_FORMAT_METIS ? "%" : "c", line, sizeof line));
    if (f == AMLS_FORMAT_METIS && sscanf(line, "%lld %lld %lld", &n, &m, &fmt) >= 2) {
        sz->records = 2 * m; /* every edge is listed at both ends */
        sz->weighted = fmt % 10 == 1;
    } else if (f == AMLS_FORMAT_DIMACS && sscanf(line, "p %15s %lld %lld", kind, &n, &m) == 3) {
        sz->records = m;
        sz->directed = sz->weighted = strcmp(kind, "sp") == 0;
    } else {
        return estimate_lines(path, sz);
    }
    sz->exact = true;
    sz->vertices = n;
cleanup:
    return rc;
}

/* LDBC: edges from NAME.e, vertices from NAME.v, direction from NAME.properties. Local. */
static int probe_ldbc(const char *path, amls_graph_size *sz)
{
    int rc = AMLS_OK;
    char base[4096], other[4200];
    snprintf(base, sizeof base, "%s", path);
    char *dot = strrchr(base, '.');
    if (dot && (!strcmp(dot, ".e") || !strcmp(dot, ".v") || !strcmp(dot, ".properties")))
        *dot = '\0';
    snprintf(other, sizeof other, "%s.e", base);
    AMLS_TRY(estimate_lines(other, sz));
    amls_graph_size vs = {0};
    snprintf(other, sizeof other, "%s.v", base);
    if (estimate_lines(other, &vs) == AMLS_OK)
        sz->vertices = vs.records;
    amls_clear_error();
    snprintf(other, sizeof other, "%s.properties", base);
    FILE *fp = fopen(other, "r");
    char buf[512];
    while (fp && fgets(buf, sizeof buf, fp))
        if (strstr(buf, ".directed") && strstr(buf, "false"))
            sz->directed = false;
    if (fp)
        fclose(fp);
cleanup:
    return rc;
}

/* A generator spec: exact. Local. */
static int probe_gen(const char *spec, amls_graph_size *sz)
{
    int rc = AMLS_OK;
    amls_gen_spec s;
    AMLS_TRY(amls_gen_spec_parse(spec, &s));
    sz->exact = true;
    sz->directed = false;
    sz->weighted = s.weighted;
    if (strcmp(s.kind, "grid") == 0) {
        int64_t r = s.rows > 0 ? s.rows : (int64_t)1 << (s.scale / 2);
        int64_t c = s.cols > 0 ? s.cols : r;
        sz->vertices = r * c;
        sz->records = 2 * r * c;
    } else {
        sz->vertices = (int64_t)1 << AMLS_MIN(AMLS_MAX(s.scale, 0), 40);
        sz->records = (int64_t)s.edge_factor * sz->vertices;
    }
cleanup:
    return rc;
}

/* Rank 0's look at the input. Local. */
static int probe_local(const char *path, const amls_read_opts *o, amls_graph_size *sz)
{
    amls_format f = o->format != AMLS_FORMAT_AUTO ? o->format : amls_format_from_name(path);
    sz->directed = true;
    switch (f) {
    case AMLS_FORMAT_GEN:
        return probe_gen(path, sz);
    case AMLS_FORMAT_MTX:
        return probe_mtx(path, sz);
    case AMLS_FORMAT_METIS:
        sz->directed = false;
        return probe_header(path, f, sz);
    case AMLS_FORMAT_DIMACS:
        return probe_header(path, f, sz);
    case AMLS_FORMAT_LDBC:
        return probe_ldbc(path, sz);
    default:
        return estimate_lines(path, sz);
    }
}

int amls_graph_probe(MPI_Comm comm, const char *path, const amls_read_opts *opts,
                     amls_graph_size *out)
{
    int rc = AMLS_OK, rank = 0;
    amls_read_opts o = {0};
    if (opts)
        o = *opts;
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_AGREE(comm, rank == 0 ? probe_local(path, &o, out) : AMLS_OK);
    int64_t v[5] = {out->records, out->vertices, out->weighted, out->directed, out->exact};
    AMLS_MPI_TRY(MPI_Bcast(v, 5, MPI_INT64_T, 0, comm));
    out->records = v[0];
    out->vertices = v[1];
    out->weighted = v[2] != 0;
    out->directed = amls__want_directed(o.direction, v[3] != 0);
    out->exact = v[4] != 0;
cleanup:
    return rc;
}
