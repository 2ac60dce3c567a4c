"""第6章「多値分類(ソフトマックス回帰)」のビルド済みページを読者の側から確かめる。"""

import math
import re

import pytest

from conftest import check_equation, check_exercises, check_figure, dangling_equation_references

PAGE = "book/multiclass-classification"

EQUATIONS = [
    "eq-multiclass-u", "eq-multiclass-softmax", "eq-multiclass-softmax-shift", "eq-multiclass-softmax-jacobian",
    "eq-multiclass-predict", "eq-multiclass-likelihood", "eq-multiclass-loss", "eq-multiclass-log-softmax",
    "eq-multiclass-dl-du", "eq-multiclass-dl-dw", "eq-multiclass-grad", "eq-multiclass-loss-l2",
]
# dlmath のドキュメント文字列が引用している節(ここを変えるとリンクが切れる)
SECTIONS = ["sec-multiclass", "sec-multiclass-onehot", "sec-multiclass-regions", "sec-multiclass-sklearn"]
CODE_FIGURES = ["fig-multiclass-scatter", "fig-multiclass-learning-curves", "fig-multiclass-confusion",
                "fig-multiclass-regions"]


def prose(soup):
    """本文の文字列(数式の区切り \\( \\) を除き、空白をつめたもの)。"""
    return re.sub(r"\s+", " ", soup.get_text().replace("\\(", "").replace("\\)", ""))


def numbers_after(text, pattern):
    """pattern(数値の部分は ([0-9.]+) などのグループ)に合う最初の箇所の数値。"""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found"
    return [float(v) for v in match.groups()]


def cells_containing(soup, source):
    """入力に source を含むセルの出力(文字列)のリスト。"""
    return [cell.select_one(".cell_output").get_text() if cell.select_one(".cell_output") else ""
            for cell in soup.select("div.cell") if source in cell.select_one(".cell_input").get_text()]


def printed_number(outputs, label):
    """出力の「label 数値」の行から数値を読む。"""
    match = re.search(rf"{re.escape(label)}\s*([-+0-9.e]+)", outputs)
    assert match, f"{label!r} is not printed"
    return float(match.group(1))


@pytest.mark.parametrize("label", EQUATIONS)
def test_equations_are_labelled_math(soup, label):
    check_equation(soup, label, chapter=6)


@pytest.mark.parametrize("label", SECTIONS)
def test_sections_cited_by_the_package_exist(soup, label):
    assert soup.find(id=label) is not None, f"section {label} missing"


def test_equation_references_resolve(soup):
    dangling = dangling_equation_references(soup)
    assert not dangling, dangling


@pytest.mark.parametrize("name", CODE_FIGURES)
def test_code_figures_have_image_alt_and_caption(site, soup, name):
    check_figure(site, soup, name)


def test_shapes_diagram_is_an_svg_with_alt_and_caption(site, soup):
    figure = soup.find(id="fig-multiclass-shapes")
    assert figure is not None
    img = figure.find("img")
    assert img["src"].endswith("multiclass-shapes.svg") and img.get("alt")
    assert (site / "book" / img["src"]).resolve().is_file()
    assert figure.find("figcaption").get_text(strip=True)


def test_source_of_package_functions_is_shown(soup):
    code = soup.get_text()
    for signature in ("def one_hot(labels, N)", "def softmax(u)", "def softmax_jacobian(u)", "def log_softmax(u)",
                      "def predict(x, W)", "def loss(x, yt, W, lam=0.0)", "def cross_entropy(yt, u)", "def gradient(x, yt, W, lam=0.0)",
                      "def classify(x, W)", "def accuracy(x, yt, W)", "def confusion_matrix(labels, predicted, N)",
                      "def train(model, x, yt, w"):
        assert signature in code, f"{signature} not shown"


def test_derivations_are_checked_numerically_on_the_page(soup, outputs):
    assert printed_number(outputs, "数値微分との差の最大:") < 1e-8  # ヤコビ行列
    sigmoid_gap = re.search(r"^差の最大:\s*([-+0-9.e]+)", outputs, re.M)  # softmax((0, u))[1] と sigmoid(u)
    assert sigmoid_gap and float(sigmoid_gap.group(1)) < 1e-12
    # gradient_check を呼ぶセルは本文の 1 つと演習の解答の 1 つ。どちらも出力の最後の数が相対誤差
    checks = cells_containing(soup, "gradient_check(")
    assert len(checks) == 2, f"{len(checks)} cells call gradient_check"
    for output in checks:
        values = re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", output)
        assert values and 0 <= float(values[-1]) < 1e-7, output


