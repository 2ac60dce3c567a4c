"""dlmath.training.train と dlmath.network.train_network・minibatches: 学習の記録、決定性、発散の検出、
scikit-learn との一致、ミニバッチの分け方、早期終了。

scikit-learn の LogisticRegression は Σ logloss に C 倍をかけ、切片を除く ½‖w‖² を足したものを最小にする。
M で割れば「平均の交差エントロピー + ‖w‖² / (2CM)」なので、こちらの λ = 1 / (C M) と同じ問題になる。
正則化なしは C=np.inf(penalty=None は非推奨)。最適解があるのは、クラスが重なっているときか正則化したときだけ。
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from dlmath import DivergenceError, logistic, multiclass, network
from dlmath.data import load_digits, load_iris
from dlmath.optimizers import SGD, Adam, Momentum
from dlmath.preprocess import add_dummy, one_hot, standardize, train_test_split
from dlmath.network import minibatches, train_network
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
    with pytest.raises(DivergenceError, match=r"\(alpha=1000\)。学習率 alpha が大きすぎるので、alpha=100 のように小さくしてください。それでも発散"):
        train(logistic, add_dummy(x), labels.astype(float), np.zeros(3), alpha=1000.0, iters=100)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": 0.0}, "alpha は正の有限の数にしてください。受け取ったのは 0.0 です。"),
        ({"lam": -1.0}, "lam は 0 以上の有限の数にしてください。"),
        ({"test": (np.ones((4, 3)), np.zeros(5))}, r"^test=\(x_test, yt_test\): x と yt の行の数\(サンプルの件数 M\)をそろえてください"),
        ({"test": (np.ones((4, 3)), np.full(4, 2.0))}, r"^test=\(x_test, yt_test\): yt は 0 と 1 だけの配列"),
    ],
)
def test_rejects_bad_arguments(kwargs, match):
    _, x, labels = iris((0, 1), (0, 1))
    with pytest.raises(ValueError, match=match):
        train(logistic, x, labels.astype(float), np.zeros(3), **kwargs)


# --- ニューラルネットワークの学習(train_network)とミニバッチ ------------------------------------------------


def digits(M_train=300, M_test=200, seed=0):
    x, labels = load_digits()
    x_all = add_dummy(x / 16)
    yt_all = one_hot(labels, 10)
    x_train, x_test, yt_train, yt_test = train_test_split(x_all, yt_all, len(labels) - M_train, seed=seed)
    return x_train, yt_train, x_test[:M_test], yt_test[:M_test]


def test_minibatches_cover_every_sample_once_in_a_shuffled_order():
    batches = minibatches(10, 4, np.random.default_rng(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    again = minibatches(10, 4, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    assert not np.array_equal(np.concatenate(batches), np.arange(10))


def test_network_training_learns_digits_and_records_every_epoch():
    x_train, yt_train, x_test, yt_test = digits()
    weights = network.init_weights(65, [32], 10, np.random.default_rng(1))
    weights, history = train_network(x_train, yt_train, weights, Adam(0.01), epochs=15, batch_size=32,
                                     rng=np.random.default_rng(2), test=(x_test, yt_test))
    assert history.loss.shape == history.test_accuracy.shape == (15,)
    assert history.valid_loss is None and history.best_epoch is None
    assert history.loss[-1] < history.loss[0]
    assert history.test_accuracy[-1] > 0.85
    assert history.accuracy[-1] == pytest.approx(network.accuracy(x_train, yt_train, weights))


def test_network_training_is_deterministic_for_a_seed():
    x_train, yt_train, _, _ = digits(M_train=100)
    runs = []
    for _ in range(2):
        weights = network.init_weights(65, [16], 10, np.random.default_rng(3))
        runs.append(train_network(x_train, yt_train, weights, Momentum(0.1), epochs=5, batch_size=10,
                                  rng=np.random.default_rng(4), dropout=0.2))
    np.testing.assert_array_equal(runs[0][1].loss, runs[1][1].loss)
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_returns_the_weights_of_the_best_validation_epoch():
    x_train, yt_train, x_valid, yt_valid = digits(M_train=60, M_test=300)
    weights = network.init_weights(65, [64], 10, np.random.default_rng(5))
    best, history = train_network(x_train, yt_train, weights, Adam(0.01), epochs=200, batch_size=10,
                                  rng=np.random.default_rng(6), valid=(x_valid, yt_valid), patience=5)
    assert len(history.valid_loss) == history.best_epoch + 1 + 5  # 最良のあと 5 エポック待って止まる
    assert history.valid_loss[history.best_epoch] == history.valid_loss.min()
    assert network.loss(x_valid, yt_valid, best) == pytest.approx(history.valid_loss[history.best_epoch])


def test_network_divergence_is_detected():
    x_train, yt_train, _, _ = digits(M_train=100)
    weights = network.init_weights(65, [16], 10, np.random.default_rng(7))
    with pytest.raises(DivergenceError, match=r"\(alpha=100\)。.*alpha=10 のように小さくしてください。"):
        train_network(x_train, yt_train, weights, SGD(100.0), epochs=5, batch_size=10, rng=np.random.default_rng(8))
    weights = network.init_weights(65, [16], 10, np.random.default_rng(7))
    train_network(x_train, yt_train, weights, SGD(1.0), epochs=5, batch_size=10, rng=np.random.default_rng(8))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"patience": 3}, r"patience\(早期終了\)には検証データが要ります。valid=\(x_valid, yt_valid\) も渡してください。"),
        ({"epochs": 0}, "epochs は正の整数にしてください。受け取ったのは 0 です。"),
        ({"batch_size": 0}, "batch_size は正の整数にしてください。"),
        ({"activation": "tanh"}, "activation は 'relu' か 'sigmoid' にしてください。受け取ったのは 'tanh' です。"),
        ({"test": (np.ones((3, 65)), np.zeros((3, 10)))}, r"^test=\(x_test, yt_test\): yt は one-hot\(各行で 1 つだけが 1、ほかは 0\)"),
    ],
)
def test_network_training_rejects_bad_arguments(kwargs, match):
    x_train, yt_train, _, _ = digits(M_train=50)
    weights = network.init_weights(65, [8], 10, np.random.default_rng(0))
    arguments = {"epochs": 1, "batch_size": 10, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(ValueError, match=match):
        train_network(x_train, yt_train, weights, SGD(0.1), **arguments)


def test_patience_that_never_triggers_still_returns_the_best_validation_epoch():
    x_train, yt_train, x_valid, yt_valid = digits(M_train=60, M_test=300)
    weights = network.init_weights(65, [64], 10, np.random.default_rng(5))
    # 200 エポックでは止まった(上のテスト)。ここでは早期終了が起きる前に epochs を使い切らせる。
    epochs = 40
    best, history = train_network(x_train, yt_train, weights, Adam(0.01), epochs=epochs, batch_size=10,
                                  rng=np.random.default_rng(6), valid=(x_valid, yt_valid), patience=epochs)
    assert len(history.valid_loss) == epochs  # 止まらなかった
    assert history.best_epoch < epochs - 1  # 最後のエポックより前が最良(そうでないとこのテストは何も確かめない)
    assert history.valid_loss[history.best_epoch] == history.valid_loss.min()
    assert network.loss(x_valid, yt_valid, best) == pytest.approx(history.valid_loss[history.best_epoch])
    assert network.loss(x_valid, yt_valid, best) < history.valid_loss[-1]


def test_divergence_message_shows_numpy_numbers_plainly():
    x_train, yt_train, _, _ = digits(M_train=100)
    weights = network.init_weights(65, [16], 10, np.random.default_rng(7))
    with pytest.raises(DivergenceError) as error:
        train_network(x_train, yt_train, weights, SGD(np.float64(100.0)), epochs=5, batch_size=10,
                      rng=np.random.default_rng(8))
    assert "(alpha=100)" in str(error.value) and "np.float64" not in str(error.value)
