/* fuzz_idx.c -- fuzz target for the IDX reader (src/data/idx.c), libFuzzer-compatible.
 *
 * Every input is an uncompressed IDX file and goes through elig_idx_parse. When the parse
 * succeeds, the target walks the data region it vouched for (count elements of the type's size
 * at data_off), so a wrong count or offset is an out-of-bounds read under ASan. Then the bytes
 * are written to two temp files ($TMPDIR or /tmp), plain and gzip-compressed, and read back
 * through elig_idx_read_real (scale 1) and elig_idx_read_i32: both files must give the parse's
 * info and the values decoded here bit for bit, or refuse with EFORMAT exactly when a value has
 * no float (f64 in a float build) / int32 (non-integral or out of range); a cap of count - 1
 * must be ELIMIT (count > 1). A failed parse must be EFORMAT with a message starting "idx", and
 * both files must be refused with EFORMAT too.
 *
 * Built two ways: with fuzz/replay.c by the Makefile (corpus replay in the normal tests), and
 * by clang -fsanitize=fuzzer for real fuzzing (fuzz/README.md; add the data sources and -lz
 * -lhdf5).
 */
#include "elig_data.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t isz_of(int t) { return t == ELIG_IDX_U8 || t == ELIG_IDX_I8 ? 1 : t == ELIG_IDX_I16 ? 2 : t == ELIG_IDX_F64 ? 8 : 4; }

static double elem(const uint8_t *p, int t)
{
    uint64_t u = 0;
    size_t n = isz_of(t);
    for (size_t k = 0; k < n; k++) u = u << 8 | p[k]; /* big-endian; each byte read: ASan checks it */
    switch (t) {
    case ELIG_IDX_U8: return (double)u;
    case ELIG_IDX_I8: return (double)(int8_t)u;
    case ELIG_IDX_I16: return (double)(int16_t)u;
    case ELIG_IDX_I32: return (double)(int32_t)u;
    case ELIG_IDX_F32: { uint32_t w = (uint32_t)u; float f; memcpy(&f, &w, 4); return f; }
    default: { double d; memcpy(&d, &u, 8); return d; }
    }
}

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

static void check_info(const elig_idx_info *a, const elig_idx_info *b)
{
    if (a->type != b->type || a->ndim != b->ndim || a->count != b->count) abort();
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) abort();
}

/* Write the bytes plain (gz 0) or gzipped (gz 1); 0 if no temp file can be made. */
static int put(const char *path, const uint8_t *data, size_t size, int gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb6");
        if (!g) return 0;
        int ok = size == 0 || gzwrite(g, data, (unsigned)size) == (int)size;
        if (gzclose(g) != Z_OK || !ok) { remove(path); return 0; }
        return 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = size == 0 || fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok) { remove(path); return 0; }
    return 1;
}

static void check_file(const char *path, const uint8_t *data, int parsed, const elig_idx_info *info, size_t off)
{
    elig_idx_info ir, iz;
    elig_real *r = NULL;
    int32_t *z = NULL, *c = NULL;
    int rr = elig_idx_read_real(path, &ir, &r, 0, 1.0);
    int rz = elig_idx_read_i32(path, &iz, &z, 0);
    /* (a cap of 0 means the default, so the cap is tested from two elements on) */
    int rc = parsed && info->count > 1 ? elig_idx_read_i32(path, NULL, &c, info->count - 1) : ELIG_ELIMIT;
    remove(path); /* before any abort: a crash leaves no file behind */
    if (!parsed) {
        if (rr != ELIG_EFORMAT || rz != ELIG_EFORMAT || r || z) abort();
        if (strncmp(elig_last_error(), "idx", 3) != 0) abort();
        return;
    }
    int real_ok = 1, i32_ok = 1;
    size_t isz = isz_of(info->type);
    for (size_t i = 0; i < info->count; i++) {
        double v = elem(data + off + i * isz, info->type);
        if (sizeof(elig_real) == 4 && isfinite(v) && fabs(v) > FLT_MAX) real_ok = 0;
        if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v)) i32_ok = 0;
    }
    if (rr != (real_ok ? 0 : ELIG_EFORMAT) || (rr != 0) != (r == NULL)) abort();
    if (rr == 0) {
        check_info(info, &ir);
        for (size_t i = 0; i < info->count; i++)
            if (!same((double)r[i], (double)(elig_real)elem(data + off + i * isz, info->type))) abort();
    }
    if (rz != (i32_ok ? 0 : ELIG_EFORMAT) || (rz != 0) != (z == NULL)) abort();
    if (rz == 0) {
        check_info(info, &iz);
        for (size_t i = 0; i < info->count; i++)
            if ((double)z[i] != elem(data + off + i * isz, info->type)) abort();
    }
    if (rc != ELIG_ELIMIT || c) abort(); /* a cap one below the count must refuse */
    free(r);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elig_idx_info info;
    size_t off = 0;
    int rc = elig_idx_parse(data, size, &info, &off);
    if (rc != 0 && (rc != ELIG_EFORMAT || strncmp(elig_last_error(), "idx", 3) != 0)) abort();
    if (rc == 0) {
        if (info.ndim < 0 || info.ndim > ELIG_IDX_MAX_DIMS || off > size || (size - off) / isz_of(info.type) < info.count)
            abort();
        volatile double sum = 0;
        for (size_t i = 0; i < info.count; i++) sum += elem(data + off + i * isz_of(info.type), info.type);
        (void)sum;
    }
    const char *dir = getenv("TMPDIR");
    char path[512];
    for (int gz = 0; gz < 2; gz++) {
        snprintf(path, sizeof path, "%s/elig_fuzz_idx.%ld.%s", dir && *dir ? dir : "/tmp", (long)getpid(), gz ? "gz" : "idx");
        if (!put(path, data, size, gz)) continue; /* no temp file: the parse was still checked */
        check_file(path, data, rc == 0, &info, off); /* removes the file */
    }
    return 0;
}
