/* ---------------------------------------------------------------------------------------------
 * apps/main.c — the amls-graph command line: one table of subcommands.
 * SPDX-License-Identifier: MIT
 *
 * Every subcommand is collective and returns a status agreed by all ranks. On failure the rank
 * that found the problem prints one message and every rank exits non-zero.
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "io/util.h"

#include <stdio.h>

typedef struct command {
    const char *name;
    int (*fn)(cli *c);
    const char *help;
} command;

static const command commands[] = {
    {"pagerank", cmd_algorithm, "PageRank (Graphalytics PR) with the vertex engine"},
    {"wcc", cmd_algorithm, "weakly connected components"},
    {"bfs", cmd_algorithm, "breadth-first search hop counts from --source"},
    {"sssp", cmd_algorithm, "single-source shortest paths (edge weights) from --source"},
    {"cdlp", cmd_algorithm, "community detection by label propagation"},
    {"lcc", cmd_algorithm, "local clustering coefficient"},
    {"run", cmd_run, "run a vertex program plugin: run PROG.so --input G"},
    {"cg", cmd_cg, "conjugate gradient for a symmetric positive definite system A x = b"},
    {"linreg", cmd_linreg, "least squares / ridge regression (CG on the normal equations)"},
    {"logreg", cmd_logreg, "L2-regularised logistic regression (L-BFGS)"},
    {"als", cmd_als, "ALS matrix factorisation of a rating graph (MovieLens u.data)"},
    {"tune", cmd_tune, "hyper-parameter search with k-fold cross-validation over groups of ranks"},
    {"info", cmd_info, "load a graph and print its statistics and partition quality"},
    {"partition", cmd_partition, "compute a partition and write it: --parts K --output FILE"},
    {"convert", cmd_convert, "write a graph into the HDF5 container: --input G --output G.h5"},
    {"generate", cmd_generate, "generate a graph: generate kron|uniform|grid --output FILE"},
    {"validate", cmd_validate, "compare an output with a Graphalytics reference output"},
    {"help", cmd_help, "help [COMMAND]: list commands, or the options of one"},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void usage(void)
{
    printf("usage: mpirun -np N amls-graph COMMAND [options]\n\ncommands:\n");
    for (int i = 0; i < ncommands; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    printf("\nRun 'amls-graph help COMMAND' for the options of a command.\n");
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    cli c = {.comm = MPI_COMM_WORLD};
    MPI_Comm_rank(c.comm, &c.rank);
    MPI_Comm_size(c.comm, &c.nranks);
    int rc = AMLS_OK;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (c.rank == 0)
            usage();
        MPI_Finalize();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        if (c.rank == 0)
            printf("amls-graph 0.1.0\n");
        MPI_Finalize();
        return 0;
    }
    const command *cmd = NULL;
    for (int i = 0; i < ncommands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (cmd == NULL) {
        if (c.rank == 0)
            fprintf(stderr, "amls-graph: unknown command '%s' (try 'amls-graph help')\n", argv[1]);
        MPI_Finalize();
        return 2;
    }
    c.cmd = cmd->name;
    c.argc = argc - 2;
    c.argv = argv + 2;
    c.used = calloc((size_t)c.argc + 1, sizeof *c.used);
    amls_clear_error();
    rc = cmd->fn(&c);
    int who = -1;
    rc = amls_agree(c.comm, rc, &who);
    if (rc < 0 && c.rank == who) {
        const char *msg = amls_last_error();
        fprintf(stderr, "amls-graph %s: error: %s\n", cmd->name, msg[0] ? msg : amls_strerror(rc));
        fflush(stderr);
    }
    free(c.used);
    MPI_Finalize();
    return rc < 0 ? 1 : 0;
}
