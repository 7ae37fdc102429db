/* elig_dyn.h -- the non-gradient online rules and the dynamics they learn.
 *
 *   FORCE   recursive least squares (RLS) on a linear readout x̂ = φᵀr that is fed back into a
 *           fixed chaotic reservoir: spiking (LIF, Izhikevich, theta; Nicola & Clopath, Nat Commun
 *           8:2208, 2017) or tanh rate units (Sussillo & Abbott, Neuron 63:544, 2009). src/force.c
 *   FOLLOW  a spiking network learns a dynamical system from its command input u(t): the output
 *           error is fed back through fixed encoders and a local rule (error current x presynaptic
 *           trace) learns the feed-forward and recurrent weights (Gilra & Gerstner, eLife 6:e28295,
 *           2017). src/follow.c
 *   ODE     the reference systems and target signals both papers train on, integrated by
 *           fixed-step classical RK4 and sampled at the simulation dt. src/ode.c
 *
 * FORCE on the 5 Hz sinusoid, spiking LIF (the reference code's parameters):
 *
 *     elig_force_cfg fc = elig_force_cfg_default(ELIG_FORCE_LIF);  // N 2000, dt 0.05 ms
 *     long T = fc.t_crit + 100000;                                 // train 5-10 s, test 5 s
 *     elig_real *x = malloc(T * sizeof *x), *y = malloc(T * sizeof *y);
 *     elig_target_sine(fc.dt, T, 5.0, 1.0, 0.0, x);
 *     elig_force *F;  if (elig_force_create(&fc, &F)) puts(elig_last_error());
 *     elig_force_run(F, x, 1, T, 1, y);   // RLS inside [t_min, t_crit), then learning off
 *     // y (T, k) is x̂; compare y and x after t_crit
 *
 * FOLLOW on the linear decaying oscillator (300 s of training: T = 300000 steps):
 *
 *     elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
 *     elig_follow *F;  elig_follow_create(&c, &F);
 *     double sc[2];  elig_follow_command_scale(c.sys, sc);       // 0.5: stay within the radius
 *     elig_follow_command(&c, T, 2000.0, 50.0, sc, seed, u);    // (T, 2) command input
 *     for (t = 0; t < T; t++) elig_follow_step(F, u + 2*t, 1, 1); // feedback + learning
 *     elig_follow_reset(F);
 *     for (t = 0; t < T2; t++) elig_follow_step(F, v + 2*t, 0, 0); // test: neither
 *     // compare elig_follow_output(F) with elig_follow_reference(F) at each step
 *
 * Conventions are those of elig.h: time in ms unless a field says otherwise, configs with
 * *_default(), *_check / *_bytes / *_create / *_free, one allocation per object, negative status
 * codes with a message naming the field and value in elig_last_error(), per-step functions do
 * arithmetic only (no allocation, no validation), explicit seeds. Arrays are caller-owned,
 * row-major, shapes in comments.
 *
 * Precision: the RLS state (P, φ, the readout x̂ it is computed from), the ODE state and the
 * FOLLOW decoder solve are double in every build; neuron state, weights, synaptic traces and the
 * arrays crossing the API are elig_real.
 */
#ifndef ELIG_DYN_H
#define ELIG_DYN_H

#include "elig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- ODE reference systems */

#define ELIG_ODE_MAX_DIM 8
#define ELIG_ODE_MAX_PARAMS 8

/* dx = f(t, x, u; params). x, dx: (dim); u: (n_u), never NULL (zeros for an autonomous
 * system); t and dx in the system's own time unit (time_unit_ms). */
typedef void (*elig_ode_fn)(double t, const double *x, const double *u, const double *params, double *dx);

typedef struct elig_ode_system {
    const char *name;
    int dim;                /* state dimension                                              */
    int n_u;                /* command input dimension; 0 = autonomous                      */
    int n_params;
    double time_unit_ms;    /* the equations' time unit: 1000 = seconds (all shipped ones)   */
    elig_ode_fn f;
    const char *param_names;                /* comma-separated, in params order              */
    double params[ELIG_ODE_MAX_PARAMS];     /* defaults                                      */
    double x0[ELIG_ODE_MAX_DIM];            /* default initial state                         */
} elig_ode_system;

