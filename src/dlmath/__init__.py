"""『Pythonで理解するディープラーニングの数学』のコード。

本文の式はこのパッケージの関数として一度だけ書かれ、ページはそれを表示し(literalinclude)、
実行し(import)、tests/ がそれを検証します。

- :mod:`dlmath.data`: 講演の身長・体重データと、scikit-learn 同梱のアヤメ・手書き数字・糖尿病のデータ
- :mod:`dlmath.preprocess`: 平均を引く処理、標準化、ダミー変数の列、one-hot、学習データとテストデータへの分割
- :mod:`dlmath.linear`: 線形回帰(予測関数・損失関数・勾配・勾配降下法・正規方程式の解)
- :mod:`dlmath.activations`: シグモイド関数・ReLU・ソフトマックス関数(桁あふれしない計算)
- :mod:`dlmath.logistic`: ロジスティック回帰(2値分類)
- :mod:`dlmath.multiclass`: ソフトマックス回帰(多値分類)と混同行列
- :mod:`dlmath.evaluation`: 分類器の評価(適合率・再現率・F1 スコア、マクロ平均・マイクロ平均、適合率-再現率曲線)
- :mod:`dlmath.network`: ニューラルネットワーク(順伝播・誤差逆伝播法・初期値と、ミニバッチ・早期終了つきの学習)
- :mod:`dlmath.optimizers`: 重みの更新のしかた(SGD・モメンタム・RMSProp・Adam)
- :mod:`dlmath.training`: ロジスティック回帰・ソフトマックス回帰の学習ループ(全データの勾配降下法)
- :mod:`dlmath.numdiff`: 数値微分(前進差分・中心差分)と勾配の検算
- :mod:`dlmath.descent`: 関数の勾配降下法の道筋(数学の準備)
- :mod:`dlmath.curvature`: ヘッセ行列・固有値・条件数(数学の準備)
- :mod:`dlmath.probability`: ベルヌーイ分布・正規分布と対数尤度(数学の準備)
- :mod:`dlmath.information`: 情報量・エントロピー・交差エントロピー・KL ダイバージェンス(数学の準備)
- :mod:`dlmath.errors`: 発散の検出と例外
- :mod:`dlmath.plotting`: 日本語が出るグラフの設定

入力の約束: どの公開関数(と公開クラスの公開メソッド)も、正しい有限の結果を返すか、引数の名前・受け取ったもの・
期待するものを書いた ``ValueError``(値や形が違う)か ``TypeError``(型が違う)を送出します。黙ってブロードキャストせず、
複素数は実部に丸めずに断り、渡された配列は書き換えません。乱数 ``rng`` は ``numpy.random.Generator`` か整数の種
(``numpy.random.default_rng(seed)`` にする)で、None や文字列は ``TypeError`` です。
検査はすべて :mod:`dlmath._validation` にあり、その docstring が約束の全体です。
"""

from dlmath.errors import DivergenceError

__all__ = ["DivergenceError"]
__version__ = "1.0.0"
