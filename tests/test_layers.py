"""dlmath.layers: 層ごとの逆伝播(数値微分との一致)、層を並べた勾配が network.backward と同じであること、入力検査、
ページ book/backprop-layers の数値と構成。"""

import re
from pathlib import Path

import numpy as np
import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises, dangling_equation_references
from dlmath import layers, network
from dlmath.activations import log_softmax
from dlmath.layers import (Affine, Dropout, Dummy, ReLU, Sigmoid, SoftmaxWithCrossEntropy, Tanh, check_layer,
                           make_layers, stack_backward, stack_forward, stack_gradient, stack_loss)
from dlmath.numdiff import gradient_check, numerical_gradient
from dlmath.preprocess import add_dummy, one_hot

PAGE = "book/backprop-layers"
CLASSES = {"relu": ReLU, "sigmoid": Sigmoid}
CASES = [(activation, hidden) for activation in CLASSES for hidden in ([5], [5, 4], [4, 3, 3])]


def problem(seed, hidden, M=7, D=4, N=3):
    rng = np.random.default_rng(seed)
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = one_hot(rng.integers(0, N, size=M), N)
    weights = [W + rng.normal(scale=0.5, size=W.shape) for W in network.init_weights(D, hidden, N, rng)]
    return x, yt, weights


def replaced(weights, l, W):
    return [W if k == l else V for k, V in enumerate(weights)]


# ---- 層を並べた勾配は network.backward と同じ(別に書いた 2 つの実装が同じ値を返す) ----------------------------

@pytest.mark.parametrize("activation, hidden", CASES)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_stack_gradient_equals_network_gradient(activation, hidden, lam):
    x, yt, weights = problem(len(hidden), hidden)
    mine = stack_gradient(make_layers(weights, CLASSES[activation]), x, yt, lam)
    theirs = network.gradient(x, yt, weights, activation, lam)
    assert [g.shape for g in mine] == [W.shape for W in weights]
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert stack_loss(make_layers(weights, CLASSES[activation]), x, yt, lam) == pytest.approx(
        network.loss(x, yt, weights, activation, lam), rel=1e-12)


