/* cli.h -- the `elig` command-line tool: what the modules in cli/ share.
 *
 * Error convention: every function here that can fail prints exactly one message
 * ("elig: ...") to stderr and returns the process exit code, so callers only propagate it:
 *
 *   CLI_OK     0  success
 *   CLI_ERUN   1  runtime error: I/O, memory, a malformed data file, a diverged run
 *   CLI_EUSAGE 2  usage or configuration error: command line, config file, or a value the
 *                 library's validation rejects (elig_net_check and the create functions)
 *
 * The library never prints; everything the user sees comes from cli/.
 */
#ifndef ELIG_CLI_H
#define ELIG_CLI_H

#include "elig.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_ERUN = 1, CLI_EUSAGE = 2 };

/* [run] fidelity: the exact method the training rule's gradient is compared with. */
enum { CLI_FIDELITY_NONE = 0, CLI_FIDELITY_BPTT = 1, CLI_FIDELITY_RTRL = 2 };

#define CLI_PATH 4096      /* longest path a config may name, including the NUL */
#define CLI_MAX_TENSORS (3 * ELIG_MAX_LAYERS + 2)

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------ util.c */

/* Print "elig: <message>" to stderr and return code. */
int cli_fail(int code, const char *fmt, ...) CLI_PRINTF(2, 3);
/* A library call failed with status: print "elig: <what>: <elig_last_error()>" and return
 * CLI_EUSAGE for configuration errors (EINVAL, EUNSUPPORTED, ELIMIT), CLI_ERUN otherwise. */
int cli_lib_fail(int status, const char *what);
/* calloc of prod(dims) * elem bytes with every multiplication checked; NULL on overflow or
 * failure. ndim size_t arguments follow. */
void *cli_array(size_t elem, int ndim, ...);
double cli_now(void);                               /* monotonic seconds */
/* out = dir/name; CLI_EUSAGE if it does not fit. */
int cli_join(char *out, size_t n, const char *dir, const char *name);
int cli_mkdirs(const char *path);                   /* mkdir -p */
/* Atomic text output: open "<path>.tmp", write, then cli_atomic_close renames it over path
 * (after fflush + fsync), or removes the temporary on any error. */
FILE *cli_atomic_open(const char *path, char *tmp, size_t tmp_len);
int cli_atomic_close(FILE *f, const char *tmp, const char *path);
/* Copy src into dst[n]; 0 if it fits, -1 otherwise (dst then holds a truncated copy). */
int cli_copy(char *dst, size_t n, const char *src);
/* Parse helpers: whole string, no trailing garbage; 0 ok, -1 otherwise. */
int cli_parse_int(const char *s, int *out);
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_real(const char *s, double *out);     /* finite values only */
/* Shortest "%.Ng" (N = 15..17) that reads back to exactly v. */
void cli_format_real(char *out, size_t n, double v);
const char *cli_precision_name(void);               /* "float32" or "float64" */
/* Option with a value, as "--name VALUE" or "--name=VALUE": returns 1 and sets *val if
 * argv[*i] is this option (advancing *i over a separate value), 0 if it is another argument,
 * -1 (message printed) if the value is missing. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **val);
/* An override "section.key=value" (a '.' before the first '=', not starting with '-'). */
int cli_is_override(const char *arg);

/* ------------------------------------------------------------------ config.c */

typedef struct cli_entry cli_entry;

/* [task] kind = dataset (a CLI-level kind after the library's elig_task_kind values): a
 * classification data set from [data], trained in epochs by cli/classify.c. */
enum { CLI_TASK_DATASET = 6 };
enum { CLI_SRC_YINYANG, CLI_SRC_RANDMAN, CLI_SRC_BRAILLE, CLI_SRC_FSDD, CLI_SRC_SHD, CLI_SRC_NMNIST, CLI_SRC_FASHION, CLI_SRC_NPY };
enum { CLI_SCHED_NONE, CLI_SCHED_STEP, CLI_SCHED_COSINE };

