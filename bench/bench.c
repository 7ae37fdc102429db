/* bench.c -- throughput and memory of elig's learning rules on the e-prop pattern-generation
 * network (not a test: it measures, it does not check).
 *
 * Network (per size n and batch B): 100 Poisson inputs (50 Hz, dt 1 ms) -> one recurrent layer
 * of n LIF neurons in e-prop form (elig_neuron_lif, tau_mem 30 ms, v_th 0.03, input scaled by
 * 1 - alpha, reset by subtraction, no autapses) -> 1 leaky readout (tau_out 30 ms), MSE on a
 * sum of sines (elig_task pattern target). Rules: forward only (elig_net_step) and learners
 * chosen by preset name (elig_learner_preset): bptt, eprop (random feedback, filtered traces),
 * rtrl by default, any other preset on request. A learner whose elig_learner_bytes is at or
 * above --max-bytes (1 GiB) is skipped. RTRL costs O(n^4) per step: it runs only when
 * the predicted time (multiply-adds x the
 * seconds per multiply-add measured on the previous RTRL size, 1 ns before the first) of a
 * one-step warm-up and --reps one-step runs fits --rtrl-budget; its runs are then as long as the
 * budget allows, at most --rtrl-steps steps (the T column says how many).
 *
 * One timed run = elig_learner_begin, T x elig_learner_step, elig_learner_end, one Adam step and
 * elig_learner_after_update (forward: elig_net_reset_state and T x elig_net_step). Parameters
 * and the optimiser are restored before every run (outside the clock) so every repetition does
 * the same work; one untimed warm-up run, then the best (shortest) of --reps runs is kept.
 * Wall time from clock_gettime(CLOCK_MONOTONIC).
 *
 * Reported per rule and size: steps/s (time steps of the whole batch per second), synaptic
 * updates/s = synapses (W_in + W_rec + W_out entries) x B x steps/s, bytes (learner: the exact
 * elig_learner_bytes; forward: elig_net_bytes) and bytes per synapse (bytes / synapses, the
 * batch included in the bytes), the mean firing rate, and cpu/wall: the process CPU time
 * (CLOCK_PROCESS_CPUTIME_ID) over the wall time of the kept run, below 1 when other processes
 * took the CPU away (the row is then slower than the machine can do).
 *
 * --save-data DIR writes each size's weights, feedback matrix, inputs and targets as .npy into
 * DIR/n<n>_b<B>/ (untimed): bench/torch_ref.py --data DIR then times the same network on the
 * same data, so both sides see the same spikes. --dump DIR adds spikes and one sequence's BPTT
 * and e-prop gradients, for bench/torch_ref.py --check DIR.
 *
 * Usage: bench [--sizes 100x1,200x1,400x1,100x16] [--rules forward,bptt,eprop,rtrl] [--steps 1000]
 *              [--reps 3] [--rtrl-budget 20] [--rtrl-steps 10] [--max-bytes 1073741824] [--seed 1]
 *              [--csv FILE] [--save-data DIR]
 *              [--dump DIR [--dump-size 100x2] [--dump-steps 300]]
 */
#include "elig.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define N_IN 100
#define N_OUT 1
#define RATE_HZ 50.0
#define TAU_MEM 30.0
#define V_TH 0.03
#define TAU_OUT 30.0
#define MAX_SIZES 32

#define MAX_RULES 16

typedef struct {
    int n, batch;
} bench_size;

typedef struct {
    bench_size size[MAX_SIZES];
    int n_sizes;
    char rule[MAX_RULES][32];  /* "forward" or a preset name (elig_learner_preset), ":pre" suffix */
    int n_rules;
    int T, reps;
    double rtrl_budget;     /* s per configuration, warm-up included */
    double max_bytes;       /* learners above this are skipped (RTRL) */
    int rtrl_steps;         /* at most this many steps per timed RTRL run */
    uint64_t seed;
    const char *csv;
    const char *dump;
    const char *save_data;  /* write each size's weights and data for torch_ref.py --data */
    bench_size dump_size;
    int dump_T;
} bench_opts;

