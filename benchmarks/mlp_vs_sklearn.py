"""dlmath のニューラルネットワークと scikit-learn の MLPClassifier を、同じ問題・同じ設定で学習して比べます。

    .venv/bin/python benchmarks/mlp_vs_sklearn.py               # make bench-mlp
    .venv/bin/python benchmarks/mlp_vs_sklearn.py --markdown    # 表を Markdown で
    .venv/bin/python benchmarks/mlp_vs_sklearn.py --seeds 10 --epochs 100 --batch-size 32

データは手書き数字(dlmath.data.load_digits、画素 / 16)を dlmath.preprocess.train_test_split で
一度だけ分けたもの。どちらも隠れ層 1 つ・ReLU・出力はソフトマックスと交差エントロピー・Adam で、
学習率・β1・β2・ε・ミニバッチの大きさ・エポック数をそろえ、エポックごとに学習データを混ぜ直します。
種ごとに 1 回ずつ学習し、テストデータでの正解率と学習の時間の平均 ± 標準偏差を表にします。

そろえられないところ(結果の差はこれらと乱数の違いによるもの):
- 重みの初期値: dlmath は He の初期値(正規乱数、切片 0)、scikit-learn は Glorot の一様乱数(切片も乱数)。
- Adam の ε: scikit-learn は α√(1-β2^t)/(1-β1^t) · m / (√s + ε)、dlmath は α m̂ / (√ŝ + ε)。
  scikit-learn の更新は dlmath の ε を ε / √(1-β2^t) にしたものと同じで、ε が √ŝ より十分小さければほぼ同じです。
- L2 正則化: scikit-learn の alpha は、ミニバッチごとに勾配へ alpha W / (ミニバッチの件数) を足します。
  dlmath の lam は lam W を足すので、lam = alpha / batch_size で端数のミニバッチ以外は同じになります。
  ここでは簡単のため、どちらも正則化なし(alpha = lam = 0)です。
- 1 エポックの終わりに、dlmath の train_network は学習データ全体で損失と正解率を計算して記録し、
  scikit-learn はミニバッチの損失の平均を記録します(どちらも学習の時間に含みます)。

学習の時間は、重みの初期化から学習の終わりまで(dlmath: init_weights と train_network、scikit-learn: fit)の
壁時計の時間と、このプロセスの CPU 時間です。データの読み込み・分割・one-hot 化は含みません。
どちらも行列の積は同じ NumPy の BLAS(OpenBLAS)で計算します。行列が小さいので、既定では BLAS を 1 スレッドに
します(threadpoolctl。--blas-threads 0 で BLAS の既定のまま)。複数のスレッドにすると、ほかの処理が CPU を
使っているときに、全データでの行列の積が 10 倍ほど遅くなることがあり、時間がばらつきます。
メモリは、時間とは別に 1 回学習し直して tracemalloc で測った、学習中に確保されていた量のピーク
(NumPy の配列を含む Python のヒープ。学習の前から持っているデータは含みません)です。
tracemalloc を動かすと遅くなるので、時間を測る学習では止めています。
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
import unicodedata
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from dlmath import network
from dlmath.data import load_digits
from dlmath.optimizers import Adam
from dlmath.preprocess import add_dummy, one_hot, train_test_split
from dlmath.network import train_network

N = 10  # 数字 0 から 9


def load(test_size: int, split_seed: int) -> dict:
    """手書き数字を学習データとテストデータに分け、両方のライブラリの形にして返す。"""
    pixels, labels = load_digits()
    x_train, x_test, labels_train, labels_test = train_test_split(pixels / 16, labels, test_size, split_seed)
    labels_train, labels_test = labels_train.astype(int), labels_test.astype(int)
    return {
        "x_train": x_train, "x_test": x_test, "labels_train": labels_train, "labels_test": labels_test,
        "xd_train": add_dummy(x_train), "xd_test": add_dummy(x_test),  # dlmath はダミー変数の列付き
        "yt_train": one_hot(labels_train, N), "yt_test": one_hot(labels_test, N),
    }


class Stopwatch:
    """with の中の壁時計の時間 wall と、このプロセスの CPU 時間 cpu(秒)を測る。"""

    def __enter__(self) -> Stopwatch:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def fit_dlmath(data: dict, settings: dict, seed: int) -> tuple[float, Stopwatch]:
    """dlmath で学習し、(テストデータでの正解率, 学習の時間) を返す。"""
    with Stopwatch() as watch:
        rng = np.random.default_rng(seed)
        weights = network.init_weights(data["xd_train"].shape[1], [settings["hidden"]], N, rng)
        optimizer = Adam(settings["alpha"], settings["beta1"], settings["beta2"], settings["eps"])
        weights, _ = train_network(data["xd_train"], data["yt_train"], weights, optimizer, settings["epochs"],
                                   settings["batch_size"], rng, activation="relu")
    return network.accuracy(data["xd_test"], data["yt_test"], weights), watch


def fit_sklearn(data: dict, settings: dict, seed: int) -> tuple[float, Stopwatch]:
    """scikit-learn で学習し、(テストデータでの正解率, 学習の時間) を返す。"""
    model = MLPClassifier(
        hidden_layer_sizes=(settings["hidden"],), activation="relu", solver="adam", alpha=0.0,
        batch_size=settings["batch_size"], learning_rate_init=settings["alpha"], max_iter=settings["epochs"],
        beta_1=settings["beta1"], beta_2=settings["beta2"], epsilon=settings["eps"], shuffle=True, random_state=seed,
        # 学習データの損失が tol 以上下がらないエポックが n_iter_no_change 回を超えると止まる。
        # 超えることのない回数にして、かならず max_iter エポック学習する
        early_stopping=False, tol=0.0, n_iter_no_change=settings["epochs"],
    )
    with Stopwatch() as watch, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter に達したという警告(ここでは予定どおり)
        model.fit(data["x_train"], data["labels_train"])
    if model.n_iter_ != settings["epochs"]:
        raise RuntimeError(f"MLPClassifier stopped after {model.n_iter_} epochs, expected {settings['epochs']}")
    return model.score(data["x_test"], data["labels_test"]), watch


FITS = {"dlmath": fit_dlmath, "scikit-learn": fit_sklearn}


def peak_memory(fit, data: dict, settings: dict, seed: int) -> int:
    """fit で 1 回学習するあいだに tracemalloc が数えた確保量のピーク(バイト)。"""
    tracemalloc.start()
    try:
        fit(data, settings, seed)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def mean_sd(values: list[float], digits: int) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"


def width(text: str) -> int:
    """端末での幅(全角の文字は 2)。"""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]], markdown: bool) -> str:
    """文字列の表。1 行目が見出し。markdown でなければ空白で列をそろえる(数の列は右寄せ)。"""
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|---|" + "|".join("--:" for _ in rows[0][1:]) + "|")
        return "\n".join(lines)
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(" " * (w - width(cell)) + cell if i else cell + " " * (w - width(cell))
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="学習する回数(種 0, 1, ...)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=100, help="隠れ層のノードの数 H")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=0.001, help="Adam の学習率")
    parser.add_argument("--test-size", type=int, default=360, help="テストデータの件数")
    parser.add_argument("--split-seed", type=int, default=0, help="学習データとテストデータの分け方の種")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS のスレッド数(0 なら BLAS の既定のまま)")
    parser.add_argument("--markdown", action="store_true", help="表を Markdown で書く")
    args = parser.parse_args()
    settings = {"hidden": args.hidden, "epochs": args.epochs, "batch_size": args.batch_size, "alpha": args.alpha,
                "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    data = load(args.test_size, args.split_seed)
    seeds = range(args.seeds)

    with threadpool_limits(limits=args.blas_threads or None, user_api="blas"):
        blas = "、".join(f"{info['internal_api']} {info['version']}({info['num_threads']} スレッド)"
                         for info in threadpool_info() if info["user_api"] == "blas")
        for fit in FITS.values():  # 1 回目だけ遅いぶん(import や BLAS の準備)を測らないように、短く 1 回ずつ
            fit(data, {**settings, "epochs": 1}, 0)
        results = {name: {"accuracy": [], "wall": [], "cpu": []} for name in FITS}
        for seed in seeds:
            for name, fit in FITS.items():  # 種ごとに交互に学習して、機械の状態の変化を両方に均等にかける
                accuracy, watch = fit(data, settings, seed)
                for key, value in (("accuracy", accuracy), ("wall", watch.wall), ("cpu", watch.cpu)):
                    results[name][key].append(value)
                print(f"  種 {seed} {name}: 正解率 {accuracy:.4f}、{watch.wall:.3f} 秒(CPU {watch.cpu:.3f} 秒)",
                      file=sys.stderr)
        memory = {name: peak_memory(fit, data, settings, 0) for name, fit in FITS.items()}

    mean = {name: {key: statistics.mean(values) for key, values in result.items()} for name, result in results.items()}
    rows = [["", "テストデータの正解率", "学習の時間 (秒)", "時間の比", "CPU 時間 (秒)", "CPU 時間の比",
             "メモリのピーク (MB)"]]
    for name, result in results.items():
        rows.append([name, mean_sd(result["accuracy"], 4),
                     mean_sd(result["wall"], 3), f"{mean[name]['wall'] / mean['scikit-learn']['wall']:.2f}",
                     mean_sd(result["cpu"], 3), f"{mean[name]['cpu'] / mean['scikit-learn']['cpu']:.2f}",
                     f"{memory[name] / 2**20:.1f}"])
    M, pixels = data["x_train"].shape
    print(f"## dlmath と scikit-learn の MLPClassifier(種 {args.seeds} 個の平均 ± 標準偏差)\n")
    print(table(rows, args.markdown))
    print()
    paired = [d / s for d, s in zip(results["dlmath"]["wall"], results["scikit-learn"]["wall"])]
    print(f"- 同じ種で続けて学習した 2 つの時間の比 dlmath / scikit-learn: 中央値 {statistics.median(paired):.2f}、"
          f"最小 {min(paired):.2f}、最大 {max(paired):.2f}")
    print(f"- データ: 手書き数字({pixels} 画素 / 16)、学習 {M} 件・テスト {args.test_size} 件"
          f"(dlmath.preprocess.train_test_split、種 {args.split_seed})")
    print(f"- ネットワーク: 隠れ層 1 つ(H = {args.hidden})、ReLU、出力はソフトマックスと交差エントロピー、"
          "正則化なし(lam = 0、alpha = 0)")
    print(f"- 学習: Adam(学習率 {args.alpha}、β1 = 0.9、β2 = 0.999、ε = 1e-8)、ミニバッチ {args.batch_size} 件、"
          f"エポックごとに混ぜ直す、{args.epochs} エポック(早期終了なし)、種 {', '.join(map(str, seeds))}")
    print("- 時間: 重みの初期化から学習の終わりまで(データの準備と正解率の計算は含まない)。"
          "比は dlmath / scikit-learn の平均どうし")
    print("- メモリ: 種 0 でもう 1 回学習し、tracemalloc で測った確保量のピーク(NumPy の配列を含む。"
          "学習の前からあるデータは含まない)")
    print(f"- 機械: {cpu_name()}、CPU {os.cpu_count()} 個、Python {platform.python_version()}、"
          f"NumPy {np.__version__}、scikit-learn {sklearn.__version__}、BLAS {blas}")


if __name__ == "__main__":
    main()
