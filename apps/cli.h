/* ---------------------------------------------------------------------------------------------
 * apps/cli.h — the amls-graph command line: option tables, the parser that checks them, help,
 * exit codes and shared helpers.
 * SPDX-License-Identifier: MIT
 *
 * Every command has one option table (a list of option groups, some shared between commands).
 * The table is the only place its options live: the parser accepts exactly those, checks their
 * values (type, range, choice, files readable, outputs writable) before the command runs, and
 * help prints it. Commands read the checked values with cli_str/cli_i64/cli_f64/cli_flag.
 * Adding a command is its table (a cli_command) and one line in main.c's list.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/algorithms.h"
#include "amls/embed.h"
#include "amls/engine.h"

#include <stdbool.h>

/* What an option's value is. The parser checks it; a command never sees a bad value. */
typedef enum cli_kind {
    CLI_FLAG = 1, /* no value */
    CLI_TEXT,     /* any non-empty text */
    CLI_INT,      /* an integer in [min, max] */
    CLI_NUM,      /* a number (never NaN) in [min, max]; CLI_OPEN_MIN excludes min */
    CLI_CHOICE,   /* one of `choices`, "a|b|c" */
    CLI_RANK,     /* an integer in 0 .. number of ranks - 1 */
    CLI_IN,       /* a file to read: exists, is not a directory, is readable */
    CLI_IN_DIR,   /* a directory to read */
    CLI_OUT,      /* a file to write: its directory exists and is writable (with --dir or a
                     trailing '/': a directory of part files) */
    CLI_OUT_DIR,  /* a directory to write into: exists and is writable, or can be created */
    CLI_GRAPH,    /* a graph: a readable file (LDBC: NAME.e and NAME.v), a container, gen:SPEC */
    CLI_PART,     /* a partitioner (metis, hash, range) or a readable partition file */
} cli_kind;

#define CLI_REQUIRED 0x1u /* must be given */
#define CLI_REPEAT   0x2u /* may be given more than once (cli_next) */
#define CLI_OPEN_MIN 0x4u /* CLI_NUM: min itself is not allowed */

typedef struct cli_opt {
    const char *name; /* --name */
    char shortname;   /* -x, or 0 */
    cli_kind kind;
    const char *arg;  /* the value's name in help: FILE, N, ... */
    const char *def;  /* the value when absent (NULL: none) */
    const char *help; /* one line */
    double min, max;  /* CLI_INT, CLI_NUM */
    const char *choices;
    unsigned flags;       /* CLI_REQUIRED, CLI_REPEAT, CLI_OPEN_MIN */
    const char *def_text; /* help's default when def is NULL ("the number of ranks") */
} cli_opt;

/* A titled group of options, terminated by an entry with name NULL. */
typedef struct cli_group {
    const char *title;
    const cli_opt *opts;
} cli_group;

/* An option a command does not take, with the reason to give ("--verify" for plugins). */
typedef struct cli_hint {
    const char *name, *why;
} cli_hint;

typedef struct cli cli;

#define CLI_PROGRAM 0x1u /* the command runs a vertex program: its parameters are options */
#define CLI_RAW                                                                                    \
    0x2u               /* the command parses its own arguments (cli_raw.c) and prints its own      \
                          help (`help`); it has no option table yet: train, tune */
#define CLI_LOCAL 0x4u /* runs without MPI (plot): no --stats, no mpirun in its usage */

typedef struct cli_command {
    const char *name;
    const char *usage;              /* after "amls-graph NAME " */
    const char *summary;            /* one line for the command list */
    const char *about;              /* a paragraph for the command's help, or NULL */
    const cli_group *const *groups; /* the command's option table, NULL-terminated */
    const cli_opt *positional;      /* its positional argument, or NULL */
    int (*run)(cli *c);
    /* Rules between options, after each value was checked; local, before anything is read. */
    int (*check)(cli *c);
    /* CLI_PROGRAM: sets c->prog (and c->builtin) before the parameters are checked; for `run`
     * it loads the plugin named by the positional argument. Collective. */
    int (*program)(cli *c);
    void (*release)(cli *c); /* frees what program() made */
    const cli_hint *hints;   /* NULL-terminated, or NULL */
    unsigned flags;
    int (*help)(cli *c); /* CLI_RAW: prints the command's help on rank 0 */
} cli_command;

