/* ---------------------------------------------------------------------------------------------
 * engine/superstep.c — the superstep loop, message and published-value exchange, parameters,
 * descriptor checks, result output.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "engine/checkpoint.h"
#include "engine/graph_util.h"
#include "engine/runtime.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <strings.h>

/* ---- descriptor checks ------------------------------------------------------------------- */

int amls_vprog_check(const amls_vprog *p, char *err, size_t errlen)
{
    if (p == NULL) {
        snprintf(err, errlen, "the entry point returned no descriptor");
        return AMLS_ERR_VPROG;
    }
    if (p->abi_major != AMLS_ABI_MAJOR) {
        snprintf(err, errlen,
                 "ABI major version %u, but this engine implements major version %d; rebuild "
                 "the program against this engine's amls/vprog.h",
                 p->abi_major, AMLS_ABI_MAJOR);
        return AMLS_ERR_ABI;
    }
    if (p->abi_minor > AMLS_ABI_MINOR) {
        snprintf(err, errlen,
                 "ABI version %u.%u is newer than this engine's %d.%d; use a newer engine",
                 p->abi_major, p->abi_minor, AMLS_ABI_MAJOR, AMLS_ABI_MINOR);
        return AMLS_ERR_ABI;
    }
    if (p->struct_size < offsetof(amls_vprog, finalize)) {
        snprintf(err, errlen, "descriptor struct_size %u is too small", p->struct_size);
        return AMLS_ERR_ABI;
    }
    const char *name = p->name ? p->name : "(unnamed)";
    if (p->name == NULL || p->name[0] == '\0') {
        snprintf(err, errlen, "descriptor has no name");
        return AMLS_ERR_VPROG;
    }
    if (p->compute == NULL) {
        snprintf(err, errlen, "%s: descriptor has no compute callback", name);
        return AMLS_ERR_VPROG;
    }
    if (p->state_size == 0 || p->state_size > (1u << 20)) {
        snprintf(err, errlen, "%s: state_size %zu must be in 1..1048576", name, p->state_size);
        return AMLS_ERR_VPROG;
    }
    if (p->msg_size > (1u << 16)) {
        snprintf(err, errlen, "%s: msg_size %zu exceeds 65536", name, p->msg_size);
        return AMLS_ERR_VPROG;
    }
    if (p->combiner.op != AMLS_OP_NONE) {
        size_t tsz = p->combiner.type == AMLS_TYPE_I64 || p->combiner.type == AMLS_TYPE_F64 ? 8 : 4;
        if (p->combiner.op == AMLS_OP_USER
                ? p->combiner.fn == NULL
                : (p->combiner.op > AMLS_OP_USER || p->combiner.type < AMLS_TYPE_I64 ||
                   p->combiner.type > AMLS_TYPE_F32 || tsz != p->msg_size)) {
            snprintf(err, errlen, "%s: combiner does not match msg_size %zu", name, p->msg_size);
            return AMLS_ERR_VPROG;
        }
    }
    if (p->naggregators < 0 || (p->naggregators > 0 && p->aggregators == NULL) || p->nparams < 0 ||
        (p->nparams > 0 && p->params == NULL)) {
        snprintf(err, errlen, "%s: aggregator or parameter table is inconsistent", name);
        return AMLS_ERR_VPROG;
    }
    for (int i = 0; i < p->naggregators; i++) {
        const amls_aggregator *a = &p->aggregators[i];
        if ((a->op != AMLS_OP_SUM && a->op != AMLS_OP_MIN && a->op != AMLS_OP_MAX) ||
            (a->type != AMLS_TYPE_I64 && a->type != AMLS_TYPE_F64)) {
            snprintf(err, errlen, "%s: aggregator %d needs op SUM/MIN/MAX and type I64/F64", name,
                     i);
            return AMLS_ERR_VPROG;
        }
    }
    for (int i = 0; i < p->nparams; i++)
        if (p->params[i].name == NULL || p->params[i].type < AMLS_PARAM_INT ||
            p->params[i].type > AMLS_PARAM_VERTEX) {
            snprintf(err, errlen, "%s: parameter %d has no name or an unknown type", name, i);
            return AMLS_ERR_VPROG;
        }
    if (p->format == NULL && p->result_type != AMLS_TYPE_I64 && p->result_type != AMLS_TYPE_F64 &&
        p->result_type != 0) {
        snprintf(err, errlen, "%s: result_type must be I64 or F64", name);
        return AMLS_ERR_VPROG;
    }
    return AMLS_OK;
}

/* ---- parameters ---------------------------------------------------------------------------- */

static int parse_params(amls_ctx *cx, const char *const *vals)
{
    const amls_vprog *p = cx->p;
    for (int i = 0; i < p->nparams; i++) {
        const amls_param *d = &p->params[i];
        const char *v = vals && vals[i] ? vals[i] : d->def;
        if (v == NULL)
            return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s is required (%s)", p->name,
                              d->name, d->help ? d->help : "");
        char *end = NULL;
        errno = 0;
        switch (d->type) {
        case AMLS_PARAM_INT:
        case AMLS_PARAM_VERTEX:
            cx->par[i].i = strtoll(v, &end, 10);
            if (*v == '\0' || *end != '\0' || errno)
                return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s expects an integer, got '%s'",
                                  p->name, d->name, v);
            break;
        case AMLS_PARAM_FLOAT:
            cx->par[i].f = strtod(v, &end);
            if (*v == '\0' || *end != '\0')
                return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s expects a number, got '%s'",
                                  p->name, d->name, v);
            break;
        case AMLS_PARAM_BOOL:
            if (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
                cx->par[i].i = 1;
            else if (!strcasecmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
                cx->par[i].i = 0;
            else
                return amls_error(AMLS_ERR_PARAM,
                                  "%s: parameter --%s expects true or false, got '%s'", p->name,
                                  d->name, v);
            break;
        default:
            cx->par[i].s = v;
            break;
        }
    }
    return AMLS_OK;
}

