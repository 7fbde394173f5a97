/* ---------------------------------------------------------------------------------------------
 * algorithms/sssp.c — single-source shortest paths (Graphalytics SSSP) by delta-stepping.
 * SPDX-License-Identifier: MIT
 *
 * Meyer and Sanders, "Delta-stepping: a parallelizable shortest path algorithm", J. Algorithms
 * 2003, in supersteps. A tentative distance d lies in bucket floor(d / delta); edges of weight
 * <= delta are light, the others heavy. The master step keeps the current bucket and the last
 * settled one in aggregators that every vertex reads:
 *   - a vertex whose distance shrank relaxes its light edges once its bucket is current (at
 *     or below the current bucket), and its heavy edges once its bucket is settled; until then
 *     it sleeps (amls_sleep) with the key 2b for light work in bucket b, 2b + 1 for heavy work,
 *     and costs nothing;
 *   - every relaxation reports the bucket of the smallest distance it sent (a MIN aggregator):
 *     when no message of a superstep can land in the current bucket, that bucket is settled and
 *     its heavy edges go (amls_wake_upto(2b + 1)); then the current bucket moves to the
 *     smallest one with work, from the messages sent and the smallest sleeping key
 *     (amls_min_sleeping), and its sleepers wake (amls_wake_upto(2b)).
 * init refuses a negative weight, naming its edge (sssp_weights.h), so that no negative cycle
 * can keep a run going, and measures the weights per rank; only the source and one vertex per
 * rank, which reports the measurements, run in superstep 0. delta is --delta, or by default the
 * largest weight over the average degree and at least the smallest positive weight (Meyer and
 * Sanders' Theta(1/d) for weights scaled to [0, 1]; 1 on unweighted graphs, which makes the run
 * a breadth-first search), as in the linear-algebra engine. With non-negative weights a
 * distance only shrinks and settles, so the run ends. Edge weights: 1.0 when the input has
 * none. Unreachable: infinity. Reference: Dijkstra with a binary heap (ref/sssp_ref.c); the
 * variant `--variant bf` relaxes every edge on every improvement.
 * ------------------------------------------------------------------------------------------- */
#include "sssp_weights.h"

#include "amls/vprog.h"

#include <math.h>

enum { P_SOURCE, P_DELTA };
static const amls_param params[] = {
    {"source", AMLS_PARAM_VERTEX, NULL, "original id of the source vertex"},
    {"delta", AMLS_PARAM_FLOAT, "0", "bucket width (0: from the weights)"},
};
enum { A_WMAX, A_WPOS, A_ARCS, A_SENT, A_DELTA, A_CUR, A_SETTLED };
static const amls_aggregator aggs[] = {
    {"weight_max", AMLS_OP_MAX, AMLS_TYPE_F64, false},
    {"weight_min_positive", AMLS_OP_MIN, AMLS_TYPE_F64, false},
    {"arcs", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"sent_bucket", AMLS_OP_MIN, AMLS_TYPE_I64, false}, /* smallest bucket sent to */
    /* Set by the master step and kept (persistent MIN of nothing keeps what was set). */
    {"delta", AMLS_OP_MIN, AMLS_TYPE_F64, true},
    {"current", AMLS_OP_MIN, AMLS_TYPE_I64, true},
    {"settled", AMLS_OP_MIN, AMLS_TYPE_I64, true},
};

typedef struct sssp_state {
    double dist;
    uint8_t light, heavy; /* edges still to relax for the current distance */
} sssp_state;

/* The bucket of d; below 2^61, so that the sleeping keys 2b and 2b + 1 stay in range. */
static int64_t bucket(double d, double delta)
{
    double b = floor(d / delta);
    return b < 0x1p61 ? (int64_t)b : ((int64_t)1 << 61);
}

/* Per rank: the weights seen by init (largest, smallest positive) and the arcs; a copy of
 * what the master step set for the next superstep (valid once it ran here: not after a
 * restart), and the smallest bucket this rank reported in this superstep. */
