/* suite.c -- `elig suite`: the benchmark table. The same network per data set trained with
 * BPTT and with each online rule, over several seeds, at a fixed budget of epochs.
 *
 *   elig suite [--out DIR] [--seeds N] [--jobs N] [--only B,...] [--rules R,...] [--quick]
 *              [--set section.key=value ...]
 *
 * Every (benchmark, rule, seed) is one `elig train` run of a built-in config (printed by
 * --list, written to each run's config.resolved) with learner.rule and the seeds set: the
 * network, data, loss and optimiser are the benchmark's, identical for every rule (the
 * comparison the field asks for: online rule against BPTT with the same hyper-parameters).
 * Runs go to DIR/<benchmark>/<rule>/seed<k>/ (the usual run directory of a classification
 * run) in up to --jobs child processes at a time; each child writes result.txt (test and best
 * validation accuracy, wall seconds, peak resident memory of the process, the bytes the
 * network and the learner allocate). The parent then writes
 *   DIR/table.md      accuracy mean +- std over seeds, wall time, memory, per benchmark x rule
 *   DIR/table.csv     one row per run
 *   DIR/memory.csv    the learner's bytes against sequence length T for every rule on the
 *                     Fashion-MNIST network: BPTT grows with T, the online rules do not
 *   DIR/figure.png    accuracy bars with the seed spread, seconds per run, memory against T
 * Each benchmark's data set is loaded once by the parent and shared with the children. A
 * benchmark whose data is missing is reported as skipped (with the reason) and the rest run.
 * Results depend only on the configs and seeds, not on --jobs or the order runs finish in.
 */
#include "cli_data.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
    "usage: elig suite [--out DIR] [--seeds N] [--jobs N] [--only B,...] [--rules R,...] [--quick]\n"
    "                  [--set section.key=value ...] [--list]\n"
    "\n"
    "Train every benchmark with BPTT and each online rule over N seeds (default 3) and write\n"
    "DIR/table.md, table.csv, memory.csv and figure.png (default DIR: runs/suite).\n"
    "  --jobs N     runs in parallel (default: the number of online CPUs, at most 8)\n"
    "  --only       benchmarks: fmnist, fsdd, braille, yinyang, randman\n"
    "  --rules      rules: bptt, eprop, rflo, ostl, superspike, decolle\n"
    "  --quick      tiny sizes (seconds per run): a smoke test of the whole pipeline\n"
    "  --set K=V    override a config key in every run (e.g. run.epochs=1, optim.lr=1e-3,\n"
    "               learner.feedback=random); not learner.rule, run.seed or run.out\n"
    "  --list       print each benchmark's config and the rule overrides, then exit\n"
    "Data: Fashion-MNIST from the Debian package dataset-fashion-mnist; FSDD, Braille and\n"
    "Yin-Yang from ../shared/data (see docs/data.md); Randman is generated.\n";

/* ------------------------------------------------------------------ benchmarks */

typedef struct {
    const char *name, *title;
    const char *cfg;      /* the config text                                     */
    const char *quick;    /* overrides for --quick, space-separated              */
} bench_def;

/* Sizes: each run takes 10-60 s on one core of the reference machine (docs/data.md has the
 * measured times); epochs are a fixed budget, the same for every rule. */
