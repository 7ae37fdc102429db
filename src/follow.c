/* follow.c -- FOLLOW: a spiking network learns the dynamics of a reference system from its command
 * input (Gilra & Gerstner, eLife 6:e28295, 2017; code adityagilra/FOLLOW,
 * input_ff_rec_transform_nengo_ocl.py, which runs on Nengo).
 *
 *   u(t) --> feed-forward layer (n_ff LIF, encodes u) --W_ff--> recurrent layer (n_rec LIF) --D--> x̂
 *                                                               ^   |  W (n_rec, n_rec)
 *                                                               +---+
 *   reference:  dx/dt = f(x) + u / tau_u, integrated by RK4 at dt (src/ode.c)
 *   error:      ε = x_f - x̂, with x_f and x̂ both filtered by tau_syn (x̂ = Dᵀ s, s the traces)
 *   current:    J_i = Σ_l W_ff[i,l] s_ff_l + Σ_j W[i,j] s_j + k ẽ_i·(ε * κ_fb) + b_i   (feedback on)
 *               J_l = ẽ_l·u + b_l   in the feed-forward layer
 *   learning:   dW[i,j] = eta dt / n_pre (ẽ_i · (ε * κ_err)) s_j     for W_ff (pre = ff) and W (pre = rec)
 *               i.e. the paper's dw_ij = η (k Σ_α e_iα ε_α * κ_ε)(S_j * κ) in the code's PES form:
 *               eta here = the code's learning rate 2e-3 = the paper's η k; 1/n_pre as in Nengo's PES
 *   ẽ_i = gain_i e_i / radius: "scaled encoders", e_i a random unit vector (d dims)
 *   traces:     s <- a s + (1 - a) S / dt,  a = exp(-dt/tau_syn)   (Hz; Nengo's lowpass)
 *   filters:    κ_fb: tau_fb, κ_err: tau_err; same zero-order-hold form
 *   options:    w_decay: dW -= w_decay W dt while learning (the code's weightRegularize; off)
 *
 * Neurons (Nengo's LIF, exact for constant J within a step, spike time interpolated):
 *   refractory time rt -= dt;  Δ = clip(dt - rt, 0, dt);  v += (J - v)(1 - e^{-Δ/tau_rc})
 *   v > 1: spike, t_s = dt + tau_rc log1p(-(v - 1)/(J - 1)), v = 0, rt = tau_ref + t_s;  v < 0 -> 0
 *   gain and bias from a maximum rate ~ U(rate_lo, rate_hi) at x = e (|x| = radius) and an
 *   intercept ~ U(icpt_lo, icpt_hi):  x = 1/(1 - exp((tau_ref - 1/max_rate)/tau_rc)),
 *   gain = (1 - x)/(intercept - 1),  bias = 1 - gain intercept   (Nengo's LIFRate.gain_bias);
 *   or, with const_gain > 0, gain = const_gain for every neuron, bias = 1 - gain intercept
 *   (the paper's Figure 2 used a constant gain "to obtain lower variability in rates", README)
 *   rate(J) = 1/(tau_ref + tau_rc log1p(1/(J - 1))) for J > 1, else 0
 *
 * Decoders (the choice this implementation makes): fixed, computed once at create as Nengo does
 * for an ensemble: regularised least squares of x on the rate tuning curves of the recurrent
 * layer at n_eval points uniform in the ball of radius `radius`:
 *   (AᵀA + n_eval sigma^2 I) D = Aᵀ X,   sigma = dec_reg max(A)   (Nengo's LstsqL2, reg 0.1)
 * solved by Cholesky in double. With these decoders the recurrent layer, driven by the error
 * feedback, represents x; learning moves the feedback's work into W_ff and W. The solve needs
 * a packed Gram of n (n + 1)/2 doubles as scratch, n the larger layer (with dense weights it
 * borrows their block, zero before training). Cost O(n_eval n_rec^2 / 2 + n_rec^3 / 6) once
 * (N 200: milliseconds; N 3000: ~12 s).
 *
 * Hand-wired weights (elig_follow_ideal_weights; the code's initLearned): the same solve with
 * other right-hand sides gives the weights a NEF model would use, W = Ẽ D_g with D_g the
 * decoders of g(x) = x + tau_syn f(x, 0), and W_ff = Ẽ D_h with D_h the feed-forward layer's
 * decoders of h(u) = tau_syn (f(0, u) - f(0, 0)): a layer whose synapses filter with tau_syn
 * and whose input encodes x + tau f(x, u) obeys tau dx/dt = tau f(x, u). The recurrent solve
 * reuses the readout's evaluation points, so for a linear f the ideal decoders are exactly
 * (I + tau M) D (tested). They are the yardstick of what the network can do: elig dyn tests
 * them next to the learned weights.
 *
 * Weight storage. The update of W[j, i] is (eta dt / n_pre) (ẽ_i · ε_err) s_j: the error
 * reaches neuron i only through its encoder. Summed from W = 0 (and through weight decay, a
 * common factor) every W is therefore Ẽ A, A[j] = Σ_t eta dt / n_pre ε_err(t) s_j(t) a d-vector
 * per presynaptic neuron; each synapse is still the local product ẽ_i · A[j]. The default
 * (dense = 0) stores A and A_ff, (n_rec + n_ff) d numbers, and computes the recurrent input as
 * ẽ_i · Σ_j A[j] s_j: O((n_ff + n_rec) d) per step instead of O(n_rec (n_ff + n_rec)), which is
 * what makes the paper's 3000 + 3000 neurons over 10^4 s of training a run of tens of minutes
 * (6700 steps/s here, against 180 with dense weights). dense = 1 keeps the full matrices and the
 * plain kernel; tests/test_follow.c checks that both give the same spikes and weights. The
 * factorisation holds for this rule from zero weights; a variant with random initial weights,
 * sign constraints or another error projection would need the dense kernel.
 *
 * Parameters (elig_follow_cfg_default), from the FOLLOW code unless marked:
 *   parameter      unit  default           meaning
 *   dt             ms    1                 time step
 *   tau_rc         ms    20                LIF membrane (Nengo default)
 *   tau_ref        ms    2                 refractory period
 *   rate_lo/hi     Hz    200 / 400         max rates (unused with const_gain)
 *   icpt_lo/hi     1     -1 / 0.999        intercepts (hi < 1)
 *   const_gain     1     linosc 10 (*), else 0 (rates -> gains)
 *   tau_syn        ms    20                synapses, traces, output filter (code: tau)
 *   tau_fb         ms    20                error feedback filter (errorFeedbackTau = tau)
 *   tau_err        ms    200               error filter of the weight update (weightErrorTau)
 *   k_fb           1     10                errorFeedbackGain
 *   eta            1     linosc 3e-3 (*), else 2e-3   PES learning rate (code: 2e-3)
 *   radius_in      1     linosc 0.2, vdp 0.2, lorenz 6 (reprRadiusIn)
 *   radius         1     linosc 1, vdp 5, lorenz 30 (reprRadius)
 *   n_ff = n_rec         linosc 200 (*), vdp 3000, lorenz 5000
 *   trial_ms       ms    vdp 4000, else 0  trials (the code's trialClamp: vdp only)
 *   clamp_ms       ms    500               end-of-trial clamp (Tclamp)
 *   (*) sized here. The paper's networks (2000-5000 neurons each) learn over 1e3-1e4 s of
 *   simulated time ("at least 1000 s ... to see some resemblance ... 5000 to 10000 s to see good
 *   learning", README). The linear oscillator is sized to learn in seconds of CPU time:
 *   200 + 200 neurons with a constant gain of 10 (the paper's Figure 2 choice), eta 3e-3, k 10
 *   throughout; test error 0.28-0.53 x untrained after 300 s over 6 seeds, ~0.25 after 900 s,
 *   near the hand-wired weights' ~0.2 (tests/test_follow.c).
 *
 * Keep the state inside the radius. The command input of the code's van der Pol runs
 * ("amplVaryHeightsScaled") drives the linear oscillator out of its radius of 1 for 10% of the
 * time (max |x| 1.8; the code's LinOsc runs used a weaker input), and the Lorenz system out of
 * radius 30 for 21% (max |x| 70). There the recurrent layer saturates, the closed-loop error
 * cannot be removed, and the rule bends the weights that also serve the represented range:
 * started from the hand-wired weights (elig_follow_ideal_weights), 40 s of training at full
 * amplitude (eta 3e-4, a tenth of the default; k 10) moved the linear oscillator's learned
 * eigenvalues from -2.05 +- 10.0i to +1.85 +- 8.3i /s (a growing oscillation) while the
 * training error stayed at its spike-noise floor of 0.012; at half amplitude (max |x| 0.89)
 * they stayed at -2.07 +- 9.9i over 100 s. The real part also rose with tau_err 5 or 20 ms
 * (+0.7, +0.6 after 100 s) and at 1000 neurons (+0.74 after 40 s); at eta 3e-5 more slowly
 * (-0.59 after 200 s); at the default eta 3e-3, and with k 3 or 1, the open-loop error went
 * from 0.06 to 0.3-0.8 within 40 s. At full amplitude, 200 + 200 neurons with Nengo's heterogeneous gains did not learn
 * reliably (0.3-1.6 x untrained) and a schedule lowering eta and k was needed; at half
 * amplitude both gains learn with constant eta and k (heterogeneous, eta 2e-3: 0.30-0.53).
 * elig_follow_command_scale gives these scales (the CLI's default target.dim_scale).
 *
 * Trials (the code's trialClamp, on for van der Pol): with trial_ms > 0 the last clamp_ms of
 * every trial (time counted from the last reset) is a clamp: the reference is held at x0, both
 * layers get a current of -100 (silent within a step: the code injects -100 through a 1 ms
 * synapse), the errors entering the feedback and weight filters are zero and nothing is learned.
 * Each trial then starts from rest, as a driven van der Pol trajectory must be compared from the
 * same start: a network that has learned the limit cycle still drifts in phase over a long
 * unclamped test, which an rms over tens of seconds counts as error.
 *
 * Not implemented from the code: inhibitory interneurons, noise injection, the 2-link arm.
 *
 * Memory: one block: the weights (factored: (n_rec + n_ff) d; dense: n_rec (n_rec + n_ff) plus
 * (n_rec + n_ff) d for the hand-wired decoders), the decoder solve's scratch (n^2 / 2 doubles for
 * the larger layer; kept for elig_follow_ideal_weights; shared with dense weights), decoders and
 * encoders (n d), O(n) state (including each layer's list of the last step's spikers).
 * Cost per step: factored O((n_ff + n_rec) d) for the currents and the update; dense
 * n_rec (n_ff + n_rec) multiply-adds for the currents plus the same again when learning (fused
 * in one pass over the weights); O((n_ff + n_rec) d) for encoding and decoding, O(n) neuron
 * updates (an expm1 or log1p only for neurons leaving refractoriness or spiking).
 */
