/* test_npy.c -- the .npy reader and writer (src/npy.c): round trips of every dtype and header
 * version, the freedoms of the header syntax, every malformed case (each refused with
 * ELIG_EFORMAT and an "npy" message with a byte offset), conversions, caps, atomic writes,
 * the real data sets under shared/data, the seed corpus, and interoperability with numpy.
 *
 * Files go to a fresh directory under $TMPDIR (default /tmp), removed by each test.
 * Values are exact: a .npy stores the bits, so every comparison is == except where a value is
 * rounded to float on purpose.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

static char g_dir[256];

static const char *tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/elig_test_npy_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(g_dir)) th_fail(__FILE__, __LINE__, "mkdtemp %s: %s", g_dir, strerror(errno));
    return g_dir;
}

static const char *in_dir(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return p;
}

/* Number of entries of g_dir whose name contains needle (all when needle is ""). */
static int count_files(const char *needle)
{
    DIR *d = opendir(g_dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, needle)) n++;
    closedir(d);
    return n;
}

static void rm_dir(void)
{
    DIR *d = opendir(g_dir);
    if (!d) return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
        if (unlink(p) != 0) rmdir(p);
    }
    closedir(d);
    rmdir(g_dir);
}

static void put_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) th_fail(__FILE__, __LINE__, "cannot write %s", path);
}

static unsigned char *get_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) th_fail(__FILE__, __LINE__, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long m = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)m + 1);
    if (fread(b, 1, (size_t)m, f) != (size_t)m) th_fail(__FILE__, __LINE__, "cannot read %s", path);
    fclose(f);
    b[m] = 0;
    *n = (size_t)m;
    return b;
}

/* A .npy by hand: preamble of `version`, the dict text, padded with spaces and '\n' so that the
 * data starts at a multiple of pad_to (pad_to 0: no padding, no newline), then the data. */
static size_t build(unsigned char *out, size_t cap, int version, const char *dict, size_t pad_to, const void *data,
                    size_t dn)
{
    size_t pre = version == 1 ? 10 : 12, hl = strlen(dict), total = pre + hl;
    if (pad_to) total = (pre + hl + 1 + pad_to - 1) / pad_to * pad_to;
    if (total + dn > cap) th_fail(__FILE__, __LINE__, "build: buffer too small");
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)version;
    out[7] = 0;
    size_t h = total - pre;
    out[8] = (unsigned char)(h & 0xff);
    out[9] = (unsigned char)(h >> 8);
    if (version != 1) {
        out[10] = (unsigned char)(h >> 16);
        out[11] = (unsigned char)(h >> 24);
    }
    memcpy(out + pre, dict, hl);
    if (pad_to) {
        memset(out + pre + hl, ' ', total - pre - hl - 1);
        out[total - 1] = '\n';
    }
    if (dn) memcpy(out + total, data, dn);
    return total + dn;
}

static void le_bytes(unsigned char *q, uint64_t u, int n)
{
    for (int k = 0; k < n; k++) q[k] = (unsigned char)(u >> (8 * k));
}

/* The parse must refuse: EFORMAT, "npy" and a byte offset in the message, and `needle`. */
static void expect_bad_at(const char *file, int line, const char *what, const void *b, size_t n, const char *needle)
{
    elig_npy_info info;
    size_t off = 12345;
    /* an exact-size copy: an over-read is an ASan error, not a silent pass */
    unsigned char *copy = malloc(n ? n : 1);
    if (n) memcpy(copy, b, n);
    int rc = elig_npy_parse(n ? copy : NULL, n, &info, &off);
    free(copy);
    const char *m = elig_last_error();
    if (rc != ELIG_EFORMAT) th_fail(file, line, "%s: got %s (%s), expected EFORMAT", what, elig_status_name(rc), m);
    if (strncmp(m, "npy", 3) != 0 || !strstr(m, "byte "))
        th_fail(file, line, "%s: message lacks \"npy\" or a byte offset: %s", what, m);
    if (needle && !strstr(m, needle)) th_fail(file, line, "%s: message lacks \"%s\": %s", what, needle, m);
    if (off != 12345) th_fail(file, line, "%s: data_off written on failure", what);
}
#define EXPECT_BAD(what, b, n, needle) expect_bad_at(__FILE__, __LINE__, what, b, n, needle)

static double value(size_t i) { return 2.385 * (double)(i + 1) - 17.3 * (double)(i % 7); }

/* Shared data sets: $ELIG_DATADIR, ../shared/data (from the project root), /work/shared/data. */
static const char *data_path(const char *rel)
{
    static char p[512];
    const char *roots[3] = {getenv("ELIG_DATADIR"), "../shared/data", "/work/shared/data"};
    for (int i = 0; i < 3; i++) {
        if (!roots[i] || !*roots[i]) continue;
        snprintf(p, sizeof p, "%s/%s", roots[i], rel);
        if (access(p, R_OK) == 0) return p;
    }
    return NULL;
}

