/* ---------------------------------------------------------------------------------------------
 * include/amls/embed.h — a flat API for programs and languages that embed the engine: opaque
 * handles and plain C types only (the Python package calls it through ctypes).
 * SPDX-License-Identifier: MIT
 *
 * Every function marked collective is called by every rank of the communicator with the same
 * arguments (except per-rank data) and returns the same status on every rank. After a failed
 * collective call, amls_error_share() hands every rank the message of the rank that failed
 * first, so an embedding language can raise the same error everywhere without a hang.
 * Statistics: a function that takes an amls_stats document (may be NULL) adds its sections to
 * it (amls/stats.h).
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/engine.h"
#include "amls/linalg.h"
#include "amls/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library this program runs with ("MAJOR.MINOR.PATCH"). Local. */
const char *amls_version(void);

/* Agrees on rc across comm (as amls_agree) and copies the message of the rank that failed first,
 * prefixed "[rank R] ", into msg (cap bytes) on every rank; *who (may be NULL) gets that rank.
 * With rc == 0 on every rank, msg is "" and *who -1. Returns the agreed status. Collective. */
int amls_error_share(MPI_Comm comm, int rc, char *msg, size_t cap, int *who);

/* ---- Graphs ------------------------------------------------------------------------------- */
/* Flags of amls_graph_load. */
enum {
    AMLS_LOAD_IN_EDGES = 1,  /* keep the in-edges of directed graphs (wcc, linalg) */
    AMLS_LOAD_NO_WEIGHTS = 2 /* drop edge weights */
};

/* What a load took; props is the LDBC .properties text of the input (or NULL), owned by the
 * caller (amls_load_info_free). */
typedef struct amls_load_info {
    double seconds, read_seconds, build_seconds, partition_seconds;
    bool container; /* loaded from an HDF5 container */
    char *props;
} amls_load_info;
void amls_load_info_free(amls_load_info *info);

/* Loads a graph: a file in any supported format, a generator spec ("gen:kron:scale=10,...") or
 * an HDF5 container (with its stored partition unless `partition` is given). format: NULL
 * (from the name), "edgelist", "ldbc", "mtx", "metis", "dimacs" or "h5"; direction: an
 * amls_direction; partition: NULL ("auto"), "auto", "chunk", "metis", "ptscotch", "hash",
 * "range" or a partition file (README: partitioning);
 * nparts: 0 for the number of ranks. info (may be NULL) gets the times. With a statistics
 * document, adds the "graph", "partition" and "time" sections (amls_graph_describe). Collective.
 */
int amls_graph_load(MPI_Comm comm, const char *input, const char *format, int direction,
                    const char *partition, int nparts, unsigned flags, amls_graph **out,
                    amls_load_info *info, amls_stats *stats);

/* Builds a graph from edges every rank holds a share of (src[k] -> dst[k], weights w or NULL).
 * nverts > 0 makes the vertex set 0..nverts-1 (matrices: empty rows are kept); otherwise the
 * ids that occur in edges. directed = false stores each edge both ways. partition: NULL for
 * "hash", or as for amls_graph_load. Collective. */
int amls_graph_from_edges(MPI_Comm comm, int64_t nedges, const int64_t *src, const int64_t *dst,
                          const double *w, int64_t nverts, bool directed, const char *partition,
                          unsigned flags, amls_graph **out);

/* Sizes: global vertices, global edges (an undirected edge once), owned vertices. Local. */
int64_t amls_graph_num_vertices(const amls_graph *g);
int64_t amls_graph_num_edges(const amls_graph *g);
int64_t amls_graph_num_local(const amls_graph *g);
bool amls_graph_is_directed(const amls_graph *g);
/* Copies the original ids of the owned vertices (num_local of them). Local. */
void amls_graph_local_ids(const amls_graph *g, int64_t *ids);
/* Gathers one 8-byte value per owned vertex (type AMLS_TYPE_I64 or AMLS_TYPE_F64) onto root in
 * original-id order: root's ids and values (num_vertices each; either may be NULL, and both
 * are ignored on the other ranks) are filled. Collective. */
int amls_graph_gather_values(const amls_graph *g, int root, const void *local, int type,
                             int64_t *ids, void *values);
/* Adds the "graph" and "partition" sections (sizes, degrees, edge cut, imbalance). Collective. */
int amls_graph_describe(const amls_graph *g, amls_stats *stats);
/* The distribution of out-degrees (in = false) or in-degrees (the graph must keep in-edges):
 * on root, *deg gets the distinct degrees in increasing order and *count the number of vertices
 * with each, *m entries (allocated there; free with amls_buffer_free). Collective. */