typedef struct sssp_rank {
    double hi, pos;
    int64_t arcs;
    bool valid;
    double delta;
    int64_t cur, settled, sent;
} sssp_rank;

static int sssp_setup(amls_ctx *cx)
{
    sssp_rank *r = amls_alloc(cx, sizeof *r);
    if (r == NULL)
        return amls_fail(cx, "out of memory");
    *r = (sssp_rank){.pos = INFINITY, .sent = INT64_MAX};
    amls_set_user(cx, r);
    return 0;
}

static void sssp_finalize(amls_ctx *cx)
{
    amls_free(cx, amls_user(cx));
}

/* Every vertex starts unreached; a negative out-edge weight is refused, the others measured
 * for this rank. Only the source, and vertex 0 of each rank (which reports the rank's
 * measurements), run in superstep 0. */
static int sssp_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((sssp_state *)state)->dist = INFINITY;
    sssp_rank *r = amls_user(cx);
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    for (int64_t i = 0; i < deg; i++) {
        double x = w ? w[i] : 1.0;
        if (!(x >= 0)) /* negative or NaN: refused, naming the edge */
            return sssp_check_weights(cx, v);
        r->hi = x > r->hi ? x : r->hi;
        r->pos = x > 0 && x < r->pos ? x : r->pos;
    }
    r->arcs += deg;
    if (v != 0 && amls_vertex_id(cx, v) != amls_param_i64(cx, P_SOURCE))
        amls_vote_to_halt(cx, v);
    return 0;
}

/* Superstep 0: vertex 0 of each rank reports the rank's weights and arcs; the source starts. */
static int measure(amls_ctx *cx, amls_vertex v, sssp_state *s)
{
    const sssp_rank *r = amls_user(cx);
    int rc = 0;
    if (v == 0 && r->arcs > 0) {
        rc = amls_aggregate(cx, A_WMAX, &r->hi);
        if (rc == 0)
            rc = amls_aggregate(cx, A_WPOS, &r->pos);
        if (rc == 0)
            rc = amls_aggregate(cx, A_ARCS, &r->arcs);
    }
    if (amls_vertex_id(cx, v) == amls_param_i64(cx, P_SOURCE)) {
        s->dist = 0.0;
        s->light = s->heavy = 1;
    } else {
        amls_vote_to_halt(cx, v);
    }
    return rc;
}

/* Sends dist + w along the light (heavy: heavy) edges; reports the smallest bucket sent to
 * (once per rank and bucket in a superstep: the aggregator keeps the smallest anyway).
 * *other: whether v has edges of the other kind. */
static int relax(amls_ctx *cx, amls_vertex v, const sssp_state *s, sssp_rank *r, bool heavy,
                 bool *other)
{
    const amls_nbr *nb;
    const double *w;
    int64_t deg = amls_out_edges(cx, v, &nb, &w);
    double low = INFINITY, delta = r->delta;
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
    if (low == INFINITY || b >= r->sent)
        return 0;
    r->sent = b;
    return amls_aggregate(cx, A_SENT, &b);
}

/* The master step's settings for this superstep: the rank's copy, or after a restart the
 * aggregators. */
static sssp_rank *settings(amls_ctx *cx)
{
    sssp_rank *r = amls_user(cx);
    if (!r->valid) {
        r->delta = amls_aggregated_f64(cx, A_DELTA);
        r->cur = amls_aggregated_i64(cx, A_CUR);
        r->settled = amls_aggregated_i64(cx, A_SETTLED);
    }
    return r;
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
    if (!s->light && !s->heavy) { /* nothing new: no bucket to work out */
        amls_vote_to_halt(cx, v);
        return 0;
    }
    sssp_rank *r = settings(cx);
    int64_t b = bucket(s->dist, r->delta);
    int rc = 0;
    bool other = false;
    if (s->light && b <= r->cur) {
        rc = relax(cx, v, s, r, false, &other);
        s->light = 0;
        s->heavy = s->heavy && other; /* no heavy edge: nothing to wait for */
    }
    if (rc == 0 && s->heavy && b <= r->settled) {
        rc = relax(cx, v, s, r, true, &other);
        s->heavy = 0;
    }
    if (rc == 0 && (s->light || s->heavy)) /* light work waits for its bucket, heavy for it to
                                            * settle */
        return amls_sleep(cx, v, 2 * b + (s->light ? 0 : 1));
    amls_vote_to_halt(cx, v);
    return rc;
}