static const bench_def benches[] = {
    {"fmnist", "Fashion-MNIST (TTFS, 784-100r-10)",
     "[run]\nepochs = 2\npatience = 0\n[task]\nkind = dataset\n"
     "[data]\nsource = fashion_mnist\nthr = 0.2\ntau_eff = 20\nsteps = 100\nmax_train = 3000\nmax_eval = 1000\n"
     "[net]\ndt = 1\nbatch = 32\ntau_out = 10\nout_leak_scale = 0\n"
     "[layer0]\nn = 100\nmodel = lif_cuba\ntau_mem = 10\ntau_syn = 5\nrecurrent = 1\nin_gain = 15\n"
     "[optim]\nkind = adam\nlr = 5e-3\nschedule = cosine\n",
     "data.max_train=256 data.max_eval=128 data.steps=40 run.epochs=1 layer0.n=20"},
    {"fsdd", "FSDD as spikes (32-ch cochlea, 100r LIF)",
     "[run]\nepochs = 5\npatience = 0\n[task]\nkind = dataset\n"
     "[data]\nsource = fsdd\nchannels = 32\nbin_ms = 10\nsteps = 100\nval_frac = 0.1\n"
     "[net]\ndt = 1\nbatch = 32\ntau_out = 10\nout_leak_scale = 1\n"
     "[layer0]\nn = 100\nmodel = lif\ntau_mem = 20\nrecurrent = 1\nin_gain = 2\n"
     "[optim]\nkind = adam\nlr = 5e-3\nschedule = cosine\n",
     "data.max_train=128 data.max_eval=64 data.steps=40 run.epochs=1 layer0.n=20"},
    {"braille", "Braille, 27 letters (sigma-delta, 128r LIF)",
     "[run]\nepochs = 10\npatience = 0\n[task]\nkind = dataset\n"
     "[data]\nsource = braille\ntheta = 1\nrepeat = 1\nval_frac = 0.1\ntest_frac = 0.2\n"
     "[net]\ndt = 1\nbatch = 16\ntau_out = 10\nout_leak_scale = 1\n"
     "[layer0]\nn = 128\nmodel = lif\ntau_mem = 20\nrecurrent = 1\nin_gain = 2\n"
     "[optim]\nkind = adam\nlr = 5e-3\nschedule = cosine\n",
     "data.max_train=128 data.max_eval=64 run.epochs=1 layer0.n=20"},
    {"yinyang", "Yin-Yang (TTFS, 64r LIF)",
     "[run]\nepochs = 5\npatience = 0\n[task]\nkind = dataset\n"
     "[data]\nsource = yinyang\nsteps = 50\nt_max = 0.6\n"
     "[net]\ndt = 1\nbatch = 32\ntau_out = 10\nout_leak_scale = 1\n"
     "[layer0]\nn = 64\nmodel = lif\ntau_mem = 20\nrecurrent = 1\nin_gain = 3\n"
     "[optim]\nkind = adam\nlr = 1e-2\nschedule = cosine\n",
     "data.max_train=256 data.max_eval=128 run.epochs=1 layer0.n=16"},
    {"randman", "Randman (D 1, 10 classes, 100 units; 100 LIF)",
     "[run]\nepochs = 6\npatience = 0\n[task]\nkind = dataset\n"
     "[data]\nsource = randman\ndim = 1\nclasses = 10\nunits = 100\nspikes = 1\nsamples = 300\nsteps = 100\n"
     "val_frac = 0.1\ntest_frac = 0.2\n"
     "[net]\ndt = 1\nbatch = 32\ntau_out = 10\nout_leak_scale = 1\n"
     "[layer0]\nn = 100\nmodel = lif\ntau_mem = 20\nrecurrent = 0\n"
     "[optim]\nkind = adam\nlr = 1e-2\nschedule = cosine\n",
     "data.samples=40 data.steps=40 run.epochs=1 layer0.n=20"},
};
enum { N_BENCH = sizeof benches / sizeof benches[0] };

typedef struct {
    const char *name;
    const char *over;     /* overrides, space-separated */
} rule_def;

/* eprop: symmetric feedback (W_out^T, Bellec et al.'s symmetric e-prop); rflo: the same
 * eligibility with fixed random feedback (random e-prop / RFLO's rule on spiking units). */
static const rule_def rules[] = {
    {"bptt", "learner.rule=bptt"},
    {"eprop", "learner.rule=eprop learner.feedback=symmetric"},
    {"rflo", "learner.rule=rflo"},
    {"ostl", "learner.rule=ostl"},
    {"superspike", "learner.rule=superspike"},
    {"decolle", "learner.rule=decolle"},
};
enum { N_RULE = sizeof rules / sizeof rules[0] };

/* ------------------------------------------------------------------ one run */

typedef struct {
    int bench, rule, seed;
    int status;           /* 0 ok, else the child's exit code (-1: not run)        */
    double test_acc, val_acc, seconds;
    long peak_kb;
    size_t bytes_net, bytes_learner, bytes_data;
    char dir[CLI_PATH];
    char err[512];        /* last line of the child's log on failure               */
} run_rec;

/* Apply "k=v k=v ..." overrides. */
static int apply_overrides(cli_config *c, const char *list, const char *origin)
{
    char buf[1024], *save = NULL;
    if (cli_copy(buf, sizeof buf, list)) return cli_fail(CLI_EUSAGE, "suite: override list too long");
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        int rc = cli_config_override(c, tok, origin);
        if (rc) return rc;
    }
    return CLI_OK;
}

/* Build the config of one run; the caller frees it. */
/* --set overrides, applied to every run after the rule's (in command-line order) */
#define MAX_SET 32
static const char *set_over[MAX_SET];
static int n_set;

