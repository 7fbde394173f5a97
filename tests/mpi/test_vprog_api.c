/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_vprog_api.c — the vertex-program API added in ABI 1.1, on a small directed
 * graph with sparse ids, a reciprocal pair and a self loop: amls_nbrs (every neighbour once,
 * with its directions), amls_scratch, amls_published (a vertex's own value), amls_send_vid
 * (messages by original id through the directory), vector and user-defined aggregators (seen
 * by the master step for the superstep that just ended and by vertices in the next one),
 * amls_rank/amls_nranks, and a message to an id that does not exist. Expected values come
 * from the edge list in this file. Also: the watchdog does not count engine time between setup
 * and the first superstep as a callback.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"

#include "amls/engine.h"

#include <string.h>
#include <time.h>

enum { NV = 7, NE = 9 };
static const int64_t ids[NV] = {10, 20, 30, 40, 50, 60, 70};
static const int64_t edges[NE][2] = {{10, 20}, {20, 10}, {20, 30}, {30, 30}, {40, 10},
                                     {50, 60}, {60, 70}, {70, 50}, {10, 70}};

/* The directions between v and u by the edge list: AMLS_DIR_OUT if v -> u, IN if u -> v. */
static unsigned dirs_of(int64_t v, int64_t u)
{
    unsigned d = 0;
    for (int e = 0; e < NE; e++) {
        d |= edges[e][0] == v && edges[e][1] == u ? AMLS_DIR_OUT : 0;
        d |= edges[e][0] == u && edges[e][1] == v ? AMLS_DIR_IN : 0;
    }
    return d;
}

static int64_t index_of(int64_t id)
{
    for (int i = 0; i < NV; i++)
        if (ids[i] == id)
            return i;
    return -1;
}

/* A user-defined aggregate: the range of the ids seen, with its identity. */
typedef struct id_range {
    int64_t lo, hi;
} id_range;
static const id_range empty = {INT64_MAX, INT64_MIN};

static void widen(void *acc, const void *x)
{
    id_range a, b;
    memcpy(&a, acc, sizeof a);
    memcpy(&b, x, sizeof b);
    a.lo = b.lo < a.lo ? b.lo : a.lo;
    a.hi = b.hi > a.hi ? b.hi : a.hi;
    memcpy(acc, &a, sizeof a);
}

enum { A_N, A_VEC, A_MAX, A_USER };
static const amls_aggregator scalar[] = {{"n", AMLS_OP_SUM, AMLS_TYPE_I64, false}};
static const amls_aggregator_ext vector[] = {
    {"sums", AMLS_OP_SUM, AMLS_TYPE_I64, 3, 0, NULL, NULL, false},
    {"max", AMLS_OP_MAX, AMLS_TYPE_F64, 2, 0, NULL, NULL, false},
    {"user", AMLS_OP_USER, 0, 0, sizeof(id_range), widen, &empty, false},
};

/* What every aggregate must be after superstep 0. */
static void check_aggregates(const amls_ctx *cx, const char *where)
{
    int64_t n = 0, sums[3] = {0}, want[3] = {NV, 0, 0};
    double mx[2] = {0};
    id_range u = {0, 0};
    for (int i = 0; i < NV; i++) {
        want[1] += ids[i];
        want[2] += ids[i] * ids[i];
    }
    amls_aggregated(cx, A_N, &n);
    amls_aggregated(cx, A_VEC, sums);
    amls_aggregated(cx, A_MAX, mx);
    amls_aggregated(cx, A_USER, &u);
    CHECK(n == NV, "%s: scalar aggregator %lld", where, (long long)n);
    CHECK(sums[0] == want[0] && sums[1] == want[1] && sums[2] == want[2], "%s: vector sums", where);
    CHECK(mx[0] == 70.0 && mx[1] == -10.0, "%s: vector max %g %g", where, mx[0], mx[1]);
    CHECK(u.lo == 10 && u.hi == 70, "%s: user aggregate %lld..%lld", where, (long long)u.lo,
          (long long)u.hi);
}

static void check_nbrs(amls_ctx *cx, amls_vertex v, int64_t id)
{
    const amls_nbr *nb;
    const uint8_t *dir;
    int64_t k = amls_nbrs(cx, v, &nb, &dir), want = 0;
    for (int i = 0; i < NV; i++)
        want += dirs_of(id, ids[i]) != 0;
    CHECK(k == want, "vertex %lld: %lld neighbours, want %lld", (long long)id, (long long)k,
          (long long)want);
    for (int64_t i = 0; i < k; i++) {
        int64_t u = amls_nbr_id(cx, nb[i]);
        CHECK(dir[i] == dirs_of(id, u), "vertex %lld, neighbour %lld: directions %u, want %u",
              (long long)id, (long long)u, dir[i], dirs_of(id, u));
        CHECK(i == 0 || amls_nbr_gid(cx, nb[i - 1]) < amls_nbr_gid(cx, nb[i]), "sorted, once");
    }
}

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)state;
    int64_t id = amls_vertex_id(cx, v), three = 3 * id, one = 1;
    if (amls_superstep(cx) == 0) {
        check_nbrs(cx, v, id);
        char *s = amls_scratch(cx, 64);
        memset(s, 'x', 64);
        CHECK(amls_scratch(cx, 32) == s && s[63] == 'x', "scratch is one buffer per rank");
        int64_t sums[3] = {1, id, id * id};
        double mx[2] = {(double)id, -(double)id};
        id_range u = {id, id};
        amls_aggregate(cx, A_N, &one);
        amls_aggregate(cx, A_VEC, sums);
        amls_aggregate(cx, A_MAX, mx);
        amls_aggregate(cx, A_USER, &u);
        int rc = amls_publish(cx, v, &three, sizeof three);
        return rc ? rc : amls_send_vid(cx, ids[(index_of(id) + 1) % NV], &id);
    }
    size_t len = 0;
    const int64_t *mine = amls_published(cx, v, &len);
    CHECK(mine && len == 8 && *mine == three, "own published value of %lld", (long long)id);
    const int64_t *in = msgs;
    CHECK(n == 1 && in[0] == ids[(index_of(id) + NV - 1) % NV], "vertex %lld: %lld messages",
          (long long)id, (long long)n);
    check_aggregates(cx, "compute");
    amls_vote_to_halt(cx, v);
    return 0;
}

