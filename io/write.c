/* ---------------------------------------------------------------------------------------------
 * io/write.c — collective text output with MPI-IO, written under a temporary name and renamed
 * when every rank has finished, so a failed run leaves no half-written result.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes buf at `off` of an open MPI file, in pieces that fit an int count; a short write
 * (a full disk) is an error. Local. */
static int write_at(MPI_File fh, int64_t off, const char *buf, size_t len, const char *path)
{
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; done < len;) {
        int n = (int)AMLS_MIN(piece, len - done), got = 0;
        MPI_Status st;
        int mrc =
            MPI_File_write_at(fh, (MPI_Offset)(off + (int64_t)done), buf + done, n, MPI_BYTE, &st);
        if (mrc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int tl = 0;
            MPI_Error_string(mrc, text, &tl);
            return amls_error(AMLS_ERR_IO, "%s: write failed: %s", path, text);
        }
        if (MPI_Get_count(&st, MPI_BYTE, &got) != MPI_SUCCESS || got <= 0)
            return amls_error(AMLS_ERR_IO, "%s: write failed: no space left on device?", path);
        done += (size_t)got;
    }
    return AMLS_OK;
}

/* Removes a directory of part-NNNNN files (what an earlier run wrote). Local. */
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
        return amls_error(AMLS_ERR_IO, "%s: cannot remove directory: %s", dir, strerror(errno));
    return AMLS_OK;
}

/* An existing output directory may be replaced only if it holds nothing but part-NNNNN files
 * (an earlier result): anything else might be the user's. Local. */
static int replaceable_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    struct dirent *ent;
    int rc = AMLS_OK;
    while (rc == AMLS_OK && (ent = readdir(d)) != NULL)
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..") &&
            strncmp(ent->d_name, "part-", 5))
            rc = amls_error(AMLS_ERR_IO,
                            "%s: the directory holds '%s', not only part-NNNNN files of an "
                            "earlier result: refusing to replace it",
                            dir, ent->d_name);
    closedir(d);
    return rc;
}

/* This rank's part-NNNNN in the directory tmp, created exclusively. Local. */
static int write_part(const char *tmp, int rank, const char *buf, size_t len)
{
    int rc = AMLS_OK, fd = -1;
    char part[4300];
    snprintf(part, sizeof part, "%s/part-%05d", tmp, rank);
    AMLS_TRY(amls__create_excl(part, &fd));
    AMLS_TRY(amls__write_all(fd, buf, len, part));
cleanup:
    if (fd >= 0) {
        int crc = amls__close_synced(fd, part);
        rc = rc < 0 ? rc : crc;
    }
    return rc;
}

/* Rank 0 puts the directory tmp at `path` in one step: renamed when path does not exist, else
 * exchanged with it (renameat2 RENAME_EXCHANGE), so that the old result stays whole until the
 * new one is in place; the old one is then removed. path is never followed: a link there is
 * replaced, not its target. Local. */
static int replace_dir(const char *path, const char *tmp)
{
    int rc = AMLS_OK;
    struct stat st;
    if (lstat(path, &st) != 0) {
        AMLS_CHECK(errno == ENOENT, AMLS_ERR_IO, "%s: %s", path, strerror(errno));
        AMLS_CHECK(rename(tmp, path) == 0, AMLS_ERR_IO, "%s: rename failed: %s", path,
                   strerror(errno));
        return AMLS_OK;
    }
    if (S_ISDIR(st.st_mode))
        AMLS_TRY(replaceable_dir(path));
    AMLS_CHECK(renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0, AMLS_ERR_IO,
               "%s: cannot replace it atomically: %s", path, strerror(errno));
    /* tmp now names the old result. */
    if (S_ISDIR(st.st_mode))
        AMLS_TRY(remove_dir_parts(tmp));
    else
        AMLS_CHECK(unlink(tmp) == 0, AMLS_ERR_IO, "%s: cannot remove the old result: %s", tmp,
                   strerror(errno));
cleanup:
    return rc;
}

/* Each rank writes its own part-NNNNN in a fresh directory `tmp`, then rank 0 replaces `path`
 * with it; on failure the directory is removed and `path` is untouched. Collective. */
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

/* One file, each rank writing its bytes at its offset through MPI-IO; the temporary file is
 * created exclusively (never through a link), and flushed before it is renamed. Collective. */
static int write_one(MPI_Comm comm, const char *path, const char *tmp, const char *buf, size_t len)
{
    int rc = AMLS_OK;
    int64_t before = 0;
    MPI_File fh = MPI_FILE_NULL;
    AMLS_TRY(amls__exscan_i64(comm, (int64_t)len, &before));
    int mrc = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_EXCL | MPI_MODE_WRONLY,
                            MPI_INFO_NULL, &fh);
    AMLS_AGREE(comm, mrc == MPI_SUCCESS ? AMLS_OK
                                        : amls_error(AMLS_ERR_IO,
                                                     "%s: cannot create (is the directory "
                                                     "writable?)",
                                                     tmp));
    rc = amls_agree(comm, write_at(fh, before, buf, len, path), NULL);
    if (rc == AMLS_OK && MPI_File_sync(fh) != MPI_SUCCESS)
        rc = amls_error(AMLS_ERR_IO, "%s: flushing to disk failed (disk full?)", path);
cleanup:
    if (fh != MPI_FILE_NULL && MPI_File_close(&fh) != MPI_SUCCESS && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_IO, "%s: close failed", path);
    return amls__commit(comm, rc, tmp, path);
}

int amls_write_text(MPI_Comm comm, const char *path, const char *buf, size_t len, bool as_dir)
{
    int rc = AMLS_OK, rank = 0;
    char tmp[4200], dst[4096];
    /* "DIR/" names DIR: the temporary name goes beside it, not inside. */
    size_t n = strlen(path);
    AMLS_CHECK(n > 0 && n < sizeof dst, AMLS_ERR_INVALID, "output path '%s': empty or too long",
               path);
    memcpy(dst, path, n + 1);
    while (n > 1 && dst[n - 1] == '/')
        dst[--n] = '\0';
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_TRY(amls__tmp_name(comm, dst, tmp, sizeof tmp));
    rc = as_dir ? write_parts(comm, rank, dst, tmp, buf, len) : write_one(comm, dst, tmp, buf, len);
cleanup:
    return rc;
}
