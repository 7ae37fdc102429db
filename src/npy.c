/* npy.c -- NumPy .npy files: parse (v1.0, v2.0, v3.0 headers), read with conversion to
 * elig_real / double / int32, and atomic write (v1.0 header, temp file + fsync + rename).
 *
 * Format (numpy/lib/format.py, NEP 1):
 *
 *   byte 0   "\x93NUMPY"                         magic
 *   byte 6   major, minor                        1.0, 2.0 or 3.0 (3.0: the header is UTF-8)
 *   byte 8   header length, u16 LE (v1) or u32 LE (v2, v3)
 *   byte 10 or 12   the header: a Python dict literal, padded with spaces and ended by '\n'
 *            {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 *   then     count * itemsize bytes of data, C order, nothing after them
 *
 * The bytes are hostile (stb style): every length is checked against the buffer before it is
 * used, every product for overflow before anything is sized from it; the header is capped at
 * 1 MiB, the shape at ELIG_NPY_MAX_DIMS dimensions, each dimension at 2^63-1. Only the
 * explicitly little-endian '<f4' '<f8' '<i4' '<i8' in C order are accepted; everything else is
 * ELIG_EFORMAT with the byte offset of the offending token in the message ("npy: PATH: header
 * at byte 56: ..."). Values are decoded byte by byte, so neither the host's byte order nor the
 * alignment of the data start matters.
 *
 * Cost: the parse reads the header once (O(header)), the conversion touches every element
 * once. A read holds the file and the converted array at the same time (at most
 * 1 MiB + 12 + max_count * 8 bytes of file). Writes stream through an 8 KiB buffer.
 * No global state: the only shared thing is the thread-local error message.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open, fsync, rename, unlink, getpid, strerror_r */
#endif
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPY_MAX_HEADER ((size_t)1 << 20) /* bytes of header text: numpy writes < 300 */
#define NPY_DEFAULT_MAX_COUNT ((size_t)1 << 31)

static const char *dtype_name(int dtype)
{
    static const char *const names[] = {"<f4", "<f8", "<i4", "<i8"};
    return (dtype >= 0 && dtype <= ELIG_NPY_I8) ? names[dtype] : "?";
}

static size_t dtype_size(int dtype) { return (dtype == ELIG_NPY_F4 || dtype == ELIG_NPY_I4) ? 4 : 8; }

static const char *errstr(int e, char *buf, size_t n)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, n); /* the GNU variant returns the text */
#else
    if (strerror_r(e, buf, n) != 0) snprintf(buf, n, "error %d", e);
    return buf;
#endif
}

/* Record "npy: PATH: header at byte OFF: MSG" (PATH omitted for a buffer in memory, "header at
 * byte" shortened to "byte" outside the header) and return ELIG_EFORMAT. */
static int fail(const char *path, int in_header, size_t off, const char *fmt, ...) ELIG__PRINTF(4, 5);
static int fail(const char *path, int in_header, size_t off, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return elig__err(ELIG_EFORMAT, "npy: %s%s%s %zu: %s", path ? path : "", path ? ": " : "",
                     in_header ? "header at byte" : "byte", off, msg);
}

/* "(1350, 77, 12)" into buf (always terminated, truncated if it has to be). */
static const char *shape_str(const int64_t *shape, int ndim, char *buf, size_t n)
{
    size_t k = 0;
    k += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, ndim == 1 ? ",)" : ")");
    return buf;
}

/* ---------------------------------------------------------------- header dict */

typedef struct {
    const unsigned char *b; /* the whole file */
    size_t pos, end;        /* cursor and end of the header text, offsets into b */
    const char *path;
} cursor;

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static void skip_ws(cursor *c)
{
    while (c->pos < c->end && is_ws(c->b[c->pos])) c->pos++;
}

/* Describe the byte at the cursor for a message: 'x', byte 0xNN, or the end of the header. */
static const char *what_here(const cursor *c, char *buf, size_t n)
{
    if (c->pos >= c->end) return "the end of the header";
    unsigned char ch = c->b[c->pos];
    if (ch >= 0x20 && ch < 0x7f) snprintf(buf, n, "'%c'", ch);
    else snprintf(buf, n, "byte 0x%02x", ch);
    return buf;
}

