/* ---------------------------------------------------------------------------------------------
 * io/crc.c — the CRC-32 of a file computed in parallel: each rank sums its own byte range and
 * rank 0 combines the pieces in order (zlib's crc32_combine).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include "amls/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* CRC-32 of bytes [lo, hi) of an open file. Local. */
static int crc_range(int fd, const char *path, int64_t lo, int64_t hi, uLong *crc)
{
    int rc = AMLS_OK;
    char *buf = NULL;
    uLong c = crc32(0L, Z_NULL, 0);
    AMLS_ALLOC(buf, (size_t)1 << 20);
    for (int64_t at = lo; at < hi;) {
        ssize_t got = pread(fd, buf, (size_t)AMLS_MIN((int64_t)1 << 20, hi - at), (off_t)at);
        AMLS_CHECK(got > 0, AMLS_ERR_IO, "%s: read error", path);
        c = crc32(c, (const Bytef *)buf, (uInt)got);
        at += got;
    }
    *crc = c;
cleanup:
    amls__free(buf);
    return rc;
}

int amls_file_crc32(MPI_Comm comm, const char *path, uint32_t *crc, int64_t *size)
{
    int rank = 0, nranks = 1, rc = AMLS_OK, fd = -1;
    uint64_t *all = NULL;
    uLong c = 0;
    struct stat st;
    AMLS_TRY(amls__comm_rank(comm, &rank, &nranks));
    rc = amls__open_read(path, &fd);
    AMLS_AGREE(comm, rc < 0 || fstat(fd, &st) == 0
                         ? rc
                         : amls_error(AMLS_ERR_IO, "%s: cannot stat: %s", path, strerror(errno)));
    int64_t total = (int64_t)st.st_size;
    int64_t lo = amls__muldiv(total, rank, nranks), hi = amls__muldiv(total, rank + 1, nranks);
    AMLS_AGREE(comm, crc_range(fd, path, lo, hi, &c));
    /* Combine the pieces in rank order on rank 0. */
    uint64_t mine[2] = {(uint64_t)c, (uint64_t)(hi - lo)};
    if (rank == 0)
        all = amls__malloc(2 * (size_t)nranks, sizeof *all);
    AMLS_AGREE(comm, amls__alloc_status(rank != 0 || all != NULL));
    AMLS_MPI_TRY(MPI_Gather(mine, 2, MPI_UINT64_T, all, 2, MPI_UINT64_T, 0, comm));
    uint32_t res = 0;
    if (rank == 0) {
        uLong acc = (uLong)all[0];
        for (int p = 1; p < nranks; p++)
            acc = crc32_combine(acc, (uLong)all[2 * p], (z_off_t)all[2 * p + 1]);
        res = (uint32_t)acc;
    }
    AMLS_MPI_TRY(MPI_Bcast(&res, 1, MPI_UINT32_T, 0, comm));
    *crc = res;
    *size = total;
cleanup:
    if (fd >= 0)
        close(fd);
    amls__free(all);
    return rc;
}
