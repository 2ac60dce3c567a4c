"""dlmath.activations: シグモイド関数とソフトマックス関数の値・導関数・数値的な安定性。"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlmath.activations import log_softmax, relu, relu_derivative, sigmoid, sigmoid_derivative, softmax, softmax_jacobian
from dlmath.numdiff import numerical_derivative, numerical_gradient

reals = st.floats(-30, 30)
rows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=reals)


def test_sigmoid_known_values():
    np.testing.assert_allclose(sigmoid(np.array([0.0, np.log(3.0), -np.log(3.0)])), [0.5, 0.75, 0.25])


@settings(max_examples=100, deadline=None)
@given(reals)
def test_sigmoid_matches_definition_and_symmetry(u):
    assert sigmoid(u) == pytest.approx(1 / (1 + np.exp(-u)), rel=1e-12)
    assert sigmoid(-u) == pytest.approx(1 - sigmoid(u), abs=1e-15)  # f(-u) = 1 - f(u)


@settings(max_examples=100, deadline=None)
@given(st.floats(-15, 15))
def test_sigmoid_derivative_matches_central_difference(u):
    # 式 eq-logistic-sigmoid-derivative: f'(u) = f(u)(1 - f(u))
    assert sigmoid_derivative(u) == pytest.approx(numerical_derivative(sigmoid, u), rel=1e-6, abs=1e-10)


def test_sigmoid_is_finite_and_silent_for_extreme_inputs():
    u = np.array([-1e4, -710.0, -50.0, 0.0, 50.0, 710.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # RuntimeWarning(overflow) があれば失敗させる
        f = sigmoid(u)
    assert np.all(np.isfinite(f))
    assert f[0] == 0.0 and f[-1] == 1.0 and f[3] == 0.5


def test_sigmoid_keeps_shape_and_scalars():
    assert sigmoid(np.zeros((2, 3))).shape == (2, 3)
    assert isinstance(sigmoid(0.0), float)


@settings(max_examples=100, deadline=None)
@given(rows)
def test_softmax_rows_are_probabilities(u):
    f = softmax(u)
    assert f.shape == u.shape
    assert np.all(f >= 0)
    np.testing.assert_allclose(f.sum(axis=1), 1.0, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(rows, st.floats(-100, 100))
def test_softmax_is_invariant_to_adding_a_constant_to_a_row(u, c):
    np.testing.assert_allclose(softmax(u + c), softmax(u), atol=1e-12)


def test_softmax_of_two_is_the_sigmoid():
    # クラス 0 の点数を 0 に固定すると、クラス 1 の確率 f_1(0, u) がシグモイド関数 f(u) になる
    u = np.linspace(-8, 8, 17)
    np.testing.assert_allclose(softmax(np.column_stack([np.zeros_like(u), u]))[:, 1], sigmoid(u), rtol=1e-12)


def test_softmax_with_a_dominant_input_approaches_one_hot():
    np.testing.assert_allclose(softmax(np.array([50.0, 0.0, 0.0])), [1, 0, 0], atol=1e-20)


def test_softmax_and_log_softmax_are_finite_and_silent_for_extreme_inputs():
    u = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [800.0, 799.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, logf = softmax(u), log_softmax(u)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(logf))
    np.testing.assert_allclose(f[1], [1 / 3] * 3)
    np.testing.assert_allclose(logf[2, :2], [-np.log1p(np.exp(-1.0)), -1 - np.log1p(np.exp(-1.0))])
    assert logf[0, 2] == pytest.approx(-2e4)  # log(0) にならず、正しい大きさの負の値


@settings(max_examples=100, deadline=None)
@given(rows)
def test_log_softmax_is_log_of_softmax(u):
    np.testing.assert_allclose(log_softmax(u), np.log(softmax(u)), rtol=1e-10, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)))
def test_softmax_jacobian_matches_central_difference(u):
    # 式 eq-multiclass-softmax-jacobian: ∂f_k/∂u_j = f_k(δ_kj - f_j)
    numeric = np.array([numerical_gradient(lambda v, k=k: softmax(v)[k], u) for k in range(u.size)])
    np.testing.assert_allclose(softmax_jacobian(u), numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize(
    "function, value, match",
    [
        (sigmoid, [1.0, np.nan], r"u に NaN か inf が 1 個あります\(最初は u\[1\]\)。"),
        (softmax, np.zeros((2, 2, 2)), r"u は 1 次元か 2 次元の配列にしてください。受け取ったのは形 \(2, 2, 2\) の 3 次元の配列です。"),
        (softmax, [[np.inf, 0.0]], r"u に NaN か inf が 1 個あります\(最初は u\[0, 0\]\)。"),
        (log_softmax, np.empty((0, 3)), r"u は空でない配列にしてください。受け取ったのは形 \(0, 3\) の空の配列です。"),
        (softmax_jacobian, np.zeros((2, 2)), "u は 1 次元の配列にしてください。"),
    ],
)
def test_rejects_bad_input(function, value, match):
    with pytest.raises(ValueError, match=match):
        function(value)


@pytest.mark.parametrize("value", ["a", [1.0, 2j], None])
def test_text_complex_and_none_are_type_errors(value):
    with pytest.raises(TypeError, match=r"^u は実数\(数か数の配列\)にしてください。"):
        sigmoid(value)


def test_relu_and_its_derivative():
    u = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(relu(u), [0.0, 0.0, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(relu_derivative(u), [0.0, 0.0, 0.0, 1.0, 1.0])  # u = 0 では 0 と決める
    for point in (-1.5, 0.7, 2.0):
        assert relu_derivative(point) == pytest.approx(numerical_derivative(relu, point))
