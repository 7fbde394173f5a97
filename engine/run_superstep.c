/* ---------------------------------------------------------------------------------------------
 * engine/run_superstep.c — the bulk-synchronous loop (Pregel, Malewicz et al., SIGMOD 2010).
 * SPDX-License-Identifier: MIT
 *
 * A superstep runs compute() on the candidate vertices, then one reduction of the step's
 * counts (step_counts) decides what follows: it carries the error flag, so agreement on a
 * failed compute phase costs no extra collective. Then messages sent by original id are
 * routed, messages are delivered, published values and aggregates are exchanged, and the
 * master step runs on every rank. The run ends when no vertex is active and no message is in
 * flight, when the master step halts it, or at the superstep limit.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <stdio.h>

/* What every rank contributes to the one reduction after the compute phase. */
typedef struct step_counts {
    int64_t computed;  /* vertices that ran compute() */
    int64_t active;    /* vertices not halted afterwards */
    int64_t sent;      /* messages sent (before combining) */
    int64_t failed;    /* ranks whose compute phase failed */
    int64_t published; /* vertices that published */
    int64_t vid_sent;  /* messages sent by original id */
} step_counts;
enum { STEP_COUNTS = (int)(sizeof(step_counts) / sizeof(int64_t)) };

/* The compute phase: every candidate with messages or not halted runs. A failed compute is
 * explained by amls__callback_status. Local. */
static int compute_phase(amls_ctx *cx, step_counts *c)
{
    const amls_vprog *p = cx->p;
    bool dense = false;
    int rc = amls__ctx_candidates(cx, cx->step == 0, &dense);
    if (rc < 0)
        return rc;
    cx->m.sent = cx->m.vid_sent = cx->pub.published = cx->nalive = 0;
    int64_t nrun = dense ? cx->g->n_local : cx->ncand, v = -1;
    uint64_t serial = amls__error_serial();
    amls__phase(cx, AMLS__PHASE_COMPUTE, true);
    for (int64_t q = 0; q < nrun && rc == AMLS_OK; q++) {
        int64_t nm = 0;
        v = dense ? q : cx->cand[q];
        const void *msgs = amls__inbox(cx, v, &nm);
        if (cx->halted[v] && nm == 0)
            continue;
        cx->halted[v] = 0;
        c->computed++;
        cx->cur_v = v;
        rc = p->compute(cx, v, cx->state + (size_t)v * p->state_size, nm ? msgs : NULL, nm);
        if (!cx->halted[v])
            cx->alive[cx->nalive++] = v;
    }
    atomic_store(&cx->in_callback, false);
    c->active = cx->nalive;
    c->sent = cx->m.sent;
    c->published = cx->pub.published;
    c->vid_sent = cx->m.vid_sent;
    return amls__callback_status(cx, v, rc, serial);
}

/* A hash of what the master step decided (halt, aggregates), for comparing ranks. */
static int64_t master_hash(const amls_ctx *cx)
{
    uint64_t h = cx->agg.halt_req ? 0x5bd1e995u : 0;
    for (size_t i = 0; i < cx->agg.bytes; i++)
        h = amls__mix64(h ^ (uint8_t)cx->agg.cur[i]);
    return (int64_t)(h >> 2);
}

/* The master step, on every rank; a failure, or ranks that decided differently (a master step
 * must be deterministic: otherwise ranks would leave the loop at different supersteps), is an
 * error on every rank. One reduction, as the agreement on the status alone took. Collective. */
static int master_phase(amls_ctx *cx)
{
    int rc = AMLS_OK;
    uint64_t serial = amls__error_serial();
    amls__phase(cx, AMLS__PHASE_MASTER, true);
    int mrc = cx->p->master(cx);
    atomic_store(&cx->in_callback, false);
    mrc = amls__callback_status(cx, -1, mrc, serial);
    int64_t h = master_hash(cx), v[3] = {mrc < 0, h, -h};
    AMLS_TRY(amls__allreduce_i64(cx->g->comm, v, 3, MPI_MAX));
    if (v[0])
        AMLS_AGREE(cx->g->comm, mrc);
    AMLS_CHECK(v[1] == -v[2], AMLS_ERR_VPROG,
               "%s: the master step decided differently on different ranks at superstep %lld "
               "(halt or aggregate values differ): it must be deterministic and use only "
               "aggregates, not rank-local data",
               cx->p->name, (long long)cx->step);
cleanup:
    return rc;
}

