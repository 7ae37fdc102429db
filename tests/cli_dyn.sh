#!/usr/bin/env bash
# cli_dyn.sh BUILD_DIR -- checks of `elig dyn` (FORCE and FOLLOW from the command line): short
# versions of the presets write a complete run directory (config.resolved, series.csv,
# summary.txt, a PNG figure); a FORCE and a FOLLOW run learn (test error below a stated bound
# and below the untrained network's); config.resolved reloads and reproduces series.csv bit
# for bit; a preset and its examples/ file resolve to the same config; bad input exits 2 with a
# message naming the key and value. Prints "ok NAME" / "FAIL NAME" per check and closes with
# "N passed, N failed, N skipped".
#
# Sizes: small networks and short runs (~10 s in all in float32; under ASan, double and ~10x
# slower, about 1.5 minutes, mostly the FOLLOW learning run and the figures).
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"

if [ ! -x "$E" ]; then
    fail binary "$E not found or not executable"
    finish
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
run() { "$E" "$@" >"$tmp/out" 2>&1; rc=$?; }
field() { awk -v k="$2:" '$1 == k { print $2 }' "$1/summary.txt"; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }


# ---------------------------------------------------------------- help and usage
run dyn --help;           check dyn_help_exit0 $(( rc != 0 )) "exit $rc"
grep -q 'force_sine' out; check dyn_help_lists_presets $?
run help dyn;             check help_dyn_exit0 $(( rc != 0 )) "exit $rc"
run dyn;                  check dyn_no_config_exit2 $(( rc != 2 )) "exit $rc"
run dyn no_such_preset;   check dyn_unknown_preset_exit2 $(( rc != 2 )) "exit $rc"
grep -q "no_such_preset" out; check dyn_unknown_preset_named $? "$(head -c 300 out)"

# ---------------------------------------------------------------- FORCE learns (rate network)
# The Sussillo & Abbott rate network, N 300, 1 s chaos, 3 s RLS, 1 s test on the 5 Hz sine.
# Measured test rmse ~0.001-0.01 (untrained 0.707, the sine's rms). Bound 0.1.
fr="force.n=300 phase.t_min=1 phase.train=3 phase.test=1"
run dyn force_rate_sine $fr --out rs -q
check force_rate_runs $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
for f in config.resolved series.csv summary.txt figure.png; do
    [ -s "rs/$f" ]; check "force_rate_writes_$f" $?
done
png rs/figure.png; check force_rate_figure_is_png $?
grep -q 'rs$' out; check force_rate_result_line $? "$(head -c 300 out)"
te=$(field rs test_rmse); un=$(field rs untrained_rmse)
lt "$te" 0.1; check force_rate_test_below_0.1 $? "test_rmse $te"
lt "$te" "$un"; check force_rate_test_below_untrained $? "test $te untrained $un"
# the test's statistics: the learned sine has the target's spread (sd 0.707)
sds=$(awk '/^test_stats_0:/ { gsub(";", ""); print $6, $11 }' rs/summary.txt)
awk -v s="$sds" 'BEGIN { split(s, v, " "); exit !(v[1] > 0.6 && v[1] < 0.8 && v[2] / v[1] > 0.9 && v[2] / v[1] < 1.1) }'
check force_test_stats_spread $? "target/output sd: $sds"
rows=$(($(wc -l <rs/series.csv) - 1))
[ "$rows" -ge 1000 ] && [ "$rows" -le 20001 ]; check force_series_rows $? "$rows rows"
head -1 rs/series.csv | grep -q '^time_ms,phase,target0,output0,err$'; check force_series_header $? "$(head -1 rs/series.csv)"

# reload config.resolved: bit-identical series
run dyn rs/config.resolved --out rs2 -q
check force_resolved_reloads $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
cmp -s rs/series.csv rs2/series.csv; check force_resolved_reproduces_series $?
cmp -s rs/config.resolved rs2/config.resolved || diff <(tail -n +2 rs/config.resolved) <(tail -n +2 rs2/config.resolved) >/dev/null
check force_resolved_is_a_fixed_point $?
# --seed changes the network
run dyn force_rate_sine $fr --out rs3 --seed 7 -q
! cmp -s rs/series.csv rs3/series.csv; check force_seed_changes_series $?