static int make_config(const run_rec *r, int quick, cli_config **out)
{
    const bench_def *b = &benches[r->bench];
    cli_config *c = cli_config_new();
    if (!c) return cli_fail(CLI_ERUN, "out of memory");
    char origin[64], seed[32];
    snprintf(origin, sizeof origin, "<suite %s>", b->name);
    int rc = cli_config_read_text(c, b->cfg, origin);
    if (!rc && quick) rc = apply_overrides(c, b->quick, "--quick");
    if (!rc) rc = apply_overrides(c, rules[r->rule].over, "<suite rule>");
    for (int i = 0; i < n_set && !rc; i++) rc = cli_config_override(c, set_over[i], "--set");
    snprintf(seed, sizeof seed, "run.seed=%d", r->seed);
    if (!rc) rc = cli_config_override(c, seed, "<suite seed>");
    if (!rc) rc = cli_config_set(c, "run", "out", r->dir, "<suite>");
    if (!rc) {
        snprintf(c->name, sizeof c->name, "%s-%s-s%d", b->name, rules[r->rule].name, r->seed);
        rc = cli_config_resolve(c, 1);
    }
    if (rc) {
        cli_config_free(c);
        return rc;
    }
    *out = c;
    return CLI_OK;
}

/* The process's resident-memory high-water mark, reset at the start of a run (Linux: writing
 * 5 to /proc/self/clear_refs), so that it is this run's peak: the data pages it touches, the
 * network, the learner, the figure. Falls back to getrusage's maximum when /proc is absent. */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

static int write_result(const run_rec *r, const cli_class_result *res)
{
    char path[CLI_PATH + 32], tmp[CLI_PATH + 40];
    int rc = cli_join(path, sizeof path, r->dir, "result.txt");
    if (rc) return rc;
    long peak = peak_rss_kb();
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "test_acc %.6f\nval_acc %.6f\nseconds %.3f\npeak_kb %ld\nbytes_net %zu\nbytes_learner %zu\nbytes_data %zu\n",
            res->test_acc, res->best_val_acc, res->seconds, peak, res->bytes_net, res->bytes_learner,
            res->bytes_data);
    return cli_atomic_close(f, tmp, path);
}

/* The child: stderr to DIR/log.txt, train, write result.txt, exit with the run's code. */
static void child_run(run_rec *r, int quick, const cli_dataset *data)
{
    char log[CLI_PATH + 32];
    if (cli_mkdirs(r->dir) || cli_join(log, sizeof log, r->dir, "log.txt")) _exit(CLI_ERUN);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
    reset_peak_rss();
    cli_config *c = NULL;
    int rc = make_config(r, quick, &c);
    cli_class_result res;
    memset(&res, 0, sizeof res);
    if (!rc) rc = cli_train_dataset_res(c, 1, &res, data);
    if (!rc) rc = write_result(r, &res);
    cli_config_free(c);
    fflush(stderr);
    _exit(rc);
}

static void read_result(run_rec *r)
{
    char path[CLI_PATH + 32], key[64];
    double v;
    if (r->status == 0) {
        if (cli_join(path, sizeof path, r->dir, "result.txt")) return;
        FILE *f = fopen(path, "r");
        if (!f) {
            r->status = CLI_ERUN;
            snprintf(r->err, sizeof r->err, "no result.txt");
            return;
        }
        while (fscanf(f, "%63s %lf", key, &v) == 2) {
            if (!strcmp(key, "test_acc")) r->test_acc = v;
            else if (!strcmp(key, "val_acc")) r->val_acc = v;
            else if (!strcmp(key, "seconds")) r->seconds = v;
            else if (!strcmp(key, "peak_kb")) r->peak_kb = (long)v;
            else if (!strcmp(key, "bytes_net")) r->bytes_net = (size_t)v;
            else if (!strcmp(key, "bytes_learner")) r->bytes_learner = (size_t)v;
            else if (!strcmp(key, "bytes_data")) r->bytes_data = (size_t)v;
        }
        fclose(f);
        return;
    }
    /* the last non-empty line of the log names the error */
    if (cli_join(path, sizeof path, r->dir, "log.txt")) return;
    FILE *f = fopen(path, "r");
    char line[512];
    r->err[0] = '\0';
    while (f && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n) cli_copy(r->err, sizeof r->err, line);
    }
    if (f) fclose(f);
    if (!r->err[0]) snprintf(r->err, sizeof r->err, "exit %d", r->status);
}

