"""dlmath のエラーメッセージ(issue 17): 日本語で、受け取ったものと直し方を書き、その直し方で本当に直る。

issue に挙がった場合(one-hot の代わりのクラス番号、hidden=20、文字列のラベル、発散のメッセージの数の書き方)と、
よくある場合(件数の違い、NaN、形の違う重み、ダミー変数の列の忘れ)のメッセージ全体を確かめます。
"""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from dlmath import DivergenceError, linear, logistic, multiclass, network
from dlmath.descent import gradient_descent
from dlmath.optimizers import SGD
from dlmath.preprocess import add_dummy, one_hot, train_test_split
from dlmath.network import train_network
from dlmath.training import train

SRC = Path(__file__).resolve().parents[1] / "src" / "dlmath"

X = add_dummy(np.array([[0.5, 1.0], [1.5, -1.0], [-0.5, 0.0], [2.0, 1.0]]))  # M = 4, D = 3
LABELS = np.array([0, 2, 1, 2])  # クラス番号(N = 3)
PASSED = np.array(["合格", "不合格", "不合格", "合格"])


def message(call):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    return str(caught.value)


# ---- one-hot の代わりにクラス番号を渡した -----------------------------------------------------------------------

ONE_HOT_FIX = "クラス番号の配列なら one_hot(labels, 3) で変換します(from dlmath.preprocess import one_hot)。"


@pytest.mark.parametrize(
    ("call", "n_from"),
    [
        (lambda yt: multiclass.loss(X, yt, np.zeros((3, 3))), "W"),
        (lambda yt: multiclass.gradient(X, yt, np.zeros((3, 3))), "W"),
        (lambda yt: train(multiclass, X, yt, np.zeros((3, 3)), iters=2), "W"),
        (lambda yt: network.loss(X, yt, network.init_weights(3, [4], 3, 0)), "weights[-1]"),
        (lambda yt: train_network(X, yt, network.init_weights(3, [4], 3, 0), SGD(0.1), 1, 2, 0), "weights[-1]"),
    ],
)
def test_class_labels_where_one_hot_rows_are_needed_point_to_one_hot(call, n_from):
    text = message(lambda: call(LABELS))
    assert text == (f"yt は one-hot の 2 次元配列 (M, N) にしてください(N は {n_from} の列の数で 3 です)。"
                    f"受け取ったのは形 (4,) の整数の配列です。{ONE_HOT_FIX}")
    assert "reshape" not in text  # (M, 1) にしても次のエラーになるだけ
    call(one_hot(LABELS, 3))  # メッセージのとおりにすれば通る


def test_a_column_of_class_labels_points_to_one_hot_of_the_raveled_column():
    column = LABELS.reshape(-1, 1)
    text = message(lambda: multiclass.loss(X, column, np.zeros((3, 3))))
    assert text == ("yt の列の数は、クラスの数 N=3(W の列の数)にしてください。受け取った形は (4, 1) です。"
                    "1 列のクラス番号なら one_hot(labels.ravel(), 3) で変換します(from dlmath.preprocess import one_hot)。")
    multiclass.loss(X, one_hot(column.ravel(), 3), np.zeros((3, 3)))


def test_one_hot_is_not_suggested_for_values_that_are_not_class_numbers():
    text = message(lambda: multiclass.loss(X, np.array([0.2, 0.5, 0.1, 0.9]), np.zeros((3, 3))))
    assert text.endswith("受け取ったのは形 (4,) の配列です。")
    assert "one_hot(labels" not in text


# ---- hidden=20 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", [20, np.int64(20)])
def test_a_single_hidden_size_is_told_to_be_a_list(hidden):
    text = message(lambda: network.init_weights(3, hidden, 3, 0))
    assert text == ("hidden は隠れ層のノードの数のリストにしてください。受け取ったのは int の値 20 です。"
                    "隠れ層が 1 つで 20 個のノードなら、[20] と書きます。") or text == (
        "hidden は隠れ層のノードの数のリストにしてください。受け取ったのは int64 の値 20 です。"
        "隠れ層が 1 つで 20 個のノードなら、[20] と書きます。")
    assert [W.shape for W in network.init_weights(3, [20], 3, 0)] == [(3, 20), (21, 3)]


