/* shd.c -- Spiking Heidelberg Digits / Spiking Speech Commands files (HDF5): reader and
 * writer of the layout (Cramer et al. 2020; zenkelab "Data format" page; datasets.md §2.4):
 *
 *   /spikes/times   (N,) vlen float   spike times of sample i, seconds (float16 in the real files)
 *   /spikes/units   (N,) vlen uint    channel of each spike (0..699 for SHD), same lengths
 *   /labels         (N,) integer      class
 *   /extra/speaker  (N,) integer      speaker id                         (optional)
 *   /extra/keys     (K,) string       class names, index = label          (optional)
 *
 * Reading uses native memory types (float, int32) and lets HDF5 convert from what the file
 * stores, so float16, float32 or float64 times and any integer width read the same way.
 * Hostile files: every dataset's presence, rank, element class and length is checked before
 * anything is read; N and the total number of spikes (H5Dvlen_get_buf_size, which HDF5
 * answers from the heap lengths) are held against the caller's caps before the result is
 * allocated; the per-sample lengths of times and units must agree and the values be sane
 * (times finite >= 0, units 0..65535, labels >= 0). Every failure is ELIG_EFORMAT naming the
 * dataset ("shd: PATH: dataset 'spikes/units': ..."). HDF5's automatic error printing is
 * switched off during each call and restored after, so the library prints nothing.
 *
 * The result is one allocation (offsets, times, units, labels, speakers, key pointers and key
 * strings); the vlen read itself needs two N-entry hvl_t tables and HDF5's own buffers, which
 * are reclaimed before returning.
 *
 * Writing produces the same layout from a caller-filled elig_spike_set, atomically (temp file
 * + rename). float16 is built as in datasets.md: IEEE layout, 1 sign, 5 exponent (bias 15),
 * 10 mantissa bits; HDF5 rounds float -> half.
 *
 * Cost: O(N + spikes) to read or write, plus HDF5's per-sample heap overhead.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "data_internal.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FMT "shd"
#define BAD ((hid_t)-1)

/* H5Treclaim is declared by 1.10.8's header but only exported from 1.12 on. */
#if H5_VERSION_GE(1, 12, 0)
#define VLEN_RECLAIM H5Treclaim
#else
#define VLEN_RECLAIM H5Dvlen_reclaim
#endif

/* ---------------------------------------------------------------- HDF5 plumbing */

typedef struct {
    H5E_auto2_t func;
    void *data;
} quiet_state;

