"""各章を Jupyter ノートブック(.ipynb)にして、Colab・Binder・ダウンロードのボタンから開けるようにする Sphinx 拡張。

ノートブックは、Sphinx と MyST-NB が読み終えて参照を解決した doctree(HTML を書くのと同じもの)から作ります。
MyST のソースを読み直さないので、式・節・図・演習問題の番号、{numref} の文字、glue の値、用語のリンクは、
ページに表示されるものと同じになります(doctree-resolved で、各ページの HTML を書く直前に変換します)。

- コードセル(MyST-NB のセルのコンテナー)はそのままコードのセルに、そのあいだの本文は Markdown のセルにします。
  ``remove-cell`` のセル(``glue`` など本のビルド用の道具)は、MyST-NB が doctree に入れないので、ここにも来ません。
- 見出しには節の番号、式には ``\tag{番号}`` を付け、ページ内・ページ間の参照は公開サイトの URL へのリンクにします。
- コード(コードセルと literalinclude した関数)の「式 eq-ラベル」「節 sec-ラベル」は、ページと同じ
  「式(3.3)」「3.2節」にします(_ext/page_numbering.py の code_reference)。
- 先頭に、``dlmath`` が import できないときだけ、このページをビルドした版(タグかコミット)をリポジトリから
  インストールするセルを置きます。インストールできなければ、手元で動かす方法を日本語で示して止まります。

ページごとのセルは doctree の隣(<doctreedir>/notebooks/)に残し、build-finished でインストールのセルを付けて
``<outdir>/_notebooks/<docname>.ipynb`` と Binder 用の ``requirements.txt`` を書き出します(書き直さなかった
ページのセルも、いまの版のインストールのセルで書き直すため)。このディレクトリを deploy ワークフローが notebooks
ブランチに push するので、ボタンのリンクは
``https://colab.research.google.com/github/OWNER/REPO/blob/notebooks/<docname>.ipynb`` のようにそのブランチを
指します(公開先の変更は NOTEBOOK_DIR・NOTEBOOK_BRANCH と .github/workflows/deploy.yml の両方で)。
tests/test_notebooks.py と tools/compat.py は、ビルドしたノートブックを実行します。

いつ外せるか: ノートブックを書き出す上流のビルダー(sphinx-tojupyter)が、HTML と同じビルドの中で sphinx-exercise の
番号・glue・コードの中の式の番号を扱え、依存(dask、nbdime)が軽くなれば、変換の部分(doctree → Markdown)は要りません。
起動のボタンを足す部分は、テーマの launch_buttons が別のブランチのノートブックを指せるようになるまで残ります。
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import nbformat
from docutils import nodes
from sphinx import addnodes
from sphinx.locale import admonitionlabels
from sphinx.util import logging

from editions import build_edition, git  # 同じ _ext/ の拡張(版とコミットは一か所で決める)
from dlmath_freshness import has_code_cells  # 同じ _ext/ の拡張(コードセルの有無の判定は一か所に)
from page_numbering import EQUATION_IN_CODE, code_reference  # 同じ _ext/ の拡張(コードの「式 eq-ラベル」も一か所に)

logger = logging.getLogger(__name__)

# 公開先: ビルド出力の中のディレクトリと、それを push するブランチ(deploy.yml と合わせる)。
NOTEBOOK_DIR = "_notebooks"
NOTEBOOK_BRANCH = "notebooks"
COLAB = "https://colab.research.google.com"
# インストールできなかったときに案内する、手元でノートブックを動かす手順(はじめにの節)
LOCAL_GUIDE = "book/intro.html#sec-intro-notebooks"
BINDER = "https://mybinder.org"

INSTALL_CELL = """\
# このノートブックは『{title}』のページから作りました: {page_url}
# ページは dlmath の{ref_kind} {ref} でビルドしました。dlmath がなければ(Colab など)、同じ版をインストールします。
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("dlmath") is None:
    _pip = [sys.executable, "-m", "pip", "install", "--quiet", "{requirement}"]
    if subprocess.run(_pip).returncode != 0:
        raise RuntimeError(
            "dlmath をインストールできませんでした(ネットにつながらない、GitHub に届かないなど)。"
            'リポジトリをクローンして、その中で pip install -e ".[notebook]" を実行し、'
            "Jupyter を開き直してください。手順: {local_url}"
        )
