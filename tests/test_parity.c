/* test_parity.c -- e-prop against an independent NumPy reference of the authors' TensorFlow
 * tutorials (tests/ref/eprop_ref.py, run by `make refdata` into $ELIG_REFDIR).
 *
 * Same initial weights, feedback and inputs (read from the reference's .npy files); the loss
 * of each of 5 iterations must match: to 1e-9 relative in the double build (the reference's
 * float64 run: only summation order differs) and to 1e-5 in float (its float32 run, measured ~7e-7; a single
 * spike flipped by float rounding would show as a larger jump). The iteration-0 gradient is
 * also compared tensor by tensor in double.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int load(const char *dir, const char *name, elig_real **out, elig_npy_info *info)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return elig_npy_read_real(path, info, out, 0);
}

static void put(elig_net *net, elig_tensor which, const char *dir, const char *name)
{
    elig_real *w;
    elig_npy_info info;
    size_t off;
    int rows, cols;
    ASSERT_OK(load(dir, name, &w, &info));
    ASSERT_OK(elig_net_tensor(net, which, 0, &off, &rows, &cols));
    ASSERT_EQ_INT(info.count, (size_t)rows * cols);
    memcpy(elig_net_params(net) + off, w, info.count * sizeof(elig_real));
    free(w);
}

#ifdef ELIG_DOUBLE
static void compare_grad(elig_net *net, elig_learner *L, elig_tensor which, const char *dir, const char *name)
{
    double *ref;
    elig_npy_info info;
    size_t off;
    int rows, cols;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ASSERT_OK(elig_npy_read_f64(path, &info, &ref, 0));
    ASSERT_OK(elig_net_tensor(net, which, 0, &off, &rows, &cols));
    ASSERT_EQ_INT(info.count, (size_t)rows * cols);
    const elig_real *g = elig_learner_grad(L) + off;
    double scale = 1e-30, err = 0;
    for (size_t i = 0; i < info.count; i++) {
        scale = fmax(scale, fabs(ref[i]));
        err = fmax(err, fabs(g[i] - ref[i]));
    }
    printf("    iteration-0 gradient %s: rel err %.2e (scale %.3g)\n", name, err / scale, scale);
    ASSERT_LE(err / scale, TOL(1e-9, 1e-3));
    free(ref);
}

#endif

static void parity(const char *task)
{
    const char *root = th_refdir();
    if (!root) SKIP("ELIG_REFDIR not set (run through `make test`, which writes the reference data)");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, task);
    elig_real *x, *y, *wrec;
    elig_npy_info xi, yi, wi;
    if (load(dir, "inputs.npy", &x, &xi)) SKIP("reference data missing: is /usr/bin/python3 with numpy installed?");
    ASSERT_OK(load(dir, "targets.npy", &y, &yi));
    ASSERT_OK(load(dir, "w_rec.npy", &wrec, &wi));
    ASSERT_EQ_INT(xi.ndim, 3);
    const int n_seq = (int)xi.shape[0], T = (int)xi.shape[1], n_in = (int)xi.shape[2];
    const int n_out = (int)yi.shape[2], n_rec = (int)wi.shape[0];
    free(wrec);
    double *losses;
    elig_npy_info li;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, TOL("losses_f64.npy", "losses_f32.npy"));
    ASSERT_OK(elig_npy_read_f64(path, &li, &losses, 0));
    const int iters = (int)li.count, batch = n_seq >= iters ? n_seq / iters : 1; /* pattern: one frozen sequence */
    const int evidence = !strcmp(task, "evidence");

    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_in = n_in;
    nc.n_out = n_out;
    nc.batch = batch;
    nc.layer[0] = elig_layer_cfg_default(evidence ? &elig_neuron_alif : &elig_neuron_lif);
    elig_layer_cfg *lc = &nc.layer[0];
    lc->n = n_rec;
    lc->neuron.surrogate = &elig_surrogate_pwl;
    lc->neuron.sg_gamma = 0.3;
    lc->neuron.sg_beta = 1.0;
    if (evidence) {
        lc->neuron.tau_mem = 20;
        lc->neuron.tau_adapt = 2000;
        lc->neuron.v_th = 0.6;
        lc->neuron.beta_adapt = 1.7 * (1 - exp(-1.0 / 2000)) / (1 - exp(-1.0 / 20));
        lc->neuron.adapt_fraction = 0.5;
        lc->neuron.t_ref = 4; /* the tutorial's n_ref = 5: four silent steps */
        nc.tau_out = 20;
    } else {
        lc->neuron.tau_mem = 30;
        lc->neuron.v_th = 0.03;
        lc->neuron.input_leak_scale = 1;
        nc.tau_out = 30;
    }
    nc.out_leak_scale = 1;
    elig_net *net;
    ASSERT_OK(elig_net_create(&nc, &net));
    put(net, ELIG_W_IN, dir, "w_in.npy");
    put(net, ELIG_W_REC, dir, "w_rec.npy");
    put(net, ELIG_W_OUT, dir, "w_out.npy");

    elig_learner_cfg cfg = elig_learner_cfg_default();
    cfg.rule = &elig_rule_trace;
    cfg.feedback = ELIG_FB_RANDOM;
    cfg.filter_traces = 1;
    cfg.f_target = 10;
    cfg.max_steps = T;
    if (evidence) {
        cfg.loss.loss = &elig_loss_ce;
        cfg.loss.win_begin = -150;
        cfg.loss.win_end = 0;
        cfg.loss.time_norm = ELIG_TIME_MEAN;
        cfg.reg_rate = 2;
    } else {
        cfg.loss.loss = &elig_loss_mse;
        cfg.reg_rate = 300;
    }
    elig_learner *L;
    ASSERT_OK(elig_learner_create(net, &cfg, &L));
    elig_real *fb;
    elig_npy_info fi;
    ASSERT_OK(load(dir, "fb.npy", &fb, &fi));
    ASSERT_EQ_INT(fi.count, (size_t)n_rec * n_out);
    memcpy(elig_learner_feedback(L, 0), fb, fi.count * sizeof(elig_real));
    free(fb);

    elig_optim_cfg oc = elig_optim_cfg_default();
    if (evidence) {
        oc.kind = ELIG_OPTIM_ADAM;
        oc.lr = 5e-3;
        oc.eps = 1e-8;
    } else {
        oc.kind = ELIG_OPTIM_SGD;
        oc.lr = 1e-4;
    }
    elig_optim *opt;
    ASSERT_OK(elig_optim_create(&oc, elig_net_n_params(net), &opt));

    /* time-major step buffers (batch, n) */
    elig_real *xs = calloc((size_t)batch * n_in, sizeof(elig_real)), *ys = calloc((size_t)batch * n_out, sizeof(elig_real));
    ASSERT_TRUE(xs && ys);
    for (int it = 0; it < iters; it++) {
        ASSERT_OK(elig_learner_begin(L, T));
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < batch; b++) {
                size_t sq = ((size_t)it * batch + b) % (size_t)n_seq;
                memcpy(xs + (size_t)b * n_in, x + (sq * T + t) * n_in, (size_t)n_in * sizeof(elig_real));
                memcpy(ys + (size_t)b * n_out, y + (sq * T + t) * n_out, (size_t)n_out * sizeof(elig_real));
            }
            elig_learner_step(L, xs, ys, NULL);
        }
        double loss;
        ASSERT_OK(elig_learner_end(L, &loss));
        printf("    %s iteration %d: loss %.9g, reference %.9g, rel diff %.2e\n", task, it, loss, losses[it],
               fabs(loss - losses[it]) / fabs(losses[it]));
        ASSERT_NEAR(loss, losses[it], TOL(1e-9, 1e-5) * fabs(losses[it]));
#ifdef ELIG_DOUBLE
        if (it == 0) {
            compare_grad(net, L, ELIG_W_IN, dir, "grad0_f64_in.npy");
            compare_grad(net, L, ELIG_W_REC, dir, "grad0_f64_rec.npy");
            compare_grad(net, L, ELIG_W_OUT, dir, "grad0_f64_out.npy");
        }
#endif
        elig_optim_step(opt, elig_net_params(net), elig_learner_grad(L));
        elig_learner_after_update(L);
    }
    free(xs);
    free(ys);
    free(x);
    free(y);
    free(losses);
    elig_optim_free(opt);
    elig_learner_free(L);
    elig_net_free(net);
}

TEST_T(eprop_pattern_generation_matches_numpy_reference, 300) { parity("pattern"); }
TEST_T(eprop_evidence_accumulation_matches_numpy_reference, 600) { parity("evidence"); }