#include "internal.h"
#include "elig_dyn.h"

#include <math.h>
#include <string.h>

#define MAX_NEURONS (1 << 16)
#define BLK 32 /* eval points per block of the Gram accumulation */
#define CLAMP_J ((elig_real)-100) /* current of a clamped neuron */

typedef struct {
    int n, d;              /* neurons, encoded dimension                      */
    elig_real *enc;        /* (n, d) scaled encoders gain e / radius          */
    elig_real *bias;       /* (n)                                             */
    elig_real *v, *rt;     /* (n) voltage, refractory time left (s)           */
    elig_real *s;          /* (n) filtered spike trains, Hz                   */
    elig_real *J;          /* (n) input current                               */
    int *spk;              /* (n) indices of the last step's spikers          */
    int n_spk;
} layer;

struct elig_follow {
    elig_follow_cfg cfg;
    const elig_ode_system *sys;
    int d, nu;
    long t;
    double dt_s, h_sys;          /* dt in s and in the system's time unit         */
    double tau_rc_s, tau_ref_s;
    double em_full;              /* -expm1(-dt/tau_rc): the full-step factor     */
    elig_real a_syn, a_fb, a_err;/* exp(-dt/tau)                                   */
    layer ff, rec;
    elig_real *dec;              /* (n_rec, d)                                     */
    elig_real *W, *Wff;          /* dense: stored pre-major: W[j n_rec + i] = weight j -> i;
                                    (n_rec pre, n_rec post), (n_ff pre, n_rec post); else NULL */
    elig_real *A, *Aff;          /* factored: W[j, i] = ẽ_i · A[j], (n_rec, d), (n_ff, d); else NULL */
    elig_real *Aid;              /* (n_rec + n_ff, d): = A (factored); dense: ideal-weight decoders */
    elig_real *g;                /* dense: (n_rec) per-step learning factor; else NULL */
    double *scratch;             /* decoder solves (create, ideal weights); dense: W's block */
    double x[ELIG_ODE_MAX_DIM], xf[ELIG_ODE_MAX_DIM];     /* reference, filtered    */
    double efb[ELIG_ODE_MAX_DIM], ew[ELIG_ODE_MAX_DIM];   /* filtered errors        */
    long trial_steps, clamp_from;/* trial length and first clamped step in it; 0 = no trials */
    int clamped;                 /* the last step was clamped                      */
    elig_real xhat[ELIG_ODE_MAX_DIM], xout[ELIG_ODE_MAX_DIM];
    void *mem;
};

