"""数学の準備「ベクトルと行列」「多変数関数と偏微分」の式を数値で確かめ、ビルドしたページを調べる。

角度は内積を使わずに(ベクトルを回転させて)作り、偏微分と微分はすべて dlmath.numdiff の
中心差分と比べる。式が間違っていれば、これらのテストが失敗する。
"""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from conftest import ROOT, built_page, check_figure
from dlmath.data import load_height_weight
from dlmath.linear import gradient, loss
from dlmath.numdiff import numerical_derivative, numerical_gradient
from dlmath.preprocess import add_dummy, center

SETTINGS = settings(max_examples=50, deadline=None)
lengths = st.floats(0.1, 10.0)
angles = st.floats(0.0, np.pi)
coords = st.floats(-3.0, 3.0)


def unit(phi):
    return np.array([np.cos(phi), np.sin(phi)])


def cosine_similarity(a, b):
    # 式 eq-math-vec-cosine-similarity
    return (a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))


# ---- ベクトル ------------------------------------------------------------------------------------


@SETTINGS
@given(r1=lengths, r2=lengths, phi=st.floats(0.0, 2 * np.pi), theta=angles)
def test_dot_product_equals_norms_times_cosine_of_rotation_angle(r1, r2, phi, theta):
    # b は a の向きを θ だけ回転させて作る(角度を内積から求めない)。式 eq-math-vec-dot-cos
    a, b = r1 * unit(phi), r2 * unit(phi + theta)
    assert a @ b == pytest.approx(r1 * r2 * np.cos(theta), abs=1e-9 * r1 * r2)
    # 余弦定理 eq-math-vec-law-of-cosines
    assert np.linalg.norm(a - b) ** 2 == pytest.approx(r1**2 + r2**2 - 2 * r1 * r2 * np.cos(theta), abs=1e-9 * (r1 + r2) ** 2)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), D=st.integers(2, 8), r1=lengths, r2=lengths, theta=angles)
def test_dot_product_and_angle_in_higher_dimensions(seed, D, r1, r2, theta):
    # D 次元の中の、互いに直交する長さ 1 の 2 本 e1, e2 が張る平面で角度 θ を作る
    e, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(D, 2)))
    e1, e2 = e[:, 0], e[:, 1]
    a, b = r1 * e1, r2 * (np.cos(theta) * e1 + np.sin(theta) * e2)
    assert a @ b == pytest.approx(r1 * r2 * np.cos(theta), abs=1e-9 * r1 * r2)
    assert cosine_similarity(a, b) == pytest.approx(np.cos(theta), abs=1e-9)


def test_page_example_vectors():
    a, b = np.array([3.0, 1.0]), np.array([1.0, 2.0])
    assert np.linalg.norm(a) == pytest.approx(np.sqrt(10))  # 式 eq-math-vec-norm
    assert np.linalg.norm(a - b) == pytest.approx(np.sqrt(5))
    assert a @ b == pytest.approx(5.0)
    theta = np.arctan2(b[1], b[0]) - np.arctan2(a[1], a[0])
    assert np.degrees(theta) == pytest.approx(45.0)
    assert a @ a == pytest.approx(np.linalg.norm(a) ** 2)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), c=st.floats(0.01, 100.0))
def test_cosine_similarity_properties(seed, c):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=5), rng.normal(size=5)
    value = cosine_similarity(a, b)
    assert -1 - 1e-12 <= value <= 1 + 1e-12
    assert cosine_similarity(b, a) == pytest.approx(value)
    assert cosine_similarity(c * a, b) == pytest.approx(value, abs=1e-12)  # 長さによらない
    assert cosine_similarity(-a, b) == pytest.approx(-value, abs=1e-12)
    assert cosine_similarity(a, c * a) == pytest.approx(1.0)
    assert cosine_similarity(a, -c * a) == pytest.approx(-1.0)
    orthogonal = b - (a @ b) / (a @ a) * a  # b から a の向きの成分を除く
    assert cosine_similarity(a, orthogonal) == pytest.approx(0.0, abs=1e-12)


