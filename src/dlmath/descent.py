"""どんな関数にも使える勾配降下法(節 sec-math-gradient-descent)。

:func:`dlmath.linear.fit` は線形回帰の損失に合わせた学習のループです。ここにあるのは、勾配を計算する
関数を受け取るだけの一般的な形で、数学の準備の章で 2 変数の関数の上をたどる道筋を描くのに使います。
"""

import numpy as np

from dlmath._validation import as_finite_array, check_callable, check_positive
from dlmath.errors import diverged


# 発散して値があふれたときは下で DivergenceError にするので、途中の overflow の警告は出さない
@np.errstate(over="ignore", invalid="ignore")
def gradient_descent(gradient, w, alpha, iters):
    """勾配降下法 w ← w − α∇L(w) を iters 回繰り返し、
    たどった点をすべて返す(式 eq-math-descent-update)。

    Parameters
    ----------
    gradient : callable
        形 (D,) の点 w を受け取り、勾配 ∇L(w) を形 (D,) で返す関数。
    w : ndarray of shape (D,)
        初期値。
    alpha : float
        学習率(正の数)。
    iters : int
        更新の回数(正の整数)。

    Returns
    -------
    path : ndarray of shape (iters + 1, D)
        path[0] が初期値、path[k] が k 回更新した後の点。

    Raises
    ------
    DivergenceError
        点の値が有限でなくなった(float64 の範囲をあふれた)とき。
        値が大きくなるだけでは止めないので、発散していく道筋も
        あふれるまでは返せます。
    ValueError
        w が 1 次元の有限な配列でない、alpha や iters が正でない、
        gradient の返す形が w と違うとき。
    TypeError
        gradient が関数でない、数を返さない、alpha や iters が数でないとき。
    """
    w = as_finite_array("w", w, 1)
    check_positive("alpha", alpha)
    check_positive("iters", iters, integer=True)
    # inf になるのは発散として下で調べる
    gradient = check_callable("gradient", gradient, "w", w.shape,
                              allow_inf=True)
    path = np.empty((iters + 1, w.shape[0]))
    path[0] = w
    for k in range(1, iters + 1):
        path[k] = path[k - 1] - alpha * gradient(path[k - 1])
        if not np.isfinite(path[k]).all():
            # 損失の値は受け取らないので、代わりに点の大きさ ‖w‖ を伝える
            size = np.linalg.norm(path[k])
            raise diverged(alpha, k, np.linalg.norm(path[0]), size,
                           quantity="w の大きさ")
    return path
