/* fuzz_npy.c -- fuzz target for the .npy loader (src/npy.c), libFuzzer-compatible.
 *
 * Every input goes through elig_npy_parse. When the parse succeeds, the target walks the data
 * region the parse vouched for (count elements of itemsize bytes at data_off, converted to
 * double), so that a wrong count or offset shows up as an out-of-bounds read under ASan.
 * A successful parse is then also written to a temp file ($TMPDIR or /tmp) and read back
 * through the three readers, which must agree with the parse (same info, the same values bit
 * for bit) or fail with EFORMAT exactly when a value has no float / int32 -- anything else
 * aborts; the doubles are written again with elig_npy_write_f64 and must read back unchanged.
 * Parses that fail must fail with EFORMAT and a message that starts with "npy".
 *
 * Built two ways: with fuzz/replay.c by the Makefile (corpus replay in the normal tests), and
 * by clang -fsanitize=fuzzer for real fuzzing (fuzz/README.md).
 */
#include "elig.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Element at p: the float value in *f (float types) or the integer in *i (integer types). */
static int is_int(int dtype) { return dtype == ELIG_NPY_I4 || dtype == ELIG_NPY_I8; }

static void load(const uint8_t *p, int dtype, double *f, int64_t *i)
{
    uint64_t u = 0;
    size_t n = (dtype == ELIG_NPY_F4 || dtype == ELIG_NPY_I4) ? 4 : 8;
    for (size_t k = 0; k < n; k++) u |= (uint64_t)p[k] << (8 * k); /* each byte read: ASan checks it */
    *f = 0;
    *i = 0;
    if (dtype == ELIG_NPY_F4) { uint32_t w = (uint32_t)u; float x; memcpy(&x, &w, 4); *f = x; }
    if (dtype == ELIG_NPY_F8) memcpy(f, &u, 8);
    if (dtype == ELIG_NPY_I4) { uint32_t w = (uint32_t)u; int32_t v; memcpy(&v, &w, 4); *i = v; }
    if (dtype == ELIG_NPY_I8) memcpy(i, &u, 8);
}

static double elem(const uint8_t *p, int dtype)
{
    double f;
    int64_t i;
    load(p, dtype, &f, &i);
    return is_int(dtype) ? (double)i : f;
}

/* What elig_real must hold: one rounding from the stored value. Going through double first
 * would round an int64 twice (int64 -> double -> float) and can differ by one ulp. */
static elig_real as_real(const uint8_t *p, int dtype)
{
    double f;
    int64_t i;
    load(p, dtype, &f, &i);
    return is_int(dtype) ? (elig_real)i : (elig_real)f;
}

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

static void check_info(const elig_npy_info *a, const elig_npy_info *b)
{
    if (a->dtype != b->dtype || a->ndim != b->ndim || a->count != b->count) abort();
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) abort();
}

/* Readers on a file holding exactly these bytes. Skipped (not failed) when no temp file can be
 * made: the target must not depend on a writable /tmp to check the parser. */
static void check_readers(const uint8_t *data, size_t size, const elig_npy_info *info, size_t off)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/elig_fuzz_npy.%ld.npy", dir && *dir ? dir : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return;
    int ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok) { remove(path); return; }
    size_t cap = info->count ? info->count : 1;
    elig_npy_info id, ir, iz;
    double *d = NULL, *c = NULL;
    elig_real *r = NULL;
    int32_t *z = NULL;
    int rd = elig_npy_read_f64(path, &id, &d, cap);
    int rr = elig_npy_read_real(path, &ir, &r, cap);
    int rz = elig_npy_read_i32(path, &iz, &z, cap);
    int rc = info->count > 1 ? elig_npy_read_f64(path, NULL, &c, info->count - 1) : ELIG_ELIMIT;
    remove(path); /* before any abort: a crash leaves no file behind */

    /* what each reader must do, from the values themselves */
    size_t isz = (info->dtype == ELIG_NPY_F4 || info->dtype == ELIG_NPY_I4) ? 4 : 8;
    int real_ok = 1, i32_ok = 1;
    for (size_t i = 0; i < info->count; i++) {
        double v = elem(data + off + i * isz, info->dtype);
        if (sizeof(elig_real) == 4 && info->dtype == ELIG_NPY_F8 && isfinite(v) && fabs(v) > FLT_MAX)
            real_ok = 0;
        if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v)) i32_ok = 0;
    }
    if (rd != 0 || !d) abort(); /* every value has a double */
    check_info(info, &id);
    for (size_t i = 0; i < info->count; i++)
        if (!same(d[i], elem(data + off + i * isz, info->dtype))) abort();
    if (rr != (real_ok ? 0 : ELIG_EFORMAT) || (rr != 0) != (r == NULL)) abort();
    if (rr == 0) {
        check_info(info, &ir);
        for (size_t i = 0; i < info->count; i++)
            if (!same((double)r[i], (double)as_real(data + off + i * isz, info->dtype))) abort();
    }
    if (rz != (i32_ok ? 0 : ELIG_EFORMAT) || (rz != 0) != (z == NULL)) abort();
    if (rz == 0) {
        check_info(info, &iz);
        for (size_t i = 0; i < info->count; i++)
            if ((double)z[i] != d[i]) abort();
    }
    if (rc != ELIG_ELIMIT || c) abort(); /* a cap one below the count must refuse */

    /* the writer takes every shape the parser took, and what it writes reads back bit for bit */
    if (elig_npy_write_f64(path, d, info->ndim, info->shape) != 0) abort();
    elig_npy_info iw;
    double *w = NULL;
    int rw = elig_npy_read_f64(path, &iw, &w, cap);
    remove(path);
    if (rw != 0 || iw.dtype != ELIG_NPY_F8) abort();
    iw.dtype = info->dtype; /* written as <f8 whatever it was */
    check_info(info, &iw);
    if (info->count && memcmp(w, d, info->count * sizeof *d) != 0) abort();
    free(w);
    free(d);
    free(r);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elig_npy_info info;
    size_t off = 0;
    int rc = elig_npy_parse(data, size, &info, &off);
    if (rc != 0) {
        if (rc != ELIG_EFORMAT || strncmp(elig_last_error(), "npy", 3) != 0) abort();
        return 0;
    }
    size_t isz = (info.dtype == ELIG_NPY_F4 || info.dtype == ELIG_NPY_I4) ? 4 : 8;
    if (info.ndim < 0 || info.ndim > ELIG_NPY_MAX_DIMS || off > size || (size - off) / isz < info.count) abort();
    volatile double sum = 0;
    for (size_t i = 0; i < info.count; i++) sum += elem(data + off + i * isz, info.dtype);
    (void)sum;
    check_readers(data, size, &info, off);
    return 0;
}
