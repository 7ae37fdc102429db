/* snap.c -- SnAp-n (Menick et al., ICLR 2021) with sparse storage: RTRL restricted to the
 * influence entries that the structural graph can fill within n steps.
 *
 * One layer of n neurons. Parameter q of neuron i's row (its inputs, recurrent synapses and
 * bias; Q of them) can influence, within n-1 steps of the connectivity graph (W_rec's mask
 * plus self-loops), only the neurons of R(i) (elig__snap_reach). So for every neuron i the
 * influence block M_i (|R(i)|, s, Q) and the spike sensitivities Z_i (|R(i)|, Q) are stored
 * densely, and nothing else:
 *
 *   C_u[q]   = sum_{j in R(i)} W_rec[u, j] Zp_i[j][q]  +  [u = i] pre_q          u in R(i)
 *   M_u      = D_u M_u + (dzr_u + dza_u) Zp_i[u] + dc_u C_u
 *   Z_i[u]   = dzdh_u . M_u
 *   Y_i[k]   = kappa Y_i[k] + s_out sum_{u in R(i)} W_out[k, u] Z_i[u]
 *   grad_iq += sum_k err_k Y_i[k][q];   readout parameters get err_t (filtered z_t)^T exactly
 *
 * This is the same recursion as rtrl.c with its dense Mask_n (the reference it is tested
 * against), at a cost of sum_i sum_{u in R(i)} (|in(u) & R(i)| + s^2 + 3s) Q per step instead
 * of n^2 (n + ...) P. SnAp-1 has |R(i)| = 1: the block-diagonal traces. SnAp-2 with density
 * d has |R(i)| ~ 1 + d n. Memory: B (sum_i |R(i)| (s + 2) Q + K n Q) reals plus the lists.
 * Per-step losses, one readout stage; rate regularisation included.
 */
#include "rule.h"

#include <string.h>

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    if (c->snap_n < 1)
        return elig__err(ELIG_EINVAL, "learner.snap_n must be >= 1 for the snap rule (got %d)", c->snap_n);
    if (net->L > 1)
        return elig__err(ELIG_EUNSUPPORTED, "learner.snap_n = %d needs a single layer (got %d layers)", c->snap_n, net->L);
    if (net->two_stage)
        return elig__err(ELIG_EUNSUPPORTED, "snap: net.tau_out2 (a second readout stage) is not supported; use rtrl with snap_n");
    if (c->loss.loss && c->loss.loss->agg)
        return elig__err(ELIG_EUNSUPPORTED, "snap: loss.kind = %s (aggregated) is not supported; use a per-step loss or rtrl with snap_n",
                         c->loss.loss->name);
    return ELIG_OK;
}

/* Reachable sets from the structural graph; with a->base == NULL only the sizes are known
 * after the first pass, so the lists are computed into scratch (reach) once both exist. */
static size_t total_reach(const elig_net *net, int order, unsigned char *adj, unsigned char *reach)
{
    const elig__layer *ly = &net->layer[0];
    const int n = ly->n;
    for (int u = 0; u < n; u++)
        for (int v = 0; v < n; v++)
            adj[(size_t)u * n + v] = u == v || (ly->off_wrec != ELIG__ABSENT && net->mask[ly->off_wrec + (size_t)u * n + v]);
    elig__snap_reach(adj, n, order, reach);
    size_t tot = 0;
    for (size_t k = 0; k < (size_t)n * n; k++) tot += reach[k];
    return tot;
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    elig__snap *s = &L->snap;
    const elig__layer *ly = &net->layer[0];
    const size_t n = (size_t)ly->n, sd = (size_t)ly->s, B = (size_t)net->batch, K = (size_t)net->n_out;
    const size_t Q = (size_t)ly->n_pre + (ly->off_wrec != ELIG__ABSENT ? n : 0) + (ly->off_b != ELIG__ABSENT ? 1 : 0);
    s->Q = (int)Q;
    s->adj = elig__carve(a, n * n, 1);
    s->reach = elig__carve(a, n * n, 1);
    /* The number of tracked (i, u) pairs decides every size: count it now (create time) on
     * scratch memory when the arena is only counting. */
    size_t R;
    if (a->base) R = total_reach(net, c->snap_n, s->adj, s->reach);
    else { /* sizing needs the graph: 2 n^2 bytes of scratch, freed at once (create time only;
            * without it the worst case n^2 pairs is assumed, never fewer than needed) */
        unsigned char *tmp = elig__malloc(2 * n * n);
        R = tmp ? total_reach(net, c->snap_n, tmp, tmp + n * n) : n * n;
        elig__free(tmp);
    }
    s->R = R;
    s->roff = elig__carve(a, n + 1, sizeof(int32_t));
    s->ridx = elig__carve(a, R, sizeof(int32_t));
    s->M = elig__carve(a, B * R * sd * Q, sizeof(elig_real));
    s->Z = elig__carve(a, B * R * Q, sizeof(elig_real));
    s->Zp = elig__carve(a, B * R * Q, sizeof(elig_real));
    s->Y = elig__carve(a, B * n * K * Q, sizeof(elig_real));
    s->C = elig__carve(a, Q, sizeof(elig_real));
    s->tmp = elig__carve(a, sd * Q, sizeof(elig_real));
    s->Zsum = c->reg_rate > 0 && ly->m->spiking ? elig__carve(a, R * Q, sizeof(elig_real)) : NULL;
    s->reg = elig__carve(a, n, sizeof(elig_real));
    s->zout = elig__carve(a, B * n, sizeof(elig_real));
    s->one = elig__carve(a, B, sizeof(elig_real));
}

