"""ニューラルネットワーク(多層パーセプトロン): 順伝播・損失・誤差逆伝播法・分類。

入力 x (M, D) の先頭列はダミー変数 1 です。層 l の重み行列は weights[l] で、形は
(前の層の出力の数 + 1, この層のノードの数)。先頭の行が切片(ダミー変数に掛かる重み)です。
隠れ層の出力にも先頭にダミー変数の列を足すので、どの層も「入力 @ 重み行列」の 1 つの式で計算できます。
出力層はソフトマックス関数で、損失は多クラスの交差エントロピーです(多値分類の章と同じ)。

隠れ層が 1 つのとき weights = [V, W]、V は (D, H)、W は (H + 1, N) です(本文の記号)。
"""

import numpy as np

from dlmath._validation import (check_cache, check_choice, check_count, check_fraction, check_hidden, check_one_hot,
                                check_penalty, check_positive, check_probabilities, check_rng, check_weights,
                                check_x_weights, no_overflow)
from dlmath.activations import HIDDEN_ACTIVATIONS, softmax
from dlmath.multiclass import cross_entropy


INIT_METHODS = ("he", "xavier", "he_uniform", "xavier_uniform", "normal", "equal")


def init_weights(D, hidden, N, rng, method="he", std=None):
    """重み行列のリストの初期値を返す(節 sec-deep-init、節 sec-init)。

    Parameters
    ----------
    D : int
        入力の次元数(ダミー変数の列を含む)。
    hidden : list of int
        隠れ層のノードの数 [H1, H2, ...]。隠れ層が 1 つなら [H]
        (整数 1 つの hidden=4 は、4 ノードの 1 層とも 4 層とも読めるので
        TypeError)。空のリストなら隠れ層なし(ソフトマックス回帰)。
    N : int
        クラスの数(出力層のノードの数)。
    rng : numpy.random.Generator or int
        乱数の生成器(np.random.default_rng(seed))。
        整数なら種として np.random.default_rng(rng) にします。
    method : {"he", "xavier", "he_uniform", "xavier_uniform", "normal",
              "equal"}
        "he" と "xavier" は平均 0、標準偏差 weight_std(method, fan_in, fan_out)
        の正規乱数(式 eq-deep-he、式 eq-deep-xavier。He は ReLU の層、
        Xavier はシグモイド関数の層に使う)。"_uniform" の付いたものは、
        同じ分散の一様乱数(式 eq-init-uniform)。"normal" は標準偏差 std の
        正規乱数(大きさが合わない例に使う)。"equal" はすべて同じ値 0.1
        (対称性のため学習が進まない例に使う)。切片の行はどれも 0。
    std : float, optional
        method="normal" のときの標準偏差(正の数)。ほかの method では None。
    """
    D = check_count("D", D, 2,
                    reason="(ダミー変数の列と、少なくとも 1 つの入力)")
    hidden, N = check_hidden(hidden), check_positive("N", N, integer=True)
    rng = check_rng(rng)
    method = check_choice("method", method, INIT_METHODS)
    std = _check_std(method, std)
    sizes = [D - 1, *hidden, N]  # 各層の入力の数(ダミー変数を除く)と出力の数
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        shape = (fan_in + 1, fan_out)
        if method == "equal":
            W = np.full(shape, 0.1)
        elif method.endswith("_uniform"):
            r = np.sqrt(3.0) * _std(method, fan_in, fan_out)  # 分散 r²/3
            W = rng.uniform(-r, r, size=shape)
        else:
            W = rng.normal(0.0, _std(method, fan_in, fan_out, std),
                           size=shape)
        W[0] = 0.0  # 切片
        weights.append(W)
    return weights


def weight_std(method, fan_in, fan_out, std=None):
    """init_weights が使う重みの分布の標準偏差を返す(式 eq-init-std)。

    Parameters
    ----------
    method : {"he", "xavier", "he_uniform", "xavier_uniform", "normal"}
        He は sqrt(2 / fan_in)、Xavier は sqrt(2 / (fan_in + fan_out))、
        "normal" は std そのもの。一様乱数の版も標準偏差は同じ。
    fan_in, fan_out : int
        重み行列の入力側と出力側のノードの数(ダミー変数を除く)。
    std : float, optional
        method="normal" のときだけ渡す標準偏差。
    """
    method = check_choice("method", method, INIT_METHODS[:-1])
    fan_in = check_positive("fan_in", fan_in, integer=True)
    fan_out = check_positive("fan_out", fan_out, integer=True)
    return float(_std(method, fan_in, fan_out, _check_std(method, std)))


def _check_std(method, std):
    if method == "normal":
        if std is None:
            raise TypeError("method='normal' では標準偏差 std を正の数で渡してください"
                            "(例: std=0.01)。")
        return check_positive("std", std)
    if std is not None:
        raise ValueError(f"std は method='normal' のときだけ渡します。method={method!r} の"
                         "標準偏差は層の幅から決まるので、std を外してください。")
    return None


def _std(method, fan_in, fan_out, std=None):
    if method.startswith("he"):
        return np.sqrt(2.0 / fan_in)
    if method.startswith("xavier"):
        return np.sqrt(2.0 / (fan_in + fan_out))
    return std  # "normal"


