/* eprop.c -- e-prop (Bellec et al. 2020, Nat Commun 11:3625): eligibility traces times a
 * broadcast learning signal. The neuron-local block of the Jacobian, without the reset path,
 * is carried forward per synapse; the signal comes through feedback weights B.
 *
 * For neuron i of layer l and each of its Q synapses q (inputs, recurrent, bias) with
 * presynaptic activity pre_q (x_t or z^{l-1}_t; z^l_{t-1}; 1):
 *
 *   A_t      = D_t + dza_t dzdh_{t-1}^T        (leak, filters, adaptation; no reset)   (s, s)
 *   eps_t    = A_t eps_{t-1} + dc_t pre_q                                     (s, planar)
 *   e_t      = dzdh_t . eps_t                   eligibility trace
 *   ebar_t   = kappa ebar_{t-1} + s_out e_t     filtered with the readout kernel (exact
 *                                               for the readout part of the gradient)
 *   L_i,t    = sum_k B_ik err_k,t               B = W_out^T (symmetric), fixed random, or
 *                                               adaptive (Kolen-Pollack: B gets W_out's update)
 *   grad_iq += L_i,t ebar_t  (+ c_reg (f_i - f*) mean_{b,t} e_t, rate regularisation)
 *
 * For LIF (s = 1) this is e_ij = psi_i zbar_j; for ALIF the two-component trace of the paper.
 * With the total derivative dE/dz as L (elig__eprop_override_signal) and raw traces the
 * factorisation is exact (tests/test_grad.c). The readout gets its exact gradient
 * err_t filtered-z_t^T. Memory O(B p s) (p synapses), independent of T. Cost O(B p s^2) per step.
 */
#include "rule.h"

#include <math.h>
#include <string.h>

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    if (c->feedback == ELIG_FB_SYMMETRIC && net->L > 1)
        return elig__err(ELIG_EUNSUPPORTED,
                         "learner.feedback = symmetric needs a single layer (got %d layers): lower layers have no "
                         "readout weights to mirror; use random or adaptive",
                         net->L);
    if (c->loss.loss && c->loss.loss->agg == 2)
        return elig__err(ELIG_EUNSUPPORTED,
                         "loss.kind = ce_max is not supported by eprop: the error at the maximum is only known at the "
                         "end of the window; use ce or ce_mean");
    return ELIG_OK;
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    elig__eprop *e = &L->eprop;
    size_t B = (size_t)net->batch, K = (size_t)net->n_out, nmax = 0;
    int agg = c->loss.loss && c->loss.loss->agg;
    for (int l = 0; l < net->L; l++) {
        const elig__layer *ly = &net->layer[l];
        size_t n = (size_t)ly->n;
        int Q = ly->n_pre + (ly->off_wrec != ELIG__ABSENT ? ly->n : 0) + (ly->off_b != ELIG__ABSENT ? 1 : 0);
        e->Q[l] = Q;
        e->eps[l] = elig__carve(a, B * n * (size_t)Q * (size_t)ly->s, sizeof(elig_real));
        e->ebar[l] = elig__carve(a, B * n * (size_t)Q, sizeof(elig_real));
        e->esum[l] = c->reg_rate > 0 ? elig__carve(a, n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->S[l] = agg ? elig__carve(a, B * n * (size_t)Q, sizeof(elig_real)) : NULL;
        e->fb[l] = elig__carve(a, n * K, sizeof(elig_real));
        nmax = ELIG__MAX(nmax, n);
    }
    size_t nL = (size_t)net->layer[net->L - 1].n;
    e->sig = elig__carve(a, nmax, sizeof(elig_real));
    e->zout = elig__carve(a, B * nL, sizeof(elig_real));
    e->one_out = elig__carve(a, B, sizeof(elig_real));
    e->Sout = agg ? elig__carve(a, B * (nL + 1), sizeof(elig_real)) : NULL;
    e->wout_snap = elig__carve(a, K * nL, sizeof(elig_real));
}

static void init(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__eprop *e = &L->eprop;
    elig_rng r;
    elig_rng_seed(&r, L->cfg.seed);
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n;
        double sc = L->cfg.fb_gain / (L->cfg.fb_scaled ? sqrt((double)n) : 1.0);
        for (size_t i = 0; i < n * (size_t)net->n_out; i++) e->fb[l][i] = (elig_real)(sc * elig_rng_normal(&r));
    }
}

