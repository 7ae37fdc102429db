/* setup.c -- from a resolved config to library objects: the task (reading the .npy arrays of
 * kind = array), the network (replacing initial weights by the [init] files), the learner (and
 * its feedback matrices), the optimiser; writing a network's tensors as .npy files; comparing
 * two gradients tensor by tensor (elig grad --compare, the fidelity meter of elig train).
 *
 * Every file is checked against the shape the network expects before anything is copied.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int shape_str(const elig_npy_info *in, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    len += (size_t)snprintf(out, n, "(");
    for (int d = 0; d < in->ndim && len < n; d++)
        len += (size_t)snprintf(out + len, n - len, "%s%lld", d ? ", " : "", (long long)in->shape[d]);
    if (len < n) snprintf(out + len, n - len, in->ndim == 1 ? ",)" : ")");
    return 0;
}

/* ------------------------------------------------------------------ tensors */

int cli_tensors(const elig_net *net, cli_tensor *out)
{
    const elig_net_cfg *nc = elig_net_get_cfg(net);
    int n = 0;
    static const char *const base[] = {"w_in", "w_rec", "bias"};
    for (int l = 0; l < nc->n_layers; l++)
        for (int w = ELIG_W_IN; w <= ELIG_BIAS; w++) {
            cli_tensor *t = &out[n];
            if (elig_net_tensor(net, (elig_tensor)w, l, &t->off, &t->rows, &t->cols) != ELIG_OK) continue;
            snprintf(t->name, sizeof t->name, "%s%d", base[w], l);
            t->which = (elig_tensor)w;
            t->layer = l;
            n++;
        }
    for (int w = ELIG_W_OUT; w <= ELIG_B_OUT; w++) {
        cli_tensor *t = &out[n];
        if (elig_net_tensor(net, (elig_tensor)w, 0, &t->off, &t->rows, &t->cols) != ELIG_OK) continue;
        snprintf(t->name, sizeof t->name, "%s", w == ELIG_W_OUT ? "w_out" : "b_out");
        t->which = (elig_tensor)w;
        t->layer = -1;
        n++;
    }
    return n;
}

void cli_loss_window(const elig_loss_cfg *lc, int T, int *b0, int *b1)
{
    *b0 = lc->win_begin < 0 ? T + lc->win_begin : lc->win_begin;
    *b1 = lc->win_end <= 0 ? T + lc->win_end : lc->win_end;
    if (*b0 < 0) *b0 = 0;
    if (*b1 > T) *b1 = T;
}

/* Read a (rows, cols) matrix, or a vector of rows when cols == 1 (also accepted as (rows, 1)),
 * into dst. what names the config key in messages. */
static int read_matrix(const char *path, const char *what, int rows, int cols, elig_real *dst)
{
    elig_npy_info info;
    elig_real *data = NULL;
    char msg[CLI_PATH + 64], have[96];
    snprintf(msg, sizeof msg, "%s = %s", what, path);
    int st = elig_npy_read_real(path, &info, &data, 0);
    if (st != ELIG_OK) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, msg);
    int ok = (info.ndim == 2 && info.shape[0] == rows && info.shape[1] == cols) ||
             (cols == 1 && info.ndim == 1 && info.shape[0] == rows);
    if (!ok) {
        shape_str(&info, have, sizeof have);
        free(data);
        if (cols == 1) return cli_fail(CLI_EUSAGE, "%s: shape %s, the network needs (%d,)", msg, have, rows);
        return cli_fail(CLI_EUSAGE, "%s: shape %s, the network needs (%d, %d)", msg, have, rows, cols);
    }
    memcpy(dst, data, (size_t)rows * (size_t)cols * sizeof *dst);
    free(data);
    return CLI_OK;
}

/* ------------------------------------------------------------------ task */

/* x (n_seq, T, n_in) -- or (T, n_in) when allow_2d -- with y (n_seq, T, n_out) or labels
 * (n_seq,). */
