#!/usr/bin/python3
"""make_corpus_idx.py -- writes the seed corpus of fuzz/fuzz_idx.c into fuzz/corpus/idx/.

Inputs are uncompressed IDX files (the target gzips them itself). Valid ones (ok_*): every
element type, MNIST-like images and labels, empty, 0-D and 8-D shapes, NaN and infinities;
malformed ones (bad_*): one per rule of the parser in src/data/idx.c. Standard library only.
Deterministic: same files on every run. Inputs the real fuzzer found are added as found_*.

    /usr/bin/python3 fuzz/make_corpus_idx.py [OUT_DIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "idx")

FMT = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx(t, dims, values=None):
    n = 1
    for d in dims:
        n *= d
    if values is None:
        values = [(i * 97 + 13) % 256 for i in range(n)]
    head = bytes([0, 0, t, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return head + struct.pack(">%d%s" % (len(values), FMT[t]), *values)


def main():
    os.makedirs(OUT, exist_ok=True)
    inf, nan = float("inf"), float("nan")
    seeds = {
        "ok_u8_images.idx": idx(0x08, [3, 5, 7]),
        "ok_u8_labels.idx": idx(0x08, [10], [9, 0, 4, 1, 2, 3, 5, 6, 7, 8]),
        "ok_i8.idx": idx(0x09, [2, 3], [-128, 127, 0, -1, 1, -17]),
        "ok_i16.idx": idx(0x0B, [4], [-32768, 32767, -2385, 7]),
        "ok_i32.idx": idx(0x0C, [2, 2], [-2**31, 2**31 - 1, 0, -1000003]),
        "ok_f32.idx": idx(0x0D, [5], [2.385, -17.3, inf, -inf, 3.0]),
        "ok_f64.idx": idx(0x0E, [2, 3], [2.385, -17.3, 1e300, -1e-300, nan, 4.0]),
        "ok_f64_integral.idx": idx(0x0E, [3], [3.0, -4.0, 2147483647.0]),
        "ok_empty.idx": idx(0x08, [0, 28, 28], []),
        "ok_scalar.idx": bytes([0, 0, 0x08, 0, 42]),
        "ok_8d.idx": idx(0x08, [2] * 8, list(range(256))),
        "bad_empty.idx": b"",
        "bad_byte0.idx": b"\x1f\x8b\x08\x03" + bytes(12),
        "bad_byte1.idx": b"\x00\x01\x08\x01\x00\x00\x00\x00",
        "bad_type.idx": b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00",
        "bad_9_dims.idx": b"\x00\x00\x08\x09" + bytes(36),
        "bad_magic_cut.idx": b"\x00\x00\x08",
        "bad_dims_cut.idx": b"\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00",
        "bad_data_cut.idx": idx(0x08, [3, 5, 7])[:-1],
        "bad_extra.idx": idx(0x08, [4], [1, 2, 3, 4]) + b"\x00",
        "bad_overflow.idx": b"\x00\x00\x0e\x04" + b"\xff\xff\xff\xff" * 4,
        "bad_lying_mnist.idx": b"\x00\x00\x08\x03" + struct.pack(">III", 60000, 28, 28) + bytes(40),
        "bad_f32_odd_bytes.idx": idx(0x0D, [2], [1.0, 2.0])[:-2],
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
