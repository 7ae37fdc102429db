/* net.c -- the network: inputs -> L recurrent (or feed-forward) layers -> leaky readout.
 *
 *   c^l_t = W_in^l pre^l_t + W_rec^l z^l_{t-1} + b^l,    pre^1_t = x_t, pre^l_t = z^{l-1}_t
 *   h^l_t, z^l_t = model step (neuron.h)
 *   y1_t = kappa y1_{t-1} + s_out W_out z^L_t + b_out,   kappa = exp(-dt/tau_out), s_out = 1 or 1-kappa
 *   y_t = y1_t, or with a second stage (tau_out2 > 0) y_t = kappa2 y_{t-1} + s2 y1_t: a
 *   double-exponential kernel such as the van Rossum / SuperSpike alpha kernel
 *
 * One allocation holds parameters, masks, state and the per-step partial derivatives of
 * every layer for every batch element (llm.c style: pointers into one block). Cost per step
 * and batch element: sum_l n_l (n_pre + n_l) multiply-adds plus n_out n_L for the readout,
 * or n_l times the number of active presynaptic units when fewer than a quarter are active
 * (event-driven kernel, bit-identical to the dense one).
 */
#include "net.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

elig_layer_cfg elig_layer_cfg_default(const elig_neuron_model *m)
{
    elig_layer_cfg c;
    memset(&c, 0, sizeof c);
    c.n = 100;
    c.model = m ? m : &elig_neuron_lif;
    c.neuron = elig_neuron_params_default(c.model);
    c.recurrent = 1;
    c.autapses = 0;
    c.rec_density = 1.0;
    c.bias = 0;
    c.init = ELIG_INIT_NORMAL;
    c.in_gain = 1.0;
    c.rec_gain = 1.0;
    return c;
}

elig_net_cfg elig_net_cfg_default(void)
{
    elig_net_cfg c;
    memset(&c, 0, sizeof c);
    c.dt = 1.0;
    c.n_in = 100;
    c.n_out = 1;
    c.n_layers = 1;
    c.batch = 1;
    c.layer[0] = elig_layer_cfg_default(&elig_neuron_lif);
    c.tau_out = 20.0;
    c.out_leak_scale = 1;
    c.out_bias = 0;
    c.out_init = ELIG_INIT_NORMAL;
    c.out_gain = 1.0;
    c.tau_out2 = 0.0;
    c.out_trainable = 1;
    c.seed = 1;
    return c;
}

#define MAX_UNITS (1 << 24)

static int check_init(int init, double gain, const char *where, const char *field, const char *gfield)
{
    if (init < ELIG_INIT_NORMAL || init > ELIG_INIT_ZERO)
        return elig__err(ELIG_EINVAL, "%s.%s must be normal, glorot or zero (got %d)", where, field, init);
    if (!isfinite(gain) || gain < 0) return elig__err(ELIG_EINVAL, "%s.%s must be >= 0 (got %g)", where, gfield, gain);
    return ELIG_OK;
}

