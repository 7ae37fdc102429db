/* dataset.c -- [task] kind = dataset: load a classification data set named by [data] and
 * encode it as dense spike rasters x (N, T, n_in) with labels (N) and a train / validation /
 * test split.
 *
 *   yinyang  published split (5000 / 1000 / 1000) from .../yinyang/publication_data. Inputs:
 *            the four features (x, y, 1-x, 1-y), each one spike at step round(v * t_max * T)
 *            (linear time-to-first-spike), plus a bias input spiking at step 0: n_in = 5.
 *   randman  generated (elig_randman_generate, [data] dim classes units spikes samples seed),
 *            dense raster; seeded split by val_frac / test_frac.
 *   braille  .../braille/taxels.npy (1350, 77, 12) + labels.npy: sigma-delta ON/OFF coding
 *            with threshold theta on the 12 taxels -> 24 inputs (the zero padding past
 *            lengths.npy repeats the last sample); each sample held for `repeat` steps (its
 *            spikes on the first); seeded split.
 *   npy      path = inputs (N, T, n_in), labels = (N,), n_classes; seeded split.
 *   fsdd, shd, nmnist, fashion_mnist: not implemented yet (a clear error).
 */
#include "cli_data.h"

#include "elig_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_dataset_free(cli_dataset *d)
{
    if (!d) return;
    free(d->x);
    free(d->labels);
    free(d->idx);
    memset(d, 0, sizeof *d);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Default location of a source's files: ../shared/data/<sub> relative to the working
 * directory, else relative to the config's directory and its parent. */
static int default_path(const cli_config *c, const char *sub, char *out, size_t n)
{
    char cwd[CLI_PATH];
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
    const char *dirs[3] = {cwd, c->dir, c->dir};
    const char *pre[3] = {"..", "..", "../.."};
    for (int i = 0; i < 3; i++) {
        if (!dirs[i][0] && i > 0) continue;
        int w;
        if (i > 0 && dirs[i][0] != '/') w = snprintf(out, n, "%s/%s/%s/shared/data/%s", cwd, dirs[i], pre[i], sub);
        else w = snprintf(out, n, "%s/%s/shared/data/%s", dirs[i], pre[i], sub);
        if (w > 0 && (size_t)w < n && exists(out)) return 0;
    }
    snprintf(out, n, "../shared/data/%s", sub);
    return -1;
}

static void shuffle_idx(int32_t *a, int n, elig_rng *r)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(elig_rng_u64(r) % (uint64_t)(i + 1));
        int32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* Seeded split of all N samples: shuffled, then test, validation, train. */
static int seeded_split(cli_dataset *d, const cli_data_cfg *dc)
{
    d->idx = malloc((size_t)d->n * sizeof *d->idx);
    if (!d->idx) return cli_fail(CLI_ERUN, "out of memory");
    for (int i = 0; i < d->n; i++) d->idx[i] = i;
    elig_rng r;
    elig_rng_seed(&r, dc->seed ^ 0x5eedULL);
    shuffle_idx(d->idx, d->n, &r);
    int nt = (int)lround(dc->test_frac * d->n), nv = (int)lround(dc->val_frac * d->n);
    if (nt < 1 || d->n - nt - nv < 1) return cli_fail(CLI_EUSAGE, "[data] split of %d samples leaves an empty part", d->n);
    d->test = d->idx;
    d->n_test = nt;
    d->val = d->idx + nt;
    d->n_val = nv;
    d->train = d->idx + nt + nv;
    d->n_train = d->n - nt - nv;
    return CLI_OK;
}

static int load_yinyang(const cli_config *c, const char *dir, cli_dataset *d)
{
    static const char *const split[3] = {"train", "validation", "test"};
    elig_real *f[3] = {NULL, NULL, NULL};
    int32_t *l[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0};
    int rc = CLI_OK;
    for (int s = 0; s < 3 && !rc; s++) {
        int st = elig_yinyang_load(dir, split[s], &f[s], &l[s], &n[s]);
        if (st) rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, "[data] source = yinyang");
    }
    if (!rc) {
        const int T = c->data.steps ? c->data.steps : 100, n_in = 5;
        d->n = (int)(n[0] + n[1] + n[2]);
        d->T = T;
        d->n_in = n_in;
        d->n_classes = 3;
        d->x = cli_array(sizeof(elig_real), 3, (size_t)d->n, (size_t)T, (size_t)n_in);
        d->labels = malloc((size_t)d->n * sizeof(int32_t));
        d->idx = malloc((size_t)d->n * sizeof(int32_t));
        if (!d->x || !d->labels || !d->idx) rc = cli_fail(CLI_ERUN, "out of memory for the Yin-Yang data");
        for (int s = 0, k = 0; s < 3 && !rc; s++)
            for (size_t i = 0; i < n[s]; i++, k++) {
                elig_real *x = d->x + (size_t)k * T * n_in;
                for (int j = 0; j < 4; j++) {
                    double v = f[s][i * 4 + j];
                    int t = (int)lround(v * c->data.t_max * (T - 1));
                    if (t < 0) t = 0;
                    if (t >= T) t = T - 1;
                    x[(size_t)t * n_in + j] = 1;
                }
                x[4] = 1; /* bias spike at step 0 */
                d->labels[k] = l[s][i];
                d->idx[k] = k;
            }
        if (!rc) {
            d->train = d->idx;
            d->n_train = (int)n[0];
            d->val = d->idx + n[0];
            d->n_val = (int)n[1];
            d->test = d->idx + n[0] + n[1];
            d->n_test = (int)n[2];
        }
    }
    for (int s = 0; s < 3; s++) {
        free(f[s]);
        free(l[s]);
    }
    return rc;
}

