/* config.c -- the elig config file: an INI-like list of `key = value` lines in [sections].
 *
 * Two passes. Reading (file, built-in text, command-line overrides) only splits lines and
 * checks that every section and key exists, so an unknown key is reported with FILE:LINE.
 * Resolving then starts from the library's *_default() configs -- chosen by [task] kind and by
 * each layer's model, which therefore are looked at first -- and applies every assignment in
 * order, so a later one (an override) wins. One table below describes every key: its
 * section, type, where it is stored, and its meaning; the parser, `config.resolved`,
 * `elig help config` and docs/cli.md all come from it.
 *
 * Relative paths of input files ([task] inputs/targets/labels, [init]) are taken from the
 * config file's directory (overrides: the working directory) and stored absolute, so that a
 * run's config.resolved loads from anywhere. [run] out is relative to the working directory.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { S_RUN, S_TASK, S_NET, S_LAYER, S_LEARNER, S_LOSS, S_OPTIM, S_INIT, S_DATA, S_COUNT };
static const char *const sect_names[S_COUNT] = {"run", "task", "net", "layer", "learner", "loss", "optim", "init", "data"};

typedef enum { K_INT, K_U64, K_REAL, K_BOOL, K_BYTES, K_STR, K_PATH, K_ENUM, K_MODEL, K_SURR, K_RULE, K_LOSS } ktype;

typedef struct {
    int sect;
    const char *key;
    ktype type;
    size_t off;                /* into cli_config, or into elig_layer_cfg for [layerK]   */
    const char *const *names;  /* K_ENUM: value i is names[i]; NULL-terminated            */
    int indexed;               /* [init] keys named key0..key7, one per layer             */
    const char *unit;
    const char *doc;
} keydef;

/* Indices are the library's enum values (elig_task_kind, elig_init, elig_optim_kind). */
static const char *const names_task[] = {"pattern", "evidence", "array", "periodic", "spike_timing", "copy", "dataset", NULL};
static const char *const names_reset[] = {"subtract", "zero", NULL};
static const char *const names_init[] = {"normal", "glorot", "zero", NULL};
static const char *const names_out_init[] = {"normal", "glorot", "zero", "identity", NULL};
static const char *const names_fb[] = {"symmetric", "random", "adaptive", "uniform", NULL};
static const char *const names_infl[] = {"block", "pre", NULL};
static const char *const names_signal[] = {"feedback", "exact", "local", NULL};
static const char *const names_time[] = {"sum", "mean", NULL};
static const char *const names_optim[] = {"sgd", "adam", "rmax", NULL};
static const char *const names_model[] = {"lif", "lif_cuba", "alif", "rate", "decolle", NULL};
static const char *const names_fidelity[] = {"none", "bptt", "rtrl", NULL};
static const char *const names_surr[] = {"pwl", "fast_sigmoid", "exp", "atan", NULL};
static const char *const names_source[] = {"yinyang", "randman", "braille", "fsdd", "shd", "nmnist", "fashion_mnist", "npy", NULL};
static const char *const names_sched[] = {"none", "step", "cosine", NULL};
static const char *const names_loss[] = {"mse", "ce", "ce_mean", "ce_max", "smooth_l1", NULL};

#define CO(f) offsetof(cli_config, f)
#define LO(f) offsetof(elig_layer_cfg, f)

