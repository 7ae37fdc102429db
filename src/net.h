/* net.h -- the network object, shared by the learning rules (internal). */
#ifndef ELIG_NET_H
#define ELIG_NET_H

#include "neuron.h"

typedef struct {
    int n, s, n_pre;                 /* neurons, state vars, presynaptic units of W_in     */
    const elig_neuron_model *m;
    elig_neuron_consts k;
    size_t off_win, off_wrec, off_b; /* into params; ELIG__ABSENT if the tensor is absent  */
    /* per batch element b, arrays are b-major: h (batch, n, s) ... */
    elig_real *h;
    int32_t *ref;
    elig_real *z, *z_prev;           /* (batch, n): z_t and z_{t-1} (swapped each step)    */
    elig_real *c;                    /* (batch, n) input current of this step              */
    elig_partials part;              /* this step, (batch, n, ...)                         */
    elig_real *dzdh_prev;            /* (batch, n, s) dz/dh of the previous step           */
    elig_real *dzdh_buf[2];
    double *spike_count;             /* (n) spikes since the last reset, summed over batch */
} elig__layer;

struct elig_net {
    elig_net_cfg cfg;
    int L, n_in, n_out, batch;
    elig__layer layer[ELIG_MAX_LAYERS];
    elig_real kappa, out_scale;      /* y1_t = kappa y1_{t-1} + out_scale W_out z_t + b_out */
    elig_real kappa2, out_scale2;    /* y_t = kappa2 y_{t-1} + out_scale2 y1_t (2-stage),   */
    int two_stage;                   /*   else y_t = y1_t                                   */
    elig_real *y1;                   /* (batch, n_out) first stage (= y when single stage)  */
    size_t off_wout, off_bout;
    elig_real *y;                    /* (batch, n_out) */
    elig_real *params;               /* n_params */
    unsigned char *mask;             /* n_params */
    size_t n_params, n_core;         /* core = everything before W_out                     */
    const elig_real *x_last;         /* input of the last step (caller-owned)              */
    int32_t *active;                 /* scratch: indices of non-zero presynaptic units     */
    int dense_only;                  /* 1: never use the event-driven kernel (tests)       */
    long steps;                      /* steps since the last reset                         */
    void *mem;
};

/* Pre-synaptic activity of layer l at the current step: x_t (l = 0) or z^{l-1}_t, (batch, n_pre). */
static inline const elig_real *elig__pre(const elig_net *net, int l)
{
    return l == 0 ? net->x_last : net->layer[l - 1].z;
}

#endif