enum { CLI_MAX_OPTS = 64, CLI_MAX_PARAMS = 16 };
enum { CLI_SLOT_NONE = -1, CLI_SLOT_PARAM = -2, CLI_SLOT_VALUE = -3 }; /* cli.slot beside options */

struct cli {
    MPI_Comm comm;
    int rank, nranks;
    const cli_command *cmd;
    int argc;
    char **argv;                      /* the arguments after the command */
    bool help;                        /* --help or -h was given */
    const cli_opt *opt[CLI_MAX_OPTS]; /* the command's table, flattened */
    int nopt;
    int *slot; /* per argv entry: the option whose value it holds, or CLI_SLOT_* */
    const char *val[CLI_MAX_OPTS]; /* the last value given, or the default; NULL: absent */
    bool given[CLI_MAX_OPTS];
    const char *pos; /* the positional argument, or NULL */
    /* Vertex programs (CLI_PROGRAM): the program, and its parameter values as given on the
     * command line or, for an LDBC Graphalytics input, in its .properties file. */
    const amls_vprog *prog;
    const amls_builtin *builtin; /* NULL for plugins */
    void *plugin;                /* amls_plugin of `run` */
    const char *pval[CLI_MAX_PARAMS];
    char *props;                 /* the .properties text the defaults came from, or NULL */
    char *owned[CLI_MAX_PARAMS]; /* pval copies taken from props */
    bool bug;                    /* a command asked for an option its table lacks */
    bool *used;                  /* CLI_RAW: argv[i] was asked for */
    amls_stats *stats;           /* --stats FILE: the command's statistics document, or NULL */
    bool sum_duplicates;         /* cli_load_graph reads a matrix: repeated entries are summed */
};

/* ---- Parsing and checking (cli.c, cli_check.c). -------------------------------------------- */
/* Splits argv into options and the positional argument by c->cmd's table: unknown options,
 * options given twice, missing values and stray arguments are usage errors (AMLS_ERR_PARAM).
 * Local and deterministic: every rank gets the same verdict. */
int cli_parse(cli *c, int argc, char **argv);
/* Everything checkable before loading: values (types, ranges, choices), required options,
 * the program's parameters (c->prog), files readable and outputs writable. Collective. */
int cli_check(cli *c);
/* An INT/NUM/RANK option's range as help and messages show it ("" when unbounded). */
void cli_range_text(const cli_opt *o, char *buf, size_t cap);
/* Whether v is one of "a|b|c". */
bool cli_in_choices(const char *choices, const char *v);
/* FILE can be written: not a directory, its directory exists and is writable. opt names the
 * option in the message ("--stats"). Local. */
int cli_check_writable(const cli *c, const char *opt, const char *path);
/* Checks one value against its option (local, no file system access). */
int cli_check_value(const cli *c, const cli_opt *o, const char *v);
void cli_free(cli *c);

/* ---- Checked values. Asking for an option the command's table lacks is a bug (c->bug). ---- */
const char *cli_str(cli *c, const char *name); /* NULL when absent with no default */
bool cli_flag(cli *c, const char *name);
bool cli_given(cli *c, const char *name);
int64_t cli_i64(cli *c, const char *name); /* 0 when absent with no default */
double cli_f64(cli *c, const char *name);
/* The values of a CLI_REPEAT option in order: start with *at = -1; NULL after the last. */
const char *cli_next(cli *c, const char *name, int *at);
/* --output is a directory of part files (--dir or a trailing '/'). */
bool cli_output_is_dir(cli *c);

/* ---- Commands that parse their own arguments (CLI_RAW; cli_raw.c). ------------------------ */
/* Keeps argv; --help or -h sets c->help. Nothing is checked: the command asks for each value. */
int cli_raw_parse(cli *c, int argc, char **argv);
/* The value of --name (or -shortname), "" for a flag, NULL if absent; marks it used. */
const char *cli_get(cli *c, const char *name, const char *shortname);
bool cli_raw_flag(cli *c, const char *name);
/* Typed values (def when absent); AMLS_ERR_PARAM with a message on a malformed one. */
int cli_get_i64(cli *c, const char *name, const char *shortname, int64_t def, int64_t *out);
int cli_get_f64(cli *c, const char *name, const char *shortname, double def, double *out);
/* AMLS_ERR_PARAM naming the first argument nobody asked for. Local. */
int cli_check_unused(cli *c);

