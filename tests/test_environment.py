"""付録「動作確認環境」(book/environment.md): ビルドした環境の版、宣言した依存、各章の実行時間の表。"""

import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import ROOT, built_page, section_by_id, toc_files

sys.path.insert(0, str(ROOT / "_ext"))
from dlmath_freshness import has_code_cells  # noqa: E402

PAGE = "book/environment"


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


def outputs(soup):
    return "\n".join(o.get_text() for o in soup.select("div.cell_output"))


def test_page_is_in_the_appendix():
    assert PAGE in toc_files()


def test_versions_are_those_of_the_environment_that_built_the_site(soup):
    text = outputs(soup)
    for name in ("numpy", "matplotlib", "scikit-learn", "jupyter-book"):
        assert re.search(rf"^{re.escape(name)}\s+{re.escape(version(name))}$", text, re.M), f"{name} {version(name)}"
    assert f"Python {sys.version.split()[0]}" in text


def test_declared_dependencies_are_listed_with_their_lower_bounds(soup):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    shown = [line.strip() for line in outputs(soup).splitlines()]
    for requirement in declared:
        assert requirement.replace(" ", "") in shown, requirement


def test_execution_table_has_every_chapter_with_code_in_japanese(soup):
    table = section_by_id(soup, "sec-environment-times").find("table")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == ["章", "実行時間(秒)", "結果", "実行した日時"]
    rows = {}
    for tr in table.select("tbody tr"):
        cells = tr.find_all("td")
        link = cells[0].find("a")
        target = link["href"].split("#")[0] or f"{Path(PAGE).name}.html"  # このページ自身へのリンクは "#"
        rows[Path(target).stem] = [c.get_text(strip=True) for c in cells]
    expected = [Path(name).stem for name in toc_files() if has_code_cells(ROOT / f"{name}.md")]
    assert list(rows) == expected  # 目次の順
    for page, (title, seconds, result, when) in rows.items():
        assert title and "/" not in title, f"{page}: the link shows {title!r}, not the chapter title"
        assert float(seconds) > 0 and result == "成功", (page, seconds, result)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+", when), when  # タイムゾーン付き