/* ---------------------------------------------------------------- config */

elig_follow_cfg elig_follow_cfg_default(const elig_ode_system *sys)
{
    elig_follow_cfg c;
    memset(&c, 0, sizeof c);
    c.sys = sys ? sys : &elig_ode_linosc_follow;
    memcpy(c.sys_params, c.sys->params, sizeof c.sys_params);
    memcpy(c.x0, c.sys->x0, sizeof c.x0);
    c.dt = 1.0;
    c.tau_rc = 20.0;
    c.tau_ref = 2.0;
    c.rate_lo = 200.0;
    c.rate_hi = 400.0;
    c.icpt_lo = -1.0;
    c.icpt_hi = 1.0 - 1e-3; /* Nengo's Uniform(-1, 1) never returns 1 either */
    c.const_gain = 0;
    c.w_decay = 0;
    c.tau_syn = 20.0;
    c.tau_fb = 20.0;
    c.tau_err = 200.0;
    c.k_fb = 10.0;
    c.n_eval = 0;
    c.dec_reg = 0.1;
    c.trial_ms = 0;
    c.clamp_ms = 500.0;
    c.dense = 0;
    c.seed = 1;
    if (c.sys == &elig_ode_vdp_follow) {
        c.n_ff = c.n_rec = 3000;
        c.radius_in = 0.2;
        c.radius = 5.0;
        c.eta = 2e-3;
        c.trial_ms = 4000.0;
    } else if (c.sys == &elig_ode_lorenz_follow) {
        c.n_ff = c.n_rec = 5000;
        c.radius = 30.0;
        c.radius_in = c.radius / 5.0;
        c.eta = 2e-3;
    } else {
        c.n_ff = c.n_rec = 200;
        c.radius_in = 0.2;
        c.radius = 1.0;
        c.eta = 3e-3;
        c.const_gain = 10.0;
    }
    return c;
}

