/* bench.c -- `elig bench [CFG] [--steps N] [--csv FILE] [section.key=value ...]`: speed and
 * memory of each learning rule on one network (the config's, or the built-in e-prop
 * pattern-generation network).
 *
 * Per rule: a fresh network and learner; a 10-step probe that estimates the speed; a warm-up
 * sequence (at most 100 steps or ~2 s); then N timed calls of elig_learner_step on one
 * sequence (inputs drawn once from the task and repeated with period T) -- fewer when N steps
 * would take longer than --max-seconds (RTRL on a large net), so that the table always comes
 * back; the steps actually timed are printed. elig_learner_end (BPTT's backward pass) is
 * timed separately. A rule (in practice RTRL) runs only when its learner needs less than
 * 2 GiB. The rules are learner presets (--rules, default bptt,rtrl,eprop). The loss window is
 * set to the whole sequence so that every length is valid.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The network of examples/eprop_pattern.cfg (100 Poisson inputs, 100 LIF, 1 leaky readout). */
const char cli_builtin_eprop_pattern[] =
    "[task]\n"
    "kind = pattern\n"
    "[net]\n"
    "tau_out = 30\n"
    "out_leak_scale = 1\n"
    "[layer0]\n"
    "n = 100\n"
    "model = lif\n"
    "tau_mem = 30\n"
    "v_th = 0.03\n"
    "input_leak_scale = 1\n"
    "[learner]\n"
    "rule = eprop\n"
    "feedback = random\n"
    "fb_scaled = 1\n"
    "reg_rate = 300\n"
    "f_target = 10\n"
    "[optim]\n"
    "kind = adam\n"
    "lr = 3e-3\n";

static const char usage[] =
    "usage: elig bench [CFG] [--steps N] [--max-seconds S] [--rules A,B,..] [--csv FILE] [section.key=value ...]\n"
    "\n"
    "Time N steps (default 2000, after a warm-up) of elig_learner_step for each rule (default\n"
    "bptt, rtrl, eprop; a rule whose learner needs >= 2 GiB is skipped) on the network of CFG, or on the built-in e-prop\n"
    "pattern-generation network (100 inputs, 100 LIF, 1 readout). Prints steps/s, synaptic\n"
    "updates/s (synapses x batch x steps/s; synapses = entries of W_in, W_rec, W_out present),\n"
    "the learner's bytes and bytes per synapse; the end column is elig_learner_end (BPTT's\n"
    "backward pass).\n"
    "\n"
    "  --steps N          timed steps per rule (default 2000)\n"
    "  --max-seconds S    time budget per rule (default 30): fewer steps when N would take longer\n"
    "  --rules LIST       comma-separated learner presets (default bptt,rtrl,eprop)\n"
    "  --csv FILE         also write the table as CSV\n";

static size_t count_synapses(const elig_net *net)
{
    cli_tensor ts[CLI_MAX_TENSORS];
    int nt = cli_tensors(net, ts);
    const unsigned char *mask = elig_net_param_mask(net);
    size_t n = 0;
    for (int i = 0; i < nt; i++) {
        if (ts[i].which == ELIG_BIAS || ts[i].which == ELIG_B_OUT) continue;
        size_t cnt = (size_t)ts[i].rows * (size_t)ts[i].cols;
        for (size_t j = 0; j < cnt; j++) n += mask[ts[i].off + j] != 0;
    }
    return n;
}

enum { MAX_RULES = 16 };

typedef struct {
    char rule[32];
    int ran, steps;
    double steps_per_s, syn_per_s, end_ms, bytes_per_syn;
    size_t bytes;
} bench_row;