typedef struct {
    int source;                      /* CLI_SRC_* */
    char path[CLI_PATH];             /* file or directory; "" = the source's default       */
    char labels[CLI_PATH];           /* npy: labels .npy (N,)                               */
    int n_classes;                   /* npy: classes                                        */
    int steps;                       /* encoding steps; 0 = the source's default            */
    double thr, tau_eff;             /* TTFS (images)                                       */
    double t_max;                    /* yinyang: latest input spike, fraction of steps      */
    double theta;                    /* sigma-delta threshold (braille)                     */
    int repeat;                      /* braille: steps per sample of the taxel signal       */
    int rm_dim, rm_classes, rm_units, rm_spikes, rm_samples;
    uint64_t seed;                   /* data generation and the seeded split                */
    double val_frac, test_frac;      /* seeded split where no published one exists          */
    int max_train, max_eval;         /* caps on the training / each evaluation split; 0 = all */
    int channels;                    /* fsdd: audio front-end channels                      */
    double bin_ms;                   /* fsdd, shd, nmnist: time per step (0 = the source's) */
    int n_units;                     /* shd: input units (0 = 700 or the files' largest id) */
} cli_data_cfg;

typedef struct cli_config {
    /* [run] */
    int iterations;
    uint64_t seed;
    char out[CLI_PATH];              /* run directory, relative to the working directory */
    int log_every, update_every, save_every;
    int fidelity;                    /* cli_fidelity: exact gradient computed alongside      */
    int epochs, patience;            /* kind = dataset: epochs; early stopping (0 = none)   */
    /* [task]; paths are absolute after resolve */
    elig_task_cfg task;
    char inputs[CLI_PATH], targets[CLI_PATH], labels[CLI_PATH];
    int n_classes;
    int filter_target;               /* spike_timing: filter the target with the readout kernel */
    /* [net], [layer0].. ; n_in, n_out come from the task */
    elig_net_cfg net;
    /* [learner]; [loss] lives in learner.loss; max_steps comes from the task */
    elig_learner_cfg learner;
    char rule_name[32];              /* the preset (or raw rule) [learner] rule names */
    /* [optim] */
    elig_optim_cfg optim;
    int schedule, step_every;        /* CLI_SCHED_*, epochs between step decays            */
    double gamma;                    /* step: lr *= gamma every step_every epochs          */
    /* [data] (kind = dataset) */
    cli_data_cfg data;
    /* [init]: .npy files replacing initial weights ("" = none), absolute after resolve */
    char init_w_in[ELIG_MAX_LAYERS][CLI_PATH], init_w_rec[ELIG_MAX_LAYERS][CLI_PATH];
    char init_bias[ELIG_MAX_LAYERS][CLI_PATH], init_fb[ELIG_MAX_LAYERS][CLI_PATH];
    char init_w_out[CLI_PATH], init_b_out[CLI_PATH];
    /* provenance */
    char source[CLI_PATH];           /* config file, or "<built-in NAME>"             */
    char name[256];                  /* base name without extension: default run name */
    char dir[CLI_PATH];              /* directory relative paths are taken from       */
    /* bookkeeping */
    unsigned loss_set;               /* bit per [loss] key given explicitly           */
    int task_resolved;               /* 1 after cli_config_apply_task                 */
    cli_entry *entries;              /* (n_entries) every assignment, in order        */
    int n_entries, cap_entries;
} cli_config;

/* Heap-allocate an empty config (it is large); NULL if out of memory. */
cli_config *cli_config_new(void);
void cli_config_free(cli_config *c);
/* Collect assignments from a file or from text. Unknown sections and keys are reported here
 * with FILE:LINE. Values are parsed by cli_config_resolve. */
int cli_config_read_file(cli_config *c, const char *path);
int cli_config_read_text(cli_config *c, const char *text, const char *origin);
/* "section.key=value" from the command line; origin names it in messages. */
int cli_config_override(cli_config *c, const char *assignment, const char *origin);
int cli_config_set(cli_config *c, const char *section, const char *key, const char *value, const char *origin);
/* Apply defaults, then every assignment in order (later ones win). reseed: re-derive the
 * task, net and learner seeds from [run] seed even if the config names them (--seed). */
