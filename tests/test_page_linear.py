"""第3章「線形単回帰」のビルド済みページの本文と出力が、独立に計算した値と合っていることを確かめる。

式・図・講演の表は tests/test_site.py の TestLinearRegressionPage が確かめます。ここでは、本文が数値で述べる主張
(データの範囲と平均、表で求めた勾配、3 行のループと fit の一致、fit が止まる条件、最後に表示される L が最後の更新の前の
損失であること、学習曲線の最小値 L* と残りの差、傾き、身長 180 cm の予測とそれが外挿であること、正規方程式と lstsq の答え、
s が身長の分散であること、1 回ごとの倍率と最もよい学習率、センタリングしない入力での発散と停滞と曲がり具合、
等高線の高さの断り書き、標準化で 1 回の更新で最小点に着くこと)を確かめます。

本文(散文)についての主張は、セルの入出力とソースの表示を除いた本文だけで確かめます(出力に同じ数が
表示されていても、本文が間違っていれば失敗するように)。比べる値は、ページのコードとは別にここで計算します。
"""

import copy
import re

import numpy as np
import pytest

from conftest import check_equation, check_exercises
from dlmath.data import load_height_weight
from dlmath.errors import DivergenceError, check_divergence
from dlmath.linear import fit, loss
from dlmath.preprocess import add_dummy, center

PAGE = "book/linear-regression"
NUMBER = r"(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)"


@pytest.fixture(scope="module")
def prose(soup):
    """本文の散文だけ: セル(入力と出力、図を含む)と、literalinclude などのソースの表示を除いた記事のテキスト。"""
    article = copy.copy(soup.select_one("article"))
    for node in article.select("div.cell, div.highlight, pre"):
        node.decompose()
    return article.get_text()


def descend(x, yt, w, alpha, iters):
    """fit を使わない勾配降下法。iters 回更新した重みと、k 回更新した後の損失 (k = 0, …, iters) を返す。"""
    losses = [loss(x, yt, w)]
    for _ in range(iters):
        w = w - alpha * x.T @ (x @ w - yt) / len(yt)
        losses.append(loss(x, yt, w))
    return w, np.array(losses)


def closed_form(heights, weights):
    """演習問題の閉じた形の解 (w0*, w1*)。lstsq も solve も使わない。"""
    dx, dy = heights - heights.mean(), weights - weights.mean()
    w1 = np.sum(dx * dy) / np.sum(dx ** 2)
    return np.array([weights.mean() - w1 * heights.mean(), w1])


@pytest.fixture(scope="module")
def talk():
    """ページと同じ前処理と学習(講演の設定: 初期値 (2, -1)、学習率 0.01、200 回)。"""
    data = load_height_weight()
    centered, means = center(data)
    x, yt, w = add_dummy(centered[:, 0:1]), centered[:, 1], np.array([2.0, -1.0])
    w_final, losses = descend(x, yt, w, alpha=0.01, iters=200)
    w_star = closed_form(x[:, 1], yt)  # センタリングしたので w0* は(丸め誤差を除いて)0
    s = np.var(data[:, 0])  # M で割った身長の分散
    return dict(data=data, means=means, x=x, yt=yt, w_final=w_final, losses=losses, w_star=w_star,
                L_min=loss(x, yt, w_star), s=s)


@pytest.fixture(scope="module")
def raw():
    """センタリングしない身長と体重で、上限の少し手前の学習率 1.9 / (身長の 2 乗の平均) で 200 回更新した結果。"""
    data = load_height_weight()
    x, yt = add_dummy(data[:, 0:1]), data[:, 1]
    mean_sq = np.mean(x[:, 1] ** 2)
    alpha = 1.9 / mean_sq
    w, losses = descend(x, yt, np.array([2.0, -1.0]), alpha, 200)
    # 向きごとの曲がり具合 ||Xu||^2/M の最小値・最大値と、その向き(固有ベクトル、列)
    curvatures, directions = np.linalg.eigh(x.T @ x / len(yt))
    return dict(data=data, x=x, yt=yt, mean_sq=mean_sq, alpha=alpha, w=w, losses=losses,
                curvatures=curvatures, directions=directions, w_star=closed_form(data[:, 0], data[:, 1]))


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


def test_raw_data_ranges_and_means_are_quoted_in_prose(prose, talk):
    data = talk["data"]
    heights, weights = data[:, 0], data[:, 1]
    ranges = f"身長が{heights.min():.0f}〜{heights.max():.0f} cm、体重が{weights.min():.1f}〜{weights.max():.1f} kgと大きく"
    assert "そのままの数値は" + ranges in prose
    assert f"身長の平均は{heights.mean():.1f} cm、体重の平均は{weights.mean():.1f} kgです" in prose


