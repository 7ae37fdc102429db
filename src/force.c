/* force.c -- FORCE learning: recursive least squares on the readout of a fixed chaotic reservoir
 * whose output is fed back into it. Spiking reservoirs after Nicola & Clopath (Nat Commun 8:2208,
 * 2017; their ModelDB code 190565: LIFFORCESINE.m, IZFORCESINE.m, THETAFORCEVDPRELAX.m), the rate
 * reservoir after Sussillo & Abbott (Neuron 63:544, 2009). All four run on the same code.
 *
 * Network (N neurons, k outputs; W[post, pre]):
 *   omega0 = G N(0,1) [rand < p] / (sqrt(N) p)      (N, N) static; with `balance` each row's
 *                                                    nonzeros are shifted to mean 0
 *            rate model: G N(0,1) [rand < p] / sqrt(p N)  (Sussillo & Abbott's scaling: spectral
 *                                                    radius G = g; the spiking scaling would give
 *                                                    G / sqrt(p), 4.7 for g = 1.5, p = 0.1)
 *   eta    = Q U(-1, 1)                              (N, k) fixed encoders
 *   phi                                              (N, k) decoders, learned, phi(0) = 0
 *   I      = IPSC + eta x̂ + bias                     input current (x̂ of the previous step)
 *   neuron step (table below) -> spikes S (the set of neurons with v >= v_peak, then reset)
 *   double-exponential synapse of rise tau_r and decay tau_d, unit area in rate units:
 *     IPSC <- IPSC e^{-dt/tau_r} + h dt;   h  <- h e^{-dt/tau_d} + (sum_{j in S} omega0[:, j]) / (tau_r tau_d)
 *     r    <- r e^{-dt/tau_r} + hr dt;     hr <- hr e^{-dt/tau_d} + [i in S] / (tau_r tau_d)
 *     (tau_r = 0: single exponential, IPSC <- IPSC e^{-dt/tau_d} + sum omega0[:, S] / tau_d, same for r)
 *   x̂ = phiᵀ r
 *   RLS every rls_every steps for t in [t_min, t_crit), if learning is on (elig_force_rls_update):
 *     e = x̂ - x;  c = P r;  textbook: phi -= c eᵀ / (1 + rᵀc);  Nicola code: phi -= c eᵀ;
 *     P -= c cᵀ / (1 + rᵀc);  P(0) = alpha I  (ridge lambda = 1/alpha)
 * Rate model: I = omega0 r + eta x̂ + bias (dense), tau_m dx/dt = -x + I, r = tanh(x), no synapse.
 *
 * Units: time in ms at the API. The filtered rates r are counted per `rate_unit_ms` (1000: Hz) so
 * that the kernel has unit area in the reference code's time unit: LIF and theta code ran in
 * seconds, Izhikevich in ms. This keeps G, Q and alpha at the published values.
 *
 * Neuron models (per-neuron update + spike rule, one function each):
 *   LIF          v += dt/tau_m (I - v) unless refractory; v >= v_peak: spike, v = v_reset,
 *                refractory for round(t_ref/dt) steps
 *   Izhikevich   v' = v + dt/C (k (v - v_r)(v - v_t) - w + I);  w += dt a (b (v - v_r) - w)
 *                (w uses v before the update, as in the code); v' >= v_peak: v = v_reset, w += d
 *   theta        θ += dt/tau_m ((1 - cos θ) + pi^2 (1 + cos θ) I);  θ >= v_peak (pi): θ = v_reset (-pi)
 *   rate         x += dt/tau_m (I - x);  r = tanh(x)
 *
 * Defaults (elig_force_cfg_default; the reference code's values):
 *   parameter        unit   LIF          Izhikevich     theta         rate
 *   N                       2000         2000           2000          1000
 *   dt               ms     0.05         0.04           0.01          1
 *   tau_r, tau_d     ms     2, 20        2, 20          2, 20         -
 *   rate_unit_ms     ms     1000 (Hz)    1 (per ms)     1000 (Hz)     -
 *   tau_m            ms     10           -              1000          10
 *   t_ref            ms     2            -              -             -
 *   v_reset, v_peak  mV     -65, -40     -65, 30        -pi, pi       -
 *   bias             mV/pA  -40          1000           0             0
 *   v init           mV     U(-65, 30)   U(-60, 30)     U(-pi, pi)    U(-1, 1)
 *   G, Q                    0.04, 10     5e3, 5e3       15, 1e4       1.5, 1
 *   p, balance              0.1, yes     0.1, no        0.1, yes      0.1, no
 *   alpha (P(0))            0.1 dt[s]    2              dt[s]         1
 *   rls_every        steps  50           20             50            2
 *   [t_min, t_crit)  s      [5, 10)      [5, 10)        [5, 10)       [5, 10)
 *   Izhikevich: C 250 pF, v_r -60 mV, v_t = v_r + 40 - b/k = -19.2 mV, k 2.5 nS/mV, a 0.01 /ms,
 *   b -2 nS, d 200 pA.
 *
 * Random draws (cfg.seed): for each row i, for each column j, one uniform for the mask and, if
 * connected, one normal; then eta row-major. Initial state from a second stream (seed + golden
 * ratio constant) so reset() replays it.
 *
 * Memory: one block: omega0 (N^2 elig_real, stored transposed so that a spiking neuron's column
 * is contiguous), P (symmetric, packed upper triangle: N (N + 1) / 2 double), phi (N k double),
 * eta, and O(N) state. N = 2000 in float: 16 MB + 16 MB.
 * Cost per step: O(N k) (current, decoder) + O(N) (neurons, synapses) + O(|S| N) (event-driven
 * recurrent input; O(N^2) dense for the rate model), plus on RLS steps ~N^2 + 2 N k multiply-adds
 * in two passes over the packed P. That pass is memory-bound once P leaves the cache (N 2000:
 * 16 MB; ~9 ms per RLS step on the 2-core test machine, where full storage took 18 ms), and it
 * dominates the reference LIF run: its 2000 RLS steps take ~15 s of ~20 s.
 *
 * Measured on the test machine (f32, one core; tests/test_force.c): LIF N 2000, 15 s simulated
 * (the reference run) ~20 s; LIF N 1000, 5 s simulated ~2 s; rate N 300, 7 s simulated ~0.5 s. */
