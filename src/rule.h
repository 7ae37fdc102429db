/* rule.h -- the learner object and the method table every learning rule implements (internal).
 *
 * A learner owns: the gradient (layout of the net's parameters), the loss bookkeeping
 * (error dL/dy_t of the current step, deferred errors of time-aggregated losses) and the
 * rule's own state. elig_learner_step() runs, in order: net step, loss step, rule step.
 * The rule sees the net's partial derivatives of this step (net.h) and the error.
 */
#ifndef ELIG_RULE_H
#define ELIG_RULE_H

#include "net.h"

struct elig_loss {
    const char *name;
    int agg;   /* 0: per-step loss; 1: of the time-mean readout; 2: of the time-max readout */
    /* Value of the loss for one batch element from readout y (K) and target (K); writes
     * dl/dy into g (K). For agg losses y is the aggregated readout. */
    double (*eval)(int K, const elig_real *y, const elig_real *target, elig_real *g);
};

typedef struct {
    elig_real *traj;       /* (T, stride) stored trajectory, see bptt.c          */
    size_t step_stride;    /* elements per stored step                            */
    size_t o_D[ELIG_MAX_LAYERS], o_dzr[ELIG_MAX_LAYERS], o_dza[ELIG_MAX_LAYERS];
    size_t o_dc[ELIG_MAX_LAYERS], o_dzdh[ELIG_MAX_LAYERS], o_z[ELIG_MAX_LAYERS];
    size_t o_x, o_err;     /* offsets inside one stored step                      */
    elig_real *hbar[ELIG_MAX_LAYERS];      /* (n, s) adjoint of h at t+1         */
    elig_real *cbar_next[ELIG_MAX_LAYERS]; /* (n) adjoint of c at t+1            */
    elig_real *cbar[ELIG_MAX_LAYERS];      /* (n) adjoint of c at t              */
    elig_real *zbar[ELIG_MAX_LAYERS];      /* (T, B, n) learning signal dE/dz    */
    elig_real *ybar, *ybar2;               /* (K) adjoints of y1 and of y (2-stage) */
    elig_real *reg[ELIG_MAX_LAYERS];       /* (n) dE_reg/dz, rate regularisation      */
    elig_real *z0[ELIG_MAX_LAYERS];        /* (B, n) z_{-1}: the initial output (rate h0) */
} elig__bptt;

typedef struct {
    size_t P, Pc;                          /* all params, core params             */
    elig_real *M[ELIG_MAX_LAYERS];         /* (B, n, s, Pc) influence dh/dtheta    */
    elig_real *Z[ELIG_MAX_LAYERS], *Zp[ELIG_MAX_LAYERS]; /* (B, n, Pc) dz/dtheta at t, t-1 */
    elig_real *C;                          /* (n_max, Pc) dc/dtheta                */
    elig_real *Zsum[ELIG_MAX_LAYERS];      /* (n, Pc) sum over b, t of Z (rate reg), or NULL */
    elig_real *reg;                        /* (n_max) dE_reg/dz                     */
    elig_real *tmp;                        /* (s_max, Pc)                          */
    elig_real *Y;                          /* (B, K, P) dy1/dtheta (first readout stage) */
    elig_real *Y2;                         /* (B, K, P) dy/dtheta of a second stage, or = Y */
    elig_real *S;                          /* (B, K, P) aggregated dy/dtheta       */
    unsigned char *reach;                  /* SnAp: (n, n) reach[i*n + u]: u within n-1 steps of i */
    unsigned char *adj;                    /* SnAp: (n, n) structural graph adj[u*n + v]: v -> u   */
    int32_t *post;                         /* SnAp: (Pc) postsynaptic neuron of each parameter     */
} elig__rtrl;

typedef struct {
    int Q[ELIG_MAX_LAYERS];                /* synapses per neuron: n_pre + n_rec + bias      */
    elig_real *eps[ELIG_MAX_LAYERS];       /* block: (B, n, s, Q); pre: (B, s, Q)            */
    elig_real *eb1[ELIG_MAX_LAYERS];       /* (B, n, Q) readout-filtered traces, or NULL     */
    elig_real *eb2[ELIG_MAX_LAYERS];       /* (B, n, Q) second filter stage, or NULL         */
    elig_real *esum[ELIG_MAX_LAYERS];      /* (n, Q) sum of e over batch and time (rate reg) */
    elig_real *S[ELIG_MAX_LAYERS];         /* (B, n, Q) window mean of the trace (ce_mean)   */
    elig_real *fb[ELIG_MAX_LAYERS];        /* (n, K) feedback B                              */
    elig_real *G[ELIG_MAX_LAYERS];         /* (K, n) local readouts (signal = local)         */
    elig_real *sig[ELIG_MAX_LAYERS];       /* (n) learning signal of this step               */
    elig_real *kbuf;                       /* (2K) scratch                                   */
    elig_real *zout1, *zout2;              /* (B, n_L) readout-filtered spikes (stage 1, 2)  */
    elig_real *one1, *one2;                /* (B) readout-filtered constant (b_out)          */
    elig_real *Sout;                       /* (B, n_L + 1) window mean of the above          */
    elig_real *wout_snap;                  /* (K, n_L) adaptive feedback                     */
    double local_loss;                     /* sum of the local losses since begin            */
    const elig_real *override[ELIG_MAX_LAYERS]; /* (T, B, n) external signal (tests)         */
    int reference;                         /* 1: plain reference kernel only (tests)         */
    int pre;                               /* presynaptic trace storage in use              */
} elig__trace;

