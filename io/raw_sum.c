/* ---------------------------------------------------------------------------------------------
 * io/raw_sum.c — a raw graph read as a matrix: entries given more than once are summed (the
 * Matrix Market and scipy convention), where graph edges keep one entry (the smallest weight).
 * The entries are routed by a hash of their (row, column) so that copies meet on one rank,
 * sorted there and merged; the builder then sees each entry once.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

typedef struct entry {
    int64_t i, j;
    double w;
} entry;

/* An undirected edge stands for both directions: (i, j) and (j, i) are one entry. */
static void key_of(const amls_raw_graph *g, int64_t e, int64_t *i, int64_t *j)
{
    *i = amls_raw_src(g, e);
    *j = amls_raw_dst(g, e);
    if (!g->directed && *i > *j) {
        int64_t t = *i;
        *i = *j;
        *j = t;
    }
}

typedef struct route {
    const amls_raw_graph *g;
    int nranks;
} route;

static int entry_dest(const void *ud, int64_t e)
{
    const route *r = ud;
    int64_t i, j;
    key_of(r->g, e, &i, &j);
    return (int)(amls__mix64(amls__mix64((uint64_t)i) ^ (uint64_t)j) % (uint64_t)r->nranks);
}

static void entry_pack(const void *ud, int64_t e, void *rec)
{
    const amls_raw_graph *g = ((const route *)ud)->g;
    entry x = {0, 0, amls_raw_w(g, e)};
    key_of(g, e, &x.i, &x.j);
    memcpy(rec, &x, sizeof x);
}

static int by_key(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->i != y->i)
        return (x->i > y->i) - (x->i < y->i);
    return (x->j > y->j) - (x->j < y->j);
}

/* The received entries sorted and merged into g's arrays. Local. */
static int merge(amls_raw_graph *g, amls__xchg *x, int64_t *summed)
{
    int rc = AMLS_OK;
    int64_t n = x->nrecv / (int64_t)sizeof(entry), k = 0;
    entry *es = (entry *)x->recv;
    qsort(es, (size_t)n, sizeof *es, by_key);
    amls__free(g->src);
    amls__free(g->dst);
    amls__free(g->src32);
    amls__free(g->dst32);
    amls__free(g->w);
    g->src = g->dst = NULL;
    g->src32 = g->dst32 = NULL;
    g->compact = false; /* the merged entries in 64-bit arrays, weights kept */
    g->w = NULL;
    g->nedges = g->cap = 0;
    AMLS_ALLOC(g->src, n + 1);
    AMLS_ALLOC(g->dst, n + 1);
    AMLS_ALLOC(g->w, n + 1);
    g->cap = n + 1;
    for (int64_t e = 0; e < n; e++) {
        if (k > 0 && es[e].i == g->src[k - 1] && es[e].j == g->dst[k - 1]) {
            g->w[k - 1] += es[e].w;
            (*summed)++;
            continue;
        }
        g->src[k] = es[e].i;
        g->dst[k] = es[e].j;
        g->w[k++] = es[e].w;
    }
    g->nedges = k;
cleanup:
    return rc;
}

int amls_raw_graph_sum_duplicates(MPI_Comm comm, amls_raw_graph *g)
{
    int rc = AMLS_OK, nranks = 1;
    amls__xchg x = {0};
    int64_t summed = 0;
    AMLS_TRY(amls__comm_rank(comm, NULL, &nranks));
    route r = {g, nranks};
    AMLS_TRY(
        amls__xchg_route(&x, comm, AMLS_OK, g->nedges, sizeof(entry), entry_dest, entry_pack, &r));
    AMLS_AGREE(comm, merge(g, &x, &summed));
    AMLS_TRY(amls__allreduce_i64(comm, &summed, 1, MPI_SUM));
    if (summed > 0)
        g->weighted = true; /* a pattern entry given twice is a 2 */
cleanup:
    amls__xchg_free(&x);
    return rc;
}
