/* elig_data.h -- the optional data component (libelig_data): readers and writers of the
 * field's file formats, spike encoders and generated data sets. It depends on zlib and HDF5;
 * the core library (elig.h) does not. Link with -lelig_data -lelig -lhdf5 -lz -lm.
 *
 * Every reader takes a path, treats the bytes as hostile (each size checked before
 * allocating, caps on counts) and reports malformed input as ELIG_EFORMAT with the byte
 * offset in elig_last_error() ("wav: PATH: byte 36: ..."; for HDF5 the dataset name instead).
 * A count above the caller's cap is ELIG_ELIMIT, an unreadable file ELIG_EIO, a bad argument
 * ELIG_EINVAL. Arrays it returns are allocated with malloc; the caller frees them (a struct
 * result is one allocation, released by its _free function). Nothing here prints or exits.
 *
 * From files to a training run (Fashion-MNIST with latency coding; SHD binned):
 *
 *     elig_idx_info ii; elig_real *img; int32_t *lab;
 *     elig_idx_read_real("train-images-idx3-ubyte.gz", &ii, &img, 0, 1.0 / 255);  // (N, 28, 28)
 *     elig_idx_read_i32("train-labels-idx1-ubyte.gz", NULL, &lab, 0);             // (N)
 *     for (i = 0; i < N; i++)                                   // x: (N, 100, 784)
 *         elig_encode_ttfs(img + i*784, 784, 0.2, 20, 100, x + i*100*784);
 *     elig_task_create_array(x, NULL, lab, N, 100, 784, 10, &task);
 *
 *     elig_spike_set s; elig_shd_read("shd_train.h5", &s, 0, 0);
 *     for (i = 0; i < s.n_samples; i++)                         // 1.4 s in 100 steps of 14 ms
 *         elig_spike_set_bin(&s, i, 0.014, 100, 700, 1, x + i*100*700, NULL);
 *     elig_spike_set_free(&s);
 *
 * Units: spike-set times are seconds, event times microseconds, encoder steps are indices of
 * the caller's time grid; the audio front end takes its time constants in ms like elig.h.
 * Shapes are in the comments, row-major.
 */
#ifndef ELIG_DATA_H
#define ELIG_DATA_H

#include "elig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ IDX (MNIST, Fashion-MNIST) */

/* IDX: bytes 0-1 zero, byte 2 the element type, byte 3 the number of dimensions n, then n
 * big-endian uint32 sizes, then the elements row-major, multi-byte types big-endian. */
typedef enum {
    ELIG_IDX_U8 = 0x08, ELIG_IDX_I8 = 0x09, ELIG_IDX_I16 = 0x0B,
    ELIG_IDX_I32 = 0x0C, ELIG_IDX_F32 = 0x0D, ELIG_IDX_F64 = 0x0E
} elig_idx_type;

#define ELIG_IDX_MAX_DIMS 8           /* the format allows 255; nobody writes more than 4 */
#define ELIG_IDX_DEFAULT_MAX_COUNT ((size_t)1 << 28)

typedef struct {
    int type;                          /* elig_idx_type as stored */
    int ndim;                          /* 0 .. ELIG_IDX_MAX_DIMS */
    int64_t shape[ELIG_IDX_MAX_DIMS];
    size_t count;                      /* product of shape (1 for ndim 0) */
} elig_idx_info;

/* Parse an uncompressed IDX file held in memory (the fuzzed entry point). The buffer must
 * hold exactly header + data: too short or trailing bytes are ELIG_EFORMAT with the offset.
 * On success *data_off (may be NULL) is where the elements start. No allocation. */
int elig_idx_parse(const void *buf, size_t len, elig_idx_info *info, size_t *data_off);
/* Read an IDX file, gzip-compressed or not (zlib detects which), converting each element v
 * to (elig_real)(v * scale): scale 1 keeps the values, 1.0/255 maps uint8 pixels to [0, 1].
 * *out is one malloc'd array of info->count values (caller frees); info may be NULL.
 * max_count caps the element count (0 = ELIG_IDX_DEFAULT_MAX_COUNT), else ELIG_ELIMIT.
 * Before allocating, the claimed data size is also checked against what the file can hold
 * (its size, times 1032, deflate's largest expansion, when compressed). A corrupt gzip
 * stream, truncation or trailing data is ELIG_EFORMAT at the decompressed byte offset.
 * A float64 outside the float range in a float build is ELIG_EFORMAT. Streams the data:
 * memory is the result plus a 16 KiB buffer. */
