/* train.c -- `elig train CFG [section.key=value ...] [--out DIR] [--iterations N] [--seed N]
 * [--quiet]`: train a network on a task and write a run directory.
 *
 * Per iteration: sample a batch (x (batch, T, n_in), target (batch, T, n_out)), step the
 * learner through the T steps (inputs gathered into (batch, n_in) buffers), apply the
 * optimiser once per sequence or every update_every steps, record the readout (T, batch, n_out)
 * for the accuracy and the figure, and layer 0's spikes of sequence 0. Every buffer is
 * allocated before the loop, for the longest sequence the task can produce
 * (elig_task_max_steps): the copy task's curriculum lengthens T = elig_task_steps() as its
 * level rises, after each iteration, from the mean CE per recall step in bits.
 *
 * Task-specific parts: copy -- accuracy = fraction of recall bits whose readout argmax is
 * the target bit, a level column in metrics.csv; spike timing -- the output (last) layer's
 * spikes are recorded for the figure, and with [task] filter_target = 1 the target spike
 * train is filtered with the readout's kernel so that MSE is the van Rossum distance.
 *
 * [run] fidelity = bptt|rtrl: a shadow network created from the same config gets the
 * training network's parameters before each sequence and a learner of the exact method; it
 * steps the same inputs, and each tensor of the rule's gradient is compared with the exact
 * one (cosine, relative error, norm ratio) before the optimiser step: fidelity.csv, a panel
 * of the figure, the mean cosine per tensor in summary.txt. Costs the exact method's time.
 *
 * The run directory receives config.resolved, metrics.csv, the final weights (.npy),
 * summary.txt, figure.png and fidelity.csv (with fidelity), each written atomically.
 */
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Set by SIGINT: finish the current iteration, write the outputs, exit 1. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct {
    double loss, acc, rate, seconds;
    int level;                /* copy: the level of this iteration's sequences */
} metric_row;

enum { FID_COS = 0, FID_REL = 1, FID_RATIO = 2, FID_N = 3 };

static const char usage[] =
    "usage: elig train CFG [section.key=value ...] [--out DIR] [--iterations N] [--seed N] [--quiet]\n"
    "\n"
    "Train the network CFG describes on its task and write a run directory (default\n"
    "runs/<config name>): config.resolved, metrics.csv, the final weights as .npy files,\n"
    "summary.txt and figure.png (and fidelity.csv with [run] fidelity = bptt|rtrl).\n"
    "With [task] kind = dataset: [run] epochs over a data set's training split ([data] source),\n"
    "metrics.csv per epoch, eval.txt and confusion.csv on the test split (docs/cli.md).\n"
    "\n"
    "  section.key=value  override one config key, e.g. optim.lr=1e-3 layer0.n=50\n"
    "  --out DIR          run directory ([run] out)\n"
    "  --iterations N     number of iterations ([run] iterations)\n"
    "  --seed N           [run] seed; also re-derives the task, net and learner seeds\n"
    "  --quiet, -q        no progress and no summary on the terminal\n";

static int write_metrics(const char *dir, const metric_row *m, int n, int has_acc, int has_level)
{
    char path[CLI_PATH], tmp[CLI_PATH + 8];
    int rc = cli_join(path, sizeof path, dir, "metrics.csv");
    if (rc) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    fprintf(f, "iteration,loss,accuracy,rate_hz,seconds%s\n", has_level ? ",level" : "");
    for (int i = 0; i < n; i++) {
        fprintf(f, "%d,%.9g,", i + 1, m[i].loss);
        if (has_acc) fprintf(f, "%.6g", m[i].acc);
        fprintf(f, ",%.6g,%.3f", m[i].rate, m[i].seconds);
        if (has_level) fprintf(f, ",%d", m[i].level);
        fputc('\n', f);
    }
    return cli_atomic_close(f, tmp, path);
}