static const keydef keys[] = {
    {S_RUN, "iterations", K_INT, CO(iterations), NULL, 0, "", "training iterations (one batch of sequences each)"},
    {S_RUN, "seed", K_U64, CO(seed), NULL, 0, "", "base seed; [task], [net] and [learner] seed derive from it unless given"},
    {S_RUN, "out", K_STR, CO(out), NULL, 0, "", "run directory, relative to the working directory"},
    {S_RUN, "log_every", K_INT, CO(log_every), NULL, 0, "", "iterations between log lines when stderr is not a terminal"},
    {S_RUN, "update_every", K_INT, CO(update_every), NULL, 0, "steps", "steps between optimiser updates within a sequence; 0 = once per sequence (online rules only)"},
    {S_RUN, "save_every", K_INT, CO(save_every), NULL, 0, "", "iterations between checkpoints of weights and metrics.csv; 0 = at the end only"},
    {S_RUN, "fidelity", K_ENUM, CO(fidelity), names_fidelity, 0, "", "gradient-fidelity meter: each iteration also computes the exact gradient of the same batch (bptt or rtrl) and writes fidelity.csv (update_every = 0 only)"},
    {S_RUN, "epochs", K_INT, CO(epochs), NULL, 0, "", "kind = dataset: passes over the training split (shuffled mini-batches, reshuffled each epoch)"},
    {S_RUN, "patience", K_INT, CO(patience), NULL, 0, "", "kind = dataset: stop after this many epochs without a better validation accuracy (best parameters kept); 0 = never"},

    {S_TASK, "kind", K_ENUM, CO(task.kind), names_task, 0, "", "task generator; picks the defaults of the other [task] keys"},
    {S_TASK, "seed", K_U64, CO(task.seed), NULL, 0, "", "task seed (frozen pattern and spike-timing inputs and targets, evidence trials, copy bits)"},
    {S_TASK, "dt", K_REAL, CO(task.dt), NULL, 0, "ms", "time step; must equal [net] dt (default: [net] dt)"},
    {S_TASK, "n_in", K_INT, CO(task.pg_n_in), NULL, 0, "", "pattern: input channels"},
    {S_TASK, "n_out", K_INT, CO(task.pg_n_out), NULL, 0, "", "pattern: target channels (readouts)"},
    {S_TASK, "steps", K_INT, CO(task.pg_steps), NULL, 0, "steps", "pattern: sequence length"},
    {S_TASK, "rate_hz", K_REAL, CO(task.pg_rate_hz), NULL, 0, "Hz", "pattern: Poisson rate of the frozen inputs"},
    {S_TASK, "cues", K_INT, CO(task.ea_n_cues), NULL, 0, "", "evidence: cues per trial"},
    {S_TASK, "group", K_INT, CO(task.ea_group), NULL, 0, "", "evidence: channels per input group (left, right, recall, noise)"},
    {S_TASK, "cue_ms", K_REAL, CO(task.ea_cue_ms), NULL, 0, "ms", "evidence: duration of one cue"},
    {S_TASK, "gap_ms", K_REAL, CO(task.ea_gap_ms), NULL, 0, "ms", "evidence: pause before each cue"},
    {S_TASK, "delay_ms", K_REAL, CO(task.ea_delay_ms), NULL, 0, "ms", "evidence: delay between the last cue and the recall"},
    {S_TASK, "recall_ms", K_REAL, CO(task.ea_recall_ms), NULL, 0, "ms", "evidence: recall window (the loss window)"},
    {S_TASK, "f0_hz", K_REAL, CO(task.ea_f0_hz), NULL, 0, "Hz", "evidence: rate of active cue and recall channels"},
    {S_TASK, "noise_hz", K_REAL, CO(task.ea_noise_hz), NULL, 0, "Hz", "evidence: rate of the background channels"},
    {S_TASK, "p_major", K_REAL, CO(task.ea_p_major), NULL, 0, "", "evidence: probability that a cue is on the majority side"},
    {S_TASK, "pe_period", K_INT, CO(task.pe_period), NULL, 0, "steps", "periodic: period P of y* = sin(2 pi t/P) + 0.5 sin(4 pi t/P) + 0.25 sin(8 pi t/P); >= 9"},
    {S_TASK, "pe_steps", K_INT, CO(task.pe_steps), NULL, 0, "steps", "periodic: sequence length (no input: one channel held at 0)"},
    {S_TASK, "st_n_in", K_INT, CO(task.st_n_in), NULL, 0, "", "spike_timing: frozen Poisson input channels"},
    {S_TASK, "st_n_out", K_INT, CO(task.st_n_out), NULL, 0, "", "spike_timing: outputs, each with its own target spike times"},
    {S_TASK, "st_steps", K_INT, CO(task.st_steps), NULL, 0, "steps", "spike_timing: sequence length"},
    {S_TASK, "st_rate_hz", K_REAL, CO(task.st_rate_hz), NULL, 0, "Hz", "spike_timing: Poisson rate of the frozen inputs"},
    {S_TASK, "st_n_spikes", K_INT, CO(task.st_n_spikes), NULL, 0, "", "spike_timing: target spikes per output"},
    {S_TASK, "st_min_gap", K_INT, CO(task.st_min_gap), NULL, 0, "steps", "spike_timing: first target time and gap between target times at least this"},
    {S_TASK, "filter_target", K_BOOL, CO(filter_target), NULL, 0, "", "spike_timing: filter the target spike train with the readout's kernel ([net] tau_out, tau_out2, out_leak_scale) so that MSE is the van Rossum distance"},
    {S_TASK, "cp_level0", K_INT, CO(task.cp_level0), NULL, 0, "", "copy: first level L (string length; T = 2 L + 1 steps)"},
    {S_TASK, "cp_max_level", K_INT, CO(task.cp_max_level), NULL, 0, "", "copy: highest level; buffers and the learner are sized for T = 2 cp_max_level + 1"},
    {S_TASK, "cp_threshold", K_REAL, CO(task.cp_threshold), NULL, 0, "bits", "copy: the level rises when the mean CE per recall step falls below this"},
    {S_TASK, "inputs", K_PATH, CO(inputs), NULL, 0, "", "array: .npy (n_seq, T, n_in) input sequences"},
    {S_TASK, "targets", K_PATH, CO(targets), NULL, 0, "", "array: .npy (n_seq, T, n_out) targets (regression, MSE)"},
    {S_TASK, "labels", K_PATH, CO(labels), NULL, 0, "", "array: .npy (n_seq,) integer labels (classification; instead of targets)"},
    {S_TASK, "n_classes", K_INT, CO(n_classes), NULL, 0, "", "array with labels: number of classes (= readouts)"},

    {S_NET, "dt", K_REAL, CO(net.dt), NULL, 0, "ms", "simulation time step"},
    {S_NET, "batch", K_INT, CO(net.batch), NULL, 0, "", "sequences per iteration, stepped together"},
    {S_NET, "tau_out", K_REAL, CO(net.tau_out), NULL, 0, "ms", "readout time constant; 0 = memoryless"},
    {S_NET, "out_leak_scale", K_BOOL, CO(net.out_leak_scale), NULL, 0, "", "1: y <- kappa y + (1 - kappa) W_out z + b; 0: without (1 - kappa)"},
    {S_NET, "out_bias", K_BOOL, CO(net.out_bias), NULL, 0, "", "trainable readout bias b_out"},
    {S_NET, "tau_out2", K_REAL, CO(net.tau_out2), NULL, 0, "ms", "> 0: second readout stage y2 <- kappa2 y2 + s2 y (double-exponential kernel, van Rossum / SuperSpike); 0 = none"},
    {S_NET, "out_trainable", K_BOOL, CO(net.out_trainable), NULL, 0, "", "0: W_out and b_out stay fixed (no gradient)"},
    {S_NET, "out_init", K_ENUM, CO(net.out_init), names_out_init, 0, "", "initialiser of W_out; identity (W_out = out_gain I) needs n_out = n of the last layer"},
    {S_NET, "out_gain", K_REAL, CO(net.out_gain), NULL, 0, "", "gain of the W_out initialiser"},
    {S_NET, "seed", K_U64, CO(net.seed), NULL, 0, "", "seed of the initial weights and connectivity masks"},
    {S_NET, "mem_limit", K_BYTES, CO(net.mem_limit), NULL, 0, "bytes", "fail at create above this many bytes; 0 = no limit (suffixes k, M, G)"},

    {S_LAYER, "n", K_INT, LO(n), NULL, 0, "", "neurons"},
    {S_LAYER, "model", K_MODEL, LO(model), names_model, 0, "", "neuron model; picks the defaults of the other neuron keys"},
    {S_LAYER, "tau_mem", K_REAL, LO(neuron.tau_mem), NULL, 0, "ms", "membrane (or rate-unit) time constant"},
    {S_LAYER, "tau_syn", K_REAL, LO(neuron.tau_syn), NULL, 0, "ms", "synaptic current time constant (lif_cuba)"},
    {S_LAYER, "tau_adapt", K_REAL, LO(neuron.tau_adapt), NULL, 0, "ms", "threshold adaptation time constant (alif)"},
    {S_LAYER, "beta_adapt", K_REAL, LO(neuron.beta_adapt), NULL, 0, "", "adaptation strength: threshold v_th + beta_adapt a (alif)"},
    {S_LAYER, "adapt_fraction", K_REAL, LO(neuron.adapt_fraction), NULL, 0, "", "alif: the last round(f n) neurons adapt, the others do not"},
    {S_LAYER, "v_th", K_REAL, LO(neuron.v_th), NULL, 0, "", "(baseline) threshold"},
    {S_LAYER, "t_ref", K_REAL, LO(neuron.t_ref), NULL, 0, "ms", "refractory period: round(t_ref / dt) silent steps after a spike"},
    {S_LAYER, "reset", K_ENUM, LO(neuron.reset), names_reset, 0, "", "after a spike: subtract v_th, or set the membrane to zero"},
    {S_LAYER, "detach_reset", K_BOOL, LO(neuron.detach_reset), NULL, 0, "", "the reset path carries no gradient (exact rules)"},
    {S_LAYER, "input_leak_scale", K_BOOL, LO(neuron.input_leak_scale), NULL, 0, "", "input scaled by (1 - decay) instead of 1"},
    {S_LAYER, "adapt_leak_scale", K_BOOL, LO(neuron.adapt_leak_scale), NULL, 0, "", "alif: a <- rho a + (1 - rho) z instead of a <- rho a + z"},
    {S_LAYER, "spike_per_dt", K_BOOL, LO(neuron.spike_per_dt), NULL, 0, "", "spikes of height 1/dt (e-prop code convention)"},
    {S_LAYER, "tau_rp", K_REAL, LO(neuron.tau_rp), NULL, 0, "ms", "decolle: refractory trace time constant"},
    {S_LAYER, "h0", K_REAL, LO(neuron.h0), NULL, 0, "", "rate: state (and output) at the start of every sequence (RFLO notebook: 0.1)"},
    {S_LAYER, "w_rp", K_REAL, LO(neuron.w_rp), NULL, 0, "", "decolle: refractory trace weight"},
    {S_LAYER, "surrogate", K_SURR, LO(neuron.surrogate), names_surr, 0, "", "surrogate derivative; naming one sets its default sg_gamma, sg_beta"},
    {S_LAYER, "sg_gamma", K_REAL, LO(neuron.sg_gamma), NULL, 0, "", "surrogate height"},
    {S_LAYER, "sg_beta", K_REAL, LO(neuron.sg_beta), NULL, 0, "", "surrogate steepness"},
    {S_LAYER, "recurrent", K_BOOL, LO(recurrent), NULL, 0, "", "recurrent weights W_rec (n, n)"},
    {S_LAYER, "autapses", K_BOOL, LO(autapses), NULL, 0, "", "allow self-connections (the W_rec diagonal)"},
    {S_LAYER, "rec_density", K_REAL, LO(rec_density), NULL, 0, "", "fraction of recurrent connections present, (0, 1]"},
    {S_LAYER, "bias", K_BOOL, LO(bias), NULL, 0, "", "trainable bias"},
    {S_LAYER, "init", K_ENUM, LO(init), names_init, 0, "", "initialiser of W_in and W_rec"},
    {S_LAYER, "in_gain", K_REAL, LO(in_gain), NULL, 0, "", "gain of the W_in initialiser"},
    {S_LAYER, "rec_gain", K_REAL, LO(rec_gain), NULL, 0, "", "gain of the W_rec initialiser"},

    {S_LEARNER, "rule", K_RULE, CO(rule_name), NULL, 0, "", "learning rule: a preset (elig_learner_preset), applied before the other [learner] keys, or the raw rule trace"},
    {S_LEARNER, "snap_n", K_INT, CO(learner.snap_n), NULL, 0, "", "rtrl: 0 = full RTRL, n >= 1 = SnAp-n structural sparsification"},
    {S_LEARNER, "influence", K_ENUM, CO(learner.influence), names_infl, 0, "", "trace: influence kept, neuron-local block (eligibility vectors) or presynaptic traces only"},
    {S_LEARNER, "keep_reset", K_BOOL, CO(learner.keep_reset), NULL, 0, "", "trace: the reset path (and autapse) stay in the local block"},
    {S_LEARNER, "signal", K_ENUM, CO(learner.signal), names_signal, 0, "", "trace: learning signal, feedback weights, exact spatial gradient, or local readouts"},
    {S_LEARNER, "local_gain", K_REAL, CO(learner.local_gain), NULL, 0, "", "signal local: readouts G ~ U(-a, a)/sqrt(n), a = local_gain"},
    {S_LEARNER, "local_loss", K_LOSS, CO(learner.local_loss), names_loss, 0, "", "signal local: per-layer loss"},
    {S_LEARNER, "feedback", K_ENUM, CO(learner.feedback), names_fb, 0, "", "signal feedback: W_out^T (symmetric), fixed random, adaptive, or uniform"},
    {S_LEARNER, "fb_gain", K_REAL, CO(learner.fb_gain), NULL, 0, "", "random/adaptive feedback: B ~ fb_gain N(0,1) (/ sqrt(n) if fb_scaled)"},
    {S_LEARNER, "fb_scaled", K_BOOL, CO(learner.fb_scaled), NULL, 0, "", "divide the random feedback by sqrt(layer size)"},
    {S_LEARNER, "kp_decay", K_REAL, CO(learner.kp_decay), NULL, 0, "", "adaptive feedback: W_out and B shrink by (1 - kp_decay) per update"},
    {S_LEARNER, "filter_traces", K_BOOL, CO(learner.filter_traces), NULL, 0, "", "e-prop: filter eligibility traces with the readout kernel"},
    {S_LEARNER, "reg_rate", K_REAL, CO(learner.reg_rate), NULL, 0, "", "firing-rate regularisation c_reg: E_reg = c_reg/2 sum_i (f_i - f_target)^2"},
    {S_LEARNER, "f_target", K_REAL, CO(learner.f_target), NULL, 0, "Hz", "target rate of the regularisation"},
    {S_LEARNER, "seed", K_U64, CO(learner.seed), NULL, 0, "", "seed of the feedback weights"},
    {S_LEARNER, "mem_limit", K_BYTES, CO(learner.mem_limit), NULL, 0, "bytes", "fail at create above this many bytes (RTRL); 0 = no limit"},

    {S_LOSS, "kind", K_LOSS, CO(learner.loss.loss), names_loss, 0, "", "loss function (default: the task's)"},
    {S_LOSS, "win_begin", K_INT, CO(learner.loss.win_begin), NULL, 0, "steps", "loss window start; negative counts from the end"},
    {S_LOSS, "win_end", K_INT, CO(learner.loss.win_end), NULL, 0, "steps", "loss window end (exclusive); 0 = the end, negative counts from the end"},
    {S_LOSS, "time_norm", K_ENUM, CO(learner.loss.time_norm), names_time, 0, "", "per-step losses: sum over the window, or mean"},

    {S_OPTIM, "kind", K_ENUM, CO(optim.kind), names_optim, 0, "", "optimiser; rmax = SuperSpike's RMaxProp: p -= lr g / (sqrt(v) + eps), v <- max(g^2, beta2 v)"},
    {S_OPTIM, "lr", K_REAL, CO(optim.lr), NULL, 0, "", "learning rate"},
    {S_OPTIM, "beta1", K_REAL, CO(optim.beta1), NULL, 0, "", "Adam first-moment decay"},
    {S_OPTIM, "beta2", K_REAL, CO(optim.beta2), NULL, 0, "", "Adam second-moment decay; rmax: v <- max(g^2, beta2 v), beta2 = exp(-update interval / tau_rms)"},
    {S_OPTIM, "eps", K_REAL, CO(optim.eps), NULL, 0, "", "Adam and rmax epsilon, added to sqrt(v)"},
    {S_OPTIM, "clip_norm", K_REAL, CO(optim.clip_norm), NULL, 0, "", "> 0: rescale the gradient to at most this global L2 norm"},
    {S_OPTIM, "clip_weight", K_REAL, CO(optim.clip_weight), NULL, 0, "", "> 0: clamp parameters to [-clip_weight, clip_weight]"},

    {S_OPTIM, "schedule", K_ENUM, CO(schedule), names_sched, 0, "", "kind = dataset: learning rate per epoch: constant, step decay, or cosine to 0 over [run] epochs"},
    {S_OPTIM, "step_every", K_INT, CO(step_every), NULL, 0, "", "schedule step: epochs between decays"},
    {S_OPTIM, "gamma", K_REAL, CO(gamma), NULL, 0, "", "schedule step: factor of each decay"},

    {S_DATA, "source", K_ENUM, CO(data.source), names_source, 0, "", "kind = dataset: the data set (docs/data.md)"},
    {S_DATA, "path", K_PATH, CO(data.path), NULL, 0, "", "file or directory; default ../shared/data/<source> found from the working directory or the config's (fashion_mnist: /usr/share/datasets/fashion-mnist; shd, nmnist: required)"},
    {S_DATA, "labels", K_PATH, CO(data.labels), NULL, 0, "", "npy: labels (N,) for the inputs (N, T, n_in) named by path"},
    {S_DATA, "n_classes", K_INT, CO(data.n_classes), NULL, 0, "", "npy: number of classes"},
    {S_DATA, "steps", K_INT, CO(data.steps), NULL, 0, "steps", "sequence length; 0 = the source's default (yinyang 100, randman 100, braille 77 x repeat)"},
    {S_DATA, "thr", K_REAL, CO(data.thr), NULL, 0, "", "fashion_mnist: TTFS threshold on pixel / 255 (spytorch: 0.2)"},
    {S_DATA, "tau_eff", K_REAL, CO(data.tau_eff), NULL, 0, "steps", "fashion_mnist: TTFS time constant; spike step floor(tau_eff ln(x / (x - thr)))"},
    {S_DATA, "t_max", K_REAL, CO(data.t_max), NULL, 0, "", "yinyang: feature v spikes at step round(v t_max steps); the bias input at step 0"},
    {S_DATA, "theta", K_REAL, CO(data.theta), NULL, 0, "", "braille: sigma-delta threshold on the pressure values (0-255)"},
    {S_DATA, "repeat", K_INT, CO(data.repeat), NULL, 0, "", "braille: steps per taxel sample (each sample's spikes on its first step)"},
    {S_DATA, "dim", K_INT, CO(data.rm_dim), NULL, 0, "", "randman: manifold dimension D"},
    {S_DATA, "classes", K_INT, CO(data.rm_classes), NULL, 0, "", "randman: classes"},
    {S_DATA, "units", K_INT, CO(data.rm_units), NULL, 0, "", "randman: input units"},
    {S_DATA, "spikes", K_INT, CO(data.rm_spikes), NULL, 0, "", "randman: spikes per unit"},
    {S_DATA, "samples", K_INT, CO(data.rm_samples), NULL, 0, "", "randman: samples per class"},
    {S_DATA, "seed", K_U64, CO(data.seed), NULL, 0, "", "randman generation and the seeded split"},
    {S_DATA, "val_frac", K_REAL, CO(data.val_frac), NULL, 0, "", "seeded split: fraction for validation"},
    {S_DATA, "test_frac", K_REAL, CO(data.test_frac), NULL, 0, "", "seeded split: fraction for test"},
    {S_DATA, "channels", K_INT, CO(data.channels), NULL, 0, "", "fsdd: channels of the audio front end (LIF spikes, elig_audio_encode)"},
    {S_DATA, "bin_ms", K_REAL, CO(data.bin_ms), NULL, 0, "ms", "time per step: fsdd audio (default 10), shd (14), nmnist (3); 0 = the default; samples are cut or zero-padded to steps"},
    {S_DATA, "n_units", K_INT, CO(data.n_units), NULL, 0, "", "shd: input units; 0 = 700 (SHD), or more if the files hold larger unit ids"},
    {S_DATA, "max_train", K_INT, CO(data.max_train), NULL, 0, "", "use at most this many training samples; 0 = all"},
    {S_DATA, "max_eval", K_INT, CO(data.max_eval), NULL, 0, "", "use at most this many validation and test samples each; 0 = all"},

    {S_INIT, "w_in", K_PATH, CO(init_w_in), NULL, 1, "", ".npy (n_k, n_pre) replacing W_in of layer k (key w_in0 .. w_in7)"},
    {S_INIT, "w_rec", K_PATH, CO(init_w_rec), NULL, 1, "", ".npy (n_k, n_k) replacing W_rec of layer k (w_rec0 ..)"},
    {S_INIT, "bias", K_PATH, CO(init_bias), NULL, 1, "", ".npy (n_k,) replacing the bias of layer k (bias0 ..)"},
    {S_INIT, "w_out", K_PATH, CO(init_w_out), NULL, 0, "", ".npy (n_out, n_last) replacing W_out"},
    {S_INIT, "b_out", K_PATH, CO(init_b_out), NULL, 0, "", ".npy (n_out,) replacing b_out"},
    {S_INIT, "fb", K_PATH, CO(init_fb), NULL, 1, "", ".npy (n_k, n_out) replacing the feedback matrix of layer k (fb0 ..)"},
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

/* Bits of cli_config.loss_set. */
enum { LOSS_KIND = 1, LOSS_WB = 2, LOSS_WE = 4, LOSS_TN = 8 };

struct cli_entry {
    int key;          /* index into keys */
    int idx;          /* layer (or [init] index) */
    int from_file;    /* relative paths are taken from the config's directory */
    char *value;
    char *origin;     /* "config FILE:LINE" or "override 'net.dt=1'" */
};

/* ------------------------------------------------------------------ helpers */

static void *field_ptr(cli_config *c, const keydef *k, int idx)
{
    if (k->sect == S_LAYER) return (char *)&c->net.layer[idx] + k->off;
    if (k->indexed) return (char *)c + k->off + (size_t)idx * CLI_PATH;
    return (char *)c + k->off;
}

static const void *field_cptr(const cli_config *c, const keydef *k, int idx)
{
    return field_ptr((cli_config *)c, k, idx);
}

static int find_section(const char *name, int *idx)
{
    *idx = 0;
    for (int s = 0; s < S_COUNT; s++)
        if (s != S_LAYER && !strcmp(name, sect_names[s])) return s;
    if (!strncmp(name, "layer", 5) && isdigit((unsigned char)name[5]) && name[6] == '\0') {
        *idx = name[5] - '0';
        return *idx < ELIG_MAX_LAYERS ? S_LAYER : -2;
    }
    return -1;
}

static int find_key(int sect, const char *name, int *idx)
{
    for (int i = 0; i < N_KEYS; i++) {
        if (keys[i].sect != sect) continue;
        size_t len = strlen(keys[i].key);
        if (!keys[i].indexed) {
            if (!strcmp(name, keys[i].key)) return i;
        } else if (!strncmp(name, keys[i].key, len) && isdigit((unsigned char)name[len]) && name[len + 1] == '\0') {
            *idx = name[len] - '0';
            if (*idx < ELIG_MAX_LAYERS) return i;
        }
    }
    return -1;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* " (did you mean 'x'?)" for the closest key of the section, or "". */
static void suggest(int sect, const char *name, char *out, size_t n)
{
    int best = 3;
    const char *which = NULL;
    out[0] = '\0';
    for (int i = 0; i < N_KEYS; i++) {
        if (keys[i].sect != sect) continue;
        int d = edit_distance(name, keys[i].key);
        if (d < best) {
            best = d;
            which = keys[i].key;
        }
    }
    if (which) snprintf(out, n, " (did you mean '%s'?)", which);
}

static void section_label(int sect, int idx, char *out, size_t n)
{
    if (sect == S_LAYER) snprintf(out, n, "[layer%d]", idx);
    else snprintf(out, n, "[%s]", sect_names[sect]);
}

static void key_label(const keydef *k, int idx, char *out, size_t n)
{
    if (k->indexed) snprintf(out, n, "%s%d", k->key, idx);
    else snprintf(out, n, "%s", k->key);
}

static char *dup_str(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (!p) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static int add_entry(cli_config *c, int key, int idx, int from_file, const char *value, const char *origin)
{
    if (c->n_entries == c->cap_entries) {
        int cap = c->cap_entries ? 2 * c->cap_entries : 64;
        cli_entry *e = realloc(c->entries, (size_t)cap * sizeof *e);
        if (!e) return cli_fail(CLI_ERUN, "out of memory reading the config");
        c->entries = e;
        c->cap_entries = cap;
    }
    cli_entry *e = &c->entries[c->n_entries];
    e->key = key;
    e->idx = idx;
    e->from_file = from_file;
    e->value = dup_str(value, strlen(value));
    e->origin = dup_str(origin, strlen(origin));
    if (!e->value || !e->origin) {
        free(e->value);
        free(e->origin);
        return cli_fail(CLI_ERUN, "out of memory reading the config");
    }
    c->n_entries++;
    return CLI_OK;
}

/* ------------------------------------------------------------------ reading */

cli_config *cli_config_new(void)
{
    cli_config *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    cli_copy(c->name, sizeof c->name, "config");
    return c;
}

void cli_config_free(cli_config *c)
{
    if (!c) return;
    for (int i = 0; i < c->n_entries; i++) {
        free(c->entries[i].value);
        free(c->entries[i].origin);
    }
    free(c->entries);
    free(c);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

/* Cut a comment: '#' or ';' at the start or after whitespace, outside double quotes. */
static void strip_comment(char *s)
{
    int quoted = 0;
    for (char *p = s; *p; p++) {
        if (*p == '"') quoted = !quoted;
        else if (!quoted && (*p == '#' || *p == ';') && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

static int unquote(char **v)
{
    char *s = *v;
    size_t n = strlen(s);
    if (n == 0 || s[0] != '"') return 0;
    if (n < 2 || s[n - 1] != '"') return -1;
    s[n - 1] = '\0';
    *v = s + 1;
    return 0;
}

int cli_config_read_text(cli_config *c, const char *text, const char *origin)
{
    size_t len = strlen(text);
    char *buf = dup_str(text, len);
    if (!buf) return cli_fail(CLI_ERUN, "out of memory reading %s", origin);
    int rc = CLI_OK, sect = -1, sidx = 0, line_no = 0;
    char where[CLI_PATH + 64], sl[32];
    char *line = buf;
    while (line && rc == CLI_OK) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        line_no++;
        snprintf(where, sizeof where, "config %s:%d", origin, line_no);
        strip_comment(line);
        char *s = trim(line);
        if (*s == '\0') {
            line = next;
            continue;
        }
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || *trim(close + 1) != '\0') {
                rc = cli_fail(CLI_EUSAGE, "%s: malformed section header '%s'", where, s);
                break;
            }
            *close = '\0';
            char *name = trim(s + 1);
            sect = find_section(name, &sidx);
            if (sect == -2) rc = cli_fail(CLI_EUSAGE, "%s: unknown section [%s] (layers are [layer0] .. [layer%d])", where, name, ELIG_MAX_LAYERS - 1);
            else if (sect < 0) rc = cli_fail(CLI_EUSAGE, "%s: unknown section [%s] (sections: run, task, net, layer0 .. layer%d, learner, loss, optim, init, data)", where, name, ELIG_MAX_LAYERS - 1);
            line = next;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = cli_fail(CLI_EUSAGE, "%s: expected 'key = value' or '[section]', got '%s'", where, s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (sect < 0) {
            rc = cli_fail(CLI_EUSAGE, "%s: key '%s' before any [section]", where, key);
            break;
        }
        if (unquote(&value)) {
            rc = cli_fail(CLI_EUSAGE, "%s: unterminated quote in the value of '%s'", where, key);
            break;
        }
        int kidx = sidx, k = find_key(sect, key, &kidx);
        if (k < 0) {
            char hint[96];
            suggest(sect, key, hint, sizeof hint);
            section_label(sect, sidx, sl, sizeof sl);
            rc = cli_fail(CLI_EUSAGE, "%s: unknown key '%s' in %s%s", where, key, sl, hint);
            break;
        }
        rc = add_entry(c, k, kidx, 1, value, where);
        line = next;
    }
    free(buf);
    return rc;
}

int cli_config_read_file(cli_config *c, const char *path)
{
    enum { MAX_BYTES = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) return cli_fail(CLI_ERUN, "cannot open config %s: %s", path, strerror(errno));
    char *buf = malloc(MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return cli_fail(CLI_ERUN, "out of memory reading %s", path);
    }
    size_t n = fread(buf, 1, MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cli_fail(CLI_ERUN, "cannot read config %s", path);
    }
    if (n > MAX_BYTES) {
        free(buf);
        return cli_fail(CLI_EUSAGE, "config %s is larger than %d bytes", path, (int)MAX_BYTES);
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return cli_fail(CLI_EUSAGE, "config %s contains a NUL byte (not a text file)", path);
    }
    buf[n] = '\0';
    /* provenance: name = base name without extension, dir = directory part */
    cli_copy(c->source, sizeof c->source, path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    cli_copy(c->name, sizeof c->name, base);
    char *dot = strrchr(c->name, '.');
    if (dot && dot != c->name) *dot = '\0';
    if (slash) {
        size_t dl = (size_t)(slash - path);
        if (dl == 0) dl = 1; /* "/x.cfg" */
        if (dl >= sizeof c->dir) {
            free(buf);
            return cli_fail(CLI_EUSAGE, "path too long: %s", path);
        }
        memcpy(c->dir, path, dl);
        c->dir[dl] = '\0';
    } else {
        c->dir[0] = '\0';
    }
    int rc = cli_config_read_text(c, buf, path);
    free(buf);
    return rc;
}

int cli_config_set(cli_config *c, const char *section, const char *key, const char *value, const char *origin)
{
    int sidx, sect = find_section(section, &sidx);
    if (sect < 0) return cli_fail(CLI_EUSAGE, "%s: unknown section [%s]", origin, section);
    int kidx = sidx, k = find_key(sect, key, &kidx);
    if (k < 0) {
        char hint[96], sl[32];
        suggest(sect, key, hint, sizeof hint);
        section_label(sect, sidx, sl, sizeof sl);
        return cli_fail(CLI_EUSAGE, "%s: unknown key '%s' in %s%s", origin, key, sl, hint);
    }
    return add_entry(c, k, kidx, 0, value, origin);
}

int cli_config_override(cli_config *c, const char *assignment, const char *origin)
{
    char where[CLI_PATH + 64];
    snprintf(where, sizeof where, "%s '%s'", origin, assignment);
    const char *eq = strchr(assignment, '='), *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return cli_fail(CLI_EUSAGE, "%s: expected section.key=value", where);
    char sect[64], key[64];
    size_t ls = (size_t)(dot - assignment), lk = (size_t)(eq - dot - 1);
    if (ls == 0 || ls >= sizeof sect || lk == 0 || lk >= sizeof key)
        return cli_fail(CLI_EUSAGE, "%s: expected section.key=value", where);
    memcpy(sect, assignment, ls);
    sect[ls] = '\0';
    memcpy(key, dot + 1, lk);
    key[lk] = '\0';
    return cli_config_set(c, sect, key, eq + 1, where);
}

/* ------------------------------------------------------------------ values */

static int lookup_name(const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], v)) return i;
    return -1;
}

static void join_names(const char *const *names, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; names[i]; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? ", " : "", names[i]);
    }
}

static int parse_bytes(const char *v, size_t *out)
{
    char *end;
    if (*v == '-' || *v == '+') return -1;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (end == v || errno == ERANGE) return -1;
    static const struct { const char *s; int shift; } suf[] = {
        {"", 0}, {"k", 10}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20}, {"G", 30}, {"GiB", 30}, {"T", 40}, {"TiB", 40}};
    for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++)
        if (!strcmp(end, suf[i].s)) {
            if (suf[i].shift && x > (SIZE_MAX >> suf[i].shift)) return -1;
            if (x > SIZE_MAX) return -1;
            *out = (size_t)x << suf[i].shift;
            return 0;
        }
    return -1;
}