#define FPOS(field, unit) \
    if (!(c->field > 0) || !isfinite(c->field)) return elig__err(ELIG_EINVAL, "follow." #field " must be > 0" unit " (got %g)", c->field)

int elig_follow_check(const elig_follow_cfg *c)
{
    elig__clear_err();
    if (!c) return elig__err(ELIG_EINVAL, "follow config is NULL");
    const elig_ode_system *s = c->sys;
    if (!s) return elig__err(ELIG_EINVAL, "follow.sys must be set (got NULL)");
    if (s->dim < 1 || s->dim > ELIG_ODE_MAX_DIM || !s->f)
        return elig__err(ELIG_EINVAL, "follow.sys %s is malformed (dim %d)", s->name ? s->name : "?", s->dim);
    if (s->n_u != s->dim)
        return elig__err(ELIG_EINVAL, "follow.sys %s must take a command input of its own dimension %d (got n_u %d)",
                         s->name ? s->name : "?", s->dim, s->n_u);
    if (!(s->time_unit_ms > 0)) return elig__err(ELIG_EINVAL, "follow.sys %s: time_unit_ms must be > 0", s->name ? s->name : "?");
    for (int i = 0; i < s->n_params; i++)
        if (!isfinite(c->sys_params[i])) return elig__err(ELIG_EINVAL, "follow.sys_params[%d] must be finite (got %g)", i, c->sys_params[i]);
    for (int i = 0; i < s->dim; i++)
        if (!isfinite(c->x0[i])) return elig__err(ELIG_EINVAL, "follow.x0[%d] must be finite (got %g)", i, c->x0[i]);
    if (c->n_ff < 1 || c->n_ff > MAX_NEURONS) return elig__err(ELIG_EINVAL, "follow.n_ff must be in [1, %d] (got %d)", MAX_NEURONS, c->n_ff);
    if (c->n_rec < 1 || c->n_rec > MAX_NEURONS)
        return elig__err(ELIG_EINVAL, "follow.n_rec must be in [1, %d] (got %d)", MAX_NEURONS, c->n_rec);
    FPOS(dt, " ms");
    FPOS(tau_rc, " ms");
    if (!(c->tau_ref >= 0) || !isfinite(c->tau_ref)) return elig__err(ELIG_EINVAL, "follow.tau_ref must be >= 0 ms (got %g)", c->tau_ref);
    FPOS(rate_lo, " Hz");
    FPOS(rate_hi, " Hz");
    if (c->rate_hi < c->rate_lo)
        return elig__err(ELIG_EINVAL, "follow.rate_hi must be >= follow.rate_lo (got %g and %g)", c->rate_hi, c->rate_lo);
    if (c->tau_ref > 0 && !(c->rate_hi < 1000.0 / c->tau_ref))
        return elig__err(ELIG_EINVAL, "follow.rate_hi must be < 1/tau_ref = %g Hz (got %g)", 1000.0 / c->tau_ref, c->rate_hi);
    if (!(c->icpt_lo >= -1e6 && c->icpt_lo <= c->icpt_hi && c->icpt_hi < 1))
        return elig__err(ELIG_EINVAL, "follow intercepts need icpt_lo <= icpt_hi < 1 (got %g and %g)", c->icpt_lo, c->icpt_hi);
    FPOS(radius_in, "");
    FPOS(radius, "");
    FPOS(tau_syn, " ms");
    FPOS(tau_fb, " ms");
    FPOS(tau_err, " ms");
    if (!(c->k_fb >= 0) || !isfinite(c->k_fb)) return elig__err(ELIG_EINVAL, "follow.k_fb must be >= 0 (got %g)", c->k_fb);
    if (!(c->eta >= 0) || !isfinite(c->eta)) return elig__err(ELIG_EINVAL, "follow.eta must be >= 0 (got %g)", c->eta);
    if (!(c->const_gain >= 0) || !isfinite(c->const_gain))
        return elig__err(ELIG_EINVAL, "follow.const_gain must be >= 0, 0 = from the max rates (got %g)", c->const_gain);
    if (!(c->w_decay >= 0) || !isfinite(c->w_decay))
        return elig__err(ELIG_EINVAL, "follow.w_decay must be >= 0 /s, 0 = off (got %g)", c->w_decay);
    if (c->n_eval < 0 || c->n_eval > (1 << 24)) return elig__err(ELIG_EINVAL, "follow.n_eval must be in [0, 2^24], 0 = auto (got %d)", c->n_eval);
    if (!(c->dec_reg > 0) || !isfinite(c->dec_reg)) return elig__err(ELIG_EINVAL, "follow.dec_reg must be > 0 (got %g)", c->dec_reg);
    if (c->dense != 0 && c->dense != 1) return elig__err(ELIG_EINVAL, "follow.dense must be 0 or 1 (got %d)", c->dense);
    if (!(c->trial_ms >= 0) || !(c->trial_ms / c->dt < 1e15))
        return elig__err(ELIG_EINVAL, "follow.trial_ms must be >= 0 ms, 0 = no trials (got %g)", c->trial_ms);
    if (c->trial_ms > 0) {
        if (lround(c->trial_ms / c->dt) < 2)
            return elig__err(ELIG_EINVAL, "follow.trial_ms must be at least two steps of dt = %g ms (got %g)", c->dt, c->trial_ms);
        if (!(c->clamp_ms >= 0) || !(lround(c->clamp_ms / c->dt) < lround(c->trial_ms / c->dt)))
            return elig__err(ELIG_EINVAL, "follow.clamp_ms must be in [0, trial_ms = %g) ms (got %g)", c->trial_ms, c->clamp_ms);
    }
    return ELIG_OK;
}

/* Evaluation points of a layer of n neurons encoding de dimensions. */
static int n_eval_of(const elig_follow_cfg *c, int n, int de)
{
    if (c->n_eval > 0) return c->n_eval;
    int m = 500 * de; /* Nengo: max(clip(500 d, 750, 2500), 2 n) */
    m = m < 750 ? 750 : (m > 2500 ? 2500 : m);
    return ELIG__MAX(m, 2 * n);
}

/* Doubles of a decoder solve's scratch for a layer of n neurons and d outputs: packed Gram, a
 * block of rate rows, Aᵀ Y. */
static size_t solve_doubles(size_t n, int d) { return n * (n + 1) / 2 + (size_t)BLK * n + n * (size_t)d; }

/* The block's scratch: for the larger layer (elig_follow_ideal_weights also solves for the
 * feed-forward one). */
static size_t scratch_doubles(const elig_follow_cfg *c)
{
    return solve_doubles((size_t)ELIG__MAX(c->n_rec, c->n_ff), c->sys->dim);
}

static void carve_layer(layer *L, int n, int d, elig__arena *a)
{
    L->n = n;
    L->d = d;
    L->enc = elig__carve(a, (size_t)n * d, sizeof(elig_real));
    L->bias = elig__carve(a, (size_t)n, sizeof(elig_real));
    L->v = elig__carve(a, (size_t)n, sizeof(elig_real));
    L->rt = elig__carve(a, (size_t)n, sizeof(elig_real));
    L->s = elig__carve(a, (size_t)n, sizeof(elig_real));
    L->J = elig__carve(a, (size_t)n, sizeof(elig_real));
    L->spk = elig__carve(a, (size_t)n, sizeof(int));
}

static elig_follow *carve(const elig_follow_cfg *c, elig__arena *a)
{
    const size_t nr = (size_t)c->n_rec, nf = (size_t)c->n_ff, d = (size_t)c->sys->dim;
    elig_follow *F = elig__carve(a, 1, sizeof(elig_follow));
    layer ff, rec;
    carve_layer(&ff, c->n_ff, c->sys->n_u, a);
    carve_layer(&rec, c->n_rec, c->sys->dim, a);
    elig_real *dec = elig__carve(a, nr * d, sizeof(elig_real));
    elig_real *g = c->dense ? elig__carve(a, nr, sizeof(elig_real)) : NULL;
    /* factored: the weights' factors; dense: where elig_follow_ideal_weights keeps its decoders
       while the solves use the weights' block as scratch */
    elig_real *A = elig__carve(a, (nr + nf) * d, sizeof(elig_real));
    /* dense weights W then W_ff, one region that is also the decoder solve's scratch */
    const size_t wbytes = c->dense ? nr * (nr + nf) * sizeof(elig_real) : 0, sbytes = scratch_doubles(c) * sizeof(double);
    char *wreg = elig__carve(a, ELIG__MAX(wbytes, sbytes), 1);
    if (F) {
        F->ff = ff;
        F->rec = rec;
        F->dec = dec;
        F->g = g;
        F->W = c->dense ? (elig_real *)wreg : NULL;
        F->Wff = c->dense ? F->W + nr * nr : NULL;
        F->A = c->dense ? NULL : A;
        F->Aff = c->dense ? NULL : A + nr * d;
        F->Aid = A;
        F->scratch = (double *)wreg;
    }
    return F;
}

size_t elig_follow_bytes(const elig_follow_cfg *cfg)
{
    if (elig_follow_check(cfg)) return 0;
    elig__arena a = {NULL, 0};
    carve(cfg, &a);
    return a.used + 64;
}

/* ---------------------------------------------------------------- neurons */

static double lif_rate(double J, double tau_rc, double tau_ref)
{
    return J > 1 ? 1.0 / (tau_ref + tau_rc * log1p(1.0 / (J - 1.0))) : 0.0;
}

/* Unit vector uniform on the sphere in d dims. */
static void unit_vector(elig_rng *r, int d, double *e)
{
    double nn = 0;
    do {
        nn = 0;
        for (int i = 0; i < d; i++) {
            e[i] = elig_rng_normal(r);
            nn += e[i] * e[i];
        }
    } while (nn < 1e-30);
    nn = sqrt(nn);
    for (int i = 0; i < d; i++) e[i] /= nn;
}

/* Encoders, gains and biases of one layer (Nengo's LIFRate.gain_bias). */
static void draw_layer(elig_follow *F, layer *L, double radius, elig_rng *r)
{
    const elig_follow_cfg *c = &F->cfg;
    for (int i = 0; i < L->n; i++) {
        double e[ELIG_ODE_MAX_DIM];
        unit_vector(r, L->d, e);
        double max_rate = c->rate_lo + (c->rate_hi - c->rate_lo) * elig_rng_uniform(r);
        double icpt = c->icpt_lo + (c->icpt_hi - c->icpt_lo) * elig_rng_uniform(r);
        double x = 1.0 / (1.0 - exp((F->tau_ref_s - 1.0 / max_rate) / F->tau_rc_s));
        double gain = c->const_gain > 0 ? c->const_gain : (1.0 - x) / (icpt - 1.0);
        L->bias[i] = (elig_real)(1.0 - gain * icpt);
        for (int q = 0; q < L->d; q++) L->enc[(size_t)i * L->d + q] = (elig_real)(gain * e[q] / radius);
    }
}

/* One Nengo LIF step of a whole layer from L->J; filtered traces updated. */
static void lif_layer_step(const elig_follow *F, layer *L)
{
    const elig_real dt = (elig_real)F->dt_s, tau_rc = (elig_real)F->tau_rc_s, tau_ref = (elig_real)F->tau_ref_s;
    const elig_real em = (elig_real)F->em_full, a = F->a_syn, inj = (1 - a) / dt;
    const int n = L->n;
    elig_real *restrict v = L->v, *restrict rt = L->rt, *restrict s = L->s;
    const elig_real *restrict J = L->J;
    int *restrict spk = L->spk, ns = 0;
    for (int i = 0; i < n; i++) {
        elig_real ri = rt[i] - dt, vi = v[i];
        if (ri <= 0) { /* free the whole step */
            ri = 0;
            vi += (J[i] - vi) * em;
        } else if (ri < dt) { /* refractoriness ends within the step */
            vi -= (J[i] - vi) * (elig_real)expm1(-(double)(dt - ri) / (double)tau_rc);
        }
        elig_real si = a * s[i];
        if (vi > 1) {
            elig_real ts = dt + tau_rc * (elig_real)log1p(-(double)(vi - 1) / (double)(J[i] - 1));
            vi = 0;
            ri = tau_ref + ts;
            si += inj;
            spk[ns++] = i;
        } else if (vi < 0) {
            vi = 0;
        }
        v[i] = vi;
        rt[i] = ri;
        s[i] = si;
    }
    L->n_spk = ns;
}

/* ---------------------------------------------------------------- decoders */

/* Packed upper triangle, row-major: (i, j >= i) at i n - i (i - 1) / 2 + (j - i). */
static size_t pk(size_t n, size_t i) { return i * n - i * (i - 1) / 2; }

/* What a least-squares solve decodes from a layer's rate curves. */
enum { DEC_X, DEC_G, DEC_H };

/* The decoded function at a point p of the layer's encoded space, out (d):
 *   DEC_X  p                                      (the recurrent layer's readout)
 *   DEC_G  p + tau_syn f(p, 0)                    (the ideal recurrent weights' function)
 *   DEC_H  tau_syn (f(0, p) - f(0, 0))            (the ideal feed-forward weights' function)
 * tau_syn in the system's time unit: a layer with synapse tau_syn whose input current encodes
 * x + tau f(x, u) obeys tau dx/dt = -x + x + tau f(x, u), the reference. */
static void dec_target(const elig_follow *F, int what, const double *p, double *out)
{
    const elig_follow_cfg *c = &F->cfg;
    const int d = F->d;
    if (what == DEC_X) {
        for (int q = 0; q < d; q++) out[q] = p[q];
        return;
    }
    const double tau = c->tau_syn / F->sys->time_unit_ms;
    double zx[ELIG_ODE_MAX_DIM] = {0}, zu[ELIG_ODE_MAX_DIM] = {0}, f[ELIG_ODE_MAX_DIM], f0[ELIG_ODE_MAX_DIM];
    if (what == DEC_G) {
        F->sys->f(0.0, p, zu, c->sys_params, f);
        for (int q = 0; q < d; q++) out[q] = p[q] + tau * f[q];
    } else {
        F->sys->f(0.0, zx, p, c->sys_params, f);
        F->sys->f(0.0, zx, zu, c->sys_params, f0);
        for (int q = 0; q < d; q++) out[q] = tau * (f[q] - f0[q]);
    }
}

/* Seeds of the evaluation points: the recurrent layer's (readout and ideal weights share them,
 * so the ideal recurrent decoders are the readout's plus tau times those of f) and the
 * feed-forward layer's. */
static uint64_t dec_seed(const elig_follow_cfg *c) { return c->seed ^ 0xD1B54A32D192ED03ull; }
static uint64_t dec_seed_ff(const elig_follow_cfg *c) { return c->seed ^ 0x9E3779B97F4A7C15ull; }

/* Least-squares decoders of dec_target(what) from the rate curves of layer L, written to
 * out (L->n, d). Returns nonzero if the Gram matrix is not positive definite (cannot happen
 * with sigma > 0 unless all rates are 0). */
static int solve_decoders(elig_follow *F, const layer *L, double radius, uint64_t seed, int what, elig_real *out)
{
    const elig_follow_cfg *c = &F->cfg;
    const size_t n = (size_t)L->n;
    const int d = F->d, de = L->d, M = n_eval_of(c, L->n, de);
    double *G = F->scratch, *A = G + n * (n + 1) / 2, *B = A + (size_t)BLK * n; /* (packed), (BLK, n), (n, d) */
    memset(G, 0, solve_doubles(n, d) * sizeof(double));
    elig_rng rng;
    elig_rng_seed(&rng, seed);
    double amax = 0;
    double X[BLK][ELIG_ODE_MAX_DIM], Y[BLK][ELIG_ODE_MAX_DIM];
    for (int m0 = 0; m0 < M; m0 += BLK) {
        const int nb = ELIG__MIN(BLK, M - m0);
        for (int b = 0; b < nb; b++) { /* uniform in the ball: direction times radius u^(1/de) */
            double e[ELIG_ODE_MAX_DIM];
            unit_vector(&rng, de, e);
            double rad = radius * pow(elig_rng_uniform(&rng), 1.0 / de);
            for (int q = 0; q < de; q++) X[b][q] = rad * e[q];
            dec_target(F, what, X[b], Y[b]);
            double *Ab = A + (size_t)b * n;
            for (size_t i = 0; i < n; i++) {
                double J = (double)L->bias[i];
                for (int q = 0; q < de; q++) J += (double)L->enc[i * de + q] * X[b][q];
                Ab[i] = lif_rate(J, F->tau_rc_s, F->tau_ref_s);
                if (Ab[i] > amax) amax = Ab[i];
                for (int q = 0; q < d; q++) B[i * d + q] += Ab[i] * Y[b][q];
            }
        }
        /* G += A_blkᵀ A_blk, row by row so that a row of G stays in cache over the block */
        for (size_t i = 0; i < n; i++) {
            double *Gi = G + pk(n, i) - i; /* Gi[j] = G(i, j) for j >= i */
            for (int b = 0; b < nb; b++) {
                const double *Ab = A + (size_t)b * n;
                const double ai = Ab[i];
                if (ai == 0) continue;
                for (size_t j = i; j < n; j++) Gi[j] += ai * Ab[j];
            }
        }
    }
    const double sigma = c->dec_reg * amax;
    for (size_t i = 0; i < n; i++) G[pk(n, i)] += (double)M * sigma * sigma + 1e-300;
    /* Cholesky G = Uᵀ U in place (right-looking, row-contiguous updates) */
    for (size_t i = 0; i < n; i++) {
        double *Ui = G + pk(n, i) - i;
        if (!(Ui[i] > 0)) return -1;
        const double piv = sqrt(Ui[i]), ip = 1.0 / piv;
        for (size_t j = i; j < n; j++) Ui[j] *= ip;
        for (size_t r = i + 1; r < n; r++) {
            double *Gr = G + pk(n, r) - r;
            const double ur = Ui[r];
            if (ur == 0) continue;
            for (size_t j = r; j < n; j++) Gr[j] -= ur * Ui[j];
        }
    }
    /* Uᵀ y = B (forward, right-looking), then U D = y (backward) */
    for (size_t i = 0; i < n; i++) {
        const double *Ui = G + pk(n, i) - i;
        for (int q = 0; q < d; q++) {
            const double y = B[i * d + q] / Ui[i];
            B[i * d + q] = y;
            for (size_t j = i + 1; j < n; j++) B[j * d + q] -= Ui[j] * y;
        }
    }
    for (size_t i = n; i-- > 0;) {
        const double *Ui = G + pk(n, i) - i;
        for (int q = 0; q < d; q++) {
            double s = B[i * d + q];
            for (size_t j = i + 1; j < n; j++) s -= Ui[j] * B[j * d + q];
            B[i * d + q] = s / Ui[i];
        }
    }
    for (size_t i = 0; i < n * (size_t)d; i++) out[i] = (elig_real)B[i];
    return 0;
}

/* ---------------------------------------------------------------- create */

void elig_follow_zero_weights(elig_follow *F)
{
    const size_t nr = (size_t)F->cfg.n_rec, nf = (size_t)F->cfg.n_ff;
    if (F->W) memset(F->W, 0, nr * (nr + nf) * sizeof(elig_real));
    if (F->A) memset(F->A, 0, (nr + nf) * (size_t)F->d * sizeof(elig_real));
}

/* out[j n_rec + i] = ẽ_i · A[j] for np presynaptic factors A (np, d): weights multiplied out. */
static void multiply_out(const elig_follow *F, const elig_real *A, size_t np, elig_real *out)
{
    const size_t nr = (size_t)F->cfg.n_rec, d = (size_t)F->d;
    const elig_real *E = F->rec.enc;
    for (size_t j = 0; j < np; j++)
        for (size_t i = 0; i < nr; i++) {
            elig_real v = 0;
            for (size_t q = 0; q < d; q++) v += E[i * d + q] * A[j * d + q];
            out[j * nr + i] = v;
        }
}

int elig_follow_ideal_weights(elig_follow *F)
{
    const elig_follow_cfg *c = &F->cfg;
    const size_t nr = (size_t)c->n_rec, nf = (size_t)c->n_ff, d = (size_t)F->d;
    if (solve_decoders(F, &F->rec, c->radius, dec_seed(c), DEC_G, F->Aid))
        return elig__err(ELIG_EINVAL, "follow: ideal weights: no neuron of the recurrent layer is active within follow.radius %g",
                         c->radius);
    if (solve_decoders(F, &F->ff, c->radius_in, dec_seed_ff(c), DEC_H, F->Aid + nr * d))
        return elig__err(ELIG_EINVAL,
                         "follow: ideal weights: no neuron of the feed-forward layer is active within follow.radius_in %g",
                         c->radius_in);
    /* dense: W then W_ff are one contiguous (n_rec + n_ff, n_rec) block, free again after the solves */
    if (c->dense) multiply_out(F, F->Aid, nr + nf, F->W);
    return ELIG_OK;
}

static void reset_layer(layer *L)
{
    memset(L->v, 0, (size_t)L->n * sizeof(elig_real));
    memset(L->rt, 0, (size_t)L->n * sizeof(elig_real));
    memset(L->s, 0, (size_t)L->n * sizeof(elig_real));
    memset(L->J, 0, (size_t)L->n * sizeof(elig_real));
    L->n_spk = 0;
}

void elig_follow_reset(elig_follow *F)
{
    F->t = 0;
    F->clamped = 0;
    reset_layer(&F->ff);
    reset_layer(&F->rec);
    for (int q = 0; q < ELIG_ODE_MAX_DIM; q++) {
        F->x[q] = q < F->d ? F->cfg.x0[q] : 0.0;
        F->xf[q] = 0;
        F->efb[q] = F->ew[q] = 0;
        F->xhat[q] = F->xout[q] = 0;
    }
}

int elig_follow_create(const elig_follow_cfg *cfg, elig_follow **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_follow_create: out is NULL");
    *out = NULL;
    if ((rc = elig_follow_check(cfg))) return rc;
    size_t bytes = elig_follow_bytes(cfg);
    if (cfg->mem_limit && bytes > cfg->mem_limit)
        return elig__err(ELIG_ELIMIT, "follow needs %zu bytes, above follow.mem_limit %zu", bytes, cfg->mem_limit);
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "follow: cannot allocate %zu bytes", bytes);
    elig__arena a = {(char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u), 0};
    elig_follow *F = carve(cfg, &a);
    F->cfg = *cfg;
    F->sys = cfg->sys;
    F->d = cfg->sys->dim;
    F->nu = cfg->sys->n_u;
    F->mem = mem;
    F->dt_s = cfg->dt * 1e-3;
    F->h_sys = cfg->dt / cfg->sys->time_unit_ms;
    F->tau_rc_s = cfg->tau_rc * 1e-3;
    F->tau_ref_s = cfg->tau_ref * 1e-3;
    F->em_full = -expm1(-cfg->dt / cfg->tau_rc);
    F->a_syn = (elig_real)exp(-cfg->dt / cfg->tau_syn);
    F->a_fb = (elig_real)exp(-cfg->dt / cfg->tau_fb);
    F->a_err = (elig_real)exp(-cfg->dt / cfg->tau_err);
    F->trial_steps = cfg->trial_ms > 0 ? lround(cfg->trial_ms / cfg->dt) : 0;
    F->clamp_from = F->trial_steps - lround(cfg->clamp_ms / cfg->dt);
    elig_rng rng;
    elig_rng_seed(&rng, cfg->seed);
    draw_layer(F, &F->ff, cfg->radius_in, &rng);
    draw_layer(F, &F->rec, cfg->radius, &rng);
    if (solve_decoders(F, &F->rec, cfg->radius, dec_seed(cfg), DEC_X, F->dec)) {
        elig__free(mem);
        return elig__err(ELIG_EINVAL, "follow: decoder least squares failed (no neuron of the recurrent layer is active "
                                      "within follow.radius %g)", cfg->radius);
    }
    elig_follow_zero_weights(F);
    elig_follow_reset(F);
    *out = F;
    return ELIG_OK;
}

