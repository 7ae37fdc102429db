#!/usr/bin/python3
"""make_corpus_npy.py -- writes the seed corpus of fuzz/fuzz_npy.c into fuzz/corpus/npy/.

Valid files come from numpy itself (every accepted dtype, versions 1.0/2.0/3.0, scalar, empty
and 3-D shapes); malformed ones are hand-built bytes, one per rule of the parser in src/npy.c.
Run once with /usr/bin/python3 (numpy needed); the output is committed, so the replay in the
normal tests does not need numpy. Deterministic: same files on every run. Inputs that the real
fuzzer found (fuzz/README.md) are added beside these as found_*.npy; this script leaves them.

    /usr/bin/python3 fuzz/make_corpus_npy.py [OUT_DIR]
"""
import io
import os
import struct
import sys

import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "npy")


def npy(arr, version=(1, 0)):
    b = io.BytesIO()
    np.lib.format.write_array(b, arr, version=version, allow_pickle=False)
    return b.getvalue()


def raw(header, data=b"", version=1, pad_to=64, hlen=None):
    """Preamble + header text (padded with spaces and '\\n' to pad_to) + data, by hand."""
    h = header.encode("latin1") if isinstance(header, str) else header
    pre = 10 if version == 1 else 12
    if pad_to:
        total = -(-(pre + len(h) + 1) // pad_to) * pad_to
        h = h + b" " * (total - pre - len(h) - 1) + b"\n"
    n = len(h) if hlen is None else hlen
    ln = struct.pack("<H", n) if version == 1 else struct.pack("<I", n)
    return b"\x93NUMPY" + bytes([version, 0]) + ln + h + data


def main():
    os.makedirs(OUT, exist_ok=True)  # files found by the fuzzer (found_*) are kept
    rng = np.random.default_rng(2385)
    f8 = np.array([[2.385, -17.3, 0.0, 1e-300], [np.inf, -np.inf, np.nan, 6.02e23], [-0.0, 3.5, 1e300, -2.5]])
    seeds = {
        # valid, written by numpy
        "ok_f4_1d.npy": npy(np.array([2.385, -17.3, 0.5, 1e38, -1e-38], dtype="<f4")),
        "ok_f8_2d.npy": npy(f8),
        "ok_i4_3d.npy": npy(np.arange(-30, 30, dtype="<i4").reshape(3, 4, 5)),
        "ok_i8_1d.npy": npy(np.array([0, 1, -1, 2**31 - 1, -2**31, 2**40, -2**63, 2**63 - 1], dtype="<i8")),
        "ok_f8_scalar.npy": npy(np.array(2.385)),
        "ok_f4_empty.npy": npy(np.zeros((0,), dtype="<f4")),
        "ok_f8_empty_2d.npy": npy(np.zeros((3, 0), dtype="<f8")),
        "ok_f4_v2.npy": npy(rng.standard_normal((2, 3)).astype("<f4"), version=(2, 0)),
        "ok_i8_v3.npy": npy(np.array([7, -8, 9], dtype="<i8"), version=(3, 0)),
        "ok_f4_8d.npy": npy(np.arange(2 ** 8, dtype="<f4").reshape((2,) * 8)),
        "ok_f8_integral.npy": npy(np.array([3.0, -4.0, 2147483647.0], dtype="<f8")),
        # valid, hand-built: the freedoms of the dict syntax, padding of older writers
        "ok_pad16_reordered.npy": raw("{'shape':(2,),'fortran_order':False,'descr':'<f4'}", struct.pack("<2f", 2.385, -17.3), pad_to=16),
        "ok_ws_dquote_py2L.npy": raw('{ "descr" : "<i8" ,\n "fortran_order" : False , "shape" : ( 2L , 1L ) }', struct.pack("<2q", 5, -6)),
        # malformed
        "bad_empty.npy": b"",
        "bad_magic.npy": b"\x93NUMPX" + npy(np.zeros(2))[6:],
        "bad_version.npy": npy(np.zeros(2))[:6] + b"\x04\x00" + npy(np.zeros(2))[8:],
        "bad_truncated_preamble.npy": npy(np.zeros(2))[:9],
        "bad_truncated_header.npy": npy(np.zeros(2))[:40],
        "bad_truncated_data.npy": npy(np.arange(5.0))[:-3],
        "bad_extra_bytes.npy": npy(np.arange(5.0)) + b"\0\0\0\0",
        "bad_lying_shape.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }", np.arange(12.0).tobytes()),
        "bad_hlen_past_end.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"", hlen=4000),
        "bad_hlen_huge_v2.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"", version=2, hlen=0xFFFFFFF0),
        "bad_fortran.npy": npy(np.asfortranarray(np.arange(6.0).reshape(2, 3))),
        "bad_bigendian.npy": npy(np.arange(3, dtype=">f4")),
        "bad_f2.npy": npy(np.arange(3, dtype="<f2")),
        "bad_native_eq.npy": raw("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", b"\0\0\0\0"),
        "bad_structured.npy": npy(np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")])),
        "bad_unterminated.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", b"\0\0\0\0"),
        "bad_overflow_dims.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", b""),
        "bad_zero_times_huge.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807, 9223372036854775807), }", b""),
        "bad_dim_over_int64.npy": raw("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", b""),
        "bad_negative_dim.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", b""),
        "bad_9_dims.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", b"\0\0\0\0"),
        "bad_shape_not_tuple.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", b"\0\0\0\0"),
        "bad_missing_key.npy": raw("{'descr': '<f4', 'shape': (1,), }", b"\0\0\0\0"),
        "bad_duplicate_key.npy": raw("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", b"\0\0\0\0"),
        "bad_unknown_key.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", b"\0\0\0\0"),
        "bad_trailing_garbage.npy": raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", b"\0\0\0\0"),
        "ok_i8_beyond_i32.npy": npy(np.array([2**40, -5], dtype="<i8")),  # parses; read_i32 must refuse
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} files in {OUT}")


if __name__ == "__main__":
    main()
