"""PDF 版(make pdf、tools/pdf.py)。Web 版と同じ番号、埋め込んだフォント、しおり、章末の解答、図の解像度を確かめ、
レビュー用に各章の最初のページを PNG にします(_build/screenshots/pdf/)。各ページのヘッダーと引用のページから、
公開する PDF とオフライン版の zip(make downloads が _build/html/downloads/ に置く)へのリンクがあることも確かめます。

PDF は make test が先に作ります(make pdf。入力が変わっていなければ作り直さない)。ないときは失敗します。
"""

import json
import re
import shutil
import subprocess
from functools import cache

import pytest
import yaml

from conftest import HTML, ROOT, built_page, toc_files

PDF = ROOT / "_build" / "pdf" / "dlmath.pdf"
PRINT_HTML = ROOT / "_build" / "print" / "_build" / "html" / "book" / "dlmath-print.html"
REVIEW_PNGS = HTML.parent / "screenshots" / "pdf"
TOOLS = ("pdfinfo", "pdftotext", "pdffonts", "pdfimages", "pdftoppm", "qpdf")


def run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module", autouse=True)
def pdf_is_built():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"poppler-utils / qpdf がありません: {missing}(make browser が入れます)"
    assert PDF.is_file(), f"{PDF} がありません(make pdf が作ります)"


@cache
def pages_text() -> list[str]:
    """PDF の各ページのテキスト(空白と改行を除く: 行の折り返しで語が分かれても探せるように)。"""
    return [re.sub(r"\s+", "", page) for page in run("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")]


def text() -> str:
    return "".join(pages_text())


@cache
def web_numbers() -> dict[str, list[str]]:
    """Web 版の各ページにある番号: 式 (3.1)、図 3.1、表 3.1、演習問題 3.1、章と節の見出し。"""
    numbers = {}
    for name in toc_files():
        page = built_page(HTML, name)
        for link in page.select("article .headerlink"):
            link.decompose()
        found = page.select("article .eqno, article .caption-number, article h1, article h2")
        numbers[name] = [re.sub(r"\s+", "", el.get_text()) for el in found if el.get_text(strip=True)]
    return numbers


def test_pdf_opens_is_a4_and_tagged():
    info = dict(line.split(":", 1) for line in run("pdfinfo", str(PDF)).splitlines() if ":" in line)
    assert int(info["Pages"]) >= 100, info["Pages"]
    assert "(A4)" in info["Page size"], info["Page size"]
    assert info["Tagged"].strip() == "yes"  # 読み上げのための構造(しおりもここから作られる)
    assert "ディープラーニングの数学" in info["Title"]


def test_every_number_and_heading_of_the_web_edition_is_in_the_pdf():
    """章・節の見出し、式・図・表・演習問題の番号が、Web 版と同じ文字で PDF にある。"""
    pdf = text()
    missing = {name: [n for n in numbers if n not in pdf] for name, numbers in web_numbers().items()}
    missing = {name: found for name, found in missing.items() if found}
    assert not missing, f"Web 版にあって PDF にない番号・見出し: {missing}"
    assert sum(len(n) for n in web_numbers().values()) > 400  # 番号を拾えていること


