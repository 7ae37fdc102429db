#!/usr/bin/env bash
# cli_learning.sh BUILD_DIR -- the README's main job learns: examples/eprop_pattern.cfg, run
# as shipped (only the run directory is redirected), must cut the loss by at least 5x.
# Checked twice: from summary.txt and, independently, from metrics.csv. Takes the example's
# full run time (seconds to about a minute on one core). Skipped under ASan -- the sanitised
# build is many times slower -- with a printed reason and nothing counted.
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"

case "$B" in
*asan*)
    echo "skip eprop_pattern_learns: $B is a sanitizer build (the full learning run is too slow there; nothing counted)"
    finish
    ;;
esac
if [ ! -x "$E" ]; then
    fail binary "$E not found or not executable"
    finish
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
"$E" train "$root/examples/eprop_pattern.cfg" --out "$tmp/run" --quiet >"$tmp/out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc -eq 0 ]; then ok eprop_pattern_runs; else fail eprop_pattern_runs "exit $rc: $(head -c 500 "$tmp/out")"; finish; fi
echo "# eprop_pattern.cfg took ${secs} s"
grep -E '^(loss_first|loss_last|loss_reduction|wall_time_s|steps_per_s):' "$tmp/run/summary.txt" | sed 's/^/# /'

red=$(awk '/^loss_reduction:/ { sub(/x$/, "", $2); print $2 }' "$tmp/run/summary.txt")
if awk -v r="${red:-0}" 'BEGIN { exit !(r + 0 >= 5) }'; then ok summary_reduction_ge_5x
else fail summary_reduction_ge_5x "loss_reduction ${red:-missing}"; fi

# the same from the raw metrics: first iteration's loss / last iteration's loss
if awk -F, 'NR == 2 { first = $2 } NR > 1 { last = $2 } END { exit !(last > 0 && first / last >= 5) }' "$tmp/run/metrics.csv"
then ok metrics_reduction_ge_5x
else fail metrics_reduction_ge_5x "$(sed -n '2p;$p' "$tmp/run/metrics.csv" | tr '\n' ' ')"; fi

[ "$(od -An -tx1 -N8 "$tmp/run/figure.png" | tr -d ' \n')" = "89504e470d0a1a0a" ] && ok figure_written || fail figure_written
finish
