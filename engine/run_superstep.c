/* ---------------------------------------------------------------------------------------------
 * engine/run_superstep.c — the bulk-synchronous loop (Pregel, Malewicz et al., SIGMOD 2010).
 * SPDX-License-Identifier: MIT
 *
 * A superstep runs compute() on the candidate vertices, then one reduction (run_step.c) of
 * every rank's record decides what follows: it carries the counts, the error flag, the
 * aggregator partials and who sends to whom, so agreement on a failed compute phase, the
 * aggregates and the halting test cost no extra collective. Then messages sent by original id
 * are routed, requests answered, messages delivered point-to-point (pushed or pulled,
 * run_pull.c) and published values exchanged, and the master step runs on every rank; its
 * decisions, hashed, ride on the next reduction, which finds ranks that decided differently. A
 * local failure after the reduction rides on the next one too. Where ranks may leave the loop
 * (the end, a checkpoint), a confirming reduction takes the place of the next superstep's, so
 * that ranks that decided differently still meet in the same collective. Every phase that calls
 * the program marks itself for the error messages, the crash report and the watchdog
 * (run_guard.c). The run ends when no vertex is active and no message or request is in
 * flight, when the master step halts it, or at the superstep limit.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <stdio.h>

/* The compute phase: every candidate with messages, an answer or not halted runs (every vertex
 * after the master step's amls_wake_all). A failed compute is explained by
 * amls__callback_status. Local. */
static int compute_phase(amls_ctx *cx, int64_t *rec)
{
    const amls_vprog *p = cx->p;
    bool dense = false, wake = cx->wake_all;
    int rc = amls__ctx_candidates(cx, cx->step == 0 || wake, &dense);
    cx->wake_all = false;
    if (rc < 0)
        return rc;
    cx->m.sent = cx->m.vid_sent = cx->pub.published = cx->nalive = 0;
    int64_t nrun = dense ? cx->g->n_local : cx->ncand, computed = 0, v = -1;
    uint64_t serial = amls__error_serial();
    amls__phase(cx, AMLS__PHASE_COMPUTE, true);
    for (int64_t q = 0; q < nrun && rc == AMLS_OK; q++) {
        int64_t nm = 0;
        v = dense ? q : cx->cand[q];
        const void *msgs = amls__inbox(cx, v, &nm);
        if (cx->halted[v] && nm == 0 && !wake && !(cx->req.rsz > 0 && cx->req.has[v]))
            continue;
        cx->halted[v] = 0;
        amls__sleep_awake(cx, v);
        computed++;
        cx->cur_v = v;
        rc = p->compute(cx, v, cx->state + (size_t)v * p->state_size, nm ? msgs : NULL, nm);
        if (!cx->halted[v])
            cx->alive[cx->nalive++] = v;
        if (cx->done)
            amls__sig_track(cx, v); /* the program's wants(), still in the compute phase */
    }
    atomic_store(&cx->in_callback, false);
    rec[AMLS__REC_COMPUTED] = computed;
    rec[AMLS__REC_ACTIVE] = cx->nalive;
    rec[AMLS__REC_SENT] = cx->m.sent;
    rec[AMLS__REC_PUBLISHED] = cx->pub.published;
    rec[AMLS__REC_VID] = cx->m.vid_sent;
    rec[AMLS__REC_REQ] = cx->req.n;
    rec[AMLS__REC_NSIG0] = cx->m.sig[0].n;
    rec[AMLS__REC_NSIG1] = cx->m.sig[1].n;
    rec[AMLS__REC_MF] = cx->m.sig[0].arcs + cx->m.sig[1].arcs;
    rec[AMLS__REC_MU0] = cx->mu[0];
    rec[AMLS__REC_MU1] = cx->mu[1];
    rec[AMLS__REC_SLEEP] = cx->sl.key ? amls__sleep_min(cx) : INT64_MAX;
    rec[AMLS__REC_SIGLO] = AMLS_MIN(cx->m.sig[0].vlo, cx->m.sig[1].vlo);
    rec[AMLS__REC_SIGHI] = AMLS_MAX(cx->m.sig[0].vhi, cx->m.sig[1].vhi);
    return amls__callback_status(cx, v, rc, serial);
}

/* A hash of what the master step decided (halt, wake every vertex, aggregates), for comparing
 * ranks. */
static int64_t master_hash(const amls_ctx *cx)
{
    uint64_t h = (cx->agg.halt_req ? 0x5bd1e995u : 0) ^ (cx->wake_all ? 0x27d4eb2fu : 0) ^
                 amls__mix64((uint64_t)cx->sl.bound);
    for (size_t i = 0; i < cx->agg.bytes; i++)
        h = amls__mix64(h ^ (uint8_t)cx->agg.cur[i]);
    return (int64_t)(h >> 2);
}