/* delta: --delta, else the largest weight over the average degree, at least the smallest
 * positive weight (1 when there is none). */
static double pick_delta(amls_ctx *cx, double delta)
{
    if (delta > 0)
        return delta;
    double hi = amls_aggregated_f64(cx, A_WMAX), pos = amls_aggregated_f64(cx, A_WPOS);
    double avg = (double)amls_aggregated_i64(cx, A_ARCS) / (double)amls_num_vertices(cx);
    delta = hi / (avg > 1 ? avg : 1);
    return isfinite(pos) ? fmax(delta, pos) : 1.0;
}

/* Sets the current and settled buckets for the next superstep, and the rank's copies. */
static int keep(amls_ctx *cx, double delta, int64_t cur, int64_t settled)
{
    sssp_rank *r = amls_user(cx);
    amls_set_aggregated(cx, A_CUR, &cur);
    amls_set_aggregated(cx, A_SETTLED, &settled);
    r->delta = delta;
    r->cur = cur;
    r->settled = settled;
    r->sent = INT64_MAX;
    r->valid = true;
    return 0;
}

/* After superstep 0: delta and bucket 0. Then: when nothing sent can land in the current
 * bucket, it is settled and its heavy edges go; then the current bucket moves on to the
 * smallest one with work and its sleepers wake. */
static int sssp_master(amls_ctx *cx)
{
    int64_t cur = amls_aggregated_i64(cx, A_CUR), settled = amls_aggregated_i64(cx, A_SETTLED);
    double delta = amls_aggregated_f64(cx, A_DELTA);
    if (amls_superstep(cx) == 0) {
        delta = amls_param_f64(cx, P_DELTA);
        if (delta < 0 || isnan(delta))
            return amls_fail(cx, "--delta must be >= 0 (0: from the weights)");
        delta = pick_delta(cx, delta);
        cur = 0;
        settled = -1;
        amls_set_aggregated(cx, A_DELTA, &delta);
    } else {
        int64_t sent = amls_aggregated_i64(cx, A_SENT), sleeping = amls_min_sleeping(cx);
        if (sent <= cur)
            return keep(cx, delta, cur, settled);       /* the current bucket may still change */
        if (settled < cur && sleeping <= 2 * cur + 1) { /* its heavy edges first */
            amls_wake_upto(cx, 2 * cur + 1);
            return keep(cx, delta, cur, cur);
        }
        settled = cur;
        int64_t next = sleeping < INT64_MAX ? sleeping / 2 : INT64_MAX;
        next = sent < next ? sent : next;
        if (next == INT64_MAX)
            return keep(cx, delta, cur, settled); /* nothing left: every vertex has halted */
        cur = next;
        amls_wake_upto(cx, 2 * cur);
    }
    return keep(cx, delta, cur, settled);
}

AMLS_VPROG_DEFINE(sssp,
                  .description = "single-source shortest paths from --source (delta-stepping)",
                  .state_size = sizeof(sssp_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_F64, 0}, .flags = AMLS_NEED_WEIGHTS,
                  AMLS_PARAMS(params), AMLS_AGGREGATORS(aggs), .result_type = AMLS_TYPE_F64,
                  .setup = sssp_setup, .init = sssp_init, .compute = sssp_compute,
                  .master = sssp_master, .finalize = sssp_finalize)
