#!/usr/bin/python3
"""torch_ref.py -- the network of bench/bench.c in PyTorch, raced against elig.

The network (the e-prop pattern-generation setting, dt = 1 ms):
  100 Poisson inputs (50 Hz) -> n LIF neurons, one recurrent layer -> 1 leaky readout.

    c_t = W_in x_t + W_rec z_{t-1}                  W_rec has a zero diagonal (no autapses)
    v_t = alpha v_{t-1} + (1 - alpha) c_t - v_th z_{t-1}      alpha = exp(-dt/30 ms), reset by subtraction
    z_t = H(v_t - v_th)                              v_th = 0.03, strict >
    y_t = kappa y_{t-1} + (1 - kappa) W_out z_t      kappa = exp(-dt/30 ms)
    L   = 1/(2B) sum_{t,b,k} (y_t - y*_t)^2          MSE summed over time, mean over the batch
    psi_t = (gamma / v_th) max(0, 1 - |v_t - v_th| / v_th),  gamma = 0.3   (pwl surrogate)

Three implementations, float32 on the CPU, eager PyTorch (no torch.jit / torch.compile):
  forward  the loop above under torch.no_grad().
  bptt     autograd through the whole sequence; the spike is a custom autograd.Function whose
           backward is psi; the reset path keeps its gradient (as elig's default detach_reset = 0).
  eprop    by hand, online: zbar_t = alpha zbar_{t-1} + (1 - alpha) pre_t per presynaptic unit
           (pre = x_t, z_{t-1}), the per-synapse trace e_t = psi_t zbar_t filtered with the
           readout kernel, ebar_t = kappa ebar_{t-1} + (1 - kappa) e_t, the learning signal
           L_t = B_fb err_t with fixed random feedback B_fb ~ N(0, 1/n), grad += L_t ebar_t; the
           readout gets err_t (filtered z_t)^T. In-place tensor ops on preallocated traces.
Each timed run is one sequence of T steps plus one Adam step, as in bench.c. The input
projection W_in x_t is computed for all t in one matmul before the loop (what a PyTorch user
writes; elig computes it step by step, as an online library must).

Bytes reported (what each implementation holds for its mode, to set beside elig's):
  forward  parameters + state + the precomputed input currents;
  bptt     every tensor autograd saved for the backward pass (counted once each, through
           saved_tensors_hooks in an untimed run) + the gradients;
  eprop    zbar, ebar, the gradients, B_fb and the filtered readout input.

--check DIR: reads what `bench --dump DIR` wrote (elig's weights, inputs, spikes and gradients
of one sequence) and runs this file's BPTT and e-prop on them in float64: the spike trains must
be identical and the gradients agree to float32 rounding, which shows both programs simulate the
same network and compute the same gradients.

With --data DIR (what `bench --save-data DIR` wrote) every size runs elig's weights, feedback
matrix, inputs and targets, so both programs simulate the same spikes; without it, weights and
data are drawn here from the same distributions.

Usage: torch_ref.py [--sizes 100x1,200x1,400x1,100x16] [--rules forward,bptt,eprop] [--steps 1000]
                    [--reps 3] [--threads 1] [--seed 1] [--data DIR] [--csv FILE]
       torch_ref.py --check DIR
"""
import argparse
import csv
import math
import os
import sys
import time

import torch

N_IN, N_OUT = 100, 1
RATE_HZ, DT = 50.0, 1.0
TAU_MEM, V_TH, TAU_OUT, GAMMA = 30.0, 0.03, 30.0, 0.3
RULES = ("forward", "bptt", "eprop")


class Consts:
    """Decay factors computed in double once, then cast to the working dtype (as elig does)."""

    def __init__(self, dtype):
        f = (lambda v: float(torch.tensor(v, dtype=dtype)))
        a = math.exp(-DT / TAU_MEM)
        k = math.exp(-DT / TAU_OUT)
        self.alpha, self.zeta = f(a), f(1.0 - a)
        self.kappa, self.s_out = f(k), f(1.0 - k)
        self.v_th = f(V_TH)
        self.psi_scale = f(GAMMA / V_TH)