def test_a_non_integer_hidden_gets_the_general_form():
    text = message(lambda: network.init_weights(3, "20", 3, 0))
    assert text == ("hidden は隠れ層のノードの数のリストにしてください。受け取ったのは str の値 '20' です。"
                    "隠れ層が 1 つで H 個のノードなら、[H] と書きます。")


# ---- 文字列のラベル --------------------------------------------------------------------------------------------

BINARY_FIX = "文字列のラベルなら、labels == '合格' のように 1 にするクラスと比べた配列(True が 1、False が 0)を渡します。"
UNIQUE = "classes, labels = np.unique(labels, return_inverse=True)"


@pytest.mark.parametrize(
    "call",
    [lambda yt: logistic.loss(X, yt, np.zeros(3)), lambda yt: logistic.accuracy(X, yt, np.zeros(3)),
     lambda yt: train(logistic, X, yt, np.zeros(3), iters=2)],
)
def test_string_labels_for_two_classes_are_told_to_compare(call):
    text = message(lambda: call(PASSED))
    assert text == f"yt は実数(数か数の配列)にしてください。受け取ったのは形 (4,) の文字列の配列です。{BINARY_FIX}"
    assert "could not convert" not in text
    call(PASSED == "合格")  # 比べた True/False の配列は 1/0 として通る


def test_string_labels_in_a_list_name_the_list():
    text = message(lambda: logistic.loss(X, PASSED.tolist(), np.zeros(3)))
    assert text == f"yt は実数(数か数の配列)にしてください。受け取ったのは文字列の入った長さ 4 の list です。{BINARY_FIX}"


def test_string_labels_for_several_classes_are_told_to_use_unique_and_one_hot():
    W = np.zeros((3, 2))
    text = message(lambda: multiclass.loss(X, PASSED, W))
    assert text == ("yt は実数(数か数の配列)にしてください。受け取ったのは形 (4,) の文字列の配列です。"
                    f"文字列のラベルなら、{UNIQUE} で 0 から始まるクラス番号にし、"
                    "one_hot(labels, len(classes)) で one-hot にします。")
    classes, labels = np.unique(PASSED, return_inverse=True)  # メッセージのとおりに直す
    multiclass.loss(X, one_hot(labels, len(classes)), W)


@pytest.mark.parametrize("call", [lambda labels: one_hot(labels, 2),
                                  lambda labels: multiclass.confusion_matrix(labels, labels, 2)])
def test_string_class_labels_are_told_to_use_unique(call):
    text = message(lambda: call(PASSED))
    assert text == ("labels は実数(数か数の配列)にしてください。受け取ったのは形 (4,) の文字列の配列です。"
                    f"文字列のラベルなら、{UNIQUE} で 0 から始まるクラス番号にしてから渡してください。")
    call(np.unique(PASSED, return_inverse=True)[1])


def test_train_test_split_with_string_labels_is_told_to_use_unique():
    assert UNIQUE in message(lambda: train_test_split(X, PASSED, 1, 0))


def test_numbers_written_as_text_are_told_to_convert():
    yt = np.array(["1.5", "2", "0", "3"])
    text = message(lambda: linear.loss(X, yt, np.zeros(3)))
    assert text == ("yt は実数(数か数の配列)にしてください。受け取ったのは形 (4,) の文字列の配列です。"
                    "数を表す文字列なら np.asarray(yt, dtype=float) で数にします。")
    linear.loss(X, np.asarray(yt, dtype=float), np.zeros(3))
    assert message(lambda: linear.loss(X, PASSED, np.zeros(3))).endswith("文字列は数に直してから渡してください。")


def test_two_other_numbers_for_two_classes_are_told_to_compare():
    text = message(lambda: logistic.loss(X, np.array([1, 2, 2, 1]), np.zeros(3)))
    assert text == ("yt は 0 と 1 だけの配列(2 つのクラスの番号)にしてください。受け取った値には [2.0] があります。"
                    "2 つの値なら、yt == 2.0 のように比べた配列(True が 1、False が 0)を渡します。")
    assert message(lambda: logistic.loss(X, LABELS, np.zeros(3))).endswith(
        "3 つ以上のクラスの分類には dlmath.multiclass を使います。")


