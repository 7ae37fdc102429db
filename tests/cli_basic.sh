#!/usr/bin/env bash
# cli_basic.sh BUILD_DIR -- checks of the `elig` tool: exit codes and messages of bad
# configs, a tiny training run and its run directory, reproducibility from config.resolved,
# gradient agreement of RTRL with BPTT, bench. Prints "ok NAME" / "FAIL NAME" per check and
# closes with "N passed, N failed". Runs in a few seconds (tiny networks, short sequences).
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"

if [ ! -x "$E" ]; then
    fail "binary" "$E not found or not executable"
    finish
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# run NAME-of-output ARGS...: stdout+stderr to $tmp/out, exit code in $rc
run() { "$E" "$@" >"$tmp/out" 2>&1; rc=$?; }

# float32 builds agree to ~1e-7 relative, double builds to ~1e-14
if "$E" --version | grep -q float64; then TOL=1e-9; else TOL=1e-4; fi

cat >tiny.cfg <<'EOF'
# a tiny e-prop pattern-generation run: 13 inputs, 20 LIF, 50 steps
[run]
iterations = 3
[task]
kind = pattern
n_in = 13
steps = 50
[net]
tau_out = 17.3
[layer0]
n = 20
model = lif
tau_mem = 23.7
v_th = 0.03
input_leak_scale = 1
[learner]
rule = eprop
feedback = random
fb_scaled = 1
reg_rate = 300
f_target = 10
[optim]
kind = adam
lr = 3e-3
EOF

# ---------------------------------------------------------------- usage and help
run --version;            check version $(( rc != 0 )) "exit $rc"
run --help;               check help_exit0 $(( rc != 0 )) "exit $rc"
run train --help;         check train_help_exit0 $(( rc != 0 )) "exit $rc"
run grad --help;          check grad_help_exit0 $(( rc != 0 )) "exit $rc"
run bench --help;         check bench_help_exit0 $(( rc != 0 )) "exit $rc"
run help config;          check help_config $(( rc != 0 )) "exit $rc"
grep -q 'tau_mem' out;    check help_config_lists_keys $?
run;                      check no_args_exit2 $(( rc != 2 )) "exit $rc"
run frobnicate;           check unknown_command_exit2 $(( rc != 2 )) "exit $rc"
run train;                check train_no_config_exit2 $(( rc != 2 )) "exit $rc"
run train tiny.cfg --bogus; check unknown_option_exit2 $(( rc != 2 )) "exit $rc"

# ---------------------------------------------------------------- config errors
printf '[net]\ntau_outt = 30\n' >unknown_key.cfg
run train unknown_key.cfg
check unknown_key_exit2 $(( rc != 2 )) "exit $rc"
grep -q "unknown_key.cfg:2: unknown key 'tau_outt' in \[net\]" out; check unknown_key_message $? "$(head -c 300 out)"

printf '[fancy]\nx = 1\n' >unknown_section.cfg
run train unknown_section.cfg
check unknown_section_exit2 $(( rc != 2 )) "exit $rc"

printf '[net]\ntau_out = thirty\n' >bad_value.cfg
run train bad_value.cfg
check bad_value_exit2 $(( rc != 2 )) "exit $rc"
grep -q "tau_out" out && grep -q "thirty" out; check bad_value_message $? "$(head -c 300 out)"

printf '[layer0]\nmodel = lifx\n' >bad_enum.cfg
run train bad_enum.cfg
check bad_enum_exit2 $(( rc != 2 )) "exit $rc"
grep -q "lifx" out; check bad_enum_message $? "$(head -c 300 out)"

run train tiny.cfg optim.lrr=1
check unknown_override_exit2 $(( rc != 2 )) "exit $rc"
grep -q "lrr" out; check unknown_override_message $?

printf '[layer0]\ntau_mem = -5\n' >invalid.cfg
run train invalid.cfg --out "$tmp/invalid"
check library_validation_exit2 $(( rc != 2 )) "exit $rc"
grep -q "tau_mem" out && grep -q -- "-5" out; check library_validation_message $? "$(head -c 300 out)"

run train "$tmp/no_such_dir/missing.cfg"
check missing_config_exit $(( rc != 1 && rc != 2 )) "exit $rc"
grep -q "no_such_dir/missing.cfg" out; check missing_config_names_path $?

printf '[init]\nw_out = nowhere/w.npy\n' >missing_init.cfg
cat tiny.cfg >>missing_init.cfg
run train missing_init.cfg --out "$tmp/mi"
check missing_npy_exit $(( rc != 1 && rc != 2 )) "exit $rc"
grep -q "nowhere/w.npy" out; check missing_npy_names_path $? "$(head -c 300 out)"

run train tiny.cfg learner.rule=bptt run.update_every=10 --out "$tmp/ue"
check update_every_needs_online_rule $(( rc != 2 )) "exit $rc"

# ---------------------------------------------------------------- a tiny training run
run train tiny.cfg --out "$tmp/run1"
check train_exit0 $(( rc != 0 )) "exit $rc: $(head -c 500 out)"
for f in config.resolved metrics.csv summary.txt figure.png w_in0.npy w_rec0.npy w_out.npy fb0.npy; do
    [ -s "run1/$f" ]; check "writes_$f" $?
