/* ---------------------------------------------------------------------------------------------
 * core/file.c — opening files safely: inputs only when they are regular files (a FIFO with
 * no writer would block open() forever), outputs created exclusively without following links,
 * and temporary names nobody can guess.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int amls__open_read(const char *path, int *fd)
{
    struct stat st;
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    int rc = AMLS_OK;
    if (fstat(*fd, &st) != 0)
        rc = amls_error(AMLS_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = amls_error(AMLS_ERR_IO, "%s: is a directory, expected a file", path);
    else if (!S_ISREG(st.st_mode))
        rc = amls_error(AMLS_ERR_IO,
                        "%s: not a regular file (a FIFO, socket or device): refusing to read it",
                        path);
    else if (fcntl(*fd, F_SETFL, 0) != 0) /* back to blocking reads */
        rc = amls_error(AMLS_ERR_IO, "%s: fcntl: %s", path, strerror(errno));
    if (rc < 0) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

int amls__check_regular(const char *path)
{
    int fd = -1;
    int rc = amls__open_read(path, &fd);
    if (fd >= 0)
        close(fd);
    return rc;
}

int amls__create_excl(const char *path, int *fd)
{
    *fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (*fd < 0)
        return amls_error(AMLS_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    return AMLS_OK;
}

int amls__write_all(int fd, const void *buf, size_t len, const char *path)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, AMLS_MIN(len, (size_t)1 << 30));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return amls_error(AMLS_ERR_IO, "%s: write failed: %s", path,
                              n < 0 ? strerror(errno) : "no progress (disk full?)");
        p += n;
        len -= (size_t)n;
    }
    return AMLS_OK;
}

int amls__close_synced(int fd, const char *path)
{
    int rc = AMLS_OK;
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        rc = amls_error(AMLS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == AMLS_OK)
        rc = amls_error(AMLS_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    return rc;
}

void amls__random_tag(char *buf, size_t len)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[64];
    size_t n = AMLS_MIN(len, sizeof r);
    ssize_t got = getrandom(r, n, 0);
    /* Without entropy (never on Linux >= 3.17), a clock-and-pid mix is still not a pid. */
    for (size_t i = (got > 0 ? (size_t)got : 0); i < n; i++)
        r[i] = (unsigned char)(amls__mix64((uint64_t)getpid() * 1000003u +
                                           (uint64_t)(amls__now() * 1e9) + i) >>
                               7);
    for (size_t i = 0; i < n; i++)
        buf[i] = alpha[r[i] % (sizeof alpha - 1)];
    buf[n] = '\0';
}
