"""入力検査の小さな共通部品。公開関数は入口でここを一度だけ通します(検査はどれもここだけにあります)。

約束(dlmath の公開関数すべて: モジュールから import できる ``_`` で始まらない関数・クラスと、
公開クラスの公開メソッド。最適化手法の ``update`` や ``History.line`` も含みます):

- 正しい有限の結果を返すか、``ValueError``(値や形が違う)か ``TypeError``(型が違う)を送出します。
  メッセージは日本語(です・ます調、全角の「、」「。」)で、引数の名前、受け取ったもの(数は Python の数として、
  配列は配列全体ではなく形で)、期待するものと、わかるときは直し方を書きます。引数の名前・形・dtype・コードは
  半角のままコードの形で書きます(「yt は one-hot の 2 次元配列 (M, N) にしてください。」「one_hot(labels, N)」)。
- 暗黙のブロードキャストはしません。複素数は実部だけを取り出さずに拒否します。bool は数の代わりになりません
  (配列の中の True/False は 1/0 として受け付けます)。
- リストやオブジェクトの配列は一度だけ検査して float64 の配列にし、計算にはその配列だけを使います。
  渡された配列は書き換えません。
- 乱数 ``rng`` は ``numpy.random.Generator`` か整数の種です。整数は NumPy の約束どおり
  ``numpy.random.default_rng(seed)`` で Generator にします。乱数が要るところでの None、文字列、小数、bool は
  ``TypeError`` です。
- 入力が有限でも、値が大きすぎて計算が float64 の範囲(約 1.8e308)をあふれたら ``ValueError`` です(no_overflow)。
- 検査は入口で一度だけ行います。学習のループ(fit、train、train_network)は検査した配列を使い、ループの中で
  検査するのは、呼ぶ公開関数(最適化手法の update など)の軽い検査(形と有限性)だけです。
"""

import functools
import inspect
import math
import numbers
import sys

import numpy as np

_NUMBER = (int, float, np.integer, np.floating)
_INTEGER = (int, np.integer)


def plain(value):
    """エラーメッセージに入れる値の表記。NumPy のスカラーは Python の数として書く(np.float64(0.2) ではなく 0.2)。"""
    return repr(value.item() if isinstance(value, np.generic) else value)


def spaced(text):
    """日本語の文に埋め込む語。英数字や記号で始まる(終わる)なら、前(後ろ)に半角の空白を置く(括弧の外側には置かない)。"""
    text = str(text)
    before = " " if text[:1].isascii() and text[:1] != "(" else ""
    after = " " if text[-1:].isascii() and text[-1:] != ")" else ""
    return f"{before}{text}{after}"


def describe(value):
    """受け取ったものの短い説明。数や文字列は値そのもの、配列は形と型、そのほかは型の名前(配列全体は書かない)。"""
    if isinstance(value, np.ndarray):
        kind = "文字列の" if value.dtype.kind in "US" else f" {value.dtype} の"
        return f"形 {value.shape} の{kind}配列"
    if isinstance(value, (list, tuple)):
        return f"長さ {len(value)} の {type(value).__name__}"
    if value is None:
        return "None"
    if isinstance(value, (bool, complex, str, bytes, *_NUMBER, np.generic)):
        text = plain(value)
        return f"{type(value).__name__} の値 {text if len(text) <= 40 else text[:37] + '...'}"
    label = getattr(value, "__name__", None)  # モジュール・関数・クラスは名前を書く
    if not isinstance(label, str):
        return f"{type(value).__name__} のオブジェクト"
    if inspect.ismodule(value):
        return f"モジュール {label}"
    if inspect.isclass(value):
        return f"クラス {label}"
    return f"関数 {label}" if callable(value) else f"{type(value).__name__} {label}"


def received(value):
    """「受け取ったのは … です。」の文。"""
    return f"受け取ったのは{spaced(describe(value))}です。"


def as_real_array(name, value, ndim=None, labels=None):
    """``value`` を float64 の ndarray にし、次元数と空でないことを確かめる(NaN や inf は通す)。

    実数(整数・小数・真偽値)でないもの、複素数は TypeError です。``ndim=None`` はどの次元数
    (スカラーを含む)でも受け付けます。``ndim=(1, 2)`` のように組でも指定できます。
    ``labels`` はクラスのラベルを受け取る引数の種類で、メッセージの直し方を選びます
    ("binary": 0 と 1、"one_hot": one-hot の行列、"classes": クラス番号)。
    """
    if isinstance(value, (bool, np.bool_)):  # 配列の中の True/False は 1/0 として受け付けるが、1 つの bool は数ではない
        raise TypeError(f"{name} は実数(数か数の配列)にしてください。{received(value)}")
    try:
        array = np.asarray(value)
    except ValueError:  # 行ごとに長さの違うリストなど
        lengths = [len(row) for row in value if hasattr(row, "__len__")] if isinstance(value, (list, tuple)) else []
        rows = f"(行の長さ {lengths[:5]})" if lengths else ""
        raise ValueError(f"{name} は行の長さがそろった数の配列にしてください。受け取ったのは"
                         f"{spaced(describe(value))}です{rows}。") from None
    if array.dtype != np.float64:
        array = _to_float64(name, value, array, labels)
    allowed = ndim if isinstance(ndim, tuple) else (ndim,)
    if ndim is not None and array.ndim not in allowed:
        expected = "か ".join(f"{n} 次元" for n in allowed)
        got = (f"1 つの数 {plain(array[()])}" if array.ndim == 0
               else f"形 {array.shape} の {array.ndim} 次元の配列")
        raise ValueError(f"{name} は {expected}の配列にしてください。受け取ったのは{spaced(got)}です。"
                         f"{_ndim_hint(name, array, allowed, labels)}")
    if array.size == 0:
        raise ValueError(f"{name} は空でない配列にしてください。受け取ったのは形 {array.shape} の空の配列です。")
    return array


