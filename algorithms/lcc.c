/* ---------------------------------------------------------------------------------------------
 * algorithms/lcc.c — local clustering coefficient (Graphalytics LCC).
 * SPDX-License-Identifier: MIT
 *
 * LCC(v) = (arcs between neighbours of v) / (d (d-1)), where the neighbourhood N(v) ignores
 * direction, d = |N(v)|, and arcs among neighbours are counted with direction (an undirected
 * edge is two arcs). Each triangle {v,u,w} is found once, at its lowest vertex in (degree,
 * original id) order, by intersecting the "higher" neighbour lists of v and u (Schank &
 * Wagner's orientation): the lists are published and read by neighbours, not sent per pair, so
 * traffic is O(edges) rather than O(wedges). Each vertex of a found triangle is credited with
 * the number of arcs (1 or 2) between the other two; credits travel as summed messages (or
 * one by one without the combiner: every message counts).
 * Published values hold original ids only, never engine ids, so a checkpoint taken between
 * supersteps restarts at any rank count and partitioner: the list entry of a neighbour u is
 * its original id, or its complement ~id when there are arcs both ways, sorted by id.
 * Supersteps: 0 publish degree; 1 publish the higher list; 2 intersect and credit; 3 divide.
 * Reference: ref/lcc_ref.c (marker-array counting over every neighbourhood).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <stdlib.h>

typedef struct lcc_state {
    double lcc, credit;
} lcc_state;

/* A higher neighbour: original id, handle, arcs between it and v. */
typedef struct higher {
    amls_vid id;
    amls_nbr h;
    int32_t arcs;
} higher;

static int by_id(const void *a, const void *b)
{
    amls_vid x = ((const higher *)a)->id, y = ((const higher *)b)->id;
    return (x > y) - (x < y);
}

static inline amls_vid entry_id(int64_t e)
{
    return e < 0 ? ~e : e;
}
static inline double entry_arcs(int64_t e)
{
    return e < 0 ? 2.0 : 1.0;
}

/* v's neighbours above it in (degree, original id) order, sorted by original id, into hs;
 * their number, or a negative status. The degrees are the first word of what they published. */
static int64_t higher_list(amls_ctx *cx, amls_vertex v, int64_t d, const amls_nbr *nb,
                           const uint8_t *dir, int64_t deg, higher *hs)
{
    int64_t k = 0;
    amls_vid self = amls_vertex_id(cx, v);
    for (int64_t i = 0; i < deg; i++) {
        amls_vid id = amls_nbr_id(cx, nb[i]);
        const int64_t *up = amls_nbr_published(cx, nb[i], NULL);
        if (id < 0)
            return amls_fail(cx, "needs non-negative vertex ids");
        if (id == self || up == NULL || up[0] < d || (up[0] == d && id < self))
            continue;
        hs[k++] = (higher){id, nb[i], dir[i] == (AMLS_DIR_OUT | AMLS_DIR_IN) ? 2 : 1};
    }
    qsort(hs, (size_t)k, sizeof *hs, by_id);
    return k;
}

/* Superstep 2, at v for its higher neighbour u (list ul of nu entries after the degree): the
 * triangles {v, u, w} for the w in both lists: w gets the arcs between v and u, u those between
 * v and w, v those between u and w. */
static int intersect(amls_ctx *cx, lcc_state *st, const higher *hs, int64_t k, const int64_t *ul,
                     int64_t nu, const higher *u)
{
    int rc = 0;
    double to_u = 0.0, mvu = (double)u->arcs;
    for (int64_t a = 0, b = 1; a < k && b < nu && rc == 0;) {
        amls_vid ga = hs[a].id, gb = entry_id(ul[b]);
        if (ga == gb) {
            st->credit += entry_arcs(ul[b]);
            to_u += (double)hs[a].arcs;
            rc = amls_send_nbr(cx, hs[a].h, &mvu);
        }
        a += ga <= gb;
        b += gb <= ga;
    }
    return rc == 0 && to_u > 0 ? amls_send_nbr(cx, u->h, &to_u) : rc;
}

/* Supersteps 1 and 2: publish the higher list, or intersect it with the higher neighbours'. */
static int lists(amls_ctx *cx, amls_vertex v, lcc_state *st, int64_t step, int64_t d)
{
    const amls_nbr *nb;
    const uint8_t *dir;
    int64_t deg = amls_nbrs(cx, v, &nb, &dir);
    if (deg < 0)
        return (int)deg;
    higher *hs = amls_scratch(cx, (size_t)deg * (sizeof(higher) + 8) + 8);
    if (hs == NULL)
        return amls_fail(cx, "out of memory");
    int64_t k = higher_list(cx, v, d, nb, dir, deg, hs);
    if (k < 0)
        return (int)k;
    if (step == 1) {
        int64_t *list = (int64_t *)(hs + deg);
        list[0] = d;
        for (int64_t i = 0; i < k; i++)
            list[i + 1] = hs[i].arcs == 2 ? ~hs[i].id : hs[i].id;
        return amls_publish(cx, v, list, (size_t)(k + 1) * sizeof *list);
    }
    int rc = 0;
    for (int64_t i = 0; i < k && rc == 0; i++) {
        size_t ul = 0;
        const int64_t *up = amls_nbr_published(cx, hs[i].h, &ul);
        rc = intersect(cx, st, hs, k, up, (int64_t)(ul / 8), &hs[i]);
    }
    return rc;
}

/* v's own published value holds its degree d = |N(v)| from superstep 1 on: the degree, then
 * the degree followed by its higher list. */
static int lcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    lcc_state *st = state;
    const int64_t *mine = amls_published(cx, v, NULL);
    int64_t step = amls_superstep(cx), d = mine ? mine[0] : 0;
    if (step == 3) {
        const double *credit = msgs;
        for (int64_t i = 0; i < n; i++) /* one with the combiner, every credit without */
            st->credit += credit[i];
        st->lcc = d >= 2 ? st->credit / ((double)d * (double)(d - 1)) : 0.0;
        amls_vote_to_halt(cx, v);
        return 0;
    }
    if (step > 0)
        return lists(cx, v, st, step, d);
    const amls_nbr *nb;
    int64_t deg = amls_nbrs(cx, v, &nb, NULL);
    amls_vid self = amls_vertex_id(cx, v);
    for (int64_t i = 0; i < deg; i++) /* superstep 0: |N(v)| */
        d += amls_nbr_id(cx, nb[i]) != self;
    return deg < 0 ? (int)deg : amls_publish(cx, v, &d, sizeof d);
}

AMLS_VPROG_DEFINE(lcc, .description = "local clustering coefficient",
                  .state_size = sizeof(lcc_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_F64, 0}, .pub_size = AMLS_PUB_VARIABLE,
                  .flags = AMLS_NEED_IN_EDGES, .result_type = AMLS_TYPE_F64, .max_supersteps = 4,
                  .compute = lcc_compute)
