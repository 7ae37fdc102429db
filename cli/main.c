/* main.c -- the `elig` tool: command dispatch, help and version.
 *
 *   elig train CFG [section.key=value ...] [--out DIR] [--iterations N] [--seed N] [--quiet]
 *   elig grad CFG (--method M | --compare) [--inputs X --targets Y | --labels L] [--out DIR]
 *   elig bench [CFG] [--steps N] [--csv FILE]
 *   elig dyn CFG_OR_PRESET [section.key=value ...] [--out DIR] [--seed N] [--quiet] [--dry-run]
 *   elig suite [--out DIR] [--seeds N] [--jobs N] [--only B,..] [--rules R,..] [--quick]
 *   elig data CFG [section.key=value ...] [--shd DIR]
 *   elig help [train | grad | bench | config [--markdown]]      elig --version
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error (see cli.h).
 */
#include "cli.h"
#include "cli_dyn.h"

#include <string.h>

static const char usage[] =
    "elig " ELIG_VERSION " -- online learning in recurrent spiking and rate networks\n"
    "(e-prop, OSTL, RFLO, DECOLLE, SuperSpike, SnAp, diagonal RTRL; BPTT and RTRL as references)\n"
    "\n"
    "usage: elig <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  train CFG [key=value ...]   train a network, write a run directory (metrics, weights, figure)\n"
    "  grad CFG --method M         gradient of one sequence with a rule (bptt, rtrl, eprop, ...;\n"
    "                              --compare: several against BPTT)\n"
    "  bench [CFG]                 steps/s and memory of each rule on one network\n"
    "  dyn CFG_OR_PRESET           FORCE or FOLLOW on a target signal or dynamical system\n"
    "  suite                       benchmark table: BPTT and each online rule on five data sets\n"
    "  data CFG [--shd DIR]        load and encode a config's data set; write it in the SHD layout\n"
    "  help [COMMAND | config]     help on a command, or every config key\n"
    "  --version                   version and precision of this build\n"
    "\n"
    "Config files are INI-like: [section] lines, key = value lines, # comments. Any key can be\n"
    "overridden on the command line as section.key=value (e.g. optim.lr=1e-3 layer0.n=50).\n"
    "Examples: examples/*.cfg; reference: docs/cli.md or `elig help config`.\n"
    "\n"
    "exit codes: 0 ok, 1 runtime error, 2 usage or configuration error\n";

/* Third-party leaks reported by LeakSanitizer in ASan builds: fontconfig's caches (via the
 * cairo driver of PLplot) and libltdl's module list live until exit by design. */
#if defined(__SANITIZE_ADDRESS__)
#define CLI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_ASAN 1
#endif
#endif
#ifdef CLI_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\nleak:libltdl.so\nleak:libcairo.so\nleak:libpango\n"; }
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_EUSAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("elig %s (%s)\n", ELIG_VERSION, cli_precision_name());
        return CLI_OK;
    }
    if (!strcmp(cmd, "train")) return cli_cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "grad")) return cli_cmd_grad(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cli_cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "dyn")) return cli_cmd_dyn(argc - 1, argv + 1);
    if (!strcmp(cmd, "suite")) return cli_cmd_suite(argc - 1, argv + 1);
    if (!strcmp(cmd, "data")) return cli_cmd_data(argc - 1, argv + 1);
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            fputs(usage, stdout);
            return CLI_OK;
        }
        const char *topic = argv[2];
        char *help[] = {(char *)topic, "--help", NULL};
        if (!strcmp(topic, "train")) return cli_cmd_train(2, help);
        if (!strcmp(topic, "grad")) return cli_cmd_grad(2, help);
        if (!strcmp(topic, "bench")) return cli_cmd_bench(2, help);
        if (!strcmp(topic, "dyn")) return cli_cmd_dyn(2, help);
        if (!strcmp(topic, "suite")) return cli_cmd_suite(2, help);
        if (!strcmp(topic, "data")) return cli_cmd_data(2, help);
        if (!strcmp(topic, "config")) {
            int md = argc > 3 && !strcmp(argv[3], "--markdown");
            if (!md) printf("Config keys: key, type, default, meaning. layerK is layer0 .. layer%d;\n"
                            "layer defaults shown are those of model = lif.\n", ELIG_MAX_LAYERS - 1);
            cli_config_print_keys(stdout, md);
            return CLI_OK;
        }
        return cli_fail(CLI_EUSAGE, "help: unknown topic '%s' (train, grad, bench, dyn, suite, data, config)", topic);
    }
    fprintf(stderr, "elig: unknown command '%s'\n\n", cmd);
    fputs(usage, stderr);
    return CLI_EUSAGE;
}
