/* test_data_enc.c -- encoders and generated data sets of the data component: TTFS latency
 * coding (spike steps computed by hand from the formula), sigma-delta ON/OFF coding (a hand-made
 * ramp and jump with exact thresholds), binning (counts, clipping, drops), the audio front end
 * (centre spacing, a pure tone's energy in its own channel, silence, the config rules), the
 * FSDD -> SHD converter on WAVs written here (and on real FSDD files when present), Randman
 * (determinism, the cut-off F, exactly nb_spikes per unit, min-max normalisation, classes that
 * a 1-NN classifier separates) and Yin-Yang (the class rule at known points, the generator's
 * statistics, the published split and its agreement with the rule).
 */
#define _GNU_SOURCE /* mkdtemp */
#include "harness.h"
#include "elig_data.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ================================================================ TTFS */

TEST(ttfs_known_steps)
{
    /* T = 20 ln(x / (x - 0.2)), by hand: */
    struct { double x; int step; } c[] = {
        {1.0, 4},     /* 20 ln 1.25  =  4.46 */
        {0.5, 10},    /* 20 ln(5/3)  = 10.22 */
        {0.25, 32},   /* 20 ln 5     = 32.19 */
        {0.205, 74},  /* 20 ln 41    = 74.27 */
        {0.21, 60},   /* 20 ln 21    = 60.89 */
        {0.201, -1},  /* 20 ln 201   = 106.1 >= 100: dropped */
        {0.2, -1}, {0.1, -1}, {0.0, -1}, {-1.0, -1},
        {128 / 255.0, 10}, /* 20 ln(128/77) = 10.16 */
        {64 / 255.0, 31},  /* 20 ln(64/13)  = 31.88 */
        {52 / 255.0, 79},  /* 20 ln(52/1)   = 79.02 */
    };
    int n = (int)(sizeof c / sizeof *c);
    for (int i = 0; i < n; i++) {
        int s = elig_ttfs_step(c[i].x, 0.2, 20, 100);
        if (s != c[i].step) th_fail(__FILE__, __LINE__, "x = %g: step %d, expected %d", c[i].x, s, c[i].step);
    }
    ASSERT_EQ_INT(elig_ttfs_step(NAN, 0.2, 20, 100), -1);
    ASSERT_EQ_INT(elig_ttfs_step(0.5, 0.2, 20, 10), -1); /* 10.22 >= 10 */
    ASSERT_EQ_INT(elig_ttfs_step(0.5, 0.2, 20, 11), 10);
    /* dense: one column per value, a single 1 at its step, nothing for the silent ones */
    elig_real x[16], out[100 * 16];
    for (int i = 0; i < n; i++) x[i] = (elig_real)c[i].x;
    ASSERT_OK(elig_encode_ttfs(x, n, 0.2, 20, 100, out));
    for (int i = 0; i < n; i++) {
        double col = 0;
        int at = -1;
        for (int t = 0; t < 100; t++) {
            col += out[t * n + i];
            if (out[t * n + i] == 1) at = t;
        }
        ASSERT_EQ_INT((int)col, c[i].step >= 0);
        ASSERT_EQ_INT(at, c[i].step);
    }
    ASSERT_EQ_INT(elig_encode_ttfs(x, 0, 0.2, 20, 100, out), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_encode_ttfs(x, n, 0, 20, 100, out), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_encode_ttfs(x, n, 0.2, -1, 100, out), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_encode_ttfs(x, n, 0.2, 20, 0, out), ELIG_EINVAL);
}

/* ================================================================ sigma-delta */

