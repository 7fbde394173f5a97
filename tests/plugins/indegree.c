/* tests/plugins/indegree.c — a plugin-shaped test program: every vertex sends 1 along its
 * out-edges; the summed messages are its in-degree. Uses only amls/vprog.h. */
#include "amls/vprog.h"

typedef struct st {
    int64_t indeg;
} st;

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    st *s = state;
    if (amls_superstep(cx) == 0) {
        int64_t one = 1;
        int rc = amls_send_to_neighbors(cx, v, &one);
        amls_vote_to_halt(cx, v);
        return rc;
    }
    const int64_t *in = msgs;
    for (int64_t i = 0; i < n; i++)
        s->indeg += in[i];
    amls_vote_to_halt(cx, v);
    return 0;
}

AMLS_VPROG_DEFINE(indegree, .description = "in-degree by summed messages", .state_size = sizeof(st),
                  .msg_size = sizeof(int64_t), .combiner = {AMLS_OP_SUM, AMLS_TYPE_I64, 0},
                  .result_type = AMLS_TYPE_I64, .compute = compute)
