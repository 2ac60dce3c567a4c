"""各章を Jupyter ノートブック(.ipynb)にして、Colab・Binder・ダウンロードのボタンから開けるようにする Sphinx 拡張。

ページのソース(MyST Markdown)を jupytext でノートブックにし、本の外でもそのまま動くように直します。

- 先頭に、``dlmath`` が import できないときだけ、このページをビルドした版(タグかコミット)をリポジトリから
  インストールするセルを置きます。インストールできなければ、手元で動かす方法を日本語で示して止まります。
- ``remove-cell`` のセル(``glue`` など本のビルド用の道具)は取り除きます。
- ``literalinclude`` + ``:pyobject:`` は、その関数・クラスのソースを Python のコードブロックにします。
  コードの「式 eq-ラベル」「節 sec-ラベル」は、ページと同じ「式(3.3)」「3.2節」にします(_ext/page_numbering.py)。
- 式番号・節・図への参照、図、解答などの MyST 独自の書き方を、Jupyter で読める Markdown にします。

ビルドでは ``<outdir>/_notebooks/<docname>.ipynb`` と、Binder 用の ``requirements.txt`` を書き出します。
このディレクトリを deploy ワークフローが notebooks ブランチに push するので、ボタンのリンクは
``https://colab.research.google.com/github/OWNER/REPO/blob/notebooks/<docname>.ipynb`` のように
そのブランチを指します(公開先の変更は NOTEBOOK_BRANCH と .github/workflows/deploy.yml の両方で)。

変換そのもの(:func:`convert`)は Sphinx なしでも動き、tests/test_notebooks.py が同じ関数を使います。

いつ外せるか: ノートブックを作る上流の道具(jupytext、sphinx-tojupyter)が glue・{eq}・{numref}・sphinx-exercise を
番号付きで読める形にできれば、変換の部分は要りません(起動のボタンを足す部分は、テーマの launch_buttons が
別のブランチのノートブックを指せるようになるまで残ります)。
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import nbformat

from editions import build_edition, git  # 同じ _ext/ の拡張(版とコミットは一か所で決める)
from dlmath_freshness import has_code_cells  # 同じ _ext/ の拡張(コードセルの有無の判定は一か所に)
from page_numbering import EQUATION_IN_CODE, code_reference  # 同じ _ext/ の拡張(コードの「式 eq-ラベル」も一か所に)

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


@dataclass
class Resolver:
    """MyST の参照を Markdown の文字列にする。Sphinx の環境があれば番号と題名を、なければラベルを使う。"""

    site_url: str = ""
    docname: str = ""
    equations: dict[str, str] = field(default_factory=dict)  # ラベル → "3.1"
    labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # ラベル → (docname, id, 題名)
    in_code: dict[str, str] = field(default_factory=dict)  # 式・節のラベル → コードに書く「式(3.3)」「3.2節」
    numbers: dict[str, str] = field(default_factory=dict)  # 図などのラベル → "図 3.1"、章・節 → "4"、"4.3"
    images: dict[str, str] = field(default_factory=dict)  # ソースの画像パス(リポジトリ基準) → _images/名前
    glue: dict[str, str] = field(default_factory=dict)  # glue の名前 → text/plain
    glue_format: Callable[[str, str], str] | None = None

    def link(self, text: str, label: str) -> str:
        if label in self.labels and self.site_url:
            docname, anchor, _ = self.labels[label]
            return f"[{text}]({self.site_url}{docname}.html#{anchor})"
        return text

    def eq(self, label: str) -> str:
        return f"({self.equations.get(label, label)})"

    def code(self, source: str) -> str:
        """コードの docstring やコメントの「式 eq-ラベル」「節 sec-ラベル」を「式(3.3)」「3.2節」にする
        (分からないラベルはそのまま)。"""
        return EQUATION_IN_CODE.sub(
            lambda m: f"{'と' if m[1] else ''}{self.in_code[m[2]]}" if m[2] in self.in_code else m[0], source)

    def ref(self, text: str | None, label: str) -> str:
        title = text or (self.labels[label][2] if label in self.labels else label)
        return self.link(title, label)

    def numref(self, text: str | None, label: str) -> str:
        number = self.numbers.get(label)
        if text and number:
            title = text.replace("%s", number.split()[-1]).replace("{number}", number.split()[-1])
        else:
            title = text or number or label
        return self.link(title, label)

    def glue_text(self, key: str, fmt: str) -> str:
        if key in self.glue and self.glue_format:
            return self.glue_format(self.glue[key], fmt)
        return f"`{key}`"  # ビルドの外(テスト)では値がないので名前だけ

    def image(self, repo_path: str) -> str:
        name = self.images.get(repo_path, "_images/" + Path(repo_path).name)
        return f"{self.site_url}{name}"


# ---- Markdown の変換 -------------------------------------------------------------------------

ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
TARGET = re.compile(r"^\s*\(([\w:.-]+)\)=\s*$")
MATH_LABEL = re.compile(r"^(\s*)\$\$\s*\(([\w:.-]+)\)\s*$")
FENCE_OPEN = re.compile(r"^(\s*)(:{3,}|`{3,})\{([\w:.-]+)\}\s*(.*?)\s*$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*?)\s*$")


def _split_explicit(content: str) -> tuple[str | None, str]:
    match = EXPLICIT.match(content)
    return (match.group(1), match.group(2)) if match else (None, content)


def convert_roles(text: str, resolver: Resolver) -> str:
    """インラインの role を Markdown にする。数式($...$)の中身は変えない。"""

    def replace(match: re.Match) -> str:
        role, content = match.group(1), match.group(2)
        text, target = _split_explicit(content)
        if role == "eq":
            return resolver.eq(target)
        if role == "ref":
            return resolver.ref(text, target)
        if role == "numref":
            return resolver.numref(text, target)
        if role in {"glue", "glue:", "glue:text", "glue:any"}:
            key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "")
            return resolver.glue_text(key, fmt)
        if role.startswith("cite"):
            return "[" + ", ".join(key.strip() for key in content.split(",")) + "]"
        if role in {"math"}:
            return f"${content}$"
        # term, doc, abbr など: 表示される文字だけを残す
        return text if text is not None else target

    return ROLE.sub(replace, text)


def _directive_block(lines: list[str], start: int) -> tuple[dict, list[str], int]:
    """FENCE_OPEN に一致した行から、(見出し情報, 本文の行, 次の行番号) を返す。"""
    indent, fence, name, argument = FENCE_OPEN.match(lines[start]).groups()
    end = start + 1
    depth = 0
    while end < len(lines):
        stripped = lines[end].strip()
        opened = FENCE_OPEN.match(lines[end])
        if opened and opened.group(2) == fence:
            depth += 1
        elif stripped == fence:
            if depth == 0:
                break
            depth -= 1
        end += 1
    body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[start + 1 : end]]
    options = {}
    if body and body[0].strip() == "---":  # YAML の options
        close = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if close is not None:
            import yaml

            options = yaml.safe_load("\n".join(body[1:close])) or {}
            body = body[close + 1 :]
    while body and OPTION.match(body[0]):
        key, value = OPTION.match(body[0]).groups()
        options[key] = value
        body = body[1:]
    while body and not body[0].strip():
        body = body[1:]
    head = {"indent": indent, "name": name, "argument": argument, "options": options}
    return head, body, end + 1


def _literalinclude(argument: str, options: dict, page: Path) -> str:
    from sphinx.directives.code import LiteralIncludeReader

    path = (page.parent / argument).resolve()
    opts = {key: (int(value) if key in {"dedent", "tab-width", "lineno-start"} else value) for key, value in options.items()}
    reader = LiteralIncludeReader(str(path), opts, SimpleNamespace(source_encoding="utf-8-sig"))
    code, _ = reader.read()
    language = options.get("language", "python" if path.suffix == ".py" else "")
    return f"```{language}\n{code.rstrip()}\n```"


def convert_markdown(text: str, page: Path, repo_root: Path, resolver: Resolver) -> str:
    """MyST の Markdown セルを、Jupyter で読める Markdown にする。"""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if TARGET.match(line):  # (label)= は Jupyter では意味がないので落とす
            i += 1
            continue
        math_label = MATH_LABEL.match(line)
        if math_label:  # $$ ... $$ (label) → \tag{番号}
            indent, label = math_label.groups()
            out.append(f"{indent}\\tag{{{resolver.equations.get(label, label)}}}")
            out.append(f"{indent}$$")
            i += 1
            continue
        if not FENCE_OPEN.match(line):
            out.append(line)
            i += 1
            continue
        head, body, i = _directive_block(lines, i)
        indent, name, argument, options = head["indent"], head["name"], head["argument"], head["options"]
        inner = convert_markdown("\n".join(body), page, repo_root, resolver)
        if name == "literalinclude":
            block = resolver.code(_literalinclude(argument, options, page))
        elif name in {"figure", "image"}:
            repo_path = (page.parent / argument).resolve().relative_to(repo_root).as_posix()
            alt = options.get("alt", "")
            block = f"![{alt}]({resolver.image(repo_path)})"
            if inner.strip():
                block += f"\n\n*{inner.strip()}*"
        elif name in {"math"}:
            tag = options.get("label")
            block = "$$\n" + "\n".join(body).strip() + (f"\n\\tag{{{resolver.equations.get(tag, tag)}}}" if tag else "") + "\n$$"
        elif name in {"code-block", "code", "sourcecode"}:
            block = f"```{argument}\n" + "\n".join(body).rstrip() + "\n```"
        elif name in {"toctree", "bibliography", "contents", "tableofcontents"}:
            block = ""
        elif name == "glossary":
            block = inner
        elif name in {"exercise", "exercise-start"}:  # sphinx-exercise: 「演習問題 1.2(考察)」+ 本文
            number = resolver.numbers.get(str(options.get("label", "")), "演習問題")
            title = f"{number}({convert_roles(argument, resolver)})" if argument else number
            block = f"**{title}**" + (f"\n\n{inner.strip()}" if inner.strip() else "")
        elif name in {"solution", "solution-start"}:  # 解答(本では折りたたみ)
            block = "**解答**" + (f"\n\n{inner.strip()}" if inner.strip() else "")
        elif name in {"exercise-end", "solution-end"}:
            block = ""
        else:  # admonition, note, exercise, solution, dropdown など: 見出し + 本文
            title = argument or name.split(":")[-1]
            block = f"**{convert_roles(title, resolver)}**\n\n{inner.strip()}"
        out.extend(indent + part if part else part for part in block.split("\n"))
    return convert_roles("\n".join(out), resolver)


# ---- ノートブック全体 -------------------------------------------------------------------------


def convert(
    source: Path,
    repo_root: Path,
    *,
    repo_url: str,
    ref: str,
    book_title: str = "",
    docname: str | None = None,
    resolver: Resolver | None = None,
) -> nbformat.NotebookNode:
    """MyST Markdown のページ source を、単独で動くノートブックにする。"""
    import jupytext  # 読み込みに時間がかかるので、使うときだけ

    source = Path(source).resolve()
    repo_root = Path(repo_root).resolve()
    docname = docname or source.relative_to(repo_root).with_suffix("").as_posix()
    resolver = resolver or Resolver(site_url=default_site_url(repo_url), docname=docname)
    notebook = jupytext.read(source, fmt="myst")

    cells = []
    for cell in notebook.cells:
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            cell.source = convert_markdown(cell.source, source, repo_root, resolver)
            if not cell.source.strip():
                continue
        else:
            cell.source = resolver.code(cell.source)
        cells.append(cell)

    install = nbformat.v4.new_code_cell(
        INSTALL_CELL.format(
            title=book_title or "本",
            page_url=f"{resolver.site_url}{docname}.html",
            ref_kind="タグ" if re.fullmatch(r"v\d+\.\d+", ref) else "コミット" if re.fullmatch(r"[0-9a-f]{40}", ref) else "ブランチ",
            ref=ref,
            requirement=pip_requirement(repo_url, ref),
            local_url=f"{resolver.site_url}{LOCAL_GUIDE}",
        ).rstrip()
    )
    install.metadata["tags"] = ["install-dlmath"]
    notebook.cells = [install, *cells]
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # 生成のたびに変わらない id(差分が出ないように)
    nbformat.validate(notebook)
    return notebook


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


def _repository(app) -> tuple[str, str] | None:
    """(リポジトリの URL, ノートブックが入れる dlmath の版)。GitHub のリポジトリが設定されていなければ None
    (ノートブックもボタンも作らない)。版は、版のビルドならそのタグ、そうでなければいまのコミット、
    git の履歴がなければ設定のブランチです(ページと同じコードを入れるため。ブランチは後から進みます)。"""
    options = app.config.html_theme_options or {}
    url = options.get("repository_url") or ""
    try:
        repo_parts(url)
    except ValueError:
        return None
    edition = build_edition(app)
    ref = f"v{edition['version']}" if edition else git(app, "rev-parse", "HEAD")
    return url, ref or options.get("repository_branch") or "main"


def _site_url(app, repo_url: str) -> str:
    base = app.config.html_baseurl or default_site_url(repo_url)
    return base if base.endswith("/") else base + "/"


def notebook_docs(app) -> list[str]:
    """ノートブックを作るページ: コードセルのある MyST Markdown。"""
    docs = []
    for docname in sorted(app.env.found_docs):
        path = Path(app.env.doc2path(docname))
        if path.suffix == ".md" and has_code_cells(path):
            docs.append(docname)
    return docs


def _resolver(app, docname: str, site_url: str) -> Resolver:
    from myst_nb.core.variables import format_plain_text

    env = app.env
    fignumbers = env.toc_fignumbers
    numfig_format = app.config.numfig_format
    equations = {}
    for label, (doc, number) in env.get_domain("math").equations.items():
        found = fignumbers.get(doc, {}).get("displaymath", {}).get(f"equation-{label}")
        equations[label] = ".".join(map(str, found)) if found else str(number)
    labels = dict(env.get_domain("std").labels)
    in_code = {}
    for label in [*equations, *(label for label in labels if label.startswith("sec-"))]:
        before, text, _, _ = code_reference(env, docname, label)
        in_code[label] = before + text
    numbers = {}
    for label, (doc, anchor, title) in labels.items():
        for figtype, ids in fignumbers.get(doc, {}).items():
            if anchor in ids and figtype in numfig_format:
                numbers[label] = numfig_format[figtype] % ".".join(map(str, ids[anchor]))
        # 章・節への {numref}`第%s章 <sec-…>`: 番号は toc_secnumbers の "#アンカー"(ページの最初の見出しは "" の項)
        secnumbers = env.toc_secnumbers.get(doc, {})
        top = doc in env.titles and title == env.titles[doc].astext()
        section = secnumbers.get("#" + anchor) or (secnumbers.get("") if top else None)
        if label not in numbers and section:
            numbers[label] = ".".join(map(str, section))
    images = {}
    for path, (_, unique) in env.images.items():
        images[Path(path).as_posix()] = f"_images/{unique}"
    glue_path = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.glue.json"
    glue = {}
    if glue_path.exists():
        for key, output in json.loads(glue_path.read_text(encoding="utf-8")).items():
            if "text/plain" in output.get("data", {}):
                glue[key] = output["data"]["text/plain"]
    return Resolver(
        site_url=site_url,
        docname=docname,
        equations=equations,
        labels=labels,
        in_code=in_code,
        numbers=numbers,
        images=images,
        glue=glue,
        glue_format=format_plain_text,
    )


def _inputs_digest(source: Path, resolver: Resolver, settings: tuple) -> str:
    """ノートブックの中身を決めるもの(ページ、literalinclude するファイル、参照の番号、glue の値、設定)。"""
    digest = hashlib.sha256()
    text = source.read_text(encoding="utf-8")
    digest.update(text.encode())
    for included in sorted(set(re.findall(r"\{literalinclude\}\s*(\S+)", text))):
        path = source.parent / included
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    state = {k: v for k, v in asdict(resolver).items() if k != "glue_format"}
    # この変換のコードと、page_numbering.py から借りるコードの式の書き方が変わっても作り直す
    code = [Path(__file__).read_text(encoding="utf-8"), EQUATION_IN_CODE.pattern]
    digest.update(json.dumps([state, settings, code], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def write_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or _repository(app) is None:
        return
    repo_url, ref = _repository(app)
    site_url = _site_url(app, repo_url)
    title = app.config.html_title or app.config.project
    outdir = Path(app.outdir) / NOTEBOOK_DIR
    # 入力が変わっていないノートブックは作り直さない(jupytext の変換は 1 ページ 0.1 秒以上かかる)
    record = Path(app.doctreedir) / "notebooks.json"
    digests = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    for docname in notebook_docs(app):
        source = Path(app.env.doc2path(docname))
        target = outdir / f"{docname}.ipynb"
        resolver = _resolver(app, docname, site_url)
        digest = _inputs_digest(source, resolver, (repo_url, ref, title))
        if target.exists() and digests.get(docname) == digest:
            continue
        notebook = convert(
            source, Path(app.srcdir), repo_url=repo_url, ref=ref, book_title=title, docname=docname, resolver=resolver
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(notebook), encoding="utf-8")
        digests[docname] = digest
    dependencies = declared_dependencies(Path(app.srcdir))
    (outdir / "requirements.txt").write_text(requirements_txt(repo_url, ref, dependencies), encoding="utf-8")
    record.write_text(json.dumps(digests, indent=1), encoding="utf-8")


def add_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    """ノートブックのあるページのヘッダーに、Colab・Binder・.ipynb のボタンを加える。"""
    if doctree is None or "header_buttons" not in context:
        return
    path = Path(app.env.doc2path(pagename))
    if path.suffix != ".md" or not path.exists() or not has_code_cells(path) or _repository(app) is None:
        return
    repo_url, _ = _repository(app)
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
    app.connect("build-finished", write_notebooks)
    # テーマ(sphinx-book-theme)がヘッダーのボタンを作る(priority 501)より後に足す。
    app.connect("html-page-context", add_launch_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
