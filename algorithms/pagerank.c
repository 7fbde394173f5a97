/* ---------------------------------------------------------------------------------------------
 * algorithms/pagerank.c — PageRank as defined by LDBC Graphalytics.
 * SPDX-License-Identifier: MIT
 *
 * PR_0(v) = 1/N; PR_k(v) = (1-d)/N + d * (sum over in-neighbours u of PR_{k-1}(u)/outdeg(u)
 *                                        + sum over sinks s of PR_{k-1}(s)/N),
 * for a fixed number of iterations. Each vertex sends rank/outdeg to its out-neighbours (one
 * value per sender, summed by the combiner: since every vertex sends, the engine runs these as
 * pull supersteps, each vertex summing over its in-edges; AMLS_PULL keeps the in-edges of
 * directed graphs for that); sinks add their rank to an aggregator instead, which every vertex
 * reads in the next superstep. Reference: algorithms/ref/pagerank_ref.c (dense power
 * iteration).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

enum { P_DAMPING, P_ITERATIONS };
static const amls_param params[] = {
    {"damping", AMLS_PARAM_FLOAT, "0.85", "damping factor d"},
    {"iterations", AMLS_PARAM_INT, "20", "number of iterations"},
};
static const amls_param_range ranges[] = {{"damping", 0, 1}, {"iterations", 0, 1e9}};
enum { A_SINK };
static const amls_aggregator aggs[] = {{"sink_mass", AMLS_OP_SUM, AMLS_TYPE_F64, false}};

typedef struct pr_state {
    double rank;
} pr_state;

static int pr_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    pr_state *s = state;
    double nv = (double)amls_num_vertices(cx), d = amls_param_f64(cx, P_DAMPING);
    int64_t step = amls_superstep(cx);
    if (step == 0) {
        s->rank = 1.0 / nv;
    } else {
        const double *in = msgs;
        double sum = 0.0;
        for (int64_t i = 0; i < n; i++)
            sum += in[i];
        s->rank = (1.0 - d) / nv + d * (sum + amls_aggregated_f64(cx, A_SINK) / nv);
    }
    if (step >= amls_param_i64(cx, P_ITERATIONS)) {
        amls_vote_to_halt(cx, v);
        return 0;
    }
    int64_t deg = amls_out_degree(cx, v);
    if (deg == 0)
        return amls_aggregate(cx, A_SINK, &s->rank);
    double share = s->rank / (double)deg;
    return amls_send_to_neighbors(cx, v, &share);
}

AMLS_VPROG_DEFINE(pagerank, .description = "PageRank (LDBC Graphalytics definition)",
                  .state_size = sizeof(pr_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_F64, 0}, .flags = AMLS_PULL,
                  AMLS_AGGREGATORS(aggs), AMLS_PARAMS(params), AMLS_PARAM_RANGES(ranges),
                  .result_type = AMLS_TYPE_F64, .compute = pr_compute)
