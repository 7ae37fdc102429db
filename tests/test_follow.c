/* test_follow.c -- FOLLOW (src/follow.c): the decoders and the error feedback make the recurrent
 * layer follow the reference; training on the linear decaying oscillator lowers the test-phase
 * error (no feedback, no learning) well below the untrained network's; learning touches the
 * weights only when asked; invalid configs are named; the step allocates nothing; same seed ->
 * bit-identical; the command input is the documented signal; the spike lists hold each layer's
 * last-step spikers.
 */
#include "harness.h"
#include "elig_dyn.h"

#include <string.h>
#include <time.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* All learned weights, W then W_ff (pre-major, as elig_follow_get_weights): malloc'd. */
static elig_real *weights_copy(const elig_follow *F)
{
    const elig_follow_cfg *c = elig_follow_get_cfg(F);
    const size_t nr = (size_t)c->n_rec;
    elig_real *w = malloc(nr * (nr + (size_t)c->n_ff) * sizeof(elig_real));
    ASSERT_TRUE(w != NULL);
    elig_follow_get_weights(F, w, w + nr * nr);
    return w;
}

/* rms of x̂ - x (both tau_syn-filtered) over T steps of input u (T, d); also rms of x. */
static double follow_run(elig_follow *F, const elig_real *u, long T, int d, int feedback, int learn, double *x_rms)
{
    double e = 0, xx = 0;
    for (long t = 0; t < T; t++) {
        elig_follow_step(F, u + (size_t)t * d, feedback, learn);
        const elig_real *y = elig_follow_output(F), *x = elig_follow_reference(F);
        for (int q = 0; q < d; q++) {
            e += ((double)y[q] - x[q]) * ((double)y[q] - x[q]);
            xx += (double)x[q] * x[q];
        }
    }
    if (x_rms) *x_rms = sqrt(xx / ((double)T * d));
    return sqrt(e / ((double)T * d));
}

TEST(follow_feedback_makes_the_network_follow)
{
    /* With zero weights and the error fed back (k 10), the recurrent layer encodes k ε and its
     * decoded output settles at x̂ ≈ k/(1+k) x: the error is ~rms(x)/(1+k) (measured 0.046 for
     * rms(x) 0.46). Without feedback the untrained network decodes ~0: error ~ rms(x). This
     * checks the decoders (least squares on the rate curves), the encoders and the feedback
     * path in one go. 20 s of the linear oscillator, N 200 + 200. */
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    elig_follow *F;
    ASSERT_OK(elig_follow_create(&c, &F));
    const long T = 20000;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000.0, 50.0, NULL, 5, u));
    double xr, e_off = follow_run(F, u, T, 2, 0, 0, &xr);
    elig_follow_reset(F);
    double e_fb = follow_run(F, u, T, 2, 1, 0, NULL);
    printf("    rms(x) %.4f; error without feedback %.4f, with feedback (k %g) %.4f, rms(x)/(1+k) = %.4f\n", xr, e_off,
           c.k_fb, e_fb, xr / (1 + c.k_fb));
    ASSERT_NEAR(e_off / xr, 1.0, 0.05);
    ASSERT_LE(e_fb, 1.5 * xr / (1 + c.k_fb));
    /* learning off: weights untouched; eta 0: untouched too */
    const int nw = c.n_rec * (c.n_rec + c.n_ff);
    elig_real *w = weights_copy(F);
    for (int i = 0; i < nw; i++) ASSERT_TRUE(w[i] == 0);
    free(w);
    elig_follow_set_eta(F, 0.0);
    follow_run(F, u, 500, 2, 1, 1, NULL);
    w = weights_copy(F);
    for (int i = 0; i < nw; i++) ASSERT_TRUE(w[i] == 0);
    free(w);
    free(u);
    elig_follow_free(F);
}

