/* ---------------------------------------------------------------------------------------------
 * apps/cli.c — option parsing and graph loading for the command line.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include "core.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static const char *flags[] = {"verify",      "quiet",         "directed", "undirected", "help",
                              "no-combiner", "strict",        "sorted",   "dir",        "degrees",
                              "shuffle",     "no-warm-start", NULL};

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
                   "--format %s: unknown (expected edgelist, ldbc, mtx, metis, dimacs)", fmt);
        ro->format = (amls_format)f;
    }
    AMLS_CHECK(!(dir && undir), AMLS_ERR_PARAM, "--directed and --undirected exclude each other");
    AMLS_CHECK(nparts >= 0 && nparts <= 1 << 20, AMLS_ERR_PARAM, "--parts %lld: out of range",
               (long long)nparts);
    ro->direction = dir     ? AMLS_DIRECTION_DIRECTED
                    : undir ? AMLS_DIRECTION_UNDIRECTED
                            : AMLS_DIRECTION_FROM_FILE;
    bo->method = part ? amls_part_method_parse(part) : AMLS_PART_METIS;
    bo->part_file = part;
    bo->nparts = (int)nparts;
cleanup:
    return rc;
}

int cli_load_graph(cli *c, const char *input, bool need_in_edges, bool drop_weights, amls_graph **g,
                   amls_raw_graph *keep)
{
    int rc = AMLS_OK;
    amls_read_opts ro = {0};
    amls_build_opts bo = {0};
    amls_load_info li = {0};
    *g = NULL;
    if (input == NULL)
        input = cli_get(c, "input", "i");
    const char *fmt = cli_get(c, "format", NULL), *part = cli_get(c, "partition", NULL);
    AMLS_AGREE(c->comm, load_options(c, input, &ro, &bo));
    unsigned lf =
        (need_in_edges ? AMLS_LOAD_IN_EDGES : 0) | (drop_weights ? AMLS_LOAD_NO_WEIGHTS : 0);
    AMLS_TRY(amls_graph_load(c->comm, input, fmt, (int)ro.direction, part, bo.nparts, lf, g, &li,
                             c->stats));
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
                  li.build_seconds, amls_part_method_name(bo.method), li.partition_seconds,
                  c->nranks);
cleanup:
    amls_load_info_free(&li);
    return rc;
}
