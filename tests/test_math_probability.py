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


def coin_log_likelihood(p, M1, M):
    return M1 * np.log(p) + (M - M1) * np.log(1 - p)  # 式 eq-math-coin-loglik(M1 は表の回数)


def coin_log_likelihood_derivative(p, M1, M):
    return (M1 - M * p) / (p * (1 - p))  # 式 eq-math-coin-loglik-derivative


# 2 個のサイコロ: 36 通りの目の組がどれも確率 1/36(節 sec-math-prob-two-variables)
DICE_PAIRS = [(y1, y2) for y1 in range(1, 7) for y2 in range(1, 7)]


def dice_prob(event):
    return sum(Fraction(1, 36) for y1, y2 in DICE_PAIRS if event(y1, y2))


def dice_expect(g):
    return sum(g(y1, y2) * Fraction(1, 36) for y1, y2 in DICE_PAIRS)


def dice_var(g):
    mean = dice_expect(g)
    return dice_expect(lambda y1, y2: (g(y1, y2) - mean) ** 2)


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


def test_float_sum_of_six_sixths_is_one_up_to_rounding():
    # 本文: np.full(6, 1/6).sum() は 1 と表示されず、ずれは丸め誤差の大きさ(式 eq-math-pmf-sum は分数なら厳密)
    total = np.full(6, 1 / 6).sum()
    assert total != 1.0 and abs(total - 1.0) < 4 * np.finfo(np.float64).eps
    assert sum(Fraction(1, 6) for _ in range(6)) == 1


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


# --- 2 つ以上の確率変数: 条件付き確率・独立・線形性・和の分散 -------------------------------------

def test_dice_conditional_probability_and_independence():
    A = lambda y1, y2: y1 + y2 >= 10  # noqa: E731  合計が 10 以上
    B = lambda y1, y2: y1 == 6        # noqa: E731  1 個目が 6
    C = lambda y1, y2: y2 % 2 == 0    # noqa: E731  2 個目が偶数
    p_AB = dice_prob(lambda y1, y2: A(y1, y2) and B(y1, y2))
    assert (dice_prob(A), dice_prob(B), p_AB) == (Fraction(1, 6), Fraction(1, 6), Fraction(1, 12))
    assert p_AB / dice_prob(B) == Fraction(1, 2)                               # 式 eq-math-conditional
    assert p_AB != dice_prob(A) * dice_prob(B)                                 # A と B は独立でない
    p_CB = dice_prob(lambda y1, y2: C(y1, y2) and B(y1, y2))
    assert p_CB == dice_prob(C) * dice_prob(B)                                 # 式 eq-math-independence
    assert p_CB / dice_prob(B) == dice_prob(C)                                 # P(C | B) = P(C)
    # 2 個のサイコロの目は独立(式 eq-math-independent-variables)
    for a in range(1, 7):
        for b in range(1, 7):
            joint = dice_prob(lambda y1, y2: y1 == a and y2 == b)
            assert joint == dice_prob(lambda y1, y2: y1 == a) * dice_prob(lambda y1, y2: y2 == b)


def test_page_dice_simulation_of_the_conditional_probability():
    rng = np.random.default_rng(4)
    roll1, roll2 = rng.integers(1, 7, size=100_000), rng.integers(1, 7, size=100_000)
    total = roll1 + roll2
    assert np.mean(total >= 10) == pytest.approx(1 / 6, abs=0.005)
    assert np.mean(total[roll1 == 6] >= 10) == pytest.approx(1 / 2, abs=0.01)


def test_dice_linearity_product_and_variance_of_a_sum():
    E1, E2 = dice_expect(lambda y1, y2: y1), dice_expect(lambda y1, y2: y2)
    ES = dice_expect(lambda y1, y2: y1 + y2)
    # 式 eq-math-expectation-linearity: 独立でない Y1 と S = Y1 + Y2 でも成り立つ
    assert dice_expect(lambda y1, y2: 2 * y1 - 3 * (y1 + y2)) == 2 * E1 - 3 * ES == -14
    # 式 eq-math-independent-product: 独立な 2 個では成り立ち、独立でない組では成り立たない
    assert dice_expect(lambda y1, y2: y1 * y2) == E1 * E2 == Fraction(49, 4)
    assert dice_expect(lambda y1, y2: y1 * y1) == Fraction(91, 6) != E1 * E1
    assert dice_expect(lambda y1, y2: y1 * (y1 + y2)) == Fraction(329, 12) != E1 * ES
    V1, V2 = dice_var(lambda y1, y2: y1), dice_var(lambda y1, y2: y2)
    assert V1 == V2 == Fraction(35, 12)
    assert dice_var(lambda y1, y2: y1 + y2) == V1 + V2 == Fraction(35, 6)      # 式 eq-math-variance-sum
    assert dice_var(lambda y1, y2: 3 * y1) == 9 * V1                           # 式 eq-math-variance-scale
    assert dice_var(lambda y1, y2: y1 + 5) == V1                               # V[Y + c] = V[Y]
    assert dice_var(lambda y1, y2: y1 + y1) == 4 * V1 != 2 * V1                # 同じサイコロでは 4 倍


