/* ---------------------------------------------------------------------------------------------
 * engine/run_aggregate.c — aggregators across ranks: each rank's partial of a superstep is
 * reduced into the value vertices read next, with the same bits on every rank (so master
 * steps decide alike everywhere): doubles through a reduce-and-broadcast, integers through an
 * allreduce, user aggregates gathered and folded in rank order.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

int amls__aggs_init(amls__aggs *ag, const amls_vprog *p)
{
    int rc = AMLS_OK;
    memset(ag, 0, sizeof *ag);
    AMLS_TRY(amls__aggs_of(p, &ag->a, &ag->n, &ag->bytes));
    AMLS_CALLOC(ag->cur, ag->bytes + 8);
    AMLS_CALLOC(ag->part, ag->bytes + 8);
    /* Partials start from the identity of their op (a MIN starts at +inf, not 0); what vertices
     * read before any reduction is 0, or the identity for a persistent aggregator, which
     * accumulates into it. */
    for (int i = 0; i < ag->n; i++) {
        amls__agg_identity(&ag->a[i], ag->part + ag->a[i].off);
        if (ag->a[i].persistent)
            amls__agg_identity(&ag->a[i], ag->cur + ag->a[i].off);
    }
cleanup:
    return rc;
}

void amls__aggs_free(amls__aggs *ag)
{
    amls__free(ag->a);
    amls__free(ag->cur);
    amls__free(ag->part);
    memset(ag, 0, sizeof *ag);
}

/* A user aggregate: every rank's partial gathered, folded in rank order from the identity. */
static int reduce_user(MPI_Comm comm, int nranks, const amls__agg *a, void *val)
{
    int rc = AMLS_OK;
    char *all = amls__malloc((size_t)nranks * a->size + 1, 1);
    AMLS_AGREE(comm, amls__alloc_status(all != NULL));
    AMLS_MPI_TRY(MPI_Allgather(val, (int)a->size, MPI_BYTE, all, (int)a->size, MPI_BYTE, comm));
    amls__agg_identity(a, val);
    for (int r = 0; r < nranks; r++)
        a->fn(val, all + (size_t)r * a->size);
cleanup:
    amls__free(all);
    return rc;
}

/* Reduces one aggregate in place over all ranks. Collective. */
static int reduce_one(const amls_graph *g, const amls__agg *a, void *val)
{
    if (a->op == AMLS_OP_USER)
        return reduce_user(g->comm, g->nranks, a, val);
    MPI_Op op = a->op == AMLS_OP_SUM ? MPI_SUM : a->op == AMLS_OP_MIN ? MPI_MIN : MPI_MAX;
    if (a->type == AMLS_TYPE_F64)
        return amls__allreduce_same(g->comm, val, a->count, op);
    return amls__allreduce_i64(g->comm, val, a->count, op);
}

int amls__aggs_reduce(amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls__aggs *ag = &cx->agg;
    for (int i = 0; i < ag->n; i++) {
        const amls__agg *a = &ag->a[i];
        char *part = ag->part + a->off, *cur = ag->cur + a->off;
        AMLS_TRY(reduce_one(cx->g, a, part));
        if (a->persistent)
            amls__agg_combine(a, cur, part);
        else
            memcpy(cur, part, a->size);
        amls__agg_identity(a, part); /* the next superstep's partial */
    }
cleanup:
    return rc;
}