@no_overflow
def forward(x, weights, activation="relu", dropout=0.0, rng=None):
    """順伝播。予測値 yp (M, N) と、誤差逆伝播法で使う途中の値を返す
    (式 eq-deep-forward)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    weights : list of ndarray
        init_weights と同じ形の重み行列のリスト。
    activation : {"relu", "sigmoid"}
        隠れ層の活性化関数。
    dropout : float
        学習のときに隠れ層の出力を 0 にする割合(0 以上 1 未満)。
        0 なら使わない(予測のとき)。
    rng : numpy.random.Generator or int, optional
        dropout > 0 のときに、どのノードを 0 にするかを決める乱数(整数なら種)。
        dropout > 0 で None なら TypeError。

    Returns
    -------
    yp : ndarray of shape (M, N)
    cache : dict
        "z": 各層の入力(ダミー変数の列付き)、"a": 隠れ層の活性化関数に入る値、
        "mask": ドロップアウトで残したノード(残した割合で割った値)、
        "u": 出力層のソフトマックスに入る値。
    """
    x, weights = check_x_weights(x, weights)
    f = _activation(activation)[0]
    dropout = check_fraction("dropout", dropout)
    rng = check_rng(rng) if dropout or rng is not None else None
    return _forward(x, weights, f, dropout, rng)


def _forward(x, weights, f, dropout=0.0, rng=None):
    z, cache = x, {"z": [x], "a": [], "mask": []}
    for V_l in weights[:-1]:  # 隠れ層への重み V_1, V_2, ...(最後の W は出力層)
        a = z @ V_l
        fa = f(a)
        mask = None
        if dropout:
            # 残すノードは 1 / (1 - dropout) 倍して、出力の期待値を
            # 予測のときとそろえる
            mask = (rng.random(fa.shape) >= dropout) / (1.0 - dropout)
            fa = fa * mask
        z = np.insert(fa, 0, 1.0, axis=1)  # ダミー変数の列
        cache["a"].append(a)
        cache["mask"].append(mask)
        cache["z"].append(z)
    cache["u"] = z @ weights[-1]
    return softmax(cache["u"]), cache


@no_overflow
def backward(yt, weights, yp, cache, activation="relu", lam=0.0):
    """誤差逆伝播法。各重み行列での損失の勾配のリストを返す(式 eq-deep-backprop)。

    Parameters
    ----------
    yt : ndarray of shape (M, N)
        one-hot の正解値。
    weights, yp, cache
        forward に渡した重みと、forward が返した値(形と中身を確かめます)。
    lam : float
        L2 正則化(重み減衰)の強さ。切片の行は正則化しない。

    Returns
    -------
    grads : list of ndarray
        weights と同じ形。grads[l] が ∂L/∂weights[l]。
    """
    fprime = _activation(activation)[1]
    lam = check_penalty(lam)
    weights = check_weights(weights)
    yp = check_probabilities("yp", yp, weights[-1].shape[1])
    yt = check_one_hot(yp, yt, yp.shape[1], x_name="yp", n_from="yp")
    cache = check_cache(cache, weights, yp.shape[0])
    return _backward(yt, weights, yp, cache, fprime, lam)


def _backward(yt, weights, yp, cache, fprime, lam=0.0):
    M = yt.shape[0]
    delta = (yp - yt) / M  # 出力層: ∂L/∂u(式 eq-deep-delta-out)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = cache["z"][l].T @ delta
        if lam:
            grads[l][1:] += lam * weights[l][1:]
        if l > 0:
            # 1 つ前の層へ: 切片の行を除いた重みで戻し、活性化関数の微分を掛ける
            # (式 eq-deep-delta-hidden)
            delta = (delta @ weights[l][1:].T) * fprime(cache["a"][l - 1])
            if cache["mask"][l - 1] is not None:
                delta = delta * cache["mask"][l - 1]
    return grads


@no_overflow
def loss(x, yt, weights, activation="relu", lam=0.0):
    """交差エントロピー(と L2 正則化の項)を返す(式 eq-deep-loss)。"""
    x, weights = check_x_weights(x, weights)
    yt = check_one_hot(x, yt, weights[-1].shape[1], n_from="weights[-1]")
    lam = check_penalty(lam)
    return _loss(x, yt, weights, _activation(activation)[0], lam)


def _loss(x, yt, weights, f, lam=0.0):
    _, cache = _forward(x, weights, f)
    penalty = lam / 2 * sum(np.sum(W[1:] ** 2) for W in weights)
    return cross_entropy(yt, cache["u"]) + penalty


@no_overflow
def gradient(x, yt, weights, activation="relu", lam=0.0):
    """順伝播と誤差逆伝播法で、損失の勾配のリストを返す(ドロップアウトなし)。"""
    x, weights = check_x_weights(x, weights)
    yt = check_one_hot(x, yt, weights[-1].shape[1], n_from="weights[-1]")
    f, fprime = _activation(activation)
    yp, cache = _forward(x, weights, f)
    return _backward(yt, weights, yp, cache, fprime, check_penalty(lam))


@no_overflow
def classify(x, weights, activation="relu"):
    """確率が最大のクラスの番号 (M,) を返す。"""
    yp, _ = forward(x, weights, activation)
    return np.argmax(yp, axis=1)


@no_overflow
def accuracy(x, yt, weights, activation="relu"):
    """正解率を返す。"""
    x, weights = check_x_weights(x, weights)
    yt = check_one_hot(x, yt, weights[-1].shape[1], n_from="weights[-1]")
    return np.mean(classify(x, weights, activation) == np.argmax(yt, axis=1))


def count_weights(weights):
    """重み(切片を含む)の総数。"""
    return sum(W.size for W in check_weights(weights))


def _activation(name):
    """隠れ層の活性化関数の名前から、(関数, 導関数) の組を返す。"""
    return HIDDEN_ACTIVATIONS[check_choice("activation", name, tuple(sorted(HIDDEN_ACTIVATIONS)))]
