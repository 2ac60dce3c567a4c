"""ロジスティック回帰・ソフトマックス回帰の学習ループ: 全データの勾配での勾配降下法と、学習データ・テストデータでの
損失と正解率の記録。

ニューラルネットワークの学習ループ(ミニバッチと最適化手法)は、ネットワークと一緒に dlmath.network にあります。

model には dlmath.logistic か dlmath.multiclass を渡します。どちらも同じ名前の関数
loss(x, yt, w)、gradient(x, yt, w)、accuracy(x, yt, w) を持つので、ループは 1 つで済みます。
"""

from dataclasses import dataclass

import numpy as np

from dlmath._validation import as_finite_array, check_model, check_pair, check_positive, no_overflow
from dlmath.errors import check_divergence, diverged

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
