/* elig.h -- online learning in recurrent spiking and rate networks.
 *
 * The whole public C API. elig follows Zenke & Neftci (Proc. IEEE 2021): a learning rule is
 * (a) which part of the influence matrix M_t = J_t M_{t-1} + Mbar_t it carries forward and
 * (b) where its learning signal comes from. Neuron models supply their step and the local
 * partial derivatives; rules never hard-code a neuron's equations.
 *
 * A minimal training loop (e-prop on the pattern-generation task):
 *
 *     elig_net_cfg nc = elig_net_cfg_default();        // one recurrent LIF layer
 *     nc.n_in = 100; nc.n_out = 1; nc.layer[0].n = 100;
 *     elig_net *net;       if (elig_net_create(&nc, &net)) puts(elig_last_error());
 *     elig_learner_cfg lc = elig_learner_cfg_default();
 *     elig_learner_preset("eprop", &lc); lc.max_steps = 1000;
 *     elig_learner *L;     elig_learner_create(net, &lc, &L);
 *     elig_optim_cfg oc = elig_optim_cfg_default(); oc.kind = ELIG_OPTIM_ADAM;
 *     elig_optim *opt;     elig_optim_create(&oc, elig_net_n_params(net), &opt);
 *     for (int it = 0; it < 500; it++) {
 *         elig_learner_begin(L, T);                      // zero state, traces, gradient
 *         for (int t = 0; t < T; t++)                    // batch 1: x (T, n_in), target (T, n_out)
 *             elig_learner_step(L, x + t*n_in, target + t*n_out, NULL);
 *         double loss; elig_learner_end(L, &loss);
 *         elig_optim_step(opt, elig_net_params(net), elig_learner_grad(L));
 *         elig_learner_after_update(L);                  // masks, adaptive feedback
 *     }
 *
 * Conventions: W[post, pre] row-major; arrays are caller-owned, flat, shapes in comments;
 * time in ms; every fallible call returns an elig_status (0 ok, negative error) and leaves a
 * message naming the field and value in elig_last_error(). The library never prints or exits.
 * Per-step functions do arithmetic only: everything is allocated at create time.
 */
#ifndef ELIG_H
#define ELIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ELIG_VERSION "0.1.0"

#ifdef ELIG_DOUBLE
typedef double elig_real;
#else
typedef float elig_real;
#endif

/* ---------------------------------------------------------------- status */

#define ELIG_STATUS_MAP(X)                                              \
    X(OK, 0, "ok")                                                      \
    X(EINVAL, -1, "invalid argument")                                   \
    X(ENOMEM, -2, "out of memory")                                      \
    X(ELIMIT, -3, "memory limit exceeded")                              \
    X(EIO, -4, "input/output error")                                    \
    X(EFORMAT, -5, "malformed or unsupported file")                     \
    X(EUNSUPPORTED, -6, "combination not supported")                    \
    X(ESTATE, -7, "call out of order")

typedef enum {
#define ELIG__ENUM(name, val, msg) ELIG_##name = val,
    ELIG_STATUS_MAP(ELIG__ENUM)
#undef ELIG__ENUM
} elig_status;

const char *elig_status_name(int status);  /* "EINVAL" */
const char *elig_strerror(int status);     /* "invalid argument" */
/* Message of the last failing call on this thread, naming the field and value. */
const char *elig_last_error(void);

/* Allocator hook for embedders (default malloc/free). Set before creating objects. */
typedef void *(*elig_malloc_fn)(size_t bytes, void *ctx);
typedef void (*elig_free_fn)(void *ptr, void *ctx);
void elig_set_allocator(elig_malloc_fn m, elig_free_fn f, void *ctx);

/* ---------------------------------------------------------------- rng */

/* xoshiro256** seeded through splitmix64: explicit state, no global RNG. */
typedef struct { uint64_t s[4]; } elig_rng;
void elig_rng_seed(elig_rng *r, uint64_t seed);
uint64_t elig_rng_u64(elig_rng *r);
double elig_rng_uniform(elig_rng *r);   /* [0, 1) with 53 random bits */
double elig_rng_normal(elig_rng *r);    /* N(0,1), Box-Muller (no cached spare: stateless) */

/* ---------------------------------------------------------------- surrogates */