def test_talk_loop_gives_the_same_weights_as_fit(outputs):
    assert number_after("差の最大値:", outputs) < 1e-12


def test_by_hand_gradient_table_matches_the_formula(outputs, prose, talk):
    x, yt = talk["x"], talk["yt"]
    yp = x @ np.array([2.0, -1.0])
    yd = yp - yt
    grad0, grad1 = f"{yd.mean():.2f}", f"{(x[:, 1] * yd).mean():.2f}"
    assert f"yd の平均 = {grad0}、x1*yd の平均 = {grad1}" in outputs
    rows = re.findall(r"^\s*([1-5])((?:\s+-?\d+\.\d){5})\s*$", outputs, flags=re.M)
    assert len(rows) == 5, rows
    table = np.array([row.split() for _, row in rows], float)
    np.testing.assert_allclose(table, np.column_stack([x[:, 1], yt, yp, yd, x[:, 1] * yd]), atol=0.051)
    # 本文: 表の列の平均として述べる勾配と、更新の節で繰り返す勾配
    by_column = numbers_in(math(r"\partial L/\partial w_0") + "は" + math("y_d") + "の列の平均で" + NUMBER
                           + r"、\s*式\([\d.]+\)により" + math(r"\partial L/\partial w_1") + "は" + math("x_1 y_d")
                           + "の列の平均で" + NUMBER + "です", prose)
    repeated = numbers_in(r"勾配は上の表で求めた\s*\(" + NUMBER + r",\s*" + NUMBER + r"\)なので", prose)
    for quoted in (by_column, repeated):
        assert (f"{quoted[0]:.2f}", f"{quoted[1]:.2f}") == (grad0, grad1)


def test_divergence_guard_is_described_as_fit_behaves(prose):
    match = re.search(r"fitは、\s*損失がはじめの値の([\d,]+)倍を超えるか、\s*計算が桁あふれすると、\s*そこで止まり", prose)
    assert match, "fit が止まる条件を述べる文がありません"
    factor = float(match.group(1).replace(",", ""))
    # 本文の倍数ちょうどでは止まらず、それを超えると止まる
    check_divergence(np.array([2.0, 2.0 * factor]), 1, 0.1)
    with pytest.raises(DivergenceError):
        check_divergence(np.array([2.0, 2.0 * factor * 1.001]), 1, 0.1)
    # 1,000 倍の判定の前に桁あふれしても、fit は DivergenceError で止まる(損失 1e120 → 次の回は 1e480 であふれる)
    x, yt = add_dummy(np.array([[1e60], [-1e60]])), np.zeros(2)
    with pytest.raises(DivergenceError, match="。1 回更新した後の損失が、はじめの 5e\\+119 から inf に"):
        fit(x, yt, np.array([0.0, 1.0]), alpha=1.0, iters=5)


def test_loss_falls_from_its_first_value(prose, talk):
    x, yt = talk["x"], talk["yt"]
    first = np.mean((x @ np.array([2.0, -1.0]) - yt) ** 2) / 2  # 初期値での損失を定義のとおりに
    start, end = numbers_in(r"損失は、\s*はじめの" + NUMBER + r"から、\s*\d+回の更新の後には" + NUMBER + "まで下がりました", prose)
    assert (f"{start:.3f}", f"{end:.3f}") == (f"{first:.3f}", f"{talk['losses'][200]:.3f}")


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
    x, yt, w_final, L_min = talk["x"], talk["yt"], talk["w_final"], talk["L_min"]
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


def test_slope_is_quoted_per_centimetre(prose, talk):
    slope, per_cm = numbers_in(r"傾きは" + NUMBER + r"なので、\s*身長が1 cm高いと体重はおよそ" + NUMBER + r" kg重いと予測", prose)
    assert f"{slope:.2f}" == f"{per_cm:.2f}" == f"{talk['w_final'][1]:.2f}"


