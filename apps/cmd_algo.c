/* ---------------------------------------------------------------------------------------------
 * apps/cmd_algo.c — running vertex programs from the command line (built-ins; plugins share
 * run_vprog), verification against the serial references, and `validate`.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "io/h5util.h"
#include "io/util.h"

#include "amls/algorithms.h"
#include "amls/engine.h"
#include "amls/linalg.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <zlib.h>

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

static int print_top(cli *c, const amls_run *r, int64_t k)
{
    double *f = NULL;
    int64_t *ids = NULL;
    int rc = amls_run_gather(r, 0, &f, NULL);
    if (rc == AMLS_OK)
        rc = amls_graph_gather_ids(r->g, 0, &ids);
    if (rc == AMLS_OK && c->rank == 0) {
        int64_t n = r->g->n;
        k = AMLS_MIN(k, n);
        /* Partial selection: k passes over the values (k is small). */
        for (int64_t t = 0; t < k; t++) {
            int64_t best = -1;
            for (int64_t v = 0; v < n; v++)
                if (!isnan(f[v]) && (best < 0 || f[v] > f[best]))
                    best = v;
            if (best < 0)
                break;
            char buf[64];
            amls_format_value(r->p,
                              r->p->result_type == AMLS_TYPE_F64
                                  ? (void *)&f[best]
                                  : (void *)&(int64_t){(int64_t)f[best]},
                              buf, sizeof buf);
            printf("top %lld: %lld %s\n", (long long)t + 1, (long long)ids[best], buf);
            f[best] = NAN;
        }
    }
    amls__free(f);
    amls__free(ids);
    return rc;
}