/* The master step, on every rank. Its decisions are hashed into the next record (or the
 * confirmation, confirm()), so that ranks that decided differently (a master step must be
 * deterministic: otherwise ranks would leave the loop at different supersteps) are found at
 * the next reduction, without a collective of its own. A failure is returned (it rides on the
 * next reduction). Local. */
static int master_phase(amls_ctx *cx)
{
    uint64_t serial = amls__error_serial();
    amls__phase(cx, AMLS__PHASE_MASTER, true);
    int mrc = cx->p->master(cx);
    atomic_store(&cx->in_callback, false);
    mrc = amls__callback_status(cx, -1, mrc, serial);
    cx->mhash = master_hash(cx);
    cx->mstep = cx->step;
    return mrc;
}

/* After a reduction: the last master step decided the same on every rank, else an error on
 * every rank. Local (the reduction made it the same everywhere). */
static int master_check(const amls_ctx *cx)
{
    if (cx->st.sum[AMLS__REC_MHI] == cx->st.sum[AMLS__REC_MLO])
        return AMLS_OK;
    return amls_error(AMLS_ERR_VPROG,
                      "%s: the master step decided differently on different ranks at superstep "
                      "%lld (halt, wake-all, wake-up bound or aggregate values differ): it must be "
                      "deterministic and use only aggregates, not rank-local data",
                      cx->p->name, (long long)cx->mstep);
}

/* A reduction without a superstep, where ranks leave the loop or write a checkpoint: it agrees
 * on a pending failure and checks the last master step, so that ranks that decided to stop
 * meet the others in the same collective (their next superstep's reduction, or this). With
 * `last`, it carries this rank's bytes of the last superstep. Collective. */
static int confirm(amls_ctx *cx, int pending, bool last)
{
    int rc = AMLS_OK;
    int64_t rec[AMLS__REC_FIXED];
    amls__step_empty(rec);
    rec[AMLS__REC_FAILED] = pending < 0;
    rec[AMLS__REC_BYTES] = last ? cx->st.bytes : 0;
    rec[AMLS__REC_MHI] = rec[AMLS__REC_MLO] = cx->mhash;
    memset(cx->m.to, 0, (size_t)cx->g->nranks);
    amls__step_fill(cx, rec, cx->m.to, NULL);
    AMLS_TRY(amls__step_reduce(cx, false));
    if (cx->st.sum[AMLS__REC_FAILED] > 0)
        AMLS_AGREE(cx->g->comm, pending);
    AMLS_TRY(master_check(cx));
cleanup:
    return rc;
}

/* After the reduction: messages by original id, requests, messages, published values; the
 * first local failure is returned (the exchanges still complete). Collective. */
static int exchange_phase(amls_ctx *cx)
{
    int rc = AMLS_OK;
    const int64_t *sum = cx->st.sum;
    bool vids = sum[AMLS__REC_VID] > 0;
    if (vids)
        AMLS_TRY(amls__msgs_route_vids(cx));
    int lrc = AMLS_OK;
    if (sum[AMLS__REC_REQ] > 0)
        lrc = amls__req_exchange(cx);
    else
        amls__req_clear_answers(&cx->req);
    amls__sig_decide(cx);
    int mrc = amls__msgs_exchange(cx, vids);
    lrc = lrc < 0 ? lrc : mrc;
    if (sum[AMLS__REC_PUBLISHED] > 0)
        AMLS_TRY(amls__pub_exchange(cx));
    rc = lrc;
cleanup:
    return rc;
}

/* One superstep; *st gets its statistics (but the bytes, known at the next reduction) and
 * *comm_s the seconds after the compute phase. *pending carries a local failure of the phases
 * after the reduction into the next one (or to the end of the run). Collective. */