/* FORCE (Nicola & Clopath code, t in s):
 *   vdp_force     dx1 = TC mu (x1 - (MD^2/3) x1^3 - x2),  dx2 = TC x1 / mu
 *                 mu 5 (relaxation), MD 10 (space scale), TC 20 (time scale); x0 (0.1, 0.1)
 *   lorenz_force  dx1 = TC sigma (x2 - x1),  dx2 = TC (rho x1 - MD x1 x3 - x2),
 *                 dx3 = TC (MD x1 x2 - beta x3);  sigma 10, rho 28, beta 8/3, MD 70, TC 1;
 *                 x0 (0.1, 0.1, 0.1)  (the classical attractor scaled down by MD)
 * FOLLOW (Gilra & Gerstner code, t in s; u enters as u / tau_u, tau_u = the network's synaptic
 * time constant, 20 ms, as in the code's (Wdesired(x) - x)/tau + u/tau; x0 = 0.001 each):
 *   vdp_follow    dx = [x2, mu (1 - x1^2) x2 - x1] / tau_dyn + u / tau_u;  mu 2, tau_dyn 0.125 s
 *   lorenz_follow dx = [10 (x2 - x1), -x1 x3 - x2, x1 x2 - (8/3)(x3 + 28)] / tau_dyn + u / tau_u;
 *                 tau_dyn 1 s (x3 shifted by 28 to a zero baseline, as in the code)
 *   linosc_follow dx = [-0.2 x1 - x2, x1 - 0.2 x2] / tau_dyn + u / tau_u;  decay 0.2, tau_dyn 0.1 s */
extern const elig_ode_system elig_ode_vdp_force;
extern const elig_ode_system elig_ode_lorenz_force;
extern const elig_ode_system elig_ode_vdp_follow;
extern const elig_ode_system elig_ode_lorenz_follow;
extern const elig_ode_system elig_ode_linosc_follow;
/* "vdp_force", "lorenz_force", "vdp_follow", "lorenz_follow", "linosc_follow"; NULL if unknown. */
const elig_ode_system *elig_ode_by_name(const char *name);

/* One classical RK4 step of size h (system time unit) from time t, u held over the step.
 * params NULL = the system's defaults; u NULL = zero input. x (dim) is advanced in place. */
void elig_ode_rk4_step(const elig_ode_system *s, const double *params, double t, double h, const double *u, double *x);
/* Integrate from state x at time *t_ms (ms; advanced) for n_steps samples of dt_ms each, with
 * `substeps` RK4 steps per sample (>= 1). u: (n_steps, n_u) held over each sample, or NULL.
 * out: (n_steps, dim), row i = x at the end of step i, i.e. at *t_ms + (i+1) dt_ms; out may be
 * NULL (discard a transient). x: (dim) in/out. Cost: 4 substeps evaluations of f per sample. */
int elig_ode_sample(const elig_ode_system *s, const double *params, double *x, double *t_ms, double dt_ms,
                    int substeps, long n_steps, const elig_real *u, elig_real *out);

/* ---------------------------------------------------------------- target signals */

/* Sampled at t_i = (i+1) dt_ms, i = 0 .. n_steps-1 (the reference code's i*dt, 1-based). */
/* out (n_steps): amp sin(2 pi freq_hz t + phase). The FORCE benchmark: 5 Hz, amp 1. */
int elig_target_sine(double dt_ms, long n_steps, double freq_hz, double amp, double phase, elig_real *out);
/* out (n_steps): sum_j amp[j] sin(2 pi freq_hz[j] t + phase[j]) (phase NULL = 0). */
int elig_target_sines(double dt_ms, long n_steps, int n_terms, const double *amp, const double *freq_hz,
                      const double *phase, elig_real *out);
/* "Ode to Joy", first phrase, 5 channels = the notes C D E F G (the reference code's channel
 * frequencies 261, 293.6, 329.6, 349.23, 392 Hz). Melody in quarter-note slots of 250 ms:
 *     E E F G | G F E D | C C D E | E D D--      (15 notes; the last D a half note)
 * 16 slots = one 4 s period, repeated. A note of length L starting at t0 is a half-sine bump
 * sin(pi (t - t0) / L) on its channel (a half note is one bump over two slots); all other
 * channels are 0. out: (n_steps, 5). */
