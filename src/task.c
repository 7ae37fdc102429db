/* task.c -- task generators: the two e-prop tutorial tasks (Bellec et al. 2020) and sequences
 * given as arrays; the accuracy helper elig_count_correct.
 *
 * PATTERN (pattern generation, regression; e-prop Figure_3_and_S7_e_prop_tutorials,
 * models.py sum_of_sines_target):
 *   x_{t,i} = [u < rate dt / 1000], drawn once at create (frozen), (T, n_in)
 *   y*_o(t) = sum_k a_k sin(linspace(phi_k, phi_k + 2 pi floor(T / P_k), T)_t),
 *             a_k ~ U(0.5, 2), phi_k ~ U(0, 2 pi), P_k = (1000, 500, 333, 200) ms / dt
 *   y*_o <- (y*_o - y*_o(0)) / max(|min|, |max|, 1e-6)    (the 1e-6 floor is the reference's)
 *   Every sample returns the same (x, y*). Loss: MSE summed over all steps.
 *
 * EVIDENCE (evidence accumulation, store and recall; tools.py generate_click_task_data):
 *   channels: 4 groups of ea_group: left cue, right cue, recall, background.
 *   cue c (c = 0..n_cues-1) spans [gap + c (cue + gap), gap + c (cue + gap) + cue) ms;
 *   T = n_cues (cue + gap) + delay + recall; recall window = the last recall ms.
 *   Per sequence p_right = p_major or 1 - p_major (fair coin); each cue is right w.p. p_right;
 *   its group fires Poisson at f0 during its window, the recall group at f0 during the recall
 *   window, the background group at noise_hz throughout. label = [#right > n_cues / 2].
 *   target = one-hot(label) inside the recall window, 0 elsewhere. Loss: CE per step over the
 *   recall window, averaged over its steps. Times convert to steps by rounding ms / dt.
 *
 * ARRAY: copies of x (n_seq, T, n_in) and either y (n_seq, T, n_out) (MSE, all steps) or
 *   labels (n_seq) (one-hot target at every step; CE of the mean readout over all steps).
 *   Batches are taken in order, wrapping around.
 *
 * PERIODIC (RFLO, Murray 2019; murray-lab/rflo-learning RFLO_Example.ipynb, algorithms.md §3.3):
 *   x = 0 (one channel: the notebook's x_tonic = 0 with n_in = 1),
 *   y*(t) = sin(2 pi t/P) + 0.5 sin(4 pi t/P) + 0.25 sin(8 pi t/P), t = 0, 1, ...
 *   (the notebook's np.arange(duration); its MATLAB twin starts at t = 1). Evaluated at
 *   t mod P, so every period is bit-identical. Frozen. Loss: MSE summed over all steps.
 *
 * SPIKE_TIMING (SuperSpike, Zenke & Ganguli 2018, algorithms.md §3.5: one output learning
 *   5 precisely timed spikes from 100 frozen Poisson inputs):
 *   x_{t,i} = [u < rate dt / 1000], frozen, (T, n_in); per output o, n target times drawn
 *   once, uniformly among all sets with t_1 >= g and t_{k+1} - t_k >= g (g = st_min_gap; the
 *   first g steps give the input time to build up). Target (T, n_out): 1 at the target
 *   times, 0 elsewhere. Draws: targets first (output by output), then the inputs, so the
 *   targets do not change with the input size. Loss: MSE summed over all steps (a spiking
 *   readout filters both trains; the task hands out the raw train).
 *
 * COPY (Mujika et al. 2018 curriculum, as used by SnAp, Menick et al. 2021; algorithms.md
 *   §3.6): level L, T = 2 L + 1, channels (bit, input phase, delimiter/recall):
 *     s in [0, L):       x_s = (b_s, 1, 0), target 0
 *     s = L:             x_s = (0, 0, 1),   target 0           (delimiter)
 *     s = L + 1 + k:     x_s = (0, 0, 1),   target one-hot(b_k) (recall, k < L)
 *   b_k fair coins, new every sequence. Channel 2 stays on through the recall so that a
 *   spiking network has a drive while it answers (as the evidence task's recall group).
 *   Loss: per-step CE over all steps, summed: with an all-zero target, loss.c's ce_eval
 *   gives l = 0 and dl/dy = softmax sum(t) - t = 0, so only the recall steps count and the
 *   window [0, 0) never has to follow L. The curriculum raises L when the caller's loss
 *   per recall step falls below cp_threshold bits. Buffers are sized for cp_max_level at
 *   create; a level change only changes T.
 *
 * Memory: one block per task (the object and its frozen or copied arrays). sample() does
 * arithmetic only. Cost per sample: batch T n_in (copy or Bernoulli draws) + batch T n_out.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#define TWO_PI 6.283185307179586
#define MAX_UNITS (1 << 24)   /* channels, as for the network's layer sizes */
#define MAX_STEPS (1 << 24)   /* steps per sequence: 4.6 hours at dt 1 ms    */

static const double pg_periods_ms[4] = {1000.0, 500.0, 333.0, 200.0};

