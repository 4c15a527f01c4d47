"""Standalone timing of the CLV kernel (tools/clv.py) on synthetic customers: numpy/scipy only, no database.

    .venv/bin/python addons/crm_segmentation_clv/scripts/bench_clv.py [n_customers] [path/to/other/clv.py] [bgnbd|bench]

Draws n customers (default 100,000) from known BG/NBD and Gamma-Gamma parameters, first purchases spread
over three years and times in whole days (as ``crm.rfm.score._clv_inputs`` gives them), then times (best
of five runs) the fit and the scoring the way ``crm.rfm.score._fit_clv`` runs them (a 12-month horizon,
month by month).
With ``bench``, the customers look like those of bench/generate.py (skewed, no drop-out) instead.
Given the path of another clv.py (the previous kernel), times it on the same data and compares the fits.
"""

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np


def out(line):
    sys.stdout.write(f"{line}\n")


def load(path):
    spec = importlib.util.spec_from_file_location(f"clv_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic(clv, n, seed=19):
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 3 * 365, n) / 7.0  # weeks since the first purchase, whole days
    x, t_x, T = clv.simulate_bgnbd(n, 0.24, 4.41, 0.79, 2.43, T, rng)
    t_x = np.floor(t_x * 7.0) / 7.0
    nu = rng.gamma(3.74, 1.0 / 15.44, n)
    m = np.where(x > 0, rng.gamma(6.25 * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1))), 0.0)
    return x, t_x, T, m


def bench_like(n, seed=19):
    """Customers as bench/generate.py makes them: 5 invoices per customer on average, customers drawn with
    a skew (power 2.5: the heaviest buys thousands of times), days uniform over three years (no drop-out)."""
    rng = np.random.default_rng(seed)
    moves = 5 * n
    customer = np.floor(n * rng.random(moves) ** 2.5).astype(int)
    day = rng.integers(1, 1096, moves)  # days ago
    amount = np.round(np.exp(rng.random(moves) * 4) * 15 * 4, 2)
    order = np.lexsort((-day, customer))  # by customer, the oldest day first
    customer, day, amount = customer[order], day[order], amount[order]
    key = customer * 2000 + day
    first_of_day = np.r_[True, key[1:] != key[:-1]]
    c, d = customer[first_of_day], day[first_of_day]
    day_amount = np.add.reduceat(amount, np.flatnonzero(first_of_day))
    first = np.r_[True, c[1:] != c[:-1]]
    starts = np.flatnonzero(first)
    days = np.diff(np.r_[starts, len(c)])
    x = (days - 1).astype(float)
    T = d[starts] / 7.0
    t_x = (d[starts] - d[np.r_[starts[1:], len(c)] - 1]) / 7.0
    repeat_sum = np.add.reduceat(day_amount, starts) - day_amount[starts]
    m = np.where(x > 0, repeat_sum / np.maximum(x, 1), 0.0)
    return x, t_x, T, m


def run(clv, x, t_x, T, m):
    timings = {}
    start = time.perf_counter()
    bg = clv.fit_bgnbd(x, t_x, T)
    timings["BG/NBD fit"] = time.perf_counter() - start
    mark = time.perf_counter()
    gg = clv.fit_gamma_gamma(x, m)
    timings["Gamma-Gamma fit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    alive = clv.prob_alive(bg, x, t_x, T)
    spend = np.where((x > 0) & (m <= 0), m, clv.expected_spend(gg, x, m))
    purchases, value = clv.lifetime_value(bg, spend, x, t_x, T, 12 * 52.0 / 12, 0.1)
    timings["scoring (12 months)"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return bg, gg, (alive, purchases, value), timings


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    here = Path(__file__).resolve().parent.parent / "tools" / "clv.py"
    kernels = {"new": load(str(here))}
    if len(sys.argv) > 2:
        kernels["old"] = load(sys.argv[2])
    data = sys.argv[3] if len(sys.argv) > 3 else "bgnbd"
    x, t_x, T, m = synthetic(kernels["new"], n) if data == "bgnbd" else bench_like(n)
    out(f"{n} customers, {int((x > 0).sum())} repeat buyers")
    results = {}
    for name, clv in kernels.items():
        # the best of five runs: the machine may be shared, and the fastest run is the kernel's own cost
        runs = [run(clv, x, t_x, T, m) for _i in range(5)]
        results[name] = runs[0]
        bg, gg, _scores, _timings = runs[0]
        timings = {key: min(r[3][key] for r in runs) for key in runs[0][3]}
        out(f"{name} " + " ".join(f"{k}: {v:.3f} s" for k, v in timings.items()))
        out(f"    { ({k: round(float(v), 4) for k, v in {**bg, **gg}.items()}) }")
    if "old" in results:
        new, old = results["new"], results["old"]
        for key in (*new[0], *new[1]):
            a, b = {**new[0], **new[1]}[key], {**old[0], **old[1]}[key]
            out(f"    {key}: new/old - 1 = {a / b - 1:+.4%}")
        for label, a, b in zip(("prob_alive", "purchases", "clv"), new[2], old[2], strict=True):
            out(f"    {label}: max relative difference {np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-9)):.2e}")


if __name__ == "__main__":
    main()