#define ELIG_ODE_TO_JOY_DIM 5
#define ELIG_ODE_TO_JOY_PERIOD_MS 4000.0
int elig_target_ode_to_joy(double dt_ms, long n_steps, elig_real *out);
/* A high-dimensional temporal signal (HDTS, Nicola & Clopath 2017): m channels that tile each
 * period_ms in m equal segments; channel j is the half-sine bump sin(pi s / L) over segment j
 * (s the time into the segment, L = period_ms / m) and 0 elsewhere, so exactly one channel is
 * active at a time and the active index tells where in the period the signal is. Added to a
 * FORCE supervisor (their supplementary long "Ode to Joy" appends 64 such channels), the
 * network must also produce the clock, which separates the moments that the task's own
 * channels leave ambiguous (the same note at two places in the melody). Writes channel j of
 * step i to out[i stride + j] (stride >= m), leaving the other entries alone. */
int elig_target_hdts(double dt_ms, long n_steps, double period_ms, int m, int stride, elig_real *out);

/* ---------------------------------------------------------------- FORCE */

typedef enum {
    ELIG_FORCE_LIF = 0,        /* tau_m dv/dt = -v + I, refractory t_ref, spike at v_peak      */
    ELIG_FORCE_IZHIKEVICH = 1, /* C dv/dt = k (v - v_r)(v - v_t) - w + I, dw/dt = a (b (v - v_r) - w) */
    ELIG_FORCE_THETA = 2,      /* tau_m dθ/dt = (1 - cos θ) + pi^2 (1 + cos θ) I, spike at θ = pi */
    ELIG_FORCE_RATE = 3        /* tau_m dx/dt = -x + I, r = tanh(x) (Sussillo & Abbott)        */
} elig_force_model;

typedef enum {
    ELIG_RLS_TEXTBOOK = 0,     /* k = P r / (1 + rᵀP r); φ -= k eᵀ; P -= k (P r)ᵀ  (= ridge)   */
    ELIG_RLS_NICOLA = 1        /* φ -= (P r) eᵀ with the un-normalised gain, as in the
                                  Nicola & Clopath code; P updated as above                   */
} elig_rls_gain;

/* Fields marked (model) have a per-model default from elig_force_cfg_default(model): the
 * reference code's values (table in src/force.c). */
typedef struct {
    int model;            /* elig_force_model                                                  */
    int n;                /* N neurons                                                         */
    int k;                /* output (target) dimension                                         */
    double p;             /* density of omega0, (0, 1]                          (0.1)          */
    double G;             /* omega0 = G N(0,1) [rand < p] / (sqrt(N) p) (spiking, Nicola &
                             Clopath); G N(0,1) [rand < p] / sqrt(p N) (rate: G = g, Sussillo &
                             Abbott)                                             (model)        */
    double Q;             /* encoders eta = Q U(-1, 1), (N, k)                  (model)        */
    int balance;          /* 1: each row of omega0 has mean 0 over its nonzeros (model)        */
    double dt;            /* ms                                                 (model)        */
    double tau_r, tau_d;  /* ms synaptic rise / decay (2, 20); tau_r = 0: single exponential;
                             spiking models only                                              */
    double rate_unit_ms;  /* time unit of the filtered rates r and of the kernel's unit area:
                             1000 (Hz; LIF, theta code) or 1 (per ms; Izhikevich code)  (model) */
    double tau_m;         /* ms LIF membrane (10), theta time unit (1000), rate unit (10) (model) */
    double t_ref;         /* ms refractory period, LIF only (2)                               */
    double v_reset, v_peak; /* LIF -65/-40 mV, Izhikevich -65/30 mV, theta -pi/pi     (model)  */
    double bias;          /* constant current: LIF -40 mV, Izhikevich 1000 pA, else 0 (model)  */
    double v_init_lo, v_init_hi; /* initial v ~ U(lo, hi)                             (model)  */
    double izh_C, izh_vr, izh_vt, izh_k, izh_a, izh_b, izh_d; /* Izhikevich: pF, mV, mV, nS/mV,
                             1/ms, nS, pA (250, -60, -19.2, 2.5, 0.01, -2, 200)                */
    int rls_every;        /* RLS every this many steps inside the window        (model)       */
    double alpha;         /* P(0) = alpha I, i.e. ridge lambda = 1/alpha          (model)       */
    int gain;             /* elig_rls_gain                                      (textbook)    */
    long t_min, t_crit;   /* training window [t_min, t_crit) in steps; t_min < t_crit (model) */
    uint64_t seed;        /* omega0, encoders, initial state                                   */
    size_t mem_limit;     /* bytes; 0 = none                                                   */
} elig_force_cfg;