/* sigma'(x), x = v - A (distance to the threshold). Constants: gamma (height), beta (steepness). */
typedef struct elig_surrogate {
    const char *name;
    double gamma_default, beta_default;
    /* v_th is the (baseline) threshold, used by the piecewise-linear form. */
    double (*deriv)(double x, double gamma, double beta, double v_th);
    /* Its primitive S with S(-inf) = 0: the smooth relaxation z = S(x) used by the
     * finite-difference checks (neuron parameter `smooth`). */
    double (*prim)(double x, double gamma, double beta, double v_th);
} elig_surrogate;
extern const elig_surrogate elig_surrogate_pwl;          /* (g/v_th) max(0, 1 - b|x|/v_th)   e-prop */
extern const elig_surrogate elig_surrogate_fast_sigmoid; /* g / (1 + b|x|)^2                 SuperSpike */
extern const elig_surrogate elig_surrogate_exp;          /* g exp(-b|x|)                     SLAYER */
extern const elig_surrogate elig_surrogate_atan;         /* (g/pi) / (1 + (b pi x)^2)        arctan */
const elig_surrogate *elig_surrogate_by_name(const char *name); /* NULL if unknown */

/* ---------------------------------------------------------------- neuron models */

typedef enum { ELIG_RESET_SUBTRACT = 0, ELIG_RESET_ZERO = 1 } elig_reset;

/* Every model reads the fields it documents and ignores the rest (see src/neuron_*.c). */
typedef struct {
    double tau_mem;      /* ms   membrane (LIF/ALIF/CuBa) or rate-unit time constant     */
    double tau_syn;      /* ms   synaptic current (CuBa-LIF)                              */
    double tau_adapt;    /* ms   threshold adaptation (ALIF)                              */
    double beta_adapt;   /* 1    adaptation strength: A = v_th + beta_adapt * a (ALIF)    */
    double v_th;         /* 1    threshold                                                */
    double t_ref;        /* ms   refractory period: silent steps = round(t_ref / dt)      */
    int reset;           /* elig_reset                                                    */
    int detach_reset;    /* 1: the reset path carries no gradient (exact rules)           */
    int input_leak_scale;/* 1: input scaled by (1 - decay) instead of 1                   */
    int adapt_leak_scale;/* 1: a <- rho a + (1 - rho) z instead of a <- rho a + z (ALIF)  */
    int spike_per_dt;    /* 1: z = H(.)/dt and reset subtracts v_th*dt*z (e-prop code)    */
    int smooth;          /* 1: z = S(v - A), the surrogate's primitive, instead of H (tests) */
    double adapt_fraction;/* ALIF: the last round(f*n) neurons adapt, the others have beta 0 */
    double h0;           /* 1    rate: initial state (and output) at the start of a sequence */
    double tau_rp;       /* ms   DECOLLE refractory trace time constant                   */
    double w_rp;         /* 1    DECOLLE refractory trace weight                          */
    const elig_surrogate *surrogate;
    double sg_gamma, sg_beta;
} elig_neuron_params;

typedef struct elig_neuron_model elig_neuron_model; /* method table, see src/neuron.h */
extern const elig_neuron_model elig_neuron_lif_cuba; /* state (I, U): current-based LIF      */
extern const elig_neuron_model elig_neuron_lif;      /* state (v): LIF in e-prop form        */
extern const elig_neuron_model elig_neuron_alif;     /* state (v, a): adaptive threshold     */
extern const elig_neuron_model elig_neuron_rate;     /* state (h): leaky tanh rate unit      */
extern const elig_neuron_model elig_neuron_decolle;  /* state (Q, P, R): DECOLLE's LIF       */
const elig_neuron_model *elig_neuron_by_name(const char *name);
const char *elig_neuron_name(const elig_neuron_model *m);
int elig_neuron_n_state(const elig_neuron_model *m);
int elig_neuron_is_spiking(const elig_neuron_model *m);
/* Defaults of a model's parameters: each model's own (e.g. lif: tau_mem 20 ms, v_th 0.6;
 * lif_cuba: tau_mem 10 ms, tau_syn 5 ms, v_th 1), listed in its source file and docs/models. */
elig_neuron_params elig_neuron_params_default(const elig_neuron_model *m);

/* ---------------------------------------------------------------- network */

#define ELIG_MAX_LAYERS 8

typedef enum {
    ELIG_INIT_NORMAL = 0,   /* gain * N(0,1) / sqrt(fan_in)               */
    ELIG_INIT_GLOROT = 1,   /* gain * U(-a, a), a = sqrt(6/(fan_in+fan_out)) */
    ELIG_INIT_ZERO = 2,
    ELIG_INIT_IDENTITY = 3  /* readout only: W_out = I (needs n_out = n of the last layer)     */
} elig_init;

