/* data_cmd.c -- `elig data CFG [key=value ...] [--shd DIR]`: load and encode the
 * data set a classification config names ([task] kind = dataset, [data] ...), print what it
 * holds (samples per split, steps, inputs, classes, spikes, bytes), and with --shd write it in
 * the SHD HDF5 layout (DIR/shd_train.h5, shd_valid.h5, shd_test.h5), so that any encoded set -- the
 * spoken digits through the audio front end, latency-coded images, sensor events -- loads
 * through the same path as real SHD: [data] source = shd, path = DIR, bin_ms = [net] dt,
 * steps = T, n_units = inputs (the command prints these keys).
 */
#include "cli_data.h"

#include <string.h>

static const char usage[] =
    "usage: elig data CFG [section.key=value ...] [--shd DIR]\n"
    "\n"
    "Load and encode the data set of a [task] kind = dataset config and print its sizes; with\n"
    "--shd, write its train / validation / test splits as DIR/shd_train.h5, shd_valid.h5,\n"
    "shd_test.h5 in the SHD layout, loadable with [data] source = shd (the keys are printed).\n";

int cli_cmd_data(int argc, char **argv)
{
    const char *cfg = NULL, *shd = NULL, *val;
    int o, rc;
    cli_config *c = cli_config_new();
    if (!c) return cli_fail(CLI_ERUN, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            cli_config_free(c);
            return CLI_OK;
        }
        if ((o = cli_opt(argc, argv, &i, "--shd", &val))) {
            if (o < 0) {
                cli_config_free(c);
                return CLI_EUSAGE;
            }
            shd = val;
            continue;
        }
        if (cli_is_override(a)) continue;
        if (a[0] == '-' || cfg) {
            cli_config_free(c);
            return cli_fail(CLI_EUSAGE, "data: unexpected argument '%s'\n%s", a, usage);
        }
        cfg = a;
    }
    if (!cfg) {
        cli_config_free(c);
        return cli_fail(CLI_EUSAGE, "data: missing config file\n%s", usage);
    }
    rc = cli_config_read_file(c, cfg);
    for (int i = 1; i < argc && !rc; i++)
        if (cli_is_override(argv[i])) rc = cli_config_override(c, argv[i], "override");
    if (!rc) rc = cli_config_resolve(c, 0);
    if (!rc && c->task.kind != CLI_TASK_DATASET) rc = cli_fail(CLI_EUSAGE, "data: %s is not a [task] kind = dataset config", cfg);
    cli_dataset d;
    memset(&d, 0, sizeof d);
    if (!rc) rc = cli_dataset_load(c, &d);
    if (!rc) {
        size_t ev = d.n ? d.off[d.n] : 0;
        printf("%s: %d samples (%d train, %d validation, %d test), %d steps, %d inputs, %d classes, %zu spikes "
               "(%.2f per sample and step), %zu bytes\n",
               c->name, d.n, d.n_train, d.n_val, d.n_test, d.T, d.n_in, d.n_classes, ev,
               d.n ? (double)ev / ((double)d.n * d.T) : 0.0, cli_dataset_bytes(&d));
    }
    if (!rc && shd) {
        size_t n = 0;
        rc = cli_dataset_write_shd(&d, shd, "shd", c->net.dt, &n);
        if (!rc)
            printf("wrote %zu spikes to %s/shd_{train,valid,test}.h5; load with: data.source=shd data.path=%s data.bin_ms=%g "
                   "data.steps=%d data.n_units=%d\n",
                   n, shd, shd, c->net.dt, d.T, d.n_in);
    }
    cli_dataset_free(&d);
    cli_config_free(c);
    return rc;
}
