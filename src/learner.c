/* learner.c -- the learner object shared by every rule: creation in one block, the loss
 * bookkeeping, and the begin / step / end sequence (rule.h).
 *
 * Per step: net step, then the loss of this step (error dL/dy_t for per-step losses inside
 * the window; running mean or max for aggregated ones), then the rule's step. At the end the
 * aggregated losses produce their error and the rule finishes (BPTT runs backward). Masked
 * parameters (absent synapses, autapses) get a zero gradient.
 */
#include "rule.h"

#include <math.h>
#include <string.h>

const elig_rule *elig_rule_by_name(const char *name)
{
    static const elig_rule *all[] = {&elig_rule_bptt, &elig_rule_rtrl, &elig_rule_trace, &elig_rule_snap};
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

const char *elig_rule_name(const elig_rule *r) { return r ? r->name : "(none)"; }
int elig_rule_is_online(const elig_rule *r) { return r ? r->online : 0; }

/* The named rules as presets of (implementation, influence, signal, filter). */
typedef struct {
    const char *name;
    const elig_rule *rule;
    int snap_n, influence, keep_reset, signal, filter, feedback; /* feedback -1: keep */
} preset;

static const preset presets[] = {
    {"bptt", &elig_rule_bptt, 0, 0, 0, 0, 0, -1},
    {"rtrl", &elig_rule_rtrl, 0, 0, 0, 0, 0, -1},
    /* SnAp-n: sparse storage of the reachable influence entries (rtrl with snap_n is the
     * dense reference of the same recursion) */
    {"snap1", &elig_rule_snap, 1, 0, 0, 0, 0, -1},
    {"snap2", &elig_rule_snap, 2, 0, 0, 0, 0, -1},
    {"snap3", &elig_rule_snap, 3, 0, 0, 0, 0, -1},
    /* e-prop: neuron-local block without the reset, broadcast feedback, readout-filtered */
    {"eprop", &elig_rule_trace, 0, ELIG_INFL_BLOCK, 0, ELIG_SIG_FEEDBACK, 1, -1},
    /* OSTL: the whole neuron-local block (reset included), exact spatial signal */
    {"ostl", &elig_rule_trace, 0, ELIG_INFL_BLOCK, 1, ELIG_SIG_EXACT, 1, -1},
    /* diagonal RTRL: the same carried part as OSTL, named for rate networks */
    {"diag_rtrl", &elig_rule_trace, 0, ELIG_INFL_BLOCK, 1, ELIG_SIG_EXACT, 1, -1},
    /* RFLO: diagonal traces of leaky rate units, fixed random feedback */
    {"rflo", &elig_rule_trace, 0, ELIG_INFL_BLOCK, 0, ELIG_SIG_FEEDBACK, 1, ELIG_FB_RANDOM},
    /* DECOLLE: presynaptic traces, local readouts with fixed random weights */
    {"decolle", &elig_rule_trace, 0, ELIG_INFL_PRE, 0, ELIG_SIG_LOCAL, 0, -1},
    /* SuperSpike: presynaptic PSP traces, filtered with the (van Rossum) readout kernel */
    {"superspike", &elig_rule_trace, 0, ELIG_INFL_PRE, 0, ELIG_SIG_FEEDBACK, 1, ELIG_FB_SYMMETRIC},
};

int elig_learner_preset(const char *name, elig_learner_cfg *cfg)
{
    if (!cfg) return elig__err(ELIG_EINVAL, "elig_learner_preset: cfg is NULL");
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        const preset *p = &presets[i];
        if (!name || strcmp(p->name, name)) continue;
        cfg->rule = p->rule;
        cfg->snap_n = p->snap_n;
        cfg->influence = p->influence;
        cfg->keep_reset = p->keep_reset;
        cfg->signal = p->signal;
        cfg->filter_traces = p->filter;
        if (p->feedback >= 0) cfg->feedback = p->feedback;
        return ELIG_OK;
    }
    return elig__err(ELIG_EINVAL,
                     "learner.rule must be one of bptt, rtrl, snap1, snap2, snap3, eprop, ostl, diag_rtrl, rflo, decolle, "
                     "superspike (got %s)", name ? name : "(null)");
}

