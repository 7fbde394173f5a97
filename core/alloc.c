/* ---------------------------------------------------------------------------------------------
 * core/alloc.c — checked allocation (with a failure hook for tests) and growable arrays.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <stdio.h>

static _Thread_local int64_t fail_after = -1;
static _Thread_local size_t failed_bytes;

size_t amls__alloc_failed_bytes(void)
{
    return failed_bytes;
}

/* Records the size of a failed request. */
static void *checked(void *p, size_t bytes)
{
    if (p == NULL)
        failed_bytes = bytes;
    return p;
}

int amls__alloc_status_in(bool ok, const char *func)
{
    if (ok)
        return AMLS_OK;
    if (failed_bytes > 0)
        return amls_error(AMLS_ERR_NOMEM, "out of memory in %s (a request for %.1f MB failed)",
                          func, (double)failed_bytes / 1e6);
    return amls_error(AMLS_ERR_NOMEM, "out of memory in %s", func);
}

void amls__assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "amls-graph: internal assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}

void amls__malloc_fail_after(int64_t k)
{
    fail_after = k;
}

static bool injected_failure(void)
{
    if (fail_after < 0)
        return false;
    if (fail_after == 0)
        return true;
    fail_after--;
    return false;
}

void *amls__malloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return checked(NULL, SIZE_MAX);
    if (injected_failure())
        return checked(NULL, n * size);
    return checked(malloc((n * size) != 0 ? n * size : 1), n * size);
}

void *amls__calloc(size_t n, size_t size)
{
    if (injected_failure())
        return checked(NULL, n * size);
    return checked(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *amls__realloc(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return checked(NULL, SIZE_MAX);
    if (injected_failure())
        return checked(NULL, n * size);
    return checked(realloc(p, (n * size) != 0 ? n * size : 1), n * size);
}

char *amls__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = amls__malloc(n, 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

void amls__free(void *p)
{
    free(p);
}

void amls__vec_init(amls__vec *v, size_t esz)
{
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
    v->esz = esz;
}

int amls__vec_reserve(amls__vec *v, size_t cap)
{
    if (cap <= v->cap)
        return AMLS_OK;
    void *d = amls__realloc(v->data, cap, v->esz);
    if (d == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory growing an array to %zu elements", cap);
    v->data = d;
    v->cap = cap;
    return AMLS_OK;
}

int amls__vec_push(amls__vec *v, const void *elem)
{
    if (v->len == v->cap) {
        int rc = amls__vec_reserve(v, v->cap ? 2 * v->cap : 256);
        if (rc < 0)
            return rc;
    }
    memcpy((char *)v->data + v->len * v->esz, elem, v->esz);
    v->len++;
    return AMLS_OK;
}

int amls__vec_append(amls__vec *v, const void *elems, size_t n)
{
    if (v->len + n > v->cap) {
        int rc = amls__vec_reserve(v, AMLS_MAX(v->len + n, 2 * v->cap + 256));
        if (rc < 0)
            return rc;
    }
    if (n > 0)
        memcpy((char *)v->data + v->len * v->esz, elems, n * v->esz);
    v->len += n;
    return AMLS_OK;
}

void amls__vec_free(amls__vec *v)
{
    amls__free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

void *amls__vec_steal(amls__vec *v)
{
    void *d = v->data;
    v->data = NULL;
    v->len = v->cap = 0;
    return d;
}
