#!/usr/bin/python3
"""make_corpus_shd.py -- writes the seed corpus of fuzz/fuzz_shd.c into fuzz/corpus/shd/.

Valid files (ok_*) written with h5py in the SHD layout: float16 times (as the real files), float32
times, with speakers and class keys, with empty samples, with no samples. Malformed ones (bad_*):
a missing dataset, unequal lengths, a negative and a NaN time, units out of range, a 2-D label
array, and byte-level damage of a valid file (truncated, the superblock signature changed,
zeros over the middle, not HDF5 at all). Needs h5py and numpy; deterministic.

    /usr/bin/python3 fuzz/make_corpus_shd.py [OUT_DIR]
"""
import os
import sys

import h5py
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "shd")


def write(name, times, units, labels, speakers=None, keys=None, tdtype=np.float16, udtype=np.uint16,
          skip=None, labels2d=False):
    path = os.path.join(OUT, name)
    with h5py.File(path, "w", libver="earliest") as f:
        n = len(times)
        if skip != "times":
            t = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.dtype(tdtype)))
            for i, v in enumerate(times):
                t[i] = np.asarray(v, dtype=tdtype)
        if skip != "units":
            u = f.create_dataset("spikes/units", (len(units),), dtype=h5py.vlen_dtype(np.dtype(udtype)))
            for i, v in enumerate(units):
                u[i] = np.asarray(v, dtype=udtype)
        if skip != "labels":
            lab = np.asarray(labels, dtype=np.int32)
            f["labels"] = lab.reshape(-1, 1) if labels2d else lab
        if speakers is not None:
            f["extra/speaker"] = np.asarray(speakers, dtype=np.uint16)
        if keys is not None:
            f["extra/keys"] = np.asarray(keys, dtype="S")
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    times = [np.sort(rng.uniform(0, 1.2, k)) for k in (5, 0, 9, 3)]
    units = [rng.integers(0, 700, len(t)) for t in times]
    labels = [0, 3, 19, 7]
    ok = write("ok_f16.h5", times, units, labels, speakers=[1, 2, 1, 4], keys=["zero", "one", "two"])
    write("ok_f32.h5", times, units, labels, tdtype=np.float32)
    write("ok_no_extra.h5", times[:2], units[:2], labels[:2])
    write("ok_all_empty.h5", [[], []], [[], []], [1, 2])
    write("ok_no_samples.h5", [], [], [])
    write("bad_missing_units.h5", times, units, labels, skip="units")
    write("bad_missing_labels.h5", times, units, labels, skip="labels")
    write("bad_unequal_n.h5", times, units[:3], labels)
    write("bad_len_mismatch.h5", times, [units[0], units[1], units[2][:-1], units[3]], labels)
    write("bad_negative_time.h5", [[-0.5, 0.1]] + times[1:], [[1, 2]] + units[1:], labels, tdtype=np.float32)
    write("bad_nan_time.h5", [[np.nan, 0.1]] + times[1:], [[1, 2]] + units[1:], labels, tdtype=np.float32)
    write("bad_unit_range.h5", times, [[70000] * len(units[0])] + units[1:], labels, udtype=np.int32)
    write("bad_labels_2d.h5", times, units, labels, labels2d=True)
    write("bad_negative_label.h5", times, units, [0, -1, 2, 3])
    raw = open(ok, "rb").read()
    blobs = {
        "bad_truncated_half.h5": raw[: len(raw) // 2],
        "bad_truncated_header.h5": raw[:40],
        "bad_signature.h5": b"\x89HDF\r\n\x1a\x0b" + raw[8:],
        "bad_zeroed_middle.h5": raw[:800] + bytes(400) + raw[1200:],
        "bad_not_hdf5.h5": b"this is not an HDF5 file\n" * 8,
        "bad_empty.h5": b"",
    }
    for name, b in blobs.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b)


if __name__ == "__main__":
    main()