static int have_numpy(void)
{
    if (access("/usr/bin/python3", X_OK) != 0) return 0;
    return system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

/* ---------------------------------------------------------------- round trips */

TEST(roundtrip_real_1d)
{
    tmpdir();
    enum { N = 13 };
    elig_real x[N];
    for (int i = 0; i < N; i++) x[i] = (elig_real)value((size_t)i);
    int64_t shape[1] = {N};
    ASSERT_OK(elig_npy_write_real(in_dir("a.npy"), x, 1, shape));
    elig_npy_info info;
    elig_real *y = NULL;
    ASSERT_OK(elig_npy_read_real(in_dir("a.npy"), &info, &y, 0));
#ifdef ELIG_DOUBLE
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F8);
#else
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F4);
#endif
    ASSERT_EQ_INT(info.ndim, 1);
    ASSERT_EQ_INT(info.shape[0], N);
    ASSERT_EQ_INT(info.count, N);
    for (int i = 0; i < N; i++) ASSERT_TRUE(y[i] == x[i]);
    free(y);
    double *d = NULL;
    ASSERT_OK(elig_npy_read_f64(in_dir("a.npy"), NULL, &d, 0));
    for (int i = 0; i < N; i++) ASSERT_TRUE(d[i] == (double)x[i]);
    free(d);
    ASSERT_EQ_INT(count_files(".tmp."), 0);
    rm_dir();
}

TEST(roundtrip_f64_3d_header_layout)
{
    tmpdir();
    enum { A = 3, B = 5, C = 7, N = A * B * C };
    double x[N];
    for (int i = 0; i < N; i++) x[i] = value((size_t)i);
    x[4] = -0.0;
    x[9] = 1e-310; /* subnormal */
    int64_t shape[3] = {A, B, C};
    ASSERT_OK(elig_npy_write_f64(in_dir("b.npy"), x, 3, shape));
    size_t n;
    unsigned char *f = get_file(in_dir("b.npy"), &n);
    elig_npy_info info;
    size_t off;
    ASSERT_OK(elig_npy_parse(f, n, &info, &off));
    ASSERT_EQ_INT(off % 64, 0);
    ASSERT_EQ_INT(n, off + N * 8);
    ASSERT_EQ_INT(f[6], 1);
    ASSERT_EQ_INT(f[7], 0);
    ASSERT_EQ_INT(f[off - 1], '\n');
    ASSERT_TRUE(strstr((char *)f + 10, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5, 7), }") == (char *)f + 10);
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F8);
    ASSERT_EQ_INT(info.ndim, 3);
    ASSERT_EQ_INT(info.shape[0], A);
    ASSERT_EQ_INT(info.shape[1], B);
    ASSERT_EQ_INT(info.shape[2], C);
    free(f);
    double *y = NULL;
    ASSERT_OK(elig_npy_read_f64(in_dir("b.npy"), &info, &y, N));
    ASSERT_EQ_INT(info.count, N);
    ASSERT_TRUE(memcmp(x, y, sizeof x) == 0); /* bit for bit, -0.0 and subnormal included */
    free(y);
    rm_dir();
}

TEST(roundtrip_scalar_and_empty)
{
    tmpdir();
    double s = -17.3;
    ASSERT_OK(elig_npy_write_f64(in_dir("s.npy"), &s, 0, NULL));
    size_t n;
    unsigned char *f = get_file(in_dir("s.npy"), &n);
    ASSERT_TRUE(strstr((char *)f + 10, "'shape': (), }") != NULL); /* f[9] is 0: skip the preamble */
    free(f);
    elig_npy_info info;
    double *y = NULL;
    ASSERT_OK(elig_npy_read_f64(in_dir("s.npy"), &info, &y, 1));
    ASSERT_EQ_INT(info.ndim, 0);
    ASSERT_EQ_INT(info.count, 1);
    ASSERT_TRUE(y[0] == -17.3);
    free(y);

    int64_t shape[2] = {0, 4};
    ASSERT_OK(elig_npy_write_f64(in_dir("e.npy"), NULL, 2, shape));
    ASSERT_OK(elig_npy_read_f64(in_dir("e.npy"), &info, &y, 0));
    ASSERT_EQ_INT(info.ndim, 2);
    ASSERT_EQ_INT(info.count, 0);
    ASSERT_EQ_INT(info.shape[1], 4);
    ASSERT_TRUE(y != NULL); /* a valid (empty) allocation */
    free(y);

    int64_t one[1] = {5};
    double five[5] = {2.385, -17.3, 0.5, 1e300, -1e-300};
    ASSERT_OK(elig_npy_write_f64(in_dir("o.npy"), five, 1, one));
    f = get_file(in_dir("o.npy"), &n);
    ASSERT_TRUE(strstr((char *)f + 10, "'shape': (5,), }") != NULL);
    free(f);
    rm_dir();
}

