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
from conftest import ROOT, built_page, chapters_by_numbering, section_by_id

CFF = ROOT / "CITATION.cff"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SITE_URL = CONFIG["html"]["baseurl"]
REPO_URL = CONFIG["repository"]["url"]
# 公開した最新の版(book/changes.yml の、日付のある最初の版)と、その版のサイトの URL
EDITION = next(e for e in yaml.safe_load((ROOT / "book" / "changes.yml").read_text(encoding="utf-8"))["editions"]
               if e.get("date"))
EDITION_URL = f"{SITE_URL}v{EDITION['version']}/"


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
    assert cff["version"] == dlmath.__version__ == f"{EDITION['version']}.0"
    assert cff["preferred-citation"]["version"] == dlmath.__version__
    assert cff["preferred-citation"]["url"] == EDITION_URL
    assert cff["preferred-citation"]["title"] == CONFIG["title"]
    assert str(cff["preferred-citation"]["year"]) == str(CONFIG["copyright"])


def test_cff_dates_and_licenses(cff):
    assert datetime.date.fromisoformat(str(cff["date-released"])) == EDITION["date"]
    assert cff["license"] == ["CC-BY-4.0", "MIT"], "text CC BY 4.0 (LICENSE-CONTENT.md), code MIT (LICENSE)"
    assert cff["preferred-citation"]["type"] == "book"
    assert "citing.html" in cff["message"]


def test_citing_page_states_the_released_edition_its_date_and_url(citing):
    items = section_by_id(citing, "sec-citing-items").get_text()
    date = EDITION["date"]
    assert f"v{EDITION['version']}({date.year}年{date.month}月{date.day}日公開)" in items
    assert EDITION_URL in items


def test_zenodo_metadata_agrees_with_the_citation():
    import json

    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["title"] == CONFIG["title"]
    assert [c["name"] for c in zenodo["creators"]] == [CONFIG["author"]]
    assert zenodo["license"] == "cc-by-4.0"
    assert zenodo["upload_type"] == "publication"
    assert any(r["identifier"] == SITE_URL for r in zenodo.get("related_identifiers", []))


@pytest.fixture(scope="module")
def citing(site):
    return built_page(site, "book/citing")


def test_citing_page_bibtex_matches_config_and_version(citing):
    snippets = [pre.get_text() for pre in citing.select("div.highlight-bibtex pre")]
    assert len(snippets) >= 2, "expected BibTeX snippets for the book and for a chapter"
    for snippet in snippets:
        assert f"version      = {{{EDITION['version']}}}" in snippet
        assert f"{{{{{CONFIG['author']}}}}}" in snippet, "author must be braced as one entity"
        url = re.search(r"url\s*=\s*\{(\S+)\}", snippet).group(1)
        assert url.startswith(EDITION_URL), url
        assert f"v{EDITION['version']}、" in snippet
    assert f"title        = {{{CONFIG['title']}}}" in snippets[0]


def test_citing_page_example_links_point_to_existing_anchors(site, citing):
    """引用方法のページが例に挙げた URL(サイト内のページ#アンカー)が、実際にあること。"""
    text = citing.get_text()
    examples = set(re.findall(re.escape(SITE_URL) + r"(?:v\d+\.\d+/)?(book/[\w-]+\.html)(?:#([\w-]+))?", text))
    edition_links = re.findall(re.escape(SITE_URL) + r"(v\d+\.\d+)/", text)
    assert edition_links and set(edition_links) == {f"v{EDITION['version']}"}, edition_links
    assert len(examples) >= 4
    for page, anchor in examples:
        path = site / page
        assert path.exists(), f"example URL {page} does not exist"
        if anchor:
            assert f'id="{anchor}"' in path.read_text(encoding="utf-8"), f"example anchor {page}#{anchor} does not exist"


# 書名の空白は、本文では書かないことがある(textlint の規則)ので、比べるときは空白を除く。
BOOK_TITLE = "最短コースでわかるディープラーニングの数学"
TALK_TITLE = "Pythonで理解するディープラーニング入門"


