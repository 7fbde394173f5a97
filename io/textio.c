/* ---------------------------------------------------------------------------------------------
 * io/textio.c — parallel line reader over zlib's gz* interface (plain files read directly).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#define CHUNK ((size_t)4 << 20)

/* Size of the file's contents: plain size, or the gzip trailer's ISIZE. */
static int content_size(const char *path, int64_t *size, bool *is_gz)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char magic[2] = {0, 0};
    size_t got = fread(magic, 1, 2, f);
    *is_gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (fseeko(f, 0, SEEK_END) != 0) {
        fclose(f);
        return amls_error(AMLS_ERR_IO, "%s: cannot seek: %s", path, strerror(errno));
    }
    int64_t fsize = (int64_t)ftello(f);
    *size = fsize;
    if (*is_gz && fsize >= 18) {
        unsigned char t[4];
        if (fseeko(f, fsize - 4, SEEK_SET) == 0 && fread(t, 1, 4, f) == 4)
            *size = (int64_t)t[0] | (int64_t)t[1] << 8 | (int64_t)t[2] << 16 | (int64_t)t[3] << 24;
    }
    fclose(f);
    return AMLS_OK;
}

static int open_gz(amls__lines *L, const char *path)
{
    memset(L, 0, sizeof *L);
    L->path = amls__strdup(path);
    if (L->path == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    struct stat st;
    if (stat(path, &st) != 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return amls_error(AMLS_ERR_IO, "%s: is a directory, expected a file", path);
    L->gz = gzopen(path, "rb");
    if (L->gz == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    gzbuffer(L->gz, 1 << 20);
    L->cap = CHUNK;
    L->buf = amls__malloc(L->cap + 1, 1);
    if (L->buf == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    return AMLS_OK;
}

/* Reads more data into the buffer, keeping bytes from `keep` on. */
static int refill(amls__lines *L, size_t keep)
{
    if (keep > 0) {
        memmove(L->buf, L->buf + keep, L->len - keep);
        L->buf_off += (int64_t)keep;
        L->len -= keep;
        L->pos -= keep;
    }
    if (L->len == L->cap) {
        size_t ncap = 2 * L->cap;
        char *nb = amls__realloc(L->buf, ncap + 1, 1);
        if (nb == NULL)
            return amls_error(AMLS_ERR_NOMEM, "%s: out of memory (line longer than %zu bytes)",
                              L->path, L->cap);
        L->buf = nb;
        L->cap = ncap;
    }
    int got = gzread(L->gz, L->buf + L->len, (unsigned)AMLS_MIN(L->cap - L->len, (size_t)1 << 30));
    if (got < 0) {
        int errnum = 0;
        const char *msg = gzerror(L->gz, &errnum);
        return amls_error(AMLS_ERR_IO, "%s: read error: %s", L->path, msg);
    }
    if (got == 0) {
        int errnum = 0;
        const char *msg = gzerror(L->gz, &errnum);
        if (errnum != Z_OK && errnum != Z_BUF_ERROR)
            return amls_error(AMLS_ERR_IO, "%s: corrupt compressed data: %s", L->path, msg);
        if (!gzeof(L->gz) && errnum == Z_BUF_ERROR)
            return amls_error(AMLS_ERR_IO, "%s: truncated compressed file", L->path);
        L->eof = true;
    }
    L->len += (size_t)got;
    return AMLS_OK;
}

/* Positions the reader on the first line starting at or after L->lo. */
static int seek_start(amls__lines *L)
{
    int64_t target = L->lo > 0 ? L->lo - 1 : 0;
    if (target > 0 && gzseek(L->gz, (z_off_t)target, SEEK_SET) < 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot seek to byte %lld", L->path, (long long)target);
    L->buf_off = target;
    L->len = L->pos = 0;
    if (L->lo == 0)
        return AMLS_OK;
    /* We are at lo-1: a line starts at lo only if byte lo-1 is a newline. */
    for (;;) {
        if (L->pos == L->len) {
            int rc = refill(L, L->pos);
            if (rc < 0)
                return rc;
            if (L->pos == L->len && L->eof)
                return AMLS_OK;
        }
        char *nl = memchr(L->buf + L->pos, '\n', L->len - L->pos);
        if (nl != NULL) {
            L->pos = (size_t)(nl - L->buf) + 1;
            return AMLS_OK;
        }
        L->pos = L->len;
    }
}

int amls__lines_open_local(amls__lines *L, const char *path)
{
    int rc = open_gz(L, path);
    if (rc < 0)
        return rc;
    L->lo = 0;
    L->hi = INT64_MAX;
    L->started = true;
    return AMLS_OK;
}

/* Opens the file and positions this rank on the first line of its byte range. Local. */
static int open_share(amls__lines *L, const char *path, int64_t skip, int rank, int nranks)
{
    int rc = AMLS_OK;
    bool is_gz = false;
    AMLS_TRY(open_gz(L, path));
    AMLS_TRY(content_size(path, &L->size, &is_gz));
    int64_t body = AMLS_MAX((int64_t)0, L->size - skip);
    L->lo = skip + amls__muldiv(body, rank, nranks);
    L->hi = rank == nranks - 1 ? INT64_MAX : skip + amls__muldiv(body, rank + 1, nranks);
    AMLS_TRY(seek_start(L));
    L->started = true;
cleanup:
    return rc;
}

int amls__lines_open(amls__lines *L, MPI_Comm comm, const char *path, int64_t skip)
{
    int rank = 0, nranks = 1;
    memset(L, 0, sizeof *L);
    int rc = amls__comm_rank(comm, &rank, &nranks);
    return amls_agree(comm, rc < 0 ? rc : open_share(L, path, skip, rank, nranks), NULL);
}

int amls__lines_next(amls__lines *L, char **line, size_t *len)
{
    for (;;) {
        char *nl = memchr(L->buf + L->pos, '\n', L->len - L->pos);
        if (nl == NULL && !L->eof) {
            int rc = refill(L, L->pos);
            if (rc < 0)
                return rc;
            continue;
        }
        size_t start = L->pos;
        int64_t off = L->buf_off + (int64_t)start;
        if (off >= L->hi)
            return 0;
        size_t end;
        if (nl != NULL) {
            end = (size_t)(nl - L->buf);
            L->pos = end + 1;
        } else {
            if (start == L->len)
                return 0; /* end of file */
            end = L->len;
            L->pos = L->len;
        }
        L->line_off = off;
        L->nlines++;
        if (end > start && L->buf[end - 1] == '\r')
            end--;
        L->buf[end] = '\0';
        *line = L->buf + start;
        *len = end - start;
        return 1;
    }
}

int amls_text_count_records(MPI_Comm comm, const char *path, int64_t max, int64_t *n)
{
    int rc = AMLS_OK, rank = 0;
    amls__lines L = {0};
    char *line = NULL;
    size_t len = 0;
    *n = 0;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    if (rank == 0) {
        rc = amls__lines_open_local(&L, path);
        while (rc == AMLS_OK && *n < max && (rc = amls__lines_next(&L, &line, &len)) > 0) {
            const char *p = amls__skip_ws(line);
            *n += *p != '\0' && *p != '#' && *p != '%';
            rc = AMLS_OK;
        }
        rc = AMLS_MIN(rc, AMLS_OK);
    }
    AMLS_AGREE(comm, rc);
    AMLS_MPI_TRY(MPI_Bcast(n, 1, MPI_INT64_T, 0, comm));
cleanup:
    amls__lines_close(&L);
    return rc;
}

int64_t amls__lines_end_offset(const amls__lines *L)
{
    return L->buf_off + (int64_t)L->pos;
}

void amls__lines_close(amls__lines *L)
{
    if (L->gz)
        gzclose(L->gz);
    amls__free(L->buf);
    amls__free(L->path);
    memset(L, 0, sizeof *L);
}

int amls__parse_i64(const char **pp, int64_t *out)
{
    const char *p = amls__skip_ws(*pp);
    if (*p == '\0') {
        *pp = p;
        return 0;
    }
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (*p < '0' || *p > '9')
        return -1;
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
        p++;
    }
    if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != ',')
        return -1;
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    *pp = p;
    return 1;
}

int amls__parse_f64(const char **pp, double *out)
{
    const char *p = amls__skip_ws(*pp);
    if (*p == '\0') {
        *pp = p;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p)
        return -1;
    if (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r' && *end != ',')
        return -1;
    *out = v;
    *pp = end;
    return 1;
}

int amls__perr_set(amls__perr *e, int code, int64_t rel, const char *fmt, ...)
{
    if (e->code != 0)
        return e->code;
    e->code = code;
    e->rel = rel;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return code;
}

int amls__perr_finish(MPI_Comm comm, const amls__perr *e, const char *path, int64_t lines_before)
{
    int rc = e->code;
    if (rc < 0) {
        int64_t line = e->abs_known ? e->rel : lines_before + e->rel + 1;
        rc = amls_error(rc, "%s:%lld: %s", path, (long long)line, e->text);
    }
    return amls_agree(comm, rc, NULL);
}
