/* test_force.c -- FORCE (src/force.c) and the reference dynamics it trains on (src/ode.c).
 *
 * RLS kernel (double in every build; property 11 of the digest): P stays symmetric positive
 * definite over many updates; with P(0) = I/lambda and the textbook gain the decoders equal the
 * ridge solution (sum r rᵀ + lambda I)^-1 sum r xᵀ after any number of samples, computed here
 * with an independent Cholesky solve; the a-posteriori error never exceeds the a-priori one;
 * the reference code's un-normalised gain does not match ridge (measured).
 * The object: its RLS sees exactly the (r, x) of its training window (ridge again, through the
 * object); FORCE learns the 5 Hz sinusoid with spiking LIF, Izhikevich and theta neurons and
 * van der Pol with a rate network, test-phase errors with learning off against the untrained network's; omega0 follows
 * the recipe; invalid configs are named; the step allocates nothing; same seed -> bit-identical.
 * ODE: RK4 is fourth order, the systems match their equations, targets are sampled as stated.
 */
#include "harness.h"
#include "elig_dyn.h"

#include <string.h>
#include <time.h>

#define PI_ 3.141592653589793

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------------------------------------------------------------- small dense helpers */

/* Packed upper triangle (the library's layout) -> full symmetric (n, n). */
static void unpack(int n, const double *Pp, double *P)
{
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) P[(size_t)i * n + j] = P[(size_t)j * n + i] = Pp[off + (size_t)(j - i)];
        off += (size_t)(n - i);
    }
}

/* In-place Cholesky A = L Lᵀ of a full (n, n) matrix (lower triangle written); returns the
 * smallest pivot squared, or -1 if a pivot is not positive. Textbook, written for this test. */
static double cholesky(int n, double *A)
{
    double minp = INFINITY;
    for (int j = 0; j < n; j++) {
        double s = A[(size_t)j * n + j];
        for (int q = 0; q < j; q++) s -= A[(size_t)j * n + q] * A[(size_t)j * n + q];
        if (!(s > 0)) return -1;
        if (s < minp) minp = s;
        const double ljj = sqrt(s);
        A[(size_t)j * n + j] = ljj;
        for (int i = j + 1; i < n; i++) {
            double t = A[(size_t)i * n + j];
            for (int q = 0; q < j; q++) t -= A[(size_t)i * n + q] * A[(size_t)j * n + q];
            A[(size_t)i * n + j] = t / ljj;
        }
    }
    return minp;
}

/* Solve (L Lᵀ) X = B for k right-hand sides, B (n, k) overwritten by X. */
static void chol_solve(int n, const double *L, int k, double *B)
{
    for (int a = 0; a < k; a++) {
        for (int i = 0; i < n; i++) {
            double s = B[(size_t)i * k + a];
            for (int q = 0; q < i; q++) s -= L[(size_t)i * n + q] * B[(size_t)q * k + a];
            B[(size_t)i * k + a] = s / L[(size_t)i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = B[(size_t)i * k + a];
            for (int q = i + 1; q < n; q++) s -= L[(size_t)q * n + i] * B[(size_t)q * k + a];
            B[(size_t)i * k + a] = s / L[(size_t)i * n + i];
        }
    }
}

/* Ridge solution from the accumulated sums: phi = (S_rr + lambda I)^-1 S_rx. */
static void ridge(int n, int k, const double *Srr, const double *Srx, double lambda, double *phi, double *work)
{
    memcpy(work, Srr, (size_t)n * n * sizeof(double));
    for (int i = 0; i < n; i++) work[(size_t)i * n + i] += lambda;
    if (cholesky(n, work) < 0) th_fail(__FILE__, __LINE__, "ridge matrix not positive definite");
    memcpy(phi, Srx, (size_t)n * k * sizeof(double));
    chol_solve(n, work, k, phi);
}

static double max_rel(const double *a, const double *b, size_t n)
{
    double err = 0, scale = 1e-300;
    for (size_t i = 0; i < n; i++) {
        scale = fmax(scale, fabs(b[i]));
        err = fmax(err, fabs(a[i] - b[i]));
    }
    return err / scale;
}

/* High-entropy sample s of a synthetic RLS problem: r like filtered rates (positive, spread
 * over two decades), x a fixed linear map of r plus a non-linear part (so no exact fit). */
static void sample(int s, int n, int k, double *r, double *x)
{
    for (int i = 0; i < n; i++) r[i] = 0.3 + 2.7 * (0.5 + 0.5 * sin(1.37 * s + 2.11 * i + 0.1 * s * i / (double)n)) * (1.0 + 0.1 * i);
    for (int a = 0; a < k; a++) {
        double t = 0;
        for (int i = 0; i < n; i++) t += r[i] * cos(0.7 * i + 1.3 * a);
        x[a] = 0.05 * t + sin(0.31 * s + a) - 0.2;
    }
}

/* Learning-test sizes (see each test). ASan+UBSan (-O1, double) runs ~5x slower; the sizes stay
 * the same there so that the same claims are tested, only the wall-time budget differs. */
#define LIF_N 1000
#define LIF_TRAIN 3.0 /* s */

#define NR 13  /* odd so no unrolled tail survives */
#define KR 3

/* ---------------------------------------------------------------- RLS kernel */

TEST(rls_keeps_P_symmetric_positive_definite)
{
    /* 4000 updates drive P from I/lambda towards (sum r rᵀ)^-1, whose condition number grows
     * with the spread of r (here ~1e3): the classic place where RLS loses definiteness. An
     * independent full-storage update (P -= k cᵀ with k = c / den, not symmetry-aware) shows
     * the asymmetry it accumulates stays at rounding level, and the library's packed P matches
     * it; the unpacked P has a Cholesky factor (all pivots > 0). */
    const int n = NR, k = KR, steps = 4000;
    const double alpha = 0.37; /* P(0) = alpha I */
    double *P = calloc((size_t)n * (n + 1) / 2, sizeof(double)), *phi = calloc((size_t)n * k, sizeof(double));
    double *Pf = calloc((size_t)n * n, sizeof(double)), *Pu = calloc((size_t)n * n, sizeof(double));
    double r[NR], x[KR], c[NR], cf[NR];
    for (int i = 0, off = 0; i < n; off += n - i, i++) P[off] = alpha;
    for (int i = 0; i < n; i++) Pf[(size_t)i * n + i] = alpha;
    double worst_asym = 0, worst_match = 0, min_pivot = INFINITY;
    for (int s = 0; s < steps; s++) {
        sample(s, n, k, r, x);
        elig_force_rls_update(n, k, P, phi, r, x, ELIG_RLS_TEXTBOOK, c, NULL);
        double den = 1;
        for (int i = 0; i < n; i++) {
            cf[i] = 0;
            for (int j = 0; j < n; j++) cf[i] += Pf[(size_t)i * n + j] * r[j];
            den += r[i] * cf[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) Pf[(size_t)i * n + j] -= (cf[i] / den) * cf[j];
        if (s % 97 == 0 || s == steps - 1) {
            double pmax = 0, asym = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    pmax = fmax(pmax, fabs(Pf[(size_t)i * n + j]));
                    asym = fmax(asym, fabs(Pf[(size_t)i * n + j] - Pf[(size_t)j * n + i]));
                }
            worst_asym = fmax(worst_asym, asym / pmax);
            unpack(n, P, Pu);
            worst_match = fmax(worst_match, max_rel(Pu, Pf, (size_t)n * n));
            double mp = cholesky(n, Pu);
            ASSERT_TRUE(mp > 0);
            min_pivot = fmin(min_pivot, mp);
        }
    }
    printf("    %d updates: asymmetry of the full-storage update %.2g (relative), packed vs full %.2g, "
           "smallest Cholesky pivot^2 %.3g\n", steps, worst_asym, worst_match, min_pivot);
    /* rounding of ~n^2 operations per update, accumulated: measured ~1e-15 and ~1e-12 */
    ASSERT_LE(worst_asym, 1e-12);
    ASSERT_LE(worst_match, 1e-9);
    free(P); free(phi); free(Pf); free(Pu);
}

TEST(rls_textbook_equals_ridge)
{
    /* The RLS identity: with P(0) = I/lambda and k = P r / (1 + rᵀP r), after m samples
     * phi_m = (sum r rᵀ + lambda I)^-1 sum r xᵀ exactly; in double the recursion's rounding
     * stays far below 1e-8 (measured ~1e-13). Checked after every sample up to 60 (the
     * under-determined regime m < n included) and at 1000. */
    const int n = NR, k = KR;
    const double lambda = 2.7;
    double *P = calloc((size_t)n * (n + 1) / 2, sizeof(double)), *phi = calloc((size_t)n * k, sizeof(double));
    double *Srr = calloc((size_t)n * n, sizeof(double)), *Srx = calloc((size_t)n * k, sizeof(double));
    double *ref = calloc((size_t)n * k, sizeof(double)), *work = calloc((size_t)n * n, sizeof(double));
    double r[NR], x[KR], c[NR];
    for (int i = 0, off = 0; i < n; off += n - i, i++) P[off] = 1.0 / lambda;
    double worst = 0;
    for (int s = 0; s < 1000; s++) {
        sample(s, n, k, r, x);
        elig_force_rls_update(n, k, P, phi, r, x, ELIG_RLS_TEXTBOOK, c, NULL);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) Srr[(size_t)i * n + j] += r[i] * r[j];
            for (int a = 0; a < k; a++) Srx[(size_t)i * k + a] += r[i] * x[a];
        }
        if (s < 60 || s == 999) {
            ridge(n, k, Srr, Srx, lambda, ref, work);
            double e = max_rel(phi, ref, (size_t)n * k);
            if (e > worst) worst = e;
        }
    }
    printf("    textbook RLS vs ridge (independent Cholesky), worst over 61 checkpoints: %.3g\n", worst);
    ASSERT_LE(worst, 1e-8);
    free(P); free(phi); free(Srr); free(Srx); free(ref); free(work);
}

