"""入力検査の小さな共通部品。公開関数は入口でここを一度だけ通します(検査はどれもここだけにあります)。

約束(dlmath の公開関数すべて: モジュールから import できる ``_`` で始まらない関数・クラスと、
公開クラスの公開メソッド。最適化手法の ``update`` や ``History.line`` も含みます):

- 正しい有限の結果を返すか、``ValueError``(値や形が違う)か ``TypeError``(型が違う)を送出します。
  メッセージには引数の名前、受け取ったもの(数は Python の数として、配列は配列全体ではなく形で)、
  期待するものを書きます。
- 暗黙のブロードキャストはしません。複素数は実部だけに丸めずに拒否します。bool は数の代わりになりません
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


def describe(value):
    """受け取ったものの短い説明。数や文字列は値そのもの、配列は形と型、そのほかは型の名前(配列全体は書かない)。"""
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    if value is None or isinstance(value, (bool, complex, str, bytes, *_NUMBER, np.generic)):
        text = plain(value)
        return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
    label = getattr(value, "__name__", None)  # モジュール・関数・クラスは名前を書く
    return f"{type(value).__name__} {label}" if isinstance(label, str) else f"{type(value).__name__} object"


def as_real_array(name, value, ndim=None):
    """``value`` を float64 の ndarray にし、次元数と空でないことを確かめる(NaN や inf は通す)。

    実数(整数・小数・真偽値)でないもの、複素数は TypeError です。``ndim=None`` はどの次元数
    (スカラーを含む)でも受け付けます。``ndim=(1, 2)`` のように組でも指定できます。
    """
    if isinstance(value, (bool, np.bool_)):  # 配列の中の True/False は 1/0 として受け付けるが、1 つの bool は数ではない
        raise TypeError(f"{name} must be numeric (real numbers), got {describe(value)}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # 行ごとに長さの違うリストなど
        raise ValueError(f"{name} must be a rectangular array of numbers, got {describe(value)}: {error}") from None
    if array.dtype != np.float64:
        array = _to_float64(name, value, array)
    allowed = ndim if isinstance(ndim, tuple) else (ndim,)
    if ndim is not None and array.ndim not in allowed:
        hint = {
            # 重みは作り方を、データ(yt など)は表の 1 列の取り出し方を示す
            1: "; use w.ravel() or create w with shape (D,)" if name == "w"
            else f"; use {name}.ravel() or a single column such as data[:, 1]",
            2: f"; use {name}.reshape(-1, 1) or data[:, 0:1] to keep a column",
        }.get(ndim, "")
        expected = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {expected}, got {array.ndim}-D array of shape {array.shape}{hint}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one value is needed")
    return array


def _to_float64(name, value, array):
    """float64 でない配列を float64 にする。実数でないもの(文字列・複素数・None など)は TypeError。"""
    kind = array.dtype.kind
    if kind == "O" and all(isinstance(item, numbers.Real) for item in array.flat):
        kind = "f"  # Python の大きな整数や Fraction の混ざったリスト: 数ならそのまま float にする
    if kind not in "biuf":
        hint = "; complex numbers are not cast, pass value.real if the imaginary part is 0" if kind == "c" else ""
        raise TypeError(f"{name} must be numeric (real numbers), got {describe(value)} of dtype {array.dtype}{hint}")
    try:
        with np.errstate(over="ignore"):  # float64 に入らない値は inf になり、as_finite_array が断る
            return array.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{name} has values too large for float64 (at most about 1.8e308)") from None


def as_finite_array(name, value, ndim):
    """``value`` を float64 の ndarray にし、次元数・空でないこと・有限性を確かめる(次元数は as_real_array と同じ)。"""
    array = as_real_array(name, value, ndim)
    if not _all_finite(array):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); remove or impute them first")
    return array


def _all_finite(array):
    """配列の値がすべて有限か。NaN や inf があれば内積 Σ a² も有限でないので、ふつうは速い内積 1 回で済む
    (内積があふれたときだけ 1 つずつ調べる)。"""
    return math.isfinite(np.vdot(array, array)) or bool(np.isfinite(array).all())


def check_same_shape(**arrays):
    """配列どうしの形が同じか、どちらかが 1 つの数であることを確かめる(暗黙のブロードキャストをさせない)。"""
    shapes = {name: array.shape for name, array in arrays.items() if array.ndim}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"{' and '.join(arrays)} must have the same shape or be single numbers, got {listed}")


def check_xyw(x, yt, w):
    """入力 x (M, D)、正解値 yt (M,)、重み w (D,) を検査して float64 配列で返す。"""
    x = as_finite_array("x", x, 2)
    yt = as_finite_array("yt", yt, 1)
    w = check_xw(x, w)[1]
    check_same_m(x, yt)
    return x, yt, w


def check_xw(x, w):
    """入力 x (M, D) と重み w (D,) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, w, "w", 1, "one weight")


