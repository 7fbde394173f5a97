/* ---------------------------------------------------------------------------------------------
 * apps/cli_stats.c — `--stats FILE` for every command (the option group cli_stats_group, which
 * every option table gets): the document is started before the command runs, the command and
 * the library add their sections, and it is written like a result when the command has
 * succeeded. cli_check has already checked that FILE can be written; commands that parse their
 * own arguments (CLI_RAW) are checked here.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <stdio.h>

/* --stats FILE, or NULL. */
static const char *stats_path(cli *c)
{
    if (c->cmd->flags & CLI_LOCAL)
        return NULL;
    return (c->cmd->flags & CLI_RAW) ? cli_get(c, "stats", NULL) : cli_str(c, "stats");
}

/* An option's value into "options": true for flags. Local. */
static int record_one(cli *c, const char *name, const char *value)
{
    if (value == NULL)
        return amls_stats_set_bool(c->stats, "options", name, true);
    return amls_stats_set_str(c->stats, "options", name, value);
}

/* The options of a command that parses its own: "--name=V", "--name V" (V not an option) or a
 * flag. Local. */
static int record_raw(cli *c)
{
    int rc = AMLS_OK;
    for (int k = 0; k < c->argc; k++) {
        const char *a = c->argv[k];
        if (a[0] != '-' || a[1] != '-')
            continue;
        char name[256];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
        const char *next = k + 1 < c->argc ? c->argv[k + 1] : NULL;
        bool has_value = eq == NULL && next && strncmp(next, "--", 2) != 0;
        AMLS_TRY(record_one(c, name, eq ? eq + 1 : has_value ? c->argv[++k] : NULL));
    }
cleanup:
    return rc;
}

/* The command line and its options as given ("options": {name: value or true}); a program's
 * parameters are among them. Local. */
static int record_options(cli *c)
{
    int rc = AMLS_OK;
    char line[4096];
    size_t at = (size_t)snprintf(line, sizeof line, "amls-graph %s", c->cmd->name);
    for (int k = 0; k < c->argc && at < sizeof line - 1; k++)
        at += (size_t)snprintf(line + at, sizeof line - at, " %s", c->argv[k]);
    AMLS_TRY(amls_stats_set_str(c->stats, NULL, "command_line", line));
    if (c->cmd->flags & CLI_RAW)
        return record_raw(c);
    for (int k = 0; k < c->nopt; k++)
        if (c->given[k])
            AMLS_TRY(
                record_one(c, c->opt[k]->name, c->opt[k]->kind == CLI_FLAG ? NULL : c->val[k]));
    for (int i = 0; i < c->argc; i++) /* a program's parameters: --NAME V or --NAME=V */
        if (c->slot[i] == CLI_SLOT_PARAM) {
            const char *a = c->argv[i] + 2, *eq = strchr(a, '=');
            char name[256];
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
            AMLS_TRY(record_one(c, name, eq ? eq + 1 : i + 1 < c->argc ? c->argv[i + 1] : ""));
        }
cleanup:
    return rc;
}

int cli_stats_begin(cli *c)
{
    int rc = AMLS_OK;
    const char *path = stats_path(c);
    if (path == NULL)
        return AMLS_OK;
    if (c->cmd->flags & CLI_RAW)
        AMLS_AGREE(c->comm, c->rank == 0 ? cli_check_writable(c, "--stats", path) : AMLS_OK);
    AMLS_AGREE(c->comm, amls_stats_new(c->comm, c->cmd->name, &c->stats));
    AMLS_AGREE(c->comm, record_options(c));
cleanup:
    if (rc < 0)
        amls_stats_free(&c->stats);
    return rc;
}

int cli_stats_end(cli *c, double seconds)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_stats_add_memory(c->stats));
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "time", "total_seconds", seconds));
    AMLS_TRY(amls_stats_write(c->stats, stats_path(c)));
cleanup:
    return rc;
}
