"""第3章「線形単回帰」のビルド済みページの本文と出力が、独立に計算した値と合っていることを確かめる。

式・図・講演の表は tests/test_site.py の TestLinearRegressionPage が確かめます。ここでは、本文が数値で述べる主張
(3 行のループと fit の一致、最後に表示される L が最後の更新の前の損失であること、学習曲線の最小値 L*、
身長 180 cm の予測が外挿であること、s が身長の分散であること、標準化で 1 回の更新で最小点に着くこと)を確かめます。
"""

import re

import numpy as np
import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises
from dlmath.data import load_height_weight
from dlmath.linear import fit, loss
from dlmath.preprocess import add_dummy, center

PAGE = "book/linear-regression"


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    return cell_outputs(soup)


@pytest.fixture(scope="module")
def prose(soup):
    return soup.select_one("article").get_text()


@pytest.fixture(scope="module")
def talk():
    """ページと同じ前処理と学習(講演の設定: 初期値 (2, -1)、学習率 0.01、200 回)。"""
    data = load_height_weight()
    centered, means = center(data)
    x, yt, w = add_dummy(centered[:, 0:1]), centered[:, 1], np.array([2.0, -1.0])
    w_final, history = fit(x, yt, w, alpha=0.01, iters=200)
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    return dict(data=data, means=means, x=x, yt=yt, w_final=w_final, history=history, w_star=w_star)


def number_after(label, text):
    """text の中で label の直後に現れる最初の数(指数表記も可)を float で返す。"""
    match = re.search(re.escape(label) + r"[^0-9-]*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)", text)
    assert match, f"{label!r} に続く数がありません"
    return float(match.group(1))


def test_talk_loop_gives_the_same_weights_as_fit(outputs):
    assert number_after("差の最大値:", outputs) < 1e-12


def test_by_hand_gradient_table_matches_the_formula(outputs, talk):
    x, yt = talk["x"], talk["yt"]
    yd = x @ np.array([2.0, -1.0]) - yt
    assert f"yd の平均 = {yd.mean():.2f}、x1*yd の平均 = {(x[:, 1] * yd).mean():.2f}" in outputs
    rows = re.findall(r"^\s*([1-5])((?:\s+-?\d+\.\d){5})\s*$", outputs, flags=re.M)
    assert len(rows) == 5, rows
    table = np.array([row.split() for _, row in rows], float)
    np.testing.assert_allclose(table[:, 4], table[:, 0] * table[:, 3], atol=0.051)


def test_last_printed_loss_is_before_the_last_update(prose, talk):
    history, w_final, x, yt = talk["history"], talk["w_final"], talk["x"], talk["yt"]
    before, after = history.loss[-1], loss(x, yt, w_final)
    assert after < before
    assert f"{before:.6f}" in prose and f"{after:.6f}" in prose


def test_learning_curve_minimum_is_the_least_squares_loss(soup, prose, talk):
    x, yt = talk["x"], talk["yt"]
    L_min = loss(x, yt, talk["w_star"])
    assert L_min > 1  # 5 点は 1 本の直線に乗らないので、損失は 0 まで下がらない
    assert f"{L_min:.4f}" in prose
    caption = soup.find(id="fig-linreg-learning-curve").find("figcaption").get_text()
    assert "最小値" in caption
    # 学習曲線に残る L* との差は w0^2 / 2(w1 は収束済み)、本文はそう述べる
    gap = loss(x, yt, talk["w_final"]) - L_min
    assert gap == pytest.approx(talk["w_final"][0] ** 2 / 2, rel=1e-6)
    assert f"{gap:.4f}" in prose


def test_prediction_at_180_cm_uses_both_weights_and_is_called_an_extrapolation(outputs, prose, talk):
    means, data = talk["means"], talk["data"]
    x_new = add_dummy(np.array([[180.0]]) - means[0])
    final = means[1] + (x_new @ talk["w_final"])[0]
    star = means[1] + (x_new @ talk["w_star"])[0]
    assert f"{star:.1f} kg" in outputs and f"{final:.1f} kg" in outputs
    assert f"{star:.1f} kg" in prose and f"{final:.1f} kg" in prose
    assert star == pytest.approx(81.786, abs=1e-3)  # 最小二乗法の重みでの予測(未収束の重みでは 82.1 kg)
    assert 180 > data[:, 0].max()
    assert "外挿" in prose
    assert f"{data[:, 0].min():.0f}〜{data[:, 0].max():.0f} cm" in prose


def test_normal_equation_is_labelled_and_solved_like_lstsq(soup, outputs):
    check_equation(soup, "eq-linreg-normal", chapter=3)
    assert "正規方程式" in soup.get_text()
    assert "np.linalg.solve(x.T @ x, x.T @ yt)" in soup.get_text()


def test_s_is_the_variance_of_the_heights(outputs, prose, talk):
    s = np.var(talk["data"][:, 0])
    assert f"s = {s:.4f}(np.var で求めた身長の分散: {s:.4f})" in outputs
    assert f"{s:.1f}" in prose and "分散" in prose
    assert f"{2 / s:.3f}" in prose  # 学習率の上限 2/s


def test_standardised_input_reaches_the_minimum_in_one_step(outputs, talk):
    assert "s = 1.000000" in outputs
    assert number_after("1 cm あたりの傾きに戻すと:", outputs) == pytest.approx(talk["w_star"][1], abs=1e-6)


def test_uncentred_input_diverges_at_the_talk_rate_and_crawls_below_the_limit(outputs):
    assert "by iteration" in outputs and "alpha=0.01;" in outputs
    weights = re.search(r"回更新した重み: \[([^\]]+)\]", outputs)
    assert weights, "the slow run on uncentred data is not printed"
    w0 = float(weights.group(1).split()[0])
    assert abs(w0 - 2.0) < 0.05  # 切片は初期値 2 からほとんど動かない(答えは -245.9)


def test_english_error_text_is_explained_in_japanese(soup):
    for output in soup.select(".cell_output"):
        if "gradient descent diverged" in output.get_text():
            following = output.find_parent(class_="cell").find_next_sibling()
            assert following is not None and "という意味" in following.get_text(), "英語のメッセージの直後に日本語の説明がありません"
            return
    pytest.fail("the divergence message is not shown")


def test_no_numpy_reprs_or_typed_chapter_numbers(outputs, prose):
    assert "np.float64(" not in outputs and "np.int64(" not in outputs
    assert not re.search(r"第\s*\d+\s*部", prose)


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-linreg-", 4, code_solutions=2)
