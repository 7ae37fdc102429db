/* test_grad.c -- gradient checks: the exact methods against each other and against finite
 * differences, e-prop against the exact gradient where theory says they agree, and the
 * measured gap where it does not.
 *
 * Networks are small and odd-sized (7 inputs, layers of 9 and 6, 3 outputs, batch 2, 37 steps)
 * with time constants like 13.7 ms so that missing factors and loop tails show. Every check
 * first asserts that the network spikes at a moderate rate and that the gradient is non-zero,
 * so no comparison can pass vacuously. Tolerances: exact-vs-exact 1e-10 relative to the
 * largest gradient entry in double (rounding only), 2e-4 in float; finite differences 1e-6
 * (central differences with h = 1e-6 have O(h^2) truncation and ~1e-10 rounding error).
 */
#include "gradcheck.h"

TEST(rtrl_equals_bptt_spiking)
{
    seqdata d;
    make_data(&d, 0, 3);
    for (size_t mi = 0; mi < 3; mi++)
        for (int reset = 0; reset < 2; reset++)
            for (int detach = 0; detach < 2; detach++) {
                elig_net_cfg nc = make_net(spiking[mi], 2, 1, reset, detach);
                result a, b;
                run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
                run(&nc, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &b, NULL);
                assert_active(&a, 1);
                double e = th_rel_err(b.g, a.g, a.P, 1e-12);
                printf("    %-8s reset=%s detach=%d: rel err %.2e, rate %.0f Hz, |g| %.6g\n", elig_neuron_name(spiking[mi]),
                       reset ? "zero" : "subtract", detach, e, a.rate, th_norm(a.g, a.P));
                ASSERT_LE(e, TOL(1e-10, 2e-4));
                ASSERT_NEAR(a.loss, b.loss, 1e-12 * a.loss);
            }
}

TEST(rtrl_equals_bptt_rate_and_losses)
{
    seqdata d;
    make_data(&d, 0, 5);
    elig_net_cfg nc = make_net(&elig_neuron_rate, 2, 1, 0, 0);
    result a, b;
    run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
    run(&nc, learner(&elig_rule_rtrl, &elig_loss_mse), &d, &b, NULL);
    assert_active(&a, 0);
    ASSERT_LE(th_rel_err(b.g, a.g, a.P, 1e-12), TOL(1e-10, 2e-4));
    /* classification losses, per step and aggregated, on an ALIF net */
    seqdata dc;
    make_data(&dc, 1, 7);
    const elig_loss *losses[3] = {&elig_loss_ce, &elig_loss_ce_mean, &elig_loss_ce_max};
    for (int i = 0; i < 3; i++) {
        elig_net_cfg na = make_net(&elig_neuron_alif, 1, 1, 0, 0);
        run(&na, learner(&elig_rule_bptt, losses[i]), &dc, &a, NULL);
        run(&na, learner(&elig_rule_rtrl, losses[i]), &dc, &b, NULL);
        assert_active(&a, 1);
        double e = th_rel_err(b.g, a.g, a.P, 1e-12);
        printf("    alif %-8s rel err %.2e\n", elig_loss_name(losses[i]), e);
        ASSERT_LE(e, TOL(1e-10, 2e-4));
    }
}

/* Finite differences of the loss w.r.t. every parameter, by central differences. */
static void finite_diff(const elig_net_cfg *nc, const elig_loss *loss, const seqdata *d, elig_real *fd, size_t *P)
{
    elig_net *net;
    elig_learner *L;
    ASSERT_OK(elig_net_create(nc, &net));
    elig_learner_cfg lc = learner(&elig_rule_bptt, loss);
    lc.max_steps = T_SEQ;
    ASSERT_OK(elig_learner_create(net, &lc, &L));
    *P = elig_net_n_params(net);
    elig_real *p = elig_net_params(net);
    const unsigned char *mask = elig_net_param_mask(net);
    for (size_t i = 0; i < *P; i++) {
        if (!mask[i]) { fd[i] = 0; continue; }
        const double h = 1e-6;
        double lp[2];
        elig_real keep = p[i];
        for (int sgn = 0; sgn < 2; sgn++) {
            p[i] = keep + (sgn ? -h : h);
            ASSERT_OK(elig_learner_begin(L, T_SEQ));
            for (int t = 0; t < T_SEQ; t++)
                elig_learner_step(L, d->x + (size_t)t * BATCH * N_IN, d->y + (size_t)t * BATCH * N_OUT, NULL);
            ASSERT_OK(elig_learner_end(L, &lp[sgn]));
        }
        p[i] = keep;
        fd[i] = (elig_real)((lp[0] - lp[1]) / (2 * h));
    }
    elig_learner_free(L);
    elig_net_free(net);
}

