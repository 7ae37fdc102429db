/* cli_data.h -- [task] kind = dataset: what cli/dataset.c, cli/classify.c and cli/suite.c
 * share. */
#ifndef ELIG_CLI_DATA_H
#define ELIG_CLI_DATA_H

#include "cli.h"

/* A classification set of spike sequences, stored sparsely: the nonzero entries of sample i's
 * (T, n_in) raster are ev[off[i] .. off[i+1]), each the flat index t * n_in + unit, in
 * increasing order, with value val[k] (val NULL: every value is 1, the usual case). A
 * Fashion-MNIST TTFS set is ~0.3 GB this way and 22 GB as dense float rasters. */
typedef struct {
    int n, T, n_in, n_classes;
    size_t *off;                     /* (n + 1)                                          */
    int32_t *ev;                     /* (off[n]) flat indices                            */
    elig_real *val;                  /* (off[n]) or NULL                                 */
    size_t cap;                      /* capacity of ev (and val)                         */
    elig_real *x;                    /* loaders: dense (n, T, n_in) raster, converted to
                                        events by cli_dataset_load and freed             */
    int32_t *labels;                 /* (n)                                              */
    int32_t *idx;                    /* (n) storage of the three index lists             */
    int32_t *train, *val_idx, *test; /* sample indices of each split (into idx)          */
    int n_train, n_val, n_test;
    const char *const *class_names;  /* (n_classes) or NULL                              */
} cli_dataset;

/* Load and encode the data set of c->data; one message and an exit code on failure. */
int cli_dataset_load(const cli_config *c, cli_dataset *d);
void cli_dataset_free(cli_dataset *d);
/* Fisher-Yates with the given RNG. */
void cli_dataset_shuffle(int32_t *a, int n, elig_rng *r);
/* Append sample d->n (label lab) from its dense (T, n_in) raster x; d->n is advanced.
 * CLI_ERUN (message printed) when out of memory. */
int cli_dataset_append(cli_dataset *d, const elig_real *x, int32_t lab);
/* Input of step t of the B samples idx[0..B) as xt (B, n_in). cur (B) are cursors into the
 * events: the call with t = 0 sets them, later calls must come in increasing t. */
void cli_dataset_step(const cli_dataset *d, const int32_t *idx, int B, int t, size_t *cur, elig_real *xt);
/* Write the splits as DIR/<prefix>_{train,valid,test}.h5 in the SHD layout (float32 times,
 * mid-step: (t + 1/2) dt_ms / 1000 s; samples of each split in index order; an empty split is
 * not written). Loading DIR with source = shd, bin_ms = dt_ms, steps = T and n_units = n_in
 * gives back the same spikes and splits. Binary sets only. *n_spikes: spikes written. */
int cli_dataset_write_shd(const cli_dataset *d, const char *dir, const char *prefix, double dt_ms, size_t *n_spikes);
/* Bytes the data set holds (events, values, labels, indices). */
size_t cli_dataset_bytes(const cli_dataset *d);

/* Train and evaluate one config ([task] kind = dataset); the run directory as documented in
 * classify.c. res (may be NULL) receives the outcome for the suite; pre (may be NULL) is the
 * data set of c->data already loaded (the suite loads it once per benchmark), else it is
 * loaded here. */
typedef struct {
    double test_acc, best_val_acc, seconds;
    int epochs_run, best_epoch;
    size_t bytes_net, bytes_learner, bytes_data;   /* elig_net_bytes, elig_learner_bytes, data */
} cli_class_result;
int cli_train_dataset_res(cli_config *c, int quiet, cli_class_result *res, const cli_dataset *pre);

#endif
