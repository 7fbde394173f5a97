/* ---------------------------------------------------------------------------------------------
 * io/textio.h — parallel line reading of text files (plain or gzip) and token parsing.
 * SPDX-License-Identifier: MIT
 *
 * A file body [skip, size) is cut into one byte range per rank; a line belongs to the rank
 * whose range holds its first byte, so every line is read by exactly one rank and no rank
 * holds more than its share. Gzip files cannot be seeked: every rank inflates the stream up
 * to the end of its own range (discarding what precedes it), so inflation is repeated but
 * memory is not. The uncompressed size comes from the gzip trailer; if that is wrong (multi-
 * member files, > 4 GiB) only the balance suffers: the last rank takes everything past the
 * last boundary.
 *
 * Line numbers: a rank knows only the index of a line within its own range. The absolute
 * line number is found after the pass by an exclusive scan of line counts (amls__lines_base).
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include <zlib.h>

typedef struct amls__lines {
    gzFile gz;
    char *path;
    int64_t lo, hi;  /* byte offsets of line starts owned by this reader */
    int64_t buf_off; /* file offset of buf[0] */
    char *buf;
    size_t cap, len;  /* buffer capacity and bytes filled */
    size_t pos;       /* next unread byte in buf */
    int64_t line_off; /* file offset of the line last returned */
    int64_t nlines;   /* lines returned so far (comments included) */
    int64_t size;     /* (uncompressed) file size estimate */
    bool eof, started;
} amls__lines;

/* Opens `path` for reading this rank's share of the bytes in [skip, end of file).
 * Collective on comm (agrees on errors, e.g. a missing file). */
int amls__lines_open(amls__lines *L, MPI_Comm comm, const char *path, int64_t skip);
/* Opens `path` to read every line from offset 0, on this rank only (headers). Local. */
int amls__lines_open_local(amls__lines *L, const char *path);
/* Next line: *line points into the reader's buffer, NUL-terminated, without the line end
 * ("\n" or "\r\n"). Returns 1 for a line, 0 at the end of this rank's share, <0 on error. */
int amls__lines_next(amls__lines *L, char **line, size_t *len);
/* Offset just past the line last returned (where the next line starts). */
int64_t amls__lines_end_offset(const amls__lines *L);
void amls__lines_close(amls__lines *L);
/* Collective: exclusive prefix sum of `count` over ranks (lines before this rank's share). */
int amls__exscan_i64(MPI_Comm comm, int64_t count, int64_t *before);

/* ---- Token parsing on NUL-terminated lines. ------------------------------------------- */
static inline const char *amls__skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',')
        p++;
    return p;
}
/* Parses a decimal integer at *p (after optional whitespace). Returns 1 on success, 0 when
 * there is no token (end of line), -1 when the token is not an integer, -2 on overflow. */
int amls__parse_i64(const char **p, int64_t *out);
/* Same for a floating-point number (strtod syntax, also "inf"/"infinity"/"nan"). */
int amls__parse_f64(const char **p, double *out);
/* True if only whitespace is left. */
static inline bool amls__at_end(const char *p)
{
    return *amls__skip_ws(p) == '\0';
}

/* Reports a parse error found at relative line `rel` of this rank's share; the message gets
 * the absolute line number once the bases are known. Used by the readers as:
 *   collect (rel, text) → amls__lines_error_finish (collective) → agreed status. */
typedef struct amls__perr {
    int code;       /* 0 if no error on this rank */
    int64_t rel;    /* line index within this rank's share (or absolute if abs_known) */
    bool abs_known; /* rel is already an absolute 1-based line number */
    char text[512];
} amls__perr;

int amls__perr_set(amls__perr *e, int code, int64_t rel, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Collective: combines every rank's first parse error into one agreed status; the failing
 * rank's message reads "PATH:LINE: text". `lines_before` is this rank's first line number
 * minus one (header lines + lines of earlier ranks). */
int amls__perr_finish(MPI_Comm comm, const amls__perr *e, const char *path, int64_t lines_before);
