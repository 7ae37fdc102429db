/* dataset.c -- [task] kind = dataset: load a classification data set named by [data], encode
 * it as spike sequences (T, n_in) stored as events (cli_data.h), with labels (N) and a train /
 * validation / test split; and write an encoded set in the SHD layout (elig data --shd).
 * Loaders that build a dense raster leave it in d->x; cli_dataset_load turns it into events.
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
 *   fsdd     {digit}_{speaker}_{take}.wav through the audio front end; takes 0-4 are the test
 *            split.
 *   fashion_mnist, shd, nmnist: IDX + TTFS, SHD/SSC HDF5 binned, N-MNIST .bin trees binned;
 *            events built directly (their loaders, below; docs/data.md has the table).
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
    free(d->off);
    free(d->ev);
    free(d->val);
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

/* [data] path, else the source's folder under ../shared/data. */
static void source_dir(const cli_config *c, const char *sub, char *dir, size_t n)
{
    if (c->data.path[0]) cli_copy(dir, n, c->data.path);
    else default_path(c, sub, dir, n);
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
    d->val_idx = d->idx + nt;
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
            d->val_idx = d->idx + n[0];
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
    ac.dt = c->data.bin_ms > 0 ? c->data.bin_ms : 10;
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
        d->val_idx = d->idx + nt;
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

/* ------------------------------------------------------------------ sparse storage */

/* Room for N samples: offsets and labels; events grow on demand. */
static int reserve(cli_dataset *d, int N)
{
    d->off = cli_array(sizeof(size_t), 1, (size_t)N + 1);
    if (!d->labels) d->labels = cli_array(sizeof(int32_t), 1, (size_t)(N ? N : 1));
    if (!d->off || !d->labels) return cli_fail(CLI_ERUN, "out of memory for %d samples", N);
    d->n = 0;
    return CLI_OK;
}

static int grow(cli_dataset *d, size_t need)
{
    if (need <= d->cap) return CLI_OK;
    size_t cap = d->cap ? d->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof(elig_real)) return cli_fail(CLI_ERUN, "data set too large (%zu events)", need);
        cap *= 2;
    }
    int32_t *ev = realloc(d->ev, cap * sizeof *ev);
    if (!ev) return cli_fail(CLI_ERUN, "out of memory for %zu input events", cap);
    d->ev = ev;
    if (d->val) {
        elig_real *v = realloc(d->val, cap * sizeof *v);
        if (!v) return cli_fail(CLI_ERUN, "out of memory for %zu input events", cap);
        d->val = v;
    }
    d->cap = cap;
    return CLI_OK;
}

/* Append sample d->n from n sorted, distinct flat indices (values val, NULL = 1). */
static int append_events(cli_dataset *d, const int32_t *ev, const elig_real *val, size_t n, int32_t lab)
{
    const size_t base = d->off[d->n];
    int rc = grow(d, base + n);
    if (rc) return rc;
    if (val && !d->val) {
        /* first non-binary sample: every earlier value was 1 */
        d->val = malloc(d->cap * sizeof *d->val);
        if (!d->val) return cli_fail(CLI_ERUN, "out of memory for %zu input values", d->cap);
        for (size_t k = 0; k < base; k++) d->val[k] = 1;
    }
    memcpy(d->ev + base, ev, n * sizeof *ev);
    if (d->val)
        for (size_t k = 0; k < n; k++) d->val[base + k] = val ? val[k] : 1;
    d->labels[d->n] = lab;
    d->off[++d->n] = base + n;
    return CLI_OK;
}