#include "internal.h"
#include "elig_dyn.h"

#include <math.h>
#include <string.h>

#define MAX_N (1 << 16)
#define MAX_K 4096
#define PI 3.141592653589793

typedef struct force_model force_model;

struct elig_force {
    elig_force_cfg cfg;
    const force_model *m;
    int n, k;
    long t, n_rls;
    /* derived constants, fixed at create */
    elig_real er, ed;       /* exp(-dt/tau_r), exp(-dt/tau_d)                        */
    elig_real dtu;          /* dt in rate units                                     */
    elig_real itrd;         /* 1/(tau_r tau_d) in rate units (1/tau_d if tau_r = 0)   */
    double dt_tm;           /* dt/tau_m                                             */
    int ref_steps;          /* round(t_ref/dt)                                      */
    /* parameters */
    elig_real *w0t;         /* (N, N) omega0 transposed: w0t[j N + i] = omega0[i, j]  */
    elig_real *enc;         /* (N, k) eta                                           */
    double *phi;            /* (N, k) decoders                                      */
    double *P;              /* (N (N+1)/2) inverse correlation matrix, packed upper  */
    /* state */
    elig_real *v, *w;       /* (N) membrane / theta / x, Izhikevich adaptation       */
    elig_real *ipsc, *h;    /* (N) synaptic current and its rise variable            */
    elig_real *r, *hr;      /* (N) filtered rates (tanh for the rate model)          */
    elig_real *jd;          /* (N) summed omega0 columns of this step's spikers      */
    elig_real *cur;         /* (N) input current                                     */
    int *ref;               /* (N) refractory steps left                             */
    int *spk;               /* (N) indices of this step's spikers                    */
    int n_spk;
    double *rd, *c;         /* (N) RLS scratch: r in double, P r                    */
    double *xd, *e, *tg;    /* (k) x̂ in double, a-priori error, target in double     */
    elig_real *xhat;        /* (k)                                                  */
    void *mem;
};

struct force_model {
    const char *name;
    int spiking;
    /* Advance all neurons one step with input current F->cur; write the spikers' indices to
     * F->spk (after resetting them) and return their number. */
    int (*step)(elig_force *F);
};

/* ---------------------------------------------------------------- neuron models */