/* Absolute path for a file named in the config: relative ones are taken from the config's
 * directory (entries from the file) or the working directory (overrides). */
static int absolute_path(const cli_config *c, const char *v, int from_file, char *out, size_t n)
{
    char cwd[CLI_PATH];
    if (*v == '\0' || v[0] == '/') return cli_copy(out, n, v);
    if (!getcwd(cwd, sizeof cwd)) return -1;
    int w;
    if (from_file && c->dir[0] == '/') w = snprintf(out, n, "%s/%s", c->dir, v);
    else if (from_file && c->dir[0]) w = snprintf(out, n, "%s/%s/%s", cwd, c->dir, v);
    else w = snprintf(out, n, "%s/%s", cwd, v);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

int cli_apply_rule(const char *name, elig_learner_cfg *lc)
{
    for (const char *const *p = elig_learner_preset_names(); p && *p; p++)
        if (!strcmp(*p, name)) return elig_learner_preset(name, lc) == ELIG_OK ? 0 : -1;
    const elig_rule *r = elig_rule_by_name(name);
    if (!r) return -1;
    lc->rule = r;
    return 0;
}

void cli_rule_names(char *out, size_t n, const char *sep)
{
    size_t len = 0;
    int trace_listed = 0, i = 0;
    out[0] = '\0';
    for (const char *const *p = elig_learner_preset_names(); p && *p && len < n; p++, i++) {
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? sep : "", *p);
        trace_listed |= !strcmp(*p, "trace");
    }
    if (!trace_listed && len < n) snprintf(out + len, n - len, "%strace", i ? sep : "");
}

