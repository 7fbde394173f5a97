/* ---------------------------------------------------------------------------------------------
 * linalg/la_sssp.c — single-source shortest paths by delta-stepping (Meyer and Sanders, 2003)
 * in linear algebra: each round relaxes the light edges (weight <= delta) of the current
 * bucket's frontier as a min-plus SpMSpV, until the bucket stays empty; then the heavy edges
 * of every vertex settled in it, once; then the next non-empty bucket.
 * SPDX-License-Identifier: MIT
 *
 * Buckets are local: a ring of RING bins of vertex lists for the buckets [base, base + RING)
 * and an overflow list for later ones; an entry is stale when the vertex's distance has since
 * moved to another bucket, and is dropped when seen. Relaxations of ghosts are combined (min)
 * per ghost on the sender, sent only when they beat the best value sent before, and travel as
 * a bitmap or position list with the distances (la_nbx.c). Each round takes one reduction
 * (status, "the current bucket stays empty", next bucket); the run ends when no bucket is left.
 *
 * Edge weights must be non-negative (refused otherwise: a negative weight breaks the bucket
 * order). The default delta is (largest weight) / (average out-degree), Meyer and Sanders'
 * Theta(1/d) for weights scaled to [0, 1], and at least the smallest positive weight: for unit
 * weights that is 1, a BFS level per bucket. Delta = infinity is Bellman-Ford (one bucket).
 * Distances are sums of weights along shortest paths: identical for every partition whenever
 * the weights add exactly (integers), else within rounding of the sum.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

#include <math.h>

enum { RING = 1024 };

typedef struct sssp {
    const amls_graph *g;
    double *dist, delta;
    bool heavy;
    amls__nbx *nbx;
    double *sent; /* per ghost: the best distance sent so far */
    amls__vec bin[RING], over;
    int64_t base, cur, ov_min, new_in_cur;
    uint32_t *front, *settled; /* this round's frontier, this bucket's settled vertices */
    int64_t nfront, nsettled;
    uint32_t *seen; /* round stamp of each owned vertex (frontier dedup) */
    uint32_t round;
    uint8_t *in_settled;
    int status;
} sssp;

static int64_t bucket(const sssp *s, double d)
{
    double b = floor(d / s->delta);
    return b < 4e18 ? (int64_t)b : (int64_t)4e18;
}

static void insert(sssp *s, uint32_t v, int64_t b)
{
    amls__vec *to = b < s->base + RING ? &s->bin[b % RING] : &s->over;
    if (to == &s->over && b < s->ov_min)
        s->ov_min = b;
    if (b == s->cur)
        s->new_in_cur++;
    uint32_t x = v;
    int rc = amls__vec_push(to, &x);
    if (rc < 0)
        s->status = rc;
}

static inline void relax_owned(sssp *s, uint32_t v, double d)
{
    if (d < s->dist[v]) {
        s->dist[v] = d;
        insert(s, v, bucket(s, d));
    }
}

static void relax_received(void *ud, uint32_t v, const void *val)
{
    double d;
    memcpy(&d, val, sizeof d);
    relax_owned(ud, v, d);
}

/* Relaxes the edges of u that are light (or heavy) into owned slots and the ghost outbox. */
static void relax_edges(sssp *s, uint32_t u, bool light)
{
    const amls_graph *g = s->g;
    int64_t nl = g->n_local;
    double du = s->dist[u];
    for (int64_t j = g->out_ptr[u]; j < g->out_ptr[u + 1]; j++) {
        double w = g->out_w ? g->out_w[j] : 1.0;
        if ((w <= s->delta) != light)
            continue;
        uint32_t t = g->out_col[j];
        if (t < nl) {
            relax_owned(s, t, du + w);
        } else if (du + w < s->sent[t - nl]) {
            s->sent[t - nl] = du + w;
            amls__nbx_min_f64(s->nbx, t - nl, du + w);
        }
    }
}

