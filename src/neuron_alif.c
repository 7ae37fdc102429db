/* neuron_alif.c -- adaptive-threshold LIF (ALIF / LSNN, Bellec et al. 2018, 2020), in the form
 * of the e-prop reference code (EligALIF) and NEST's eprop_iaf_adapt.
 *
 * State h = (v, a). alpha = exp(-dt/tau_mem), rho = exp(-dt/tau_adapt), zeta = 1 or 1-alpha,
 * zeta_a = 1 or 1-rho (adapt_leak_scale), A = 1 or 1/dt:
 *
 *   a_t = rho a_{t-1} + zeta_a z_{t-1}
 *   B_t = v_th + beta a_t                                         (adaptive threshold)
 *   v_t = alpha v_{t-1} + zeta c_t - v_th z_{t-1}/A               (reset by the baseline v_th)
 *   z_t = A H(v_t - B_t) unless refractory; psi_t = sigma'(v_t - B_t) (pwl scaled by v_th)
 *
 * Partials: D = diag(alpha g, rho), dc = (zeta g, 0), dzdh = (A psi, -beta A psi),
 * dzr = (-v_th/A, 0) (0 if detach_reset), dza = (0, zeta_a): the adaptation path is a
 * neuron-local path that e-prop keeps in its two-component trace while dropping the reset.
 *
 * | parameter        | unit | default | meaning                                     |
 * |------------------|------|---------|---------------------------------------------|
 * | tau_mem          | ms   | 20      | membrane time constant                      |
 * | tau_adapt        | ms   | 2000    | adaptation time constant                    |
 * | beta_adapt       | 1    | 0.0174  | threshold increase per unit of a: the e-prop  |
 *                                   heuristic 1.7(1-e^{-1/2000})/(1-e^{-1/20}), i.e. at  |
 *                                   tau 2000/20 ms and dt 1 ms (set it for other taus)   |
 * | v_th             | 1    | 0.6     | baseline threshold                          |
 * | adapt_fraction   | 1    | 1       | the last round(f n) neurons adapt (e-prop: 0.5) |
 * | t_ref            | ms   | 0       | refractory period                           |
 * | adapt_leak_scale | 0/1  | 0       | a <- rho a + (1-rho) z instead of + z       |
 * | (reset, detach_reset, input_leak_scale, spike_per_dt, surrogate as for lif)   |
 * Cost per step: ~15 flops per neuron plus one surrogate evaluation.
 */
#include "neuron.h"

#include <math.h>

static void defaults(elig_neuron_params *p)
{
    p->tau_mem = 20.0;
    p->tau_adapt = 2000.0;
    p->v_th = 0.6;
    /* e-prop evidence-accumulation heuristic 1.7 (1 - rho)/(1 - alpha) at tau 2000/20 ms */
    p->beta_adapt = 1.7 * (1.0 - exp(-1.0 / 2000.0)) / (1.0 - exp(-1.0 / 20.0));
}

static int check(const elig_neuron_params *p, double dt, const char *where)
{
    int rc = elig__check_spiking_common(p, dt, where);
    if (rc) return rc;
    if ((rc = elig__check_pos(p->tau_adapt, where, "tau_adapt", "ms"))) return rc;
    if ((rc = elig__check_nonneg(p->beta_adapt, where, "beta_adapt", ""))) return rc;
    if (!(p->adapt_fraction >= 0 && p->adapt_fraction <= 1))
        return elig__err(ELIG_EINVAL, "%s.adapt_fraction must be in [0, 1] (got %g)", where, p->adapt_fraction);
    return elig__check_bool(p->adapt_leak_scale, where, "adapt_leak_scale");
}

static void derive(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    elig__derive_common(p, dt, k);
    k->decay_adapt = (elig_real)exp(-dt / p->tau_adapt);
    k->adapt_scale = p->adapt_leak_scale ? (elig_real)(1.0 - exp(-dt / p->tau_adapt)) : (elig_real)1;
    k->beta_adapt = (elig_real)p->beta_adapt;
    k->adapt_fraction = p->adapt_fraction;
}

static void step(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c, elig_real *restrict z,
                 const elig_partials *part)
{
    const elig_real alpha = k->decay_mem, rho = k->decay_adapt, zeta = k->in_scale, A = k->z_amp;
    const int n_plain = n - (int)floor(k->adapt_fraction * n + 0.5); /* neurons without adaptation */
    for (int i = 0; i < n; i++) {
        const elig_real beta = i < n_plain ? 0 : k->beta_adapt;
        elig_real a = rho * h[2 * i + 1] + k->adapt_scale * z_prev[i];
        elig_real g, dzr;
        elig_real v = elig__reset(k, alpha * h[2 * i] + zeta * c[i], z_prev[i], &g, &dzr);
        elig_real thr = k->v_th + beta * a;
        h[2 * i] = v;
        h[2 * i + 1] = a;
        elig_real psi = elig__fire(k, v - thr, &ref[i], &z[i]);
        elig_real *D = part->D + 4 * i;
        D[0] = alpha * g; D[1] = 0; D[2] = 0; D[3] = rho;
        part->dzr[2 * i] = dzr;
        part->dzr[2 * i + 1] = 0;
        part->dza[2 * i] = 0;
        part->dza[2 * i + 1] = k->adapt_scale;
        part->dc[2 * i] = zeta * g;
        part->dc[2 * i + 1] = 0;
        part->dzdh[2 * i] = A * psi;
        part->dzdh[2 * i + 1] = -beta * A * psi;
    }
}

const elig_neuron_model elig_neuron_alif = {"alif", 2, 1, defaults, check, derive, step, NULL};