static int array_task(const char *inputs, const char *targets, const char *labels, int n_classes, int allow_2d,
                      const char *key_prefix, elig_task **out, int *n_seq_out)
{
    elig_npy_info xi, yi, li;
    elig_real *x = NULL, *y = NULL;
    int32_t *lab = NULL;
    char what[CLI_PATH + 64], have[96];
    int rc = CLI_OK, st;
    snprintf(what, sizeof what, "%sinputs = %s", key_prefix, inputs);
    if ((st = elig_npy_read_real(inputs, &xi, &x, 0)) != ELIG_OK) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, what);
    int two_d = allow_2d && xi.ndim == 2;
    if (xi.ndim != 3 && !two_d) {
        shape_str(&xi, have, sizeof have);
        free(x);
        return cli_fail(CLI_EUSAGE, "%s: shape %s, expected (n_seq, T, n_in)%s", what, have, allow_2d ? " or (T, n_in)" : "");
    }
    int64_t n_seq = two_d ? 1 : xi.shape[0], T = xi.shape[two_d ? 0 : 1], n_in = xi.shape[two_d ? 1 : 2];
    if (n_seq < 1 || T < 1 || n_in < 1 || n_seq > (1 << 24) || T > (1 << 24) || n_in > (1 << 24)) {
        shape_str(&xi, have, sizeof have);
        free(x);
        return cli_fail(CLI_EUSAGE, "%s: shape %s has an empty or too large dimension", what, have);
    }
    int n_out = n_classes;
    if (targets && *targets) {
        snprintf(what, sizeof what, "%stargets = %s", key_prefix, targets);
        if ((st = elig_npy_read_real(targets, &yi, &y, 0)) != ELIG_OK) {
            rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, what);
            goto done;
        }
        int ok = two_d ? (yi.ndim == 2 && yi.shape[0] == T) : (yi.ndim == 3 && yi.shape[0] == n_seq && yi.shape[1] == T);
        int64_t no = yi.ndim >= 2 ? yi.shape[yi.ndim - 1] : 0;
        if (!ok || no < 1 || no > (1 << 24)) {
            shape_str(&yi, have, sizeof have);
            if (two_d) rc = cli_fail(CLI_EUSAGE, "%s: shape %s, expected (%lld, n_out) to match the inputs", what, have, (long long)T);
            else rc = cli_fail(CLI_EUSAGE, "%s: shape %s, expected (%lld, %lld, n_out) to match the inputs", what, have, (long long)n_seq, (long long)T);
            goto done;
        }
        n_out = (int)no;
    } else {
        snprintf(what, sizeof what, "%slabels = %s", key_prefix, labels);
        if ((st = elig_npy_read_i32(labels, &li, &lab, 0)) != ELIG_OK) {
            rc = cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, what);
            goto done;
        }
        if (li.ndim != 1 || li.shape[0] != n_seq) {
            shape_str(&li, have, sizeof have);
            rc = cli_fail(CLI_EUSAGE, "%s: shape %s, expected (%lld,) to match the inputs", what, have, (long long)n_seq);
            goto done;
        }
        if (n_classes < 2) {
            rc = cli_fail(CLI_EUSAGE, "%s: labels need [task] n_classes >= 2 (got %d)", what, n_classes);
            goto done;
        }
        for (int64_t i = 0; i < n_seq; i++)
            if (lab[i] < 0 || lab[i] >= n_classes) {
                rc = cli_fail(CLI_EUSAGE, "%s: label %d of sequence %lld is outside [0, n_classes = %d)", what, (int)lab[i], (long long)i, n_classes);
                goto done;
            }
    }
    st = elig_task_create_array(x, y, lab, (int)n_seq, (int)T, (int)n_in, n_out, out);
    if (st != ELIG_OK) rc = cli_lib_fail(st, "array task");
    else if (n_seq_out) *n_seq_out = (int)n_seq;
done:
    free(x);
    free(y);
    free(lab);
    return rc;
}

int cli_make_task(cli_config *c, elig_task **out)
{
    int rc;
    *out = NULL;
    if (c->task.kind == ELIG_TASK_ARRAY) {
        rc = array_task(c->inputs, c->targets, c->labels, c->n_classes, 0, "[task] ", out, NULL);
        if (rc) return rc;
    } else {
        int st = elig_task_create(&c->task, out);
        if (st != ELIG_OK) return cli_lib_fail(st, "invalid [task]");
    }
    cli_config_apply_task(c, *out);
    return CLI_OK;
}

int cli_make_array_task(const char *inputs, const char *targets, const char *labels, int n_classes, elig_task **out,
                        int *n_seq)
{
    *out = NULL;
    return array_task(inputs, targets, labels, n_classes, 1, "--", out, n_seq);
}

/* ------------------------------------------------------------------ network */

static const char *init_path(const cli_config *c, const cli_tensor *t)
{
    switch (t->which) {
    case ELIG_W_IN: return c->init_w_in[t->layer];
    case ELIG_W_REC: return c->init_w_rec[t->layer];
    case ELIG_BIAS: return c->init_bias[t->layer];
    case ELIG_W_OUT: return c->init_w_out;
    case ELIG_B_OUT: return c->init_b_out;
    }
    return "";
}

int cli_make_net(const cli_config *c, elig_net **out)
{
    int st, rc;
    *out = NULL;
    if ((st = elig_net_check(&c->net)) != ELIG_OK) return cli_lib_fail(st, "invalid [net] or [layerK]");
    /* Files for tensors the network does not have. */
    for (int l = 0; l < c->net.n_layers; l++) {
        if (c->init_w_rec[l][0] && !c->net.layer[l].recurrent)
            return cli_fail(CLI_EUSAGE, "[init] w_rec%d is given, but [layer%d] recurrent = 0", l, l);
        if (c->init_bias[l][0] && !c->net.layer[l].bias)
            return cli_fail(CLI_EUSAGE, "[init] bias%d is given, but [layer%d] bias = 0", l, l);
    }
    if (c->init_b_out[0] && !c->net.out_bias) return cli_fail(CLI_EUSAGE, "[init] b_out is given, but [net] out_bias = 0");
    if ((st = elig_net_create(&c->net, out)) != ELIG_OK) return cli_lib_fail(st, "cannot create the network");
    cli_tensor ts[CLI_MAX_TENSORS];
    int nt = cli_tensors(*out, ts);
    elig_real *P = elig_net_params(*out);
    for (int i = 0; i < nt; i++) {
        const char *path = init_path(c, &ts[i]);
        if (!*path) continue;
        char what[48];
        snprintf(what, sizeof what, "[init] %.15s", ts[i].name);
        if ((rc = read_matrix(path, what, ts[i].rows, ts[i].cols, P + ts[i].off))) {
            elig_net_free(*out);
            *out = NULL;
            return rc;
        }
    }
    elig_net_apply_mask(*out); /* absent synapses stay absent whatever the file holds */
    return CLI_OK;
}

