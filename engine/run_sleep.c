/* ---------------------------------------------------------------------------------------------
 * engine/run_sleep.c — sleeping vertices: a vertex halts with a key (amls_sleep) and the master
 * step wakes every key up to a bound (amls_wake_upto), with the smallest sleeping key over all
 * ranks known to it (amls_min_sleeping). This is the bucket structure of delta-stepping
 * (Meyer and Sanders, 2003) as an engine service: a vertex waiting for a later bucket costs
 * nothing until its bucket comes, instead of running every superstep to say that it waits.
 * SPDX-License-Identifier: MIT
 *
 * Each rank keeps each vertex's current key, a list per key for the keys just above the last
 * bound (a ring of 4096: delta-stepping's next buckets, a push and a pop in O(1)) and a binary
 * min-heap of (key, vertex) for the others; an entry whose vertex has since run or slept again
 * is stale and is dropped when met.
 * The local minimum rides on the superstep's one reduction (folded by minimum), so the master
 * step knows the global one without a collective, and every rank knows whether its bound woke
 * a vertex anywhere (bound >= global minimum), which keeps the run from ending.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

static bool before(const amls__sleeper *a, const amls__sleeper *b)
{
    return a->key < b->key || (a->key == b->key && a->v < b->v);
}

static void sift_up(amls__sleeper *h, int64_t i)
{
    while (i > 0 && before(&h[i], &h[(i - 1) / 2])) {
        amls__sleeper t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static void sift_down(amls__sleeper *h, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && before(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && before(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        amls__sleeper t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void pop(amls__sleep *sl)
{
    sl->heap[0] = sl->heap[--sl->n];
    sift_down(sl->heap, sl->n, 0);
}

static int push(amls__sleep *sl, int64_t key, int64_t v)
{
    if (sl->n == sl->cap) {
        int64_t cap = 2 * sl->cap + 1024;
        amls__sleeper *h = amls__realloc(sl->heap, (size_t)cap, sizeof *h);
        if (h == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory for %lld sleeping vertices",
                              (long long)cap);
        sl->heap = h;
        sl->cap = cap;
    }
    sl->heap[sl->n] = (amls__sleeper){key, v};
    sift_up(sl->heap, sl->n++);
    return AMLS_OK;
}

int amls__sleep_keys(amls_ctx *cx)
{
    int rc = AMLS_OK;
    int64_t nl = cx->g->n_local;
    if (cx->sl.key)
        return AMLS_OK;
    AMLS_ALLOC(cx->sl.key, nl + 1);
    for (int64_t v = 0; v < nl; v++)
        cx->sl.key[v] = INT64_MAX;
cleanup:
    return rc;
}

/* Appends v to the ring's list of key (in the window). Local. */
static int ring_put(amls__sleep *sl, int64_t key, int64_t v)
{
    int rc = AMLS_OK;
    if (sl->ring == NULL) {
        AMLS_CALLOC(sl->ring, AMLS__SLEEP_RING);
        for (int i = 0; i < AMLS__SLEEP_RING; i++)
            amls__vec_init(&sl->ring[i], sizeof(uint32_t));
    }
    uint32_t x = (uint32_t)v;
    AMLS_TRY(amls__vec_push(&sl->ring[key % AMLS__SLEEP_RING], &x));
    sl->nring++;
cleanup:
    return rc;
}

int amls__sleep_put(amls_ctx *cx, amls_vertex v, int64_t key)
{
    int rc = AMLS_OK;
    amls__sleep *sl = &cx->sl;
    AMLS_CHECK(key < INT64_MAX, AMLS_ERR_VPROG, "%s: amls_sleep with key INT64_MAX (reserved)",
               cx->p->name);
    if (sl->key == NULL)
        AMLS_TRY(amls__sleep_keys(cx));
    if (key >= sl->base && key - sl->base < AMLS__SLEEP_RING)
        AMLS_TRY(ring_put(sl, key, v));
    else
        AMLS_TRY(push(sl, key, v));
    sl->key[v] = key;
    cx->halted[v] = 1;
cleanup:
    return rc;
}

/* Drops the stale entries at the front of key's list; whether a live one remains. */
static bool ring_live(amls__sleep *sl, int64_t key)
{
    amls__vec *b = &sl->ring[key % AMLS__SLEEP_RING];
    uint32_t *e = b->data;
    size_t keep = 0;
    for (size_t i = 0; i < b->len; i++)
        if (sl->key[e[i]] == key)
            e[keep++] = e[i];
    sl->nring -= (int64_t)(b->len - keep);
    b->len = keep;
    return keep > 0;
}

int64_t amls__sleep_min(amls_ctx *cx)
{
    amls__sleep *sl = &cx->sl;
    while (sl->n > 0 && sl->key[sl->heap[0].v] != sl->heap[0].key)
        pop(sl);
    int64_t best = sl->n > 0 ? sl->heap[0].key : INT64_MAX;
    for (int64_t i = 0; sl->nring > 0 && i < AMLS__SLEEP_RING && sl->base + i < best; i++)
        if (ring_live(sl, sl->base + i))
            best = sl->base + i;
    return best;
}

/* v wakes: it joins the alive list. */
static void wake(amls_ctx *cx, int64_t v)
{
    cx->sl.key[v] = INT64_MAX;
    cx->halted[v] = 0;
    cx->alive[cx->nalive++] = v;
}

/* The ring's lists up to bound (>= base) wake. */
static void ring_wake(amls_ctx *cx, int64_t bound)
{
    amls__sleep *sl = &cx->sl;
    for (int64_t i = 0; sl->nring > 0 && i < AMLS__SLEEP_RING && i <= bound - sl->base; i++) {
        int64_t k = sl->base + i;
        amls__vec *b = &sl->ring[k % AMLS__SLEEP_RING];
        const uint32_t *e = b->data;
        for (size_t j = 0; j < b->len; j++)
            if (sl->key[e[j]] == k)
                wake(cx, e[j]);
        sl->nring -= (int64_t)b->len;
        b->len = 0;
    }
}

bool amls__sleep_wake(amls_ctx *cx)
{
    amls__sleep *sl = &cx->sl;
    int64_t bound = sl->bound;
    sl->bound = INT64_MIN;
    if (bound == INT64_MIN || bound < cx->st.sum[AMLS__REC_SLEEP])
        return false;
    while (sl->n > 0 && sl->heap[0].key <= bound) {
        amls__sleeper e = sl->heap[0];
        pop(sl);
        if (sl->key[e.v] == e.key) /* else stale */
            wake(cx, e.v);
    }
    if (bound >= sl->base && sl->nring > 0)
        ring_wake(cx, bound);
    sl->base = bound >= sl->base ? (bound < INT64_MAX ? bound + 1 : INT64_MAX) : sl->base;
    return true;
}

int amls__sleep_rebuild(amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls__sleep *sl = &cx->sl;
    sl->n = 0;
    for (int64_t v = 0; sl->key && v < cx->g->n_local; v++)
        if (sl->key[v] != INT64_MAX)
            AMLS_TRY(push(sl, sl->key[v], v));
cleanup:
    return rc;
}

void amls__sleep_free(amls__sleep *sl)
{
    for (int i = 0; sl->ring && i < AMLS__SLEEP_RING; i++)
        amls__vec_free(&sl->ring[i]);
    amls__free(sl->ring);
    amls__free(sl->key);
    amls__free(sl->heap);
    memset(sl, 0, sizeof *sl);
}
