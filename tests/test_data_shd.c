/* test_data_shd.c -- the SHD/SSC HDF5 reader and writer (src/data/shd.c).
 *
 * Round trips through the writer (float16 times like the real files, and float32), a file
 * laid out by hand with other dtypes (float64 times, int64 units and labels, vlen-string
 * keys: the reader must let HDF5 convert), and malformed files written here with the HDF5 API:
 * missing datasets, a group where a dataset belongs, mismatched lengths, wrong ranks and
 * classes, absurd counts, values out of range, a file that is not HDF5 and one truncated at
 * many offsets. Each must fail with the right status and name the dataset; nothing may print.
 * When /usr/bin/python3 has h5py the writer's output is also read by h5py.
 *
 * float16 holds 11 significant bits: times k/1024 s below 2 s are exact, so the round trip
 * compares with ==; arbitrary times must come back within half an ulp (2^-11 relative).
 */
#define _GNU_SOURCE /* mkdtemp */
#include "harness.h"
#include "elig_data.h"

#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* No HDF5 file, group or dataset left open by the library (failed calls included). */
static void no_open_ids_at(const char *file, int line)
{
    ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (n != 0) th_fail(file, line, "%zd HDF5 objects left open", n);
}
#define ASSERT_NO_OPEN_IDS() no_open_ids_at(__FILE__, __LINE__)

/* ---------------------------------------------------------------- a fixture set */

enum { NS = 5, NSPK = 23 };
static size_t g_off[NS + 1] = {0, 7, 7, 15, 16, NSPK}; /* sample 1 is empty */
static float g_t[NSPK];
static uint16_t g_u[NSPK];
static int32_t g_lab[NS] = {3, 0, 19, 7, 3}, g_spk[NS] = {1, 0, 9, 65535, 2};
static char *g_keys[3] = {"english-zero", "", "german-neun-with-a-longer-name"};

static elig_spike_set fixture(int exact_f16)
{
    for (int k = 0; k < NSPK; k++) {
        /* k/1024 s (exact in float16 below 2 s), or high-entropy values */
        g_t[k] = exact_f16 ? (float)((k * 37) % 1400) / 1024.0f : (float)(0.0123 + 0.0517 * k + 1e-5 * (k * k % 7));
        g_u[k] = (uint16_t)((k * 131) % 700);
    }
    g_u[5] = 699;
    g_u[6] = 0;
    elig_spike_set s = {.n_samples = NS, .n_spikes = NSPK, .offset = g_off, .times = g_t, .units = g_u,
                        .labels = g_lab, .speakers = g_spk, .n_keys = 3, .keys = g_keys};
    return s;
}

static void check_same(const elig_spike_set *a, const elig_spike_set *r, int exact)
{
    ASSERT_EQ_INT(r->n_samples, a->n_samples);
    ASSERT_EQ_INT(r->n_spikes, a->offset[a->n_samples]);
    for (size_t i = 0; i <= a->n_samples; i++) ASSERT_EQ_INT(r->offset[i], a->offset[i]);
    int mx = -1;
    for (size_t k = 0; k < r->n_spikes; k++) {
        ASSERT_EQ_INT(r->units[k], a->units[k]);
        if (a->units[k] > mx) mx = a->units[k];
        if (exact) ASSERT_TRUE(r->times[k] == a->times[k]);
        else ASSERT_NEAR(r->times[k], a->times[k], a->times[k] * 0x1p-11);
    }
    ASSERT_EQ_INT(r->n_units, mx + 1);
    for (size_t i = 0; i < a->n_samples; i++) {
        ASSERT_EQ_INT(r->labels[i], a->labels[i]);
        if (a->speakers) ASSERT_EQ_INT(r->speakers[i], a->speakers[i]);
    }
    if (!a->speakers) ASSERT_TRUE(r->speakers == NULL);
    ASSERT_EQ_INT(r->n_keys, a->n_keys);
    for (size_t i = 0; i < a->n_keys; i++)
        if (strcmp(r->keys[i], a->keys[i])) th_fail(__FILE__, __LINE__, "key %zu: '%s' != '%s'", i, r->keys[i], a->keys[i]);
}