/* Every VERTEX parameter must name a vertex of the graph. Collective. */
static int check_vertex_params(amls_ctx *cx)
{
    for (int i = 0; i < cx->p->nparams; i++) {
        if (cx->p->params[i].type != AMLS_PARAM_VERTEX)
            continue;
        int64_t gid = -1;
        int rc = amls_graph_find(cx->g, cx->par[i].i, &gid);
        if (rc < 0)
            return rc;
        if (gid < 0)
            return amls_agree(
                cx->g->comm,
                cx->g->rank == 0
                    ? amls_error(AMLS_ERR_NOT_FOUND, "%s: --%s %lld: no such vertex in the graph",
                                 cx->p->name, cx->p->params[i].name, (long long)cx->par[i].i)
                    : AMLS_ERR_NOT_FOUND,
                NULL);
    }
    return AMLS_OK;
}

/* ---- context -------------------------------------------------------------------------------- */

static void ctx_free(amls_ctx *cx)
{
    if (cx == NULL)
        return;
    amls__free(cx->halted);
    amls__free(cx->nval);
    amls__free(cx->ival);
    amls__free(cx->nhas);
    amls__free(cx->ihas);
    amls__free(cx->nlist);
    amls__free(cx->ilist);
    amls__free(cx->alive);
    amls__free(cx->woken);
    amls__free(cx->cand);
    amls__free(cx->mark);
    amls__vec_free(&cx->lrec);
    if (cx->raw)
        for (int p = 0; p < cx->g->nranks; p++)
            amls__vec_free(&cx->raw[p]);
    amls__free(cx->raw);
    amls__free(cx->ghost_owner);
    amls__free(cx->ioff);
    amls__free(cx->idata);
    amls__free(cx->pub);
    amls__free(cx->pub_next);
    amls__free(cx->pub_has);
    amls__free(cx->pub_next_has);
    amls__vec_free(&cx->vpub);
    amls__vec_free(&cx->vpub_next);
    amls__free(cx->vpub_off);
    amls__free(cx->vpub_len);
    amls__free(cx->vpub_next_off);
    amls__free(cx->vpub_next_len);
    amls__free(cx->agg_cur);
    amls__free(cx->agg_part);
    amls__free(cx->par);
    amls__free(cx);
}

static int ctx_new(amls_graph *g, const amls_vprog *p, const amls_run_opts *o, amls_ctx **out)
{
    int rc = AMLS_OK;
    amls_ctx *cx = NULL;
    *out = NULL;
    AMLS_CALLOC(cx, 1);
    cx->api = amls_engine_api();
    cx->g = g;
    cx->p = p;
    int64_t nl = g->n_local, nt = g->n_local + g->n_ghost;
    cx->msz = p->msg_size;
    cx->rsz = sizeof(uint32_t) + p->msg_size;
    cx->kind = o->no_combiner ? 0 : amls__combine_kind(&p->combiner);
    amls__vec_init(&cx->lrec, 1);
    amls__vec_init(&cx->vpub, 1);
    amls__vec_init(&cx->vpub_next, 1);
    AMLS_CALLOC(cx->halted, nl + 1);
    AMLS_CALLOC(cx->raw, g->nranks);
    for (int q = 0; q < g->nranks; q++)
        amls__vec_init(&cx->raw[q], 1);
    AMLS_ALLOC(cx->ghost_owner, g->n_ghost + 1);
    for (int q = 0; q < g->nranks; q++)
        for (int64_t k = g->recv_off[q]; k < g->recv_off[q + 1]; k++)
            cx->ghost_owner[k] = q;
    if (cx->kind != 0) {
        AMLS_ALLOC(cx->nval, (size_t)nt * cx->msz + 1);
        AMLS_ALLOC(cx->ival, (size_t)nt * cx->msz + 1);
        AMLS_CALLOC(cx->nhas, nt + 1);
        AMLS_CALLOC(cx->ihas, nt + 1);
        AMLS_ALLOC(cx->nlist, nt + 1);
        AMLS_ALLOC(cx->ilist, nt + 1);
    }
    AMLS_ALLOC(cx->alive, nl + 1);
    AMLS_ALLOC(cx->woken, nl + 1);
    AMLS_ALLOC(cx->cand, nl + 1);
    AMLS_CALLOC(cx->mark, nl + 1);
    AMLS_CALLOC(cx->ioff, nl + 2);
    if (p->pub_size == AMLS_PUB_VARIABLE) {
        AMLS_ALLOC(cx->vpub_off, nt + 1);
        AMLS_ALLOC(cx->vpub_len, nt + 1);
        AMLS_ALLOC(cx->vpub_next_off, nl + 1);
        AMLS_ALLOC(cx->vpub_next_len, nl + 1);
        for (int64_t i = 0; i < nt; i++)
            cx->vpub_len[i] = -1;
        for (int64_t i = 0; i < nl; i++)
            cx->vpub_next_len[i] = -1;
    } else if (p->pub_size > 0) {
        cx->psz = p->pub_size;
        AMLS_ALLOC(cx->pub, (size_t)nt * cx->psz + 1);
        AMLS_ALLOC(cx->pub_next, (size_t)nl * cx->psz + 1);
        AMLS_CALLOC(cx->pub_has, nt + 1);
        AMLS_CALLOC(cx->pub_next_has, nl + 1);
    }
    AMLS_CALLOC(cx->agg_cur, p->naggregators + 1);
    AMLS_CALLOC(cx->agg_part, p->naggregators + 1);
    /* Partials start from the identity of their op (a MIN starts at +inf, not 0); what vertices
     * read before any reduction is 0, or the identity for a persistent aggregator, which
     * accumulates into it. */
    for (int i = 0; i < p->naggregators; i++) {
        cx->agg_part[i] = amls__agg_identity(&p->aggregators[i]);
        cx->agg_cur[i] = p->aggregators[i].persistent ? cx->agg_part[i] : (amls__aggval){0};
    }
    AMLS_CALLOC(cx->par, p->nparams + 1);
    AMLS_TRY(parse_params(cx, o->param_values));
    *out = cx;
    cx = NULL;
cleanup:
    ctx_free(cx);
    return rc;
}