/* ------------------------------------------------------------------ data availability */

/* Load benchmark bi's data set into *d (the same for every rule and seed: [data] does not
 * change with them); on failure why says what is missing and *d is empty. */
static void load_data(int bi, int quick, cli_dataset *d, char *why, size_t n)
{
    why[0] = '\0';
    memset(d, 0, sizeof *d);
    run_rec r;
    memset(&r, 0, sizeof r);
    r.bench = bi;
    snprintf(r.dir, sizeof r.dir, "/nonexistent");
    cli_config *c = NULL;
    if (make_config(&r, quick, &c)) {
        snprintf(why, n, "its config does not resolve");
        return;
    }
    /* the loader's message is kept for the table */
    char tmpl[] = "/tmp/elig-suite-XXXXXX";
    int fd = mkstemp(tmpl), saved = -1;
    fflush(stderr);
    if (fd >= 0) {
        unlink(tmpl);
        saved = dup(2);
        dup2(fd, 2);
    }
    int rc = cli_dataset_load(c, d);
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (rc) {
        char msg[200] = "";
        if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0) {
            ssize_t k = read(fd, msg, sizeof msg - 1);
            msg[k > 0 ? k : 0] = '\0';
            msg[strcspn(msg, "\n")] = '\0';
        }
        const char *m = strncmp(msg, "elig: ", 6) ? msg : msg + 6;
        const char *hint = c->data.source == CLI_SRC_FASHION ? "apt-get install dataset-fashion-mnist"
                                                             : "run from the project directory, next to ../shared/data; docs/data.md";
        snprintf(why, n, "%.150s (%s)", m[0] ? m : "cannot load the data", hint);
        cli_dataset_free(d);
    }
    if (fd >= 0) close(fd);
    cli_config_free(c);
}

/* ------------------------------------------------------------------ outputs */

static void mean_std(const run_rec *rr, int n, int b, int ru, double (*get)(const run_rec *), double *m, double *s, int *k)
{
    double sum = 0, sq = 0;
    int c = 0;
    for (int i = 0; i < n; i++)
        if (rr[i].bench == b && rr[i].rule == ru && rr[i].status == 0) {
            double v = get(&rr[i]);
            sum += v;
            sq += v * v;
            c++;
        }
    *k = c;
    *m = c ? sum / c : NAN;
    *s = c > 1 ? sqrt(fmax(0, (sq - sum * sum / c) / (c - 1))) : (c ? 0 : NAN);
}

static double get_acc(const run_rec *r) { return 100 * r->test_acc; }
static double get_sec(const run_rec *r) { return r->seconds; }
static double get_rss(const run_rec *r) { return r->peak_kb / 1024.0; }

static void fmt_bytes(char *out, size_t n, double b)
{
    if (b >= 1 << 30) snprintf(out, n, "%.2f GiB", b / (1 << 30));
    else if (b >= 1 << 20) snprintf(out, n, "%.1f MiB", b / (1 << 20));
    else if (b >= 1 << 10) snprintf(out, n, "%.1f KiB", b / (1 << 10));
    else snprintf(out, n, "%.0f B", b);
}

/* The learner's bytes against T for each rule on one benchmark's network: the memory the
 * rule needs for one sequence of T steps (batch included). */
#define N_MEM_T 6
static const int mem_T[N_MEM_T] = {50, 100, 200, 400, 800, 1600};

static int memory_table(int bench, int quick, const int *use_rule, double mem[N_RULE][N_MEM_T])
{
    for (int ru = 0; ru < N_RULE; ru++) {
        for (int k = 0; k < N_MEM_T; k++) mem[ru][k] = NAN;
        if (!use_rule[ru]) continue;
        run_rec r;
        memset(&r, 0, sizeof r);
        r.bench = bench;
        r.rule = ru;
        snprintf(r.dir, sizeof r.dir, "/nonexistent");
        cli_config *c = NULL;
        int rc = make_config(&r, quick, &c);
        if (rc) return rc;
        c->net.n_in = 784; /* the image size: the data is not loaded for this */
        c->net.n_out = 10;
        elig_net *net = NULL;
        if (elig_net_create(&c->net, &net) == ELIG_OK)
            for (int k = 0; k < N_MEM_T; k++) {
                elig_learner_cfg lc = c->learner;
                lc.max_steps = mem_T[k];
                lc.loss.loss = &elig_loss_ce;
                lc.mem_limit = 0;
                size_t b = elig_learner_bytes(net, &lc);
                mem[ru][k] = b ? (double)b : NAN;
            }
        elig_net_free(net);
        cli_config_free(c);
    }
    return CLI_OK;
}

