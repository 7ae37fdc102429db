/* dyn.c -- `elig dyn CFG_OR_PRESET [section.key=value ...] [--out DIR] [--seed N] [--quiet]`:
 * FORCE (RLS on the fed-back readout of a chaotic spiking or rate reservoir) or FOLLOW (a
 * spiking network learns a dynamical system with error feedback and a local rule) on a target
 * signal or reference system, with the protocol of the papers behind include/elig_dyn.h:
 *
 *   FORCE   [0, t_min) reservoir alone (learning off, φ = 0, x̂ = 0: chaos), [t_min, t_min +
 *           train) RLS every rls_every steps, then `test` seconds with learning off; one run.
 *   FOLLOW  train seconds with feedback and learning on, split into the phases of the schedule
 *           (each with its own eta and feedback gain k), then the network is reset to rest and
 *           tested for `test` seconds on a fresh command input with feedback and learning off.
 *
 * Untrained reference: FORCE with φ = 0 outputs x̂ = φᵀr = 0 at every step, so the untrained
 * network's error is the target's rms over the test window (computed, not simulated); FOLLOW
 * runs the zero-weight network without feedback on the same test input before training.
 *
 * --dry-run stops after writing config.resolved (the config resolved and checked, nothing run).
 * Run directory (default runs/<name>): config.resolved (every key, loadable again), series.csv
 * (time_ms, phase, target_j, output_j, err; at most ~20k rows), summary.txt, figure.png. One
 * result line on stdout; progress on stderr unless --quiet.
 *
 * The config parser is this file's own (INI: [section], key = value, # comments): the keys and
 * their defaults depend on the rule, the FORCE model and the FOLLOW system, which are read
 * first (the last assignment of run.rule, force.model and target.system wins), then every
 * assignment is applied in order. Cost: the run itself; memory: the library object (summary
 * "bytes") plus the target or command input of the whole run, (T, k) elig_real.
 */
#include "cli_dyn.h"
#include "elig_dyn.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: elig dyn CFG_OR_PRESET [section.key=value ...] [--out DIR] [--seed N] [--quiet] [--dry-run]\n"
    "\n"
    "FORCE or FOLLOW on a target signal or reference dynamical system: train, test with learning\n"
    "off, compare with the untrained network. CFG_OR_PRESET is a config file or a built-in preset:\n"
    "  force_sine force_sines force_vdp force_lorenz force_ode_to_joy force_rate_sine\n"
    "  force_rate_vdp force_izhikevich_sine force_theta_sine follow_linosc follow_vdp follow_lorenz\n"
    "(the same as examples/<preset>.cfg). Writes config.resolved, series.csv, summary.txt and\n"
    "figure.png to runs/<name> (or --out DIR) and prints one result line.\n"
    "\n"
    "  --out DIR    run directory\n"
    "  --seed N     run.seed (network, encoders, initial state, command inputs)\n"
    "  --quiet, -q  no progress on stderr\n"
    "  --dry-run    resolve and check the config, write DIR/config.resolved, run nothing\n"
    "\n"
    "Sections and keys (docs/cli.md has the meaning and defaults of each):\n"
    "  [run]     rule = force|follow, seed, out\n"
    "  [phase]   t_min, train, test (seconds; t_min: FORCE only)\n"
    "  [force]   model = lif|izhikevich|theta|rate, n, k, p, G, Q, balance, dt, tau_r, tau_d,\n"
    "            rate_unit_ms, tau_m, t_ref, v_reset, v_peak, bias, v_init_lo, v_init_hi, izh_C,\n"
    "            izh_vr, izh_vt, izh_k, izh_a, izh_b, izh_d, rls_every, alpha, gain = textbook|nicola,\n"
    "            mem_limit\n"
    "  [follow]  n_ff, n_rec, dt, tau_rc, tau_ref, rate_lo, rate_hi, icpt_lo, icpt_hi, const_gain,\n"
    "            radius_in, radius, tau_syn, tau_fb, tau_err, k_fb, eta, w_decay, n_eval, dec_reg,\n"
    "            trial_ms, clamp_ms, mem_limit, schedule, schedule_eta, schedule_k (lists),\n"
    "            init = zero|ideal\n"
    "  [target]  kind = sine|sines|vdp|lorenz|ode_to_joy (FORCE), system = linosc|vdp|lorenz\n"
    "            (FOLLOW), freq_hz, amp, phase, freqs, amps, phases, params, x0, warmup, substeps,\n"
    "            period_ms, hold_ms, dim_scale, hdts (FORCE: clock channels added to the supervisor)\n"
    "  [plot]    raster_n\n";

enum { RULE_FORCE, RULE_FOLLOW };
enum { TG_SINE, TG_SINES, TG_VDP, TG_LORENZ, TG_ODE_TO_JOY };
enum { SYS_LINOSC, SYS_VDP, SYS_LORENZ };

#define MAXL 8         /* longest list value */
#define MAX_ROWS 20000 /* series.csv, zoom and phase plane: at most this many points */
#define MAX_EV 400000  /* raster events kept */

typedef struct {
    int n;
    double v[MAXL];
} dlist;

typedef struct {
    /* [run] */
    int rule;
    uint64_t seed;
    char out[CLI_PATH];
    /* [phase], seconds */
    double t_min, train, test;
    /* [force]; k = 0: the target's dimension */
    elig_force_cfg fc;
    /* [follow] */
    elig_follow_cfg wc;
    dlist sched, sched_eta, sched_k;
    int init;            /* weights before training: 0 zero, 1 hand-wired (elig_follow_ideal_weights) */
    /* [target] */
    int kind, system;
    double freq_hz, amp, phase;
    dlist freqs, amps, phases, params, x0, dim_scale;
    double warmup;       /* s of ODE transient before the target starts (FORCE vdp/lorenz) */
    int substeps;        /* RK4 steps per sample (FORCE ODE targets)                        */
    double period_ms, hold_ms;
    int hdts;           /* FORCE: HDTS channels appended to the supervisor (period_ms) */
    /* [plot] */
    int raster_n;
    /* provenance */
    char source[CLI_PATH], name[256];
} dyn_cfg;

/* ---------------------------------------------------------------- keys */

typedef enum { K_REAL, K_INT, K_U64, K_SIZE, K_ENUM, K_STR, K_LIST } ktype;

typedef struct {
    const char *sec, *key;
    ktype type;
    size_t off;
    const char *names; /* K_ENUM: "a|b|c" in value order */
} dkey;

#define FC(f) offsetof(dyn_cfg, fc) + offsetof(elig_force_cfg, f)
#define WC(f) offsetof(dyn_cfg, wc) + offsetof(elig_follow_cfg, f)
#define DC(f) offsetof(dyn_cfg, f)

static const char *const sections[] = {"run", "phase", "force", "follow", "target", "plot"};

