/* test_task.c -- task generators (src/task.c): the e-prop pattern-generation and evidence-
 * accumulation tasks checked against their specification (algorithms.md §3.1, datasets.md §1),
 * the periodic (RFLO, §3.3), spike-timing (SuperSpike, §3.5) and copy (SnAp, §3.6) tasks, the
 * array task, validation of every field, and elig_count_correct on a hand-made example.
 *
 * Statistical bounds are 5 standard deviations of a binomial count: with fixed seeds the
 * outcome is deterministic anyway, the bound only has to hold for a sound generator. */
#include "harness.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

/* |count - n p| <= 5 sqrt(n p (1 - p)) */
static void assert_binomial(double count, double n, double p)
{
    double sd = sqrt(n * p * (1 - p));
    if (!(fabs(count - n * p) <= 5 * sd))
        th_fail(__FILE__, __LINE__, "count %.0f of %.0f draws, expected %.1f +- 5 x %.1f (p = %g)", count, n, n * p, sd, p);
}

static elig_real *alloc_real(size_t n)
{
    elig_real *p = malloc(n * sizeof *p);
    ASSERT_TRUE(p != NULL);
    return p;
}

/* ---------------------------------------------------------------- pattern generation */

TEST(pattern_shape_and_frozen)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int T = elig_task_steps(t), n_in = elig_task_n_in(t), n_out = elig_task_n_out(t);
    ASSERT_EQ_INT(T, 1000);
    ASSERT_EQ_INT(n_in, 100);
    ASSERT_EQ_INT(n_out, 1);
    ASSERT_EQ_INT(elig_task_is_classification(t), 0);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_mse);
    ASSERT_EQ_INT(lc.win_begin, 0);
    ASSERT_EQ_INT(lc.win_end, 0);
    ASSERT_EQ_INT(lc.time_norm, ELIG_TIME_SUM);
    const size_t xs = (size_t)T * n_in, ys = (size_t)T * n_out;
    elig_real *x1 = alloc_real(2 * xs), *y1 = alloc_real(2 * ys), *x2 = alloc_real(2 * xs), *y2 = alloc_real(2 * ys);
    int32_t lab[2] = {5, 5};
    ASSERT_OK(elig_task_sample(t, 2, x1, y1, lab));
    ASSERT_EQ_INT(lab[0], -1); /* regression: no class */
    ASSERT_OK(elig_task_sample(t, 2, x2, y2, NULL));
    /* Frozen: every sample and every batch element is the same sequence. */
    ASSERT_TRUE(memcmp(x1, x2, 2 * xs * sizeof *x1) == 0);
    ASSERT_TRUE(memcmp(y1, y2, 2 * ys * sizeof *y1) == 0);
    ASSERT_TRUE(memcmp(x1, x1 + xs, xs * sizeof *x1) == 0);
    ASSERT_TRUE(memcmp(y1, y1 + ys, ys * sizeof *y1) == 0);
    /* A second task with the same seed draws the same frozen data. */
    elig_task *t2;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(x1, x2, xs * sizeof *x1) == 0);
    ASSERT_TRUE(memcmp(y1, y2, ys * sizeof *y1) == 0);
    elig_task_free(t2);
    /* Another seed: other inputs and another target. */
    c.seed = 2;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(x1, x2, xs * sizeof *x1) != 0);
    ASSERT_TRUE(memcmp(y1, y2, ys * sizeof *y1) != 0);
    elig_task_free(t2);
    elig_task_free(t);
    free(x1); free(y1); free(x2); free(y2);
}

TEST(pattern_input_rate)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    c.seed = 17;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const size_t n = (size_t)elig_task_steps(t) * elig_task_n_in(t);
    elig_real *x = alloc_real(n), *y = alloc_real((size_t)elig_task_steps(t));
    ASSERT_OK(elig_task_sample(t, 1, x, y, NULL));
    double count = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT_TRUE(x[i] == 0 || x[i] == 1);
        count += x[i];
    }
    /* 100 000 draws at p = 50 Hz x 1 ms: 5000 +- 345 spikes, i.e. 50 +- 3.4 Hz. */
    assert_binomial(count, (double)n, 0.05);
    double rate_hz = count / ((double)n * c.dt / 1000.0);
    ASSERT_NEAR(rate_hz, 50.0, 3.5);
    /* Every channel fires (50 expected spikes each; P(0) = 0.95^1000 ~ 5e-23). */
    for (int i = 0; i < elig_task_n_in(t); i++) {
        double ci = 0;
        for (int s = 0; s < elig_task_steps(t); s++) ci += x[(size_t)s * elig_task_n_in(t) + i];
        ASSERT_GE(ci, 1);
    }
    elig_task_free(t);
    free(x); free(y);
}

TEST(pattern_target_normalised)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    c.pg_n_out = 3;
    c.pg_n_in = 7;
    c.seed = 12345;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int T = elig_task_steps(t), K = elig_task_n_out(t);
    ASSERT_EQ_INT(K, 3);
    elig_real *x = alloc_real((size_t)T * 7), *y = alloc_real((size_t)T * K);
    ASSERT_OK(elig_task_sample(t, 1, x, y, NULL));
    for (int k = 0; k < K; k++) {
        double mx = 0;
        for (int s = 0; s < T; s++) mx = fmax(mx, fabs((double)y[(size_t)s * K + k]));
        ASSERT_TRUE(y[k] == 0);          /* value at t = 0 subtracted exactly        */
        ASSERT_TRUE(mx == 1);            /* divided by max(|min|, |max|): exactly 1   */
        /* Each component runs a whole number of cycles (1, 2, 3, 5 over 1000 steps), so the
         * last value equals the first up to sin's rounding and the cast to elig_real. */
        ASSERT_NEAR(y[(size_t)(T - 1) * K + k], 0.0, TOL(1e-12, 1e-6));
    }
    /* The three outputs are different draws. */
    ASSERT_TRUE(y[(size_t)100 * K] != y[(size_t)100 * K + 1]);
    elig_task_free(t);
    free(x); free(y);
}

/* Independent reconstruction of the targets from the specification, with the draws taken in
 * the documented order (first thing from the seed; per output: 4 amplitudes, then 4 phases). */
static void check_target_spec(uint64_t seed, int T, double dt, int n_out)
{
    const double two_pi = 6.283185307179586, P[4] = {1000, 500, 333, 200};
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    c.seed = seed;
    c.pg_steps = T;
    c.dt = dt;
    c.pg_n_in = 3;
    c.pg_n_out = n_out;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    elig_real *x = alloc_real((size_t)T * 3), *y = alloc_real((size_t)T * n_out);
    double *ref = malloc((size_t)T * sizeof *ref);
    ASSERT_OK(elig_task_sample(t, 1, x, y, NULL));
    elig_rng r;
    elig_rng_seed(&r, seed);
    for (int o = 0; o < n_out; o++) {
        double a[4], ph[4];
        for (int k = 0; k < 4; k++) a[k] = 0.5 + 1.5 * elig_rng_uniform(&r);
        for (int k = 0; k < 4; k++) ph[k] = two_pi * elig_rng_uniform(&r);
        for (int s = 0; s < T; s++) {
            ref[s] = 0;
            for (int k = 0; k < 4; k++) { /* numpy: sin(linspace(phi, phi + 2 pi (T // P), T)) */
                double lo = ph[k], hi = ph[k] + two_pi * floor(T / (P[k] / dt));
                ref[s] += a[k] * sin(T > 1 ? lo + (hi - lo) * s / (T - 1) : lo);
            }
        }
        double r0 = ref[0], mn = 1e300, mx = -1e300;
        for (int s = 0; s < T; s++) {
            ref[s] -= r0;
            mn = fmin(mn, ref[s]);
            mx = fmax(mx, ref[s]);
        }
        double scale = fmax(fabs(mn), fabs(mx));
        /* Same formula up to the order of two roundings in the phase: 1e-12 in double; in
         * float the cast of values in [-1, 1] (half an ulp, 6e-8) dominates. */
        for (int s = 0; s < T; s++) ASSERT_NEAR(y[(size_t)s * n_out + o], ref[s] / scale, TOL(1e-12, 1e-7));
    }
    elig_task_free(t);
    free(x); free(y); free(ref);
}