TEST(sigma_delta_ramp_and_jump)
{
    enum { T = 33, N = 4 };
    elig_real x[T * N], out[T * 2 * N];
    for (int t = 0; t < T; t++) {
        x[t * N + 0] = (elig_real)(t <= 16 ? 0.25 * t : 4.0 - 0.25 * (t - 16)); /* up to 4, back to 0 */
        x[t * N + 1] = (elig_real)(t == 0 ? 0.0 : t < 5 ? 3.5 : 0.0);           /* a jump of 3.5 theta */
        x[t * N + 2] = (elig_real)2.385;                                         /* constant */
        x[t * N + 3] = (elig_real)(t % 2 ? -0.4 : 0.4);                          /* noise below theta */
    }
    ASSERT_OK(elig_encode_sigma_delta(x, T, N, 1.0, out));
    for (int t = 0; t < T; t++) {
        double on0 = out[t * 2 * N + 0], off0 = out[t * 2 * N + 1];
        double want_on = (t == 4 || t == 8 || t == 12 || t == 16), want_off = (t == 20 || t == 24 || t == 28 || t == 32);
        if (on0 != want_on || off0 != want_off) th_fail(__FILE__, __LINE__, "ramp t=%d: on %g off %g", t, on0, off0);
        ASSERT_TRUE(out[t * 2 * N + 2] == (t == 1 ? 3 : 0)); /* three ON at once, r = 3 */
        ASSERT_TRUE(out[t * 2 * N + 3] == (t == 5 ? 3 : 0)); /* and back: three OFF */
        ASSERT_TRUE(out[t * 2 * N + 4] == 0 && out[t * 2 * N + 5] == 0);
        ASSERT_TRUE(out[t * 2 * N + 6] == 0 && out[t * 2 * N + 7] == 0);
    }
    /* a random walk with theta 0.173: the reference ends within theta of the signal, and it is
     * x_0 + theta (ON - OFF) */
    enum { T2 = 500 };
    elig_real w[T2], o2[2 * T2];
    elig_rng r;
    elig_rng_seed(&r, 2385);
    double v = 0.3;
    for (int t = 0; t < T2; t++) {
        v += 0.2 * elig_rng_normal(&r);
        w[t] = (elig_real)v;
    }
    ASSERT_OK(elig_encode_sigma_delta(w, T2, 1, 0.173, o2));
    double on = 0, off = 0;
    for (int t = 0; t < T2; t++) on += o2[2 * t], off += o2[2 * t + 1];
    double ref = (double)w[0] + 0.173 * (on - off);
    ASSERT_TRUE(fabs((double)w[T2 - 1] - ref) < 0.173 + 1e-9);
    ASSERT_TRUE(on > 10 && off > 10);
    ASSERT_EQ_INT(elig_encode_sigma_delta(x, T, N, 0, out), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_encode_sigma_delta(x, 0, N, 1, out), ELIG_EINVAL);
    /* a jump of 2^21 thresholds is refused (the loop is bounded) */
    elig_real big[2] = {0, (elig_real)4194304.0};
    ASSERT_EQ_INT(elig_encode_sigma_delta(big, 2, 1, 1.0, out), ELIG_EINVAL);
}

/* ================================================================ binning */

TEST(bin_spikes_counts_clip_drop)
{
    const float t[9] = {0.0f, 0.2f, 0.25f, 0.6f, 0.6f, 4.9f, 5.0f, -0.1f, 1.0f};
    const uint16_t u[9] = {0, 1, 1, 2, 2, 3, 3, 0, 4};
    enum { T = 20, U = 4 };
    elig_real out[T * U];
    size_t dropped = 0;
    ASSERT_OK(elig_bin_spikes(t, u, 9, 0.25, T, U, 0, out, &dropped));
    ASSERT_EQ_INT(dropped, 3); /* t = 5.0 (step 20), t < 0, unit 4 */
    double want[T * U] = {0};
    want[0 * U + 0] = 1;
    want[0 * U + 1] = 1;
    want[1 * U + 1] = 1;
    want[2 * U + 2] = 2;
    want[19 * U + 3] = 1;
    for (int i = 0; i < T * U; i++) ASSERT_TRUE(out[i] == want[i]);
    ASSERT_OK(elig_bin_spikes(t, u, 9, 0.25, T, U, 1, out, NULL));
    ASSERT_TRUE(out[2 * U + 2] == 1);
    ASSERT_EQ_INT(elig_bin_spikes(t, u, 9, 0, T, U, 1, out, NULL), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_bin_spikes(t, u, 9, 0.25, T, 0, 1, out, NULL), ELIG_EINVAL);
    ASSERT_OK(elig_bin_spikes(NULL, NULL, 0, 0.25, T, U, 1, out, NULL));
}

/* ================================================================ audio */

static double erb_rate(double f) { return 21.4 * log10(1.0 + 0.00437 * f); }
static double mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }

