#!/usr/bin/env bash
# cli_data.sh BUILD_DIR -- [task] kind = dataset end to end: small classification runs per
# data type (Randman generated in C, a Yin-Yang subset of the published split, Braille,
# FSDD, the npy source) that must reach a stated test accuracy, and the run directory:
# metrics.csv (one row per epoch), eval.txt, confusion.csv (counts summing to the test
# samples), figure.png; then early stopping, the step schedule and config errors.
# A data file that is absent skips its runs with a printed line (nothing counted); so does an
# ASan build (the runs take minutes there). Closes with "N passed, N failed". About 35 s
# in a float32 build.
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"

case "$B" in
*asan*)
    echo "skip cli_data: $B is a sanitizer build (the training runs take minutes there; nothing counted)"
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
DATA="$root/../shared/data"

# run NAME CFG MIN_ACC EPOCHS [overrides...]: train, check the run directory, the accuracy.
run() {
    local name=$1 cfg=$2 min=$3 ep=$4
    shift 4
    local start=$(date +%s.%N)
    "$E" train "$X/$cfg" --out "$tmp/$name" --quiet run.epochs="$ep" "$@" >"$tmp/$name.out" 2>&1
    local rc=$?
    local secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -ne 0 ]; then
        fail "${name}_runs" "exit $rc: $(head -c 400 "$tmp/$name.out")"
        return 1
    fi
    ok "${name}_runs"
    local d="$tmp/$name"
    local rows=$(($(wc -l <"$d/metrics.csv") - 1))
    check "${name}_metrics_rows" $((rows < 1 || rows > ep)) "$rows rows for $ep epochs"
    check "${name}_metrics_header" "$(head -1 "$d/metrics.csv" | grep -qx 'epoch,train_loss,train_acc,val_acc,lr,seconds'; echo $?)"
    local acc=$(awk '$1 == "test_accuracy" { print $2 }' "$d/eval.txt")
    local n=$(awk '$1 == "test_samples" { print $2 }' "$d/eval.txt")
    local sum=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) s += $i } END { print s + 0 }' "$d/confusion.csv")
    check "${name}_confusion_sum" $((sum != n)) "confusion sums to $sum, $n test samples"
    png "$d/figure.png"
    check "${name}_figure" $?
    echo "# $name: test accuracy $acc ($n samples), $rows epochs, ${secs} s (needs >= $min)"
    awk -v a="$acc" -v m="$min" 'BEGIN { exit !(a >= m) }'
    check "${name}_accuracy" $? "test accuracy $acc < $min"
}

# Randman: generated, always available. Small: 5 classes x 200 samples, 50 steps (measured 96.5 %).
run randman randman_bptt.cfg 0.85 10 data.classes=5 data.units=40 data.samples=200 data.steps=50 layer0.n=48

# Online updates inside the sequences: e-prop with an optimiser step every step (per-step CE
# over the last half); measured 94 %. BPTT cannot do that: exit 2 naming the rule.
run randman_online randman_bptt.cfg 0.8 5 data.classes=5 data.units=40 data.samples=200 data.steps=50 layer0.n=48 \
    learner.rule=eprop learner.feedback=symmetric run.update_every=1 loss.kind=ce loss.win_begin=-25 optim.lr=2e-3
"$E" train "$X/randman_bptt.cfg" --out "$tmp/ue_bptt" --quiet run.update_every=1 data.samples=20 >"$tmp/ue_bptt.out" 2>&1
rc=$?
check update_every_offline_refused $((rc != 2)) "exit $rc"
grep -q "offline" "$tmp/ue_bptt.out"
check update_every_offline_message $? "$(cat "$tmp/ue_bptt.out")"

# RTRL trains a small recurrent net on a data set with BPTT's gradients: the same losses per
# epoch (to float rounding) on the same seed.
for r in bptt rtrl; do
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/rt_$r" --quiet run.epochs=4 data.classes=3 data.units=10 data.samples=60 \
        data.steps=30 layer0.n=8 layer0.recurrent=1 learner.rule=$r net.batch=8 optim.lr=2e-2 >"$tmp/rt_$r.out" 2>&1
    check "dataset_${r}_runs" $? "$(head -c 300 "$tmp/rt_$r.out")"
done
paste -d, "$tmp/rt_bptt/metrics.csv" "$tmp/rt_rtrl/metrics.csv" 2>/dev/null |
    awk -F, 'NR > 1 { d = $2 - $8; if (d < 0) d = -d; if (d > 1e-5 * ($2 > 0 ? $2 : -$2) + 1e-9) bad = 1; n++ }
             END { exit bad || n != 4 }'
check dataset_rtrl_equals_bptt $? "$(cut -d, -f2 "$tmp/rt_bptt/metrics.csv" | tr '\n' ' ') / $(cut -d, -f2 "$tmp/rt_rtrl/metrics.csv" | tr '\n' ' ')"

