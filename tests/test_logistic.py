"""dlmath.logistic: 交差エントロピーと勾配の式、数値的な安定性、入力検査。"""

import warnings

import numpy as np
import pytest
from scipy import special
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath.activations import sigmoid
from dlmath.logistic import accuracy, classify, gradient, loss, predict
from dlmath.numdiff import gradient_check
from dlmath.preprocess import add_dummy


def problem(seed, M=9, D=4, scale=1.0):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = rng.integers(0, 2, size=M).astype(float)
    return x, yt, scale * rng.normal(size=D)


def test_hand_computed_case():
    x = np.array([[1.0, 2.0], [1.0, -1.0]])
    yt = np.array([1.0, 0.0])
    w = np.array([0.0, np.log(3.0) / 2])  # u = (log 3, -log 3 / 2)
    yp = predict(x, w)
    np.testing.assert_allclose(yp, [0.75, 1 / (1 + np.sqrt(3.0))])
    expected = -(np.log(0.75) + np.log(1 - yp[1])) / 2  # 式 eq-logistic-loss をそのまま
    assert loss(x, yt, w) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(gradient(x, yt, w), x.T @ (yp - yt) / 2)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 3.0))
def test_stable_loss_equals_the_cross_entropy_formula(seed, scale):
    x, yt, w = problem(seed, scale=scale)
    u = x @ w
    # 式 eq-logistic-loss を scipy の log_expit(log f(u) を桁落ちなしに計算する)で書いたもの
    exact = -np.mean(yt * special.log_expit(u) + (1 - yt) * special.log_expit(-u))
    assert loss(x, yt, w) == pytest.approx(exact, rel=1e-12)
    yp = sigmoid(u)
    if np.min(np.minimum(yp, 1 - yp)) > 1e-3:
        # 式のとおりの素朴な計算は、y_p が 0 や 1 に近いと 1 - y_p の桁落ちで不正確になる。そうでない範囲でだけ比べる
        formula = -np.mean(yt * np.log(yp) + (1 - yt) * np.log(1 - yp))
        assert loss(x, yt, w) == pytest.approx(formula, rel=1e-10)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.01, 1.0]))
def test_gradient_matches_central_difference(seed, lam):
    # 式 eq-logistic-grad-vector と eq-logistic-grad-l2
    x, yt, w = problem(seed)
    error = gradient_check(lambda v: loss(x, yt, v, lam), lambda v: gradient(x, yt, v, lam), w)
    assert error < 1e-7


def test_l2_penalty_leaves_the_intercept_alone():
    x, yt, w = problem(1)
    assert loss(x, yt, w, lam=2.0) - loss(x, yt, w) == pytest.approx(np.sum(w[1:] ** 2), rel=1e-12)
    difference = gradient(x, yt, w, lam=2.0) - gradient(x, yt, w)
    np.testing.assert_allclose(difference, 2.0 * np.r_[0.0, w[1:]])


def test_extreme_inputs_give_finite_loss_and_gradient_without_warnings():
    x = np.array([[1.0, 1e4], [1.0, -1e4], [1.0, 1e4], [1.0, -1e4]])
    yt = np.array([1.0, 0.0, 0.0, 1.0])  # 2 件は正しく、2 件は u = ±1e4 で大きく外れる
    w = np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = loss(x, yt, w), gradient(x, yt, w)
    assert value == pytest.approx(1e4 / 2)  # 外れた 2 件が log(1 + e^{1e4}) ≈ 1e4 ずつ
    assert np.all(np.isfinite(grad))


def test_classify_thresholds_at_one_half_and_accuracy_counts_matches():
    x = add_dummy(np.array([[-2.0], [-0.1], [0.0], [3.0]]))
    w = np.array([0.0, 1.0])
    np.testing.assert_array_equal(classify(x, w), [0, 0, 1, 1])
    np.testing.assert_array_equal(classify(x, w), predict(x, w) >= 0.5)
    assert accuracy(x, np.array([0.0, 1.0, 1.0, 1.0]), w) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "yt, w, match",
    [
        (np.array([0.0, 1.0, 2.0]), np.zeros(2), r"yt は 0 と 1 だけの配列.*受け取った値には \[2\.0\] があります。"),
        (np.array([0.0, 0.5, 1.0]), np.zeros(2), r"yt は 0 と 1 だけの配列.*\[0\.5\]"),
        (np.array([0.0, 1.0]), np.zeros(2), r"x と yt の行の数\(サンプルの件数 M\)をそろえてください"),
        (np.array([0.0, 1.0, np.nan]), np.zeros(2), "yt に NaN か inf が 1 個あります"),
        (np.array([[0.0], [1.0], [1.0]]), np.zeros(2), r"yt は 1 次元の配列にしてください。.*yt\.ravel\(\)"),
        (np.array([0.0, 1.0, 1.0]), np.zeros(3), "x の列の数 D はダミー変数の列を含めて数えます"),  # x にはもう 1 の列がある
    ],
)
def test_rejects_bad_labels_and_shapes(yt, w, match):
    x = add_dummy(np.array([[1.0], [2.0], [3.0]]))
    for function in (loss, gradient, accuracy):
        with pytest.raises(ValueError, match=match):
            function(x, yt, w)


@pytest.mark.parametrize(("lam", "error"), [(-1.0, ValueError), (np.inf, ValueError), (np.nan, ValueError),
                                            ("1", TypeError), (True, TypeError)])
def test_rejects_bad_penalty(lam, error):
    x, yt, w = problem(0)
    with pytest.raises(error, match="lam は 0 以上の"):
        loss(x, yt, w, lam)
    with pytest.raises(error, match="lam は 0 以上の"):
        gradient(x, yt, w, lam)