"""


def repo_parts(repo_url: str) -> tuple[str, str]:
    """https://github.com/OWNER/REPO(.git) から (OWNER, REPO)。"""
    match = re.match(r"https?://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repo_url.strip())
    if not match:
        raise ValueError(f"GitHub のリポジトリ URL ではありません: {repo_url!r}")
    return match.group(1), match.group(2)


def pip_requirement(repo_url: str, ref: str) -> str:
    """pip に渡す dlmath の指定(リポジトリのタグ・コミット・ブランチ ref から)。"""
    owner, repo = repo_parts(repo_url)
    return f"dlmath @ git+https://github.com/{owner}/{repo}.git@{ref}"


def default_site_url(repo_url: str) -> str:
    """GitHub Pages の公開 URL(https://OWNER.github.io/REPO/)。"""
    owner, repo = repo_parts(repo_url)
    return f"https://{owner.lower()}.github.io/{repo}/"


def launch_urls(repo_url: str, docname: str) -> dict[str, str]:
    """notebooks ブランチの <docname>.ipynb を開く Colab と Binder の URL。"""
    owner, repo = repo_parts(repo_url)
    path = f"{docname}.ipynb"
    return {
        "colab": f"{COLAB}/github/{owner}/{repo}/blob/{NOTEBOOK_BRANCH}/{path}",
        "binder": f"{BINDER}/v2/gh/{owner}/{repo}/{NOTEBOOK_BRANCH}?labpath={path}",
    }


# ---- doctree → ノートブックのセル ----------------------------------------------------------------

# ノートブックには入れない節点: ラベル・索引・目次・コメントと、HTML だけの飾り(_ext/editions.py の最終更新日と
# 「質問・指摘」のリンク、MyST-NB の実行時間の表)。
SKIPPED = (nodes.target, nodes.comment, nodes.system_message, addnodes.index, addnodes.toctree)
SKIPPED_NAMES = {"page_status", "report_link", "ExecutionStatsNode"}


@dataclass
class Page:
    """変換に使うページの情報(Sphinx の環境から)。"""

    env: object
    docname: str
    site_url: str
    numfig_format: dict
    secnumber_suffix: str = ". "

    @property
    def url(self) -> str:
        return f"{self.site_url}{self.docname}.html"

    def code(self, source: str) -> str:
        """コードの「式 eq-ラベル」「節 sec-ラベル」を、ページと同じ「式(3.3)」「3.2節」にする(リンクはなし)。"""

        def replace(match: re.Match) -> str:
            found = code_reference(self.env, self.docname, match[2])
            return match[0] if found is None else f"{'と' if match[1] else ''}{found[0]}{found[1]}"

        return EQUATION_IN_CODE.sub(replace, source)

    def number(self, figtype: str, node_id: str) -> str:
        """図・演習問題などの番号("7.1")。番号がなければ ""。"""
        found = self.env.toc_fignumbers.get(self.docname, {}).get(figtype, {}).get(node_id)
        return ".".join(map(str, found)) if found else ""


def _skipped(node) -> bool:
    """ノートブックに入れない節点か。"""
    return isinstance(node, SKIPPED) or type(node).__name__ in SKIPPED_NAMES


def inline(node, page: Page) -> str:
    """段落の中身を Markdown の 1 つの文字列にする。"""
    if isinstance(node, nodes.Text):
        return node.astext().replace("$", r"\$")  # Jupyter は $ を数式の始まりと読む
    if isinstance(node, nodes.math):
        return f"${node.astext()}$"
    if isinstance(node, nodes.literal):
        fence = "``" if "`" in node.astext() else "`"
        return f"{fence}{node.astext()}{fence}"
    if _skipped(node):
        return ""
    if isinstance(node, nodes.raw):
        return node.astext() if "html" in node.get("format", "").split() else ""
    if isinstance(node, nodes.image):
        return _image(node, page)
    text = "".join(inline(child, page) for child in node.children)
    if isinstance(node, nodes.strong):
        return f"**{text}**"
    if isinstance(node, nodes.emphasis):
        return f"*{text}*"
    if isinstance(node, nodes.reference):
        term = any("std-term" in child.get("classes", []) for child in node.findall(nodes.inline))
        url = "" if term else _link(node, page)  # 用語集へのリンクは、本文が読みにくくなるので付けない
        return f"[{text}]({url})" if url else text
    return text


def _link(node, page: Page) -> str:
    """参照の行き先を、公開サイトの絶対 URL にする。"""
    if node.get("refid"):
        return f"{page.url}#{node['refid']}"
    return urljoin(page.url, node["refuri"]) if node.get("refuri") else ""


def _image(node, page: Page) -> str:
    """画像は、HTML と同じ _images/ のファイルを公開サイトから読む。"""
    unique = page.env.images.get(node["uri"], (None, Path(node["uri"]).name))[1]
    return f"![{node.get('alt', '')}]({page.site_url}_images/{unique})"


def _indent(text: str, prefix: str) -> str:
    """1 行目に prefix を付け、続きの行を同じ幅だけ字下げする(リストの項目)。"""
    pad = " " * len(prefix)
    return "\n".join((prefix if k == 0 else pad if line else "") + line for k, line in enumerate(text.split("\n")))


def _table(node, page: Page) -> str:
    """表を Markdown の表にする(最初の行が見出し)。"""
    rows = [[" ".join(inline(p, page) for p in entry.findall(nodes.paragraph)).replace("|", r"\|").replace("\n", " ")
             for entry in row.findall(nodes.entry)] for row in node.findall(nodes.row)]
    header, *body = rows
    lines = [header, ["---"] * len(header), *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _heading(section, page: Page, level: int) -> str:
    """節の見出しに、ページと同じ番号(「7.1. 」)を付ける。"""
    numbers = page.env.toc_secnumbers.get(page.docname, {})
    found = numbers.get("") if level == 1 else numbers.get("#" + section["ids"][0])
    number = ".".join(map(str, found)) + page.secnumber_suffix if found else ""
    return f"{'#' * level} {number}{inline(section[0], page)}"


def _math_block(node, page: Page) -> str:
    """別行の式。ラベルのある式には、ページと同じ番号を \\tag で付ける。"""
    tex = node.astext().strip()
    if node.get("label"):
        anchor = f"equation-{node['label']}"
        number = page.number("displaymath", anchor) or str(node["number"])
        tex += f"\n\\tag{{{number}}}"
    return f"$$\n{tex}\n$$"


def _code_cell(node, page: Page) -> list:
    """MyST-NB のコードセルを、コードのセルと、セルが描く図の番号付きの題(Markdown)にする。"""
    source = node.next_node(lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "cell_code_source")
    if source is None:  # remove-input のセル: MyST-NB は doctree にソースを入れない
        raise ValueError(f"{page.docname}: ソースのないコードセル(remove-input)はノートブックにできません")
    cell = nbformat.v4.new_code_cell(page.code(source.astext()))
    tags = node.get("cell_metadata", {}).get("tags", [])
    if tags:
        cell.metadata["tags"] = list(tags)
    # セルが描く図は、セルを実行すると出る。ページと同じ番号付きの題だけを、セルの後に置く
    captions = [part for caption in node.findall(nodes.caption) for part in blocks(caption, page)]
    return [cell, *captions]


def blocks(node, page: Page, level: int = 1) -> list:
    """ブロックの節点を、Markdown のブロック(文字列)とコードのセルの並びにする。"""
    if _skipped(node):
        return []
    if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
        return _code_cell(node, page)
    if isinstance(node, nodes.section) and node.children and isinstance(node[0], nodes.title):
        return [_heading(node, page, level), *_each(node[1:], page, level + 1)]
    if isinstance(node, nodes.caption):  # 図の題: ページと同じ「図 7.1」を前に付ける
        number = page.number("figure", node.parent["ids"][0]) if node.parent["ids"] else ""
        prefix = f"**{page.numfig_format['figure'] % number}** " if number else ""
        return [prefix + inline(node, page)]
    if isinstance(node, nodes.literal_block):
        language = node.get("language", "default")
        if language == "default":  # literalinclude した .py は Python、ほかは言語なし
            language = "python" if str(node.get("source", "")).endswith(".py") else ""
        language = {"ipython3": "python"}.get(language, language)
        return [f"```{language}\n{page.code(node.astext()).rstrip()}\n```"]
    if isinstance(node, nodes.math_block):
        return [_math_block(node, page)]
    if isinstance(node, nodes.image):
        return [_image(node, page)]
    if isinstance(node, nodes.table):
        return [_table(node, page)]
    if isinstance(node, nodes.rubric):
        return [f"**{inline(node, page)}**"]
    if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
        start = node.get("start", 1)
        marks = [f"{start + k}. " if isinstance(node, nodes.enumerated_list) else "- " for k in range(len(node))]
        return ["\n".join(_indent(_joined(item, page, level), mark) for mark, item in zip(marks, node))]
    if isinstance(node, nodes.definition_list):
        return ["\n".join(_indent(f"**{inline(item[0], page)}**: {_joined(item[-1], page, level)}", "- ")
                          for item in node)]
    if isinstance(node, nodes.block_quote):
        return ["\n".join(f"> {line}".rstrip() for line in _joined(node, page, level).split("\n"))]
    if isinstance(node, nodes.raw):
        return [node.astext()] if "html" in node.get("format", "").split() else []
    if isinstance(node, nodes.TextElement):  # 段落と、ほかの文字だけの節点(題、行など)
        return [inline(node, page)]
    title = _box_title(node, page)
    if title is not None:  # 演習問題・解答・囲み: 太字の題 + 本文
        body = [child for child in node.children if not isinstance(child, nodes.title)]
        return [f"**{title}**", *_each(body, page, level)]
    return _each(node.children, page, level)


def _box_title(node, page: Page) -> str | None:
    """演習問題(「演習問題 7.1 (導出)」)・解答・囲み(admonition)の題。ほかの節点は None。
    sphinx-exercise は、参照の解決のときに題を docutils の title にしています(番号は HTML が付ける)。"""
    kind = type(node).__name__
    if kind not in {"exercise_enumerable_node", "solution_node"} and not isinstance(node, nodes.Admonition):
        return None
    title = node.next_node(nodes.title)
    text = inline(title, page).strip() if title else admonitionlabels.get(node.tagname, "")
    if kind == "exercise_enumerable_node":
        number = page.numfig_format.get("exercise", "%s") % page.number("exercise", node["ids"][0])
        return f"{number} {text}".strip()
    return text


def _each(children, page: Page, level: int) -> list:
    """節点の並びを、blocks の結果をつないだ 1 つの並びにする。"""
    return [part for child in children for part in blocks(child, page, level)]


def _joined(node, page: Page, level: int) -> str:
    """リストの項目などの中身(コードのセルは来ない)を、空行で区切った Markdown にする。"""
    return "\n\n".join(part for part in _each(node.children, page, level) if isinstance(part, str) and part)


def page_cells(doctree, page: Page) -> list[nbformat.NotebookNode]:
    """ページの doctree を、ノートブックのセル(Markdown とコード)の並びにする。"""
    cells, markdown = [], []
    for part in _each(doctree.children, page, 1):
        if isinstance(part, str):
            if part.strip():
                markdown.append(part)
            continue
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(markdown)))
            markdown = []
        cells.append(part)
    if markdown:
        cells.append(nbformat.v4.new_markdown_cell("\n\n".join(markdown)))
    return cells