PARTS = len(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"])


@pytest.mark.parametrize("html_name", ["dlmath-print.html", *(f"part-{n}-print.html" for n in range(1, PARTS + 1))])
def test_no_unresolved_reference_and_every_internal_link_has_a_target(html_name):
    """本全体と部ごとの PDF の HTML: 文書の中のリンクには行き先がある(部ごとの PDF では、ほかの部へのリンクは Web 版へ)。"""
    assert "??" not in text()
    path = PRINT_HTML.with_name(html_name)
    assert (PDF.parent / html_name.replace("-print.html", ".pdf")).is_file()
    source = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', source))
    targets = set(re.findall(r'href="#([^"]+)"', source))
    assert len(targets) > 20, len(targets)
    assert not targets - ids, f"PDF の中のリンクで行き先のないもの: {sorted(targets - ids)[:10]}"
    # サイトのほかのファイル(ノートブックなど)へのリンクは公開先の URL に(PDF の中からは相対パスで開けない)
    body = source[source.index("<body"):]
    assert not re.search(r'href="(?!#|https?://|mailto:)', body), "相対パスのリンクが残っています"


@cache
def outline() -> dict[str, int]:
    """PDF のしおり: 題(空白を除く)→ 行き先のページ(1 から)。"""
    def walk(items):
        for item in items:
            yield re.sub(r"\s+", "", item["title"]), item["destpageposfrom1"]
            yield from walk(item["kids"])

    items = json.loads(run("qpdf", "--json=2", "--json-key=outlines", str(PDF)))["outlines"]
    return dict(reversed(list(walk(items))))  # 同じ題(「まとめ」など)は最初のもの


def chapter_title(name) -> str:
    return re.sub(r"\s+", "", built_page(HTML, name).select_one("article h1").get_text(strip=True).rstrip("#"))


def test_outline_has_every_part_and_chapter():
    found = outline()
    chapters = [chapter_title(name) for name in toc_files()]
    assert not [c for c in chapters if c not in found], found
    assert [found[c] for c in chapters] == sorted(found[c] for c in chapters)  # 目次の順
    assert len(found) > 150  # 節まで入っている
    # 見出しの中の式もしおりの題に入る(例「3.7.1. w0での偏微分」。式が抜けると「3.7.1. での偏微分」)
    assert not [title for title in found if re.match(r"^[\d.]*(での|を|から|の)", title)], sorted(found)[:20]


def test_fonts_are_embedded_japanese_fonts():
    rows = run("pdffonts", str(PDF)).splitlines()[2:]
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, not_embedded
    names = {row.split()[0].split("+")[-1] for row in rows} - {"[none]"}  # [none] は数式の字形(Type 3)
    assert {"IPAexMincho", "IPAexGothic"} <= names, names
    # FontAwesome はテーマのアイコン(演習問題の鉛筆など)。文字のフォントは IPAex と DejaVu(コード)だけ。
    unexpected = {n for n in names if not n.startswith(("IPAex", "DejaVu", "FontAwesome"))}
    assert not unexpected, f"ほかのフォントに落ちた文字があります(字形がない?): {unexpected}"


def test_figures_are_vector_or_at_least_200_dpi():
    rows = [row.split() for row in run("pdfimages", "-list", str(PDF)).splitlines()[2:]]
    low = [(row[0], row[3], row[4], row[12]) for row in rows if min(int(row[12]), int(row[13])) < 200]
    assert not low, f"200 dpi より粗い画像(ページ、幅、高さ、dpi): {low}"


def test_every_solution_is_at_the_end_of_its_chapter():
    pdf = text()
    exercises = []
    for name in toc_files():
        page = built_page(HTML, name)
        for solution in page.select("article .solution"):
            exercise = solution.find_previous_sibling(class_="exercise")
            exercises.append(re.sub(r"\s+", "", exercise.select_one(".caption-number").get_text()))
    assert len(exercises) > 40, exercises
    for number in exercises:
        assert f"{number}の解答" in pdf, number
        assert pdf.index(f"{number}の解答") > pdf.index(number), f"{number} の解答が問題より前にあります"
    toc = "".join(pages_text()[1:outline()["目次"] + 5])
    assert toc.count("演習問題の解答") >= 10, "目次に各章の解答の節がない"


def test_code_is_wrapped_and_hidden_web_elements_are_left_out():
    source = PRINT_HTML.read_text(encoding="utf-8")
    for web_only in ("anim-controls", "above-input", "headerlink", "<script", "loading=\"lazy\""):
        assert web_only not in source, web_only
    assert "white-space: pre-wrap" in source


def test_first_page_of_each_chapter_is_rendered_for_review():
    """各章の最初のページと表紙・目次を PNG にする(見て確かめるため)。白紙でないことを確かめる。"""
    shutil.rmtree(REVIEW_PNGS, ignore_errors=True)
    REVIEW_PNGS.mkdir(parents=True)
    wanted = {"cover": 1, "toc": 2}
    for name in toc_files():
        number = outline()[chapter_title(name)]
        assert pages_text()[number - 1].startswith(chapter_title(name)), f"{name}: しおりのページ {number} に章の題がない"
        wanted[name.split("/")[-1]] = number
    for label, number in wanted.items():
        out = REVIEW_PNGS / f"{number:03d}-{label}"
        run("pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(number), "-l", str(number), str(PDF), str(out))
        png = out.with_suffix(".png")
        assert png.stat().st_size > 10_000, f"{png} looks blank"


@pytest.mark.parametrize("name", toc_files())
def test_every_page_links_to_the_pdf_and_the_offline_zip(name):
    """ヘッダーのダウンロードのメニュー(_ext/book_downloads.py)から、公開する PDF と zip(make downloads)へ。"""
    page = built_page(HTML, name)
    links = {a["href"] for a in page.select(".dropdown-download-buttons a[href]")}
    for file in ("dlmath.pdf", "dlmath-offline.zip"):
        href = next((h for h in links if h.endswith(f"downloads/{file}")), None)
        assert href, f"{name}: ダウンロードのメニューに {file} がありません: {links}"
        assert (HTML / name).parent.joinpath(href).resolve().is_file(), f"{href} がありません(make downloads)"


def test_citing_page_gives_the_published_urls_of_the_downloads():
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]
    text = built_page(HTML, "book/citing").get_text()
    for file in ("dlmath.pdf", "dlmath-offline.zip"):
        assert f"{base}downloads/{file}" in text
        assert (HTML / "downloads" / file).is_file()
