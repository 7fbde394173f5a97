/* ---------------------------------------------------------------------------------------------
 * apps/cli_check.c — everything the command line checks before a command reads its input:
 * values against the option table (types, ranges, choices), required options, a vertex
 * program's parameters (also from an LDBC .properties file), files readable and outputs
 * writable.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Values -------------------------------------------------------------------------------- */

bool cli_in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; p && *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        p += len + (p[len] == '|');
    }
    return false;
}

/* How a message names an option: "--name", or a positional argument by its value's name. */
static const char *label(const cli *c, const cli_opt *o, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s", o == c->cmd->positional ? "" : "--",
             o == c->cmd->positional ? o->arg : o->name);
    return buf;
}

void cli_range_text(const cli_opt *o, char *buf, size_t cap)
{
    bool open = (o->flags & CLI_OPEN_MIN) != 0;
    buf[0] = '\0';
    if (o->kind == CLI_RANK)
        snprintf(buf, cap, "0..ranks-1");
    else if ((o->kind != CLI_INT && o->kind != CLI_NUM) || !(o->min < o->max))
        return;
    else if (o->max >= 1e12)
        snprintf(buf, cap, "%s %.15g", open ? ">" : ">=", o->min);
    else
        snprintf(buf, cap, "%s%.15g..%.15g", open ? "above " : "", o->min, o->max);
}

/* "CMD: --name VALUE: what". */
static int bad_value(const cli *c, const cli_opt *o, const char *v, const char *what)
{
    char lb[80];
    return amls_error(AMLS_ERR_PARAM, "%s: %s %s: %s", c->cmd->name, label(c, o, lb, sizeof lb), v,
                      what);
}

static int check_int(const cli *c, const cli_opt *o, const char *v)
{
    char *end = NULL, range[64], what[96];
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno)
        return bad_value(c, o, v, "expected an integer");
    cli_range_text(o, range, sizeof range);
    snprintf(what, sizeof what, "out of range (%s)", range);
    if (o->min < o->max && ((double)x < o->min || (double)x > o->max))
        return bad_value(c, o, v, what);
    return AMLS_OK;
}

static int check_num(const cli *c, const cli_opt *o, const char *v)
{
    char *end = NULL, range[64], what[96];
    double x = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || isnan(x))
        return bad_value(c, o, v, "expected a number");
    bool open = (o->flags & CLI_OPEN_MIN) != 0;
    cli_range_text(o, range, sizeof range);
    snprintf(what, sizeof what, "out of range (%s)", range);
    if (o->min < o->max && ((open ? x <= o->min : x < o->min) || x > o->max))
        return bad_value(c, o, v, what);
    return AMLS_OK;
}

int cli_check_value(const cli *c, const cli_opt *o, const char *v)
{
    amls_gen_spec spec;
    char what[160];
    switch (o->kind) {
    case CLI_FLAG:
        return AMLS_OK;
    case CLI_INT:
        return check_int(c, o, v);
    case CLI_RANK:
        snprintf(what, sizeof what, "expected a rank, 0..%d", c->nranks - 1);
        if (check_int(c, o, v) < 0 || strtoll(v, NULL, 10) < 0 || strtoll(v, NULL, 10) >= c->nranks)
            return bad_value(c, o, v, what);
        return AMLS_OK;
    case CLI_NUM:
        return check_num(c, o, v);
    case CLI_CHOICE:
        snprintf(what, sizeof what, "expected %s", o->choices);
        return cli_in_choices(o->choices, v) ? AMLS_OK : bad_value(c, o, v, what);
    case CLI_GRAPH:
        if (strncmp(v, "gen:", 4) == 0 && amls_gen_spec_parse(v, &spec) < 0) {
            snprintf(what, sizeof what, "%s", amls_last_error());
            return bad_value(c, o, v, what);
        }
        /* fall through */
    default:
        return *v ? AMLS_OK : bad_value(c, o, v, "empty value");
    }
}

