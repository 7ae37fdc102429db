/* neuron_common.c -- validation and derived constants shared by the neuron models, and the
 * lookups by name. Runs at create time only. */
#include "neuron.h"

#include <math.h>
#include <string.h>

int elig__check_pos(double v, const char *where, const char *field, const char *unit)
{
    if (!(v > 0) || !isfinite(v))
        return elig__err(ELIG_EINVAL, "%s.%s must be > 0%s%s (got %g)", where, field, *unit ? " " : "", unit, v);
    return ELIG_OK;
}

int elig__check_nonneg(double v, const char *where, const char *field, const char *unit)
{
    if (!(v >= 0) || !isfinite(v))
        return elig__err(ELIG_EINVAL, "%s.%s must be >= 0%s%s (got %g)", where, field, *unit ? " " : "", unit, v);
    return ELIG_OK;
}

int elig__check_bool(int v, const char *where, const char *field)
{
    if (v != 0 && v != 1) return elig__err(ELIG_EINVAL, "%s.%s must be 0 or 1 (got %d)", where, field, v);
    return ELIG_OK;
}

int elig__check_spiking_common(const elig_neuron_params *p, double dt, const char *where)
{
    int rc;
    if ((rc = elig__check_pos(p->tau_mem, where, "tau_mem", "ms"))) return rc;
    if ((rc = elig__check_pos(p->v_th, where, "v_th", ""))) return rc;
    if ((rc = elig__check_nonneg(p->t_ref, where, "t_ref", "ms"))) return rc;
    if (p->t_ref / dt > 1e6) return elig__err(ELIG_EINVAL, "%s.t_ref must be < 1e6 steps (got %g ms)", where, p->t_ref);
    if (p->reset != ELIG_RESET_SUBTRACT && p->reset != ELIG_RESET_ZERO)
        return elig__err(ELIG_EINVAL, "%s.reset must be subtract (0) or zero (1) (got %d)", where, p->reset);
    if ((rc = elig__check_bool(p->detach_reset, where, "detach_reset"))) return rc;
    if ((rc = elig__check_bool(p->input_leak_scale, where, "input_leak_scale"))) return rc;
    if ((rc = elig__check_bool(p->spike_per_dt, where, "spike_per_dt"))) return rc;
    if ((rc = elig__check_bool(p->smooth, where, "smooth"))) return rc;
    if (p->smooth && p->t_ref > 0)
        return elig__err(ELIG_EINVAL, "%s.t_ref must be 0 with smooth = 1 (got %g ms): a graded output has no refractory period",
                         where, p->t_ref);
    if (!p->surrogate) return elig__err(ELIG_EINVAL, "%s.surrogate must be set for a spiking model (got none)", where);
    if ((rc = elig__check_pos(p->sg_gamma, where, "sg_gamma", ""))) return rc;
    if ((rc = elig__check_pos(p->sg_beta, where, "sg_beta", ""))) return rc;
    return ELIG_OK;
}

void elig__derive_common(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    memset(k, 0, sizeof *k);
    k->decay_mem = (elig_real)exp(-dt / p->tau_mem);
    k->in_scale = p->input_leak_scale ? (elig_real)(1.0 - exp(-dt / p->tau_mem)) : (elig_real)1;
    k->v_th = (elig_real)p->v_th;
    k->z_amp = p->spike_per_dt ? (elig_real)(1.0 / dt) : (elig_real)1;
    k->reset_amp = (elig_real)p->v_th;
    k->n_ref = (int32_t)floor(p->t_ref / dt + 0.5);
    k->reset = p->reset;
    k->detach_reset = p->detach_reset;
    k->smooth = p->smooth;
    k->sg = p->surrogate;
    k->sg_gamma = p->sg_gamma;
    k->sg_beta = p->sg_beta;
}

const elig_neuron_model *elig_neuron_by_name(const char *name)
{
    static const elig_neuron_model *all[] = {&elig_neuron_lif_cuba, &elig_neuron_lif, &elig_neuron_alif,
                                             &elig_neuron_rate, &elig_neuron_decolle};
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

const char *elig_neuron_name(const elig_neuron_model *m) { return m ? m->name : "(none)"; }
int elig_neuron_n_state(const elig_neuron_model *m) { return m ? m->n_state : 0; }
int elig_neuron_is_spiking(const elig_neuron_model *m) { return m ? m->spiking : 0; }

elig_neuron_params elig_neuron_params_default(const elig_neuron_model *m)
{
    elig_neuron_params p;
    memset(&p, 0, sizeof p);
    p.tau_mem = 20.0;
    p.tau_syn = 5.0;
    p.tau_adapt = 200.0;
    p.beta_adapt = 1.8;
    p.v_th = 1.0;
    p.adapt_fraction = 1.0;
    p.tau_rp = 2.3;
    p.w_rp = 1.0;
    p.surrogate = &elig_surrogate_pwl;
    p.sg_gamma = elig_surrogate_pwl.gamma_default;
    p.sg_beta = elig_surrogate_pwl.beta_default;
    if (m && m->defaults) m->defaults(&p);
    return p;
}
