"""dlmath.network: 誤差逆伝播法の勾配(数値微分との一致)、初期値、順伝播の形、入力検査。"""

import numpy as np
import pytest

from dlmath import network
from dlmath.activations import log_softmax
from dlmath.numdiff import gradient_check
from dlmath.preprocess import add_dummy, one_hot

CASES = [(activation, hidden) for activation in ("relu", "sigmoid") for hidden in ([5], [5, 4], [4, 3, 3])]


def problem(seed, hidden, M=7, D=4, N=3):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = one_hot(rng.integers(0, N, size=M), N)
    weights = [W + rng.normal(scale=0.5, size=W.shape) for W in network.init_weights(D, hidden, N, rng)]
    return x, yt, weights


def replaced(weights, l, W):
    return [W if k == l else V for k, V in enumerate(weights)]


@pytest.mark.parametrize("activation, hidden", CASES)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_backprop_matches_central_differences_for_every_layer(activation, hidden, lam):
    # 式 eq-deep-backprop: 各層の重み行列の勾配を、その層だけを動かした数値微分と比べる(相対誤差 < 1e-6)
    x, yt, weights = problem(len(hidden) + int(10 * lam), hidden)
    for l in range(len(weights)):
        error = gradient_check(
            lambda W, l=l: network.loss(x, yt, replaced(weights, l, W), activation, lam),
            lambda W, l=l: network.gradient(x, yt, replaced(weights, l, W), activation, lam)[l],
            weights[l],
        )
        assert error < 1e-6, f"layer {l}: relative error {error:.2e}"


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_backprop_with_dropout_matches_the_gradient_of_the_masked_network(activation):
    # 同じ乱数の種なら同じノードが落ちるので、落としたネットワークの損失を数値微分できる
    x, yt, weights = problem(7, [6, 5])

    def masked_loss(ws):
        _, cache = network.forward(x, ws, activation, dropout=0.5, rng=np.random.default_rng(11))
        return -np.mean(np.sum(yt * log_softmax(cache["u"]), axis=1))

    yp, cache = network.forward(x, weights, activation, dropout=0.5, rng=np.random.default_rng(11))
    grads = network.backward(yt, weights, yp, cache, activation)
    assert any(np.any(m == 0) for m in cache["mask"])  # 実際にノードが落ちている
    for l in range(len(weights)):
        error = gradient_check(lambda W, l=l: masked_loss(replaced(weights, l, W)), lambda W, l=l: grads[l], weights[l])
        assert error < 1e-6, f"layer {l}: relative error {error:.2e}"


def test_forward_shapes_and_probabilities():
    x, _, weights = problem(0, [5, 4])
    yp, cache = network.forward(x, weights)
    assert yp.shape == (7, 3)
    np.testing.assert_allclose(yp.sum(axis=1), 1.0)
    assert [z.shape for z in cache["z"]] == [(7, 4), (7, 6), (7, 5)]  # 隠れ層の出力にはダミー変数の列が付く
    assert all(np.all(z[:, 0] == 1.0) for z in cache["z"])
    assert [a.shape for a in cache["a"]] == [(7, 5), (7, 4)]


def test_he_initialisation_has_the_fan_in_scale_and_zero_intercepts():
    weights = network.init_weights(401, [300, 200], 10, np.random.default_rng(0))
    assert [W.shape for W in weights] == [(401, 300), (301, 200), (201, 10)]
    for W, fan_in in zip(weights, (400, 300, 200)):
        assert np.all(W[0] == 0.0)
        assert W[1:].std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.03)  # 式 eq-deep-he


def test_xavier_initialisation_has_the_fan_in_plus_fan_out_scale_and_zero_intercepts():
    weights = network.init_weights(401, [300, 200], 10, np.random.default_rng(1), method="xavier")
    assert [W.shape for W in weights] == [(401, 300), (301, 200), (201, 10)]
    for W, fan_in, fan_out in zip(weights, (400, 300, 200), (300, 200, 10)):
        assert np.all(W[0] == 0.0)
        assert abs(W[1:].mean()) < 0.1 * np.sqrt(2 / (fan_in + fan_out))
        assert W[1:].std() == pytest.approx(np.sqrt(2 / (fan_in + fan_out)), rel=0.03)  # 式 eq-deep-xavier


def test_xavier_equals_one_over_fan_in_when_neighbouring_layers_have_equal_widths():
    # fan_in = fan_out = n なら 2 / (n + n) = 1 / n: 同じ乱数なら He の値のちょうど 1/√2 倍
    he = network.init_weights(51, [50, 50], 50, np.random.default_rng(3), method="he")
    xavier = network.init_weights(51, [50, 50], 50, np.random.default_rng(3), method="xavier")
    for W_he, W_xavier in zip(he, xavier):
        np.testing.assert_allclose(W_xavier, W_he / np.sqrt(2.0), rtol=1e-15)


