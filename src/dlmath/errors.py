"""パッケージ共通の例外と、発散の判定。"""

import numpy as np

from dlmath._validation import as_real_array, check_count, check_number, check_positive, received, spaced

# 損失がはじめの値のこの倍数を超えたら発散とみなす。正しい学習率なら損失は増えない。
DIVERGENCE_FACTOR = 1e3
# ニューラルネットワークの交差エントロピーは重みの大きさに比例してしか増えず(2 乗誤差のように 2 乗では増えない)、
# はじめの値は log N 程度なので、その 10 倍でもう「自信を持って外している」状態。学習率が大きすぎる。
NETWORK_DIVERGENCE_FACTOR = 10.0


class DivergenceError(ValueError):
    """勾配降下法が発散した(損失が増え続けた、または有限でなくなった)ことを表す。

    学習率 ``alpha`` が大きすぎるのが典型的な原因なので、``ValueError`` の一種としています。
    """


def check_divergence(losses, k, alpha, factor=DIVERGENCE_FACTOR, steps="回更新"):
    """k 回目までの損失 ``losses[:k + 1]`` が発散していれば(はじめの値の factor 倍を超えたら)DivergenceError を送出する。

    ``losses[k]`` は k 回更新した後(steps が "エポック学習" なら k エポック学習した後)の損失です。

    はじめの損失 ``losses[0]`` は有限でなければなりません。比べるのは Python の float どうしなので、
    はじめの損失が 1e306 のように大きくても、factor 倍が桁あふれの例外になることはありません。
    """
    losses = as_real_array("losses", losses, 1)
    k = check_count("k", k, 0, losses.size - 1, reason=f"(losses の位置で、losses の値は {losses.size} 個です)")
    check_positive("alpha", alpha)
    check_positive("factor", factor)
    _check_steps(steps)
    first, current = float(losses[0]), float(losses[k])
    if not np.isfinite(first):
        raise ValueError(f"losses[0] は最初の更新の前の有限の損失にしてください。受け取ったのは {first} です。")
    if not np.isfinite(current) or current > factor * max(first, 1e-12):
        raise diverged(alpha, k, first, current, steps=steps)


def diverged(alpha, k, first, current, quantity="損失", steps="回更新"):
    """学習率を下げるよう促すメッセージ付きの DivergenceError を返す。quantity は増え続けた量の名前。

    first は更新の前の値、current は k 回更新した後(steps が "エポック学習" なら k エポック学習した後)の値で、
    どちらも数(発散したときの inf や、まだ測っていない NaN も可)です。
    """
    check_positive("alpha", alpha)
    check_count("k", k, 0)
    check_number("first", first, "数")
    check_number("current", current, "数")
    if not isinstance(quantity, str):
        raise TypeError(f"quantity は '損失' のような文字列にしてください。{received(quantity)}")
    if not quantity.strip():
        raise ValueError("quantity は増え続けた量の名前('損失' など)にしてください。受け取ったのは空の文字列です。")
    _check_steps(steps)
    return DivergenceError(
        f"勾配降下法が発散しました。{k} {steps}した後の{spaced(quantity.strip())}が、はじめの {first:.6g} から "
        f"{current:.6g} に増えました(alpha={float(alpha):g})。学習率 alpha が大きすぎるので、"
        f"alpha={alpha / 10:g} のように小さくしてください。"
        # 損失なら入力データがある。入力の尺度が違いすぎると、10 分の 1 ずつ下げても発散が続く(第3章)
        + ("それでも発散するときは、dlmath.preprocess.standardize などで入力の尺度をそろえてください。"
           if quantity.strip() == "損失" else "")
    )


def _check_steps(steps):
    """k の数え方(k 回更新した後か、k エポック学習した後か)。"""
    if not isinstance(steps, str) or steps not in ("回更新", "エポック学習"):
        raise ValueError(f"steps は '回更新' か 'エポック学習' にしてください。{received(steps)}")
