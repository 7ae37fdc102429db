/* test_optim.c -- SGD and Adam (src/optim.c): Adam against a double reference written here,
 * clipping, lr = 0, validation of every field, no allocation in the step, exact bytes(). */
#include "harness.h"

#include <stddef.h>
#include <string.h>

#define N 13      /* odd, so no loop-tail assumption survives */
#define STEPS 7

/* Scripted gradient of step k (0-based), parameter i: high-entropy values of both signs. */
static double grad_at(int k, int i) { return 0.37 * sin(2.1 * k + 0.3 * i) + 0.05 * cos(1.3 * k * i + 0.2) - 0.011 * i; }
static double param0(int i) { return 0.5 * cos(0.7 * i) - 0.1; }

/* Adam in the TF/NEST convention, all in double, b^t by pow (the library keeps running
 * products, so this is an independent path). eps_on_hat = 1 gives Kingma & Ba's placement
 * (eps added to sqrt(v_hat)), used to show the test can tell the two apart. */
static void adam_ref(double *p, double *m, double *v, const double *g, int t, double lr, double b1, double b2, double eps,
                     int eps_on_hat)
{
    for (int i = 0; i < N; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        if (eps_on_hat) {
            double mh = m[i] / (1 - pow(b1, t)), vh = v[i] / (1 - pow(b2, t));
            p[i] -= lr * mh / (sqrt(vh) + eps);
        } else {
            double lr_t = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
            p[i] -= lr_t * m[i] / (sqrt(v[i]) + eps);
        }
    }
}

/* Runs STEPS Adam steps of the library and of the reference side by side; returns the
 * largest |p_lib - p_ref| over all steps. other: largest gap to the eps-on-v_hat variant. */
static double adam_run(double lr, double b1, double b2, double eps, double *other)
{
    elig_optim_cfg c = elig_optim_cfg_default();
    c.kind = ELIG_OPTIM_ADAM;
    c.lr = lr;
    c.beta1 = b1;
    c.beta2 = b2;
    c.eps = eps;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, N, &o));
    elig_real p[N], g[N];
    double pr[N], mr[N] = {0}, vr[N] = {0}, pk[N], mk[N] = {0}, vk[N] = {0}, gd[N];
    for (int i = 0; i < N; i++) {
        p[i] = (elig_real)param0(i);
        pr[i] = pk[i] = (double)p[i]; /* start from the same rounded values */
    }
    double err = 0, gap = 0;
    for (int k = 0; k < STEPS; k++) {
        for (int i = 0; i < N; i++) {
            g[i] = (elig_real)grad_at(k, i);
            gd[i] = (double)g[i];
        }
        elig_optim_step(o, p, g);
        adam_ref(pr, mr, vr, gd, k + 1, lr, b1, b2, eps, 0);
        adam_ref(pk, mk, vk, gd, k + 1, lr, b1, b2, eps, 1);
        for (int i = 0; i < N; i++) {
            err = fmax(err, fabs((double)p[i] - pr[i]));
            gap = fmax(gap, fabs((double)p[i] - pk[i]));
        }
        for (int i = 0; i < N; i++) ASSERT_EQ_INT(g[i] == (elig_real)grad_at(k, i), 1); /* g untouched */
    }
    elig_optim_free(o);
    if (other) *other = gap;
    return err;
}

TEST(adam_matches_reference)
{
    /* |p| < 1 and each step moves p by at most ~lr; in double the only differences are
     * rounding (1e-15 level); in float, m and v and p are stored as float after each of 7
     * steps: measured 8e-8, a few ulp of 1 (6e-8); 5e-7 leaves margin. */
    const double tol = TOL(1e-13, 5e-7);
    double gap;
    /* eps comparable to sqrt(v) so its placement matters. */
    double err = adam_run(0.0173, 0.87, 0.993, 3e-2, &gap);
    ASSERT_LE(err, tol);
    ASSERT_GE(gap, 100 * tol); /* the other convention is far away: the test can see it */
    /* Defaults of the NEST/TF tutorials. */
    ASSERT_LE(adam_run(1e-3, 0.9, 0.999, 1e-8, NULL), TOL(1e-14, 5e-7));
    /* beta1 = 0 and beta2 = 0 are allowed corner values (RMS of the last gradient). */
    ASSERT_LE(adam_run(0.0213, 0.0, 0.0, 1e-3, NULL), tol);
}