/* Every key, in the order config.resolved writes them. */
static const dkey keys[] = {
    {"run", "rule", K_ENUM, DC(rule), "force|follow"},
    {"run", "seed", K_U64, DC(seed), NULL},
    {"run", "out", K_STR, DC(out), NULL},
    {"phase", "t_min", K_REAL, DC(t_min), NULL},
    {"phase", "train", K_REAL, DC(train), NULL},
    {"phase", "test", K_REAL, DC(test), NULL},
    {"force", "model", K_ENUM, FC(model), "lif|izhikevich|theta|rate"},
    {"force", "n", K_INT, FC(n), NULL},
    {"force", "k", K_INT, FC(k), NULL},
    {"force", "p", K_REAL, FC(p), NULL},
    {"force", "G", K_REAL, FC(G), NULL},
    {"force", "Q", K_REAL, FC(Q), NULL},
    {"force", "balance", K_INT, FC(balance), NULL},
    {"force", "dt", K_REAL, FC(dt), NULL},
    {"force", "tau_r", K_REAL, FC(tau_r), NULL},
    {"force", "tau_d", K_REAL, FC(tau_d), NULL},
    {"force", "rate_unit_ms", K_REAL, FC(rate_unit_ms), NULL},
    {"force", "tau_m", K_REAL, FC(tau_m), NULL},
    {"force", "t_ref", K_REAL, FC(t_ref), NULL},
    {"force", "v_reset", K_REAL, FC(v_reset), NULL},
    {"force", "v_peak", K_REAL, FC(v_peak), NULL},
    {"force", "bias", K_REAL, FC(bias), NULL},
    {"force", "v_init_lo", K_REAL, FC(v_init_lo), NULL},
    {"force", "v_init_hi", K_REAL, FC(v_init_hi), NULL},
    {"force", "izh_C", K_REAL, FC(izh_C), NULL},
    {"force", "izh_vr", K_REAL, FC(izh_vr), NULL},
    {"force", "izh_vt", K_REAL, FC(izh_vt), NULL},
    {"force", "izh_k", K_REAL, FC(izh_k), NULL},
    {"force", "izh_a", K_REAL, FC(izh_a), NULL},
    {"force", "izh_b", K_REAL, FC(izh_b), NULL},
    {"force", "izh_d", K_REAL, FC(izh_d), NULL},
    {"force", "rls_every", K_INT, FC(rls_every), NULL},
    {"force", "alpha", K_REAL, FC(alpha), NULL},
    {"force", "gain", K_ENUM, FC(gain), "textbook|nicola"},
    {"force", "mem_limit", K_SIZE, FC(mem_limit), NULL},
    {"follow", "n_ff", K_INT, WC(n_ff), NULL},
    {"follow", "n_rec", K_INT, WC(n_rec), NULL},
    {"follow", "dt", K_REAL, WC(dt), NULL},
    {"follow", "tau_rc", K_REAL, WC(tau_rc), NULL},
    {"follow", "tau_ref", K_REAL, WC(tau_ref), NULL},
    {"follow", "rate_lo", K_REAL, WC(rate_lo), NULL},
    {"follow", "rate_hi", K_REAL, WC(rate_hi), NULL},
    {"follow", "icpt_lo", K_REAL, WC(icpt_lo), NULL},
    {"follow", "icpt_hi", K_REAL, WC(icpt_hi), NULL},
    {"follow", "const_gain", K_REAL, WC(const_gain), NULL},
    {"follow", "radius_in", K_REAL, WC(radius_in), NULL},
    {"follow", "radius", K_REAL, WC(radius), NULL},
    {"follow", "tau_syn", K_REAL, WC(tau_syn), NULL},
    {"follow", "tau_fb", K_REAL, WC(tau_fb), NULL},
    {"follow", "tau_err", K_REAL, WC(tau_err), NULL},
    {"follow", "k_fb", K_REAL, WC(k_fb), NULL},
    {"follow", "eta", K_REAL, WC(eta), NULL},
    {"follow", "w_decay", K_REAL, WC(w_decay), NULL},
    {"follow", "n_eval", K_INT, WC(n_eval), NULL},
    {"follow", "dec_reg", K_REAL, WC(dec_reg), NULL},
    {"follow", "trial_ms", K_REAL, WC(trial_ms), NULL},
    {"follow", "clamp_ms", K_REAL, WC(clamp_ms), NULL},
    {"follow", "mem_limit", K_SIZE, WC(mem_limit), NULL},
    {"follow", "schedule", K_LIST, DC(sched), NULL},
    {"follow", "schedule_eta", K_LIST, DC(sched_eta), NULL},
    {"follow", "schedule_k", K_LIST, DC(sched_k), NULL},
    {"follow", "init", K_ENUM, DC(init), "zero|ideal"},
    {"target", "kind", K_ENUM, DC(kind), "sine|sines|vdp|lorenz|ode_to_joy"},
    {"target", "system", K_ENUM, DC(system), "linosc|vdp|lorenz"},
    {"target", "freq_hz", K_REAL, DC(freq_hz), NULL},
    {"target", "amp", K_REAL, DC(amp), NULL},
    {"target", "phase", K_REAL, DC(phase), NULL},
    {"target", "freqs", K_LIST, DC(freqs), NULL},
    {"target", "amps", K_LIST, DC(amps), NULL},
    {"target", "phases", K_LIST, DC(phases), NULL},
    {"target", "params", K_LIST, DC(params), NULL},
    {"target", "x0", K_LIST, DC(x0), NULL},
    {"target", "warmup", K_REAL, DC(warmup), NULL},
    {"target", "substeps", K_INT, DC(substeps), NULL},
    {"target", "period_ms", K_REAL, DC(period_ms), NULL},
    {"target", "hold_ms", K_REAL, DC(hold_ms), NULL},
    {"target", "dim_scale", K_LIST, DC(dim_scale), NULL},
    {"target", "hdts", K_INT, DC(hdts), NULL},
    {"plot", "raster_n", K_INT, DC(raster_n), NULL},
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

static const dkey *find_key(const char *sec, const char *key)
{
    for (int i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].sec, sec) && !strcmp(keys[i].key, key)) return &keys[i];
    return NULL;
}

static int known_section(const char *sec)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (!strcmp(sections[i], sec)) return 1;
    return 0;
}

/* Index of name in "a|b|c", -1 if absent. */
static int enum_index(const char *names, const char *name)
{
    size_t n = strlen(name);
    int i = 0;
    for (const char *p = names; *p; i++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return i;
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

static void enum_name(const char *names, int idx, char *out, size_t n)
{
    const char *p = names;
    for (int i = 0; i < idx && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p) {
        snprintf(out, n, "%d", idx);
        return;
    }
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    snprintf(out, n, "%.*s", (int)len, p);
}

/* ---------------------------------------------------------------- assignments */

typedef struct {
    char sec[16], key[32];
    char *val;
    char origin[CLI_PATH + 64];
} entry;

typedef struct {
    entry *e;
    int n, cap;
} entries;

static void entries_free(entries *E)
{
    for (int i = 0; i < E->n; i++) free(E->e[i].val);
    free(E->e);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

static int add_entry(entries *E, const char *sec, const char *key, const char *val, const char *origin)
{
    if (!known_section(sec)) return cli_fail(CLI_EUSAGE, "%s: unknown section [%s] (run, phase, force, follow, target, plot)", origin, sec);
    if (!find_key(sec, key)) return cli_fail(CLI_EUSAGE, "%s: unknown key '%s' in [%s] (see `elig help dyn`)", origin, key, sec);
    if (E->n == E->cap) {
        int cap = E->cap ? 2 * E->cap : 64;
        entry *ne = realloc(E->e, (size_t)cap * sizeof *ne);
        if (!ne) return cli_fail(CLI_ERUN, "out of memory reading the config");
        E->e = ne;
        E->cap = cap;
    }
    entry *x = &E->e[E->n];
    memset(x, 0, sizeof *x);
    snprintf(x->sec, sizeof x->sec, "%s", sec);
    snprintf(x->key, sizeof x->key, "%s", key);
    snprintf(x->origin, sizeof x->origin, "%s", origin);
    x->val = malloc(strlen(val) + 1);
    if (!x->val) return cli_fail(CLI_ERUN, "out of memory reading the config");
    strcpy(x->val, val);
    E->n++;
    return CLI_OK;
}

/* INI text: "[section]", "key = value", '#' comments, blank lines. name: for messages. */
static int read_text(entries *E, const char *text, const char *name)
{
    char sec[64] = "", origin[CLI_PATH + 64], line[4096];
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        snprintf(origin, sizeof origin, "%s:%d", name, lineno);
        if (len >= sizeof line) return cli_fail(CLI_EUSAGE, "%s: line too long", origin);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *s = trim(line);
        if (!*s) continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || *trim(close + 1)) return cli_fail(CLI_EUSAGE, "%s: malformed section line '%s'", origin, s);
            *close = '\0';
            char *nm = trim(s + 1);
            if (!known_section(nm))
                return cli_fail(CLI_EUSAGE, "%s: unknown section [%s] (run, phase, force, follow, target, plot)", origin, nm);
            snprintf(sec, sizeof sec, "%s", nm);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) return cli_fail(CLI_EUSAGE, "%s: expected 'key = value' or '[section]' (got '%s')", origin, s);
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!*sec) return cli_fail(CLI_EUSAGE, "%s: key '%s' before any [section]", origin, key);
        if (strlen(key) >= sizeof E->e[0].key) return cli_fail(CLI_EUSAGE, "%s: unknown key '%s' in [%s]", origin, key, sec);
        int rc = add_entry(E, sec, key, val, origin);
        if (rc) return rc;
    }
    return CLI_OK;
}

static int read_file(entries *E, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cli_fail(CLI_EUSAGE, "cannot open config %s: %s", path, strerror(errno));
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    int rc = CLI_OK;
    for (;;) {
        if (!buf) {
            rc = cli_fail(CLI_ERUN, "out of memory reading %s", path);
            break;
        }
        if (n + 1 >= cap) {
            if (cap >= (1u << 24)) {
                rc = cli_fail(CLI_EUSAGE, "config %s is larger than 16 MB", path);
                break;
            }
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                rc = cli_fail(CLI_ERUN, "out of memory reading %s", path);
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    if (!rc && ferror(f)) rc = cli_fail(CLI_ERUN, "cannot read %s", path);
    fclose(f);
    if (!rc) {
        buf[n] = '\0';
        if (memchr(buf, '\0', n)) rc = cli_fail(CLI_EUSAGE, "config %s contains a NUL byte", path);
        else rc = read_text(E, buf, path);
    }
    free(buf);
    return rc;
}

/* "section.key=value" from the command line. */
static int add_override(entries *E, const char *arg)
{
    char sec[64], key[64], origin[512];
    const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
    snprintf(origin, sizeof origin, "override '%.400s'", arg);
    if (!dot || !eq || dot > eq || (size_t)(dot - arg) >= sizeof sec || (size_t)(eq - dot - 1) >= sizeof key)
        return cli_fail(CLI_EUSAGE, "%s: expected section.key=value", origin);
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - arg), arg);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    char val[4096];
    snprintf(val, sizeof val, "%s", eq + 1);
    return add_entry(E, trim(sec), trim(key), trim(val), origin);
}

