/* ---------------------------------------------------------------------------------------------
 * apps/cli_raw.c — arguments of the commands that parse their own (CLI_RAW: train, tune), by
 * name as they ask for them: --name V, --name=V, -x V; cli_check_unused refuses what nobody
 * asked for. They have no option table yet, so nothing is checked before they run, and they
 * print their own help.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <errno.h>
#include <stdlib.h>

/* Options of the raw commands that take no value. */
static const char *const raw_flags[] = {"verify",        "quiet",  "standardize", "shuffle",
                                        "no-warm-start", "strict", "help",        NULL};

static bool is_flag(const char *name)
{
    for (int i = 0; raw_flags[i]; i++)
        if (strcmp(raw_flags[i], name) == 0)
            return true;
    return false;
}

/* Index of the option's own argv slot, and *val its value (NULL for flags); marks both used. */
static int find_opt(cli *c, const char *name, const char *shortname, const char **val)
{
    size_t nl = strlen(name);
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i], *v = NULL;
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
        if (v == NULL && !is_flag(name) && i + 1 < c->argc) {
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

bool cli_raw_flag(cli *c, const char *name)
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
    if (*v == '\0' || *end != '\0' || x != x)
        return amls_error(AMLS_ERR_PARAM, "option --%s: expected a number, got '%s'", name, v);
    *out = x;
    return AMLS_OK;
}

int cli_check_unused(cli *c)
{
    for (int i = 0; i < c->argc; i++)
        if (!c->used[i])
            return amls_error(AMLS_ERR_PARAM,
                              "%s: unknown option or argument '%s' (see 'amls-graph help %s')",
                              c->cmd->name, c->argv[i], c->cmd->name);
    return AMLS_OK;
}

int cli_raw_parse(cli *c, int argc, char **argv)
{
    int rc = AMLS_OK;
    c->argc = argc;
    c->argv = argv;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            c->help = true;
    AMLS_CALLOC(c->used, argc + 1);
cleanup:
    return rc;
}