int cli_dataset_append(cli_dataset *d, const elig_real *x, int32_t lab)
{
    const size_t m = (size_t)d->T * d->n_in;
    size_t nz = 0;
    int binary = 1;
    for (size_t k = 0; k < m; k++)
        if (x[k] != 0) {
            nz++;
            binary &= x[k] == 1;
        }
    int rc = grow(d, d->off[d->n] + nz);
    if (rc) return rc;
    /* build in place at the end of the event store, values in a scratch of the same size */
    int32_t *ev = d->ev + d->off[d->n];
    elig_real *val = NULL;
    if (!binary && !(val = malloc((nz ? nz : 1) * sizeof *val))) return cli_fail(CLI_ERUN, "out of memory");
    size_t j = 0;
    for (size_t k = 0; k < m; k++)
        if (x[k] != 0) {
            ev[j] = (int32_t)k;
            if (val) val[j] = x[k];
            j++;
        }
    rc = append_events(d, ev, val, nz, lab);
    free(val);
    return rc;
}

void cli_dataset_step(const cli_dataset *d, const int32_t *idx, int B, int t, size_t *cur, elig_real *xt)
{
    const int n_in = d->n_in;
    const int32_t lo = (int32_t)t * n_in, hi = lo + n_in;
    memset(xt, 0, (size_t)B * n_in * sizeof *xt);
    for (int b = 0; b < B; b++) {
        const int i = idx[b];
        size_t k = t == 0 ? d->off[i] : cur[b];
        const size_t e = d->off[i + 1];
        while (k < e && d->ev[k] < lo) k++;
        elig_real *x = xt + (size_t)b * n_in - lo;
        if (d->val)
            for (; k < e && d->ev[k] < hi; k++) x[d->ev[k]] = d->val[k];
        else
            for (; k < e && d->ev[k] < hi; k++) x[d->ev[k]] = 1;
        cur[b] = k;
    }
}

size_t cli_dataset_bytes(const cli_dataset *d)
{
    size_t ne = d->n ? d->off[d->n] : 0;
    return ne * (sizeof *d->ev + (d->val ? sizeof *d->val : 0)) + ((size_t)d->n + 1) * sizeof *d->off +
           (size_t)d->n * 2 * sizeof(int32_t);
}