int cli_config_resolve(cli_config *c, int reseed);
/* After the task exists: n_in, n_out, max_steps, and the [loss] keys not given. */
void cli_config_apply_task(cli_config *c, const elig_task *task);
/* Set lc's rule by name: the preset elig_learner_preset(name) if there is one (it sets the
 * rule and the fields that define it, keeping the rest), else the raw rule of that name.
 * 0 ok, -1 unknown name. */
int cli_apply_rule(const char *name, elig_learner_cfg *lc);
/* Every name cli_apply_rule accepts, joined by sep. */
void cli_rule_names(char *out, size_t n, const char *sep);
/* Every key with its final value, loadable as a config. */
int cli_config_write(const cli_config *c, FILE *f);
/* The key reference: plain text, or a Markdown table. */
void cli_config_print_keys(FILE *f, int markdown);

/* ------------------------------------------------------------------ setup.c */

typedef struct {
    char name[16];                   /* "w_in0", "w_rec0", "bias0", "w_out", "b_out" */
    elig_tensor which;
    int layer;
    size_t off;                      /* into elig_net_params */
    int rows, cols;
} cli_tensor;

/* The tensors present in net, in parameter order. Returns how many. */
int cli_tensors(const elig_net *net, cli_tensor *out);
/* Task from the config ([task] kind = array reads the .npy files), then
 * cli_config_apply_task. */
int cli_make_task(cli_config *c, elig_task **out);
/* Array task from files given on the command line (elig grad); labels or targets. */
int cli_make_array_task(const char *inputs, const char *targets, const char *labels, int n_classes,
                        elig_task **out, int *n_seq);
/* Validate and create the network, then load the [init] weight files. */
int cli_make_net(const cli_config *c, elig_net **out);
/* Learner with the config's [learner] settings -- or, when method is given, those with the
 * preset or rule of that name applied on top -- then the [init] feedback files. */
int cli_make_learner(const cli_config *c, elig_net *net, const char *method, elig_learner **out);
int cli_make_optim(const cli_config *c, const elig_net *net, elig_optim **out);
/* Write every tensor of params (the net's own when NULL) as dir/<prefix><name>.npy, and the
 * feedback matrices fbK.npy when L is given and has them. */
int cli_save_tensors(const char *dir, const char *prefix, const elig_net *net, const elig_real *params,
                     elig_learner *L);
/* Compare a gradient g with a reference ref (n entries), in double: rel = max |g - ref| /
 * max |ref| (0 if both are zero, inf if only ref is), cosine = <g, ref> / (|g| |ref|) (NaN if
 * either is zero), norm_ratio (may be NULL) = |g| / |ref| (NaN if both are zero). */
void cli_compare_grad(const elig_real *ref, const elig_real *g, size_t n, double *rel, double *cosine, double *norm_ratio);
/* Loss window [*b0, *b1) in steps, resolved as elig_loss_cfg documents. */
void cli_loss_window(const elig_loss_cfg *lc, int T, int *b0, int *b1);

/* ------------------------------------------------------------------ progress.c */

typedef struct {
    int total, log_every, quiet, tty, classification;
    int level;                       /* > 0: copy-task level, shown on the line (set before update) */
    double t0, last_draw;
    int drawn;                       /* a bar is on screen (needs a newline at the end) */
} cli_progress;

void cli_progress_init(cli_progress *p, int total, int log_every, int quiet, int classification);
/* it counts from 1; acc is ignored for regression. */
void cli_progress_update(cli_progress *p, int it, double loss, double acc, double rate_hz);
void cli_progress_done(cli_progress *p);
void cli_format_duration(char *out, size_t n, double seconds);

/* ------------------------------------------------------------------ plot.c */