TEST(audio_centres_and_rules)
{
    elig_audio_cfg c = elig_audio_cfg_default();
    double fc[64];
    ASSERT_OK(elig_audio_centres(&c, fc));
    double step = (erb_rate(4000) - erb_rate(100)) / 64;
    ASSERT_NEAR(erb_rate(fc[0]), erb_rate(100) + step / 2, 1e-9);
    for (int k = 1; k < 64; k++) {
        ASSERT_TRUE(fc[k] > fc[k - 1]);
        ASSERT_NEAR(erb_rate(fc[k]) - erb_rate(fc[k - 1]), step, 1e-9);
    }
    ASSERT_TRUE(fc[0] > 100 && fc[63] < 4000);
    c.scale = ELIG_SCALE_MEL;
    c.n_channels = 13;
    ASSERT_OK(elig_audio_centres(&c, fc));
    for (int k = 1; k < 13; k++) ASSERT_NEAR(mel(fc[k]) - mel(fc[k - 1]), (mel(4000) - mel(100)) / 13, 1e-9);
    ASSERT_EQ_INT(elig_audio_n_units(&c), 13);
    c.spiking = ELIG_AUDIO_SIGMA_DELTA;
    ASSERT_EQ_INT(elig_audio_n_units(&c), 26);
    c = elig_audio_cfg_default();
    ASSERT_EQ_INT(elig_audio_n_steps(&c, 0), 0);
    ASSERT_EQ_INT(elig_audio_n_steps(&c, 1), 1);
    ASSERT_EQ_INT(elig_audio_n_steps(&c, 8), 1);
    ASSERT_EQ_INT(elig_audio_n_steps(&c, 9), 2);
    ASSERT_EQ_INT(elig_audio_n_steps(&c, 2384), 298);
    /* every rule names its field */
    static const struct { const char *field; } bad[] = {
        {"f_hi"}, {"n_channels"}, {"order"}, {"compress"}, {"dt"}, {"tau_env"},
        {"spiking"}, {"gain"}, {"f_lo"}, {"theta"}, {"bw_factor"}, {"tau_mem"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        c = elig_audio_cfg_default();
        switch (k) {
        case 0: c.f_hi = 4000.5; break;
        case 1: c.n_channels = 0; break;
        case 2: c.order = 9; break;
        case 3: c.compress = 1.5; break;
        case 4: c.dt = 0.1; break; /* less than one sample at 8 kHz */
        case 5: c.tau_env = 0; break;
        case 6: c.spiking = 7; break;
        case 7: c.gain = -1; break;
        case 8: c.f_lo = 0; break;
        case 9: c.spiking = ELIG_AUDIO_SIGMA_DELTA; c.theta = 0; break;
        case 10: c.bw_factor = NAN; break;
        case 11: c.tau_mem = 0; break;
        }
        int rc = elig_audio_check(&c);
        if (rc != ELIG_EINVAL || !strstr(elig_last_error(), bad[k].field))
            th_fail(__FILE__, __LINE__, "rule %s: got %s (%s)", bad[k].field, elig_status_name(rc), elig_last_error());
        ASSERT_EQ_INT(elig_audio_n_units(&c), 0);
    }
}

/* A pure tone at a channel's centre puts most envelope energy in that channel. */
TEST(audio_tone_lands_in_its_channel)
{
    enum { FS = 8000, N = FS / 4 }; /* 250 ms */
    static elig_real wave[N];
    for (int scale = 0; scale < 2; scale++) {
        elig_audio_cfg c = elig_audio_cfg_default();
        c.n_channels = 32;
        c.scale = scale;
        double fc[32];
        ASSERT_OK(elig_audio_centres(&c, fc));
        size_t T = elig_audio_n_steps(&c, N);
        ASSERT_EQ_INT(T, 250);
        elig_real *env = malloc(T * 32 * sizeof *env), *spk = malloc(T * 32 * sizeof *spk);
        const int chans[4] = {2, 11, 20, 30};
        for (int q = 0; q < 4; q++) {
            int k = chans[q];
            for (int i = 0; i < N; i++) wave[i] = (elig_real)(0.37 * sin(2 * 3.14159265358979 * fc[k] * i / FS));
            ASSERT_OK(elig_audio_envelope(&c, wave, N, env));
            double e[32] = {0};
            for (size_t t = 30; t < T; t++) /* past the filters' onset */
                for (int ch = 0; ch < 32; ch++) e[ch] += env[t * 32 + ch];
            int best = 0;
            for (int ch = 1; ch < 32; ch++)
                if (e[ch] > e[best]) best = ch;
            if (best != k) th_fail(__FILE__, __LINE__, "scale %d: tone at %.1f Hz (channel %d) peaks in channel %d", scale, fc[k], k, best);
            ASSERT_TRUE(e[k] > 1.2 * e[k > 16 ? k - 3 : k + 3]); /* and falls off three channels away */
            /* spikes: the tone's channel fires most */
            ASSERT_OK(elig_audio_encode(&c, wave, N, spk));
            double s[32] = {0};
            for (size_t t = 0; t < T; t++)
                for (int ch = 0; ch < 32; ch++) {
                    ASSERT_TRUE(spk[t * 32 + ch] == 0 || spk[t * 32 + ch] == 1);
                    s[ch] += spk[t * 32 + ch];
                }
            int sb = 0;
            for (int ch = 1; ch < 32; ch++)
                if (s[ch] > s[sb]) sb = ch;
            ASSERT_TRUE(s[k] > 0);
            ASSERT_TRUE(s[k] == s[sb]);
        }
        /* silence: zero envelope, no spikes */
        memset(wave, 0, sizeof wave);
        ASSERT_OK(elig_audio_encode(&c, wave, N, spk));
        for (size_t i = 0; i < T * 32; i++) ASSERT_TRUE(spk[i] == 0);
        free(env);
        free(spk);
    }
}

TEST(audio_fsdd_real_file)
{
    const char *p = data_path("fsdd/recordings/3_jackson_12.wav");
    if (!p) SKIP("fsdd/recordings not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    elig_wav_info wi;
    elig_real *w = NULL;
    ASSERT_OK(elig_wav_read(p, &wi, &w, 0));
    ASSERT_EQ_INT(wi.sample_rate, 8000);
    for (int mode = 0; mode < 2; mode++) {
        elig_audio_cfg c = elig_audio_cfg_default();
        c.spiking = mode;
        size_t T = elig_audio_n_steps(&c, wi.n_frames);
        int U = elig_audio_n_units(&c);
        elig_real *o = malloc(T * (size_t)U * sizeof *o);
        ASSERT_OK(elig_audio_encode(&c, w, wi.n_frames, o));
        double total = 0;
        int active = 0;
        for (int u = 0; u < U; u++) {
            double cs = 0;
            for (size_t t = 0; t < T; t++) cs += o[t * (size_t)U + (size_t)u];
            total += cs;
            active += cs > 0;
        }
        /* a spoken digit: sparse (a few to some tens of Hz per unit) but many channels active */
        double hz = total / U / (T * 1e-3);
        if (!(hz > 2 && hz < 150 && active > U / 2))
            th_fail(__FILE__, __LINE__, "mode %d: %.1f Hz per unit, %d of %d units active", mode, hz, active, U);
        free(o);
    }
    free(w);
}

/* ---------------------------------------------------------------- FSDD -> SHD */

static void write_wav(const char *path, int rate, double freq, int n, double amp)
{
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    uint32_t v = 36 + 2 * (uint32_t)n;
    for (int k = 0; k < 4; k++) h[4 + k] = (unsigned char)(v >> (8 * k));
    memcpy(h + 8, "WAVEfmt \x10\0\0\0\x01\0\x01\0", 16);
    for (int k = 0; k < 4; k++) h[24 + k] = (unsigned char)((uint32_t)rate >> (8 * k));
    for (int k = 0; k < 4; k++) h[28 + k] = (unsigned char)((uint32_t)(2 * rate) >> (8 * k));
    memcpy(h + 32, "\x02\0\x10\0data", 8);
    for (int k = 0; k < 4; k++) h[40 + k] = (unsigned char)((uint32_t)(2 * n) >> (8 * k));
    FILE *f = fopen(path, "wb");
    fwrite(h, 1, 44, f);
    for (int i = 0; i < n; i++) {
        double s = amp * sin(2 * 3.14159265358979 * freq * i / rate) * (i < n / 2 ? (double)i / n : (double)(n - i) / n);
        int16_t q = (int16_t)lrint(s * 32767);
        unsigned char b[2] = {(unsigned char)q, (unsigned char)((uint16_t)q >> 8)};
        fwrite(b, 1, 2, f);
    }
    fclose(f);
}

TEST(fsdd_to_shd_synthetic)
{
    th_tmpdir("enc");
    struct { const char *name; double f; int n; } w[] = {
        {"3_alice_0.wav", 440, 1700}, {"3_alice_7.wav", 523.25, 2385}, {"1_bob_12.wav", 1250, 1300},
        {"1_bob_4.wav", 2000, 2000}, {"0_bob_30.wav", 300, 1900},
    };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) write_wav(th_in_tmpdir(w[i].name), 8000, w[i].f, w[i].n, 0.6);
    write_wav(th_in_tmpdir("x_y_z.wav"), 8000, 440, 100, 0.5); /* not an FSDD name: ignored */
    FILE *f = fopen(th_in_tmpdir("notes.txt"), "w");
    fputs("ignored\n", f);
    fclose(f);
    elig_audio_cfg c = elig_audio_cfg_default();
    c.n_channels = 16;
    char train[600], test[600];
    snprintf(train, sizeof train, "%s/train.h5", th_tmpdir_path());
    snprintf(test, sizeof test, "%s/test.h5", th_tmpdir_path());
    size_t ntr = 0, nte = 0;
    ASSERT_OK(elig_fsdd_to_shd(th_tmpdir_path(), train, test, &c, 32, &ntr, &nte));
    ASSERT_EQ_INT(ntr, 3);
    ASSERT_EQ_INT(nte, 2);
    elig_spike_set s;
    ASSERT_OK(elig_shd_read(train, &s, 0, 0));
    /* sorted by (digit, speaker, take): 0_bob_30, 1_bob_12, 3_alice_7; speakers alice 0, bob 1 */
    const int lab[3] = {0, 1, 3}, spk[3] = {1, 1, 0}, src[3] = {4, 2, 1};
    ASSERT_EQ_INT(s.n_samples, 3);
    ASSERT_EQ_INT(s.n_keys, 10);
    ASSERT_TRUE(!strcmp(s.keys[0], "zero") && !strcmp(s.keys[9], "nine"));
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(s.labels[i], lab[i]);
        ASSERT_EQ_INT(s.speakers[i], spk[i]);
        /* the spikes are exactly the front end's output, at step centres */
        elig_wav_info wi;
        elig_real *x = NULL;
        ASSERT_OK(elig_wav_read(th_in_tmpdir(w[src[i]].name), &wi, &x, 0));
        size_t T = elig_audio_n_steps(&c, wi.n_frames);
        elig_real *d = malloc(T * 16 * sizeof *d), *b = malloc(T * 16 * sizeof *b);
        ASSERT_OK(elig_audio_encode(&c, x, wi.n_frames, d));
        size_t dropped;
        ASSERT_OK(elig_spike_set_bin(&s, (size_t)i, 0.001, (int)T, 16, 0, b, &dropped));
        ASSERT_EQ_INT(dropped, 0);
        double tot = 0;
        for (size_t q = 0; q < T * 16; q++) {
            ASSERT_TRUE(b[q] == d[q]);
            tot += d[q];
        }
        ASSERT_TRUE(tot > 0);
        for (size_t k = s.offset[i]; k < s.offset[i + 1]; k++) {
            double frac = (double)s.times[k] * 1000 - floor((double)s.times[k] * 1000);
            ASSERT_NEAR(frac, 0.5, 1e-3);
        }
        free(d);
        free(b);
        free(x);
    }
    elig_spike_set_free(&s);
    ASSERT_OK(elig_shd_read(test, &s, 0, 0));
    ASSERT_EQ_INT(s.labels[0], 1); /* 1_bob_4 */
    ASSERT_EQ_INT(s.labels[1], 3); /* 3_alice_0 */
    elig_spike_set_free(&s);
    /* float16 times: the same spikes, times rounded */
    ASSERT_OK(elig_fsdd_to_shd(th_tmpdir_path(), train, test, &c, 16, &ntr, &nte));
    ASSERT_OK(elig_shd_read(train, &s, 0, 0));
    ASSERT_EQ_INT(s.n_samples, 3);
    elig_spike_set_free(&s);
    /* a WAV at another rate is refused, naming it */
    write_wav(th_in_tmpdir("5_carol_9.wav"), 16000, 440, 800, 0.5);
    ASSERT_EQ_INT(elig_fsdd_to_shd(th_tmpdir_path(), train, test, &c, 16, NULL, NULL), ELIG_EFORMAT);
    ASSERT_TRUE(strstr(elig_last_error(), "5_carol_9.wav") != NULL);
    ASSERT_EQ_INT(elig_fsdd_to_shd(th_tmpdir_path(), train, test, &c, 12, NULL, NULL), ELIG_EINVAL);
    th_rm_tmpdir();
}

