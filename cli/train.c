/* train.c -- `elig train CFG [section.key=value ...] [--out DIR] [--iterations N] [--seed N]
 * [--quiet]`: train a network on a task and write a run directory.
 *
 * Per iteration: sample a batch (x (batch, T, n_in), target (batch, T, n_out)), step the
 * learner through the T steps (inputs gathered into (batch, n_in) buffers), apply the
 * optimiser once per sequence or every update_every steps, record the readout (T, batch, n_out)
 * for the accuracy and the figure, and layer 0's spikes of sequence 0. Every buffer is
 * allocated before the loop. The run directory receives config.resolved, metrics.csv, the
 * final weights (.npy), summary.txt and figure.png, each written atomically.
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
} metric_row;

static const char usage[] =
    "usage: elig train CFG [section.key=value ...] [--out DIR] [--iterations N] [--seed N] [--quiet]\n"
    "\n"
    "Train the network CFG describes on its task and write a run directory (default\n"
    "runs/<config name>): config.resolved, metrics.csv, the final weights as .npy files,\n"
    "summary.txt and figure.png.\n"
    "\n"
    "  section.key=value  override one config key, e.g. optim.lr=1e-3 layer0.n=50\n"
    "  --out DIR          run directory ([run] out)\n"
    "  --iterations N     number of iterations ([run] iterations)\n"
    "  --seed N           [run] seed; also re-derives the task, net and learner seeds\n"
    "  --quiet, -q        no progress and no summary on the terminal\n";

static int write_metrics(const char *dir, const metric_row *m, int n, int classification)
{
    char path[CLI_PATH], tmp[CLI_PATH + 8];
    int rc = cli_join(path, sizeof path, dir, "metrics.csv");
    if (rc) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    fprintf(f, "iteration,loss,accuracy,rate_hz,seconds\n");
    for (int i = 0; i < n; i++) {
        fprintf(f, "%d,%.9g,", i + 1, m[i].loss);
        if (classification) fprintf(f, "%.6g", m[i].acc);
        fprintf(f, ",%.6g,%.3f\n", m[i].rate, m[i].seconds);
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
    int argmin, classification, T, batch;
} summary;

static void print_summary(FILE *f, const cli_config *c, const summary *s, const char *fig, const char *met)
{
    char red[64], acc[64];
    if (s->last > 0 && isfinite(s->first) && isfinite(s->last)) snprintf(red, sizeof red, "%.3gx (first / last)", s->first / s->last);
    else snprintf(red, sizeof red, "n/a");
    if (s->classification) snprintf(acc, sizeof acc, "%.4g (last iteration, %d sequences)", s->acc, s->batch);
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
    fprintf(f, "rate_hz:         %.4g (layer 0, last iteration)\n", s->rate);
    fprintf(f, "wall_time_s:     %.2f (training loop)\n", s->wall);
    fprintf(f, "steps_per_s:     %.0f (time steps of a batch of %d, %d per sequence)\n", s->steps_per_s, s->batch, s->T);
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
    elig_net *net;
    elig_learner *L;
    elig_optim *opt;
    elig_real *x, *tgt, *xt, *yt, *yrec, *zrec;
    int32_t *labels;
    metric_row *m;
} run_state;

static void run_free(run_state *r)
{
    elig_optim_free(r->opt);
    elig_learner_free(r->L);
    elig_net_free(r->net);
    elig_task_free(r->task);
    free(r->x);
    free(r->tgt);
    free(r->xt);
    free(r->yt);
    free(r->yrec);
    free(r->zrec);
    free(r->labels);
    free(r->m);
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
    if ((rc = cli_mkdirs(c->out))) return rc;
    if ((rc = write_resolved(c))) return rc;

    const int T = elig_task_steps(r->task), B = c->net.batch, n_in = c->net.n_in, n_out = c->net.n_out;
    const int n0 = c->net.layer[0].n, cls = elig_task_is_classification(r->task), iters = c->iterations;
    const int per_step = elig_loss_is_per_step(c->learner.loss.loss), ue = c->update_every;
    int wb, we;
    cli_loss_window(&c->learner.loss, T, &wb, &we);
    r->x = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, (size_t)n_in);
    r->tgt = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, (size_t)n_out);
    r->xt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_in);
    r->yt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_out);
    r->yrec = cli_array(sizeof(elig_real), 3, (size_t)T, (size_t)B, (size_t)n_out);
    r->zrec = cli_array(sizeof(elig_real), 2, (size_t)T, (size_t)n0);
    r->labels = cli_array(sizeof(int32_t), 1, (size_t)B);
    r->m = cli_array(sizeof(metric_row), 1, (size_t)iters);
    if (!r->x || !r->tgt || !r->xt || !r->yt || !r->yrec || !r->zrec || !r->labels || !r->m)
        return cli_fail(CLI_ERUN, "out of memory for the batch buffers (batch %d, %d steps, %d inputs)", B, T, n_in);

    elig_net *net = r->net;
    elig_learner *L = r->L;
    elig_real *P = elig_net_params(net);
    cli_progress prog;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    interrupted = 0;

    summary s = {0};
    s.classification = cls;
    s.T = T;
    s.batch = B;
    s.min = INFINITY;
    const char *stop = NULL;
    cli_progress_init(&prog, iters, c->log_every, quiet, cls);
    const double t0 = cli_now();
    for (int it = 0; it < iters && !interrupted; it++) {
        int st = elig_task_sample(r->task, B, r->x, r->tgt, cls ? r->labels : NULL);
        if (st != ELIG_OK) {
            rc = cli_lib_fail(st, "elig_task_sample");
            break;
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
            memcpy(r->yrec + (size_t)t * B * n_out, elig_net_output(net), (size_t)B * n_out * sizeof(elig_real));
            memcpy(r->zrec + (size_t)t * n0, elig_net_spikes(net, 0), (size_t)n0 * sizeof(elig_real));
            if (ue > 0 && (t + 1) % ue == 0) {
                elig_optim_step(r->opt, P, elig_learner_grad(L));
                elig_learner_after_update(L);
                elig_learner_zero_grad(L);
            }
        }
        double loss;
        if ((st = elig_learner_end(L, &loss)) != ELIG_OK) {
            rc = cli_lib_fail(st, "elig_learner_end");
            break;
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
        if (cls) {
            int ok = elig_count_correct(r->yrec, r->labels, T, B, n_out, c->learner.loss.win_begin, c->learner.loss.win_end);
            if (ok < 0) {
                rc = cli_lib_fail(ok, "elig_count_correct");
                break;
            }
            m->acc = (double)ok / B;
        }
        m->rate = elig_learner_rate_hz(L, 0);
        m->seconds = cli_now() - t0;
        s.n = it + 1;
        if (loss < s.min) s.min = loss, s.argmin = it + 1;
        cli_progress_update(&prog, it + 1, loss, m->acc, m->rate);
        if (!isfinite(loss)) {
            stop = "diverged";
            break;
        }
        if (c->save_every > 0 && (it + 1) % c->save_every == 0 && it + 1 < iters) {
            if ((rc = cli_save_tensors(c->out, "", net, NULL, L))) break;
            if ((rc = write_metrics(c->out, r->m, s.n, cls))) break;
        }
    }
    cli_progress_done(&prog);
    sigaction(SIGINT, &old, NULL);
    if (rc) return rc;
    if (s.n == 0) return cli_fail(CLI_ERUN, "interrupted before the first iteration finished; nothing written but config.resolved");
    if (interrupted && s.n < iters) stop = "interrupted";

    s.wall = cli_now() - t0;
    s.first = r->m[0].loss;
    s.last = r->m[s.n - 1].loss;
    s.acc = r->m[s.n - 1].acc;
    s.rate = r->m[s.n - 1].rate;
    s.steps_per_s = s.wall > 0 ? (double)s.n * T / s.wall : 0;

    char fig[CLI_PATH], met[CLI_PATH];
    if ((rc = cli_join(fig, sizeof fig, c->out, "figure.png")) || (rc = cli_join(met, sizeof met, c->out, "metrics.csv"))) return rc;
    if ((rc = write_metrics(c->out, r->m, s.n, cls))) return rc;
    if ((rc = cli_save_tensors(c->out, "", net, NULL, L))) return rc;
    if ((rc = write_summary(c, &s, fig, met))) return rc;
    double *losses = cli_array(sizeof(double), 1, (size_t)s.n);
    if (!losses) return cli_fail(CLI_ERUN, "out of memory drawing the figure");
    for (int i = 0; i < s.n; i++) losses[i] = r->m[i].loss;
    cli_figure f = {.path = fig, .title = c->name, .n_iter = s.n, .loss = losses, .T = T, .dt = c->net.dt,
                    .n_out = n_out, .y = r->yrec, .y_stride = (size_t)B * n_out, .target = r->tgt,
                    .classification = cls, .label = cls ? r->labels[0] : -1, .win_begin = wb, .win_end = we,
                    .n_neurons = n0, .spiking = elig_neuron_is_spiking(c->net.layer[0].model), .spikes = r->zrec};
    rc = cli_plot_figure(&f);
    free(losses);
    if (rc) return rc;
    if (!quiet) print_summary(stdout, c, &s, fig, met);
    if (stop && !strcmp(stop, "diverged"))
        return cli_fail(CLI_ERUN, "loss is not finite at iteration %d (diverged; try a smaller [optim] lr); outputs written to %s", s.n, c->out);
    if (stop) return cli_fail(CLI_ERUN, "interrupted after %d of %d iterations; outputs written to %s", s.n, iters, c->out);
    return CLI_OK;
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
    if (!rc) rc = train(&r, quiet);
    run_free(&r);
    return rc;
}