/* ---------------------------------------------------------------- values */

static int parse_list(const char *s, dlist *out)
{
    char buf[1024];
    if (cli_copy(buf, sizeof buf, s)) return -1;
    out->n = 0;
    char *p = trim(buf);
    if (!*p) return 0;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (out->n >= MAXL || cli_parse_real(trim(p), &out->v[out->n])) return -1;
        out->n++;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static int set_value(dyn_cfg *c, const dkey *k, const char *val, const char *origin)
{
    char *field = (char *)c + k->off;
    switch (k->type) {
    case K_REAL:
        if (cli_parse_real(val, (double *)field))
            return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected a finite number", origin, k->sec, k->key, val);
        return CLI_OK;
    case K_INT:
        if (cli_parse_int(val, (int *)field))
            return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected an integer", origin, k->sec, k->key, val);
        return CLI_OK;
    case K_U64:
        if (cli_parse_u64(val, (uint64_t *)field))
            return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected a non-negative integer", origin, k->sec, k->key, val);
        return CLI_OK;
    case K_SIZE: {
        uint64_t v;
        if (cli_parse_u64(val, &v) || v > SIZE_MAX)
            return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected a byte count", origin, k->sec, k->key, val);
        *(size_t *)field = (size_t)v;
        return CLI_OK;
    }
    case K_ENUM: {
        int i = enum_index(k->names, val);
        if (i < 0) return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected one of %s", origin, k->sec, k->key, val, k->names);
        *(int *)field = i;
        return CLI_OK;
    }
    case K_STR:
        if (cli_copy(field, CLI_PATH, val)) return cli_fail(CLI_EUSAGE, "%s: %s.%s: value too long", origin, k->sec, k->key);
        return CLI_OK;
    case K_LIST:
        if (parse_list(val, (dlist *)field))
            return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected up to %d comma-separated finite numbers", origin, k->sec,
                            k->key, val, MAXL);
        return CLI_OK;
    }
    return CLI_OK;
}

static void format_value(const dyn_cfg *c, const dkey *k, char *out, size_t n)
{
    const char *field = (const char *)c + k->off;
    switch (k->type) {
    case K_REAL: cli_format_real(out, n, *(const double *)field); break;
    case K_INT: snprintf(out, n, "%d", *(const int *)field); break;
    case K_U64: snprintf(out, n, "%llu", (unsigned long long)*(const uint64_t *)field); break;
    case K_SIZE: snprintf(out, n, "%zu", *(const size_t *)field); break;
    case K_ENUM: enum_name(k->names, *(const int *)field, out, n); break;
    case K_STR: snprintf(out, n, "%s", field); break;
    case K_LIST: {
        const dlist *l = (const dlist *)field;
        size_t used = 0;
        out[0] = '\0';
        for (int i = 0; i < l->n && used < n; i++) {
            char num[40];
            cli_format_real(num, sizeof num, l->v[i]);
            used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", num);
        }
        break;
    }
    }
}

static const elig_ode_system *follow_system(int s)
{
    return s == SYS_VDP ? &elig_ode_vdp_follow : s == SYS_LORENZ ? &elig_ode_lorenz_follow : &elig_ode_linosc_follow;
}

/* The ODE a FORCE target integrates, or NULL. */
static const elig_ode_system *force_system(int kind)
{
    return kind == TG_VDP ? &elig_ode_vdp_force : kind == TG_LORENZ ? &elig_ode_lorenz_force : NULL;
}

static int target_dim(const dyn_cfg *c)
{
    if (c->rule == RULE_FOLLOW) return follow_system(c->system)->dim;
    switch (c->kind) {
    case TG_VDP: return elig_ode_vdp_force.dim;
    case TG_LORENZ: return elig_ode_lorenz_force.dim;
    case TG_ODE_TO_JOY: return ELIG_ODE_TO_JOY_DIM;
    default: return 1;
    }
}

/* Defaults once rule, model and system are known. */
static void defaults(dyn_cfg *c, int rule, int model, int system, int kind)
{
    memset(c, 0, sizeof *c);
    c->rule = rule;
    c->seed = 1;
    c->fc = elig_force_cfg_default(model);
    c->fc.k = 0;
    c->system = system;
    c->kind = kind;
    c->wc = elig_follow_cfg_default(follow_system(system));
    if (rule == RULE_FORCE) {
        c->t_min = 5.0;
        c->train = 5.0;
        c->test = 5.0;
    } else {
        c->t_min = 0.0;
        c->train = 300.0;
        c->test = 20.0;
    }
    c->freq_hz = 5.0;
    c->amp = 1.0;
    c->warmup = 15.0;
    c->substeps = 1;
    c->period_ms = rule == RULE_FORCE ? 0.0 : system == SYS_LINOSC ? 2000.0 : 4000.0; /* FORCE: the target's, below */
    c->hold_ms = 50.0;
    if (rule == RULE_FOLLOW) { /* the scales that keep the state within the recurrent layer's radius */
        c->dim_scale.n = follow_system(system)->n_u;
        elig_follow_command_scale(follow_system(system), c->dim_scale.v);
    }
    c->raster_n = 80;
}

/* The value of the last assignment of sec.key, or NULL. */
static const entry *last_entry(const entries *E, const char *sec, const char *key)
{
    for (int i = E->n - 1; i >= 0; i--)
        if (!strcmp(E->e[i].sec, sec) && !strcmp(E->e[i].key, key)) return &E->e[i];
    return NULL;
}

static int prescan(const entries *E, const char *sec, const char *key, int dflt, int *out)
{
    const entry *e = last_entry(E, sec, key);
    *out = dflt;
    if (!e) return CLI_OK;
    const dkey *k = find_key(sec, key);
    int i = enum_index(k->names, e->val);
    if (i < 0) return cli_fail(CLI_EUSAGE, "%s: %s.%s = '%s': expected one of %s", e->origin, sec, key, e->val, k->names);
    *out = i;
    return CLI_OK;
}

static int resolve(dyn_cfg *c, const entries *E, const uint64_t *seed, const char *out)
{
    int rule, model, system, kind, rc;
    if ((rc = prescan(E, "run", "rule", RULE_FORCE, &rule))) return rc;
    if ((rc = prescan(E, "force", "model", ELIG_FORCE_LIF, &model))) return rc;
    if ((rc = prescan(E, "target", "system", SYS_LINOSC, &system))) return rc;
    if ((rc = prescan(E, "target", "kind", TG_SINE, &kind))) return rc;
    char source[CLI_PATH], name[256];
    memcpy(source, c->source, sizeof source);
    memcpy(name, c->name, sizeof name);
    defaults(c, rule, model, system, kind);
    memcpy(c->source, source, sizeof source);
    memcpy(c->name, name, sizeof name);
    for (int i = 0; i < E->n; i++)
        if ((rc = set_value(c, find_key(E->e[i].sec, E->e[i].key), E->e[i].val, E->e[i].origin))) return rc;
    if (seed) c->seed = *seed;
    if (out && cli_copy(c->out, sizeof c->out, out)) return cli_fail(CLI_EUSAGE, "--out: path too long");
    if (!c->out[0]) snprintf(c->out, sizeof c->out, "runs/%s", c->name);
    /* fill the "system's default" lists so that config.resolved states them */
    const elig_ode_system *sys = c->rule == RULE_FOLLOW ? follow_system(c->system) : force_system(c->kind);
    if (sys && c->params.n == 0) {
        c->params.n = sys->n_params;
        memcpy(c->params.v, sys->params, sizeof(double) * (size_t)sys->n_params);
    }
    if (sys && c->x0.n == 0) {
        c->x0.n = sys->dim;
        memcpy(c->x0.v, sys->x0, sizeof(double) * (size_t)sys->dim);
    }
    if (c->rule == RULE_FORCE && c->period_ms == 0) { /* the HDTS period: the target's own */
        if (c->kind == TG_ODE_TO_JOY) c->period_ms = ELIG_ODE_TO_JOY_PERIOD_MS;
        else if (c->kind == TG_SINE && c->freq_hz > 0) c->period_ms = 1000.0 / c->freq_hz;
    }
    if (c->rule == RULE_FOLLOW && c->sched.n == 0) { /* one phase; lists the user gave are kept (and checked) */
        c->sched = (dlist){1, {1}};
        if (c->sched_eta.n == 0) c->sched_eta = (dlist){1, {c->wc.eta}};
        if (c->sched_k.n == 0) c->sched_k = (dlist){1, {c->wc.k_fb}};
    }
    return CLI_OK;
}

