"""「確率と統計」(book/math-probability.md)の式を数値で確かめる。

ページの式を定義どおりに書いた短い参照実装を使い、期待値・分散は正確な和や数値積分と、
最尤推定の答えは数値微分(dlmath.numdiff.numerical_derivative)や数値最適化と、
交差エントロピーは dlmath.logistic / dlmath.multiclass の損失関数と比べます。
式が間違っていれば、これらのテストが失敗します。
"""

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats

from conftest import built_page, check_equation, check_exercises, check_figure, dangling_equation_references
from dlmath import linear, logistic, multiclass
from dlmath.data import load_height_weight
from dlmath.numdiff import numerical_derivative
from dlmath.preprocess import add_dummy, center, one_hot
from dlmath.probability import bernoulli_pmf, gaussian_log_likelihood, normal_pdf

PAGE = "book/math-probability"
probabilities = st.floats(0.0, 1.0)
inner_probabilities = st.floats(0.02, 0.98)


def coin_log_likelihood(p, k, M):
    return k * np.log(p) + (M - k) * np.log(1 - p)  # 式 eq-math-coin-loglik


def coin_log_likelihood_derivative(p, k, M):
    return (k - M * p) / (p * (1 - p))  # 式 eq-math-coin-loglik-derivative


def talk_data():
    centered, _ = center(load_height_weight())
    return add_dummy(centered[:, 0:1]), centered[:, 1]


def maximize_gaussian_log_likelihood(x, yt, sigma):
    """対数尤度を scipy で最大化する(最小二乗法とは独立な数値最適化、対数密度は scipy.stats のもの)。"""
    result = optimize.minimize(
        lambda w: -np.sum(stats.norm.logpdf(yt, loc=x @ w, scale=sigma)), np.zeros(x.shape[1]), method="BFGS",
        options={"gtol": 1e-10},
    )
    return result.x


# --- 確率分布・期待値・分散 -------------------------------------------------------------

def test_die_mean_and_variance_are_exact_and_match_the_seeded_simulation():
    # 式 eq-math-expectation, eq-math-variance にサイコロの確率 eq-math-die を入れる
    P = Fraction(1, 6)
    mean = sum(y * P for y in range(1, 7))
    var = sum((y - mean) ** 2 * P for y in range(1, 7))
    assert (mean, var) == (Fraction(7, 2), Fraction(35, 12))
    assert sum(P for _ in range(6)) == 1  # 式 eq-math-pmf-sum
    rolls = np.random.default_rng(0).integers(1, 7, size=100_000)
    assert rolls.min() == 1 and rolls.max() == 6
    assert rolls.mean() == pytest.approx(3.5, abs=0.02)
    assert rolls.var() == pytest.approx(35 / 12, abs=0.03)


@settings(max_examples=50, deadline=None)
@given(probabilities)
def test_bernoulli_formula_mean_and_variance(p):
    ys = np.array([0, 1])
    probs = bernoulli_pmf(ys, p)
    np.testing.assert_allclose(probs, [1 - p, p], atol=1e-15)   # y = 0, 1 を代入した値
    assert probs.sum() == pytest.approx(1.0)
    mean = np.sum(ys * probs)
    var = np.sum((ys - mean) ** 2 * probs)
    assert mean == pytest.approx(p, abs=1e-15)                   # 式 eq-math-bernoulli-mean
    assert var == pytest.approx(p * (1 - p), abs=1e-15)          # 式 eq-math-bernoulli-var
    # 演習 ex-math-prob-variance-shortcut: V = E[Y^2] - E[Y]^2
    assert np.sum(ys**2 * probs) - mean**2 == pytest.approx(var, abs=1e-15)


def test_bernoulli_simulation_matches_mean_and_variance():
    p = 0.3
    tosses = (np.random.default_rng(1).random(100_000) < p).astype(int)
    assert tosses.mean() == pytest.approx(p, abs=0.01)
    assert tosses.var() == pytest.approx(p * (1 - p), abs=0.01)


