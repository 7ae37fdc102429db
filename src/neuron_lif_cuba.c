/* neuron_lif_cuba.c -- current-based leaky integrate-and-fire neuron with synaptic current.
 *
 * State h = (I, U). With beta_s = exp(-dt/tau_syn), beta_m = exp(-dt/tau_mem), zeta = 1 or
 * (1 - beta_m) (input_leak_scale), A = z_amp (1 or 1/dt), r_{t-1} = 1 if refractory:
 *
 *   I_t = beta_s I_{t-1} + c_t
 *   U_t = beta_m U_{t-1} + zeta I_t - v_th z_{t-1}/A              (reset = subtract)
 *   U_t = (beta_m U_{t-1} + zeta I_t) (1 - z_{t-1}/A)              (reset = zero)
 *   z_t = A H(U_t - v_th) unless refractory;  psi_t = sigma'(U_t - v_th), 0 if refractory
 *
 * Partials (g = 1 for subtract, 1 - z_{t-1}/A for zero; the zero-reset factor is part of D):
 *   D = [[beta_s, 0], [zeta beta_s g, beta_m g]]   dc = (1, zeta g)   dzdh = (0, A psi)
 *   dzr = (0, -v_th/A) or (0, -(beta_m U_{t-1} + zeta I_t)/A), zero if detach_reset.
 * The membrane is not clamped while refractory (as in e-prop); the neuron just cannot fire.
 *
 * | parameter        | unit | default | meaning                                   |
 * |------------------|------|---------|-------------------------------------------|
 * | tau_mem          | ms   | 10      | membrane time constant                    |
 * | tau_syn          | ms   | 5       | synaptic current time constant            |
 * | v_th             | 1    | 1       | threshold                                 |
 * | t_ref            | ms   | 0       | refractory period (silent steps)          |
 * | reset            | -    | subtract| subtract v_th, or set to zero             |
 * | detach_reset     | 0/1  | 0       | reset path carries no gradient            |
 * | input_leak_scale | 0/1  | 1       | zeta = 1 - beta_m (1) or 1 (0)            |
 * | spike_per_dt     | 0/1  | 0       | spikes of height 1/dt                     |
 * | surrogate        | -    | fast_sigmoid (gamma 1, beta 100)              |
 * Cost per step: ~15 flops per neuron plus one surrogate evaluation.
 */
#include "neuron.h"

#include <math.h>

static void defaults(elig_neuron_params *p)
{
    p->tau_mem = 10.0;
    p->tau_syn = 5.0;
    p->input_leak_scale = 1;
    p->surrogate = &elig_surrogate_fast_sigmoid;
    p->sg_gamma = elig_surrogate_fast_sigmoid.gamma_default;
    p->sg_beta = elig_surrogate_fast_sigmoid.beta_default;
}

static int check(const elig_neuron_params *p, double dt, const char *where)
{
    int rc = elig__check_spiking_common(p, dt, where);
    if (rc) return rc;
    return elig__check_pos(p->tau_syn, where, "tau_syn", "ms");
}

static void derive(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    elig__derive_common(p, dt, k);
    k->decay_syn = (elig_real)exp(-dt / p->tau_syn);
}

static void step(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c, elig_real *restrict z,
                 const elig_partials *part)
{
    const elig_real bs = k->decay_syn, bm = k->decay_mem, zeta = k->in_scale, A = k->z_amp;
    for (int i = 0; i < n; i++) {
        elig_real I = bs * h[2 * i] + c[i];
        elig_real g, dzr;
        elig_real U = elig__reset(k, bm * h[2 * i + 1] + zeta * I, z_prev[i], &g, &dzr);
        h[2 * i] = I;
        h[2 * i + 1] = U;
        elig_real psi = elig__fire(k, U - k->v_th, &ref[i], &z[i]);
        elig_real *D = part->D + 4 * i;
        D[0] = bs; D[1] = 0; D[2] = zeta * bs * g; D[3] = bm * g;
        part->dzr[2 * i] = 0;
        part->dzr[2 * i + 1] = dzr;
        part->dza[2 * i] = 0;
        part->dza[2 * i + 1] = 0;
        part->dc[2 * i] = 1;
        part->dc[2 * i + 1] = zeta * g;
        part->dzdh[2 * i] = 0;
        part->dzdh[2 * i + 1] = A * psi;
    }
}

static int pre_only(const elig_neuron_consts *k) { return k->reset == ELIG_RESET_SUBTRACT; }

const elig_neuron_model elig_neuron_lif_cuba = {"lif_cuba", 2, 1, defaults, check, derive, step, pre_only};
