"""src/dlmath を変えたら、それを import するページを読み直して再実行させる Sphinx 拡張。

jupyter-cache はセルのソースだけをハッシュするので、パッケージを直しても
キャッシュされた古い出力がそのまま使われてしまいます。また Sphinx の差分ビルドは
ソースが変わっていないページを読み直しません。そこでパッケージのソースの
ハッシュを記録しておき、変わっていたら

1. ``dlmath`` を含むページのキャッシュ記録を jupyter-cache から消し(再実行させる)、
2. それらのページを「変更あり」として Sphinx に読み直させます。
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from jupyter_cache import get_cache

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "dlmath"
STAMP_NAME = "dlmath-src.sha256"


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """パッケージの全 .py ファイル(パスと中身)の SHA-256 を返す。"""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# MyST のコードセルと、その中の import dlmath / from dlmath... の行。
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
IMPORTS_DLMATH = re.compile(r"^\s*(?:import|from)\s+dlmath\b", re.M)


def has_code_cells(path: Path) -> bool:
    """MyST のページにコードセルが 1 つでもあるか。"""
    return "```{code-cell}" in path.read_text(encoding="utf-8")


def imports_dlmath(path: Path) -> bool:
    """ページのコードセルが dlmath を import するか(本文で名前に触れるだけのページは含めない)。"""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = [c for c in json.loads(text).get("cells", []) if c.get("cell_type") == "code"]
        return any(IMPORTS_DLMATH.search("".join(c.get("source", ""))) for c in cells)
    return any(IMPORTS_DLMATH.search(cell) for cell in CODE_CELL.findall(text))


def _importing_docs(env) -> dict[str, Path]:
    """コードセルで dlmath を import するページ(docname → 絶対パス)。"""
    docs = {}
    for docname in env.found_docs:
        path = Path(env.doc2path(docname)).resolve()
        if path.suffix in {".md", ".ipynb"} and imports_dlmath(path):
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


def mark_outdated(app, env, added, changed, removed):
    digest = source_digest()
    cache_dir = Path(env.mystnb_config.execution_cache_path)
    stamp = cache_dir / STAMP_NAME
    cache_is_current = stamp.exists() and stamp.read_text() == digest
    env_is_current = getattr(env, "dlmath_src_digest", None) == digest
    if cache_is_current and env_is_current:
        return []  # ふだんの再ビルド: ページを読んで import を調べる必要もない
    docs = _importing_docs(env)
    if not cache_is_current:
        _drop_cached_outputs(cache_dir, set(docs.values()))
        cache_dir.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    if env_is_current:
        return []
    env.dlmath_src_digest = digest
    return sorted(set(docs) - set(added) - set(changed))


def setup(app):
    app.connect("config-inited", skip_pages_without_code)
    app.connect("env-get-outdated", mark_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