typedef struct {
    char rule[32];
    int n, batch, T, reps;
    double synapses, best_s, steps_per_s, syn_per_s, bytes, rate_hz;
    double cpu_frac;  /* process CPU time / wall time of the best run: < 1 when descheduled */
    char note[96];
} bench_row;

/* Inputs (T, B, N_IN) and targets (T, B, N_OUT) of one sequence. */
typedef struct {
    int T, B;
    elig_real *x, *y;
} bench_data;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the last timed run: set by run_forward / run_learn beside their wall time. */
static double last_cpu;

/* Keep the shortest run: its wall time and the share of it this process was on a CPU. */
static void keep_best(double wall, double *best, double *best_cpu_frac)
{
    if (wall < *best) {
        *best = wall;
        *best_cpu_frac = wall > 0 ? last_cpu / wall : 1;
    }
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench: %s failed: %s (%s)\n", what, elig_status_name(rc), elig_last_error());
    exit(1);
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "bench: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

static elig_net_cfg net_cfg(int n, int B, uint64_t seed)
{
    elig_net_cfg c = elig_net_cfg_default();
    c.n_in = N_IN;
    c.n_out = N_OUT;
    c.batch = B;
    c.n_layers = 1;
    c.layer[0] = elig_layer_cfg_default(&elig_neuron_lif);
    c.layer[0].n = n;
    c.layer[0].neuron.tau_mem = TAU_MEM;
    c.layer[0].neuron.v_th = V_TH;
    c.layer[0].neuron.input_leak_scale = 1;
    c.layer[0].neuron.reset = ELIG_RESET_SUBTRACT;
    c.tau_out = TAU_OUT;
    c.out_leak_scale = 1;
    c.seed = seed;
    return c;
}

/* A learner from a preset name ("bptt", "eprop", "rtrl", ... see elig_learner_preset), with
 * random feedback unless the preset fixes it; "NAME:pre" also sets influence = pre
 * (presynaptic traces). MSE summed over time, as the pattern task. */
static int learner_cfg(const char *spec, int T, elig_learner_cfg *c)
{
    char name[32];
    const char *colon = strchr(spec, ':');
    snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    *c = elig_learner_cfg_default();
    c->feedback = ELIG_FB_RANDOM;
    int rc = elig_learner_preset(name, c);
    if (rc) return rc;
    c->loss.loss = &elig_loss_mse;
    c->max_steps = T;
    c->mem_limit = 0; /* the bench applies its own limit, --max-bytes */
    if (colon) {
        if (strcmp(colon + 1, "pre")) return ELIG_EINVAL;
        c->influence = ELIG_INFL_PRE;
    }
    return ELIG_OK;
}

static elig_learner_cfg learner_cfg_or_die(const char *spec, int T)
{
    elig_learner_cfg c;
    int rc = learner_cfg(spec, T, &c);
    if (rc) die(spec, rc);
    return c;
}

/* Poisson inputs drawn per batch element from an explicit RNG; the target is the pattern
 * task's sum of sines (the same for every batch element). */
static void data_make(bench_data *d, int T, int B, uint64_t seed)
{
    d->T = T;
    d->B = B;
    d->x = xmalloc((size_t)T * B * N_IN * sizeof(elig_real));
    d->y = xmalloc((size_t)T * B * N_OUT * sizeof(elig_real));
    elig_rng r;
    elig_rng_seed(&r, seed ^ 0xb5e4c4ull);
    const double p = RATE_HZ * 1e-3; /* dt = 1 ms */
    for (size_t i = 0; i < (size_t)T * B * N_IN; i++) d->x[i] = elig_rng_uniform(&r) < p ? 1 : 0;
    elig_task_cfg tc = elig_task_cfg_default(ELIG_TASK_PATTERN);
    tc.seed = seed;
    tc.pg_n_in = N_IN;
    tc.pg_n_out = N_OUT;
    tc.pg_steps = T;
    elig_task *task;
    int rc = elig_task_create(&tc, &task);
    if (rc) die("elig_task_create", rc);
    elig_real *tx = xmalloc((size_t)T * N_IN * sizeof(elig_real)), *ty = xmalloc((size_t)T * N_OUT * sizeof(elig_real));
    if ((rc = elig_task_sample(task, 1, tx, ty, NULL))) die("elig_task_sample", rc);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            for (int k = 0; k < N_OUT; k++) d->y[((size_t)t * B + b) * N_OUT + k] = ty[(size_t)t * N_OUT + k];
    free(tx);
    free(ty);
    elig_task_free(task);
}

static void data_free(bench_data *d)
{
    free(d->x);
    free(d->y);
}

static void make_dir(const char *dir);
static void save_inputs(const char *dir, elig_net *net, const bench_data *d);

static double synapses(int n) { return (double)N_IN * n + (double)n * n + (double)n * N_OUT; }

/* ------------------------------------------------------------------ timed runs */

static double run_forward(elig_net *net, const bench_data *d, int T)
{
    double c0 = cpu_s(), t0 = now_s();
    elig_net_reset_state(net);
    for (int t = 0; t < T; t++) elig_net_step(net, d->x + (size_t)t * d->B * N_IN);
    double wall = now_s() - t0;
    last_cpu = cpu_s() - c0;
    return wall;
}

static double run_learn(elig_learner *L, elig_optim *opt, const bench_data *d, int T, double *loss)
{
    elig_net *net = elig_learner_net(L);
    double c0 = cpu_s(), t0 = now_s();
    int rc = elig_learner_begin(L, T);
    if (rc) die("elig_learner_begin", rc);
    for (int t = 0; t < T; t++)
        elig_learner_step(L, d->x + (size_t)t * d->B * N_IN, d->y + (size_t)t * d->B * N_OUT, NULL);
    if ((rc = elig_learner_end(L, loss))) die("elig_learner_end", rc);
    elig_optim_step(opt, elig_net_params(net), elig_learner_grad(L));
    elig_learner_after_update(L);
    double wall = now_s() - t0;
    last_cpu = cpu_s() - c0;
    return wall;
}

/* Firing rate and the share of (neuron, step) pairs with a nonzero surrogate derivative
 * (0 < v < 2 v_th for the pwl surrogate): the density an event-driven kernel would see. */
static void activity(elig_net *net, const bench_data *d, double *rate_hz, double *psi_frac, double *in_frac)
{
    const int B = d->B, n = elig_net_get_cfg(net)->layer[0].n;
    double spikes = 0, psi = 0, inp = 0;
    elig_net_reset_state(net);
    for (int t = 0; t < d->T; t++) {
        const elig_real *x = d->x + (size_t)t * B * N_IN;
        for (int i = 0; i < B * N_IN; i++) inp += x[i] != 0;
        elig_net_step(net, x);
        const elig_real *z = elig_net_spikes(net, 0), *v = elig_net_state(net, 0);
        for (int i = 0; i < B * n; i++) {
            spikes += z[i] != 0;
            psi += v[i] > 0 && v[i] < 2 * V_TH;
        }
    }
    double cells = (double)d->T * B * n;
    *rate_hz = spikes / cells * 1000.0;
    *psi_frac = psi / cells;
    *in_frac = inp / ((double)d->T * B * N_IN);
}

static void row_set(bench_row *r, const char *rule, bench_size s, int T, int reps, double best, double bytes)
{
    memset(r, 0, sizeof *r);
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    r->n = s.n;
    r->batch = s.batch;
    r->T = T;
    r->reps = reps;
    r->synapses = synapses(s.n);
    r->best_s = best;
    r->steps_per_s = best > 0 ? T / best : 0;
    r->syn_per_s = r->synapses * s.batch * r->steps_per_s;
    r->bytes = bytes;
}

/* Multiply-adds of one RTRL step for one dense recurrent layer (src/rtrl.c): the recurrent
 * product W_rec Z_{t-1} (n x n x Pc) dominates; the influence update, Z and C are ~4 n Pc. */
static double rtrl_macs(bench_size s)
{
    double n = s.n, Pc = (double)N_IN * n + n * n;
    return s.batch * (n * n * Pc + 4 * n * Pc);
}

static int bench_size_cfg(const bench_opts *o, bench_size s, bench_row *rows, int nrows, double *sec_per_mac)
{
    const int T = o->T, B = s.batch;
    bench_data d;
    data_make(&d, T, B, o->seed);
    elig_net_cfg nc = net_cfg(s.n, B, o->seed);
    elig_net *net;
    int rc = elig_net_create(&nc, &net);
    if (rc) die("elig_net_create", rc);
    const size_t P = elig_net_n_params(net);
    elig_real *p0 = xmalloc(P * sizeof(elig_real));
    memcpy(p0, elig_net_params(net), P * sizeof(elig_real));
    if (o->save_data) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/n%d_b%d", o->save_data, s.n, B);
        make_dir(o->save_data);
        save_inputs(dir, net, &d);
    }
    double rate, psi_frac, in_frac;
    activity(net, &d, &rate, &psi_frac, &in_frac);
    printf("# n=%d batch=%d: synapses %.0f, input density %.3f, spike rate %.1f Hz, psi != 0 for %.1f%% of neuron-steps\n",
           s.n, B, synapses(s.n), in_frac, rate, 100 * psi_frac);
    fflush(stdout);

    for (int ri = 0; ri < o->n_rules; ri++) {
        const char *rname = o->rule[ri];
        const int is_rtrl = !strcmp(rname, "rtrl");
        if (!strcmp(rname, "forward")) {
            double best = INFINITY, frac = 1;
            run_forward(net, &d, T); /* warm-up */
            for (int r = 0; r < o->reps; r++) keep_best(run_forward(net, &d, T), &best, &frac);
            row_set(&rows[nrows], "forward", s, T, o->reps, best, (double)elig_net_bytes(&nc));
            rows[nrows].cpu_frac = frac;
            rows[nrows++].rate_hz = rate;
            continue;
        }
        elig_learner_cfg lc = learner_cfg_or_die(rname, T);
        double bytes = (double)elig_learner_bytes(net, &lc);
        if (bytes == 0) die("elig_learner_bytes", ELIG_EINVAL);
        bench_row *row = &rows[nrows++];
        row_set(row, rname, s, 0, 0, 0, bytes);
        int Trun = T;
        if (bytes >= o->max_bytes) {
            snprintf(row->note, sizeof row->note, "skipped: needs %.2f GiB >= limit %.2f GiB", bytes / 1073741824.0,
                     o->max_bytes / 1073741824.0);
            continue;
        }
        if (is_rtrl) {
            double pred = rtrl_macs(s) * *sec_per_mac;
            if (pred * (o->reps + 1) > o->rtrl_budget) {
                snprintf(row->note, sizeof row->note, "skipped: predicted %.1f s/step > budget %.0f s / %d runs", pred,
                         o->rtrl_budget, o->reps + 1);
                continue;
            }
        }
        elig_learner *L;
        if ((rc = elig_learner_create(net, &lc, &L))) die("elig_learner_create", rc);
        elig_optim_cfg oc = elig_optim_cfg_default();
        elig_optim *opt;
        if ((rc = elig_optim_create(&oc, P, &opt))) die("elig_optim_create", rc);
        double loss, best = INFINITY, frac = 1;
        if (is_rtrl) {
            /* warm-up of one step (begin zeroes the whole influence matrix: pages faulted in),
             * then as many steps per run as the budget allows */
            double t1 = run_learn(L, opt, &d, 1, &loss);
            int k = (int)floor((o->rtrl_budget - t1) / (o->reps * t1)), kmax = o->rtrl_steps < T ? o->rtrl_steps : T;
            Trun = k < 1 ? 1 : (k > kmax ? kmax : k);
        } else {
            run_learn(L, opt, &d, T, &loss);
        }
        for (int r = 0; r < o->reps; r++) {
            memcpy(elig_net_params(net), p0, P * sizeof(elig_real));
            elig_optim_reset(opt);
            keep_best(run_learn(L, opt, &d, Trun, &loss), &best, &frac);
        }
        row_set(row, rname, s, Trun, o->reps, best, bytes);
        row->rate_hz = elig_learner_rate_hz(L, 0);
        row->cpu_frac = frac;
        if (is_rtrl) {
            double spm = best / Trun / rtrl_macs(s);
            *sec_per_mac = spm; /* calibrates the prediction for the next, larger sizes */
            snprintf(row->note, sizeof row->note, "%d of %d steps (O(n^4) per step)", Trun, T);
        }
        memcpy(elig_net_params(net), p0, P * sizeof(elig_real));
        elig_optim_free(opt);
        elig_learner_free(L);
    }
    free(p0);
    elig_net_free(net);
    data_free(&d);
    return nrows;
}