/* fidelity.csv: iteration, tensor, cosine, rel_err, norm_ratio; fid (n, nt, FID_N). */
static int write_fidelity(const char *dir, const double *fid, int n, const cli_tensor *ts, int nt)
{
    char path[CLI_PATH], tmp[CLI_PATH + 8];
    int rc = cli_join(path, sizeof path, dir, "fidelity.csv");
    if (rc) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    fprintf(f, "iteration,tensor,cosine,rel_err,norm_ratio\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < nt; k++) {
            const double *v = fid + ((size_t)i * nt + k) * FID_N;
            fprintf(f, "%d,%s,%.9g,%.9g,%.9g\n", i + 1, ts[k].name, v[FID_COS], v[FID_REL], v[FID_RATIO]);
        }
    return cli_atomic_close(f, tmp, path);
}

static int write_resolved(const cli_config *c)
{
    char path[CLI_PATH], tmp[CLI_PATH + 8];
    int rc = cli_join(path, sizeof path, c->out, "config.resolved");
    if (rc) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    cli_config_write(c, f);
    return cli_atomic_close(f, tmp, path);
}

typedef struct {
    int n;                    /* iterations done */
    double first, last, min, wall, steps_per_s, acc, rate;
    int argmin, has_acc, T, batch;
    const char *acc_what;     /* what the accuracy counts */
    /* copy */
    int copy, level, level_it, max_level;
    double acc_first, acc_tail;   /* first iteration's; mean of the last n_tail iterations */
    int n_tail;
    /* spike timing: sequence 0 of the last iteration */
    int spike_timing;
    long out_spikes, target_spikes;
    /* fidelity: mean over the iterations where it is defined, per tensor */
    const char *fid_method;
    int n_fid;
    const cli_tensor *fid_t;
    double fid_cos[CLI_MAX_TENSORS], fid_rel[CLI_MAX_TENSORS], fid_ratio[CLI_MAX_TENSORS];
} summary;

static void print_summary(FILE *f, const cli_config *c, const summary *s, const char *fig, const char *met)
{
    char red[64], acc[128];
    if (s->last > 0 && isfinite(s->first) && isfinite(s->last)) snprintf(red, sizeof red, "%.3gx (first / last)", s->first / s->last);
    else snprintf(red, sizeof red, "n/a");
    if (s->has_acc) snprintf(acc, sizeof acc, "%.4g (last iteration, %d sequences%s%s)", s->acc, s->batch, s->acc_what ? ", " : "", s->acc_what ? s->acc_what : "");
    else snprintf(acc, sizeof acc, "n/a (regression)");
    fprintf(f, "run:             %s\n", c->name);
    fprintf(f, "directory:       %s\n", c->out);
    fprintf(f, "rule:            %s\n", c->rule_name);
    fprintf(f, "iterations:      %d of %d\n", s->n, c->iterations);
    fprintf(f, "loss_first:      %.6g\n", s->first);
    fprintf(f, "loss_last:       %.6g\n", s->last);
    fprintf(f, "loss_min:        %.6g (iteration %d)\n", s->min, s->argmin);
    fprintf(f, "loss_reduction:  %s\n", red);
    fprintf(f, "accuracy:        %s\n", acc);
    if (s->has_acc) {
        fprintf(f, "accuracy_first:  %.4g\n", s->acc_first);
        fprintf(f, "accuracy_tail:   %.4g (mean of the last %d iterations)\n", s->acc_tail, s->n_tail);
    }
    if (s->copy) fprintf(f, "level:           %d of %d (reached at iteration %d)\n", s->level, s->max_level, s->level_it);
    if (s->spike_timing)
        fprintf(f, "output_spikes:   %ld (target %ld; output layer, sequence 0, last iteration)\n", s->out_spikes, s->target_spikes);
    fprintf(f, "rate_hz:         %.4g (layer 0, last iteration)\n", s->rate);
    fprintf(f, "wall_time_s:     %.2f (training loop%s)\n", s->wall, s->fid_method ? ", with the fidelity meter" : "");
    if (s->copy) fprintf(f, "steps_per_s:     %.0f (time steps of a batch of %d, %d per sequence at the last level)\n", s->steps_per_s, s->batch, s->T);
    else fprintf(f, "steps_per_s:     %.0f (time steps of a batch of %d, %d per sequence)\n", s->steps_per_s, s->batch, s->T);
    if (s->fid_method) {
        fprintf(f, "fidelity:        %s gradient vs exact %s, mean over iterations per tensor (cosine, rel_err, norm_ratio):\n", c->rule_name,
                s->fid_method);
        for (int k = 0; k < s->n_fid; k++) {
            if (isnan(s->fid_cos[k])) fprintf(f, "  %-8s cosine n/a (zero gradient)\n", s->fid_t[k].name);
            else fprintf(f, "  %-8s cosine %.4f  rel_err %.3g  norm_ratio %.3g\n", s->fid_t[k].name, s->fid_cos[k], s->fid_rel[k], s->fid_ratio[k]);
        }
    }
    if (fig) fprintf(f, "figure:          %s\n", fig);
    if (met) fprintf(f, "metrics:         %s\n", met);
}

