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

int cli_plot_exec(int argc, char **argv)
{
    char dir[PATH_MAX], path[3 * PATH_MAX];
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
        return 1;
    }
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (args == NULL) {
        fprintf(stderr, "amls-graph plot: error: out of memory\n");
        return 1;
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
    return 1;
}
