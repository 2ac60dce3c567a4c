"""第7章「ディープラーニングモデル」のビルド済みページを、読者の側から確かめる。"""

import math
import re

import pytest

from conftest import check_equation, check_exercises, check_figure, dangling_equation_references

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
    # 共通の学習の関数は既定で学習率 ALPHA を使う(学習率を変えるのは、深いシグモイド関数のネットワークの 1 か所だけ)
    assert re.search(r'def train_digits\(hidden, activation="relu", method="he", seed=SEED,\s+alpha=ALPHA\)', code)
    assert "SGD(alpha=alpha)" in code
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


def test_learning_curve_gap_widens_while_the_test_loss_falls_slowly(outputs):
    # 図の説明と本文: 学習データとテストデータの損失の差は少しずつ開き、20 → 30 エポックでテストデータの損失も
    # (上下しながら)下がるが、下がり幅は学習データより小さい。表示した 5, 10, 20, 30 エポック目の値で確かめる
    rows = {int(epoch): (float(train), float(test)) for epoch, train, test in
            re.findall(r"エポック +(\d+): 損失 ([\d.]+)  正解率 [\d.]+\(テスト 損失 ([\d.]+)", outputs)}
    assert {5, 10, 20, 30} <= set(rows), rows
    gaps = [rows[e][1] - rows[e][0] for e in (5, 10, 20, 30)]
    assert all(0 < a < b for a, b in zip(gaps, gaps[1:])), gaps
    (train20, test20), (train30, test30) = rows[20], rows[30]
    assert test30 < test20 and test20 - test30 < train20 - train30


def test_equal_initial_weights_keep_the_hidden_nodes_identical(outputs):
    (diff_first,) = printed(r"エポック  1: V の列どうしの差の最大 ([\d.e+-]+)", outputs)
    (diff_last, acc_last) = printed(r"エポック 30: V の列どうしの差の最大 ([\d.e+-]+)  テストデータの正解率 ([\d.]+)", outputs)
    assert diff_first < 1e-12 and diff_first <= diff_last
    assert acc_last < 0.5


def test_symmetry_breaking_growth_rate_is_quoted(outputs, prose):
    # 本文「5エポック目のあたりから…平均で1エポックごとにおよそ2.2倍」: 表示した 5 と 30 エポック目の差から求める
    (diff5,) = printed(r"エポック  5: V の列どうしの差の最大 ([\d.e+-]+)", outputs)
    (diff30,) = printed(r"エポック 30: V の列どうしの差の最大 ([\d.e+-]+)", outputs)
    rate = (diff30 / diff5) ** (1 / 25)
    assert 1.5 < rate < 3.5, rate
    quoted = re.search(r"5エポック目のあたりから広がり始め、そこから30エポック目までの平均で1エポックごとにおよそ([\d.]+)倍", prose)
    assert quoted, "growth rate sentence missing"
    assert abs(float(quoted.group(1)) - rate) <= 0.06, (quoted.group(1), rate)


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
    assert sig_first < relu_first and 0.9 <= sig_last < relu_last
    gap = round(relu_last * 360) - round(sig_last * 360)
    assert 0 < gap <= 12 and f"その差は360枚のうちの{gap}枚分です" in prose
    # 学習前の勾配: V の勾配はシグモイド関数のほうが小さく、V のノルムとの比でも小さいが、W の勾配は大きい
    grad = {name: [float(v) for v in match] for name, *match in re.findall(
        r"^(relu|sigmoid)\s+学習前の V の勾配のノルム ([\d.]+)\(V のノルムとの比 ([\d.]+)\)、\s+W の勾配のノルム ([\d.]+)", outputs, re.M)}
    assert set(grad) == {"relu", "sigmoid"}, grad
    assert grad["sigmoid"][0] < grad["relu"][0] and grad["sigmoid"][1] < grad["relu"][1]
    assert grad["sigmoid"][2] > grad["relu"][2]
    one_loss, one_test_loss, one_acc = printed(
        r"隠れ層1つ: 重み 7510 個、損失 ([\d.]+)\(テスト ([\d.]+)\)、テストデータの正解率 ([\d.]+)", outputs)
    two_loss, two_test_loss, two_acc = printed(
        r"隠れ層2つ: 重み 12060 個、損失 ([\d.]+)\(テスト ([\d.]+)\)、テストデータの正解率 ([\d.]+)", outputs)
    assert two_acc >= 0.95
    # 本文: 隠れ層2つのほうが学習データの損失もテストデータの損失も低いが、テストデータの正解率の差は数枚分
    assert two_loss < one_loss and two_test_loss < one_test_loss
    assert abs(round(two_acc * 360) - round(one_acc * 360)) <= 6


