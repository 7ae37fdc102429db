#!/usr/bin/python3
"""make_corpus_wav.py -- writes the seed corpus of fuzz/fuzz_wav.c into fuzz/corpus/wav/.

Valid files (ok_*): the canonical 44-byte FSDD layout, stereo, LIST and other chunks before
and after fmt (odd sizes with their pad byte), WAVE_FORMAT_EXTENSIBLE, empty data, trailing
bytes after the RIFF chunk, a missing final pad byte; malformed ones (bad_*): one per rule of
the parser in src/data/wav.c. Standard library only; deterministic. Inputs the real fuzzer
found are added as found_*.

    /usr/bin/python3 fuzz/make_corpus_wav.py [OUT_DIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "wav")
PCM_GUID_TAIL = bytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def chunk(cid, payload, pad=True):
    c = cid + struct.pack("<I", len(payload)) + payload
    return c + (b"\x00" if pad and len(payload) % 2 else b"")


def fmt(tag=1, ch=1, rate=8000, bits=16, align=None, extra=b""):
    align = ch * bits // 8 if align is None else align
    return chunk(b"fmt ", struct.pack("<HHIIHH", tag, ch, rate, rate * align, align, bits) + extra)


def samples(n, ch=1):
    vals = [((i * 2385) % 65536) - 32768 for i in range(n * ch)]
    return struct.pack("<%dh" % len(vals), *vals)


def riff(body, size=None):
    size = 4 + len(body) if size is None else size
    return b"RIFF" + struct.pack("<I", size) + b"WAVE" + body


def main():
    os.makedirs(OUT, exist_ok=True)
    ext = struct.pack("<HHI", 22, 16, 0) + struct.pack("<H", 1) + PCM_GUID_TAIL
    seeds = {
        "ok_fsdd_mono_8k.wav": riff(fmt() + chunk(b"data", samples(37))),
        "ok_stereo_44k.wav": riff(fmt(ch=2, rate=44100) + chunk(b"data", samples(13, 2))),
        "ok_list_odd.wav": riff(chunk(b"LIST", b"INFOISFT\x05\x00\x00\x00elig\x00") + fmt() + chunk(b"fact", b"\x25\0\0\0")
                                + chunk(b"data", samples(9)) + chunk(b"cue ", b"\x01\x02\x03")),
        "ok_extensible.wav": riff(fmt(tag=0xFFFE, extra=ext) + chunk(b"data", samples(5))),
        "ok_empty_data.wav": riff(fmt(rate=16000) + chunk(b"data", b"")),
        "ok_trailing_junk.wav": riff(fmt() + chunk(b"data", samples(4))) + b"ID3\x03junk",
        "ok_no_final_pad.wav": riff(fmt() + chunk(b"data", samples(2)) + chunk(b"note", b"abc", pad=False)),
        "ok_fmt_18.wav": riff(chunk(b"fmt ", struct.pack("<HHIIHHH", 1, 1, 22050, 44100, 2, 16, 0)) + chunk(b"data", samples(3))),
        "bad_empty.wav": b"",
        "bad_magic.wav": b"RIFX" + riff(fmt() + chunk(b"data", samples(2)))[4:],
        "bad_not_wave.wav": b"RIFF\x10\x00\x00\x00AVI " + bytes(12),
        "bad_riff_past_end.wav": riff(fmt() + chunk(b"data", samples(4)), size=500),
        "bad_riff_tiny.wav": riff(b"", size=2),
        "bad_chunk_past_end.wav": riff(fmt() + b"data" + struct.pack("<I", 1000) + samples(4)),
        "bad_chunk_header_cut.wav": riff(fmt() + chunk(b"data", samples(2)) + b"LIS"),
        "bad_fmt_short.wav": riff(chunk(b"fmt ", struct.pack("<HHI", 1, 1, 8000)) + chunk(b"data", samples(2))),
        "bad_float_format.wav": riff(fmt(tag=3, bits=32) + chunk(b"data", bytes(8))),
        "bad_ext_not_pcm.wav": riff(fmt(tag=0xFFFE, extra=struct.pack("<HHI", 22, 16, 0) + struct.pack("<H", 3) + PCM_GUID_TAIL)
                                    + chunk(b"data", samples(2))),
        "bad_ext_short.wav": riff(fmt(tag=0xFFFE, extra=b"\x00\x00") + chunk(b"data", samples(2))),
        "bad_3_channels.wav": riff(fmt(ch=3) + chunk(b"data", samples(2, 3))),
        "bad_rate_0.wav": riff(fmt(rate=0) + chunk(b"data", samples(2))),
        "bad_rate_huge.wav": riff(fmt(rate=10_000_000) + chunk(b"data", samples(2))),
        "bad_8_bits.wav": riff(fmt(bits=8) + chunk(b"data", bytes(4))),
        "bad_align.wav": riff(fmt(align=4) + chunk(b"data", samples(2))),
        "bad_data_partial_frame.wav": riff(fmt(ch=2) + chunk(b"data", samples(3))),
        "bad_data_before_fmt.wav": riff(chunk(b"data", samples(2)) + fmt()),
        "bad_two_fmt.wav": riff(fmt() + fmt() + chunk(b"data", samples(2))),
        "bad_two_data.wav": riff(fmt() + chunk(b"data", samples(2)) + chunk(b"data", samples(2))),
        "bad_no_data.wav": riff(fmt() + chunk(b"LIST", b"INFO")),
        "bad_no_fmt.wav": riff(chunk(b"LIST", b"INFO")),
        "bad_truncated_fsdd.wav": riff(fmt() + chunk(b"data", samples(37)))[:60],
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