TEST(bptt_equals_finite_differences_smooth)
{
#ifndef ELIG_DOUBLE
    SKIP("finite differences need the double build");
#endif
    seqdata d;
    make_data(&d, 0, 9);
    const elig_surrogate *sgs[3] = {&elig_surrogate_fast_sigmoid, &elig_surrogate_atan, &elig_surrogate_exp};
    for (size_t mi = 0; mi < 4; mi++) {
        const elig_neuron_model *m = mi < 3 ? spiking[mi] : &elig_neuron_rate;
        elig_net_cfg nc = make_net(m, 2, 1, (int)(mi % 2), 0);
        for (int l = 0; l < 2; l++) {
            nc.layer[l].neuron.smooth = 1;
            nc.layer[l].neuron.surrogate = sgs[mi % 3];
            nc.layer[l].neuron.sg_gamma = 2.1;
            nc.layer[l].neuron.sg_beta = 3.3;
        }
        result a;
        static elig_real fd[4096];
        size_t P;
        run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
        ASSERT_TRUE(th_norm(a.g, a.P) > 1e-6);
        finite_diff(&nc, &elig_loss_mse, &d, fd, &P);
        double e = th_rel_err(a.g, fd, P, 1e-12);
        printf("    %-8s smooth (%s): BPTT vs central differences rel err %.2e\n", elig_neuron_name(m),
               sgs[mi % 3]->name, e);
        ASSERT_LE(e, 1e-6);
    }
}

TEST(eprop_factorisation_with_total_derivative_equals_bptt)
{
    seqdata d;
    make_data(&d, 0, 13);
    for (size_t mi = 0; mi < 3; mi++)
        for (int reset = 0; reset < 2; reset++) {
            elig_net_cfg nc = make_net(spiking[mi], 2, 1, reset, 0);
            /* BPTT gives the total derivative dE/dz_t (network paths) of every layer */
            elig_net *net;
            elig_learner *L;
            ASSERT_OK(elig_net_create(&nc, &net));
            elig_learner_cfg lc = learner(&elig_rule_bptt, &elig_loss_mse);
            lc.max_steps = T_SEQ;
            ASSERT_OK(elig_learner_create(net, &lc, &L));
            ASSERT_OK(elig_learner_begin(L, T_SEQ));
            for (int t = 0; t < T_SEQ; t++)
                elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
            double loss;
            ASSERT_OK(elig_learner_end(L, &loss));
            result a, b;
            a.P = elig_net_n_params(net);
            memcpy(a.g, elig_learner_grad(L), a.P * sizeof(elig_real));
            const elig_real *sig[2] = {elig__bptt_signal(L, 0), elig__bptt_signal(L, 1)};
            elig_learner_cfg le = learner(&elig_rule_trace, &elig_loss_mse);
            le.feedback = ELIG_FB_RANDOM; /* unused: the override replaces the signal */
            run(&nc, le, &d, &b, sig);
            assert_active(&b, 1);
            double e = th_rel_err(b.g, a.g, a.P, 1e-12);
            printf("    %-8s reset=%s: e-prop with dE/dz vs BPTT rel err %.2e\n", elig_neuron_name(spiking[mi]),
                   reset ? "zero" : "subtract", e);
            ASSERT_LE(e, TOL(1e-10, 2e-4));
            elig_learner_free(L);
            elig_net_free(net);
        }
}

TEST(eprop_exact_without_recurrence)
{
    /* Single layer, W_rec absent, symmetric feedback, traces filtered with the readout kernel:
     * e-prop equals BPTT of the network whose reset path is detached (e-prop never carries
     * the reset; the adaptation path is kept by both). */
    seqdata d, dc;
    make_data(&d, 0, 17);
    make_data(&dc, 1, 19);
    const elig_loss *losses[3] = {&elig_loss_mse, &elig_loss_ce, &elig_loss_ce_mean};
    for (size_t mi = 0; mi < 3; mi++)
        for (int li = 0; li < 3; li++)
            for (int reset = 0; reset < 2; reset++) {
                elig_net_cfg nc = make_net(spiking[mi], 1, 0, reset, 1);
                result a, b;
                const seqdata *dd = li ? &dc : &d;
                run(&nc, learner(&elig_rule_bptt, losses[li]), dd, &a, NULL);
                run(&nc, learner(&elig_rule_trace, losses[li]), dd, &b, NULL);
                assert_active(&a, 1);
                double e = th_rel_err(b.g, a.g, a.P, 1e-12);
                ASSERT_LE(e, TOL(1e-10, 2e-4));
                if (li == 0) printf("    %-8s reset=%s mse: rel err %.2e\n", elig_neuron_name(spiking[mi]), reset ? "zero" : "subtract", e);
            }
}