def test_page_cosine_similarity_examples():
    p = np.array([1.0, 2.0, 3.0])
    assert cosine_similarity(p, np.array([2.0, 4.0, 6.0])) == pytest.approx(1.0)
    assert cosine_similarity(p, np.array([-1.0, -2.0, -3.0])) == pytest.approx(-1.0)
    assert cosine_similarity(p, np.array([3.0, 0.0, -1.0])) == pytest.approx(0.0, abs=1e-15)
    # 演習 ex-math-vec-cosine
    q = np.array([1.0, 3.0, 1.0, 1.0])
    assert cosine_similarity(np.array([2.0, 1.0, 0.0, 3.0]), q) == pytest.approx(8 / np.sqrt(168))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), D=st.integers(1, 8), t=st.floats(-10.0, 10.0))
def test_cauchy_schwarz_and_its_discriminant_proof(seed, D, t):
    # 式 eq-math-vec-cauchy-schwarz: |a·b| <= ‖a‖‖b‖。本文の証明: ‖a + t b‖² = ‖b‖² t² + 2 (a·b) t + ‖a‖² >= 0
    a, b = np.random.default_rng(seed).normal(size=(2, D))
    expanded = (b @ b) * t**2 + 2 * (a @ b) * t + a @ a
    assert np.linalg.norm(a + t * b) ** 2 == pytest.approx(expanded, rel=1e-9, abs=1e-9)
    assert expanded >= -1e-9
    assert 4 * (a @ b) ** 2 - 4 * (b @ b) * (a @ a) <= 1e-9  # 判別式 <= 0
    assert abs(a @ b) <= np.linalg.norm(a) * np.linalg.norm(b) * (1 + 1e-12)
    # 等号は同じ直線の上にあるとき(b = c a)
    for c in (2.5, -0.3):
        assert abs(a @ (c * a)) == pytest.approx(np.linalg.norm(a) * np.linalg.norm(c * a))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_norm_of_sum(seed):
    # 演習 ex-math-vec-norm-of-sum: ‖a + b‖² = ‖a‖² + 2 a·b + ‖b‖²
    a, b = np.random.default_rng(seed).normal(size=(2, 6))
    assert np.linalg.norm(a + b) ** 2 == pytest.approx(a @ a + 2 * a @ b + b @ b)


# ---- 行列 ----------------------------------------------------------------------------------------


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), p=st.integers(1, 5), q=st.integers(1, 5), r=st.integers(1, 5))
def test_matrix_product_entries_are_row_column_inner_products(seed, p, q, r):
    # 本文と同じ文字: (p, q) と (q, r) の積が (p, r)、和の番号は s = 0, ..., q - 1
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(p, q)), rng.normal(size=(q, r))
    C = A @ B
    assert C.shape == (p, r)
    for i in range(p):
        for j in range(r):
            # 式 eq-math-vec-matmul: (AB)_ij = Σ_s a_is b_sj
            assert C[i, j] == pytest.approx(sum(A[i, s] * B[s, j] for s in range(q)), abs=1e-12)
    v = rng.normal(size=q)
    np.testing.assert_allclose(A @ v, [sum(A[i, s] * v[s] for s in range(q)) for i in range(p)], atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), p=st.integers(1, 5), q=st.integers(1, 5), r=st.integers(1, 5), c=st.integers(1, 5))
def test_transpose_of_products_reverses_the_order(seed, p, q, r, c):
    rng = np.random.default_rng(seed)
    A, B, C = rng.normal(size=(p, q)), rng.normal(size=(q, r)), rng.normal(size=(r, c))
    assert (A @ B).T.shape == (r, p)
    np.testing.assert_array_equal(A.T, [[A[j, i] for j in range(p)] for i in range(q)])  # 式 eq-math-vec-transpose
    np.testing.assert_allclose((A @ B).T, B.T @ A.T, atol=1e-12)  # 式 eq-math-vec-transpose-product
    np.testing.assert_allclose((A @ B @ C).T, C.T @ B.T @ A.T, atol=1e-12)  # 演習 ex-math-vec-transpose-three