TEST(defaults)
{
    elig_optim_cfg c = elig_optim_cfg_default();
    ASSERT_EQ_INT(c.kind, ELIG_OPTIM_ADAM);
    ASSERT_TRUE(c.lr == 1e-3 && c.beta1 == 0.9 && c.beta2 == 0.999 && c.eps == 1e-8);
    ASSERT_TRUE(c.clip_norm == 0 && c.clip_weight == 0);
}

TEST(sgd_step)
{
    elig_optim_cfg c = elig_optim_cfg_default();
    c.kind = ELIG_OPTIM_SGD;
    c.lr = 0.0371;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, N, &o));
    elig_real p[N], g[N];
    double ref[N];
    for (int i = 0; i < N; i++) ref[i] = p[i] = (elig_real)param0(i);
    for (int k = 0; k < STEPS; k++) {
        for (int i = 0; i < N; i++) g[i] = (elig_real)grad_at(k, i);
        elig_optim_step(o, p, g);
        for (int i = 0; i < N; i++) ref[i] -= c.lr * (double)g[i];
    }
    /* One rounding to elig_real per step: 7 half-ulps of values below 1. */
    for (int i = 0; i < N; i++) ASSERT_NEAR(p[i], ref[i], TOL(1e-15, 5e-7));
    elig_optim_free(o);
}

TEST(lr_zero_leaves_params)
{
    for (int kind = ELIG_OPTIM_SGD; kind <= ELIG_OPTIM_ADAM; kind++) {
        elig_optim_cfg c = elig_optim_cfg_default();
        c.kind = kind;
        c.lr = 0;
        elig_optim *o;
        ASSERT_OK(elig_optim_create(&c, N, &o));
        elig_real p[N], p0[N], g[N];
        for (int i = 0; i < N; i++) p0[i] = p[i] = (elig_real)param0(i);
        for (int k = 0; k < STEPS; k++) {
            for (int i = 0; i < N; i++) g[i] = (elig_real)grad_at(k, i);
            elig_optim_step(o, p, g);
        }
        ASSERT_TRUE(memcmp(p, p0, sizeof p) == 0); /* bit-identical */
        elig_optim_free(o);
    }
}

TEST(clip_norm_scales_to_norm)
{
    elig_optim_cfg c = elig_optim_cfg_default();
    c.kind = ELIG_OPTIM_SGD;
    c.lr = 1.0;
    c.clip_norm = 0.173;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, N, &o));
    elig_real p[N], g[N], g0[N];
    for (int i = 0; i < N; i++) {
        p[i] = 0;
        g0[i] = g[i] = (elig_real)(3.1 * grad_at(2, i));
    }
    double n0 = th_norm(g0, N);
    ASSERT_GE(n0, 5 * c.clip_norm);
    elig_optim_step(o, p, g);
    /* The gradient is rescaled in place to exactly clip_norm (up to elig_real rounding of each
     * component: relative 1e-16 / 6e-8), keeping its direction; the update is -lr * that. */
    ASSERT_NEAR(th_norm(g, N), c.clip_norm, TOL(1e-15, 1e-7));
    ASSERT_GE(th_cosine(g, g0, N), 1 - TOL(1e-15, 1e-7));
    for (int i = 0; i < N; i++) ASSERT_NEAR(p[i], -(double)g[i], TOL(1e-16, 1e-8));
    /* Below the threshold nothing is rescaled (bit-identical). */
    for (int i = 0; i < N; i++) g0[i] = g[i] = (elig_real)(0.1 * c.clip_norm * grad_at(3, i));
    ASSERT_LE(th_norm(g0, N), c.clip_norm);
    elig_optim_step(o, p, g);
    ASSERT_TRUE(memcmp(g, g0, sizeof g) == 0);
    elig_optim_free(o);
}

