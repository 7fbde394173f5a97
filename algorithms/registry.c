/* ---------------------------------------------------------------------------------------------
 * algorithms/registry.c — the tables of built-in algorithms and their variants, made from
 * list.h and variants.h. Each is registered through the same descriptor a plugin exports
 * (AMLS_VPROG_DEFINE with AMLS_BUILTIN).
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

#define AMLS_VARIANT(algo, name, text) {#algo, #name, text, amls_builtin_##algo##_##name},
static const amls_variant variants[] = {
#include "variants.h"
    {NULL, NULL, NULL, NULL},
};
#undef AMLS_VARIANT

const amls_variant *amls_variants(void)
{
    return variants;
}

const amls_vprog *amls_variant_find(const char *algo, const char *name)
{
    for (const amls_variant *v = variants; v->algo; v++)
        if (strcmp(v->algo, algo) == 0 && strcmp(v->name, name) == 0)
            return v->get();
    return NULL;
}
