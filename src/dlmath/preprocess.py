"""前処理: 平均を引く(センタリング)、ダミー変数の列、one-hot、学習データとテストデータへの分割。"""

import numpy as np

from dlmath._validation import as_finite_array, check_class_indices, check_count, check_positive, check_rng, check_same_m, no_overflow


@no_overflow
def center(data):
    """各列からその列の平均を引き、(センタリング後のデータ, 列の平均) を返す
    (節 sec-linreg-center)。

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


@no_overflow
def standardize(data):
    """各列を平均 0、標準偏差 1 にそろえ、
    (標準化後のデータ, 列の平均, 列の標準偏差) を返す。

    特徴量ごとに尺度が違うと損失関数の等高線が細長くなり、勾配降下法が遅くなるので、
    学習の前にそろえます。

    Parameters
    ----------
    data : ndarray of shape (M, K)

    Returns
    -------
    scaled : ndarray of shape (M, K)
    mean, std : ndarray of shape (K,)
        テストデータにも同じ mean と std を使って (x - mean) / std とします。
    """
    centered, mean = center(data)
    std = centered.std(axis=0)
    if np.any(std == 0):
        constant = np.flatnonzero(std == 0).tolist()
        raise ValueError(f"data の列 {constant} は値がすべて同じ(標準偏差 0)"
                         "なので、標準化できません。その列を除いてください。")
    return centered / std, mean, std


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


def one_hot(labels, N):
    """クラス番号 (M,) を one-hot の行列 (M, N) にする
    (節 sec-multiclass-onehot)。

    Parameters
    ----------
    labels : ndarray of shape (M,)
        0 から N - 1 までの整数。
    N : int
        クラスの数。

    Returns
    -------
    ndarray of shape (M, N)
        m 行目は labels[m] 列だけが 1 で、ほかは 0。
    """
    check_positive("N", N, integer=True)
    labels = check_class_indices("labels", labels, N)
    return np.eye(N)[labels]


def train_test_split(x, yt, test_size, seed):
    """データを乱数で並べ替え、学習データとテストデータに分ける(節 sec-logistic-data)。

    Parameters
    ----------
    x : ndarray of shape (M, K)
    yt : ndarray of shape (M,) or (M, N)
    test_size : int
        テストデータの件数(1 以上 M - 1 以下)。
    seed : int or numpy.random.Generator
        乱数の種(np.random.default_rng(seed) にする)。同じ種なら同じ分け方に
        なります。None や小数は TypeError。

    Returns
    -------
    x_train, x_test, yt_train, yt_test : ndarray
    """
    x = as_finite_array("x", x, 2)
    # (M,) のラベルか (M, N) の one-hot
    yt = as_finite_array("yt", yt, (1, 2), labels="classes")
    check_same_m(x, yt)
    M = x.shape[0]
    check_count("test_size", test_size, 1, M - 1,
                reason=f"(サンプルの件数 M={M} より小さく)")
    order = check_rng(seed, "seed").permutation(M)
    test, train = order[:test_size], order[test_size:]
    return x[train], x[test], yt[train], yt[test]
