/* test_config.c -- every invalid configuration field is rejected at create time with
 * ELIG_EINVAL (or the documented code) and a message naming the field and the value; nothing
 * is allocated and the out pointer is cleared. Also: bytes() equals what create allocates.
 */
#include "harness.h"

#include <string.h>

typedef struct {
    const char *field; /* must appear in the message */
    const char *value; /* must appear in the message */
    void (*mutate)(elig_net_cfg *c);
} net_case;

#define M(name, body) static void name(elig_net_cfg *c) { body; }
M(m_dt, c->dt = -0.5)
M(m_dt_nan, c->dt = NAN)
M(m_n_in, c->n_in = 0)
M(m_n_out, c->n_out = -3)
M(m_layers, c->n_layers = 9)
M(m_batch, c->batch = 0)
M(m_n, c->layer[0].n = 0)
M(m_model, c->layer[0].model = NULL)
M(m_tau_mem, c->layer[0].neuron.tau_mem = -5)
M(m_v_th, c->layer[0].neuron.v_th = 0)
M(m_t_ref, c->layer[0].neuron.t_ref = -1)
M(m_reset, c->layer[0].neuron.reset = 7)
M(m_detach, c->layer[0].neuron.detach_reset = 2)
M(m_scale, c->layer[0].neuron.input_leak_scale = 3)
M(m_sg, c->layer[0].neuron.surrogate = NULL)
M(m_sg_gamma, c->layer[0].neuron.sg_gamma = -0.3)
M(m_sg_beta, c->layer[0].neuron.sg_beta = 0)
M(m_smooth_ref, { c->layer[0].neuron.smooth = 1; c->layer[0].neuron.t_ref = 2; })
M(m_tau_syn, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_lif_cuba); c->layer[0].neuron.tau_syn = 0; })
M(m_tau_adapt, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_alif); c->layer[0].neuron.tau_adapt = -2000; })
M(m_beta_adapt, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_alif); c->layer[0].neuron.beta_adapt = -1.7; })
M(m_adapt_frac, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_alif); c->layer[0].neuron.adapt_fraction = 1.5; })
M(m_adapt_scale, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_alif); c->layer[0].neuron.adapt_leak_scale = 5; })
M(m_rate_tau, { c->layer[0] = elig_layer_cfg_default(&elig_neuron_rate); c->layer[0].neuron.tau_mem = 0.25; })
M(m_rec, c->layer[0].recurrent = 2)
M(m_aut, c->layer[0].autapses = -1)
M(m_density, c->layer[0].rec_density = 0)
M(m_density2, c->layer[0].rec_density = 1.5)
M(m_bias, c->layer[0].bias = 4)
M(m_init, c->layer[0].init = 9)
M(m_in_gain, c->layer[0].in_gain = -1)
M(m_layer1, { c->n_layers = 2; c->layer[1] = elig_layer_cfg_default(&elig_neuron_lif); c->layer[1].neuron.tau_mem = -7; })
M(m_tau_out, c->tau_out = -30)
M(m_out_scale, c->out_leak_scale = 2)
M(m_out_bias, c->out_bias = 2)
M(m_out_init, c->out_init = -1)
M(m_out_gain, c->out_gain = INFINITY)
#undef M

static const net_case net_cases[] = {
    {"net.dt", "-0.5", m_dt},
    {"net.dt", "nan", m_dt_nan},
    {"net.n_in", "0", m_n_in},
    {"net.n_out", "-3", m_n_out},
    {"net.n_layers", "9", m_layers},
    {"net.batch", "0", m_batch},
    {"layer[0].n", "0", m_n},
    {"layer[0].model", "none", m_model},
    {"layer[0].tau_mem", "-5", m_tau_mem},
    {"layer[0].v_th", "0", m_v_th},
    {"layer[0].t_ref", "-1", m_t_ref},
    {"layer[0].reset", "7", m_reset},
    {"layer[0].detach_reset", "2", m_detach},
    {"layer[0].input_leak_scale", "3", m_scale},
    {"layer[0].surrogate", "none", m_sg},
    {"layer[0].sg_gamma", "-0.3", m_sg_gamma},
    {"layer[0].sg_beta", "0", m_sg_beta},
    {"layer[0].t_ref", "2", m_smooth_ref},
    {"layer[0].tau_syn", "0", m_tau_syn},
    {"layer[0].tau_adapt", "-2000", m_tau_adapt},
    {"layer[0].beta_adapt", "-1.7", m_beta_adapt},
    {"layer[0].adapt_fraction", "1.5", m_adapt_frac},
    {"layer[0].adapt_leak_scale", "5", m_adapt_scale},
    {"layer[0].tau_mem", "0.25", m_rate_tau},
    {"layer[0].recurrent", "2", m_rec},
    {"layer[0].autapses", "-1", m_aut},
    {"layer[0].rec_density", "0", m_density},
    {"layer[0].rec_density", "1.5", m_density2},
    {"layer[0].bias", "4", m_bias},
    {"layer[0].init", "9", m_init},
    {"layer[0].in_gain", "-1", m_in_gain},
    {"layer[1].tau_mem", "-7", m_layer1},
    {"net.tau_out", "-30", m_tau_out},
    {"net.out_leak_scale", "2", m_out_scale},
    {"net.out_bias", "2", m_out_bias},
    {"net.out_init", "-1", m_out_init},
    {"net.out_gain", "inf", m_out_gain},
};

