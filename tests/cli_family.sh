#!/usr/bin/env bash
# cli_family.sh BUILD_DIR -- every named rule's example config runs from the CLI on its
# canonical task: each examples/*.cfg of the rule family (OSTL, RFLO, BPTT, diagonal RTRL,
# SuperSpike, DECOLLE, SnAp, e-prop) is trained for a few iterations (iterations overridden,
# run directory redirected) and its run directory checked: metrics.csv with one row per
# iteration, a PNG figure, the level column of the copy task, the target spike times of the
# spike-timing task, fidelity.csv when [run] fidelity is set. Then the config errors of the new
# keys, and `elig grad --compare` with every approximate rule on a tiny single-layer net:
# every (tensor, method) row printed, RTRL equal to BPTT (rel_err < 1e-4 in float32).
# Prints "ok NAME" / "FAIL NAME" per check and closes with "N passed, N failed". About
# 20-40 s in a float32 build on one core; skipped under ASan (the sanitised build is many
# times slower) with a printed reason and nothing counted.
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"

case "$B" in
*asan*)
    echo "skip cli_family: $B is a sanitizer build (the example runs take minutes there; nothing counted)"
    finish
    ;;
esac
if [ ! -x "$E" ]; then
    fail binary "$E not found or not executable"
    finish
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
X="$root/examples"
if "$E" --version | grep -q float64; then TOL=1e-9; else TOL=1e-4; fi


# train NAME CFG ITERATIONS [overrides...]: run, then the common run-directory checks.
train() {
    local name=$1 cfg=$2 n=$3
    shift 3
    local start=$(date +%s.%N)
    "$E" train "$X/$cfg" --iterations "$n" --out "$tmp/$name" --quiet "$@" >"$tmp/$name.out" 2>&1
    local rc=$?
    local secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    echo "# $cfg: $n iterations in ${secs} s"
    if [ $rc -ne 0 ]; then
        fail "${name}_runs" "exit $rc: $(head -c 400 "$tmp/$name.out")"
        return 1
    fi
    ok "${name}_runs"
    local rows=$(($(wc -l <"$tmp/$name/metrics.csv") - 1))
    check "${name}_metrics_rows" $(( rows != n )) "$rows rows, expected $n"
    awk -F, 'NR > 1 && $2 !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ { bad = 1 } END { exit bad }' "$tmp/$name/metrics.csv"
    check "${name}_metrics_finite" $? "$(sed -n 2p "$tmp/$name/metrics.csv")"
    png "$tmp/$name/figure.png"; check "${name}_figure_png" $?
    grep -q '^loss_last:' "$tmp/$name/summary.txt" 2>/dev/null; check "${name}_summary" $?
    return 0
}

[ -f "$X/ostl_pattern.cfg" ] || fail examples_present "examples/ostl_pattern.cfg missing"

# ---------------------------------------------------------------- OSTL, pattern generation
train ostl_pattern ostl_pattern.cfg 3 && {
    grep -q '^rule:  *ostl' ostl_pattern/summary.txt; check ostl_pattern_rule $?
}

# ---------------------------------------------------------------- RFLO / BPTT / diag RTRL, periodic
# RFLO with the fidelity meter against BPTT: fidelity.csv has one row per iteration and tensor.
train rflo_periodic rflo_periodic.cfg 5 run.fidelity=bptt && {
    head -1 rflo_periodic/fidelity.csv | grep -q '^iteration,tensor,cosine,rel_err,norm_ratio$'
    check rflo_fidelity_header $?
    nt=$(awk -F, 'NR > 1 && $1 == 1' rflo_periodic/fidelity.csv | wc -l)
    rows=$(($(wc -l <rflo_periodic/fidelity.csv) - 1))
    check rflo_fidelity_rows $(( nt < 2 || rows != 5 * nt )) "$rows rows for $nt tensors"
    # RFLO's readout gradient is exact: cosine 1 for w_out (once the net is active).
    awk -F, '$2 == "w_out" && $3 != "nan" { n++; if ($3 < 0.999) bad = 1 } END { exit bad || n == 0 }' rflo_periodic/fidelity.csv
    check rflo_fidelity_wout_exact $? "$(grep w_out rflo_periodic/fidelity.csv | tail -2 | tr '\n' ' ')"
    grep -q '^fidelity: ' rflo_periodic/summary.txt; check rflo_fidelity_summary $?
}
train bptt_periodic bptt_periodic.cfg 5
# diagonal RTRL against RTRL (the exact online method) this time
train diag_rtrl_periodic diag_rtrl_periodic.cfg 3 run.fidelity=rtrl && {
    [ -f diag_rtrl_periodic/fidelity.csv ]; check diag_rtrl_fidelity_rtrl_written $?
}
# BPTT measured against BPTT: cosine 1, rel_err ~ 0
train bptt_self bptt_periodic.cfg 3 run.fidelity=bptt && {
    awk -F, -v tol="$TOL" 'NR > 1 && $3 != "nan" { n++; if ($3 < 1 - tol || $4 > tol) bad = 1 } END { exit bad || n == 0 }' bptt_self/fidelity.csv
    check fidelity_bptt_vs_bptt_exact $? "$(sed -n 2,5p bptt_self/fidelity.csv | tr '\n' ' ')"
}

