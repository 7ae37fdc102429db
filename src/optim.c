/* optim.c -- first-order optimisers over one flat parameter vector: SGD, Adam and RMAX.
 *
 *   clip_norm > 0:   g <- g * clip_norm / ||g||_2   when ||g||_2 > clip_norm (norm summed in double)
 *   SGD:             p <- p - lr g
 *   Adam (TF/NEST):  m <- b1 m + (1 - b1) g
 *                    v <- b2 v + (1 - b2) g^2
 *                    t <- t + 1
 *                    lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
 *                    p <- p - lr_t m / (sqrt(v) + eps)
 *   RMAX:            v <- max(g^2, b2 v);  p <- p - lr g / (sqrt(v) + eps)
 *                    (SuperSpike's per-parameter RMS normalisation, Zenke & Ganguli 2018)
 *   clip_weight > 0: p <- clamp(p, -w, w)
 *
 * The epsilon sits on sqrt(v), not on the bias-corrected sqrt(v_hat) as in Kingma & Ba: this is
 * the convention of TensorFlow's Adam that the e-prop tutorials used (and NEST's port), so losses
 * per iteration can be compared with theirs. b1^t and b2^t are running products kept in double,
 * so the step never calls pow.
 *
 * Memory: one block holding the object and, for Adam, m and v (n_params each); RMAX keeps v. The step does
 * arithmetic only: no allocation, no validation. Cost per step: O(n_params), one extra pass when
 * clip_norm is set.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

struct elig_optim {
    elig_optim_cfg cfg;
    size_t n;          /* parameters                         */
    long t;            /* Adam steps taken since reset       */
    double b1t, b2t;   /* beta1^t, beta2^t                   */
    elig_real *m, *v;  /* (n) Adam moments, NULL for SGD     */
    void *mem;         /* the block this object lives in     */
};

elig_optim_cfg elig_optim_cfg_default(void)
{
    elig_optim_cfg c;
    memset(&c, 0, sizeof c);
    c.kind = ELIG_OPTIM_ADAM;
    c.lr = 1e-3;
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.eps = 1e-8;
    c.clip_norm = 0;
    c.clip_weight = 0;
    return c;
}

/* Field checks. Adam's beta1/beta2/eps are checked only for Adam: SGD ignores them. */
static int check(const elig_optim_cfg *c, size_t n_params)
{
    elig__clear_err();
    if (!c) return elig__err(ELIG_EINVAL, "optim config is NULL");
    if (c->kind != ELIG_OPTIM_SGD && c->kind != ELIG_OPTIM_ADAM && c->kind != ELIG_OPTIM_RMAX)
        return elig__err(ELIG_EINVAL, "optim.kind must be sgd (%d), adam (%d) or rmax (%d) (got %d)", ELIG_OPTIM_SGD,
                         ELIG_OPTIM_ADAM, ELIG_OPTIM_RMAX, c->kind);
    if (!(c->lr >= 0) || !isfinite(c->lr)) return elig__err(ELIG_EINVAL, "optim.lr must be >= 0 and finite (got %g)", c->lr);
    if (c->kind == ELIG_OPTIM_RMAX) {
        if (!(c->beta2 >= 0 && c->beta2 < 1)) return elig__err(ELIG_EINVAL, "optim.beta2 must be in [0, 1) (got %g)", c->beta2);
        if (!(c->eps > 0) || !isfinite(c->eps)) return elig__err(ELIG_EINVAL, "optim.eps must be > 0 and finite (got %g)", c->eps);
    }
    if (c->kind == ELIG_OPTIM_ADAM) {
        if (!(c->beta1 >= 0 && c->beta1 < 1)) return elig__err(ELIG_EINVAL, "optim.beta1 must be in [0, 1) (got %g)", c->beta1);
        if (!(c->beta2 >= 0 && c->beta2 < 1)) return elig__err(ELIG_EINVAL, "optim.beta2 must be in [0, 1) (got %g)", c->beta2);
        if (!(c->eps > 0) || !isfinite(c->eps)) return elig__err(ELIG_EINVAL, "optim.eps must be > 0 and finite (got %g)", c->eps);
    }
    if (!(c->clip_norm >= 0) || !isfinite(c->clip_norm))
        return elig__err(ELIG_EINVAL, "optim.clip_norm must be >= 0 and finite, 0 = off (got %g)", c->clip_norm);
    if (!(c->clip_weight >= 0) || !isfinite(c->clip_weight))
        return elig__err(ELIG_EINVAL, "optim.clip_weight must be >= 0 and finite, 0 = off (got %g)", c->clip_weight);
    if (n_params < 1) return elig__err(ELIG_EINVAL, "optim n_params must be >= 1 (got %zu)", n_params);
    /* Both moments must fit in size_t with the header and alignment slack. */
    size_t bytes;
    if (elig__mul(n_params, 2 * sizeof(elig_real), &bytes) || bytes > SIZE_MAX / 2)
        return elig__err(ELIG_EINVAL, "optim n_params too large (got %zu)", n_params);
    return ELIG_OK;
}

