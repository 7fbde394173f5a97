/* ---------------------------------------------------------------------------------------------
 * engine/run_published.c — published values: a vertex publishes a value, and from the next
 * superstep on every neighbour reads it. Each value is copied once to every rank that holds
 * the vertex as a ghost, along the communication plan, with no ids on the wire: fixed-size
 * values as one plan gather, variable-length ones as (length, bytes) in plan order.
 * Checkpoints restore the owned values and rebuild the ghosts through the same exchange.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

static bool variable(const amls_ctx *cx)
{
    return cx->p->pub_size == AMLS_PUB_VARIABLE;
}

int amls__pub_init(amls__pub *pb, const amls_graph *g, const amls_vprog *p)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, nt = g->n_local + g->n_ghost;
    memset(pb, 0, sizeof *pb);
    amls__vec_init(&pb->vcur, 1);
    amls__vec_init(&pb->vnext, 1);
    if (p->pub_size == AMLS_PUB_VARIABLE) {
        AMLS_ALLOC(pb->vcur_off, nt + 1);
        AMLS_ALLOC(pb->vcur_len, nt + 1);
        AMLS_ALLOC(pb->vnext_off, nl + 1);
        AMLS_ALLOC(pb->vnext_len, nl + 1);
        for (int64_t i = 0; i < nt; i++)
            pb->vcur_len[i] = -1;
        for (int64_t i = 0; i < nl; i++)
            pb->vnext_len[i] = -1;
    } else if (p->pub_size > 0) {
        pb->psz = p->pub_size;
        AMLS_ALLOC(pb->cur, (size_t)nt * pb->psz + 1);
        AMLS_ALLOC(pb->next, (size_t)nl * pb->psz + 1);
        AMLS_CALLOC(pb->cur_has, nt + 1);
        AMLS_CALLOC(pb->next_has, nl + 1);
    }
cleanup:
    return rc;
}

void amls__pub_free(amls__pub *pb)
{
    amls__free(pb->cur);
    amls__free(pb->next);
    amls__free(pb->cur_has);
    amls__free(pb->next_has);
    amls__vec_free(&pb->vcur);
    amls__vec_free(&pb->vnext);
    amls__free(pb->vcur_off);
    amls__free(pb->vcur_len);
    amls__free(pb->vnext_off);
    amls__free(pb->vnext_len);
    memset(pb, 0, sizeof *pb);
}

int amls__publish(amls_ctx *cx, amls_vertex v, const void *data, size_t len)
{
    amls__pub *pb = &cx->pub;
    if (cx->p->pub_size == 0)
        return amls_error(AMLS_ERR_VPROG, "%s: publishes without declaring pub_size", cx->p->name);
    pb->published++;
    if (!variable(cx)) {
        memcpy(pb->next + (size_t)v * pb->psz, data, pb->psz);
        pb->next_has[v] = 1;
        return AMLS_OK;
    }
    /* Variable: append to this superstep's blob buffer. */
    size_t at = pb->vnext.len;
    int rc = amls__vec_append(&pb->vnext, data, len);
    if (rc < 0)
        return rc;
    pb->vnext_off[v] = (int64_t)at;
    pb->vnext_len[v] = (int64_t)len;
    return AMLS_OK;
}

const void *amls__published(const amls_ctx *cx, int64_t i, size_t *len)
{
    const amls__pub *pb = &cx->pub;
    if (cx->p->pub_size == 0) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (!variable(cx)) {
        if (len)
            *len = pb->cur_has[i] ? pb->psz : 0;
        return pb->cur_has[i] ? pb->cur + (size_t)i * pb->psz : NULL;
    }
    int64_t l = pb->vcur_len[i];
    if (len)
        *len = l < 0 ? 0 : (size_t)l;
    return l < 0 ? NULL : (const char *)pb->vcur.data + pb->vcur_off[i];
}