static int verify(cli *c, const amls_run *r, const amls_builtin *b, const double *pvals)
{
    amls_csr csr;
    double *af = NULL, *ef = NULL;
    int64_t *ai = NULL, *ei = NULL;
    double t0 = amls__now();
    int rc = amls_graph_gather(r->g, 0, &csr);
    if (rc < 0)
        return rc;
    rc = amls_run_gather(r, 0, &af, &ai);
    if (rc == AMLS_OK && c->rank == 0) {
        ef = amls__malloc((size_t)csr.n + 1, sizeof *ef);
        ei = amls__malloc((size_t)csr.n + 1, sizeof *ei);
        if (ef == NULL || ei == NULL)
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
        else
            rc = b->ref(&csr, pvals, ef, ei);
        if (rc == AMLS_OK) {
            char msg[512];
            int64_t bad = amls_compare(b->rule, csr.n, ef, ei, af, ai, csr.orig, msg, sizeof msg);
            if (bad) {
                printf("verify: FAIL (%lld of %lld vertices differ from the serial reference)\n",
                       (long long)bad, (long long)csr.n);
                rc = amls_error(AMLS_ERR_VERIFY, "%s: verification failed: %lld mismatches; %s",
                                b->name, (long long)bad, msg);
            } else {
                printf("verify: PASS (%lld vertices match the serial reference, %.3f s)\n",
                       (long long)csr.n, amls__now() - t0);
            }
            fflush(stdout);
        }
    }
    amls_csr_free(&csr);
    amls__free(af);
    amls__free(ai);
    amls__free(ef);
    amls__free(ei);
    return amls_agree(c->comm, rc, NULL);
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

/* CRC-32 identifying the input (of the file, or of a generator spec). Collective. */
static int input_identity(cli *c, const char *input, uint32_t *crc)
{
    int64_t size = 0;
    if (strncmp(input, "gen:", 4) == 0) {
        *crc = (uint32_t)crc32(0L, (const Bytef *)input, (uInt)strlen(input));
        return AMLS_OK;
    }
    if (amls_is_h5_path(input)) {
        /* The container records its source's checksum. */
        hid_t f = -1;
        int64_t v = 0;
        int rc = amls__h5_open(c->comm, input, &f);
        if (rc == AMLS_OK)
            rc = amls_agree(c->comm, amls__h5_get_i64(f, "source_crc32", &v), NULL);
        amls__h5_close(&f);
        *crc = (uint32_t)v;
        return rc;
    }
    return amls__file_crc32(c->comm, input, crc, &size);
}

/* Runs a built-in through the linear-algebra path; fills a run whose state array has the same
 * layout as the vertex program's (first field = result). Collective. */
static int run_linalg(cli *c, amls_graph *g, const amls_vprog *p, const double *pvals,
                      const char *variant, amls_run **out)
{
    int rc = AMLS_OK;
    amls_run *r = amls__calloc(1, sizeof *r);
    double t0 = amls__now(), spi = 0;
    int64_t iters = 0;
    *out = NULL;
    if (r) {
        r->g = g;
        r->p = p;
        r->state = amls__calloc((size_t)g->n_local + 1, p->state_size);
    }
    if (r == NULL || r->state == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    if (rc == AMLS_OK && variant && strcmp(p->name, "wcc") != 0)
        rc = amls_error(AMLS_ERR_PARAM, "--variant applies to wcc only");
    if (rc == AMLS_OK && variant && strcmp(variant, "dense") && strcmp(variant, "frontier"))
        rc = amls_error(AMLS_ERR_PARAM, "--variant %s: expected dense or frontier", variant);
    rc = amls_agree(c->comm, rc, NULL);
    if (rc == AMLS_OK) {
        if (!strcmp(p->name, "pagerank"))
            rc = amls_la_pagerank(g, pvals[0], (int64_t)pvals[1], (double *)r->state, &iters, &spi);
        else if (!strcmp(p->name, "wcc"))
            rc = amls_la_wcc(g, variant && !strcmp(variant, "dense") ? 0 : 1, (int64_t *)r->state,
                             &iters);
        else if (!strcmp(p->name, "bfs")) {
            int64_t gid = -1;
            rc = amls_graph_find(g, (amls_vid)pvals[0], &gid);
            if (rc == AMLS_OK && gid < 0)
                rc = amls_agree(c->comm,
                                amls_error(AMLS_ERR_NOT_FOUND, "bfs: --source %lld: no such vertex",
                                           (long long)pvals[0]),
                                NULL);
            if (rc == AMLS_OK)
                rc = amls_la_bfs(g, (amls_vid)pvals[0], (int64_t *)r->state, &iters);
        } else
            rc = amls_agree(c->comm,
                            amls_error(AMLS_ERR_UNSUPPORTED,
                                       "--engine linalg supports pagerank, wcc and bfs, not %s",
                                       p->name),
                            NULL);
    }
    if (rc == AMLS_OK) {
        r->seconds = amls__now() - t0;
        r->supersteps = iters;
        cli_print(c, "algorithm: %s\nengine: linalg\niterations: %lld\nseconds: %.4f\n", p->name,
                  (long long)iters, r->seconds);
        if (spi > 0)
            cli_print(c, "seconds_per_iteration: %.5f\n", spi);
        *out = r;
    } else {
        amls_run_free(&r);
    }
    return rc;
}

static int compare_with_file(cli *c, const amls_run *r, const char *path, amls_rule rule);

/* Loads the graph, runs p, writes/verifies. `b` is NULL for plugins. */
int run_vprog(cli *c, const amls_vprog *p, const amls_builtin *b)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_run *r = NULL;
    amls_raw_graph props = {0};
    const char *vals[16] = {0};
    double pvals[16] = {0};
    int64_t maxs = 0, top = 0;
    const char *outp = cli_get(c, "output", "o");
    const char *stats = cli_get(c, "stats", NULL);
    bool do_verify = cli_flag(c, "verify"), quiet = cli_flag(c, "quiet");
    const char *expected = cli_get(c, "expected", NULL), *rule_s = cli_get(c, "rule", NULL);
    bool as_dir = cli_flag(c, "dir") || (outp && outp[0] && outp[strlen(outp) - 1] == '/');
    bool no_comb = cli_flag(c, "no-combiner");
    const char *engine = cli_get(c, "engine", NULL), *variant = cli_get(c, "variant", NULL);
    bool linalg = engine && !strcmp(engine, "linalg");
    int64_t ck_every = 0, fail_at = -1, fail_rank = 0;
    const char *ck_dir = cli_get(c, "checkpoint-dir", NULL), *restart = cli_get(c, "restart", NULL);
    rc = cli_get_i64(c, "max-supersteps", NULL, 0, &maxs);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "checkpoint-every", NULL, 0, &ck_every);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "fail-at-superstep", NULL, -1, &fail_at);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "fail-rank", NULL, 0, &fail_rank);
    if (rc == AMLS_OK && ck_every > 0 && ck_dir == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "--checkpoint-every needs --checkpoint-dir DIR");
    if (rc == AMLS_OK && ck_every < 0)
        rc = amls_error(AMLS_ERR_PARAM, "--checkpoint-every must be >= 0");
    if (rc == AMLS_OK && engine && !linalg && strcmp(engine, "vertex"))
        rc = amls_error(AMLS_ERR_PARAM, "--engine %s: expected vertex or linalg", engine);
    if (rc == AMLS_OK && linalg && b == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "--engine linalg runs built-in algorithms only");
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "top", NULL, 0, &top);
    if (rc == AMLS_OK && p->nparams > 16)
        rc = amls_error(AMLS_ERR_VPROG, "%s declares more than 16 parameters", p->name);
    rc = amls_agree(c->comm, rc, NULL);
    if (rc < 0)
        return rc;
    bool need_in = (p->flags & AMLS_NEED_IN_EDGES) != 0 || linalg;
    bool drop_w = (p->flags & AMLS_NEED_WEIGHTS) == 0;
    AMLS_TRY(cli_load_graph(c, NULL, need_in, drop_w, &g, &props));
    for (int i = 0; i < p->nparams; i++) {
        vals[i] = param_value(c, p, i, props.props, b && i < 4 ? b->props_keys[i] : NULL);
        const char *v = vals[i] ? vals[i] : p->params[i].def;
        pvals[i] = v ? strtod(v, NULL) : 0;
    }
    rc = check_params_known(c, p);
    if (rc == AMLS_OK)
        rc = cli_check_unused(c);
    AMLS_TRY(amls_agree(c->comm, rc, NULL));
    fault fl = {fail_at, (int)fail_rank};
    amls_run_opts ro = {.max_supersteps = maxs,
                        .quiet = quiet,
                        .no_combiner = no_comb,
                        .stats_path = stats,
                        .param_values = vals,
                        .checkpoint_every = ck_every,
                        .checkpoint_dir = ck_dir,
                        .restart_dir = restart,
                        .on_superstep = fail_at >= 0 ? inject_fault : NULL,
                        .hook_ud = &fl};
    const char *input = cli_get(c, "input", "i");
    uint32_t input_crc = 0;
    if (ck_every > 0 || restart || (outp && amls_is_h5_path(outp)))
        AMLS_TRY(input_identity(c, input, &input_crc));
    ro.input_crc32 = input_crc;
    if (linalg) {
        AMLS_TRY(run_linalg(c, g, p, pvals, variant, &r));
    } else {
        AMLS_TRY(amls_run_program(g, p, &ro, &r));
        int64_t peak = amls__peak_rss(), gpeak = 0;
        MPI_Reduce(&peak, &gpeak, 1, MPI_INT64_T, MPI_MAX, 0, c->comm);
        cli_print(c,
                  "algorithm: %s\nsupersteps: %lld\nseconds: %.4f\nseconds_per_superstep: "
                  "%.5f\nmessages: %lld\nbytes: %lld\ncombiner: %s\npeak_rss_bytes_max: "
                  "%lld\n",
                  p->name, (long long)r->supersteps, r->seconds,
                  r->seconds / (double)AMLS_MAX(r->supersteps, (int64_t)1), (long long)r->messages,
                  (long long)r->bytes, p->combiner.op != AMLS_OP_NONE && !no_comb ? "yes" : "no",
                  (long long)gpeak);
    }
    if (outp && amls_is_h5_path(outp)) {
        char cmdline[2048] = "amls-graph";
        size_t at = strlen(cmdline);
        at += (size_t)snprintf(cmdline + at, sizeof cmdline - at, " %s", c->cmd);
        for (int k = 0; k < c->argc && at < sizeof cmdline - 1; k++)
            at += (size_t)snprintf(cmdline + at, sizeof cmdline - at, " %s", c->argv[k]);
        amls_provenance pv = {.command_line = cmdline, .input = input, .input_crc32 = input_crc};
        AMLS_TRY(amls_run_write_h5(r, outp, &pv));
    } else if (outp) {
        AMLS_TRY(amls_run_write(r, outp, as_dir));
    }
    if (top > 0)
        AMLS_TRY(print_top(c, r, top));
    if (expected) {
        amls_rule rule = b ? b->rule : AMLS_RULE_EXACT;
        if (rule_s)
            rule = !strcmp(rule_s, "equiv")     ? AMLS_RULE_EQUIV
                   : !strcmp(rule_s, "epsilon") ? AMLS_RULE_EPSILON
                                                : AMLS_RULE_EXACT;
        AMLS_TRY(compare_with_file(c, r, expected, rule));
    }
    if (do_verify) {
        if (b == NULL)
            rc = amls_agree(c->comm,
                            amls_error(AMLS_ERR_UNSUPPORTED,
                                       "--verify needs a built-in algorithm's serial reference"),
                            NULL);
        else
            rc = verify(c, r, b, pvals);
    }