TEST(pattern_target_matches_spec)
{
    check_target_spec(99, 1000, 1.0, 1);   /* the tutorial: cycles 1, 2, 3, 5 */
    check_target_spec(7, 731, 0.5, 2);     /* periods 2000, 1000, 666, 400 steps: cycles 0, 0, 1, 1 */
}

/* ---------------------------------------------------------------- evidence accumulation */

#define EA_T 2250
#define EA_IN 40

/* Cue windows of the default task in steps (dt = 1): [50 + 150 c, 150 + 150 c). */
static int cue_begin(int c) { return 50 + 150 * c; }
static int cue_end(int c) { return 150 + 150 * c; }

static double count_spikes(const elig_real *x, int s0, int s1, int ch0, int nch)
{
    double n = 0;
    for (int s = s0; s < s1; s++)
        for (int i = ch0; i < ch0 + nch; i++) n += x[(size_t)s * EA_IN + i];
    return n;
}

TEST(evidence_shape_and_loss)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), EA_T);
    ASSERT_EQ_INT(elig_task_n_in(t), EA_IN);
    ASSERT_EQ_INT(elig_task_n_out(t), 2);
    ASSERT_EQ_INT(elig_task_is_classification(t), 1);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_ce);
    ASSERT_EQ_INT(lc.win_begin, -150);
    ASSERT_EQ_INT(lc.win_end, 0);
    ASSERT_EQ_INT(lc.time_norm, ELIG_TIME_MEAN);
    elig_task_free(t);
    /* Durations convert with dt: 0.5 ms steps double every length. */
    c.dt = 0.5;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), 2 * EA_T);
    ASSERT_EQ_INT(elig_task_loss(t).win_begin, -300);
    elig_task_free(t);
    /* Odd sizes: 5 cues of 30 ms with 20 ms gaps, 200 ms delay, 70 ms recall, 3 per group. */
    c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.ea_n_cues = 5; c.ea_cue_ms = 30; c.ea_gap_ms = 20; c.ea_delay_ms = 200; c.ea_recall_ms = 70; c.ea_group = 3;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), 5 * 50 + 200 + 70);
    ASSERT_EQ_INT(elig_task_n_in(t), 12);
    ASSERT_EQ_INT(elig_task_loss(t).win_begin, -70);
    elig_task_free(t);
}

/* Recount every sequence from its spikes: which cue group fired in each cue window, nothing
 * from the cue groups outside them, the recall group only in the last 150 ms, and the label and
 * target agree with the majority of right cues. */
TEST(evidence_labels_from_spikes)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.seed = 4242;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int B = 24;
    elig_real *x = alloc_real((size_t)B * EA_T * EA_IN), *y = alloc_real((size_t)B * EA_T * 2);
    int32_t lab[24];
    ASSERT_OK(elig_task_sample(t, B, x, y, lab));
    int seen[2] = {0, 0};
    for (int b = 0; b < B; b++) {
        const elig_real *xb = x + (size_t)b * EA_T * EA_IN, *yb = y + (size_t)b * EA_T * 2;
        int n_right = 0;
        double in_cues[2] = {0, 0};
        for (int k = 0; k < 7; k++) {
            double left = count_spikes(xb, cue_begin(k), cue_end(k), 0, 10);
            double right = count_spikes(xb, cue_begin(k), cue_end(k), 10, 10);
            /* exactly one side fired (40 expected spikes; P(0) = 0.96^1000 ~ 2e-18) */
            if (!((left > 0) ^ (right > 0)))
                th_fail(__FILE__, __LINE__, "seq %d cue %d: left %g right %g spikes", b, k, left, right);
            n_right += right > 0;
            in_cues[0] += left;
            in_cues[1] += right;
        }
        ASSERT_TRUE(count_spikes(xb, 0, EA_T, 0, 10) == in_cues[0]);  /* silent outside the cues */
        ASSERT_TRUE(count_spikes(xb, 0, EA_T, 10, 10) == in_cues[1]);
        ASSERT_TRUE(count_spikes(xb, 0, EA_T - 150, 20, 10) == 0);     /* recall only at the end */
        ASSERT_GE(count_spikes(xb, EA_T - 150, EA_T, 20, 10), 1);
        ASSERT_GE(count_spikes(xb, 0, EA_T, 30, 10), 1);               /* background throughout */
        int label = n_right > 3;
        ASSERT_EQ_INT(lab[b], label);
        seen[label]++;
        for (int s = 0; s < EA_T; s++) {
            int in_recall = s >= EA_T - 150;
            ASSERT_TRUE(yb[2 * s + label] == (in_recall ? 1 : 0));
            ASSERT_TRUE(yb[2 * s + 1 - label] == 0);
        }
        for (size_t i = 0; i < (size_t)EA_T * EA_IN; i++) ASSERT_TRUE(xb[i] == 0 || xb[i] == 1);
    }
    ASSERT_GE(seen[0], 1);
    ASSERT_GE(seen[1], 1);
    elig_task_free(t);
    free(x); free(y);
}

TEST(evidence_rates)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.seed = 77;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int B = 16;
    elig_real *x = alloc_real((size_t)B * EA_T * EA_IN);
    ASSERT_OK(elig_task_sample(t, B, x, NULL, NULL));
    double bg = 0, cue = 0, recall = 0;
    for (int b = 0; b < B; b++) {
        const elig_real *xb = x + (size_t)b * EA_T * EA_IN;
        bg += count_spikes(xb, 0, EA_T, 30, 10);
        recall += count_spikes(xb, EA_T - 150, EA_T, 20, 10);
        for (int k = 0; k < 7; k++) cue += count_spikes(xb, cue_begin(k), cue_end(k), 0, 20); /* only one side fires */
    }
    assert_binomial(bg, (double)B * EA_T * 10, 10.0 / 1000);
    assert_binomial(cue, (double)B * 7 * 100 * 10, 40.0 / 1000);
    assert_binomial(recall, (double)B * 150 * 10, 40.0 / 1000);
    elig_task_free(t);
    free(x);
}

TEST(evidence_labels_balanced)
{
    enum { G = 4, IN = 4 * G }; /* small groups keep the arrays small; a silent cue has P = 0.96^400 ~ 1e-7 */
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.seed = 2024;
    c.ea_group = G;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int B = 50, rounds = 40;
    elig_real *x = alloc_real((size_t)B * EA_T * IN);
    int32_t lab[50];
    double ones = 0, right_cues = 0, majority_cues = 0;
    for (int r = 0; r < rounds; r++) {
        ASSERT_OK(elig_task_sample(t, B, x, NULL, lab));
        for (int b = 0; b < B; b++) {
            ones += lab[b];
            const elig_real *xb = x + (size_t)b * EA_T * IN;
            int nr = 0;
            for (int k = 0; k < 7; k++) {
                double l = 0, rr = 0;
                for (int s = cue_begin(k); s < cue_end(k); s++)
                    for (int i = 0; i < G; i++) { l += xb[s * IN + i]; rr += xb[s * IN + G + i]; }
                ASSERT_TRUE((l > 0) != (rr > 0));
                nr += rr > 0;
            }
            ASSERT_EQ_INT(lab[b], nr > 3);
            right_cues += nr;
            majority_cues += lab[b] ? nr : 7 - nr;
        }
    }
    double n = (double)B * rounds;
    assert_binomial(ones, n, 0.5);             /* 1000 +- 5 x 22 of 2000 */
    assert_binomial(right_cues, 7 * n, 0.5);   /* the coin makes both sides equally likely */
    /* Share of cues on the label's side: E[max(X, 7 - X)] / 7 = 0.7274 for X ~ Bin(7, 0.7)
     * (0.6563 for fair cues), standard error 0.0030 over 2000 trials: 5 of them. */
    ASSERT_NEAR(majority_cues / (7 * n), 0.7274, 0.015);
    elig_task_free(t);
    free(x);
}

