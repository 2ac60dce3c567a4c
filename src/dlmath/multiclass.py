"""ソフトマックス回帰(多値分類): 予測関数・損失関数・勾配・分類。

正解値 yt は one-hot の (M, N)、重みは行列 W (D, N) です。予測値 yp の k 列目は
「クラス k である確率」で、各行の和は 1 になります。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_class_indices, check_one_hot, check_penalty, check_positive, check_x_and_weight_matrix, no_overflow
from dlmath.activations import log_softmax, softmax


@no_overflow
def predict(x, W):
    """予測関数 Yp = softmax(X W) を返す(式 eq-multiclass-predict)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
        入力データ(先頭列はダミー変数 1)。
    W : ndarray of shape (D, N)
        重み行列。k 列目がクラス k の重みベクトル。

    Returns
    -------
    yp : ndarray of shape (M, N)
        各行がそのデータの N クラスの確率。
    """
    x, W = check_x_and_weight_matrix(x, W)
    return softmax(x @ W)


@no_overflow
def loss(x, yt, W, lam=0.0):
    """交差エントロピー L = -(1/M) Σ_m Σ_k yt_mk log yp_mk を返す
    (式 eq-multiclass-loss)。

    log yp は log_softmax で直接計算し、0 に丸められた確率の log(0) を避けます。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    yt : ndarray of shape (M, N)
        one-hot の正解値。
    W : ndarray of shape (D, N)
    lam : float
        L2 正則化の強さ λ。(λ/2) Σ_{i>=1} Σ_k w_ik^2 を加えます
        (切片の行 W[0] は除く、式 eq-multiclass-loss-l2)。
    """
    x, W = check_x_and_weight_matrix(x, W)
    yt = check_one_hot(x, yt, W.shape[1])
    lam = check_penalty(lam)
    return cross_entropy(yt, x @ W) + lam / 2 * np.sum(W[1:] ** 2)


@no_overflow
def cross_entropy(yt, u):
    """ソフトマックス関数に入る値 u (M, N) と one-hot の正解値 yt (M, N) から、
    平均の交差エントロピーを返す(式 eq-multiclass-loss)。
    ニューラルネットワークの出力層の損失(式 eq-deep-loss)も同じ関数です。"""
    u = as_finite_array("u", u, 2)
    yt = check_one_hot(u, yt, u.shape[1], x_name="u", n_from="u")
    return -np.mean(np.sum(yt * log_softmax(u), axis=1))


@no_overflow
def gradient(x, yt, W, lam=0.0):
    """交差エントロピーの勾配 ∇_W L = Xᵀ (Yp - Yt) / M を返す
    (式 eq-multiclass-grad)。

    lam > 0 なら、正則化の項の勾配 λ W(切片の行 W[0] は 0)を加えます。

    Returns
    -------
    ndarray of shape (D, N)
        (i, k) 要素が ∂L/∂w_ik。
    """
    x, W = check_x_and_weight_matrix(x, W)
    yt = check_one_hot(x, yt, W.shape[1])
    lam = check_penalty(lam)
    M = x.shape[0]
    yd = predict(x, W) - yt
    penalty = lam * W
    penalty[0] = 0.0  # 切片は正則化しない
    return x.T @ yd / M + penalty


@no_overflow
def classify(x, W):
    """確率が最大のクラスの番号 (M,) を返す(節 sec-multiclass-regions)。"""
    x, W = check_x_and_weight_matrix(x, W)
    return np.argmax(x @ W, axis=1)


@no_overflow
def accuracy(x, yt, W):
    """正解率(classify の結果が one-hot の正解値のクラスと一致する割合)を返す。"""
    x, W = check_x_and_weight_matrix(x, W)
    yt = check_one_hot(x, yt, W.shape[1])
    return np.mean(classify(x, W) == np.argmax(yt, axis=1))


def confusion_matrix(labels, predicted, N):
    """混同行列 C (N, N) を返す。
    C[k, j] は正解がクラス k で、クラス j と予測した件数。"""
    check_positive("N", N, integer=True)
    labels = check_class_indices("labels", labels, N)
    predicted = check_class_indices("predicted", predicted, N)
    if labels.shape != predicted.shape:
        shapes = f"{labels.shape} と {predicted.shape}"
        raise ValueError("labels と predicted は同じ形にしてください。"
                         f"受け取ったのは {shapes} です。")
    C = np.zeros((N, N), dtype=int)
    np.add.at(C, (labels, predicted), 1)
    return C

