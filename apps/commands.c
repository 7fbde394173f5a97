/* ---------------------------------------------------------------------------------------------
 * apps/commands.c — the list of commands: every built-in algorithm of the registry
 * (algorithms/list.h), each a command of its own, then the commands below. A command is its
 * option table and its function (a cli_command, defined beside its code); adding one is a line
 * here.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include <string.h>

/* The commands besides the built-in algorithms, in the order help lists them. */
static const cli_command *const commands[] = {
    &cli_cmd_run,       &cli_cmd_cg,
    &cli_cmd_linreg,    &cli_cmd_logreg,
    &cli_cmd_als,       &cli_cmd_train,
    &cli_cmd_tune,      &cli_cmd_info,
    &cli_cmd_partition, &cli_cmd_convert,
    &cli_cmd_generate,  &cli_cmd_validate,
    &cli_cmd_plot,      NULL,
};

int cli_all_commands(cli_command *algos, const cli_command **out)
{
    int n = 0;
    for (const amls_builtin *b = amls_builtins(); b->name && n < CLI_MAX_COMMANDS / 2; b++)
        if (cli_algorithm_command(b, &algos[n]) == AMLS_OK) {
            out[n] = &algos[n];
            n++;
        }
    for (int i = 0; commands[i] && n < CLI_MAX_COMMANDS; i++)
        out[n++] = commands[i];
    out[n] = NULL;
    return n;
}

const cli_command *cli_find_command(const cli_command *const *cmds, const char *name)
{
    for (int i = 0; cmds[i]; i++)
        if (strcmp(cmds[i]->name, name) == 0)
            return cmds[i];
    return NULL;
}
