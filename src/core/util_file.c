/* util_file.c: the core's files and paths: folders made and removed, the
 * default store path, shipped assets, and the one way the core opens a file
 * it reads (a regular file, its size checked before a byte is read) or
 * replaces (atomically, and never a link, device or folder). */
#include "trendguard/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TG_DATADIR
#define TG_DATADIR "/usr/local/share/trendguard"
#endif

int tg_mkdirs_new(const char *path, char *created, size_t n, tg_err *err)
{
    char buf[PATH_MAX];
    if (created && n)
        created[0] = '\0';
    if (!*path)
        return tg_fail(err, TG_EUSAGE, "no folder named");
    if (strlen(path) >= sizeof buf)
        return tg_fail(err, TG_EUSAGE, "%s: path too long", path);
    tg_strlcpy(buf, path, sizeof buf);
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0700) == 0) {
            if (created && n && !created[0])
                tg_strlcpy(created, buf, n);
        } else if (errno != EEXIST) {
            return tg_fail(err, TG_EIO, "%s: cannot create folder: %s", buf,
                           strerror(errno));
        }
        if (!c)
            break;
        *p = c;
    }
    return TG_OK;
}

int tg_mkdirs(const char *path, tg_err *err)
{
    return tg_mkdirs_new(path, NULL, 0, err);
}

void tg_rmdirs_new(const char *path, const char *created)
{
    char buf[PATH_MAX];
    size_t top = created ? strlen(created) : 0;
    if (!top || strlen(path) >= sizeof buf || strncmp(path, created, top) ||
        (path[top] && path[top] != '/'))
        return;
    tg_strlcpy(buf, path, sizeof buf);
    for (;;) {
        size_t len = strlen(buf);
        while (len > top && buf[len - 1] == '/')
            buf[--len] = '\0';
        if (len < top || rmdir(buf) != 0 || len == top)
            return;
        char *slash = strrchr(buf, '/');
        if (!slash)
            return;
        *slash = '\0';
    }
}

int tg_default_db_path(char *buf, size_t n)
{
    const char *p = getenv("TRENDGUARD_DB");
    if (p && *p) {
        tg_strlcpy(buf, p, n);
        return 0;
    }
    p = getenv("XDG_DATA_HOME");
    if (p && *p) {
        snprintf(buf, n, "%s/trendguard/trendguard.db", p);
        return 0;
    }
    p = getenv("HOME");
    if (p && *p) {
        snprintf(buf, n, "%s/.local/share/trendguard/trendguard.db", p);
        return 0;
    }
    return -1;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int tg_asset_path(const char *name, char *buf, size_t n)
{
    const char *env = getenv("TRENDGUARD_SHARE");
    if (env && *env) {
        snprintf(buf, n, "%s/%s", env, name);
        return file_exists(buf) ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* build/trendguard, build/tests/x, build/san/tests/x, or an
             * installed PREFIX/bin/trendguard. */
            static const char *rel[] = {"..", "../..", "../../..",
                                        "../share/trendguard"};
            for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
                snprintf(buf, n, "%s/%s/%s", exe, rel[i], name);
                if (file_exists(buf))
                    return 0;
            }
        }
    }
    snprintf(buf, n, "%s/%s", TG_DATADIR, name);
    return file_exists(buf) ? 0 : -1;
}

const char *tg_file_kind(unsigned mode)
{
    return S_ISREG(mode)    ? "a regular file"
           : S_ISDIR(mode)  ? "a folder"
           : S_ISFIFO(mode) ? "a pipe (FIFO)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISLNK(mode)  ? "a symbolic link"
                            : "not a file";
}

/* The null device reads as an empty file, as everywhere in Unix. */
static int is_null_device(const struct stat *st)
{
    struct stat null;
    return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 &&
           S_ISCHR(null.st_mode) && st->st_rdev == null.st_rdev;
}

int tg_open_input(const char *path, size_t max, uint64_t *size, tg_err *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not wait for one. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -tg_fail(err, errno == ENOENT || errno == ENOTDIR ? TG_ENOINPUT
                             : errno == ENOMEM                  ? TG_EINTERNAL
                                                                : TG_EIO,
                        "%s: %s", path, strerror(errno));
    struct stat st;
    int rc = TG_OK;
    if (fstat(fd, &st) != 0)
        rc = tg_fail(err, TG_EIO, "%s: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = tg_fail(err, TG_ENOINPUT, "%s: is a folder, not a file", path);
    else if (!S_ISREG(st.st_mode) && !is_null_device(&st))
        rc = tg_fail(err, TG_ENOINPUT, "%s: is %s, not a regular file", path,
                     tg_file_kind(st.st_mode));
    else if (max && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
        rc = tg_fail(err, TG_EDATA, "%s: %llu bytes, more than the %zu allowed",
                     path, (unsigned long long)st.st_size, max);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        rc = tg_fail(err, TG_EIO, "%s: %s", path, strerror(errno));
    if (rc != TG_OK) {
        close(fd);
        return -rc;
    }
    if (size)
        *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    return fd;
}

FILE *tg_fopen_input(const char *path, size_t max, tg_err *err)
{
    int fd = tg_open_input(path, max, NULL, err);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        tg_fail(err, TG_EINTERNAL, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

char *tg_read_file(const char *path, size_t *len, size_t max, tg_err *err)
{
    FILE *f = tg_fopen_input(path, max, err);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        tg_fail(err, TG_EINTERNAL, "%s: out of memory", path);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (max && cap >= max) {
                free(buf);
                fclose(f);
                tg_fail(err, TG_EDATA, "%s: larger than %zu bytes", path, max);
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                tg_fail(err, TG_EINTERNAL, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        tg_fail(err, TG_EIO, "%s: read error", path);
        return NULL;
    }
    if (max && n > max) {
        free(buf);
        tg_fail(err, TG_EDATA, "%s: larger than %zu bytes", path, max);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tg_replaceable(const char *path, tg_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? TG_OK
                               : tg_fail(err, TG_EIO, "%s: %s", path,
                                         strerror(errno));
    if (S_ISREG(st.st_mode))
        return TG_OK;
    return tg_fail(err, TG_EUSAGE,
                   "%s: is %s; give the path of a new or a regular file",
                   path, tg_file_kind(st.st_mode));
}

int tg_write_file_atomic(const char *path, const void *data, size_t n,
                         tg_err *err)
{
    char tmp[PATH_MAX];
    int rc = tg_replaceable(path, err);
    if (rc != TG_OK)
        return rc;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp)
        return tg_fail(err, TG_EUSAGE, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return tg_fail(err, TG_EIO, "%s: cannot write: %s", path,
                       strerror(errno));
    const char *p = data;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            return tg_fail(err, TG_EIO, "%s: write failed: %s", path,
                           strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || fchmod(fd, 0644) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return tg_fail(err, TG_EIO, "%s: sync failed: %s", path, strerror(e));
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return tg_fail(err, TG_EIO, "%s: cannot replace: %s", path,
                       strerror(e));
    }
    return TG_OK;
}