TEST(follow_spike_lists)
{
    /* elig_follow_spikes: the last step's spikers of each layer, indices in [0, n) in
     * increasing order; over 2 s with feedback the recurrent layer (constant gain 10) and the
     * feed-forward layer fire at rates between 1 and 500 Hz (measured ~100 Hz); after a reset
     * both lists are empty. */
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    c.n_ff = 37;
    c.n_rec = 53;
    elig_follow *F;
    ASSERT_OK(elig_follow_create(&c, &F));
    const long T = 2000;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000.0, 50.0, NULL, 9, u));
    long count[2] = {0, 0};
    for (long t = 0; t < T; t++) {
        elig_follow_step(F, u + 2 * t, 1, 0);
        for (int layer = 0; layer < 2; layer++) {
            int n;
            const int *s = elig_follow_spikes(F, layer, &n);
            const int size = layer ? c.n_rec : c.n_ff;
            ASSERT_TRUE(n >= 0 && n <= size);
            for (int q = 0; q < n; q++) {
                ASSERT_TRUE(s[q] >= 0 && s[q] < size);
                if (q > 0) ASSERT_TRUE(s[q] > s[q - 1]);
            }
            count[layer] += n;
        }
    }
    const double hz_ff = count[0] / (double)c.n_ff / (T * c.dt * 1e-3), hz_rec = count[1] / (double)c.n_rec / (T * c.dt * 1e-3);
    printf("    feed-forward %.1f Hz, recurrent %.1f Hz\n", hz_ff, hz_rec);
    ASSERT_TRUE(hz_ff > 1 && hz_ff < 500);
    ASSERT_TRUE(hz_rec > 1 && hz_rec < 500);
    elig_follow_reset(F);
    int n0, n1;
    elig_follow_spikes(F, 0, &n0);
    elig_follow_spikes(F, 1, &n1);
    ASSERT_EQ_INT(n0, 0);
    ASSERT_EQ_INT(n1, 0);
    free(u);
    elig_follow_free(F);
}

TEST_T(follow_learns_the_linear_oscillator, 600)
{
    /* FOLLOW on the linear decaying oscillator dx = [-0.2 x1 - x2, x1 - 0.2 x2] / 0.1 s + u / 20 ms
     * (eigenvalues -2 +- 10i /s), command input of the FOLLOW code (2 s periods, 50 ms noise
     * holds, radius_in 0.2) at half amplitude, which keeps the state within the recurrent
     * layer's radius 1 (max |x| 0.89; at full amplitude it is outside 10% of the time, where the
     * learned weights fit what the neurons cannot represent and lose the oscillator: see
     * src/follow.c). The default linosc network (200 + 200 LIF, constant gain 10, eta 3e-3,
     * k 10) is trained with feedback and learning for 300 s of simulated time, then tested on
     * 20 s of a fresh input with feedback and learning off, from rest. The untrained network
     * (zero weights, no feedback) over the same test input decodes ~0: its error is ~rms(x).
     * Measured (f32, seeds 1-6): test / untrained = 0.28, 0.35, 0.53, 0.33, 0.52, 0.41; after
     * 900 s instead of 300 seed 3 reaches 0.25 and seed 5 0.27, the hand-wired weights' level
     * (~0.2, follow_ideal_weights_follow_the_linear_oscillator). Bound 0.65. At 100 + 100
     * neurons 0.35-0.68: too close to a bound, so ASan runs the same size (~9 s). Also: the
     * training (feedback-on) error in the first 100 s is below the feedback-only error
     * (learning takes over part of the feedback's work). ~4 s of CPU in f32. */
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    c.seed = 1;
    elig_follow *F;
    ASSERT_OK(elig_follow_create(&c, &F));
    const long phase = 100000, T = 3 * phase, T_test = 20000;
    double half[2];
    elig_follow_command_scale(c.sys, half); /* 0.5, 0.5 */
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real)), *v = malloc((size_t)T_test * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000.0, 50.0, half, 101, u));
    ASSERT_OK(elig_follow_command(&c, T_test, 2000.0, 50.0, half, 201, v));
    double xr, e_untrained = follow_run(F, v, T_test, 2, 0, 0, &xr);
    elig_follow_reset(F);
    double e_fb_only = follow_run(F, v, T_test, 2, 1, 0, NULL);
    elig_follow_reset(F);
    double t0 = wall(), e_train[3];
    for (int p = 0; p < 3; p++) e_train[p] = follow_run(F, u + (size_t)p * phase * 2, phase, 2, 1, 1, NULL);
    const double secs = wall() - t0;
    elig_follow_reset(F);
    double e_test = follow_run(F, v, T_test, 2, 0, 0, NULL);
    printf("    N %d + %d; rms(x) %.4f; untrained %.4f; feedback only (k 10) %.4f; training (feedback on, per 100 s) %.4f %.4f %.4f;\n"
           "    test (no feedback, no learning) %.4f = %.2f x untrained; 300 s simulated in %.1f s wall\n",
           c.n_ff, c.n_rec, xr, e_untrained, e_fb_only, e_train[0], e_train[1], e_train[2], e_test, e_test / e_untrained, secs);
    ASSERT_LE(e_test, 0.65 * e_untrained);
    ASSERT_LE(e_train[0], e_fb_only);
    elig_real *w = weights_copy(F);
    double wn = 0;
    for (int i = 0; i < c.n_rec * c.n_rec; i++) wn += (double)w[i] * w[i];
    ASSERT_TRUE(wn > 0 && isfinite(wn));
    free(w);
    free(u);
    free(v);
    elig_follow_free(F);
}