static int load_randman(const cli_config *c, cli_dataset *d)
{
    elig_randman_cfg rc_ = elig_randman_cfg_default();
    rc_.dim_manifold = c->data.rm_dim;
    rc_.nb_classes = c->data.rm_classes;
    rc_.nb_units = c->data.rm_units;
    rc_.nb_spikes = c->data.rm_spikes;
    rc_.nb_samples = c->data.rm_samples;
    if (c->data.steps) rc_.nb_steps = c->data.steps;
    rc_.seed = c->data.seed;
    int st = elig_randman_check(&rc_);
    if (st) return cli_lib_fail(st, "[data] source = randman");
    size_t N = elig_randman_n(&rc_);
    if (N > (1u << 24)) return cli_fail(CLI_EUSAGE, "[data] randman: too many samples (%zu)", N);
    float *times = cli_array(sizeof(float), 3, N, (size_t)rc_.nb_spikes, (size_t)rc_.nb_units);
    d->n = (int)N;
    d->T = rc_.nb_steps;
    d->n_in = rc_.nb_units;
    d->n_classes = rc_.nb_classes;
    d->x = cli_array(sizeof(elig_real), 3, N, (size_t)d->T, (size_t)d->n_in);
    d->labels = malloc(N * sizeof(int32_t));
    if (!times || !d->x || !d->labels) {
        free(times);
        return cli_fail(CLI_ERUN, "out of memory for the Randman data");
    }
    st = elig_randman_generate(&rc_, times, d->labels);
    if (!st) st = elig_randman_dense(&rc_, times, d->x);
    free(times);
    if (st) return cli_lib_fail(st, "[data] source = randman");
    return seeded_split(d, &c->data);
}

static int load_braille(const cli_config *c, const char *dir, cli_dataset *d)
{
    char p[CLI_PATH + 32];
    elig_npy_info xi, li;
    elig_real *tax = NULL;
    int32_t *lab = NULL;
    int st, rc = CLI_OK;
    snprintf(p, sizeof p, "%s/taxels.npy", dir);
    if ((st = elig_npy_read_real(p, &xi, &tax, 0))) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p);
    snprintf(p, sizeof p, "%s/labels.npy", dir);
    if ((st = elig_npy_read_i32(p, &li, &lab, 0))) {
        free(tax);
        return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p);
    }
    if (xi.ndim != 3 || li.ndim != 1 || li.shape[0] != xi.shape[0]) {
        rc = cli_fail(CLI_ERUN, "[data] braille: expected taxels (N, T, 12) and labels (N,)");
        goto done;
    }
    const int N = (int)xi.shape[0], T0 = (int)xi.shape[1], nt = (int)xi.shape[2], R = c->data.repeat;
    /* Trials are zero-padded to T0 samples; lengths.npy (when present) gives the true length:
     * the padding repeats the last real sample so that it adds no OFF spikes. */
    {
        elig_npy_info ni;
        int32_t *len = NULL;
        snprintf(p, sizeof p, "%s/lengths.npy", dir);
        if (elig_npy_read_i32(p, &ni, &len, 0) == ELIG_OK && ni.ndim == 1 && ni.shape[0] == N) {
            for (int i = 0; i < N; i++) {
                int l = len[i];
                if (l < 1 || l >= T0) continue;
                elig_real *s0 = tax + (size_t)i * T0 * nt;
                for (int t = l; t < T0; t++) memcpy(s0 + (size_t)t * nt, s0 + (size_t)(l - 1) * nt, (size_t)nt * sizeof *s0);
            }
        }
        free(len);
    }
    d->n = N;
    d->T = T0 * R;
    d->n_in = 2 * nt;
    d->n_classes = 0;
    for (int i = 0; i < N; i++)
        if (lab[i] + 1 > d->n_classes) d->n_classes = lab[i] + 1;
    d->x = cli_array(sizeof(elig_real), 3, (size_t)N, (size_t)d->T, (size_t)d->n_in);
    d->labels = lab;
    lab = NULL;
    elig_real *tmp = cli_array(sizeof(elig_real), 2, (size_t)T0, (size_t)d->n_in);
    if (!d->x || !tmp) {
        free(tmp);
        rc = cli_fail(CLI_ERUN, "out of memory for the Braille data");
        goto done;
    }
    for (int i = 0; i < N && !rc; i++) {
        st = elig_encode_sigma_delta(tax + (size_t)i * T0 * nt, T0, nt, c->data.theta, tmp);
        if (st) {
            rc = cli_lib_fail(st, "[data] braille sigma-delta");
            break;
        }
        elig_real *x = d->x + (size_t)i * d->T * d->n_in;
        for (int t = 0; t < T0; t++)
            memcpy(x + (size_t)t * R * d->n_in, tmp + (size_t)t * d->n_in, (size_t)d->n_in * sizeof *x);
    }
    free(tmp);
    if (!rc) rc = seeded_split(d, &c->data);