cleanup:
    amls_run_free(&r);
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

/* ---- validate ---------------------------------------------------------------------------------
 */

typedef struct kv {
    int64_t id;
    int64_t i;
    double f;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int read_results(const char *path, kv **out, int64_t *n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open", path);
    amls__vec v;
    amls__vec_init(&v, sizeof(kv));
    char line[512], val[128];
    int64_t ln = 0;
    int rc = AMLS_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        long long id;
        if (line[0] == '\n' || line[0] == '#')
            continue;
        if (sscanf(line, "%lld %127s", &id, val) != 2) {
            rc = amls_error(AMLS_ERR_PARSE, "%s:%lld: expected 'id value'", path, (long long)ln);
            break;
        }
        kv e = {.id = id};
        if (!strncasecmp(val, "inf", 3))
            e.f = INFINITY, e.i = INT64_MAX;
        else {
            e.f = strtod(val, NULL);
            e.i = strtoll(val, NULL, 10);
        }
        if ((rc = amls__vec_push(&v, &e)) < 0)
            break;
    }
    fclose(f);
    if (rc < 0) {
        amls__vec_free(&v);
        return rc;
    }
    *n = (int64_t)v.len;
    *out = amls__vec_steal(&v);
    qsort(*out, (size_t)*n, sizeof(kv), cmp_kv);
    return AMLS_OK;
}