static int parse_entry(cli_config *c, const cli_entry *e)
{
    const keydef *k = &keys[e->key];
    void *p = field_ptr(c, k, e->idx);
    const char *v = e->value;
    char sl[32], kl[32], names[256];
    section_label(k->sect, e->idx, sl, sizeof sl);
    key_label(k, e->idx, kl, sizeof kl);
    if (*v == '\0' && k->type != K_PATH && k->type != K_STR)
        return cli_fail(CLI_EUSAGE, "%s: %s %s has an empty value", e->origin, sl, kl);
    switch (k->type) {
    case K_INT:
        if (cli_parse_int(v, p)) return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not an integer", e->origin, sl, kl, v);
        return CLI_OK;
    case K_U64:
        if (cli_parse_u64(v, p))
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not an unsigned 64-bit integer", e->origin, sl, kl, v);
        return CLI_OK;
    case K_REAL:
        if (cli_parse_real(v, p)) return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not a finite number", e->origin, sl, kl, v);
        return CLI_OK;
    case K_BOOL: {
        static const char *const t[] = {"1", "true", "yes", "on", NULL}, *const f[] = {"0", "false", "no", "off", NULL};
        if (lookup_name(t, v) >= 0) *(int *)p = 1;
        else if (lookup_name(f, v) >= 0) *(int *)p = 0;
        else return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not a boolean (0, 1, true, false, yes, no, on, off)", e->origin, sl, kl, v);
        return CLI_OK;
    }
    case K_BYTES:
        if (parse_bytes(v, p))
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not a byte count (integer, optional suffix k, M, G, T)", e->origin, sl, kl, v);
        return CLI_OK;
    case K_STR:
        if (cli_copy(p, CLI_PATH, v)) return cli_fail(CLI_EUSAGE, "%s: %s %s is longer than %d bytes", e->origin, sl, kl, CLI_PATH - 1);
        return CLI_OK;
    case K_PATH:
        if (absolute_path(c, v, e->from_file, p, CLI_PATH))
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s': path too long", e->origin, sl, kl, v);
        return CLI_OK;
    case K_ENUM: {
        int i = lookup_name(k->names, v);
        if (i < 0) {
            join_names(k->names, names, sizeof names);
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not one of: %s", e->origin, sl, kl, v, names);
        }
        *(int *)p = i;
        return CLI_OK;
    }
    case K_RULE: {
        elig_learner_cfg tmp = elig_learner_cfg_default();
        if (cli_apply_rule(v, &tmp)) {
            cli_rule_names(names, sizeof names, ", ");
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not one of: %s", e->origin, sl, kl, v, names);
        }
        if (cli_copy(p, sizeof c->rule_name, v)) return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is too long", e->origin, sl, kl, v);
        return CLI_OK;
    }
    case K_MODEL:
    case K_SURR:
    case K_LOSS: {
        const void *obj = k->type == K_MODEL ? (const void *)elig_neuron_by_name(v)
                        : k->type == K_SURR  ? (const void *)elig_surrogate_by_name(v)
                                             : (const void *)elig_loss_by_name(v);
        if (!obj) {
            join_names(k->names, names, sizeof names);
            return cli_fail(CLI_EUSAGE, "%s: %s %s = '%s' is not one of: %s", e->origin, sl, kl, v, names);
        }
        *(const void **)p = obj;
        return CLI_OK;
    }
    }
    return CLI_OK;
}