def test_references_page_lists_every_bib_entry_with_japanese_names_intact(site):
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M)
    html = (site / "book" / "references.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for key in keys:
        assert f"cite-{key}" in ids or f"cite-software-{key}" in ids, f"{key} is not listed on the references page"
    book = soup.find(id="cite-akaishi2019").get_text(" ", strip=True)
    talk = soup.find(id="cite-akaishi2019talk").get_text(" ", strip=True)
    for text in (book, talk):
        # 日本語の著者名が「名 姓」に並べ替えられたり、分かち書きされたりしていないこと
        assert "赤石雅典" in text and "雅典 赤石" not in text, text
    # references.html#cite-akaishi2019 は 0.1.0 から書籍を指している(公開したアンカーの意味を変えない)。
    # 本書のもとになった講演は別の項目 akaishi2019talk。
    assert BOOK_TITLE in re.sub(r"\s", "", book) and "講演" not in book, book
    assert TALK_TITLE in talk and "講演" in talk, talk


def cite_links(soup, key):
    return soup.find_all("a", href=re.compile(rf"references\.html#cite-{key}$|^#cite-{key}$"))


def test_chapters_cite_the_sources_they_rely_on(site):
    cited = {}
    for name in ("linear-regression", "towards-deep-learning"):
        html = (site / "book" / f"{name}.html").read_text(encoding="utf-8")
        cited[name] = set(re.findall(r'href="references\.html#cite-([\w-]+)"', html))
    assert {"akaishi2019talk", "bishop2006"} <= cited["linear-regression"]
    assert {"goodfellow2016", "bishop2006"} <= cited["towards-deep-learning"]
    soup = built_page(site, "book/linear-regression")
    assert "赤石雅典, 2019" in soup.get_text(), "author_year citation of the Japanese source does not read 赤石雅典, 2019"
    # 第3章が最初に「講演」と言う段落で、その講演(akaishi2019talk)を引用している
    first = next((p for p in soup.select("main p") if "講演" in p.get_text()), None)
    assert first is not None, "chapter 3 never says 講演"
    assert cite_links(first, "akaishi2019talk"), first.get_text()


def test_akaishi_citations_name_the_work_they_cite(site):
    """書籍と講演はどちらも「赤石雅典, 2019」と表示されるので、引用のある段落には書名か講演名(講演)を書く。"""
    found = []
    for path in sorted((site / "book").glob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for key, name in (("akaishi2019", BOOK_TITLE), ("akaishi2019talk", "講演")):
            for link in cite_links(soup, key):
                paragraph = link.find_parent(["p", "li"])
                if paragraph is not None and name not in re.sub(r"\s", "", paragraph.get_text()):
                    found.append(f"{path.name}: cite-{key} without {name}: {paragraph.get_text()[:80]}")
    assert not found, "\n".join(found)


def test_citing_bibtex_chapter_title_matches_the_toc_and_the_page():
    """引用方法のページの BibTeX に手で書いた「第N章 題名」が、目次の章番号とその章の見出しに合っていること。"""
    text = (ROOT / "book" / "citing.md").read_text(encoding="utf-8")
    entries = re.findall(r"title\s*=\s*\{第(\d+)章 ([^}]+)\}.*?\burl\s*=\s*\{\S*?(book/[\w-]+)\.html\}", text, re.S)
    assert entries, "citing.md has no BibTeX entry for a chapter"
    numbered, _ = chapters_by_numbering()
    for number, title, page in entries:
        assert page in numbered, f"{page} is not a numbered chapter"
        assert int(number) == numbered.index(page) + 1, f"{page} is chapter {numbered.index(page) + 1}, not {number}"
        heading = re.search(r"^# (.+)$", (ROOT / f"{page}.md").read_text(encoding="utf-8"), re.M).group(1).strip()
        assert title == heading, f"BibTeX title {title!r} != chapter heading {heading!r}"