/* The frontier: the valid entries of the current bucket's bin, once each. Local. */
static void take_frontier(sssp *s)
{
    amls__vec *b = &s->bin[s->cur % RING];
    const uint32_t *e = b->data;
    s->round++;
    s->nfront = 0;
    for (size_t q = 0; q < b->len; q++) {
        uint32_t v = e[q];
        if (s->seen[v] == s->round || bucket(s, s->dist[v]) != s->cur)
            continue;
        s->seen[v] = s->round;
        s->front[s->nfront++] = v;
        if (!s->in_settled[v]) {
            s->in_settled[v] = 1;
            s->settled[s->nsettled++] = v;
        }
    }
    b->len = 0;
}

/* The smallest bucket after the current one with a valid entry here (INT64_MAX: none);
 * stale entries met on the way are dropped. The overflow's minimum may be stale: that costs
 * at most an empty round. Local. */
static int64_t local_next(sssp *s)
{
    for (int64_t b = s->cur + 1; b < s->base + RING; b++) {
        amls__vec *bin = &s->bin[b % RING];
        uint32_t *e = bin->data;
        size_t keep = 0;
        for (size_t q = 0; q < bin->len; q++)
            if (bucket(s, s->dist[e[q]]) == b)
                e[keep++] = e[q];
        bin->len = keep;
        if (keep > 0)
            return b;
    }
    return s->ov_min;
}

/* Moves the overflow entries of the new window [cur, cur + RING) into the bins. Local. */
static void rebase(sssp *s)
{
    uint32_t *e = s->over.data;
    size_t n = s->over.len, keep = 0;
    s->base = s->cur;
    s->ov_min = INT64_MAX;
    s->over.len = 0;
    for (size_t q = 0; q < n; q++) {
        int64_t b = bucket(s, s->dist[e[q]]);
        if (b < s->cur)
            continue; /* settled in an earlier bucket: stale */
        if (b < s->base + RING) {
            insert(s, e[q], b);
        } else {
            e[keep++] = e[q];
            s->ov_min = AMLS_MIN(s->ov_min, b);
        }
    }
    s->over.len = keep;
}

/* One exchange round: the outbox to the owners, received relaxations applied. */
static int exchange(sssp *s)
{
    int rc = amls__nbx_push(s->nbx);
    if (rc == AMLS_OK)
        amls__nbx_recv_each(s->nbx, relax_received, s);
    return rc;
}

/* The light rounds of the current bucket, until it stays empty everywhere; then the heavy
 * edges of the settled vertices. *next gets the next bucket (INT64_MAX: none). Collective. */
static int run_bucket(sssp *s, int64_t *rounds, int64_t *next)
{
    int rc = AMLS_OK;
    MPI_Comm comm = s->g->comm;
    int64_t r[3] = {0, 0, 0};
    do {
        take_frontier(s);
        s->new_in_cur = 0;
        for (int64_t q = 0; q < s->nfront; q++)
            relax_edges(s, s->front[q], true);
        AMLS_TRY(exchange(s));
        (*rounds)++;
        r[0] = s->status;
        r[1] = s->new_in_cur == 0;
        r[2] = s->heavy ? INT64_MAX : local_next(s);
        AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, r, 3, MPI_INT64_T, MPI_MIN, comm));
        AMLS_TRY(r[0] < 0 ? amls_agree(comm, s->status, NULL) : AMLS_OK);
    } while (r[1] == 0);
    *next = r[2];
    if (!s->heavy)
        goto cleanup;
    for (int64_t q = 0; q < s->nsettled; q++)
        relax_edges(s, s->settled[q], false);
    AMLS_TRY(exchange(s));
    (*rounds)++;
    r[0] = s->status;
    r[1] = local_next(s);
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, r, 2, MPI_INT64_T, MPI_MIN, comm));
    AMLS_TRY(r[0] < 0 ? amls_agree(comm, s->status, NULL) : AMLS_OK);
    *next = r[1];
cleanup:
    for (int64_t q = 0; q < s->nsettled; q++)
        s->in_settled[s->settled[q]] = 0;
    s->nsettled = 0;
    return rc;
}

/* Global weight range: refuses negative or NaN weights, picks the default delta, and says
 * whether any edge is heavy. Collective. */
