"""数値微分。解析的に求めた勾配が正しいかを確かめるために使います。"""

import numpy as np

from dlmath._validation import as_finite_array, check_positive


def numerical_gradient(f, w, h=1e-6):
    """中心差分 (f(w + h e_i) - f(w - h e_i)) / 2h で勾配を近似する(式 eq-central-difference)。

    Parameters
    ----------
    f : callable
        (D,) の配列を受け取りスカラーを返す関数。
    w : ndarray of shape (D,)
        微分する点。
    h : float
        差分の幅。
    """
    w = as_finite_array("w", w, 1)
    check_positive("h", h)
    grad = np.empty_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        grad[i] = (f(w + step) - f(w - step)) / (2 * h)
    return grad