static void snapshot_wout(elig_learner *L)
{
    const elig_net *net = L->net;
    size_t nL = (size_t)net->layer[net->L - 1].n;
    memcpy(L->eprop.wout_snap, net->params + net->off_wout, (size_t)net->n_out * nL * sizeof(elig_real));
}

static void begin(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__eprop *e = &L->eprop;
    size_t B = (size_t)net->batch;
    for (int l = 0; l < net->L; l++) {
        size_t n = (size_t)net->layer[l].n, Q = (size_t)e->Q[l];
        memset(e->eps[l], 0, B * n * Q * (size_t)net->layer[l].s * sizeof(elig_real));
        memset(e->ebar[l], 0, B * n * Q * sizeof(elig_real));
        if (e->esum[l]) memset(e->esum[l], 0, n * Q * sizeof(elig_real));
        if (e->S[l]) memset(e->S[l], 0, B * n * Q * sizeof(elig_real));
    }
    size_t nL = (size_t)net->layer[net->L - 1].n;
    memset(e->zout, 0, B * nL * sizeof(elig_real));
    memset(e->one_out, 0, B * sizeof(elig_real));
    if (e->Sout) memset(e->Sout, 0, B * (nL + 1) * sizeof(elig_real));
    snapshot_wout(L);
}

/* Learning signal of layer l for batch element b from the errors err (K). */
static void signal(const elig_learner *L, int l, int b, const elig_real *err, elig_real *sig, int use_override)
{
    const elig_net *net = L->net;
    const elig__eprop *e = &L->eprop;
    const int n = net->layer[l].n, K = net->n_out;
    if (use_override && e->override[l]) {
        memcpy(sig, e->override[l] + ((size_t)L->t * net->batch + b) * n, (size_t)n * sizeof(elig_real));
        return;
    }
    for (int i = 0; i < n; i++) sig[i] = 0;
    if (L->cfg.feedback == ELIG_FB_SYMMETRIC) {
        const elig_real *Wo = net->params + net->off_wout;
        for (int k = 0; k < K; k++)
            for (int i = 0; i < n; i++) sig[i] += Wo[(size_t)k * n + i] * err[k];
    } else {
        const elig_real *fb = e->fb[l];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < K; k++) sig[i] += fb[(size_t)i * K + k] * err[k];
    }
}

/* Trace update of neuron i over m consecutive synapses with presynaptic activity pre[0..m).
 * Eligibility vectors are stored planar per neuron: component x of synapse q at
 * eps[x * stride + q], so every loop below runs over contiguous memory.
 * span_ref is the plain reference kernel for any number of state variables s. */
typedef struct {
    const elig_real *A, *dc, *dzdh; /* (s, s), (s), (s) of this neuron and step */
    int s, raw;
    size_t stride;                  /* Q: distance between components in eps     */
    elig_real kappa, so, Li;
    elig_real *es;                  /* (m) sum of e for the regulariser, or NULL */
    elig_real *S;                   /* (m) window mean (aggregated loss), or NULL */
    elig_real inv_w;
} span_args;

static void span_ref(const span_args *a, elig_real *restrict eps, elig_real *restrict eb, elig_real *restrict g,
                     const elig_real *restrict pre, int m)
{
    const int s = a->s;
    const size_t st = a->stride;
    for (int q = 0; q < m; q++) {
        elig_real en[ELIG_MAX_STATE], et = 0;
        for (int x = 0; x < s; x++) {
            elig_real v = a->dc[x] * pre[q];
            for (int y = 0; y < s; y++) v += a->A[x * s + y] * eps[y * st + q];
            en[x] = v;
        }
        for (int x = 0; x < s; x++) {
            eps[x * st + q] = en[x];
            et += a->dzdh[x] * en[x];
        }
        eb[q] = a->kappa * eb[q] + a->so * et;
        elig_real tr = a->raw ? et : eb[q];
        if (a->es) a->es[q] += et;
        if (g) g[q] += a->Li * tr;
        if (a->S) a->S[q] += a->inv_w * tr;
    }
}

/* Same arithmetic in the same order, specialised for s = 1 (LIF) and s = 2 (ALIF, CuBa-LIF)
 * in the common case (filtered traces, per-step loss), written so that the compiler
 * vectorises it; tested bit-identical to span_ref. Anything else goes to span_ref. */