joint_tables = st.integers(0, 2**32 - 1).map(lambda seed: np.random.default_rng(seed))


@settings(max_examples=50, deadline=None)
@given(joint_tables, st.floats(-3, 3), st.floats(-3, 3))
def test_linearity_holds_for_any_joint_distribution_and_the_rest_for_independent_ones(rng, a, b):
    v1, v2 = rng.normal(size=4), rng.normal(size=3)          # Y1, Y2 のとる値
    joint = rng.dirichlet(np.ones(12)).reshape(4, 3)           # 独立とは限らない同時確率 P(Y1 = v1[i], Y2 = v2[j])
    Y1, Y2 = np.meshgrid(v1, v2, indexing="ij")
    E = lambda values, table: np.sum(values * table)  # noqa: E731
    p1, p2 = joint.sum(axis=1), joint.sum(axis=0)              # 内側の和: P(Y1 = v1[i]) と P(Y2 = v2[j])
    # 式 eq-math-expectation-linearity(独立を使わない)
    assert E(a * Y1 + b * Y2, joint) == pytest.approx(a * (v1 @ p1) + b * (v2 @ p2), abs=1e-12)
    # 独立な同時確率(周辺の積、式 eq-math-independent-variables)では、積の期待値・和の分散・共分散 0
    indep = np.outer(p1, p2)
    mu1, mu2 = v1 @ p1, v2 @ p2
    var1, var2 = (v1 - mu1) ** 2 @ p1, (v2 - mu2) ** 2 @ p2
    assert E(Y1 * Y2, indep) == pytest.approx(mu1 * mu2, abs=1e-12)           # 式 eq-math-independent-product
    S = Y1 + Y2
    assert E((S - E(S, indep)) ** 2, indep) == pytest.approx(var1 + var2, abs=1e-12)  # 式 eq-math-variance-sum
    assert E((a * Y1 - a * mu1) ** 2, indep) == pytest.approx(a**2 * var1, abs=1e-12)  # 式 eq-math-variance-scale
    # どんな同時確率でも V[Y1 + Y2] = V[Y1] + V[Y2] + 2 × 共分散
    cov = E((Y1 - mu1) * (Y2 - mu2), joint)
    assert E((S - mu1 - mu2) ** 2, joint) == pytest.approx(var1 + var2 + 2 * cov, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(joint_tables)
def test_product_rule_holds_for_independent_groups_of_variables(rng):
    # 節 sec-math-prob-product: (Y1, Y2) と (Y3, Y4) が互いに独立なら E[g(Y1, Y2) h(Y3, Y4)] = E[g] E[h]。
    # 組の中(Y1 と Y2、Y3 と Y4)は独立でなくてよい(第 7 章の入力の組と重みの組)
    v1, v2, v3, v4 = (rng.normal(size=k) for k in (3, 2, 2, 3))
    joint12 = rng.dirichlet(np.ones(6)).reshape(3, 2)          # (Y1, Y2) の同時確率(独立とは限らない)
    joint34 = rng.dirichlet(np.ones(6)).reshape(2, 3)          # (Y3, Y4) の同時確率
    joint = np.einsum("ab,cd->abcd", joint12, joint34)         # 2 つの組は独立
    Y1, Y2, Y3, Y4 = np.meshgrid(v1, v2, v3, v4, indexing="ij")
    g, h = Y1 * Y2 + Y1**2, np.sin(Y3) * Y4                     # 組の中の変数を混ぜた関数
    Eg = np.sum((v1[:, None] * v2[None, :] + v1[:, None] ** 2) * joint12)
    Eh = np.sum(np.sin(v3[:, None]) * v4[None, :] * joint34)
    assert np.sum(g * h * joint) == pytest.approx(Eg * Eh, abs=1e-12)
    # 第 7 章の形: 平均 0 の重み (V1, V2) が入力 (Z1, Z2) と独立なら、積 Z1 V1 と Z2 V2 は無相関
    v3 = v3 - v3 @ joint34.sum(axis=1)                           # Y3 の平均を 0 にする
    v4 = v4 - v4 @ joint34.sum(axis=0)
    Y1, Y2, Y3, Y4 = np.meshgrid(v1, v2, v3, v4, indexing="ij")
    assert np.sum(Y1 * Y3 * joint) == pytest.approx(0.0, abs=1e-12)
    assert np.sum((Y1 * Y3) * (Y2 * Y4) * joint) == pytest.approx(
        np.sum(Y1 * Y2 * joint) * np.sum(Y3 * Y4 * joint), abs=1e-12)


def test_page_normal_simulation_of_the_sum_rules():
    rng = np.random.default_rng(5)
    g1, g2 = rng.normal(0.0, 1.0, size=100_000), rng.normal(0.0, 2.0, size=100_000)
    assert (g1 + g2).var() == pytest.approx(5.0, rel=0.02)
    assert (3 * g1).var() == pytest.approx(9.0, rel=0.02)
    assert np.mean(g1 * g2) == pytest.approx(0.0, abs=0.02)


def test_variance_of_the_mean_is_sigma2_over_n():
    # 式 eq-math-variance-of-mean: n 回の平均の分散は sigma^2 / n(独立な試行を何組も作って確かめる)
    rng = np.random.default_rng(6)
    for n in (10, 100, 1000):
        means = rng.integers(1, 7, size=(4000, n)).mean(axis=1)
        assert means.var() == pytest.approx(35 / 12 / n, rel=0.1)
    # 本文の数値: 100,000 回の平均のずれ(seed 0)は sigma/sqrt(n) の程度
    rolls = np.random.default_rng(0).integers(1, 7, size=100_000)
    assert abs(rolls.mean() - 3.5) < 2 * np.sqrt(35 / 12 / 100_000)


def test_page_running_mean_figure_and_the_one_and_two_sigma_fractions():
    # 図 fig-math-prob-running-mean(seed 0 の rolls)と、その前の 2000 組のシミュレーション(seed 7)
    rolls = np.random.default_rng(0).integers(1, 7, size=100_000)
    n = np.arange(1, rolls.size + 1)
    running_mean = np.cumsum(rolls) / n
    scaled_gap = (running_mean - 3.5) / np.sqrt(35 / 12 / n)
    outside = np.abs(scaled_gap) > 2
    assert 1 - outside.mean() > 0.98                               # 「ほとんどの n で破線の内側」
    assert 400 <= n[outside].min() and n[outside].max() <= 4000    # 外に出るのは数百回から数千回のあたり
    assert np.max(np.abs(scaled_gap)) < 3.5                        # 右の図の縦軸の範囲に収まる
    assert np.mean(np.abs(scaled_gap) > 1) > 0.02                  # ±1 の外にも出る
    assert 1 <= running_mean.min() and running_mean.max() <= 6     # 左の図の縦軸 0.5..6.5 で切れない
    assert running_mean[0] == 6                                    # 線は 6 から始まる(図の説明)
    set_means = np.random.default_rng(7).integers(1, 7, size=(2000, 1000)).mean(axis=1)
    gap = np.abs(set_means - 3.5) / np.sqrt(35 / 12 / 1000)
    assert 0.6 < np.mean(gap <= 1) < 0.78                          # σ/√n を超えることは珍しくない
    assert 0.92 < np.mean(gap <= 2) < 0.98                         # 2σ/√n を超えるのは 20 組に 1 組ほど
    assert round(2000 / np.sum(gap > 2)) == 19                     # 本文の「およそ19組に1組」


def test_uncorrelated_but_not_independent():
    # 演習 ex-math-prob-uncorrelated: Y は -1, 0, 1 を 1/3 ずつ、Q = Y^2
    P3 = Fraction(1, 3)
    E = lambda g: sum(g(v) * P3 for v in (-1, 0, 1))  # noqa: E731
    V = lambda g: E(lambda v: (g(v) - E(g)) ** 2)       # noqa: E731
    assert E(lambda v: v * v**2) == E(lambda v: v) * E(lambda v: v**2) == 0
    assert E(lambda v: (v == 0) * (v**2 == 0)) == P3 != P3 * P3               # 独立ではない
    assert V(lambda v: v + v**2) == V(lambda v: v) + V(lambda v: v**2) == Fraction(8, 9)


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
    M1 = round(fraction * M)
    numeric = numerical_derivative(lambda q: coin_log_likelihood(q, M1, M), p)
    analytic = coin_log_likelihood_derivative(p, M1, M)
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    # 通分する前の形 M1/p - (M - M1)/(1 - p) とも一致する
    assert analytic == pytest.approx(M1 / p - (M - M1) / (1 - p), rel=1e-12, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 200), st.floats(0.0, 1.0))
