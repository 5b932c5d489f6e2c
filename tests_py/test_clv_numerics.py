"""The CLV predictions are numerically sound for every parameter the optimiser can return
and every customer summary (property-based), exact against a 50-digit reference, and
agree with an independent implementation (the `lifetimes` package) on CDNOW."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from customer_segments import clv
from customer_segments.clv import bgnbd
from test_clv import cdnow_calibration_summary


def log_uniform(low: float, high: float):
    return st.floats(np.log(low), np.log(high)).map(np.exp)


# The optimiser's bounds are [1e-8, 1e14]; fits with r, alpha, a or a Gamma-Gamma
# parameter at a bound are refused by assess_fit, b at its upper bound is the NBD limit.
bgnbd_parameters = st.builds(
    lambda r, alpha, a, b: clv.BgNbdParameters(r, alpha, a, b, 0.0, True),
    log_uniform(1e-3, 1e3), log_uniform(1e-3, 1e4), log_uniform(1e-3, 1e3),
    st.one_of(log_uniform(1e-3, 1e14), st.just(1e14)))
spend_parameters = st.builds(
    lambda p, q, gamma: clv.GammaGammaParameters(p, q, gamma, 0.0, True),
    log_uniform(1e-2, 1e3), st.floats(1.01, 1e3), log_uniform(1e-2, 1e4))


@st.composite
def customer_summaries(draw, size=st.integers(1, 8)):
    """Consistent summaries in weeks: 0 <= t_x <= T, and at most one purchase day a day
    (x <= 7 t_x), T = 0 and x in the hundreds included."""
    rows = []
    for _ in range(draw(size)):
        T = draw(st.one_of(st.just(0.0), st.floats(0, 1000)))
        t_x = draw(st.floats(0, 1).map(lambda share, T=T: share * T))
        x = float(draw(st.integers(0, 500)))
        x = min(x, np.floor(7 * t_x))
        rows.append((x, t_x if x > 0 else 0.0, T))
    x, t_x, T = map(np.array, zip(*rows, strict=True))
    return x, t_x, T


horizons = st.lists(log_uniform(1e-3, 1000), min_size=2, max_size=5).map(sorted)


def reference_if_alive(params: clv.BgNbdParameters, t: float, x: float, T: float) -> float:
    """FHL's equation 10 without P(alive), c/(a-1) * (1 - (1-z)^k 2F1(k, b+x; c; z)), with
    the hypergeometric series summed term by term in 50-digit arithmetic, where the
    double-precision formula's cancellation does not reach."""
    mpmath.mp.dps = 50
    r, alpha, a, b = (mpmath.mpf(value) for value in (params.r, params.alpha, params.a, params.b))
    k, c = r + x, a + b + x - 1
    z = mpmath.mpf(t) / (alpha + T + t)
    term, total, n = mpmath.mpf(1), mpmath.mpf(1), 0
    while n < k * z / (1 - z) or abs(term) > abs(total) * mpmath.mpf(10) ** -45:
        term *= (k + n) * (b + x + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
    return float(c / (a - 1) * (1 - (1 - z) ** k * total))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bgnbd_parameters, customer_summaries(), horizons)
def test_expected_transactions_are_finite_non_negative_bounded_and_monotone(params, summary, ts):
    x, t_x, T = summary
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        expected = np.array([clv.expected_transactions(params, t, x, t_x, T) for t in ts])
        alive = clv.probability_alive(params, x, t_x, T)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert np.all((alive >= 0) & (alive <= 1))
    # Monotone up to rounding (saturated customers: 1e-12 relative).
    assert np.all(np.diff(expected, axis=0) >= -1e-10 * expected[1:])
    # Dropout only removes purchases: never more than the NBD model's (r+x) t / (alpha+T),
    # and at least the chance of one more purchase day if alive.
    for t, row in zip(ts, expected, strict=True):
        k, w = params.r + x, t / (params.alpha + T)
        assert np.all(row <= alive * k * w * (1 + 1e-10))
        assert np.all(row >= alive * -np.expm1(-k * np.log1p(w)) * (1 - 1e-10))


@settings(max_examples=200, deadline=None)
@given(log_uniform(1e-3, 1e3), log_uniform(1e-3, 1e4), log_uniform(1e-3, 1e3),
       log_uniform(1e-3, 1e4), customer_summaries(size=st.just(1)), log_uniform(1e-3, 1000))
