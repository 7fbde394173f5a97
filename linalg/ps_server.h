/* ---------------------------------------------------------------------------------------------
 * linalg/ps_server.h — the state of one parameter server, shared by its message loop
 * (ps_server.c) and its evaluation points (ps_points.c).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "ps_internal.h"

/* A worker's pull waiting for its answer. */
typedef struct ps_pull {
    bool pending;
    int64_t clock, required;
    amls__vec keys; /* int64 */
} ps_pull;

/* A gradient accepted for the current synchronous step. */
typedef struct ps_grad {
    bool has;
    int64_t clock, nrows;
    amls__vec keys, vals;
} ps_grad;

/* Server 0: an evaluation point being assembled from every server's range. */
typedef struct ps_snap {
    double *w, *h;
    int have;
    double seconds;
    amls__ps_stats st;
    double mean_staleness;
} ps_snap;

typedef struct ps_srv {
    const amls__ps_ctx *cx;
    int sidx;
    int64_t lo, n; /* parameter range [lo, lo + n) */
    double *w, *h; /* n values each (h NULL without Adagrad) */
    int64_t t;     /* units: the step (BSP, backup) or gradients applied (ASP, SSP) */
    int64_t t_end; /* the budget in units */
    int64_t upe;   /* units per epoch */
    bool stopped, remote;
    int err;
    int ndone;
    int64_t *clock; /* pushes received per worker (absolute clocks) */
    bool *active;
    ps_pull *pull;
    ps_grad *grad;
    int naccepted;
    double *acc; /* n: sums of the gradients of a step (zero between steps) */
    uint8_t *mark;
    amls__vec touched; /* int64: local indices with mark set */
    char **rbuf;       /* per worker: reply buffer, its capacity and request */
    size_t *rcap;
    MPI_Request *rreq;
    char *buf; /* receive buffer */
    size_t cap;
    amls__ps_stats st;
    double stale_sum;
    int64_t stale_n;
    int64_t Q, next_q;  /* evaluation points of this run; the next to snapshot */
    amls__vec peer_req; /* MPI_Request: snapshots and fin sent to server 0 */
    amls__vec peer_buf; /* char *: their buffers */
    int64_t snaps_sent;
    /* Server 0 only. */
    ps_snap *snaps;
    int64_t snaps_recv, snaps_expected;
    int nfin;
    amls__vec *hist; /* amls_ps_point */
    FILE *trace;
} ps_srv;

int amls__ps_srv_init(ps_srv *s);
void amls__ps_srv_free(ps_srv *s);
/* Takes the snapshots whose point the progress has reached. */
int amls__ps_points_due(ps_srv *s);
/* At the end: snapshots of the points not reached yet (unless the run failed), and (servers
 * other than 0) the fin message to server 0. */
int amls__ps_points_flush(ps_srv *s);
/* Server 0: every announced snapshot has arrived. */
bool amls__ps_points_complete(const ps_srv *s);
/* Handles a message from another server (server 0 only). */
int amls__ps_on_peer(ps_srv *s, const char *buf, size_t bytes);
/* Waits for the snapshots sent. */
int amls__ps_points_finish(ps_srv *s);