if [ -f "$DATA/yinyang/publication_data/x_train.npy" ] || [ -d "$DATA/yinyang/publication_data" ]; then
    # measured: BPTT 94 %, e-prop 51 % (3 epochs of 1500 samples; chance 33 %)
    run yinyang yinyang_bptt.cfg 0.85 6 data.path="$DATA/yinyang/publication_data" data.max_train=2500 data.max_eval=500
    run yinyang_eprop yinyang_eprop.cfg 0.4 3 data.path="$DATA/yinyang/publication_data" data.max_train=1500 data.max_eval=300
else
    echo "skip yinyang: $DATA/yinyang/publication_data not found (nothing counted)"
fi

if [ -f "$DATA/braille/taxels.npy" ]; then
    # measured about 40 % after 3 epochs (27 classes, chance 3.7 %)
    run braille braille_bptt.cfg 0.2 3 data.path="$DATA/braille" data.max_eval=135
else
    echo "skip braille: $DATA/braille/taxels.npy not found (nothing counted)"
fi

if [ -d "$DATA/fsdd/recordings" ]; then
    # measured 52 % after 2 epochs of 1000 clips (10 classes, chance 10 %)
    run fsdd fsdd_bptt.cfg 0.4 2 data.path="$DATA/fsdd/recordings" data.max_train=1000
else
    echo "skip fsdd: $DATA/fsdd/recordings not found (nothing counted)"
fi

# Early stopping: patience 1 with a zero learning rate stops after 2 epochs.
"$E" train "$X/randman_bptt.cfg" --out "$tmp/es" --quiet run.epochs=10 run.patience=1 optim.lr=1e-12 \
    data.classes=3 data.units=20 data.samples=40 data.steps=20 layer0.n=16 >"$tmp/es.out" 2>&1
rc=$?
check early_stop_runs $rc "$(head -c 300 "$tmp/es.out")"
rows=$(($(wc -l <"$tmp/es/metrics.csv" 2>/dev/null || echo 1) - 1))
check early_stop_rows $((rows != 2)) "$rows epochs run"

# Step schedule: lr halves every 2 epochs.
"$E" train "$X/randman_bptt.cfg" --out "$tmp/sch" --quiet run.epochs=4 optim.schedule=step optim.step_every=2 optim.gamma=0.5 \
    optim.lr=1e-3 data.classes=3 data.units=20 data.samples=40 data.steps=20 layer0.n=16 >"$tmp/sch.out" 2>&1
check schedule_runs $? "$(head -c 300 "$tmp/sch.out")"
lrs=$(awk -F, 'NR > 1 { printf "%s ", $5 }' "$tmp/sch/metrics.csv" 2>/dev/null)
check schedule_step "$([ "$lrs" = "0.001 0.001 0.0005 0.0005 " ]; echo $?)" "lr per epoch: $lrs"

# The npy source: a tiny data set written by python3 (no numpy): two classes told apart by
# which half of the inputs spikes.
if command -v python3 >/dev/null && python3 -c 'import struct' 2>/dev/null; then
    python3 - "$tmp" <<'PY'
import struct, sys, random
d = sys.argv[1]; random.seed(1)
N, T, n = 120, 10, 8
def npy(path, descr, shape, vals, fmt):
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    hdr += ' ' * (64 - (10 + len(hdr) + 1) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
        f.write(struct.pack('<%d%s' % (len(vals), fmt), *vals))
x, y = [], []
for i in range(N):
    c = i % 2; y.append(c)
    for t in range(T):
        for u in range(n):
            x.append(1.0 if (u // (n // 2)) == c and random.random() < 0.3 else 0.0)
npy(d + '/x.npy', '<f4', '(%d, %d, %d)' % (N, T, n), x, 'f')
npy(d + '/y.npy', '<i8', '(%d,)' % N, y, 'q')
PY
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/npy" --quiet data.source=npy data.path="$tmp/x.npy" data.labels="$tmp/y.npy" \
        data.n_classes=2 run.epochs=5 layer0.n=16 net.batch=8 >"$tmp/npy.out" 2>&1
    check npy_runs $? "$(head -c 300 "$tmp/npy.out")"
    acc=$(awk '$1 == "test_accuracy" { print $2 }' "$tmp/npy/eval.txt" 2>/dev/null)
    echo "# npy: test accuracy $acc"
    awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 0.9) }'
    check npy_accuracy $? "test accuracy $acc < 0.9"
else
    echo "skip npy: python3 not available to write the fixture (nothing counted)"
fi

# Config errors: exit 2 with a message naming the key.
"$E" train "$X/randman_bptt.cfg" --out "$tmp/bad" --quiet data.source=mnist >"$tmp/bad1.out" 2>&1
rc=$?
check bad_source $(( rc != 2 )) "exit $rc"
grep -q "source" "$tmp/bad1.out"
check bad_source_message $? "$(cat "$tmp/bad1.out")"
"$E" train "$X/randman_bptt.cfg" --out "$tmp/bad" --quiet optim.schedule=exp >"$tmp/bad2.out" 2>&1
check bad_schedule $(( $? != 2 ))
"$E" train "$X/yinyang_bptt.cfg" --out "$tmp/bad" --quiet data.path="$tmp/nowhere" >"$tmp/bad4.out" 2>&1
rc=$?
check missing_data $(( rc == 0 )) "exit $rc"
finish
