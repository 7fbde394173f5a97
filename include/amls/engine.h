/* ---------------------------------------------------------------------------------------------
 * include/amls/engine.h — running vertex programs on a distributed graph.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/graph.h"
#include "amls/stats.h"
#include "amls/vprog.h"

#include <signal.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct amls_run_opts {
    int64_t max_supersteps;          /* 0: the program's default (or none) */
    bool quiet;                      /* no per-superstep progress lines on rank 0 */
    bool no_combiner;                /* deliver every message even if the program has a combiner */
    const char *stats_path;          /* JSON statistics file of the run alone, or NULL */
    const char *const *param_values; /* one string per declared parameter; NULL = default */
    FILE *progress;                  /* where progress goes (rank 0); NULL = stdout */
    /* Checkpoints: every `checkpoint_every` supersteps (0: never) a file ckpt-NNNN.h5 in
     * checkpoint_dir holds everything needed to continue; the last two are kept. */
    int64_t checkpoint_every;
    const char *checkpoint_dir;
    /* Resume from the newest usable checkpoint in this directory (NULL: start afresh). */
    const char *restart_dir;
    /* Identity of the input, checked on restart with the graph's shape. */
    uint32_t input_crc32;
    /* Called on every rank at the start of each superstep (fault injection, monitoring). */
    void (*on_superstep)(void *ud, int64_t superstep, int rank);
    void *hook_ud;
    /* A stop request, set asynchronously (a signal handler) on any rank: at the end of the
     * superstep in which some rank sees it non-zero, the run writes a checkpoint into
     * checkpoint_dir (which must be set) and ends with amls_run.stopped. NULL: none. */
    const volatile sig_atomic_t *stop_request;
    /* How values sent to all neighbours travel in a superstep: AMLS_STEP_AUTO (the engine
     * chooses per superstep, Beamer's rule), or always AMLS_STEP_PUSH or AMLS_STEP_PULL (for
     * comparison and tests; PULL falls back to push on a directed graph loaded without
     * in-edges). Not the graph's direction (amls_direction, amls/io.h). */
    int direction;
    /* A statistics document the run adds its "run" section to (amls_run_stats), or NULL. */
    amls_stats *stats;
    /* A watchdog ends the job (exiting the process, with a message naming the program, the
     * superstep, the rank and the vertex) when a program callback runs longer than this many
     * seconds, or a rank waits more than twice as long for the others. 0: no watchdog. */
    double superstep_timeout;
} amls_run_opts;

enum { AMLS_STEP_AUTO = 0, AMLS_STEP_PUSH = 1, AMLS_STEP_PULL = 2 };

typedef struct amls_superstep_stats {
    int64_t computed; /* vertices that ran compute() */
    int64_t active;   /* vertices not halted afterwards */
    int64_t messages; /* messages sent (before combining) */
    int64_t bytes;    /* bytes that left their rank */
    double seconds;
    double compute_seconds; /* this rank: the compute phase */
    double comm_seconds;    /* this rank: the rest (exchanges, aggregation, master step) */
    bool pull;              /* values sent to all neighbours were pulled by the receivers */
} amls_superstep_stats;

/* A finished run: per-vertex states stay with their owners. */
typedef struct amls_run {
    amls_graph *g;       /* borrowed */
    const amls_vprog *p; /* borrowed */
    char *state;         /* n_local * state_size */
    int64_t supersteps;
    double seconds, compute_seconds, comm_seconds;
    int64_t messages, bytes;
    amls_superstep_stats *steps; /* steps[k] is superstep first_superstep + k */
    int64_t nsteps;
    int64_t first_superstep; /* > 0 when resumed from a checkpoint */
    char params[1024];       /* "name=value ..." as used */
    bool stopped;            /* ended on stop_request after a checkpoint: the result is partial */
    bool combined;           /* messages were combined (the program has a combiner, not disabled) */
} amls_run;

/* Checks a descriptor: ABI versions, sizes, required callbacks. Writes a reason into err.
 * Local; returns AMLS_ERR_ABI or AMLS_ERR_VPROG on refusal. */
int amls_vprog_check(const amls_vprog *p, char *err, size_t errlen);