static int lif_step(elig_force *F)
{
    const int n = F->n, rs = F->ref_steps;
    const elig_real a = (elig_real)F->dt_tm, vpk = (elig_real)F->cfg.v_peak, vrs = (elig_real)F->cfg.v_reset;
    elig_real *restrict v = F->v;
    const elig_real *restrict cur = F->cur;
    int *restrict ref = F->ref, *restrict spk = F->spk, ns = 0;
    for (int i = 0; i < n; i++) {
        if (ref[i] > 0) { /* the reference code freezes v for t_ref after a spike */
            ref[i]--;
            continue;
        }
        elig_real vi = v[i] + a * (cur[i] - v[i]);
        if (vi >= vpk) {
            vi = vrs;
            ref[i] = rs;
            spk[ns++] = i;
        }
        v[i] = vi;
    }
    return ns;
}

static int izh_step(elig_force *F)
{
    const elig_force_cfg *c = &F->cfg;
    const int n = F->n;
    const elig_real dtc = (elig_real)(c->dt / c->izh_C), dt = (elig_real)c->dt, kk = (elig_real)c->izh_k;
    const elig_real vr = (elig_real)c->izh_vr, vt = (elig_real)c->izh_vt, a = (elig_real)c->izh_a;
    const elig_real b = (elig_real)c->izh_b, d = (elig_real)c->izh_d;
    const elig_real vpk = (elig_real)c->v_peak, vrs = (elig_real)c->v_reset;
    elig_real *restrict v = F->v, *restrict w = F->w;
    const elig_real *restrict cur = F->cur;
    int *restrict spk = F->spk, ns = 0;
    for (int i = 0; i < n; i++) {
        elig_real vo = v[i], wo = w[i];
        elig_real vi = vo + dtc * (kk * (vo - vr) * (vo - vt) - wo + cur[i]);
        elig_real wi = wo + dt * (a * (b * (vo - vr) - wo));
        if (vi >= vpk) {
            vi = vrs;
            wi += d;
            spk[ns++] = i;
        }
        v[i] = vi;
        w[i] = wi;
    }
    return ns;
}

static int theta_step(elig_force *F)
{
    const int n = F->n;
    const elig_real a = (elig_real)F->dt_tm, pi2 = (elig_real)(PI * PI);
    const elig_real vpk = (elig_real)F->cfg.v_peak, vrs = (elig_real)F->cfg.v_reset;
    elig_real *restrict v = F->v;
    const elig_real *restrict cur = F->cur;
    int *restrict spk = F->spk, ns = 0;
    for (int i = 0; i < n; i++) {
        elig_real cs = (elig_real)cos((double)v[i]);
        elig_real vi = v[i] + a * ((1 - cs) + pi2 * (1 + cs) * cur[i]);
        if (vi >= vpk) {
            vi = vrs;
            spk[ns++] = i;
        }
        v[i] = vi;
    }
    return ns;
}

static int rate_step(elig_force *F)
{
    const int n = F->n;
    const elig_real a = (elig_real)F->dt_tm;
    elig_real *restrict v = F->v, *restrict r = F->r;
    const elig_real *restrict cur = F->cur;
    for (int i = 0; i < n; i++) {
        v[i] += a * (cur[i] - v[i]);
        r[i] = (elig_real)tanh((double)v[i]);
    }
    return 0;
}

static const force_model models[] = {
    {"lif", 1, lif_step},
    {"izhikevich", 1, izh_step},
    {"theta", 1, theta_step},
    {"rate", 0, rate_step},
};

/* ---------------------------------------------------------------- config */

