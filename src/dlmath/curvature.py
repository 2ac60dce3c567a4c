"""損失関数の曲がり具合: ヘッセ行列・固有値・条件数(節 sec-math-curvature)。

線形回帰とロジスティック回帰の損失のヘッセ行列を式のとおりに計算し、その固有値から、
勾配降下法が収束する学習率の範囲と、1 回の更新で誤差が何倍になるかを求めます。
ヘッセ行列の記号には、隠れ層のノード数 H と区別するため ∇²L を使います。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_positive, check_symmetric, check_x_and_weight_vector, no_overflow
from dlmath.activations import sigmoid


@no_overflow
def linear_hessian(x):
    """線形回帰の損失のヘッセ行列 ∇²L = XᵀX / M を返す
    (式 eq-math-curv-linear-hessian)。重み w や正解値にはよりません。

    Parameters
    ----------
    x : ndarray of shape (M, D)
        入力データ(先頭列はダミー変数 1)。

    Returns
    -------
    ndarray of shape (D, D)
    """
    x = as_finite_array("x", x, 2)
    M = x.shape[0]
    return x.T @ x / M


@no_overflow
def logistic_hessian(x, w):
    """ロジスティック回帰の損失のヘッセ行列
    ∇²L = Xᵀ diag(yp (1 - yp)) X / M を返す
    (式 eq-math-curv-logistic-hessian)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    w : ndarray of shape (D,)
        ヘッセ行列を求める点の重み。正解値にはよりません。

    Returns
    -------
    ndarray of shape (D, D)
    """
    x, w = check_x_and_weight_vector(x, w)
    M = x.shape[0]
    yp = sigmoid(x @ w)
    # diag(c) を作らずに、X の行 m に c_m = yp(1 - yp) を掛ける
    return x.T @ (x * (yp * (1 - yp))[:, np.newaxis]) / M


def curvatures(hessian):
    """対称行列の固有値(小さい順)と、長さ 1 の固有ベクトルを列に並べた行列を返す
    (式 eq-math-curv-eigen-decomposition)。

    Parameters
    ----------
    hessian : ndarray of shape (D, D)
        対称行列。

    Returns
    -------
    lambdas : ndarray of shape (D,)
        固有値 λ_min = lambdas[0] ≤ … ≤ lambdas[-1] = λ_max。
    vectors : ndarray of shape (D, D)
        vectors[:, i] が lambdas[i] の固有ベクトル。
    """
    hessian = check_symmetric("hessian", hessian)
    lambdas, vectors = np.linalg.eigh(hessian)
    return lambdas, vectors


def condition_number(hessian):
    """条件数 κ = λ_max / λ_min を返す(式 eq-math-curv-condition-number)。

    Raises
    ------
    ValueError
        最小の固有値が 0 以下のとき(κ が定まりません)。
    """
    lambdas = curvatures(hessian)[0]
    return lambdas[-1] / _smallest_positive(lambdas)


def step_factor(hessian, alpha):
    """2 次関数の損失で、学習率 alpha の勾配降下法が 1 回の更新で誤差を縮める倍率
    max_i |1 - α λ_i| を返す(式 eq-math-curv-factor)。1 未満なら収束します。"""
    lambdas = curvatures(hessian)[0]
    check_positive("alpha", alpha)
    return float(np.max(np.abs(1 - alpha * lambdas)))


def best_alpha(hessian):
    """倍率 step_factor を最も小さくする学習率 2 / (λ_min + λ_max) を返す
    (式 eq-math-curv-best-alpha)。

    Raises
    ------
    ValueError
        最小の固有値が 0 以下のとき。
    """
    lambdas = curvatures(hessian)[0]
    return 2 / (_smallest_positive(lambdas) + lambdas[-1])


def _smallest_positive(lambdas):
    if not lambdas[0] > 0:
        raise ValueError(f"hessian の最小の固有値が {lambdas[0]:.3g} で、正ではありません。条件数と最もよい学習率は、"
                         "固有値がすべて正の行列(損失の最小点がただ 1 つに決まるとき)にだけ定まります。"
                         "0 の固有値の向きに重みを動かしても損失が変わらないなら、その向きを除いてください。")
    return lambdas[0]