/* ---- message exchange ----------------------------------------------------------------------- */

/* Combines msg into next-inbox slot t (an owned vertex), remembering newly set slots. */
static inline void inbox_put(amls_ctx *cx, int64_t t, const char *msg)
{
    char *acc = cx->nval + (size_t)t * cx->msz;
    if (cx->nhas[t]) {
        amls__combine(cx, acc, msg);
    } else {
        memcpy(acc, msg, cx->msz);
        cx->nhas[t] = 1;
        cx->nlist[cx->nlist_len++] = t;
    }
}

/* Per-peer segment: [nset u64][nraw u64][mode u64] then, with a combiner, either a bitmap over
 * the peer's ghosts in plan order followed by the values of the set bits (mode 0), or
 * (position in the plan u32, value) pairs (mode 1, when few are set); then the raw records. */
static int exchange_messages(amls_ctx *cx, int64_t *bytes_out)
{
    int rc = AMLS_OK;
    amls_graph *g = cx->g;
    int R = g->nranks, me = g->rank;
    int64_t nl = g->n_local;
    bool comb = cx->kind != 0;
    size_t msz = cx->msz;
    int64_t *scnt = NULL, *rcnt = NULL, *soff = NULL, *nset = NULL, *fill = NULL, out_bytes = 0;
    uint8_t *mode = NULL;
    char *send = NULL, *recv = NULL;
    AMLS_CALLOC(scnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(soff, R + 1);
    AMLS_CALLOC(nset, R);
    AMLS_CALLOC(fill, R);
    AMLS_CALLOC(mode, R);
    if (comb)
        for (int64_t q = 0; q < cx->nlist_len; q++)
            if (cx->nlist[q] >= nl)
                nset[cx->ghost_owner[cx->nlist[q] - nl]]++;
    for (int q = 0; q < R; q++) {
        int64_t ng = g->recv_off[q + 1] - g->recv_off[q], seg = 24 + (int64_t)cx->raw[q].len;
        if (comb && q != me) {
            mode[q] = nset[q] * 4 < (ng + 7) / 8; /* sparse pairs are smaller */
            seg += mode[q] ? nset[q] * (int64_t)(4 + msz) : (ng + 7) / 8 + nset[q] * (int64_t)msz;
        }
        scnt[q] = (q == me && cx->raw[q].len == 0) ? 0 : seg;
        soff[q + 1] = soff[q] + scnt[q];
    }
    AMLS_ALLOC(send, soff[R] + 1);
    for (int q = 0; q < R; q++) {
        if (scnt[q] == 0)
            continue;
        char *sg = send + soff[q];
        uint64_t hdr[3] = {(uint64_t)(comb && q != me ? nset[q] : 0), cx->raw[q].len / cx->rsz,
                           mode[q]};
        memcpy(sg, hdr, 24);
        int64_t ng = g->recv_off[q + 1] - g->recv_off[q];
        char *body = sg + 24, *rawp = body;
        if (comb && q != me && mode[q] == 0) {
            memset(body, 0, (size_t)(ng + 7) / 8);
            char *vals = body + (ng + 7) / 8;
            int64_t j = 0;
            for (int64_t k = 0; k < ng && j < nset[q]; k++) {
                int64_t t = nl + g->recv_off[q] + k;
                if (cx->nhas[t]) {
                    body[k / 8] |= (char)(1u << (k % 8));
                    memcpy(vals + (size_t)j++ * msz, cx->nval + (size_t)t * msz, msz);
                }
            }
            rawp = vals + (size_t)nset[q] * msz;
        } else if (comb && q != me) {
            rawp = body + (size_t)nset[q] * (4 + msz);
        }
        if (cx->raw[q].len > 0)
            memcpy(rawp, cx->raw[q].data, cx->raw[q].len);
        cx->raw[q].len = 0;
    }
    if (comb) /* sparse pairs, in the order the slots were set */
        for (int64_t q = 0; q < cx->nlist_len; q++) {
            int64_t t = cx->nlist[q];
            if (t < nl)
                continue;
            int p = cx->ghost_owner[t - nl];
            if (p == me || mode[p] == 0)
                continue;
            char *pr = send + soff[p] + 24 + (size_t)fill[p]++ * (4 + msz);
            uint32_t at = (uint32_t)(t - nl - g->recv_off[p]);
            memcpy(pr, &at, 4);
            memcpy(pr + 4, cx->nval + (size_t)t * msz, msz);
        }
    out_bytes = soff[R] - scnt[me];
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t total = 0;
    rc = amls__alltoallv_bytes(g->comm, send, scnt, (void **)&recv, rcnt, &total);
    if (rc < 0)
        goto out;
    *bytes_out = out_bytes;
    if (comb) {
        int64_t off = 0;
        for (int q = 0; q < R; q++) {
            if (rcnt[q] == 0)
                continue;
            const char *sg = recv + off;
            uint64_t hdr[3];
            memcpy(hdr, sg, 24);
            const char *body = sg + 24, *rawp = body;
            if (q != me && hdr[2] == 0) {
                int64_t ns = g->send_off[q + 1] - g->send_off[q];
                const char *vals = body + (ns + 7) / 8;
                uint64_t j = 0;
                for (int64_t k = 0; k < ns && j < hdr[0]; k++)
                    if (body[k / 8] & (1u << (k % 8)))
                        inbox_put(cx, g->send_idx[g->send_off[q] + k], vals + j++ * msz);
                rawp = vals + hdr[0] * msz;
            } else if (q != me) {
                for (uint64_t j = 0; j < hdr[0]; j++) {
                    uint32_t at;
                    memcpy(&at, body + j * (4 + msz), 4);
                    inbox_put(cx, g->send_idx[g->send_off[q] + at], body + j * (4 + msz) + 4);
                }
                rawp = body + hdr[0] * (4 + msz);
            }
            for (uint64_t r = 0; r < hdr[1]; r++) {
                uint32_t t;
                memcpy(&t, rawp + r * cx->rsz, 4);
                inbox_put(cx, t, rawp + r * cx->rsz + 4);
            }
            off += rcnt[q];
        }
        /* Swap: the slots filled this superstep become the inbox; clear the old inbox's flags
         * through its list. */
        char *tv = cx->ival;
        cx->ival = cx->nval;
        cx->nval = tv;
        uint8_t *th = cx->ihas;
        cx->ihas = cx->nhas;
        cx->nhas = th;
        int64_t *tl = cx->ilist;
        cx->ilist = cx->nlist;
        cx->nlist = tl;
        int64_t tn = cx->ilist_len;
        cx->ilist_len = cx->nlist_len;
        cx->nlist_len = tn;
        int64_t nt = nl + g->n_ghost;
        if (cx->nlist_len > nt / 16) /* many set: a sweep beats scattered stores */
            memset(cx->nhas, 0, (size_t)nt);
        else
            for (int64_t q = 0; q < cx->nlist_len; q++)
                cx->nhas[cx->nlist[q]] = 0;
        cx->nlist_len = 0;
    } else {
        /* Counting sort of all records by target; the targets become the woken list. */
        int64_t nrec = (int64_t)(cx->lrec.len / cx->rsz), off = 0;
        for (int q = 0; q < R; q++) {
            if (rcnt[q] == 0)
                continue;
            uint64_t hdr[3];
            memcpy(hdr, recv + off, 24);
            nrec += (int64_t)hdr[1];
            off += rcnt[q];
        }
        memset(cx->ioff, 0, (size_t)(nl + 2) * sizeof *cx->ioff);
        amls__free(cx->idata);
        cx->idata = amls__malloc((size_t)nrec * msz + 1, 1);
        int64_t *pos = amls__malloc((size_t)nl + 1, sizeof *pos);
        if (cx->idata == NULL || pos == NULL) {
            amls__free(pos);
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory receiving %lld messages",
                            (long long)nrec);
            goto agree;
        }
        cx->nwoken = 0;
        for (int pass = 0; pass < 2; pass++) {
            off = 0;
            for (int src = -1; src < R; src++) {
                const char *recs;
                uint64_t nr;
                if (src < 0) {
                    recs = cx->lrec.data;
                    nr = cx->lrec.len / cx->rsz;
                } else {
                    if (rcnt[src] == 0)
                        continue;
                    uint64_t hdr[3];
                    memcpy(hdr, recv + off, 24);
                    nr = hdr[1];
                    recs = recv + off + 24;
                    off += rcnt[src];
                }
                for (uint64_t r = 0; r < nr; r++) {
                    uint32_t t;
                    memcpy(&t, recs + r * cx->rsz, 4);
                    if (pass == 0) {
                        if (cx->ioff[t + 1]++ == 0)
                            cx->woken[cx->nwoken++] = t;
                    } else {
                        memcpy(cx->idata + (size_t)pos[t]++ * msz, recs + r * cx->rsz + 4, msz);
                    }
                }
            }
            if (pass == 0) {
                for (int64_t i = 0; i < nl; i++)
                    cx->ioff[i + 1] += cx->ioff[i];
                memcpy(pos, cx->ioff, (size_t)nl * sizeof *pos);
            }
        }
        amls__free(pos);
        cx->lrec.len = 0;
    }
agree:
    rc = amls_agree(g->comm, rc, NULL);
out:
    amls__free(scnt);
    amls__free(rcnt);
    amls__free(soff);
    amls__free(nset);
    amls__free(fill);
    amls__free(mode);
    amls__free(send);
    amls__free(recv);
    return rc;
}

