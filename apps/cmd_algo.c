/* ---------------------------------------------------------------------------------------------
 * apps/cmd_algo.c — running vertex programs from the command line (built-ins; plugins share
 * run_vprog): the vertex engine or, for some built-ins, linear algebra; output, verification
 * against the serial references, and help.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/algorithms.h"
#include "amls/engine.h"
#include "amls/linalg.h"
#include "amls/plugin.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>

/* A parameter's text as the serial references and the linear-algebra path take it: integers
 * and vertex ids with all 64 bits (never through a double), numbers as doubles. The engine
 * checks the text itself. */
static amls_param_value typed_value(const amls_param *d, const char *v)
{
    amls_param_value x = {0};
    if (v == NULL)
        return x;
    if (d->type == AMLS_PARAM_FLOAT)
        x.f = strtod(v, NULL);
    else
        x.i = strtoll(v, NULL, 10);
    return x;
}

/* The options of a run (checked by cli_check). */
typedef struct run_args {
    const char *outp, *expected, *rule, *variant, *ck_dir, *restart, *input;
    bool verify, quiet, as_dir, no_comb, linalg;
    int direction;
    int64_t maxs, top, ck_every, fail_at, fail_rank;
    double timeout;
} run_args;

static void get_args(cli *c, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->input = cli_str(c, "input");
    a->outp = cli_str(c, "output");
    a->quiet = cli_flag(c, "quiet");
    a->expected = cli_str(c, "expected");
    a->rule = cli_str(c, "rule");
    a->as_dir = cli_output_is_dir(c);
    a->no_comb = cli_flag(c, "no-combiner");
    a->ck_dir = cli_str(c, "checkpoint-dir");
    a->restart = cli_str(c, "restart");
    a->maxs = cli_i64(c, "max-supersteps");
    a->ck_every = cli_i64(c, "checkpoint-every");
    a->fail_at = cli_given(c, "fail-at-superstep") ? cli_i64(c, "fail-at-superstep") : -1;
    a->fail_rank = cli_i64(c, "fail-rank");
    a->top = cli_i64(c, "top");
    a->timeout = cli_f64(c, "superstep-timeout");
    const char *dir = cli_str(c, "direction"); /* a choice: checked by the option table */
    a->direction = dir && !strcmp(dir, "push")   ? AMLS_STEP_PUSH
                   : dir && !strcmp(dir, "pull") ? AMLS_STEP_PULL
                                                 : AMLS_STEP_AUTO;
    if (c->builtin) {
        a->verify = cli_flag(c, "verify");
        a->variant = cli_str(c, "variant");
        a->linalg = !strcmp(cli_str(c, "engine"), "linalg");
    }
}

/* Rules between the options of a run (built-ins and plugins). Local. */
static int check_run(cli *c)
{
    int rc = AMLS_OK;
    AMLS_CHECK(cli_i64(c, "checkpoint-every") == 0 || cli_given(c, "checkpoint-dir"),
               AMLS_ERR_PARAM, "%s: --checkpoint-every needs --checkpoint-dir DIR", c->cmd->name);
    AMLS_CHECK(!cli_given(c, "fail-rank") || cli_given(c, "fail-at-superstep"), AMLS_ERR_PARAM,
               "%s: --fail-rank needs --fail-at-superstep K", c->cmd->name);
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "input")));
cleanup:
    return rc;
}

/* --variant NAME with the vertex engine: one of variants.h for this algorithm. Local. */
static int check_vertex_variant(cli *c, const char *variant)
{
    if (amls_variant_find(c->cmd->name, variant))
        return AMLS_OK;
    char names[256] = "";
    for (const amls_variant *v = amls_variants(); v->algo; v++)
        if (!strcmp(v->algo, c->cmd->name))
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", v->name);
    return amls_error(AMLS_ERR_PARAM, "%s: --variant %s: %s %s%s", c->cmd->name, variant,
                      c->cmd->name,
                      names[0] ? "has the variants " : "has no variants in the vertex engine",
                      names[0] ? names : " (--engine linalg has its own)");
}

