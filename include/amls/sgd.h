/* ---------------------------------------------------------------------------------------------
 * include/amls/sgd.h — mini-batch SGD for sparse linear models (logistic regression, least
 * squares, linear SVM), trained data-parallel on a parameter server over MPI.
 * SPDX-License-Identifier: MIT
 *
 * A model is a dense vector w of nfeat + 1 doubles: w[0] is the intercept (never penalised),
 * w[1 + f] the weight of feature f (0-based). The score of a row x is z = w[0] + sum_f x_f w[1+f].
 *
 * amls_ps_train runs on any communicator: its first `servers` ranks hold the parameters
 * (range-partitioned), the others are workers holding disjoint shares of the training rows.
 * Workers pull the parameters a mini-batch touches, push its gradient, and the update strategy
 * (BSP, ASP, SSP, backup workers) decides how stale a worker's view may be. The protocol, the
 * clocks and the checkpoint format are described in docs/parameter-server.md.
 *
 * The pieces a model-selection driver needs are public too: the hyper-parameters (one struct),
 * the data (rows on every rank, a per-row role so that a fold can be held out without copying),
 * a budget in epochs with a warm start, per-epoch metrics, a serial epoch of local SGD on one
 * model (for model hopping), and a collective evaluation of a model on distributed rows.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/io.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum amls_sgd_model {
    AMLS_SGD_LOGREG = 1, /* log(1 + exp(-y z)), y = +1 if label > 0 else -1 */
    AMLS_SGD_LINREG = 2, /* (z - y)^2 / 2 */
    AMLS_SGD_SVM = 3,    /* max(0, 1 - y z), y = +1 if label > 0 else -1 */
} amls_sgd_model;

typedef enum amls_sgd_optimizer {
    AMLS_SGD_PLAIN = 0,   /* w -= eta g */
    AMLS_SGD_ADAGRAD = 1, /* h += g^2; w -= eta g / (sqrt(h) + 1e-8), per coordinate */
} amls_sgd_optimizer;

typedef enum amls_sgd_schedule {
    AMLS_LR_CONSTANT = 0, /* eta */
    AMLS_LR_INVSQRT = 1,  /* eta / sqrt(1 + epoch) */
    AMLS_LR_DECAY = 2,    /* eta * decay^epoch */
} amls_sgd_schedule;

/* Hyper-parameters of one model. Zero-initialise, then set; amls_sgd_hparams_default fills the
 * defaults. g above is the mean gradient of the loss over the rows of a (global) batch, plus
 * lambda * w on the coordinates the batch touches (L2, applied lazily to touched coordinates
 * only, so that an update costs what the batch touches; the intercept is not penalised). */
typedef struct amls_sgd_hparams {
    amls_sgd_model model;
    amls_sgd_optimizer optimizer;
    amls_sgd_schedule schedule;
    double lr;       /* eta, > 0 */
    double lr_decay; /* AMLS_LR_DECAY, in (0, 1] */
    double lambda;   /* >= 0 */
    int64_t batch;   /* rows per worker batch, >= 1 */
    uint64_t seed;   /* data order and partition */
} amls_sgd_hparams;

void amls_sgd_hparams_default(amls_sgd_hparams *hp);
/* Learning rate in epoch e (0-based). Local. */
double amls_sgd_lr(const amls_sgd_hparams *hp, int64_t epoch);

/* Update strategies. */
typedef enum amls_ps_update {
    AMLS_PS_BSP = 1,    /* a step applies the gradients of all workers (a barrier) */
    AMLS_PS_ASP = 2,    /* every gradient is applied on arrival, no waiting */
    AMLS_PS_SSP = 3,    /* a worker at clock c waits while the slowest is behind c - s */
    AMLS_PS_BACKUP = 4, /* a step applies the first W - b gradients, drops the others */
} amls_ps_update;

/* Row roles for amls_sgd_data.role. */
enum { AMLS_ROW_SKIP = 0, AMLS_ROW_TRAIN = 1, AMLS_ROW_TEST = 2 };

/* The data, borrowed: rows on every rank of the communicator, spread in any way (as
 * amls_rows_read leaves them). Training rows are numbered in (rank, local row) order; that
 * number, the seed and the epoch fix the partition and the order of the rows, so a run does
 * not depend on how the rows were read. */
typedef struct amls_sgd_data {
    const amls_rows *rows; /* this rank's rows */
    const uint8_t *role;   /* per local row (AMLS_ROW_*); NULL: every row trains */
    const amls_rows *test; /* optional held-out rows on this rank (also "test"), or NULL */
    int64_t nfeat;         /* model features: 0 means the global rows->nfeat */
} amls_sgd_data;

