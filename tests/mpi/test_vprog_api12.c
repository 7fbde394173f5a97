/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_vprog_api12.c — the vertex-program API added in ABI 1.2, on a directed ring
 * with chords (sparse, scrambled ids): one value per sender pushed and pulled (SUM, MIN, ANY
 * and a keyed MIN) gives every vertex what its in-neighbours sent, in both directions and under
 * --direction push, pull and auto; `wants` keeps vertices out of pull supersteps;
 * amls_request/amls_reply (answers from the target's state at the end of the superstep, a
 * second request replacing the first, a halted requester woken, many requests to one target);
 * amls_local_vertices and amls_nbr_vertex (every owned neighbour handle maps back to a vertex
 * with the same engine id); amls_wake_all. And the [1.3] sleeping vertices: amls_sleep, the
 * master step's amls_min_sleeping and amls_wake_upto, a message waking a sleeper, and a
 * restart from a checkpoint taken while vertices sleep. Every expected value is computed from
 * the edge rule in this file.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"

#include "amls/engine.h"

#include <string.h>

enum { NV = 97 };

/* Vertex i has id ID(i); arcs i -> i+1 and i -> 3i (mod NV). */
#define ID(i) ((int64_t)((i)*7 % NV) * 10 + 5)
static int64_t index_of(int64_t id)
{
    for (int64_t i = 0; i < NV; i++)
        if (ID(i) == id)
            return i;
    return -1;
}
static bool arc(int64_t a, int64_t b)
{
    return a != b && (b == (a + 1) % NV || b == (3 * a) % NV);
}

/* ---- one value per sender: superstep 0 sends the id to out- (SUM, MIN) and in-neighbours ---- */
typedef struct sig_state {
    int64_t got;
} sig_state;
static amls_op sig_op;
static bool sig_filtered; /* a pull superstep with `wants`: odd vertices get nothing */

static int sig_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    sig_state *s = state;
    int64_t id = amls_vertex_id(cx, v), me = index_of(id);
    amls_vote_to_halt(cx, v);
    if (amls_superstep(cx) == 0) {
        int rc = amls_send_to_neighbors(cx, v, &id);
        return rc == 0 && sig_op != AMLS_OP_ANY ? amls_send_to_in_neighbors(cx, v, &id) : rc;
    }
    int64_t want = sig_op == AMLS_OP_MIN ? INT64_MAX : 0, cnt = 0;
    for (int64_t u = 0; u < NV; u++) {
        bool in = arc(u, me), out = arc(me, u) && sig_op != AMLS_OP_ANY;
        if (!in && !out)
            continue;
        cnt++;
        if (sig_op == AMLS_OP_SUM)
            want += ID(u) * ((int64_t)in + (int64_t)out);
        else if (ID(u) < want)
            want = ID(u);
    }
    if (sig_filtered && me % 2 == 1) {
        CHECK(n == 0, "vertex %lld: does not want messages, got %lld", (long long)id, (long long)n);
        return 0;
    }
    CHECK(n == (cnt > 0), "vertex %lld: %lld messages", (long long)id, (long long)n);
    if (n == 1 && sig_op == AMLS_OP_ANY) {
        int64_t x;
        memcpy(&x, msgs, 8);
        bool from_in = false;
        for (int64_t u = 0; u < NV; u++)
            from_in = from_in || (arc(u, me) && ID(u) == x);
        CHECK(from_in, "vertex %lld: ANY kept %lld, not an in-neighbour", (long long)id,
              (long long)x);
    } else if (n == 1) {
        int64_t x;
        memcpy(&x, msgs, 8);
        CHECK(x == want, "vertex %lld: op %d got %lld, want %lld", (long long)id, sig_op,
              (long long)x, (long long)want);
    }
    s->got = n;
    return 0;
}

/* wants: odd indices take no messages (a pull skips them; a push drops what is sent to them). */
static bool sig_wants(const amls_ctx *cx, amls_vertex v, const void *state)
{
    (void)state;
    return index_of(amls_vertex_id(cx, v)) % 2 == 0;
}

/* ---- keyed MIN over (key, payload): the payload of the smallest key arrives ---------------- */
typedef struct pair {
    int64_t key, payload;
} pair;

static int keyed_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)state;
    int64_t id = amls_vertex_id(cx, v), me = index_of(id);
    amls_vote_to_halt(cx, v);
    if (amls_superstep(cx) == 0) {
        pair p = {id, 3 * id + 1};
        return amls_send_to_neighbors(cx, v, &p);
    }
    int64_t best = INT64_MAX;
    for (int64_t u = 0; u < NV; u++)
        if (arc(u, me) && ID(u) < best)
            best = ID(u);
    pair p = {0, 0};
    if (n == 1)
        memcpy(&p, msgs, sizeof p);
    CHECK(n == 1 && p.key == best && p.payload == 3 * best + 1, "vertex %lld: keyed (%lld, %lld)",
          (long long)id, (long long)p.key, (long long)p.payload);
    return 0;
}

