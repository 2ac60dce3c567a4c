"""ニューラルネットワーク(多層パーセプトロン): 順伝播・損失・誤差逆伝播法・分類と、ミニバッチでの学習。

入力 x (M, D) の先頭列はダミー変数 1 です。層 l の重み行列は weights[l] で、形は
(前の層の出力の数 + 1, この層のノードの数)。先頭の行が切片(ダミー変数に掛かる重み)です。
隠れ層の出力にも先頭にダミー変数の列を足すので、どの層も「入力 @ 重み行列」の 1 つの式で計算できます。
出力層はソフトマックス関数で、損失は多クラスの交差エントロピーです(多値分類の章と同じ)。

隠れ層が 1 つのとき weights = [V, W]、V は (D, H)、W は (H + 1, N) です(本文の記号)。
"""

from dataclasses import dataclass

import numpy as np

from dlmath._validation import (as_finite_array, check_array_list, check_cache, check_choice, check_count,
                                check_fraction, check_hidden, check_one_hot, check_pair, check_penalty,
                                check_positive, check_probabilities, check_rng, check_weights, check_x_weights,
                                no_overflow, unchecked_update)
from dlmath.errors import NETWORK_DIVERGENCE_FACTOR, check_divergence, diverged
from dlmath.activations import HIDDEN_ACTIVATIONS, softmax
from dlmath.multiclass import cross_entropy
from dlmath.preprocess import add_dummy


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


# 順伝播・逆伝播の 1 段ずつの計算のうち、行列の積と活性化関数のほかのもの。_forward・_backward・_loss と、
# 同じ計算を層に分けた dlmath.layers(節 sec-layers)の両方がこれを呼びます(同じ計算を 2 度書かない)。

def dropout_mask(z, dropout, rng):
    """ドロップアウトのマスク r(式 eq-practical-dropout の r_h。p が dropout)を
    z と同じ形で引く。

    確率 dropout でノードを 0、残すノードを 1 / (1 - dropout) にします。
    残したノードを大きくして、出力の期待値を、ドロップアウトを使わない
    予測のときとそろえるためです。
    """
    shape = as_finite_array("z", z, 2).shape
    dropout = check_fraction("dropout", dropout)
    return (check_rng(rng).random(shape) >= dropout) / (1.0 - dropout)


def output_delta(yp, yt):
    """出力層の誤差 ∂L/∂U = (Y_p - Y_t) / M(式 eq-deep-delta-out)。

    yp と yt は同じ形 (M, N)。
    """
    yp = as_finite_array("yp", yp, 2)
    yt = as_finite_array("yt", yt, 2, labels="one_hot")
    if yt.shape != yp.shape:
        raise ValueError(f"yt は yp と同じ形 {yp.shape} にしてください。"
                         f"受け取った yt の形は {yt.shape} です。")
    return (yp - yt) / yt.shape[0]


def penalty(weights, lam):
    """L2 正則化の項 λ/2 × (切片の行を除く重みの 2 乗和)
    (式 eq-practical-l2)。

    weights は 2 次元の配列のリストです。層の間で形がつながっているかは問いません
    (層を手で並べたリストの重み行列にも使えるように)。
    """
    lam = check_penalty(lam)
    weights = check_array_list("weights", weights, 2)
    return lam / 2 * sum(np.sum(W[1:] ** 2) for W in weights)


def penalty_gradient(W, lam):
    """正則化の項(式 eq-practical-l2)の重み行列 W での偏微分 λW
    (式 eq-practical-weight-decay の λw_hk)。

    切片の行(先頭の行)は正則化しないので 0 です。
    """
    grad = check_penalty(lam) * as_finite_array("W", W, 2)
    grad[0] = 0.0
    return grad


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
            mask = dropout_mask(fa, dropout, rng)
            fa = fa * mask
        z = add_dummy(fa)  # ダミー変数の列
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
    delta = output_delta(yp, yt)  # 出力層: ∂L/∂u
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = cache["z"][l].T @ delta
        if lam:
            grads[l] += penalty_gradient(weights[l], lam)
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
    return cross_entropy(yt, cache["u"]) + penalty(weights, lam)


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


# --- 学習(節 sec-deep-training): ミニバッチに分け、順伝播・誤差逆伝播法・最適化手法の更新を繰り返す ---