/* One superstep; *st gets its statistics, *comm_s the seconds after the compute phase. A
 * failed local step before it (pending < 0) is agreed on with the step's counts. Collective. */
static int superstep(amls_ctx *cx, int pending, amls_superstep_stats *st, double *comm_s)
{
    int rc = AMLS_OK;
    step_counts c = {0};
    double t0 = amls__now();
    int lrc = pending < 0 ? pending : compute_phase(cx, &c);
    c.failed = lrc < 0;
    double t1 = amls__now();
    AMLS_TRY(amls__allreduce_i64(cx->g->comm, (int64_t *)&c, STEP_COUNTS, MPI_SUM));
    if (c.failed > 0)
        AMLS_AGREE(cx->g->comm, lrc < 0 ? lrc : AMLS_OK);
    int64_t bytes = 0;
    if (c.vid_sent > 0)
        AMLS_TRY(amls__msgs_route_vids(cx));
    AMLS_TRY(amls__msgs_exchange(cx, &bytes));
    if (c.published > 0)
        AMLS_TRY(amls__pub_exchange(cx));
    AMLS_TRY(amls__aggs_reduce(cx));
    AMLS_TRY(amls__allreduce_i64(cx->g->comm, &bytes, 1, MPI_SUM));
    cx->agg.halt_req = false;
    if (cx->p->master)
        AMLS_TRY(master_phase(cx));
    cx->phase = AMLS__PHASE_NONE;
    double t2 = amls__now();
    *st = (amls_superstep_stats){c.computed, c.active, c.sent, bytes, t2 - t0, t1 - t0, t2 - t1};
    *comm_s = t2 - t1;
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

/* Supersteps from `start` until the run ends; statistics into r. Collective. */
static int loop(amls_ctx *cx, const amls_run_opts *o, amls_run *r, int64_t start)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    amls__vec steps;
    amls__vec_init(&steps, sizeof(amls_superstep_stats));
    int64_t maxs = o->max_supersteps > 0 ? o->max_supersteps : cx->p->max_supersteps;
    for (cx->step = start;; cx->step++) {
        if (o->on_superstep)
            o->on_superstep(o->hook_ud, cx->step, g->rank);
        amls_superstep_stats st = {0};
        double comm_s = 0;
        int prc = amls__vec_push(&steps, &st); /* its slot; agreed on inside the superstep */
        AMLS_TRY(superstep(cx, prc, &st, &comm_s));
        ((amls_superstep_stats *)steps.data)[steps.len - 1] = st;
        r->messages += st.messages;
        r->bytes += st.bytes;
        r->compute_seconds += st.seconds - comm_s;
        r->comm_seconds += comm_s;
        progress(o, g, cx->step, &st);
        bool finished = (st.active == 0 && st.messages == 0) || cx->agg.halt_req ||
                        (maxs > 0 && cx->step + 1 >= maxs);
        if (finished)
            break;
        if (o->checkpoint_every > 0 && o->checkpoint_dir &&
            (cx->step + 1) % o->checkpoint_every == 0)
            AMLS_TRY(amls__ckpt_write(cx, o, r->params, cx->step + 1));
    }
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
    if (o.checkpoint_every > 0 && o.checkpoint_dir)
        AMLS_TRY(amls__ckpt_prepare(cx, &o));
    AMLS_AGREE(g->comm, setup_phase(cx, o.restart_dir != NULL));
    if (o.restart_dir) {
        AMLS_TRY(amls__ckpt_restore(cx, &o, r->params, &start));
        amls__ctx_rebuild_lists(cx);
    }
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