/* Carve the object and its arrays; with a->base == NULL this only counts. */
static elig_optim *carve(const elig_optim_cfg *c, size_t n, elig__arena *a)
{
    elig_optim *o = elig__carve(a, 1, sizeof(elig_optim));
    elig_real *m = NULL, *v = NULL;
    if (c->kind == ELIG_OPTIM_ADAM) m = elig__carve(a, n, sizeof(elig_real));
    if (c->kind != ELIG_OPTIM_SGD) v = elig__carve(a, n, sizeof(elig_real));
    if (o) {
        o->m = m;
        o->v = v;
    }
    return o;
}

size_t elig_optim_bytes(const elig_optim_cfg *cfg, size_t n_params)
{
    if (check(cfg, n_params)) return 0;
    elig__arena a = {NULL, 0};
    carve(cfg, n_params, &a);
    return a.used + 64; /* slack to align the block's start to 64 bytes */
}

int elig_optim_create(const elig_optim_cfg *cfg, size_t n_params, elig_optim **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_optim_create: out is NULL");
    *out = NULL;
    if ((rc = check(cfg, n_params))) return rc;
    size_t bytes = elig_optim_bytes(cfg, n_params);
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "optim: cannot allocate %zu bytes", bytes);
    elig__arena a = {(char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u), 0};
    elig_optim *o = carve(cfg, n_params, &a);
    o->cfg = *cfg;
    o->n = n_params;
    o->mem = mem;
    elig_optim_reset(o);
    *out = o;
    return ELIG_OK;
}

void elig_optim_free(elig_optim *o)
{
    if (o) elig__free(o->mem);
}

void elig_optim_reset(elig_optim *o)
{
    o->t = 0;
    o->b1t = 1.0;
    o->b2t = 1.0;
    if (o->m) memset(o->m, 0, o->n * sizeof(elig_real));
    if (o->v) memset(o->v, 0, o->n * sizeof(elig_real));
}

void elig_optim_step(elig_optim *o, elig_real *restrict p, elig_real *restrict g)
{
    const size_t n = o->n;
    const elig_optim_cfg *c = &o->cfg;
    if (c->clip_norm > 0) {
        double ss = 0;
        for (size_t i = 0; i < n; i++) ss += (double)g[i] * (double)g[i];
        double norm = sqrt(ss);
        if (norm > c->clip_norm) {
            double s = c->clip_norm / norm;
            for (size_t i = 0; i < n; i++) g[i] = (elig_real)((double)g[i] * s);
        }
    }
    if (c->kind == ELIG_OPTIM_SGD) {
        const double lr = c->lr;
        for (size_t i = 0; i < n; i++) p[i] = (elig_real)((double)p[i] - lr * (double)g[i]);
    } else if (c->kind == ELIG_OPTIM_RMAX) {
        elig_real *restrict v = o->v;
        const double b2 = c->beta2, eps = c->eps, lr = c->lr;
        for (size_t i = 0; i < n; i++) {
            double gi = (double)g[i], vi = fmax(gi * gi, b2 * (double)v[i]);
            v[i] = (elig_real)vi;
            p[i] = (elig_real)((double)p[i] - lr * gi / (sqrt(vi) + eps));
        }
    } else {
        elig_real *restrict m = o->m, *restrict v = o->v;
        const double b1 = c->beta1, b2 = c->beta2, eps = c->eps;
        o->t++;
        o->b1t *= b1;
        o->b2t *= b2;
        const double lr_t = c->lr * sqrt(1.0 - o->b2t) / (1.0 - o->b1t);
        for (size_t i = 0; i < n; i++) {
            double gi = (double)g[i];
            double mi = b1 * (double)m[i] + (1.0 - b1) * gi;
            double vi = b2 * (double)v[i] + (1.0 - b2) * gi * gi;
            m[i] = (elig_real)mi;
            v[i] = (elig_real)vi;
            p[i] = (elig_real)((double)p[i] - lr_t * mi / (sqrt(vi) + eps));
        }
    }
    if (c->clip_weight > 0) {
        const elig_real w = (elig_real)c->clip_weight;
        for (size_t i = 0; i < n; i++) p[i] = p[i] > w ? w : (p[i] < -w ? -w : p[i]);
    }
}