TEST(every_invalid_net_field_is_named)
{
    for (size_t i = 0; i < sizeof net_cases / sizeof net_cases[0]; i++) {
        elig_net_cfg c = elig_net_cfg_default();
        net_cases[i].mutate(&c);
        elig_net *net = (elig_net *)&c; /* must be cleared */
        long before = th_alloc_count();
        int rc = elig_net_create(&c, &net);
        const char *msg = elig_last_error();
        if (rc != ELIG_EINVAL || !strstr(msg, net_cases[i].field) || !strstr(msg, net_cases[i].value))
            th_fail(__FILE__, __LINE__, "case %zu (%s = %s): got %s \"%s\"", i, net_cases[i].field, net_cases[i].value,
                    elig_status_name(rc), msg);
        ASSERT_TRUE(net == NULL);
        ASSERT_EQ_INT(th_alloc_count() - before, 0);
        ASSERT_EQ_INT(elig_net_bytes(&c), 0);
    }
}

typedef struct {
    const char *field, *value;
    int status;
    void (*mutate)(elig_learner_cfg *c);
} learner_case;

#define M(name, body) static void name(elig_learner_cfg *c) { body; }
M(l_rule, c->rule = NULL)
M(l_loss, c->loss.loss = NULL)
M(l_norm, c->loss.time_norm = 3)
M(l_steps, c->max_steps = 0)
M(l_win, { c->loss.win_begin = 40; c->loss.win_end = 10; })
M(l_win2, { c->loss.win_begin = -10; c->loss.win_end = -40; })
M(l_fb, c->feedback = 5)
M(l_fb_gain, c->fb_gain = -1)
M(l_fb_scaled, c->fb_scaled = 2)
M(l_kp, c->kp_decay = 1.5)
M(l_filter, c->filter_traces = 7)
M(l_reg, c->reg_rate = -300)
M(l_ft, c->f_target = -10)
M(l_max, c->loss.loss = &elig_loss_ce_max)
#undef M

static const learner_case learner_cases[] = {
    {"learner.rule", "none", ELIG_EINVAL, l_rule},
    {"loss.kind", "none", ELIG_EINVAL, l_loss},
    {"loss.time_norm", "3", ELIG_EINVAL, l_norm},
    {"learner.max_steps", "0", ELIG_EINVAL, l_steps},
    {"loss.win_end", "10", ELIG_EINVAL, l_win},
    {"loss.win_end", "-40", ELIG_EINVAL, l_win2},
    {"learner.feedback", "5", ELIG_EINVAL, l_fb},
    {"learner.fb_gain", "-1", ELIG_EINVAL, l_fb_gain},
    {"learner.fb_scaled", "2", ELIG_EINVAL, l_fb_scaled},
    {"learner.kp_decay", "1.5", ELIG_EINVAL, l_kp},
    {"learner.filter_traces", "7", ELIG_EINVAL, l_filter},
    {"learner.reg_rate", "-300", ELIG_EINVAL, l_reg},
    {"learner.f_target", "-10", ELIG_EINVAL, l_ft},
    {"loss.kind", "ce_max", ELIG_EUNSUPPORTED, l_max},
};