/* ---- request/reply, local views, wake_all -------------------------------------------------- */
typedef struct rq_state {
    int64_t value; /* answered: 1000 * superstep + id, set in compute */
    int64_t seen;
} rq_state;

static int rq_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs, (void)n;
    rq_state *s = state;
    int64_t step = amls_superstep(cx), id = amls_vertex_id(cx, v), me = index_of(id);
    s->value = 1000 * step + id;
    s->seen++;
    const amls_nbr *nb;
    int64_t k = amls_out_edges(cx, v, &nb, NULL);
    for (int64_t i = 0; i < k; i++) { /* owned neighbours map back to themselves */
        amls_vertex u = amls_nbr_vertex(cx, nb[i]);
        CHECK(u < amls_local_vertices(cx), "nbr_vertex in range");
        if (u >= 0)
            CHECK(amls_vertex_gid(cx, u) == amls_nbr_gid(cx, nb[i]), "nbr_vertex gid");
    }
    const int64_t *r = amls_reply(cx, v);
    if (step == 0) {
        CHECK(r == NULL, "no answer before any request");
        /* Everyone asks vertex 0 (many requests, one target), then replaces it by its next. */
        amls_gid target0 = -1;
        for (int64_t i = 0; i < k && target0 < 0; i++)
            if (index_of(amls_nbr_id(cx, nb[i])) == (me + 1) % NV)
                target0 = amls_nbr_gid(cx, nb[i]);
        int rc = amls_request(cx, v, 0);
        rc = rc == 0 ? amls_request(cx, v, target0) : rc;
        amls_vote_to_halt(cx, v); /* the answer must wake it */
        return rc;
    }
    if (step == 1) {
        CHECK(r && *r == ID((me + 1) % NV), "vertex %lld: answer %lld, want %lld", (long long)id,
              r ? (long long)*r : -1LL, (long long)ID((me + 1) % NV));
        CHECK(s->seen == 2, "woken by its answer");
        amls_vote_to_halt(cx, v);
        return 0;
    }
    CHECK(step == 2 && r == NULL, "step %lld: woken by amls_wake_all, no answer", (long long)step);
    amls_vote_to_halt(cx, v);
    return 0;
}

/* The answer: the state's value at the end of the superstep (1000 * 0 + id at superstep 0). */
static void rq_reply(const amls_ctx *cx, amls_vertex v, const void *state, void *out)
{
    (void)cx, (void)v;
    memcpy(out, &((const rq_state *)state)->value, 8);
}

static int rq_master(amls_ctx *cx)
{
    if (amls_superstep(cx) == 1)
        amls_wake_all(cx);
    return 0;
}

/* ---- [1.3] sleeping: vertex i sleeps at superstep 0 with key i % 7 (vertex 1 with 100, but
 * vertex 0 sends it a message; vertex 2 with a key far beyond the others, FAR); the master
 * step checks the smallest sleeping key and wakes one more key each superstep, then FAR, so
 * vertex i runs once more, at superstep key + 1 (vertex 1 at 1, woken by its message, vertex
 * 2 at 8). ---- */
enum { FAR = 100000 };
typedef struct sl_state {
    int64_t ran; /* the superstep it ran in after superstep 0 (-1: none) */
} sl_state;

static int64_t sl_key(int64_t i)
{
    return i == 1 ? 100 : i == 2 ? FAR : i % 7;
}

/* The superstep vertex i runs in after superstep 0. */
static int64_t sl_ran(int64_t i)
{
    return i == 1 ? 1 : i == 2 ? 8 : sl_key(i) + 1;
}

static int sl_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs;
    sl_state *s = state;
    int64_t me = index_of(amls_vertex_id(cx, v)), step = amls_superstep(cx);
    if (step == 0) {
        s->ran = -1;
        const amls_nbr *nb;
        int64_t deg = amls_out_edges(cx, v, &nb, NULL), one = 1;
        for (int64_t k = 0; k < deg && me == 0; k++)
            if (amls_nbr_id(cx, nb[k]) == ID(1))
                CHECK(amls_send_nbr(cx, nb[k], &one) == 0, "send");
        return amls_sleep(cx, v, sl_key(me));
    }
    CHECK(s->ran == -1, "vertex %lld ran at %lld and %lld", (long long)me, (long long)s->ran,
          (long long)step);
    CHECK(n == (me == 1 && step == 1), "vertex %lld: %lld messages at %lld", (long long)me,
          (long long)n, (long long)step);
    s->ran = step;
    amls_vote_to_halt(cx, v);
    return 0;
}

static int sl_master(amls_ctx *cx)
{
    int64_t step = amls_superstep(cx), want = step < 7 ? step : step == 7 ? FAR : INT64_MAX;
    if (amls_min_sleeping(cx) != want)
        return amls_fail(cx, "the smallest sleeping key is not the expected one");
    amls_wake_upto(cx, want < INT64_MAX ? want : step);
    return 0;
}