TEST(rls_a_posteriori_error_below_a_priori)
{
    /* Textbook RLS: e_post = e_prior / (1 + rᵀP r) componentwise, so |e_post| <= |e_prior|
     * (equality only if rᵀP r = 0). Checked for every component of every update, and the
     * ratio itself to 1e-9 relative (double rounding of O(n) terms). */
    const int n = NR, k = KR;
    double *P = calloc((size_t)n * (n + 1) / 2, sizeof(double)), *phi = calloc((size_t)n * k, sizeof(double));
    double *Pu = calloc((size_t)n * n, sizeof(double));
    double r[NR], x[KR], c[NR], e[KR];
    for (int i = 0, off = 0; i < n; off += n - i, i++) P[off] = 0.61;
    double worst_ratio = 0;
    int shrunk = 0;
    for (int s = 0; s < 500; s++) {
        sample(s, n, k, r, x);
        unpack(n, P, Pu);
        double rpr = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) rpr += r[i] * Pu[(size_t)i * n + j] * r[j];
        elig_force_rls_update(n, k, P, phi, r, x, ELIG_RLS_TEXTBOOK, c, e);
        for (int a = 0; a < k; a++) {
            double post = -x[a];
            for (int i = 0; i < n; i++) post += phi[(size_t)i * k + a] * r[i];
            ASSERT_LE(fabs(post), fabs(e[a]) * (1 + 1e-12) + 1e-300);
            if (fabs(post) < fabs(e[a])) shrunk++;
            if (fabs(e[a]) > 1e-9) worst_ratio = fmax(worst_ratio, fabs(post * (1 + rpr) / e[a] - 1));
        }
    }
    printf("    a-posteriori / a-priori = 1/(1 + rᵀPr): worst relative deviation %.2g; strictly smaller "
           "in %d of %d cases\n", worst_ratio, shrunk, 500 * k);
    ASSERT_LE(worst_ratio, 1e-9);
    ASSERT_EQ_INT(shrunk, 500 * k);
    free(P); free(phi); free(Pu);
}