/* Fraction of 200 s of steps whose reference state lies outside the recurrent layer's radius,
 * driven by the command input at scale sc (NULL: full amplitude); *xmax: the largest |x|. */
static double outside_radius(const elig_ode_system *sys, const double *sc, double *xmax)
{
    elig_follow_cfg c = elig_follow_cfg_default(sys);
    c.n_ff = c.n_rec = 8; /* the reference is what is measured; the layers only have to exist */
    elig_follow *F;
    ASSERT_OK(elig_follow_create(&c, &F));
    const long T = 200000;
    const int nu = sys->n_u, d = sys->dim;
    elig_real *u = malloc((size_t)T * nu * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, sys == &elig_ode_lorenz_follow ? 20000.0 : sys == &elig_ode_vdp_follow ? 4000.0 : 2000.0,
                                  50.0, sc, 102, u));
    long out = 0;
    *xmax = 0;
    for (long t = 0; t < T; t++) {
        elig_follow_step(F, u + (size_t)t * nu, 0, 0);
        double r = 0;
        for (int q = 0; q < d; q++) r += (double)elig_follow_reference(F)[q] * elig_follow_reference(F)[q];
        r = sqrt(r);
        *xmax = fmax(*xmax, r);
        out += r > c.radius;
    }
    free(u);
    elig_follow_free(F);
    return (double)out / (double)T;
}

TEST(follow_command_scale_keeps_the_state_inside_the_radius)
{
    /* elig_follow_command_scale's scales keep each reference within the recurrent layer's
     * radius (where the layer can represent it; outside, FOLLOW's weights drift: src/follow.c).
     * Measured over 200 s (reference filtered by tau_syn, as the network sees it): linosc 0
     * outside (max |x| 0.87 of 1), vdp 0 (4.37 of 5), lorenz 0.48% (30); at full amplitude
     * linosc 9.7% (max 1.74) and lorenz 24.7% (max 63), which is why the scales exist. Bounds:
     * at most 1% with the scales, more than 5% without. */
    const elig_ode_system *sys[3] = {&elig_ode_linosc_follow, &elig_ode_vdp_follow, &elig_ode_lorenz_follow};
    for (int k = 0; k < 3; k++) {
        double sc[ELIG_ODE_MAX_DIM], xs, xf;
        elig_follow_command_scale(sys[k], sc);
        const double fs = outside_radius(sys[k], sc, &xs);
        const double ff = sys[k] == &elig_ode_vdp_follow ? 0 : outside_radius(sys[k], NULL, &xf);
        printf("    %s: scale %g: outside %.4f (max |x| %.3g)", sys[k]->name, sc[sys[k]->n_u - 1], fs, xs);
        if (sys[k] != &elig_ode_vdp_follow) printf("; full amplitude: outside %.4f (max |x| %.3g)", ff, xf);
        printf("\n");
        ASSERT_LE(fs, 0.01);
        if (sys[k] != &elig_ode_vdp_follow) ASSERT_TRUE(ff > 0.05);
    }
}

