"""「確率と統計」(book/math-probability.md)の式を数値で確かめる。

ページの式を定義どおりに書いた短い参照実装を使い、期待値・分散は正確な和や数値積分と、
最尤推定の答えは数値微分(dlmath.numdiff.numerical_derivative)や数値最適化と、
交差エントロピーは dlmath.logistic / dlmath.multiclass の損失関数と比べます。
式が間違っていれば、これらのテストが失敗します。
"""

import re
from fractions import Fraction
from itertools import combinations, product

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
from dlmath.data import load_digits, load_iris
from dlmath.network import forward, init_weights, minibatches
from dlmath.probability import (
    bayes_posterior, bernoulli_pmf, conditional_rows, gaussian_log_likelihood, marginals, minibatch_variance,
    normal_pdf,
)

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


# --- 同時分布・周辺分布・条件付き確率 ------------------------------------------------------

def dice_joint_y1_sum():
    """1 個目の目 Y1(行 1..6)と合計 S(列 2..12)の同時分布を分数で(節 sec-math-prob-joint-table)。"""
    return [[dice_prob(lambda y1, y2, a=a, s=s: y1 == a and y1 + y2 == s) for s in range(2, 13)] for a in range(1, 7)]


def test_dice_joint_table_marginals_and_conditionals_are_exact():
    exact = dice_joint_y1_sum()
    assert sum(map(sum, exact)) == 1
    for a in range(6):                      # 本文: P(Y1 = a, S = s) = 1/36 なら 1 <= s - a <= 6
        for j, s in enumerate(range(2, 13)):
            assert exact[a][j] == (Fraction(1, 36) if 1 <= s - (a + 1) <= 6 else 0)
    joint = np.array(exact, dtype=float)
    p1, p_s = marginals(joint)                                                  # 式 eq-math-marginal
    np.testing.assert_allclose(p1, [1 / 6] * 6, rtol=1e-15)
    np.testing.assert_allclose(p_s * 36, [1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], rtol=1e-14)
    assert [sum(col) for col in zip(*exact)] == [Fraction(k, 36) for k in (1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1)]
    assert not np.allclose(np.outer(p1, p_s), joint)                            # Y1 と S は独立でない
    s_given_6 = conditional_rows(joint)[5]                                      # 式 eq-math-conditional-distribution
    np.testing.assert_allclose(s_given_6, [0] * 5 + [1 / 6] * 6, atol=1e-15)
    y1_given_10 = conditional_rows(joint.T)[10 - 2]
    np.testing.assert_allclose(y1_given_10, [0, 0, 0, 1 / 3, 1 / 3, 1 / 3], atol=1e-15)
    # 同じ値を条件付き確率の定義(式 eq-math-conditional)で分数のまま
    p_s10 = dice_prob(lambda y1, y2: y1 + y2 == 10)
    assert [dice_prob(lambda y1, y2, a=a: y1 == a and y1 + y2 == 10) / p_s10 for a in range(1, 7)] == [
        0, 0, 0, Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]


@settings(max_examples=50, deadline=None)
@given(joint_tables, st.integers(1, 5), st.integers(1, 5))
def test_marginals_and_conditionals_of_any_joint_table(rng, K1, K2):
    joint = rng.dirichlet(np.ones(K1 * K2)).reshape(K1, K2)
    p1, p2 = marginals(joint)
    np.testing.assert_allclose(p1, [sum(joint[i, j] for j in range(K2)) for i in range(K1)], rtol=1e-12)
    np.testing.assert_allclose(p2, [sum(joint[i, j] for i in range(K1)) for j in range(K2)], rtol=1e-12)
    assert p1.sum() == pytest.approx(1) and p2.sum() == pytest.approx(1)
    cond = conditional_rows(joint)
    np.testing.assert_allclose(cond.sum(axis=1), 1.0, rtol=1e-12)               # 各行は確率分布
    np.testing.assert_allclose(p1[:, None] * cond, joint, rtol=1e-12)            # 同時 = 周辺 × 条件付き
    # 独立な表(周辺の積)では、どの行の条件付き確率も Y2 の周辺分布
    np.testing.assert_allclose(conditional_rows(np.outer(p1, p2)), np.tile(p2, (K1, 1)), rtol=1e-10)


# --- ベイズの定理 -------------------------------------------------------------------------

