"""ビルド済みのサイト(_build/html)を読者の側から確かめる。"""

import functools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import (
    ROOT, built_page, chapters_by_numbering, check_equation, check_figure, dangling_equation_references, toc_files,
)


@pytest.mark.parametrize("name", toc_files())
def test_every_toc_page_is_built(site, name):
    soup = built_page(site, name)
    assert soup.find("h1"), f"{name} has no title"


def test_every_page_under_book_is_in_the_toc():
    pages = {p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").rglob("*.md")}
    missing = pages - set(toc_files())
    assert not missing, f"pages under book/ not listed in _toc.yml: {sorted(missing)}"


@pytest.mark.parametrize("name", chapters_by_numbering()[1])
def test_unnumbered_chapters_number_equations_figures_and_exercises_from_one(site, name):
    """番号のない章(数学の準備)では、式・図・演習問題の番号がページごとに 1 から始まる(_ext/page_numbering.py)。"""
    soup = built_page(site, name)
    equations = [int(re.search(r"\d+", e.get_text()).group()) for e in soup.select("article div.math span.eqno")]
    figures = [int(re.search(r"\d+", f.get_text()).group()) for f in soup.select("article figcaption .caption-number")]
    exercises = [int(re.search(r"\d+", t.get_text()).group()) for t in soup.select("article div.exercise .admonition-title")]
    for kind, numbers in (("equations", equations), ("figures", figures), ("exercises", exercises)):
        assert numbers == list(range(1, len(numbers) + 1)), f"{name}: {kind} are numbered {numbers}"
    assert equations and exercises, f"{name}: no numbered equations or exercises found"


def test_hidden_code_buttons_are_in_japanese(site):
    english = [p.name for p in all_pages(site) if "Show code cell" in p.read_text(encoding="utf-8")]
    assert not english, f"pages with the English 'Show code cell' button: {english}"


def test_root_is_the_first_page_without_a_redirect(site):
    """ルートの URL は移動のための 1 往復なしに最初のページを見せる(_ext/page_meta.py)。"""
    root = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    intro = raw_page(site, "book/intro")
    assert not root.select('meta[http-equiv="Refresh"]'), "index.html is still a redirect"
    assert root.select_one("base")["href"] == "book/intro.html"
    assert root.h1.get_text() == intro.h1.get_text()
    assert root.select_one('link[rel="canonical"]')["href"] == intro.select_one('link[rel="canonical"]')["href"]


def all_pages(site):
    return [p for p in site.rglob("*.html") if "_static" not in p.parts]


def test_no_traceback_warning_stderr_or_numpy_repr_in_any_output(site):
    problems = []
    for path in all_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if soup.select(".output.stderr, .output.traceback, .output.error"):
            problems.append(f"{path.name}: stderr/error output block")
        for output in soup.select(".cell_output"):
            text = output.get_text()
            for word in ("Traceback", "Warning", "Error", "nan", "inf"):
                # np.inf は値ではなく、コードの引数の名前(例: scikit-learn の C=np.inf)として出ることがある
                if re.search(rf"(?<!np\.)\b{word}\b", text):
                    problems.append(f"{path.name}: {word!r} in output: {text.strip()[:120]}")
            # NumPy 2 の型名付きの表示(np.float64(0.7))は読者向けではない(dlmath.plotting が 0.7 と表示させる)
            for shown in re.findall(r"np\.(?:float|int|uint|complex|bool|str)\w*\(|np\.(?:True|False)_", text):
                problems.append(f"{path.name}: NumPy repr {shown!r} in output: {text.strip()[:120]}")
    assert not problems, "\n".join(problems)


def test_reports_folder_is_not_published(site):
    published = [p for p in site.rglob("*") if "reports" in p.relative_to(site).parts]
    assert not published, published


def test_no_source_or_test_files_are_published(site):
    for folder in ("src", "tests", "_ext", ".venv"):
        assert not (site / folder).exists(), f"{folder}/ leaked into the site"


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, "book/linear-regression")


