"""第5章「2値分類(ロジスティック回帰)」のビルド済みページを、読者の側から確かめる。"""

import re

import numpy as np
import pytest

from conftest import check_equation, check_exercises, check_figure, dangling_equation_references

PAGE = "book/logistic-regression"

# dlmath の docstring が引用するラベルと、ページが自分で定義して参照するラベル
EQUATIONS = [
    "eq-logistic-sigmoid", "eq-logistic-sigmoid-derivative", "eq-logistic-predict", "eq-logistic-bernoulli",
    "eq-logistic-likelihood", "eq-logistic-log-likelihood", "eq-logistic-loss", "eq-logistic-loss-stable",
    "eq-logistic-chain", "eq-logistic-dl-dyp", "eq-logistic-dl-dw-one", "eq-logistic-grad-i",
    "eq-logistic-grad-vector", "eq-logistic-log-odds", "eq-logistic-boundary-line", "eq-logistic-margin-loss",
    "eq-logistic-loss-l2", "eq-logistic-grad-l2", "eq-logistic-sklearn-lambda",
]
SECTIONS = [
    "sec-logistic", "sec-logistic-data", "sec-logistic-why", "sec-logistic-sigmoid", "sec-logistic-predict",
    "sec-logistic-likelihood", "sec-logistic-gradient", "sec-logistic-training", "sec-logistic-boundary",
    "sec-logistic-separable", "sec-logistic-sklearn", "sec-logistic-exercises",
]
FIGURES = [
    "fig-logistic-scatter", "fig-logistic-sigmoid", "fig-logistic-learning-curve", "fig-logistic-boundary",
    "fig-logistic-weight-norm", "fig-logistic-sklearn",
]
MATH_SECTIONS = [
    "sec-math-chain-rule", "sec-math-log-derivative", "sec-math-exp-derivative", "sec-math-log-product",
    "sec-math-likelihood", "sec-math-log-likelihood", "sec-math-bernoulli-normal", "sec-math-gradient-vector",
    "sec-math-matrix-product", "sec-math-multivariable-chain-rule", "sec-math-prob-independence",
]


def number_after(label, text):
    """text の中で label の直後に現れる最初の数(指数表記も可)を float で返す。"""
    match = re.search(re.escape(label) + r"[^0-9-]*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)", text)
    assert match, f"{label!r} に続く数が出力にありません"
    return float(match.group(1))


@pytest.mark.parametrize("label", EQUATIONS)
def test_equations_are_labelled_math(soup, label):
    check_equation(soup, label, chapter=5)


@pytest.mark.parametrize("label", SECTIONS)
def test_section_labels_exist(soup, label):
    assert soup.find(id=label) is not None, f"section {label} missing"


def test_equation_references_resolve_on_the_page(soup):
    assert len(soup.select('a[href^="#equation-eq-"]')) >= 20, "too few equation references"
    assert not dangling_equation_references(soup)


def test_links_to_chapter_3_gradient_chapter_4_preview_and_math_part(soup):
    hrefs = [a.get("href", "") for a in soup.select("article a")]
    assert any(h.endswith("linear-regression.html#equation-eq-linreg-grad-vector") for h in hrefs)
    assert sum(h.endswith("towards-deep-learning.html#sec-bridge-logistic") for h in hrefs) == 1
    # 章は {numref} で番号を引く(第4章・第3章・第6章、センタリングの節)
    for target in ("towards-deep-learning.html#sec-bridge", "linear-regression.html#sec-linreg",
                   "multiclass-classification.html#sec-multiclass", "linear-regression.html#sec-linreg-center"):
        assert any(h.endswith(target) for h in hrefs), f"no link to {target}"
    for label in MATH_SECTIONS:
        assert any(h.endswith(f"#{label}") for h in hrefs), f"no link to {label}"
    # 累乗の対数は対数法則の式で引く(積の対数の節にはない)
    assert any(h.endswith("math-exp-log.html#equation-eq-math-log-laws") for h in hrefs)


@pytest.mark.parametrize("name", FIGURES)
def test_figures_have_image_alt_and_caption(site, soup, name):
    check_figure(site, soup, name)


def test_source_of_package_functions_is_shown(soup):
    code = soup.get_text()
    for signature in (
        "def sigmoid(u)", "def sigmoid_derivative(u)", "def predict(x, w)", "def loss(x, yt, w, lam=0.0)",
        "def gradient(x, yt, w, lam=0.0)", "def classify(x, w)", "def accuracy(x, yt, w)",
        "def train(model, x, yt, w, alpha=0.01, iters=1000, test=None, lam=0.0)", "def load_iris(",
        "def train_test_split(x, yt, test_size, seed)", "def standardize(data)", "def gradient_check(",
    ):
        assert signature in code, f"{signature} not shown"


def test_gradient_check_passes_on_the_page(outputs):
    assert number_after("相対誤差:", outputs) < 1e-7
    assert number_after("差の最大値:", outputs) < 1e-8  # シグモイド関数の導関数と中心差分


def test_accuracies_are_printed_and_quoted_in_the_prose(soup, outputs):
    # 最後の行は、5000 回すべての更新の後の重みで計算した値(記録の最後は 4999 回更新した後)
    line = next(line for line in outputs.splitlines() if "5000 回更新した後" in line)
    match = re.search(r"正解率 ([\d.]+)\(テスト ([\d.]+)\)", line)
    assert match, line
    train_acc, test_acc = float(match.group(1)), float(match.group(2))
    assert 0.95 <= train_acc <= 1 and 0.95 <= test_acc <= 1
    prose = soup.select_one("article").get_text()
    assert f"{100 * train_acc:.1f}%" in prose and f"{100 * test_acc:.1f}%" in prose


