"""入力検査の小さな共通部品。公開関数は入口でここを一度だけ通します。

どの関数も、引数の名前・受け取った形・直し方を書いた ``ValueError`` を送出します。
暗黙のブロードキャストは許しません。
"""

import numpy as np


def as_finite_array(name, value, ndim):
    """``value`` を float64 の ndarray にし、次元数・空でないこと・有限性を確かめる。"""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric, got {type(value).__name__}: {error}") from None
    if array.ndim != ndim:
        hint = {
            1: f"; use {name}.ravel() or a single column such as data[:, 1]",
            2: f"; use {name}.reshape(-1, 1) or data[:, 0:1] to keep a column",
        }.get(ndim, "")
        raise ValueError(f"{name} must be {ndim}-D, got {array.ndim}-D array of shape {array.shape}{hint}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one value is needed")
    if not np.all(np.isfinite(array)):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); remove or impute them first")
    return array


def check_xyw(x, yt, w):
    """入力 x (M, D)、正解値 yt (M,)、重み w (D,) を検査して float64 配列で返す。"""
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 1)
    w = check_xw(x, w)[1]
    if yt.shape[0] != x.shape[0]:
        raise ValueError(
            f"x and yt must have the same number of samples M, got x {x.shape} and yt {yt.shape}"
        )
    return x, yt, w


def check_xw(x, w):
    """入力 x (M, D) と重み w (D,) を検査して float64 配列で返す。"""
    x = as_finite_array("x", x, 2)
    w = as_finite_array("w", w, 1)
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have one weight per column of x: x has D={x.shape[1]} columns "
            f"(shape {x.shape}) but w has shape {w.shape}; did you forget the dummy column?"
        )
    return x, w


def check_positive(name, value, integer=False):
    """学習率や繰り返し回数が正の(整数の)値であることを確かめる。"""
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return value
