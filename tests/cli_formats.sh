#!/usr/bin/env bash
# cli_formats.sh BUILD_DIR -- the file-format sources of [task] kind = dataset, end to end on
# fixtures this script writes: Fashion-MNIST / MNIST IDX (gzip), SHD HDF5 (h5py) and N-MNIST
# .bin trees; each a two- or three-class problem a small network must learn (stated accuracy),
# then the real Fashion-MNIST (Debian's dataset-fashion-mnist) where installed; then
# `elig suite --quick` (every rule on the data at hand, table, CSV, figure) and its errors.
# Fixtures need /usr/bin/python3 (struct, gzip; h5py for SHD): absent tools skip with a line.
# ASan builds run the fixtures' loaders (fast) but not the learning runs. Closes with
# "N passed, N failed". About 40 s in a float32 build.
set -u
. "$(dirname "$0")/lib_cli.sh" "$@"
if [ ! -x "$E" ]; then
    fail binary "$E not found or not executable"
    finish
fi
asan=0
case "$B" in *asan*) asan=1 ;; esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
X="$root/examples"
PY=/usr/bin/python3
acc_of() { awk '$1 == "test_accuracy" { print $2 }' "$1/eval.txt" 2>/dev/null; }

# train NAME MIN_ACC [overrides...]: a small recurrent LIF net on a dataset source.
train() {
    local name=$1 min=$2
    shift 2
    local ep=5
    [ $asan -eq 1 ] && ep=1
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/$name" --quiet run.epochs=$ep layer0.n=24 layer0.recurrent=1 net.batch=8 \
        optim.lr=1e-2 "$@" >"$tmp/$name.out" 2>&1
    local rc=$?
    check "${name}_runs" $rc "exit $rc: $(head -c 400 "$tmp/$name.out")"
    [ $rc -ne 0 ] && return
    local acc=$(acc_of "$tmp/$name")
    echo "# $name: test accuracy $acc (needs >= $min)"
    if [ $asan -eq 0 ]; then
        awk -v a="${acc:-0}" -v m="$min" 'BEGIN { exit !(a >= m) }'
        check "${name}_accuracy" $? "test accuracy $acc < $min"
    fi
    png "$tmp/$name/figure.png"
    check "${name}_figure" $?
}

if ! [ -x $PY ] || ! $PY -c 'import struct, gzip' 2>/dev/null; then
    echo "skip fixtures: $PY with struct and gzip not available (nothing counted)"
else
    # ---- IDX: 8x8 images, class 0 bright on the left half, class 1 on the right half
    mkdir -p "$tmp/idx"
    $PY - "$tmp/idx" <<'PY'
import gzip, random, struct, sys
d = sys.argv[1]; random.seed(3)
def write(name, n):
    imgs, labs = bytearray(), bytearray()
    for i in range(n):
        c = i % 2; labs.append(c)
        for y in range(8):
            for x in range(8):
                on = (x < 4) == (c == 0) and random.random() < 0.6
                imgs.append(random.randint(160, 255) if on else random.randint(0, 40))
    with gzip.open(d + '/%s-images-idx3-ubyte.gz' % name, 'wb') as f:
        f.write(struct.pack('>BBBBIII', 0, 0, 8, 3, n, 8, 8) + bytes(imgs))
    with gzip.open(d + '/%s-labels-idx1-ubyte.gz' % name, 'wb') as f:
        f.write(struct.pack('>BBBBI', 0, 0, 8, 1, n) + bytes(labs))
