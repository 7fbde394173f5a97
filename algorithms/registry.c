/* ---------------------------------------------------------------------------------------------
 * algorithms/registry.c — the table of built-in algorithms, made from list.h. Each is
 * registered through the same descriptor a plugin exports (AMLS_VPROG_DEFINE with
 * AMLS_BUILTIN).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

#define AMLS_ALGORITHM(name, rule, ...)                                                            \
    {#name, amls_builtin_##name, amls_ref_##name, rule, {__VA_ARGS__}},
static const amls_builtin table[] = {
#include "list.h"
    {NULL, NULL, NULL, 0, {NULL}},
};
#undef AMLS_ALGORITHM

const amls_builtin *amls_builtins(void)
{
    return table;
}

const amls_builtin *amls_builtin_find(const char *name)
{
    for (const amls_builtin *b = table; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}
