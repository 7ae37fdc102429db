/* fidelity_table.c -- every learner preset against BPTT on one sequence of five standard
 * networks; prints the Markdown table of docs/fidelity.md.
 *
 * Build and run from the repository root (double build: rounding stays far below the gaps):
 *
 *     make build/f64/libelig.a
 *     cc -O2 -DELIG_DOUBLE -Iinclude -Isrc docs/tools/fidelity_table.c build/f64/libelig.a -lm \
 *        -o /tmp/fidelity_table
 *     /tmp/fidelity_table > /tmp/fidelity.md      # progress, loss, rates, timings on stderr
 *
 * For each network every preset runs one sequence of T = 500 steps on a freshly created net
 * (same seed, so the same weights and the same spikes), with max_steps = T, the task's loss
 * (MSE summed over all steps) and everything else at elig_learner_cfg_default() (feedback
 * seed 2, fb_gain 1, fb_scaled). The gradient g of each preset is compared with BPTT's g0:
 *
 *   cos     = <g, g0> / (|g| |g0|)
 *   rel err = max_i |g_i - g0_i| / max_i |g0_i|
 *
 * over all parameters (cos all), over the core parameters W_in and W_rec (cos core; W_out
 * gets its exact gradient from every online preset and would otherwise dominate), and per
 * tensor (W_in, W_rec, W_out; the nets have no biases); norm ratio = |g core| / |g0 core|.
 * A second table gives, per network, the parameter count, the mean rate of the layer, the
 * loss and the norms of BPTT's gradient. bytes = elig_learner_bytes (the
 * learner's block; the net is not included), flops = elig_learner_flops (multiply-adds per
 * step, as stated before running). A preset whose create fails is listed with the library's
 * message.
 *
 * Public API only (elig.h). Cost: dominated by rtrl and by SnAp-n on the dense layers, a few
 * seconds each; about 40 s in all on one core.
 */
#include "elig.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { T_STEPS = 500, N_REC = 50, N_IN_SPIKE = 100, N_NETS = 5 };

typedef struct {
    const char *name;      /* network column                                        */
    elig_net_cfg nc;
    elig_real *x, *y;      /* (T, n_in), (T, n_out)                                 */
    elig_loss_cfg loss;
} network;

static void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, elig_last_error());
    exit(1);
}

/* One recurrent layer of 50 in the e-prop pattern-generation setting: 100 inputs, one
 * leaky readout (tau 30 ms, y <- kappa y + (1 - kappa) W_out z), no biases, no autapses. */
static elig_net_cfg pattern_layer(const elig_neuron_model *m)
{
    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_in = N_IN_SPIKE;
    nc.n_out = 1;
    nc.tau_out = 30;
    nc.out_leak_scale = 1;
    nc.seed = 7;
    nc.layer[0] = elig_layer_cfg_default(m);
    nc.layer[0].n = N_REC;
    nc.layer[0].neuron.tau_mem = 30;
    nc.layer[0].neuron.v_th = 0.03;
    nc.layer[0].neuron.input_leak_scale = 1;
    return nc;
}

/* Frozen Poisson input (100 channels, 50 Hz) and the sum-of-sines target, T steps. */
static void pattern_data(network *w)
{
    elig_task_cfg tc = elig_task_cfg_default(ELIG_TASK_PATTERN);
    tc.pg_n_in = N_IN_SPIKE;
    tc.pg_steps = T_STEPS;
    tc.pg_rate_hz = 50;
    tc.seed = 3;
    elig_task *task;
    if (elig_task_create(&tc, &task)) die("pattern task");
    w->x = malloc(sizeof *w->x * T_STEPS * N_IN_SPIKE);
    w->y = malloc(sizeof *w->y * T_STEPS);
    elig_task_sample(task, 1, w->x, w->y, NULL);
    w->loss = elig_task_loss(task);
    elig_task_free(task);
}

