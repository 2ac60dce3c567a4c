"""分類モデルの学習ループ: 勾配降下法と、学習データ・テストデータでの損失と正解率の記録。

train はロジスティック回帰・ソフトマックス回帰を全データの勾配で学習し、train_network はニューラルネットワークを
ミニバッチの勾配と最適化手法(dlmath.optimizers)で学習します。

model には dlmath.logistic か dlmath.multiclass を渡します。どちらも同じ名前の関数
loss(x, yt, w)、gradient(x, yt, w)、accuracy(x, yt, w) を持つので、ループは 1 つで済みます。
"""

from dataclasses import dataclass

import numpy as np

from dlmath import network
from dlmath._validation import (as_finite_array, check_fraction, check_model, check_one_hot, check_pair, check_penalty,
                                check_positive, check_rng, check_x_weights, no_overflow, unchecked_update)
from dlmath.errors import NETWORK_DIVERGENCE_FACTOR, check_divergence, diverged
from dlmath.multiclass import cross_entropy

# 正解値の種類(文字列のラベルを受け取ったときに、数への直し方を選ぶ)
_LABELS = {"dlmath.logistic": "binary", "dlmath.multiclass": "one_hot"}


@dataclass(frozen=True)
class TrainingHistory:
    """学習の記録。k 番目の要素(0 から数える)は、k 回更新した後
    (k + 1 回目の更新の前)の重みでの値。

    Attributes
    ----------
    loss, accuracy : ndarray of shape (iters,)
        学習データでの損失と正解率。
    test_loss, test_accuracy : ndarray of shape (iters,) or None
        テストデータでの損失と正解率(テストデータを渡さなかったときは None)。
    w : ndarray of shape (iters, *w.shape)
        w[k] は k + 1 回目の更新の後の重み。
    """

    loss: np.ndarray
    accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    w: np.ndarray


@no_overflow
def train(model, x, yt, w, alpha=0.01, iters=1000, test=None, lam=0.0):
    """勾配降下法 w ← w - α ∇L を iters 回くり返し、最後の重みと記録を返す
    (節 sec-logistic-training)。

    Parameters
    ----------
    model : module
        dlmath.logistic または dlmath.multiclass(ほかは TypeError)。
    x, yt, w
        学習データ、正解値、重みの初期値。形は model の関数と同じ。
    test : tuple (x_test, yt_test), optional
        各繰り返しで損失と正解率を記録するテストデータ。学習には使いません。
        2 つ組でなければエラーで、メッセージは test のどちらの値が違うかを書きます。
    lam : float
        L2 正則化の強さ λ。学習する損失と勾配に加えます
        (記録する損失は正則化の項を含みません)。

    Raises
    ------
    DivergenceError
        損失が有限でなくなるか、はじめの値の DIVERGENCE_FACTOR 倍を
        超えたとき(学習率が大きすぎる)。
    """
    check_model(model)
    check_positive("alpha", alpha)
    check_positive("iters", iters, integer=True)
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, None, labels=_LABELS[model.__name__])
    w = as_finite_array("w", w, None)
    # 形と値をここで一度確かめる(以後は確かめた float64 の配列を使う)
    model.loss(x, yt, w, lam)
    if test is not None:
        test = check_pair(
            "test", test,
            lambda x_test, yt_test: _checked_set(model, x_test, yt_test, w))
    record = {key: np.full(iters, np.nan)
              for key in ("loss", "accuracy", "test_loss", "test_accuracy")}
    weights = np.empty((iters, *w.shape))
    # 桁あふれは NaN にせず例外にする
    with np.errstate(over="raise", invalid="raise"):
        for k in range(iters):
            try:
                record["loss"][k] = model.loss(x, yt, w)
                record["accuracy"][k] = model.accuracy(x, yt, w)
                if test is not None:
                    record["test_loss"][k] = model.loss(*test, w)
                    record["test_accuracy"][k] = model.accuracy(*test, w)
                w = w - alpha * model.gradient(x, yt, w, lam)
            except FloatingPointError:
                if k == 0:
                    # 更新の前からあふれた: 学習率より入力の大きさの問題
                    # (no_overflow が ValueError にする)
                    raise
                # 損失(NaN のまま)か、k + 1 回目の更新があふれた
                losses = record["loss"]
                after = k if np.isnan(losses[k]) else k + 1
                raise diverged(alpha, after, losses[0], np.inf) from None
            check_divergence(record["loss"], k, alpha)
            weights[k] = w
    if test is None:
        record["test_loss"] = record["test_accuracy"] = None
    return w, TrainingHistory(**record, w=weights)


