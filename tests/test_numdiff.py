"""dlmath.numdiff: 既知の導関数・勾配との一致、差分の幅 h に対する誤差の振る舞い、gradient_check。"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath.numdiff import gradient_check, numerical_derivative, numerical_gradient


@settings(max_examples=50, deadline=None)
@given(st.floats(-3, 3))
def test_numerical_derivative_of_known_functions(x):
    assert numerical_derivative(np.sin, x) == pytest.approx(np.cos(x), abs=1e-9)
    assert numerical_derivative(np.exp, x) == pytest.approx(np.exp(x), rel=1e-8)
    assert numerical_derivative(lambda t: t**3, x) == pytest.approx(3 * x**2, abs=1e-8)


def test_numerical_derivative_works_elementwise_on_arrays():
    x = np.linspace(0.5, 3, 6)
    np.testing.assert_allclose(numerical_derivative(np.log, x), 1 / x, rtol=1e-8)


def error(scheme, h, x=1.0):
    return abs(numerical_derivative(np.exp, x, h=h, scheme=scheme) - np.exp(x))


def test_truncation_error_shrinks_like_h_for_forward_and_h_squared_for_central():
    # h を 1/10 にすると、前進差分の誤差は約 1/10、中心差分の誤差は約 1/100 になる(丸め誤差が効く前の範囲)
    for h in (1e-1, 1e-2):
        assert error("forward", h) / error("forward", h / 10) == pytest.approx(10, rel=0.1)
        assert error("central", h) / error("central", h / 10) == pytest.approx(100, rel=0.1)


def test_rounding_error_takes_over_for_tiny_h():
    # h が小さすぎると f(x+h) - f(x) の桁落ちで誤差がかえって大きくなる
    for scheme in ("forward", "central"):
        errors = {h: error(scheme, h) for h in 10.0 ** -np.arange(1, 16)}
        best = min(errors, key=errors.get)
        assert 1e-12 < best < 1e-2
        assert errors[1e-15] > 100 * errors[best]
    assert min(error("central", h) for h in 10.0 ** -np.arange(1, 16)) < 1e-9
    assert error("central", 1e-5) < error("forward", 1e-5)


def test_numerical_gradient_of_known_functions_on_vectors_and_matrices():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    w = rng.normal(size=3)
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ A @ v, w), (A + A.T) @ w, rtol=1e-7)
    W, B = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    np.testing.assert_allclose(numerical_gradient(lambda V: np.sum(B * V**2), W), 2 * B * W, rtol=1e-7)


def test_gradient_check_is_small_for_a_right_gradient_and_large_for_a_wrong_one():
    w = np.array([0.3, -1.2, 2.0])
    f = lambda v: np.sum(np.sin(v) * v)  # noqa: E731
    right = lambda v: np.cos(v) * v + np.sin(v)  # noqa: E731
    assert gradient_check(f, right, w) < 1e-9
    assert gradient_check(f, lambda v: np.cos(v) * v, w) > 1e-2  # 積の微分の片方を忘れた誤り
    assert gradient_check(lambda v: 0.0, lambda v: np.zeros(3), w) == 0.0


def test_gradient_check_divides_by_the_sum_of_the_two_norms():
    # 本文の式 ‖G - G_num‖ / (‖G‖ + ‖G_num‖): 2 倍の勾配なら ‖g‖/(3‖g‖) = 1/3(大きいほうのノルムで割れば 1/2、
    # 数値微分のノルムで割れば 1)、符号が逆なら 2‖g‖/(2‖g‖) = 1(上限。大きいほうで割れば 2)
    w = np.array([0.3, -1.2, 2.0])
    f = lambda v: np.sum(v**2) / 2  # noqa: E731  勾配は v(中心差分は 2 次式で丸め誤差を除き正確)
    assert gradient_check(f, lambda v: 2 * v, w) == pytest.approx(1 / 3, rel=1e-8)
    assert gradient_check(f, lambda v: -v, w) == pytest.approx(1.0, rel=1e-8)
    assert gradient_check(f, lambda v: np.zeros_like(v), w) == pytest.approx(1.0, rel=1e-12)


def test_gradient_check_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"gradient\(w\) は w と同じ形 \(3,\) の配列を返すようにしてください。返したのは形 \(2,\) の値です。"):
        gradient_check(np.sum, lambda v: np.ones(2), np.zeros(3))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: numerical_derivative(np.sin, 1.0, scheme="backward"), "scheme は 'central' か 'forward' にしてください。受け取ったのは 'backward' です。"),
        (lambda: numerical_derivative(np.sin, np.nan), "x に NaN か inf が 1 個あります。"),
        (lambda: numerical_derivative(np.sin, 1.0, h=0), "h は正の有限の数にしてください。受け取ったのは 0 です。"),
        (lambda: numerical_gradient(np.sum, np.zeros((0, 2))), r"w は空でない配列にしてください。受け取ったのは形 \(0, 2\) の空の配列です。"),
    ],
)
def test_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