def test_bayes_theorem_on_the_dice_events_and_the_die_posterior():
    A = lambda y1, y2: y1 + y2 >= 10  # noqa: E731
    B = lambda y1, y2: y1 == 6        # noqa: E731
    p_AB = dice_prob(lambda y1, y2: A(y1, y2) and B(y1, y2))
    assert p_AB / dice_prob(A) == Fraction(1, 2)                                 # P(B | A) を数えて
    assert (p_AB / dice_prob(B)) * dice_prob(B) / dice_prob(A) == p_AB / dice_prob(A)  # 式 eq-math-bayes
    # 合計がちょうど 10 なら、向きを入れ替えると値が違う: P(S=10 | Y1=6) = 1/6、P(Y1=6 | S=10) = 1/3
    S10 = lambda y1, y2: y1 + y2 == 10  # noqa: E731
    p_both = dice_prob(lambda y1, y2: S10(y1, y2) and B(y1, y2))
    assert (p_both / dice_prob(B), p_both / dice_prob(S10)) == (Fraction(1, 6), Fraction(1, 3))
    assert p_both / dice_prob(B) * dice_prob(B) / dice_prob(S10) == p_both / dice_prob(S10)  # 式 eq-math-bayes
    posterior = bayes_posterior(np.full(6, 1 / 6), np.array([0, 0, 0, 1, 1, 1]) / 6)
    np.testing.assert_allclose(posterior, [0, 0, 0, 1 / 3, 1 / 3, 1 / 3], atol=1e-15)


def test_screening_test_posterior_is_2_over_13_and_matches_the_seeded_simulation():
    prevalence, sensitivity, false_positive = Fraction(1, 100), Fraction(9, 10), Fraction(1, 20)
    p_positive = sensitivity * prevalence + false_positive * (1 - prevalence)   # 式 eq-math-total-probability
    assert p_positive == Fraction(117, 2000)
    assert sensitivity * prevalence / p_positive == Fraction(2, 13)
    assert bayes_posterior([0.01, 0.99], [0.9, 0.05])[0] == pytest.approx(2 / 13, rel=1e-14)
    rng = np.random.default_rng(8)
    n_people = 1_000_000
    sick = rng.random(n_people) < 0.01
    positive = rng.random(n_people) < np.where(sick, 0.9, 0.05)
    # 陽性は約 58,500 人。割合の標準偏差は sqrt(q (1 - q) / 58500) ≈ 0.0015 なので、4 倍の 0.006 で比べる
    assert sick[positive].mean() == pytest.approx(2 / 13, abs=0.006)
    assert int(10_000 * prevalence * sensitivity) == 90 and int(10_000 * (1 - prevalence) * false_positive) == 495


@settings(max_examples=50, deadline=None)
@given(joint_tables, st.integers(1, 6))
def test_bayes_posterior_equals_the_column_conditional_of_the_joint_table(rng, N):
    prior = rng.dirichlet(np.ones(N))
    likelihood = rng.uniform(0.01, 1.0, size=N)
    # 行 A_k、列 (B, B でない) の同時分布の表から、列 B で条件を付ける(ベイズの定理を使わない参照)
    joint = np.column_stack([prior * likelihood, prior * (1 - likelihood)])
    np.testing.assert_allclose(bayes_posterior(prior, likelihood), conditional_rows(joint.T)[0], rtol=1e-12)
    # 事後確率の和は 1、事前確率が一様なら尤度に比例
    assert bayes_posterior(prior, likelihood).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(bayes_posterior(np.full(N, 1 / N), likelihood), likelihood / likelihood.sum(),
                               rtol=1e-12)


def test_second_positive_test_gives_36_over_47_both_ways():
    # 演習 ex-math-prob-bayes-second-test
    first = bayes_posterior([0.01, 0.99], [0.9, 0.05])
    assert first[0] == pytest.approx(2 / 13)
    second = bayes_posterior(first, [0.9, 0.05])
    both = bayes_posterior([0.01, 0.99], [0.81, 0.0025])
    exact = Fraction(81, 100) * Fraction(1, 100) / (Fraction(81, 100) * Fraction(1, 100)
                                                    + Fraction(1, 400) * Fraction(99, 100))
    assert exact == Fraction(36, 47)
    assert second[0] == pytest.approx(36 / 47, rel=1e-14) and both[0] == pytest.approx(36 / 47, rel=1e-14)


# --- 積の分散と積の和の分散 ----------------------------------------------------------------

