"""src/dlmath を変えたら、変わったモジュールを使うページだけを読み直して再実行させる Sphinx 拡張。

jupyter-cache はセルのソースだけをハッシュするので、パッケージを直しても
キャッシュされた古い出力がそのまま使われてしまいます。また Sphinx の差分ビルドは
ソースが変わっていないページを読み直しません。そこでページごとに、コードセルが import する
dlmath のモジュールと、それらが(パッケージの中で)さらに import するモジュールのソースの
ハッシュを記録しておき、変わっていたら

1. そのページのキャッシュ記録を jupyter-cache から消し(再実行させる)、
2. そのページを「変更あり」として Sphinx に読み直させます。

ページが使わないモジュールの変更では、ページは再実行されません(新しい章のモジュールを
書き足しても、ほかの章を実行し直さない)。

いつ外せるか: 上流に同じ仕組みはありません(jupyter-cache はセルのソースだけを見る設計)。
ページの依存を MyST-NB が記録するようになれば要りません。
"""

from __future__ import annotations

import hashlib
import json
import modulefinder
import re
import tempfile
from pathlib import Path

from jupyter_cache import get_cache
from sphinx.errors import ExtensionError

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "dlmath"
STAMP_NAME = "dlmath-src.json"


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """パッケージの全 .py ファイル(パスと中身)の SHA-256 を返す(何も変わっていないかの早見)。"""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# MyST のコードセルと、その中の import dlmath / from dlmath... の行。
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
IMPORTS_DLMATH = re.compile(r"^\s*(?:import|from)\s+dlmath\b", re.M)


def dependencies(code: str, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """コードが(直接・間接に)実行する dlmath のファイル。標準ライブラリの modulefinder に、パッケージの
    ディレクトリだけを探させて import をたどります(numpy などは見つからないものとして飛ばします)。"""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "page.py"
        script.write_text(code, encoding="utf-8")
        finder = modulefinder.ModuleFinder(path=[str(package_dir.parent)])
        try:
            finder.run_script(str(script))
        except SyntaxError:  # IPython の %magic などで読めないセル: 念のためパッケージ全体に依存させる
            return sorted(package_dir.rglob("*.py"))
    found = (module.__file__ for name, module in finder.modules.items() if name.split(".")[0] == package_dir.name)
    return sorted({Path(file) for file in found if file})


CELL_OPTIONS = re.compile(r"\A(?:---\n.*?^---\n|(?:[ \t]*:[\w-]+:.*\n)+)", re.M | re.S)


def _code_of(path: Path) -> str:
    """MyST のページのコードセルのソースを 1 つにつなげたもの(セルの設定と、IPython の % と ! の行は除く)。
    本書のページは MyST Markdown だけです(.ipynb のページを足すなら、ここでそのセルも読みます)。"""
    cells = [CELL_OPTIONS.sub("", cell) for cell in CODE_CELL.findall(path.read_text(encoding="utf-8"))]
    lines = [line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def page_digest(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """ページが使う dlmath のファイル(パスと中身)の SHA-256。"""
    digest = hashlib.sha256()
    for file in dependencies(_code_of(path), package_dir):
        digest.update(file.relative_to(package_dir).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def has_code_cells(path: Path) -> bool:
    """MyST のページにコードセルが 1 つでもあるか。"""
    return "```{code-cell}" in path.read_text(encoding="utf-8")


def imports_dlmath(path: Path) -> bool:
    """ページのコードセルが dlmath を import するか(本文で名前に触れるだけのページは含めない)。"""
    return bool(IMPORTS_DLMATH.search(_code_of(path)))


def _importing_docs(env) -> dict[str, Path]:
    """コードセルで dlmath を import するページ(docname → 絶対パス)。"""
    docs = {}
    for docname in env.found_docs:
        path = Path(env.doc2path(docname)).resolve()
        if path.suffix == ".ipynb":
            raise ExtensionError(f"{docname}.ipynb: dlmath_freshness は MyST Markdown のページだけを読みます(_code_of)")
        if path.suffix == ".md" and imports_dlmath(path):
            docs[docname] = path
    return docs


def skip_pages_without_code(app, config):
    """コードセルのない MyST ページ(kernelspec だけある目次・記号表など)はカーネルを起動しない。

    MyST-NB は kernelspec のあるページをすべて実行するので、セルが 1 つもなくてもカーネルの起動に
    1 秒ほどかかります。そうしたページを nb_execution_excludepatterns に加えます。
    """
    root = Path(app.srcdir)
    empty = [path.relative_to(root).as_posix() for path in root.glob("book/**/*.md") if not has_code_cells(path)]
    config.nb_execution_excludepatterns = [*config.nb_execution_excludepatterns, *empty]


def _drop_cached_outputs(cache_dir: Path, paths: set[Path]) -> None:
    """指定ページのキャッシュ記録を消す。"""
    cache = get_cache(str(cache_dir))
    for record in cache.list_cache_records():
        if Path(record.uri).resolve() in paths:
            cache.remove_cache(record.pk)


def _read_stamp(stamp: Path) -> dict:
    try:
        return json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def mark_outdated(app, env, added, changed, removed):
    digest = source_digest()
    cache_dir = Path(env.mystnb_config.execution_cache_path)
    stamp = cache_dir / STAMP_NAME
    recorded = _read_stamp(stamp)
    in_env = getattr(env, "dlmath_page_digests", {})
    if recorded.get("package") == digest and in_env.get("package") == digest:
        return []  # ふだんの再ビルド: ページを読んで import を調べる必要もない
    docs = _importing_docs(env)
    pages = {docname: page_digest(path) for docname, path in docs.items()}
    stale_cache = {path for docname, path in docs.items() if recorded.get("pages", {}).get(docname) != pages[docname]}
    _drop_cached_outputs(cache_dir, stale_cache)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"package": digest, "pages": pages}, indent=1, sort_keys=True), encoding="utf-8")
    env.dlmath_page_digests = {"package": digest, "pages": pages}
    reread = {docname for docname in docs if in_env.get("pages", {}).get(docname) != pages[docname]}
    return sorted(reread - set(added) - set(changed))


def setup(app):
    app.connect("config-inited", skip_pages_without_code)
    app.connect("env-get-outdated", mark_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