TEST(same_seed_same_samples)
{
    for (int kind = ELIG_TASK_PATTERN; kind <= ELIG_TASK_EVIDENCE; kind++) {
        elig_task_cfg c = elig_task_cfg_default(kind);
        c.seed = 31337;
        elig_task *a, *b, *d;
        ASSERT_OK(elig_task_create(&c, &a));
        ASSERT_OK(elig_task_create(&c, &b));
        c.seed = 31338;
        ASSERT_OK(elig_task_create(&c, &d));
        const size_t xs = (size_t)elig_task_steps(a) * elig_task_n_in(a), ys = (size_t)elig_task_steps(a) * elig_task_n_out(a);
        const int B = 3;
        elig_real *xa = alloc_real(B * xs), *ya = alloc_real(B * ys), *xb = alloc_real(B * xs), *yb = alloc_real(B * ys);
        int32_t la[3], lb[3];
        for (int r = 0; r < 3; r++) {
            ASSERT_OK(elig_task_sample(a, B, xa, ya, la));
            ASSERT_OK(elig_task_sample(b, B, xb, yb, lb));
            ASSERT_TRUE(memcmp(xa, xb, B * xs * sizeof *xa) == 0);
            ASSERT_TRUE(memcmp(ya, yb, B * ys * sizeof *ya) == 0);
            ASSERT_TRUE(memcmp(la, lb, sizeof la) == 0);
            ASSERT_OK(elig_task_sample(d, B, xb, yb, lb));
            ASSERT_TRUE(memcmp(xa, xb, B * xs * sizeof *xa) != 0);
            if (kind == ELIG_TASK_EVIDENCE) /* successive batches are new trials */
                ASSERT_TRUE(memcmp(xa, xa + xs, xs * sizeof *xa) != 0);
        }
        elig_task_free(a); elig_task_free(b); elig_task_free(d);
        free(xa); free(ya); free(xb); free(yb);
    }
}

TEST(sample_allocates_nothing)
{
    for (int kind = ELIG_TASK_PATTERN; kind <= ELIG_TASK_EVIDENCE; kind++) {
        elig_task_cfg c = elig_task_cfg_default(kind);
        elig_task *t;
        ASSERT_OK(elig_task_create(&c, &t));
        const size_t xs = (size_t)elig_task_steps(t) * elig_task_n_in(t), ys = (size_t)elig_task_steps(t) * elig_task_n_out(t);
        elig_real *x = alloc_real(2 * xs), *y = alloc_real(2 * ys);
        int32_t lab[2];
        long before = th_alloc_count();
        for (int r = 0; r < 5; r++) ASSERT_OK(elig_task_sample(t, 2, x, y, lab));
        ASSERT_EQ_INT(th_alloc_count(), before);
        elig_task_free(t);
        free(x); free(y);
    }
}

/* ---------------------------------------------------------------- periodic output (RFLO) */

/* Values of y*(t) = sin(2 pi t/P) + 0.5 sin(4 pi t/P) + 0.25 sin(8 pi t/P) worked out by hand
 * with sin(pi/5) = sqrt(10 - 2 sqrt 5)/4, sin(2 pi/5) = sqrt(10 + 2 sqrt 5)/4, so the test
 * does not share the implementation's sin calls. Tolerance: the implementation evaluates
 * sin at 2 pi (t mod P)/P (a few ulps of a double), then rounds to elig_real (half an ulp of
 * a value <= 1.75: 1.2e-7 in float). */
TEST(periodic_target_formula)
{
    const double s1 = sqrt(10 - 2 * sqrt(5.0)) / 4, s2 = sqrt(10 + 2 * sqrt(5.0)) / 4; /* sin(pi/5), sin(2 pi/5) */
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_PERIODIC);
    ASSERT_EQ_INT(c.pe_period, 100);
    ASSERT_EQ_INT(c.pe_steps, 100);
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), 100);
    ASSERT_EQ_INT(elig_task_max_steps(t), 100);
    ASSERT_EQ_INT(elig_task_n_in(t), 1);
    ASSERT_EQ_INT(elig_task_n_out(t), 1);
    ASSERT_EQ_INT(elig_task_is_classification(t), 0);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_mse);
    ASSERT_EQ_INT(lc.win_begin, 0);
    ASSERT_EQ_INT(lc.win_end, 0);
    ASSERT_EQ_INT(lc.time_norm, ELIG_TIME_SUM);
    elig_real x[2 * 100], y[2 * 100];
    int32_t lab[2] = {7, 7};
    for (int i = 0; i < 200; i++) x[i] = (elig_real)3.5; /* must be overwritten with 0 */
    ASSERT_OK(elig_task_sample(t, 2, x, y, lab));
    ASSERT_EQ_INT(lab[0], -1);
    ASSERT_EQ_INT(lab[1], -1);
    for (int i = 0; i < 200; i++) ASSERT_TRUE(x[i] == 0); /* no input */
    const double tol = TOL(1e-13, 1.5e-7);
    ASSERT_NEAR(y[0], 0.0, tol);                       /* t = 0  */
    ASSERT_NEAR(y[10], 1.25 * s1 + 0.5 * s2, tol);     /* sin(pi/5) + .5 sin(2pi/5) + .25 sin(4pi/5) */
    ASSERT_NEAR(y[20], 0.75 * s2 + 0.5 * s1, tol);     /* sin(2pi/5) + .5 sin(4pi/5) + .25 sin(8pi/5) */
    ASSERT_NEAR(y[25], 1.0, tol);                      /* sin(pi/2) + .5 sin(pi) + .25 sin(2pi)     */
    ASSERT_NEAR(y[50], 0.0, tol);                      /* sin(pi) + .5 sin(2pi) + .25 sin(4pi)      */
    ASSERT_NEAR(y[75], -1.0, tol);                     /* sin(3pi/2) + .5 sin(3pi) + .25 sin(6pi)   */
    ASSERT_NEAR(y[90], -(1.25 * s1 + 0.5 * s2), tol);  /* odd: y(P - t) = -y(t)                   */
    ASSERT_TRUE(memcmp(y, y + 100, 100 * sizeof *y) == 0); /* frozen across the batch */
    elig_real y2[100];
    ASSERT_OK(elig_task_sample(t, 1, x, y2, NULL));
    ASSERT_TRUE(memcmp(y, y2, sizeof y2) == 0);            /* and across samples     */
    elig_task_free(t);
    /* The seed is not used: the task is deterministic. */
    c.seed = 987654321;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_OK(elig_task_sample(t, 1, x, y2, NULL));
    ASSERT_TRUE(memcmp(y, y2, sizeof y2) == 0);
    elig_task_free(t);
    /* Period 24 over 2.5 periods: y(2) = sin(pi/6) + .5 sin(pi/3) + .25 sin(2pi/3)
     * = 1/2 + (3/8) sqrt 3; y(6) = 1; every period bit-identical (evaluated at t mod P). */
    c = elig_task_cfg_default(ELIG_TASK_PERIODIC);
    c.pe_period = 24;
    c.pe_steps = 60;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), 60);
    elig_real x3[60], y3[60];
    ASSERT_OK(elig_task_sample(t, 1, x3, y3, NULL));
    ASSERT_NEAR(y3[2], 0.5 + 0.375 * sqrt(3.0), tol);
    ASSERT_NEAR(y3[6], 1.0, tol);
    ASSERT_NEAR(y3[12], 0.0, tol);
    for (int s = 0; s + 24 < 60; s++) ASSERT_TRUE(y3[s + 24] == y3[s]);
    elig_task_free(t);
}

/* ---------------------------------------------------------------- spike timing (SuperSpike) */