def test_product_variance_on_two_dice_is_exact():
    V1 = dice_var(lambda y1, y2: y1)
    E_sq = dice_expect(lambda y1, y2: y1**2)
    half7 = Fraction(7, 2)
    assert E_sq == Fraction(91, 6) == V1 + half7**2
    # 式 eq-math-product-variance-zero-mean: 平均 0 の Y2 - 7/2 との積
    assert dice_var(lambda y1, y2: y1 * (y2 - half7)) == V1 * E_sq == Fraction(3185, 72)
    assert dice_var(lambda y1, y2: y1 * (y2 - half7)) != V1 * V1
    # 式 eq-math-product-variance
    assert dice_var(lambda y1, y2: y1 * y2) == V1 * V1 + V1 * half7**2 + half7**2 * V1 == Fraction(11515, 144)


@settings(max_examples=50, deadline=None)
@given(joint_tables)
def test_product_variance_formula_for_any_independent_pair(rng):
    v1, v2 = rng.normal(size=4), rng.normal(size=3)
    p1, p2 = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(3))
    joint = np.outer(p1, p2)                                                     # 独立
    Y1, Y2 = np.meshgrid(v1, v2, indexing="ij")
    mu1, mu2 = v1 @ p1, v2 @ p2
    var1, var2 = (v1 - mu1) ** 2 @ p1, (v2 - mu2) ** 2 @ p2
    prod_mean = np.sum(Y1 * Y2 * joint)
    prod_var = np.sum((Y1 * Y2 - prod_mean) ** 2 * joint)
    assert prod_var == pytest.approx(var1 * var2 + var1 * mu2**2 + mu1**2 * var2, rel=1e-9, abs=1e-12)
    v2c = v2 - mu2                                                               # 平均を 0 にする
    Y2c = np.meshgrid(v1, v2c, indexing="ij")[1]
    assert np.sum((Y1 * Y2c) ** 2 * joint) - np.sum(Y1 * Y2c * joint) ** 2 == pytest.approx(
        var2 * (v1**2 @ p1), rel=1e-9, abs=1e-12)                                # 式 eq-math-product-variance-zero-mean


def test_page_relu_times_normal_simulation():
    rng = np.random.default_rng(9)
    z = np.maximum(0.0, rng.normal(0.0, 1.0, size=100_000))
    g2 = rng.normal(0.0, 0.5, size=100_000)
    # Z G2 の 4 次のモーメントの比は 18 なので、分散の推定の相対誤差は約 sqrt(17 / 1e5) ≈ 1.3%。その 4 倍で比べる
    assert np.var(z * g2) == pytest.approx(0.25 * 0.5, rel=0.05)
    assert np.mean(z**2) == pytest.approx(0.5, rel=0.02)
    assert 0.25 * np.var(z) == pytest.approx(0.25 * (0.5 - 1 / (2 * np.pi)), rel=0.03)  # 誤った式の値(約 0.085)


def test_sum_of_products_variance_is_exact_with_dependent_inputs():
    # 本文: z = (Y1, Y1, S)、重みは ±2 を 1/2 ずつの独立な 3 つ(288 通り)
    total, total_sq = Fraction(0), Fraction(0)
    for (y1, y2), v in product(DICE_PAIRS, product([-2, 2], repeat=3)):
        a = y1 * v[0] + y1 * v[1] + (y1 + y2) * v[2]
        total += a * Fraction(1, 288)
        total_sq += a * a * Fraction(1, 288)
    assert total == 0
    sum_E_z2 = 2 * dice_expect(lambda y1, y2: y1**2) + dice_expect(lambda y1, y2: (y1 + y2) ** 2)
    assert total_sq - total**2 == 4 * sum_E_z2 == Fraction(1022, 3)             # 式 eq-math-sum-of-products-variance


@settings(max_examples=50, deadline=None)
@given(joint_tables, st.floats(0.1, 3))
def test_sum_of_products_variance_for_any_dependent_input_pair(rng, c):
    # 入力 (z1, z2) は任意の同時分布(独立とは限らない)、重みは ±c の独立な 2 つ(分散 c^2)
    vz1, vz2 = rng.normal(size=3), rng.normal(size=2)
    joint = rng.dirichlet(np.ones(6)).reshape(3, 2)
    mean, mean_sq = 0.0, 0.0
    for (i, j), (s1, s2) in product(product(range(3), range(2)), product([-c, c], repeat=2)):
        a = vz1[i] * s1 + vz2[j] * s2
        mean += a * joint[i, j] / 4
        mean_sq += a * a * joint[i, j] / 4
    Z1, Z2 = np.meshgrid(vz1, vz2, indexing="ij")
    expected = c**2 * (np.sum(Z1**2 * joint) + np.sum(Z2**2 * joint))
    assert mean == pytest.approx(0.0, abs=1e-12)
    assert mean_sq - mean**2 == pytest.approx(expected, rel=1e-9)