int elig_net_check(const elig_net_cfg *c)
{
    int rc;
    elig__clear_err();
    if (!c) return elig__err(ELIG_EINVAL, "net config is NULL");
    if (!(c->dt > 0) || !isfinite(c->dt)) return elig__err(ELIG_EINVAL, "net.dt must be > 0 ms (got %g)", c->dt);
    if (c->n_in < 1 || c->n_in > MAX_UNITS) return elig__err(ELIG_EINVAL, "net.n_in must be in [1, %d] (got %d)", MAX_UNITS, c->n_in);
    if (c->n_out < 1 || c->n_out > MAX_UNITS) return elig__err(ELIG_EINVAL, "net.n_out must be in [1, %d] (got %d)", MAX_UNITS, c->n_out);
    if (c->n_layers < 1 || c->n_layers > ELIG_MAX_LAYERS)
        return elig__err(ELIG_EINVAL, "net.n_layers must be in [1, %d] (got %d)", ELIG_MAX_LAYERS, c->n_layers);
    if (c->batch < 1 || c->batch > 65536) return elig__err(ELIG_EINVAL, "net.batch must be in [1, 65536] (got %d)", c->batch);
    for (int l = 0; l < c->n_layers; l++) {
        const elig_layer_cfg *lc = &c->layer[l];
        char where[32];
        snprintf(where, sizeof where, "layer[%d]", l);
        if (lc->n < 1 || lc->n > MAX_UNITS) return elig__err(ELIG_EINVAL, "%s.n must be in [1, %d] (got %d)", where, MAX_UNITS, lc->n);
        if (!lc->model) return elig__err(ELIG_EINVAL, "%s.model must be set (got none)", where);
        if ((rc = lc->model->check(&lc->neuron, c->dt, where))) return rc;
        if ((rc = elig__check_bool(lc->recurrent, where, "recurrent"))) return rc;
        if ((rc = elig__check_bool(lc->autapses, where, "autapses"))) return rc;
        if ((rc = elig__check_bool(lc->bias, where, "bias"))) return rc;
        if (!(lc->rec_density > 0 && lc->rec_density <= 1))
            return elig__err(ELIG_EINVAL, "%s.rec_density must be in (0, 1] (got %g)", where, lc->rec_density);
        if ((rc = check_init(lc->init, lc->in_gain, where, "init", "in_gain"))) return rc;
        if ((rc = check_init(lc->init, lc->rec_gain, where, "init", "rec_gain"))) return rc;
    }
    if (!(c->tau_out >= 0) || !isfinite(c->tau_out)) return elig__err(ELIG_EINVAL, "net.tau_out must be >= 0 ms (got %g)", c->tau_out);
    if ((rc = elig__check_bool(c->out_leak_scale, "net", "out_leak_scale"))) return rc;
    if ((rc = elig__check_bool(c->out_bias, "net", "out_bias"))) return rc;
    if (c->out_init == ELIG_INIT_IDENTITY) {
        if (c->n_out != c->layer[c->n_layers - 1].n)
            return elig__err(ELIG_EINVAL, "net.out_init = identity needs n_out == n of the last layer (got %d and %d)",
                             c->n_out, c->layer[c->n_layers - 1].n);
    } else if ((rc = check_init(c->out_init, c->out_gain, "net", "out_init", "out_gain")))
        return rc;
    if (!(c->tau_out2 >= 0) || !isfinite(c->tau_out2)) return elig__err(ELIG_EINVAL, "net.tau_out2 must be >= 0 ms (got %g)", c->tau_out2);
    if ((rc = elig__check_bool(c->out_trainable, "net", "out_trainable"))) return rc;
    return ELIG_OK;
}

/* Parameter count and offsets; returns 0 on overflow (impossible within the checked caps,
 * but counted in size_t all the same). */
static size_t layout(const elig_net_cfg *c, size_t off[ELIG_MAX_LAYERS][3], size_t *off_wout, size_t *off_bout, size_t *n_core)
{
    size_t p = 0;
    for (int l = 0; l < c->n_layers; l++) {
        size_t n = (size_t)c->layer[l].n, n_pre = l == 0 ? (size_t)c->n_in : (size_t)c->layer[l - 1].n;
        off[l][0] = p;
        p += n * n_pre;
        off[l][1] = c->layer[l].recurrent ? p : ELIG__ABSENT;
        if (c->layer[l].recurrent) p += n * n;
        off[l][2] = c->layer[l].bias ? p : ELIG__ABSENT;
        if (c->layer[l].bias) p += n;
    }
    *n_core = p;
    *off_wout = p;
    p += (size_t)c->n_out * (size_t)c->layer[c->n_layers - 1].n;
    *off_bout = c->out_bias ? p : ELIG__ABSENT;
    if (c->out_bias) p += (size_t)c->n_out;
    return p;
}

