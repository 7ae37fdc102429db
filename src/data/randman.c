/* randman.c -- Randman spike-timing classification data (Zenke & Vogels 2021, Neural
 * Computation; fzenke/randman, MIT), following make_spiking_dataset and the Randman class:
 *
 *   per class k, points x_s ~ U[0,1]^D (s < nb_samples); per sub-manifold i < nb_spikes a
 *   fresh manifold with, per unit u and dimension d, a_j, b_j, c_j ~ U(0,1) (j < F):
 *       g_{u,d}(x) = sum_j a_j (j+1)^-alpha sin(2 pi (j x b_j + c_j)),  a_0 = 0 without bias
 *       f_u(x)     = prod_d g_{u,d}(x_d)
 *   F = min(ceil(prec^(-1/alpha)), 1000); y = (f - min_s f)/(max_s f - min_s f + 1e-7) per unit
 *   over the class's samples; spike time y * nb_steps * step_frac (in steps).
 *
 * Random stream (elig_rng, seeded from cfg->seed), in this order: per class the points, then
 * per sub-manifold and unit the parameters (d, then a/b/c, then j: the layout of the
 * reference's torch.rand(units, dim, 3, F)); then the shuffle. The numbers differ from the
 * Python reference (another RNG); the construction is the same. Evaluated in double, stored
 * as float, so every build gives the same times.
 *
 * Cost: N * nb_spikes * nb_units * D * F evaluations of sin; one temporary allocation of
 * (nb_samples * (D + 1) + D * 3 * F + F) doubles.
 */
#include "data_internal.h"

#include <math.h>
#include <string.h>

#define RM_EPS 1e-7
#define RM_MAX_F 1000

elig_randman_cfg elig_randman_cfg_default(void)
{
    elig_randman_cfg c = {.nb_classes = 10, .nb_units = 100, .nb_steps = 100, .dim_manifold = 2, .nb_spikes = 1,
                          .nb_samples = 1000, .alpha = 2.0, .prec = 1e-3, .step_frac = 1.0, .use_bias = 0, .shuffle = 1,
                          .seed = 1};
    return c;
}

static int cutoff(const elig_randman_cfg *c)
{
    double f = ceil(pow(c->prec, -1.0 / c->alpha));
    return f > RM_MAX_F || !(f == f) ? RM_MAX_F : (int)f;
}

int elig_randman_check(const elig_randman_cfg *c)
{
    if (!c) return elig__err(ELIG_EINVAL, "randman: cfg must not be NULL");
    if (c->nb_classes < 1 || c->nb_classes > 65536) return elig__err(ELIG_EINVAL, "randman: nb_classes must be in 1..65536 (got %d)", c->nb_classes);
    if (c->nb_units < 1 || c->nb_units > 65536) return elig__err(ELIG_EINVAL, "randman: nb_units must be in 1..65536 (got %d)", c->nb_units);
    if (c->nb_steps < 1) return elig__err(ELIG_EINVAL, "randman: nb_steps must be >= 1 (got %d)", c->nb_steps);
    if (c->dim_manifold < 1 || c->dim_manifold > 64) return elig__err(ELIG_EINVAL, "randman: dim_manifold must be in 1..64 (got %d)", c->dim_manifold);
    if (c->nb_spikes < 1 || c->nb_spikes > 1024) return elig__err(ELIG_EINVAL, "randman: nb_spikes must be in 1..1024 (got %d)", c->nb_spikes);
    if (c->nb_samples < 1) return elig__err(ELIG_EINVAL, "randman: nb_samples must be >= 1 (got %d)", c->nb_samples);
    if (!(c->alpha > 0) || !isfinite(c->alpha)) return elig__err(ELIG_EINVAL, "randman: alpha must be > 0 (got %g)", c->alpha);
    if (!(c->prec > 0 && c->prec < 1)) return elig__err(ELIG_EINVAL, "randman: prec must be in (0, 1) (got %g)", c->prec);
    if (!(c->step_frac > 0 && c->step_frac <= 1)) return elig__err(ELIG_EINVAL, "randman: step_frac must be in (0, 1] (got %g)", c->step_frac);
    size_t n, m;
    if (elig__mul((size_t)c->nb_classes, (size_t)c->nb_samples, &n) || elig__mul(n, (size_t)c->nb_spikes, &m) ||
        elig__mul(m, (size_t)c->nb_units, &m) || elig__mul(m, (size_t)c->nb_steps, &m) || elig__mul(m, sizeof(double), &m))
        return elig__err(ELIG_EINVAL, "randman: nb_classes * nb_samples * nb_spikes * nb_units * nb_steps overflows");
    return ELIG_OK;
}

