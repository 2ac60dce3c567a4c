"""各章のノートブック(Colab・Binder・ダウンロード用)。

1. ビルドが書いたノートブック(_build/html/_notebooks/、_ext/notebooks.py が doctree から作る)がページと同じものか
   を確かめます: コードのセルの並び、見出しの番号、式の番号、MyST の書き方が残っていないこと。
2. 各章のノートブックを、dlmath と宣言した依存だけの環境(tools/compat.py の declared)の新しいカーネルで 1 冊ずつ、
   空の一時ディレクトリを作業ディレクトリにして実行し、表示される出力がページの出力と同じことを確かめます。
   ページどうしで状態を共有せず、ビルドの作業ディレクトリや宣言していない依存にも頼らないことを確かめます。
3. ビルド済みサイトの各ページの Colab・Binder・.ipynb のリンクが、deploy ワークフローが
   公開するもの(notebooks ブランチに push するディレクトリ)を指していることを確かめます。
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urljoin, urlparse

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.utils import new_document

from conftest import HTML, ROOT, built_page, toc_files

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
import compat  # noqa: E402  (tools/compat.py: 読者の環境に近い venv でノートブックを実行する)
import notebooks  # noqa: E402  (_ext/notebooks.py: ノートブックを書くビルドの拡張)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"]
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"

CHAPTERS = [f for f in toc_files() if notebooks.has_code_cells(ROOT / f"{f}.md")]


def built(docname: str) -> nbformat.NotebookNode:
    return notebooks.built_notebook(docname, HTML)


def head_commit() -> str:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", commit), f"git rev-parse HEAD: {commit!r}"
    return commit


def page_cells(soup: BeautifulSoup) -> list:
    """ページのコードセル(MyST-NB の div.cell)。"""
    return soup.select("article div.cell")


def test_chapters_with_code_are_found():
    assert "book/linear-regression" in CHAPTERS, CHAPTERS


def _cell_container(code: str, figure_id: str) -> nodes.container:
    """MyST-NB が作るコードセルの形(ソースと、図を描いた出力)。"""
    source = nodes.container(nb_element="cell_code_source")
    source += nodes.literal_block(code, code)
    figure = nodes.figure(ids=[figure_id])
    figure += nodes.image(uri="jupyter_execute/x.png")
    figure += nodes.caption("", "点の並び")
    output = nodes.container(nb_element="cell_code_output")
    output += figure
    cell = nodes.container(nb_element="cell_code", cell_metadata={"tags": ["hide-input"]})
    cell += [source, output]
    return cell


def test_converter_writes_markdown_and_code_cells_from_a_doctree():
    """ビルドなしで、doctree の節点ごとの変換を確かめる: 見出しと式と図の番号、$ と | の扱い、入れ子のリスト、
    囲み、コードセルとその図の題、参照の URL。"""
    env = SimpleNamespace(toc_secnumbers={"book/p": {"": (3,), "#sec-b": (3, 1)}},
                          toc_fignumbers={"book/p": {"figure": {"fig-a": (3, 1)},
                                                     "displaymath": {"equation-eq-a": (3, 1)}}}, images={})
    page = notebooks.Page(env=env, docname="book/p", site_url="https://example.org/book/",
                          numfig_format={"figure": "図 %s"})
    doc = new_document("p")
    top = nodes.section(ids=["sec-a"])
    top += nodes.title("", "題")
    para = nodes.paragraph()
    para += [nodes.Text("値段は $5 で "), nodes.math("", "x^2"), nodes.Text("。")]
    para += nodes.reference("", "前の章", refuri="other.html#sec-x")
    top += para
    table = nodes.table()
    group = nodes.tgroup(cols=1)
    body = nodes.tbody()
    for text in ("列", "a | b"):
        row, entry = nodes.row(), nodes.entry()
        entry += nodes.paragraph("", text)
        row += entry
        body += row
    group += body
    table += group
    top += table
    inner = nodes.bullet_list()
    inner += nodes.list_item("", nodes.paragraph("", "内側"))
    outer = nodes.bullet_list()
    outer += nodes.list_item("", nodes.paragraph("", "外側"), inner)
    top += outer
    box = nodes.admonition()
    box += [nodes.title("", "注意"), nodes.paragraph("", "本文")]
    top += box
    sub = nodes.section(ids=["sec-b"])
    sub += nodes.title("", "小見出し")
    sub += nodes.math_block("y = 2x", "y = 2x", label="eq-a", number=1)
    sub += _cell_container("print(1)", "fig-a")
    top += sub
    doc += top
    cells = notebooks.page_cells(doc, page)
    assert [c.cell_type for c in cells] == ["markdown", "code", "markdown"]
    text = cells[0].source
    assert text.startswith("# 3. 題\n\n値段は \\$5 で $x^2$。[前の章](https://example.org/book/book/other.html#sec-x)")
    assert "| 列 |\n| --- |\n| a \\| b |" in text
    assert "- 外側\n\n  - 内側" in text
    assert "**注意**\n\n本文" in text
    assert "## 3.1. 小見出し\n\n$$\ny = 2x\n\\tag{3.1}\n$$" in text
    assert cells[1].source == "print(1)" and cells[1].metadata["tags"] == ["hide-input"]
    assert cells[2].source == "**図 3.1** 点の並び"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_notebook_is_self_contained(docname, site):
    notebook = built(docname)
    install = notebook.cells[0]
    owner, repo = notebooks.repo_parts(REPO_URL)
    commit = head_commit()
    assert install.cell_type == "code"
    assert 'find_spec("dlmath") is None' in install.source
    assert f"git+https://github.com/{owner}/{repo}.git@{commit}" in install.source
    assert f"コミット {commit}" in install.source
    for index, cell in enumerate(notebook.cells):
        assert "remove-cell" not in cell.metadata.get("tags", []), f"セル {index} は remove-cell です"
        if cell.cell_type == "code":
            assert not re.search(r"\bmyst_nb\b|\bglue\(", cell.source), (
                f"セル {index} が本のビルド用の myst_nb / glue を使っています(ノートブックでは動きません):\n{cell.source}"
            )
        else:
            leftovers = re.findall(r"\{[\w:.-]+\}`[^`]*`|^\s*(?::{3,}|`{3,})\{[\w:.-]+\}.*$|^\([\w-]+\)=$", cell.source, re.M)
            assert not leftovers, f"セル {index} に MyST の書き方が残っています: {leftovers}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_notebook_has_the_pages_code_headings_and_equations(docname, site):
    """ノートブックはページと同じもの: コードのセルはページのコードセルと同じ順に同じ文字、見出しの番号、
    図の番号、式の番号もページと同じ並び。"""
    notebook, soup = built(docname), built_page(HTML, docname)
    code = [c.source.strip() for c in notebook.cells[1:] if c.cell_type == "code"]
    shown = [cell.select_one("div.cell_input pre").get_text().strip() for cell in page_cells(soup)]
    assert code == shown
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    headings = re.findall(r"^#+ (\d+(?:\.\d+)*)\. ", markdown, re.M)
    numbers = [s.get_text().strip().rstrip(".") for s in soup.select("article section > :is(h1, h2, h3, h4) "
                                                                          "> span.section-number")]
    assert headings == numbers
    figures = re.findall(r"^\*\*(図 [\d.]+)\*\* ", markdown, re.M)
    captions = [s.get_text().strip() for s in soup.select("article figure figcaption span.caption-number")]
    assert figures == captions
    tags = re.findall(r"\\tag\{([^}]*)\}", markdown)
    equations = [str(s.contents[0]).strip().strip("()") for s in soup.select("article div.math span.eqno")]
    assert tags == equations


@pytest.fixture(scope="module")
def declared_kernel():
    """dlmath と宣言した依存だけの環境のカーネル(make test が tools/compat.py declared --setup-only で作る)。"""
    if not (compat.COMPAT / "declared" / "bin" / "python").exists():
        pytest.fail("_build/compat/declared がありません。make test(または tools/compat.py declared --setup-only)で作ります。")
    compat.use_kernel("declared")
    return "declared"


# 実行のたびに変わるのが正しい出力。時間を測るセルは数を「#」にして文字だけを比べ、入っているパッケージの版を
# 表示するセル(ビルドの環境と読者の環境で違う)は比べません。
TIMED = re.compile(r"perf_counter")
VERSIONS = re.compile(r"importlib\.metadata")
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _words(text: str) -> str:
    """空白の違い(出力が何回に分かれて届いたか、行の折り返し)を除いた文字。"""
    return " ".join(text.split())


def _text_outputs(outputs) -> str:
    """セルの出力のうち、print の出力と式の値(text/plain)をつないだ文字(画像と HTML の表は除く)。"""
    parts = []
    for output in outputs:
        data = output.get("data", {})
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output["text"])
        elif "text/plain" in data and not set(data) & {"image/png", "text/html"}:  # ページでは画像・表
            parts.append(data["text/plain"])
    return _words(" ".join(parts))


@pytest.mark.parametrize("docname", CHAPTERS)
def test_notebook_runs_alone_with_only_the_declared_dependencies(docname, declared_kernel):
    """読者が pip install した dlmath(と pyproject.toml の依存)だけで、各章のノートブックが新しいカーネルで動き、
    ページと同じ文字の出力を出す(時間を測るセルは数を除いて比べ、版を表示するセルは比べない)。

    作業ディレクトリは空の一時ディレクトリ。セルのエラー、stderr、dlmath・ページから出た非推奨の警告は失敗。
    """
    seconds, problems, notebook = compat.run_notebook(docname, declared_kernel)
    assert not problems, "\n\n".join(problems)
    ran = [c for c in notebook.cells[2:] if c.cell_type == "code"]  # インストールと警告のセルの後
    shown = page_cells(built_page(HTML, docname))
    assert len(ran) == len(shown)
    different = []
    for index, (cell, html) in enumerate(zip(ran, shown)):
        on_page = _words(" ".join(pre.get_text() for pre in html.select("div.cell_output div.output pre")))
        in_notebook = _text_outputs(cell.outputs)
        if VERSIONS.search(cell.source):
            continue
        if TIMED.search(cell.source):
            on_page, in_notebook = NUMBER.sub("#", on_page), NUMBER.sub("#", in_notebook)
        if in_notebook != on_page:
            different.append((index, in_notebook[:300], on_page[:300]))
    assert not different, different


def test_built_notebooks_show_equation_numbers_in_code(site):
    """ビルドしたノートブックのコードには、式・節のラベル(「式 eq-…」「節 sec-…」)が残らない。
    章番号のないページ(数学の準備)の式は、ページの題名を前に付けた「関数と微分の式(5)」になる(番号はページごと)。"""
    directory, _ = published_notebooks()
    published = site / Path(directory).relative_to("_build/html")
    for docname in CHAPTERS:
        text = "\n".join(c.source for c in nbformat.read(published / f"{docname}.ipynb", as_version=4).cells)
        raw = re.findall(r"(?:式|節| と) (?:eq|sec)-[\w-]+", text)
        assert not raw, f"{docname}: {raw}"
    chapter3 = "\n".join(c.source for c in nbformat.read(published / "book/linear-regression.ipynb", as_version=4).cells)
    assert '"""予測関数 yp = x @ w を返す(式(3.3))。' in chapter3
    assert re.search(r"\(関数と微分の式\(\d+\)\)", chapter3)  # numerical_gradient の docstring
    assert re.search(r"\(3\.\d+節\)", chapter3)  # center などの docstring
    chapter7 = "\n".join(c.source for c in nbformat.read(published / "book/deep-learning.ipynb", as_version=4).cells)
    assert re.search(r"式\(7\.\d+\)と式\(8\.\d+\)", chapter7)  # 「式 eq-a と eq-b」の 2 つ目も番号に(SGD の docstring)