TEST(shd_roundtrip_f16_f32)
{
    th_tmpdir("shd");
    for (int bits = 16; bits <= 32; bits += 16) {
        elig_spike_set s = fixture(bits == 16);
        ASSERT_OK(elig_shd_write(th_in_tmpdir("a.h5"), &s, bits));
        elig_spike_set r;
        ASSERT_OK(elig_shd_read(th_in_tmpdir("a.h5"), &r, 0, 0));
        check_same(&s, &r, 1);
        elig_spike_set_free(&r);
        ASSERT_TRUE(r.block_ == NULL && r.times == NULL);
        elig_spike_set_free(&r);
        /* caps: exactly the counts pass, one less is ELIMIT */
        ASSERT_OK(elig_shd_read(th_in_tmpdir("a.h5"), &r, NS, NSPK));
        elig_spike_set_free(&r);
        ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("a.h5"), &r, NS - 1, 0), ELIG_ELIMIT);
        ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("a.h5"), &r, 0, NSPK - 1), ELIG_ELIMIT);
        ASSERT_TRUE(r.block_ == NULL);
    }
    /* arbitrary times through float16: within half an ulp; without speakers and keys */
    elig_spike_set s = fixture(0);
    s.speakers = NULL;
    s.keys = NULL;
    s.n_keys = 0;
    ASSERT_OK(elig_shd_write(th_in_tmpdir("b.h5"), &s, 16));
    elig_spike_set r;
    ASSERT_OK(elig_shd_read(th_in_tmpdir("b.h5"), &r, 0, 0));
    check_same(&s, &r, 0);
    int changed = 0;
    for (int k = 0; k < NSPK; k++) changed += r.times[k] != s.times[k];
    ASSERT_TRUE(changed > 0); /* really stored as half floats */
    elig_spike_set_free(&r);
    /* nothing left behind but the two files */
    int files = 0;
    DIR *d = opendir(th_tmpdir_path());
    struct dirent *e;
    while ((e = readdir(d))) files += e->d_name[0] != '.';
    closedir(d);
    ASSERT_EQ_INT(files, 2);
    /* an empty set */
    size_t z = 0;
    elig_spike_set em = {.n_samples = 0, .offset = &z};
    ASSERT_OK(elig_shd_write(th_in_tmpdir("c.h5"), &em, 16));
    ASSERT_OK(elig_shd_read(th_in_tmpdir("c.h5"), &r, 0, 0));
    ASSERT_EQ_INT(r.n_samples, 0);
    ASSERT_EQ_INT(r.n_units, 0);
    elig_spike_set_free(&r);
    ASSERT_NO_OPEN_IDS();
    th_rm_tmpdir();
}

TEST(shd_write_invalid)
{
    th_tmpdir("shd");
    elig_spike_set s = fixture(1);
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 8), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_shd_write(NULL, &s, 16), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), NULL, 16), ELIG_EINVAL);
    size_t bad_off[NS + 1] = {0, 7, 6, 15, 16, NSPK};
    s.offset = bad_off;
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 16), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "offset") != NULL);
    s = fixture(1);
    g_lab[2] = -1;
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 16), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "labels[2]") != NULL);
    g_lab[2] = 19;
    g_t[4] = -0.5f;
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 16), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "times[4]") != NULL);
    g_t[4] = 70000.0f; /* beyond float16 */
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 16), ELIG_EINVAL);
    ASSERT_OK(elig_shd_write(th_in_tmpdir("x.h5"), &s, 32));
    g_spk[1] = 65536;
    ASSERT_EQ_INT(elig_shd_write(th_in_tmpdir("x.h5"), &s, 32), ELIG_EINVAL);
    g_spk[1] = 0;
    /* an unwritable place: EIO, and no temp file left */
    ASSERT_EQ_INT(elig_shd_write("/nonexistent-dir/x.h5", &s, 32), ELIG_EIO);
    ASSERT_NO_OPEN_IDS();
    th_rm_tmpdir();
}

