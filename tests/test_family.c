/* test_family.c -- the RTRL family as sparsifications of one influence matrix: the relations
 * theory states (reference digest §4, properties 5-10) checked in double to 1e-10 relative
 * (rounding only; 2e-4 in float), and the measured gap where a rule is only approximate.
 */
#include "gradcheck.h"

static elig_learner_cfg preset(const char *name, const elig_loss *loss)
{
    elig_learner_cfg c = learner(&elig_rule_trace, loss);
    ASSERT_OK(elig_learner_preset(name, &c));
    return c;
}

static double compare(const char *what, const result *a, const result *b)
{
    double e = th_rel_err(b->g, a->g, a->P, 1e-12), cs = th_cosine(a->g, b->g, a->P);
    printf("    %-48s rel err %.2e  cosine %.6f\n", what, e, cs);
    return e;
}

TEST(snap_reachability_on_small_graphs)
{
    /* W = [[1,1,1],[0,1,0],[1,0,1]]: unit u receives from v where W[u][v] = 1 */
    const unsigned char W[9] = {1, 1, 1, 0, 1, 0, 1, 0, 1};
    unsigned char r[9];
    const unsigned char m1[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    const unsigned char m2[9] = {1, 0, 1, 1, 1, 0, 1, 0, 1}; /* from 0: {0,2}; from 1: {0,1}; from 2: {0,2} */
    const unsigned char m3[9] = {1, 0, 1, 1, 1, 1, 1, 0, 1}; /* from 1: {0,1} then 0 feeds 2 */
    elig__snap_reach(W, 3, 1, r);
    ASSERT_TRUE(!memcmp(r, m1, 9));
    elig__snap_reach(W, 3, 2, r);
    ASSERT_TRUE(!memcmp(r, m2, 9));
    elig__snap_reach(W, 3, 3, r);
    ASSERT_TRUE(!memcmp(r, m3, 9));
    elig__snap_reach(W, 3, 9, r); /* exhausted: no further growth */
    ASSERT_TRUE(!memcmp(r, m3, 9));
    /* a diagonal graph: every order keeps the neuron-local block */
    const unsigned char I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    for (int k = 1; k < 5; k++) {
        elig__snap_reach(I, 3, k, r);
        ASSERT_TRUE(!memcmp(r, m1, 9));
    }
}

TEST(snap_full_mask_equals_rtrl_and_snap1_equals_block_diagonal)
{
    seqdata d;
    make_data(&d, 0, 43);
    for (size_t mi = 0; mi < 3; mi++) {
        /* dense W_rec: the 2-step reachable set is everything, SnAp-2 is RTRL */
        elig_net_cfg nc = make_net(spiking[mi], 1, 1, 0, 0);
        result a, b;
        run(&nc, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &a, NULL);
        run(&nc, preset("snap2", &elig_loss_mse), &d, &b, NULL);
        assert_active(&a, 1);
        ASSERT_LE(compare("snap2 (dense W_rec) vs rtrl", &a, &b), TOL(1e-10, 2e-4));
        /* sparse W_rec: SnAp-1 keeps the neuron-local block = OSTL's traces + exact signal */
        nc.layer[0].rec_density = 0.4;
        nc.layer[0].rec_gain = 2.0;
        run(&nc, preset("snap1", &elig_loss_mse), &d, &a, NULL);
        run(&nc, preset("ostl", &elig_loss_mse), &d, &b, NULL);
        assert_active(&a, 1);
        ASSERT_LE(compare("snap1 (masked rtrl) vs ostl (block traces)", &a, &b), TOL(1e-10, 2e-4));
        /* and it is an approximation of RTRL there: the gap is real */
        result c;
        run(&nc, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &c, NULL);
        ASSERT_GE(compare("snap1 vs rtrl (sparse recurrent)", &c, &a), 1e-6);
        run(&nc, preset("snap2", &elig_loss_mse), &d, &b, NULL);
        double e1 = th_rel_err(a.g, c.g, c.P, 1e-12), e2 = th_rel_err(b.g, c.g, c.P, 1e-12);
        printf("    snap1 / snap2 vs rtrl at density 0.4: %.3g / %.3g\n", e1, e2);
        ASSERT_LE(e2, e1); /* a larger mask is closer */
    }
}

TEST(no_recurrence_one_layer_every_exact_family_member_agrees)
{
    /* W_rec absent, one layer: the Jacobian is block-diagonal, so block traces (ostl, diag_rtrl),
     * SnAp-1, RTRL and BPTT agree, with the reset path differentiated, for both resets */
    seqdata d;
    make_data(&d, 0, 47);
    for (size_t mi = 0; mi < 3; mi++)
        for (int reset = 0; reset < 2; reset++) {
            elig_net_cfg nc = make_net(spiking[mi], 1, 0, reset, 0);
            result ref, x;
            run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &ref, NULL);
            assert_active(&ref, 1);
            const char *names[4] = {"rtrl", "snap1", "ostl", "diag_rtrl"};
            for (int k = 0; k < 4; k++) {
                run(&nc, preset(names[k], &elig_loss_mse), &d, &x, NULL);
                ASSERT_LE(th_rel_err(x.g, ref.g, ref.P, 1e-12), TOL(1e-10, 2e-4));
            }
        }
}