TEST(rls_nicola_variant_differs_from_ridge)
{
    /* The reference code updates phi with the un-normalised gain c = P r, i.e. a step
     * (1 + rᵀP r) times the textbook one. With rᵀP r > 2 it overshoots and diverges (with these
     * r and lambda 2.7: rᵀP r ~ 40 at the start); lambda = 300 keeps rᵀP r < 1 so the variant
     * converges, yet its decoders are not the ridge solution: the distance is measured and
     * must be clearly non-zero. P is updated identically by both variants (bit-identical). */
    const int n = NR, k = KR, steps = 300;
    const double lambda = 300.0;
    double *P1 = calloc((size_t)n * (n + 1) / 2, sizeof(double)), *P2 = calloc((size_t)n * (n + 1) / 2, sizeof(double));
    double *phi1 = calloc((size_t)n * k, sizeof(double)), *phi2 = calloc((size_t)n * k, sizeof(double));
    double *Srr = calloc((size_t)n * n, sizeof(double)), *Srx = calloc((size_t)n * k, sizeof(double));
    double *ref = calloc((size_t)n * k, sizeof(double)), *work = calloc((size_t)n * n, sizeof(double));
    double r[NR], x[KR], c[NR];
    for (int i = 0, off = 0; i < n; off += n - i, i++) P1[off] = P2[off] = 1.0 / lambda;
    for (int s = 0; s < steps; s++) {
        sample(s, n, k, r, x);
        elig_force_rls_update(n, k, P1, phi1, r, x, ELIG_RLS_TEXTBOOK, c, NULL);
        elig_force_rls_update(n, k, P2, phi2, r, x, ELIG_RLS_NICOLA, c, NULL);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) Srr[(size_t)i * n + j] += r[i] * r[j];
            for (int a = 0; a < k; a++) Srx[(size_t)i * k + a] += r[i] * x[a];
        }
    }
    ridge(n, k, Srr, Srx, lambda, ref, work);
    double e_text = max_rel(phi1, ref, (size_t)n * k), e_nic = max_rel(phi2, ref, (size_t)n * k);
    /* training error of each over the samples */
    double se1 = 0, se2 = 0;
    for (int s = 0; s < steps; s++) {
        sample(s, n, k, r, x);
        for (int a = 0; a < k; a++) {
            double y1 = -x[a], y2 = -x[a];
            for (int i = 0; i < n; i++) {
                y1 += phi1[(size_t)i * k + a] * r[i];
                y2 += phi2[(size_t)i * k + a] * r[i];
            }
            se1 += y1 * y1;
            se2 += y2 * y2;
        }
    }
    printf("    after %d samples: |phi - ridge| / |ridge|: textbook %.2g, reference-code variant %.3g; "
           "rms fit error %.4g vs %.4g\n", steps, e_text, e_nic, sqrt(se1 / (steps * k)), sqrt(se2 / (steps * k)));
    ASSERT_LE(e_text, 1e-8);
    ASSERT_GE(e_nic, 1e-3);
    ASSERT_TRUE(isfinite(e_nic));
    ASSERT_TRUE(memcmp(P1, P2, (size_t)n * (n + 1) / 2 * sizeof(double)) == 0);
    free(P1); free(P2); free(phi1); free(phi2); free(Srr); free(Srx); free(ref); free(work);
}

TEST(force_object_rls_is_ridge_on_its_window)
{
    /* Through the object: a small rate network (N 37, k 2) trained every 3rd step in
     * [t_min, t_crit) = [50, 350). The test reads r after each step (the r the RLS used, in the
     * build's precision, promoted exactly to double) and the targets, accumulates the ridge sums
     * only on the steps the window and rls_every select, and compares the decoders: this pins
     * P(0) = alpha I, the window, the stride and the target alignment. rel err <= 1e-8. */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_RATE);
    c.n = 37;
    c.k = 2;
    c.alpha = 0.53;
    c.rls_every = 3;
    c.t_min = 50;
    c.t_crit = 350;
    c.seed = 7;
    elig_force *F;
    ASSERT_OK(elig_force_create(&c, &F));
    const int n = c.n, k = c.k;
    double *Srr = calloc((size_t)n * n, sizeof(double)), *Srx = calloc((size_t)n * k, sizeof(double));
    double *ref = calloc((size_t)n * k, sizeof(double)), *work = calloc((size_t)n * n, sizeof(double));
    int used = 0;
    for (long t = 0; t < 420; t++) {
        elig_real x[2] = {(elig_real)sin(0.05 * t), (elig_real)(0.3 * cos(0.021 * t) - 0.1)};
        elig_force_step(F, x, 1);
        if (t >= c.t_min && t < c.t_crit && (t - c.t_min) % c.rls_every == 0) {
            const elig_real *r = elig_force_rates(F);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) Srr[(size_t)i * n + j] += (double)r[i] * (double)r[j];
                for (int a = 0; a < k; a++) Srx[(size_t)i * k + a] += (double)r[i] * (double)x[a];
            }
            used++;
        }
    }
    ridge(n, k, Srr, Srx, 1.0 / c.alpha, ref, work);
    double e = max_rel(elig_force_decoders(F), ref, (size_t)n * k);
    printf("    %d RLS steps (object counted %ld), decoders vs ridge: %.3g\n", used, elig_force_n_rls(F), e);
    ASSERT_EQ_INT(elig_force_n_rls(F), used);
    ASSERT_EQ_INT(used, 100);
    ASSERT_LE(e, 1e-8);
    /* the object's P after 100 updates: still positive definite */
    unpack(n, elig_force_P(F), work);
    ASSERT_TRUE(cholesky(n, work) > 0);
    elig_force_free(F);
    free(Srr); free(Srx); free(ref); free(work);
}

/* ---------------------------------------------------------------- learning */

typedef struct {
    double train, test, untrained; /* rms errors */
    double test1;                  /* rms over the first second of the test window */
    double rate_hz, seconds;
} force_result;

/* Train on target (T, k) with the cfg's window, test after t_crit with learning off; the
 * untrained network (same seed, learning never on) over the same test steps. train = rms over
 * the last train_tail steps of the window, test = rms over test_len steps after t_crit. */
static force_result force_learn(const elig_force_cfg *c, const elig_real *target, long T, long train_tail, long test_len)
{
    force_result res;
    elig_force *F;
    ASSERT_OK(elig_force_create(c, &F));
    const int k = c->k;
    elig_real *y = malloc((size_t)T * k * sizeof(elig_real));
    double t0 = wall();
    long spikes = 0;
    for (long s = 0; s < T; s++) {
        elig_force_step(F, target + (size_t)s * k, 1);
        int cnt;
        elig_force_spikes(F, &cnt);
        spikes += cnt;
        for (int a = 0; a < k; a++) y[(size_t)s * k + a] = elig_force_output(F)[a];
    }
    res.seconds = wall() - t0;
    res.rate_hz = (double)spikes / c->n / (T * c->dt * 1e-3);
    double e1 = 0, e2 = 0;
    for (long s = c->t_crit - train_tail; s < c->t_crit; s++)
        for (int a = 0; a < k; a++) e1 += pow((double)y[(size_t)s * k + a] - (double)target[(size_t)s * k + a], 2);
    for (long s = c->t_crit; s < c->t_crit + test_len; s++)
        for (int a = 0; a < k; a++) e2 += pow((double)y[(size_t)s * k + a] - (double)target[(size_t)s * k + a], 2);
    res.train = sqrt(e1 / (train_tail * k));
    res.test = sqrt(e2 / (test_len * k));
    const long l1 = (test_len < lround(1000.0 / c->dt) ? test_len : lround(1000.0 / c->dt));
    double e4 = 0;
    for (long s = c->t_crit; s < c->t_crit + l1; s++)
        for (int a = 0; a < k; a++) e4 += pow((double)y[(size_t)s * k + a] - (double)target[(size_t)s * k + a], 2);
    res.test1 = sqrt(e4 / (l1 * k));
    /* untrained: the same network with learning off; phi stays 0, so x̂ = 0 */
    elig_force_reset(F);
    double e3 = 0;
    for (long s = 0; s < c->t_crit + test_len; s++) {
        elig_force_step(F, target + (size_t)s * k, 0);
        if (s >= c->t_crit)
            for (int a = 0; a < k; a++) e3 += pow((double)elig_force_output(F)[a] - (double)target[(size_t)s * k + a], 2);
    }
    res.untrained = sqrt(e3 / (test_len * k));
    free(y);
    elig_force_free(F);
    return res;
}