def test_scikit_learn_agrees_with_the_same_penalty(soup, outputs):
    match = re.search(r"予測した確率の差の最大値[^:]*: ([\d.e+-]+)", outputs)
    assert match, "the scikit-learn comparison is not printed"
    difference = float(match.group(1))
    assert difference < 1e-3
    assert f"{difference:.1e}" in soup.select_one("article").get_text()
    assert "scikit-learn(既定の C = 1)" in outputs
    assert "1e-4 を下回るのは" in outputs


def test_weight_norm_keeps_growing_without_penalty_and_stops_with_it(outputs):
    without = [float(v) for v in re.findall(r"‖w‖ = +([\d.]+)、損失 ", outputs)]
    with_l2 = [float(v) for v in re.findall(r"‖w‖ = +([\d.]+)、損失\(罰則を除く\)", outputs)]
    assert len(without) == 5 and all(a < b for a, b in zip(without, without[1:])), without
    assert len(with_l2) == 5 and abs(with_l2[-1] - with_l2[-2]) < 1e-6 and with_l2[-1] < without[-1] / 3


def test_l2_minimum_is_bounded_along_the_unpenalised_intercept_and_unique(outputs):
    # w0 だけを動かしても(罰則は変わらない)L_λ はどちら向きにも増える
    shifts = {float(s): float(v) for s, v in re.findall(r"w0 を\s+([+-][\d.]+) 動かす: L_λ = ([\d.]+)", outputs)}
    assert sorted(shifts) == [-10.0, -1.0, 0.0, 1.0, 10.0], shifts
    assert shifts[-10.0] > shifts[-1.0] > shifts[0.0] < shifts[1.0] < shifts[10.0], shifts
    # 別々の初期値から学習しても、同じ重みに着く(最小値の点がただ1つであることと矛盾しない)
    ends = re.findall(r"から \d+ 回: \[([^\]]+)\]", outputs)
    reference = re.search(r"回の w_l2: \[([^\]]+)\]", outputs)
    assert len(ends) == 3 and reference, ends
    for end in ends:
        np.testing.assert_allclose(np.array(end.split(), float), np.array(reference.group(1).split(), float), atol=1e-4)


def test_scikit_learn_difference_shrinks_with_a_stricter_tolerance(outputs):
    default = float(re.search(r"予測した確率の差の最大値[^:]*: ([\d.e+-]+)", outputs).group(1))
    assert number_after("にしたときの差:", outputs) < default / 100


def test_odds_exercise_reads_the_regularised_fit(outputs):
    # 表の行: e^w1、e^w2、重みの名前
    factors = re.findall(r"^([\d.e+-]+) +[\d.e+-]+ +(正則化なし|L2 正則化)、", outputs, re.M)
    unpenalised = [float(v) for v, kind in factors if kind == "正則化なし"]
    penalised = [float(v) for v, kind in factors if kind == "L2 正則化"]
    assert len(unpenalised) == 3 and len(penalised) == 3, factors
    # 正則化なしでは止めた回数で倍率がいくらでも変わり、正則化つきでは回数によらない
    assert unpenalised[2] > 10 * unpenalised[1]
    assert penalised[0] == penalised[1] and penalised[1] < unpenalised[0]
    # 同じ λ でも、罰則を cm の重みに掛けると倍率が変わる(その重みは cm のデータでの L_λ の最小値の点)
    assert penalised[2] < penalised[1] / 2
    assert number_after("(cm のままのデータ)の大きさ:", outputs) < 1e-6


def test_non_separable_exercise_agrees_with_unpenalised_scikit_learn(outputs):
    match = re.search(r"重み: dlmath +\[([^\]]+)\]\n重み: scikit-learn\(C=np.inf\) \[([^\]]+)\]", outputs)
    assert match, "the C=np.inf comparison is not printed"
    np.testing.assert_allclose(np.array(match.group(1).split(), float), np.array(match.group(2).split(), float), atol=2e-4)
    # 残る差は scikit-learn の止める基準 tol によるもので、厳しくすると縮む
    default, tight = (float(v) for v in re.search(r"既定の tol で ([\d.e+-]+)、tol = 1e-10 で ([\d.e+-]+)", outputs).groups())
    assert tight < default / 100
    # どの 0 でない重みでも γ < 0 のサンプルが残る理由: 両方の品種がいる点が、1 本の直線に並ばずに 3 か所以上ある
    shared = re.search(r"両方の品種がいる点: (\d+) か所\(1 本の直線の上に並ばない\)", outputs)
    assert shared and int(shared.group(1)) >= 3, "the shared points are not printed"


def test_probit_gradient_is_not_the_error_times_input(outputs):
    """負の対数尤度を損失にしても、予測関数がシグモイド関数でなければ勾配は (y_p - y_t) x にならない。"""
    numerical = re.search(r"負の対数尤度の勾配\(中心差分\): \[([^\]]+)\]", outputs)
    formula = re.search(r"\(y_p - y_t\) x +: \[([^\]]+)\]", outputs)
    assert numerical and formula, "the probit comparison is not printed"
    a, b = (np.array(m.group(1).split(), float) for m in (numerical, formula))
    assert np.max(np.abs(a - b)) > 0.1, (a, b)


def test_prose_numbers_are_filled_from_the_code(soup):
    text = soup.select_one("article").get_text()
    assert "{glue" not in text
    assert "log 2" in text or "\\log 2" in text


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-logistic-", 5, code_solutions=3)
