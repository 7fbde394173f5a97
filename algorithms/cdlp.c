/* ---------------------------------------------------------------------------------------------
 * algorithms/cdlp.c — community detection by label propagation (Graphalytics CDLP).
 * SPDX-License-Identifier: MIT
 *
 * Synchronous: in iteration k every vertex takes the most frequent label among its neighbours'
 * labels of iteration k-1, the smallest such label on ties, keeping its own if it has no
 * neighbours. For directed graphs in- and out-neighbours both count, so a reciprocal neighbour
 * counts twice. Labels are published (copied to the ranks that need them along the plan) and
 * read from the neighbours, not sent as messages. Reference: ref/ref.c.
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <stdlib.h>
#include <string.h>

enum { P_ITERATIONS };
static const amls_param params[] = {
    {"iterations", AMLS_PARAM_INT, "10", "number of iterations (Graphalytics max-iterations)"},
};

typedef struct cdlp_state {
    int64_t label;
} cdlp_state;

typedef struct scratch {
    int64_t *buf;
    size_t cap;
} scratch;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cdlp_setup(amls_ctx *cx)
{
    scratch *s = amls_alloc(cx, sizeof *s);
    if (s == NULL)
        return amls_fail(cx, "out of memory");
    s->buf = NULL;
    s->cap = 0;
    amls_set_user(cx, s);
    return 0;
}

static void cdlp_finalize(amls_ctx *cx)
{
    scratch *s = amls_user(cx);
    if (s) {
        amls_free(cx, s->buf);
        amls_free(cx, s);
    }
}

/* Appends the labels published by the neighbours in nb[0..n). */
static void collect(const amls_ctx *cx, const amls_nbr *nb, int64_t n, int64_t *out, int64_t *k)
{
    for (int64_t i = 0; i < n; i++) {
        const int64_t *l = amls_nbr_published(cx, nb[i], NULL);
        if (l)
            out[(*k)++] = *l;
    }
}

static int cdlp_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs;
    (void)n;
    cdlp_state *s = state;
    int64_t step = amls_superstep(cx), iters = amls_param_i64(cx, P_ITERATIONS);
    if (step == 0) {
        s->label = amls_vertex_id(cx, v);
    } else {
        const amls_nbr *out, *in;
        int64_t nout = amls_out_edges(cx, v, &out, NULL);
        int64_t nin = amls_is_directed(cx) ? amls_in_edges(cx, v, &in, NULL) : 0;
        scratch *sc = amls_user(cx);
        size_t need = (size_t)(nout + nin);
        if (need > sc->cap) {
            amls_free(cx, sc->buf);
            sc->cap = 2 * need;
            sc->buf = amls_alloc(cx, sc->cap * sizeof *sc->buf);
            if (sc->buf == NULL)
                return amls_fail(cx, "out of memory");
        }
        int64_t k = 0;
        collect(cx, out, nout, sc->buf, &k);
        if (nin)
            collect(cx, in, nin, sc->buf, &k);
        if (k > 0) {
            qsort(sc->buf, (size_t)k, sizeof *sc->buf, cmp_i64);
            int64_t best = sc->buf[0], bestc = 0;
            for (int64_t i = 0; i < k;) {
                int64_t j = i;
                while (j < k && sc->buf[j] == sc->buf[i])
                    j++;
                if (j - i > bestc) {
                    bestc = j - i;
                    best = sc->buf[i];
                }
                i = j;
            }
            s->label = best;
        }
    }
    if (step >= iters) {
        amls_vote_to_halt(cx, v);
        return 0;
    }
    return amls_publish(cx, v, &s->label, sizeof s->label);
}

AMLS_VPROG_DEFINE(cdlp, .description = "community detection by label propagation",
                  .state_size = sizeof(cdlp_state), .pub_size = sizeof(int64_t),
                  .flags = AMLS_NEED_IN_EDGES, .params = params, .nparams = 1,
                  .result_type = AMLS_TYPE_I64, .setup = cdlp_setup, .compute = cdlp_compute,
                  .finalize = cdlp_finalize)