/* HDF5 prints its error stack by default: switch that off for one call of ours. */
static void quiet_begin(quiet_state *q)
{
    q->func = NULL;
    q->data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const quiet_state *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

static void close_id(hid_t *id)
{
    if (*id < 0) return;
    switch (H5Iget_type(*id)) {
    case H5I_FILE: H5Fclose(*id); break;
    case H5I_GROUP: H5Gclose(*id); break;
    case H5I_DATASET: H5Dclose(*id); break;
    case H5I_DATASPACE: H5Sclose(*id); break;
    case H5I_DATATYPE: H5Tclose(*id); break;
    case H5I_GENPROP_LST: H5Pclose(*id); break;
    default: break;
    }
    *id = BAD;
}

static int fail_ds(const char *path, const char *ds, const char *fmt, ...) ELIG__PRINTF(3, 4);
static int fail_ds(const char *path, const char *ds, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return elig__err(ELIG_EFORMAT, "shd: %s: dataset '%s': %s", path, ds, msg);
}

/* 1 if the path "a/b" exists as a link, following each component; 0 if not. */
static int has_link(hid_t file, const char *name)
{
    char part[256];
    size_t n = strlen(name);
    if (n >= sizeof part) return 0;
    for (size_t i = 0; i <= n; i++) {
        if (name[i] == '/' || name[i] == '\0') {
            memcpy(part, name, i);
            part[i] = '\0';
            if (H5Lexists(file, part, H5P_DEFAULT) <= 0) return 0;
        }
    }
    return 1;
}

typedef struct {
    const char *name;
    hid_t ds, ftype, space;
    hsize_t n;
} dset;

/* Open a rank-1 dataset whose element class is cls (and, for vlen, whose base class is base).
 * *present = 0 and OK when optional and absent. */
static int open_ds(hid_t file, const char *path, dset *d, const char *name, int required, H5T_class_t cls,
                   H5T_class_t base, int *present)
{
    d->name = name;
    d->ds = d->ftype = d->space = BAD;
    d->n = 0;
    if (present) *present = 0;
    if (!has_link(file, name)) return required ? fail_ds(path, name, "missing") : ELIG_OK;
    hid_t obj = H5Oopen(file, name, H5P_DEFAULT);
    if (obj < 0) return fail_ds(path, name, "cannot be opened");
    if (H5Iget_type(obj) != H5I_DATASET) {
        H5Oclose(obj);
        return fail_ds(path, name, "is not a dataset");
    }
    d->ds = obj;
    if ((d->space = H5Dget_space(d->ds)) < 0 || (d->ftype = H5Dget_type(d->ds)) < 0)
        return fail_ds(path, name, "has no readable dataspace or datatype");
    int rank = H5Sget_simple_extent_ndims(d->space);
    if (rank != 1) return fail_ds(path, name, "has rank %d, expected 1", rank);
    if (H5Sget_simple_extent_dims(d->space, &d->n, NULL) != 1) return fail_ds(path, name, "has no readable length");
    H5T_class_t c = H5Tget_class(d->ftype);
    if (c != cls) {
        static const char *const names[] = {"integer", "float", "time", "string", "bitfield", "opaque", "compound",
                                            "reference", "enum", "vlen", "array"};
        return fail_ds(path, name, "has element class %s, expected %s", (c >= 0 && c <= H5T_ARRAY) ? names[c] : "?",
                       names[cls]);
    }
    if (cls == H5T_VLEN) {
        hid_t sup = H5Tget_super(d->ftype);
        H5T_class_t bc = sup >= 0 ? H5Tget_class(sup) : H5T_NO_CLASS;
        if (sup >= 0) H5Tclose(sup);
        if (bc != base) return fail_ds(path, name, "is a vlen of %s, expected a vlen of %s", bc == H5T_FLOAT ? "floats" : bc == H5T_INTEGER ? "integers" : "another class", base == H5T_FLOAT ? "floats" : "integers");
    }
    if (present) *present = 1;
    return ELIG_OK;
}

static void close_ds(dset *d)
{
    close_id(&d->ds);
    close_id(&d->ftype);
    close_id(&d->space);
}

/* ---------------------------------------------------------------- read */

void elig_spike_set_free(elig_spike_set *s)
{
    if (!s) return;
    free(s->block_);
    memset(s, 0, sizeof *s);
}

/* Keys: fixed-length or variable strings, into a temporary table of K pointers + a pool. */
typedef struct {
    size_t k;
    char *buf;     /* elig__malloc'd: K fixed-size slots, or NULL for vlen */
    char **vl;     /* elig__malloc'd vlen pointers (HDF5-owned strings), or NULL */
    size_t slot;   /* slot size for fixed */
    hid_t mtype;
    size_t bytes;  /* sum of strlen + 1 */
} keys_tmp;

static const char *key_at(const keys_tmp *kt, size_t i) { return kt->vl ? (kt->vl[i] ? kt->vl[i] : "") : kt->buf + i * kt->slot; }

static int read_keys(const char *path, dset *d, keys_tmp *kt)
{
    memset(kt, 0, sizeof *kt);
    kt->mtype = BAD;
    if (d->n > ELIG_SHD_MAX_KEYS) return fail_ds(path, d->name, "%llu keys, at most %d", (unsigned long long)d->n, ELIG_SHD_MAX_KEYS);
    kt->k = (size_t)d->n;
    htri_t var = H5Tis_variable_str(d->ftype);
    if (var < 0) return fail_ds(path, d->name, "string type cannot be inspected");
    if ((kt->mtype = H5Tcopy(H5T_C_S1)) < 0) return elig__err(ELIG_ENOMEM, "shd: cannot create a string type");
    H5Tset_cset(kt->mtype, H5Tget_cset(d->ftype));
    if (var) {
        H5Tset_size(kt->mtype, H5T_VARIABLE);
        kt->vl = elig__malloc((kt->k ? kt->k : 1) * sizeof(char *));
        if (!kt->vl) return elig__err(ELIG_ENOMEM, "shd: cannot allocate %zu key pointers", kt->k);
        memset(kt->vl, 0, (kt->k ? kt->k : 1) * sizeof(char *));
        if (kt->k && H5Dread(d->ds, kt->mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, kt->vl) < 0) {
            elig__free(kt->vl);
            kt->vl = NULL;
            return fail_ds(path, d->name, "cannot be read as strings");
        }
    } else {
        size_t sz = H5Tget_size(d->ftype);
        if (sz == 0 || sz > ELIG_SHD_MAX_KEY_LEN)
            return fail_ds(path, d->name, "fixed string size %zu outside 1..%d", sz, ELIG_SHD_MAX_KEY_LEN);
        if (kt->k * (sz + 1) > ELIG_SHD_MAX_KEY_BYTES) /* k <= 2^16, sz <= 2^12: no overflow */
            return fail_ds(path, d->name, "%zu keys of %zu bytes exceed the %zu-byte budget for keys", kt->k, sz,
                           (size_t)ELIG_SHD_MAX_KEY_BYTES);
        kt->slot = sz + 1; /* room for the terminator HDF5 writes into a NULLTERM slot */
        H5Tset_size(kt->mtype, kt->slot);
        H5Tset_strpad(kt->mtype, H5T_STR_NULLTERM);
        kt->buf = elig__malloc(kt->k * kt->slot + 1);
        if (!kt->buf) return elig__err(ELIG_ENOMEM, "shd: cannot allocate %zu bytes of keys", kt->k * kt->slot);
        memset(kt->buf, 0, kt->k * kt->slot + 1);
        if (kt->k && H5Dread(d->ds, kt->mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, kt->buf) < 0)
            return fail_ds(path, d->name, "cannot be read as strings");
    }
    for (size_t i = 0; i < kt->k; i++) {
        const char *s = key_at(kt, i);
        size_t l = strnlen(s, ELIG_SHD_MAX_KEY_LEN + 1);
        if (l > ELIG_SHD_MAX_KEY_LEN) return fail_ds(path, d->name, "key %zu is longer than %d bytes", i, ELIG_SHD_MAX_KEY_LEN);
        kt->bytes += l + 1;
        if (kt->bytes > ELIG_SHD_MAX_KEY_BYTES)
            return fail_ds(path, d->name, "keys exceed the %zu-byte budget", (size_t)ELIG_SHD_MAX_KEY_BYTES);
    }
    return ELIG_OK;
}

static void free_keys(keys_tmp *kt, hid_t space)
{
    if (kt->vl) {
        if (kt->k) VLEN_RECLAIM(kt->mtype, space, H5P_DEFAULT, kt->vl);
        elig__free(kt->vl);
    }
    elig__free(kt->buf);
    close_id(&kt->mtype);
    kt->vl = NULL;
    kt->buf = NULL;
}

/* Read an integer dataset of n values as int32 into out, each checked to be in [lo, hi]. */
static int read_ints(const char *path, dset *d, int32_t *out, int32_t lo, int32_t hi)
{
    if (d->n && H5Dread(d->ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        return fail_ds(path, d->name, "cannot be read as int32");
    for (hsize_t i = 0; i < d->n; i++)
        if (out[i] < lo || out[i] > hi)
            return fail_ds(path, d->name, "element %llu = %d is outside %d..%d", (unsigned long long)i, out[i], lo, hi);
    return ELIG_OK;
}

int elig_shd_read(const char *path, elig_spike_set *out, size_t max_samples, size_t max_spikes)
{
    if (!out) return elig__err(ELIG_EINVAL, "shd: out must not be NULL");
    memset(out, 0, sizeof *out);
    if (!path) return elig__err(ELIG_EINVAL, "shd: path must not be NULL");
    if (max_samples == 0) max_samples = ELIG_SHD_DEFAULT_MAX_SAMPLES;
    if (max_spikes == 0) max_spikes = ELIG_SHD_DEFAULT_MAX_SPIKES;
    uint64_t fsz;
    int rc = elig__file_size(FMT, path, &fsz);
    if (rc) return rc;

    quiet_state q;
    quiet_begin(&q);
    hid_t file = BAD, vt = BAD, vu = BAD;
    dset dt = {0}, du = {0}, dl = {0}, dsp = {0}, dk = {0};
    dt.ds = dt.ftype = dt.space = du.ds = du.ftype = du.space = dl.ds = dl.ftype = dl.space = BAD;
    dsp.ds = dsp.ftype = dsp.space = dk.ds = dk.ftype = dk.space = BAD;
    hvl_t *ht = NULL, *hu = NULL;
    keys_tmp kt = {0};
    kt.mtype = BAD;
    int have_sp = 0, have_keys = 0, read_t = 0, read_u = 0;
    void *blk = NULL;

    if (H5Fis_hdf5(path) <= 0) {
        rc = elig__data_fail(FMT, path, 0, "not an HDF5 file (no superblock signature)");
        goto done;
    }
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        rc = elig__data_fail(FMT, path, 0, "HDF5 cannot open the file (damaged or truncated)");
        goto done;
    }
    if ((rc = open_ds(file, path, &dt, "spikes/times", 1, H5T_VLEN, H5T_FLOAT, NULL))) goto done;
    if ((rc = open_ds(file, path, &du, "spikes/units", 1, H5T_VLEN, H5T_INTEGER, NULL))) goto done;
    if ((rc = open_ds(file, path, &dl, "labels", 1, H5T_INTEGER, H5T_NO_CLASS, NULL))) goto done;
    if ((rc = open_ds(file, path, &dsp, "extra/speaker", 0, H5T_INTEGER, H5T_NO_CLASS, &have_sp))) goto done;
    if ((rc = open_ds(file, path, &dk, "extra/keys", 0, H5T_STRING, H5T_NO_CLASS, &have_keys))) goto done;
    hsize_t N = dt.n;
    if (du.n != N) {
        rc = fail_ds(path, "spikes/units", "has %llu entries, spikes/times has %llu", (unsigned long long)du.n, (unsigned long long)N);
        goto done;
    }
    if (dl.n != N) {
        rc = fail_ds(path, "labels", "has %llu entries, spikes/times has %llu", (unsigned long long)dl.n, (unsigned long long)N);
        goto done;
    }
    if (have_sp && dsp.n != N) {
        rc = fail_ds(path, "extra/speaker", "has %llu entries, spikes/times has %llu", (unsigned long long)dsp.n, (unsigned long long)N);
        goto done;
    }
    if (N > max_samples) {
        rc = elig__err(ELIG_ELIMIT, "shd: %s: %llu samples exceed max_samples %zu", path, (unsigned long long)N, max_samples);
        goto done;
    }
    size_t n = (size_t)N;
    if ((vt = H5Tvlen_create(H5T_NATIVE_FLOAT)) < 0 || (vu = H5Tvlen_create(H5T_NATIVE_INT32)) < 0) {
        rc = elig__err(ELIG_ENOMEM, "shd: cannot create the vlen memory types");
        goto done;
    }
    /* Totals before the vlen read: HDF5 sums the heap lengths without converting the data. */
    hsize_t bt = 0, bu = 0;
    if (n && (H5Dvlen_get_buf_size(dt.ds, vt, dt.space, &bt) < 0)) {
        rc = fail_ds(path, "spikes/times", "the spike lengths cannot be read (damaged heap?)");
        goto done;
    }
    if (n && (H5Dvlen_get_buf_size(du.ds, vu, du.space, &bu) < 0)) {
        rc = fail_ds(path, "spikes/units", "the spike lengths cannot be read (damaged heap?)");
        goto done;
    }
    if (bt / sizeof(float) > max_spikes || bu / sizeof(int32_t) > max_spikes) {
        rc = elig__err(ELIG_ELIMIT, "shd: %s: %llu spikes exceed max_spikes %zu", path,
                       (unsigned long long)(bt / sizeof(float) > bu / sizeof(int32_t) ? bt / sizeof(float) : bu / sizeof(int32_t)), max_spikes);
        goto done;
    }
    ht = elig__malloc((n ? n : 1) * sizeof *ht);
    hu = elig__malloc((n ? n : 1) * sizeof *hu);
    if (!ht || !hu) {
        rc = elig__err(ELIG_ENOMEM, "shd: cannot allocate the vlen tables for %zu samples", n);
        goto done;
    }
    if (n && H5Dread(dt.ds, vt, H5S_ALL, H5S_ALL, H5P_DEFAULT, ht) < 0) {
        rc = fail_ds(path, "spikes/times", "cannot be read as vlen float");
        goto done;
    }
    read_t = 1;
    if (n && H5Dread(du.ds, vu, H5S_ALL, H5S_ALL, H5P_DEFAULT, hu) < 0) {
        rc = fail_ds(path, "spikes/units", "cannot be read as vlen int32");
        goto done;
    }
    read_u = 1;
    size_t S = 0;
    for (size_t i = 0; i < n; i++) {
        if (ht[i].len != hu[i].len) {
            rc = fail_ds(path, "spikes/units", "entry %zu has %zu spikes, spikes/times has %zu", i, hu[i].len, ht[i].len);
            goto done;
        }
        if (ht[i].len > max_spikes - S) {
            rc = elig__err(ELIG_ELIMIT, "shd: %s: more than max_spikes %zu spikes", path, max_spikes);
            goto done;
        }
        S += ht[i].len;
    }
    if (have_keys && (rc = read_keys(path, &dk, &kt))) goto done;

    /* one block: offsets | times | labels | speakers | key pointers | units | key strings */
    size_t K = have_keys ? kt.k : 0, off = 0, o_off, o_t, o_l, o_s, o_k, o_u, o_str, total;
    o_off = off; off += (n + 1) * sizeof(size_t);
    o_t = off;   off += S * sizeof(float);
    o_l = off;   off += n * sizeof(int32_t);
    o_s = off;   off += (have_sp ? n : 0) * sizeof(int32_t);
    off = (off + 7) & ~(size_t)7;
    o_k = off;   off += K * sizeof(char *);
    o_u = off;   off += S * sizeof(uint16_t);
    o_str = off; off += have_keys ? kt.bytes : 0;
    total = off;
    blk = malloc(total ? total : 1); /* malloc: elig_spike_set_free */
    if (!blk) {
        rc = elig__err(ELIG_ENOMEM, "shd: %s: cannot allocate %zu bytes", path, total);
        goto done;
    }
    char *b = blk;
    size_t *offset = (size_t *)(b + o_off);
    float *times = (float *)(b + o_t);
    int32_t *labels = (int32_t *)(b + o_l), *speakers = have_sp ? (int32_t *)(b + o_s) : NULL;
    uint16_t *units = (uint16_t *)(b + o_u);
    int max_unit = -1;
    offset[0] = 0;
    for (size_t i = 0, k = 0; i < n; i++) {
        const float *tp = ht[i].p;
        const int32_t *up = hu[i].p;
        for (size_t j = 0; j < ht[i].len; j++, k++) {
            if (!isfinite(tp[j]) || tp[j] < 0) {
                rc = fail_ds(path, "spikes/times", "entry %zu, spike %zu: time %g is not finite and >= 0", i, j, (double)tp[j]);
                goto done;
            }
            if (up[j] < 0 || up[j] > 65535) {
                rc = fail_ds(path, "spikes/units", "entry %zu, spike %zu: unit %d outside 0..65535", i, j, up[j]);
                goto done;
            }
            times[k] = tp[j];
            units[k] = (uint16_t)up[j];
            if (up[j] > max_unit) max_unit = up[j];
        }
        offset[i + 1] = offset[i] + ht[i].len;
    }
    if ((rc = read_ints(path, &dl, labels, 0, INT32_MAX))) goto done;
    if (have_sp && (rc = read_ints(path, &dsp, speakers, 0, INT32_MAX))) goto done;
    char **keys = NULL;
    if (have_keys) {
        keys = (char **)(b + o_k);
        char *s = b + o_str;
        for (size_t i = 0; i < K; i++) {
            const char *src = key_at(&kt, i);
            size_t l = strlen(src);
            memcpy(s, src, l + 1);
            keys[i] = s;
            s += l + 1;
        }
    }
    out->n_samples = n;
    out->n_spikes = S;
    out->offset = offset;
    out->times = times;
    out->units = units;
    out->labels = labels;
    out->speakers = speakers;
    out->n_keys = K;
    out->keys = keys;
    out->n_units = max_unit + 1;
    out->block_ = blk;
    blk = NULL;
    rc = ELIG_OK;
done:
    if (read_t) VLEN_RECLAIM(vt, dt.space, H5P_DEFAULT, ht);
    if (read_u) VLEN_RECLAIM(vu, du.space, H5P_DEFAULT, hu);
    free_keys(&kt, dk.space);
    elig__free(ht);
    elig__free(hu);
    free(blk);
    close_id(&vt);
    close_id(&vu);
    close_ds(&dt);
    close_ds(&du);
    close_ds(&dl);
    close_ds(&dsp);
    close_ds(&dk);
    close_id(&file);
    quiet_end(&q);
    return rc;
}

/* ---------------------------------------------------------------- write */

static int check_set(const elig_spike_set *s, int time_bits)
{
    if (!s) return elig__err(ELIG_EINVAL, "shd write: s must not be NULL");
    if (time_bits != 16 && time_bits != 32) return elig__err(ELIG_EINVAL, "shd write: time_bits must be 16 or 32 (got %d)", time_bits);
    if (s->n_samples >= ((size_t)1 << 31))
        return elig__err(ELIG_EINVAL, "shd write: n_samples must be < 2^31 (got %zu)", s->n_samples);
    if (!s->offset || (s->n_samples && !s->labels))
        return elig__err(ELIG_EINVAL, "shd write: offset and labels must not be NULL");
    if (s->offset[0] != 0) return elig__err(ELIG_EINVAL, "shd write: offset[0] must be 0 (got %zu)", s->offset[0]);
    for (size_t i = 0; i < s->n_samples; i++) {
        if (s->offset[i + 1] < s->offset[i])
            return elig__err(ELIG_EINVAL, "shd write: offset must not decrease (offset[%zu] = %zu < offset[%zu] = %zu)", i + 1,
                             s->offset[i + 1], i, s->offset[i]);
        if (s->labels[i] < 0) return elig__err(ELIG_EINVAL, "shd write: labels[%zu] must be >= 0 (got %d)", i, s->labels[i]);
        if (s->speakers && (s->speakers[i] < 0 || s->speakers[i] > 65535))
            return elig__err(ELIG_EINVAL, "shd write: speakers[%zu] must be in 0..65535 (got %d)", i, s->speakers[i]);
    }
    size_t S = s->offset[s->n_samples];
    if (S && (!s->times || !s->units)) return elig__err(ELIG_EINVAL, "shd write: times and units must not be NULL for %zu spikes", S);
    double tmax = time_bits == 16 ? 65504.0 : 3.4e38;
    for (size_t k = 0; k < S; k++)
        if (!isfinite(s->times[k]) || s->times[k] < 0 || s->times[k] > tmax)
            return elig__err(ELIG_EINVAL, "shd write: times[%zu] must be finite in [0, %g] (got %g)", k, tmax, (double)s->times[k]);
    if (s->n_keys > ELIG_SHD_MAX_KEYS) return elig__err(ELIG_EINVAL, "shd write: n_keys %zu exceeds %d", s->n_keys, ELIG_SHD_MAX_KEYS);
    if (s->n_keys && !s->keys) return elig__err(ELIG_EINVAL, "shd write: keys must not be NULL for %zu keys", s->n_keys);
    size_t kw = 0;
    for (size_t i = 0; i < s->n_keys; i++) {
        if (!s->keys[i] || strnlen(s->keys[i], ELIG_SHD_MAX_KEY_LEN + 1) > ELIG_SHD_MAX_KEY_LEN)
            return elig__err(ELIG_EINVAL, "shd write: keys[%zu] must be a string of at most %d bytes", i, ELIG_SHD_MAX_KEY_LEN);
        kw = ELIG__MAX(kw, strlen(s->keys[i]));
    }
    if (s->n_keys * (kw + 1) > ELIG_SHD_MAX_KEY_BYTES) /* what the reader will accept */
        return elig__err(ELIG_EINVAL, "shd write: %zu keys of up to %zu bytes exceed the %zu-byte budget", s->n_keys, kw,
                         (size_t)ELIG_SHD_MAX_KEY_BYTES);
    return ELIG_OK;
}

/* Create a rank-1 dataset of n elements of ftype and write buf (memory type mtype). */
static int write_ds(hid_t file, hid_t lcpl, const char *name, hid_t ftype, hid_t mtype, size_t n, const void *buf)
{
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    if (sp < 0) return -1;
    hid_t ds = H5Dcreate2(file, name, ftype, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    int ok = ds >= 0 && (n == 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return ok ? 0 : -1;
}

int elig_shd_write(const char *path, const elig_spike_set *s, int time_bits)
{
    if (!path || !*path) return elig__err(ELIG_EINVAL, "shd write: path must be a non-empty string");
    int rc = check_set(s, time_bits);
    if (rc) return rc;
    size_t n = s->n_samples;
    size_t tlen = strlen(path) + 32;
    char *tmp = elig__malloc(tlen);
    hvl_t *hv = elig__malloc((n ? n : 1) * sizeof *hv);
    char *kbuf = NULL;
    if (!tmp || !hv) {
        elig__free(tmp);
        elig__free(hv);
        return elig__err(ELIG_ENOMEM, "shd write %s: cannot allocate the vlen table", path);
    }
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());

    quiet_state q;
    quiet_begin(&q);
    hid_t file = BAD, lcpl = BAD, f16 = BAD, ft = BAD, mt = BAD, fu = BAD, mu = BAD, kt = BAD;
    const char *step = "create the file";
    if ((lcpl = H5Pcreate(H5P_LINK_CREATE)) < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0) goto fail;
    if ((file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) goto fail;
    step = "build the datatypes";
    if (time_bits == 16) {
        if ((f16 = H5Tcopy(H5T_IEEE_F32LE)) < 0 || H5Tset_fields(f16, 15, 10, 5, 0, 10) < 0 || H5Tset_size(f16, 2) < 0 ||
            H5Tset_precision(f16, 16) < 0 || H5Tset_ebias(f16, 15) < 0)
            goto fail;
        ft = H5Tvlen_create(f16);
    } else {
        ft = H5Tvlen_create(H5T_IEEE_F32LE);
    }
    if (ft < 0 || (mt = H5Tvlen_create(H5T_NATIVE_FLOAT)) < 0 || (fu = H5Tvlen_create(H5T_STD_U16LE)) < 0 ||
        (mu = H5Tvlen_create(H5T_NATIVE_UINT16)) < 0)
        goto fail;
    step = "write spikes/times";
    for (size_t i = 0; i < n; i++) {
        hv[i].len = s->offset[i + 1] - s->offset[i];
        hv[i].p = (void *)(s->times + s->offset[i]); /* HDF5 only reads through it */
    }
    if (write_ds(file, lcpl, "spikes/times", ft, mt, n, hv) < 0) goto fail;
    step = "write spikes/units";
    for (size_t i = 0; i < n; i++) hv[i].p = (void *)(s->units + s->offset[i]);
    if (write_ds(file, lcpl, "spikes/units", fu, mu, n, hv) < 0) goto fail;
    step = "write labels";
    if (write_ds(file, lcpl, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->labels) < 0) goto fail;
    if (s->speakers) {
        step = "write extra/speaker";
        if (write_ds(file, lcpl, "extra/speaker", H5T_STD_U16LE, H5T_NATIVE_INT32, n, s->speakers) < 0) goto fail;
    }
    if (s->keys) {
        step = "write extra/keys";
        size_t w = 1;
        for (size_t i = 0; i < s->n_keys; i++) w = ELIG__MAX(w, strlen(s->keys[i]));
        kbuf = elig__malloc(s->n_keys * w + 1);
        if (!kbuf) goto fail;
        memset(kbuf, 0, s->n_keys * w + 1);
        for (size_t i = 0; i < s->n_keys; i++) memcpy(kbuf + i * w, s->keys[i], strlen(s->keys[i]));
        if ((kt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(kt, w) < 0 || H5Tset_strpad(kt, H5T_STR_NULLPAD) < 0) goto fail;
        if (write_ds(file, lcpl, "extra/keys", kt, kt, s->n_keys, kbuf) < 0) goto fail;
    }
    step = "close the file";
    {
        hid_t f = file;
        file = BAD;
        if (H5Fclose(f) < 0) goto fail;
    }
    step = "rename the temp file over the target";
    if (rename(tmp, path) != 0) goto fail;
    rc = ELIG_OK;
    goto done;
fail:
    rc = elig__err(ELIG_EIO, "shd write: cannot write %s: %s failed (HDF5)", path, step);
    close_id(&file);
    unlink(tmp); /* nothing is left behind, whatever step failed */
done:
    close_id(&lcpl);
    close_id(&f16);
    close_id(&ft);
    close_id(&mt);
    close_id(&fu);
    close_id(&mu);
    close_id(&kt);
    quiet_end(&q);
    elig__free(kbuf);
    elig__free(hv);
    elig__free(tmp);
    return rc;
}