/* Carve every array; with a->base == NULL this only counts. */
static void carve(elig_net *net, const elig_net_cfg *c, elig__arena *a, size_t n_params)
{
    size_t B = (size_t)c->batch;
    net->params = elig__carve(a, n_params, sizeof(elig_real));
    net->mask = elig__carve(a, n_params, 1);
    net->y = elig__carve(a, B * (size_t)c->n_out, sizeof(elig_real));
    net->y1 = c->tau_out2 > 0 ? elig__carve(a, B * (size_t)c->n_out, sizeof(elig_real)) : net->y;
    size_t amax = (size_t)c->n_in;
    for (int l = 0; l < c->n_layers; l++) amax = ELIG__MAX(amax, (size_t)c->layer[l].n);
    net->active = elig__carve(a, amax, sizeof(int32_t));
    for (int l = 0; l < c->n_layers; l++) {
        elig__layer *ly = &net->layer[l];
        size_t n = (size_t)c->layer[l].n, s = (size_t)c->layer[l].model->n_state;
        ly->h = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->ref = elig__carve(a, B * n, sizeof(int32_t));
        ly->z = elig__carve(a, B * n, sizeof(elig_real));
        ly->z_prev = elig__carve(a, B * n, sizeof(elig_real));
        ly->c = elig__carve(a, B * n, sizeof(elig_real));
        ly->part.D = elig__carve(a, B * n * s * s, sizeof(elig_real));
        ly->part.dzr = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->part.dza = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->part.dc = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->dzdh_buf[0] = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->dzdh_buf[1] = elig__carve(a, B * n * s, sizeof(elig_real));
        ly->spike_count = elig__carve(a, n, sizeof(double));
        ly->part.dzdh = ly->dzdh_buf[0];
        ly->dzdh_prev = ly->dzdh_buf[1];
    }
}

size_t elig_net_bytes(const elig_net_cfg *c)
{
    if (elig_net_check(c)) return 0;
    size_t off[ELIG_MAX_LAYERS][3], ow, ob, nc;
    size_t np = layout(c, off, &ow, &ob, &nc);
    elig_net tmp;
    memset(&tmp, 0, sizeof tmp);
    elig__arena a = {NULL, 0};
    elig__carve(&a, 1, sizeof(elig_net)); /* the handle lives in the same block */
    carve(&tmp, c, &a, np);
    return a.used + 64;
}

static void draw(elig_rng *r, elig_real *w, size_t rows, size_t cols, int init, double gain)
{
    for (size_t i = 0; i < rows * cols; i++) {
        double v;
        if (init == ELIG_INIT_NORMAL) v = gain * elig_rng_normal(r) / sqrt((double)cols);
        else if (init == ELIG_INIT_GLOROT) {
            double lim = sqrt(6.0 / (double)(rows + cols));
            v = gain * lim * (2.0 * elig_rng_uniform(r) - 1.0);
        } else if (init == ELIG_INIT_IDENTITY) v = (i / cols == i % cols) ? gain : 0;
        else v = 0;
        w[i] = (elig_real)v;
    }
}

void elig_net_init_params(elig_net *net)
{
    const elig_net_cfg *c = &net->cfg;
    elig_rng r;
    elig_rng_seed(&r, c->seed ^ 0x5eedf00dull);
    for (int l = 0; l < net->L; l++) {
        elig__layer *ly = &net->layer[l];
        const elig_layer_cfg *lc = &c->layer[l];
        draw(&r, net->params + ly->off_win, (size_t)ly->n, (size_t)ly->n_pre, lc->init, lc->in_gain);
        if (ly->off_wrec != ELIG__ABSENT) draw(&r, net->params + ly->off_wrec, (size_t)ly->n, (size_t)ly->n, lc->init, lc->rec_gain);
        if (ly->off_b != ELIG__ABSENT) memset(net->params + ly->off_b, 0, (size_t)ly->n * sizeof(elig_real));
    }
    draw(&r, net->params + net->off_wout, (size_t)net->n_out, (size_t)net->layer[net->L - 1].n, c->out_init, c->out_gain);
    if (net->off_bout != ELIG__ABSENT) memset(net->params + net->off_bout, 0, (size_t)net->n_out * sizeof(elig_real));
    elig_net_apply_mask(net);
}

