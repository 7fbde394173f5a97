/* ---------------------------------------------------------------------------------------------
 * include/amls/stats.h — statistics documents: what a command or a library call measured,
 * written as one JSON file (`--stats FILE`).
 * SPDX-License-Identifier: MIT
 *
 * A document is a JSON object of schema "amls-graph/stats", version AMLS_STATS_SCHEMA_VERSION.
 * The top level says who made it (schema, schema_version, version, command, ranks); everything
 * measured lives in named sections, one JSON object each ("graph", "partition", "time",
 * "memory", "run", "solver", "degrees", ...), that any command or library call may add. Readers
 * ignore keys and sections they do not know: adding a key or a section keeps the schema
 * version; renaming or removing one, or changing its meaning, bumps it. docs/stats.md lists the
 * sections of version 1.
 *
 * The document is built on rank 0 (the setters do nothing on other ranks, so every rank may
 * call them with its own values; functions marked collective gather from every rank) and
 * written by amls_stats_write like a result: under a temporary name, renamed when complete,
 * errors agreed on every rank.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/status.h"

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMLS_STATS_SCHEMA         "amls-graph/stats"
#define AMLS_STATS_SCHEMA_VERSION 1

typedef struct amls_stats amls_stats;

/* Kinds of a field's value. */
typedef enum amls_stats_kind {
    AMLS_STATS_I64 = 1,
    AMLS_STATS_F64, /* NaN and infinities are written as null */
    AMLS_STATS_STR, /* NULL is written as null */
    AMLS_STATS_BOOL,
    AMLS_STATS_F64_ARRAY, /* fa[0..n) */
    AMLS_STATS_I64_ARRAY, /* ia[0..n) */
} amls_stats_kind;

/* One named value. */
typedef struct amls_stats_field {
    const char *name;
    amls_stats_kind kind;
    int64_t i; /* I64, BOOL */
    double f;  /* F64 */
    const char *s;
    const double *fa;
    const int64_t *ia;
    int64_t n; /* array length */
} amls_stats_field;

#define AMLS_STATS_FIELD_I64(nm, v)                                                                \
    ((amls_stats_field){.name = (nm), .kind = AMLS_STATS_I64, .i = (v)})
#define AMLS_STATS_FIELD_F64(nm, v)                                                                \
    ((amls_stats_field){.name = (nm), .kind = AMLS_STATS_F64, .f = (v)})

/* Creates a document for `command` on comm (schema, schema_version, version, command, ranks).
 * Local; every rank of comm calls it. *out is NULL on error. */
int amls_stats_new(MPI_Comm comm, const char *command, amls_stats **out);
/* Frees a document and sets *s to NULL; accepts NULL. Local. */
void amls_stats_free(amls_stats **s);
/* The communicator a document was made for. Local. */
MPI_Comm amls_stats_comm(const amls_stats *s);

/* Sets section.name (section NULL: the top level), creating the section; a value set twice is
 * replaced. Local; only rank 0's calls count. */
int amls_stats_set(amls_stats *s, const char *section, const amls_stats_field *f);
int amls_stats_set_i64(amls_stats *s, const char *section, const char *name, int64_t v);
int amls_stats_set_f64(amls_stats *s, const char *section, const char *name, double v);
int amls_stats_set_str(amls_stats *s, const char *section, const char *name, const char *v);
int amls_stats_set_bool(amls_stats *s, const char *section, const char *name, bool v);
/* Appends one object made of `n` fields to the array section.name (a table, e.g. one row per
 * superstep or iteration). Local; only rank 0's calls count. */
int amls_stats_append(amls_stats *s, const char *section, const char *name,
                      const amls_stats_field *fields, int n);
/* Sets section.name to the array of every rank's v, in rank order. Collective. */
int amls_stats_set_ranks_f64(amls_stats *s, const char *section, const char *name, double v);
int amls_stats_set_ranks_i64(amls_stats *s, const char *section, const char *name, int64_t v);
/* Sets section.name to the "key=value ..." pairs of `text` as an object of strings (parameters
 * as a program reports them). Local; only rank 0's calls count. */
int amls_stats_set_pairs(amls_stats *s, const char *section, const char *name, const char *text);
/* The "memory" section: this process's peak resident set size on every rank, and the largest.
 * Collective. */
int amls_stats_add_memory(amls_stats *s);

/* The document as JSON text (allocated; free with amls_buffer_free). Rank 0 gets the document,
 * other ranks "{}". Local. */
int amls_stats_json(const amls_stats *s, char **text);
/* Writes the document to path: under a temporary name, renamed when complete; a missing
 * directory, a full disk or any failed write is an error on every rank and leaves no file.
 * Collective. */
int amls_stats_write(const amls_stats *s, const char *path);

/* Frees memory the library handed to the caller (amls_stats_json, ...). Accepts NULL. */
void amls_buffer_free(void *p);

#ifdef __cplusplus
}
#endif