typedef struct {
    int n;                       /* neurons                                              */
    const elig_neuron_model *model;
    elig_neuron_params neuron;
    int recurrent;               /* 1: W_rec (n, n)                                      */
    int autapses;                /* 1: allow W_rec diagonal (default 0)                  */
    double rec_density;          /* structural connectivity of W_rec, (0, 1]              */
    int bias;                    /* 1: trainable bias (n)                                */
    int init;                    /* elig_init for W_in and W_rec                         */
    double in_gain, rec_gain;    /* initialiser gains                                     */
} elig_layer_cfg;

typedef struct {
    double dt;                   /* ms                                                   */
    int n_in, n_out, n_layers;
    int batch;                   /* independent sequences stepped together               */
    elig_layer_cfg layer[ELIG_MAX_LAYERS];
    double tau_out;              /* ms readout time constant; 0 = memoryless (kappa = 0) */
    int out_leak_scale;          /* 1: y <- kappa y + (1-kappa) W_out z + b              */
    double tau_out2;             /* ms; > 0 adds a second stage y2 <- kappa2 y2 + s2 y
                                    (double-exponential kernel, e.g. van Rossum / SuperSpike),
                                    s2 = 1 - kappa2 if out_leak_scale; 0 = none          */
    int out_trainable;           /* 0: W_out and b_out stay fixed (gradient zero)        */
    int out_bias;
    int out_init; double out_gain;
    uint64_t seed;               /* initialisers and masks                               */
    size_t mem_limit;            /* bytes; 0 = no limit                                  */
} elig_net_cfg;

elig_net_cfg elig_net_cfg_default(void);     /* one recurrent LIF layer of 100, dt 1 ms */
elig_layer_cfg elig_layer_cfg_default(const elig_neuron_model *m);

typedef struct elig_net elig_net;
/* Checks every field, then allocates once. */
int elig_net_create(const elig_net_cfg *cfg, elig_net **out);
void elig_net_free(elig_net *net);
int elig_net_check(const elig_net_cfg *cfg);           /* validation alone */
size_t elig_net_bytes(const elig_net_cfg *cfg);        /* exact bytes create will allocate */
const elig_net_cfg *elig_net_get_cfg(const elig_net *net);

/* Parameters: one contiguous vector. Layout: for each layer l: W_in (n_l, n_{l-1}),
 * W_rec (n_l, n_l) if recurrent, b (n_l) if bias; then W_out (n_out, n_L), b_out (n_out)
 * if out_bias. Gradients use the same layout. */
typedef enum { ELIG_W_IN = 0, ELIG_W_REC = 1, ELIG_BIAS = 2, ELIG_W_OUT = 3, ELIG_B_OUT = 4 } elig_tensor;
size_t elig_net_n_params(const elig_net *net);
elig_real *elig_net_params(elig_net *net);
/* Offset and shape of one tensor (layer ignored for W_OUT/B_OUT); ELIG_EINVAL if absent. */
int elig_net_tensor(const elig_net *net, elig_tensor which, int layer, size_t *offset, int *rows, int *cols);
/* 1 where a parameter exists (structural mask, autapses), 0 where it is held at zero. */
const unsigned char *elig_net_param_mask(const elig_net *net);
void elig_net_apply_mask(elig_net *net);               /* zero masked parameters */
/* Re-draw parameters from cfg->seed (called by create). */
void elig_net_init_params(elig_net *net);

void elig_net_reset_state(elig_net *net);              /* all state and counters to zero */
/* One time step for the whole batch. x: (batch, n_in). */
void elig_net_step(elig_net *net, const elig_real *x);
const elig_real *elig_net_output(const elig_net *net); /* (batch, n_out) readout y_t */
/* (batch, n_l) z_t and the state; valid until the next step (the net swaps its buffers). */
const elig_real *elig_net_spikes(const elig_net *net, int layer);
const elig_real *elig_net_state(const elig_net *net, int layer);  /* (batch, n_l, s) */

/* ---------------------------------------------------------------- losses */

