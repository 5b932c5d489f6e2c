"""Predicted customer lifetime value: BG/NBD's expected transactions month by month, times
Gamma-Gamma's expected order value, discounted to today."""

from __future__ import annotations

import numpy as np

from customer_segments.clv.bgnbd import (
    BgNbdParameters,
    conditional_expected_transactions_if_alive,
    probability_alive,
)
from customer_segments.clv.gamma_gamma import GammaGammaParameters, expected_average_order_value


def predicted_lifetime_value(bgnbd: BgNbdParameters, spend: GammaGammaParameters, x, t_x, T, m,
                             horizon_months: int, monthly_discount_rate: float,
                             time_units_per_month: float) -> np.ndarray:
    """Discounted expected spend over the next `horizon_months` months: each month's
    expected transactions times the expected order value, discounted to today."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    value_per_transaction = expected_average_order_value(spend, x, m)
    months = np.arange(1, horizon_months + 1, dtype=float)
    alive = probability_alive(bgnbd, x, t_x, T)
    cumulative = np.array([
        conditional_expected_transactions_if_alive(bgnbd, month * time_units_per_month, x, T)
        * alive for month in months
    ]).reshape(len(months), -1)
    # Once a customer's expected purchases saturate (everyone dropped out), consecutive
    # months can differ by rounding alone (1e-12 relative): never count that as negative.
    each_month = np.diff(np.maximum.accumulate(cumulative, axis=0), axis=0, prepend=0.0)
    discount = (1 + monthly_discount_rate) ** -months
    return (each_month * discount[:, None]).sum(axis=0) * value_per_transaction
