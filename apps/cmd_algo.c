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

#include <math.h>
#include <signal.h>
#include <stdio.h>

/* Value of a declared parameter: --NAME, --PROG.NAME, --param NAME=V, the Graphalytics
 * properties key, or NULL (default). */
static const char *param_value(cli *c, const amls_vprog *p, int i, const char *props,
                               const char *propkey)
{
    const char *name = p->params[i].name;
    const char *v = cli_get(c, name, NULL);
    if (v)
        return v;
    char dotted[256];
    snprintf(dotted, sizeof dotted, "%s.%s", p->name, name);
    if ((v = cli_get(c, dotted, NULL)))
        return v;
    size_t nl = strlen(name);
    for (int k = 0; k + 1 < c->argc; k++)
        if (strcmp(c->argv[k], "--param") == 0 && strncmp(c->argv[k + 1], name, nl) == 0 &&
            c->argv[k + 1][nl] == '=') {
            c->used[k] = c->used[k + 1] = true;
            return c->argv[k + 1] + nl + 1;
        }
    if (propkey && props) {
        const char *pv = amls_props_get(props, propkey);
        if (pv) {
            /* Props values live in a static buffer: keep a copy per parameter. */
            static _Thread_local char keep[8][256];
            snprintf(keep[i % 8], sizeof keep[0], "%s", pv);
            return keep[i % 8];
        }
    }
    return NULL;
}

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

/* Unknown --param names are errors. */
static int check_params_known(cli *c, const amls_vprog *p)
{
    for (int k = 0; k + 1 < c->argc; k++) {
        if (strcmp(c->argv[k], "--param") != 0 || c->used[k])
            continue;
        const char *eq = strchr(c->argv[k + 1], '=');
        return amls_error(AMLS_ERR_PARAM, "%s: unknown parameter '%.*s' (see 'amls-graph help %s')",
                          p->name, eq ? (int)(eq - c->argv[k + 1]) : (int)strlen(c->argv[k + 1]),
                          c->argv[k + 1], p->name);
    }
    return AMLS_OK;
}

/* The options of a run. */
typedef struct run_args {
    const char *outp, *expected, *rule, *engine, *variant, *ck_dir, *restart, *input;
    bool verify, quiet, as_dir, no_comb, linalg;
    int64_t maxs, top, ck_every, fail_at, fail_rank;
    double timeout;
} run_args;

static int parse_args(cli *c, const amls_vprog *p, const amls_builtin *b, run_args *a)
{
    int rc = AMLS_OK;
    memset(a, 0, sizeof *a);
    a->outp = cli_get(c, "output", "o");
    a->verify = cli_flag(c, "verify");
    a->quiet = cli_flag(c, "quiet");
    a->expected = cli_get(c, "expected", NULL);
    a->rule = cli_get(c, "rule", NULL);
    a->as_dir =
        cli_flag(c, "dir") || (a->outp && a->outp[0] && a->outp[strlen(a->outp) - 1] == '/');
    a->no_comb = cli_flag(c, "no-combiner");
    a->engine = cli_get(c, "engine", NULL);
    a->variant = cli_get(c, "variant", NULL);
    a->linalg = a->engine && !strcmp(a->engine, "linalg");
    a->ck_dir = cli_get(c, "checkpoint-dir", NULL);
    a->restart = cli_get(c, "restart", NULL);
    AMLS_TRY(cli_get_i64(c, "max-supersteps", NULL, 0, &a->maxs));
    AMLS_TRY(cli_get_i64(c, "checkpoint-every", NULL, 0, &a->ck_every));
    AMLS_TRY(cli_get_i64(c, "fail-at-superstep", NULL, -1, &a->fail_at));
    AMLS_TRY(cli_get_i64(c, "fail-rank", NULL, 0, &a->fail_rank));
    AMLS_CHECK(a->ck_every <= 0 || a->ck_dir != NULL, AMLS_ERR_PARAM,
               "--checkpoint-every needs --checkpoint-dir DIR");
    AMLS_CHECK(a->ck_every >= 0, AMLS_ERR_PARAM, "--checkpoint-every must be >= 0");
    AMLS_CHECK(!a->engine || a->linalg || !strcmp(a->engine, "vertex"), AMLS_ERR_PARAM,
               "--engine %s: expected vertex or linalg", a->engine);
    AMLS_CHECK(!a->linalg || b != NULL, AMLS_ERR_PARAM,
               "--engine linalg runs built-in algorithms only");
    AMLS_TRY(cli_get_i64(c, "top", NULL, 0, &a->top));
    AMLS_TRY(cli_get_f64(c, "superstep-timeout", NULL, 0, &a->timeout));
    AMLS_CHECK(a->timeout >= 0 && a->timeout < 1e9, AMLS_ERR_PARAM,
               "--superstep-timeout %g: expected seconds >= 0 (0: none)", a->timeout);
    AMLS_CHECK(p->nparams <= 16, AMLS_ERR_VPROG, "%s declares more than 16 parameters", p->name);
cleanup:
    return rc;
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
                        .stats = c->stats,
                        .superstep_timeout = a->timeout};
    AMLS_TRY(amls_run_program(g, p, &ro, &res->run));
    const amls_run *r = res->run;
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
    size_t at = (size_t)snprintf(buf, cap, "amls-graph %s", c->cmd);
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
    if (a->verify && b == NULL)
        AMLS_AGREE(c->comm, amls_error(AMLS_ERR_UNSUPPORTED,
                                       "--verify needs a built-in algorithm's serial reference"));
    if (a->verify)
        AMLS_TRY(verify(c, &res->v, b, pvals));