def test_page_matrix_example():
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    B = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])
    np.testing.assert_array_equal(A @ B, [[5.0, 11.0], [14.0, 23.0]])
    assert (B @ A).shape == (3, 3)


# ---- 形とブロードキャスト ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "left, right, expected",
    [((5, 2), (2,), (5, 2)), ((5, 2), (5, 1), (5, 2)), ((5, 1), (5,), (5, 5)),
     ((3, 4), (4,), (3, 4)), ((3, 1), (4,), (3, 4)), ((2, 1, 4), (3, 1), (2, 3, 4))],
)
def test_broadcast_shapes(left, right, expected):
    assert (np.zeros(left) - np.zeros(right)).shape == expected


@pytest.mark.parametrize("left, right", [((5, 2), (5,)), ((3, 4), (3,))])
def test_incompatible_shapes_raise(left, right):
    with pytest.raises(ValueError, match="could not be broadcast"):
        np.zeros(left) + np.zeros(right)


@pytest.fixture
def talk():
    centered, _ = center(load_height_weight())
    return add_dummy(centered[:, 0:1]), centered[:, 1], np.array([2.0, -1.0])


def test_linear_regression_gradient_is_the_component_sums(talk):
    # 式 eq-linreg-grad-vector の x.T @ yd / M が、式 eq-math-vec-grad-sum(= 第3章の eq-linreg-grad-i)の和と同じ
    x, yt, w = talk
    M = len(yt)
    yd = x @ w - yt
    sums = np.array([np.sum(yd) / M, np.sum(x[:, 1] * yd) / M])
    loop = np.array([sum(x[m, i] * yd[m] for m in range(M)) / M for i in range(2)])
    np.testing.assert_allclose(x.T @ yd / M, sums, rtol=1e-12)
    np.testing.assert_allclose(x.T @ yd / M, loop, rtol=1e-12)
    np.testing.assert_allclose((x * yd[:, None]).mean(axis=0), sums, rtol=1e-12)
    np.testing.assert_allclose(gradient(x, yt, w), sums, rtol=1e-12)
    np.testing.assert_allclose(numerical_gradient(lambda v: loss(x, yt, v), w), sums, rtol=1e-6)
    # センタリングしたので ∂L/∂w0 = w0(第3章の sec-linreg-closed-form)
    assert sums[0] == pytest.approx(w[0])


def test_centred_linear_regression_loss_is_the_page_quadratic(talk):
    # 偏微分の章: センタリングした線形回帰の損失は L = ½ (w0² + s (w1 - w1*)²) + L*(最小点と最小値がずれた
    # 曲がり具合 1 と s の 2 次関数)。s はセンタリングした身長の 2 乗の平均で 1 より大きいので λmax = s
    x, yt, _ = talk
    s = np.mean(x[:, 1] ** 2)
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    L_star = loss(x, yt, w_star)
    assert w_star[0] == pytest.approx(0.0, abs=1e-12)
    assert L_star > 0  # 最小値は 0 ではない
    assert s == pytest.approx(11.6) and s > 1
    rng = np.random.default_rng(0)
    for w in rng.normal(size=(10, 2)) * 5:
        assert loss(x, yt, w) == pytest.approx(0.5 * (w[0] ** 2 + s * (w[1] - w_star[1]) ** 2) + L_star, rel=1e-12)


