/* common.c -- shared helpers of the data component: the readers' error message format,
 * whole-file reads under a byte cap, strerror. See data_internal.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "data_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int elig__data_fail(const char *fmt_name, const char *path, size_t off, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return elig__err(ELIG_EFORMAT, "%s: %s%sbyte %zu: %s", fmt_name, path ? path : "", path ? ": " : "", off, msg);
}

const char *elig__errstr(int e, char *buf, size_t n)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, n); /* the GNU variant returns the text */
#else
    if (strerror_r(e, buf, n) != 0) snprintf(buf, n, "error %d", e);
    return buf;
#endif
}

int elig__file_size(const char *fmt_name, const char *path, uint64_t *size)
{
    char e[128];
    struct stat st;
    if (stat(path, &st) != 0) return elig__err(ELIG_EIO, "%s: cannot stat %s: %s", fmt_name, path, elig__errstr(errno, e, sizeof e));
    if (!S_ISREG(st.st_mode)) return elig__err(ELIG_EIO, "%s: %s is not a regular file", fmt_name, path);
    *size = st.st_size < 0 ? 0 : (uint64_t)st.st_size;
    return ELIG_OK;
}

int elig__slurp(const char *fmt_name, const char *path, size_t max_bytes, unsigned char **buf, size_t *len)
{
    char e[128];
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return elig__err(ELIG_EIO, "%s: cannot open %s: %s", fmt_name, path, elig__errstr(errno, e, sizeof e));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        int en = errno;
        fclose(f);
        return elig__err(ELIG_EIO, "%s: cannot stat %s: %s", fmt_name, path, elig__errstr(en, e, sizeof e));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return elig__err(ELIG_EIO, "%s: %s is not a regular file", fmt_name, path);
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max_bytes) {
        fclose(f);
        return elig__err(ELIG_ELIMIT, "%s: %s: file is %lld bytes, more than the cap of %zu", fmt_name, path,
                         (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *b = elig__malloc(n);
    if (!b) {
        fclose(f);
        return elig__err(ELIG_ENOMEM, "%s: %s: cannot allocate %zu bytes", fmt_name, path, n);
    }
    size_t got = fread(b, 1, n, f);
    int err = ferror(f), en = errno, more = got == n && fgetc(f) != EOF;
    fclose(f);
    if (got != n || more) {
        elig__free(b);
        if (err) return elig__err(ELIG_EIO, "%s: cannot read %s: %s", fmt_name, path, elig__errstr(en, e, sizeof e));
        return elig__err(ELIG_EIO, "%s: %s changed size while being read (%zu bytes expected)", fmt_name, path, n);
    }
    *buf = b;
    *len = n;
    return ELIG_OK;
}
