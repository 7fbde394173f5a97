/* ---------------------------------------------------------------------------------------------
 * algorithms/algorithms_internal.h — what the registry and the serial references share: the
 * entry point and the reference of every algorithm of list.h, declared from that list.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/algorithms.h"

#define AMLS_ALGORITHM(name, ...)                                                                  \
    const amls_vprog *amls_builtin_##name(void);                                                   \
    int amls_ref_##name(const amls_csr *c, const amls_param_value *params, double *f, int64_t *i);
#include "list.h"
#undef AMLS_ALGORITHM

/* Index of original id `id` in c (vertices are in original-id order), or -1. */
static inline int64_t amls__ref_find(const amls_csr *c, amls_vid id)
{
    return amls__bsearch_i64(c->orig, c->n, id);
}
