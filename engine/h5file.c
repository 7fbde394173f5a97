/* ---------------------------------------------------------------------------------------------
 * engine/h5file.c — the public small-file HDF5 API (amls/h5file.h) over the engine's helpers.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "h5.h"

struct amls_h5file {
    hid_t id;
    MPI_Comm comm; /* the communicator it was created on (for the collective close) */
    char *path;    /* set for files created for writing: their close is checked */
};

static hid_t h5_type(amls_h5_kind type)
{
    return type == AMLS_H5_I64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
}

/* Wraps a file created for writing (small files: the space check asks for the 1 MiB of slack
 * every file gets) or opened for reading. */
static int wrap(MPI_Comm comm, const char *path, bool create, amls_h5file **f)
{
    int rc = AMLS_OK;
    hid_t id = -1;
    *f = amls__calloc(1, sizeof **f);
    AMLS_AGREE(comm, amls__alloc_status(*f != NULL));
    (*f)->comm = comm;
    if (create) {
        (*f)->path = amls__strdup(path);
        AMLS_AGREE(comm, amls__alloc_status((*f)->path != NULL));
    }
    AMLS_TRY(create ? amls__h5_create(comm, path, 0, &id) : amls__h5_open(comm, path, &id));
    (*f)->id = id;
cleanup:
    if (rc < 0 && *f != NULL) {
        amls__free((*f)->path);
        amls__free(*f);
        *f = NULL;
    }
    return rc;
}

int amls_h5file_create(MPI_Comm comm, const char *path, amls_h5file **f)
{
    return wrap(comm, path, true, f);
}

int amls_h5file_open(MPI_Comm comm, const char *path, amls_h5file **f)
{
    return wrap(comm, path, false, f);
}

int amls_h5file_close(amls_h5file **f)
{
    int rc = AMLS_OK;
    if (*f == NULL)
        return rc;
    if ((*f)->path != NULL)
        rc = amls__h5_finish((*f)->comm, &(*f)->id, (*f)->path);
    else
        amls__h5_close(&(*f)->id);
    amls__free((*f)->path);
    amls__free(*f);
    *f = NULL;
    return rc;
}

int amls_h5file_put_attrs(amls_h5file *f, const amls_h5_attr *attrs, int n)
{
    return amls__h5_put_fields(f->id, attrs, n);
}

int amls_h5file_get_attrs(amls_h5file *f, const amls_h5_attr *attrs, int n)
{
    return amls__h5_get_fields(f->id, attrs, n);
}

int amls_h5file_write(amls_h5file *f, const char *name, amls_h5_kind type, int64_t total,
                      int64_t offset, int64_t count, const void *buf)
{
    return amls__h5_write(f->id, name, h5_type(type), total, offset, count, buf);
}

int amls_h5file_read(amls_h5file *f, const char *name, amls_h5_kind type, int64_t offset,
                     int64_t count, void *buf)
{
    return amls__h5_read(f->id, name, h5_type(type), offset, count, buf);
}

int amls_h5file_length(amls_h5file *f, const char *name, int64_t *total)
{
    return amls__h5_length(f->id, name, total);
}