/* The dense raster a loader left in d->x (d->n samples) as events. */
static int events_from_dense(cli_dataset *d)
{
    const int N = d->n;
    int32_t *lab = d->labels;
    d->labels = NULL;
    int rc = reserve(d, N);
    if (!rc) memcpy(d->labels, lab, (size_t)N * sizeof *lab);
    free(lab);
    for (int i = 0; i < N && !rc; i++) rc = cli_dataset_append(d, d->x + (size_t)i * d->T * d->n_in, d->labels[i]);
    free(d->x);
    d->x = NULL;
    return rc;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sort flat indices and drop repeats (several events of one unit in one step count once). */
static size_t sort_unique(int32_t *ev, size_t n)
{
    if (n < 2) return n;
    qsort(ev, n, sizeof *ev, cmp_i32);
    size_t j = 1;
    for (size_t k = 1; k < n; k++)
        if (ev[k] != ev[j - 1]) ev[j++] = ev[k];
    return j;
}

/* ------------------------------------------------------------------ images: IDX + TTFS */

/* Open DIR/NAME.gz, else DIR/NAME (MNIST mirrors ship both ways). */
static void idx_path(const char *dir, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s.gz", dir, name);
    if (!exists(out)) snprintf(out, n, "%s/%s", dir, name);
}

/* Fashion-MNIST (or MNIST: the same file names) in DIR: train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-...; pixels / 255 then TTFS (thr, tau_eff, steps).
 * Published test split; validation = val_frac of the training images (seeded). */
static const char *const fashion_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

static int load_images(const cli_config *c, const char *dir, cli_dataset *d)
{
    static const char *const img[2] = {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"};
    static const char *const lbl[2] = {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"};
    const int T = c->data.steps ? c->data.steps : 100;
    char p[CLI_PATH + 64];
    size_t count[2] = {0, 0};
    int rc = CLI_OK, st;
    int32_t *ev = NULL, *tt = NULL;
    size_t *cnt = NULL;
    for (int s = 0; s < 2 && !rc; s++) {
        elig_idx_info ii, li;
        elig_real *x = NULL;
        int32_t *l = NULL;
        idx_path(dir, img[s], p, sizeof p);
        if ((st = elig_idx_read_real(p, &ii, &x, 0, 1.0 / 255))) {
            rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p);
            break;
        }
        idx_path(dir, lbl[s], p, sizeof p);
        if ((st = elig_idx_read_i32(p, &li, &l, 0))) rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p);
        else if (ii.ndim != 3 || li.ndim != 1 || li.shape[0] != ii.shape[0] || ii.shape[0] == 0)
            rc = cli_fail(CLI_ERUN, "[data] %s: expected images (N, rows, cols) and labels (N,)", dir);
        else if (ii.shape[1] * ii.shape[2] > 65536 || (double)T * ii.shape[1] * ii.shape[2] > 2e9)
            rc = cli_fail(CLI_EUSAGE, "[data] %s: %lld x %lld images over %d steps are too large", dir, (long long)ii.shape[1], (long long)ii.shape[2], T);
        const int n_in = rc ? 0 : (int)(ii.shape[1] * ii.shape[2]);
        if (!rc && s == 1 && n_in != d->n_in) rc = cli_fail(CLI_ERUN, "[data] %s: test images differ in size from the training images", dir);
        if (!rc && s == 0) {
            /* the test labels tell the total; read their header first */
            elig_idx_info ti;
            int32_t *tl = NULL;
            char q[CLI_PATH + 64];
            idx_path(dir, lbl[1], q, sizeof q);
            if ((st = elig_idx_read_i32(q, &ti, &tl, 0))) rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, q);
            free(tl);
            if (!rc && ii.shape[0] + ti.count > (1u << 24)) rc = cli_fail(CLI_EUSAGE, "[data] %s: too many images", dir);
            if (!rc) {
                d->T = T;
                d->n_in = n_in;
                d->n_classes = 10;
                rc = reserve(d, (int)(ii.shape[0] + ti.count));
            }
            if (!rc) {
                ev = malloc((size_t)n_in * sizeof *ev);
                tt = malloc((size_t)n_in * sizeof *tt);
                cnt = malloc(((size_t)T + 1) * sizeof *cnt);
                if (!ev || !tt || !cnt) rc = cli_fail(CLI_ERUN, "out of memory");
            }
        }
        for (size_t i = 0; !rc && i < (size_t)ii.shape[0]; i++) {
            if (l[i] < 0 || l[i] > 9) {
                rc = cli_fail(CLI_ERUN, "[data] %s: label %d of image %zu is outside 0..9", p, l[i], i);
                break;
            }
            /* one spike per pixel at most: a counting sort by step keeps units in order */
            size_t m = 0;
            memset(cnt, 0, ((size_t)T + 1) * sizeof *cnt);
            for (int u = 0; u < n_in; u++) {
                int t = elig_ttfs_step(x[i * n_in + u], c->data.thr, c->data.tau_eff, T);
                tt[u] = t;
                if (t >= 0) cnt[t + 1]++, m++;
            }
            for (int t = 0; t < T; t++) cnt[t + 1] += cnt[t];
            for (int u = 0; u < n_in; u++)
                if (tt[u] >= 0) ev[cnt[tt[u]]++] = (int32_t)tt[u] * n_in + u;
            rc = append_events(d, ev, NULL, m, l[i]);
        }
        count[s] = ii.shape[0];
        free(x);
        free(l);
    }
    free(ev);
    free(tt);
    free(cnt);
    if (rc) return rc;
    const int ntr = (int)count[0], nte = (int)count[1];
    if (!(d->idx = malloc((size_t)d->n * sizeof *d->idx))) return cli_fail(CLI_ERUN, "out of memory");
    for (int i = 0; i < d->n; i++) d->idx[i] = i;
    elig_rng r;
    elig_rng_seed(&r, c->data.seed ^ 0x5eedULL);
    shuffle_idx(d->idx, ntr, &r);
    const int nv = (int)lround(c->data.val_frac * ntr);
    if (ntr - nv < 1) return cli_fail(CLI_EUSAGE, "[data] val_frac = %g leaves no training images", c->data.val_frac);
    d->val_idx = d->idx;
    d->n_val = nv;
    d->train = d->idx + nv;
    d->n_train = ntr - nv;
    d->test = d->idx + ntr;
    d->n_test = nte;
    if (c->data.source == CLI_SRC_FASHION) d->class_names = fashion_names;
    return CLI_OK;
}

