/* bptt.c -- backpropagation through time: the offline exact reference.
 *
 * Forward: each step stores, for every batch element and layer, the partials the neuron
 * model supplied (D, dzr, dza, dc, dzdh), the spikes z_t, the input x_t and the error dL/dy_t
 * (memory O(T B sum_l n_l (s_l^2 + 4 s_l + 1)), sized by max_steps at create). Backward,
 * t = T-1 .. 0, l = L-1 .. 0 (adjoints written with a bar):
 *
 *   ybar_t   = err_t + kappa ybar_{t+1}         (the first readout stage; with a second stage:
 *              ybar2_t = err_t + kappa2 ybar2_{t+1}, ybar_t = s2 ybar2_t + kappa ybar_{t+1})
 *   zbar^l_t = dE_reg/dz + [l = L-1] s_out W_out^T ybar_t + [l < L-1] W_in^{l+1 T} cbar^{l+1}_t
 *            + W_rec^{l T} cbar^l_{t+1} + dzr_{t+1} . hbar^l_{t+1}   (all paths through z but adaptation)
 *   hbar^l_t = dzdh_t (zbar^l_t + dza_{t+1} . hbar^l_{t+1}) + D_{t+1}^T hbar^l_{t+1}
 *   cbar^l_t = dc_t . hbar^l_t
 *   dW_in += cbar pre_t^T,  dW_rec += cbar z_{t-1}^T,  db += cbar,  dW_out += s_out ybar z^L_t^T
 *
 * zbar (every path through z_t except the adaptation path, which e-prop keeps in its trace)
 * is kept for every step: it is the exact learning signal of e-prop's factorisation (Bellec
 * et al. 2020, eq. 1). Memory also holds it: T B sum_l n_l more reals.
 * Cost: O(P) per step and batch element forward (copies) and backward.
 */
#include "rule.h"

#include <string.h>

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    (void)net;
    (void)c;
    return ELIG_OK;
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    elig__bptt *s = &L->bptt;
    size_t B = (size_t)net->batch, o = 0, T = (size_t)c->max_steps;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n, ns = n * (size_t)net->layer[l].s;
        s->o_D[l] = o; o += B * ns * (size_t)net->layer[l].s;
        s->o_dzr[l] = o; o += B * ns;
        s->o_dza[l] = o; o += B * ns;
        s->o_dc[l] = o; o += B * ns;
        s->o_dzdh[l] = o; o += B * ns;
        s->o_z[l] = o; o += B * n;
    }
    s->o_x = o; o += B * (size_t)net->n_in;
    s->o_err = o; o += B * (size_t)net->n_out;
    s->step_stride = o;
    s->traj = elig__carve(a, T * o, sizeof(elig_real));
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n;
        s->hbar[l] = elig__carve(a, n * (size_t)net->layer[l].s, sizeof(elig_real));
        s->cbar[l] = elig__carve(a, n, sizeof(elig_real));
        s->cbar_next[l] = elig__carve(a, n, sizeof(elig_real));
        s->zbar[l] = elig__carve(a, T * B * n, sizeof(elig_real));
    }
    for (int l = 0; l < net->L; l++) {
        s->reg[l] = elig__carve(a, (size_t)net->layer[l].n, sizeof(elig_real));
        s->z0[l] = elig__carve(a, B * (size_t)net->layer[l].n, sizeof(elig_real));
    }
    s->ybar = elig__carve(a, (size_t)net->n_out, sizeof(elig_real));
    s->ybar2 = elig__carve(a, (size_t)net->n_out, sizeof(elig_real));
}

static void begin(elig_learner *L) { (void)L; }

static void step(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__bptt *s = &L->bptt;
    elig_real *st = s->traj + (size_t)L->t * s->step_stride;
    size_t B = (size_t)net->batch;
    if (L->t == 0) /* the output before the first step: 0, or a rate unit's h0 */
        for (int l = 0; l < net->L; l++) memcpy(s->z0[l], net->layer[l].z_prev, B * (size_t)net->layer[l].n * sizeof(elig_real));
    for (int l = 0; l < net->L; l++) {
        const elig__layer *ly = &net->layer[l];
        size_t ns = (size_t)ly->n * (size_t)ly->s;
        memcpy(st + s->o_D[l], ly->part.D, B * ns * (size_t)ly->s * sizeof(elig_real));
        memcpy(st + s->o_dzr[l], ly->part.dzr, B * ns * sizeof(elig_real));
        memcpy(st + s->o_dza[l], ly->part.dza, B * ns * sizeof(elig_real));
        memcpy(st + s->o_dc[l], ly->part.dc, B * ns * sizeof(elig_real));
        memcpy(st + s->o_dzdh[l], ly->part.dzdh, B * ns * sizeof(elig_real));
        memcpy(st + s->o_z[l], ly->z, B * (size_t)ly->n * sizeof(elig_real));
    }
    memcpy(st + s->o_x, net->x_last, B * (size_t)net->n_in * sizeof(elig_real));
    memcpy(st + s->o_err, L->err, B * (size_t)net->n_out * sizeof(elig_real));
}