int elig_idx_read_real(const char *path, elig_idx_info *info, elig_real **out, size_t max_count, double scale);
/* As above into int32 (labels). Float elements must be integers in the int32 range. */
int elig_idx_read_i32(const char *path, elig_idx_info *info, int32_t **out, size_t max_count);

/* ================================================================ WAV (RIFF PCM) */

#define ELIG_WAV_MAX_RATE 768000                 /* Hz */
#define ELIG_WAV_DEFAULT_MAX_FRAMES ((size_t)1 << 28)
#define ELIG_WAV_MAX_OTHER_BYTES ((size_t)16 << 20) /* bytes of non-data chunks read from a file */

typedef struct {
    int sample_rate;      /* Hz, 1 .. ELIG_WAV_MAX_RATE */
    int channels;         /* 1 or 2 */
    int bits;             /* 16 */
    size_t n_frames;      /* samples per channel */
    size_t data_off;      /* byte offset of the first sample */
} elig_wav_info;

/* Validate a WAV held in memory: "RIFF" size "WAVE", then chunks (id, u32 LE size, payload,
 * a pad byte after an odd size) walked up to the RIFF size; unknown chunks (LIST, fact, ...)
 * are skipped. Needs one "fmt " (PCM = 1, or WAVE_FORMAT_EXTENSIBLE with the PCM sub-format;
 * 1 or 2 channels, 16 bits, block align = 2 * channels, rate 1 .. ELIG_WAV_MAX_RATE) before
 * one "data" chunk whose size is a multiple of the block align. A RIFF size past the end of
 * the buffer (truncation), a chunk past the RIFF end, a duplicate or missing fmt/data chunk
 * are ELIG_EFORMAT with the offset. Bytes after the RIFF chunk are ignored. No allocation. */
int elig_wav_parse(const void *buf, size_t len, elig_wav_info *info);
/* Parse and convert to one malloc'd array of info->n_frames values in [-1, 1): sample/32768,
 * stereo mixed down as (left + right)/65536. max_frames caps n_frames (0 = default), else
 * ELIG_ELIMIT. */
int elig_wav_decode(const void *buf, size_t len, elig_wav_info *info, elig_real **out, size_t max_frames);
/* The same from a file (read whole; a file longer than 4 * max_frames +
 * ELIG_WAV_MAX_OTHER_BYTES is ELIG_ELIMIT before anything is allocated). */
int elig_wav_read(const char *path, elig_wav_info *info, elig_real **out, size_t max_frames);

/* ================================================================ N-MNIST events */

#define ELIG_NMNIST_OVERFLOW_Y 240        /* y of a timestamp-overflow marker record */
#define ELIG_NMNIST_OVERFLOW_US 8192      /* what each marker adds to later timestamps (2^13, tonic) */
#define ELIG_NMNIST_DEFAULT_MAX_RECORDS ((size_t)1 << 24)

/* Address events, one allocation: t points at its start (x, y, p follow in the same block). */
typedef struct {
    size_t n;          /* events (overflow markers not counted) */
    int64_t *t;        /* (n) µs */
    uint8_t *x, *y;    /* (n) pixel */
    uint8_t *p;        /* (n) polarity: 1 ON, 0 OFF */
} elig_events;
void elig_events_free(elig_events *ev); /* NULL-safe; zeroes *ev */

/* Decode N-MNIST / N-Caltech101 records held in memory: 5 bytes each, x, y, then 24 bits
 * big-endian whose top bit is the polarity and low 23 bits the timestamp in µs. A record with
 * y == 240 is an overflow marker (tonic, event-Python): it is dropped and adds 2^13 µs to the
 * timestamps of every later event. len must be a multiple of 5 (else ELIG_EFORMAT at the
 * partial record); max_records caps len/5, markers included (0 = default), else ELIG_ELIMIT.
 * Pixel ranges are not checked (sensors differ: 34x34 N-MNIST, 240x180 N-Caltech101). */
