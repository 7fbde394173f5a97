/* ---------------------------------------------------------------------------------------------
 * algorithms/sssp.c — single-source shortest paths (Graphalytics SSSP), Bellman-Ford style.
 * SPDX-License-Identifier: MIT
 *
 * A vertex whose tentative distance shrinks relaxes its out-edges, sending distance + weight
 * to each target; the MIN combiner keeps one candidate per target per rank. Edge weights must
 * be non-negative (a negative one is refused, naming the edge); an unweighted graph uses
 * weight 1. Unreachable: infinity.
 * Reference: Dijkstra with a binary heap (ref/sssp_ref.c).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <math.h>
#include <stdio.h>

enum { P_SOURCE };
static const amls_param params[] = {
    {"source", AMLS_PARAM_VERTEX, NULL, "original id of the source vertex"},
};

typedef struct sssp_state {
    double dist;
} sssp_state;

/* Every vertex starts unreached; a negative out-edge weight is refused (Bellman-Ford would
 * never settle on a negative cycle, and Dijkstra's answer, the reference, would be wrong). */
static int sssp_init(amls_ctx *cx, amls_vertex v, void *state)
{
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    ((sssp_state *)state)->dist = INFINITY;
    for (int64_t i = 0; w && i < deg; i++)
        if (w[i] < 0) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "negative weight %g on edge %lld -> %lld (shortest paths need weights >= 0)",
                     w[i], (long long)amls_vertex_id(cx, v), (long long)amls_nbr_id(cx, nb[i]));
            return amls_fail(cx, msg);
        }
    return 0;
}

static int sssp_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    sssp_state *s = state;
    const double *in = msgs;
    double best = INFINITY;
    if (amls_superstep(cx) == 0) {
        if (amls_vertex_id(cx, v) == amls_param_i64(cx, P_SOURCE))
            best = 0.0;
    } else {
        for (int64_t i = 0; i < n; i++)
            if (in[i] < best)
                best = in[i];
    }
    if (best < s->dist) {
        s->dist = best;
        const amls_nbr *nb;
        const double *w;
        int64_t deg = amls_out_edges(cx, v, &nb, &w);
        for (int64_t i = 0; i < deg; i++) {
            double cand = best + (w ? w[i] : 1.0);
            int rc = amls_send_nbr(cx, nb[i], &cand);
            if (rc != 0)
                return rc;
        }
    }
    amls_vote_to_halt(cx, v);
    return 0;
}

AMLS_VPROG_DEFINE(sssp, .description = "single-source shortest paths from --source",
                  .state_size = sizeof(sssp_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_F64, 0}, .flags = AMLS_NEED_WEIGHTS,
                  AMLS_PARAMS(params), .result_type = AMLS_TYPE_F64, .init = sssp_init,
                  .compute = sssp_compute)
