"""ロジスティック回帰(2値分類): 予測関数・損失関数・勾配・分類。

正解値 yt は 0 か 1、予測値 yp は「クラス 1 である確率」です。
x (M, D) の先頭列はダミー変数 1、重み w は (D,) で、線形回帰と同じ形です。
"""

import numpy as np

from dlmath._validation import check_binary_labels, check_penalty, check_x_and_weight_vector, no_overflow
from dlmath.activations import sigmoid


@no_overflow
def predict(x, w):
    """予測関数 yp = f(x @ w)、f はシグモイド関数を返す(式 eq-logistic-predict)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
        入力データ(先頭列はダミー変数 1)。
    w : ndarray of shape (D,)

    Returns
    -------
    yp : ndarray of shape (M,)
        各データがクラス 1 である確率。
    """
    x, w = check_x_and_weight_vector(x, w)
    return sigmoid(x @ w)


@no_overflow
def loss(x, yt, w, lam=0.0):
    """交差エントロピー L = -(1/M) Σ (yt log yp + (1 - yt) log(1 - yp)) を返す
    (式 eq-logistic-loss)。

    yp が 0 や 1 に丸められると log(0) になるので、u = x @ w を使って同じ値を
    L = (1/M) Σ (log(1 + e^u) - yt u) と計算します
    (式 eq-logistic-loss-stable)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    yt : ndarray of shape (M,)
        正解値(0 または 1)。
    w : ndarray of shape (D,)
    lam : float
        L2 正則化の強さ λ。0 でなければ (λ/2) Σ_{i>=1} w_i^2 を加えます
        (切片 w_0 は除く、式 eq-logistic-loss-l2)。
    """
    x, w = check_x_and_weight_vector(x, w)
    yt = check_binary_labels(x, yt)
    lam = check_penalty(lam)
    u = x @ w
    # logaddexp(0, u) は log(1 + e^u) を、u が大きくても桁あふれせずに計算する
    return (np.mean(np.logaddexp(0, u) - yt * u)
            + lam / 2 * np.sum(w[1:] ** 2))


@no_overflow
def gradient(x, yt, w, lam=0.0):
    """交差エントロピーの勾配 ∇L = Xᵀ (yp - yt) / M を返す
    (式 eq-logistic-grad-vector)。

    lam > 0 なら、正則化の項の勾配 λ (0, w_1, ..., w_{D-1}) を加えます
    (式 eq-logistic-grad-l2)。

    Returns
    -------
    ndarray of shape (D,)
        i 番目の要素が ∂L/∂w_i。
    """
    x, w = check_x_and_weight_vector(x, w)
    yt = check_binary_labels(x, yt)
    lam = check_penalty(lam)
    M = x.shape[0]
    yd = predict(x, w) - yt
    return x.T @ yd / M + lam * np.r_[0.0, w[1:]]


@no_overflow
def classify(x, w):
    """確率 yp が 0.5 以上ならクラス 1、そうでなければ 0 を返す
    (節 sec-logistic-boundary)。

    yp >= 0.5 は x @ w >= 0 と同じなので、決定境界は直線 x @ w = 0 です。
    """
    x, w = check_x_and_weight_vector(x, w)
    return (x @ w >= 0).astype(int)


@no_overflow
def accuracy(x, yt, w):
    """正解率(classify の結果が正解値と一致するデータの割合)を返す。"""
    x, w = check_x_and_weight_vector(x, w)
    yt = check_binary_labels(x, yt)
    return np.mean(classify(x, w) == yt)
