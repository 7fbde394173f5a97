/* ---------------------------------------------------------------------------------------------
 * algorithms/wcc_label.c — weakly connected components by min-label propagation (the variant
 * `wcc --variant label`; the default is pointer jumping, wcc.c).
 * SPDX-License-Identifier: MIT
 *
 * Each vertex starts with its own original id and adopts the smallest label it hears of,
 * along edges in both directions; it speaks only when its label shrinks, so the run takes
 * O(diameter) supersteps and ends when labels are stable. The label of a component is its
 * smallest original id, as in the Graphalytics reference. Reference: union-find (ref/wcc_ref.c).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

typedef struct wcc_state {
    int64_t label;
} wcc_state;

static int wcc_init(amls_ctx *cx, amls_vertex v, void *state)
{
    ((wcc_state *)state)->label = amls_vertex_id(cx, v);
    return 0;
}

static int spread(amls_ctx *cx, amls_vertex v, const int64_t *label)
{
    int rc = amls_send_to_neighbors(cx, v, label);
    if (rc == 0 && amls_is_directed(cx))
        rc = amls_send_to_in_neighbors(cx, v, label);
    return rc;
}

static int wcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    wcc_state *s = state;
    const int64_t *in = msgs;
    int rc = 0;
    if (amls_superstep(cx) == 0) {
        rc = spread(cx, v, &s->label);
    } else {
        int64_t best = s->label;
        for (int64_t i = 0; i < n; i++)
            if (in[i] < best)
                best = in[i];
        if (best < s->label) {
            s->label = best;
            rc = spread(cx, v, &best);
        }
    }
    amls_vote_to_halt(cx, v);
    return rc;
}

AMLS_VPROG_DEFINE(wcc_label, .description = "weakly connected components (min-label propagation)",
                  .state_size = sizeof(wcc_state), .msg_size = sizeof(int64_t),
                  .combiner = {AMLS_OP_MIN, AMLS_TYPE_I64, 0}, .flags = AMLS_NEED_IN_EDGES,
                  .result_type = AMLS_TYPE_I64, .init = wcc_init, .compute = wcc_compute)