/* Cross-field checks the library cannot make (it never sees [phase] or [target]). */
static int validate(const dyn_cfg *c)
{
    char v[64];
    if (!(c->train > 0)) {
        cli_format_real(v, sizeof v, c->train);
        return cli_fail(CLI_EUSAGE, "phase.train must be > 0 s (got %s): the training window is empty", v);
    }
    if (!(c->test > 0)) {
        cli_format_real(v, sizeof v, c->test);
        return cli_fail(CLI_EUSAGE, "phase.test must be > 0 s (got %s): there is nothing to test on", v);
    }
    if (!(c->t_min >= 0)) {
        cli_format_real(v, sizeof v, c->t_min);
        return cli_fail(CLI_EUSAGE, "phase.t_min must be >= 0 s (got %s)", v);
    }
    if (c->raster_n < 0) return cli_fail(CLI_EUSAGE, "plot.raster_n must be >= 0 (got %d)", c->raster_n);
    const int d = target_dim(c);
    const elig_ode_system *sys = c->rule == RULE_FOLLOW ? follow_system(c->system) : force_system(c->kind);
    if (c->rule == RULE_FORCE) {
        char kn[32];
        enum_name("sine|sines|vdp|lorenz|ode_to_joy", c->kind, kn, sizeof kn);
        if (c->fc.k != 0 && c->fc.k != d)
            return cli_fail(CLI_EUSAGE, "force.k = %d does not match the target: target.kind = %s has %d channel%s (set force.k = %d or 0)",
                            c->fc.k, kn, d, d == 1 ? "" : "s", d);
        if (c->kind == TG_SINES) {
            if (c->freqs.n < 1) return cli_fail(CLI_EUSAGE, "target.kind = sines needs target.freqs (a list of frequencies in Hz)");
            if (c->amps.n != c->freqs.n)
                return cli_fail(CLI_EUSAGE, "target.amps has %d values, target.freqs %d: one amplitude per frequency", c->amps.n, c->freqs.n);
            if (c->phases.n != 0 && c->phases.n != c->freqs.n)
                return cli_fail(CLI_EUSAGE, "target.phases has %d values, target.freqs %d: one phase per frequency (or none)", c->phases.n,
                                c->freqs.n);
        }
        if (c->hdts < 0 || c->hdts > 4096) return cli_fail(CLI_EUSAGE, "target.hdts must be in [0, 4096] channels, 0 = none (got %d)", c->hdts);
        if (c->hdts && !(c->period_ms > 0))
            return cli_fail(CLI_EUSAGE, "target.period_ms must be > 0 ms with target.hdts (got %g): the HDTS tiles one period of the target", c->period_ms);
        if (sys && !(c->warmup >= 0)) return cli_fail(CLI_EUSAGE, "target.warmup must be >= 0 s (got %g)", c->warmup);
        if (sys && c->substeps < 1) return cli_fail(CLI_EUSAGE, "target.substeps must be >= 1 (got %d)", c->substeps);
        if (c->t_min * 1000.0 / c->fc.dt > 1e10 || (c->t_min + c->train + c->test) * 1000.0 / c->fc.dt > 2e9)
            return cli_fail(CLI_EUSAGE, "phase: t_min + train + test = %g s is more than 2e9 steps of force.dt = %g ms",
                            c->t_min + c->train + c->test, c->fc.dt);
    } else {
        const int n = c->sched.n;
        if (c->sched_eta.n != n || c->sched_k.n != n)
            return cli_fail(CLI_EUSAGE, "follow.schedule has %d phase%s but schedule_eta %d and schedule_k %d values: one each per phase",
                            n, n == 1 ? "" : "s", c->sched_eta.n, c->sched_k.n);
        for (int i = 0; i < n; i++) {
            if (!(c->sched.v[i] > 0)) return cli_fail(CLI_EUSAGE, "follow.schedule[%d] must be > 0 (got %g)", i, c->sched.v[i]);
            if (!(c->sched_eta.v[i] >= 0)) return cli_fail(CLI_EUSAGE, "follow.schedule_eta[%d] must be >= 0 (got %g)", i, c->sched_eta.v[i]);
            if (!(c->sched_k.v[i] >= 0)) return cli_fail(CLI_EUSAGE, "follow.schedule_k[%d] must be >= 0 (got %g)", i, c->sched_k.v[i]);
        }
        if (c->dim_scale.n != 0 && c->dim_scale.n != sys->n_u)
            return cli_fail(CLI_EUSAGE, "target.dim_scale has %d values; target.system = %s has %d input channels", c->dim_scale.n,
                            sys->name, sys->n_u);
        if ((c->train + c->test) * 1000.0 / c->wc.dt > 2e9)
            return cli_fail(CLI_EUSAGE, "phase: train + test = %g s is more than 2e9 steps of follow.dt = %g ms", c->train + c->test,
                            c->wc.dt);
    }
    if (sys && c->params.n != sys->n_params)
        return cli_fail(CLI_EUSAGE, "target.params has %d values; %s has %d (%s)", c->params.n, sys->name, sys->n_params, sys->param_names);
    if (sys && c->x0.n != sys->dim)
        return cli_fail(CLI_EUSAGE, "target.x0 has %d values; %s has dimension %d", c->x0.n, sys->name, sys->dim);
    return CLI_OK;
}

static int write_resolved(const dyn_cfg *c, const char *path)
{
    char tmp[CLI_PATH + 8], val[1024];
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    fprintf(f, "# elig dyn: every key with its final value (from %s).\n", c->source);
    fprintf(f, "# Load it with `elig dyn THIS_FILE` to repeat the run bit for bit.\n");
    const char *sec = "";
    for (int i = 0; i < N_KEYS; i++) {
        const dkey *k = &keys[i];
        if (c->rule == RULE_FORCE && !strcmp(k->sec, "follow")) continue;
        if (c->rule == RULE_FOLLOW && !strcmp(k->sec, "force")) continue;
        if (!strcmp(k->key, "out")) continue; /* the run directory is not part of the experiment */
        if (strcmp(sec, k->sec)) {
            fprintf(f, "%s[%s]\n", *sec ? "\n" : "", k->sec);
            sec = k->sec;
        }
        format_value(c, k, val, sizeof val);
        fprintf(f, "%s = %s\n", k->key, val);
    }
    return cli_atomic_close(f, tmp, path);
}

/* ---------------------------------------------------------------- presets */

typedef struct {
    const char *name, *text;
} preset;

#include "dyn_presets.h"

static const char *find_preset(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].name, name)) return presets[i].text;
    return NULL;
}

/* ---------------------------------------------------------------- recording */

typedef struct {
    int k;
    long dec;                /* record every dec-th step                */
    int n, cap;
    double *t;               /* (cap)                                   */
    float *tg, *out, *err;   /* (cap, k), (cap, k), (cap)               */
    char *phase;             /* (cap) 'p' pre, 't' train, 'T' test      */
    /* zoom window [z0, z1) in global steps, every zdec-th */
    long z0, z1, zdec;
    int nz, zcap;
    double *tz;
    float *tgz, *outz;
    /* raster window [r0, r1) in global steps */
    long r0, r1;
    long n_ev;
    float *ev_t;
    int *ev_i;
    int raster_n;
    /* phase plane: test steps [p0, p1), every pdec-th */
    long p0, p1, pdec;
    int npp, pcap;
    float *pp_tg, *pp_out;
    double err_s, err_a;     /* smoothed error and its decay per step    */
    long spikes;
} recorder;

static void rec_free(recorder *R)
{
    free(R->t); free(R->tg); free(R->out); free(R->err); free(R->phase);
    free(R->tz); free(R->tgz); free(R->outz);
    free(R->ev_t); free(R->ev_i);
    free(R->pp_tg); free(R->pp_out);
}

static long ceil_div(long a, long b) { return (a + b - 1) / b; }