/* Every stored dtype through every reader, from hand-built bytes. */
TEST(dtypes_f4_f8_i4_i8_by_hand)
{
    tmpdir();
    unsigned char data[64], file[256];
    const float f4[5] = {2.385f, -17.3f, 0.0f, 1e38f, -1e-38f};
    for (int i = 0; i < 5; i++) { uint32_t u; memcpy(&u, &f4[i], 4); le_bytes(data + 4 * i, u, 4); }
    size_t n = build(file, sizeof file, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 64, data, 20);
    put_file(in_dir("f4.npy"), file, n);
    elig_npy_info info;
    double *d = NULL;
    ASSERT_OK(elig_npy_read_f64(in_dir("f4.npy"), &info, &d, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F4);
    for (int i = 0; i < 5; i++) ASSERT_TRUE(d[i] == (double)f4[i]);
    free(d);
    elig_real *r = NULL;
    ASSERT_OK(elig_npy_read_real(in_dir("f4.npy"), &info, &r, 0));
    for (int i = 0; i < 5; i++) ASSERT_TRUE(r[i] == (elig_real)f4[i]);
    free(r);
    int32_t *z = NULL;
    ASSERT_EQ_INT(elig_npy_read_i32(in_dir("f4.npy"), &info, &z, 0), ELIG_EFORMAT); /* 2.385 is no integer */
    ASSERT_TRUE(z == NULL);
    ASSERT_TRUE(strstr(elig_last_error(), "element 0") && strstr(elig_last_error(), in_dir("f4.npy")));

    const double f8[4] = {2.385, -17.3, 1e300, -0.0};
    for (int i = 0; i < 4; i++) { uint64_t u; memcpy(&u, &f8[i], 8); le_bytes(data + 8 * i, u, 8); }
    n = build(file, sizeof file, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 64, data, 32);
    put_file(in_dir("f8.npy"), file, n);
    ASSERT_OK(elig_npy_read_f64(in_dir("f8.npy"), &info, &d, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F8);
    ASSERT_EQ_INT(info.ndim, 2);
    ASSERT_TRUE(memcmp(d, f8, sizeof f8) == 0);
    free(d);
#ifdef ELIG_DOUBLE
    ASSERT_OK(elig_npy_read_real(in_dir("f8.npy"), &info, &r, 0));
    ASSERT_TRUE(memcmp(r, f8, sizeof f8) == 0);
    free(r);
#else
    /* 1e300 has no float: refused rather than turned into inf */
    ASSERT_EQ_INT(elig_npy_read_real(in_dir("f8.npy"), &info, &r, 0), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "element 2") && strstr(elig_last_error(), "float range"));
#endif

    const int32_t i4[6] = {0, 1, -1, 2147483647, -2147483647 - 1, -17};
    for (int i = 0; i < 6; i++) le_bytes(data + 4 * i, (uint32_t)i4[i], 4);
    n = build(file, sizeof file, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 3), }", 64, data, 24);
    put_file(in_dir("i4.npy"), file, n);
    ASSERT_OK(elig_npy_read_i32(in_dir("i4.npy"), &info, &z, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_I4);
    ASSERT_EQ_INT(info.ndim, 3);
    ASSERT_EQ_INT(info.shape[2], 3);
    for (int i = 0; i < 6; i++) ASSERT_EQ_INT(z[i], i4[i]);
    free(z);
    ASSERT_OK(elig_npy_read_f64(in_dir("i4.npy"), &info, &d, 0));
    for (int i = 0; i < 6; i++) ASSERT_TRUE(d[i] == (double)i4[i]);
    free(d);

    const int64_t i8[4] = {5, -6, 2147483647, -2147483647 - 1};
    for (int i = 0; i < 4; i++) le_bytes(data + 8 * i, (uint64_t)i8[i], 8);
    n = build(file, sizeof file, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", 64, data, 32);
    put_file(in_dir("i8.npy"), file, n);
    ASSERT_OK(elig_npy_read_i32(in_dir("i8.npy"), &info, &z, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_I8);
    for (int i = 0; i < 4; i++) ASSERT_EQ_INT(z[i], i8[i]);
    free(z);
    ASSERT_OK(elig_npy_read_real(in_dir("i8.npy"), &info, &r, 0));
    for (int i = 0; i < 4; i++) ASSERT_TRUE(r[i] == (elig_real)i8[i]);
    free(r);
    /* int64 -> elig_real rounds once, as numpy's astype does: through double it would round
     * twice, and for this value (found by the fuzzer) land one float ulp lower */
    const int64_t odd = 97197158607880193;
    unsigned char ob[8];
    le_bytes(ob, (uint64_t)odd, 8);
    n = build(file, sizeof file, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 64, ob, 8);
    put_file(in_dir("odd.npy"), file, n);
    ASSERT_OK(elig_npy_read_real(in_dir("odd.npy"), &info, &r, 0));
    ASSERT_TRUE(r[0] == (elig_real)odd);
#ifndef ELIG_DOUBLE
    ASSERT_TRUE(r[0] != (float)(double)odd);
#endif
    free(r);

    /* int64 beyond int32, and integral floats beyond int32: refused by read_i32 only */
    le_bytes(data + 8, (uint64_t)((int64_t)1 << 40), 8);
    n = build(file, sizeof file, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", 64, data, 32);
    put_file(in_dir("i8big.npy"), file, n);
    ASSERT_EQ_INT(elig_npy_read_i32(in_dir("i8big.npy"), &info, &z, 0), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "element 1 = 1099511627776 is outside the int32 range") != NULL);
    ASSERT_TRUE(strstr(elig_last_error(), "byte 136") != NULL); /* data at 128, element 1 */
    ASSERT_OK(elig_npy_read_f64(in_dir("i8big.npy"), &info, &d, 0));
    ASSERT_TRUE(d[1] == 1099511627776.0);
    free(d);
    const double ints[3] = {3.0, -4.0, 2147483648.0};
    for (int i = 0; i < 3; i++) { uint64_t u; memcpy(&u, &ints[i], 8); le_bytes(data + 8 * i, u, 8); }
    n = build(file, sizeof file, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 64, data, 16);
    put_file(in_dir("ints.npy"), file, n);
    ASSERT_OK(elig_npy_read_i32(in_dir("ints.npy"), &info, &z, 0));
    ASSERT_EQ_INT(z[0], 3);
    ASSERT_EQ_INT(z[1], -4);
    free(z);
    n = build(file, sizeof file, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 64, data, 24);
    put_file(in_dir("ints2.npy"), file, n);
    ASSERT_EQ_INT(elig_npy_read_i32(in_dir("ints2.npy"), &info, &z, 0), ELIG_EFORMAT);
    rm_dir();
}

TEST(header_versions_2_and_3)
{
    unsigned char data[24], file[256];
    for (int i = 0; i < 3; i++) { double v = value((size_t)i); uint64_t u; memcpy(&u, &v, 8); le_bytes(data + 8 * i, u, 8); }
    for (int ver = 2; ver <= 3; ver++) {
        size_t n = build(file, sizeof file, ver, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 64, data, 24);
        elig_npy_info info;
        size_t off;
        ASSERT_OK(elig_npy_parse(file, n, &info, &off));
        ASSERT_EQ_INT(off, 128); /* 12 + 58 + '\n', padded to 64 */
        ASSERT_EQ_INT(info.count, 3);
        ASSERT_EQ_INT(info.dtype, ELIG_NPY_F8);
    }
    /* a v2 length whose high bytes matter: 70000 bytes of header */
    size_t big = 70000;
    unsigned char *f = malloc(12 + big + 8);
    char *dict = malloc(big);
    snprintf(dict, big, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }");
    size_t n = build(f, 12 + big + 8, 2, dict, big, data, 8); /* data at byte 70000 */
    elig_npy_info info;
    size_t off;
    ASSERT_OK(elig_npy_parse(f, n, &info, &off));
    ASSERT_TRUE(off > 65535);
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_I8);
    free(f);
    free(dict);
}

/* Older writers padded to 16 bytes; the data start need not even be aligned to the itemsize. */
TEST(header_padding_16_and_unaligned)
{
    tmpdir();
    unsigned char data[24], file[256];
    for (int i = 0; i < 3; i++) { double v = value((size_t)i); uint64_t u; memcpy(&u, &v, 8); le_bytes(data + 8 * i, u, 8); }
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    size_t n = build(file, sizeof file, 1, dict, 16, data, 24);
    elig_npy_info info;
    size_t off;
    ASSERT_OK(elig_npy_parse(file, n, &info, &off));
    ASSERT_EQ_INT(off % 16, 0);
    ASSERT_TRUE(off % 64 != 0);
    n = build(file, sizeof file, 1, dict, 0, data, 24); /* no padding, no newline: data at 10 + 58 */
    ASSERT_OK(elig_npy_parse(file, n, &info, &off));
    ASSERT_EQ_INT(off, 10 + strlen(dict));
    ASSERT_TRUE(off % 8 != 0);
    put_file(in_dir("u.npy"), file, n);
    double *d = NULL;
    ASSERT_OK(elig_npy_read_f64(in_dir("u.npy"), &info, &d, 0));
    for (int i = 0; i < 3; i++) ASSERT_TRUE(d[i] == value((size_t)i));
    free(d);
    rm_dir();
}

/* What a Python dict literal allows: any key order, double quotes, whitespace and newlines
 * anywhere, no trailing comma, Python 2 long suffixes. */
TEST(header_syntax_freedoms)
{
    const char *dicts[] = {
        "{'shape': (2,), 'descr': '<i4', 'fortran_order': False}",
        "{\"fortran_order\":False,\"shape\":(2,),\"descr\":\"<i4\",}",
        "  {\t'descr' :\n'<i4' ,'fortran_order'  :  False,\r\n'shape' : ( 2 , ) , }  ",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2,), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': ( ), }",
    };
    const size_t counts[] = {2, 2, 2, 2, 2, 2, 1};
    unsigned char data[8] = {7, 0, 0, 0, 0xf8, 0xff, 0xff, 0xff}, file[256];
    for (size_t k = 0; k < sizeof dicts / sizeof *dicts; k++) {
        size_t n = build(file, sizeof file, 1, dicts[k], 64, data, 4 * counts[k]);
        elig_npy_info info;
        if (elig_npy_parse(file, n, &info, NULL) != 0)
            th_fail(__FILE__, __LINE__, "dict %zu refused: %s", k, elig_last_error());
        ASSERT_EQ_INT(info.dtype, ELIG_NPY_I4);
        ASSERT_EQ_INT(info.count, counts[k]);
    }
}

/* ---------------------------------------------------------------- malformed */

/* Cut a valid file at every byte: each prefix is refused (the copy is exact-size, so ASan
 * would flag a read past the cut). */
TEST(truncated_at_every_offset)
{
    unsigned char data[48], file[256];
    for (int i = 0; i < 6; i++) { double v = value((size_t)i); uint64_t u; memcpy(&u, &v, 8); le_bytes(data + 8 * i, u, 8); }
    for (int ver = 1; ver <= 3; ver++) {
        size_t n = build(file, sizeof file, ver, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 64, data, 48);
        ASSERT_OK(elig_npy_parse(file, n, NULL, NULL));
        for (size_t k = 0; k < n; k++) {
            char what[96];
            snprintf(what, sizeof what, "v%d cut at %zu of %zu", ver, k, n);
            EXPECT_BAD(what, file, k, NULL);
        }
    }
    EXPECT_BAD("empty", "", 0, "magic");
    EXPECT_BAD("NULL, 0", NULL, 0, "magic");
}

TEST(malformed_headers)
{
    unsigned char f[512];
    size_t n;
    const unsigned char z8[64] = {0};
#define DICT(d) build(f, sizeof f, 1, d, 64, z8, 0)
#define DICTD(d, dn) build(f, sizeof f, 1, d, 64, z8, dn)
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16);
    ASSERT_OK(elig_npy_parse(f, n, NULL, NULL));
    f[1] = 'n';
    EXPECT_BAD("wrong magic", f, n, "magic");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16);
    f[6] = 4;
    EXPECT_BAD("version 4.0", f, n, "version 4.0");
    f[6] = 0;
    EXPECT_BAD("version 0.0", f, n, "version 0.0");
    f[6] = 1, f[7] = 1;
    EXPECT_BAD("version 1.1", f, n, "version 1.1");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16);
    f[8] = 0xff, f[9] = 0x7f;
    EXPECT_BAD("header length past the end", f, n, "runs past the end");
    n = build(f, sizeof f, 2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 64, z8, 16);
    f[11] = 0x10;
    EXPECT_BAD("v2 header length over the cap", f, n, "1 MiB cap");

    n = DICTD("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", 16);
    EXPECT_BAD("fortran order", f, n, "fortran_order True is not supported");
    n = DICTD("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", 16);
    EXPECT_BAD("fortran_order 0", f, n, "True or False");
    n = DICTD("{'descr': '<f8', 'fortran_order': Falsey, 'shape': (2,), }", 16);
    EXPECT_BAD("fortran_order Falsey", f, n, "True or False");
    n = DICTD("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("big-endian", f, n, "big-endian");
    n = DICTD("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4);
    EXPECT_BAD("<f2", f, n, "'<f2' is not supported");
    n = DICTD("{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("native =f4", f, n, "not explicitly little-endian");
    n = DICTD("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", 2);
    EXPECT_BAD("|u1", f, n, "no byte order");
    n = DICTD("{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("<u4", f, n, "not supported");
    n = DICTD("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("structured", f, n, "structured");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8);
    EXPECT_BAD("unterminated dict", f, n, "unterminated");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8);
    EXPECT_BAD("unterminated shape", f, n, "unterminated");
    n = DICTD("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("unterminated string", f, n, NULL);
    n = DICTD("'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("no opening brace", f, n, "expected '{'");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", 8);
    EXPECT_BAD("junk after the dict", f, n, "after the header dict");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8);
    EXPECT_BAD("shape as a list", f, n, "expected '('");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8);
    EXPECT_BAD("shape (2) without comma", f, n, "not a tuple");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 24);
    EXPECT_BAD("shape without separator", f, n, "expected ','");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (,), }", 8);
    EXPECT_BAD("shape (,)", f, n, "expected a dimension");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,), }", 8);
    EXPECT_BAD("float dimension", f, n, NULL);
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", 8);
    EXPECT_BAD("negative dim", f, n, "negative");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 4);
    EXPECT_BAD("9 dims", f, n, "shape has 9 dimensions, at most 8 supported");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1), }", 4);
    ASSERT_OK(elig_npy_parse(f, n, NULL, NULL)); /* 8 are fine */
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 0);
    EXPECT_BAD("product overflows size_t", f, n, "size_t");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807, 9223372036854775807), }", 0);
    EXPECT_BAD("zero times an overflowing product", f, n, "size_t");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }", 0);
    EXPECT_BAD("count fits, bytes do not", f, n, "size_t");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775808,), }", 0);
    EXPECT_BAD("dimension over 2^63-1", f, n, "2^63-1");
    n = DICTD("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 0);
    EXPECT_BAD("dimension far over 2^63-1", f, n, "2^63-1");
    n = DICTD("{'descr': '<f4', 'shape': (2,), }", 8);
    EXPECT_BAD("missing key", f, n, "lacks the key 'fortran_order'");
    n = DICTD("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("duplicate key", f, n, "duplicate key 'descr'");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8);
    EXPECT_BAD("unknown key", f, n, "unknown key 'extra'");
    n = DICTD("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("missing comma between items", f, n, "expected ','");
    n = DICTD("{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("missing colon", f, n, "expected ':'");
    n = DICTD("{'de\\x73cr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    EXPECT_BAD("escape in key", f, n, "escape");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\x01", 8);
    EXPECT_BAD("control byte after dict", f, n, "0x01");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    f[13] = 0xc3; /* inside the key 'descr' */
    EXPECT_BAD("non-ASCII byte in a string", f, n, "0xc3");

    /* lying shape, truncated data, extra bytes */
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", 48);
    EXPECT_BAD("shape says 15, data holds 12", f, n, "shape (3, 5) of <f4 needs 60");
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 16);
    EXPECT_BAD("4 extra bytes", f, n, "4 extra bytes");
    ASSERT_TRUE(strstr(elig_last_error(), "byte 140") != NULL); /* data at 128, 3 * 4 bytes */
    n = DICTD("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 0);
    EXPECT_BAD("scalar without its element", f, n, "needs 4");
#undef DICT
#undef DICTD
}

/* The messages of the file readers name the path and keep the byte offset. */
TEST(read_errors_name_the_path)
{
    tmpdir();
    unsigned char f[256], z[64] = {0};
    size_t n = build(f, sizeof f, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 64, z, 8);
    put_file(in_dir("be.npy"), f, n);
    double *d = (double *)1;
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("be.npy"), NULL, &d, 0), ELIG_EFORMAT);
    ASSERT_TRUE(d == NULL);
    const char *m = elig_last_error();
    ASSERT_TRUE(strncmp(m, "npy: ", 5) == 0);
    ASSERT_TRUE(strstr(m, in_dir("be.npy")) != NULL);
    ASSERT_TRUE(strstr(m, "header at byte 20") != NULL); /* the descr value */
    ASSERT_TRUE(strstr(m, "big-endian") != NULL);

    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("missing.npy"), NULL, &d, 0), ELIG_EIO);
    ASSERT_TRUE(strstr(elig_last_error(), "missing.npy") && strstr(elig_last_error(), "No such file"));
    ASSERT_EQ_INT(elig_npy_read_f64(g_dir, NULL, &d, 0), ELIG_EIO); /* a directory */
    ASSERT_EQ_INT(elig_npy_read_f64(NULL, NULL, &d, 0), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("be.npy"), NULL, NULL, 0), ELIG_EINVAL);
    rm_dir();
}