typedef struct elig_loss elig_loss; /* method table, see src/loss.c */
extern const elig_loss elig_loss_mse;      /* l_t = 1/2 sum_k (y_k - y*_k)^2                    */
extern const elig_loss elig_loss_ce;       /* l_t = -sum_k y*_k log softmax(y_t)_k, per step    */
extern const elig_loss elig_loss_ce_mean;  /* CE of softmax(mean over the window of y_t)        */
extern const elig_loss elig_loss_ce_max;   /* CE of softmax(max over the window of y_t, per k)  */
extern const elig_loss elig_loss_smooth_l1;/* l_t = sum_k huber_1(y_k - y*_k) (DECOLLE)         */
const elig_loss *elig_loss_by_name(const char *name);
const char *elig_loss_name(const elig_loss *l);
int elig_loss_is_per_step(const elig_loss *l); /* 1: error at t known at t */

typedef enum { ELIG_TIME_SUM = 0, ELIG_TIME_MEAN = 1 } elig_time_norm;

/* The loss a run reports: L = (1/batch) sum_b sum_{t in W} c_t l_{b,t}, with c_t = 1 (SUM) or
 * 1/|W| (MEAN) for the per-step losses; for ce_mean / ce_max, L = (1/batch) sum_b l_b.
 * Window W = [win_begin, win_end) in steps; negative values count from the sequence end,
 * win_end = 0 means the end. Rate regularisation is never part of it. */
typedef struct {
    const elig_loss *loss;
    int win_begin, win_end;
    int time_norm;            /* elig_time_norm, per-step losses only */
} elig_loss_cfg;

/* ---------------------------------------------------------------- learners */

/* A learner is an influence approximation (what part of M_t = J_t M_{t-1} + Mbar_t is
 * carried forward) times a learning-signal source. Four implementations carry it:
 *   bptt   nothing is carried: the trajectory is stored and the adjoint runs backward;
 *   rtrl   the full influence matrix, or its SnAp-n structural sparsification (snap_n > 0);
 *   trace  the neuron-local block (influence = block: eligibility vectors per synapse, with
 *          or without the reset path) or presynaptic traces only (influence = pre, O(n)),
 *          times a signal: exact spatial, feedback weights, or local readouts;
 *   snap   SnAp-n with sparse storage of the reachable influence entries (one layer).
 * The named rules of the literature are presets of these (elig_learner_preset). */
typedef struct elig_rule elig_rule; /* method table, see src/rule.h */
extern const elig_rule elig_rule_bptt;
extern const elig_rule elig_rule_rtrl;
extern const elig_rule elig_rule_trace;
extern const elig_rule elig_rule_snap;  /* SnAp-n with sparse storage (one layer, per-step losses) */
const elig_rule *elig_rule_by_name(const char *name); /* "bptt", "rtrl", "trace", "snap" */
const char *elig_rule_name(const elig_rule *r);
int elig_rule_is_online(const elig_rule *r);

typedef enum { ELIG_FB_SYMMETRIC = 0, ELIG_FB_RANDOM = 1, ELIG_FB_ADAPTIVE = 2, ELIG_FB_UNIFORM = 3 } elig_feedback;
/* block: per-synapse eligibility vectors, stored once per presynaptic unit when that is exact
 * (all neurons of each layer share A and dc); block_per_synapse: never shared (the reference
 * the automatic choice is tested against); pre: presynaptic traces only (O(n)). */
typedef enum { ELIG_INFL_BLOCK = 0, ELIG_INFL_PRE = 1, ELIG_INFL_BLOCK_PER_SYNAPSE = 2 } elig_influence;
typedef enum {
    ELIG_SIG_FEEDBACK = 0, /* L^l = B^l err (symmetric: W_out^T, through W_in^T for lower layers) */
    ELIG_SIG_EXACT = 1,    /* dE_t/dz^l_t within the step: W_out^T err, then back through the
                              layers' same-step Jacobians (OSTL's spatial gradient)             */
    ELIG_SIG_LOCAL = 2     /* per-layer fixed random readouts G^l and local losses (DECOLLE)   */
} elig_signal;

