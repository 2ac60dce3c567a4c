"""各ページが読み込むもの(スクリプト・CSS・画像)を、そのページが使うものだけにする Sphinx 拡張。

スマートフォンで測ると(benchmarks/lighthouse.py)、最初の表示を遅らせていたのは、どのページでも同期で読む
スクリプトと CSS、ページが使わない拡張のファイル、大きさの指定も遅延読み込みもない画像でした。

1. 同じスクリプトを 2 回書かない。sphinx-thebe 0.3.1 の ``const THEBE_JS_URL = ...`` は Sphinx 7 では 2 回
   登録され、2 回目が「Identifier 'THEBE_JS_URL' has already been declared」のエラーになります。また
   jupyter-book は ``_static`` の .js をすべて属性なしで足すので、``html_js_files`` に defer 付きで書いた
   ``dlmath.js`` が 2 回読まれ、クリックが 2 回渡りました。ファイルは名前で、インラインは中身と属性で比べます。
2. ページが使わない拡張のファイルを外す(``UNUSED_UNLESS``: そのページの本文にその印がなければ外す)。
3. スクリプトを defer にする(``documentation_options.js`` だけは、テーマがページに直接書くインラインの
   スクリプトがすぐに使うので同期のまま)。defer のスクリプトどうしは書かれた順に実行されます。
4. 本文の画像に、ファイルから読んだ幅と高さ(読み込み中にレイアウトがずれない)と、最初の 1 枚以外は
   ``loading="lazy"``(画面に近づくまで読まない)を付けます。
5. 本文に埋め込まれた画像(``data:image/...;base64``、例えばアニメーションのコマ)を ``_images`` のファイルに
   移します。base64 の画像は gzip で縮まず、ページと一緒に必ず読まれるので、最初の表示が遅くなります。
   ファイルなら、画面に近づいてから読めます(dlmath.plotting.animation_html はそのときにコマを読みます)。
6. 横にスクロールする部分(コード・出力・表)をキーボードで選べるようにするテーマの関数を、ページ全体の
   レイアウトを強いない形に置き換えます。pydata-sphinx-theme 0.17.1 の ``addTabStopsToScrollableElements``
   は、load のときにすべての pre・出力・表の ``scrollWidth`` を読みます。式の多い章では、これが画面の外の節
   (``content-visibility: auto`` で後回しにしている)まで一度にレイアウトさせ、スマートフォンで 1〜2 秒の
   長いタスクになっていました(Lighthouse の TBT)。代わりに、ビルドのときに pre と表の枠に
   ``tabindex="0"`` を付け(スクロールできる部分を見落とさない)、画面に近づいたものだけを測って、はみ出して
   いなければ ``-1`` に戻します(テーマと同じ規則)。行内の式(``span.math``)も同じように測り、段からはみ出す
   ものだけを ``tabindex="0"`` にします(CSS がその式に、続きがあることを示す影を付けます: _static/dlmath.css)。
   式の字形は上下に 1〜2 px はみ出すので、式は横だけ、1 px より多くはみ出すときに数えます。テーマの版が変わってこの関数が見つからなければビルドは
   失敗するので、そのときは新しい版のスクリプトが同じ問題を持つかを確かめて、この置き換えを直すか外します。
7. 図の PNG を 256 色のパレットにします(``_images`` の中、ビルドの最後)。matplotlib の図は RGBA の
   フルカラーで保存されますが、線と文字とカラーマップだけなので、256 色(ディザなし)にしても見た目は
   変わらず、大きさは約 1/3 になります(2026-12 の測定で 51 枚 2.6 MB → 0.9 MB)。結果は元の画像の
   ハッシュで ``_build/.png-palette`` に覚えておき、次のビルドでは計算し直しません。
8. 図(matplotlib の PNG と、手で描いた SVG)の ``<img>`` に、スマートフォンでも図の文字が 9 px 以上に見える最小の表示幅を
   ``--phone-width`` として書きます(dlmath.plotting.min_display_width)。dlmath.css が幅の狭い画面でだけ
   その幅を使い、本文より広い図は図の枠の中で横にスクロールします。
9. テーマの CSS(pydata-sphinx-theme.css、396 KB、gzip で 65 KB)から、サイトのどの HTML にもスクリプトにも
   現れないクラスだけでできたルールを除きます(Bootstrap のほとんど)。この CSS は最初の表示を止めて読む
   ので、スマートフォンで測ると最初の表示までの時間の大半でした。スクリプトが付けるクラス(show、
   collapsing など)はスクリプトの中に名前があるので残ります。:is() などの中のクラスと属性のセレクターは
   使っているものとみなします(除きすぎない側に倒す)。

いつ外せるか: 項目ごとに、1 は sphinx-thebe と jupyter-book が同じファイルを 2 回登録しなくなれば、2・3 はテーマと
jupyter-book が使うページだけに defer で読み込めば、6 は pydata-sphinx-theme がタブ止めを画面の近くだけで測れば、
9 はテーマが使うクラスだけの CSS を配れば要りません。4・5・7・8 は本の図のための処理で、上流の課題ではありません。
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
from pathlib import Path

from PIL import Image

from dlmath.plotting import MIN_PHONE_TEXT_PX, min_display_width

# ファイル名の一部 → そのファイルが要る印(本文の HTML の一部)。印がないページでは読み込みません。
UNUSED_UNLESS = {
    "sphinx-design": "sd-",           # sphinx-design(本書は使っていない)
    "design-tabs.js": "sd-tab",
    "sphinx-thebe": "thebe-launch-button",  # sphinx-thebe(ライブコードのボタンは出していない)
    "togglebutton": "dropdown",       # 折りたたんだ解答(sphinx-exercise の dropdown)
    "copybutton": 'class="highlight',  # コードのコピーのボタン
    "clipboard.min.js": 'class="highlight',
    "exercise.css": "exercise",
    "sphinx_highlight.js": "\0",      # Sphinx の検索語の強調(検索は Pagefind なので使わない)
}
SYNC = ("_static/documentation_options.js",)
IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
SRC = re.compile(r'\bsrc="([^"]+)"')
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,([A-Za-z0-9+/=]+(?:\\\n[A-Za-z0-9+/=]+)*)")
FONT_SIZE = re.compile(r'font-size[=:]\s*"?([\d.]+)')
VIEWBOX = re.compile(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)')


def _key(script) -> tuple:
    if script.filename:
        return (script.filename,)
    return ("", tuple(sorted(script.attributes.items())))


def _needed(filename: str | None, body: str) -> bool:
    return not any(part in (filename or "") and mark not in body for part, mark in UNUSED_UNLESS.items())


def trim_assets(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body") or ""
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        seen: set[tuple] = set()
        kept = []
        for script in scripts:
            key = _key(script)
            if key in seen or not _needed(script.filename, body):
                continue
            seen.add(key)
            if script.filename and script.filename not in SYNC and "async" not in script.attributes:
                script.attributes.setdefault("defer", "defer")
            kept.append(script)
        scripts[:] = kept
    css = context.get("css_files")
    if isinstance(css, list):
        css[:] = [sheet for sheet in css if _needed(sheet.filename, body)]


def _image_sizes(app) -> dict[str, Path]:
    """出力の _images のファイル名 → 元の画像ファイル。"""
    srcdir = Path(app.srcdir)
    return {dest: srcdir / src for src, dest in app.builder.images.items()}


def intrinsic_size(path: Path) -> tuple[int, int] | None:
    """画像の幅と高さ(px)。SVG は viewBox から。分からなければ None。"""
    if not path.is_file():
        return None
    if path.suffix.lower() == ".svg":
        box = VIEWBOX.search(path.read_bytes()[:4096])
        return (round(float(box.group(1))), round(float(box.group(2)))) if box else None
    with Image.open(path) as image:
        return image.size


def phone_width(path: Path) -> int | None:
    """図を、スマートフォンで文字が読める最小の表示幅(CSS px)。matplotlib の図(解像度の記録がある PNG)と、
    手で描いた SVG(viewBox の幅と、いちばん小さい font-size から)。"""
    if not path.is_file():
        return None
    if path.suffix.lower() == ".svg":
        text = path.read_text(encoding="utf-8", errors="ignore")
        box = VIEWBOX.search(text.encode()[:4096])
        sizes = [float(size) for size in FONT_SIZE.findall(text)]
        return math.ceil(float(box.group(1)) * MIN_PHONE_TEXT_PX / min(sizes)) if box and sizes else None
    if path.suffix.lower() != ".png":
        return None
    with Image.open(path) as image:
        dpi = image.info.get("dpi")
        width = image.size[0]
    return min_display_width(width, dpi[0]) if dpi else None


def size_images(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if not isinstance(body, str) or "<img" not in body:
        return
    sources = _image_sizes(app)
    first = True

    def add_attributes(match):
        nonlocal first
        attrs = match.group(1)
        src = SRC.search(attrs)
        extra = []
        path = sources.get(Path(src.group(1)).name) if src else None
        if path and "width=" not in attrs and "height=" not in attrs:
            size = intrinsic_size(path)
            if size:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        phone = phone_width(path) if path else None
        if phone and "--phone-width" not in attrs:
            if 'style="' in attrs:  # 図の :width: などの既存の style に足す
                attrs = attrs.replace('style="', f'style="--phone-width: {phone}px; ', 1)
            else:
                extra.append(f'style="--phone-width: {phone}px"')
        if not first and "loading=" not in attrs:
            extra.append('loading="lazy"')
        extra.append('decoding="async"' if "decoding=" not in attrs else "")
        first = False
        return f"<img{attrs} {' '.join(e for e in extra if e)} />"

    context["body"] = IMG.sub(add_attributes, body)


def externalize_data_images(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if not isinstance(body, str) or "data:image/" not in body:
        return
    folder = Path(app.outdir) / "_images"
    folder.mkdir(parents=True, exist_ok=True)

    def to_file(match):
        data = base64.b64decode(match.group(2).replace("\\\n", ""))
        name = f"inline-{hashlib.sha1(data).hexdigest()[:16]}.{match.group(1).removesuffix('+xml')}"
        if not (folder / name).exists():
            (folder / name).write_bytes(data)
        return context["pathto"](f"_images/{name}", 1)

    context["body"] = DATA_IMAGE.sub(to_file, body)


THEME_SCRIPT = "_static/scripts/pydata-sphinx-theme.js"
THEME_TAB_STOPS = (
    'function I(){const e=()=>{document.querySelectorAll(["pre",".nboutput > .output_area",'
    '".cell_output > .output",".jp-RenderedHTMLCommon",".pst-scrollable-table-container"].join(", "))'
    '.forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})},t=_(e,300);'
    'window.addEventListener("resize",t),new MutationObserver(t).observe(document.getElementById("main-content"),'
    '{subtree:!0,childList:!0}),e()}'
)
NEAR_TAB_STOPS = (
    'function I(){/* dlmath: _ext/page_assets.py */const s=["pre",".nboutput > .output_area",'
    '".cell_output > .output",".jp-RenderedHTMLCommon",".pst-scrollable-table-container","span.math"].join(", "),'
    'c=e=>{const m=e.matches("span.math");'
    'e.tabIndex=e.scrollWidth>e.clientWidth+(m?1:0)||!m&&e.scrollHeight>e.clientHeight?0:-1},n=new Set,'
    'o=new IntersectionObserver(t=>{for(const e of t)e.isIntersecting?(n.add(e.target),c(e.target))'
    ':n.delete(e.target)},{rootMargin:"100% 0px"});document.querySelectorAll(s).forEach(e=>o.observe(e));'
    'window.addEventListener("resize",_(()=>n.forEach(c),300))}'
)
SCROLL_REGION = re.compile(r'<(pre|div class="pst-scrollable-table-container")(?![^>]*tabindex)')


def focusable_scroll_regions(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = SCROLL_REGION.sub(r'<\1 tabindex="0"', body)


def measure_tab_stops_near_the_screen(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    script = Path(app.outdir) / THEME_SCRIPT
    text = script.read_text(encoding="utf-8")
    if NEAR_TAB_STOPS in text:
        return
    if THEME_TAB_STOPS not in text:
        raise RuntimeError(
            f"{THEME_SCRIPT}: the theme's addTabStopsToScrollableElements changed; "
            "see point 6 of _ext/page_assets.py and update or remove the replacement"
        )
    script.write_text(text.replace(THEME_TAB_STOPS, NEAR_TAB_STOPS), encoding="utf-8")


def palette_images(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.outdir).parent / ".png-palette"
    cache.mkdir(exist_ok=True)
    for path in (Path(app.outdir) / "_images").glob("*.png"):
        data = path.read_bytes()
        key = cache / f"{hashlib.sha1(data).hexdigest()}.png"
        if not key.exists():
            with Image.open(path) as image:
                if image.mode == "P":
                    continue
                buffer = io.BytesIO()
                palette = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                                        dither=Image.Dither.NONE)
                # 解像度(dpi)の記録は残す: 図の文字の大きさを表示の幅から求めるのに使う
                options = {"dpi": image.info["dpi"]} if "dpi" in image.info else {}
                palette.save(buffer, format="png", optimize=True, **options)
            smaller = buffer.getvalue() if len(buffer.getvalue()) < len(data) else data
            key.write_bytes(smaller)
        path.write_bytes(key.read_bytes())


THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
CLASS = re.compile(r"\.([A-Za-z_][-\w]*)")
WORD = re.compile(r"[A-Za-z_][-\w]*")
COMMENT = re.compile(r"/\*.*?\*/", re.S)
FUNCTIONAL = re.compile(r":(?:not|is|where|has|matches)\([^)]*\)|\[[^\]]*\]")


def css_blocks(css: str):
    """CSS を (前置き, 中身) の並びに分ける(中括弧の入れ子と引用符を数える)。"""
    index = 0
    while index < len(css):
        start = css.find("{", index)
        if start < 0:
            return
        depth, end, quote = 1, start + 1, None
        while depth and end < len(css):
            char = css[end]
            if quote:
                if char == "\\":
                    end += 1
                elif char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char in "{}":
                depth += 1 if char == "{" else -1
            end += 1
        yield css[index:start], css[start + 1:end - 1]
        index = end


def purge_css(css: str, words: set[str]) -> str:
    """words に名前のないクラスだけでできたルールを除いた CSS。"""
    kept = []
    for prelude, body in css_blocks(css):
        head = prelude.strip()
        if head.startswith(("@media", "@supports", "@layer", "@container")):
            inner = purge_css(body, words)
            if inner:
                kept.append(f"{head}{{{inner}}}")
        elif head.startswith("@") or any(
                set(CLASS.findall(FUNCTIONAL.sub("", selector))) <= words
                for selector in COMMENT.sub("", head).split(",")):
            kept.append(f"{head}{{{body}}}")
    return "".join(kept)


def purge_theme_css(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    sources = [*outdir.rglob("*.html"), *(outdir / "_static").rglob("*.js")]
    words = set()
    for path in sources:
        if "pagefind" not in path.parts:
            words.update(WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
    path = outdir / THEME_CSS
    path.write_text(purge_css(path.read_text(encoding="utf-8"), words), encoding="utf-8")


def setup(app):
    # ほかの拡張がページごとのスクリプトや CSS を足し終えた後に整理します。
    app.connect("html-page-context", trim_assets, priority=900)
    app.connect("html-page-context", externalize_data_images)
    app.connect("html-page-context", focusable_scroll_regions)
    app.connect("build-finished", measure_tab_stops_near_the_screen)
    app.connect("build-finished", palette_images)
    app.connect("build-finished", purge_theme_css)
    app.connect("html-page-context", size_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