# ---- 発散のメッセージ ------------------------------------------------------------------------------------------

NUMBER = r"[0-9.e+-]+"


def test_divergence_message_writes_numpy_numbers_as_python_numbers():
    yt = np.array([1.0, -40.0, 3.0, 50.0])
    with pytest.raises(DivergenceError) as caught:
        linear.fit(X, yt, np.zeros(3), alpha=np.float64(3.0), iters=50)
    text = str(caught.value)
    assert re.fullmatch(rf"勾配降下法が発散しました。\d+ 回更新した後の損失が、はじめの {NUMBER} から {NUMBER} に増えました"
                        r"\(alpha=3\)。学習率 alpha が大きすぎるので、alpha=0\.3 のように小さくしてください。"
                        r"それでも発散するときは、dlmath\.preprocess\.standardize などで入力の尺度をそろえてください。",
                        text), text
    assert "np.float64" not in text and "float64(" not in text


def test_divergence_message_counts_updates_as_fit_does():
    """「k 回更新した後の損失」は、step を k 回適用した重みでの損失(History.loss[k] と同じ数え方)。"""
    yt, w, alpha = np.array([1.0, -40.0, 3.0, 50.0]), np.zeros(3), 3.0
    with pytest.raises(DivergenceError) as caught:
        linear.fit(X, yt, w, alpha=alpha, iters=50)
    found = re.match(rf"勾配降下法が発散しました。(\d+) 回更新した後の損失が、はじめの ({NUMBER}) から ({NUMBER}) に増えました",
                     str(caught.value))
    assert found, str(caught.value)
    k, first, current = int(found[1]), float(found[2]), float(found[3])
    assert first == pytest.approx(linear.loss(X, yt, w), rel=1e-5)
    for _ in range(k):
        w = linear.step(X, yt, w, alpha)
    assert current == pytest.approx(linear.loss(X, yt, w), rel=1e-5)
    assert current > 1e3 * first  # k 回目で初めてはじめの値の 1000 倍を超えた


def test_network_divergence_message_names_the_optimiser_rate_plainly():
    yt = one_hot(LABELS, 3)
    weights = network.init_weights(3, [4], 3, 0)
    with pytest.raises(DivergenceError) as caught:
        train_network(X, yt, weights, SGD(np.float64(1000.0)), 5, 2, 0)
    text = str(caught.value)
    assert "(alpha=1000)。" in text and "alpha=100 のように小さくしてください。" in text
    assert re.search(r"。\d+ エポック学習した後の損失が、はじめの ", text), text
    assert "np.float64" not in text


def test_divergence_of_a_path_names_the_size_of_w():
    with pytest.raises(DivergenceError) as caught:
        gradient_descent(lambda w: 2 * w, np.array([1.0, 2.0]), np.float64(3.0), 2000)
    # 入力データのない関数の勾配降下法なので、入力の尺度の助言はない
    assert re.fullmatch(r"勾配降下法が発散しました。\d+ 回更新した後の w の大きさが、はじめの 2\.23607 から inf に増えました"
                        r"\(alpha=3\)。学習率 alpha が大きすぎるので、alpha=0\.3 のように小さくしてください。",
                        str(caught.value))


# ---- よくある間違い ----------------------------------------------------------------------------------------------


def test_different_numbers_of_samples():
    assert message(lambda: linear.loss(X, np.zeros(3), np.zeros(3))) == (
        "x と yt の行の数(サンプルの件数 M)をそろえてください。受け取ったのは x (4, 3) と yt (3,) です。")


def test_nan_is_counted_and_located():
    yt = np.array([1.0, np.nan, 0.0, np.inf])
    assert message(lambda: linear.loss(X, yt, np.zeros(3))) == (
        "yt に NaN か inf が 2 個あります(最初は yt[1])。取り除くか、ほかの値で埋めてから渡してください。")


def test_column_weights_are_told_to_ravel():
    assert message(lambda: linear.loss(X, np.zeros(4), np.zeros((3, 1)))) == (
        "w は 1 次元の配列にしてください。受け取ったのは形 (3, 1) の 2 次元の配列です。"
        "w.ravel() で 1 次元にするか、はじめから形 (D,) で作ってください。")