TEST_T(force_lif_learns_5hz_sine, 300)
{
    /* The digest's LIF network (dt 0.05 ms, tau_m 10 ms, t_ref 2 ms, v_reset -65, v_peak -40,
     * bias -40 mV, G 0.04, Q 10, p 0.1, tau_r 2, tau_d 20 ms, alpha 0.1 dt, RLS every 50 steps)
     * at the smallest N that passes in both precisions over the seeds tried: N = LIF_N (the
     * reference runs N 2000 for 5 + 5 + 5 s, a benchmark). Schedule shortened: 1 s of chaos,
     * FORCE for LIF_TRAIN s, test with learning off. Measured while sizing (f32, seeds 1-8):
     * test rms over the first second 0.09-0.28 at N 1000, up to 0.41 at N 700 (so 700 fails).
     * Bound: < 0.35, half the untrained network's 0.707 (= rms of the sine: φ = 0, x̂ = 0). */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_LIF);
    c.n = LIF_N;
    c.alpha = 0.1 * c.dt * 1e-3;
    c.t_min = lround(1000.0 / c.dt);
    c.t_crit = c.t_min + lround(LIF_TRAIN * 1000.0 / c.dt);
    const long test_len = lround(1000.0 / c.dt), T = c.t_crit + test_len;
    elig_real *x = malloc((size_t)T * sizeof(elig_real));
    ASSERT_OK(elig_target_sine(c.dt, T, 5.0, 1.0, 0.0, x));
    force_result r = force_learn(&c, x, T, lround(1000.0 / c.dt), test_len);
    printf("    LIF N %d, %.1f s training: rms train %.4f, test (learning off) %.4f, untrained %.4f; "
           "rate %.1f Hz; %.1f s wall\n", c.n, LIF_TRAIN, r.train, r.test, r.untrained, r.rate_hz, r.seconds);
    ASSERT_LE(r.test, 0.35);
    ASSERT_LE(r.test, 0.5 * r.untrained);
    ASSERT_NEAR(r.untrained, sqrt(0.5), 1e-3);
    free(x);
}

TEST_T(force_lif_sine_reference_size, 900)
{
    /* The reference run (LIFFORCESINE.m): N 2000, 5 s of chaos, FORCE from 5 to 10 s, test
     * 10-15 s. A benchmark, not a test: ~20 s of CPU in f32 (RLS on 2000 x 2000 dominates,
     * memory-bound). Runs only with ELIG_SLOW=1. Measured (f32, seeds 1-4): test rms over 5 s
     * 0.13-0.48 (the learned oscillation drifts in phase), over the first second 0.12-0.21;
     * untrained 0.707. Bound on the first second: 0.35. */
    const char *slow = getenv("ELIG_SLOW");
    if (!slow || strcmp(slow, "1") != 0) SKIP("set ELIG_SLOW=1 for the N 2000 reference run");
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_LIF);
    const long test_len = lround(5000.0 / c.dt), T = c.t_crit + test_len;
    elig_real *x = malloc((size_t)T * sizeof(elig_real));
    ASSERT_OK(elig_target_sine(c.dt, T, 5.0, 1.0, 0.0, x));
    force_result r = force_learn(&c, x, T, lround(1000.0 / c.dt), test_len);
    printf("    LIF N %d: rms train %.4f, test first 1 s %.4f, test 5 s %.4f, untrained %.4f; %.1f s wall\n", c.n, r.train,
           r.test1, r.test, r.untrained, r.seconds);
    ASSERT_LE(r.test1, 0.35);
    free(x);
}

TEST_T(force_rate_learns_van_der_pol, 300)
{
    /* van der Pol in FORCE form (mu 5, MD 10, TC 20 /s: a relaxation oscillation of period
     * ~0.58 s, |x1| <= 0.2, |x2| <= 0.09), both components as targets, integrated by RK4 at dt
     * after 15 s of transient (the reference code's warm-up). Learned by a rate network
     * (Sussillo & Abbott: tanh, g = 1.5, p 0.1, tau 10 ms, dt 1 ms, RLS every 2 steps,
     * alpha 1) because the spiking runs are too slow for a test: LIF at N 1500 needs ~10 s here
     * and still misses the period by a few percent on some seeds (measured while sizing this).
     * N = 300; Q = 5 so that the feedback eta x̂ is O(1) for a target of amplitude 0.2 (S&A's
     * feedback strength for their amplitude-1.5 targets). 1 s chaos, 5 s FORCE, 1 s test.
     * Bound: test rms < 0.02 (untrained 0.117 = rms of the target). */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_RATE);
    c.n = 300;
    c.k = 2;
    c.Q = 5.0;
    c.t_min = 1000;
    c.t_crit = 6000;
    const long test_len = 1000, T = c.t_crit + test_len;
    elig_real *x = malloc((size_t)T * 2 * sizeof(elig_real));
    double xs[2] = {0.1, 0.1}, t_ms = 0;
    ASSERT_OK(elig_ode_sample(&elig_ode_vdp_force, NULL, xs, &t_ms, c.dt, 1, 15000, NULL, NULL));
    t_ms = 0;
    ASSERT_OK(elig_ode_sample(&elig_ode_vdp_force, NULL, xs, &t_ms, c.dt, 1, T, NULL, x));
    force_result r = force_learn(&c, x, T, 1000, test_len);
    printf("    rate N %d, van der Pol: rms train %.4f, test (learning off) %.4f, untrained %.4f; %.1f s wall\n", c.n,
           r.train, r.test, r.untrained, r.seconds);
    ASSERT_LE(r.test, 0.02);
    ASSERT_LE(r.test, 0.2 * r.untrained);
    free(x);
}