size_t elig_randman_n(const elig_randman_cfg *c)
{
    if (elig_randman_check(c)) return 0;
    return (size_t)c->nb_classes * (size_t)c->nb_samples;
}

int elig_randman_generate(const elig_randman_cfg *c, float *times, int32_t *labels)
{
    int rc = elig_randman_check(c);
    if (rc) return rc;
    if (!times || !labels) return elig__err(ELIG_EINVAL, "randman: times and labels must not be NULL");
    const int D = c->dim_manifold, F = cutoff(c), U = c->nb_units, K = c->nb_spikes, S = c->nb_samples;
    const size_t row = (size_t)K * (size_t)U, N = (size_t)c->nb_classes * (size_t)S;
    size_t nd = (size_t)S * (size_t)D + (size_t)S + (size_t)D * 3 * (size_t)F + (size_t)F;
    double *tmp = elig__malloc(nd * sizeof(double));
    if (!tmp) return elig__err(ELIG_ENOMEM, "randman: cannot allocate %zu bytes", nd * sizeof(double));
    double *x = tmp, *y = x + (size_t)S * D, *par = y + S, *spect = par + (size_t)D * 3 * F;
    for (int j = 0; j < F; j++) spect[j] = pow((double)(j + 1), -c->alpha);
    const double two_pi = 6.283185307179586, scale = (double)c->nb_steps * c->step_frac;
    elig_rng rng;
    elig_rng_seed(&rng, c->seed);
    for (int k = 0; k < c->nb_classes; k++) {
        for (size_t i = 0; i < (size_t)S * D; i++) x[i] = elig_rng_uniform(&rng);
        for (int m = 0; m < K; m++) {
            for (int u = 0; u < U; u++) {
                for (int i = 0; i < D * 3 * F; i++) par[i] = elig_rng_uniform(&rng);
                if (!c->use_bias)
                    for (int d = 0; d < D; d++) par[(size_t)d * 3 * F] = 0; /* a_0 */
                double lo = INFINITY, hi = -INFINITY;
                for (int s = 0; s < S; s++) {
                    double f = 1.0;
                    for (int d = 0; d < D; d++) {
                        const double *a = par + (size_t)d * 3 * F, *b = a + F, *cc = b + F, xv = x[(size_t)s * D + d];
                        double g = 0;
                        for (int j = 0; j < F; j++) g += a[j] * spect[j] * sin(two_pi * ((double)j * xv * b[j] + cc[j]));
                        f *= g;
                    }
                    y[s] = f;
                    if (f < lo) lo = f;
                    if (f > hi) hi = f;
                }
                for (int s = 0; s < S; s++) {
                    size_t r = (size_t)k * S + (size_t)s;
                    times[r * row + (size_t)m * U + (size_t)u] = (float)((y[s] - lo) / (hi - lo + RM_EPS) * scale);
                }
            }
        }
        for (int s = 0; s < S; s++) labels[(size_t)k * S + (size_t)s] = k;
    }
    if (c->shuffle) /* Fisher-Yates over rows, swapping in place */
        for (size_t i = N - 1; i > 0; i--) {
            size_t j = (size_t)(elig_rng_uniform(&rng) * (double)(i + 1));
            if (j == i) continue;
            float *a = times + i * row, *b = times + j * row;
            for (size_t q = 0; q < row; q++) {
                float t = a[q];
                a[q] = b[q];
                b[q] = t;
            }
            int32_t l = labels[i];
            labels[i] = labels[j];
            labels[j] = l;
        }
    elig__free(tmp);
    return ELIG_OK;
}

int elig_randman_dense(const elig_randman_cfg *c, const float *times, elig_real *x)
{
    int rc = elig_randman_check(c);
    if (rc) return rc;
    if (!times || !x) return elig__err(ELIG_EINVAL, "randman: times and x must not be NULL");
    const size_t U = (size_t)c->nb_units, K = (size_t)c->nb_spikes, T = (size_t)c->nb_steps;
    const size_t N = (size_t)c->nb_classes * (size_t)c->nb_samples;
    memset(x, 0, N * T * U * sizeof *x);
    for (size_t s = 0; s < N; s++)
        for (size_t k = 0; k < K; k++)
            for (size_t u = 0; u < U; u++) {
                double t = floor((double)times[(s * K + k) * U + u]);
                size_t step = !(t >= 0) ? 0 : t >= (double)T ? T - 1 : (size_t)t;
                x[(s * T + step) * U + u] += 1;
            }
    return ELIG_OK;
}
