/* idx.c -- IDX files (MNIST, Fashion-MNIST; LeCun's format), gzip-compressed or plain.
 *
 * Format (yann.lecun.com/exdb/mnist, datasets.md §2.1):
 *
 *   byte 0-1   0x00 0x00
 *   byte 2     element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 *   byte 3     number of dimensions n (capped at ELIG_IDX_MAX_DIMS)
 *   byte 4     n sizes, big-endian uint32
 *   then       the elements, row-major, big-endian
 *
 * The bytes are hostile: the header is checked field by field, the element count and byte
 * count for overflow, and, before the result is allocated, the claimed data size against what
 * the file can hold (its size when plain; 1032 times its size when deflated, the largest
 * expansion deflate allows) and against the caller's cap. The data is then streamed from
 * zlib's gzread (which reads plain files unchanged) in 16 KiB pieces and converted in place,
 * so a read makes exactly one allocation, the result. Errors: "idx: PATH: byte OFF: ..." with
 * OFF the offset in the decompressed stream.
 *
 * Cost: one pass over the data; the conversion is O(count).
 */
#include "data_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define FMT "idx"
#define DEFLATE_MAX_RATIO 1032u /* bytes out per byte in, at most (zlib technical details) */

static size_t type_size(int t)
{
    switch (t) {
    case ELIG_IDX_U8: case ELIG_IDX_I8: return 1;
    case ELIG_IDX_I16: return 2;
    case ELIG_IDX_I32: case ELIG_IDX_F32: return 4;
    case ELIG_IDX_F64: return 8;
    }
    return 0;
}

/* Bytes 0-3: zero magic, a known type, ndim within the cap. avail may be < 4. */
static int check_prefix(const unsigned char *b, size_t avail, const char *path)
{
    for (size_t i = 0; i < 2 && i < avail; i++)
        if (b[i] != 0) return elig__data_fail(FMT, path, i, "not an IDX file (bytes 0-1 must be 0, found 0x%02x)", b[i]);
    if (avail < 3) return elig__data_fail(FMT, path, avail, "file ends inside the 4-byte magic (%zu bytes)", avail);
    if (!type_size(b[2]))
        return elig__data_fail(FMT, path, 2, "element type 0x%02x unknown (0x08 0x09 0x0B 0x0C 0x0D 0x0E are defined)", b[2]);
    if (avail < 4) return elig__data_fail(FMT, path, avail, "file ends inside the 4-byte magic (%zu bytes)", avail);
    if (b[3] > ELIG_IDX_MAX_DIMS)
        return elig__data_fail(FMT, path, 3, "%u dimensions, at most %d supported", b[3], ELIG_IDX_MAX_DIMS);
    return ELIG_OK;
}

/* The whole header (4 + 4 ndim bytes, avail of them present): info and its length. */
static int parse_header(const unsigned char *b, size_t avail, const char *path, elig_idx_info *info, size_t *hlen)
{
    memset(info, 0, sizeof *info);
    int rc = check_prefix(b, avail, path);
    if (rc) return rc;
    int nd = b[3];
    size_t h = 4 + 4 * (size_t)nd;
    if (avail < h)
        return elig__data_fail(FMT, path, avail, "file ends inside the %d dimension sizes (header is %zu bytes)", nd, h);
    size_t count = 1, bytes;
    for (int i = 0; i < nd; i++) {
        uint32_t d = elig__be32(b + 4 + 4 * i);
        info->shape[i] = d;
        if (elig__mul(count, d, &count))
            return elig__data_fail(FMT, path, 4 + 4 * (size_t)i, "dimension %d (= %u) makes the element count overflow", i, d);
    }
    if (elig__mul(count, type_size(b[2]), &bytes) || bytes > SIZE_MAX - h)
        return elig__data_fail(FMT, path, 4, "%zu elements need more bytes than fit in size_t", count);
    info->type = b[2];
    info->ndim = nd;
    info->count = count;
    *hlen = h;
    return ELIG_OK;
}