TEST(force_rate_learns_sine)
{
    /* The rate network on the 5 Hz sine (period 20 tau): N 300, 1 s chaos, 5 s FORCE, 1 s test.
     * Measured test rms ~1e-3 to 1e-2 over seeds; bound 0.05 (untrained 0.707). */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_RATE);
    c.n = 300;
    c.t_min = 1000;
    c.t_crit = 6000;
    const long test_len = 1000, T = c.t_crit + test_len;
    elig_real *x = malloc((size_t)T * sizeof(elig_real));
    ASSERT_OK(elig_target_sine(c.dt, T, 5.0, 1.0, 0.0, x));
    force_result r = force_learn(&c, x, T, 1000, test_len);
    printf("    rate N %d, 5 Hz sine: rms train %.4f, test %.4f, untrained %.4f\n", c.n, r.train, r.test, r.untrained);
    ASSERT_LE(r.test, 0.05);
    free(x);
}

/* ---------------------------------------------------------------- other models */

/* A spiking reservoir with its model's reference parameters (elig_force_cfg_default) at N n
 * learns the 5 Hz sine: 1 s of chaos, `train_s` of FORCE, 1 s of test with learning off. */
static force_result spiking_sine(int model, int n, double train_s)
{
    elig_force_cfg c = elig_force_cfg_default(model);
    c.n = n;
    c.t_min = lround(1000.0 / c.dt);
    c.t_crit = c.t_min + lround(train_s * 1000.0 / c.dt);
    const long test_len = lround(1000.0 / c.dt), T = c.t_crit + test_len;
    elig_real *x = malloc((size_t)T * sizeof(elig_real));
    ASSERT_OK(elig_target_sine(c.dt, T, 5.0, 1.0, 0.0, x));
    force_result r = force_learn(&c, x, T, lround(1000.0 / c.dt), test_len);
    printf("    %s N %d, %.1f s training: rms train %.4f, test (learning off) %.4f, untrained %.4f; rate %.1f Hz; %.1f s wall\n",
           model == ELIG_FORCE_THETA ? "theta" : "Izhikevich", n, train_s, r.train, r.test, r.untrained, r.rate_hz, r.seconds);
    free(x);
    return r;
}

TEST_T(force_izhikevich_learns_5hz_sine, 300)
{
    /* IZFORCESINE.m's network (C 250 pF, k 2.5, v_r -60, v_t -19.2 mV, a 0.01, b -2, d 200,
     * bias 1000 pA, G 5e3, Q 5e3, dt 0.04 ms, P(0) = 2 I, RLS every 20 steps) at N 500 instead
     * of 2000, 2 s of FORCE instead of 5. Measured while sizing (f32, seeds 1-6): test rms
     * 0.065-0.21 (0.07 at N 1000), training 0.04-0.07, ~30 Hz mean rate; ~1 s of CPU.
     * Bound: test < 0.35 and < half the untrained 0.707 (x̂ = 0: the sine's rms). */
    force_result r = spiking_sine(ELIG_FORCE_IZHIKEVICH, 500, 2.0);
    ASSERT_LE(r.test, 0.35);
    ASSERT_LE(r.test, 0.5 * r.untrained);
    ASSERT_NEAR(r.untrained, sqrt(0.5), 1e-3);
    ASSERT_TRUE(r.rate_hz > 5 && r.rate_hz < 100);
}

TEST_T(force_theta_learns_5hz_sine, 600)
{
    /* The theta reservoir with Nicola & Clopath's theta parameters (G 15, Q 1e4, dt 0.01 ms,
     * tau 1 s time unit, P(0) = dt[s] I, RLS every 50 steps, balanced omega0) at N 500, 2 s of
     * FORCE. Measured while sizing (f32, seeds 1-4): test rms 0.06-0.13, ~22 Hz; at N 300 one
     * seed of three missed (0.41). ~6 s of CPU in f32 (dt 0.01 ms: 400 000 steps with a cosine
     * per neuron); under ASan about a minute. Bound as for Izhikevich. */
    force_result r = spiking_sine(ELIG_FORCE_THETA, 500, 2.0);
    ASSERT_LE(r.test, 0.35);
    ASSERT_LE(r.test, 0.5 * r.untrained);
    ASSERT_NEAR(r.untrained, sqrt(0.5), 1e-3);
    ASSERT_TRUE(r.rate_hz > 5 && r.rate_hz < 100);
}

TEST(force_omega0_follows_the_recipe)
{
    /* omega0 = G N(0,1) [rand < p] / (sqrt(N) p) with zero row means (LIF, balance on):
     * density p within 5 sigma, every row's nonzeros sum to 0 (float rounding), entry
     * variance G^2 / (N p^2) within 5%; the rate model uses g / sqrt(p N). Encoders in
     * [-Q, Q] with mean ~0. N 401 (odd), p 0.137. */
    for (int model = 0; model < 2; model++) {
        elig_force_cfg c = elig_force_cfg_default(model == 0 ? ELIG_FORCE_LIF : ELIG_FORCE_RATE);
        c.n = 401;
        c.p = 0.137;
        c.G = model == 0 ? 0.0431 : 1.37;
        c.k = 3;
        elig_force *F;
        ASSERT_OK(elig_force_create(&c, &F));
        const elig_real *w = elig_force_omega0(F);
        const int n = c.n;
        long nnz = 0;
        double ss = 0, worst_row = 0;
        for (int i = 0; i < n; i++) {
            double row = 0, rabs = 0;
            for (int j = 0; j < n; j++) {
                double v = (double)w[(size_t)j * n + i];
                if (v != 0) nnz++;
                row += v;
                rabs += fabs(v);
                ss += v * v;
            }
            if (model == 0) worst_row = fmax(worst_row, fabs(row) / rabs);
        }
        const double dens = nnz / ((double)n * n), sd = sqrt(c.p * (1 - c.p) / ((double)n * n));
        const double var = ss / nnz; /* per nonzero entry */
        const double want = model == 0 ? c.G * c.G / (n * c.p * c.p) : c.G * c.G / (c.p * n);
        printf("    %s: density %.4f (p %.3f), variance of nonzeros / expected %.4f, worst |row sum| / sum|row| %.2g\n",
               model == 0 ? "lif" : "rate", dens, c.p, var / want, worst_row);
        ASSERT_NEAR(dens, c.p, 5 * sd);
        ASSERT_NEAR(var / want, 1.0, 0.05);
        if (model == 0) ASSERT_LE(worst_row, TOL(1e-13, 1e-5));
        const elig_real *e = elig_force_encoders(F);
        double mean = 0, amax = 0;
        for (int i = 0; i < n * c.k; i++) {
            mean += e[i];
            amax = fmax(amax, fabs((double)e[i]));
        }
        ASSERT_LE(amax, c.Q);
        ASSERT_NEAR(mean / (n * c.k), 0.0, 0.1 * c.Q);
        elig_force_free(F);
    }
}