/* The vertices to run in this superstep, in ascending order: every vertex at superstep 0 (or
 * first after a restart), else the ones not halted plus the ones with messages. Ascending
 * order keeps combining, and so floating-point results, independent of history. */
static int select_candidates(amls_ctx *cx, bool all, bool *dense)
{
    int64_t nl = cx->g->n_local;
    cx->ncand = 0;
    const int64_t *w = cx->kind != 0 ? cx->ilist : cx->woken;
    int64_t nw = cx->kind != 0 ? cx->ilist_len : cx->nwoken;
    /* Many candidates: scan every vertex (cheaper than building an ordered list). */
    *dense = all || cx->nalive + nw > nl / 8;
    if (*dense)
        return AMLS_OK;
    for (int64_t q = 0; q < cx->nalive; q++)
        if (!cx->mark[cx->alive[q]]) {
            cx->mark[cx->alive[q]] = 1;
            cx->cand[cx->ncand++] = cx->alive[q];
        }
    for (int64_t q = 0; q < nw; q++)
        if (w[q] < nl && !cx->mark[w[q]]) {
            cx->mark[w[q]] = 1;
            cx->cand[cx->ncand++] = w[q];
        }
    if (cx->ncand > nl / 16) {
        int64_t k = 0;
        for (int64_t v = 0; v < nl; v++)
            if (cx->mark[v]) {
                cx->mark[v] = 0;
                cx->cand[k++] = v;
            }
        cx->ncand = k;
        return AMLS_OK;
    }
    for (int64_t q = 0; q < cx->ncand; q++)
        cx->mark[cx->cand[q]] = 0;
    return amls__sort_u64((uint64_t *)cx->cand, NULL, (size_t)cx->ncand);
}

