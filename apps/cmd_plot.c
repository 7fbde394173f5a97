/* ---------------------------------------------------------------------------------------------
 * apps/cmd_plot.c — `amls-graph plot STATS.json [-o OUT.png|svg] [--kind K]`: pictures of a
 * statistics file, drawn by the Python package's plotting module (matplotlib). The command
 * runs before MPI starts and replaces itself with
 *     PYTHON -m amls_graph.plot ARGS...
 * PYTHON is $AMLS_GRAPH_PYTHON or the interpreter CMake found with numpy and matplotlib; the
 * package is looked up in $AMLS_GRAPH_PYTHONPATH, beside the installed binary
 * (PREFIX/share/amls-graph/python) and in the source tree this binary was built from.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* True if dir holds the package (dir/amls_graph/plot.py). */
static bool has_package(const char *dir)
{
    char p[PATH_MAX + 64];
    struct stat st;
    snprintf(p, sizeof p, "%s/amls_graph/plot.py", dir);
    return stat(p, &st) == 0;
}

/* PREFIX/share/amls-graph/python for the installed binary PREFIX/bin/amls-graph, if it is
 * there. */
static bool installed_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (slash == NULL)
            return false;
        *slash = '\0';
    }
    int len = snprintf(out, cap, "%s/%s", exe, AMLS_PYTHON_INSTALL_DIR);
    return len > 0 && (size_t)len < cap && has_package(out);
}

/* plot's arguments by its table: usage errors and --help here, the rest is Python's. Local.
 * Returns -1 to go on, else the exit code. */
static int plot_parse(int argc, char **argv)
{
    cli c = {.cmd = &cli_cmd_plot, .nranks = 1};
    int rc = cli_parse(&c, argc - 2, argv + 2);
    for (int k = 0; rc == AMLS_OK && k < c.nopt; k++)
        if (c.given[k])
            rc = cli_check_value(&c, c.opt[k], c.val[k]);
    if (rc == AMLS_OK && !c.help && c.pos == NULL)
        rc =
            amls_error(AMLS_ERR_PARAM, "plot: STATS.json is required (see 'amls-graph help plot')");
    if (rc < 0)
        fprintf(stderr, "amls-graph plot: error: %s\n", amls_last_error());
    else if (c.help)
        cli_help_command(stdout, &c);
    cli_free(&c);
    return rc < 0 ? cli_exit_code(rc) : c.help ? CLI_EXIT_OK : -1;
}

int cli_plot_exec(int argc, char **argv)
{
    char dir[PATH_MAX], path[3 * PATH_MAX];
    int code = plot_parse(argc, argv);
    if (code >= 0)
        return code;
    const char *py = getenv("AMLS_GRAPH_PYTHON"), *extra = getenv("AMLS_GRAPH_PYTHONPATH");
    const char *old = getenv("PYTHONPATH");
    if (py == NULL || *py == '\0')
        py = AMLS_PYTHON_EXECUTABLE[0] ? AMLS_PYTHON_EXECUTABLE : "python3";
    if (!installed_dir(dir, sizeof dir))
        snprintf(dir, sizeof dir, "%s", AMLS_PYTHON_SOURCE_DIR);
    snprintf(path, sizeof path, "%s%s%s%s%s", extra && *extra ? extra : "",
             extra && *extra ? ":" : "", dir, old && *old ? ":" : "", old && *old ? old : "");
    if (setenv("PYTHONPATH", path, 1) != 0) {
        fprintf(stderr, "amls-graph plot: error: cannot set PYTHONPATH: %s\n", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (args == NULL) {
        fprintf(stderr, "amls-graph plot: error: out of memory\n");
        return CLI_EXIT_INTERNAL;
    }
    args[0] = (char *)py;
    args[1] = "-m";
    args[2] = "amls_graph.plot";
    for (int k = 2; k < argc; k++)
        args[k + 1] = argv[k];
    execvp(py, args);
    fprintf(stderr,
            "amls-graph plot: error: cannot run %s: %s (set AMLS_GRAPH_PYTHON to a Python 3 with "
            "matplotlib)\n",
            py, strerror(errno));
    free(args);
    return CLI_EXIT_INTERNAL;
}

/* The table: the options amls_graph.plot takes (python/amls_graph/plot.py). */
static const cli_group plot_group = {
    "plot options",
    (const cli_opt[]){{"output", 'o', CLI_TEXT, "OUT", .help = "the picture, .png or .svg",
                       .def_text = "STATS.json's name with .png, or .svg with --format svg"},
                      {"kind", 0, CLI_CHOICE, "K", .help = "what to draw",
                       .choices = "supersteps|convergence|degrees", .flags = CLI_REPEAT,
                       .def_text = "everything the file has data for"},
                      {"format", 0, CLI_CHOICE, "F", .help = "the picture's format",
                       .choices = "png|svg", .def_text = "from --output, else png"},
                      {0}}};
static const cli_group *const plot_table[] = {&plot_group, NULL};
static const cli_opt plot_stats = {"stats",
                                   0,
                                   CLI_IN,
                                   "STATS.json",
                                   .help = "a statistics file written by --stats",
                                   .flags = CLI_REQUIRED};

/* Never called: main runs plot before MPI starts (cli_plot_exec). */
static int plot_run(cli *c)
{
    return amls_error(AMLS_ERR_INTERNAL, "%s: runs before MPI starts", c->cmd->name);
}

const cli_command cli_cmd_plot = {
    .name = "plot",
    .usage = "STATS.json [-o OUT.png|OUT.svg] [--kind K]... [--format png|svg]",
    .summary = "plot a --stats file: plot STATS.json -o OUT.png (runs without mpirun)",
    .about = "Draws a statistics file (--stats) with matplotlib: time per superstep and rank, "
             "active vertices\nand messages, solver convergence, degree distributions. Runs the "
             "Python package's\namls_graph.plot ($AMLS_GRAPH_PYTHON, $AMLS_GRAPH_PYTHONPATH), "
             "without mpirun.",
    .groups = plot_table,
    .positional = &plot_stats,
    .run = plot_run,
    .flags = CLI_LOCAL};
