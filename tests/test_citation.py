"""引用のための情報(CITATION.cff、本書の引用方法のページ、参考文献)が正しく、互いに食い違わないことを確かめる。

CITATION.cff は構造を PyYAML で調べます(Citation File Format 1.2.0 の必須キーと型)。書名・著者・URL・版は
_config.yml と dlmath.__version__ を正とし、引用方法のページの BibTeX もそれに合っていることを確かめます。
"""

import datetime
import re

import pytest
import yaml
from bs4 import BeautifulSoup

import dlmath
from conftest import ROOT, built_page

CFF = ROOT / "CITATION.cff"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SITE_URL = CONFIG["html"]["baseurl"]
REPO_URL = CONFIG["repository"]["url"]


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def test_cff_has_the_required_keys_of_version_1_2_0(cff):
    for key in ("cff-version", "message", "title", "authors"):
        assert key in cff, f"CITATION.cff lacks required key {key!r}"
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] in {"software", "dataset"}, "CFF 1.2.0 allows only type software or dataset at the top level"
    assert isinstance(cff["message"], str) and cff["message"].strip()


def test_cff_authors_are_entities_or_persons(cff):
    assert isinstance(cff["authors"], list) and cff["authors"]
    for author in cff["authors"] + cff["preferred-citation"]["authors"]:
        assert "name" in author or "family-names" in author, f"author without name: {author}"
    assert cff["authors"][0]["name"] == CONFIG["author"]


def test_cff_agrees_with_the_book_config_and_the_package(cff):
    assert cff["title"] == CONFIG["title"]
    assert cff["url"] == SITE_URL
    assert cff["repository-code"] == REPO_URL
    assert cff["version"] == dlmath.__version__
    assert cff["preferred-citation"]["version"] == dlmath.__version__
    assert cff["preferred-citation"]["url"] == SITE_URL
    assert cff["preferred-citation"]["title"] == CONFIG["title"]
    assert str(cff["preferred-citation"]["year"]) == str(CONFIG["copyright"])


def test_cff_dates_and_licenses(cff):
    datetime.date.fromisoformat(str(cff["date-released"]))  # YYYY-MM-DD でなければ ValueError
    assert cff["license"] == ["CC-BY-4.0", "MIT"], "text CC BY 4.0 (LICENSE-CONTENT.md), code MIT (LICENSE)"
    assert cff["preferred-citation"]["type"] == "book"
    assert "citing.html" in cff["message"]


@pytest.fixture(scope="module")
def citing(site):
    return built_page(site, "book/citing")


def test_citing_page_bibtex_matches_config_and_version(citing):
    snippets = [pre.get_text() for pre in citing.select("div.highlight-bibtex pre")]
    assert len(snippets) >= 2, "expected BibTeX snippets for the book and for a chapter"
    for snippet in snippets:
        assert f"version      = {{{dlmath.__version__}}}" in snippet
        assert f"{{{{{CONFIG['author']}}}}}" in snippet, "author must be braced as one entity"
        url = re.search(r"url\s*=\s*\{(\S+)\}", snippet).group(1)
        assert url.startswith(SITE_URL), url
    assert f"title        = {{{CONFIG['title']}}}" in snippets[0]


def test_citing_page_example_links_point_to_existing_anchors(site, citing):
    """引用方法のページが例に挙げた URL(サイト内のページ#アンカー)が、実際にあること。"""
    text = citing.get_text()
    examples = set(re.findall(re.escape(SITE_URL) + r"(book/[\w-]+\.html)(?:#([\w-]+))?", text))
    assert len(examples) >= 4
    for page, anchor in examples:
        path = site / page
        assert path.exists(), f"example URL {page} does not exist"
        if anchor:
            assert f'id="{anchor}"' in path.read_text(encoding="utf-8"), f"example anchor {page}#{anchor} does not exist"


def test_references_page_lists_every_bib_entry_with_japanese_names_intact(site):
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M)
    html = (site / "book" / "references.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for key in keys:
        assert f"cite-{key}" in ids or f"cite-software-{key}" in ids, f"{key} is not listed on the references page"
    text = soup.find(id="cite-akaishi2019").get_text(" ", strip=True)
    # 日本語の著者名が「名 姓」に並べ替えられたり、分かち書きされたりしていないこと
    assert "赤石雅典" in text and "雅典 赤石" not in text, text
    # 本書のもとになった講演と、同じ著者の書籍は別の項目
    assert "Pythonで理解するディープラーニング入門" in text and "講演" in text, text
    assert "cite-akaishi2019book" in ids


def test_chapters_cite_the_sources_they_rely_on(site):
    cited = {}
    for name in ("linear-regression", "towards-deep-learning"):
        html = (site / "book" / f"{name}.html").read_text(encoding="utf-8")
        cited[name] = set(re.findall(r'href="references\.html#cite-([\w-]+)"', html))
    assert {"akaishi2019", "bishop2006"} <= cited["linear-regression"]
    assert {"goodfellow2016", "bishop2006"} <= cited["towards-deep-learning"]
    text = built_page(site, "book/linear-regression").get_text()
    assert "赤石雅典, 2019" in text, "author_year citation of the Japanese source does not read 赤石雅典, 2019"