def test_triangle_density_area_probability_mean_and_variance():
    def density(y):
        return 2 * y  # 0 <= y <= 1 の範囲での p(y)

    assert integrate.quad(density, 0, 1)[0] == pytest.approx(1.0)
    assert integrate.quad(density, 0.5, 1)[0] == pytest.approx(0.75)        # 台形の面積(式 eq-math-density-area)
    mean = integrate.quad(lambda y: y * density(y), 0, 1)[0]
    var = integrate.quad(lambda y: (y - mean) ** 2 * density(y), 0, 1)[0]
    assert (mean, var) == (pytest.approx(2 / 3), pytest.approx(1 / 18))    # 演習 ex-math-prob-triangle
    samples = np.random.default_rng(3).triangular(0, 1, 1, size=100_000)
    assert (samples.mean(), samples.var()) == (pytest.approx(2 / 3, abs=0.005), pytest.approx(1 / 18, abs=0.002))


@settings(max_examples=50, deadline=None)
@given(st.floats(-5, 5), st.floats(0.2, 5))
def test_normal_density_has_area_one_mean_mu_and_variance_sigma2(mu, sigma):
    a, b = mu - 12 * sigma, mu + 12 * sigma
    area = integrate.quad(normal_pdf, a, b, args=(mu, sigma), points=[mu])[0]
    mean = integrate.quad(lambda y: y * normal_pdf(y, mu, sigma), a, b, points=[mu])[0]
    var = integrate.quad(lambda y: (y - mu) ** 2 * normal_pdf(y, mu, sigma), a, b, points=[mu])[0]
    assert area == pytest.approx(1.0, rel=1e-9)
    assert mean == pytest.approx(mu, abs=1e-8 * (1 + abs(mu)))
    assert var == pytest.approx(sigma**2, rel=1e-8)
    # μ ± σ に入る確率は μ, σ によらず erf(1/√2) ≈ 0.683(本文の「およそ7割」)
    within = integrate.quad(normal_pdf, mu - sigma, mu + sigma, args=(mu, sigma))[0]
    assert within == pytest.approx(special.erf(1 / np.sqrt(2)), rel=1e-9)


def test_normal_density_peaks_at_mu_and_is_symmetric():
    y = np.linspace(-3, 7, 1001)
    density = normal_pdf(y, 2.0, 0.5)
    assert y[np.argmax(density)] == pytest.approx(2.0)
    np.testing.assert_allclose(normal_pdf(2.0 + y, 2.0, 0.5), normal_pdf(2.0 - y, 2.0, 0.5))
    assert normal_pdf(2.0, 2.0, 0.3) > 1  # σ が小さいと密度は 1 を超える(図 fig-math-prob-normal の説明)


# --- 尤度と最尤推定 -------------------------------------------------------------------

coin_data = st.lists(st.integers(0, 1), min_size=1, max_size=40).map(np.array)


@settings(max_examples=50, deadline=None)
@given(coin_data, inner_probabilities)
def test_coin_likelihood_is_the_product_of_bernoulli_probabilities(y, p):
    M, k = len(y), int(y.sum())
    product = np.prod(bernoulli_pmf(y, p))
    assert product == pytest.approx(p**k * (1 - p) ** (M - k), rel=1e-12)           # 式 eq-math-coin-likelihood
    assert np.log(product) == pytest.approx(coin_log_likelihood(p, k, M), rel=1e-12)  # 式 eq-math-coin-loglik


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 60), st.floats(0.0, 1.0), st.floats(0.05, 0.95))
def test_coin_log_likelihood_derivative_matches_numerical_derivative(M, fraction, p):
    k = round(fraction * M)
    numeric = numerical_derivative(lambda q: coin_log_likelihood(q, k, M), p)
    analytic = coin_log_likelihood_derivative(p, k, M)
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    # 通分する前の形 k/p - (M - k)/(1 - p) とも一致する
    assert analytic == pytest.approx(k / p - (M - k) / (1 - p), rel=1e-12, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 200), st.floats(0.0, 1.0))
def test_coin_mle_is_k_over_M_where_the_derivative_vanishes_and_the_maximum(M, fraction):
    k = min(max(round(fraction * M), 1), M - 1)  # 0 < k < M(端の場合は別のテスト)
    p_hat = k / M                                  # 式 eq-math-coin-mle
    f = lambda q: coin_log_likelihood(q, k, M)  # noqa: E731
    assert numerical_derivative(f, p_hat) == pytest.approx(0.0, abs=1e-4 * M)
    assert numerical_derivative(f, p_hat * 0.9) > 0 and numerical_derivative(f, p_hat + 0.1 * (1 - p_hat)) < 0
    grid = np.linspace(1e-4, 1 - 1e-4, 9999)
    assert np.all(f(grid) <= f(p_hat) + 1e-12)
    assert grid[np.argmax(f(grid))] == pytest.approx(p_hat, abs=1e-4)