static int weights(sssp *s, double delta)
{
    int rc = AMLS_OK;
    const amls_graph *g = s->g;
    int64_t m = g->out_ptr[g->n_local];
    double r[3] = {INFINITY, 0, INFINITY}; /* min weight, -max weight, min positive weight */
    if (g->out_w == NULL && m > 0)
        r[0] = r[2] = 1.0, r[1] = -1.0;
    /* branch-free minima (no libm calls: this loop reads every arc once); a NaN weight makes
     * lo NaN-free but sets nan */
    double lo = r[0], hi = -r[1], pos = r[2];
    bool nan = false;
    for (int64_t j = 0; g->out_w && j < m; j++) {
        double w = g->out_w[j];
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
        pos = w > 0 && w < pos ? w : pos;
        nan |= w != w;
    }
    r[0] = nan ? -INFINITY : lo;
    r[1] = -hi;
    r[2] = pos;
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, r, 3, MPI_DOUBLE, MPI_MIN, g->comm));
    AMLS_CHECK(r[0] >= 0, AMLS_ERR_INVALID,
               "sssp: edge weight %g: delta-stepping needs weights >= 0 (and not NaN)", r[0]);
    double avg_deg = g->n > 0 ? (double)g->arcs / (double)g->n : 1.0;
    if (!(delta > 0)) {
        delta = -r[1] / AMLS_MAX(avg_deg, 1.0);
        delta = isfinite(r[2]) ? fmax(delta, r[2]) : 1.0;
    }
    s->delta = delta;
    s->heavy = -r[1] > delta;
cleanup:
    return rc;
}

static void sssp_free(sssp *s)
{
    for (int b = 0; b < RING; b++)
        amls__vec_free(&s->bin[b]);
    amls__vec_free(&s->over);
    amls__free(s->sent);
    amls__free(s->front);
    amls__free(s->settled);
    amls__free(s->seen);
    amls__free(s->in_settled);
    amls__nbx_free(&s->nbx);
}

/* Work space; distances infinite but at the source. Local. */
static int sssp_start(sssp *s, int64_t src_gid)
{
    int rc = AMLS_OK;
    const amls_graph *g = s->g;
    int64_t nl = g->n_local;
    for (int b = 0; b < RING; b++)
        amls__vec_init(&s->bin[b], sizeof(uint32_t));
    amls__vec_init(&s->over, sizeof(uint32_t));
    AMLS_ALLOC(s->sent, g->n_ghost + 1);
    AMLS_ALLOC(s->front, nl + 1);
    AMLS_ALLOC(s->settled, nl + 1);
    AMLS_CALLOC(s->seen, nl + 1);
    AMLS_CALLOC(s->in_settled, nl + 1);
    for (int64_t k = 0; k < g->n_ghost; k++)
        s->sent[k] = INFINITY;
    for (int64_t v = 0; v < nl; v++)
        s->dist[v] = INFINITY;
    s->ov_min = INT64_MAX;
    if (src_gid >= g->lo && src_gid < g->lo + nl)
        relax_owned(s, (uint32_t)(src_gid - g->lo), 0.0);
    rc = s->status;
cleanup:
    return rc;
}

int amls__la_sssp(const amls_graph *g, int64_t src_gid, double delta, double *dist, int64_t *rounds,
                  int64_t *buckets, double *delta_used)
{
    int rc = AMLS_OK;
    sssp s = {.g = g, .dist = dist};
    int64_t next = 0;
    *rounds = *buckets = 0;
    AMLS_TRY(weights(&s, delta));
    AMLS_AGREE(g->comm, sssp_start(&s, src_gid));
    AMLS_TRY(amls__nbx_new(g, sizeof(double), &s.nbx));
    while (next != INT64_MAX) {
        s.cur = next;
        if (s.cur >= s.base + RING)
            rebase(&s);
        AMLS_TRY(run_bucket(&s, rounds, &next));
        (*buckets)++;
    }
    *delta_used = s.delta;
cleanup:
    sssp_free(&s);
    return rc;
}
