/* ---------------------------------------------------------------------------------------------
 * include/amls/tune.h — model selection on the cluster: search spaces (grid, random,
 * Hyperband), k-fold cross-validation with hashed folds, and task parallelism over groups of
 * ranks that take (configuration, fold) tasks from a dynamic queue.
 * SPDX-License-Identifier: MIT
 *
 * A *trainer* adapts one model and its solver to the search: it declares its hyper-parameters,
 * spreads the training data onto a group communicator, fits on all rows outside one fold
 * within a budget (iterations or epochs) and scores the rows of that fold. The search driver
 * (amls_tune_run) splits the ranks into groups, hands every group a copy of the data, and lets
 * the groups take tasks from a shared counter until the phase's tasks are done. Results are a
 * pure function of (configuration, budget, fold): they do not depend on the number of groups
 * or on which group ran a task (up to the rounding of reductions at different group sizes).
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/h5file.h"
#include "amls/linalg.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMLS_TUNE_MAX_PARAMS 8      /* hyper-parameters a trainer may declare */
#define AMLS_TUNE_MAX_FOLDS  100    /* largest --cv */
#define AMLS_TUNE_MAX_CONFIG 100000 /* largest grid or number of random trials */

/* ---- metrics ------------------------------------------------------------------------------- */
typedef enum amls_metric {
    AMLS_METRIC_ACCURACY = 0, /* fraction of rows whose predicted class is right (higher) */
    AMLS_METRIC_LOGLOSS,      /* mean log(1 + exp(-y z)) over the rows (lower) */
    AMLS_METRIC_RMSE,         /* root mean squared error of predictions (lower) */
    AMLS_METRIC_COUNT
} amls_metric;

/* "accuracy", "logloss", "rmse"; -1 when unknown. Local. */
int amls_metric_parse(const char *name);
const char *amls_metric_name(amls_metric m);
/* True if larger scores are better (accuracy). Local. */
bool amls_metric_higher_is_better(amls_metric m);

/* ---- hyper-parameters and search spaces ------------------------------------------------------ */
typedef enum amls_tune_ptype { AMLS_TUNE_REAL = 0, AMLS_TUNE_INT = 1 } amls_tune_ptype;

/* A hyper-parameter a trainer declares: values must lie in [lo, hi] (or (lo, hi] when
 * lo_open); integer parameters take integral values only. */
typedef struct amls_tune_param {
    const char *name;
    amls_tune_ptype type;
    double def;
    double lo, hi;
    bool lo_open;
    const char *help;
} amls_tune_param;

typedef enum amls_tune_dkind {
    AMLS_TUNE_VALUES = 0, /* a finite list: "0.1,1,10", "lin:A:B:N", "log:A:B:N", "int:A:B[:S]" */
    AMLS_TUNE_UNIFORM,    /* "uniform:A:B" (random search and Hyperband only) */
    AMLS_TUNE_LOGUNIFORM, /* "loguniform:A:B", A > 0 */
} amls_tune_dkind;

/* The domain of one searched hyper-parameter. */
typedef struct amls_tune_domain {
    int param; /* index into the trainer's parameters */
    amls_tune_dkind kind;
    double *values; /* AMLS_TUNE_VALUES: nvalues distinct values, in the order given */
    int64_t nvalues;
    double lo, hi; /* distributions */
} amls_tune_domain;

/* A search space: the searched domains, in the order they were added (the first varies
 * slowest in a grid); the trainer's other parameters keep their defaults. */
typedef struct amls_tune_space {
    const amls_tune_param *params;
    int nparams;
    int ndom;
    amls_tune_domain dom[AMLS_TUNE_MAX_PARAMS];
} amls_tune_space;

/* Starts an empty space over a trainer's parameters. Local. */
void amls_tune_space_init(amls_tune_space *s, const amls_tune_param *params, int nparams);
/* Parses "NAME=SPEC" and adds the domain. AMLS_ERR_PARAM with a message naming the text for an
 * unknown or repeated parameter, a malformed or empty range, a value outside the parameter's
 * range, a non-integral value of an integer parameter, or a duplicate value. Local. */
int amls_tune_space_add(amls_tune_space *s, const char *text);
void amls_tune_space_free(amls_tune_space *s);
/* Number of points of the grid (product of the list sizes; 1 for no domain), or -1 if a domain
 * is a distribution. Saturates at INT64_MAX. Local. */