def test_built_notebooks_show_chapter_numbers_in_numrefs(site):
    """ビルドしたノートブックの {numref}`第%s章 <sec-…>` は「第6章」のような番号になり、%s や {number} が残らない。"""
    directory, _ = published_notebooks()
    published = site / Path(directory).relative_to("_build/html")
    for path in sorted(published.rglob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            for leftover in ("%s", "{number}"):
                assert leftover not in cell.source, f"{path.relative_to(published)} のセル {index} に {leftover}:\n{cell.source}"
    chapter7 = "\n".join(c.source for c in nbformat.read(published / "book/deep-learning.ipynb", as_version=4).cells)
    assert re.search(r"\[第\d+章\]\(", chapter7), "第7章のほかの章への参照に章番号がありません"


# ---- 公開されるものとリンク -------------------------------------------------------------------


def published_notebooks() -> tuple[str, str]:
    """deploy.yml から (公開するビルド出力のディレクトリ, push 先のブランチ) を読む。

    build ジョブが upload-artifact で上げたディレクトリを、別のジョブが download-artifact で受け取り、
    `git push ... HEAD:<branch>` でそのままブランチの中身にする、という形を前提にします。
    """
    workflow = yaml.safe_load(DEPLOY.read_text(encoding="utf-8"))
    uploads, downloads = {}, {}
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps") or []:
            action = str(step.get("uses", "")).split("@")[0]
            settings = step.get("with") or {}
            if action == "actions/upload-artifact":
                uploads[settings.get("name")] = str(settings["path"]).rstrip("/")
            if action == "actions/download-artifact":
                downloads[job_id] = (settings.get("name"), str(settings.get("path", ".")).rstrip("/"))
    for job_id, (artifact, path) in downloads.items():
        for step in workflow["jobs"][job_id]["steps"]:
            run = str(step.get("run", ""))
            push = re.search(r"git push\b.*\bHEAD:(?:refs/heads/)?([\w./-]+)", run)
            if push and artifact in uploads and re.search(rf"\bcd {re.escape(path)}\b", run):
                return uploads[artifact], push.group(1)
    pytest.fail("deploy.yml に、ビルドしたノートブックをブランチに push するジョブが見つかりません")


def test_workflow_publishes_the_notebook_dir_to_the_notebook_branch():
    directory, branch = published_notebooks()
    assert directory == f"_build/html/{notebooks.NOTEBOOK_DIR}"
    assert branch == notebooks.NOTEBOOK_BRANCH


def test_published_dir_has_notebooks_and_binder_requirements(site):
    directory, _ = published_notebooks()
    published = site / Path(directory).relative_to("_build/html")
    for docname in CHAPTERS:
        assert (published / f"{docname}.ipynb").is_file(), f"{docname}.ipynb が公開されるディレクトリにありません"
    requirements = (published / "requirements.txt").read_text(encoding="utf-8")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    # ビルドしたコミットの dlmath(@main ではない): ページと同じコードが入る
    assert notebooks.pip_requirement(REPO_URL, commit) in requirements, requirements
    for dependency in notebooks.declared_dependencies(ROOT):
        assert dependency in requirements.splitlines()[0], f"Binder の requirements.txt の説明に {dependency} がありません"
    for docname in CHAPTERS:
        install = nbformat.read(published / f"{docname}.ipynb", as_version=4).cells[0].source
        assert notebooks.pip_requirement(REPO_URL, commit) in install, f"{docname}: {install}"


def test_install_cell_stops_with_a_japanese_message_when_pip_fails(tmp_path, site):
    """dlmath のない Python で、インストールに失敗したら次のセルへ進まず、手元で動かす方法を示して止まる。"""
    install = built("book/linear-regression").cells[0].source
    owner, repo = notebooks.repo_parts(REPO_URL)
    # pip が必ず失敗する指定にする(ネットにつながる CI でも本物の GitHub から入れてしまわないように)
    install = install.replace(f"git+https://github.com/{owner}/{repo}.git@{head_commit()}", f"file://{tmp_path}/missing")
    script = tmp_path / "install.py"
    script.write_text(install + "\nprint('NEXT CELL')\n", encoding="utf-8")
    # -I: ユーザーの site-packages も環境変数も見ない、dlmath の入っていない Python(この venv の元の Python)
    base = Path(sys.base_prefix) / "bin" / "python3"
    result = subprocess.run([str(base), "-I", str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "NEXT CELL" not in result.stdout
    assert "RuntimeError: dlmath をインストールできませんでした" in result.stderr, result.stderr
    assert 'pip install -e ".[notebook]"' in result.stderr
    assert notebooks.LOCAL_GUIDE in result.stderr


def _launch_links(page: Path) -> dict[str, list[str]]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = {"colab": [], "binder": [], "download": []}
    for a in soup.find_all("a", href=True):
        href = a["href"]
        if href.startswith(notebooks.COLAB):
            links["colab"].append(href)
        elif href.startswith(notebooks.BINDER):
            links["binder"].append(href)
        elif href.endswith(".ipynb"):
            links["download"].append(href)
    return links


def test_every_launch_url_points_at_a_published_notebook(site):
    directory, branch = published_notebooks()
    published = site / Path(directory).relative_to("_build/html")
    owner, repo = notebooks.repo_parts(REPO_URL)
    seen = set()
    for docname in toc_files():
        page = site / f"{docname}.html"
        assert page.is_file(), f"{page} がありません"
        links = _launch_links(page)
        if docname not in CHAPTERS:
            assert not any(links.values()), f"{docname} はコードのないページなのにボタンがあります: {links}"
            continue
        assert all(links.values()), f"{docname} に Colab・Binder・.ipynb のどれかのリンクがありません: {links}"
        for url in links["colab"]:
            match = re.fullmatch(rf"{re.escape(notebooks.COLAB)}/github/([^/]+)/([^/]+)/blob/([^/]+)/(.+\.ipynb)", url)
            assert match, f"{docname}: Colab の URL の形が違います: {url}"
            assert match.groups()[:3] == (owner, repo, branch), f"{docname}: 公開先と違うリポジトリ・ブランチです: {url}"
            assert (published / match.group(4)).is_file(), f"{docname}: {match.group(4)} は公開されません: {url}"
            seen.add(match.group(4))
        for url in links["binder"]:
            parsed = urlparse(url)
            match = re.fullmatch(r"/v2/gh/([^/]+)/([^/]+)/([^/?]+)", parsed.path)
            assert match and match.groups() == (owner, repo, branch), f"{docname}: Binder の URL が公開先と違います: {url}"
            (labpath,) = parse_qs(parsed.query)["labpath"]
            assert (published / labpath).is_file(), f"{docname}: {labpath} は公開されません: {url}"
        for href in links["download"]:
            target = urlparse(urljoin(page.resolve().as_uri(), href)).path
            assert Path(target).is_file(), f"{docname}: ダウンロードのリンク先がありません: {href}"
            assert Path(target).resolve().is_relative_to(published.resolve()), (
                f"{docname}: ダウンロードのリンクが公開するノートブックを指していません: {href}"
            )
    assert seen == {f"{docname}.ipynb" for docname in CHAPTERS}
