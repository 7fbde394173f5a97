/* ---------------------------------------------------------------------------------------------
 * apps/cli.c — parsing the command line by a command's option table, the checked values, the
 * exit codes, and graph loading.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include "core.h"
#include "embed_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

/* Appends a group's options to c->opt. Local. */
static int add_group(cli *c, const cli_group *g)
{
    for (const cli_opt *o = g->opts; o->name; o++) {
        if (c->nopt == CLI_MAX_OPTS)
            return amls_error(AMLS_ERR_INTERNAL, "%s: more than %d options", c->cmd->name,
                              CLI_MAX_OPTS);
        c->opt[c->nopt++] = o;
    }
    return AMLS_OK;
}

/* Flattens the command's groups, then the statistics group every command has (but
 * CLI_LOCAL), into c->opt. Local. */
static int flatten(cli *c)
{
    int rc = AMLS_OK;
    c->nopt = 0;
    for (const cli_group *const *g = c->cmd->groups; g && *g; g++)
        AMLS_TRY(add_group(c, *g));
    if (!(c->cmd->flags & CLI_LOCAL))
        AMLS_TRY(add_group(c, &cli_stats_group));
cleanup:
    return rc;
}

/* Index of --name (or of -x when name is one letter and shortname matches), or -1. */
static int find_long(const cli *c, const char *name, size_t len)
{
    for (int k = 0; k < c->nopt; k++)
        if (strlen(c->opt[k]->name) == len && strncmp(c->opt[k]->name, name, len) == 0)
            return k;
    return -1;
}

static int find_short(const cli *c, char s)
{
    for (int k = 0; k < c->nopt; k++)
        if (c->opt[k]->shortname == s)
            return k;
    return -1;
}

/* Whether the command names a reason for not taking --name. */
static bool hinted(const cli *c, const char *name, size_t len)
{
    for (const cli_hint *h = c->cmd->hints; h && h->name; h++)
        if (strlen(h->name) == len && strncmp(h->name, name, len) == 0)
            return true;
    return false;
}

/* The reason an option is unknown to this command. */
static int unknown(const cli *c, const char *arg)
{
    const char *name = arg + strspn(arg, "-");
    size_t len = strcspn(name, "=");
    for (const cli_hint *h = c->cmd->hints; h && h->name; h++)
        if (strlen(h->name) == len && strncmp(h->name, name, len) == 0)
            return amls_error(AMLS_ERR_PARAM, "%s: %.*s: %s", c->cmd->name, (int)strcspn(arg, "="),
                              arg, h->why);
    return amls_error(AMLS_ERR_PARAM, "%s: unknown option '%.*s' (see 'amls-graph help %s')",
                      c->cmd->name, (int)strcspn(arg, "="), arg, c->cmd->name);
}

/* Records option k at argv[i] with value v. Local. */
static int take(cli *c, int k, int i, const char *v)
{
    const cli_opt *o = c->opt[k];
    if (c->given[k] && !(o->flags & CLI_REPEAT))
        return amls_error(AMLS_ERR_PARAM, "%s: --%s is given more than once", c->cmd->name,
                          o->name);
    c->given[k] = true;
    c->val[k] = v;
    c->slot[i] = k;
    return AMLS_OK;
}

/* One "--name[=value]" or "-x" at argv[*i]; consumes a separate value. Options a command does
 * not know are left for the program's parameters (CLI_PROGRAM) with their value. Local. */