int64_t amls_tune_space_size(const amls_tune_space *s);
/* The i-th grid point (0 <= i < size), first domain slowest: hp gets a value for every one
 * of the trainer's parameters. Local. */
void amls_tune_space_point(const amls_tune_space *s, int64_t i, double *hp);
/* Draws n configurations (n x nparams values in hp) with the counter-based RNG of (seed,
 * stream): without replacement when the space is finite (then *got = min(n, size)), else
 * independently per domain (integer parameters rounded). Same result on every rank. Local. */
int amls_tune_space_sample(const amls_tune_space *s, uint64_t seed, uint64_t stream, int64_t n,
                           double *hp, int64_t *got);
/* "lambda=0.001 tol=1e-06": the searched parameters of a configuration. Local. */
void amls_tune_format_config(const amls_tune_space *s, const double *hp, char *buf, size_t cap);
/* Shortest decimal text of x that reads back as the same double. Local. */
void amls_tune_format_double(double x, char *buf, size_t cap);

/* ---- Hyperband -------------------------------------------------------------------------------
 * Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: a novel bandit-based approach
 * to hyperparameter optimization", JMLR 2018. With maximum budget R, minimum budget r_min and
 * eta: s_max = the largest s with r_min * eta^s <= R; bracket s (s_max down to 0) starts
 * n = ceil((s_max + 1) eta^s / (s + 1)) configurations at budget R eta^-s; each rung keeps the
 * best floor(n_i / eta) (at least one) and multiplies the budget by eta, up to R. */
#define AMLS_TUNE_MAX_BRACKETS 16

typedef struct amls_tune_rung {
    int64_t n;      /* configurations in this rung */
    int64_t budget; /* budget per configuration */
} amls_tune_rung;

typedef struct amls_tune_bracket {
    int s;     /* rungs - 1 */
    int64_t n; /* configurations drawn */
    amls_tune_rung rung[AMLS_TUNE_MAX_BRACKETS];
} amls_tune_bracket;

/* Plans the brackets (bracket[0] is s = s_max, the most exploratory). AMLS_ERR_PARAM when
 * R < r_min, r_min < 1 or eta < 2. Local. */
int amls_tune_hyperband_plan(int64_t R, int64_t r_min, int eta, amls_tune_bracket *bracket,
                             int *nbrackets);

/* ---- folds ----------------------------------------------------------------------------------- */
/* Fold of the row with 0-based global index `row`: a 64-bit hash (SplitMix64 finaliser) of
 * (seed, row) modulo k. The same at every rank count and layout. Local. */
int amls_tune_fold(uint64_t seed, int k, int64_t row);
/* Fold of a rating (user, item) of a rating graph (ALS), by the same hash over the pair. */
int amls_tune_fold_pair(uint64_t seed, int k, int64_t user, int64_t item);

/* ---- trainers -------------------------------------------------------------------------------- */
/* What one fit reports. */
typedef struct amls_tune_fit {
    double score;        /* the metric on the validation rows (or the test set) */
    int64_t budget_used; /* iterations or epochs actually run (a solver may stop early) */
    double objective;    /* the solver's final training objective */
    double seconds;
    bool converged;
} amls_tune_fit;

/* A model and its solver, as the search sees it. `data` is what load() returns, held over the
 * world communicator; `gdata` is the copy held by one group. Every function is collective on
 * the communicator it names and returns an agreed status. */