int elig_nmnist_decode(const void *buf, size_t len, elig_events *ev, size_t max_records);
/* The same from a file, streamed twice (count, then fill) through an 8 KiB buffer: the only
 * allocation is the result. A file that changes between the passes is ELIG_EIO. */
int elig_nmnist_read(const char *path, elig_events *ev, size_t max_records);
/* Dense binning: event e goes to step floor(t/dt_us), unit (p*height + y)*width + x; events
 * at or past nb_steps or outside width x height are dropped (counted in *dropped, may be NULL).
 * clip 1 writes 0/1, 0 the number of events. out: (nb_steps, 2*height*width), overwritten. */
int elig_events_bin(const elig_events *ev, double dt_us, int nb_steps, int width, int height, int clip,
                    elig_real *out, size_t *dropped);

/* (path, label) pairs, one allocation (the strings live in the same block). */
typedef struct {
    size_t n;
    char **path;       /* (n) "DIR/<label>/<name>" */
    int32_t *label;    /* (n) */
} elig_file_list;
void elig_file_list_free(elig_file_list *l); /* NULL-safe; zeroes *l */

#define ELIG_LIST_DEFAULT_MAX_FILES ((size_t)1 << 20)
/* Walk DIR/<label>/<name>.bin (e.g. DIR = ".../Train") where <label> is a directory named by a
 * decimal integer 0 .. 65535; other entries are ignored. Sorted for determinism: by label,
 * then by name with digit runs compared as numbers ("2.bin" < "10.bin"). More than max_files
 * (0 = default) is ELIG_ELIMIT; a path longer than 4095 bytes is ELIG_EINVAL. */
int elig_nmnist_list(const char *dir, elig_file_list *out, size_t max_files);

/* ================================================================ spike sets (SHD / SSC) */

/* Samples of (time, unit) spikes in CSR layout. Filled by elig_shd_read (one allocation,
 * released by elig_spike_set_free), or by the caller with its own arrays for elig_shd_write. */
typedef struct {
    size_t n_samples;
    size_t n_spikes;        /* offset[n_samples] */
    size_t *offset;         /* (n_samples + 1): sample i is [offset[i], offset[i+1]), offset[0] = 0 */
    float *times;           /* (n_spikes) seconds, finite, >= 0 */
    uint16_t *units;        /* (n_spikes) channel ids */
    int32_t *labels;        /* (n_samples) >= 0 */
    int32_t *speakers;      /* (n_samples) or NULL when absent */
    size_t n_keys;
    char **keys;            /* (n_keys) class names (index = label) or NULL */
    int n_units;            /* 1 + the largest unit id (0 without spikes); set by the reader */
    void *block_;           /* the reader's allocation; NULL for a caller-filled set */
} elig_spike_set;
void elig_spike_set_free(elig_spike_set *s); /* frees block_ only; NULL-safe; zeroes *s */

#define ELIG_SHD_DEFAULT_MAX_SAMPLES ((size_t)1 << 20) /* SSC train: 75,466; SHD train: 8,156 */
#define ELIG_SHD_DEFAULT_MAX_SPIKES ((size_t)1 << 31)
#define ELIG_SHD_MAX_KEYS 65536
#define ELIG_SHD_MAX_KEY_LEN 4096
#define ELIG_SHD_MAX_KEY_BYTES ((size_t)16 << 20) /* all keys together, as stored */

/* Read the SHD/SSC layout: /spikes/times (N vlen float, seconds), /spikes/units (N vlen
 * integers), /labels (N integers), optional /extra/speaker (N integers) and /extra/keys
 * (strings, fixed-length or variable). Values are read in native memory types and HDF5
 * converts from whatever the file stores (float16 times in the real files). Checked, each an
 * ELIG_EFORMAT naming the dataset: presence, rank 1, the element class (float vlen for times,
 * integer vlen for units, integers for labels and speakers), equal lengths N, equal per-sample
 * lengths of times[i] and units[i], times finite and >= 0, units in 0..65535, labels and
 * speakers >= 0, at most ELIG_SHD_MAX_KEYS keys of ELIG_SHD_MAX_KEY_LEN bytes and
 * ELIG_SHD_MAX_KEY_BYTES in all. N above max_samples or the total spike count (asked of HDF5
 * before the vlen read) above max_spikes is ELIG_ELIMIT (0 = the defaults above); the vlen
 * read needs 32 N bytes of tables besides the result. HDF5's own error printing is switched
 * off for the duration of the call and restored. A missing file is ELIG_EIO. */