elig_force_cfg elig_force_cfg_default(int model)
{
    elig_force_cfg c;
    memset(&c, 0, sizeof c);
    c.model = model;
    c.n = 2000;
    c.k = 1;
    c.p = 0.1;
    c.tau_r = 2.0;
    c.tau_d = 20.0;
    c.rate_unit_ms = 1000.0;
    c.gain = ELIG_RLS_TEXTBOOK;
    c.seed = 1;
    /* Izhikevich constants are filled for every model so that switching model keeps them sane. */
    c.izh_C = 250.0;
    c.izh_vr = -60.0;
    c.izh_k = 2.5;
    c.izh_b = -2.0;
    c.izh_vt = c.izh_vr + 40.0 - c.izh_b / c.izh_k;
    c.izh_a = 0.01;
    c.izh_d = 200.0;
    switch (model) {
    case ELIG_FORCE_IZHIKEVICH:
        c.dt = 0.04;
        c.rate_unit_ms = 1.0;
        c.v_reset = -65.0;
        c.v_peak = 30.0;
        c.bias = 1000.0;
        c.v_init_lo = c.izh_vr;
        c.v_init_hi = c.v_peak;
        c.G = 5e3;
        c.Q = 5e3;
        c.balance = 0;
        c.alpha = 2.0;
        c.rls_every = 20;
        break;
    case ELIG_FORCE_THETA:
        c.dt = 0.01;
        c.tau_m = 1000.0;
        c.v_reset = -PI;
        c.v_peak = PI;
        c.bias = 0.0;
        c.v_init_lo = -PI;
        c.v_init_hi = PI;
        c.G = 15.0;
        c.Q = 1e4;
        c.balance = 1;
        c.alpha = c.dt * 1e-3;
        c.rls_every = 50;
        break;
    case ELIG_FORCE_RATE:
        c.n = 1000;
        c.dt = 1.0;
        c.tau_m = 10.0;
        c.bias = 0.0;
        c.v_init_lo = -1.0;
        c.v_init_hi = 1.0;
        c.G = 1.5;
        c.Q = 1.0;
        c.balance = 0;
        c.alpha = 1.0;
        c.rls_every = 2;
        break;
    case ELIG_FORCE_LIF:
    default:
        c.dt = 0.05;
        c.tau_m = 10.0;
        c.t_ref = 2.0;
        c.v_reset = -65.0;
        c.v_peak = -40.0;
        c.bias = -40.0;
        c.v_init_lo = -65.0;
        c.v_init_hi = 30.0;
        c.G = 0.04;
        c.Q = 10.0;
        c.balance = 1;
        c.alpha = 0.1 * c.dt * 1e-3;
        c.rls_every = 50;
        break;
    }
    c.t_min = lround(5000.0 / c.dt);
    c.t_crit = lround(10000.0 / c.dt);
    return c;
}

