/* ode.c -- reference dynamics for FORCE and FOLLOW: a fixed-step classical RK4 integrator over a
 * table of systems, and the target signals of the FORCE benchmarks.
 *
 * RK4 (u held constant over a step):
 *   k1 = f(t, x),  k2 = f(t + h/2, x + h/2 k1),  k3 = f(t + h/2, x + h/2 k2),  k4 = f(t + h, x + h k3)
 *   x <- x + h/6 (k1 + 2 k2 + 2 k3 + k4)
 * The authors integrated with adaptive solvers (MATLAB ode45 then interpolation; scipy odeint with
 * hmax = dt). A fixed step at the simulation dt is simpler and deterministic; its local error is
 * O(h^5) and for every shipped system h * (fastest rate) < 0.4 at the papers' dt (van der Pol in
 * FORCE form: rate <= TC mu (MD^2 x1^2 - 1) ~ 300 /s at |x1| ~ 0.2, h = 0.05 ms). `substeps`
 * refines it where wanted.
 *
 * Systems (equations in seconds, time_unit_ms = 1000; parameters, units and defaults in the table
 * below and in elig_dyn.h):
 *   vdp_force      Nicola & Clopath code vanderpol.m:  mu 5, MD 10, TC 20
 *   lorenz_force   lorenz.m: sigma 10, rho 28, beta 8/3, MD 70, TC 1
 *   vdp_follow     FOLLOW input_ff_rec_transform_nengo_ocl.py: mu 2, tau_dyn 0.125 s, tau_u 0.02 s
 *   lorenz_follow  same file: tau_dyn 1 s, tau_u 0.02 s (x3 shifted by 28)
 *   linosc_follow  same file: decay 0.2, tau_dyn 0.1 s, tau_u 0.02 s
 *
 * State is double. Cost per sample: 4 * substeps evaluations of f, each O(dim).
 * Targets: 5 Hz sine (sin(2 pi 5 t), LIFFORCESINE.m), sums of sines, and the 5-channel "Ode to
 * Joy" note signal (IZFORCESONG.m; melody documented in elig_dyn.h), all O(1) per sample.
 */
#include "internal.h"
#include "elig_dyn.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- systems */

/* params: mu, MD, TC */
static void vdp_force_f(double t, const double *x, const double *u, const double *p, double *dx)
{
    (void)t; (void)u;
    const double mu = p[0], md = p[1], tc = p[2];
    dx[0] = tc * mu * (x[0] - x[0] * x[0] * x[0] * (md * md / 3.0) - x[1]);
    dx[1] = tc * x[0] / mu;
}

/* params: sigma, rho, beta, MD, TC */
static void lorenz_force_f(double t, const double *x, const double *u, const double *p, double *dx)
{
    (void)t; (void)u;
    const double sg = p[0], rho = p[1], beta = p[2], md = p[3], tc = p[4];
    dx[0] = tc * sg * (x[1] - x[0]);
    dx[1] = tc * (rho * x[0] - md * x[0] * x[2] - x[1]);
    dx[2] = tc * (md * x[0] * x[1] - beta * x[2]);
}

/* params: mu, tau_dyn (s), tau_u (s) */
static void vdp_follow_f(double t, const double *x, const double *u, const double *p, double *dx)
{
    (void)t;
    const double mu = p[0], td = p[1], tu = p[2];
    dx[0] = x[1] / td + u[0] / tu;
    dx[1] = (mu * (1.0 - x[0] * x[0]) * x[1] - x[0]) / td + u[1] / tu;
}

/* params: tau_dyn (s), tau_u (s) */
static void lorenz_follow_f(double t, const double *x, const double *u, const double *p, double *dx)
{
    (void)t;
    const double td = p[0], tu = p[1];
    dx[0] = 10.0 * (x[1] - x[0]) / td + u[0] / tu;
    dx[1] = (-x[0] * x[2] - x[1]) / td + u[1] / tu;
    dx[2] = (x[0] * x[1] - 8.0 / 3.0 * (x[2] + 28.0)) / td + u[2] / tu;
}

