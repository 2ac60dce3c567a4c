"""テーマのアイコン用スクリプト(Font Awesome、約 1.5 MB)を、サイトで使うアイコンだけのものに置き換える Sphinx 拡張。

pydata-sphinx-theme は、ヘッダーのボタンなどの ``<i class="fa-solid fa-...">`` を SVG に置き換えるため、
Font Awesome の全アイコン(約 2,000 個)を含む ``_static/scripts/fontawesome.js`` を全ページで読み込みます。
この本が使うアイコンは 20 個ほどなので、ビルドの最後に

1. 出力された HTML と JavaScript から ``fa-名前`` を集め、
2. テーマに同梱の fontawesome.js から、そのアイコンの形(SVG のパス)と Font Awesome の CSS のうち
   インラインの SVG に関わる部分を取り出し、
3. 同じ置き換え(``<i>`` → ``<svg class="svg-inline--fa ...">``)だけをする小さなスクリプトを、
   同じ場所(``_static/scripts/fontawesome.js``)に書き出します。

テーマの CSS は、Font Awesome のフォント(``_static/vendor/fontawesome/webfonts/fa-*.woff2``、
solid 153 KiB・brands 115 KiB)も ``@font-face`` で読み込みます。使われるのは、アドモニションや演習問題の見出しの
``::after``(``content: var(--pst-icon-...)`` など)、github.com へのリンクの ``a.github::before``、
スクリプトが SVG に置き換える前の ``<i class="fa-...">`` です。そこで同じくビルドの最後に

4. 出力の CSS から、Font Awesome の文字(私用領域 U+E000–U+F8FF)を ``content`` やカスタムプロパティに持つ規則を集め、
   ``.fa-名前::before`` だけの規則は 1. で集めた名前のものだけ、それ以外(アドモニションなど)はすべての文字を残し、
5. テーマに同梱のフォントを、その文字だけにサブセットして同じファイル名で書き出します(woff2 は brotli が必要)。

ページの HTML(テーマのテンプレート)は変えません。アイコンの形・色(currentColor)・大きさは元のままで、
ほかのホストへのリクエストも増えません。Font Awesome Free のアイコンは CC BY 4.0、コードは MIT です。
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
WEBFONTS = Path("_static") / "vendor" / "fontawesome" / "webfonts"
# 定義の区切り: パックごとに d("fab",p) のように登録されます(pydata-sphinx-theme 0.17 の webpack の出力)。
PACK_END = re.compile(r'\bd\("(fab|far|fas)",\w+\)')
ICON = re.compile(r'[{,](?:"([a-z0-9-]+)"|([a-z0-9]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*","((?:[^"\\]|\\.)*)"\]')
PREFIXES = {"fa": "fas", "fas": "fas", "fa-solid": "fas", "far": "far", "fa-regular": "far", "fab": "fab", "fa-brands": "fab"}
USED = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")

RUNTIME = """\
/* このサイトで使う Font Awesome Free のアイコンだけを含む置き換え(_ext/icons.py が生成)。
   Icons: CC BY 4.0 / Code: MIT, Font Awesome Free https://fontawesome.com/license/free */