TEST(every_invalid_learner_field_is_named)
{
    elig_net_cfg nc = elig_net_cfg_default();
    nc.layer[0].n = 17;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    for (size_t i = 0; i < sizeof learner_cases / sizeof learner_cases[0]; i++) {
        elig_learner_cfg c = elig_learner_cfg_default();
        learner_cases[i].mutate(&c);
        elig_learner *L = (elig_learner *)&c;
        int rc = elig_learner_create(net, &c, &L);
        const char *msg = elig_last_error();
        if (rc != learner_cases[i].status || !strstr(msg, learner_cases[i].field) || !strstr(msg, learner_cases[i].value))
            th_fail(__FILE__, __LINE__, "case %zu (%s = %s): got %s \"%s\"", i, learner_cases[i].field,
                    learner_cases[i].value, elig_status_name(rc), msg);
        ASSERT_TRUE(L == NULL);
    }
    /* presynaptic-only traces need layer-wide dynamics: ALIF adaptation is per neuron */
    elig_net_cfg n2 = elig_net_cfg_default();
    n2.n_layers = 2;
    n2.layer[1] = elig_layer_cfg_default(&elig_neuron_alif);
    n2.layer[0].n = 5;
    n2.layer[1].n = 4;
    elig_net *net2;
    ASSERT_OK(elig_net_create(&n2, &net2));
    elig_learner_cfg c = elig_learner_cfg_default();
    ASSERT_OK(elig_learner_preset("decolle", &c));
    elig_learner *L;
    ASSERT_EQ_INT(elig_learner_create(net2, &c, &L), ELIG_EUNSUPPORTED);
    ASSERT_TRUE(strstr(elig_last_error(), "layer[1]") != NULL && strstr(elig_last_error(), "alif") != NULL);
    c = elig_learner_cfg_default();
    ASSERT_EQ_INT(elig_learner_preset("sgd_magic", &c), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "sgd_magic") != NULL);
    elig_net_free(net2);
    /* a loss window outside the sequence is an error at begin, naming the window */
    c = elig_learner_cfg_default();
    c.loss.win_begin = 50;
    c.loss.win_end = 80;
    ASSERT_OK(elig_learner_create(net, &c, &L));
    ASSERT_EQ_INT(elig_learner_begin(L, 60), ELIG_EINVAL);
    ASSERT_TRUE(strstr(elig_last_error(), "window") != NULL);
    double loss;
    ASSERT_EQ_INT(elig_learner_end(L, &loss), ELIG_ESTATE);
    elig_learner_free(L);
    /* stepping past the announced length (BPTT has no room for it) is ignored and reported */
    c = elig_learner_cfg_default();
    c.rule = &elig_rule_bptt;
    c.max_steps = 8;
    ASSERT_OK(elig_learner_create(net, &c, &L));
    ASSERT_OK(elig_learner_begin(L, 8));
    static elig_real x[100], y[1];
    for (int t = 0; t < 11; t++) elig_learner_step(L, x, y, NULL);
    ASSERT_EQ_INT(elig_learner_end(L, &loss), ELIG_ESTATE);
    ASSERT_TRUE(strstr(elig_last_error(), "T = 8") != NULL);
    ASSERT_OK(elig_learner_begin(L, 9) == ELIG_EINVAL ? 0 : -1); /* 9 > max_steps */
    ASSERT_TRUE(strstr(elig_last_error(), "max_steps") != NULL);
    elig_learner_free(L);
    elig_net_free(net);
}

static size_t counted;
static void *count_malloc(size_t n, void *ctx) { (void)ctx; counted += n; return malloc(n); }
static void count_free(void *p, void *ctx) { (void)ctx; free(p); }

TEST(bytes_is_what_create_allocates)
{
    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_layers = 2;
    nc.layer[1] = elig_layer_cfg_default(&elig_neuron_alif);
    nc.layer[0].n = 13;
    nc.layer[1].n = 11;
    nc.batch = 3;
    elig_set_allocator(count_malloc, count_free, NULL);
    counted = 0;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    size_t net_bytes = counted;
    /* one block, handle included: exactly what bytes() announced */
    ASSERT_EQ_INT(net_bytes, elig_net_bytes(&nc));
    const elig_rule *rules[3] = {&elig_rule_bptt, &elig_rule_rtrl, &elig_rule_trace};
    for (int r = 0; r < 3; r++) {
        elig_learner_cfg lc = elig_learner_cfg_default();
        lc.rule = rules[r];
        lc.max_steps = 77;
        counted = 0;
        elig_learner *L;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        ASSERT_EQ_INT(counted, elig_learner_bytes(net, &lc));
        elig_learner_free(L);
    }
    /* snap sizes its block from the reachable sets of the connectivity graph: computing them
     * takes 2 n^2 bytes of scratch, freed before create returns */
    elig_net_cfg n1 = elig_net_cfg_default();
    n1.layer[0].n = 17;
    n1.layer[0].rec_density = 0.3;
    elig_net *net1;
    ASSERT_OK(elig_net_create(&n1, &net1));
    elig_learner_cfg sc = elig_learner_cfg_default();
    ASSERT_OK(elig_learner_preset("snap2", &sc));
    counted = 0;
    elig_learner *Ls;
    ASSERT_OK(elig_learner_create(net1, &sc, &Ls));
    ASSERT_EQ_INT(counted, elig_learner_bytes(net1, &sc) + 2 * 17 * 17);
    elig_learner_free(Ls);
    elig_net_free(net1);
    elig_net_free(net);
    elig_set_allocator(NULL, NULL, NULL);
}

TEST(status_table)
{
    ASSERT_TRUE(!strcmp(elig_status_name(ELIG_EINVAL), "EINVAL"));
    ASSERT_TRUE(!strcmp(elig_strerror(ELIG_ELIMIT), "memory limit exceeded"));
    ASSERT_TRUE(!strcmp(elig_status_name(-999), "EUNKNOWN"));
    ASSERT_TRUE(elig_neuron_by_name("alif") == &elig_neuron_alif);
    ASSERT_TRUE(elig_neuron_by_name("izhikevich") == NULL);
    ASSERT_TRUE(elig_rule_by_name("rtrl") == &elig_rule_rtrl);
    ASSERT_TRUE(elig_loss_by_name("ce_mean") == &elig_loss_ce_mean);
    ASSERT_TRUE(elig_surrogate_by_name("atan") == &elig_surrogate_atan);
}