/* After a restore: alive = not halted; inbox lists from the restored flags/offsets. */
static void rebuild_lists(amls_ctx *cx)
{
    int64_t nl = cx->g->n_local;
    cx->nalive = 0;
    for (int64_t v = 0; v < nl; v++)
        if (!cx->halted[v])
            cx->alive[cx->nalive++] = v;
    cx->ilist_len = cx->nwoken = 0;
    for (int64_t v = 0; v < nl; v++) {
        if (cx->kind != 0 && cx->ihas[v])
            cx->ilist[cx->ilist_len++] = v;
        if (cx->kind == 0 && cx->ioff[v + 1] > cx->ioff[v])
            cx->woken[cx->nwoken++] = v;
    }
}

/* ---- published values ------------------------------------------------------------------------ */

int amls__exchange_published(amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls_graph *g = cx->g;
    int64_t nl = g->n_local;
    if (cx->p->pub_size != AMLS_PUB_VARIABLE) {
        memcpy(cx->pub, cx->pub_next, (size_t)nl * cx->psz);
        memcpy(cx->pub_has, cx->pub_next_has, (size_t)nl);
        rc = amls__plan_gather(g, cx->pub, cx->psz);
        if (rc == AMLS_OK)
            rc = amls__plan_gather(g, cx->pub_has, 1);
        return rc;
    }
    /* Variable size: owned blobs become current; ghosts get theirs as [len u64][bytes]. */
    int R = g->nranks;
    int64_t *scnt = NULL, *rcnt = NULL;
    char *send = NULL, *recv = NULL;
    amls__vec nv;
    amls__vec_init(&nv, 1);
    AMLS_CALLOC(scnt, R);
    AMLS_CALLOC(rcnt, R);
    int64_t tot = 0;
    for (int q = 0; q < R; q++) {
        for (int64_t k = g->send_off[q]; k < g->send_off[q + 1]; k++) {
            int64_t l = cx->vpub_next_len[g->send_idx[k]];
            scnt[q] += 8 + (l > 0 ? l : 0);
        }
        tot += scnt[q];
    }
    AMLS_ALLOC(send, tot + 1);
    {
        char *s = send;
        for (int64_t k = 0; k < g->send_off[R]; k++) {
            uint32_t v = g->send_idx[k];
            int64_t l = cx->vpub_next_len[v];
            memcpy(s, &l, 8);
            s += 8;
            if (l > 0) {
                memcpy(s, (char *)cx->vpub_next.data + cx->vpub_next_off[v], (size_t)l);
                s += l;
            }
        }
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t got = 0;
    rc = amls__alltoallv_bytes(g->comm, send, scnt, (void **)&recv, rcnt, &got);
    if (rc < 0)
        goto out;
    {
        /* New current buffer: owned blobs, then ghost blobs. */
        int lrc = amls__vec_reserve(&nv, cx->vpub_next.len + (size_t)got + 1);
        if (lrc == AMLS_OK) {
            for (int64_t v = 0; v < nl; v++) {
                int64_t l = cx->vpub_next_len[v];
                cx->vpub_len[v] = l;
                cx->vpub_off[v] = (int64_t)nv.len;
                if (l > 0) {
                    memcpy((char *)nv.data + nv.len,
                           (char *)cx->vpub_next.data + cx->vpub_next_off[v], (size_t)l);
                    nv.len += (size_t)l;
                }
            }
            const char *r = recv;
            for (int64_t k = 0; k < g->n_ghost; k++) {
                int64_t l;
                memcpy(&l, r, 8);
                r += 8;
                cx->vpub_len[nl + k] = l;
                cx->vpub_off[nl + k] = (int64_t)nv.len;
                if (l > 0) {
                    memcpy((char *)nv.data + nv.len, r, (size_t)l);
                    nv.len += (size_t)l;
                    r += l;
                }
            }
            amls__vec_free(&cx->vpub);
            cx->vpub = nv;
            amls__vec_init(&nv, 1);
            /* Blobs persist: re-base next-step offsets onto a fresh copy of the owned part. */
            cx->vpub_next.len = 0;
            for (int64_t v = 0; v < nl; v++)
                if (cx->vpub_next_len[v] > 0 && lrc == AMLS_OK) {
                    size_t l = (size_t)cx->vpub_next_len[v];
                    lrc = amls__vec_reserve(&cx->vpub_next, cx->vpub_next.len + l);
                    if (lrc == AMLS_OK) {
                        memcpy((char *)cx->vpub_next.data + cx->vpub_next.len,
                               (char *)cx->vpub.data + cx->vpub_off[v], l);
                        cx->vpub_next_off[v] = (int64_t)cx->vpub_next.len;
                        cx->vpub_next.len += l;
                    }
                }
        }
        rc = amls_agree(g->comm, lrc, NULL);
    }
out:
    amls__vec_free(&nv);
    amls__free(scnt);
    amls__free(rcnt);
    amls__free(send);
    amls__free(recv);
    return rc;
}

/* ---- the loop ---------------------------------------------------------------------------------
 */

static int reduce_aggregators(amls_ctx *cx)
{
    const amls_vprog *p = cx->p;
    for (int i = 0; i < p->naggregators; i++) {
        const amls_aggregator *a = &p->aggregators[i];
        MPI_Op op = a->op == AMLS_OP_SUM ? MPI_SUM : a->op == AMLS_OP_MIN ? MPI_MIN : MPI_MAX;
        amls__aggval red = cx->agg_part[i];
        if (a->type == AMLS_TYPE_F64) {
            /* Identical on every rank, so master steps decide alike everywhere. */
            int arc = amls__allreduce_same(cx->g->comm, &red.f, 1, op);
            if (arc < 0)
                return arc;
        } else if (MPI_Allreduce(&cx->agg_part[i], &red, 1, MPI_INT64_T, op, cx->g->comm) !=
                   MPI_SUCCESS) {
            return amls_error(AMLS_ERR_MPI, "MPI_Allreduce of aggregator %s failed", a->name);
        }
        if (a->persistent)
            amls__agg_combine(a, &cx->agg_cur[i], red);
        else
            cx->agg_cur[i] = red;
        cx->agg_part[i] = amls__agg_identity(a); /* the next superstep's partial */
    }
    return AMLS_OK;
}

static void write_stats_json(const amls_run *r, const amls_run_opts *o, const double *rank_times,
                             int nranks)
{
    FILE *f = fopen(o->stats_path, "w");
    if (f == NULL)
        return;
    fprintf(f,
            "{\n  \"program\": \"%s\",\n  \"ranks\": %d,\n  \"vertices\": %lld,\n"
            "  \"edges\": %lld,\n  \"supersteps\": %lld,\n  \"seconds\": %.6f,\n"
            "  \"messages\": %lld,\n  \"bytes\": %lld,\n  \"per_superstep\": [\n",
            r->p->name, nranks, (long long)r->g->n, (long long)r->g->edges,
            (long long)r->supersteps, r->seconds, (long long)r->messages, (long long)r->bytes);
    for (int64_t s = 0; s < r->nsteps; s++) {
        const amls_superstep_stats *st = &r->steps[s];
        fprintf(f,
                "    {\"superstep\": %lld, \"computed\": %lld, \"active\": %lld, \"messages\": "
                "%lld, \"bytes\": %lld, \"seconds\": %.6f}%s\n",
                (long long)s, (long long)st->computed, (long long)st->active,
                (long long)st->messages, (long long)st->bytes, st->seconds,
                s + 1 < r->nsteps ? "," : "");
    }
    fprintf(f, "  ],\n  \"per_rank\": [\n");
    for (int q = 0; q < nranks; q++)
        fprintf(f, "    {\"rank\": %d, \"compute_seconds\": %.6f, \"comm_seconds\": %.6f}%s\n", q,
                rank_times[2 * q], rank_times[2 * q + 1], q + 1 < nranks ? "," : "");
    fprintf(f, "  ]\n}\n");
    fclose(f);
}

int amls_run_program(amls_graph *g, const amls_vprog *p, const amls_run_opts *opts, amls_run **out)
{
    int rc = AMLS_OK;
    amls_run_opts o = {0};
    if (opts)
        o = *opts;
    amls_ctx *cx = NULL;
    amls_run *r = NULL;
    amls__vec steps;
    amls__vec_init(&steps, sizeof(amls_superstep_stats));
    FILE *prog = o.progress ? o.progress : stdout;
    char why[256] = "";
    *out = NULL;
    rc = amls_vprog_check(p, why, sizeof why);
    if (rc < 0)
        rc = amls_error(rc, "%s", why);
    if (rc == AMLS_OK && (p->flags & AMLS_NEED_IN_EDGES) && g->directed && g->in_ptr == NULL)
        rc = amls_error(AMLS_ERR_VPROG, "%s needs in-edges but the graph was built without them",
                        p->name);
    if (rc == AMLS_OK)
        rc = ctx_new(g, p, &o, &cx);
    if (rc == AMLS_OK) {
        r = amls__calloc(1, sizeof *r);
        if (r == NULL)
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
        else {
            r->g = g;
            r->p = p;
            r->state = amls__calloc((size_t)g->n_local + 1, p->state_size);
            if (r->state == NULL)
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory for vertex states");
        }
    }
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto done;
    AMLS_TRY(check_vertex_params(cx));
    cx->state = r->state;
    /* The parameters as used: checkpoints are tied to them. */
    for (int i = 0, at = 0; i < p->nparams && at < (int)sizeof r->params - 1; i++) {
        const char *v = o.param_values && o.param_values[i] ? o.param_values[i] : p->params[i].def;
        at += snprintf(r->params + at, sizeof r->params - (size_t)at, "%s%s=%s", i ? " " : "",
                       p->params[i].name, v ? v : "");
    }
    if (p->setup)
        rc = p->setup(cx);
    if (rc == AMLS_OK && p->init && o.restart_dir == NULL)
        for (int64_t v = 0; v < g->n_local && rc >= 0; v++)
            rc = p->init(cx, v, r->state + (size_t)v * p->state_size);
    rc = amls_agree(g->comm, rc < 0 ? rc : AMLS_OK, NULL);
    if (rc < 0)
        goto done;
    int64_t start = 0;
    if (o.restart_dir)
        AMLS_TRY(amls__ckpt_restore(cx, &o, r->params, &start));
    r->first_superstep = start;
    int64_t maxs = o.max_supersteps > 0 ? o.max_supersteps : p->max_supersteps;
    double t_run = amls__now(), t_comp = 0, t_comm = 0;
    bool comb = cx->kind != 0;
    if (o.restart_dir)
        rebuild_lists(cx);
    for (cx->step = start;; cx->step++) {
        if (o.on_superstep)
            o.on_superstep(o.hook_ud, cx->step, g->rank);
        double t0 = amls__now();
        int64_t computed = 0;
        bool dense = false;
        int lrc = select_candidates(cx, cx->step == 0, &dense);
        cx->sent = 0;
        cx->published = 0;
        cx->nalive = 0;
        int64_t nrun = dense ? g->n_local : cx->ncand;
        for (int64_t q = 0; q < nrun && lrc == AMLS_OK; q++) {
            int64_t v = dense ? q : cx->cand[q];
            const void *msgs;
            int64_t nm;
            if (comb) {
                nm = cx->step > 0 && cx->ihas[v] ? 1 : 0;
                msgs = cx->ival + (size_t)v * cx->msz;
            } else {
                nm = cx->step > 0 ? cx->ioff[v + 1] - cx->ioff[v] : 0;
                msgs = cx->idata ? (const void *)(cx->idata + (size_t)cx->ioff[v] * cx->msz) : NULL;
            }
            if (cx->halted[v] && nm == 0)
                continue;
            cx->halted[v] = 0;
            computed++;
            lrc = p->compute(cx, v, r->state + (size_t)v * p->state_size, nm ? msgs : NULL, nm);
            if (!cx->halted[v])
                cx->alive[cx->nalive++] = v;
        }
        double t1 = amls__now();
        int64_t bytes = 0;
        /* Stats and error flag in one reduction: computed, active, sent, error, published. */
        int64_t active = cx->nalive;
        int64_t loc[5] = {computed, active, cx->sent, lrc < 0, cx->published}, glob[5];
        AMLS_MPI_TRY(MPI_Allreduce(loc, glob, 5, MPI_INT64_T, MPI_SUM, g->comm));
        if (glob[3] > 0) {
            rc = amls_agree(g->comm, lrc < 0 ? lrc : AMLS_OK, NULL);
            goto done;
        }
        AMLS_TRY(exchange_messages(cx, &bytes));
        if (glob[4] > 0)
            AMLS_TRY(amls__exchange_published(cx));
        AMLS_TRY(reduce_aggregators(cx));
        int64_t gbytes = 0;
        AMLS_MPI_TRY(MPI_Allreduce(&bytes, &gbytes, 1, MPI_INT64_T, MPI_SUM, g->comm));
        cx->halt_req = false;
        if (p->master) {
            int mrc = p->master(cx);
            AMLS_TRY(amls_agree(g->comm, mrc < 0 ? mrc : AMLS_OK, NULL));
        }
        double t2 = amls__now();
        t_comp += t1 - t0;
        t_comm += t2 - t1;
        amls_superstep_stats st = {glob[0], glob[1], glob[2], gbytes, t2 - t0};
        AMLS_TRY(amls__vec_push(&steps, &st));
        r->messages += glob[2];
        r->bytes += gbytes;
        if (!o.quiet && g->rank == 0) {
            fprintf(prog,
                    "superstep %lld: computed %lld, active %lld, messages %lld, bytes %lld, "
                    "%.4f s\n",
                    (long long)cx->step, (long long)glob[0], (long long)glob[1], (long long)glob[2],
                    (long long)gbytes, t2 - t0);
            fflush(prog);
        }
        bool finished =
            (glob[1] == 0 && glob[2] == 0) || cx->halt_req || (maxs > 0 && cx->step + 1 >= maxs);
        if (!finished && o.checkpoint_every > 0 && o.checkpoint_dir &&
            (cx->step + 1) % o.checkpoint_every == 0)
            AMLS_TRY(amls__ckpt_write(cx, &o, r->params, cx->step + 1));
        if (finished)
            break;
    }
    r->supersteps = cx->step + 1;
    r->seconds = amls__now() - t_run;
    r->compute_seconds = t_comp;
    r->comm_seconds = t_comm;
    r->nsteps = (int64_t)steps.len;
    r->steps = amls__vec_steal(&steps);
    if (o.stats_path) {
        double mine[2] = {t_comp, t_comm};
        double *all = g->rank == 0 ? amls__malloc(2 * (size_t)g->nranks, sizeof *all) : NULL;
        MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, g->comm);
        if (g->rank == 0 && all)
            write_stats_json(r, &o, all, g->nranks);
        amls__free(all);
    }
cleanup:
done:
    if (cx && p->finalize)
        p->finalize(cx);
    rc = amls_agree(g->comm, rc, NULL);
    ctx_free(cx);
    amls__vec_free(&steps);
    if (rc < 0)
        amls_run_free(&r);
    *out = r;
    return rc;
}