/* Target times of output o read off the target train y (T, n_out). */
static int times_of(const elig_real *y, int T, int n_out, int o, int *times, int max)
{
    int n = 0;
    for (int s = 0; s < T; s++) {
        ASSERT_TRUE(y[(size_t)s * n_out + o] == 0 || y[(size_t)s * n_out + o] == 1);
        if (y[(size_t)s * n_out + o] == 1) {
            if (n < max) times[n] = s;
            n++;
        }
    }
    return n;
}

TEST(spike_timing_targets)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_SPIKE_TIMING);
    ASSERT_EQ_INT(c.st_n_in, 100);
    ASSERT_EQ_INT(c.st_n_out, 1);
    ASSERT_EQ_INT(c.st_steps, 500);
    ASSERT_NEAR(c.st_rate_hz, 10.0, 0);
    ASSERT_EQ_INT(c.st_n_spikes, 5);
    ASSERT_EQ_INT(c.st_min_gap, 20);
    c.st_n_out = 3;
    c.st_n_in = 13;
    elig_task *t;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        c.seed = seed * 7919;
        ASSERT_OK(elig_task_create(&c, &t));
        const int T = elig_task_steps(t);
        ASSERT_EQ_INT(T, 500);
        ASSERT_EQ_INT(elig_task_n_in(t), 13);
        ASSERT_EQ_INT(elig_task_n_out(t), 3);
        elig_real *x = alloc_real((size_t)T * 13), *y = alloc_real((size_t)T * 3);
        ASSERT_OK(elig_task_sample(t, 1, x, y, NULL));
        int tm[3][8];
        for (int o = 0; o < 3; o++) {
            ASSERT_EQ_INT(times_of(y, T, 3, o, tm[o], 8), 5);  /* exactly n_spikes */
            ASSERT_GE(tm[o][0], 20);                            /* the first 20 steps are free */
            for (int k = 1; k < 5; k++) ASSERT_GE(tm[o][k] - tm[o][k - 1], 20); /* min gap */
            ASSERT_LE(tm[o][4], T - 1);
        }
        ASSERT_TRUE(memcmp(tm[0], tm[1], 5 * sizeof(int)) != 0); /* outputs drawn separately */
        /* elig_task_target_spikes reports output 0; max caps what it writes, not the count. */
        int32_t ts[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
        ASSERT_EQ_INT(elig_task_target_spikes(t, ts, 8), 5);
        for (int k = 0; k < 5; k++) ASSERT_EQ_INT(ts[k], tm[0][k]);
        ASSERT_EQ_INT(ts[5], -1);
        int32_t two[3] = {-1, -1, -1};
        ASSERT_EQ_INT(elig_task_target_spikes(t, two, 2), 5);
        ASSERT_EQ_INT(two[0], tm[0][0]);
        ASSERT_EQ_INT(two[1], tm[0][1]);
        ASSERT_EQ_INT(two[2], -1);
        ASSERT_EQ_INT(elig_task_target_spikes(t, NULL, 0), 5);
        ASSERT_EQ_INT(elig_task_target_spikes(t, NULL, 3), ELIG_EINVAL);
        ASSERT_EQ_INT(elig_task_target_spikes(t, ts, -1), ELIG_EINVAL);
        elig_task_free(t);
        free(x); free(y);
    }
    /* Tight fit, st_steps = n g + 1: the only valid set is g, 2g, ..., n g. */
    c = elig_task_cfg_default(ELIG_TASK_SPIKE_TIMING);
    c.st_n_spikes = 3;
    c.st_min_gap = 7;
    c.st_steps = 22;
    ASSERT_OK(elig_task_create(&c, &t));
    int32_t ts[3];
    ASSERT_EQ_INT(elig_task_target_spikes(t, ts, 3), 3);
    ASSERT_EQ_INT(ts[0], 7);
    ASSERT_EQ_INT(ts[1], 14);
    ASSERT_EQ_INT(ts[2], 21);
    elig_task_free(t);
    /* Only the spike-timing task has target spikes. */
    c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_target_spikes(t, ts, 3), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "task.kind") != NULL);
    elig_task_free(t);
    ASSERT_EQ_INT(elig_task_target_spikes(NULL, ts, 3), ELIG_EINVAL);
}

/* The times are uniform over all valid sets. For n = 5, g = 20, T = 500 the sets map to the
 * 5-subsets {v_k} of [0, N), N = T - 1 - n g + n = 404, with t_k = v_k + (k - 1)(g - 1) + g.
 * E[v_k] = k (N + 1)/(n + 1) - 1, so E[t_1] = 66.5 + 20 = 86.5, E[t_3] = 201.5 + 38 + 20 =
 * 259.5 (the middle: the law is symmetric under t -> T - 1 + g - t), E[t_5] = 336.5 + 76 + 20
 * = 432.5. sd(v_k) = sqrt(k (n-k+1) (N+1) (N-n) / ((n+1)^2 (n+2))) = 56.6 (k = 1, 5), 76.0
 * (k = 3); over 400 seeds the standard errors are 2.8 and 3.8: bounds of 5 of them. */
TEST(spike_timing_times_uniform)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_SPIKE_TIMING);
    c.st_n_in = 1; /* the targets are drawn before the inputs and do not depend on them */
    const int S = 400;
    double sum[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < S; i++) {
        c.seed = 1000 + (uint64_t)i;
        elig_task *t;
        ASSERT_OK(elig_task_create(&c, &t));
        int32_t ts[5];
        ASSERT_EQ_INT(elig_task_target_spikes(t, ts, 5), 5);
        for (int k = 0; k < 5; k++) sum[k] += ts[k];
        elig_task_free(t);
    }
    ASSERT_NEAR(sum[0] / S, 86.5, 5 * 2.83);
    ASSERT_NEAR(sum[2] / S, 259.5, 5 * 3.80);
    ASSERT_NEAR(sum[4] / S, 432.5, 5 * 2.83);
}

TEST(spike_timing_input_rate_and_frozen)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_SPIKE_TIMING);
    c.seed = 2718;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int T = elig_task_steps(t), I = elig_task_n_in(t);
    ASSERT_EQ_INT(I, 100);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_mse);
    ASSERT_EQ_INT(lc.win_begin, 0);
    ASSERT_EQ_INT(lc.win_end, 0);
    ASSERT_EQ_INT(lc.time_norm, ELIG_TIME_SUM);
    ASSERT_EQ_INT(elig_task_is_classification(t), 0);
    const size_t xs = (size_t)T * I;
    elig_real *x = alloc_real(2 * xs), *y = alloc_real(2 * (size_t)T), *x2 = alloc_real(xs), *y2 = alloc_real((size_t)T);
    int32_t lab[2];
    ASSERT_OK(elig_task_sample(t, 2, x, y, lab));
    ASSERT_EQ_INT(lab[0], -1);
    double count = 0;
    for (size_t i = 0; i < xs; i++) {
        ASSERT_TRUE(x[i] == 0 || x[i] == 1);
        count += x[i];
    }
    /* 50 000 draws at p = 10 Hz x 1 ms: 500 +- 22 spikes. */
    assert_binomial(count, (double)xs, 0.01);
    /* Frozen: both batch elements and the next sample are the same trial. */
    ASSERT_TRUE(memcmp(x, x + xs, xs * sizeof *x) == 0);
    ASSERT_TRUE(memcmp(y, y + T, (size_t)T * sizeof *y) == 0);
    ASSERT_OK(elig_task_sample(t, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(x, x2, xs * sizeof *x) == 0);
    ASSERT_TRUE(memcmp(y, y2, (size_t)T * sizeof *y) == 0);
    /* Same seed, same trial; another seed, other inputs and other target times. */
    elig_task *t2;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(x, x2, xs * sizeof *x) == 0);
    ASSERT_TRUE(memcmp(y, y2, (size_t)T * sizeof *y) == 0);
    elig_task_free(t2);
    c.seed = 2719;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(x, x2, xs * sizeof *x) != 0);
    ASSERT_TRUE(memcmp(y, y2, (size_t)T * sizeof *y) != 0);
    elig_task_free(t2);
    /* Another input size, same seed: the same target times (drawn first). */
    c.seed = 2718;
    c.st_n_in = 7;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    ASSERT_TRUE(memcmp(y, y2, (size_t)T * sizeof *y) == 0);
    elig_task_free(t2);
    /* dt scales the spike probability: 10 Hz at 0.5 ms is p = 0.005. */
    c = elig_task_cfg_default(ELIG_TASK_SPIKE_TIMING);
    c.dt = 0.5;
    c.seed = 31;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_sample(t2, 1, x2, y2, NULL));
    count = 0;
    for (size_t i = 0; i < xs; i++) count += x2[i];
    assert_binomial(count, (double)xs, 0.005);
    elig_task_free(t2);
    elig_task_free(t);
    free(x); free(y); free(x2); free(y2);
}

