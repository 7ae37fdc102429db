/* rtrl.c -- real-time recurrent learning (Williams & Zipser 1989) on the neuron models'
 * partials: the full influence matrix carried forward, exact and online.
 *
 * For every batch element, layer l and core parameter column (Pc = parameters before W_out):
 *
 *   C^l_t   = W_rec^l Z^l_{t-1} + W_in^l Z^{l-1}_t + dc/dtheta|immediate    (n_l, Pc)
 *   M^l_t   = D_t M^l_{t-1} + (dzr_t + dza_t) Z^l_{t-1} + dc_t C^l_t         (n_l, s, Pc)
 *   Z^l_t   = dzdh_t . M^l_t                                                  (n_l, Pc)
 *   Y_t     = kappa Y_{t-1} + s_out W_out Z^L_t (+ s_out z_t, 1 on W_out, b_out columns)
 *             (a second readout stage adds Y2_t = kappa2 Y2_{t-1} + s2 Y_t, used for the loss)
 *   grad   += err_t^T Y_t      (per-step losses; aggregated ones keep the window mean or the
 *                               value at the max of Y and apply their error at the end)
 *
 * The neuron-local products use the partials (neuron.h); the explicit recurrence W_rec Z
 * and the inter-layer path W_in Z are the off-diagonal blocks of J_t.
 *
 * SnAp-n (Menick et al. 2021), snap_n > 0, one layer: after each step the entries M[u, q] are
 * zeroed unless neuron u is reachable from q's postsynaptic neuron within n-1 steps of the
 * structural graph (W_rec's connectivity mask, never its values, plus self-loops):
 * M_t = (J_t M_{t-1} + Mbar_t) . Mask_n. SnAp-1 keeps the neuron-local block (OSTL's traces
 * with the exact signal); for a dense W_rec, SnAp-2 is already full RTRL. This dense-storage
 * form has RTRL's cost; it is the reference the sparse kernels are tested against.
 * Memory: B (sum_l n_l (s_l + 2) Pc + K P) + (n_max + s_max) Pc reals, plus B K P for the
 * aggregated losses (ce_mean / ce_max) and for a second readout stage, sum_l n_l Pc for the
 * rate regulariser, and 2 n^2 bytes + Pc ints for SnAp's graph: about s n^3 for one dense
 * layer, checked against learner.mem_limit before allocating.
 * Cost per step: O(B sum_l n_l (n_l + n_{l-1} + s^2) Pc), about n^4 for one dense layer.
 */
#include "rule.h"

#include <string.h>

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    if (c->snap_n > 0 && net->L > 1)
        return elig__err(ELIG_EUNSUPPORTED, "learner.snap_n = %d needs a single layer (got %d layers)", c->snap_n, net->L);
    return ELIG_OK;
}

