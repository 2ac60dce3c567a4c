"""グラフの共通設定。import するだけで日本語の文字が正しく表示されます。

フォントは matplotlib-fontja が同梱する IPAexゴシックを使うので、
ネットワークや OS のフォントには頼りません。
"""

import matplotlib
import matplotlib_fontja  # noqa: F401  (import するとフォントが登録・設定される)

matplotlib.rcParams.update(
    {
        "figure.figsize": (6.0, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.grid": True,
        "grid.alpha": 0.3,
        # ダークモードでも読めるよう、図の背景は白のまま(透明にしない)
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.unicode_minus": False,  # IPAexゴシックには U+2212 がないので ASCII のマイナスを使う
    }
)