/* Checks parameter values (one per declared parameter; NULL: the default) without a graph:
 * every required parameter is given, every value has its declared type, numbers are within
 * their declared range ([1.2] param_ranges) and a FLOAT is never NaN. Whether a VERTEX
 * parameter names a vertex of the graph is checked by amls_run_program before superstep 0.
 * Local; AMLS_ERR_PARAM with a message naming the parameter. */
int amls_params_check(const amls_vprog *p, const char *const *vals);

/* The engine's function table handed to plugin entry points. */
const amls_api *amls_engine_api(void);

/* Runs p on g. Collective; every rank returns the same status. *out is NULL on error. */
int amls_run_program(amls_graph *g, const amls_vprog *p, const amls_run_opts *o, amls_run **out);
void amls_run_free(amls_run **r);

/* Adds the "run" section of a finished run to a statistics document: totals, one row per
 * superstep (numbered from first_superstep) with every rank's compute and communication time,
 * and per-rank totals. Collective. */
int amls_run_stats(const amls_run *r, amls_stats *st);

/* ---- Values: one per owned vertex, written or gathered in original-id order. -------------
 * Every writer of per-vertex results goes through these: a run's states, a solver's vector,
 * an algorithm run through linear algebra. The value is the first 8 bytes of each element,
 * read as `type`, or the text `format` makes of the element. */
typedef struct amls_values {
    const amls_graph *g; /* borrowed */
    const void *data;    /* n_local elements, `stride` bytes apart */
    size_t stride;
    amls_type type; /* AMLS_TYPE_I64 or AMLS_TYPE_F64 (0: only `format`, no HDF5 or gather) */
    int (*format)(const void *elem, char *buf, size_t cap); /* optional: text of an element */
} amls_values;

/* The values of a finished run: its states with the program's result_type and format. */
amls_values amls_run_values(const amls_run *r);

/* Writes "original-id value" lines, sorted by original id, to one file or (as_dir) one file
 * per rank in a directory (temporary name, renamed when complete). Collective. */
int amls_values_write(const amls_values *v, const char *path, bool as_dir);

/* Provenance written with HDF5 results. */
typedef struct amls_provenance {
    const char *command_line;
    const char *input;
    uint32_t input_crc32;
    const char *algorithm;  /* the program or algorithm */
    const char *parameters; /* "name=value ..." */
    int64_t supersteps;     /* supersteps or iterations */
    double seconds;         /* wall time of the run */
} amls_provenance;

/* Writes /ids and /values (in original-id order) and provenance attributes to an HDF5 file
 * (temporary name, renamed when complete). Needs a type. Collective. */
int amls_values_write_h5(const amls_values *v, const char *path, const amls_provenance *pv);

/* Gathers the values in original-id order onto root as doubles (I64 values are converted
 * exactly up to 2^53; INT64_MAX stays recognisable as a huge value) and/or int64. Collective.
 * The arrays are allocated on root only. */
int amls_values_gather(const amls_values *v, int root, double **f64, int64_t **i64);

/* Formats one value (with v's format, or by its type) into buf; returns the length. Local. */
int amls_values_format(const amls_values *v, const void *elem, char *buf, size_t cap);

/* The same for a run (kept for callers of the first API): amls_values_write, ..._write_h5
 * (algorithm, parameters, supersteps and seconds taken from the run), ..._gather. */
int amls_run_write(const amls_run *r, const char *path, bool as_dir);
int amls_run_write_h5(const amls_run *r, const char *path, const amls_provenance *pv);
int amls_run_gather(const amls_run *r, int root, double **f64, int64_t **i64);

/* Formats a state's output value (the program's format or its result_type). Local. */
int amls_format_value(const amls_vprog *p, const void *state, char *buf, size_t cap);

/* ---- HDF5 files --------------------------------------------------------------------------- */
/* The root attributes of an HDF5 file written by amls-graph (a result, a checkpoint or a graph
 * container) and the length of each of its 1-D datasets, as a JSON object {"attributes": {...},
 * "datasets": {...}} (allocated; free with amls_buffer_free). Local: reads on this rank alone. */
int amls_h5_describe(const char *path, char **json);
/* Reads the result file written by --output R.h5: first with ids == NULL to get *n and *type
 * (AMLS_TYPE_I64 or AMLS_TYPE_F64), then into ids and values of *n entries. Local. */
int amls_h5_read_result(const char *path, int64_t *n, int *type, int64_t *ids, void *values);

#ifdef __cplusplus
}
#endif