static int expect(cursor *c, char ch, const char *context)
{
    skip_ws(c);
    if (c->pos < c->end && c->b[c->pos] == (unsigned char)ch) {
        c->pos++;
        return ELIG_OK;
    }
    char w[16];
    if (c->pos >= c->end)
        return fail(c->path, 1, c->pos, "header ends %s, expected '%c' (unterminated dict)", context, ch);
    return fail(c->path, 1, c->pos, "expected '%c' %s, found %s", ch, context, what_here(c, w, sizeof w));
}

/* A quoted Python string of printable ASCII without escapes: *s, *n point into the buffer. */
static int parse_str(cursor *c, const char **s, size_t *n, const char *what)
{
    skip_ws(c);
    char w[16];
    if (c->pos >= c->end)
        return fail(c->path, 1, c->pos, "header ends where %s was expected (unterminated dict)", what);
    unsigned char q = c->b[c->pos];
    if (q != '\'' && q != '"') return fail(c->path, 1, c->pos, "expected %s (a quoted string), found %s", what, what_here(c, w, sizeof w));
    size_t start = ++c->pos;
    while (c->pos < c->end && c->b[c->pos] != q) {
        unsigned char ch = c->b[c->pos];
        if (ch == '\\') return fail(c->path, 1, c->pos, "escape sequences in %s are not supported", what);
        if (ch < 0x20 || ch >= 0x7f) return fail(c->path, 1, c->pos, "byte 0x%02x inside %s", ch, what);
        c->pos++;
    }
    if (c->pos >= c->end) return fail(c->path, 1, start - 1, "%s is an unterminated string", what);
    *s = (const char *)c->b + start;
    *n = c->pos - start;
    c->pos++;
    return ELIG_OK;
}

static int parse_descr(cursor *c, int *dtype)
{
    skip_ws(c);
    size_t at = c->pos;
    if (at < c->end && c->b[at] == '[')
        return fail(c->path, 1, at, "descr is a list (structured dtype), not supported; only '<f4' '<f8' '<i4' '<i8' are");
    const char *s;
    size_t n;
    int rc = parse_str(c, &s, &n, "the value of 'descr'");
    if (rc) return rc;
    static const char *const ok[] = {"<f4", "<f8", "<i4", "<i8"};
    for (int i = 0; i < 4; i++)
        if (n == 3 && memcmp(s, ok[i], 3) == 0) {
            *dtype = i;
            return ELIG_OK;
        }
    int m = n > 40 ? 40 : (int)n;
    const char *why = "is not supported";
    if (n > 0 && s[0] == '>') why = "is big-endian, not supported";
    else if (n > 0 && s[0] == '=') why = "has native byte order '=', not explicitly little-endian: not supported";
    else if (n > 0 && s[0] == '|') why = "has no byte order ('|'): not supported";
    return fail(c->path, 1, at, "descr '%.*s' %s; only '<f4' '<f8' '<i4' '<i8' are", m, s, why);
}

static int parse_fortran(cursor *c)
{
    skip_ws(c);
    size_t at = c->pos, avail = c->end - c->pos;
    const char *p = (const char *)c->b + at;
    if (avail >= 5 && memcmp(p, "False", 5) == 0) {
        c->pos += 5;
    } else if (avail >= 4 && memcmp(p, "True", 4) == 0) {
        return fail(c->path, 1, at, "fortran_order True is not supported (write C order: np.ascontiguousarray)");
    } else {
        char w[16];
        return fail(c->path, 1, at, "fortran_order must be True or False, found %s", what_here(c, w, sizeof w));
    }
    /* "Falsey" is an identifier, not False */
    if (c->pos < c->end) {
        unsigned char ch = c->b[c->pos];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')
            return fail(c->path, 1, at, "fortran_order must be True or False");
    }
    return ELIG_OK;
}

/* '(' [dim {',' dim} [',']] ')' with dim = digits ['L'] (Python 2 writers appended L to longs).
 * A single dimension needs its comma: (5) is the int 5, not a tuple. */