static void span_s1(const span_args *a, elig_real *restrict eps, elig_real *restrict eb, elig_real *restrict g,
                    const elig_real *restrict pre, int m)
{
    if (a->S || a->raw) {
        span_ref(a, eps, eb, g, pre, m);
        return;
    }
    const elig_real A = a->A[0], dc = a->dc[0], d = a->dzdh[0], k = a->kappa, so = a->so, Li = a->Li;
    elig_real *restrict es = a->es;
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
    if (g)
        for (int q = 0; q < m; q++) g[q] += Li * eb[q];
}

static void span_s2(const span_args *a, elig_real *restrict eps, elig_real *restrict eb, elig_real *restrict g,
                    const elig_real *restrict pre, int m)
{
    if (a->S || a->raw) {
        span_ref(a, eps, eb, g, pre, m);
        return;
    }
    const elig_real A00 = a->A[0], A01 = a->A[1], A10 = a->A[2], A11 = a->A[3];
    const elig_real c0 = a->dc[0], c1 = a->dc[1], d0 = a->dzdh[0], d1 = a->dzdh[1];
    const elig_real k = a->kappa, so = a->so, Li = a->Li;
    elig_real *restrict e0 = eps, *restrict e1 = eps + a->stride, *restrict es = a->es;
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
    if (g)
        for (int q = 0; q < m; q++) g[q] += Li * eb[q];
}

typedef void (*span_fn)(const span_args *, elig_real *, elig_real *, elig_real *, const elig_real *, int);

static void step(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__eprop *e = &L->eprop;
    const int B = net->batch, K = net->n_out, Ln = net->L, t = L->t;
    const int agg = L->cfg.loss.loss->agg, in_win = elig__in_window(L, t);
    const elig_real kappa = net->kappa, so = net->out_scale;
    const elig_real inv_w = (elig_real)1 / (elig_real)(L->we - L->wb);
    const elig_real one = 1;
    elig_real *G = L->grad;
    for (int b = 0; b < B; b++) {
        const elig_real *err = L->err + (size_t)b * K;
        for (int l = 0; l < Ln; l++) {
            const elig__layer *ly = &net->layer[l];
            const int n = ly->n, s = ly->s, np = ly->n_pre, Q = e->Q[l];
            const int nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
            const size_t bn = (size_t)b * n, bns = bn * s;
            const elig_real *pre = elig__pre(net, l) + (size_t)b * np, *zp = ly->z_prev + bn;
            span_fn span = e->reference ? span_ref : (s == 1 ? span_s1 : (s == 2 ? span_s2 : span_ref));
            span_args a;
            a.s = s;
            a.stride = (size_t)Q;
            a.raw = e->override[l] != NULL || !L->cfg.filter_traces;
            a.kappa = kappa;
            a.so = so;
            a.inv_w = inv_w;
            elig_real *sig = e->sig;
            signal(L, l, b, err, sig, 1);
            for (int i = 0; i < n; i++) {
                const elig_real *D = ly->part.D + (bns + (size_t)i * s) * s;
                const elig_real *dza = ly->part.dza + bns + (size_t)i * s;
                const elig_real *dzdh_p = ly->dzdh_prev + bns + (size_t)i * s;
                elig_real A[ELIG_MAX_STATE * ELIG_MAX_STATE];
                for (int x = 0; x < s; x++)
                    for (int y = 0; y < s; y++) A[x * s + y] = D[x * s + y] + dza[x] * dzdh_p[y];
                a.A = A;
                a.dc = ly->part.dc + bns + (size_t)i * s;
                a.dzdh = ly->part.dzdh + bns + (size_t)i * s;
                a.Li = sig[i];
                elig_real *eps = e->eps[l] + (bn + i) * (size_t)Q * s;
                elig_real *eb = e->ebar[l] + (bn + i) * (size_t)Q;
                elig_real *es = e->esum[l] ? e->esum[l] + (size_t)i * Q : NULL;
                elig_real *Si = agg && in_win ? e->S[l] + (bn + i) * (size_t)Q : NULL;
                int grad = !agg && a.Li != 0;
                /* inputs, recurrent synapses, bias: contiguous in eps/ebar and in the gradient */
                a.es = es;
                a.S = Si;
                span(&a, eps, eb, grad ? G + ly->off_win + (size_t)i * np : NULL, pre, np);
                if (nrec) {
                    a.es = es ? es + np : NULL;
                    a.S = Si ? Si + np : NULL;
                    span(&a, eps + np, eb + np, grad ? G + ly->off_wrec + (size_t)i * n : NULL, zp, n);
                }
                if (ly->off_b != ELIG__ABSENT) {
                    a.es = es ? es + np + nrec : NULL;
                    a.S = Si ? Si + np + nrec : NULL;
                    span(&a, eps + np + nrec, eb + np + nrec, grad ? G + ly->off_b + i : NULL, &one, 1);
                }
            }
        }
        /* exact readout gradient */
        const elig__layer *top = &net->layer[Ln - 1];
        const int nL = top->n;
        elig_real *zo = e->zout + (size_t)b * nL;
        const elig_real *zt = top->z + (size_t)b * nL;
        for (int i = 0; i < nL; i++) zo[i] = kappa * zo[i] + so * zt[i];
        e->one_out[b] = kappa * e->one_out[b] + 1;
        if (!agg) {
            for (int k = 0; k < K; k++) {
                if (err[k] == 0) continue;
                elig_real *g = G + net->off_wout + (size_t)k * nL;
                for (int i = 0; i < nL; i++) g[i] += err[k] * zo[i];
                if (net->off_bout != ELIG__ABSENT) G[net->off_bout + k] += err[k] * e->one_out[b];
            }
        } else if (in_win) {
            elig_real *So = e->Sout + (size_t)b * (nL + 1);
            for (int i = 0; i < nL; i++) So[i] += inv_w * zo[i];
            So[nL] += inv_w * e->one_out[b];
        }
    }
}

