/* encode.c -- spike encoders: time-to-first-spike (latency) coding of images, sigma-delta
 * ON/OFF coding of analog streams, and binning of (time, unit) spike lists into dense steps.
 *
 *   TTFS (spytorch, Zenke; datasets.md §2.1): T = tau_eff ln(x / (x - thr)) for x > thr, the
 *       spike at step floor(T) if T < nb_steps; brighter pixels fire earlier, x -> thr never.
 *   sigma-delta (Müller-Cleve et al. 2022, Braille): a reference r follows the signal in
 *       steps of theta; each step up is an ON spike, each step down an OFF spike.
 *   binning: spike k at step floor(t_k / dt), counts or clipped to 0/1.
 *
 * No allocation; every function clears its dense output first. Cost: O(output) for the
 * clear plus O(inputs) (sigma-delta: plus the spikes emitted).
 */
#include "data_internal.h"

#include <math.h>
#include <string.h>

#define SD_MAX_JUMP 1048576.0 /* 2^20 thresholds in one step: bounds the sigma-delta loop */

int elig_ttfs_step(double x, double thr, double tau_eff, int nb_steps)
{
    if (!(thr > 0) || !(tau_eff > 0) || nb_steps <= 0 || !(x > thr)) return -1;
    double T = tau_eff * log(x / (x - thr));
    if (!(T < (double)nb_steps)) return -1; /* also catches x = inf (T = 0 is fine) and NaN */
    return (int)floor(T);
}

int elig_encode_ttfs(const elig_real *x, int n, double thr, double tau_eff, int nb_steps, elig_real *out)
{
    if (!x || !out) return elig__err(ELIG_EINVAL, "ttfs: x and out must not be NULL");
    if (n <= 0) return elig__err(ELIG_EINVAL, "ttfs: n must be > 0 (got %d)", n);
    if (!(thr > 0) || !isfinite(thr)) return elig__err(ELIG_EINVAL, "ttfs: thr must be > 0 (got %g)", thr);
    if (!(tau_eff > 0) || !isfinite(tau_eff)) return elig__err(ELIG_EINVAL, "ttfs: tau_eff must be > 0 steps (got %g)", tau_eff);
    if (nb_steps <= 0) return elig__err(ELIG_EINVAL, "ttfs: nb_steps must be > 0 (got %d)", nb_steps);
    size_t total;
    if (elig__mul((size_t)n, (size_t)nb_steps, &total)) return elig__err(ELIG_EINVAL, "ttfs: nb_steps * n overflows");
    memset(out, 0, total * sizeof *out);
    for (int i = 0; i < n; i++) {
        int s = elig_ttfs_step((double)x[i], thr, tau_eff, nb_steps);
        if (s >= 0) out[(size_t)s * (size_t)n + (size_t)i] = 1;
    }
    return ELIG_OK;
}

int elig_encode_sigma_delta(const elig_real *x, int T, int n, double theta, elig_real *out)
{
    if (!x || !out) return elig__err(ELIG_EINVAL, "sigma_delta: x and out must not be NULL");
    if (T <= 0 || n <= 0) return elig__err(ELIG_EINVAL, "sigma_delta: T and n must be > 0 (got %d, %d)", T, n);
    if (!(theta > 0) || !isfinite(theta)) return elig__err(ELIG_EINVAL, "sigma_delta: theta must be > 0 (got %g)", theta);
    size_t w, total;
    if (elig__mul((size_t)n, 2, &w) || elig__mul(w, (size_t)T, &total))
        return elig__err(ELIG_EINVAL, "sigma_delta: T * 2n overflows");
    memset(out, 0, total * sizeof *out);
    for (int i = 0; i < n; i++) {
        double r = (double)x[i];
        for (int t = 0; t < T; t++) {
            double v = (double)x[(size_t)t * (size_t)n + (size_t)i];
            if (fabs(v - r) > SD_MAX_JUMP * theta)
                return elig__err(ELIG_EINVAL, "sigma_delta: channel %d jumps by %g at step %d, more than 2^20 theta (theta %g)",
                                 i, v - r, t, theta);
            elig_real *on = out + (size_t)t * w + 2 * (size_t)i, *off = on + 1;
            while (v - r >= theta) {
                *on += 1;
                r += theta;
            }
            while (r - v >= theta) {
                *off += 1;
                r -= theta;
            }
        }
    }
    return ELIG_OK;
}

int elig_bin_spikes(const float *times, const uint16_t *units, size_t n, double dt, int nb_steps, int n_units, int clip,
                    elig_real *out, size_t *dropped)
{
    if (dropped) *dropped = 0;
    if (!out || (n && (!times || !units))) return elig__err(ELIG_EINVAL, "bin_spikes: times, units and out must not be NULL");
    if (!(dt > 0) || !isfinite(dt)) return elig__err(ELIG_EINVAL, "bin_spikes: dt must be > 0 (got %g)", dt);
    if (nb_steps <= 0 || n_units <= 0)
        return elig__err(ELIG_EINVAL, "bin_spikes: nb_steps and n_units must be > 0 (got %d, %d)", nb_steps, n_units);
    size_t total;
    if (elig__mul((size_t)nb_steps, (size_t)n_units, &total)) return elig__err(ELIG_EINVAL, "bin_spikes: nb_steps * n_units overflows");
    memset(out, 0, total * sizeof *out);
    size_t drop = 0;
    for (size_t k = 0; k < n; k++) {
        double s = floor((double)times[k] / dt);
        if (!(s >= 0 && s < nb_steps) || units[k] >= n_units) {
            drop++;
            continue;
        }
        elig_real *o = out + (size_t)s * (size_t)n_units + units[k];
        *o = clip ? 1 : *o + 1;
    }
    if (dropped) *dropped = drop;
    return ELIG_OK;
}

int elig_spike_set_bin(const elig_spike_set *s, size_t sample, double dt, int nb_steps, int n_units, int clip,
                       elig_real *out, size_t *dropped)
{
    if (dropped) *dropped = 0;
    if (!s || !s->offset) return elig__err(ELIG_EINVAL, "spike_set_bin: s must not be NULL");
    if (sample >= s->n_samples)
        return elig__err(ELIG_EINVAL, "spike_set_bin: sample %zu out of range (n_samples %zu)", sample, s->n_samples);
    size_t a = s->offset[sample], b = s->offset[sample + 1];
    if (b < a) return elig__err(ELIG_EINVAL, "spike_set_bin: offset decreases at sample %zu", sample);
    return elig_bin_spikes(s->times ? s->times + a : NULL, s->units ? s->units + a : NULL, b - a, dt, nb_steps, n_units, clip,
                           out, dropped);
}