struct elig_task {
    elig_task_cfg cfg;
    int kind;
    int T, n_in, n_out;
    int classification;
    elig_loss_cfg loss;
    elig_rng rng;            /* evidence: advances with every sample                        */
    /* pattern: frozen; array: the copies */
    elig_real *x;            /* pattern (T, n_in); array (n_seq, T, n_in)                   */
    elig_real *y;            /* pattern (T, n_out); array (n_seq, T, n_out) or NULL         */
    int32_t *labels;         /* array (n_seq) or NULL                                       */
    int n_seq, next;         /* array: next sequence to hand out                            */
    /* evidence, in steps */
    int *cue_begin, *cue_end;/* (n_cues)                                                    */
    int recall_begin;        /* recall window [recall_begin, T)                             */
    double p_cue, p_noise;   /* spike probabilities per step                                */
    /* copy */
    int level;               /* string length L; T = 2 L + 1                                */
    int max_T;               /* longest sequence (copy: 2 cp_max_level + 1; others: T)      */
    void *mem;               /* the block this object lives in                              */
};

elig_task_cfg elig_task_cfg_default(int kind)
{
    elig_task_cfg c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.seed = 1;
    c.dt = 1.0;
    c.pg_n_in = 100;
    c.pg_n_out = 1;
    c.pg_steps = 1000;
    c.pg_rate_hz = 50.0;
    c.ea_n_cues = 7;
    c.ea_group = 10;
    c.ea_cue_ms = 100.0;
    c.ea_gap_ms = 50.0;
    c.ea_delay_ms = 1050.0;
    c.ea_recall_ms = 150.0;
    c.ea_f0_hz = 40.0;
    c.ea_noise_hz = 10.0;
    c.ea_p_major = 0.7;
    c.pe_period = 100;
    c.pe_steps = 100;
    c.st_n_in = 100;
    c.st_n_out = 1;
    c.st_steps = 500;
    c.st_rate_hz = 10.0;
    c.st_n_spikes = 5;
    c.st_min_gap = 20;
    c.cp_level0 = 1;
    c.cp_max_level = 64;
    c.cp_threshold = 0.15;
    return c;
}

/* ---------------------------------------------------------------- validation */

static int check_count(int v, int max, const char *field)
{
    if (v < 1 || v > max) return elig__err(ELIG_EINVAL, "task.%s must be in [1, %d] (got %d)", field, max, v);
    return ELIG_OK;
}

/* A rate is a spike probability rate dt / 1000 per step, so it must not exceed 1000 / dt Hz. */
static int check_rate(double hz, double dt, const char *field)
{
    if (!(hz >= 0) || !isfinite(hz)) return elig__err(ELIG_EINVAL, "task.%s must be >= 0 Hz (got %g)", field, hz);
    if (hz * dt / 1000.0 > 1.0)
        return elig__err(ELIG_EINVAL, "task.%s must be <= 1000/dt = %g Hz (got %g)", field, 1000.0 / dt, hz);
    return ELIG_OK;
}

static long to_steps(double ms, double dt) { return lround(ms / dt); }

/* A duration in ms: > 0 (or >= 0 when zero is allowed) and at least one step when positive. */
static int check_ms(double ms, double dt, int allow_zero, const char *field)
{
    if (!isfinite(ms) || ms < 0 || (!allow_zero && !(ms > 0)))
        return elig__err(ELIG_EINVAL, "task.%s must be %s ms (got %g)", field, allow_zero ? ">= 0" : "> 0", ms);
    if (ms / dt > MAX_STEPS) return elig__err(ELIG_EINVAL, "task.%s must be <= %d steps of dt %g ms (got %g ms)", field, MAX_STEPS, dt, ms);
    if (!allow_zero && to_steps(ms, dt) < 1)
        return elig__err(ELIG_EINVAL, "task.%s must last at least one step of dt %g ms (got %g ms)", field, dt, ms);
    return ELIG_OK;
}

/* Evidence timing in ms (total length). */
static double ea_total_ms(const elig_task_cfg *c)
{
    return c->ea_n_cues * (c->ea_cue_ms + c->ea_gap_ms) + c->ea_delay_ms + c->ea_recall_ms;
}

/* steps x (n_in + n_out) reals of a frozen task: the product and its bytes must fit. */
static int check_frozen(int steps, int n_in, int n_out, const char *steps_f, const char *in_f, const char *out_f)
{
    size_t n;
    if (elig__mul((size_t)steps, (size_t)n_in + (size_t)n_out, &n) || elig__mul(n, sizeof(elig_real), &n) || n > SIZE_MAX / 2)
        return elig__err(ELIG_EINVAL, "task.%s %d x (%s + %s) %d overflows", steps_f, steps, in_f, out_f, n_in + n_out);
    return ELIG_OK;
}