TEST(ostl_exact_for_one_stateful_layer_approximate_for_two)
{
    seqdata d;
    make_data(&d, 0, 53);
    /* stateful spiking layer under a memoryless top layer (rate unit with tau = dt: h = tanh(u))
     * and a memoryless readout: OSTL's spatial signal is the whole gradient */
    elig_net_cfg nc = make_net(&elig_neuron_lif_cuba, 2, 0, 0, 0);
    nc.layer[1] = elig_layer_cfg_default(&elig_neuron_rate);
    nc.layer[1].n = 6;
    nc.layer[1].recurrent = 0;
    nc.layer[1].bias = 1;
    nc.layer[1].neuron.tau_mem = nc.dt;
    nc.layer[1].in_gain = 1.5;
    nc.tau_out = 0;
    result a, b;
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nc, preset("ostl", &elig_loss_mse), &d, &b, NULL);
    assert_active(&a, 1);
    ASSERT_LE(compare("ostl vs bptt, stateful + memoryless layer", &a, &b), TOL(1e-10, 2e-4));
    /* two stateful layers: the mixed temporal-spatial terms are missing */
    nc = make_net(&elig_neuron_lif_cuba, 2, 0, 0, 0);
    nc.tau_out = 0;
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nc, preset("ostl", &elig_loss_mse), &d, &b, NULL);
    assert_active(&a, 1);
    double e = compare("ostl vs bptt, two stateful layers (gap)", &a, &b);
    ASSERT_GE(e, 1e-6);
    ASSERT_GE(th_cosine(a.g, b.g, a.P), 0.3);
}