int elig_shd_read(const char *path, elig_spike_set *out, size_t max_samples, size_t max_spikes);
/* Write the same layout (atomically: a temp file renamed over path). times as IEEE half
 * floats (time_bits 16, like the real files: 11 significant bits, so a spike after 1 s is
 * rounded to < 1 ms; HDF5 rounds) or float32 (time_bits 32); units uint16; labels int32;
 * extra/speaker uint16 (if speakers) and extra/keys fixed-length strings (if keys). The set
 * is validated first (offsets non-decreasing from 0, times finite >= 0 (<= 65504 for
 * float16), labels >= 0, speakers 0..65535, keys as the reader's caps, n_samples < 2^31):
 * ELIG_EINVAL naming the element. */
int elig_shd_write(const char *path, const elig_spike_set *s, int time_bits);

/* Bin one sample: spike k goes to step floor(times[k]/dt) (dt in seconds), unit units[k];
 * spikes at or past nb_steps or with unit >= n_units are dropped (*dropped, may be NULL).
 * clip 1: 0/1, 0: counts. out: (nb_steps, n_units), overwritten. */
int elig_spike_set_bin(const elig_spike_set *s, size_t sample, double dt, int nb_steps, int n_units, int clip,
                       elig_real *out, size_t *dropped);
/* The same for raw arrays of n spikes (times in the unit of dt). */
int elig_bin_spikes(const float *times, const uint16_t *units, size_t n, double dt, int nb_steps, int n_units,
                    int clip, elig_real *out, size_t *dropped);

/* ================================================================ encoders */

/* Time-to-first-spike (latency) coding, spytorch convention: for x > thr the spike step is
 * floor(tau_eff * ln(x / (x - thr))), kept if < nb_steps; x <= thr gives no spike. Returns the
 * step or -1 (also -1 for NaN). x is pixel/255; thr 0.2, tau_eff 20 steps, nb_steps 100. */
int elig_ttfs_step(double x, double thr, double tau_eff, int nb_steps);
/* Dense TTFS of n values: out (nb_steps, n) zeroed, then at most one 1 per column.
 * ELIG_EINVAL unless n > 0, 0 < thr, tau_eff > 0, nb_steps > 0. */
int elig_encode_ttfs(const elig_real *x, int n, double thr, double tau_eff, int nb_steps, elig_real *out);

/* Sigma-delta ON/OFF coding of n analog channels (e.g. Braille: 12 taxels -> 24 inputs).
 * Per channel a reference r starts at x[0]; at each step t, while x[t] - r >= theta the ON
 * channel fires and r += theta; while r - x[t] >= theta the OFF channel fires and r -= theta.
 * out[t, 2i] counts ON spikes of channel i at step t, out[t, 2i+1] OFF spikes (more than one
 * only when the signal jumps several theta in one step). x: (T, n); out: (T, 2n). theta > 0.
 * A jump of more than 2^20 theta in one step is ELIG_EINVAL (the loop is bounded). */
int elig_encode_sigma_delta(const elig_real *x, int T, int n, double theta, elig_real *out);

/* ================================================================ audio front end */

typedef enum { ELIG_SCALE_ERB = 0, ELIG_SCALE_MEL = 1 } elig_freq_scale;
typedef enum { ELIG_AUDIO_LIF = 0, ELIG_AUDIO_SIGMA_DELTA = 1 } elig_audio_spiking;