/* params: decay, tau_dyn (s), tau_u (s) */
static void linosc_follow_f(double t, const double *x, const double *u, const double *p, double *dx)
{
    (void)t;
    const double a = p[0], td = p[1], tu = p[2];
    dx[0] = (-a * x[0] - x[1]) / td + u[0] / tu;
    dx[1] = (x[0] - a * x[1]) / td + u[1] / tu;
}

const elig_ode_system elig_ode_vdp_force = {
    "vdp_force", 2, 0, 3, 1000.0, vdp_force_f, "mu,MD,TC", {5.0, 10.0, 20.0}, {0.1, 0.1}};
const elig_ode_system elig_ode_lorenz_force = {
    "lorenz_force", 3, 0, 5, 1000.0, lorenz_force_f, "sigma,rho,beta,MD,TC", {10.0, 28.0, 8.0 / 3.0, 70.0, 1.0},
    {0.1, 0.1, 0.1}};
const elig_ode_system elig_ode_vdp_follow = {
    "vdp_follow", 2, 2, 3, 1000.0, vdp_follow_f, "mu,tau_dyn,tau_u", {2.0, 0.125, 0.02}, {0.001, 0.001}};
const elig_ode_system elig_ode_lorenz_follow = {
    "lorenz_follow", 3, 3, 2, 1000.0, lorenz_follow_f, "tau_dyn,tau_u", {1.0, 0.02}, {0.001, 0.001, 0.001}};
const elig_ode_system elig_ode_linosc_follow = {
    "linosc_follow", 2, 2, 3, 1000.0, linosc_follow_f, "decay,tau_dyn,tau_u", {0.2, 0.1, 0.02}, {0.001, 0.001}};

