"""dlmath.training.train: 学習の記録、決定性、発散の検出、scikit-learn との一致。

scikit-learn の LogisticRegression は Σ logloss に C 倍をかけ、切片を除く ½‖w‖² を足したものを最小にする。
M で割れば「平均の交差エントロピー + ‖w‖² / (2CM)」なので、こちらの λ = 1 / (C M) と同じ問題になる。
正則化なしは C=np.inf(penalty=None は非推奨)。最適解があるのは、クラスが重なっているときか正則化したときだけ。
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from dlmath import DivergenceError, logistic, multiclass
from dlmath.data import load_iris
from dlmath.preprocess import add_dummy, one_hot, standardize, train_test_split
from dlmath.training import train

# 標準化した特徴量では、学習率 1.0 の勾配降下法が数千回で scikit-learn の解(lbfgs)に追いつく
ALPHA = 1.0


def iris(classes, features):
    x, labels = load_iris(classes, features)
    scaled = standardize(x)[0]
    return scaled, add_dummy(scaled), labels


def sklearn_fit(x, labels, C):
    return LogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(x, labels)


def test_binary_agrees_with_sklearn_without_penalty_where_classes_overlap():
    # versicolor と virginica は 4 つの特徴量でも重なるので、正則化なしでも最適解がある
    scaled, x, labels = iris((1, 2), (0, 1, 2, 3))
    w, _ = train(logistic, x, labels.astype(float), np.zeros(5), alpha=ALPHA, iters=20_000)
    reference = sklearn_fit(scaled, labels, C=np.inf)
    np.testing.assert_allclose(logistic.predict(x, w), reference.predict_proba(scaled)[:, 1], atol=1e-4)


def test_binary_agrees_with_sklearn_with_the_same_l2_penalty_on_separable_classes():
    scaled, x, labels = iris((0, 1), (0, 1))
    C = 1.0
    w, _ = train(logistic, x, labels.astype(float), np.zeros(3), alpha=ALPHA, iters=2_000, lam=1 / (C * len(labels)))
    reference = sklearn_fit(scaled, labels, C=C)
    np.testing.assert_allclose(logistic.predict(x, w), reference.predict_proba(scaled)[:, 1], atol=1e-6)
    np.testing.assert_allclose(w, np.r_[reference.intercept_, reference.coef_[0]], atol=1e-6)


def test_multiclass_agrees_with_sklearn_with_the_same_l2_penalty():
    # setosa は残りから線形分離できるので、正則化なしでは最適解がない。両側に同じ λ を付けて比べる
    scaled, x, labels = iris((0, 1, 2), (0, 1, 2, 3))
    C = 1.0
    W, _ = train(multiclass, x, one_hot(labels, 3), np.zeros((5, 3)), alpha=ALPHA, iters=3_000, lam=1 / (C * len(labels)))
    reference = sklearn_fit(scaled, labels, C=C)
    np.testing.assert_allclose(multiclass.predict(x, W), reference.predict_proba(scaled), atol=1e-6)
    np.testing.assert_allclose(W, np.vstack([reference.intercept_, reference.coef_.T]), atol=1e-5)


def test_separable_data_loss_keeps_falling_while_the_weights_grow():
    _, x, labels = iris((0, 1), (0, 1))
    w, history = train(logistic, x, labels.astype(float), np.zeros(3), alpha=ALPHA, iters=5_000)
    norms = np.linalg.norm(history.w, axis=1)
    assert np.all(np.diff(history.loss) < 0)
    assert np.all(np.diff(norms[100:]) > 0)
    assert norms[-1] > 1.5 * norms[500]  # 止まらずに伸び続ける(およそ log(繰り返し回数) に比例)
    _, penalised = train(logistic, x, labels.astype(float), np.zeros(3), alpha=ALPHA, iters=5_000, lam=0.01)
    penalised_norms = np.linalg.norm(penalised.w, axis=1)
    assert penalised_norms[-1] == pytest.approx(penalised_norms[2_500], rel=1e-9)  # 正則化すると止まる


def test_history_records_every_iteration_and_test_data():
    x, labels = load_iris((0, 1), (0, 1))
    x_train, x_test, yt_train, yt_test = train_test_split(add_dummy(x), labels.astype(float), 30, seed=0)
    w, history = train(logistic, x_train, yt_train, np.ones(3), alpha=0.01, iters=50, test=(x_test, yt_test))
    for name in ("loss", "accuracy", "test_loss", "test_accuracy"):
        assert getattr(history, name).shape == (50,)
    assert history.w.shape == (50, 3)
    np.testing.assert_array_equal(history.w[-1], w)
    assert history.loss[0] == pytest.approx(logistic.loss(x_train, yt_train, np.ones(3)))
    assert history.test_accuracy[-1] == pytest.approx(logistic.accuracy(x_test, yt_test, history.w[-2]))
    _, no_test = train(logistic, x_train, yt_train, np.ones(3), iters=5)
    assert no_test.test_loss is None and no_test.test_accuracy is None


def test_training_is_deterministic():
    _, x, labels = iris((0, 1, 2), (0, 2))
    runs = [train(multiclass, x, one_hot(labels, 3), np.zeros((3, 3)), alpha=0.1, iters=200)[1] for _ in range(2)]
    np.testing.assert_array_equal(runs[0].loss, runs[1].loss)
    np.testing.assert_array_equal(runs[0].w, runs[1].w)


def test_does_not_modify_the_initial_weights():
    _, x, labels = iris((0, 1), (0, 1))
    w0 = np.zeros(3)
    train(logistic, x, labels.astype(float), w0, iters=10)
    np.testing.assert_array_equal(w0, 0.0)


def test_too_large_learning_rate_is_detected():
    x, labels = load_iris((0, 1), (0, 1))  # 標準化しない: 特徴量が大きく、大きな α で損失が跳ね上がる
    with pytest.raises(DivergenceError, match=r"alpha=1000.*try a smaller one such as alpha=100"):
        train(logistic, add_dummy(x), labels.astype(float), np.zeros(3), alpha=1000.0, iters=100)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": 0.0}, "alpha must be positive"),
        ({"iters": 2.5}, "iters must be a positive integer"),
        ({"lam": -1.0}, "lam must be non-negative"),
        ({"test": (np.ones((4, 3)), np.zeros(5))}, "same number of samples"),
        ({"test": (np.ones((4, 3)), np.full(4, 2.0))}, "yt must contain only 0 and 1"),
    ],
)
def test_rejects_bad_arguments(kwargs, match):
    _, x, labels = iris((0, 1), (0, 1))
    with pytest.raises(ValueError, match=match):
        train(logistic, x, labels.astype(float), np.zeros(3), **kwargs)
