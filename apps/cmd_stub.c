#include "cli.h"
int cmd_validate(cli *c) { (void)c; return amls_error(AMLS_ERR_UNSUPPORTED, "not yet"); }
int cmd_algorithm(cli *c) { (void)c; return amls_error(AMLS_ERR_UNSUPPORTED, "not yet"); }
int cmd_run(cli *c) { (void)c; return amls_error(AMLS_ERR_UNSUPPORTED, "not yet"); }
int cmd_help(cli *c) { (void)c; return amls_error(AMLS_ERR_UNSUPPORTED, "not yet"); }
