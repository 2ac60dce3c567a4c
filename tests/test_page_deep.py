"""第7章「ディープラーニングモデル」のビルド済みページを、読者の側から確かめる。"""

import math
import re

import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises, check_figure, dangling_equation_references

PAGE = "book/deep-learning"

# dlmath の docstring が引用するラベル(前半)と、ページが自分で定義して参照するラベル(後半)
EQUATIONS = [
    "eq-deep-relu", "eq-deep-forward", "eq-deep-loss", "eq-deep-delta-out", "eq-deep-delta-hidden",
    "eq-deep-backprop", "eq-deep-he", "eq-deep-minibatch",
    "eq-deep-grad-w", "eq-deep-dl-dz", "eq-deep-grad-v", "eq-deep-backprop-two",
    "eq-deep-xavier", "eq-deep-backward-scale",
]
SECTIONS = [
    "sec-deep", "sec-deep-data", "sec-deep-init", "sec-deep-training",
    "sec-deep-model", "sec-deep-relu", "sec-deep-loss", "sec-deep-backprop", "sec-deep-two-layers", "sec-deep-cost",
    "sec-deep-he", "sec-deep-activation", "sec-deep-depth", "sec-deep-results", "sec-deep-exercises",
    "sec-deep-indices", "sec-deep-xavier", "sec-deep-vanishing-training",
]
CODE_FIGURES = [
    "fig-deep-digits", "fig-deep-relu", "fig-deep-learning-curves", "fig-deep-equal-init", "fig-deep-he-scale",
    "fig-deep-grad-norms", "fig-deep-activation", "fig-deep-depth", "fig-deep-misclassified",
    "fig-deep-vanishing-training",
]
MATH_SECTIONS = [
    "sec-math-chain-rule", "sec-math-multivariable-chain-rule", "sec-math-matrix-product", "sec-math-numerical-diff",
    "sec-math-expectation", "sec-math-prob-linearity", "sec-math-prob-product", "sec-math-prob-variance-sum",
]


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    return cell_outputs(soup)


@pytest.fixture(scope="module")
def prose(soup):
    return soup.select_one("article").get_text()


def printed(pattern, outputs):
    """出力の中で pattern(数を1つ以上の group で捕まえる正規表現)に合う最初の箇所の数を float のタプルで返す。"""
    match = re.search(pattern, outputs)
    assert match, f"{pattern!r} に合う出力がありません"
    return tuple(float(v) for v in match.groups())


@pytest.mark.parametrize("label", EQUATIONS)
def test_equations_are_labelled_and_numbered_in_chapter_7(soup, label):
    check_equation(soup, label, chapter=7)


@pytest.mark.parametrize("label", SECTIONS)
def test_section_labels_exist(soup, label):
    assert soup.find(id=label) is not None, f"section {label} missing"


def test_equation_references_resolve_on_the_page(soup):
    assert len(soup.select('a[href^="#equation-eq-deep-"]')) >= 15, "too few references to the chapter's equations"
    assert not dangling_equation_references(soup)


def test_links_to_chapters_4_and_6_and_the_mathematics_part(soup):
    hrefs = [a.get("href", "") for a in soup.select("article a")]
    for label in ("sec-bridge-nn", "sec-bridge-backprop"):
        assert sum(h.endswith(f"towards-deep-learning.html#{label}") for h in hrefs) == 1, label
    for label in ("equation-eq-multiclass-dl-du", "equation-eq-multiclass-grad", "sec-multiclass-loss"):
        assert any(h.endswith(f"multiclass-classification.html#{label}") for h in hrefs), label
    assert any(h.endswith("practical-deep-learning.html#sec-practical") for h in hrefs)
    assert any(h.endswith("practical-deep-learning.html#sec-practical-optimizers") for h in hrefs)
    # 期待値の線形性、独立な組どうしの積の期待値、無相関な和の分散(Heの初期値の導出で使う)
    for label in ("sec-math-prob-linearity", "sec-math-prob-product", "sec-math-prob-variance-sum"):
        assert any(h.endswith(f"math-probability.html#{label}") for h in hrefs), label
    for label in MATH_SECTIONS:
        assert any(h.endswith(f"#{label}") for h in hrefs), f"no link to {label}"


