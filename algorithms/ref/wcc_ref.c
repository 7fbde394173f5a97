/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/wcc_ref.c — serial reference for WCC: union-find, a component labelled by its
 * smallest original id. SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

static int64_t uf_find(int64_t *p, int64_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

int amls_ref_wcc(const amls_csr *c, const amls_param_value *params, double *f, int64_t *out)
{
    (void)params;
    (void)f;
    int64_t n = c->n;
    int64_t *p = amls__malloc((size_t)n + 1, sizeof *p);
    if (p == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        p[v] = v;
    for (int64_t u = 0; u < n; u++)
        for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++) {
            int64_t a = uf_find(p, u), b = uf_find(p, c->col[j]);
            if (a != b)
                p[a < b ? b : a] = a < b ? a : b; /* the root is the smallest index */
        }
    for (int64_t v = 0; v < n; v++)
        out[v] = c->orig[uf_find(p, v)]; /* vertices are in id order: root = smallest id */
    amls__free(p);
    return AMLS_OK;
}
