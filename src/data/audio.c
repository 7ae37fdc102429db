/* audio.c -- a cochlea-like audio front end (band-pass filter bank, half-wave rectification,
 * envelope, spiking units) and the conversion of the Free Spoken Digit Dataset into two
 * SHD-layout HDF5 files.
 *
 * Per channel c (equations in elig_data.h, elig_audio_cfg):
 *   fc_c      middle of the c-th of n equal parts of [scale(f_lo), scale(f_hi)], scale = ERB-rate
 *             (Glasberg & Moore 1990: 21.4 log10(1 + 0.00437 f)) or mel (2595 log10(1 + f/700))
 *   band-pass `order` cascaded biquads, RBJ Audio-EQ-Cookbook band-pass with 0 dB peak gain:
 *             w0 = 2 pi fc/fs, alpha = sin(w0)/(2Q), Q = fc / (bw_factor ERB(fc)),
 *             b = (alpha, 0, -alpha), a = (1 + alpha, -2 cos w0, 1 - alpha); transposed direct
 *             form II in double
 *   envelope  r = max(y, 0); e <- e + k (r - e), k = 1 - exp(-1/(fs tau_env))
 *   bin       mean of e over the samples of each step, E = mean^compress
 *   spikes    LIF (subtractive reset, one spike per step at most) or sigma-delta ON/OFF on E
 * Coefficients and decay factors are computed once per call, before the sample loop.
 *
 * Cost: n_samples * n_channels * (5 order + 4) multiply-adds, channels in blocks of 8 so that
 * their recurrences run side by side; no allocation in elig_audio_envelope, one (T, n_channels)
 * temporary in elig_audio_encode. FSDD (3,000 files, 10.5 M samples) at 64 channels: about
 * 11 s on one core (13 ns per sample and channel, a third of it in exp/log).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "data_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIO_MAX_CHANNELS 4096
#define AUDIO_MAX_ORDER 8
#define FSDD_MAX_FILES ((size_t)1 << 20)
#define FSDD_MAX_NAME 64

static const double PI = 3.14159265358979323846;

elig_audio_cfg elig_audio_cfg_default(void)
{
    elig_audio_cfg c = {.sample_rate = 8000, .n_channels = 64, .f_lo = 100, .f_hi = 4000, .scale = ELIG_SCALE_ERB,
                        .bw_factor = 1.0, .order = 2, .normalize = 1, .tau_env = 2.0, .compress = 0.3, .dt = 1.0,
                        .spiking = ELIG_AUDIO_LIF, .gain = 4.0, .tau_mem = 5.0, .v_th = 1.0, .theta = 0.05};
    return c;
}

#define BADF(field, rule, v) elig__err(ELIG_EINVAL, "audio: %s must be %s (got %g)", field, rule, (double)(v))

int elig_audio_check(const elig_audio_cfg *c)
{
    if (!c) return elig__err(ELIG_EINVAL, "audio: cfg must not be NULL");
    if (!(c->sample_rate > 0) || !isfinite(c->sample_rate)) return BADF("sample_rate", "> 0 Hz", c->sample_rate);
    if (c->n_channels < 1 || c->n_channels > AUDIO_MAX_CHANNELS) return BADF("n_channels", "in 1..4096", c->n_channels);
    if (!(c->f_lo > 0)) return BADF("f_lo", "> 0 Hz", c->f_lo);
    if (!(c->f_hi > c->f_lo)) return BADF("f_hi", "> f_lo", c->f_hi);
    if (!(c->f_hi <= 0.5 * c->sample_rate)) return BADF("f_hi", "<= sample_rate / 2", c->f_hi);
    if (c->scale != ELIG_SCALE_ERB && c->scale != ELIG_SCALE_MEL) return BADF("scale", "ELIG_SCALE_ERB or ELIG_SCALE_MEL", c->scale);
    if (!(c->bw_factor > 0) || !isfinite(c->bw_factor)) return BADF("bw_factor", "> 0", c->bw_factor);
    if (c->order < 1 || c->order > AUDIO_MAX_ORDER) return BADF("order", "in 1..8", c->order);
    if (!(c->tau_env > 0) || !isfinite(c->tau_env)) return BADF("tau_env", "> 0 ms", c->tau_env);
    if (!(c->compress > 0 && c->compress <= 1)) return BADF("compress", "in (0, 1]", c->compress);
    if (!(c->dt > 0) || !isfinite(c->dt)) return BADF("dt", "> 0 ms", c->dt);
    if (!(c->sample_rate * c->dt / 1000.0 >= 1)) return BADF("dt", "at least one sample long (dt * sample_rate >= 1000)", c->dt);
    if (c->spiking == ELIG_AUDIO_LIF) {
        if (!(c->gain > 0) || !isfinite(c->gain)) return BADF("gain", "> 0", c->gain);
        if (!(c->tau_mem > 0) || !isfinite(c->tau_mem)) return BADF("tau_mem", "> 0 ms", c->tau_mem);
        if (!(c->v_th > 0) || !isfinite(c->v_th)) return BADF("v_th", "> 0", c->v_th);
    } else if (c->spiking == ELIG_AUDIO_SIGMA_DELTA) {
        if (!(c->theta > 0) || !isfinite(c->theta)) return BADF("theta", "> 0", c->theta);
    } else {
        return BADF("spiking", "ELIG_AUDIO_LIF or ELIG_AUDIO_SIGMA_DELTA", c->spiking);
    }
    return ELIG_OK;
}

static double to_scale(int scale, double f)
{
    return scale == ELIG_SCALE_ERB ? 21.4 * log10(1.0 + 0.00437 * f) : 2595.0 * log10(1.0 + f / 700.0);
}

static double from_scale(int scale, double s)
{
    return scale == ELIG_SCALE_ERB ? (pow(10.0, s / 21.4) - 1.0) / 0.00437 : 700.0 * (pow(10.0, s / 2595.0) - 1.0);
}

int elig_audio_centres(const elig_audio_cfg *c, double *fc)
{
    int rc = elig_audio_check(c);
    if (rc) return rc;
    if (!fc) return elig__err(ELIG_EINVAL, "audio: fc must not be NULL");
    double a = to_scale(c->scale, c->f_lo), b = to_scale(c->scale, c->f_hi);
    for (int k = 0; k < c->n_channels; k++) fc[k] = from_scale(c->scale, a + (b - a) * ((double)k + 0.5) / c->n_channels);
    return ELIG_OK;
}

int elig_audio_n_units(const elig_audio_cfg *c)
{
    if (elig_audio_check(c)) return 0;
    return c->spiking == ELIG_AUDIO_LIF ? c->n_channels : 2 * c->n_channels;
}

static double samples_per_step(const elig_audio_cfg *c) { return c->sample_rate * c->dt / 1000.0; }

static size_t step_of(size_t i, double spp) { return (size_t)((double)i / spp); }

size_t elig_audio_n_steps(const elig_audio_cfg *c, size_t n)
{
    if (elig_audio_check(c) || n == 0) return 0;
    return step_of(n - 1, samples_per_step(c)) + 1;
}

/* E = m^p for the binned mean m >= 0; exp(p log m) is a third of glibc pow's cost here and
 * differs by an ulp at most (the same in every build: computed in double). */