def test_a_forgotten_dummy_column_is_named_only_when_it_is_the_cause():
    assert message(lambda: linear.loss(X[:, 1:], np.zeros(4), np.zeros(3))) == (
        "w の要素の数は、x の列の数 D=2 と同じにしてください(x の形は (4, 2))。受け取った w の形は (3,) です。"
        "x にダミー変数の列がないようです。add_dummy(x) で先頭に 1 の列を加えてください。")
    other = message(lambda: linear.loss(X, np.zeros(4), np.zeros(5)))
    assert "add_dummy" not in other and other.endswith("x の列の数 D はダミー変数の列を含めて数えます。")
    # x にはもうダミー変数の列(1 の列)があり、w が 1 つ多いだけ: add_dummy を勧めると 2 つ目の誤りになる
    extra = message(lambda: linear.loss(X, np.zeros(4), np.zeros(4)))
    assert "add_dummy" not in extra and extra.endswith("x の列の数 D はダミー変数の列を含めて数えます。"), extra
    hidden = message(lambda: network.loss(X, np.eye(3)[[0, 1, 2, 0]], [np.zeros((4, 5)), np.zeros((6, 3))]))
    assert "add_dummy" not in hidden, hidden


def test_a_single_feature_vector_is_told_to_become_a_column():
    assert message(lambda: add_dummy(np.arange(4.0))) == (
        "x は 2 次元の配列にしてください。受け取ったのは形 (4,) の 1 次元の配列です。"
        "特徴量が 1 つなら、x.reshape(-1, 1) か data[:, 0:1] で形 (M, 1) にします。")


# ---- どのメッセージも日本語 --------------------------------------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(must|got|should|expected|cannot|use|the|an|is|are|of|with|or)\b")


def _message_parts(node):
    """例外の呼び出しの最初の引数の、文字列の部分(f 文字列の {…} の外)。"""
    if not node.args:
        return []
    first = node.args[0]
    parts = [first] if isinstance(first, ast.Constant) else list(ast.walk(first))
    return [part.value for part in parts if isinstance(part, ast.Constant) and isinstance(part.value, str)]


def test_every_error_message_in_the_package_is_japanese():
    checked = 0
    for path in sorted(SRC.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Call))):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            if name not in ("ValueError", "TypeError", "DivergenceError", "type(error)"):
                continue
            text = "".join(_message_parts(node))
            where = f"{path.name}:{node.lineno}"
            if name == "type(error)":  # check_pair: 日本語のメッセージの前に、どの組かを書き添えるだけ
                assert text == "=(x_, yt_): ", where
                continue
            assert JAPANESE.search(text), f"{where}: not Japanese: {text!r}"
            assert not ENGLISH.search(text), f"{where}: English words left: {text!r}"
            checked += 1
    assert checked >= 50  # 約 60 の送出箇所(メッセージを組み立てる補助の関数を含む)


@pytest.mark.parametrize(
    "call",
    [
        lambda: multiclass.loss(X, LABELS, np.zeros((3, 3))),
        lambda: network.init_weights(3, 20, 3, 0),
        lambda: logistic.loss(X, PASSED, np.zeros(3)),
        lambda: linear.loss(X, np.zeros(3), np.zeros(3)),
        lambda: linear.fit(X, np.zeros(4), np.zeros(3), alpha=-1.0),
        lambda: network.forward(X, network.init_weights(3, [4], 3, 0), activation="tanh"),
        lambda: SGD(0.1).update([np.ones((2, 2))], [np.ones((1, 2))]),
        lambda: train(linear, X, np.zeros(4), np.zeros(3)),
    ],
)
def test_messages_are_sentences_in_the_book_style(call):
    text = message(call)
    assert text.endswith("。") and JAPANESE.search(text)
    assert "、" in text or "。" in text[:-1]  # 全角の句読点で文を区切る
    assert not re.search(r"[,;:] ?[\u3040-\u30ff\u4e00-\u9fff]", text)  # 英文の区切り(「; use」など)が残っていない
