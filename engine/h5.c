/* ---------------------------------------------------------------------------------------------
 * engine/h5.c — parallel HDF5 helpers.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "h5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* A file access list for MPI-IO on comm. */
static hid_t mpio_fapl(MPI_Comm comm)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/* The space a file of `bytes` data bytes may take: chunk checksums, B-trees, attributes. */
static int64_t h5_estimate(int64_t bytes)
{
    return bytes + bytes / 16 + ((int64_t)1 << 20);
}

/* The name to show for a file written under a temporary name: the final one. */
static const char *shown(const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", path);
    char *t = strstr(buf, ".tmp-");
    if (t != NULL && strchr(t, '/') == NULL)
        *t = '\0';
    return buf;
}

/* Rank 0: is there room for `need` bytes in the directory of path? Local. */
static int space_check(const char *path, int64_t need)
{
    char dir[4200];
    struct statvfs vfs;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    if (statvfs(dir, &vfs) != 0)
        return AMLS_OK; /* the create will say what is wrong */
    int64_t avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    if (avail < need)
        return amls_error(AMLS_ERR_IO,
                          "%s: not enough space: the file needs about %.1f MB, %.1f MB are free",
                          shown(path, dir, sizeof dir), (double)need / 1e6, (double)avail / 1e6);
    return AMLS_OK;
}

/* Rank 0: reserves `need` bytes for the file without changing its size, so that HDF5 never
 * meets a full disk half-way (it cannot recover from one: a failed metadata flush leaves the
 * file open and the ranks out of step). Where the file system cannot reserve, the space check
 * stands alone. Local. */
static int reserve(const char *path, int64_t need)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    int rc = AMLS_OK;
    char name[4200];
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)need) != 0 && errno != EOPNOTSUPP &&
        errno != ENOSYS)
        rc = amls_error(AMLS_ERR_IO, "%s: cannot reserve %.1f MB: %s",
                        shown(path, name, sizeof name), (double)need / 1e6, strerror(errno));
    close(fd);
    return rc;
}

int amls__h5_create(MPI_Comm comm, const char *path, int64_t bytes, hid_t *file)
{
    int rc = AMLS_OK, rank = 0;
    int64_t need = h5_estimate(bytes);
    quiet();
    *file = -1;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_AGREE(comm, rank == 0 ? space_check(path, need) : AMLS_OK);
    hid_t fapl = mpio_fapl(comm);
    /* The 1.8+ file format checksums the metadata too. EXCL: never through a planted link. */
    if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) >= 0)
        *file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    char name[4200];
    AMLS_AGREE(comm, *file < 0 ? amls_error(AMLS_ERR_IO, "%s: cannot create HDF5 file",
                                            shown(path, name, sizeof name))
                               : AMLS_OK);
    AMLS_AGREE(comm, rank == 0 ? reserve(path, need) : AMLS_OK);
cleanup:
    if (rc < 0)
        amls__h5_close(file);
    return rc;
}

int amls__h5_finish(MPI_Comm comm, hid_t *file, const char *path)
{
    int rank = 0, rc = amls__comm_rank(comm, &rank, NULL);
    char name[4200];
    if (*file >= 0 && H5Fclose(*file) < 0 && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_IO, "%s: closing the HDF5 file failed (disk full?)",
                        shown(path, name, sizeof name));
    *file = -1;
    rc = amls_agree(comm, rc, NULL);
    /* Give back what the reservation left past the end of the file. */
    struct stat st;
    if (rank == 0 && rc == AMLS_OK && stat(path, &st) == 0 && truncate(path, st.st_size) != 0)
        rc = amls_error(AMLS_ERR_IO, "%s: %s", path, strerror(errno));
    return amls_agree(comm, rc, NULL);
}

int amls__h5_open(MPI_Comm comm, const char *path, hid_t *file)
{
    int rc = AMLS_OK;
    quiet();
    *file = -1;
    AMLS_AGREE(comm, amls__check_regular(path));
    hid_t fapl = mpio_fapl(comm);
    if (fapl >= 0) {
        *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    AMLS_AGREE(comm, *file < 0
                         ? amls_error(AMLS_ERR_IO,
                                      "%s: not a readable HDF5 file (damaged or truncated?)", path)
                         : AMLS_OK);
cleanup:
    if (rc < 0)
        amls__h5_close(file);
    return rc;
}

void amls__h5_close(hid_t *file)
{
    if (*file >= 0)
        H5Fclose(*file);
    *file = -1;
}

/* Creates the intermediate groups of "/a/b/name". */
static int make_parents(hid_t file, const char *name)
{
    char buf[256];
    for (const char *s = strchr(name + 1, '/'); s; s = strchr(s + 1, '/')) {
        size_t n = (size_t)(s - name);
        if (n >= sizeof buf)
            return -1;
        memcpy(buf, name, n);
        buf[n] = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g < 0)
                return -1;
            H5Gclose(g);
        }
    }
    return 0;
}

