/* ---------------------------------------------------------------------------------------------
 * algorithms/lcc.c — local clustering coefficient (Graphalytics LCC).
 * SPDX-License-Identifier: MIT
 *
 * LCC(v) = (arcs between neighbours of v) / (d (d-1)), where the neighbourhood N(v) ignores
 * direction, d = |N(v)|, and arcs among neighbours are counted with direction (an undirected
 * edge is two arcs). Each triangle {v,u,w} is found once, at its lowest vertex in (degree, id)
 * order, by intersecting the "higher" neighbour lists of v and u (Schank & Wagner's
 * orientation): the lists are published and read by neighbours, not sent per pair, so traffic
 * is O(edges) rather than O(wedges). Each vertex of a found triangle is credited with the
 * number of arcs (1 or 2) between the other two; credits travel as summed messages.
 * Supersteps: 0 publish degree; 1 publish higher-neighbour list; 2 intersect and credit;
 * 3 divide. Reference: ref/lcc_ref.c (marker-array counting over every neighbourhood).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

typedef struct lcc_state {
    double lcc, credit;
} lcc_state;

/* Superstep 2, at v for its higher neighbour u: credits the triangles {v, u, w} for the w in
 * both higher lists (entries gid * 4 + arcs to the list's owner, in gid order, after the
 * degree): w gets the arcs between v and u, u those between v and w, v those between u and
 * w. */
static int intersect(amls_ctx *cx, lcc_state *st, const int64_t *me, int64_t nm, const int64_t *ul,
                     int64_t nu, amls_nbr u, double mvu)
{
    int rc = 0;
    double to_u = 0.0;
    for (int64_t a = 1, b = 1; a < nm && b < nu && rc == 0;) {
        int64_t ga = me[a] >> 2, gb = ul[b] >> 2;
        if (ga == gb) {
            st->credit += (double)(ul[b] & 3);
            to_u += (double)(me[a] & 3);
            rc = amls_send(cx, ga, &mvu);
        }
        a += ga <= gb;
        b += gb <= ga;
    }
    return rc == 0 && to_u > 0 ? amls_send_nbr(cx, u, &to_u) : rc;
}

/* v's own published value holds its degree d = |N(v)| from superstep 1 on: the degree, then
 * the degree followed by its higher list. */
static int lcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    lcc_state *st = state;
    size_t len = 0, ul = 0;
    const int64_t *mine = amls_published(cx, v, &len);
    int64_t step = amls_superstep(cx), d = mine ? mine[0] : 0, k = 0;
    if (step == 3) {
        st->credit += n > 0 ? *(const double *)msgs : 0.0;
        st->lcc = d >= 2 ? st->credit / ((double)d * (double)(d - 1)) : 0.0;
        amls_vote_to_halt(cx, v);
        return 0;
    }
    const amls_nbr *nb;
    const uint8_t *dir;
    int64_t deg = amls_nbrs(cx, v, &nb, &dir), self = amls_vertex_gid(cx, v);
    int64_t *list = step == 1 ? amls_scratch(cx, (size_t)(deg + 1) * sizeof *list) : NULL;
    int64_t rc = deg < 0 ? deg : step == 1 && !list ? amls_fail(cx, "out of memory") : 0;
    for (int64_t i = 0; i < deg && rc == 0; i++) {
        amls_gid gu = amls_nbr_gid(cx, nb[i]);
        const int64_t *up = step > 0 ? amls_nbr_published(cx, nb[i], &ul) : NULL;
        int mvu = dir[i] == (AMLS_DIR_OUT | AMLS_DIR_IN) ? 2 : 1; /* arcs between v and u */
        d += step == 0 && gu != self;                             /* superstep 0: |N(v)| */
        /* From superstep 1 on, only neighbours above v in (degree, engine id) order count. */
        if (up == NULL || up[0] < d || (up[0] == d && gu <= self))
            continue;
        if (step == 1)
            list[++k] = gu * 4 + mvu;
        else
            rc = intersect(cx, st, mine, (int64_t)(len / 8), up, (int64_t)(ul / 8), nb[i], mvu);
    }
    if (rc != 0 || step != 1) /* superstep 0 publishes the degree, 1 the higher list */
        return rc != 0 || step == 2 ? (int)rc : amls_publish(cx, v, &d, sizeof d);
    list[0] = d;
    return amls_publish(cx, v, list, (size_t)(k + 1) * sizeof *list);
}

AMLS_VPROG_DEFINE(lcc, .description = "local clustering coefficient",
                  .state_size = sizeof(lcc_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_F64, 0}, .pub_size = AMLS_PUB_VARIABLE,
                  .flags = AMLS_NEED_IN_EDGES, .result_type = AMLS_TYPE_F64, .max_supersteps = 4,
                  .compute = lcc_compute)