static void end(elig_learner *L)
{
    const elig_net *net = L->net;
    elig__eprop *e = &L->eprop;
    const int B = net->batch, K = net->n_out, Ln = net->L;
    elig_real *G = L->grad;
    if (L->cfg.loss.loss->agg) {
        for (int b = 0; b < B; b++) {
            const elig_real *d = L->delta + (size_t)b * K;
            for (int l = 0; l < Ln; l++) {
                const elig__layer *ly = &net->layer[l];
                const int n = ly->n, np = ly->n_pre, Q = e->Q[l], nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
                signal(L, l, b, d, e->sig, 0);
                for (int i = 0; i < n; i++) {
                    const elig_real *Si = e->S[l] + ((size_t)b * n + i) * Q;
                    for (int q = 0; q < Q; q++) {
                        size_t gi = q < np ? ly->off_win + (size_t)i * np + q
                                           : (q < np + nrec ? ly->off_wrec + (size_t)i * n + (q - np) : ly->off_b + i);
                        G[gi] += e->sig[i] * Si[q];
                    }
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
    if (L->cfg.reg_rate > 0) {
        const double BT = (double)B * L->T;
        for (int l = 0; l < Ln; l++) {
            const elig__layer *ly = &net->layer[l];
            if (!ly->m->spiking) continue;
            /* f in units of z (spikes per step times the spike amplitude), as e = dz/dW is */
            const double amp = ly->k.z_amp, f_star = L->cfg.f_target * net->cfg.dt / 1000.0 * amp;
            const int n = ly->n, np = ly->n_pre, Q = e->Q[l], nrec = ly->off_wrec != ELIG__ABSENT ? n : 0;
            for (int i = 0; i < n; i++) {
                elig_real c = (elig_real)(L->cfg.reg_rate * (ly->spike_count[i] * amp / BT - f_star) / BT);
                const elig_real *es = e->esum[l] + (size_t)i * Q;
                for (int q = 0; q < Q; q++) {
                    size_t gi = q < np ? ly->off_win + (size_t)i * np + q
                                       : (q < np + nrec ? ly->off_wrec + (size_t)i * n + (q - np) : ly->off_b + i);
                    G[gi] += c * es[q];
                }
            }
        }
    }
}

static elig_real *feedback(elig_learner *L, int layer)
{
    return L->cfg.feedback == ELIG_FB_SYMMETRIC ? NULL : L->eprop.fb[layer];
}

/* Kolen-Pollack: B receives the same update as W_out^T; both decay by (1 - kp_decay). */
static void after_update(elig_learner *L)
{
    elig_net *net = L->net;
    elig__eprop *e = &L->eprop;
    if (L->cfg.feedback == ELIG_FB_ADAPTIVE) {
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

void elig__eprop_use_reference_kernel(elig_learner *L, int on)
{
    if (L->rule == &elig_rule_eprop) L->eprop.reference = on;
}

void elig__eprop_override_signal(elig_learner *L, int layer, const elig_real *sig)
{
    if (L->rule == &elig_rule_eprop && layer >= 0 && layer < L->net->L) L->eprop.override[layer] = sig;
}

const elig_rule elig_rule_eprop = {"eprop", 1, check, carve, init, begin, step, end, feedback, after_update};
