/* util.c -- small helpers of the elig tool: error messages and exit codes, checked
 * allocation, monotonic time, paths, atomic file output, strict number parsing. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("elig: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int cli_lib_fail(int status, const char *what)
{
    const char *msg = elig_last_error();
    if (!msg || !*msg) msg = elig_strerror(status);
    int code = (status == ELIG_EINVAL || status == ELIG_EUNSUPPORTED || status == ELIG_ELIMIT) ? CLI_EUSAGE : CLI_ERUN;
    return cli_fail(code, "%s: %s", what, msg);
}

void *cli_array(size_t elem, int ndim, ...)
{
    va_list ap;
    size_t count = 1;
    int ovf = 0;
    va_start(ap, ndim);
    for (int i = 0; i < ndim; i++) {
        size_t d = va_arg(ap, size_t);
        if (d != 0 && count > SIZE_MAX / d) ovf = 1;
        else count *= d;
    }
    va_end(ap);
    if (ovf || (elem && count > SIZE_MAX / elem)) return NULL;
    return calloc(count ? count : 1, elem ? elem : 1);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (n == 0) return -1;
    if (len >= n) {
        memcpy(dst, src, n - 1);
        dst[n - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

int cli_join(char *out, size_t n, const char *dir, const char *name)
{
    int w = (dir && *dir) ? snprintf(out, n, "%s/%s", dir, name) : snprintf(out, n, "%s", name);
    if (w < 0 || (size_t)w >= n) return cli_fail(CLI_EUSAGE, "path too long: %s/%s", dir ? dir : "", name);
    return CLI_OK;
}

int cli_mkdirs(const char *path)
{
    char buf[CLI_PATH];
    if (cli_copy(buf, sizeof buf, path)) return cli_fail(CLI_EUSAGE, "path too long: %s", path);
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/') buf[--len] = '\0';
    /* Create every prefix ending before a '/', then the whole path. */
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char save = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return cli_fail(CLI_ERUN, "cannot create directory %s: %s", buf, strerror(errno));
            *p = save;
            if (save == '\0') break;
        }
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) return cli_fail(CLI_ERUN, "%s exists and is not a directory", buf);
    return CLI_OK;
}

FILE *cli_atomic_open(const char *path, char *tmp, size_t tmp_len)
{
    int w = snprintf(tmp, tmp_len, "%s.tmp", path);
    if (w < 0 || (size_t)w >= tmp_len) {
        cli_fail(CLI_EUSAGE, "path too long: %s", path);
        return NULL;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) cli_fail(CLI_ERUN, "cannot write %s: %s", tmp, strerror(errno));
    return f;
}

int cli_atomic_close(FILE *f, const char *tmp, const char *path)
{
    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        remove(tmp);
        return cli_fail(CLI_ERUN, "cannot write %s: %s", path, strerror(err));
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        remove(tmp);
        return cli_fail(CLI_ERUN, "cannot rename %s to %s: %s", tmp, path, strerror(err));
    }
    return CLI_OK;
}

int cli_parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '-' || *s == '+') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_real(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

void cli_format_real(char *out, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

const char *cli_precision_name(void) { return sizeof(elig_real) == sizeof(float) ? "float32" : "float64"; }

int cli_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) {
        cli_fail(CLI_EUSAGE, "%s needs a value", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_is_override(const char *arg)
{
    const char *eq = strchr(arg, '='), *dot = strchr(arg, '.');
    return arg[0] != '-' && eq && dot && dot < eq;
}