static double compress_of(double m, double p) { return m > 0 ? exp(p * log(m)) : 0.0; }

#define CB 8 /* channels filtered side by side: independent recurrences the compiler vectorises */

int elig_audio_envelope(const elig_audio_cfg *c, const elig_real *wave, size_t n, elig_real *env)
{
    int rc = elig_audio_check(c);
    if (rc) return rc;
    if (n && (!wave || !env)) return elig__err(ELIG_EINVAL, "audio: wave and env must not be NULL");
    const int nc = c->n_channels, order = c->order;
    const double spp = samples_per_step(c), fs = c->sample_rate;
    double peak = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)wave[i]);
        if (!isfinite(a)) return elig__err(ELIG_EINVAL, "audio: wave[%zu] = %g is not finite", i, (double)wave[i]);
        if (a > peak) peak = a;
    }
    const double g = (c->normalize && peak > 0) ? 1.0 / peak : 1.0;
    const double k_env = 1.0 - exp(-1000.0 / (fs * c->tau_env)); /* tau_env in ms */
    double fc[AUDIO_MAX_CHANNELS];
    elig_audio_centres(c, fc);
    for (int c0 = 0; c0 < nc; c0 += CB) {
        const int nb = nc - c0 < CB ? nc - c0 : CB;
        /* unused lanes get zero coefficients: they compute zeros */
        double b0[CB] = {0}, b2[CB] = {0}, a1[CB] = {0}, a2[CB] = {0};
        for (int j = 0; j < nb; j++) {
            double f = fc[c0 + j], erb = 24.7 * (4.37 * f / 1000.0 + 1.0), Q = f / (c->bw_factor * erb);
            double w0 = 2.0 * PI * f / fs, alpha = sin(w0) / (2.0 * Q), a0 = 1.0 + alpha;
            b0[j] = alpha / a0;
            b2[j] = -alpha / a0;
            a1[j] = -2.0 * cos(w0) / a0;
            a2[j] = (1.0 - alpha) / a0;
        }
        double z1[AUDIO_MAX_ORDER][CB] = {{0}}, z2[AUDIO_MAX_ORDER][CB] = {{0}}, e[CB] = {0}, sum[CB] = {0};
        size_t cur = 0, cnt = 0;
        for (size_t i = 0; i < n; i++) {
            size_t t = step_of(i, spp);
            if (t != cur) {
                for (int j = 0; j < nb; j++) env[cur * (size_t)nc + (size_t)(c0 + j)] = (elig_real)compress_of(sum[j] / (double)cnt, c->compress);
                for (int j = 0; j < CB; j++) sum[j] = 0;
                cur = t;
                cnt = 0;
            }
            const double x = g * (double)wave[i];
            double y[CB];
            for (int j = 0; j < CB; j++) y[j] = x;
            for (int s = 0; s < order; s++) /* transposed direct form II, b1 = 0 */
                for (int j = 0; j < CB; j++) {
                    double o = b0[j] * y[j] + z1[s][j];
                    z1[s][j] = -a1[j] * o + z2[s][j];
                    z2[s][j] = b2[j] * y[j] - a2[j] * o;
                    y[j] = o;
                }
            for (int j = 0; j < CB; j++) {
                e[j] += k_env * ((y[j] > 0 ? y[j] : 0) - e[j]);
                sum[j] += e[j];
            }
            cnt++;
        }
        if (n)
            for (int j = 0; j < nb; j++) env[cur * (size_t)nc + (size_t)(c0 + j)] = (elig_real)compress_of(sum[j] / (double)cnt, c->compress);
    }
    return ELIG_OK;
}