TEST(follow_ideal_weights_follow_the_linear_oscillator)
{
    /* The hand-wired (NEF) weights, checked three ways on the linear oscillator, f(x, 0) = M x
     * with M = [[-a, -1], [1, -a]] / tau_dyn:
     * 1. g(x) = x + tau M x is linear, the recurrent ideal decoders use the readout's evaluation
     *    points, and least squares is linear in its right-hand side: A[j] = (I + tau M) D[j]
     *    for the readout decoders D, to rounding (bound 1e-9 relative in f64, 1e-5 in f32).
     * 2. The open-loop network with them (no feedback, no learning) follows the reference:
     *    measured 0.096 against the untrained 0.50 at 200 + 200 (0.13-0.21 x untrained over 8
     *    seeds; at the half amplitude of follow_learns_the_linear_oscillator the learned network
     *    reaches 0.28-0.53 x and the hand-wired ~0.2 x).
     *    Bound 0.3 x.
     * 3. Dense storage gets the same weights as factored storage (multiplied out). */
    const int f64 = sizeof(elig_real) == 8;
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    elig_follow *F, *G;
    ASSERT_OK(elig_follow_create(&c, &F));
    c.dense = 1;
    ASSERT_OK(elig_follow_create(&c, &G));
    const long T = 20000;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000.0, 50.0, NULL, 201, u));
    double xr, e_untrained = follow_run(F, u, T, 2, 0, 0, &xr);
    ASSERT_OK(elig_follow_ideal_weights(F));
    ASSERT_OK(elig_follow_ideal_weights(G));
    /* 1 */
    const double a = c.sys_params[0], td = c.sys_params[1], tau = c.tau_syn * 1e-3;
    const double Gm[2][2] = {{1 - tau * a / td, -tau / td}, {tau / td, 1 - tau * a / td}};
    const elig_real *A = elig_follow_weight_factors(F, NULL), *D = elig_follow_decoders(F);
    double dA = 0, amax = 0;
    for (int j = 0; j < c.n_rec; j++)
        for (int q = 0; q < 2; q++) {
            const double want = Gm[q][0] * D[2 * j] + Gm[q][1] * D[2 * j + 1];
            dA = fmax(dA, fabs((double)A[2 * j + q] - want));
            amax = fmax(amax, fabs(want));
        }
    /* 2 */
    elig_follow_reset(F);
    double e_ideal = follow_run(F, u, T, 2, 0, 0, NULL);
    /* 3 */
    elig_real *wa = weights_copy(F), *wb = weights_copy(G);
    const size_t nw = (size_t)c.n_rec * (c.n_rec + c.n_ff);
    double dw = 0, wmax = 0;
    for (size_t i = 0; i < nw; i++) {
        dw = fmax(dw, fabs((double)wa[i] - (double)wb[i]));
        wmax = fmax(wmax, fabs((double)wb[i]));
    }
    printf("    A vs (I + tau M) D: %.3g of %.3g; open loop: ideal %.4f, untrained %.4f (rms x %.4f); dense vs factored %.3g of %.3g\n",
           dA, amax, e_ideal, e_untrained, xr, dw, wmax);
    ASSERT_TRUE(amax > 0 && wmax > 0);
    ASSERT_LE(dA, (f64 ? 1e-9 : 1e-5) * amax);
    ASSERT_LE(e_ideal, 0.3 * e_untrained);
    ASSERT_LE(dw, (f64 ? 1e-12 : 1e-6) * wmax);
    free(wa);
    free(wb);
    free(u);
    elig_follow_free(F);
    elig_follow_free(G);
}