def install_cell(*, repo_url: str, ref: str, book_title: str, page_url: str, site_url: str) -> nbformat.NotebookNode:
    """ページをビルドした版の dlmath を、なければインストールするセル。"""
    kind = "タグ" if re.fullmatch(r"v\d+\.\d+", ref) else "コミット" if re.fullmatch(r"[0-9a-f]{40}", ref) else "ブランチ"
    cell = nbformat.v4.new_code_cell(INSTALL_CELL.format(
        title=book_title or "本", page_url=page_url, ref_kind=kind, ref=ref,
        requirement=pip_requirement(repo_url, ref), local_url=f"{site_url}{LOCAL_GUIDE}").rstrip())
    cell.metadata["tags"] = ["install-dlmath"]
    return cell


def notebook(cells: list, install: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """インストールのセルとページのセルから、単独で動くノートブックを作る。"""
    result = nbformat.v4.new_notebook()
    result.cells = [install, *cells]
    result.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(result.cells):
        cell["id"] = f"cell-{index}"  # 生成のたびに変わらない id(差分が出ないように)
    nbformat.validate(result)
    return result


def built_notebook(docname: str, html_dir: Path) -> nbformat.NotebookNode:
    """ビルドしたサイト(html_dir)の章 docname のノートブック。なければビルドを促す。"""
    path = Path(html_dir) / NOTEBOOK_DIR / f"{docname}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"{path} がありません。ノートブックはビルドで作ります(make book)。")
    return nbformat.read(path, as_version=4)


def requirements_txt(repo_url: str, ref: str, dependencies: list[str]) -> str:
    """Binder が notebooks ブランチで環境を作るための requirements.txt(dlmath がその依存を連れてきます)。"""
    return (
        f"# Binder 用: ページをビルドした版の dlmath と、その依存({', '.join(dependencies)})を入れます。\n"
        f"{pip_requirement(repo_url, ref)}\n"
    )


def declared_dependencies(repo_root: Path) -> list[str]:
    """pyproject.toml の [project] dependencies の名前(例: numpy)。"""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.match(r"[A-Za-z0-9_.-]+", item).group() for item in project["dependencies"]]


