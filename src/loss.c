/* loss.c -- losses and their per-step errors.
 *
 *   mse      l_t = 1/2 sum_k (y_k,t - y*_k,t)^2                 dl/dy = y - y*
 *   ce       l_t = -sum_k y*_k log softmax(y_t)_k               dl/dy = softmax(y_t) sum(y*) - y*
 *   ce_mean  l   = CE(softmax(ybar)), ybar = mean_{t in W} y_t   dl/dy_t = (softmax(ybar) - y*)/|W|
 *   ce_max   l   = CE(softmax(ymax)), ymax_k = max_{t in W} y_k,t   dl/dy_k,t* = softmax - y*
 *   smooth_l1 l_t = sum_k huber(y_k,t - y*_k,t), huber(d) = d^2/2 if |d| < 1 else |d| - 1/2
 *
 * The reported loss (elig.h, elig_loss_cfg) is (1/batch) sum_b sum_{t in W} c_t l_{b,t} with
 * c_t = 1 or 1/|W|, accumulated in double. Softmax is computed with the max subtracted.
 * Cost: O(K) per batch element and step.
 */
#include "rule.h"

#include <math.h>
#include <string.h>

static double mse_eval(int K, const elig_real *y, const elig_real *tg, elig_real *g)
{
    double l = 0;
    for (int k = 0; k < K; k++) {
        elig_real d = y[k] - tg[k];
        g[k] = d;
        l += 0.5 * (double)d * (double)d;
    }
    return l;
}

static double ce_eval(int K, const elig_real *y, const elig_real *tg, elig_real *g)
{
    double m = y[0], s = 0, tsum = 0, l = 0;
    for (int k = 1; k < K; k++)
        if (y[k] > m) m = y[k];
    for (int k = 0; k < K; k++) s += exp((double)y[k] - m);
    double lse = m + log(s);
    for (int k = 0; k < K; k++) tsum += tg[k];
    for (int k = 0; k < K; k++) {
        double p = exp((double)y[k] - lse);
        g[k] = (elig_real)(p * tsum - tg[k]);
        if (tg[k] != 0) l -= tg[k] * ((double)y[k] - lse);
    }
    return l;
}

/* Huber with delta 1, "smooth L1" as in DECOLLE: quadratic within 1 of the target. */
static double sl1_eval(int K, const elig_real *y, const elig_real *tg, elig_real *g)
{
    double l = 0;
    for (int k = 0; k < K; k++) {
        elig_real d = y[k] - tg[k];
        if (d > -1 && d < 1) {
            g[k] = d;
            l += 0.5 * (double)d * (double)d;
        } else {
            g[k] = d > 0 ? 1 : -1;
            l += fabs((double)d) - 0.5;
        }
    }
    return l;
}

const elig_loss elig_loss_mse = {"mse", 0, mse_eval};
const elig_loss elig_loss_smooth_l1 = {"smooth_l1", 0, sl1_eval};
const elig_loss elig_loss_ce = {"ce", 0, ce_eval};
const elig_loss elig_loss_ce_mean = {"ce_mean", 1, ce_eval};
const elig_loss elig_loss_ce_max = {"ce_max", 2, ce_eval};

const elig_loss *elig_loss_by_name(const char *name)
{
    static const elig_loss *all[] = {&elig_loss_mse, &elig_loss_ce, &elig_loss_ce_mean, &elig_loss_ce_max,
                                     &elig_loss_smooth_l1};
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

const char *elig_loss_name(const elig_loss *l) { return l ? l->name : "(none)"; }
int elig_loss_is_per_step(const elig_loss *l) { return l && l->agg == 0; }
