/* apps/cmd_run.c — placeholder until the plugin loader lands (issue: plugins). */
#include "cli.h"

int cmd_run(cli *c)
{
    (void)c;
    return amls_error(AMLS_ERR_UNSUPPORTED, "run: plugin loading is not implemented yet");
}