@pytest.mark.parametrize("name", CODE_FIGURES)
def test_figures_have_image_alt_and_caption(site, soup, name):
    check_figure(site, soup, name)


def test_computation_graph_is_an_svg_with_alt_and_caption(site, soup):
    figure = soup.find(id="fig-deep-graph")
    assert figure is not None
    img = figure.find("img")
    assert img["src"].endswith("deep-backprop-graph.svg") and img.get("alt")
    svg = (site / "book" / img["src"]).resolve()
    text = svg.read_text(encoding="utf-8")
    assert 'fill="#ffffff"' in text, "the diagram needs its own white background for dark mode"
    for label in ("順伝播", "逆伝播", "hidden", "out"):
        assert label in text
    assert figure.find("figcaption").get_text(strip=True)


def test_source_of_package_functions_is_shown(soup):
    code = soup.get_text()
    for signature in (
        "def load_digits()", "def relu(u)", "def relu_derivative(u)", "def init_weights(D, hidden, N, rng, method=",
        "def forward(x, weights, activation=", "def _forward(x, weights, f,", "def _loss(x, yt, weights, f,", "def cross_entropy(yt, u)",
        "def backward(yt, weights, yp, cache, activation=", "def _backward(yt, weights, yp, cache, fprime,",
        "def minibatches(M, batch_size, rng)", "def train_network(x, yt, weights, optimizer, epochs, batch_size, rng",
        "def classify(x, weights, activation=", "class SGD:",
    ):
        assert signature in code, f"{signature} not shown"


def test_chapter_trains_with_the_sgd_it_derives(soup):
    # Adam は第8章で導入するので、この章のセルは式 eq-deep-minibatch の SGD で学習する
    code = "\n".join(cell.get_text() for cell in soup.select(".cell_input"))
    assert "SGD(alpha=ALPHA)" in code and "EPOCHS, BATCH_SIZE, ALPHA = 30, 32, 0.1" in code
    assert "Adam" not in code
    assert 'method="xavier"' in code  # シグモイド関数の層は Xavier の初期値


def test_numbering_of_the_hidden_nodes_is_shown(outputs):
    assert "ノード h = 1 の出力 Z[:, 1] は relu(A[:, 0]) と同じ: True" in outputs


def test_shapes_of_the_forward_pass_are_printed(outputs):
    assert "A: (1437, 100)  Z: (1437, 101)  U: (1437, 10)  Yp: (1437, 10)" in outputs
    assert "V: (65, 100)  W: (101, 10)  重みの総数: 7510" in outputs


def test_backprop_in_numpy_equals_backward(outputs):
    assert printed(r"backward との差の最大: ([\d.e+-]+) ([\d.e+-]+)", outputs) == (0.0, 0.0)


def test_gradient_check_of_every_weight_matrix(outputs):
    rows = re.findall(r"隠れ層 (\[[\d, ]+\])\s+(relu|sigmoid)\s+相対誤差: (.+)", outputs)
    assert len(rows) == 4, rows
    for hidden, _, errors in rows:
        values = [float(v) for v in errors.split()]
        assert len(values) == hidden.count(",") + 2  # 隠れ層の数 + 出力層
        assert max(values) < 1e-6, (hidden, values)


def test_backward_costs_about_one_forward_pass(outputs):
    (ratio,) = printed(r"順伝播の ([\d.]+) 倍", outputs)
    assert 1 <= ratio <= 2


def test_training_accuracy_is_printed_and_quoted(outputs, prose):
    train_acc, test_acc = printed(r"エポック 30: 損失 [\d.]+  正解率 ([\d.]+)\(テスト 損失 [\d.]+  正解率 ([\d.]+)\)", outputs)
    assert 0.97 <= train_acc <= 1 and 0.95 <= test_acc <= 1
    # 同じ 96.9% は別の文(混同行列、演習)にも出るので、この実験を述べる文に結びつけて確かめる
    assert f"学習データの正解率が{100 * train_acc:.1f}%、テストデータの正解率が{100 * test_acc:.1f}%になりました" in prose


def test_equal_initial_weights_keep_the_hidden_nodes_identical(outputs):
    (diff_first,) = printed(r"エポック  1: V の列どうしの差の最大 ([\d.e+-]+)", outputs)
    (diff_last, acc_last) = printed(r"エポック 30: V の列どうしの差の最大 ([\d.e+-]+)  テストデータの正解率 ([\d.]+)", outputs)
    assert diff_first < 1e-12 and diff_first <= diff_last
    assert acc_last < 0.5


