#!/usr/bin/python3
"""join.py -- join the CSVs of bench/bench (elig) and bench/torch_ref.py (PyTorch) by rule, n and
batch; ratios are elig / torch (steps/s: > 1 means elig is faster; bytes: < 1 means elig holds less).
Standard library only, so it runs without PyTorch.

Usage: join.py ELIG_CSV [TORCH_CSV] --md OUT.md --csv OUT.csv [--header FILE]
"""
import argparse
import csv
import os
import sys

# Cost per step and memory, p = synapses, s = state variables per neuron (1 for LIF),
# Pc = parameters before W_out (~ n^2 for one dense layer), T = sequence length.
THEORY = {
    "forward": ("O(B p)", "O(p + B n s)"),
    "bptt": ("O(B p) fwd + O(B p) bwd", "O(T B n (s^2 + 4s + 2))"),
    "eprop": ("O(B p s^2)", "O(B p s)"),
    "rtrl": ("O(B n^2 Pc) ~ n^4", "O(B n s Pc) ~ n^3"),
}
ORDER = {"forward": 0, "bptt": 1, "eprop": 2, "rtrl": 3}


def load(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {(r["rule"], int(r["n"]), int(r["batch"])): r for r in csv.DictReader(f)}


def num(r, key):
    try:
        v = float(r[key]) if r and r.get(key) not in (None, "") else None
    except ValueError:
        return None
    return v if v else None


def ratio(a, b):
    return a / b if a is not None and b is not None and b > 0 else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def rate(v):
    """Readable rate: 12345 -> '12345', 3.2e8 -> '3.2e+08', 5.23 -> '5.23'."""
    if v is None:
        return "-"
    return "%.0f" % v if 100 <= v < 1e6 else "%.3g" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("elig_csv")
    ap.add_argument("torch_csv", nargs="?")
    ap.add_argument("--md", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--header", help="text placed above the table (markdown)")
    a = ap.parse_args()
    E, Tt = load(a.elig_csv), load(a.torch_csv)
    if not E:
        print("join: no elig results in %s" % a.elig_csv, file=sys.stderr)
        return 1
    keys = sorted(set(E) | set(Tt), key=lambda k: (k[2], k[1], ORDER.get(k[0], 9)))
    rows = []
    for k in keys:
        e, t = E.get(k), Tt.get(k)
        es, ts = num(e, "steps_per_s"), num(t, "steps_per_s")
        eb, tb = num(e, "bytes_per_synapse"), num(t, "bytes_per_synapse")
        note = (e or {}).get("note", "")
        ec, tc = num(e, "cpu_frac"), num(t, "cpu_frac")
        low = [side for side, c in (("elig", ec), ("torch", tc)) if c is not None and c < 0.9]
        if e and t and e.get("T") != t.get("T"):
            note = (note + "; " if note else "") + "T differs (elig %s, torch %s)" % (e.get("T"), t.get("T"))
        if low:
            note = (note + "; " if note else "") + "%s descheduled (cpu/wall < 0.9)" % " and ".join(low)
        if t is None and k[0] == "rtrl":
            note = (note + "; " if note else "") + "no torch RTRL"
        elif t is None and Tt:
            note = (note + "; " if note else "") + "no torch row"
        rows.append(dict(
            rule=k[0], n=k[1], batch=k[2],
            T_elig=(e or {}).get("T", ""), T_torch=(t or {}).get("T", ""),
            elig_steps_per_s=es, torch_steps_per_s=ts, ratio_steps=ratio(es, ts),
            elig_syn_updates_per_s=num(e, "syn_updates_per_s"), torch_syn_updates_per_s=num(t, "syn_updates_per_s"),
            elig_bytes=num(e, "bytes"), torch_bytes=num(t, "bytes"),
            elig_bytes_per_synapse=eb, torch_bytes_per_synapse=tb, ratio_bytes=ratio(eb, tb),
            elig_rate_hz=num(e, "rate_hz"), torch_rate_hz=num(t, "rate_hz"),
            elig_cpu_frac=ec, torch_cpu_frac=tc,
            theory_time=THEORY.get(k[0], ("", ""))[0], theory_memory=THEORY.get(k[0], ("", ""))[1],
            note=note))
    os.makedirs(os.path.dirname(os.path.abspath(a.csv)), exist_ok=True)
    with open(a.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("%.6g" % v if isinstance(v, float) else ("" if v is None else v)) for k, v in r.items()})

    head = ("| rule | n | batch | T | elig steps/s | torch steps/s | **elig/torch** | elig syn.upd/s | "
            "torch syn.upd/s | elig B/syn | torch B/syn | cost/step | memory | note |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append("| %s | %d | %d | %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s | %s |" % (
            r["rule"], r["n"], r["batch"], r["T_elig"] if r["T_elig"] not in ("", "0") else (r["T_torch"] or "-"),
            rate(r["elig_steps_per_s"]), rate(r["torch_steps_per_s"]), fmt(r["ratio_steps"], ".2f"),
            rate(r["elig_syn_updates_per_s"]), rate(r["torch_syn_updates_per_s"]),
            fmt(r["elig_bytes_per_synapse"], ".1f"), fmt(r["torch_bytes_per_synapse"], ".1f"),
            r["theory_time"], r["theory_memory"], r["note"]))
    table = "\n".join(lines)
    header = open(a.header).read() if a.header and os.path.exists(a.header) else ""
    with open(a.md, "w") as f:
        f.write(header + ("\n" if header and not header.endswith("\n") else "") + table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