static void init(elig_learner *L)
{
    elig__snap *s = &L->snap;
    const int n = L->net->layer[0].n;
    total_reach(L->net, L->cfg.snap_n, s->adj, s->reach);
    int32_t k = 0;
    for (int i = 0; i < n; i++) {
        s->roff[i] = k;
        for (int u = 0; u < n; u++)
            if (s->reach[(size_t)i * n + u]) s->ridx[k++] = u;
    }
    s->roff[n] = k;
}

static void begin(elig_learner *L)
{
    elig__snap *s = &L->snap;
    const elig_net *net = L->net;
    const size_t B = (size_t)net->batch, Q = (size_t)s->Q, sd = (size_t)net->layer[0].s, n = (size_t)net->layer[0].n;
    memset(s->M, 0, B * s->R * sd * Q * sizeof(elig_real));
    memset(s->Z, 0, B * s->R * Q * sizeof(elig_real));
    memset(s->Zp, 0, B * s->R * Q * sizeof(elig_real));
    memset(s->Y, 0, B * n * (size_t)net->n_out * Q * sizeof(elig_real));
    if (s->Zsum) memset(s->Zsum, 0, s->R * Q * sizeof(elig_real));
    memset(s->zout, 0, B * n * sizeof(elig_real));
    memset(s->one, 0, B * sizeof(elig_real));
}

static inline void axpy(elig_real *restrict dst, elig_real w, const elig_real *restrict src, size_t m)
{
    for (size_t q = 0; q < m; q++) dst[q] += w * src[q];
}