@pytest.mark.parametrize("activation, hidden", CASES)
def test_stack_with_dropout_equals_network_backward_with_the_same_seed(activation, hidden):
    x, yt, weights = problem(5, hidden)
    yp, cache = network.forward(x, weights, activation, dropout=0.4, rng=np.random.default_rng(9))
    theirs = network.backward(yt, weights, yp, cache, activation, lam=0.05)
    stack = make_layers(weights, CLASSES[activation], dropout=0.4, rng=np.random.default_rng(9))
    mine = stack_gradient(stack, x, yt, lam=0.05)
    masks = [layer.mask for layer in stack if isinstance(layer, Dropout)]
    assert len(masks) == len(hidden) and any(np.any(m == 0) for m in masks)
    for mask, kept in zip(masks, cache["mask"]):
        np.testing.assert_array_equal(mask, kept)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_stack_forward_gives_the_network_scores_and_backward_the_input_gradient():
    # 式 eq-layers-stack と eq-layers-composed: 最後の G_0 = ∂L/∂X = δ_hidden Vᵀ
    x, yt, weights = problem(1, [5])
    stack = make_layers(weights)
    u = stack_forward(stack, x)
    _, cache = network.forward(x, weights)
    np.testing.assert_allclose(u, cache["u"], rtol=1e-14)
    last = SoftmaxWithCrossEntropy()
    last.forward(u, yt)
    dx = stack_backward(stack, last.backward())
    numeric = numerical_gradient(lambda v: network.loss(v, yt, weights), x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("layer_class", [ReLU, Sigmoid, Tanh])
@pytest.mark.parametrize("hidden", [[5], [4, 3]])
def test_stack_gradient_matches_central_differences(layer_class, hidden):
    x, yt, weights = problem(3, hidden)
    for l in range(len(weights)):
        error = gradient_check(
            lambda W, l=l: stack_loss(make_layers(replaced(weights, l, W), layer_class), x, yt, 0.1),
            lambda W, l=l: stack_gradient(make_layers(replaced(weights, l, W), layer_class), x, yt, 0.1)[l],
            weights[l])
        assert error < 1e-6, (l, error)


def test_stack_with_dropout_matches_central_differences_of_the_masked_loss():
    x, yt, weights = problem(7, [6, 5])

    def masked_loss(ws):
        return stack_loss(make_layers(ws, ReLU, 0.5, np.random.default_rng(11)), x, yt)

    grads = stack_gradient(make_layers(weights, ReLU, 0.5, np.random.default_rng(11)), x, yt)
    for l in range(len(weights)):
        error = gradient_check(lambda W, l=l: masked_loss(replaced(weights, l, W)), lambda W, l=l: grads[l],
                               weights[l])
        assert error < 1e-6, (l, error)


# ---- 1 つずつの層(式 eq-layers-affine-backward から eq-layers-tanh、eq-layers-check) ----------------------------

def layer_cases(rng):
    return [(Affine(rng.normal(size=(4, 3))), (6, 4)), (Dummy(), (6, 3)), (ReLU(), (6, 3)), (Sigmoid(), (6, 3)),
            (Tanh(), (6, 3)), (Dropout(0.5, rng), (6, 3))]


@pytest.mark.parametrize("index", range(6))
def test_each_layer_backward_matches_central_differences(index):
    rng = np.random.default_rng(index)
    layer, shape = layer_cases(rng)[index]
    x = rng.normal(size=shape)
    dout = rng.normal(size=layer.forward(x).shape)
    errors = check_layer(layer, x, dout)
    assert set(errors) == ({"x", "W"} if isinstance(layer, Affine) else {"x"})
    assert max(errors.values()) < 1e-7, errors


def test_check_layer_finds_a_wrong_backward():
    # テストが失敗しうること: 導関数を取り違えた層は相対誤差が大きい
    class WrongSigmoid(Sigmoid):
        def backward(self, dout):
            return dout * np.tanh(self.x)

    rng = np.random.default_rng(0)
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert check_layer(WrongSigmoid(), x, dout)["x"] > 0.1


def test_check_layer_finds_a_wrong_weight_gradient():
    class WrongAffine(Affine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = 2 * self.dW
            return dx

    rng = np.random.default_rng(4)
    layer = WrongAffine(rng.normal(size=(4, 3)))
    errors = check_layer(layer, rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))
    assert errors["x"] < 1e-7 and errors["W"] > 0.1


def test_check_layer_differentiates_the_weights_through_the_layers_own_forward():
    # W の確かめ方は x @ W を書き直さず、層の forward を通す: forward が 2 SW の層でも正しい dW なら一致する
    class DoubledAffine(Affine):
        def forward(self, x):
            return 2 * super().forward(x)

        def backward(self, dout):
            return super().backward(2 * dout)

    rng = np.random.default_rng(5)
    W = rng.normal(size=(4, 3))
    layer = DoubledAffine(W)
    errors = check_layer(layer, rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))
    assert max(errors.values()) < 1e-7, errors
    assert layer.W is W


def test_affine_backward_formulas_and_shapes():
    rng = np.random.default_rng(1)
    S, W, G = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    layer = Affine(W)
    np.testing.assert_array_equal(layer.forward(S), S @ W)
    dS = layer.backward(G)
    np.testing.assert_allclose(dS, G @ W.T)
    np.testing.assert_allclose(layer.dW, S.T @ G)
    assert dS.shape == S.shape and layer.dW.shape == W.shape


def test_dummy_layer_prepends_ones_and_drops_the_first_column():
    S = np.arange(6.0).reshape(2, 3)
    layer = Dummy()
    np.testing.assert_array_equal(layer.forward(S), [[1, 0, 1, 2], [1, 3, 4, 5]])
    np.testing.assert_array_equal(layer.backward(np.arange(8.0).reshape(2, 4)), [[1, 2, 3], [5, 6, 7]])


def test_dummy_after_affine_backward_is_the_weights_without_the_intercept_row():
    # 本文: (δ Wᵀ) の先頭の列を落とすと δ W̃ᵀ(式 eq-deep-dl-dz)
    rng = np.random.default_rng(2)
    W, delta = rng.normal(size=(5, 3)), rng.normal(size=(6, 3))
    affine, dummy = Affine(W), Dummy()
    affine.forward(dummy.forward(rng.normal(size=(6, 4))))
    np.testing.assert_allclose(dummy.backward(affine.backward(delta)), delta @ W[1:].T, rtol=1e-14)


def test_tanh_derivative_is_one_minus_tanh_squared():
    # 式 eq-layers-tanh
    u = np.linspace(-3, 3, 13)
    numeric = numerical_gradient(lambda v: np.sum(np.tanh(v)), u)
    np.testing.assert_allclose(1 - np.tanh(u) ** 2, numeric, rtol=1e-7, atol=1e-9)