/* ---------------------------------------------------------------- contracts */

static void expect_invalid(const elig_force_cfg *c, const char *field)
{
    elig_force *F = (elig_force *)&F;
    int rc = elig_force_create(c, &F);
    if (rc != ELIG_EINVAL || F != NULL || !strstr(elig_last_error(), field))
        th_fail(__FILE__, __LINE__, "expected EINVAL naming '%s', got %s: '%s'", field, elig_status_name(rc), elig_last_error());
    ASSERT_EQ_INT(elig_force_bytes(c), 0);
}

TEST(force_invalid_configs_are_named)
{
    elig_force_cfg base = elig_force_cfg_default(ELIG_FORCE_LIF), c;
    base.n = 50;
#define BAD(stmt, field) do { c = base; stmt; expect_invalid(&c, field); } while (0)
    BAD(c.tau_d = 0, "tau_d");
    BAD(c.tau_d = -3.1, "tau_d");
    BAD(c.tau_r = -1, "tau_r");
    BAD(c.tau_m = -1, "tau_m");
    BAD(c.tau_m = NAN, "tau_m");
    BAD(c.dt = 0, "dt");
    BAD(c.t_crit = c.t_min, "t_crit");       /* empty training window */
    BAD(c.t_crit = c.t_min - 7, "t_crit");
    BAD(c.t_min = -1, "t_min");
    BAD(c.n = 0, "force.n");
    BAD(c.k = 0, "force.k");
    BAD(c.p = 0, "force.p");
    BAD(c.p = 1.5, "force.p");
    BAD(c.G = -0.1, "force.G");
    BAD(c.Q = INFINITY, "force.Q");
    BAD(c.alpha = 0, "alpha");
    BAD(c.rls_every = 0, "rls_every");
    BAD(c.gain = 7, "gain");
    BAD(c.model = 9, "model");
    BAD(c.v_peak = c.v_reset, "v_peak");
    BAD(c.t_ref = -2, "t_ref");
    BAD(c.rate_unit_ms = 0, "rate_unit_ms");
    BAD(c.v_init_hi = c.v_init_lo - 1, "v_init_hi");
    base = elig_force_cfg_default(ELIG_FORCE_IZHIKEVICH);
    base.n = 50;
    BAD(c.izh_C = 0, "izh_C");
    BAD(c.izh_a = NAN, "izh_a");
    base = elig_force_cfg_default(ELIG_FORCE_RATE);
    base.n = 50;
    BAD(c.tau_m = 0, "tau_m");
#undef BAD
    /* fields a model does not use are not checked: a rate network ignores tau_d */
    c = base;
    c.tau_d = -1;
    elig_force *F;
    ASSERT_OK(elig_force_create(&c, &F));
    /* a target of the wrong dimension is refused by the run driver */
    elig_real x[6] = {0};
    int rc = elig_force_run(F, x, 2, 3, 1, NULL);
    ASSERT_EQ_INT(rc, ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "force.k") != NULL);
    ASSERT_OK(elig_force_run(F, x, 1, 3, 1, NULL));
    elig_force_free(F);
    ASSERT_EQ_INT(elig_force_create(NULL, &F), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_force_create(&base, NULL), ELIG_EINVAL);
    elig_force_free(NULL);
}

TEST(force_bytes_and_mem_limit)
{
    /* bytes() is what create allocates; a limit one byte below refuses with ELIMIT. */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_IZHIKEVICH);
    c.n = 123;
    c.k = 5;
    size_t b = elig_force_bytes(&c);
    ASSERT_TRUE(b > (size_t)c.n * c.n * (sizeof(elig_real) + sizeof(double) / 2));
    c.mem_limit = b - 1;
    elig_force *F;
    ASSERT_EQ_INT(elig_force_create(&c, &F), ELIG_ELIMIT);
    ASSERT_TRUE(strstr(elig_last_error(), "mem_limit") != NULL);
    c.mem_limit = b;
    long before = th_alloc_count();
    ASSERT_OK(elig_force_create(&c, &F));
    ASSERT_EQ_INT(th_alloc_count() - before, 1); /* one block */
    elig_force_free(F);
}

