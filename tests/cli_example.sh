#!/usr/bin/env bash
# cli_example.sh BUILD_DIR -- the README's C example (examples/minimal.c) compiles against the
# library of this build with the documented flags, runs, and learns (loss falls >= 5x).
set -u
B=${1:?build dir}
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
flags="-std=c11 -O1 -Wall -Wextra -Werror -Iinclude"
case "$B" in
  *f64*) flags="$flags -DELIG_DOUBLE" ;;
  *asan*) flags="$flags -DELIG_DOUBLE -fsanitize=address,undefined" ;;
esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if cc $flags examples/minimal.c "$B/libelig.a" -lm -o "$tmp/minimal" 2>"$tmp/err"; then
    ok "minimal_example_compiles_warning_free"
    if "$tmp/minimal" >"$tmp/out" 2>&1; then
        ok "minimal_example_runs"
        first=$(awk '/iteration/ {print $4; exit}' "$tmp/out")
        last=$(awk '/iteration/ {v=$4} END {print v}' "$tmp/out")
        if awk -v a="$first" -v b="$last" 'BEGIN {exit !(b > 0 && a / b >= 5)}'; then
            ok "minimal_example_learns ($first -> $last)"
        else
            bad "minimal_example_learns ($first -> $last)"; cat "$tmp/out"
        fi
    else
        bad "minimal_example_runs"; cat "$tmp/out"
    fi
else
    bad "minimal_example_compiles_warning_free"; cat "$tmp/err"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
