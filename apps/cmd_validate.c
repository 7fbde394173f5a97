/* ---------------------------------------------------------------------------------------------
 * apps/cmd_validate.c — comparing results with reference outputs ("id value" files) by the
 * Graphalytics rules: `validate` for two files, and --expected for a run.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/algorithms.h"

#include <math.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

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

/* An "id value" file, sorted by id. Local. */
static int read_results(const char *path, kv **out, int64_t *n)
{
    int rc = AMLS_OK;
    amls__vec v;
    amls__vec_init(&v, sizeof(kv));
    char line[512], val[128];
    int64_t ln = 0;
    int fd = -1;
    FILE *f = NULL;
    AMLS_TRY(amls__open_read(path, &fd));
    f = fdopen(fd, "r");
    AMLS_CHECK(f != NULL, AMLS_ERR_IO, "%s: cannot open", path);
    fd = -1;
    while (fgets(line, sizeof line, f)) {
        ln++;
        long long id;
        if (line[0] == '\n' || line[0] == '#')
            continue;
        AMLS_CHECK(sscanf(line, "%lld %127s", &id, val) == 2, AMLS_ERR_PARSE,
                   "%s:%lld: expected 'id value'", path, (long long)ln);
        kv e = {.id = id, .i = INT64_MAX, .f = INFINITY};
        if (strncasecmp(val, "inf", 3) != 0) {
            e.f = strtod(val, NULL);
            e.i = strtoll(val, NULL, 10);
        }
        AMLS_TRY(amls__vec_push(&v, &e));
    }
    *n = (int64_t)v.len;
    *out = amls__vec_steal(&v);
    qsort(*out, (size_t)*n, sizeof(kv), cmp_kv);
cleanup:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    amls__vec_free(&v);
    return rc;
}

/* The values of n entries as the arrays amls_compare takes (ids optional). Local. */
static int unzip(const kv *e, int64_t n, double **f, int64_t **i, int64_t **ids)
{
    int rc = AMLS_OK;
    AMLS_ALLOC(*f, n + 1);
    AMLS_ALLOC(*i, n + 1);
    if (ids)
        AMLS_ALLOC(*ids, n + 1);
    for (int64_t k = 0; k < n; k++) {
        (*f)[k] = e[k].f;
        (*i)[k] = e[k].i;
        if (ids)
            (*ids)[k] = e[k].id;
    }
cleanup:
    return rc;
}

/* Every id of `want` (sorted) in `have`, in the same order. */
static int same_ids(const kv *want, const int64_t *have, int64_t n, const char *what)
{
    for (int64_t k = 0; k < n; k++)
        if (want[k].id != have[k])
            return amls_error(AMLS_ERR_VERIFY, "%s: vertex %lld is not in the graph", what,
                              (long long)want[k].id);
    return AMLS_OK;
}

/* Rank 0: the expected file against the gathered values. Local. */
static int compare_gathered(const char *path, amls_rule rule, int64_t n, const double *af,
                            const int64_t *ai, const int64_t *ids)
{
    int rc = AMLS_OK;
    kv *e = NULL;
    int64_t ne = 0, *ei = NULL;
    double *ef = NULL;
    char msg[512];
    AMLS_TRY(read_results(path, &e, &ne));
    AMLS_CHECK(ne == n, AMLS_ERR_VERIFY, "%s: %lld vertices expected, the graph has %lld", path,
               (long long)ne, (long long)n);
    AMLS_TRY(same_ids(e, ids, ne, path));
    AMLS_TRY(unzip(e, ne, &ef, &ei, NULL));
    int64_t bad = amls_compare(rule, ne, ef, ei, af, ai, ids, msg, sizeof msg);
    AMLS_CHECK(bad == 0, AMLS_ERR_VERIFY, "expected %s: FAIL: %lld mismatches; first: %s", path,
               (long long)bad, msg);
    printf("expected: PASS (%lld vertices match %s)\n", (long long)ne, path);
cleanup:
    amls__free(e);
    amls__free(ef);
    amls__free(ei);
    return rc;
}

int cli_compare_file(cli *c, const amls_values *v, const char *path, amls_rule rule)
{
    int rc = AMLS_OK;
    double *af = NULL;
    int64_t *ai = NULL, *ids = NULL;
    AMLS_TRY(amls_values_gather(v, 0, &af, &ai));
    AMLS_TRY(amls_graph_gather_ids(v->g, 0, &ids));
    AMLS_AGREE(c->comm,
               c->rank == 0 ? compare_gathered(path, rule, v->g->n, af, ai, ids) : AMLS_OK);
cleanup:
    amls__free(af);
    amls__free(ai);
    amls__free(ids);
    return rc;
}