def test_page_coin_example_numbers():
    y = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    M, k = len(y), int(y.sum())
    f = lambda q: coin_log_likelihood(q, k, M)  # noqa: E731
    p = 0.5
    for _ in range(100):  # 本文と同じ勾配上昇法
        p = p + 0.01 * numerical_derivative(f, p)
    assert p == pytest.approx(k / M, abs=1e-8)
    assert np.exp(f(0.7)) > np.exp(f(0.5))
    assert np.exp(f(0.5)) == pytest.approx(0.5**10)


def test_all_heads_likelihood_is_largest_at_the_end_p_equals_one():
    # 演習 ex-math-prob-all-heads: k = M なら L(p) = p^M は増加し続け、p = 1 で最大
    p = np.linspace(0, 1, 101)
    likelihood = p**5
    assert np.all(np.diff(likelihood) > 0) and p[np.argmax(likelihood)] == 1.0


# --- 対数尤度と交差エントロピー ---------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), inner_probabilities), min_size=1, max_size=30))
def test_negative_mean_bernoulli_log_likelihood_is_logistic_cross_entropy(pairs):
    yt = np.array([t for t, _ in pairs], dtype=float)
    yp = np.array([q for _, q in pairs])
    M = len(yt)
    log_likelihood = np.log(np.prod(bernoulli_pmf(yt, yp)))                       # 式 eq-math-bernoulli-likelihood
    formula = np.sum(yt * np.log(yp) + (1 - yt) * np.log(1 - yp))                 # 式 eq-math-bernoulli-loglik
    assert formula == pytest.approx(log_likelihood, rel=1e-10, abs=1e-12)
    # f(x @ w) = yp となる x, w: 2 列目を log(yp / (1 - yp))、w = (0, 1) とする
    x = add_dummy(np.log(yp / (1 - yp)).reshape(-1, 1))
    w = np.array([0.0, 1.0])
    np.testing.assert_allclose(logistic.predict(x, w), yp, rtol=1e-12)
    assert logistic.loss(x, yt, w) == pytest.approx(-log_likelihood / M, rel=1e-10)  # 式 eq-math-binary-cross-entropy


def test_coin_is_logistic_regression_with_only_the_intercept():
    y = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    M, k = len(y), int(y.sum())
    x = np.ones((M, 1))
    w0 = np.array([np.log(0.7 / 0.3)])
    assert logistic.predict(x, w0)[0] == pytest.approx(0.7)
    assert logistic.loss(x, y, w0) == pytest.approx(-coin_log_likelihood(0.7, k, M) / M, rel=1e-12)
    w0 = np.zeros(1)
    for _ in range(2000):  # 演習 ex-math-prob-logistic-intercept
        w0 = w0 - 0.5 * logistic.gradient(x, y, w0)
    assert logistic.predict(x, w0)[0] == pytest.approx(k / M, abs=1e-8)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 8), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_negative_mean_categorical_log_likelihood_is_multiclass_cross_entropy(M, N, seed):
    rng = np.random.default_rng(seed)
    yp = rng.dirichlet(np.ones(N), size=M) * 0.98 + 0.02 / N  # 各行の和が 1、どの成分も 0 でない
    yt = one_hot(rng.integers(0, N, size=M), N)
    probability = np.prod(yp**yt, axis=1)                       # 式 eq-math-categorical
    np.testing.assert_allclose(probability, yp[yt == 1], rtol=1e-12)  # 正解のクラスの確率だけが残る
    formula = -np.mean(np.sum(yt * np.log(yp), axis=1))         # 式 eq-math-multiclass-cross-entropy
    assert formula == pytest.approx(-np.log(np.prod(probability)) / M, rel=1e-10)
    # softmax(x @ W) = yp となる x, W: x の後ろの列を log yp、W = (0 の行; 単位行列)
    x = add_dummy(np.log(yp))
    W = np.vstack([np.zeros(N), np.eye(N)])
    np.testing.assert_allclose(multiclass.predict(x, W), yp, rtol=1e-12)
    assert multiclass.loss(x, yt, W) == pytest.approx(formula, rel=1e-10)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 1), inner_probabilities)
def test_categorical_with_two_classes_is_bernoulli(y, p):
    yp = np.array([1 - p, p])            # y_{p,0} = 1 - p, y_{p,1} = p
    yt = np.array([1 - y, y])
    assert np.prod(yp**yt) == pytest.approx(bernoulli_pmf(y, p), rel=1e-12)


