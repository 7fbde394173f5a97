/* ---------------------------------------------------------------------------------------------
 * engine/run_request.c — request/reply to any vertex (amls_request, amls_reply).
 * SPDX-License-Identifier: MIT
 *
 * A vertex asks a target by engine id; at the end of the superstep the target's owner calls the
 * program's `reply` callback on the target's state and the answer reaches the asking vertex for
 * the next superstep (Pregel's request-respond pattern, as in Yan et al., "Pregel algorithms for
 * graph connectivity", VLDB 2014, where pointer jumping asks a parent for its parent). Requests
 * are de-duplicated per rank before they leave: a target is asked once by each rank, however
 * many of its vertices ask it, so the root of a big tree costs one answer per rank, not one per
 * child. Two point-to-point rounds follow the superstep's reduction, which told every rank who
 * asks it (run_step.c): the distinct targets (u32 index at the owner) go out, the answers come
 * back in the same order.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

enum { TAG_ASK = 12, TAG_ANSWER = 13 };

int amls__req_init(amls__req *rq, const amls_graph *g, const amls_vprog *p)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local;
    memset(rq, 0, sizeof *rq);
    rq->rsz = p->reply != NULL ? p->reply_size : 0;
    if (rq->rsz == 0)
        return AMLS_OK;
    AMLS_ALLOC(rq->at, nl + 1);
    for (int64_t v = 0; v < nl; v++)
        rq->at[v] = -1;
    AMLS_ALLOC(rq->val, (size_t)nl * rq->rsz + 1);
    AMLS_CALLOC(rq->has, nl + 1);
    AMLS_ALLOC(rq->list, nl + 1);
    AMLS_CALLOC(rq->to, g->nranks);
    AMLS_CALLOC(rq->from, g->nranks);
    AMLS_CALLOC(rq->seen, g->nranks);
    AMLS_TRY(amls__xchg_setup(&rq->xq, g->comm, g->nranks));
    AMLS_TRY(amls__xchg_setup(&rq->xa, g->comm, g->nranks));
cleanup:
    return rc;
}

void amls__req_free(amls__req *rq)
{
    amls__free(rq->who);
    amls__free(rq->tgt);
    amls__free(rq->slot);
    amls__free(rq->at);
    amls__free(rq->val);
    amls__free(rq->has);
    amls__free(rq->list);
    amls__free(rq->hkey);
    amls__free(rq->hval);
    amls__free(rq->stgt);
    amls__free(rq->sdst);
    amls__free(rq->swhere);
    amls__free(rq->seen);
    amls__free(rq->to);
    amls__free(rq->from);
    amls__xchg_free(&rq->xq);
    amls__xchg_free(&rq->xa);
    memset(rq, 0, sizeof *rq);
}

/* Room for one more request. Local. */
static int reserve(amls__req *rq)
{
    if (rq->n < rq->cap)
        return AMLS_OK;
    int64_t c = AMLS_MAX((int64_t)1024, 2 * rq->cap);
    int64_t *w = amls__realloc(rq->who, (size_t)c, sizeof *w);
    if (w)
        rq->who = w;
    amls_gid *t = amls__realloc(rq->tgt, (size_t)c, sizeof *t);
    if (t)
        rq->tgt = t;
    int32_t *s = amls__realloc(rq->slot, (size_t)c, sizeof *s);
    if (s)
        rq->slot = s;
    if (!w || !t || !s)
        return amls_error(AMLS_ERR_NOMEM, "out of memory for %lld requests", (long long)c);
    rq->cap = c;
    return AMLS_OK;
}

int amls__request(amls_ctx *cx, amls_vertex v, amls_gid target)
{
    amls__req *rq = &cx->req;
    if (rq->rsz == 0)
        return amls_error(AMLS_ERR_VPROG, "%s: amls_request needs reply_size and reply",
                          cx->p->name);
    if (target < 0 || target >= cx->g->n)
        return amls_error(AMLS_ERR_VPROG, "%s: request to vertex id %lld, outside 0..%lld",
                          cx->p->name, (long long)target, (long long)cx->g->n - 1);
    if (rq->at[v] >= 0) { /* a second request replaces the first */
        rq->tgt[rq->at[v]] = target;
        return AMLS_OK;
    }
    int rc = reserve(rq);
    if (rc < 0)
        return rc;
    rq->at[v] = rq->n;
    rq->who[rq->n] = v;
    rq->tgt[rq->n++] = target;
    return AMLS_OK;
}

