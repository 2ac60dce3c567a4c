"""重みの更新のしかた(最適化手法): SGD、モメンタム、RMSProp、Adam(節 sec-practical-optimizers)。

どれも update(weights, grads) で、重み行列のリストと同じ形の勾配のリストを受け取り、
更新した新しい重みのリストを返します(渡したリストは書き換えません)。@checked_update が引数を先に確かめ、
形の違う勾配(ブロードキャストすれば計算できてしまうものも)、NaN や inf は ValueError にします。
モメンタム・RMSProp・Adam は、それまでの勾配から作った値を覚えておくので、学習ごとに新しく作ります。
"""

import numpy as np

from dlmath._validation import check_fraction, check_positive, checked_update


class SGD:
    """確率的勾配降下法 w ← w − α g
    (ミニバッチの勾配 g、式 eq-deep-minibatch と eq-practical-sgd)。"""

    def __init__(self, alpha=0.01):
        self.alpha = check_positive("alpha", alpha)

    @checked_update()
    def update(self, weights, grads):
        return [W - self.alpha * g
                for W, g in zip(weights, grads, strict=True)]


class Momentum:
    """モメンタム v ← βv − α g、w ← w + v(式 eq-practical-momentum)。

    v は「速度」で、勾配の向きがそろっている方向には加速し、
    向きが毎回変わる方向では打ち消し合います。
    """

    def __init__(self, alpha=0.01, beta=0.9):
        self.alpha = check_positive("alpha", alpha)
        self.beta = check_fraction("beta", beta)
        self.v = None

    @checked_update(state="v")
    def update(self, weights, grads):
        if self.v is None:
            self.v = [np.zeros_like(W) for W in weights]
        self.v = [self.beta * v - self.alpha * g
                  for v, g in zip(self.v, grads, strict=True)]
        return [W + v for W, v in zip(weights, self.v, strict=True)]


class RMSProp:
    """RMSProp s ← ρs + (1 − ρ) g²、w ← w − α g / (√s + ε)
    (式 eq-practical-rmsprop)。

    s は勾配の 2 乗の移動平均で、いつも大きな勾配が来る重みほど
    1 回に動く量を小さくします。
    """

    def __init__(self, alpha=0.001, rho=0.9, eps=1e-8):
        self.alpha = check_positive("alpha", alpha)
        self.rho = check_fraction("rho", rho)
        self.eps = check_positive("eps", eps)
        self.s = None

    @checked_update(state="s")
    def update(self, weights, grads):
        if self.s is None:
            self.s = [np.zeros_like(W) for W in weights]
        self.s = [self.rho * s + (1 - self.rho) * g**2
                  for s, g in zip(self.s, grads, strict=True)]
        return [W - self.alpha * g / (np.sqrt(s) + self.eps)
                for W, g, s in zip(weights, grads, self.s, strict=True)]


class Adam:
    """Adam: 勾配の指数移動平均 m と、勾配の 2 乗の指数移動平均 s(RMSProp と同じ)を、
    はじめの偏りを補正して使う(式 eq-practical-adam)。

    m ← β1 m + (1 − β1) g、s ← β2 s + (1 − β2) g²、
    m̂ = m / (1 − β1^t)、ŝ = s / (1 − β2^t)、w ← w − α m̂ / (√ŝ + ε)。
    t は更新の回数。
    """

    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.alpha = check_positive("alpha", alpha)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)
        self.m = self.s = None
        self.t = 0

    @checked_update(state="m")
    def update(self, weights, grads):
        if self.m is None:
            self.m = [np.zeros_like(W) for W in weights]
            self.s = [np.zeros_like(W) for W in weights]
        self.t += 1
        self.m = [self.beta1 * m + (1 - self.beta1) * g
                  for m, g in zip(self.m, grads, strict=True)]
        self.s = [self.beta2 * s + (1 - self.beta2) * g**2
                  for s, g in zip(self.s, grads, strict=True)]
        # はじめは 0 に偏るので補正する
        m_hat = [m / (1 - self.beta1**self.t) for m in self.m]
        s_hat = [s / (1 - self.beta2**self.t) for s in self.s]
        return [W - self.alpha * m / (np.sqrt(s) + self.eps)
                for W, m, s in zip(weights, m_hat, s_hat, strict=True)]

