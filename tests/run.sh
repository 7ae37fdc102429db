#!/usr/bin/env bash
# run.sh BUILD_DIR -- run every test binary, fuzz-corpus replay and CLI test script of one
# build; print one closing line "N passed, N failed, N skipped" and fail if anything failed.
set -u
B=${1:?usage: tests/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
P=0; F=0; S=0
tally() { # parse the closing line of one runner's output
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then F=$((F + 1)); echo "FAIL $2 (no summary line; crashed?)"; return; fi
    set -- $line
    P=$((P + $1)); F=$((F + $3)); S=$((S + ${5:-0}))
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    echo "== $B/$name"
    timeout 900 "$t" >"$tmp/out" 2>&1; rc=$?
    cat "$tmp/out"
    tally "$tmp/out" "$name"
    [ $rc -ne 0 ] && ! grep -q '^FAIL' "$tmp/out" && { F=$((F + 1)); echo "FAIL $name (exit $rc)"; }
done
for r in "$B"/fuzz/replay_fuzz_*; do
    [ -x "$r" ] || continue
    tgt=${r##*/replay_fuzz_}
    echo "== $B/fuzz $tgt"
    timeout 300 "$r" fuzz/corpus/"$tgt" >"$tmp/out" 2>&1
    cat "$tmp/out"; tally "$tmp/out" "fuzz $tgt"
done
for s in tests/cli_*.sh; do
    [ -f "$s" ] || continue
    echo "== $s ($B)"
    timeout 900 bash "$s" "$B" >"$tmp/out" 2>&1
    cat "$tmp/out"; tally "$tmp/out" "$s"
done
echo "== $B: $P passed, $F failed, $S skipped"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
