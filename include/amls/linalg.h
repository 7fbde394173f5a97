/* ---------------------------------------------------------------------------------------------
 * include/amls/linalg.h — distributed sparse linear algebra on the engine's partitions, graph
 * algorithms as linear algebra, and iterative solvers.
 * SPDX-License-Identifier: MIT
 *
 * A distributed matrix is a view of a distributed graph: its rows are the vertices a rank owns,
 * stored as the graph's CSR (32-bit local column indices, ghosts after the owned vertices), and
 * a vector is one value per owned vertex plus room for the ghosts. y = A x first copies the
 * owned values of x to the ranks that hold them as ghosts, along the graph's communication plan
 * (values only, no ids on the wire), then runs a local kernel. Dense local work uses OpenBLAS;
 * reductions use MPI.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/graph.h"
#include "amls/stats.h"
#include "amls/vprog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which of the graph's CSRs a matrix uses. OUT: A(i,j) for each edge i -> j (weights are the
 * values). IN: the transpose, A(i,j) for each edge j -> i (pulling along in-edges). */
typedef enum amls_mat_view { AMLS_MAT_OUT = 0, AMLS_MAT_IN = 1 } amls_mat_view;

typedef struct amls_dmat {
    const amls_graph *g;
    const int64_t *ptr;
    const uint32_t *col;
    const double *val; /* NULL: every stored entry is 1 */
    int64_t nrows;     /* owned rows */
    int64_t ncols;     /* owned + ghost columns */
} amls_dmat;

/* A matrix view of g (no copy). Local. */
amls_dmat amls_dmat_view(const amls_graph *g, amls_mat_view which);

/* Semirings for SpMV / SpMSpV: y_i = (+)_j A_ij (x) x_j. */
typedef enum amls_semiring_kind {
    AMLS_SR_PLUS_TIMES = 1, /* double: sum of a*x */
    AMLS_SR_MIN_PLUS,       /* double: min of a+x (shortest paths) */
    AMLS_SR_MAX_TIMES,      /* double: max of a*x */
    AMLS_SR_MIN_SELECT2ND,  /* int64 labels: min of x (the matrix value is ignored) */
    AMLS_SR_MAX_SELECT2ND,  /* int64 labels: max of x */
    AMLS_SR_USER,           /* double: user add/mul with identity */
} amls_semiring_kind;

typedef struct amls_semiring {
    amls_semiring_kind kind;
    double (*add)(double a, double b); /* AMLS_SR_USER */
    double (*mul)(double a, double x); /* AMLS_SR_USER: a = matrix value (1 if pattern) */
    double identity;                   /* AMLS_SR_USER: identity of add */
} amls_semiring;

/* Dense distributed vectors have n_local + n_ghost entries (ghosts filled by the exchange). */
double *amls_dvec_new(const amls_graph *g);  /* zeroed doubles; NULL on failure. Local. */
int64_t *amls_ivec_new(const amls_graph *g); /* zeroed int64; NULL on failure. Local. */
void amls_vec_free(void *v);

/* Copies owned entries to the ghost entries of the ranks that need them. Collective. */
int amls_dvec_sync(const amls_graph *g, double *x);
int amls_ivec_sync(const amls_graph *g, int64_t *x);

/* y[0..nrows) = A (+).(x) x over the semiring, after syncing x's ghosts (x must have room for
 * ghosts; for SELECT2ND semirings x and y are int64_t arrays). Collective. */
int amls_spmv(const amls_dmat *A, const amls_semiring *sr, void *x, void *y);

/* Sparse frontier product (push): for every nonzero x_u (u owned, listed in xi with values
 * xv), and every stored A(u, v) of the OUT view, y_v (+)= A(u,v) (x) x_u. Contributions to
 * remote v are combined on the sender and sent to their owners. On return yi/yv (allocated)
 * list the owned v that received something, with their values. Semirings: MIN_PLUS,
 * PLUS_TIMES, MIN_SELECT2ND (int64 values, passed as int64 arrays). Collective. */
int amls_spmspv(const amls_graph *g, const amls_semiring *sr, const int64_t *xi, const void *xv,
                int64_t nx, int64_t **yi, void **yv, int64_t *ny);

/* Distributed dot product and 2-norm over owned entries. Collective. */
int amls_dot(const amls_graph *g, const double *x, const double *y, double *out);
int amls_norm2(const amls_graph *g, const double *x, double *out);

