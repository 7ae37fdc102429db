/* gradcheck.h -- small networks, data and one-sequence runs shared by the gradient tests
 * (test_grad.c, test_family.c). Networks are odd-sized (7 inputs, layers of 9 and 6, 3
 * outputs, batch 2, 37 steps) with time constants like 13.7 ms, so that missing factors and
 * loop tails show; assert_active() makes sure no comparison passes vacuously. */
#ifndef ELIG_GRADCHECK_H
#define ELIG_GRADCHECK_H

#include "harness.h"
#include "rule.h"

#include <string.h>

enum { N_IN = 7, N_OUT = 3, BATCH = 2, T_SEQ = 37 };

typedef struct {
    elig_real x[T_SEQ * BATCH * N_IN];
    elig_real y[T_SEQ * BATCH * N_OUT];
} seqdata;

static inline void make_data(seqdata *d, int classification, uint64_t seed)
{
    elig_rng r;
    elig_rng_seed(&r, seed);
    for (size_t i = 0; i < sizeof d->x / sizeof d->x[0]; i++) d->x[i] = elig_rng_uniform(&r) < 0.3 ? 1 : 0;
    for (int t = 0; t < T_SEQ; t++)
        for (int b = 0; b < BATCH; b++)
            for (int k = 0; k < N_OUT; k++) {
                elig_real *y = d->y + ((size_t)t * BATCH + b) * N_OUT + k;
                *y = classification ? (elig_real)(k == (b + 1) % N_OUT) : (elig_real)(0.8 * elig_rng_normal(&r));
            }
}

static inline elig_net_cfg make_net(const elig_neuron_model *m, int layers, int recurrent, int reset, int detach)
{
    elig_net_cfg c = elig_net_cfg_default();
    c.n_in = N_IN;
    c.n_out = N_OUT;
    c.batch = BATCH;
    c.n_layers = layers;
    c.tau_out = 7.3;
    c.out_leak_scale = 1;
    c.out_bias = 1;
    c.seed = 11;
    const int sizes[2] = {9, 6};
    for (int l = 0; l < layers; l++) {
        elig_layer_cfg *lc = &c.layer[l];
        *lc = elig_layer_cfg_default(m);
        lc->n = sizes[l];
        lc->recurrent = recurrent;
        lc->bias = 1;
        lc->neuron.reset = reset;
        lc->neuron.detach_reset = detach;
        lc->neuron.tau_mem = 13.7;
        lc->neuron.tau_syn = 4.1;
        lc->neuron.tau_adapt = 57.0;
        lc->neuron.beta_adapt = 0.37;
        lc->neuron.adapt_fraction = 0.5;
        lc->neuron.v_th = 0.6;
        lc->neuron.surrogate = &elig_surrogate_pwl;
        lc->neuron.sg_gamma = 0.3;
        lc->neuron.sg_beta = 1.0;
        lc->in_gain = m == &elig_neuron_lif_cuba ? 5.0 : 1.1;
        lc->rec_gain = 0.9;
        if (m == &elig_neuron_rate) lc->in_gain = 1.5;
    }
    return c;
}

typedef struct {
    double loss, rate;
    size_t P;
    elig_real g[4096];
} result;

/* Run one sequence with `rule`; optional e-prop signal override from a BPTT run. */
static inline void run(const elig_net_cfg *nc, elig_learner_cfg lc, const seqdata *d, result *res,
                const elig_real *const *override)
{
    elig_net *net;
    elig_learner *L;
    ASSERT_OK(elig_net_create(nc, &net));
    lc.max_steps = T_SEQ;
    ASSERT_OK(elig_learner_create(net, &lc, &L));
    if (override)
        for (int l = 0; l < nc->n_layers; l++) elig__trace_override_signal(L, l, override[l]);
    ASSERT_OK(elig_learner_begin(L, T_SEQ));
    for (int t = 0; t < T_SEQ; t++)
        elig_learner_step(L, d->x + (size_t)t * BATCH * N_IN, d->y + (size_t)t * BATCH * N_OUT, NULL);
    ASSERT_OK(elig_learner_end(L, &res->loss));
    res->P = elig_net_n_params(net);
    ASSERT_TRUE(res->P <= sizeof res->g / sizeof res->g[0]);
    memcpy(res->g, elig_learner_grad(L), res->P * sizeof(elig_real));
    res->rate = elig_learner_rate_hz(L, 0);
    elig_learner_free(L);
    elig_net_free(net);
}

static inline elig_learner_cfg learner(const elig_rule *r, const elig_loss *loss)
{
    elig_learner_cfg c = elig_learner_cfg_default();
    c.rule = r;
    c.loss.loss = loss;
    c.loss.win_begin = loss == &elig_loss_mse ? 0 : -13;
    c.loss.win_end = 0;
    c.loss.time_norm = loss == &elig_loss_ce ? ELIG_TIME_MEAN : ELIG_TIME_SUM;
    c.feedback = ELIG_FB_SYMMETRIC;
    return c;
}

static const elig_neuron_model *const spiking[] = {&elig_neuron_lif_cuba, &elig_neuron_lif, &elig_neuron_alif};

static inline void assert_active(const result *r, int spiking_model)
{
    ASSERT_TRUE(th_norm(r->g, r->P) > 1e-8);
    if (spiking_model) {
        /* 7 .. 600 Hz at dt = 1 ms: spikes exist, and not every step */
        ASSERT_GE(r->rate, 7.0);
        ASSERT_LE(r->rate, 600.0);
    }
}

#endif
