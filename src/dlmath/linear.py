"""線形回帰: 予測関数・損失関数・勾配・勾配降下法(節 sec-linreg)と、正規方程式の解(節 sec-multireg)。

ダミー変数の列 x0 = 1 を先頭に持つ x (M, D) と重み w (D,) を使うので、
同じ関数がそのまま入力が 2 つ以上の線形回帰(重回帰)にも使えます。
"""

from dataclasses import dataclass

import numpy as np

from dlmath._validation import (as_finite_array, check_count, check_history, check_positive, check_same_m, check_x_and_weight_vector,
                                check_xyw, no_overflow)
from dlmath.errors import check_divergence, diverged


@no_overflow
def predict(x, w):
    """予測関数 yp = x @ w を返す(式 eq-linreg-predict-vector)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
        入力データ(先頭列はダミー変数 1)。
    w : ndarray of shape (D,)
        重みベクトル。w[0] が切片。

    Returns
    -------
    yp : ndarray of shape (M,)
        予測値。
    """
    x, w = check_x_and_weight_vector(x, w)
    return x @ w


@no_overflow
def loss(x, yt, w):
    """損失関数 L(w) = (1/2M) Σ (yp - yt)^2 を返す(式 eq-linreg-loss)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    yt : ndarray of shape (M,)
        正解値。
    w : ndarray of shape (D,)
    """
    x, yt, w = check_xyw(x, yt, w)
    yd = x @ w - yt
    return np.mean(yd**2) / 2


@no_overflow
def gradient(x, yt, w):
    """損失関数の勾配 ∇L = Xᵀ (yp - yt) / M を返す(式 eq-linreg-grad-vector)。

    Returns
    -------
    ndarray of shape (D,)
        i 番目の要素が ∂L/∂w_i。
    """
    x, yt, w = check_xyw(x, yt, w)
    M = x.shape[0]
    yd = x @ w - yt
    return x.T @ yd / M


@no_overflow
def step(x, yt, w, alpha):
    """勾配降下法の 1 回分の更新 w ← w - α ∇L を返す(式 eq-linreg-update)。"""
    x, yt, w = check_xyw(x, yt, w)
    check_positive("alpha", alpha)
    return w - alpha * gradient(x, yt, w)


@dataclass(frozen=True)
class History:
    """学習の記録。k は 0 から数えます。

    Attributes
    ----------
    loss : ndarray of shape (iters,)
        loss[k] は k 回更新した後(k + 1 回目の更新の前)の重みでの損失 L。
    w : ndarray of shape (iters, D)
        w[k] は k + 1 回目の更新の後の重み。
    """

    loss: np.ndarray
    w: np.ndarray

    def __post_init__(self):
        # frozen なので、検査した float64 の配列は object.__setattr__ で入れ直す
        for name, value in zip(("loss", "w"),
                               check_history(self.loss, self.w)):
            object.__setattr__(self, name, value)

    def line(self, k):
        """講演と同じ書式の 1 行 ``iter = k L = … w0 = … w1 = …`` を返す。
        k は 0 以上 iters 未満。"""
        k = check_count("k", k, 0, len(self.loss) - 1)
        weights = " ".join(f"w{i} = {wi:f}"
                           for i, wi in enumerate(self.w[k]))
        return f"iter = {k} L = {self.loss[k]:f} {weights}"

    def table(self, head=5, tail=5):
        """はじめの head 行と終わりの tail 行を、省略記号をはさんで返す。"""
        head = check_count("head", head, 0)
        tail = check_count("tail", tail, 0)
        n = len(self.loss)
        if head + tail >= n:
            rows = list(range(n))
        else:
            rows = [*range(head), None, *range(n - tail, n)]
        return "\n".join("..." if k is None else self.line(k) for k in rows)


@no_overflow
def fit(x, yt, w, alpha=0.01, iters=200):
    """勾配降下法で重みを学習し、最後の重みと記録を返す(節 sec-linreg-training)。

    各繰り返しで、いまの重みでの損失を記録してから重みを 1 回更新します
    (講演の表と同じ順序)。

    Raises
    ------
    DivergenceError
        損失が有限でなくなるか、はじめの値の DIVERGENCE_FACTOR 倍を超えたとき
        (dlmath.errors.check_divergence)。
    """
    x, yt, w = check_xyw(x, yt, w)
    check_positive("alpha", alpha)
    check_positive("iters", iters, integer=True)
    losses, weights = np.full(iters, np.nan), np.empty((iters, w.size))
    # 桁あふれは NaN にせず例外にする
    with np.errstate(over="raise", invalid="raise"):
        for k in range(iters):
            try:
                losses[k] = loss(x, yt, w)
                w = step(x, yt, w, alpha)
            except FloatingPointError:
                if k == 0:
                    # 更新の前からあふれた: 学習率より入力の大きさの問題
                    # (no_overflow が ValueError にする)
                    raise
                # 損失(NaN のまま)か、k + 1 回目の更新があふれた
                after = k if np.isnan(losses[k]) else k + 1
                raise diverged(alpha, after, losses[0], np.inf) from None
            check_divergence(losses, k, alpha)
            weights[k] = w
    return w, History(losses, weights)


@no_overflow
def normal_equation(x, yt):
    """正規方程式 XᵀX w = Xᵀ yt のただ 1 つの解 w* を返す
    (式 eq-linreg-normal, 節 sec-multireg-lstsq)。

    XᵀX を作らずに、x のまま np.linalg.lstsq で最小二乗法の問題を解きます
    (XᵀX を作ると条件数が 2 乗になるため。節 sec-multireg-condition)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
        入力データ(先頭列はダミー変数 1)。
    yt : ndarray of shape (M,)
        正解値。

    Returns
    -------
    w : ndarray of shape (D,)
        損失 L(w) を最小にする重み。

    Raises
    ------
    ValueError
        x のランクが D より小さい(列が 1 次独立でない)とき。解はただ 1 つに
        決まりません(np.linalg.lstsq はその中でノルムが最小の解を返します)。
        ランクは lstsq が数値で判定したもの(rcond=None の既定の基準)なので、
        丸め誤差の範囲で 1 次独立でない列もランクを下げます。
    """
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 1)
    check_same_m(x, yt)
    w, _, rank, _ = np.linalg.lstsq(x, yt, rcond=None)
    M, D = x.shape
    if rank < D:
        if M < D:
            fix = (f"サンプルの件数 M={M} が D より少ないので、"
                   "サンプルを増やすか入力を減らしてください。")
        else:
            fix = ("ほかの列の定数倍や和になっている列"
                   "(同じ列の重複など)を除いてください。")
        raise ValueError(f"x の列が 1 次独立ではない(ランク {rank} < "
                         f"列の数 D={D})ので、正規方程式の解はただ 1 つに"
                         f"決まりません。{fix}解の 1 つで足りるなら、"
                         "np.linalg.lstsq(x, yt, rcond=None)[0] が"
                         "ノルムの最も小さい解を返します。")
    return w
