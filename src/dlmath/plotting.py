"""グラフと出力の共通設定。import するだけで日本語の文字が正しく表示され、NumPy の数が型名なしで表示されます。

フォントは matplotlib-fontja が同梱する IPAexゴシックを使うので、
ネットワークや OS のフォントには頼りません。
"""

import base64
import io
import math
import os
import re
import warnings
from html import escape

import matplotlib
import matplotlib_fontja  # noqa: F401  (import するとフォントが登録・設定される)
import numpy as np
from matplotlib.text import Text
from PIL import Image

from dlmath._validation import check_count, check_positive, received

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


# 図の文字の大きさ。スマートフォン(幅 390 px)でも文字が 9 px 以上に見えるように、本の図の文字は 10 pt 以上にし、
# 幅の広い図はスマートフォンで min_display_width の幅で見せます(_ext/page_assets.py が <img> に書き、横にスクロール)。
MIN_FONT_PT = 10
MIN_PHONE_TEXT_PX = 9


def min_display_width(width_px, dpi):
    """幅 width_px の図(解像度 dpi)を、MIN_FONT_PT の文字が MIN_PHONE_TEXT_PX 以上に見える最小の表示幅(CSS px)。"""
    width_px = check_positive("width_px", width_px, integer=True)
    dpi = check_positive("dpi", dpi)
    text_px_at_full_size = MIN_FONT_PT / 72 * dpi
    return math.ceil(width_px * MIN_PHONE_TEXT_PX / text_px_at_full_size)


def _check_font_sizes(fig):
    """描くたびに、図の見えている文字がどれも MIN_FONT_PT 以上かを確かめ、小さければ警告する。

    本のビルドでは(環境変数 DLMATH_CHECK_FIGURES=1、Makefile が設定)すべての図に付けるので、警告は
    セルの stderr になり、ビルドが止まります(rcParams の ``figure.hooks``)。
    """
    def on_draw(event):
        small = sorted({(round(t.get_fontsize(), 1), t.get_text()) for t in event.canvas.figure.findobj(Text)
                        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT})
        if small:
            listed = "、".join(f"「{text[:20]}」{size:g} pt" for size, text in small[:5])
            warnings.warn(f"図の文字が小さすぎます: {listed}。スマートフォンでも読めるよう、"
                          f"{MIN_FONT_PT} pt 以上にしてください(fontsize を指定しないと {MIN_FONT_PT} pt)",
                          stacklevel=2)

    fig.canvas.mpl_connect("draw_event", on_draw)


if os.environ.get("DLMATH_CHECK_FIGURES"):
    matplotlib.rcParams["figure.hooks"] = [*matplotlib.rcParams["figure.hooks"], "dlmath.plotting:_check_font_sizes"]


# NumPy 2 は数の表示を np.float64(0.7) のように型名付きにします。ページの出力は読む人のためのものなので、
# NumPy 1.x と同じく 0.7 と表示させます(この設定が変えるのはスカラーの表示だけで、計算には影響しません)。
if int(np.__version__.split(".")[0]) >= 2:
    np.set_printoptions(legacy="1.25")

# アニメーションの再生ボタンの説明(マウスを重ねたときに出る文字)と、再生のしかたの選択肢の日本語
_ANIMATION_LABELS = {
    "Decrease speed": "遅くする", "First frame": "最初のコマ", "Previous frame": "前のコマ",
    "Play backwards": "逆向きに再生", "Pause": "一時停止", "Play": "再生", "Next frame": "次のコマ",
    "Last frame": "最後のコマ", "Increase speed": "速くする", "Repetition mode": "繰り返し方",
    "Once": "1回", "Loop": "繰り返す", "Reflect": "往復",
}