static int parse_option(cli *c, int *i)
{
    const char *a = c->argv[*i], *v = NULL;
    bool dashdash = a[1] == '-';
    const char *name = a + (dashdash ? 2 : 1);
    size_t len = strcspn(name, "=");
    int k = dashdash ? find_long(c, name, len) : len == 1 ? find_short(c, name[0]) : -1;
    if (name[len] == '=')
        v = name + len + 1;
    if (k < 0 && (!dashdash || !(c->cmd->flags & CLI_PROGRAM) || hinted(c, name, len)))
        return unknown(c, a);
    if (k < 0)
        c->slot[*i] = CLI_SLOT_PARAM; /* a program parameter: matched by cli_check */
    bool flag = k >= 0 && c->opt[k]->kind == CLI_FLAG;
    if (flag && v)
        return amls_error(AMLS_ERR_PARAM, "%s: --%s takes no value", c->cmd->name, c->opt[k]->name);
    if (!flag && v == NULL) {
        if (*i + 1 >= c->argc)
            return amls_error(AMLS_ERR_PARAM, "%s: %s needs a value%s%s", c->cmd->name, a,
                              k >= 0 && c->opt[k]->arg ? " " : "",
                              k >= 0 && c->opt[k]->arg ? c->opt[k]->arg : "");
        v = c->argv[++*i];
        if (k < 0)
            c->slot[*i] = CLI_SLOT_VALUE;
    }
    return k >= 0 ? take(c, k, *i, flag ? "1" : v) : AMLS_OK;
}

int cli_parse(cli *c, int argc, char **argv)
{
    int rc = AMLS_OK;
    if (c->cmd->flags & CLI_RAW)
        return cli_raw_parse(c, argc, argv);
    c->argc = argc;
    c->argv = argv;
    AMLS_TRY(flatten(c));
    AMLS_ALLOC(c->slot, argc + 1);
    for (int i = 0; i < argc; i++)
        c->slot[i] = -1;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            c->help = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            continue;
        if (a[0] == '-' && a[1] != '\0') {
            AMLS_TRY(parse_option(c, &i));
        } else if (c->cmd->positional && c->pos == NULL) {
            c->pos = a;
        } else {
            AMLS_CHECK(c->help, AMLS_ERR_PARAM,
                       "%s: unexpected argument '%s' (see 'amls-graph help %s')", c->cmd->name, a,
                       c->cmd->name);
        }
    }
    for (int k = 0; k < c->nopt; k++)
        if (!c->given[k])
            c->val[k] = c->opt[k]->def;
cleanup:
    return rc;
}

void cli_free(cli *c)
{
    if (c->cmd && c->cmd->release)
        c->cmd->release(c);
    amls__free(c->slot);
    amls__free(c->used);
    amls__free(c->props);
    for (int i = 0; i < CLI_MAX_PARAMS; i++)
        free(c->owned[i]);
    c->slot = NULL;
    c->used = NULL;
    c->props = NULL;
}

/* ---- Checked values ------------------------------------------------------------------------ */

static int lookup(cli *c, const char *name)
{
    for (int k = 0; k < c->nopt; k++)
        if (strcmp(c->opt[k]->name, name) == 0)
            return k;
    if (!c->bug && c->rank == 0)
        fprintf(stderr, "amls-graph %s: internal error: no option --%s in the command's table\n",
                c->cmd->name, name);
    c->bug = true;
    return -1;
}

const char *cli_str(cli *c, const char *name)
{
    int k = lookup(c, name);
    return k < 0 ? NULL : c->val[k];
}

bool cli_flag(cli *c, const char *name)
{
    int k = lookup(c, name);
    return k >= 0 && c->given[k];
}

bool cli_given(cli *c, const char *name)
{
    return cli_flag(c, name);
}

