/* ---------------------------------------------------------------------------------------------
 * io/textio.c — parallel line reader over zlib's gz* interface (plain files read directly).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)4 << 20)

/* What the first bytes of a file say about it: NULL for text or gzip, else why it cannot be
 * read as text. */
static const char *binary_kind(const unsigned char *b, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } kinds[] = {
        {"\x89HDF\r\n\x1a\n", 8, "an HDF5 file (name it .h5 or pass --format h5)"},
        {"BZh", 3, "bzip2-compressed (only gzip is read: decompress it first)"},
        {"\xfd"
         "7zXZ",
         5, "xz-compressed (only gzip is read: decompress it first)"},
        {"\x28\xb5\x2f\xfd", 4, "zstd-compressed (only gzip is read: decompress it first)"},
        {"PK\x03\x04", 4, "a zip archive (only gzip is read: extract it first)"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (n >= kinds[k].len && memcmp(b, kinds[k].magic, kinds[k].len) == 0)
            return kinds[k].what;
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return NULL;
    /* Bytes text does not hold: control bytes other than tab, line ends and form feed, and
     * bytes that do not form UTF-8 (random data is about 60% of these, text almost none). */
    size_t odd = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] < 0x80) {
            odd += (b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' && b[i] != '\f') ||
                   b[i] == 0x7f;
            continue;
        }
        size_t len = b[i] >= 0xc2 && b[i] <= 0xdf   ? 2
                     : b[i] >= 0xe0 && b[i] <= 0xef ? 3
                     : b[i] >= 0xf0 && b[i] <= 0xf4 ? 4
                                                    : 0;
        size_t k = 1;
        while (len > 0 && k < len && i + k < n && (b[i + k] & 0xc0) == 0x80)
            k++;
        if (len > 0 && (k == len || i + k == n)) /* a sequence (or one the head cuts) */
            i += k - 1;
        else
            odd++;
    }
    return n > 0 && 10 * odd > n ? "a binary file, not text" : NULL;
}

/* Size of the file's contents (plain size, or the gzip trailer's ISIZE), and a refusal of
 * binary files by their first bytes. Local. */
static int content_size(amls__lines *L, int fd, const struct stat *st)
{
    unsigned char head[512], t[4];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got < 0)
        return amls_error(AMLS_ERR_IO, "%s: read error: %s", L->path, strerror(errno));
    const char *why = binary_kind(head, (size_t)got);
    if (why != NULL)
        return amls_error(AMLS_ERR_FORMAT, "%s: cannot read as text: %s", L->path, why);
    bool is_gz = got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    int64_t fsize = (int64_t)st->st_size;
    L->size = fsize;
    if (is_gz && fsize >= 18 && pread(fd, t, 4, (off_t)(fsize - 4)) == 4)
        L->size = (int64_t)t[0] | (int64_t)t[1] << 8 | (int64_t)t[2] << 16 | (int64_t)t[3] << 24;
    return AMLS_OK;
}

static int open_gz(amls__lines *L, const char *path)
{
    int fd = -1, rc = AMLS_OK;
    struct stat st;
    memset(L, 0, sizeof *L);
    L->path = amls__strdup(path);
    AMLS_CHECK(L->path != NULL, AMLS_ERR_NOMEM, "out of memory");
    AMLS_TRY(amls__open_read(path, &fd));
    AMLS_CHECK(fstat(fd, &st) == 0, AMLS_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    AMLS_TRY(content_size(L, fd, &st));
    L->gz = gzdopen(fd, "rb");
    AMLS_CHECK(L->gz != NULL, AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    fd = -1; /* gzclose closes it */
    gzbuffer(L->gz, 1 << 20);
    L->cap = CHUNK;
    L->buf = amls__malloc(L->cap + 1, 1);
    AMLS_CHECK(L->buf != NULL, AMLS_ERR_NOMEM, "%s: out of memory for the read buffer", path);
cleanup:
    if (fd >= 0)
        close(fd);
    return rc;
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
        /* zlib reports a stream that ends before its trailer as Z_BUF_ERROR. */
        if (errnum == Z_BUF_ERROR)
            return amls_error(
                AMLS_ERR_IO, "%s: truncated compressed file (the gzip stream ends early)", L->path);
        if (errnum != Z_OK)
            return amls_error(AMLS_ERR_IO, "%s: corrupt compressed data: %s", L->path, msg);
        L->eof = true;
    }
    /* NUL bytes make the lines that hold them errors (amls__lines_next checks per line once
     * one was seen). */
    if (got > 0 && !L->has_nul && memchr(L->buf + L->len, '\0', (size_t)got) != NULL)
        L->has_nul = true;
    L->len += (size_t)got;
    return AMLS_OK;
}

/* Positions the reader on the first line starting at or after L->lo. */
static int seek_start(amls__lines *L)
{
    int64_t target = L->lo > 0 ? L->lo - 1 : 0;
    if (target > 0 && gzseek(L->gz, (z_off_t)target, SEEK_SET) < 0) {
        int errnum = 0;
        gzerror(L->gz, &errnum);
        return errnum == Z_BUF_ERROR
                   ? amls_error(AMLS_ERR_IO,
                                "%s: truncated compressed file (the gzip stream ends early)",
                                L->path)
                   : amls_error(AMLS_ERR_IO, "%s: cannot seek to byte %lld", L->path,
                                (long long)target);
    }
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
    AMLS_TRY(open_gz(L, path));
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
        L->line_has_nul = L->has_nul && memchr(L->buf + start, '\0', end - start) != NULL;
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

static bool is_field_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == ',';
}

/* Clinger's fast path for the common weight: [+-]digits[.digits], at most 15 digits, no
 * exponent. The digits and the power of ten are exact doubles, so one division rounds
 * correctly, as strtod does: the same value, several times faster. NULL for anything else,
 * which strtod then reads (or refuses). */
static const char *parse_f64_fast(const char *p, double *out)
{
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t m = 0;
    int nd = 0, frac = 0;
    for (; *p >= '0' && *p <= '9' && nd <= 15; p++, nd++)
        m = m * 10 + (uint64_t)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && nd <= 15; p++, nd++, frac++)
            m = m * 10 + (uint64_t)(*p - '0');
    if (nd == 0 || nd > 15 || !is_field_end(*p))
        return NULL;
    double v = (double)m / p10[frac];
    *out = neg ? -v : v;
    return p;
}

int amls__parse_f64(const char **pp, double *out)
{
    const char *p = amls__skip_ws(*pp);
    if (*p == '\0') {
        *pp = p;
        return 0;
    }
    const char *fast = parse_f64_fast(p, out);
    if (fast) {
        *pp = fast;
        return 1;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p)
        return -1;
    if (!is_field_end(*end))
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
    for (char *c = e->text; *c; c++) /* a quoted line never puts control bytes on a terminal */
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
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