int amls_graph_degree_hist(const amls_graph *g, bool in, int root, int64_t **deg, int64_t **count,
                           int64_t *m);
/* Adds the "degrees" section: for out-degrees (and in-degrees of directed graphs), the sorted
 * distinct degrees and how many vertices have each. Collective. */
int amls_graph_degrees(const amls_graph *g, amls_stats *stats);

/* ---- Algorithms and plugins --------------------------------------------------------------- */
typedef struct amls_result amls_result;

/* Flags of amls_algorithm_run. */
enum {
    AMLS_RUN_PROGRESS = 1,   /* rank 0 prints one line per superstep */
    AMLS_RUN_NO_COMBINER = 2 /* deliver every message uncombined */
};

/* Runs a built-in algorithm (by name) or a plugin (a path: it contains '/' or ends in ".so") on
 * g with parameters keys[i] = values[i] (an unknown key is an error; missing ones take their
 * defaults). engine: NULL or "vertex", or "linalg" for the built-ins that have a linear-algebra
 * form (variant: NULL or one of its variants). max_supersteps: 0 for the program's limit. With a
 * statistics document, adds the "run" section. Collective; *out is NULL on error. */
int amls_algorithm_run(amls_graph *g, const char *name, const char *engine, const char *variant,
                       int nparams, const char *const *keys, const char *const *values,
                       int64_t max_supersteps, unsigned flags, amls_stats *stats,
                       amls_result **out);
/* The value type of a result (AMLS_TYPE_I64 or AMLS_TYPE_F64; 0 for a plugin without
 * result_type), its supersteps or iterations and run seconds. Local. */
int amls_result_type(const amls_result *r);
int64_t amls_result_iterations(const amls_result *r);
double amls_result_seconds(const amls_result *r);
/* Seconds per iteration where linear algebra measured them (0 otherwise). Local. */
double amls_result_seconds_per_iteration(const amls_result *r);
/* The values as the amls_values of amls/engine.h (for amls_values_write and friends). Local. */
const amls_values *amls_result_values(const amls_result *r);
/* Copies the owned vertices' original ids and values (8 bytes each). Local. */
int amls_result_local(const amls_result *r, int64_t *ids, void *values);
/* Gathers ids and values onto root in original-id order (num_vertices each). Collective. */
int amls_result_gather(const amls_result *r, int root, int64_t *ids, void *values);
/* Frees a result (and the plugin it ran); accepts NULL. Local. */
void amls_result_free(amls_result **r);

/* ---- Solvers ------------------------------------------------------------------------------ */
/* Conjugate gradient on the matrix graph A (weighted; symmetric positive definite): b_local
 * (num_local values in the order of amls_graph_local_ids, NULL for ones), x_local receives the
 * solution. Checks finiteness and symmetry first. Adds the "solver" section. Collective. */
int amls_solve_cg(amls_graph *A, const double *b_local, double tol, int64_t max_iter, bool jacobi,
                  double *x_local, amls_stats *stats);

/* Training rows (amls_rows of amls/io.h) held by the library: from a LIBSVM file, or from this
 * rank's share of a CSR matrix (0-based column indices, one label per row). Collective. */
int amls_rows_load(MPI_Comm comm, const char *path, amls_rows **out);
int amls_rows_from_csr(MPI_Comm comm, int64_t n_local, int64_t nfeat, const int64_t *ptr,
                       const int64_t *idx, const double *val, const double *y, amls_rows **out);
/* Global rows and features. Local. */
void amls_rows_shape(const amls_rows *X, int64_t *n_global, int64_t *nfeat);
void amls_rows_delete(amls_rows **X);

/* Ridge and logistic regression: coef gets nfeat + 1 values (intercept first), the same on every
 * rank. logreg's accuracy on X and on T (may be NULL) goes into the "solver" section. Collective.
 */
int amls_solve_linreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol,
                      int64_t max_iter, double *coef, amls_stats *stats);
int amls_solve_logreg(MPI_Comm comm, const amls_rows *X, const amls_rows *T, double lambda,
                      double tol, int64_t max_iter, double *coef, amls_stats *stats);

/* ALS on ratings: from a file (path) or from this rank's share of arrays (path NULL; user and
 * item ids >= 0, ratings > 0). The test split is a hash of (seed, user, item), as in the
 * command line. Adds the "solver" section. Collective. */
int amls_solve_als(MPI_Comm comm, const char *path, int64_t n, const int64_t *users,
                   const int64_t *items, const double *ratings, int rank, double lambda,
                   int iterations, double test_fraction, uint64_t seed, amls_stats *stats);

#ifdef __cplusplus
}
#endif
