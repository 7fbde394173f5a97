/* ---------------------------------------------------------------------------------------------
 * io/h5util.c — parallel HDF5 helpers.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io/h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int amls__h5_create(MPI_Comm comm, const char *path, hid_t *file)
{
    quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    /* The 1.8+ file format checksums the metadata too. */
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    int rc = *file < 0 ? amls_error(AMLS_ERR_IO, "%s: cannot create HDF5 file", path) : AMLS_OK;
    return amls_agree(comm, rc, NULL);
}

int amls__h5_open(MPI_Comm comm, const char *path, hid_t *file)
{
    quiet();
    struct stat st;
    int rc = AMLS_OK;
    *file = -1;
    if (stat(path, &st) != 0)
        rc = amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        return rc;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    rc = *file < 0
             ? amls_error(AMLS_ERR_IO, "%s: not a readable HDF5 file (damaged or truncated?)", path)
             : AMLS_OK;
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0 && *file >= 0)
        amls__h5_close(file);
    return rc;
}

void amls__h5_close(hid_t *file)
{
    if (*file >= 0)
        H5Fclose(*file);
    *file = -1;
}

static hid_t make_parents(hid_t file, const char *name)
{
    /* Create intermediate groups of "/a/b/name". */
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

MPI_Comm amls__h5_comm(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Info info = MPI_INFO_NULL;
    H5Pget_fapl_mpio(fapl, &comm, &info);
    H5Pclose(fapl);
    if (info != MPI_INFO_NULL)
        MPI_Info_free(&info);
    return comm;
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
    MPI_Comm comm = amls__h5_comm(file);
    int rc = AMLS_OK;
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
    else if (total > 0 && transfer(ds, type, offset, count, (void *)buf, true) < 0)
        rc = amls_error(AMLS_ERR_IO, "HDF5: writing dataset %s failed", name);
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    rc = amls_agree(comm, rc, NULL);
    MPI_Comm_free(&comm);
    return rc;
}

int amls__h5_read(hid_t file, const char *name, hid_t type, int64_t offset, int64_t count,
                  void *buf)
{
    MPI_Comm comm = amls__h5_comm(file);
    int rc = AMLS_OK;
    int64_t total = 0;
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0)
        rc = amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s is missing", name);
    else {
        hid_t fs = H5Dget_space(ds);
        hsize_t dim = 0;
        if (H5Sget_simple_extent_ndims(fs) == 1)
            H5Sget_simple_extent_dims(fs, &dim, NULL);
        H5Sclose(fs);
        total = (int64_t)dim;
        if (offset < 0 || count < 0 || offset + count > total)
            rc = amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s has %lld elements, %lld expected",
                            name, (long long)total, (long long)(offset + count));
    }
    /* Every rank takes part in the read, even one whose request was wrong. */
    int ok = rc == AMLS_OK, all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
    if (all && total > 0 && transfer(ds, type, offset, count, buf, false) < 0)
        rc = amls_error(AMLS_ERR_IO,
                        "HDF5: reading dataset %s failed (checksum mismatch: the file is "
                        "damaged)",
                        name);
    if (ds >= 0)
        H5Dclose(ds);
    rc = amls_agree(comm, rc, NULL);
    MPI_Comm_free(&comm);
    return rc;
}

int amls__h5_length(hid_t file, const char *name, int64_t *total)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    *total = 0;
    if (ds < 0)
        return amls_error(AMLS_ERR_FORMAT, "HDF5: dataset %s is missing", name);
    hid_t fs = H5Dget_space(ds);
    hsize_t dim = 0;
    H5Sget_simple_extent_dims(fs, &dim, NULL);
    H5Sclose(fs);
    H5Dclose(ds);
    *total = (int64_t)dim;
    return AMLS_OK;
}

bool amls__h5_exists(hid_t file, const char *name)
{
    char buf[256];
    /* Check every path component: H5Lexists fails on a missing intermediate group. */
    for (const char *s = strchr(name + 1, '/');; s = strchr(s + 1, '/')) {
        size_t n = s ? (size_t)(s - name) : strlen(name);
        if (n >= sizeof buf)
            return false;
        memcpy(buf, name, n);
        buf[n] = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0)
            return false;
        if (s == NULL)
            return true;
    }
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

int amls__h5_attr_i64(hid_t file, const char *name, int64_t v)
{
    return attr_write(file, name, H5T_NATIVE_INT64, &v);
}

int amls__h5_attr_f64(hid_t file, const char *name, double v)
{
    return attr_write(file, name, H5T_NATIVE_DOUBLE, &v);
}

int amls__h5_attr_str(hid_t file, const char *name, const char *v)
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

int amls__h5_get_i64(hid_t file, const char *name, int64_t *v)
{
    return attr_read(file, name, H5T_NATIVE_INT64, v);
}

int amls__h5_get_f64(hid_t file, const char *name, double *v)
{
    return attr_read(file, name, H5T_NATIVE_DOUBLE, v);
}

int amls__h5_get_str(hid_t file, const char *name, char *buf, size_t cap)
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

int amls__file_crc32(MPI_Comm comm, const char *path, uint32_t *crc, int64_t *size)
{
    int rank = 0, nranks = 1, rc = AMLS_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0)
        rc = amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    int64_t total = (int64_t)st.st_size;
    int64_t lo = amls__muldiv(total, rank, nranks), hi = amls__muldiv(total, rank + 1, nranks);
    uLong c = crc32(0L, Z_NULL, 0);
    char *buf = amls__malloc(1 << 20, 1);
    for (int64_t at = lo; buf && at < hi;) {
        ssize_t got = pread(fd, buf, (size_t)AMLS_MIN((int64_t)1 << 20, hi - at), (off_t)at);
        if (got <= 0) {
            rc = amls_error(AMLS_ERR_IO, "%s: read error", path);
            break;
        }
        c = crc32(c, (const Bytef *)buf, (uInt)got);
        at += got;
    }
    if (buf == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    amls__free(buf);
    close(fd);
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        return rc;
    /* Combine the pieces in rank order on rank 0. */
    uint64_t mine[2] = {(uint64_t)c, (uint64_t)(hi - lo)};
    uint64_t *all = rank == 0 ? amls__malloc(2 * (size_t)nranks, sizeof *all) : NULL;
    MPI_Gather(mine, 2, MPI_UINT64_T, all, 2, MPI_UINT64_T, 0, comm);
    uint32_t res = 0;
    if (rank == 0 && all) {
        uLong acc = (uLong)all[0];
        for (int p = 1; p < nranks; p++)
            acc = crc32_combine(acc, (uLong)all[2 * p], (z_off_t)all[2 * p + 1]);
        res = (uint32_t)acc;
    }
    amls__free(all);
    MPI_Bcast(&res, 1, MPI_UINT32_T, 0, comm);
    *crc = res;
    *size = total;
    return AMLS_OK;
}