/* --delta with the vertex engine: the delta-stepping program's parameter (the Bellman-Ford
 * variant has none). Local. */
static int vertex_delta(cli *c)
{
    const amls_vprog *p = c->prog;
    for (int i = 0; i < p->nparams; i++)
        if (!strcmp(p->params[i].name, "delta")) {
            if (c->pval[i])
                return amls_error(AMLS_ERR_PARAM, "%s: parameter --delta is given more than once",
                                  c->cmd->name);
            c->pval[i] = cli_str(c, "delta");
            return AMLS_OK;
        }
    return amls_error(AMLS_ERR_PARAM, "%s: --delta: the variant %s has no bucket width",
                      c->cmd->name, p->name);
}

/* ... and those of built-ins: --engine linalg and --variant. Local. */
static int check_builtin(cli *c)
{
    int rc = AMLS_OK;
    const char *variant = cli_str(c, "variant");
    bool linalg = !strcmp(cli_str(c, "engine"), "linalg");
    const amls_la_algorithm *la = amls_la_find(c->cmd->name);
    AMLS_TRY(check_run(c));
    AMLS_CHECK(!linalg || la != NULL, AMLS_ERR_PARAM,
               "%s: --engine linalg runs pagerank, wcc, bfs and sssp, not %s", c->cmd->name,
               c->cmd->name);
    if (variant && !linalg) /* the vertex engine's variants (variants.h) */
        AMLS_TRY(check_vertex_variant(c, variant));
    AMLS_CHECK(!cli_given(c, "delta") || !strcmp(c->cmd->name, "sssp"), AMLS_ERR_PARAM,
               "%s: --delta is for sssp", c->cmd->name);
    if (cli_given(c, "delta") && !linalg) /* delta-stepping's parameter */
        AMLS_TRY(vertex_delta(c));
    AMLS_CHECK(!variant || !linalg || la->variants, AMLS_ERR_PARAM,
               "%s: --variant: %s has no variants", c->cmd->name, c->cmd->name);
    AMLS_CHECK(!variant || !linalg || cli_in_choices(la->variants, variant), AMLS_ERR_PARAM,
               "%s: --variant %s: expected %s", c->cmd->name, variant, la->variants);
    AMLS_CHECK(!linalg || (!cli_given(c, "checkpoint-dir") && !cli_given(c, "restart")),
               AMLS_ERR_PARAM, "%s: checkpoints are for the vertex engine (--engine vertex)",
               c->cmd->name);
cleanup:
    return rc;
}

/* A stop request (SIGUSR1 with --checkpoint-dir): checkpoint at the end of the superstep. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Fault injection (--fail-at-superstep K --fail-rank R): the rank dies as a crashed node
 * would, without cleanup. Only the command line does this; the engine never exits. */
typedef struct fault {
    int64_t at;
    int rank;
} fault;

static void inject_fault(void *ud, int64_t step, int rank)
{
    const fault *f = ud;
    if (step == f->at && rank == f->rank) {
        fprintf(stderr, "amls-graph: injected failure: rank %d killed at superstep %lld\n", rank,
                (long long)step);
        fflush(stderr);
        raise(SIGKILL);
    }
}

/* What a run produced: per-vertex values and what HDF5 provenance records. */
typedef struct result {
    amls_run *run;   /* the vertex engine's run, or NULL */
    amls_result *la; /* linear algebra's result, or NULL */
    amls_values v;
    amls_provenance pv;
} result;

static void result_free(result *res)
{
    amls_run_free(&res->run);
    amls_result_free(&res->la);
    memset(res, 0, sizeof *res);
}