class SpikePWL(torch.autograd.Function):
    """z = H(v - v_th) forward; dz/dv = (gamma/v_th) max(0, 1 - |v - v_th|/v_th) backward."""

    @staticmethod
    def forward(ctx, v, v_th, psi_scale):
        ctx.save_for_backward(v)
        ctx.v_th, ctx.psi_scale = v_th, psi_scale
        return (v > v_th).to(v.dtype)

    @staticmethod
    def backward(ctx, grad_z):
        (v,) = ctx.saved_tensors
        psi = ctx.psi_scale * torch.clamp(1 - (v - ctx.v_th).abs() / ctx.v_th, min=0)
        return grad_z * psi, None, None


class Net:
    """Parameters W_in (n, n_in), W_rec (n, n) (zero diagonal), W_out (K, n); feedback (n, K)."""

    def __init__(self, w_in, w_rec, w_out, fb, dtype):
        self.w_in = w_in.to(dtype).clone()
        self.w_rec = w_rec.to(dtype).clone()
        self.w_out = w_out.to(dtype).clone()
        self.fb = fb.to(dtype).clone()
        self.n = self.w_rec.shape[0]
        self.rec_mask = 1 - torch.eye(self.n, dtype=dtype)
        self.w_rec.mul_(self.rec_mask)
        self.k = Consts(dtype)
        self.dtype = dtype

    @staticmethod
    def random(n, seed, dtype=torch.float32):
        g = torch.Generator().manual_seed(seed)
        w_in = torch.randn(n, N_IN, generator=g, dtype=torch.float64) / math.sqrt(N_IN)
        w_rec = torch.randn(n, n, generator=g, dtype=torch.float64) / math.sqrt(n)
        w_out = torch.randn(N_OUT, n, generator=g, dtype=torch.float64) / math.sqrt(n)
        fb = torch.randn(n, N_OUT, generator=g, dtype=torch.float64) / math.sqrt(n)
        return Net(w_in, w_rec, w_out, fb, dtype)

    def params(self):
        return [self.w_in, self.w_rec, self.w_out]

    def n_params(self):
        return sum(p.numel() for p in self.params())


def make_data(T, B, seed, dtype=torch.float32):
    """Poisson inputs (T, B, n_in) and a sum-of-sines target (T, B, K), like the pattern task."""
    g = torch.Generator().manual_seed(seed + 7)
    x = (torch.rand(T, B, N_IN, generator=g) < RATE_HZ * DT / 1000).to(dtype)
    t = torch.arange(T, dtype=torch.float64)
    y = torch.zeros(T, N_OUT, dtype=torch.float64)
    for k in range(N_OUT):
        for period in (1000.0, 500.0, 333.0, 200.0):
            amp = 0.5 + 1.5 * torch.rand(1, generator=g, dtype=torch.float64)
            ph = 2 * math.pi * torch.rand(1, generator=g, dtype=torch.float64)
            y[:, k] += amp * torch.sin(2 * math.pi * t / period + ph)
        y[:, k] -= y[0, k].clone()
        y[:, k] /= max(y[:, k].abs().max().item(), 1e-6)
    return x, y.to(dtype).unsqueeze(1).expand(T, B, N_OUT).contiguous()


# --------------------------------------------------------------------------- the three rules

def run_forward(net, x):
    """Simulate only; returns the number of spikes (a tensor, to keep the work observable)."""
    k = net.k
    T, B, _ = x.shape
    with torch.no_grad():
        I = (x.reshape(T * B, N_IN) @ net.w_in.t()).reshape(T, B, net.n)
        w_rec_t, w_out_t = net.w_rec.t(), net.w_out.t()
        v = torch.zeros(B, net.n, dtype=net.dtype)
        z = torch.zeros(B, net.n, dtype=net.dtype)
        y = torch.zeros(B, N_OUT, dtype=net.dtype)
        for t in range(T):
            c = torch.addmm(I[t], z, w_rec_t)
            v = k.alpha * v + k.zeta * c - k.v_th * z
            z = (v > k.v_th).to(net.dtype)
            y = k.kappa * y + k.s_out * (z @ w_out_t)
        return y