/* Every given value, and every required option. Local. */
static int check_values(cli *c)
{
    int rc = AMLS_OK;
    for (int k = 0; k < c->nopt; k++) {
        const cli_opt *o = c->opt[k];
        if (!c->given[k]) {
            AMLS_CHECK(!(o->flags & CLI_REQUIRED), AMLS_ERR_PARAM, "%s: --%s%s%s is required",
                       c->cmd->name, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            continue;
        }
        int at = -1; /* each occurrence of a repeated option */
        for (const char *v; (v = cli_next(c, o->name, &at)) != NULL;)
            AMLS_TRY(cli_check_value(c, o, v));
    }
cleanup:
    return rc;
}

/* The positional argument: given when required, and valid. Local. */
static int check_positional(cli *c)
{
    const cli_opt *o = c->cmd->positional;
    if (o && c->pos)
        return cli_check_value(c, o, c->pos);
    if (o && (o->flags & CLI_REQUIRED))
        return amls_error(AMLS_ERR_PARAM, "%s: %s is required (usage: amls-graph %s %s)",
                          c->cmd->name, o->arg, c->cmd->name, c->cmd->usage);
    return AMLS_OK;
}

/* ---- A vertex program's parameters --------------------------------------------------------- */

/* Index of the program's parameter `name` ("NAME" or "PROG.NAME", len bytes), or -1. */
static int param_index(const amls_vprog *p, const char *name, size_t len)
{
    size_t pl = strlen(p->name);
    if (len > pl + 1 && strncmp(name, p->name, pl) == 0 && name[pl] == '.') {
        name += pl + 1;
        len -= pl + 1;
    }
    for (int i = 0; i < p->nparams; i++)
        if (strlen(p->params[i].name) == len && strncmp(p->params[i].name, name, len) == 0)
            return i;
    return -1;
}

static int set_param(cli *c, int i, const char *v)
{
    if (c->pval[i])
        return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s is given more than once",
                          c->cmd->name, c->prog->params[i].name);
    c->pval[i] = v;
    return AMLS_OK;
}

/* The .properties text beside an LDBC Graphalytics input (NULL when there is none). Local. */
static int read_props(cli *c, const char *input)
{
    int rc = AMLS_OK;
    char base[4096], path[4200];
    FILE *f = NULL;
    snprintf(base, sizeof base, "%s", input);
    char *dot = strrchr(base, '.');
    if (dot && (!strcmp(dot, ".e") || !strcmp(dot, ".v") || !strcmp(dot, ".properties")))
        *dot = '\0';
    snprintf(path, sizeof path, "%s.properties", base);
    if ((f = fopen(path, "r")) == NULL)
        goto cleanup; /* no properties: no defaults */
    amls__vec txt;
    amls__vec_init(&txt, 1);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && rc == AMLS_OK)
        rc = amls__vec_append(&txt, buf, n);
    if (rc == AMLS_OK)
        rc = amls__vec_append(&txt, "", 1);
    if (rc == AMLS_OK)
        c->props = amls__vec_steal(&txt);
    amls__vec_free(&txt);
cleanup:
    if (f)
        fclose(f);
    return rc;
}

/* Defaults from an LDBC Graphalytics .properties file for the parameters not given. Local. */
static int props_defaults(cli *c)
{
    int rc = AMLS_OK;
    const char *input = cli_str(c, "input"), *fmt = cli_str(c, "format");
    bool ldbc = fmt ? !strcmp(fmt, "ldbc") : amls_format_from_name(input) == AMLS_FORMAT_LDBC;
    if (c->builtin == NULL || !ldbc)
        return AMLS_OK;
    AMLS_TRY(read_props(c, input));
    for (int i = 0; i < c->prog->nparams && i < 4 && c->props; i++) {
        const char *key = c->builtin->props_keys[i];
        const char *v = key ? amls_props_get(c->props, key) : NULL;
        if (c->pval[i] == NULL && v != NULL) {
            /* amls_props_get returns a static buffer: keep a copy in the props text's place */
            char *copy = strdup(v);
            AMLS_CHECK(copy != NULL, AMLS_ERR_NOMEM, "out of memory");
            c->pval[i] = copy;
            c->owned[i] = copy;
        }
    }
cleanup:
    return rc;
}

