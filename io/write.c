/* ---------------------------------------------------------------------------------------------
 * io/write.c — collective text output with MPI-IO, written under a temporary name and renamed
 * when every rank has finished, so a failed run leaves no half-written result.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io/util.h"

#include "amls/io.h"

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

int amls_write_text(MPI_Comm comm, const char *path, const char *buf, size_t len, bool as_dir)
{
    int rc = AMLS_OK, rank = 0, nranks = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    char tmp[4200];
    amls__tmp_name(comm, path, tmp, sizeof tmp);

    if (as_dir) {
        if (rank == 0 && mkdir(tmp, 0777) != 0)
            rc = amls_error(AMLS_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno));
        rc = amls_agree(comm, rc, NULL);
        if (rc < 0)
            return rc;
        char part[4300];
        snprintf(part, sizeof part, "%s/part-%05d", tmp, rank);
        FILE *f = fopen(part, "wb");
        if (f == NULL)
            rc = amls_error(AMLS_ERR_IO, "%s: cannot create: %s", part, strerror(errno));
        else {
            if (len > 0 && fwrite(buf, 1, len, f) != len)
                rc = amls_error(AMLS_ERR_IO, "%s: write failed: %s", part, strerror(errno));
            if (fclose(f) != 0 && rc == AMLS_OK)
                rc = amls_error(AMLS_ERR_IO, "%s: close failed: %s", part, strerror(errno));
        }
        rc = amls_agree(comm, rc, NULL);
        if (rank == 0) {
            struct stat st;
            if (rc == AMLS_OK && stat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    rc = remove_dir_parts(path);
                else if (unlink(path) != 0)
                    rc = amls_error(AMLS_ERR_IO, "%s: cannot replace: %s", path, strerror(errno));
            }
            if (rc == AMLS_OK && rename(tmp, path) != 0)
                rc = amls_error(AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
            if (rc < 0)
                remove_dir_parts(tmp);
        }
        return amls_agree(comm, rc, NULL);
    }

    int64_t mylen = (int64_t)len, before = 0;
    MPI_Exscan(&mylen, &before, 1, MPI_INT64_T, MPI_SUM, comm);
    if (rank == 0)
        before = 0;
    MPI_File fh;
    int mrc = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    if (mrc != MPI_SUCCESS) {
        rc = amls_error(AMLS_ERR_IO, "%s: cannot create (is the directory writable?)", tmp);
        return amls_agree(comm, rc, NULL);
    }
    MPI_File_set_size(fh, 0);
    rc = write_at(fh, before, buf, len, tmp);
    MPI_File_close(&fh);
    return amls__commit(comm, rc, tmp, path);
}

int amls_raw_graph_write(MPI_Comm comm, const char *path, const amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__vec out;
    amls__vec_init(&out, 1);
    AMLS_TRY(amls__vec_reserve(&out, (size_t)g->nedges * 24 + 64));
    for (int64_t e = 0; e < g->nedges; e++) {
        char line[96];
        int n = g->w ? snprintf(line, sizeof line, "%lld %lld %.17g\n", (long long)g->src[e],
                                (long long)g->dst[e], g->w[e])
                     : snprintf(line, sizeof line, "%lld %lld\n", (long long)g->src[e],
                                (long long)g->dst[e]);
        if (out.len + (size_t)n > out.cap)
            AMLS_TRY(amls__vec_reserve(&out, 2 * out.cap + (size_t)n));
        memcpy((char *)out.data + out.len, line, (size_t)n);
        out.len += (size_t)n;
    }
cleanup:
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls_write_text(comm, path, out.data, out.len, false);
    amls__vec_free(&out);
    return rc;
}
