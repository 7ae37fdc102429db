/* yinyang.c -- the Yin-Yang data set (Kriener, Göltz & Petrovici 2022,
 * lkriener/yin_yang_data_set, MIT): the published split read from its .npy files, and a
 * seeded generator with the same rules (datasets.md §1).
 *
 *   class(x, y): dR, dL = distances to the dot centres (1.5 r_big, r_big), (0.5 r_big, r_big)
 *                2 (dot)  if dR < r_small or dL < r_small
 *                1 (yin)  if dR <= r_small or r_small < dL <= r_big/2 or (y > r_big and dR > r_big/2)
 *                0 (yang) otherwise
 *   sample:      goal ~ U{0,1,2}; draw (x, y) ~ U(0, 2 r_big)^2 until it lies in the big
 *                circle and class(x, y) == goal; features (x, y, 1-x, 1-y)
 *
 * The generator draws from elig_rng, not numpy's legacy RNG: statistically equivalent, not
 * the same numbers; the .npy files are the published split. Cost: about 1/p draws per sample,
 * p the area fraction of its class (>= 6 % for the published radii); capped at 2^24 draws.
 */
#include "data_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YY_MAX_DRAWS (1L << 24)
#define YY_MAX_SAMPLES ((size_t)1 << 24)
#define YY_TOL 1e-6 /* x + (1-x) = 1 within float rounding of the stored doubles */

int elig_yinyang_class(double x, double y, double r_big, double r_small)
{
    /* sqrt of the squares, as the reference (np.sqrt), not hypot: the same boundary points */
    double dR = sqrt((x - 1.5 * r_big) * (x - 1.5 * r_big) + (y - r_big) * (y - r_big));
    double dL = sqrt((x - 0.5 * r_big) * (x - 0.5 * r_big) + (y - r_big) * (y - r_big));
    if (dR < r_small || dL < r_small) return 2;
    int yin = dR <= r_small || (dL > r_small && dL <= 0.5 * r_big) || (y > r_big && dR > 0.5 * r_big);
    return yin;
}

int elig_yinyang_generate(uint64_t seed, size_t n, double r_big, double r_small, elig_real *x, int32_t *labels)
{
    if (n && (!x || !labels)) return elig__err(ELIG_EINVAL, "yinyang: x and labels must not be NULL");
    if (!(r_big > 0) || !isfinite(r_big)) return elig__err(ELIG_EINVAL, "yinyang: r_big must be > 0 (got %g)", r_big);
    if (!(r_small > 0) || !(r_small < 0.5 * r_big))
        return elig__err(ELIG_EINVAL, "yinyang: r_small must be in (0, r_big/2) (got %g, r_big %g)", r_small, r_big);
    elig_rng rng;
    elig_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) {
        int goal = (int)(elig_rng_uniform(&rng) * 3.0);
        double px = 0, py = 0;
        long tries = 0;
        for (;;) {
            if (++tries > YY_MAX_DRAWS)
                return elig__err(ELIG_EINVAL, "yinyang: no point of class %d in 2^24 draws (r_small %g too small?)", goal, r_small);
            px = elig_rng_uniform(&rng) * 2.0 * r_big;
            py = elig_rng_uniform(&rng) * 2.0 * r_big;
            double d = sqrt((px - r_big) * (px - r_big) + (py - r_big) * (py - r_big));
            if (d <= r_big && elig_yinyang_class(px, py, r_big, r_small) == goal) break;
        }
        elig_real *f = x + 4 * i;
        f[0] = (elig_real)px;
        f[1] = (elig_real)py;
        f[2] = (elig_real)(1.0 - px);
        f[3] = (elig_real)(1.0 - py);
        labels[i] = goal;
    }
    return ELIG_OK;
}

int elig_yinyang_load(const char *dir, const char *split, elig_real **x, int32_t **labels, size_t *n)
{
    if (!x || !labels || !n) return elig__err(ELIG_EINVAL, "yinyang: x, labels and n must not be NULL");
    *x = NULL;
    *labels = NULL;
    *n = 0;
    if (!dir || !split) return elig__err(ELIG_EINVAL, "yinyang: dir and split must not be NULL");
    if (strcmp(split, "train") && strcmp(split, "validation") && strcmp(split, "test"))
        return elig__err(ELIG_EINVAL, "yinyang: split must be train, validation or test (got '%.40s')", split);
    char ps[4096], pl[4096];
    if ((size_t)snprintf(ps, sizeof ps, "%s/%s_samples.npy", dir, split) >= sizeof ps ||
        (size_t)snprintf(pl, sizeof pl, "%s/%s_labels.npy", dir, split) >= sizeof pl)
        return elig__err(ELIG_EINVAL, "yinyang: dir is longer than 4000 bytes");
    elig_npy_info is, il;
    elig_real *xs = NULL;
    int32_t *ys = NULL;
    int rc = elig_npy_read_real(ps, &is, &xs, 4 * YY_MAX_SAMPLES);
    if (rc) return rc;
    if (is.ndim != 2 || is.shape[1] != 4) {
        rc = elig__err(ELIG_EFORMAT, "yinyang: %s: shape is not (N, 4) (ndim %d, last dimension %lld)", ps, is.ndim,
                       (long long)(is.ndim ? is.shape[is.ndim - 1] : 0));
        goto fail;
    }
    size_t N = (size_t)is.shape[0];
    if ((rc = elig_npy_read_i32(pl, &il, &ys, YY_MAX_SAMPLES))) goto fail;
    if (il.ndim != 1 || (size_t)il.shape[0] != N) {
        rc = elig__err(ELIG_EFORMAT, "yinyang: %s: shape is not (%zu,) like the samples (ndim %d, first dimension %lld)", pl, N,
                       il.ndim, (long long)(il.ndim ? il.shape[0] : 0));
        goto fail;
    }
    for (size_t i = 0; i < N; i++) {
        if (ys[i] < 0 || ys[i] > 2) {
            rc = elig__err(ELIG_EFORMAT, "yinyang: %s: label %zu = %d is not 0, 1 or 2", pl, i, ys[i]);
            goto fail;
        }
        const elig_real *f = xs + 4 * i;
        for (int k = 0; k < 4; k++)
            if (!(f[k] >= 0 && f[k] <= 1)) {
                rc = elig__err(ELIG_EFORMAT, "yinyang: %s: sample %zu, feature %d = %g is outside [0, 1]", ps, i, k, (double)f[k]);
                goto fail;
            }
        if (fabs((double)f[0] + (double)f[2] - 1.0) > YY_TOL || fabs((double)f[1] + (double)f[3] - 1.0) > YY_TOL) {
            rc = elig__err(ELIG_EFORMAT, "yinyang: %s: sample %zu is not (x, y, 1-x, 1-y)", ps, i);
            goto fail;
        }
    }
    *x = xs;
    *labels = ys;
    *n = N;
    return ELIG_OK;
fail:
    free(xs);
    free(ys);
    return rc;
}