TEST(force_step_allocates_nothing)
{
    /* LIF (event-driven path), rate (dense path), both gains; RLS steps included. */
    const int models[2] = {ELIG_FORCE_LIF, ELIG_FORCE_RATE};
    for (int q = 0; q < 2; q++) {
        elig_force_cfg c = elig_force_cfg_default(models[q]);
        c.n = 97;
        c.k = 2;
        c.gain = q;
        c.t_min = 10;
        c.t_crit = 1500;
        elig_force *F;
        ASSERT_OK(elig_force_create(&c, &F));
        elig_real x[2];
        long before = th_alloc_count();
        for (int s = 0; s < 2000; s++) {
            x[0] = (elig_real)sin(0.01 * s);
            x[1] = (elig_real)cos(0.013 * s);
            elig_force_step(F, x, 1);
        }
        ASSERT_EQ_INT(th_alloc_count() - before, 0);
        ASSERT_TRUE(elig_force_n_rls(F) > 0);
        elig_force_free(F);
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Hash of a run: x̂ every step, the spike lists, and the final decoders. */
static uint64_t force_hash(const elig_force_cfg *c, long T, int reset_first)
{
    elig_force *F;
    ASSERT_OK(elig_force_create(c, &F));
    if (reset_first) {
        for (long s = 0; s < 100; s++) elig_force_step(F, NULL, 0);
        elig_force_reset(F);
    }
    uint64_t h = 0xcbf29ce484222325ull;
    for (long s = 0; s < T; s++) {
        elig_real x = (elig_real)sin(0.0157 * s);
        elig_force_step(F, &x, 1);
        h = fnv(h, elig_force_output(F), sizeof(elig_real));
        int cnt;
        const int *sp = elig_force_spikes(F, &cnt);
        h = fnv(h, sp, (size_t)cnt * sizeof(int));
    }
    h = fnv(h, elig_force_decoders(F), (size_t)c->n * c->k * sizeof(double));
    elig_force_free(F);
    return h;
}

TEST(force_same_seed_bit_identical)
{
    /* Same seed -> bit-identical x̂, spikes and decoders; reset() replays from the start; a
     * different seed gives a different run. LIF, N 150, 4000 steps with RLS. */
    elig_force_cfg c = elig_force_cfg_default(ELIG_FORCE_LIF);
    c.n = 150;
    c.t_min = 500;
    c.t_crit = 3500;
    c.seed = 12345;
    uint64_t a = force_hash(&c, 4000, 0), b = force_hash(&c, 4000, 0), r = force_hash(&c, 4000, 1);
    c.seed = 12346;
    uint64_t d = force_hash(&c, 4000, 0);
    ASSERT_TRUE(a == b);
    ASSERT_TRUE(a == r);
    ASSERT_TRUE(a != d);
}

/* ---------------------------------------------------------------- ODE and targets */

TEST(ode_rk4_is_fourth_order)
{
    /* Integrate each system over a fixed horizon with h, h/2, h/4: the error against an h/64
     * solution must fall by ~16 per halving (fourth order); measured ratios 15-17, accepted
     * 12-20. Horizons keep Lorenz (chaotic) within its predictable window. */
    const elig_ode_system *sys[] = {&elig_ode_vdp_force, &elig_ode_lorenz_force, &elig_ode_vdp_follow,
                                    &elig_ode_lorenz_follow, &elig_ode_linosc_follow};
    const double horizon_ms[] = {300, 400, 500, 200, 500}, dt0[] = {0.5, 4, 2, 2, 2};
    for (size_t q = 0; q < sizeof sys / sizeof sys[0]; q++) {
        const elig_ode_system *s = sys[q];
        double xr[ELIG_ODE_MAX_DIM], err[3];
        double u[ELIG_ODE_MAX_DIM];
        for (int j = 0; j < s->n_u; j++) u[j] = 0.013 * (j + 1);
        elig_real uu[ELIG_ODE_MAX_DIM * 1];
        (void)uu;
        for (int lev = -1; lev < 3; lev++) {
            double x[ELIG_ODE_MAX_DIM];
            for (int j = 0; j < s->dim; j++) x[j] = s == &elig_ode_lorenz_follow ? (j == 2 ? -10.0 : 1.0 + j) : 0.05 + 0.01 * j;
            const int sub = lev < 0 ? 64 : (1 << lev);
            const double h = dt0[q] / sub * 1e-3; /* seconds */
            const long n = lround(horizon_ms[q] / dt0[q]) * sub;
            for (long i = 0; i < n; i++) elig_ode_rk4_step(s, NULL, i * h, h, s->n_u ? u : NULL, x);
            if (lev < 0) memcpy(xr, x, sizeof x);
            else {
                double e = 0;
                for (int j = 0; j < s->dim; j++) e = fmax(e, fabs(x[j] - xr[j]));
                err[lev] = e;
            }
        }
        printf("    %-14s errors %.2e %.2e %.2e, ratios %.1f %.1f\n", s->name, err[0], err[1], err[2], err[0] / err[1],
               err[1] / err[2]);
        ASSERT_TRUE(err[0] / err[1] > 12 && err[0] / err[1] < 20);
        ASSERT_TRUE(err[1] / err[2] > 12 && err[1] / err[2] < 20);
    }
}

TEST(ode_systems_match_their_equations)
{
    /* f at a high-entropy point against the equations written out here. */
    double x[3] = {0.137, -0.0713, 0.291}, u[3] = {0.021, -0.013, 0.007}, dx[3];
    elig_ode_vdp_force.f(0, x, u, elig_ode_vdp_force.params, dx);
    ASSERT_NEAR(dx[0], 20 * 5 * (x[0] - x[0] * x[0] * x[0] * 100.0 / 3 - x[1]), 1e-12);
    ASSERT_NEAR(dx[1], 20 * x[0] / 5, 1e-12);
    elig_ode_lorenz_force.f(0, x, u, elig_ode_lorenz_force.params, dx);
    ASSERT_NEAR(dx[0], 10 * (x[1] - x[0]), 1e-12);
    ASSERT_NEAR(dx[1], 28 * x[0] - 70 * x[0] * x[2] - x[1], 1e-12);
    ASSERT_NEAR(dx[2], 70 * x[0] * x[1] - 8.0 / 3 * x[2], 1e-12);
    elig_ode_vdp_follow.f(0, x, u, elig_ode_vdp_follow.params, dx);
    ASSERT_NEAR(dx[0], x[1] / 0.125 + u[0] / 0.02, 1e-12);
    ASSERT_NEAR(dx[1], (2 * (1 - x[0] * x[0]) * x[1] - x[0]) / 0.125 + u[1] / 0.02, 1e-12);
    elig_ode_lorenz_follow.f(0, x, u, elig_ode_lorenz_follow.params, dx);
    ASSERT_NEAR(dx[0], 10 * (x[1] - x[0]) + u[0] / 0.02, 1e-12);
    ASSERT_NEAR(dx[1], -x[0] * x[2] - x[1] + u[1] / 0.02, 1e-12);
    ASSERT_NEAR(dx[2], x[0] * x[1] - 8.0 / 3 * (x[2] + 28) + u[2] / 0.02, 1e-12);
    elig_ode_linosc_follow.f(0, x, u, elig_ode_linosc_follow.params, dx);
    ASSERT_NEAR(dx[0], (-0.2 * x[0] - x[1]) / 0.1 + u[0] / 0.02, 1e-12);
    ASSERT_NEAR(dx[1], (x[0] - 0.2 * x[1]) / 0.1 + u[1] / 0.02, 1e-12);
    ASSERT_TRUE(elig_ode_by_name("lorenz_force") == &elig_ode_lorenz_force);
    ASSERT_TRUE(elig_ode_by_name("nope") == NULL);
}

TEST(ode_sample_and_van_der_pol_limit_cycle)
{
    /* elig_ode_sample equals repeated RK4 steps; the FORCE van der Pol settles on a limit
     * cycle of period ~0.58 s (measured from upward zero crossings of x1 after a 15 s
     * transient) with |x1| peaking near 2/MD = 0.2; the linear oscillator decays at rate 2/s. */
    const double dt = 0.05;
    double x[2] = {0.1, 0.1}, y[2] = {0.1, 0.1}, t_ms = 0;
    elig_real out[200];
    ASSERT_OK(elig_ode_sample(&elig_ode_vdp_force, NULL, x, &t_ms, dt, 1, 100, NULL, out));
    for (int i = 0; i < 100; i++) {
        elig_ode_rk4_step(&elig_ode_vdp_force, NULL, i * dt * 1e-3, dt * 1e-3, NULL, y);
        ASSERT_TRUE(out[2 * i] == (elig_real)y[0] && out[2 * i + 1] == (elig_real)y[1]);
    }
    ASSERT_NEAR(t_ms, 5.0, 1e-12);
    ASSERT_OK(elig_ode_sample(&elig_ode_vdp_force, NULL, x, &t_ms, 1.0, 4, 15000, NULL, NULL));
    double prev = x[0], t_last = -1, periods = 0, first = -1, amax = 0;
    for (int i = 0; i < 5000; i++) {
        elig_ode_sample(&elig_ode_vdp_force, NULL, x, &t_ms, 1.0, 4, 1, NULL, NULL);
        amax = fmax(amax, fabs(x[0]));
        if (prev < 0 && x[0] >= 0) {
            if (first < 0) first = i;
            else periods++;
            t_last = i;
        }
        prev = x[0];
    }
    const double period = (t_last - first) / periods * 1e-3;
    printf("    van der Pol (FORCE form) period %.4f s, max |x1| %.4f\n", period, amax);
    ASSERT_NEAR(period, 0.58, 0.05);
    ASSERT_NEAR(amax, 0.2, 0.02);
    double z[2] = {1.0, 0.0};
    t_ms = 0;
    ASSERT_OK(elig_ode_sample(&elig_ode_linosc_follow, NULL, z, &t_ms, 1.0, 1, 1000, NULL, NULL));
    ASSERT_NEAR(sqrt(z[0] * z[0] + z[1] * z[1]), exp(-2.0), 1e-6);
    /* bad input */
    ASSERT_EQ_INT(elig_ode_sample(&elig_ode_vdp_force, NULL, x, NULL, 0.0, 1, 10, NULL, NULL), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "dt") != NULL);
    ASSERT_EQ_INT(elig_ode_sample(&elig_ode_vdp_force, NULL, x, NULL, 1.0, 0, 10, NULL, NULL), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "substeps") != NULL);
}