done:
    free(tax);
    free(lab);
    return rc;
}

/* FSDD: {digit}_{speaker}_{take}.wav; takes 0-4 are the test split, the rest train, of which
 * val_frac (seeded) is held out for validation. */
static int load_fsdd(const cli_config *c, const char *dir, cli_dataset *d)
{
    DIR *dh = opendir(dir);
    if (!dh) return cli_fail(CLI_ERUN, "[data] fsdd: cannot open directory %s", dir);
    elig_audio_cfg ac = elig_audio_cfg_default();
    ac.n_channels = c->data.channels;
    ac.dt = c->data.bin_ms;
    int st = elig_audio_check(&ac);
    if (st) {
        closedir(dh);
        return cli_lib_fail(st, "[data] fsdd audio front end");
    }
    const int T = c->data.steps ? c->data.steps : 100, U = elig_audio_n_units(&ac);
    int cap = 4096, n = 0, rc = CLI_OK;
    int32_t *take = malloc((size_t)cap * sizeof *take);
    int64_t *key = malloc((size_t)cap * sizeof *key);
    d->labels = malloc((size_t)cap * sizeof *d->labels);
    d->x = cli_array(sizeof(elig_real), 3, (size_t)cap, (size_t)T, (size_t)U);
    d->T = T;
    d->n_in = U;
    d->n_classes = 10;
    if (!take || !key || !d->labels || !d->x) rc = cli_fail(CLI_ERUN, "out of memory for the FSDD data");
    struct dirent *de;
    char p[CLI_PATH + 300];
    while (!rc && (de = readdir(dh))) {
        int dig, tk;
        char spk[64];
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".wav")) continue;
        if (sscanf(de->d_name, "%d_%63[^_]_%d.wav", &dig, spk, &tk) != 3 || dig < 0 || dig > 9) continue;
        if (n == cap) {
            rc = cli_fail(CLI_ERUN, "[data] fsdd: more than %d files in %s", cap, dir);
            break;
        }
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        elig_wav_info wi;
        elig_real *wave = NULL;
        if ((st = elig_wav_read(p, &wi, &wave, 0))) {
            rc = cli_lib_fail(st, p);
            break;
        }
        ac.sample_rate = wi.sample_rate;
        size_t ns = elig_audio_n_steps(&ac, wi.n_frames);
        elig_real *sp = cli_array(sizeof(elig_real), 2, ns ? ns : 1, (size_t)U);
        if (!sp) rc = cli_fail(CLI_ERUN, "out of memory");
        else if ((st = elig_audio_encode(&ac, wave, wi.n_frames, sp))) rc = cli_lib_fail(st, p);
        if (!rc) {
            size_t keep = ns < (size_t)T ? ns : (size_t)T;
            memcpy(d->x + (size_t)n * T * U, sp, keep * U * sizeof *sp);
            d->labels[n] = dig;
            unsigned h = 0;
            for (const char *q = spk; *q; q++) h = h * 31u + (unsigned char)*q;
            take[n] = tk;
            key[n] = (int64_t)dig * 100000000 + (int64_t)tk * 100000 + (int64_t)(h % 100000u);
            n++;
        }
        free(sp);
        free(wave);
    }
    closedir(dh);
    if (!rc && n == 0) rc = cli_fail(CLI_ERUN, "[data] fsdd: no {digit}_{speaker}_{take}.wav files in %s", dir);
    if (!rc) {
        d->n = n;
        d->idx = malloc((size_t)n * sizeof *d->idx);
        if (!d->idx) rc = cli_fail(CLI_ERUN, "out of memory");
    }
    if (!rc) {
        /* test: takes 0-4; each part sorted by (digit, take, speaker) so that the order
         * readdir returns does not matter, then shuffled with the data seed */
        int nt = 0;
        for (int i = 0; i < n; i++)
            if (take[i] <= 4) d->idx[nt++] = i;
        int k = nt;
        for (int i = 0; i < n; i++)
            if (take[i] > 4) d->idx[k++] = i;
        for (int part = 0; part < 2; part++) {
            int a = part ? nt : 0, b = part ? n : nt;
            for (int i = a + 1; i < b; i++) {
                int32_t v = d->idx[i];
                int j = i;
                while (j > a && key[d->idx[j - 1]] > key[v])
                    d->idx[j] = d->idx[j - 1], j--;
                d->idx[j] = v;
            }
        }
        elig_rng r;
        elig_rng_seed(&r, c->data.seed ^ 0x5eedULL);
        shuffle_idx(d->idx + nt, n - nt, &r);
        shuffle_idx(d->idx, nt, &r);
        int nv = (int)lround(c->data.val_frac * (n - nt));
        d->test = d->idx;
        d->n_test = nt;
        d->val = d->idx + nt;
        d->n_val = nv;
        d->train = d->idx + nt + nv;
        d->n_train = n - nt - nv;
    }
    free(take);
    free(key);
    return rc;
}