def run_bptt(net, x, ystar, record=None):
    """Loss and gradients (autograd). record: list to receive z_t (check mode)."""
    k = net.k
    T, B, _ = x.shape
    for p in net.params():
        p.requires_grad_(True)
        p.grad = None
    w_rec = net.w_rec * net.rec_mask  # keeps the diagonal's gradient at zero
    # unbind, not I[t]: indexing inside the loop would make autograd add T full-size zero
    # tensors in the backward pass (O(T^2) work); unbind's backward is one stack
    I = (x.reshape(T * B, N_IN) @ net.w_in.t()).reshape(T, B, net.n).unbind(0)
    w_rec_t, w_out_t = w_rec.t(), net.w_out.t()
    v = torch.zeros(B, net.n, dtype=net.dtype)
    z = torch.zeros(B, net.n, dtype=net.dtype)
    y = torch.zeros(B, N_OUT, dtype=net.dtype)
    ys = []
    for t in range(T):
        c = torch.addmm(I[t], z, w_rec_t)
        v = k.alpha * v + k.zeta * c - k.v_th * z
        z = SpikePWL.apply(v, k.v_th, k.psi_scale)
        y = k.kappa * y + k.s_out * (z @ w_out_t)
        ys.append(y)
        if record is not None:
            record.append(z.detach().clone())
    loss = 0.5 * ((torch.stack(ys) - ystar) ** 2).sum() / B
    loss.backward()
    for p in net.params():
        p.requires_grad_(False)
    return loss.detach(), [p.grad for p in net.params()]


def run_eprop(net, x, ystar, record=None):
    """Loss and e-prop gradient estimates, online, no autograd."""
    k = net.k
    T, B, _ = x.shape
    n, Q, dt = net.n, N_IN + net.n, net.dtype
    with torch.no_grad():
        I = (x.reshape(T * B, N_IN) @ net.w_in.t()).reshape(T, B, n)
        w_rec_t, w_out_t, fb_t = net.w_rec.t(), net.w_out.t(), net.fb.t()
        v = torch.zeros(B, n, dtype=dt)
        z = torch.zeros(B, n, dtype=dt)
        y = torch.zeros(B, N_OUT, dtype=dt)
        zbar = torch.zeros(B, Q, dtype=dt)        # low-pass of the presynaptic activity
        ebar = torch.zeros(B, n, Q, dtype=dt)     # filtered per-synapse traces
        zo = torch.zeros(B, n, dtype=dt)          # readout-filtered spikes
        g_core = torch.zeros(n, Q, dtype=dt)      # [W_in | W_rec] gradient
        g_out = torch.zeros(N_OUT, n, dtype=dt)
        loss = torch.zeros((), dtype=torch.float64)
        inv_b = 1.0 / B
        for t in range(T):
            pre = torch.cat((x[t], z), 1)         # x_t and z_{t-1}
            c = torch.addmm(I[t], z, w_rec_t)
            v = k.alpha * v + k.zeta * c - k.v_th * z
            psi = k.psi_scale * torch.clamp(1 - (v - k.v_th).abs() / k.v_th, min=0)
            z = (v > k.v_th).to(dt)
            zbar.mul_(k.alpha).add_(pre, alpha=k.zeta)
            ebar.mul_(k.kappa).addcmul_(psi.unsqueeze(2), zbar.unsqueeze(1), value=k.s_out)
            y = k.kappa * y + k.s_out * (z @ w_out_t)
            d = y - ystar[t]
            loss += 0.5 * inv_b * (d * d).sum()
            err = d * inv_b
            sig = err @ fb_t                       # (B, n) learning signal
            # sum_b sig[b, i] ebar[b, i, q]; fastest forms measured on torch 1.13 (the in-place
            # baddbmm_ falls back to one addmm per neuron, 10-40x slower)
            if B == 1:
                g_core.addcmul_(sig[0].unsqueeze(1), ebar[0])
            else:
                g_core.add_((sig.unsqueeze(2) * ebar).sum(0))
            zo.mul_(k.kappa).add_(z, alpha=k.s_out)
            g_out.addmm_(err.t(), zo)
            if record is not None:
                record.append(z.clone())
        g_in, g_rec = g_core[:, :N_IN].clone(), g_core[:, N_IN:].clone()
        g_rec.mul_(net.rec_mask)
        # what the rule holds; with B > 1 the gradient step also makes a (B, n, Q) temporary
        state_bytes = sum(a.numel() * a.element_size() for a in (zbar, ebar, zo, g_core, g_out, net.fb))
        if B > 1:
            state_bytes += ebar.numel() * ebar.element_size()
    return loss, [g_in, g_rec, g_out], state_bytes


# --------------------------------------------------------------------------- measurement