static int parse_shape(cursor *c, elig_npy_info *info, size_t *shape_at)
{
    skip_ws(c);
    *shape_at = c->pos;
    int rc = expect(c, '(', "to open the shape tuple");
    if (rc) return rc;
    int n = 0, comma_after_last = 0;
    for (;;) {
        skip_ws(c);
        if (c->pos >= c->end) return fail(c->path, 1, c->pos, "header ends inside the shape tuple (unterminated dict)");
        if (c->b[c->pos] == ')') {
            if (n == 1 && !comma_after_last)
                return fail(c->path, 1, *shape_at, "shape (%lld) is not a tuple: a 1-D shape is written (%lld,)",
                            (long long)info->shape[0], (long long)info->shape[0]);
            c->pos++;
            break;
        }
        if (n > 0 && !comma_after_last) {
            char w[16];
            return fail(c->path, 1, c->pos, "expected ',' or ')' in the shape, found %s", what_here(c, w, sizeof w));
        }
        size_t at = c->pos;
        if (c->b[at] == '-') return fail(c->path, 1, at, "shape has a negative dimension");
        if (c->b[at] < '0' || c->b[at] > '9') {
            char w[16];
            return fail(c->path, 1, at, "expected a dimension (digits) in the shape, found %s", what_here(c, w, sizeof w));
        }
        uint64_t v = 0;
        while (c->pos < c->end && c->b[c->pos] >= '0' && c->b[c->pos] <= '9') {
            unsigned d = (unsigned)(c->b[c->pos] - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10)
                return fail(c->path, 1, at, "shape dimension %d exceeds 2^63-1", n);
            v = v * 10 + d;
            c->pos++;
        }
        if (c->pos < c->end && (c->b[c->pos] == 'L' || c->b[c->pos] == 'l')) c->pos++;
        if (n < ELIG_NPY_MAX_DIMS) info->shape[n] = (int64_t)v;
        n++;
        skip_ws(c);
        comma_after_last = 0;
        if (c->pos < c->end && c->b[c->pos] == ',') {
            comma_after_last = 1;
            c->pos++;
        }
    }
    if (n > ELIG_NPY_MAX_DIMS)
        return fail(c->path, 1, *shape_at, "shape has %d dimensions, at most %d supported", n, ELIG_NPY_MAX_DIMS);
    info->ndim = n;
    return ELIG_OK;
}

/* The dict: each of 'descr', 'fortran_order', 'shape' exactly once, in any order, nothing
 * else (numpy rejects other keys too); whitespace anywhere; a trailing comma allowed; after
 * the closing brace only whitespace (the padding). */
static int parse_dict(cursor *c, elig_npy_info *info, size_t *shape_at)
{
    int rc = expect(c, '{', "at the start of the header dict");
    if (rc) return rc;
    int seen[3] = {0, 0, 0};
    for (;;) {
        skip_ws(c);
        if (c->pos >= c->end) return fail(c->path, 1, c->pos, "header ends inside the dict (unterminated dict)");
        if (c->b[c->pos] == '}') {
            c->pos++;
            break;
        }
        size_t key_at = c->pos;
        const char *k;
        size_t kn;
        if ((rc = parse_str(c, &k, &kn, "a key"))) return rc;
        int which = -1;
        if (kn == 5 && memcmp(k, "descr", 5) == 0) which = 0;
        else if (kn == 13 && memcmp(k, "fortran_order", 13) == 0) which = 1;
        else if (kn == 5 && memcmp(k, "shape", 5) == 0) which = 2;
        int m = kn > 40 ? 40 : (int)kn;
        if (which < 0) return fail(c->path, 1, key_at, "unknown key '%.*s' (expected descr, fortran_order, shape)", m, k);
        if (seen[which]) return fail(c->path, 1, key_at, "duplicate key '%.*s'", m, k);
        seen[which] = 1;
        if ((rc = expect(c, ':', "after the key"))) return rc;
        if (which == 0) rc = parse_descr(c, &info->dtype);
        else if (which == 1) rc = parse_fortran(c);
        else rc = parse_shape(c, info, shape_at);
        if (rc) return rc;
        skip_ws(c);
        if (c->pos < c->end && c->b[c->pos] == ',') {
            c->pos++;
            continue;
        }
        if (c->pos < c->end && c->b[c->pos] == '}') continue;
        char w[16];
        if (c->pos >= c->end) return fail(c->path, 1, c->pos, "header ends inside the dict (unterminated dict)");
        return fail(c->path, 1, c->pos, "expected ',' or '}' after a value, found %s", what_here(c, w, sizeof w));
    }
    static const char *const names[3] = {"descr", "fortran_order", "shape"};
    for (int i = 0; i < 3; i++)
        if (!seen[i]) return fail(c->path, 1, c->pos, "header dict lacks the key '%s'", names[i]);
    skip_ws(c);
    if (c->pos < c->end) {
        char w[16];
        return fail(c->path, 1, c->pos, "unexpected %s after the header dict (only space padding may follow)",
                    what_here(c, w, sizeof w));
    }
    return ELIG_OK;
}