/* ---- graph algorithms as linear algebra ---------------------------------------------------- */
/* PageRank, Graphalytics definition, fixed iterations; x gets n_local values. Collective. */
int amls_la_pagerank(const amls_graph *g, double damping, int64_t iterations, double *x,
                     int64_t *spmv_count, double *seconds_per_iteration);
/* Weakly connected components: label = smallest original id in the component.
 * variant 0: dense min-label propagation to a fixed point (SpMV over min-select);
 * variant 1: frontier propagation (SpMSpV over the vertices whose label changed);
 * variant 2: FastSV (Zhang, Azad and Hu 2020): hooking and shortcutting of a parent vector in
 * O(log n) rounds. Needs the in-edges for directed graphs. Collective. */
int amls_la_wcc(const amls_graph *g, int variant, int64_t *label, int64_t *iterations);
/* BFS hop counts from the vertex with original id `source` (INT64_MAX if unreachable), by
 * direction-optimising BFS (push steps over a sparse frontier, pull steps over a bitmap one).
 * Needs the in-edges for directed graphs. Collective. */
int amls_la_bfs(const amls_graph *g, amls_vid source, int64_t *depth, int64_t *levels);
/* Shortest-path distances from the vertex with original id `source` (INFINITY if unreachable)
 * by delta-stepping with bucket width delta (<= 0: (largest weight) / (average out-degree), at
 * least the smallest positive weight; INFINITY: Bellman-Ford); weights must be >= 0. *rounds
 * gets the exchange rounds. Collective. */
int amls_la_sssp(const amls_graph *g, amls_vid source, double delta, double *dist, int64_t *rounds);

/* The graph algorithms by name, for running a built-in algorithm through linear algebra
 * (--engine linalg): params holds the values of the entry's `params`, in order (.i for integers
 * and vertex ids, .f for numbers; a parameter the program declares takes the program's value,
 * the others are keys only the linalg engine accepts, 0 when absent); values gets n_local
 * results of `type`; variant (may be NULL: the first) names one of `variants`. Collective. */
typedef struct amls_la_algorithm {
    const char *name;
    amls_type type;
    const char *variants; /* "fastsv|frontier|dense", or NULL: none; the first is the default */
    int (*run)(const amls_graph *g, const amls_param_value *params, const char *variant,
               void *values, int64_t *iterations, double *seconds_per_iteration);
    const char *params; /* "source,delta": parameter names, comma-separated, or NULL */
} amls_la_algorithm;
/* The entry for a built-in algorithm's name, or NULL. Local. */
const amls_la_algorithm *amls_la_find(const char *name);
/* Runs the built-in `name` through linear algebra: checks that it has a linear-algebra form and
 * that `variant` (may be NULL) is one of its variants, allocates *values (n_local elements of
 * *type; free with amls_buffer_free) and runs it with params = the values of the entry's
 * `params`, in order (.i for integers and vertex ids, .f for numbers). Collective. */
int amls_la_run(const amls_graph *g, const char *name, const amls_param_value *params,
                const char *variant, void **values, amls_type *type, int64_t *iterations,
                double *spi);

/* ---- rows (LIBSVM data) ---------------------------------------------------------------------- */
/* An empty CSR with room for `rows` rows and `nnz` entries (ptr zeroed, n_global -1). On
 * failure *out is empty. Local. */
int amls_rows_alloc(int64_t rows, int64_t nnz, int64_t nfeat, amls_rows *out);
/* Moves rows between ranks: for j in [0, n), row row[j] of X goes to rank dest[j], carrying
 * tag[j] (tag may be NULL). A row may be sent several times. *out gets the rows this rank
 * receives in (source rank, j) order, with nfeat the largest over the ranks and n_global the
 * total received; *tags (when tags is not NULL) their tags, allocated. Collective. */
int amls_rows_exchange(MPI_Comm comm, const amls_rows *X, int64_t n, const int64_t *row,
                       const int *dest, const int64_t *tag, amls_rows *out, int64_t **tags);

/* ---- solvers --------------------------------------------------------------------------------- */
/* One iteration of a solver, as its convergence history records it (iteration 0 is the start). */
typedef struct amls_solve_iter {
    double
        residual; /* cg, linreg: ||r|| / ||b||; logreg: largest gradient entry; als: train RMSE */
    double objective; /* logreg: the objective; als: test RMSE; NaN where it has no meaning */
} amls_solve_iter;

