/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/lcc_ref.c — serial reference for LCC: marking each neighbourhood and counting the
 * arcs inside it. SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

int amls_ref_lcc(const amls_csr *c, const amls_param_value *params, double *lcc, int64_t *i)
{
    (void)params;
    (void)i;
    int64_t n = c->n;
    int64_t *mark = amls__malloc((size_t)n + 1, sizeof *mark);
    int64_t *nb = amls__malloc((size_t)n + 1, sizeof *nb);
    if (mark == NULL || nb == NULL) {
        amls__free(mark);
        amls__free(nb);
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    for (int64_t v = 0; v < n; v++)
        mark[v] = -1;
    for (int64_t v = 0; v < n; v++) {
        /* N(v): out- and in-neighbours, without v, each once. */
        int64_t d = 0;
        for (int pass = 0; pass < (c->directed ? 2 : 1); pass++) {
            const int64_t *ptr = pass ? c->iptr : c->ptr, *col = pass ? c->icol : c->col;
            for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
                int64_t u = col[j];
                if (u != v && mark[u] != v) {
                    mark[u] = v;
                    nb[d++] = u;
                }
            }
        }
        /* Count arcs u -> w with both ends in N(v). */
        double arcs = 0;
        for (int64_t k = 0; k < d; k++) {
            int64_t u = nb[k];
            for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
                if (c->col[j] != u && mark[c->col[j]] == v)
                    arcs += 1;
        }
        lcc[v] = d >= 2 ? arcs / ((double)d * (double)(d - 1)) : 0.0;
    }
    amls__free(mark);
    amls__free(nb);
    return AMLS_OK;
}
