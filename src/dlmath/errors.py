"""パッケージ共通の例外と、発散の判定。"""

import numpy as np

from dlmath._validation import as_real_array, check_count, check_number, check_positive, describe, plain

# 損失がはじめの値のこの倍数を超えたら発散とみなす。正しい学習率なら損失は増えない。
DIVERGENCE_FACTOR = 1e3
# ニューラルネットワークの交差エントロピーは重みの大きさに比例してしか増えず(2 乗誤差のように 2 乗では増えない)、
# はじめの値は log N 程度なので、その 10 倍でもう「自信を持って外している」状態。学習率が大きすぎる。
NETWORK_DIVERGENCE_FACTOR = 10.0


class DivergenceError(ValueError):
    """勾配降下法が発散した(損失が増え続けた、または有限でなくなった)ことを表す。

    学習率 ``alpha`` が大きすぎるのが典型的な原因なので、``ValueError`` の一種としています。
    """


def check_divergence(losses, k, alpha, factor=DIVERGENCE_FACTOR):
    """k 回目までの損失 ``losses[:k + 1]`` が発散していれば(はじめの値の factor 倍を超えたら)DivergenceError を送出する。

    はじめの損失 ``losses[0]`` は有限でなければなりません。比べるのは Python の float どうしなので、
    はじめの損失が 1e306 のように大きくても、factor 倍が桁あふれの例外になることはありません。
    """
    losses = as_real_array("losses", losses, 1)
    k = check_count("k", k, 0, losses.size - 1, reason=f" (an index into losses, which has {losses.size} values)")
    check_positive("alpha", alpha)
    check_positive("factor", factor)
    first, current = float(losses[0]), float(losses[k])
    if not np.isfinite(first):
        raise ValueError(f"losses[0] must be the finite loss before the first update, got {first}")
    if not np.isfinite(current) or current > factor * max(first, 1e-12):
        raise diverged(alpha, k, first, current)


def diverged(alpha, k, first, current, quantity="the loss"):
    """学習率を下げるよう促すメッセージ付きの DivergenceError を返す。quantity は増え続けた量の名前。

    first と current は数(発散したときの inf や、まだ測っていない NaN も可)です。
    """
    check_positive("alpha", alpha)
    check_count("k", k, 0)
    check_number("first", first, "a number")
    check_number("current", current, "a number")
    if not isinstance(quantity, str):
        raise TypeError(f"quantity must be a str such as 'the loss', got {describe(quantity)}")
    if not quantity.strip():
        raise ValueError("quantity must name what grew, such as 'the loss', got an empty string")
    return DivergenceError(
        f"gradient descent diverged: {quantity} grew from {first:.6g} to {current:.6g} by "
        f"iteration {k} with alpha={plain(alpha)}; the learning rate is too large, "
        f"try a smaller one such as alpha={alpha / 10:g}"
    )