/* ---------------------------------------------------------------- copy task (SnAp) */

/* Check one sampled batch at level L against the documented layout and return the number of
 * ones among the presented bits. x (B, T, 3), y (B, T, 2). */
static double check_copy_batch(const elig_real *x, const elig_real *y, int B, int L)
{
    const int T = 2 * L + 1;
    double ones = 0;
    for (int b = 0; b < B; b++) {
        const elig_real *xb = x + (size_t)b * T * 3, *yb = y + (size_t)b * T * 2;
        for (int s = 0; s < T; s++) {
            const elig_real *xs = xb + 3 * s, *ys = yb + 2 * s;
            if (s < L) { /* presentation: (bit, 1, 0), no target */
                ASSERT_TRUE(xs[0] == 0 || xs[0] == 1);
                ASSERT_TRUE(xs[1] == 1);
                ASSERT_TRUE(xs[2] == 0);
                ASSERT_TRUE(ys[0] == 0 && ys[1] == 0);
                ones += xs[0];
            } else { /* delimiter (s = L) and recall: (0, 0, 1) */
                ASSERT_TRUE(xs[0] == 0 && xs[1] == 0 && xs[2] == 1);
                if (s == L) {
                    ASSERT_TRUE(ys[0] == 0 && ys[1] == 0);
                } else { /* recall step k = s - L - 1: one-hot of the k-th bit, in order */
                    int bit = (int)xb[3 * (s - L - 1)];
                    ASSERT_TRUE(ys[bit] == 1);
                    ASSERT_TRUE(ys[1 - bit] == 0);
                }
            }
        }
    }
    return ones;
}

TEST(copy_structure)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_COPY);
    ASSERT_EQ_INT(c.cp_level0, 1);
    ASSERT_EQ_INT(c.cp_max_level, 64);
    ASSERT_NEAR(c.cp_threshold, 0.15, 0);
    c.seed = 4711;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_level(t), 1);
    ASSERT_EQ_INT(elig_task_steps(t), 3);
    ASSERT_EQ_INT(elig_task_max_steps(t), 129);
    ASSERT_EQ_INT(elig_task_n_in(t), 3);
    ASSERT_EQ_INT(elig_task_n_out(t), 2);
    ASSERT_EQ_INT(elig_task_is_classification(t), 0);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_ce);
    ASSERT_EQ_INT(lc.win_begin, 0);
    ASSERT_EQ_INT(lc.win_end, 0);
    ASSERT_EQ_INT(lc.time_norm, ELIG_TIME_SUM);
    const int B = 11, Tmax = 129;
    elig_real *x = alloc_real((size_t)B * Tmax * 3 + 1), *y = alloc_real((size_t)B * Tmax * 2 + 1); /* + sentinel */
    int32_t lab[11];
    const int levels[3] = {1, 5, 64};
    double ones = 0, bits = 0;
    for (int li = 0; li < 3; li++) {
        const int L = levels[li], T = 2 * L + 1;
        ASSERT_OK(elig_task_set_level(t, L));
        ASSERT_EQ_INT(elig_task_level(t), L);
        ASSERT_EQ_INT(elig_task_steps(t), T);
        ASSERT_EQ_INT(elig_task_loss(t).win_begin, 0); /* the window does not follow L */
        /* sample() fills exactly B T steps: a sentinel right after them survives. */
        x[(size_t)B * T * 3] = (elig_real)-7;
        y[(size_t)B * T * 2] = (elig_real)-7;
        ASSERT_OK(elig_task_sample(t, B, x, y, lab));
        ASSERT_TRUE(x[(size_t)B * T * 3] == (elig_real)-7);
        ASSERT_TRUE(y[(size_t)B * T * 2] == (elig_real)-7);
        for (int b = 0; b < B; b++) ASSERT_EQ_INT(lab[b], -1);
        ones += check_copy_batch(x, y, B, L);
        bits += (double)B * L;
        if (L == 64) /* new strings every sequence (equal with probability 2^-64) */
            ASSERT_TRUE(memcmp(x, x + (size_t)T * 3, (size_t)T * 3 * sizeof *x) != 0);
    }
    assert_binomial(ones, bits, 0.5); /* 770 fair bits: 385 +- 5 x 13.9 */
    /* Without a target buffer the inputs are the same (the bits are drawn either way). */
    elig_task *t2, *t3;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_create(&c, &t3));
    ASSERT_OK(elig_task_set_level(t2, 5));
    ASSERT_OK(elig_task_set_level(t3, 5));
    elig_real *x2 = alloc_real((size_t)B * 11 * 3);
    ASSERT_OK(elig_task_sample(t2, B, x, y, NULL));
    ASSERT_OK(elig_task_sample(t3, B, x2, NULL, NULL));
    ASSERT_TRUE(memcmp(x, x2, (size_t)B * 11 * 3 * sizeof *x) == 0);
    elig_task_free(t2);
    elig_task_free(t3);
    ASSERT_OK(elig_task_set_level(t, 5));
    /* Another seed, other strings. */
    c.seed = 4712;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_OK(elig_task_set_level(t2, 5));
    ASSERT_OK(elig_task_sample(t, B, x, y, NULL));
    ASSERT_OK(elig_task_sample(t2, B, x2, NULL, NULL));
    ASSERT_TRUE(memcmp(x, x2, (size_t)B * 11 * 3 * sizeof *x) != 0);
    elig_task_free(t2);
    /* Starting level from the config. */
    c.cp_level0 = 5;
    c.cp_max_level = 9;
    ASSERT_OK(elig_task_create(&c, &t2));
    ASSERT_EQ_INT(elig_task_level(t2), 5);
    ASSERT_EQ_INT(elig_task_steps(t2), 11);
    ASSERT_EQ_INT(elig_task_max_steps(t2), 19);
    ASSERT_OK(elig_task_sample(t2, B, x, y, NULL));
    check_copy_batch(x, y, B, 5);
    elig_task_free(t2);
    elig_task_free(t);
    free(x); free(y); free(x2);
}