static int rec_init(recorder *R, int k, long T, double dt, double err_tau_ms, long z0, long z1, long r0, long r1, int raster_n,
                    long p0, long p1)
{
    memset(R, 0, sizeof *R);
    R->k = k;
    R->dec = T > MAX_ROWS ? ceil_div(T, MAX_ROWS) : 1;
    R->cap = (int)ceil_div(T, R->dec) + 1;
    R->z0 = z0 < 0 ? 0 : z0;
    R->z1 = z1 > T ? T : z1;
    R->zdec = R->z1 - R->z0 > MAX_ROWS ? ceil_div(R->z1 - R->z0, MAX_ROWS) : 1;
    R->zcap = (int)(R->z1 > R->z0 ? ceil_div(R->z1 - R->z0, R->zdec) : 0) + 1;
    R->r0 = r0 < 0 ? 0 : r0;
    R->r1 = r1 > T ? T : r1;
    R->raster_n = raster_n;
    R->p0 = p0;
    R->p1 = p1 > T ? T : p1;
    R->pdec = R->p1 - R->p0 > MAX_ROWS ? ceil_div(R->p1 - R->p0, MAX_ROWS) : 1;
    R->pcap = (k >= 2 && R->p1 > R->p0) ? (int)ceil_div(R->p1 - R->p0, R->pdec) + 1 : 0;
    R->err_a = exp(-dt / err_tau_ms);
    R->t = cli_array(sizeof(double), 1, (size_t)R->cap);
    R->tg = cli_array(sizeof(float), 2, (size_t)R->cap, (size_t)k);
    R->out = cli_array(sizeof(float), 2, (size_t)R->cap, (size_t)k);
    R->err = cli_array(sizeof(float), 1, (size_t)R->cap);
    R->phase = cli_array(1, 1, (size_t)R->cap);
    R->tz = cli_array(sizeof(double), 1, (size_t)R->zcap);
    R->tgz = cli_array(sizeof(float), 2, (size_t)R->zcap, (size_t)k);
    R->outz = cli_array(sizeof(float), 2, (size_t)R->zcap, (size_t)k);
    R->ev_t = cli_array(sizeof(float), 1, (size_t)MAX_EV);
    R->ev_i = cli_array(sizeof(int), 1, (size_t)MAX_EV);
    R->pp_tg = cli_array(sizeof(float), 2, (size_t)R->pcap + 1, (size_t)k);
    R->pp_out = cli_array(sizeof(float), 2, (size_t)R->pcap + 1, (size_t)k);
    if (!R->t || !R->tg || !R->out || !R->err || !R->phase || !R->tz || !R->tgz || !R->outz || !R->ev_t || !R->ev_i || !R->pp_tg ||
        !R->pp_out)
        return cli_fail(CLI_ERUN, "out of memory for the recorded series");
    return CLI_OK;
}

/* One step s (global index, time (s + 1) dt) of target x and output y (k each). */
static void rec_step(recorder *R, long s, double dt, char phase, const elig_real *x, const elig_real *y, const int *spk, int n_spk)
{
    const int k = R->k;
    double e2 = 0;
    for (int a = 0; a < k; a++) e2 += ((double)y[a] - x[a]) * ((double)y[a] - x[a]);
    R->err_s = R->err_a * R->err_s + (1 - R->err_a) * sqrt(e2 / k);
    R->spikes += n_spk;
    const double t = (double)(s + 1) * dt;
    if (s % R->dec == 0 && R->n < R->cap) {
        int i = R->n++;
        R->t[i] = t;
        for (int a = 0; a < k; a++) {
            R->tg[(size_t)i * k + a] = (float)x[a];
            R->out[(size_t)i * k + a] = (float)y[a];
        }
        R->err[i] = (float)R->err_s;
        R->phase[i] = phase;
    }
    if (s >= R->z0 && s < R->z1 && (s - R->z0) % R->zdec == 0 && R->nz < R->zcap) {
        int i = R->nz++;
        R->tz[i] = t;
        for (int a = 0; a < k; a++) {
            R->tgz[(size_t)i * k + a] = (float)x[a];
            R->outz[(size_t)i * k + a] = (float)y[a];
        }
    }
    if (s >= R->r0 && s < R->r1)
        for (int q = 0; q < n_spk && R->n_ev < MAX_EV; q++)
            if (spk[q] < R->raster_n) {
                R->ev_t[R->n_ev] = (float)t;
                R->ev_i[R->n_ev++] = spk[q];
            }
    if (s >= R->p0 && s < R->p1 && (s - R->p0) % R->pdec == 0 && R->npp < R->pcap) {
        int i = R->npp++;
        for (int a = 0; a < k; a++) {
            R->pp_tg[(size_t)i * k + a] = (float)x[a];
            R->pp_out[(size_t)i * k + a] = (float)y[a];
        }
    }
}

static int write_series(const recorder *R, const char *path)
{
    char tmp[CLI_PATH + 8], num[40];
    FILE *f = cli_atomic_open(path, tmp, sizeof tmp);
    if (!f) return CLI_ERUN;
    const int k = R->k;
    fprintf(f, "time_ms,phase");
    for (int a = 0; a < k; a++) fprintf(f, ",target%d", a);
    for (int a = 0; a < k; a++) fprintf(f, ",output%d", a);
    fprintf(f, ",err\n");
    for (int i = 0; i < R->n; i++) {
        cli_format_real(num, sizeof num, R->t[i]);
        const char *ph = R->phase[i] == 'p' ? "pre" : R->phase[i] == 't' ? "train" : "test";
        fprintf(f, "%s,%s", num, ph);
        for (int a = 0; a < k; a++) fprintf(f, ",%.9g", (double)R->tg[(size_t)i * k + a]);
        for (int a = 0; a < k; a++) fprintf(f, ",%.9g", (double)R->out[(size_t)i * k + a]);
        fprintf(f, ",%.9g\n", (double)R->err[i]);
    }
    return cli_atomic_close(f, tmp, path);
}

/* ---------------------------------------------------------------- progress */

typedef struct {
    int quiet;
    long total, next;
    double t0, dt;
    const char *what;
} progress;

static void prog_init(progress *p, int quiet, long total, double dt, const char *what)
{
    p->quiet = quiet;
    p->total = total;
    p->next = total / 10;
    p->t0 = cli_now();
    p->dt = dt;
    p->what = what;
}

static void prog_step(progress *p, long s)
{
    if (p->quiet || s + 1 < p->next || p->total < 10) return;
    fprintf(stderr, "elig dyn: %s %3.0f%% (%.1f of %.1f s simulated, %.1f s wall)\n", p->what, 100.0 * (double)(s + 1) / (double)p->total,
            (double)(s + 1) * p->dt * 1e-3, (double)p->total * p->dt * 1e-3, cli_now() - p->t0);
    p->next += p->total / 10;
}

/* ---------------------------------------------------------------- results */

typedef struct {
    double train_rmse, test_rmse, untrained_rmse, target_rms, wall, steps_per_s, rate_hz;
    double test1_rmse, untrained1_rmse; /* over the first second of the test (phase drift of a
                                           learned oscillation dominates longer windows) */
    double ideal_rmse, ideal1_rmse;     /* FOLLOW: the same test with the hand-wired (NEF) weights */
    double phase_err[MAXL]; /* FOLLOW: training (feedback-on) rmse per schedule phase */
    long steps, n_rls;
    size_t bytes;
    char model[192];
    /* per output over the test: sums of x, x², x̂, x̂² and their count, for the attractor's
       statistics (a chaotic target cannot be followed step by step, only statistically) */
    double mx[ELIG_ODE_MAX_DIM], mxx[ELIG_ODE_MAX_DIM], my[ELIG_ODE_MAX_DIM], myy[ELIG_ODE_MAX_DIM];
    long m_n;
} results;

static void moments_add(results *r, int d, const elig_real *x, const elig_real *y)
{
    for (int a = 0; a < d && a < ELIG_ODE_MAX_DIM; a++) {
        r->mx[a] += (double)x[a];
        r->mxx[a] += (double)x[a] * x[a];
        r->my[a] += (double)y[a];
        r->myy[a] += (double)y[a] * y[a];
    }
    r->m_n++;
}