int elig_idx_parse(const void *buf, size_t len, elig_idx_info *info, size_t *data_off)
{
    if (!buf && len) return elig__err(ELIG_EINVAL, "idx: buf must not be NULL (got NULL with len %zu)", len);
    static const unsigned char none[1] = {0};
    const unsigned char *b = buf ? buf : none;
    elig_idx_info tmp, *in = info ? info : &tmp;
    size_t h;
    int rc = parse_header(b, buf ? len : 0, NULL, in, &h);
    if (rc) return rc;
    size_t bytes = in->count * type_size(in->type);
    if (len - h < bytes) {
        size_t c = in->count;
        memset(in, 0, sizeof *in);
        return elig__data_fail(FMT, NULL, len, "file ends inside the data (%zu of %zu bytes for %zu elements)", len - h,
                               bytes, c);
    }
    if (len - h > bytes) {
        memset(in, 0, sizeof *in);
        return elig__data_fail(FMT, NULL, h + bytes, "%zu extra bytes after the data", len - h - bytes);
    }
    if (data_off) *data_off = h;
    return ELIG_OK;
}

/* ---------------------------------------------------------------- conversion */

static uint64_t be64(const unsigned char *p) { return (uint64_t)elig__be32(p) << 32 | elig__be32(p + 4); }

/* Element at p as a double (all six types are exact in double). */
static double load(const unsigned char *p, int type)
{
    switch (type) {
    case ELIG_IDX_U8: return p[0];
    case ELIG_IDX_I8: return (int8_t)p[0];
    case ELIG_IDX_I16: return (int16_t)(uint16_t)(p[0] << 8 | p[1]);
    case ELIG_IDX_I32: return (int32_t)elig__be32(p);
    case ELIG_IDX_F32: {
        uint32_t u = elig__be32(p);
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    default: {
        uint64_t u = be64(p);
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    }
}

enum { OUT_REAL, OUT_I32 };

/* Convert n elements at src (element index first, byte offset off) into out. */
static int convert(const unsigned char *src, size_t n, int type, size_t first, size_t off, int kind, double scale,
                   void *out, const char *path)
{
    size_t isz = type_size(type);
    for (size_t i = 0; i < n; i++) {
        double v = load(src + i * isz, type);
        if (kind == OUT_REAL) {
            double s = v * scale;
            if (sizeof(elig_real) == 4 && isfinite(s) && fabs(s) > FLT_MAX)
                return elig__data_fail(FMT, path, off + i * isz, "element %zu = %g (scaled) is outside the float range",
                                       first + i, s);
            ((elig_real *)out)[first + i] = (elig_real)s;
        } else {
            if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v))
                return elig__data_fail(FMT, path, off + i * isz, "element %zu = %g is not an integer in the int32 range",
                                       first + i, v);
            ((int32_t *)out)[first + i] = (int32_t)v;
        }
    }
    return ELIG_OK;
}

/* ---------------------------------------------------------------- read */

/* gzread of exactly n bytes, or: *got < n (end of stream) / a zlib error (EFORMAT at off). */
static int gz_read(gzFile gz, unsigned char *b, size_t n, size_t *got, size_t off, const char *path)
{
    *got = 0;
    while (*got < n) {
        size_t want = n - *got > (1u << 30) ? (1u << 30) : n - *got;
        int r = gzread(gz, b + *got, (unsigned)want);
        if (r < 0) {
            int zerr;
            const char *m = gzerror(gz, &zerr);
            return elig__data_fail(FMT, path, off + *got, "corrupt gzip stream: %s", m ? m : "?");
        }
        if (r == 0) break;
        *got += (size_t)r;
    }
    if (*got < n) { /* distinguish a clean end from a damaged one: zlib flags a truncated stream */
        int zerr = Z_OK;
        const char *m = gzerror(gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END)
            return elig__data_fail(FMT, path, off + *got, "corrupt gzip stream: %s", m ? m : "?");
    }
    return ELIG_OK;
}