int elig_net_create(const elig_net_cfg *c, elig_net **out)
{
    int rc;
    if (!out) return elig__err(ELIG_EINVAL, "elig_net_create: out is NULL");
    *out = NULL;
    if ((rc = elig_net_check(c))) return rc;
    size_t bytes = elig_net_bytes(c);
    if (c->mem_limit && bytes > c->mem_limit)
        return elig__err(ELIG_ELIMIT, "net needs %zu bytes, above net.mem_limit %zu", bytes, c->mem_limit);
    void *mem = elig__malloc(bytes);
    if (!mem) return elig__err(ELIG_ENOMEM, "net: cannot allocate %zu bytes", bytes);
    elig__arena a = {(char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u), 0};
    elig_net *net = elig__carve(&a, 1, sizeof(elig_net));
    net->mem = mem;
    net->cfg = *c;
    net->L = c->n_layers;
    net->n_in = c->n_in;
    net->n_out = c->n_out;
    net->batch = c->batch;
    size_t off[ELIG_MAX_LAYERS][3];
    net->n_params = layout(c, off, &net->off_wout, &net->off_bout, &net->n_core);
    carve(net, c, &a, net->n_params);
    for (int l = 0; l < net->L; l++) {
        elig__layer *ly = &net->layer[l];
        ly->n = c->layer[l].n;
        ly->m = c->layer[l].model;
        ly->s = ly->m->n_state;
        ly->n_pre = l == 0 ? c->n_in : c->layer[l - 1].n;
        ly->off_win = off[l][0];
        ly->off_wrec = off[l][1];
        ly->off_b = off[l][2];
        ly->m->derive(&c->layer[l].neuron, c->dt, &ly->k);
    }
    net->kappa = c->tau_out > 0 ? (elig_real)exp(-c->dt / c->tau_out) : 0;
    net->out_scale = c->out_leak_scale ? 1 - net->kappa : 1;
    net->two_stage = c->tau_out2 > 0;
    net->kappa2 = net->two_stage ? (elig_real)exp(-c->dt / c->tau_out2) : 0;
    net->out_scale2 = c->out_leak_scale ? 1 - net->kappa2 : 1;

    /* Structural mask: autapses and connection density, from its own stream of the seed. */
    memset(net->mask, 1, net->n_params);
    elig_rng r;
    elig_rng_seed(&r, c->seed);
    for (int l = 0; l < net->L; l++) {
        elig__layer *ly = &net->layer[l];
        if (ly->off_wrec == ELIG__ABSENT) continue;
        unsigned char *m = net->mask + ly->off_wrec;
        for (int i = 0; i < ly->n; i++)
            for (int j = 0; j < ly->n; j++) {
                int keep = c->layer[l].rec_density >= 1 || elig_rng_uniform(&r) < c->layer[l].rec_density;
                if (i == j && !c->layer[l].autapses) keep = 0;
                m[(size_t)i * ly->n + j] = (unsigned char)keep;
            }
    }
    elig_net_init_params(net);
    elig_net_reset_state(net);
    *out = net;
    return ELIG_OK;
}

void elig_net_free(elig_net *net)
{
    if (net) elig__free(net->mem); /* the handle is inside the block */
}

const elig_net_cfg *elig_net_get_cfg(const elig_net *net) { return &net->cfg; }
size_t elig_net_n_params(const elig_net *net) { return net->n_params; }
elig_real *elig_net_params(elig_net *net) { return net->params; }
const unsigned char *elig_net_param_mask(const elig_net *net) { return net->mask; }