/* ---------------------------------------------------------------- files laid out by hand */

typedef struct {
    hid_t f, lcpl;
} h5w;

static h5w h5_create(const char *path)
{
    h5w w;
    w.f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    w.lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(w.lcpl, 1);
    if (w.f < 0) th_fail(__FILE__, __LINE__, "cannot create %s", path);
    return w;
}

static void h5_close(h5w *w)
{
    H5Pclose(w->lcpl);
    H5Fclose(w->f);
}

/* Dataset of rank `rank` with dims; written from buf with mtype when buf is not NULL. */
static void h5_ds(h5w *w, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims, const void *buf)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(w->f, name, ftype, sp, w->lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0) th_fail(__FILE__, __LINE__, "cannot create dataset %s", name);
    if (buf && H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) th_fail(__FILE__, __LINE__, "cannot write %s", name);
    H5Dclose(ds);
    H5Sclose(sp);
}

/* What a hand-written file holds: per-sample lengths, and which parts to break. */
typedef struct {
    int skip_times, skip_units, skip_labels;
    int times_plain;      /* times as a plain float dataset, not vlen */
    int units_float;      /* units as vlen of float */
    int labels_float;     /* labels as float */
    int labels_rank2;     /* labels (N, 1) */
    int units_n_delta;    /* units has N + delta entries */
    int speaker_n_delta;  /* extra/speaker with N + delta entries (0 = none written) */
    int with_speaker;
    int len_mismatch;     /* units[2] one spike shorter */
    double time_bad;      /* != 0: times[1][0] = this */
    long unit_bad;        /* != 0: units[1][0] = this */
    long label_bad;       /* != 0: labels[3] = this */
    int times_is_group;   /* spikes/times is a group */
    int vlen_keys;        /* extra/keys as vlen strings */
} layout;

enum { HN = 4 };
static const size_t h_len[HN] = {3, 0, 5, 2};

/* times float64 (so HDF5 must convert), units int64, labels int64: not the writer's dtypes. */
static void write_layout(const char *path, const layout *L)
{
    h5w w = h5_create(path);
    static double tv[HN][8];
    static int64_t uv[HN][8];
    hvl_t ht[HN], hu[HN];
    for (int i = 0; i < HN; i++) {
        for (size_t j = 0; j < h_len[i]; j++) {
            tv[i][j] = 0.001 * (double)(i * 10 + j) + 0.25;
            uv[i][j] = (int64_t)(i * 100 + j * 7);
        }
        ht[i].len = h_len[i];
        ht[i].p = tv[i];
        hu[i].len = h_len[i];
        hu[i].p = uv[i];
    }
    if (L->len_mismatch) hu[2].len--;
    if (L->time_bad != 0) tv[0][0] = L->time_bad;
    if (L->unit_bad != 0) uv[0][0] = L->unit_bad;
    hsize_t n = HN;
    if (L->times_is_group) {
        hid_t g = H5Gcreate2(w.f, "spikes/times", w.lcpl, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(g);
    } else if (!L->skip_times) {
        if (L->times_plain) {
            double flat[HN] = {0.1, 0.2, 0.3, 0.4};
            h5_ds(&w, "spikes/times", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, flat);
        } else {
            hid_t ft = H5Tvlen_create(H5T_IEEE_F64LE), mt = H5Tvlen_create(H5T_NATIVE_DOUBLE);
            h5_ds(&w, "spikes/times", ft, mt, 1, &n, ht);
            H5Tclose(ft);
            H5Tclose(mt);
        }
    }
    if (!L->skip_units) {
        hsize_t nu = (hsize_t)(HN + L->units_n_delta);
        hvl_t hu2[HN + 2];
        for (hsize_t i = 0; i < nu; i++) hu2[i] = hu[i % HN];
        if (L->units_float) {
            hid_t ft = H5Tvlen_create(H5T_IEEE_F64LE), mt = H5Tvlen_create(H5T_NATIVE_DOUBLE);
            h5_ds(&w, "spikes/units", ft, mt, 1, &nu, ht);
            H5Tclose(ft);
            H5Tclose(mt);
        } else {
            hid_t ft = H5Tvlen_create(H5T_STD_I64LE), mt = H5Tvlen_create(H5T_NATIVE_INT64);
            h5_ds(&w, "spikes/units", ft, mt, 1, &nu, hu2);
            H5Tclose(ft);
            H5Tclose(mt);
        }
    }
    if (!L->skip_labels) {
        int64_t lab[HN] = {4, 0, 2, 3};
        if (L->label_bad) lab[3] = L->label_bad;
        if (L->labels_float) {
            double lf[HN] = {4, 0, 2, 3};
            h5_ds(&w, "labels", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, lf);
        } else if (L->labels_rank2) {
            hsize_t d2[2] = {HN, 1};
            h5_ds(&w, "labels", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, d2, lab);
        } else {
            h5_ds(&w, "labels", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, lab);
        }
    }
    if (L->with_speaker) {
        hsize_t ns = (hsize_t)(HN + L->speaker_n_delta);
        uint8_t sp[HN + 2] = {5, 6, 7, 8, 9, 10};
        h5_ds(&w, "extra/speaker", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &ns, sp);
    }
    if (L->vlen_keys) {
        const char *k[3] = {"null", "one", "a-much-longer-key"};
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, H5T_VARIABLE);
        H5Tset_cset(st, H5T_CSET_UTF8);
        hsize_t nk = 3;
        h5_ds(&w, "extra/keys", st, st, 1, &nk, k);
        H5Tclose(st);
    }
    h5_close(&w);
}

