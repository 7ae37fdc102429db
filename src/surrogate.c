/* surrogate.c -- surrogate derivatives sigma'(x) of the spike nonlinearity, x = v - A.
 *
 * | name         | sigma'(x)                              | gamma, beta defaults | source          |
 * |--------------|----------------------------------------|----------------------|-----------------|
 * | pwl          | (gamma/v_th) max(0, 1 - beta|x|/v_th)  | 0.3, 1               | e-prop          |
 * | fast_sigmoid | gamma / (1 + beta|x|)^2                | 1, 100               | SuperSpike      |
 * | exp          | gamma exp(-beta|x|)                    | 1, 5                 | SLAYER          |
 * | atan         | (gamma/pi) / (1 + (beta pi x)^2)       | 1, 1                 | arctan          |
 *
 * The same function is used by every rule (forward trace, BPTT backward, RTRL), so exact
 * methods agree to rounding. Peak of pwl is gamma/v_th at threshold (property 13 of the
 * reference). Cost: a handful of flops per neuron per step.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

static double d_pwl(double x, double g, double b, double v_th)
{
    double r = 1.0 - b * fabs(x) / v_th;
    return r > 0 ? g / v_th * r : 0.0;
}

static double d_fast_sigmoid(double x, double g, double b, double v_th)
{
    double d = 1.0 + b * fabs(x);
    return g / (d * d);
}

static double d_exp(double x, double g, double b, double v_th) { return g * exp(-b * fabs(x)); }

static double d_atan(double x, double g, double b, double v_th)
{
    double u = b * 3.141592653589793 * x;
    return g / 3.141592653589793 / (1.0 + u * u);
}

/* Primitives (S(-inf) = 0), for the smooth relaxation. */
static double p_pwl(double x, double g, double b, double v_th)
{
    double w = v_th / b, h = g / v_th; /* support [-w, w], peak h */
    if (x <= -w) return 0;
    if (x >= w) return h * w;
    return x <= 0 ? h * (x + w) * (x + w) / (2 * w) : h * w - h * (w - x) * (w - x) / (2 * w);
}

static double p_fast_sigmoid(double x, double g, double b, double v_th)
{
    return g * (x / (1.0 + b * fabs(x)) + 1.0 / b);
}

static double p_exp(double x, double g, double b, double v_th)
{
    return x <= 0 ? g / b * exp(b * x) : g / b * (2.0 - exp(-b * x));
}

static double p_atan(double x, double g, double b, double v_th)
{
    const double pi = 3.141592653589793;
    return g / (pi * pi * b) * (atan(b * pi * x) + pi / 2);
}

const elig_surrogate elig_surrogate_pwl = {"pwl", 0.3, 1.0, d_pwl, p_pwl};
const elig_surrogate elig_surrogate_fast_sigmoid = {"fast_sigmoid", 1.0, 100.0, d_fast_sigmoid, p_fast_sigmoid};
const elig_surrogate elig_surrogate_exp = {"exp", 1.0, 5.0, d_exp, p_exp};
const elig_surrogate elig_surrogate_atan = {"atan", 1.0, 1.0, d_atan, p_atan};

const elig_surrogate *elig_surrogate_by_name(const char *name)
{
    static const elig_surrogate *all[] = {&elig_surrogate_pwl, &elig_surrogate_fast_sigmoid,
                                          &elig_surrogate_exp, &elig_surrogate_atan};
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}
