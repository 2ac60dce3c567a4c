"""パッケージ共通の例外。"""


class DivergenceError(ValueError):
    """勾配降下法が発散した(損失が増え続けた、または有限でなくなった)ことを表す。

    学習率 ``alpha`` が大きすぎるのが典型的な原因なので、``ValueError`` の一種としています。
    """