/* The communicator an open file was opened on (a duplicate the caller frees). Local. */
static int file_comm(hid_t file, MPI_Comm *comm)
{
    int rc = AMLS_OK;
    MPI_Info info = MPI_INFO_NULL;
    *comm = MPI_COMM_NULL;
    hid_t fapl = H5Fget_access_plist(file);
    herr_t st = fapl >= 0 ? H5Pget_fapl_mpio(fapl, comm, &info) : -1;
    if (fapl >= 0)
        H5Pclose(fapl);
    AMLS_CHECK(st >= 0 && *comm != MPI_COMM_NULL, AMLS_ERR_IO,
               "HDF5: the file has no MPI-IO communicator");
cleanup:
    if (info != MPI_INFO_NULL && MPI_Info_free(&info) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_MPI, "MPI_Info_free failed");
    return rc;
}

/* Collective transfer of one hyperslab (or nothing) of a 1-D dataset. */
static int transfer(hid_t ds, hid_t type, int64_t offset, int64_t count, void *buf, bool write)
{
    hid_t fs = H5Dget_space(ds);
    hsize_t off = (hsize_t)offset, cnt = (hsize_t)count;
    hsize_t mcnt = cnt > 0 ? cnt : 1;
    hid_t ms = H5Screate_simple(1, &mcnt, NULL);
    if (count > 0) {
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL);
    } else {
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    char dummy[16];
    void *b = count > 0 ? buf : dummy;
    herr_t st = write ? H5Dwrite(ds, type, ms, fs, dxpl, b) : H5Dread(ds, type, ms, fs, dxpl, b);
    H5Pclose(dxpl);
    H5Sclose(ms);
    H5Sclose(fs);
    return st < 0 ? -1 : 0;
}

int amls__h5_write(hid_t file, const char *name, hid_t type, int64_t total, int64_t offset,
                   int64_t count, const void *buf)
{
    MPI_Comm comm = MPI_COMM_NULL;
    int rc = file_comm(file, &comm);
    if (rc < 0)
        return rc;
    hsize_t dim = (hsize_t)total,
            chunk = (hsize_t)AMLS_MAX((int64_t)1, AMLS_MIN(total, (int64_t)1 << 20));
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (total > 0) {
        H5Pset_chunk(dcpl, 1, &chunk);
        H5Pset_fletcher32(dcpl);
    }
    hid_t ds = -1;
    if (make_parents(file, name) == 0)
        ds = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0)
        rc = amls_error(AMLS_ERR_IO, "HDF5: cannot create dataset %s", name);
    /* The transfer is collective: every rank takes part only if every rank has the dataset. */
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK && total > 0 && transfer(ds, type, offset, count, (void *)buf, true) < 0)
        rc = amls_error(AMLS_ERR_IO, "HDF5: writing dataset %s failed", name);
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    rc = amls_agree(comm, rc, NULL);
    if (MPI_Comm_free(&comm) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_MPI, "MPI_Comm_free failed");
    return rc;
}

/* The length of a 1-D dataset (0 if it is not one). */
static int64_t length_of(hid_t ds)
{
    hid_t fs = H5Dget_space(ds);
    hsize_t dim = 0;
    if (fs >= 0 && H5Sget_simple_extent_ndims(fs) == 1)
        H5Sget_simple_extent_dims(fs, &dim, NULL);
    if (fs >= 0)
        H5Sclose(fs);
    return (int64_t)dim;
}