TEST(eprop_gap_with_recurrence_is_measured)
{
    seqdata d;
    make_data(&d, 0, 23);
    for (size_t mi = 0; mi < 3; mi++) {
        elig_net_cfg nc = make_net(spiking[mi], 1, 1, 0, 0);
        result a, b;
        run(&nc, learner(&elig_rule_bptt, &elig_loss_mse), &d, &a, NULL);
        run(&nc, learner(&elig_rule_trace, &elig_loss_mse), &d, &b, NULL);
        assert_active(&a, 1);
        double cs = th_cosine(a.g, b.g, a.P), e = th_rel_err(b.g, a.g, a.P, 1e-12);
        printf("    %-8s recurrent: e-prop vs BPTT cosine %.4f, rel err %.3f\n", elig_neuron_name(spiking[mi]), cs, e);
        /* approximate (not equal), but pointing the same way */
        ASSERT_LE(cs, 1 - 1e-6);
        ASSERT_GE(cs, 0.3);
        ASSERT_GE(e, 1e-6);
    }
}

TEST(step_loop_allocates_nothing_and_repeats_bit_identically)
{
    seqdata d;
    make_data(&d, 0, 29);
    const elig_rule *rules[3] = {&elig_rule_bptt, &elig_rule_rtrl, &elig_rule_trace};
    for (int ri = 0; ri < 3; ri++) {
        static elig_real first[4096];
        double loss0 = 0, loss;
        for (int rep = 0; rep < 2; rep++) {
            elig_net_cfg nc = make_net(&elig_neuron_alif, 2, 1, 0, 0);
            elig_net *net;
            elig_learner *L;
            ASSERT_OK(elig_net_create(&nc, &net));
            elig_learner_cfg lc = learner(rules[ri], &elig_loss_mse);
            if (rules[ri] == &elig_rule_trace) lc.feedback = ELIG_FB_ADAPTIVE, lc.reg_rate = 0.7, lc.kp_decay = 0.01;
            lc.max_steps = T_SEQ;
            ASSERT_OK(elig_learner_create(net, &lc, &L));
            elig_optim_cfg oc = elig_optim_cfg_default();
            elig_optim *o;
            ASSERT_OK(elig_optim_create(&oc, elig_net_n_params(net), &o));
            long before = th_alloc_count();
            for (int it = 0; it < 3; it++) {
                ASSERT_OK(elig_learner_begin(L, T_SEQ));
                for (int t = 0; t < T_SEQ; t++)
                    elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
                ASSERT_OK(elig_learner_end(L, &loss));
                elig_optim_step(o, elig_net_params(net), elig_learner_grad(L));
                elig_learner_after_update(L);
            }
            ASSERT_EQ_INT(th_alloc_count() - before, 0);
            if (rep == 0) {
                memcpy(first, elig_net_params(net), elig_net_n_params(net) * sizeof(elig_real));
                loss0 = loss;
            } else {
                ASSERT_TRUE(memcmp(first, elig_net_params(net), elig_net_n_params(net) * sizeof(elig_real)) == 0);
                ASSERT_TRUE(loss0 == loss);
            }
            elig_optim_free(o);
            elig_learner_free(L);
            elig_net_free(net);
        }
    }
}

TEST(online_memory_independent_of_sequence_length)
{
    elig_net_cfg nc = make_net(&elig_neuron_alif, 1, 1, 0, 0);
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    const elig_rule *rules[3] = {&elig_rule_bptt, &elig_rule_rtrl, &elig_rule_trace};
    for (int ri = 0; ri < 3; ri++) {
        elig_learner_cfg lc = learner(rules[ri], &elig_loss_mse);
        lc.max_steps = 100;
        size_t b100 = elig_learner_bytes(net, &lc);
        lc.max_steps = 10000;
        size_t b10k = elig_learner_bytes(net, &lc);
        printf("    %-6s bytes at T=100: %zu, at T=10000: %zu\n", elig_rule_name(rules[ri]), b100, b10k);
        ASSERT_TRUE(b100 > 0);
        if (elig_rule_is_online(rules[ri])) ASSERT_EQ_INT(b100, b10k);
        else ASSERT_TRUE(b10k > 50 * b100);
        /* bytes() is what create allocates */
        elig_learner *L;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        elig_learner_free(L);
    }
    elig_net_free(net);
}