/* A sleeper run (restarted from dir when restart), and every vertex's superstep checked. */
static void sleep_run(amls_graph *g, const amls_vprog *p, const char *dir, bool restart)
{
    amls_run_opts ro = {.quiet = true};
    if (dir && !restart) { /* checkpoints after supersteps 2 and 5, stop after 4 */
        ro.checkpoint_every = 3;
        ro.checkpoint_dir = dir;
        ro.max_supersteps = 5;
    }
    ro.restart_dir = restart ? dir : NULL;
    amls_run *r = NULL;
    CHECK(amls_run_program(g, p, &ro, &r) == AMLS_OK, "sleep: %s", amls_last_error());
    if (r == NULL || (dir && !restart))
        goto done;
    CHECK(r->supersteps == 9, "sleep: %lld supersteps", (long long)r->supersteps);
    for (int64_t v = 0; v < g->n_local; v++) {
        int64_t me = index_of(g->orig[v]), ran = ((const sl_state *)r->state)[v].ran;
        CHECK(ran == sl_ran(me), "sleep: vertex %lld ran at %lld (key %lld)", (long long)me,
              (long long)ran, (long long)sl_key(me));
    }
done:
    amls_run_free(&r);
}

#define PROG(nm, ...)                                                                              \
    {                                                                                              \
        .abi_major = AMLS_ABI_MAJOR, .abi_minor = AMLS_ABI_MINOR,                                  \
        .struct_size = sizeof(amls_vprog), .name = nm, __VA_ARGS__                                 \
    }

static void run_ok(amls_graph *g, const amls_vprog *p, int direction, int64_t want_steps)
{
    amls_run_opts ro = {.quiet = true, .direction = direction};
    amls_run *r = NULL;
    CHECK(amls_run_program(g, p, &ro, &r) == AMLS_OK, "%s: %s", p->name, amls_last_error());
    CHECK(r && (want_steps < 0 || r->supersteps == want_steps), "%s: %lld supersteps", p->name,
          r ? (long long)r->supersteps : -1LL);
    if (r && direction == AMLS_STEP_PULL)
        CHECK(r->steps[0].pull, "%s: superstep 0 pulled", p->name);
    if (r && direction == AMLS_STEP_PUSH)
        CHECK(!r->steps[0].pull, "%s: superstep 0 pushed", p->name);
    amls_run_free(&r);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_raw_graph raw = {0};
    for (int64_t i = 0; i < NV && h_rank == 0; i++)
        for (int64_t j = 0; j < NV; j++)
            if (arc(i, j))
                amls_raw_graph_push(&raw, ID(i), ID(j), 1.0);
    raw.directed = true;
    amls_build_opts bo = {.method = AMLS_PART_HASH, .need_in_edges = true};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build");
    const amls_op ops[] = {AMLS_OP_SUM, AMLS_OP_MIN, AMLS_OP_ANY};
    const int dirs[] = {AMLS_STEP_PUSH, AMLS_STEP_PULL, AMLS_STEP_AUTO};
    for (int o = 0; o < 3; o++)
        for (int d = 0; d < 3; d++) {
            sig_op = ops[o];
            amls_vprog p = PROG("sig", .state_size = sizeof(sig_state), .msg_size = 8,
                                .combiner = {ops[o], AMLS_TYPE_I64, NULL},
                                .flags = AMLS_NEED_IN_EDGES, .compute = sig_compute);
            run_ok(g, &p, dirs[d], 2);
        }
    for (int d = 0; d < 2; d++) { /* `wants`: odd vertices get nothing, pulled or pushed */
        sig_op = AMLS_OP_MIN;
        sig_filtered = true;
        amls_vprog p =
            PROG("wants", .state_size = sizeof(sig_state), .msg_size = 8,
                 .combiner = {AMLS_OP_MIN, AMLS_TYPE_I64, NULL}, .flags = AMLS_NEED_IN_EDGES,
                 .compute = sig_compute, .wants = sig_wants);
        run_ok(g, &p, dirs[d], -1);
    }
    sig_filtered = false;
    const amls_vprog keyed = PROG("keyed", .state_size = 8, .msg_size = sizeof(pair),
                                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_I64, NULL},
                                  .flags = AMLS_PULL, .compute = keyed_compute);
    run_ok(g, &keyed, AMLS_STEP_PULL, 2);
    run_ok(g, &keyed, AMLS_STEP_PUSH, 2);
    const amls_vprog rq = PROG("rq", .state_size = sizeof(rq_state), .compute = rq_compute,
                               .master = rq_master, .reply_size = 8, .reply = rq_reply);
    run_ok(g, &rq, AMLS_STEP_AUTO, 3);
    const amls_vprog sl = PROG("sleep", .state_size = sizeof(sl_state), .msg_size = 8,
                               .compute = sl_compute, .master = sl_master);
    sleep_run(g, &sl, NULL, false);
    char dir[256];
    h_temp_dir(dir, sizeof dir, "sleep");
    CHECK(dir[0] != '\0', "no temporary directory");
    sleep_run(g, &sl, dir, false);
    sleep_run(g, &sl, dir, true);
    h_remove_dir(dir);
    amls_graph_free(&g);
    return h_finish("test_vprog_api12");
}