void elig_follow_free(elig_follow *F)
{
    if (F) elig__free(F->mem);
}

const elig_follow_cfg *elig_follow_get_cfg(const elig_follow *F) { return &F->cfg; }
const elig_real *elig_follow_output(const elig_follow *F) { return F->xhat; }
const elig_real *elig_follow_reference(const elig_follow *F) { return F->xout; }
const elig_real *elig_follow_decoders(const elig_follow *F) { return F->dec; }
long elig_follow_time(const elig_follow *F) { return F->t; }

int elig_follow_clamped(const elig_follow *F) { return F->clamped; }

const int *elig_follow_spikes(const elig_follow *F, int recurrent, int *count)
{
    const layer *L = recurrent ? &F->rec : &F->ff;
    if (count) *count = L->n_spk;
    return L->spk;
}
void elig_follow_set_eta(elig_follow *F, double eta) { F->cfg.eta = eta; }
void elig_follow_set_k_fb(elig_follow *F, double k_fb) { F->cfg.k_fb = k_fb; }

void elig_follow_get_weights(const elig_follow *F, elig_real *w, elig_real *w_ff)
{
    const size_t nr = (size_t)F->cfg.n_rec, nf = (size_t)F->cfg.n_ff;
    for (int pass = 0; pass < 2; pass++) {
        elig_real *out = pass ? w_ff : w;
        const size_t np = pass ? nf : nr;
        if (!out) continue;
        if (F->W) memcpy(out, pass ? F->Wff : F->W, np * nr * sizeof(elig_real));
        else multiply_out(F, pass ? F->Aff : F->A, np, out);
    }
}