typedef struct {
    const elig_rule *rule;
    elig_loss_cfg loss;
    int max_steps;            /* longest sequence (BPTT sizes its trajectory with it)      */
    /* rtrl, snap */
    int snap_n;               /* rtrl: 0 full, n >= 1 SnAp-n mask (dense); snap: n >= 1    */
    /* trace */
    int influence;            /* elig_influence                                           */
    int keep_reset;           /* 1: the reset path (and autapse) stay in the local block  */
    int signal;               /* elig_signal                                              */
    double local_gain;        /* LOCAL: G^l ~ U(-a, a)/sqrt(n_l), a = local_gain           */
    const elig_loss *local_loss; /* LOCAL: per-layer loss (default smooth_l1)             */
    int feedback;             /* elig_feedback                                            */
    double fb_gain;           /* random/adaptive B ~ fb_gain N(0,1) (/ sqrt(n_l) if fb_scaled); uniform: fb_gain */
    int fb_scaled;            /* 1: divide by sqrt(n_layer), 0: plain N(0,1)*fb_gain       */
    double kp_decay;          /* adaptive feedback: W_out and B shrink by (1 - kp_decay)   */
    int filter_traces;        /* 1: eligibility filtered with the readout kernel (exact
                                 readout part); 0: raw traces                               */
    double reg_rate;          /* c_reg: E_reg = c_reg/2 sum_i (f_i - f_target)^2           */
    double f_target;          /* Hz                                                        */
    uint64_t seed;            /* feedback weights                                          */
    size_t mem_limit;         /* bytes; 0 = none. Any rule fails at create above it.      */
} elig_learner_cfg;

elig_learner_cfg elig_learner_cfg_default(void); /* the eprop preset, MSE, max_steps 1000 */
/* Set rule and the fields that define a named rule, keeping the rest of *cfg (loss, seed,
 * regularisation, ...). Names: bptt, rtrl, snap1, snap2, snap3, eprop, ostl, rflo, decolle,
 * superspike, diag_rtrl. ELIG_EINVAL for an unknown name. */
int elig_learner_preset(const char *name, elig_learner_cfg *cfg);
/* NULL-terminated list of the preset names. */
const char *const *elig_learner_preset_names(void);

typedef struct elig_learner elig_learner;
int elig_learner_create(elig_net *net, const elig_learner_cfg *cfg, elig_learner **out);
void elig_learner_free(elig_learner *L);
/* Exact bytes create would allocate for this net; 0 and an error message if invalid. */
size_t elig_learner_bytes(const elig_net *net, const elig_learner_cfg *cfg);
/* Multiply-adds per time step for the whole batch (dominant terms of the network step and of
 * the rule's work, amortised: BPTT's backward pass counted per step), before running. 0 and
 * an error message if invalid. elig bench prints it next to the measured steps/s. */
double elig_learner_flops(const elig_net *net, const elig_learner_cfg *cfg);

/* Start a sequence of T steps (T <= max_steps for BPTT): network state, traces, loss
 * accumulators and the gradient are zeroed. */
int elig_learner_begin(elig_learner *L, int T);
/* One step: x (batch, n_in), target (batch, n_out) (a distribution for CE losses; may be
 * NULL outside the loss window), step_mask unused (NULL). Online rules update traces and
 * accumulate the gradient estimate here. */
void elig_learner_step(elig_learner *L, const elig_real *x, const elig_real *target, const void *step_mask);
/* Finish: BPTT runs backward; deferred losses apply their error. *loss as documented above. */
int elig_learner_end(elig_learner *L, double *loss);
/* Gradient accumulated since begin or the last zero_grad, layout of elig_net_params; masked
 * parameters read as zero. O(P) per call (applies the mask). */
elig_real *elig_learner_grad(elig_learner *L);
void elig_learner_zero_grad(elig_learner *L);
/* Call after every optimiser step: re-applies masks, updates adaptive feedback. */
void elig_learner_after_update(elig_learner *L);
/* Feedback matrix of a layer, (n_l, n_out), or NULL when the rule has none. */
elig_real *elig_learner_feedback(elig_learner *L, int layer);
elig_net *elig_learner_net(elig_learner *L);
/* Loss of the last step (per-step losses), and mean rate of layer l in Hz since begin. */
double elig_learner_step_loss(const elig_learner *L);
double elig_learner_rate_hz(const elig_learner *L, int layer);

/* ---------------------------------------------------------------- optimisers */

/* RMAX is SuperSpike's per-parameter RMS normalisation ("RMaxProp"): v <- max(g^2, beta2 v),
 * p -= lr g / (sqrt(v) + eps), beta2 = exp(-update interval / tau_rms). */
typedef enum { ELIG_OPTIM_SGD = 0, ELIG_OPTIM_ADAM = 1, ELIG_OPTIM_RMAX = 2 } elig_optim_kind;