/* The program's parameters by name: --NAME V, --PROG.NAME V, --param NAME=V. Local. */
static int match_params(cli *c)
{
    int rc = AMLS_OK;
    const amls_vprog *p = c->prog;
    AMLS_CHECK(p->nparams <= CLI_MAX_PARAMS, AMLS_ERR_VPROG, "%s declares more than %d parameters",
               p->name, CLI_MAX_PARAMS);
    for (int i = 0; i < c->argc; i++) {
        if (c->slot[i] != CLI_SLOT_PARAM)
            continue;
        const char *name = c->argv[i] + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = param_index(p, name, len);
        if (k < 0) {
            const char *a = c->argv[i];
            return amls_error(AMLS_ERR_PARAM,
                              "%s: unknown option '%.*s' (see 'amls-graph help %s')", c->cmd->name,
                              (int)strcspn(a, "="), a, c->cmd->name);
        }
        AMLS_TRY(set_param(c, k, eq ? eq + 1 : c->argv[i + 1]));
    }
    int at = -1;
    for (const char *kv; (kv = cli_next(c, "param", &at)) != NULL;) {
        const char *eq = strchr(kv, '=');
        int k = eq ? param_index(p, kv, (size_t)(eq - kv)) : -1;
        AMLS_CHECK(eq != NULL, AMLS_ERR_PARAM, "%s: --param %s: expected NAME=VALUE", c->cmd->name,
                   kv);
        AMLS_CHECK(k >= 0, AMLS_ERR_PARAM,
                   "%s: unknown parameter '%.*s' (see 'amls-graph help %s')", c->cmd->name,
                   (int)(eq - kv), kv, c->cmd->name);
        AMLS_TRY(set_param(c, k, eq + 1));
    }
cleanup:
    return rc;
}

/* Their values, with defaults from an LDBC .properties file: the engine's own checks
 * (required, type, range). Local. */
static int param_values(cli *c)
{
    int rc = props_defaults(c);
    return rc < 0 ? rc : amls_params_check(c->prog, c->pval);
}

/* ---- Files --------------------------------------------------------------------------------- */

/* A file to read. */
static int readable(const cli *c, const char *opt, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return amls_error(AMLS_ERR_IO, "%s: %s %s: cannot read: %s", c->cmd->name, opt, path,
                          strerror(errno));
    if (S_ISDIR(st.st_mode))
        return amls_error(AMLS_ERR_IO, "%s: %s %s: is a directory, not a file", c->cmd->name, opt,
                          path);
    return AMLS_OK;
}