def test_prediction_at_180_cm_uses_both_weights_and_is_called_an_extrapolation(outputs, prose, talk):
    means, data, w_final = talk["means"], talk["data"], talk["w_final"]
    x_new = add_dummy(np.array([[180.0]]) - means[0])
    final = means[1] + (x_new @ w_final)[0]
    star = means[1] + (x_new @ talk["w_star"])[0]
    assert f"{star:.1f} kg" in outputs and f"{final:.1f} kg" in outputs
    assert re.search(rf"w_final\s*では{final:.1f} kg、\s*w_star\s*では{star:.1f} kgと予測", prose)
    assert star == pytest.approx(81.786, abs=1e-3)  # 最小二乗法の重みでの予測(未収束の重みでは 82.1 kg)
    # 差は w_final の w0 の分(w1 は収束済み)。w0 は式 2 (1 - α)^200 で、fit とは別に求める
    (gap,) = numbers_in(r"差の" + NUMBER + r" kgは、\s*まだ0まで減りきっていない\s*w_final\s*の" + math("w_0") + "の分", prose)
    w0 = 2 * (1 - 0.01) ** 200
    assert f"{gap:.2f}" == f"{final - star:.2f}" == f"{w0:.2f}"
    # 180 cm がデータの範囲の外にあると述べる文が、その予測を外挿と呼ぶ
    low, high = data[:, 0].min(), data[:, 0].max()
    assert not low <= 180 <= high
    assert re.search(rf"ただし180 cmは、\s*データの身長の範囲\({low:.0f}〜{high:.0f} cm\)の外にあります。"
                     r"\s*データの範囲の外での予測を外挿と呼びます", prose)


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


def test_gradient_descent_weights_are_compared_with_the_closed_form(prose, talk):
    w_final, w_star = talk["w_final"], talk["w_star"]
    w1, w0 = numbers_in(math("w_1") + r"は閉じた形の解" + NUMBER + r"と表示した桁まで一致していますが、\s*" + math("w_0")
                        + r"は\s*" + NUMBER + r"で、\s*まだ0に向かって減っている途中", prose)
    assert f"{w1:.6f}" == f"{w_star[1]:.6f}" == f"{w_final[1]:.6f}"
    assert f"{w0:.6f}" == f"{w_final[0]:.6f}" == f"{2 * 0.99 ** 200:.6f}"
    assert w_final[0] > 0.1


def test_expansion_is_a_labelled_equation_cited_by_number(soup):
    check_equation(soup, "eq-linreg-expansion", chapter=3)
    citations = soup.select('article a[href="#equation-eq-linreg-expansion"]')
    assert len(citations) >= 3, "式 eq-linreg-expansion を番号で参照する箇所(正規方程式、損失の分解、曲がり具合)が足りません"


def test_curvature_is_defined_where_it_is_first_used(prose):
    first = prose.find("曲がり具合")
    assert first >= 0 and first == prose.find("曲がり具合と呼びます")


def test_s_is_the_variance_of_the_heights(outputs, prose, talk):
    s = talk["s"]
    assert f"s = {s:.4f}(np.var で求めた身長の分散: {s:.4f})" in outputs
    assert "分散" in prose and "で割った分散" in prose
    (s_quoted,) = numbers_in(math("s") + r"\s*=\s*" + NUMBER + "なので", prose)
    assert f"{s_quoted:.1f}" == f"{s:.1f}"
    (limit,) = numbers_in(math(r"0 < \alpha < 2/s") + r"\s*=\s*" + NUMBER + "なら", prose)
    assert f"{limit:.3f}" == f"{2 / s:.3f}"  # 学習率の上限 2/s


def test_per_step_factors_match_the_training_run(prose, talk):
    s, w_final, w_star = talk["s"], talk["w_final"], talk["w_star"]
    w1_step, w1_total, w0_step, w0_total = numbers_in(
        math("w_1") + r"の差は1回ごとに" + NUMBER + r"倍、\s*200回で" + NUMBER + r"倍に縮みます。\s*一方" + math("w_0")
        + r"は1回ごとに" + NUMBER + r"倍にしかならず、\s*200回たっても" + NUMBER + r"倍にしか縮みません", prose)
    # 式の倍率 (1 - αs、1 - α) と、実際の学習で w1 - w1*、w0 が 200 回で縮んだ割合
    assert f"{w1_step:.3f}" == f"{1 - 0.01 * s:.3f}"
    assert f"{w1_total:.1e}" == f"{(1 - 0.01 * s) ** 200:.1e}" == f"{(w_final[1] - w_star[1]) / (-1 - w_star[1]):.1e}"
    assert f"{w0_step:.2f}" == f"{1 - 0.01:.2f}"
    assert f"{w0_total:.3f}" == f"{0.99 ** 200:.3f}" == f"{w_final[0] / 2:.3f}"