/* The vertex engine. Collective. */
static int run_vertex(cli *c, amls_graph *g, const amls_vprog *p, const run_args *a,
                      const char *const *vals, result *res)
{
    int rc = AMLS_OK;
    fault fl = {a->fail_at, (int)a->fail_rank};
    amls_run_opts ro = {.max_supersteps = a->maxs,
                        .quiet = a->quiet,
                        .no_combiner = a->no_comb,
                        .direction = a->direction,
                        .param_values = vals,
                        .checkpoint_every = a->ck_every,
                        .checkpoint_dir = a->ck_dir,
                        .restart_dir = a->restart,
                        .input_crc32 = res->pv.input_crc32,
                        .on_superstep = a->fail_at >= 0 ? inject_fault : NULL,
                        .hook_ud = &fl,
                        .stop_request = a->ck_dir ? &stop_requested : NULL,
                        .stats = c->stats,
                        .superstep_timeout = a->timeout};
    if (a->ck_dir)
        signal(SIGUSR1, on_stop_signal);
    AMLS_TRY(amls_run_program(g, p, &ro, &res->run));
    const amls_run *r = res->run;
    if (r->stopped) {
        cli_print(c,
                  "stopped: on SIGUSR1 after %lld supersteps, checkpoint written to %s; resume "
                  "with --restart %s\n",
                  (long long)r->supersteps, a->ck_dir, a->ck_dir);
        rc = AMLS_INFO_STOPPED;
        goto cleanup;
    }
    res->v = amls_run_values(r);
    res->pv.algorithm = p->name;
    res->pv.parameters = r->params;
    res->pv.supersteps = r->supersteps;
    res->pv.seconds = r->seconds;
    int64_t peak = amls__peak_rss(), gpeak = 0;
    AMLS_MPI_TRY(MPI_Reduce(&peak, &gpeak, 1, MPI_INT64_T, MPI_MAX, 0, c->comm));
    cli_print(c,
              "algorithm: %s\nsupersteps: %lld\nseconds: %.4f\nseconds_per_superstep: "
              "%.5f\nmessages: %lld\nbytes: %lld\ncombiner: %s\npeak_rss_bytes_max: %lld\n",
              p->name, (long long)r->supersteps, r->seconds,
              r->seconds / (double)AMLS_MAX(r->supersteps, (int64_t)1), (long long)r->messages,
              (long long)r->bytes, p->combiner.op != AMLS_OP_NONE && !a->no_comb ? "yes" : "no",
              (long long)gpeak);
cleanup:
    return rc;
}

/* A built-in through the linear-algebra path (amls_algorithm_run with the linalg engine, which
 * parses integers and vertex ids with all 64 bits); delta: the --delta option of sssp (a
 * parameter of linear algebra only), or NULL. Collective. */
static int run_linalg(cli *c, amls_graph *g, const amls_vprog *p, const char *const *vals,
                      const char *delta, const char *variant, result *res)
{
    int rc = AMLS_OK;
    const char *keys[17], *given[17];
    int n = 0;
    for (int i = 0; i < p->nparams; i++)
        if (vals[i]) {
            keys[n] = p->params[i].name;
            given[n++] = vals[i];
        }
    if (delta) {
        keys[n] = "delta";
        given[n++] = delta;
    }
    AMLS_TRY(amls_algorithm_run(g, p->name, "linalg", variant, n, keys, given, 0, 0, c->stats,
                                &res->la));
    res->v = *amls_result_values(res->la);
    res->pv.algorithm = p->name;
    res->pv.supersteps = amls_result_iterations(res->la);
    res->pv.seconds = amls_result_seconds(res->la);
    const amls_la_algorithm *la = amls_la_find(p->name);
    const char *vn = variant ? variant : la && la->variants ? la->variants : "-";
    cli_print(c, "algorithm: %s\nengine: linalg\nvariant: %.*s\niterations: %lld\nseconds: %.4f\n",
              p->name, (int)strcspn(vn, "|"), vn, (long long)res->pv.supersteps, res->pv.seconds);
    if (amls_result_seconds_per_iteration(res->la) > 0)
        cli_print(c, "seconds_per_iteration: %.5f\n", amls_result_seconds_per_iteration(res->la));
cleanup:
    return rc;
}