cleanup:
    return rc;
}

/* Loads the graph, runs p, writes/verifies. `b` is NULL for plugins. */
int run_vprog(cli *c, const amls_vprog *p, const amls_builtin *b)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_raw_graph props = {0};
    result res = {0};
    run_args a;
    const char *vals[16] = {0};
    amls_param_value pvals[16] = {0};
    rc = parse_args(c, p, b, &a);
    AMLS_AGREE(c->comm, rc < 0 ? rc : cli_output_not_input(a.outp, cli_get(c, "input", "i")));
    bool need_in = (p->flags & AMLS_NEED_IN_EDGES) != 0 || a.linalg;
    bool drop_w = (p->flags & AMLS_NEED_WEIGHTS) == 0;
    CLI_LOAD(cli_load_graph(c, NULL, need_in, drop_w, &g, &props));
    for (int i = 0; i < p->nparams; i++) {
        vals[i] = param_value(c, p, i, props.props, b && i < 4 ? b->props_keys[i] : NULL);
        const char *v = vals[i] ? vals[i] : p->params[i].def;
        pvals[i] = typed_value(&p->params[i], v);
    }
    rc = check_params_known(c, p);
    const char *delta = a.linalg ? cli_get(c, "delta", NULL) : NULL;
    AMLS_AGREE(c->comm, rc < 0 ? rc : cli_check_unused(c));
    a.input = cli_get(c, "input", "i");
    res.pv.input = a.input;
    if (a.ck_every > 0 || a.restart || (a.outp && amls_is_h5_path(a.outp)))
        AMLS_TRY(amls_graph_input_crc32(c->comm, a.input, &res.pv.input_crc32));
    if (a.linalg)
        AMLS_TRY(run_linalg(c, g, p, vals, delta, a.variant, &res));
    else
        AMLS_TRY(run_vertex(c, g, p, &a, vals, &res));
    AMLS_TRY(outputs(c, &a, b, &res, pvals));
cleanup:
    result_free(&res);
    amls_graph_free(&g);
    amls_raw_graph_free(&props);
    return rc;
}

int cmd_algorithm(cli *c)
{
    const amls_builtin *b = amls_builtin_find(c->cmd);
    if (b == NULL)
        return amls_error(AMLS_ERR_NOT_FOUND, "no built-in algorithm '%s'", c->cmd);
    return run_vprog(c, b->get(), b);
}

