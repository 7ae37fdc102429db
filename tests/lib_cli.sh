# lib_cli.sh -- what the tests/cli_*.sh scripts share (not itself a test: tests/run.sh runs
# cli_*.sh); sourced as
#     . "$(dirname "$0")/lib_cli.sh" "$@"
# It sets B (the build directory, the script's first argument), root (the project root), E (that
# build's elig binary) and the tallies with ok / fail / check / finish: one line per check, and
# the closing "N passed, N failed, N skipped" line tests/run.sh reads. png FILE is true for a
# PNG file.
B=${1:?usage: tests/SCRIPT.sh BUILD_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E="$root/$B/elig"
case "$B" in /*) E="$B/elig" ;; esac
P=0; F=0; S=0
ok() { echo "ok $1"; P=$((P + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; F=$((F + 1)); }
check() { # check NAME CONDITION-RESULT [detail]: 0 passes
    if [ "$2" -eq 0 ]; then ok "$1"; else fail "$1" "${3:-}"; fi
}
finish() { echo "$P passed, $F failed, $S skipped"; exit $((F > 0)); }
png() { [ "$(od -An -tx1 -N8 "$1" 2>/dev/null | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