typedef struct amls_solve_info {
    int64_t iterations;
    double residual;  /* relative: ||b - A x|| / ||b|| (recomputed at the end) */
    double objective; /* logreg: final objective */
    bool converged;
    double seconds;
    const char *stop_reason; /* why the solver stopped (a static string; logreg sets it) */
    /* Convergence history, one entry per iteration from the start (allocated by the solver,
     * freed by amls_solve_info_free; identical on every rank). When memory for it runs out the
     * solver keeps going and sets history_truncated. */
    amls_solve_iter *history;
    int64_t nhistory;
    bool history_truncated;
} amls_solve_info;

/* Frees the history of a solve (accepts a zeroed info). Local. */
void amls_solve_info_free(amls_solve_info *info);
/* Adds the "solver" section: the solver's name, iterations, residual, objective, converged,
 * seconds and the history as a table (column names for cg/linreg "residual"; logreg
 * "gradient_max" and "loss"; als "train_rmse" and "test_rmse"). Local (rank 0's counts). */
int amls_solve_stats(const amls_solve_info *info, const char *solver, amls_stats *st);

/* Conjugate gradient for A x = b, A symmetric positive definite (the OUT view with values).
 * b and x have n_local + n_ghost entries; x holds the initial guess. Jacobi preconditioning
 * if `jacobi`. Stops when ||r|| <= tol ||b|| or after max_iter. Returns AMLS_ERR_NOT_SPD on
 * a non-positive curvature p'Ap. Non-convergence is not an error (info->converged). */
int amls_cg(const amls_graph *g, const double *b, double *x, double tol, int64_t max_iter,
            bool jacobi, amls_solve_info *info);
/* Checks that the matrix is square-symmetric (A(i,j) == A(j,i)); needs in-edges for
 * directed graphs. Collective. */
int amls_check_symmetric(const amls_graph *g);

/* Ridge regression with an unpenalised intercept: minimises ||y - b0 - X w||^2 + lambda ||w||^2
 * by CG on the normal equations (Jacobi-preconditioned); coef[0] = intercept, coef[1..nfeat]
 * the weights (allocated by the caller, nfeat+1 entries, identical on all ranks). */
int amls_linreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *coef, amls_solve_info *info);

/* L2-regularised logistic regression (labels > 0 are positive) by L-BFGS: minimises
 * (1/n) sum log(1 + exp(-y_i (b0 + w.x_i))) + lambda/2 ||w||^2. coef as for amls_linreg. */
int amls_logreg(MPI_Comm comm, const amls_rows *X, double lambda, double tol, int64_t max_iter,
                double *coef, amls_solve_info *info);
/* Fraction of rows whose predicted class matches the label. Collective. */
int amls_logreg_accuracy(MPI_Comm comm, const amls_rows *X, const double *coef, int64_t nfeat,
                         double *accuracy);

/* ALS matrix factorisation on a bipartite rating graph. */
typedef struct amls_als_opts {
    int rank;      /* latent factors K */
    double lambda; /* weighted-lambda regularisation (Zhou et al. 2008) */
    int iterations;
    double test_fraction;
    uint64_t seed;
    bool quiet;
} amls_als_opts;
typedef struct amls_als_result {
    double train_rmse, test_rmse;
    int64_t users, items, train_ratings, test_ratings;
    double seconds;
    /* Per iteration: train RMSE (residual) and test RMSE (objective); see amls_solve_info. */
    amls_solve_info info;
} amls_als_result;
/* Item vertices get original id AMLS_ALS_ITEM_BASE + item id; users keep their id. */
#define AMLS_ALS_ITEM_BASE AMLS_RATINGS_ITEM_BASE

/* The rating graph for ALS: amls_ratings_read (amls/io.h), under its former name. */
static inline int amls_als_read(MPI_Comm comm, const char *path, double test_fraction,
                                uint64_t seed, amls_raw_graph *out)
{
    return amls_ratings_read(comm, path, test_fraction, seed, out);
}
/* Runs ALS on the graph built from amls_als_read. factors (optional): allocated, K values per
 * owned vertex. Progress lines on rank 0 unless o->quiet. res->info holds the history (free it
 * with amls_solve_info_free). Collective. */
int amls_als_run(const amls_graph *g, const amls_als_opts *o, amls_als_result *res,
                 double **factors);
/* The "solver" section of an ALS run (amls_solve_stats and the rating counts). Local. */
int amls_als_stats(const amls_als_opts *o, const amls_als_result *r, amls_stats *st);

#ifdef __cplusplus
}
#endif
