"""読者が変えて試す値(パラメーター)は、ページで 1 度だけ決め、後のセルはすべてそれを使う(第3章と第7章)。

1. ビルドしたノートブック(_build/html/_notebooks/、_ext/notebooks.py)を読み、各パラメーターへの代入がコードのセル全体で
   ちょうど 1 つであることを確かめます(2 か所で決めると、片方だけ変えた読者の結果が食い違う)。
2. パラメーターの値を変えたノートブックを、dlmath と宣言した依存だけの環境(tools/compat.py の declared)の新しい
   カーネルで、空の一時ディレクトリを作業ディレクトリにして最後まで実行し、どのセルもエラーにならず、stderr にも
   何も出ないことを確かめます(非推奨の警告はエラーにします: compat.STRICT_WARNINGS)。
3. 値から決まる出力が新しい値に従って変わったことを、このテストの中で dlmath を直接呼んで求めた値と比べます。
   セルのどこかに元の値が数字のまま残っていれば、その出力が食い違って失敗します。
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
import time

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from conftest import HTML, ROOT

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
import compat  # noqa: E402  (tools/compat.py: 読者の環境に近い venv でノートブックを実行する)
import notebooks  # noqa: E402  (_ext/notebooks.py: ビルドしたノートブックの場所)
from dlmath.data import load_digits, load_height_weight  # noqa: E402
from dlmath.linear import fit, loss, step  # noqa: E402
from dlmath.network import count_weights, gradient, init_weights  # noqa: E402
from dlmath.optimizers import SGD  # noqa: E402
from dlmath.preprocess import add_dummy, center, one_hot, train_test_split  # noqa: E402
from dlmath.network import minibatches, train_network  # noqa: E402

LINEAR, DEEP = "book/linear-regression", "book/deep-learning"

# ページで決めるパラメーターの名前
PARAMETERS = {
    LINEAR: ["alpha", "iters", "w"],
    DEEP: ["H", "SEED", "EPOCHS", "BATCH_SIZE", "ALPHA", "H_DEEP"],
}

# 変えた値: (ページの行に合う正規表現, 置き換える行の先頭)。どれもコードのセル全体でちょうど 1 行に合うこと
CHANGES = {
    LINEAR: [
        (r"^alpha = 0\.01\b", "alpha = 0.05"),
        (r"^iters = 200\b", "iters = 150"),
        (r"^w = np\.array\(\[2\.0, -1\.0\]\)", "w = np.array([1.0, 0.5])"),
    ],
    DEEP: [
        (r"^H = 100\b", "H = 20"),
        (r"^SEED = 0\b", "SEED = 1"),
        (r"^EPOCHS, BATCH_SIZE, ALPHA = 30, 32, 0\.1\b", "EPOCHS, BATCH_SIZE, ALPHA = 25, 50, 0.05"),
        (r"^H_DEEP = 50\b", "H_DEEP = 30"),
    ],
}
# 繰り返し回数だけを、ページが途中の損失を表示する回数(100 回など)より少なくする(第3章)
FEW_ITERS, ITERS_FEW = [(r"^iters = 200\b", "iters = 30")], 30
# 上の変更後の値(期待値の計算に使う)
ALPHA3, ITERS3, W3 = 0.05, 150, np.array([1.0, 0.5])
H7, SEED7, EPOCHS7, BATCH7, ALPHA7, H_DEEP7 = 20, 1, 25, 50, 0.05, 30


def built(docname: str) -> nbformat.NotebookNode:
    return notebooks.built_notebook(docname, HTML)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def bound_names(source: str) -> list[str]:
    """セルのコードで代入される名前(タプルへの代入、for の変数も含む。関数の引数は含まない)。"""
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    return [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)]


@pytest.mark.parametrize("docname", PARAMETERS)
def test_each_parameter_is_assigned_exactly_once(docname, site):
    names = [name for cell in code_cells(built(docname)) for name in bound_names(cell.source)]
    for parameter in PARAMETERS[docname]:
        assert names.count(parameter) == 1, (
            f"{docname}: {parameter} への代入が {names.count(parameter)} か所あります(1 か所で決め、後はそれを使う)"
        )


def changed_notebook(docname: str, changes: list[tuple[str, str]]) -> nbformat.NotebookNode:
    notebook = built(docname)
    for pattern, replacement in changes:
        hits = [cell for cell in code_cells(notebook) if re.search(pattern, cell.source, re.M)]
        assert len(hits) == 1, f"{docname}: {pattern!r} に合う行のあるセルが {len(hits)} 個あります"
        hits[0].source = re.sub(pattern, replacement, hits[0].source, count=1, flags=re.M)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(compat.STRICT_WARNINGS))
    return notebook


@pytest.fixture(scope="module")
def declared_kernel():
    """dlmath と宣言した依存だけの環境のカーネル(make compat-env / make test が作る)。"""
    if not (compat.COMPAT / "declared" / "bin" / "python").exists():
        pytest.fail("_build/compat/declared がありません。make compat-env(または make test)で作ります。")
    compat.use_kernel("declared")
    return "dlmath-declared"


_runs: dict[tuple, tuple[nbformat.NotebookNode, float]] = {}


def executed(docname: str, kernel: str, changes: list[tuple[str, str]] | None = None) -> nbformat.NotebookNode:
    """値を変えたノートブックを 1 度だけ実行して返す(同じモジュールのテストで共有する)。
    changes を省くと CHANGES[docname] のすべての値を変える。"""
    changes = CHANGES[docname] if changes is None else changes
    key = (docname, tuple(changes))
    if key not in _runs:
        notebook = changed_notebook(docname, changes)
        with tempfile.TemporaryDirectory() as workdir:
            client = NotebookClient(notebook, timeout=900, kernel_name=kernel, allow_errors=True,
                                    resources={"metadata": {"path": workdir}})
            start = time.perf_counter()
            client.execute()
            _runs[key] = notebook, time.perf_counter() - start
    return _runs[key][0]


def stdout(notebook) -> str:
    """すべてのセルの表示(print の出力と、セルの最後の式の値)をつなげたもの。"""
    parts = []
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                parts.append(output.text)
            elif output.output_type == "execute_result":
                parts.append(output.data.get("text/plain", "") + "\n")
    return "".join(parts)


def problems(notebook) -> list[str]:
    """セルのエラーと stderr の出力。"""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"セル {index}: {output.ename}: {output.evalue}\n{cell.source}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"セル {index} の stderr: {output.text.strip()[:300]}")
    return found


@pytest.mark.parametrize("docname", PARAMETERS)
def test_notebook_with_changed_parameters_runs_without_errors(docname, declared_kernel):
    notebook = executed(docname, declared_kernel)
    assert not notebook.cells[0].get("outputs"), "インストールのセルが動きました(dlmath が import できない)"
    assert not problems(notebook), "\n\n".join(problems(notebook))
    print(f"{docname}: {_runs[(docname, tuple(CHANGES[docname]))][1]:.1f} 秒")


# ---- 第3章: 学習率 alpha、繰り返し回数 iters、重みの初期値 w ---------------------------------------


def linear_data():
    data = load_height_weight()
    centered, _ = center(data)
    return data, add_dummy(centered[:, 0:1]), centered[:, 1]


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d*)?(?:e[+-]?\d+)?", text)])


def test_linear_regression_outputs_follow_alpha_iters_and_w(declared_kernel):
    out = stdout(executed(LINEAR, declared_kernel))
    data, x, yt = linear_data()

    # 1 回の更新(step)の結果: 表示は array([w0, w1])
    expected_step = step(x, yt, W3, ALPHA3)
    arrays = [numbers(m) for m in re.findall(r"^array\(\[[^\]]*\]\)$", out, re.M)]
    assert any(a.shape == (2,) and np.allclose(a, expected_step, rtol=1e-6) for a in arrays), arrays

    # 学習の経過の表(講演の書式): はじめの 5 行と最後の 5 行が、変えた値での fit と同じ
    w_final, history = fit(x, yt, W3, alpha=ALPHA3, iters=ITERS3)
    table = history.table(head=5, tail=5)
    assert table in out, f"学習の経過の表が alpha={ALPHA3}, iters={ITERS3}, w={W3} の fit と違います:\n{out}"
    assert f"iter = {ITERS3 - 1} L =" in table and "iter = 0 L =" in table
    # 講演の 3 行のループも同じ値を使い、fit と同じ重みになる
    loop = re.search(r"^3 行のループ: \[(.*)\]$", out, re.M)
    assert loop, out
    np.testing.assert_allclose(numbers(loop.group(1)), w_final, rtol=1e-6)

    # センタリングしたデータでの倍率 1 - alpha と 1 - alpha s
    s = np.mean(x[:, 1] ** 2)
    rate_w0, rate_w1 = 1 - ALPHA3, 1 - ALPHA3 * s
    assert f"w0 が 1 回で何倍になるか: {rate_w0:.4f}、{ITERS3} 回で {rate_w0 ** ITERS3:.3e}" in out
    assert f"w1 と答えの差が 1 回で何倍になるか: {rate_w1:.4f}、{ITERS3} 回で {rate_w1 ** ITERS3:.3e}" in out
    formula = W3[0] * rate_w0 ** ITERS3
    assert f"式から求めた w0 = {W3[0]:g} × {rate_w0:g}^{ITERS3} = {formula:.6f}" in out
    assert f"{formula:.6f}" == f"{w_final[0]:.6f}"  # 式と学習が表示した桁まで一致する

    # センタリングしないデータ: 上限の少し手前の学習率で iters 回
    x_orig, yt_orig = add_dummy(data[:, 0:1]), data[:, 1]
    alpha_raw = 1.9 / np.mean(x_orig[:, 1] ** 2)
    w_raw, history_raw = fit(x_orig, yt_orig, W3, alpha=alpha_raw, iters=ITERS3)
    raw = re.search(rf"^学習率 {alpha_raw:.2e} で {ITERS3} 回更新した重み: \[(.*)\]$", out, re.M)
    assert raw, out
    np.testing.assert_allclose(numbers(raw.group(1)), w_raw, rtol=1e-6)
    assert f"{ITERS3:3d} 回更新した後の損失: {loss(x_orig, yt_orig, w_raw):.4f}" in out
    assert f"  0 回更新した後の損失: {history_raw.loss[0]:.4f}" in out  # 初期値 w での損失

    # 演習問題(学習率 0.1 はわざと本文と違う値): 繰り返し回数と初期値は本文のもの
    _, history_fast = fit(x, yt, W3, alpha=0.1, iters=ITERS3)
    assert history_fast.table(head=3, tail=2) in out
    assert f"式から求めた w0 = {W3[0] * 0.9 ** ITERS3}" in out


def test_linear_regression_runs_with_fewer_iterations_than_its_checkpoints(declared_kernel):
    """iters をページが途中の損失を表示する回数(50 回、100 回)より少なくしても最後まで動き、
    センタリングしないデータの損失は iters 回までの回数と iters 回で表示する。"""
    notebook = executed(LINEAR, declared_kernel, FEW_ITERS)
    assert not problems(notebook), "\n\n".join(problems(notebook))
    out = stdout(notebook)
    data, _, _ = linear_data()
    x_orig, yt_orig = add_dummy(data[:, 0:1]), data[:, 1]
    alpha_raw = 1.9 / np.mean(x_orig[:, 1] ** 2)
    w_raw, history_raw = fit(x_orig, yt_orig, np.array([2.0, -1.0]), alpha=alpha_raw, iters=ITERS_FEW)
    losses = np.append(history_raw.loss, loss(x_orig, yt_orig, w_raw))
    printed = re.findall(r"^ *(\d+) 回更新した後の損失: ([\d.]+)$", out, re.M)
    assert [int(k) for k, _ in printed] == [0, 10, ITERS_FEW], printed
    np.testing.assert_allclose([float(v) for _, v in printed], losses[[0, 10, ITERS_FEW]], atol=1e-4)


# ---- 第7章: 隠れ層のノードの数 H、H_DEEP、乱数の種 SEED、EPOCHS、BATCH_SIZE、ALPHA -----------------


@pytest.fixture(scope="module")
def digits():
    x_raw, labels = load_digits()
    x = add_dummy(x_raw / 16)
    yt = one_hot(labels, 10)
    return train_test_split(x, yt, test_size=360, seed=0)  # x_train, x_test, yt_train, yt_test


def train(digits, hidden, activation="relu", method="he", seed=SEED7, alpha=ALPHA7):
    """ページの train_digits と同じ学習を、変えた値で(ページのセルを使わずに)。記録を返す。"""
    x_train, x_test, yt_train, yt_test = digits
    rng = np.random.default_rng(seed)
    weights = init_weights(x_train.shape[1], hidden, 10, rng, method=method)
    return train_network(x_train, yt_train, weights, SGD(alpha=alpha), epochs=EPOCHS7, batch_size=BATCH7,
                         rng=rng, activation=activation, test=(x_test, yt_test))[1]


def epoch_rows(out: str) -> dict[int, np.ndarray]:
    """train_digits([H]) の経過の表示「エポック e: 損失 … 正解率 …(テスト 損失 … 正解率 …)」。"""
    rows = re.findall(r"^エポック +(\d+): 損失 ([\d.]+)  正解率 ([\d.]+)\(テスト 損失 ([\d.]+)  正解率 ([\d.]+)\)$", out, re.M)
    return {int(e): np.array([float(v) for v in values]) for e, *values in rows}


def test_deep_learning_outputs_follow_h_seed_and_the_training_settings(declared_kernel, digits):
    out = stdout(executed(DEEP, declared_kernel))
    x_train, x_test, yt_train, yt_test = digits
    M, D = x_train.shape
    N = 10

    # 隠れ層 1 つのネットワークの形と重みの数: V は (D, H)、W は (H + 1, N)
    start = init_weights(D, [H7], N, np.random.default_rng(SEED7))
    n_weights = D * H7 + (H7 + 1) * N
    assert count_weights(start) == n_weights
    assert f"V: ({D}, {H7})  W: ({H7 + 1}, {N})  重みの総数: {n_weights}" in out, out[:3000]
    assert f"A: ({M}, {H7})  Z: ({M}, {H7 + 1})  U: ({M}, {N})" in out

    # 掛け算の回数(式の数え方のとおり)
    forward_mults = M * D * H7 + M * (H7 + 1) * N
    backward_mults = (H7 + 1) * M * N + M * N * H7 + D * M * H7
    assert f"順伝播の掛け算: {forward_mults:,} 回" in out
    assert f"逆伝播の掛け算: {backward_mults:,} 回" in out
    assert f"数値微分に要る順伝播: {2 * n_weights:,} 回" in out

    # ミニバッチの例: 乱数の種 SEED で 10 件を 4 件ずつ
    rng = np.random.default_rng(SEED7)
    for epoch in range(2):
        assert f"エポック {epoch}: {[b.tolist() for b in minibatches(10, 4, rng)]}" in out

    # train_digits([H]) の学習の経過: H、SEED、ALPHA、EPOCHS、BATCH_SIZE のすべてで決まる
    history = train(digits, [H7])
    rows = epoch_rows(out)
    assert sorted(rows) == [1, 2, 5, 10, 20, EPOCHS7], f"表示したエポックが違います: {sorted(rows)}"
    for epoch, printed in rows.items():
        i = epoch - 1
        expected = [history.loss[i], history.accuracy[i], history.test_loss[i], history.test_accuracy[i]]
        np.testing.assert_allclose(printed, expected, atol=1.5e-4, err_msg=f"エポック {epoch} の表示")

    # 重みをすべて同じ値で始めた学習: 乱数の種も train_digits と同じ
    equal = init_weights(D, [H7], N, np.random.default_rng(SEED7), method="equal")
    _, history_equal = train_network(x_train, yt_train, equal, SGD(alpha=ALPHA7), epochs=EPOCHS7,
                                     batch_size=BATCH7, rng=np.random.default_rng(SEED7), test=(x_test, yt_test))
    last_equal = re.search(rf"^エポック {EPOCHS7:2d}: V の列どうしの差の最大 \S+  テストデータの正解率 ([\d.]+)$", out, re.M)
    assert last_equal, out
    assert float(last_equal.group(1)) == pytest.approx(history_equal.test_accuracy[-1], abs=1.5e-4)

    # 学習前の勾配(隠れ層 5 つ、どれも H_DEEP ノード)
    for activation, method in (("relu", "he"), ("sigmoid", "xavier"), ("sigmoid", "he")):
        deep = init_weights(D, [H_DEEP7] * 5, N, np.random.default_rng(SEED7), method=method)
        norms = "  ".join(f"{np.linalg.norm(g):.1e}" for g in gradient(x_train, yt_train, deep, activation))
        assert f"{activation:8s}{method:7s} {norms}" in out, f"{activation}, {method}: {norms}"

    # 乱数の種を変えた比較: 種 SEED の行は train_digits([H]) そのもの、種 0 の行は種 0 での学習
    relu_correct = {seed: round(float(train(digits, [H7], seed=seed).test_accuracy[-1]) * len(x_test))
                    for seed in {0, SEED7}}
    relu_correct[SEED7] = round(float(history.test_accuracy[-1]) * len(x_test))
    for seed, correct in relu_correct.items():
        assert f"乱数の種 {seed}: 正解したテストデータ ReLU {correct} 枚" in out

    # 学習前の V の勾配(隠れ層 1 つ、train_digits と同じ初期値)
    for activation, method in (("relu", "he"), ("sigmoid", "xavier")):
        start = init_weights(D, [H7], N, np.random.default_rng(SEED7), method=method)
        grad_V = np.linalg.norm(gradient(x_train, yt_train, start, activation)[0])
        assert f"{activation:8s} 学習前の V の勾配のノルム {grad_V:.4f}" in out

    # 隠れ層 4 つ(どれも H_DEEP ノード)のシグモイド関数のネットワーク: 深さの表と、学習率を変えた表
    assert f"テストデータの正解率(1 エポック目 → {EPOCHS7} エポック目)" in out
    assert f"学習データの損失(20、{EPOCHS7} エポック後)" in out
    for alpha in (ALPHA7, 3.0):  # 3.0 はページがわざと変えて試す学習率の 1 つ
        deep4 = train(digits, [H_DEEP7] * 4, "sigmoid", "xavier", alpha=alpha)
        row = re.search(rf"^学習率 +{alpha:g}: テストデータの正解率 ([\d.]+)  学習データの損失 ([\d.]+)$", out, re.M)
        assert row, f"学習率を変えた比較の表に学習率 {alpha:g} の行がありません"
        np.testing.assert_allclose([float(v) for v in row.groups()], [deep4.test_accuracy[-1], deep4.loss[-1]],
                                   atol=1.5e-4, err_msg=f"学習率 {alpha:g}")
        if alpha == ALPHA7:
            depth4 = re.search(r"^sigmoid +4 +([\d.]+) +([\d.]+) +([\d.]+)$", out, re.M)
            assert depth4, out
            np.testing.assert_allclose([float(v) for v in depth4.groups()],
                                       [deep4.test_accuracy[-1], deep4.loss[19], deep4.loss[-1]], atol=1.5e-4)

    # 隠れ層 2 つ(H と H_DEEP)の重みの数
    two = count_weights(init_weights(D, [H7, H_DEEP7], N, np.random.default_rng(SEED7)))
    assert two == D * H7 + (H7 + 1) * H_DEEP7 + (H_DEEP7 + 1) * N
    assert f"隠れ層1つ: 重み {n_weights} 個" in out
    assert f"隠れ層2つ: 重み {two} 個" in out