static int load_npy(const cli_config *c, cli_dataset *d)
{
    elig_npy_info xi, li;
    int st;
    if (!c->data.path[0] || !c->data.labels[0] || c->data.n_classes < 2)
        return cli_fail(CLI_EUSAGE, "[data] source = npy needs path = inputs.npy (N, T, n_in), labels = labels.npy (N,) and n_classes >= 2");
    if ((st = elig_npy_read_real(c->data.path, &xi, &d->x, 0))) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, c->data.path);
    if ((st = elig_npy_read_i32(c->data.labels, &li, &d->labels, 0))) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, c->data.labels);
    if (xi.ndim != 3 || li.ndim != 1 || li.shape[0] != xi.shape[0] || xi.shape[0] > (1 << 24))
        return cli_fail(CLI_EUSAGE, "[data] npy: expected inputs (N, T, n_in) and labels (N,)");
    d->n = (int)xi.shape[0];
    d->T = (int)xi.shape[1];
    d->n_in = (int)xi.shape[2];
    d->n_classes = c->data.n_classes;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] < 0 || d->labels[i] >= d->n_classes)
            return cli_fail(CLI_EUSAGE, "[data] npy: label %d of sample %d is outside [0, %d)", d->labels[i], i, d->n_classes);
    return seeded_split(d, &c->data);
}

int cli_dataset_load(const cli_config *c, cli_dataset *d)
{
    memset(d, 0, sizeof *d);
    char dir[CLI_PATH];
    const cli_data_cfg *dc = &c->data;
    int rc;
    switch (dc->source) {
    case CLI_SRC_YINYANG:
        if (dc->path[0]) cli_copy(dir, sizeof dir, dc->path);
        else default_path(c, "yinyang/publication_data", dir, sizeof dir);
        rc = load_yinyang(c, dir, d);
        break;
    case CLI_SRC_RANDMAN: rc = load_randman(c, d); break;
    case CLI_SRC_BRAILLE:
        if (dc->path[0]) cli_copy(dir, sizeof dir, dc->path);
        else default_path(c, "braille", dir, sizeof dir);
        rc = load_braille(c, dir, d);
        break;
    case CLI_SRC_NPY: rc = load_npy(c, d); break;
    case CLI_SRC_FSDD:
        if (dc->path[0]) cli_copy(dir, sizeof dir, dc->path);
        else default_path(c, "fsdd/recordings", dir, sizeof dir);
        rc = load_fsdd(c, dir, d);
        break;
    default:
        return cli_fail(CLI_EUSAGE, "[data] source: shd, nmnist and fashion_mnist are not implemented in the CLI yet "
                                    "(use source = npy with arrays written by the data library)");
    }
    if (rc) return rc;
    if (dc->max_train && d->n_train > dc->max_train) d->n_train = dc->max_train;
    if (dc->max_eval && d->n_val > dc->max_eval) d->n_val = dc->max_eval;
    if (dc->max_eval && d->n_test > dc->max_eval) d->n_test = dc->max_eval;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] < 0 || d->labels[i] >= d->n_classes)
            return cli_fail(CLI_ERUN, "[data] label %d of sample %d is outside [0, %d)", d->labels[i], i, d->n_classes);
    return CLI_OK;
}

void cli_dataset_shuffle(int32_t *a, int n, elig_rng *r)
{
    shuffle_idx(a, n, r);
}
