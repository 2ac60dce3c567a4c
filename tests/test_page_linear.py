"""第3章「線形単回帰」のビルド済みページの本文と出力が、独立に計算した値と合っていることを確かめる。

式・図・講演の表は tests/test_site.py の TestLinearRegressionPage が確かめます。ここでは、本文が数値で述べる主張
(3 行のループと fit の一致、最後に表示される L が最後の更新の前の損失であること、学習曲線の最小値 L* と残りの差、
正規方程式と lstsq の答え、身長 180 cm の予測が外挿であること、s が身長の分散であること、
センタリングしない入力での発散と停滞、標準化で 1 回の更新で最小点に着くこと)を確かめます。

本文(散文)についての主張は、セルの入出力とソースの表示を除いた本文だけで確かめます(出力に同じ数が
表示されていても、本文が間違っていれば失敗するように)。比べる値は、ページのコードとは別にここで計算します。
"""

import copy
import re

import numpy as np
import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises
from dlmath.data import load_height_weight
from dlmath.linear import fit, loss
from dlmath.preprocess import add_dummy, center

PAGE = "book/linear-regression"
NUMBER = r"(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)"


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    return cell_outputs(soup)


@pytest.fixture(scope="module")
def prose(soup):
    """本文の散文だけ: セル(入力と出力、図を含む)と、literalinclude などのソースの表示を除いた記事のテキスト。"""
    article = copy.copy(soup.select_one("article"))
    for node in article.select("div.cell, div.highlight, pre"):
        node.decompose()
    return article.get_text()


@pytest.fixture(scope="module")
def talk():
    """ページと同じ前処理と学習(講演の設定: 初期値 (2, -1)、学習率 0.01、200 回)。"""
    data = load_height_weight()
    centered, means = center(data)
    x, yt, w = add_dummy(centered[:, 0:1]), centered[:, 1], np.array([2.0, -1.0])
    w_final, history = fit(x, yt, w, alpha=0.01, iters=200)
    # 最小二乗法の解は lstsq を使わず、演習問題の閉じた形(センタリングしたので w0* = 0)で求める
    w_star = np.array([0.0, np.sum(x[:, 1] * yt) / np.sum(x[:, 1] ** 2)])
    return dict(data=data, means=means, x=x, yt=yt, w_final=w_final, history=history, w_star=w_star)


@pytest.fixture(scope="module")
def raw():
    """センタリングしない身長と体重で、上限の少し手前の学習率 1.9 / (身長の 2 乗の平均) で 200 回更新した結果。"""
    data = load_height_weight()
    x, yt = add_dummy(data[:, 0:1]), data[:, 1]
    mean_sq = np.mean(x[:, 1] ** 2)
    alpha = 1.9 / mean_sq
    w = np.array([2.0, -1.0])
    losses = [loss(x, yt, w)]
    for _ in range(200):  # fit を使わない勾配降下法
        w = w - alpha * x.T @ (x @ w - yt) / len(yt)
        losses.append(loss(x, yt, w))
    curvatures = np.linalg.eigvalsh(x.T @ x / len(yt))  # 向きごとの曲がり具合 ||Xu||^2/M の最小値と最大値
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    return dict(x=x, yt=yt, mean_sq=mean_sq, alpha=alpha, w=w, losses=np.array(losses),
                curvatures=curvatures, w_star=w_star)


def number_after(label, text):
    """text の中で label の直後に現れる最初の数(指数表記も可)を float で返す。"""
    match = re.search(re.escape(label) + r"[^0-9-]*" + NUMBER, text)
    assert match, f"{label!r} に続く数がありません"
    return float(match.group(1))


def numbers_in(pattern, text):
    """text の中で pattern(数を group で捕まえる正規表現)に合う最初の箇所の数を float のタプルで返す。"""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} に合う箇所がありません"
    return tuple(float(v) for v in match.groups())


def math(tex):
    """本文の数式 $tex$ が HTML のテキストで現れる形 \\(tex\\) を、正規表現として返す。"""
    return re.escape(rf"\({tex}\)")