static void step(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__snap *s = &L->snap;
    const elig__layer *ly = &net->layer[0];
    const int n = ly->n, sd = ly->s, np = ly->n_pre, K = net->n_out, B = net->batch;
    const int nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
    const size_t Q = (size_t)s->Q, R = s->R;
    const elig_real *P = net->params, *Wr = nrec ? P + ly->off_wrec : NULL, *Wo = P + net->off_wout;
    elig_real *G = L->grad;
    elig_real *t = s->Zp; s->Zp = s->Z; s->Z = t;
    for (int b = 0; b < B; b++) {
        const size_t bn = (size_t)b * n, bns = bn * sd;
        const elig_real *pre = elig__pre(net, 0) + (size_t)b * np, *zprev = ly->z_prev + bn;
        const elig_real *err = L->err + (size_t)b * K;
        for (int i = 0; i < n; i++) {
            const int r0 = s->roff[i], r1 = s->roff[i + 1];
            elig_real *Zi = s->Z + ((size_t)b * R + r0) * Q;
            const elig_real *Zpi = s->Zp + ((size_t)b * R + r0) * Q;
            for (int m = r0; m < r1; m++) {
                const int u = s->ridx[m];
                const size_t k = (size_t)(m - r0);
                /* C_u = sum_{j in R(i)} W_rec[u, j] Zp_i[j] + [u = i] pre */
                elig_real *C = s->C;
                memset(C, 0, Q * sizeof(elig_real));
                if (Wr)
                    for (int m2 = r0; m2 < r1; m2++) {
                        const int j = s->ridx[m2];
                        const elig_real w = Wr[(size_t)u * n + j];
                        int live = 0; /* Zp's row is exactly 0 where dz/dh was 0 at t-1 */
                        for (int a = 0; a < sd; a++) live |= ly->dzdh_prev[bns + (size_t)j * sd + a] != 0;
                        if (w != 0 && live) axpy(C, w, Zpi + (size_t)(m2 - r0) * Q, Q);
                    }
                if (u == i) {
                    for (int q = 0; q < np; q++) C[q] += pre[q];
                    for (int q = 0; q < nrec; q++) C[np + q] += zprev[q];
                    if (ly->off_b != ELIG__ABSENT) C[np + nrec] += 1;
                }
                const size_t us = bns + (size_t)u * sd;
                const elig_real *D = ly->part.D + us * sd, *dzr = ly->part.dzr + us, *dza = ly->part.dza + us;
                const elig_real *dc = ly->part.dc + us, *dzdh = ly->part.dzdh + us;
                elig_real *Mu = s->M + (((size_t)b * R + m) * sd) * Q, *tmp = s->tmp;
                memset(tmp, 0, (size_t)sd * Q * sizeof(elig_real));
                for (int a = 0; a < sd; a++) {
                    elig_real *ta = tmp + (size_t)a * Q;
                    for (int a2 = 0; a2 < sd; a2++)
                        if (D[a * sd + a2] != 0) axpy(ta, D[a * sd + a2], Mu + (size_t)a2 * Q, Q);
                    elig_real dz = dzr[a] + dza[a];
                    if (dz != 0) axpy(ta, dz, Zpi + k * Q, Q);
                    if (dc[a] != 0) axpy(ta, dc[a], C, Q);
                }
                memcpy(Mu, tmp, (size_t)sd * Q * sizeof(elig_real));
                elig_real *Zu = Zi + k * Q;
                memset(Zu, 0, Q * sizeof(elig_real));
                for (int a = 0; a < sd; a++)
                    if (dzdh[a] != 0) axpy(Zu, dzdh[a], Mu + (size_t)a * Q, Q);
                if (s->Zsum) axpy(s->Zsum + (size_t)m * Q, 1, Zu, Q);
            }
            /* readout influence of row i's parameters and the gradient */
            for (int kk = 0; kk < K; kk++) {
                elig_real *Y = s->Y + (((size_t)b * n + i) * K + kk) * Q;
                for (size_t q = 0; q < Q; q++) Y[q] *= net->kappa;
                for (int m = r0; m < r1; m++) {
                    elig_real w = Wo[(size_t)kk * n + s->ridx[m]] * net->out_scale;
                    if (w != 0) axpy(Y, w, Zi + (size_t)(m - r0) * Q, Q);
                }
                if (err[kk] != 0) {
                    /* row i: W_in, W_rec, bias are three contiguous pieces of the gradient */
                    axpy(G + ly->off_win + (size_t)i * np, err[kk], Y, (size_t)np);
                    if (nrec) axpy(G + ly->off_wrec + (size_t)i * n, err[kk], Y + np, (size_t)n);
                    if (ly->off_b != ELIG__ABSENT) G[ly->off_b + i] += err[kk] * Y[np + nrec];
                }
            }
        }
        /* exact readout gradient */
        elig_real *zo = s->zout + bn;
        const elig_real *zt = ly->z + bn;
        for (int i = 0; i < n; i++) zo[i] = net->kappa * zo[i] + net->out_scale * zt[i];
        s->one[b] = net->kappa * s->one[b] + 1;
        for (int kk = 0; kk < K; kk++) {
            if (err[kk] == 0) continue;
            axpy(G + net->off_wout + (size_t)kk * n, err[kk], zo, (size_t)n);
            if (net->off_bout != ELIG__ABSENT) G[net->off_bout + kk] += err[kk] * s->one[b];
        }
    }
}

static void end(elig_learner *L)
{
    elig__snap *s = &L->snap;
    const elig_net *net = L->net;
    const elig__layer *ly = &net->layer[0];
    if (!s->Zsum) return;
    const int n = ly->n, np = ly->n_pre, nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
    const size_t Q = (size_t)s->Q;
    elig__reg_dz(&L->cfg, net, 0, L->T, s->reg);
    for (int i = 0; i < n; i++)
        for (int m = s->roff[i]; m < s->roff[i + 1]; m++) {
            const elig_real c = s->reg[s->ridx[m]], *Zs = s->Zsum + (size_t)m * Q;
            if (c == 0) continue;
            axpy(L->grad + ly->off_win + (size_t)i * np, c, Zs, (size_t)np);
            if (nrec) axpy(L->grad + ly->off_wrec + (size_t)i * n, c, Zs + np, (size_t)n);
            if (ly->off_b != ELIG__ABSENT) L->grad[ly->off_b + i] += c * Zs[np + nrec];
        }
}

const elig_rule elig_rule_snap = {"snap", 1, check, carve, init, begin, step, end, NULL, NULL};

void elig__snap_cost(const elig_net *net, int order, double *pairs, double *edges)
{
    const elig__layer *ly = &net->layer[0];
    const int n = ly->n;
    *pairs = *edges = 0;
    unsigned char *tmp = elig__malloc(2 * (size_t)n * n);
    if (!tmp) return;
    unsigned char *adj = tmp, *reach = tmp + (size_t)n * n;
    total_reach(net, order, adj, reach);
    for (int i = 0; i < n; i++)
        for (int u = 0; u < n; u++) {
            if (!reach[(size_t)i * n + u]) continue;
            *pairs += 1;
            for (int j = 0; j < n; j++)
                *edges += reach[(size_t)i * n + j] && ly->off_wrec != ELIG__ABSENT && net->mask[ly->off_wrec + (size_t)u * n + j];
        }
    elig__free(tmp);
}
