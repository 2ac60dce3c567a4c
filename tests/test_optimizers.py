"""dlmath.optimizers: 更新の式を、答えのわかる小さな問題で確かめる。"""

import numpy as np
import pytest

from dlmath.optimizers import SGD, Adam, Momentum, RMSProp

A = np.diag([1.0, 10.0])  # 細長い 2 次関数 L(w) = ½ wᵀ A w。最小点は 0


def descend(optimizer, steps, w0=(3.0, -2.0)):
    weights = [np.array(w0)]
    for _ in range(steps):
        weights = optimizer.update(weights, [A @ weights[0]])
    return weights[0]


def test_sgd_on_a_quadratic_is_the_closed_form():
    # w_k = (I - αA)^k w_0(式 eq-practical-sgd)
    alpha, k = 0.05, 30
    expected = np.linalg.matrix_power(np.eye(2) - alpha * A, k) @ np.array([3.0, -2.0])
    np.testing.assert_allclose(descend(SGD(alpha), k), expected, rtol=1e-12)


def test_momentum_on_a_constant_gradient_reaches_speed_alpha_over_one_minus_beta():
    # v_k = -α g (1 - β^k)/(1 - β)(式 eq-practical-momentum)。十分たつと 1 回の移動は α g/(1 - β)
    g, alpha, beta = np.array([2.0, -1.0]), 0.1, 0.9
    optimizer, weights = Momentum(alpha, beta), [np.zeros(2)]
    positions = []
    for _ in range(200):
        weights = optimizer.update(weights, [g])
        positions.append(weights[0])
    k = 5
    np.testing.assert_allclose(positions[k - 1], -alpha * g * sum((1 - beta**j) / (1 - beta) for j in range(1, k + 1)))
    np.testing.assert_allclose(positions[-1] - positions[-2], -alpha * g / (1 - beta), rtol=1e-8)


def test_rmsprop_first_step_and_steady_step_on_a_constant_gradient():
    # s_1 = (1 - ρ) g² なので 1 回目の移動は α/√(1 - ρ)、s → g² なので十分たつと α(式 eq-practical-rmsprop)
    g, alpha, rho = np.array([4.0, -0.01]), 0.01, 0.9
    optimizer, weights = RMSProp(alpha, rho, eps=1e-12), [np.zeros(2)]
    weights = optimizer.update(weights, [g])
    np.testing.assert_allclose(weights[0], -alpha / np.sqrt(1 - rho) * np.sign(g), rtol=1e-8)
    for _ in range(300):
        previous = weights[0]
        weights = optimizer.update(weights, [g])
    np.testing.assert_allclose(weights[0] - previous, -alpha * np.sign(g), rtol=1e-8)


def test_adam_moves_alpha_times_the_sign_from_the_first_step_on_a_constant_gradient():
    # 偏りの補正で m̂ = g、ŝ = g² になるので、毎回ちょうど α·sign(g) だけ動く(式 eq-practical-adam)
    g, alpha = np.array([5.0, -0.002]), 0.01
    optimizer, weights = Adam(alpha, eps=1e-12), [np.zeros(2)]
    for k in range(1, 6):
        weights = optimizer.update(weights, [g])
        np.testing.assert_allclose(weights[0], -k * alpha * np.sign(g), rtol=1e-8)


@pytest.mark.parametrize(
    "optimizer, steps",
    [(SGD(0.15), 300), (Momentum(0.05, 0.9), 300), (RMSProp(0.01), 2000), (Adam(0.05), 2000)],
)
def test_every_optimiser_finds_the_minimum_of_the_bowl(optimizer, steps):
    np.testing.assert_allclose(descend(optimizer, steps), [0.0, 0.0], atol=1e-2)


def test_update_returns_new_arrays_and_leaves_the_inputs_alone():
    weights, grads = [np.ones((2, 2)), np.ones(3)], [np.ones((2, 2)), np.ones(3)]
    for optimizer in (SGD(0.1), Momentum(0.1), RMSProp(0.1), Adam(0.1)):
        new = optimizer.update(weights, grads)
        assert [w.shape for w in new] == [(2, 2), (3,)]
        assert all(np.all(w == 1.0) for w in weights)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(0.0), "alpha は正の有限の数にしてください。受け取ったのは 0.0 です。"),
        (lambda: Momentum(0.1, beta=1.0), "beta は 0 以上 1 未満の数にしてください。受け取ったのは 1.0 です。"),
        (lambda: RMSProp(0.1, rho=-0.1), "rho は 0 以上 1 未満の数にしてください。受け取ったのは -0.1 です。"),
        (lambda: Adam(0.1, beta2=1.5), "beta2 は 0 以上 1 未満の数にしてください。受け取ったのは 1.5 です。"),
        (lambda: Adam(0.1, eps=0), "eps は正の有限の数にしてください。受け取ったのは 0 です。"),
    ],
)
def test_rejects_bad_hyper_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_mismatched_gradient_list_is_an_error():
    with pytest.raises(ValueError):
        SGD(0.1).update([np.ones(2), np.ones(2)], [np.ones(2)])