(function () {
  "use strict";
  var ICONS = %(icons)s;
  var ALIASES = %(aliases)s;
  var PREFIXES = %(prefixes)s;
  var CSS = %(css)s;
  var SELECTOR = Object.keys(PREFIXES).map(function (c) { return "." + c; }).join(",");
  var SVG = "http://www.w3.org/2000/svg";

  function render(el) {
    if (el.namespaceURI === SVG) return;
    var classes = Array.prototype.slice.call(el.classList);
    var prefix = "fas";
    classes.forEach(function (c) { if (PREFIXES[c]) prefix = PREFIXES[c]; });
    var pack = ICONS[prefix] || {};
    var name = null, iconClass = null;
    classes.forEach(function (c) {
      if (name || c.indexOf("fa-") !== 0) return;
      var n = (ALIASES[prefix] || {})[c.slice(3)] || c.slice(3);
      if (pack[n]) { name = n; iconClass = c; }
    });
    if (!name) return;
    var icon = pack[name];
    var svg = document.createElementNS(SVG, "svg");
    Array.prototype.forEach.call(el.attributes, function (a) {
      if (a.name !== "class") svg.setAttribute(a.name, a.value);
    });
    var extra = classes.filter(function (c) { return !PREFIXES[c] && c !== iconClass; });
    svg.setAttribute("class", ["svg-inline--fa", "fa-" + name].concat(extra).join(" "));
    svg.setAttribute("data-prefix", prefix);
    svg.setAttribute("data-icon", name);
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("role", "img");
    svg.setAttribute("viewBox", "0 0 " + icon[0] + " " + icon[1]);
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", icon[2]);
    svg.appendChild(path);
    el.parentNode.replaceChild(svg, el);
  }

  function run(root) {
    if (root.matches && root.matches(SELECTOR)) render(root);
    if (root.querySelectorAll) Array.prototype.forEach.call(root.querySelectorAll(SELECTOR), render);
  }

  var style = document.createElement("style");
  style.textContent = CSS;
  document.head.appendChild(style);
  function start() {
    run(document);
    new MutationObserver(function (records) {
      records.forEach(function (r) { Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) run(n); }); });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
"""


def theme_script() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / SCRIPT.relative_to("_static")


@lru_cache(maxsize=1)
def parse_fontawesome(path: Path) -> tuple[dict, dict, str]:
    """fontawesome.js から ({パック: {名前: [幅, 高さ, パス]}}, {パック: {別名: 名前}}, SVG 用の CSS)。"""
    text = path.read_text(encoding="utf-8")
    icons: dict[str, dict] = {}
    aliases: dict[str, dict] = {}
    start = 0
    for end in PACK_END.finditer(text):
        pack = end.group(1)
        if pack in icons:
            continue
        icons[pack], aliases[pack] = {}, {}
        for match in ICON.finditer(text, start, end.start()):
            name = match.group(1) or match.group(2)
            icons[pack][name] = [int(match.group(3)), int(match.group(4)), json.loads(f'"{match.group(6)}"')]
            for alias in re.findall(r'"([a-z0-9-]+)"', match.group(5)):
                aliases[pack][alias] = name
        start = end.end()
    if not all(icons.get(pack) for pack in ("fab", "far", "fas")):
        raise RuntimeError(f"{path} からアイコンを読み取れませんでした(テーマの版が変わった?)")
    css_start = text.index(":host,:root{--fa-font-solid")
    css = text[css_start : text.index("'", css_start)]
    rules = re.findall(r"[^{}]+\{[^{}]*\}", re.sub(r"@[a-z-]+[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css))
    keep = [
        rule
        for rule in rules
        if ("svg-inline--fa" in rule.split("{")[0] and not re.search(r"fa-(layers|stack|li|pull|duotone|swap)", rule))
        or re.fullmatch(r"\s*\.fa-(2xs|xs|sm|lg|xl|2xl|\d+x|fw)(,\s*\.fa-\w+)*\s*", rule.split("{")[0])
    ]
    return icons, aliases, "".join(keep)


def used_icons(outdir: Path) -> set[str]:
    """出力の HTML と JavaScript に現れる fa-名前。"""
    names: set[str] = set()
    for path in outdir.rglob("*"):
        if path.suffix in {".html", ".js"} and path.is_file() and path.name != SCRIPT.name:
            names.update(USED.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def trimmed_script(used: set[str], source: Path | None = None) -> str:
    """used(サイトに現れる fa-名前)のアイコンだけを含む置き換えスクリプト。"""
    icons, aliases, css = parse_fontawesome(source or theme_script())
    keep_icons, keep_aliases = {}, {}
    for pack in icons:
        wanted = {aliases[pack].get(name, name) for name in used}
        keep_icons[pack] = {name: icons[pack][name] for name in sorted(wanted) if name in icons[pack]}
        keep_aliases[pack] = {alias: name for alias, name in aliases[pack].items() if alias in used}
    dump = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    return RUNTIME % {
        "icons": dump(keep_icons),
        "aliases": dump(keep_aliases),
        "prefixes": dump(PREFIXES),
        "css": dump(css),
    }


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


def theme_webfonts() -> Path:
    return theme_script().parents[1] / WEBFONTS.relative_to("_static")


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


def write_trimmed_script(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    target = outdir / SCRIPT
    if not target.exists():  # テーマが読み込んでいなければ何もしない
        return
    used = used_icons(outdir)  # 出力の HTML と JavaScript を 1 回だけ読み、スクリプトとフォントの両方に使う
    target.write_text(trimmed_script(used), encoding="utf-8")
    target.with_name(SCRIPT.name + ".map").unlink(missing_ok=True)  # 元のスクリプトのソースマップ
    write_subset_fonts(outdir, used)


def setup(app):
    # ノートブックのボタンなど、ほかの拡張がページを書き終えた後に集めます。
    app.connect("build-finished", write_trimmed_script, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