/* ------------------------------------------------------------------ SHD / SSC (HDF5) */

/* Bin the spikes of every sample of s into steps of dt_s seconds (at most one spike per unit
 * and step) and append them. */
static int append_spike_set(cli_dataset *d, const elig_spike_set *s, double dt_s, int32_t **buf, size_t *cap)
{
    for (size_t i = 0; i < s->n_samples; i++) {
        const size_t a = s->offset[i], b = s->offset[i + 1];
        if (b - a > *cap) {
            free(*buf);
            *cap = b - a;
            if (!(*buf = malloc(*cap * sizeof **buf))) return cli_fail(CLI_ERUN, "out of memory");
        }
        size_t m = 0;
        for (size_t k = a; k < b; k++) {
            double st = floor((double)s->times[k] / dt_s);
            if (st >= d->T || s->units[k] >= d->n_in) continue;
            (*buf)[m++] = (int32_t)st * d->n_in + s->units[k];
        }
        m = sort_unique(*buf, m);
        int rc = append_events(d, *buf, NULL, m, s->labels[i]);
        if (rc) return rc;
    }
    return CLI_OK;
}

/* DIR/shd_{train,test}.h5 (SHD, 20 classes) or DIR/ssc_{train,valid,test}.h5 (SSC, 35):
 * spike times binned in steps of bin_ms (default 14 ms: 1.4 s in 100 steps, spytorch's
 * Tutorial 4), 700 units (or [data] n_units). Validation: DIR/<prefix>_valid.h5 (SSC's, or
 * one cli_dataset_write_shd wrote), else val_frac of the training set. */
static int load_shd(const cli_config *c, const char *dir, cli_dataset *d)
{
    char p[3][CLI_PATH + 32];
    const char *pre = "shd";
    snprintf(p[0], sizeof p[0], "%s/shd_train.h5", dir);
    if (!exists(p[0])) {
        snprintf(p[0], sizeof p[0], "%s/ssc_train.h5", dir);
        if (exists(p[0])) pre = "ssc";
        else return cli_fail(CLI_ERUN, "[data] shd: neither %s/shd_train.h5 nor %s/ssc_train.h5 exists (unpack the .h5.gz files there)", dir, dir);
    }
    snprintf(p[1], sizeof p[1], "%s/%s_test.h5", dir, pre);
    snprintf(p[2], sizeof p[2], "%s/%s_valid.h5", dir, pre);
    const int has_valid = exists(p[2]);
    elig_spike_set s[3];
    memset(s, 0, sizeof s);
    int rc = CLI_OK, st;
    for (int k = 0; k < 2 + has_valid && !rc; k++)
        if ((st = elig_shd_read(p[k], &s[k], 0, 0))) rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p[k]);
    if (!rc) {
        size_t N = s[0].n_samples + s[1].n_samples + s[2].n_samples;
        int K = 0;
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < s[k].n_samples; i++)
                if (s[k].labels[i] + 1 > K) K = s[k].labels[i] + 1;
        const double bin = c->data.bin_ms > 0 ? c->data.bin_ms : 14;
        d->T = c->data.steps ? c->data.steps : 100;
        /* n_units: the data set's input count (an exported set names it); else SHD's 700 */
        d->n_in = c->data.n_units > 0 ? c->data.n_units : 700;
        for (int k = 0; k < 3 && !rc; k++)
            if (s[k].n_units > d->n_in)
                rc = c->data.n_units > 0 ? cli_fail(CLI_EUSAGE, "[data] n_units = %d, but %s has unit ids up to %d", c->data.n_units, p[k], s[k].n_units - 1)
                                         : (d->n_in = s[k].n_units, CLI_OK);
        d->n_classes = K;
        if (N > (1u << 24) || K > 65536 || (double)d->T * d->n_in > 2e9) rc = cli_fail(CLI_ERUN, "[data] shd: the files in %s are too large", dir);
        if (!rc) rc = reserve(d, (int)N);
        int32_t *buf = NULL;
        size_t cap = 0;
        /* order: train, valid, test */
        const int ord[3] = {0, 2, 1};
        for (int k = 0; k < 3 && !rc; k++) rc = append_spike_set(d, &s[ord[k]], bin / 1000, &buf, &cap);
        free(buf);
        if (!rc && !(d->idx = malloc((size_t)d->n * sizeof *d->idx))) rc = cli_fail(CLI_ERUN, "out of memory");
        if (!rc) {
            const int ntr = (int)s[0].n_samples, nva = (int)s[2].n_samples, nte = (int)s[1].n_samples;
            for (int i = 0; i < d->n; i++) d->idx[i] = i;
            elig_rng r;
            elig_rng_seed(&r, c->data.seed ^ 0x5eedULL);
            shuffle_idx(d->idx, ntr, &r);
            int nv = has_valid ? nva : (int)lround(c->data.val_frac * ntr);
            if (has_valid) {
                /* the published validation file: [train | valid | test] -> [valid | train | test] */
                memmove(d->idx + nva, d->idx, (size_t)ntr * sizeof *d->idx);
                for (int i = 0; i < nva; i++) d->idx[i] = ntr + i;
            }
            d->val_idx = d->idx;
            d->n_val = nv;
            d->train = d->idx + nv;
            d->n_train = has_valid ? ntr : ntr - nv;
            d->test = d->idx + ntr + nva;
            d->n_test = nte;
            if (d->n_train < 1 || d->n_test < 1) rc = cli_fail(CLI_ERUN, "[data] shd: empty training or test file in %s", dir);
        }
    }
    for (int k = 0; k < 3; k++) elig_spike_set_free(&s[k]);
    return rc;
}