#define POS(field, unit) \
    if (!(c->field > 0) || !isfinite(c->field)) return elig__err(ELIG_EINVAL, "force." #field " must be > 0" unit " (got %g)", c->field)
#define FIN(field) \
    if (!isfinite(c->field)) return elig__err(ELIG_EINVAL, "force." #field " must be finite (got %g)", c->field)

int elig_force_check(const elig_force_cfg *c)
{
    elig__clear_err();
    if (!c) return elig__err(ELIG_EINVAL, "force config is NULL");
    if (c->model < 0 || c->model > ELIG_FORCE_RATE)
        return elig__err(ELIG_EINVAL, "force.model must be lif (0), izhikevich (1), theta (2) or rate (3) (got %d)", c->model);
    const int spiking = models[c->model].spiking;
    if (c->n < 1 || c->n > MAX_N) return elig__err(ELIG_EINVAL, "force.n must be in [1, %d] (got %d)", MAX_N, c->n);
    if (c->k < 1 || c->k > MAX_K) return elig__err(ELIG_EINVAL, "force.k must be in [1, %d] (got %d)", MAX_K, c->k);
    if (!(c->p > 0 && c->p <= 1)) return elig__err(ELIG_EINVAL, "force.p must be in (0, 1] (got %g)", c->p);
    if (!(c->G >= 0) || !isfinite(c->G)) return elig__err(ELIG_EINVAL, "force.G must be >= 0 and finite (got %g)", c->G);
    if (!(c->Q >= 0) || !isfinite(c->Q)) return elig__err(ELIG_EINVAL, "force.Q must be >= 0 and finite (got %g)", c->Q);
    POS(dt, " ms");
    if (spiking) {
        if (!(c->tau_r >= 0) || !isfinite(c->tau_r))
            return elig__err(ELIG_EINVAL, "force.tau_r must be >= 0 ms, 0 = single exponential (got %g)", c->tau_r);
        POS(tau_d, " ms");
        POS(rate_unit_ms, " ms");
    }
    if (c->model != ELIG_FORCE_IZHIKEVICH) POS(tau_m, " ms");
    if (c->model == ELIG_FORCE_LIF)
        if (!(c->t_ref >= 0) || !isfinite(c->t_ref)) return elig__err(ELIG_EINVAL, "force.t_ref must be >= 0 ms (got %g)", c->t_ref);
    if (spiking) {
        FIN(v_reset);
        FIN(v_peak);
        if (!(c->v_peak > c->v_reset))
            return elig__err(ELIG_EINVAL, "force.v_peak must be > force.v_reset (got %g and %g)", c->v_peak, c->v_reset);
    }
    FIN(bias);
    FIN(v_init_lo);
    FIN(v_init_hi);
    if (!(c->v_init_hi >= c->v_init_lo))
        return elig__err(ELIG_EINVAL, "force.v_init_hi must be >= force.v_init_lo (got %g and %g)", c->v_init_hi, c->v_init_lo);
    if (c->model == ELIG_FORCE_IZHIKEVICH) {
        POS(izh_C, " pF");
        FIN(izh_vr);
        FIN(izh_vt);
        FIN(izh_k);
        FIN(izh_a);
        FIN(izh_b);
        FIN(izh_d);
    }
    if (c->rls_every < 1) return elig__err(ELIG_EINVAL, "force.rls_every must be >= 1 step (got %d)", c->rls_every);
    POS(alpha, "");
    if (c->gain != ELIG_RLS_TEXTBOOK && c->gain != ELIG_RLS_NICOLA)
        return elig__err(ELIG_EINVAL, "force.gain must be textbook (%d) or nicola (%d) (got %d)", ELIG_RLS_TEXTBOOK,
                         ELIG_RLS_NICOLA, c->gain);
    if (c->t_min < 0) return elig__err(ELIG_EINVAL, "force.t_min must be >= 0 steps (got %ld)", c->t_min);
    if (c->t_crit <= c->t_min)
        return elig__err(ELIG_EINVAL, "force.t_crit must be > force.t_min: the training window [%ld, %ld) is empty", c->t_min,
                         c->t_crit);
    /* N^2 doubles (P) must fit with everything else. */
    size_t nn;
    if (elig__mul((size_t)c->n, (size_t)c->n, &nn) || nn > SIZE_MAX / 32)
        return elig__err(ELIG_EINVAL, "force.n too large (got %d)", c->n);
    return ELIG_OK;
}

static elig_force *carve(const elig_force_cfg *c, elig__arena *a)
{
    const size_t n = (size_t)c->n, k = (size_t)c->k;
    elig_force *F = elig__carve(a, 1, sizeof(elig_force));
    elig_real *w0t = elig__carve(a, n * n, sizeof(elig_real));
    double *P = elig__carve(a, n * (n + 1) / 2, sizeof(double));
    double *phi = elig__carve(a, n * k, sizeof(double));
    elig_real *enc = elig__carve(a, n * k, sizeof(elig_real));
    elig_real *v = elig__carve(a, n, sizeof(elig_real));
    elig_real *w = c->model == ELIG_FORCE_IZHIKEVICH ? elig__carve(a, n, sizeof(elig_real)) : NULL;
    elig_real *ipsc = elig__carve(a, n, sizeof(elig_real)), *h = elig__carve(a, n, sizeof(elig_real));
    elig_real *r = elig__carve(a, n, sizeof(elig_real)), *hr = elig__carve(a, n, sizeof(elig_real));
    elig_real *jd = elig__carve(a, n, sizeof(elig_real)), *cur = elig__carve(a, n, sizeof(elig_real));
    int *ref = elig__carve(a, n, sizeof(int)), *spk = elig__carve(a, n, sizeof(int));
    double *rd = elig__carve(a, n, sizeof(double)), *cc = elig__carve(a, n, sizeof(double));
    double *xd = elig__carve(a, k, sizeof(double)), *e = elig__carve(a, k, sizeof(double));
    double *tg = elig__carve(a, k, sizeof(double));
    elig_real *xhat = elig__carve(a, k, sizeof(elig_real));
    if (F) {
        F->w0t = w0t; F->P = P; F->phi = phi; F->enc = enc;
        F->v = v; F->w = w; F->ipsc = ipsc; F->h = h; F->r = r; F->hr = hr; F->jd = jd; F->cur = cur;
        F->ref = ref; F->spk = spk; F->rd = rd; F->c = cc; F->xd = xd; F->e = e; F->tg = tg; F->xhat = xhat;
    }
    return F;
}

size_t elig_force_bytes(const elig_force_cfg *cfg)
{
    if (elig_force_check(cfg)) return 0;
    elig__arena a = {NULL, 0};
    carve(cfg, &a);
    return a.used + 64; /* slack to align the block's start to 64 bytes */
}

/* omega0 and eta from cfg.seed (see the file comment for the order of draws). */
static void draw_params(elig_force *F)
{
    const elig_force_cfg *c = &F->cfg;
    const int n = F->n, k = F->k;
    elig_rng rng;
    elig_rng_seed(&rng, c->seed);
    /* spiking (Nicola & Clopath): G / (sqrt(N) p), so the spectral radius is G / sqrt(p);
     * rate (Sussillo & Abbott): g / sqrt(p N), so the spectral radius is g (chaos for g > 1) */
    const double scale = F->m->spiking ? c->G / (sqrt((double)n) * c->p) : c->G / sqrt(c->p * n);
    double *row = F->rd; /* scratch, (N) */
    for (int i = 0; i < n; i++) {
        double sum = 0;
        int cnt = 0;
        for (int j = 0; j < n; j++) {
            row[j] = 0;
            if (elig_rng_uniform(&rng) < c->p) row[j] = scale * elig_rng_normal(&rng);
            if (row[j] != 0) {
                sum += row[j];
                cnt++;
            }
        }
        const double mean = (c->balance && cnt > 0) ? sum / cnt : 0.0;
        for (int j = 0; j < n; j++)
            F->w0t[(size_t)j * n + i] = (elig_real)(row[j] != 0 ? row[j] - mean : 0.0);
    }
    for (size_t i = 0; i < (size_t)n * k; i++) F->enc[i] = (elig_real)(c->Q * (2.0 * elig_rng_uniform(&rng) - 1.0));
}

void elig_force_reset(elig_force *F)
{
    const elig_force_cfg *c = &F->cfg;
    const size_t n = (size_t)F->n, k = (size_t)F->k;
    F->t = 0;
    F->n_rls = 0;
    F->n_spk = 0;
    memset(F->P, 0, n * (n + 1) / 2 * sizeof(double));
    for (size_t i = 0, off = 0; i < n; off += n - i, i++) F->P[off] = c->alpha; /* packed diagonal */
    memset(F->phi, 0, n * k * sizeof(double));
    memset(F->xd, 0, k * sizeof(double));
    memset(F->xhat, 0, k * sizeof(elig_real));
    elig_real *z[] = {F->ipsc, F->h, F->r, F->hr, F->jd, F->cur, F->w};
    for (size_t q = 0; q < sizeof z / sizeof z[0]; q++)
        if (z[q]) memset(z[q], 0, n * sizeof(elig_real));
    memset(F->ref, 0, n * sizeof(int));
    elig_rng rng;
    elig_rng_seed(&rng, c->seed + 0x9E3779B97F4A7C15ull);
    for (size_t i = 0; i < n; i++) F->v[i] = (elig_real)(c->v_init_lo + (c->v_init_hi - c->v_init_lo) * elig_rng_uniform(&rng));
    if (!F->m->spiking)
        for (size_t i = 0; i < n; i++) F->r[i] = (elig_real)tanh((double)F->v[i]);
}

int elig_force_create(const elig_force_cfg *cfg, elig_force **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_force_create: out is NULL");
    *out = NULL;
    if ((rc = elig_force_check(cfg))) return rc;
    size_t bytes = elig_force_bytes(cfg);
    if (cfg->mem_limit && bytes > cfg->mem_limit)
        return elig__err(ELIG_ELIMIT, "force needs %zu bytes, above force.mem_limit %zu", bytes, cfg->mem_limit);
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "force: cannot allocate %zu bytes", bytes);
    elig__arena a = {(char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u), 0};
    elig_force *F = carve(cfg, &a);
    F->cfg = *cfg;
    F->m = &models[cfg->model];
    F->n = cfg->n;
    F->k = cfg->k;
    F->mem = mem;
    const elig_force_cfg *c = cfg;
    if (F->m->spiking) {
        const double u = c->rate_unit_ms;
        F->ed = (elig_real)exp(-c->dt / c->tau_d);
        F->dtu = (elig_real)(c->dt / u);
        if (c->tau_r > 0) {
            F->er = (elig_real)exp(-c->dt / c->tau_r);
            F->itrd = (elig_real)(u * u / (c->tau_r * c->tau_d));
        } else {
            F->er = 0;
            F->itrd = (elig_real)(u / c->tau_d);
        }
    }
    F->dt_tm = c->model == ELIG_FORCE_IZHIKEVICH ? 0.0 : c->dt / c->tau_m;
    F->ref_steps = c->model == ELIG_FORCE_LIF ? (int)lround(c->t_ref / c->dt) : 0;
    draw_params(F);
    elig_force_reset(F);
    *out = F;
    return ELIG_OK;
}

void elig_force_free(elig_force *F)
{
    if (F) elig__free(F->mem);
}

const elig_force_cfg *elig_force_get_cfg(const elig_force *F) { return &F->cfg; }
const elig_real *elig_force_output(const elig_force *F) { return F->xhat; }
const elig_real *elig_force_rates(const elig_force *F) { return F->r; }
const double *elig_force_decoders(const elig_force *F) { return F->phi; }
const double *elig_force_P(const elig_force *F) { return F->P; }
const elig_real *elig_force_omega0(const elig_force *F) { return F->w0t; }
const elig_real *elig_force_encoders(const elig_force *F) { return F->enc; }
long elig_force_time(const elig_force *F) { return F->t; }
long elig_force_n_rls(const elig_force *F) { return F->n_rls; }

const int *elig_force_spikes(const elig_force *F, int *count)
{
    if (count) *count = F->n_spk;
    return F->spk;
}

/* ---------------------------------------------------------------- RLS */

/* sum_i a[i stride] b[i] in double with four partial sums (a fixed order: deterministic, and
 * not bound by the latency of one chain of additions). */
static double dot4(const double *restrict a, size_t stride, const double *restrict b, int n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[(size_t)i * stride] * b[i];
        s1 += a[(size_t)(i + 1) * stride] * b[i + 1];
        s2 += a[(size_t)(i + 2) * stride] * b[i + 2];
        s3 += a[(size_t)(i + 3) * stride] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[(size_t)i * stride] * b[i];
    return (s0 + s1) + (s2 + s3);
}

void elig_force_rls_update(int n, int k, double *restrict P, double *restrict phi, const double *restrict r,
                           const double *restrict x, int gain, double *restrict c, double *restrict e)
{
    /* c = P r over the packed upper triangle: row i gives c_i += sum_{j >= i} P_ij r_j (a dot
     * product, four partial sums) and c_j += P_ij r_i for j > i (an axpy). One read of P. */
    for (int i = 0; i < n; i++) c[i] = 0;
    double *restrict row = P;
    for (int i = 0; i < n; i++) {
        const double ri = r[i];
        const int m = n - i - 1;
        const double *restrict pr = row + 1, *restrict rr = r + i + 1;
        double *restrict cc = c + i + 1;
        double s0 = row[0] * ri, s1 = 0, s2 = 0, s3 = 0;
        int q = 0;
        for (; q + 4 <= m; q += 4) {
            s0 += pr[q] * rr[q];
            s1 += pr[q + 1] * rr[q + 1];
            s2 += pr[q + 2] * rr[q + 2];
            s3 += pr[q + 3] * rr[q + 3];
            cc[q] += pr[q] * ri;
            cc[q + 1] += pr[q + 1] * ri;
            cc[q + 2] += pr[q + 2] * ri;
            cc[q + 3] += pr[q + 3] * ri;
        }
        for (; q < m; q++) {
            s0 += pr[q] * rr[q];
            cc[q] += pr[q] * ri;
        }
        c[i] += (s0 + s1) + (s2 + s3);
        row += m + 1;
    }
    const double inv = 1.0 / (1.0 + dot4(r, 1, c, n));
    /* a-priori error and the decoder update, one output at a time */
    for (int a = 0; a < k; a++) {
        const double ea = dot4(phi + a, (size_t)k, r, n) - x[a];
        if (e) e[a] = ea;
        const double g = gain == ELIG_RLS_NICOLA ? ea : ea * inv;
        for (int i = 0; i < n; i++) phi[(size_t)i * k + a] -= c[i] * g;
    }
    /* P -= c cᵀ / (1 + rᵀc) on the upper triangle: a second pass */
    row = P;
    for (int i = 0; i < n; i++) {
        const double ci = c[i] * inv;
        const int m = n - i;
        const double *restrict cc = c + i;
        for (int q = 0; q < m; q++) row[q] -= ci * cc[q];
        row += m;
    }
}

/* ---------------------------------------------------------------- step */

void elig_force_step(elig_force *F, const elig_real *target, int learn)
{
    const elig_force_cfg *cf = &F->cfg;
    const int n = F->n, k = F->k;
    const elig_real bias = (elig_real)cf->bias;
    elig_real *restrict cur = F->cur, *restrict jd = F->jd, *restrict r = F->r;
    const elig_real *restrict enc = F->enc, *restrict xh = F->xhat;

    /* input current: synaptic (spiking) or dense recurrent (rate), plus feedback and bias */
    const elig_real *syn = F->ipsc;
    if (!F->m->spiking) {
        memset(jd, 0, (size_t)n * sizeof(elig_real));
        for (int j = 0; j < n; j++) { /* omega0 r as a sum of columns: contiguous, vectorises */
            const elig_real rj = r[j];
            const elig_real *restrict col = F->w0t + (size_t)j * n;
            for (int i = 0; i < n; i++) jd[i] += rj * col[i];
        }
        syn = jd;
    }
    if (k == 1) {
        const elig_real x0 = xh[0];
        for (int i = 0; i < n; i++) cur[i] = syn[i] + enc[i] * x0 + bias;
    } else {
        for (int i = 0; i < n; i++) {
            elig_real s = syn[i] + bias;
            for (int a = 0; a < k; a++) s += enc[(size_t)i * k + a] * xh[a];
            cur[i] = s;
        }
    }

    const int ns = F->m->step(F);
    F->n_spk = ns;

    if (F->m->spiking) {
        elig_real *restrict ipsc = F->ipsc, *restrict h = F->h, *restrict hr = F->hr;
        const elig_real er = F->er, ed = F->ed, dtu = F->dtu, itrd = F->itrd;
        if (ns > 0) { /* event-driven: only the spikers' columns, O(ns N) */
            memset(jd, 0, (size_t)n * sizeof(elig_real));
            for (int s = 0; s < ns; s++) {
                const elig_real *restrict col = F->w0t + (size_t)F->spk[s] * n;
                for (int i = 0; i < n; i++) jd[i] += col[i];
            }
        }
        if (cf->tau_r > 0) {
            if (ns > 0)
                for (int i = 0; i < n; i++) {
                    ipsc[i] = ipsc[i] * er + h[i] * dtu;
                    h[i] = h[i] * ed + jd[i] * itrd;
                }
            else
                for (int i = 0; i < n; i++) {
                    ipsc[i] = ipsc[i] * er + h[i] * dtu;
                    h[i] = h[i] * ed;
                }
            for (int i = 0; i < n; i++) {
                r[i] = r[i] * er + hr[i] * dtu;
                hr[i] = hr[i] * ed;
            }
            for (int s = 0; s < ns; s++) hr[F->spk[s]] += itrd;
        } else {
            if (ns > 0)
                for (int i = 0; i < n; i++) ipsc[i] = ipsc[i] * ed + jd[i] * itrd;
            else
                for (int i = 0; i < n; i++) ipsc[i] = ipsc[i] * ed;
            for (int i = 0; i < n; i++) r[i] = r[i] * ed;
            for (int s = 0; s < ns; s++) r[F->spk[s]] += itrd;
        }
    }

    /* x̂ = phiᵀ r in double (the RLS works on it); four partial sums per output */
    for (int a = 0; a < k; a++) {
        const double *restrict ph = F->phi + a;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += ph[(size_t)i * k] * (double)r[i];
            s1 += ph[(size_t)(i + 1) * k] * (double)r[i + 1];
            s2 += ph[(size_t)(i + 2) * k] * (double)r[i + 2];
            s3 += ph[(size_t)(i + 3) * k] * (double)r[i + 3];
        }
        for (; i < n; i++) s0 += ph[(size_t)i * k] * (double)r[i];
        F->xd[a] = (s0 + s1) + (s2 + s3);
    }
    const double *xd = F->xd;

    const long t = F->t;
    if (learn && target && t >= cf->t_min && t < cf->t_crit && (t - cf->t_min) % cf->rls_every == 0) {
        for (int i = 0; i < n; i++) F->rd[i] = (double)r[i];
        for (int a = 0; a < k; a++) F->tg[a] = (double)target[a];
        elig_force_rls_update(n, k, F->P, F->phi, F->rd, F->tg, cf->gain, F->c, F->e);
        F->n_rls++;
    }
    for (int a = 0; a < k; a++) F->xhat[a] = (elig_real)xd[a];
    F->t = t + 1;
}

int elig_force_run(elig_force *F, const elig_real *target, int k_target, long n_steps, int learn, elig_real *xhat_out)
{
    elig__clear_err();
    if (!F) return elig__err(ELIG_EINVAL, "elig_force_run: F is NULL");
    if (n_steps < 0) return elig__err(ELIG_EINVAL, "elig_force_run: n_steps must be >= 0 (got %ld)", n_steps);
    if (target && k_target != F->k)
        return elig__err(ELIG_EINVAL, "elig_force_run: target has %d channels per step, force.k is %d", k_target, F->k);
    const int k = F->k;
    for (long s = 0; s < n_steps; s++) {
        elig_force_step(F, target ? target + (size_t)s * k : NULL, learn);
        if (xhat_out)
            for (int a = 0; a < k; a++) xhat_out[(size_t)s * k + a] = F->xhat[a];
    }
    return ELIG_OK;
}