def test_he_relu_scales_the_backward_mean_square_by_n_out_over_n_in():
    # 式 eq-deep-backward-scale: ReLU と He の初期値では、誤差の 2 乗平均は 1 層さかのぼるごとに n_out / n_in 倍
    # (幅が違えば 1 倍ではない)。入力は 0 について対称(E[f'(a)^2] = 1/2 の前提)、幅は 100 → 400 → 100 → 400 → 100 → 10
    from dlmath.activations import relu_derivative

    rng = np.random.default_rng(0)
    M, widths, N = 2000, [400, 100, 400, 100], 10
    x = add_dummy(rng.normal(size=(M, 100)))
    weights = network.init_weights(101, widths, N, rng, method="he")
    yp, cache = network.forward(x, weights)
    delta = (yp - one_hot(rng.integers(0, N, size=M), N)) / M  # 出力層の誤差(式 eq-deep-delta-out)
    sizes = [100, *widths, N]  # weights[l] は sizes[l] 個のノードから sizes[l + 1] 個のノードへの重み
    for l in range(len(weights) - 1, 0, -1):
        prev = (delta @ weights[l][1:].T) * relu_derivative(cache["a"][l - 1])  # 式 eq-deep-delta-hidden
        ratio = np.mean(prev**2) / np.mean(delta**2)
        assert ratio == pytest.approx(sizes[l + 1] / sizes[l], rel=0.15), (l, ratio)
        delta = prev


def test_equal_initialisation_keeps_hidden_nodes_identical():
    # すべて同じ初期値だと、隠れ層のノードは同じ値を計算し同じ勾配を受けるので、いつまでも同じまま(対称性)
    rng = np.random.default_rng(2)
    x = add_dummy(rng.normal(size=(20, 3)))
    yt = one_hot(rng.integers(0, 3, size=20), 3)
    weights = network.init_weights(4, [5], 3, rng, method="equal")
    for _ in range(50):
        weights = [W - 0.5 * g for W, g in zip(weights, network.gradient(x, yt, weights))]
    V = weights[0]
    np.testing.assert_allclose(V, V[:, :1] * np.ones((1, 5)))
    assert not np.allclose(V, network.init_weights(4, [5], 3, rng, method="equal")[0])  # 動いてはいる


def test_classify_accuracy_and_count():
    x, yt, weights = problem(3, [5])
    yp, _ = network.forward(x, weights)
    np.testing.assert_array_equal(network.classify(x, weights), np.argmax(yp, axis=1))
    assert network.accuracy(x, yt, weights) == pytest.approx(np.mean(np.argmax(yp, 1) == np.argmax(yt, 1)))
    assert network.count_weights(weights) == 4 * 5 + 6 * 3


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x, yt, w: network.forward(x, []), "weights は 1 つ以上の配列のリストにしてください。受け取ったのは空の list です。"),
        (lambda x, yt, w: network.forward(x, [w[0], w[1][1:]]), r"weights\[1\] の行の数は 6\(前の層の出力の数 5 と切片の行 1 つ\)"),
        (lambda x, yt, w: network.forward(x[:, 1:], w), r"weights\[0\] の行の数は、x の列の数 D=3 と同じ.*受け取った形は \(4, 5\) です。x にダミー変数の列がないようです"),
        (lambda x, yt, w: network.forward(x, w, activation="tanh"), "activation は 'relu' か 'sigmoid' にしてください。受け取ったのは 'tanh' です。"),
        (lambda x, yt, w: network.forward(x, w, dropout=1.0), r"dropout は 0 以上 1 未満の数にしてください。受け取ったのは 1\.0 です。"),
        (lambda x, yt, w: network.loss(x, yt[:, :2], w), r"yt の列の数は、クラスの数 N=3\(weights\[-1\] の列の数\)"),
        (lambda x, yt, w: network.loss(x, yt, w, lam=-1.0), "lam は 0 以上の有限の数にしてください。"),
        (lambda x, yt, w: network.init_weights(4, [0], 3, np.random.default_rng()), r"hidden\[0\] は正の整数にしてください。受け取ったのは 0 です。"),
        (lambda x, yt, w: network.init_weights(4, [5], 3, np.random.default_rng(), method="zeros"), "method は 'he'、'xavier'、'he_uniform'、'xavier_uniform'、'normal'、'equal' のどれかにしてください。受け取ったのは 'zeros' です。"),
    ],
)
def test_rejects_bad_input(call, match):
    x, yt, weights = problem(0, [5])
    with pytest.raises(ValueError, match=match):
        call(x, yt, weights)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x, w: network.forward(x, np.zeros((4, 3))), r"weights は配列のリスト.*受け取ったのは形 \(4, 3\) の float64 の配列です。"),
        (lambda x, w: network.forward(x, w, dropout=0.5), r"rng は numpy.random.Generator か整数の種にしてください.*受け取ったのは None です。"),
        (lambda x, w: network.forward(x, w, activation=None), "activation は 'relu' か 'sigmoid' にしてください。受け取ったのは None です。"),
    ],
)
def test_rejects_wrong_types(call, match):
    x, _, weights = problem(0, [5])
    with pytest.raises(TypeError, match=match):
        call(x, weights)
