/* ---------------------------------------------------------------------------------------------
 * degree_stats.c — degree statistics with aggregators and a master step (example plugin).
 * SPDX-License-Identifier: MIT
 *
 * Superstep 0: each vertex adds its out-degree to three aggregators (sum, max, sum of squares),
 * counts itself as a sink if it has no out-edges, and sends 1 along its out-edges.
 * Superstep 1: the summed messages are its in-degree, added to a max aggregator.
 * The master step after superstep 1 prints the statistics on rank 0 and halts the run.
 * Output per vertex: "out-degree in-degree".
 * ------------------------------------------------------------------------------------------- */
#include <amls/vprog.h>
#include <math.h>
#include <stdio.h>

enum { A_SUM_OUT, A_MAX_OUT, A_SUMSQ_OUT, A_SINKS, A_MAX_IN };
static const amls_aggregator aggs[] = {
    {"sum_out", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"max_out", AMLS_OP_MAX, AMLS_TYPE_I64, false},
    {"sumsq_out", AMLS_OP_SUM, AMLS_TYPE_F64, false},
    {"sinks", AMLS_OP_SUM, AMLS_TYPE_I64, false},
    {"max_in", AMLS_OP_MAX, AMLS_TYPE_I64, false},
};

typedef struct ds_state {
    int64_t out, in;
} ds_state;

/* The master keeps superstep 0's aggregates until superstep 1 is done. */
typedef struct ds_prog {
    int64_t sum, max_out, sinks;
    double sumsq;
} ds_prog;

static int ds_setup(amls_ctx *cx)
{
    ds_prog *p = amls_alloc(cx, sizeof *p);
    if (p == NULL)
        return amls_fail(cx, "out of memory");
    *p = (ds_prog){0};
    amls_set_user(cx, p);
    return 0;
}

static void ds_finalize(amls_ctx *cx)
{
    amls_free(cx, amls_user(cx));
}

static int ds_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    ds_state *s = state;
    if (amls_superstep(cx) == 0) {
        s->out = amls_out_degree(cx, v);
        double sq = (double)s->out * (double)s->out;
        int64_t sink = s->out == 0;
        amls_aggregate(cx, A_SUM_OUT, &s->out);
        amls_aggregate(cx, A_MAX_OUT, &s->out);
        amls_aggregate(cx, A_SUMSQ_OUT, &sq);
        amls_aggregate(cx, A_SINKS, &sink);
        int64_t one = 1;
        return amls_send_to_neighbors(cx, v, &one);
    }
    const int64_t *in = msgs;
    for (int64_t i = 0; i < n; i++)
        s->in += in[i];
    amls_aggregate(cx, A_MAX_IN, &s->in);
    amls_vote_to_halt(cx, v);
    return 0;
}

static int ds_master(amls_ctx *cx)
{
    ds_prog *p = amls_user(cx);
    if (amls_superstep(cx) == 0) {
        p->sum = amls_aggregated_i64(cx, A_SUM_OUT);
        p->max_out = amls_aggregated_i64(cx, A_MAX_OUT);
        p->sumsq = amls_aggregated_f64(cx, A_SUMSQ_OUT);
        p->sinks = amls_aggregated_i64(cx, A_SINKS);
        return 0;
    }
    double n = (double)amls_num_vertices(cx), mean = (double)p->sum / n;
    double var = p->sumsq / n - mean * mean;
    if (amls_rank(cx) == 0)
        printf("degree_stats: vertices %.0f arcs %lld mean_out %.6f stddev_out %.6f max_out %lld "
               "max_in %lld sinks %lld\n",
               n, (long long)p->sum, mean, sqrt(var > 0 ? var : 0), (long long)p->max_out,
               (long long)amls_aggregated_i64(cx, A_MAX_IN), (long long)p->sinks);
    amls_halt(cx);
    return 0;
}

static int ds_format(const void *state, char *buf, size_t cap)
{
    const ds_state *s = state;
    return snprintf(buf, cap, "%lld %lld", (long long)s->out, (long long)s->in);
}

AMLS_VPROG_DEFINE(degree_stats, .description = "degree statistics (aggregators, master step)",
                  .state_size = sizeof(ds_state), .msg_size = sizeof(int64_t),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_I64, 0}, AMLS_AGGREGATORS(aggs),
                  .setup = ds_setup, .compute = ds_compute, .master = ds_master,
                  .format = ds_format, .finalize = ds_finalize)