/* Cochlea-like front end, per channel c:
 *   band-pass   `order` cascaded RBJ band-pass biquads (0 dB peak at fc_c, Q = fc_c / bw_c,
 *               bw_c = bw_factor * ERB(fc_c), ERB(f) = 24.7 (4.37 f/1000 + 1) Hz)
 *   rectify     r = max(y, 0)
 *   envelope    one-pole low-pass e <- e + (1 - exp(-1/(fs tau_env))) (r - e), at the audio rate
 *   bin         mean of e over each step of dt ms, then E = (e_mean)^compress
 *   spikes      LIF: v <- beta v + (1 - beta) gain E, beta = exp(-dt/tau_mem); a spike when
 *               v >= v_th, then v -= v_th (at most one per step)        -> n_channels units
 *               or SIGMA_DELTA on E with threshold theta (elig_encode_sigma_delta) -> 2 n_channels
 * Centres: [f_lo, f_hi] is cut into n_channels equal parts of the ERB-rate scale
 * (21.4 log10(1 + 0.00437 f)) or the mel scale (2595 log10(1 + f/700)); fc_c is the middle
 * of part c, so f_hi may equal the Nyquist frequency.
 *
 * parameter     unit  default  meaning
 * sample_rate   Hz    8000     of the input
 * n_channels    1     64       filters (<= 4096)
 * f_lo, f_hi    Hz    100 4000 band edges, 0 < f_lo < f_hi <= sample_rate / 2
 * scale         -     ERB      elig_freq_scale
 * bw_factor     1     1.0      bandwidth in ERBs
 * order         1     2        biquads per channel (1..8)
 * normalize     -     1        1: divide the clip by its peak |x| first (silence stays 0)
 * tau_env       ms    2        envelope low-pass
 * compress      1     0.3      exponent on the binned envelope (0, 1]
 * dt            ms    1        output step
 * spiking       -     LIF      elig_audio_spiking
 * gain          1     4        LIF input gain (about 15-40 Hz per unit on FSDD)
 * tau_mem       ms    5        LIF membrane
 * v_th          1     1        LIF threshold
 * theta         1     0.05     sigma-delta threshold on E
 */
typedef struct {
    double sample_rate;
    int n_channels;
    double f_lo, f_hi;
    int scale;
    double bw_factor;
    int order;
    int normalize;
    double tau_env;
    double compress;
    double dt;
    int spiking;
    double gain, tau_mem, v_th;
    double theta;
} elig_audio_cfg;

elig_audio_cfg elig_audio_cfg_default(void);
/* ELIG_EINVAL naming the field and the rule, or 0. */
int elig_audio_check(const elig_audio_cfg *cfg);
/* Centre frequencies in Hz, fc: (n_channels), ascending. */
int elig_audio_centres(const elig_audio_cfg *cfg, double *fc);
/* Output units: n_channels (LIF) or 2 n_channels (sigma-delta); 0 if cfg is invalid. */
int elig_audio_n_units(const elig_audio_cfg *cfg);
/* Steps for n samples: ceil(n / (sample_rate * dt / 1000)); 0 if cfg is invalid. */
size_t elig_audio_n_steps(const elig_audio_cfg *cfg, size_t n_samples);
/* The binned, compressed envelope E: env (T, n_channels), T = elig_audio_n_steps. No
 * allocation; cost O(n_samples * n_channels * order). */
int elig_audio_envelope(const elig_audio_cfg *cfg, const elig_real *wave, size_t n, elig_real *env);
/* Spikes: out (T, n_units), 0/1 for LIF, counts for sigma-delta. Allocates one temporary
 * (T, n_channels) envelope. */
int elig_audio_encode(const elig_audio_cfg *cfg, const elig_real *wave, size_t n, elig_real *out);

/* Free Spoken Digit Dataset -> two SHD-layout files through elig_audio_encode and
 * elig_shd_write. dir holds {digit}_{speaker}_{take}.wav (other names are ignored); official
 * split: takes 0-4 to test_path, 5-49 (any take >= 5) to train_path. Samples sorted by
 * (digit, speaker, take); label = digit; speaker id = rank of the name among the sorted
 * distinct speaker names; keys "zero".."nine". Each spike is at the centre of its step,
 * (t + 0.5) dt. Every WAV must have cfg->sample_rate (else ELIG_EFORMAT naming the file).
 * At most 2^20 files. n_train, n_test (may be NULL) receive the sample counts. */
int elig_fsdd_to_shd(const char *dir, const char *train_path, const char *test_path, const elig_audio_cfg *cfg,
                     int time_bits, size_t *n_train, size_t *n_test);

/* ================================================================ Yin-Yang */

