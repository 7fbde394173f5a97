/* ---------------------------------------------------------------------------------------------
 * apps/cmd_run.c — `amls-graph run PROG.so --input G ...`: a plugin through the same path as
 * the built-in algorithms.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include "amls/plugin.h"

#include <stdio.h>

int cmd_run(cli *c)
{
    const char *path = cli_positional(c);
    amls_plugin *pl = NULL;
    int rc = path ? AMLS_OK
                  : amls_error(AMLS_ERR_PARAM, "run: expected a plugin: run PROG.so --input G");
    rc = amls_agree(c->comm, rc, NULL);
    if (rc < 0)
        return rc;
    rc = amls_plugin_load(c->comm, path, &pl);
    if (rc < 0)
        return rc;
    if (cli_flag(c, "help")) {
        if (c->rank == 0) {
            printf("usage: mpirun -np N amls-graph run %s --input GRAPH [options]\n\n", path);
            cli_print_vprog_help(&pl->vprog);
        }
    } else {
        rc = run_vprog(c, &pl->vprog, NULL);
    }
    amls_plugin_free(&pl);
    return rc;
}