/* ---- help --------------------------------------------------------------------------------- */

void cli_print_vprog_help(const amls_vprog *p)
{
    printf("%s: %s\n\nparameters:\n", p->name, p->description ? p->description : "");
    if (p->nparams == 0)
        printf("  (none)\n");
    for (int i = 0; i < p->nparams; i++) {
        const amls_param *d = &p->params[i];
        static const char *tn[] = {"", "int", "float", "string", "bool", "vertex"};
        printf("  --%-14s %-7s %s (default: %s)\n", d->name, tn[d->type], d->help ? d->help : "",
               d->def ? d->def : "required");
    }
}

int cmd_help(cli *c)
{
    const char *what = cli_positional(c);
    if (c->rank != 0)
        return AMLS_OK;
    const amls_builtin *b = what ? amls_builtin_find(what) : NULL;
    if (what && strcmp(what, "train") == 0) {
        cmd_train_help();
        return AMLS_OK;
    }
    if (what && strcmp(what, "tune") == 0)
        return cmd_tune_help(c);
    if (b) {
        printf("usage: mpirun -np N amls-graph %s --input GRAPH [options]\n\n", what);
        cli_print_vprog_help(b->get());
    } else {
        printf("usage: mpirun -np N amls-graph COMMAND [options]\n\ncommands:");
        for (const amls_builtin *k = amls_builtins(); k->name; k++)
            printf(" %s", k->name);
        printf(" run info partition generate convert\n"
               "          validate cg linreg logreg als train tune help (amls-graph --help\n"
               "          describes them; 'amls-graph help train' lists the trainer's options;\n"
               "          'amls-graph help ALGORITHM' lists an algorithm's parameters)\n");
    }
    printf(
        "\ngraph options:\n"
        "  --input, -i FILE      edge list (.txt[.gz]), LDBC (NAME.e), .mtx, .graph (METIS),\n"
        "                        .gr (DIMACS) or a generator spec gen:kron:scale=S,...\n"
        "  --format F            edgelist|csv|ldbc|mtx|metis|dimacs (default: from the name)\n"
        "  --delimiter C, --header yes|no|auto, --columns SRC,DST[,W]   csv: the field\n"
        "                        delimiter, header line, and columns by number or name\n"
        "  --directed | --undirected   override the file's convention\n"
        "  --partition P         auto (default) | chunk | metis | ptscotch | hash | range |\n"
        "                        FILE (README: partitioning)\n"
        "  --parts K             number of parts (default: number of ranks)\n"
        "  --dry-run             print the memory each rank will need, load nothing\n"
        "  --memory-limit SIZE   refuse a load needing more than SIZE (e.g. 8G) on a rank\n"
        "run options:\n"
        "  --output, -o PATH     write 'id value' lines (a directory with --dir or a trailing /)\n"
        "  --verify              check against the serial reference (Graphalytics rules)\n"
        "  --expected FILE       check against a reference output (Graphalytics rules;\n"
        "                        --rule exact|equiv|epsilon for plugins)\n"
        "  --max-supersteps N    stop after N supersteps\n"
        "  --superstep-timeout S end the job when a program callback runs more than S seconds\n"
        "  --stats FILE          statistics as JSON, for every command (docs/stats.md);\n"
        "                        draw them with 'amls-graph plot FILE -o OUT.png'\n"
        "  --no-combiner         deliver every message uncombined\n"
        "  --top K               print the K vertices with the largest values\n"
        "  --quiet               no progress lines\n"
        "  --engine E            vertex (default) | linalg (pagerank, wcc, bfs, sssp)\n"
        "  --variant V           with --engine linalg: pagerank blocked|fp32|plain,\n"
        "                        wcc fastsv|frontier|dense, bfs diropt|push|spmspv,\n"
        "                        sssp delta|bellman-ford (the first is the default)\n"
        "  --delta D             sssp --engine linalg: bucket width (default: largest\n"
        "                        weight / average degree, at least the smallest weight)\n");
    return AMLS_OK;
}