TEST(fsdd_to_shd_real_files)
{
    const char *root = data_path("fsdd/recordings/0_george_0.wav");
    if (!root) SKIP("fsdd/recordings not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    char rec[PATH_MAX];
    if (!realpath(root, rec)) th_fail(__FILE__, __LINE__, "realpath %s: %s", root, strerror(errno));
    *strrchr(rec, '/') = '\0'; /* absolute: the links live in another directory */
    th_tmpdir("enc");
    const char *names[4] = {"0_george_0.wav", "0_george_5.wav", "7_jackson_3.wav", "7_theo_45.wav"};
    for (int i = 0; i < 4; i++) {
        char src[PATH_MAX + 64];
        snprintf(src, sizeof src, "%s/%s", rec, names[i]);
        ASSERT_TRUE(symlink(src, th_in_tmpdir(names[i])) == 0);
    }
    char train[600], test[600];
    snprintf(train, sizeof train, "%s/fsdd_train.h5", th_tmpdir_path());
    snprintf(test, sizeof test, "%s/fsdd_test.h5", th_tmpdir_path());
    elig_audio_cfg c = elig_audio_cfg_default();
    size_t ntr, nte;
    ASSERT_OK(elig_fsdd_to_shd(th_tmpdir_path(), train, test, &c, 16, &ntr, &nte));
    ASSERT_EQ_INT(ntr, 2);
    ASSERT_EQ_INT(nte, 2);
    elig_spike_set s;
    ASSERT_OK(elig_shd_read(test, &s, 0, 0));
    ASSERT_EQ_INT(s.labels[0], 0);
    ASSERT_EQ_INT(s.labels[1], 7);
    ASSERT_EQ_INT(s.speakers[0], 0); /* george < jackson < theo */
    ASSERT_EQ_INT(s.speakers[1], 1);
    ASSERT_TRUE(s.n_spikes > 100);
    ASSERT_TRUE(s.n_units <= 64);
    elig_spike_set_free(&s);
    th_rm_tmpdir();
}

/* ================================================================ Randman */

static elig_randman_cfg small_cfg(void)
{
    elig_randman_cfg c = elig_randman_cfg_default();
    c.nb_classes = 3;
    c.nb_units = 13;
    c.nb_steps = 50;
    c.nb_spikes = 2;
    c.nb_samples = 40;
    c.step_frac = 0.8;
    c.seed = 2385;
    return c;
}

TEST(randman_deterministic_and_exact)
{
    elig_randman_cfg c = small_cfg();
    size_t N = elig_randman_n(&c), row = 2 * 13;
    ASSERT_EQ_INT(N, 120);
    float *a = malloc(N * row * sizeof *a), *b = malloc(N * row * sizeof *b);
    int32_t la[120], lb[120];
    ASSERT_OK(elig_randman_generate(&c, a, la));
    ASSERT_OK(elig_randman_generate(&c, b, lb));
    ASSERT_TRUE(memcmp(a, b, N * row * sizeof *a) == 0 && memcmp(la, lb, sizeof la) == 0);
    int hist[3] = {0};
    for (size_t s = 0; s < N; s++) hist[la[s]]++;
    for (int k = 0; k < 3; k++) ASSERT_EQ_INT(hist[k], 40);
    int shuffled = 0;
    for (size_t s = 1; s < N; s++) shuffled += la[s] != la[s - 1];
    ASSERT_TRUE(shuffled > 10);
    /* min-max per class, sub-manifold and unit: the minimum is exactly 0, the maximum just
     * below nb_steps * step_frac = 40 */
    for (int k = 0; k < 3; k++)
        for (size_t j = 0; j < row; j++) {
            double lo = 1e9, hi = -1;
            for (size_t s = 0; s < N; s++) {
                if (la[s] != k) continue;
                double t = a[s * row + j];
                if (t < lo) lo = t;
                if (t > hi) hi = t;
            }
            ASSERT_TRUE(lo == 0);
            ASSERT_TRUE(hi < 40 && hi > 39.99);
        }
    /* another seed, other data */
    c.seed = 2386;
    ASSERT_OK(elig_randman_generate(&c, b, lb));
    ASSERT_TRUE(memcmp(a, b, N * row * sizeof *a) != 0);
    /* F = min(ceil(prec^(-1/alpha)), 1000): prec 9.8e-4 gives ceil(31.94) = 32 like 1e-3 (the
     * same random stream, the same data); 9.7e-4 gives 33 (one more draw per term: other data) */
    c.seed = 2385;
    c.prec = 9.8e-4;
    ASSERT_OK(elig_randman_generate(&c, b, lb));
    ASSERT_TRUE(memcmp(a, b, N * row * sizeof *a) == 0);
    c.prec = 9.7e-4;
    ASSERT_OK(elig_randman_generate(&c, b, lb));
    ASSERT_TRUE(memcmp(a, b, N * row * sizeof *a) != 0);
    /* dense: every unit of every sample has exactly nb_spikes spikes */
    c = small_cfg();
    elig_real *x = malloc(N * 50 * 13 * sizeof *x);
    ASSERT_OK(elig_randman_dense(&c, a, x));
    for (size_t s = 0; s < N; s++)
        for (int u = 0; u < 13; u++) {
            double cnt = 0;
            for (int t = 0; t < 50; t++) cnt += x[(s * 50 + (size_t)t) * 13 + (size_t)u];
            ASSERT_TRUE(cnt == 2);
            for (int t = 40; t < 50; t++) ASSERT_TRUE(x[(s * 50 + (size_t)t) * 13 + (size_t)u] == 0); /* step_frac 0.8 */
        }
    free(x);
    free(a);
    free(b);
}

/* Classes are different manifolds: leave-one-out 1-nearest-neighbour on the spike times
 * separates them far above chance (1/3). */
TEST(randman_classes_differ)
{
    elig_randman_cfg c = small_cfg();
    size_t N = elig_randman_n(&c), row = 26;
    float *a = malloc(N * row * sizeof *a);
    int32_t l[120];
    ASSERT_OK(elig_randman_generate(&c, a, l));
    int correct = 0;
    for (size_t i = 0; i < N; i++) {
        double best = 1e30;
        int lab = -1;
        for (size_t j = 0; j < N; j++) {
            if (j == i) continue;
            double d = 0;
            for (size_t q = 0; q < row; q++) d += ((double)a[i * row + q] - a[j * row + q]) * ((double)a[i * row + q] - a[j * row + q]);
            if (d < best) best = d, lab = l[j];
        }
        correct += lab == l[i];
    }
    if (correct < (int)(0.8 * (double)N)) th_fail(__FILE__, __LINE__, "1-NN: %d of %zu correct", correct, N);
    free(a);
}

TEST(randman_invalid)
{
    elig_randman_cfg c = small_cfg();
    float t[1];
    int32_t l[1];
    c.step_frac = 1.5;
    ASSERT_EQ_INT(elig_randman_generate(&c, t, l), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "step_frac") != NULL);
    c = small_cfg();
    c.dim_manifold = 65;
    ASSERT_EQ_INT(elig_randman_check(&c), ELIG_EINVAL);
    c = small_cfg();
    c.alpha = 0;
    ASSERT_EQ_INT(elig_randman_check(&c), ELIG_EINVAL);
    c = small_cfg();
    c.nb_units = 0;
    ASSERT_EQ_INT(elig_randman_n(&c), 0);
    c = small_cfg();
    ASSERT_EQ_INT(elig_randman_generate(&c, NULL, l), ELIG_EINVAL);
}

