/* ---------------------------------------------------------------------------------------------
 * algorithms/sssp.c — single-source shortest paths (Graphalytics SSSP) by delta-stepping.
 * SPDX-License-Identifier: MIT
 *
 * Meyer and Sanders, "Delta-stepping: a parallelizable shortest path algorithm", J. Algorithms
 * 2003, in supersteps. A tentative distance d lies in bucket floor(d / delta); edges of weight
 * <= delta are light, the others heavy. The master step keeps the current bucket and the last
 * settled one in aggregators that every vertex reads:
 *   - a vertex whose distance shrank relaxes its light edges once its bucket is current (at
 *     or below the current bucket), and its heavy edges once its bucket is settled;
 *   - every relaxation reports the bucket of the smallest distance it sent (a MIN aggregator),
 *     and every vertex still waiting reports its bucket (another): when no message of a
 *     superstep can land in the current bucket, that bucket is settled, its heavy edges go
 *     next, and the current bucket moves to the smallest one with work.
 * init refuses a negative weight, naming its edge (sssp_weights.h), so that no negative cycle
 * can keep a run going. Superstep 0 measures the weights: delta is --delta, or by default the
 * mean arc weight (1 on unweighted graphs, which makes the run a breadth-first search). With
 * non-negative weights a distance only shrinks and settles, so the run ends. Edge weights: 1.0 when
 * the input has none. Unreachable: infinity. Reference: Dijkstra with a binary heap
 * (ref/sssp_ref.c); the variant `--variant bf` relaxes every edge on every improvement.
 * ------------------------------------------------------------------------------------------- */
#include "sssp_weights.h"

#include "amls/vprog.h"

#include <math.h>

enum { P_SOURCE, P_DELTA };
static const amls_param params[] = {
    {"source", AMLS_PARAM_VERTEX, NULL, "original id of the source vertex"},
    {"delta", AMLS_PARAM_FLOAT, "0", "bucket width (0: the mean edge weight)"},
};
enum { A_WSUM, A_ARCS, A_SENT, A_NEXT, A_DELTA, A_CUR, A_SETTLED };
static const amls_aggregator aggs[] = {
    {"weight_sum", AMLS_OP_SUM, AMLS_TYPE_F64, false},
    {"arcs", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"sent_bucket", AMLS_OP_MIN, AMLS_TYPE_I64, false},    /* smallest bucket sent to */
    {"waiting_bucket", AMLS_OP_MIN, AMLS_TYPE_I64, false}, /* smallest with light work */
    /* Set by the master step and kept (persistent MIN of nothing keeps what was set). */
    {"delta", AMLS_OP_MIN, AMLS_TYPE_F64, true},
    {"current", AMLS_OP_MIN, AMLS_TYPE_I64, true},
    {"settled", AMLS_OP_MIN, AMLS_TYPE_I64, true},
};

typedef struct sssp_state {
    double dist;
    uint8_t light, heavy; /* edges still to relax for the current distance */
} sssp_state;

static int64_t bucket(double d, double delta)
{
    double b = floor(d / delta);
    return b < 4e18 ? (int64_t)b : INT64_MAX - 1;
}

/* Every vertex starts unreached; a negative out-edge weight is refused. */
static int sssp_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((sssp_state *)state)->dist = INFINITY;
    return sssp_check_weights(cx, v);
}

/* Superstep 0: the weights' sum and count (init refused negative ones). */
static int measure(amls_ctx *cx, amls_vertex v, sssp_state *s)
{
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    double sum = 0;
    for (int64_t i = 0; i < deg; i++)
        sum += w ? w[i] : 1.0;
    int rc = amls_aggregate(cx, A_WSUM, &sum);
    if (rc == 0)
        rc = amls_aggregate(cx, A_ARCS, &deg);
    if (amls_vertex_id(cx, v) == amls_param_i64(cx, P_SOURCE)) {
        s->dist = 0.0;
        s->light = s->heavy = 1;
    } else {
        amls_vote_to_halt(cx, v);
    }
    return rc;
}