def check_xW(x, W):
    """入力 x (M, D) と重み行列 W (D, N) を検査して float64 配列で返す。"""
    return _check_x_and_weights(x, W, "W", 2, "one row")


def _check_x_and_weights(x, weights, name, ndim, per_column):
    """x (M, D) と、行の数が D の重み(ベクトルなら 1 次元、行列なら 2 次元)を検査する。"""
    x = as_finite_array("x", x, 2)
    weights = as_finite_array(name, weights, ndim)
    if weights.shape[0] != x.shape[1]:
        raise ValueError(
            f"{name} must have {per_column} per column of x: x has D={x.shape[1]} columns "
            f"(shape {x.shape}) but {name} has shape {weights.shape}; did you forget the dummy column?"
        )
    return x, weights


def check_number(name, value, expected, integer=False):
    """value が数(bool でない int や float、NumPy の数)で float64 に入ることを確かめる。

    integer=True なら整数だけ。expected はメッセージの「期待するもの」の部分です。
    """
    if isinstance(value, bool) or not isinstance(value, _INTEGER if integer else _NUMBER):
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    if isinstance(value, int) and abs(value) > sys.float_info.max:  # Python の int はいくらでも大きい
        raise ValueError(f"{name} must be {expected} within the range of float64, got an integer of {len(str(value))} digits")
    return value


def check_positive(name, value, integer=False):
    """学習率や繰り返し回数が正の(整数の)値であることを確かめる。整数は Python の int で返す。"""
    check_number(name, value, "a positive integer" if integer else "a positive number", integer)
    if not value > 0 or not np.isfinite(float(value)):  # NaN は value > 0 が偽
        raise ValueError(f"{name} must be positive and finite, got {plain(value)}")
    return int(value) if integer else value


def check_count(name, value, low, high=None, reason=""):
    """value が low 以上 high 以下(high=None なら上限なし)の整数であることを確かめ、int で返す。"""
    expected = f"an integer in {low} .. {high}" if high is not None else f"an integer >= {low}"
    check_number(name, value, expected, integer=True)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {expected}{reason}, got {plain(value)}")
    return int(value)


def check_fraction(name, value):
    """モメンタムの β やドロップアウトの割合が 0 以上 1 未満の実数であることを確かめる。"""
    check_number(name, value, "a number in [0, 1)")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {plain(value)}")
    return float(value)


def check_penalty(lam):
    """L2 正則化の強さ λ が 0 以上の有限の実数であることを確かめる。"""
    check_number("lam", lam, "a non-negative number")
    if not np.isfinite(float(lam)) or lam < 0:
        raise ValueError(f"lam must be non-negative and finite, got {plain(lam)}; use lam=0 for no penalty")
    return float(lam)