const elig_real *elig_follow_weight_factors(const elig_follow *F, const elig_real **a_ff)
{
    if (a_ff) *a_ff = F->Aff;
    return F->A;
}

/* ---------------------------------------------------------------- step */

/* Currents of the recurrent layer and, when learning, the weight update; factored storage:
 *   J_i = b_i + ẽ_i·z,  z = k ε_fb + Σ_l A_ff[l] s_ff,l + Σ_j A[j] s_j   (pre-update A)
 *   A[j] += eta dt / n_pre ε_err s_j   (and A *= 1 - w_decay dt),
 * which is the dense update below with W[j, i] = ẽ_i · A[j]. O((n_ff + n_rec) d). */
static void rec_currents_factored(elig_follow *F, const double *gfb, const double *gw, int learn)
{
    const elig_follow_cfg *c = &F->cfg;
    const int d = F->d;
    layer *L = &F->rec;
    double z[ELIG_ODE_MAX_DIM];
    for (int q = 0; q < d; q++) z[q] = gfb[q];
    const double lr = c->eta * F->dt_s;
    const elig_real keep = (elig_real)(learn ? 1.0 - c->w_decay * F->dt_s : 1.0);
    for (int pass = 0; pass < 2; pass++) {
        const layer *P = pass == 0 ? &F->ff : L;
        const int np = P->n;
        const elig_real *restrict s = P->s;
        elig_real *restrict A = pass == 0 ? F->Aff : F->A;
        elig_real dA[ELIG_ODE_MAX_DIM];
        double zp[ELIG_ODE_MAX_DIM] = {0};
        for (int q = 0; q < d; q++) dA[q] = (elig_real)(lr / np * gw[q]);
        for (int j = 0; j < np; j++) {
            const elig_real sj = s[j];
            elig_real *restrict a = A + (size_t)j * d;
            for (int q = 0; q < d; q++) zp[q] += (double)(a[q] * sj);
            if (learn)
                for (int q = 0; q < d; q++) a[q] = a[q] * keep + dA[q] * sj;
        }
        for (int q = 0; q < d; q++) z[q] += zp[q];
    }
    for (int i = 0; i < L->n; i++) {
        const elig_real *e = L->enc + (size_t)i * d;
        double Ji = (double)L->bias[i];
        for (int q = 0; q < d; q++) Ji += (double)e[q] * z[q];
        L->J[i] = (elig_real)Ji;
    }
}