/* ------------------------------------------------------------------ N-MNIST */

/* DIR/Train/<digit>/NAME.bin and DIR/Test/<digit>/NAME.bin: events binned in steps of bin_ms
 * (default 3 ms: the three saccades, 300 ms, in 100 steps), unit (p * 34 + y) * 34 + x,
 * 2312 inputs, at most one spike per unit and step. max_train / max_eval limit the files read
 * (a seeded choice). Validation: val_frac of the training files. */
static int load_nmnist(const cli_config *c, const char *dir, cli_dataset *d)
{
    enum { W = 34, H = 34 };
    char p[CLI_PATH + 32];
    elig_file_list fl[2];
    memset(fl, 0, sizeof fl);
    int rc = CLI_OK, st;
    for (int k = 0; k < 2 && !rc; k++) {
        snprintf(p, sizeof p, "%s/%s", dir, k ? "Test" : "Train");
        if ((st = elig_nmnist_list(p, &fl[k], 0))) rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, p);
        else if (fl[k].n == 0) rc = cli_fail(CLI_ERUN, "[data] nmnist: no <digit>/*.bin files under %s", p);
    }
    int32_t *ord[2] = {NULL, NULL}, *buf = NULL;
    size_t cap = 0;
    int take[2] = {0, 0};
    if (!rc) {
        elig_rng r;
        elig_rng_seed(&r, c->data.seed ^ 0x5eedULL);
        for (int k = 0; k < 2 && !rc; k++) {
            if (fl[k].n > (1u << 22)) rc = cli_fail(CLI_ERUN, "[data] nmnist: too many files in %s", dir);
            else if (!(ord[k] = malloc(fl[k].n * sizeof **ord))) rc = cli_fail(CLI_ERUN, "out of memory");
            if (rc) break;
            for (size_t i = 0; i < fl[k].n; i++) ord[k][i] = (int32_t)i;
            shuffle_idx(ord[k], (int)fl[k].n, &r);
            take[k] = (int)fl[k].n;
        }
        if (!rc) {
            const int nv = (int)lround(c->data.val_frac * take[0]);
            int vcap = c->data.max_eval && nv > c->data.max_eval ? c->data.max_eval : nv;
            int tcap = c->data.max_train && take[0] - nv > c->data.max_train ? c->data.max_train : take[0] - nv;
            /* files of the training directory: [val | train] after the seeded shuffle */
            memmove(ord[0] + vcap, ord[0] + nv, (size_t)tcap * sizeof **ord);
            take[0] = vcap + tcap;
            d->n_val = vcap;
            d->n_train = tcap;
            if (c->data.max_eval && take[1] > c->data.max_eval) take[1] = c->data.max_eval;
            d->n_test = take[1];
            if (tcap < 1) rc = cli_fail(CLI_EUSAGE, "[data] val_frac = %g leaves no training files", c->data.val_frac);
        }
    }
    if (!rc) {
        const double bin_us = 1000 * (c->data.bin_ms > 0 ? c->data.bin_ms : 3);
        d->T = c->data.steps ? c->data.steps : 100;
        d->n_in = 2 * W * H;
        d->n_classes = 0;
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < fl[k].n; i++)
                if (fl[k].label[i] + 1 > d->n_classes) d->n_classes = fl[k].label[i] + 1;
        if ((double)d->T * d->n_in > 2e9) rc = cli_fail(CLI_EUSAGE, "[data] nmnist: %d steps are too many", d->T);
        if (!rc) rc = reserve(d, take[0] + take[1]);
        for (int k = 0; k < 2 && !rc; k++)
            for (int j = 0; j < take[k] && !rc; j++) {
                const int i = ord[k][j];
                elig_events ev;
                if ((st = elig_nmnist_read(fl[k].path[i], &ev, 0))) {
                    rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, fl[k].path[i]);
                    break;
                }
                if (ev.n > cap) {
                    free(buf);
                    cap = ev.n;
                    if (!(buf = malloc(cap * sizeof *buf))) rc = cli_fail(CLI_ERUN, "out of memory");
                }
                size_t m = 0;
                for (size_t e = 0; !rc && e < ev.n; e++) {
                    double s = floor((double)ev.t[e] / bin_us);
                    if (s < 0 || s >= d->T || ev.x[e] >= W || ev.y[e] >= H) continue;
                    buf[m++] = (int32_t)s * d->n_in + (ev.p[e] ? 1 : 0) * W * H + ev.y[e] * W + ev.x[e];
                }
                elig_events_free(&ev);
                if (!rc) rc = append_events(d, buf, NULL, sort_unique(buf, m), fl[k].label[i]);
            }
    }
    if (!rc && !(d->idx = malloc((size_t)d->n * sizeof *d->idx))) rc = cli_fail(CLI_ERUN, "out of memory");
    if (!rc) {
        for (int i = 0; i < d->n; i++) d->idx[i] = i;
        d->val_idx = d->idx;
        d->train = d->idx + d->n_val;
        d->test = d->idx + take[0];
    }
    free(buf);
    free(ord[0]);
    free(ord[1]);
    elig_file_list_free(&fl[0]);
    elig_file_list_free(&fl[1]);
    return rc;
}

