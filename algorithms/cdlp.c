/* ---------------------------------------------------------------------------------------------
 * algorithms/cdlp.c — community detection by label propagation (Graphalytics CDLP).
 * SPDX-License-Identifier: MIT
 *
 * Synchronous: in iteration k every vertex takes the most frequent label among its neighbours'
 * labels of iteration k-1, the smallest such label on ties, keeping its own if it has no
 * neighbours. For directed graphs in- and out-neighbours both count, so a reciprocal neighbour
 * counts twice. Labels are published (copied to the ranks that need them along the plan) and
 * read from the neighbours, not sent as messages. Reference: ref/cdlp_ref.c.
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <stdlib.h>

enum { P_ITERATIONS };
static const amls_param params[] = {
    {"iterations", AMLS_PARAM_INT, "10", "number of iterations (Graphalytics max-iterations)"},
};
static const amls_param_range ranges[] = {{"iterations", 0, 1e9}};

typedef struct cdlp_state {
    int64_t label;
} cdlp_state;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The most frequent of n labels, the smallest on ties (sorts them). */
static int64_t most_frequent(int64_t *l, int64_t n)
{
    qsort(l, (size_t)n, sizeof *l, cmp_i64);
    int64_t best = l[0], bestc = 0;
    for (int64_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && l[j] == l[i]; j++)
            ;
        if (j - i > bestc) {
            bestc = j - i;
            best = l[i];
        }
    }
    return best;
}

static int cdlp_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs, (void)n;
    cdlp_state *s = state;
    int64_t step = amls_superstep(cx), both = amls_is_directed(cx) ? 2 : 1;
    if (step == 0)
        s->label = amls_vertex_id(cx, v);
    const amls_nbr *nb;
    const uint8_t *dir;
    int64_t deg = step > 0 ? amls_nbrs(cx, v, &nb, &dir) : 0, k = 0;
    int64_t *labels = deg > 0 ? amls_scratch(cx, 2 * (size_t)deg * sizeof *labels) : NULL;
    if (deg < 0 || (deg > 0 && labels == NULL))
        return deg < 0 ? (int)deg : amls_fail(cx, "out of memory");
    /* An edge each way counts twice on a directed graph, an undirected edge once. */
    for (int64_t i = 0; i < deg; i++) {
        const int64_t *l = amls_nbr_published(cx, nb[i], NULL);
        for (int64_t c = 0; l && c < (dir[i] == (AMLS_DIR_OUT | AMLS_DIR_IN) ? both : 1); c++)
            labels[k++] = *l;
    }
    if (k > 0)
        s->label = most_frequent(labels, k);
    if (step >= amls_param_i64(cx, P_ITERATIONS)) {
        amls_vote_to_halt(cx, v);
        return 0;
    }
    return amls_publish(cx, v, &s->label, sizeof s->label);
}

AMLS_VPROG_DEFINE(cdlp, .description = "community detection by label propagation",
                  .state_size = sizeof(cdlp_state), .pub_size = sizeof(int64_t),
                  .flags = AMLS_NEED_IN_EDGES, AMLS_PARAMS(params), AMLS_PARAM_RANGES(ranges),
                  .result_type = AMLS_TYPE_I64, .compute = cdlp_compute)