def test_softmax_with_cross_entropy_layer():
    # 式 eq-layers-softmax-ce: ∂L/∂U = (Y_p - Y_t)/M は損失の数値微分と同じ
    rng = np.random.default_rng(3)
    u, yt = rng.normal(size=(6, 4)), one_hot(rng.integers(0, 4, size=6), 4)
    layer = SoftmaxWithCrossEntropy()
    L = layer.forward(u, yt)
    assert L == pytest.approx(-np.mean(np.sum(yt * log_softmax(u), axis=1)), rel=1e-14)
    numeric = numerical_gradient(lambda v: SoftmaxWithCrossEntropy().forward(v, yt), u)
    np.testing.assert_allclose(layer.backward(), numeric, rtol=1e-6, atol=1e-10)


def test_dropout_mask_keeps_the_expected_fraction_and_scale():
    # 式 eq-layers-dropout: R の成分は 0 か 1/(1 - p)、平均はおよそ 1
    layer = Dropout(0.3, np.random.default_rng(0))
    out = layer.forward(np.ones((400, 50)))
    assert set(np.unique(layer.mask)) == {0.0, 1 / 0.7}
    assert np.mean(layer.mask == 0) == pytest.approx(0.3, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_array_equal(layer.backward(np.full((400, 50), 2.0)), 2.0 * layer.mask)


def test_make_layers_structure_and_shared_weights():
    _, _, weights = problem(0, [5, 4])
    stack = make_layers(weights, Sigmoid, dropout=0.2, rng=0)
    assert [type(layer).__name__ for layer in stack] == [
        "Affine", "Sigmoid", "Dropout", "Dummy", "Affine", "Sigmoid", "Dropout", "Dummy", "Affine"]
    assert all(layer.W is W for layer, W in zip([s for s in stack if isinstance(s, Affine)], weights))
    assert [type(layer).__name__ for layer in make_layers(weights)] == [
        "Affine", "ReLU", "Dummy", "Affine", "ReLU", "Dummy", "Affine"]


def test_stack_gradient_does_not_modify_the_weights():
    x, yt, weights = problem(4, [5])
    before = [W.copy() for W in weights]
    stack_gradient(make_layers(weights), x, yt, lam=0.5)
    for W, W0 in zip(weights, before):
        np.testing.assert_array_equal(W, W0)


def test_a_hand_built_stack_without_a_dummy_layer_has_a_loss_and_gradient():
    # 層のリストは make_layers でなくても作れる: ダミー変数の列の層がなければ、次の Affine の重みに切片の行はない。
    # 正則化の項は、どの Affine でも先頭の行を除いた 2 乗和(形のつながりは問わない)。
    rng = np.random.default_rng(3)
    x, yt = rng.normal(size=(6, 5)), one_hot(rng.integers(0, 3, size=6), 3)
    W1, W2 = rng.normal(size=(5, 6)), rng.normal(size=(6, 3))
    stack = [Affine(W1), Tanh(), Affine(W2)]
    u = np.tanh(x @ W1) @ W2
    expected = -np.mean(np.sum(yt * log_softmax(u), axis=1)) + 0.1 / 2 * (np.sum(W1[1:] ** 2) + np.sum(W2[1:] ** 2))
    assert stack_loss(stack, x, yt, lam=0.1) == pytest.approx(expected, rel=1e-12)
    grads = stack_gradient(stack, x, yt, lam=0.1)
    assert [g.shape for g in grads] == [W1.shape, W2.shape]


# ---- 入力検査 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: Affine(np.ones((3, 2))).forward(np.ones((4, 2))), ValueError,
         r"x の列の数は、重み行列 W の行の数 3 と同じ.*x にダミー変数の列がないようです"),
        (lambda: Affine(np.ones((3, 2))).backward(np.ones((4, 2))), ValueError, "forward を呼んでください"),
        (lambda: _after_forward(ReLU(), (4, 3)).backward(np.ones((3, 4))), ValueError,
         r"dout は forward\(x\) が返した出力と同じ形 \(4, 3\) にしてください。受け取った形は \(3, 4\) です。"),
        (lambda: Dummy().forward(np.ones(3)), ValueError, "x は 2 次元の配列にしてください"),
        (lambda: Dropout(1.0, 0), ValueError, "ratio は 0 以上 1 未満の数にしてください"),
        (lambda: Dropout(0.5, None), TypeError, "rng は numpy.random.Generator か整数の種にしてください"),
        (lambda: SoftmaxWithCrossEntropy().backward(), ValueError, r"backward の前に forward\(u, yt\) を呼んでください"),
        (lambda: SoftmaxWithCrossEntropy().forward(np.ones((2, 3)), np.ones((2, 3))), ValueError, "yt は one-hot"),
        (lambda: make_layers([np.ones((3, 2))], activation=ReLU()), TypeError,
         r"activation は層のクラス.*ReLU\(\) ではなく ReLU"),
        (lambda: make_layers([np.ones((3, 2)), np.ones((3, 2))], dropout=0.5), TypeError, "rng は"),
        (lambda: make_layers([np.ones((3, 2)), np.ones((4, 2))]), ValueError, r"weights\[1\] の行の数は 3"),
        (lambda: stack_forward([], np.ones((2, 3))), TypeError, "layers は層のリスト"),
        (lambda: stack_forward([ReLU, ReLU()], np.ones((2, 3))), TypeError, r"layers\[0\] は forward\(x\) と backward"),
        (lambda: stack_gradient(make_layers([np.ones((3, 2))]), np.ones((2, 3)), one_hot([0, 1], 2), lam=-1.0),
         ValueError, "lam は 0 以上の有限の数"),
        (lambda: check_layer(SoftmaxWithCrossEntropy(), np.ones((2, 3)), np.ones((2, 3))), TypeError,
         r"layer は forward\(x\) と backward\(dout\) を持つ層"),
        (lambda: check_layer(ReLU(), np.ones((2, 3)), np.ones((2, 4))), ValueError, r"dout は.*\(2, 3\)"),
    ],
)
def test_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _after_forward(layer, shape):
    layer.forward(np.ones(shape))
    return layer