static int check(const elig_task_cfg *c)
{
    int rc;
    elig__clear_err();
    if (!c) return elig__err(ELIG_EINVAL, "task config is NULL");
    if (c->kind == ELIG_TASK_ARRAY)
        return elig__err(ELIG_EINVAL, "task.kind array (%d) is created with elig_task_create_array", c->kind);
    if (c->kind != ELIG_TASK_PATTERN && c->kind != ELIG_TASK_EVIDENCE && c->kind != ELIG_TASK_PERIODIC &&
        c->kind != ELIG_TASK_SPIKE_TIMING && c->kind != ELIG_TASK_COPY)
        return elig__err(ELIG_EINVAL, "task.kind must be pattern (%d), evidence (%d), periodic (%d), spike_timing (%d) or copy (%d) (got %d)",
                         ELIG_TASK_PATTERN, ELIG_TASK_EVIDENCE, ELIG_TASK_PERIODIC, ELIG_TASK_SPIKE_TIMING, ELIG_TASK_COPY, c->kind);
    if (!(c->dt > 0) || !isfinite(c->dt)) return elig__err(ELIG_EINVAL, "task.dt must be > 0 ms (got %g)", c->dt);
    switch (c->kind) {
    case ELIG_TASK_PATTERN:
        if ((rc = check_count(c->pg_n_in, MAX_UNITS, "pg_n_in"))) return rc;
        if ((rc = check_count(c->pg_n_out, MAX_UNITS, "pg_n_out"))) return rc;
        if ((rc = check_count(c->pg_steps, MAX_STEPS, "pg_steps"))) return rc;
        if ((rc = check_rate(c->pg_rate_hz, c->dt, "pg_rate_hz"))) return rc;
        return check_frozen(c->pg_steps, c->pg_n_in, c->pg_n_out, "pg_steps", "pg_n_in", "pg_n_out");
    case ELIG_TASK_EVIDENCE: {
        if ((rc = check_count(c->ea_n_cues, 1 << 16, "ea_n_cues"))) return rc;
        if ((rc = check_count(c->ea_group, MAX_UNITS / 4, "ea_group"))) return rc;
        if ((rc = check_ms(c->ea_cue_ms, c->dt, 0, "ea_cue_ms"))) return rc;
        if ((rc = check_ms(c->ea_gap_ms, c->dt, 1, "ea_gap_ms"))) return rc;
        if ((rc = check_ms(c->ea_delay_ms, c->dt, 1, "ea_delay_ms"))) return rc;
        if ((rc = check_ms(c->ea_recall_ms, c->dt, 0, "ea_recall_ms"))) return rc;
        if ((rc = check_rate(c->ea_f0_hz, c->dt, "ea_f0_hz"))) return rc;
        if ((rc = check_rate(c->ea_noise_hz, c->dt, "ea_noise_hz"))) return rc;
        if (!(c->ea_p_major >= 0 && c->ea_p_major <= 1))
            return elig__err(ELIG_EINVAL, "task.ea_p_major must be in [0, 1] (got %g)", c->ea_p_major);
        double steps = ea_total_ms(c) / c->dt;
        if (!(steps <= MAX_STEPS))
            return elig__err(ELIG_EINVAL, "task evidence sequence must be <= %d steps (got %g ms = %g steps at dt %g)", MAX_STEPS, ea_total_ms(c), steps, c->dt);
        return ELIG_OK;
    }
    case ELIG_TASK_PERIODIC:
        /* The last term has 4 cycles per period: more than 2 samples per cycle needs P > 8
         * (at P = 8 it samples sin(pi t) = 0, below that it aliases). */
        if (c->pe_period < 9 || c->pe_period > MAX_STEPS)
            return elig__err(ELIG_EINVAL, "task.pe_period must be in [9, %d] steps, so that sin(8 pi t/P) has > 2 samples per cycle (got %d)",
                             MAX_STEPS, c->pe_period);
        return check_count(c->pe_steps, MAX_STEPS, "pe_steps");
    case ELIG_TASK_SPIKE_TIMING:
        if ((rc = check_count(c->st_n_in, MAX_UNITS, "st_n_in"))) return rc;
        if ((rc = check_count(c->st_n_out, MAX_UNITS, "st_n_out"))) return rc;
        if ((rc = check_count(c->st_steps, MAX_STEPS, "st_steps"))) return rc;
        if ((rc = check_rate(c->st_rate_hz, c->dt, "st_rate_hz"))) return rc;
        if ((rc = check_count(c->st_n_spikes, MAX_STEPS, "st_n_spikes"))) return rc;
        if ((rc = check_count(c->st_min_gap, MAX_STEPS, "st_min_gap"))) return rc;
        /* t_1 >= g, t_k >= t_1 + (k - 1) g, t_n <= T - 1: feasible iff n g <= T - 1. */
        if ((long long)c->st_n_spikes * c->st_min_gap >= (long long)c->st_steps)
            return elig__err(ELIG_EINVAL, "task.st_steps must be > st_n_spikes x st_min_gap = %d x %d = %lld to fit the target spikes (got %d)",
                             c->st_n_spikes, c->st_min_gap, (long long)c->st_n_spikes * c->st_min_gap, c->st_steps);
        return check_frozen(c->st_steps, c->st_n_in, c->st_n_out, "st_steps", "st_n_in", "st_n_out");
    default: /* ELIG_TASK_COPY */
        if ((rc = check_count(c->cp_max_level, (MAX_STEPS - 1) / 2, "cp_max_level"))) return rc;
        if (c->cp_level0 < 1 || c->cp_level0 > c->cp_max_level)
            return elig__err(ELIG_EINVAL, "task.cp_level0 must be in [1, cp_max_level = %d] (got %d)", c->cp_max_level, c->cp_level0);
        if (!(c->cp_threshold > 0) || !isfinite(c->cp_threshold))
            return elig__err(ELIG_EINVAL, "task.cp_threshold must be > 0 bits (got %g)", c->cp_threshold);
        return ELIG_OK;
    }
}

