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
 * 3 divide. Reference: ref/ref.c (marker-array counting over every neighbourhood).
 * ------------------------------------------------------------------------------------------- */
#include "amls/vprog.h"

#include <string.h>

typedef struct lcc_state {
    double lcc;
    double credit;
    int64_t degree;
} lcc_state;

/* A merged neighbour: engine id, handle and arc multiplicity (1 one way, 2 both ways). */
typedef struct nb_entry {
    int64_t gid;
    amls_nbr h;
    int mult;
} nb_entry;

typedef struct scratch {
    nb_entry *nb;
    int64_t *up;
    size_t cap;
} scratch;

static int lcc_setup(amls_ctx *cx)
{
    scratch *s = amls_alloc(cx, sizeof *s);
    if (s == NULL)
        return amls_fail(cx, "out of memory");
    memset(s, 0, sizeof *s);
    amls_set_user(cx, s);
    return 0;
}

static void lcc_finalize(amls_ctx *cx)
{
    scratch *s = amls_user(cx);
    if (s) {
        amls_free(cx, s->nb);
        amls_free(cx, s->up);
        amls_free(cx, s);
    }
}

/* Merges out- and in-edges (both sorted by engine id) into N(v) without v itself. */
static int64_t neighbourhood(amls_ctx *cx, amls_vertex v, scratch *s)
{
    const amls_nbr *out, *in;
    int64_t no = amls_out_edges(cx, v, &out, NULL);
    int64_t ni = amls_in_edges(cx, v, &in, NULL);
    if (!amls_is_directed(cx))
        ni = no, in = out;
    size_t need = (size_t)(no + ni) + 1;
    if (need > s->cap) {
        amls_free(cx, s->nb);
        amls_free(cx, s->up);
        s->cap = 2 * need;
        s->nb = amls_alloc(cx, s->cap * sizeof *s->nb);
        s->up = amls_alloc(cx, s->cap * sizeof *s->up);
        if (s->nb == NULL || s->up == NULL)
            return -1;
    }
    amls_gid self = amls_vertex_gid(cx, v);
    int64_t i = 0, j = 0, k = 0;
    while (i < no || j < ni) {
        int64_t go = i < no ? amls_nbr_gid(cx, out[i]) : INT64_MAX;
        int64_t gi = j < ni ? amls_nbr_gid(cx, in[j]) : INT64_MAX;
        nb_entry e;
        if (go == gi) {
            e = (nb_entry){go, out[i], 2};
            i++;
            j++;
        } else if (go < gi) {
            e = (nb_entry){go, out[i], 1};
            i++;
        } else {
            e = (nb_entry){gi, in[j], 1};
            j++;
        }
        if (e.gid != self)
            s->nb[k++] = e;
    }
    return k;
}

/* Encoded list entry: gid * 4 + multiplicity keeps gid order. */
static int64_t enc(int64_t gid, int mult)
{
    return gid * 4 + mult;
}

static int higher(int64_t du, int64_t gu, int64_t dv, int64_t gv)
{
    return du > dv || (du == dv && gu > gv);
}

static int lcc_compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    lcc_state *st = state;
    scratch *s = amls_user(cx);
    int64_t step = amls_superstep(cx);
    if (step == 3) {
        if (n > 0)
            st->credit += *(const double *)msgs;
        int64_t d = st->degree;
        st->lcc = d >= 2 ? st->credit / ((double)d * (double)(d - 1)) : 0.0;
        amls_vote_to_halt(cx, v);
        return 0;
    }
    int64_t d = neighbourhood(cx, v, s);
    if (d < 0)
        return amls_fail(cx, "out of memory");
    amls_gid self = amls_vertex_gid(cx, v);
    if (step == 0) {
        st->degree = d;
        return amls_publish(cx, v, &d, sizeof d);
    }
    /* N+(v): neighbours above v in (degree, id) order, as published degrees tell. */
    if (step == 1) {
        int64_t k = 0;
        s->up[k++] = d;
        for (int64_t i = 0; i < d; i++) {
            const int64_t *du = amls_nbr_published(cx, s->nb[i].h, NULL);
            if (du && higher(*du, s->nb[i].gid, d, self))
                s->up[k++] = enc(s->nb[i].gid, s->nb[i].mult);
        }
        return amls_publish(cx, v, s->up, (size_t)k * sizeof *s->up);
    }
    /* step 2: for u in N+(v), intersect N+(v) with N+(u). */
    size_t mylen = 0;
    const int64_t *mine = amls_nbr_published(cx, (amls_nbr)v, &mylen);
    int64_t nm = (int64_t)(mylen / sizeof(int64_t)) - 1;
    if (mine == NULL || nm <= 0)
        return 0;
    const int64_t *me = mine + 1;
    for (int64_t i = 0; i < d; i++) {
        size_t ulen = 0;
        const int64_t *ub = amls_nbr_published(cx, s->nb[i].h, &ulen);
        if (ub == NULL || !higher(ub[0], s->nb[i].gid, d, self))
            continue;
        int mvu = s->nb[i].mult;
        const int64_t *ul = ub + 1;
        int64_t nu = (int64_t)(ulen / sizeof(int64_t)) - 1;
        double to_u = 0.0;
        for (int64_t a = 0, b = 0; a < nm && b < nu;) {
            int64_t ga = me[a] >> 2, gb = ul[b] >> 2;
            if (ga < gb) {
                a++;
            } else if (gb < ga) {
                b++;
            } else {
                int mvw = (int)(me[a] & 3), muw = (int)(ul[b] & 3);
                st->credit += muw;
                to_u += mvw;
                double cw = mvu;
                int rc = amls_send(cx, ga, &cw);
                if (rc != 0)
                    return rc;
                a++;
                b++;
            }
        }
        if (to_u > 0) {
            int rc = amls_send_nbr(cx, s->nb[i].h, &to_u);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

AMLS_VPROG_DEFINE(lcc, .description = "local clustering coefficient",
                  .state_size = sizeof(lcc_state), .msg_size = sizeof(double),
                  .combiner = {AMLS_OP_SUM, AMLS_TYPE_F64, 0}, .pub_size = AMLS_PUB_VARIABLE,
                  .flags = AMLS_NEED_IN_EDGES, .result_type = AMLS_TYPE_F64, .max_supersteps = 4,
                  .setup = lcc_setup, .compute = lcc_compute, .finalize = lcc_finalize)
