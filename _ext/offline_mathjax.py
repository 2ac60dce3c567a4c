"""MathJax 3 を CDN からではなくサイト自身から配信する Sphinx 拡張。

Sphinx は既定で MathJax を cdn.jsdelivr.net から読み込むので、オフラインや学校のフィルタ付きの
ネットワークでは数式が表示されず、ページを開くたびに外部のホストへリクエストが飛びます。
そこで PyPI の ``django-static-mathjax``(Apache-2.0、公式の MathJax 3.2.2 の ``es5/`` をそのまま含む。
import に Django は要りません)から、ページが使うものだけを ``_static/mathjax/`` にコピーし、
``mathjax_path`` をそこへ向けます。MyST が設定する ``mathjax3_config``(処理するクラス)はそのままです。

コピーするもの(合計 約 1.7 MB、読者が受け取るのは gzip で約 300 KB + 使う字形のフォントだけ):

- ``tex-chtml-full.js``: TeX 入力 + CommonHTML 出力。``-full`` はすべての TeX 拡張
  (``\\boldsymbol``、``\\operatorname``、``aligned`` など)を含むので、拡張ファイルの追加の読み込みが起きません。
  SVG 出力の ``tex-svg-full.js`` は gzip で約 700 KB と倍以上あるので使いません。
- ``output/chtml/fonts/woff-v2/*.woff``: CommonHTML の数式フォント。ブラウザは使う字形のものだけを取りに来ます。
- ``LICENSE``: MathJax のライセンス(Apache-2.0)。
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.ext.mathjax import MATHJAX_URL

SCRIPT = "tex-chtml-full.js"
FONTS = "output/chtml/fonts/woff-v2"
TARGET = Path("_static") / "mathjax"
MATHJAX_PATH = f"mathjax/{SCRIPT}"  # mathjax_path は html_static_path からの相対パス


def mathjax_root() -> Path:
    """django-static-mathjax が入れた MathJax 配布物のディレクトリ(LICENSE と es5/ がある)。"""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax がありません: pip install -r requirements.txt(django-static-mathjax)")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"


def shipped_files(root: Path | None = None) -> dict[Path, Path]:
    """{出力の _static/mathjax からの相対パス: コピー元}。"""
    root = root or mathjax_root()
    es5 = root / "es5"
    files = {Path(SCRIPT): es5 / SCRIPT, Path("LICENSE"): root / "LICENSE"}
    for font in sorted((es5 / FONTS).glob("*.woff")):
        files[Path(FONTS) / font.name] = font
    missing = [str(src) for src in files.values() if not src.is_file()]
    if missing or len(files) < 3:
        raise RuntimeError(f"MathJax のファイルが見つかりません: {missing or es5 / FONTS}")
    return files


def use_local_mathjax(app, config) -> None:
    # 既定(CDN)のときだけ置き換えます。_config.yml で別の場所を指定していればそれに従います。
    if config.mathjax_path == MATHJAX_URL:
        config.mathjax_path = MATHJAX_PATH


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if app.config.mathjax_path != MATHJAX_PATH:
        return
    target = Path(app.outdir) / TARGET
    for rel, src in shipped_files().items():
        dest = target / rel
        src_stat = src.stat()
        # 差分ビルドを速く保つため、同じものがすでにあればコピーしません。
        if dest.exists() and (dest_stat := dest.stat()).st_size == src_stat.st_size and dest_stat.st_mtime >= src_stat.st_mtime:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def setup(app):
    # sphinx.ext.mathjax の設定値を上書きするので、先に読み込ませます(jupyter-book では常に入っています)。
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
