"""活性化関数: シグモイド関数(2値分類)、ソフトマックス関数(多値分類)、ReLU(ニューラルネットワークの隠れ層)。

どちらも指数関数を含むので、入力の絶対値が大きくても桁あふれしないように計算します。
"""

import numpy as np

from dlmath._validation import as_finite_array, no_overflow


def sigmoid(u):
    """シグモイド関数 f(u) = 1 / (1 + e^{-u}) を要素ごとに返す
    (式 eq-logistic-sigmoid)。

    Parameters
    ----------
    u : float or ndarray
        どの形でもよい。

    Returns
    -------
    float or ndarray
        u と同じ形で、値は 0 以上 1 以下。
    """
    u = as_finite_array("u", u, None)
    # u が大きな負の数だと e^{-u} が桁あふれするので、指数部が 0 以下になる形で計算する:
    # u >= 0 では 1 / (1 + e^{-u})、u < 0 では分母分子に e^{u} を掛けた
    # e^{u} / (1 + e^{u})
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))[()]


def sigmoid_derivative(u):
    """シグモイド関数の導関数 f'(u) = f(u)(1 - f(u)) を返す
    (式 eq-logistic-sigmoid-derivative)。"""
    f = sigmoid(u)
    return f * (1 - f)


def relu(u):
    """ReLU f(u) = max(0, u) を要素ごとに返す(式 eq-deep-relu)。"""
    u = as_finite_array("u", u, None)
    return np.maximum(u, 0.0)[()]


def relu_derivative(u):
    """ReLU の導関数 f'(u) を返す。u > 0 で 1、u <= 0 で 0
    (u = 0 では微分できないので 0 とする)。"""
    u = as_finite_array("u", u, None)
    return (u > 0).astype(np.float64)[()]


# 隠れ層に使える活性化関数と、その導関数の組(名前で選ぶ)
HIDDEN_ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_derivative), "relu": (relu, relu_derivative)}


def softmax(u):
    """ソフトマックス関数を行ごとに返す(式 eq-multiclass-softmax)。

    Parameters
    ----------
    u : ndarray of shape (N,) or (M, N)
        1 行が 1 件のデータの N 個の値。

    Returns
    -------
    ndarray
        u と同じ形。各行は 0 以上で、和が 1。
    """
    u = as_finite_array("u", u, (1, 2))
    # 行の最大値を引いて exp の桁あふれを防ぐ
    e = np.exp(u - u.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(u):
    """1 件分のソフトマックス関数のヤコビ行列
    J[k, j] = ∂f_k/∂u_j = f_k (δ_kj - f_j) を返す
    (式 eq-multiclass-softmax-jacobian)。

    Parameters
    ----------
    u : ndarray of shape (N,)

    Returns
    -------
    ndarray of shape (N, N)
        行列で書くと diag(f) - f fᵀ。
    """
    u = as_finite_array("u", u, 1)
    f = softmax(u)
    return np.diag(f) - np.outer(f, f)


@no_overflow
def log_softmax(u):
    """ソフトマックス関数の対数 log f_k(u) = u_k - log Σ_j e^{u_j} を行ごとに返す
    (式 eq-multiclass-log-softmax)。

    softmax の値の log を取ると、0 に丸められた確率で log(0) になるので、
    式を変形して直接計算します。
    """
    u = as_finite_array("u", u, (1, 2))
    # softmax と同じく最大値を引く(値は変わらない)
    z = u - u.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

