"""公開したURLと番号が変わらないことを確かめる。

講師は章・節・式・図・演習問題へのリンクを講義資料に書きます(book/citing.md)。そこで、公開済みのページと
アンカー(``sec-``・``eq-``・``fig-``・``ex-``・``cite-``・用語集の ``term-`` のラベル)を tests/stable_anchors.txt に記録し、
そのどれかがビルド済みのサイトから消えたら失敗させます。ラベルやファイル名を変えると、このテストが落ちます。

新しいページやラベルを一覧に加えるには、本をビルドしてから次を実行します(一覧から消すことはしません)::

    python tests/test_stable_urls.py [サイトのディレクトリ]
"""

import re
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = Path(__file__).with_name("stable_anchors.txt")
STABLE_ID = re.compile(r"^(?:sec|equation-eq|fig|ex|cite|term)-[\w-]+$")

# 公開した章の番号。章を既存の章の前に差し込むと番号がずれるので、新しい章は後ろに追加します。
CHAPTER_NUMBERS = {
    "book/ai-and-ml": 1,
    "book/how-models-learn": 2,
    "book/linear-regression": 3,
    "book/towards-deep-learning": 4,
}


def published():
    """stable_anchors.txt の各行: ``book/page.html`` または ``book/page.html#anchor``。"""
    entries = []
    for line in ANCHORS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            page, _, anchor = line.partition("#")
            entries.append((page, anchor))
    return entries


def numbered_chapters():
    """_toc.yml で numbered: true の部にある章(リポジトリからの相対パス、拡張子なし)。"""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]


_ids = {}


def ids_of(site, page):
    key = (site, page)
    if key not in _ids:
        path = site / page
        _ids[key] = (
            {tag["id"] for tag in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all(id=True)}
            if path.exists()
            else None
        )
    return _ids[key]


def test_list_is_well_formed():
    entries = published()
    pages = {page for page, anchor in entries if not anchor}
    assert len(entries) == len(set(entries)), "duplicate lines in stable_anchors.txt"
    for page, anchor in entries:
        assert re.fullmatch(r"book/[\w-]+\.html", page), page
        assert not anchor or STABLE_ID.match(anchor), f"{page}#{anchor} is not a stable label"
        assert page in pages, f"{page} has anchors but is not listed as a page"
    assert {f"{name}.html" for name in CHAPTER_NUMBERS} <= pages


@pytest.mark.parametrize("page", sorted({page for page, _ in published()}))
def test_published_page_and_its_anchors_still_exist(site, page):
    ids = ids_of(site, page)
    assert ids is not None, f"published page {page} is gone (its URL is cited; do not rename files)"
    missing = [anchor for p, anchor in published() if p == page and anchor and anchor not in ids]
    assert not missing, f"published anchors missing from {page} (renamed labels break cited links): {missing}"


def test_chapter_numbers_are_unchanged():
    assert numbered_chapters()[: len(CHAPTER_NUMBERS)] == list(CHAPTER_NUMBERS), (
        "a chapter was moved or inserted before a published one; add new chapters after them"
    )


@pytest.mark.parametrize("name", list(CHAPTER_NUMBERS))
def test_chapter_title_sections_equations_and_exercises_carry_numbers(site, name):
    number = CHAPTER_NUMBERS[name]
    soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    h1 = soup.select_one("article h1")
    span = h1.select_one("span.section-number")
    assert span is not None and span.get_text(strip=True) == f"{number}.", f"{name}: h1 is not numbered: {h1}"
    for h2 in soup.select("article h2"):
        assert re.fullmatch(
            rf"{number}\.\d+\.", h2.select_one("span.section-number").get_text(strip=True)
        ), f"{name}: section {h2.get_text()!r} has no number {number}.k"
    equations = soup.select('div.math[id^="equation-eq-"]')
    for math in equations:
        eqno = math.select_one(".eqno")
        assert eqno is not None, f"{name}: {math['id']} has no equation number"
        assert re.fullmatch(rf"\({number}\.\d+\)", eqno.get_text(strip=True).rstrip("#")), eqno.get_text()
    numbers = [m.select_one(".eqno").get_text(strip=True).rstrip("#") for m in equations]
    assert numbers == [f"({number}.{k})" for k in range(1, len(numbers) + 1)], f"{name}: {numbers}"
    for exercise in soup.select("div.exercise"):
        caption = exercise.select_one(".caption-number").get_text(strip=True)
        assert re.fullmatch(rf"演習問題 {number}\.\d+", caption), caption


def current_anchors(site):
    """ビルド済みサイトの、目次にあるページとそのラベル付きアンカー。"""
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import toc_files

    lines = []
    for name in toc_files():
        page = f"{name}.html"
        lines.append(page)
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        lines += [f"{page}#{tag['id']}" for tag in soup.find_all(id=True) if STABLE_ID.match(tag["id"])]
    return lines


if __name__ == "__main__":
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    known = set(ANCHORS.read_text(encoding="utf-8").splitlines()) if ANCHORS.exists() else set()
    new = [line for line in current_anchors(site) if line not in known]
    with ANCHORS.open("a", encoding="utf-8") as f:
        f.writelines(f"{line}\n" for line in new)
    print(f"added {len(new)} entries to {ANCHORS}")