static void expect_bad_at(const char *file, int line, const char *what, const layout *L, int want, const char *needle)
{
    write_layout(th_in_tmpdir("m.h5"), L);
    elig_spike_set r;
    int rc = elig_shd_read(th_in_tmpdir("m.h5"), &r, 0, 0);
    const char *m = elig_last_error();
    if (rc != want) th_fail(file, line, "%s: got %s (%s), expected %s", what, elig_status_name(rc), m, elig_status_name(want));
    if (strncmp(m, "shd", 3) != 0) th_fail(file, line, "%s: message does not start with shd: %s", what, m);
    if (needle && !strstr(m, needle)) th_fail(file, line, "%s: message lacks \"%s\": %s", what, needle, m);
    if (r.block_ || r.times) th_fail(file, line, "%s: result not empty on failure", what);
    no_open_ids_at(file, line);
}
#define EXPECT_BAD(what, L, want, needle) expect_bad_at(__FILE__, __LINE__, what, L, want, needle)

TEST(shd_other_dtypes_convert)
{
    th_tmpdir("shd");
    layout L = {0};
    L.with_speaker = 1;
    L.vlen_keys = 1;
    write_layout(th_in_tmpdir("o.h5"), &L);
    elig_spike_set r;
    ASSERT_OK(elig_shd_read(th_in_tmpdir("o.h5"), &r, 0, 0));
    ASSERT_EQ_INT(r.n_samples, HN);
    ASSERT_EQ_INT(r.n_spikes, 10);
    size_t k = 0;
    for (int i = 0; i < HN; i++) {
        ASSERT_EQ_INT(r.offset[i + 1] - r.offset[i], h_len[i]);
        for (size_t j = 0; j < h_len[i]; j++, k++) {
            ASSERT_TRUE(r.times[k] == (float)(0.001 * (double)(i * 10 + j) + 0.25));
            ASSERT_EQ_INT(r.units[k], i * 100 + j * 7);
        }
    }
    ASSERT_EQ_INT(r.labels[0], 4);
    ASSERT_EQ_INT(r.speakers[3], 8);
    ASSERT_EQ_INT(r.n_keys, 3);
    ASSERT_TRUE(!strcmp(r.keys[2], "a-much-longer-key") && !strcmp(r.keys[0], "null"));
    ASSERT_EQ_INT(r.n_units, 3 * 100 + 7 + 1);
    elig_spike_set_free(&r);
    th_rm_tmpdir();
}