def output_of(soup, source):
    """入力に source を含むセルの出力のテキスト。"""
    for cell in soup.select("div.cell"):
        cell_input = cell.select_one(".cell_input")
        if cell_input is not None and source in cell_input.get_text():
            return "\n".join(o.get_text() for o in cell.select(".cell_output"))
    pytest.fail(f"{source!r} を含むセルがありません")


def test_raw_data_ranges_are_quoted_in_prose(prose, talk):
    data = talk["data"]
    assert f"{data[:, 0].min():.0f}〜{data[:, 0].max():.0f} cm" in prose
    assert f"{data[:, 1].min():.1f}〜{data[:, 1].max():.1f} kg" in prose


def test_talk_loop_gives_the_same_weights_as_fit(outputs):
    assert number_after("差の最大値:", outputs) < 1e-12


def test_by_hand_gradient_table_matches_the_formula(outputs, talk):
    x, yt = talk["x"], talk["yt"]
    yp = x @ np.array([2.0, -1.0])
    yd = yp - yt
    assert f"yd の平均 = {yd.mean():.2f}、x1*yd の平均 = {(x[:, 1] * yd).mean():.2f}" in outputs
    rows = re.findall(r"^\s*([1-5])((?:\s+-?\d+\.\d){5})\s*$", outputs, flags=re.M)
    assert len(rows) == 5, rows
    table = np.array([row.split() for _, row in rows], float)
    np.testing.assert_allclose(table, np.column_stack([x[:, 1], yt, yp, yd, x[:, 1] * yd]), atol=0.051)


def test_last_printed_loss_is_before_the_last_update(outputs, prose, talk):
    x, yt = talk["x"], talk["yt"]
    w = np.array([2.0, -1.0])
    for _ in range(199):  # fit を使わずに 199 回更新する
        w = w - 0.01 * x.T @ (x @ w - yt) / len(yt)
    before = loss(x, yt, w)  # 最後(200 回目)の更新の前の重みでの損失
    after = loss(x, yt, w - 0.01 * x.T @ (x @ w - yt) / len(yt))
    assert after < before
    assert f"iter = 199 L = {before:.6f}" in outputs
    # 本文は「前」を表の最後の L に、「後」を表にない値に結び付ける(逆に書けば失敗する)
    assert re.search(rf"最後の行のL\s*=\s*{before:.6f}は、\s*最後の更新の前の重みでの損失", prose)
    assert re.search(rf"更新を終えた後の重み\s*w_final\s*での損失は表にはなく、\s*計算すると{after:.6f}です", prose)


def test_learning_curve_minimum_is_the_least_squares_loss(soup, prose, talk):
    x, yt, w_final = talk["x"], talk["yt"], talk["w_final"]
    L_min = loss(x, yt, talk["w_star"])
    assert L_min > 1  # 5 点は 1 本の直線に乗らないので、損失は 0 まで下がらない
    caption = soup.find(id="fig-linreg-learning-curve").find("figcaption").get_text()
    assert "最小値" in caption
    (quoted,) = numbers_in("最小値は" + math("L^*") + r"\s*=\s*" + NUMBER + "です", prose)
    assert f"{quoted:.4f}" == f"{L_min:.4f}"
    # 学習曲線に残る L* との差は w0^2 / 2(w1 は収束済み)。本文の 3 か所の数をそれぞれ確かめる
    gap = loss(x, yt, w_final) - L_min
    half_w0_sq = w_final[0] ** 2 / 2
    assert gap == pytest.approx(half_w0_sq, rel=1e-6)
    (gap_training,) = numbers_in("まだ" + math("L^*") + "より" + r"\s*" + NUMBER + r"\s*だけ大きい", prose)
    (half_quoted,) = numbers_in("差はほぼ" + math("w_0^2/2") + r"\s*=\s*" + NUMBER + "で", prose)
    (gap_again,) = numbers_in("求めた差" + NUMBER + "と一致", prose)
    assert f"{gap_training:.4f}" == f"{gap:.4f}"
    assert f"{half_quoted:.4f}" == f"{half_w0_sq:.4f}"
    assert f"{gap_again:.4f}" == f"{gap:.4f}"