def test_accuracies_with_two_and_four_features_are_printed(outputs):
    rows = {}
    for name in ("2つの特徴量", "4つの特徴量"):
        match = re.search(rf"{name}\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", outputs)
        assert match, f"row {name} missing"
        rows[name] = [float(v) for v in match.groups()]
    two, four = rows["2つの特徴量"], rows["4つの特徴量"]
    assert all(0 < v < 1.2 for v in two[:2] + four[:2])  # 損失
    assert all(0.9 <= v <= 1 for v in two[2:] + four[2:])  # 正解率
    # 本文とまとめ: 4つの特徴量では損失が(学習・テストとも)下がり、正解率が上がった
    assert four[0] < two[0] and four[1] < two[1], (two, four)
    assert four[2] > two[2] and four[3] > two[3], (two, four)


def test_confusion_matrix_is_printed_with_class_names(outputs):
    lines = [line.split() for line in outputs.splitlines()]
    table = {row[0]: [int(v) for v in row[1:]] for row in lines
             if len(row) == 4 and row[0] in ("setosa", "versicolor", "virginica") and all(v.isdigit() for v in row[1:])}
    assert set(table) == {"setosa", "versicolor", "virginica"}, table
    assert sum(map(sum, table.values())) == 45  # テストデータの件数
    assert sum(table[name][k] for k, name in enumerate(("setosa", "versicolor", "virginica"))) >= 40


def test_confusion_matrix_errors_are_only_between_versicolor_and_virginica(soup, outputs):
    """本文と図の説明: setosa はすべて正しく、間違いは versicolor と virginica の取り違えだけ。"""
    lines = [line.split() for line in outputs.splitlines()]
    table = {row[0]: [int(v) for v in row[1:]] for row in lines
             if len(row) == 4 and row[0] in ("setosa", "versicolor", "virginica") and all(v.isdigit() for v in row[1:])}
    setosa = table["setosa"]
    assert setosa[0] > 0 and setosa[1:] == [0, 0], setosa
    assert table["versicolor"][0] == 0 and table["virginica"][0] == 0, table
    text = prose(soup)
    correct, = numbers_after(text, r"setosaの(\d+)件はすべて正しく分類できています")
    errors, = numbers_after(text, r"間違えた(\d+)件は、どれもversicolorとvirginicaの取り違えです")
    assert correct == setosa[0]
    assert errors == table["versicolor"][2] + table["virginica"][1] > 0


def test_agrees_with_scikit_learn(outputs):
    assert printed_number(outputs, "確率の差の最大:") <= 1e-3
    assert printed_number(outputs, "重みの差の最大:") <= 1e-3
    ours = re.search(r"dlmath:\s*([0-9.]+)\s+([0-9.]+)", outputs).groups()
    theirs = re.search(r"scikit-learn:\s*([0-9.]+)\s+([0-9.]+)", outputs).groups()
    assert ours == theirs


def test_prose_numbers_are_filled_from_the_code(soup):
    assert "{glue" not in soup.get_text()


def test_initial_loss_is_log_3(soup):
    """重みがすべて0のときの損失は log 3: 本文に差し込んだ値と、セルが表示した 2 つの値。"""
    L0, = numbers_after(prose(soup), r"損失は-\\log\(1/3\) = \\log 3 = ([0-9.]+)です")
    assert L0 == pytest.approx(math.log(3), abs=5e-5)
    output, = cells_containing(soup, "L0 = loss(")
    printed = [float(v) for v in output.split()]
    assert len(printed) == 2 and printed == pytest.approx([math.log(3)] * 2, rel=1e-12), output


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-multiclass-", 5, code_solutions=2)
    assert len(soup.select("article div.exercise")) == 5


def test_gradient_check_is_described_as_the_code_computes_it(soup):
    """本文の相対誤差の式が numdiff.gradient_check と同じ(分母は 2 つのノルムの和)であること。"""
    text = soup.get_text()
    start = text.find("gradient_checkは、解析的な勾配")
    assert start >= 0, "description of gradient_check missing"
    description = text[start:start + 600].replace(" ", "")
    assert r"\frac{\lVertG-G_{\text{num}}\rVert}{\lVertG\rVert+\lVertG_{\text{num}}\rVert}" in description, description


def test_sigmoid_is_not_written_sigma_and_classes_are_k(soup):
    """σ は標準偏差だけの記号(シグモイド関数を σ と書かない)、クラスの番号は k(n を使わない)。"""
    text = soup.get_text()
    assert r"\sigma" not in text and "σ(" not in text
    for old in ("y_{t,n}", "y_{p,n}", "w_{in}", "C_{ij}"):
        assert old not in text, old
    maths = [m.get_text() for m in soup.select(".math")]
    assert len(maths) > 100
    for tex in maths:
        assert not re.search(r"_\{?n\}?(?![a-zA-Z])", tex), tex  # 添字 n(u_n, u_{n}。_{\text{num}} は対象外)
        assert not re.search(r"_\{[^{}]*,\s*n\s*\}", tex), tex  # 添字の中の n(y_{t,n})