TEST(rflo_limits_on_rate_networks)
{
    seqdata d;
    make_data(&d, 0, 59);
    /* no recurrence, symmetric feedback, memoryless readout: RFLO is the exact gradient */
    elig_net_cfg nc = make_net(&elig_neuron_rate, 1, 0, 0, 0);
    nc.tau_out = 0;
    result a, b;
    elig_learner_cfg rf = preset("rflo", &elig_loss_mse);
    rf.feedback = ELIG_FB_SYMMETRIC;
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nc, rf, &d, &b, NULL);
    ASSERT_TRUE(th_norm(a.g, a.P) > 1e-8);
    ASSERT_LE(compare("rflo (symmetric) vs bptt, no recurrence", &a, &b), TOL(1e-10, 2e-4));
    /* with recurrence: RFLO drops sum_l W_kl p^l; restoring it is RTRL, which is exact */
    nc = make_net(&elig_neuron_rate, 1, 1, 0, 0);
    nc.tau_out = 0;
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nc, rf, &d, &b, NULL);
    ASSERT_GE(compare("rflo (symmetric) vs bptt, recurrent (gap)", &a, &b), 1e-6);
    run(&nc, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &b, NULL);
    ASSERT_LE(compare("rflo + non-local term = rtrl vs bptt", &a, &b), TOL(1e-10, 2e-4));
    /* a start off the zero fixed point (RFLO's notebook: h0 = 0.1) is a constant: still exact */
    elig_net_cfg nh = nc;
    nh.layer[0].neuron.h0 = 0.1;
    run(&nh, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nh, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &b, NULL);
    ASSERT_LE(compare("rtrl vs bptt, rate units starting at h0 = 0.1", &a, &b), TOL(1e-10, 2e-4));
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    /* diagonal RTRL on the same network: the exact signal, the same gap structure */
    run(&nc, preset("diag_rtrl", &elig_loss_mse), &d, &b, NULL);
    compare("diag_rtrl vs bptt, recurrent (gap)", &a, &b);
    /* random feedback: aligned enough to learn, not equal */
    run(&nc, preset("rflo", &elig_loss_mse), &d, &b, NULL);
    compare("rflo (random feedback) vs bptt, recurrent", &a, &b);
}

TEST(decolle_local_rule_equals_exact_gradient_of_its_local_loss)
{
    /* One CuBa-LIF layer, no recurrence, reset path detached: the only temporal path is the
     * linear synaptic filter, so DECOLLE's presynaptic traces are exact for its local loss.
     * Reference: BPTT of the same net whose (fixed, memoryless) readout is the local readout G. */
    seqdata d;
    make_data(&d, 0, 61);
    elig_net_cfg nc = make_net(&elig_neuron_lif_cuba, 1, 0, 0, 1);
    nc.tau_out = 0;
    nc.out_bias = 0;
    nc.out_trainable = 0;
    elig_net *net;
    elig_learner *L;
    ASSERT_OK(elig_net_create(&nc, &net));
    elig_learner_cfg lc = preset("decolle", &elig_loss_mse);
    lc.max_steps = T_SEQ;
    ASSERT_OK(elig_learner_create(net, &lc, &L));
    size_t off;
    int rows, cols;
    ASSERT_OK(elig_net_tensor(net, ELIG_W_OUT, 0, &off, &rows, &cols));
    static elig_real G0[64];
    memcpy(G0, elig__trace_local_readout(L, 0), (size_t)rows * cols * sizeof(elig_real));
    ASSERT_OK(elig_learner_begin(L, T_SEQ));
    for (int t = 0; t < T_SEQ; t++)
        elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
    double loss;
    ASSERT_OK(elig_learner_end(L, &loss));
    result a, b;
    b.P = elig_net_n_params(net);
    memcpy(b.g, elig_learner_grad(L), b.P * sizeof(elig_real));
    /* G never changes, also across an update */
    elig_optim_cfg oc = elig_optim_cfg_default();
    elig_optim *o;
    ASSERT_OK(elig_optim_create(&oc, b.P, &o));
    elig_optim_step(o, elig_net_params(net), elig_learner_grad(L));
    elig_learner_after_update(L);
    ASSERT_TRUE(!memcmp(G0, elig__trace_local_readout(L, 0), (size_t)rows * cols * sizeof(elig_real)));
    elig_optim_free(o);
    elig_learner_free(L);
    elig_net_free(net);
    /* the reference: BPTT with W_out := G, smooth-L1 loss */
    ASSERT_OK(elig_net_create(&nc, &net));
    memcpy(elig_net_params(net) + off, G0, (size_t)rows * cols * sizeof(elig_real));
    elig_learner_cfg bc = learner(&elig_rule_bptt, &elig_loss_smooth_l1);
    bc.max_steps = T_SEQ;
    bc.loss.win_begin = 0; /* the local losses run over the main loss's window: all steps */
    ASSERT_OK(elig_learner_create(net, &bc, &L));
    ASSERT_OK(elig_learner_begin(L, T_SEQ));
    for (int t = 0; t < T_SEQ; t++)
        elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
    ASSERT_OK(elig_learner_end(L, &loss));
    a.P = b.P;
    memcpy(a.g, elig_learner_grad(L), a.P * sizeof(elig_real));
    a.rate = elig_learner_rate_hz(L, 0);
    assert_active(&a, 1);
    ASSERT_LE(compare("decolle vs bptt of its local loss (1 layer)", &a, &b), TOL(1e-10, 2e-4));
    elig_learner_free(L);
    elig_net_free(net);
}