# a preset and its examples/ file are the same experiment
for p in force_sine force_sines force_vdp force_lorenz force_ode_to_joy force_rate_sine force_rate_vdp \
         force_izhikevich_sine force_theta_sine follow_linosc follow_vdp follow_lorenz; do
    "$E" dyn "$p" --out "p_$p" --dry-run >/dev/null 2>&1
    "$E" dyn "$root/examples/$p.cfg" --out "e_$p" --dry-run >/dev/null 2>&1
    [ -s "p_$p/config.resolved" ] && diff <(tail -n +2 "p_$p/config.resolved") <(tail -n +2 "e_$p/config.resolved") >/dev/null 2>&1
    check "preset_${p}_equals_example" $?
done
run dyn force_sine --out dry --dry-run
[ $rc -eq 0 ] && [ -s dry/config.resolved ] && [ ! -e dry/series.csv ]; check dry_run_resolves_only $? "exit $rc"

# ---------------------------------------------------------------- FORCE spiking (LIF), short
# N 200 LIF reservoir (reference parameters), 0.2 s chaos, 0.5 s RLS, 0.2 s test: checks the
# spiking path end to end (raster, rates); no learning bound at this size.
run dyn force_sine force.n=200 phase.t_min=0.2 phase.train=0.5 phase.test=0.2 --out lif -q
check force_lif_short_runs $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
png lif/figure.png; check force_lif_figure_is_png $?
hz=$(field lif mean_rate_hz)
lt 1 "$hz" && lt "$hz" 500; check force_lif_rate_plausible $? "mean_rate_hz $hz"

# ---------------------------------------------------------------- FOLLOW learns (linear oscillator)
# 100 + 100 neurons (constant gain 10, eta 3e-3, k 10, the input at half amplitude) over 300 s
# of training, then 10 s of test from rest. Measured (f32, seeds 1-6): test / untrained =
# 0.34, 0.57, 0.27, 0.47, 0.49, 0.26. Bound 0.8. ~2 s in float32, ~20 s under ASan.
fl="follow.n_ff=100 follow.n_rec=100 phase.train=300 phase.test=10"; bound=0.8
run dyn follow_linosc $fl --out fo -q
check follow_runs $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
for f in config.resolved series.csv summary.txt figure.png; do
    [ -s "fo/$f" ]; check "follow_writes_$f" $?
done
png fo/figure.png; check follow_figure_is_png $?
te=$(field fo test_rmse); un=$(field fo untrained_rmse)
ratio=$(awk -v a="$te" -v b="$un" 'BEGIN { print a / b }')
lt "$ratio" "$bound"; check "follow_test_below_${bound}x_untrained" $? "test $te untrained $un ratio $ratio"
rows=$(($(wc -l <fo/series.csv) - 1))
[ "$rows" -le 20001 ]; check follow_series_decimated $? "$rows rows"
head -1 fo/series.csv | grep -q '^time_ms,phase,target0,target1,output0,output1,err$'; check follow_series_header $?
run dyn fo/config.resolved --out fo2 -q
check follow_resolved_reloads $(( rc != 0 )) "exit $rc"
cmp -s fo/series.csv fo2/series.csv; check follow_resolved_reproduces_series $?
# The same test with the hand-wired weights (elig_follow_ideal_weights), in the summary and
# the result line. Measured: seed 1 0.26 x untrained (seeds 1-6: 0.21-0.58 -- 100 neurons are
# few). Bound 0.5.
id=$(field fo ideal_rmse)
ratio=$(awk -v a="$id" -v b="$un" 'BEGIN { print a / b }')
lt "$ratio" 0.5; check follow_hand_wired_below_0.5x_untrained $? "ideal $id untrained $un ratio $ratio"
grep -q 'hand-wired weights' out; check follow_hand_wired_in_result_line $? "$(head -c 300 out)"
# Training that starts from them (the FOLLOW code's initLearned): with eta 0 nothing moves, so
# the test is the hand-wired test, to the last digit (fails if init were ignored: zero weights).
run dyn follow_linosc follow.n_ff=100 follow.n_rec=100 follow.init=ideal follow.eta=0 phase.train=5 phase.test=4 --out fi -q
check follow_init_ideal_runs $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
grep -q '^init = ideal' fi/config.resolved; check follow_init_ideal_resolved $? "$(grep init fi/config.resolved)"
te=$(field fi test_rmse); id=$(field fi ideal_rmse)
[ -n "$te" ] && [ "$te" = "$id" ]; check follow_init_ideal_is_the_hand_wired_network $? "test $te hand-wired $id"