TEST(max_count_caps_the_read)
{
    tmpdir();
    double x[100];
    for (int i = 0; i < 100; i++) x[i] = value((size_t)i);
    int64_t shape[2] = {10, 10};
    ASSERT_OK(elig_npy_write_f64(in_dir("m.npy"), x, 2, shape));
    double *d = NULL;
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("m.npy"), NULL, &d, 99), ELIG_ELIMIT);
    ASSERT_TRUE(d == NULL && strstr(elig_last_error(), "max_count 99"));
    ASSERT_OK(elig_npy_read_f64(in_dir("m.npy"), NULL, &d, 100));
    free(d);
    /* a file far larger than the cap is refused from its size, before it is read */
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("m.npy"), NULL, &d, 0), ELIG_OK);
    free(d);
    FILE *f = fopen(in_dir("huge.npy"), "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(fseek(f, (2L << 20) + 4096, SEEK_SET), 0); /* sparse: 2 MiB of zeros */
    fputc(0, f);
    fclose(f);
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("huge.npy"), NULL, &d, 1), ELIG_ELIMIT);
    ASSERT_TRUE(strstr(elig_last_error(), "huge.npy") != NULL);
    rm_dir();
}

TEST(write_rejects_bad_arguments)
{
    tmpdir();
    double x[4] = {2.385, -17.3, 0.25, 8};
    int64_t shape[9] = {4, 1, 1, 1, 1, 1, 1, 1, 1};
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), x, 9, shape), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "ndim") != NULL);
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), x, -1, shape), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), x, 1, NULL), ELIG_EINVAL);
    int64_t neg[2] = {2, -2};
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), x, 2, neg), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "shape[1]") && strstr(elig_last_error(), "-2"));
    int64_t big[3] = {INT64_MAX, INT64_MAX, 2};
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), x, 3, big), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), NULL, 1, shape), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_npy_write_f64(NULL, x, 1, shape), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_npy_write_f64("", x, 1, shape), ELIG_EINVAL);
    ASSERT_EQ_INT(count_files(""), 0);
    /* a zero does not excuse an overflowing product: the reader would refuse the file */
    int64_t wide[8] = {0, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("w.npy"), NULL, 8, wide), ELIG_EINVAL); /* product overflows */
    rm_dir();
}