void amls_run_free(amls_run **rp)
{
    if (rp == NULL || *rp == NULL)
        return;
    amls__free((*rp)->state);
    amls__free((*rp)->steps);
    amls__free(*rp);
    *rp = NULL;
}

/* ---- output -------------------------------------------------------------------------------- */

int amls_format_value(const amls_vprog *p, const void *state, char *buf, size_t cap)
{
    if (p->format)
        return p->format(state, buf, cap);
    if (p->result_type == AMLS_TYPE_F64) {
        double x;
        memcpy(&x, state, sizeof x);
        if (isinf(x))
            return snprintf(buf, cap, "%s", x > 0 ? "infinity" : "-infinity");
        return snprintf(buf, cap, "%.14e", x); /* 15 significant digits */
    }
    int64_t i;
    memcpy(&i, state, sizeof i);
    return snprintf(buf, cap, "%lld", (long long)i);
}

int amls_run_write(const amls_run *r, const char *path, bool as_dir)
{
    int rc = AMLS_OK;
    const amls_graph *g = r->g;
    char *ordered = NULL;
    amls_vid *origs = NULL;
    amls__vec txt;
    amls__vec_init(&txt, 1);
    rc = amls__to_dense_order(g, r->state, r->p->state_size, (void **)&ordered);
    if (rc < 0)
        goto out;
    rc = amls__to_dense_order(g, g->orig, sizeof *origs, (void **)&origs);
    if (rc < 0)
        goto out;
    {
        int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank];
        int lrc = amls__vec_reserve(&txt, (size_t)nb * 32 + 64);
        for (int64_t i = 0; i < nb && lrc == AMLS_OK; i++) {
            char line[512];
            int n = snprintf(line, sizeof line, "%lld ", (long long)origs[i]);
            int m = amls_format_value(r->p, ordered + (size_t)i * r->p->state_size, line + n,
                                      sizeof line - (size_t)n - 1);
            if (m < 0 || (size_t)(n + m) >= sizeof line - 1)
                m = (int)(sizeof line - (size_t)n - 2);
            line[n + m] = '\n';
            size_t len = (size_t)(n + m + 1);
            if (txt.len + len > txt.cap)
                lrc = amls__vec_reserve(&txt, 2 * txt.cap + len);
            if (lrc == AMLS_OK) {
                memcpy((char *)txt.data + txt.len, line, len);
                txt.len += len;
            }
        }
        rc = amls_agree(g->comm, lrc, NULL);
    }
    if (rc == AMLS_OK)
        rc = amls_write_text(g->comm, path, txt.data, txt.len, as_dir);
