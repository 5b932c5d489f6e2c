"""Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013): how much
customers spend per transaction (spend ~ Gamma(p, nu), nu ~ Gamma(q, gamma)),
independent of when they buy. Fitted on x repeat transactions and m, the mean value of
the repeat transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from customer_segments.clv.fit import (
    MIN_REPEAT_CUSTOMERS,
    InsufficientDataError,
    distinct_with_weights,
    fit_log_space,
)


@dataclass(frozen=True)
class GammaGammaParameters:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    converged: bool


# ---------------------------------------------------------------------------------------
# Likelihood and its gradient (per customer, in the natural parameters)


def gamma_gamma_log_likelihood(params, x, m) -> np.ndarray:
    """Per-customer log-likelihood of the Gamma-Gamma spend model (x > 0, m > 0)."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    return (
        gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(gamma)
        + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(gamma + m * x)
    )


def gamma_gamma_log_likelihood_gradient(params, x, m) -> np.ndarray:
    """d(log-likelihood)/d(p, q, gamma), per customer: shape (3, customers)."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    log_spend_share = np.log(m * x) - np.log(gamma + m * x)
    return np.stack([
        x * (digamma(p * x + q) - digamma(p * x) + log_spend_share),
        digamma(p * x + q) - digamma(q) + np.log(gamma) - np.log(gamma + m * x),
        q / gamma - (p * x + q) / (gamma + m * x),
    ])



# ---------------------------------------------------------------------------------------
# Fitting


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
    (dx, dm), weights = distinct_with_weights(x[usable], m[usable])
    # A second start near typical values: within-customer spread p ~ 5, q ~ 3, and gamma
    # putting the population mean gamma * p / (q - 1) at the data's mean.
    starts = [np.ones(3), np.array([5.0, 3.0, 0.4 * float(np.mean(m[usable]))])]
    (p, q, gamma), log_likelihood, converged = fit_log_space(
        lambda params: gamma_gamma_log_likelihood(params, dx, dm),
        lambda params: gamma_gamma_log_likelihood_gradient(params, dx, dm),
        weights, starts)
    return GammaGammaParameters(p, q, gamma, log_likelihood, converged)



# ---------------------------------------------------------------------------------------
# Predictions


def expected_average_order_value(params: GammaGammaParameters, x, m) -> np.ndarray:
    """E[spend per transaction | x, m]: a weighted mean of the population mean and m. A
    mean repeat value below zero (refunds) counts as zero spend."""
    x = np.asarray(x, dtype=float)
    m = np.maximum(np.nan_to_num(np.asarray(m, dtype=float)), 0.0)
    p, q, gamma = params.p, params.q, params.gamma
    population_mean = gamma * p / (q - 1) if q > 1 else np.nan
    individual = (gamma + m * x) * p / (p * x + q - 1)
    return np.where(x > 0, individual, population_mean)