def test_page_digits_sum_of_products():
    pixels = load_digits()[0] / 16
    n_in = pixels.shape[1]
    E_z2 = np.mean(pixels**2, axis=0)
    v_he = np.random.default_rng(10).normal(0.0, np.sqrt(2 / n_in), size=(n_in, 5000))
    # 重みの組ごとの画像についての 2 乗平均は、画素の相関のため揺れが大きい(有効な自由度が小さい)。5% で比べる
    assert (pixels @ v_he).var() == pytest.approx(2 / n_in * E_z2.sum(), rel=0.05)


def test_nonzero_mean_weights_add_mu_v_squared_times_the_input_variance():
    # 演習 ex-math-prob-uniform-weights: z = max(0, G)、v ~ N(0.5, 0.3^2)
    E_z = integrate.quad(lambda g: g * stats.norm.pdf(g), 0, np.inf)[0]
    E_z2 = integrate.quad(lambda g: g**2 * stats.norm.pdf(g), 0, np.inf)[0]
    assert E_z == pytest.approx(1 / np.sqrt(2 * np.pi), rel=1e-10)
    assert E_z2 == pytest.approx(0.5, rel=1e-10)
    mu_v, s_v = 0.5, 0.3
    var_z = E_z2 - E_z**2
    expected = s_v**2 * E_z2 + mu_v**2 * var_z
    # 式 eq-math-product-variance と同じ値
    assert expected == pytest.approx(var_z * s_v**2 + var_z * mu_v**2 + E_z**2 * s_v**2, rel=1e-12)
    assert expected > 2 * s_v**2 * E_z2  # 平均 0 の形では足りない
    rng = np.random.default_rng(14)
    z = np.maximum(0.0, rng.normal(0.0, 1.0, size=100_000))
    v = rng.normal(mu_v, s_v, size=100_000)
    assert np.var(z * v) == pytest.approx(expected, rel=0.02)


# --- ドロップアウト -----------------------------------------------------------------------

@pytest.mark.parametrize("p", [Fraction(1, 5), Fraction(1, 2), Fraction(4, 5)])
def test_dropout_factor_mean_and_variance_are_exact(p):
    keep = 1 - p
    values = {Fraction(0): p, 1 / keep: keep}                                    # r = Y / (1 - p)
    mean = sum(r * q for r, q in values.items())
    var = sum((r - mean) ** 2 * q for r, q in values.items())
    assert (mean, var) == (1, p / (1 - p))                                       # 式 eq-math-dropout-mask
    # 式 eq-math-dropout-variance: z は 3 つの値を 1/3 ずつとり、r と独立
    zs = [Fraction(-1), Fraction(2), Fraction(5)]
    pairs = [(r * z, q / 3) for (r, q), z in product(values.items(), zs)]
    m = sum(v * q for v, q in pairs)
    assert m == sum(zs) / 3
    var_rz = sum((v - m) ** 2 * q for v, q in pairs)
    Ez = sum(zs) / 3
    var_z = sum((z - Ez) ** 2 for z in zs) / 3
    assert var_rz == var_z + p / (1 - p) * sum(z * z for z in zs) / 3
    # 倍率なし(演習 ex-math-prob-dropout-no-rescale): 平均は (1 - p) z、分散は z^2 p (1 - p)
    z = Fraction(2)
    assert keep * z == sum(y * z * q for y, q in ((0, p), (1, keep)))
    assert sum((y * z - keep * z) ** 2 * q for y, q in ((0, p), (1, keep))) == z * z * p * (1 - p)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_network_forward_mask_has_mean_one_and_variance_p_over_1_minus_p(p):
    x = add_dummy(load_digits()[0][:300] / 16)
    weights = init_weights(x.shape[1], [32], 10, rng=11)
    masks = np.array([forward(x, weights, dropout=p, rng=seed)[1]["mask"][0] for seed in range(20)])
    np.testing.assert_allclose(np.unique(masks), [0.0, 1 / (1 - p)])
    # 192,000 個の平均と分散。mask の標準偏差 sqrt(p/(1-p)) <= 2 なので平均の誤差は 0.005 程度、分散は 3% 以内
    assert masks.mean() == pytest.approx(1.0, abs=0.02)
    assert masks.var() == pytest.approx(p / (1 - p), rel=0.03)