/* ---------------------------------------------------------------- atomic writes */

TEST(write_is_atomic)
{
    tmpdir();
    double a[7], b[300];
    for (int i = 0; i < 7; i++) a[i] = value((size_t)i);
    for (int i = 0; i < 300; i++) b[i] = -value((size_t)i);
    int64_t sa[1] = {7}, sb[2] = {20, 15};
    char p[600];
    snprintf(p, sizeof p, "%s", in_dir("x.npy"));
    ASSERT_OK(elig_npy_write_f64(p, a, 1, sa));
    ASSERT_OK(elig_npy_write_f64(p, b, 2, sb)); /* over the existing file */
    double *d = NULL;
    elig_npy_info info;
    ASSERT_OK(elig_npy_read_f64(p, &info, &d, 0));
    ASSERT_EQ_INT(info.count, 300);
    ASSERT_TRUE(memcmp(d, b, sizeof b) == 0);
    free(d);
    ASSERT_EQ_INT(count_files(".tmp."), 0);
    ASSERT_EQ_INT(count_files(""), 1);

    /* no directory: EIO with the system's reason, nothing created */
    char q[600];
    snprintf(q, sizeof q, "%s/no/such/dir/y.npy", g_dir);
    ASSERT_EQ_INT(elig_npy_write_f64(q, a, 1, sa), ELIG_EIO);
    ASSERT_TRUE(strstr(elig_last_error(), "y.npy") && strstr(elig_last_error(), "No such file or directory"));
    ASSERT_EQ_INT(count_files(""), 1);

    /* the target is a directory: the temp file is written, the rename fails, the temp is removed */
    ASSERT_EQ_INT(mkdir(in_dir("sub"), 0755), 0);
    ASSERT_EQ_INT(elig_npy_write_f64(in_dir("sub"), a, 1, sa), ELIG_EIO);
    ASSERT_TRUE(strstr(elig_last_error(), "rename") != NULL);
    ASSERT_EQ_INT(count_files(".tmp."), 0);
    ASSERT_EQ_INT(count_files(""), 2);

    /* a reader racing a writer sees the old file or the new one, whole, every time */
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 200; i++)
            if (elig_npy_write_f64(p, (i & 1) ? a : b, (i & 1) ? 1 : 2, (i & 1) ? sa : sb)) _exit(1);
        _exit(0);
    }
    int seen_a = 0, seen_b = 0, done = 0;
    for (int i = 0; i < 100000 && !done; i++) {
        int rc = elig_npy_read_f64(p, &info, &d, 0);
        if (rc) th_fail(__FILE__, __LINE__, "read %d while writing: %s", i, elig_last_error());
        if (info.count == 7 && memcmp(d, a, sizeof a) == 0) seen_a++;
        else if (info.count == 300 && memcmp(d, b, sizeof b) == 0) seen_b++;
        else th_fail(__FILE__, __LINE__, "read %d: neither the old nor the new content", i);
        free(d);
        done = waitpid(pid, NULL, WNOHANG) == pid;
    }
    if (!done) waitpid(pid, NULL, 0);
    ASSERT_TRUE(seen_a + seen_b > 0);
    ASSERT_EQ_INT(count_files(".tmp."), 0);
    rm_dir();
}