static void make_networks(network *w)
{
    /* (a) e-prop pattern generation, LIF (tau_mem 30 ms, v_th 0.03, input scaled by
     * 1 - alpha, pwl surrogate 0.3/v_th, reset by subtraction and differentiated) */
    w[0].name = "LIF";
    w[0].nc = pattern_layer(&elig_neuron_lif);
    pattern_data(&w[0]);

    /* (a') the same with the reset path detached: the same spikes, but the exact rules
     * (BPTT, RTRL, SnAp, OSTL) no longer differentiate the reset */
    w[1].name = "LIF, reset detached";
    w[1].nc = pattern_layer(&elig_neuron_lif);
    w[1].nc.layer[0].neuron.detach_reset = 1;
    pattern_data(&w[1]);

    /* (b) the same with ALIF: the last half of the neurons adapt (e-prop's LIF/ALIF mix),
     * tau_adapt 2000 ms, e-prop's beta heuristic 1.7 (1 - rho) / (1 - alpha) at tau_mem 30 ms */
    w[2].name = "ALIF";
    w[2].nc = pattern_layer(&elig_neuron_alif);
    w[2].nc.layer[0].neuron.tau_adapt = 2000;
    w[2].nc.layer[0].neuron.adapt_fraction = 0.5;
    w[2].nc.layer[0].neuron.beta_adapt = 1.7 * (1 - exp(-1 / 2000.0)) / (1 - exp(-1 / 30.0));
    pattern_data(&w[2]);

    /* (c) RFLO-style rate network: tau 10 steps, W_rec ~ 1.5 N(0,1)/sqrt(N), memoryless
     * readout, the periodic target (period 100 steps, 5 periods); one weak random input
     * channel x_t ~ N(0, 0.1^2) instead of RFLO's silence, so that W_in has a gradient */
    w[3].name = "rate";
    elig_net_cfg nc = elig_net_cfg_default();
    nc.n_in = 1;
    nc.n_out = 1;
    nc.tau_out = 0;
    nc.seed = 7;
    nc.layer[0] = elig_layer_cfg_default(&elig_neuron_rate);
    nc.layer[0].n = N_REC;
    nc.layer[0].neuron.tau_mem = 10;
    nc.layer[0].rec_gain = 1.5;
    w[3].nc = nc;
    elig_task_cfg tc = elig_task_cfg_default(ELIG_TASK_PERIODIC);
    tc.pe_steps = T_STEPS;
    elig_task *task;
    if (elig_task_create(&tc, &task)) die("periodic task");
    w[3].x = malloc(sizeof *w[3].x * T_STEPS);
    w[3].y = malloc(sizeof *w[3].y * T_STEPS);
    elig_task_sample(task, 1, w[3].x, w[3].y, NULL);
    w[3].loss = elig_task_loss(task);
    elig_task_free(task);
    elig_rng r;
    elig_rng_seed(&r, 5);
    for (int t = 0; t < T_STEPS; t++) w[3].x[t] = (elig_real)(0.1 * elig_rng_normal(&r));

    /* (d) sparse CuBa-LIF: lif_cuba defaults (tau_mem 10 ms, tau_syn 5 ms, v_th 1, fast
     * sigmoid gamma 1 beta 100, reset by subtraction, differentiated), 20 % of W_rec present,
     * W_in ~ 3 N(0,1)/sqrt(100), W_rec ~ 2 N(0,1)/sqrt(50); input and target as in (a) */
    w[4].name = "CuBa sparse";
    w[4].nc = pattern_layer(&elig_neuron_lif_cuba);
    w[4].nc.layer[0].neuron = elig_neuron_params_default(&elig_neuron_lif_cuba);
    w[4].nc.layer[0].rec_density = 0.2;
    w[4].nc.layer[0].in_gain = 3;
    w[4].nc.layer[0].rec_gain = 2;
    pattern_data(&w[4]);
}

typedef struct {
    const char *label;     /* table column                                          */
    const char *preset;
    int feedback;          /* -1: as the preset leaves it                            */
} method;

static const method methods[] = {
    {"bptt", "bptt", -1},
    {"rtrl", "rtrl", -1},
    {"snap1", "snap1", -1},
    {"snap2", "snap2", -1},
    {"snap3", "snap3", -1},
    {"eprop (symmetric)", "eprop", ELIG_FB_SYMMETRIC},
    {"eprop (random)", "eprop", ELIG_FB_RANDOM},
    {"ostl", "ostl", -1},
    {"diag_rtrl", "diag_rtrl", -1},
    {"rflo", "rflo", -1},
    {"decolle", "decolle", -1},
    {"superspike", "superspike", -1},
};
enum { N_METHODS = sizeof methods / sizeof methods[0] };

