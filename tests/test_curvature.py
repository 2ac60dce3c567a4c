"""「ヘッセ行列と凸性」(book/math-curvature.md)と dlmath.curvature・numdiff.numerical_hessian を数値で確かめる。

ヘッセ行列の式は数値微分と、固有値分解は定義 A q = λ q と直交性と、倍率 1 - αλ と (κ-1)/(κ+1) は
勾配降下法(dlmath.descent、dlmath.linear.fit)を実際に走らせた結果と、凸性は乱数のデータでの固有値と弦の不等式と比べます。
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import built_page, check_equation, check_exercises, check_figure, dangling_equation_references
from dlmath import linear, logistic, multiclass, network
from dlmath.curvature import (best_alpha, condition_number, curvatures, linear_hessian, logistic_hessian,
                              step_factor)
from dlmath.data import load_height_weight, load_iris
from dlmath.descent import gradient_descent
from dlmath.numdiff import numerical_gradient, numerical_hessian
from dlmath.preprocess import add_dummy, center, one_hot, standardize

PAGE = "book/math-curvature"
seeds = st.integers(0, 2**32 - 1)


def random_data(seed, M=12, D=3):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D - 1)) * rng.uniform(0.2, 3.0, size=D - 1))
    return rng, x


def random_spd(rng, D):
    """固有値が正の対称行列と、その固有値(小さい順)と固有ベクトル"""
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    lambdas = np.sort(rng.uniform(0.1, 10.0, size=D))
    return Q @ np.diag(lambdas) @ Q.T, lambdas, Q


# --- numerical_hessian ---------------------------------------------------------------------------


def test_numerical_hessian_matches_the_example_on_the_page():
    def g(p):  # 式 eq-math-curv-hessian-example の g(x, y) = x^2 y + 3y^2
        return p[0] ** 2 * p[1] + 3 * p[1] ** 2

    for x, y in [(1.5, -0.5), (-2.0, 3.0), (0.0, 0.0)]:
        expected = np.array([[2 * y, 2 * x], [2 * x, 6.0]])
        np.testing.assert_allclose(numerical_hessian(g, np.array([x, y])), expected, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_numerical_hessian_is_symmetric_and_matches_the_jacobian_of_the_gradient(seed):
    rng = np.random.default_rng(seed)
    a, w = rng.normal(size=4), rng.normal(size=4)

    def f(v):
        return np.sin(a @ v) + np.sum(v ** 4) / 4

    hessian = numerical_hessian(f, w)
    assert np.array_equal(hessian, hessian.T)
    # 独立な参照: 解析的な勾配を中心差分でもう一度微分する
    gradient = lambda v: a * np.cos(a @ v) + v ** 3  # noqa: E731
    reference = np.array([numerical_gradient(lambda v: gradient(v)[i], w) for i in range(4)])
    np.testing.assert_allclose(hessian, reference, atol=1e-5)


def test_numerical_hessian_rejects_bad_input():
    with pytest.raises(ValueError, match="w は 1 次元"):
        numerical_hessian(lambda v: 0.0, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="h は正"):
        numerical_hessian(lambda v: 0.0, np.zeros(2), h=-1e-4)
    with pytest.raises(ValueError, match=r"f\(w\) は 1 つの数"):
        numerical_hessian(lambda v: v, np.zeros(2))
    with pytest.raises(TypeError, match="f は w を受け取る関数"):
        numerical_hessian(3.0, np.zeros(2))


# --- 損失のヘッセ行列(式 eq-math-curv-linear-hessian、eq-math-curv-logistic-hessian) -----------------


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_linear_hessian_matches_numerical_hessian_at_any_weights(seed):
    rng, x = random_data(seed)
    yt = rng.normal(size=x.shape[0])
    for w in (rng.normal(size=3), np.zeros(3)):
        numeric = numerical_hessian(lambda v: linear.loss(x, yt, v), w)
        np.testing.assert_allclose(linear_hessian(x), numeric, rtol=1e-5, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_logistic_hessian_matches_numerical_hessian(seed):
    rng, x = random_data(seed)
    yt = (rng.random(x.shape[0]) < 0.5).astype(float)
    w = rng.normal(size=3)
    numeric = numerical_hessian(lambda v: logistic.loss(x, yt, v), w)
    np.testing.assert_allclose(logistic_hessian(x, w), numeric, rtol=1e-5, atol=1e-7)


def test_logistic_hessian_at_zero_is_a_quarter_of_the_linear_one():
    _, x = random_data(3)
    np.testing.assert_allclose(logistic_hessian(x, np.zeros(3)), linear_hessian(x) / 4, rtol=1e-14)


def test_logistic_hessian_is_the_sum_over_samples():
    rng, x = random_data(4)
    w = rng.normal(size=3)
    yp = logistic.predict(x, w)
    expected = sum(p * (1 - p) * np.outer(row, row) for p, row in zip(yp, x)) / len(x)
    np.testing.assert_allclose(logistic_hessian(x, w), expected, rtol=1e-12)


def test_hessians_reject_bad_shapes():
    with pytest.raises(ValueError, match="x は 2 次元"):
        linear_hessian(np.arange(3.0))
    with pytest.raises(ValueError, match="w の要素の数"):
        logistic_hessian(np.ones((4, 3)), np.zeros(2))


# --- 固有値と固有ベクトル(式 eq-math-curv-eigen、eq-math-curv-eigen-decomposition、eq-math-curv-rayleigh) --


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(2, 6))
def test_curvatures_satisfy_the_definition_and_the_decomposition(seed, D):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(D, D))
    A = (B + B.T) / 2
    lambdas, Q = curvatures(A)
    assert np.all(np.diff(lambdas) >= 0)
    np.testing.assert_allclose(A @ Q, Q * lambdas, atol=1e-10)           # A q_i = λ_i q_i
    np.testing.assert_allclose(Q.T @ Q, np.eye(D), atol=1e-12)            # 互いに直交する長さ 1
    v = rng.normal(size=D)
    c = Q.T @ v
    np.testing.assert_allclose(A @ v, Q @ (lambdas * c), atol=1e-10)
    assert v @ A @ v == pytest.approx(lambdas @ c ** 2, abs=1e-9)
    u = v / np.linalg.norm(v)
    assert lambdas[0] - 1e-12 <= u @ A @ u <= lambdas[-1] + 1e-12


def test_curvatures_of_the_raw_height_data_match_the_direction_search_of_the_linreg_chapter():
    x = add_dummy(load_height_weight()[:, 0:1])
    lambdas, Q = curvatures(linear_hessian(x))
    phi = np.linspace(0, np.pi, 200_001)
    u = np.stack([np.cos(phi), np.sin(phi)])
    curvature = np.mean((x @ u) ** 2, axis=0)   # 節 sec-linreg-standardize の探し方
    assert curvature.max() == pytest.approx(lambdas[1], rel=1e-9)
    assert curvature.min() == pytest.approx(lambdas[0], rel=1e-3)
    flat = u[:, curvature.argmin()]
    assert abs(flat @ Q[:, 0]) == pytest.approx(1.0, abs=1e-6)


def test_curvatures_rejects_non_symmetric_and_non_square():
    with pytest.raises(ValueError, match="hessian は対称行列"):
        curvatures(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="hessian は正方行列"):
        curvatures(np.ones((2, 3)))
    with pytest.raises(ValueError, match="hessian に NaN か inf"):
        curvatures(np.array([[1.0, np.nan], [np.nan, 1.0]]))


# --- 点の近くの2次式(式 eq-math-curv-second-directional、eq-math-curv-quadratic-model) ----------------------


def cubic(p):
    """3次の項を持つ 3 変数の関数と、その勾配・ヘッセ行列(手で微分した式)"""
    x, y, z = p
    value = x ** 3 + 2 * x * y * z - y ** 2 + 3 * z ** 2 * x + x
    grad = np.array([3 * x ** 2 + 2 * y * z + 3 * z ** 2 + 1, 2 * x * z - 2 * y, 2 * x * y + 6 * z * x])
    hess = np.array([[6 * x, 2 * z, 2 * y + 6 * z],
                     [2 * z, -2.0, 2 * x],
                     [2 * y + 6 * z, 2 * x, 6 * x]])
    return value, grad, hess


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_second_derivative_along_a_line_is_v_hessian_v(seed):
    rng = np.random.default_rng(seed)
    w, v = rng.normal(size=3), rng.normal(size=3)
    _, _, hess = cubic(w)
    h = 1e-4
    phi = lambda t: cubic(w + t * v)[0]  # noqa: E731
    second = (phi(h) - 2 * phi(0.0) + phi(-h)) / h ** 2          # φ''(0) の中心差分
    assert second == pytest.approx(v @ hess @ v, rel=1e-5, abs=1e-5)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_quadratic_model_error_shrinks_like_r_cubed(seed):
    """式 eq-math-curv-quadratic-model: ½ がなければ誤差は r^2 で縮み、このテストは落ちる。"""
    rng = np.random.default_rng(seed)
    w, u = rng.normal(size=3), rng.normal(size=3)
    u /= np.linalg.norm(u)
    value, grad, hess = cubic(w)
    errors = []
    for r in (1e-1, 1e-2):
        v = r * u
        errors.append(abs(cubic(w + v)[0] - (value + grad @ v + v @ hess @ v / 2)))
    # 3次式なので誤差はちょうど r^3 の項(x^3 などの 3 次の部分)で、10 倍小さくすると 1000 倍小さくなる
    assert errors[1] <= errors[0] / 1000 * (1 + 1e-6) + 1e-13
    # ½ を落とすと、誤差に r^2 の項 (u^T ∇²L u) r^2 / 2 が残り、10 倍小さくしても 100 倍ほどしか縮まない
    if abs(u @ hess @ u) > 0.1:
        wrong = [abs(cubic(w + r * u)[0] - (value + grad @ (r * u) + (r * u) @ hess @ (r * u))) for r in (1e-3, 1e-4)]
        assert wrong[0] / wrong[1] < 300


def test_numerical_hessian_matches_the_cubic():
    w = np.array([0.3, -1.2, 0.7])
    np.testing.assert_allclose(numerical_hessian(lambda p: cubic(p)[0], w), cubic(w)[2], atol=1e-6)


# --- 勾配降下法の倍率と条件数(式 eq-math-curv-factor-each 〜 eq-math-curv-iterations) --------------------


@settings(max_examples=30, deadline=None)
@given(seeds, st.integers(2, 5), st.floats(0.05, 1.95))
def test_each_eigen_component_shrinks_by_one_minus_alpha_lambda(seed, D, fraction):
    rng = np.random.default_rng(seed)
    A, lambdas, Q = random_spd(rng, D)
    w_star, w0 = rng.normal(size=D), rng.normal(size=D)
    alpha = fraction / lambdas[-1]
    route = gradient_descent(lambda w: A @ (w - w_star), w0, alpha=alpha, iters=8)
    c = (route - w_star) @ Q
    expected = c[0] * (1 - alpha * lambdas) ** np.arange(9)[:, None]
    np.testing.assert_allclose(c, expected, atol=1e-10 * np.abs(c[0]).max())
    rho = step_factor(A, alpha)
    assert rho == pytest.approx(np.max(np.abs(1 - alpha * lambdas)), rel=1e-12)
    gaps = np.linalg.norm(route - w_star, axis=1)
    assert np.all(gaps <= rho ** np.arange(9) * gaps[0] * (1 + 1e-9))   # ||d_k|| ≤ ρ^k ||d_0||


def test_fit_on_centred_talk_data_reproduces_the_factors_one_minus_alpha_and_one_minus_alpha_s():
    centred, _ = center(load_height_weight())
    x, yt = add_dummy(centred[:, 0:1]), centred[:, 1]
    s = np.mean(x[:, 1] ** 2)
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    for alpha in (0.01, best_alpha(linear_hessian(x)), 0.15):
        _, history = linear.fit(x, yt, np.array([2.0, -1.0]), alpha=alpha, iters=20)
        gaps = history.w - w_star
        np.testing.assert_allclose(gaps[1:, 0] / gaps[:-1, 0], 1 - alpha, atol=1e-6)
        np.testing.assert_allclose(gaps[1:, 1] / gaps[:-1, 1], 1 - alpha * s, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_with_two_weights_at_the_best_alpha_the_bound_rho_to_the_k_is_exact(seed):
    """D = 2 で最もよい学習率なら、どんな初期値でも ||d_k|| = ρ^k ||d_0||(節 sec-math-curv-condition)。"""
    rng = np.random.default_rng(seed)
    A, _, _ = random_spd(rng, 2)
    alpha = best_alpha(A)
    rho = step_factor(A, alpha)
    w_star, w0 = rng.normal(size=2), rng.normal(size=2)
    route = gradient_descent(lambda w: A @ (w - w_star), w0, alpha=alpha, iters=10)
    gaps = np.linalg.norm(route - w_star, axis=1)
    np.testing.assert_allclose(gaps, rho ** np.arange(11) * gaps[0], rtol=1e-8, atol=1e-14)


def test_a_small_gradient_can_be_far_from_the_minimum_when_lambda_min_is_tiny():
    """節 sec-math-curv-global の注意: センタリングしない身長のデータで、勾配は小さいのに損失は L* から遠い。"""
    data = load_height_weight()
    x, yt = add_dummy(data[:, 0:1]), data[:, 1]
    lambdas, _ = curvatures(linear_hessian(x))
    route = gradient_descent(lambda w: linear.gradient(x, yt, w), np.array([2.0, -1.0]),
                             alpha=1.9 / lambdas[-1], iters=200)
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    assert np.linalg.norm(linear.gradient(x, yt, route[-1])) < 0.2
    assert linear.loss(x, yt, route[-1]) > 5 * linear.loss(x, yt, w_star)


def test_at_alpha_two_over_lambda_max_the_steep_component_oscillates_forever():
    A = np.array([[5.0, 3.0], [3.0, 5.0]])
    lambdas, Q = curvatures(A)
    route = gradient_descent(lambda w: A @ w, np.array([-3.0, 2.0]), alpha=2 / lambdas[-1], iters=50)
    c = route @ Q
    np.testing.assert_allclose(np.abs(c[:, 1]), abs(c[0, 1]), rtol=1e-9)  # 大きさが変わらない
    assert np.all(np.sign(c[1:, 1]) == -np.sign(c[:-1, 1]))              # 符号が毎回変わる
    assert step_factor(A, 2 / lambdas[-1]) == pytest.approx(1.0)
    assert step_factor(A, 0.999 * 2 / lambdas[-1]) < 1 < step_factor(A, 1.001 * 2 / lambdas[-1])


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(2, 5))
def test_best_alpha_minimises_the_factor_and_gives_kappa_minus_one_over_kappa_plus_one(seed, D):
    rng = np.random.default_rng(seed)
    A, lambdas, _ = random_spd(rng, D)
    kappa = condition_number(A)
    assert kappa == pytest.approx(np.linalg.cond(A), rel=1e-9)
    alpha = best_alpha(A)
    assert alpha == pytest.approx(2 / (lambdas[0] + lambdas[-1]), rel=1e-12)
    best = step_factor(A, alpha)
    assert best == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-9, abs=1e-12)
    grid = np.linspace(1e-3, 2 / lambdas[-1], 2001)
    assert min(step_factor(A, a) for a in grid) >= best - 1e-12


def test_iteration_bound_is_enough_and_close_to_kappa_over_two_log():
    rng = np.random.default_rng(7)
    A = np.diag([1.0, 50.0])
    kappa, alpha = condition_number(A), best_alpha(A)
    eps = 1e-6
    bound = np.log(1 / eps) / np.log((kappa + 1) / (kappa - 1))
    assert bound == pytest.approx(kappa / 2 * np.log(1 / eps), rel=0.01)
    w0 = rng.normal(size=2)
    route = gradient_descent(lambda w: A @ w, w0, alpha=alpha, iters=int(np.ceil(bound)))
    assert np.linalg.norm(route[-1]) <= eps * np.linalg.norm(w0)


def test_condition_number_and_best_alpha_reject_singular_or_indefinite_matrices():
    for bad in (np.diag([0.0, 2.0]), np.diag([-1.0, 2.0])):
        with pytest.raises(ValueError, match="hessian の最小の固有値"):
            condition_number(bad)
        with pytest.raises(ValueError, match="正ではありません"):
            best_alpha(bad)
    with pytest.raises(ValueError, match="alpha は正"):
        step_factor(np.eye(2), 0.0)


# --- 標準化と条件数(節 sec-math-curv-standardize) ---------------------------------------------------


def test_standardising_the_talk_data_brings_kappa_from_huge_to_s_to_one():
    data = load_height_weight()
    centred, _ = center(data)
    x_std = add_dummy(standardize(data[:, 0:1])[0])
    kappa_raw = condition_number(linear_hessian(add_dummy(data[:, 0:1])))
    kappa_centred = condition_number(linear_hessian(add_dummy(centred[:, 0:1])))
    s = np.var(data[:, 0])
    assert kappa_raw > 1e7
    assert kappa_centred == pytest.approx(s, rel=1e-12)
    assert condition_number(linear_hessian(x_std)) == pytest.approx(1.0, abs=1e-12)


def test_standardising_iris_lowers_kappa_of_the_logistic_hessian():
    for features, limit in (((0, 1), 2.0), ((0, 1, 2, 3), 500.0)):
        x_raw, _ = load_iris(classes=(0, 1), features=features)
        raw = condition_number(logistic_hessian(add_dummy(x_raw), np.zeros(len(features) + 1)))
        std = condition_number(logistic_hessian(add_dummy(standardize(x_raw)[0]), np.zeros(len(features) + 1)))
        assert raw > 1000 and std < limit and raw > 10 * std


# --- 凸性(式 eq-math-curv-convex、eq-math-curv-convex-hessian) -------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_hessians_of_the_three_linear_models_are_positive_semidefinite(seed):
    rng, x = random_data(seed, M=15, D=3)
    w = rng.normal(size=3) * 2
    assert curvatures(linear_hessian(x))[0][0] >= -1e-12
    assert curvatures(logistic_hessian(x, w))[0][0] >= -1e-12
    labels = rng.integers(0, 3, size=x.shape[0])
    W = rng.normal(size=(3, 3))
    hessian = numerical_hessian(lambda v: multiclass.loss(x, one_hot(labels, 3), v.reshape(3, 3)), W.ravel())
    lambdas = curvatures((hessian + hessian.T) / 2)[0]
    assert lambdas[0] >= -1e-6 * max(1.0, lambdas[-1])
    # W の列すべてに同じベクトルを足しても損失は変わらない: 0 の固有値が D 個
    assert np.sum(np.abs(lambdas) < 1e-6) >= 3


@settings(max_examples=40, deadline=None)
@given(seeds, st.floats(0.0, 1.0))
def test_chord_inequality_holds_for_linear_and_logistic_losses(seed, t):
    rng, x = random_data(seed)
    yt_real, yt_binary = rng.normal(size=x.shape[0]), (rng.random(x.shape[0]) < 0.5).astype(float)
    a, b = rng.normal(size=3) * 3, rng.normal(size=3) * 3
    for loss, yt in ((linear.loss, yt_real), (logistic.loss, yt_binary)):
        middle = loss(x, yt, (1 - t) * a + t * b)
        assert middle <= (1 - t) * loss(x, yt, a) + t * loss(x, yt, b) + 1e-12


# --- ニューラルネットワーク(節 sec-math-curv-network) ----------------------------------------------------


@pytest.fixture(scope="module")
def small_network():
    x_raw, labels = load_iris(features=(0, 1))
    x, yt = add_dummy(standardize(x_raw)[0]), one_hot(labels, 3)

    def unflatten(p):
        return [p[:6].reshape(3, 2), p[6:].reshape(3, 3)]

    def loss(p):
        return network.loss(x, yt, unflatten(p), activation="sigmoid")

    def gradient(p):
        return np.concatenate([g.ravel() for g in network.gradient(x, yt, unflatten(p), activation="sigmoid")])

    def swap(p):
        V, W = unflatten(p)
        return np.concatenate([V[:, ::-1].ravel(), W[[0, 2, 1]].ravel()])

    return loss, gradient, swap


def test_swapping_hidden_nodes_keeps_the_loss_and_the_midpoint_breaks_convexity(small_network):
    loss, gradient, swap = small_network
    p_a = gradient_descent(gradient, np.random.default_rng(0).normal(scale=0.5, size=15), alpha=1.0, iters=3000)[-1]
    p_b = swap(p_a)
    assert not np.allclose(p_a, p_b)
    assert loss(p_b) == pytest.approx(loss(p_a), abs=1e-12)
    assert loss((p_a + p_b) / 2) > loss(p_a) + 0.5   # 弦の高さ L(a) を大きく超える


def test_equal_hidden_nodes_stay_equal_and_end_at_a_saddle_point(small_network):
    loss, gradient, swap = small_network
    rng = np.random.default_rng(1)
    V0 = np.repeat(rng.normal(scale=0.5, size=(3, 1)), 2, axis=1)
    W0 = rng.normal(scale=0.5, size=(3, 3))
    W0[2] = W0[1]
    p = gradient_descent(gradient, np.concatenate([V0.ravel(), W0.ravel()]), alpha=1.0, iters=5000)[-1]
    assert np.array_equal(p, swap(p))                 # 2 つのノードは等しいまま
    assert np.linalg.norm(gradient(p)) < 5e-3          # 勾配降下法はほぼ止まっている
    lambdas, Q = curvatures(numerical_hessian(loss, p))
    assert lambdas[0] < -0.01 and lambdas[-1] > 0.1    # 負と正の固有値: 鞍点
    assert loss(p + 0.3 * Q[:, 0]) < loss(p)            # 負の固有値の向きに下がる


def test_multiclass_hessian_has_exactly_D_zero_eigenvalues_and_the_rest_positive():
    """節 sec-math-curv-multiclass の文「D 個は絶対値が 4×10⁻⁸ 以下で、残りはどれも 1.3×10⁻³ 以上の正」を、ページと同じ計算で確かめる。"""
    x4, labels3 = load_iris()
    x4 = add_dummy(standardize(x4)[0])
    yt3 = one_hot(labels3, 3)
    D, N = x4.shape[1], 3
    for seed in range(3):
        W = np.random.default_rng(seed).normal(size=(D, N))
        eig = curvatures(numerical_hessian(lambda v: multiclass.loss(x4, yt3, v.reshape(D, N)), W.ravel()))[0]
        near_zero = np.abs(eig) <= 4.5e-8
        assert near_zero.sum() == D
        assert eig[~near_zero].min() >= 1.25e-3


# --- ビルド済みのページ ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


SECTIONS = [
    "sec-math-curvature", "sec-math-curv-hessian", "sec-math-curv-taylor", "sec-math-curv-eigen",
    "sec-math-curv-principal-axes", "sec-math-curv-descent", "sec-math-curv-factor", "sec-math-curv-condition",
    "sec-math-curv-standardize", "sec-math-curv-convex", "sec-math-curv-psd", "sec-math-curv-global",
    "sec-math-curv-losses", "sec-math-curv-linear", "sec-math-curv-logistic", "sec-math-curv-multiclass",
    "sec-math-curv-network", "sec-math-curv-saddle", "sec-math-curv-exercises",
]
EQUATIONS = [
    "eq-math-curv-hessian", "eq-math-curv-hessian-example", "eq-math-curv-numerical-hessian",
    "eq-math-curv-second-directional", "eq-math-curv-quadratic-model", "eq-math-curv-eigen",
    "eq-math-curv-eigen-decomposition", "eq-math-curv-rayleigh", "eq-math-curv-quadratic-loss",
    "eq-math-curv-factor-each", "eq-math-curv-factor", "eq-math-curv-best-alpha", "eq-math-curv-condition-number",
    "eq-math-curv-iterations", "eq-math-curv-convex", "eq-math-curv-convex-hessian", "eq-math-curv-linear-hessian",
    "eq-math-curv-logistic-hessian",
]
FIGURES = ["fig-math-curv-standardize", "fig-math-curv-network-line"]


class TestBuiltPage:
    def test_sections_exist(self, soup):
        for label in SECTIONS:
            assert soup.find(id=label) is not None, label

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label)

    def test_equation_references_resolve(self, soup):
        assert not dangling_equation_references(soup)

    @pytest.mark.parametrize("name", FIGURES)
    def test_figures_have_image_alt_and_caption(self, site, soup, name):
        check_figure(site, soup, name)

    def test_exercises_have_collapsed_solutions_that_run(self, soup):
        check_exercises(soup, "ex-math-curv-", 4, code_solutions=4)

    def test_prose_numbers_are_filled_from_the_code(self, soup):
        text = soup.get_text()
        assert "{glue" not in text
        s = np.var(load_height_weight()[:, 0])
        assert f"センタリングすると条件数は{s:.1f}" in text
        assert "元のままの身長では条件数が7.4×10⁷もあり" in text
        assert "5.1×10⁸回です" in text
        assert "10,000回更新しても差は" in text
        assert "標準化すると条件数は1になり、最小点に着くまでの回数は1回です" in text
        assert "成分の比は毎回、緩やかな向きが0.56、急な向きが-0.76です" in text
        assert re.search(r"ヘッセ行列の最小の固有値は-0\.0\d\dと負", text)
        assert "勾配の大きさは4.0×10⁴から0.098まで下がりましたが、損失は14.46で、最小値2.27にはまだ遠い" in text
        assert "どの重みでも、15個の固有値のうち5個は絶対値が4×10⁻⁸以下です" in text
        assert "最小のものでも1.3×10⁻³あります" in text


    def test_links_to_the_chapters_it_builds_on(self, soup):
        hrefs = [a["href"] for a in soup.select("article a[href]")]
        for target in ("math-partial-derivatives.html#sec-math-partial-alpha-condition",
                       "linear-regression.html#sec-linreg-standardize", "math-derivatives.html#sec-math-extrema"):
            assert any(h.endswith(target) for h in hrefs), target


@pytest.mark.parametrize("page", ["book/how-models-learn", "book/linear-regression", "book/math-partial-derivatives"])
def test_chapters_link_to_the_curvature_page(site, page):
    hrefs = [a["href"] for a in built_page(site, page).select("article a[href]")]
    assert any("math-curvature.html" in h for h in hrefs), page