const char *const *elig_learner_preset_names(void)
{
    static const char *const names[] = {"bptt", "rtrl", "snap1", "snap2", "snap3", "eprop", "ostl", "diag_rtrl",
                                        "rflo", "decolle", "superspike", NULL};
    return names;
}

elig_learner_cfg elig_learner_cfg_default(void)
{
    elig_learner_cfg c;
    memset(&c, 0, sizeof c);
    c.rule = &elig_rule_trace;
    c.influence = ELIG_INFL_BLOCK;
    c.keep_reset = 0;
    c.signal = ELIG_SIG_FEEDBACK;
    c.local_gain = 0.5;
    c.local_loss = &elig_loss_smooth_l1;
    c.snap_n = 0;
    c.loss.loss = &elig_loss_mse;
    c.loss.win_begin = 0;
    c.loss.win_end = 0;
    c.loss.time_norm = ELIG_TIME_SUM;
    c.max_steps = 1000;
    c.feedback = ELIG_FB_RANDOM;
    c.fb_gain = 1.0;
    c.fb_scaled = 1;
    c.kp_decay = 0.0;
    c.filter_traces = 1;
    c.reg_rate = 0.0;
    c.f_target = 10.0;
    c.seed = 2;
    c.mem_limit = (size_t)4 << 30;
    return c;
}

static int check(const elig_net *net, const elig_learner_cfg *c)
{
    elig__clear_err();
    if (!net) return elig__err(ELIG_EINVAL, "learner: net is NULL");
    if (!c) return elig__err(ELIG_EINVAL, "learner config is NULL");
    if (!c->rule) return elig__err(ELIG_EINVAL, "learner.rule must be set (got none)");
    if (!c->loss.loss) return elig__err(ELIG_EINVAL, "loss.kind must be set (got none)");
    if (c->loss.time_norm != ELIG_TIME_SUM && c->loss.time_norm != ELIG_TIME_MEAN)
        return elig__err(ELIG_EINVAL, "loss.time_norm must be sum (0) or mean (1) (got %d)", c->loss.time_norm);
    if (c->max_steps < 1 || c->max_steps > (1 << 28))
        return elig__err(ELIG_EINVAL, "learner.max_steps must be in [1, 2^28] (got %d)", c->max_steps);
    if (c->loss.win_begin > 0 && c->loss.win_end > 0 && c->loss.win_end <= c->loss.win_begin)
        return elig__err(ELIG_EINVAL, "loss.win_end must be > loss.win_begin (got %d <= %d)", c->loss.win_end, c->loss.win_begin);
    if (c->loss.win_begin < 0 && c->loss.win_end < 0 && c->loss.win_end <= c->loss.win_begin)
        return elig__err(ELIG_EINVAL, "loss.win_end must be > loss.win_begin (got %d <= %d)", c->loss.win_end, c->loss.win_begin);
    if (c->feedback < ELIG_FB_SYMMETRIC || c->feedback > ELIG_FB_UNIFORM)
        return elig__err(ELIG_EINVAL, "learner.feedback must be symmetric, random, adaptive or uniform (got %d)", c->feedback);
    if (c->snap_n < 0 || c->snap_n > 64) return elig__err(ELIG_EINVAL, "learner.snap_n must be in [0, 64] (got %d)", c->snap_n);
    if (!(c->fb_gain >= 0) || !isfinite(c->fb_gain)) return elig__err(ELIG_EINVAL, "learner.fb_gain must be >= 0 (got %g)", c->fb_gain);
    if (c->fb_scaled != 0 && c->fb_scaled != 1) return elig__err(ELIG_EINVAL, "learner.fb_scaled must be 0 or 1 (got %d)", c->fb_scaled);
    if (!(c->kp_decay >= 0 && c->kp_decay < 1)) return elig__err(ELIG_EINVAL, "learner.kp_decay must be in [0, 1) (got %g)", c->kp_decay);
    if (c->filter_traces != 0 && c->filter_traces != 1)
        return elig__err(ELIG_EINVAL, "learner.filter_traces must be 0 or 1 (got %d)", c->filter_traces);
    if (!(c->reg_rate >= 0) || !isfinite(c->reg_rate)) return elig__err(ELIG_EINVAL, "learner.reg_rate must be >= 0 (got %g)", c->reg_rate);
    if (!(c->f_target >= 0) || !isfinite(c->f_target)) return elig__err(ELIG_EINVAL, "learner.f_target must be >= 0 Hz (got %g)", c->f_target);
    return c->rule->check(net, c);
}