static int master(amls_ctx *cx)
{
    int R = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &R);
    CHECK(amls_rank(cx) == h_rank && amls_nranks(cx) == R, "rank wrappers");
    if (amls_superstep(cx) == 0)
        check_aggregates(cx, "master");
    return 0;
}

static const amls_vprog prog = {.abi_major = AMLS_ABI_MAJOR,
                                .abi_minor = AMLS_ABI_MINOR,
                                .struct_size = sizeof(amls_vprog),
                                .name = "api11",
                                .state_size = 8,
                                .msg_size = sizeof(int64_t),
                                .pub_size = sizeof(int64_t),
                                .flags = AMLS_NEED_IN_EDGES,
                                AMLS_AGGREGATORS(scalar),
                                AMLS_AGGREGATORS_EXT(vector),
                                .compute = compute,
                                .master = master};

static int to_nowhere(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)state, (void)msgs, (void)n;
    int64_t x = 1;
    amls_vote_to_halt(cx, v);
    return amls_vertex_id(cx, v) == 40 ? amls_send_vid(cx, 999, &x) : 0;
}

static const amls_vprog nowhere = {.abi_major = AMLS_ABI_MAJOR,
                                   .abi_minor = AMLS_ABI_MINOR,
                                   .struct_size = sizeof(amls_vprog),
                                   .name = "nowhere",
                                   .state_size = 8,
                                   .msg_size = sizeof(int64_t),
                                   .compute = to_nowhere};

/* Engine work between setup and the first superstep (here the on_superstep hook; in a real
 * run the agreement and a restore) is not a callback: the watchdog must not end the job for it
 * and blame setup. */
static int quick_setup(amls_ctx *cx)
{
    (void)cx;
    return 0;
}
static int halt_now(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)state, (void)msgs, (void)n;
    amls_vote_to_halt(cx, v);
    return 0;
}
static void slow_hook(void *ud, int64_t superstep, int rank)
{
    (void)ud, (void)rank;
    if (superstep == 0)
        nanosleep(&(struct timespec){1, 200000000}, NULL);
}
static const amls_vprog quick = {.abi_major = AMLS_ABI_MAJOR,
                                 .abi_minor = AMLS_ABI_MINOR,
                                 .struct_size = sizeof(amls_vprog),
                                 .name = "quick",
                                 .state_size = 8,
                                 .setup = quick_setup,
                                 .compute = halt_now};

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_raw_graph raw = {0};
    for (int e = 0; e < NE && h_rank == 0; e++)
        amls_raw_graph_push(&raw, edges[e][0], edges[e][1], 1.0);
    raw.directed = true;
    raw.edges_read = NE;
    amls_build_opts bo = {.method = AMLS_PART_HASH, .need_in_edges = true};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build");
    amls_run_opts ro = {.quiet = true, .no_combiner = true};
    amls_run *r = NULL;
    CHECK(amls_run_program(g, &prog, &ro, &r) == AMLS_OK, "run: %s", amls_last_error());
    CHECK(r && r->supersteps == 2, "two supersteps");
    amls_run_free(&r);
    int rc = amls_run_program(g, &nowhere, &ro, &r);
    CHECK(rc == AMLS_ERR_VPROG, "a message to a missing id fails the run on every rank (%d)", rc);
    amls_clear_error();
    amls_run_opts slow = {.quiet = true, .superstep_timeout = 0.5, .on_superstep = slow_hook};
    CHECK(amls_run_program(g, &quick, &slow, &r) == AMLS_OK, "engine time outside callbacks: %s",
          amls_last_error());
    amls_run_free(&r);
    amls_graph_free(&g);
    return h_finish("test_vprog_api");
}