def bptt_saved_bytes(net, x, ystar):
    """Bytes autograd keeps for the backward pass (each saved tensor counted once) + gradients."""
    seen = {}

    def pack(t):
        seen[(t.data_ptr(), t.numel(), t.dtype)] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        run_bptt(net, x, ystar)
    return sum(seen.values()) + net.n_params() * 4


def forward_bytes(net, T, B):
    itemsize = torch.tensor([], dtype=net.dtype).element_size()
    return (net.n_params() + B * (2 * net.n + N_OUT) + T * B * net.n) * itemsize


def activity(net, x):
    """Mean firing rate (Hz) of the recurrent layer on this input."""
    k = net.k
    T, B, _ = x.shape
    with torch.no_grad():
        I = (x.reshape(T * B, N_IN) @ net.w_in.t()).reshape(T, B, net.n)
        v = torch.zeros(B, net.n)
        z = torch.zeros(B, net.n)
        spikes = torch.zeros(())
        for t in range(T):
            v = k.alpha * v + k.zeta * torch.addmm(I[t], z, net.w_rec.t()) - k.v_th * z
            z = (v > k.v_th).float()
            spikes += z.sum()
    return float(spikes) / (T * B * net.n) * 1000.0 / DT


def load_dir(d, dtype):
    """Network and data written by bench.c (--dump or --save-data): Net, x, y*, meta."""
    import numpy as np

    def ld(name):
        return torch.from_numpy(np.load(os.path.join(d, name + ".npy")).astype(np.float64)).to(dtype)

    meta = np.load(os.path.join(d, "meta.npy"))
    if (int(meta[0]), int(meta[2])) != (N_IN, N_OUT) or tuple(meta[5:8]) != (TAU_MEM, V_TH, TAU_OUT):
        raise SystemExit("torch_ref: %s was written for another network (meta %s)" % (d, meta[:8]))
    return Net(ld("w_in"), ld("w_rec"), ld("w_out"), ld("fb"), dtype), ld("x"), ld("y"), meta, ld


def bench_size(n, B, args, rows):
    src = "own random weights and data"
    d = os.path.join(args.data, "n%d_b%d" % (n, B)) if args.data else None
    if d and os.path.exists(os.path.join(d, "meta.npy")):
        net, x, ystar, meta, _ = load_dir(d, torch.float32)
        if tuple(int(v) for v in meta[1:5]) != (n, N_OUT, B, args.steps):
            raise SystemExit("torch_ref: %s holds n, n_out, batch, T = %s, not %s" % (d, meta[1:5], (n, N_OUT, B, args.steps)))
        src = "elig's weights and data from " + d
    else:
        if d:
            print("# %s not found: using own random weights and data" % d)
        x, ystar = make_data(args.steps, B, args.seed)
        net = Net.random(n, args.seed)
    p0 = [p.clone() for p in net.params()]
    synapses = N_IN * n + n * n + n * N_OUT
    rate = activity(net, x)
    print("# n=%d batch=%d: synapses %d, spike rate %.1f Hz (%s)" % (n, B, synapses, rate, src), flush=True)

    def restore():
        for p, q in zip(net.params(), p0):
            p.copy_(q)
        return torch.optim.Adam(net.params(), lr=1e-3)

    def one_run(rule, opt):
        c0, t0 = time.process_time(), time.perf_counter()
        if rule == "forward":
            run_forward(net, x)
        else:
            if rule == "bptt":
                run_bptt(net, x, ystar)
            else:
                _, grads, _ = run_eprop(net, x, ystar)
                for p, g in zip(net.params(), grads):
                    p.grad = g
            opt.step()
        return time.perf_counter() - t0, time.process_time() - c0

    for rule in args.rules:
        # one untimed warm-up run, which also counts the bytes
        if rule == "forward":
            run_forward(net, x)
            nbytes = forward_bytes(net, args.steps, B)
        elif rule == "bptt":
            nbytes = bptt_saved_bytes(net, x, ystar)
        else:
            nbytes = run_eprop(net, x, ystar)[2]
        best, frac = math.inf, 1.0
        for _ in range(args.reps):
            opt = restore()
            wall, cpu = one_run(rule, opt)
            if wall < best:
                best, frac = wall, cpu / wall
        restore()
        sps = args.steps / best
        rows.append(dict(impl="torch", rule=rule, n=n, batch=B, n_in=N_IN, n_out=N_OUT, synapses=synapses,
                         T=args.steps, reps=args.reps, best_s="%.6g" % best, steps_per_s="%.6g" % sps,
                         syn_updates_per_s="%.6g" % (synapses * B * sps), bytes=nbytes,
                         bytes_per_synapse="%.4g" % (nbytes / synapses), rate_hz="%.3g" % rate,
                         cpu_frac="%.3f" % frac, note="threads=%d" % torch.get_num_threads()))


