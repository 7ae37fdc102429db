/* test_data.c -- the byte-format readers of the data component (src/data): IDX (gzip and
 * plain), WAV, N-MNIST events and the Train/<digit>/ walker. Each reader: a round trip on a
 * fixture the test writes into a fresh temp dir, malformed inputs (truncated at every offset,
 * lying sizes, wrong magic, absurd dimensions) refused with the right status and a message
 * carrying the format name and a byte offset, the caps, the real files under shared/data when
 * present, and the seeds of the fuzz corpora (ok_* accepted, bad_* refused).
 *
 * Values are exact (the formats store integers or the bits of floats): every comparison is ==
 * against the conversion the header documents, computed here independently.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "harness.h"
#include "elig_data.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------- helpers */

static void put_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(b, 1, n, f) != n) || fclose(f) != 0) th_fail(__FILE__, __LINE__, "cannot write %s", path);
}

static void put_gz(const char *path, const void *b, size_t n)
{
    gzFile g = gzopen(path, "wb9");
    if (!g || (n && gzwrite(g, b, (unsigned)n) != (int)n) || gzclose(g) != Z_OK) th_fail(__FILE__, __LINE__, "cannot gzip %s", path);
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
    *n = (size_t)m;
    return b;
}

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

/* rc must be want; for EFORMAT the message starts with prefix and names a byte offset. */
static void expect_rc_at(const char *file, int line, const char *what, int rc, int want, const char *prefix, const char *needle)
{
    const char *m = elig_last_error();
    if (rc != want)
        th_fail(file, line, "%s: got %s (%s), expected %s", what, elig_status_name(rc), rc ? m : "", elig_status_name(want));
    if (want == ELIG_EFORMAT && (strncmp(m, prefix, strlen(prefix)) != 0 || !strstr(m, "byte ")))
        th_fail(file, line, "%s: message lacks \"%s\" or a byte offset: %s", what, prefix, m);
    if (needle && !strstr(m, needle)) th_fail(file, line, "%s: message lacks \"%s\": %s", what, needle, m);
}
#define EXPECT_RC(what, rc, want, prefix, needle) expect_rc_at(__FILE__, __LINE__, what, rc, want, prefix, needle)