def test_prediction_at_180_cm_uses_both_weights_and_is_called_an_extrapolation(outputs, prose, talk):
    means, data = talk["means"], talk["data"]
    x_new = add_dummy(np.array([[180.0]]) - means[0])
    final = means[1] + (x_new @ talk["w_final"])[0]
    star = means[1] + (x_new @ talk["w_star"])[0]
    assert f"{star:.1f} kg" in outputs and f"{final:.1f} kg" in outputs
    assert re.search(rf"w_final\s*では{final:.1f} kg、\s*w_star\s*では{star:.1f} kgと予測", prose)
    assert star == pytest.approx(81.786, abs=1e-3)  # 最小二乗法の重みでの予測(未収束の重みでは 82.1 kg)
    assert 180 > data[:, 0].max()
    assert "外挿" in prose
    assert f"{data[:, 0].min():.0f}〜{data[:, 0].max():.0f} cm" in prose


def test_normal_equation_is_labelled_and_solved_like_lstsq(soup, prose, talk):
    check_equation(soup, "eq-linreg-normal", chapter=3)
    assert "正規方程式" in prose
    printed = {}
    for source in ("np.linalg.lstsq(x, yt, rcond=None)[0]   # 最小二乗法の解", "np.linalg.solve(x.T @ x, x.T @ yt)"):
        text = output_of(soup, source)
        values = re.findall(NUMBER, text.replace("array", ""))
        assert len(values) == 2, text
        printed[source] = np.array(values, float)
        # それぞれを、lstsq・solve を使わない閉じた形の解と比べる(w0* = 0、w1* = Σxy/Σx²)
        np.testing.assert_allclose(printed[source], talk["w_star"], rtol=1e-8, atol=1e-12)
    # 本文: w1 は一致し、w0 はどちらも丸め誤差の大きさ(表示された 2 つの大きいほうを .0e で丸めた値)
    assert re.search(math("w_1") + "は表示した桁まで一致します", prose)
    (roundoff,) = numbers_in(r"どちらも絶対値が" + NUMBER + r"程度の、\s*計算の丸め誤差", prose)
    largest = max(abs(v[0]) for v in printed.values())
    assert f"{roundoff:.0e}" == f"{largest:.0e}"


def test_expansion_is_a_labelled_equation_cited_by_number(soup):
    check_equation(soup, "eq-linreg-expansion", chapter=3)
    citations = soup.select('article a[href="#equation-eq-linreg-expansion"]')
    assert len(citations) >= 3, "式 eq-linreg-expansion を番号で参照する箇所(正規方程式、損失の分解、曲がり具合)が足りません"


def test_s_is_the_variance_of_the_heights(outputs, prose, talk):
    s = np.var(talk["data"][:, 0])  # M で割った分散
    assert f"s = {s:.4f}(np.var で求めた身長の分散: {s:.4f})" in outputs
    assert "分散" in prose and "で割った分散" in prose
    (s_quoted,) = numbers_in(math("s") + r"\s*=\s*" + NUMBER + "なので", prose)
    assert f"{s_quoted:.1f}" == f"{s:.1f}"
    (limit,) = numbers_in(math(r"0 < \alpha < 2/s") + r"\s*=\s*" + NUMBER + "なら", prose)
    assert f"{limit:.3f}" == f"{2 / s:.3f}"  # 学習率の上限 2/s


def test_standardised_input_reaches_the_minimum_in_one_step(outputs, prose, talk):
    assert "s = 1.000000" in outputs
    assert number_after("1 cm あたりの傾きに戻すと:", outputs) == pytest.approx(talk["w_star"][1], abs=1e-6)
    (w0_one,) = numbers_in(r"1回の更新で" + math("w_0") + "は" + NUMBER + r"になりました。\s*これも丸め誤差", prose)
    assert abs(w0_one) < 1e-12


def test_uncentred_input_diverges_at_the_talk_rate_and_at_a_tenth_of_it(outputs, prose, raw):
    limit = 2 / raw["mean_sq"]
    assert 0.001 > limit  # メッセージが勧める 10 分の 1 の学習率も、まだ上限より大きい
    for rate in ("0.01", "0.001"):
        assert re.search(rf"gradient descent diverged: .* by iteration \d+ with alpha={rate}; ", outputs), rate
    assert re.search(r"10分の1の学習率0\.001でも、\s*2つ目のメッセージのとおり発散", prose)
    (limit_quoted,) = numbers_in(r"身長の2乗の平均\)\s*=\s*" + NUMBER + "より小さく", prose)
    assert f"{limit_quoted:.1e}" == f"{limit:.1e}"
    (times,) = numbers_in(r"この上限の" + NUMBER + r"倍ほど", prose)
    assert times == round(0.001 / limit)