/* ------------------------------------------------------------------ output */

static void print_table(const bench_row *rows, int n)
{
    printf("%-10s %5s %5s %5s %12s %14s %12s %10s %8s %8s  %s\n", "rule", "n", "batch", "T", "steps/s", "syn.upd/s", "bytes",
           "bytes/syn", "rate Hz", "cpu/wall", "note");
    for (int i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        if (r->T == 0) {
            printf("%-10s %5d %5d %5s %12s %14s %12.0f %10.1f %8s %8s  %s\n", r->rule, r->n, r->batch, "-", "-", "-",
                   r->bytes, r->bytes / r->synapses, "-", "-", r->note);
            continue;
        }
        printf("%-10s %5d %5d %5d %12.1f %14.4g %12.0f %10.1f %8.1f %8.2f  %s\n", r->rule, r->n, r->batch, r->T,
               r->steps_per_s, r->syn_per_s, r->bytes, r->bytes / r->synapses, r->rate_hz, r->cpu_frac, r->note);
    }
}

static int write_csv(const char *path, const bench_row *rows, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "impl,rule,n,batch,n_in,n_out,synapses,T,reps,best_s,steps_per_s,syn_updates_per_s,bytes,bytes_per_synapse,"
               "rate_hz,cpu_frac,note\n");
    for (int i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        fprintf(f, "elig,%s,%d,%d,%d,%d,%.0f,%d,%d,%.6g,%.6g,%.6g,%.0f,%.4g,%.3g,%.3f,\"%s\"\n", r->rule, r->n, r->batch, N_IN,
                N_OUT, r->synapses, r->T, r->reps, r->best_s, r->steps_per_s, r->syn_per_s, r->bytes, r->bytes / r->synapses,
                r->rate_hz, r->cpu_frac, r->note);
    }
    return fclose(f) != 0;
}

