"""日本語で検索できるように、ビルドの最後に Pagefind で検索索引を作る Sphinx 拡張。

Sphinx の組み込み検索は、索引を作るときと検索語を分けるときで日本語の区切り方が違うため、
「損失関数」「学習率」のような文中の語が見つかりません。Pagefind(PyPI の ``pagefind[extended]``。
extended 版は日本語を単語に分けられます)は出来上がった HTML を読んで索引を作ります。

- 索引に入れるのは記事の本文だけです。``_templates/page.html`` が本文を ``data-pagefind-body`` で
  囲むので、サイドバー・目次・ヘッダーや、本文を持たない search.html・genindex.html・index.html
  (リダイレクト)は索引に入りません。
- 検索画面は ``_templates/search.html``(Pagefind UI)。テーマの検索欄は ``search.html?q=語`` を開きます。
- 索引(``pagefind/``)は出力先の中に作り、URL はすべてサイトからの相対で扱うので、
  GitHub Pages のサブパス(``/dlmath/``)でもそのまま動きます。

Pagefind(extended 版)は日本語の辞書を読み込むだけで 1.3 秒ほどかかるので、変更のない差分ビルドを
速く保つため、前回の索引より新しいページの HTML があるとき(と索引がないとき)だけ走らせます。
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"  # 出力先の中の索引と UI の置き場所(search.html から相対で読む)
STEMMING_NOTE = {
    "Note: Pagefind doesn't support stemming for the language ja.",
    "Search will still work, but will not match across root words.",
}


def pagefind_executable() -> Path:
    """日本語を分かち書きできる extended 版の pagefind の実行ファイル。"""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as error:  # 標準版だけでは日本語の文が 1 語になってしまう
        raise ExtensionError("pagefind[extended] がありません: pip install -r requirements.txt") from error
    return Path(get_executable())


def index_is_stale(outdir: Path, pages: list[Path]) -> bool:
    """索引がないか、索引より新しいページがあれば True。"""
    entry = outdir / BUNDLE / "pagefind-entry.json"
    if not entry.exists():
        return True
    built = entry.stat().st_mtime
    return any(page.exists() and page.stat().st_mtime >= built for page in pages)


def run_pagefind(app, exception) -> None:
    # 失敗したビルドや HTML 以外のビルダーでは索引を作りません。
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    pages = sorted(app.builder.get_target_uri(doc) for doc in app.env.found_docs)
    if not index_is_stale(outdir, [outdir / page for page in pages]):
        logger.info("Pagefind: 書き直されたページがないので、検索索引はそのままにします")
        return
    command = [
        str(pagefind_executable()),
        "--site", str(app.outdir),
        "--output-subdir", BUNDLE,
        # 読むのは本のページだけ(_static/ のテーマの部品や index.html のリダイレクトは HTML の文書ではない)。
        "--glob", "{" + ",".join(pages) + "}",
        # 本文は日本語だけなので、<html lang> に頼らず 1 つの日本語の索引にします。
        "--force-language", "ja",
        # 見出しの横の「#」(アンカーへのリンク)は本文ではないので、抜粋に出さない。
        "--exclude-selectors", ".headerlink",
        "--quiet",
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExtensionError(f"Pagefind が失敗しました({result.returncode}):\n{result.stdout}{result.stderr}")
    for line in filter(None, map(str.strip, result.stderr.splitlines())):
        if line in STEMMING_NOTE:  # 毎回出る注記。日本語は分かち書きで検索するので語幹処理は要りません
            logger.info("Pagefind: %s", line)
        else:  # それ以外は Sphinx の警告にして -W で止める
            logger.warning("Pagefind: %s", line, type="pagefind")
    logger.info("Pagefind: %s/ に検索索引を作りました(%.2f 秒)", BUNDLE, time.perf_counter() - start)


def setup(app):
    # ほかの拡張(アイコン・ノートブックのボタン)がページを書き終えた後に索引を作ります。
    app.connect("build-finished", run_pagefind, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
