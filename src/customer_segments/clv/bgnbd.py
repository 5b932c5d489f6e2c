"""BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): when
customers buy (Poisson purchases at a gamma-distributed rate lambda ~ Gamma(r, alpha)) and
when they silently stop (after each purchase, dropout with probability p ~ Beta(a, b)).

Fitted on x repeat transactions (distinct purchase days after the first), t_x the time
of the last purchase and T the time of the end of calibration, both measured from the
first purchase. Predictions are evaluated without the Gauss hypergeometric function's
cancellation (see `conditional_expected_transactions_if_alive`), so they stay finite,
non-negative and monotone in the horizon for every parameter the optimiser can return,
the b -> infinity limit (no dropout observed yet: the NBD model) included.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.special import betaln, digamma, gammaln

from customer_segments.clv.fit import (
    MIN_CUSTOMERS,
    MIN_REPEAT_CUSTOMERS,
    InsufficientDataError,
    distinct_with_weights,
    fit_log_space,
)


@dataclass(frozen=True)
class BgNbdParameters:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool


# ---------------------------------------------------------------------------------------
# Likelihood and its gradient (per customer, in the natural parameters)


def _bgnbd_terms(params, x, t_x, T):
    r, alpha, a, b = params
    log_alive = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_dropped = (np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
                       - (r + x) * np.log(alpha + t_x))
    log_dropped = np.where(x > 0, log_dropped, -np.inf)
    mixture = np.logaddexp(log_alive, log_dropped)
    # Share of each customer's likelihood from "still alive" (1 without repeats): also
    # P(alive | x, t_x, T).
    alive_share = np.exp(log_alive - mixture)
    return mixture, alive_share


def bgnbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, equation 6)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    mixture, _ = _bgnbd_terms(params, x, t_x, T)
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
            + betaln(a, b + x) - betaln(a, b) + mixture)


def bgnbd_log_likelihood_gradient(params, x, t_x, T) -> np.ndarray:
    """d(log-likelihood)/d(r, alpha, a, b), per customer: shape (4, customers)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    _, alive = _bgnbd_terms(params, x, t_x, T)
    dropped = 1.0 - alive
    return np.stack([
        digamma(r + x) - digamma(r) + np.log(alpha)
        - alive * np.log(alpha + T) - dropped * np.log(alpha + t_x),
        r / alpha - (r + x) * (alive / (alpha + T) + dropped / (alpha + t_x)),
        digamma(a + b) - digamma(a + b + x) + dropped / a,
        digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
        - dropped / np.where(x > 0, b + x - 1, 1.0),
    ])



# ---------------------------------------------------------------------------------------
# Fitting


def fit_bgnbd(x, t_x, T) -> BgNbdParameters:
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    if len(x) < MIN_CUSTOMERS or (x > 0).sum() < MIN_REPEAT_CUSTOMERS:
        raise InsufficientDataError(
            f"BG/NBD needs at least {MIN_CUSTOMERS} customers and {MIN_REPEAT_CUSTOMERS} "
            f"with a repeat purchase; got {len(x)} and {int((x > 0).sum())}."
        )
    # T = 0 (first purchase on the calibration end) is valid: such a customer adds nothing
    # to the likelihood and is predicted as a new customer.
    if np.any(T < 0) or np.any(t_x < 0) or np.any(t_x > T):
        raise ValueError("every customer needs 0 <= t_x <= T.")
    (dx, dt_x, dT), weights = distinct_with_weights(x, t_x, T)
    starts = [np.ones(4), np.array([0.5, max(float(np.mean(T)), 1.0), 0.8, 2.5])]
    (r, alpha, a, b), log_likelihood, converged = fit_log_space(
        lambda params: bgnbd_log_likelihood(params, dx, dt_x, dT),
        lambda params: bgnbd_log_likelihood_gradient(params, dx, dt_x, dT),
        weights, starts)
    return BgNbdParameters(r, alpha, a, b, log_likelihood, converged)



# ---------------------------------------------------------------------------------------
# Predictions


def probability_alive(params: BgNbdParameters, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T) (FHL 2005, equation 11): the "still alive" share of
    the customer's likelihood."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    _, alive = _bgnbd_terms((params.r, params.alpha, params.a, params.b), x, t_x, T)
    return alive


# Past these, a method's cost or accuracy runs out and the next one takes over.
_MOMENT_SERIES_TERMS = 40
_MOMENT_SERIES_MAX_RATIO = 0.05
_NEGATIVE_BINOMIAL_MAX_TERMS = 2 ** 16
_CHUNK_CELLS = 2 ** 22


