/* neuron_rate.c -- leaky tanh rate unit, the RFLO / RTRL rate reference (Murray 2019).
 *
 * State h, output z = h (the unit's rate is its state), u_t = c_t = W_in x_t + W_rec h_{t-1}:
 *
 *   h_t = h_{t-1} + (tanh(u_t) - h_{t-1}) / tau,   tau = tau_mem/dt steps
 *
 * Partials: D = 1 - 1/tau, dc = (1 - tanh(u)^2)/tau, dzdh = 1, dzr = dza = 0.
 *
 * | parameter | unit | default | meaning                                  |
 * |-----------|------|---------|------------------------------------------|
 * | tau_mem   | ms   | 10      | time constant (10 steps at dt = 1 ms)    |
 * | h0        | 1    | 0       | state at the start of every sequence (RFLO's notebook: 0.1) |
 * Cost per step: one tanh and ~6 flops per unit.
 */
#include "neuron.h"

#include <math.h>

static void defaults(elig_neuron_params *p) { p->tau_mem = 10.0; }

static int check(const elig_neuron_params *p, double dt, const char *where)
{
    int rc = elig__check_pos(p->tau_mem, where, "tau_mem", "ms");
    if (rc) return rc;
    if (!(p->h0 > -1 && p->h0 < 1))
        return elig__err(ELIG_EINVAL, "%s.h0 must be in (-1, 1), the range of tanh (got %g)", where, p->h0);
    if (p->tau_mem < dt)
        return elig__err(ELIG_EINVAL, "%s.tau_mem must be >= dt for a stable rate unit (got %g ms, dt %g ms)", where,
                         p->tau_mem, dt);
    return ELIG_OK;
}

static void derive(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    k->inv_tau = (elig_real)(dt / p->tau_mem);
    k->decay_mem = 1 - k->inv_tau;
    k->z_amp = 1;
}

static void step(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c, elig_real *restrict z,
                 const elig_partials *part)
{
    const elig_real it = k->inv_tau;
    for (int i = 0; i < n; i++) {
        elig_real th = (elig_real)tanh((double)c[i]);
        h[i] = h[i] + (th - h[i]) * it;
        z[i] = h[i];
        part->D[i] = 1 - it;
        part->dzr[i] = 0;
        part->dza[i] = 0;
        part->dc[i] = (1 - th * th) * it;
        part->dzdh[i] = 1;
    }
}

const elig_neuron_model elig_neuron_rate = {"rate", 1, 0, defaults, check, derive, step, NULL};
