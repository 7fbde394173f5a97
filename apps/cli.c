/* ---------------------------------------------------------------------------------------------
 * apps/cli.c — option parsing and graph loading for the command line.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include "core.h"
#include "embed_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

static const char *flags[] = {"verify",      "quiet",         "directed", "undirected", "help",
                              "no-combiner", "strict",        "sorted",   "dir",        "degrees",
                              "shuffle",     "no-warm-start", "dry-run",  NULL};

bool cli_is_flag(const char *name)
{
    for (int i = 0; flags[i]; i++)
        if (strcmp(flags[i], name) == 0)
            return true;
    return false;
}

/* Index of the option's own argv slot, and *val its value (NULL for flags). */
static int find_opt(cli *c, const char *name, const char *shortname, const char **val)
{
    size_t nl = strlen(name);
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        const char *v = NULL;
        bool match = false;
        if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, name, nl) == 0 &&
            (a[2 + nl] == '\0' || a[2 + nl] == '=')) {
            match = true;
            if (a[2 + nl] == '=')
                v = a + 3 + nl;
        } else if (shortname && a[0] == '-' && strcmp(a + 1, shortname) == 0) {
            match = true;
        }
        if (!match)
            continue;
        c->used[i] = true;
        if (v == NULL && !cli_is_flag(name) && i + 1 < c->argc) {
            v = c->argv[i + 1];
            c->used[i + 1] = true;
        }
        *val = v;
        return i;
    }
    return -1;
}

const char *cli_get(cli *c, const char *name, const char *shortname)
{
    const char *v = NULL;
    if (find_opt(c, name, shortname, &v) < 0)
        return NULL;
    return v ? v : "";
}

bool cli_flag(cli *c, const char *name)
{
    const char *v = NULL;
    return find_opt(c, name, NULL, &v) >= 0;
}

int cli_get_i64(cli *c, const char *name, const char *shortname, int64_t def, int64_t *out)
{
    const char *v = cli_get(c, name, shortname);
    *out = def;
    if (v == NULL)
        return AMLS_OK;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno)
        return amls_error(AMLS_ERR_PARAM, "option --%s: expected an integer, got '%s'", name, v);
    *out = x;
    return AMLS_OK;
}

int cli_get_f64(cli *c, const char *name, const char *shortname, double def, double *out)
{
    const char *v = cli_get(c, name, shortname);
    *out = def;
    if (v == NULL)
        return AMLS_OK;
    char *end = NULL;
    double x = strtod(v, &end);
    if (*v == '\0' || *end != '\0')
        return amls_error(AMLS_ERR_PARAM, "option --%s: expected a number, got '%s'", name, v);
    *out = x;
    return AMLS_OK;
}

const char *cli_positional(cli *c)
{
    for (int i = 0; i < c->argc; i++) {
        if (c->used[i])
            continue;
        if (c->argv[i][0] == '-')
            continue;
        /* A value following an unconsumed option is not positional. */
        if (i > 0 && !c->used[i - 1] && c->argv[i - 1][0] == '-' &&
            !cli_is_flag(c->argv[i - 1] + (c->argv[i - 1][1] == '-' ? 2 : 1)) &&
            strchr(c->argv[i - 1], '=') == NULL)
            continue;
        c->used[i] = true;
        return c->argv[i];
    }
    return NULL;
}

int cli_check_unused(cli *c)
{
    for (int i = 0; i < c->argc; i++)
        if (!c->used[i])
            return amls_error(AMLS_ERR_PARAM,
                              "%s: unknown option or argument '%s' (see 'amls-graph help %s')",
                              c->cmd, c->argv[i], c->cmd);
    return AMLS_OK;
}

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

/* The delimited-text options: --delimiter C (or tab), --header yes|no|auto, --columns
 * SOURCE,TARGET[,WEIGHT]; only with --format csv (or a .csv/.tsv input). Local. */
static int csv_options(cli *c, amls_read_opts *ro)
{
    int rc = AMLS_OK;
    const char *d = cli_get(c, "delimiter", NULL), *h = cli_get(c, "header", NULL);
    ro->csv_columns = cli_get(c, "columns", NULL);
    if (d) {
        bool tab = !strcmp(d, "tab") || !strcmp(d, "\\t") || !strcmp(d, "\t");
        AMLS_CHECK(tab || (strlen(d) == 1 && d[0] != '"' && d[0] != '#'), AMLS_ERR_PARAM,
                   "--delimiter '%s': expected one character, or 'tab'", d);
        ro->csv_delimiter = tab ? '\t' : d[0];
    }
    if (h) {
        AMLS_CHECK(!strcmp(h, "yes") || !strcmp(h, "no") || !strcmp(h, "auto"), AMLS_ERR_PARAM,
                   "--header %s: expected yes, no or auto", h);
        ro->csv_header = !strcmp(h, "yes") ? 1 : !strcmp(h, "no") ? 2 : 0;
    }
cleanup:
    return rc;
}