static int superstep(amls_ctx *cx, int *pending, amls_superstep_stats *st, double *comm_s,
                     bool *stop)
{
    int rc = AMLS_OK;
    int64_t rec[AMLS__REC_FIXED];
    amls__step_empty(rec); /* what stays when compute is skipped */
    double t0 = amls__now();
    int lrc = *pending < 0 ? *pending : compute_phase(cx, rec);
    *pending = AMLS_OK;
    rec[AMLS__REC_FAILED] = lrc < 0;
    rec[AMLS__REC_BYTES] = cx->st.bytes;
    rec[AMLS__REC_STOP] = cx->stop_request && *cx->stop_request != 0;
    rec[AMLS__REC_MHI] = rec[AMLS__REC_MLO] = cx->mhash;
    cx->st.bytes = 0;
    amls__msgs_promise(cx);
    amls__req_promise(cx);
    double t1 = amls__now();
    amls__step_fill(cx, rec, cx->m.to, cx->req.rsz > 0 ? cx->req.to : NULL);
    AMLS_TRY(amls__step_reduce(cx, true));
    const int64_t *sum = cx->st.sum;
    if (sum[AMLS__REC_FAILED] > 0)
        AMLS_AGREE(cx->g->comm, lrc < 0 ? lrc : AMLS_OK);
    AMLS_TRY(master_check(cx));
    *pending = exchange_phase(cx);
    cx->agg.halt_req = false;
    cx->wake_all = false;
    if (cx->p->master) {
        int mrc = master_phase(cx);
        *pending = *pending < 0 ? *pending : mrc;
    }
    cx->sl.woke = amls__sleep_wake(cx);
    cx->phase = AMLS__PHASE_NONE;
    double t2 = amls__now();
    *st = (amls_superstep_stats){.computed = sum[AMLS__REC_COMPUTED],
                                 .active = sum[AMLS__REC_ACTIVE],
                                 .messages = sum[AMLS__REC_SENT],
                                 .seconds = t2 - t0,
                                 .compute_seconds = t1 - t0,
                                 .comm_seconds = t2 - t1,
                                 .pull = cx->m.pull};
    *comm_s = t2 - t1;
    *stop = sum[AMLS__REC_STOP] > 0;
cleanup:
    return rc;
}

/* Descriptor, graph and memory: everything a run needs before setup. Local. */
static int prepare(amls_graph *g, const amls_vprog *p, const amls_run_opts *o, amls_ctx **cx,
                   amls_run **r)
{
    int rc = AMLS_OK;
    char why[256] = "";
    rc = amls_vprog_check(p, why, sizeof why);
    AMLS_CHECK(rc == AMLS_OK, rc, "%s", why);
    AMLS_CHECK(!(p->flags & AMLS_NEED_IN_EDGES) || !g->directed || g->in_ptr != NULL,
               AMLS_ERR_VPROG, "%s needs in-edges but the graph was built without them", p->name);
    AMLS_TRY(amls__ctx_new(g, p, o, cx));
    AMLS_CALLOC(*r, 1);
    (*r)->g = g;
    (*r)->p = p;
    AMLS_CALLOC((*r)->state, ((size_t)g->n_local + 1) * p->state_size);
    (*cx)->state = (*r)->state;
    amls__params_text(p, o->param_values, (*r)->params, sizeof(*r)->params);
cleanup:
    return rc;
}

/* setup() on every rank, init() on every vertex (unless restarting). Local. */
static int setup_phase(amls_ctx *cx, bool restart)
{
    uint64_t serial = amls__error_serial();
    amls__phase(cx, AMLS__PHASE_SETUP, true);
    int rc = cx->p->setup ? cx->p->setup(cx) : AMLS_OK;
    rc = amls__callback_status(cx, -1, rc, serial);
    amls__phase(cx, AMLS__PHASE_NONE, false);
    if (rc < 0 || !cx->p->init || restart)
        return rc;
    int64_t v = 0;
    amls__phase(cx, AMLS__PHASE_INIT, true);
    for (; v < cx->g->n_local && rc == AMLS_OK; v++) {
        cx->cur_v = v;
        rc = cx->p->init(cx, v, cx->state + (size_t)v * cx->p->state_size);
    }
    atomic_store(&cx->in_callback, false);
    rc = amls__callback_status(cx, v - 1, rc, serial);
    /* Engine work follows (agreement, a restore): the watchdog does not count it as setup. */
    amls__phase(cx, AMLS__PHASE_NONE, false);
    return rc;
}

/* Rank 0's progress line. */
static void progress(const amls_run_opts *o, const amls_graph *g, int64_t step,
                     const amls_superstep_stats *st)
{
    if (o->quiet || g->rank != 0)
        return;
    FILE *f = o->progress ? o->progress : stdout;
    fprintf(f, "superstep %lld: computed %lld, active %lld, messages %lld, bytes %lld, %.4f s\n",
            (long long)step, (long long)st->computed, (long long)st->active,
            (long long)st->messages, (long long)st->bytes, st->seconds);
    fflush(f);
}

/* Supersteps from `start` until the run ends; statistics into r. The bytes of a superstep are
 * summed at the next reduction (or at the end), so its progress line comes one superstep late.
 * Collective. */
