/* ---------------------------------------------------------------------------------------------
 * tune/queue.c — groups of ranks and the dynamic task queue of model selection.
 * SPDX-License-Identifier: MIT
 *
 * The ranks split into groups (MPI_Comm_split into contiguous runs). A phase's tasks are known
 * to every rank; which group runs which task is decided at run time: each group leader takes
 * the next index from a counter on world rank 0 with MPI_Fetch_and_op (passive target, so rank
 * 0 need not take part while it trains), broadcasts it to its group and runs the task
 * collectively on the group communicator. Fast and slow tasks balance themselves. Leaders send
 * one small record per task to world rank 0 and, when the queue is empty for them (or their
 * group failed), a "done" record; rank 0 drains records between its own tasks (printing
 * progress), collects the rest at the end of the phase, and broadcasts the table. Messages
 * from one leader arrive in order, so a leader's "done" follows all its records.
 *
 * A failing task stops its group (the group has agreed on the error inside the trainer); the
 * other groups finish the remaining tasks. At the end of the phase every rank learns the
 * lowest failing task, the rank that holds its message sends the text to everyone, and rank 0
 * becomes the one that reports it, so the command line prints it once.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <stdio.h>

enum { TAG_RECORD = 7301 };

int amls__group_of(int r, int ngroups, int nranks)
{
    return (int)((int64_t)r * ngroups / nranks);
}

int amls__group_first(int g, int ngroups, int nranks)
{
    /* Smallest r with r * ngroups / nranks >= g, i.e. ceil(g * nranks / ngroups). */
    return (int)(((int64_t)g * nranks + ngroups - 1) / ngroups);
}

int amls__groups_new(MPI_Comm world, int ngroups, amls__groups *gr)
{
    int rc = AMLS_OK;
    memset(gr, 0, sizeof *gr);
    gr->world = world;
    gr->comm = MPI_COMM_NULL;
    AMLS_TRY(amls__comm_rank(world, &gr->rank, &gr->nranks));
    AMLS_CHECK(ngroups >= 1 && ngroups <= gr->nranks, AMLS_ERR_PARAM,
               "--groups %d: must be between 1 and the number of ranks (%d)", ngroups, gr->nranks);
    gr->ngroups = ngroups;
    gr->group = amls__group_of(gr->rank, ngroups, gr->nranks);
    AMLS_MPI_TRY(MPI_Comm_split(world, gr->group, gr->rank, &gr->comm));
    AMLS_TRY(amls__comm_rank(gr->comm, &gr->grank, &gr->gsize));
cleanup:
    return amls_agree(world, rc, NULL);
}

int amls__groups_free(amls__groups *gr)
{
    int rc = AMLS_OK;
    if (gr->comm != MPI_COMM_NULL && gr->comm != 0)
        AMLS_MPI_TRY(MPI_Comm_free(&gr->comm));
cleanup:
    gr->comm = MPI_COMM_NULL;
    return rc;
}

int amls__queue_new(amls__groups *gr, amls__queue *q)
{
    int rc = AMLS_OK;
    memset(q, 0, sizeof *q);
    q->gr = gr;
    q->win = MPI_WIN_NULL;
    MPI_Aint bytes = gr->rank == 0 ? (MPI_Aint)sizeof(int64_t) : 0;
    AMLS_MPI_TRY(MPI_Win_allocate(bytes, (int)sizeof(int64_t), MPI_INFO_NULL, gr->world,
                                  &q->counter, &q->win));
    if (gr->rank == 0) {
        AMLS_MPI_TRY(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win));
        *q->counter = 0;
        AMLS_MPI_TRY(MPI_Win_unlock(0, q->win));
    }
    /* Nobody fetches before the counter is set: the agreement is the barrier. */
cleanup:
    return amls_agree(gr->world, rc, NULL);
}

int amls__queue_free(amls__queue *q)
{
    int rc = AMLS_OK;
    if (q->win != MPI_WIN_NULL)
        AMLS_MPI_TRY(MPI_Win_free(&q->win));
cleanup:
    q->win = MPI_WIN_NULL;
    return rc;
}

/* The leader's next task index within the phase that starts at `base`. */
static int next_task(amls__queue *q, int64_t *t)
{
    int rc = AMLS_OK;
    int64_t one = 1, old = 0;
    AMLS_MPI_TRY(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, q->win));
    AMLS_MPI_TRY(MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 0, 0, MPI_SUM, q->win));
    AMLS_MPI_TRY(MPI_Win_unlock(0, q->win));
    *t = old - q->base;
cleanup:
    return rc;
}

/* Where rank 0 collects a phase's records. */
typedef struct collect {
    double *rec;
    int64_t ntasks;
    int done; /* groups that said they are done */
    amls__record_fn on_record;
    void *rarg;
} collect;

/* Rank 0: stores a record (a task's, or a group's "done") and counts what has arrived. */
static void take_record(const double *r, collect *c)
{
    int64_t t = (int64_t)r[AMLS__REC_TASK];
    if (t < 0) {
        c->done++;
        return;
    }
    if (t < c->ntasks) {
        memcpy(c->rec + t * AMLS__REC_LEN, r, AMLS__REC_LEN * sizeof *r);
        if (c->on_record && r[AMLS__REC_RC] >= 0)
            c->on_record(c->rarg, r);
    }
}