const elig_ode_system *elig_ode_by_name(const char *name)
{
    static const elig_ode_system *const all[] = {&elig_ode_vdp_force, &elig_ode_lorenz_force, &elig_ode_vdp_follow,
                                                 &elig_ode_lorenz_follow, &elig_ode_linosc_follow};
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

/* ---------------------------------------------------------------- RK4 */

void elig_ode_rk4_step(const elig_ode_system *s, const double *params, double t, double h, const double *u, double *x)
{
    static const double zero_u[ELIG_ODE_MAX_DIM];
    const double *p = params ? params : s->params;
    const double *uu = u ? u : zero_u;
    const int d = s->dim;
    double k1[ELIG_ODE_MAX_DIM], k2[ELIG_ODE_MAX_DIM], k3[ELIG_ODE_MAX_DIM], k4[ELIG_ODE_MAX_DIM], y[ELIG_ODE_MAX_DIM];
    s->f(t, x, uu, p, k1);
    for (int i = 0; i < d; i++) y[i] = x[i] + 0.5 * h * k1[i];
    s->f(t + 0.5 * h, y, uu, p, k2);
    for (int i = 0; i < d; i++) y[i] = x[i] + 0.5 * h * k2[i];
    s->f(t + 0.5 * h, y, uu, p, k3);
    for (int i = 0; i < d; i++) y[i] = x[i] + h * k3[i];
    s->f(t + h, y, uu, p, k4);
    for (int i = 0; i < d; i++) x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

static int check_system(const elig_ode_system *s)
{
    if (!s) return elig__err(ELIG_EINVAL, "ode system is NULL");
    if (s->dim < 1 || s->dim > ELIG_ODE_MAX_DIM)
        return elig__err(ELIG_EINVAL, "ode system %s: dim must be in [1, %d] (got %d)", s->name ? s->name : "?",
                         ELIG_ODE_MAX_DIM, s->dim);
    if (s->n_u < 0 || s->n_u > ELIG_ODE_MAX_DIM)
        return elig__err(ELIG_EINVAL, "ode system %s: n_u must be in [0, %d] (got %d)", s->name ? s->name : "?",
                         ELIG_ODE_MAX_DIM, s->n_u);
    if (!s->f) return elig__err(ELIG_EINVAL, "ode system %s: f is NULL", s->name ? s->name : "?");
    if (!(s->time_unit_ms > 0) || !isfinite(s->time_unit_ms))
        return elig__err(ELIG_EINVAL, "ode system %s: time_unit_ms must be > 0 (got %g)", s->name ? s->name : "?",
                         s->time_unit_ms);
    return ELIG_OK;
}

int elig_ode_sample(const elig_ode_system *s, const double *params, double *x, double *t_ms, double dt_ms,
                    int substeps, long n_steps, const elig_real *u, elig_real *out)
{
    int rc;
    elig__clear_err();
    if ((rc = check_system(s))) return rc;
    if (!x) return elig__err(ELIG_EINVAL, "ode_sample: x is NULL");
    if (!(dt_ms > 0) || !isfinite(dt_ms)) return elig__err(ELIG_EINVAL, "ode_sample: dt must be > 0 ms (got %g)", dt_ms);
    if (substeps < 1) return elig__err(ELIG_EINVAL, "ode_sample: substeps must be >= 1 (got %d)", substeps);
    if (n_steps < 0) return elig__err(ELIG_EINVAL, "ode_sample: n_steps must be >= 0 (got %ld)", n_steps);
    const int d = s->dim, nu = s->n_u;
    const double h = dt_ms / s->time_unit_ms / substeps;
    double t0 = t_ms ? *t_ms : 0.0;
    double ud[ELIG_ODE_MAX_DIM] = {0};
    for (long i = 0; i < n_steps; i++) {
        if (u)
            for (int j = 0; j < nu; j++) ud[j] = (double)u[(size_t)i * nu + j];
        /* time from the step index, not accumulated, so long runs do not drift */
        double ts = (t0 + (double)i * dt_ms) / s->time_unit_ms;
        for (int q = 0; q < substeps; q++) elig_ode_rk4_step(s, params, ts + q * h, h, ud, x);
        if (out)
            for (int j = 0; j < d; j++) out[(size_t)i * d + j] = (elig_real)x[j];
    }
    for (int j = 0; j < d; j++)
        if (!isfinite(x[j])) return elig__err(ELIG_EINVAL, "ode_sample: %s diverged (x[%d] = %g); reduce dt", s->name, j, x[j]);
    if (t_ms) *t_ms = t0 + (double)n_steps * dt_ms;
    return ELIG_OK;
}

/* ---------------------------------------------------------------- targets */

static int check_grid(const char *who, double dt_ms, long n_steps, const void *out)
{
    elig__clear_err();
    if (!(dt_ms > 0) || !isfinite(dt_ms)) return elig__err(ELIG_EINVAL, "%s: dt must be > 0 ms (got %g)", who, dt_ms);
    if (n_steps < 0) return elig__err(ELIG_EINVAL, "%s: n_steps must be >= 0 (got %ld)", who, n_steps);
    if (!out && n_steps > 0) return elig__err(ELIG_EINVAL, "%s: out is NULL", who);
    return ELIG_OK;
}

int elig_target_sines(double dt_ms, long n_steps, int n_terms, const double *amp, const double *freq_hz,
                      const double *phase, elig_real *out)
{
    int rc;
    if ((rc = check_grid("target_sines", dt_ms, n_steps, out))) return rc;
    if (n_terms < 1) return elig__err(ELIG_EINVAL, "target_sines: n_terms must be >= 1 (got %d)", n_terms);
    if (!amp || !freq_hz) return elig__err(ELIG_EINVAL, "target_sines: amp and freq_hz must not be NULL");
    for (int j = 0; j < n_terms; j++) {
        if (!isfinite(amp[j])) return elig__err(ELIG_EINVAL, "target_sines: amp[%d] must be finite (got %g)", j, amp[j]);
        if (!isfinite(freq_hz[j]) || freq_hz[j] < 0)
            return elig__err(ELIG_EINVAL, "target_sines: freq_hz[%d] must be >= 0 Hz (got %g)", j, freq_hz[j]);
        if (phase && !isfinite(phase[j]))
            return elig__err(ELIG_EINVAL, "target_sines: phase[%d] must be finite (got %g)", j, phase[j]);
    }
    const double two_pi = 6.283185307179586;
    for (long i = 0; i < n_steps; i++) {
        double t = (double)(i + 1) * dt_ms * 1e-3, y = 0;
        for (int j = 0; j < n_terms; j++) y += amp[j] * sin(two_pi * freq_hz[j] * t + (phase ? phase[j] : 0.0));
        out[i] = (elig_real)y;
    }
    return ELIG_OK;
}

int elig_target_sine(double dt_ms, long n_steps, double freq_hz, double amp, double phase, elig_real *out)
{
    int rc;
    if ((rc = check_grid("target_sine", dt_ms, n_steps, out))) return rc;
    if (!isfinite(freq_hz) || freq_hz < 0) return elig__err(ELIG_EINVAL, "target_sine: freq_hz must be >= 0 Hz (got %g)", freq_hz);
    if (!isfinite(amp)) return elig__err(ELIG_EINVAL, "target_sine: amp must be finite (got %g)", amp);
    if (!isfinite(phase)) return elig__err(ELIG_EINVAL, "target_sine: phase must be finite (got %g)", phase);
    return elig_target_sines(dt_ms, n_steps, 1, &amp, &freq_hz, &phase, out);
}

/* The melody: channel (0 C, 1 D, 2 E, 3 F, 4 G) and length in 250 ms slots. */
static const struct { unsigned char ch, slots; } ode_to_joy[] = {
    {2, 1}, {2, 1}, {3, 1}, {4, 1}, {4, 1}, {3, 1}, {2, 1}, {1, 1},
    {0, 1}, {0, 1}, {1, 1}, {2, 1}, {2, 1}, {1, 1}, {1, 2}};

int elig_target_ode_to_joy(double dt_ms, long n_steps, elig_real *out)
{
    int rc;
    if ((rc = check_grid("target_ode_to_joy", dt_ms, n_steps, out))) return rc;
    const double slot = ELIG_ODE_TO_JOY_PERIOD_MS / 16.0, pi = 3.141592653589793;
    const int n_notes = (int)(sizeof ode_to_joy / sizeof ode_to_joy[0]);
    for (long i = 0; i < n_steps; i++) {
        elig_real *o = out + (size_t)i * ELIG_ODE_TO_JOY_DIM;
        for (int c = 0; c < ELIG_ODE_TO_JOY_DIM; c++) o[c] = 0;
        double t = fmod((double)(i + 1) * dt_ms, ELIG_ODE_TO_JOY_PERIOD_MS);
        double t0 = 0;
        for (int nt = 0; nt < n_notes; nt++) { /* 15 notes: a scan is cheaper than bookkeeping */
            double len = ode_to_joy[nt].slots * slot;
            if (t < t0 + len) {
                o[ode_to_joy[nt].ch] = (elig_real)sin(pi * (t - t0) / len);
                break;
            }
            t0 += len;
        }
    }
    return ELIG_OK;
}

int elig_target_hdts(double dt_ms, long n_steps, double period_ms, int m, int stride, elig_real *out)
{
    int rc;
    if ((rc = check_grid("target_hdts", dt_ms, n_steps, out))) return rc;
    if (!(period_ms > 0) || !isfinite(period_ms)) return elig__err(ELIG_EINVAL, "target_hdts: period_ms must be > 0 (got %g)", period_ms);
    if (m < 1 || m > 4096) return elig__err(ELIG_EINVAL, "target_hdts: m must be in [1, 4096] (got %d)", m);
    if (stride < m) return elig__err(ELIG_EINVAL, "target_hdts: stride must be >= m = %d (got %d)", m, stride);
    const double seg = period_ms / m, pi = 3.141592653589793;
    for (long i = 0; i < n_steps; i++) {
        elig_real *o = out + (size_t)i * (size_t)stride;
        const double t = fmod((double)(i + 1) * dt_ms, period_ms);
        int j = (int)(t / seg);
        if (j >= m) j = m - 1;
        for (int c = 0; c < m; c++) o[c] = 0;
        o[j] = (elig_real)sin(pi * (t - j * seg) / seg);
    }
    return ELIG_OK;
}