static void carve(elig_learner *L, const elig_net *net, const elig_learner_cfg *c, elig__arena *a)
{
    size_t BK = (size_t)net->batch * (size_t)net->n_out;
    L->grad = elig__carve(a, net->n_params, sizeof(elig_real));
    L->err = elig__carve(a, BK, sizeof(elig_real));
    L->agg = elig__carve(a, BK, sizeof(elig_real));
    L->agg_target = elig__carve(a, BK, sizeof(elig_real));
    L->delta = elig__carve(a, BK, sizeof(elig_real));
    L->argmax = elig__carve(a, BK, sizeof(int32_t));
    c->rule->carve(L, net, c, a);
}

size_t elig_learner_bytes(const elig_net *net, const elig_learner_cfg *c)
{
    if (check(net, c)) return 0;
    elig_learner tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.net = (elig_net *)net;
    tmp.cfg = *c;
    elig__arena a = {NULL, 0};
    elig__carve(&a, 1, sizeof(elig_learner)); /* the handle lives in the same block */
    carve(&tmp, net, c, &a);
    return a.used + 64;
}

double elig_learner_flops(const elig_net *net, const elig_learner_cfg *c)
{
    if (check(net, c)) return 0;
    double f = 0, Pc = (double)net->n_core, P = (double)net->n_params, K = net->n_out;
    const double nL = net->layer[net->L - 1].n;
    for (int l = 0; l < net->L; l++) { /* the network step: input currents and neuron update */
        const elig__layer *ly = &net->layer[l];
        double n = ly->n, s = ly->s, nrec = ly->off_wrec != ELIG__ABSENT ? n : 0, Q = ly->n_pre + nrec;
        double Qb = Q + (ly->off_b != ELIG__ABSENT); /* parameters per neuron row */
        f += n * Q + n * (s * s + 4 * s);
        if (c->rule == &elig_rule_bptt) /* backward: adjoints, W^T cbar, outer products */
            f += 2 * n * Q + n * (s * s + 3 * s) + (l + 1 < net->L ? n * net->layer[l + 1].n : K * n);
        else if (c->rule == &elig_rule_rtrl) /* C = W_rec Z + W_in Z_below, M = D M + ..., Z */
            f += (n * nrec + (l ? n * ly->n_pre : 0) + n * s * (s + 3)) * Pc;
        else if (c->rule == &elig_rule_snap) { /* per tracked pair: its in-edges inside R(i), the block */
            double pairs = 0, edges = 0;
            elig__snap_cost(net, c->snap_n, &pairs, &edges);
            f += (edges + pairs * (s * s + 3 * s) + pairs * K) * Qb;
        }
        else { /* eligibility update, filter, gradient; presynaptic storage shares eps */
            double eps = elig__trace_pre_storage(net, c) ? s * s * Qb + n * Qb * s : n * Qb * (s * s + s);
            int stages = (c->filter_traces && c->signal != ELIG_SIG_LOCAL) ? 1 + net->two_stage : 0;
            f += eps + n * Qb * (1 + 2 * stages) + n * K; /* e, filter stages, gradient; signal B err */
            if (c->signal == ELIG_SIG_LOCAL) f += 2 * n * K;              /* local readout and G^T */
            if (c->signal == ELIG_SIG_EXACT && l + 1 < net->L) f += n * net->layer[l + 1].n;
        }
    }
    f += K * nL;                                      /* readout */
    if (c->rule == &elig_rule_rtrl) f += K * (nL * Pc + 2 * P); /* readout influence, gradient */
    return f * net->batch;
}

