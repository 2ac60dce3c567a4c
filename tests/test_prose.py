"""本文(book/*.md)の書き方を機械で確かめられる範囲で確かめる: 章番号は役割から、用語は 1 つの書き方、本の地図は目次どおり。"""

import re

import pytest
import yaml

from conftest import ROOT, toc_files

PAGES = sorted((ROOT / "book").glob("*.md"))
# コードの囲み: ```{code-cell} や ```python、```bash、``` だけの行で始まり、同じ長さの ``` で終わる。
# ```{exercise} や ```{figure} のような指示は本文を含むので、中も本文として調べる。
CODE_FENCE = re.compile(r"^(`{3,}|~{3,})(\{code-cell\}.*|[A-Za-z]*)\s*$")


def prose_lines(path):
    """ページの (行番号, 行) のうち、コードブロック・コードセルの外にあるもの。"""
    closing, lines = None, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if closing is not None:
            if stripped == closing:
                closing = None
            continue
        opening = CODE_FENCE.match(stripped)
        if opening:
            closing = opening.group(1)
            continue
        lines.append((number, line))
    return lines


def offenders(pattern, allow=None):
    found = []
    for path in PAGES:
        for number, line in prose_lines(path):
            for match in re.finditer(pattern, line):
                if allow is None or not allow(line, match):
                    found.append(f"{path.name}:{number}: {match.group()} in {line.strip()[:80]}")
    return found


def test_prose_lines_skip_code_cells():
    text = prose_lines(ROOT / "book" / "linear-regression.md")
    assert not any("import numpy" in line for _, line in text)
    assert any("{eq}" in line for _, line in text)


def test_no_typed_part_numbers():
    """部には番号がない(目次の部は考え方のまとまり)ので、「第N部」はどこにも書かない。"""
    found = offenders(r"第[0-9０-９]+部")
    assert not found, "typed part numbers:\n" + "\n".join(found)


def test_chapter_numbers_come_from_numref():
    """本書の章は {numref}`第%s章 <sec-…>` で参照する。手で書いた「第N章」は、ほかの本(文献の引用と同じ行)だけ。"""
    found = offenders(r"第[0-9０-９]+章", allow=lambda line, match: "{cite" in line)
    assert not found, "typed chapter numbers (use {numref}`第%s章 <sec-…>`):\n" + "\n".join(found)


CHAPTER_LABELS = {}
for _page in PAGES:
    _first = re.search(r"^\((sec-[\w-]+)\)=\n# ", _page.read_text(encoding="utf-8"), re.M)
    if _first:
        CHAPTER_LABELS[_first.group(1)] = f"book/{_page.stem}"


def test_numref_chapter_references_point_to_numbered_chapters():
    """「第%s章」の numref の行き先は、番号のある章の見出し(数学の準備や付録には番号がない)。"""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = {c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]}
    found = []
    for path in PAGES:
        for number, line in prose_lines(path):
            for target in re.findall(r"\{numref\}`第[^`<]*章[^`<]*<([\w-]+)>`", line):
                if CHAPTER_LABELS.get(target) not in numbered:
                    found.append(f"{path.name}:{number}: 第…章 points to {target}, not a numbered chapter title")
    assert not found, "\n".join(found)


SPELLINGS = [
    # (本書で使わない書き方, 使う書き方)
    (r"予想", "予測"),
    (r"この本", "本書"),
    (r"(?<!最小)二乗", "2乗(用語の「最小二乗法」はそのまま)"),
    (r"対数目盛り", "対数目盛"),
    (r"きざみ幅|刻み巾", "刻み幅"),
]


@pytest.mark.parametrize("wrong, right", SPELLINGS)
def test_one_spelling_per_term(wrong, right):
    found = []
    for path in PAGES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(wrong, line):
                found.append(f"{path.name}:{number}: {line.strip()[:80]}")
    assert not found, f"write {right}:\n" + "\n".join(found)


def test_intro_map_lists_the_toc_parts_and_chapters_in_order():
    """「本書の構成」は目次(_toc.yml)の部と章を、同じ順にすべて挙げる。"""
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    section = intro.split("## 本書の構成", 1)[1].split("\n## ", 1)[0]
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    shown_captions = re.findall(r"^\*\*(.+?)\*\*$", section, re.M)
    assert shown_captions == captions
    listed = []
    for ref in re.findall(r"\{doc\}`([\w-]+)`|\{numref\}`第\{number\}章 \{name\} <([\w-]+)>`", section):
        name = f"book/{ref[0]}" if ref[0] else CHAPTER_LABELS[ref[1]]
        if name not in listed:
            listed.append(name)
    assert listed == toc_files()[1:]  # 先頭の root(はじめに)を除くすべてのページ


def test_equations_of_unnumbered_chapters_name_their_chapter():
    """数学の準備の章は番号のない章なので、式番号は (5) のように章ごとに 1 から振られる。
    ほかのページからその式を引くときは、同じ行の直前(80 字以内)にその章を {doc} で書き、
    引いている側のページの同じ番号の式と取り違えないようにする。"""
    owner = {}
    for page in PAGES:
        if page.stem.startswith("math-"):
            for label in re.findall(r"^\$\$ *\((eq-[\w-]+)\)", page.read_text(encoding="utf-8"), re.M):
                owner[label] = page.stem
    found = []
    for path in PAGES:
        for number, line in prose_lines(path):
            for match in re.finditer(r"\{eq\}`(eq-[\w-]+)`", line):
                other = owner.get(match.group(1))
                if other and other != path.stem and f"{{doc}}`{other}`" not in line[max(0, match.start() - 80):match.start()]:
                    found.append(f"{path.name}:{number}: {match.group()} without {{doc}}`{other}` before it")
    assert not found, "\n".join(found)