def test_column_weights_silently_give_a_wrong_loss(talk):
    x, yt, w = talk
    wrong = x @ w.reshape(-1, 1) - yt
    assert wrong.shape == (5, 5)
    assert np.mean(wrong**2) / 2 != pytest.approx(loss(x, yt, w), rel=1e-3)
    with pytest.raises(ValueError, match=r"^w は 1 次元の配列にしてください。") as error:
        loss(x, yt, w.reshape(-1, 1))
    # ページがメッセージについて書く文に引用したコード(`(2, 1)`、`w.ravel()` など)は、どれも実際のメッセージにある
    source = (ROOT / "book" / "math-vectors-matrices.md").read_text(encoding="utf-8")
    assert "英文のメッセージ" not in source  # メッセージは日本語
    summary = re.search(r"メッセージは、(.*?)を伝えています", source, re.S).group(1)
    quoted = re.findall(r"`([^`]+)`", summary)
    assert {"(2, 1)", "w.ravel()", "(D,)"} <= set(quoted)
    for code in quoted:
        assert code in str(error.value), code


# ---- 偏微分 -------------------------------------------------------------------------------------


def f(x, y):  # 式 eq-math-partial-bowl
    return x**2 + 4 * y**2


def grad_f(x, y):  # 式 eq-math-partial-bowl-grad
    return np.array([2 * x, 8 * y])


WORKED_EXAMPLES = {
    "bowl": (f, grad_f),
    # 式 eq-math-partial-example-g
    "g": (lambda x, y: x**2 * y + 3 * y**2, lambda x, y: np.array([2 * x * y, x**2 + 6 * y])),
    # 式 eq-math-partial-example-h
    "h": (lambda a, b: (a + 2 * b - 3) ** 2, lambda a, b: np.array([2 * (a + 2 * b - 3), 4 * (a + 2 * b - 3)])),
    # 演習 ex-math-partial-compute
    "exercise": (lambda x, y: x**3 - 2 * x * y**2 + 5 * y, lambda x, y: np.array([3 * x**2 - 2 * y**2, -4 * x * y + 5])),
}


@SETTINGS
@given(name=st.sampled_from(sorted(WORKED_EXAMPLES)), x=coords, y=coords)
def test_worked_partial_derivatives_match_numerical_gradient(name, x, y):
    func, analytic = WORKED_EXAMPLES[name]
    numeric = numerical_gradient(lambda v: func(v[0], v[1]), np.array([x, y]))
    np.testing.assert_allclose(analytic(x, y), numeric, rtol=1e-6, atol=1e-6)


def test_partial_derivative_exercise_value():
    func, analytic = WORKED_EXAMPLES["exercise"]
    np.testing.assert_allclose(analytic(1.0, 2.0), [-5.0, -3.0])


@SETTINGS
@given(x=coords, y=coords, dx=st.floats(-0.5, 0.5), dy=st.floats(-0.5, 0.5))
def test_total_differential_error_is_exactly_the_quadratic_term(x, y, dx, dy):
    # 式 eq-math-partial-total-differential と演習 ex-math-partial-total-gap
    actual = f(x + dx, y + dy) - f(x, y)
    assert actual - grad_f(x, y) @ np.array([dx, dy]) == pytest.approx(dx**2 + 4 * dy**2, abs=1e-9)


def test_total_differential_error_shrinks_like_the_square_of_the_step():
    # 本文: (Δx, Δy) = (0.1 r, -0.05 r) の倍率 r を 1/10 にすると、差は 1/100(ちょうど 0.02 r²)
    gaps = [f(1 + 0.1 * r, 1 - 0.05 * r) - f(1, 1) - grad_f(1, 1) @ [0.1 * r, -0.05 * r] for r in (1.0, 0.1)]
    assert gaps[0] == pytest.approx(0.02) and gaps[1] == pytest.approx(0.0002)
    assert gaps[0] / gaps[1] == pytest.approx(100.0)


@SETTINGS
@given(t=st.floats(-3.0, 3.0))
def test_multivariable_chain_rule_on_the_circle(t):
    # 式 eq-math-partial-chain-rule: d/dt f(x(t), y(t)) = f_x x'(t) + f_y y'(t)、x = cos t, y = sin t
    chain = grad_f(np.cos(t), np.sin(t)) @ np.array([-np.sin(t), np.cos(t)])
    numeric = numerical_derivative(lambda s: f(np.cos(s), np.sin(s)), t)
    assert chain == pytest.approx(numeric, abs=1e-6)
    assert chain == pytest.approx(6 * np.sin(t) * np.cos(t), abs=1e-12)


