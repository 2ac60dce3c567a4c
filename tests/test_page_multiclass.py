"""第6章「多値分類(ソフトマックス回帰)」のビルド済みページを読者の側から確かめる。"""

import re

import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises, check_figure, dangling_equation_references

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


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    return cell_outputs(soup)


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


def test_derivations_are_checked_numerically_on_the_page(outputs):
    assert printed_number(outputs, "数値微分との差の最大:") < 1e-8  # ヤコビ行列
    relative_errors = [float(v) for v in re.findall(r"^\s*([0-9.]+e-\d+)\s*$", outputs, re.M)]
    assert relative_errors and max(relative_errors) < 1e-7, relative_errors  # gradient_check


def test_accuracies_with_two_and_four_features_are_printed(outputs):
    rows = {}
    for name in ("2つの特徴量", "4つの特徴量"):
        match = re.search(rf"{name}\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", outputs)
        assert match, f"row {name} missing"
        rows[name] = [float(v) for v in match.groups()]
    two, four = rows["2つの特徴量"], rows["4つの特徴量"]
    assert all(0 < v < 1.2 for v in two[:2] + four[:2])  # 損失
    assert all(0.9 <= v <= 1 for v in two[2:] + four[2:])  # 正解率
    assert four[0] < two[0] and four[2] >= two[2]  # 4つの特徴量のほうが学習データでよい


def test_confusion_matrix_is_printed_with_class_names(outputs):
    lines = [line.split() for line in outputs.splitlines()]
    table = {row[0]: [int(v) for v in row[1:]] for row in lines
             if len(row) == 4 and row[0] in ("setosa", "versicolor", "virginica") and all(v.isdigit() for v in row[1:])}
    assert set(table) == {"setosa", "versicolor", "virginica"}, table
    assert sum(map(sum, table.values())) == 45  # テストデータの件数
    assert sum(table[name][k] for k, name in enumerate(("setosa", "versicolor", "virginica"))) >= 40


def test_agrees_with_scikit_learn(outputs):
    assert printed_number(outputs, "確率の差の最大:") <= 1e-3
    assert printed_number(outputs, "重みの差の最大:") <= 1e-3
    ours = re.search(r"dlmath:\s*([0-9.]+)\s+([0-9.]+)", outputs).groups()
    theirs = re.search(r"scikit-learn:\s*([0-9.]+)\s+([0-9.]+)", outputs).groups()
    assert ours == theirs


def test_prose_numbers_are_filled_from_the_code(soup):
    text = soup.get_text()
    assert "{glue" not in text
    assert "log 3" in text.replace("\\", "") or "1.0986" in text


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-multiclass-", 4)


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