# ---------------------------------------------------------------- HDTS channels and trials
# The same rate run with 4 HDTS channels in the supervisor: the network learns 5 outputs, the
# errors, series and figure keep to the task's channel. FOLLOW with trials: clamps between
# trials, errors over the unclamped steps.
run dyn force_rate_sine $fr target.hdts=4 target.period_ms=200 --out hd -q
check force_hdts_runs $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
head -1 hd/series.csv | grep -q '^time_ms,phase,target0,output0,err$'; check force_hdts_series_task_only $? "$(head -1 hd/series.csv)"
grep -q 'HDTS in the supervisor' hd/summary.txt; check force_hdts_in_summary $?
te=$(field hd test_rmse); lt "$te" 0.1; check force_hdts_test_below_0.1 $? "test_rmse $te"
run dyn follow_linosc follow.trial_ms=1000 follow.clamp_ms=200 phase.train=20 phase.test=4 --out tr -q
check follow_trials_run $(( rc != 0 )) "exit $rc: $(head -c 400 out)"
grep -q '^trial_ms = 1000' tr/config.resolved; check follow_trials_resolved $? "$(grep trial tr/config.resolved)"
grep -q '^test_rmse_1s: .*first second of every trial of the test' tr/summary.txt; check follow_trials_first_second_per_trial $? "$(grep 1s tr/summary.txt)"

# ---------------------------------------------------------------- bad input: exit 2, named
bad() { # bad NAME PATTERN ARGS...
    local name=$1 pat=$2; shift 2
    run dyn "$@" --out bad -q
    check "${name}_exit2" $(( rc != 2 )) "exit $rc: $(head -c 300 out)"
    grep -q -- "$pat" out; check "${name}_named" $? "$(head -c 300 out)"
}
bad force_tau_d_zero 'force.tau_d must be > 0' force_sine force.tau_d=0
bad follow_tau_syn_negative 'follow.tau_syn must be > 0.*-1' follow_linosc follow.tau_syn=-1
bad empty_training_window 'phase.train must be > 0 s (got 0)' force_sine phase.train=0
bad follow_empty_training 'phase.train must be > 0 s (got 0)' follow_linosc phase.train=0
bad force_k_mismatch 'force.k = 2 does not match the target' force_sine force.k=2
bad force_k_mismatch_vdp 'force.k = 1 does not match the target: target.kind = vdp has 2' force_vdp force.k=1
bad unknown_key_override "unknown key 'tau_x' in \[force\]" force_sine force.tau_x=3
bad bad_value "force.n = 'abc': expected an integer" force_sine force.n=abc
bad bad_enum "force.model = 'hodgkin'" force_sine force.model=hodgkin
bad bad_real "force.G = '1e400'" force_sine force.G=1e400
bad hdts_negative 'target.hdts must be in \[0, 4096\]' force_sine target.hdts=-1
bad follow_clamp_too_long 'follow.clamp_ms must be in \[0, trial_ms = 400)' follow_linosc follow.trial_ms=400 follow.clamp_ms=400
bad follow_init_unknown "follow.init = 'random'" follow_linosc follow.init=random
bad schedule_lengths 'follow.schedule has 3 phases but schedule_eta 2' follow_linosc follow.schedule=1,1,1 follow.schedule_eta=1e-3,2e-3
# schedule_eta without schedule: one phase, and the two values are an error, not silently replaced
bad schedule_eta_alone 'follow.schedule has 1 phase but schedule_eta 2' follow_linosc follow.schedule_eta=1e-3,2e-3

printf '[force]\nmodel = lif\ntau_dd = 20\n' >unknown_key.cfg
run dyn unknown_key.cfg --out bad -q
check unknown_key_file_exit2 $(( rc != 2 )) "exit $rc"
grep -q "unknown_key.cfg:3: unknown key 'tau_dd' in \[force\]" out; check unknown_key_file_line $? "$(head -c 300 out)"
printf '[run]\nrule = force\n[forse]\nn = 3\n' >unknown_section.cfg
run dyn unknown_section.cfg --out bad -q
check unknown_section_exit2 $(( rc != 2 )) "exit $rc"
grep -q "unknown_section.cfg:3: unknown section \[forse\]" out; check unknown_section_line $? "$(head -c 300 out)"
printf '[force]\nn = 12x\n' >bad_value.cfg
run dyn bad_value.cfg --out bad -q
check bad_value_file_exit2 $(( rc != 2 )) "exit $rc"
grep -q "bad_value.cfg:2: force.n = '12x'" out; check bad_value_file_line $? "$(head -c 300 out)"
printf 'n = 3\n' >no_section.cfg
run dyn no_section.cfg --out bad -q
check key_before_section_exit2 $(( rc != 2 )) "exit $rc"

finish
