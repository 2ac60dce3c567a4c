"""公開したURLと番号が変わらないことを確かめる。

講師は章・節・式・図・演習問題へのリンクを講義資料に書きます(book/citing.md)。そこで、公開済みのページと
アンカー(``sec-``・``eq-``・``fig-``・``ex-``・``cite-``・用語集の ``term-`` のラベル)を tests/stable_anchors.txt に記録し、
そのどれかがビルド済みのサイトから消えたら失敗させます。ラベルやファイル名を変えると、このテストが落ちます。
番号の付く節・式・図・演習問題は、その番号も記録します(行の末尾)。版の番号の前の数字が同じ間(v1.0、v1.1、…)は、
URL もアンカーも番号も変えません(book/changes.md)。一覧の先頭の ``# 版: vX.x`` がその大きな版で、
dlmath.__version__ の前の数字と合っていることも確かめます。番号を変える版を出すときは前の数字を上げ、一覧を作り直します。

新しいページやラベルを一覧に加えるには、本をビルドしてから次を実行します(一覧から消すことはしません)::

    python tests/test_stable_urls.py [サイトのディレクトリ]
"""

import re
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import toc_files

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
    """stable_anchors.txt の各行: ``book/page.html`` または ``book/page.html#anchor [番号]``。"""
    entries = []
    for line in ANCHORS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            target, _, number = line.partition(" ")
            page, _, anchor = target.partition("#")
            entries.append((page, anchor, number))
    return entries


def number_of(tag) -> str:
    """アンカーの要素が表示している番号(節 3.2、式 3.4、図 3.1、演習問題 3.1)。番号がなければ空。"""
    mark = tag.select_one(".eqno") if "math" in (tag.get("class") or []) else tag.select_one(".section-number, .caption-number")
    text = mark.get_text(" ", strip=True).rstrip("#") if mark else ""
    found = re.search(r"\d+(?:\.\d+)*", text)
    return found.group(0) if found else ""


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


def test_list_belongs_to_the_current_major_edition():
    import dlmath

    major = re.search(r"^# 版: v(\d+)\.x", ANCHORS.read_text(encoding="utf-8"), re.M)
    assert major, "stable_anchors.txt には「# 版: vX.x」の行が要ります"
    assert major.group(1) == dlmath.__version__.split(".")[0], (
        f"dlmath {dlmath.__version__} の大きな版が一覧(v{major.group(1)}.x)と違います。番号や URL を変えた版なら、"
        "一覧の版を書き換えて作り直してください(`python tests/test_stable_urls.py --rebase`)"
    )


def test_list_is_well_formed():
    entries = [(page, anchor) for page, anchor, _ in published()]
    pages = {page for page, anchor in entries if not anchor}
    assert len(entries) == len(set(entries)), "duplicate lines in stable_anchors.txt"
    for page, anchor in entries:
        assert re.fullmatch(r"book/[\w-]+\.html", page), page
        assert not anchor or STABLE_ID.match(anchor), f"{page}#{anchor} is not a stable label"
        assert page in pages, f"{page} has anchors but is not listed as a page"
    assert {f"{name}.html" for name in CHAPTER_NUMBERS} <= pages


@pytest.mark.parametrize("page", sorted({page for page, _, _ in published()}))
def test_published_page_and_its_anchors_still_exist(site, page):
    ids = ids_of(site, page)
    assert ids is not None, f"published page {page} is gone (its URL is cited; do not rename files)"
    missing = [anchor for p, anchor, _ in published() if p == page and anchor and anchor not in ids]
    assert not missing, f"published anchors missing from {page} (renamed labels break cited links): {missing}"
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    moved = [
        f"#{anchor}: {number} → {number_of(soup.find(id=anchor))}"
        for p, anchor, number in published()
        if p == page and number and number_of(soup.find(id=anchor)) != number
    ]
    assert not moved, f"numbers changed within the major edition on {page} (add new items after existing ones): {moved}"


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


GENERATED_ID = re.compile(r"id\d+")


@pytest.mark.parametrize("name", toc_files())
def test_every_section_heading_has_a_stable_label(site, name):
    """見出しのある節はどれも ``(sec-…)=`` のラベルを持ち、見出しの「#」が生成された id(#id8)を指さない。

    ラベルのない節の id は Sphinx が ``id1``、``id2``…と順に振るので、前に節を足すと変わります(book/citing.md)。
    節の id はその見出しに付き(_ext/pagefind_search.py)、ほかの id は見出しの前の ``<span id>`` に残ります。
    """
    soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    unstable = []
    for section in soup.select("article section"):
        heading = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if heading is None:  # 見出しのない節(演習問題の本文と解答: exercise-content、solution-content)
            continue
        primary = section.get("id") or heading.get("id", "")
        ids = [primary] + [span["id"] for span in heading.find_previous_siblings("span", id=True)]
        if GENERATED_ID.fullmatch(primary) or not any(i.startswith("sec-") for i in ids):
            unstable.append(f"#{primary} {heading.get_text(strip=True).rstrip('#')}")
    assert not unstable, (
        f"{name}: 見出しに sec- のラベルがない節(見出しの前の行に (sec-ページの略-内容)= を書いてください): {unstable}"
    )


def current_anchors(site):
    """ビルド済みサイトの、目次にあるページとそのラベル付きアンカー。"""
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import toc_files

    lines = []
    for name in toc_files():
        page = f"{name}.html"
        lines.append(page)
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(id=True):
            if STABLE_ID.match(tag["id"]):
                lines.append(f"{page}#{tag['id']} {number_of(tag)}".rstrip())
    return lines


if __name__ == "__main__":
    # 使い方: python tests/test_stable_urls.py [--rebase] [サイト]。--rebase は番号を今のサイトの番号に書き直す
    # (大きな版を上げるときだけ)。ふだんは新しいページ・アンカーを末尾に足すだけで、既存の行は変えません。
    args = [a for a in sys.argv[1:] if a != "--rebase"]
    site = Path(args[0]) if args else ROOT / "_build" / "html"
    text = ANCHORS.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    known = {line.split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    current = current_anchors(site)
    if "--rebase" in sys.argv:
        gone = sorted(known - {line.split(" ")[0] for line in current})
        if gone:  # 番号は作り直しても、公開したアンカーは消さない
            sys.exit(f"公開したアンカーがサイトにありません(--rebase でも消しません): {gone}")
        ANCHORS.write_text("\n".join(header + current) + "\n", encoding="utf-8")
        print(f"rewrote {ANCHORS} with {len(current)} entries and their numbers")
    else:
        new = [line for line in current if line.split(" ")[0] not in known]
        with ANCHORS.open("a", encoding="utf-8") as f:
            f.writelines(f"{line}\n" for line in new)
        print(f"added {len(new)} entries to {ANCHORS}")