TEST(clip_weight_clamps)
{
    for (int kind = ELIG_OPTIM_SGD; kind <= ELIG_OPTIM_ADAM; kind++) {
        elig_optim_cfg c = elig_optim_cfg_default();
        c.kind = kind;
        c.lr = 0.9;
        c.clip_weight = 0.437;
        elig_optim *o;
        ASSERT_OK(elig_optim_create(&c, N, &o));
        elig_real p[N], g[N];
        for (int i = 0; i < N; i++) p[i] = (elig_real)param0(i);
        int hit_hi = 0, hit_lo = 0, inside = 0;
        for (int k = 0; k < STEPS; k++) {
            for (int i = 0; i < N; i++) g[i] = (elig_real)grad_at(k, i);
            elig_optim_step(o, p, g);
            for (int i = 0; i < N; i++) {
                ASSERT_LE(fabs((double)p[i]), (double)(elig_real)c.clip_weight);
                hit_hi += p[i] == (elig_real)c.clip_weight;
                hit_lo += p[i] == -(elig_real)c.clip_weight;
                inside += fabs((double)p[i]) < c.clip_weight * 0.99;
            }
        }
        ASSERT_GE(hit_hi, 1); /* the bound was reached on both sides, and not everywhere */
        ASSERT_GE(hit_lo, 1);
        ASSERT_GE(inside, 1);
        elig_optim_free(o);
    }
}

TEST(reset_restarts_trajectory)
{
    elig_optim_cfg c = elig_optim_cfg_default();
    c.lr = 0.0173;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, N, &o));
    elig_real p1[N], p2[N], g[N];
    for (int run = 0; run < 2; run++) {
        elig_real *p = run ? p2 : p1;
        for (int i = 0; i < N; i++) p[i] = (elig_real)param0(i);
        for (int k = 0; k < STEPS; k++) {
            for (int i = 0; i < N; i++) g[i] = (elig_real)grad_at(k, i);
            elig_optim_step(o, p, g);
        }
        elig_optim_reset(o);
    }
    ASSERT_TRUE(memcmp(p1, p2, sizeof p1) == 0);
    elig_optim_free(o);
}

/* ---------------------------------------------------------------- validation */