TEST(targets_are_sampled_as_stated)
{
    /* sine at t_i = (i+1) dt; sum of sines; Ode to Joy: melody E E F G G F E D C C D E E D D(half)
     * on channels C0 D1 E2 F3 G4, 250 ms slots, half-sine bumps peaking at 1 mid-note, one
     * channel active at a time, period 4 s. */
    const double dt = 0.25;
    elig_real s[40];
    ASSERT_OK(elig_target_sine(dt, 40, 5.0, 1.5, 0.3, s));
    for (int i = 0; i < 40; i++) ASSERT_NEAR(s[i], 1.5 * sin(2 * PI_ * 5.0 * (i + 1) * dt * 1e-3 + 0.3), TOL(1e-14, 1e-6));
    const double amp[3] = {1.0, 0.5, 0.25}, fr[3] = {1.0, 2.0, 4.0};
    ASSERT_OK(elig_target_sines(dt, 40, 3, amp, fr, NULL, s));
    for (int i = 0; i < 40; i++) {
        double t = (i + 1) * dt * 1e-3;
        ASSERT_NEAR(s[i], sin(2 * PI_ * t) + 0.5 * sin(4 * PI_ * t) + 0.25 * sin(8 * PI_ * t), TOL(1e-14, 1e-6));
    }
    ASSERT_EQ_INT(elig_target_sine(0, 4, 5, 1, 0, s), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_target_sines(dt, 4, 0, amp, fr, NULL, s), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "n_terms") != NULL);

    const long T = 16000; /* two periods at dt 0.5 ms */
    elig_real *o = malloc((size_t)T * 5 * sizeof(elig_real));
    ASSERT_OK(elig_target_ode_to_joy(0.5, T, o));
    const int melody[16] = {2, 2, 3, 4, 4, 3, 2, 1, 0, 0, 1, 2, 2, 1, 1, 1};
    for (int slot = 0; slot < 16; slot++) {
        long mid = lround((slot * 250.0 + 125.0) / 0.5) - 1; /* sample at t = (i+1) dt */
        int active = -1, n_active = 0;
        for (int ch = 0; ch < 5; ch++)
            if (o[mid * 5 + ch] > 0.01) {
                active = ch;
                n_active++;
            }
        ASSERT_EQ_INT(n_active, 1);
        ASSERT_EQ_INT(active, melody[slot]);
        if (slot < 14) ASSERT_NEAR(o[mid * 5 + active], 1.0, 1e-4); /* quarter notes peak mid-slot */
    }
    /* the half note: one bump over slots 14-15, peak at their boundary */
    ASSERT_NEAR(o[(lround(3750.0 / 0.5) - 1) * 5 + 1], 1.0, 1e-4);
    for (long i = 0; i < 8000; i++)
        for (int ch = 0; ch < 5; ch++) ASSERT_TRUE(o[i * 5 + ch] == o[(i + 8000) * 5 + ch]);
    free(o);

    /* HDTS: m = 8 channels tiling a 1000 ms period written into rows of stride 10 (columns 8
     * and 9 untouched): one channel active at a time, channel j = sin(pi s / 125 ms) during
     * [125 j, 125 (j + 1)) ms of each period, peak 1 mid-segment; periodic. */
    const long Th = 4000; /* two periods at dt 0.5 ms */
    elig_real *h = malloc((size_t)Th * 10 * sizeof(elig_real));
    for (long i = 0; i < Th * 10; i++) h[i] = -7;
    ASSERT_OK(elig_target_hdts(0.5, Th, 1000.0, 8, 10, h));
    for (long i = 0; i < Th; i++) {
        const double t = fmod((i + 1) * 0.5, 1000.0);
        const int j = (int)(t / 125.0);
        for (int c = 0; c < 8; c++) ASSERT_NEAR(h[i * 10 + c], c == j ? sin(PI_ * (t - 125.0 * j) / 125.0) : 0.0, TOL(1e-12, 1e-6));
        ASSERT_TRUE(h[i * 10 + 8] == -7 && h[i * 10 + 9] == -7);
        if (i < 2000) ASSERT_TRUE(memcmp(h + i * 10, h + (i + 2000) * 10, 8 * sizeof(elig_real)) == 0);
    }
    ASSERT_NEAR(h[(lround(62.5 / 0.5) - 1) * 10 + 0], 1.0, 1e-9);
    ASSERT_EQ_INT(elig_target_hdts(0.5, 4, 1000.0, 8, 7, h), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "stride") != NULL);
    ASSERT_EQ_INT(elig_target_hdts(0.5, 4, 0.0, 8, 8, h), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "period_ms") != NULL);
    ASSERT_EQ_INT(elig_target_hdts(0.5, 4, 1000.0, 0, 8, h), ELIG_EINVAL);
    free(h);
}