done
[ "$(head -n 1 run1/metrics.csv)" = "iteration,loss,accuracy,rate_hz,seconds" ]; check metrics_header $?
[ "$(tail -n +2 run1/metrics.csv | wc -l)" -eq 3 ]; check metrics_3_rows $?
[ "$(od -An -tx1 -N8 run1/figure.png | tr -d ' \n')" = "89504e470d0a1a0a" ]; check figure_is_png $?
[ "$(od -An -c -N6 run1/w_rec0.npy | tr -d ' \n')" = "223NUMPY" ]; check weights_are_npy $?
grep -q '^loss_reduction:' run1/summary.txt; check summary_has_reduction $?
grep -q 'figure.png' out && grep -q 'metrics.csv' out; check prints_paths $?
ls run1 | grep -q '\.tmp'; check no_temporary_files $(( $? == 0 ))

# reproducibility: the resolved config repeats the run bit for bit
run train run1/config.resolved --out "$tmp/run2"
check rerun_exit0 $(( rc != 0 )) "exit $rc: $(head -c 300 out)"
cmp -s <(cut -d, -f2 run1/metrics.csv) <(cut -d, -f2 run2/metrics.csv); check rerun_identical_loss $?
cmp -s <(grep -v -e '^out = ' -e '^#' run1/config.resolved) <(grep -v -e '^out = ' -e '^#' run2/config.resolved)
check resolved_is_fixed_point $?
cmp -s run1/w_rec0.npy run2/w_rec0.npy; check rerun_identical_weights $?
# another seed gives another run
run train tiny.cfg --seed 5 --out "$tmp/run3"
cmp -s <(cut -d, -f2 run1/metrics.csv) <(cut -d, -f2 run3/metrics.csv); check seed_changes_run $(( $? == 0 ))

# weights from files: the final weights of run1 as initial weights
cat tiny.cfg >init.cfg
printf '[init]\nw_in0 = run1/w_in0.npy\nw_rec0 = run1/w_rec0.npy\nw_out = run1/w_out.npy\nfb0 = run1/fb0.npy\n' >>init.cfg
run train init.cfg --out "$tmp/run4" --iterations 1
check init_files_exit0 $(( rc != 0 )) "exit $rc: $(head -c 300 out)"
cmp -s run1/fb0.npy run4/fb0.npy; check init_feedback_copied $?
printf '[init]\nw_rec0 = run1/w_in0.npy\n' >init_bad.cfg
cat tiny.cfg >>init_bad.cfg
run train init_bad.cfg --out "$tmp/run5"
check init_shape_mismatch_exit2 $(( rc != 2 )) "exit $rc"
grep -q "w_rec0" out; check init_shape_mismatch_message $?

# ---------------------------------------------------------------- gradients
run grad tiny.cfg --compare --out "$tmp/grads"
check grad_compare_exit0 $(( rc != 0 )) "exit $rc: $(head -c 300 out)"
cp out grad_table.txt
n_rtrl=$(awk '$3 == "rtrl"' grad_table.txt | wc -l)
[ "$n_rtrl" -ge 3 ]; check grad_compare_table "$?" "$n_rtrl rtrl rows"
awk -v tol="$TOL" '$3 == "rtrl" { n++; if (!($4 + 0 < tol)) bad++ } END { exit !(n > 0 && bad == 0) }' grad_table.txt
check rtrl_matches_bptt $? "$(awk '$3 == "rtrl"' grad_table.txt | tr '\n' ';')"
awk -v tol="$TOL" '$1 == "w_out" && $3 == "eprop" { exit !($4 + 0 < tol) }' grad_table.txt
check eprop_readout_gradient_exact $?
[ -s grads/rtrl/grad_w_rec0.npy ]; check grad_compare_writes $?
run grad tiny.cfg --method eprop --out "$tmp/g1"
check grad_method_exit0 $(( rc != 0 )) "exit $rc"
[ -s g1/grad_w_in0.npy ] && [ -s g1/grad_w_out.npy ]; check grad_writes_files $?
grep -q '^loss eprop' out; check grad_prints_loss $?
run grad tiny.cfg --method adam --out "$tmp/g2"
check grad_bad_method_exit2 $(( rc != 2 )) "exit $rc"

# ---------------------------------------------------------------- bench
run bench tiny.cfg --steps 30 --csv "$tmp/bench.csv"
check bench_exit0 $(( rc != 0 )) "exit $rc: $(head -c 300 out)"
[ "$(grep -c -E '^(bptt|rtrl|eprop) ' out)" -eq 3 ]; check bench_table $?
[ "$(wc -l <bench.csv)" -eq 4 ]; check bench_csv $?

# ---------------------------------------------------------------- docs in sync
# docs/cli.md's key table is `elig help config --markdown` verbatim (regenerate it when a key
# or its text changes).
"$E" help config --markdown >keys.md 2>&1
awk '/^\| section \| key \|/ { on = 1 } on && !/^\|/ { exit } on' "$root/docs/cli.md" >doc_keys.md
cmp -s keys.md doc_keys.md
check docs_cli_key_table_in_sync $? "$(diff keys.md doc_keys.md | head -5)"

finish
