/* trace.c -- eligibility-trace learners: the neuron-local (block-diagonal) part of the
 * influence matrix, or presynaptic traces only, times a learning signal. e-prop, OSTL,
 * RFLO, diagonal RTRL, DECOLLE and SuperSpike are presets of this one implementation
 * (SnAp-1 carries the same block; its preset uses snap.c with the exact signal)
 * (learner.c, elig_learner_preset).
 *
 * Influence "block": for neuron i of layer l and each of its Q synapses q (inputs, recurrent,
 * bias) with presynaptic activity pre_q (x_t or z^{l-1}_t; z^l_{t-1}; 1):
 *
 *   A_t      = D_t + (dza_t [+ dzr_t + dc_t W_rec,ii]) dzdh_{t-1}^T   neuron-local block; the
 *              bracket (reset path, autapse) only with keep_reset (OSTL, SnAp-1)
 *   eps_t    = A_t eps_{t-1} + dc_t pre_q                               (s) per synapse
 *   e_t      = dzdh_t . eps_t                                           eligibility trace
 *
 * Influence "pre" (and "block" whenever it is the same thing; "block_per_synapse" never):
 * when A and dc are the same for every neuron of the layer and constant in
 * time (LIF / CuBa-LIF / DECOLLE with subtractive reset, reset path dropped), eps depends on
 * the presynaptic unit only: one s-vector per presynaptic unit, e_iq = dzdh_i . eps_q, memory
 * O(n) (plus per-synapse filter states if the readout kernel is moved onto the traces).
 *
 * Filter: with filter_traces the readout's kernel is applied to e (ebar = kappa ebar + s_out e,
 * and a second stage if the readout has one), which makes the readout part of the gradient
 * exact (e-prop; SuperSpike's alpha-filtered eligibility).
 *
 * Signal L^l_t (n_l), then grad_iq += L_i trace_iq:
 *   feedback  B^l err_t: symmetric (W_out^T at the top, then W_in^{l+1 T} down: weights only),
 *             random, uniform (ones) or adaptive (Kolen-Pollack: B gets W_out's update)
 *   exact     W_out^T err_t at the top, then through the same-step Jacobians
 *             L^l_j = sum_i L^{l+1}_i (dzdh . dc)^{l+1}_i W_in^{l+1}_ij (OSTL's spatial term)
 *   local     L^l = G^l^T dl^l/dY^l with Y^l = G^l z^l_t, fixed random G^l (DECOLLE); no
 *             signal crosses layers, traces unfiltered (the local readouts are memoryless)
 * plus rate regularisation c_reg (f_i - f*) mean_{b,t} e_iq. The readout gets its exact
 * gradient err_t (filtered z_t)^T.
 *
 * Memory O(B p s) for block (p synapses), O(B n s) for pre without filter; both independent
 * of T. Cost O(B p s^2) per step.
 */
#include "rule.h"

#include <math.h>
#include <string.h>

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    if (c->influence < ELIG_INFL_BLOCK || c->influence > ELIG_INFL_BLOCK_PER_SYNAPSE)
        return elig__err(ELIG_EINVAL, "learner.influence must be block, pre or block_per_synapse (got %d)", c->influence);
    if (c->keep_reset != 0 && c->keep_reset != 1)
        return elig__err(ELIG_EINVAL, "learner.keep_reset must be 0 or 1 (got %d)", c->keep_reset);
    if (c->signal < ELIG_SIG_FEEDBACK || c->signal > ELIG_SIG_LOCAL)
        return elig__err(ELIG_EINVAL, "learner.signal must be feedback, exact or local (got %d)", c->signal);
    if (c->signal == ELIG_SIG_LOCAL) {
        if (!c->local_loss || c->local_loss->agg)
            return elig__err(ELIG_EINVAL, "learner.local_loss must be a per-step loss (got %s)", elig_loss_name(c->local_loss));
        if (!(c->local_gain > 0) || !isfinite(c->local_gain))
            return elig__err(ELIG_EINVAL, "learner.local_gain must be > 0 (got %g)", c->local_gain);
        if (c->loss.loss && c->loss.loss->agg)
            return elig__err(ELIG_EUNSUPPORTED, "learner.signal = local needs a per-step loss (got loss.kind = %s)",
                             c->loss.loss->name);
    }
    if (c->loss.loss && c->loss.loss->agg == 2)
        return elig__err(ELIG_EUNSUPPORTED,
                         "loss.kind = ce_max is not supported by trace learners: the error at the maximum is only known "
                         "at the end of the window; use ce or ce_mean");
    if (c->influence == ELIG_INFL_PRE) {
        if (c->keep_reset)
            return elig__err(ELIG_EUNSUPPORTED, "learner.influence = pre needs keep_reset = 0: the reset path makes traces per synapse");
        for (int l = 0; l < net->L; l++) {
            const elig__layer *ly = &net->layer[l];
            if (!ly->m->pre_only || !ly->m->pre_only(&ly->k))
                return elig__err(ELIG_EUNSUPPORTED,
                                 "learner.influence = pre needs traces that depend on the presynaptic unit only; layer[%d] "
                                 "(model %s%s) has neuron- or time-dependent dynamics: use influence = block",
                                 l, ly->m->name, ly->k.reset == ELIG_RESET_ZERO ? ", reset to zero" : "");
        }
    }
    return ELIG_OK;
}