class TestLinearRegressionPage:
    def test_talk_table_is_printed(self, soup):
        outputs = "\n".join(o.get_text() for o in soup.select(".cell_output"))
        lines = [line.strip() for line in outputs.splitlines() if line.strip().startswith("iter = ")]
        assert "iter = 0 L = 50.416000 w0 = 1.980000 w1 = -0.672800" in lines
        assert [line.split()[2] for line in lines[:10]] == [str(k) for k in [*range(5), *range(195, 200)]]

    @pytest.mark.parametrize(
        "label",
        ["eq-linreg-predict-vector", "eq-linreg-loss", "eq-linreg-grad-w0", "eq-linreg-grad-w1",
         "eq-linreg-grad-vector", "eq-linreg-update", "eq-central-difference"],
    )
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label, chapter=3)

    def test_equation_references_resolve(self, soup):
        dangling = dangling_equation_references(soup)
        assert not dangling, dangling

    @pytest.mark.parametrize(
        "name", ["fig-linreg-scatter", "fig-linreg-contour", "fig-linreg-learning-curve", "fig-linreg-fit"]
    )
    def test_figures_have_image_alt_and_caption(self, site, soup, name):
        check_figure(site, soup, name)

    def test_source_of_package_functions_is_shown(self, soup):
        code = soup.get_text()
        for signature in ("def predict(x, w)", "def loss(x, yt, w)", "def gradient(x, yt, w)",
                          "def step(x, yt, w, alpha)", "def fit(x, yt, w, alpha=0.01, iters=200)"):
            assert signature in code, f"{signature} not shown"

    def test_prose_numbers_are_filled_from_the_code(self, soup):
        text = soup.get_text()
        assert "171.0 cm" in text and "65.4 kg" in text
        assert "{glue" not in text


def test_captions_have_no_stray_space_after_japanese_punctuation(site):
    """複数行のキャプションの改行が空白にならない(「…。 次の文」)。YAML の caption は |- で書く。"""
    found = []
    for path in all_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for caption in soup.select("figcaption"):
            text = caption.get_text()
            for match in re.finditer(r"[。、] +\S", text):
                found.append(f"{path.name}: {text[max(0, match.start() - 20):match.end() + 10]!r}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", toc_files())
def test_cross_references_show_no_tex(site, name):
    """見出しに式がある節への {ref} は、リンクの文字が TeX のまま(「\\alpha < 2/\\lambda_{\\max}」)になる。
    その節へは {ref}`文字 <ラベル>` で文字を書いて参照する。"""
    raw = [ref.get_text() for ref in raw_page(site, name).select("a.reference .std-ref")
           if re.search(r"\\[a-zA-Z(\[]", ref.get_text())]
    assert not raw, f"{name}: cross-references with raw TeX: {raw}"


@functools.lru_cache(maxsize=None)
def raw_page(site, name):
    """ビルドしたページをそのまま(式を TeX に戻さずに)読んだもの。大きいページを何度も読まないように覚えておく。
    書き換えないこと。"""
    return BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


# 表示するコードの docstring・コメントの式のラベル(「式 eq-…」と、「式 eq-a と eq-b」の 2 つ目)
RAW_EQUATION_LABEL = re.compile(r"(?:式|節| と) (?:eq|sec)-[\w-]+")