/* ------------------------------------------------------------------ dump for --check */

static void dump_npy(const char *dir, const char *name, const elig_real *a, int ndim, const int64_t *shape)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    int rc = elig_npy_write_real(path, a, ndim, shape);
    if (rc) die(path, rc);
}

static void dump_tensor(const char *dir, const char *name, elig_net *net, const elig_real *v, elig_tensor which)
{
    size_t off;
    int rows, cols;
    int rc = elig_net_tensor(net, which, 0, &off, &rows, &cols);
    if (rc) die("elig_net_tensor", rc);
    int64_t sh[2] = {rows, cols};
    dump_npy(dir, name, v + off, 2, sh);
}

static void make_dir(const char *dir)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "bench: cannot create %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

static void write_meta(const char *dir, const double meta[10])
{
    char path[4096];
    snprintf(path, sizeof path, "%s/meta.npy", dir);
    int64_t sm[1] = {10};
    int rc = elig_npy_write_f64(path, meta, 1, sm);
    if (rc) die(path, rc);
}

/* The network's weights, e-prop's feedback matrix, inputs and targets, so that torch_ref.py
 * runs the very same network on the very same data. meta: n_in, n, n_out, batch, T, tau_mem,
 * v_th, tau_out, loss of BPTT, loss of e-prop (0 here). */