write('train', 200); write('t10k', 60)
PY
    train idx 0.9 data.source=fashion_mnist data.path="$tmp/idx" data.steps=30 data.val_frac=0.1
    tr=$(awk '$1 == "train_samples" { print $2 }' "$tmp/idx/eval.txt" 2>/dev/null)
    te=$(awk '$1 == "test_samples" { print $2 }' "$tmp/idx/eval.txt" 2>/dev/null)
    check idx_split "$([ "$tr" = 180 ] && [ "$te" = 60 ]; echo $?)" "train $tr test $te (want 180, 60)"
    # uncompressed files load too (MNIST mirrors ship both)
    mkdir -p "$tmp/idx_raw"
    for f in "$tmp"/idx/*.gz; do gzip -dc "$f" >"$tmp/idx_raw/$(basename "$f" .gz)"; done
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/idx_raw_run" --quiet run.epochs=1 layer0.n=8 net.batch=8 \
        data.source=fashion_mnist data.path="$tmp/idx_raw" data.steps=10 >"$tmp/idx_raw.out" 2>&1
    check idx_uncompressed $? "$(head -c 300 "$tmp/idx_raw.out")"
    # a truncated image file is refused with the offset, exit 1
    gzip -dc "$tmp/idx/train-images-idx3-ubyte.gz" | head -c 5000 | gzip >"$tmp/idx_raw/train-images-idx3-ubyte.gz"
    rm -f "$tmp/idx_raw/train-images-idx3-ubyte"
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/idx_bad" --quiet data.source=fashion_mnist data.path="$tmp/idx_raw" >"$tmp/idx_bad.out" 2>&1
    rc=$?
    check idx_truncated_refused $((rc != 1)) "exit $rc: $(cat "$tmp/idx_bad.out")"
    grep -q "train-images" "$tmp/idx_bad.out"
    check idx_truncated_message $? "$(cat "$tmp/idx_bad.out")"

    # ---- N-MNIST: Train/<d>/*.bin, Test/<d>/*.bin; class 0 ON events at x < 17, class 1 OFF at x >= 17
    $PY - "$tmp/nm" <<'PY'
import os, random, struct, sys
d = sys.argv[1]; random.seed(4)
for split, n in (('Train', 40), ('Test', 12)):
    for c in range(2):
        os.makedirs('%s/%s/%d' % (d, split, c))
        for i in range(n):
            rec = bytearray()
            t = 0
            for e in range(60):
                t += random.randint(100, 4000)
                x = random.randint(0, 16) + (17 if c else 0); y = random.randint(0, 33); p = 0 if c else 1
                rec += struct.pack('>BBBBB', x, y, (p << 7) | ((t >> 16) & 0x7F), (t >> 8) & 0xFF, t & 0xFF)
            open('%s/%s/%d/%d.bin' % (d, split, c, i), 'wb').write(bytes(rec))
PY
    train nmnist 0.9 data.source=nmnist data.path="$tmp/nm" data.steps=30 data.bin_ms=5 data.val_frac=0.1
    n_in=$(awk '$1 == "inputs" { print $2 }' "$tmp/nmnist/eval.txt" 2>/dev/null)
    check nmnist_inputs "$([ "$n_in" = 2312 ]; echo $?)" "inputs $n_in (want 2 x 34 x 34)"
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/nm_cap" --quiet run.epochs=1 layer0.n=8 net.batch=4 data.source=nmnist \
        data.path="$tmp/nm" data.steps=10 data.max_train=20 data.max_eval=8 data.val_frac=0.1 >"$tmp/nm_cap.out" 2>&1
    tr=$(awk '$1 == "train_samples" { print $2 }' "$tmp/nm_cap/eval.txt" 2>/dev/null)
    te=$(awk '$1 == "test_samples" { print $2 }' "$tmp/nm_cap/eval.txt" 2>/dev/null)
    check nmnist_caps "$([ "$tr" = 20 ] && [ "$te" = 8 ]; echo $?)" "train $tr test $te (want 20, 8)"
    printf '\001\002\003' >"$tmp/nm/Train/0/0.bin"
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/nm_bad" --quiet data.source=nmnist data.path="$tmp/nm" >"$tmp/nm_bad.out" 2>&1
    rc=$?
    check nmnist_partial_record_refused $((rc != 1)) "exit $rc: $(cat "$tmp/nm_bad.out")"

    # ---- SHD: shd_train.h5 / shd_test.h5 written by h5py, 700 units, three classes by unit band
    if $PY -c 'import h5py, numpy' 2>/dev/null; then
        $PY - "$tmp/shd" <<'PY'
import os, sys, numpy as np, h5py
d = sys.argv[1]; os.makedirs(d); rng = np.random.default_rng(5)
for split, n in (('train', 150), ('test', 45)):
    with h5py.File('%s/shd_%s.h5' % (d, split), 'w') as f:
        ft = h5py.vlen_dtype(np.dtype('float16')); fu = h5py.vlen_dtype(np.dtype('uint16'))
        T = f.create_dataset('spikes/times', (n,), dtype=ft); U = f.create_dataset('spikes/units', (n,), dtype=fu)
        lab = np.arange(n) % 3
        for i in range(n):
            k = rng.integers(40, 80)
            T[i] = np.sort(rng.uniform(0, 0.5, k)).astype(np.float16)
            U[i] = (rng.integers(0, 200, k) + 250 * lab[i]).astype(np.uint16)
        f['labels'] = lab.astype(np.uint8)
        f['extra/speaker'] = np.zeros(n, np.uint16)
PY
        train shd 0.9 data.source=shd data.path="$tmp/shd" data.steps=25 data.bin_ms=20 data.val_frac=0.1
        n_in=$(awk '$1 == "inputs" { print $2 }' "$tmp/shd/eval.txt" 2>/dev/null)
        check shd_inputs "$([ "$n_in" = 700 ]; echo $?)" "inputs $n_in (want 700)"
        "$E" train "$X/randman_bptt.cfg" --out "$tmp/shd_none" --quiet data.source=shd data.path="$tmp/idx" >"$tmp/shd_none.out" 2>&1
        rc=$?
        check shd_missing_files $((rc != 1)) "exit $rc"
        grep -q "shd_train.h5" "$tmp/shd_none.out"
        check shd_missing_message $? "$(cat "$tmp/shd_none.out")"
        # ---- any encoded set in the SHD layout (elig data --shd), loaded back through the shd
        # source: the same spikes and splits (a second export is identical), and it trains
        "$E" data "$X/randman_bptt.cfg" data.source=fashion_mnist data.path="$tmp/idx" data.steps=30 --shd "$tmp/ex1" >"$tmp/ex1.out" 2>&1
        check export_shd_runs $? "$(cat "$tmp/ex1.out")"
        keys=$(sed -n 's/.*load with: //p' "$tmp/ex1.out")
        "$E" data "$X/randman_bptt.cfg" $keys --shd "$tmp/ex2" >"$tmp/ex2.out" 2>&1
        check export_shd_reload_runs $? "$(cat "$tmp/ex2.out")"
        $PY - "$tmp/ex1" "$tmp/ex2" <<'PY'
import sys, h5py, numpy as np
a, b = sys.argv[1], sys.argv[2]
for s in ('train', 'valid', 'test'):
    x, y = h5py.File('%s/shd_%s.h5' % (a, s), 'r'), h5py.File('%s/shd_%s.h5' % (b, s), 'r')
    assert np.array_equal(x['labels'][:], y['labels'][:]), s
    n = len(x['labels'])
    for i in range(n):
        assert np.array_equal(x['spikes/times'][i], y['spikes/times'][i]) and np.array_equal(x['spikes/units'][i], y['spikes/units'][i]), (s, i)
PY
        check export_shd_round_trip $?
        n1=$(sed -n 's/.*, \([0-9]*\) spikes (.*/\1/p' "$tmp/ex1.out"); n2=$(sed -n 's/.*, \([0-9]*\) spikes (.*/\1/p' "$tmp/ex2.out")
        check export_shd_spike_count "$([ -n "$n1" ] && [ "$n1" = "$n2" ]; echo $?)" "$n1 vs $n2 spikes"
        train exported 0.9 $keys
    else
        echo "skip shd: h5py/numpy not importable by $PY (nothing counted)"
    fi
fi

"$E" data "$X/eprop_pattern.cfg" >"$tmp/nd.out" 2>&1
rc=$?
check data_needs_dataset_config $((rc != 2)) "exit $rc"

# ---- sources that need a path say so (exit 2)
for s in shd nmnist; do
    "$E" train "$X/randman_bptt.cfg" --out "$tmp/np" --quiet data.source=$s >"$tmp/np.out" 2>&1
    rc=$?
    check "${s}_needs_path" $((rc != 2)) "exit $rc"
    grep -q "path" "$tmp/np.out"
    check "${s}_needs_path_message" $? "$(cat "$tmp/np.out")"
done
"$E" train "$X/randman_bptt.cfg" --out "$tmp/bt" --quiet data.thr=0 >"$tmp/bt.out" 2>&1
rc=$?
check bad_thr $((rc != 2)) "exit $rc"
grep -q "thr" "$tmp/bt.out"
check bad_thr_message $? "$(cat "$tmp/bt.out")"

# ---- real Fashion-MNIST (Debian package), a small subset (1000 images, 2 epochs): measured
# 68.6 % (float32) and 70.0 % (float64); deterministic per build
FM=/usr/share/datasets/fashion-mnist
if [ $asan -eq 1 ]; then
    echo "skip fashion_mnist: sanitizer build (nothing counted)"
elif [ -f "$FM/train-images-idx3-ubyte.gz" ]; then
    "$E" train "$X/fmnist_bptt.cfg" --out "$tmp/fm" --quiet run.epochs=2 data.max_train=1000 data.max_eval=500 >"$tmp/fm.out" 2>&1
    check fmnist_runs $? "$(head -c 300 "$tmp/fm.out")"
    acc=$(acc_of "$tmp/fm")
    echo "# fashion_mnist (1000 train images, 2 epochs): test accuracy $acc (needs >= 0.65)"
    awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 0.65) }'
    check fmnist_accuracy $? "test accuracy $acc < 0.65"
