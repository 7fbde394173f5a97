/* ---------------------------------------------------------------------------------------------
 * tune/tune_internal.h — internals of model selection: the groups of ranks, the dynamic task
 * queue, and the row helpers the trainers share.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/sgd.h"
#include "amls/tune.h"

/* ---- groups of ranks ------------------------------------------------------------------------ */
/* World rank r belongs to group r * ngroups / nranks: groups are contiguous runs of ranks whose
 * sizes differ by at most one; group rank 0 (the leader) is the group's lowest world rank. */
typedef struct amls__groups {
    MPI_Comm world, comm; /* comm: this rank's group */
    int rank, nranks;     /* in world */
    int ngroups, group;   /* this rank's group */
    int grank, gsize;     /* in the group */
} amls__groups;

/* Splits world. Collective on world. */
int amls__groups_new(MPI_Comm world, int ngroups, amls__groups *gr);
int amls__groups_free(amls__groups *gr);
/* Group of world rank r, and the first world rank of group g (its leader). Local. */
int amls__group_of(int r, int ngroups, int nranks);
int amls__group_first(int g, int ngroups, int nranks);

/* ---- the dynamic queue ---------------------------------------------------------------------
 * A phase is a list of tasks every rank knows. Group leaders take the next task index from a
 * counter on world rank 0 (MPI_Fetch_and_op on a passive-target window), broadcast it in their
 * group, run it collectively and send a result record to world rank 0; rank 0 collects the
 * records (printing progress as they arrive), then broadcasts the phase's table to every rank.
 * The counter is never reset: a phase of T tasks takes exactly T + ngroups fetches (each group
 * fetches once past the end), so every rank knows where the next phase starts. */
enum {
    AMLS__REC_TASK,
    AMLS__REC_RC,
    AMLS__REC_SCORE,
    AMLS__REC_USED,
    AMLS__REC_SECONDS,
    AMLS__REC_OBJ,
    AMLS__REC_HOLDER,
    AMLS__REC_GROUP,
    AMLS__REC_LEN
};

typedef struct amls__queue {
    amls__groups *gr;
    MPI_Win win;
    int64_t *counter; /* on world rank 0 */
    int64_t base;     /* counter value where the next phase starts */
} amls__queue;

/* Runs task `task` collectively on the group and fills rec[AMLS__REC_SCORE ..]. */
typedef int (*amls__task_fn)(void *arg, int64_t task, double *rec);
/* Called on world rank 0 for each record as it arrives. */
typedef void (*amls__record_fn)(void *arg, const double *rec);

int amls__queue_new(amls__groups *gr, amls__queue *q);
int amls__queue_free(amls__queue *q);
/* Runs ntasks tasks; on return every rank holds rec (ntasks x AMLS__REC_LEN). If a task
 * failed, every rank returns the failure of the lowest failing task, whose message is moved to
 * world rank 0 (so the command line prints it once). Collective on world. */
int amls__queue_phase(amls__queue *q, int64_t ntasks, amls__task_fn run, void *arg,
                      amls__record_fn on_record, void *rarg, double *rec);

/* ---- rows ------------------------------------------------------------------------------------ */
/* Copies the rows of X (held over world, in global order) onto every group: member j of a
 * group of s ranks receives the global rows [n j / s, n (j + 1) / s). *first gets the global
 * index of this rank's first row. Collective on world. */
int amls__rows_to_group(const amls__groups *gr, const amls_rows *X, amls_rows *out, int64_t *first);
/* The rows of X whose fold is (keep ? == f : != f), as a new CSR (nfeat kept). Local. */
int amls__rows_subset(const amls_rows *X, const uint8_t *fold, int f, bool keep, amls_rows *out);

/* ---- the row trainers' shared pieces (tune/train_rows.c) ------------------------------------ */
/* The data: training rows (and optional test rows) over world, as read. */
typedef struct amls__rows_data {
    amls_rows X, T;
    bool has_test;
    amls_sgd_model kind; /* the loss: logistic, least squares or hinge */
} amls__rows_data;

/* A group's copy of the data (or, for model hopping, this rank's partition of world's rows). */
typedef struct amls__rows_gdata {
    MPI_Comm comm;
    amls_rows X;           /* the group's copy (unused when `rows` is borrowed) */
    const amls_rows *rows; /* &X, or the partition: world's rows as read */
    uint8_t *fold;         /* per row */
    int64_t *gi;           /* per row: the global row number */
    int64_t n;             /* rows in all */
    uint64_t seed;
    amls_sgd_model kind;
} amls__rows_gdata;

typedef struct amls__rows_model {
    int64_t m; /* nfeat + 1 */
    double *coef;
} amls__rows_model;

int amls__rows_load(MPI_Comm world, const char *train, const char *test, amls_sgd_model kind,
                    void **out);
/* The trainers' load(): the rows for logistic regression and for least squares. */
int amls__rows_load_logreg(MPI_Comm world, const char *train, const char *test, const char *part,
                           void **out);
int amls__rows_load_linreg(MPI_Comm world, const char *train, const char *test, const char *part,
                           void **out);
int64_t amls__rows_count(const void *data);
int amls__rows_write_folds(MPI_Comm world, const void *data, uint64_t seed, int k,
                           const char *path);
int amls__rows_group(MPI_Comm world, MPI_Comm group, int ngroups, const void *data, uint64_t seed,
                     int k, void **out, int64_t *counts);
int amls__rows_write_model(MPI_Comm world, const void *data, const void *model, amls_h5file *f);
/* A model of m coefficients, zero. Collective on comm (agreed). */
int amls__rows_model_new(MPI_Comm comm, int64_t m, amls__rows_model **out);
void amls__rows_free_data(void *data);
void amls__rows_free_gdata(void *gdata);
void amls__rows_free_model(void *model);
/* The metric m of coef over the rows of X in fold f (all rows when fold is NULL). The sums are
 * reproducible: the score does not depend on how the rows are spread. Collective. */
int amls__rows_score(MPI_Comm comm, const amls_rows *X, const uint8_t *fold, int f,
                     const double *coef, int64_t d, amls_metric m, double *score);

/* ---- model hopper parallelism (tune/mop.c) --------------------------------------------------- */
/* One model of a MOP phase: configuration hp, trained on the rows outside `fold` from epoch
 * `from` to `to`, starting its hops at rank `start`. state (len doubles) holds the model on
 * every rank on entry and on return; seconds gets the time its sub-epochs took. */
typedef struct amls__mop_model {
    const double *hp;
    int fold;
    int64_t from, to;
    int start;
    double *state;
    double seconds;
} amls__mop_model;

/* Trains the models by model hopping: in every round each rank runs one sub-epoch of each
 * model it holds on its partition, then passes the models to the next rank (rank + 1 mod P),
 * so that a model visits start, start + 1, ... in every epoch and sees all the data once per
 * epoch. Only models travel. Collective on world. */
int amls__mop_train(MPI_Comm world, const amls_trainer *t, void *pdata, amls__mop_model *models,
                    int64_t n, int64_t len);

/* ---- the built-in trainers ------------------------------------------------------------------ */
extern const amls_trainer amls__trainer_logreg;     /* tune/train_rows.c */
extern const amls_trainer amls__trainer_linreg;     /* tune/train_rows.c */
extern const amls_trainer amls__trainer_logreg_sgd; /* tune/train_sgd.c */
extern const amls_trainer amls__trainer_linreg_sgd; /* tune/train_sgd.c */
extern const amls_trainer amls__trainer_svm;        /* tune/train_sgd.c */
extern const amls_trainer amls__trainer_als;        /* tune/train_als.c */