def minibatches(M, batch_size, rng):
    """0, ..., M-1 を並べ替え、batch_size 件ずつの番号の配列を順に返す
    (式 eq-deep-minibatch)。

    エポックごとに呼ぶと、毎回違う順序に混ぜ直したミニバッチになります。
    最後の 1 つは端数のこともあります。rng は numpy.random.Generator か、
    整数の種(np.random.default_rng(rng) にする)です。
    """
    check_positive("M", M, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    order = check_rng(rng).permutation(M)
    return [order[start:start + batch_size]
            for start in range(0, M, batch_size)]


@dataclass(frozen=True)
class NetworkHistory:
    """ニューラルネットワークの学習の記録。k 番目の要素(0 から数える)は k + 1 エポック目の終わりの値。

    Attributes
    ----------
    loss, accuracy : ndarray of shape (epochs,)
        学習データ全体での損失(正則化の項を含まない)と正解率。ドロップアウトは使わずに測ります。
    test_loss, test_accuracy : ndarray or None
        テストデータでの値(渡したときだけ)。
    valid_loss : ndarray or None
        早期終了の判断に使う検証データでの損失(渡したときだけ)。
    best_epoch : int or None
        patience を渡したとき、検証データの損失が最小だったエポック(返す重みはこのエポックのもの)。
        早期終了が起きずに epochs を使い切ったときも同じです。
    """

    loss: np.ndarray
    accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    valid_loss: np.ndarray | None
    best_epoch: int | None


@no_overflow
def train_network(x, yt, weights, optimizer, epochs, batch_size, rng,
                  activation="relu", lam=0.0, dropout=0.0,
                  test=None, valid=None, patience=None):
    """ミニバッチの勾配でニューラルネットワークを学習し、(重み, 記録) を返す
    (節 sec-deep-training)。

    エポックごとに学習データを混ぜ直してミニバッチに分け、
    各ミニバッチで順伝播・誤差逆伝播法・重みの更新をします。
    patience を渡すと、検証データ valid の損失が patience エポック続けて
    最小値を更新しなかったところで止め、損失が最小だったエポックの重みを
    返します(早期終了)。止まらずに epochs を使い切ったときも、
    返すのは損失が最小だったエポックの重みです。

    Parameters
    ----------
    x, yt, weights
        学習データ (M, D)、one-hot の正解値 (M, N)、
        init_weights の形の重みの初期値(書き換えません)。
    optimizer : SGD, Momentum, RMSProp or Adam
        dlmath.optimizers の最適化手法(ほかは TypeError)。
    epochs, batch_size : int
        エポックの数とミニバッチの件数(正の整数)。
    rng : numpy.random.Generator or int
        ミニバッチの混ぜ方とドロップアウトの乱数。
        整数なら種として np.random.default_rng(rng) にします。
    activation : {"relu", "sigmoid"}
        隠れ層の活性化関数 f(出力層はソフトマックス関数)。
    lam : float
        L2 正則化の強さ λ(0 以上)。損失に λ/2 × (切片の行を除く重みの 2 乗和)
        を加えて学習します(記録する損失はこの項を含みません)。
    dropout : float
        隠れ層の出力を 0 にする割合(0 以上 1 未満。1 ではすべてのノードが消える)。
    test, valid : tuple (x, yt), optional
        テストデータと検証データの 2 つ組。エラーのメッセージはどちらの組かを書きます。
    patience : int, optional
        早期終了までに待つエポックの数(正の整数)。valid が要ります。

    Raises
    ------
    DivergenceError
        学習データの損失が有限でなくなるか、はじめの値の 10 倍を超えたとき
        (学習率が大きすぎる)。
    """
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    rng = check_rng(rng)
    lam = check_penalty(lam)
    dropout = check_fraction("dropout", dropout)
    if patience is not None:
        check_positive("patience", patience, integer=True)
        if valid is None:
            raise ValueError(
                "patience(早期終了)には検証データが要ります。"
                "valid=(x_valid, yt_valid) も渡してください。")
    x, weights = check_x_weights(x, weights)
    yt = _check_one_hot(x, yt, weights)
    f, fprime = _activation(activation)
    sets = {
        name: None if data is None else check_pair(
            name, data, lambda *pair: _checked_network_set(*pair, weights))
        for name, data in (("test", test), ("valid", valid))
    }
    # 最適化手法はここで一度確かめ、ループの中では検査を省く
    update = unchecked_update(optimizer, weights)
    record = {key: [] for key in ("loss", "accuracy", "test_loss",
                                  "test_accuracy", "valid_loss")}
    initial = _loss(x, yt, weights, f)
    best = (np.inf, weights, None)
    # 桁あふれは NaN にせず例外にする
    with np.errstate(over="raise", invalid="raise"):
        for epoch in range(epochs):
            try:
                for batch in minibatches(x.shape[0], batch_size, rng):
                    yp, cache = _forward(x[batch], weights, f,
                                                 dropout, rng)
                    grads = _backward(yt[batch], weights, yp, cache,
                                              fprime, lam)
                    weights = update(weights, grads)
                _evaluate(record, x, yt, weights, f, sets)
            except FloatingPointError:
                raise diverged(optimizer.alpha, epoch + 1, initial, np.inf,
                               steps="エポック学習") from None
            check_divergence(np.r_[initial, record["loss"]], epoch + 1,
                             optimizer.alpha,
                             factor=NETWORK_DIVERGENCE_FACTOR,
                             steps="エポック学習")
            if patience is not None:
                if record["valid_loss"][-1] < best[0]:
                    best = (record["valid_loss"][-1], weights, epoch)
                elif epoch - best[2] >= patience:
                    break
    if patience is not None:
        # 止まったときも、epochs を使い切ったときも、
        # 検証データの損失が最小だったエポックの重み
        weights = best[1]
    arrays = {key: (np.array(values) if values else None)
              for key, values in record.items()}
    best_epoch = best[2] if patience is not None else None
    return weights, NetworkHistory(**arrays, best_epoch=best_epoch)


def _evaluate(record, x, yt, weights, f, sets):
    """1 エポックの終わりに、学習・テスト・検証データでの損失と正解率を記録する。"""
    for prefix, data in (("", (x, yt)), ("test_", sets["test"])):
        if data is not None:
            yp, cache = _forward(data[0], weights, f)  # 損失と正解率で 1 回の順伝播を共有する
            record[prefix + "loss"].append(cross_entropy(data[1], cache["u"]))
            record[prefix + "accuracy"].append(np.mean(np.argmax(yp, axis=1) == np.argmax(data[1], axis=1)))
    if sets["valid"] is not None:
        record["valid_loss"].append(_loss(*sets["valid"], weights, f))


def _check_one_hot(x, yt, weights):
    return check_one_hot(x, yt, weights[-1].shape[1], n_from="weights[-1]")


def _checked_network_set(x, yt, weights):
    """テストデータや検証データの組 (x, yt) を weights に合うか確かめ、float64 の配列で返す。"""
    x = check_x_weights(x, weights)[0]
    return x, _check_one_hot(x, yt, weights)
