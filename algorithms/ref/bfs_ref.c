/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/bfs_ref.c — serial reference for BFS: a queue, hop counts from the source.
 * SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

int amls_ref_bfs(const amls_csr *c, const amls_param_value *params, double *f, int64_t *out)
{
    (void)f;
    int64_t n = c->n, src = amls__ref_find(c, params[0].i);
    int64_t *queue = amls__malloc((size_t)n + 1, sizeof *queue);
    if (queue == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        out[v] = INT64_MAX;
    int64_t head = 0, tail = 0;
    if (src >= 0) {
        out[src] = 0;
        queue[tail++] = src;
    }
    while (head < tail) {
        int64_t u = queue[head++];
        for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++)
            if (out[c->col[j]] == INT64_MAX) {
                out[c->col[j]] = out[u] + 1;
                queue[tail++] = c->col[j];
            }
    }
    amls__free(queue);
    return AMLS_OK;
}