/* ---------------------------------------------------------------- contracts */

static void expect_invalid(const elig_follow_cfg *c, const char *field)
{
    elig_follow *F = (elig_follow *)&F;
    int rc = elig_follow_create(c, &F);
    if (rc != ELIG_EINVAL || F != NULL || !strstr(elig_last_error(), field))
        th_fail(__FILE__, __LINE__, "expected EINVAL naming '%s', got %s: '%s'", field, elig_status_name(rc), elig_last_error());
    ASSERT_EQ_INT(elig_follow_bytes(c), 0);
}

TEST(follow_invalid_configs_are_named)
{
    elig_follow_cfg base = elig_follow_cfg_default(&elig_ode_linosc_follow), c;
    base.n_ff = base.n_rec = 20;
#define BAD(stmt, field) do { c = base; stmt; expect_invalid(&c, field); } while (0)
    BAD(c.sys = NULL, "follow.sys");
    BAD(c.sys = &elig_ode_vdp_force, "follow.sys"); /* autonomous: no command input */
    BAD(c.n_ff = 0, "n_ff");
    BAD(c.n_rec = -3, "n_rec");
    BAD(c.dt = 0, "follow.dt");
    BAD(c.tau_rc = -20, "tau_rc");
    BAD(c.tau_ref = -1, "tau_ref");
    BAD(c.tau_syn = 0, "tau_syn");
    BAD(c.tau_fb = NAN, "tau_fb");
    BAD(c.tau_err = -200, "tau_err");
    BAD(c.rate_lo = 0, "rate_lo");
    BAD(c.rate_hi = c.rate_lo - 1, "rate_hi");
    BAD(c.rate_hi = 600, "rate_hi"); /* above 1/tau_ref = 500 Hz */
    BAD(c.icpt_hi = 1.0, "intercepts");
    BAD(c.icpt_lo = 0.5; c.icpt_hi = 0.2, "intercepts");
    BAD(c.radius = 0, "follow.radius");
    BAD(c.radius_in = -1, "radius_in");
    BAD(c.k_fb = -1, "k_fb");
    BAD(c.eta = -1e-3, "eta");
    BAD(c.w_decay = -0.1, "w_decay");
    BAD(c.n_eval = -1, "n_eval");
    BAD(c.dec_reg = 0, "dec_reg");
    BAD(c.sys_params[1] = NAN, "sys_params[1]");
    BAD(c.x0[0] = INFINITY, "x0[0]");
    BAD(c.trial_ms = -1, "trial_ms");
    BAD(c.trial_ms = 1, "trial_ms"); /* one step of dt */
    BAD(c.trial_ms = 400; c.clamp_ms = 400, "clamp_ms");
    BAD(c.trial_ms = 400; c.clamp_ms = -1, "clamp_ms");
#undef BAD
    elig_follow *F;
    ASSERT_EQ_INT(elig_follow_create(NULL, &F), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_follow_create(&base, NULL), ELIG_EINVAL);
    elig_follow_free(NULL);
    /* the command generator names its own arguments */
    elig_real u[8];
    ASSERT_EQ_INT(elig_follow_command(&base, 4, 0.5, 50, NULL, 1, u), ELIG_EINVAL); /* period < dt */
    ASSERT_TRUE(strstr(elig_last_error(), "period") != NULL);
    ASSERT_EQ_INT(elig_follow_command(&base, 4, 2000, 0, NULL, 1, u), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "hold") != NULL);
    ASSERT_EQ_INT(elig_follow_command(&base, -1, 2000, 50, NULL, 1, u), ELIG_EINVAL);
}

