/* ---------------------------------------------------------------------------------------------
 * linalg/ps_internal.h — internals of the parameter server: the SGD kernel shared by workers,
 * servers and the serial reference, the data layout, the wire format and the run context.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/linalg.h"
#include "amls/sgd.h"

#include <math.h>
#include <stdio.h>

/* ---- The SGD kernel (linalg/sgd_model.c). ------------------------------------------------ */

/* Loss of one row with score z and label y; *dz gets d loss / d z. */
double amls__sgd_loss(amls_sgd_model model, double y, double z, double *dz);
/* Score z = w[0] + sum x_f w[1 + f] of row r of X, features f >= nfeat ignored. */
double amls__sgd_score(const double *w, const amls_rows *X, int64_t r, int64_t nfeat);

/* Work space of a batch gradient: a dense accumulator of m values kept zero between uses. */
typedef struct amls__sgd_ws {
    int64_t m;
    double *acc;
    amls__vec keys; /* int64: the batch's sorted parameter indices */
    amls__vec vals; /* double: the gradient sums at keys */
} amls__sgd_ws;

int amls__sgd_ws_init(amls__sgd_ws *ws, int64_t m);
void amls__sgd_ws_free(amls__sgd_ws *ws);
/* ws->keys = sorted parameter indices touched by rows rows[0..n) of X (0, the intercept,
 * always). Local. */
int amls__sgd_batch_keys(amls__sgd_ws *ws, const amls_rows *X, const int64_t *rows, int64_t n);
/* ws->vals[i] = sum over rows of d loss / d w[keys[i]] at w (row order), *loss += sum of the
 * losses. ws->keys must come from amls__sgd_batch_keys on the same rows. Returns
 * AMLS_ERR_NUMERIC (with a message) when a loss or score is not finite. Local. */
int amls__sgd_batch_grad(amls__sgd_ws *ws, amls_sgd_model model, const amls_rows *X,
                         const int64_t *rows, int64_t n, const double *w, double *loss);

/* One coordinate's update with mean gradient g (lambda * w added when `reg`). */
static inline void amls__sgd_apply(const amls_sgd_hparams *hp, double eta, bool reg, double g,
                                   double *w, double *h)
{
    if (reg)
        g += hp->lambda * *w;
    if (h != NULL) {
        *h += g * g;
        *w -= eta * g / (sqrt(*h) + 1e-8);
    } else {
        *w -= eta * g;
    }
}

/* Metric sums over a set of rows: [0] rows, [1] loss, [2] right, [3] squared error. */
#define AMLS__NSUMS 4
void amls__sgd_sums(amls_sgd_model model, const double *w, int64_t nfeat, const amls_rows *X,
                    const uint8_t *role, int which, double *sums);
void amls__sgd_metrics(const double *sums, amls_sgd_metrics *out);

/* ---- Data layout (linalg/ps_data.c). ---------------------------------------------------- */

/* A pseudo-random permutation of [0, n) (a 4-round Feistel network with cycle walking):
 * position of item i under `key`. Bijective for every n >= 1. */
int64_t amls__ps_perm(uint64_t key, int64_t n, int64_t i);
/* Key of the order of the rows in epoch e under `seed` (the parameter server's order, the
 * synchronous trainer's and model hopping's). */
uint64_t amls__sgd_order_key(uint64_t seed, int64_t epoch);
/* Keys of the deal of training rows to workers in epoch e and of their order in epoch e. */
uint64_t amls__ps_deal_key(const amls_ps_opts *o, int64_t epoch);
uint64_t amls__ps_order_key(const amls_ps_opts *o, int64_t epoch);
/* Worker (0..W-1) that holds training row i of n in epoch e. */
int amls__ps_worker_of(const amls_ps_opts *o, int64_t epoch, int64_t n, int W, int64_t i);
/* Fixed-drop backup: is worker w left out of step t? (b consecutive workers, round robin) */
bool amls__ps_dropped_fixed(const amls_ps_opts *o, int W, int64_t t, int w);
/* Steps per epoch: every worker cuts its share into S = ceil(ceil(n / W) / B) batches. */
int64_t amls__ps_steps(int64_t n, int W, int64_t batch);
/* Batch s of S over a share of nw rows: rows [*a, *b) of the share's epoch order. */
void amls__ps_batch_range(int64_t nw, int64_t S, int64_t s, int64_t *a, int64_t *b);

/* Rows with their global training index (or test index). */
typedef struct amls__ps_rows {
    amls_rows r;
    int64_t *gi;
} amls__ps_rows;

void amls__ps_rows_free(amls__ps_rows *p);
/* Sends local row i of X (index gi[i]) to rank dest[i] (-1: nowhere); *out gets the rows this
 * rank receives, in (source rank, row) order. out->r.nfeat is set to nfeat. Collective. */
int amls__ps_route(MPI_Comm comm, const amls_rows *X, const int64_t *gi, const int *dest,
                   int64_t nfeat, amls__ps_rows *out);
/* Numbers the rows of X whose role is `which` in rank order (role NULL: every row counts as
 * AMLS_ROW_TRAIN): (*gi)[i] for those rows, -1 for the others (allocated); *n gets the global
 * count. Collective. */
