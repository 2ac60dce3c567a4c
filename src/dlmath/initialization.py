"""重みの初期値と、層ごとの値の大きさ(節 sec-init)。

重みそのものは dlmath.network.init_weights が作ります(標準偏差の式は network.weight_std)。
このモジュールは、その重みで層を重ねたときに、各隠れ層の活性化関数に入る値 a の分散がどう変わるかを、
式で予測する関数と、実際の順伝播から層ごとの値を取り出す関数を持ちます。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_choice, check_positive, no_overflow, received
from dlmath.activations import HIDDEN_ACTIVATIONS
from dlmath.network import forward

# 標準正規分布の期待値を、-12 から 12 までの等間隔の点での値の重み付きの和で近似する。
# 両端の点も同じ重みだが、被積分関数は両端でほぼ 0 なので台形公式と同じで、
# なめらかな被積分関数ではこの和は積分にとても近い
_NODES = np.linspace(-12.0, 12.0, 4801)
_WEIGHTS = np.exp(-_NODES ** 2 / 2) / np.sqrt(2 * np.pi) * (_NODES[1] - _NODES[0])


def second_moment(activation, q):
    """a が平均 0、分散 q の正規分布に従うときの E[f(a)²] を返す
    (式 eq-init-moment)。

    Parameters
    ----------
    activation : {"relu", "sigmoid"}
        活性化関数 f。
    q : float
        a の分散(0 以上)。

    Notes
    -----
    ReLU では a が 0 について対称なので、ちょうど q / 2 です。シグモイド関数では、
    a = √q ξ(ξ は標準正規分布)と書き、ξ についての期待値を
    4801 点での値の重み付きの和(両端の値はほぼ 0 なので台形公式と同じ)で
    近似します。
    """
    activation = check_choice("activation", activation,
                              tuple(sorted(HIDDEN_ACTIVATIONS)))
    q = _check_variance("q", q)
    if activation == "relu":
        return q / 2
    f = HIDDEN_ACTIVATIONS[activation][0]
    # E[f(√q ξ)²]
    return float(np.sum(_WEIGHTS * f(np.sqrt(q) * _NODES) ** 2))


def forward_variances(input_moment, fan_ins, stds, activation):
    """各隠れ層の a の分散の予測 [q_1, q_2, ...] を返す(式 eq-init-recursion)。

    Parameters
    ----------
    input_moment : float
        入力の 2 乗の期待値の、入力の数 n_0 個についての平均(ダミー変数を除く)。
    fan_ins : list of int
        各隠れ層の入力の数 [n_0, n_1, ...](ダミー変数を除く)。
    stds : list of float or 1 次元の ndarray
        各隠れ層への重みの標準偏差 [σ_1, σ_2, ...](fan_ins と同じ長さ)。
    activation : {"relu", "sigmoid"}

    Returns
    -------
    ndarray(長さは隠れ層の数)
        q_1 = n_0 σ_1² E[x²]、q_{l+1} = n_l σ_{l+1}² E[f(a_l)²]。
    """
    moment = _check_variance("input_moment", input_moment)
    fan_ins = _as_list("fan_ins", fan_ins)
    stds = as_finite_array("stds", stds, 1)
    if len(fan_ins) != len(stds) or not fan_ins:
        got = f"{len(fan_ins)} と {len(stds)}"
        raise ValueError("fan_ins と stds は隠れ層ごとに 1 つずつ、"
                         "同じ長さ(1 以上)にしてください。"
                         f"受け取った長さは {got} です。")
    fan_ins = [check_positive(f"fan_ins[{l}]", n, integer=True)
               for l, n in enumerate(fan_ins)]
    stds = [check_positive(f"stds[{l}]", s) for l, s in enumerate(stds)]
    q = []
    for n, s in zip(fan_ins, stds):
        q.append(n * s ** 2 * moment)
        moment = second_moment(activation, q[-1])
    return np.array(q, dtype=float)


def layer_values(x, weights, activation="relu"):
    """順伝播で、各隠れ層の a(活性化関数に入る値)と z = f(a) を返す
    (節 sec-init-histograms)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    weights : list of ndarray
        init_weights が返す形の重み行列のリスト。
    activation : {"relu", "sigmoid"}

    Returns
    -------
    a_values, z_values : list of ndarray of shape (M, H_l)
        隠れ層ごとの a と z(ダミー変数の列を除く)。
    """
    _, cache = forward(x, weights, activation)
    return cache["a"], [z[:, 1:] for z in cache["z"][1:]]


@no_overflow
def split_variance(a):
    """a の分散を、ノードごとの一定のずれの分と、画像による違いの分に分ける
    (式 eq-init-offset、節 sec-init-offset)。

    Parameters
    ----------
    a : ndarray of shape (M, H)
        M 枚の画像での、H 個のノードの値(layer_values が返す a の 1 層分)。

    Returns
    -------
    between, within : float
        between はノードごとの平均(M 枚について)の、H 個のノードについての分散。
        within はノードごとの M 枚についての分散の、H 個のノードについての平均。
        2 つの和は a 全体の分散 a.var() に等しい。
    """
    a = as_finite_array("a", a, 2)
    return float(a.mean(axis=0).var()), float(a.var(axis=0).mean())


def _as_list(name, value):
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} は隠れ層ごとに 1 つの整数を並べたリストにしてください。{received(value)}")
    return list(value)


def _check_variance(name, value):
    value = as_finite_array(name, value, 0)
    if value < 0:
        raise ValueError(f"{name} は 0 以上の数(分散や 2 乗の期待値)にしてください。"
                         f"受け取ったのは {float(value)!r} です。")
    return float(value)