int elig_net_tensor(const elig_net *net, elig_tensor which, int layer, size_t *offset, int *rows, int *cols)
{
    size_t off = ELIG__ABSENT;
    int r = 0, c = 0;
    if (which == ELIG_W_OUT || which == ELIG_B_OUT) {
        off = which == ELIG_W_OUT ? net->off_wout : net->off_bout;
        r = net->n_out;
        c = which == ELIG_W_OUT ? net->layer[net->L - 1].n : 1;
    } else {
        if (layer < 0 || layer >= net->L) return elig__err(ELIG_EINVAL, "layer must be in [0, %d) (got %d)", net->L, layer);
        const elig__layer *ly = &net->layer[layer];
        r = ly->n;
        if (which == ELIG_W_IN) { off = ly->off_win; c = ly->n_pre; }
        else if (which == ELIG_W_REC) { off = ly->off_wrec; c = ly->n; }
        else if (which == ELIG_BIAS) { off = ly->off_b; c = 1; }
        else return elig__err(ELIG_EINVAL, "tensor must be w_in, w_rec, bias, w_out or b_out (got %d)", (int)which);
    }
    if (off == ELIG__ABSENT) return elig__err(ELIG_EINVAL, "tensor %d of layer %d is not part of this network", (int)which, layer);
    if (offset) *offset = off;
    if (rows) *rows = r;
    if (cols) *cols = c;
    return ELIG_OK;
}

void elig_net_apply_mask(elig_net *net)
{
    for (size_t i = 0; i < net->n_params; i++)
        if (!net->mask[i]) net->params[i] = 0;
}

void elig_net_reset_state(elig_net *net)
{
    size_t B = (size_t)net->batch;
    for (int l = 0; l < net->L; l++) {
        elig__layer *ly = &net->layer[l];
        size_t n = (size_t)ly->n, s = (size_t)ly->s;
        memset(ly->h, 0, B * n * s * sizeof(elig_real));
        memset(ly->ref, 0, B * n * sizeof(int32_t));
        memset(ly->z, 0, B * n * sizeof(elig_real));
        if (!ly->m->spiking && net->cfg.layer[l].neuron.h0 != 0) /* rate units: a start off the 0 fixed point */
            for (size_t i = 0; i < B * n; i++) ly->h[i] = ly->z[i] = (elig_real)net->cfg.layer[l].neuron.h0;
        memset(ly->z_prev, 0, B * n * sizeof(elig_real));
        memset(ly->c, 0, B * n * sizeof(elig_real));
        memset(ly->dzdh_buf[0], 0, B * n * s * sizeof(elig_real));
        memset(ly->dzdh_buf[1], 0, B * n * s * sizeof(elig_real));
        memset(ly->spike_count, 0, n * sizeof(double));
    }
    memset(net->y, 0, B * (size_t)net->n_out * sizeof(elig_real));
    memset(net->y1, 0, B * (size_t)net->n_out * sizeof(elig_real));
    net->steps = 0;
}

/* c[i] (+)= sum_j W[i, j] v[j] for an (n, m) row-major W: the plain dense kernel. */
static void matvec_dense(elig_real *restrict c, const elig_real *restrict W, const elig_real *restrict v, int n, int m,
                         int accumulate)
{
    for (int i = 0; i < n; i++) {
        const elig_real *w = W + (size_t)i * m;
        elig_real acc = 0;
        for (int j = 0; j < m; j++) acc += w[j] * v[j];
        c[i] = accumulate ? c[i] + acc : acc;
    }
}

/* The same sums over the non-zero entries of v only (spikes are mostly zero). Adding the
 * skipped terms w*0 would not change a finite sum, and the order of the others is kept, so
 * the result is bit-identical to matvec_dense (tested). Cost O(n * active). */