static int write_summary(const cli_config *c, const summary *s, const char *fig, const char *met)
{
    char path[CLI_PATH], tmp[CLI_PATH + 8];
    int rc = cli_join(path, sizeof path, c->out, "summary.txt");
    if (rc) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    print_summary(f, c, s, fig, met);
    return cli_atomic_close(f, tmp, path);
}

/* Everything a run owns, freed in one place. */
typedef struct {
    cli_config *cfg;
    elig_task *task;
    elig_net *net, *snet;     /* snet, SL: the fidelity meter's shadow */
    elig_learner *L, *SL;
    elig_optim *opt;
    elig_real *x, *tgt, *xt, *yt, *yrec, *zrec, *zout, *traw;
    int32_t *labels;
    metric_row *m;
    double *fid;              /* (iterations, n_tensors, FID_N) */
} run_state;

static void run_free(run_state *r)
{
    elig_optim_free(r->opt);
    elig_learner_free(r->L);
    elig_learner_free(r->SL);
    elig_net_free(r->net);
    elig_net_free(r->snet);
    elig_task_free(r->task);
    free(r->x);
    free(r->tgt);
    free(r->xt);
    free(r->yt);
    free(r->yrec);
    free(r->zrec);
    free(r->zout);
    free(r->traw);
    free(r->labels);
    free(r->m);
    free(r->fid);
    cli_config_free(r->cfg);
}