/* Options of a parameter-server run. amls_ps_opts_default fills the defaults. */
typedef struct amls_ps_opts {
    amls_sgd_hparams hp;
    amls_ps_update update;
    int64_t staleness;   /* SSP bound s >= 0 */
    int backup;          /* AMLS_PS_BACKUP: b >= 1 workers' gradients dropped per step */
    bool drop_fixed;     /* AMLS_PS_BACKUP: drop a fixed round-robin set instead of the last */
    int servers;         /* M >= 1; workers are the other ranks */
    int64_t epochs;      /* total epochs (a restart continues up to this count) */
    bool shuffle;        /* re-deal rows to workers every epoch (BSP or fixed-drop only) */
    bool per_epoch;      /* push once per epoch (local SGD on the worker) instead of per batch */
    int evals_per_epoch; /* progress evaluations per epoch (>= 1) */
    int64_t eval_rows;   /* progress metrics on at most this many rows per set (0: all) */
    const double *init;  /* warm start: nfeat + 1 values, the same on every rank, or NULL */
    int64_t init_epoch;  /* epochs already done by `init` (the schedule and data order go on) */
    const char *checkpoint_dir; /* server state per epoch, or NULL */
    const char *restart_dir;    /* resume from the newest checkpoint there, or NULL */
    const char *data_id;        /* identity of the data stored in checkpoints ("" if none) */
    int straggler;              /* worker index slowed down, or -1 */
    double straggler_factor;    /* its steps take this many times as long (>= 1) */
    const char *trace;          /* per-server event log PATH.sK, or NULL */
    FILE *progress;             /* progress lines on rank 0, or NULL */
    int fail_worker;            /* test hook: this worker fails at fail_clock (-1: none) */
    int64_t fail_clock;
} amls_ps_opts;

void amls_ps_opts_default(amls_ps_opts *o);
/* Checks the options for consistency with a communicator of `nranks` ranks (before any data
 * is loaded). Returns AMLS_ERR_PARAM with a message naming the option. Local. */
int amls_ps_opts_check(const amls_ps_opts *o, int nranks);

/* Sums over a set of rows, and the metrics derived from them. */
typedef struct amls_sgd_metrics {
    int64_t rows;
    double loss;     /* mean loss */
    double accuracy; /* logreg/svm: fraction classified right (sign of z vs label > 0) */
    double rss;      /* sum of squared errors (z - y)^2 */
    double rmse;
} amls_sgd_metrics;

/* One evaluation point (progress line). */
typedef struct amls_ps_point {
    double epoch;   /* epochs done, e.g. 2.5 */
    double seconds; /* since training started (rank 0's clock, at the snapshot) */
    amls_sgd_metrics train, test;
    int64_t updates; /* gradients applied so far (server 0) */
    int64_t dropped; /* gradients dropped so far (server 0) */
    int64_t max_staleness;
    double mean_staleness; /* over the gradients applied since the previous point */
} amls_ps_point;

typedef struct amls_ps_result {
    int64_t nfeat;
    double *w;              /* nfeat + 1 values, the same on every rank (owned: free with _free) */
    amls_ps_point *history; /* evaluation points, the same on every rank */
    int64_t npoints;
    amls_ps_point final; /* the final model on all training and test rows */
    double objective;    /* final train loss + lambda/2 ||w[1..]||^2 */
    int64_t epochs;      /* epochs done in total (including those before a restart) */
    int64_t start_epoch; /* epoch the run started at (restart, warm start) */
    int64_t steps_per_epoch;
    int64_t train_rows, test_rows;
    int workers, servers;
    int64_t updates, dropped, max_staleness, max_clock_gap;
    double seconds; /* training loop, wall */
} amls_ps_result;

/* Trains a model. Collective on comm; every rank returns the same status and result. Needs
 * comm size > servers. Progress lines go to o->progress on rank 0. */
int amls_ps_train(MPI_Comm comm, const amls_sgd_data *data, const amls_ps_opts *o,
                  amls_ps_result *res);
void amls_ps_result_free(amls_ps_result *res);

/* Checks a finished BSP or fixed-drop backup run against the serial reference (synchronous
 * SGD simulated on rank 0 with the same number of workers over the same data): the models must
 * be identical bit for bit. Returns AMLS_ERR_VERIFY with the first differing coefficient,
 * AMLS_ERR_PARAM for a strategy that is not reproducible or a restarted run. Collective. */