int amls__ps_number_rows(MPI_Comm comm, const amls_rows *X, const uint8_t *role, int which,
                         int64_t **gi, int64_t *n);
/* order[0..n) = local rows of p sorted by their position in epoch e's order. */
int amls__ps_epoch_order(const amls_ps_opts *o, int64_t epoch, int64_t ntrain,
                         const amls__ps_rows *p, int64_t *order);

/* ---- The run (linalg/ps_train.c, ps_server.c, ps_worker.c). ----------------------------- */

/* Message tags and types. Workers send TAG_REQ to servers and receive TAG_REPLY; servers send
 * TAG_PEER to server 0. */
enum { PS_TAG_REQ = 7101, PS_TAG_REPLY = 7102, PS_TAG_PEER = 7103 };
enum { PS_PULL = 1, PS_PUSH = 2, PS_DONE = 3, PS_SNAP = 4, PS_FIN = 5 };
/* Reply flags. */
enum { PS_STOP = 1, PS_ERROR = 2 };

/* Header of every message; followed by nkeys int64 keys and, for pushes, nkeys doubles
 * (replies: nkeys doubles only). */
typedef struct ps_hdr {
    int32_t type;
    int32_t from;  /* worker or server index */
    int32_t flags; /* replies: PS_STOP | PS_ERROR */
    int32_t code;  /* PS_DONE: the worker's status */
    int64_t clock; /* worker clock: batches (or epochs) it has pushed before this message */
    int64_t tag;   /* pull: step required; push: server progress the parameters had */
    int64_t nkeys; /* keys (pull/push), values (reply/snap) */
    int64_t nrows; /* push: rows in the batch; snap: point index */
    int64_t extra; /* reply: minimum clock; snap: h values follow; fin: snaps sent */
    double loss;   /* push: batch loss sum */
} ps_hdr;

/* Everything both roles read. */
typedef struct amls__ps_ctx {
    MPI_Comm comm;
    int rank, nranks, M, W;
    const amls_ps_opts *o;
    int64_t m, nfeat; /* parameters: nfeat + 1 */
    int64_t ntrain;   /* training rows (global) */
    int64_t S;        /* steps (clocks) per epoch: batches, or 1 in per-epoch mode */
    int64_t batches;  /* batches per epoch (S in per-batch mode) */
    int64_t k, E;     /* start and end epoch */
    int64_t *off;     /* M + 1 parameter offsets of the servers */
    double t0;        /* training start (MPI_Wtime-like seconds, per rank) */
    bool sync;        /* BSP or backup: steps */
    int need;         /* sync: gradients per step (W - b) */
    /* Eval on server 0. */
    amls__ps_rows eval_train, eval_test;
} amls__ps_ctx;

/* Server outcome, sent to every rank after the loop. */
typedef struct amls__ps_stats {
    int64_t updates, dropped, max_staleness, max_gap;
} amls__ps_stats;

/* Runs server `sidx` until every worker is done. w and h (h NULL without Adagrad) hold the
 * server's range of the model and are updated in place; server 0 fills *hist (points). Local
 * to the server roles (point-to-point only). Returns this server's own failure, or AMLS_OK
 * (also when it stopped because another rank failed: *remote is then set). */
int amls__ps_server(const amls__ps_ctx *cx, int sidx, double *w, double *h, amls__vec *hist,
                    amls__ps_stats *st, bool *remote);
/* Runs worker `widx` on its rows until the servers stop it. */
int amls__ps_worker(const amls__ps_ctx *cx, int widx, MPI_Comm wcomm, amls__ps_rows *rows,
                    bool *remote);

/* Checkpoints (linalg/ps_checkpoint.c): server 0 writes the full model after an epoch. */
int amls__ps_ckpt_write(const amls__ps_ctx *cx, int64_t epoch, const double *w, const double *h,
                        const amls__ps_stats *st);
/* Collective on comm: finds the newest readable checkpoint in dir, checks it fits (model,
 * parameters, optimizer, data), and fills w and h (m values each, h may be NULL) and *epoch on
 * every rank. */
int amls__ps_ckpt_read(MPI_Comm comm, const amls_ps_opts *o, int64_t m, int64_t ntrain,
                       const char *dir, double *w, double *h, int64_t *epoch);

/* The serial reference (linalg/sgd_ref.c): BSP or fixed-drop backup mini-batch SGD simulated on
 * one rank over all training rows X (dense indices 0..n-1 in row order), W workers, epochs
 * [k, E); w (and h) in/out. `accepted` (optional, for replays of a server trace) lists for
 * each step the workers whose gradients were applied, as (worker, clock) pairs. */
typedef struct amls__ps_replay {
    int64_t nsteps;
    int64_t *ptr;    /* nsteps + 1 */
    int64_t *worker; /* per applied gradient */
    int64_t *clock;
} amls__ps_replay;
int amls__sgd_ref(const amls_ps_opts *o, const amls_rows *X, int W, int64_t k, int64_t E,
                  const amls__ps_replay *replay, double *w, double *h);
