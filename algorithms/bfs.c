/* ---------------------------------------------------------------------------------------------
 * algorithms/bfs.c — breadth-first search hop counts (Graphalytics BFS), direction-optimising.
 * SPDX-License-Identifier: MIT
 *
 * The source gets depth 0 and tells its out-neighbours depth 1; a vertex that hears a smaller
 * depth than it has takes it and passes depth+1 on. Only the frontier is active in a superstep.
 * Every message of a superstep carries the same depth, so any one of them will do (combiner
 * AMLS_OP_ANY), and a visited vertex wants no more (`wants`): the engine then runs the large
 * middle levels as pull supersteps in which each unvisited vertex looks for one parent in the
 * frontier and stops at the first (Beamer's bottom-up step; AMLS_PULL keeps the in-edges of
 * directed graphs for it). The program does not know which direction ran. Unreachable vertices
 * keep 9223372036854775807. Reference: queue BFS (ref/bfs_ref.c).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

enum { P_SOURCE };
static const amls_param params[] = {
    {"source", AMLS_PARAM_VERTEX, NULL, "original id of the source vertex"},
};

typedef struct bfs_state {
    int64_t depth;
} bfs_state;

/* Only the source has work in superstep 0: the others wait, halted, for a message. */
static int bfs_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((bfs_state *)state)->depth = INT64_MAX;
    if (amls_vertex_id(cx, v) != amls_param_i64(cx, P_SOURCE))
        amls_vote_to_halt(cx, v);
    return 0;
}

static int bfs_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    bfs_state *s = state;
    const int64_t *in = msgs;
    int64_t best = INT64_MAX;
    if (amls_superstep(cx) == 0) {
        if (amls_vertex_id(cx, v) == amls_param_i64(cx, P_SOURCE))
            best = 0;
    } else {
        for (int64_t i = 0; i < n; i++)
            if (in[i] < best)
                best = in[i];
    }
    int rc = 0;
    if (best < s->depth) {
        s->depth = best;
        int64_t next = best + 1;
        rc = amls_send_to_neighbors(cx, v, &next);
    }
    amls_vote_to_halt(cx, v);
    return rc;
}

/* Only unvisited vertices can use a message. */
static bool bfs_wants(const amls_ctx *cx, amls_vertex v, const void *state)
{
    (void)cx;
    (void)v;
    return ((const bfs_state *)state)->depth == INT64_MAX;
}

AMLS_VPROG_DEFINE(bfs, .description = "breadth-first search hop counts from --source",
                  .state_size = sizeof(bfs_state), .msg_size = sizeof(int64_t),
                  .combiner = {AMLS_OP_ANY, AMLS_TYPE_I64, 0}, .flags = AMLS_PULL,
                  AMLS_PARAMS(params), .result_type = AMLS_TYPE_I64, .init = bfs_init,
                  .compute = bfs_compute, .wants = bfs_wants)