TEST(shd_malformed_layouts)
{
    th_tmpdir("shd");
    layout L;
#define CASE(field, value, want, needle) do { memset(&L, 0, sizeof L); L.field = value; EXPECT_BAD(#field, &L, want, needle); } while (0)
    ASSERT_NO_OPEN_IDS();
    CASE(skip_times, 1, ELIG_EFORMAT, "'spikes/times': missing");
    CASE(skip_units, 1, ELIG_EFORMAT, "'spikes/units': missing");
    CASE(skip_labels, 1, ELIG_EFORMAT, "'labels': missing");
    CASE(times_is_group, 1, ELIG_EFORMAT, "'spikes/times': is not a dataset");
    CASE(times_plain, 1, ELIG_EFORMAT, "'spikes/times': has element class float, expected vlen");
    CASE(units_float, 1, ELIG_EFORMAT, "'spikes/units': is a vlen of floats");
    CASE(labels_float, 1, ELIG_EFORMAT, "'labels': has element class float");
    CASE(labels_rank2, 1, ELIG_EFORMAT, "'labels': has rank 2");
    CASE(units_n_delta, 1, ELIG_EFORMAT, "'spikes/units': has 5 entries, spikes/times has 4");
    CASE(units_n_delta, -1, ELIG_EFORMAT, "'spikes/units': has 3 entries");
    CASE(len_mismatch, 1, ELIG_EFORMAT, "entry 2 has 4 spikes, spikes/times has 5");
    CASE(time_bad, -0.5, ELIG_EFORMAT, "'spikes/times': entry 0, spike 0");
    CASE(time_bad, INFINITY, ELIG_EFORMAT, "not finite");
    CASE(unit_bad, -3, ELIG_EFORMAT, "unit -3 outside");
    CASE(unit_bad, 70000, ELIG_EFORMAT, "unit 70000 outside");
    CASE(unit_bad, 1L << 40, ELIG_EFORMAT, "'spikes/units'"); /* HDF5 saturates to INT32_MAX: still refused */
    CASE(label_bad, -2, ELIG_EFORMAT, "'labels': element 3 = -2");
    memset(&L, 0, sizeof L);
    L.with_speaker = 1;
    L.speaker_n_delta = 2;
    EXPECT_BAD("speaker length", &L, ELIG_EFORMAT, "'extra/speaker': has 6 entries");
#undef CASE
    th_rm_tmpdir();
}

/* Datasets declared with 2^40 entries and no storage: the length alone must be refused
 * before any read or allocation. */
