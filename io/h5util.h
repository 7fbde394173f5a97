/* ---------------------------------------------------------------------------------------------
 * io/h5util.h — a thin layer over parallel HDF5 (MPI-IO): collective file creation and opening,
 * 1-D datasets written and read by hyperslab (chunked, Fletcher-32 checksums), attributes, and
 * a parallel CRC-32 of a file. HDF5's own error printing is turned off; failures come back as
 * amls status codes with a message.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "io/util.h"

#include <hdf5.h>

/* Creates `path` for writing by every rank of comm (truncating). Collective. */
int amls__h5_create(MPI_Comm comm, const char *path, hid_t *file);
/* Opens `path` read-only on every rank of comm. Collective. */
int amls__h5_open(MPI_Comm comm, const char *path, hid_t *file);
void amls__h5_close(hid_t *file);
/* A duplicate of the communicator an open file was opened on (caller frees it). Local. */
MPI_Comm amls__h5_comm(hid_t file);

/* Creates a 1-D dataset of `total` elements of `type` (chunked, Fletcher-32) and writes this
 * rank's `count` elements at `offset` collectively. Collective. */
int amls__h5_write(hid_t file, const char *name, hid_t type, int64_t total, int64_t offset,
                   int64_t count, const void *buf);
/* Reads `count` elements at `offset` of a 1-D dataset collectively (checksums verified).
 * *total (optional) gets the dataset's length. Collective. */
int amls__h5_read(hid_t file, const char *name, hid_t type, int64_t offset, int64_t count,
                  void *buf);
int amls__h5_length(hid_t file, const char *name, int64_t *total);
bool amls__h5_exists(hid_t file, const char *name);

/* Attributes on the root group (same value on every rank when writing). */
int amls__h5_attr_i64(hid_t file, const char *name, int64_t v);
int amls__h5_attr_f64(hid_t file, const char *name, double v);
int amls__h5_attr_str(hid_t file, const char *name, const char *v);
int amls__h5_get_i64(hid_t file, const char *name, int64_t *v);
int amls__h5_get_f64(hid_t file, const char *name, double *v);
int amls__h5_get_str(hid_t file, const char *name, char *buf, size_t cap);

/* CRC-32 (zlib) and size of a file's bytes, each rank summing its own byte range and the
 * pieces combined in order. Collective. */
int amls__file_crc32(MPI_Comm comm, const char *path, uint32_t *crc, int64_t *size);
