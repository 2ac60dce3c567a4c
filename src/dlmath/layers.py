"""層(レイヤー)を組み合わせる誤差逆伝播法(節 sec-layers)。

どの層も forward(順伝播: 入力 x から出力を計算し、逆伝播に要る値を覚える)と
backward(逆伝播: 損失の出力での偏微分 dout を受け取り、入力での偏微分を返す)を
持ちます。make_layers は dlmath.network と同じ重み行列のリスト(先頭の行が切片、
隠れ層の出力の先頭にダミー変数の列)から層のリストを作り、stack_gradient は
network.gradient と同じ勾配を返します。ReLU・Sigmoid の層の活性化関数とその導関数、
ソフトマックス関数、交差エントロピーは dlmath.activations と dlmath.multiclass の関数を使います
(Tanh の層は演習の例で、np.tanh と 1 - T² を自分で書きます)。

層は network の計算を層の単位に並べ直したものです。ダミー変数の列(preprocess.add_dummy)、
ドロップアウトのマスク(network.dropout_mask)、出力層の誤差(network.output_delta)、
正則化の項とその勾配(network.penalty、network.penalty_gradient)は、network の
_forward・_backward・_loss と同じ関数を呼びます。層が自分で書くのは、これらを順伝播と
逆伝播の 1 段ずつにつなぐ部分です: 行列の積とその微分(式 eq-layers-affine-backward)、導関数の値や
マスクとの要素ごとの積、先頭の列を除く操作。同じ勾配を返すことは tests/test_layers.py が
確かめます。
"""

import inspect

import numpy as np

from dlmath._validation import (as_finite_array, check_fraction, check_one_hot, check_penalty, check_rng,
                                check_same_m, check_weights, no_overflow, received)
from dlmath.activations import relu, relu_derivative, sigmoid, sigmoid_derivative, softmax
from dlmath.multiclass import cross_entropy
from dlmath.network import dropout_mask, output_delta, penalty, penalty_gradient
from dlmath.numdiff import gradient_check
from dlmath.preprocess import add_dummy


def _input(x, rows=None):
    """層の入力 x (M, …) を検査して float64 の配列で返す。rows は重み行列 W の行の数。"""
    x = as_finite_array("x", x, 2)
    if rows is not None and x.shape[1] != rows:
        hint = "x にダミー変数の列がないようです(Dummy の層を前に置きます)。" if x.shape[1] == rows - 1 else ""
        raise ValueError(f"x の列の数は、重み行列 W の行の数 {rows} と同じにしてください。"
                         f"受け取った形は {x.shape} です。{hint}")
    return x


def _upstream(layer, dout):
    """backward が受け取る dout が、直前の forward の出力と同じ形であることを確かめる。"""
    shape = getattr(layer, "_shape", None)
    if shape is None:
        raise ValueError("dout を受け取る前に forward を呼んでください(backward は forward が覚えた値を使います)。")
    return _check_dout(dout, shape)


def _check_dout(dout, shape):
    dout = as_finite_array("dout", dout, 2)
    if dout.shape != shape:
        raise ValueError(f"dout は forward(x) が返した出力と同じ形 {shape} にしてください。"
                         f"受け取った形は {dout.shape} です。")
    return dout


class Affine:
    """重み行列を掛ける層 T = SW(式 eq-layers-affine)。

    W の形は (入力の列の数, 出力の列の数) で、先頭の行が切片。
    """

    def __init__(self, W):
        self.W = as_finite_array("W", W, 2)
        self.dW = None

    @no_overflow
    def forward(self, x):
        self.x = _input(x, self.W.shape[0])  # ∇_W L = Sᵀ G に使う
        self._shape = (self.x.shape[0], self.W.shape[1])
        return self.x @ self.W

    @no_overflow
    def backward(self, dout):
        """∇_W L = Sᵀ G を dW に残し、∂L/∂S = G Wᵀ を返す
        (式 eq-layers-affine-backward)。"""
        dout = _upstream(self, dout)
        self.dW = self.x.T @ dout
        return dout @ self.W.T


