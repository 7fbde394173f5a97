/* ---------------------------------------------------------------------------------------------
 * apps/cli_stats.c — `--stats FILE` for every command: the document is started before the
 * command runs (after checking that FILE can be written), the command and the library add their
 * sections, and it is written like a result when the command has succeeded.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* FILE's directory exists and is writable, and FILE is not a directory. Local. */
static int check_writable(const char *path)
{
    char dir[4096];
    struct stat st;
    if (*path == '\0')
        return amls_error(AMLS_ERR_PARAM, "--stats: empty file name");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return amls_error(AMLS_ERR_IO, "--stats %s: is a directory", path);
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return amls_error(AMLS_ERR_IO, "--stats %s: directory %s does not exist", path, dir);
    if (access(dir, W_OK) != 0)
        return amls_error(AMLS_ERR_IO, "--stats %s: directory %s is not writable: %s", path, dir,
                          strerror(errno));
    return AMLS_OK;
}

/* The command line and its options as given ("options": {name: value or true}). Local. */
static int record_options(cli *c)
{
    int rc = AMLS_OK;
    char line[4096];
    size_t at = (size_t)snprintf(line, sizeof line, "amls-graph %s", c->cmd);
    for (int k = 0; k < c->argc && at < sizeof line - 1; k++)
        at += (size_t)snprintf(line + at, sizeof line - at, " %s", c->argv[k]);
    AMLS_TRY(amls_stats_set_str(c->stats, NULL, "command_line", line));
    for (int k = 0; k < c->argc; k++) {
        const char *a = c->argv[k];
        if (a[0] != '-' || a[1] != '-')
            continue;
        char name[256];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
        if (eq)
            AMLS_TRY(amls_stats_set_str(c->stats, "options", name, eq + 1));
        else if (!cli_is_flag(name) && k + 1 < c->argc)
            AMLS_TRY(amls_stats_set_str(c->stats, "options", name, c->argv[++k]));
        else
            AMLS_TRY(amls_stats_set_bool(c->stats, "options", name, true));
    }
cleanup:
    return rc;
}

int cli_stats_begin(cli *c)
{
    int rc = AMLS_OK;
    const char *path = cli_get(c, "stats", NULL);
    if (path == NULL)
        return AMLS_OK;
    AMLS_AGREE(c->comm, c->rank == 0 ? check_writable(path) : AMLS_OK);
    AMLS_AGREE(c->comm, amls_stats_new(c->comm, c->cmd, &c->stats));
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
    AMLS_TRY(amls_stats_write(c->stats, cli_get(c, "stats", NULL)));
cleanup:
    return rc;
}