void elig__snap_reach(const unsigned char *adj, int n, int order, unsigned char *reach)
{
    /* breadth-first, one step of the graph per round; O(order n^3) at create time only */
    for (int i = 0; i < n; i++) {
        unsigned char *r = reach + (size_t)i * n;
        for (int u = 0; u < n; u++) r[u] = u == i;
        for (int k = 1; k < order; k++) {
            int grew = 0;
            for (int u = 0; u < n; u++) {
                if (r[u]) continue;
                for (int v = 0; v < n; v++)
                    if (r[v] == 1 && adj[(size_t)u * n + v]) {
                        r[u] = 2; /* reached in this round: counts from the next round on */
                        grew = 1;
                        break;
                    }
            }
            for (int u = 0; u < n; u++)
                if (r[u] == 2) r[u] = 1;
            if (!grew) break;
        }
    }
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    elig__rtrl *r = &L->rtrl;
    size_t B = (size_t)net->batch, Pc = net->n_core, P = net->n_params, nmax = 0, smax = 0;
    r->P = P;
    r->Pc = Pc;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n, s = (size_t)net->layer[l].s;
        r->M[l] = elig__carve(a, B * n * s * Pc, sizeof(elig_real));
        r->Z[l] = elig__carve(a, B * n * Pc, sizeof(elig_real));
        r->Zp[l] = elig__carve(a, B * n * Pc, sizeof(elig_real));
        nmax = ELIG__MAX(nmax, n);
        smax = ELIG__MAX(smax, s);
    }
    for (int l = 0; l < net->L; l++)
        r->Zsum[l] = c->reg_rate > 0 && net->layer[l].m->spiking
                         ? elig__carve(a, (size_t)net->layer[l].n * Pc, sizeof(elig_real)) : NULL;
    r->reg = elig__carve(a, nmax, sizeof(elig_real));
    r->C = elig__carve(a, nmax * Pc, sizeof(elig_real));
    r->tmp = elig__carve(a, smax * Pc, sizeof(elig_real));
    r->Y = elig__carve(a, B * (size_t)net->n_out * P, sizeof(elig_real));
    r->Y2 = net->two_stage ? elig__carve(a, B * (size_t)net->n_out * P, sizeof(elig_real)) : r->Y;
    r->S = c->loss.loss && c->loss.loss->agg ? elig__carve(a, B * (size_t)net->n_out * P, sizeof(elig_real)) : NULL;
    if (c->snap_n > 0) {
        size_t n = (size_t)net->layer[0].n;
        r->reach = elig__carve(a, n * n, 1);
        r->adj = elig__carve(a, n * n, 1);
        r->post = elig__carve(a, Pc, sizeof(int32_t));
    }
}

/* SnAp: the structural graph of one layer (W_rec's mask plus self-loops: every neuron keeps
 * its own state) and the postsynaptic neuron of every core parameter. */
static void init(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__rtrl *r = &L->rtrl;
    if (!r->reach) return;
    const elig__layer *ly = &net->layer[0];
    const int n = ly->n, np = ly->n_pre;
    for (int u = 0; u < n; u++)
        for (int v = 0; v < n; v++)
            r->adj[(size_t)u * n + v] = u == v || (ly->off_wrec != ELIG__ABSENT && net->mask[ly->off_wrec + (size_t)u * n + v]);
    elig__snap_reach(r->adj, n, L->cfg.snap_n, r->reach);
    for (size_t q = 0; q < r->Pc; q++) {
        if (q >= ly->off_win && q < ly->off_win + (size_t)n * np) r->post[q] = (int32_t)((q - ly->off_win) / np);
        else if (ly->off_wrec != ELIG__ABSENT && q >= ly->off_wrec && q < ly->off_wrec + (size_t)n * n)
            r->post[q] = (int32_t)((q - ly->off_wrec) / n);
        else r->post[q] = (int32_t)(q - ly->off_b);
    }
}

static void begin(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__rtrl *r = &L->rtrl;
    size_t B = (size_t)net->batch;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n, s = (size_t)net->layer[l].s;
        memset(r->M[l], 0, B * n * s * r->Pc * sizeof(elig_real));
        memset(r->Z[l], 0, B * n * r->Pc * sizeof(elig_real));
        memset(r->Zp[l], 0, B * n * r->Pc * sizeof(elig_real));
        if (r->Zsum[l]) memset(r->Zsum[l], 0, n * r->Pc * sizeof(elig_real));
    }
    memset(r->Y, 0, B * (size_t)net->n_out * r->P * sizeof(elig_real));
    if (r->Y2 != r->Y) memset(r->Y2, 0, B * (size_t)net->n_out * r->P * sizeof(elig_real));
    if (r->S) memset(r->S, 0, B * (size_t)net->n_out * r->P * sizeof(elig_real));
}

/* dst += w * src over n columns */
static inline void axpy(elig_real *restrict dst, elig_real w, const elig_real *restrict src, size_t n)
{
    for (size_t q = 0; q < n; q++) dst[q] += w * src[q];
}