TEST(rtrl_above_memory_limit_fails_at_create)
{
    elig_net_cfg nc = elig_net_cfg_default();
    nc.layer[0].n = 300;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    elig_learner_cfg lc = learner(&elig_rule_rtrl, &elig_loss_mse);
    lc.mem_limit = (size_t)256 << 20;
    size_t need = elig_learner_bytes(net, &lc);
    ASSERT_TRUE(need > lc.mem_limit);
    elig_learner *L = (elig_learner *)1;
    ASSERT_EQ_INT(elig_learner_create(net, &lc, &L), ELIG_ELIMIT);
    ASSERT_TRUE(L == NULL);
    ASSERT_TRUE(strstr(elig_last_error(), "mem_limit") != NULL);
    ASSERT_TRUE(strstr(elig_last_error(), "rtrl") != NULL);
    elig_net_free(net);
}

TEST(surrogate_and_trace_sanity)
{
    /* pwl peak gamma/v_th at threshold, zero far below */
    ASSERT_NEAR(elig_surrogate_pwl.deriv(0, 0.3, 1, 0.03), 10.0, 1e-12);
    ASSERT_NEAR(elig_surrogate_pwl.deriv(-0.031, 0.3, 1, 0.03), 0.0, 0);
    /* each primitive's derivative is its surrogate (central differences) */
    const elig_surrogate *s[4] = {&elig_surrogate_pwl, &elig_surrogate_fast_sigmoid, &elig_surrogate_exp, &elig_surrogate_atan};
    for (int i = 0; i < 4; i++)
        for (double x = -1.37; x < 1.4; x += 0.173) {
            double h = 1e-6, fd = (s[i]->prim(x + h, 2.1, 3.3, 1.7) - s[i]->prim(x - h, 2.1, 3.3, 1.7)) / (2 * h);
            ASSERT_NEAR(fd, s[i]->deriv(x, 2.1, 3.3, 1.7), 1e-6);
        }
    /* psi = 0 while refractory: drive one LIF neuron hard and check dz/dh after each spike */
    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_in = 1;
    nc.layer[0].n = 1;
    nc.layer[0].recurrent = 0;
    nc.layer[0].neuron.t_ref = 3;
    nc.layer[0].neuron.v_th = 0.5;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    elig_net_params(net)[0] = 0.45;
    elig_real x = 1;
    int last = -100, spikes = 0;
    for (int t = 0; t < 60; t++) {
        elig_net_step(net, &x);
        const elig__layer *ly = &net->layer[0];
        if (t - last >= 1 && t - last <= 3) { /* the 3 steps after a spike are silent, psi = 0 */
            ASSERT_TRUE(ly->z[0] == 0);
            ASSERT_TRUE(ly->part.dzdh[0] == 0);
        }
        if (ly->z[0] != 0) {
            ASSERT_TRUE(t - last >= 4 || last < 0); /* and the 4th may spike (driven hard) */
            last = t;
            spikes++;
        }
    }
    ASSERT_GE(spikes, 5);
    elig_net_free(net);
}

TEST(trace_impulse_decays_geometrically)
{
    /* e-prop LIF trace of an input synapse fed one spike at t = 0: eps_t = zeta alpha^t */
    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_in = 1;
    nc.layer[0].n = 1;
    nc.layer[0].recurrent = 0;
    nc.layer[0].neuron.tau_mem = 17.3;
    nc.layer[0].neuron.input_leak_scale = 1;
    elig_net *net;
    elig_learner *L;
    ASSERT_OK(elig_net_create(&nc, &net));
    elig_learner_cfg lc = learner(&elig_rule_trace, &elig_loss_mse);
    ASSERT_OK(elig_learner_create(net, &lc, &L));
    ASSERT_OK(elig_learner_begin(L, 50));
    double alpha = exp(-1 / 17.3);
    for (int t = 0; t < 50; t++) {
        elig_real x = t == 0 ? 1 : 0, y = 0;
        elig_learner_step(L, &x, &y, NULL);
        ASSERT_NEAR(L->trace.eps[0][0], (1 - alpha) * pow(alpha, t), TOL(1e-15, 1e-7));
    }
    double loss;
    ASSERT_OK(elig_learner_end(L, &loss));
    elig_learner_free(L);
    elig_net_free(net);
}