int elig_learner_create(elig_net *net, const elig_learner_cfg *c, elig_learner **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_learner_create: out is NULL");
    *out = NULL;
    if ((rc = check(net, c))) return rc;
    size_t bytes = elig_learner_bytes(net, c);
    if (c->mem_limit && bytes > c->mem_limit)
        return elig__err(ELIG_ELIMIT, "learner %s needs %zu bytes for this network, above learner.mem_limit = %zu",
                         c->rule->name, bytes, c->mem_limit);
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "learner %s: cannot allocate %zu bytes", c->rule->name, bytes);
    elig__arena a = {(char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u), 0};
    elig_learner *L = elig__carve(&a, 1, sizeof(elig_learner));
    L->mem = mem;
    L->cfg = *c;
    L->net = net;
    L->rule = c->rule;
    carve(L, net, c, &a);
    if (L->rule->init) L->rule->init(L);
    *out = L;
    return ELIG_OK;
}

void elig_learner_free(elig_learner *L)
{
    if (L) elig__free(L->mem); /* the handle is inside the block */
}

elig_net *elig_learner_net(elig_learner *L) { return L->net; }
/* Masked parameters (absent synapses, autapses) read as zero whenever the gradient is read,
 * also in the middle of a sequence (updates every k steps). O(P), once per read. */
static void mask_grad(elig_learner *L)
{
    const elig_net *net = L->net;
    for (size_t i = 0; i < net->n_params; i++)
        if (!net->mask[i]) L->grad[i] = 0;
    if (!net->cfg.out_trainable) /* a fixed readout keeps its values and gets no gradient */
        memset(L->grad + net->off_wout, 0, (net->n_params - net->off_wout) * sizeof(elig_real));
}

elig_real *elig_learner_grad(elig_learner *L)
{
    mask_grad(L);
    return L->grad;
}
void elig_learner_zero_grad(elig_learner *L) { memset(L->grad, 0, L->net->n_params * sizeof(elig_real)); }

elig_real *elig_learner_feedback(elig_learner *L, int layer)
{
    if (!L->rule->feedback || layer < 0 || layer >= L->net->L) return NULL;
    return L->rule->feedback(L, layer);
}

void elig_learner_after_update(elig_learner *L)
{
    elig_net_apply_mask(L->net);
    if (L->rule->after_update) L->rule->after_update(L);
}

int elig_learner_begin(elig_learner *L, int T)
{
    if (T < 1) return elig__err(ELIG_EINVAL, "sequence length T must be >= 1 (got %d)", T);
    if (!L->rule->online && T > L->cfg.max_steps)
        return elig__err(ELIG_EINVAL, "sequence length T = %d exceeds learner.max_steps = %d (%s stores the trajectory)", T,
                         L->cfg.max_steps, L->rule->name);
    int wb = L->cfg.loss.win_begin < 0 ? T + L->cfg.loss.win_begin : L->cfg.loss.win_begin;
    int we = L->cfg.loss.win_end <= 0 ? T + L->cfg.loss.win_end : L->cfg.loss.win_end;
    if (wb < 0 || we > T || wb >= we)
        return elig__err(ELIG_EINVAL, "loss window [%d, %d) resolves to [%d, %d), empty or outside the %d steps",
                         L->cfg.loss.win_begin, L->cfg.loss.win_end, wb, we, T);
    L->T = T;
    L->t = 0;
    L->wb = wb;
    L->we = we;
    L->loss = 0;
    L->step_loss = 0;
    L->started = 1;
    elig_net_reset_state(L->net);
    elig_learner_zero_grad(L);
    size_t BK = (size_t)L->net->batch * (size_t)L->net->n_out;
    memset(L->err, 0, BK * sizeof(elig_real));
    for (size_t i = 0; i < BK; i++) {
        L->agg[i] = L->cfg.loss.loss->agg == 2 ? (elig_real)-INFINITY : 0;
        L->argmax[i] = -1;
    }
    L->rule->begin(L);
    return ELIG_OK;
}