/* Rank 0: takes the records that have arrived (block: waits for one). */
static int drain(bool block, collect *c, MPI_Comm world)
{
    int rc = AMLS_OK;
    for (;;) {
        int flag = 1;
        MPI_Status st;
        if (!block)
            AMLS_MPI_TRY(MPI_Iprobe(MPI_ANY_SOURCE, TAG_RECORD, world, &flag, &st));
        if (!flag)
            break;
        double r[AMLS__REC_LEN];
        AMLS_MPI_TRY(MPI_Recv(r, AMLS__REC_LEN, MPI_DOUBLE, MPI_ANY_SOURCE, TAG_RECORD, world,
                              MPI_STATUS_IGNORE));
        take_record(r, c);
        if (block)
            break;
    }
cleanup:
    return rc;
}

/* Leader: hands a record to rank 0 (itself, or by message). */
static int post(amls__queue *q, const double *r, collect *c)
{
    int rc = AMLS_OK;
    if (q->gr->rank == 0)
        take_record(r, c);
    else
        AMLS_MPI_TRY(MPI_Send(r, AMLS__REC_LEN, MPI_DOUBLE, 0, TAG_RECORD, q->gr->world));
cleanup:
    return rc;
}

/* Moves the message of the lowest failing task to rank 0 and agrees on its code. */
static int report_failure(amls__queue *q, const double *rec, int64_t ntasks)
{
    int rc = AMLS_OK;
    int64_t bad = -1;
    for (int64_t t = 0; t < ntasks && bad < 0; t++)
        if (rec[t * AMLS__REC_LEN + AMLS__REC_RC] < 0)
            bad = t;
    if (bad < 0)
        return AMLS_OK;
    const double *r = rec + bad * AMLS__REC_LEN;
    int code = (int)r[AMLS__REC_RC], holder = (int)r[AMLS__REC_HOLDER];
    char msg[AMLS_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", amls_last_error());
    AMLS_MPI_TRY(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, holder, q->gr->world));
    amls_clear_error();
    amls_error(code, "%s", msg[0] ? msg : amls_strerror(code));
    rc = amls_agree(q->gr->world, code, NULL);
cleanup:
    return rc;
}

/* Runs one task on the group and fills its record. Collective on the group. */
static int run_one(amls__groups *gr, int64_t t, amls__task_fn run, void *arg, double *r)
{
    double t0 = amls__now();
    int grc = run(arg, t, r);
    int who = amls_error_rank(); /* group rank holding the message, if it failed */
    r[AMLS__REC_TASK] = (double)t;
    r[AMLS__REC_RC] = grc;
    r[AMLS__REC_SECONDS] = amls__now() - t0;
    r[AMLS__REC_GROUP] = gr->group;
    r[AMLS__REC_HOLDER] =
        amls__group_first(gr->group, gr->ngroups, gr->nranks) + (grc < 0 && who >= 0 ? who : 0);
    return grc;
}

/* The group takes tasks until the queue is empty for it or a task failed (*grc). */
static int take_tasks(amls__queue *q, int64_t ntasks, amls__task_fn run, void *arg, collect *c,
                      int *grc)
{
    int rc = AMLS_OK;
    amls__groups *gr = q->gr;
    for (;;) {
        int64_t t = 0;
        if (gr->grank == 0)
            AMLS_TRY(next_task(q, &t));
        AMLS_MPI_TRY(MPI_Bcast(&t, 1, MPI_INT64_T, 0, gr->comm));
        if (t >= ntasks)
            break;
        double r[AMLS__REC_LEN] = {0};
        *grc = run_one(gr, t, run, arg, r);
        if (gr->grank == 0) {
            AMLS_TRY(post(q, r, c));
            if (gr->rank == 0)
                AMLS_TRY(drain(false, c, gr->world));
        }
        if (*grc < 0)
            break; /* this group stops; the others take the remaining tasks */
    }
    if (gr->grank == 0) {
        double r[AMLS__REC_LEN] = {0};
        r[AMLS__REC_TASK] = -1;
        AMLS_TRY(post(q, r, c));
    }
cleanup:
    return rc;
}

int amls__queue_phase(amls__queue *q, int64_t ntasks, amls__task_fn run, void *arg,
                      amls__record_fn on_record, void *rarg, double *rec)
{
    int rc = AMLS_OK, grc = AMLS_OK;
    amls__groups *gr = q->gr;
    collect c = {rec, ntasks, 0, on_record, rarg};
    for (int64_t t = 0; t < ntasks; t++) {
        rec[t * AMLS__REC_LEN + AMLS__REC_TASK] = (double)t;
        rec[t * AMLS__REC_LEN + AMLS__REC_RC] = 1; /* not run */
    }
    AMLS_TRY(take_tasks(q, ntasks, run, arg, &c, &grc));
    while (gr->rank == 0 && c.done < gr->ngroups)
        AMLS_TRY(drain(true, &c, gr->world));
    /* A group that failed skipped its final fetch: count the fetches actually made. */
    int failed = grc < 0 && gr->grank == 0, nfailed = 0;
    AMLS_MPI_TRY(MPI_Allreduce(&failed, &nfailed, 1, MPI_INT, MPI_SUM, gr->world));
    q->base += ntasks + gr->ngroups - nfailed;
    AMLS_MPI_TRY(MPI_Bcast(rec, (int)(ntasks * AMLS__REC_LEN), MPI_DOUBLE, 0, gr->world));
    rc = report_failure(q, rec, ntasks);
cleanup:
    return rc;
}
