"""分類モデルの学習ループ: 勾配降下法と、学習データ・テストデータでの損失と正解率の記録。

model には dlmath.logistic か dlmath.multiclass を渡します。どちらも同じ名前の関数
loss(x, yt, w)、gradient(x, yt, w)、accuracy(x, yt, w) を持つので、ループは 1 つで済みます。
"""

from dataclasses import dataclass

import numpy as np

from dlmath._validation import check_positive
from dlmath.errors import check_divergence, diverged


@dataclass(frozen=True)
class TrainingHistory:
    """学習の記録。k 番目の要素は k 回目の更新 *前* の重みでの値。

    Attributes
    ----------
    loss, accuracy : ndarray of shape (iters,)
        学習データでの損失と正解率。
    test_loss, test_accuracy : ndarray of shape (iters,) or None
        テストデータでの損失と正解率(テストデータを渡さなかったときは None)。
    w : ndarray of shape (iters, *w.shape)
        k 回目の更新 *後* の重み。
    """

    loss: np.ndarray
    accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    w: np.ndarray


def train(model, x, yt, w, alpha=0.01, iters=1000, test=None, lam=0.0):
    """勾配降下法 w ← w - α ∇L を iters 回くり返し、最後の重みと記録を返す(節 sec-logistic-training)。

    Parameters
    ----------
    model : module
        dlmath.logistic または dlmath.multiclass。
    x, yt, w
        学習データ、正解値、重みの初期値。形は model の関数と同じ。
    test : tuple (x_test, yt_test), optional
        各繰り返しで損失と正解率を記録するテストデータ。学習には使いません。
    lam : float
        L2 正則化の強さ λ。学習する損失と勾配に加えます(記録する損失は正則化の項を含みません)。

    Raises
    ------
    DivergenceError
        損失が有限でなくなるか、はじめの値の 1000 倍を超えたとき(学習率が大きすぎる)。
    """
    check_positive("alpha", alpha)
    check_positive("iters", iters, integer=True)
    w = np.array(w, dtype=np.float64)
    model.loss(x, yt, w, lam)  # 形と値をここで一度確かめる
    if test is not None:
        model.loss(*test, w)
    record = {key: np.empty(iters) for key in ("loss", "accuracy", "test_loss", "test_accuracy")}
    weights = np.empty((iters, *w.shape))
    with np.errstate(over="raise", invalid="raise"):  # 桁あふれは NaN にせず例外にする
        for k in range(iters):
            try:
                record["loss"][k], record["accuracy"][k] = model.loss(x, yt, w), model.accuracy(x, yt, w)
                if test is not None:
                    record["test_loss"][k], record["test_accuracy"][k] = model.loss(*test, w), model.accuracy(*test, w)
                w = w - alpha * model.gradient(x, yt, w, lam)
            except FloatingPointError:
                raise diverged(alpha, k, record["loss"][0] if k else np.nan, np.inf) from None
            check_divergence(record["loss"], k, alpha)
            weights[k] = w
    if test is None:
        record["test_loss"] = record["test_accuracy"] = None
    return w, TrainingHistory(**record, w=weights)