def _ndim_hint(name, array, allowed, labels):
    """次元数の違う配列の直し方(わからなければ空の文字列)。"""
    if allowed == (1,):
        if name == "w":
            return "w.ravel() で 1 次元にするか、はじめから形 (D,) で作ってください。"
        if array.ndim == 2 and array.shape[1] == 1:
            return f"{name}.ravel() で 1 次元にします。"
        if array.ndim == 2 and labels:
            return f"one-hot の行列なら {name}.argmax(axis=1) でクラス番号にします。"
        if array.ndim == 2:
            return "表の 1 列を使うなら data[:, 1] のように列を 1 つ取り出してください。"
    if allowed == (2,) and array.ndim == 1:
        if name in ("x", "data"):
            return f"特徴量が 1 つなら、{name}.reshape(-1, 1) か data[:, 0:1] で形 (M, 1) にします。"
        if name == "W":
            return "W は形 (D, N)(N はクラスの数)で作ってください。"
    return ""


def _to_float64(name, value, array, labels=None):
    """float64 でない配列を float64 にする。実数でないもの(文字列・複素数・None など)は TypeError。"""
    kind = array.dtype.kind
    if kind == "O" and all(isinstance(item, numbers.Real) for item in array.flat):
        kind = "f"  # Python の大きな整数や Fraction の混ざったリスト: 数ならそのまま float にする
    if kind not in "biuf":
        what = describe(value) if isinstance(value, np.ndarray) else f"{describe(value)}(dtype {array.dtype})"
        hint = ""
        if kind == "c":
            hint = f"複素数は実部だけを取り出すことはしません。虚部が 0 なら {name}.real を渡してください。"
        elif kind in "US" or (kind == "O" and any(isinstance(item, (str, bytes)) for item in array.flat)):
            if isinstance(value, (list, tuple)):
                what = f"文字列の入った{describe(value)}"  # describe は「長さ … の list」
            hint = _text_hint(name, value, array, labels)
        raise TypeError(f"{name} は実数(数か数の配列)にしてください。受け取ったのは{spaced(what)}です。{hint}")
    try:
        with np.errstate(over="ignore"):  # float64 に入らない値は inf になり、as_finite_array が断る
            return array.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{name} の値が大きすぎて float64 に入りません(約 1.8e308 まで)。"
                         "単位を変えるなどして小さくしてください。") from None


def _text_hint(name, value, array, labels):
    """文字列を受け取ったときの直し方。ラベルなら数への直し方を、数を表す文字列なら float への変換を書く。"""
    texts = [item for item in array.flat if isinstance(item, (str, bytes))]
    if labels == "binary":
        return (f"文字列のラベルなら、labels == {str(texts[0])!r} のように 1 にするクラスと比べた配列"
                "(True が 1、False が 0)を渡します。")
    if labels in ("one_hot", "classes"):
        then = "、one_hot(labels, len(classes)) で one-hot にします" if labels == "one_hot" else "てから渡してください"
        return ("文字列のラベルなら、classes, labels = np.unique(labels, return_inverse=True) で"
                f" 0 から始まるクラス番号にし{then}。")
    try:
        [float(item) for item in texts]
    except ValueError:
        return "文字列は数に直してから渡してください。"
    convert = f"float({value!r})" if isinstance(value, (str, bytes)) else f"np.asarray({name}, dtype=float)"
    return f"数を表す文字列なら {convert} で数にします。"


def as_finite_array(name, value, ndim, labels=None):
    """``value`` を float64 の ndarray にし、次元数・空でないこと・有限性を確かめる(引数は as_real_array と同じ)。"""
    array = as_real_array(name, value, ndim, labels)
    if not _all_finite(array):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        where = ""
        if array.ndim:
            first = ", ".join(str(int(i)) for i in np.argwhere(~np.isfinite(array))[0])
            where = f"(最初は {name}[{first}])"
        raise ValueError(f"{name} に NaN か inf が {bad} 個あります{where}。"
                         "取り除くか、ほかの値で埋めてから渡してください。")
    return array


