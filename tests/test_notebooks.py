"""各章のノートブック(Colab・Binder・ダウンロード用)。

1. 章ごとに、ビルドと同じ変換(_ext/notebooks.py の convert)で .ipynb を作り、dlmath と宣言した依存だけの
   環境(tools/compat.py の declared)の新しいカーネルで 1 冊ずつ、空の一時ディレクトリを作業ディレクトリにして
   実行します。ページどうしで状態を共有せず、ビルドの作業ディレクトリや宣言していない依存にも頼らないことを
   確かめます。
2. ビルド済みサイトの各ページの Colab・Binder・.ipynb のリンクが、deploy ワークフローが
   公開するもの(notebooks ブランチに push するディレクトリ)を指していることを確かめます。
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, toc_files

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
import compat  # noqa: E402  (tools/compat.py: 読者の環境に近い venv でノートブックを実行する)
import notebooks  # noqa: E402  (_ext/notebooks.py: ビルドと同じ変換)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"]
BRANCH = CONFIG["repository"].get("branch", "main")
COMMIT = "0123456789abcdef0123456789abcdef01234567"  # ビルドではいまのコミット(_ext/notebooks.py の _repository)
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"

CHAPTERS = [f for f in toc_files() if notebooks.has_code_cells(ROOT / f"{f}.md")]


def _convert(docname: str) -> nbformat.NotebookNode:
    return notebooks.convert(ROOT / f"{docname}.md", ROOT, repo_url=REPO_URL, ref=COMMIT, docname=docname)


def test_chapters_with_code_are_found():
    assert "book/linear-regression" in CHAPTERS, CHAPTERS


@pytest.mark.parametrize("docname", CHAPTERS)
def test_notebook_is_self_contained(docname):
    notebook = _convert(docname)
    install = notebook.cells[0]
    owner, repo = notebooks.repo_parts(REPO_URL)
    assert install.cell_type == "code"
    assert 'find_spec("dlmath") is None' in install.source
    assert f"git+https://github.com/{owner}/{repo}.git@{COMMIT}" in install.source
    assert f"コミット {COMMIT}" in install.source
    for index, cell in enumerate(notebook.cells):
        assert "remove-cell" not in cell.metadata.get("tags", []), f"セル {index} は remove-cell です"
        if cell.cell_type == "code":
            assert not re.search(r"\bmyst_nb\b|\bglue\(", cell.source), (
                f"セル {index} が本のビルド用の myst_nb / glue を使っています(ノートブックでは動きません):\n{cell.source}"
            )
        else:
            leftovers = re.findall(r"\{[\w:.-]+\}`[^`]*`|^\s*(?::{3,}|`{3,})\{[\w:.-]+\}.*$", cell.source, re.M)
            assert not leftovers, f"セル {index} に MyST の書き方が残っています: {leftovers}"


@pytest.fixture(scope="module")
def declared_kernel():
    """dlmath と宣言した依存だけの環境のカーネル(make test が tools/compat.py declared --setup-only で作る)。"""
    if not (compat.COMPAT / "declared" / "bin" / "python").exists():
        pytest.fail("_build/compat/declared がありません。make test(または tools/compat.py declared --setup-only)で作ります。")
    compat.use_kernel("declared")
    return "declared"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_notebook_runs_alone_with_only_the_declared_dependencies(docname, declared_kernel):
    """読者が pip install した dlmath(と pyproject.toml の依存)だけで、各章のノートブックが新しいカーネルで動く。

    作業ディレクトリは空の一時ディレクトリ。セルのエラー、stderr、dlmath・ページから出た非推奨の警告は失敗。
    """
    seconds, problems = compat.run_notebook(docname, declared_kernel)
    assert not problems, "\n\n".join(problems)


def test_equation_labels_in_code_read_as_numbers():
    """literalinclude した関数とコードセルの「式 eq-ラベル」「節 sec-ラベル」は、ページと同じ「式(3.3)」「3.2節」になる
    (リンクはなし。文字は Sphinx の環境から page_numbering.code_reference が決めて Resolver.in_code に入れる)。
    分からないラベル(Resolver にない)は、そのまま残す。"""
    resolver = notebooks.Resolver(in_code={"eq-linreg-predict-vector": "式(3.3)", "eq-linreg-uncenter": "式(3.12)",
                                           "sec-linreg-closed-form": "3.6節"})
    notebook = notebooks.convert(ROOT / "book/linear-regression.md", ROOT, repo_url=REPO_URL, ref=COMMIT,
                                 docname="book/linear-regression", resolver=resolver)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert '"""予測関数 yp = x @ w を返す(式(3.3))。' in markdown  # literalinclude した predict
    assert "# 式(3.12)" in code and "式 eq-linreg-uncenter" not in code  # コードセルのコメント
    assert "式 eq-linreg-predict-vector" not in markdown + code
    assert "(3.6節)" in code and "sec-linreg-closed-form" not in code  # コードセルのコメントの節
    assert "(式 eq-linreg-loss)" in markdown  # 番号が分からない
    both = notebooks.Resolver(in_code={"eq-deep-minibatch": "式(7.9)", "eq-practical-sgd": "式(8.1)"})
    assert both.code("(式 eq-deep-minibatch と eq-practical-sgd)") == "(式(7.9)と式(8.1))"


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


def test_install_cell_stops_with_a_japanese_message_when_pip_fails(tmp_path):
    """dlmath のない Python で、インストールに失敗したら次のセルへ進まず、手元で動かす方法を示して止まる。"""
    install = _convert("book/linear-regression").cells[0].source
    owner, repo = notebooks.repo_parts(REPO_URL)
    # pip が必ず失敗する指定にする(ネットにつながる CI でも本物の GitHub から入れてしまわないように)
    install = install.replace(f"git+https://github.com/{owner}/{repo}.git@{COMMIT}", f"file://{tmp_path}/missing")
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