typedef struct {
    int kind;
    double lr;
    double beta1, beta2, eps;   /* Adam; TF/NEST convention: eps added to sqrt(v)       */
    double clip_norm;           /* > 0: scale the gradient to this global L2 norm      */
    double clip_weight;         /* > 0: clamp parameters to [-w, w]                     */
} elig_optim_cfg;

elig_optim_cfg elig_optim_cfg_default(void);  /* Adam, lr 1e-3, (0.9, 0.999), eps 1e-8 */
typedef struct elig_optim elig_optim;
int elig_optim_create(const elig_optim_cfg *cfg, size_t n_params, elig_optim **out);
void elig_optim_free(elig_optim *o);
size_t elig_optim_bytes(const elig_optim_cfg *cfg, size_t n_params);
/* p -= update(g). g is not modified unless clip_norm rescales it. */
void elig_optim_step(elig_optim *o, elig_real *params, elig_real *grad);
void elig_optim_reset(elig_optim *o);

/* ---------------------------------------------------------------- tasks */

typedef enum {
    ELIG_TASK_PATTERN = 0,   /* e-prop pattern generation: frozen Poisson in, sum of sines out */
    ELIG_TASK_EVIDENCE = 1,  /* e-prop evidence accumulation: cues, delay, recall             */
    ELIG_TASK_ARRAY = 2,     /* sequences given as arrays                                     */
    ELIG_TASK_PERIODIC = 3,  /* RFLO (Murray 2019): no input, one periodic output             */
    ELIG_TASK_SPIKE_TIMING = 4, /* SuperSpike: frozen Poisson in, precisely timed spikes out   */
    ELIG_TASK_COPY = 5       /* copy task with a curriculum on the length (Mujika 2018, SnAp)  */
} elig_task_kind;

typedef struct {
    int kind;
    uint64_t seed;
    double dt;               /* ms */
    /* pattern generation */
    int pg_n_in, pg_n_out, pg_steps;
    double pg_rate_hz;       /* 50 */
    /* evidence accumulation */
    int ea_n_cues;           /* 7 */
    int ea_group;            /* channels per group (10): left, right, recall, noise */
    double ea_cue_ms, ea_gap_ms, ea_delay_ms, ea_recall_ms; /* 100, 50, 1050, 150 */
    double ea_f0_hz, ea_noise_hz, ea_p_major; /* 40, 10, 0.7 */
    /* periodic (RFLO): y*(t) = sin(2 pi t/P) + 0.5 sin(4 pi t/P) + 0.25 sin(8 pi t/P),
     * t = 0..pe_steps-1, P = pe_period steps (>= 9: the last term needs > 2 samples a cycle).
     * No input: n_in = 1 channel that is always 0 (a network needs n_in >= 1). n_out = 1.
     * Frozen (the seed is not used); loss MSE summed over all steps. */
    int pe_period, pe_steps; /* 100, 100 (one period per trial) */
    /* spike timing (SuperSpike): st_n_in frozen Poisson trains at st_rate_hz over st_steps;
     * each of st_n_out outputs must fire at st_n_spikes fixed times, drawn once uniformly
     * among all sets with t_1 >= st_min_gap and t_{k+1} - t_k >= st_min_gap. The target is
     * the raw 0/1 spike train, (T, n_out), meant for a spiking output layer whose loss
     * filters both trains (van Rossum); the default loss is plain MSE over all steps.
     * Needs st_steps > st_n_spikes * st_min_gap. */
    int st_n_in, st_n_out, st_steps; /* 100, 1, 500 */
    double st_rate_hz;       /* 10 */
    int st_n_spikes, st_min_gap; /* 5, 20 */
    /* copy (see elig_task_set_level): level L = string length, T = 2 L + 1 steps, n_in = 3,
     * n_out = 2. Steps [0, L): x = (bit, 1, 0); step L (delimiter) and the recall steps
     * [L+1, 2L]: x = (0, 0, 1). Target one-hot(bit k) at step L+1+k, all-zero elsewhere.
     * Default loss: per-step CE over the whole sequence, summed (an all-zero target adds
     * neither loss nor gradient), so the window needs no change when L does (a window
     * [-L, 0) would, and elig_loss_cfg is fixed when a learner is created). Labels are -1
     * (one class per step, not per sequence), and elig_task_is_classification() is 0. */
    int cp_level0, cp_max_level; /* 1, 64 */
    double cp_threshold;     /* bits per recall step below which the curriculum advances (0.15) */
} elig_task_cfg;

