/* ---------------------------------------------------------------------------------------------
 * io/io_internal.h — what the readers share: parallel line reading of text files (plain or
 * gzip), token parsing, parse errors with absolute line numbers, the body loop, and one rule for
 * direction and weights.
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
 * line number is found after the pass by an exclusive scan of line counts (amls__read_body does
 * it).
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/io.h"

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
    bool has_nul;      /* a NUL byte was read: lines are checked for them */
    bool line_has_nul; /* the line last returned holds a NUL byte */
} amls__lines;

/* Opens `path` for reading this rank's share of the bytes in [skip, end of file).
 * Collective on comm (agrees on errors, e.g. a missing file). */
int amls__lines_open(amls__lines *L, MPI_Comm comm, const char *path, int64_t skip);
/* Opens `path` to read every line from offset 0, on this rank only (headers). Local. */
int amls__lines_open_local(amls__lines *L, const char *path);
/* Next line: *line points into the reader's buffer, NUL-terminated, without the line end
 * ("\n" or "\r\n"). Returns 1 for a line, 0 at the end of this rank's share, <0 on error.
 * A line holding a NUL byte sets L->line_has_nul (the callers refuse it with its line). */
int amls__lines_next(amls__lines *L, char **line, size_t *len);
/* Offset just past the line last returned (where the next line starts). */
int64_t amls__lines_end_offset(const amls__lines *L);
void amls__lines_close(amls__lines *L);

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

/* ---- The body loop every line-oriented reader uses. ------------------------------------- */
typedef int (*amls__line_fn)(void *ud, char *line, int64_t rel, amls__perr *err);

typedef struct amls__body {
    int64_t nlines;       /* lines this rank read */
    int64_t lines_before; /* absolute line number of this rank's first line, minus one */
} amls__body;

/* Runs `fn` on every line of this rank's share of [skip, EOF), stopping at the first parse
 * error; `header_lines` is the number of lines in [0, skip). Collective; agreed status, with
 * the failing rank's message as "PATH:LINE: text". `res` may be NULL. */
int amls__read_body(MPI_Comm comm, const char *path, int64_t skip, int64_t header_lines,
                    amls__line_fn fn, void *ud, amls__body *res);

/* The message for a line that holds a NUL byte. */
extern const char amls__nul_error[];
/* The next header line that is not a comment (first non-blank character in `comment`) or,
 * with skip_blank, blank; L->nlines counts every line. Returns 1, 0 at the end, < 0 on error. */
int amls__header_line(amls__lines *L, const char *comment, bool skip_blank, char **line);
/* Opens path on this rank alone and reads its first header line that way; at the end of the
 * file it fails with AMLS_ERR_HEADER and `missing` (a format with one %s, the path). *lines
 * and *skip get the lines read so far and the offset after them. Local; close L after. */
int amls__header_open(amls__lines *L, const char *path, const char *comment, bool skip_blank,
                      const char *missing, char **line, int64_t *lines, int64_t *skip);

/* ---- Edges, direction and weights, the same for every format. ---------------------------- */
/* The direction to store: the file's own convention unless the caller forces one. */
static inline bool amls__want_directed(amls_direction forced, bool file_directed)
{
    return forced == AMLS_DIRECTION_DIRECTED     ? true
           : forced == AMLS_DIRECTION_UNDIRECTED ? false
                                                 : file_directed;
}
/* Stores one edge (and its reverse when `mirror`), turning a failure into a line error. */
int amls__push_edge(amls_raw_graph *g, int64_t u, int64_t v, double w, bool mirror, int64_t rel,
                    amls__perr *err);
/* After the body: edges_read becomes the global number of edge records (unless records < 0:
 * the format's header gave it) and `weighted` is the format's answer (has_weights 0 or 1) or,
 * with has_weights < 0, whether any record carried a weight. Collective. */
int amls__finish_edges(MPI_Comm comm, amls_raw_graph *g, int64_t records, int64_t with_w,
                       int has_weights);
static inline bool amls__ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}
/* Frees the weights of a graph that has none (every reader fills them with 1.0). */
void amls__raw_graph_trim(amls_raw_graph *g);
/* amls_generate, storing the edges compactly when asked. Collective. */
int amls__generate(MPI_Comm comm, const amls_gen_spec *s, bool compact, amls_raw_graph *out);
/* Adds `by` (>= 0) to every source id (readers that learn id bases after the body). Local. */
int amls__raw_graph_shift_src(amls_raw_graph *g, int64_t by);
/* The message for a failed amls__parse_i64 of a vertex id. */
const char *amls__id_error(int r);

/* "src dst [weight]" lines (edge lists, LDBC .e). */
typedef struct amls__el_ctx {
    amls_raw_graph *g;
    int64_t records; /* edge records on this rank */
    int64_t with_w;  /* records carrying a weight */
} amls__el_ctx;
int amls__edgelist_line(void *ud, char *line, int64_t rel, amls__perr *err);

/* The readers, one file each; amls_graph_read (io/read.c) dispatches on the format. */
int amls__read_edgelist(MPI_Comm comm, const char *path, const amls_read_opts *o,
                        amls_raw_graph *g);
int amls__read_ldbc(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g);
int amls__read_mtx(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g);
int amls__read_metis(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g);
/* LDBC: every listed vertex (ids with absolute lines, this rank's n) is listed once and every
 * edge of g names listed vertices; errors name the .v or .e line. Collective. */
int amls__ldbc_check(MPI_Comm comm, const char *vpath, const char *epath, const int64_t *ids,
                     const int64_t *lines, int64_t n, const amls_raw_graph *g);
int amls__read_dimacs(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g);
int amls__read_csv(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g);
