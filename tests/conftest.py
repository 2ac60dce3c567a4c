"""テスト共通の道具: リポジトリの場所と、ビルド済みサイト(make test が先に作る)。"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
# 既定は make test が作る _build/html。別の場所にビルドしたサイトを調べるときは DLMATH_SITE で指定する。
HTML = Path(os.environ.get("DLMATH_SITE", ROOT / "_build" / "html"))
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def toc_files():
    """_toc.yml に載っているページ(拡張子なし、リポジトリからの相対パス)。"""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def chapters_by_numbering():
    """_toc.yml の部ごとの章を、(番号付きの部の章, 番号なしの部(数学の準備)の章) に分けて返す。付録は除く。"""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered, unnumbered = [], []
    for part in toc["parts"]:
        if part["caption"] == "付録":
            continue
        (numbered if part.get("numbered") else unnumbered).extend(c["file"] for c in part["chapters"])
    return numbered, unnumbered


# ---- テストの層(pyproject.toml の markers)--------------------------------------------------------
# package: dlmath と導出の数値的な検算、原稿(Markdown)だけを読むテスト。ビルドなしで 1 分以内(make test-fast)。
# site: ビルドしたサイト・PDF を読むテスト(make book、make pdf の後)。
# browser: Chromium でサイトを開くテスト。
# gate: 小さな本や環境を作って、ビルド・ワークフロー・読者の手順そのものを確かめるテスト(遅い)。
# 層は使うフィクスチャから決めます(site を使えば site)。フィクスチャなしで成果物を読むモジュールだけを下に書きます。
GATE_MODULES = {"test_build_gates", "test_local_notebook", "test_workflows"}
SITE_MODULES = {"test_pdf"}  # _build/pdf を読む
GATE_FIXTURES = {"tiny", "declared_kernel"}  # 一時的な git リポジトリの本、宣言した依存だけの環境のカーネル
SITE_FIXTURES = {"site", "soup", "outputs", "prose"}
LAYERS = ("package", "site", "browser", "gate")


def layer_of(item) -> str:
    module, fixtures = item.module.__name__, set(item.fixturenames)
    if "browser" in fixtures:
        return "browser"
    if module in GATE_MODULES or fixtures & GATE_FIXTURES:
        return "gate"
    if module in SITE_MODULES or fixtures & SITE_FIXTURES:
        return "site"
    return "package"


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(layer_of(item))


@pytest.fixture(scope="session")
def site():
    """ビルド済みの _build/html。なければ失敗する(スキップはしない)。"""
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html がありません。`make test` で本をビルドしてから実行してください。")
    return HTML


def build(book_dir, *extra):
    """book_dir の本を -W -n --keep-going でビルドし、CompletedProcess を返す。"""
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book_dir), "--builder", "html", "-W", "-n", "--keep-going", *extra],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def soup(site, request):
    """テストのモジュールの PAGE(例: book/deep-learning)のビルド済みのページ。ページごとのテストが共有する。"""
    return built_page(site, request.module.PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    """そのページのセルの出力のテキスト(cell_outputs)。"""
    return cell_outputs(soup)


def built_page(site, name):
    """ビルド済みのページ name(拡張子なし、例: book/intro)を BeautifulSoup で返す。なければ失敗する。"""
    path = site / f"{name}.html"
    assert path.exists(), f"{path} was not built"
    return with_tex(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))


def section_by_id(soup, anchor):
    """id が anchor の節(<section>)。節の id はその見出しに付いている(_ext/pagefind_search.py が移す)。"""
    target = soup.find(id=anchor)
    assert target is not None, f"#{anchor} is missing"
    return target if target.name == "section" else target.find_parent("section")


def with_tex(soup):
    """ビルドで組んだ式(mjx-container、_ext/mathjax_prerender.js)を、元の TeX の \\(…\\) と \\[…\\] に戻す。

    ページのテストは本文の式を TeX で探すので、MathML に添えた TeX(annotation)から戻します。"""
    for container in soup.select(".math mjx-container"):
        tex = container.select_one('annotation[encoding="application/x-tex"]')
        assert tex is not None, f"an equation without its TeX source: {container.get_text()[:60]}"
        display = container.get("display") == "true"
        container.replace_with(f"\\[{tex.get_text()}\\]" if display else f"\\({tex.get_text()}\\)")
    return soup


def check_figure(site, soup, name, min_bytes=10_000):
    """図 name があり、画像に代替テキストがあり、画像が空でなく、キャプションがあること。

    空でないこと: PNG は背景(左上の画素)と違う画素が 1 % を超えること、SVG はファイルが min_bytes より大きいこと。
    """
    from PIL import Image

    figure = soup.find(id=name)
    assert figure is not None, f"figure {name} missing"
    img = figure.find("img")
    assert img is not None and img.get("alt"), f"{name} has no image with alt text"
    path = (site / "book" / img["src"]).resolve()
    if path.suffix == ".svg":
        assert path.stat().st_size > min_bytes, f"{name}: image is (nearly) empty"
    else:
        with Image.open(path) as image:
            gray = image.convert("L")
            background = gray.getpixel((0, 0))
            drawn = sum(count for value, count in enumerate(gray.histogram()) if value != background)
            assert drawn > 0.01 * gray.width * gray.height, f"{name}: image is (nearly) empty"
    assert figure.find("figcaption").get_text(strip=True), f"{name} has no caption"


def check_equation(soup, label, chapter=None):
    """式 label が TeX の数式として載っていて、chapter を渡したときは番号が(章.番号)であること。"""
    math = soup.find(id=f"equation-{label}")
    assert math is not None, f"equation {label} missing"
    assert "math" in math.get("class", []) and "\\" in math.get_text(), f"{label} holds no TeX"
    if chapter is not None:
        number = math.select_one(".eqno").get_text(strip=True).rstrip("#")
        assert re.fullmatch(rf"\({chapter}\.\d+\)", number), f"{label} is numbered {number}"


def dangling_equation_references(soup):
    """ページ内の式への参照(#equation-…)のうち、行き先がページにないもの。参照が 1 つもなければ失敗。"""
    refs = {a["href"][1:] for a in soup.select('a[href^="#equation-eq-"]')}
    assert refs, "no equation references found"
    return refs - {tag.get("id") for tag in soup.find_all(id=True)}


def cell_outputs(soup):
    """ページのセルの出力をすべてつないだ文字列。"""
    return "\n".join(o.get_text() for o in soup.select(".cell_output"))


def check_exercises(soup, prefix, minimum, code_solutions=0):
    """演習問題が minimum 問以上あり、ラベルが prefix で始まり、それぞれの直後に折りたたんだ解答があり、
    そのうち code_solutions 問以上の解答がコードを実行して出力を示していること。"""
    exercises = soup.select("article div.exercise")
    assert len(exercises) >= minimum, f"{len(exercises)} exercises, need at least {minimum}"
    for exercise in exercises:
        assert exercise.get("id", "").startswith(prefix), exercise.get("id")
        solution = exercise.find_next_sibling()
        assert solution is not None and {"solution", "dropdown"} <= set(solution.get("class", [])), exercise["id"]
    with_code = [e for e in exercises if e.find_next_sibling().select(".cell .cell_output")]
    assert len(with_code) >= code_solutions, f"only {len(with_code)} solutions run code"


# hypothesis: CI(環境変数 CI)では例の選び方を固定し、同じコミットならいつも同じ結果にする(ゲートが偶然で揺れない)。
# 手元では毎回ちがう例を試して、まだ見つかっていない反例を探す。
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")