class Dummy:
    """先頭にダミー変数の列を加える層 T = (1 S)(式 eq-layers-dummy)。"""

    def forward(self, x):
        z = add_dummy(x)
        self._shape = z.shape  # 覚えるのは形だけ
        return z

    def backward(self, dout):
        """定数の列からは何も戻らないので、先頭の列を落とす。"""
        return _upstream(self, dout)[:, 1:]


class ReLU:
    """ReLU の層(式 eq-layers-activation)。入力 S を覚える。"""

    def forward(self, x):
        self.x = _input(x)
        self._shape = self.x.shape
        return relu(self.x)

    def backward(self, dout):
        return _upstream(self, dout) * relu_derivative(self.x)


class Sigmoid:
    """シグモイド関数の層(式 eq-layers-activation)。入力 S を覚える。"""

    def forward(self, x):
        self.x = _input(x)
        self._shape = self.x.shape
        return sigmoid(self.x)

    def backward(self, dout):
        return _upstream(self, dout) * sigmoid_derivative(self.x)


class Tanh:
    """tanh の層(式 eq-layers-tanh)。出力 T を覚え、1 - T² を掛ける。"""

    def forward(self, x):
        self.y = np.tanh(_input(x))
        self._shape = self.y.shape
        return self.y

    def backward(self, dout):
        return _upstream(self, dout) * (1 - self.y**2)


class Dropout:
    """ドロップアウトの層 T = S ⊙ R(式 eq-layers-dropout)。

    forward のたびに、確率 ratio でノードを 0、残りを 1/(1 - ratio) とする
    マスク R を rng で引き直して覚える。
    """

    def __init__(self, ratio, rng):
        self.ratio = check_fraction("ratio", ratio)
        self.rng = check_rng(rng)

    @no_overflow
    def forward(self, x):
        x = _input(x)
        # network._forward と同じマスク
        self.mask = dropout_mask(x, self.ratio, self.rng)
        self._shape = x.shape
        return x * self.mask

    @no_overflow
    def backward(self, dout):
        return _upstream(self, dout) * self.mask


class SoftmaxWithCrossEntropy:
    """ソフトマックス関数と交差エントロピーの層(式 eq-layers-softmax-ce)。"""

    @no_overflow
    def forward(self, u, yt):
        """損失 L を返し、予測値 Y_p と正解値 Y_t を覚える。"""
        u = as_finite_array("u", u, 2)
        self.yt = _check_yt(u, yt)
        self.yp = softmax(u)
        return cross_entropy(self.yt, u)

    def backward(self):
        """∂L/∂L = 1 から始め、∂L/∂U = (Y_p - Y_t)/M を返す。"""
        _check_called(self)
        return output_delta(self.yp, self.yt)


def _check_yt(u, yt):
    return check_one_hot(u, yt, u.shape[1], x_name="u", n_from="u")


def _check_called(layer):
    if not hasattr(layer, "yp"):
        raise ValueError("backward の前に forward(u, yt) を呼んでください(予測値と正解値を使います)。")


def _check_data(x, yt):
    """x と yt の件数がそろうことを、層に通す前に確かめる(yt の列は最後の層が確かめる)。"""
    x = as_finite_array("x", x, 2)
    check_same_m(x, as_finite_array("yt", yt, None, labels="one_hot"))
    return x


def _check_layers(layers):
    """層のリスト(forward と backward を持つオブジェクトのリスト)であることを確かめる。"""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers は層のリスト(例: make_layers(weights))にしてください。{received(layers)}")
    for l, layer in enumerate(layers):
        _check_layer_object(f"layers[{l}]", layer)
    return list(layers)


def _check_layer_object(name, layer):
    if not _is_layer(layer) or isinstance(layer, (type, SoftmaxWithCrossEntropy)):
        raise TypeError(f"{name} は forward(x) と backward(dout) を持つ層(例: ReLU())に"
                        f"してください。{received(layer)}")
    return layer


def _is_layer(obj):
    return all(callable(getattr(obj, name, None)) for name in ("forward", "backward"))