out:
    amls__free(ordered);
    amls__free(origs);
    amls__vec_free(&txt);
    return rc;
}

int amls_run_gather(const amls_run *r, int root, double **f64, int64_t **i64)
{
    const amls_graph *g = r->g;
    int64_t *first = NULL, *all = NULL;
    double *af = NULL;
    int64_t *ai = NULL;
    if (f64)
        *f64 = NULL;
    if (i64)
        *i64 = NULL;
    /* The result is the state's first 8 bytes; root's output arrays are allocated before the
     * gather so that every rank agrees on a failure. */
    first = amls__malloc((size_t)g->n_local + 1, sizeof *first);
    if (g->rank == root) {
        af = amls__malloc((size_t)g->n + 1, sizeof *af);
        ai = amls__malloc((size_t)g->n + 1, sizeof *ai);
    }
    bool ok = first && (g->rank != root || (af && ai));
    int rc = amls_agree(g->comm, ok ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    if (rc == AMLS_OK) {
        for (int64_t i = 0; i < g->n_local; i++)
            memcpy(&first[i], r->state + (size_t)i * r->p->state_size, sizeof *first);
        rc = amls__gather_dense(g, root, first, sizeof *first, (void **)&all);
    }
    amls__free(first);
    if (rc < 0 || g->rank != root) {
        amls__free(af);
        amls__free(ai);
        return rc;
    }
    for (int64_t i = 0; i < g->n; i++) {
        if (r->p->result_type == AMLS_TYPE_F64) {
            memcpy(&af[i], &all[i], sizeof af[i]);
            ai[i] = (int64_t)af[i];
        } else {
            ai[i] = all[i];
            af[i] = (double)ai[i];
        }
    }
    amls__free(all);
    if (f64)
        *f64 = af;
    else
        amls__free(af);
    if (i64)
        *i64 = ai;
    else
        amls__free(ai);
    return AMLS_OK;
}