TEST(shd_absurd_counts)
{
    th_tmpdir("shd");
    h5w w = h5_create(th_in_tmpdir("big.h5"));
    hsize_t n = (hsize_t)1 << 40;
    hid_t ft = H5Tvlen_create(H5T_IEEE_F32LE), fu = H5Tvlen_create(H5T_STD_U16LE);
    h5_ds(&w, "spikes/times", ft, -1, 1, &n, NULL);
    h5_ds(&w, "spikes/units", fu, -1, 1, &n, NULL);
    h5_ds(&w, "labels", H5T_STD_I32LE, -1, 1, &n, NULL);
    H5Tclose(ft);
    H5Tclose(fu);
    h5_close(&w);
    elig_spike_set r;
    long before = th_alloc_count();
    ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("big.h5"), &r, 0, 0), ELIG_ELIMIT);
    ASSERT_TRUE(strstr(elig_last_error(), "1099511627776 samples") != NULL);
    ASSERT_LE(th_alloc_count() - before, 4); /* our side allocated nothing sized by N */
    /* keys: 65536 fixed strings of 4096 bytes (268 MB) declared, nothing stored: over the
     * 16 MiB budget, refused before the key buffer is allocated; 65537 keys: over the count */
    elig_spike_set s = fixture(1);
    const hsize_t nk[2] = {65536, 65537};
    const size_t ksz[2] = {4096, 4};
    for (int k = 0; k < 2; k++) {
        ASSERT_OK(elig_shd_write(th_in_tmpdir("keys.h5"), &s, 16));
        hid_t f = H5Fopen(th_in_tmpdir("keys.h5"), H5F_ACC_RDWR, H5P_DEFAULT);
        ASSERT_TRUE(f >= 0);
        H5Ldelete(f, "extra/keys", H5P_DEFAULT);
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, ksz[k]);
        hid_t sp = H5Screate_simple(1, &nk[k], NULL);
        hid_t ds = H5Dcreate2(f, "extra/keys", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_TRUE(ds >= 0);
        H5Dclose(ds);
        H5Sclose(sp);
        H5Tclose(st);
        H5Fclose(f);
        before = th_alloc_count();
        ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("keys.h5"), &r, 0, 0), ELIG_EFORMAT);
        ASSERT_TRUE(strstr(elig_last_error(), "'extra/keys'") != NULL);
        ASSERT_TRUE(strstr(elig_last_error(), k == 0 ? "budget" : "65537 keys") != NULL);
    }
    th_rm_tmpdir();
}

TEST(shd_not_hdf5_and_truncated)
{
    th_tmpdir("shd");
    elig_spike_set r;
    ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("missing.h5"), &r, 0, 0), ELIG_EIO);
    FILE *f = fopen(th_in_tmpdir("text.h5"), "wb");
    fputs("this is not an HDF5 file, just text that is long enough to be looked at by H5Fis_hdf5.\n", f);
    fclose(f);
    ASSERT_EQ_INT(elig_shd_read(th_in_tmpdir("text.h5"), &r, 0, 0), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "not an HDF5 file") != NULL);
    /* a valid file cut short at many offsets: refused (EFORMAT), never a crash or a print */
    elig_spike_set s = fixture(1);
    ASSERT_OK(elig_shd_write(th_in_tmpdir("full.h5"), &s, 16));
    f = fopen(th_in_tmpdir("full.h5"), "rb");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len);
    ASSERT_EQ_INT(fread(b, 1, (size_t)len, f), len);
    fclose(f);
    int cuts = 0;
    for (long cut = 0; cut < len; cut += len / 23 + 1) {
        f = fopen(th_in_tmpdir("cut.h5"), "wb");
        fwrite(b, 1, (size_t)cut, f);
        fclose(f);
        int rc = elig_shd_read(th_in_tmpdir("cut.h5"), &r, 0, 0);
        if (rc != ELIG_EFORMAT)
            th_fail(__FILE__, __LINE__, "cut at %ld of %ld: got %s (%s)", cut, len, elig_status_name(rc), elig_last_error());
        cuts++;
    }
    ASSERT_TRUE(cuts >= 20);
    ASSERT_NO_OPEN_IDS();
    free(b);
    th_rm_tmpdir();
}

/* h5py reads what the writer wrote: float16 times, uint16 units, the values. */
TEST(shd_h5py_reads_writer_output)
{
    if (system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0)
        SKIP("/usr/bin/python3 with h5py (Debian python3-h5py) not available");
    th_tmpdir("shd");
    elig_spike_set s = fixture(1);
    ASSERT_OK(elig_shd_write(th_in_tmpdir("p.h5"), &s, 16));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"\n"
             "import h5py, numpy as np, sys\n"
             "f = h5py.File(sys.argv[1], 'r')\n"
             "t = f['spikes/times']; u = f['spikes/units']\n"
             "assert h5py.check_vlen_dtype(t.dtype) == np.float16, t.dtype\n"
             "assert h5py.check_vlen_dtype(u.dtype) == np.uint16, u.dtype\n"
             "assert [len(x) for x in t] == [7, 0, 8, 1, 7]\n"
             "k = np.arange(23)\n"
             "assert (np.concatenate(list(t)) == ((k * 37) %% 1400) / 1024.0).all()\n"
             "assert (np.concatenate(list(u))[7:] == ((k * 131) %% 700)[7:]).all()\n"
             "assert list(f['labels'][:]) == [3, 0, 19, 7, 3]\n"
             "assert list(f['extra/speaker'][:]) == [1, 0, 9, 65535, 2]\n"
             "assert f['extra/keys'][0] == b'english-zero'\n"
             "\" %s",
             th_in_tmpdir("p.h5"));
    ASSERT_EQ_INT(system(cmd), 0);
    th_rm_tmpdir();
}