TEST(copy_curriculum)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_COPY);
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.2), 0);      /* above 0.15 bits: stay */
    ASSERT_EQ_INT(elig_task_level(t), 1);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.15), 0);     /* not below: stay */
    ASSERT_EQ_INT(elig_task_level(t), 1);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.149), 1);    /* below: one level up */
    ASSERT_EQ_INT(elig_task_level(t), 2);
    ASSERT_EQ_INT(elig_task_steps(t), 5);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.0), 1);
    ASSERT_EQ_INT(elig_task_level(t), 3);
    ASSERT_EQ_INT(elig_task_curriculum(t, 3.7), 0);
    ASSERT_EQ_INT(elig_task_level(t), 3);
    /* The loss in bits per recall step from a summed CE in nats over L = 3 recall steps. */
    const double nats = 0.25 * 3 * log(2.0); /* 0.25 bits per step */
    ASSERT_EQ_INT(elig_task_curriculum(t, nats / (elig_task_level(t) * log(2.0))), 0);
    /* Bad loss values are refused and change nothing. */
    ASSERT_EQ_INT(elig_task_curriculum(t, NAN), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "loss_bits") && strstr(elig_last_error(), "got nan"));
    ASSERT_EQ_INT(elig_task_curriculum(t, -0.5), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "got -0.5") != NULL);
    ASSERT_EQ_INT(elig_task_level(t), 3);
    elig_task_free(t);
    /* A threshold of 0.4 bits and a top level of 4: climbs to 4, then stays. */
    c.cp_threshold = 0.4;
    c.cp_max_level = 4;
    c.cp_level0 = 2;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.41), 0);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.39), 1);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.39), 1);
    ASSERT_EQ_INT(elig_task_level(t), 4);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.01), 0);     /* at the top */
    ASSERT_EQ_INT(elig_task_level(t), 4);
    ASSERT_EQ_INT(elig_task_steps(t), 9);
    /* set_level: [1, cp_max_level]. */
    ASSERT_EQ_INT(elig_task_set_level(t, 0), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "level") && strstr(elig_last_error(), "got 0"));
    ASSERT_EQ_INT(elig_task_set_level(t, 5), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "cp_max_level = 4") && strstr(elig_last_error(), "got 5"));
    ASSERT_EQ_INT(elig_task_level(t), 4);
    ASSERT_OK(elig_task_set_level(t, 1));
    ASSERT_EQ_INT(elig_task_steps(t), 3);
    elig_task_free(t);
    /* Levels belong to the copy task only. */
    c = elig_task_cfg_default(ELIG_TASK_PERIODIC);
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_level(t), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_task_set_level(t, 1), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_task_curriculum(t, 0.0), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "task.kind") != NULL);
    elig_task_free(t);
    ASSERT_EQ_INT(elig_task_set_level(NULL, 1), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_task_curriculum(NULL, 0.0), ELIG_EINVAL);
}

/* sample() allocates nothing for the new tasks, at every level of the copy curriculum. */
TEST(new_tasks_sample_allocate_nothing)
{
    const int kinds[2] = {ELIG_TASK_PERIODIC, ELIG_TASK_SPIKE_TIMING};
    for (int k = 0; k < 2; k++) {
        elig_task_cfg c = elig_task_cfg_default(kinds[k]);
        elig_task *t;
        ASSERT_OK(elig_task_create(&c, &t));
        const size_t xs = (size_t)elig_task_steps(t) * elig_task_n_in(t), ys = (size_t)elig_task_steps(t) * elig_task_n_out(t);
        elig_real *x = alloc_real(2 * xs), *y = alloc_real(2 * ys);
        int32_t lab[2];
        int32_t ts[5];
        long before = th_alloc_count();
        for (int r = 0; r < 5; r++) ASSERT_OK(elig_task_sample(t, 2, x, y, lab));
        if (kinds[k] == ELIG_TASK_SPIKE_TIMING) ASSERT_EQ_INT(elig_task_target_spikes(t, ts, 5), 5);
        ASSERT_EQ_INT(th_alloc_count(), before);
        elig_task_free(t);
        free(x); free(y);
    }
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_COPY);
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int Tmax = elig_task_max_steps(t);
    elig_real *x = alloc_real((size_t)3 * Tmax * 3), *y = alloc_real((size_t)3 * Tmax * 2);
    int32_t lab[3];
    long before = th_alloc_count();
    for (int L = 1; L <= 64; L++) {
        ASSERT_OK(elig_task_set_level(t, L));
        ASSERT_OK(elig_task_sample(t, 3, x, y, lab));
    }
    ASSERT_OK(elig_task_set_level(t, 1));
    while (elig_task_curriculum(t, 0.01) == 1) ASSERT_OK(elig_task_sample(t, 3, x, y, NULL));
    ASSERT_EQ_INT(elig_task_level(t), 64);
    ASSERT_EQ_INT(th_alloc_count(), before);
    elig_task_free(t);
    free(x); free(y);
}

/* ---------------------------------------------------------------- array task */

TEST(array_task_wraps_around)
{
    enum { S = 3, T = 5, I = 2, O = 2 };
    elig_real x[S * T * I], y[S * T * O];
    for (int i = 0; i < S * T * I; i++) x[i] = (elig_real)(0.25 * i - 1.3);
    for (int i = 0; i < S * T * O; i++) y[i] = (elig_real)(-0.5 * i + 0.7);
    elig_task *t;
    ASSERT_OK(elig_task_create_array(x, y, NULL, S, T, I, O, &t));
    x[0] = 99; /* copied at create: later edits do not reach the task */
    ASSERT_EQ_INT(elig_task_steps(t), T);
    ASSERT_EQ_INT(elig_task_n_in(t), I);
    ASSERT_EQ_INT(elig_task_n_out(t), O);
    ASSERT_EQ_INT(elig_task_is_classification(t), 0);
    ASSERT_TRUE(elig_task_loss(t).loss == &elig_loss_mse);
    elig_real bx[2 * T * I], by[2 * T * O];
    int32_t lab[2];
    const int expect[3][2] = {{0, 1}, {2, 0}, {1, 2}}; /* batch 2 over 3 sequences */
    for (int r = 0; r < 3; r++) {
        ASSERT_OK(elig_task_sample(t, 2, bx, by, lab));
        for (int b = 0; b < 2; b++) {
            int s = expect[r][b];
            for (int i = 0; i < T * I; i++) {
                double want = (s == 0 && i == 0) ? -1.3 : 0.25 * (s * T * I + i) - 1.3;
                ASSERT_TRUE(bx[b * T * I + i] == (elig_real)want);
            }
            ASSERT_TRUE(memcmp(by + b * T * O, y + s * T * O, T * O * sizeof *y) == 0);
            ASSERT_EQ_INT(lab[b], -1);
        }
    }
    elig_task_free(t);
    /* Batch larger than the set: wraps within one call. */
    ASSERT_OK(elig_task_create_array(x, y, NULL, S, T, I, O, &t));
    elig_real big[5 * T * O], bigx[5 * T * I];
    ASSERT_OK(elig_task_sample(t, 5, bigx, big, NULL));
    for (int b = 0; b < 5; b++) ASSERT_TRUE(memcmp(big + b * T * O, y + (b % S) * T * O, T * O * sizeof *y) == 0);
    ASSERT_OK(elig_task_sample(t, 1, bigx, big, NULL)); /* next is sequence 5 % 3 = 2 */
    ASSERT_TRUE(memcmp(big, y + 2 * T * O, T * O * sizeof *y) == 0);
    elig_task_free(t);
}

TEST(array_task_labels)
{
    enum { S = 4, T = 3, I = 1, K = 3 };
    elig_real x[S * T * I];
    for (int i = 0; i < S * T * I; i++) x[i] = (elig_real)(0.1 * i);
    const int32_t labels[S] = {2, 0, 1, 2};
    elig_task *t;
    ASSERT_OK(elig_task_create_array(x, NULL, labels, S, T, I, K, &t));
    ASSERT_EQ_INT(elig_task_is_classification(t), 1);
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_TRUE(lc.loss == &elig_loss_ce_mean);
    ASSERT_EQ_INT(lc.win_begin, 0);
    ASSERT_EQ_INT(lc.win_end, 0);
    elig_real bx[3 * T * I], by[3 * T * K];
    int32_t lab[3];
    ASSERT_OK(elig_task_sample(t, 3, bx, by, lab));
    ASSERT_OK(elig_task_sample(t, 3, bx, by, lab)); /* sequences 3, 0, 1 */
    const int want[3] = {3, 0, 1};
    for (int b = 0; b < 3; b++) {
        ASSERT_EQ_INT(lab[b], labels[want[b]]);
        ASSERT_TRUE(memcmp(bx + b * T * I, x + want[b] * T * I, T * I * sizeof *x) == 0);
        for (int s = 0; s < T; s++)
            for (int k = 0; k < K; k++) ASSERT_TRUE(by[(b * T + s) * K + k] == (k == labels[want[b]] ? 1 : 0));
    }
    elig_task_free(t);
}