/* ---------------------------------------------------------------- parse */

static int parse(const unsigned char *b, size_t len, const char *path, elig_npy_info *info, size_t *data_off)
{
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    memset(info, 0, sizeof *info);
    size_t mlen = len < 6 ? len : 6;
    if (memcmp(b, magic, mlen) != 0 || len == 0) {
        size_t i = 0;
        while (i < mlen && b[i] == magic[i]) i++;
        return fail(path, 0, i, "not an npy file (the magic string \\x93NUMPY is missing)");
    }
    if (len < 10) return fail(path, 0, len, "file ends inside the 10-byte preamble (%zu bytes)", len);
    unsigned major = b[6], minor = b[7];
    if (major < 1 || major > 3 || minor != 0)
        return fail(path, 0, 6, "format version %u.%u is not supported (1.0, 2.0, 3.0 are)", major, minor);
    size_t hstart = major == 1 ? 10 : 12, hlen;
    if (len < hstart) return fail(path, 0, len, "file ends inside the %zu-byte preamble of version %u.0", hstart, major);
    if (major == 1) hlen = (size_t)b[8] | (size_t)b[9] << 8;
    else hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    if (hlen > NPY_MAX_HEADER) return fail(path, 0, 8, "header length %zu exceeds the 1 MiB cap", hlen);
    if (hlen > len - hstart)
        return fail(path, 0, 8, "header length %zu runs past the end of the file (%zu bytes from byte %zu)", hlen,
                    len - hstart, hstart);

    cursor c = {b, hstart, hstart + hlen, path};
    size_t shape_at = hstart;
    int rc = parse_dict(&c, info, &shape_at);
    if (rc) return rc;

    /* count = prod(shape), checked over every dimension, zeros included, so that a shape
     * like (0, 2^62, 2^62) is refused rather than trusted because of its zero. */
    size_t count = 1, nonzero = 1;
    int has_zero = 0;
    for (int i = 0; i < info->ndim; i++) {
        if (info->shape[i] == 0) {
            has_zero = 1;
            continue;
        }
        if ((uint64_t)info->shape[i] > SIZE_MAX || elig__mul(nonzero, (size_t)info->shape[i], &nonzero)) {
            char s[256];
            return fail(path, 1, shape_at, "shape %s has more elements than fit in size_t",
                        shape_str(info->shape, info->ndim, s, sizeof s));
        }
    }
    count = has_zero ? 0 : nonzero;
    size_t isz = dtype_size(info->dtype), bytes, dstart = hstart + hlen;
    if (elig__mul(nonzero, isz, &bytes) || bytes > SIZE_MAX - dstart) {
        char s[256];
        return fail(path, 1, shape_at, "shape %s of %s needs more bytes than fit in size_t",
                    shape_str(info->shape, info->ndim, s, sizeof s), dtype_name(info->dtype));
    }
    bytes = count * isz;
    if (len - dstart < bytes) {
        char s[256];
        return fail(path, 0, dstart, "data is %zu bytes, shape %s of %s needs %zu (file truncated or shape wrong)",
                    len - dstart, shape_str(info->shape, info->ndim, s, sizeof s), dtype_name(info->dtype), bytes);
    }
    if (len - dstart > bytes) {
        char s[256];
        return fail(path, 0, dstart + bytes, "%zu extra bytes after the data of shape %s of %s",
                    len - dstart - bytes, shape_str(info->shape, info->ndim, s, sizeof s), dtype_name(info->dtype));
    }
    info->count = count;
    if (data_off) *data_off = dstart;
    return ELIG_OK;
}