/* The reference code's parameters for one model (src/force.c has the table); k = 1. For
 * ELIG_FORCE_RATE: Sussillo & Abbott (N 1000, g = G = 1.5, p 0.1, tau 10 ms), dt 1 ms. */
elig_force_cfg elig_force_cfg_default(int model);

typedef struct elig_force elig_force;
int elig_force_check(const elig_force_cfg *cfg);
size_t elig_force_bytes(const elig_force_cfg *cfg);    /* exact bytes create allocates; 0 if invalid */
/* Checks every field, allocates once, draws omega0 and the encoders, then resets. Cost O(N^2). */
int elig_force_create(const elig_force_cfg *cfg, elig_force **out);
void elig_force_free(elig_force *F);                   /* NULL-safe */
const elig_force_cfg *elig_force_get_cfg(const elig_force *F);
/* Time to 0, phi to 0, P to alpha I, synapses to 0, v redrawn (the same draw every time). */
void elig_force_reset(elig_force *F);

/* One step: neurons, event-driven recurrent input, synaptic filters, x̂ = φᵀr. If learn != 0,
 * target (k) != NULL, the step index t is in [t_min, t_crit) and (t - t_min) % rls_every == 0,
 * one RLS update with e = x̂ - target (the a-priori error; x̂ keeps its pre-update value, as in
 * the reference code). Cost: O(N k) + O(spikes N) (O(N^2) dense for the rate model) + O(N^2)
 * on RLS steps. No allocation, no validation. */
void elig_force_step(elig_force *F, const elig_real *target, int learn);
/* n_steps steps against target (n_steps, k_target) (NULL: no target, no learning); x̂ of each
 * step to xhat_out (n_steps, k) if not NULL. ELIG_EINVAL if k_target != cfg.k. */
int elig_force_run(elig_force *F, const elig_real *target, int k_target, long n_steps, int learn, elig_real *xhat_out);

const elig_real *elig_force_output(const elig_force *F);   /* x̂ (k) of the last step            */
/* Indices of the neurons that spiked in the last step, (*count); none for the rate model. */
const int *elig_force_spikes(const elig_force *F, int *count);
const elig_real *elig_force_rates(const elig_force *F);    /* r (N): filtered rates / tanh      */
const double *elig_force_decoders(const elig_force *F);    /* φ (N, k)                           */
/* P, symmetric, stored as its packed upper triangle, row-major: P[i, j] (j >= i) at
 * i N - i (i - 1) / 2 + (j - i); N (N + 1) / 2 doubles (half the memory traffic of the full
 * matrix, which bounds the RLS step). */
const double *elig_force_P(const elig_force *F);
/* omega0, stored transposed (column j of omega0 contiguous: omega0[i, j] at [j N + i]), so that
 * a spike of neuron j adds one contiguous column. */
const elig_real *elig_force_omega0(const elig_force *F);
const elig_real *elig_force_encoders(const elig_force *F); /* eta (N, k)                        */
long elig_force_time(const elig_force *F);                 /* steps since reset                  */
long elig_force_n_rls(const elig_force *F);                /* RLS updates since reset            */

/* The RLS update alone, on caller arrays (the object calls it; exposed for tests):
 *   c = P r;  e = φᵀr - x;  den = 1 + rᵀc
 *   textbook: φ -= (c/den) eᵀ;   nicola: φ -= c eᵀ;   both: P -= c cᵀ / den
 * P packed upper triangle as in elig_force_P (n (n + 1) / 2), phi (n, k), r (n), x (k) the
 * target, c (n) scratch; e (k) receives the a-priori error if not NULL. Two passes over the
 * n^2/2 stored entries: ~n^2 + 2 n k multiply-adds, memory-bound for large n. */
void elig_force_rls_update(int n, int k, double *P, double *phi, const double *r, const double *x, int gain, double *c,
                           double *e);

/* ---------------------------------------------------------------- FOLLOW */