@SETTINGS
@given(t=st.floats(-2.0, 2.0))
def test_multivariable_chain_rule_exercise(t):
    # 演習 ex-math-partial-chain: f = x² y、x = 1 + t、y = t²
    x, y = 1 + t, t**2
    chain = 2 * x * y * 1 + x**2 * 2 * t
    numeric = numerical_derivative(lambda s: (1 + s) ** 2 * s**2, t)
    assert chain == pytest.approx(numeric, abs=1e-5)


@SETTINGS
@given(name=st.sampled_from(["bowl", "g", "exercise"]), x=st.floats(-2.0, 2.0), y=st.floats(-2.0, 2.0))
def test_gradient_is_perpendicular_to_the_contour(name, x, y):
    # 等高線に沿って少し動く: x を δ だけ動かし、値が同じになる y を勾配を使わずに根を探して求める
    func, analytic = WORKED_EXAMPLES[name]
    grad = analytic(x, y)
    assume(abs(grad[1]) > 0.5)  # 等高線が縦向きに近い点や平らな点は、この方法(y を解く)に向かない
    level, delta = func(x, y), 1e-4

    def gap(s):
        return func(x + delta, y + s) - level

    bracket = 20 * delta * (1 + abs(grad[0] / grad[1]))
    s = brentq(gap, -bracket, bracket, xtol=1e-15)
    chord = np.array([delta, s])
    assert func(x + delta, y + s) == pytest.approx(level, abs=1e-10)
    assert grad @ chord / (np.linalg.norm(grad) * np.linalg.norm(chord)) == pytest.approx(0.0, abs=1e-3)


def test_contour_tangent_on_the_page_ellipse():
    # 本文: x = √5 cos t, y = √5/2 sin t は f = 5 の等高線。接線の向きと勾配は直交する
    for t in np.linspace(0.1, 6.2, 25):
        point = np.array([np.sqrt(5) * np.cos(t), np.sqrt(5) / 2 * np.sin(t)])
        tangent = np.array([numerical_derivative(lambda s: np.sqrt(5) * np.cos(s), t),
                            numerical_derivative(lambda s: np.sqrt(5) / 2 * np.sin(s), t)])
        assert f(*point) == pytest.approx(5.0)
        assert cosine_similarity(grad_f(*point), tangent) == pytest.approx(0.0, abs=1e-8)
    # 演習 ex-math-partial-contour-slope: 点 (1, 1) での傾きは -f_x / f_y = -1/4
    slope = numerical_derivative(lambda s: np.sqrt((5 - s**2) / 4), 1.0)
    assert slope == pytest.approx(-0.25, abs=1e-8)


@SETTINGS
@given(name=st.sampled_from(sorted(WORKED_EXAMPLES)), x=coords, y=coords)
def test_gradient_points_in_the_direction_of_steepest_increase(name, x, y):
    # 式 eq-math-partial-directional: 長さ 1 の向き e への増え方は ∇f·e = ‖∇f‖ cos θ で、θ = 0 で最大
    func, analytic = WORKED_EXAMPLES[name]
    grad = analytic(x, y)
    assume(np.linalg.norm(grad) > 1e-3)
    directions = np.radians(np.arange(0, 360, 0.5))
    rates = [numerical_derivative(lambda t: func(x + t * np.cos(d), y + t * np.sin(d)), 0.0) for d in directions]
    best = directions[int(np.argmax(rates))]
    gap = np.angle(np.exp(1j * (best - np.arctan2(grad[1], grad[0]))))
    assert abs(np.degrees(gap)) <= 0.5
    assert max(rates) == pytest.approx(np.linalg.norm(grad), rel=1e-4, abs=1e-6)
    assert min(rates) == pytest.approx(-np.linalg.norm(grad), rel=1e-4, abs=1e-6)