TEST(trace_fast_kernels_equal_reference_kernel)
{
    /* the specialised kernels (block s = 1 / s = 2, presynaptic mode) do the reference kernel's
     * arithmetic in the same order: results must be bit-identical, with and without the
     * regulariser, for every trace preset */
    seqdata d;
    make_data(&d, 0, 31);
    const struct { const elig_neuron_model *m; const char *preset; } cases[] = {
        {&elig_neuron_lif_cuba, "eprop"}, {&elig_neuron_lif, "eprop"}, {&elig_neuron_alif, "eprop"},
        {&elig_neuron_alif, "ostl"}, {&elig_neuron_lif_cuba, "superspike"}, {&elig_neuron_lif, "superspike"},
        {&elig_neuron_lif_cuba, "decolle"}, {&elig_neuron_decolle, "decolle"}, {&elig_neuron_rate, "rflo"},
    };
    /* per-step loss (mse) and an aggregated one (ce_mean: the window sums S of the traces) */
    const elig_loss *losses[2] = {&elig_loss_mse, &elig_loss_ce_mean};
    int n_agg = 0;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++)
        for (int reg = 0; reg < 4; reg++) {
            const elig_loss *lf = losses[reg >> 1];
            elig_net_cfg nc = make_net(cases[ci].m, 2, 1, 0, 0);
            if (cases[ci].m == &elig_neuron_decolle)
                for (int l = 0; l < 2; l++) nc.layer[l].neuron = elig_neuron_params_default(&elig_neuron_decolle);
            static elig_real g[2][4096];
            size_t P = 0;
            for (int ref = 0; ref < 2; ref++) {
                elig_net *net;
                elig_learner *L;
                ASSERT_OK(elig_net_create(&nc, &net));
                elig_learner_cfg lc = learner(&elig_rule_trace, lf);
                ASSERT_OK(elig_learner_preset(cases[ci].preset, &lc));
                if (!strcmp(cases[ci].preset, "eprop")) lc.feedback = ELIG_FB_RANDOM;
                lc.reg_rate = reg & 1 ? 0.3 : 0;
                if (elig_learner_create(net, &lc, &L) != ELIG_OK) { /* a rule refusing aggregated losses */
                    ASSERT_TRUE(!elig_loss_is_per_step(lf));
                    elig_net_free(net);
                    break;
                }
                elig__trace_use_reference_kernel(L, ref);
                ASSERT_OK(elig_learner_begin(L, T_SEQ));
                for (int t = 0; t < T_SEQ; t++)
                    elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
                double loss;
                ASSERT_OK(elig_learner_end(L, &loss));
                P = elig_net_n_params(net);
                memcpy(g[ref], elig_learner_grad(L), P * sizeof(elig_real));
                elig_learner_free(L);
                elig_net_free(net);
            }
            if (!P) continue;
            ASSERT_TRUE(th_norm(g[0], P) > 0);
            if (memcmp(g[0], g[1], P * sizeof(elig_real)))
                th_fail(__FILE__, __LINE__, "%s on %s (%s, reg %d): fast and reference kernels differ", cases[ci].preset,
                        elig_neuron_name(cases[ci].m), elig_loss_name(lf), reg & 1);
            n_agg += !elig_loss_is_per_step(lf);
        }
    ASSERT_TRUE(n_agg >= 8); /* the aggregated loss was exercised */
}

TEST(event_driven_input_kernel_equals_dense_kernel)
{
    /* sparse spike input takes the event-driven path; forcing the dense kernel must give
     * bit-identical states and gradients */
    seqdata d;
    make_data(&d, 0, 37);
    for (size_t i = 0; i < sizeof d.x / sizeof d.x[0]; i++) d.x[i] = (i % 7 == 3) ? d.x[i] * 1.37f : 0;
    elig_net_cfg nc = make_net(&elig_neuron_alif, 2, 1, 0, 0);
    nc.layer[0].in_gain = 6;
    static elig_real g[2][4096];
    double loss[2];
    size_t P = 0;
    for (int dense = 0; dense < 2; dense++) {
        elig_net *net;
        elig_learner *L;
        ASSERT_OK(elig_net_create(&nc, &net));
        net->dense_only = dense;
        elig_learner_cfg lc = learner(&elig_rule_bptt, &elig_loss_mse);
        lc.max_steps = T_SEQ;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        ASSERT_OK(elig_learner_begin(L, T_SEQ));
        for (int t = 0; t < T_SEQ; t++)
            elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
        ASSERT_OK(elig_learner_end(L, &loss[dense]));
        if (!dense) ASSERT_GE(elig_learner_rate_hz(L, 0), 5);
        P = elig_net_n_params(net);
        memcpy(g[dense], elig_learner_grad(L), P * sizeof(elig_real));
        elig_learner_free(L);
        elig_net_free(net);
    }
    ASSERT_TRUE(loss[0] == loss[1]);
    ASSERT_TRUE(th_norm(g[0], P) > 0);
    ASSERT_TRUE(memcmp(g[0], g[1], P * sizeof(elig_real)) == 0);
}

