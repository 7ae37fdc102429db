#!/usr/bin/python3
"""Independent plain-NumPy reference implementation of e-prop for the elig tests.

What it implements
------------------
Online e-prop (Bellec et al. 2020, "A solution to the learning dilemma for
recurrent networks of spiking neurons", Nat. Commun.) with the semantics of the
authors' TensorFlow tutorials (IGITUGraz/eligibility_propagation,
Figure_3_and_S7_e_prop_tutorials), for two tasks:

* ``pattern``  -- LIF network, regression onto a sum of four sines
  (tutorial_pattern_generation): leaky input ``(1 - alpha) * I``, random
  feedback B, SGD.
* ``evidence`` -- LIF + ALIF network, evidence accumulation with a cross-entropy
  loss over the last 150 ms (tutorial_evidence_accumulation_with_alif): no
  ``(1 - alpha)`` input factor, refractoriness, threshold adaptation,
  Adam.

Conventions taken from the TF tutorial semantics
------------------------------------------------
* dt = 1 ms; all state, eligibility vectors and filters start at zero at the
  start of every iteration (every ``sess.run`` starts from a zero state).
* The recurrent input at step t uses z_{t-1}; the reset is ``- v_th z_{t-1}``
  (reset by the baseline threshold, its derivative is not propagated, as with
  the tutorial's ``stop_gradient`` on the reset); the readout uses z_t and is a
  leaky integrator ``y_t = kappa y_{t-1} + (1 - kappa) W_out z_t``.
* Pseudo-derivative psi = (0.3 / v_th) max(0, 1 - |v - A| / v_th), A the
  (adaptive) threshold; it is 0 during refractoriness. Spike: v > A (strict).
* Eligibility traces (the tutorials' "e-prop 1", i.e. symmetric/random
  feedback and a leaky-filtered trace):
    LIF : eps_t = alpha eps_{t-1} + s pre_t       (s = 1 - alpha for "pattern")
          e_t   = psi_t eps_t
    ALIF: eps_a_t = psi_{t-1} eps_v_{t-1} + (rho - beta psi_{t-1}) eps_a_{t-1}
          e_t     = psi_t (eps_v_t - beta eps_a_t)
  ebar_t = kappa ebar_{t-1} + (1 - kappa) e_t (the readout filter applied to the
  trace), learning signal L_t = B err_t, and grad += L_t[i] ebar_t[i, j]
  summed over time and batch. Readout: grad_out += err_t[k] zbar_t[i] with
  zbar_t = kappa zbar_{t-1} + (1 - kappa) z_t.
* Firing-rate regulariser: grad += c_reg (fbar_i - f*) mean_t(e_t[i, j]) with
  the *unfiltered* e_t; W_rec has a zero diagonal and its gradient diagonal is
  zeroed. No biases.
* One weight update per iteration, after the whole sequence (batch); the loss
  reported for an iteration is the task loss (no regulariser) computed with the
  weights before that update. Adam follows tf.train.AdamOptimizer (bias
  correction folded into the step size, epsilon added to sqrt(v)).

The script runs the whole training twice: once with every array and operation
in float32 (scalar constants are computed in float64 and cast to float32 once;
expressions of them such as 1 - alpha are then evaluated in float32), and once
in float64 from the same float32-valued initial data. The time loop is Python
(sequential accumulation over t, as in the C library); batch, neurons and
synapses are vectorised.

Usage: eprop_ref.py --task {pattern,evidence} --out DIR [--iters 5] [--batch 4] [--seed 0]
Weights are stored W[post, pre]; see write_outputs() for the files.
"""
import argparse
import os
import sys
import time

import numpy as np

F32 = np.float32
F64 = np.float64


# ----------------------------------------------------------------------------- helpers

def consts(dtype, **kw):
    """Cast scalar parameters (computed in float64) to dtype scalars, once."""
    return {k: dtype(v) for k, v in kw.items()}


def surrogate(v, thr, v_th, psi_scale, one, zero):
    """psi = (0.3/v_th) * max(0, 1 - |v - thr| / v_th); psi_scale = 0.3/v_th."""
    return psi_scale * np.maximum(zero, one - np.abs(v - thr) / v_th)


class SGD:
    def __init__(self, lr, dtype):
        self.lr = dtype(lr)

    def step(self, w, g):
        w -= self.lr * g


