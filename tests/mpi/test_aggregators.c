/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_aggregators.c — aggregators reduce correctly from superstep 0 on: every vertex
 * adds (original id + 10) to SUM, MIN and MAX aggregators, plain and persistent, over three
 * supersteps; the master checks what it reads against the values computed from the ids.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"

#include "amls/engine.h"

enum { A_SUM, A_MIN, A_MAX, A_PMIN, A_PMAX, A_PSUM, NAGG };
static const amls_aggregator aggs[] = {
    {"sum", AMLS_OP_SUM, AMLS_TYPE_I64, false}, {"min", AMLS_OP_MIN, AMLS_TYPE_I64, false},
    {"max", AMLS_OP_MAX, AMLS_TYPE_F64, false}, {"pmin", AMLS_OP_MIN, AMLS_TYPE_F64, true},
    {"pmax", AMLS_OP_MAX, AMLS_TYPE_I64, true}, {"psum", AMLS_OP_SUM, AMLS_TYPE_I64, true},
};

typedef struct expect {
    int64_t sum, min, max, steps_checked;
} expect;
static expect want;

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)state, (void)msgs, (void)n;
    int64_t x = amls_vertex_id(cx, v) + 10;
    double xf = (double)x;
    amls_aggregate(cx, A_SUM, &x);
    amls_aggregate(cx, A_MIN, &x);
    amls_aggregate(cx, A_MAX, &xf);
    amls_aggregate(cx, A_PMIN, &xf);
    amls_aggregate(cx, A_PMAX, &x);
    amls_aggregate(cx, A_PSUM, &x);
    if (amls_superstep(cx) == 2)
        amls_vote_to_halt(cx, v);
    return 0;
}

static int master(amls_ctx *cx)
{
    int64_t s = amls_superstep(cx) + 1; /* supersteps reduced so far */
    CHECK(amls_aggregated_i64(cx, A_SUM) == want.sum, "sum");
    CHECK(amls_aggregated_i64(cx, A_MIN) == want.min, "min %lld, want %lld",
          (long long)amls_aggregated_i64(cx, A_MIN), (long long)want.min);
    CHECK(amls_aggregated_f64(cx, A_MAX) == (double)want.max, "max");
    CHECK(amls_aggregated_f64(cx, A_PMIN) == (double)want.min, "persistent min %g, want %lld",
          amls_aggregated_f64(cx, A_PMIN), (long long)want.min);
    CHECK(amls_aggregated_i64(cx, A_PMAX) == want.max, "persistent max");
    CHECK(amls_aggregated_i64(cx, A_PSUM) == s * want.sum, "persistent sum");
    want.steps_checked++;
    return 0;
}

static const amls_vprog prog = {.abi_major = AMLS_ABI_MAJOR,
                                .abi_minor = AMLS_ABI_MINOR,
                                .struct_size = sizeof(amls_vprog),
                                .name = "aggtest",
                                .state_size = 8,
                                .aggregators = aggs,
                                .naggregators = NAGG,
                                .compute = compute,
                                .master = master};

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_gen_spec s;
    amls_gen_spec_parse("grid:rows=7,cols=9", &s);
    amls_raw_graph raw;
    CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "generate");
    /* Ids are 0..62: computed here, independently of the engine. */
    want.sum = 0;
    want.min = 10;
    want.max = 62 + 10;
    for (int64_t id = 0; id < 63; id++)
        want.sum += id + 10;
    amls_build_opts bo = {.method = AMLS_PART_HASH};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build");
    amls_run_opts ro = {.quiet = true};
    amls_run *r = NULL;
    CHECK(amls_run_program(g, &prog, &ro, &r) == AMLS_OK, "run: %s", amls_last_error());
    CHECK(want.steps_checked == 3, "master ran %lld times", (long long)want.steps_checked);
    amls_run_free(&r);
    amls_graph_free(&g);
    return h_finish("test_aggregators");
}