int amls_ps_verify(MPI_Comm comm, const amls_sgd_data *data, const amls_ps_opts *o,
                   const amls_ps_result *res);

/* Where a model came from, stored with it. */
typedef struct amls_sgd_provenance {
    const char *command_line;  /* the run's command line */
    const char *configuration; /* every option, "name=value ..." */
    const char *train, *test;  /* data files ("" if none) */
    uint32_t train_crc32, test_crc32;
} amls_sgd_provenance;

/* Writes a trained model: HDF5 when path ends in .h5 (/ids: 0 for the intercept, else the
 * 1-based LIBSVM feature index; /values: the coefficients; and attributes:
 * model, configuration, data files and CRC-32s, seed, engine version, command line, metrics),
 * else text (one value per line, intercept first). Written under a temporary name and renamed
 * when complete. Collective (rank 0 writes). */
int amls_ps_model_write(MPI_Comm comm, const char *path, const amls_ps_opts *o,
                        const amls_ps_result *res, const amls_sgd_provenance *pv);

/* Metrics of model w (nfeat + 1 values, replicated) on the rows of every rank whose role is
 * `which` (AMLS_ROW_TRAIN or AMLS_ROW_TEST; role NULL means every row has that role). Rows'
 * features beyond nfeat are ignored. Collective. */
int amls_sgd_evaluate(MPI_Comm comm, amls_sgd_model model, const double *w, int64_t nfeat,
                      const amls_rows *rows, const uint8_t *role, int which, amls_sgd_metrics *out);

/* Standardizes the features of X (and T, when not NULL) in place: x_f <- (x_f - mu_f) / sd_f
 * with the mean and standard deviation of X over all ranks (sd 1 for a constant feature). The
 * rows become dense (every feature stored): meant for dense data with features of very
 * different scales, where plain SGD is badly conditioned. mu and sd (nfeat values each) are
 * allocated. Collective. */
int amls_rows_standardize(MPI_Comm comm, amls_rows *X, amls_rows *T, double **mu, double **sd);
/* Maps a model trained on standardized rows back to the original features. Local. */
void amls_sgd_unstandardize(double *w, int64_t nfeat, const double *mu, const double *sd);

/* One epoch of serial mini-batch SGD on one model over the rows order[0..n) of X, cut into
 * ceil(n / hp->batch) batches of nearly equal size: each batch's mean gradient is applied at
 * once (per-coordinate Adagrad state h when hp->optimizer says so, else h may be NULL). This
 * is what a worker runs in per-epoch mode and what model hopping runs per sub-epoch. Adds the
 * batch losses (at the parameters each batch saw) to *loss. Local; returns AMLS_ERR_NUMERIC
 * when the loss becomes NaN or infinite. */
int amls_sgd_local_epoch(const amls_sgd_hparams *hp, int64_t epoch, const amls_rows *X,
                         const int64_t *order, int64_t n, int64_t nfeat, double *w, double *h,
                         double *loss);

/* Synchronous data-parallel mini-batch SGD (plain SGD), epochs [from, to) on w (nfeat + 1
 * values, the same on every rank, updated in place). The training rows (role AMLS_ROW_TRAIN,
 * or all rows when role is NULL) are numbered in (rank, local row) order and visited in epoch
 * e in the order of a permutation keyed by (hp->seed, e), cut into ceil(n / hp->batch)
 * batches of nearly equal size; each batch's mean gradient is summed over the ranks
 * reproducibly and applied on every rank. The trajectory is the same bits at every rank count
 * as long as the rows keep their global order, and training [a, b) then [b, c) equals training
 * [a, c). Returns AMLS_ERR_NUMERIC (agreed) when the gradient stops being finite. The
 * reduction is dense in nfeat. Collective. */
int amls_sgd_sync(MPI_Comm comm, const amls_sgd_hparams *hp, const amls_rows *X,
                  const uint8_t *role, int64_t nfeat, int64_t from, int64_t to, double *w);

/* One sub-epoch of model hopping: amls_sgd_local_epoch over the rows of X whose role is
 * AMLS_ROW_TRAIN (all when role is NULL), in the order that epoch `epoch`'s permutation (keyed
 * by hp->seed) of [0, n) gives their global row numbers gi. Local. */
int amls_sgd_sub_epoch(const amls_sgd_hparams *hp, int64_t epoch, const amls_rows *X,
                       const uint8_t *role, const int64_t *gi, int64_t n, int64_t nfeat, double *w);

#ifdef __cplusplus
}
#endif