static int parse_args(int argc, char **argv, run_state *r, int *quiet)
{
    const char *cfg_path = NULL, *val;
    char origin[CLI_PATH + 32];
    int rc, reseed = 0, o;
    *quiet = 0;
    r->cfg = cli_config_new();
    if (!r->cfg) return cli_fail(CLI_ERUN, "out of memory");
    /* The config file first, so that overrides (in command-line order) follow it. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--iterations") || !strcmp(argv[i], "--seed")) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' || cli_is_override(argv[i])) continue;
        if (cfg_path) return cli_fail(CLI_EUSAGE, "train: unexpected argument '%s' (one config file; overrides are section.key=value)", argv[i]);
        cfg_path = argv[i];
    }
    if (!cfg_path) return cli_fail(CLI_EUSAGE, "train: missing config file\n%s", usage);
    if ((rc = cli_config_read_file(r->cfg, cfg_path))) return rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((o = cli_opt(argc, argv, &i, "--out", &val))) {
            if (o < 0) return CLI_EUSAGE;
            snprintf(origin, sizeof origin, "--out '%s'", val);
            if ((rc = cli_config_set(r->cfg, "run", "out", val, origin))) return rc;
        } else if ((o = cli_opt(argc, argv, &i, "--iterations", &val))) {
            if (o < 0) return CLI_EUSAGE;
            snprintf(origin, sizeof origin, "--iterations '%s'", val);
            if ((rc = cli_config_set(r->cfg, "run", "iterations", val, origin))) return rc;
        } else if ((o = cli_opt(argc, argv, &i, "--seed", &val))) {
            if (o < 0) return CLI_EUSAGE;
            snprintf(origin, sizeof origin, "--seed '%s'", val);
            if ((rc = cli_config_set(r->cfg, "run", "seed", val, origin))) return rc;
            reseed = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            *quiet = 1;
        } else if (cli_is_override(a)) {
            if ((rc = cli_config_override(r->cfg, a, "override"))) return rc;
        } else if (a[0] == '-') {
            return cli_fail(CLI_EUSAGE, "train: unknown option '%s'\n%s", a, usage);
        }
    }
    return cli_config_resolve(r->cfg, reseed);
}

/* Filter each target channel of tgt (B, T, n_out) in place with the readout's kernel, the
 * way elig_net_step filters W_out z: y1 <- kappa y1 + s1 x, then (tau_out2 > 0)
 * y2 <- kappa2 y2 + s2 y1, s = 1 - kappa with out_leak_scale, else 1. With W_out = I, the
 * MSE of the filtered trains is then the van Rossum distance (SuperSpike). O(B T n_out). */
static void filter_target(elig_real *tgt, int B, int T, int n_out, const elig_net_cfg *nc)
{
    const elig_real k1 = nc->tau_out > 0 ? (elig_real)exp(-nc->dt / nc->tau_out) : 0, s1 = nc->out_leak_scale ? 1 - k1 : 1;
    const int two = nc->tau_out2 > 0;
    const elig_real k2 = two ? (elig_real)exp(-nc->dt / nc->tau_out2) : 0, s2 = nc->out_leak_scale ? 1 - k2 : 1;
    for (int b = 0; b < B; b++)
        for (int k = 0; k < n_out; k++) {
            elig_real y1 = 0, y2 = 0, *p = tgt + (size_t)b * T * n_out + k;
            for (int t = 0; t < T; t++, p += n_out) {
                y1 = k1 * y1 + s1 * *p;
                y2 = k2 * y2 + s2 * y1;
                *p = two ? y2 : y1;
            }
        }
}

/* Copy task: over every sequence and every step whose target is one-hot (the recall steps),
 * *right counts argmax y == the target class, *n the steps, and *bits sums -log2 softmax(y)
 * of the target class. y (T, B, n_out), tgt (B, T, n_out). */
static void copy_stats(const elig_real *y, const elig_real *tgt, int B, int T, int n_out, long *right, long *n, double *bits)
{
    *right = *n = 0;
    *bits = 0;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const elig_real *tg = tgt + ((size_t)b * T + t) * n_out, *yt = y + ((size_t)t * B + b) * n_out;
            int cls = -1, pred = 0;
            double m = yt[0], z = 0;
            for (int k = 0; k < n_out; k++) {
                if (tg[k] > 0) cls = k;
                if (yt[k] > yt[pred]) pred = k;
                m = fmax(m, yt[k]);
            }
            if (cls < 0) continue;
            for (int k = 0; k < n_out; k++) z += exp((double)yt[k] - m);
            *bits += (log(z) + m - yt[cls]) / log(2.0);
            *right += pred == cls;
            (*n)++;
        }
}

/* The fidelity meter's shadow: a network from the same config and a learner of the exact
 * method (the config's [learner] with that preset applied). RTRL above 2 GiB is refused
 * unless [learner] mem_limit says otherwise, as in `elig grad`. */
static int make_shadow(run_state *r)
{
    cli_config *c = r->cfg;
    const char *method = c->fidelity == CLI_FIDELITY_RTRL ? "rtrl" : "bptt";
    int rc;
    if ((rc = cli_make_net(c, &r->snet))) return rc;
    if (c->fidelity == CLI_FIDELITY_RTRL && !c->learner.mem_limit) {
        elig_learner_cfg lc = c->learner;
        size_t bytes = cli_apply_rule(method, &lc) ? 0 : elig_learner_bytes(r->snet, &lc);
        if (bytes > ((size_t)2 << 30))
            return cli_fail(CLI_EUSAGE, "[run] fidelity = rtrl needs %.2f GiB for the exact learner (above 2 GiB; use fidelity = bptt, or set [learner] mem_limit to force it)",
                            (double)bytes / (1u << 30));
    }
    return cli_make_learner(c, r->snet, method, &r->SL);
}

