"""dlmath.probability の数値の頑健さ: 対数尤度は密度の積の log ではなく対数密度の和として計算する。"""

import warnings

import numpy as np
import pytest
from scipy import stats

from dlmath.data import load_height_weight
from dlmath.preprocess import add_dummy
from dlmath.probability import gaussian_log_likelihood, normal_logpdf, normal_pdf


@pytest.mark.parametrize("residual", [0.0, 1.5, 37.0, 40.0, 1e3, 1e6])
def test_normal_logpdf_matches_scipy_even_where_the_density_underflows(residual):
    expected = stats.norm.logpdf(residual, loc=0.0, scale=1.0)
    assert normal_logpdf(residual, 0.0, 1.0) == pytest.approx(expected, rel=1e-12)
    assert normal_pdf(residual, 0.0, 1.0) == pytest.approx(np.exp(expected), rel=1e-12, abs=0)


def test_gaussian_log_likelihood_is_finite_for_residuals_beyond_38_sigma():
    data = load_height_weight()
    x, yt = add_dummy(data[:, :1]), data[:, 1]
    w = np.zeros(2)  # 予測 0 kg: 残差は 58.7〜75.7 で、σ = 1 の 38 倍を超える
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log 0 の RuntimeWarning も失敗にする
        value = gaussian_log_likelihood(x, yt, w, sigma=1.0)
    expected = np.sum(stats.norm.logpdf(yt, loc=0.0, scale=1.0))
    assert np.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-12)


def test_gaussian_log_likelihood_rejects_a_non_positive_sigma():
    x = add_dummy(np.array([[1.0], [2.0]]))
    with pytest.raises(ValueError, match="sigma は正の有限の数にしてください。"):
        gaussian_log_likelihood(x, np.array([1.0, 2.0]), np.zeros(2), sigma=0.0)
