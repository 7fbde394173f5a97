/* ---------------------------------------------------------------------------------------------
 * tests/mpi/harness.h — a tiny harness for MPI tests: checks count failures on each rank and
 * a final allreduce makes every rank print the same verdict and return the same exit code.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int h_fail = 0, h_checks = 0, h_rank = 0;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        h_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            h_fail++;                                                                              \
            fprintf(stderr, "[rank %d] %s:%d: CHECK(%s) failed: ", h_rank, __FILE__, __LINE__,     \
                    #cond);                                                                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

static inline void h_init(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &h_rank);
}

/* Returns the process exit code; call instead of MPI_Finalize. */
static inline int h_finish(const char *name)
{
    int gfail = 0, gchecks = 0, np = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    MPI_Allreduce(&h_fail, &gfail, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&h_checks, &gchecks, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (h_rank == 0)
        printf("%s (np=%d): %s: %d checks, %d failed\n", name, np, gfail ? "FAIL" : "PASS", gchecks,
               gfail);
    MPI_Finalize();
    return gfail != 0;
}

/* A temporary directory /tmp/amls-test-TAG-XXXXXX made on rank 0, the same path on every rank
 * (empty when it could not be made). */
static inline void h_temp_dir(char *path, size_t cap, const char *tag)
{
    if (h_rank == 0) {
        snprintf(path, cap, "/tmp/amls-test-%s-XXXXXX", tag);
        if (mkdtemp(path) == NULL)
            path[0] = '\0';
    }
    MPI_Bcast(path, (int)cap, MPI_CHAR, 0, MPI_COMM_WORLD);
}

/* Removes a directory from h_temp_dir once every rank is done with it. */
static inline void h_remove_dir(const char *dir)
{
    MPI_Barrier(MPI_COMM_WORLD);
    if (h_rank == 0 && dir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0, "cannot remove %s", dir);
    }
}
