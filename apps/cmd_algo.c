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

/* The options of a run (checked by cli_check). */
typedef struct run_args {
    const char *outp, *expected, *rule, *variant, *ck_dir, *restart, *input;
    bool verify, quiet, as_dir, no_comb, linalg;
    int64_t maxs, top, ck_every, fail_at, fail_rank;
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
cleanup:
    return rc;
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
               "%s: --engine linalg runs pagerank, wcc and bfs, not %s", c->cmd->name,
               c->cmd->name);
    AMLS_CHECK(!variant || linalg, AMLS_ERR_PARAM, "%s: --variant needs --engine linalg",
               c->cmd->name);
    AMLS_CHECK(!variant || la->variants, AMLS_ERR_PARAM, "%s: --variant: %s has no variants",
               c->cmd->name, c->cmd->name);
    AMLS_CHECK(!variant || cli_in_choices(la->variants, variant), AMLS_ERR_PARAM,
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
                        .param_values = vals,
                        .checkpoint_every = a->ck_every,
                        .checkpoint_dir = a->ck_dir,
                        .restart_dir = a->restart,
                        .input_crc32 = res->pv.input_crc32,
                        .on_superstep = a->fail_at >= 0 ? inject_fault : NULL,
                        .hook_ud = &fl,
                        .stop_request = a->ck_dir ? &stop_requested : NULL,
                        .stats = c->stats};
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

/* A built-in through the linear-algebra path (amls_algorithm_run with the linalg engine).
 * Collective. */
static int run_linalg(cli *c, amls_graph *g, const amls_vprog *p, const char *const *vals,
                      const char *variant, result *res)
{
    int rc = AMLS_OK;
    const char *keys[16], *given[16];
    int n = 0;
    for (int i = 0; i < p->nparams; i++)
        if (vals[i]) {
            keys[n] = p->params[i].name;
            given[n++] = vals[i];
        }
    AMLS_TRY(amls_algorithm_run(g, p->name, "linalg", variant, n, keys, given, 0, 0, c->stats,
                                &res->la));
    res->v = *amls_result_values(res->la);
    res->pv.algorithm = p->name;
    res->pv.supersteps = amls_result_iterations(res->la);
    res->pv.seconds = amls_result_seconds(res->la);
    cli_print(c, "algorithm: %s\nengine: linalg\niterations: %lld\nseconds: %.4f\n", p->name,
              (long long)res->pv.supersteps, res->pv.seconds);
    if (amls_result_seconds_per_iteration(res->la) > 0)
        cli_print(c, "seconds_per_iteration: %.5f\n", amls_result_seconds_per_iteration(res->la));
cleanup:
    return rc;
}

/* Rank 0: the k largest values, by a partial selection (k passes; k is small). */
static void print_top_root(const amls_values *v, double *f, const int64_t *ids, int64_t k)
{
    amls_values typed = {.type = v->type};
    int64_t n = v->g->n;
    k = AMLS_MIN(k, n);
    for (int64_t t = 0; t < k; t++) {
        int64_t best = -1;
        for (int64_t i = 0; i < n; i++)
            if (!isnan(f[i]) && (best < 0 || f[i] > f[best]))
                best = i;
        if (best < 0)
            break;
        char buf[64];
        int64_t iv = (int64_t)f[best];
        amls_values_format(&typed, v->type == AMLS_TYPE_F64 ? (void *)&f[best] : (void *)&iv, buf,
                           sizeof buf);
        printf("top %lld: %lld %s\n", (long long)t + 1, (long long)ids[best], buf);
        f[best] = NAN;
    }
}

static int print_top(cli *c, const amls_values *v, int64_t k)
{
    int rc = AMLS_OK;
    double *f = NULL;
    int64_t *ids = NULL;
    AMLS_TRY(amls_values_gather(v, 0, &f, NULL));
    AMLS_TRY(amls_graph_gather_ids(v->g, 0, &ids));
    if (c->rank == 0)
        print_top_root(v, f, ids, k);
cleanup:
    amls__free(f);
    amls__free(ids);
    return rc;
}

/* Rank 0: the serial reference's values against the gathered ones. Local. */
static int verify_root(const amls_builtin *b, const amls_csr *csr, const double *pvals,
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

static int verify(cli *c, const amls_values *v, const amls_builtin *b, const double *pvals)
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
                   const double *pvals)
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
    double pvals[CLI_MAX_PARAMS] = {0};
    get_args(c, &a);
    for (int i = 0; i < p->nparams; i++) {
        const char *v = c->pval[i] ? c->pval[i] : p->params[i].def;
        pvals[i] = v ? strtod(v, NULL) : 0;
    }
    bool need_in = (p->flags & AMLS_NEED_IN_EDGES) != 0 || a.linalg;
    bool drop_w = (p->flags & AMLS_NEED_WEIGHTS) == 0;
    AMLS_TRY(cli_load_graph(c, NULL, need_in, drop_w, &g));
    res.pv.input = a.input;
    if (a.ck_every > 0 || a.ck_dir || a.restart || (a.outp && amls_is_h5_path(a.outp)))
        AMLS_TRY(amls_graph_input_crc32(c->comm, a.input, &res.pv.input_crc32));
    rc = a.linalg ? run_linalg(c, g, p, c->pval, a.variant, &res)
                  : run_vertex(c, g, p, &a, c->pval, &res);
    if (rc == AMLS_OK)
        AMLS_TRY(outputs(c, &a, c->builtin, &res, pvals));
cleanup:
    result_free(&res);
    amls_graph_free(&g);
    return rc;
}

/* ---- The built-in algorithms' command: one table for all of them -------------------------- */

static int builtin_program(cli *c)
{
    c->builtin = amls_builtin_find(c->cmd->name);
    c->prog = c->builtin ? c->builtin->get() : NULL;
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