int elig_npy_parse(const void *buf, size_t len, elig_npy_info *info, size_t *data_off)
{
    if (!buf && len) return elig__err(ELIG_EINVAL, "npy: buf must not be NULL (got NULL with len %zu)", len);
    elig_npy_info tmp;
    static const unsigned char none[1] = {0};
    return parse(buf ? (const unsigned char *)buf : none, buf ? len : 0, NULL, info ? info : &tmp, data_off);
}

/* ---------------------------------------------------------------- read */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Element i of the data as a double (float types) or as an int64 (integer types). */
static double load_f(const unsigned char *p, int dtype)
{
    if (dtype == ELIG_NPY_F4) {
        uint32_t u = le32(p);
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    uint64_t u = le64(p);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static int64_t load_i(const unsigned char *p, int dtype)
{
    if (dtype == ELIG_NPY_I4) {
        uint32_t u = le32(p);
        int32_t v;
        memcpy(&v, &u, 4);
        return v;
    }
    uint64_t u = le64(p);
    int64_t v;
    memcpy(&v, &u, 8);
    return v;
}

enum { OUT_FLOAT, OUT_DOUBLE, OUT_I32 };

/* Convert count elements at src into out. Refused values: a finite double outside the float
 * range (to float), an int64 outside int32, a float that is not an integer in int32 range. */
static int convert(const unsigned char *src, const elig_npy_info *info, size_t data_off, int kind, void *out,
                   const char *path)
{
    size_t isz = dtype_size(info->dtype), n = info->count;
    int is_float = info->dtype == ELIG_NPY_F4 || info->dtype == ELIG_NPY_F8;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = src + i * isz;
        if (kind == OUT_DOUBLE) {
            ((double *)out)[i] = is_float ? load_f(p, info->dtype) : (double)load_i(p, info->dtype);
        } else if (kind == OUT_FLOAT) {
            if (is_float) {
                double v = load_f(p, info->dtype);
                if (isfinite(v) && fabs(v) > FLT_MAX)
                    return fail(path, 0, data_off + i * isz, "element %zu = %g is outside the float range", i, v);
                ((float *)out)[i] = (float)v;
            } else {
                ((float *)out)[i] = (float)load_i(p, info->dtype);
            }
        } else if (is_float) {
            double v = load_f(p, info->dtype);
            if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v))
                return fail(path, 0, data_off + i * isz, "element %zu = %g is not an integer in the int32 range", i, v);
            ((int32_t *)out)[i] = (int32_t)v;
        } else {
            int64_t v = load_i(p, info->dtype);
            if (v < INT32_MIN || v > INT32_MAX)
                return fail(path, 0, data_off + i * isz, "element %zu = %lld is outside the int32 range", i, (long long)v);
            ((int32_t *)out)[i] = (int32_t)v;
        }
    }
    return ELIG_OK;
}

/* Whole file into one buffer. Its size is known (fstat) and capped before the allocation:
 * preamble + 1 MiB header + max_count * 8 bytes. */
static int slurp(const char *path, size_t max_count, unsigned char **buf, size_t *len)
{
    char e[128];
    *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return elig__err(ELIG_EIO, "npy: cannot open %s: %s", path, errstr(errno, e, sizeof e));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        int en = errno;
        fclose(f);
        return elig__err(ELIG_EIO, "npy: cannot stat %s: %s", path, errstr(en, e, sizeof e));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return elig__err(ELIG_EIO, "npy: %s is not a regular file", path);
    }
    size_t cap;
    if (elig__mul(max_count, 8, &cap) || cap > SIZE_MAX - 12 - NPY_MAX_HEADER) cap = SIZE_MAX;
    else cap += 12 + NPY_MAX_HEADER;
    if (st.st_size < 0 || (uint64_t)st.st_size > cap) {
        fclose(f);
        return elig__err(ELIG_ELIMIT, "npy: %s: file is %lld bytes, more than max_count %zu elements can take", path,
                         (long long)st.st_size, max_count);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *b = elig__malloc(n);
    if (!b) {
        fclose(f);
        return elig__err(ELIG_ENOMEM, "npy: %s: cannot allocate %zu bytes", path, n);
    }
    size_t got = fread(b, 1, n, f);
    int err = ferror(f), en = errno, more = got == n && fgetc(f) != EOF;
    fclose(f);
    if (got != n || more) {
        elig__free(b);
        if (err) return elig__err(ELIG_EIO, "npy: cannot read %s: %s", path, errstr(en, e, sizeof e));
        return elig__err(ELIG_EIO, "npy: %s changed size while being read (%zu bytes expected)", path, n);
    }
    *buf = b;
    *len = n;
    return ELIG_OK;
}