int cli_make_learner(const cli_config *c, elig_net *net, const char *method, elig_learner **out)
{
    elig_learner_cfg lc = c->learner;
    int st, rc;
    *out = NULL;
    if (method && cli_apply_rule(method, &lc)) {
        char names[256];
        cli_rule_names(names, sizeof names, ", ");
        return cli_fail(CLI_EUSAGE, "unknown method '%s' (known: %s)", method, names);
    }
    if (!method) method = c->rule_name;
    if (elig_learner_bytes(net, &lc) == 0) return cli_lib_fail(ELIG_EINVAL, "invalid [learner] or [loss]");
    if ((st = elig_learner_create(net, &lc, out)) != ELIG_OK) return cli_lib_fail(st, "cannot create the learner");
    const int n_out = elig_net_get_cfg(net)->n_out;
    for (int l = 0; l < c->net.n_layers; l++) {
        if (!c->init_fb[l][0]) continue;
        elig_real *fb = elig_learner_feedback(*out, l);
        char what[48];
        snprintf(what, sizeof what, "[init] fb%d", l);
        if (!fb) {
            rc = cli_fail(CLI_EUSAGE, "%s is given, but rule %s (signal and feedback as configured) has no feedback matrix for layer %d",
                          what, method, l);
        } else {
            rc = read_matrix(c->init_fb[l], what, c->net.layer[l].n, n_out, fb);
        }
        if (rc) {
            elig_learner_free(*out);
            *out = NULL;
            return rc;
        }
    }
    return CLI_OK;
}

int cli_make_optim(const cli_config *c, const elig_net *net, elig_optim **out)
{
    int st = elig_optim_create(&c->optim, elig_net_n_params(net), out);
    if (st != ELIG_OK) return cli_lib_fail(st, "invalid [optim]");
    return CLI_OK;
}

/* ------------------------------------------------------------------ output */

int cli_save_tensors(const char *dir, const char *prefix, const elig_net *net, const elig_real *params, elig_learner *L)
{
    cli_tensor ts[CLI_MAX_TENSORS];
    char name[64], path[CLI_PATH];
    int nt = cli_tensors(net, ts), rc, st;
    if (!params) params = elig_net_params((elig_net *)net);
    for (int i = 0; i < nt; i++) {
        int64_t shape[2] = {ts[i].rows, ts[i].cols};
        int ndim = (ts[i].which == ELIG_BIAS || ts[i].which == ELIG_B_OUT) ? 1 : 2;
        snprintf(name, sizeof name, "%.20s%.15s.npy", prefix, ts[i].name);
        if ((rc = cli_join(path, sizeof path, dir, name))) return rc;
        if ((st = elig_npy_write_real(path, params + ts[i].off, ndim, shape)) != ELIG_OK) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, path);
    }
    if (!L) return CLI_OK;
    const elig_net_cfg *nc = elig_net_get_cfg(net);
    for (int l = 0; l < nc->n_layers; l++) {
        const elig_real *fb = elig_learner_feedback(L, l);
        if (!fb) continue;
        int64_t shape[2] = {nc->layer[l].n, nc->n_out};
        snprintf(name, sizeof name, "%sfb%d.npy", prefix, l);
        if ((rc = cli_join(path, sizeof path, dir, name))) return rc;
        if ((st = elig_npy_write_real(path, fb, 2, shape)) != ELIG_OK) return cli_lib_fail(st == ELIG_EINVAL ? ELIG_EIO : st, path);
    }
    return CLI_OK;
}

/* ------------------------------------------------------------------ gradients */

void cli_compare_grad(const elig_real *ref, const elig_real *g, size_t n, double *rel, double *cosine, double *norm_ratio)
{
    double max_ref = 0, max_diff = 0, dot = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        double a = ref[i], b = g[i];
        max_ref = fmax(max_ref, fabs(a));
        max_diff = fmax(max_diff, fabs(a - b));
        dot += a * b;
        na += a * a;
        nb += b * b;
    }
    *rel = max_ref > 0 ? max_diff / max_ref : (max_diff > 0 ? INFINITY : 0.0);
    *cosine = (na > 0 && nb > 0) ? dot / sqrt(na * nb) : NAN;
    if (norm_ratio) *norm_ratio = na > 0 ? sqrt(nb / na) : (nb > 0 ? INFINITY : NAN);
}