typedef struct {
    const elig_ode_system *sys;             /* reference system: d = sys->dim, input n_u = sys->n_u */
    double sys_params[ELIG_ODE_MAX_PARAMS]; /* its parameters (default: sys->params)            */
    int n_ff, n_rec;      /* feed-forward (command) and recurrent LIF neurons                  */
    double dt;            /* ms (1)                                                             */
    double tau_rc, tau_ref; /* ms LIF membrane and refractory period (20, 2; Nengo's LIF)        */
    double rate_lo, rate_hi; /* Hz max firing rates ~ U(lo, hi) (200, 400)                     */
    double icpt_lo, icpt_hi; /* intercepts ~ U(lo, hi) in units of the radius (-1, 0.999)      */
    double const_gain;    /* 0: gains from the max rates (Nengo); > 0: this gain for every
                             neuron, bias = 1 - gain intercept (the paper's Figure 2 choice)   */
    double radius_in;     /* range the feed-forward layer encodes u in                          */
    double radius;        /* range the recurrent layer encodes x in                             */
    double tau_syn;       /* ms synapses, presynaptic traces and the output filter (20)         */
    double tau_fb;        /* ms error feedback filter (20)                                      */
    double tau_err;       /* ms error filter of the weight update (200)                         */
    double k_fb;          /* feedback gain k (10)                                               */
    double eta;           /* learning rate (PES form, see src/follow.c)                         */
    double w_decay;       /* 1/s weight decay while learning, dW -= w_decay W dt (the code's
                             weightRegularize option; 0 = off, the paper's setting)           */
    int n_eval;           /* sample points of the decoder least squares; 0 = Nengo's
                             max(clip(500 d, 750, 2500), 2 n_rec)                              */
    double dec_reg;       /* decoder ridge: sigma = dec_reg * max rate (0.1, Nengo's LstsqL2)   */
    double x0[ELIG_ODE_MAX_DIM]; /* initial reference state (default sys->x0)                  */
    double trial_ms;      /* ms trials (the code's trialClamp; vdp 4000, else 0 = continuous):
                             the last clamp_ms of every trial_ms, counted from the last reset,
                             hold the reference at x0, silence both layers and switch feedback
                             and learning off, so that every trial starts from rest            */
    double clamp_ms;      /* ms end-of-trial clamp (500, the code's Tclamp)                     */
    int dense;            /* 0: weights kept factored, W[j, i] = ẽ_i · A[j] (exact: PES projects
                             the error on the encoders, so from W = 0 every update is ẽ (ε sᵀ));
                             O(n d) per step. 1: the dense n_rec (n_ff + n_rec) matrices, the
                             plain O(n^2) reference kernel (tests compare the two)              */
    uint64_t seed;        /* encoders, rates, intercepts, decoder sample points                */
    size_t mem_limit;     /* bytes; 0 = none                                                    */
} elig_follow_cfg;

/* Defaults for one reference system (src/follow.c has the table): the FOLLOW code's values,
 * radii linosc 0.2 / 1, vdp 0.2 / 5, lorenz 6 / 30; n_ff = n_rec = 3000 for vdp and 5000 for
 * lorenz (the paper's sizes: tens of minutes per run). vdp runs in 4 s trials with a 500 ms
 * clamp (trial_ms, clamp_ms). linosc is sized to learn in ~4 s of CPU: n 200 + 200, constant
 * gain 10, eta 3e-3, k 10, 300 s of training on the command input at half amplitude
 * (elig_follow_command_scale: the state must stay within radius 1). */
elig_follow_cfg elig_follow_cfg_default(const elig_ode_system *sys);

typedef struct elig_follow elig_follow;
int elig_follow_check(const elig_follow_cfg *cfg);
size_t elig_follow_bytes(const elig_follow_cfg *cfg);
/* Checks, allocates once, draws the neurons, solves for the fixed decoders (least squares on
 * the LIF rate curves; cost O(n_eval n_rec^2 / 2 + n_rec^3 / 6)), zeroes the weights, resets. */
int elig_follow_create(const elig_follow_cfg *cfg, elig_follow **out);
void elig_follow_free(elig_follow *F);
const elig_follow_cfg *elig_follow_get_cfg(const elig_follow *F);
/* Neuron state, traces, filters and the reference back to x0 at time 0; weights are kept. */
void elig_follow_reset(elig_follow *F);
/* Weights back to zero (untrained). */
void elig_follow_zero_weights(elig_follow *F);
/* Set the weights a Neural Engineering Framework model would wire by hand (the FOLLOW code's
 * initLearned): W[j, i] = ẽ_i · D_g[j] with D_g the least-squares decoders, from the recurrent
 * layer's rate curves, of g(x) = x + tau_syn f(x, 0); W_ff[l, i] = ẽ_i · D_h[l] with D_h the
 * feed-forward layer's decoders of h(u) = tau_syn (f(0, u) - f(0, 0)). With them the open-loop
 * network approximates dx/dt = f(x, u) as well as its rate curves allow: the reference against
 * which FOLLOW's learned weights can be judged. Replaces the current weights. Cost: two
 * decoder solves, O(n_eval n^2 / 2 + n^3 / 6) each (1000 + 1000: 0.8 s; 3000 + 3000: 27 s). ELIG_EINVAL if a layer has
 * no active neuron within its radius. */