def test_overlap_example_is_a_real_tie_in_the_data(soup):
    """「同じ測定値の花が versicolor にも virginica にもある」という例が、データのとおりであること。"""
    import numpy as np

    from dlmath.data import load_iris

    text = soup.get_text()
    match = re.search(r"がく片の長さ\s*([0-9.]+)\s*cm、花びらの長さ\s*([0-9.]+)\s*cmという同じ測定値の花が", text)
    assert match, "overlap example missing"
    point = np.array([float(v) for v in match.groups()])
    x, labels = load_iris(features=(0, 2))
    hits = np.all(np.isclose(x, point), axis=1)
    assert {1, 2} <= set(labels[hits].tolist()), (point, labels[hits])


def test_setosa_is_separated_by_petal_length(soup):
    """「setosa の花びらは最大でも a cm、ほかは最小でも b cm」: a < b で、データのとおり。"""
    import numpy as np

    from dlmath.data import load_iris

    setosa_max, others_min = numbers_after(prose(soup), r"setosaの花びらの長さは最大でも([0-9.]+) cm、ほかの2品種は最小でも([0-9.]+) cm")
    assert setosa_max < others_min
    x, labels = load_iris(features=(2,))
    assert setosa_max == pytest.approx(float(np.max(x[labels == 0]))) and others_min == pytest.approx(float(np.min(x[labels != 0])))


def test_test_loss_falls_over_all_updates(soup):
    """「テストデータの損失も…下がり続けています…過学習は起きていません」: ページのセルが数えた、2000 回の更新のうち
    損失が下がらなかった回数(学習データとテストデータ)が、どちらも 0 回と差し込まれていること。"""
    text = prose(soup)
    assert "テストデータの損失も学習データと同じように下がり続けています" in text
    train_rises, test_rises = numbers_after(
        text, r"2000回の更新のうち、損失が前の値より下がらなかった更新は、学習データで(\d+)回、テストデータで(\d+)回です")
    assert train_rises == 0 and test_rises == 0, (train_rises, test_rises)


def test_two_class_case_pairs_class_1_with_logistic_regression(soup):
    """N = 2 ではクラス1の確率がシグモイド関数(第4章・第5章と同じくクラス1がロジスティック回帰の y_p)。"""
    text = soup.get_text()
    for tex in ("f_1(0, u)", "y = y_{t,1}", "p = y_{p,1}", r"\boldsymbol{w} = \boldsymbol{w}_1 - \boldsymbol{w}_0", "= f(u_1 - u_0)"):
        assert tex in text, tex
    for old in ("f_0(u, 0)", "y = y_{t,0}", "p = y_{p,0}", r"\boldsymbol{w}_0 - \boldsymbol{w}_1", "f(u_0 - u_1)"):
        assert old not in text, old
    cell, = [c for c in soup.select("div.cell") if "sigmoid(u2)" in c.select_one(".cell_input").get_text()]
    source = re.sub(r"\s+", "", cell.select_one(".cell_input").get_text())
    assert "np.column_stack([np.zeros_like(u2),u2])" in source and "softmax(pairs)[:,1]" in source, source


def test_class_sums_run_over_0_to_N_minus_1(soup):
    """クラスの番号は k = 0, …, N−1: 本文がそう述べ、k についての和はどれも 0 から N−1 まで(N = 2 の演習だけ 1 まで)。"""
    assert r"0, 1, \ldots, N-1" in soup.get_text()
    ranges = [r for m in soup.select(".math") for r in re.findall(r"_\{k\s*=\s*([^}]*)\}\^\{([^}]*)\}", m.get_text())]
    assert ranges and all(low == "0" and high in ("N-1", "1") for low, high in ranges), ranges


def test_l2_minimum_argument_states_its_conditions(soup):
    """L2 正則化で最小値がある理由: 離れていくのはいちばん大きい切片のクラスの点数、有界なのは切片の行の和が 0 の重みの中、
    境目を含むのは L_λ が連続で不等号が等号を含むから。下に凸の定義は第5章にあり、ここでは繰り返さない。"""
    text = prose(soup)
    assert "正解のクラスの点数が、いちばん大きい切片のクラスの点数よりいくらでも小さくなり" in text
    assert "正解のクラスの点数がほかのクラスの点数よりいくらでも小さく" not in text
    assert re.search(r"切片の行の和が0の重みのうち ?L_\\lambda \\leq \\log 3 ?となる範囲は", text)
    assert "が連続で不等号に等号を含むので境目も含みます" in text
    assert "下に凸な関数" in text and "グラフがその2点を結ぶ線分より上に出ない" not in text