def test_learning_rate_thresholds_of_the_page_example():
    # 式 eq-math-descent-alpha-threshold: λ = 2, 8 なので、揺れ始めは 1/8、発散は 2/8
    lambdas = np.array([2.0, 8.0])
    assert 1 / lambdas.max() == pytest.approx(0.125) and 2 / lambdas.max() == pytest.approx(0.25)
    for alpha in [0.01, 0.1, 0.22, 0.26]:
        rates = 1 - alpha * lambdas  # 向きごとの倍率
        assert (rates.min() < 0) == (alpha > 1 / lambdas.max())  # 符号が変わる = 揺れる
        assert (np.abs(rates).max() > 1) == (alpha > 2 / lambdas.max())  # 絶対値が 1 を超える = 発散する


@pytest.mark.parametrize("alpha", [0.26, 0.6, 1.5])
def test_beyond_the_threshold_the_steep_factor_is_largest(alpha):
    # 節「発散とあふれ」: α > 2/λmax では |1 - αλ| が最も大きいのは λmax の向き。
    # ゆるやかな向きが縮むのは α < 2/λmin のときだけ(α = 0.26 では 0.48 倍で縮み、α = 1.5 では |1 - 3| = 2 倍)
    lambdas = np.array([2.0, 8.0])
    rates = np.abs(1 - alpha * lambdas)
    assert alpha > 2 / lambdas.max()
    assert rates.argmax() == lambdas.argmax() and rates.max() == pytest.approx(alpha * lambdas.max() - 1)
    assert (rates[0] < 1) == (alpha < 2 / lambdas.min())
    if alpha == 0.26:
        assert 1 - alpha * lambdas.min() == pytest.approx(0.48)


def test_best_alpha_exercise():
    # 演習 ex-math-partial-best-alpha: 範囲 0 < α < 1/4 の外では大きいほうの倍率が 1 以上、最小は α = 1/5 で 3/5
    def slowest(alpha):
        return max(abs(1 - 2 * alpha), abs(1 - 8 * alpha))

    alphas = np.linspace(1e-4, 0.6, 60_001)
    values = np.array([slowest(a) for a in alphas])
    assert np.all(values[alphas >= 0.25] >= 1) and np.all(values[alphas < 0.25] < 1)
    assert alphas[values.argmin()] == pytest.approx(0.2, abs=1e-4)
    assert slowest(0.2) == pytest.approx(0.6)
    assert 2 / (2.0 + 8.0) == pytest.approx(0.2)  # 一般形 2/(λmin + λmax)


# ---- ページの原稿 --------------------------------------------------------------------------------



# ---- ビルドしたページ ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vectors_page(site):
    return built_page(site, "book/math-vectors-matrices")


@pytest.fixture(scope="module")
def partial_page(site):
    return built_page(site, "book/math-partial-derivatives")


@pytest.mark.parametrize(
    "page, labels",
    [
        ("vectors_page", ["eq-math-vec-norm", "eq-math-vec-dot", "eq-math-vec-law-of-cosines", "eq-math-vec-dot-cos",
                          "eq-math-vec-cauchy-schwarz", "eq-math-vec-cosine-similarity", "eq-math-vec-matmul",
                          "eq-math-vec-transpose-product", "eq-math-vec-grad-sum"]),
        ("partial_page", ["eq-math-partial-def-x", "eq-math-partial-mean-value", "eq-math-partial-total-differential",
                          "eq-math-partial-chain-rule", "eq-math-partial-chain-rule-general", "eq-math-partial-gradient", "eq-math-partial-directional", "eq-math-descent-update",
                          "eq-math-descent-closed-form", "eq-math-descent-alpha-threshold"]),
    ],
)
def test_equations_are_labelled(request, site, page, labels):
    soup = request.getfixturevalue(page)  # site: その層(tests/conftest.py の layer_of)がビルドを要ると分かるように
    for label in labels:
        math = soup.find(id=f"equation-{label}")
        assert math is not None and "\\" in math.get_text(), label