/* ---------------------------------------------------------------- layout */

/* Carve the object and its arrays (sizes already checked); with a->base == NULL this only
 * counts. x_n, y_n, lab_n, cue_n: element counts of the arrays (0 = absent). */
static elig_task *carve(elig__arena *a, size_t x_n, size_t y_n, size_t lab_n, size_t cue_n)
{
    elig_task *t = elig__carve(a, 1, sizeof(elig_task));
    elig_real *x = x_n ? elig__carve(a, x_n, sizeof(elig_real)) : NULL;
    elig_real *y = y_n ? elig__carve(a, y_n, sizeof(elig_real)) : NULL;
    int32_t *lab = lab_n ? elig__carve(a, lab_n, sizeof(int32_t)) : NULL;
    int *cb = cue_n ? elig__carve(a, cue_n, sizeof(int)) : NULL;
    int *ce = cue_n ? elig__carve(a, cue_n, sizeof(int)) : NULL;
    if (t) {
        t->x = x;
        t->y = y;
        t->labels = lab;
        t->cue_begin = cb;
        t->cue_end = ce;
    }
    return t;
}

static int alloc_task(size_t x_n, size_t y_n, size_t lab_n, size_t cue_n, elig_task **out)
{
    elig__arena a = {NULL, 0};
    carve(&a, x_n, y_n, lab_n, cue_n);
    size_t bytes = a.used + 64;
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "task: cannot allocate %zu bytes", bytes);
    a.base = (char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u);
    a.used = 0;
    elig_task *t = carve(&a, x_n, y_n, lab_n, cue_n);
    t->mem = mem;
    *out = t;
    return ELIG_OK;
}

/* ---------------------------------------------------------------- pattern generation */

/* Sum of the sines of output o at step s (amplitudes a[4], phases ph[4], cycles cyc[4]). */
static double sines_at(const double *a, const double *ph, const double *cyc, int T, int s)
{
    double sum = 0;
    for (int k = 0; k < 4; k++) {
        /* numpy linspace(lo, hi, T): lo + s (hi - lo) / (T - 1), endpoints included. */
        double span = TWO_PI * cyc[k];
        double arg = T > 1 ? ph[k] + (double)s * span / (double)(T - 1) : ph[k];
        sum += a[k] * sin(arg);
    }
    return sum;
}