def print_table(rows):
    print("%-10s %5s %5s %5s %12s %14s %12s %10s %8s %8s" % ("rule", "n", "batch", "T", "steps/s", "syn.upd/s", "bytes",
                                                              "bytes/syn", "rate Hz", "cpu/wall"))
    for r in rows:
        print("%-10s %5d %5d %5d %12.1f %14.4g %12d %10.1f %8.1f %8.2f" % (
            r["rule"], r["n"], r["batch"], r["T"], float(r["steps_per_s"]), float(r["syn_updates_per_s"]),
            r["bytes"], float(r["bytes_per_synapse"]), float(r["rate_hz"]), float(r["cpu_frac"])))


# --------------------------------------------------------------------------- check against elig

def check(d):
    net, x, ystar, meta, ld = load_dir(d, torch.float64)
    n, B, T = int(meta[1]), int(meta[3]), int(meta[4])
    z_elig = ld("z")
    ok = True
    names = ("w_in", "w_rec", "w_out")
    print("check: n=%d batch=%d T=%d, torch float64 against elig float32" % (n, B, T))
    for rule, run in (("bptt", run_bptt), ("eprop", run_eprop)):
        zs = []
        out = run(net, x, ystar, record=zs)
        loss, grads = out[0], out[1]
        z_t = torch.stack(zs)
        flips = int((z_t != z_elig).sum())
        first = int((z_t != z_elig).flatten(1).any(1).nonzero()[0]) if flips else -1
        loss_elig = float(meta[8 if rule == "bptt" else 9])
        rel_loss = abs(float(loss) - loss_elig) / max(abs(loss_elig), 1e-30)
        print("  %-5s spikes: %d of %d differ%s; loss torch %.8g elig %.8g (rel %.1e)" % (
            rule, flips, z_t.numel(), " (first at step %d)" % first if flips else "", float(loss), loss_elig, rel_loss))
        ok &= flips == 0 and rel_loss < 1e-4
        for name, g in zip(names, grads):
            ge = ld("grad_%s_%s" % (rule, name))
            scale = float(ge.abs().max())
            err = float((g - ge).abs().max()) / max(scale, 1e-30)
            good = err < 1e-3
            ok &= good
            print("        grad %-5s max |torch - elig| / max |elig| = %.2e  (max |elig| %.3g)%s" % (
                name, err, scale, "" if good else "  <-- MISMATCH"))
    print("check: %s" % ("PASS: same network, same gradients" if ok else "FAIL"))
    return 0 if ok else 1


# --------------------------------------------------------------------------- main

def parse_sizes(s):
    out = []
    for tok in s.split(","):
        n, _, b = tok.partition("x")
        out.append((int(n), int(b or 1)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100x1,200x1,400x1,100x16", help="NxB list: n neurons, batch B")
    ap.add_argument("--rules", default=",".join(RULES))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1, as elig)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv")
    ap.add_argument("--data", metavar="DIR", help="time elig's network and data (bench --save-data DIR)")
    ap.add_argument("--check", metavar="DIR", help="compare with the data of `bench --dump DIR`")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        return check(args.check)
    args.rules = [r for r in args.rules.split(",") if r]
    bad = [r for r in args.rules if r not in RULES]
    if bad:
        ap.error("unknown rule(s) %s (torch_ref has %s; no RTRL)" % (bad, ", ".join(RULES)))
    torch.manual_seed(args.seed)
    print("# torch %s, float32, %d thread(s); T = %d steps per run, best of %d after one warm-up run" % (
        torch.__version__, torch.get_num_threads(), args.steps, args.reps), flush=True)
    rows = []
    t0 = time.perf_counter()
    for n, B in parse_sizes(args.sizes):
        bench_size(n, B, args, rows)
    print()
    print_table(rows)
    print("# total %.1f s" % (time.perf_counter() - t0))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