static int write_summary(const dyn_cfg *c, const results *r, FILE *f)
{
    const int force = c->rule == RULE_FORCE;
    char kn[32];
    if (force) enum_name("sine|sines|vdp|lorenz|ode_to_joy", c->kind, kn, sizeof kn);
    else snprintf(kn, sizeof kn, "%s", follow_system(c->system)->name);
    fprintf(f, "run:              %s (%s)\n", c->name, c->source);
    fprintf(f, "rule:             %s\n", force ? "force" : "follow");
    fprintf(f, "network:          %s\n", r->model);
    fprintf(f, "target:           %s, %d channel%s", kn, target_dim(c), target_dim(c) == 1 ? "" : "s");
    if (force && c->hdts) fprintf(f, " (+ %d HDTS channels of period %g ms in the supervisor; errors over the task's)", c->hdts, c->period_ms);
    fputc('\n', f);
    if (force) fprintf(f, "phases_s:         %g without learning, %g training (RLS), %g test (learning off)\n", c->t_min, c->train, c->test);
    else fprintf(f, "phases_s:         %g training (feedback and learning, %d phase%s), %g test from rest (neither)\n", c->train,
                 c->sched.n, c->sched.n == 1 ? "" : "s", c->test);
    fprintf(f, "seed:             %llu\n", (unsigned long long)c->seed);
    fprintf(f, "train_rmse:       %.6g (%s)\n", r->train_rmse,
            force ? "last second of the training window, a-priori output" : "last schedule phase, feedback on");
    if (!force)
        for (int i = 0; i < c->sched.n; i++)
            fprintf(f, "train_rmse_%d:     %.6g (eta %g, k %g)\n", i + 1, r->phase_err[i], c->sched_eta.v[i], c->sched_k.v[i]);
    fprintf(f, "test_rmse:        %.6g\n", r->test_rmse);
    fprintf(f, "test_nrmse:       %.6g (test_rmse / rms of the target over the test)\n", r->test_rmse / r->target_rms);
    fprintf(f, "test_rmse_1s:     %.6g (first second of %s; untrained %.6g)\n", r->test1_rmse,
            !force && c->wc.trial_ms > 0 ? "every trial of the test" : "the test", r->untrained1_rmse);
    fprintf(f, "untrained_rmse:   %.6g (%s)\n", r->untrained_rmse,
            force ? "phi = 0 gives x̂ = 0: the target's rms over the test" : "zero weights, no feedback, same test input");
    fprintf(f, "untrained_nrmse:  %.6g\n", r->untrained_rmse / r->target_rms);
    if (!force)
        fprintf(f, "ideal_rmse:       %.6g (first second %.6g; the same test with the hand-wired weights of "
                   "elig_follow_ideal_weights: what this network can do)\n", r->ideal_rmse, r->ideal1_rmse);
    fprintf(f, "target_rms:       %.6g\n", r->target_rms);
    fprintf(f, "improvement:      %.3gx (untrained_rmse / test_rmse)\n", r->untrained_rmse / r->test_rmse);
    for (int a = 0; a < target_dim(c) && a < ELIG_ODE_MAX_DIM && r->m_n > 0; a++) {
        const double n = (double)r->m_n, xm = r->mx[a] / n, ym = r->my[a] / n;
        fprintf(f, "test_stats_%d:     target mean %.4g sd %.4g; output mean %.4g sd %.4g\n", a, xm,
                sqrt(fmax(0, r->mxx[a] / n - xm * xm)), ym, sqrt(fmax(0, r->myy[a] / n - ym * ym)));
    }
    if (force) fprintf(f, "rls_updates:      %ld\n", r->n_rls);
    if (r->rate_hz > 0) fprintf(f, "mean_rate_hz:     %.2f (%s)\n", r->rate_hz, force ? "reservoir" : "recurrent layer");
    fprintf(f, "steps:            %ld\n", r->steps);
    fprintf(f, "wall_time_s:      %.2f\n", r->wall);
    fprintf(f, "steps_per_s:      %.0f\n", r->steps_per_s);
    fprintf(f, "bytes:            %zu (the library object)\n", r->bytes);
    fprintf(f, "precision:        %s\n", cli_precision_name());
    return ferror(f) ? CLI_ERUN : CLI_OK;
}

static const char *const model_names[] = {"LIF", "Izhikevich", "theta", "rate (tanh)"};

/* ---------------------------------------------------------------- FORCE */

static int build_force_target_task(const dyn_cfg *c, long T, int k, elig_real *x)
{
    const double dt = c->fc.dt;
    int st = ELIG_OK;
    switch (c->kind) {
    case TG_SINE: st = elig_target_sine(dt, T, c->freq_hz, c->amp, c->phase, x); break;
    case TG_SINES:
        st = elig_target_sines(dt, T, c->freqs.n, c->amps.v, c->freqs.v, c->phases.n ? c->phases.v : NULL, x);
        break;
    case TG_ODE_TO_JOY: st = elig_target_ode_to_joy(dt, T, x); break;
    default: {
        const elig_ode_system *s = force_system(c->kind);
        double xs[ELIG_ODE_MAX_DIM], t_ms = 0;
        memcpy(xs, c->x0.v, sizeof(double) * (size_t)k);
        const long warm = lround(c->warmup * 1000.0 / dt);
        st = elig_ode_sample(s, c->params.v, xs, &t_ms, dt, c->substeps, warm, NULL, NULL);
        if (!st) st = elig_ode_sample(s, c->params.v, xs, &t_ms, dt, c->substeps, T, NULL, x);
        for (long i = 0; !st && i < T * k; i++)
            if (!isfinite((double)x[i])) return cli_fail(CLI_EUSAGE, "target: %s diverged at step %ld (check target.params, x0, force.dt)", s->name, i / k);
        break;
    }
    }
    return st ? cli_lib_fail(st, "[target]") : CLI_OK;
}

/* x (T, k + hdts): the task's k channels, then the HDTS channels if any. */
static int build_force_target(const dyn_cfg *c, long T, int k, elig_real *x)
{
    int rc = build_force_target_task(c, T, k, x); /* (T, k) */
    if (rc || !c->hdts) return rc;
    const size_t kt = (size_t)k + (size_t)c->hdts; /* spread to rows of k + hdts, from the end */
    for (long i = T; i-- > 0;) memmove(x + (size_t)i * kt, x + (size_t)i * k, (size_t)k * sizeof(elig_real));
    int st = elig_target_hdts(c->fc.dt, T, c->period_ms, c->hdts, (int)kt, x + k);
    return st ? cli_lib_fail(st, "[target] hdts") : CLI_OK;
}

static int run_force(dyn_cfg *c, int quiet, recorder *R, results *res, dyn_figure *fig)
{
    elig_force_cfg fc = c->fc;
    const int k = target_dim(c), kt = k + c->hdts; /* task channels; all the supervisor's */
    fc.k = kt;
    fc.seed = c->seed;
    fc.t_min = lround(c->t_min * 1000.0 / fc.dt);
    fc.t_crit = fc.t_min + lround(c->train * 1000.0 / fc.dt);
    const long n_test = lround(c->test * 1000.0 / fc.dt), T = fc.t_crit + n_test;
    int st = elig_force_check(&fc), rc = CLI_OK;
    if (st) return cli_lib_fail(st, "[force]");
    if (n_test < 1) return cli_fail(CLI_EUSAGE, "phase.test = %g s is shorter than one step of force.dt = %g ms", c->test, fc.dt);
    elig_real *x = cli_array(sizeof(elig_real), 2, (size_t)T, (size_t)kt);
    if (!x) return cli_fail(CLI_ERUN, "out of memory for the target (%ld steps x %d)", T, kt);
    elig_force *F = NULL;
    if ((rc = build_force_target(c, T, k, x))) goto out;
    if ((st = elig_force_create(&fc, &F))) {
        rc = cli_lib_fail(st, "[force]");
        goto out;
    }
    res->bytes = elig_force_bytes(&fc);
    snprintf(res->model, sizeof res->model, "%s reservoir, N %d, dt %g ms, RLS every %d steps (%s gain)%s", model_names[fc.model], fc.n,
             fc.dt, fc.rls_every, fc.gain == ELIG_RLS_NICOLA ? "Nicola & Clopath" : "textbook", c->hdts ? ", HDTS in the supervisor" : "");
    const long s1000 = lround(1000.0 / fc.dt), s250 = lround(250.0 / fc.dt);
    if ((rc = rec_init(R, k, T, fc.dt, 50.0, fc.t_crit - s1000 / 2, fc.t_crit + s1000, fc.t_crit - s250, fc.t_crit + s250,
                       fc.model == ELIG_FORCE_RATE ? 0 : (c->raster_n < fc.n ? c->raster_n : fc.n),
                       fc.t_crit, T)))
        goto out;
    progress pg;
    prog_init(&pg, quiet, T, fc.dt, "force");
    const long tail = fc.t_crit - fc.t_min < s1000 ? fc.t_crit - fc.t_min : s1000;
    double e_train = 0, e_test = 0, x2 = 0, e_test1 = 0, x2_1 = 0;
    const long n1 = n_test < s1000 ? n_test : s1000;
    const double t0 = cli_now();
    for (long s = 0; s < T; s++) {
        const elig_real *xs = x + (size_t)s * kt; /* errors and figures: the task's channels */
        elig_force_step(F, xs, 1);
        const elig_real *y = elig_force_output(F);
        int ns;
        const int *spk = elig_force_spikes(F, &ns);
        double e2 = 0;
        for (int a = 0; a < k; a++) e2 += ((double)y[a] - xs[a]) * ((double)y[a] - xs[a]);
        if (s >= fc.t_crit - tail && s < fc.t_crit) e_train += e2;
        if (s >= fc.t_crit) {
            double xx = 0;
            for (int a = 0; a < k; a++) xx += (double)xs[a] * xs[a];
            e_test += e2;
            x2 += xx;
            moments_add(res, k, xs, y);
            if (s < fc.t_crit + n1) {
                e_test1 += e2;
                x2_1 += xx;
            }
        }
        rec_step(R, s, fc.dt, s < fc.t_min ? 'p' : s < fc.t_crit ? 't' : 'T', xs, y, spk, ns);
        prog_step(&pg, s);
    }
    res->wall = cli_now() - t0;
    res->steps = T;
    res->steps_per_s = res->wall > 0 ? T / res->wall : 0;
    res->n_rls = elig_force_n_rls(F);
    res->train_rmse = sqrt(e_train / ((double)tail * k));
    res->test_rmse = sqrt(e_test / ((double)n_test * k));
    res->target_rms = sqrt(x2 / ((double)n_test * k));
    res->untrained_rmse = res->target_rms; /* φ = 0: x̂ = 0 at every step */
    res->test1_rmse = sqrt(e_test1 / ((double)n1 * k));
    res->untrained1_rmse = sqrt(x2_1 / ((double)n1 * k));
    res->rate_hz = fc.model == ELIG_FORCE_RATE ? 0 : (double)R->spikes / fc.n / ((double)T * fc.dt * 1e-3);
    if (!isfinite(res->test_rmse)) rc = cli_fail(CLI_ERUN, "the run diverged (test error %g)", res->test_rmse);
    fig->t_pre = fc.t_min * fc.dt;
    fig->t_train1 = fig->t_test0 = fc.t_crit * fc.dt;
    fig->t_end = T * fc.dt;
    fig->raster_what = "reservoir";
    fig->no_phase_plane = c->kind == TG_ODE_TO_JOY;
out:
    elig_force_free(F);
    free(x);
    return rc;
}