const void *amls__reply(const amls_ctx *cx, amls_vertex v)
{
    const amls__req *rq = &cx->req;
    return rq->rsz > 0 && rq->has[v] ? rq->val + (size_t)v * rq->rsz : NULL;
}

static bool is_local(const amls_graph *g, amls_gid t)
{
    return t >= g->lo && t < g->lo + g->n_local;
}

void amls__req_promise(amls_ctx *cx)
{
    amls__req *rq = &cx->req;
    const amls_graph *g = cx->g;
    if (rq->rsz == 0)
        return;
    memset(rq->to, 0, (size_t)g->nranks);
    for (int64_t i = 0; i < rq->n; i++)
        if (!is_local(g, rq->tgt[i]))
            rq->to[amls_graph_owner(g, rq->tgt[i])] = 1;
}

void amls__req_clear_answers(amls__req *rq)
{
    for (int64_t k = 0; k < rq->nlist; k++)
        rq->has[rq->list[k]] = 0;
    rq->nlist = 0;
}

/* The distinct remote targets (slots) through an open-addressing table. Local. */
static int dedup(amls__req *rq, const amls_graph *g)
{
    int rc = AMLS_OK;
    int64_t cap = 64;
    while (cap < 2 * rq->n + 16)
        cap *= 2;
    if (cap > rq->hcap) {
        amls__free(rq->hkey);
        amls__free(rq->hval);
        rq->hval = NULL;
        rq->hcap = 0;
        AMLS_ALLOC(rq->hkey, cap);
        AMLS_ALLOC(rq->hval, cap);
        rq->hcap = cap;
    }
    if (rq->n > rq->slot_cap) {
        amls__free(rq->stgt);
        amls__free(rq->sdst);
        amls__free(rq->swhere);
        rq->sdst = NULL;
        rq->swhere = NULL;
        rq->slot_cap = 0;
        AMLS_ALLOC(rq->stgt, rq->n);
        AMLS_ALLOC(rq->sdst, rq->n);
        AMLS_ALLOC(rq->swhere, rq->n);
        rq->slot_cap = rq->n;
    }
    memset(rq->hkey, 0xff, (size_t)cap * sizeof *rq->hkey); /* -1: empty */
    rq->nslot = 0;
    for (int64_t i = 0; i < rq->n; i++) {
        amls_gid t = rq->tgt[i];
        rq->slot[i] = -1;
        if (is_local(g, t))
            continue;
        uint64_t h = amls__mix64((uint64_t)t) & (uint64_t)(cap - 1);
        while (rq->hkey[h] >= 0 && rq->hkey[h] != t)
            h = (h + 1) & (uint64_t)(cap - 1);
        if (rq->hkey[h] < 0) {
            rq->hkey[h] = t;
            rq->hval[h] = (int32_t)rq->nslot;
            rq->stgt[rq->nslot] = t;
            rq->sdst[rq->nslot++] = amls_graph_owner(g, t);
        }
        rq->slot[i] = rq->hval[h];
    }
cleanup:
    return rc;
}

/* The distinct targets to their owners, as u32 indices, in slot order per owner. Local. */
static int pack_asks(amls_ctx *cx)
{
    amls__req *rq = &cx->req;
    const amls_graph *g = cx->g;
    amls__xchg *x = &rq->xq;
    amls__xchg_clear(x);
    for (int64_t s = 0; s < rq->nslot; s++)
        amls__xchg_count(x, rq->sdst[s], 4);
    int rc = amls__xchg_pack_keep(x);
    if (rc < 0)
        return rc;
    for (int64_t s = 0; s < rq->nslot; s++) {
        int q = rq->sdst[s];
        uint32_t idx = (uint32_t)(rq->stgt[s] - g->owner_off[q]);
        memcpy(amls__xchg_put(x, q, 4), &idx, 4);
    }
    for (int q = 0; q < g->nranks; q++)
        cx->st.bytes += x->scnt[q];
    return AMLS_OK;
}