/* Variable-length values as (length, bytes) records in plan order, per peer. Local. */
static int pack_var(const amls_ctx *cx, amls__xchg *x)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    const amls__pub *pb = &cx->pub;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    for (int q = 0; q < g->nranks; q++)
        for (int64_t k = g->send_off[q]; k < g->send_off[q + 1]; k++)
            amls__xchg_count(x, q, 8 + AMLS_MAX(pb->vnext_len[g->send_idx[k]], (int64_t)0));
    AMLS_TRY(amls__xchg_pack(x));
    for (int q = 0; q < g->nranks; q++)
        for (int64_t k = g->send_off[q]; k < g->send_off[q + 1]; k++) {
            uint32_t v = g->send_idx[k];
            int64_t l = pb->vnext_len[v];
            char *s = amls__xchg_put(x, q, 8 + AMLS_MAX(l, (int64_t)0));
            memcpy(s, &l, 8);
            if (l > 0)
                memcpy(s + 8, (const char *)pb->vnext.data + pb->vnext_off[v], (size_t)l);
        }
cleanup:
    return rc;
}

/* Appends one value to the new current buffer and records where it is. */
static int append_value(amls__vec *nv, const char *bytes, int64_t l, int64_t *off, int64_t *len)
{
    *len = l;
    *off = (int64_t)nv->len;
    return l > 0 ? amls__vec_append(nv, bytes, (size_t)l) : AMLS_OK;
}

/* The new current values: owned ones, then the ghosts' as received (plan order is ghost
 * order); the owned values are also re-based onto a fresh copy for the next superstep, since
 * values persist until a vertex publishes again. Local. */
static int unpack_var(amls_ctx *cx, const amls__xchg *x)
{
    int rc = AMLS_OK;
    amls__pub *pb = &cx->pub;
    int64_t nl = cx->g->n_local;
    amls__vec nv;
    amls__vec_init(&nv, 1);
    AMLS_TRY(amls__vec_reserve(&nv, pb->vnext.len + (size_t)x->nrecv + 1));
    for (int64_t v = 0; v < nl; v++)
        AMLS_TRY(append_value(&nv, (const char *)pb->vnext.data + pb->vnext_off[v],
                              pb->vnext_len[v], &pb->vcur_off[v], &pb->vcur_len[v]));
    const char *r = x->recv;
    for (int64_t k = 0; k < cx->g->n_ghost; k++) {
        int64_t l;
        memcpy(&l, r, 8);
        AMLS_TRY(append_value(&nv, r + 8, l, &pb->vcur_off[nl + k], &pb->vcur_len[nl + k]));
        r += 8 + AMLS_MAX(l, (int64_t)0);
    }
    amls__vec_free(&pb->vcur);
    pb->vcur = nv;
    amls__vec_init(&nv, 1);
    pb->vnext.len = 0;
    for (int64_t v = 0; v < nl; v++)
        if (pb->vnext_len[v] > 0)
            AMLS_TRY(append_value(&pb->vnext, (const char *)pb->vcur.data + pb->vcur_off[v],
                                  pb->vnext_len[v], &pb->vnext_off[v], &pb->vnext_len[v]));
cleanup:
    amls__vec_free(&nv);
    return rc;
}

int amls__pub_exchange(amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls__pub *pb = &cx->pub;
    const amls_graph *g = cx->g;
    amls__xchg x = {0};
    if (!variable(cx)) {
        int64_t nl = g->n_local;
        memcpy(pb->cur, pb->next, (size_t)nl * pb->psz);
        memcpy(pb->cur_has, pb->next_has, (size_t)nl);
        AMLS_TRY(amls__plan_gather(g, pb->cur, pb->psz));
        AMLS_TRY(amls__plan_gather(g, pb->cur_has, 1));
        goto cleanup;
    }
    rc = pack_var(cx, &x);
    AMLS_TRY(amls__xchg_run(&x, rc));
    AMLS_AGREE(g->comm, unpack_var(cx, &x));
cleanup:
    amls__xchg_free(&x);
    return rc;
}

int amls__pub_set_next_var(amls_ctx *cx, const int64_t *len, const int64_t *off, const char *data)
{
    int rc = AMLS_OK;
    amls__pub *pb = &cx->pub;
    pb->vnext.len = 0;
    for (int64_t v = 0; v < cx->g->n_local; v++)
        AMLS_TRY(
            append_value(&pb->vnext, data + off[v], len[v], &pb->vnext_off[v], &pb->vnext_len[v]));
cleanup:
    return rc;
}
