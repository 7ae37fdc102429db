/* neuron_decolle.c -- the LIF neuron of DECOLLE (Kaiser, Mostafa & Neftci 2020), written
 * postsynaptically.
 *
 * DECOLLE filters each input twice, Q_j <- beta Q_j + (1-beta) x_j, P_j <- alpha P_j +
 * (1-alpha) Q_j (previous Q), and sets U_i = sum_j W_ij P_j + b_i + R_i. The filters are
 * linear, so sum_j W_ij P_j is the same double filter applied to c_i = sum_j W_ij x_j; the
 * state per neuron is (Q, P, R) with c as input:
 *
 *   Q_t = beta Q_{t-1} + (1 - beta) c_t                beta  = exp(-dt/tau_syn)  (code: "beta")
 *   P_t = alpha P_{t-1} + (1 - alpha) Q_{t-1}          alpha = exp(-dt/tau_mem)  (code: "alpha")
 *   R_t = alpha_rp R_{t-1} - (1 - alpha_rp) w_rp z_{t-1}   alpha_rp = exp(-dt/tau_rp)
 *   U_t = P_t + R_t;   z_t = H(U_t - v_th);   psi_t = sigma'(U_t - v_th)
 *
 * (A bias b enters c, so it is filtered too; DECOLLE adds it to U directly. At steady input
 * the two agree.) Partials: D = [[beta,0,0],[1-alpha,alpha,0],[0,0,alpha_rp]],
 * dc = (1-beta, 0, 0), dzdh = (0, psi, psi), dzr = (0, 0, -(1-alpha_rp) w_rp) (the refractory
 * path, zero if detach_reset), dza = 0. With that path dropped, D and dc are shared by all
 * neurons: eligibility is presynaptic (the P trace), DECOLLE's O(n) memory.
 *
 * | parameter | unit | default | meaning                                              |
 * |-----------|------|---------|------------------------------------------------------|
 * | tau_syn   | ms   | 12      | first filter ("beta" 0.92 at dt 1 ms)                 |
 * | tau_mem   | ms   | 33      | second filter ("alpha" 0.97)                          |
 * | tau_rp    | ms   | 2.3     | refractory trace ("alpharp" 0.65)                     |
 * | w_rp      | 1    | 1       | refractory trace weight                               |
 * | v_th      | 1    | 0       | threshold (DECOLLE: 0)                                |
 * | surrogate | -    | fast_sigmoid, gamma 1, beta 10: 1/(10|U| + 1)^2            |
 * Cost per step: ~15 flops per neuron plus one surrogate evaluation.
 */
#include "neuron.h"

#include <math.h>

static void defaults(elig_neuron_params *p)
{
    p->tau_syn = -1.0 / log(0.92);
    p->tau_mem = -1.0 / log(0.97);
    p->tau_rp = -1.0 / log(0.65);
    p->w_rp = 1.0;
    p->v_th = 0.0;
    p->surrogate = &elig_surrogate_fast_sigmoid;
    p->sg_gamma = 1.0;
    p->sg_beta = 10.0;
}

static int check(const elig_neuron_params *p, double dt, const char *where)
{
    int rc;
    if ((rc = elig__check_pos(p->tau_mem, where, "tau_mem", "ms"))) return rc;
    if ((rc = elig__check_pos(p->tau_syn, where, "tau_syn", "ms"))) return rc;
    if ((rc = elig__check_pos(p->tau_rp, where, "tau_rp", "ms"))) return rc;
    if ((rc = elig__check_nonneg(p->w_rp, where, "w_rp", ""))) return rc;
    if (!isfinite(p->v_th) || p->v_th < 0) return elig__err(ELIG_EINVAL, "%s.v_th must be >= 0 (got %g)", where, p->v_th);
    if (p->t_ref != 0) return elig__err(ELIG_EINVAL, "%s.t_ref must be 0 for decolle: refractoriness is the R trace (got %g ms)", where, p->t_ref);
    if (p->reset != ELIG_RESET_SUBTRACT)
        return elig__err(ELIG_EINVAL, "%s.reset must be subtract for decolle: the R trace is its reset (got %d)", where, p->reset);
    if ((rc = elig__check_bool(p->detach_reset, where, "detach_reset"))) return rc;
    if ((rc = elig__check_bool(p->smooth, where, "smooth"))) return rc;
    if (!p->surrogate) return elig__err(ELIG_EINVAL, "%s.surrogate must be set for a spiking model (got none)", where);
    if (p->surrogate == &elig_surrogate_pwl && !(p->v_th > 0))
        return elig__err(ELIG_EINVAL, "%s.v_th must be > 0 with the pwl surrogate, which scales by 1/v_th (got %g)", where, p->v_th);
    if ((rc = elig__check_pos(p->sg_gamma, where, "sg_gamma", ""))) return rc;
    return elig__check_pos(p->sg_beta, where, "sg_beta", "");
}

static void derive(const elig_neuron_params *p, double dt, elig_neuron_consts *k)
{
    elig__derive_common(p, dt, k);
    k->decay_syn = (elig_real)exp(-dt / p->tau_syn);
    k->decay_rp = (elig_real)exp(-dt / p->tau_rp);
    k->w_rp = (elig_real)p->w_rp;
    k->z_amp = 1;
}

static void step(const elig_neuron_consts *k, int n, elig_real *restrict h, int32_t *restrict ref,
                 const elig_real *restrict z_prev, const elig_real *restrict c, elig_real *restrict z,
                 const elig_partials *part)
{
    const elig_real beta = k->decay_syn, alpha = k->decay_mem, arp = k->decay_rp;
    for (int i = 0; i < n; i++) {
        elig_real Qp = h[3 * i], Pp = h[3 * i + 1], Rp = h[3 * i + 2];
        elig_real Q = beta * Qp + (1 - beta) * c[i];
        elig_real P = alpha * Pp + (1 - alpha) * Qp;
        elig_real R = arp * Rp - (1 - arp) * k->w_rp * z_prev[i];
        elig_real U = P + R, x = U - k->v_th;
        h[3 * i] = Q;
        h[3 * i + 1] = P;
        h[3 * i + 2] = R;
        elig_real psi = (elig_real)k->sg->deriv((double)x, k->sg_gamma, k->sg_beta, k->v_th);
        z[i] = k->smooth ? (elig_real)k->sg->prim((double)x, k->sg_gamma, k->sg_beta, k->v_th) : (x > 0 ? 1 : 0);
        ref[i] = 0;
        elig_real *D = part->D + 9 * i;
        D[0] = beta; D[1] = 0; D[2] = 0;
        D[3] = 1 - alpha; D[4] = alpha; D[5] = 0;
        D[6] = 0; D[7] = 0; D[8] = arp;
        part->dzr[3 * i] = 0;
        part->dzr[3 * i + 1] = 0;
        part->dzr[3 * i + 2] = k->detach_reset ? 0 : -(1 - arp) * k->w_rp;
        part->dza[3 * i] = part->dza[3 * i + 1] = part->dza[3 * i + 2] = 0;
        part->dc[3 * i] = 1 - beta;
        part->dc[3 * i + 1] = 0;
        part->dc[3 * i + 2] = 0;
        part->dzdh[3 * i] = 0;
        part->dzdh[3 * i + 1] = psi;
        part->dzdh[3 * i + 2] = psi;
    }
}

static int pre_only(const elig_neuron_consts *k) { return 1; }

const elig_neuron_model elig_neuron_decolle = {"decolle", 3, 1, defaults, check, derive, step, pre_only};