/* Class of a point (Kriener et al., lkriener/yin_yang_data_set): 2 (dot) if within r_small of
 * either dot centre (1.5 r_big, r_big), (0.5 r_big, r_big); else 1 (yin) or 0 (yang). */
int elig_yinyang_class(double x, double y, double r_big, double r_small);
/* Generate n samples with the published rules: class uniform in {0,1,2}, then rejection
 * sampling of (x, y) ~ U(0, 2 r_big)^2 inside the big circle until the class matches;
 * features (x, y, 1-x, 1-y). x: (n, 4), labels: (n), caller-owned. Seeded elig_rng: same
 * statistics as the published set, not the same numbers. ELIG_EINVAL unless
 * 0 < r_small < r_big / 2 (r_big 0.5, r_small 0.1 published). No allocation. */
int elig_yinyang_generate(uint64_t seed, size_t n, double r_big, double r_small, elig_real *x, int32_t *labels);
/* Load the published split from dir (".../yinyang/publication_data"): split "train"
 * (5000), "validation" or "test" (1000), files <split>_samples.npy (N, 4) and
 * <split>_labels.npy (N). Checked: shapes, labels 0..2, features in [0, 1] with
 * x + (1-x) = 1 (ELIG_EFORMAT naming the file). *x (n, 4), *labels (n): malloc'd, caller frees.
 * At most 2^24 samples. */
int elig_yinyang_load(const char *dir, const char *split, elig_real **x, int32_t **labels, size_t *n);

/* ================================================================ Randman */

/* Random-manifold spike timing classes (Zenke & Vogels 2021, fzenke/randman). For each class
 * and each of nb_spikes sub-manifolds a fresh manifold f: [0,1]^D -> R^nb_units with
 * f_i(x) = prod_d sum_{j<F} a_j (j+1)^(-alpha) sin(2 pi (j x_d b_j + c_j)), a, b, c ~ U(0,1)
 * per unit, dimension and j, a_0 = 0 unless use_bias, F = min(ceil(prec^(-1/alpha)), 1000).
 * nb_samples points x ~ U[0,1]^D per class; y = f(x) min-max normalised per unit over that
 * class's samples, (y - min)/(max - min + 1e-7); spike time y * nb_steps * step_frac steps.
 *
 * parameter     default  meaning
 * nb_classes    10       classes (<= 65536)
 * nb_units      100      units (<= 65536)
 * nb_steps      100      time steps
 * dim_manifold  2        D (<= 64)
 * nb_spikes     1        spikes per unit and sample (<= 1024)
 * nb_samples    1000     samples per class
 * alpha         2        spectral fall-off, > 0
 * prec          1e-3     cut-off precision, (0, 1)
 * step_frac     1        fraction of nb_steps used, (0, 1]
 * use_bias      0
 * shuffle       1        Fisher-Yates over all samples after generation
 * seed          1        elig_rng seed: same seed, same data, in every build
 */
typedef struct {
    int nb_classes, nb_units, nb_steps, dim_manifold, nb_spikes, nb_samples;
    double alpha, prec, step_frac;
    int use_bias, shuffle;
    uint64_t seed;
} elig_randman_cfg;

elig_randman_cfg elig_randman_cfg_default(void);
int elig_randman_check(const elig_randman_cfg *cfg);
/* N = nb_classes * nb_samples, or 0 if cfg is invalid. */
size_t elig_randman_n(const elig_randman_cfg *cfg);
/* Spike list: times (N, nb_spikes, nb_units) in steps (float, [0, nb_steps * step_frac)),
 * spike (s, k, u) belongs to unit u; labels (N). Caller-owned. One temporary allocation
 * (the class's points and one unit's parameters). Cost N * nb_spikes * nb_units * D * F sin. */
int elig_randman_generate(const elig_randman_cfg *cfg, float *times, int32_t *labels);
/* Dense raster from those times: x (N, nb_steps, nb_units), spike at step floor(time)
 * (a time rounded up to nb_steps goes to the last step), values are counts so every unit of
 * every sample sums to exactly nb_spikes. */
int elig_randman_dense(const elig_randman_cfg *cfg, const float *times, elig_real *x);

#ifdef __cplusplus
}
#endif
#endif /* ELIG_DATA_H */
