"""前処理: 平均を引く(センタリング)とダミー変数の列を足す。"""

import numpy as np

from dlmath._validation import as_finite_array


def center(data):
    """各列からその列の平均を引き、(センタリング後のデータ, 列の平均) を返す(節 sec-linreg-center)。

    Parameters
    ----------
    data : ndarray of shape (M, K)
        行が 1 件のデータ、列が項目。

    Returns
    -------
    centered : ndarray of shape (M, K)
    mean : ndarray of shape (K,)
        ``data.mean(axis=0)``。元の尺度に戻すときに使います。
    """
    data = as_finite_array("data", data, 2)
    mean = data.mean(axis=0)
    return data - mean, mean


def add_dummy(x):
    """先頭にダミー変数 x0 = 1 の列を挿入する(式 eq-linreg-predict-vector)。

    Parameters
    ----------
    x : ndarray of shape (M, D - 1)

    Returns
    -------
    ndarray of shape (M, D)
        1 列目がすべて 1 の配列。
    """
    x = as_finite_array("x", x, 2)
    return np.insert(x, 0, 1.0, axis=1)