typedef struct amls_trainer {
    const char *model;       /* "logreg" */
    const char *solver;      /* "L-BFGS" */
    const char *solver_key;  /* its name for --solver: "lbfgs", "cg", "als", "sgd" */
    const char *budget_unit; /* "iterations" for the full-batch solvers, "epochs" for SGD */
    int64_t default_budget;
    const amls_tune_param *params;
    int nparams;
    unsigned metrics; /* bit (1u << m) for each metric it can score */
    amls_metric default_metric;

    /* Reads the training file (and the test file, if any) once on `world`. */
    int (*load)(MPI_Comm world, const char *train, const char *test, const char *partition,
                void **data);
    /* Rows (or ratings) of the training data, and a per-row text "fold\n" writer for
     * --folds-output (NULL when the data are not rows). */
    int64_t (*rows)(const void *data);
    int (*write_folds)(MPI_Comm world, const void *data, uint64_t seed, int k, const char *path);
    /* Copies the whole training data onto `group` (every group gets all of it) and assigns
     * folds; `counts` (k entries) gets the global number of rows per fold. Collective on
     * world. */
    int (*group_data)(MPI_Comm world, MPI_Comm group, int ngroups, const void *data, uint64_t seed,
                      int k, void **gdata, int64_t *counts);
    /* Fits hp on every row outside `fold` with at most `budget` units and scores the rows of
     * `fold` with metric m. A resumable trainer (state_len set) continues from `state`, the
     * model after `done` units (done = 0: state is all zeros, a fresh start), and leaves the
     * model after `budget` units there; fit->budget_used counts the units run now. The others
     * get state NULL and done 0. Collective on the group. */
    int (*evaluate)(void *gdata, const double *hp, int64_t budget, int fold, amls_metric m,
                    double *state, int64_t done, amls_tune_fit *fit);
    /* Fits hp on all training rows (on world); *model is allocated. fit->score is the metric
     * on the test file when there is one, else on the training rows. `seed` is the search's. */
    int (*refit)(MPI_Comm world, void *data, const double *hp, int64_t budget, uint64_t seed,
                 amls_metric m, void **model, amls_tune_fit *fit);
    /* Writes the model's datasets (and attributes of its own) into an open HDF5 file, created on
     * world. */
    int (*write_model)(MPI_Comm world, const void *data, const void *model, amls_h5file *f);
    void (*free_gdata)(void *gdata);
    void (*free_model)(void *model);
    void (*free_data)(void *data);

    /* ---- Resumable trainers (SGD): a model is a state of state_len doubles, so that a fit can
     * go on from a smaller budget (Hyperband's next rung) with the same result as a fit from
     * scratch. NULL for the full-batch solvers. */
    int64_t (*state_len)(const void *data);

    /* ---- Model hopper parallelism (Cerebro, --schedule mop); NULL when not supported. Each
     * rank keeps the rows it read as its partition; models travel, data never do.
     * mop_data: this rank's partition with the folds of its rows (global row numbers);
     * `counts` gets the global rows per fold. Collective on world; freed with free_gdata.
     * sub_epoch: one sub-epoch of model (hp, fold) in epoch `epoch` on this partition's rows
     * outside `fold` (all rows when fold < 0), on `state`. A model that diverges becomes NaN
     * and stays so (not an error). Local.
     * mop_score: scores `state` on the rows of `fold` over every partition. Collective on
     * world. */
    int (*mop_data)(MPI_Comm world, const void *data, uint64_t seed, int k, void **pdata,
                    int64_t *counts);
    int (*sub_epoch)(void *pdata, const double *hp, int fold, int64_t epoch, double *state);
    int (*mop_score)(void *pdata, const double *hp, int fold, amls_metric m, const double *state,
                     amls_tune_fit *fit);
} amls_trainer;

/* The built-in trainers: logreg (L-BFGS or SGD), linreg (CG on the normal equations or SGD),
 * svm (SGD), als (ALS). `solver` NULL picks the model's default (the first listed); NULL when
 * unknown. Local. */
const amls_trainer *amls_trainer_find(const char *model, const char *solver);

/* ---- the search ------------------------------------------------------------------------------ */
typedef enum amls_tune_search {
    AMLS_SEARCH_GRID = 0,
    AMLS_SEARCH_RANDOM,
    AMLS_SEARCH_HYPERBAND
} amls_tune_search;

typedef enum amls_tune_schedule {
    AMLS_SCHEDULE_GROUPS = 0, /* task parallelism over groups of ranks */
    AMLS_SCHEDULE_MOP,        /* model hopper parallelism (needs sub_epoch) */
} amls_tune_schedule;

typedef struct amls_tune_opts {
    amls_tune_search search;
    amls_tune_schedule schedule;
    int64_t trials; /* random search: configurations to draw */
    int folds;      /* k >= 2 */
    amls_metric metric;
    int groups; /* 1 <= groups <= ranks */
    uint64_t seed;
    int64_t budget;     /* R: the full budget of a configuration */
    int64_t min_budget; /* Hyperband r_min */
    int eta;            /* Hyperband */
    bool no_warm_start; /* resumable trainers: always fit from scratch */
    FILE *progress;     /* rank 0 prints a line per finished trial here; NULL for none */
} amls_tune_opts;

