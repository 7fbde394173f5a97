/* ---------------------------------------------------------------------------------------------
 * apps/cli.h — option parsing and shared helpers of the amls-graph command line.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/algorithms.h"
#include "amls/embed.h"
#include "amls/engine.h"

#include <stdbool.h>

typedef struct cli {
    MPI_Comm comm;
    int rank, nranks;
    int argc;
    char **argv; /* options after the subcommand (and positional arguments) */
    bool *used;  /* argv[i] consumed */
    const char *cmd;
    bool sum_duplicates; /* cli_load_graph reads a matrix: repeated entries are summed */
    amls_stats *stats;   /* --stats FILE: the command's statistics document, or NULL */
} cli;

/* Value of --name (or -short), NULL if absent. "--name=value" and "--name value" both work. */
const char *cli_get(cli *c, const char *name, const char *shortname);
/* True if the flag --name is present. */
bool cli_flag(cli *c, const char *name);
/* Typed getters: return AMLS_ERR_PARAM with a message on a malformed value. */
int cli_get_i64(cli *c, const char *name, const char *shortname, int64_t def, int64_t *out);
int cli_get_f64(cli *c, const char *name, const char *shortname, double def, double *out);
/* First unconsumed positional argument (not starting with -), consumed; NULL if none. */
const char *cli_positional(cli *c);
/* Fails (AMLS_ERR_PARAM) naming the first option no one consumed. Local. */
int cli_check_unused(cli *c);
/* True if the named option takes no value. */
bool cli_is_flag(const char *name);

/* Loads a graph (`input`, or --input when NULL) into a distributed graph with --format,
 * --directed/--undirected, --partition and --parts. Prints load time on rank 0 unless --quiet.
 * Before reading anything, --dry-run prints the memory each rank will need and returns
 * CLI_DRY_RUN (nothing loaded), and --memory-limit SIZE refuses a load whose estimate exceeds
 * SIZE on some rank. Collective. */
#define CLI_DRY_RUN 100
/* rc = cli_load_graph(...), leaving for cleanup unless it loaded (errors and --dry-run). */
#define CLI_LOAD(call)                                                                             \
    do {                                                                                           \
        rc = (call);                                                                               \
        if (rc != AMLS_OK)                                                                         \
            goto cleanup;                                                                          \
    } while (0)
int cli_load_graph(cli *c, const char *input, bool need_in_edges, bool drop_weights, amls_graph **g,
                   amls_raw_graph *keep_raw_props);

/* Refuses (AMLS_ERR_PARAM) an output path that names the input file (or, for an LDBC graph,
 * its .v or .properties). NULL arguments pass. Local. */
int cli_output_not_input(const char *out, const char *in);

/* rank-0 printf. */
void cli_print(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loads the graph, runs the program, writes, verifies (b == NULL for plugins). Collective. */
int run_vprog(cli *c, const amls_vprog *p, const amls_builtin *b);
/* Compares values with an "id value" file by a rule on rank 0. Collective. */
int cli_compare_file(cli *c, const amls_values *v, const char *path, amls_rule rule);
/* "exact", "equiv", "epsilon" (0 if unknown); def when s is NULL. */
amls_rule cli_rule_parse(const char *s, amls_rule def);
/* Prints a program's description and parameters (rank 0 calls it). */
void cli_print_vprog_help(const amls_vprog *p);

int cmd_info(cli *c);
int cmd_partition(cli *c);
int cmd_convert(cli *c);
int cmd_generate(cli *c);
int cmd_validate(cli *c);
int cmd_algorithm(cli *c);
int cmd_run(cli *c);
int cmd_help(cli *c);
int cmd_cg(cli *c);
int cmd_linreg(cli *c);
int cmd_logreg(cli *c);
int cmd_als(cli *c);
int cmd_train(cli *c);
void cmd_train_help(void);
int cmd_tune(cli *c);
int cmd_tune_help(cli *c);

/* `amls-graph plot STATS.json ...`: runs the Python plotting module (before MPI starts; never
 * returns on success). Returns the exit code on failure. */
int cli_plot_exec(int argc, char **argv);
/* --stats FILE: checks before the command runs that FILE can be written (its directory exists
 * and is writable, FILE is not a directory) and starts the document. Collective. */
int cli_stats_begin(cli *c);
/* Completes the document (total time, memory) and writes it. Collective. */
int cli_stats_end(cli *c, double seconds);