def test_equation_labels_in_shown_code_are_numbered_links(site):
    """表示するコード(literalinclude した dlmath の関数、コードセル)の「式 eq-ラベル」は、本文の {eq} と同じ
    「式(3.3)」になり、その式へのリンクである。リンク先のページにその id があり、そこに表示される式番号と同じ番号
    (_ext/page_numbering.py)。章番号のないページ(数学の準備)の式を別のページから指すときは、番号だけではどのページか
    分からないので「関数と微分の式(5)」のようにページの題名が前に付く。「節 sec-ラベル」も同じく、番号のある節は
    「3.2節」、番号のない節は「節「題名」」の、その節へのリンクになる。"""
    links, sections = {}, {}
    for name in toc_files():
        page = raw_page(site, name)
        for pre in page.select("article div.highlight pre"):
            assert not RAW_EQUATION_LABEL.search(pre.get_text()), (
                f"{name}: a label is shown raw in code: {RAW_EQUATION_LABEL.search(pre.get_text())[0]!r}")
            for a in pre.select('a[href*="#equation-eq-"], a[href*="#sec-"]'):
                before = a.previous_sibling
                target, _, anchor = a["href"].partition("#")
                assert "://" not in target and not target.startswith("/"), f"{name}: not a relative link: {a['href']}"
                target_name = (Path(name).parent / target).as_posix().removesuffix(".html") if target else name
                target_page = raw_page(site, target_name)
                found = target_page.find(id=anchor)
                assert found is not None, f"{name}: {a['href']} points at nothing"
                title = target_page.select_one("article h1").get_text().rstrip("#")
                if anchor.startswith("sec-"):  # 節: 見出しの番号(「3.2.」)か、番号のない見出しの題名
                    heading = found if re.fullmatch(r"h[1-6]", found.name) else found.find(re.compile(r"^h[1-6]$"))
                    number = heading.select_one(".section-number")
                    if number:
                        digits = number.get_text().strip().rstrip(".")
                        assert a.get_text() == digits + ("章" if "." not in digits else "節"), (name, a, digits)
                    else:
                        assert a.get_text() == f"「{heading.get_text().rstrip('#')}」", (name, a)
                        assert isinstance(before, str) and before.endswith("節"), f"{name}: {a} does not follow 節"
                    sections.setdefault(name, []).append((anchor, a.get_text()))
                    continue
                assert isinstance(before, str) and before.endswith("式"), f"{name}: {a} does not follow 式"
                shown = found.select_one(".eqno").get_text(strip=True).rstrip("#")
                assert a.get_text() == shown and re.fullmatch(r"\((\d+\.)?\d+\)", shown), (
                    f"{name}: {a['href']} reads {a.get_text()} but the equation is numbered {shown}")
                if target_name != name and "." not in shown:  # 章番号のないページの式: ページの題名が前に付く
                    assert before.endswith(f"{title}の式"), f"{name}: {a} does not follow {title}の式: {before[-30:]!r}"
                links.setdefault(name, []).append((anchor, shown, re.split(r"[((]", before)[-1]))
    # 第 3 章の predict の docstring は式(3.3)。第 6 章の交差エントロピーの docstring は第 7 章の式も指す(ページをまたぐリンク)
    assert ("equation-eq-linreg-predict-vector", "(3.3)", "式") in links["book/linear-regression"]
    assert any(anchor == "equation-eq-deep-loss" for anchor, *_ in links["book/multiclass-classification"])
    assert sum(map(len, links.values())) >= 60, {name: len(found) for name, found in links.items()}
    # 第 3 章の numerical_gradient の docstring は、関数と微分のページの式を指す
    assert any(anchor == "equation-eq-math-central-difference" and before == "関数と微分の式"
               for anchor, _, before in links["book/linear-regression"]), links["book/linear-regression"]
    # 第 3 章の center の docstring とコードセルのコメントは、同じ章の番号の付いた節を指す
    chapter3 = dict(sections["book/linear-regression"])
    assert re.fullmatch(r"3\.\d+節", chapter3["sec-linreg-center"]), chapter3
    assert re.fullmatch(r"3\.\d+節", chapter3["sec-linreg-closed-form"]), chapter3


# ---------------------------------------------------------------------------------------------
# スマートフォンで速く読めること: 点数(benchmarks/lighthouse.py、make bench)ではなく、点数を決める原因を確かめる

# 本文が使わないときに読み込んではいけないファイル(_ext/page_assets.py)
NEVER = re.compile(r"mathjax/tex-|cdn\.jsdelivr|sphinx-design|design-tabs|sphinx-thebe\.css|sphinx_highlight\.js")
SYNC_OK = {"documentation_options.js"}  # テーマがページに直接書くインラインのスクリプトが、すぐに使う


@pytest.mark.parametrize("name", toc_files())
def test_pages_load_no_unused_or_blocking_assets(site, name):
    head = raw_page(site, name)
    urls = [tag.get("src") or tag.get("href") for tag in head.select("script[src], link[rel=stylesheet]")]
    unused = [url for url in urls if NEVER.search(url)]
    assert not unused, f"{name} loads assets it does not use: {unused}"
    blocking = [s["src"] for s in head.select("script[src]")
                if not (s.has_attr("defer") or s.has_attr("async")) and s["src"].split("/")[-1].split("?")[0] not in SYNC_OK]
    assert not blocking, f"{name}: scripts that block rendering: {blocking}"


@pytest.mark.parametrize("name", toc_files())
def test_every_table_column_has_a_header(site, name):
    """見出しの空の列は、読み上げで各セルが何の値か分からない(Lighthouse の td-has-header)。"""
    empty = [[th.get_text(strip=True) for th in table.select("thead th")]
             for table in raw_page(site, name).select("article table")
             if any(not th.get_text(strip=True) for th in table.select("thead th"))]
    assert not empty, f"{name}: tables with an empty column header: {empty}"


