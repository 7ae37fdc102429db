/* classify.c -- `elig train` for [task] kind = dataset: classification in epochs.
 *
 * Each epoch visits the training split once in shuffled mini-batches of [net] batch (a
 * seeded RNG, reshuffled every epoch; the last incomplete batch is dropped), with one
 * optimiser step per batch, or, for an online rule with [run] update_every = k, one every k
 * steps inside the sequences (per-step updates: k = 1) plus one at the end for what arrived
 * after the last (the tail, or the error of a loss known only at the end). Loss (unless [loss] names one): ce_mean, the CE of the time-mean
 * readout over the whole sequence, for every rule that accepts it (bptt, rtrl); the online
 * trace rules refuse aggregated losses, so they get per-step ce over the last half of the
 * sequence (win_begin = -T/2), averaged over its steps. The prediction is the argmax of the
 * mean readout over the loss window.
 *
 * After each epoch: accuracy on the validation split (the test split when there is none);
 * early stopping after [run] patience epochs without improvement, keeping the best parameters.
 * Learning-rate schedule per epoch ([optim] schedule): none, step (lr gamma^floor(e /
 * step_every)) or cosine (lr (1 + cos(pi e / epochs)) / 2). The schedule is applied by scaling
 * the optimiser's update (exact for SGD and Adam, whose update is linear in lr).
 *
 * Run directory: config.resolved, metrics.csv (epoch, train_loss, train_acc, val_acc, lr,
 * seconds), eval.txt (test accuracy, per-class accuracy, confusion matrix), confusion.csv
 * (rows true class, columns predicted), the best weights (.npy) and figure.png (loss per
 * epoch, readout and raster of one test sample).
 */
#include "cli_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int epoch;
    double loss, train_acc, val_acc, lr, seconds;
} epoch_row;

/* Evaluate the samples idx[0..n) in batches of B: returns the number correct; conf (K, K)
 * counts (true, predicted) when given. y (T, B, K) receives the readout of the last batch. */
static long evaluate(elig_net *net, const cli_dataset *d, const int32_t *idx, int n, int B, int b0, int b1,
                     elig_real *xt, elig_real *yrec, int32_t *lab, long *conf, elig_real *zrec, int n0, int32_t *bidx, size_t *cur)
{
    const int T = d->T, K = d->n_classes;
    long right = 0;
    for (int s = 0; s < n; s += B) {
        int nb = n - s < B ? n - s : B;
        for (int b = 0; b < B; b++) bidx[b] = idx[s + (b < nb ? b : 0)];
        elig_net_reset_state(net);
        for (int t = 0; t < T; t++) {
            cli_dataset_step(d, bidx, B, t, cur, xt);
            elig_net_step(net, xt);
            memcpy(yrec + (size_t)t * B * K, elig_net_output(net), (size_t)B * K * sizeof *yrec);
            if (zrec) memcpy(zrec + (size_t)t * n0, elig_net_spikes(net, 0), (size_t)n0 * sizeof *zrec);
        }
        for (int b = 0; b < nb; b++) {
            int best = 0;
            double bv = -INFINITY;
            for (int k = 0; k < K; k++) {
                double m = 0;
                for (int t = b0; t < b1; t++) m += yrec[((size_t)t * B + b) * K + k];
                if (m > bv) {
                    bv = m;
                    best = k;
                }
            }
            lab[b] = d->labels[idx[s + b]];
            right += best == lab[b];
            if (conf) conf[(size_t)lab[b] * K + best]++;
        }
    }
    return right;
}

/* One optimiser step with the learning rate scaled by the schedule (exact for SGD and Adam,
 * whose update is linear in lr). */
static void update(elig_optim *opt, elig_learner *L, elig_real *P, elig_real *p0, size_t np, double scale)
{
    if (scale != 1) memcpy(p0, P, np * sizeof *P);
    elig_optim_step(opt, P, elig_learner_grad(L));
    if (scale != 1)
        for (size_t i = 0; i < np; i++) P[i] = p0[i] + (elig_real)(scale * (P[i] - p0[i]));
    elig_learner_after_update(L);
}

static double lr_at(const cli_config *c, int e)
{
    double lr = c->optim.lr;
    if (c->schedule == CLI_SCHED_STEP) lr *= pow(c->gamma, e / c->step_every);
    else if (c->schedule == CLI_SCHED_COSINE) lr *= 0.5 * (1 + cos(3.14159265358979323846 * e / c->epochs));
    return lr;
}