def animation_html(anim, alt, colors=32):
    """matplotlib の FuncAnimation を、ほかのサイトから何も読み込まない小さな HTML にする。

    ``to_jshtml`` の出力から、ほかのサイトの CSS を読む行を除き、コマの画像に説明 ``alt`` を付け、
    ボタンの説明を日本語にし、スマートフォンの幅に収め、各コマの PNG を ``colors`` 色に減らして小さくし、
    コマの幅と高さを ``<img>`` に書きます。印刷のときは、代わりに最後のコマをベクトルの図(SVG)で見せます。

    Returns
    -------
    str
        ``IPython.display.HTML`` でページに埋め込む HTML。
    """
    if not isinstance(alt, str):
        raise TypeError(f"alt はアニメーションを説明する文字列にしてください。{received(alt)}")
    if not alt.strip():
        raise ValueError("alt は、アニメーションを見られない読者のための説明にしてください。受け取ったのは空の文字列です。")
    check_count("colors", colors, 1, 256, reason="(PNG のパレットは 256 色まで)")
    if not callable(getattr(anim, "to_jshtml", None)):
        raise TypeError(f"anim は FuncAnimation のような matplotlib のアニメーションにしてください。{received(anim)}")
    html = anim.to_jshtml(default_mode="once")
    still = _last_frame_html(anim, alt)  # to_jshtml が全部のコマを描いたあとなので、図は最後のコマになっている
    # matplotlib はボタンのアイコンの CSS を CDN から読むので外す(アイコンの字形はサイトに同梱のものを使う)
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*">', "", html)
    html = html.replace("<img id=", f'<img alt="{escape(alt)}" id=', 1)
    html = html.replace('class="fa fa-play fa-flip-horizontal"', 'class="fa fa-play" style="transform: scaleX(-1)"')
    html = html.replace("width: 374px;", "width: 100%; max-width: 374px;").replace("width: 36px;", "width: 32px;")
    # コマを選ぶスライダーには名前がない(読み上げで「スライダー」としか言われない)
    html = html.replace('type="range" class="anim-slider"', 'type="range" class="anim-slider" aria-label="表示するコマ"', 1)
    for english, japanese in _ANIMATION_LABELS.items():
        for attribute in ("title", "aria-label"):
            html = html.replace(f'{attribute}="{english}"', f'{attribute}="{japanese}"')
        html = html.replace(f">{english}<", f">{japanese}<")

    def shrink(match):
        image = Image.open(io.BytesIO(base64.b64decode(match.group(1).replace("\\\n", ""))))
        buffer = io.BytesIO()
        image.convert("RGB").quantize(colors).save(buffer, format="png", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    html = re.sub(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)", shrink, html)
    # 最初のコマを <img> の src と幅・高さに書いておく: スクリプトが動く前(動かないときも)最初のコマが見え、
    # その場所が空けられているのでレイアウトがずれない
    first = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    if first:
        width, height = Image.open(io.BytesIO(base64.b64decode(first.group(1)))).size
        size = f'src="{first.group(0)}" width="{width}" height="{height}"'
        html = html.replace("<img alt=", f"<img {size} alt=", 1)
    # コマの画像を読むのは、アニメーションが画面に近づいてから(matplotlib は作るとすぐ全部のコマを読む)
    start = r"(?:/\*[^*]*set a timeout[^*]*\*/\s*)?setTimeout\(function\(\) \{(.*?)\}, 0\);"
    return re.sub(start, _WHEN_NEAR, html, count=1, flags=re.S) + still


def _last_frame_html(anim, alt):
    """印刷(ブラウザの印刷と PDF 版)のための、最後のコマ(道筋の全体が見える)のベクトルの図。画面では隠す。"""
    fig = getattr(anim, "_fig", None)  # matplotlib の Animation は図を _fig に持つ(公開の名前がない)
    if fig is None:
        raise TypeError(f"anim は図に描く matplotlib のアニメーションにしてください。{received(anim)}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")  # 余白を詰めない: 図の白い背景が四隅まで(コマの PNG と同じ範囲)
    data = base64.b64encode(buffer.getvalue()).decode()
    # 図の大きさ(pt)を CSS の px(1 pt = 4/3 px)で <img> に書く: 読み込む前から場所が決まる
    width, height = (round(float(v) * 4 / 3) for v in re.search(
        rb'width="([\d.]+)pt" height="([\d.]+)pt"', buffer.getvalue()).groups())
    return (
        "<style>.dlmath-animation-still { display: none; }\n"
        "@media print { .animation { display: none; } .dlmath-animation-still { display: block; } }</style>\n"
        f'<div class="dlmath-animation-still"><img src="data:image/svg+xml;base64,{data}" width="{width}" '
        f'height="{height}" alt="{escape(alt)}(最後のコマ)">\n'
        "<p>(アニメーションの最後のコマです。動く様子は Web 版で見られます。)</p></div>\n"
    )


# 先頭の ; は、直前の frames[...] = "..." の行(セミコロンなし)と続けて関数呼び出しと読まれないため
_WHEN_NEAR = r""";(function (start) {
      var img = document.getElementById(img_id);
      if (!("IntersectionObserver" in window) || !img) { start(); return; }
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); start(); }
      }, {rootMargin: "100% 0px"});
      observer.observe(img);
    })(function () {\1});"""
