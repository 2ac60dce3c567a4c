"""「ディープラーニングに向けて」の章で導いた式を、中心差分で数値的に確かめる。

シグモイド関数・ソフトマックス関数と2つの交差エントロピーは dlmath(第5・6章)の実装を使い、
章の式(勾配の形)と数値微分を比べる。隠れ層の誤差逆伝播はまだ dlmath にないので、式どおりに組み立てる。
式が間違っていれば、これらのテストが失敗する。
"""

import numpy as np
import pytest

from dlmath import logistic, multiclass
from dlmath.activations import sigmoid, softmax
from dlmath.numdiff import numerical_gradient
from dlmath.preprocess import add_dummy, one_hot

binary_cross_entropy = logistic.loss  # 式 eq-bridge-ce
multi_cross_entropy = multiclass.loss  # 式 eq-bridge-ce-multi-one の平均


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_sigmoid_derivative(rng):
    # 式 eq-bridge-sigmoid-derivative: f'(u) = f(u)(1 - f(u))、f はシグモイド関数
    for u in rng.normal(scale=3, size=10):
        numeric = numerical_gradient(lambda v: sigmoid(v[0]), np.array([u]))[0]
        assert numeric == pytest.approx(sigmoid(u) * (1 - sigmoid(u)), rel=1e-6)


def test_logistic_gradient(rng):
    # 式 eq-bridge-logistic-grad: ∇L = Xᵀ(yp - yt)/M
    x = add_dummy(rng.normal(size=(8, 3)))
    yt = rng.integers(0, 2, size=8).astype(float)
    w = rng.normal(size=4)
    analytic = x.T @ (sigmoid(x @ w) - yt) / len(yt)
    numeric = numerical_gradient(lambda v: binary_cross_entropy(x, yt, v), w)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_gradient(rng):
    # 式 eq-bridge-softmax-grad: ∇_W L = Xᵀ(Yp - Yt)/M(W の全成分を数値微分する)
    M, D, N = 6, 3, 4
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = one_hot(rng.integers(0, N, size=M), N)
    W = rng.normal(size=(D, N))
    analytic = x.T @ (softmax(x @ W) - yt) / M
    numeric = numerical_gradient(lambda v: multi_cross_entropy(x, yt, v), W)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_backprop_hidden_layer(rng):
    # 式 eq-bridge-backprop: ∂L/∂v_ih = (1/M) Σ_m x_i f'(a_h) Σ_k w_hk (yp_k - yt_k)、f はシグモイド関数
    M, D, H, N = 5, 3, 4, 3
    x = add_dummy(rng.normal(size=(M, D - 1)))
    yt = one_hot(rng.integers(0, N, size=M), N)
    V, W = rng.normal(size=(D, H)), rng.normal(size=(H + 1, N))

    def loss(v):
        z = add_dummy(sigmoid(x @ v))  # 隠れ層の出力 Z(先頭はダミー変数)
        return multi_cross_entropy(z, yt, W)

    a = x @ V
    z = add_dummy(sigmoid(a))
    yd = softmax(z @ W) - yt
    delta = sigmoid(a) * (1 - sigmoid(a)) * (yd @ W[1:].T)  # f'(a_h) Σ_k w_hk yd_k(ダミー行は除く)
    analytic = x.T @ delta / M
    np.testing.assert_allclose(analytic, numerical_gradient(loss, V), rtol=1e-6, atol=1e-9)
    # 出力層: 式 eq-bridge-nn-grad-out ∇_W L = Zᵀ(Yp - Yt)/M
    numeric_W = numerical_gradient(lambda v: multi_cross_entropy(z, yt, v), W)
    np.testing.assert_allclose(z.T @ yd / M, numeric_W, rtol=1e-6, atol=1e-9)
