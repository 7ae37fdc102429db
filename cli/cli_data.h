/* cli_data.h -- [task] kind = dataset: what cli/dataset.c and cli/classify.c share. */
#ifndef ELIG_CLI_DATA_H
#define ELIG_CLI_DATA_H

#include "cli.h"

typedef struct {
    int n, T, n_in, n_classes;
    elig_real *x;                    /* (n, T, n_in) spike raster                        */
    int32_t *labels;                 /* (n)                                              */
    int32_t *idx;                    /* (n) storage of the three index lists             */
    int32_t *train, *val, *test;     /* sample indices of each split (into idx)          */
    int n_train, n_val, n_test;
} cli_dataset;

/* Load and encode the data set of c->data; one message and an exit code on failure. */
int cli_dataset_load(const cli_config *c, cli_dataset *d);
void cli_dataset_free(cli_dataset *d);
/* Fisher-Yates with the given RNG. */
void cli_dataset_shuffle(int32_t *a, int n, elig_rng *r);

#endif
