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
are all positive) with analytic gradients, on the distinct summaries weighted by how many
customers share them.

Predictions are evaluated without the Gauss hypergeometric function's cancellation (see
`conditional_expected_transactions_if_alive`), so they stay finite, non-negative and
monotone in the horizon for every parameter the optimiser can return, the b -> infinity
limit (no dropout observed yet: the NBD model) included.

Modules:
- `bgnbd`: the BG/NBD likelihood, fit, P(alive) and expected transactions;
- `gamma_gamma`: the Gamma-Gamma likelihood, fit and expected order value;
- `fit`: what both fits share (minimum data, parameter bounds, the log-space optimiser);
- `assess`: whether a pair of fits can be trusted;
- `lifetime_value`: the discounted predicted lifetime value from both.

The public names of all of them are importable from `customer_segments.clv` itself.
"""

from customer_segments.clv.assess import assess_fit
from customer_segments.clv.bgnbd import (
    BgNbdParameters,
    bgnbd_log_likelihood,
    bgnbd_log_likelihood_gradient,
    conditional_expected_transactions_if_alive,
    expected_transactions,
    fit_bgnbd,
    probability_alive,
)
from customer_segments.clv.fit import (
    LOG_PARAMETER_BOUNDS,
    MIN_CUSTOMERS,
    MIN_REPEAT_CUSTOMERS,
    InsufficientDataError,
)
from customer_segments.clv.gamma_gamma import (
    GammaGammaParameters,
    expected_average_order_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    gamma_gamma_log_likelihood_gradient,
)
from customer_segments.clv.lifetime_value import predicted_lifetime_value

__all__ = [
    "LOG_PARAMETER_BOUNDS",
    "MIN_CUSTOMERS",
    "MIN_REPEAT_CUSTOMERS",
    "BgNbdParameters",
    "GammaGammaParameters",
    "InsufficientDataError",
    "assess_fit",
    "bgnbd_log_likelihood",
    "bgnbd_log_likelihood_gradient",
    "conditional_expected_transactions_if_alive",
    "expected_average_order_value",
    "expected_transactions",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_log_likelihood_gradient",
    "predicted_lifetime_value",
    "probability_alive",
]