# --- 2 乗誤差と最尤推定 ---------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.integers(2, 20), st.integers(1, 3), st.floats(0.3, 5), st.integers(0, 2**32 - 1))
def test_gaussian_log_likelihood_is_a_constant_minus_loss(M, D_inputs, sigma, seed):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D_inputs)))
    yt, w = rng.normal(size=M), rng.normal(size=D_inputs + 1)
    # 式 eq-math-gaussian-loglik
    squared = np.sum((x @ w - yt) ** 2)
    expected = -M / 2 * np.log(2 * np.pi * sigma**2) - squared / (2 * sigma**2)
    assert gaussian_log_likelihood(x, yt, w, sigma) == pytest.approx(expected, rel=1e-10)
    # 式 eq-math-gaussian-loglik-loss: L は dlmath.linear.loss(式 eq-linreg-loss)
    with_loss = -M / 2 * np.log(2 * np.pi * sigma**2) - M / sigma**2 * linear.loss(x, yt, w)
    assert gaussian_log_likelihood(x, yt, w, sigma) == pytest.approx(with_loss, rel=1e-10)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaussian_mle_equals_least_squares_on_random_data(seed, sigma):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(30, 2)))
    yt = x @ np.array([0.5, -1.0, 2.0]) + rng.normal(scale=0.7, size=30)
    w_ls = np.linalg.lstsq(x, yt, rcond=None)[0]
    np.testing.assert_allclose(maximize_gaussian_log_likelihood(x, yt, sigma), w_ls, atol=1e-6)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 5.0])
def test_gaussian_mle_equals_least_squares_on_the_talk_data(sigma):
    x, yt = talk_data()
    w_ls = np.linalg.lstsq(x, yt, rcond=None)[0]
    np.testing.assert_allclose(maximize_gaussian_log_likelihood(x, yt, sigma), w_ls, atol=1e-6)
    assert w_ls[1] == pytest.approx(1.820690, abs=1e-6)


def test_page_gradient_ascent_on_the_talk_data_reaches_least_squares():
    from dlmath.numdiff import numerical_gradient

    x, yt = talk_data()
    w = np.array([2.0, -1.0])
    for _ in range(1000):
        w = w + 0.01 * numerical_gradient(lambda v: gaussian_log_likelihood(x, yt, v, 1.0), w)
    np.testing.assert_allclose(w, np.linalg.lstsq(x, yt, rcond=None)[0], atol=1e-7)


def test_noise_variance_mle_is_twice_the_loss():
    # 演習 ex-math-prob-sigma-mle: s_hat = (1/M) Σ (yp - yt)^2 = 2 L(w)
    x, yt = talk_data()
    w_ls = np.linalg.lstsq(x, yt, rcond=None)[0]
    result = optimize.minimize_scalar(
        lambda s: -gaussian_log_likelihood(x, yt, w_ls, np.sqrt(s)), bounds=(0.1, 50), method="bounded",
        options={"xatol": 1e-10},
    )
    assert result.x == pytest.approx(2 * linear.loss(x, yt, w_ls), rel=1e-6)
    # 導関数 (S - M s) / (2 s^2) が数値微分と一致する
    S, M = np.sum((x @ w_ls - yt) ** 2), len(yt)
    f = lambda s: -M / 2 * np.log(2 * np.pi) - M / 2 * np.log(s) - S / (2 * s)  # noqa: E731
    for s in (1.0, 4.0, 9.0):
        assert numerical_derivative(f, s) == pytest.approx((S - M * s) / (2 * s**2), rel=1e-6)
        assert f(s) == pytest.approx(gaussian_log_likelihood(x, yt, w_ls, np.sqrt(s)), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 15), st.floats(0.2, 5), st.integers(0, 2**32 - 1))
def test_laplace_log_likelihood_is_a_constant_minus_absolute_errors(M, b, seed):
    # 演習 ex-math-prob-laplace
    rng = np.random.default_rng(seed)
    yp, yt = rng.normal(size=M), rng.normal(size=M)
    density = np.exp(-np.abs(yt - yp) / b) / (2 * b)
    expected = -M * np.log(2 * b) - np.sum(np.abs(yp - yt)) / b
    assert np.sum(np.log(density)) == pytest.approx(expected, rel=1e-10)


# --- ビルド済みのページ -----------------------------------------------------------------

@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