static int read_as(const char *path, elig_npy_info *info, void **out, size_t max_count, int kind)
{
    if (!out) return elig__err(ELIG_EINVAL, "npy: out must not be NULL");
    *out = NULL;
    if (!path) return elig__err(ELIG_EINVAL, "npy: path must not be NULL");
    if (max_count == 0) max_count = NPY_DEFAULT_MAX_COUNT;
    elig_npy_info inf;
    unsigned char *b = NULL;
    size_t len = 0, off = 0;
    int rc = slurp(path, max_count, &b, &len);
    if (rc) return rc;
    if ((rc = parse(b, len, path, &inf, &off))) goto done;
    if (inf.count > max_count) {
        rc = elig__err(ELIG_ELIMIT, "npy: %s: %zu elements exceed max_count %zu", path, inf.count, max_count);
        goto done;
    }
    size_t osz = kind == OUT_DOUBLE ? sizeof(double) : kind == OUT_FLOAT ? sizeof(float) : sizeof(int32_t), obytes;
    if (elig__mul(inf.count, osz, &obytes)) {
        rc = elig__err(ELIG_ELIMIT, "npy: %s: %zu elements do not fit in memory", path, inf.count);
        goto done;
    }
    void *o = malloc(obytes ? obytes : 1); /* the API promises malloc: the caller calls free() */
    if (!o) {
        rc = elig__err(ELIG_ENOMEM, "npy: %s: cannot allocate %zu bytes", path, obytes);
        goto done;
    }
    if ((rc = convert(b + off, &inf, off, kind, o, path))) {
        free(o);
        goto done;
    }
    *out = o;
    if (info) *info = inf;
done:
    elig__free(b);
    return rc;
}

int elig_npy_read_real(const char *path, elig_npy_info *info, elig_real **out, size_t max_count)
{
#ifdef ELIG_DOUBLE
    return read_as(path, info, (void **)out, max_count, OUT_DOUBLE);
#else
    return read_as(path, info, (void **)out, max_count, OUT_FLOAT);
#endif
}

int elig_npy_read_f64(const char *path, elig_npy_info *info, double **out, size_t max_count)
{
    return read_as(path, info, (void **)out, max_count, OUT_DOUBLE);
}

int elig_npy_read_i32(const char *path, elig_npy_info *info, int32_t **out, size_t max_count)
{
    return read_as(path, info, (void **)out, max_count, OUT_I32);
}