enum { F_DOUBLE, F_KIND, F_NPARAMS };
static const struct {
    int what;
    size_t off;      /* F_DOUBLE: offset of the field */
    int kind;        /* optimiser the case runs under */
    double value;
    const char *field, *shown;
} bad[] = {
    {F_DOUBLE, offsetof(elig_optim_cfg, lr), ELIG_OPTIM_ADAM, -0.01, "optim.lr", "-0.01"},
    {F_DOUBLE, offsetof(elig_optim_cfg, lr), ELIG_OPTIM_SGD, -2.5, "optim.lr", "-2.5"},
    {F_DOUBLE, offsetof(elig_optim_cfg, lr), ELIG_OPTIM_SGD, NAN, "optim.lr", "nan"},
    {F_DOUBLE, offsetof(elig_optim_cfg, lr), ELIG_OPTIM_ADAM, INFINITY, "optim.lr", "inf"},
    {F_DOUBLE, offsetof(elig_optim_cfg, beta1), ELIG_OPTIM_ADAM, 1.0, "optim.beta1", "1"},
    {F_DOUBLE, offsetof(elig_optim_cfg, beta1), ELIG_OPTIM_ADAM, -0.1, "optim.beta1", "-0.1"},
    {F_DOUBLE, offsetof(elig_optim_cfg, beta1), ELIG_OPTIM_ADAM, NAN, "optim.beta1", "nan"},
    {F_DOUBLE, offsetof(elig_optim_cfg, beta2), ELIG_OPTIM_ADAM, 1.5, "optim.beta2", "1.5"},
    {F_DOUBLE, offsetof(elig_optim_cfg, beta2), ELIG_OPTIM_ADAM, -3, "optim.beta2", "-3"},
    {F_DOUBLE, offsetof(elig_optim_cfg, eps), ELIG_OPTIM_ADAM, 0.0, "optim.eps", "0"},
    {F_DOUBLE, offsetof(elig_optim_cfg, eps), ELIG_OPTIM_ADAM, -1e-8, "optim.eps", "-1e-08"},
    {F_DOUBLE, offsetof(elig_optim_cfg, eps), ELIG_OPTIM_ADAM, INFINITY, "optim.eps", "inf"},
    {F_DOUBLE, offsetof(elig_optim_cfg, clip_norm), ELIG_OPTIM_SGD, -1.0, "optim.clip_norm", "-1"},
    {F_DOUBLE, offsetof(elig_optim_cfg, clip_norm), ELIG_OPTIM_ADAM, NAN, "optim.clip_norm", "nan"},
    {F_DOUBLE, offsetof(elig_optim_cfg, clip_weight), ELIG_OPTIM_SGD, -0.25, "optim.clip_weight", "-0.25"},
    {F_DOUBLE, offsetof(elig_optim_cfg, clip_weight), ELIG_OPTIM_ADAM, -INFINITY, "optim.clip_weight", "-inf"},
    {F_KIND, 0, 7, 0, "optim.kind", "7"},
    {F_KIND, 0, -1, 0, "optim.kind", "-1"},
    {F_NPARAMS, 0, ELIG_OPTIM_ADAM, 0, "n_params", "0"},
    {F_NPARAMS, 0, ELIG_OPTIM_SGD, 0, "n_params", "0"},
};

TEST(invalid_fields_rejected)
{
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        elig_optim_cfg c = elig_optim_cfg_default();
        size_t n = N;
        c.kind = bad[k].kind;
        if (bad[k].what == F_DOUBLE) memcpy((char *)&c + bad[k].off, &bad[k].value, sizeof(double));
        if (bad[k].what == F_NPARAMS) n = 0;
        elig_optim *o = (elig_optim *)&c; /* must be reset to NULL */
        int rc = elig_optim_create(&c, n, &o);
        const char *msg = elig_last_error();
        if (rc != ELIG_EINVAL || o != NULL || !strstr(msg, bad[k].field) || !strstr(msg, bad[k].shown))
            th_fail(__FILE__, __LINE__, "case %zu (%s = %s): rc %s, message \"%s\"", k, bad[k].field, bad[k].shown,
                    elig_status_name(rc), msg);
        ASSERT_EQ_INT(elig_optim_bytes(&c, n), 0);
    }
    /* Fields Adam alone reads are not checked for SGD. */
    elig_optim_cfg c = elig_optim_cfg_default();
    c.kind = ELIG_OPTIM_SGD;
    c.beta1 = 2;
    c.eps = 0;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, N, &o));
    elig_optim_free(o);
    /* The message states the rule and the value as documented. */
    c = elig_optim_cfg_default();
    c.beta2 = 1.5;
    ASSERT_EQ_INT(elig_optim_create(&c, N, &o), ELIG_EINVAL);
    ASSERT_TRUE(strcmp(elig_last_error(), "optim.beta2 must be in [0, 1) (got 1.5)") == 0);
    ASSERT_EQ_INT(elig_optim_create(NULL, N, &o), ELIG_EINVAL);
    ASSERT_EQ_INT(elig_optim_create(&c, N, NULL), ELIG_EINVAL);
    /* A size whose moments overflow size_t is refused before allocating. */
    c = elig_optim_cfg_default();
    long before = th_alloc_count();
    ASSERT_EQ_INT(elig_optim_create(&c, SIZE_MAX / 3, &o), ELIG_EINVAL);
    ASSERT_EQ_INT(th_alloc_count(), before);
}

/* ---------------------------------------------------------------- memory */

