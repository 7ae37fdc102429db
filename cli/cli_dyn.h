/* cli_dyn.h -- `elig dyn` (cli/dyn.c) and its figure (cli/plot_dyn.c): FORCE and FOLLOW runs
 * on target signals and reference dynamical systems (include/elig_dyn.h). */
#ifndef ELIG_CLI_DYN_H
#define ELIG_CLI_DYN_H

#include "cli.h"

int cli_cmd_dyn(int argc, char **argv);

/* What figure.png of a dyn run shows. Times in ms from the start of the run; the test phase
 * of FOLLOW starts from rest at t_test0 (drawn after the training phase). */
typedef struct {
    const char *path;                /* final .png (written to a temporary, renamed)        */
    const char *title;               /* run name                                             */
    const char *rule;                /* "FORCE" or "FOLLOW"                                  */
    const char *model;               /* "LIF", "theta", ... / "LIF 200 + 200"               */
    int k;                           /* output dimension                                     */
    /* the whole run, decimated */
    int n;
    const double *t;                 /* (n)                                                  */
    const float *target, *output;    /* (n, k)                                               */
    const float *err;                /* (n) smoothed error |x̂ - x| (rms over the k outputs) */
    double err_tau_ms;               /* its smoothing time constant                          */
    double t_pre, t_train1, t_test0, t_end; /* phase bounds: [0, t_pre) no learning (FORCE
                                        chaos; 0 for FOLLOW), [t_pre, t_train1) training,
                                        [t_test0, t_end) test                             */
    /* a zoom at full resolution around the end of training and the start of the test */
    int nz;
    const double *tz;                /* (nz)                                                 */
    const float *target_z, *output_z;/* (nz, k)                                              */
    /* raster: n_ev spikes (time ms, neuron index < raster_n) in [raster_t0, raster_t1) */
    long n_ev;
    const float *ev_t;
    const int *ev_i;
    int raster_n;
    double raster_t0, raster_t1;
    const char *raster_what;         /* "reservoir", "recurrent layer"                       */
    /* phase plane (k >= 2): channels 0 and 1 over the test phase, full resolution */
    int npp;
    const float *pp_target, *pp_output; /* (npp, k)                                          */
    int no_phase_plane;              /* channels are not a state (notes): no phase plane      */
    const char *result;              /* one line: test error vs untrained                     */
} dyn_figure;

int cli_plot_dyn(const dyn_figure *f);

#endif
