/* ---------------------------------------------------------------------------------------------
 * apps/main.c — the amls-graph command line: finds the command (apps/commands.c), runs it and
 * turns its status into the exit code.
 *
 * A command runs in three steps: its arguments are parsed and checked against its table
 * (unknown options, values, ranges, required options, files readable, outputs writable, a
 * program's parameters) before any input is read; then the command runs; then its status
 * becomes the exit code (cli_exit_code). Every step is collective and agreed by all ranks: on
 * failure the rank that found the problem prints one message and every rank exits with the
 * same code. With --stats FILE (every command) the statistics document is started after the
 * checks and written once the command has succeeded (cli_stats.c). `--version` and `plot` run
 * without MPI.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/version.h"

#include <stdio.h>

/* The command's help (after loading its program when one is named). Collective. */
static int print_help(cli *c)
{
    int rc = AMLS_OK;
    if (c->cmd->flags & CLI_RAW)
        return c->cmd->help(c);
    if (c->cmd->program && (c->cmd->positional == NULL || c->pos))
        AMLS_TRY(c->cmd->program(c));
    if (c->rank == 0)
        cli_help_command(stdout, c);
cleanup:
    return rc;
}

/* Parses, checks and runs a command. Collective; every rank returns the same status. */
static int run_command(cli *c, int argc, char **argv)
{
    int rc = AMLS_OK;
    double t0 = amls__now();
    amls_clear_error();
    AMLS_AGREE(c->comm, cli_parse(c, argc, argv));
    if (c->help) {
        AMLS_AGREE(c->comm, print_help(c));
        goto cleanup;
    }
    AMLS_TRY(cli_check(c));
    AMLS_TRY(cli_stats_begin(c));
    rc = c->cmd->run(c);
    if (c->bug && rc >= 0)
        rc = amls_error(AMLS_ERR_INTERNAL, "%s: an option is missing from the table", c->cmd->name);
    rc = amls_agree(c->comm, rc, NULL);
    if (rc >= 0 && c->stats)
        AMLS_TRY(cli_stats_end(c, amls__now() - t0));
cleanup:
    amls_stats_free(&c->stats);
    return rc;
}

/* One line on the rank that failed first, naming the command. */
static void report(const cli *c, int rc)
{
    int who = amls_error_rank();
    if (rc >= 0 || c->rank != (who < 0 ? 0 : who))
        return;
    const char *msg = amls_last_error();
    fprintf(stderr, "amls-graph %s: error: %s", c->cmd->name, msg[0] ? msg : amls_strerror(rc));
    /* Memory runs out on one rank: say which, and how much it held. */
    if (rc == AMLS_ERR_NOMEM)
        fprintf(stderr, " (on rank %d of %d, which had used %.0f MB at its peak)", c->rank,
                c->nranks, (double)amls__peak_rss() / 1e6);
    fprintf(stderr, "\n");
    fflush(stderr);
}

/* `amls-graph`, `amls-graph help`, `--help` and unknown commands. Returns the
 * exit code, or -1 when argv names a command to run (*cmd, and *help for `help CMD`). */
static int top_level(int rank, int argc, char **argv, const cli_command *const *cmds,
                     const cli_command **cmd, int *shift)
{
    bool help = argc >= 2 &&
                (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    *shift = 2;
    if (argc < 2 || (help && (argc == 2 || !strcmp(argv[2], "help")))) {
        if (rank == 0)
            cli_help_commands(argc < 2 ? stderr : stdout, cmds);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *name = help ? argv[2] : argv[1];
    *cmd = cli_find_command(cmds, name);
    if (*cmd == NULL) {
        if (rank == 0)
            fprintf(stderr, "amls-graph: error: unknown command '%s' (try 'amls-graph help')\n",
                    name);
        return CLI_EXIT_USAGE;
    }
    *shift = help ? 3 : 2;
    return -1;
}

int main(int argc, char **argv)
{
    cli c = {.comm = MPI_COMM_WORLD};
    cli_command algos[CLI_MAX_COMMANDS];
    const cli_command *cmds[CLI_MAX_COMMANDS + 1], *cmd = NULL;
    int shift = 2;
    /* Without MPI: the version, and plot (a local job for Python, parsed by its table). */
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
        printf("amls-graph %s\n", AMLS_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "plot"))
        return cli_plot_exec(argc, argv);
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS ||
        amls__comm_rank(c.comm, &c.rank, &c.nranks) != AMLS_OK) {
        fprintf(stderr, "amls-graph: MPI could not start\n");
        return CLI_EXIT_INTERNAL;
    }
    cli_all_commands(algos, cmds);
    int code = top_level(c.rank, argc, argv, cmds, &cmd, &shift);
    if (code < 0) {
        c.cmd = cmd;
        c.help = shift == 3; /* help CMD ARGS... is CMD ARGS... --help */
        int rc = run_command(&c, argc - shift, argv + shift);
        report(&c, rc);
        code = cli_exit_code(rc);
        cli_free(&c);
    }
    if (MPI_Finalize() != MPI_SUCCESS && code == 0)
        code = CLI_EXIT_INTERNAL;
    return code;
}