def test_coin_mle_is_M1_over_M_where_the_derivative_vanishes_and_the_maximum(M, fraction):
    M1 = min(max(round(fraction * M), 1), M - 1)  # 0 < M1 < M(端の場合は別のテスト)
    p_hat = M1 / M                                  # 式 eq-math-coin-mle
    f = lambda q: coin_log_likelihood(q, M1, M)  # noqa: E731
    assert numerical_derivative(f, p_hat) == pytest.approx(0.0, abs=1e-4 * M)
    assert numerical_derivative(f, p_hat * 0.9) > 0 and numerical_derivative(f, p_hat + 0.1 * (1 - p_hat)) < 0
    grid = np.linspace(1e-4, 1 - 1e-4, 9999)
    assert np.all(f(grid) <= f(p_hat) + 1e-12)
    assert grid[np.argmax(f(grid))] == pytest.approx(p_hat, abs=1e-4)


def test_page_coin_example_numbers():
    y = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    M, M1 = len(y), int(y.sum())
    f = lambda q: coin_log_likelihood(q, M1, M)  # noqa: E731
    p = 0.5
    for _ in range(100):  # 本文と同じ勾配上昇法
        p = p + 0.01 * numerical_derivative(f, p)
    assert p == pytest.approx(M1 / M, abs=1e-8)
    assert np.exp(f(0.7)) > np.exp(f(0.5))
    assert np.exp(f(0.5)) == pytest.approx(0.5**10)