int64_t cli_i64(cli *c, const char *name)
{
    const char *v = cli_str(c, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

double cli_f64(cli *c, const char *name)
{
    const char *v = cli_str(c, name);
    return v ? strtod(v, NULL) : 0.0;
}

const char *cli_next(cli *c, const char *name, int *at)
{
    int k = lookup(c, name);
    for (int i = *at + 1; k >= 0 && i < c->argc; i++)
        if (c->slot[i] == k) {
            *at = i;
            const char *a = c->argv[i];
            size_t n = strlen(name);
            /* the slot holds "--name=value", or the value that followed "--name" */
            bool inline_value = !strncmp(a, "--", 2) && !strncmp(a + 2, name, n) && a[2 + n] == '=';
            return inline_value ? a + 3 + n : a;
        }
    *at = c->argc;
    return NULL;
}

bool cli_output_is_dir(cli *c)
{
    const char *o = cli_str(c, "output");
    size_t n = o ? strlen(o) : 0;
    bool dir = false;
    for (int k = 0; k < c->nopt; k++)
        if (!strcmp(c->opt[k]->name, "dir"))
            dir = c->given[k];
    return n > 0 && (dir || o[n - 1] == '/');
}

/* ---- Exit codes ---------------------------------------------------------------------------- */

int cli_exit_code(int status)
{
    switch (status) {
    case AMLS_OK:
    case AMLS_INFO_NOT_CONVERGED:
    case AMLS_INFO_HALTED:
    case CLI_DRY_RUN:
        return CLI_EXIT_OK;
    case AMLS_INFO_STOPPED:
        return CLI_EXIT_STOPPED;
    case AMLS_ERR_PARAM:
    case AMLS_ERR_INVALID:
    case AMLS_ERR_UNSUPPORTED:
        return CLI_EXIT_USAGE;
    case AMLS_ERR_PARSE:
    case AMLS_ERR_FORMAT:
    case AMLS_ERR_RANGE:
    case AMLS_ERR_HEADER:
    case AMLS_ERR_PARTITION:
    case AMLS_ERR_NOT_FOUND:
    case AMLS_ERR_VPROG:
    case AMLS_ERR_DIM:
    case AMLS_ERR_NOT_SPD:
    case AMLS_ERR_NUMERIC:
    case AMLS_ERR_PLUGIN:
    case AMLS_ERR_ABI:
        return CLI_EXIT_INPUT;
    case AMLS_ERR_IO:
        return CLI_EXIT_IO;
    case AMLS_ERR_VERIFY:
        return CLI_EXIT_VERIFY;
    case AMLS_ERR_DIVERGED:
        return CLI_EXIT_DIVERGED;
    default: /* NOMEM, MPI, METIS, INTERNAL, REMOTE, and anything unknown */
        return CLI_EXIT_INTERNAL;
    }
}

/* ---- Shared helpers ------------------------------------------------------------------------ */
/* True if a and b name the same existing file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cli_output_not_input(const char *out, const char *in)
{
    char sib[4200];
    if (out == NULL || in == NULL || strncmp(in, "gen:", 4) == 0)
        return AMLS_OK;
    if (same_file(out, in))
        return amls_error(AMLS_ERR_PARAM,
                          "the output %s is the input file %s: refusing to "
                          "overwrite it",
                          out, in);
    /* An LDBC graph NAME.e is read with NAME.v and NAME.properties. */
    size_t n = strlen(in);
    if (n > 2 && n < 4096 && strcmp(in + n - 2, ".e") == 0)
        for (int k = 0; k < 2; k++) {
            snprintf(sib, sizeof sib, "%.*s%s", (int)(n - 2), in, k ? ".properties" : ".v");
            if (same_file(out, sib))
                return amls_error(AMLS_ERR_PARAM,
                                  "the output %s is the input file %s: refusing "
                                  "to overwrite it",
                                  out, sib);
        }
    return AMLS_OK;
}

void cli_print(cli *c, const char *fmt, ...)
{
    if (c->rank != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

/* The value of a loading option when the command's table has it, else NULL. */
static const char *maybe(cli *c, const char *name)
{
    for (int k = 0; k < c->nopt; k++)
        if (strcmp(c->opt[k]->name, name) == 0)
            return c->val[k];
    return NULL;
}

/* The delimited-text options: --delimiter C (or tab), --header yes|no|auto (checked by
 * cli_check), --columns SOURCE,TARGET[,WEIGHT]; for --format csv (or a .csv/.tsv input). Local. */
static int csv_options(cli *c, amls_read_opts *ro)
{
    int rc = AMLS_OK;
    const char *d = maybe(c, "delimiter"), *h = maybe(c, "header");
    ro->csv_columns = maybe(c, "columns");
    if (d) {
        bool tab = !strcmp(d, "tab") || !strcmp(d, "\\t") || !strcmp(d, "\t");
        AMLS_CHECK(tab || (strlen(d) == 1 && d[0] != '"' && d[0] != '#'), AMLS_ERR_PARAM,
                   "%s: --delimiter '%s': expected one character, or 'tab'", c->cmd->name, d);
        ro->csv_delimiter = tab ? '\t' : d[0];
    }
    if (h)
        ro->csv_header = !strcmp(h, "yes") ? 1 : !strcmp(h, "no") ? 2 : 0;
cleanup:
    return rc;
}

/* The loading options: --format, --directed/--undirected, --partition, --parts (all checked
 * by cli_check) and the delimited-text ones. Local. */
static int load_options(cli *c, amls_read_opts *ro, amls_build_opts *bo)
{
    const char *fmt = maybe(c, "format"), *part = maybe(c, "partition");
    bool dir = maybe(c, "directed") != NULL, undir = maybe(c, "undirected") != NULL;
    const char *parts = maybe(c, "parts");
    if (fmt && strcmp(fmt, "h5") != 0)
        ro->format = (amls_format)amls_format_parse(fmt);
    ro->direction = dir     ? AMLS_DIRECTION_DIRECTED
                    : undir ? AMLS_DIRECTION_UNDIRECTED
                            : AMLS_DIRECTION_FROM_FILE;
    bo->method = part ? amls_part_method_parse(part) : AMLS_PART_AUTO;
    bo->part_file = part;
    bo->nparts = parts ? (int)strtol(parts, NULL, 10) : 0;
    return csv_options(c, ro);
}

/* "1.5G", "512MiB", "2000000": bytes (K, M, G, T are powers of 1024). Local. */
static int parse_size(const char *s, int64_t *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    double mult = 1;
    if (end && *end) {
        const char *units = "KMGT";
        const char *u = strchr(units, (char)(*end & ~0x20));
        if (u == NULL)
            return amls_error(AMLS_ERR_PARAM, "--memory-limit %s: expected a size such as 8G", s);
        mult = (double)((int64_t)1 << (10 * (u - units + 1)));
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'B' || *end == 'b')
            end++;
    }
    if (end == s || *end != '\0' || !(v > 0) || v * mult > 9e18)
        return amls_error(AMLS_ERR_PARAM, "--memory-limit %s: expected a size such as 8G", s);
    *out = (int64_t)(v * mult);
    return AMLS_OK;
}

static void print_estimate(cli *c, const char *input, const amls_graph_size *sz,
                           const amls_mem_estimate *e, int64_t limit)
{
    double mib = 1048576.0;
    cli_print(c,
              "input: %s\nrecords: %lld (%s)\nvertices: %lld%s\nweighted: %s\ndirected: %s\n"
              "partitioner: %s\nranks: %d\nmemory_rank0_bytes: %lld (%.1f MiB)\n"
              "memory_per_rank_bytes: %lld (%.1f MiB)\nmemory_total_bytes: %lld (%.1f MiB)\n",
              input, (long long)sz->records, sz->exact ? "exact" : "estimated from a sample",
              (long long)sz->vertices, sz->exact ? "" : " (at most)", sz->weighted ? "yes" : "no",
              sz->directed ? "yes" : "no", amls_part_method_name(e->assumed), c->nranks,
              (long long)e->rank0, (double)e->rank0 / mib, (long long)e->per_rank,
              (double)e->per_rank / mib, (long long)e->total, (double)e->total / mib);
    if (limit > 0)
        cli_print(c, "memory_limit_bytes: %lld\nfits: %s\n", (long long)limit,
                  AMLS_MAX(e->rank0, e->per_rank) <= limit ? "yes" : "no");
}

/* --dry-run and --memory-limit: the estimate, before anything is read. Collective. */
static int memory_check(cli *c, const char *input, bool h5, const amls_read_opts *ro,
                        amls_build_opts *bo, const char **part)
{
    int rc = AMLS_OK;
    const char *lim = maybe(c, "memory-limit");
    bool dry = maybe(c, "dry-run") != NULL;
    int64_t limit = 0;
    amls_graph_size sz;
    amls_mem_estimate e;
    if (!dry && lim == NULL)
        return AMLS_OK;
    AMLS_AGREE(c->comm, lim ? parse_size(lim, &limit) : AMLS_OK);
    bo->memory_limit = limit;
    if (h5)
        AMLS_TRY(amls_graph_probe_h5(c->comm, input, &sz));
    else
        AMLS_TRY(amls_graph_probe(c->comm, input, ro, &sz));
    sz.stored = sz.stored && maybe(c, "partition") == NULL;
    amls_graph_estimate(&sz, bo, c->nranks, &e);
    if (dry)
        print_estimate(c, input, &sz, &e, limit);
    int64_t need = AMLS_MAX(e.rank0, e.per_rank);
    AMLS_CHECK(limit == 0 || need <= limit, AMLS_ERR_NOMEM,
               "%s: loading needs about %.1f MiB on %s (the estimate of --dry-run), more than "
               "--memory-limit %s",
               input, (double)need / 1048576.0, e.rank0 > e.per_rank ? "rank 0" : "every rank",
               lim);
    /* The default under a limit METIS on rank 0 would exceed: chunk, as the estimate assumed. */
    if (*part == NULL && limit > 0 && e.assumed == AMLS_PART_CHUNK)
        *part = "chunk";
    rc = dry ? CLI_DRY_RUN : AMLS_OK;
cleanup:
    return rc;
}

int cli_load_graph(cli *c, const char *input, bool need_in_edges, bool drop_weights, amls_graph **g)
{
    int rc = AMLS_OK;
    amls_read_opts ro = {0};
    amls_build_opts bo = {.need_in_edges = need_in_edges, .drop_weights = drop_weights};
    amls_load_info li = {0};
    *g = NULL;
    if (input == NULL)
        input = cli_str(c, "input");
    const char *fmt = maybe(c, "format"), *part = maybe(c, "partition");
    AMLS_AGREE(c->comm, load_options(c, &ro, &bo));
    bool h5 = amls_is_h5_path(input) || (fmt && !strcmp(fmt, "h5"));
    rc = memory_check(c, input, h5, &ro, &bo, &part);
    if (rc != AMLS_OK)
        goto cleanup;
    unsigned lf = (need_in_edges ? AMLS_LOAD_IN_EDGES : 0) |
                  (drop_weights ? AMLS_LOAD_NO_WEIGHTS : 0) |
                  (c->sum_duplicates ? AMLS__LOAD_SUM_DUPLICATES : 0);
    amls__progress_enable(c->comm, maybe(c, "quiet") == NULL);
    AMLS_TRY(amls__graph_load(c->comm, input, fmt, (int)ro.direction, part, bo.nparts, lf, &ro, g,
                              &li, c->stats));
    if (!maybe(c, "quiet") && li.container)
        cli_print(c,
                  "# loaded %s: %lld vertices, %lld edges (%s) in %.3f s from the HDF5 "
                  "container (%s partition, %d parts), %d ranks\n",
                  input, (long long)(*g)->n, (long long)(*g)->edges,
                  (*g)->directed ? "directed" : "undirected", li.seconds, part ? part : "stored",
                  (*g)->nparts, c->nranks);
    else if (!maybe(c, "quiet"))
        cli_print(c,
                  "# loaded %s: %lld vertices, %lld edges (%s) in %.3f s (read %.3f s, build "
                  "%.3f s, partition %s %.3f s), %d ranks\n",
                  input, (long long)(*g)->n, (long long)(*g)->edges,
                  (*g)->directed ? "directed" : "undirected", li.seconds, li.read_seconds,
                  li.build_seconds, amls_part_method_name((*g)->part_method), li.partition_seconds,
                  c->nranks);
cleanup:
    amls__progress_enable(c->comm, false);
    amls_load_info_free(&li);
    return rc;
}
