"""確率分布と尤度: ベルヌーイ分布、正規分布、正規分布の雑音を仮定した対数尤度(数学の準備「確率と統計」)。"""

import numpy as np

from dlmath._validation import as_finite_array, check_positive, check_same_shape, check_xyw, no_overflow


def bernoulli_pmf(y, p):
    """ベルヌーイ分布の確率 P(Y = y) = p^y (1 - p)^(1 - y) を返す
    (式 eq-math-bernoulli)。

    Parameters
    ----------
    y : int or ndarray
        0 か 1。
    p : float or ndarray
        1 が出る確率(0 以上 1 以下)。y と同じ形か、1 つの数
        (ブロードキャストはそれだけ)。
    """
    y, p = as_finite_array("y", y, None), as_finite_array("p", p, None)
    check_same_shape(y=y, p=p)
    if np.any((y != 0) & (y != 1)):
        bad = np.unique(y[(y != 0) & (y != 1)])[:5].tolist()
        raise ValueError("y は 0 か 1 にしてください。"
                         f"受け取った値には {bad} があります。")
    if np.any((p < 0) | (p > 1)):
        bad = np.unique(p[(p < 0) | (p > 1)])[:5].tolist()
        raise ValueError("p は 0 以上 1 以下の確率にしてください。"
                         f"受け取った値には {bad} があります。")
    return (p**y * (1 - p) ** (1 - y))[()]


@no_overflow
def normal_pdf(y, mu, sigma):
    """正規分布 N(mu, sigma^2) の確率密度を返す(式 eq-math-normal)。
    y と mu は同じ形か、どちらかが 1 つの数。"""
    return np.exp(normal_logpdf(y, mu, sigma))[()]


@no_overflow
def normal_logpdf(y, mu, sigma):
    """正規分布 N(mu, sigma^2) の確率密度の対数
    -log(2πσ²)/2 - (y - mu)²/(2σ²) を返す(式 eq-math-normal の log)。

    密度を計算してから log をとると、y が mu から 38σ ほど離れたところで
    密度が 0 に丸められ、log 0 = -inf になります。式を先に展開しておけば、
    どれだけ離れていても有限の値になります。
    """
    y, mu = as_finite_array("y", y, None), as_finite_array("mu", mu, None)
    check_same_shape(y=y, mu=mu)
    check_positive("sigma", sigma)
    return (-0.5 * np.log(2 * np.pi * sigma**2)
            - (y - mu) ** 2 / (2 * sigma**2))[()]


@no_overflow
def gaussian_log_likelihood(x, yt, w, sigma):
    """正解値 = x @ w + 雑音 N(0, sigma^2) としたときの対数尤度 Σ log p(yt) を返す
    (式 eq-math-gaussian-loglik)。

    密度の積の log ではなく、対数密度の和として計算するので、
    残差が大きくても -inf になりません。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    yt : ndarray of shape (M,)
    w : ndarray of shape (D,)
    sigma : float
        雑音の標準偏差。
    """
    x, yt, w = check_xyw(x, yt, w)
    return float(np.sum(normal_logpdf(yt, x @ w, sigma)))