def test_unstandardised_features_stay_above_the_standardised_loss(soup, outputs):
    """cm のままでは、試したどの学習率でも 2000 回で標準化したときの損失まで下がらない(本文の数値は表のとおり)。"""
    assert re.search(r"(?m)10 回更新した後の損失\s+最後の損失\s+途中の最小$", outputs), "table header missing"
    rows = re.findall(r"(?m)cm のまま alpha =\s*([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)$", outputs)
    assert len(rows) >= 4, rows
    table = {float(a): (float(at10), float(last), float(lowest)) for a, at10, last, lowest in rows}
    standardised, = numbers_after(outputs, r"(?m)標準化 +alpha = 1\.0 +[0-9.]+ +([0-9.]+) +[0-9.]+$")
    assert all(lowest > standardised for _, _, lowest in table.values()), (table, standardised)
    text = prose(soup)
    a_min, a_max, a_best, best = numbers_after(
        text, r"学習率を([0-9.]+)から([0-9.]+)まで変えても、最後の損失が最も小さいのは学習率([0-9.]+)のときの([0-9.]+)です")
    assert (a_min, a_max) == (min(table), max(table))
    assert a_best == min(table, key=lambda a: table[a][1]) and best == table[a_best][1]
    lowest, = numbers_after(text, r"記録したすべての損失の最小値で比べても([0-9.]+)です")
    assert lowest == min(v[2] for v in table.values())
    std_prose, = numbers_after(text, r"学習率1で同じ回数の学習の後に([0-9.]+)まで下がる")
    assert std_prose == standardised and best > std_prose and lowest > std_prose
    start, jumped = numbers_after(text, r"学習率0\.5では、はじめの\\log 3 = ([0-9.]+)が10回更新した後で([0-9.]+)")
    assert jumped > start == pytest.approx(math.log(3), abs=5e-4) and jumped == table[0.5][0]


def test_weights_keep_growing_without_a_penalty(outputs):
    """「重みの最大の大きさは更新を続けるほど大きくなっています」(損失は下がり続ける)。"""
    rows = [(int(n), float(size), float(value)) for n, size, value in
            re.findall(r"(\d+) 回後: 重みの最大の大きさ\s+([0-9.]+)\s+損失 ([0-9.]+)", outputs)]
    assert [n for n, _, _ in rows] == [200, 1000, 2000], rows
    sizes, losses = [size for _, size, _ in rows], [value for _, _, value in rows]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3, sizes
    assert losses == sorted(losses, reverse=True) and len(set(losses)) == 3, losses


def test_l2_penalty_comparisons_match_the_numbers(soup):
    """罰則ありでは重みが小さく、テストの損失は大きく、正解率は低い(何件少ないかも合っている)。"""
    text = prose(soup)
    w_plain, w_l2 = numbers_after(text, r"罰則なしの2000回で([0-9.]+)、罰則ありで([0-9.]+)です")
    assert w_l2 < w_plain
    loss_l2, loss_plain = numbers_after(text, r"テストデータの損失は([0-9.]+)で、罰則なしの([0-9.]+)より大きくなりました")
    assert loss_l2 > loss_plain
    acc_l2, acc_plain = numbers_after(text, r"正解率は([0-9.]+)%と、罰則なしの([0-9.]+)%より低くなりました")
    fewer, = numbers_after(text, r"正しく分類したテストデータが(\d+)件少ない")
    assert acc_l2 < acc_plain and fewer == round((acc_plain - acc_l2) / 100 * 45)


def test_petal_pair_exercise_comparisons_match_the_numbers(soup):
    """演習 ex-multiclass-petal-pair の解答の比べ方と、間違いが versicolor と virginica のあいだだけであること。"""
    text = prose(soup)
    train_p, train_2 = numbers_after(text, r"学習データの正解率が([0-9.]+)%で、本文の組\(がく片の長さと花びらの長さ\)の([0-9.]+)%より上がりました")
    test_p, test_2 = numbers_after(text, r"テストデータの正解率は([0-9.]+)%で、本文の([0-9.]+)%より下がって")
    loss_p, loss_2 = numbers_after(text, r"テストデータの損失も([0-9.]+)で、本文の([0-9.]+)より大きく")
    assert train_p > train_2 and test_p < test_2 and loss_p > loss_2
    output, = cells_containing(soup, "features=(2, 3)")
    counts = [int(v) for v in re.findall(r"\d+", output[output.index("[["):])]
    assert len(counts) == 9, output
    C = [counts[0:3], counts[3:6], counts[6:9]]
    assert C[0][1:] == [0, 0] and C[1][0] == 0 and C[2][0] == 0, C  # setosa は取り違えない
    assert C[1][2] + C[2][1] > 0 and sum(map(sum, C)) == 45