# ---- Sphinx ----------------------------------------------------------------------------------


def _repository_url(app) -> str | None:
    """GitHub のリポジトリの URL。設定されていなければ None(ノートブックもボタンも作らない)。"""
    url = (app.config.html_theme_options or {}).get("repository_url") or ""
    try:
        repo_parts(url)
    except ValueError:
        return None
    return url


def _dlmath_ref(app) -> str:
    """ノートブックが入れる dlmath の版。版のビルドならそのタグ、そうでなければいまのコミット、git の履歴が
    なければ設定のブランチです(ページと同じコードを入れるため。ブランチは後から進みます)。
    git を呼ぶので、ビルドの終わりに 1 度だけ使います。"""
    edition = build_edition(app)
    ref = f"v{edition['version']}" if edition else git(app, "rev-parse", "HEAD")
    return ref or (app.config.html_theme_options or {}).get("repository_branch") or "main"


def _site_url(app, repo_url: str) -> str:
    base = app.config.html_baseurl or default_site_url(repo_url)
    return base if base.endswith("/") else base + "/"


def _has_notebook(app, docname: str) -> bool:
    """ノートブックを作るページか: コードセルのある MyST Markdown。"""
    path = Path(app.env.doc2path(docname))
    return path.suffix == ".md" and path.exists() and has_code_cells(path)