/* ---------------------------------------------------------------- FOLLOW */

/* Is test step s in a "first second": of the test, or with trials (trial steps > 0) of every
 * trial, each of which starts from rest. */
static int first_s(long s, long trial, long n1) { return (trial ? s % trial : s) < n1; }

/* rms errors of an open-loop test pass: over the unclamped steps and over their first seconds;
 * the target's rms over the same steps. */
typedef struct {
    double rmse, rmse1, x_rms;
} follow_errs;

/* An open-loop pass over the test input v (n_test, nu) from rest. With R: each step recorded
 * at time t0 + s, and the moments of target and output added to mom; progress at t0 + s. */
static follow_errs follow_pass(elig_follow *F, const elig_real *v, long n_test, long trial, long n1, progress *pg,
                               recorder *R, long t0, results *mom)
{
    const elig_follow_cfg *c = elig_follow_get_cfg(F);
    const int d = c->sys->dim, nu = c->sys->n_u;
    double e = 0, e1 = 0, xx = 0;
    long m = 0, m1 = 0;
    elig_follow_reset(F);
    for (long s = 0; s < n_test; s++) {
        elig_follow_step(F, v + (size_t)s * nu, 0, 0);
        const elig_real *y = elig_follow_output(F), *x = elig_follow_reference(F);
        if (R) {
            int ns;
            const int *spk = elig_follow_spikes(F, 1, &ns);
            rec_step(R, t0 + s, c->dt, 'T', x, y, spk, ns);
        }
        if (pg) prog_step(pg, t0 + s);
        if (elig_follow_clamped(F)) continue;
        if (mom) moments_add(mom, d, x, y);
        const int f = first_s(s, trial, n1);
        for (int a = 0; a < d; a++) {
            const double q = ((double)y[a] - x[a]) * ((double)y[a] - x[a]);
            e += q;
            xx += (double)x[a] * x[a];
            if (f) e1 += q;
        }
        m++;
        m1 += f;
    }
    return (follow_errs){sqrt(e / ((double)m * d)), sqrt(e1 / ((double)m1 * d)), sqrt(xx / ((double)m * d))};
}

static int run_follow(dyn_cfg *c, int quiet, recorder *R, results *res, dyn_figure *fig)
{
    elig_follow_cfg wc = c->wc;
    const elig_ode_system *sys = follow_system(c->system);
    wc.sys = sys;
    wc.seed = c->seed;
    memcpy(wc.sys_params, c->params.v, sizeof(double) * (size_t)sys->n_params);
    memcpy(wc.x0, c->x0.v, sizeof(double) * (size_t)sys->dim);
    int st = elig_follow_check(&wc), rc = CLI_OK;
    if (st) return cli_lib_fail(st, "[follow]");
    const int d = sys->dim, nu = sys->n_u;
    const long n_train = lround(c->train * 1000.0 / wc.dt), n_test = lround(c->test * 1000.0 / wc.dt), T = n_train + n_test;
    if (n_train < 1) return cli_fail(CLI_EUSAGE, "phase.train = %g s is shorter than one step of follow.dt = %g ms", c->train, wc.dt);
    if (n_test < 1) return cli_fail(CLI_EUSAGE, "phase.test = %g s is shorter than one step of follow.dt = %g ms", c->test, wc.dt);
    long bound[MAXL + 1];
    double tot = 0;
    for (int i = 0; i < c->sched.n; i++) tot += c->sched.v[i];
    bound[0] = 0;
    for (int i = 0; i < c->sched.n; i++) {
        double acc = 0;
        for (int j = 0; j <= i; j++) acc += c->sched.v[j];
        bound[i + 1] = i + 1 == c->sched.n ? n_train : lround((double)n_train * acc / tot);
    }
    elig_real *u = cli_array(sizeof(elig_real), 2, (size_t)n_train, (size_t)nu);
    elig_real *v = cli_array(sizeof(elig_real), 2, (size_t)n_test, (size_t)nu);
    elig_follow *F = NULL;
    if (!u || !v) {
        rc = cli_fail(CLI_ERUN, "out of memory for the command input (%ld steps x %d)", T, nu);
        goto out;
    }
    const double *scale = c->dim_scale.n ? c->dim_scale.v : NULL;
    if ((st = elig_follow_command(&wc, n_train, c->period_ms, c->hold_ms, scale, c->seed + 101, u)) ||
        (st = elig_follow_command(&wc, n_test, c->period_ms, c->hold_ms, scale, c->seed + 202, v))) {
        rc = cli_lib_fail(st, "[target] command input");
        goto out;
    }
    if ((st = elig_follow_create(&wc, &F))) {
        rc = cli_lib_fail(st, "[follow]");
        goto out;
    }
    res->bytes = elig_follow_bytes(&wc);
    snprintf(res->model, sizeof res->model, "LIF %d (feed-forward) + %d (recurrent), dt %g ms", wc.n_ff, wc.n_rec, wc.dt);
    const long s10 = lround(10000.0 / wc.dt), s500 = lround(500.0 / wc.dt);
    if ((rc = rec_init(R, d, T, wc.dt, 500.0, n_train, n_train + s10, n_train, n_train + s500,
                       c->raster_n < wc.n_rec ? c->raster_n : wc.n_rec, n_train, T)))
        goto out;
    /* untrained: zero weights (as created), no feedback, the test input; errors are summed over
       the unclamped steps (all of them without trials) */
    const long n1 = n_test < lround(1000.0 / wc.dt) ? n_test : lround(1000.0 / wc.dt);
    const long trial = wc.trial_ms > 0 ? lround(wc.trial_ms / wc.dt) : 0;
    progress pg;
    prog_init(&pg, quiet, n_test, wc.dt, "follow untrained");
    follow_errs er = follow_pass(F, v, n_test, trial, n1, &pg, NULL, 0, NULL);
    res->untrained_rmse = er.rmse;
    res->untrained1_rmse = er.rmse1;
    res->target_rms = er.x_rms;
    elig_follow_reset(F);
    if (c->init == 1 && (st = elig_follow_ideal_weights(F))) { /* the FOLLOW code's initLearned */
        rc = cli_lib_fail(st, "[follow] init = ideal");
        goto out;
    }
    const double t0 = cli_now();
    prog_init(&pg, quiet, T, wc.dt, "follow");
    for (int p = 0; p < c->sched.n; p++) {
        elig_follow_set_eta(F, c->sched_eta.v[p]);
        elig_follow_set_k_fb(F, c->sched_k.v[p]);
        double e = 0;
        long mp = 0;
        for (long s = bound[p]; s < bound[p + 1]; s++) {
            elig_follow_step(F, u + (size_t)s * nu, 1, 1);
            const elig_real *y = elig_follow_output(F), *x = elig_follow_reference(F);
            if (!elig_follow_clamped(F)) {
                for (int a = 0; a < d; a++) e += ((double)y[a] - x[a]) * ((double)y[a] - x[a]);
                mp++;
            }
            int ns;
            const int *spk = elig_follow_spikes(F, 1, &ns);
            rec_step(R, s, wc.dt, 't', x, y, spk, ns);
            prog_step(&pg, s);
        }
        res->phase_err[p] = mp > 0 ? sqrt(e / ((double)mp * d)) : NAN;
    }
    res->train_rmse = res->phase_err[c->sched.n - 1];
    er = follow_pass(F, v, n_test, trial, n1, &pg, R, n_train, res); /* same input and trials as the untrained pass */
    res->wall = cli_now() - t0;
    res->steps = T;
    res->steps_per_s = res->wall > 0 ? T / res->wall : 0;
    res->test_rmse = er.rmse;
    res->test1_rmse = er.rmse1;
    /* the reference: the same test with the weights a NEF model would wire by hand */
    if ((st = elig_follow_ideal_weights(F))) {
        rc = cli_lib_fail(st, "[follow] ideal weights");
        goto out;
    }
    er = follow_pass(F, v, n_test, trial, n1, NULL, NULL, 0, NULL);
    res->ideal_rmse = er.rmse;
    res->ideal1_rmse = er.rmse1;
    res->rate_hz = (double)R->spikes / wc.n_rec / ((double)T * wc.dt * 1e-3);
    if (!isfinite(res->test_rmse)) rc = cli_fail(CLI_ERUN, "the run diverged (test error %g)", res->test_rmse);
    fig->t_pre = 0;
    fig->t_train1 = fig->t_test0 = n_train * wc.dt;
    fig->t_end = T * wc.dt;
    fig->raster_what = "recurrent layer";
out:
    elig_follow_free(F);
    free(u);
    free(v);
    return rc;
}