/* ------------------------------------------------------------------ export */

int cli_dataset_write_shd(const cli_dataset *d, const char *dir, const char *prefix, double dt_ms, size_t *n_spikes)
{
    if (d->val) return cli_fail(CLI_EUSAGE, "export: the data set has non-binary input values; the SHD layout holds spikes only");
    if (d->n_in > 65536) return cli_fail(CLI_EUSAGE, "export: %d inputs do not fit SHD's 16-bit unit ids", d->n_in);
    const struct { const char *name; const int32_t *idx; int n; } part[3] = {
        {"train", d->train, d->n_train}, {"valid", d->val_idx, d->n_val}, {"test", d->test, d->n_test}};
    int rc = cli_mkdirs(dir);
    *n_spikes = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        if (part[k].n == 0) continue;
        /* samples in index order, so that export(load(export(x))) == export(x) */
        int32_t *ids = malloc((size_t)part[k].n * sizeof *ids);
        size_t *off = malloc(((size_t)part[k].n + 1) * sizeof *off), total = 0;
        int32_t *lab = malloc((size_t)part[k].n * sizeof *lab);
        if (!ids || !off || !lab) rc = cli_fail(CLI_ERUN, "out of memory");
        if (!rc) {
            memcpy(ids, part[k].idx, (size_t)part[k].n * sizeof *ids);
            qsort(ids, (size_t)part[k].n, sizeof *ids, cmp_i32);
            for (int i = 0; i < part[k].n; i++) total += d->off[ids[i] + 1] - d->off[ids[i]];
        }
        float *times = rc ? NULL : malloc((total ? total : 1) * sizeof *times);
        uint16_t *units = rc ? NULL : malloc((total ? total : 1) * sizeof *units);
        if (!rc && (!times || !units)) rc = cli_fail(CLI_ERUN, "out of memory for %zu spikes", total);
        if (!rc) {
            size_t j = 0;
            off[0] = 0;
            for (int i = 0; i < part[k].n; i++) {
                const int s = ids[i];
                for (size_t e = d->off[s]; e < d->off[s + 1]; e++, j++) {
                    /* mid-step times: binning with the same step returns step t exactly */
                    times[j] = (float)((d->ev[e] / d->n_in + 0.5) * dt_ms / 1000);
                    units[j] = (uint16_t)(d->ev[e] % d->n_in);
                }
                off[i + 1] = j;
                lab[i] = d->labels[s];
            }
            elig_spike_set ss;
            memset(&ss, 0, sizeof ss);
            ss.n_samples = (size_t)part[k].n;
            ss.n_spikes = total;
            ss.offset = off;
            ss.times = times;
            ss.units = units;
            ss.labels = lab;
            char path[CLI_PATH + 64];
            snprintf(path, sizeof path, "%s/%s_%s.h5", dir, prefix, part[k].name);
            int st = elig_shd_write(path, &ss, 32);
            if (st) rc = cli_lib_fail(st, path);
            *n_spikes += total;
        }
        free(ids), free(off), free(lab), free(times), free(units);
    }
    return rc;
}