/* The program's answer of owned vertex t, in the reply phase (run_guard.c). Local. */
static void reply_one(amls_ctx *cx, amls_vertex t, void *out)
{
    cx->cur_v = t;
    cx->p->reply(cx, t, cx->state + (size_t)t * cx->p->state_size, out);
}

/* Answers the indices received, in the order received. Local. */
static int pack_answers(amls_ctx *cx)
{
    amls__req *rq = &cx->req;
    const amls_graph *g = cx->g;
    amls__xchg *a = &rq->xa, *x = &rq->xq;
    amls__xchg_clear(a);
    for (int q = 0; q < g->nranks; q++)
        amls__xchg_count(a, q, x->rcnt[q] / 4 * (int64_t)rq->rsz);
    int rc = amls__xchg_pack_keep(a);
    if (rc < 0)
        return rc;
    int was = cx->phase;
    amls__phase(cx, AMLS__PHASE_REPLY, true);
    for (int q = 0; q < g->nranks; q++) {
        for (int64_t k = 0; k < x->rcnt[q] / 4; k++) {
            uint32_t idx;
            memcpy(&idx, x->recv + x->roff[q] + 4 * k, 4);
            char *out = amls__xchg_put(a, q, (int64_t)rq->rsz);
            if ((int64_t)idx < g->n_local)
                reply_one(cx, idx, out);
            else
                memset(out, 0, rq->rsz);
        }
        cx->st.bytes += a->scnt[q];
    }
    amls__phase(cx, was, false);
    return AMLS_OK;
}

/* Every request's answer to its vertex, for the next superstep. Local. */
static void deliver(amls_ctx *cx)
{
    amls__req *rq = &cx->req;
    const amls_graph *g = cx->g;
    amls__xchg *a = &rq->xa;
    int64_t *seen = rq->seen, *where = rq->swhere; /* answers come back in slot order */
    for (int q = 0; q < g->nranks; q++)
        seen[q] = 0;
    for (int64_t s = 0; s < rq->nslot; s++) {
        int q = rq->sdst[s];
        where[s] = seen[q] + (int64_t)rq->rsz <= a->rcnt[q] ? a->roff[q] + seen[q] : -1;
        seen[q] += (int64_t)rq->rsz;
    }
    int was = cx->phase;
    amls__phase(cx, AMLS__PHASE_REPLY, true);
    for (int64_t i = 0; i < rq->n; i++) {
        amls_vertex v = rq->who[i];
        char *out = rq->val + (size_t)v * rq->rsz;
        if (rq->slot[i] < 0) {
            reply_one(cx, rq->tgt[i] - g->lo, out);
        } else if (where[rq->slot[i]] >= 0) {
            memcpy(out, a->recv + where[rq->slot[i]], rq->rsz);
        } else {
            continue; /* the owner failed: agreed on at the next reduction */
        }
        if (!rq->has[v]) {
            rq->has[v] = 1;
            rq->list[rq->nlist++] = v;
        }
    }
    amls__phase(cx, was, false);
}

int amls__req_exchange(amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls__req *rq = &cx->req;
    const amls_graph *g = cx->g;
    if (rq->rsz == 0)
        return AMLS_OK;
    amls__req_clear_answers(rq);
    int lrc = dedup(rq, g);
    if (lrc == AMLS_OK)
        lrc = pack_asks(cx);
    if (lrc < 0)
        amls__xchg_clear(&rq->xq); /* promised asks go out, empty */
    amls__step_sources(cx, true, rq->from);
    rc = amls__xchg_run_p2p(&rq->xq, rq->to, rq->from, TAG_ASK);
    int arc = pack_answers(cx);
    if (arc < 0)
        amls__xchg_clear(&rq->xa);
    int xrc = amls__xchg_run_p2p(&rq->xa, rq->from, rq->to, TAG_ANSWER);
    rc = lrc < 0 ? lrc : rc < 0 ? rc : arc < 0 ? arc : xrc;
    if (rc == AMLS_OK)
        deliver(cx);
    for (int64_t i = 0; i < rq->n; i++)
        rq->at[rq->who[i]] = -1;
    rq->n = 0;
    return rc;
}
