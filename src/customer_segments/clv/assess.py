"""Whether a pair of fits (BG/NBD and Gamma-Gamma) can be trusted for predictions."""

from __future__ import annotations

import numpy as np

from customer_segments.clv.bgnbd import BgNbdParameters
from customer_segments.clv.fit import LOG_PARAMETER_BOUNDS
from customer_segments.clv.gamma_gamma import GammaGammaParameters


def assess_fit(bgnbd: BgNbdParameters, spend: GammaGammaParameters) -> str | None:
    """Why predictions from these fits cannot be trusted, in words; None when they can."""
    values = {"r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b,
              "p": spend.p, "q": spend.q, "gamma": spend.gamma}
    broken = [name for name, value in values.items() if not np.isfinite(value) or value <= 0]
    if broken or not (np.isfinite(bgnbd.log_likelihood) and np.isfinite(spend.log_likelihood)):
        return f"the fit returned non-finite values ({', '.join(broken) or 'log-likelihood'})."
    if not bgnbd.converged:
        return "the BG/NBD optimiser did not converge."
    if not spend.converged:
        return "the Gamma-Gamma optimiser did not converge."
    low, high = np.exp(LOG_PARAMETER_BOUNDS)
    at_bound = [name for name, value in values.items()
                if name != "b" and not (low * 1.0001 < value < high / 1.0001)]
    if at_bound:
        return (f"parameter {', '.join(at_bound)} reached the optimiser's bound "
                f"[{low:g}, {high:g}]: the likelihood has no interior optimum on this data.")
    if spend.q <= 1:
        return (f"Gamma-Gamma q = {spend.q:.3g} <= 1: the population's mean spend per "
                "transaction is infinite.")
    return None