def notebook_docs(app) -> list[str]:
    """ノートブックを作るページ(docname の順)。"""
    return [docname for docname in sorted(app.env.found_docs) if _has_notebook(app, docname)]


def _cells_path(app, docname: str) -> Path:
    return Path(app.doctreedir) / "notebooks" / f"{docname}.json"


@functools.cache  # 1 回のビルドの間、変換のコードは変わらない
def _converter_digest() -> str:
    """変換のコード(この拡張と、コードの式の番号を決める page_numbering.py)。変われば全ページのセルを作り直す。"""
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in ("notebooks.py", "page_numbering.py"))).hexdigest()


def _saved_cells(app, docname: str) -> list | None:
    """collect_cells が残したセル。ないか、いまと違う変換のコードで作ったものなら None。"""
    path = _cells_path(app, docname)
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved["cells"] if isinstance(saved, dict) and saved.get("converter") == _converter_digest() else None


def collect_cells(app, doctree, docname) -> None:
    """HTML を書く直前の(参照を解決した)doctree から、ページのセルを作って doctree の隣に残す。"""
    repo_url = _repository_url(app)
    if app.builder.format != "html" or repo_url is None or not _has_notebook(app, docname):
        return
    page = Page(env=app.env, docname=docname, site_url=_site_url(app, repo_url),
                numfig_format=app.config.numfig_format, secnumber_suffix=app.config.html_secnumber_suffix)
    target = _cells_path(app, docname)
    target.parent.mkdir(parents=True, exist_ok=True)
    saved = {"converter": _converter_digest(), "cells": page_cells(doctree, page)}
    partial = target.with_suffix(".tmp")  # 途中で止まっても壊れたファイルを残さない
    partial.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)


