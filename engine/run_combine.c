/* ---------------------------------------------------------------------------------------------
 * engine/run_combine.c — combiners (merging two messages to one vertex) and aggregator
 * arithmetic (identities and element-wise reduction). Pure functions: no MPI, no context, so
 * they are unit-tested on their own.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <math.h>

amls__comb amls__comb_of(const amls_combiner *c, size_t msz, bool disabled)
{
    amls__comb r = {AMLS__COMB_NONE, NULL, msz};
    if (disabled || c->op == AMLS_OP_NONE)
        return r;
    if (c->op == AMLS_OP_USER) {
        r.kind = AMLS__COMB_USER;
        r.fn = c->fn;
        return r;
    }
    if (c->op == AMLS_OP_ANY) {
        r.kind = AMLS__COMB_ANY;
        return r;
    }
    if (msz > 8) { /* keyed MIN/MAX over the first I64/F64 (checked by amls_vprog_check) */
        bool mn = c->op == AMLS_OP_MIN;
        r.kind = c->type == AMLS_TYPE_I64 ? (mn ? AMLS__COMB_KMIN_I64 : AMLS__COMB_KMAX_I64)
                                          : (mn ? AMLS__COMB_KMIN_F64 : AMLS__COMB_KMAX_F64);
        return r;
    }
    int base = c->type == AMLS_TYPE_I64   ? AMLS__COMB_SUM_I64
               : c->type == AMLS_TYPE_F64 ? AMLS__COMB_SUM_F64
               : c->type == AMLS_TYPE_I32 ? AMLS__COMB_SUM_I32
                                          : AMLS__COMB_SUM_F32;
    r.kind = base + (c->op == AMLS_OP_SUM ? 0 : c->op == AMLS_OP_MIN ? 1 : 2);
    return r;
}

int amls__aggs_of(const amls_vprog *p, amls__agg **out, int *n, size_t *bytes)
{
    int rc = AMLS_OK, k = 0;
    int next = p->aggregators_ext ? p->naggregators_ext : 0;
    amls__agg *a = NULL;
    size_t off = 0;
    AMLS_CALLOC(a, p->naggregators + next + 1);
    for (int i = 0; i < p->naggregators; i++, k++) {
        const amls_aggregator *s = &p->aggregators[i];
        a[k] = (amls__agg){s->name, s->op, s->type, 1, 8, off, s->persistent, NULL, NULL};
        off += 8;
    }
    for (int i = 0; i < next; i++, k++) {
        const amls_aggregator_ext *e = &p->aggregators_ext[i];
        size_t size = e->op == AMLS_OP_USER ? e->size : 8 * (size_t)e->count;
        a[k] = (amls__agg){e->name,    e->op, e->type,       e->op == AMLS_OP_USER ? 1 : e->count,
                           size,       off,   e->persistent, e->fn,
                           e->identity};
        off += (size + 7) / 8 * 8;
    }
    *out = a;
    *n = k;
    *bytes = off;
    a = NULL;
cleanup:
    amls__free(a);
    return rc;
}

void amls__agg_identity(const amls__agg *a, void *v)
{
    if (a->op == AMLS_OP_USER) {
        if (a->identity)
            memcpy(v, a->identity, a->size);
        else
            memset(v, 0, a->size);
        return;
    }
    for (int k = 0; k < a->count; k++) {
        char *at = (char *)v + 8 * (size_t)k;
        if (a->type == AMLS_TYPE_F64) {
            double x = a->op == AMLS_OP_SUM ? 0.0 : a->op == AMLS_OP_MIN ? INFINITY : -INFINITY;
            memcpy(at, &x, 8);
        } else {
            int64_t x = a->op == AMLS_OP_SUM ? 0 : a->op == AMLS_OP_MIN ? INT64_MAX : INT64_MIN;
            memcpy(at, &x, 8);
        }
    }
}

void amls__agg_combine(const amls__agg *a, void *acc, const void *x)
{
    if (a->op == AMLS_OP_USER) {
        a->fn(acc, x);
        return;
    }
    for (int k = 0; k < a->count; k++) {
        char *ak = (char *)acc + 8 * (size_t)k;
        const char *xk = (const char *)x + 8 * (size_t)k;
        if (a->type == AMLS_TYPE_F64) {
            double y, v;
            memcpy(&y, ak, 8);
            memcpy(&v, xk, 8);
            y = a->op == AMLS_OP_SUM ? y + v : a->op == AMLS_OP_MIN ? fmin(y, v) : fmax(y, v);
            memcpy(ak, &y, 8);
        } else {
            int64_t y, v;
            memcpy(&y, ak, 8);
            memcpy(&v, xk, 8);
            y = a->op == AMLS_OP_SUM   ? y + v
                : a->op == AMLS_OP_MIN ? AMLS_MIN(y, v)
                                       : AMLS_MAX(y, v);
            memcpy(ak, &y, 8);
        }
    }
}