/* A directory to write into: it exists and is writable, or its parent is. */
static int dir_writable(const cli *c, const char *opt, const char *path)
{
    char d[4096], parent[4096];
    struct stat st;
    snprintf(d, sizeof d, "%s", path);
    for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
        d[n - 1] = '\0';
    if (stat(d, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return amls_error(AMLS_ERR_IO, "%s: %s %s: exists and is not a directory", c->cmd->name,
                              opt, path);
        if (access(d, W_OK | X_OK) != 0)
            return amls_error(AMLS_ERR_IO, "%s: %s %s: cannot write into it: %s", c->cmd->name, opt,
                              path, strerror(errno));
        return AMLS_OK;
    }
    snprintf(parent, sizeof parent, "%s", d);
    const char *up = dirname(parent);
    if (access(up, W_OK | X_OK) != 0)
        return amls_error(AMLS_ERR_IO, "%s: %s %s: cannot create it in '%s': %s", c->cmd->name, opt,
                          path, up, strerror(errno));
    return AMLS_OK;
}

/* A file to write: not a directory, in a writable directory. */
int cli_check_writable(const cli *c, const char *opt, const char *path)
{
    char d[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return amls_error(AMLS_ERR_IO, "%s: %s %s: is a directory%s", c->cmd->name, opt, path,
                          strcmp(opt, "--output") == 0 ? " (for one part file per rank in it, add "
                                                         "--dir or a trailing '/')"
                                                       : "");
    snprintf(d, sizeof d, "%s", path);
    const char *up = dirname(d);
    if (access(up, W_OK | X_OK) != 0)
        return amls_error(AMLS_ERR_IO, "%s: %s %s: cannot write into the directory '%s': %s",
                          c->cmd->name, opt, path, up,
                          errno == ENOENT ? "it does not exist" : strerror(errno));
    return AMLS_OK;
}

/* A graph: gen:SPEC needs nothing; LDBC needs NAME.e and NAME.v. */
static int graph_readable(cli *c, const char *opt, const char *path)
{
    const char *fmt = NULL;
    for (int k = 0; k < c->nopt; k++)
        if (!strcmp(c->opt[k]->name, "format"))
            fmt = c->val[k];
    if (strncmp(path, "gen:", 4) == 0)
        return AMLS_OK;
    bool ldbc = fmt ? !strcmp(fmt, "ldbc") : amls_format_from_name(path) == AMLS_FORMAT_LDBC;
    if (!ldbc)
        return readable(c, opt, path);
    char base[4096], f[4200];
    snprintf(base, sizeof base, "%s", path);
    char *dot = strrchr(base, '.');
    if (dot && (!strcmp(dot, ".e") || !strcmp(dot, ".v") || !strcmp(dot, ".properties")))
        *dot = '\0';
    int rc = AMLS_OK;
    snprintf(f, sizeof f, "%s.e", base);
    AMLS_TRY(readable(c, opt, f));
    snprintf(f, sizeof f, "%s.v", base);
    AMLS_TRY(readable(c, opt, f));
cleanup:
    return rc;
}

/* One option's file or directory. Local (rank 0). */
static int check_path(cli *c, const cli_opt *o, const char *v)
{
    char opt[80];
    bool positional = o == c->cmd->positional;
    snprintf(opt, sizeof opt, "%s%s", positional ? "" : "--", o->name);
    switch (o->kind) {
    case CLI_IN:
        return readable(c, opt, v);
    case CLI_GRAPH:
        return graph_readable(c, opt, v);
    case CLI_PART:
        if (!strcmp(v, "auto") || !strcmp(v, "chunk") || !strcmp(v, "metis") ||
            !strcmp(v, "ptscotch") || !strcmp(v, "hash") || !strcmp(v, "range"))
            return AMLS_OK;
        return readable(c, opt, v);
    case CLI_IN_DIR: {
        struct stat st;
        if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode) || access(v, R_OK | X_OK) != 0)
            return amls_error(AMLS_ERR_IO, "%s: %s %s: not a readable directory", c->cmd->name, opt,
                              v);
        return AMLS_OK;
    }
    case CLI_OUT_DIR:
        return dir_writable(c, opt, v);
    case CLI_OUT:
        return !strcmp(o->name, "output") && cli_output_is_dir(c) ? dir_writable(c, opt, v)
                                                                  : cli_check_writable(c, opt, v);
    default:
        return AMLS_OK;
    }
}

static int check_paths(cli *c)
{
    int rc = AMLS_OK;
    for (int k = 0; k < c->nopt; k++) {
        int at = -1;
        for (const char *v; (v = cli_next(c, c->opt[k]->name, &at)) != NULL;)
            AMLS_TRY(check_path(c, c->opt[k], v));
    }
cleanup:
    return rc;
}

int cli_check(cli *c)
{
    int rc = AMLS_OK;
    if (c->cmd->flags & CLI_RAW)
        return AMLS_OK; /* the command checks its own arguments */
    const cli_opt *pos = c->cmd->positional;
    AMLS_AGREE(c->comm, check_positional(c));
    AMLS_AGREE(c->comm, c->rank == 0 && pos && c->pos ? check_path(c, pos, c->pos) : AMLS_OK);
    /* A program's parameters are options too: unknown names are the first thing to report.
     * (A plugin's are known once it is loaded.) */
    if (c->cmd->program) {
        AMLS_TRY(c->cmd->program(c));
        AMLS_AGREE(c->comm, match_params(c));
    }
    AMLS_AGREE(c->comm, check_values(c));
    if (c->cmd->check)
        AMLS_AGREE(c->comm, c->cmd->check(c));
    AMLS_AGREE(c->comm, c->rank == 0 ? check_paths(c) : AMLS_OK);
    if (c->cmd->program)
        AMLS_AGREE(c->comm, param_values(c));
cleanup:
    return rc;
}