int elig_audio_encode(const elig_audio_cfg *c, const elig_real *wave, size_t n, elig_real *out)
{
    int rc = elig_audio_check(c);
    if (rc) return rc;
    if (n && (!wave || !out)) return elig__err(ELIG_EINVAL, "audio: wave and out must not be NULL");
    const size_t T = elig_audio_n_steps(c, n), nc = (size_t)c->n_channels;
    if (T == 0) return ELIG_OK;
    if (T > (size_t)1 << 30) return elig__err(ELIG_EINVAL, "audio: %zu steps, at most 2^30", T);
    elig_real *env = elig__malloc(T * nc * sizeof *env);
    if (!env) return elig__err(ELIG_ENOMEM, "audio: cannot allocate the (%zu, %zu) envelope", T, nc);
    if ((rc = elig_audio_envelope(c, wave, n, env))) goto done;
    if (c->spiking == ELIG_AUDIO_SIGMA_DELTA) {
        rc = elig_encode_sigma_delta(env, (int)T, (int)nc, c->theta, out);
        goto done;
    }
    const double beta = exp(-c->dt / c->tau_mem), in = (1.0 - beta) * c->gain;
    for (size_t ch = 0; ch < nc; ch++) {
        double v = 0;
        for (size_t t = 0; t < T; t++) {
            v = beta * v + in * (double)env[t * nc + ch];
            int z = v >= c->v_th;
            if (z) v -= c->v_th;
            out[t * nc + ch] = (elig_real)z;
        }
    }
done:
    elig__free(env);
    return rc;
}