static int write_outputs(const char *out, const run_rec *rr, int n_runs, const int *use_bench, const int *use_rule,
                         char skip[N_BENCH][320], int seeds, int jobs, int quick, double wall, double mem[N_RULE][N_MEM_T])
{
    char path[CLI_PATH + 32], tmp[CLI_PATH + 40];
    int rc;
    /* table.csv */
    if ((rc = cli_join(path, sizeof path, out, "table.csv"))) return rc;
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "benchmark,rule,seed,status,test_acc,best_val_acc,seconds,peak_rss_kb,bytes_net,bytes_learner,bytes_data\n");
    for (int i = 0; i < n_runs; i++) {
        const run_rec *r = &rr[i];
        fprintf(f, "%s,%s,%d,%d,%.6f,%.6f,%.3f,%ld,%zu,%zu,%zu\n", benches[r->bench].name, rules[r->rule].name, r->seed, r->status,
                r->test_acc, r->val_acc, r->seconds, r->peak_kb, r->bytes_net, r->bytes_learner, r->bytes_data);
    }
    if ((rc = cli_atomic_close(f, tmp, path))) return rc;

    /* memory.csv */
    if ((rc = cli_join(path, sizeof path, out, "memory.csv"))) return rc;
    if (!(f = cli_atomic_open(path, tmp, sizeof tmp))) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "rule");
    for (int k = 0; k < N_MEM_T; k++) fprintf(f, ",T%d", mem_T[k]);
    fprintf(f, "\n");
    for (int ru = 0; ru < N_RULE; ru++) {
        if (!use_rule[ru]) continue;
        fprintf(f, "%s", rules[ru].name);
        for (int k = 0; k < N_MEM_T; k++) fprintf(f, ",%.0f", mem[ru][k]);
        fprintf(f, "\n");
    }
    if ((rc = cli_atomic_close(f, tmp, path))) return rc;

    /* table.md */
    if ((rc = cli_join(path, sizeof path, out, "table.md"))) return rc;
    if (!(f = cli_atomic_open(path, tmp, sizeof tmp))) return cli_fail(CLI_ERUN, "cannot write %s", path);
    fprintf(f, "# elig suite%s\n\n", quick ? " (--quick: smoke-test sizes, not results)" : "");
    fprintf(f, "Test accuracy (%%), mean ± std over %d seed%s; wall seconds and peak resident memory per run\n"
               "(one process per run, %d in parallel, %s build; the peak includes the data pages the run\n"
               "touches); learner = the bytes the rule's learner allocates (batch included: its state for\n"
               "one sequence), net = the network's, data = the encoded data set's (loaded once, shared by\n"
               "the runs of a benchmark). Whole suite: %.0f s wall. Configs: each run's config.resolved\n"
               "and `elig suite --list`; every run's numbers in table.csv.\n\n",
            seeds, seeds > 1 ? "s" : "", jobs, cli_precision_name(), wall);
    if (n_set) {
        fprintf(f, "Every run with --set:");
        for (int i = 0; i < n_set; i++) fprintf(f, " `%s`", set_over[i]);
        fprintf(f, ".\n\n");
    }
    fprintf(f, "| benchmark | rule | test accuracy %% | seconds / run | peak RSS / run | learner | net | data |\n"
               "|---|---|---|---|---|---|---|---|\n");
    for (int b = 0; b < N_BENCH; b++) {
        if (!use_bench[b]) continue;
        if (skip[b][0]) {
            fprintf(f, "| %s | — | skipped: %s | | | | | |\n", benches[b].title, skip[b]);
            continue;
        }
        for (int ru = 0; ru < N_RULE; ru++) {
            if (!use_rule[ru]) continue;
            double am, as, sm, ss, mm, ms;
            int k;
            mean_std(rr, n_runs, b, ru, get_acc, &am, &as, &k);
            mean_std(rr, n_runs, b, ru, get_sec, &sm, &ss, &k);
            mean_std(rr, n_runs, b, ru, get_rss, &mm, &ms, &k);
            size_t lb = 0, nb_ = 0, db = 0;
            const char *err = NULL;
            int nfail = 0;
            for (int i = 0; i < n_runs; i++)
                if (rr[i].bench == b && rr[i].rule == ru) {
                    if (rr[i].status == 0) lb = rr[i].bytes_learner, nb_ = rr[i].bytes_net, db = rr[i].bytes_data;
                    else {
                        nfail++;
                        err = rr[i].err;
                    }
                }
            char lbs[32], nbs[32], dbs[32];
            fmt_bytes(lbs, sizeof lbs, (double)lb);
            fmt_bytes(nbs, sizeof nbs, (double)nb_);
            fmt_bytes(dbs, sizeof dbs, (double)db);
            if (k == 0) {
                fprintf(f, "| %s | %s | failed: %s | | | | | |\n", benches[b].title, rules[ru].name, err ? err : "?");
                continue;
            }
            fprintf(f, "| %s | %s | %.1f ± %.1f%s | %.1f | %.0f MiB | %s | %s | %s |\n", benches[b].title, rules[ru].name, am, as,
                    nfail ? " (some seeds failed)" : "", sm, mm, lbs, nbs, dbs);
        }
    }
    fprintf(f, "\n## Learner memory against sequence length (Fashion-MNIST network, batch 32)\n\n| rule |");
    for (int k = 0; k < N_MEM_T; k++) fprintf(f, " T = %d |", mem_T[k]);
    fprintf(f, "\n|---|");
    for (int k = 0; k < N_MEM_T; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (int ru = 0; ru < N_RULE; ru++) {
        if (!use_rule[ru]) continue;
        fprintf(f, "| %s |", rules[ru].name);
        for (int k = 0; k < N_MEM_T; k++) {
            char s[32];
            fmt_bytes(s, sizeof s, mem[ru][k]);
            fprintf(f, " %s |", isfinite(mem[ru][k]) ? s : "—");
        }
        fprintf(f, "\n");
    }
    if ((rc = cli_atomic_close(f, tmp, path))) return rc;

    /* figure.png: the benchmarks that ran and the rules asked for */
    cli_suite_figure sf;
    memset(&sf, 0, sizeof sf);
    const char *bn[N_BENCH], *rn[N_RULE];
    int nb = 0, nr = 0, bidx[N_BENCH], ridx[N_RULE];
    for (int b = 0; b < N_BENCH; b++)
        if (use_bench[b] && !skip[b][0]) bidx[nb] = b, bn[nb++] = benches[b].name;
    for (int ru = 0; ru < N_RULE; ru++)
        if (use_rule[ru]) ridx[nr] = ru, rn[nr++] = rules[ru].name;
    double *am = cli_array(sizeof(double), 1, (size_t)(nb ? nb : 1) * nr), *as = cli_array(sizeof(double), 1, (size_t)(nb ? nb : 1) * nr);
    double *sm = cli_array(sizeof(double), 1, (size_t)(nb ? nb : 1) * nr), *mm = cli_array(sizeof(double), 1, (size_t)nr * N_MEM_T);
    if (!am || !as || !sm || !mm) {
        free(am), free(as), free(sm), free(mm);
        return cli_fail(CLI_ERUN, "out of memory");
    }
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < nr; j++) {
            double unused;
            int k;
            mean_std(rr, n_runs, bidx[i], ridx[j], get_acc, &am[i * nr + j], &as[i * nr + j], &k);
            mean_std(rr, n_runs, bidx[i], ridx[j], get_sec, &sm[i * nr + j], &unused, &k);
        }
    for (int j = 0; j < nr; j++) memcpy(mm + (size_t)j * N_MEM_T, mem[ridx[j]], sizeof mem[0]);
    if ((rc = cli_join(path, sizeof path, out, "figure.png"))) goto done;
    sf.path = path;
    sf.n_bench = nb;
    sf.bench = bn;
    sf.n_rule = nr;
    sf.rule = rn;
    sf.acc_mean = am;
    sf.acc_std = as;
    sf.seconds = sm;
    sf.n_T = N_MEM_T;
    sf.T = mem_T;
    sf.mem = mm;
    sf.seeds = seeds;
    rc = nb ? cli_plot_suite(&sf) : CLI_OK;