def _all_finite(array):
    """配列の値がすべて有限か。NaN や inf があれば内積 Σ a² も有限でないので、ふつうは速い内積 1 回で済む
    (内積があふれたときだけ 1 つずつ調べる)。"""
    return math.isfinite(np.vdot(array, array)) or bool(np.isfinite(array).all())


def check_same_shape(**arrays):
    """配列どうしの形が同じか、どちらかが 1 つの数であることを確かめる(暗黙のブロードキャストをさせない)。"""
    shapes = {name: array.shape for name, array in arrays.items() if array.ndim}
    if len(set(shapes.values())) > 1:
        listed = "、".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"{' と '.join(arrays)} は同じ形にするか、どちらかを 1 つの数にしてください。"
                         f"受け取ったのは {listed} です。")


def check_xyw(x, yt, w):
    """入力 x (M, D)、正解値 yt (M,)、重み w (D,) を検査して float64 配列で返す。"""
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 1)
    w = check_x_and_weight_vector(x, w)[1]
    check_same_m(x, yt)
    return x, yt, w


def check_x_and_weight_vector(x, w):
    """入力 x (M, D) と重み w (D,) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, w, "w", 1, "要素の数")


def check_x_and_weight_matrix(x, W):
    """入力 x (M, D) と重み行列 W (D, N) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, W, "W", 2, "行の数")


def _check_x_and_weights(x, weights, name, ndim, count):
    """x (M, D) と、行の数が D の重み(ベクトルなら 1 次元、行列なら 2 次元)を検査する。count はメッセージで数えるもの。"""
    x = as_finite_array("x", x, 2)
    weights = as_finite_array(name, weights, ndim)
    if weights.shape[0] != x.shape[1]:
        raise ValueError(f"{name} の{count}は、x の列の数 D={x.shape[1]} と同じにしてください(x の形は {x.shape})。"
                         f"受け取った {name} の形は {weights.shape} です。{_dummy_hint(weights.shape[0], x)}")
    return x, weights


def _dummy_hint(rows, x, x_name="x"):
    """重みの行が x の列より 1 つ多く、x の先頭の列が 1 の列でないときは、ダミー変数の列を加え忘れたと伝える。"""
    if rows == x.shape[1] + 1 and not np.all(x[:, 0] == 1):
        return f"{x_name} にダミー変数の列がないようです。add_dummy({x_name}) で先頭に 1 の列を加えてください。"
    return "x の列の数 D はダミー変数の列を含めて数えます。"


def check_number(name, value, expected, integer=False):
    """value が数(bool でない int や float、NumPy の数)で float64 に入ることを確かめる。

    integer=True なら整数だけ。expected はメッセージの「期待するもの」の部分です。
    """
    if isinstance(value, bool) or not isinstance(value, _INTEGER if integer else _NUMBER):
        raise TypeError(f"{name} は{spaced(expected)}にしてください。{received(value)}")
    if isinstance(value, int) and abs(value) > sys.float_info.max:  # Python の int はいくらでも大きい
        raise ValueError(f"{name} は float64 の範囲の{expected}にしてください。"
                         f"受け取ったのは {len(str(value))} 桁の整数です。")
    return value


def check_positive(name, value, integer=False):
    """学習率や繰り返し回数が正の(整数の)値であることを確かめる。整数は Python の int で返す。"""
    check_number(name, value, "正の整数" if integer else "正の数", integer)
    if not value > 0 or not np.isfinite(float(value)):  # NaN は value > 0 が偽
        raise ValueError(f"{name} は正の{'整数' if integer else '有限の数'}にしてください。受け取ったのは {plain(value)} です。")
    return int(value) if integer else value


def check_count(name, value, low, high=None, reason=""):
    """value が low 以上 high 以下(high=None なら上限なし)の整数であることを確かめ、int で返す。

    reason はメッセージで範囲に添える理由(「(サンプルの件数 M=5 より小さく)」のように括弧ごと)。
    """
    expected = f"{low} 以上 {high} 以下の整数" if high is not None else f"{low} 以上の整数"
    check_number(name, value, expected, integer=True)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} は {expected}にしてください{reason}。受け取ったのは {plain(value)} です。")
    return int(value)


def check_fraction(name, value):
    """モメンタムの β やドロップアウトの割合が 0 以上 1 未満の実数であることを確かめる。"""
    check_number(name, value, "0 以上 1 未満の数")
    if not 0 <= value < 1:
        raise ValueError(f"{name} は 0 以上 1 未満の数にしてください。受け取ったのは {plain(value)} です。")
    return float(value)


