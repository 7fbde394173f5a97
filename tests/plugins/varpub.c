/* tests/plugins/varpub.c — exercises variable-length published values and uncombined messages
 * over many supersteps (for checkpoint tests): each vertex publishes a list whose length and
 * contents depend on its value and the superstep, folds its neighbours' lists into its value,
 * and sends its value to its neighbours. 15 supersteps; the output is an integer digest. */
#include "amls/vprog.h"

typedef struct st {
    int64_t digest;
} st;

static int64_t mix(int64_t a, int64_t b)
{
    uint64_t z = (uint64_t)a * 0x9e3779b97f4a7c15ULL + (uint64_t)b;
    z ^= z >> 29;
    return (int64_t)(z & 0x7fffffffffffULL);
}

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    st *s = state;
    int64_t step = amls_superstep(cx);
    if (step == 0)
        s->digest = amls_vertex_id(cx, v);
    const int64_t *in = msgs;
    int64_t acc = 0;
    for (int64_t i = 0; i < n; i++)
        acc += in[i]; /* order-free */
    const amls_nbr *nb;
    int64_t deg = amls_out_edges(cx, v, &nb, NULL);
    int64_t fold = 0;
    for (int64_t i = 0; i < deg; i++) {
        size_t len = 0;
        const int64_t *l = amls_nbr_published(cx, nb[i], &len);
        for (size_t k = 0; l && k < len / sizeof *l; k++)
            fold += l[k];
    }
    s->digest = mix(s->digest, acc % 1000003 + fold % 1000033);
    if (step >= 14) {
        amls_vote_to_halt(cx, v);
        return 0;
    }
    int64_t list[8];
    int cnt = (int)((s->digest + step) % 8);
    for (int k = 0; k < cnt; k++)
        list[k] = (s->digest >> k) & 0xffff;
    int rc = amls_publish(cx, v, list, (size_t)cnt * sizeof *list);
    int64_t m = s->digest % 997;
    if (rc == 0)
        rc = amls_send_to_neighbors(cx, v, &m);
    return rc;
}

AMLS_VPROG_DEFINE(varpub, .description = "variable-length published values (test)",
                  .state_size = sizeof(st), .msg_size = sizeof(int64_t),
                  .pub_size = AMLS_PUB_VARIABLE, .result_type = AMLS_TYPE_I64, .compute = compute)