/* A candidate for --top: its sort key (the value; for a program that only has a formatter,
 * the number its text starts with), the original id and the text as the program formats it. */
typedef struct top_rec {
    double key;
    int64_t ikey, id;
    char text[48];
} top_rec;

/* a ranks before b: larger value first, then the smaller id. */
static bool top_before(const top_rec *a, const top_rec *b)
{
    if (a->key != b->key)
        return a->key > b->key;
    if (a->ikey != b->ikey)
        return a->ikey > b->ikey;
    return a->id < b->id;
}

/* Inserts r into the k best so far (best[0..*n) sorted, best first). */
static void top_insert(top_rec *best, int64_t *n, int64_t k, const top_rec *r)
{
    if (*n == k && !top_before(r, &best[k - 1]))
        return;
    int64_t i = *n < k ? (*n)++ : k - 1;
    for (; i > 0 && top_before(r, &best[i - 1]); i--)
        best[i] = best[i - 1];
    best[i] = *r;
}

/* This rank's k best values, as records (unused ones have id -1). Local. */
static void top_local(const amls_values *v, int64_t k, top_rec *best)
{
    const amls_graph *g = v->g;
    int64_t n = 0;
    for (int64_t i = 0; i < k; i++)
        best[i] = (top_rec){.id = -1};
    for (int64_t i = 0; i < g->n_local; i++) {
        const char *elem = (const char *)v->data + (size_t)i * v->stride;
        top_rec r = {.id = g->orig[i]};
        amls_values_format(v, elem, r.text, sizeof r.text);
        if (v->type == AMLS_TYPE_I64) {
            memcpy(&r.ikey, elem, sizeof r.ikey);
            r.key = (double)r.ikey;
        } else if (v->type == AMLS_TYPE_F64) {
            memcpy(&r.key, elem, sizeof r.key);
        } else {
            char *end = NULL;
            r.key = strtod(r.text, &end);
            if (end == r.text)
                continue; /* not a number: no rank */
        }
        if (!isnan(r.key))
            top_insert(best, &n, k, &r);
    }
}

/* Prints the K largest values: every rank picks its own K best, rank 0 merges them (ties go
 * to the smaller original id, so the list does not depend on the layout). Collective. */
static int print_top(cli *c, const amls_values *v, int64_t k)
{
    int rc = AMLS_OK;
    top_rec *mine = NULL, *all = NULL, *best = NULL;
    k = AMLS_MIN(AMLS_MIN(k, AMLS_MAX(v->g->n, (int64_t)1)), (int64_t)1 << 20);
    mine = amls__malloc((size_t)k, sizeof *mine);
    if (c->rank == 0) {
        all = amls__malloc((size_t)k * (size_t)c->nranks, sizeof *all);
        best = amls__malloc((size_t)k, sizeof *best);
    }
    AMLS_AGREE(c->comm, amls__alloc_status(mine && (c->rank != 0 || (all && best))));
    top_local(v, k, mine);
    AMLS_MPI_TRY(MPI_Gather(mine, (int)(k * (int64_t)sizeof *mine), MPI_BYTE, all,
                            (int)(k * (int64_t)sizeof *mine), MPI_BYTE, 0, c->comm));
    if (c->rank == 0) {
        int64_t n = 0;
        for (int64_t i = 0; i < k * c->nranks; i++)
            if (all[i].id >= 0)
                top_insert(best, &n, k, &all[i]);
        for (int64_t t = 0; t < n; t++)
            printf("top %lld: %lld %s\n", (long long)t + 1, (long long)best[t].id, best[t].text);
        fflush(stdout);
    }
cleanup:
    amls__free(mine);
    amls__free(all);
    amls__free(best);
    return rc;
}