def test_numerical_derivative_at_p_hat_is_off_by_the_central_difference_truncation_error():
    # 本文: p_hat での数値微分の値が 0 でないのは、中心差分の打ち切り誤差の先頭の項(3 回微分 × h^2 / 6)による
    M, M1, h = 10, 7, 1e-5
    p_hat = M1 / M
    numeric = numerical_derivative(lambda q: coin_log_likelihood(q, M1, M), p_hat, h=h)
    third = 2 * M1 / p_hat**3 - 2 * (M - M1) / (1 - p_hat) ** 3
    second = lambda q: -M1 / q**2 - (M - M1) / (1 - q) ** 2  # noqa: E731
    assert third == pytest.approx(numerical_derivative(second, p_hat, h=1e-4), rel=1e-6)  # 3 回微分の式
    assert numeric == pytest.approx(third / 6 * h**2, rel=0.05)
    # 丸め誤差の目安 eps |f| / h より 1 桁以上大きい
    assert abs(numeric) > 10 * np.finfo(np.float64).eps * abs(coin_log_likelihood(p_hat, M1, M)) / h


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
    M, M1 = len(y), int(y.sum())
    x = np.ones((M, 1))
    w0 = np.array([np.log(0.7 / 0.3)])
    assert logistic.predict(x, w0)[0] == pytest.approx(0.7)
    assert logistic.loss(x, y, w0) == pytest.approx(-coin_log_likelihood(0.7, M1, M) / M, rel=1e-12)
    w0 = np.zeros(1)
    for _ in range(2000):  # 演習 ex-math-prob-logistic-intercept
        w0 = w0 - 0.5 * logistic.gradient(x, y, w0)
    assert logistic.predict(x, w0)[0] == pytest.approx(M1 / M, abs=1e-8)


def test_all_heads_intercept_keeps_growing_under_gradient_descent():
    # 演習 ex-math-prob-all-heads: 全部が表なら勾配はいつも負で、w0 は止まらずに大きくなり続ける
    x, y = np.ones((5, 1)), np.ones(5)
    w0, history = np.zeros(1), []
    for step in range(1, 20_001):
        grad = logistic.gradient(x, y, w0)
        assert grad[0] < 0
        w0 = w0 - 0.5 * grad
        if step in (100, 1_000, 10_000, 20_000):
            history.append(w0[0])
    assert np.all(np.diff(history) > 0)


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


def test_noise_variance_has_no_maximum_when_all_errors_are_zero():
    # 演習 ex-math-prob-sigma-mle の但し書き: S = 0 なら導関数 (S - M s) / (2 s^2) はいつも負で、s -> 0 で発散する
    x = add_dummy(np.array([[-1.0], [0.0], [1.0]]))
    w = np.array([0.5, 2.0])
    yt = x @ w
    values = [gaussian_log_likelihood(x, yt, w, np.sqrt(s)) for s in (1.0, 1e-2, 1e-4, 1e-8)]
    assert np.all(np.diff(values) > 0)