TEST(decolle_no_signal_crosses_layers)
{
    /* two layers: layer 0's update must not depend on layer 1's local readout */
    seqdata d;
    make_data(&d, 0, 67);
    elig_net_cfg nc = make_net(&elig_neuron_lif_cuba, 2, 0, 0, 1);
    nc.tau_out = 0;
    static elig_real g0[2][4096];
    size_t off, P = 0;
    int rows, cols;
    for (int v = 0; v < 2; v++) {
        elig_net *net;
        elig_learner *L;
        ASSERT_OK(elig_net_create(&nc, &net));
        elig_learner_cfg lc = preset("decolle", &elig_loss_mse);
        lc.max_steps = T_SEQ;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        if (v) { /* scramble G^1 */
            elig_real *G1 = (elig_real *)elig__trace_local_readout(L, 1);
            for (int i = 0; i < N_OUT * 6; i++) G1[i] = (elig_real)(2.1 * (i % 5) - 3.7);
        }
        ASSERT_OK(elig_learner_begin(L, T_SEQ));
        for (int t = 0; t < T_SEQ; t++)
            elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
        double loss;
        ASSERT_OK(elig_learner_end(L, &loss));
        P = elig_net_n_params(net);
        memcpy(g0[v], elig_learner_grad(L), P * sizeof(elig_real));
        ASSERT_OK(elig_net_tensor(net, ELIG_W_IN, 1, &off, &rows, &cols));
        elig_learner_free(L);
        elig_net_free(net);
    }
    /* layer 0's parameters come first, up to layer 1's W_in */
    ASSERT_TRUE(th_norm(g0[0], off) > 0);
    ASSERT_TRUE(!memcmp(g0[0], g0[1], off * sizeof(elig_real)));
    ASSERT_TRUE(memcmp(g0[0] + off, g0[1] + off, (P - off) * sizeof(elig_real)) != 0);
}