/* Rank 0: the serial reference's values against the gathered ones. Local. */
static int verify_root(const amls_builtin *b, const amls_csr *csr, const amls_param_value *pvals,
                       const double *af, const int64_t *ai, double t0)
{
    int rc = AMLS_OK;
    double *ef = NULL;
    int64_t *ei = NULL;
    char msg[512];
    AMLS_ALLOC(ef, csr->n + 1);
    AMLS_ALLOC(ei, csr->n + 1);
    AMLS_TRY(b->ref(csr, pvals, ef, ei));
    int64_t bad = amls_compare(b->rule, csr->n, ef, ei, af, ai, csr->orig, msg, sizeof msg);
    if (bad) {
        printf("verify: FAIL (%lld of %lld vertices differ from the serial reference)\n",
               (long long)bad, (long long)csr->n);
        rc = amls_error(AMLS_ERR_VERIFY, "%s: verification failed: %lld mismatches; %s", b->name,
                        (long long)bad, msg);
    } else {
        printf("verify: PASS (%lld vertices match the serial reference, %.3f s)\n",
               (long long)csr->n, amls__now() - t0);
    }
    fflush(stdout);
cleanup:
    amls__free(ef);
    amls__free(ei);
    return rc;
}

static int verify(cli *c, const amls_values *v, const amls_builtin *b,
                  const amls_param_value *pvals)
{
    int rc = AMLS_OK;
    amls_csr csr = {0};
    double *af = NULL, t0 = amls__now();
    int64_t *ai = NULL;
    AMLS_TRY(amls_graph_gather(v->g, 0, &csr));
    AMLS_TRY(amls_values_gather(v, 0, &af, &ai));
    AMLS_AGREE(c->comm, c->rank == 0 ? verify_root(b, &csr, pvals, af, ai, t0) : AMLS_OK);
cleanup:
    amls_csr_free(&csr);
    amls__free(af);
    amls__free(ai);
    return rc;
}

/* The command line, for HDF5 provenance. */
static void command_line(cli *c, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "amls-graph %s", c->cmd->name);
    for (int k = 0; k < c->argc && at < cap - 1; k++)
        at += (size_t)snprintf(buf + at, cap - at, " %s", c->argv[k]);
}

/* Output, --top, --expected, --verify. Collective. */
static int outputs(cli *c, const run_args *a, const amls_builtin *b, result *res,
                   const amls_param_value *pvals)
{
    int rc = AMLS_OK;
    char cmdline[2048];
    if (a->outp && amls_is_h5_path(a->outp)) {
        command_line(c, cmdline, sizeof cmdline);
        res->pv.command_line = cmdline;
        AMLS_TRY(amls_values_write_h5(&res->v, a->outp, &res->pv));
    } else if (a->outp) {
        AMLS_TRY(amls_values_write(&res->v, a->outp, a->as_dir));
    }
    if (a->top > 0)
        AMLS_TRY(print_top(c, &res->v, a->top));
    if (a->expected) {
        amls_rule rule = cli_rule_parse(a->rule, b ? b->rule : AMLS_RULE_EXACT);
        AMLS_TRY(cli_compare_file(c, &res->v, a->expected, rule ? rule : AMLS_RULE_EXACT));
    }
    if (a->verify && b)
        AMLS_TRY(verify(c, &res->v, b, pvals));
cleanup:
    return rc;
}

/* Loads the graph, runs c->prog, writes and verifies. Collective. */
int run_vprog(cli *c)
{
    int rc = AMLS_OK;
    const amls_vprog *p = c->prog;
    amls_graph *g = NULL;
    result res = {0};
    run_args a;
    amls_param_value pvals[CLI_MAX_PARAMS] = {{0}};
    get_args(c, &a);
    for (int i = 0; i < p->nparams; i++) {
        const char *v = c->pval[i] ? c->pval[i] : p->params[i].def;
        pvals[i] = typed_value(&p->params[i], v);
    }
    bool need_in = (p->flags & AMLS_NEED_IN_EDGES) != 0 || a.linalg ||
                   ((p->flags & AMLS_PULL) != 0 && a.direction != AMLS_STEP_PUSH);
    bool drop_w = (p->flags & AMLS_NEED_WEIGHTS) == 0;
    CLI_LOAD(cli_load_graph(c, NULL, need_in, drop_w, &g));
    res.pv.input = a.input;
    if (a.ck_every > 0 || a.ck_dir || a.restart || (a.outp && amls_is_h5_path(a.outp)))
        AMLS_TRY(amls_graph_input_crc32(c->comm, a.input, &res.pv.input_crc32));
    rc = a.linalg ? run_linalg(c, g, p, c->pval, cli_str(c, "delta"), a.variant, &res)
                  : run_vertex(c, g, p, &a, c->pval, &res);
    if (rc == AMLS_OK)
        AMLS_TRY(outputs(c, &a, c->builtin, &res, pvals));
cleanup:
    result_free(&res);
    amls_graph_free(&g);
    return rc;
}