/* Compares a run's result with an expected "id value" file by the given rule on rank 0.
 * Collective. */
static int compare_with_file(cli *c, const amls_run *r, const char *path, amls_rule rule)
{
    double *af = NULL;
    int64_t *ai = NULL, *ids = NULL;
    kv *e = NULL;
    int64_t ne = 0;
    int rc = amls_run_gather(r, 0, &af, &ai);
    if (rc == AMLS_OK)
        rc = amls_graph_gather_ids(r->g, 0, &ids);
    if (rc == AMLS_OK && c->rank == 0) {
        rc = read_results(path, &e, &ne);
        if (rc == AMLS_OK && ne != r->g->n)
            rc = amls_error(AMLS_ERR_VERIFY, "%s: %lld vertices expected, the graph has %lld", path,
                            (long long)ne, (long long)r->g->n);
        for (int64_t k = 0; rc == AMLS_OK && k < ne; k++)
            if (e[k].id != ids[k])
                rc = amls_error(AMLS_ERR_VERIFY, "%s: vertex %lld is not in the graph", path,
                                (long long)e[k].id);
        if (rc == AMLS_OK) {
            double *ef = amls__malloc((size_t)ne + 1, sizeof *ef);
            int64_t *ei = amls__malloc((size_t)ne + 1, sizeof *ei);
            if (ef == NULL || ei == NULL) {
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
            } else {
                for (int64_t k = 0; k < ne; k++) {
                    ef[k] = e[k].f;
                    ei[k] = e[k].i;
                }
                char msg[512];
                int64_t bad = amls_compare(rule, ne, ef, ei, af, ai, ids, msg, sizeof msg);
                if (bad)
                    rc =
                        amls_error(AMLS_ERR_VERIFY, "expected %s: FAIL: %lld mismatches; first: %s",
                                   path, (long long)bad, msg);
                else
                    printf("expected: PASS (%lld vertices match %s)\n", (long long)ne, path);
            }
            amls__free(ef);
            amls__free(ei);
        }
    }
    amls__free(af);
    amls__free(ai);
    amls__free(ids);
    amls__free(e);
    return amls_agree(c->comm, rc, NULL);
}