def test_page_dropout_average_converges_like_the_variance_of_the_mean():
    pixels = load_digits()[0] / 16
    x = add_dummy(pixels)
    weights = init_weights(x.shape[1], [32], 10, rng=11)
    z_plain = forward(x, weights)[1]["z"][1][:, 1:]
    rng = np.random.default_rng(12)
    z_sum = np.zeros_like(z_plain)
    for _ in range(200):
        z_sum += forward(x, weights, dropout=0.5, rng=rng)[1]["z"][1][:, 1:]
    rel_gap = np.sqrt(np.mean((z_sum / 200 - z_plain) ** 2) / np.mean(z_plain**2))
    assert rel_gap == pytest.approx(np.sqrt(1 / 200), rel=0.05)


# --- ミニバッチの勾配の期待値と分散 ------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=2, max_size=7), st.data())
def test_minibatch_variance_equals_exact_enumeration_of_all_batches(values, data):
    M = len(values)
    n = data.draw(st.integers(1, M))
    g = [Fraction(v) for v in values]
    g_bar = sum(g) / M
    var_g = sum((v - g_bar) ** 2 for v in g) / M
    # 同じものを 2 度選ばない: n 件の組(どれも同じ確率)をすべて数える
    means = [sum(g[i] for i in batch) / n for batch in combinations(range(M), n)]
    e = sum(means) / len(means)
    v = sum((m - e) ** 2 for m in means) / len(means)
    assert e == g_bar
    assert v == var_g / n * (M - n) / (M - 1)                                   # 式 eq-math-minibatch-variance
    assert float(v) == pytest.approx(minibatch_variance(np.array(values, dtype=float), n), rel=1e-12, abs=1e-12)
    # 独立に選ぶ: M^n 通りの順序付きの組をすべて数えると sigma^2 / n(式 eq-math-variance-of-mean)
    if M**n <= 5000:
        means = [sum(g[i] for i in tup) / n for tup in product(range(M), repeat=n)]
        e = sum(means) / len(means)
        assert sum((m - e) ** 2 for m in means) / len(means) == var_g / n


def test_minibatches_first_batch_is_a_uniformly_random_subset():
    # minibatches(並べ替えて区切る)の先頭のミニバッチは、どの 2 件の組も同じ確率(1/10)
    rng = np.random.default_rng(0)
    counts = {}
    for _ in range(20_000):
        key = tuple(sorted(minibatches(5, 2, rng)[0].tolist()))
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 10
    # 各組の数は二項分布(20000, 0.1)で、標準偏差は約 42。4 倍の 170 以内
    assert all(abs(c - 2000) < 170 for c in counts.values())


def test_page_talk_data_minibatch_gradients():
    x, yt = talk_data()
    w = np.array([2.0, -1.0])
    per_sample = np.array([linear.gradient(x[m:m + 1], yt[m:m + 1], w) for m in range(5)])
    np.testing.assert_allclose(per_sample.mean(axis=0), linear.gradient(x, yt, w), rtol=1e-12)
    batch = np.array([per_sample[list(b)].mean(axis=0) for b in combinations(range(5), 2)])
    np.testing.assert_allclose(batch.mean(axis=0), [2.0, -32.72], rtol=1e-12)
    np.testing.assert_allclose(batch.var(axis=0), minibatch_variance(per_sample, 2), rtol=1e-12)
    np.testing.assert_allclose(batch.var(axis=0), [36.312, 315.5601], rtol=1e-10)
    np.testing.assert_allclose(minibatch_variance(per_sample, 2), per_sample.var(axis=0) / 2 * 3 / 4, rtol=1e-12)


def test_page_iris_minibatch_simulation_agrees_with_the_formula():
    features, labels = load_iris(classes=(1, 2), features=(2, 3))
    x, yt = add_dummy(features), labels.astype(float)
    g = np.array([logistic.gradient(x[m:m + 1], yt[m:m + 1], np.zeros(3)) for m in range(len(yt))])
    rng = np.random.default_rng(13)
    for n in [1, 2, 5, 10, 20, 50, 80]:
        first = [g[minibatches(len(yt), n, rng)[0]].mean(axis=0) for _ in range(4000)]
        # 4000 個からの分散の相対誤差は sqrt(2 / 4000) ≈ 2.2% 程度(尖りがあるとやや大きい)。8% で比べる
        assert np.var(first, axis=0).sum() == pytest.approx(minibatch_variance(g, n).sum(), rel=0.08), n
    assert (len(yt) - 80) / (len(yt) - 1) == pytest.approx(0.202, abs=5e-4)