TEST(shd_bin_sample)
{
    elig_spike_set s = fixture(1);
    /* sample 0: spikes 0..6 with times (37k % 1400)/1024 s; 10 ms steps, 150 steps */
    enum { T = 150, U = 700 };
    elig_real *x = malloc((size_t)T * U * sizeof *x);
    size_t dropped = 99;
    ASSERT_OK(elig_spike_set_bin(&s, 0, 0.010, T, U, 0, x, &dropped));
    ASSERT_EQ_INT(dropped, 0);
    double total = 0;
    for (size_t i = 0; i < (size_t)T * U; i++) total += x[i];
    ASSERT_EQ_INT((long)total, 7);
    for (int k = 0; k < 7; k++) {
        int step = (int)floor((double)g_t[k] / 0.010);
        ASSERT_TRUE(x[(size_t)step * U + g_u[k]] >= 1);
    }
    ASSERT_OK(elig_spike_set_bin(&s, 1, 0.010, T, U, 0, x, &dropped)); /* the empty sample */
    for (size_t i = 0; i < (size_t)T * U; i++) ASSERT_TRUE(x[i] == 0);
    ASSERT_OK(elig_spike_set_bin(&s, 0, 0.010, 3, U, 0, x, &dropped)); /* first 30 ms only */
    ASSERT_EQ_INT(dropped, 6);
    ASSERT_OK(elig_spike_set_bin(&s, 0, 0.010, T, 100, 0, x, &dropped)); /* units >= 100 dropped */
    size_t want = 0;
    for (int k = 0; k < 7; k++) want += g_u[k] >= 100;
    ASSERT_EQ_INT(dropped, want);
    ASSERT_EQ_INT(elig_spike_set_bin(&s, NS, 0.010, T, U, 0, x, NULL), ELIG_EINVAL);
    free(x);
}

/* The seeds of fuzz/fuzz_shd.c: every ok_* file reads, every bad_* one is refused (EFORMAT, or
 * EIO for what HDF5 cannot open as a file) with a message, and the result stays empty. */
TEST(fuzz_corpus_seeds_shd)
{
    const char *dir = "fuzz/corpus/shd";
    DIR *d = opendir(dir);
    if (!d) SKIP("fuzz corpus not found (run from the project root)");
    struct dirent *e;
    int n_ok = 0, n_bad = 0;
    while ((e = readdir(d))) {
        int ok = strncmp(e->d_name, "ok_", 3) == 0, bad = strncmp(e->d_name, "bad_", 4) == 0;
        if (!ok && !bad) continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        elig_spike_set s;
        int rc = elig_shd_read(p, &s, 0, 0);
        if (ok && rc) th_fail(__FILE__, __LINE__, "%s refused: %s", p, elig_last_error());
        if (bad && rc != ELIG_EFORMAT && rc != ELIG_EIO) th_fail(__FILE__, __LINE__, "%s: got %s", p, elig_status_name(rc));
        if (bad && (s.block_ || !elig_last_error()[0])) th_fail(__FILE__, __LINE__, "%s: refused without a message or with a result", p);
        if (ok) n_ok++, elig_spike_set_free(&s);
        else n_bad++;
    }
    closedir(d);
    ASSERT_TRUE(n_ok >= 5 && n_bad >= 14);
}