static void save_inputs(const char *dir, elig_net *net, const bench_data *d)
{
    const int n = elig_net_get_cfg(net)->layer[0].n, B = d->B, T = d->T;
    make_dir(dir);
    const elig_real *P = elig_net_params(net);
    dump_tensor(dir, "w_in", net, P, ELIG_W_IN);
    dump_tensor(dir, "w_rec", net, P, ELIG_W_REC);
    dump_tensor(dir, "w_out", net, P, ELIG_W_OUT);
    elig_learner_cfg lc = learner_cfg_or_die("eprop", 1);
    elig_learner *L;
    int rc = elig_learner_create(net, &lc, &L);
    if (rc) die("elig_learner_create", rc);
    int64_t sf[2] = {n, N_OUT}, sx[3] = {T, B, N_IN}, sy[3] = {T, B, N_OUT};
    dump_npy(dir, "fb", elig_learner_feedback(L, 0), 2, sf);
    elig_learner_free(L);
    dump_npy(dir, "x", d->x, 3, sx);
    dump_npy(dir, "y", d->y, 3, sy);
    double meta[10] = {N_IN, n, N_OUT, B, T, TAU_MEM, V_TH, TAU_OUT, 0, 0};
    write_meta(dir, meta);
}

static int dump(const bench_opts *o)
{
    const bench_size s = o->dump_size;
    const int T = o->dump_T, B = s.batch, n = s.n;
    const char *dir = o->dump;
    bench_data d;
    data_make(&d, T, B, o->seed);
    elig_net_cfg nc = net_cfg(n, B, o->seed);
    elig_net *net;
    int rc = elig_net_create(&nc, &net);
    if (rc) die("elig_net_create", rc);
    save_inputs(dir, net, &d);
    int64_t sy[3] = {T, B, N_OUT}, sz[3] = {T, B, n};
    const char *tag[2] = {"bptt", "eprop"};

    double meta[10] = {N_IN, n, N_OUT, B, T, TAU_MEM, V_TH, TAU_OUT, 0, 0};
    elig_real *z = xmalloc((size_t)T * B * n * sizeof(elig_real)), *yout = xmalloc((size_t)T * B * N_OUT * sizeof(elig_real));
    for (int ri = 0; ri < 2; ri++) {
        elig_learner_cfg lc = learner_cfg_or_die(tag[ri], T);
        elig_learner *L;
        if ((rc = elig_learner_create(net, &lc, &L))) die("elig_learner_create", rc);
        if ((rc = elig_learner_begin(L, T))) die("elig_learner_begin", rc);
        for (int t = 0; t < T; t++) {
            elig_learner_step(L, d.x + (size_t)t * B * N_IN, d.y + (size_t)t * B * N_OUT, NULL);
            memcpy(z + (size_t)t * B * n, elig_net_spikes(net, 0), (size_t)B * n * sizeof(elig_real));
            memcpy(yout + (size_t)t * B * N_OUT, elig_net_output(net), (size_t)B * N_OUT * sizeof(elig_real));
        }
        double loss;
        if ((rc = elig_learner_end(L, &loss))) die("elig_learner_end", rc);
        meta[8 + ri] = loss;
        char name[64];
        const elig_real *G = elig_learner_grad(L);
        snprintf(name, sizeof name, "grad_%s_w_in", tag[ri]);
        dump_tensor(dir, name, net, G, ELIG_W_IN);
        snprintf(name, sizeof name, "grad_%s_w_rec", tag[ri]);
        dump_tensor(dir, name, net, G, ELIG_W_REC);
        snprintf(name, sizeof name, "grad_%s_w_out", tag[ri]);
        dump_tensor(dir, name, net, G, ELIG_W_OUT);
        elig_learner_free(L);
    }
    dump_npy(dir, "z", z, 3, sz);
    dump_npy(dir, "yout", yout, 3, sy);
    write_meta(dir, meta);
    printf("bench: wrote n=%d batch=%d T=%d (weights, inputs, spikes, BPTT and e-prop gradients) to %s\n", n, B, T, dir);
    free(z);
    free(yout);
    elig_net_free(net);
    data_free(&d);
    return 0;
}

