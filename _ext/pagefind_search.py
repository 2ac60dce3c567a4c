"""日本語で検索できるように、ビルドの最後に Pagefind で検索索引を作る Sphinx 拡張。

Sphinx の組み込み検索は、索引を作るときと検索語を分けるときで日本語の区切り方が違うため、
「損失関数」「学習率」のような文中の語が見つかりません。Pagefind(PyPI の ``pagefind[extended]``。
extended 版は日本語を単語に分けられます)は出来上がった HTML を読んで索引を作ります。

- 索引に入れるのは記事の本文だけです。``_templates/page.html`` が本文を ``data-pagefind-body`` で
  囲むので、サイドバー・目次・ヘッダーや、本文を持たない search.html・genindex.html・index.html
  (リダイレクト)は索引に入りません。
- 検索画面は ``_templates/search.html``。Pagefind の JS API(``pagefind/pagefind.js``)で索引を引き、結果の一覧は
  自前で描きます(Pagefind UI は使わないので、Pagefind が書き出す UI のファイル ``pagefind-*ui*`` は索引を作った
  あとに消します)。テーマの検索欄は ``search.html?q=語`` を開きます。
- 索引(``pagefind/``)は出力先の中に作り、URL はすべてサイトからの相対で扱うので、
  GitHub Pages のサブパス(``/dlmath/``)でもそのまま動きます。

検索語の分け方: Pagefind は索引を自前の辞書で分かち書きしますが、検索語はブラウザの ``Intl.Segmenter`` で
分けるので、分け方が違う語(索引は「偏 / 微分」なのに検索語は「偏微分」、Debian の Chromium は
「ディープラーニング」を 1 文字ずつ)が見つかりません。そこで索引を作ったあと、索引を作ったときの日本語の語の一覧を
``pagefind/ja-words.json`` に書き出し、検索ページ(``_templates/search.html``)がその語で検索語を分けて
(最長一致、索引にない文字は 1 文字ずつ)空白でつないでから Pagefind に渡します。
ただし Pagefind は漢字だけのかたまり(用語集の見出し語・表の項目など)を中国語として 1 文字ずつに分ける
(学習曲線 → 学/習/曲/線)ので、検索ページはもう 1 回、漢字だけの語を 1 文字ずつにした検索語でも検索し、
両方の結果を合わせます(詳しくは ``_templates/search.html``)。

節へのリンク: Pagefind は id のある見出しごとに「サブ結果」(ページの中の節と、その節の URL#id)を作ります。
Sphinx は id を見出しではなく ``<section id=…>`` に付けるので、そのままでは結果がページの先頭を開きます。
そこで、節の最初の子である見出しに節の id を移します(``<section id="x"><h2>`` → ``<section><h2 id="x">``)。
URL の ``#x`` はこれまでどおり同じ場所(節の見出し)を指し、アンカーの一覧(tests/stable_anchors.txt)も変わりません。
検索ページは語を含む節へのリンクに ``?pagefind-highlight=語`` を付け、開いたページでは ``_static/dlmath.js`` が
Pagefind の ``pagefind-highlight.js`` を読んで語に印を付けます。

Pagefind(extended 版)は日本語の辞書を読み込むだけで 1.3 秒ほどかかるので、変更のない差分ビルドを
速く保つため、前回の索引より新しいページの HTML があるとき(と索引がないとき)だけ走らせます。

いつ外せるか: Sphinx の検索がブラウザでも索引と同じ分かち書きをするようになれば(sphinx-doc/sphinx #5318、
#13395)、組み込みの検索に戻せます。
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"  # 出力先の中の索引の置き場所(search.html から相対で読む)
UNUSED = "pagefind-*ui*"  # Pagefind が書き出す UI(search.html は使わない)。サイトを小さく保つため消す
WORDS = "ja-words.json"  # 索引にある日本語の語の一覧(search.html が検索語を分けるのに使う)
KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")  # ひらがな・カタカナ(長音符を含む)・半角カタカナ
PUNCTUATION = "。、・「」『』()()[]【】.,:;!?!?"  # 語の端に残る句読点(Pagefind も検索語から外す)
# 日本語の文字: 仮名・漢字・々〆
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u3005\u3006]")
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


def indexed_words(bundle: Path) -> set[str]:
    """索引を作ったときの分かち書きで、仮名を含む文の中に出てきた日本語の語(小文字)。

    各ページの本文(``fragment/*.pf_fragment``: gzip で、先頭の ``pagefind_dcd`` に JSON が続く)の ``content`` は、
    Pagefind が分けた語の間にゼロ幅スペース(U+200B)を入れた形です。索引は毎回作り直す(run_pagefind が前の
    索引を消す)ので、``fragment/`` にあるのは今回の索引のページだけです。
    漢字だけのかたまり(用語集の見出し語など)は Pagefind が中国語として分け、日本語の語が 1 文字ずつに
    なることがある(学習曲線 → 学/習/曲/線)ので、仮名を含むかたまりの語だけを集めます。
    """
    words = set()
    fragments = sorted((bundle / "fragment").glob("*.pf_fragment"))
    if not fragments:
        raise ExtensionError(f"Pagefind の索引にページがありません({bundle}/fragment)")
    for path in fragments:
        try:
            data = gzip.decompress(path.read_bytes())
            if not data.startswith(b"pagefind_dcd"):
                raise ValueError("先頭が pagefind_dcd ではありません")
            content = json.loads(data[len(b"pagefind_dcd"):])["content"]
        except (OSError, KeyError, ValueError, TypeError) as error:  # gzip・JSON の誤りも ValueError・OSError
            raise ExtensionError(f"Pagefind の索引を読めません({path}): {error!r}") from error
        for chunk in content.split():
            if KANA.search(chunk):
                words.update(w.strip(PUNCTUATION).lower() for w in chunk.split("\u200b"))
    return words


def write_japanese_words(outdir: Path) -> None:
    """索引の日本語の語の一覧を pagefind/ja-words.json に書きます(短い語から順に、JSON の配列)。"""
    words = sorted((w for w in indexed_words(outdir / BUNDLE) if JAPANESE.search(w)), key=lambda w: (len(w), w))
    if not words:
        raise ExtensionError("Pagefind の索引に日本語の語がありません(extended 版で索引を作ったか確かめてください)")
    path, text = outdir / BUNDLE / WORDS, json.dumps(words, ensure_ascii=False, separators=(",", ":"))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8")
    logger.info("Pagefind: 検索語を分けるための日本語の語 %d 語を %s/%s に書きました", len(words), BUNDLE, WORDS)


def run_pagefind(app, exception) -> None:
    # 失敗したビルドや HTML 以外のビルダーでは索引を作りません。
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    pages = sorted(app.builder.get_target_uri(doc) for doc in app.env.found_docs)
    if not index_is_stale(outdir, [outdir / page for page in pages]):
        logger.info("Pagefind: 書き直されたページがないので、検索索引はそのままにします")
        write_japanese_words(outdir)  # 索引から作り直すだけ(速い)。この拡張が変わったときのため
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
    # Pagefind は前回の索引のファイルを消さないので、作り直す前に消しておく(古い断片がサイトにたまらないように)
    shutil.rmtree(outdir / BUNDLE, ignore_errors=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExtensionError(f"Pagefind が失敗しました({result.returncode}):\n{result.stdout}{result.stderr}")
    for line in filter(None, map(str.strip, result.stderr.splitlines())):
        # 語幹処理がないという注記は毎回出ますが、日本語は分かち書きで検索するので語幹処理は要らず、読者がする
        # ことはありません(ビルドのログを、読者が対処するものだけにするため書きません)。
        if line not in STEMMING_NOTE:  # それ以外は Sphinx の警告にして -W で止める
            logger.warning("Pagefind: %s", line, type="pagefind")
    for unused in (outdir / BUNDLE).glob(UNUSED):
        unused.unlink()
    write_japanese_words(outdir)
    logger.info("Pagefind: %s/ に検索索引を作りました(%.2f 秒)", BUNDLE, time.perf_counter() - start)


# ラベルのある節では、見出しの前に <span id="idN"></span> が入る
SECTION_HEADING = re.compile(r'<section((?: class="[^"]*")?) id="([^"]+)">(\s*(?:<span id="[^"]*"></span>\s*)*)<h([1-6])>')


def ids_on_headings(app, pagename, templatename, context, doctree) -> None:
    """節の id を、節の最初の子の見出しに移す(Pagefind が節ごとの結果を作れるように)。"""
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = SECTION_HEADING.sub(r'<section\1>\3<h\4 id="\2">', body)


def setup(app):
    app.connect("html-page-context", ids_on_headings)
    # ほかの拡張(アイコン・ノートブックのボタン)がページを書き終えた後に索引を作ります。
    app.connect("build-finished", run_pagefind, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