static int write_text_files(const cli_config *c, const cli_dataset *d, const epoch_row *m, int n_ep, const long *conf,
                            long right, int n_test, int best_epoch, double secs)
{
    char path[CLI_PATH + 32], tmp[CLI_PATH + 40];
    const int K = d->n_classes;
    int rc;
    if ((rc = cli_join(path, sizeof path, c->out, "metrics.csv"))) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "epoch,train_loss,train_acc,val_acc,lr,seconds\n");
    for (int i = 0; i < n_ep; i++)
        fprintf(f, "%d,%.9g,%.6f,%.6f,%.6g,%.3f\n", m[i].epoch, m[i].loss, m[i].train_acc, m[i].val_acc, m[i].lr, m[i].seconds);
    if ((rc = cli_atomic_close(f, tmp, path))) return rc;

    if ((rc = cli_join(path, sizeof path, c->out, "confusion.csv"))) return rc;
    if (!(f = cli_atomic_open(path, tmp, sizeof tmp))) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "true\\pred");
    for (int k = 0; k < K; k++) fprintf(f, ",%d", k);
    fprintf(f, "\n");
    for (int a = 0; a < K; a++) {
        fprintf(f, "%d", a);
        for (int k = 0; k < K; k++) fprintf(f, ",%ld", conf[(size_t)a * K + k]);
        fprintf(f, "\n");
    }
    if ((rc = cli_atomic_close(f, tmp, path))) return rc;

    if ((rc = cli_join(path, sizeof path, c->out, "eval.txt"))) return rc;
    if (!(f = cli_atomic_open(path, tmp, sizeof tmp))) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "test_accuracy %.6f\n", n_test ? (double)right / n_test : 0.0);
    fprintf(f, "test_correct %ld\ntest_samples %d\n", right, n_test);
    fprintf(f, "best_epoch %d\nepochs_run %d\nseconds %.3f\n", best_epoch, n_ep, secs);
    fprintf(f, "train_samples %d\nval_samples %d\nclasses %d\nsteps %d\ninputs %d\n", d->n_train, d->n_val, K, d->T, d->n_in);
    fprintf(f, "\n# per-class accuracy: class, correct, samples, accuracy\n");
    for (int a = 0; a < K; a++) {
        long tot = 0;
        for (int k = 0; k < K; k++) tot += conf[(size_t)a * K + k];
        fprintf(f, "class %d %ld %ld %.4f\n", a, conf[(size_t)a * K + a], tot, tot ? (double)conf[(size_t)a * K + a] / tot : 0.0);
    }
    fprintf(f, "\n# confusion matrix: rows true class, columns predicted\n");
    for (int a = 0; a < K; a++) {
        for (int k = 0; k < K; k++) fprintf(f, "%s%5ld", k ? " " : "", conf[(size_t)a * K + k]);
        fprintf(f, "\n");
    }
    return cli_atomic_close(f, tmp, path);
}

int cli_train_dataset(cli_config *c, int quiet)
{
    return cli_train_dataset_res(c, quiet, NULL, NULL);
}