else
    echo "skip fashion_mnist: $FM not installed (apt-get install dataset-fashion-mnist; nothing counted)"
fi

# ---- elig suite --quick: every rule on the data at hand; run from the project root so that
# ../shared/data is found
# (a sanitizer build: Randman only, the rest takes minutes there)
only=""
[ $asan -eq 1 ] && only="--only randman"
(cd "$root" && "$E" suite --quick --seeds 2 --jobs 2 $only --out "$tmp/suite") >"$tmp/suite.out" 2>&1
rc=$?
check suite_runs $rc "exit $rc: $(tail -c 600 "$tmp/suite.out")"
for f in table.md table.csv memory.csv; do
    [ -s "$tmp/suite/$f" ]
    check "suite_$f" $?
done
png "$tmp/suite/figure.png"
check suite_figure $?
# randman is generated, so always there: 6 rules x 2 seeds rows in the CSV
rows=$(grep -c '^randman,' "$tmp/suite/table.csv" 2>/dev/null)
check suite_randman_rows "$([ "${rows:-0}" = 12 ]; echo $?)" "$rows randman rows (want 12)"
bad=$(awk -F, 'NR > 1 && $4 != 0' "$tmp/suite/table.csv" | wc -l)
check suite_all_runs_ok $((bad != 0)) "$bad failed runs"
# BPTT's learner grows with T, the online rules' do not (memory.csv: rule,T50,...,T1600)
awk -F, '$1 == "bptt" { exit !($7 > 8 * $3) }' "$tmp/suite/memory.csv"
check suite_bptt_memory_grows $?
awk -F, 'NR > 1 && $1 != "bptt" && $7 != $2 { bad = 1 } END { exit bad }' "$tmp/suite/memory.csv"
check suite_online_memory_constant $?
# the same seed gives the same accuracies (deterministic runs, independent of --jobs)
(cd "$root" && "$E" suite --quick --seeds 1 --jobs 1 --only randman --rules bptt,eprop --out "$tmp/suite1") >/dev/null 2>&1
a=$(awk -F, '$1 == "randman" && $3 == 1 && ($2 == "bptt" || $2 == "eprop") { print $2, $5 }' "$tmp/suite/table.csv")
b=$(awk -F, '$1 == "randman" && $3 == 1 { print $2, $5 }' "$tmp/suite1/table.csv" 2>/dev/null)
check suite_reproducible "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)" "jobs 2: $a / jobs 1: $b"
# --set reaches every run (and is named in the table); the rule cannot be --set
(cd "$root" && "$E" suite --quick --seeds 1 --jobs 1 --only randman --rules bptt --set layer0.n=12 --out "$tmp/suite_set") >/dev/null 2>&1
check suite_set_runs $?
grep -A1 '^\[layer0\]' "$tmp/suite_set/randman/bptt/seed1/config.resolved" 2>/dev/null | grep -qx 'n = 12'
check suite_set_reaches_run $?
grep -q 'layer0.n=12' "$tmp/suite_set/table.md" 2>/dev/null
check suite_set_in_table $?
"$E" suite --set learner.rule=bptt >"$tmp/sb.out" 2>&1
check suite_set_rule_refused $(($? != 2))
"$E" suite --only nosuch >"$tmp/sb.out" 2>&1
rc=$?
check suite_bad_benchmark $((rc != 2)) "exit $rc"
grep -q "nosuch" "$tmp/sb.out"
check suite_bad_benchmark_message $? "$(cat "$tmp/sb.out")"
"$E" suite --seeds 0 >"$tmp/sb.out" 2>&1
check suite_bad_seeds $(($? != 2))
finish
