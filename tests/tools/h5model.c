/* tests/tools/h5model.c — reads a model file written by `amls-graph tune --output` with the
 * plain HDF5 API, independently of the library:
 *   h5model MODEL.h5 DATASET OUT.txt [NAME[=VALUE] ...]
 * writes DATASET's values (as doubles, %.17g, one per line) to OUT.txt and checks the named
 * root attributes (see h5attr.h). Exit 0 when the dataset and every attribute are there. */
#include "h5attr.h"

#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (argc < 4) {
        fprintf(stderr, "usage: h5model MODEL.h5 DATASET OUT.txt [NAME[=VALUE] ...]\n");
        return 2;
    }
    int fail = 0;
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        printf("FAIL: cannot open %s\n", argv[1]);
        return 1;
    }
    hid_t d = H5Dopen2(f, argv[2], H5P_DEFAULT);
    hsize_t n = 0;
    double *v = NULL;
    if (d < 0) {
        printf("FAIL: no dataset %s\n", argv[2]);
        fail = 1;
    } else {
        hid_t sp = H5Dget_space(d);
        H5Sget_simple_extent_dims(sp, &n, NULL);
        v = malloc((n + 1) * sizeof *v);
        if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            printf("FAIL: cannot read %s\n", argv[2]);
            fail = 1;
        }
        H5Sclose(sp);
        H5Dclose(d);
        FILE *o = fopen(argv[3], "w");
        for (hsize_t i = 0; o && !fail && i < n; i++)
            fprintf(o, "%.17g\n", v[i]);
        if (o == NULL || fclose(o) != 0) {
            printf("FAIL: cannot write %s\n", argv[3]);
            fail = 1;
        }
    }
    fail |= check_attrs(f, argc, argv, 4);
    H5Fclose(f);
    free(v);
    printf("%s: %s has %llu values\n", fail ? "FAIL" : "PASS", argv[2], (unsigned long long)n);
    MPI_Finalize();
    return fail;
}