/* Sends dist + w along the light (heavy: heavy) edges; reports the smallest bucket sent to.
 * *other: whether v has edges of the other kind. */
static int relax(amls_ctx *cx, amls_vertex v, const sssp_state *s, double delta, bool heavy,
                 bool *other)
{
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    double low = INFINITY;
    *other = false;
    for (int64_t i = 0; i < deg; i++) {
        double x = w ? w[i] : 1.0;
        if ((x > delta) != heavy) {
            *other = true;
            continue;
        }
        double cand = s->dist + x;
        int rc = amls_send_nbr(cx, nb[i], &cand);
        if (rc != 0)
            return rc;
        low = cand < low ? cand : low;
    }
    int64_t b = bucket(low, delta);
    return low < INFINITY ? amls_aggregate(cx, A_SENT, &b) : 0;
}

static int sssp_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    sssp_state *s = state;
    if (amls_superstep(cx) == 0)
        return measure(cx, v, s);
    const double *in = msgs;
    for (int64_t i = 0; i < n; i++)
        if (in[i] < s->dist) {
            s->dist = in[i];
            s->light = s->heavy = 1;
        }
    double delta = amls_aggregated_f64(cx, A_DELTA);
    int64_t b = bucket(s->dist, delta);
    int rc = 0;
    bool other = false;
    if (s->light && b <= amls_aggregated_i64(cx, A_CUR)) {
        rc = relax(cx, v, s, delta, false, &other);
        s->light = 0;
        s->heavy = s->heavy && other; /* no heavy edge: nothing to wait for */
    }
    if (rc == 0 && s->heavy && b <= amls_aggregated_i64(cx, A_SETTLED)) {
        rc = relax(cx, v, s, delta, true, &other);
        s->heavy = 0;
    }
    if (rc == 0 && s->light)
        rc = amls_aggregate(cx, A_NEXT, &b); /* light work waits for its bucket */
    if (!s->light && !s->heavy)
        amls_vote_to_halt(cx, v); /* otherwise it stays active until its bucket comes */
    return rc;
}

/* After superstep 0: delta and bucket 0. Then: when nothing sent can land in the current
 * bucket, it is settled and the current bucket moves on to the smallest one with work. */
static int sssp_master(amls_ctx *cx)
{
    int64_t cur = amls_aggregated_i64(cx, A_CUR), settled = amls_aggregated_i64(cx, A_SETTLED);
    if (amls_superstep(cx) == 0) {
        double delta = amls_param_f64(cx, P_DELTA);
        double sum = amls_aggregated_f64(cx, A_WSUM);
        int64_t arcs = amls_aggregated_i64(cx, A_ARCS);
        if (delta < 0 || isnan(delta))
            return amls_fail(cx, "--delta must be >= 0 (0: the mean edge weight)");
        if (delta == 0)
            delta = arcs > 0 && sum > 0 ? sum / (double)arcs : 1.0;
        cur = 0;
        settled = -1;
        amls_set_aggregated(cx, A_DELTA, &delta);
    } else {
        int64_t sent = amls_aggregated_i64(cx, A_SENT), next = amls_aggregated_i64(cx, A_NEXT);
        if (sent <= cur)
            return 0; /* the current bucket may still change */
        settled = cur;
        int64_t nb = sent < next ? sent : next;
        cur = nb < INT64_MAX ? nb : cur;
    }
    amls_set_aggregated(cx, A_CUR, &cur);
    amls_set_aggregated(cx, A_SETTLED, &settled);
    return 0;
}

AMLS_VPROG_DEFINE(sssp,
                  .description = "single-source shortest paths from --source (delta-stepping)",
                  .state_size = sizeof(sssp_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_F64, 0}, .flags = AMLS_NEED_WEIGHTS,
                  AMLS_PARAMS(params), AMLS_AGGREGATORS(aggs), .result_type = AMLS_TYPE_F64,
                  .init = sssp_init, .compute = sssp_compute, .master = sssp_master)
