/* ---------------------------------------------------------------------------------------------
 * io/write.c — collective text output with MPI-IO, written under a temporary name and renamed
 * when every rank has finished, so a failed run leaves no half-written result.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes buf at `off` of an open MPI file, in pieces that fit an int count. */
static int write_at(MPI_File fh, int64_t off, const char *buf, size_t len, const char *path)
{
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; done < len;) {
        int n = (int)AMLS_MIN(piece, len - done);
        MPI_Status st;
        int mrc =
            MPI_File_write_at(fh, (MPI_Offset)(off + (int64_t)done), buf + done, n, MPI_BYTE, &st);
        if (mrc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int tl = 0;
            MPI_Error_string(mrc, text, &tl);
            return amls_error(AMLS_ERR_IO, "%s: write failed: %s", path, text);
        }
        done += (size_t)n;
    }
    return AMLS_OK;
}

static int remove_dir_parts(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? AMLS_OK : amls_error(AMLS_ERR_IO, "%s: %s", dir, strerror(errno));
    struct dirent *ent;
    char p[4200];
    while ((ent = readdir(d)) != NULL) {
        if (strncmp(ent->d_name, "part-", 5) == 0) {
            snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
            unlink(p);
        }
    }
    closedir(d);
    if (rmdir(dir) != 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot replace directory: %s", dir, strerror(errno));
    return AMLS_OK;
}

/* This rank's part-NNNNN in the directory tmp. Local. */
static int write_part(const char *tmp, int rank, const char *buf, size_t len)
{
    int rc = AMLS_OK;
    char part[4300];
    snprintf(part, sizeof part, "%s/part-%05d", tmp, rank);
    FILE *f = fopen(part, "wb");
    AMLS_CHECK(f != NULL, AMLS_ERR_IO, "%s: cannot create: %s", part, strerror(errno));
    AMLS_CHECK(len == 0 || fwrite(buf, 1, len, f) == len, AMLS_ERR_IO, "%s: write failed: %s", part,
               strerror(errno));
cleanup:
    if (f && fclose(f) != 0 && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_IO, "%s: close failed: %s", part, strerror(errno));
    return rc;
}

/* Rank 0 replaces `path` (a file, or a directory of parts) with the directory tmp. Local. */
static int replace_dir(const char *path, const char *tmp)
{
    int rc = AMLS_OK;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            AMLS_TRY(remove_dir_parts(path));
        else
            AMLS_CHECK(unlink(path) == 0, AMLS_ERR_IO, "%s: cannot replace: %s", path,
                       strerror(errno));
    }
    AMLS_CHECK(rename(tmp, path) == 0, AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
cleanup:
    return rc;
}

/* Each rank writes its own part-NNNNN in a fresh directory `tmp`, then rank 0 replaces `path`
 * with it; on failure the directory is removed. Collective. */
static int write_parts(MPI_Comm comm, int rank, const char *path, const char *tmp, const char *buf,
                       size_t len)
{
    int rc = AMLS_OK;
    AMLS_AGREE(
        comm, rank == 0 && mkdir(tmp, 0777) != 0
                  ? amls_error(AMLS_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno))
                  : AMLS_OK);
    rc = amls_agree(comm, write_part(tmp, rank, buf, len), NULL);
    if (rank == 0 && rc == AMLS_OK)
        rc = replace_dir(path, tmp);
    if (rank == 0 && rc < 0)
        remove_dir_parts(tmp);
    rc = amls_agree(comm, rc, NULL);
cleanup:
    return rc;
}

/* One file, each rank writing its bytes at its offset through MPI-IO. Collective. */
static int write_one(MPI_Comm comm, const char *path, const char *tmp, const char *buf, size_t len)
{
    int rc = AMLS_OK;
    int64_t before = 0;
    MPI_File fh = MPI_FILE_NULL;
    AMLS_TRY(amls__exscan_i64(comm, (int64_t)len, &before));
    int mrc = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    AMLS_AGREE(comm, mrc == MPI_SUCCESS ? AMLS_OK
                                        : amls_error(AMLS_ERR_IO,
                                                     "%s: cannot create (is the directory "
                                                     "writable?)",
                                                     tmp));
    mrc = MPI_File_set_size(fh, 0);
    rc = mrc == MPI_SUCCESS ? write_at(fh, before, buf, len, tmp)
                            : amls_error(AMLS_ERR_IO, "%s: cannot truncate", tmp);
cleanup:
    if (fh != MPI_FILE_NULL && MPI_File_close(&fh) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_IO, "%s: close failed", tmp);
    return amls__commit(comm, rc, tmp, path);
}

int amls_write_text(MPI_Comm comm, const char *path, const char *buf, size_t len, bool as_dir)
{
    int rc = AMLS_OK, rank = 0;
    char tmp[4200];
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_TRY(amls__tmp_name(comm, path, tmp, sizeof tmp));
    rc = as_dir ? write_parts(comm, rank, path, tmp, buf, len)
                : write_one(comm, path, tmp, buf, len);
cleanup:
    return rc;
}