TEST(step_allocates_nothing)
{
    for (int kind = ELIG_OPTIM_SGD; kind <= ELIG_OPTIM_ADAM; kind++) {
        elig_optim_cfg c = elig_optim_cfg_default();
        c.kind = kind;
        c.clip_norm = 0.05;
        c.clip_weight = 0.6;
        elig_optim *o;
        ASSERT_OK(elig_optim_create(&c, N, &o));
        elig_real p[N], g[N];
        for (int i = 0; i < N; i++) p[i] = (elig_real)param0(i);
        long before = th_alloc_count();
        for (int k = 0; k < 100; k++) {
            for (int i = 0; i < N; i++) g[i] = (elig_real)grad_at(k, i);
            elig_optim_step(o, p, g);
        }
        elig_optim_reset(o);
        ASSERT_EQ_INT(th_alloc_count(), before);
        elig_optim_free(o);
    }
}

static struct { size_t bytes, live; int calls; } acct;
static void *count_malloc(size_t n, void *ctx)
{
    (void)ctx;
    acct.bytes += n;
    acct.calls++;
    acct.live++;
    return malloc(n);
}
static void count_free(void *p, void *ctx)
{
    (void)ctx;
    acct.live--;
    free(p);
}

TEST(bytes_equals_allocation)
{
    elig_set_allocator(count_malloc, count_free, NULL);
    const size_t sizes[] = {1, N, 1001, 65537};
    for (int kind = ELIG_OPTIM_SGD; kind <= ELIG_OPTIM_ADAM; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            elig_optim_cfg c = elig_optim_cfg_default();
            c.kind = kind;
            memset(&acct, 0, sizeof acct);
            size_t want = elig_optim_bytes(&c, sizes[s]);
            elig_optim *o;
            ASSERT_OK(elig_optim_create(&c, sizes[s], &o));
            ASSERT_EQ_INT(acct.calls, 1); /* one block */
            ASSERT_EQ_INT(acct.bytes, want);
            if (kind == ELIG_OPTIM_ADAM) ASSERT_GE(want, 2 * sizes[s] * sizeof(elig_real));
            else ASSERT_LE(want, 1024); /* SGD keeps no per-parameter state */
            elig_optim_free(o);
            ASSERT_EQ_INT(acct.live, 0);
        }
    elig_optim_free(NULL); /* NULL-safe */
    elig_set_allocator(NULL, NULL, NULL);
}

TEST(rmax_normalises_per_parameter)
{
    /* v = max(g^2, b2 v): the first step moves every parameter by lr (sign of g), whatever
     * the gradient's scale; a smaller later gradient moves it less, by |g| / sqrt(b2 v) */
    elig_optim_cfg c = elig_optim_cfg_default();
    c.kind = ELIG_OPTIM_RMAX;
    c.lr = 0.01;
    c.beta2 = 0.9835;
    c.eps = 1e-12;
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&c, 3, &o));
    elig_real p[3] = {0.5f, -0.25f, 1.0f}, g[3] = {3.7f, -0.0021f, 0};
    elig_optim_step(o, p, g);
    ASSERT_NEAR(p[0], 0.5 - 0.01, TOL(1e-12, 1e-6));
    ASSERT_NEAR(p[1], -0.25 + 0.01, TOL(1e-10, 1e-6)); /* eps 1e-12 against |g| 2e-3 */
    ASSERT_NEAR(p[2], 1.0, 0);
    elig_real g2[3] = {1.1f, 0, 0};
    elig_optim_step(o, p, g2);
    double v = fmax(1.1 * 1.1, 0.9835 * (double)3.7f * (double)3.7f);
    ASSERT_NEAR(p[0], 0.49 - 0.01 * 1.1 / sqrt(v), TOL(1e-10, 1e-6)); /* float inputs 3.7f, 1.1f */
    c.beta2 = 1.0;
    elig_optim *refused = NULL;
    ASSERT_EQ_INT(elig_optim_create(&c, 3, &refused), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "optim.beta2") != NULL);
    elig_optim_free(o);
}