/* ---- Help (cli_help.c). ----------------------------------------------------------------- */
/* The command list (`amls-graph help`, `amls-graph --help`). */
void cli_help_commands(FILE *f, const cli_command *const *cmds);
/* A command's help: usage, description, its program's parameters, every option with its
 * default. `amls-graph CMD --help` and `amls-graph help CMD` both print it. */
void cli_help_command(FILE *f, const cli *c);

/* ---- Exit codes. ------------------------------------------------------------------------- */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_INTERNAL = 1, /* out of memory, an MPI failure, a bug */
    CLI_EXIT_USAGE = 2,    /* unknown command or option, bad value, missing parameter */
    CLI_EXIT_INPUT = 3,    /* an input is malformed: graph, matrix, partition, plugin, vertex */
    CLI_EXIT_IO = 4,       /* a file could not be opened, read or written */
    CLI_EXIT_VERIFY = 5,   /* --verify, --expected or validate found a mismatch */
    CLI_EXIT_DIVERGED = 6, /* a solver did not converge and --strict was given */
    CLI_EXIT_STOPPED = 7,  /* stopped on SIGUSR1 after writing a checkpoint (resume it) */
};
/* The exit code of a command's status. */
int cli_exit_code(int status);

/* ---- Shared helpers. ---------------------------------------------------------------------- */
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
int cli_load_graph(cli *c, const char *input, bool need_in_edges, bool drop_weights,
                   amls_graph **g);
/* Refuses (AMLS_ERR_PARAM) an output path that names the input file (or, for an LDBC graph,
 * its .v or .properties). NULL arguments pass. Local. */
int cli_output_not_input(const char *out, const char *in);

/* rank-0 printf. */
void cli_print(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compares values with an "id value" file by a rule on rank 0. Collective. */
int cli_compare_file(cli *c, const amls_values *v, const char *path, amls_rule rule);
/* "exact", "equiv", "epsilon" (0 if unknown); def when s is NULL. */
amls_rule cli_rule_parse(const char *s, amls_rule def);
/* Loads the graph, runs c->prog, writes, verifies. Collective. */
int run_vprog(cli *c);

/* ---- Option groups shared by several commands (options.c). ------------------------------- */
extern const cli_group cli_graph_group;   /* --input, --format, --directed, --partition, ... */
extern const cli_group cli_quiet_group;   /* --quiet */
extern const cli_group cli_results_group; /* a vertex program's results: --output, --top, ... */
extern const cli_group cli_engine_group;  /* supersteps, checkpoints, restart, --param */
extern const cli_group cli_builtin_group; /* built-ins only: --engine, --variant, --verify */
/* --stats FILE: every command with an option table has it (the parser and help add it), but
 * CLI_LOCAL ones. */
extern const cli_group cli_stats_group;

/* ---- The commands (each file defines its table and function). ---------------------------- */
extern const cli_command cli_cmd_run, cli_cmd_cg, cli_cmd_linreg, cli_cmd_logreg, cli_cmd_als,
    cli_cmd_info, cli_cmd_partition, cli_cmd_convert, cli_cmd_generate, cli_cmd_validate,
    cli_cmd_train, cli_cmd_tune, cli_cmd_plot;
/* The command of a built-in algorithm (one table for all of them). */
int cli_algorithm_command(const amls_builtin *b, cli_command *out);

/* ---- The list of commands (commands.c). ----------------------------------------------------- */
enum { CLI_MAX_COMMANDS = 64 };
/* Every command, NULL-terminated, into out[CLI_MAX_COMMANDS + 1]; the built-in algorithms'
 * commands are made in algos[CLI_MAX_COMMANDS]. Returns the count. */
int cli_all_commands(cli_command *algos, const cli_command **out);
const cli_command *cli_find_command(const cli_command *const *cmds, const char *name);

/* ---- Statistics (cli_stats.c). ---------------------------------------------------------- */
/* --stats FILE: starts the document before the command runs (cli_check has checked that FILE
 * can be written; for CLI_RAW commands this does). Collective. */
int cli_stats_begin(cli *c);
/* Completes the document (total time, memory) and writes it. Collective. */
int cli_stats_end(cli *c, double seconds);

/* ---- plot (cmd_plot.c). ------------------------------------------------------------------ */
/* `amls-graph plot STATS.json ...`, before MPI starts: parses the arguments by plot's table
 * (help, usage errors), then replaces the process with the Python plotting module (never
 * returns on success). Returns the exit code otherwise. */
int cli_plot_exec(int argc, char **argv);
