/* ---------------------------------------------------------------------------------------------
 * engine/plugin.c — the plugin loader (after the Redis module loader and SQLite's extension
 * entry points): dlopen with RTLD_NOW | RTLD_LOCAL, a named entry point with a generic
 * fallback, dlerror() reported with the path, dlclose on every failure, and a checked
 * descriptor. Every rank loads; the outcome is agreed.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "amls/plugin.h"

#include "core.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static void stem_of(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "lib", 3) == 0)
        base += 3;
    snprintf(out, cap, "%s", base);
    char *dot = strchr(out, '.');
    if (dot)
        *dot = '\0';
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

static int load_local(const char *path, amls_plugin **out)
{
    int rc = AMLS_OK;
    amls_plugin *pl = NULL;
    struct stat st;
    char sym[300], stem[256], why[512];
    *out = NULL;
    AMLS_CHECK(stat(path, &st) == 0, AMLS_ERR_PLUGIN, "%s: cannot open plugin: %s", path,
               strerror(errno));
    AMLS_CHECK(S_ISREG(st.st_mode), AMLS_ERR_PLUGIN, "%s: not a regular file", path);
    AMLS_CALLOC(pl, 1);
    pl->path = amls__strdup(path);
    AMLS_CHECK(pl->path != NULL, AMLS_ERR_NOMEM, "out of memory");
    /* A path without '/' would make dlopen search the library path: make it explicit. */
    char full[4200];
    snprintf(full, sizeof full, "%s%s", strchr(path, '/') ? "" : "./", path);
    pl->handle = dlopen(full, RTLD_NOW | RTLD_LOCAL);
    AMLS_CHECK(pl->handle != NULL, AMLS_ERR_PLUGIN, "%s: cannot load plugin: %s", path, dlerror());
    stem_of(path, stem, sizeof stem);
    snprintf(sym, sizeof sym, "amls_vprog_%s_init", stem);
    dlerror();
    void *fn = dlsym(pl->handle, sym);
    if (fn == NULL)
        fn = dlsym(pl->handle, "amls_vprog_init");
    AMLS_CHECK(fn != NULL, AMLS_ERR_PLUGIN,
               "%s: no entry point: neither %s nor amls_vprog_init is exported (define the "
               "program with AMLS_VPROG_DEFINE)",
               path, sym);
    amls_vprog_init_fn init;
    memcpy(&init, &fn, sizeof init);
    const amls_vprog *d = init(amls_engine_api());
    AMLS_CHECK(d != NULL, AMLS_ERR_PLUGIN, "%s: the entry point returned no descriptor", path);
    /* Members past the plugin's struct_size count as absent. */
    size_t n = AMLS_MIN((size_t)d->struct_size, sizeof pl->vprog);
    n = AMLS_MAX(n, offsetof(amls_vprog, name)); /* the version header is always there */
    memcpy(&pl->vprog, d, n);
    rc = amls_vprog_check(&pl->vprog, why, sizeof why);
    AMLS_CHECK(rc == AMLS_OK, rc, "%s: refused: %s", path, why);
    *out = pl;
    pl = NULL;
cleanup:
    amls_plugin_free(&pl);
    return rc;
}

int amls_plugin_load(MPI_Comm comm, const char *path, amls_plugin **out)
{
    int rc = load_local(path, out);
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        amls_plugin_free(out);
    return rc;
}

void amls_plugin_free(amls_plugin **pp)
{
    if (pp == NULL || *pp == NULL)
        return;
    amls_plugin *p = *pp;
    if (p->handle)
        dlclose(p->handle);
    amls__free(p->path);
    amls__free(p);
    *pp = NULL;
}