def test_best_learning_rate_balances_the_two_factors(prose, talk):
    s = talk["s"]
    # 式 2/(1+s) を使わず、学習率を細かく動かして遅いほうの倍率 max(|1-α|, |1-αs|) が最小になる α を探す
    alphas = np.linspace(0, 2 / s, 400_001)
    slowest = np.maximum(np.abs(1 - alphas), np.abs(1 - alphas * s))
    best = slowest.argmin()
    alpha_q, rate_q, talk_rate = numbers_in(
        r"このデータでは" + math(r"\alpha") + r"\s*=\s*" + NUMBER + r"、\s*倍率は" + NUMBER + r"で、\s*講演の"
        + math(r"\alpha") + r"での\s*" + math("w_0") + r"の倍率" + NUMBER + r"よりはずっと速く縮みます", prose)
    assert f"{alpha_q:.3f}" == f"{alphas[best]:.3f}"
    assert f"{rate_q:.3f}" == f"{slowest[best]:.3f}"
    assert f"{talk_rate:.2f}" == "0.99" and rate_q < talk_rate


def test_standardised_input_reaches_the_minimum_in_one_step(outputs, prose, talk):
    assert "s = 1.000000" in outputs
    assert number_after("1 cm あたりの傾きに戻すと:", outputs) == pytest.approx(talk["w_star"][1], abs=1e-6)
    (w0_one,) = numbers_in(r"1回の更新で" + math("w_0") + "は" + NUMBER + r"になりました。\s*これも丸め誤差", prose)
    assert abs(w0_one) < 1e-12


def test_uncentred_input_diverges_at_the_talk_rate_and_at_a_tenth_of_it(outputs, prose, raw):
    limit = 2 / raw["mean_sq"]
    assert 0.001 > limit  # メッセージが勧める 10 分の 1 の学習率も、まだ上限より大きい
    # メッセージはページで折り返して表示するので、空白と改行を除いて比べる
    compact = re.sub(r"\s", "", outputs)
    for rate, tenth in (("0.01", "0.001"), ("0.001", "0.0001")):
        assert re.search(rf"alpha={rate}:勾配降下法が発散しました。\d+回更新した後の損失が、はじめの[^。]*\(alpha={rate}\)。"
                         rf"学習率alphaが大きすぎるので、alpha={tenth}のように小さくしてください。"
                         r"それでも発散するときは、dlmath\.preprocess\.standardizeなどで入力の尺度をそろえてください。",
                         compact), rate
    assert re.search(r"10分の1の学習率0\.001でも、\s*2つ目のメッセージのとおり発散", prose)
    (limit_quoted,) = numbers_in(r"身長の2乗の平均\)\s*=\s*" + NUMBER + "より小さく", prose)
    assert f"{limit_quoted:.1e}" == f"{limit:.1e}"
    (times,) = numbers_in(r"この上限の" + NUMBER + r"倍ほど", prose)
    assert times == round(0.001 / limit)


def test_uncentred_loss_drops_then_stalls_far_above_the_minimum(outputs, prose, raw, talk):
    losses, w, L_min = raw["losses"], raw["w"], talk["L_min"]
    # センタリングしないデータでも、最小値はセンタリングしたときと同じ(同じ直線の集まりから選ぶ)
    assert loss(raw["x"], raw["yt"], raw["w_star"]) == pytest.approx(L_min, rel=1e-9)
    assert re.search(r"最小値はセンタリングしたときと同じです。\s*どちらも同じ直線の中から", prose)
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
    w0_quoted, w0_star = numbers_in(r"切片" + math("w_0") + "は" + NUMBER + r"で、\s*初期値の2からほとんど動いていません\(答えは"
                                    + NUMBER + r"です\)", prose)
    assert f"{w0_quoted:.3f}" == f"{w[0]:.3f}"
    assert f"{w0_star:.1f}" == f"{raw['w_star'][0]:.1f}"