def test_the_module_source_calls_the_shared_activation_and_loss_functions():
    # ソースの文字列を調べるだけのテスト: 活性化関数・導関数・ソフトマックス関数・交差エントロピー・重みの検査と、
    # ダミー変数の列・マスク・(Y_p - Y_t)/M・正則化の項は network と同じ関数を呼び、自分で書いていないこと。
    # 層がつないだ結果が network と同じ勾配を返すことは、上の勾配のテストが確かめる。
    source = Path(layers.__file__).read_text(encoding="utf-8")
    for name in ("relu_derivative(", "sigmoid_derivative(", "softmax(", "cross_entropy(", "check_weights(",
                 "add_dummy(", "dropout_mask(", "output_delta(", "penalty(", "penalty_gradient("):
        assert name in source
    for written in ("np.exp(", "np.log(", "np.insert(", "np.hstack(", ".random("):
        assert written not in source


# ---- ページ ----------------------------------------------------------------------------------------------------

LABELS = ["eq-layers-chain", "eq-layers-affine", "eq-layers-affine-backward", "eq-layers-dummy",
          "eq-layers-activation", "eq-layers-softmax-ce", "eq-layers-network", "eq-layers-stack",
          "eq-layers-composed", "eq-layers-check", "eq-layers-dropout", "eq-layers-tanh"]


@pytest.fixture(scope="module")
def page(site):
    return built_page(site, PAGE)


def test_page_equations_exercises_and_references(page):
    for label in LABELS:
        check_equation(page, label)
    check_exercises(page, "ex-layers-", 3, code_solutions=3)
    assert not dangling_equation_references(page)


def test_page_shows_identical_gradients_and_small_check_errors(page):
    out = cell_outputs(page)
    diffs = [float(v) for v in re.findall(r"差の最大: ([0-9.e+-]+)", out)]
    assert len(diffs) >= 5 and max(diffs) < 1e-12
    errors = [float(v) for v in re.findall(r"(?:x|W): ([0-9.]+e-\d+)", out)]
    assert len(errors) >= 5 and max(errors) < 1e-7
    relative = [float(v) for line in re.findall(r"相対誤差: (.*)", out) for v in line.split()]
    assert len(relative) >= 10 and max(relative) < 1e-6
    assert "層の合計: 9152" in out and "cache の合計: 8832" in out  # 演習 ex-layers-memory の手計算
    assert "cache と Y_p、Y_t の合計: 9472" in out
    assert "(1437, 101)" in out  # ダミー変数の層で H + 1 列