def test_minibatch_size_for_a_tenth_of_the_variance():
    # 演習 ex-math-prob-minibatch-size: n >= 10 M / (M + 9)
    M = 1000
    assert Fraction(10 * M, M + 9) == Fraction(10000, 1009) and 9 < 10000 / 1009 < 10
    g = np.random.default_rng(16).normal(size=M)
    ratio = {n: minibatch_variance(g, n) / g.var() for n in (1, 9, 10, M)}
    assert ratio[1] == pytest.approx(1.0) and ratio[M] == 0.0
    assert ratio[9] > 0.1 >= ratio[10]
    assert ratio[10] == pytest.approx(0.1 * (M - 10) / (M - 1), rel=1e-12)
    # n = M - 1: 1 件だけを除いた平均は (M ḡ - g_m) / (M - 1)、その分散は σ_g² / (M - 1)²
    leave_one = (g.sum() - g) / (M - 1)
    assert minibatch_variance(g, M - 1) == pytest.approx(leave_one.var(), rel=1e-9)
    assert leave_one.var() == pytest.approx(g.var() / (M - 1) ** 2, rel=1e-9)


# --- 新しい関数の入力検査 -------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: marginals(np.ones((2, 2))), r"joint は確率の表.*全体の和は 4 です。.*joint / joint\.sum\(\)"),
        (lambda: marginals(np.array([[0.5, 0.6], [-0.1, 0.0]])), r"受け取った値の最小は -0\.1"),
        (lambda: marginals(np.array([0.5, 0.5])), "joint"),
        (lambda: conditional_rows(np.array([[0.5, 0.5], [0.0, 0.0]])), r"和が 0 の行があり.*\[1\] 行目"),
        (lambda: bayes_posterior([0.5, 0.5], [0.5, 1.5]), r"likelihood は 0 以上 1 以下"),
        (lambda: bayes_posterior([0.5, 0.5], [0.0, 0.0]), r"P\(B\) = Σ P\(B \| A_k\) P\(A_k\) が 0"),
        (lambda: bayes_posterior([0.5, 0.5], [0.5, 0.5, 0.5]), "同じ形"),
        (lambda: bayes_posterior([0.2, 0.2], [0.5, 0.5]), r"prior は確率の表"),
        (lambda: minibatch_variance(np.arange(5.0), 6), r"n は 1 以上 5 以下の整数にしてください\(per_sample の行の数 M=5 以下\)"),
        (lambda: minibatch_variance(np.arange(5.0), 0), r"n は 1 以上 5 以下"),
        (lambda: minibatch_variance(np.ones((2, 2, 2)), 1), "per_sample"),
        (lambda: minibatch_variance(np.array([1.0, np.nan]), 1), "per_sample に NaN か inf が 1 個あります"),
    ],
)
def test_new_probability_functions_reject_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_minibatch_variance_rejects_non_integer_n():
    with pytest.raises(TypeError, match="n は"):
        minibatch_variance(np.arange(5.0), 2.0)


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
    # 同時分布・ベイズの定理・積の分散・ドロップアウト・ミニバッチ(既存の節の後ろに足した節)
    "sec-math-prob-joint", "sec-math-prob-joint-table", "sec-math-prob-marginal", "sec-math-prob-conditional-distribution",
    "sec-math-bayes", "sec-math-bayes-derivation", "sec-math-bayes-test",
    "sec-math-prob-product-variance", "sec-math-prob-product-variance-rule", "sec-math-prob-sum-of-products",
    "sec-math-prob-dropout", "sec-math-prob-minibatch", "sec-math-prob-minibatch-with-replacement",
    "sec-math-prob-minibatch-without-replacement", "sec-math-prob-minibatch-check", "sec-math-prob-uses",
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
# 既存の式の後ろに足した式(既存の式の番号 1〜30 は変えない)
NEW_EQUATIONS = [
    "eq-math-marginal", "eq-math-conditional-distribution", "eq-math-bayes", "eq-math-total-probability",
    "eq-math-bayes-posterior", "eq-math-product-variance", "eq-math-product-variance-zero-mean",
    "eq-math-sum-of-products-variance", "eq-math-dropout-mask", "eq-math-dropout-variance", "eq-math-minibatch-variance",
]
# tests/stable_anchors.txt に記録した、公開済みの式の番号
PUBLISHED_EQUATION_NUMBERS = {
    "eq-math-die": 1, "eq-math-variance": 5, "eq-math-normal": 9, "eq-math-conditional": 10,
    "eq-math-variance-of-mean": 17, "eq-math-coin-likelihood": 18, "eq-math-multiclass-cross-entropy": 26,
    "eq-math-gaussian-loglik-loss": 30,
}
FIGURES = [
    "fig-math-prob-distributions", "fig-math-prob-normal", "fig-math-prob-coin-likelihood",
    "fig-math-prob-gaussian-noise", "fig-math-prob-running-mean",
    "fig-math-prob-bayes-prevalence", "fig-math-prob-minibatch-variance",
]