@pytest.mark.parametrize("name", toc_files())
def test_images_have_a_size_and_load_lazily_below_the_first(site, name):
    images = raw_page(site, name).select("article img")
    unsized = [img.get("src") or img.get("id") for img in images if not (img.get("width") and img.get("height"))]
    assert not unsized, f"{name}: images without width/height (the layout jumps while they load): {unsized}"
    eager = [img.get("src") or img.get("id") for img in images[1:] if img.get("loading") != "lazy"]
    assert not eager, f"{name}: images after the first that do not load lazily: {eager}"


@pytest.mark.parametrize("name", toc_files())
def test_pages_have_a_description_and_a_link_card(site, name):
    from PIL import Image

    soup = raw_page(site, name)
    meta = {tag.get("name") or tag.get("property"): tag.get("content") for tag in soup.select("head meta[content]")}
    description = meta.get("description") or ""
    assert 20 <= len(description) <= 120, f"{name}: description {description!r}"
    assert "\\" not in description and "$" not in description, f"{name}: TeX in the description: {description!r}"
    assert meta.get("og:description") == description
    assert meta.get("og:title") and meta.get("twitter:card") == "summary_large_image"
    base = "https://dlmath-book.github.io/dlmath/"
    assert meta.get("og:url") == f"{base}{name}.html"
    card = meta.get("og:image", "")
    assert card.startswith(base), card
    with Image.open(site / card[len(base):]) as image:
        assert image.size == (1200, 630)


@pytest.mark.parametrize("name", toc_files())
def test_japanese_headings_have_phrase_breaks(site, name):
    """見出しは文節の切れ目でだけ折り返す(keep-all + BudouX の <wbr>、_ext/ja_linebreaks.py)。
    折り返せない日本語のかたまり(<wbr> と空白のあいだ)が長すぎると、スマートフォンの幅で語の途中で切られる。"""
    soup = raw_page(site, name)
    too_long = []
    for heading in soup.select("article h1, article h2, article h3"):
        text = "".join("|" if getattr(node, "name", None) == "wbr" else node if isinstance(node, str) else ""
                       for node in heading.descendants if isinstance(node, str) or getattr(node, "name", None) == "wbr")
        for chunk in re.split(r"[|\s]+", text):
            if len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", chunk)) > 10:
                too_long.append(chunk)
    assert not too_long, f"{name}: headings with long unbreakable Japanese runs: {too_long}"


def first_load_kib(site, name) -> float:
    """ページを初めて開いたときに受け取る量の目安(KiB、文字のファイルは gzip 後): HTML と、ページが読む CSS・
    スクリプト・遅延読み込みでない画像。フォントは使う字形によるので数えません。"""
    import gzip
    from urllib.parse import urljoin, urlsplit

    page = site / f"{name}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    urls = [t.get("src") or t.get("href") for t in soup.select("script[src], link[rel=stylesheet]")]
    urls += [img["src"] for img in soup.select("article img") if img.get("loading") != "lazy"]
    total = len(gzip.compress(page.read_bytes(), 6))
    for url in dict.fromkeys(urls):
        path = site / urlsplit(urljoin(f"{name}.html", url)).path
        data = path.read_bytes()
        total += len(gzip.compress(data, 6)) if path.suffix in {".css", ".js", ".svg"} else len(data)
    return total / 1024


# 予算は 2026-12 の測定(式の多い章で 200〜260 KiB、式の HTML と読み上げ用の MathML が大半)に余裕を足したもの。
# 超えたら、何が増えたのかを調べる。
FIRST_LOAD_BUDGET_KIB = 280


@pytest.mark.parametrize("name", toc_files())
def test_first_load_stays_within_the_budget(site, name):
    kib = first_load_kib(site, name)
    assert kib <= FIRST_LOAD_BUDGET_KIB, f"{name}: {kib:.0f} KiB on the first load (budget {FIRST_LOAD_BUDGET_KIB} KiB)"


def test_theme_script_measures_tab_stops_only_near_the_screen(site):
    """テーマのスクリプトの、ページ全体をレイアウトさせる関数が置き換わっている(_ext/page_assets.py の 6)。"""
    script = (site / "_static/scripts/pydata-sphinx-theme.js").read_text(encoding="utf-8")
    assert "dlmath: _ext/page_assets.py" in script and "new MutationObserver(t).observe" not in script
    page = (site / "book/linear-regression.html").read_text(encoding="utf-8")
    assert page.count("<pre") == page.count('<pre tabindex="0"') > 0