TEST(follow_trial_clamp)
{
    /* trial_ms 400, clamp_ms 200 (dt 1 ms): steps 200-399 of each trial are clamped: the
     * reference is held at x0, no neuron of either layer spikes after the first clamped step,
     * and the weights do not move although learn = 1. The next trial starts from rest: with
     * the same input and frozen weights (eta 0 after the first trial), trials 2 and 3 give the
     * same output up to what the clamp leaves of the previous trial (e^-10 of a 20 ms trace, e^-1
     * of the 200 ms error filter, which only feeds the feedback here through k ε_fb's 20 ms). */
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_vdp_follow);
    c.n_ff = 40;
    c.n_rec = 50;
    c.trial_ms = 400;
    c.clamp_ms = 200;
    elig_follow *F;
    ASSERT_OK(elig_follow_create(&c, &F));
    const long P = 400, T = 3 * P;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real)), *y2 = malloc(200 * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, P, 400, 50, NULL, 4, u));
    for (long t = P; t < T; t++) memcpy(u + 2 * t, u + 2 * (t % P), 2 * sizeof(elig_real)); /* same input each trial */
    const size_t nw = (size_t)c.n_rec * (c.n_rec + c.n_ff);
    elig_real *wsave = NULL;
    long spikes_in_clamp = 0, spikes_out = 0;
    double dmax = 0, ymax = 0;
    for (long t = 0; t < T; t++) {
        const long k = t % P;
        elig_follow_set_eta(F, t < P ? 5e-2 : 0.0);
        if (k == 200) {
            free(wsave);
            wsave = weights_copy(F);
        }
        elig_follow_step(F, u + 2 * t, 1, 1);
        ASSERT_EQ_INT(elig_follow_clamped(F), k >= 200);
        int n0, n1;
        elig_follow_spikes(F, 0, &n0);
        elig_follow_spikes(F, 1, &n1);
        const elig_real *x = elig_follow_reference(F), *y = elig_follow_output(F);
        if (k >= 200) {
            if (k > 200) spikes_in_clamp += n0 + n1;
            if (k == P - 1) {
                elig_real *w = weights_copy(F);
                ASSERT_TRUE(memcmp(w, wsave, nw * sizeof(elig_real)) == 0);
                free(w);
                ASSERT_NEAR(x[0], c.x0[0], 1e-4); /* x0 seen through the 20 ms filter */
            }
            continue;
        }
        spikes_out += n1;
        if (t >= P && t < 2 * P) memcpy(y2 + 2 * k, y, 2 * sizeof(elig_real));
        if (t >= 2 * P)
            for (int q = 0; q < 2; q++) {
                dmax = fmax(dmax, fabs((double)y[q] - (double)y2[2 * k + q]));
                ymax = fmax(ymax, fabs((double)y[q]));
            }
    }
    ASSERT_EQ_INT(spikes_in_clamp, 0);
    ASSERT_TRUE(spikes_out > 0);
    ASSERT_TRUE(ymax > 0.05);
    printf("    trials 2 and 3: max output difference %.3g of %.3g\n", dmax, ymax);
    ASSERT_TRUE(dmax < 1e-4 * ymax); /* measured 7.8e-6 of 1.65 (f32 and f64) */
    free(u);
    free(y2);
    free(wsave);
    elig_follow_free(F);
}

