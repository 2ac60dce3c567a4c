"""dlmath.multiclass: 多クラスの交差エントロピーと勾配の式、安定性、混同行列、入力検査。"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath import logistic
from dlmath.activations import softmax
from dlmath.multiclass import accuracy, classify, confusion_matrix, gradient, loss, predict
from dlmath.numdiff import gradient_check
from dlmath.preprocess import add_dummy, one_hot


def problem(seed, M=8, D=3, N=4, scale=1.0):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = one_hot(rng.integers(0, N, size=M), N)
    return x, yt, scale * rng.normal(size=(D, N))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 3.0))
def test_loss_equals_the_cross_entropy_formula(seed, scale):
    x, yt, W = problem(seed, scale=scale)
    formula = -np.mean(np.sum(yt * np.log(softmax(x @ W)), axis=1))  # 式 eq-multiclass-loss
    assert loss(x, yt, W) == pytest.approx(formula, rel=1e-10)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.01, 1.0]))
def test_gradient_matches_central_difference(seed, lam):
    # 式 eq-multiclass-grad: ∇_W L = Xᵀ(Yp - Yt)/M(W の全成分を数値微分する)
    x, yt, W = problem(seed)
    error = gradient_check(lambda V: loss(x, yt, V, lam), lambda V: gradient(x, yt, V, lam), W)
    assert error < 1e-7


def test_two_classes_reduce_to_logistic_regression():
    # クラス 0 の列を 0 にすると softmax((0, u))[1] = sigmoid(u) なので、クラス 1 の確率と 2 値の交差エントロピーが一致する
    rng = np.random.default_rng(3)
    x = add_dummy(rng.normal(size=(10, 2)))
    labels = rng.integers(0, 2, size=10)
    w = rng.normal(size=3)
    W = np.column_stack([np.zeros(3), w])
    yt = one_hot(labels, 2)  # 列 k がクラス k(ロジスティック回帰の y_p はクラス 1 の確率)
    assert loss(x, yt, W) == pytest.approx(logistic.loss(x, labels.astype(float), w), rel=1e-12)
    np.testing.assert_allclose(predict(x, W)[:, 1], logistic.predict(x, w))


def test_two_classes_depend_only_on_the_difference_of_the_columns():
    # 演習 ex-multiclass-two-classes: y_{p,1} = f(u_1 - u_0)、重みは w_1 - w_0
    rng = np.random.default_rng(5)
    x = add_dummy(rng.normal(size=(10, 2)))
    W = rng.normal(size=(3, 2))
    np.testing.assert_allclose(predict(x, W)[:, 1], logistic.predict(x, W[:, 1] - W[:, 0]), rtol=1e-12)


def test_l2_penalty_leaves_the_intercept_row_alone():
    x, yt, W = problem(2)
    assert loss(x, yt, W, lam=2.0) - loss(x, yt, W) == pytest.approx(np.sum(W[1:] ** 2), rel=1e-12)
    expected = 2.0 * W
    expected[0] = 0.0
    np.testing.assert_allclose(gradient(x, yt, W, lam=2.0) - gradient(x, yt, W), expected)


def test_extreme_inputs_give_finite_loss_and_gradient_without_warnings():
    x = np.array([[1.0, 1e4], [1.0, -1e4]])
    W = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -1.0]])
    yt = one_hot([2, 0], 3)  # どちらも確率がほぼ 0 のクラスが正解
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = loss(x, yt, W), gradient(x, yt, W)
    assert value == pytest.approx(2e4)
    assert np.all(np.isfinite(grad))


def test_classify_is_the_most_probable_class_and_accuracy_counts_it():
    x, yt, W = problem(4, M=20)
    np.testing.assert_array_equal(classify(x, W), np.argmax(predict(x, W), axis=1))
    assert accuracy(x, yt, W) == pytest.approx(np.mean(classify(x, W) == np.argmax(yt, axis=1)))


def test_confusion_matrix_counts_pairs():
    C = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert C.sum() == 6 and np.trace(C) == 4


@pytest.mark.parametrize(
    "yt, match",
    [
        (np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]), r"yt は one-hot.*yt の行 \[1\] は違います\(たとえば \[0\.0, 1\.0, 1\.0\]\)"),
        (np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), r"yt は one-hot.*yt の行 \[1\] は違います"),
        (np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]]), r"yt は one-hot.*yt の行 \[0\] は違います"),
        (np.array([[1.0, 0.0], [0.0, 1.0]]), r"yt の列の数は、クラスの数 N=3\(W の列の数\)にしてください。受け取った形は \(2, 2\) です。"),
        (np.array([[1.0, 0.0, 0.0]]), r"x と yt の行の数\(サンプルの件数 M\)"),
        (np.array([0.0, 1.0]), r"yt は one-hot の 2 次元配列 \(M, N\) にしてください.*one_hot\(labels, 3\)"),
    ],
)
def test_rejects_labels_that_are_not_one_hot(yt, match):
    x = add_dummy(np.array([[1.0], [2.0]]))
    W = np.zeros((2, 3))
    for function in (loss, gradient, accuracy):
        with pytest.raises(ValueError, match=match):
            function(x, yt, W)


def test_rejects_mismatched_weight_matrix():
    x = add_dummy(np.array([[1.0], [2.0]]))
    with pytest.raises(ValueError, match=r"W の行の数は、x の列の数 D=2 と同じ.*x の列の数 D はダミー変数の列を含めて数えます"):
        predict(x, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"W は 2 次元の配列にしてください。.*W は形 \(D, N\)"):
        predict(x, np.zeros(2))


@pytest.mark.parametrize(
    "labels, predicted, match",
    [([0, 3], [0, 1], r"labels は 0 から 2 までの整数\(N=3 個のクラスの番号\)にしてください。受け取った値には \[3\.0\] があります。"),
     ([0, 1], [0, 1.5], r"predicted は 0 から 2 までの整数.*\[1\.5\]"),
     ([0, 1, 2], [0, 1], r"labels と predicted は同じ形にしてください。受け取ったのは \(3,\) と \(2,\) です。")],
)
def test_confusion_matrix_rejects_bad_indices(labels, predicted, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(labels, predicted, 3)