/* Expect ELIG_EINVAL, *out reset to NULL, and a message containing both needles. */
#define EXPECT_EINVAL(call, n1, n2) do { elig_task *t_ = (elig_task *)x; int rc_ = elig_task_create_array call; \
    const char *m_ = elig_last_error(); \
    if (rc_ != ELIG_EINVAL || t_ != NULL || !strstr(m_, n1) || !strstr(m_, n2)) \
        th_fail(__FILE__, __LINE__, "%s: rc %s, message \"%s\"", #call, elig_status_name(rc_), m_); } while (0)

TEST(array_task_invalid)
{
    elig_real x[8] = {0}, y[8] = {0};
    int32_t lab[2] = {0, 2};
    EXPECT_EINVAL((x, NULL, lab, 2, 2, 2, 2, &t_), "labels[1]", "got 2");
    lab[1] = -1;
    EXPECT_EINVAL((x, NULL, lab, 2, 2, 2, 2, &t_), "labels[1]", "got -1");
    EXPECT_EINVAL((x, y, NULL, 0, 2, 2, 2, &t_), "task.n_seq", "got 0");
    EXPECT_EINVAL((x, y, NULL, 2, -4, 2, 2, &t_), "task.T", "got -4");
    EXPECT_EINVAL((x, y, NULL, 2, 2, 0, 2, &t_), "task.n_in", "got 0");
    EXPECT_EINVAL((x, y, NULL, 2, 2, 2, 0, &t_), "task.n_out", "got 0");
    EXPECT_EINVAL((x, y, lab, 2, 2, 2, 2, &t_), "y and labels", "both");
    EXPECT_EINVAL((x, NULL, NULL, 2, 2, 2, 2, &t_), "y and labels", "neither");
    EXPECT_EINVAL((NULL, y, NULL, 2, 2, 2, 2, &t_), "task.x", "NULL");
    /* Sizes whose product overflows are refused before anything is read or allocated. */
    long before = th_alloc_count();
    EXPECT_EINVAL((x, y, NULL, INT_MAX, 1 << 24, 1 << 24, 1, &t_), "overflow", "n_seq 2147483647");
    EXPECT_EINVAL((x, y, NULL, 1 << 20, 1 << 24, 1, 1 << 24, &t_), "overflow", "y of");
    ASSERT_EQ_INT(th_alloc_count(), before);
}

/* ---------------------------------------------------------------- validation */

enum { V_INT, V_DBL };
static const struct {
    int kind, type;
    size_t off;
    double value;
    const char *field, *shown;
} bad[] = {
    {ELIG_TASK_PATTERN, V_DBL, offsetof(elig_task_cfg, dt), 0.0, "task.dt", "got 0"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, dt), -1.0, "task.dt", "got -1"},
    {ELIG_TASK_PATTERN, V_DBL, offsetof(elig_task_cfg, dt), NAN, "task.dt", "got nan"},
    {ELIG_TASK_PATTERN, V_INT, offsetof(elig_task_cfg, pg_n_in), 0, "task.pg_n_in", "got 0"},
    {ELIG_TASK_PATTERN, V_INT, offsetof(elig_task_cfg, pg_n_out), -2, "task.pg_n_out", "got -2"},
    {ELIG_TASK_PATTERN, V_INT, offsetof(elig_task_cfg, pg_steps), 0, "task.pg_steps", "got 0"},
    {ELIG_TASK_PATTERN, V_DBL, offsetof(elig_task_cfg, pg_rate_hz), -5.0, "task.pg_rate_hz", "got -5"},
    {ELIG_TASK_PATTERN, V_DBL, offsetof(elig_task_cfg, pg_rate_hz), 1500.0, "task.pg_rate_hz", "got 1500"},
    {ELIG_TASK_PATTERN, V_DBL, offsetof(elig_task_cfg, pg_rate_hz), INFINITY, "task.pg_rate_hz", "got inf"},
    {ELIG_TASK_EVIDENCE, V_INT, offsetof(elig_task_cfg, ea_n_cues), 0, "task.ea_n_cues", "got 0"},
    {ELIG_TASK_EVIDENCE, V_INT, offsetof(elig_task_cfg, ea_group), -1, "task.ea_group", "got -1"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_cue_ms), -1.0, "task.ea_cue_ms", "got -1"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_cue_ms), 0.0, "task.ea_cue_ms", "got 0"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_cue_ms), 0.3, "task.ea_cue_ms", "got 0.3"}, /* < 1 step */
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_gap_ms), -50.0, "task.ea_gap_ms", "got -50"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_delay_ms), NAN, "task.ea_delay_ms", "got nan"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_delay_ms), 1e12, "task.ea_delay_ms", "got 1e+12"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_recall_ms), 0.0, "task.ea_recall_ms", "got 0"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_f0_hz), -40.0, "task.ea_f0_hz", "got -40"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_noise_hz), NAN, "task.ea_noise_hz", "got nan"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_p_major), 1.2, "task.ea_p_major", "got 1.2"},
    {ELIG_TASK_EVIDENCE, V_DBL, offsetof(elig_task_cfg, ea_p_major), -0.1, "task.ea_p_major", "got -0.1"},
    {ELIG_TASK_EVIDENCE, V_INT, offsetof(elig_task_cfg, kind), 9, "task.kind", "got 9"},
    {ELIG_TASK_EVIDENCE, V_INT, offsetof(elig_task_cfg, kind), ELIG_TASK_ARRAY, "task.kind", "elig_task_create_array"},
    {ELIG_TASK_COPY, V_INT, offsetof(elig_task_cfg, kind), 6, "task.kind", "got 6"},
    {ELIG_TASK_PERIODIC, V_DBL, offsetof(elig_task_cfg, dt), -0.1, "task.dt", "got -0.1"},
    {ELIG_TASK_PERIODIC, V_INT, offsetof(elig_task_cfg, pe_period), 8, "task.pe_period", "got 8"},
    {ELIG_TASK_PERIODIC, V_INT, offsetof(elig_task_cfg, pe_period), -100, "task.pe_period", "got -100"},
    {ELIG_TASK_PERIODIC, V_INT, offsetof(elig_task_cfg, pe_steps), 0, "task.pe_steps", "got 0"},
    {ELIG_TASK_PERIODIC, V_INT, offsetof(elig_task_cfg, pe_steps), (1 << 24) + 1, "task.pe_steps", "got 16777217"},
    {ELIG_TASK_SPIKE_TIMING, V_DBL, offsetof(elig_task_cfg, dt), NAN, "task.dt", "got nan"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_n_in), 0, "task.st_n_in", "got 0"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_n_out), -1, "task.st_n_out", "got -1"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_steps), 0, "task.st_steps", "got 0"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_steps), 100, "task.st_steps", "got 100"}, /* = 5 x 20 */
    {ELIG_TASK_SPIKE_TIMING, V_DBL, offsetof(elig_task_cfg, st_rate_hz), -10.0, "task.st_rate_hz", "got -10"},
    {ELIG_TASK_SPIKE_TIMING, V_DBL, offsetof(elig_task_cfg, st_rate_hz), 1001.0, "task.st_rate_hz", "got 1001"},
    {ELIG_TASK_SPIKE_TIMING, V_DBL, offsetof(elig_task_cfg, st_rate_hz), NAN, "task.st_rate_hz", "got nan"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_n_spikes), 0, "task.st_n_spikes", "got 0"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_n_spikes), 25, "task.st_steps", "25 x 20 = 500"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_min_gap), 0, "task.st_min_gap", "got 0"},
    {ELIG_TASK_SPIKE_TIMING, V_INT, offsetof(elig_task_cfg, st_min_gap), 1 << 23, "task.st_steps", "5 x 8388608"},
    {ELIG_TASK_COPY, V_INT, offsetof(elig_task_cfg, cp_level0), 0, "task.cp_level0", "got 0"},
    {ELIG_TASK_COPY, V_INT, offsetof(elig_task_cfg, cp_level0), 65, "task.cp_level0", "got 65"},
    {ELIG_TASK_COPY, V_INT, offsetof(elig_task_cfg, cp_max_level), 0, "task.cp_max_level", "got 0"},
    {ELIG_TASK_COPY, V_INT, offsetof(elig_task_cfg, cp_max_level), 1 << 23, "task.cp_max_level", "got 8388608"},
    {ELIG_TASK_COPY, V_DBL, offsetof(elig_task_cfg, cp_threshold), 0.0, "task.cp_threshold", "got 0"},
    {ELIG_TASK_COPY, V_DBL, offsetof(elig_task_cfg, cp_threshold), -0.15, "task.cp_threshold", "got -0.15"},
    {ELIG_TASK_COPY, V_DBL, offsetof(elig_task_cfg, cp_threshold), NAN, "task.cp_threshold", "got nan"},
    {ELIG_TASK_COPY, V_DBL, offsetof(elig_task_cfg, cp_threshold), INFINITY, "task.cp_threshold", "got inf"},
};