int cmd_validate(cli *c)
{
    const char *exp = cli_get(c, "expected", NULL), *act = cli_get(c, "actual", NULL);
    const char *rule_s = cli_get(c, "rule", NULL), *algo = cli_get(c, "algorithm", NULL);
    int rc = cli_check_unused(c);
    amls_rule rule = 0;
    if (rule_s)
        rule = !strcmp(rule_s, "exact")     ? AMLS_RULE_EXACT
               : !strcmp(rule_s, "equiv")   ? AMLS_RULE_EQUIV
               : !strcmp(rule_s, "epsilon") ? AMLS_RULE_EPSILON
                                            : 0;
    else if (algo && amls_builtin_find(algo))
        rule = amls_builtin_find(algo)->rule;
    if (rc == AMLS_OK && (exp == NULL || act == NULL || rule == 0))
        rc = amls_error(AMLS_ERR_PARAM, "validate: need --expected FILE --actual FILE and --rule "
                                        "exact|equiv|epsilon (or --algorithm NAME)");
    if (rc == AMLS_OK && c->rank == 0) {
        kv *e = NULL, *a = NULL;
        int64_t ne = 0, na = 0;
        rc = read_results(exp, &e, &ne);
        if (rc == AMLS_OK)
            rc = read_results(act, &a, &na);
        if (rc == AMLS_OK && ne != na)
            rc = amls_error(AMLS_ERR_VERIFY, "validate: %lld vertices expected, %lld found",
                            (long long)ne, (long long)na);
        for (int64_t k = 0; rc == AMLS_OK && k < ne; k++)
            if (e[k].id != a[k].id)
                rc = amls_error(AMLS_ERR_VERIFY, "validate: vertex %lld missing from %s",
                                (long long)e[k].id, act);
        if (rc == AMLS_OK) {
            double *ef = amls__malloc((size_t)ne + 1, sizeof *ef),
                   *af = amls__malloc((size_t)ne + 1, sizeof *af);
            int64_t *ei = amls__malloc((size_t)ne + 1, sizeof *ei),
                    *ai = amls__malloc((size_t)ne + 1, sizeof *ai);
            int64_t *ids = amls__malloc((size_t)ne + 1, sizeof *ids);
            for (int64_t k = 0; k < ne; k++) {
                ef[k] = e[k].f, ei[k] = e[k].i, af[k] = a[k].f, ai[k] = a[k].i, ids[k] = e[k].id;
            }
            char msg[512];
            int64_t bad = amls_compare(rule, ne, ef, ei, af, ai, ids, msg, sizeof msg);
            if (bad)
                rc = amls_error(AMLS_ERR_VERIFY, "validate: FAIL: %lld mismatches; first: %s",
                                (long long)bad, msg);
            else
                printf("validate: PASS (%lld vertices)\n", (long long)ne);
            amls__free(ef);
            amls__free(af);
            amls__free(ei);
            amls__free(ai);
            amls__free(ids);
        }
        amls__free(e);
        amls__free(a);
    }
    return amls_agree(c->comm, rc, NULL);
}

/* ---- help --------------------------------------------------------------------------------- */

void print_vprog_help(const amls_vprog *p);
void print_vprog_help(const amls_vprog *p)
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
    if (what && strcmp(what, "tune") == 0)
        return cmd_tune_help(c);
    if (b) {
        printf("usage: mpirun -np N amls-graph %s --input GRAPH [options]\n\n", what);
        print_vprog_help(b->get());
    } else {
        printf("usage: mpirun -np N amls-graph COMMAND [options]\n\n"
               "commands: pagerank wcc bfs sssp cdlp lcc run info partition generate convert\n"
               "          validate cg linreg logreg als tune help (amls-graph --help describes\n"
               "          them; 'amls-graph help ALGORITHM' lists an algorithm's parameters)\n");
    }
    printf(
        "\ngraph options:\n"
        "  --input, -i FILE      edge list (.txt[.gz]), LDBC (NAME.e), .mtx, .graph (METIS),\n"
        "                        .gr (DIMACS) or a generator spec gen:kron:scale=S,...\n"
        "  --format F            edgelist|ldbc|mtx|metis|dimacs (default: from the name)\n"
        "  --directed | --undirected   override the file's convention\n"
        "  --partition P         metis (default) | hash | range | FILE\n"
        "  --parts K             number of parts (default: number of ranks)\n"
        "run options:\n"
        "  --output, -o PATH     write 'id value' lines (a directory with --dir or a trailing /)\n"
        "  --verify              check against the serial reference (Graphalytics rules)\n"
        "  --expected FILE       check against a reference output (Graphalytics rules;\n"
        "                        --rule exact|equiv|epsilon for plugins)\n"
        "  --max-supersteps N    stop after N supersteps\n"
        "  --stats FILE          per-superstep statistics as JSON\n"
        "  --no-combiner         deliver every message uncombined\n"
        "  --top K               print the K vertices with the largest values\n"
        "  --quiet               no progress lines\n");
    return AMLS_OK;
}