/* ---------------------------------------------------------------- real data */

static void check_file(const char *rel, int dtype, int ndim, const int64_t *shape)
{
    const char *p = data_path(rel);
    if (!p) return;
    double *d = NULL;
    elig_npy_info info;
    if (elig_npy_read_f64(p, &info, &d, 0)) th_fail(__FILE__, __LINE__, "%s: %s", rel, elig_last_error());
    if (info.dtype != dtype || info.ndim != ndim) th_fail(__FILE__, __LINE__, "%s: dtype %d ndim %d", rel, info.dtype, info.ndim);
    for (int i = 0; i < ndim; i++)
        if (info.shape[i] != shape[i]) th_fail(__FILE__, __LINE__, "%s: shape[%d] = %lld", rel, i, (long long)info.shape[i]);
    free(d);
}

TEST(data_yinyang)
{
    if (!data_path("yinyang/publication_data/train_samples.npy"))
        SKIP("yinyang/publication_data not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    const char *split[3] = {"train", "validation", "test"};
    const int64_t n[3] = {5000, 1000, 1000};
    for (int s = 0; s < 3; s++) {
        char rel[128];
        int64_t sh[2] = {n[s], 4};
        snprintf(rel, sizeof rel, "yinyang/publication_data/%s_samples.npy", split[s]);
        check_file(rel, ELIG_NPY_F8, 2, sh);
        /* features (x, y, 1-x, 1-y) in [0, 1] */
        double *x = NULL;
        ASSERT_OK(elig_npy_read_f64(data_path(rel), NULL, &x, 0));
        for (int64_t i = 0; i < n[s]; i++) {
            ASSERT_TRUE(x[4 * i] >= 0 && x[4 * i] <= 1);
            ASSERT_NEAR(x[4 * i] + x[4 * i + 2], 1.0, 1e-12);
            ASSERT_NEAR(x[4 * i + 1] + x[4 * i + 3], 1.0, 1e-12);
        }
        free(x);
        snprintf(rel, sizeof rel, "yinyang/publication_data/%s_labels.npy", split[s]);
        check_file(rel, ELIG_NPY_I8, 1, &n[s]);
        int32_t *y = NULL;
        ASSERT_OK(elig_npy_read_i32(data_path(rel), NULL, &y, 0));
        int hist[3] = {0, 0, 0};
        for (int64_t i = 0; i < n[s]; i++) {
            ASSERT_TRUE(y[i] >= 0 && y[i] <= 2);
            hist[y[i]]++;
        }
        for (int c = 0; c < 3; c++) ASSERT_TRUE(hist[c] > 0);
        free(y);
    }
}

TEST(data_braille)
{
    if (!data_path("braille/taxels.npy")) SKIP("braille/ not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    int64_t sh[3] = {1350, 77, 12}, n = 1350;
    check_file("braille/taxels.npy", ELIG_NPY_F4, 3, sh);
    elig_real *x = NULL;
    elig_npy_info info;
    ASSERT_OK(elig_npy_read_real(data_path("braille/taxels.npy"), &info, &x, 0));
    ASSERT_EQ_INT(info.count, 1350 * 77 * 12);
    double mx = 0;
    for (size_t i = 0; i < info.count; i++) {
        ASSERT_TRUE(x[i] >= 0 && x[i] <= 255);
        if (x[i] > mx) mx = x[i];
    }
    ASSERT_TRUE(mx > 0);
    free(x);
    ASSERT_EQ_INT(elig_npy_read_real(data_path("braille/taxels.npy"), &info, &x, 1350 * 77), ELIG_ELIMIT);
    const char *ints[3] = {"braille/labels.npy", "braille/lengths.npy", "braille/repetitions.npy"};
    for (int k = 0; k < 3; k++) check_file(ints[k], ELIG_NPY_I8, 1, &n);
    int32_t *lab = NULL, *len = NULL;
    ASSERT_OK(elig_npy_read_i32(data_path("braille/labels.npy"), NULL, &lab, 0));
    ASSERT_OK(elig_npy_read_i32(data_path("braille/lengths.npy"), NULL, &len, 0));
    for (int i = 0; i < 1350; i++) {
        ASSERT_TRUE(lab[i] >= 0 && lab[i] < 27);
        ASSERT_TRUE(len[i] >= 76 && len[i] <= 77);
    }
    free(lab);
    free(len);
}

/* The seed corpus of fuzz/fuzz_npy.c: ok_* parse, bad_* are refused with EFORMAT. */
TEST(fuzz_corpus_seeds)
{
    const char *dir = "fuzz/corpus/npy";
    DIR *d = opendir(dir);
    if (!d) SKIP("fuzz/corpus/npy not found (run from the project root)");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        int ok = strncmp(e->d_name, "ok_", 3) == 0, bad = strncmp(e->d_name, "bad_", 4) == 0;
        if (!ok && !bad) continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t len;
        unsigned char *b = get_file(p, &len);
        int rc = elig_npy_parse(b, len, NULL, NULL);
        free(b);
        if (ok && rc) th_fail(__FILE__, __LINE__, "%s refused: %s", p, elig_last_error());
        if (bad && rc != ELIG_EFORMAT) th_fail(__FILE__, __LINE__, "%s: got %s", p, elig_status_name(rc));
        n++;
    }
    closedir(d);
    ASSERT_TRUE(n >= 20);
}

/* ---------------------------------------------------------------- numpy */

TEST(numpy_reads_what_elig_writes)
{
    if (!have_numpy()) SKIP("/usr/bin/python3 with numpy not available");
    tmpdir();
    enum { A = 3, B = 5, C = 7, N = A * B * C };
    double x[N];
    elig_real r[N];
    for (int i = 0; i < N; i++) x[i] = value((size_t)i), r[i] = (elig_real)x[i];
    int64_t shape[3] = {A, B, C}, s1[1] = {N};
    ASSERT_OK(elig_npy_write_f64(in_dir("f8.npy"), x, 3, shape));
    ASSERT_OK(elig_npy_write_real(in_dir("real.npy"), r, 1, s1));
    double s = 2.385;
    ASSERT_OK(elig_npy_write_f64(in_dir("s.npy"), &s, 0, NULL));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"\n"
             "import numpy as np, sys\n"
             "d = sys.argv[1]\n"
             "v = np.array([2.385 * (i + 1) - 17.3 * (i %% 7) for i in range(%d)])\n"
             "a = np.load(d + '/f8.npy')\n"
             "assert a.dtype.str == '<f8' and a.shape == (3, 5, 7), (a.dtype, a.shape)\n"
             "assert (a.ravel() == v).all()\n"
             "b = np.load(d + '/real.npy')\n"
             "assert b.dtype.str == '%s' and b.shape == (%d,), (b.dtype, b.shape)\n"
             "assert (b == v.astype(b.dtype)).all()\n"
             "c = np.load(d + '/s.npy')\n"
             "assert c.shape == () and c == 2.385\n"
             "\" %s",
             N, sizeof(elig_real) == 8 ? "<f8" : "<f4", N, g_dir);
    ASSERT_EQ_INT(system(cmd), 0);
    rm_dir();
}