/* ---- The built-in algorithms' command: one table for all of them -------------------------- */

/* The built-in's vertex program: --variant NAME picks one of variants.h for the vertex engine
 * (check_builtin refuses a name it does not know); linear algebra has its own variants. */
static int builtin_program(cli *c)
{
    c->builtin = amls_builtin_find(c->cmd->name);
    c->prog = c->builtin ? c->builtin->get() : NULL;
    const char *variant = cli_str(c, "variant");
    bool linalg = !strcmp(cli_str(c, "engine"), "linalg");
    const amls_vprog *v = variant && !linalg ? amls_variant_find(c->cmd->name, variant) : NULL;
    if (v)
        c->prog = v;
    return c->prog ? AMLS_OK : amls_error(AMLS_ERR_INTERNAL, "no built-in %s", c->cmd->name);
}

static const cli_group *const builtin_table[] = {&cli_graph_group,   &cli_builtin_group,
                                                 &cli_results_group, &cli_engine_group,
                                                 &cli_quiet_group,   NULL};

int cli_algorithm_command(const amls_builtin *b, cli_command *out)
{
    const amls_vprog *p = b->get();
    *out = (cli_command){.name = b->name,
                         .usage = "--input GRAPH [parameters] [options]",
                         .summary = p && p->description ? p->description : b->name,
                         .groups = builtin_table,
                         .run = run_vprog,
                         .check = check_builtin,
                         .program = builtin_program,
                         .flags = CLI_PROGRAM};
    return AMLS_OK;
}

/* ---- run PROG.so: a plugin through the same path ------------------------------------------ */

static int plugin_program(cli *c)
{
    amls_plugin *pl = NULL;
    int rc = amls_plugin_load(c->comm, c->pos, &pl);
    if (rc < 0)
        return rc;
    c->plugin = pl;
    c->prog = &pl->vprog;
    return AMLS_OK;
}

static void plugin_release(cli *c)
{
    amls_plugin *pl = c->plugin;
    amls_plugin_free(&pl);
    c->plugin = NULL;
}

static const cli_group *const run_table[] = {&cli_graph_group, &cli_results_group,
                                             &cli_engine_group, &cli_quiet_group, NULL};
static const cli_opt run_plugin = {"plugin",
                                   0,
                                   CLI_IN,
                                   "PROG.so",
                                   .help = "the vertex program: a shared object built against "
                                           "amls/vprog.h (see docs/vertex-programs.md)",
                                   .flags = CLI_REQUIRED};
static const cli_hint run_hints[] = {
    {"verify", "a plugin has no serial reference to verify against (compare with --expected FILE)"},
    {"engine", "a plugin runs on the vertex engine only"},
    {"variant", "a plugin runs on the vertex engine only"},
    {0}};

const cli_command cli_cmd_run = {.name = "run",
                                 .usage = "PROG.so --input GRAPH [parameters] [options]",
                                 .summary = "run a vertex program plugin: run PROG.so --input G",
                                 .groups = run_table,
                                 .positional = &run_plugin,
                                 .run = run_vprog,
                                 .check = check_run,
                                 .program = plugin_program,
                                 .release = plugin_release,
                                 .hints = run_hints,
                                 .flags = CLI_PROGRAM};
