/* tests/tools/h5check.c — independent check of an HDF5 result file with the plain HDF5 API:
 *   h5check RESULT.h5 TEXT [NAME=VALUE ...]
 * /ids and /values must hold the same vertices and values as the text output ("id value"
 * lines; floats within 1e-12 relative, "infinity" as inf), and each named root attribute must
 * exist (with VALUE as a substring of its text, or equal to it when it is a number). */
#include "h5attr.h"

#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (argc < 3) {
        fprintf(stderr, "usage: h5check RESULT.h5 TEXT [NAME=VALUE ...]\n");
        return 2;
    }
    int fail = 0;
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        printf("FAIL: cannot open %s\n", argv[1]);
        return 1;
    }
    hid_t di = H5Dopen2(f, "/ids", H5P_DEFAULT), dv = H5Dopen2(f, "/values", H5P_DEFAULT);
    hid_t sp = H5Dget_space(di);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    long long *ids = malloc((n + 1) * sizeof *ids);
    double *vals = malloc((n + 1) * sizeof *vals);
    H5Dread(di, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids);
    H5Dread(dv, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, vals); /* converts integers */
    FILE *t = fopen(argv[2], "r");
    long long id;
    char vs[64];
    hsize_t k = 0;
    while (t && fscanf(t, "%lld %63s", &id, vs) == 2) {
        double v = strncmp(vs, "inf", 3) == 0 ? INFINITY : strtod(vs, NULL);
        if (k >= n || ids[k] != id) {
            printf("FAIL: vertex %llu: id %lld in the text, %lld in HDF5\n", (unsigned long long)k,
                   id, k < n ? ids[k] : -1LL);
            fail = 1;
            break;
        }
        double d = fabs(v - vals[k]);
        if (!(v == vals[k] || d <= 1e-12 * fabs(v))) {
            printf("FAIL: vertex %lld: %s in the text, %.17g in HDF5\n", id, vs, vals[k]);
            fail = 1;
            break;
        }
        k++;
    }
    if (t)
        fclose(t);
    if (!fail && k != n) {
        printf("FAIL: %llu values in the text, %llu in HDF5\n", (unsigned long long)k,
               (unsigned long long)n);
        fail = 1;
    }
    fail |= check_attrs(f, argc, argv, 3);
    H5Sclose(sp);
    H5Dclose(di);
    H5Dclose(dv);
    H5Fclose(f);
    free(ids);
    free(vals);
    printf("%s: %llu values\n", fail ? "FAIL" : "PASS", (unsigned long long)n);
    MPI_Finalize();
    return fail;
}