def test_page_raw_data_densities_underflow_but_the_log_likelihood_is_finite():
    # 本文: センタリングしない体重を w = 0、sigma = 1 で評価すると密度はすべて 0 だが、対数密度の和は有限
    data = load_height_weight()
    x_raw, yt_raw = add_dummy(data[:, 0:1]), data[:, 1]
    assert np.all(normal_pdf(yt_raw, 0.0, 1.0) == 0.0) and yt_raw.min() > 38
    value = gaussian_log_likelihood(x_raw, yt_raw, np.zeros(2), 1.0)
    assert value == pytest.approx(np.sum(stats.norm.logpdf(yt_raw)), rel=1e-12)


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
    # 第 7・8 章が引用する、2 つ以上の確率変数の節
    "sec-math-prob-two-variables", "sec-math-prob-conditional", "sec-math-prob-independence",
    "sec-math-prob-linearity", "sec-math-prob-product", "sec-math-prob-variance-sum",
]
EQUATIONS = [
    "eq-math-die", "eq-math-pmf-sum", "eq-math-density-area", "eq-math-expectation", "eq-math-variance",
    "eq-math-bernoulli", "eq-math-bernoulli-mean", "eq-math-bernoulli-var", "eq-math-normal",
    "eq-math-coin-likelihood", "eq-math-coin-loglik", "eq-math-coin-loglik-derivative", "eq-math-coin-mle",
    "eq-math-bernoulli-likelihood", "eq-math-bernoulli-loglik", "eq-math-binary-cross-entropy",
    "eq-math-categorical", "eq-math-multiclass-cross-entropy", "eq-math-gaussian-noise",
    "eq-math-gaussian-likelihood", "eq-math-gaussian-loglik", "eq-math-gaussian-loglik-loss",
    "eq-math-conditional", "eq-math-independence", "eq-math-independent-variables", "eq-math-expectation-linearity",
    "eq-math-independent-product", "eq-math-variance-scale", "eq-math-variance-sum", "eq-math-variance-of-mean",
]
FIGURES = [
    "fig-math-prob-distributions", "fig-math-prob-normal", "fig-math-prob-coin-likelihood",
    "fig-math-prob-gaussian-noise", "fig-math-prob-running-mean",
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
        assert re.search(r"割合は0\.1660と0\.5004で", text)
        assert re.search(r"打ち切り誤差の先頭の項-3\.023e-09とほぼ同じ", text)
        assert re.search(r"本当の積はおよそ10の-528乗", text)
        # 正確に 0 の差は「0」と表示する(0.0e+00 ではなく)
        assert "どちらも0.610864で、差は0です" in text
        assert "2つの計算の差は0で" in text
        assert "の割合は0.991です" in text                          # 図 fig-math-prob-running-mean の破線の内側
        assert re.search(r"以内だった組の割合は0\.694で", text)
        assert "1,000回振ることを2,000組" in text
        assert "超えたのは104組、およそ19組に1組です" in text

    def test_section_order_puts_independence_before_the_likelihood(self, soup):
        html = str(soup)
        position = {label: html.index(f'id="{label}"') for label in STUB_LABELS}
        assert position["sec-math-prob-independence"] < position["sec-math-likelihood"]
        assert position["sec-math-bernoulli-normal"] < position["sec-math-prob-two-variables"]

    def test_forward_references_to_numbered_chapters_render_their_numbers(self, soup):
        text = soup.get_text()
        for chapter in ("第3章", "第4章", "第5章", "第7章"):
            assert chapter in text, chapter

    def test_exercises_have_collapsed_solutions(self, soup):
        check_exercises(soup, "ex-math-prob-", 7, code_solutions=4)


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
        (lambda: bernoulli_pmf(2, 0.5), r"y は 0 か 1 にしてください。受け取った値には \[2\.0\] があります。"),
        (lambda: bernoulli_pmf(1, 1.5), r"p は 0 以上 1 以下の確率にしてください。受け取った値には \[1\.5\] があります。"),
        (lambda: normal_pdf(0.0, 0.0, 0.0), "sigma は正の有限の数にしてください。受け取ったのは 0.0 です。"),
        (lambda: normal_pdf(np.nan, 0.0, 1.0), "y に NaN か inf が 1 個あります。"),
        (lambda: gaussian_log_likelihood(np.ones((3, 2)), np.ones(4), np.ones(2), 1.0), r"x と yt の行の数\(サンプルの件数 M\)"),
        (lambda: gaussian_log_likelihood(np.arange(6.0).reshape(3, 2), np.ones(3), np.ones(3), 1.0), "ダミー変数の列がないようです。"),
    ],
)
def test_probability_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