def _check_activation(activation):
    if not (inspect.isclass(activation) and _is_layer(activation)):
        raise TypeError("activation は層のクラス(例: ReLU や Sigmoid。ReLU() ではなく ReLU)にしてください。"
                        f"{received(activation)}")
    return activation


def make_layers(weights, activation=ReLU, dropout=0.0, rng=None):
    """重み行列のリストから層のリストを作る(節 sec-layers-network)。

    Parameters
    ----------
    weights : list of ndarray
        network.init_weights の形の重み行列(層は同じ配列を使う)。
    activation : class
        隠れ層の活性化関数の層のクラス(ReLU、Sigmoid、Tanh など)。
    dropout : float
        0 より大きければ、活性化関数の後に Dropout の層を置く。
    rng : numpy.random.Generator or int, optional
        ドロップアウトの乱数(dropout > 0 のとき必要)。
    """
    weights = check_weights(weights)
    activation = _check_activation(activation)
    dropout = check_fraction("dropout", dropout)
    rng = check_rng(rng) if dropout or rng is not None else None
    layers = []
    for V in weights[:-1]:  # 隠れ層
        layers += [Affine(V), activation()]
        if dropout:
            layers.append(Dropout(dropout, rng))
        layers.append(Dummy())
    return layers + [Affine(weights[-1])]  # 出力層の点数 U = ZW


def stack_forward(layers, x):
    """層を前から順に通す(式 eq-layers-stack)。"""
    for layer in _check_layers(layers):
        x = layer.forward(x)
    return x


def stack_backward(layers, dout):
    """層を後ろから順に通し、∂L/∂X を返す(式 eq-layers-stack)。"""
    for layer in reversed(_check_layers(layers)):
        dout = layer.backward(dout)
    return dout


@no_overflow
def stack_loss(layers, x, yt, lam=0.0):
    """層のリストの損失(交差エントロピーと L2 正則化の項)を返す。"""
    x, lam = _check_data(x, yt), check_penalty(lam)
    u = stack_forward(layers, x)
    W = [layer.W for layer in layers if isinstance(layer, Affine)]
    return SoftmaxWithCrossEntropy().forward(u, yt) + penalty(W, lam)


@no_overflow
def stack_gradient(layers, x, yt, lam=0.0):
    """Affine の層ごとの損失の勾配のリストを返す(節 sec-layers-network)。

    lam > 0 なら正則化の項の勾配 λW(切片の行は 0)を足す。
    """
    x, lam = _check_data(x, yt), check_penalty(lam)
    last = SoftmaxWithCrossEntropy()
    last.forward(stack_forward(layers, x), yt)
    stack_backward(layers, last.backward())
    return [layer.dW + penalty_gradient(layer.W, lam)
            for layer in layers if isinstance(layer, Affine)]


@no_overflow
def check_layer(layer, x, dout):
    """層の backward と数値微分の相対誤差の dict を返す(式 eq-layers-check)。

    F(S) = Σ G ⊙ T(G は dout)の S での勾配が backward(G) です。
    Affine の層なら W での勾配 dW も比べます。ドロップアウトの層は、
    forward で引いたマスクを固定して比べます。
    """
    layer = _check_layer_object("layer", layer)
    x = _input(x)
    dout = _check_dout(dout, np.shape(layer.forward(x)))
    dx = layer.backward(dout)
    if isinstance(layer, Dropout):
        mask = layer.mask
        out = lambda v: v * mask  # noqa: E731
    else:
        out = layer.forward
    errors = {"x": gradient_check(lambda v: np.sum(dout * out(v)),
                                  lambda v: dx, x)}
    if isinstance(layer, Affine):
        dW, W = layer.dW, layer.W

        def out_w(V):  # 層の forward を、重みだけ V に替えて通す
            layer.W = V
            try:
                return layer.forward(x)
            finally:
                layer.W = W

        errors["W"] = gradient_check(lambda V: np.sum(dout * out_w(V)),
                                     lambda V: dW, W)
    return errors