/* The plain reference kernel, dense storage: J = b + k ẽ·ε_fb, then each presynaptic neuron j
 * adds its weight column times s_j (an axpy over the postsynaptic index: contiguous,
 * vectorises, fixed order) and, when learning, moves that column by g s_j / n_pre in the same
 * pass (pre-update weights carry the current), g_i = eta dt (ẽ_i · ε_err). O(n_rec (n_ff + n_rec)). */
static void rec_currents_dense(elig_follow *F, const double *gfb, const double *gw, int learn)
{
    const elig_follow_cfg *c = &F->cfg;
    const int d = F->d, nr = F->rec.n;
    layer *L = &F->rec;
    elig_real *restrict J = L->J, *restrict g = F->g;
    const double lr = c->eta * F->dt_s;
    for (int i = 0; i < nr; i++) {
        const elig_real *e = L->enc + (size_t)i * d;
        double fb = 0, le = 0;
        for (int q = 0; q < d; q++) {
            fb += (double)e[q] * gfb[q];
            le += (double)e[q] * gw[q];
        }
        J[i] = L->bias[i] + (elig_real)fb;
        g[i] = (elig_real)(lr * le);
    }
    const elig_real keep = (elig_real)(1.0 - c->w_decay * F->dt_s);
    for (int pass = 0; pass < 2; pass++) {
        const layer *P = pass == 0 ? &F->ff : L;
        const int np = P->n;
        const elig_real *s = P->s;
        elig_real *wt = pass == 0 ? F->Wff : F->W;
        const elig_real inv_np = (elig_real)(1.0 / np);
        for (int j = 0; j < np; j++) {
            const elig_real sj = s[j];
            elig_real *restrict col = wt + (size_t)j * nr;
            if (learn && c->w_decay > 0) {
                const elig_real gs = sj * inv_np;
                for (int i = 0; i < nr; i++) {
                    J[i] += col[i] * sj;
                    col[i] = col[i] * keep + g[i] * gs;
                }
                continue;
            }
            if (sj == 0) continue;
            if (learn) {
                const elig_real gs = sj * inv_np;
                for (int i = 0; i < nr; i++) {
                    J[i] += col[i] * sj;
                    col[i] += g[i] * gs;
                }
            } else {
                for (int i = 0; i < nr; i++) J[i] += col[i] * sj;
            }
        }
    }
}

