/* ---------------------------------------------------------------------------------------------
 * tune/tune_internal.h — internals of model selection: the groups of ranks, the dynamic task
 * queue, and the row helpers the trainers share.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

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

/* ---- the built-in trainers ------------------------------------------------------------------ */
extern const amls_trainer amls__trainer_logreg; /* tune/train_rows.c */
extern const amls_trainer amls__trainer_linreg; /* tune/train_rows.c */
extern const amls_trainer amls__trainer_als;    /* tune/train_als.c */