static void matvec_events(elig_real *restrict c, const elig_real *restrict W, const elig_real *restrict v, int n,
                          int m, int accumulate, int32_t *restrict act, int n_act)
{
    (void)v;
    for (int i = 0; i < n; i++) {
        const elig_real *w = W + (size_t)i * m;
        elig_real acc = 0;
        for (int k = 0; k < n_act; k++) acc += w[act[k]] * v[act[k]];
        c[i] = accumulate ? c[i] + acc : acc;
    }
}

static void matvec(const elig_net *net, elig_real *c, const elig_real *W, const elig_real *v, int n, int m, int accumulate)
{
    int n_act = 0;
    if (!net->dense_only) {
        for (int j = 0; j < m; j++)
            if (v[j] != 0) net->active[n_act++] = j;
        if (4 * n_act < m) {
            matvec_events(c, W, v, n, m, accumulate, net->active, n_act);
            return;
        }
    }
    matvec_dense(c, W, v, n, m, accumulate);
}

void elig_net_step(elig_net *net, const elig_real *x)
{
    const int L = net->L, B = net->batch;
    const elig_real *P = net->params;
    net->x_last = x;
    for (int l = 0; l < L; l++) {
        elig__layer *ly = &net->layer[l];
        elig_real *t = ly->z_prev; ly->z_prev = ly->z; ly->z = t;
        t = ly->dzdh_prev; ly->dzdh_prev = ly->part.dzdh; ly->part.dzdh = t;
    }
    for (int b = 0; b < B; b++) {
        for (int l = 0; l < L; l++) {
            elig__layer *ly = &net->layer[l];
            const int n = ly->n, s = ly->s, np = ly->n_pre;
            const elig_real *pre = elig__pre(net, l) + (size_t)b * np;
            const elig_real *zp = ly->z_prev + (size_t)b * n;
            elig_real *c = ly->c + (size_t)b * n;
            matvec(net, c, P + ly->off_win, pre, n, np, 0);
            if (ly->off_wrec != ELIG__ABSENT) matvec(net, c, P + ly->off_wrec, zp, n, n, 1);
            if (ly->off_b != ELIG__ABSENT)
                for (int i = 0; i < n; i++) c[i] += P[ly->off_b + i];
            size_t bs = (size_t)b * n * s;
            elig_partials pb = {ly->part.D + bs * s, ly->part.dzr + bs, ly->part.dza + bs, ly->part.dc + bs,
                                ly->part.dzdh + bs};
            elig_real *z = ly->z + (size_t)b * n;
            ly->m->step(&ly->k, n, ly->h + bs, ly->ref + (size_t)b * n, zp, c, z, &pb);
            if (ly->m->spiking)
                for (int i = 0; i < n; i++) ly->spike_count[i] += z[i] != 0;
        }
        const elig__layer *top = &net->layer[L - 1];
        const elig_real *zt = top->z + (size_t)b * top->n;
        elig_real *y1 = net->y1 + (size_t)b * net->n_out, *y = net->y + (size_t)b * net->n_out;
        const elig_real *Wo = P + net->off_wout;
        for (int k = 0; k < net->n_out; k++) {
            const elig_real *w = Wo + (size_t)k * top->n;
            elig_real acc = 0;
            for (int i = 0; i < top->n; i++) acc += w[i] * zt[i];
            y1[k] = net->kappa * y1[k] + net->out_scale * acc;
            if (net->off_bout != ELIG__ABSENT) y1[k] += P[net->off_bout + k];
            if (net->two_stage) y[k] = net->kappa2 * y[k] + net->out_scale2 * y1[k];
        }
    }
    net->steps++;
}

const elig_real *elig_net_output(const elig_net *net) { return net->y; }
const elig_real *elig_net_spikes(const elig_net *net, int layer)
{
    return (layer >= 0 && layer < net->L) ? net->layer[layer].z : NULL;
}
const elig_real *elig_net_state(const elig_net *net, int layer)
{
    return (layer >= 0 && layer < net->L) ? net->layer[layer].h : NULL;
}