/* One trial: one configuration at one budget, over every fold. */
typedef struct amls_tune_trial {
    int64_t config; /* row of amls_tune_result.configs */
    int64_t budget; /* the budget cap */
    int bracket;    /* Hyperband bracket (s) and rung of its first use; -1 otherwise */
    int rung;
    double *fold;        /* k validation scores */
    double mean, std;    /* over the folds; std is the population deviation (ddof 0) */
    int64_t budget_used; /* summed over the folds */
    double seconds;      /* summed over the folds (each the fold's wall time in its group) */
} amls_tune_trial;

typedef struct amls_tune_result {
    int nparams;
    int64_t nconfigs;
    double *configs; /* nconfigs x nparams */
    int64_t ntrials;
    amls_tune_trial *trials; /* in the order they were first scheduled */
    int folds;
    int64_t fold_rows[AMLS_TUNE_MAX_FOLDS];
    int64_t best;        /* trial index: best mean among the trials at the full budget */
    int64_t budget_used; /* summed over every fold fit that ran (what warm starts saved not
                            counted) */
    int64_t budget_cap;  /* sum of the caps of the fits that ran (their trials' budgets) */
    int64_t fits;        /* fold fits that ran (trials found in the cache are free) */
    double seconds;      /* wall time of the search */
    /* Hyperband: the trials of rung i of bracket b (bracket 0 is s = s_max), best first from
     * rung 1 on (the order in which successive halving ranked them). */
    int nbrackets;
    amls_tune_bracket plan[AMLS_TUNE_MAX_BRACKETS];
    int64_t *rung_trials[AMLS_TUNE_MAX_BRACKETS][AMLS_TUNE_MAX_BRACKETS];
    int64_t rung_size[AMLS_TUNE_MAX_BRACKETS][AMLS_TUNE_MAX_BRACKETS];
} amls_tune_result;

/* Runs the search: splits world into opts->groups groups, spreads the data, evaluates the
 * trials of each phase from a dynamic queue, and collects the results on every rank.
 * Collective on world; every rank returns the same status and result. */
int amls_tune_run(MPI_Comm world, const amls_trainer *t, void *data, const amls_tune_space *s,
                  const amls_tune_opts *o, amls_tune_result *res);
void amls_tune_result_free(amls_tune_result *res);

/* ---- reports --------------------------------------------------------------------------------- */
/* Prints the table of trials, then "best: NAME=VALUE ..." and "best_score: X" (rank 0). */
void amls_tune_print(FILE *f, const amls_tune_space *s, const amls_tune_opts *o,
                     const amls_tune_result *res);
/* The table as CSV (one header line, one line per trial) and as JSON (the trials, "best" and
 * "best_score"). Collective (rank 0 writes; temporary name, renamed when complete). */
int amls_tune_write_csv(MPI_Comm world, const char *path, const amls_tune_space *s,
                        const amls_tune_result *res);
int amls_tune_write_json(MPI_Comm world, const char *path, const amls_tune_space *s,
                         const amls_tune_opts *o, const amls_trainer *t,
                         const amls_tune_result *res);

/* Provenance of a refitted model. */
typedef struct amls_tune_provenance {
    const char *command_line;
    const char *train;
    uint32_t train_crc32;
    int64_t train_bytes;
    const char *search; /* "grid", "random", "hyperband" */
    int groups, ranks;
} amls_tune_provenance;

/* Writes the refitted best model as HDF5: the trainer's datasets plus root attributes (model,
 * solver, configuration, metric, CV mean/std, folds and their sizes, fold seed and rule,
 * budget, training file and CRC-32, engine version, command line). Collective. */
int amls_tune_write_model(MPI_Comm world, const char *path, const amls_trainer *t, const void *data,
                          const void *model, const amls_tune_space *s, const amls_tune_opts *o,
                          const amls_tune_result *res, const amls_tune_fit *refit,
                          const amls_tune_provenance *pv);

#ifdef __cplusplus
}
#endif
