/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/pagerank_ref.c — serial reference for PageRank: dense power iteration.
 * SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

int amls_ref_pagerank(const amls_csr *c, const amls_param_value *params, double *pr, int64_t *i)
{
    (void)i;
    int64_t n = c->n, iters = params[1].i;
    double d = params[0].f;
    double *next = amls__malloc((size_t)n + 1, sizeof *next);
    if (next == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        pr[v] = 1.0 / (double)n;
    for (int64_t it = 0; it < iters; it++) {
        double sink = 0;
        for (int64_t v = 0; v < n; v++) {
            next[v] = 0;
            if (c->ptr[v + 1] == c->ptr[v])
                sink += pr[v];
        }
        for (int64_t u = 0; u < n; u++) {
            int64_t deg = c->ptr[u + 1] - c->ptr[u];
            for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
                next[c->col[j]] += pr[u] / (double)deg;
        }
        for (int64_t v = 0; v < n; v++)
            pr[v] = (1 - d) / (double)n + d * (next[v] + sink / (double)n);
    }
    amls__free(next);
    return AMLS_OK;
}