def pages_without_cells(app, env, added, changed, removed) -> list[str]:
    """セルを残していないページと、変換のコードが変わる前に残したページを読み直させる。"""
    if app.builder.format != "html" or _repository_url(app) is None:
        return []
    return [docname for docname in notebook_docs(app) if _saved_cells(app, docname) is None]


def write_notebooks(app, exception) -> None:
    """残したセルにいまの版のインストールのセルを付けて、_notebooks/ にノートブックと requirements.txt を書く。"""
    repo_url = _repository_url(app)
    if exception is not None or app.builder.format != "html" or repo_url is None:
        return
    ref = _dlmath_ref(app)
    site_url = _site_url(app, repo_url)
    title = app.config.html_title or app.config.project
    outdir = Path(app.outdir) / NOTEBOOK_DIR
    docs = notebook_docs(app)
    for docname in docs:
        saved = _saved_cells(app, docname)
        if saved is None:
            logger.warning("%s のノートブックのセルがありません(_build/.doctrees を消してビルドし直してください)",
                           docname, location=docname)
            continue
        cells = [nbformat.from_dict(cell) for cell in saved]
        install = install_cell(repo_url=repo_url, ref=ref, book_title=title,
                               page_url=f"{site_url}{docname}.html", site_url=site_url)
        target = outdir / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(notebook(cells, install)), encoding="utf-8")
    for old in outdir.rglob("*.ipynb"):  # コードセルがなくなったページのノートブックは公開しない
        if old.relative_to(outdir).with_suffix("").as_posix() not in docs:
            old.unlink()
    dependencies = declared_dependencies(Path(app.srcdir))
    (outdir / "requirements.txt").write_text(requirements_txt(repo_url, ref, dependencies), encoding="utf-8")


def add_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    """ノートブックのあるページのヘッダーに、Colab・Binder・.ipynb のボタンを加える。"""
    if doctree is None or "header_buttons" not in context:
        return
    repo_url = _repository_url(app)
    if repo_url is None or not _has_notebook(app, pagename):
        return
    urls = launch_urls(repo_url, pagename)
    buttons = context["header_buttons"]
    pathto = context["pathto"]
    download = {
        "type": "link",
        "url": pathto(f"{NOTEBOOK_DIR}/{pagename}.ipynb", 1),
        "text": ".ipynb",
        "icon": "fas fa-code",
        "tooltip": "ノートブック(.ipynb)をダウンロード",
        "label": "download-notebook-button",
    }
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].insert(0, download)
    launch = {
        "type": "group",
        "tooltip": "ノートブックを開いて実行",
        "icon": "fas fa-rocket",
        "label": "launch-buttons",
        "buttons": [
            {
                "type": "link",
                "text": "Colab",
                "tooltip": "Google Colab で開く",
                "icon": "_static/images/logo_colab.png",
                "url": urls["colab"],
            },
            {
                "type": "link",
                "text": "Binder",
                "tooltip": "Binder で開く",
                "icon": "_static/images/logo_binder.svg",
                "url": urls["binder"],
            },
        ],
    }
    buttons.insert(0, launch)


def setup(app):
    # editions.add_report_links(doctree-resolved、既定の優先度 500)が「質問・指摘」を足す前に読む。
    app.connect("doctree-resolved", collect_cells, priority=400)
    app.connect("env-get-outdated", pages_without_cells)
    app.connect("build-finished", write_notebooks)
    # テーマ(sphinx-book-theme)がヘッダーのボタンを作る(priority 501)より後に足す。
    app.connect("html-page-context", add_launch_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