def test_uncentred_curvatures_explain_the_stall(prose, raw):
    (flat, steep), directions = raw["curvatures"], raw["directions"]
    steep_quoted, flat_quoted = numbers_in(r"最も急な向きで" + NUMBER + r"、\s*最も緩やかな向きでは" + NUMBER + "しか", prose)
    assert steep_quoted == pytest.approx(steep, abs=0.06)
    assert flat_quoted == pytest.approx(flat, rel=0.01)
    (gap,) = numbers_in(math("1 -") + r"\s*" + NUMBER + r"倍にしかならず", prose)
    assert gap == pytest.approx(raw["alpha"] * flat, rel=0.03)
    assert (1 - raw["alpha"] * flat) ** 200 > 0.99999  # 200 回でもほとんど縮まない
    # 最も急な向きと最も緩やかな向きは直交する: 向きを 1 つずつ調べて(固有ベクトルを使わずに)確かめる
    assert re.search(r"この2つの向きは互いに直交しています", prose)
    phi = np.linspace(0, np.pi, 200_001)
    scan = np.mean((raw["x"] @ np.stack([np.cos(phi), np.sin(phi)])) ** 2, axis=0)
    assert abs(np.cos(phi[scan.argmax()] - phi[scan.argmin()])) < 1e-4
    np.testing.assert_allclose([scan.min(), scan.max()], [flat, steep], rtol=1e-3)
    # 上限 2/(最も急な向きの曲がり具合) はちょうどの境目(「およそ」ではない)。その曲がり具合は身長の 2 乗の平均にほぼ等しい
    assert re.search(r"学習率の上限" + math("2/") + r"\(最も急な向きの曲がり具合\)を決めて", prose)
    assert steep / raw["mean_sq"] - 1 < 1e-4
    start = np.array([2.0, -1.0])
    assert descend(raw["x"], raw["yt"], start, 0.99 * 2 / steep, 500)[1][-1] < raw["losses"][0]
    assert descend(raw["x"], raw["yt"], start, 1.01 * 2 / steep, 500)[1][-1] > raw["losses"][0]
    # 緩やかな向き: w0 を 1 変えるあいだに w1 を逆向きに 1/x̄ ほど変える向きで、身長 x̄ の予測値が変わらない
    v = directions[:, 0]
    ratio, height = numbers_in(r"緩やかな向き" + math(r"\boldsymbol{u}") + r"は、\s*" + math("w_0") + r"を1変えるあいだに"
                               + math("w_1") + r"を逆向きに1/" + NUMBER + r"だけ変える向きで、\s*身長" + NUMBER
                               + r" cmのあたりでの予測値がほとんど変わりません", prose)
    mean_height = raw["data"][:, 0].mean()
    assert v[0] * v[1] < 0  # 逆向き
    assert f"{ratio:.0f}" == f"{-v[0] / v[1]:.0f}"
    assert f"{height:.0f}" == f"{mean_height:.0f}" and -v[0] / v[1] == pytest.approx(mean_height, rel=1e-3)


def test_contour_levels_are_said_to_be_unequal(soup, prose):
    figure = soup.find(id="fig-linreg-contour")
    cell = figure.find_parent(class_="cell")
    source = cell.select_one(".cell_input").get_text()
    assert "(切片, kg)" in source and "(傾き, kg/cm)" in source
    # 図のコードの levels= の式をそのまま評価して、高さが等間隔かを調べる(数だけなら matplotlib が等間隔に選ぶ)
    match = re.search(r"levels=(np\.\w+\([^()]*\)|\[[^\]]*\]|\d+)", source)
    assert match, "等高線の levels が見つかりません"
    levels = np.atleast_1d(eval(match.group(1), {"__builtins__": {}, "np": np}))
    unequal = levels.size > 1 and not np.allclose(np.diff(levels), np.diff(levels)[0])
    # 等間隔でないときだけ、キャプションと本文がそう断る(線の混み具合で坂の急さは読めない)
    assert ("等間隔ではなく" in figure.find("figcaption").get_text()) == unequal
    assert ("等高線の高さは等間隔ではない" in prose) == unequal


def test_divergence_messages_are_shown_in_japanese_within_the_code_width(soup):
    shown = 0
    for output in soup.select(".cell_output"):
        text = output.get_text()
        assert "diverged" not in text, "英語のメッセージが残っています"
        if "勾配降下法が発散しました。" in text:
            shown += 1
            # 1 文ずつ折り返して表示する: 各行は 45 文字まで、文の終わりで改行する
            lines = [line for line in text.splitlines() if line.strip()]
            assert all(len(line) <= 45 for line in lines), lines
            assert any(line.endswith("のように小さくしてください。") for line in lines), lines
    assert shown >= 2, "the divergence messages are not shown"


def test_no_numpy_reprs_or_typed_part_and_chapter_numbers(outputs, soup):
    assert "np.float64(" not in outputs and "np.int64(" not in outputs
    # 本書の部・章は {numref} で参照する(番号はリンクの中だけに出る。この章は他の本の章番号も引かない)
    article = copy.copy(soup.select_one("article"))
    for node in article.select("div.cell, div.highlight, pre, a.reference.internal"):
        node.decompose()
    assert not re.search(r"第\s*\d+\s*[部章]", article.get_text())


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-linreg-", 4, code_solutions=2)