TEST(follow_factored_weights_equal_the_dense_kernel)
{
    /* PES projects the error on the encoders, so from zero every update of W[j, i] is
     * ẽ_i · (ε s_j) and W = Ẽ A exactly: the factored kernel (default) must give the dense
     * reference kernel's outputs and weights, up to rounding, while learning with feedback,
     * with weight decay, through a trial clamp, and when testing. Measured: identical outputs
     * (the output depends on the spikes only, and no spike moves), weights within 3e-16 (f64)
     * and 1.3e-6 (f32) of their largest; bounds 1e-9 and 1e-5. */
    const int f64 = sizeof(elig_real) == 8;
    for (int variant = 0; variant < 2; variant++) {
        elig_follow_cfg c = elig_follow_cfg_default(variant ? &elig_ode_vdp_follow : &elig_ode_linosc_follow);
        c.n_ff = 47;
        c.n_rec = 61;
        c.eta = 2e-2;
        if (variant) {
            c.w_decay = 0.5;
            c.trial_ms = 300;
            c.clamp_ms = 50;
        }
        const long T = f64 ? 2000 : 400;
        elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real));
        ASSERT_OK(elig_follow_command(&c, T, 250, 50, NULL, 12, u));
        elig_follow *F[2];
        for (int k = 0; k < 2; k++) {
            c.dense = k;
            ASSERT_OK(elig_follow_create(&c, &F[k]));
        }
        ASSERT_TRUE(elig_follow_weight_factors(F[0], NULL) != NULL);
        ASSERT_TRUE(elig_follow_weight_factors(F[1], NULL) == NULL);
        double dy = 0, ymax = 0;
        for (long t = 0; t < T; t++) {
            const int phase = t < T / 2 ? 1 : 0; /* train, then test */
            for (int k = 0; k < 2; k++) elig_follow_step(F[k], u + 2 * t, phase, phase);
            for (int q = 0; q < 2; q++) {
                const double a = elig_follow_output(F[0])[q], b = elig_follow_output(F[1])[q];
                dy = fmax(dy, fabs(a - b));
                ymax = fmax(ymax, fabs(b));
            }
        }
        elig_real *wa = weights_copy(F[0]), *wb = weights_copy(F[1]);
        const size_t nw = (size_t)c.n_rec * (c.n_rec + c.n_ff);
        double dw = 0, wmax = 0;
        for (size_t i = 0; i < nw; i++) {
            dw = fmax(dw, fabs((double)wa[i] - (double)wb[i]));
            wmax = fmax(wmax, fabs((double)wb[i]));
        }
        printf("    %s: max |y_factored - y_dense| %.3g of %.3g, weights %.3g of %.3g\n", c.sys->name, dy, ymax, dw, wmax);
        ASSERT_TRUE(ymax > 0.01 && wmax > 0);
        ASSERT_LE(dy, (f64 ? 1e-9 : 1e-5) * ymax);
        ASSERT_LE(dw, (f64 ? 1e-9 : 1e-5) * wmax);
        free(wa);
        free(wb);
        free(u);
        for (int k = 0; k < 2; k++) elig_follow_free(F[k]);
    }
}

TEST(follow_bytes_one_block_and_mem_limit)
{
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_vdp_follow);
    c.n_ff = 37;
    c.n_rec = 53;
    size_t b = elig_follow_bytes(&c); /* factored: the decoder fit's packed Gram dominates */
    ASSERT_TRUE(b >= (size_t)53 * 54 / 2 * sizeof(double) + (size_t)(53 + 37) * 2 * sizeof(elig_real));
    c.dense = 1;
    const size_t bd = elig_follow_bytes(&c);
    ASSERT_TRUE(bd >= (size_t)53 * (53 + 37) * sizeof(elig_real) && bd >= (size_t)53 * 54 / 2 * sizeof(double));
    c.dense = 0;
    c.mem_limit = b - 1;
    elig_follow *F;
    ASSERT_EQ_INT(elig_follow_create(&c, &F), ELIG_ELIMIT);
    ASSERT_TRUE(strstr(elig_last_error(), "mem_limit") != NULL);
    c.mem_limit = b;
    long before = th_alloc_count();
    ASSERT_OK(elig_follow_create(&c, &F));
    ASSERT_EQ_INT(th_alloc_count() - before, 1);
    elig_follow_free(F);
}