TEST(online_chunks_sum_to_the_sequence_gradient)
{
    /* Updating every k steps reads the gradient accumulated since the last zero_grad. With the
     * weights left unchanged (lr 0), the chunks of an online rule sum to the whole-sequence
     * gradient: nothing is lost or counted twice at chunk boundaries. */
    seqdata d;
    make_data(&d, 0, 41);
    const elig_rule *rules[2] = {&elig_rule_rtrl, &elig_rule_trace};
    for (int ri = 0; ri < 2; ri++) {
        elig_net_cfg nc = make_net(&elig_neuron_alif, 1, 1, 0, 0);
        result whole;
        elig_learner_cfg lc = learner(rules[ri], &elig_loss_mse);
        run(&nc, lc, &d, &whole, NULL);
        elig_net *net;
        elig_learner *L;
        ASSERT_OK(elig_net_create(&nc, &net));
        lc.max_steps = T_SEQ;
        ASSERT_OK(elig_learner_create(net, &lc, &L));
        static elig_real sum[4096];
        size_t P = elig_net_n_params(net);
        memset(sum, 0, sizeof sum);
        ASSERT_OK(elig_learner_begin(L, T_SEQ));
        for (int t = 0; t < T_SEQ; t++) {
            elig_learner_step(L, d.x + (size_t)t * BATCH * N_IN, d.y + (size_t)t * BATCH * N_OUT, NULL);
            if (t % 5 == 4) {
                for (size_t i = 0; i < P; i++) sum[i] += elig_learner_grad(L)[i];
                elig_learner_zero_grad(L);
            }
        }
        double loss;
        ASSERT_OK(elig_learner_end(L, &loss));
        for (size_t i = 0; i < P; i++) sum[i] += elig_learner_grad(L)[i];
        printf("    %s: chunks vs whole rel err %.2e\n", elig_rule_name(rules[ri]), th_rel_err(sum, whole.g, P, 1e-12));
        ASSERT_LE(th_rel_err(sum, whole.g, P, 1e-12), TOL(1e-13, 1e-5));
        elig_learner_free(L);
        elig_net_free(net);
    }
}

TEST(rate_regulariser_exact_in_bptt_and_rtrl_and_eprop_without_recurrence)
{
    /* E_reg = c/2 sum_i (f_i - f*)^2 is part of every rule's gradient: exact in BPTT and RTRL
     * (which agree), and exact in e-prop where its traces are (no recurrence, reset detached) */
    seqdata d;
    make_data(&d, 0, 79);
    for (size_t mi = 0; mi < 3; mi++) {
        elig_net_cfg nc = make_net(spiking[mi], 2, 1, 0, 0);
        elig_learner_cfg cb = learner(&elig_rule_bptt, &elig_loss_mse), cr = learner(&elig_rule_rtrl, &elig_loss_mse);
        cb.reg_rate = cr.reg_rate = 0.37;
        result a, b, a0;
        run(&nc, cb, &d, &a, NULL);
        run(&nc, cr, &d, &b, NULL);
        ASSERT_LE(th_rel_err(b.g, a.g, a.P, 1e-12), TOL(1e-10, 2e-4));
        cb.reg_rate = 0;
        run(&nc, cb, &d, &a0, NULL);
        ASSERT_GE(th_rel_err(a0.g, a.g, a.P, 1e-12), 1e-4); /* the term is really there */
        nc = make_net(spiking[mi], 1, 0, 0, 1);
        elig_learner_cfg ce = learner(&elig_rule_trace, &elig_loss_mse);
        cb.reg_rate = ce.reg_rate = 0.37;
        run(&nc, cb, &d, &a, NULL);
        run(&nc, ce, &d, &b, NULL);
        ASSERT_LE(th_rel_err(b.g, a.g, a.P, 1e-12), TOL(1e-10, 2e-4));
    }
}
