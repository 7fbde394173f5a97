/* ---------------------------------------------------------------------------------------------
 * kcore.c — k-core decomposition (coreness of every vertex) of an undirected graph (example
 * plugin), after Montresor, De Pellegrini and Miorandi, "Distributed k-Core Decomposition",
 * IEEE TPDS 2013.
 * SPDX-License-Identifier: MIT
 *
 * Each vertex keeps an upper bound on its coreness, starting at its degree (self loops not
 * counted). It publishes the bound; whenever a neighbour's bound changed, it recomputes its
 * own as min(bound, h), h being the largest value such that h neighbours have bounds >= h.
 * A vertex whose bound drops publishes it and sends a wake-up message to its neighbours;
 * the run ends when no bound changes. Bounds only decrease and converge to the coreness.
 * ------------------------------------------------------------------------------------------- */
#include <amls/vprog.h>
#include <string.h>

typedef struct kc_state {
    int64_t core;
} kc_state;

static int kc_setup(amls_ctx *cx)
{
    if (amls_is_directed(cx))
        return amls_fail(cx, "k-core needs an undirected graph (add --undirected)");
    return 0;
}

static int kc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs;
    (void)n;
    kc_state *s = state;
    const amls_nbr *nb;
    int64_t deg = amls_out_edges(cx, v, &nb, NULL);
    amls_gid self = amls_vertex_gid(cx, v);
    int64_t k = 0;
    for (int64_t i = 0; i < deg; i++)
        k += amls_nbr_gid(cx, nb[i]) != self;
    if (amls_superstep(cx) == 0) {
        s->core = k;
    } else {
        /* h-index of the neighbours' bounds, capped by the current bound. */
        /* Counts of the neighbours' bounds, in the engine's per-rank scratch buffer. */
        size_t need = (size_t)s->core + 2;
        int64_t *count = amls_scratch(cx, need * sizeof *count);
        if (count == NULL)
            return amls_fail(cx, "out of memory");
        memset(count, 0, need * sizeof *count);
        for (int64_t i = 0; i < deg; i++) {
            if (amls_nbr_gid(cx, nb[i]) == self)
                continue;
            const int64_t *b = amls_nbr_published(cx, nb[i], NULL);
            int64_t x = b ? *b : 0;
            count[x < s->core ? x : s->core]++;
        }
        int64_t h = s->core, seen = 0;
        for (; h > 0; h--) {
            seen += count[h];
            if (seen >= h)
                break;
        }
        if (h >= s->core) {
            amls_vote_to_halt(cx, v);
            return 0;
        }
        s->core = h;
    }
    int rc = amls_publish(cx, v, &s->core, sizeof s->core);
    int64_t wake = 1;
    if (rc == 0)
        rc = amls_send_to_neighbors(cx, v, &wake);
    amls_vote_to_halt(cx, v);
    return rc;
}

AMLS_VPROG_DEFINE(kcore, .description = "k-core decomposition (coreness per vertex)",
                  .state_size = sizeof(kc_state), .msg_size = sizeof(int64_t),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_I64, 0}, .pub_size = sizeof(int64_t),
                  .result_type = AMLS_TYPE_I64, .setup = kc_setup, .compute = kc_compute)
