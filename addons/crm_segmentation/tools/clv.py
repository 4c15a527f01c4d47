"""BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma (Fader, Hardie & Lee 2005b) by maximum likelihood.

Input per customer: x = number of repeat purchases, t_x = time of the last purchase and T = time since
the first purchase (same unit, e.g. weeks), m = mean value of the repeat purchases.
Pure numpy/scipy: no ORM, unit-tested on synthetic data drawn from known parameters.
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

MIN_CUSTOMERS = 20
MIN_REPEATERS = 5
LOG_BOUND = 10.0  # BG/NBD parameters between e^-10 and e^10


class NotEnoughData(ValueError):
    """Raised when the history is too thin to fit the models. ``kind`` ("customers", "repeaters") and the
    counts let the caller say it in the reader's language (this module has no translations)."""

    def __init__(self, message, kind=None, needed=None, found=None):
        super().__init__(message)
        self.kind, self.needed, self.found = kind, needed, found


def _bgnbd_negll(log_params, x, t_x, T):
    r, alpha, a, b = np.exp(log_params)
    ln_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    ln_a2 = betaln(a, b + x) - betaln(a, b)
    ln_a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        ln_a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    ll = ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4)
    return -np.sum(ll)


def fit_bgnbd(x, t_x, T):
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"BG/NBD needs at least {MIN_CUSTOMERS} customers, got {len(x)}", "customers", MIN_CUSTOMERS, len(x)
        )
    if (x > 0).sum() < MIN_REPEATERS:
        repeaters = int((x > 0).sum())
        raise NotEnoughData(
            f"BG/NBD needs at least {MIN_REPEATERS} repeat customers", "repeaters", MIN_REPEATERS, repeaters
        )
    # bounded in log space: on customers who buy at much the same rate the unbounded likelihood drifts to
    # r and alpha of 1e10, where the predictions overflow to NaN (a fit no better than the bounded one)
    res = minimize(
        _bgnbd_negll,
        x0=np.log([1.0, 1.0, 1.0, 1.0]),
        args=(x, t_x, T),
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * 4,
    )
    r, alpha, a, b = np.exp(res.x)
    return {"r": r, "alpha": alpha, "a": a, "b": b}


def prob_alive(params, x, t_x, T):
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    ratio = (a / np.maximum(b + x - 1, 1e-12)) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)


def expected_purchases(params, t, x, t_x, T):
    """Expected number of purchases in the next t periods (conditional expectation)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    den = 1 + np.where(x > 0, (a / np.maximum(b + x - 1, 1e-12)) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0)
    return num / den


def lifetime_value(params, spend, x, t_x, T, horizon, discount_rate, year=52.0, steps_per_year=12):
    """Expected purchases over ``horizon`` and their value: the purchases expected in each step (a month by
    default) times ``spend``, discounted to today from the step's end at ``discount_rate`` a year (0.1 =
    10%). ``year`` is the number of periods of t_x and T in a year (weeks: 52)."""
    spend = np.asarray(spend, dtype=float)
    step = year / steps_per_year
    ends = [min(k * step, horizon) for k in range(1, int(np.ceil(horizon / step - 1e-9)) + 1)]
    value, before = np.zeros_like(spend), np.zeros_like(spend)
    for end in ends:
        cumulated = expected_purchases(params, end, x, t_x, T)
        value += (cumulated - before) * spend / (1.0 + discount_rate) ** (end / year)
        before = cumulated
    return before, value


def _gg_negll(log_params, x, m):
    p, q, v = np.exp(log_params)
    ll = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )
    return -np.sum(ll)


def fit_gamma_gamma(x, m):
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < MIN_REPEATERS:
        raise NotEnoughData(f"Gamma-Gamma needs at least {MIN_REPEATERS} repeat customers with spend")
    res = minimize(
        _gg_negll,
        x0=np.log([1.0, 1.0, 1.0]),
        args=(x[keep], m[keep]),
        method="Nelder-Mead",
        options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8},
    )
    p, q, v = np.exp(res.x)
    return {"p": p, "q": q, "v": v}


def expected_spend(params, x, m):
    """Conditional expected mean transaction value."""
    p, q, v = params["p"], params["q"], params["v"]
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    population = p * v / (q - 1)
    return np.where(x > 0, (q - 1) / (p * x + q - 1) * population + (p * x) / (p * x + q - 1) * m, population)


def simulate_bgnbd(n, r, alpha, a, b, T, rng):
    """Draw (x, t_x, T) for n customers observed for T periods under BG/NBD."""
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    xs, txs = np.zeros(n), np.zeros(n)
    for i in range(n):
        t, x, tx = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > T:
                break
            x, tx = x + 1, t
            if rng.random() < p[i]:
                break
        xs[i], txs[i] = x, tx
    return xs, txs, np.full(n, float(T))