done:
    free(am), free(as), free(sm), free(mm);
    return rc;
}

/* ------------------------------------------------------------------ command */

static int parse_list(const char *arg, const char *what, int n, const char *(*name)(int), int *use)
{
    char buf[512], *save = NULL;
    if (cli_copy(buf, sizeof buf, arg)) return cli_fail(CLI_EUSAGE, "suite: %s list too long", what);
    for (int i = 0; i < n; i++) use[i] = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (!strcmp(tok, name(i))) use[i] = found = 1;
        if (!found) {
            char all[256] = "";
            for (int i = 0; i < n; i++) {
                strncat(all, name(i), sizeof all - strlen(all) - 1);
                if (i + 1 < n) strncat(all, ", ", sizeof all - strlen(all) - 1);
            }
            return cli_fail(CLI_EUSAGE, "suite: unknown %s '%s' (one of: %s)", what, tok, all);
        }
    }
    return CLI_OK;
}

static const char *bench_name(int i) { return benches[i].name; }
static const char *rule_name(int i) { return rules[i].name; }

int cli_cmd_suite(int argc, char **argv)
{
    const char *out = "runs/suite", *val;
    int seeds = 3, jobs = 0, quick = 0, list = 0, o, rc;
    int use_bench[N_BENCH], use_rule[N_RULE];
    for (int i = 0; i < N_BENCH; i++) use_bench[i] = 1;
    for (int i = 0; i < N_RULE; i++) use_rule[i] = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if ((o = cli_opt(argc, argv, &i, "--out", &val))) {
            if (o < 0) return CLI_EUSAGE;
            out = val;
        } else if ((o = cli_opt(argc, argv, &i, "--seeds", &val))) {
            if (o < 0) return CLI_EUSAGE;
            if (cli_parse_int(val, &seeds) || seeds < 1 || seeds > 100)
                return cli_fail(CLI_EUSAGE, "suite: --seeds must be 1..100 (got '%s')", val);
        } else if ((o = cli_opt(argc, argv, &i, "--jobs", &val))) {
            if (o < 0) return CLI_EUSAGE;
            if (cli_parse_int(val, &jobs) || jobs < 1 || jobs > 64)
                return cli_fail(CLI_EUSAGE, "suite: --jobs must be 1..64 (got '%s')", val);
        } else if ((o = cli_opt(argc, argv, &i, "--only", &val))) {
            if (o < 0) return CLI_EUSAGE;
            if ((rc = parse_list(val, "benchmark", N_BENCH, bench_name, use_bench))) return rc;
        } else if ((o = cli_opt(argc, argv, &i, "--rules", &val))) {
            if (o < 0) return CLI_EUSAGE;
            if ((rc = parse_list(val, "rule", N_RULE, rule_name, use_rule))) return rc;
        } else if ((o = cli_opt(argc, argv, &i, "--set", &val))) {
            if (o < 0) return CLI_EUSAGE;
            if (!cli_is_override(val)) return cli_fail(CLI_EUSAGE, "suite: --set needs section.key=value (got '%s')", val);
            if (!strncmp(val, "learner.rule=", 13) || !strncmp(val, "run.seed=", 9) || !strncmp(val, "run.out=", 8))
                return cli_fail(CLI_EUSAGE, "suite: --set %s: the suite sets the rule, seed and run directory itself (--rules, --seeds, --out)", val);
            if (n_set == MAX_SET) return cli_fail(CLI_EUSAGE, "suite: at most %d --set options", MAX_SET);
            set_over[n_set++] = val;
        } else if (!strcmp(a, "--quick")) {
            quick = 1;
        } else if (!strcmp(a, "--list")) {
            list = 1;
        } else {
            return cli_fail(CLI_EUSAGE, "suite: unknown argument '%s'\n%s", a, usage);
        }
    }
    if (list) {
        for (int b = 0; b < N_BENCH; b++)
            if (use_bench[b]) printf("# ---- %s: %s\n%s# --quick: %s\n\n", benches[b].name, benches[b].title, benches[b].cfg, benches[b].quick);
        for (int r = 0; r < N_RULE; r++)
            if (use_rule[r]) printf("# rule %s: %s\n", rules[r].name, rules[r].over);
        for (int i = 0; i < n_set; i++) printf("# --set %s (every run)\n", set_over[i]);
        return CLI_OK;
    }
    if (!jobs) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = nc < 1 ? 1 : nc > 8 ? 8 : (int)nc;
    }
    if ((rc = cli_mkdirs(out))) return rc;

    /* Each benchmark's data is loaded once, here, and shared with its runs' child processes
     * (fork: copy-on-write, never written). */
    char skip[N_BENCH][320];
    static cli_dataset data[N_BENCH];
    int n_runs = 0;
    for (int b = 0; b < N_BENCH; b++) {
        skip[b][0] = '\0';
        if (!use_bench[b]) continue;
        load_data(b, quick, &data[b], skip[b], sizeof skip[b]);
        if (skip[b][0]) fprintf(stderr, "elig suite: %s skipped: %s\n", benches[b].name, skip[b]);
        else
            for (int r = 0; r < N_RULE; r++) n_runs += use_rule[r] * seeds;
    }
    run_rec *rr = cli_array(sizeof *rr, 1, (size_t)(n_runs ? n_runs : 1));
    if (!rr) {
        for (int b = 0; b < N_BENCH; b++) cli_dataset_free(&data[b]);
        return cli_fail(CLI_ERUN, "out of memory");
    }
    int k = 0;
    for (int b = 0; b < N_BENCH; b++) {
        if (!use_bench[b] || skip[b][0]) continue;
        for (int r = 0; r < N_RULE; r++) {
            if (!use_rule[r]) continue;
            for (int s = 1; s <= seeds; s++) {
                run_rec *x = &rr[k++];
                x->bench = b, x->rule = r, x->seed = s, x->status = -1;
                if (snprintf(x->dir, sizeof x->dir, "%s/%s/%s/seed%d", out, benches[b].name, rules[r].name, s) >= (int)sizeof x->dir) {
                    free(rr);
                    for (int q = 0; q < N_BENCH; q++) cli_dataset_free(&data[q]);
                    return cli_fail(CLI_EUSAGE, "suite: --out path too long");
                }
            }
        }
    }
    fprintf(stderr, "elig suite: %d runs (%d seed%s), %d in parallel; outputs in %s\n", n_runs, seeds, seeds > 1 ? "s" : "", jobs, out);
    const double t0 = cli_now();
    pid_t *pid = cli_array(sizeof(pid_t), 1, (size_t)jobs);
    int *slot_run = cli_array(sizeof(int), 1, (size_t)jobs);
    if (!pid || !slot_run) {
        free(rr), free(pid), free(slot_run);
        for (int b = 0; b < N_BENCH; b++) cli_dataset_free(&data[b]);
        return cli_fail(CLI_ERUN, "out of memory");
    }
    int next = 0, running = 0, done = 0;
    fflush(stdout);
    fflush(stderr);
    while (done < n_runs) {
        while (running < jobs && next < n_runs) {
            int sl = 0;
            while (pid[sl]) sl++;
            pid_t p = fork();
            if (p < 0) {
                rc = cli_fail(CLI_ERUN, "suite: fork failed: %s", strerror(errno));
                break;
            }
            if (p == 0) child_run(&rr[next], quick, &data[rr[next].bench]);
            pid[sl] = p;
            slot_run[sl] = next++;
            running++;
        }
        if (rc && !running) break;
        int st;
        pid_t p = wait(&st);
        if (p < 0) {
            if (errno == EINTR) continue;
            rc = cli_fail(CLI_ERUN, "suite: wait failed: %s", strerror(errno));
            break;
        }
        for (int sl = 0; sl < jobs; sl++)
            if (pid[sl] == p) {
                run_rec *x = &rr[slot_run[sl]];
                x->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
                read_result(x);
                pid[sl] = 0;
                running--;
                done++;
                if (x->status == 0)
                    fprintf(stderr, "[%3d/%d] %-8s %-10s seed %d: test %.2f%%  %.1f s\n", done, n_runs, benches[x->bench].name,
                            rules[x->rule].name, x->seed, 100 * x->test_acc, x->seconds);
                else
                    fprintf(stderr, "[%3d/%d] %-8s %-10s seed %d: FAILED (%s)\n", done, n_runs, benches[x->bench].name,
                            rules[x->rule].name, x->seed, x->err);
            }
        if (rc && !running) break;
    }
    free(pid);
    free(slot_run);
    for (int b = 0; b < N_BENCH; b++) cli_dataset_free(&data[b]);
    const double wall = cli_now() - t0;
    double mem[N_RULE][N_MEM_T];
    if (!rc) rc = memory_table(0, quick, use_rule, mem);
    if (!rc) rc = write_outputs(out, rr, n_runs, use_bench, use_rule, skip, seeds, jobs, quick, wall, mem);
    int failed = 0;
    for (int i = 0; i < n_runs; i++) failed += rr[i].status != 0;
    free(rr);
    if (rc) return rc;
    char path[CLI_PATH + 32];
    cli_join(path, sizeof path, out, "table.md");
    printf("suite: %d runs, %d failed, %.0f s; table in %s\n", n_runs, failed, wall, path);
    return failed ? cli_fail(CLI_ERUN, "suite: %d of %d runs failed (see their log.txt)", failed, n_runs) : CLI_OK;
}