TEST(superspike_equals_van_rossum_gradient_single_layer)
{
    /* One CuBa-LIF layer as the output layer, reset detached, no recurrence; the readout is
     * the fixed identity through a double-exponential kernel (tau_rise 5, tau_decay 10 ms), so
     * y = alpha * S and MSE(y, y*) is the discretised van Rossum distance to a filtered target.
     * SuperSpike (alpha-filtered PSP traces x filtered spike error) equals its BPTT gradient. */
    seqdata d;
    make_data(&d, 0, 71);
    elig_net_cfg nc = make_net(&elig_neuron_lif_cuba, 1, 0, 0, 1);
    nc.n_out = 9;
    nc.layer[0].n = 9;
    nc.tau_out = 5;
    nc.tau_out2 = 10;
    nc.out_init = ELIG_INIT_IDENTITY;
    nc.out_trainable = 0;
    nc.out_bias = 0;
    /* targets for 9 outputs: reuse the input pattern as target spike trains, filtered */
    static seqdata dd;
    memcpy(dd.x, d.x, sizeof d.x);
    static elig_real y9[T_SEQ * BATCH * 9];
    double f1[BATCH * 9] = {0}, f2[BATCH * 9] = {0};
    const double k1 = exp(-1 / 5.0), k2 = exp(-1 / 10.0);
    for (int t = 0; t < T_SEQ; t++)
        for (int b = 0; b < BATCH; b++)
            for (int k = 0; k < 9; k++) {
                double s = (k + 3 * t + b) % 11 == 0;
                f1[b * 9 + k] = k1 * f1[b * 9 + k] + (1 - k1) * s;
                f2[b * 9 + k] = k2 * f2[b * 9 + k] + (1 - k2) * f1[b * 9 + k];
                y9[((size_t)t * BATCH + b) * 9 + k] = (elig_real)f2[b * 9 + k];
            }
    result a, b;
    for (int which = 0; which < 2; which++) {
        elig_net *net;
        elig_learner *L;
        ASSERT_OK(elig_net_create(&nc, &net));
        elig_learner_cfg lc = which ? preset("superspike", &elig_loss_mse) : learner(&elig_rule_bptt, &elig_loss_mse);
        lc.max_steps = T_SEQ;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        ASSERT_OK(elig_learner_begin(L, T_SEQ));
        for (int t = 0; t < T_SEQ; t++)
            elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, y9 + (size_t)t * BATCH * 9, NULL);
        double loss;
        ASSERT_OK(elig_learner_end(L, &loss));
        result *r = which ? &b : &a;
        r->P = elig_net_n_params(net);
        memcpy(r->g, elig_learner_grad(L), r->P * sizeof(elig_real));
        r->rate = elig_learner_rate_hz(L, 0);
        elig_learner_free(L);
        elig_net_free(net);
    }
    assert_active(&a, 1);
    ASSERT_LE(compare("superspike vs bptt of the van Rossum loss", &a, &b), TOL(1e-10, 2e-4));
}

TEST(superspike_is_symmetric_eprop_on_lif_layers)
{
    /* With the reset detached from the trace (e-prop's keep_reset = 0) a LIF or CuBa-LIF
     * neuron's eligibility vector is its presynaptic trace times its own surrogate derivative,
     * so e-prop with symmetric feedback and SuperSpike (presynaptic traces, feedback W_out^T,
     * traces filtered with the readout kernel) are the same rule: equal gradients, recurrent
     * two-layer networks, per-step and aggregated losses. The benchmark table shows the two
     * columns equal for this reason. */
    seqdata d;
    make_data(&d, 0, 79);
    const elig_neuron_model *models[2] = {&elig_neuron_lif, &elig_neuron_lif_cuba};
    const elig_loss *losses[2] = {&elig_loss_mse, &elig_loss_ce_mean};
    for (int mi = 0; mi < 2; mi++)
        for (int li = 0; li < 2; li++) {
            elig_net_cfg nc = make_net(models[mi], 2, 1, 0, 0);
            result r[2];
            for (int which = 0; which < 2; which++) {
                elig_net *net;
                elig_learner *L;
                ASSERT_OK(elig_net_create(&nc, &net));
                elig_learner_cfg lc = preset(which ? "superspike" : "eprop", losses[li]);
                lc.feedback = ELIG_FB_SYMMETRIC;
                lc.max_steps = T_SEQ;
                ASSERT_OK(elig_learner_create(net, &lc, &L));
                ASSERT_OK(elig_learner_begin(L, T_SEQ));
                for (int t = 0; t < T_SEQ; t++)
                    elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
                double loss;
                ASSERT_OK(elig_learner_end(L, &loss));
                r[which].P = elig_net_n_params(net);
                memcpy(r[which].g, elig_learner_grad(L), r[which].P * sizeof(elig_real));
                r[which].rate = elig_learner_rate_hz(L, 0);
                elig_learner_free(L);
                elig_net_free(net);
            }
            assert_active(&r[0], 1);
            char what[96];
            snprintf(what, sizeof what, "superspike vs symmetric eprop, %s, %s", elig_neuron_name(models[mi]), elig_loss_name(losses[li]));
            ASSERT_LE(compare(what, &r[0], &r[1]), TOL(1e-12, 1e-5));
        }
}