class Adam:
    """tf.train.AdamOptimizer: lr_t = lr sqrt(1 - b2^t)/(1 - b1^t), w -= lr_t m/(sqrt(v) + eps)."""

    def __init__(self, shapes, dtype, lr=5e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.dtype = dtype
        self.lr, self.b1, self.b2, self.eps = (dtype(lr), dtype(b1), dtype(b2), dtype(eps))
        self.one = dtype(1)
        self.m = [np.zeros(s, dtype) for s in shapes]
        self.v = [np.zeros(s, dtype) for s in shapes]
        self.t = 0

    def begin(self):
        self.t += 1
        one, b1, b2 = self.one, self.b1, self.b2
        b1t = b1 ** self.dtype(self.t)
        b2t = b2 ** self.dtype(self.t)
        self.lr_t = self.lr * np.sqrt(one - b2t) / (one - b1t)

    def step_k(self, k, w, g):
        one = self.one
        self.m[k][...] = self.b1 * self.m[k] + (one - self.b1) * g
        self.v[k][...] = self.b2 * self.v[k] + (one - self.b2) * (g * g)
        w -= self.lr_t * self.m[k] / (np.sqrt(self.v[k]) + self.eps)


def check_dtype(dtype, *arrays):
    for a in arrays:
        assert a.dtype == np.dtype(dtype), (a.dtype, dtype)


def save(d, name, a, dt):
    np.save(os.path.join(d, name), np.ascontiguousarray(a, dtype=np.dtype(dt)))


def write_meta(d, meta):
    with open(os.path.join(d, "meta.txt"), "w") as f:
        for k, v in meta.items():
            f.write("%s = %s\n" % (k, v))


# ----------------------------------------------------------------------------- pattern

PATTERN = dict(n_in=100, n_rec=100, n_out=1, T=1000, tau_v=30.0, tau_out=30.0, v_th=0.03,
               in_rate_hz=50.0, periods=(1000, 500, 333, 200), c_reg=300.0, f_target=0.01,
               lr=1e-4, gamma_psi=0.3)


def pattern_data(seed):
    """Frozen Poisson input, sum-of-sines target and initial weights (float64 draws -> float32)."""
    p = PATTERN
    rs = np.random.RandomState(seed)
    T, n_in, n_rec, n_out = p["T"], p["n_in"], p["n_rec"], p["n_out"]
    x = (rs.rand(T, n_in) < p["in_rate_hz"] * 1e-3).astype(F64)
    # as in the tutorial's sum_of_sines_target: all amplitudes are drawn, then all phases
    periods = p["periods"]
    amps = rs.uniform(0.5, 2.0, size=len(periods))
    phases = rs.uniform(0.0, 2 * np.pi, size=len(periods))
    y = np.zeros(T)
    for P, amp, phi in zip(periods, amps, phases):
        y += amp * np.sin(np.linspace(phi, phi + 2 * np.pi * (T // P), T))
    y -= y[0]
    y /= max(abs(y.min()), abs(y.max()))
    w_in = rs.randn(n_rec, n_in) / np.sqrt(n_in)
    w_rec = rs.randn(n_rec, n_rec) / np.sqrt(n_rec)
    np.fill_diagonal(w_rec, 0.0)
    w_out = rs.randn(n_out, n_rec) / np.sqrt(n_rec)
    fb = rs.randn(n_rec, n_out) / np.sqrt(n_rec)
    return dict(inputs=x[None].astype(F32), targets=y[None, :, None].astype(F32),
                w_in=w_in.astype(F32), w_rec=w_rec.astype(F32), w_out=w_out.astype(F32),
                fb=fb.astype(F32))


def pattern_iteration(x, ystar, w_in, w_rec, w_out, fb, c):
    """One forward pass with online e-prop gradients. x (T, n_in), ystar (T, n_out)."""
    dt = w_in.dtype.type
    T, n_in = x.shape
    n_rec, n_out = w_rec.shape[0], w_out.shape[0]
    n_pre = n_in + n_rec
    one, zero = dt(1), dt(0)
    alpha, kappa, v_th = c["alpha"], c["kappa"], c["v_th"]
    om_alpha, om_kappa = one - alpha, one - kappa
    half = dt(0.5)

    v = np.zeros(n_rec, dt)
    z = np.zeros(n_rec, dt)             # z_{t-1}
    y = np.zeros(n_out, dt)
    zbar = np.zeros(n_rec, dt)
    eps = np.zeros(n_pre, dt)           # [inputs | recurrent] presynaptic traces
    ebar = np.zeros((n_rec, n_pre), dt)
    e_sum = np.zeros((n_rec, n_pre), dt)
    z_sum = np.zeros(n_rec, dt)
    g = np.zeros((n_rec, n_pre), dt)
    g_out = np.zeros((n_out, n_rec), dt)
    loss = zero
    pre = np.empty(n_pre, dt)

    for t in range(T):
        z_prev = z
        cur = w_in @ x[t] + w_rec @ z_prev
        v = alpha * v + om_alpha * cur - v_th * z_prev
        z = (v > v_th).astype(dt)
        psi = surrogate(v, v_th, v_th, c["psi_scale"], one, zero)
        # presynaptic traces: x_t for inputs, z_{t-1} for recurrent synapses
        pre[:n_in] = x[t]
        pre[n_in:] = z_prev
        eps = alpha * eps + om_alpha * pre
        e = psi[:, None] * eps[None, :]
        ebar = kappa * ebar + om_kappa * e
        e_sum += e
        z_sum += z
        # readout, error, learning signal
        y = kappa * y + om_kappa * (w_out @ z)
        err = y - ystar[t]
        loss = loss + half * np.sum(err * err)
        L = fb @ err
        g += L[:, None] * ebar
        zbar = kappa * zbar + om_kappa * z
        g_out += err[:, None] * zbar[None, :]

    Tn = dt(T)
    fbar = z_sum / Tn
    g += c["c_reg"] * (fbar - c["f_target"])[:, None] * (e_sum / Tn)
    g_in, g_rec = g[:, :n_in].copy(), g[:, n_in:].copy()
    np.fill_diagonal(g_rec, zero)
    check_dtype(dt, v, y, ebar, g_in, g_rec, g_out, np.asarray(loss))
    return float(loss), g_in, g_rec, g_out


def run_pattern(data, iters, dtype):
    p = PATTERN
    c = consts(dtype, alpha=np.exp(-1.0 / p["tau_v"]), kappa=np.exp(-1.0 / p["tau_out"]),
               v_th=p["v_th"], psi_scale=p["gamma_psi"] / p["v_th"], c_reg=p["c_reg"],
               f_target=p["f_target"])
    w_in, w_rec, w_out, fb = (data[k].astype(dtype) for k in ("w_in", "w_rec", "w_out", "fb"))
    x = data["inputs"][0].astype(dtype)
    ystar = data["targets"][0].astype(dtype)
    opt = SGD(p["lr"], dtype)
    losses, grad0 = [], None
    for it in range(iters):
        loss, g_in, g_rec, g_out = pattern_iteration(x, ystar, w_in, w_rec, w_out, fb, c)
        losses.append(loss)
        if it == 0:
            grad0 = (g_in, g_rec, g_out)
        opt.step(w_in, g_in)
        opt.step(w_rec, g_rec)
        opt.step(w_out, g_out)
    return dict(losses=np.array(losses), grad0=grad0)


# ----------------------------------------------------------------------------- evidence

EVIDENCE = dict(n_in=40, n_rec=100, n_lif=50, n_out=2, T=2250, tau_v=20.0, tau_a=2000.0,
                tau_out=20.0, v_th=0.6, n_silent=4, n_cues=7, cue_start=50, cue_len=100,
                cue_period=150, recall_len=150, cue_rate_hz=40.0, bg_rate_hz=10.0,
                recall_rate_hz=40.0, p_strong=0.7, c_reg=2.0, f_target=0.01, lr=5e-3,
                gamma_psi=0.3, beta_scale=1.7)


def evidence_sequence(rs):
    """One sequence: (x (T, n_in) float64 0/1, label).

    Draw order per sequence: one rand() for the side (< 0.5: p_right = 0.7,
    else 0.3), rand(7) for the cues (cue c is right if < p_right), then one
    rand(T, n_in) compared against the per-step, per-channel rate."""
    p = EVIDENCE
    T, n_in = p["T"], p["n_in"]
    p_right = p["p_strong"] if rs.rand() < 0.5 else 1.0 - p["p_strong"]
    right = rs.rand(p["n_cues"]) < p_right
    rate = np.zeros((T, n_in))
    for cue in range(p["n_cues"]):
        t0 = p["cue_start"] + p["cue_period"] * cue
        grp = slice(10, 20) if right[cue] else slice(0, 10)
        rate[t0:t0 + p["cue_len"], grp] = p["cue_rate_hz"] * 1e-3
    rate[T - p["recall_len"]:, 20:30] = p["recall_rate_hz"] * 1e-3
    rate[:, 30:40] = p["bg_rate_hz"] * 1e-3
    x = (rs.rand(T, n_in) < rate).astype(F64)
    label = int(right.sum() > p["n_cues"] // 2)
    return x, label


def evidence_data(seed, iters, batch):
    p = EVIDENCE
    rs = np.random.RandomState(seed)
    n_seq = iters * batch
    xs, labels = [], []
    for _ in range(n_seq):
        x, lab = evidence_sequence(rs)
        xs.append(x)
        labels.append(lab)
    n_in, n_rec, n_out, T, W = p["n_in"], p["n_rec"], p["n_out"], p["T"], p["recall_len"]
    w_in = rs.randn(n_rec, n_in) / np.sqrt(n_in)
    w_rec = rs.randn(n_rec, n_rec) / np.sqrt(n_rec)
    np.fill_diagonal(w_rec, 0.0)
    w_out = rs.randn(n_out, n_rec) / np.sqrt(n_rec)
    fb = rs.randn(n_rec, n_out)
    labels = np.array(labels, dtype=np.int32)
    targets = np.zeros((n_seq, T, n_out))
    for s in range(n_seq):
        targets[s, T - W:, labels[s]] = 1.0
    return dict(inputs=np.stack(xs).astype(F32), targets=targets.astype(F32), labels=labels,
                w_in=w_in.astype(F32), w_rec=w_rec.astype(F32), w_out=w_out.astype(F32),
                fb=fb.astype(F32))


def evidence_iteration(x, labels, w_in, w_rec, w_out, fb, beta, c, n_win, n_silent):
    """One batch: x (batch, T, n_in), labels (batch,). Returns loss, accuracy, gradients."""
    dt = w_in.dtype.type
    nb, T, n_in = x.shape
    n_rec, n_out = w_rec.shape[0], w_out.shape[0]
    n_pre = n_in + n_rec
    one, zero = dt(1), dt(0)
    alpha, rho, kappa, v_th = c["alpha"], c["rho"], c["kappa"], c["v_th"]
    om_kappa = one - kappa
    t_win = T - n_win
    err_scale = dt(nb * n_win)
    onehot = np.zeros((nb, n_out), dt)
    onehot[np.arange(nb), labels] = one
    bidx = np.arange(nb)
    beta_i = beta[None, :]              # (1, n_rec)
    # eps_a only matters where beta != 0 (ALIF); for LIF rows e = psi (eps_v - 0 eps_a) = psi eps_v
    # exactly, so eps_a is only kept for the adaptive neurons (a contiguous block, or an index).
    ad = np.flatnonzero(beta != 0)
    if ad.size and np.all(np.diff(ad) == 1):
        ad = slice(int(ad[0]), int(ad[-1]) + 1)
    beta_a = beta[ad]
    n_ad = beta_a.shape[0]

    v = np.zeros((nb, n_rec), dt)
    a = np.zeros((nb, n_rec), dt)
    z = np.zeros((nb, n_rec), dt)      # z_{t-1}
    r = np.zeros((nb, n_rec), np.int64)
    psi = np.zeros((nb, n_rec), dt)    # psi_{t-1}
    y = np.zeros((nb, n_out), dt)
    y_win = np.zeros((nb, n_out), dt)
    zbar = np.zeros((nb, n_rec), dt)
    eps_v = np.zeros((nb, n_pre), dt)
    eps_a = np.zeros((nb, n_ad, n_pre), dt)   # adaptive neurons only
    ebar = np.zeros((nb, n_rec, n_pre), dt)
    h = np.empty((nb, n_rec, n_pre), dt)      # eps_v - beta eps_a
    e = np.empty((nb, n_rec, n_pre), dt)
    e_sum = np.zeros((n_rec, n_pre), dt)
    z_sum = np.zeros(n_rec, dt)
    g = np.zeros((n_rec, n_pre), dt)
    g_out = np.zeros((n_out, n_rec), dt)
    pre = np.empty((nb, n_pre), dt)
    loss = zero

    for t in range(T):
        z_prev, psi_prev = z, psi
        # neuron: adaptation, membrane, refractoriness, spike
        a = rho * a + z_prev
        thr = v_th + beta_i * a
        v = alpha * v + (x[:, t] @ w_in.T + z_prev @ w_rec.T) - v_th * z_prev
        refr = r > 0
        z = ((v > thr) & ~refr).astype(dt)
        r = np.where(z > zero, n_silent, np.maximum(r - 1, 0))
        psi = surrogate(v, thr, v_th, c["psi_scale"], one, zero)
        psi[refr] = zero
        # eligibility vectors (eps_a uses the t-1 quantities) and traces
        pre[:, :n_in] = x[:, t]
        pre[:, n_in:] = z_prev
        pa = psi_prev[:, ad]
        eps_a = pa[:, :, None] * eps_v[:, None, :] + (rho - beta_a * pa)[:, :, None] * eps_a
        eps_v = alpha * eps_v + pre
        h[...] = eps_v[:, None, :]
        h[:, ad] -= beta_a[None, :, None] * eps_a
        np.multiply(psi[:, :, None], h, out=e)
        ebar *= kappa                   # ebar = kappa ebar + (1 - kappa) e, in place
        ebar += om_kappa * e
        e_sum += e.sum(axis=0)
        z_sum += z.sum(axis=0)
        # readout
        y = kappa * y + om_kappa * (z @ w_out.T)
        zbar = kappa * zbar + om_kappa * z
        if t >= t_win:                   # err_t = 0 outside the window: nothing to add
            y_win += y
            m = y.max(axis=1, keepdims=True)
            ex = np.exp(y - m)
            s = ex.sum(axis=1, keepdims=True)
            p = ex / s
            logp = (y - m) - np.log(s)
            loss = loss - np.sum(logp[bidx, labels])
            err = (p - onehot) / err_scale
            L = err @ fb.T               # (nb, n_rec)
            g += np.einsum("bi,bij->ij", L, ebar)
            g_out += np.einsum("bk,bi->ki", err, zbar)

    nT = dt(nb * T)
    fbar = z_sum / nT
    g += c["c_reg"] * (fbar - c["f_target"])[:, None] * (e_sum / nT)
    g_in, g_rec = g[:, :n_in].copy(), g[:, n_in:].copy()
    np.fill_diagonal(g_rec, zero)
    loss = loss / err_scale
    pred = np.argmax(y_win / dt(n_win), axis=1)
    acc = float(np.mean(pred == labels))
    check_dtype(dt, v, a, y, eps_a, ebar, g_in, g_rec, g_out, np.asarray(loss))
    return float(loss), acc, g_in, g_rec, g_out


def evidence_beta(dtype):
    p = EVIDENCE
    b = p["beta_scale"] * (1 - np.exp(-1.0 / p["tau_a"])) / (1 - np.exp(-1.0 / p["tau_v"]))
    beta = np.zeros(p["n_rec"])
    beta[p["n_lif"]:] = b
    return beta.astype(dtype), b


def run_evidence(data, iters, batch, dtype):
    p = EVIDENCE
    c = consts(dtype, alpha=np.exp(-1.0 / p["tau_v"]), rho=np.exp(-1.0 / p["tau_a"]),
               kappa=np.exp(-1.0 / p["tau_out"]), v_th=p["v_th"],
               psi_scale=p["gamma_psi"] / p["v_th"], c_reg=p["c_reg"], f_target=p["f_target"])
    beta, _ = evidence_beta(dtype)
    w = [data[k].astype(dtype) for k in ("w_in", "w_rec", "w_out")]
    fb = data["fb"].astype(dtype)
    opt = Adam([a.shape for a in w], dtype, lr=p["lr"])
    losses, accs, grad0 = [], [], None
    for it in range(iters):
        sl = slice(it * batch, (it + 1) * batch)
        x = data["inputs"][sl].astype(dtype)
        loss, acc, g_in, g_rec, g_out = evidence_iteration(
            x, data["labels"][sl], w[0], w[1], w[2], fb, beta, c, p["recall_len"], p["n_silent"])
        losses.append(loss)
        accs.append(acc)
        if it == 0:
            grad0 = (g_in, g_rec, g_out)
        opt.begin()
        for k, gk in enumerate((g_in, g_rec, g_out)):
            opt.step_k(k, w[k], gk)
    return dict(losses=np.array(losses), accuracy=np.array(accs), grad0=grad0)


# ----------------------------------------------------------------------------- main

def write_outputs(out, data, r32, r64, meta):
    os.makedirs(out, exist_ok=True)
    for k in ("w_in", "w_rec", "w_out", "fb", "inputs", "targets"):
        save(out, k + ".npy", data[k], "<f4")
    if "labels" in data:
        save(out, "labels.npy", data["labels"], "<i4")
    save(out, "losses_f32.npy", r32["losses"], "<f8")
    save(out, "losses_f64.npy", r64["losses"], "<f8")
    for name, gk in zip(("in", "rec", "out"), r64["grad0"]):
        save(out, "grad0_f64_%s.npy" % name, gk, "<f8")
    if "accuracy" in r64:
        save(out, "accuracy_f64.npy", r64["accuracy"], "<f8")
    write_meta(out, meta)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", choices=("pattern", "evidence"), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.task == "pattern":
        p = PATTERN
        data = pattern_data(args.seed)
        r32 = run_pattern(data, args.iters, F32)
        r64 = run_pattern(data, args.iters, F64)
        meta = dict(task="pattern", n_in=p["n_in"], n_rec=p["n_rec"], n_out=p["n_out"],
                    T=p["T"], batch=1, n_seq=1, iters=args.iters, seed=args.seed, dt_ms=1,
                    tau_v=p["tau_v"], tau_out=p["tau_out"], alpha=repr(np.exp(-1 / p["tau_v"])),
                    kappa=repr(np.exp(-1 / p["tau_out"])), v_th=p["v_th"],
                    in_leak_scale="1-alpha", reset="subtract v_th z_{t-1}", refractory=0,
                    surrogate="pwl gamma %g beta 1" % p["gamma_psi"],
                    in_rate_hz=p["in_rate_hz"], periods=",".join(map(str, p["periods"])),
                    loss="0.5*sum_t sum_k (y-y*)^2", fb_scale="1/sqrt(n_rec)",
                    c_reg=p["c_reg"], f_target=p["f_target"], optimizer="sgd", lr=p["lr"])
    else:
        p = EVIDENCE
        data = evidence_data(args.seed, args.iters, args.batch)
        r32 = run_evidence(data, args.iters, args.batch, F32)
        r64 = run_evidence(data, args.iters, args.batch, F64)
        _, b = evidence_beta(F64)
        meta = dict(task="evidence", n_in=p["n_in"], n_rec=p["n_rec"], n_lif=p["n_lif"],
                    n_alif=p["n_rec"] - p["n_lif"], n_out=p["n_out"], T=p["T"],
                    batch=args.batch, n_seq=args.iters * args.batch, iters=args.iters,
                    seed=args.seed, dt_ms=1, tau_v=p["tau_v"], tau_a=p["tau_a"],
                    tau_out=p["tau_out"], alpha=repr(np.exp(-1 / p["tau_v"])),
                    rho=repr(np.exp(-1 / p["tau_a"])), kappa=repr(np.exp(-1 / p["tau_out"])),
                    v_th=p["v_th"], beta=repr(b), in_leak_scale=1, reset="subtract v_th z_{t-1}",
                    n_silent=p["n_silent"], surrogate="pwl gamma %g beta 1" % p["gamma_psi"],
                    n_cues=p["n_cues"], cue_start=p["cue_start"], cue_len=p["cue_len"],
                    cue_period=p["cue_period"], window=p["recall_len"],
                    cue_rate_hz=p["cue_rate_hz"], bg_rate_hz=p["bg_rate_hz"],
                    recall_rate_hz=p["recall_rate_hz"], p_strong=p["p_strong"],
                    loss="mean over batch and window of -log softmax(y)[label]",
                    fb_scale=1, c_reg=p["c_reg"], f_target=p["f_target"], optimizer="adam",
                    lr=p["lr"], adam_b1=0.9, adam_b2=0.999, adam_eps=1e-8)
    write_outputs(args.out, data, r32, r64, meta)
    print("%s: %d iters in %.1f s" % (args.task, args.iters, time.time() - t0))
    print("losses_f32:", " ".join("%.9g" % l for l in r32["losses"]))
    print("losses_f64:", " ".join("%.9g" % l for l in r64["losses"]))
    if "accuracy" in r64:
        print("accuracy_f64:", " ".join("%g" % a for a in r64["accuracy"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