static int read_as(const char *path, elig_idx_info *info, void **out, size_t max_count, int kind, double scale)
{
    if (!out) return elig__err(ELIG_EINVAL, "idx: out must not be NULL");
    *out = NULL;
    if (!path) return elig__err(ELIG_EINVAL, "idx: path must not be NULL");
    if (!isfinite(scale)) return elig__err(ELIG_EINVAL, "idx: scale must be finite (got %g)", scale);
    if (max_count == 0) max_count = ELIG_IDX_DEFAULT_MAX_COUNT;
    uint64_t fsz;
    int rc = elig__file_size(FMT, path, &fsz);
    if (rc) return rc;
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        char e[128];
        return elig__err(errno ? ELIG_EIO : ELIG_ENOMEM, "idx: cannot open %s: %s", path,
                         errno ? elig__errstr(errno, e, sizeof e) : "zlib out of memory");
    }
    unsigned char head[4 + 4 * 255];
    size_t got, h;
    elig_idx_info inf;
    void *o = NULL;
    if ((rc = gz_read(gz, head, 4, &got, 0, path))) goto done;
    if ((rc = check_prefix(head, got, path))) goto done;
    if ((rc = gz_read(gz, head + 4, 4 * (size_t)head[3], &got, 4, path))) goto done;
    if ((rc = parse_header(head, 4 + got, path, &inf, &h))) goto done;
    size_t isz = type_size(inf.type), bytes = inf.count * isz;
    /* Could the file hold that much? Checked before the allocation, so a 100-byte file that
     * claims 2^31 elements costs nothing. */
    uint64_t cap_bytes = gzdirect(gz) ? fsz : (fsz > UINT64_MAX / DEFLATE_MAX_RATIO ? UINT64_MAX : fsz * DEFLATE_MAX_RATIO);
    if ((uint64_t)bytes + h > cap_bytes) {
        rc = elig__data_fail(FMT, path, h, "the header claims %zu bytes of data, more than this %s file of %llu bytes can hold",
                             bytes, gzdirect(gz) ? "plain" : "compressed", (unsigned long long)fsz);
        goto done;
    }
    if (inf.count > max_count) {
        rc = elig__err(ELIG_ELIMIT, "idx: %s: %zu elements exceed max_count %zu", path, inf.count, max_count);
        goto done;
    }
    size_t osz = kind == OUT_REAL ? sizeof(elig_real) : sizeof(int32_t), obytes;
    if (elig__mul(inf.count, osz, &obytes)) {
        rc = elig__err(ELIG_ELIMIT, "idx: %s: %zu elements do not fit in memory", path, inf.count);
        goto done;
    }
    o = malloc(obytes ? obytes : 1); /* the API promises malloc: the caller calls free() */
    if (!o) {
        rc = elig__err(ELIG_ENOMEM, "idx: %s: cannot allocate %zu bytes", path, obytes);
        goto done;
    }
    unsigned char chunk[16384]; /* a multiple of every element size */
    for (size_t done_b = 0; done_b < bytes;) {
        size_t want = bytes - done_b < sizeof chunk ? bytes - done_b : sizeof chunk;
        if ((rc = gz_read(gz, chunk, want, &got, h + done_b, path))) goto done;
        if (got < want) {
            rc = elig__data_fail(FMT, path, h + done_b + got, "file ends inside the data (%zu of %zu bytes for %zu elements)",
                                 done_b + got, bytes, inf.count);
            goto done;
        }
        if ((rc = convert(chunk, want / isz, inf.type, done_b / isz, h + done_b, kind, scale, o, path))) goto done;
        done_b += want;
    }
    unsigned char extra[64];
    if ((rc = gz_read(gz, extra, sizeof extra, &got, h + bytes, path))) goto done;
    if (got > 0) {
        rc = elig__data_fail(FMT, path, h + bytes, "extra bytes after the data of %zu elements", inf.count);
        goto done;
    }
done:
    gzclose(gz);
    if (rc) {
        free(o);
        return rc;
    }
    *out = o;
    if (info) *info = inf;
    return ELIG_OK;
}

int elig_idx_read_real(const char *path, elig_idx_info *info, elig_real **out, size_t max_count, double scale)
{
    return read_as(path, info, (void **)out, max_count, OUT_REAL, scale);
}

int elig_idx_read_i32(const char *path, elig_idx_info *info, int32_t **out, size_t max_count)
{
    return read_as(path, info, (void **)out, max_count, OUT_I32, 1.0);
}
