/* ---------------------------------------------------------------------------------------------
 * apps/main.c — the amls-graph command line: one table of subcommands, and every built-in
 * algorithm of the registry (algorithms/list.h) as a command of its own.
 *
 * Every subcommand is collective and returns a status agreed by all ranks. On failure the rank
 * that found the problem prints one message and every rank exits non-zero.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/version.h"

#include <stdio.h>

typedef struct command {
    const char *name;
    int (*fn)(cli *c);
    const char *help;
} command;

static const command commands[] = {
    {"run", cmd_run, "run a vertex program plugin: run PROG.so --input G"},
    {"cg", cmd_cg, "conjugate gradient for a symmetric positive definite system A x = b"},
    {"linreg", cmd_linreg, "least squares / ridge regression (CG on the normal equations)"},
    {"logreg", cmd_logreg, "L2-regularised logistic regression (L-BFGS)"},
    {"als", cmd_als, "ALS matrix factorisation of a rating graph (MovieLens u.data)"},
    {"train", cmd_train, "mini-batch SGD on a parameter server: BSP, ASP, SSP, backup workers"},
    {"tune", cmd_tune, "hyper-parameter search with k-fold cross-validation over groups of ranks"},
    {"info", cmd_info, "load a graph and print its statistics and partition quality"},
    {"partition", cmd_partition, "compute a partition and write it: --parts K --output FILE"},
    {"convert", cmd_convert,
     "write a graph as the HDF5 container (.h5), Matrix Market (.mtx), CSV or an edge list"},
    {"generate", cmd_generate, "generate a graph: generate kron|uniform|grid --output FILE"},
    {"validate", cmd_validate, "compare an output with a Graphalytics reference output"},
    {"plot", NULL, "plot a --stats file: plot STATS.json -o OUT.png (runs without mpirun)"},
    {"help", cmd_help, "help [COMMAND]: list commands, or the options of one"},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void usage(void)
{
    printf("usage: mpirun -np N amls-graph COMMAND [options]\n\ncommands:\n");
    for (const amls_builtin *b = amls_builtins(); b->name; b++)
        printf("  %-10s %s\n", b->name, b->get()->description ? b->get()->description : "");
    for (int i = 0; i < ncommands; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    printf("\nRun 'amls-graph help COMMAND' for the options of a command.\n");
}

/* The command named `name`: a built-in algorithm or one of the table. */
static bool find_command(const char *name, command *out)
{
    const amls_builtin *b = amls_builtin_find(name);
    if (b) {
        *out = (command){b->name, cmd_algorithm, NULL};
        return true;
    }
    for (int i = 0; i < ncommands; i++)
        if (strcmp(name, commands[i].name) == 0) {
            *out = commands[i];
            return true;
        }
    return false;
}

/* Runs the command on every rank; the rank that failed first prints the message. */
static int run_command(cli *c, const command *cmd, int argc, char **argv)
{
    c->cmd = cmd->name;
    c->argc = argc - 2;
    c->argv = argv + 2;
    c->used = calloc((size_t)c->argc + 1, sizeof *c->used);
    amls_clear_error();
    double t0 = amls__now();
    int rc =
        amls_agree(c->comm, c->used ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    rc = rc < 0 ? rc : cli_stats_begin(c);
    rc = rc < 0 ? rc : amls_agree(c->comm, cmd->fn(c), NULL);
    rc = rc < 0 || c->stats == NULL ? rc : cli_stats_end(c, amls__now() - t0);
    amls_stats_free(&c->stats);
    int who = -1;
    rc = amls_agree(c->comm, rc, &who);
    if (rc < 0 && c->rank == who) {
        const char *msg = amls_last_error();
        fprintf(stderr, "amls-graph %s: error: %s", cmd->name, msg[0] ? msg : amls_strerror(rc));
        /* Memory runs out on one rank: say which, and how much it held. */
        if (rc == AMLS_ERR_NOMEM)
            fprintf(stderr, " (on rank %d of %d, which had used %.0f MB at its peak)", c->rank,
                    c->nranks, (double)amls__peak_rss() / 1e6);
        fprintf(stderr, "\n");
        fflush(stderr);
    }
    free(c->used);
    return rc;
}

int main(int argc, char **argv)
{
    int code = 0;
    command cmd;
    cli c = {.comm = MPI_COMM_WORLD};
    if (argc >= 2 && strcmp(argv[1], "plot") == 0)
        return cli_plot_exec(argc, argv); /* a local job for Python: no MPI */
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        printf("amls-graph %s\n", AMLS_VERSION_STRING);
        return 0;
    }
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS ||
        amls__comm_rank(c.comm, &c.rank, &c.nranks) != AMLS_OK) {
        fprintf(stderr, "amls-graph: MPI could not start\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (c.rank == 0)
            usage();
        code = argc < 2 ? 2 : 0;
    } else if (!find_command(argv[1], &cmd)) {
        if (c.rank == 0)
            fprintf(stderr, "amls-graph: unknown command '%s' (try 'amls-graph help')\n", argv[1]);
        code = 2;
    } else {
        code = run_command(&c, &cmd, argc, argv) < 0 ? 1 : 0;
    }
    if (MPI_Finalize() != MPI_SUCCESS && code == 0)
        code = 1;
    return code;
}