def test_expected_transactions_match_a_50_digit_reference(r, alpha, a, b, summary, t):
    # Up to b = 1e4 (the next test takes larger b) and horizons up to 200 times alpha + T
    # (the series' length grows with it; the test after covers longer ones).
    params = clv.BgNbdParameters(r, alpha, a, b, 0.0, True)
    x, _, T = (float(value[0]) for value in summary)
    if abs(a - 1) < 1e-9 or t / (alpha + T) > 200:
        return  # the reference formula's removable singularity; too long a series
    ours = float(clv.conditional_expected_transactions_if_alive(params, t, x, T))
    assert ours == pytest.approx(reference_if_alive(params, t, x, T), rel=1e-8)


@settings(max_examples=200, deadline=None)
@given(log_uniform(1e-3, 1e3), log_uniform(1e-3, 1e4), log_uniform(1e-3, 1e3),
       log_uniform(1e10, 1e14), customer_summaries(size=st.just(1)), log_uniform(1e-3, 1000))
def test_expected_transactions_tend_to_the_nbd_model_as_dropout_vanishes(r, alpha, a, b,
                                                                          summary, t):
    params = clv.BgNbdParameters(r, alpha, a, b, 0.0, True)
    x, _, T = (float(value[0]) for value in summary)
    k, w = r + x, t / (alpha + T)
    # E[(1 - (1 + p w)^-k) / p] with p ~ Beta(a, b + x): k w (1 - (k+1) w E[p] / 2 + ...),
    # E[p] = a / (a + b + x).
    if (k + 1) * w * (a + 1) / b > 1e-9:
        return
    ours = float(clv.conditional_expected_transactions_if_alive(params, t, x, T))
    assert ours == pytest.approx(k * w, rel=1e-8)


@settings(max_examples=100, deadline=None)
@given(bgnbd_parameters, customer_summaries(size=st.just(1)), log_uniform(1e-3, 1000))
# Found by hypothesis: scipy's betaln is off by 2e-8 here; the quadrature must not be.
@example(clv.BgNbdParameters(1.0, 1.0, 20.085536923187668, 8886110.520507872, 0.0, True),
         (np.array([0.0]), np.array([0.0]), np.array([0.0])), 1.0)