TEST(elig_reads_what_numpy_writes)
{
    if (!have_numpy()) SKIP("/usr/bin/python3 with numpy not available");
    tmpdir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"\n"
             "import numpy as np, sys\n"
             "d = sys.argv[1]\n"
             "v = np.array([2.385 * (i + 1) - 17.3 * (i %% 7) for i in range(60)])\n"
             "np.save(d + '/f8.npy', v.reshape(3, 4, 5))\n"
             "np.save(d + '/f4.npy', v.astype('<f4').reshape(6, 10))\n"
             "np.save(d + '/i4.npy', np.arange(-30, 30, dtype='<i4'))\n"
             "np.save(d + '/i8.npy', np.arange(-30, 30, dtype='<i8').reshape(2, 30) * 1000003)\n"
             "np.save(d + '/s.npy', np.float64(-17.3))\n"
             "np.save(d + '/fortran.npy', np.asfortranarray(v.reshape(6, 10)))\n"
             "np.save(d + '/be.npy', v.astype('>f8'))\n"
             "f = open(d + '/v2.npy', 'wb'); np.lib.format.write_array(f, v, version=(2, 0)); f.close()\n"
             "f = open(d + '/v3.npy', 'wb'); np.lib.format.write_array(f, v, version=(3, 0)); f.close()\n"
             "\" %s",
             g_dir);
    ASSERT_EQ_INT(system(cmd), 0);
    elig_npy_info info;
    double *d = NULL;
    const char *f8s[3] = {"f8.npy", "v2.npy", "v3.npy"};
    for (int k = 0; k < 3; k++) {
        ASSERT_OK(elig_npy_read_f64(in_dir(f8s[k]), &info, &d, 0));
        ASSERT_EQ_INT(info.dtype, ELIG_NPY_F8);
        ASSERT_EQ_INT(info.count, 60);
        for (int i = 0; i < 60; i++) ASSERT_TRUE(d[i] == value((size_t)i));
        free(d);
    }
    ASSERT_OK(elig_npy_read_f64(in_dir("f8.npy"), &info, &d, 0));
    ASSERT_EQ_INT(info.ndim, 3);
    ASSERT_EQ_INT(info.shape[1], 4);
    free(d);
    elig_real *r = NULL;
    ASSERT_OK(elig_npy_read_real(in_dir("f4.npy"), &info, &r, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_F4);
    ASSERT_EQ_INT(info.shape[0], 6);
    for (int i = 0; i < 60; i++) ASSERT_TRUE(r[i] == (elig_real)(float)value((size_t)i));
    free(r);
    int32_t *z = NULL;
    ASSERT_OK(elig_npy_read_i32(in_dir("i4.npy"), &info, &z, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_I4);
    for (int i = 0; i < 60; i++) ASSERT_EQ_INT(z[i], i - 30);
    free(z);
    ASSERT_OK(elig_npy_read_i32(in_dir("i8.npy"), &info, &z, 0));
    ASSERT_EQ_INT(info.dtype, ELIG_NPY_I8);
    for (int i = 0; i < 60; i++) ASSERT_EQ_INT(z[i], (i - 30) * 1000003);
    free(z);
    ASSERT_OK(elig_npy_read_f64(in_dir("s.npy"), &info, &d, 0));
    ASSERT_EQ_INT(info.ndim, 0);
    ASSERT_TRUE(d[0] == -17.3);
    free(d);
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("fortran.npy"), &info, &d, 0), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "fortran_order True is not supported") != NULL);
    ASSERT_EQ_INT(elig_npy_read_f64(in_dir("be.npy"), &info, &d, 0), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "big-endian") != NULL);
    rm_dir();
}