def _checked_set(model, x, yt, w):
    """テストデータの組を model の損失で一度確かめ、float64 の配列で返す。"""
    x = as_finite_array("x", x, None)
    yt = as_finite_array("yt", yt, None, labels=_LABELS[model.__name__])
    model.loss(x, yt, w)
    return x, yt


def minibatches(M, batch_size, rng):
    """0, ..., M-1 を並べ替え、batch_size 件ずつの番号の配列を順に返す
    (式 eq-deep-minibatch)。

    エポックごとに呼ぶと、毎回違う順序に混ぜ直したミニバッチになります。
    最後の 1 つは端数のこともあります。rng は numpy.random.Generator か、
    整数の種(np.random.default_rng(rng) にする)です。
    """
    check_positive("M", M, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    order = check_rng(rng).permutation(M)
    return [order[start:start + batch_size]
            for start in range(0, M, batch_size)]


@dataclass(frozen=True)
class NetworkHistory:
    """ニューラルネットワークの学習の記録。k 番目の要素(0 から数える)は k + 1 エポック目の終わりの値。

    Attributes
    ----------
    loss, accuracy : ndarray of shape (epochs,)
        学習データ全体での損失(正則化の項を含まない)と正解率。ドロップアウトは使わずに測ります。
    test_loss, test_accuracy : ndarray or None
        テストデータでの値(渡したときだけ)。
    valid_loss : ndarray or None
        早期終了の判断に使う検証データでの損失(渡したときだけ)。
    best_epoch : int or None
        patience を渡したとき、検証データの損失が最小だったエポック(返す重みはこのエポックのもの)。
        早期終了が起きずに epochs を使い切ったときも同じです。
    """

    loss: np.ndarray
    accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    valid_loss: np.ndarray | None
    best_epoch: int | None


@no_overflow
def train_network(x, yt, weights, optimizer, epochs, batch_size, rng,
                  activation="relu", lam=0.0, dropout=0.0,
                  test=None, valid=None, patience=None):
    """ミニバッチの勾配でニューラルネットワークを学習し、(重み, 記録) を返す
    (節 sec-deep-training)。

    エポックごとに学習データを混ぜ直してミニバッチに分け、
    各ミニバッチで順伝播・誤差逆伝播法・重みの更新をします。
    patience を渡すと、検証データ valid の損失が patience エポック続けて
    最小値を更新しなかったところで止め、損失が最小だったエポックの重みを
    返します(早期終了)。止まらずに epochs を使い切ったときも、
    返すのは損失が最小だったエポックの重みです。

    Parameters
    ----------
    x, yt, weights
        学習データ (M, D)、one-hot の正解値 (M, N)、
        init_weights の形の重みの初期値(書き換えません)。
    optimizer : SGD, Momentum, RMSProp or Adam
        dlmath.optimizers の最適化手法(ほかは TypeError)。
    epochs, batch_size : int
        エポックの数とミニバッチの件数(正の整数)。
    rng : numpy.random.Generator or int
        ミニバッチの混ぜ方とドロップアウトの乱数。
        整数なら種として np.random.default_rng(rng) にします。
    activation : {"relu", "sigmoid"}
        隠れ層の活性化関数 f(出力層はソフトマックス関数)。
    lam : float
        L2 正則化の強さ λ(0 以上)。損失に λ/2 × (切片の行を除く重みの 2 乗和)
        を加えて学習します(記録する損失はこの項を含みません)。
    dropout : float
        隠れ層の出力を 0 にする割合(0 以上 1 未満。1 ではすべてのノードが消える)。
    test, valid : tuple (x, yt), optional
        テストデータと検証データの 2 つ組。エラーのメッセージはどちらの組かを書きます。
    patience : int, optional
        早期終了までに待つエポックの数(正の整数)。valid が要ります。

    Raises
    ------
    DivergenceError
        学習データの損失が有限でなくなるか、はじめの値の 10 倍を超えたとき
        (学習率が大きすぎる)。
    """
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    rng = check_rng(rng)
    lam = check_penalty(lam)
    dropout = check_fraction("dropout", dropout)
    if patience is not None:
        check_positive("patience", patience, integer=True)
        if valid is None:
            raise ValueError(
                "patience(早期終了)には検証データが要ります。"
                "valid=(x_valid, yt_valid) も渡してください。")
    x, weights = check_x_weights(x, weights)
    yt = _check_one_hot(x, yt, weights)
    f, fprime = network._activation(activation)
    sets = {
        name: None if data is None else check_pair(
            name, data, lambda *pair: _checked_network_set(*pair, weights))
        for name, data in (("test", test), ("valid", valid))
    }
    # 最適化手法はここで一度確かめ、ループの中では検査を省く
    update = unchecked_update(optimizer, weights)
    record = {key: [] for key in ("loss", "accuracy", "test_loss",
                                  "test_accuracy", "valid_loss")}
    initial = network._loss(x, yt, weights, f)
    best = (np.inf, weights, None)
    # 桁あふれは NaN にせず例外にする
    with np.errstate(over="raise", invalid="raise"):
        for epoch in range(epochs):
            try:
                for batch in minibatches(x.shape[0], batch_size, rng):
                    yp, cache = network._forward(x[batch], weights, f,
                                                 dropout, rng)
                    grads = network._backward(yt[batch], weights, yp, cache,
                                              fprime, lam)
                    weights = update(weights, grads)
                _evaluate(record, x, yt, weights, f, sets)
            except FloatingPointError:
                raise diverged(optimizer.alpha, epoch + 1, initial, np.inf,
                               steps="エポック学習") from None
            check_divergence(np.r_[initial, record["loss"]], epoch + 1,
                             optimizer.alpha,
                             factor=NETWORK_DIVERGENCE_FACTOR,
                             steps="エポック学習")
            if patience is not None:
                if record["valid_loss"][-1] < best[0]:
                    best = (record["valid_loss"][-1], weights, epoch)
                elif epoch - best[2] >= patience:
                    break
    if patience is not None:
        # 止まったときも、epochs を使い切ったときも、
        # 検証データの損失が最小だったエポックの重み
        weights = best[1]
    arrays = {key: (np.array(values) if values else None)
              for key, values in record.items()}
    best_epoch = best[2] if patience is not None else None
    return weights, NetworkHistory(**arrays, best_epoch=best_epoch)


def _evaluate(record, x, yt, weights, f, sets):
    """1 エポックの終わりに、学習・テスト・検証データでの損失と正解率を記録する。"""
    for prefix, data in (("", (x, yt)), ("test_", sets["test"])):
        if data is not None:
            yp, cache = network._forward(data[0], weights, f)  # 損失と正解率で 1 回の順伝播を共有する
            record[prefix + "loss"].append(cross_entropy(data[1], cache["u"]))
            record[prefix + "accuracy"].append(np.mean(np.argmax(yp, axis=1) == np.argmax(data[1], axis=1)))
    if sets["valid"] is not None:
        record["valid_loss"].append(network._loss(*sets["valid"], weights, f))


def _check_one_hot(x, yt, weights):
    return check_one_hot(x, yt, weights[-1].shape[1], n_from="weights[-1]")


def _checked_network_set(x, yt, weights):
    """テストデータや検証データの組 (x, yt) を weights に合うか確かめ、float64 の配列で返す。"""
    x = check_x_weights(x, weights)[0]
    return x, _check_one_hot(x, yt, weights)
