/* ---------------------------------------------------------------------------------------------
 * engine/runtime.h — the engine's per-run context (what amls_ctx really is).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include "amls/engine.h"

typedef union amls__aggval {
    int64_t i;
    double f;
} amls__aggval;

typedef union amls__parval {
    int64_t i;
    double f;
    const char *s;
} amls__parval;

/* Combiner kind of a descriptor's combiner (0: none), and one combining step. */
int amls__combine_kind(const amls_combiner *c);
void amls__combine(const amls_ctx *cx, void *acc, const void *msg);

/* Aggregator arithmetic: the identity of its op and type, and acc = acc (op) x. */
amls__aggval amls__agg_identity(const amls_aggregator *a);
void amls__agg_combine(const amls_aggregator *a, amls__aggval *acc, amls__aggval x);

struct amls_ctx {
    const amls_api *api; /* must stay first: vprog.h reads it */
    amls_graph *g;
    const amls_vprog *p;
    int64_t step;
    int kind;        /* combiner kind (K_NONE: no combining) */
    size_t msz, rsz; /* message bytes; record bytes (4 + msz) */
    char *state;
    uint8_t *halted;
    /* Outgoing combined slots (n_local + n_ghost) and incoming (swapped each step), with the
     * lists of the slots whose flag is set, so that clearing and packing cost what was sent. */
    char *nval, *ival;
    uint8_t *nhas, *ihas;
    int64_t *nlist, *ilist;
    int64_t nlist_len, ilist_len;
    /* Work lists: vertices not halted after the last superstep, vertices that received
     * messages (uncombined mode), and this superstep's candidates. */
    int64_t *alive, *woken, *cand;
    int64_t nalive, nwoken, ncand;
    uint8_t *mark;
    /* Records: to local targets, and per peer. */
    amls__vec lrec;
    amls__vec *raw;
    int32_t *ghost_owner;
    /* Inbox without a combiner: CSR of messages per owned vertex. */
    int64_t *ioff;
    char *idata;
    int64_t sent;
    /* Published values: current (n_local + n_ghost) and being written (n_local). */
    size_t psz;
    char *pub, *pub_next;
    uint8_t *pub_has, *pub_next_has;
    amls__vec vpub, vpub_next;
    int64_t *vpub_off, *vpub_len, *vpub_next_off, *vpub_next_len;
    int published;
    /* Aggregators. */
    amls__aggval *agg_cur, *agg_part;
    bool halt_req;
    amls__parval *par;
    void *user;
};