static void step(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__rtrl *r = &L->rtrl;
    const int B = net->batch, K = net->n_out, Ln = net->L;
    const size_t Pc = r->Pc, P = r->P;
    const elig_real *Pm = net->params;
    for (int l = 0; l < Ln; l++) {
        elig_real *t = r->Zp[l]; r->Zp[l] = r->Z[l]; r->Z[l] = t;
    }
    for (int b = 0; b < B; b++) {
        for (int l = 0; l < Ln; l++) {
            const elig__layer *ly = &net->layer[l];
            const int n = ly->n, s = ly->s, np = ly->n_pre;
            const size_t bn = (size_t)b * n;
            elig_real *M = r->M[l] + bn * s * Pc, *Z = r->Z[l] + bn * Pc;
            const elig_real *Zp = r->Zp[l] + bn * Pc;
            const elig_real *pre = elig__pre(net, l) + (size_t)b * np;
            const elig_real *zprev = ly->z_prev + bn;
            /* rows of Z_{t-1} are exactly zero where dz/dh was zero at t-1 (no surrogate
             * support, refractory): skip them, which leaves every sum unchanged */
            const elig_real *dzp = ly->dzdh_prev + bn * s;
            /* C = dc/dtheta */
            elig_real *C = r->C;
            memset(C, 0, (size_t)n * Pc * sizeof(elig_real));
            for (int i = 0; i < n; i++) {
                elig_real *Ci = C + (size_t)i * Pc;
                if (ly->off_wrec != ELIG__ABSENT) {
                    const elig_real *w = Pm + ly->off_wrec + (size_t)i * n;
                    for (int j = 0; j < n; j++) {
                        int live = 0;
                        for (int a = 0; a < s; a++) live |= dzp[(size_t)j * s + a] != 0;
                        if (w[j] != 0 && live) axpy(Ci, w[j], Zp + (size_t)j * Pc, Pc);
                    }
                }
                if (l > 0) {
                    const elig_real *w = Pm + ly->off_win + (size_t)i * np;
                    const elig_real *Zl = r->Z[l - 1] + (size_t)b * np * Pc;
                    for (int j = 0; j < np; j++)
                        if (w[j] != 0) axpy(Ci, w[j], Zl + (size_t)j * Pc, Pc);
                }
                for (int j = 0; j < np; j++) Ci[ly->off_win + (size_t)i * np + j] += pre[j];
                if (ly->off_wrec != ELIG__ABSENT)
                    for (int j = 0; j < n; j++) Ci[ly->off_wrec + (size_t)i * n + j] += zprev[j];
                if (ly->off_b != ELIG__ABSENT) Ci[ly->off_b + i] += 1;
            }
            /* M = D M + (dzr + dza) Zp + dc C ; Z = dzdh . M */
            const size_t bs = bn * s;
            for (int i = 0; i < n; i++) {
                const elig_real *D = ly->part.D + (bs + (size_t)i * s) * s;
                const elig_real *dzr = ly->part.dzr + bs + (size_t)i * s, *dza = ly->part.dza + bs + (size_t)i * s;
                const elig_real *dc = ly->part.dc + bs + (size_t)i * s, *dzdh = ly->part.dzdh + bs + (size_t)i * s;
                elig_real *Mi = M + (size_t)i * s * Pc, *tmp = r->tmp;
                memset(tmp, 0, (size_t)s * Pc * sizeof(elig_real));
                for (int a = 0; a < s; a++) {
                    elig_real *ta = tmp + (size_t)a * Pc;
                    for (int a2 = 0; a2 < s; a2++)
                        if (D[a * s + a2] != 0) axpy(ta, D[a * s + a2], Mi + (size_t)a2 * Pc, Pc);
                    elig_real dz = dzr[a] + dza[a];
                    int live = 0;
                    for (int a2 = 0; a2 < s; a2++) live |= dzp[(size_t)i * s + a2] != 0;
                    if (dz != 0 && live) axpy(ta, dz, Zp + (size_t)i * Pc, Pc);
                    if (dc[a] != 0) axpy(ta, dc[a], C + (size_t)i * Pc, Pc);
                }
                memcpy(Mi, tmp, (size_t)s * Pc * sizeof(elig_real));
                if (r->reach) /* SnAp-n: keep the entries of parameters whose neuron reaches i */
                    for (size_t q = 0; q < Pc; q++)
                        if (!r->reach[(size_t)r->post[q] * n + i])
                            for (int a = 0; a < s; a++) Mi[(size_t)a * Pc + q] = 0;
                elig_real *Zi = Z + (size_t)i * Pc;
                memset(Zi, 0, Pc * sizeof(elig_real));
                for (int a = 0; a < s; a++)
                    if (dzdh[a] != 0) axpy(Zi, dzdh[a], Mi + (size_t)a * Pc, Pc);
                if (r->Zsum[l]) axpy(r->Zsum[l] + (size_t)i * Pc, 1, Zi, Pc);
            }
        }
        /* readout influence */
        const elig__layer *top = &net->layer[Ln - 1];
        const int nL = top->n;
        const elig_real *ZL = r->Z[Ln - 1] + (size_t)b * nL * Pc, *zt = top->z + (size_t)b * nL;
        const elig_real *Wo = Pm + net->off_wout;
        for (int k = 0; k < K; k++) {
            elig_real *Yk = r->Y + ((size_t)b * K + k) * P;
            for (size_t q = 0; q < P; q++) Yk[q] *= net->kappa;
            for (int i = 0; i < nL; i++) {
                elig_real w = Wo[(size_t)k * nL + i] * net->out_scale;
                if (w != 0) axpy(Yk, w, ZL + (size_t)i * Pc, Pc);
                Yk[net->off_wout + (size_t)k * nL + i] += net->out_scale * zt[i];
            }
            if (net->off_bout != ELIG__ABSENT) Yk[net->off_bout + k] += 1;
            if (net->two_stage) { /* y = kappa2 y + s2 y1 */
                elig_real *Y2k = r->Y2 + ((size_t)b * K + k) * P;
                for (size_t q = 0; q < P; q++) Y2k[q] = net->kappa2 * Y2k[q] + net->out_scale2 * Yk[q];
                Yk = Y2k;
            }
            int agg = L->cfg.loss.loss->agg;
            if (!agg) {
                elig_real e = L->err[(size_t)b * K + k];
                if (e != 0) axpy(L->grad, e, Yk, P);
            } else if (elig__in_window(L, L->t)) {
                elig_real *Sk = r->S + ((size_t)b * K + k) * P;
                if (agg == 1) axpy(Sk, (elig_real)1 / (elig_real)(L->we - L->wb), Yk, P);
                else if (L->argmax[(size_t)b * K + k] == L->t) memcpy(Sk, Yk, P * sizeof(elig_real));
            }
        }
    }
}

static void end(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__rtrl *r = &L->rtrl;
    for (int l = 0; l < net->L; l++) { /* rate regularisation: dE_reg/dz . sum_{b,t} dz/dtheta */
        if (!r->Zsum[l]) continue;
        elig__reg_dz(&L->cfg, net, l, L->T, r->reg);
        for (int i = 0; i < net->layer[l].n; i++)
            if (r->reg[i] != 0) axpy(L->grad, r->reg[i], r->Zsum[l] + (size_t)i * r->Pc, r->Pc);
    }
    if (!L->cfg.loss.loss->agg) return;
    for (int i = 0; i < net->batch * net->n_out; i++)
        if (L->delta[i] != 0) axpy(L->grad, L->delta[i], r->S + (size_t)i * r->P, r->P);
}

const elig_rule elig_rule_rtrl = {"rtrl", 1, check, carve, init, begin, step, end, NULL, NULL};