def test_he_initialisation_keeps_the_size_of_the_activations(outputs):
    assert re.search(r"層\s+√\(1/n\)\s+√\(2/n\)\(He\)\s+√\(4/n\)", outputs)
    rows = re.findall(r"^\s*(\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s*$", outputs, re.M)
    assert [int(row[0]) for row in rows] == list(range(1, 11)), rows
    small, he, large = ([float(row[k]) for row in rows] for k in (1, 2, 3))
    assert small[-1] < small[0] / 10 and large[-1] > large[0] * 10
    assert 0.5 < he[-1] / he[0] < 2
    # 本文: 1 層目から 10 層目までの 1 層あたりの平均の倍率は、理論の √(1/2)、1、√2 倍の「とおりの傾向」
    for values, theory in ((small, 0.5**0.5), (he, 1.0), (large, 2**0.5)):
        rate = (values[-1] / values[0]) ** (1 / 9)
        assert abs(rate - theory) < 0.1, (rate, theory)


def test_sigmoid_gradients_vanish_towards_the_input(outputs):
    def norms(activation, method):
        return [float(v) for v in re.search(rf"^{activation}\s+{method}\s+(.+)$", outputs, re.M).group(1).split()]

    relu, sig_xavier, sig_he = norms("relu", "he"), norms("sigmoid", "xavier"), norms("sigmoid", "he")
    assert len(relu) == len(sig_xavier) == len(sig_he) == 6
    assert sig_xavier[0] < sig_xavier[-1] / 50 and sig_he[0] < sig_he[-1] / 50
    # 本文「層による差はほとんどありません」: ReLU の 6 つのノルムの最大と最小の比が 1.5 未満
    assert max(relu) / min(relu) < 1.5, relu
    # 重み行列 2〜5(50 ノードどうし)の 1 層あたりの倍率: 本文は式 eq-deep-backward-scale の上限より小さいと言う
    shrink = {name: (n[1] / n[4]) ** (1 / 3) for name, n in (("relu", relu), ("xavier", sig_xavier), ("he", sig_he))}
    assert 0.15 < shrink["xavier"] < 0.25
    assert shrink["xavier"] < shrink["he"] < 2**0.5 / 4
    assert 0.7 < shrink["relu"] < 1.3


def test_relu_learns_faster_than_sigmoid_and_two_layers_work(outputs, prose):
    relu_first, relu_last, relu_loss = printed(r"ReLU: ([\d.]+) → ([\d.]+)、損失 ([\d.]+)", outputs)
    sig_first, sig_last, sig_loss = printed(r"シグモイド関数: ([\d.]+) → ([\d.]+)、損失 ([\d.]+)", outputs)
    # 本文: はっきりした差は学習データの損失で、テストデータの正解率の差は数枚分(偶然でも生じうる)
    assert relu_loss < sig_loss / 2
    assert sig_first < relu_first and 0.9 <= sig_last <= relu_last + 0.01
    gap = round(relu_last * 360) - round(sig_last * 360)
    assert abs(gap) <= 8 and f"その差は360枚のうちの{gap}枚分です" in prose
    grad_v = re.search(r"学習前の V の勾配のノルム: \{'relu': ([\d.]+), 'sigmoid': ([\d.]+)\}", outputs)
    assert grad_v, "学習前の V の勾配のノルムが出力にありません"
    assert float(grad_v.group(2)) < float(grad_v.group(1))  # シグモイド関数のほうが小さい
    one_loss, one_acc = printed(r"隠れ層1つ: 重み 7510 個、損失 ([\d.]+)\(テスト [\d.]+\)、テストデータの正解率 ([\d.]+)", outputs)
    two_loss, two_acc = printed(r"隠れ層2つ: 重み 12060 個、損失 ([\d.]+)\(テスト [\d.]+\)、テストデータの正解率 ([\d.]+)", outputs)
    assert two_acc >= 0.95
    # 本文: 隠れ層2つのほうが学習データの損失は低いが、テストデータの正解率の差は数枚分
    assert two_loss < one_loss
    assert abs(round(two_acc * 360) - round(one_acc * 360)) <= 6