def check_choice(name, value, choices):
    """value が choices(文字列の組)のどれかであることを確かめる。"""
    listed = " or ".join([", ".join(repr(choice) for choice in choices[:-1]), repr(choices[-1])])
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {listed}, got {describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be {listed}, got {value!r}")
    return value


def check_rng(rng, name="rng"):
    """乱数の生成器を返す。Generator はそのまま、整数は種として numpy.random.default_rng(rng) にする。

    None(毎回違う乱数になる)、文字列、小数、bool は TypeError、負の整数は ValueError です。
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, _INTEGER):
        raise TypeError(f"{name} must be a numpy.random.Generator or an int seed, "
                        f"e.g. numpy.random.default_rng(0) or 0, got {describe(rng)}")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative int seed, got {plain(rng)}")
    return np.random.default_rng(rng)


def check_indices(name, values, n):
    """選ぶ番号の並び(0 以上 n 未満の異なる整数、1 つ以上)を確かめ、Python の int のリストで返す。"""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of integers such as (0, 1), got {describe(values)}")
    values = list(values)
    if any(isinstance(i, bool) or not isinstance(i, _INTEGER) for i in values):
        raise TypeError(f"{name} must be distinct integers in 0 .. {n - 1}, got {[plain(i) for i in values]}")
    if not values or len(set(values)) != len(values) or not all(0 <= i < n for i in values):
        raise ValueError(f"{name} must be distinct integers in 0 .. {n - 1}, got {[int(i) for i in values]}")
    return [int(i) for i in values]


def check_binary_labels(x, yt):
    """2値分類の正解値 yt (M,) が 0 か 1 だけで、x (M, D) と件数がそろうことを確かめる。"""
    yt = as_finite_array("yt", yt, 1)
    check_same_m(x, yt)
    bad = (yt != 0) & (yt != 1)
    if bad.any():
        raise ValueError(
            f"yt must contain only 0 and 1 (class labels), got {np.unique(yt[bad])[:5]}; "
            "encode the two classes as 0 and 1"
        )
    return yt


def check_one_hot(x, yt, N, x_name="x", n_from="W"):
    """多値分類の正解値 yt (M, N) が one-hot で、x_name の配列 x (M, …) と件数がそろうことを確かめる。

    クラスの数 N は n_from(重み行列など)の列の数で、メッセージではそれを書きます。
    """
    yt = as_finite_array("yt", yt, None)
    if yt.ndim != 2:
        raise ValueError(f"yt must be 2-D one-hot (M, N) with N={N}, got shape {yt.shape}; "
                         "for class labels use dlmath.preprocess.one_hot(labels, N)")
    check_same_m(x, yt, x_name)
    if yt.shape[1] != N:
        raise ValueError(f"yt must have N={N} columns, one per class (as many as the columns of {n_from}), "
                         f"got shape {yt.shape}")
    # 各行の和が 1 で、0 でない値が全体で M 個なら、どの行も 1 つだけが 0 でなく、その値は 1(one-hot)。
    # 行の和は yt @ 1 で求める(行列とベクトルの積は、短い行ごとの sum より速い)
    if np.count_nonzero(yt) != yt.shape[0] or np.any(yt @ np.ones(yt.shape[1]) != 1):
        rows = np.flatnonzero(((yt != 0) & (yt != 1)).any(axis=1) | (yt.sum(axis=1) != 1))
        raise ValueError(
            f"yt must be one-hot (a single 1 in each row), but row(s) {rows[:5].tolist()} are not, "
            f"e.g. {yt[rows[0]]}; build it with dlmath.preprocess.one_hot(labels, N)"
        )
    return yt


def check_class_indices(name, value, N):
    """クラス番号の 1 次元配列が 0 以上 N 未満の整数だけであることを確かめ、int 配列で返す。"""
    array = as_finite_array(name, value, 1)
    bad = (array != np.round(array)) | (array < 0) | (array >= N)
    if np.any(bad):
        raise ValueError(
            f"{name} must be class indices 0 .. {N - 1} (integers, N={N} classes), got {np.unique(array[bad])[:5]}"
        )
    return array.astype(int)


def check_same_m(x, yt, x_name="x", yt_name="yt"):
    """x と yt の行の数(サンプルの件数 M)がそろっていることを確かめる。"""
    if yt.shape[0] != x.shape[0]:
        raise ValueError(
            f"{x_name} and {yt_name} must have the same number of samples M, "
            f"got {x_name} {x.shape} and {yt_name} {yt.shape}"
        )


def check_history(loss, w):
    """学習の記録の損失 loss (iters,) と重み w (iters, D) を検査し、float64 の配列で返す。"""
    loss, w = as_finite_array("loss", loss, 1), as_finite_array("w", w, 2)
    if w.shape[0] != loss.shape[0]:
        raise ValueError(f"loss and w must have one row per iteration, got loss {loss.shape} and w {w.shape}")
    return loss, w


def check_array_list(name, values, ndim=None):
    """配列のリスト(重み行列や勾配のリスト)を検査し、float64 の配列のリストで返す。"""
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of arrays, e.g. init_weights(D, [H], N, rng), got {describe(values)}")
    if not values:
        raise ValueError(f"{name} must be a non-empty list of arrays, got an empty {type(values).__name__}")
    return [as_finite_array(f"{name}[{l}]", value, ndim) for l, value in enumerate(values)]


def check_weights(weights, x=None, x_name="x"):
    """ニューラルネットワークの重み行列のリストの形がつながっているかを確かめる。

    weights[l] は (前の層の出力の数 + 1, この層のノードの数)。x を渡すと、weights[0] の行の数が x の列の数 D と
    同じかも確かめます(メッセージでは x_name と書きます)。
    """
    weights = check_array_list("weights", weights, 2)
    inputs = weights[0].shape[0] if x is None else x.shape[1]
    for l, W in enumerate(weights):
        if W.shape[0] != inputs:
            source = f"one per column of {x_name}, D={inputs}" if l == 0 else "the previous layer's outputs + 1"
            raise ValueError(f"weights[{l}] must have {inputs} rows ({source}; did you forget the dummy column?), "
                             f"got shape {W.shape}")
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
        raise TypeError(f"hidden must be a list of the numbers of nodes of the hidden layers, "
                        f"e.g. [H] for one hidden layer of H nodes, got {describe(hidden)}")
    return [check_positive(f"hidden[{i}]", H, integer=True) for i, H in enumerate(hidden)]


def check_cache(cache, weights, M):
    """forward が返した途中の値 cache が、weights と件数 M に合うことを確かめ、float64 の配列で作り直す。"""
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict returned by forward, got {describe(cache)}")
    if not {"z", "a", "mask"} <= cache.keys():
        raise ValueError(f"cache must be the dict returned by forward (keys 'z', 'a', 'mask'), got keys {sorted(cache)}")
    L = len(weights)
    for key, length in (("z", L), ("a", L - 1), ("mask", L - 1)):
        if not isinstance(cache[key], (list, tuple)) or len(cache[key]) != length:
            raise ValueError(f"cache['{key}'] must be a list of {length} arrays for len(weights) = {L}, "
                             f"got {describe(cache[key])}")
    z = [_check_shape(f"cache['z'][{l}]", value, (M, W.shape[0]), f"M={M} rows as in yp, one column per row of weights[{l}]")
         for l, (value, W) in enumerate(zip(cache["z"], weights))]
    a = [_check_shape(f"cache['a'][{l}]", value, (M, W.shape[1]), f"M={M} rows as in yp, one column per column of weights[{l}]")
         for l, (value, W) in enumerate(zip(cache["a"], weights))]
    mask = [None if value is None else _check_shape(f"cache['mask'][{l}]", value, a[l].shape, f"the shape of cache['a'][{l}]")
            for l, value in enumerate(cache["mask"])]
    return {"z": z, "a": a, "mask": mask}


def _check_shape(name, value, shape, why):
    array = as_finite_array(name, value, len(shape))
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} ({why}), got {array.shape}")
    return array


def check_probabilities(name, yp, N):
    """予測値 yp (M, N) の各行が確率(0 以上で和が 1)であることを確かめる。"""
    yp = as_finite_array(name, yp, 2)
    if yp.shape[1] != N:
        raise ValueError(f"{name} must have N={N} columns, one per output of the last matrix weights[-1], "
                         f"got shape {yp.shape}")
    sums = yp.sum(axis=1)
    if np.any(yp < 0) or not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"{name} must be the predictions returned by forward (rows of probabilities that sum to 1), "
                         f"got values from {yp.min():.6g} and row sums from {sums.min():.6g} to {sums.max():.6g}")
    return yp


def check_update(weights, grads, state):
    """最適化手法の update の引数を検査する。grads[l] は weights[l] と同じ形(ブロードキャストしない)。

    state はそれまでの更新で覚えた値のリスト(はじめは None)で、weights と同じ形でなければなりません。
    """
    weights, grads = check_array_list("weights", weights), check_array_list("grads", grads)
    if len(grads) != len(weights):
        raise ValueError(f"grads must have one gradient per weight array: {len(weights)} weights, got {len(grads)} grads")
    for l, (W, g) in enumerate(zip(weights, grads)):
        if g.shape != W.shape:
            raise ValueError(f"grads[{l}] must have the shape of weights[{l}] {W.shape}, got {g.shape}")
    _check_state(state, weights)
    return weights, grads


def _check_state(state, weights):
    if state is not None and [s.shape for s in state] != [W.shape for W in weights]:
        raise ValueError(f"this optimizer has been updating weights of shapes {[s.shape for s in state]}, "
                         f"got {[W.shape for W in weights]}; create a new optimizer for each network")


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
        raise TypeError(f"optimizer must be an instance of SGD, Momentum, RMSProp or Adam from dlmath.optimizers, "
                        f"e.g. SGD(alpha=0.1), got {describe(optimizer)}")
    return optimizer


def check_model(model):
    """train の model が dlmath.logistic か dlmath.multiclass のモジュールであることを確かめる。"""
    from dlmath import logistic, multiclass  # どちらもこのモジュールを import するので、使うときに読む

    if model is not logistic and model is not multiclass:
        raise TypeError(f"model must be the module dlmath.logistic or dlmath.multiclass, got {describe(model)}")
    return model


def check_pair(name, pair, check):
    """test=(x_test, yt_test) のような 2 つ組を check(x, yt) で検査する。エラーにはどの組かを書き添える。"""
    if not isinstance(pair, (tuple, list)):
        raise TypeError(f"{name} must be a pair (x_{name}, yt_{name}), got {describe(pair)}")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (x_{name}, yt_{name}), got {describe(pair)}")
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
        raise TypeError(f"{name} must be a function of {argument}, got {describe(function)}")

    @functools.wraps(function)
    def checked(*args):
        value = as_real_array(call, function(*args), None)
        if not _all_finite(value) and (not allow_inf or np.isnan(value).any()):
            raise ValueError(f"{call} returned NaN{'' if allow_inf else ' or inf'} at a finite {argument}; check the function")
        if value.shape != shape:
            expected = "be a single number" if shape == () else f"have the shape of {argument} {shape}"
            raise ValueError(f"{call} must {expected}, got {value.shape}")
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
        except (FloatingPointError, OverflowError) as error:  # OverflowError: Python の float の 2 乗など
            sizes = ", ".join(f"{name} {size:.3g}" for name, size in _largest_sizes(parameters, args, kwargs))
            raise ValueError(f"{function.__qualname__}: the computation left the range of float64 ({error}); "
                             f"the inputs are too large (largest absolute values: {sizes}), scale them down, "
                             "e.g. with dlmath.preprocess.standardize") from None

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