TEST(follow_step_allocates_nothing)
{
    /* training, feedback-only and test steps, on the 3-d Lorenz system (RK4 inside the step);
     * then the hand-wired weights, whose solves use the block's scratch (sized for the larger
     * layer: here the feed-forward one, which ASan would catch overflowing it) */
    for (int dense = 0; dense < 2; dense++) { /* both weight storages, with trials */
        elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_lorenz_follow);
        c.n_ff = 47;
        c.n_rec = 43;
        c.dense = dense;
        c.trial_ms = 700;
        elig_follow *F;
        ASSERT_OK(elig_follow_create(&c, &F));
        elig_real *u = malloc(3000 * 3 * sizeof(elig_real));
        ASSERT_OK(elig_follow_command(&c, 3000, 1000, 50, NULL, 3, u));
        long before = th_alloc_count();
        for (int t = 0; t < 3000; t++) elig_follow_step(F, u + 3 * t, t < 2000, t < 1000);
        ASSERT_OK(elig_follow_ideal_weights(F));
        ASSERT_EQ_INT(th_alloc_count() - before, 0);
        for (int q = 0; q < 3; q++) ASSERT_TRUE(isfinite((double)elig_follow_output(F)[q]));
        free(u);
        elig_follow_free(F);
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t follow_hash(const elig_follow_cfg *c, const elig_real *u, long T)
{
    elig_follow *F;
    ASSERT_OK(elig_follow_create(c, &F));
    uint64_t h = 0xcbf29ce484222325ull;
    for (long t = 0; t < T; t++) {
        elig_follow_step(F, u + 2 * t, 1, 1);
        h = fnv(h, elig_follow_output(F), 2 * sizeof(elig_real));
    }
    elig_real *w = weights_copy(F);
    h = fnv(h, w, (size_t)c->n_rec * (c->n_rec + c->n_ff) * sizeof(elig_real));
    free(w);
    h = fnv(h, elig_follow_decoders(F), (size_t)c->n_rec * 2 * sizeof(elig_real));
    elig_follow_free(F);
    return h;
}

TEST(follow_same_seed_bit_identical)
{
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    c.n_ff = 61;
    c.n_rec = 59;
    c.seed = 4242;
    const long T = 3000;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000, 50, NULL, 9, u));
    uint64_t a = follow_hash(&c, u, T), b = follow_hash(&c, u, T);
    c.seed = 4243;
    uint64_t d = follow_hash(&c, u, T);
    ASSERT_TRUE(a == b);
    ASSERT_TRUE(a != d);
    free(u);
}

TEST(follow_command_is_the_documented_signal)
{
    /* u = (noise + height r_in) / 2: noise ~ U(-r_in, r_in) redrawn every hold, height a unit
     * vector redrawn every period. So |u_j| <= r_in, u is constant within a hold, and within a
     * period u - noise/2 is the same vector of norm r_in / 2. dim_scale multiplies channels. */
    elig_follow_cfg c = elig_follow_cfg_default(&elig_ode_linosc_follow);
    const long T = 6000;
    elig_real *u = malloc((size_t)T * 2 * sizeof(elig_real)), *v = malloc((size_t)T * 2 * sizeof(elig_real));
    ASSERT_OK(elig_follow_command(&c, T, 2000, 50, NULL, 77, u));
    const double scale[2] = {1.0 / 3.0, 1.0};
    ASSERT_OK(elig_follow_command(&c, T, 2000, 50, scale, 77, v));
    double mean = 0;
    for (long t = 0; t < T; t++)
        for (int q = 0; q < 2; q++) {
            ASSERT_LE(fabs((double)u[2 * t + q]), c.radius_in);
            if (t % 50) ASSERT_TRUE(u[2 * t + q] == u[2 * (t - 1) + q]);
            ASSERT_NEAR(v[2 * t + q], u[2 * t + q] * scale[q], 1e-6);
            mean += u[2 * t + q];
        }
    /* the period means of u estimate height r_in / 2 (noise averages out over 40 holds) */
    for (int p = 0; p < 3; p++) {
        double m0 = 0, m1 = 0;
        for (long t = p * 2000; t < (p + 1) * 2000; t++) {
            m0 += u[2 * t];
            m1 += u[2 * t + 1];
        }
        m0 /= 2000;
        m1 /= 2000;
        ASSERT_NEAR(sqrt(m0 * m0 + m1 * m1), c.radius_in / 2, 0.35 * c.radius_in / 2);
    }
    free(u);
    free(v);
}
