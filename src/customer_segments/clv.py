"""Predicted customer lifetime value: the BG/NBD and Gamma-Gamma models.

BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way") models when
customers buy (Poisson purchases at a gamma-distributed rate lambda ~ Gamma(r, alpha)) and
when they silently stop (after each purchase, dropout with probability p ~ Beta(a, b)).
Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013) models how
much they spend per transaction (spend ~ Gamma(p, nu), nu ~ Gamma(q, gamma)), independent
of when they buy.

Both are fitted by maximum likelihood on each customer's calibration summary: x repeat
transactions (distinct purchase days after the first), t_x the time of the last purchase
and T the time of the end of calibration, both measured from the first purchase, and m
the mean value of the repeat transactions. Parameters are optimised in log space (they
are all positive) with numerically stable special functions (gammaln, betaln, logaddexp,
hyp2f1). Fitting needs no heavy probabilistic-programming stack: four (or three)
parameters and a closed-form likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


class InsufficientDataError(ValueError):
    """Too few customers or repeat purchases to fit a model that means anything."""


@dataclass(frozen=True)
class BgNbdParameters:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool


@dataclass(frozen=True)
class GammaGammaParameters:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    converged: bool


# Below these, maximum likelihood estimates are dominated by noise.
MIN_CUSTOMERS = 20
MIN_REPEAT_CUSTOMERS = 10


def bgnbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, equation 6)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    common = (
        gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        + betaln(a, b + x) - betaln(a, b)
    )
    still_alive = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped_after_last = (
            np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
            - (r + x) * np.log(alpha + t_x)
        )
    return common + np.where(x > 0, np.logaddexp(still_alive, dropped_after_last), still_alive)


def _fit_log_space(negative_log_likelihood, starts: list[np.ndarray]):
    """Minimise over log-parameters with L-BFGS-B from each starting point, keep the best
    optimum, and polish it with a bounded Nelder-Mead. The likelihoods have flat ridges
    toward degenerate values (Gamma-Gamma's p -> inf, gamma -> 0) that a single start can
    wander along; L-BFGS-B needs ~100 evaluations where a tight simplex needs thousands."""
    best, converged = None, False
    for start in starts:
        result = minimize(negative_log_likelihood, np.log(start), method="L-BFGS-B")
        if best is None or result.fun < best.fun:
            best, converged = result, bool(result.success)
    polished = minimize(negative_log_likelihood, best.x, method="Nelder-Mead",
                        options={"xatol": 1e-8, "fatol": 1e-8, "maxfev": 2_000})
    if polished.fun <= best.fun:
        best, converged = polished, converged or bool(polished.success)
    return np.exp(best.x), -best.fun, converged


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

    def negative(log_params):
        value = -bgnbd_log_likelihood(np.exp(log_params), x, t_x, T).sum()
        return value if np.isfinite(value) else 1e300

    starts = [np.ones(4), np.array([0.5, max(float(np.mean(T)), 1.0), 0.8, 2.5])]
    (r, alpha, a, b), log_likelihood, converged = _fit_log_space(negative, starts)
    return BgNbdParameters(r, alpha, a, b, log_likelihood, converged)


def gamma_gamma_log_likelihood(params, x, m) -> np.ndarray:
    """Per-customer log-likelihood of the Gamma-Gamma spend model (x > 0, m > 0)."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    return (
        gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(gamma)
        + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(gamma + m * x)
    )


def fit_gamma_gamma(x, m) -> GammaGammaParameters:
    """Fit on repeat customers with a positive mean repeat value; others carry no spend signal."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    usable = (x > 0) & (m > 0)
    if usable.sum() < MIN_REPEAT_CUSTOMERS:
        raise InsufficientDataError(
            f"Gamma-Gamma needs at least {MIN_REPEAT_CUSTOMERS} repeat customers with a "
            f"positive mean repeat value; got {int(usable.sum())}."
        )
    x, m = x[usable], m[usable]

    def negative(log_params):
        value = -gamma_gamma_log_likelihood(np.exp(log_params), x, m).sum()
        return value if np.isfinite(value) else 1e300

    # A second start near typical values: within-customer spread p ~ 5, q ~ 3, and gamma
    # putting the population mean gamma * p / (q - 1) at the data's mean.
    starts = [np.ones(3), np.array([5.0, 3.0, 0.4 * float(np.mean(m))])]
    (p, q, gamma), log_likelihood, converged = _fit_log_space(negative, starts)
    return GammaGammaParameters(p, q, gamma, log_likelihood, converged)


def _dropout_odds(params: BgNbdParameters, x, t_x, T) -> np.ndarray:
    """delta(x>0) * a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x), computed in log space."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = (
            np.log(params.a) - np.log(np.where(x > 0, params.b + x - 1, 1.0))
            + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + t_x))
        )
    return np.where(x > 0, np.exp(np.minimum(log_odds, 700)), 0.0)


def probability_alive(params: BgNbdParameters, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T) (FHL 2005, equation 11)."""
    return 1.0 / (1.0 + _dropout_odds(params, x, t_x, T))


def expected_transactions(params: BgNbdParameters, t, x, t_x, T) -> np.ndarray:
    """Expected transactions in the next `t` time units (FHL 2005, equation 10)."""
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    growth = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * growth / (1.0 + _dropout_odds(params, x, t_x, T))


def expected_average_order_value(params: GammaGammaParameters, x, m) -> np.ndarray:
    """E[spend per transaction | x, m]: a weighted mean of the population mean and m."""
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float))
    p, q, gamma = params.p, params.q, params.gamma
    population_mean = gamma * p / (q - 1) if q > 1 else np.nan
    individual = (gamma + m * x) * p / (p * x + q - 1)
    return np.where(x > 0, individual, population_mean)


def predicted_lifetime_value(bgnbd: BgNbdParameters, spend: GammaGammaParameters, x, t_x, T, m,
                             horizon_months: int, monthly_discount_rate: float,
                             time_units_per_month: float) -> np.ndarray:
    """Discounted expected spend over the next `horizon_months` months: each month's
    expected transactions times the expected order value, discounted to today."""
    value_per_transaction = expected_average_order_value(spend, x, m)
    total = np.zeros(len(np.atleast_1d(x)))
    previous = np.zeros_like(total)
    for month in range(1, horizon_months + 1):
        cumulative = expected_transactions(bgnbd, month * time_units_per_month, x, t_x, T)
        total += (cumulative - previous) * value_per_transaction / (1 + monthly_discount_rate) ** month
        previous = cumulative
    return total