int cli_dataset_load(const cli_config *c, cli_dataset *d)
{
    memset(d, 0, sizeof *d);
    char dir[CLI_PATH];
    const cli_data_cfg *dc = &c->data;
    int rc;
    switch (dc->source) {
    case CLI_SRC_YINYANG:
        source_dir(c, "yinyang/publication_data", dir, sizeof dir);
        rc = load_yinyang(c, dir, d);
        break;
    case CLI_SRC_RANDMAN: rc = load_randman(c, d); break;
    case CLI_SRC_BRAILLE:
        source_dir(c, "braille", dir, sizeof dir);
        rc = load_braille(c, dir, d);
        break;
    case CLI_SRC_NPY: rc = load_npy(c, d); break;
    case CLI_SRC_FSDD:
        source_dir(c, "fsdd/recordings", dir, sizeof dir);
        rc = load_fsdd(c, dir, d);
        break;
    case CLI_SRC_FASHION:
        cli_copy(dir, sizeof dir, dc->path[0] ? dc->path : "/usr/share/datasets/fashion-mnist");
        if (!dc->path[0] && !exists(dir))
            return cli_fail(CLI_ERUN, "[data] fashion_mnist: %s does not exist (apt-get install dataset-fashion-mnist, or set [data] path)", dir);
        rc = load_images(c, dir, d);
        break;
    case CLI_SRC_SHD:
        if (!dc->path[0]) return cli_fail(CLI_EUSAGE, "[data] source = shd needs path = the directory of shd_train.h5 and shd_test.h5");
        rc = load_shd(c, dc->path, d);
        break;
    case CLI_SRC_NMNIST:
        if (!dc->path[0]) return cli_fail(CLI_EUSAGE, "[data] source = nmnist needs path = the directory holding Train/ and Test/");
        rc = load_nmnist(c, dc->path, d);
        break;
    default: return cli_fail(CLI_EUSAGE, "[data] source: unknown source %d", dc->source);
    }
    if (!rc && d->x) rc = events_from_dense(d);
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