/* Loss of this step: fills L->err (B, K) with dL/dy_t for per-step losses, accumulates the
 * aggregate otherwise. Arithmetic only. */
static void loss_step(elig_learner *L, const elig_real *target)
{
    const elig_net *net = L->net;
    const int B = net->batch, K = net->n_out, t = L->t;
    const elig_loss *lf = L->cfg.loss.loss;
    size_t BK = (size_t)B * (size_t)K;
    L->step_loss = 0;
    if (!elig__in_window(L, t) || (!target && lf->agg == 0)) {
        memset(L->err, 0, BK * sizeof(elig_real));
        return;
    }
    const double W = (double)(L->we - L->wb);
    if (lf->agg == 0) {
        double ct = L->cfg.loss.time_norm == ELIG_TIME_MEAN ? 1.0 / W : 1.0;
        elig_real scale = (elig_real)(ct / B);
        for (int b = 0; b < B; b++) {
            elig_real *g = L->err + (size_t)b * K;
            double l = lf->eval(K, net->y + (size_t)b * K, target + (size_t)b * K, g);
            for (int k = 0; k < K; k++) g[k] *= scale;
            L->step_loss += ct * l / B;
        }
        L->loss += L->step_loss;
        return;
    }
    memset(L->err, 0, BK * sizeof(elig_real));
    for (size_t i = 0; i < BK; i++) {
        if (lf->agg == 1) L->agg[i] += net->y[i] / (elig_real)W;
        else if (net->y[i] > L->agg[i]) {
            L->agg[i] = net->y[i];
            L->argmax[i] = t;
        }
        if (target) L->agg_target[i] = target[i];
    }
}

void elig_learner_step(elig_learner *L, const elig_real *x, const elig_real *target, const void *step_mask)
{
    (void)step_mask;
    if (L->t >= L->T) { /* past the announced length: BPTT has no room; counted, reported by end */
        L->t++;
        return;
    }
    elig_net_step(L->net, x);
    L->target = target;
    loss_step(L, target);
    L->rule->step(L);
    L->t++;
}

int elig_learner_end(elig_learner *L, double *loss)
{
    if (!L->started) return elig__err(ELIG_ESTATE, "elig_learner_end called without elig_learner_begin");
    if (L->t != L->T) {
        L->started = 0;
        return elig__err(ELIG_ESTATE, "elig_learner_end after %d steps, but elig_learner_begin announced T = %d%s", L->t,
                         L->T, L->t > L->T ? " (the extra steps were ignored)" : "");
    }
    const elig_net *net = L->net;
    const int B = net->batch, K = net->n_out;
    const elig_loss *lf = L->cfg.loss.loss;
    if (lf->agg) {
        L->loss = 0;
        for (int b = 0; b < B; b++) {
            elig_real *d = L->delta + (size_t)b * K;
            L->loss += lf->eval(K, L->agg + (size_t)b * K, L->agg_target + (size_t)b * K, d) / B;
            for (int k = 0; k < K; k++) d[k] /= (elig_real)B;
        }
    }
    L->rule->end(L);
    mask_grad(L);
    L->started = 0;
    if (loss) *loss = L->loss;
    return ELIG_OK;
}

double elig_learner_step_loss(const elig_learner *L) { return L->step_loss; }

double elig_learner_rate_hz(const elig_learner *L, int layer)
{
    const elig_net *net = L->net;
    if (layer < 0 || layer >= net->L || net->steps == 0) return 0;
    const elig__layer *ly = &net->layer[layer];
    double s = 0;
    for (int i = 0; i < ly->n; i++) s += ly->spike_count[i];
    return s / ((double)ly->n * net->batch * (double)net->steps * net->cfg.dt) * 1000.0;
}