/* ---------------------------------------------------------------- write */

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Best effort: make the rename itself durable. A failure here cannot undo the write. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* data: count values, double if src_double else float; written as <f8 (dtype F8) or <f4. */
static int write_npy(const char *path, const void *data, int src_double, int dtype, int ndim, const int64_t *shape)
{
    if (!path || !*path) return elig__err(ELIG_EINVAL, "npy write: path must be a non-empty string");
    if (ndim < 0 || ndim > ELIG_NPY_MAX_DIMS)
        return elig__err(ELIG_EINVAL, "npy write %s: ndim must be in [0, %d] (got %d)", path, ELIG_NPY_MAX_DIMS, ndim);
    if (ndim > 0 && !shape) return elig__err(ELIG_EINVAL, "npy write %s: shape must not be NULL for ndim %d", path, ndim);
    /* The reader's rule: the product of the nonzero dimensions, times the itemsize, must fit
     * in size_t even when a zero makes the count 0 -- never write what cannot be read back. */
    size_t nonzero = 1, isz = dtype_size(dtype), bytes;
    int has_zero = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return elig__err(ELIG_EINVAL, "npy write %s: shape[%d] must be >= 0 (got %lld)", path, i, (long long)shape[i]);
        if (shape[i] == 0) {
            has_zero = 1;
            continue;
        }
        if ((uint64_t)shape[i] > SIZE_MAX || elig__mul(nonzero, (size_t)shape[i], &nonzero))
            return elig__err(ELIG_EINVAL, "npy write %s: shape[%d] = %lld makes the element count overflow", path, i,
                             (long long)shape[i]);
    }
    if (elig__mul(nonzero, isz, &bytes) || bytes > SIZE_MAX - 512)
        return elig__err(ELIG_EINVAL, "npy write %s: %zu elements overflow the byte count", path, nonzero);
    size_t count = has_zero ? 0 : nonzero;
    if (count > 0 && !data) return elig__err(ELIG_EINVAL, "npy write %s: data must not be NULL for %zu elements", path, count);

    /* Header: the dict numpy writes, padded with spaces so that the data start is a multiple
     * of 64 bytes, ended by '\n'. 8 dims of 19 digits keep it far below the u16 limit. */
    unsigned char head[512];
    char s[300];
    int hn = snprintf((char *)head + 10, sizeof head - 10, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      dtype_name(dtype), shape_str(shape, ndim, s, sizeof s));
    size_t total = (10 + (size_t)hn + 1 + 63) / 64 * 64;
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (unsigned char)((total - 10) & 0xff);
    head[9] = (unsigned char)((total - 10) >> 8);
    memset(head + 10 + hn, ' ', total - 10 - (size_t)hn - 1);
    head[total - 1] = '\n';

    size_t tlen = strlen(path) + 32;
    char *tmp = elig__malloc(tlen);
    if (!tmp) return elig__err(ELIG_ENOMEM, "npy write %s: cannot allocate the temp file name", path);
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());

    const char *step = "create the temp file";
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) goto fail;
    step = "write the temp file";
    if (write_all(fd, head, total)) goto fail;
    unsigned char chunk[8192];
    size_t per = sizeof chunk / isz;
    for (size_t i = 0; i < count;) {
        size_t m = count - i < per ? count - i : per;
        for (size_t j = 0; j < m; j++) {
            unsigned char *q = chunk + j * isz;
            uint64_t u;
            if (dtype == ELIG_NPY_F8) {
                double d = src_double ? ((const double *)data)[i + j] : (double)((const float *)data)[i + j];
                memcpy(&u, &d, 8);
            } else {
                float f = src_double ? (float)((const double *)data)[i + j] : ((const float *)data)[i + j];
                uint32_t u32;
                memcpy(&u32, &f, 4);
                u = u32;
            }
            for (size_t k = 0; k < isz; k++) q[k] = (unsigned char)(u >> (8 * k));
        }
        if (write_all(fd, chunk, m * isz)) goto fail;
        i += m;
    }
    step = "fsync the temp file";
    if (fsync(fd) != 0) goto fail;
    step = "close the temp file";
    {
        int c = close(fd);
        fd = -1;
        if (c != 0) goto fail;
    }
    step = "rename the temp file over the target";
    if (rename(tmp, path) != 0) goto fail;
    elig__free(tmp);
    sync_dir(path);
    return ELIG_OK;

fail: {
    int en = errno;
    char e[128];
    if (fd >= 0) close(fd);
    unlink(tmp); /* nothing is left behind, whatever step failed */
    int rc = elig__err(ELIG_EIO, "npy: cannot write %s: %s %s: %s", path, step, tmp, errstr(en, e, sizeof e));
    elig__free(tmp);
    return rc;
}
}

int elig_npy_write_real(const char *path, const elig_real *data, int ndim, const int64_t *shape)
{
#ifdef ELIG_DOUBLE
    return write_npy(path, data, 1, ELIG_NPY_F8, ndim, shape);
#else
    return write_npy(path, data, 0, ELIG_NPY_F4, ndim, shape);
#endif
}

int elig_npy_write_f64(const char *path, const double *data, int ndim, const int64_t *shape)
{
    return write_npy(path, data, 1, ELIG_NPY_F8, ndim, shape);
}