TEST(every_preset_allocates_nothing_per_step_and_is_length_independent)
{
    seqdata d;
    make_data(&d, 0, 73);
    for (const char *const *p = elig_learner_preset_names(); *p; p++) {
        int snap = !strncmp(*p, "snap", 4);
        int pre = !strcmp(*p, "decolle") || !strcmp(*p, "superspike");
        elig_net_cfg nc = make_net(pre ? &elig_neuron_lif_cuba : &elig_neuron_alif, snap ? 1 : 2, 1, 0, 0);
        elig_net *net;
        elig_learner *L;
        ASSERT_OK(elig_net_create(&nc, &net));
        elig_learner_cfg lc = preset(*p, &elig_loss_mse);
        lc.max_steps = T_SEQ;
        lc.reg_rate = 0.3;
        size_t b1 = elig_learner_bytes(net, &lc);
        lc.max_steps = 50 * T_SEQ;
        size_t b2 = elig_learner_bytes(net, &lc);
        lc.max_steps = T_SEQ;
        printf("    %-10s %8zu bytes at T = %d, %8zu at T = %d\n", *p, b1, T_SEQ, b2, 50 * T_SEQ);
        if (strcmp(*p, "bptt")) ASSERT_EQ_INT(b1, b2);
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        long before = th_alloc_count();
        for (int it = 0; it < 2; it++) {
            ASSERT_OK(elig_learner_begin(L, T_SEQ));
            for (int t = 0; t < T_SEQ; t++)
                elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
            double loss;
            ASSERT_OK(elig_learner_end(L, &loss));
            elig_learner_after_update(L);
        }
        ASSERT_EQ_INT(th_alloc_count() - before, 0);
        ASSERT_TRUE(th_norm(elig_learner_grad(L), elig_net_n_params(net)) > 0);
        elig_learner_free(L);
        elig_net_free(net);
    }
}

TEST(cost_accounting_is_stated_before_running)
{
    /* flops and bytes are known from the config; their ratios follow the theory:
     * RTRL grows like n^4 per step, traces and BPTT like n^2 */
    double f[2][3];
    size_t by[2][3];
    const char *names[3] = {"bptt", "rtrl", "eprop"};
    for (int k = 0; k < 2; k++) {
        elig_net_cfg nc = elig_net_cfg_default();
        nc.layer[0].n = k ? 40 : 20;
        nc.n_in = nc.layer[0].n;
        elig_net *net;
        ASSERT_OK(elig_net_create(&nc, &net));
        for (int r = 0; r < 3; r++) {
            elig_learner_cfg lc = elig_learner_cfg_default();
            ASSERT_OK(elig_learner_preset(names[r], &lc));
            f[k][r] = elig_learner_flops(net, &lc);
            by[k][r] = elig_learner_bytes(net, &lc);
            ASSERT_TRUE(f[k][r] > 0 && by[k][r] > 0);
        }
        elig_net_free(net);
    }
    for (int r = 0; r < 3; r++)
        printf("    %-6s n 20 -> 40: flops x%.1f, bytes x%.1f\n", names[r], f[1][r] / f[0][r], (double)by[1][r] / by[0][r]);
    ASSERT_GE(f[1][1] / f[0][1], 12);  /* ~16 for n^4 */
    ASSERT_LE(f[1][2] / f[0][2], 5);   /* ~4 for p ~ n^2 */
    ASSERT_LE(f[1][0] / f[0][0], 5);
    ASSERT_GE((double)by[1][1] / by[0][1], 6); /* ~8 for n^3 */
    ASSERT_LE((double)by[1][2] / by[0][2], 5);
}

