/* ---------------------------------------------------------------------------------------------
 * embed/version.c — the version of the shared library (libamls_graph), for programs that load
 * it at run time and compare it with the headers they were built against (amls/version.h).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "amls/version.h"

#include "amls/embed.h"

const char *amls_version(void)
{
    return AMLS_VERSION_STRING;
}