/* ================================================================ Yin-Yang */

TEST(yinyang_class_rule)
{
    struct { double x, y; int c; } p[] = {
        {0.75, 0.5, 2}, {0.25, 0.5, 2}, {0.25, 0.59, 2}, /* the dots */
        {0.5, 0.9, 1},                                   /* upper half, far from the right dot: yin */
        {0.5, 0.1, 0},                                   /* lower half: yang */
        {0.25, 0.35, 1},                                 /* ring around the left dot: yin */
        {0.75, 0.65, 0},                                 /* ring around the right dot: yang */
    };
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        if (elig_yinyang_class(p[i].x, p[i].y, 0.5, 0.1) != p[i].c)
            th_fail(__FILE__, __LINE__, "(%g, %g): class %d, expected %d", p[i].x, p[i].y,
                    elig_yinyang_class(p[i].x, p[i].y, 0.5, 0.1), p[i].c);
}

TEST(yinyang_generator)
{
    enum { N = 3000 };
    elig_real *x = malloc(N * 4 * sizeof *x), *x2 = malloc(N * 4 * sizeof *x2);
    int32_t *l = malloc(N * sizeof *l), *l2 = malloc(N * sizeof *l2);
    ASSERT_OK(elig_yinyang_generate(42, N, 0.5, 0.1, x, l));
    ASSERT_OK(elig_yinyang_generate(42, N, 0.5, 0.1, x2, l2));
    ASSERT_TRUE(memcmp(x, x2, N * 4 * sizeof *x) == 0 && memcmp(l, l2, N * sizeof *l) == 0);
    int hist[3] = {0};
    for (int i = 0; i < N; i++) {
        double px = x[4 * i], py = x[4 * i + 1];
        ASSERT_TRUE((px - 0.5) * (px - 0.5) + (py - 0.5) * (py - 0.5) <= 0.25 + 1e-6);
        ASSERT_NEAR((double)x[4 * i] + x[4 * i + 2], 1.0, TOL(1e-15, 1e-6));
        ASSERT_NEAR((double)x[4 * i + 1] + x[4 * i + 3], 1.0, TOL(1e-15, 1e-6));
        /* the label is the class of the stored point (in float, a point within 1e-7 of a
         * boundary may flip: none are expected among 3000) */
        ASSERT_EQ_INT(l[i], elig_yinyang_class(px, py, 0.5, 0.1));
        hist[l[i]]++;
    }
    for (int k = 0; k < 3; k++) ASSERT_NEAR(hist[k] / (double)N, 1.0 / 3, 0.04); /* 4 sigma is 0.034 */
    ASSERT_OK(elig_yinyang_generate(43, N, 0.5, 0.1, x2, l2));
    ASSERT_TRUE(memcmp(x, x2, N * 4 * sizeof *x) != 0);
    ASSERT_EQ_INT(elig_yinyang_generate(1, 5, 0.5, 0.3, x2, l2), ELIG_EINVAL); /* r_small >= r_big/2 */
    ASSERT_EQ_INT(elig_yinyang_generate(1, 5, 0, 0.1, x2, l2), ELIG_EINVAL);
    free(x);
    free(x2);
    free(l);
    free(l2);
}