def test_quadrature_and_negative_binomial_sum_agree(params, summary, t):
    """Long horizons are integrated by quadrature: where both methods can run, they agree."""
    x, _, T = (float(value[0]) for value in summary)
    k = np.array([params.r + x])
    w = np.array([t / (params.alpha + T)])
    if k[0] * w[0] > 5_000 or w[0] > 500:
        return  # the sum would be too long for a test
    needed = int(2 ** np.ceil(np.log2(k[0] * w[0] + 12 * np.sqrt(k[0] * w[0] * (1 + w[0]))
                                      + 40 * (1 + w[0]) + 20)))
    beta = np.array([params.b + x])
    summed = bgnbd._by_negative_binomial_mean(k, w, params.a, beta, needed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        integrated = bgnbd._by_beta_integral(k, w, params.a, beta)
    assert integrated[0] == pytest.approx(summed[0], rel=1e-8)


@settings(max_examples=150, deadline=None)
@given(bgnbd_parameters, spend_parameters, customer_summaries(),
       st.lists(st.floats(0, 500), min_size=8, max_size=8), st.integers(1, 24),
       st.floats(0, 0.1))
def test_predicted_clv_is_finite_non_negative_and_grows_with_the_horizon(
        params, spend, summary, values, months, discount):
    x, t_x, T = summary
    m = np.where(x > 0, np.array(values[:len(x)]), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        value = clv.expected_average_order_value(spend, x, m)
        shorter, longer = (clv.predicted_lifetime_value(params, spend, x, t_x, T, m, horizon,
                                                        discount, 365.25 / 12 / 7)
                           for horizon in (months, months + 1))
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert np.all(np.isfinite(longer)) and np.all(shorter >= 0)
    assert np.all(longer >= shorter * (1 - 1e-12))


def test_the_young_shop_fit_of_the_issue_gives_the_nbd_limit():
    # BG/NBD as fitted on a month of CDNOW-like data: no dropout observed yet (b = 6.3e11).
    # The double-precision hypergeometric formula gave -5,058,137 for x = 4.
    params = clv.BgNbdParameters(r=0.51694, alpha=8.84975, a=3.43954, b=6.26989e11,
                                 log_likelihood=0.0, converged=True)
    x = np.array([0.0, 1, 2, 4, 7, 300])
    expected = clv.expected_transactions(params, 90 / 7, x, np.where(x > 0, 27 / 7, 0), 29 / 7)
    nbd = (params.r + x) * (90 / 7) / (params.alpha + 29 / 7)
    assert expected == pytest.approx(nbd, rel=1e-6)
    assert expected[[1, 2]].round(2).tolist() == [1.50, 2.49]


@pytest.fixture(scope="module")
def cdnow_fit():
    summary = cdnow_calibration_summary()
    x = summary["repeat_transactions"].to_numpy(dtype=float)
    t_x = summary["time_to_last_purchase"].to_numpy(dtype=float)
    T = summary["observation_time"].to_numpy(dtype=float)
    return clv.fit_bgnbd(x, t_x, T), x, t_x, T


def test_cdnow_predictions_match_lifetimes_for_every_customer(cdnow_fit):
    import pandas as pd
    from lifetimes import BetaGeoFitter

    params, x, t_x, T = cdnow_fit
    reference = BetaGeoFitter()
    reference.params_ = pd.Series({"r": params.r, "alpha": params.alpha, "a": params.a,
                                   "b": params.b})
    expected = reference.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)
    alive = reference.conditional_probability_alive(x, t_x, T)
    assert len(x) == 2357
    np.testing.assert_allclose(clv.expected_transactions(params, 39, x, t_x, T), expected,
                               rtol=1e-6)
    np.testing.assert_allclose(clv.probability_alive(params, x, t_x, T), alive, rtol=1e-6)


def test_cdnow_fit_reaches_the_same_optimum_as_lifetimes(cdnow_fit):
    from lifetimes import BetaGeoFitter

    params, x, t_x, T = cdnow_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = BetaGeoFitter().fit(x, t_x, T)
    ours = np.array([params.r, params.alpha, params.a, params.b])
    theirs = reference.params_[["r", "alpha", "a", "b"]].to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    # At least as good an optimum, to 1e-6 of the log-likelihood.
    their_log_likelihood = clv.bgnbd_log_likelihood(theirs, x, t_x, T).sum()
    assert params.log_likelihood >= their_log_likelihood - 1e-6


@settings(max_examples=50, deadline=None)
@given(log_uniform(0.05, 5), log_uniform(0.5, 50), log_uniform(0.1, 10), log_uniform(0.1, 10),
       customer_summaries(size=st.just(4)))
def test_analytic_gradients_match_finite_differences(r, alpha, a, b, summary):
    x, t_x, T = summary
    params = np.array([r, alpha, a, b])
    analytic = clv.bgnbd_log_likelihood_gradient(params, x, t_x, T).sum(axis=1)
    for index in range(4):
        step = np.zeros(4)
        step[index] = 1e-6 * params[index]
        numeric = (clv.bgnbd_log_likelihood(params + step, x, t_x, T).sum()
                   - clv.bgnbd_log_likelihood(params - step, x, t_x, T).sum()) / (2 * step[index])
        assert analytic[index] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(log_uniform(0.5, 20), log_uniform(0.5, 20), log_uniform(0.5, 50),
       st.lists(st.tuples(st.integers(1, 30), st.floats(1, 300)), min_size=3, max_size=6))
def test_gamma_gamma_gradients_match_finite_differences(p, q, gamma, customers):
    x, m = (np.array(column, dtype=float) for column in zip(*customers, strict=True))
    params = np.array([p, q, gamma])
    analytic = clv.gamma_gamma_log_likelihood_gradient(params, x, m).sum(axis=1)
    for index in range(3):
        step = np.zeros(3)
        step[index] = 1e-6 * params[index]
        numeric = (clv.gamma_gamma_log_likelihood(params + step, x, m).sum()
                   - clv.gamma_gamma_log_likelihood(params - step, x, m).sum()) / (2 * step[index])
        assert analytic[index] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([0.5, 1.0, 2.5, 1e9]),
                          st.floats(0, 10, allow_nan=False)), min_size=1, max_size=60))
def test_distinct_rows_is_numpys_unique_by_row(rows):
    columns = [np.array(column, dtype=float) for column in zip(*rows, strict=True)]
    expected, expected_inverse = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    distinct, inverse = bgnbd.distinct_rows(*columns)
    assert np.array_equal(np.column_stack(distinct), expected)
    assert np.array_equal(inverse, expected_inverse.ravel())