/* ------------------------------------------------------------------ options */

static int parse_size(const char *s, bench_size *out)
{
    char *end;
    long n = strtol(s, &end, 10), b = 1;
    if (end == s || n < 1 || n > 100000) return -1;
    if (*end == 'x') {
        const char *q = end + 1;
        b = strtol(q, &end, 10);
        if (end == q || b < 1 || b > 4096) return -1;
    }
    if (*end && *end != ',') return -1;
    out->n = (int)n;
    out->batch = (int)b;
    return 0;
}

static int parse_sizes(const char *s, bench_opts *o)
{
    o->n_sizes = 0;
    for (const char *p = s; *p;) {
        if (o->n_sizes == MAX_SIZES || parse_size(p, &o->size[o->n_sizes])) return -1;
        o->n_sizes++;
        const char *c = strchr(p, ',');
        if (!c) break;
        p = c + 1;
    }
    return o->n_sizes ? 0 : -1;
}

static int parse_rules(const char *s, bench_opts *o)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    o->n_rules = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        elig_learner_cfg c;
        if (o->n_rules == MAX_RULES || strlen(tok) >= sizeof o->rule[0]) return -1;
        if (strcmp(tok, "forward") && learner_cfg(tok, 1, &c)) {
            fprintf(stderr, "bench: unknown rule %s (forward or an elig_learner_preset name, optionally NAME:pre)\n", tok);
            return -1;
        }
        snprintf(o->rule[o->n_rules++], sizeof o->rule[0], "%s", tok);
    }
    return o->n_rules ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench [--sizes 100x1,200x1,400x1,100x16] [--rules forward,bptt,eprop,rtrl] [--steps 1000]\n"
            "             [--reps 3] [--rtrl-budget 20] [--rtrl-steps 10] [--max-bytes 1073741824]\n"
            "             [--seed N] [--csv FILE] [--save-data DIR]\n"
            "             [--dump DIR [--dump-size NxB] [--dump-steps T]]\n"
            "  sizes: NxB = n recurrent LIF neurons, batch B (B defaults to 1)\n"
            "  rules: forward, or elig_learner_preset names (bptt, eprop, rtrl, snap1, ostl, ...);\n"
            "         NAME:pre also sets influence = pre (presynaptic traces)\n");
}