typedef struct {
    int ok;
    char err[256];
    double loss, rate_hz, seconds, flops;
    size_t bytes, P;
    elig_real *g;          /* (P) gradient */
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void run(const network *w, const method *m, result *res)
{
    memset(res, 0, sizeof *res);
    elig_net *net;
    if (elig_net_create(&w->nc, &net)) die(w->name);
    elig_learner_cfg lc = elig_learner_cfg_default();
    if (elig_learner_preset(m->preset, &lc)) die(m->preset);
    if (m->feedback >= 0) lc.feedback = m->feedback;
    lc.loss = w->loss;
    lc.max_steps = T_STEPS;
    elig_learner *L;
    if (elig_learner_create(net, &lc, &L)) {
        snprintf(res->err, sizeof res->err, "%s", elig_last_error());
        elig_net_free(net);
        return;
    }
    res->bytes = elig_learner_bytes(net, &lc);
    res->flops = elig_learner_flops(net, &lc);
    const int n_in = w->nc.n_in, n_out = w->nc.n_out;
    double t0 = now();
    if (elig_learner_begin(L, T_STEPS)) die("begin");
    for (int t = 0; t < T_STEPS; t++) elig_learner_step(L, w->x + (size_t)t * n_in, w->y + (size_t)t * n_out, NULL);
    if (elig_learner_end(L, &res->loss)) die("end");
    res->ok = 1;
    res->seconds = now() - t0;
    res->rate_hz = elig_learner_rate_hz(L, 0);
    res->P = elig_net_n_params(net);
    res->g = malloc(res->P * sizeof *res->g);
    memcpy(res->g, elig_learner_grad(L), res->P * sizeof *res->g);
    elig_learner_free(L);
    elig_net_free(net);
}

/* cosine and max-abs relative error of a[off .. off+n) against the reference b */
static void compare(const elig_real *a, const elig_real *b, size_t off, size_t n, double *cs, double *rel)
{
    double ab = 0, aa = 0, bb = 0, dmax = 0, bmax = 0;
    for (size_t i = off; i < off + n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
        dmax = fmax(dmax, fabs((double)a[i] - b[i]));
        bmax = fmax(bmax, fabs((double)b[i]));
    }
    *cs = (aa > 0 && bb > 0) ? ab / sqrt(aa * bb) : 0;
    *rel = bmax > 0 ? dmax / bmax : (dmax > 0 ? INFINITY : 0);
}

/* "0.9981 / 3.2e-02"; agreement to rounding printed as "1 / 3e-15" */
static void cell(char *buf, size_t len, double cs, double rel)
{
    if (rel < 1e-12) snprintf(buf, len, "1 / %.0e", rel);
    else snprintf(buf, len, "%.4f / %.1e", cs, rel);
}

static void cos_str(char *buf, size_t len, double cs, double rel)
{
    if (rel < 1e-12) snprintf(buf, len, "1");
    else snprintf(buf, len, "%.4f", cs);
}

static double norm(const elig_real *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * a[i];
    return sqrt(s);
}

static void bytes_str(char *buf, size_t len, size_t b)
{
    if (b >= (size_t)1 << 20) snprintf(buf, len, "%.1f MiB", b / 1048576.0);
    else snprintf(buf, len, "%.1f KiB", b / 1024.0);
}

int main(void)
{
    network nets[N_NETS];
    memset(nets, 0, sizeof nets);
    make_networks(nets);
    printf("| network | preset | cos all | cos core | norm ratio | W_in cos / rel err | W_rec cos / rel err "
           "| W_out cos / rel err | bytes | flops/step |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    char summary[N_NETS][256];
    for (int k = 0; k < N_NETS; k++) {
        const network *w = &nets[k];
        result res[N_METHODS];
        for (int m = 0; m < N_METHODS; m++) {
            run(w, &methods[m], &res[m]);
            if (res[m].ok)
                fprintf(stderr, "%-20s %-18s %7.2f s  loss %.6g  rate %.1f Hz\n", w->name, methods[m].label,
                        res[m].seconds, res[m].loss, res[m].rate_hz);
            else
                fprintf(stderr, "%-20s %-18s %s\n", w->name, methods[m].label, res[m].err);
        }
        const result *ref = &res[0];
        if (!ref->ok) {
            fprintf(stderr, "BPTT failed on %s: %s\n", w->name, ref->err);
            return 1;
        }
        /* tensor offsets and sizes, from a net of this config */
        elig_net *net;
        if (elig_net_create(&w->nc, &net)) die(w->name);
        size_t off[3] = {0, 0, 0}, len[3] = {0, 0, 0}, core = 0;
        const elig_tensor which[3] = {ELIG_W_IN, ELIG_W_REC, ELIG_W_OUT};
        for (int i = 0; i < 3; i++) {
            int rows, cols;
            if (elig_net_tensor(net, which[i], 0, &off[i], &rows, &cols) == 0) len[i] = (size_t)rows * cols;
        }
        core = off[2]; /* everything before W_out */
        elig_net_free(net);
        for (int m = 0; m < N_METHODS; m++) {
            const result *r = &res[m];
            printf("| %s | %s |", w->name, methods[m].label);
            if (!r->ok) {
                printf(" — | — | — | create failed: %s | | | | |\n", r->err);
                continue;
            }
            double cs, rel;
            char buf[64];
            compare(r->g, ref->g, 0, ref->P, &cs, &rel);
            cos_str(buf, sizeof buf, cs, rel);
            printf(" %s |", buf);
            compare(r->g, ref->g, 0, core, &cs, &rel);
            cos_str(buf, sizeof buf, cs, rel);
            printf(" %s | %.3g |", buf, norm(r->g, core) / norm(ref->g, core));
            for (int i = 0; i < 3; i++) {
                compare(r->g, ref->g, off[i], len[i], &cs, &rel);
                cell(buf, sizeof buf, cs, rel);
                printf(" %s |", buf);
            }
            bytes_str(buf, sizeof buf, r->bytes);
            printf(" %s | %.3g |\n", buf, r->flops);
        }
        snprintf(summary[k], sizeof summary[k], "| %s | %zu | %.1f | %.6g | %.4g | %.4g |", w->name, ref->P, ref->rate_hz,
                 ref->loss, norm(ref->g, core), norm(ref->g + core, ref->P - core));
        for (int m = 0; m < N_METHODS; m++) free(res[m].g);
    }
    printf("\n| network | parameters | rate (Hz) | loss | BPTT norm core | BPTT norm W_out |\n|---|---|---|---|---|---|\n");
    for (int k = 0; k < N_NETS; k++) printf("%s\n", summary[k]);
    for (int k = 0; k < N_NETS; k++) {
        free(nets[k].x);
        free(nets[k].y);
    }
    return 0;
}
