/* ---------------------------------------------------------------------------------------------
 * engine/h5.h — a thin layer over parallel HDF5 (MPI-IO): collective file creation and opening,
 * 1-D datasets written and read by hyperslab (chunked, Fletcher-32 checksums) and root
 * attributes described by tables. HDF5's own error printing is turned off; failures come back
 * as amls status codes with a message. The engine is the only user: the graph container,
 * checkpoints and HDF5 results.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/h5file.h"

#include <hdf5.h>

/* Creates `path` (which must not exist: never through a link) for writing by every rank of
 * comm, for about `bytes` bytes of data in all: rank 0 checks the free space and reserves it
 * first, so that a full disk is a clean error before HDF5 writes anything. Collective. */
int amls__h5_create(MPI_Comm comm, const char *path, int64_t bytes, hid_t *file);
/* Closes a file written with amls__h5_create, failing (on every rank) when the close does,
 * and returns the unused reservation. Collective. */
int amls__h5_finish(MPI_Comm comm, hid_t *file, const char *path);
/* Opens `path` read-only on every rank of comm. Collective. */
int amls__h5_open(MPI_Comm comm, const char *path, hid_t *file);
void amls__h5_close(hid_t *file);

/* Creates a 1-D dataset of `total` elements of `type` (chunked, Fletcher-32) and writes this
 * rank's `count` elements at `offset` collectively. Collective. */
int amls__h5_write(hid_t file, const char *name, hid_t type, int64_t total, int64_t offset,
                   int64_t count, const void *buf);
/* Reads `count` elements at `offset` of a 1-D dataset collectively (checksums verified).
 * Collective. */
int amls__h5_read(hid_t file, const char *name, hid_t type, int64_t offset, int64_t count,
                  void *buf);
/* The length of a 1-D dataset (AMLS_ERR_FORMAT when it is missing). Local. */
int amls__h5_length(hid_t file, const char *name, int64_t *total);
/* The element size in bytes of a dataset's stored type (0 if it is missing). Local. */
size_t amls__h5_type_size(hid_t file, const char *name);

/* Root attributes, described by a table (the public amls_h5_attr): an int64, a double or a
 * string. Every rank writes the same values (metadata is collective). */
typedef amls_h5_attr amls__h5_field;
#define AMLS__H5_I64(n, p)    AMLS_H5_ATTR_I64(n, p)
#define AMLS__H5_F64(n, p)    AMLS_H5_ATTR_F64(n, p)
#define AMLS__H5_STR(n, p)    AMLS_H5_ATTR_STR(n, p)
#define AMLS__H5_BUF(n, p, c) AMLS_H5_ATTR_BUF(n, p, c)

/* Writes (reads) the attributes of a table in order, stopping at the first failure. Local,
 * but every rank must make the same calls; agree on the result. */
int amls__h5_put_fields(hid_t file, const amls__h5_field *f, int n);
int amls__h5_get_fields(hid_t file, const amls__h5_field *f, int n);
