/* ---------------------------------------------------------------------------------------------
 * ppr.c — personalised PageRank from a set of seed vertices (example plugin).
 * SPDX-License-Identifier: MIT
 *
 * Like PageRank, but the random surfer teleports only to the seeds, and the mass of sinks goes
 * back to the seeds: with S the seed set,
 *   r_0(v) = [v in S]/|S|,
 *   r_k(v) = [v in S] ((1-d) + d * sink_{k-1}) / |S| + d * sum_{u -> v} r_{k-1}(u)/outdeg(u).
 * Parameters: --seeds 1,7,42 (original ids), --damping, --iterations. A master step checks
 * that every seed exists in the graph.
 * ------------------------------------------------------------------------------------------- */
#include <amls/vprog.h>
#include <stdlib.h>
#include <string.h>

enum { P_SEEDS, P_DAMPING, P_ITERATIONS };
static const amls_param params[] = {
    {"seeds", AMLS_PARAM_STRING, NULL, "comma-separated original ids of the seed vertices"},
    {"damping", AMLS_PARAM_FLOAT, "0.85", "damping factor"},
    {"iterations", AMLS_PARAM_INT, "20", "number of iterations"},
};
/* Values outside these are refused before the graph is loaded. */
static const amls_param_range ranges[] = {{"damping", 0, 1}, {"iterations", 0, 1e9}};
enum { A_SINK, A_SEEDS_FOUND };
static const amls_aggregator aggs[] = {
    {"sink_mass", AMLS_OP_SUM, AMLS_TYPE_F64, false},
    {"seeds_found", AMLS_OP_SUM, AMLS_TYPE_I64, false},
};

typedef struct ppr_prog {
    int64_t *seeds;
    int64_t nseeds;
    double d;
    int64_t iters;
} ppr_prog;

typedef struct ppr_state {
    double rank;
} ppr_state;

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int ppr_setup(amls_ctx *cx)
{
    const char *text = amls_param_str(cx, P_SEEDS);
    ppr_prog *p = amls_alloc(cx, sizeof *p);
    if (p == NULL)
        return amls_fail(cx, "out of memory");
    memset(p, 0, sizeof *p);
    amls_set_user(cx, p);
    p->seeds = amls_alloc(cx, (strlen(text) / 2 + 2) * sizeof *p->seeds);
    if (p->seeds == NULL)
        return amls_fail(cx, "out of memory");
    for (const char *s = text; *s;) {
        char *end = NULL;
        long long x = strtoll(s, &end, 10);
        if (end == s || (*end != ',' && *end != '\0'))
            return amls_fail(cx, "--seeds expects comma-separated vertex ids, e.g. 1,7,42");
        p->seeds[p->nseeds++] = x;
        s = *end == ',' ? end + 1 : end;
    }
    if (p->nseeds == 0)
        return amls_fail(cx, "--seeds names no vertex");
    qsort(p->seeds, (size_t)p->nseeds, sizeof *p->seeds, cmp);
    p->d = amls_param_f64(cx, P_DAMPING);
    p->iters = amls_param_i64(cx, P_ITERATIONS);
    return 0;
}

static void ppr_finalize(amls_ctx *cx)
{
    ppr_prog *p = amls_user(cx);
    if (p) {
        amls_free(cx, p->seeds);
        amls_free(cx, p);
    }
}

static int ppr_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    ppr_prog *p = amls_user(cx);
    ppr_state *s = state;
    amls_vid id = amls_vertex_id(cx, v);
    int seed = bsearch(&id, p->seeds, (size_t)p->nseeds, sizeof id, cmp) != NULL;
    double ns = (double)p->nseeds;
    int64_t step = amls_superstep(cx);
    if (step == 0) {
        s->rank = seed ? 1.0 / ns : 0.0;
        int64_t one = seed;
        amls_aggregate(cx, A_SEEDS_FOUND, &one);
    } else {
        const double *in = msgs;
        double sum = 0;
        for (int64_t i = 0; i < n; i++)
            sum += in[i];
        s->rank = p->d * sum;
        if (seed)
            s->rank += ((1 - p->d) + p->d * amls_aggregated_f64(cx, A_SINK)) / ns;
    }
    if (step >= p->iters) {
        amls_vote_to_halt(cx, v);
        return 0;
    }
    int64_t deg = amls_out_degree(cx, v);
    if (deg == 0)
        return amls_aggregate(cx, A_SINK, &s->rank);
    double share = s->rank / (double)deg;
    return amls_send_to_neighbors(cx, v, &share);
}

static int ppr_master(amls_ctx *cx)
{
    ppr_prog *p = amls_user(cx);
    if (amls_superstep(cx) == 0 && amls_aggregated_i64(cx, A_SEEDS_FOUND) != p->nseeds)
        return amls_fail(cx, "a seed given with --seeds is not a vertex of the graph");
    return 0;
}

AMLS_VPROG_DEFINE(ppr, .description = "personalised PageRank from --seeds",
                  .state_size = sizeof(ppr_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_F64, 0}, AMLS_AGGREGATORS(aggs),
                  AMLS_PARAMS(params), AMLS_PARAM_RANGES(ranges), .result_type = AMLS_TYPE_F64,
                  .setup = ppr_setup, .compute = ppr_compute, .master = ppr_master,
                  .finalize = ppr_finalize)
