/* grad.c -- `elig grad CFG --method NAME [--inputs X.npy (--targets Y.npy | --labels L.npy)]
 * [--out DIR] [--compare [--methods A,B,..]] [section.key=value ...]`: the gradient of one
 * sequence (or of the file's n_seq sequences as one batch) with a chosen method (a learner
 * preset: bptt, rtrl, eprop, ...), written as DIR/grad_<tensor>.npy; with --compare, BPTT
 * and the listed methods (default rtrl, eprop) on the same sequence and the same weights, and
 * a table of each tensor's relative error against BPTT and cosine similarity.
 *
 * Every method gets its own network created from the same config, with the parameter vector
 * copied from a reference network (so [init] files and the seeded initialisation agree), and
 * its own learner stepping the same inputs.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: elig grad CFG --method NAME [--inputs X.npy (--targets Y.npy | --labels L.npy)]\n"
    "                 [--out DIR] [--compare [--methods A,B,..]] [section.key=value ...]\n"
    "\n"
    "Gradient of the loss of one sequence with the chosen method, with the weights of [init] or\n"
    "the seeded initialisation. Without --inputs, one sequence is drawn from the config's task;\n"
    "X.npy is (n_seq, T, n_in) or (T, n_in), Y.npy (n_seq, T, n_out) or (T, n_out), L.npy\n"
    "(n_seq,) with [task] n_classes; the n_seq sequences form one batch.\n"
    "\n"
    "  --method NAME   a learner preset (bptt, rtrl, eprop, ... see `elig help config`), applied\n"
    "                  on top of the config's [learner]; required unless --compare\n"
    "  --out DIR       write DIR/grad_<tensor>.npy (with --compare: DIR/<method>/grad_<tensor>.npy)\n"
    "  --compare       BPTT and the --methods (default rtrl,eprop); print per tensor the relative\n"
    "                  error against BPTT (max |g - g_bptt| / max |g_bptt|) and the cosine similarity\n"
    "  --methods LIST  comma-separated methods for --compare, e.g.\n"
    "                  rtrl,snap1,snap2,eprop,ostl,rflo,diag_rtrl,decolle,superspike\n";

enum { MAX_METHODS = 16 };

typedef struct {
    cli_config *cfg;
    elig_task *task;
    elig_net *ref;
    elig_real *P0, *x, *tgt, *xt, *yt, *G[MAX_METHODS];
    char names[MAX_METHODS][32];
    int n_methods;
} grad_state;

static void grad_free(grad_state *g)
{
    for (int m = 0; m < MAX_METHODS; m++) free(g->G[m]);
    free(g->P0);
    free(g->x);
    free(g->tgt);
    free(g->xt);
    free(g->yt);
    elig_net_free(g->ref);
    elig_task_free(g->task);
    cli_config_free(g->cfg);
}

/* One method: fresh net with the reference parameters, learner, one sequence. ran = 0 when
 * RTRL is skipped for its size. */
static int run_method(grad_state *g, const char *method, int B, int T, int guard, double *loss, elig_real *G, int *ran)
{
    cli_config *c = g->cfg;
    elig_net *net = NULL;
    elig_learner *L = NULL;
    int st, rc = CLI_OK;
    const int n_in = c->net.n_in, n_out = c->net.n_out;
    *ran = 0;
    if ((st = elig_net_create(&c->net, &net)) != ELIG_OK) return cli_lib_fail(st, "cannot create the network");
    size_t np = elig_net_n_params(net);
    memcpy(elig_net_params(net), g->P0, np * sizeof(elig_real));
    if (guard && !c->learner.mem_limit) {
        elig_learner_cfg lc = c->learner;
        size_t bytes = cli_apply_rule(method, &lc) ? 0 : elig_learner_bytes(net, &lc);
        if (bytes > ((size_t)2 << 30)) {
            fprintf(stderr, "elig: %s skipped: its learner needs %.2f GiB (above 2 GiB; set learner.mem_limit to force it)\n",
                    method, (double)bytes / (1u << 30));
            elig_net_free(net);
            return CLI_OK;
        }
    }
    if ((rc = cli_make_learner(c, net, method, &L))) goto done;
    if ((st = elig_learner_begin(L, T)) != ELIG_OK) {
        rc = cli_lib_fail(st, "elig_learner_begin");
        goto done;
    }
    for (int t = 0; t < T; t++) {
        for (int b = 0; b < B; b++) {
            memcpy(g->xt + (size_t)b * n_in, g->x + ((size_t)b * T + t) * n_in, (size_t)n_in * sizeof(elig_real));
            memcpy(g->yt + (size_t)b * n_out, g->tgt + ((size_t)b * T + t) * n_out, (size_t)n_out * sizeof(elig_real));
        }
        elig_learner_step(L, g->xt, g->yt, NULL);
    }
    if ((st = elig_learner_end(L, loss)) != ELIG_OK) {
        rc = cli_lib_fail(st, "elig_learner_end");
        goto done;
    }
    memcpy(G, elig_learner_grad(L), np * sizeof(elig_real));
    *ran = 1;
done:
    elig_learner_free(L);
    elig_net_free(net);
    return rc;
}

