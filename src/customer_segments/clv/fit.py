"""Shared maximum-likelihood machinery of the CLV models: the minimum data a fit needs,
the parameter bounds, and a weighted L-BFGS-B search in log space.

Both models are fitted on each customer's calibration summary. Parameters are optimised
in log space (they are all positive) with analytic gradients, on the distinct summaries
weighted by how many customers share them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize


class InsufficientDataError(ValueError):
    """Too few customers or repeat purchases to fit a model that means anything."""


# Below these, maximum likelihood estimates are dominated by noise.
MIN_CUSTOMERS = 20
MIN_REPEAT_CUSTOMERS = 10

# Every parameter is searched in [1e-8, 1e14]. b at its upper bound is a real answer (no
# dropout observed yet: BG/NBD tends to the NBD model); any other parameter there means
# the likelihood has no interior optimum, and `assess_fit` says so.
LOG_PARAMETER_BOUNDS = (np.log(1e-8), np.log(1e14))


def distinct_with_weights(*columns):
    """The distinct rows of the given columns and how many customers share each."""
    stacked = np.column_stack(columns)
    distinct, counts = np.unique(stacked, axis=0, return_counts=True)
    return [distinct[:, i] for i in range(distinct.shape[1])], counts.astype(float)


def fit_log_space(log_likelihood, gradient, weights, starts):
    """Maximise the weighted log-likelihood over log-parameters by L-BFGS-B with analytic
    gradients, from each starting point; keep the best optimum. The likelihoods have flat
    ridges toward degenerate values (b -> inf, Gamma-Gamma's p -> inf) that one start can
    wander along."""
    total = weights.sum()

    def negative(log_params):
        params = np.exp(log_params)
        with np.errstate(all="ignore"):
            value = -(weights * log_likelihood(params)).sum() / total
            grad = -(gradient(params) @ weights) * params / total
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return 1e300, np.zeros_like(log_params)
        return value, grad

    best = None
    bounds = [LOG_PARAMETER_BOUNDS] * len(starts[0])
    for start in starts:
        result = minimize(negative, np.clip(np.log(start), *LOG_PARAMETER_BOUNDS), jac=True,
                          method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": 2_000, "ftol": 1e-15, "gtol": 1e-9})
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None, "at least one starting point"
    # L-BFGS-B can stop on a line search that makes no more progress at the optimum; the
    # gradient at the answer says whether it is one.
    gradient_norm = float(np.max(np.abs(best.jac))) if best.jac is not None else np.inf
    at_bound = ((best.x <= LOG_PARAMETER_BOUNDS[0] + 1e-6)
                | (best.x >= LOG_PARAMETER_BOUNDS[1] - 1e-6))
    converged = bool(best.success or gradient_norm < 1e-5
                     or np.all(np.abs(best.jac)[~at_bound] < 1e-5))
    return np.exp(best.x), -best.fun * total, converged and np.isfinite(best.fun)

