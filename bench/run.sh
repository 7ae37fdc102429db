#!/usr/bin/env bash
# run.sh BUILD_DIR -- the benchmarks (not tests): build bench/bench against BUILD_DIR/libelig.a,
# check that the PyTorch reference simulates the same network (bench --dump / torch_ref --check),
# time elig and PyTorch one after the other in this invocation, and join both into
# build/bench/results.md and build/bench/results.csv (ratios elig / torch). PyTorch runs elig's
# weights, feedback matrix, inputs and targets (bench --save-data, torch_ref --data).
#
# Environment (all optional):
#   BENCH_SIZES   NxB list          (default 100x1,200x1,400x1,100x16)
#   BENCH_STEPS   T per timed run   (default 1000)
#   BENCH_REPS    best of           (default 3)
#   BENCH_RTRL_BUDGET  s per size for RTRL (default 20)
#   TORCH_THREADS torch.set_num_threads (default 1; elig is single-threaded)
#   TORCH_BLAS    auto (default): run PyTorch with OpenBLAS when a Debian libopenblas0-* is
#                 installed (LD_LIBRARY_PATH, this process only); system: the libblas.so.3
#                 alternative as configured (often the slow reference BLAS)
#   CC, PY        compiler (cc) and Python with torch (/usr/bin/python3)
# Example, a quick run: BENCH_SIZES=100x1 BENCH_STEPS=200 bench/run.sh build/f32
set -u
B=${1:?usage: bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CC=${CC:-cc}
PY=${PY:-/usr/bin/python3}
OUT=build/bench
SIZES=${BENCH_SIZES:-100x1,200x1,400x1,100x16}
STEPS=${BENCH_STEPS:-1000}
REPS=${BENCH_REPS:-3}
RTRL_BUDGET=${BENCH_RTRL_BUDGET:-20}
THREADS=${TORCH_THREADS:-1}
mkdir -p "$OUT"
rm -f "$OUT"/check.txt "$OUT"/elig.csv "$OUT"/torch.csv "$OUT"/results.md "$OUT"/results.csv
[ -f "$B/libelig.a" ] || { echo "run.sh: $B/libelig.a not found (make build-f32 first)" >&2; exit 1; }

echo "== build $B/bench"
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Iinclude bench/bench.c "$B/libelig.a" -lm -o "$B/bench" || exit 1

hdr="$OUT/header.md"
{
    echo "# elig vs PyTorch: measured throughput"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); build: \`$B\` (\`$($CC --version | head -n 1)\`, library flags of the Makefile);" \
        "sources: md5 of include/elig.h src/* = $(cat include/elig.h src/*.h src/*.c | md5sum | cut -c1-12)"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- sizes $SIZES, T = $STEPS steps per timed run, best of $REPS after one warm-up run; torch threads: $THREADS"
} >"$hdr"

echo "== same network? (bench --dump, torch_ref --check)"
have_torch=0
if "$PY" -c 'import torch' 2>/dev/null; then have_torch=1; fi
torch_env=()
if [ $have_torch = 1 ]; then
    blas="system libblas.so.3 -> $(readlink -f "$(ldconfig -p | awk '/libblas.so.3 /{print $NF; exit}')" 2>/dev/null)"
    if [ "${TORCH_BLAS:-auto}" = auto ]; then
        for d in /usr/lib/*/openblas-openmp /usr/lib/*/openblas-pthread /usr/lib/*/openblas-serial; do
            if [ -f "$d/libblas.so.3" ]; then torch_env=(env LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"); blas="OpenBLAS ($d)"; break; fi
        done
    fi
    echo "- PyTorch $("$PY" -c 'import torch; print(torch.__version__)'), eager mode, float32; BLAS: $blas" >>"$hdr"
    "$B/bench" --dump "$OUT/check" >/dev/null &&
        "${torch_env[@]}" "$PY" bench/torch_ref.py --check "$OUT/check" | tee "$OUT/check.txt"
    if grep -q '^check: PASS' "$OUT/check.txt" 2>/dev/null; then
        echo "- same network: \`torch_ref.py --check\` PASS (identical spike trains, gradients within float32 rounding; see check.txt)" >>"$hdr"
    else
        echo "- same network: \`torch_ref.py --check\` **FAILED** (see check.txt): the ratios below compare different computations" >>"$hdr"
        echo "run.sh: WARNING: the PyTorch reference does not reproduce elig's network (see $OUT/check.txt)" >&2
    fi
else
    echo "torch_ref: skipped: PyTorch is not importable by $PY (Debian: apt-get install python3-torch)"
    echo "- PyTorch: **not installed** for $PY, elig columns only" >>"$hdr"
fi

echo "== elig ($B/bench)"
"$B/bench" --sizes "$SIZES" --steps "$STEPS" --reps "$REPS" --rtrl-budget "$RTRL_BUDGET" \
    --save-data "$OUT/data" --csv "$OUT/elig.csv" | tee "$OUT/elig.txt"
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
if [ $have_torch = 1 ]; then
    echo "== PyTorch (bench/torch_ref.py)"
    "${torch_env[@]}" "$PY" bench/torch_ref.py --sizes "$SIZES" --steps "$STEPS" --reps "$REPS" --threads "$THREADS" \
        --data "$OUT/data" --csv "$OUT/torch.csv" | tee "$OUT/torch.txt"
    [ "${PIPESTATUS[0]}" = 0 ] || echo "run.sh: torch_ref.py failed; elig columns only" >&2
fi
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine skew both sides)" >>"$hdr"
echo >>"$hdr"

echo "== results ($OUT/results.md, $OUT/results.csv; elig/torch > 1: elig faster)"
"$PY" bench/join.py "$OUT/elig.csv" "$OUT/torch.csv" --md "$OUT/results.md" --csv "$OUT/results.csv" --header "$hdr"