STUB_LABELS = [
    "sec-math-probability", "sec-math-random-variable", "sec-math-expectation", "sec-math-bernoulli-normal",
    "sec-math-likelihood", "sec-math-log-likelihood", "sec-math-gaussian-mle",
]
EQUATIONS = [
    "eq-math-die", "eq-math-pmf-sum", "eq-math-density-area", "eq-math-expectation", "eq-math-variance",
    "eq-math-bernoulli", "eq-math-bernoulli-mean", "eq-math-bernoulli-var", "eq-math-normal",
    "eq-math-coin-likelihood", "eq-math-coin-loglik", "eq-math-coin-loglik-derivative", "eq-math-coin-mle",
    "eq-math-bernoulli-likelihood", "eq-math-bernoulli-loglik", "eq-math-binary-cross-entropy",
    "eq-math-categorical", "eq-math-multiclass-cross-entropy", "eq-math-gaussian-noise",
    "eq-math-gaussian-likelihood", "eq-math-gaussian-loglik", "eq-math-gaussian-loglik-loss",
]
FIGURES = [
    "fig-math-prob-distributions", "fig-math-prob-normal", "fig-math-prob-coin-likelihood",
    "fig-math-prob-gaussian-noise",
]


class TestBuiltPage:
    def test_section_labels_are_kept(self, soup):
        for label in STUB_LABELS:
            assert soup.find(id=label) is not None, f"{label} missing"

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label)

    def test_equation_references_resolve(self, soup):
        assert not dangling_equation_references(soup)
        assert soup.select_one('a[href$="linear-regression.html#equation-eq-linreg-loss"]') is not None

    def test_links_forward_to_the_classification_chapters(self, soup):
        hrefs = [a["href"] for a in soup.select("article a[href]")]
        assert any(h.endswith("logistic-regression.html#sec-logistic") for h in hrefs), "no link to sec-logistic"
        assert any(h.endswith("logistic-regression.html#equation-eq-logistic-loss") for h in hrefs), "no eq-logistic-loss"
        assert any(h.endswith("multiclass-classification.html#sec-multiclass") for h in hrefs), "no link to sec-multiclass"

    @pytest.mark.parametrize("name", FIGURES)
    def test_figures_have_image_alt_and_caption(self, site, soup, name):
        check_figure(site, soup, name)

    def test_prose_numbers_are_filled_from_the_code(self, soup):
        text = soup.get_text()
        assert "{glue" not in text
        assert "期待値は3.5、分散は2.9167" in text
        assert "0.001刻みの探し方では0.700" in text
        assert re.search(r"最小二乗法の傾きは1\.820690", text)

    def test_exercises_have_collapsed_solutions(self, soup):
        check_exercises(soup, "ex-math-prob-", 5)


# --- dlmath.probability: 独立な参照(scipy.stats)との一致と入力検査 ------------------------------


@settings(max_examples=50, deadline=None)
@given(st.floats(-5, 5), st.floats(-3, 3), st.floats(0.1, 4))
def test_normal_pdf_matches_scipy(y, mu, sigma):
    assert normal_pdf(y, mu, sigma) == pytest.approx(stats.norm.pdf(y, loc=mu, scale=sigma), rel=1e-12, abs=1e-300)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([0, 1]), probabilities)
def test_bernoulli_pmf_matches_scipy(y, p):
    assert bernoulli_pmf(y, p) == pytest.approx(stats.bernoulli.pmf(y, p), rel=1e-12, abs=1e-300)


def test_gaussian_log_likelihood_matches_scipy_logpdf():
    x, yt = talk_data()
    w = np.array([0.5, 1.5])
    expected = np.sum(stats.norm.logpdf(yt, loc=x @ w, scale=2.0))
    assert gaussian_log_likelihood(x, yt, w, 2.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bernoulli_pmf(2, 0.5), "y must be 0 or 1"),
        (lambda: bernoulli_pmf(1, 1.5), r"p must be a probability in \[0, 1\]"),
        (lambda: normal_pdf(0.0, 0.0, 0.0), "sigma must be positive"),
        (lambda: normal_pdf(np.nan, 0.0, 1.0), "y contains 1 NaN"),
        (lambda: gaussian_log_likelihood(np.ones((3, 2)), np.ones(4), np.ones(2), 1.0), "same number of samples"),
        (lambda: gaussian_log_likelihood(np.ones((3, 2)), np.ones(3), np.ones(3), 1.0), "dummy column"),
    ],
)
def test_probability_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