TEST(yinyang_published_split)
{
    const char *p = data_path("yinyang/publication_data/train_samples.npy");
    if (!p) SKIP("yinyang/publication_data not under $ELIG_DATADIR, ../shared/data or /work/shared/data");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = '\0';
    const char *split[3] = {"train", "validation", "test"};
    const size_t want[3] = {5000, 1000, 1000};
    for (int s = 0; s < 3; s++) {
        elig_real *x = NULL;
        int32_t *l = NULL;
        size_t n = 0;
        ASSERT_OK(elig_yinyang_load(dir, split[s], &x, &l, &n));
        ASSERT_EQ_INT(n, want[s]);
        int hist[3] = {0}, disagree = 0;
        for (size_t i = 0; i < n; i++) {
            hist[l[i]]++;
            disagree += elig_yinyang_class(x[4 * i], x[4 * i + 1], 0.5, 0.1) != l[i];
        }
        /* the published labels follow the same rule (a float build may flip a boundary point) */
        ASSERT_LE(disagree, TOL(0, 3));
        for (int k = 0; k < 3; k++) ASSERT_NEAR(hist[k] / (double)n, 1.0 / 3, 0.06);
        free(x);
        free(l);
    }
    elig_real *x;
    int32_t *l;
    size_t n;
    ASSERT_EQ_INT(elig_yinyang_load(dir, "dev", &x, &l, &n), ELIG_EINVAL);
}