/* An exact-size heap copy: an over-read is an ASan error, not a silent pass. */
static unsigned char *dup_exact(const void *b, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    if (n) memcpy(c, b, n);
    return c;
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void le16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

/* ================================================================ IDX */

/* IDX header for type t and dims into b; returns its length. */
static size_t idx_header(unsigned char *b, int t, int nd, const uint32_t *dims)
{
    b[0] = b[1] = 0;
    b[2] = (unsigned char)t;
    b[3] = (unsigned char)nd;
    for (int i = 0; i < nd; i++) be32(b + 4 + 4 * i, dims[i]);
    return 4 + 4 * (size_t)nd;
}

/* 3 images of 5 x 7 u8 pixels with high-entropy values, and their labels. */
enum { NI = 3, NR = 5, NC = 7, NPIX = NI * NR * NC };
static size_t make_images(unsigned char *b)
{
    uint32_t dims[3] = {NI, NR, NC};
    size_t h = idx_header(b, ELIG_IDX_U8, 3, dims);
    for (int i = 0; i < NPIX; i++) b[h + i] = (unsigned char)((i * 97 + 13) % 256);
    b[h] = 0;
    b[h + 1] = 255;
    return h + NPIX;
}

TEST(idx_roundtrip_gz_and_plain)
{
    th_tmpdir("data");
    unsigned char img[16 + NPIX], lab[8 + NI];
    size_t n = make_images(img);
    uint32_t d1[1] = {NI};
    size_t hl = idx_header(lab, ELIG_IDX_U8, 1, d1);
    const unsigned char labv[NI] = {9, 0, 4};
    memcpy(lab + hl, labv, NI);
    put_gz(th_in_tmpdir("img.gz"), img, n);
    put_file(th_in_tmpdir("img.idx"), img, n);
    put_gz(th_in_tmpdir("lab.gz"), lab, hl + NI);
    const char *files[2] = {"img.gz", "img.idx"};
    for (int f = 0; f < 2; f++) {
        elig_idx_info info;
        elig_real *x = NULL;
        ASSERT_OK(elig_idx_read_real(th_in_tmpdir(files[f]), &info, &x, 0, 1.0 / 255));
        ASSERT_EQ_INT(info.type, ELIG_IDX_U8);
        ASSERT_EQ_INT(info.ndim, 3);
        ASSERT_EQ_INT(info.shape[0], NI);
        ASSERT_EQ_INT(info.shape[1], NR);
        ASSERT_EQ_INT(info.shape[2], NC);
        ASSERT_EQ_INT(info.count, NPIX);
        for (int i = 0; i < NPIX; i++) ASSERT_TRUE(x[i] == (elig_real)((double)img[16 + i] * (1.0 / 255)));
        ASSERT_TRUE(x[0] == 0 && x[1] == 1);
        free(x);
        int32_t *raw = NULL;
        ASSERT_OK(elig_idx_read_i32(th_in_tmpdir(files[f]), NULL, &raw, 0));
        for (int i = 0; i < NPIX; i++) ASSERT_EQ_INT(raw[i], img[16 + i]);
        free(raw);
    }
    int32_t *y = NULL;
    elig_idx_info li;
    ASSERT_OK(elig_idx_read_i32(th_in_tmpdir("lab.gz"), &li, &y, 0));
    ASSERT_EQ_INT(li.ndim, 1);
    for (int i = 0; i < NI; i++) ASSERT_EQ_INT(y[i], labv[i]);
    free(y);
    /* the cap: exactly the count passes, one less is ELIMIT with nothing returned */
    elig_real *x = NULL;
    ASSERT_OK(elig_idx_read_real(th_in_tmpdir("img.gz"), NULL, &x, NPIX, 1));
    free(x);
    x = (elig_real *)1;
    ASSERT_EQ_INT(elig_idx_read_real(th_in_tmpdir("img.gz"), NULL, &x, NPIX - 1, 1), ELIG_ELIMIT);
    ASSERT_TRUE(x == NULL);
    th_rm_tree(th_tmpdir_path());
}

TEST(idx_every_type)
{
    th_tmpdir("data");
    const double vals[6] = {-128, 127, -17, 2.5, 32767, -2147483648.0};
    const int types[6] = {ELIG_IDX_U8, ELIG_IDX_I8, ELIG_IDX_I16, ELIG_IDX_I32, ELIG_IDX_F32, ELIG_IDX_F64};
    const int sizes[6] = {1, 1, 2, 4, 4, 8};
    for (int k = 0; k < 6; k++) {
        unsigned char b[16 + 6 * 8];
        uint32_t d[2] = {2, 3};
        size_t h = idx_header(b, types[k], 2, d), isz = (size_t)sizes[k];
        double want[6];
        for (int i = 0; i < 6; i++) {
            unsigned char *p = b + h + i * isz;
            double v = 0;
            switch (types[k]) {
            case ELIG_IDX_U8: v = (i * 51 + 7) % 256; p[0] = (unsigned char)v; break;
            case ELIG_IDX_I8: v = i == 0 ? -128 : i == 1 ? 127 : -i * 17; p[0] = (unsigned char)(int8_t)v; break;
            case ELIG_IDX_I16: v = i == 0 ? -32768 : i == 1 ? 32767 : -i * 2385; p[0] = (unsigned char)((uint16_t)(int16_t)v >> 8); p[1] = (unsigned char)(int16_t)v; break;
            case ELIG_IDX_I32: v = i == 0 ? -2147483648.0 : i == 1 ? 2147483647.0 : -i * 1000003; be32(p, (uint32_t)(int32_t)v); break;
            case ELIG_IDX_F32: { float f = i == 0 ? -17.3f : i == 1 ? 2.385f : (float)(i * 3); uint32_t u; memcpy(&u, &f, 4); be32(p, u); v = f; break; }
            default: { double dd = i == 0 ? -1e300 : i == 1 ? 2.385 : i * 7.0; uint64_t u; memcpy(&u, &dd, 8); be32(p, (uint32_t)(u >> 32)); be32(p + 4, (uint32_t)u); v = dd; break; }
            }
            want[i] = v;
        }
        (void)vals;
        put_gz(th_in_tmpdir("t.gz"), b, h + 6 * isz);
        elig_idx_info info;
        size_t off = 0;
        unsigned char *c = dup_exact(b, h + 6 * isz);
        ASSERT_OK(elig_idx_parse(c, h + 6 * isz, &info, &off));
        free(c);
        ASSERT_EQ_INT(off, h);
        ASSERT_EQ_INT(info.type, types[k]);
        elig_real *x = NULL;
        int rc = elig_idx_read_real(th_in_tmpdir("t.gz"), &info, &x, 0, 1.0);
        if (sizeof(elig_real) == 4 && types[k] == ELIG_IDX_F64) {
            EXPECT_RC("f64 -1e300 into float", rc, ELIG_EFORMAT, "idx", "float range");
        } else {
            ASSERT_OK(rc);
            for (int i = 0; i < 6; i++) ASSERT_TRUE(x[i] == (elig_real)want[i]);
            free(x);
        }
        int32_t *z = NULL;
        rc = elig_idx_read_i32(th_in_tmpdir("t.gz"), NULL, &z, 0);
        if (types[k] == ELIG_IDX_F32 || types[k] == ELIG_IDX_F64) {
            EXPECT_RC("non-integral float into int32", rc, ELIG_EFORMAT, "idx", "int32");
        } else {
            ASSERT_OK(rc);
            for (int i = 0; i < 6; i++) ASSERT_EQ_INT(z[i], (long long)want[i]);
            free(z);
        }
    }
    th_rm_tree(th_tmpdir_path());
}

TEST(idx_malformed)
{
    unsigned char good[16 + NPIX];
    size_t n = make_images(good);
    struct { const char *what; size_t len; int byte; int val; const char *needle; } cases[] = {
        {"empty", 0, -1, 0, "magic"},
        {"byte 0 not zero", n, 0, 0x1f, "not an IDX"},
        {"byte 1 not zero", n, 1, 0x8b, "not an IDX"},
        {"unknown type", n, 2, 0x0A, "element type"},
        {"9 dimensions", n, 3, 9, "dimensions"},
        {"255 dimensions", n, 3, 255, "dimensions"},
        {"more dims than bytes", n, 3, 8, NULL},
        {"dims cut off", 9, -1, 0, "dimension sizes"},
        {"data cut off", n - 1, -1, 0, "ends inside the data"},
        {"header only", 16, -1, 0, "ends inside the data"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        unsigned char b[sizeof good];
        memcpy(b, good, n);
        if (cases[k].byte >= 0) b[cases[k].byte] = (unsigned char)cases[k].val;
        unsigned char *c = dup_exact(b, cases[k].len);
        elig_idx_info info;
        size_t off = 4242;
        int rc = elig_idx_parse(cases[k].len ? c : NULL, cases[k].len, &info, &off);
        free(c);
        EXPECT_RC(cases[k].what, rc, ELIG_EFORMAT, "idx", cases[k].needle);
        ASSERT_EQ_INT(off, 4242); /* untouched on failure */
    }
    /* trailing bytes */
    unsigned char longer[sizeof good + 3] = {0};
    memcpy(longer, good, n);
    EXPECT_RC("extra bytes", elig_idx_parse(longer, n + 3, NULL, NULL), ELIG_EFORMAT, "idx", "extra bytes");
    /* a product that overflows size_t: four dimensions of 2^32-1 */
    unsigned char big[20];
    uint32_t d[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    idx_header(big, ELIG_IDX_F64, 4, d);
    EXPECT_RC("overflowing dims", elig_idx_parse(big, 20, NULL, NULL), ELIG_EFORMAT, "idx", "overflow");
    /* a zero dimension is a valid empty array */
    unsigned char empty[12];
    uint32_t z[2] = {0, 28};
    idx_header(empty, ELIG_IDX_U8, 2, z);
    elig_idx_info info;
    ASSERT_OK(elig_idx_parse(empty, 12, &info, NULL));
    ASSERT_EQ_INT(info.count, 0);
    ASSERT_EQ_INT(elig_idx_parse(NULL, 5, NULL, NULL), ELIG_EINVAL);
}

/* Every prefix of a valid file: the parse refuses each, and so does the file reader, gzipped
 * and plain; then the gzip stream itself cut at every byte. */
TEST(idx_truncated_everywhere)
{
    th_tmpdir("data");
    unsigned char good[16 + NPIX];
    size_t n = make_images(good);
    for (size_t len = 0; len < n; len++) {
        unsigned char *c = dup_exact(good, len);
        EXPECT_RC("prefix parse", elig_idx_parse(len ? c : NULL, len, NULL, NULL), ELIG_EFORMAT, "idx", NULL);
        free(c);
        put_gz(th_in_tmpdir("p.gz"), good, len);
        put_file(th_in_tmpdir("p.idx"), good, len);
        elig_real *x = NULL;
        EXPECT_RC("prefix gz", elig_idx_read_real(th_in_tmpdir("p.gz"), NULL, &x, 0, 1), ELIG_EFORMAT, "idx", NULL);
        EXPECT_RC("prefix plain", elig_idx_read_real(th_in_tmpdir("p.idx"), NULL, &x, 0, 1), ELIG_EFORMAT, "idx", NULL);
        ASSERT_TRUE(x == NULL);
    }
    put_gz(th_in_tmpdir("g.gz"), good, n);
    size_t gl;
    unsigned char *g = get_file(th_in_tmpdir("g.gz"), &gl);
    for (size_t len = 0; len < gl; len++) {
        put_file(th_in_tmpdir("cut.gz"), g, len);
        int32_t *z = NULL;
        int rc = elig_idx_read_i32(th_in_tmpdir("cut.gz"), NULL, &z, 0);
        EXPECT_RC("gzip stream cut", rc, ELIG_EFORMAT, "idx", NULL);
    }
    /* a flipped bit inside the deflate data or the CRC: zlib's check or ours must object, unless
     * the bit carries no information (the padding after a stored block's 3-bit header, which
     * inflate skips): then the data must come back unchanged */
    int noticed = 0, flips = 0;
    for (size_t at = 10; at < gl; at += 3, flips++) {
        unsigned char *h = dup_exact(g, gl);
        h[at] ^= 0x20;
        put_file(th_in_tmpdir("bad.gz"), h, gl);
        free(h);
        int32_t *z = NULL;
        int rc = elig_idx_read_i32(th_in_tmpdir("bad.gz"), NULL, &z, 0);
        if (rc == ELIG_OK) {
            for (int i = 0; i < NPIX; i++)
                if (z[i] != good[16 + i]) th_fail(__FILE__, __LINE__, "bit flip at byte %zu changed element %d unnoticed", at, i);
            free(z);
            continue;
        }
        EXPECT_RC("gzip bit flip", rc, ELIG_EFORMAT, "idx", NULL);
        noticed++;
    }
    ASSERT_GE(noticed, flips - 1);
    free(g);
    /* a missing file is an I/O error, not a format error */
    int32_t *z = NULL;
    ASSERT_EQ_INT(elig_idx_read_i32(th_in_tmpdir("absent.gz"), NULL, &z, 0), ELIG_EIO);
    th_rm_tree(th_tmpdir_path());
}

/* A header that claims 60000 x 28 x 28 in a file of a few bytes is refused before the
 * allocation (the counting allocator sees no 47 MB block). */
TEST(idx_lying_size)
{
    th_tmpdir("data");
    unsigned char b[16 + 40];
    uint32_t d[3] = {60000, 28, 28};
    size_t h = idx_header(b, ELIG_IDX_U8, 3, d);
    memset(b + h, 7, 40);
    put_gz(th_in_tmpdir("lie.gz"), b, h + 40);
    put_file(th_in_tmpdir("lie.idx"), b, h + 40);
    elig_real *x = NULL;
    EXPECT_RC("lying gz", elig_idx_read_real(th_in_tmpdir("lie.gz"), NULL, &x, 0, 1), ELIG_EFORMAT, "idx", "can hold");
    EXPECT_RC("lying plain", elig_idx_read_real(th_in_tmpdir("lie.idx"), NULL, &x, 0, 1), ELIG_EFORMAT, "idx", "can hold");
    /* 2^31 elements of f64 in a 24-byte file */
    uint32_t d2[2] = {65536, 32768};
    h = idx_header(b, ELIG_IDX_F64, 2, d2);
    put_gz(th_in_tmpdir("lie2.gz"), b, h + 8);
    EXPECT_RC("2^31 claimed", elig_idx_read_real(th_in_tmpdir("lie2.gz"), NULL, &x, 0, 1), ELIG_EFORMAT, "idx", "can hold");
    ASSERT_TRUE(x == NULL);
    th_rm_tree(th_tmpdir_path());
}

TEST(data_fashion_mnist)
{
    const char *dirs[2] = {"/usr/share/datasets/fashion-mnist", "/usr/share/datasets/fashion_mnist"};
    const char *d = NULL;
    for (int i = 0; i < 2; i++)
        if (access(dirs[i], R_OK) == 0) d = dirs[i];
    if (!d) SKIP("Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");
    /* the names of the original distribution; the Debian package keeps them */
    const char *img[2] = {"t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz"};
    const char *lab[2] = {"t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"};
    const long n[2] = {10000, 60000};
    char p[512];
    snprintf(p, sizeof p, "%s/%s", d, img[0]);
    if (access(p, R_OK) != 0) SKIP("Fashion-MNIST directory present but t10k-images-idx3-ubyte.gz is not in it");
    for (int s = 0; s < 1; s++) { /* the test split: 7.8 MB, fast enough under ASan */
        elig_idx_info ii, li;
        elig_real *x = NULL;
        int32_t *y = NULL;
        snprintf(p, sizeof p, "%s/%s", d, img[s]);
        ASSERT_OK(elig_idx_read_real(p, &ii, &x, 0, 1.0 / 255));
        ASSERT_EQ_INT(ii.ndim, 3);
        ASSERT_EQ_INT(ii.shape[0], n[s]);
        ASSERT_EQ_INT(ii.shape[1], 28);
        ASSERT_EQ_INT(ii.shape[2], 28);
        double mx = 0;
        for (size_t i = 0; i < ii.count; i++) {
            ASSERT_TRUE(x[i] >= 0 && x[i] <= 1);
            if (x[i] > mx) mx = x[i];
        }
        ASSERT_TRUE(mx == 1);
        snprintf(p, sizeof p, "%s/%s", d, lab[s]);
        ASSERT_OK(elig_idx_read_i32(p, &li, &y, 0));
        ASSERT_EQ_INT(li.count, n[s]);
        int hist[10] = {0};
        for (long i = 0; i < n[s]; i++) {
            ASSERT_TRUE(y[i] >= 0 && y[i] <= 9);
            hist[y[i]]++;
        }
        for (int c = 0; c < 10; c++) ASSERT_EQ_INT(hist[c], n[s] / 10); /* balanced classes */
        free(x);
        free(y);
    }
}

/* ================================================================ WAV */

typedef struct {
    unsigned char b[1024];
    size_t n;
} buf;

static void put(buf *w, const void *p, size_t k)
{
    memcpy(w->b + w->n, p, k);
    w->n += k;
}

static void chunk(buf *w, const char *id, const void *payload, size_t sz)
{
    unsigned char h[8];
    memcpy(h, id, 4);
    le32(h + 4, (uint32_t)sz);
    put(w, h, 8);
    put(w, payload, sz);
    if (sz & 1) w->b[w->n++] = 0;
}

static void fmt16(unsigned char *f, unsigned tag, unsigned ch, uint32_t rate, unsigned bits)
{
    le16(f, tag);
    le16(f + 2, ch);
    le32(f + 4, rate);
    le32(f + 8, rate * ch * bits / 8);
    le16(f + 12, ch * bits / 8);
    le16(f + 14, bits);
}

static void riff_close(buf *w) { le32(w->b + 4, (uint32_t)(w->n - 8)); }

static const int16_t g_samples[13] = {0, 1, -1, 32767, -32768, 2385, -17300, 12345, -12345, 100, -100, 30000, -30000};

/* RIFF WAVE with LIST (odd size: a pad byte), fmt, fact, data. */
static void make_wav(buf *w, unsigned ch)
{
    w->n = 0;
    put(w, "RIFF\0\0\0\0WAVE", 12);
    chunk(w, "LIST", "INFOISFT\x05\0\0\0elig\0", 17);
    unsigned char f[16];
    fmt16(f, 1, ch, 11025, 16);
    chunk(w, "fmt ", f, 16);
    chunk(w, "fact", "\x0d\0\0\0", 4);
    unsigned char d[13 * 4];
    size_t nd = 0;
    for (int i = 0; i < 13; i++) {
        le16(d + nd, (uint16_t)g_samples[i]);
        nd += 2;
        if (ch == 2) {
            le16(d + nd, (uint16_t)g_samples[12 - i]);
            nd += 2;
        }
    }
    chunk(w, "data", d, nd);
    riff_close(w);
}

TEST(wav_roundtrip_with_list_chunk)
{
    th_tmpdir("data");
    for (unsigned ch = 1; ch <= 2; ch++) {
        buf w;
        make_wav(&w, ch);
        put_file(th_in_tmpdir("a.wav"), w.b, w.n);
        elig_wav_info info;
        elig_real *x = NULL;
        ASSERT_OK(elig_wav_read(th_in_tmpdir("a.wav"), &info, &x, 0));
        ASSERT_EQ_INT(info.sample_rate, 11025);
        ASSERT_EQ_INT(info.channels, ch);
        ASSERT_EQ_INT(info.bits, 16);
        ASSERT_EQ_INT(info.n_frames, 13);
        for (int i = 0; i < 13; i++) {
            double want = ch == 1 ? g_samples[i] / 32768.0 : (g_samples[i] + g_samples[12 - i]) / 65536.0;
            ASSERT_TRUE(x[i] == (elig_real)want);
            ASSERT_TRUE(x[i] >= -1 && x[i] < 1);
        }
        free(x);
        /* the same bytes in memory, exact-size copy */
        unsigned char *c = dup_exact(w.b, w.n);
        ASSERT_OK(elig_wav_decode(c, w.n, &info, &x, 13));
        free(x);
        ASSERT_EQ_INT(elig_wav_decode(c, w.n, &info, &x, 12), ELIG_ELIMIT);
        ASSERT_TRUE(x == NULL);
        free(c);
    }
    /* WAVE_FORMAT_EXTENSIBLE with the PCM sub-format, and trailing bytes after the RIFF chunk */
    buf w = {.n = 0};
    put(&w, "RIFF\0\0\0\0WAVE", 12);
    unsigned char f[40] = {0};
    fmt16(f, 0xFFFE, 1, 8000, 16);
    le16(f + 16, 22);
    le16(f + 18, 16);
    le16(f + 24, 1);
    memcpy(f + 26, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
    chunk(&w, "fmt ", f, 40);
    chunk(&w, "data", "\x10\x00\xf0\xff", 4);
    riff_close(&w);
    put(&w, "ID3junk", 7);
    elig_real *x = NULL;
    elig_wav_info info;
    ASSERT_OK(elig_wav_decode(w.b, w.n, &info, &x, 0));
    ASSERT_EQ_INT(info.n_frames, 2);
    ASSERT_TRUE(x[0] == (elig_real)(16 / 32768.0) && x[1] == (elig_real)(-16 / 32768.0));
    free(x);
    th_rm_tree(th_tmpdir_path());
}

TEST(wav_malformed)
{
    buf good;
    make_wav(&good, 1);
    /* offsets in make_wav's layout: LIST at 12 (8 + 17 + pad), fmt at 38, fact at 62, data at 74 */
    ASSERT_TRUE(memcmp(good.b + 38, "fmt ", 4) == 0 && memcmp(good.b + 74, "data", 4) == 0);
    struct { const char *what; size_t at; uint32_t v; int width; const char *needle; } cases[] = {
        {"magic", 0, 'X', 1, "RIFF"},
        {"form", 8, 'X', 1, "WAVE"},
        {"riff size past end", 4, 5000, 4, "RIFF size"},
        {"riff size tiny", 4, 3, 4, "too small"},
        {"LIST size past end", 16, 1000, 4, "runs past"},
        {"fmt size 14", 42, 14, 4, NULL},
        {"format tag 3 (float)", 46, 3, 2, "format tag"},
        {"3 channels", 48, 3, 2, "channels"},
        {"rate 0", 50, 0, 4, "sample rate"},
        {"rate 10 MHz", 50, 10000000, 4, "sample rate"},
        {"block align", 58, 4, 2, "block align"},
        {"8 bits", 60, 8, 2, "bits"},
        {"data size odd", 78, 25, 4, "multiple"},
        {"data size past end", 78, 27, 4, "runs past"},
        {"data renamed: no data", 74, 'x', 1, "no data"},
        {"fmt renamed: data first", 38, 'x', 1, "before the fmt"},
        {"fact renamed fmt: second fmt", 62, 'f', 1, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        buf w = good;
        if (cases[k].width == 1) w.b[cases[k].at] = (unsigned char)cases[k].v;
        else if (cases[k].width == 2) le16(w.b + cases[k].at, cases[k].v);
        else le32(w.b + cases[k].at, cases[k].v);
        if (!strcmp(cases[k].what, "fact renamed fmt: second fmt")) memcpy(w.b + 62, "fmt ", 4);
        unsigned char *c = dup_exact(w.b, w.n);
        elig_wav_info info;
        EXPECT_RC(cases[k].what, elig_wav_parse(c, w.n, &info), ELIG_EFORMAT, "wav", cases[k].needle);
        elig_real *x = NULL;
        EXPECT_RC(cases[k].what, elig_wav_decode(c, w.n, &info, &x, 0), ELIG_EFORMAT, "wav", NULL);
        ASSERT_TRUE(x == NULL);
        free(c);
    }
    /* every prefix, as cut (the RIFF size then lies) and with the RIFF size fixed to match (the
     * chunk walk meets the end) */
    for (size_t len = 0; len < good.n; len++) {
        buf w = good;
        unsigned char *c = dup_exact(w.b, len);
        EXPECT_RC("prefix", elig_wav_parse(len ? c : NULL, len, NULL), ELIG_EFORMAT, "wav", NULL);
        free(c);
        if (len < 12) continue;
        le32(w.b + 4, (uint32_t)(len - 8));
        c = dup_exact(w.b, len);
        int rc = elig_wav_parse(c, len, NULL);
        free(c);
        /* the data payload ends at good.n: any cut before that loses the data chunk or part of it,
         * except that an odd data size is impossible here (26 bytes), so every cut fails */
        EXPECT_RC("prefix, RIFF size fixed", rc, ELIG_EFORMAT, "wav", NULL);
    }
}

TEST(wav_fsdd_real)
{
    const char *p = data_path("fsdd/recordings/0_george_0.wav");
    if (!p) SKIP("fsdd/recordings not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    struct stat st;
    ASSERT_TRUE(stat(p, &st) == 0);
    elig_wav_info info;
    elig_real *x = NULL;
    ASSERT_OK(elig_wav_read(p, &info, &x, 0));
    ASSERT_EQ_INT(info.sample_rate, 8000);
    ASSERT_EQ_INT(info.channels, 1);
    ASSERT_EQ_INT(info.data_off, 44);
    ASSERT_EQ_INT(info.n_frames, ((size_t)st.st_size - 44) / 2);
    double peak = 0;
    for (size_t i = 0; i < info.n_frames; i++) {
        ASSERT_TRUE(x[i] >= -1 && x[i] < 1);
        if (fabs((double)x[i]) > peak) peak = fabs((double)x[i]);
    }
    ASSERT_TRUE(peak > 0.05); /* speech, not silence */
    free(x);
    ASSERT_EQ_INT(elig_wav_read(p, &info, &x, 100), ELIG_ELIMIT); /* the cap, checked before the read */
    ASSERT_TRUE(x == NULL);
}

/* ================================================================ N-MNIST */

static void rec(unsigned char *r, unsigned x, unsigned y, unsigned p, uint32_t t)
{
    r[0] = (unsigned char)x;
    r[1] = (unsigned char)y;
    r[2] = (unsigned char)((p << 7) | ((t >> 16) & 0x7F));
    r[3] = (unsigned char)(t >> 8);
    r[4] = (unsigned char)t;
}

/* 7 events and 2 overflow markers. Returns the byte count. */
enum { NEV = 7 };
static size_t make_events(unsigned char *b, int64_t *t, uint8_t *x, uint8_t *y, uint8_t *p)
{
    static const struct { unsigned x, y, p; uint32_t t; int marker; } e[] = {
        {3, 5, 1, 654, 0}, {33, 33, 0, 1000, 0}, {0, 240, 0, 0, 1}, {17, 2, 1, 0x7FFFFF, 0}, {1, 1, 0, 5, 0},
        {9, 240, 1, 123, 1}, {4, 0, 1, 2385, 0}, {0, 0, 0, 0, 0}, {255, 239, 1, 8191, 0},
    };
    size_t n = 0, k = 0;
    int64_t add = 0;
    for (size_t i = 0; i < sizeof e / sizeof *e; i++) {
        rec(b + n, e[i].x, e[i].y, e[i].p, e[i].t);
        n += 5;
        if (e[i].marker) {
            add += 8192;
            continue;
        }
        t[k] = e[i].t + add;
        x[k] = (uint8_t)e[i].x;
        y[k] = (uint8_t)e[i].y;
        p[k] = (uint8_t)e[i].p;
        k++;
    }
    return n;
}

static void check_events(const elig_events *ev, const int64_t *t, const uint8_t *x, const uint8_t *y, const uint8_t *p)
{
    ASSERT_EQ_INT(ev->n, NEV);
    for (int i = 0; i < NEV; i++) {
        ASSERT_EQ_INT(ev->t[i], t[i]);
        ASSERT_EQ_INT(ev->x[i], x[i]);
        ASSERT_EQ_INT(ev->y[i], y[i]);
        ASSERT_EQ_INT(ev->p[i], p[i]);
    }
}

TEST(nmnist_roundtrip_overflow)
{
    th_tmpdir("data");
    unsigned char b[64];
    int64_t t[NEV];
    uint8_t x[NEV], y[NEV], p[NEV];
    size_t n = make_events(b, t, x, y, p);
    ASSERT_EQ_INT(t[2], 0x7FFFFF + 8192); /* after one marker */
    ASSERT_EQ_INT(t[4], 2385 + 16384);    /* after two */
    elig_events ev;
    unsigned char *c = dup_exact(b, n);
    ASSERT_OK(elig_nmnist_decode(c, n, &ev, 0));
    free(c);
    check_events(&ev, t, x, y, p);
    elig_events_free(&ev);
    ASSERT_TRUE(ev.t == NULL && ev.n == 0);
    elig_events_free(&ev); /* twice: harmless */
    elig_events_free(NULL);
    put_file(th_in_tmpdir("s.bin"), b, n);
    long before = th_alloc_count();
    ASSERT_OK(elig_nmnist_read(th_in_tmpdir("s.bin"), &ev, 0));
    (void)before;
    check_events(&ev, t, x, y, p);
    elig_events_free(&ev);
    /* the cap counts records, markers included: 9 records */
    ASSERT_OK(elig_nmnist_read(th_in_tmpdir("s.bin"), &ev, 9));
    elig_events_free(&ev);
    ASSERT_EQ_INT(elig_nmnist_read(th_in_tmpdir("s.bin"), &ev, 8), ELIG_ELIMIT);
    ASSERT_TRUE(ev.t == NULL);
    /* empty file: zero events, not an error */
    put_file(th_in_tmpdir("e.bin"), b, 0);
    ASSERT_OK(elig_nmnist_read(th_in_tmpdir("e.bin"), &ev, 0));
    ASSERT_EQ_INT(ev.n, 0);
    elig_events_free(&ev);
    ASSERT_EQ_INT(elig_nmnist_read(th_in_tmpdir("none.bin"), &ev, 0), ELIG_EIO);
    th_rm_tree(th_tmpdir_path());
}

TEST(nmnist_partial_record)
{
    th_tmpdir("data");
    unsigned char b[64];
    int64_t t[NEV];
    uint8_t x[NEV], y[NEV], p[NEV];
    size_t n = make_events(b, t, x, y, p);
    for (size_t len = 1; len < n; len++) {
        if (len % 5 == 0) continue;
        unsigned char *c = dup_exact(b, len);
        elig_events ev;
        char want[32];
        snprintf(want, sizeof want, "byte %zu:", len - len % 5);
        EXPECT_RC("partial record", elig_nmnist_decode(c, len, &ev, 0), ELIG_EFORMAT, "nmnist", want);
        ASSERT_TRUE(ev.t == NULL);
        free(c);
        put_file(th_in_tmpdir("p.bin"), b, len);
        EXPECT_RC("partial record, file", elig_nmnist_read(th_in_tmpdir("p.bin"), &ev, 0), ELIG_EFORMAT, "nmnist", want);
    }
    th_rm_tree(th_tmpdir_path());
}

TEST(nmnist_real_sample)
{
    const char *p = data_path("fixtures/nmnist/sample_nmnist.bin");
    if (!p) SKIP("fixtures/nmnist/sample_nmnist.bin not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    elig_events ev;
    ASSERT_OK(elig_nmnist_read(p, &ev, 0));
    ASSERT_EQ_INT(ev.n, 4325);
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    int on = 0;
    for (size_t i = 0; i < ev.n; i++) {
        ASSERT_TRUE(ev.x[i] <= 33 && ev.y[i] <= 33);
        ASSERT_TRUE(ev.p[i] <= 1);
        on += ev.p[i];
        if (ev.t[i] < tmin) tmin = ev.t[i];
        if (ev.t[i] > tmax) tmax = ev.t[i];
    }
    ASSERT_EQ_INT(tmin, 654);
    ASSERT_EQ_INT(tmax, 311175);
    ASSERT_TRUE(on > 0 && on < (int)ev.n);
    /* binned: 1 ms steps over 320 ms, 34 x 34 x 2 units; every event lands */
    size_t units = 2 * 34 * 34, dropped = 99;
    elig_real *d = malloc(320 * units * sizeof *d);
    ASSERT_OK(elig_events_bin(&ev, 1000, 320, 34, 34, 0, d, &dropped));
    ASSERT_EQ_INT(dropped, 0);
    double s = 0;
    for (size_t i = 0; i < 320 * units; i++) s += d[i];
    ASSERT_EQ_INT((long)s, 4325);
    /* first saccade only (t < 100 ms): the rest is dropped */
    ASSERT_OK(elig_events_bin(&ev, 1000, 100, 34, 34, 1, d, &dropped));
    ASSERT_TRUE(dropped > 0 && dropped < ev.n);
    free(d);
    elig_events_free(&ev);
}

TEST(events_bin_counts)
{
    unsigned char b[64];
    int64_t t[NEV];
    uint8_t x[NEV], y[NEV], p[NEV];
    size_t n = make_events(b, t, x, y, p);
    elig_events ev;
    ASSERT_OK(elig_nmnist_decode(b, n, &ev, 0));
    /* 40 x 40 sensor, steps of 1000 µs, 20 steps: the event at x = 255 is outside, and those at
     * t >= 20000 µs (two after the markers) are late */
    enum { W = 40, H = 40, T = 20 };
    elig_real *d = malloc((size_t)T * 2 * W * H * sizeof *d);
    size_t dropped;
    ASSERT_OK(elig_events_bin(&ev, 1000, T, W, H, 0, d, &dropped));
    size_t want_drop = 0;
    for (int i = 0; i < NEV; i++) want_drop += x[i] >= W || y[i] >= H || t[i] / 1000 >= T;
    ASSERT_EQ_INT(dropped, want_drop);
    for (int i = 0; i < NEV; i++) {
        if (x[i] >= W || y[i] >= H || t[i] / 1000 >= T) continue;
        size_t u = ((size_t)p[i] * H + y[i]) * W + x[i];
        ASSERT_TRUE(d[(size_t)(t[i] / 1000) * 2 * W * H + u] >= 1);
    }
    /* two identical events: count 2, clipped 1 */
    unsigned char two[10];
    rec(two, 4, 6, 1, 2500);
    rec(two + 5, 4, 6, 1, 2999);
    elig_events e2;
    ASSERT_OK(elig_nmnist_decode(two, 10, &e2, 0));
    ASSERT_OK(elig_events_bin(&e2, 1000, T, W, H, 0, d, NULL));
    ASSERT_TRUE(d[2 * 2 * W * H + (1 * H + 6) * W + 4] == 2);
    ASSERT_OK(elig_events_bin(&e2, 1000, T, W, H, 1, d, NULL));
    ASSERT_TRUE(d[2 * 2 * W * H + (1 * H + 6) * W + 4] == 1);
    ASSERT_EQ_INT(elig_events_bin(&e2, 0, T, W, H, 1, d, NULL), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_events_bin(&e2, 1000, 0, W, H, 1, d, NULL), ELIG_EINVAL);
    elig_events_free(&e2);
    elig_events_free(&ev);
    free(d);
}

TEST(nmnist_list_sorted)
{
    th_tmpdir("data");
    char p[600];
    const char *dirs[] = {"Train", "Train/0", "Train/1", "Train/10", "Train/cats", "Train/2"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(p, sizeof p, "%s/%s", th_tmpdir_path(), dirs[i]);
        ASSERT_TRUE(mkdir(p, 0755) == 0);
    }
    const char *files[] = {"Train/0/10.bin", "Train/0/2.bin", "Train/0/1.bin", "Train/1/00007.bin", "Train/10/3.bin",
                           "Train/2/b.bin", "Train/2/a.bin", "Train/2/a.txt", "Train/2/.hidden.bin", "Train/cats/1.bin",
                           "Train/notes.bin"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) put_file(th_in_tmpdir(files[i]), "", 0);
    snprintf(p, sizeof p, "%s/Train/1/dir.bin", th_tmpdir_path()); /* a directory named *.bin is skipped */
    ASSERT_TRUE(mkdir(p, 0755) == 0);
    elig_file_list l;
    snprintf(p, sizeof p, "%s/Train", th_tmpdir_path());
    ASSERT_OK(elig_nmnist_list(p, &l, 0));
    const char *want[] = {"0/1.bin", "0/2.bin", "0/10.bin", "1/00007.bin", "2/a.bin", "2/b.bin", "10/3.bin"};
    const int lab[] = {0, 0, 0, 1, 2, 2, 10};
    ASSERT_EQ_INT(l.n, 7);
    for (int i = 0; i < 7; i++) {
        char full[700];
        snprintf(full, sizeof full, "%s/%s", p, want[i]);
        if (strcmp(l.path[i], full)) th_fail(__FILE__, __LINE__, "entry %d: %s, expected %s", i, l.path[i], full);
        ASSERT_EQ_INT(l.label[i], lab[i]);
    }
    elig_file_list_free(&l);
    ASSERT_TRUE(l.path == NULL && l.n == 0);
    ASSERT_EQ_INT(elig_nmnist_list(p, &l, 6), ELIG_ELIMIT);
    ASSERT_OK(elig_nmnist_list(p, &l, 7));
    elig_file_list_free(&l);
    snprintf(p, sizeof p, "%s/NoSuchDir", th_tmpdir_path());
    ASSERT_EQ_INT(elig_nmnist_list(p, &l, 0), ELIG_EIO);
    th_rm_tree(th_tmpdir_path());
}

/* ================================================================ fuzz corpora */

typedef int (*parse_fn)(const unsigned char *b, size_t n);
static int p_idx(const unsigned char *b, size_t n) { return elig_idx_parse(b, n, NULL, NULL); }
static int p_wav(const unsigned char *b, size_t n) { return elig_wav_parse(b, n, NULL); }
static int p_nmnist(const unsigned char *b, size_t n)
{
    elig_events ev;
    int rc = elig_nmnist_decode(b, n, &ev, 0);
    elig_events_free(&ev);
    return rc;
}

static void corpus_seeds(const char *name, parse_fn fn, int min_files)
{
    char dir[128];
    snprintf(dir, sizeof dir, "fuzz/corpus/%s", name);
    DIR *d = opendir(dir);
    if (!d) th_skip("fuzz corpus not found (run from the project root)");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        int ok = strncmp(e->d_name, "ok_", 3) == 0, bad = strncmp(e->d_name, "bad_", 4) == 0;
        if (!ok && !bad) continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t len;
        unsigned char *b = get_file(p, &len);
        unsigned char *c = dup_exact(b, len);
        int rc = fn(len ? c : NULL, len);
        free(c);
        free(b);
        if (ok && rc) th_fail(__FILE__, __LINE__, "%s refused: %s", p, elig_last_error());
        if (bad && rc != ELIG_EFORMAT) th_fail(__FILE__, __LINE__, "%s: got %s", p, elig_status_name(rc));
        n++;
    }
    closedir(d);
    if (n < min_files) th_fail(__FILE__, __LINE__, "%s: only %d seeds", dir, n);
}

TEST(fuzz_corpus_seeds_idx) { corpus_seeds("idx", p_idx, 12); }
TEST(fuzz_corpus_seeds_wav) { corpus_seeds("wav", p_wav, 12); }
TEST(fuzz_corpus_seeds_nmnist) { corpus_seeds("nmnist", p_nmnist, 5); }
