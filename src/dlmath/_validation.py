"""入力検査の小さな共通部品。公開関数は入口でここを一度だけ通します。

どの関数も、引数の名前・受け取った形・直し方を書いた ``ValueError`` を送出します。
暗黙のブロードキャストは許しません。
"""

import numpy as np


def plain(value):
    """エラーメッセージに入れる値の表記。NumPy のスカラーは Python の数として書く(np.float64(0.2) ではなく 0.2)。"""
    return repr(value.item() if isinstance(value, np.generic) else value)


def as_finite_array(name, value, ndim):
    """``value`` を float64 の ndarray にし、次元数・空でないこと・有限性を確かめる。

    ``ndim=None`` はどの次元数(スカラーを含む)でも受け付けます。
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric, got {type(value).__name__}: {error}") from None
    if ndim is not None and array.ndim != ndim:
        hint = {
            1: f"; use {name}.ravel() or a single column such as data[:, 1]",
            2: f"; use {name}.reshape(-1, 1) or data[:, 0:1] to keep a column",
        }.get(ndim, "")
        raise ValueError(f"{name} must be {ndim}-D, got {array.ndim}-D array of shape {array.shape}{hint}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one value is needed")
    if not np.isfinite(array).all():
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); remove or impute them first")
    return array


def check_xyw(x, yt, w):
    """入力 x (M, D)、正解値 yt (M,)、重み w (D,) を検査して float64 配列で返す。"""
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 1)
    w = check_xw(x, w)[1]
    check_same_m(x, yt)
    return x, yt, w


def check_xw(x, w):
    """入力 x (M, D) と重み w (D,) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, w, "w", 1, "one weight")


def check_positive(name, value, integer=False):
    """学習率や繰り返し回数が正の(整数の)値であることを確かめる。"""
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {expected}, got {plain(value)}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite, got {plain(value)}")
    return value


def check_xW(x, W):
    """入力 x (M, D) と重み行列 W (D, N) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, W, "W", 2, "one row")


def _check_x_and_weights(x, weights, name, ndim, per_column):
    """x (M, D) と、行の数が D の重み(ベクトルなら 1 次元、行列なら 2 次元)を検査する。"""
    x = as_finite_array("x", x, 2)
    weights = as_finite_array(name, weights, ndim)
    if weights.shape[0] != x.shape[1]:
        raise ValueError(
            f"{name} must have {per_column} per column of x: x has D={x.shape[1]} columns "
            f"(shape {x.shape}) but {name} has shape {weights.shape}; did you forget the dummy column?"
        )
    return x, weights


def check_binary_labels(x, yt):
    """2値分類の正解値 yt (M,) が 0 か 1 だけで、x (M, D) と件数がそろうことを確かめる。"""
    yt = as_finite_array("yt", yt, 1)
    check_same_m(x, yt)
    bad = (yt != 0) & (yt != 1)
    if bad.any():
        raise ValueError(
            f"yt must contain only 0 and 1 (class labels), got {np.unique(yt[bad])[:5]}; "
            "encode the two classes as 0 and 1"
        )
    return yt


def check_one_hot(x, yt, N):
    """多値分類の正解値 yt (M, N) が one-hot で、x (M, D) と件数がそろうことを確かめる。"""
    yt = as_finite_array("yt", yt, 2)
    check_same_m(x, yt)
    if yt.shape[1] != N:
        raise ValueError(f"yt must have N={N} columns, one per class, got shape {yt.shape}")
    rows = np.flatnonzero(((yt != 0) & (yt != 1)).any(axis=1) | (yt.sum(axis=1) != 1))
    if rows.size:
        raise ValueError(
            f"yt must be one-hot (a single 1 in each row), but row(s) {rows[:5].tolist()} are not, "
            f"e.g. {yt[rows[0]]}; build it with dlmath.preprocess.one_hot(labels, N)"
        )
    return yt


def check_class_indices(name, value, N):
    """クラス番号の 1 次元配列が 0 以上 N 未満の整数だけであることを確かめ、int 配列で返す。"""
    array = as_finite_array(name, value, 1)
    bad = (array != np.round(array)) | (array < 0) | (array >= N)
    if np.any(bad):
        raise ValueError(
            f"{name} must be class indices 0 .. {N - 1} (integers), got {np.unique(array[bad])[:5]}"
        )
    return array.astype(int)


def check_same_m(x, yt):
    """x と yt の行の数(サンプルの件数 M)がそろっていることを確かめる。"""
    if yt.shape[0] != x.shape[0]:
        raise ValueError(
            f"x and yt must have the same number of samples M, got x {x.shape} and yt {yt.shape}"
        )


def check_penalty(lam):
    """L2 正則化の強さ λ が 0 以上の有限の実数であることを確かめる。"""
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise ValueError(f"lam must be a non-negative number, got {plain(lam)}")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be non-negative and finite, got {plain(lam)}; use lam=0 for no penalty")
    return float(lam)