TEST(yinyang_load_malformed)
{
    th_tmpdir("enc");
    double good[3 * 4] = {0.3, 0.6, 0.7, 0.4, 0.5, 0.5, 0.5, 0.5, 0.9, 0.45, 0.1, 0.55};
    double lab[3] = {0, 2, 1};
    int64_t s34[2] = {3, 4}, s33[2] = {4, 3}, s3[1] = {3}, s2[1] = {2};
    elig_real *x;
    int32_t *l;
    size_t n;
    ASSERT_EQ_INT(elig_yinyang_load(th_tmpdir_path(), "test", &x, &l, &n), ELIG_EIO); /* no files */
    ASSERT_OK(elig_npy_write_f64(th_in_tmpdir("test_samples.npy"), good, 2, s34));
    ASSERT_OK(elig_npy_write_f64(th_in_tmpdir("test_labels.npy"), lab, 1, s3));
    ASSERT_OK(elig_yinyang_load(th_tmpdir_path(), "test", &x, &l, &n));
    ASSERT_EQ_INT(n, 3);
    ASSERT_EQ_INT(l[1], 2);
    free(x);
    free(l);
    struct { const char *what; int step; const char *needle; } cases[] = {
        {"shape (4, 3)", 0, "(N, 4)"}, {"3 labels for 2", 1, "like the samples"}, {"label 3", 2, "label 2 = 3"},
        {"1-x wrong", 3, "(x, y, 1-x, 1-y)"}, {"feature > 1", 4, "outside [0, 1]"}, {"label 0.5", 5, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        double g2[12], l2[3];
        memcpy(g2, good, sizeof g2);
        memcpy(l2, lab, sizeof l2);
        const int64_t *ss = s34, *ls = s3;
        if (cases[k].step == 0) ss = s33;
        if (cases[k].step == 1) ls = s2;
        if (cases[k].step == 2) l2[2] = 3;
        if (cases[k].step == 3) g2[6] = 0.6;
        if (cases[k].step == 4) { g2[8] = 1.5; g2[10] = -0.5; }
        if (cases[k].step == 5) l2[0] = 0.5;
        ASSERT_OK(elig_npy_write_f64(th_in_tmpdir("test_samples.npy"), g2, 2, ss));
        ASSERT_OK(elig_npy_write_f64(th_in_tmpdir("test_labels.npy"), l2, 1, ls));
        x = (elig_real *)1;
        int rc = elig_yinyang_load(th_tmpdir_path(), "test", &x, &l, &n);
        if (rc != ELIG_EFORMAT || (cases[k].needle && !strstr(elig_last_error(), cases[k].needle)))
            th_fail(__FILE__, __LINE__, "%s: got %s (%s)", cases[k].what, elig_status_name(rc), elig_last_error());
        ASSERT_TRUE(x == NULL && n == 0);
    }
    th_rm_tmpdir();
}