static int key_index(int sect, const char *name)
{
    for (int i = 0; i < N_KEYS; i++)
        if (keys[i].sect == sect && !strcmp(keys[i].key, name)) return i;
    return -1;
}

/* splitmix64 of (base, stream): independent seeds for the task, net and learner. */
static uint64_t derive_seed(uint64_t base, uint64_t stream)
{
    uint64_t z = base + 0x9e3779b97f4a7c15ull * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int cli_config_resolve(cli_config *c, int reseed)
{
    int rc;
    unsigned char set[N_KEYS][ELIG_MAX_LAYERS];
    memset(set, 0, sizeof set);
    for (int i = 0; i < c->n_entries; i++) set[c->entries[i].key][c->entries[i].idx] = 1;

    /* [run] */
    c->iterations = 100;
    c->seed = 1;
    c->out[0] = '\0';
    c->log_every = 10;
    c->update_every = 0;
    c->save_every = 0;
    c->fidelity = CLI_FIDELITY_NONE;
    c->filter_target = 0;
    c->epochs = 10;
    c->patience = 0;

    /* [task] kind and each layer's model pick the defaults: parse those first. */
    int kind = ELIG_TASK_PATTERN, n_layers = 0;
    const elig_neuron_model *model[ELIG_MAX_LAYERS];
    for (int l = 0; l < ELIG_MAX_LAYERS; l++) model[l] = &elig_neuron_lif;
    const int k_kind = key_index(S_TASK, "kind"), k_model = key_index(S_LAYER, "model"), k_rule = key_index(S_LEARNER, "rule");
    cli_copy(c->rule_name, sizeof c->rule_name, "eprop"); /* elig_learner_cfg_default is the eprop preset */
    for (int i = 0; i < c->n_entries; i++) {
        const cli_entry *e = &c->entries[i];
        if (keys[e->key].sect == S_LAYER && e->idx + 1 > n_layers) n_layers = e->idx + 1;
        if (e->key == k_rule && (rc = parse_entry(c, e))) return rc;
        if (e->key == k_kind || e->key == k_model) {
            if ((rc = parse_entry(c, e))) return rc;
            if (e->key == k_kind) kind = c->task.kind;
            else model[e->idx] = c->net.layer[e->idx].model;
        }
    }
    c->task = elig_task_cfg_default(kind == CLI_TASK_DATASET ? ELIG_TASK_ARRAY : kind);
    c->task.kind = kind;
    memset(&c->data, 0, sizeof c->data);
    c->data.thr = 0.2;
    c->data.tau_eff = 20;
    c->data.t_max = 0.5;
    c->data.theta = 10;
    c->data.repeat = 1;
    c->data.rm_dim = 1;
    c->data.rm_classes = 10;
    c->data.rm_units = 100;
    c->data.rm_spikes = 1;
    c->data.rm_samples = 100;
    c->data.seed = 1;
    c->data.val_frac = 0.1;
    c->data.test_frac = 0.2;
    c->data.channels = 32;
    c->data.bin_ms = 0;
    c->inputs[0] = c->targets[0] = c->labels[0] = '\0';
    c->n_classes = 0;
    c->net = elig_net_cfg_default();
    c->net.n_layers = n_layers ? n_layers : 1;
    if (n_layers)
        for (int l = 0; l < ELIG_MAX_LAYERS; l++) c->net.layer[l] = l < n_layers ? elig_layer_cfg_default(model[l]) : c->net.layer[l];
    c->learner = elig_learner_cfg_default();
    if (set[k_rule][0] && cli_apply_rule(c->rule_name, &c->learner))
        return cli_fail(CLI_EUSAGE, "[learner] rule = '%s': %s", c->rule_name, elig_last_error());
    c->optim = elig_optim_cfg_default();
    c->schedule = CLI_SCHED_NONE;
    c->step_every = 10;
    c->gamma = 0.5;
    for (int l = 0; l < ELIG_MAX_LAYERS; l++) c->init_w_in[l][0] = c->init_w_rec[l][0] = c->init_bias[l][0] = c->init_fb[l][0] = '\0';
    c->init_w_out[0] = c->init_b_out[0] = '\0';
    c->task_resolved = 0;

    for (int i = 0; i < c->n_entries; i++)
        if ((rc = parse_entry(c, &c->entries[i]))) return rc;

    /* A named surrogate brings its own constants unless they are given too. */
    const int k_surr = key_index(S_LAYER, "surrogate"), k_g = key_index(S_LAYER, "sg_gamma"), k_b = key_index(S_LAYER, "sg_beta");
    for (int l = 0; l < c->net.n_layers; l++) {
        elig_neuron_params *np = &c->net.layer[l].neuron;
        if (!set[k_surr][l] || !np->surrogate) continue;
        if (!set[k_g][l]) np->sg_gamma = np->surrogate->gamma_default;
        if (!set[k_b][l]) np->sg_beta = np->surrogate->beta_default;
    }

    c->loss_set = (set[key_index(S_LOSS, "kind")][0] ? LOSS_KIND : 0u) | (set[key_index(S_LOSS, "win_begin")][0] ? LOSS_WB : 0u) |
                  (set[key_index(S_LOSS, "win_end")][0] ? LOSS_WE : 0u) | (set[key_index(S_LOSS, "time_norm")][0] ? LOSS_TN : 0u);

    if (!set[key_index(S_TASK, "dt")][0]) c->task.dt = c->net.dt;
    else if (c->task.dt != c->net.dt)
        return cli_fail(CLI_EUSAGE, "[task] dt = %g ms must equal [net] dt = %g ms", c->task.dt, c->net.dt);
    if (reseed || !set[key_index(S_TASK, "seed")][0]) c->task.seed = derive_seed(c->seed, 1);
    if (reseed || !set[key_index(S_NET, "seed")][0]) c->net.seed = derive_seed(c->seed, 2);
    if (reseed || !set[key_index(S_LEARNER, "seed")][0]) c->learner.seed = derive_seed(c->seed, 3);

    if (c->task.kind == CLI_TASK_DATASET) {
        if (c->epochs < 1) return cli_fail(CLI_EUSAGE, "[run] epochs must be >= 1 (got %d)", c->epochs);
        if (c->patience < 0) return cli_fail(CLI_EUSAGE, "[run] patience must be >= 0 (got %d)", c->patience);
        if (c->step_every < 1) return cli_fail(CLI_EUSAGE, "[optim] step_every must be >= 1 (got %d)", c->step_every);
        if (!(c->gamma > 0)) return cli_fail(CLI_EUSAGE, "[optim] gamma must be > 0 (got %g)", c->gamma);
        const struct { const char *key; int v, min; } ints[] = {{"steps", c->data.steps, 0}, {"repeat", c->data.repeat, 1},
                                                                  {"max_train", c->data.max_train, 0}, {"max_eval", c->data.max_eval, 0},
                                                                  {"n_units", c->data.n_units, 0}};
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
            if (ints[i].v < ints[i].min) return cli_fail(CLI_EUSAGE, "[data] %s must be >= %d (got %d)", ints[i].key, ints[i].min, ints[i].v);
        if (!(c->data.thr > 0)) return cli_fail(CLI_EUSAGE, "[data] thr must be > 0 (got %g)", c->data.thr);
        if (!(c->data.tau_eff > 0)) return cli_fail(CLI_EUSAGE, "[data] tau_eff must be > 0 (got %g)", c->data.tau_eff);
        if (!(c->data.bin_ms >= 0)) return cli_fail(CLI_EUSAGE, "[data] bin_ms must be >= 0 (got %g)", c->data.bin_ms);
        if (!(c->data.val_frac >= 0 && c->data.test_frac > 0 && c->data.val_frac + c->data.test_frac < 1))
            return cli_fail(CLI_EUSAGE, "[data] val_frac >= 0, test_frac > 0 and val_frac + test_frac < 1 (got %g, %g)", c->data.val_frac, c->data.test_frac);
    }
    if (c->iterations < 1) return cli_fail(CLI_EUSAGE, "[run] iterations must be >= 1 (got %d)", c->iterations);
    if (c->log_every < 1) return cli_fail(CLI_EUSAGE, "[run] log_every must be >= 1 (got %d)", c->log_every);
    if (c->update_every < 0) return cli_fail(CLI_EUSAGE, "[run] update_every must be >= 0 (got %d)", c->update_every);
    if (c->save_every < 0) return cli_fail(CLI_EUSAGE, "[run] save_every must be >= 0 (got %d)", c->save_every);
    if (c->out[0] == '\0' && snprintf(c->out, sizeof c->out, "runs/%s", c->name) >= (int)sizeof c->out)
        return cli_fail(CLI_EUSAGE, "run directory name too long");

    if (c->fidelity != CLI_FIDELITY_NONE && c->update_every > 0)
        return cli_fail(CLI_EUSAGE, "[run] fidelity = %s compares the gradient of whole sequences, so it needs update_every = 0 (got update_every = %d)",
                        names_fidelity[c->fidelity], c->update_every);
    if (c->filter_target && c->task.kind != ELIG_TASK_SPIKE_TIMING)
        return cli_fail(CLI_EUSAGE, "[task] filter_target = 1 needs kind = spike_timing (got kind = %s)", names_task[c->task.kind]);
    const int is_array = c->task.kind == ELIG_TASK_ARRAY;
    if (!is_array && (c->inputs[0] || c->targets[0] || c->labels[0]))
        return cli_fail(CLI_EUSAGE, "[task] inputs/targets/labels need kind = array (got kind = %s)", names_task[c->task.kind]);
    if (is_array) {
        if (!c->inputs[0]) return cli_fail(CLI_EUSAGE, "[task] kind = array needs inputs = FILE.npy");
        if (!c->targets[0] == !c->labels[0]) return cli_fail(CLI_EUSAGE, "[task] kind = array needs exactly one of targets = FILE.npy and labels = FILE.npy");
        if (c->labels[0] && c->n_classes < 2) return cli_fail(CLI_EUSAGE, "[task] labels need n_classes >= 2 (got %d)", c->n_classes);
    }
    for (int l = c->net.n_layers; l < ELIG_MAX_LAYERS; l++)
        if (c->init_w_in[l][0] || c->init_w_rec[l][0] || c->init_bias[l][0] || c->init_fb[l][0])
            return cli_fail(CLI_EUSAGE, "[init] names a file for layer %d, but the network has %d layer(s)", l, c->net.n_layers);
    return CLI_OK;
}

void cli_config_apply_task(cli_config *c, const elig_task *task)
{
    elig_loss_cfg d = elig_task_loss(task);
    c->net.n_in = elig_task_n_in(task);
    c->net.n_out = elig_task_n_out(task);
    c->learner.max_steps = elig_task_max_steps(task); /* the copy task's curriculum lengthens T */
    if (!(c->loss_set & LOSS_KIND)) c->learner.loss.loss = d.loss;
    if (!(c->loss_set & LOSS_WB)) c->learner.loss.win_begin = d.win_begin;
    if (!(c->loss_set & LOSS_WE)) c->learner.loss.win_end = d.win_end;
    if (!(c->loss_set & LOSS_TN)) c->learner.loss.time_norm = d.time_norm;
    c->task_resolved = 1;
}

/* ------------------------------------------------------------------ writing */

static void format_value(const cli_config *c, const keydef *k, int idx, char *out, size_t n)
{
    const void *p = field_cptr(c, k, idx);
    switch (k->type) {
    case K_INT: snprintf(out, n, "%d", *(const int *)p); break;
    case K_U64: snprintf(out, n, "%" PRIu64, *(const uint64_t *)p); break;
    case K_REAL: cli_format_real(out, n, *(const double *)p); break;
    case K_BOOL: snprintf(out, n, "%d", *(const int *)p ? 1 : 0); break;
    case K_BYTES: snprintf(out, n, "%zu", *(const size_t *)p); break;
    case K_STR:
    case K_PATH: {
        const char *s = p;
        size_t len = strlen(s);
        int quote = len && (strpbrk(s, "#;\"") || s[0] == ' ' || s[len - 1] == ' ');
        snprintf(out, n, quote ? "\"%s\"" : "%s", s);
        break;
    }
    case K_ENUM: {
        int v = *(const int *)p, cnt = 0;
        while (k->names[cnt]) cnt++;
        snprintf(out, n, "%s", v >= 0 && v < cnt ? k->names[v] : "?");
        break;
    }
    case K_MODEL: snprintf(out, n, "%s", elig_neuron_name(*(const elig_neuron_model *const *)p)); break;
    case K_SURR: {
        const elig_surrogate *s = *(const elig_surrogate *const *)p;
        snprintf(out, n, "%s", s ? s->name : "?");
        break;
    }
    case K_RULE: snprintf(out, n, "%s", (const char *)p); break;
    case K_LOSS: {
        const elig_loss *l = *(const elig_loss *const *)p;
        snprintf(out, n, "%s", l ? elig_loss_name(l) : "?");
        break;
    }
    }
}

static void write_section(const cli_config *c, FILE *f, int sect, int idx)
{
    char sl[32], kl[32], val[CLI_PATH + 8];
    section_label(sect, idx, sl, sizeof sl);
    fprintf(f, "\n%s\n", sl);
    int any = 0;
    for (int i = 0; i < N_KEYS; i++) {
        const keydef *k = &keys[i];
        if (k->sect != sect) continue;
        int n_idx = k->indexed ? c->net.n_layers : 1;
        for (int j = 0; j < n_idx; j++) {
            int at = sect == S_LAYER ? idx : j;
            if (sect == S_INIT && *(const char *)field_cptr(c, k, at) == '\0') continue;
            key_label(k, at, kl, sizeof kl);
            format_value(c, k, at, val, sizeof val);
            fprintf(f, "%s = %s\n", kl, val);
            any = 1;
        }
    }
    if (sect == S_INIT && !any) fprintf(f, "# no weight files: initial weights drawn from [net] seed\n");
}

int cli_config_write(const cli_config *c, FILE *f)
{
    fprintf(f, "# config.resolved -- every key with its final value (elig %s, %s build).\n", ELIG_VERSION, cli_precision_name());
    fprintf(f, "# Load it with `elig train THIS_FILE` to repeat the run bit for bit.\n");
    fprintf(f, "# source: %s\n", c->source[0] ? c->source : "(none)");
    int n_over = 0;
    for (int i = 0; i < c->n_entries; i++)
        if (!c->entries[i].from_file) {
            fprintf(f, "%s %s\n", n_over ? "#  " : "# overrides:", c->entries[i].origin);
            n_over++;
        }
    write_section(c, f, S_RUN, 0);
    write_section(c, f, S_TASK, 0);
    write_section(c, f, S_NET, 0);
    for (int l = 0; l < c->net.n_layers; l++) write_section(c, f, S_LAYER, l);
    write_section(c, f, S_LEARNER, 0);
    write_section(c, f, S_LOSS, 0);
    write_section(c, f, S_OPTIM, 0);
    write_section(c, f, S_INIT, 0);
    if (c->task.kind == CLI_TASK_DATASET) write_section(c, f, S_DATA, 0);
    return ferror(f) ? CLI_ERUN : CLI_OK;
}

/* ------------------------------------------------------------------ reference */

static void type_name(const keydef *k, char *out, size_t n, int markdown)
{
    static const char *const t[] = {"int", "uint64", "real", "bool", "bytes", "string", "path"};
    if (k->type == K_RULE) {
        cli_rule_names(out, n, markdown ? " \\| " : "|");
    } else if (k->names) {
        out[0] = '\0';
        for (int i = 0; k->names[i]; i++) {
            size_t len = strlen(out);
            snprintf(out + len, n - len, "%s%s", i ? (markdown ? " \\| " : "|") : "", k->names[i]);
        }
    } else {
        snprintf(out, n, "%s", t[k->type]);
    }
}

void cli_config_print_keys(FILE *f, int markdown)
{
    cli_config *d = cli_config_new();
    if (!d) {
        fputs("out of memory\n", f);
        return;
    }
    cli_config_resolve(d, 0);
    if (markdown) {
        fprintf(f, "| section | key | type | default | unit | meaning |\n");
        fprintf(f, "|---|---|---|---|---|---|\n");
    }
    int last = -1;
    for (int i = 0; i < N_KEYS; i++) {
        const keydef *k = &keys[i];
        char ty[256], def[CLI_PATH + 8], sect[32], kn[32];
        type_name(k, ty, sizeof ty, markdown);
        if (k->sect == S_LAYER) snprintf(sect, sizeof sect, "layerK");
        else snprintf(sect, sizeof sect, "%s", sect_names[k->sect]);
        snprintf(kn, sizeof kn, "%s%s", k->key, k->indexed ? "K" : "");
        if (k->sect == S_LOSS) snprintf(def, sizeof def, "task's");
        else if (k->sect == S_INIT || k->type == K_PATH) snprintf(def, sizeof def, "none");
        else if (k->type == K_U64 && k->sect != S_RUN) snprintf(def, sizeof def, "derived");
        else if (k->sect == S_RUN && !strcmp(k->key, "out")) snprintf(def, sizeof def, "runs/<config name>");
        else format_value(d, k, 0, def, sizeof def);
        if (markdown) {
            fprintf(f, "| %s | `%s` | %s | `%s` | %s | %s |\n", sect, kn, ty, def, k->unit, k->doc);
        } else {
            if (k->sect != last) fprintf(f, "\n[%s]\n", sect);
            last = k->sect;
            char du[CLI_PATH + 32];
            snprintf(du, sizeof du, "%s%s%s", def, *k->unit && strcmp(def, "0") && strcmp(k->unit, "bytes") ? " " : "",
                     *k->unit && strcmp(def, "0") && strcmp(k->unit, "bytes") ? k->unit : "");
            if (strlen(ty) > 22) { /* a long list of names gets a line of its own */
                fprintf(f, "  %-17s %-22s %-12s %s\n", kn, "name", du, k->doc);
                fprintf(f, "  %-17s one of: %s\n", "", ty);
            } else {
                fprintf(f, "  %-17s %-22s %-12s %s\n", kn, ty, du, k->doc);
            }
        }
    }
    cli_config_free(d);
}