def test_relu_beats_sigmoid_on_the_test_data_for_every_seed(outputs, prose):
    # 本文: 種を変えた何回の学習でも ReLU のほうが多く正解し、2 つのモデルの正解した枚数の範囲は重ならない
    rows = [tuple(int(v) for v in row) for row in re.findall(
        r"乱数の種 (\d+): 正解したテストデータ ReLU (\d+) 枚、シグモイド関数 (\d+) 枚\(差 (-?\d+) 枚\)", outputs)]
    assert [seed for seed, *_ in rows] == list(range(len(rows))) and len(rows) >= 3, rows
    assert all(relu - sigmoid == gap > 0 for _, relu, sigmoid, gap in rows), rows
    relu, sigmoid, gaps = ([row[k] for row in rows] for k in (1, 2, 3))
    assert min(relu) > max(sigmoid)
    assert f"{len(rows)}回とも、ReLUのほうがシグモイド関数より多く正解し、差は{min(gaps)}〜{max(gaps)}枚でした" in prose
    assert f"ReLUでは{min(relu)}〜{max(relu)}枚、シグモイド関数では{min(sigmoid)}〜{max(sigmoid)}枚" in prose
    # 隠れ層2つとの差、演習の H による差は、この種による幅と同じ程度(本文と演習が引く)
    assert f"正解した枚数は{max(relu) - min(relu)}枚の幅で変わりました" in prose


def test_deep_sigmoid_network_does_not_learn_under_sgd_where_relu_does(outputs, prose):
    rows = dict(
        ((activation, int(depth)), (float(acc), float(loss20), float(train_loss)))
        for activation, depth, acc, loss20, train_loss
        in re.findall(r"^(relu|sigmoid)\s+(\d)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", outputs, re.M)
    )
    assert set(rows) == {("sigmoid", 1), ("sigmoid", 2), ("sigmoid", 3), ("sigmoid", 4), ("relu", 4)}, rows
    assert rows["sigmoid", 1][0] >= 0.9 and rows["relu", 4][0] >= 0.95
    # 本文: 隠れ層が 3 つ以上では、テストデータの正解率は 10 種類からでたらめに答えたときと同じ 1 割ほど
    assert 0.05 < rows["sigmoid", 3][0] < 0.15 and 0.05 < rows["sigmoid", 4][0] < 0.15
    assert abs(rows["sigmoid", 4][2] - math.log(10)) < 0.05  # 損失が log 10 = 2.30 とほとんど変わらない
    # 本文: 隠れ層 3 つでは、20 エポック後も log 10 の近くで、その後はっきり下がり始める
    assert abs(rows["sigmoid", 3][1] - math.log(10)) < 0.05 and rows["sigmoid", 3][2] < rows["sigmoid", 3][1] - 0.05
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


def test_no_single_learning_rate_rescues_the_deep_sigmoid_network(outputs):
    # 本文: 学習率 0.1, 1 では学習が進まず、3 では進み始めるが隠れ層 1 つの正解率に届かず、10 では損失が log 10 を超える
    assert "シグモイド関数、隠れ層 4 つ\n学習率" in outputs  # 見出しの行の下に学習率ごとの行
    rows = {float(alpha): (float(acc), float(train_loss)) for alpha, acc, train_loss in re.findall(
        r"^学習率 +([\d.]+): テストデータの正解率 ([\d.]+)  学習データの損失 ([\d.]+)", outputs, re.M)}
    assert set(rows) == {0.1, 1.0, 3.0, 10.0}, rows
    one_layer = float(re.search(r"^sigmoid\s+1\s+([\d.]+)", outputs, re.M).group(1))  # 隠れ層 1 つの正解率
    assert rows[0.1][0] < 0.15 and rows[1.0][0] < 0.15 and rows[10.0][0] < 0.15
    assert 0.15 < rows[3.0][0] < one_layer
    assert rows[10.0][1] > math.log(10)


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
    rows = re.findall(r"H = +(\d+): 重みの総数 +\d+  学習データの損失 ([\d.]+)\s+テストデータの正解率 [\d.]+\((\d+) 枚\)", outputs)
    assert [int(h) for h, _, _ in rows] == [10, 30, 100, 300], rows
    losses, correct = [float(v) for _, v, _ in rows], [int(c) for _, _, c in rows]
    assert all(a > b for a, b in zip(losses, losses[1:])), losses  # H を大きくすると学習データの損失が下がる
    assert max(correct) - min(correct) <= 8, correct  # 正解した枚数の差は数枚


def test_exercises_have_collapsed_worked_solutions(soup):
    # 5 問あり、どの解答もコードを実行して出力を示す
    check_exercises(soup, "ex-deep-", 5, code_solutions=5)
    assert len(soup.select("article div.exercise")) == 5