typedef struct {
    int Q;                                 /* parameters per neuron row                   */
    size_t R;                              /* tracked (neuron, reachable neuron) pairs    */
    unsigned char *adj, *reach;            /* (n, n) structural graph, reachability       */
    int32_t *roff, *ridx;                  /* (n+1), (R) R(i) = ridx[roff[i] .. roff[i+1])  */
    elig_real *M;                          /* (B, R, s, Q) influence blocks               */
    elig_real *Z, *Zp;                     /* (B, R, Q) dz/dtheta at t, t-1               */
    elig_real *Y;                          /* (B, n, K, Q) readout influence per row      */
    elig_real *C, *tmp;                    /* (Q), (s, Q) scratch                         */
    elig_real *Zsum;                       /* (R, Q) rate regularisation, or NULL         */
    elig_real *reg;                        /* (n)                                         */
    elig_real *zout, *one;                 /* (B, n), (B) readout-filtered z and 1        */
} elig__snap;

struct elig_learner {
    elig_learner_cfg cfg;
    elig_net *net;
    const elig_rule *rule;
    elig_real *grad;                       /* n_params */
    int T, t, wb, we, started;
    /* loss */
    elig_real *err;                        /* (B, K) dL/dy_t of this step           */
    elig_real *agg, *agg_target, *delta;   /* (B, K) aggregated readout, target, dL/dagg */
    int32_t *argmax;                       /* (B, K) time of the max (ce_max)       */
    double loss, step_loss;
    const elig_real *target;               /* (B, K) target of this step, or NULL            */
    elig__bptt bptt;
    elig__rtrl rtrl;
    elig__trace trace;
    elig__snap snap;
    void *mem;
};

struct elig_rule {
    const char *name;
    int online;
    int (*check)(const elig_net *net, const elig_learner_cfg *cfg);
    void (*carve)(elig_learner *L, const elig_net *net, const elig_learner_cfg *cfg, elig__arena *a);
    void (*init)(elig_learner *L);
    void (*begin)(elig_learner *L);
    void (*step)(elig_learner *L);
    void (*end)(elig_learner *L);
    elig_real *(*feedback)(elig_learner *L, int layer);
    void (*after_update)(elig_learner *L);
};

/* Rate regularisation E_reg = c_reg/2 sum_i (f_i - f*)^2, f_i = mean over batch and time of
 * z_i (units of z: spikes per step times the spike amplitude). dE_reg/dz_i,b,t is the same for
 * every b and t; it is written to g (n) for a spiking layer, zeros otherwise. After the
 * sequence only (f needs the whole of it). */
static inline void elig__reg_dz(const elig_learner_cfg *c, const elig_net *net, int l, int T, elig_real *g)
{
    const elig__layer *ly = &net->layer[l];
    const double BT = (double)net->batch * T, amp = ly->k.z_amp;
    const double f_star = c->f_target * net->cfg.dt / 1000.0 * amp;
    for (int i = 0; i < ly->n; i++)
        g[i] = (c->reg_rate > 0 && ly->m->spiking) ? (elig_real)(c->reg_rate * (ly->spike_count[i] * amp / BT - f_star) / BT) : 0;
}

/* Window length in steps and whether step t is inside. */
static inline int elig__in_window(const elig_learner *L, int t) { return t >= L->wb && t < L->we; }

/* Internal hooks for the gradient tests. */
const elig_real *elig__bptt_signal(const elig_learner *L, int layer); /* (T, B, n) dE/dz_t, all paths but adaptation */
void elig__trace_override_signal(elig_learner *L, int layer, const elig_real *sig);
void elig__trace_use_reference_kernel(elig_learner *L, int on);
/* 1 if the trace learner keeps one eligibility copy per presynaptic unit (trace.c). */
int elig__trace_pre_storage(const elig_net *net, const elig_learner_cfg *c);
/* SnAp-n on layer 0: number of tracked (i, u) pairs and of recurrent edges inside the R(i). */
void elig__snap_cost(const elig_net *net, int order, double *pairs, double *edges);
const elig_real *elig__trace_local_readout(const elig_learner *L, int layer); /* (K, n) G^l */
/* SnAp reachability: reach[i*n + u] = 1 iff u is reachable from i in at most order-1 steps
 * of the structural graph adj[u*n + u'] (u receives from u'), self-loops included. */
void elig__snap_reach(const unsigned char *adj, int n, int order, unsigned char *reach);

#endif