/* Write the deferred errors of aggregated losses into the stored per-step errors. */
static void place_deferred(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__bptt *s = &L->bptt;
    const int B = net->batch, K = net->n_out, agg = L->cfg.loss.loss->agg;
    if (!agg) return;
    for (int t = L->wb; t < L->we; t++) {
        elig_real *e = s->traj + (size_t)t * s->step_stride + s->o_err;
        for (int i = 0; i < B * K; i++) {
            if (agg == 1) e[i] = L->delta[i] / (elig_real)(L->we - L->wb);
            else e[i] = L->argmax[i] == t ? L->delta[i] : 0;
        }
    }
}

static void end(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__bptt *s = &L->bptt;
    const int B = net->batch, K = net->n_out, T = L->T, Ln = net->L;
    const elig_real *P = net->params;
    elig_real *G = L->grad;
    const elig__layer *top = &net->layer[Ln - 1];
    const int nL = top->n;
    place_deferred(L);
    for (int l = 0; l < Ln; l++) elig__reg_dz(&L->cfg, net, l, T, s->reg[l]);
    for (int b = 0; b < B; b++) {
        for (int l = 0; l < Ln; l++) {
            memset(s->hbar[l], 0, (size_t)net->layer[l].n * net->layer[l].s * sizeof(elig_real));
            memset(s->cbar_next[l], 0, (size_t)net->layer[l].n * sizeof(elig_real));
        }
        memset(s->ybar, 0, (size_t)K * sizeof(elig_real));
        memset(s->ybar2, 0, (size_t)K * sizeof(elig_real));
        for (int t = T - 1; t >= 0; t--) {
            const elig_real *St = s->traj + (size_t)t * s->step_stride;
            const elig_real *Sn = t + 1 < T ? St + s->step_stride : NULL;
            const elig_real *Sp = t > 0 ? St - s->step_stride : NULL;
            const elig_real *err = St + s->o_err + (size_t)b * K;
            const elig_real *zt = St + s->o_z[Ln - 1] + (size_t)b * nL;
            if (net->two_stage)
                for (int k = 0; k < K; k++) {
                    s->ybar2[k] = err[k] + net->kappa2 * s->ybar2[k];
                    s->ybar[k] = net->out_scale2 * s->ybar2[k] + net->kappa * s->ybar[k];
                }
            else
                for (int k = 0; k < K; k++) s->ybar[k] = err[k] + net->kappa * s->ybar[k];
            for (int k = 0; k < K; k++) {
                elig_real yb = s->ybar[k] * net->out_scale;
                elig_real *g = G + net->off_wout + (size_t)k * nL;
                for (int i = 0; i < nL; i++) g[i] += yb * zt[i];
                if (net->off_bout != ELIG__ABSENT) G[net->off_bout + k] += s->ybar[k];
            }
            for (int l = Ln - 1; l >= 0; l--) {
                const elig__layer *ly = &net->layer[l];
                const int n = ly->n, sd = ly->s, np = ly->n_pre;
                const size_t bn = (size_t)b * n, bns = bn * sd;
                elig_real *hb = s->hbar[l], *cb = s->cbar[l];
                elig_real *zb = s->zbar[l] + ((size_t)t * B + b) * n;
                for (int i = 0; i < n; i++) zb[i] = s->reg[l][i]; /* rate regularisation */
                if (l == Ln - 1) {
                    const elig_real *Wo = P + net->off_wout;
                    for (int k = 0; k < K; k++) {
                        elig_real yb = s->ybar[k] * net->out_scale;
                        for (int i = 0; i < n; i++) zb[i] += Wo[(size_t)k * n + i] * yb;
                    }
                } else {
                    const elig__layer *up = &net->layer[l + 1];
                    const elig_real *Wu = P + up->off_win;
                    for (int i2 = 0; i2 < up->n; i2++) {
                        elig_real c2 = s->cbar[l + 1][i2];
                        if (c2 == 0) continue;
                        for (int i = 0; i < n; i++) zb[i] += Wu[(size_t)i2 * n + i] * c2;
                    }
                }
                if (ly->off_wrec != ELIG__ABSENT) {
                    const elig_real *Wr = P + ly->off_wrec;
                    for (int i2 = 0; i2 < n; i2++) {
                        elig_real c2 = s->cbar_next[l][i2];
                        if (c2 == 0) continue;
                        for (int i = 0; i < n; i++) zb[i] += Wr[(size_t)i2 * n + i] * c2;
                    }
                }
                const elig_real *dzdh = St + s->o_dzdh[l] + bns, *dc = St + s->o_dc[l] + bns;
                for (int i = 0; i < n; i++) {
                    elig_real hn[ELIG_MAX_STATE], zfull = zb[i];
                    if (Sn) {
                        const elig_real *dzr = Sn + s->o_dzr[l] + bns + (size_t)i * sd;
                        const elig_real *dza = Sn + s->o_dza[l] + bns + (size_t)i * sd;
                        for (int a = 0; a < sd; a++) {
                            zb[i] += dzr[a] * hb[i * sd + a];
                            zfull += (dzr[a] + dza[a]) * hb[i * sd + a];
                        }
                    }
                    for (int a = 0; a < sd; a++) {
                        elig_real v = dzdh[i * sd + a] * zfull;
                        if (Sn) {
                            const elig_real *D = Sn + s->o_D[l] + bns * sd + (size_t)i * sd * sd;
                            for (int a2 = 0; a2 < sd; a2++) v += D[a2 * sd + a] * hb[i * sd + a2];
                        }
                        hn[a] = v;
                    }
                    elig_real c = 0;
                    for (int a = 0; a < sd; a++) {
                        hb[i * sd + a] = hn[a];
                        c += dc[i * sd + a] * hn[a];
                    }
                    cb[i] = c;
                }
                /* parameter gradients of layer l at step t */
                const elig_real *pre = l == 0 ? St + s->o_x + (size_t)b * np : St + s->o_z[l - 1] + (size_t)b * np;
                elig_real *gin = G + ly->off_win;
                /* Sparse presynaptic activity (spike inputs: a few of hundreds active per step)
                 * takes the column path, O(n nnz); otherwise the dense rows vectorise (a
                 * per-element zero test inside them measured 2.8x slower). Both add the same
                 * products in the same order for every nonzero pre_j. */
                int nnz = 0;
                for (int j = 0; j < np && nnz * 8 <= np; j++) nnz += pre[j] != 0;
                if (nnz * 8 <= np) {
                    for (int j = 0; j < np; j++) {
                        const elig_real pj = pre[j];
                        if (pj == 0) continue;
                        for (int i = 0; i < n; i++) gin[(size_t)i * np + j] += cb[i] * pj;
                    }
                } else
                    for (int i = 0; i < n; i++) {
                        elig_real c = cb[i];
                        if (c == 0) continue;
                        elig_real *g = gin + (size_t)i * np;
                        for (int j = 0; j < np; j++) g[j] += c * pre[j];
                    }
                if (ly->off_wrec != ELIG__ABSENT) {
                    const elig_real *zp = Sp ? Sp + s->o_z[l] + bn : s->z0[l] + bn;
                    elig_real *grec = G + ly->off_wrec;
                    for (int i = 0; i < n; i++) {
                        elig_real c = cb[i];
                        if (c == 0) continue;
                        elig_real *g = grec + (size_t)i * n;
                        for (int j = 0; j < n; j++) g[j] += c * zp[j];
                    }
                }
                if (ly->off_b != ELIG__ABSENT)
                    for (int i = 0; i < n; i++) G[ly->off_b + i] += cb[i];
            }
            for (int l = 0; l < Ln; l++) {
                elig_real *tmp = s->cbar_next[l];
                s->cbar_next[l] = s->cbar[l];
                s->cbar[l] = tmp;
            }
        }
    }
}

const elig_real *elig__bptt_signal(const elig_learner *L, int layer)
{
    if (L->rule != &elig_rule_bptt || layer < 0 || layer >= L->net->L) return NULL;
    return L->bptt.zbar[layer];
}

const elig_rule elig_rule_bptt = {"bptt", 0, check, carve, NULL, begin, step, end, NULL, NULL};
