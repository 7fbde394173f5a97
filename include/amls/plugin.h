/* ---------------------------------------------------------------------------------------------
 * include/amls/plugin.h — loading vertex programs from shared objects.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct amls_plugin {
    void *handle;
    char *path;
    amls_vprog vprog; /* the plugin's descriptor; members past its struct_size are zero */
} amls_plugin;

/* Loads PATH on every rank: dlopen(RTLD_NOW | RTLD_LOCAL), looks up amls_vprog_<stem>_init
 * (stem: the file name without directory, "lib" prefix and extension) and then
 * amls_vprog_init, calls it with the engine's table and checks the descriptor (ABI version,
 * sizes, callbacks). Collective: all ranks succeed or all fail, with one message. */
int amls_plugin_load(MPI_Comm comm, const char *path, amls_plugin **out);
/* dlcloses and frees; accepts NULL. Local. */
void amls_plugin_free(amls_plugin **p);

#ifdef __cplusplus
}
#endif
