"""dlmath.descent.gradient_descent(数学の準備「多変数関数と偏微分」の節 sec-math-gradient-descent)。

2次関数 L(w) = ½ (w − c)ᵀ A (w − c) では、勾配は A (w − c) で、A の固有ベクトルの向きごとに
w − c の成分が毎回 (1 − αλ) 倍になる(式 eq-math-descent-closed-form)。道筋をこの閉じた形と比べ、
α < 2/λ_max(式 eq-math-descent-alpha-threshold)の内側で収束し、外側で発散することを確かめる。
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath import DivergenceError
from dlmath.descent import gradient_descent


def quadratic(lambdas, angle, center):
    """固有値 lambdas、主軸の回転角 angle、最小点 center の 2 変数 2 次関数の (A, 勾配の関数, 固有ベクトル)。"""
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A = rotation @ np.diag(lambdas) @ rotation.T
    return A, (lambda w: A @ (w - center)), rotation


def bowl_gradient(w):
    # 本文の例 L = w0² + 4 w1²(λ = 2, 8)
    return np.array([2 * w[0], 8 * w[1]])


def test_path_has_initial_point_first_and_one_row_per_update():
    w = np.array([-4.0, 2.0])
    path = gradient_descent(bowl_gradient, w, alpha=0.1, iters=20)
    assert path.shape == (21, 2)
    np.testing.assert_array_equal(path[0], w)
    np.testing.assert_array_equal(w, [-4.0, 2.0])  # 入力は書き換えない


def test_page_example_matches_hand_computation():
    # 1 回目: (-4, 2) - 0.1 (-8, 16) = (-3.2, 0.4)、2 回目: (-3.2, 0.4) - 0.1 (-6.4, 3.2) = (-2.56, 0.08)
    path = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=0.1, iters=2)
    np.testing.assert_allclose(path, [[-4.0, 2.0], [-3.2, 0.4], [-2.56, 0.08]], rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.22, 0.26])
def test_page_example_follows_closed_form(alpha):
    # 式 eq-math-descent-closed-form: w0 = (1 - 2α)^k w0(0)、w1 = (1 - 8α)^k w1(0)
    path = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=alpha, iters=20)
    k = np.arange(21)
    expected = np.column_stack([(1 - 2 * alpha) ** k * -4.0, (1 - 8 * alpha) ** k * 2.0])
    np.testing.assert_allclose(path, expected, rtol=1e-10, atol=1e-14)


def test_converges_to_the_known_minimum():
    rng = np.random.default_rng(0)
    center = rng.normal(size=2)
    A, gradient, _ = quadratic([1.0, 5.0], 0.7, center)
    path = gradient_descent(gradient, rng.normal(size=2) * 5, alpha=1 / 5.0, iters=200)
    np.testing.assert_allclose(path[-1], center, atol=1e-10)


def test_converges_in_higher_dimensions():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    lambdas = np.array([0.5, 1.0, 2.0, 4.0])
    A = Q @ np.diag(lambdas) @ Q.T
    center = rng.normal(size=4)
    path = gradient_descent(lambda w: A @ (w - center), np.zeros(4), alpha=0.4, iters=300)
    np.testing.assert_allclose(path[-1], center, atol=1e-10)


@settings(max_examples=50, deadline=None)
@given(
    lam_small=st.floats(0.1, 5.0),
    ratio=st.floats(1.0, 20.0),
    angle=st.floats(0.0, np.pi),
    fraction=st.floats(0.01, 0.99),
    start=st.tuples(st.floats(-10, 10), st.floats(-10, 10)),
)
def test_each_eigen_direction_shrinks_by_one_minus_alpha_lambda(lam_small, ratio, angle, fraction, start):
    lambdas = np.array([lam_small, lam_small * ratio])
    center = np.array([1.0, -2.0])
    _, gradient, rotation = quadratic(lambdas, angle, center)
    alpha = fraction * 2 / lambdas.max()  # α < 2/λ_max の内側
    iters = 15
    path = gradient_descent(gradient, np.array(start), alpha=alpha, iters=iters)
    coords = (path - center) @ rotation  # 固有ベクトルの向きの成分
    k = np.arange(iters + 1)[:, None]
    expected = coords[0] * (1 - alpha * lambdas) ** k
    np.testing.assert_allclose(coords, expected, rtol=1e-8, atol=1e-9 * (1 + np.abs(coords[0]).max()))
    # どの向きも縮む(倍率の絶対値が 1 未満)
    assert np.all(np.abs(1 - alpha * lambdas) < 1)


@pytest.mark.parametrize("factor", [2.05, 2.5, 3.0])
def test_beyond_the_threshold_the_path_grows_without_raising(factor):
    lambdas = np.array([2.0, 8.0])
    alpha = factor / lambdas.max()  # α > 2/λ_max
    path = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=alpha, iters=30)
    growth = abs(1 - alpha * lambdas.max())
    assert growth > 1
    np.testing.assert_allclose(np.abs(path[:, 1]), 2.0 * growth ** np.arange(31), rtol=1e-10)
    assert np.all(np.diff(np.abs(path[:, 1])) > 0)
    assert np.all(np.isfinite(path))


@pytest.mark.parametrize("alpha", [0.26, 0.6, 1.5])
def test_beyond_the_threshold_the_size_grows_at_the_steep_factor(alpha):
    # 本文「発散とあふれ」: 倍率の絶対値は急な向きの |1 - αλmax| = αλmax - 1 が最も大きく、重み全体の大きさも
    # やがてこの倍率で大きくなる。ゆるやかな向き(λmin = 2)が縮むのは α < 2/λmin = 1 のときだけ
    path = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=alpha, iters=60)
    norms = np.linalg.norm(path, axis=1)
    np.testing.assert_allclose(norms[-1] / norms[-2], alpha * 8.0 - 1, rtol=1e-6)
    slow = np.abs(path[:, 0])
    assert (slow[-1] < slow[0]) == (alpha < 2 / 2.0)


def test_just_below_the_threshold_still_converges_and_just_above_diverges():
    below = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=0.249, iters=2000)
    above = gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=0.251, iters=2000)
    assert np.linalg.norm(below[-1]) < 1e-6
    assert np.linalg.norm(above[-1]) > 1e6


def test_overflow_raises_divergence_error_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow の RuntimeWarning が漏れたら失敗
        with pytest.raises(DivergenceError, match=r"^勾配降下法が発散しました。\d+ 回更新した後の w の大きさが、はじめの 4\.47214 から inf に増えました\(alpha=0\.3\)。学習率 alpha が大きすぎるので、alpha=0\.03 のように小さくしてください。$"):
            gradient_descent(bowl_gradient, [-4.0, 2.0], alpha=0.3, iters=100_000)


def test_gradient_that_overflows_itself_is_reported_as_divergence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match="^勾配降下法が発散しました。"):
            gradient_descent(lambda w: w ** 3, [3.0, -3.0], alpha=0.5, iters=100)


def test_divergence_error_is_a_value_error():
    assert issubclass(DivergenceError, ValueError)


@pytest.mark.parametrize(
    "w, alpha, iters, match",
    [
        ([[1.0, 2.0]], 0.1, 10, r"w は 1 次元の配列にしてください。受け取ったのは形 \(1, 2\) の 2 次元の配列です。"),
        ([1.0, np.nan], 0.1, 10, r"w に NaN か inf が 1 個あります\(最初は w\[1\]\)"),
        ([], 0.1, 10, r"w は空でない配列にしてください。"),
        ([1.0, 2.0], 0.0, 10, r"alpha は正の有限の数にしてください。受け取ったのは 0\.0 です。"),
        ([1.0, 2.0], -0.1, 10, r"alpha は正の有限の数にしてください。"),
        ([1.0, 2.0], np.inf, 10, r"alpha は正の有限の数にしてください。受け取ったのは inf です。"),
        ([1.0, 2.0], 0.1, 0, r"iters は正の整数にしてください。受け取ったのは 0 です。"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(w, alpha, iters, match):
    with pytest.raises(ValueError, match=match):
        gradient_descent(bowl_gradient, w, alpha, iters)


@pytest.mark.parametrize(
    "gradient, w, alpha, iters, match",
    [
        (bowl_gradient, ["a", "b"], 0.1, 10, r"w は実数\(数か数の配列\)にしてください。受け取ったのは文字列の入った長さ 2 の list です。"),
        (bowl_gradient, [1.0, 2.0], "0.1", 10, r"alpha は正の数にしてください。受け取ったのは str の値 '0\.1' です。"),
        (bowl_gradient, [1.0, 2.0], True, 10, r"alpha は正の数にしてください。受け取ったのは bool の値 True です。"),
        (bowl_gradient, [1.0, 2.0], 0.1, 2.5, r"iters は正の整数にしてください。受け取ったのは float の値 2\.5 です。"),
        ("bowl", [1.0, 2.0], 0.1, 10, r"gradient は w を受け取る関数にしてください。受け取ったのは str の値 'bowl' です。"),
        (lambda w: "steep", [1.0, 2.0], 0.1, 10, r"gradient\(w\) は実数"),
        (lambda w: w * 1j, [1.0, 2.0], 0.1, 10, r"gradient\(w\) は実数.*複素数は実部だけを取り出すことはしません"),
    ],
)
def test_wrong_types_are_type_errors(gradient, w, alpha, iters, match):
    with pytest.raises(TypeError, match=match):
        gradient_descent(gradient, w, alpha, iters)


def test_gradient_with_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"gradient\(w\) は w と同じ形 \(2,\) の配列を返すようにしてください。返したのは形 \(3,\) の値です。"):
        gradient_descent(lambda w: np.zeros(3), [1.0, 2.0], alpha=0.1, iters=5)
