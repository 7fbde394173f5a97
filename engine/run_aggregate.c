/* ---------------------------------------------------------------------------------------------
 * engine/run_aggregate.c — aggregators across ranks: each rank's partial of a superstep travels
 * in its record of the superstep's one reduction (run_step.c), and every rank folds all
 * partials in rank order from the identity, so the value vertices read next has the same bits
 * on every rank (master steps decide alike everywhere), for built-in and user-defined
 * aggregates alike.
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

void amls__aggs_fold(amls__aggs *ag, const char *all, size_t stride, int nranks)
{
    for (int i = 0; i < ag->n; i++) {
        const amls__agg *a = &ag->a[i];
        char *part = ag->part + a->off, *cur = ag->cur + a->off;
        amls__agg_identity(a, part);
        for (int q = 0; q < nranks; q++)
            amls__agg_combine(a, part, all + (size_t)q * stride + a->off);
        if (a->persistent)
            amls__agg_combine(a, cur, part);
        else
            memcpy(cur, part, a->size);
        amls__agg_identity(a, part); /* the next superstep's partial */
    }
}