elig_task_cfg elig_task_cfg_default(int kind);
typedef struct elig_task elig_task;
int elig_task_create(const elig_task_cfg *cfg, elig_task **out);
/* Array task: x (n_seq, T, n_in) and either y (n_seq, T, n_out) or labels (n_seq) with
 * n_classes = n_out; the arrays are copied. Batches are taken in order, wrapping around. */
int elig_task_create_array(const elig_real *x, const elig_real *y, const int32_t *labels,
                           int n_seq, int T, int n_in, int n_out, elig_task **out);
void elig_task_free(elig_task *t);
int elig_task_steps(const elig_task *t);
int elig_task_n_in(const elig_task *t);
int elig_task_n_out(const elig_task *t);
int elig_task_is_classification(const elig_task *t);
/* Default loss for the task (MSE over all steps; or CE over the recall window; copy: per-step
 * CE over all steps, summed, which only the recall steps' non-zero targets feed). */
elig_loss_cfg elig_task_loss(const elig_task *t);
/* Fill a batch. x (batch, T, n_in); target (batch, T, n_out) (one-hot inside the loss window
 * for classification, zero elsewhere); labels (batch) or NULL. */
int elig_task_sample(elig_task *t, int batch, elig_real *x, elig_real *target, int32_t *labels);
/* Longest sequence the task can produce (copy: 2 cp_max_level + 1; others: elig_task_steps).
 * Size a learner's max_steps with it when a curriculum lengthens the sequences. */
int elig_task_max_steps(const elig_task *t);
/* Spike timing: writes up to max target spike times (steps, ascending) of output 0 to times;
 * returns how many there are (st_n_spikes), or a negative status for another task. */
int elig_task_target_spikes(const elig_task *t, int32_t *times, int max);
/* Copy task: the current level L (string length). Set it in [1, cp_max_level]; sample()
 * then fills T = 2 L + 1 steps, which elig_task_steps() returns. No allocation. */
int elig_task_level(const elig_task *t);
int elig_task_set_level(elig_task *t, int level);
/* Copy task curriculum (Mujika et al. 2018): loss_bits is the mean CE per recall step in
 * bits; with the default loss that is loss / (L ln 2), loss as elig_learner_end reports it.
 * Below cp_threshold the level rises by one (up to cp_max_level) and this returns 1; else 0. */
int elig_task_curriculum(elig_task *t, double loss_bits);

/* Classification accuracy helper: prediction = argmax of the mean readout over the loss window.
 * y: (T, batch, n_out) readout trajectory. Returns the number correct. */
int elig_count_correct(const elig_real *y, const int32_t *labels, int T, int batch, int n_out,
                       int win_begin, int win_end);

/* ---------------------------------------------------------------- .npy files */

typedef enum { ELIG_NPY_F4 = 0, ELIG_NPY_F8 = 1, ELIG_NPY_I4 = 2, ELIG_NPY_I8 = 3 } elig_npy_dtype;

#define ELIG_NPY_MAX_DIMS 8
typedef struct {
    int dtype;                         /* elig_npy_dtype as stored in the file */
    int ndim;
    int64_t shape[ELIG_NPY_MAX_DIMS];
    size_t count;                      /* product of shape */
} elig_npy_info;

/* Parse a .npy held in memory (v1/v2/v3 header, little-endian <f4 <f8 <i4 <i8, C order).
 * Anything else, and every inconsistency, is ELIG_EFORMAT with the byte offset in the
 * message. On success *data_off is where the raw data starts. */
int elig_npy_parse(const void *buf, size_t len, elig_npy_info *info, size_t *data_off);
/* Read a file and convert to elig_real (or to double / int32), allocating *out with
 * malloc (caller frees). max_count caps the element count (0 = 1<<31). */
int elig_npy_read_real(const char *path, elig_npy_info *info, elig_real **out, size_t max_count);
int elig_npy_read_f64(const char *path, elig_npy_info *info, double **out, size_t max_count);
int elig_npy_read_i32(const char *path, elig_npy_info *info, int32_t **out, size_t max_count);
/* Write atomically (temp file + rename), v1 header, <f4 or <f8 by elig_real. */
int elig_npy_write_real(const char *path, const elig_real *data, int ndim, const int64_t *shape);
int elig_npy_write_f64(const char *path, const double *data, int ndim, const int64_t *shape);

#ifdef __cplusplus
}
#endif
#endif /* ELIG_H */