@pytest.mark.parametrize("name", toc_files())
def test_figures_say_how_wide_they_must_be_on_a_phone(site, name):
    """図(matplotlib の PNG と手で描いた SVG)には、文字が読める最小の表示幅が書いてある(_ext/page_assets.py の 8)。"""
    import math
    from urllib.parse import urljoin, urlsplit

    from PIL import Image

    from dlmath.plotting import min_display_width

    missing = []
    # 印刷のときだけ見せるアニメーションの最後のコマ(dlmath.plotting.animation_html)は、画面には出ないので除く
    for img in raw_page(site, name).select("article img:not(.dlmath-animation-still img)"):
        path = site / urlsplit(urljoin(f"{name}.html", img["src"])).path
        if path.suffix == ".svg":  # 手で描いた図: viewBox の幅で、いちばん小さい文字が 9 px になる幅
            text = path.read_text(encoding="utf-8")
            width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', text).group(1))
            smallest = min(float(size) for size in re.findall(r'font-size[=:]\s*"?([\d.]+)', text))
            expected = f"--phone-width: {math.ceil(width * 9 / smallest)}px"
        else:
            with Image.open(path) as image:
                dpi, width = image.info.get("dpi"), image.size[0]
            expected = f"--phone-width: {min_display_width(width, dpi[0])}px" if dpi else None
        if expected and expected not in img.get("style", ""):
            missing.append((path.name, img.get("style"), expected))
    assert not missing, f"{name}: figures without their phone width: {missing}"


def test_phone_widths_are_checked(site):
    """上の確認が空回りしていないこと: 多変数関数のページの図は解像度の記録があり、幅が書いてある。"""
    styles = [img.get("style", "") for img in raw_page(site, "book/math-partial-derivatives").select("article img")]
    assert sum("--phone-width" in style for style in styles) >= 3, styles


def test_theme_css_keeps_the_rules_of_every_class_the_pages_use(site):
    """テーマの CSS から除いたのは、どのページも使わないクラスのルールだけ(_ext/page_assets.py の 9)。"""
    import pydata_sphinx_theme

    original = (Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static/styles"
                / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    purged = (site / "_static/styles/pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(purged) < 0.4 * len(original), "the theme CSS was not reduced"
    used = set()
    for name in ("book/linear-regression", "book/notation", "book/intro"):
        for tag in raw_page(site, name).find_all(class_=True):
            used.update(tag["class"])

    def selectors(css):
        preludes = re.findall(r"([^{}@;]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
        return [selector.strip() for prelude in preludes for selector in prelude.split(",")]

    kept = set(selectors(purged))
    lost = []
    for selector in selectors(original):
        plain = re.sub(r":(?:not|is|where|has)\([^)]*\)|\[[^\]]*\]", "", selector)
        classes = set(re.findall(r"\.([A-Za-z_][-\w]*)", plain))
        if classes and classes <= used and selector not in kept:
            lost.append(selector)
    assert not lost, f"theme rules for classes the pages use were removed: {lost[:10]}"


def test_reference_entries_are_list_items(site):
    """文献の一覧の各項目は role=listitem(廃止された doc-biblioentry ではない、_ext/ja_interface.py)。"""
    page = raw_page(site, "book/references")
    lists = page.select('[role="list"]')
    assert lists and all(child.get("role") == "listitem" for lst in lists for child in lst.find_all(recursive=False))
    assert not page.select('[role="doc-biblioentry"]')


def test_figures_are_palette_pngs(site):
    """図の PNG は 256 色のパレット(_ext/page_assets.py の 7): フルカラーの約 1/3 の大きさ。"""
    from PIL import Image

    full_colour = []
    for path in (site / "_images").glob("*.png"):
        with Image.open(path) as image:
            if image.mode != "P":
                full_colour.append(path.name)
    assert not full_colour, f"PNG figures left in full colour: {full_colour[:5]}"


@pytest.mark.parametrize("name", toc_files())
def test_no_image_is_embedded_in_the_page(site, name):
    """base64 で埋め込んだ画像は gzip で縮まず、必ず最初に読まれる: _images のファイルにする(_ext/page_assets.py)。"""
    embedded = (site / f"{name}.html").read_text(encoding="utf-8").count("data:image/")
    assert embedded == 0, f"{name}: {embedded} images embedded as data: URLs"
