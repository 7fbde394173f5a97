/* tests/tools/h5attr.h — reading HDF5 root attributes as text for the test tools, and the
 * NAME[=VALUE] checks they share: each named attribute must exist, with VALUE as a substring of
 * its text (numbers are printed with %.17g). */
#pragma once

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int attr_text(hid_t f, const char *name, char *buf, size_t cap)
{
    if (H5Aexists(f, name) <= 0)
        return -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Aget_type(a);
    int rc = 0;
    if (H5Tget_class(t) == H5T_STRING) {
        size_t n = H5Tget_size(t);
        char *s = calloc(n + 1, 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, n);
        rc = H5Aread(a, mt, s) < 0 ? -1 : 0;
        snprintf(buf, cap, "%s", s);
        free(s);
        H5Tclose(mt);
    } else if (H5Tget_class(t) == H5T_FLOAT) {
        double d;
        rc = H5Aread(a, H5T_NATIVE_DOUBLE, &d) < 0 ? -1 : 0;
        snprintf(buf, cap, "%.17g", d);
    } else {
        long long v;
        rc = H5Aread(a, H5T_NATIVE_LLONG, &v) < 0 ? -1 : 0;
        snprintf(buf, cap, "%lld", v);
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* Checks argv[from..argc) as NAME[=VALUE]; prints each attribute; returns 1 on a failure. */
static int check_attrs(hid_t f, int argc, char **argv, int from)
{
    int fail = 0;
    for (int i = from; i < argc; i++) {
        char name[128], buf[4096];
        const char *eq = strchr(argv[i], '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - argv[i]) : (int)strlen(argv[i]),
                 argv[i]);
        if (attr_text(f, name, buf, sizeof buf) < 0) {
            printf("FAIL: attribute %s missing\n", name);
            fail = 1;
        } else if (eq && strstr(buf, eq + 1) == NULL) {
            printf("FAIL: attribute %s = '%s', expected '%s'\n", name, buf, eq + 1);
            fail = 1;
        } else {
            printf("attribute %s = %s\n", name, buf);
        }
    }
    return fail;
}