def _by_moment_series(k, w, a, c):
    """sum_n (-1)^n (k)_{n+1} w^(n+1) / (n+1)! * (a)_n / (c+1)_n: the Taylor series of
    g(p) = (1 - (1 + p w)^-k) / p integrated against p's moments. Used only where
    (k + n)(a + n) w / c is tiny for every n it sums, so the terms fall by a factor of at
    least 20 each and 40 terms are exact to double precision (huge b: the NBD limit)."""
    term = k * w
    total = term.copy()
    for n in range(_MOMENT_SERIES_TERMS - 1):
        term = -term * (k + n + 1) * w / (n + 2) * (a + n) / (c + 1 + n)
        total += term
    return total


def _by_negative_binomial_mean(k, w, a, beta, terms):
    """E[B_N] for N ~ NegativeBinomial(k, z = w / (1 + w)) (the Pfaff-transformed series of
    2F1 is its probability mass), with B_n = sum_{m<n} (beta)_m / (a+beta)_m: every term
    is positive, so the sum has no cancellation. beta = b + x."""
    n = np.arange(terms, dtype=float)
    results = np.empty(len(k))
    rows_per_chunk = max(1, _CHUNK_CELLS // terms)
    for start in range(0, len(k), rows_per_chunk):
        part = slice(start, start + rows_per_chunk)
        kk, ww, bb = k[part, None], w[part, None], beta[part, None]
        with np.errstate(under="ignore"):
            pmf = np.exp(gammaln(kk + n) - gammaln(kk) - gammaln(n + 1)
                         - kk * np.log1p(ww) + n * (np.log(ww) - np.log1p(ww)))
            # D_m = (beta)_m / (a+beta)_m = prod_{j<m} (1 - a/(a+beta+j)); B_n = sum_{m<n} D_m.
            log_d = np.cumsum(np.log1p(-a / (a + bb + n)), axis=1)
            d = np.exp(np.concatenate([np.zeros_like(kk), log_d[:, :-1]], axis=1))
        b_n = np.concatenate([np.zeros_like(kk), np.cumsum(d, axis=1)[:, :-1]], axis=1)
        results[part] = (pmf * b_n).sum(axis=1)
    return results


def _by_beta_integral(k, w, a, beta):
    """E_{p ~ Beta(a, beta)}[g(p)], g(p) = (1 - (1 + p w)^-k) / p, by adaptive quadrature
    over u = log p, one distinct summary at a time. For horizons so long against
    alpha + T that the negative binomial sum would need more than
    _NEGATIVE_BINOMIAL_MAX_TERMS terms; such summaries are few (T near 0, alpha tiny)."""
    return np.array([_beta_expectation(ki, wi, a, bi)
                     for ki, wi, bi in zip(k, w, beta, strict=True)])


def _beta_expectation(k: float, w: float, a: float, beta: float) -> float:
    """One summary of _by_beta_integral. Self-normalised: the integral of g times the
    density is divided by the integral of the density, both by the same quadrature, so
    neither log B(a, beta) (scipy's betaln is off by 2e-8 at a = 20, beta = 9e6) nor the
    quadrature's own bias reach the result."""
    # A guess at log B(a, beta) keeps the integrands near 1; it cancels in the ratio.
    log_norm = betaln(a, beta)
    # Below u0, g(p) = k w and (1-p)^(beta-1) = 1 to within e^-30 of relative error: that
    # part of the integral is g e^(a u0) / (a B(a, beta)).
    u0 = -np.log(k * w + beta + a + 1.0) - 30.0
    head_of_density = np.exp(a * u0 - np.log(a) - log_norm)
    # The integrand turns where p w k ~ 1 and where p beta ~ 1; the Beta density peaks
    # near log(a / (a + beta)) with a width of about 1/sqrt(a) in u, and its flanks are
    # split too, so no interval hides a narrow peak.
    peak, width = np.log(a + 1.0) - np.log(a + beta), 1.0 / np.sqrt(a + 1.0)
    turns = sorted({u0, -np.log(k * w + 1.0), -np.log(w + 1.0), -np.log(beta + 1.0),
                    -np.log(a + beta), -1.0,
                    *(peak + step * width for step in (-8, -4, -2, -1, 0, 1, 2, 4, 8))})
    edges = [turn for turn in turns if u0 <= turn <= -1.0]

    def g(p: float) -> float:
        return float(-np.expm1(-k * np.log1p(p * w)) / p)

    def integral(weighted: bool) -> float:
        def integrand(u: float) -> float:
            p = np.exp(u)
            if p >= 1:
                return 0.0
            density = float(np.exp(a * u + (beta - 1) * np.log1p(-p) - log_norm))
            return g(p) * density if weighted else density

        body = sum(quad(integrand, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
                   for lo, hi in itertools.pairwise(edges))
        if beta >= 1:
            tail = quad(integrand, -1.0, 0.0, epsabs=0, epsrel=1e-12, limit=200)[0]
        else:
            # (1 - e^u)^(beta-1), singular at u = 0: integrated against the weight
            # (-u)^(beta-1), times the smooth ((1 - e^u) / -u)^(beta-1).
            def near_zero(u: float) -> float:
                smooth = (beta - 1) * np.log(-np.expm1(u) / -u) if u < 0 else 0.0
                density = float(np.exp(a * u + smooth - log_norm))
                return g(np.exp(u)) * density if weighted else density

            tail = quad(near_zero, -1.0, 0.0, weight="alg", wvar=(0.0, beta - 1),
                        epsabs=0, epsrel=1e-12, limit=200)[0]
        return float(head_of_density * (k * w if weighted else 1.0) + body + tail)

    return integral(weighted=True) / integral(weighted=False)


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of equal-length columns, in lexicographic order, as one array
    per column, and for every row the index of its distinct row. What
    np.unique(np.column_stack(columns), axis=0, return_inverse=True) gives, 15x faster:
    each column is reduced to integer codes, and the codes to one key per row."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        values, codes = np.unique(column, return_inverse=True)
        # Renumbered after every column, so the key stays below the number of rows.
        key = np.unique(key * len(values) + codes.ravel(), return_inverse=True)[1].ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return [column[first] for column in columns], inverse.ravel()


def conditional_expected_transactions_if_alive(params: BgNbdParameters, t, x, T) -> np.ndarray:
    """E[transactions in (T, T+t] | x, T, alive at T]: the posterior of the purchase rate
    is Gamma(r+x, alpha+T) and of the dropout probability Beta(a, b+x), so with
    w = t/(alpha+T), k = r+x, c = a+b+x-1 this is

        E_{p ~ Beta(a, b+x)} [ (1 - (1 + p w)^-k) / p ]  =  c/(a-1) * (1 - 2F1(k, a-1; c; -w)),

    FHL's equation 10 without its P(alive) factor. Written with 2F1 it cancels: when b is
    large 2F1 is 1 - O(1/b) and c/(a-1) is O(b), so the first digits of 2F1 are lost
    (b = 6e11 gave -5e6 transactions). Evaluated instead, per distinct (x, T), by the
    cheapest exact method: a moment series where b dominates, else a sum of positive terms
    (a negative binomial expectation), else quadrature of the Beta integral where that sum
    would be too long."""
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    t = np.broadcast_to(np.asarray(t, dtype=float), np.broadcast(x, T, np.asarray(t)).shape)
    x, T = np.broadcast_to(x, t.shape), np.broadcast_to(T, t.shape)
    (dx, dT, dt), inverse = distinct_rows(x.ravel(), T.ravel(), t.ravel())
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    k = r + dx
    c = a + b + dx - 1
    w = dt / (alpha + dT)
    result = np.zeros(len(dx))
    positive = w > 0
    ratio = (k + _MOMENT_SERIES_TERMS) * (a + _MOMENT_SERIES_TERMS) * w / (c + 1)
    series = positive & (ratio <= _MOMENT_SERIES_MAX_RATIO)
    result[series] = _by_moment_series(k[series], w[series], a, c[series])
    # Enough terms to pass the mean by 12 standard deviations and the geometric tail
    # z^n (z = w/(1+w)) below 1e-17.
    needed = np.ceil(k * w + 12 * np.sqrt(k * w * (1 + w)) + 40 * (1 + w) + 20)
    # Summaries are summed in buckets of a power-of-two length (one array shape each).
    bucket = np.minimum(2 ** np.ceil(np.log2(np.maximum(needed, 2))),
                        2 * _NEGATIVE_BINOMIAL_MAX_TERMS)
    rest = positive & ~series
    for terms in np.unique(bucket[rest]):
        chosen = rest & (bucket == terms)
        if terms <= _NEGATIVE_BINOMIAL_MAX_TERMS:
            result[chosen] = _by_negative_binomial_mean(k[chosen], w[chosen], a,
                                                        b + dx[chosen], int(terms))
        else:
            result[chosen] = _by_beta_integral(k[chosen], w[chosen], a, b + dx[chosen])
    return result[inverse.ravel()].reshape(t.shape)


def expected_transactions(params: BgNbdParameters, t, x, t_x, T) -> np.ndarray:
    """Expected transactions in the next `t` time units (FHL 2005, equation 10)."""
    return (conditional_expected_transactions_if_alive(params, t, x, T)
            * probability_alive(params, x, t_x, T))

