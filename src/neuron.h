/* neuron.h -- the neuron-model method table and the local partial derivatives it supplies.
 *
 * A model advances n neurons of one layer by one step. Its state per neuron is s numbers
 * h_i = (h_i^0 .. h_i^{s-1}) stored neuron-major, (n, s). The layer's input current
 * c_i,t = sum_j W_in_ij pre_j,t + sum_k W_rec_ik z_k,t-1 + b_i is computed by the network.
 * The model's step is h_t = f(h_{t-1}, z_{t-1}, c_t), z_t = out(h_t); learning needs
 *
 *     D    (n, s, s)  dh_t/dh_{t-1} at fixed z_{t-1} and c_t      (leak, filters)
 *     dzr  (n, s)     dh_t/dz_{t-1} through the reset             (0 when detach_reset)
 *     dza  (n, s)     dh_t/dz_{t-1} through other local paths     (threshold adaptation)
 *     dc   (n, s)     dh_t/dc_t
 *     dzdh (n, s)     dz_t/dh_t                                   (surrogate derivative)
 *
 * so the neuron-local Jacobian block is D + (dzr + dza) dzdh_{t-1}^T, and everything a rule
 * carries forward is built from these. The step does arithmetic only.
 */
#ifndef ELIG_NEURON_H
#define ELIG_NEURON_H

#include "internal.h"

#define ELIG_MAX_STATE 3

typedef struct {
    elig_real *D, *dzr, *dza, *dc, *dzdh;
} elig_partials;

/* Constants derived from the parameters and dt once, at create time. */
typedef struct {
    elig_real decay_mem, decay_syn, decay_adapt; /* exp(-dt/tau)                        */
    elig_real in_scale;      /* 1 or 1 - decay (membrane input)                         */
    elig_real adapt_scale;   /* 1 or 1 - decay_adapt                                    */
    elig_real inv_tau;       /* rate unit: dt / tau                                     */
    elig_real v_th, beta_adapt;
    elig_real decay_rp, w_rp;  /* DECOLLE refractory trace                                   */
    double adapt_fraction;   /* ALIF: share of adapting neurons (the last ones)          */
    elig_real z_amp;         /* spike amplitude: 1 or 1/dt                              */
    elig_real reset_amp;     /* subtracted per spike: v_th (the spike counted as 1)     */
    int32_t n_ref;           /* silent steps after a spike                              */
    int reset, detach_reset;
    int smooth;              /* z = z_amp S(x) instead of z_amp H(x)                    */
    const elig_surrogate *sg;
    double sg_gamma, sg_beta;
} elig_neuron_consts;

struct elig_neuron_model {
    const char *name;
    int n_state;
    int spiking;
    void (*defaults)(elig_neuron_params *p);
    /* Validate p; on error return ELIG_EINVAL with a message naming `where`.field. */
    int (*check)(const elig_neuron_params *p, double dt, const char *where);
    void (*derive)(const elig_neuron_params *p, double dt, elig_neuron_consts *k);
    /* h (n, s) in place; ref (n) refractory counters; z_prev (n) = z_{t-1}; c (n); z (n) out;
     * partials written for this step (never NULL). */
    void (*step)(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c,
                 elig_real *restrict z, const elig_partials *part);
    /* 1 if, with the reset path dropped, D and dc are the same for every neuron and step
     * and dza = 0: eligibility then depends on the presynaptic unit only. NULL = never. */
    int (*pre_only)(const elig_neuron_consts *k);
};

/* The reset of a membrane whose reset-free update is vpre: by subtraction (v_th per spike)
 * or to zero (a factor 1 - z/A on every path). Returns the membrane; *g is the factor on the
 * reset-free paths (1 or 1 - z_{t-1}/A), *dzr the reset path dv_t/dz_{t-1} (0 if detached). */
static inline elig_real elig__reset(const elig_neuron_consts *k, elig_real vpre, elig_real z_prev, elig_real *g,
                                    elig_real *dzr)
{
    const elig_real inv_A = 1 / k->z_amp;
    if (k->reset == ELIG_RESET_SUBTRACT) {
        *g = 1;
        *dzr = k->detach_reset ? 0 : -k->reset_amp * inv_A;
        return vpre - k->reset_amp * z_prev * inv_A;
    }
    *g = 1 - z_prev * inv_A;
    *dzr = k->detach_reset ? 0 : -vpre * inv_A;
    return vpre * *g;
}

/* Spike, surrogate and refractory counter for x = v - threshold: z = A H(x) (or A S(x) in the
 * smooth relaxation), nothing while refractory; returns psi = sigma'(x), 0 while refractory. */
static inline elig_real elig__fire(const elig_neuron_consts *k, elig_real x, int32_t *ref, elig_real *z)
{
    const int refractory = *ref > 0;
    const elig_real psi = refractory ? 0 : (elig_real)k->sg->deriv((double)x, k->sg_gamma, k->sg_beta, k->v_th);
    *z = k->smooth ? k->z_amp * (elig_real)k->sg->prim((double)x, k->sg_gamma, k->sg_beta, k->v_th)
                   : ((!refractory && x > 0) ? k->z_amp : 0);
    *ref = (!k->smooth && *z != 0) ? k->n_ref : (*ref > 0 ? *ref - 1 : 0);
    return psi;
}

/* Shared validation helpers (neuron_common.c). */
int elig__check_pos(double v, const char *where, const char *field, const char *unit);
int elig__check_nonneg(double v, const char *where, const char *field, const char *unit);
int elig__check_bool(int v, const char *where, const char *field);
int elig__check_spiking_common(const elig_neuron_params *p, double dt, const char *where);
void elig__derive_common(const elig_neuron_params *p, double dt, elig_neuron_consts *k);

#endif