int main(int argc, char **argv)
{
    bench_opts o;
    memset(&o, 0, sizeof o);
    parse_sizes("100x1,200x1,400x1,100x16", &o);
    parse_rules("forward,bptt,eprop,rtrl", &o);
    o.T = 1000;
    o.reps = 3;
    o.rtrl_budget = 20;
    o.max_bytes = 1073741824.0;
    o.rtrl_steps = 10;
    o.seed = 1;
    o.dump_size.n = 100;
    o.dump_size.batch = 2;
    o.dump_T = 300;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else if (!v) bad = 1;
        else if (!strcmp(a, "--sizes")) bad = parse_sizes(v, &o);
        else if (!strcmp(a, "--rules")) bad = parse_rules(v, &o);
        else if (!strcmp(a, "--steps")) bad = (o.T = atoi(v)) < 1;
        else if (!strcmp(a, "--reps")) bad = (o.reps = atoi(v)) < 1;
        else if (!strcmp(a, "--rtrl-budget")) bad = !((o.rtrl_budget = atof(v)) > 0);
        else if (!strcmp(a, "--max-bytes")) bad = !((o.max_bytes = atof(v)) > 0);
        else if (!strcmp(a, "--rtrl-steps")) bad = (o.rtrl_steps = atoi(v)) < 1;
        else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--csv")) o.csv = v;
        else if (!strcmp(a, "--dump")) o.dump = v;
        else if (!strcmp(a, "--save-data")) o.save_data = v;
        else if (!strcmp(a, "--dump-size")) bad = parse_size(v, &o.dump_size);
        else if (!strcmp(a, "--dump-steps")) bad = (o.dump_T = atoi(v)) < 1;
        else bad = 1;
        if (bad) {
            fprintf(stderr, "bench: bad option %s %s\n", a, v ? v : "");
            usage();
            return 2;
        }
        i++;
    }
    if (o.dump) return dump(&o);

    printf("# elig %s, float%d; T = %d steps per run, best of %d after one warm-up run\n", ELIG_VERSION,
           (int)(8 * sizeof(elig_real)), o.T, o.reps);
    bench_row *rows = xmalloc((size_t)o.n_sizes * o.n_rules * sizeof(bench_row));
    int nrows = 0;
    double sec_per_mac = 1e-9; /* RTRL prediction before the first measurement: 1 GMAC/s */
    double t0 = now_s();
    for (int i = 0; i < o.n_sizes; i++) nrows = bench_size_cfg(&o, o.size[i], rows, nrows, &sec_per_mac);
    printf("\n");
    print_table(rows, nrows);
    printf("# total %.1f s\n", now_s() - t0);
    int rc = o.csv ? write_csv(o.csv, rows, nrows) : 0;
    free(rows);
    return rc;
}