static int filtered(const elig_learner_cfg *c) { return c->filter_traces && c->signal != ELIG_SIG_LOCAL; }

/* Presynaptic storage is used when asked for, and also for the block influence whenever it
 * is exactly the same thing: reset path dropped and every layer's A and dc shared by its
 * neurons (LIF, CuBa-LIF with subtractive reset). Then the per-synapse eligibility vectors
 * of a presynaptic unit are all equal, and one copy is kept (bit-identical, tested). */
int elig__trace_pre_storage(const elig_net *net, const elig_learner_cfg *c)
{
    if (c->influence == ELIG_INFL_PRE) return 1;
    if (c->keep_reset || c->influence == ELIG_INFL_BLOCK_PER_SYNAPSE) return 0;
    for (int l = 0; l < net->L; l++) {
        const elig__layer *ly = &net->layer[l];
        if (!ly->m->pre_only || !ly->m->pre_only(&ly->k)) return 0;
    }
    return 1;
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    elig__trace *e = &L->trace;
    size_t B = (size_t)net->batch, K = (size_t)net->n_out;
    int agg = c->loss.loss && c->loss.loss->agg, filt = filtered(c);
    for (int l = 0; l < net->L; l++) {
        const elig__layer *ly = &net->layer[l];
        size_t n = (size_t)ly->n, s = (size_t)ly->s;
        int Q = ly->n_pre + (ly->off_wrec != ELIG__ABSENT ? ly->n : 0) + (ly->off_b != ELIG__ABSENT ? 1 : 0);
        e->Q[l] = Q;
        e->eps[l] = elig__carve(a, B * (elig__trace_pre_storage(net, c) ? 1 : n) * s * (size_t)Q, sizeof(elig_real));
        e->eb1[l] = filt ? elig__carve(a, B * n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->eb2[l] = filt && net->two_stage ? elig__carve(a, B * n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->esum[l] = c->reg_rate > 0 ? elig__carve(a, n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->S[l] = agg ? elig__carve(a, B * n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->fb[l] = elig__carve(a, n * K, sizeof(elig_real));
        e->G[l] = c->signal == ELIG_SIG_LOCAL ? elig__carve(a, K * n, sizeof(elig_real)) : NULL;
        e->sig[l] = elig__carve(a, n, sizeof(elig_real));
    }
    size_t nL = (size_t)net->layer[net->L - 1].n;
    e->kbuf = elig__carve(a, 2 * K, sizeof(elig_real));
    e->zout1 = elig__carve(a, B * nL, sizeof(elig_real));
    e->zout2 = net->two_stage ? elig__carve(a, B * nL, sizeof(elig_real)) : e->zout1;
    e->one1 = elig__carve(a, B, sizeof(elig_real));
    e->one2 = net->two_stage ? elig__carve(a, B, sizeof(elig_real)) : e->one1;
    e->Sout = agg ? elig__carve(a, B * (nL + 1), sizeof(elig_real)) : NULL;
    e->wout_snap = elig__carve(a, K * nL, sizeof(elig_real));
}

static void init(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__trace *e = &L->trace;
    e->pre = elig__trace_pre_storage(net, &L->cfg);
    elig_rng r;
    elig_rng_seed(&r, L->cfg.seed);
    const size_t K = (size_t)net->n_out;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n;
        double sc = L->cfg.fb_gain / (L->cfg.fb_scaled ? sqrt((double)n) : 1.0);
        for (size_t i = 0; i < n * K; i++)
            e->fb[l][i] = L->cfg.feedback == ELIG_FB_UNIFORM ? (elig_real)L->cfg.fb_gain : (elig_real)(sc * elig_rng_normal(&r));
        if (e->G[l]) {
            double a = L->cfg.local_gain / sqrt((double)n);
            for (size_t i = 0; i < K * n; i++) e->G[l][i] = (elig_real)(a * (2 * elig_rng_uniform(&r) - 1));
        }
    }
}

static void snapshot_wout(elig_learner *L)
{
    const elig_net *net = L->net;
    size_t nL = (size_t)net->layer[net->L - 1].n;
    memcpy(L->trace.wout_snap, net->params + net->off_wout, (size_t)net->n_out * nL * sizeof(elig_real));
}

static void begin(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__trace *e = &L->trace;
    size_t B = (size_t)net->batch;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n, Q = (size_t)e->Q[l], s = (size_t)net->layer[l].s;
        memset(e->eps[l], 0, B * (elig__trace_pre_storage(net, &L->cfg) ? 1 : n) * s * Q * sizeof(elig_real));
        if (e->eb1[l]) memset(e->eb1[l], 0, B * n * Q * sizeof(elig_real));
        if (e->eb2[l]) memset(e->eb2[l], 0, B * n * Q * sizeof(elig_real));
        if (e->esum[l]) memset(e->esum[l], 0, n * Q * sizeof(elig_real));
        if (e->S[l]) memset(e->S[l], 0, B * n * Q * sizeof(elig_real));
    }
    size_t nL = (size_t)net->layer[net->L - 1].n;
    memset(e->zout1, 0, B * nL * sizeof(elig_real));
    memset(e->zout2, 0, B * nL * sizeof(elig_real));
    memset(e->one1, 0, B * sizeof(elig_real));
    memset(e->one2, 0, B * sizeof(elig_real));
    if (e->Sout) memset(e->Sout, 0, B * (nL + 1) * sizeof(elig_real));
    snapshot_wout(L);
}

/* Learning signals of every layer for batch element b from the output error err (K),
 * written to e->sig[l]. `step` selects the per-step sources (override hook, local losses). */
static void signals(elig_learner *L, int b, const elig_real *err, const elig_real *target, int step)
{
    const elig_net *net = L->net;
    elig__trace *e = &L->trace;
    const int Ln = net->L, K = net->n_out;
    const elig_real *P = net->params;
    for (int l = Ln - 1; l >= 0; l--) {
        const elig__layer *ly = &net->layer[l];
        const int n = ly->n;
        elig_real *sig = e->sig[l];
        if (step && e->override[l]) {
            memcpy(sig, e->override[l] + ((size_t)L->t * net->batch + b) * n, (size_t)n * sizeof(elig_real));
            continue;
        }
        for (int i = 0; i < n; i++) sig[i] = 0;
        if (L->cfg.signal == ELIG_SIG_LOCAL) {
            /* Y = G z_t, local error dl/dY, L = G^T dl/dY, scaled like the main loss */
            if (!step || !target || !elig__in_window(L, L->t)) continue;
            const elig_real *z = ly->z + (size_t)b * n, *G = e->G[l];
            elig_real *Y = e->kbuf, *g = e->kbuf + K;
            for (int k = 0; k < K; k++) {
                elig_real acc = 0;
                for (int i = 0; i < n; i++) acc += G[(size_t)k * n + i] * z[i];
                Y[k] = acc;
            }
            double ct = L->cfg.loss.time_norm == ELIG_TIME_MEAN ? 1.0 / (L->we - L->wb) : 1.0;
            L->trace.local_loss += ct * L->cfg.local_loss->eval(K, Y, target + (size_t)b * K, g) / net->batch;
            elig_real sc = (elig_real)(ct / net->batch);
            for (int k = 0; k < K; k++)
                for (int i = 0; i < n; i++) sig[i] += G[(size_t)k * n + i] * g[k] * sc;
            continue;
        }
        int top = l == Ln - 1;
        if (top && (L->cfg.signal == ELIG_SIG_EXACT || L->cfg.feedback == ELIG_FB_SYMMETRIC)) {
            const elig_real *Wo = P + net->off_wout;
            for (int k = 0; k < K; k++)
                for (int i = 0; i < n; i++) sig[i] += Wo[(size_t)k * n + i] * err[k];
        } else if (!top && (L->cfg.signal == ELIG_SIG_EXACT || L->cfg.feedback == ELIG_FB_SYMMETRIC)) {
            /* back through layer l+1's input weights, with its same-step derivative (exact)
             * or without it (symmetric feedback: weights only) */
            const elig__layer *up = &net->layer[l + 1];
            const elig_real *Wu = P + up->off_win, *su = e->sig[l + 1];
            const size_t bu = (size_t)b * up->n * up->s;
            for (int i2 = 0; i2 < up->n; i2++) {
                elig_real f = su[i2];
                if (L->cfg.signal == ELIG_SIG_EXACT) {
                    elig_real d = 0;
                    for (int a = 0; a < up->s; a++)
                        d += up->part.dzdh[bu + (size_t)i2 * up->s + a] * up->part.dc[bu + (size_t)i2 * up->s + a];
                    f *= d;
                }
                if (f == 0) continue;
                for (int i = 0; i < n; i++) sig[i] += Wu[(size_t)i2 * n + i] * f;
            }
        } else {
            const elig_real *fb = e->fb[l];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < K; k++) sig[i] += fb[(size_t)i * K + k] * err[k];
        }
    }
}

/* Trace update of neuron i over m consecutive synapses with presynaptic activity pre[0..m).
 * Block eligibility vectors are stored planar per neuron: component x of synapse q at
 * eps[x * stride + q]. span_ref is the plain reference kernel for every mode. */
typedef struct {
    const elig_real *A, *dc, *dzdh; /* (s, s), (s), (s) of this neuron and step         */
    int s, pre_mode;                /* pre: eps holds presynaptic traces, A/dc unused    */
    size_t stride;                  /* Q: distance between components in eps             */
    elig_real k1, c1, k2, c2;       /* filter stages (c2 = 0: one stage)                 */
    elig_real Li, inv_w;
    elig_real *eb1, *eb2;           /* (m) filter states, or NULL (unfiltered)           */
    elig_real *es;                  /* (m) sum of e for the regulariser, or NULL         */
    elig_real *S;                   /* (m) window mean (aggregated loss), or NULL        */
} span_args;

static void span_ref(const span_args *a, elig_real *restrict eps, elig_real *restrict g,
                     const elig_real *restrict pre, int m)
{
    const int s = a->s;
    const size_t st = a->stride;
    for (int q = 0; q < m; q++) {
        elig_real en[ELIG_MAX_STATE], et = 0;
        if (a->pre_mode) {
            for (int x = 0; x < s; x++) et += a->dzdh[x] * eps[x * st + q];
        } else {
            for (int x = 0; x < s; x++) {
                elig_real v = a->dc[x] * pre[q];
                for (int y = 0; y < s; y++) v += a->A[x * s + y] * eps[y * st + q];
                en[x] = v;
            }
            for (int x = 0; x < s; x++) {
                eps[x * st + q] = en[x];
                et += a->dzdh[x] * en[x];
            }
        }
        elig_real tr = et;
        if (a->eb1) {
            a->eb1[q] = a->k1 * a->eb1[q] + a->c1 * et;
            tr = a->eb1[q];
            if (a->eb2) {
                a->eb2[q] = a->k2 * a->eb2[q] + a->c2 * a->eb1[q];
                tr = a->eb2[q];
            }
        }
        if (a->es) a->es[q] += et;
        if (g) g[q] += a->Li * tr;
        if (a->S) a->S[q] += a->inv_w * tr;
    }
}

/* The last stage of the fast kernels: the gradient (per-step loss) and the window sum of an
 * aggregated loss, both from the filtered trace tr, in the reference kernel's order. */
static void span_out(const span_args *a, elig_real *restrict g, const elig_real *restrict tr, int m)
{
    const elig_real Li = a->Li, w = a->inv_w;
    elig_real *restrict S = a->S;
    if (g)
        for (int q = 0; q < m; q++) g[q] += Li * tr[q];
    if (S)
        for (int q = 0; q < m; q++) S[q] += w * tr[q];
}

/* The reference kernel's arithmetic in the same order, specialised for the common case
 * (block influence, one filter stage, per-step loss) with s = 1 (LIF, rate) and s = 2 (ALIF,
 * CuBa-LIF) so the compiler vectorises it; tested bit-identical to span_ref. */
static void span_s1(const span_args *a, elig_real *restrict eps, elig_real *restrict g, const elig_real *restrict pre, int m)
{
    if (a->pre_mode || !a->eb1 || a->eb2) {
        span_ref(a, eps, g, pre, m);
        return;
    }
    const elig_real A = a->A[0], dc = a->dc[0], d = a->dzdh[0], k = a->k1, so = a->c1;
    elig_real *restrict es = a->es, *restrict eb = a->eb1;
    if (es)
        for (int q = 0; q < m; q++) {
            elig_real en = dc * pre[q] + A * eps[q], et = d * en;
            eps[q] = en;
            eb[q] = k * eb[q] + so * et;
            es[q] += et;
        }
    else
        for (int q = 0; q < m; q++) {
            elig_real en = dc * pre[q] + A * eps[q];
            eps[q] = en;
            eb[q] = k * eb[q] + so * (d * en);
        }
    span_out(a, g, eb, m);
}

static void span_s2(const span_args *a, elig_real *restrict eps, elig_real *restrict g, const elig_real *restrict pre, int m)
{
    if (a->pre_mode || !a->eb1 || a->eb2) {
        span_ref(a, eps, g, pre, m);
        return;
    }
    const elig_real A00 = a->A[0], A01 = a->A[1], A10 = a->A[2], A11 = a->A[3];
    const elig_real c0 = a->dc[0], c1 = a->dc[1], d0 = a->dzdh[0], d1 = a->dzdh[1];
    const elig_real k = a->k1, so = a->c1;
    elig_real *restrict e0 = eps, *restrict e1 = eps + a->stride, *restrict es = a->es, *restrict eb = a->eb1;
    if (es)
        for (int q = 0; q < m; q++) {
            elig_real n0 = c0 * pre[q] + A00 * e0[q] + A01 * e1[q];
            elig_real n1 = c1 * pre[q] + A10 * e0[q] + A11 * e1[q], et = d0 * n0 + d1 * n1;
            e0[q] = n0;
            e1[q] = n1;
            eb[q] = k * eb[q] + so * et;
            es[q] += et;
        }
    else
        for (int q = 0; q < m; q++) {
            elig_real n0 = c0 * pre[q] + A00 * e0[q] + A01 * e1[q];
            elig_real n1 = c1 * pre[q] + A10 * e0[q] + A11 * e1[q];
            e0[q] = n0;
            e1[q] = n1;
            eb[q] = k * eb[q] + so * (d0 * n0 + d1 * n1);
        }
    span_out(a, g, eb, m);
}

/* Presynaptic mode: e_q = dzdh . eps_q with the traces shared by the layer; the same order of
 * operations as span_ref, in separate passes the compiler can vectorise. */
static void span_pre(const span_args *a, elig_real *restrict eps, elig_real *restrict g, const elig_real *restrict pre, int m)
{
    const int s = a->s;
    if (s > 3 || (a->S && (!a->eb1 || a->eb2 || a->es || s > 2))) {
        span_ref(a, eps, g, pre, m);
        return;
    }
    const size_t st = a->stride;
    const elig_real d0 = a->dzdh[0], d1 = s > 1 ? a->dzdh[1] : 0, d2 = s > 2 ? a->dzdh[2] : 0;
    const elig_real k1 = a->k1, c1 = a->c1, k2 = a->k2, c2 = a->c2, Li = a->Li;
    elig_real *restrict eb1 = a->eb1, *restrict eb2 = a->eb2, *restrict es = a->es;
    if (eb1 && !eb2 && !es && s <= 2) { /* the common case, branch-free so it vectorises */
        const elig_real *restrict e0 = eps, *restrict e1 = eps + st;
        /* the trace's one consumer (the gradient of a per-step loss, or the window sum of an
         * aggregated one: never both) in the same pass, which is memory-bound */
        elig_real *restrict o = g ? g : a->S;
        const elig_real co = g ? Li : a->inv_w;
        if (g && a->S) {
            if (s == 1)
                for (int q = 0; q < m; q++) eb1[q] = k1 * eb1[q] + c1 * (0 + d0 * e0[q]);
            else
                for (int q = 0; q < m; q++) eb1[q] = k1 * eb1[q] + c1 * ((0 + d0 * e0[q]) + d1 * e1[q]);
            span_out(a, g, eb1, m);
        } else if (o && s == 1)
            for (int q = 0; q < m; q++) {
                const elig_real v = k1 * eb1[q] + c1 * (0 + d0 * e0[q]);
                eb1[q] = v;
                o[q] += co * v;
            }
        else if (o)
            for (int q = 0; q < m; q++) {
                const elig_real v = k1 * eb1[q] + c1 * ((0 + d0 * e0[q]) + d1 * e1[q]);
                eb1[q] = v;
                o[q] += co * v;
            }
        else if (s == 1)
            for (int q = 0; q < m; q++) eb1[q] = k1 * eb1[q] + c1 * (0 + d0 * e0[q]);
        else
            for (int q = 0; q < m; q++) eb1[q] = k1 * eb1[q] + c1 * ((0 + d0 * e0[q]) + d1 * e1[q]);
        return;
    }
    if (!eb1 && !es && s <= 2) { /* unfiltered (local signals): only the gradient */
        const elig_real *restrict e0 = eps, *restrict e1 = eps + st;
        if (g && s == 1)
            for (int q = 0; q < m; q++) g[q] += Li * (0 + d0 * e0[q]);
        else if (g)
            for (int q = 0; q < m; q++) g[q] += Li * ((0 + d0 * e0[q]) + d1 * e1[q]);
        return;
    }
    for (int q = 0; q < m; q++) {
        elig_real et = 0 + d0 * eps[q];
        if (s > 1) et += d1 * eps[st + q];
        if (s > 2) et += d2 * eps[2 * st + q];
        elig_real tr = et;
        if (eb1) {
            eb1[q] = k1 * eb1[q] + c1 * et;
            tr = eb1[q];
            if (eb2) {
                eb2[q] = k2 * eb2[q] + c2 * eb1[q];
                tr = eb2[q];
            }
        }
        if (es) es[q] += et;
        if (g) g[q] += Li * tr;
    }
}

typedef void (*span_fn)(const span_args *, elig_real *, elig_real *, const elig_real *, int);

/* Presynaptic traces of one layer and batch element: eps_q = A eps_q + dc pre_q with the
 * layer-wide A and dc (those of neuron 0: pre mode is only allowed when they are shared). */
static void update_pre(const elig__layer *ly, size_t bns, elig_real *eps, size_t Q, const elig_real *pre, int np,
                       const elig_real *zp, int nrec, int bias)
{
    const int s = ly->s;
    const elig_real *D = ly->part.D + bns * s, *dc = ly->part.dc + bns;
    for (size_t q = 0; q < Q; q++) {
        elig_real p = (int)q < np ? pre[q] : ((int)q < np + nrec ? zp[q - np] : (elig_real)bias);
        elig_real en[ELIG_MAX_STATE];
        for (int x = 0; x < s; x++) {
            elig_real v = dc[x] * p;
            for (int y = 0; y < s; y++) v += D[x * s + y] * eps[y * Q + q];
            en[x] = v;
        }
        for (int x = 0; x < s; x++) eps[x * Q + q] = en[x];
    }
}

static void step(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__trace *e = &L->trace;
    const int B = net->batch, K = net->n_out, Ln = net->L, t = L->t;
    const int agg = L->cfg.loss.loss->agg, in_win = elig__in_window(L, t);
    const int pre_mode = e->pre, keep_reset = L->cfg.keep_reset;
    const elig_real inv_w = (elig_real)1 / (elig_real)(L->we - L->wb);
    const elig_real one = 1;
    elig_real *G = L->grad;
    for (int b = 0; b < B; b++) {
        const elig_real *err = L->err + (size_t)b * K;
        signals(L, b, err, L->target, 1);
        for (int l = 0; l < Ln; l++) {
            const elig__layer *ly = &net->layer[l];
            const int n = ly->n, s = ly->s, np = ly->n_pre, Q = e->Q[l];
            const int nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
            const size_t bn = (size_t)b * n, bns = bn * s;
            const elig_real *pre = elig__pre(net, l) + (size_t)b * np, *zp = ly->z_prev + bn;
            const elig_real *Wr = nrec ? net->params + ly->off_wrec : NULL;
            span_fn span = e->reference ? span_ref
                           : pre_mode ? span_pre : (s == 1 ? span_s1 : (s == 2 ? span_s2 : span_ref));
            span_args a;
            a.s = s;
            a.pre_mode = pre_mode;
            a.stride = (size_t)Q;
            a.k1 = net->kappa;
            a.c1 = net->out_scale;
            a.k2 = net->kappa2;
            a.c2 = net->out_scale2;
            a.inv_w = inv_w;
            const int raw = e->override[l] != NULL;
            elig_real *epre = pre_mode ? e->eps[l] + (size_t)b * s * Q : NULL;
            if (pre_mode) update_pre(ly, bns, epre, (size_t)Q, pre, np, zp, nrec, ly->off_b != ELIG__ABSENT);
            for (int i = 0; i < n; i++) {
                const elig_real *D = ly->part.D + (bns + (size_t)i * s) * s;
                const elig_real *dza = ly->part.dza + bns + (size_t)i * s, *dzr = ly->part.dzr + bns + (size_t)i * s;
                const elig_real *dzdh_p = ly->dzdh_prev + bns + (size_t)i * s;
                const elig_real *dc = ly->part.dc + bns + (size_t)i * s;
                elig_real A[ELIG_MAX_STATE * ELIG_MAX_STATE];
                for (int x = 0; x < s; x++) {
                    elig_real path = dza[x];
                    if (keep_reset) path += dzr[x] + (Wr ? dc[x] * Wr[(size_t)i * n + i] : 0);
                    for (int y = 0; y < s; y++) A[x * s + y] = D[x * s + y] + path * dzdh_p[y];
                }
                a.A = A;
                a.dc = dc;
                a.dzdh = ly->part.dzdh + bns + (size_t)i * s;
                a.Li = e->sig[l][i];
                elig_real *eps = pre_mode ? epre : e->eps[l] + (bn + i) * (size_t)Q * s;
                elig_real *eb1 = e->eb1[l] && !raw ? e->eb1[l] + (bn + i) * (size_t)Q : NULL;
                elig_real *eb2 = e->eb2[l] && !raw ? e->eb2[l] + (bn + i) * (size_t)Q : NULL;
                elig_real *es = e->esum[l] ? e->esum[l] + (size_t)i * Q : NULL;
                elig_real *Si = agg && in_win ? e->S[l] + (bn + i) * (size_t)Q : NULL;
                int grad = !agg && a.Li != 0;
                /* inputs, recurrent synapses, bias: contiguous in eps, filters and gradient */
                const int off[3] = {0, np, np + nrec}, len[3] = {np, nrec, ly->off_b != ELIG__ABSENT};
                const elig_real *src[3] = {pre, zp, &one};
                elig_real *gdst[3] = {G + ly->off_win + (size_t)i * np, nrec ? G + ly->off_wrec + (size_t)i * n : NULL,
                                      ly->off_b != ELIG__ABSENT ? G + ly->off_b + i : NULL};
                for (int r = 0; r < 3; r++) {
                    if (!len[r]) continue;
                    a.eb1 = eb1 ? eb1 + off[r] : NULL;
                    a.eb2 = eb2 ? eb2 + off[r] : NULL;
                    a.es = es ? es + off[r] : NULL;
                    a.S = Si ? Si + off[r] : NULL;
                    span(&a, eps + off[r], grad ? gdst[r] : NULL, src[r], len[r]);
                }
            }
        }
        /* exact readout gradient: z filtered with the readout kernel */
        const elig__layer *top = &net->layer[Ln - 1];
        const int nL = top->n;
        elig_real *zo1 = e->zout1 + (size_t)b * nL, *zo2 = e->zout2 + (size_t)b * nL;
        const elig_real *zt = top->z + (size_t)b * nL;
        for (int i = 0; i < nL; i++) zo1[i] = net->kappa * zo1[i] + net->out_scale * zt[i];
        e->one1[b] = net->kappa * e->one1[b] + 1;
        if (net->two_stage) {
            for (int i = 0; i < nL; i++) zo2[i] = net->kappa2 * zo2[i] + net->out_scale2 * zo1[i];
            e->one2[b] = net->kappa2 * e->one2[b] + net->out_scale2 * e->one1[b];
        }
        if (!agg) {
            for (int k = 0; k < K; k++) {
                if (err[k] == 0) continue;
                elig_real *g = G + net->off_wout + (size_t)k * nL;
                for (int i = 0; i < nL; i++) g[i] += err[k] * zo2[i];
                if (net->off_bout != ELIG__ABSENT) G[net->off_bout + k] += err[k] * e->one2[b];
            }
        } else if (in_win) {
            elig_real *So = e->Sout + (size_t)b * (nL + 1);
            for (int i = 0; i < nL; i++) So[i] += inv_w * zo2[i];
            So[nL] += inv_w * e->one2[b];
        }
    }
}

static size_t grad_index(const elig__layer *ly, int i, int q, int np, int nrec)
{
    return q < np ? ly->off_win + (size_t)i * np + q
                  : (q < np + nrec ? ly->off_wrec + (size_t)i * ly->n + (q - np) : ly->off_b + i);
}

static void end(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__trace *e = &L->trace;
    const int B = net->batch, K = net->n_out, Ln = net->L;
    elig_real *G = L->grad;
    if (L->cfg.loss.loss->agg) {
        for (int b = 0; b < B; b++) {
            const elig_real *d = L->delta + (size_t)b * K;
            signals(L, b, d, NULL, 0);
            for (int l = 0; l < Ln; l++) {
                const elig__layer *ly = &net->layer[l];
                const int n = ly->n, np = ly->n_pre, Q = e->Q[l], nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
                for (int i = 0; i < n; i++) {
                    const elig_real *Si = e->S[l] + ((size_t)b * n + i) * Q;
                    for (int q = 0; q < Q; q++) G[grad_index(ly, i, q, np, nrec)] += e->sig[l][i] * Si[q];
                }
            }
            const int nL = net->layer[Ln - 1].n;
            const elig_real *So = e->Sout + (size_t)b * (nL + 1);
            for (int k = 0; k < K; k++) {
                for (int i = 0; i < nL; i++) G[net->off_wout + (size_t)k * nL + i] += d[k] * So[i];
                if (net->off_bout != ELIG__ABSENT) G[net->off_bout + k] += d[k] * So[nL];
            }
        }
    }
    if (L->cfg.reg_rate > 0) { /* dE_reg/dz_i times the summed trace: e approximates dz/dW */
        for (int l = 0; l < Ln; l++) {
            const elig__layer *ly = &net->layer[l];
            if (!ly->m->spiking) continue;
            const int n = ly->n, np = ly->n_pre, Q = e->Q[l], nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
            elig__reg_dz(&L->cfg, net, l, L->T, e->sig[l]);
            for (int i = 0; i < n; i++) {
                const elig_real c = e->sig[l][i], *es = e->esum[l] + (size_t)i * Q;
                for (int q = 0; q < Q; q++) G[grad_index(ly, i, q, np, nrec)] += c * es[q];
            }
        }
    }
}

static elig_real *feedback(elig_learner *L, int layer)
{
    int own = L->cfg.signal == ELIG_SIG_FEEDBACK && L->cfg.feedback != ELIG_FB_SYMMETRIC;
    return own ? L->trace.fb[layer] : NULL;
}

/* Kolen-Pollack: the top layer's B receives the same update as W_out^T; both decay by
 * (1 - kp_decay). */
static void after_update(elig_learner *L)
{
    elig_net *net = L->net;
    elig__trace *e = &L->trace;
    if (L->cfg.signal == ELIG_SIG_FEEDBACK && L->cfg.feedback == ELIG_FB_ADAPTIVE) {
        const int K = net->n_out, nL = net->layer[net->L - 1].n;
        elig_real *Wo = net->params + net->off_wout, *fb = e->fb[net->L - 1];
        const elig_real keep = (elig_real)(1.0 - L->cfg.kp_decay);
        for (int k = 0; k < K; k++)
            for (int i = 0; i < nL; i++) {
                size_t w = (size_t)k * nL + i;
                elig_real *bi = fb + (size_t)i * K + k;
                *bi = (*bi + (Wo[w] - e->wout_snap[w])) * keep;
                Wo[w] *= keep;
            }
    }
    snapshot_wout(L);
}

void elig__trace_use_reference_kernel(elig_learner *L, int on)
{
    if (L->rule == &elig_rule_trace) L->trace.reference = on;
}

void elig__trace_override_signal(elig_learner *L, int layer, const elig_real *sig)
{
    if (L->rule == &elig_rule_trace && layer >= 0 && layer < L->net->L) L->trace.override[layer] = sig;
}

const elig_real *elig__trace_local_readout(const elig_learner *L, int layer)
{
    return (L->rule == &elig_rule_trace && layer >= 0 && layer < L->net->L) ? L->trace.G[layer] : NULL;
}

const elig_rule elig_rule_trace = {"trace", 1, check, carve, init, begin, step, end, feedback, after_update};
