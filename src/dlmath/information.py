"""情報量・エントロピー・交差エントロピー・KL ダイバージェンス(数学の準備「情報量とエントロピー」)。

対数は自然対数で、単位はナット(nat)です。ビットにするには log 2 で割ります。
確率分布 p, q は N 通りの結果の確率を並べた (N,) か、各行が 1 つの分布の (M, N) です。
分類の損失関数そのものは dlmath.logistic.loss と dlmath.multiclass.loss にあり、
ここの関数は、それが分布どうしの交差エントロピーの平均であることを確かめるために使います。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_categorical, check_categorical_pair, check_one_hot


def information_content(p):
    """確率 p の事象が起きたと知ったときの情報量 -log p を返す
    (式 eq-math-info-content)。

    Parameters
    ----------
    p : float or ndarray
        0 より大きく 1 以下の確率。配列なら要素ごとに計算します。
    """
    p = as_finite_array("p", p, None)
    if np.any((p <= 0) | (p > 1)):
        bad = np.unique(p[(p <= 0) | (p > 1)])[:5].tolist()
        raise ValueError(
            "p は 0 より大きく 1 以下の確率にしてください"
            "(確率 0 の事象の情報量は無限大です)。"
            f"受け取った値には {bad} があります。")
    # 0.0 から引くのは、p = 1 で -0.0 ではなく 0.0 にするため
    return _plain(0.0 - np.log(p))


def entropy(p):
    """エントロピー H(p) = -Σ_k p_k log p_k を返す(式 eq-math-info-entropy)。
    0 log 0 = 0 とします。

    Parameters
    ----------
    p : ndarray of shape (N,) or (M, N)
        確率分布(0 以上で和が 1)。2 次元なら行ごとの分布。

    Returns
    -------
    float or ndarray of shape (M,)
    """
    p = check_categorical("p", p)
    log_p = np.log(p, out=np.zeros_like(p), where=p > 0)  # p_k = 0 の項は 0
    return _plain(0.0 - np.sum(p * log_p, axis=-1))


def cross_entropy(p, q):
    """分布 p に対する分布 q の交差エントロピー H(p, q) = -Σ_k p_k log q_k を返す
    (式 eq-math-info-cross-entropy)。

    分類の損失(式 eq-math-multiclass-cross-entropy)の 1 件分は、
    p を one-hot の正解値、q を予測値としたこの値です。

    Parameters
    ----------
    p, q : ndarray of shape (N,) or (M, N)
        同じ形の確率分布。p_k > 0 の k では q_k > 0 でなければなりません
        (そうでないと無限大になるため)。

    Returns
    -------
    float or ndarray of shape (M,)
    """
    p, q = _check_support(*check_categorical_pair(p, q))
    log_q = np.log(q, out=np.zeros_like(q), where=p > 0)  # p_k = 0 の項は 0
    return _plain(0.0 - np.sum(p * log_q, axis=-1))


def kl_divergence(p, q):
    """KL ダイバージェンス D_KL(p || q) = Σ_k p_k log(p_k / q_k) を返す
    (式 eq-math-info-kl)。

    H(p, q) - H(p) と同じ値で、数学的には 0 以上です(式 eq-math-info-gibbs)。
    浮動小数点の計算では、p と q がほぼ等しいと、丸め誤差で -1e-16 程度の
    負の値になることがあります。

    Parameters
    ----------
    p, q : ndarray of shape (N,) or (M, N)
        cross_entropy と同じ。

    Returns
    -------
    float or ndarray of shape (M,)
    """
    p, q = _check_support(*check_categorical_pair(p, q))
    support = p > 0
    # log(p/q) ではなく log p - log q: q がごく小さいときに p/q があふれないように
    log_ratio = (np.log(p, out=np.zeros_like(p), where=support)
                 - np.log(q, out=np.zeros_like(q), where=support))
    return _plain(np.sum(p * log_ratio, axis=-1))


def empirical_conditional(x, yt):
    """同じ入力ごとにまとめた、正解のクラスの経験分布を返す
    (式 eq-math-info-empirical-conditional)。

    Parameters
    ----------
    x : ndarray of shape (M, D)
    yt : ndarray of shape (M, N)
        one-hot の正解値。

    Returns
    -------
    inputs : ndarray of shape (K, D)
        K 通りの異なる入力。
    p_hat : ndarray of shape (K, N)
        各入力で、正解が各クラスだったサンプルの割合(各行の和は 1)。
    weight : ndarray of shape (K,)
        各入力のサンプルの件数を M で割った値(和は 1)。
    """
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 2, labels="one_hot")
    yt = check_one_hot(x, yt, yt.shape[1], n_from="yt")
    inputs, index = np.unique(x, axis=0, return_inverse=True)
    counts = np.zeros((len(inputs), yt.shape[1]))
    np.add.at(counts, index.ravel(), yt)  # 入力ごとに、クラスごとの件数を数える
    per_input = counts.sum(axis=1)
    return inputs, counts / per_input[:, None], per_input / x.shape[0]


def _check_support(p, q):
    """p_k > 0 なのに q_k = 0 の結果があれば、交差エントロピーも KL ダイバージェンスも無限大なので断る。"""
    bad = (p > 0) & (q == 0)
    if np.any(bad):
        first = ", ".join(str(int(i)) for i in np.argwhere(bad)[0])
        raise ValueError(f"p[{first}] は正なのに q[{first}] が 0 です。p で起こる結果に、q が確率 0 を与えています。"
                         "そのため交差エントロピーと KL ダイバージェンスは無限大です。"
                         "q はどの結果にも正の確率を与える分布(ソフトマックス関数の出力など)にしてください。")
    return p, q


def _plain(values):
    """0 次元の結果は Python の float にする(セルに np.float64(...) と表示させない)。"""
    return float(values) if np.ndim(values) == 0 else values