static void pattern_init(elig_task *t)
{
    const elig_task_cfg *c = &t->cfg;
    const int T = t->T, n_in = t->n_in, n_out = t->n_out;
    elig_rng r;
    elig_rng_seed(&r, c->seed);
    /* Targets first (per output: 4 amplitudes, then 4 phases, as numpy draws them), so the
     * target does not change with the input size. */
    for (int o = 0; o < n_out; o++) {
        double a[4], ph[4], cyc[4];
        for (int k = 0; k < 4; k++) a[k] = 0.5 + 1.5 * elig_rng_uniform(&r);
        for (int k = 0; k < 4; k++) ph[k] = TWO_PI * elig_rng_uniform(&r);
        for (int k = 0; k < 4; k++) cyc[k] = floor((double)T / (pg_periods_ms[k] / c->dt));
        /* Two passes recomputing the sum (bit-identical) instead of a scratch buffer. */
        double s0 = sines_at(a, ph, cyc, T, 0), lo = 0, hi = 0;
        for (int s = 0; s < T; s++) {
            double v = sines_at(a, ph, cyc, T, s) - s0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        double scale = ELIG__MAX(fabs(lo), fabs(hi));
        if (scale < 1e-6) scale = 1e-6;
        for (int s = 0; s < T; s++)
            t->y[(size_t)s * n_out + o] = (elig_real)((sines_at(a, ph, cyc, T, s) - s0) / scale);
    }
    const double p = c->pg_rate_hz * c->dt / 1000.0;
    for (size_t i = 0; i < (size_t)T * n_in; i++) t->x[i] = elig_rng_uniform(&r) < p ? (elig_real)1 : (elig_real)0;
}

/* ---------------------------------------------------------------- periodic output */

static void periodic_init(elig_task *t)
{
    const int P = t->cfg.pe_period;
    for (int s = 0; s < t->T; s++) {
        /* t mod P: every period bit-identical, and the argument stays small. */
        const double ph = TWO_PI * (double)(s % P) / (double)P;
        t->y[s] = (elig_real)(sin(ph) + 0.5 * sin(2.0 * ph) + 0.25 * sin(4.0 * ph));
    }
}

/* ---------------------------------------------------------------- spike timing */

/* n target times of output o in [0, T), uniform over all sets with t_1 >= g and
 * t_{k+1} - t_k >= g, written as 1s into y (T, n_out). Stars and bars: u_k = t_k - k g
 * (k = 1..n) is any non-decreasing sequence in [0, R], R = T - 1 - n g, and v_k = u_k + k - 1
 * any n distinct values in [0, N), N = R + n. Those are drawn by selection sampling (Knuth,
 * TAOCP 3.4.2, algorithm S: take v with probability (n - k) / (N - v)), which visits v in
 * order, so the times come out sorted and no retry loop is needed. N draws. */
static void spike_times(elig_rng *r, int T, int n, int g, elig_real *y, int n_out, int o)
{
    const long long N = (long long)T - 1 - (long long)n * g + n;
    int k = 0; /* taken so far */
    for (long long v = 0; v < N && k < n; v++)
        if ((double)(N - v) * elig_rng_uniform(r) < (double)(n - k)) {
            long long s = v - k + (long long)(k + 1) * g;
            y[(size_t)s * n_out + o] = 1;
            k++;
        }
}

static void spike_timing_init(elig_task *t)
{
    const elig_task_cfg *c = &t->cfg;
    elig_rng r;
    elig_rng_seed(&r, c->seed);
    memset(t->y, 0, (size_t)t->T * t->n_out * sizeof(elig_real));
    for (int o = 0; o < t->n_out; o++) spike_times(&r, t->T, c->st_n_spikes, c->st_min_gap, t->y, t->n_out, o);
    const double p = c->st_rate_hz * c->dt / 1000.0;
    for (size_t i = 0; i < (size_t)t->T * t->n_in; i++) t->x[i] = elig_rng_uniform(&r) < p ? (elig_real)1 : (elig_real)0;
}

/* ---------------------------------------------------------------- create */

int elig_task_create(const elig_task_cfg *cfg, elig_task **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_task_create: out is NULL");
    *out = NULL;
    if ((rc = check(cfg))) return rc;
    elig_task *t;
    if (cfg->kind == ELIG_TASK_PATTERN) {
        size_t T = (size_t)cfg->pg_steps;
        if ((rc = alloc_task(T * (size_t)cfg->pg_n_in, T * (size_t)cfg->pg_n_out, 0, 0, &t))) return rc;
        t->cfg = *cfg;
        t->kind = cfg->kind;
        t->T = cfg->pg_steps;
        t->n_in = cfg->pg_n_in;
        t->n_out = cfg->pg_n_out;
        t->classification = 0;
        t->loss.loss = &elig_loss_mse;
        t->loss.win_begin = 0;
        t->loss.win_end = 0;
        t->loss.time_norm = ELIG_TIME_SUM;
        pattern_init(t);
    } else if (cfg->kind == ELIG_TASK_PERIODIC) {
        if ((rc = alloc_task(0, (size_t)cfg->pe_steps, 0, 0, &t))) return rc;
        t->cfg = *cfg;
        t->kind = cfg->kind;
        t->T = cfg->pe_steps;
        t->n_in = 1;            /* always 0: the network needs an input layer */
        t->n_out = 1;
        t->classification = 0;
        t->loss.loss = &elig_loss_mse;
        t->loss.win_begin = 0;
        t->loss.win_end = 0;
        t->loss.time_norm = ELIG_TIME_SUM;
        periodic_init(t);
    } else if (cfg->kind == ELIG_TASK_SPIKE_TIMING) {
        size_t T = (size_t)cfg->st_steps;
        if ((rc = alloc_task(T * (size_t)cfg->st_n_in, T * (size_t)cfg->st_n_out, 0, 0, &t))) return rc;
        t->cfg = *cfg;
        t->kind = cfg->kind;
        t->T = cfg->st_steps;
        t->n_in = cfg->st_n_in;
        t->n_out = cfg->st_n_out;
        t->classification = 0;
        t->loss.loss = &elig_loss_mse;
        t->loss.win_begin = 0;
        t->loss.win_end = 0;
        t->loss.time_norm = ELIG_TIME_SUM;
        spike_timing_init(t);
    } else if (cfg->kind == ELIG_TASK_COPY) {
        /* Nothing to store: the bits go straight into x and the target. */
        if ((rc = alloc_task(0, 0, 0, 0, &t))) return rc;
        t->cfg = *cfg;
        t->kind = cfg->kind;
        t->level = cfg->cp_level0;
        t->T = 2 * t->level + 1;
        t->max_T = 2 * cfg->cp_max_level + 1;
        t->n_in = 3;
        t->n_out = 2;
        /* Per-step classes, not one label per sequence: labels come back -1. */
        t->classification = 0;
        t->loss.loss = &elig_loss_ce;
        t->loss.win_begin = 0;  /* whole sequence: all-zero targets outside the recall add nothing */
        t->loss.win_end = 0;
        t->loss.time_norm = ELIG_TIME_SUM;
    } else {
        const double dt = cfg->dt, slot = cfg->ea_cue_ms + cfg->ea_gap_ms;
        if ((rc = alloc_task(0, 0, 0, (size_t)cfg->ea_n_cues, &t))) return rc;
        t->cfg = *cfg;
        t->kind = cfg->kind;
        for (int k = 0; k < cfg->ea_n_cues; k++) {
            double b = cfg->ea_gap_ms + k * slot;
            t->cue_begin[k] = (int)to_steps(b, dt);
            t->cue_end[k] = (int)to_steps(b + cfg->ea_cue_ms, dt);
        }
        /* Recall start and length rounded separately so the recall window is exactly
         * round(recall / dt) steps and never overlaps a cue (rounding is monotone). */
        t->recall_begin = (int)to_steps(cfg->ea_n_cues * slot + cfg->ea_delay_ms, dt);
        int recall_steps = (int)to_steps(cfg->ea_recall_ms, dt);
        t->T = t->recall_begin + recall_steps;
        t->n_in = 4 * cfg->ea_group;
        t->n_out = 2;
        t->classification = 1;
        t->p_cue = cfg->ea_f0_hz * dt / 1000.0;
        t->p_noise = cfg->ea_noise_hz * dt / 1000.0;
        t->loss.loss = &elig_loss_ce;
        t->loss.win_begin = -recall_steps;
        t->loss.win_end = 0;
        t->loss.time_norm = ELIG_TIME_MEAN;
    }
    if (cfg->kind != ELIG_TASK_COPY) t->max_T = t->T;
    elig_rng_seed(&t->rng, cfg->seed);
    *out = t;
    return ELIG_OK;
}

int elig_task_create_array(const elig_real *x, const elig_real *y, const int32_t *labels,
                           int n_seq, int T, int n_in, int n_out, elig_task **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_task_create_array: out is NULL");
    *out = NULL;
    elig__clear_err();
    if (n_seq < 1) return elig__err(ELIG_EINVAL, "task.n_seq must be >= 1 (got %d)", n_seq);
    if (T < 1 || T > MAX_STEPS) return elig__err(ELIG_EINVAL, "task.T must be in [1, %d] (got %d)", MAX_STEPS, T);
    if (n_in < 1 || n_in > MAX_UNITS) return elig__err(ELIG_EINVAL, "task.n_in must be in [1, %d] (got %d)", MAX_UNITS, n_in);
    if (n_out < 1 || n_out > MAX_UNITS) return elig__err(ELIG_EINVAL, "task.n_out must be in [1, %d] (got %d)", MAX_UNITS, n_out);
    if (!x) return elig__err(ELIG_EINVAL, "task.x must be given (got NULL)");
    if (!y == !labels)
        return elig__err(ELIG_EINVAL, "task: exactly one of y and labels must be given (got %s)", y ? "both" : "neither");
    /* Every size, with the bytes of the block, checked before allocating. */
    size_t st, xn, yn = 0, bytes;
    if (elig__mul((size_t)n_seq, (size_t)T, &st) || elig__mul(st, (size_t)n_in, &xn) || elig__mul(xn, sizeof(elig_real), &bytes) ||
        bytes > SIZE_MAX / 4)
        return elig__err(ELIG_EINVAL, "task: x of n_seq %d x T %d x n_in %d overflows", n_seq, T, n_in);
    if (y && (elig__mul(st, (size_t)n_out, &yn) || elig__mul(yn, sizeof(elig_real), &bytes) || bytes > SIZE_MAX / 4))
        return elig__err(ELIG_EINVAL, "task: y of n_seq %d x T %d x n_out %d overflows", n_seq, T, n_out);
    if (labels)
        for (int i = 0; i < n_seq; i++)
            if (labels[i] < 0 || labels[i] >= n_out)
                return elig__err(ELIG_EINVAL, "task.labels[%d] must be in [0, n_out = %d) (got %d)", i, n_out, (int)labels[i]);
    elig_task *t;
    if ((rc = alloc_task(xn, yn, labels ? (size_t)n_seq : 0, 0, &t))) return rc;
    t->cfg = elig_task_cfg_default(ELIG_TASK_ARRAY);
    t->kind = ELIG_TASK_ARRAY;
    t->T = T;
    t->n_in = n_in;
    t->n_out = n_out;
    t->max_T = T;
    t->n_seq = n_seq;
    t->next = 0;
    memcpy(t->x, x, xn * sizeof(elig_real));
    if (y) {
        memcpy(t->y, y, yn * sizeof(elig_real));
        t->classification = 0;
        t->loss.loss = &elig_loss_mse;
        t->loss.time_norm = ELIG_TIME_SUM;
    } else {
        memcpy(t->labels, labels, (size_t)n_seq * sizeof(int32_t));
        t->classification = 1;
        t->loss.loss = &elig_loss_ce_mean;
        t->loss.time_norm = ELIG_TIME_MEAN;
    }
    t->loss.win_begin = 0;
    t->loss.win_end = 0;
    *out = t;
    return ELIG_OK;
}

void elig_task_free(elig_task *t)
{
    if (t) elig__free(t->mem);
}

int elig_task_steps(const elig_task *t) { return t->T; }
int elig_task_n_in(const elig_task *t) { return t->n_in; }
int elig_task_n_out(const elig_task *t) { return t->n_out; }
int elig_task_is_classification(const elig_task *t) { return t->classification; }
elig_loss_cfg elig_task_loss(const elig_task *t) { return t->loss; }
int elig_task_max_steps(const elig_task *t) { return t->max_T; }

int elig_task_target_spikes(const elig_task *t, int32_t *times, int max)
{
    if (!t) return elig__err(ELIG_EINVAL, "elig_task_target_spikes: task is NULL");
    if (t->kind != ELIG_TASK_SPIKE_TIMING)
        return elig__err(ELIG_EINVAL, "elig_task_target_spikes: task.kind must be spike_timing (%d) (got %d)", ELIG_TASK_SPIKE_TIMING, t->kind);
    if (max < 0 || (max > 0 && !times))
        return elig__err(ELIG_EINVAL, "elig_task_target_spikes: max must be >= 0 with room in times (got %d, times %s)", max,
                         times ? "given" : "NULL");
    int n = 0;
    for (int s = 0; s < t->T; s++)
        if (t->y[(size_t)s * t->n_out] != 0) {
            if (n < max) times[n] = s;
            n++;
        }
    return n;
}

int elig_task_level(const elig_task *t)
{
    if (!t) return elig__err(ELIG_EINVAL, "elig_task_level: task is NULL");
    if (t->kind != ELIG_TASK_COPY)
        return elig__err(ELIG_EINVAL, "elig_task_level: task.kind must be copy (%d) (got %d)", ELIG_TASK_COPY, t->kind);
    return t->level;
}

int elig_task_set_level(elig_task *t, int level)
{
    if (!t) return elig__err(ELIG_EINVAL, "elig_task_set_level: task is NULL");
    if (t->kind != ELIG_TASK_COPY)
        return elig__err(ELIG_EINVAL, "elig_task_set_level: task.kind must be copy (%d) (got %d)", ELIG_TASK_COPY, t->kind);
    if (level < 1 || level > t->cfg.cp_max_level)
        return elig__err(ELIG_EINVAL, "task level must be in [1, cp_max_level = %d] (got %d)", t->cfg.cp_max_level, level);
    t->level = level;
    t->T = 2 * level + 1;
    return ELIG_OK;
}

int elig_task_curriculum(elig_task *t, double loss_bits)
{
    if (!t) return elig__err(ELIG_EINVAL, "elig_task_curriculum: task is NULL");
    if (t->kind != ELIG_TASK_COPY)
        return elig__err(ELIG_EINVAL, "elig_task_curriculum: task.kind must be copy (%d) (got %d)", ELIG_TASK_COPY, t->kind);
    /* A cross-entropy is >= 0; NaN or a negative value is a caller's bug, not progress. */
    if (!(loss_bits >= 0) || !isfinite(loss_bits))
        return elig__err(ELIG_EINVAL, "elig_task_curriculum: loss_bits must be a finite number >= 0 (got %g)", loss_bits);
    if (loss_bits >= t->cfg.cp_threshold || t->level >= t->cfg.cp_max_level) return 0;
    t->level++;
    t->T = 2 * t->level + 1;
    return 1;
}

/* ---------------------------------------------------------------- sampling */

/* Bernoulli spikes with probability p on channels [c0, c0 + n) of steps [s0, s1) of one
 * sequence x (T, n_in). p == 0 draws nothing. */
static void poisson(elig_rng *r, elig_real *x, int n_in, int s0, int s1, int c0, int n, double p)
{
    if (p <= 0) return;
    for (int s = s0; s < s1; s++) {
        elig_real *row = x + (size_t)s * n_in + c0;
        for (int i = 0; i < n; i++)
            if (elig_rng_uniform(r) < p) row[i] = 1;
    }
}

/* One copy sequence at the current level: x (T, 3), target (T, 2) or NULL. The bits are
 * drawn whether or not the target is wanted, so the input stream does not depend on it. */
static void copy_one(elig_task *t, elig_real *x, elig_real *target)
{
    const int L = t->level, T = t->T;
    memset(x, 0, (size_t)T * 3 * sizeof(elig_real));
    if (target) memset(target, 0, (size_t)T * 2 * sizeof(elig_real));
    for (int k = 0; k < L; k++) {
        const int bit = elig_rng_uniform(&t->rng) < 0.5;
        x[(size_t)k * 3] = (elig_real)bit;
        x[(size_t)k * 3 + 1] = 1;
        if (target) target[(size_t)(L + 1 + k) * 2 + bit] = 1;
    }
    for (int s = L; s < T; s++) x[(size_t)s * 3 + 2] = 1; /* delimiter, then the recall cue */
}

static int evidence_one(elig_task *t, elig_real *x, elig_real *target)
{
    const elig_task_cfg *c = &t->cfg;
    const int T = t->T, n_in = t->n_in, G = c->ea_group;
    elig_rng *r = &t->rng;
    memset(x, 0, (size_t)T * n_in * sizeof(elig_real));
    double p_right = elig_rng_uniform(r) < 0.5 ? c->ea_p_major : 1.0 - c->ea_p_major;
    int n_right = 0;
    for (int k = 0; k < c->ea_n_cues; k++) {
        int right = elig_rng_uniform(r) < p_right;
        n_right += right;
        poisson(r, x, n_in, t->cue_begin[k], t->cue_end[k], right ? G : 0, G, t->p_cue);
    }
    poisson(r, x, n_in, t->recall_begin, T, 2 * G, G, t->p_cue);
    poisson(r, x, n_in, 0, T, 3 * G, G, t->p_noise);
    int label = 2 * n_right > c->ea_n_cues;
    if (target) {
        memset(target, 0, (size_t)T * 2 * sizeof(elig_real));
        for (int s = t->recall_begin; s < T; s++) target[(size_t)s * 2 + label] = 1;
    }
    return label;
}

int elig_task_sample(elig_task *t, int batch, elig_real *x, elig_real *target, int32_t *labels)
{
    if (!t) return elig__err(ELIG_EINVAL, "elig_task_sample: task is NULL");
    if (batch < 1) return elig__err(ELIG_EINVAL, "task sample batch must be >= 1 (got %d)", batch);
    if (!x) return elig__err(ELIG_EINVAL, "task sample x must be given (got NULL)");
    const size_t T = (size_t)t->T, xs = T * (size_t)t->n_in, ys = T * (size_t)t->n_out;
    size_t chk;
    if (elig__mul((size_t)batch, xs, &chk) || elig__mul(chk, sizeof(elig_real), &chk) || elig__mul((size_t)batch, ys, &chk) ||
        elig__mul(chk, sizeof(elig_real), &chk))
        return elig__err(ELIG_EINVAL, "task sample batch %d too large for sequences of %zu x %d", batch, T, t->n_in);
    for (int b = 0; b < batch; b++) {
        elig_real *xb = x + (size_t)b * xs, *yb = target ? target + (size_t)b * ys : NULL;
        int32_t lab = -1;
        if (t->kind == ELIG_TASK_PATTERN || t->kind == ELIG_TASK_PERIODIC || t->kind == ELIG_TASK_SPIKE_TIMING) {
            if (t->x)
                memcpy(xb, t->x, xs * sizeof(elig_real));
            else
                memset(xb, 0, xs * sizeof(elig_real)); /* periodic: no input */
            if (yb) memcpy(yb, t->y, ys * sizeof(elig_real));
        } else if (t->kind == ELIG_TASK_COPY) {
            copy_one(t, xb, yb);
        } else if (t->kind == ELIG_TASK_EVIDENCE) {
            lab = evidence_one(t, xb, yb);
        } else {
            size_t i = (size_t)(((long long)t->next + b) % t->n_seq);
            memcpy(xb, t->x + i * xs, xs * sizeof(elig_real));
            if (t->y) {
                if (yb) memcpy(yb, t->y + i * ys, ys * sizeof(elig_real));
            } else {
                lab = t->labels[i];
                if (yb) {
                    memset(yb, 0, ys * sizeof(elig_real));
                    for (size_t s = 0; s < T; s++) yb[s * (size_t)t->n_out + (size_t)lab] = 1;
                }
            }
        }
        if (labels) labels[b] = lab;
    }
    if (t->kind == ELIG_TASK_ARRAY) t->next = (int)(((long long)t->next + batch) % t->n_seq);
    return ELIG_OK;
}

/* ---------------------------------------------------------------- accuracy */

int elig_count_correct(const elig_real *y, const int32_t *labels, int T, int batch, int n_out,
                       int win_begin, int win_end)
{
    if (!y || !labels) return elig__err(ELIG_EINVAL, "elig_count_correct: y and labels must be given (got NULL)");
    if (T < 1) return elig__err(ELIG_EINVAL, "elig_count_correct: T must be >= 1 (got %d)", T);
    if (batch < 1) return elig__err(ELIG_EINVAL, "elig_count_correct: batch must be >= 1 (got %d)", batch);
    if (n_out < 1) return elig__err(ELIG_EINVAL, "elig_count_correct: n_out must be >= 1 (got %d)", n_out);
    /* Window as in elig_loss_cfg: negative counts from the end, win_end 0 = the end. */
    long b0 = win_begin < 0 ? (long)T + win_begin : win_begin;
    long b1 = win_end <= 0 ? (long)T + win_end : win_end;
    if (b0 < 0 || b1 > T || b0 >= b1)
        return elig__err(ELIG_EINVAL, "elig_count_correct: window [%d, %d) must be a non-empty part of [0, T = %d) (got [%ld, %ld))",
                         win_begin, win_end, T, b0, b1);
    const double len = (double)(b1 - b0);
    const size_t stride = (size_t)batch * (size_t)n_out;
    int correct = 0;
    for (int b = 0; b < batch; b++) {
        int best = 0;
        double best_v = 0;
        for (int k = 0; k < n_out; k++) {
            double s = 0;
            for (long t = b0; t < b1; t++) s += (double)y[(size_t)t * stride + (size_t)b * n_out + k];
            double mean = s / len;
            if (k == 0 || mean > best_v) {
                best = k;
                best_v = mean;
            }
        }
        correct += best == labels[b];
    }
    return correct;
}
