"""『Pythonで理解するディープラーニングの数学』のコード。

本文の式はこのパッケージの関数として一度だけ書かれ、ページはそれを表示し(literalinclude)、
実行し(import)、tests/ がそれを検証します。

- :mod:`dlmath.data`: 講演の身長・体重データ
- :mod:`dlmath.preprocess`: 平均を引く処理とダミー変数の列
- :mod:`dlmath.linear`: 線形単回帰(予測関数・損失関数・勾配・勾配降下法)
- :mod:`dlmath.numdiff`: 数値微分(中心差分)
- :mod:`dlmath.plotting`: 日本語が出るグラフの設定
"""

from dlmath.errors import DivergenceError

__all__ = ["DivergenceError"]
__version__ = "0.1.0"