/* Split "a,b,c" into g->names after "bptt" (the reference); duplicates of bptt dropped. */
static int parse_methods(grad_state *g, const char *list)
{
    char names[256];
    cli_rule_names(names, sizeof names, ", ");
    cli_copy(g->names[0], sizeof g->names[0], "bptt");
    g->n_methods = 1;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        char name[32];
        if (len == 0 || len >= sizeof name) return cli_fail(CLI_EUSAGE, "grad: bad --methods list '%s'", list);
        memcpy(name, p, len);
        name[len] = '\0';
        elig_learner_cfg tmp = elig_learner_cfg_default();
        if (cli_apply_rule(name, &tmp)) return cli_fail(CLI_EUSAGE, "grad: unknown method '%s' (known: %s)", name, names);
        if (strcmp(name, "bptt")) {
            if (g->n_methods == MAX_METHODS) return cli_fail(CLI_EUSAGE, "grad: at most %d methods", MAX_METHODS - 1);
            cli_copy(g->names[g->n_methods++], sizeof g->names[0], name);
        }
        p += len;
        if (*p == ',') p++;
    }
    return CLI_OK;
}

int cli_cmd_grad(int argc, char **argv)
{
    const char *cfg_path = NULL, *method = NULL, *methods = "rtrl,eprop", *inputs = NULL, *targets = NULL, *labels = NULL,
               *out = NULL, *val;
    int compare = 0, rc = CLI_OK, o;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return CLI_OK;
        }
    grad_state g;
    memset(&g, 0, sizeof g);
    g.cfg = cli_config_new();
    if (!g.cfg) return cli_fail(CLI_ERUN, "out of memory");
    /* options; overrides are applied after the file, in order */
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if ((o = cli_opt(argc, argv, &i, "--method", &val))) method = val;
        else if ((o = cli_opt(argc, argv, &i, "--methods", &val))) methods = val;
        else if ((o = cli_opt(argc, argv, &i, "--inputs", &val))) inputs = val;
        else if ((o = cli_opt(argc, argv, &i, "--targets", &val))) targets = val;
        else if ((o = cli_opt(argc, argv, &i, "--labels", &val))) labels = val;
        else if ((o = cli_opt(argc, argv, &i, "--out", &val))) out = val;
        else if (!strcmp(a, "--compare")) o = compare = 1;
        else if (a[0] == '-') rc = cli_fail(CLI_EUSAGE, "grad: unknown option '%s'\n%s", a, usage);
        else if (!cli_is_override(a)) {
            if (cfg_path) rc = cli_fail(CLI_EUSAGE, "grad: unexpected argument '%s'", a);
            cfg_path = a;
        }
        if (o < 0) rc = CLI_EUSAGE;
    }
    if (!rc && !cfg_path) rc = cli_fail(CLI_EUSAGE, "grad: missing config file\n%s", usage);
    if (!rc && !compare && !method) rc = cli_fail(CLI_EUSAGE, "grad: --method NAME is required (or --compare)");
    if (!rc && !compare && !out) rc = cli_fail(CLI_EUSAGE, "grad: --out DIR is required (or --compare)");
    if (!rc && compare) rc = parse_methods(&g, methods);
    if (!rc && !compare) {
        elig_learner_cfg tmp = elig_learner_cfg_default();
        char names[256];
        cli_rule_names(names, sizeof names, ", ");
        if (cli_apply_rule(method, &tmp) || strlen(method) >= sizeof g.names[0])
            rc = cli_fail(CLI_EUSAGE, "grad: --method '%s' is not one of: %s", method, names);
        else {
            cli_copy(g.names[0], sizeof g.names[0], method);
            g.n_methods = 1;
        }
    }
    if (!rc && (targets || labels) && !inputs) rc = cli_fail(CLI_EUSAGE, "grad: --targets/--labels need --inputs");
    if (!rc && inputs && !targets == !labels) rc = cli_fail(CLI_EUSAGE, "grad: --inputs needs exactly one of --targets and --labels");
    if (!rc) rc = cli_config_read_file(g.cfg, cfg_path);
    for (int i = 1; i < argc && !rc; i++) {
        if (argv[i][0] == '-') {
            if (strcmp(argv[i], "--compare") && !strchr(argv[i], '=')) i++; /* skip the option's value */
            continue;
        }
        if (cli_is_override(argv[i])) rc = cli_config_override(g.cfg, argv[i], "override");
    }
    if (!rc) rc = cli_config_resolve(g.cfg, 0);

    int B = 1, T = 0;
    cli_config *c = g.cfg;
    if (!rc && inputs) {
        rc = cli_make_array_task(inputs, targets, labels, c->n_classes, &g.task, &B);
        if (!rc) cli_config_apply_task(c, g.task);
    } else if (!rc) {
        rc = cli_make_task(c, &g.task);
    }
    if (!rc) {
        c->net.batch = B;
        rc = cli_make_net(c, &g.ref);
    }
    size_t np = 0;
    if (!rc) {
        T = elig_task_steps(g.task);
        np = elig_net_n_params(g.ref);
        const int n_in = c->net.n_in, n_out = c->net.n_out;
        g.P0 = cli_array(sizeof(elig_real), 1, np);
        g.x = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, (size_t)n_in);
        g.tgt = cli_array(sizeof(elig_real), 3, (size_t)B, (size_t)T, (size_t)n_out);
        g.xt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_in);
        g.yt = cli_array(sizeof(elig_real), 2, (size_t)B, (size_t)n_out);
        int ok = g.P0 && g.x && g.tgt && g.xt && g.yt;
        for (int m = 0; m < g.n_methods && ok; m++) ok = (g.G[m] = cli_array(sizeof(elig_real), 1, np)) != NULL;
        if (!ok) rc = cli_fail(CLI_ERUN, "out of memory");
    }
    if (!rc) {
        memcpy(g.P0, elig_net_params(g.ref), np * sizeof(elig_real));
        int st = elig_task_sample(g.task, B, g.x, g.tgt, NULL);
        if (st != ELIG_OK) rc = cli_lib_fail(st, "elig_task_sample");
    }

    double loss[MAX_METHODS];
    int ran[MAX_METHODS] = {0};
    for (int m = 0; m < g.n_methods && !rc; m++) rc = run_method(&g, g.names[m], B, T, compare, &loss[m], g.G[m], &ran[m]);
    if (!rc && out) {
        if (!compare) {
            if (!(rc = cli_mkdirs(out))) rc = cli_save_tensors(out, "grad_", g.ref, g.G[0], NULL);
        } else {
            for (int m = 0; m < g.n_methods && !rc; m++) {
                char dir[CLI_PATH];
                if (!ran[m]) continue;
                if (!(rc = cli_join(dir, sizeof dir, out, g.names[m])) && !(rc = cli_mkdirs(dir)))
                    rc = cli_save_tensors(dir, "grad_", g.ref, g.G[m], NULL);
            }
        }
    }
    if (!rc) {
        printf("sequence: %d step(s), batch %d, %s\n", T, B, inputs ? inputs : "drawn from the task");
        for (int m = 0; m < g.n_methods; m++)
            if (ran[m]) printf("loss %-10s %.9g\n", g.names[m], loss[m]);
        if (out) printf("gradients written to %s\n", out);
    }
    if (!rc && compare) {
        if (!ran[0]) {
            rc = cli_fail(CLI_ERUN, "grad --compare: BPTT did not run");
        } else {
            cli_tensor ts[CLI_MAX_TENSORS];
            int nt = cli_tensors(g.ref, ts);
            printf("\n%-8s %-11s %-10s %-11s %s\n", "tensor", "shape", "method", "rel_err", "cosine");
            for (int i = 0; i < nt; i++)
                for (int m = 1; m < g.n_methods; m++) {
                    if (!ran[m]) continue;
                    double rel, cs;
                    char shape[32];
                    snprintf(shape, sizeof shape, "%dx%d", ts[i].rows, ts[i].cols);
                    cli_compare_grad(g.G[0] + ts[i].off, g.G[m] + ts[i].off, (size_t)ts[i].rows * ts[i].cols, &rel, &cs, NULL);
                    if (isnan(cs)) printf("%-8s %-11s %-10s %-11.3e %s\n", ts[i].name, shape, g.names[m], rel, "n/a");
                    else printf("%-8s %-11s %-10s %-11.3e %.6f\n", ts[i].name, shape, g.names[m], rel, cs);
                }
            printf("rel_err = max |g - g_bptt| / max |g_bptt| per tensor; cosine = <g, g_bptt> / (|g| |g_bptt|)\n");
        }
    }
    grad_free(&g);
    return rc;
}