void elig_follow_step(elig_follow *F, const elig_real *u, int feedback, int learn)
{
    const elig_follow_cfg *c = &F->cfg;
    const int d = F->d, nu = F->nu, nf = F->ff.n, nr = F->rec.n;

    /* end-of-trial clamp: reference held at x0, layers silenced, errors and learning off */
    const int clamp = F->trial_steps > 0 && F->t % F->trial_steps >= F->clamp_from;
    F->clamped = clamp;
    if (clamp) {
        feedback = learn = 0;
        for (int q = 0; q < d; q++) F->x[q] = c->x0[q];
    } else { /* reference: one RK4 step with u held */
        double ud[ELIG_ODE_MAX_DIM];
        for (int q = 0; q < nu; q++) ud[q] = (double)u[q];
        elig_ode_rk4_step(F->sys, c->sys_params, (double)F->t * F->h_sys, F->h_sys, ud, F->x);
    }
    /* ... then seen through the tau_syn filter that x̂ is also seen through */
    const double as = (double)F->a_syn, af = (double)F->a_fb, ae = (double)F->a_err;
    double gfb[ELIG_ODE_MAX_DIM], gw[ELIG_ODE_MAX_DIM];
    for (int q = 0; q < d; q++) {
        F->xf[q] = as * F->xf[q] + (1 - as) * F->x[q];
        const double eps = clamp ? 0.0 : F->xf[q] - (double)F->xhat[q];
        F->efb[q] = af * F->efb[q] + (1 - af) * eps;
        F->ew[q] = ae * F->ew[q] + (1 - ae) * eps;
        gfb[q] = feedback ? c->k_fb * F->efb[q] : 0.0;
        gw[q] = F->ew[q];
    }

    /* feed-forward layer: J = ẽ·u + b */
    {
        layer *L = &F->ff;
        for (int l = 0; l < nf; l++) {
            elig_real J = L->bias[l];
            for (int q = 0; q < nu; q++) J += L->enc[(size_t)l * nu + q] * u[q];
            L->J[l] = clamp ? CLAMP_J : J;
        }
        lif_layer_step(F, L);
    }

    /* recurrent layer */
    if (clamp)
        for (int i = 0; i < nr; i++) F->rec.J[i] = CLAMP_J;
    else if (c->dense)
        rec_currents_dense(F, gfb, gw, learn);
    else
        rec_currents_factored(F, gfb, gw, learn);
    lif_layer_step(F, &F->rec);

    /* x̂ = Dᵀ s */
    for (int q = 0; q < d; q++) {
        double s = 0;
        for (int i = 0; i < nr; i++) s += (double)F->dec[(size_t)i * d + q] * (double)F->rec.s[i];
        F->xhat[q] = (elig_real)s;
        F->xout[q] = (elig_real)F->xf[q];
    }
    F->t++;
}

/* ---------------------------------------------------------------- command input */

void elig_follow_command_scale(const elig_ode_system *sys, double *scale)
{
    const int nu = sys ? sys->n_u : 0;
    for (int q = 0; q < nu; q++) scale[q] = 1.0;
    if (sys == &elig_ode_vdp_follow) scale[0] = 1.0 / 3.0; /* the code's first channel / 3 */
    if (sys == &elig_ode_linosc_follow) /* max |x| 0.89 of radius 1 (1.8 at full amplitude) */
        for (int q = 0; q < nu; q++) scale[q] = 0.5;
    if (sys == &elig_ode_lorenz_follow) /* |x| > 30 0.7% of the time (21% at full amplitude) */
        for (int q = 0; q < nu; q++) scale[q] = 0.2;
}

int elig_follow_command(const elig_follow_cfg *cfg, long n_steps, double period_ms, double hold_ms,
                        const double *dim_scale, uint64_t seed, elig_real *u)
{
    int rc;
    if ((rc = elig_follow_check(cfg))) return rc;
    if (n_steps < 0) return elig__err(ELIG_EINVAL, "follow_command: n_steps must be >= 0 (got %ld)", n_steps);
    if (!u && n_steps > 0) return elig__err(ELIG_EINVAL, "follow_command: u is NULL");
    const long sp = lround(period_ms / cfg->dt), sh = lround(hold_ms / cfg->dt);
    if (!(period_ms >= cfg->dt) || !isfinite(period_ms) || sp < 1)
        return elig__err(ELIG_EINVAL, "follow_command: period must be >= dt = %g ms (got %g)", cfg->dt, period_ms);
    if (!(hold_ms >= cfg->dt) || !isfinite(hold_ms) || sh < 1)
        return elig__err(ELIG_EINVAL, "follow_command: hold must be >= dt = %g ms (got %g)", cfg->dt, hold_ms);
    const int nu = cfg->sys->n_u;
    const double r_in = cfg->radius_in;
    elig_rng rng;
    elig_rng_seed(&rng, seed);
    double height[ELIG_ODE_MAX_DIM] = {0}, noise[ELIG_ODE_MAX_DIM] = {0};
    for (long i = 0; i < n_steps; i++) {
        if (i % sp == 0) unit_vector(&rng, nu, height);
        if (i % sh == 0)
            for (int q = 0; q < nu; q++) noise[q] = r_in * (2.0 * elig_rng_uniform(&rng) - 1.0);
        for (int q = 0; q < nu; q++)
            u[(size_t)i * nu + q] = (elig_real)(0.5 * (noise[q] + height[q] * r_in) * (dim_scale ? dim_scale[q] : 1.0));
    }
    return ELIG_OK;
}