int cli_train_dataset_res(cli_config *c, int quiet, cli_class_result *res, const cli_dataset *pre)
{
    cli_dataset d;
    elig_net *net = NULL;
    elig_learner *L = NULL;
    elig_optim *opt = NULL;
    elig_real *xt = NULL, *tgt = NULL, *yrec = NULL, *zrec = NULL, *best = NULL, *p0 = NULL;
    int32_t *order = NULL, *lab = NULL, *bidx = NULL;
    size_t *cur = NULL;
    long *conf = NULL;
    epoch_row *m = NULL;
    double *eloss = NULL, *etr = NULL, *eva = NULL;
    int rc = pre ? CLI_OK : cli_dataset_load(c, &d);
    if (pre) d = *pre; /* borrowed: not freed here */
    if (rc) goto out;
    const int B = c->net.batch, T = d.T, n_in = d.n_in, K = d.n_classes;
    if (d.n_train < B) {
        rc = cli_fail(CLI_EUSAGE, "[net] batch = %d is larger than the training split (%d samples)", B, d.n_train);
        goto out;
    }
    /* what cli_config_apply_task does for the generated tasks */
    c->net.n_in = n_in;
    c->net.n_out = K;
    c->learner.max_steps = T;
    const unsigned LOSS_GIVEN = 1; /* bit 0 of loss_set: [loss] kind given */
    const int auto_loss = !(c->loss_set & LOSS_GIVEN);
    if (auto_loss) {
        c->learner.loss.loss = &elig_loss_ce_mean;
        c->learner.loss.win_begin = 0;
        c->learner.loss.win_end = 0;
        c->learner.loss.time_norm = ELIG_TIME_MEAN;
    }
    c->task_resolved = 1;
    if ((rc = cli_make_net(c, &net))) goto out;
    if (auto_loss) {
        elig_learner_cfg probe = c->learner;
        elig_learner *tmpL = NULL;
        if (elig_learner_create(net, &probe, &tmpL) != ELIG_OK) {
            c->learner.loss.loss = &elig_loss_ce;
            c->learner.loss.win_begin = -(T / 2);
            c->learner.loss.time_norm = ELIG_TIME_MEAN;
        }
        elig_learner_free(tmpL);
    }
    if ((rc = cli_make_learner(c, net, NULL, &L))) goto out;
    if ((rc = cli_make_optim(c, net, &opt))) goto out;
    const int ue = c->update_every, per_step = elig_loss_is_per_step(c->learner.loss.loss);
    if (ue > 0 && !elig_rule_is_online(c->learner.rule)) {
        rc = cli_fail(CLI_EUSAGE, "[run] update_every = %d needs an online rule, but [learner] rule = %s is offline", ue, c->rule_name);
        goto out;
    }
    if ((rc = cli_mkdirs(c->out))) goto out;
    {
        char path[CLI_PATH + 32], tmp[CLI_PATH + 40];
        if ((rc = cli_join(path, sizeof path, c->out, "config.resolved"))) goto out;
        FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
        if (!f) {
            rc = cli_fail(CLI_ERUN, "cannot write %s", path);
            goto out;
        }
        cli_config_write(c, f);
        if ((rc = cli_atomic_close(f, tmp, path))) goto out;
    }
    int b0, b1;
    cli_loss_window(&c->learner.loss, T, &b0, &b1);
    const size_t np = elig_net_n_params(net);
    const int n0 = c->net.layer[0].n;
    xt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_in);
    tgt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)K);
    yrec = cli_array(sizeof(elig_real), 3, (size_t)T, (size_t)B, (size_t)K);
    zrec = cli_array(sizeof(elig_real), 2, (size_t)T, (size_t)n0);
    best = cli_array(sizeof(elig_real), 1, np);
    p0 = cli_array(sizeof(elig_real), 1, np);
    order = cli_array(sizeof(int32_t), 1, (size_t)d.n_train);
    lab = cli_array(sizeof(int32_t), 1, (size_t)B);
    bidx = cli_array(sizeof(int32_t), 1, (size_t)B);
    cur = cli_array(sizeof(size_t), 1, (size_t)B);
    conf = cli_array(sizeof(long), 2, (size_t)K, (size_t)K);
    m = cli_array(sizeof(epoch_row), 1, (size_t)c->epochs);
    eloss = cli_array(sizeof(double), 1, (size_t)c->epochs);
    etr = cli_array(sizeof(double), 1, (size_t)c->epochs);
    eva = cli_array(sizeof(double), 1, (size_t)c->epochs);
    if (!xt || !tgt || !yrec || !zrec || !best || !p0 || !order || !lab || !bidx || !cur || !conf || !m || !eloss || !etr || !eva) {
        rc = cli_fail(CLI_ERUN, "out of memory for the batch buffers");
        goto out;
    }
    memcpy(order, d.train, (size_t)d.n_train * sizeof *order);
    elig_real *P = elig_net_params(net);
    memcpy(best, P, np * sizeof *P);
    elig_rng rng;
    elig_rng_seed(&rng, c->seed ^ 0xba7c4ULL);
    const int32_t *vidx = d.n_val ? d.val_idx : d.test;
    const int nv = d.n_val ? d.n_val : d.n_test;
    if (!quiet)
        fprintf(stderr, "elig: %s: %d train / %d val / %d test samples, %d steps, %d inputs, %d classes; rule %s, loss %s [%d, %d)\n",
                c->name, d.n_train, d.n_val, d.n_test, T, n_in, K, c->rule_name, elig_loss_name(c->learner.loss.loss), b0, b1);
    const double t0 = cli_now();
    double best_acc = -1;
    int best_epoch = 0, since = 0, n_ep = 0;
    const int nbatch = d.n_train / B;
    for (int e = 0; e < c->epochs; e++) {
        const double lr = lr_at(c, e), scale = lr / c->optim.lr;
        cli_dataset_shuffle(order, d.n_train, &rng);
        double lsum = 0;
        long right = 0;
        for (int bi = 0; bi < nbatch; bi++) {
            const int32_t *ix = order + (size_t)bi * B;
            memset(tgt, 0, (size_t)B * K * sizeof *tgt);
            for (int b = 0; b < B; b++) {
                lab[b] = d.labels[ix[b]];
                tgt[(size_t)b * K + lab[b]] = 1;
            }
            if ((rc = elig_learner_begin(L, T))) {
                rc = cli_lib_fail(rc, "elig_learner_begin");
                goto out;
            }
            for (int t = 0; t < T; t++) {
                cli_dataset_step(&d, ix, B, t, cur, xt);
                elig_learner_step(L, xt, tgt, NULL);
                memcpy(yrec + (size_t)t * B * K, elig_net_output(net), (size_t)B * K * sizeof *yrec);
                if (ue > 0 && (t + 1) % ue == 0) {
                    update(opt, L, P, p0, np, scale);
                    elig_learner_zero_grad(L);
                }
            }
            double loss;
            if ((rc = elig_learner_end(L, &loss))) {
                rc = cli_lib_fail(rc, "elig_learner_end");
                goto out;
            }
            if (!isfinite(loss)) {
                rc = cli_fail(CLI_ERUN, "loss diverged (%g) in epoch %d, batch %d", loss, e + 1, bi + 1);
                goto out;
            }
            lsum += loss;
            right += elig_count_correct(yrec, lab, T, B, K, b0, b1);
            /* once per batch; with update_every, what arrived after the last update */
            if (ue == 0 || T % ue != 0 || !per_step) update(opt, L, P, p0, np, scale);
        }
        long vr = evaluate(net, &d, vidx, nv, B, b0, b1, xt, yrec, lab, NULL, NULL, n0, bidx, cur);
        epoch_row *r = &m[n_ep++];
        r->epoch = e + 1;
        r->loss = lsum / nbatch;
        r->train_acc = (double)right / ((double)nbatch * B);
        r->val_acc = nv ? (double)vr / nv : 0;
        r->lr = lr;
        r->seconds = cli_now() - t0;
        eloss[e] = r->loss;
        etr[e] = r->train_acc;
        eva[e] = r->val_acc;
        if (!quiet)
            fprintf(stderr, "epoch %3d  loss %.4f  train %.2f%%  val %.2f%%  lr %.3g  %.1f s\n", r->epoch, r->loss, 100 * r->train_acc,
                    100 * r->val_acc, lr, r->seconds);
        if (r->val_acc > best_acc) {
            best_acc = r->val_acc;
            best_epoch = e + 1;
            since = 0;
            memcpy(best, P, np * sizeof *P);
        } else if (c->patience && ++since >= c->patience) {
            if (!quiet) fprintf(stderr, "early stop: no better validation accuracy for %d epochs\n", c->patience);
            break;
        }
    }
    memcpy(P, best, np * sizeof *P);
    memset(conf, 0, (size_t)K * K * sizeof *conf);
    long tr = evaluate(net, &d, d.test, d.n_test, B, b0, b1, xt, yrec, lab, conf, zrec, n0, bidx, cur);
    const double secs = cli_now() - t0;
    if ((rc = write_text_files(c, &d, m, n_ep, conf, tr, d.n_test, best_epoch, secs))) goto out;
    if ((rc = cli_save_tensors(c->out, "", net, NULL, L))) goto out;
    {
        /* the readout and raster of the first sequence of the last test batch */
        char fig[CLI_PATH + 32];
        if ((rc = cli_join(fig, sizeof fig, c->out, "figure.png"))) goto out;
        cli_figure f;
        memset(&f, 0, sizeof f);
        f.path = fig;
        f.title = c->name;
        f.n_iter = n_ep;
        f.loss = eloss;
        f.T = T;
        f.dt = c->net.dt;
        f.n_out = K;
        f.y = yrec;
        f.y_stride = (size_t)B * K;
        f.classification = 1;
        f.label = lab[0];
        f.win_begin = b0;
        f.win_end = b1;
        f.n_neurons = n0;
        f.spiking = elig_neuron_is_spiking(c->net.layer[0].model);
        f.spikes = zrec;
        f.layer0_panel = 1;
        f.rule = c->rule_name;
        f.train_acc = etr;
        f.val_acc = eva;
        f.conf = conf;
        f.n_classes = K;
        f.epochs = 1;
        rc = cli_plot_figure(&f);
        if (rc) goto out;
    }
    if (res) {
        res->test_acc = d.n_test ? (double)tr / d.n_test : 0;
        res->best_val_acc = best_acc;
        res->seconds = secs;
        res->epochs_run = n_ep;
        res->best_epoch = best_epoch;
        res->bytes_net = elig_net_bytes(&c->net);
        res->bytes_learner = elig_learner_bytes(net, &c->learner);
        res->bytes_data = cli_dataset_bytes(&d);
    }
    if (!quiet)
        printf("%s: test accuracy %.2f%% (%ld/%d), best validation %.2f%% at epoch %d, %d epochs, %.1f s; outputs in %s\n", c->name,
               d.n_test ? 100.0 * tr / d.n_test : 0.0, tr, d.n_test, 100 * best_acc, best_epoch, n_ep, secs, c->out);
out:
    free(xt);
    free(tgt);
    free(yrec);
    free(zrec);
    free(best);
    free(p0);
    free(order);
    free(lab);
    free(bidx);
    free(cur);
    free(conf);
    free(m);
    free(eloss);
    free(etr);
    free(eva);
    elig_optim_free(opt);
    elig_learner_free(L);
    elig_net_free(net);
    if (!pre) cli_dataset_free(&d);
    return rc;
}
