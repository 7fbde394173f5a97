/* ---------------------------------------------------------------------------------------------
 * linalg/la_wcc_local.c — the local contraction of WCC: the components of the subgraph of owned
 * vertices (a union-find, Afforest-style sampling first), and for each local component that
 * touches ghosts the list of its distinct ghost neighbours. No communication.
 * SPDX-License-Identifier: MIT
 *
 * Afforest (Sutton, Ben-Nun and Barak, IPDPS'18): link every vertex to its first SAMPLES
 * out-neighbours, find the most frequent root among SAMPLE_SIZE vertices, then link every
 * remaining edge of the vertices outside that component (out- and, for directed graphs,
 * in-edges, so that an edge between the big component and another is seen from the other
 * side). Links point the larger root at the smaller, so each root is its component's smallest
 * local index, hence smallest global id.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

enum { SAMPLES = 2, SAMPLE_SIZE = 1024 };

static uint32_t find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static void link(uint32_t *p, uint32_t a, uint32_t b)
{
    a = find(p, a);
    b = find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The most frequent root among a fixed sample of vertices. Local. */
static uint32_t frequent_root(uint32_t *p, int64_t nl)
{
    uint32_t smp[SAMPLE_SIZE], best = 0;
    for (int i = 0; i < SAMPLE_SIZE; i++)
        smp[i] = find(p, (uint32_t)(amls__mix64((uint64_t)i) % (uint64_t)nl));
    qsort(smp, SAMPLE_SIZE, sizeof smp[0], cmp_u32);
    for (int i = 0, run = 0, most = 0; i < SAMPLE_SIZE; i++) {
        run = i > 0 && smp[i] == smp[i - 1] ? run + 1 : 1;
        if (run > most) {
            most = run;
            best = smp[i];
        }
    }
    return best;
}

/* Links the local edges of v from position `from` of its out-list, and all of its in-list. */
static void link_rest(const amls_graph *g, uint32_t *p, int64_t v, int64_t from)
{
    for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        for (int64_t j = ptr[v] + (dir ? 0 : from); j < ptr[v + 1]; j++)
            if (col[j] < g->n_local)
                link(p, (uint32_t)v, col[j]);
    }
}

/* p[v] = the root of v's local component. Local. */
static void local_components(const amls_graph *g, uint32_t *p)
{
    int64_t nl = g->n_local;
    for (int64_t v = 0; v < nl; v++)
        p[v] = (uint32_t)v;
    for (int r = 0; r < SAMPLES; r++)
        for (int64_t v = 0; v < nl; v++) {
            int64_t j = g->out_ptr[v] + r;
            if (j < g->out_ptr[v + 1] && g->out_col[j] < nl)
                link(p, (uint32_t)v, g->out_col[j]);
        }
    uint32_t big = nl > 0 ? frequent_root(p, nl) : 0;
    for (int64_t v = 0; v < nl; v++)
        if (find(p, (uint32_t)v) != big)
            link_rest(g, p, v, SAMPLES);
    for (int64_t v = 0; v < nl; v++)
        p[v] = find(p, (uint32_t)v);
}

/* Appends the distinct ghosts adjacent to v not yet listed for root index r (mark[k] = r+1). */
static int list_ghosts(const amls_graph *g, int64_t v, uint32_t r, uint32_t *mark, amls__vec *gl)
{
    for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
            uint32_t t = col[j];
            if (t < g->n_local || mark[t - g->n_local] == r + 1)
                continue;
            mark[t - g->n_local] = r + 1;
            uint32_t k = (uint32_t)(t - g->n_local);
            int rc = amls__vec_push(gl, &k);
            if (rc < 0)
                return rc;
        }
    }
    return AMLS_OK;
}

/* Groups the members by root (counting sort), then lists each root's distinct ghosts; the
 * roots with ghosts become the active ones. Local. */
static int ghost_lists(const amls_graph *g, amls__contract *c, int64_t *start, uint32_t *order,
                       uint32_t *mark)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local;
    amls__vec gl, gptr;
    amls__vec_init(&gl, sizeof(uint32_t));
    amls__vec_init(&gptr, sizeof(int64_t));
    for (int64_t v = 0; v < nl; v++)
        start[c->root[v] + 1]++;
    for (int64_t r = 0; r < nl; r++)
        start[r + 1] += start[r];
    for (int64_t v = 0; v < nl; v++)
        order[start[c->root[v]]++] = (uint32_t)v;
    AMLS_TRY(amls__vec_push_i64(&gptr, 0));
    for (int64_t r = 0, q = 0; r < nl; r++) {
        size_t before = gl.len;
        for (; q < nl && c->root[order[q]] == r; q++)
            AMLS_TRY(list_ghosts(g, order[q], (uint32_t)c->na, mark, &gl));
        if (gl.len > before) {
            c->act[c->na++] = (uint32_t)r;
            AMLS_TRY(amls__vec_push_i64(&gptr, (int64_t)gl.len));
        }
    }
    c->gl = amls__vec_steal(&gl);
    c->gptr = amls__vec_steal(&gptr);
cleanup:
    amls__vec_free(&gl);
    amls__vec_free(&gptr);
    return rc;
}

int amls__contract_new(const amls_graph *g, amls__contract *c)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, *start = NULL;
    uint32_t *order = NULL, *mark = NULL;
    memset(c, 0, sizeof *c);
    AMLS_ALLOC(c->root, nl + 1);
    AMLS_ALLOC(c->act, nl + 1);
    AMLS_CALLOC(start, nl + 2);
    AMLS_ALLOC(order, nl + 1);
    AMLS_CALLOC(mark, g->n_ghost + 1);
    local_components(g, c->root);
    AMLS_TRY(ghost_lists(g, c, start, order, mark));
cleanup:
    amls__free(start);
    amls__free(order);
    amls__free(mark);
    return rc;
}

void amls__contract_free(amls__contract *c)
{
    amls__free(c->root);
    amls__free(c->act);
    amls__free(c->gptr);
    amls__free(c->gl);
    memset(c, 0, sizeof *c);
}