def test_deep_sigmoid_network_does_not_learn_under_sgd_where_relu_does(outputs, prose):
    rows = dict(
        ((activation, int(depth)), (float(acc), float(train_loss)))
        for activation, depth, acc, train_loss in re.findall(r"^(relu|sigmoid)\s+(\d)\s+([\d.]+)\s+([\d.]+)\s*$", outputs, re.M)
    )
    assert set(rows) == {("sigmoid", 1), ("sigmoid", 2), ("sigmoid", 3), ("sigmoid", 4), ("relu", 4)}, rows
    assert rows["sigmoid", 1][0] >= 0.9 and rows["sigmoid", 4][0] < 0.2 and rows["relu", 4][0] >= 0.95
    assert abs(rows["sigmoid", 4][1] - math.log(10)) < 0.05  # 損失が log 10 = 2.30 とほとんど変わらない
    assert f"{100 * rows['sigmoid', 4][0]:.1f}%" in prose and f"{100 * rows['relu', 4][0]:.1f}%" in prose

    def per_layer(name):  # 出力の順(relu, sigmoid)に並んだ行
        lines = re.findall(rf"{name}[^:]*:\s+(.+)$", outputs, re.M)
        assert len(lines) == 2, (name, lines)
        return dict(zip(("relu", "sigmoid"), ([float(v) for v in line.split()] for line in lines)))

    grads, changes, spreads = per_layer("学習前の勾配のノルム"), per_layer("重みの相対的な変化"), per_layer("隠れ層の出力の画像によるばらつき")
    assert changes["sigmoid"][0] < 0.1 < changes["relu"][0]  # 入力に最も近い重み行列がほとんど動かない
    assert changes["sigmoid"][0] < changes["sigmoid"][-1]  # 本文「入力に近い層ほど」
    # 本文: 1〜3 番目の重み行列は数 % しか動かず、4 番目もわずか
    assert max(changes["sigmoid"][:3]) < 0.05 and changes["sigmoid"][3] < 0.2
    # 本文: 学習前の勾配のノルムは入力に最も近い重み行列と出力層で 100 倍を超えて違う(隠れ層 4 つのネットワーク)
    assert grads["sigmoid"][-1] / grads["sigmoid"][0] > 100
    sigmoid_spread, relu_spread = spreads["sigmoid"], spreads["relu"]
    assert sigmoid_spread[-1] < sigmoid_spread[0] / 10 and relu_spread[-1] > relu_spread[0]
    # 本文「1層ごとにおよそ…倍に縮み」「シグモイド関数では1/4ほど」: どの層でも 0.2〜0.3 倍
    for before, after in zip(sigmoid_spread, sigmoid_spread[1:]):
        assert 0.2 < after / before < 0.3, sigmoid_spread


def test_confusion_matrix_covers_the_test_data(outputs):
    rows = [line.split() for line in outputs.splitlines()]
    table = [[int(v) for v in row[1:]] for row in rows
             if len(row) == 11 and all(v.isdigit() for v in row) and row[1:] != [str(k) for k in range(10)]]
    assert len(table) == 10, table
    assert sum(map(sum, table)) == 360
    assert sum(table[k][k] for k in range(10)) >= 340


def test_prose_numbers_are_filled_from_the_code(prose):
    assert "{glue" not in prose
    assert "%" in prose


def test_hidden_size_exercise_lowers_the_training_loss_but_not_clearly_the_test_accuracy(outputs):
    rows = re.findall(r"H = +(\d+): 重みの総数 +\d+  学習データの損失 ([\d.]+)  テストデータの正解率 [\d.]+\((\d+) 枚\)", outputs)
    assert [int(h) for h, _, _ in rows] == [10, 30, 100, 300], rows
    losses, correct = [float(v) for _, v, _ in rows], [int(c) for _, _, c in rows]
    assert all(a > b for a, b in zip(losses, losses[1:])), losses  # H を大きくすると学習データの損失が下がる
    assert max(correct) - min(correct) <= 8, correct  # 正解した枚数の差は数枚


def test_exercises_have_collapsed_worked_solutions(soup):
    check_exercises(soup, "ex-deep-", 4, code_solutions=3)
