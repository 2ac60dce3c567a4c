"""分類器の評価: 混同行列からの適合率・再現率・F1 スコアと、適合率-再現率曲線。

混同行列 C (N, N) は dlmath.multiclass.confusion_matrix が作るもので、
C[k, j] は正解がクラス k で、クラス j と予測した件数です(行が正解、列が予測)。
分母が 0 になる値(0/0)は、scikit-learn の zero_division=0 と同じく 0 とします
(節 sec-evaluation-zero-division)。
"""

import numpy as np

from dlmath._validation import check_choice, check_confusion, check_scores, no_overflow


def _safe_divide(numerator, denominator):
    """numerator / denominator を成分ごとに返す。分母が 0 の成分は 0 にする
    (節 sec-evaluation-zero-division)。"""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    positive = denominator > 0
    # 分母が 0 の成分では割り算をせず、out の 0 をそのまま残す
    return np.divide(numerator, denominator, out=np.zeros_like(numerator),
                     where=positive)


@no_overflow
def precision_recall_f1(C):
    """混同行列 C (N, N) から、クラスごとの適合率・再現率・F1 スコアを返す
    (式 eq-evaluation-precision-k, eq-evaluation-recall-k,
    eq-evaluation-f1)。

    クラス k の適合率は C[k, k] / (k 列目の和)、
    再現率は C[k, k] / (k 行目の和)、F1 スコアはその 2 つの調和平均です。

    Parameters
    ----------
    C : ndarray of shape (N, N)
        混同行列(0 以上の整数の件数。行が正解、列が予測)。

    Returns
    -------
    precision, recall, f1 : ndarray of shape (N,)
        k 番目がクラス k を陽性とみなしたときの値。
    """
    C = check_confusion(C)
    tp = np.diag(C)
    predicted = C.sum(axis=0)  # 列の和: そのクラスと予測した件数 TP + FP
    actual = C.sum(axis=1)     # 行の和: 正解がそのクラスの件数 TP + FN
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, actual)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    return precision, recall, f1


@no_overflow
def averaged_scores(C, average="macro"):
    """混同行列 C (N, N) から、平均した適合率・再現率・F1 スコアを返す
    (式 eq-evaluation-macro, eq-evaluation-micro)。

    Parameters
    ----------
    C : ndarray of shape (N, N)
        混同行列(行が正解、列が予測)。
    average : {"macro", "micro"}
        "macro" はクラスごとの値の平均(F1 はクラスごとの F1 の平均)。
        "micro" は全クラスの TP・FP・FN を足してから計算した値。

    Returns
    -------
    precision, recall, f1 : float
    """
    C = check_confusion(C)
    average = check_choice("average", average, ("macro", "micro"))
    if average == "macro":
        return tuple(float(np.mean(v)) for v in precision_recall_f1(C))
    tp = np.trace(C)
    fp = C.sum() - tp  # 全クラスの FP の和 = 対角の外の件数の合計
    fn = C.sum() - tp  # 全クラスの FN の和も、同じ対角の外の件数の合計
    precision = float(_safe_divide(tp, tp + fp))
    recall = float(_safe_divide(tp, tp + fn))
    f1 = float(_safe_divide(2 * precision * recall, precision + recall))
    return precision, recall, f1


@no_overflow
def precision_recall_curve(yt, yp):
    """しきい値を変えたときの適合率と再現率を返す(節 sec-evaluation-pr-curve)。

    yp の異なる値それぞれをしきい値 τ にとり、yp >= τ を陽性と予測したときの
    適合率と再現率を計算します(式 eq-evaluation-threshold)。
    しきい値の大きい順に並べるので、再現率は増えていきます(減りません)。

    Parameters
    ----------
    yt : ndarray of shape (M,)
        正解値(陽性が 1、陰性が 0)。陽性が 1 件以上要ります。
    yp : ndarray of shape (M,)
        陽性らしさの点数(ロジスティック回帰ならクラス 1 である確率)。

    Returns
    -------
    precision, recall, thresholds : ndarray of shape (K,)
        K は yp の異なる値の数。i 番目が、しきい値 thresholds[i] での値。
    """
    yt, yp = check_scores(yt, yp)
    order = np.argsort(-yp, kind="stable")  # 点数の大きい順
    yp_sorted, yt_sorted = yp[order], yt[order]
    # 上から i + 1 件を陽性と予測したときの TP と FP
    tp = np.cumsum(yt_sorted)
    fp = np.arange(1, len(yt) + 1) - tp
    # 同じ点数が続くところは、しきい値をその点数にすると全部が陽性になるので、
    # 最後の 1 件まで数えた位置だけを残す
    last = np.r_[yp_sorted[1:] != yp_sorted[:-1], True]
    tp, fp = tp[last], fp[last]
    return tp / (tp + fp), tp / tp[-1], yp_sorted[last]