TEST(sparse_snap_equals_dense_masked_reference)
{
    /* the sparse-storage SnAp kernel (snap.c) against RTRL with the same structural mask held
     * densely (rtrl.c): the same recursion, so equal to rounding, for n = 1, 2, 3 and with the
     * rate regulariser; and its stated cost and memory shrink with the density */
    seqdata d;
    make_data(&d, 0, 83);
    for (size_t mi = 0; mi < 3; mi++)
        for (int order = 1; order <= 3; order++) {
            elig_net_cfg nc = make_net(spiking[mi], 1, 1, 0, 0);
            nc.layer[0].rec_density = 0.3;
            nc.layer[0].rec_gain = 2.0;
            elig_learner_cfg dense = learner(&elig_rule_rtrl, &elig_loss_mse), sparse = learner(&elig_rule_snap, &elig_loss_mse);
            dense.snap_n = sparse.snap_n = order;
            dense.reg_rate = sparse.reg_rate = 0.21;
            result a, b;
            run(&nc, dense, &d, &a, NULL);
            run(&nc, sparse, &d, &b, NULL);
            assert_active(&a, 1);
            ASSERT_LE(th_rel_err(b.g, a.g, a.P, 1e-12), TOL(1e-12, 2e-5));
        }
    elig_net_cfg nc = elig_net_cfg_default();
    nc.layer[0].n = 100;
    nc.layer[0].rec_density = 0.05;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    elig_learner_cfg r = learner(&elig_rule_rtrl, &elig_loss_mse), s2 = learner(&elig_rule_snap, &elig_loss_mse);
    s2.snap_n = 2;
    double fr = elig_learner_flops(net, &r), fs = elig_learner_flops(net, &s2);
    size_t br = elig_learner_bytes(net, &r), bs = elig_learner_bytes(net, &s2);
    printf("    n 100, density 0.05: rtrl %.3g flops %zu bytes, snap2 %.3g flops %zu bytes\n", fr, br, fs, bs);
    ASSERT_LE(fs * 20, fr);
    ASSERT_LE(bs * 10, br);
    /* what the sparse kernel does not cover is refused, naming it */
    elig_learner *L;
    s2.loss.loss = &elig_loss_ce_mean;
    ASSERT_EQ_INT(elig_learner_create(net, &s2, &L), ELIG_EUNSUPPORTED);
    ASSERT_TRUE(strstr(elig_last_error(), "ce_mean") != NULL);
    elig_net_free(net);
}

TEST(presynaptic_storage_equals_per_synapse_storage)
{
    /* "block" stores one eligibility copy per presynaptic unit when every neuron of a layer
     * shares A and dc; "block_per_synapse" never does. Same numbers, bit for bit. */
    seqdata d;
    make_data(&d, 0, 89);
    const elig_neuron_model *models[2] = {&elig_neuron_lif, &elig_neuron_lif_cuba};
    for (int mi = 0; mi < 2; mi++)
        for (int reg = 0; reg < 2; reg++) {
            elig_net_cfg nc = make_net(models[mi], 2, 1, 0, 0);
            elig_learner_cfg a = preset("eprop", &elig_loss_mse), b = a;
            a.feedback = b.feedback = ELIG_FB_RANDOM;
            a.reg_rate = b.reg_rate = reg ? 0.3 : 0;
            b.influence = ELIG_INFL_BLOCK_PER_SYNAPSE;
            result ra, rb;
            run(&nc, a, &d, &ra, NULL);
            run(&nc, b, &d, &rb, NULL);
            assert_active(&ra, 1);
            ASSERT_TRUE(!memcmp(ra.g, rb.g, ra.P * sizeof(elig_real)));
            elig_net *net;
            ASSERT_OK(elig_net_create(&nc, &net));
            ASSERT_TRUE(elig_learner_bytes(net, &a) < elig_learner_bytes(net, &b));
            elig_net_free(net);
        }
}
