"""テーマの Font Awesome(スクリプト約 1.5 MB と、フォント solid 153 KiB・brands 115 KiB)を、このサイトが
使うアイコンの分だけにする Sphinx 拡張。

pydata-sphinx-theme 0.17 は、``<i class="fa-solid fa-...">`` を SVG に置き換えるため、Font Awesome の全アイコン
(約 2,000 個)を含む ``_static/scripts/fontawesome.js`` を全ページで読み込みます。けれども同じアイコンは、
テーマの CSS が Font Awesome のフォントの字(``.fa-名前::before`` の ``content``)としても描くので、スクリプトが
なくても表示は変わりません(tests/test_browser.py が、スクリプトを切ったページのアイコンを確かめます)。そこで
ビルドの最後に

1. ``fontawesome.js`` を、何もしない 1 行のファイルに置き換えます(テーマのテンプレートがどのページでも
   ``<script defer>`` で読むので、ファイルは残します)。テーマのスクリプトの中身は読みません。
2. 出力の HTML と JavaScript から ``fa-名前`` を集め、出力の CSS から、Font Awesome の文字(私用領域
   U+E000–U+F8FF)を ``content`` やカスタムプロパティに持つ規則を集めます。``.fa-名前::before`` だけの規則は
   集めた名前のものだけ、それ以外(アドモニションや演習問題の見出しの ``::after``、github.com へのリンクの
   ``a.github::before`` など)はすべての文字を残します。
3. テーマに同梱のフォントを、その文字だけにサブセットして同じファイル名で書き出します(woff2 は brotli が必要)。

ページの HTML(テーマのテンプレート)は変えず、ほかのホストへのリクエストも増えません。Font Awesome Free の
アイコンは CC BY 4.0、フォントは SIL OFL 1.1 です。

いつ外せるか: テーマが使うアイコンだけを読み込むようになれば(pydata-sphinx-theme #2379、#2494)要りません。
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
WEBFONTS = Path("_static") / "vendor" / "fontawesome" / "webfonts"
USED = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
EMPTY_SCRIPT = "/* アイコンはテーマの CSS が Font Awesome のフォントで描きます(_ext/icons.py)。 */\n"


def theme_webfonts() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / WEBFONTS.relative_to("_static")


def used_icons(outdir: Path) -> set[str]:
    """出力の HTML と JavaScript に現れる fa-名前。"""
    names: set[str] = set()
    for path in outdir.rglob("*"):
        if path.suffix in {".html", ".js"} and path.is_file() and path.name != SCRIPT.name:
            names.update(USED.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


# ---- フォント ----------------------------------------------------------------------------------

CSS_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
CSS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
FA_CLASS_RULE = re.compile(r"\.fa-([a-z0-9-]+)(?:::?before|::?after)?")


def _private_use(text: str) -> set[int]:
    text = CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return {ord(c) for c in text if 0xE000 <= ord(c) <= 0xF8FF}


def font_codepoints(outdir: Path, used: set[str]) -> set[int]:
    """出力の CSS が Font Awesome のフォントで描きうる文字のうち、このサイトで要るもの。

    ``.fa-名前::before`` だけからなる規則(Font Awesome 本体の CSS)は、HTML と JavaScript に現れる名前のものだけ。
    それ以外の規則(アドモニションの ``::after``、``a.github::before``、``--pst-icon-*`` の定義など)は、
    要素があるかどうかを問わずすべて残します(数十文字で、取りこぼすより安全)。
    """
    codepoints: set[int] = set()
    for css in sorted((outdir / "_static").rglob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        for selector, body in CSS_RULE.findall(text):
            found = set().union(*(_private_use(a or b) for a, b in CSS_STRING.findall(body)))
            if not found:
                continue
            selectors = [s.strip() for s in selector.split(",")]
            names = [FA_CLASS_RULE.fullmatch(s) for s in selectors]
            if all(names):
                if not any(m.group(1) in used for m in names):
                    continue
            codepoints |= found
    return codepoints


def subset_font(source: Path, target: Path, codepoints: set[int]) -> None:
    """source のフォントを codepoints の文字だけにして target に書く(形式は target の拡張子のまま)。"""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2" if target.suffix == ".woff2" else None
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # 名前とライセンスの表記は残す
    options.notdef_outline = True
    font = TTFont(source)
    # solid・regular・brands は別のフォントなので、使う文字のうちこのフォントにあるものだけを渡します
    # (ないものを渡すと fontTools が「Missing glyphs」をログに書き、ビルドのログがエラーのように見えるため)。
    present = codepoints & set(font.getBestCmap())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=present)
    # fontTools は表ごとの経過(「cmap pruned」など、1 回のビルドで約 160 行)を INFO で書きます。読者が何かを
    # する必要のある情報ではないので、警告以上だけにします(ルートのロガーを INFO にするパッケージがあるため)。
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    subsetter.subset(font)
    font.flavor = options.flavor
    font.save(target)


def write_subset_fonts(outdir: Path, used: set[str]) -> None:
    target_dir = outdir / WEBFONTS
    if not target_dir.is_dir():
        return
    codepoints = font_codepoints(outdir, used)
    source_dir = theme_webfonts()
    for target in sorted(target_dir.glob("fa-*")):
        if target.suffix not in {".woff2", ".ttf"}:
            continue
        source = source_dir / target.name
        # 前回のビルドでサブセットしたものではなく、テーマの元のフォントから作ります。
        subset_font(source if source.exists() else target, target, codepoints)


def trim_icons(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    target = outdir / SCRIPT
    if target.exists():  # テーマが読み込んでいれば、何もしないスクリプトにする
        target.write_text(EMPTY_SCRIPT, encoding="utf-8")
        target.with_name(SCRIPT.name + ".map").unlink(missing_ok=True)  # 元のスクリプトのソースマップ
    write_subset_fonts(outdir, used_icons(outdir))


def setup(app):
    # ノートブックのボタンなど、ほかの拡張がページを書き終えた後に集めます。
    app.connect("build-finished", trim_icons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
