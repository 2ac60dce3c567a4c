"""数値微分。解析的に求めた導関数や勾配が正しいかを確かめるために使います。

本文の検算も tests/ の勾配のテストも、すべてここにある 1 つの実装を使います。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_callable, check_choice, check_positive, no_overflow


@no_overflow
def numerical_derivative(f, x, h=1e-5, scheme="central"):
    """1 変数関数 f の x での微分係数を差分で近似する
    (式 eq-math-central-difference)。

    Parameters
    ----------
    f : callable
        実数(または配列の各要素)に実数を対応させる関数。配列を渡すと要素ごとに微分します。
    x : float or ndarray
        微分する点。
    h : float
        差分の幅。
    scheme : {"central", "forward"}
        中心差分 (f(x+h) - f(x-h)) / 2h か、前進差分 (f(x+h) - f(x)) / h か。
    """
    x = as_finite_array("x", x, None)
    check_positive("h", h)
    check_choice("scheme", scheme, ("central", "forward"))
    # 値が x と同じ形の有限な数であることを確かめながら呼ぶ
    f = check_callable("f", f, "x", x.shape)
    if scheme == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    return (f(x + h) - f(x)) / h


@no_overflow
def numerical_gradient(f, w, h=1e-6):
    """中心差分 (f(w + h e_i) - f(w - h e_i)) / 2h で勾配を近似する
    (式 eq-math-central-difference)。

    Parameters
    ----------
    f : callable
        w と同じ形の配列を受け取りスカラーを返す関数。
    w : ndarray of shape (D,) or (D, N)
        微分する点。行列なら要素ごとの偏微分を同じ形で返します。
    h : float
        差分の幅。
    """
    w = as_finite_array("w", w, None)
    check_positive("h", h)
    # 値が 1 つの有限な数であることを確かめながら呼ぶ
    f = check_callable("f", f, "w", ())
    grad = np.empty_like(w)
    for i in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[i] = h
        grad[i] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


@no_overflow
def gradient_check(f, gradient, w, h=1e-6):
    """解析的な勾配と数値微分の相対誤差 ‖g - g_num‖ / (‖g‖ + ‖g_num‖) を返す。

    Parameters
    ----------
    f : callable
        損失関数。w を受け取りスカラーを返す。
    gradient : callable
        f の勾配を解析的に計算する関数。w を受け取り w と同じ形の配列を返す。
    w : ndarray
        確かめる点。

    Returns
    -------
    float
        0 に近いほど一致しています。float64 では 1e-7 程度より小さければ、
        式は正しいと考えてよいでしょう。
    """
    w = as_finite_array("w", w, None)
    # 値が w と同じ形の有限な数であることを確かめる
    gradient = check_callable("gradient", gradient, "w", w.shape)
    analytic = gradient(w)
    numeric = numerical_gradient(f, w, h)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / scale)


@no_overflow
def numerical_hessian(f, w, h=1e-4):
    """中心差分でヘッセ行列(2 階の偏微分を並べた行列)を近似する
    (式 eq-math-curv-numerical-hessian)。

    (i, j) 成分は (f(w + h e_i + h e_j) - f(w + h e_i - h e_j)
    - f(w - h e_i + h e_j) + f(w - h e_i - h e_j)) / 4h^2 で、
    i と j を入れ替えても同じ式なので、結果は対称行列です。

    Parameters
    ----------
    f : callable
        形 (D,) の w を受け取りスカラーを返す関数。
    w : ndarray of shape (D,)
        微分する点。行列の重みは w.ravel() で 1 次元にしてから渡します。
    h : float
        差分の幅。h^2 で割るので、勾配のときより大きくとります。

    Returns
    -------
    ndarray of shape (D, D)
    """
    w = as_finite_array("w", w, 1)
    check_positive("h", h)
    # 値が 1 つの有限な数であることを確かめながら呼ぶ
    f = check_callable("f", f, "w", ())
    D = w.shape[0]
    steps = h * np.eye(D)
    hessian = np.empty((D, D))
    for i in range(D):
        for j in range(i, D):
            a, b = steps[i], steps[j]
            hessian[i, j] = hessian[j, i] = (
                f(w + a + b) - f(w + a - b) - f(w - a + b) + f(w - a - b)
            ) / (4 * h * h)
    return hessian