int amls__h5_read(hid_t file, const char *name, hid_t type, int64_t offset, int64_t count,
                  void *buf)
{
    MPI_Comm comm = MPI_COMM_NULL;
    int rc = file_comm(file, &comm);
    if (rc < 0)
        return rc;
    int64_t total = 0;
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0)
        rc = amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s is missing", name);
    else
        total = length_of(ds);
    if (rc == AMLS_OK && (offset < 0 || count < 0 || offset + count > total))
        rc = amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s has %lld elements, %lld expected", name,
                        (long long)total, (long long)(offset + count));
    /* Every rank takes part in the read, even one whose request was wrong. */
    int64_t ok = rc == AMLS_OK;
    int arc = amls__allreduce_i64(comm, &ok, 1, MPI_MIN);
    if (arc < 0)
        rc = arc;
    else if (ok && total > 0 && transfer(ds, type, offset, count, buf, false) < 0)
        rc = amls_error(AMLS_ERR_IO,
                        "HDF5: reading dataset %s failed (checksum mismatch: the file is "
                        "damaged)",
                        name);
    if (ds >= 0)
        H5Dclose(ds);
    rc = amls_agree(comm, rc, NULL);
    if (MPI_Comm_free(&comm) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_MPI, "MPI_Comm_free failed");
    return rc;
}

int amls__h5_length(hid_t file, const char *name, int64_t *total)
{
    hid_t ds = H5Lexists(file, name, H5P_DEFAULT) > 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
    *total = ds >= 0 ? length_of(ds) : 0;
    if (ds < 0)
        return amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s is missing", name);
    H5Dclose(ds);
    return AMLS_OK;
}

size_t amls__h5_type_size(hid_t file, const char *name)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
    size_t n = t >= 0 ? H5Tget_size(t) : 0;
    if (t >= 0)
        H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    return n;
}

static int attr_write(hid_t file, const char *name, hid_t type, const void *v)
{
    hid_t space = H5Screate(H5S_SCALAR);
    if (H5Aexists(file, name) > 0)
        H5Adelete(file, name);
    hid_t a = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a >= 0 ? H5Awrite(a, type, v) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return st < 0 ? amls_error(AMLS_ERR_IO, "HDF5: cannot write attribute %s", name) : AMLS_OK;
}

static int attr_str(hid_t file, const char *name, const char *v)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(v) + 1);
    int rc = attr_write(file, name, t, v);
    H5Tclose(t);
    return rc;
}

static int attr_read(hid_t file, const char *name, hid_t type, void *v)
{
    hid_t a = H5Aexists(file, name) > 0 ? H5Aopen(file, name, H5P_DEFAULT) : -1;
    herr_t st = a >= 0 ? H5Aread(a, type, v) : -1;
    if (a >= 0)
        H5Aclose(a);
    return st < 0 ? amls_error(AMLS_ERR_FORMAT, "HDF5: attribute %s is missing", name) : AMLS_OK;
}

static int attr_get_str(hid_t file, const char *name, char *buf, size_t cap)
{
    hid_t a = H5Aexists(file, name) > 0 ? H5Aopen(file, name, H5P_DEFAULT) : -1;
    if (a < 0)
        return amls_error(AMLS_ERR_FORMAT, "HDF5: attribute %s is missing", name);
    hid_t ft = H5Aget_type(a);
    size_t n = H5Tget_size(ft);
    int rc = AMLS_OK;
    if (H5Tget_class(ft) != H5T_STRING || n >= cap) {
        rc = amls_error(AMLS_ERR_FORMAT, "HDF5: attribute %s is not a short string", name);
    } else {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, n);
        if (H5Aread(a, t, buf) < 0)
            rc = amls_error(AMLS_ERR_FORMAT, "HDF5: cannot read attribute %s", name);
        buf[n] = '\0';
        H5Tclose(t);
    }
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* Writes or reads one attribute of a table. */
static int field(hid_t file, const amls__h5_field *f, bool write)
{
    switch (f->kind) {
    case AMLS_H5_I64:
        return write ? attr_write(file, f->name, H5T_NATIVE_INT64, f->at)
                     : attr_read(file, f->name, H5T_NATIVE_INT64, f->at);
    case AMLS_H5_F64:
        return write ? attr_write(file, f->name, H5T_NATIVE_DOUBLE, f->at)
                     : attr_read(file, f->name, H5T_NATIVE_DOUBLE, f->at);
    default:
        return write ? attr_str(file, f->name, f->at) : attr_get_str(file, f->name, f->at, f->cap);
    }
}

int amls__h5_put_fields(hid_t file, const amls__h5_field *f, int n)
{
    int rc = AMLS_OK;
    for (int i = 0; i < n; i++)
        AMLS_TRY(field(file, &f[i], true));
cleanup:
    return rc;
}

int amls__h5_get_fields(hid_t file, const amls__h5_field *f, int n)
{
    int rc = AMLS_OK;
    for (int i = 0; i < n; i++)
        AMLS_TRY(field(file, &f[i], false));
cleanup:
    return rc;
}