static int train(run_state *r, int quiet)
{
    cli_config *c = r->cfg;
    int rc;
    if ((rc = cli_make_task(c, &r->task))) return rc;
    if ((rc = cli_make_net(c, &r->net))) return rc;
    if ((rc = cli_make_learner(c, r->net, NULL, &r->L))) return rc;
    if ((rc = cli_make_optim(c, r->net, &r->opt))) return rc;
    if (c->update_every > 0 && !elig_rule_is_online(c->learner.rule))
        return cli_fail(CLI_EUSAGE, "[run] update_every = %d needs an online rule, but [learner] rule = %s is offline",
                        c->update_every, c->rule_name);
    const int fid_on = c->fidelity != CLI_FIDELITY_NONE;
    if (fid_on && (rc = make_shadow(r))) return rc;
    if ((rc = cli_mkdirs(c->out))) return rc;
    if ((rc = write_resolved(c))) return rc;

    const int Tmax = elig_task_max_steps(r->task), B = c->net.batch, n_in = c->net.n_in, n_out = c->net.n_out;
    const int n0 = c->net.layer[0].n, nL = c->net.layer[c->net.n_layers - 1].n, last = c->net.n_layers - 1;
    const int cls = elig_task_is_classification(r->task), iters = c->iterations;
    const int copy = c->task.kind == ELIG_TASK_COPY, st_task = c->task.kind == ELIG_TASK_SPIKE_TIMING, has_acc = cls || copy;
    const int per_step = elig_loss_is_per_step(c->learner.loss.loss), ue = c->update_every;
    /* The curriculum's bits per recall step: loss / (L ln 2) for the task's loss (per-step CE
     * summed over the whole sequence); for any other [loss], the CE of the recorded readout. */
    const int copy_loss_default = copy && c->learner.loss.loss == &elig_loss_ce && c->learner.loss.time_norm == ELIG_TIME_SUM &&
                                  c->learner.loss.win_begin == 0 && c->learner.loss.win_end == 0;
    cli_tensor ts[CLI_MAX_TENSORS];
    const int nt = cli_tensors(r->net, ts);
    const size_t np = elig_net_n_params(r->net);
    r->x = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)Tmax, (size_t)n_in);
    r->tgt = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)Tmax, (size_t)n_out);
    r->xt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_in);
    r->yt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_out);
    r->yrec = cli_array(sizeof(elig_real), 3, (size_t)Tmax, (size_t)B, (size_t)n_out);
    r->zrec = cli_array(sizeof(elig_real), 2, (size_t)Tmax, (size_t)n0);
    r->labels = cli_array(sizeof(int32_t), 1, (size_t)B);
    r->m = cli_array(sizeof(metric_row), 1, (size_t)iters);
    int ok = r->x && r->tgt && r->xt && r->yt && r->yrec && r->zrec && r->labels && r->m;
    if (ok && st_task) {
        r->zout = cli_array(sizeof(elig_real), 2, (size_t)Tmax, (size_t)nL);
        r->traw = cli_array(sizeof(elig_real), 2, (size_t)Tmax, (size_t)n_out);
        ok = r->zout && r->traw;
    }
    if (ok && fid_on) ok = (r->fid = cli_array(sizeof(double), 3, (size_t)iters, (size_t)nt, (size_t)FID_N)) != NULL;
    if (!ok) return cli_fail(CLI_ERUN, "out of memory for the batch buffers (batch %d, %d steps, %d inputs)", B, Tmax, n_in);

    elig_net *net = r->net;
    elig_learner *L = r->L, *SL = r->SL;
    elig_real *P = elig_net_params(net);
    cli_progress prog;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    interrupted = 0;

    summary s = {0};
    s.has_acc = has_acc;
    s.acc_what = copy ? "fraction of recall bits" : NULL;
    s.copy = copy;
    s.spike_timing = st_task;
    s.batch = B;
    s.min = INFINITY;
    const char *stop = NULL;
    int T = elig_task_steps(r->task);
    cli_progress_init(&prog, iters, c->log_every, quiet, has_acc);
    const double t0 = cli_now();
    long steps_done = 0;
    for (int it = 0; it < iters && !interrupted; it++) {
        T = elig_task_steps(r->task);
        const int level = copy ? elig_task_level(r->task) : 0;
        int st = elig_task_sample(r->task, B, r->x, r->tgt, cls ? r->labels : NULL);
        if (st != ELIG_OK) {
            rc = cli_lib_fail(st, "elig_task_sample");
            break;
        }
        if (st_task) {
            memcpy(r->traw, r->tgt, (size_t)T * n_out * sizeof(elig_real)); /* sequence 0, raw train */
            if (c->filter_target) filter_target(r->tgt, B, T, n_out, &c->net);
        }
        if (fid_on) {
            memcpy(elig_net_params(r->snet), P, np * sizeof(elig_real));
            if ((st = elig_learner_begin(SL, T)) != ELIG_OK) {
                rc = cli_lib_fail(st, "elig_learner_begin (fidelity)");
                break;
            }
        }
        if ((st = elig_learner_begin(L, T)) != ELIG_OK) {
            rc = cli_lib_fail(st, "elig_learner_begin");
            break;
        }
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                memcpy(r->xt + (size_t)b * n_in, r->x + ((size_t)b * T + t) * n_in, (size_t)n_in * sizeof(elig_real));
                memcpy(r->yt + (size_t)b * n_out, r->tgt + ((size_t)b * T + t) * n_out, (size_t)n_out * sizeof(elig_real));
            }
            elig_learner_step(L, r->xt, r->yt, NULL);
            if (fid_on) elig_learner_step(SL, r->xt, r->yt, NULL);
            memcpy(r->yrec + (size_t)t * B * n_out, elig_net_output(net), (size_t)B * n_out * sizeof(elig_real));
            memcpy(r->zrec + (size_t)t * n0, elig_net_spikes(net, 0), (size_t)n0 * sizeof(elig_real));
            if (st_task) memcpy(r->zout + (size_t)t * nL, elig_net_spikes(net, last), (size_t)nL * sizeof(elig_real));
            if (ue > 0 && (t + 1) % ue == 0) {
                elig_optim_step(r->opt, P, elig_learner_grad(L));
                elig_learner_after_update(L);
                elig_learner_zero_grad(L);
            }
        }
        double loss, sloss;
        if ((st = elig_learner_end(L, &loss)) != ELIG_OK) {
            rc = cli_lib_fail(st, "elig_learner_end");
            break;
        }
        steps_done += T;
        if (fid_on) {
            if ((st = elig_learner_end(SL, &sloss)) != ELIG_OK) {
                rc = cli_lib_fail(st, "elig_learner_end (fidelity)");
                break;
            }
            /* Before the optimiser step: clip_norm may rescale the gradient in place. */
            const elig_real *G = elig_learner_grad(L), *GX = elig_learner_grad(SL);
            for (int k = 0; k < nt; k++) {
                double *v = r->fid + ((size_t)it * nt + k) * FID_N;
                cli_compare_grad(GX + ts[k].off, G + ts[k].off, (size_t)ts[k].rows * ts[k].cols, &v[FID_REL], &v[FID_COS], &v[FID_RATIO]);
            }
        }
        /* Once per sequence; with update_every, whatever arrived after the last update (the
         * tail of the sequence, or the error of a loss that is only known at the end). */
        if (ue == 0 || T % ue != 0 || !per_step) {
            elig_optim_step(r->opt, P, elig_learner_grad(L));
            elig_learner_after_update(L);
        }
        metric_row *m = &r->m[it];
        m->loss = loss;
        m->acc = NAN;
        m->level = level;
        if (cls) {
            int n_ok = elig_count_correct(r->yrec, r->labels, T, B, n_out, c->learner.loss.win_begin, c->learner.loss.win_end);
            if (n_ok < 0) {
                rc = cli_lib_fail(n_ok, "elig_count_correct");
                break;
            }
            m->acc = (double)n_ok / B;
        }
        if (copy) {
            long right, n_rec;
            double bits;
            copy_stats(r->yrec, r->tgt, B, T, n_out, &right, &n_rec, &bits);
            m->acc = n_rec ? (double)right / n_rec : NAN;
            bits = copy_loss_default ? loss / (level * log(2.0)) : (n_rec ? bits / n_rec : NAN);
            if (isfinite(bits) && bits >= 0 && elig_task_curriculum(r->task, bits) == 1) {
                s.level_it = it + 2; /* the next iteration is the first at the new level */
            }
        }
        m->rate = elig_learner_rate_hz(L, 0);
        m->seconds = cli_now() - t0;
        s.n = it + 1;
        if (loss < s.min) s.min = loss, s.argmin = it + 1;
        prog.level = level;
        cli_progress_update(&prog, it + 1, loss, m->acc, m->rate);
        if (!isfinite(loss)) {
            stop = "diverged";
            break;
        }
        if (c->save_every > 0 && (it + 1) % c->save_every == 0 && it + 1 < iters) {
            if ((rc = cli_save_tensors(c->out, "", net, NULL, L))) break;
            if ((rc = write_metrics(c->out, r->m, s.n, has_acc, copy))) break;
            if (fid_on && (rc = write_fidelity(c->out, r->fid, s.n, ts, nt))) break;
        }
    }
    cli_progress_done(&prog);
    sigaction(SIGINT, &old, NULL);
    if (rc) return rc;
    if (s.n == 0) return cli_fail(CLI_ERUN, "interrupted before the first iteration finished; nothing written but config.resolved");
    if (interrupted && s.n < iters) stop = "interrupted";

    /* T is the length of the last iteration's sequences (what yrec, zrec hold). */
    int wb, we;
    cli_loss_window(&c->learner.loss, T, &wb, &we);
    s.T = T;
    s.wall = cli_now() - t0;
    s.first = r->m[0].loss;
    s.last = r->m[s.n - 1].loss;
    s.acc = r->m[s.n - 1].acc;
    s.acc_first = r->m[0].acc;
    s.n_tail = s.n < 10 ? s.n : 10;
    for (int i = s.n - s.n_tail; i < s.n; i++) s.acc_tail += r->m[i].acc / s.n_tail;
    s.rate = r->m[s.n - 1].rate;
    s.steps_per_s = s.wall > 0 ? (double)steps_done / s.wall : 0;
    if (copy) {
        s.level = r->m[s.n - 1].level;
        s.max_level = c->task.cp_max_level;
        if (s.level_it == 0 || s.level_it > s.n) { /* never rose (or only after the last iteration) */
            s.level_it = 1;
            for (int i = 0; i < s.n; i++)
                if (r->m[i].level == s.level) {
                    s.level_it = i + 1;
                    break;
                }
        }
    }
    if (st_task)
        for (int t = 0; t < T; t++) {
            for (int k = 0; k < nL; k++) s.out_spikes += r->zout[(size_t)t * nL + k] != 0;
            for (int k = 0; k < n_out; k++) s.target_spikes += r->traw[(size_t)t * n_out + k] != 0;
        }
    double *fcos = NULL;
    if (fid_on) {
        s.fid_method = c->fidelity == CLI_FIDELITY_RTRL ? "rtrl" : "bptt";
        s.n_fid = nt;
        s.fid_t = ts;
        fcos = cli_array(sizeof(double), 2, (size_t)s.n, (size_t)nt);
        if (!fcos) return cli_fail(CLI_ERUN, "out of memory summarising the fidelity");
        for (int k = 0; k < nt; k++) {
            double sc = 0, sr = 0, sq = 0;
            int n = 0;
            for (int i = 0; i < s.n; i++) {
                const double *v = r->fid + ((size_t)i * nt + k) * FID_N;
                fcos[(size_t)i * nt + k] = v[FID_COS];
                if (!isfinite(v[FID_COS])) continue;
                sc += v[FID_COS], sr += v[FID_REL], sq += v[FID_RATIO], n++;
            }
            s.fid_cos[k] = n ? sc / n : NAN;
            s.fid_rel[k] = n ? sr / n : NAN;
            s.fid_ratio[k] = n ? sq / n : NAN;
        }
    }

    char fig[CLI_PATH], met[CLI_PATH];
    if ((rc = cli_join(fig, sizeof fig, c->out, "figure.png")) || (rc = cli_join(met, sizeof met, c->out, "metrics.csv"))) goto out;
    if ((rc = write_metrics(c->out, r->m, s.n, has_acc, copy))) goto out;
    if (fid_on && (rc = write_fidelity(c->out, r->fid, s.n, ts, nt))) goto out;
    if ((rc = cli_save_tensors(c->out, "", net, NULL, L))) goto out;
    if ((rc = write_summary(c, &s, fig, met))) goto out;
    double *losses = cli_array(sizeof(double), 1, (size_t)s.n), *accs = cli_array(sizeof(double), 1, (size_t)s.n);
    int *levels = cli_array(sizeof(int), 1, (size_t)s.n);
    char (*fid_names)[16] = cli_array(16, 1, (size_t)nt);
    if (!losses || !accs || !levels || !fid_names) {
        free(losses), free(accs), free(levels), free(fid_names);
        rc = cli_fail(CLI_ERUN, "out of memory drawing the figure");
        goto out;
    }
    for (int i = 0; i < s.n; i++) losses[i] = r->m[i].loss, accs[i] = r->m[i].acc, levels[i] = r->m[i].level;
    for (int k = 0; k < nt; k++) memcpy(fid_names[k], ts[k].name, 16);
    cli_figure f = {.path = fig, .title = c->name, .n_iter = s.n, .loss = losses, .T = T, .dt = c->net.dt,
                    .n_out = n_out, .y = r->yrec, .y_stride = (size_t)B * n_out, .target = r->tgt,
                    .classification = cls, .label = cls ? r->labels[0] : -1, .win_begin = wb, .win_end = we,
                    .n_neurons = n0, .spiking = elig_neuron_is_spiking(c->net.layer[0].model), .spikes = r->zrec,
                    .layer0_panel = !(st_task && last == 0),
                    .copy = copy, .level = copy ? levels : NULL, .acc = copy ? accs : NULL,
                    .n_outl = st_task ? nL : 0, .out_spikes = r->zout, .target_spikes = r->traw,
                    .n_fid = fid_on ? nt : 0, .fid_names = (const char(*)[16])fid_names, .fid_cos = fcos,
                    .fid_method = s.fid_method, .rule = c->rule_name};
    rc = cli_plot_figure(&f);
    free(losses), free(accs), free(levels), free(fid_names);
    if (rc) goto out;
    if (!quiet) print_summary(stdout, c, &s, fig, met);
    if (stop && !strcmp(stop, "diverged"))
        rc = cli_fail(CLI_ERUN, "loss is not finite at iteration %d (diverged; try a smaller [optim] lr); outputs written to %s", s.n, c->out);
    else if (stop)
        rc = cli_fail(CLI_ERUN, "interrupted after %d of %d iterations; outputs written to %s", s.n, iters, c->out);
out:
    free(fcos);
    return rc;
}

int cli_cmd_train(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return CLI_OK;
        }
    run_state r;
    memset(&r, 0, sizeof r);
    int quiet, rc = parse_args(argc, argv, &r, &quiet);
    if (!rc) rc = r.cfg->task.kind == CLI_TASK_DATASET ? cli_train_dataset(r.cfg, quiet) : train(&r, quiet);
    run_free(&r);
    return rc;
}