/* Rank 0: two files by a rule. Local. */
static int validate_files(const char *exp, const char *act, amls_rule rule)
{
    int rc = AMLS_OK;
    kv *e = NULL, *a = NULL;
    int64_t ne = 0, na = 0, *ei = NULL, *ai = NULL, *ids = NULL;
    double *ef = NULL, *af = NULL;
    char msg[512];
    AMLS_TRY(read_results(exp, &e, &ne));
    AMLS_TRY(read_results(act, &a, &na));
    AMLS_CHECK(ne == na, AMLS_ERR_VERIFY, "validate: %lld vertices expected, %lld found",
               (long long)ne, (long long)na);
    for (int64_t k = 0; k < ne; k++)
        AMLS_CHECK(e[k].id == a[k].id, AMLS_ERR_VERIFY, "validate: vertex %lld missing from %s",
                   (long long)e[k].id, act);
    AMLS_TRY(unzip(e, ne, &ef, &ei, &ids));
    AMLS_TRY(unzip(a, na, &af, &ai, NULL));
    int64_t bad = amls_compare(rule, ne, ef, ei, af, ai, ids, msg, sizeof msg);
    AMLS_CHECK(bad == 0, AMLS_ERR_VERIFY, "validate: FAIL: %lld mismatches; first: %s",
               (long long)bad, msg);
    printf("validate: PASS (%lld vertices)\n", (long long)ne);
cleanup:
    amls__free(e);
    amls__free(a);
    amls__free(ef);
    amls__free(af);
    amls__free(ei);
    amls__free(ai);
    amls__free(ids);
    return rc;
}

amls_rule cli_rule_parse(const char *s, amls_rule def)
{
    return s == NULL               ? def
           : !strcmp(s, "exact")   ? AMLS_RULE_EXACT
           : !strcmp(s, "equiv")   ? AMLS_RULE_EQUIV
           : !strcmp(s, "epsilon") ? AMLS_RULE_EPSILON
                                   : 0;
}

static int cmd_validate(cli *c)
{
    int rc = AMLS_OK;
    const char *algo = cli_str(c, "algorithm");
    const amls_builtin *b = algo ? amls_builtin_find(algo) : NULL;
    amls_rule rule = cli_rule_parse(cli_str(c, "rule"), b ? b->rule : 0);
    AMLS_AGREE(c->comm, c->rank == 0
                            ? validate_files(cli_str(c, "expected"), cli_str(c, "actual"), rule)
                            : AMLS_OK);
cleanup:
    return rc;
}

/* A rule, directly or through a known algorithm. Local. */
static int check_validate(cli *c)
{
    const char *algo = cli_str(c, "algorithm");
    if (algo && amls_builtin_find(algo) == NULL)
        return amls_error(AMLS_ERR_PARAM, "validate: --algorithm %s: no such built-in algorithm",
                          algo);
    if (!algo && !cli_given(c, "rule"))
        return amls_error(AMLS_ERR_PARAM, "validate: give --rule exact|equiv|epsilon or "
                                          "--algorithm NAME");
    return AMLS_OK;
}

static const cli_group validate_group = {
    "validate options",
    (const cli_opt[]){
        {"expected", 0, CLI_IN, "FILE", .help = "the reference output ('id value' lines)",
         .flags = CLI_REQUIRED},
        {"actual", 0, CLI_IN, "FILE", .help = "the output to check", .flags = CLI_REQUIRED},
        {"rule", 0, CLI_CHOICE, "R",
         .help = "exact (integers), equiv (same grouping), epsilon (1e-4 relative)",
         .choices = "exact|equiv|epsilon", .def_text = "the --algorithm's"},
        {"algorithm", 0, CLI_TEXT, "NAME", .help = "a built-in algorithm, whose rule applies"},
        {0}}};
static const cli_group *const validate_table[] = {&validate_group, NULL};
const cli_command cli_cmd_validate = {
    .name = "validate",
    .usage = "--expected FILE --actual FILE (--rule R | --algorithm NAME)",
    .summary = "compare an output with a Graphalytics reference output",
    .about = "Compares two 'id value' files by a Graphalytics rule; exit code 5 when they differ.",
    .groups = validate_table,
    .check = check_validate,
    .run = cmd_validate};