TEST(invalid_cfg_rejected)
{
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        elig_task_cfg c = elig_task_cfg_default(bad[k].kind);
        if (bad[k].type == V_INT) {
            int v = (int)bad[k].value;
            memcpy((char *)&c + bad[k].off, &v, sizeof v);
        } else {
            memcpy((char *)&c + bad[k].off, &bad[k].value, sizeof(double));
        }
        elig_task *t = (elig_task *)&c;
        int rc = elig_task_create(&c, &t);
        const char *msg = elig_last_error();
        if (rc != ELIG_EINVAL || t != NULL || !strstr(msg, bad[k].field) || !strstr(msg, bad[k].shown))
            th_fail(__FILE__, __LINE__, "case %zu (%s, %s): rc %s, message \"%s\"", k, bad[k].field, bad[k].shown,
                    elig_status_name(rc), msg);
    }
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.ea_cue_ms = -1;
    elig_task *t;
    ASSERT_EQ_INT(elig_task_create(&c, &t), ELIG_EINVAL);
    ASSERT_TRUE(strcmp(elig_last_error(), "task.ea_cue_ms must be > 0 ms (got -1)") == 0);
    /* Zero gap and zero delay are meaningful (back-to-back cues, immediate recall). */
    c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.ea_gap_ms = 0;
    c.ea_delay_ms = 0;
    ASSERT_OK(elig_task_create(&c, &t));
    ASSERT_EQ_INT(elig_task_steps(t), 7 * 100 + 150);
    elig_task_free(t);
    /* Fields of the other task are not read, so not checked. */
    c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    c.ea_cue_ms = -1;
    c.pe_period = 0;
    c.st_min_gap = -1;
    c.cp_threshold = NAN;
    ASSERT_OK(elig_task_create(&c, &t));
    elig_task_free(t);
    c = elig_task_cfg_default(ELIG_TASK_COPY);
    c.pg_n_in = 0;
    c.st_steps = 0;
    c.pe_steps = -1;
    ASSERT_OK(elig_task_create(&c, &t));
    elig_task_free(t);
    ASSERT_EQ_INT(elig_task_create(NULL, &t), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_task_create(&c, NULL), ELIG_EINVAL);
    /* sample() argument checks */
    c = elig_task_cfg_default(ELIG_TASK_PATTERN);
    c.pg_steps = 3; c.pg_n_in = 2;
    ASSERT_OK(elig_task_create(&c, &t));
    elig_real x[6], y[3];
    ASSERT_EQ_INT(elig_task_sample(t, 0, x, y, NULL), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "batch") != NULL);
    ASSERT_EQ_INT(elig_task_sample(t, 1, NULL, y, NULL), ELIG_EINVAL);
    elig_task_free(t);
    elig_task_free(NULL);
}

/* ---------------------------------------------------------------- elig_count_correct */

TEST(count_correct_hand_made)
{
    /* y: (T = 4, batch = 3, n_out = 3). Over the whole sequence versus the last two steps the
     * winners differ, and one element ties. */
    const elig_real y[4][3][3] = {
        /* t = 0 */ {{9.0, 0.0, 0.0}, {0.0, 0.0, 1.0}, {0.5, 0.5, 0.0}},
        /* t = 1 */ {{0.0, 0.0, 0.0}, {0.0, 0.0, 1.0}, {0.5, 0.5, 0.0}},
        /* t = 2 */ {{0.0, 2.0, 0.0}, {0.0, 3.0, 0.0}, {0.25, 0.75, 0.0}},
        /* t = 3 */ {{0.0, 2.0, 1.0}, {0.0, 0.0, 0.0}, {0.75, 0.25, 0.0}},
    };
    /* Means over all 4 steps: b0 (2.25, 1, .25) -> 0; b1 (0, .75, .5) -> 1; b2 (.5, .5, 0) tie -> 0.
     * Over [-2, 0): b0 (0, 2, .5) -> 1; b1 (0, 1.5, 0) -> 1; b2 (.5, .5, 0) tie -> 0.
     * Over [0, 2):  b0 -> 0; b1 (0, 0, 1) -> 2; b2 tie -> 0. */
    const elig_real *Y = &y[0][0][0];
    const int32_t lab_a[3] = {0, 1, 0}, lab_b[3] = {1, 1, 0}, lab_c[3] = {0, 2, 1};
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, 0, 0), 3);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_b, 4, 3, 3, 0, 0), 2);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_b, 4, 3, 3, -2, 0), 3);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, -2, 0), 2);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_c, 4, 3, 3, 0, 2), 2);   /* b2's tie goes to 0, not 1 */
    ASSERT_EQ_INT(elig_count_correct(Y, lab_c, 4, 3, 3, 0, -2), 2);  /* negative end counts from the end */
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, 0, 4), 3);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_b, 4, 3, 3, 3, 0), 2);   /* only t = 3: b0 -> 1, b1 tie -> 0, b2 -> 0 */
    /* Invalid windows and arguments. */
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, 2, 2), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, -5, 0), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 3, 3, 0, 5), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_count_correct(NULL, lab_a, 4, 3, 3, 0, 0), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_count_correct(Y, lab_a, 4, 0, 3, 0, 0), ELIG_EINVAL);
}

/* The evidence task's own target, fed back as a readout, is always classified correctly over
 * its loss window. */
TEST(count_correct_on_evidence_targets)
{
    elig_task_cfg c = elig_task_cfg_default(ELIG_TASK_EVIDENCE);
    c.ea_group = 1;
    elig_task *t;
    ASSERT_OK(elig_task_create(&c, &t));
    const int B = 9, T = elig_task_steps(t);
    elig_real *x = alloc_real((size_t)B * T * 4), *tg = alloc_real((size_t)B * T * 2), *y = alloc_real((size_t)T * B * 2);
    int32_t lab[9];
    ASSERT_OK(elig_task_sample(t, B, x, tg, lab));
    for (int b = 0; b < B; b++) /* (batch, T, 2) -> (T, batch, 2) */
        for (int s = 0; s < T; s++)
            for (int k = 0; k < 2; k++) y[((size_t)s * B + b) * 2 + k] = tg[((size_t)b * T + s) * 2 + k];
    elig_loss_cfg lc = elig_task_loss(t);
    ASSERT_EQ_INT(elig_count_correct(y, lab, T, B, 2, lc.win_begin, lc.win_end), B);
    int32_t flipped[9];
    for (int b = 0; b < B; b++) flipped[b] = 1 - lab[b];
    ASSERT_EQ_INT(elig_count_correct(y, flipped, T, B, 2, lc.win_begin, lc.win_end), 0);
    elig_task_free(t);
    free(x); free(tg); free(y);
}