typedef struct {
    const char *path;                /* final .png path (written to a temporary, renamed) */
    const char *title;               /* run name */
    int n_iter;
    const double *loss;              /* (n_iter) */
    int T;                           /* steps of the last iteration's sequences          */
    double dt;                       /* ms */
    int n_out;
    const elig_real *y;              /* readout of sequence 0: y[t * y_stride + k]  */
    size_t y_stride;
    const elig_real *target;         /* target of sequence 0: target[t * n_out + k] */
    int classification, label;       /* label of sequence 0 (classification)        */
    int win_begin, win_end;          /* loss window in steps, resolved              */
    int n_neurons;                   /* layer 0 */
    int spiking;
    const elig_real *spikes;         /* (T, n_neurons) layer 0 activity of sequence 0 */
    int layer0_panel;                /* 0: leave out the layer-0 panel (it would repeat the output raster) */
    /* copy task: the readout panel shows p(bit = 1) = softmax(y)_1 against the recall bits,
     * and a panel shows the curriculum level (and the recall accuracy) per iteration */
    int copy;
    const int *level;                /* (n_iter) or NULL */
    const double *acc;               /* (n_iter) recall accuracy, or NULL */
    /* spike timing: the output layer's raster against the target spike times */
    int n_outl;                      /* neurons of the output (last) layer; 0 = no panel */
    const elig_real *out_spikes;     /* (T, n_outl) of sequence 0 */
    const elig_real *target_spikes;  /* (T, n_out) raw 0/1 target train of sequence 0 */
    /* gradient fidelity: cosine with the exact gradient per iteration and tensor */
    int n_fid;                       /* tensors; 0 = no panel */
    const char (*fid_names)[16];     /* (n_fid) */
    const double *fid_cos;           /* (n_iter, n_fid); NaN where undefined */
    const char *fid_method;          /* "bptt" or "rtrl" */
    const char *rule;                /* the training rule, for the fidelity panel's title */
    /* classification in epochs: accuracy per epoch (n_iter = epochs) and the test confusion */
    const double *train_acc, *val_acc; /* (n_iter) fractions, or NULL                     */
    const long *conf;                /* (n_classes, n_classes) rows true, columns predicted */
    int n_classes;
    int epochs;                      /* 1: n_iter counts epochs and the readout is a test sample */
} cli_figure;

int cli_plot_figure(const cli_figure *f);

/* What the figure modules (plot.c, plot_dyn.c) share: open a w x h pngcairo page writing tmp,
 * colour map 0 from rgb (n entries), PLplot's fatal errors reported as "elig: PLplot failed";
 * then cli_plot_close: plend(), and tmp renamed over path when rc == 0 (the figure appears
 * whole or not at all), else removed; returns rc or the error. */
void cli_plot_open(const char *tmp, int w, int h, const int (*rgb)[3], int n);
int cli_plot_close(const char *tmp, const char *path, int rc);

/* The benchmark table's figure (elig suite): accuracy bars per benchmark and rule with the
 * seed spread, seconds per run, and the learner's memory against sequence length. */
typedef struct {
    const char *path;
    int n_bench, n_rule, seeds;
    const char *const *bench, *const *rule;  /* names                                        */
    const double *acc_mean, *acc_std;        /* (n_bench, n_rule) test accuracy %, NaN = none */
    const double *seconds;                   /* (n_bench, n_rule) mean wall seconds per run   */
    int n_T;
    const int *T;                            /* (n_T) sequence lengths                        */
    const double *mem;                       /* (n_rule, n_T) learner bytes, NaN = none       */
} cli_suite_figure;

int cli_plot_suite(const cli_suite_figure *f);

/* ------------------------------------------------------------------ commands */

int cli_cmd_train(int argc, char **argv);
int cli_cmd_grad(int argc, char **argv);
int cli_cmd_bench(int argc, char **argv);
int cli_cmd_suite(int argc, char **argv);
int cli_cmd_data(int argc, char **argv);
/* classify.c: [task] kind = dataset, epochs over a data set's training split. */
int cli_train_dataset(cli_config *c, int quiet);

/* The built-in network of `elig bench` without a config (examples/eprop_pattern.cfg's). */
extern const char cli_builtin_eprop_pattern[];

#endif