@pytest.mark.parametrize(
    "page, names",
    [
        ("vectors_page", ["fig-math-vec-arrows", "fig-math-vec-cosine-law", "fig-math-vec-matrix-product",
                          "fig-math-vec-broadcasting"]),
        ("partial_page", ["fig-math-partial-surface-contour", "fig-math-partial-slices", "fig-math-partial-gradient-field",
                          "fig-math-partial-descent-path", "fig-math-partial-learning-rates"]),
    ],
)
def test_figures_have_images_alt_text_and_captions(request, site, page, names):
    soup = request.getfixturevalue(page)
    for name in names:
        check_figure(site, soup, name, min_bytes=3_000)


def test_prose_numbers_come_from_glue(vectors_page, partial_page):
    for soup in (vectors_page, partial_page):
        assert "{glue" not in soup.get_text()
    text = vectors_page.get_text()
    assert "50.416" in text  # 講演の最初の損失(形の落とし穴の節)
    assert "50.41600000000001" not in text  # 出力は桁をそろえて表示する
    assert "2.0000" in text and "-32.7200" in text  # 勾配 x.T @ yd / M
    text = partial_page.get_text()
    assert "0.125" in text and "0.25" in text  # 1/λmax と 2/λmax
    assert "11.6" in text  # 線形単回帰の章の s(センタリングした身長の 2 乗の平均)をデータから glue
    assert "0.48" in text  # α = 0.26 での w0 の倍率(ゆるやかな向きは縮む)


def test_descent_source_is_shown(partial_page):
    assert "def gradient_descent(gradient, w, alpha, iters)" in partial_page.get_text()


def animation_output(soup):
    outputs = [o for o in soup.select(".cell_output") if "new Animation(" in str(o)]
    assert len(outputs) == 1, "the page should have exactly one animation"
    return outputs[0]


def test_animation_frames_are_small_files_of_the_site(partial_page, site):
    """コマは本のサイトの画像ファイル(_ext/page_assets.py がページから出す)で、合わせて小さく、外のサイトを使わない。"""
    output = animation_output(partial_page)
    html = str(output)
    frames = re.findall(r'frames\[(\d+)\] = "\.\./_images/(inline-[0-9a-f]+\.png)"', html)
    assert 10 <= len(frames) <= 40 and "data:image" not in html
    total = sum((site / "_images" / name).stat().st_size for _, name in frames)
    assert total < 400_000, f"the frames are {total // 1024} KB"
    # 本文が書く大きさは、読者が読み込むコマのファイルの大きさ
    assert f"{total / 1024:.0f} KB" in partial_page.get_text(), "the page states another size for the frames"
    assert output.select("input.anim-slider") and output.select("button")
    assert output.find("img").get("alt"), "the animation image needs alt text"
    for tag in output.find_all(["script", "link", "img", "iframe"]):
        for attribute in ("src", "href"):
            assert not re.match(r"(https?:)?//", tag.get(attribute, "")), tag


def test_no_external_scripts_or_styles_on_the_math_pages(vectors_page, partial_page):
    for soup in (vectors_page, partial_page):
        for tag in soup.find_all("script", src=True):
            assert not re.match(r"(https?:)?//", tag["src"]), tag["src"]
        for tag in soup.find_all("link", href=True):
            if "stylesheet" in tag.get("rel", []):
                assert not re.match(r"(https?:)?//", tag["href"]), tag["href"]


@pytest.mark.parametrize("page, prefix", [("vectors_page", "ex-math-vec-"), ("partial_page", "ex-math-partial-")])
def test_each_page_has_at_least_four_exercises_with_solutions(request, site, page, prefix):
    soup = request.getfixturevalue(page)
    exercises = soup.select("article div.exercise")
    assert len(exercises) >= 4
    for exercise in exercises:
        assert exercise["id"].startswith(prefix)
        solution = exercise.find_next_sibling()
        assert solution is not None and "solution" in solution.get("class", [])
        assert "dropdown" in solution.get("class", [])