int elig_follow_ideal_weights(elig_follow *F);

/* One step with command input u (n_u): RK4 step of the reference, both layers, x̂. feedback:
 * inject k ε (filtered) into the recurrent layer; learn: update the feed-forward and recurrent
 * weights. Training = (1, 1), testing = (0, 0). In an end-of-trial clamp (cfg.trial_ms) both are
 * off whatever is passed. Cost O((n_ff + n_rec) d) with factored weights; dense adds
 * O(n_rec (n_ff + n_rec)) (weights read, and written when learning). No allocation, no
 * validation. */
void elig_follow_step(elig_follow *F, const elig_real *u, int feedback, int learn);
const elig_real *elig_follow_output(const elig_follow *F);    /* x̂ (d), tau_syn-filtered       */
const elig_real *elig_follow_reference(const elig_follow *F); /* x (d) filtered like x̂ (tau_syn) */
const elig_real *elig_follow_decoders(const elig_follow *F);  /* (n_rec, d)                     */
/* Copy the learned weights out, pre-major (the transpose of elig.h's W[post, pre]):
 * w (n_rec pre, n_rec post), w_ff (n_ff pre, n_rec post); element [j, i] = weight j -> i.
 * Either may be NULL. Factored storage is multiplied out: O(n_rec (n_rec + n_ff) d). */
void elig_follow_get_weights(const elig_follow *F, elig_real *w, elig_real *w_ff);
/* Factored storage (cfg.dense == 0): A (n_rec, d) and *a_ff (n_ff, d) with weight j -> i =
 * ẽ_i · A[j], ẽ the recurrent layer's scaled encoders. NULL for dense storage. */
const elig_real *elig_follow_weight_factors(const elig_follow *F, const elig_real **a_ff);
long elig_follow_time(const elig_follow *F);
/* Indices of the neurons that spiked in the last step, (*count): the recurrent layer if
 * recurrent != 0, else the feed-forward layer. */
const int *elig_follow_spikes(const elig_follow *F, int recurrent, int *count);
/* 1 if the last step lay in an end-of-trial clamp (cfg.trial_ms > 0): errors are measured
 * over the other steps. */
int elig_follow_clamped(const elig_follow *F);
/* Change the learning rate between steps (a schedule: the weights' fluctuation around the
 * solution scales with eta, so decaying it late in training sharpens them). No validation. */
void elig_follow_set_eta(elig_follow *F, double eta);
/* Change the feedback gain between steps (the FOLLOW code's errorGainDecay option lowers it
 * during training). No validation. */
void elig_follow_set_k_fb(elig_follow *F, double k_fb);

/* The per-channel scale of elig_follow_command's input that keeps each system's reference
 * state within the recurrent layer's default radius (scale: n_u values): linosc 0.5 (max |x|
 * 0.89 of radius 1; at full amplitude 1.8), vdp 1/3, 1 (the FOLLOW code's; max |x| 4.9 of 5),
 * lorenz 0.2 (|x| > 30 for 0.7% of the time; 21% at full amplitude). Outside its radius the
 * layer saturates and FOLLOW's weights drift (src/follow.c). Other systems: 1. */
void elig_follow_command_scale(const elig_ode_system *sys, double *scale);
/* The FOLLOW code's command input ("amplVaryHeightsScaled"): per period a random direction
 * (normalised Gaussian vector) times radius_in, plus noise U(-radius_in, radius_in) per channel
 * redrawn every hold_ms, the sum halved; dim_scale (n_u) multiplies channel j (NULL = 1;
 * elig_follow_command_scale: the scales that keep the state within the radius). u: (n_steps, n_u). */
int elig_follow_command(const elig_follow_cfg *cfg, long n_steps, double period_ms, double hold_ms,
                        const double *dim_scale, uint64_t seed, elig_real *u);

#ifdef __cplusplus
}
#endif

#endif