class TestBuiltPage:
    def test_section_labels_are_kept(self, soup):
        for label in STUB_LABELS:
            assert soup.find(id=label) is not None, f"{label} missing"

    @pytest.mark.parametrize("label", EQUATIONS + NEW_EQUATIONS)
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label)

    def test_published_numbers_are_kept_and_new_equations_come_after_them(self, soup):
        def number(label):
            return int(soup.find(id=f"equation-{label}").select_one(".eqno").get_text(strip=True).rstrip("#").strip("()"))

        for label, published in PUBLISHED_EQUATION_NUMBERS.items():
            assert number(label) == published, label
        assert [number(label) for label in NEW_EQUATIONS] == list(range(31, 31 + len(NEW_EQUATIONS)))
        for name, published in [("fig-math-prob-gaussian-noise", 5), ("fig-math-prob-bayes-prevalence", 6),
                                ("fig-math-prob-minibatch-variance", 7)]:
            caption = soup.find(id=name).select_one(".caption-number").get_text()
            assert f"{published}" in caption, (name, caption)

    def test_new_numbers_in_the_prose_come_from_the_code(self, soup):
        text = soup.get_text()
        assert "陽性の人が病気である確率は0.1538で" in text                    # 2/13
        assert "1万人いれば、病気の100人のうち陽性は90人、病気でない9,900人のうち陽性は495人" in text
        assert re.search(r"積の分散は0\.12\d\dで", text)                      # 0.25 × 0.5 に近い
        assert re.search(r"分散どうしの積0\.08\d\dとは合いません", text)
        assert re.search(r"平均は1\.0\d\d\d、分散は(0\.99|1\.00)\d\dです", text)
        assert "が0.202なので" in text                                          # (M - n)/(M - 1) = 20/99
        assert re.search(r"平均は(0\.99|1\.00)\d\d、分散は(3\.9\d|4\.0\d)\d\dで、式の1と4", text)  # p = 0.8 の mask

    def test_chapters_7_and_8_link_to_the_new_sections(self, site):
        deep = [a["href"] for a in built_page(site, "book/deep-learning").select("article a[href]")]
        practical = [a["href"] for a in built_page(site, "book/practical-deep-learning").select("article a[href]")]
        for anchor in ("sec-math-prob-product-variance", "sec-math-prob-minibatch"):
            assert any(h.endswith(f"math-probability.html#{anchor}") for h in deep), anchor
        for anchor in ("sec-math-prob-dropout", "sec-math-prob-minibatch"):
            assert any(h.endswith(f"math-probability.html#{anchor}") for h in practical), anchor

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
        check_exercises(soup, "ex-math-prob-", 11, code_solutions=8)
        ids = [e["id"] for e in soup.select("article div.exercise")]
        # 既存の 7 問の番号はそのままで、新しい 4 問はその後ろ
        assert ids[:7] == ["ex-math-prob-variance-shortcut", "ex-math-prob-triangle", "ex-math-prob-uncorrelated",
                           "ex-math-prob-all-heads", "ex-math-prob-logistic-intercept", "ex-math-prob-sigma-mle",
                           "ex-math-prob-laplace"]
        assert ids[7:] == ["ex-math-prob-bayes-second-test", "ex-math-prob-uniform-weights",
                           "ex-math-prob-dropout-no-rescale", "ex-math-prob-minibatch-size"]


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