def test_uncentred_loss_drops_then_stalls_far_above_the_minimum(outputs, prose, raw, talk):
    losses, w = raw["losses"], raw["w"]
    L_min = loss(talk["x"], talk["yt"], talk["w_star"])
    # 主張そのもの: 最初の 50 回で大きく下がり、その後はほとんど止まり、最小値から遠い。切片はほとんど動かない
    assert losses[50] < losses[0] / 1000
    assert losses[50] - losses[200] < 0.1 * (losses[50] - L_min)
    assert losses[200] > 5 * L_min
    assert abs(w[0] - 2.0) < 0.05 and abs(raw["w_star"][0] - 2.0) > 100
    weights = re.search(r"回更新した重み: \[([^\]]+)\]", outputs)
    assert weights, "the slow run on uncentred data is not printed"
    np.testing.assert_allclose(np.array(weights.group(1).split(), float), w, rtol=1e-6)
    # 本文の数と言葉
    first, at_50 = numbers_in(r"はじめの" + NUMBER + r"から50回ほどの更新で" + NUMBER + r"まで大きく下がりますが、\s*その後はほとんど止まって",
                              prose)
    assert (f"{first:.1f}", f"{at_50:.2f}") == (f"{losses[0]:.1f}", f"{losses[50]:.2f}")
    last, minimum = numbers_in(r"回更新した後でも" + NUMBER + r"です。\s*最小値" + NUMBER + r"から遠く離れた", prose)
    assert (f"{last:.4f}", f"{minimum:.4f}") == (f"{losses[200]:.4f}", f"{L_min:.4f}")
    (w0_quoted,) = numbers_in(r"切片" + math("w_0") + "は" + NUMBER + r"で、\s*初期値の2からほとんど動いていません", prose)
    assert f"{w0_quoted:.3f}" == f"{w[0]:.3f}"


def test_uncentred_curvatures_explain_the_stall(prose, raw):
    flat, steep = raw["curvatures"]
    steep_quoted, flat_quoted = numbers_in(r"最も急な向きで" + NUMBER + r"、\s*最も緩やかな向きでは" + NUMBER + "しか", prose)
    assert steep_quoted == pytest.approx(steep, abs=0.06)
    assert flat_quoted == pytest.approx(flat, rel=0.01)
    (gap,) = numbers_in(math("1 -") + r"\s*" + NUMBER + r"倍にしかならず", prose)
    assert gap == pytest.approx(raw["alpha"] * flat, rel=0.03)
    assert (1 - raw["alpha"] * flat) ** 200 > 0.99999  # 200 回でもほとんど縮まない


def test_contour_levels_are_said_to_be_unequal(soup):
    figure = soup.find(id="fig-linreg-contour")
    cell = figure.find_parent(class_="cell")
    source = cell.select_one(".cell_input").get_text()
    assert "(切片, kg)" in source and "(傾き, kg/cm)" in source
    if "geomspace" in source:  # 等比の高さでは、線の混み具合で坂の急さは読めない
        assert "等間隔ではなく" in figure.find("figcaption").get_text()


def test_english_error_text_is_explained_in_japanese(soup):
    explained = 0
    for output in soup.select(".cell_output"):
        if "gradient descent diverged" in output.get_text():
            following = output.find_parent(class_="cell").find_next_sibling()
            text = following.get_text() if following is not None else ""
            assert "という意味" in text or "メッセージの意味は上と同じ" in text, "英語のメッセージの直後に日本語の説明がありません"
            explained += 1
    assert explained >= 2, "the divergence messages are not shown"


def test_no_numpy_reprs_or_typed_chapter_numbers(outputs, prose):
    assert "np.float64(" not in outputs and "np.int64(" not in outputs
    assert not re.search(r"第\s*\d+\s*部", prose)


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-linreg-", 4, code_solutions=2)