/* ---------------------------------------------------------------- FSDD -> SHD */

typedef struct {
    int digit, take, speaker_id;
    char speaker[FSDD_MAX_NAME];
    char file[FSDD_MAX_NAME * 2 + 16];
} fsdd_item;

/* "{digit}_{speaker}_{take}.wav": digit 0-9, speaker [A-Za-z0-9]+, take decimal < 10^6. */
static int parse_name(const char *s, fsdd_item *it)
{
    if (s[0] < '0' || s[0] > '9' || s[1] != '_') return 0;
    it->digit = s[0] - '0';
    const char *p = s + 2, *q = p;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')) q++;
    if (q == p || *q != '_' || (size_t)(q - p) >= FSDD_MAX_NAME) return 0;
    memcpy(it->speaker, p, (size_t)(q - p));
    it->speaker[q - p] = '\0';
    q++;
    int take = 0, nd = 0;
    while (*q >= '0' && *q <= '9' && nd < 6) take = take * 10 + (*q++ - '0'), nd++;
    if (nd == 0 || strcmp(q, ".wav") != 0) return 0;
    size_t len = strlen(s);
    if (len >= sizeof it->file) return 0;
    it->take = take;
    memcpy(it->file, s, len + 1);
    return 1;
}

static int cmp_item(const void *a, const void *b)
{
    const fsdd_item *x = a, *y = b;
    if (x->digit != y->digit) return x->digit < y->digit ? -1 : 1;
    int c = strcmp(x->speaker, y->speaker);
    if (c) return c;
    return (x->take > y->take) - (x->take < y->take);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Growing spike list of one split. */
typedef struct {
    size_t n, cap_s, S;
    size_t *offset;
    int32_t *labels, *speakers;
    float *times;
    uint16_t *units;
} accum;

static void accum_free(accum *a)
{
    free(a->offset);
    free(a->labels);
    free(a->speakers);
    free(a->times);
    free(a->units);
    memset(a, 0, sizeof *a);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t start)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : start;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int encode_split(const char *dir, const fsdd_item *items, size_t n_items, int test, const elig_audio_cfg *c,
                        const char *out_path, int time_bits, size_t *count)
{
    static const char *const names[10] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    accum a = {0};
    size_t cap_n = 0, cap_n2 = 0, cap_n3 = 0, cap_u = 0;
    int rc = ELIG_OK;
    elig_real *dense = NULL;
    size_t dense_cap = 0;
    const size_t U = (size_t)elig_audio_n_units(c);
    char path[4096];
    if (grow((void **)&a.offset, &cap_n, 1, sizeof(size_t), 256)) goto nomem;
    a.offset[0] = 0;
    for (size_t i = 0; i < n_items; i++) {
        const fsdd_item *it = &items[i];
        if ((it->take < 5) != test) continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, it->file) >= sizeof path) {
            rc = elig__err(ELIG_EINVAL, "fsdd: path %s/%s longer than 4095 bytes", dir, it->file);
            goto done;
        }
        elig_wav_info wi;
        elig_real *w = NULL;
        if ((rc = elig_wav_read(path, &wi, &w, 0))) goto done;
        if ((double)wi.sample_rate != c->sample_rate) {
            free(w);
            rc = elig__err(ELIG_EFORMAT, "fsdd: %s: sample rate %d Hz, cfg sample_rate is %g", path, wi.sample_rate, c->sample_rate);
            goto done;
        }
        size_t T = elig_audio_n_steps(c, wi.n_frames);
        if (grow((void **)&dense, &dense_cap, T * U + 1, sizeof *dense, 4096)) {
            free(w);
            goto nomem;
        }
        rc = elig_audio_encode(c, w, wi.n_frames, dense);
        free(w);
        if (rc) goto done;
        for (size_t t = 0; t < T; t++)
            for (size_t u = 0; u < U; u++) {
                int k = (int)dense[t * U + u];
                for (int r = 0; r < k; r++) {
                    if (grow((void **)&a.times, &a.cap_s, a.S + 1, sizeof(float), 65536) ||
                        grow((void **)&a.units, &cap_u, a.S + 1, sizeof(uint16_t), 65536))
                        goto nomem;
                    a.times[a.S] = (float)(((double)t + 0.5) * c->dt / 1000.0);
                    a.units[a.S] = (uint16_t)u;
                    a.S++;
                }
            }
        if (grow((void **)&a.offset, &cap_n, a.n + 2, sizeof(size_t), 256) ||
            grow((void **)&a.labels, &cap_n2, a.n + 1, sizeof(int32_t), 256) ||
            grow((void **)&a.speakers, &cap_n3, a.n + 1, sizeof(int32_t), 256))
            goto nomem;
        a.labels[a.n] = it->digit;
        a.speakers[a.n] = it->speaker_id;
        a.offset[++a.n] = a.S;
    }
    {
        elig_spike_set s = {.n_samples = a.n, .n_spikes = a.S, .offset = a.offset, .times = a.times, .units = a.units,
                            .labels = a.labels, .speakers = a.speakers, .n_keys = 10, .keys = (char **)names};
        if ((rc = elig_shd_write(out_path, &s, time_bits))) goto done;
        if (count) *count = a.n;
    }
    goto done;
