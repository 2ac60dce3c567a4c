"""ビルドの関門が本当に効くかを、一時ディレクトリの小さな本で確かめる。

- セルの例外と stderr への出力はビルドを失敗させる。
- src/dlmath を変えると、差分ビルドでもそれを(間接にも)import するページが再実行される(古い出力が残らない)。
  使わないモジュールの変更では再実行しない。
"""

import re
import shutil

import pytest

from conftest import ROOT, build

PAGE_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# テスト用のページ

"""


@pytest.fixture
def book(tmp_path, monkeypatch):
    """本物の設定(_config.yml と、それが参照する拡張・テンプレート・静的ファイル・文献・画像)と src で、
    1 ページだけの本を作る。"""
    shutil.copy(ROOT / "_config.yml", tmp_path)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("_ext", "_static", "_templates", "locale", "src", "book/images"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book")  # _config.yml の bibtex_bibfiles
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # ノートブックの依存の一覧(_ext/notebooks.py)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")  # 式を組む mathjax-full(_ext/mathjax_prerender.js)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n", encoding="utf-8")
    # カーネルが一時ディレクトリの dlmath を import するように(インストール済みのものより優先)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "src"))
    return tmp_path


def write_page(book, code):
    (book / "book" / "page.md").write_text(PAGE_HEADER + f"```{{code-cell}} ipython3\n{code}\n```\n", encoding="utf-8")


def html(book):
    return (book / "_build" / "html" / "book" / "page.html").read_text(encoding="utf-8")


def test_clean_page_builds(book):
    write_page(book, "print(1 + 1)")
    result = build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize(
    "code",
    [
        "raise RuntimeError('boom')",
        "import sys; print('oops', file=sys.stderr)",
        "import warnings; warnings.warn('careful')",
        "import numpy as np; np.log(np.zeros(1))",
    ],
    ids=["exception", "stderr", "python-warning", "numpy-runtime-warning"],
)
def test_cell_errors_and_stderr_fail_the_build(book, code):
    write_page(book, code)
    result = build(book)
    assert result.returncode != 0, f"build passed although a cell ran {code!r}"


def test_change_in_package_reexecutes_importing_pages(book):
    write_page(book, "from dlmath.data import load_height_weight\nprint('first height', load_height_weight()[0, 0])")
    assert build(book).returncode == 0
    assert "first height 166.0" in html(book)

    data_py = book / "src" / "dlmath" / "data.py"
    data_py.write_text(data_py.read_text(encoding="utf-8").replace("(166.0, 58.7)", "(160.5, 58.7)"), encoding="utf-8")
    result = build(book)  # 差分ビルド: _build を消さない
    assert result.returncode == 0, result.stdout[-3000:]
    assert "first height 160.5" in html(book), "stale output: the page was not re-executed after src changed"


def test_change_in_a_module_the_page_does_not_use_keeps_its_cache(book):
    """ページが(間接にも)使わないモジュールを変えても再実行しない(_ext/dlmath_freshness.py)。"""
    write_page(book, "import time\nfrom dlmath.data import load_height_weight\nprint('executed at', time.time_ns())")
    assert build(book).returncode == 0
    first = re.search(r"executed at \d+", html(book)).group()
    probability_py = book / "src" / "dlmath" / "probability.py"
    probability_py.write_text(probability_py.read_text(encoding="utf-8") + "\n# 変更\n", encoding="utf-8")
    assert build(book).returncode == 0
    assert re.search(r"executed at \d+", html(book)).group() == first, "re-executed for a module it does not import"
    validation_py = book / "src" / "dlmath" / "_validation.py"  # dlmath.data が import するモジュール
    validation_py.write_text(validation_py.read_text(encoding="utf-8") + "\n# 変更\n", encoding="utf-8")
    assert build(book).returncode == 0
    assert re.search(r"executed at \d+", html(book)).group() != first, "not re-executed after a module it uses changed"


def test_unchanged_rebuild_uses_the_cache(book):
    write_page(book, "import time\nprint('executed at', time.time_ns())")
    assert build(book).returncode == 0
    first = re.search(r"executed at \d+", html(book)).group()
    shutil.rmtree(book / "_build" / ".doctrees")  # 読み直させても、キャッシュがあれば再実行しない
    assert build(book).returncode == 0
    assert re.search(r"executed at \d+", html(book)).group() == first


def test_unknown_equation_label_in_code_fails_the_build(book):
    """コードの「式 eq-ラベル」は式番号のリンクになり(_ext/page_numbering.py)、ない式のラベルはビルドの失敗。"""
    equation = "$$\nL = w^2\n$$ (eq-page-loss)\n\n"
    write_page(book, "x = 1  # 式 eq-page-loss")
    page = book / "book" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace("# テスト用のページ\n\n", "# テスト用のページ\n\n" + equation),
                    encoding="utf-8")
    assert build(book).returncode == 0
    assert '# 式<a class="reference internal" href="#equation-eq-page-loss">(1)</a>' in html(book)
    page.write_text(page.read_text(encoding="utf-8").replace("式 eq-page-loss", "式 eq-page-lost"), encoding="utf-8")
    result = build(book)
    assert result.returncode != 0, "build passed although code cites a missing equation label"
    assert "コードの「式 eq-page-lost」: そのラベルがありません" in result.stdout + result.stderr