# ---------------------------------------------------------------- SuperSpike, spike timing
train superspike_timing superspike_timing.cfg 3 && {
    grep -q '^output_spikes: .*(target [1-9]' superspike_timing/summary.txt
    check superspike_target_spikes $? "$(grep output_spikes superspike_timing/summary.txt)"
}

# ---------------------------------------------------------------- DECOLLE, evidence (short)
train decolle_evidence decolle_evidence.cfg 2 && {
    awk -F, 'NR > 1 && $3 == "" { bad = 1 } END { exit bad }' decolle_evidence/metrics.csv
    check decolle_accuracy_column $?
}

# ---------------------------------------------------------------- SnAp and BPTT, copy
for cfg in snap_copy bptt_copy; do
    train "$cfg" "$cfg.cfg" 4 && {
        head -1 "$cfg/metrics.csv" | grep -q ',level$'; check "${cfg}_level_column" $?
        awk -F, 'NR > 1 && !($6 >= 1 && $3 >= 0 && $3 <= 1) { bad = 1 } END { exit bad || NR < 2 }' "$cfg/metrics.csv"
        check "${cfg}_level_and_accuracy_values" $? "$(sed -n 2p "$cfg/metrics.csv")"
        grep -q '^level: ' "$cfg/summary.txt"; check "${cfg}_summary_level" $?
    }
done
# the curriculum rises: a threshold no loss can miss (every iteration advances)
train copy_rises bptt_copy.cfg 4 task.cp_threshold=1e9 && {
    lv=$(awk -F, 'NR > 1 { printf "%s ", $6 }' copy_rises/metrics.csv)
    [ "$lv" = "1 2 3 4 " ]; check copy_curriculum_advances $? "levels $lv"
}

# ---------------------------------------------------------------- e-prop, evidence (short)
train eprop_evidence_short eprop_evidence_short.cfg 2

# ---------------------------------------------------------------- config errors of the new keys
run() { "$E" "$@" >"$tmp/err.out" 2>&1; rc=$?; }
run train "$X/rflo_periodic.cfg" --out "$tmp/bad1" run.fidelity=bptt run.update_every=10
check fidelity_update_every_exit2 $(( rc != 2 )) "exit $rc"
grep -q 'fidelity.*update_every = 0' "$tmp/err.out"; check fidelity_update_every_message $? "$(head -c 300 "$tmp/err.out")"
run train "$X/rflo_periodic.cfg" --out "$tmp/bad2" task.filter_target=1
check filter_target_other_task_exit2 $(( rc != 2 )) "exit $rc"
run train "$X/rflo_periodic.cfg" --out "$tmp/bad3" run.fidelity=exact
check fidelity_unknown_exit2 $(( rc != 2 )) "exit $rc"
run help config
for key in pe_period st_n_spikes cp_max_level filter_target tau_out2 out_trainable tau_rp w_rp fidelity; do
    grep -q "^  $key " "$tmp/err.out" || { fail "help_config_lists_new_keys" "$key missing"; key=; break; }
done
[ -n "$key" ] && ok help_config_lists_new_keys
grep -q 'identity' "$tmp/err.out" && grep -q 'rmax' "$tmp/err.out" && grep -q 'decolle' "$tmp/err.out" && grep -q 'spike_timing' "$tmp/err.out"
check help_config_lists_new_names $?

# ---------------------------------------------------------------- grad --compare, every rule
cat >tiny.cfg <<'EOF'
# one recurrent LIF layer of 11, 7 inputs, 40 steps
[task]
kind = pattern
n_in = 7
steps = 40
[net]
tau_out = 17.3
[layer0]
n = 11
model = lif
tau_mem = 23.7
v_th = 0.03
input_leak_scale = 1
EOF
methods=rtrl,snap1,snap2,eprop,ostl,rflo,diag_rtrl
run grad tiny.cfg --compare --methods $methods
check grad_compare_family_runs $(( rc != 0 )) "exit $rc: $(head -c 400 "$tmp/err.out")"
missing=
for t in w_in0 w_rec0 w_out; do
    for m in ${methods//,/ }; do
        grep -qE "^$t +[0-9]+x[0-9]+ +$m +" "$tmp/err.out" || missing="$missing $t/$m"
    done
done
check grad_compare_every_row $([ -z "$missing" ]; echo $?) "missing:$missing"
awk -v tol="$TOL" '$3 == "rtrl" { n++; if (!($4 + 0 < tol)) bad = 1 } END { exit bad || n != 3 }' "$tmp/err.out"
check grad_compare_rtrl_equals_bptt $? "$(grep ' rtrl ' "$tmp/err.out" | tr '\n' ' ')"

finish
