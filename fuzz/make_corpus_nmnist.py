#!/usr/bin/python3
"""make_corpus_nmnist.py -- writes the seed corpus of fuzz/fuzz_nmnist.c into fuzz/corpus/nmnist/.

Valid files (ok_*): empty, a short N-MNIST-like recording (34 x 34, both polarities, the full
23-bit time range), one with overflow markers (y == 240) between events, one of markers only,
a pseudo-random ATIS-sized one; malformed ones (bad_*): sizes that are not a multiple of the
5-byte record. Standard library only; deterministic (a fixed LCG, no random module state).
The real tonic sample is not copied here (it is not part of the project); the tests read it
from shared/data. Inputs the real fuzzer found are added as found_*.

    /usr/bin/python3 fuzz/make_corpus_nmnist.py [OUT_DIR]
"""
import os
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "nmnist")


def rec(x, y, p, t):
    return bytes([x, y, (p << 7) | ((t >> 16) & 0x7F), (t >> 8) & 0xFF, t & 0xFF])


def lcg(seed):
    s = seed
    while True:
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        yield s >> 33


def main():
    os.makedirs(OUT, exist_ok=True)
    g = lcg(2385)
    nmnist = b"".join(rec(next(g) % 34, next(g) % 34, next(g) % 2, 654 + i * 1711) for i in range(180))
    overflow = (rec(3, 5, 1, 654) + rec(0, 240, 0, 0) + rec(17, 2, 1, 0x7FFFFF) + rec(9, 240, 1, 123)
                + rec(4, 0, 1, 2385) + rec(255, 239, 1, 8191))
    atis = b"".join(rec(next(g) % 240, next(g) % 180, next(g) % 2, next(g) % 2**23) for _ in range(300))
    seeds = {
        "ok_empty.bin": b"",
        "ok_nmnist_like.bin": nmnist,
        "ok_overflow.bin": overflow,
        "ok_markers_only.bin": rec(0, 240, 0, 0) * 4,
        "ok_atis_like.bin": atis,
        "bad_1_byte.bin": b"\x07",
        "bad_partial_2.bin": nmnist[:12],
        "bad_partial_3.bin": overflow[:-2],
        "bad_partial_4.bin": nmnist[:-1],
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