nomem:
    rc = elig__err(ELIG_ENOMEM, "fsdd: out of memory while encoding %s", out_path);
done:
    free(dense);
    accum_free(&a);
    return rc;
}

int elig_fsdd_to_shd(const char *dir, const char *train_path, const char *test_path, const elig_audio_cfg *c,
                     int time_bits, size_t *n_train, size_t *n_test)
{
    if (n_train) *n_train = 0;
    if (n_test) *n_test = 0;
    if (!dir || !train_path || !test_path) return elig__err(ELIG_EINVAL, "fsdd: dir, train_path and test_path must not be NULL");
    int rc = elig_audio_check(c);
    if (rc) return rc;
    if (time_bits != 16 && time_bits != 32) return elig__err(ELIG_EINVAL, "fsdd: time_bits must be 16 or 32 (got %d)", time_bits);
    char e[128];
    DIR *d = opendir(dir);
    if (!d) return elig__err(ELIG_EIO, "fsdd: cannot open %s: %s", dir, elig__errstr(errno, e, sizeof e));
    fsdd_item *items = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        fsdd_item it;
        if (!parse_name(de->d_name, &it)) continue;
        if (n == FSDD_MAX_FILES) {
            closedir(d);
            free(items);
            return elig__err(ELIG_ELIMIT, "fsdd: %s holds more than 2^20 recordings", dir);
        }
        if (grow((void **)&items, &cap, n + 1, sizeof *items, 256)) {
            closedir(d);
            free(items);
            return elig__err(ELIG_ENOMEM, "fsdd: out of memory listing %s", dir);
        }
        items[n++] = it;
    }
    closedir(d);
    if (n == 0) {
        free(items);
        return elig__err(ELIG_EINVAL, "fsdd: no {digit}_{speaker}_{take}.wav files in %s", dir);
    }
    qsort(items, n, sizeof *items, cmp_item);
    /* speaker ids: rank among the sorted distinct names */
    const char **sp = malloc(n * sizeof *sp);
    if (!sp) {
        free(items);
        return elig__err(ELIG_ENOMEM, "fsdd: out of memory");
    }
    for (size_t i = 0; i < n; i++) sp[i] = items[i].speaker;
    qsort(sp, n, sizeof *sp, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(sp[m - 1], sp[i])) sp[m++] = sp[i];
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = m;
        while (lo + 1 < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(sp[mid], items[i].speaker) <= 0) lo = mid;
            else hi = mid;
        }
        items[i].speaker_id = (int)lo;
    }
    free(sp);
    rc = encode_split(dir, items, n, 0, c, train_path, time_bits, n_train);
    if (!rc) rc = encode_split(dir, items, n, 1, c, test_path, time_bits, n_test);
    free(items);
    return rc;
}
