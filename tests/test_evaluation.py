"""分類器の評価(dlmath.evaluation、book/classifier-evaluation.md)を確かめる。

適合率・再現率・F1 スコアとその平均は、手で数えた小さな例と scikit-learn の sklearn.metrics(独立な実装)と、
適合率-再現率曲線はしきい値ごとに数え直した値と sklearn.metrics.precision_recall_curve と比べます。
ページの数と式・図・演習問題は、ビルド済みのページで確かめます。
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics

from conftest import check_equation, check_exercises, check_figure, dangling_equation_references
from dlmath import logistic
from dlmath.evaluation import averaged_scores, precision_recall_curve, precision_recall_f1
from dlmath.multiclass import confusion_matrix

PAGE = "book/classifier-evaluation"
SCORES = (metrics.precision_score, metrics.recall_score, metrics.f1_score)


def sklearn_scores(labels, predicted, N, average):
    return [score(labels, predicted, labels=list(range(N)), average=average, zero_division=0) for score in SCORES]


@st.composite
def labelled(draw, max_classes=6):
    """(N, 正解のクラス, 予測したクラス)。どのクラスも現れないことがある(0/0 の場合を含む)。"""
    N = draw(st.integers(2, max_classes))
    M = draw(st.integers(1, 40))
    labels = draw(st.lists(st.integers(0, N - 1), min_size=M, max_size=M))
    predicted = draw(st.lists(st.integers(0, N - 1), min_size=M, max_size=M))
    return N, np.array(labels), np.array(predicted)


# --- 手で数えた小さな例 -----------------------------------------------------------------------

def test_binary_hand_example_of_the_exercise():
    # 演習 ex-evaluation-hand: TP 30, FP 20, FN 10, TN 940
    C = np.array([[940, 20], [10, 30]])
    precision, recall, f1 = precision_recall_f1(C)
    assert precision[1] == pytest.approx(30 / 50)                       # 式 eq-evaluation-precision
    assert recall[1] == pytest.approx(30 / 40)                          # 式 eq-evaluation-recall
    assert f1[1] == pytest.approx(2 / 3)                                # 式 eq-evaluation-f1-counts: 60/90
    assert f1[1] == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))        # 式 eq-evaluation-f1
    # 陰性(クラス 0)を陽性とみなした値: 適合率 940/950、再現率 940/960
    assert precision[0] == pytest.approx(940 / 950) and recall[0] == pytest.approx(940 / 960)


def test_three_class_hand_example_uses_columns_for_precision_and_rows_for_recall():
    C = np.array([[5, 1, 0],
                  [2, 3, 1],
                  [0, 4, 6]])
    precision, recall, _ = precision_recall_f1(C)
    np.testing.assert_allclose(precision, [5 / 7, 3 / 8, 6 / 7])   # 式 eq-evaluation-precision-k: 列の和
    np.testing.assert_allclose(recall, [5 / 6, 3 / 6, 6 / 10])     # 式 eq-evaluation-recall-k: 行の和
    macro = averaged_scores(C, "macro")
    assert macro[0] == pytest.approx(np.mean([5 / 7, 3 / 8, 6 / 7]))   # 式 eq-evaluation-macro
    micro = averaged_scores(C, "micro")
    np.testing.assert_allclose(micro, [14 / 22] * 3)                   # 式 eq-evaluation-micro: トレース / M


def test_f1_is_the_harmonic_mean_between_the_minimum_and_the_arithmetic_mean():
    # 演習 ex-evaluation-f1-bounds
    rng = np.random.default_rng(0)
    for _ in range(200):
        C = rng.integers(1, 50, size=(2, 2))
        p, r, f = (v[1] for v in precision_recall_f1(C))
        assert 1 / f == pytest.approx((1 / p + 1 / r) / 2)
        assert min(p, r) - 1e-12 <= f <= (p + r) / 2 + 1e-12
    # 等号は P = R のときだけ
    p, r, f = (v[1] for v in precision_recall_f1(np.array([[5, 3], [3, 7]])))
    assert p == pytest.approx(r) == pytest.approx(f)


def test_f1_does_not_depend_on_true_negatives():
    base = precision_recall_f1(np.array([[10, 3], [4, 8]]))
    more_tn = precision_recall_f1(np.array([[10_000, 3], [4, 8]]))
    assert base[2][1] == pytest.approx(more_tn[2][1]) == pytest.approx(2 * 8 / (2 * 8 + 3 + 4))


def test_macro_f1_averages_the_f1_of_each_class_not_the_f1_of_the_means():
    # 演習 ex-evaluation-macro-f1 の C_swap
    p, r, f = averaged_scores(np.array([[10, 40], [0, 10]]), "macro")
    assert (p, r) == pytest.approx((0.6, 0.6))
    assert f == pytest.approx(1 / 3)
    assert 2 * p * r / (p + r) == pytest.approx(0.6)


# --- 分母が 0 のとき(節 sec-evaluation-zero-division) -------------------------------------------

def test_a_class_never_predicted_has_precision_zero():
    C = np.array([[319, 0], [41, 0]])  # いつも 0 と答える分類器(本文の数)
    precision, recall, f1 = precision_recall_f1(C)
    np.testing.assert_array_equal([precision[1], recall[1], f1[1]], [0.0, 0.0, 0.0])
    assert precision[0] == pytest.approx(319 / 360) and recall[0] == 1.0
    labels, predicted = np.r_[np.zeros(319), np.ones(41)].astype(int), np.zeros(360, dtype=int)
    with pytest.warns(metrics._classification.UndefinedMetricWarning):  # scikit-learn の既定は警告して 0
        assert metrics.precision_score(labels, predicted) == 0.0


def test_a_class_absent_from_labels_and_predictions_scores_zero():
    C = np.array([[2, 1, 0], [1, 3, 0], [0, 0, 0]])
    precision, recall, f1 = precision_recall_f1(C)
    assert (precision[2], recall[2], f1[2]) == (0.0, 0.0, 0.0)
    assert averaged_scores(C, "macro")[2] == pytest.approx(np.mean(f1))  # 0 も平均に入る
    labels, predicted = np.array([0, 0, 0, 1, 1, 1, 1]), np.array([0, 0, 1, 0, 1, 1, 1])
    np.testing.assert_allclose(averaged_scores(C, "macro"), sklearn_scores(labels, predicted, 3, "macro"))


def test_precision_and_recall_of_a_class_that_is_predicted_but_never_true():
    C = np.array([[3, 2], [0, 0]])  # クラス 1 は正解には無いが 2 回予測した
    precision, recall, f1 = precision_recall_f1(C)
    assert (precision[1], recall[1], f1[1]) == (0.0, 0.0, 0.0)


def test_all_positive_classifier_matches_the_closed_form():
    # 演習 ex-evaluation-all-positive: 適合率 π、再現率 1、F1 2π/(1 + π)、マクロ F1 π/(1 + π)
    for positives, M in ((41, 360), (1, 10), (7, 8)):
        pi = positives / M
        C = np.array([[0, M - positives], [0, positives]])
        p, r, f = (v[1] for v in precision_recall_f1(C))
        assert (p, r, f) == pytest.approx((pi, 1.0, 2 * pi / (1 + pi)))
        assert averaged_scores(C, "macro")[2] == pytest.approx(pi / (1 + pi))
        assert averaged_scores(C, "micro")[2] == pytest.approx(pi)


# --- scikit-learn との比較(乱数のラベル) ------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(labelled())
def test_per_class_scores_match_sklearn(case):
    N, labels, predicted = case
    C = confusion_matrix(labels, predicted, N)
    np.testing.assert_array_equal(C, metrics.confusion_matrix(labels, predicted, labels=list(range(N))))
    for ours, theirs in zip(precision_recall_f1(C), sklearn_scores(labels, predicted, N, None)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(labelled(), st.sampled_from(["macro", "micro"]))
def test_averaged_scores_match_sklearn(case, average):
    N, labels, predicted = case
    C = confusion_matrix(labels, predicted, N)
    np.testing.assert_allclose(averaged_scores(C, average), sklearn_scores(labels, predicted, N, average),
                               rtol=1e-12, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_micro_average_equals_accuracy(case):
    N, labels, predicted = case
    C = confusion_matrix(labels, predicted, N)
    accuracy = np.mean(labels == predicted)
    np.testing.assert_allclose(averaged_scores(C, "micro"), [accuracy] * 3, rtol=1e-12, atol=1e-15)
    assert accuracy == pytest.approx(metrics.accuracy_score(labels, predicted))


# --- 適合率-再現率曲線 ------------------------------------------------------------------------

@st.composite
def scored(draw):
    M = draw(st.integers(1, 40))
    yt = np.array(draw(st.lists(st.integers(0, 1), min_size=M, max_size=M)))
    if yt.sum() == 0:
        yt[draw(st.integers(0, M - 1))] = 1
    # 丸めて同じ点数(同点)もよく出るようにする
    yp = np.round(np.array(draw(st.lists(st.floats(0, 1), min_size=M, max_size=M))), draw(st.integers(1, 3)))
    return yt, yp


@settings(max_examples=200, deadline=None)
@given(scored())
def test_curve_matches_counting_at_each_threshold_and_sklearn(case):
    yt, yp = case
    precision, recall, thresholds = precision_recall_curve(yt, yp)
    np.testing.assert_array_equal(thresholds, np.unique(yp)[::-1])        # 異なる点数の大きい順
    for p, r, tau in zip(precision, recall, thresholds):                   # 式 eq-evaluation-threshold で数え直す
        C = confusion_matrix(yt, (yp >= tau).astype(int), 2)
        assert (p, r) == pytest.approx((precision_recall_f1(C)[0][1], precision_recall_f1(C)[1][1]))
    sk_p, sk_r, sk_tau = metrics.precision_recall_curve(yt, yp)
    np.testing.assert_allclose(precision, sk_p[:-1][::-1], rtol=1e-12)
    np.testing.assert_allclose(recall, sk_r[:-1][::-1], rtol=1e-12)
    np.testing.assert_array_equal(thresholds, sk_tau[::-1])


@settings(max_examples=200, deadline=None)
@given(scored())
def test_recall_never_decreases_and_ends_at_one_with_the_positive_rate(case):
    yt, yp = case
    precision, recall, _ = precision_recall_curve(yt, yp)
    assert np.all(np.diff(recall) >= 0)
    assert recall[-1] == 1.0 and precision[-1] == pytest.approx(yt.mean())  # すべて陽性
    assert np.all((0 <= precision) & (precision <= 1))


def test_curve_hand_example_with_ties():
    yt = np.array([1, 0, 1, 1, 0])
    yp = np.array([0.9, 0.8, 0.8, 0.3, 0.1])
    precision, recall, thresholds = precision_recall_curve(yt, yp)
    np.testing.assert_array_equal(thresholds, [0.9, 0.8, 0.3, 0.1])
    np.testing.assert_allclose(precision, [1, 2 / 3, 3 / 4, 3 / 5])   # 0.8 の 2 件はまとめて陽性になる
    np.testing.assert_allclose(recall, [1 / 3, 2 / 3, 1, 1])


def test_threshold_one_half_is_classify():
    rng = np.random.default_rng(3)
    x = np.insert(rng.normal(size=(200, 3)), 0, 1.0, axis=1)
    w = rng.normal(size=4)
    np.testing.assert_array_equal(logistic.classify(x, w), (logistic.predict(x, w) >= 0.5).astype(int))
    # しきい値 τ は u >= log(τ / (1 - τ)) と同じ(対数オッズ)
    for tau in (0.1, 0.27, 0.9):
        np.testing.assert_array_equal(logistic.predict(x, w) >= tau, x @ w >= np.log(tau / (1 - tau)))


# --- 入力の検査 ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: precision_recall_f1(np.ones((2, 3))), ValueError, r"C は行と列の数が同じ \(N, N\) の混同行列"),
        (lambda: precision_recall_f1(np.array([[1, -1], [0, 2]])), ValueError, r"0 以上の整数\(件数\).*\[-1\.0\]"),
        (lambda: precision_recall_f1(np.array([[1.5, 0], [0, 2]])), ValueError, r"0 以上の整数\(件数\).*\[1\.5\]"),
        (lambda: precision_recall_f1(np.zeros((2, 2))), ValueError, "件数の合計が 0 です"),
        (lambda: precision_recall_f1(np.array([1, 2, 3])), ValueError, "C は 2 次元の配列にしてください"),
        (lambda: precision_recall_f1(np.array([[1, np.nan], [0, 1]])), ValueError, "C に NaN か inf が 1 個"),
        (lambda: averaged_scores(np.eye(2), "weighted"), ValueError, "average は 'macro' か 'micro'"),
        (lambda: averaged_scores(np.eye(2), None), TypeError, "average は 'macro' か 'micro'"),
        (lambda: precision_recall_curve(np.array([0, 1, 2]), np.array([0.1, 0.5, 0.9])), ValueError,
         r"yt は 0\(陰性\)か 1\(陽性\).*labels == k"),
        (lambda: precision_recall_curve(np.zeros(3), np.array([0.1, 0.5, 0.9])), ValueError,
         "陽性\\(1\\)が 1 件もない"),
        (lambda: precision_recall_curve(np.array([0, 1]), np.array([0.1, 0.5, 0.9])), ValueError,
         r"yp と yt の行の数\(サンプルの件数 M\)"),
        (lambda: precision_recall_curve(np.array([0, 1]), np.array([[0.1, 0.5]])), ValueError,
         "yp は 1 次元の配列にしてください"),
        (lambda: precision_recall_curve(np.array(["a", "b"]), np.array([0.1, 0.5])), TypeError,
         "yt は実数"),
    ],
)
def test_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_does_not_modify_its_inputs():
    C = np.array([[3, 1], [2, 4]])
    yt, yp = np.array([0, 1, 1]), np.array([0.2, 0.2, 0.7])
    copies = C.copy(), yt.copy(), yp.copy()
    precision_recall_f1(C), averaged_scores(C), precision_recall_curve(yt, yp)
    for before, after in zip(copies, (C, yt, yp)):
        np.testing.assert_array_equal(before, after)


# --- ビルド済みのページ ---------------------------------------------------------------------------

EQUATIONS = [
    "eq-evaluation-binary-confusion", "eq-evaluation-accuracy", "eq-evaluation-precision", "eq-evaluation-recall",
    "eq-evaluation-f1", "eq-evaluation-f1-counts", "eq-evaluation-threshold", "eq-evaluation-precision-k",
    "eq-evaluation-recall-k", "eq-evaluation-macro", "eq-evaluation-micro",
]
FIGURES = ["fig-evaluation-binary-confusion", "fig-evaluation-pr-curve"]
SECTIONS = [
    "sec-evaluation", "sec-evaluation-goals", "sec-evaluation-imbalance", "sec-evaluation-digit8",
    "sec-evaluation-always-negative", "sec-evaluation-binary-confusion", "sec-evaluation-precision-recall",
    "sec-evaluation-zero-division", "sec-evaluation-f1", "sec-evaluation-threshold", "sec-evaluation-pr-curve",
    "sec-evaluation-multiclass", "sec-evaluation-per-class", "sec-evaluation-averages",
    "sec-evaluation-digits-network", "sec-evaluation-sklearn", "sec-evaluation-summary", "sec-evaluation-exercises",
]


class TestBuiltPage:
    def test_sections_are_labelled(self, soup):
        for label in SECTIONS:
            assert soup.find(id=label) is not None, label

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label)

    def test_equation_references_resolve(self, soup):
        assert not dangling_equation_references(soup)
        assert soup.select_one('a[href$="logistic-regression.html#equation-eq-logistic-log-odds"]') is not None

    @pytest.mark.parametrize("name", FIGURES)
    def test_figures_have_image_alt_and_caption(self, site, soup, name):
        check_figure(site, soup, name)

    def test_exercises_have_collapsed_solutions(self, soup):
        check_exercises(soup, "ex-evaluation-", 5, code_solutions=4)

    def test_source_of_the_functions_is_shown(self, soup):
        code = " ".join(block.get_text() for block in soup.select("div.highlight"))
        for name in ("def precision_recall_f1", "def averaged_scores", "def precision_recall_curve",
                     "def _safe_divide"):
            assert name in code, name

    def test_imbalance_numbers(self, outputs, soup):
        text = soup.get_text()
        assert "{glue" not in text
        assert "テストデータ 360 枚のうち、8 は 41 枚、8 でない画像は 319 枚" in outputs
        assert "いつも 0 と答える分類器の正解率: 0.886" in outputs
        assert "いつも 0: TP = 0, FP = 0, FN = 41, TN = 319" in outputs
        # ロジスティック回帰は正解率が高いのに、8 の見逃しが多い(本文の主張)
        acc = float(re.search(r"ロジスティック回帰の正解率: ([\d.]+)", outputs).group(1))
        found = int(re.search(r"8 と予測したのは (\d+) 枚", outputs).group(1))
        assert acc > 0.95 and found / 41 < 0.7

    def test_sklearn_agrees_everywhere(self, outputs):
        differences = re.findall(r"差の最大値 ([\d.e+-]+)", outputs)
        assert len(differences) == 4 and all(float(d) == 0.0 for d in differences)
        assert "しきい値の数: 360 360" in outputs and "差の最大値: 0.0" in outputs

    def test_threshold_table_supports_the_prose(self, outputs):
        rows = re.findall(r"^ ?(0\.\d)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", outputs, re.M)
        table = {float(r[0]): [float(v) for v in r[1:]] for r in rows}
        assert sorted(table) == [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
        recalls = [table[tau][4] for tau in (0.9, 0.7, 0.5, 0.3, 0.2, 0.1)]
        assert recalls == sorted(recalls) and recalls[0] < recalls[-1]   # 再現率は上がり続ける
        precisions = [table[tau][3] for tau in (0.5, 0.3, 0.2, 0.1)]
        assert precisions == sorted(precisions, reverse=True)            # 0.5 より下げると下がる
        assert abs(table[0.9][3] - table[0.5][3]) < 0.05                 # 大きいうちはほとんど変わらない

    def test_chosen_threshold_trades_precision_for_recall(self, outputs):
        tau = float(re.search(r"選んだしきい値 τ = ([\d.]+)", outputs).group(1))
        assert tau < 0.5
        half = re.search(r"τ = 0\.5: 適合率 ([\d.]+)、再現率 ([\d.]+)", outputs)
        chosen = re.search(rf"τ = {tau:.3f}: 適合率 ([\d.]+)、再現率 ([\d.]+)", outputs)
        assert float(chosen.group(1)) < float(half.group(1)) and float(chosen.group(2)) > float(half.group(2))
        assert float(chosen.group(2)) < 0.9   # テストデータでは目標に届かない(本文)

    def test_micro_f1_equals_accuracy_in_the_printed_table(self, outputs):
        rows = re.findall(r"^(?:アヤメ\S*|8: いつも 0|8: ロジスティック回帰)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$",
                      outputs, re.M)
        assert len(rows) == 3
        for accuracy, _, micro in rows:
            assert accuracy == micro
        assert "macro: " in outputs and "micro: 適合率 0.9694、再現率 0.9694、F1 0.9694" in outputs
        assert "正解率 0.9694" in outputs

    def test_macro_f1_exercise_shows_a_difference(self, outputs):
        swap = re.search(r"C_swap: F1 の平均 ([\d.]+)、平均から作った F1 ([\d.]+)", outputs)
        assert (float(swap.group(1)), float(swap.group(2))) == pytest.approx((1 / 3, 0.6), abs=1e-4)
        lr = re.search(r"C_lr: F1 の平均 ([\d.]+)、平均から作った F1 ([\d.]+)", outputs)
        assert float(lr.group(2)) > float(lr.group(1))   # 平均から作った値のほうが大きい(解答の主張)

    def test_no_literal_bold_markers(self, soup):
        # 「を**{term}`…`**」のように仮名と { に挟まれた ** は太字にならず、そのまま表示される
        assert "**" not in soup.get_text()

    def test_accuracy_baseline_prose(self, outputs, soup):
        text = soup.get_text()
        found = int(re.search(r"8 と予測したのは (\d+) 枚", outputs).group(1))
        fp = int(re.search(r"ロジスティック回帰: TP = \d+, FP = (\d+)", outputs).group(1))
        errors = (41 - found) + fp
        assert f"誤りの件数を41件から{errors}件に減らして" in text
        assert errors < 41 / 2                     # 誤りは半分以下に減っている
        assert f"8の画像41枚のうち{41 - found}枚" in text

    def test_threshold_shortfall_is_larger_than_chance(self, outputs, soup):
        text = soup.get_text()
        r_train = float(re.search(r"学習データ: 適合率 [\d.]+、再現率 ([\d.]+)", outputs).group(1))
        tau = float(re.search(r"選んだしきい値 τ = ([\d.]+)", outputs).group(1))
        r_test = float(re.search(rf"τ = {tau:.3f}: 適合率 [\d.]+、再現率 ([\d.]+)", outputs).group(1))
        found, needed = round(r_test * 41), int(np.ceil(0.9 * 41))
        sd = np.sqrt(41 * r_train * (1 - r_train))
        assert needed - found > 3 * sd             # 偶然(標準偏差)では説明しにくい不足
        assert f"見つけたのは{found}枚で、{needed - found}枚足りません" in text
        assert f"標準偏差は{sd:.1f}枚ほど" in text
        assert "ここでは簡単のため" in text and "この偏りを避けられます" not in text
        # 乱数の種 1〜5 で分け直した表: 学習データでは 0.9 以上、テストデータでは平均して低いが、種 0 ほど低くはない
        rows = re.findall(r"^ ?(\d)\s+(0\.\d{3})\s+(0\.\d{3})\s+([01]\.\d{3})$", outputs, re.M)
        assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5]
        train_r = [float(r[2]) for r in rows]
        test_r = [float(r[3]) for r in rows]
        assert min(train_r) >= 0.9 and np.mean(test_r) < np.mean(train_r)
        assert r_test < min(test_r)                # 本文: 種 0 はどの種よりも低い
        mean_in_text = float(re.search(r"平均は([\d.]+)です", text).group(1))
        assert mean_in_text == pytest.approx(np.mean(test_r), abs=2e-3)

    def test_each_digit_exercise_ranking_agrees_but_accuracy_is_squeezed(self, outputs, soup):
        rows = re.findall(r"^\s*(\d)\s+(0\.\d{3})\s+([01]\.\d{3})\s+([01]\.\d{3})\s+([01]\.\d{3})$",
                          outputs, re.M)
        assert [int(r[0]) for r in rows] == list(range(10))
        acc = np.array([float(r[2]) for r in rows])
        recall = np.array([float(r[4]) for r in rows])
        low_acc, low_recall = np.argsort(acc, kind="stable")[:4], np.argsort(recall, kind="stable")[:4]
        assert low_acc[0] == low_recall[0] == 8                 # どちらでも最も低いのは 8
        assert len(set(low_acc) & set(low_recall)) >= 3        # 並び方はおおむね一致
        assert acc.max() - acc.min() < 0.05                    # 正解率は狭い範囲に押し込められる
        assert np.sort(recall)[1] - recall.min() > 0.15        # 再現率では 8 がはっきり離れる
        text = soup.get_text()
        assert "、".join(map(str, low_acc)) in text and "、".join(map(str, low_recall)) in text
        assert "どの数字を見逃しやすいかがわかりません" not in text

    def test_per_digit_network_differences_are_a_few_images(self, outputs, soup):
        rows = re.findall(r"^\s*(\d)\s+(\d+)\s+([01]\.\d{3})\s+([01]\.\d{3})\s+([01]\.\d{3})$", outputs, re.M)
        assert [int(r[0]) for r in rows] == list(range(10))
        count = np.array([int(r[1]) for r in rows])
        precision = np.array([float(r[2]) for r in rows])
        recall = np.array([float(r[3]) for r in rows])
        tp = np.round(count * recall)
        fn = count - tp
        fp = np.round(tp / precision - tp)
        worst_r, worst_p = np.argmin(recall), np.argmin(precision)
        assert fn[worst_r] - np.delete(fn, worst_r).max() <= 2
        assert fp[worst_p] - np.delete(fp, worst_p).max() <= 2
        text = soup.get_text()
        assert f"見逃しは{int(fn[worst_r])}枚で、ほかの数字の見逃しは多くても{int(np.delete(fn, worst_r).max())}枚" in text
        assert "誤りやすい数字が決まったとは言えません" in text

    def test_iris_macro_and_micro_are_close_because_errors_are_few(self, outputs, soup):
        matrix = re.search(r"\[\[(.*?)\]\]", outputs, re.S).group(1)
        C = np.array([[int(v) for v in row.split()] for row in re.split(r"\]\s*\[", matrix)])
        assert C.shape == (3, 3) and C.sum() - np.trace(C) <= 2
        row = re.search(r"^アヤメ\S*\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", outputs, re.M)
        assert abs(float(row.group(2)) - float(row.group(3))) < 0.01
        assert "件数が近く" not in soup.get_text()


@pytest.mark.parametrize(
    "page, target",
    [("book/logistic-regression", "sec-logistic-accuracy"), ("book/multiclass-classification", "sec-multiclass-confusion")],
)
def test_chapters_link_to_this_chapter(site, page, target):
    from conftest import built_page, section_by_id

    section = section_by_id(built_page(site, page), target)
    assert section.select_one('a[href*="classifier-evaluation.html"]') is not None
