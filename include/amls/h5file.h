/* ---------------------------------------------------------------------------------------------
 * include/amls/h5file.h — small HDF5 files for the modules above the engine: named 1-D datasets
 * of int64 or double and attributes on the root group, through an opaque handle. The engine
 * owns HDF5 (its container, checkpoints and results use the same layer); models, training
 * checkpoints and model-selection outputs are written with these calls.
 * SPDX-License-Identifier: MIT
 *
 * Datasets are chunked with Fletcher-32 checksums, so damage is found on reading; files are
 * written in the 1.8+ format, which checksums the metadata too. HDF5's own error printing is off:
 * failures come back as amls status codes with a message naming the file or the object.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/status.h"

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct amls_h5file amls_h5file;

/* Kinds of attributes and element types of datasets. */
typedef enum amls_h5_kind { AMLS_H5_I64 = 1, AMLS_H5_F64 = 2, AMLS_H5_STR = 3 } amls_h5_kind;

/* One attribute of a table: writing takes the value from `at` (an int64_t *, a double * or a
 * const char *); reading stores it there (a string into a buffer of `cap` bytes). */
typedef struct amls_h5_attr {
    const char *name;
    amls_h5_kind kind;
    void *at;
    size_t cap;
} amls_h5_attr;

#define AMLS_H5_ATTR_I64(n, p)                                                                     \
    {                                                                                              \
        (n), AMLS_H5_I64, (void *)(p), 0                                                           \
    }
#define AMLS_H5_ATTR_F64(n, p)                                                                     \
    {                                                                                              \
        (n), AMLS_H5_F64, (void *)(p), 0                                                           \
    }
#define AMLS_H5_ATTR_STR(n, p)                                                                     \
    {                                                                                              \
        (n), AMLS_H5_STR, (void *)(p), 0                                                           \
    }
#define AMLS_H5_ATTR_BUF(n, p, c)                                                                  \
    {                                                                                              \
        (n), AMLS_H5_STR, (void *)(p), (c)                                                         \
    }

/* Creates `path` (truncating) for writing by every rank of comm; *f is NULL on failure.
 * Collective on comm (MPI_COMM_SELF for a file one rank writes alone). */
int amls_h5file_create(MPI_Comm comm, const char *path, amls_h5file **f);
/* Opens `path` read-only on every rank of comm. Collective on comm. */
int amls_h5file_open(MPI_Comm comm, const char *path, amls_h5file **f);
/* Closes the file (NULL is fine) and sets *f to NULL. For a file made by amls_h5file_create
 * it returns the close's failure (HDF5 writes its metadata at the close: a full disk shows
 * there), agreed on every rank, and gives back the unused reservation; reading files close
 * with AMLS_OK. comm must still be valid. Collective on the file's communicator. */
int amls_h5file_close(amls_h5file **f);

/* Writes (reads) the attributes of a table in order, stopping at the first failure. Local, but
 * every rank of the file's communicator makes the same calls (with the same values); agree on
 * the result. */
int amls_h5file_put_attrs(amls_h5file *f, const amls_h5_attr *attrs, int n);
int amls_h5file_get_attrs(amls_h5file *f, const amls_h5_attr *attrs, int n);

/* Creates dataset `name` ("/a/b" makes the groups) of `total` elements of `type` (AMLS_H5_I64
 * or AMLS_H5_F64) and writes this rank's `count` elements at `offset`. Collective. */
int amls_h5file_write(amls_h5file *f, const char *name, amls_h5_kind type, int64_t total,
                      int64_t offset, int64_t count, const void *buf);
/* Reads `count` elements at `offset` of dataset `name` (checksums verified). Collective. */
int amls_h5file_read(amls_h5file *f, const char *name, amls_h5_kind type, int64_t offset,
                     int64_t count, void *buf);
/* The length of 1-D dataset `name` (AMLS_ERR_FORMAT when it is missing). Local. */
int amls_h5file_length(amls_h5file *f, const char *name, int64_t *total);

#ifdef __cplusplus
}
#endif
