/* neuron_lif.c -- leaky integrate-and-fire neuron without synaptic current, in the exact form
 * of the e-prop reference code (Bellec et al. 2020, LightLIF / EligALIF without adaptation).
 *
 * State h = (v). alpha = exp(-dt/tau_mem), zeta = 1 or (1 - alpha), A = 1 or 1/dt:
 *
 *   v_t = alpha v_{t-1} + zeta c_t - v_th z_{t-1}/A            (reset = subtract, default)
 *   v_t = (alpha v_{t-1} + zeta c_t)(1 - z_{t-1}/A)             (reset = zero)
 *   z_t = A H(v_t - v_th) unless refractory (strict >), psi_t = sigma'(v_t - v_th) or 0
 *
 * Partials: D = alpha g, dc = zeta g, dzdh = A psi, dzr = -v_th/A (subtract) or
 * -(alpha v_{t-1} + zeta c_t)/A (zero), zero if detach_reset; g = 1 or 1 - z_{t-1}/A.
 *
 * | parameter        | unit | default | meaning                                        |
 * |------------------|------|---------|------------------------------------------------|
 * | tau_mem          | ms   | 20      | membrane time constant                         |
 * | v_th             | 1    | 0.6     | threshold                                      |
 * | t_ref            | ms   | 0       | refractory period (silent steps after a spike) |
 * | reset            | -    | subtract| subtract v_th, or set to zero                  |
 * | detach_reset     | 0/1  | 0       | reset path carries no gradient (exact rules)   |
 * | input_leak_scale | 0/1  | 0       | zeta = 1 - alpha (1) or 1 (0)                  |
 * | spike_per_dt     | 0/1  | 0       | z = H/dt, reset subtracts v_th dt z            |
 * | surrogate        | -    | pwl (gamma 0.3, beta 1): (0.3/v_th) max(0, 1 - |v - v_th|/v_th) |
 * Cost per step: ~10 flops per neuron plus one surrogate evaluation.
 */
#include "neuron.h"

static void defaults(elig_neuron_params *p)
{
    p->tau_mem = 20.0;
    p->v_th = 0.6;
}

static int check(const elig_neuron_params *p, double dt, const char *where)
{
    return elig__check_spiking_common(p, dt, where);
}

static void derive(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    elig__derive_common(p, dt, k);
}

static void step(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c, elig_real *restrict z,
                 const elig_partials *part)
{
    const elig_real alpha = k->decay_mem, zeta = k->in_scale, A = k->z_amp;
    for (int i = 0; i < n; i++) {
        elig_real g, dzr;
        elig_real v = elig__reset(k, alpha * h[i] + zeta * c[i], z_prev[i], &g, &dzr);
        h[i] = v;
        elig_real psi = elig__fire(k, v - k->v_th, &ref[i], &z[i]);
        part->D[i] = alpha * g;
        part->dzr[i] = dzr;
        part->dza[i] = 0;
        part->dc[i] = zeta * g;
        part->dzdh[i] = A * psi;
    }
}

static int pre_only(const elig_neuron_consts *k) { return k->reset == ELIG_RESET_SUBTRACT; }

const elig_neuron_model elig_neuron_lif = {"lif", 1, 1, defaults, check, derive, step, pre_only};