static int loop(amls_ctx *cx, const amls_run_opts *o, amls_run *r, int64_t start)
{
    int rc = AMLS_OK, pending = AMLS_OK;
    const amls_graph *g = cx->g;
    amls__vec steps;
    amls__vec_init(&steps, sizeof(amls_superstep_stats));
    int64_t maxs = o->max_supersteps > 0 ? o->max_supersteps : cx->p->max_supersteps;
    for (cx->step = start;; cx->step++) {
        if (o->on_superstep)
            o->on_superstep(o->hook_ud, cx->step, g->rank);
        amls_superstep_stats st = {0};
        double comm_s = 0;
        bool stop = false;
        int prc = amls__vec_push(&steps, &st); /* its slot; agreed on inside the superstep */
        pending = pending < 0 ? pending : prc;
        AMLS_TRY(superstep(cx, &pending, &st, &comm_s, &stop));
        amls_superstep_stats *all = steps.data;
        all[steps.len - 1] = st;
        if (steps.len >= 2) { /* the previous superstep's bytes came with this reduction */
            all[steps.len - 2].bytes = cx->st.sum[AMLS__REC_BYTES];
            r->bytes += cx->st.sum[AMLS__REC_BYTES];
            progress(o, g, cx->step - 1, &all[steps.len - 2]);
        }
        r->messages += st.messages;
        r->compute_seconds += st.seconds - comm_s;
        r->comm_seconds += comm_s;
        bool finished = (st.active == 0 && st.messages == 0 && cx->st.sum[AMLS__REC_REQ] == 0 &&
                         !cx->wake_all && !cx->sl.woke) ||
                        cx->agg.halt_req || (maxs > 0 && cx->step + 1 >= maxs);
        if (finished)
            break;
        if (stop || (o->checkpoint_every > 0 && o->checkpoint_dir &&
                     (cx->step + 1) % o->checkpoint_every == 0)) {
            AMLS_TRY(confirm(cx, pending, false));
            AMLS_TRY(amls__ckpt_write(cx, o, r->params, cx->step + 1));
        }
        if (stop) { /* every rank saw the same sum: all stop here */
            r->stopped = true;
            break;
        }
    }
    /* The end: a failure after the last reduction, the last master step checked, and the last
     * superstep's bytes. */
    AMLS_TRY(confirm(cx, pending, true));
    amls_superstep_stats *all = steps.data;
    all[steps.len - 1].bytes = cx->st.sum[AMLS__REC_BYTES];
    r->bytes += cx->st.sum[AMLS__REC_BYTES];
    progress(o, g, cx->step, &all[steps.len - 1]);
    r->supersteps = cx->step + 1;
    r->nsteps = (int64_t)steps.len;
    r->steps = amls__vec_steal(&steps);
cleanup:
    amls__vec_free(&steps);
    return rc;
}

int amls_run_program(amls_graph *g, const amls_vprog *p, const amls_run_opts *opts, amls_run **out)
{
    int rc = AMLS_OK;
    amls_run_opts o = {0};
    amls_ctx *cx = NULL;
    amls_run *r = NULL;
    int64_t start = 0;
    if (opts)
        o = *opts;
    *out = NULL;
    AMLS_AGREE(g->comm, prepare(g, p, &o, &cx, &r));
    AMLS_AGREE(g->comm, amls__guard_begin(cx, &o));
    AMLS_TRY(amls__params_check_vertices(g, cx->p, cx->par));
    /* The directory (and its lock) for periodic checkpoints, or for the one a stop request
     * writes. */
    if (o.checkpoint_dir && (o.checkpoint_every > 0 || o.stop_request))
        AMLS_TRY(amls__ckpt_prepare(cx, &o));
    AMLS_AGREE(g->comm, setup_phase(cx, o.restart_dir != NULL));
    if (o.restart_dir) {
        AMLS_TRY(amls__ckpt_restore(cx, &o, r->params, &start));
        amls__ctx_rebuild_lists(cx);
    }
    if (cx->m.comb.kind != AMLS__COMB_NONE)
        AMLS_TRY(amls__sig_setup(cx));
    amls__sig_track_all(cx);
    r->first_superstep = start;
    r->combined = p->combiner.op != AMLS_OP_NONE && !o.no_combiner;
    double t_run = amls__now();
    AMLS_TRY(loop(cx, &o, r, start));
    r->seconds = amls__now() - t_run;
    if (o.stats)
        AMLS_TRY(amls_run_stats(r, o.stats));
    if (o.stats_path)
        AMLS_TRY(amls__stats_write(r, o.stats_path));
cleanup:
    if (cx && cx->p->finalize) {
        amls__phase(cx, AMLS__PHASE_FINALIZE, true);
        cx->p->finalize(cx);
    }
    amls__guard_end(cx);
    rc = amls_agree(g->comm, rc, NULL);
    amls__ctx_free(cx);
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
