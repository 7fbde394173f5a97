/* ---------------------------------------------------------------------------------------------
 * algorithms/sssp_weights.h — what both SSSP programs (sssp.c, sssp_bf.c) refuse at init.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/vprog.h"

#include <math.h>
#include <stdio.h>

/* Refuses a negative (or NaN) out-edge weight of v, naming the edge: Bellman-Ford would never
 * settle on a negative cycle, delta-stepping's buckets assume distances only grow along an
 * edge, and Dijkstra's answer, the reference, would be wrong. */
static inline int sssp_check_weights(amls_ctx *cx, amls_vertex v)
{
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    for (int64_t i = 0; w && i < deg; i++)
        if (w[i] < 0 || isnan(w[i])) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "%s weight %g on edge %lld -> %lld (shortest paths need weights >= 0)",
                     isnan(w[i]) ? "invalid" : "negative", w[i], (long long)amls_vertex_id(cx, v),
                     (long long)amls_nbr_id(cx, nb[i]));
            return amls_fail(cx, msg);
        }
    return 0;
}