int cli_cmd_bench(int argc, char **argv)
{
    const char *cfg_path = NULL, *csv = NULL, *rules = "bptt,rtrl,eprop", *val;
    int steps = 2000, rc = CLI_OK, o, n_rules = 0;
    double budget = 30;
    char rule_names[MAX_RULES][32];
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return CLI_OK;
        }
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if ((o = cli_opt(argc, argv, &i, "--steps", &val))) {
            if (o > 0 && (cli_parse_int(val, &steps) || steps < 1))
                rc = cli_fail(CLI_EUSAGE, "bench: --steps must be an integer >= 1 (got '%s')", val);
        } else if ((o = cli_opt(argc, argv, &i, "--max-seconds", &val))) {
            if (o > 0 && (cli_parse_real(val, &budget) || !(budget > 0)))
                rc = cli_fail(CLI_EUSAGE, "bench: --max-seconds must be a number > 0 (got '%s')", val);
        } else if ((o = cli_opt(argc, argv, &i, "--csv", &val))) {
            csv = val;
        } else if ((o = cli_opt(argc, argv, &i, "--rules", &val))) {
            rules = val;
        } else if (a[0] == '-') {
            rc = cli_fail(CLI_EUSAGE, "bench: unknown option '%s'\n%s", a, usage);
        } else if (!cli_is_override(a)) {
            if (cfg_path) rc = cli_fail(CLI_EUSAGE, "bench: unexpected argument '%s'", a);
            cfg_path = a;
        }
        if (o < 0) rc = CLI_EUSAGE;
    }
    for (const char *p = rules; !rc && *p;) {
        size_t len = strcspn(p, ",");
        elig_learner_cfg tmp = elig_learner_cfg_default();
        if (len == 0 || len >= sizeof rule_names[0] || n_rules == MAX_RULES) {
            rc = cli_fail(CLI_EUSAGE, "bench: bad --rules list '%s'", rules);
            break;
        }
        memcpy(rule_names[n_rules], p, len);
        rule_names[n_rules][len] = '\0';
        if (cli_apply_rule(rule_names[n_rules], &tmp)) {
            char names[256];
            cli_rule_names(names, sizeof names, ", ");
            rc = cli_fail(CLI_EUSAGE, "bench: unknown rule '%s' (known: %s)", rule_names[n_rules], names);
        }
        n_rules++;
        p += len;
        if (*p == ',') p++;
    }
    if (rc) return rc;

    cli_config *c = cli_config_new();
    elig_task *task = NULL;
    elig_real *x = NULL, *tgt = NULL, *xs = NULL, *ys = NULL;
    if (!c) return cli_fail(CLI_ERUN, "out of memory");
    if (cfg_path) {
        rc = cli_config_read_file(c, cfg_path);
    } else {
        rc = cli_config_read_text(c, cli_builtin_eprop_pattern, "<built-in eprop_pattern>");
        cli_copy(c->source, sizeof c->source, "<built-in eprop_pattern>");
        cli_copy(c->name, sizeof c->name, "eprop_pattern");
    }
    for (int i = 1; i < argc && !rc; i++) {
        if (argv[i][0] == '-') {
            if (!strchr(argv[i], '=')) i++;
            continue;
        }
        if (cli_is_override(argv[i])) rc = cli_config_override(c, argv[i], "override");
    }
    if (!rc) rc = cli_config_resolve(c, 0);
    if (!rc) rc = cli_make_task(c, &task);
    int T = 0, B = c->net.batch;
    if (!rc) {
        T = elig_task_steps(task);
        const size_t n_in = (size_t)c->net.n_in, n_out = (size_t)c->net.n_out;
        x = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, n_in);
        tgt = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, n_out);
        xs = cli_array(sizeof(elig_real), 3, (size_t)T, (size_t)B, n_in);
        ys = cli_array(sizeof(elig_real), 3, (size_t)T, (size_t)B, n_out);
        if (!x || !tgt || !xs || !ys) rc = cli_fail(CLI_ERUN, "out of memory for the inputs");
        int st;
        if (!rc && (st = elig_task_sample(task, B, x, tgt, NULL)) != ELIG_OK) rc = cli_lib_fail(st, "elig_task_sample");
        /* step-major copies, so that the timed loop only passes pointers */
        for (int t = 0; t < T && !rc; t++)
            for (int b = 0; b < B; b++) {
                memcpy(xs + ((size_t)t * B + b) * n_in, x + ((size_t)b * T + t) * n_in, n_in * sizeof(elig_real));
                memcpy(ys + ((size_t)t * B + b) * n_out, tgt + ((size_t)b * T + t) * n_out, n_out * sizeof(elig_real));
            }
    }

    bench_row rows[MAX_RULES];
    memset(rows, 0, sizeof rows);
    size_t synapses = 0;
    c->learner.max_steps = steps;
    /* the whole sequence is the loss window: any length is valid, the work per step is the same */
    c->learner.loss.win_begin = 0;
    c->learner.loss.win_end = 0;
    for (int r = 0; r < n_rules && !rc; r++) {
        elig_net *net = NULL;
        elig_learner *L = NULL;
        bench_row *row = &rows[r];
        cli_copy(row->rule, sizeof row->rule, rule_names[r]);
        if ((rc = cli_make_net(c, &net))) break;
        synapses = count_synapses(net);
        elig_learner_cfg lc = c->learner;
        cli_apply_rule(row->rule, &lc);
        row->bytes = elig_learner_bytes(net, &lc);
        if (row->bytes == 0) {
            rc = cli_lib_fail(ELIG_EINVAL, row->rule);
        } else if (row->bytes >= ((size_t)2 << 30)) {
            row->ran = 0;
        } else if (!(rc = cli_make_learner(c, net, row->rule, &L))) {
            /* probe (10 steps), warm-up (<= 100 steps, <= ~2 s), timed run (<= steps, <= budget) */
            const size_t n_in = (size_t)c->net.n_in, n_out = (size_t)c->net.n_out;
            int lens[3] = {steps < 10 ? steps : 10, 0, 0}, st = ELIG_OK;
            double t_probe = 0;
            for (int phase = 0; phase < 3 && !st; phase++) {
                if (phase == 1) {
                    double rate = lens[0] / (t_probe > 1e-9 ? t_probe : 1e-9);
                    double w = rate * 2.0 < 100 ? rate * 2.0 : 100;
                    if (w > steps) w = steps;
                    lens[1] = w < 1 ? 1 : (int)w;
                    double n = rate * budget;
                    lens[2] = n >= steps ? steps : (n < lens[0] ? lens[0] : (int)n);
                }
                int n = lens[phase];
                double loss;
                if ((st = elig_learner_begin(L, n)) != ELIG_OK) break;
                double t0 = cli_now();
                for (int t = 0; t < n; t++)
                    elig_learner_step(L, xs + (size_t)(t % T) * B * n_in, ys + (size_t)(t % T) * B * n_out, NULL);
                double t1 = cli_now();
                if ((st = elig_learner_end(L, &loss)) != ELIG_OK) break;
                double t2 = cli_now();
                if (phase == 0) t_probe = t1 - t0;
                if (phase == 2) {
                    row->ran = 1;
                    row->steps = n;
                    row->steps_per_s = n / (t1 - t0 > 1e-9 ? t1 - t0 : 1e-9);
                    row->syn_per_s = (double)synapses * B * row->steps_per_s;
                    row->end_ms = 1e3 * (t2 - t1);
                }
            }
            if (st) rc = cli_lib_fail(st, row->rule);
        }
        row->bytes_per_syn = synapses ? (double)row->bytes / (double)synapses : 0;
        elig_learner_free(L);
        elig_net_free(net);
    }
    if (!rc) {
        printf("network: %s -- %d inputs,", c->source, c->net.n_in);
        for (int l = 0; l < c->net.n_layers; l++)
            printf(" layer%d %d %s,", l, c->net.layer[l].n, elig_neuron_name(c->net.layer[l].model));
        printf(" %d output(s), batch %d; %zu synapses; up to %d timed steps or %g s per rule (%s)\n", c->net.n_out, B,
               synapses, steps, budget, cli_precision_name());
        printf("%-10s %7s %12s %15s %15s %14s %10s\n", "rule", "steps", "steps/s", "syn_updates/s", "learner_bytes", "bytes/synapse",
               "end_ms");
        for (int r = 0; r < n_rules; r++) {
            const bench_row *row = &rows[r];
            if (row->ran)
                printf("%-10s %7d %12.1f %15.4g %15zu %14.1f %10.2f\n", row->rule, row->steps, row->steps_per_s, row->syn_per_s,
                       row->bytes, row->bytes_per_syn, row->end_ms);
            else
                printf("%-10s %7s %12s %15s %15zu %14.1f %10s  (skipped: needs %.2f GiB, limit 2 GiB)\n", row->rule, "-", "-", "-",
                       row->bytes, row->bytes_per_syn, "-", (double)row->bytes / (1u << 30));
        }
    }
    if (!rc && csv) {
        char tmp[CLI_PATH + 8];
        FILE *f = cli_atomic_open(csv, tmp, sizeof tmp);
        if (!f) {
            rc = CLI_ERUN;
        } else {
            fprintf(f, "rule,steps_per_s,syn_updates_per_s,learner_bytes,bytes_per_synapse,end_ms,synapses,batch,steps\n");
            /* steps = steps actually timed (fewer than --steps when --max-seconds ran out) */
            for (int r = 0; r < n_rules; r++) {
                const bench_row *row = &rows[r];
                if (row->ran)
                    fprintf(f, "%s,%.6g,%.6g,%zu,%.6g,%.6g,%zu,%d,%d\n", row->rule, row->steps_per_s, row->syn_per_s, row->bytes,
                            row->bytes_per_syn, row->end_ms, synapses, B, row->steps);
                else
                    fprintf(f, "%s,,,%zu,%.6g,,%zu,%d,\n", row->rule, row->bytes, row->bytes_per_syn, synapses, B);
            }
            rc = cli_atomic_close(f, tmp, csv);
        }
    }
    free(x);
    free(tgt);
    free(xs);
    free(ys);
    elig_task_free(task);
    cli_config_free(c);
    return rc;
}