/* The loading options: --format, --directed/--undirected, --partition, --parts. Local. */
static int load_options(cli *c, const char *input, amls_read_opts *ro, amls_build_opts *bo)
{
    int rc = AMLS_OK;
    const char *fmt = cli_get(c, "format", NULL), *part = cli_get(c, "partition", NULL);
    int64_t nparts = 0;
    bool dir = cli_flag(c, "directed"), undir = cli_flag(c, "undirected");
    AMLS_TRY(cli_get_i64(c, "parts", NULL, 0, &nparts));
    AMLS_CHECK(input != NULL && *input != '\0', AMLS_ERR_PARAM, "%s: --input FILE is required",
               c->cmd);
    if (fmt && strcmp(fmt, "h5") != 0) {
        int f = amls_format_parse(fmt);
        AMLS_CHECK(f >= 0, AMLS_ERR_PARAM,
                   "--format %s: unknown (expected edgelist, csv, ldbc, mtx, metis, dimacs)", fmt);
        ro->format = (amls_format)f;
    }
    AMLS_CHECK(!(dir && undir), AMLS_ERR_PARAM, "--directed and --undirected exclude each other");
    AMLS_CHECK(nparts >= 0 && nparts <= 1 << 20, AMLS_ERR_PARAM, "--parts %lld: out of range",
               (long long)nparts);
    AMLS_TRY(csv_options(c, ro));
    ro->direction = dir     ? AMLS_DIRECTION_DIRECTED
                    : undir ? AMLS_DIRECTION_UNDIRECTED
                            : AMLS_DIRECTION_FROM_FILE;
    bo->method = part ? amls_part_method_parse(part) : AMLS_PART_AUTO;
    bo->part_file = part;
    bo->nparts = (int)nparts;
cleanup:
    return rc;
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
    const char *lim = cli_get(c, "memory-limit", NULL);
    bool dry = cli_flag(c, "dry-run");
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
    sz.stored = sz.stored && cli_get(c, "partition", NULL) == NULL;
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

int cli_load_graph(cli *c, const char *input, bool need_in_edges, bool drop_weights, amls_graph **g,
                   amls_raw_graph *keep)
{
    int rc = AMLS_OK;
    amls_read_opts ro = {0};
    amls_build_opts bo = {.need_in_edges = need_in_edges, .drop_weights = drop_weights};
    amls_load_info li = {0};
    *g = NULL;
    if (input == NULL)
        input = cli_get(c, "input", "i");
    const char *fmt = cli_get(c, "format", NULL), *part = cli_get(c, "partition", NULL);
    AMLS_AGREE(c->comm, load_options(c, input, &ro, &bo));
    bool h5 = amls_is_h5_path(input) || (fmt && !strcmp(fmt, "h5"));
    rc = memory_check(c, input, h5, &ro, &bo, &part);
    if (rc != AMLS_OK)
        goto cleanup;
    unsigned lf = (need_in_edges ? AMLS_LOAD_IN_EDGES : 0) |
                  (drop_weights ? AMLS_LOAD_NO_WEIGHTS : 0) |
                  (c->sum_duplicates ? AMLS__LOAD_SUM_DUPLICATES : 0);
    amls__progress_enable(c->comm, !cli_flag(c, "quiet"));
    AMLS_TRY(amls__graph_load(c->comm, input, fmt, (int)ro.direction, part, bo.nparts, lf, &ro, g,
                              &li, c->stats));
    if (keep) {
        memset(keep, 0, sizeof *keep);
        keep->props = li.props;
        li.props = NULL;
        keep->weighted = (*g)->weighted;
    }
    if (!cli_flag(c, "quiet") && li.container)
        cli_print(c,
                  "# loaded %s: %lld vertices, %lld edges (%s) in %.3f s from the HDF5 "
                  "container (%s partition, %d parts), %d ranks\n",
                  input, (long long)(*g)->n, (long long)(*g)->edges,
                  (*g)->directed ? "directed" : "undirected", li.seconds, part ? part : "stored",
                  (*g)->nparts, c->nranks);
    else if (!cli_flag(c, "quiet"))
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