/* ---------------------------------------------------------------- command */

static void base_name(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, n, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && dot != out) *dot = '\0';
}

int cli_cmd_dyn(int argc, char **argv)
{
    const char *src = NULL, *out = NULL, *seed_s = NULL;
    int quiet = 0, dry = 0, rc, nov = 0;
    int *ov = cli_array(sizeof(int), 1, (size_t)argc);
    if (!ov) return cli_fail(CLI_ERUN, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        int r;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            free(ov);
            return CLI_OK;
        }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--dry-run")) {
            dry = 1;
            continue;
        }
        if ((r = cli_opt(argc, argv, &i, "--out", &val))) {
            if (r < 0) { free(ov); return CLI_EUSAGE; }
            out = val;
            continue;
        }
        if ((r = cli_opt(argc, argv, &i, "--seed", &val))) {
            if (r < 0) { free(ov); return CLI_EUSAGE; }
            seed_s = val;
            continue;
        }
        if (cli_is_override(a)) {
            ov[nov++] = i;
            continue;
        }
        if (a[0] == '-' || src) {
            free(ov);
            return cli_fail(CLI_EUSAGE, "dyn: unexpected argument '%s' (see `elig help dyn`)", a);
        }
        src = a;
    }
    if (!src) {
        free(ov);
        fputs(usage, stderr);
        return CLI_EUSAGE;
    }
    uint64_t seed = 0;
    if (seed_s && cli_parse_u64(seed_s, &seed)) {
        free(ov);
        return cli_fail(CLI_EUSAGE, "--seed '%s': expected a non-negative integer", seed_s);
    }
    dyn_cfg *c = cli_array(sizeof *c, 1, (size_t)1);
    entries E = {0};
    recorder R;
    memset(&R, 0, sizeof R);
    if (!c) {
        free(ov);
        return cli_fail(CLI_ERUN, "out of memory");
    }
    FILE *probe = fopen(src, "rb");
    const char *text = probe ? NULL : find_preset(src);
    if (probe) fclose(probe);
    if (probe) {
        rc = read_file(&E, src);
        snprintf(c->source, sizeof c->source, "%s", src);
        base_name(src, c->name, sizeof c->name);
    } else if (text) {
        char origin[300];
        snprintf(origin, sizeof origin, "<preset %s>", src);
        rc = read_text(&E, text, origin);
        snprintf(c->source, sizeof c->source, "built-in preset %s", src);
        snprintf(c->name, sizeof c->name, "%s", src);
    } else {
        rc = cli_fail(CLI_EUSAGE, "dyn: '%s' is neither a readable config file nor a preset (see `elig help dyn`)", src);
    }
    for (int i = 0; !rc && i < nov; i++) rc = add_override(&E, argv[ov[i]]);
    if (!rc) rc = resolve(c, &E, seed_s ? &seed : NULL, out);
    if (!rc) rc = validate(c);
    if (!rc && c->rule == RULE_FORCE) c->fc.k = target_dim(c); /* resolved: k = 0 means the target's */
    char path[CLI_PATH];
    if (!rc) rc = cli_mkdirs(c->out);
    if (!rc) rc = cli_join(path, sizeof path, c->out, "config.resolved");
    if (!rc) rc = write_resolved(c, path);
    if (!rc && dry) {
        printf("%s\n", path);
        rec_free(&R);
        entries_free(&E);
        free(c);
        free(ov);
        return CLI_OK;
    }
    results res;
    memset(&res, 0, sizeof res);
    dyn_figure fig;
    memset(&fig, 0, sizeof fig);
    if (!rc) {
        if (!quiet) fprintf(stderr, "elig dyn: %s (%s) -> %s\n", c->name, c->rule == RULE_FORCE ? "FORCE" : "FOLLOW", c->out);
        rc = c->rule == RULE_FORCE ? run_force(c, quiet, &R, &res, &fig) : run_follow(c, quiet, &R, &res, &fig);
    }
    if (!rc) rc = cli_join(path, sizeof path, c->out, "series.csv");
    if (!rc) rc = write_series(&R, path);
    if (!rc) {
        char tmp[CLI_PATH + 8];
        rc = cli_join(path, sizeof path, c->out, "summary.txt");
        FILE *f = rc ? NULL : cli_atomic_open(path, tmp, sizeof tmp);
        if (!rc && !f) rc = CLI_ERUN;
        if (!rc) {
            write_summary(c, &res, f);
            rc = cli_atomic_close(f, tmp, path);
        }
    }
    char line[512], ideal[64] = "", fline[600];
    if (!rc) {
        snprintf(line, sizeof line, "test rmse %.3g (first s %.3g) vs untrained %.3g", res.test_rmse, res.test1_rmse,
                 res.untrained_rmse);
        if (c->rule == RULE_FOLLOW) snprintf(ideal, sizeof ideal, "; hand-wired weights %.3g", res.ideal_rmse);
        snprintf(fline, sizeof fline, "%s%s", line, ideal);
        rc = cli_join(path, sizeof path, c->out, "figure.png");
    }
    if (!rc) {
        char model[64];
        if (c->rule == RULE_FORCE) snprintf(model, sizeof model, "%s N %d", model_names[c->fc.model], c->fc.n);
        else snprintf(model, sizeof model, "LIF %d + %d", c->wc.n_ff, c->wc.n_rec);
        fig.path = path;
        fig.title = c->name;
        fig.rule = c->rule == RULE_FORCE ? "FORCE" : "FOLLOW";
        fig.model = model;
        fig.k = R.k;
        fig.n = R.n;
        fig.t = R.t;
        fig.target = R.tg;
        fig.output = R.out;
        fig.err = R.err;
        fig.err_tau_ms = c->rule == RULE_FORCE ? 50.0 : 500.0;
        fig.nz = R.nz;
        fig.tz = R.tz;
        fig.target_z = R.tgz;
        fig.output_z = R.outz;
        fig.n_ev = R.n_ev;
        fig.ev_t = R.ev_t;
        fig.ev_i = R.ev_i;
        fig.raster_n = R.raster_n;
        fig.raster_t0 = (double)R.r0 * (c->rule == RULE_FORCE ? c->fc.dt : c->wc.dt);
        fig.raster_t1 = (double)R.r1 * (c->rule == RULE_FORCE ? c->fc.dt : c->wc.dt);
        fig.npp = R.npp;
        fig.pp_target = R.pp_tg;
        fig.pp_output = R.pp_out;
        fig.result = fline;
        rc = cli_plot_dyn(&fig);
    }
    if (!rc)
        printf("%s: %s (%.3gx lower)%s, test nrmse %.3g; %.1f s wall; %s\n", c->name, line, res.untrained_rmse / res.test_rmse,
               ideal, res.test_rmse / res.target_rms, res.wall, c->out);
    rec_free(&R);
    entries_free(&E);
    free(c);
    free(ov);
    return rc;
}
