"""確率分布と尤度: ベルヌーイ分布、正規分布、正規分布の雑音を仮定した対数尤度、
同時分布・周辺分布・条件付き確率、ベイズの定理、ミニバッチの平均の分散(数学の準備「確率と統計」)。"""

import numpy as np

from dlmath._validation import (as_finite_array, check_count, check_distribution, check_positive,
                                check_same_shape, check_xyw, no_overflow)


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


def marginals(joint):
    """同時確率の表から、2 つの周辺分布を返す
    (式 eq-math-marginal, 節 sec-math-prob-marginal)。

    Parameters
    ----------
    joint : ndarray of shape (N1, N2)
        joint[i, j] は、Y1 が i 番目の値、Y2 が j 番目の値をとる確率。
        どれも 0 以上で、全体の和が 1。

    Returns
    -------
    p1 : ndarray of shape (N1,)
        行ごとの和(Y2 について足したもの)で、P(Y1 = y1)。
    p2 : ndarray of shape (N2,)
        列ごとの和(Y1 について足したもの)で、P(Y2 = y2)。
    """
    joint = check_distribution("joint", joint, 2)
    return joint.sum(axis=1), joint.sum(axis=0)


def conditional_rows(joint):
    """同時確率の表の各行を、その行の和 P(Y1 = y1) で割った表を返す
    (式 eq-math-conditional-distribution)。

    返す表の i 行 j 列は P(Y2 = j 番目の値 | Y1 = i 番目の値) で、各行の和は 1 です。
    列のほうで条件を付ける P(Y1 | Y2) の表は conditional_rows(joint.T) です。

    Parameters
    ----------
    joint : ndarray of shape (N1, N2)
        同時確率の表(marginals と同じ)。どの行も和が 0 より大きいこと。
    """
    joint = check_distribution("joint", joint, 2)
    p1 = joint.sum(axis=1)
    if np.any(p1 == 0):
        rows = np.flatnonzero(p1 == 0)[:5].tolist()
        raise ValueError("和が 0 の行があり、その行を条件とする"
                         "条件付き確率は決まりません"
                         f"(0 から数えて {rows} 行目)。"
                         "その行を取り除いてから渡してください。")
    return joint / p1[:, np.newaxis]


def bayes_posterior(prior, likelihood):
    """ベイズの定理で事後確率 P(A_k | B) を返す
    (式 eq-math-bayes-posterior, 節 sec-math-bayes)。

    分母の P(B) は、全確率の式 eq-math-total-probability で
    Σ_k P(B | A_k) P(A_k) として求めます。

    Parameters
    ----------
    prior : ndarray of shape (N,)
        事前確率 P(A_k)。A_0, ..., A_{N-1} はどれか 1 つだけが起こる事象で、和は 1。
    likelihood : ndarray of shape (N,)
        A_k が起こったときに B が起こる確率 P(B | A_k)(0 以上 1 以下)。

    Returns
    -------
    ndarray of shape (N,)
        事後確率 P(A_k | B)。和は 1。
    """
    prior = check_distribution("prior", prior, 1)
    likelihood = as_finite_array("likelihood", likelihood, 1)
    check_same_shape(prior=prior, likelihood=likelihood)
    if np.any((likelihood < 0) | (likelihood > 1)):
        raise ValueError("likelihood は 0 以上 1 以下の確率 P(B | A_k) に"
                         "してください。受け取った値の範囲は "
                         f"{likelihood.min():.6g} から "
                         f"{likelihood.max():.6g} です。")
    joint = prior * likelihood   # P(A_k かつ B)
    evidence = joint.sum()       # P(B)
    if evidence == 0:
        raise ValueError("P(B) = Σ P(B | A_k) P(A_k) が 0 で、B が起こった"
                         "ときの条件付き確率は決まりません。"
                         "起こりうる観測 B の確率を渡してください。")
    return joint / evidence


@no_overflow
def minibatch_variance(per_sample, n):
    """M 件の値から、同じものを 2 度選ばずに n 件を等しい確率で選んで平均するとき、
    その平均の分散 σ_g² / n × (M - n) / (M - 1) を返す
    (式 eq-math-minibatch-variance, 節 sec-math-prob-minibatch)。

    σ_g² は M 件の値の分散(M で割るもの)です。dlmath.network.minibatches が
    作るミニバッチ(並べ替えて区切る)は、どれもこの選び方になっています。

    Parameters
    ----------
    per_sample : ndarray of shape (M,) or (M, D)
        サンプルごとの値(サンプルごとの勾配など)。行がサンプルです。
        2 次元なら、列(成分)ごとの分散を返します。
    n : int
        選ぶ件数(1 以上 M 以下)。
    """
    per_sample = as_finite_array("per_sample", per_sample, (1, 2))
    M = per_sample.shape[0]
    n = check_count("n", n, 1, M, reason=f"(per_sample の行の数 M={M} 以下)")
    var_g = per_sample.var(axis=0)  # σ_g²
    if n == M:  # 全部を選ぶと、平均はいつも同じ値
        return np.zeros_like(var_g)[()]
    return (var_g / n * (M - n) / (M - 1))[()]