def check_penalty(lam):
    """L2 正則化の強さ λ が 0 以上の有限の実数であることを確かめる。"""
    check_number("lam", lam, "0 以上の数")
    if not np.isfinite(float(lam)) or lam < 0:
        raise ValueError(f"lam は 0 以上の有限の数にしてください。受け取ったのは {plain(lam)} です。"
                         "正則化しないなら lam=0 とします。")
    return float(lam)


def check_choice(name, value, choices):
    """value が choices(文字列の組)のどれかであることを確かめる。"""
    names = [repr(choice) for choice in choices]
    listed = " か ".join(names) if len(names) == 2 else f"{'、'.join(names)} のどれか"
    if not isinstance(value, str):
        raise TypeError(f"{name} は{spaced(listed)}にしてください。{received(value)}")
    if value not in choices:
        raise ValueError(f"{name} は{spaced(listed)}にしてください。受け取ったのは {value!r} です。")
    return value


def check_rng(rng, name="rng"):
    """乱数の生成器を返す。Generator はそのまま、整数は種として numpy.random.default_rng(rng) にする。

    None(毎回違う乱数になる)、文字列、小数、bool は TypeError、負の整数は ValueError です。
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, _INTEGER):
        why = "None では毎回違う乱数になり、結果を再現できません。" if rng is None else ""
        raise TypeError(f"{name} は numpy.random.Generator か整数の種にしてください"
                        f"(例: numpy.random.default_rng(0) や 0)。{received(rng)}{why}")
    if rng < 0:
        raise ValueError(f"{name} は 0 以上の整数の種にしてください。受け取ったのは {plain(rng)} です。")
    return np.random.default_rng(rng)


def check_indices(name, values, n):
    """選ぶ番号の並び(0 以上 n 未満の異なる整数、1 つ以上)を確かめ、Python の int のリストで返す。"""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} は (0, 1) のような整数の並びにしてください。{received(values)}")
    values = list(values)
    expected = f"{name} は 0 から {n - 1} までの異なる整数の並びにしてください。"
    if any(isinstance(i, bool) or not isinstance(i, _INTEGER) for i in values):
        raise TypeError(f"{expected}受け取ったのは [{', '.join(plain(i) for i in values)}] です。")
    if not values or len(set(values)) != len(values) or not all(0 <= i < n for i in values):
        raise ValueError(f"{expected}受け取ったのは {[int(i) for i in values]} です。")
    return [int(i) for i in values]


def check_binary_labels(x, yt):
    """2値分類の正解値 yt (M,) が 0 か 1 だけで、x (M, D) と件数がそろうことを確かめる。"""
    yt = as_finite_array("yt", yt, 1, labels="binary")
    check_same_m(x, yt)
    bad = (yt != 0) & (yt != 1)
    if bad.any():
        values = np.unique(yt)
        if values.size == 2:  # 2 つのクラスを 0 と 1 でない値で表している
            hint = f"2 つの値なら、yt == {plain(values[1])} のように比べた配列(True が 1、False が 0)を渡します。"
        else:
            hint = "3 つ以上のクラスの分類には dlmath.multiclass を使います。"
        raise ValueError(f"yt は 0 と 1 だけの配列(2 つのクラスの番号)にしてください。"
                         f"受け取った値には {np.unique(yt[bad])[:5].tolist()} があります。{hint}")
    return yt


def check_one_hot(x, yt, N, x_name="x", n_from="W"):
    """多値分類の正解値 yt (M, N) が one-hot で、x_name の配列 x (M, …) と件数がそろうことを確かめる。

    クラスの数 N は n_from(重み行列など)の列の数で、メッセージではそれを書きます。
    """
    yt = as_finite_array("yt", yt, None, labels="one_hot")
    # 0 以上の整数だけの配列は、one-hot にする前のクラス番号と読める
    labels = bool(np.all((yt >= 0) & (yt == np.round(yt))))
    convert = "(from dlmath.preprocess import one_hot)"
    if yt.ndim != 2:
        got = f"形 {yt.shape} の{'整数の' if labels else ''}配列"
        hint = f"クラス番号の配列なら one_hot(labels, {N}) で変換します{convert}。" if labels and yt.ndim == 1 else ""
        raise ValueError(f"yt は one-hot の 2 次元配列 (M, N) にしてください(N は {n_from} の列の数で {N} です)。"
                         f"受け取ったのは{got}です。{hint}")
    check_same_m(x, yt, x_name)
    if yt.shape[1] != N:
        hint = (f"1 列のクラス番号なら one_hot(labels.ravel(), {N}) で変換します{convert}。"
                if labels and yt.shape[1] == 1 and N > 1 else "")
        raise ValueError(f"yt の列の数は、クラスの数 N={N}({n_from} の列の数)にしてください。"
                         f"受け取った形は {yt.shape} です。{hint}")
    # 各行の和が 1 で、0 でない値が全体で M 個なら、どの行も 1 つだけが 0 でなく、その値は 1(one-hot)。
    # 行の和は yt @ 1 で求める(行列とベクトルの積は、短い行ごとの sum より速い)
    if np.count_nonzero(yt) != yt.shape[0] or np.any(yt @ np.ones(yt.shape[1]) != 1):
        rows = np.flatnonzero(((yt != 0) & (yt != 1)).any(axis=1) | (yt.sum(axis=1) != 1))
        raise ValueError(f"yt は one-hot(各行で 1 つだけが 1、ほかは 0)にしてください。"
                         f"受け取った yt の行 {rows[:5].tolist()} は違います(たとえば {yt[rows[0]].tolist()})。"
                         f"one_hot(labels, {N}) で作れます{convert}。")
    return yt


def check_class_indices(name, value, N):
    """クラス番号の 1 次元配列が 0 以上 N 未満の整数だけであることを確かめ、int 配列で返す。"""
    array = as_finite_array(name, value, 1, labels="classes")
    bad = (array != np.round(array)) | (array < 0) | (array >= N)
    if np.any(bad):
        values = np.unique(array[bad])
        hint = ""
        if np.all(values == np.round(values)) and np.all(values >= N):  # 番号は整数だが、N が小さい
            hint = f"クラスが {int(values.max()) + 1} 個以上あるなら、N を大きくしてください。"
        raise ValueError(f"{name} は 0 から {N - 1} までの整数(N={N} 個のクラスの番号)にしてください。"
                         f"受け取った値には {values[:5].tolist()} があります。{hint}")
    return array.astype(int)


def check_confusion(C):
    """混同行列 C (N, N) が、0 以上の整数の件数の正方行列で、件数の合計が 1 以上であることを確かめる。"""
    C = as_finite_array("C", C, 2)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C は行と列の数が同じ (N, N) の混同行列にしてください。受け取った形は {C.shape} です。"
                         "confusion_matrix(labels, predicted, N) が作る形です。")
    bad = (C != np.round(C)) | (C < 0)
    if np.any(bad):
        raise ValueError(f"C の成分は 0 以上の整数(件数)にしてください。受け取った値には "
                         f"{np.unique(C[bad])[:5].tolist()} があります。")
    if C.sum() == 0:
        raise ValueError("C の件数の合計が 0 です。1 件以上のサンプルを数えた混同行列を渡してください。")
    return C


def check_scores(yt, yp):
    """2値の正解値 yt (M,)(陽性が 1)と、陽性らしさの点数 yp (M,) を検査する。陽性が 1 件以上要る。"""
    yt = as_finite_array("yt", yt, 1, labels="binary")
    yp = as_finite_array("yp", yp, 1)
    check_same_m(yp, yt, x_name="yp")
    if np.any((yt != 0) & (yt != 1)):
        raise ValueError("yt は 0(陰性)か 1(陽性)にしてください。受け取った値には "
                         f"{np.unique(yt[(yt != 0) & (yt != 1)])[:5].tolist()} があります。"
                         "クラス k を陽性にするなら labels == k を渡します。")
    if not np.any(yt == 1):
        raise ValueError("yt に陽性(1)が 1 件もないので、再現率が 0/0 になります。陽性を含むデータを渡してください。")
    return yt, yp


def check_same_m(x, yt, x_name="x", yt_name="yt"):
    """x と yt の行の数(サンプルの件数 M)がそろっていることを確かめる。"""
    if yt.shape[0] != x.shape[0]:
        raise ValueError(f"{x_name} と {yt_name} の行の数(サンプルの件数 M)をそろえてください。"
                         f"受け取ったのは {x_name} {x.shape} と {yt_name} {yt.shape} です。")


def check_history(loss, w):
    """学習の記録の損失 loss (iters,) と重み w (iters, D) を検査し、float64 の配列で返す。"""
    loss, w = as_finite_array("loss", loss, 1), as_finite_array("w", w, 2)
    if w.shape[0] != loss.shape[0]:
        raise ValueError(f"loss と w は繰り返しごとに 1 行にして、行の数をそろえてください。"
                         f"受け取ったのは loss {loss.shape} と w {w.shape} です。")
    return loss, w


def check_array_list(name, values, ndim=None):
    """配列のリスト(重み行列や勾配のリスト)を検査し、float64 の配列のリストで返す。"""
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} は配列のリスト(例: init_weights(D, [H], N, rng) が返すもの)にしてください。"
                        f"{received(values)}")
    if not values:
        raise ValueError(f"{name} は 1 つ以上の配列のリストにしてください。受け取ったのは空の {type(values).__name__} です。")
    return [as_finite_array(f"{name}[{l}]", value, ndim) for l, value in enumerate(values)]


def check_weights(weights, x=None, x_name="x"):
    """ニューラルネットワークの重み行列のリストの形がつながっているかを確かめる。

    weights[l] は (前の層の出力の数 + 1, この層のノードの数)。x を渡すと、weights[0] の行の数が x の列の数 D と
    同じかも確かめます(メッセージでは x_name と書きます)。
    """
    weights = check_array_list("weights", weights, 2)
    inputs = weights[0].shape[0] if x is None else x.shape[1]
    # 最初の層の行が合わないのは x を渡したときだけ(x がなければ inputs は weights[0] の行の数)
    for l, W in enumerate(weights):
        if W.shape[0] != inputs:
            if l == 0:
                raise ValueError(f"weights[0] の行の数は、{x_name} の列の数 D={inputs} と同じにしてください。"
                                 f"受け取った形は {W.shape} です。{_dummy_hint(W.shape[0], x, x_name)}")
            raise ValueError(f"weights[{l}] の行の数は {inputs}(前の層の出力の数 {inputs - 1} と切片の行 1 つ)"
                             f"にしてください。受け取った形は {W.shape} です。")
        inputs = W.shape[1] + 1
    return weights


def check_x_weights(x, weights, x_name="x"):
    """x (M, D) と重み行列のリストを検査して float64 の配列で返す。"""
    x = as_finite_array(x_name, x, 2)
    return x, check_weights(weights, x, x_name)


def check_hidden(hidden):
    """隠れ層のノードの数の並び [H1, H2, ...](空なら隠れ層なし)を確かめ、int のリストで返す。

    整数 1 つ(hidden=4)は「4 ノードの 1 層」とも「4 層」とも読めるので受け付けず、[4] と書くよう伝えます。
    """
    if isinstance(hidden, np.ndarray) and hidden.ndim == 1:
        hidden = hidden.tolist()
    if not isinstance(hidden, (list, tuple, range)):
        H = plain(hidden) if isinstance(hidden, _INTEGER) and not isinstance(hidden, bool) else "H"
        raise TypeError(f"hidden は隠れ層のノードの数のリストにしてください。{received(hidden)}"
                        f"隠れ層が 1 つで {H} 個のノードなら、[{H}] と書きます。")
    return [check_positive(f"hidden[{i}]", H, integer=True) for i, H in enumerate(hidden)]


def check_cache(cache, weights, M):
    """forward が返した途中の値 cache が、weights と件数 M に合うことを確かめ、float64 の配列で作り直す。"""
    if not isinstance(cache, dict):
        raise TypeError(f"cache は forward が返した dict にしてください。{received(cache)}")
    if not {"z", "a", "mask"} <= cache.keys():
        raise ValueError(f"cache は forward が返した dict(キー 'z'、'a'、'mask')にしてください。"
                         f"受け取ったキーは {sorted(cache)} です。")
    L = len(weights)
    for key, length in (("z", L), ("a", L - 1), ("mask", L - 1)):
        if not isinstance(cache[key], (list, tuple)) or len(cache[key]) != length:
            raise ValueError(f"cache['{key}'] は、len(weights) = {L} に合わせて {length} 個の配列のリストにしてください。"
                             f"{received(cache[key])}")
    z = [_check_shape(f"cache['z'][{l}]", value, (M, W.shape[0]), f"yp と同じ M={M} 行、weights[{l}] の行ごとに 1 列")
         for l, (value, W) in enumerate(zip(cache["z"], weights))]
    a = [_check_shape(f"cache['a'][{l}]", value, (M, W.shape[1]), f"yp と同じ M={M} 行、weights[{l}] の列ごとに 1 列")
         for l, (value, W) in enumerate(zip(cache["a"], weights))]
    mask = [None if value is None else _check_shape(f"cache['mask'][{l}]", value, a[l].shape, f"cache['a'][{l}] と同じ形")
            for l, value in enumerate(cache["mask"])]
    return {"z": z, "a": a, "mask": mask}


def _check_shape(name, value, shape, why):
    array = as_finite_array(name, value, len(shape))
    if array.shape != shape:
        raise ValueError(f"{name} の形は {shape}({why})にしてください。受け取った形は {array.shape} です。")
    return array


def check_probabilities(name, yp, N):
    """予測値 yp (M, N) の各行が確率(0 以上で和が 1)であることを確かめる。"""
    yp = as_finite_array(name, yp, 2)
    if yp.shape[1] != N:
        raise ValueError(f"{name} の列の数は、最後の重み行列 weights[-1] の出力の数 N={N} にしてください。"
                         f"受け取った形は {yp.shape} です。")
    sums = yp.sum(axis=1)
    if np.any(yp < 0) or not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"{name} は forward が返した予測値(各行が 0 以上で、和が 1 の確率)にしてください。"
                         f"受け取った値の最小は {yp.min():.6g}、行の和は {sums.min():.6g} から {sums.max():.6g} です。")
    return yp


def check_distribution(name, value, ndim):
    """確率の表(1 次元なら P(Y = y) の並び、2 次元なら同時確率の表)が、0 以上で全体の和が 1 であることを確かめる。"""
    table = as_finite_array(name, value, ndim)
    total = float(table.sum())
    if np.any(table < 0) or not abs(total - 1.0) <= 1e-9:
        raise ValueError(f"{name} は確率の表(どの値も 0 以上で、全体の和が 1)にしてください。"
                         f"受け取った値の最小は {table.min():.6g}、全体の和は {total:.6g} です。"
                         f"件数(度数)の表なら {name} / {name}.sum() で確率にします。")
    return table


def check_categorical(name, value):
    """N 通りの結果の確率分布 (N,)、または各行が確率分布の (M, N) を検査して float64 で返す
    (どの値も 0 以上で、行ごとの和が 1)。"""
    p = as_finite_array(name, value, (1, 2))
    sums = p.sum(axis=-1)
    if np.any(p < 0):
        first = ", ".join(str(int(i)) for i in np.argwhere(p < 0)[0])
        raise ValueError(f"{name} は 0 以上の確率の並びにしてください。{name}[{first}] が {plain(p[p < 0][0])} です。")
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        got = (f"和は {sums.min():.6g}" if p.ndim == 1
               else f"行の和は {sums.min():.6g} から {sums.max():.6g}")
        raise ValueError(f"{name} は和が 1 の確率分布{'' if p.ndim == 1 else '(行ごとに)'}にしてください。"
                         f"受け取った{got} です。件数の並びなら {name} / {name}.sum(axis=-1, keepdims=True)"
                         " で割合にします。")
    return p


def check_categorical_pair(p, q):
    """同じ N 通りの結果の 2 つの確率分布 p と q(どちらも (N,) か、どちらも (M, N))を検査して返す。"""
    p, q = check_categorical("p", p), check_categorical("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p と q は同じ形にしてください(同じ結果についての確率を同じ順に並べます)。"
                         f"受け取ったのは p {p.shape} と q {q.shape} です。")
    return p, q


def check_update(weights, grads, state):
    """最適化手法の update の引数を検査する。grads[l] は weights[l] と同じ形(ブロードキャストしない)。

    state はそれまでの更新で覚えた値のリスト(はじめは None)で、weights と同じ形でなければなりません。
    """
    weights, grads = check_array_list("weights", weights), check_array_list("grads", grads)
    if len(grads) != len(weights):
        raise ValueError(f"grads は weights の配列ごとに 1 つの勾配のリストにしてください。"
                         f"weights は {len(weights)} 個、受け取った grads は {len(grads)} 個です。")
    for l, (W, g) in enumerate(zip(weights, grads)):
        if g.shape != W.shape:
            raise ValueError(f"grads[{l}] は weights[{l}] と同じ形 {W.shape} にしてください。受け取った形は {g.shape} です。")
    _check_state(state, weights)
    return weights, grads


def _check_state(state, weights):
    if state is not None and [s.shape for s in state] != [W.shape for W in weights]:
        raise ValueError(f"この最適化手法は形 {[s.shape for s in state]} の重みを更新してきましたが、"
                         f"受け取った weights の形は {[W.shape for W in weights]} です。"
                         "ネットワークごとに新しい最適化手法を作ってください。")


def checked_update(state=None):
    """最適化手法の update(self, weights, grads) に付けて、引数を check_update で確かめてから呼ぶデコレータ。

    state は、それまでの勾配から作って覚えている値の属性の名前(モメンタムの "v" など)。計算が float64 の範囲を
    あふれたら ValueError にします(no_overflow)。検査を省いた元の update は unchecked_update で取り出せます。
    """
    def decorate(update):
        def checked(self, weights, grads):
            weights, grads = check_update(weights, grads, getattr(self, state) if state else None)
            return update(self, weights, grads)

        checked = no_overflow(functools.wraps(update)(checked))
        checked.state = state
        return checked

    return decorate


def unchecked_update(optimizer, weights):
    """train_network のループで呼ぶ、検査を省いた optimizer.update(weights, grads) を返す。

    optimizer の種類と、覚えている値の形が weights に合うことは、ここで一度だけ確かめます。ループの中の重みと
    勾配は、検査した重みから計算したものなので、同じ形で有限です(あふれればループが発散として止める)。
    """
    method = type(check_optimizer(optimizer)).update
    state = getattr(method, "state", None)
    _check_state(getattr(optimizer, state) if state else None, weights)
    return functools.partial(inspect.unwrap(method), optimizer)


def check_optimizer(optimizer):
    """optimizer が dlmath.optimizers の SGD・Momentum・RMSProp・Adam のどれか(のインスタンス)であることを確かめる。"""
    from dlmath import optimizers  # optimizers がこのモジュールを import するので、使うときに読む

    kinds = (optimizers.SGD, optimizers.Momentum, optimizers.RMSProp, optimizers.Adam)
    if not isinstance(optimizer, kinds):
        hint = f"クラスではなく、{optimizer.__name__}() のように作ったものを渡します。" if optimizer in kinds else ""
        raise TypeError(f"optimizer は dlmath.optimizers の SGD、Momentum、RMSProp、Adam のどれかを作ったもの"
                        f"(例: SGD(alpha=0.1))にしてください。{received(optimizer)}{hint}")
    return optimizer


def check_model(model):
    """train の model が dlmath.logistic か dlmath.multiclass のモジュールであることを確かめる。"""
    from dlmath import linear, logistic, multiclass  # どれもこのモジュールを import するので、使うときに読む

    if model is not logistic and model is not multiclass:
        hint = "線形回帰は dlmath.linear.fit で学習します。" if model is linear else ""
        raise TypeError(f"model はモジュール dlmath.logistic か dlmath.multiclass にしてください。{received(model)}{hint}")
    return model


def check_pair(name, pair, check):
    """test=(x_test, yt_test) のような 2 つ組を check(x, yt) で検査する。エラーにはどの組かを書き添える。"""
    if not isinstance(pair, (tuple, list)):
        raise TypeError(f"{name} は 2 つ組 (x_{name}, yt_{name}) にしてください。{received(pair)}")
    if len(pair) != 2:
        raise ValueError(f"{name} は 2 つ組 (x_{name}, yt_{name}) にしてください。{received(pair)}")
    try:
        return check(*pair)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}=(x_{name}, yt_{name}): {error}") from None


def check_callable(name, function, argument, shape, allow_inf=False):
    """function が呼べることを確かめ、呼ぶたびに戻り値を確かめる関数を返す。

    戻り値は NaN を含まない実数の配列で、形は shape(() なら 1 つの数)。inf も断りますが、発散を自分で
    調べる勾配降下法は allow_inf=True で通します。メッセージでは ``name(argument)`` と書きます。
    """
    call = f"{name}({argument})"
    if not callable(function):
        raise TypeError(f"{name} は {argument} を受け取る関数にしてください。{received(function)}")

    @functools.wraps(function)
    def checked(*args):
        value = as_real_array(call, function(*args), None)
        if not _all_finite(value) and (not allow_inf or np.isnan(value).any()):
            raise ValueError(f"{call} が有限の {argument} で NaN{'' if allow_inf else ' か inf'} を返しました。"
                             "関数の式を確かめてください。")
        if value.shape != shape:
            expected = "1 つの数" if shape == () else f"{argument} と同じ形 {shape} の配列"
            raise ValueError(f"{call} は {expected}を返すようにしてください。返したのは形 {value.shape} の値です。")
        return value[()]

    return checked


def no_overflow(function):
    """関数の計算が float64 の範囲をあふれたら(inf や NaN ができたら)、引数の大きさを書いた ValueError にする。

    入力がすべて有限でも、値が大きすぎると積や 2 乗があふれます(最大は約 1.8e308)。
    学習のループのように呼び出し側がすでに np.errstate(over="raise") にしているときは、FloatingPointError を
    そのまま通し、呼び出し側に発散として扱わせます。
    """
    parameters = list(inspect.signature(function).parameters)

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        if np.geterr()["over"] == "raise":
            return function(*args, **kwargs)
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                return function(*args, **kwargs)
        except (FloatingPointError, OverflowError):  # OverflowError: Python の float の 2 乗など
            sizes = "、".join(f"{name} {size:.3g}" for name, size in _largest_sizes(parameters, args, kwargs))
            raise ValueError(f"{function.__qualname__} の計算が float64 の範囲(約 1.8e308)をあふれました。"
                             f"入力の絶対値の最大は {sizes} です。値が大きすぎる(または小さすぎる)入力は、"
                             "dlmath.preprocess.standardize などで尺度をそろえてください。") from None

    return guarded


def _largest_sizes(parameters, args, kwargs):
    """エラーメッセージのための、数の配列の引数ごとの最大の絶対値。"""
    for name, value in [*zip(parameters, args), *kwargs.items()]:
        values = value if isinstance(value, (list, tuple)) else [value]
        try:
            arrays = [np.abs(np.asarray(v, dtype=np.float64)) for v in values]
        except (TypeError, ValueError):
            continue
        if arrays and all(a.size for a in arrays):
            yield name, max(float(a.max()) for a in arrays)


def check_symmetric(name, value):
    """ヘッセ行列のような対称な正方行列 (D, D) を検査して float64 の配列で返す(節 sec-math-curv-eigen)。"""
    matrix = as_finite_array(name, value, 2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} は正方行列 (D, D) にしてください。受け取った形は {matrix.shape} です。")
    gap = float(np.max(np.abs(matrix - matrix.T)))
    if gap > 1e-10 * max(float(np.max(np.abs(matrix))), 1e-300):
        raise ValueError(f"{name} は対称行列(A[i, j] と A[j, i] が等しい行列)にしてください。"
                         f"受け取った行列では差の最大が {gap:.3g} です。数値微分で作ったずれなら"
                         f" ({name} + {name}.T) / 2 で対称にします。")
    return matrix
