"""ビルド済みのサイトを本物のブラウザ(Debian の Chromium を Playwright で操作)で開いて確かめる。

サイトは 127.0.0.1 の HTTP サーバーから、GitHub Pages と同じくサブパス(/dlmath/)の下で配ります。
ルート(/)を前提にした URL があれば、そのリクエストは失敗として見つかります。

- どのページもコンソールのエラー・失敗したリクエスト・ページのエラーなしに開け、127.0.0.1 以外の
  ホストへのリクエストが 0 件であること(件数は _build/screenshots/requests.json に記録)
- 数式がすべて MathJax で組まれ(エラーの要素なし)、数式の参照の行き先があること
- 画像がすべて読み込まれ、代替テキストがあること
- 用語集のすべての用語で、本文にその語を含むページがすべて検索結果に出ること(Pagefind の索引と search.html の一覧)
- 明るい/暗い表示の切り替えが効き、暗い表示でも図が白地で読めること
- 各ページの全体のスクリーンショット(幅 1280 と 390、それぞれ明るい/暗い表示)を _build/screenshots/ に書き出す
- オフライン版の zip を解凍して http.server で配ると、章が開けて検索も使えること

Chromium がない場合: 環境変数 CI があれば失敗、なければ理由を示してスキップします
(`make test` が apt で chromium と fonts-ipaexfont-gothic を入れます)。
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import HTML, toc_files

CHROMIUM = Path(os.environ.get("DLMATH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PREFIX = "/dlmath/"  # GitHub Pages と同じく、サイトはサブパスの下に置かれる
SCREENSHOTS = HTML.parent / "screenshots"  # 既定では _build/screenshots
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# 用語集のページがまだないときに使う用語(BOOK.md の用語の決まり)。
FALLBACK_TERMS = [
    "予測関数", "損失関数", "勾配降下法", "学習率", "正解値", "予測値", "誤差", "重み", "偏微分", "勾配", "内積",
    "転置行列", "ダミー変数", "学習曲線", "繰り返し回数", "シグモイド関数", "交差エントロピー", "ソフトマックス関数",
    "誤差逆伝播法", "ミニバッチ", "過学習",
]


def _need_browser():
    """Chromium と Playwright がなければ、CI では失敗、手元では理由を示してスキップ。"""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Python の playwright がありません(pip install -r requirements-dev.txt、make test が入れます)"
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} がありません(apt-get install chromium fonts-ipaexfont-gothic、または make test)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"ブラウザのテストを実行できません: {problem}", pytrace=False)
        pytest.skip(f"!!! ブラウザのテストをスキップしました: {problem} !!!")


def site_pages() -> list[str]:
    """ブラウザで開くページ(サイトのルートからの相対パス)。目次のページと、あれば検索・索引のページ。"""
    pages = [f"{name}.html" for name in toc_files()]
    pages += [name for name in ("search.html", "genindex.html") if (HTML / name).exists()]
    return pages


# ---------------------------------------------------------------------------------------------
# サーバーとブラウザ(セッションで 1 つずつ)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """PREFIX の下だけを HTML から配る。それ以外のパスは 404。"""

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(HTML / "__outside_of_the_site__")
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, *args):  # テストの出力を汚さない
        pass


@pytest.fixture(scope="session")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def context(browser, server):
    # 外のホストへのリクエストは記録したうえで止めます(オフラインで待たされないように)。
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP", color_scheme="light")
    own = urlsplit(server).netloc

    def route(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


@pytest.fixture(scope="session")
def tab(context):
    page = context.new_page()
    yield page
    page.close()


# ---------------------------------------------------------------------------------------------
# 1 ページを 1 回だけ開き、調べた結果をまとめて持っておく


@dataclass
class Visit:
    url: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    equation_links: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    dark: dict = field(default_factory=dict)
    phone: dict = field(default_factory=dict)


WAIT_FOR_PAGE = """async () => {
  await Promise.all(Array.from(document.images, (img) => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  await document.fonts.ready;
}"""

MATH_STATE = """() => {
  const maths = Array.from(document.querySelectorAll(".math"));
  // 表示式のうち、枠に収まらず横スクロールが要るもの(パソコンの幅では 1 つもないようにする)
  const scrolling = Array.from(document.querySelectorAll('div.math mjx-container[display="true"]'))
    .filter((c) => c.scrollWidth > c.clientWidth + 1)
    .map((c) => { const box = c.closest("div.math"); return box.id || box.textContent.trim().slice(0, 60); });
  return {
    count: maths.length,
    scrolling: scrolling,
    untypeset: maths.filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent.trim().slice(0, 80)),
    errors: Array.from(document.querySelectorAll("mjx-merror"), (e) => e.textContent.slice(0, 80)),
    // 読み上げ用の MathML のない式
    unspoken: Array.from(document.querySelectorAll("mjx-container"))
      .filter((c) => !c.querySelector("mjx-assistive-mml > math")).length,
    // ビルドで組んだ式の字形が、MathJax のフォントで描かれているか(CSS が読まれていなければ描かれない)
    glyphFont: (() => {
      const c = document.querySelector("mjx-c");
      return c ? getComputedStyle(c, "::before").fontFamily : null;
    })(),
    mathjaxScript: Array.from(document.scripts).some((s) => /mathjax/i.test(s.src) || /MathJax/.test(s.text)),
  };
}"""

IMAGES = """() => Array.from(document.images, (img) => ({
  src: img.currentSrc || img.src, alt: (img.getAttribute("alt") || "").trim(),
  complete: img.complete, width: img.naturalWidth,
}))"""

# 暗い表示での図の読みやすさ: 画像の四隅が不透明な白に近いか(キャンバスで読む)、
# 画像の背景色が不透明で明るいか。透明な図が暗い背景に載っていればどちらも満たしません。
FIGURES_IN_DARK = """() => {
  const light = (r, g, b) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.85;
  // 画面に出る図だけ(印刷のときだけ出すアニメーションの最後のコマ .dlmath-animation-still は display: none)
  const shown = Array.from(document.querySelectorAll("article img")).filter((img) => img.getClientRects().length);
  return shown.map((img) => {
    const w = img.naturalWidth, h = img.naturalHeight;
    const canvas = document.createElement("canvas");
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const corners = [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]].map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
    const ownWhite = corners.every(([r, g, b, a]) => a === 255 && light(r, g, b));
    const bg = getComputedStyle(img).backgroundColor.match(/[\\d.]+/g).map(Number);
    const bgWhite = (bg.length === 3 || bg[3] === 1) && light(bg[0], bg[1], bg[2]);
    return {src: img.currentSrc, corners, background: getComputedStyle(img).backgroundColor, readable: ownWhite || bgWhite};
  });
}"""

# スマートフォンの幅: ページ全体が横にはみ出さず、式が本文の幅に収まっている(長い式は式の中でスクロール)か。
PHONE_LAYOUT = """() => {
  const clipped = Array.from(document.querySelectorAll("div.math"), (box) => {
    const c = box.querySelector("mjx-container");
    if (!c) return null;
    // 左へのはみ出しはスクロールしても見えないので、式のどの部品も枠の左端より左にあってはいけない
    const b = box.parentElement.getBoundingClientRect(), r = c.getBoundingClientRect();
    const left = Math.min(...Array.from(c.querySelectorAll("mjx-math *"), (e) => e.getBoundingClientRect())
      .filter((e) => e.width > 0).map((e) => e.left));
    return (left < b.left - 1 || r.left < b.left - 1 || r.right > b.right + 1) ? box.id || box.textContent.slice(0, 40) : null;
  }).filter(Boolean);
  // 図: --phone-width(図の文字が 9 px 以上に見える幅、_ext/page_assets.py)より狭く縮められていないか
  const smallFigures = Array.from(document.querySelectorAll("article img[style*='--phone-width']"), (img) => {
    const needed = Math.min(img.naturalWidth, parseFloat(getComputedStyle(img).getPropertyValue("--phone-width")));
    const shown = img.getBoundingClientRect().width;
    return shown < needed - 1 ? `${img.src.split("/").pop()}: ${Math.round(shown)}px < ${needed}px` : null;
  }).filter(Boolean);
  const figures = document.querySelectorAll("article img[style*='--phone-width']").length;
  return {pageOverflow: document.documentElement.scrollWidth - window.innerWidth, clippedEquations: clipped, smallFigures, figures};
}"""

THEME = """() => ({theme: document.documentElement.dataset.theme, background: getComputedStyle(document.body).backgroundColor})"""


# ページ全体を撮るとき: 画面の外の節(content-visibility: auto)は描かれず白く写るので描かせ、幅を変えた直後の
# サイドバーなどの動き(CSS のトランジション)が終わるのを待つ(最長 1 秒)。
FULL_PAGE = "section section { content-visibility: visible !important; }"
ANIMATIONS_DONE = """() => Promise.race([
  Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))),
  new Promise((resolve) => setTimeout(resolve, 1000)),
])"""


def _screenshot(page, name: str, suffix: str):
    path = SCREENSHOTS / f"{name.removesuffix('.html').replace('/', '__')}-{suffix}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=FULL_PAGE)
    page.evaluate(ANIMATIONS_DONE)
    page.screenshot(path=str(path), full_page=True)


def _set_theme(page, theme: str):
    page.evaluate("(t) => { localStorage.setItem('mode', t); localStorage.setItem('theme', t); }", theme)
    page.evaluate("(t) => { document.documentElement.dataset.mode = t; document.documentElement.dataset.theme = t; }", theme)


def visit_page(tab, server, name: str) -> Visit:
    visit = Visit(url=server + name)
    own = urlsplit(server).netloc

    def on_request(request):
        visit.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != own:
            visit.external.append(request.url)

    def on_response(response):
        if response.status >= 400:
            visit.failed.append(f"{response.status} {response.url}")

    handlers = {
        "request": on_request,
        "response": on_response,
        "requestfailed": lambda r: visit.failed.append(f"{r.failure} {r.url}"),
        "console": lambda m: m.type == "error" and visit.console_errors.append(f"{m.text} @ {m.location}"),
        "pageerror": lambda e: visit.page_errors.append(str(e)),
    }
    for event, handler in handlers.items():
        tab.on(event, handler)
    try:
        tab.set_viewport_size(DESKTOP)
        tab.goto(visit.url, wait_until="networkidle")
        _set_theme(tab, "light")
        tab.evaluate(WAIT_FOR_PAGE)
        visit.math = tab.evaluate(MATH_STATE)
        visit.equation_links = tab.eval_on_selector_all('a[href*="#equation-"]', "as => as.map(a => a.href)")
        visit.images = tab.evaluate(IMAGES)
        _screenshot(tab, name, "desktop-light")
        before = tab.evaluate(THEME)
        _set_theme(tab, "dark")
        tab.wait_for_timeout(50)
        after = tab.evaluate(THEME)
        visit.dark = {"before": before, "after": after, "figures": tab.evaluate(FIGURES_IN_DARK)}
        _screenshot(tab, name, "desktop-dark")
        _set_theme(tab, "light")
        tab.set_viewport_size(PHONE)
        # 画面の外の節は content-visibility: auto で幅の変化がまだ反映されていないので、すべて描かせてから測る
        # (読者の画面では、節が画面に近づいたときに新しい幅で並べ直される)
        tab.add_style_tag(content=FULL_PAGE)
        tab.wait_for_timeout(50)
        visit.phone = tab.evaluate(PHONE_LAYOUT)
        _screenshot(tab, name, "phone-light")
        _set_theme(tab, "dark")
        _screenshot(tab, name, "phone-dark")
        _set_theme(tab, "light")
        tab.wait_for_load_state("networkidle")  # スクリーンショットのために読まれたものも数える
    finally:
        for event, handler in handlers.items():
            tab.remove_listener(event, handler)
        tab.set_viewport_size(DESKTOP)
    return visit


@pytest.fixture(scope="session")
def visits(tab, server):
    """ページ名 → Visit。最初に要るときに開き、全部を開き終えたら requests.json を書きます。"""
    cache: dict[str, Visit] = {}

    def get(name: str) -> Visit:
        if name not in cache:
            cache[name] = visit_page(tab, server, name)
        return cache[name]

    yield get
    if cache:
        report = {
            name: {"requests": len(v.requests), "external": len(v.external), "external_urls": v.external,
                   "urls": v.requests}
            for name, v in sorted(cache.items())
        }
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "requests.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print("\nrequests per page (external):")
        for name, entry in report.items():
            print(f"  {name}: {entry['requests']} ({entry['external']})")


PAGES = site_pages()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_only_from_the_site(visits, name):
    visit = visits(name)
    assert visit.requests, "no request recorded"
    assert not visit.external, f"requests to other hosts: {visit.external}"
    assert not visit.failed, f"failed requests: {visit.failed}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"
    assert not visit.page_errors, f"page errors: {visit.page_errors}"


@pytest.mark.parametrize("name", PAGES)
def test_every_equation_is_typeset(visits, site, name):
    math = visits(name).math
    source = BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
    # HTML に数式があるのにブラウザで 1 つも見つからない、ということがないように、数を突き合わせます。
    assert math["count"] == len(source.select(".math")), math
    assert not math["untypeset"], f"equations left as TeX: {math['untypeset'][:5]}"
    assert not math["errors"], f"MathJax errors: {math['errors']}"
    # 式はビルドのときに組んであり(_ext/mathjax_prerender.py)、ブラウザでは MathJax を動かさない。
    assert not math["mathjaxScript"], "the page still loads MathJax"
    assert not math["unspoken"], f"{math['unspoken']} equations without MathML for screen readers"
    if math["count"]:
        assert "MJXZERO" in (math["glyphFont"] or "") or "MJXTEX" in (math["glyphFont"] or ""), math["glyphFont"]


@pytest.mark.parametrize("name", PAGES)
def test_every_equation_fits_the_desktop_column(visits, name):
    """パソコンの幅では、どの表示式も横スクロールなしで読めること(長い式は aligned で改行する)。"""
    scrolling = visits(name).math["scrolling"]
    assert not scrolling, f"{name}: equations wider than the text column at {DESKTOP['width']}px: {scrolling}"


@pytest.mark.parametrize("name", PAGES)
def test_equation_references_resolve(visits, site, server, name):
    dangling = []
    for href in visits(name).equation_links:
        path, _, fragment = href.partition("#")
        # 公開した版(…/v1.0/book/…)を指す例は、同じ大きな版の間はアンカーが同じなので、このサイトのページで確かめる
        target = site / re.sub(r"^v\d+\.\d+/", "", unquote(urlsplit(path).path)[len(PREFIX):])
        if fragment not in ids_in(target):
            dangling.append(href)
    assert not dangling, f"equation references without a target: {dangling}"


@functools.lru_cache(maxsize=None)
def ids_in(page: Path) -> frozenset[str]:
    """ページの HTML にある id(ページは大きいので、1 ページを 1 回だけ読む)。ページがなければ空。"""
    if not page.is_file():
        return frozenset()
    return frozenset(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


def test_equation_references_exist_somewhere(visits):
    """参照の確認が空回りしていないこと: 線形単回帰の章には数式の参照があるはず。"""
    assert visits("book/linear-regression.html").equation_links


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(visits, name):
    images = visits(name).images
    broken = [img["src"] for img in images if not img["complete"] or img["width"] == 0]
    no_alt = [img["src"] for img in images if not img["alt"]]
    assert not broken, f"images that did not load: {broken}"
    assert not no_alt, f"images without alt text: {no_alt}"


@pytest.mark.parametrize("name", PAGES)
def test_dark_mode_switches_and_figures_stay_readable(visits, name):
    dark = visits(name).dark
    assert dark["before"]["theme"] == "light" and dark["after"]["theme"] == "dark", dark
    assert dark["before"]["background"] != dark["after"]["background"], "background did not change"
    unreadable = [(f["src"], f["corners"], f["background"]) for f in dark["figures"] if not f["readable"]]
    assert not unreadable, f"figures on a transparent/dark background in dark mode: {unreadable}"


@pytest.mark.parametrize("name", PAGES)
def test_phone_width_keeps_page_and_equations_inside(visits, name):
    phone = visits(name).phone
    assert phone["pageOverflow"] <= 0, f"{name}: the page is {phone['pageOverflow']}px wider than a phone screen"
    assert not phone["clippedEquations"], f"{name}: equations stick out of their box: {phone['clippedEquations']}"
    assert not phone["smallFigures"], f"{name}: figures too small to read on a phone: {phone['smallFigures']}"


def test_figures_are_checked_for_phone_legibility(visits):
    """図の幅の確認が空回りしていないこと: 多変数関数のページには幅の広い図がある。"""
    assert visits("book/math-partial-derivatives.html").phone["figures"] >= 3


LINK_CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  // 半透明の背景(演習問題の枠は主色の 8 %)は、下の不透明な背景と重ねた色で比べる
  const background = (el) => {
    const layers = [];
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return layers.reduceRight((base, [r, g, b, a]) =>
        [r, g, b].map((v, i) => v * a + base[i] * (1 - a)), c.slice(0, 3));
      if (c[3] > 0) layers.push(c);
    }
    return layers.reduceRight((base, [r, g, b, a]) => [r, g, b].map((v, i) => v * a + base[i] * (1 - a)), [255, 255, 255]);
  };
  const low = [];
  for (const a of document.querySelectorAll("article a.reference, .prev-next-area a")) {
    const fg = lum(rgb(getComputedStyle(a).color)), bg = lum(background(a));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) low.push(`${a.textContent.trim().slice(0, 20)}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_links_have_enough_contrast_also_in_exercises(tab, server, theme):
    """リンクの文字と背景のコントラストが 4.5 以上(演習問題の薄い青の枠の中も、前後の章へのリンクも)。"""
    tab.set_viewport_size(DESKTOP)
    tab.goto(server + NAV_PAGE, wait_until="networkidle")
    _set_theme(tab, theme)
    low = tab.evaluate(LINK_CONTRAST)
    assert not low, f"links below 4.5:1 in the {theme} theme: {low[:8]}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_is_resolved_before_the_theme_script_runs(browser, server, scheme):
    """最初の表示から明るい/暗いが決まっている(テーマのスクリプトを待たない、_templates/layout.html)。
    決まっていないと、暗い設定の読者に明るい色が一瞬出て、文字の大きさが変わり段落が折り返し直される。"""
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    page.route("**/pydata-sphinx-theme.js*", lambda route: route.abort())
    try:
        page.goto(server + "book/math-vectors-matrices.html", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
    finally:
        context.close()


def test_theme_switch_button_changes_the_theme(tab, server):
    """テーマのボタンを押すと html[data-theme] と背景色が変わる。"""
    tab.goto(server + "book/intro.html", wait_until="networkidle")
    _set_theme(tab, "light")
    seen = {tab.evaluate(THEME)["theme"]: tab.evaluate(THEME)["background"]}
    for _ in range(3):  # auto → dark → light と順に回る
        tab.locator(".theme-switch-button").first.click()
        state = tab.evaluate(THEME)
        seen[state["theme"]] = state["background"]
    assert set(seen) == {"light", "dark"}, seen
    assert seen["light"] != seen["dark"], seen
    _set_theme(tab, "light")


# ---------------------------------------------------------------------------------------------
# 章の一覧(☰)とこのページの目次のボタン(_static/dlmath.js がテーマの動かないボタンを動かす)

NAV_PAGE = "book/linear-regression.html"
PANEL_STATE = """(kind) => {
  const dialog = document.querySelector(`#pst-${kind}-sidebar-modal`);
  const links = dialog && dialog.open
    ? Array.from(dialog.querySelectorAll("a[href]")).filter((a) => {
        const r = a.getBoundingClientRect();  // 一覧の中でスクロールすれば見えるもの
        return r.width > 0 && r.height > 0;
      }).map((a) => a.getAttribute("href"))
    : [];
  return {open: !!(dialog && dialog.open), links, tooltips: document.querySelectorAll(".tooltip").length,
          focused: document.activeElement ? document.activeElement.className : ""};
}"""


@pytest.fixture
def phone_tab(browser, server):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("width", [PHONE["width"], 800])
def test_sidebar_buttons_open_the_chapter_list_and_page_contents(browser, server, width):
    """スマートフォン(390px)とタブレット(800px)で、☰ と目次のボタンをタップすると一覧が開き、リンクをたどれる。"""
    context = browser.new_context(viewport={"width": width, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server + NAV_PAGE, wait_until="networkidle")
        toggle = page.locator(".bd-header-article .primary-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.tap()
        state = page.evaluate(PANEL_STATE, "primary")
        assert state["open"], f"the chapter list did not open at {width}px"
        assert toggle.get_attribute("aria-expanded") == "true", "☰ does not say that the list is open"
        assert "deep-learning.html" in state["links"] and len(state["links"]) >= 10, state
        assert state["tooltips"] == 0, "a tooltip stays on the screen after the tap"
        page.keyboard.press("Escape")
        assert not page.evaluate(PANEL_STATE, "primary")["open"], "Escape does not close the chapter list"
        # ダイアログの close イベントは閉じたあとのタスクで届くので、その更新を待つ(1 秒以内。タップのあと 400 ms の
        # 読み直しがあとから true に戻さないことも、最後まで待って確かめる)
        page.wait_for_timeout(500)
        assert toggle.get_attribute("aria-expanded") == "false", "☰ still says that the list is open"

        page.locator(".bd-header-article .secondary-toggle").tap()
        state = page.evaluate(PANEL_STATE, "secondary")
        assert state["open"], f"the page contents did not open at {width}px"
        assert any(href.startswith("#sec-linreg") for href in state["links"]), state
        page.keyboard.press("Escape")

        # 章の一覧からほかの章へ移れる
        page.locator(".bd-header-article .primary-toggle").tap()
        page.locator("#pst-primary-sidebar-modal a[href$='ai-and-ml.html']").first.tap()
        page.wait_for_url("**/book/ai-and-ml.html", wait_until="domcontentloaded")
    finally:
        context.close()


def test_sidebar_buttons_work_from_the_keyboard(phone_tab, server):
    phone_tab.goto(server + NAV_PAGE, wait_until="networkidle")
    phone_tab.locator(".bd-header-article .primary-toggle").focus()
    phone_tab.keyboard.press("Enter")
    assert phone_tab.evaluate(PANEL_STATE, "primary")["open"], "Enter on ☰ does not open the chapter list"
    phone_tab.keyboard.press("Escape")
    state = phone_tab.evaluate(PANEL_STATE, "primary")
    assert not state["open"]
    assert "primary-toggle" in state["focused"], f"focus does not return to ☰: {state['focused']}"


def test_sidebar_button_collapses_the_chapter_list_on_a_desktop(tab, server):
    tab.set_viewport_size(DESKTOP)
    tab.goto(server + NAV_PAGE, wait_until="networkidle")
    sidebar = tab.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    toggle = tab.locator(".bd-header-article .primary-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    tab.wait_for_timeout(600)  # テーマの 0.25 秒のアニメーションと、その後の aria-expanded の更新
    assert not sidebar.is_visible(), "☰ does not hide the chapter list at 1280px"
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    tab.wait_for_timeout(600)
    assert sidebar.is_visible(), "☰ does not bring the chapter list back"
    assert toggle.get_attribute("aria-expanded") == "true"


COPY_SELECTION = """(selector) => {
  const target = document.querySelector(selector);
  const range = document.createRange();
  range.selectNodeContents(target);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  const data = new DataTransfer();
  document.dispatchEvent(new ClipboardEvent("copy", {clipboardData: data, bubbles: true, cancelable: true}));
  return data.getData("text/plain");
}"""


def test_copying_text_with_formulas_gives_their_tex(tab, server, site):
    """式を含む段落をコピーすると、式は TeX($...$、別の行の式は $$...$$)になる(_static/dlmath.js)。"""
    tab.set_viewport_size(DESKTOP)
    tab.goto(server + NAV_PAGE, wait_until="networkidle")
    soup = BeautifulSoup((site / NAV_PAGE).read_text(encoding="utf-8"), "html.parser")
    paragraph = next(p for p in soup.select("article p") if p.select("span.math") and p.get("id") is None)
    tex = [a.get_text().strip() for a in paragraph.select('annotation[encoding="application/x-tex"]')]
    index = soup.select("article p").index(paragraph)
    tab.evaluate("(i) => { document.querySelectorAll('article p')[i].id = 'copy-me'; }", index)
    copied = tab.evaluate(COPY_SELECTION, "#copy-me")
    for formula in tex:
        assert f"${formula}$" in copied, (formula, copied)
    assert "mjx" not in copied
    display = soup.select_one("article div.math annotation").get_text().strip()
    tab.evaluate("() => { document.querySelector('article div.math').id = 'copy-display'; }")
    assert f"$${display}$$" in tab.evaluate(COPY_SELECTION, "#copy-display")


TAB_STOPS = """() => Array.from(document.querySelectorAll("article pre")).filter((pre) => {
  const box = pre.getBoundingClientRect();
  return box.bottom > 0 && box.top < innerHeight && box.width > 0;
}).map((pre) => ({wide: pre.scrollWidth > pre.clientWidth, tabIndex: pre.tabIndex}))"""


WIDE_TABLE_ROWS = """() => Array.from(document.querySelectorAll("article table")).filter((t) =>
  t.querySelector("tbody tr > :nth-child(4)")).flatMap((table) => {
  const frame = table.parentElement.getBoundingClientRect();
  return Array.from(table.querySelectorAll("tbody tr"), (row) => {
    const text = row.children[3].getBoundingClientRect();
    return {right: text.right - frame.right, width: text.width, frame: frame.width};
  });
})"""


@pytest.mark.parametrize("name", ["book/notation.html", "book/deep-learning.html", "book/ai-and-ml.html"])
def test_four_column_tables_become_readable_cards_on_a_phone(phone_tab, server, name):
    """4 列以上の表は、スマートフォンでは説明の列を行の全幅に置く(横にはみ出さず、1 文字ずつの縦長にならない)。"""
    phone_tab.goto(server + name, wait_until="load")
    phone_tab.add_style_tag(content="section section { content-visibility: visible !important; }")
    rows = phone_tab.evaluate(WIDE_TABLE_ROWS)
    assert rows, f"{name}: no table with four columns"
    bad = [r for r in rows if r["right"] > 1 or r["width"] < 0.8 * r["frame"]]
    assert not bad, f"{name}: description cells cut off or squeezed: {bad[:3]}"


def test_wide_code_on_screen_can_be_scrolled_from_the_keyboard(phone_tab, server):
    """画面の中のはみ出すコードは Tab で選べ(tabindex 0)、はみ出さないものは選ばれない(_ext/page_assets.py の 6)。"""
    phone_tab.goto(server + NAV_PAGE, wait_until="load")
    phone_tab.locator("article div.cell_input pre").nth(3).scroll_into_view_if_needed()
    phone_tab.wait_for_timeout(300)
    blocks = phone_tab.evaluate(TAB_STOPS)
    assert blocks, "no code block on the screen"
    wrong = [b for b in blocks if b["tabIndex"] != (0 if b["wide"] else -1)]
    assert not wrong, f"code blocks on the screen with the wrong tab stop: {wrong}"


WIDE_INLINE_MATH = """() => {
  const wide = Array.from(document.querySelectorAll("article span.math"))
    .filter((m) => m.scrollWidth > m.clientWidth + 1);
  return wide.length;
}"""
NEAR_INLINE_MATH = """() => Array.from(document.querySelectorAll("article span.math")).filter((m) => {
  const r = m.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight;
}).map((m) => ({wide: m.scrollWidth > m.clientWidth + 1, tabIndex: m.tabIndex,
                shadow: getComputedStyle(m).backgroundImage.includes("radial-gradient")}))"""


def test_wide_inline_formulas_on_a_phone_show_that_they_scroll(phone_tab, server):
    """段からはみ出す行内の式は、画面に近づくと tabindex 0 になり(キーボードでスクロールできる)、続きの側に影が付く。
    はみ出さない式には影も tab stop もない(_ext/page_assets.py の 6、_static/dlmath.css)。"""
    phone_tab.goto(server + NAV_PAGE, wait_until="load")
    phone_tab.add_style_tag(content=FULL_PAGE)
    assert phone_tab.evaluate(WIDE_INLINE_MATH) > 0, "no inline formula wider than the column at 390 px"
    phone_tab.evaluate("""() => Array.from(document.querySelectorAll("article span.math"))
      .find((m) => m.scrollWidth > m.clientWidth + 1).scrollIntoView({block: "center"})""")
    phone_tab.wait_for_timeout(300)
    near = phone_tab.evaluate(NEAR_INLINE_MATH)
    assert any(m["wide"] for m in near), near
    wrong = [m for m in near if (m["tabIndex"] == 0, m["shadow"]) != (m["wide"], m["wide"])]
    assert not wrong, f"inline formulas with a wrong tab stop or shadow: {wrong}"


def test_animation_frames_load_only_near_the_screen(browser, server):
    """アニメーションのコマ(_images のファイル)は、アニメーションが画面に近づくまで読まない。"""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    frames = []
    page.on("request", lambda request: "/_images/inline-" in request.url and frames.append(request.url))
    try:
        page.goto(server + "book/math-partial-derivatives.html", wait_until="networkidle")
        assert frames == [], f"frames loaded before the animation is near the screen: {frames[:3]}"
        # 上の節は描かれると高さが変わる(content-visibility: auto)ので、読者がスクロールするように 2 回近づける
        for _ in range(2):
            page.evaluate("document.querySelector('img[id^=_anim_img]').scrollIntoView({block: 'center'})")
            page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        assert len(set(frames)) > 10, f"the animation did not load its frames: {len(set(frames))}"
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# 画面の文字はすべて日本語(_ext/ja_interface.py、_templates/、_static/dlmath.js)

# 英字のままでよい語: 固有名詞・キーの名前・ファイルの種類
LATIN_OK = {"Ctrl", "Colab", "Binder", "GitHub", "Google", "Python", "NumPy", "PDF", "ipynb", "pdf", "dlmath", "Jupyter"}
INTERFACE_TEXT = """() => {
  const labels = [];
  const attrs = ["aria-label", "title", "placeholder", "data-tooltip", "data-bs-title", "alt"];
  // 本文の外のすべてと、本文の中の部品(見出しのリンク・コピーのボタン・折りたたみ)
  const parts = Array.from(document.querySelectorAll("body *")).filter((el) =>
    !el.closest("article.bd-article") || el.matches(".headerlink, .copybtn, summary, button, .toggle-button"));
  for (const el of parts) {
    for (const a of attrs) if (el.getAttribute(a)) labels.push({what: a, text: el.getAttribute(a), tag: el.tagName});
    if (el.closest("article.bd-article") || el.closest("script, style, template, noscript")) continue;
    for (const node of el.childNodes) {
      if (node.nodeType === 3 && node.data.trim() && el.getClientRects().length) {
        labels.push({what: "text", text: node.data.trim(), tag: el.tagName});
      }
    }
  }
  // 名前と見えている文字が食い違う部品(読み上げの名前は見えている文字を含むこと)
  const mismatched = parts.filter((el) => el.matches("button, summary, a") && el.getAttribute("aria-label"))
    .map((el) => {
      // キーボードの近道の表示(<kbd>Ctrl</kbd>+<kbd>K</kbd>)は名前の一部ではないので除いて比べる
      const clone = el.cloneNode(true);
      clone.querySelectorAll("kbd, .search-button__kbd-shortcut").forEach((k) => k.remove());
      return {label: el.getAttribute("aria-label"), visible: el.innerText.trim() && clone.textContent.replace(/\\s+/g, " ").trim()};
    })
    .filter((x) => x.visible && !x.label.includes(x.visible));
  return {labels, mismatched};
}"""


@pytest.mark.parametrize("name", ["book/linear-regression.html", "search.html"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_interface_labels_are_japanese(browser, server, name, viewport):
    context = browser.new_context(viewport=viewport, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(server + name, wait_until="networkidle")
        found = page.evaluate(INTERFACE_TEXT)
    finally:
        context.close()
    english = sorted({
        f"{label['what']}={label['text']!r}" for label in found["labels"]
        if any(word not in LATIN_OK for word in re.findall(r"[A-Za-z]{3,}", label["text"]))
        and label["text"] != "Pythonで理解するディープラーニングの数学"
    })
    assert len(found["labels"]) > 20, found  # 確認が空回りしていないこと
    assert not english, f"{name}: English interface text: {english}"
    assert not found["mismatched"], f"{name}: accessible names that differ from the visible text: {found['mismatched']}"


def test_screenshots_are_written(visits):
    for name in PAGES:
        visits(name)
    from PIL import Image

    shots = sorted(SCREENSHOTS.glob("*.png"))
    assert len(shots) >= 4 * len(PAGES), shots
    assert all(shot.stat().st_size > 5_000 for shot in shots)
    # 白く抜けた部分がない(描かれていない節があると、高さ 1000 px の帯が一色になる)
    blank = {}
    for shot in shots:
        image = Image.open(shot).convert("L")
        bands = [top for top in range(0, image.height - 1000, 1000)
                 if len(set(image.crop((0, top, image.width, top + 1000)).getextrema())) == 1]
        if bands:
            blank[shot.name] = bands
    assert not blank, f"一色の帯(描かれていない部分)のあるスクリーンショット(y): {blank}"


# Font Awesome のフォントは、使う文字だけにサブセットしています(_ext/icons.py)。ページで Font Awesome の
# フォントで描かれる文字(::before/::after の content と要素の文字)が、そのフォントのファイルにあるかを確かめます。
# スクリプトなしでも確かめるのは、fontawesome.js が SVG に置き換える前の <i class="fa-..."> も字で描かれるからです。
FONT_AWESOME_GLYPHS = """() => {
  const out = [];
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const cs = getComputedStyle(el, pseudo);
      if (!/Font Awesome/.test(cs.fontFamily) || cs.display === "none") continue;
      const text = pseudo ? cs.content : Array.from(el.childNodes, (n) => n.nodeType === 3 ? n.data : "").join("");
      for (const c of text) {
        const n = c.codePointAt(0);
        if (n >= 0xe000 && n <= 0xf8ff) out.push({family: cs.fontFamily, weight: cs.fontWeight, cp: n, where: el.className + (pseudo || "")});
      }
    }
  }
  return out;
}"""
FONT_FILES = {("Brands", "400"): "fa-brands-400.woff2", ("Free", "900"): "fa-solid-900.woff2", ("Free", "400"): "fa-regular-400.woff2"}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_font_awesome_glyphs_are_in_the_subset_fonts(browser, server, site, javascript):
    from fontTools.ttLib import TTFont

    cmaps = {name: set(TTFont(site / "_static/vendor/fontawesome/webfonts" / name).getBestCmap())
             for name in FONT_FILES.values()}
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    page = context.new_page()
    drawn = []
    try:
        # 演習問題の見出しの鉛筆(::after)、github.com へのリンクのロゴ(a.github::before)、ヘッダーのボタン
        for name in ("book/linear-regression.html", "book/citing.html"):
            page.goto(server + name, wait_until="networkidle")
            drawn += [dict(glyph, page=name) for glyph in page.evaluate(FONT_AWESOME_GLYPHS)]
    finally:
        context.close()
    assert {g["cp"] for g in drawn} >= {0xF303, 0xF09B}, drawn  # 確認が空回りしていないこと
    missing = [
        (g["page"], g["where"], hex(g["cp"]), g["family"], g["weight"])
        for g in drawn
        if g["cp"] not in cmaps[FONT_FILES["Brands" if "Brands" in g["family"] else "Free", g["weight"]]]
    ]
    assert not missing, f"Font Awesome glyphs missing from the subset fonts (tofu): {missing}"


# ---------------------------------------------------------------------------------------------
# 検索(Pagefind)


def glossary_terms(site: Path) -> list[str]:
    glossary = site / "book" / "glossary.html"
    if not glossary.exists():
        return FALLBACK_TERMS
    soup = BeautifulSoup(glossary.read_text(encoding="utf-8"), "html.parser")
    terms = []
    for dt in soup.select("dl.glossary dt"):
        for link in dt.select(".headerlink"):
            link.decompose()
        terms.append(dt.get_text(" ", strip=True))
    assert terms, "the glossary page has no terms"
    return terms


def article_text(path: Path) -> str:
    """記事の本文の文字(スクリプトやスタイル、見出しの「#」は除く)。"""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    # 検索の索引に入れない部分(式の TeX の annotation など、data-pagefind-ignore)も除く
    for tag in article.select("script, style, template, .headerlink, [data-pagefind-ignore]"):
        tag.decompose()
    return article.get_text(" ")


def uses_term(text: str, term: str) -> bool:
    if re.fullmatch(r"[\x00-\x7f]+", term):  # 英字の用語は語として(大文字小文字は区別しない)
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None
    return term in text


@pytest.fixture(scope="session")
def expected_pages(site):
    """用語 → その語を本文で使っているページ(サイトのルートからの相対パス)。"""
    texts = {f"{name}.html": article_text(site / f"{name}.html") for name in toc_files()}
    return {term: {page for page, text in texts.items() if uses_term(text, term)} for term in glossary_terms(site)}


RESULT_LINKS = "#search-hits > li > h2 > a"


def search(tab, server, term: str) -> set[str]:
    """検索のページで term を検索し、結果のページ(サイトのルートからの相対パス)を返す。タブが検索のページに
    いなければ ?q=term の URL で開き、いれば検索欄に入れて送る(読者が続けて検索するときと同じ。索引の読み込みは
    1 回で済む)。"""
    if tab.url.split("?")[0] == f"{server}search.html":
        tab.fill("#search-input", term)
        tab.press("#search-input", "Enter")
    else:
        tab.goto(f"{server}search.html?q={quote(term)}", wait_until="load")
    # 「…の検索結果: N 件」(読み上げ用の role=status)が出て、その語の N 件の結果が並ぶまで待ちます。
    tab.wait_for_function(
        """(term) => {
          const list = document.querySelector("#search-hits");
          if (!list || list.dataset.query !== term || list.hasAttribute("aria-busy")) return false;
          const text = document.querySelector("#search-status[role=status]").textContent;
          const n = text.match(/(\\d+) 件/);
          const shown = list.querySelectorAll(":scope > li > h2 > a").length;
          return n ? shown === +n[1] : shown === 0 && text.includes("見つかりませんでした");
        }""",
        arg=term.strip(),
        timeout=10_000,
    )
    hrefs = tab.eval_on_selector_all(RESULT_LINKS, "as => as.map(a => a.href)")
    return {urlsplit(href).path[len(urlsplit(server).path):] for href in hrefs}


@pytest.mark.parametrize("term", ["学習率", "勾配", "交差エントロピー"])
def test_search_excerpts_do_not_start_mid_number_or_with_punctuation(tab, server, term):
    search(tab, server, term)
    excerpts = tab.eval_on_selector_all("#search-hits > li > p", "ps => ps.map(p => p.textContent)")
    assert excerpts, f"no excerpts for {term}"
    bad = [e[:30] for e in excerpts if re.match(r"[.,、。)」\]]", e)]
    assert not bad, f"excerpts that start in the middle of something: {bad}"


def test_search_finds_every_page_that_uses_each_glossary_term(tab, server, expected_pages):
    missing, unused, counts = {}, [], {}
    for term, expected in expected_pages.items():
        found = search(tab, server, term)
        counts[term] = (len(expected), len(found & expected), len(found))
        if not expected:
            unused.append(term)
        if expected - found:
            missing[term] = sorted(expected - found)
    print("\nsearch: term expected/found-of-expected/results")
    print("  " + ", ".join(f"{t} {e}/{f}/{n}" for t, (e, f, n) in counts.items()))
    (SCREENSHOTS / "search.json").parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "search.json").write_text(json.dumps(counts, ensure_ascii=False, indent=1), encoding="utf-8")
    # 本文のどこにも出てこない用語は、検索を確かめたことにならないので失敗にします。
    assert not unused, f"glossary terms used on no page (nothing to check): {unused}"
    assert not missing, f"pages not found by the search: {missing}"


def test_search_results_link_to_pages_of_the_site(tab, server, site, expected_pages):
    """検索の仕組みそのもの: 損失関数を使うページ(3 ページ以上)がすべて出て、結果がサイトのページを指す。"""
    found = search(tab, server, "損失関数")
    expected = expected_pages.get("損失関数") or {
        f"{name}.html" for name in toc_files() if uses_term(article_text(site / f"{name}.html"), "損失関数")
    }
    assert len(expected) >= 3, expected
    assert expected <= found, f"not found: {expected - found}"
    for page in found:
        assert (site / page).is_file(), f"result {page} is not a page of the site"
    # 結果のリンクはサイトのルートからの相対(サブパスの下でも動く)で、抜粋には語の印(<mark>)がある。
    hrefs = tab.eval_on_selector_all(RESULT_LINKS, "as => as.map(a => a.getAttribute('href'))")
    assert all(not href.startswith(("/", "http")) for href in hrefs), f"result links must be relative: {hrefs}"
    assert tab.locator("#search-hits mark").count(), "excerpts do not highlight the term"
    tab.locator(RESULT_LINKS).first.click()
    tab.wait_for_load_state()
    assert tab.url.startswith(server + "book/")


def test_theme_search_box_opens_search_page_and_url_follows_typing(tab, server):
    tab.goto(server + "book/intro.html", wait_until="networkidle")
    tab.keyboard.press("Control+k")
    tab.locator("#pst-search-dialog input[name=q]").fill("学習率")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/search.html?q=*")
    tab.wait_for_selector(RESULT_LINKS)
    assert unquote(urlsplit(tab.url).query) == "q=学習率"
    box = tab.get_by_label("検索する語")  # <label> で名前の付いた検索欄
    assert box.input_value() == "学習率"
    box.fill("勾配")
    tab.wait_for_function("() => decodeURIComponent(location.search) === '?q=勾配'", timeout=5_000)
    tab.wait_for_function("() => document.querySelector('#search-hits').dataset.query === '勾配'", timeout=5_000)
    assert "勾配" in tab.locator("#search-status[role=status]").text_content()


def test_search_page_does_not_load_sphinx_search(visits):
    requests = visits("search.html").requests
    assert not [url for url in requests if re.search(r"searchindex\.js|searchtools\.js", url)], requests
    assert any("pagefind" in url for url in requests)
    # Pagefind UI は使わない(結果の一覧は search.html が描く)ので、読み込まれない。
    assert not [url for url in requests if re.search(r"pagefind[^/]*ui", url)], requests


def test_compound_terms_match_only_pages_that_contain_them(tab, server, expected_pages):
    """「学習率」で、「学習」と「率」が離れて出てくるだけのページは出ない。"""
    found = search(tab, server, "学習率")
    expected = expected_pages.get("学習率")
    assert expected, "学習率 is used on no page"
    assert found == expected, f"extra: {sorted(found - expected)}, missing: {sorted(expected - found)}"


def test_search_results_open_the_section_and_highlight_the_term(tab, server, site):
    """結果のリンクは語を含む節(#id)を指し、開いたページでは語に印が付き、その節の印が画面に出る。"""
    search(tab, server, "学習率")
    hrefs = tab.eval_on_selector_all(RESULT_LINKS, "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all("pagefind-highlight=" in href for href in hrefs), hrefs
    # 節の見出しのないところ(用語集の定義、参考文献の項目)だけに出てくるページは、ページへのリンクになる
    with_section = [href for href in hrefs if "#" in href]
    assert "#" in hrefs[0] and len(with_section) >= 0.8 * len(hrefs), hrefs
    excerpts = tab.eval_on_selector_all("#search-hits > li > p", "ps => ps.map(p => p.textContent)")
    assert not [e for e in excerpts if re.search(r"\\[a-zA-Z(\[]", e)], f"TeX in the excerpts: {excerpts}"
    tab.locator(RESULT_LINKS).first.click()
    tab.wait_for_function("() => document.querySelector('mark.pagefind-highlight')", timeout=10_000)
    state = tab.evaluate("""() => {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      const marks = Array.from(document.querySelectorAll("mark.pagefind-highlight"));
      const inSection = marks.filter((m) => target && target.closest("section").contains(m));
      const r = inSection.length ? inSection[0].getBoundingClientRect() : null;
      return {target: !!target, marks: marks.length, inSection: inSection.length, text: marks[0]?.textContent,
              onScreen: !!r && r.top >= 0 && r.bottom <= innerHeight};
    }""")
    assert state["target"] and state["inSection"] and state["text"] == "学習率", state
    assert state["onScreen"], f"the highlighted term is not on the screen: {state}"


# ---------------------------------------------------------------------------------------------
# オフライン版の zip(make downloads、tools/offline.py): 解凍して README のとおり http.server で配り、章を開いて検索する

OFFLINE_ZIP = HTML / "downloads" / "dlmath-offline.zip"


def test_offline_zip_unpacks_serves_a_chapter_and_searches(browser, tmp_path):
    assert OFFLINE_ZIP.is_file(), f"{OFFLINE_ZIP} がありません(make downloads が作ります)"
    with zipfile.ZipFile(OFFLINE_ZIP) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "dlmath"
    assert "http.server" in (folder / "README.txt").read_text(encoding="utf-8")
    assert (folder / "_notebooks" / "book" / "linear-regression.ipynb").is_file()
    with socket.socket() as probe:  # README の 8000 番は使われているかもしれないので、空いている番号で
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
    try:
        root = f"http://127.0.0.1:{port}/"
        outside = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(root)
                      else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        for _ in range(50):  # サーバーが待ち受けるまで
            try:
                page.goto(root + "book/linear-regression.html", wait_until="load")
                break
            except Exception:
                time.sleep(0.1)
        assert "線形単回帰" in page.locator("article h1").text_content()
        page.keyboard.press("Control+k")
        page.locator("#pst-search-dialog input[name=q]").fill("学習率")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search.html?q=*")
        page.wait_for_selector(RESULT_LINKS, timeout=10_000)
        page.locator(RESULT_LINKS).first.click()
        page.wait_for_load_state()
        assert page.url.startswith(root + "book/"), page.url
        assert not outside, f"サイトの外へのリクエスト: {outside}"
    finally:
        context.close()
        server.terminate()
        server.wait()


def test_search_opened_as_a_file_says_why_and_how_to_serve_the_site(browser, site):
    """index.html などをファイル(file://)として開いたとき、検索のページは理由と配信のコマンドを日本語で示す。"""
    page = browser.new_page(locale="ja-JP")
    try:
        page.goto((site / "search.html").resolve().as_uri() + "?q=損失関数")
        status = page.locator("#search-status")
        status.wait_for(state="visible")
        page.wait_for_function("document.getElementById('search-status').textContent.length > 0")
        text = status.inner_text()
        assert "ファイルとして開かれている" in text, text
        assert "python3 -m http.server 8000" in text and "make serve" in text, text
        assert page.locator("#search-hits li").count() == 0
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# 印刷: ヘッダーの PDF のメニューの「印刷」(window.print())で章を A4 に印刷すると、読める文書になること
# (印刷用の CSS は _static/dlmath.css の最後の @media print)。本の PDF 版(make pdf)は test_pdf.py。

PRINTED_CHAPTERS = {"book/linear-regression.html": "3", "book/deep-learning.html": "7"}
A4_MM = (210, 297)
PX_PER_MM = 96 / 25.4
BROWSER_MARGIN_MM = 10  # サイトの CSS に @page の余白がないときの、ブラウザ(Chrome の印刷の既定)の余白
BLANK_PAGE = 0.5  # 最後のページ以外で、下がこれより多く空いたページは「半分空いたページ」(分けられない図の分は除く)

# 印刷のメディアで効く @page の余白(長さを px にして)。後の規則が勝つ。
PAGE_MARGINS = """() => {
  const margins = {};
  const visit = (rules) => {
    for (const rule of rules) {
      if (rule instanceof CSSMediaRule) {
        if (matchMedia(rule.media.mediaText).matches) visit(rule.cssRules);
      } else if (rule instanceof CSSPageRule && !rule.selectorText) {
        for (const side of ["top", "right", "bottom", "left"]) {
          const value = rule.style.getPropertyValue("margin-" + side);
          if (value) margins[side] = value;
        }
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try { visit(sheet.cssRules); } catch (e) { /* 読めないスタイルシート(外のホスト) */ }
  }
  const px = (length) => {
    const probe = document.createElement("div");
    probe.style.cssText = `position: absolute; width: ${length}`;
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  };
  return Object.fromEntries(Object.entries(margins).map(([side, value]) => [side, px(value)]));
}"""

# 紙の幅で組んだページ(印刷のメディア、段の幅 = 紙の幅 - 余白)で測るもの
PRINT_LAYOUT = """(chrome) => {
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && Number(style.opacity) > 0
      && Array.from(el.getClientRects()).some((r) => r.width > 0 && r.height > 0);
  };
  const article = document.querySelector("article.bd-article");
  const column = article.getBoundingClientRect();
  const longest = (pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
  const pres = Array.from(article.querySelectorAll("pre")).filter(shown);
  const maths = Array.from(article.querySelectorAll('div.math mjx-container[display="true"]')).filter(shown);
  const h1 = Array.from(article.querySelectorAll("h1")).filter(shown);
  const firstText = Array.from(article.querySelectorAll("h1 ~ p:not(.page-status)")).find(shown);
  const firstSection = Array.from(article.querySelectorAll("h2")).find(shown);
  return {
    pres: pres.length,
    // 箱より広いコード・出力の行(右端が紙の上で切れる): [はみ出す幅 px, いちばん長い行]
    widePres: pres.filter((p) => p.scrollWidth > p.clientWidth + 1)
      .map((p) => [p.scrollWidth - p.clientWidth, longest(p).slice(0, 90)]),
    wideMaths: maths.filter((m) => m.scrollWidth > m.clientWidth + 1)
      .map((m) => [m.scrollWidth - m.clientWidth, m.closest("div.math").id]),
    // 段の右へはみ出すもの(表・図・枠)
    outside: Array.from(article.querySelectorAll("table, img, figure, div.admonition, div.highlight, div.cell_output"))
      .filter(shown).filter((el) => el.getBoundingClientRect().right > column.right + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80)),
    h1: h1.map((h) => h.innerText.trim()),
    numbered: document.querySelector(".bd-sidebar-primary a.current")?.textContent.trim(),
    firstText: firstText ? firstText.innerText.trim() : null,
    firstSection: firstSection ? firstSection.innerText.trim() : null,
    firstCode: pres.length ? pres[0].textContent.trim().split("\\n")[0] : null,
    images: Array.from(article.querySelectorAll("img")).filter(shown).length,
    // ページをまたげないもの(図・表示の式・表の行)のうち、いちばん高いもの。入り切らなければ次のページへ送られる
    tallest: Math.max(0, ...Array.from(article.querySelectorAll("figure, div.cell_output img, div.math, tr"))
      .filter(shown).map((el) => el.getBoundingClientRect().height)),
    height: document.documentElement.scrollHeight,
    chrome: Array.from(document.querySelectorAll(chrome)).filter(shown).filter((el) => !el.closest("mjx-container"))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className} ${el.textContent.trim().slice(0, 30)}`),
  };
}"""

# 印刷しない画面の部品: ヘッダーとそのボタン(PDF・全画面・明るさ・版)、サイドバー、検索、前後のページ、
# コピーや折りたたみのボタン、見出しのリンク記号、「質問・指摘」、過去の版の帯、アニメーションのスライダー、
# テーマが印刷のときだけ本文の前に置く、番号のない題と節の一覧。
PRINT_CHROME = ", ".join([
    ".bd-header", ".bd-header-article", ".article-header-buttons", ".bd-sidebar-primary", ".bd-sidebar-secondary",
    ".search-button", ".search-button__wrapper", ".theme-switch-button", ".prev-next-area", "#pst-back-to-top",
    ".copybtn", ".toggle-button", "details > summary", ".headerlink", ".report-link", ".edition-banner",
    ".anim-controls", "#jb-print-docs-body", "button", "input", "select",
])
# 印刷した PDF の文字に出てはいけない、画面の部品の文字
CHROME_WORDS = ["質問・指摘", "コードを表示", "コードを隠す", "クリックして", "本書を検索", "目次"]


def _need_poppler():
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdftoppm", "pdfimages") if shutil.which(tool) is None]
    if missing:
        message = f"poppler-utils がありません: {missing}(make browser が入れます)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(f"!!! 印刷のテストをスキップしました: {message} !!!")


def _blank_below(pdf: Path, top: float, bottom: float) -> list[float]:
    """各ページで、最後に描かれたもの(文字・図・枠)の下に空いている部分の、本文の高さに対する割合。
    top, bottom は紙の上下の余白の、紙の高さに対する割合。"""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-r", "24", str(pdf), f"{folder}/page"], check=True)
        blank = []
        for path in sorted(Path(folder).iterdir()):
            image = Image.open(path).convert("L")
            first, last = round(image.height * top), round(image.height * (1 - bottom))
            ink = [y for y in range(first, last) if image.crop((0, y, image.width, y + 1)).getextrema()[0] < 200]
            blank.append(round((last - (ink[-1] if ink else first)) / (last - first), 2))
    return blank


@pytest.fixture(scope="module")
def printed(context, server, tmp_path_factory):
    """章を 1 回ずつ A4 の PDF に印刷し、測った結果を返す: name → dict。"""
    _need_poppler()
    folder = tmp_path_factory.mktemp("print")
    results = {}

    def print_chapter(name):
        if name in results:
            return results[name]
        page = context.new_page()
        try:
            page.goto(server + name, wait_until="load")
            page.evaluate(WAIT_FOR_PAGE)
            page.emulate_media(media="print")
            chrome_on_desktop = page.evaluate(PRINT_LAYOUT, PRINT_CHROME)["chrome"]
            margins = {side: BROWSER_MARGIN_MM * PX_PER_MM for side in ("top", "right", "bottom", "left")}
            margins.update(page.evaluate(PAGE_MARGINS))
            paper = [round(side * PX_PER_MM, 1) for side in A4_MM]
            # 紙に組むときと同じ段の幅で測る(ブラウザは印刷のとき、紙の幅から余白を除いた幅でページを組み直す)
            page.set_viewport_size({"width": round(paper[0] - margins["left"] - margins["right"]), "height": 1000})
            layout = page.evaluate(PRINT_LAYOUT, PRINT_CHROME)
            pdf = folder / (Path(name).stem + ".pdf")
            # @page の余白がサイトの CSS にあれば、ブラウザ(Chromium)はそちらを使う
            page.pdf(path=str(pdf), format="A4", margin={side: f"{BROWSER_MARGIN_MM}mm" for side in margins})
        finally:
            page.close()
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        page_height = paper[1] - margins["top"] - margins["bottom"]
        results[name] = dict(
            layout,
            pdf=pdf,
            chrome_on_desktop=chrome_on_desktop,
            pages=int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)),
            estimate=layout["height"] / page_height,  # 区切らずに組んだ高さが何ページ分か
            tallest=layout["tallest"] / page_height,
            text=text,
            page_texts=text.split("\f"),
            pdf_images=len(images.splitlines()[2:]),
            blank=_blank_below(pdf, margins["top"] / paper[1], margins["bottom"] / paper[1]),
        )
        return results[name]

    return print_chapter


def _squeeze(text: str) -> str:
    """空白と改行を除く(pdftotext は日本語と英数字の間に空白を入れ、行の折り返しで語を分ける)。"""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", PRINTED_CHAPTERS)
def test_printed_chapter_fits_the_paper(printed, name):
    """コードとセルの出力は紙の幅で折り返し、右端が切れない。式・表・図も段に収まる。"""
    result = printed(name)
    assert result["pres"] > 20, result["pres"]  # 確認が空回りしていないこと
    wide = sorted(result["widePres"], reverse=True)
    assert not wide, (f"{name}: {len(wide)} code/output blocks are wider than the printed column "
                      f"(overflow px, longest line): {wide[:5]}")
    assert not result["wideMaths"], f"{name}: display equations wider than the printed column: {result['wideMaths']}"
    assert not result["outside"], f"{name}: boxes that stick out of the printed column: {result['outside']}"


@pytest.mark.parametrize("name", PRINTED_CHAPTERS)
def test_printed_chapter_has_no_half_empty_pages(printed, name):
    """ページ数は中身の量に見合い、1 ページ目は題に続けて本文から始まり、途中に半分以上空いたページがない。"""
    result = printed(name)
    pages, estimate = result["pages"], result["estimate"]
    assert estimate > 10, estimate  # 章の長さが測れていること
    # 下限は中身が印刷されていること(描かれない節がない)、上限は改ページで空いたところが多すぎないこと
    # (見積もりがずっと少ないのは、印刷のメディアで描かれない節があるとき: content-visibility)
    assert 0.9 * estimate <= pages <= 1.3 * estimate + 1, f"{name}: {pages} pages for {estimate:.1f} pages of content"
    first = _squeeze(result["page_texts"][0])
    title, opening, section = (_squeeze(result[key]) for key in ("numbered", "firstText", "firstSection"))
    assert first.startswith(title), f"{name}: page 1 does not start with the title {title!r}: {first[:80]!r}"
    assert opening[:20] in first, f"{name}: the body text does not start on page 1 after the title: {first[:300]!r}"
    assert section in first[first.index(opening[:20]):], \
        f"{name}: the first section {section!r} does not start on page 1: {first[:300]!r}"
    # 空いてよいのは、次のページへ送られた図(とそれに付く題やコードの数行)の分まで
    allowed = max(BLANK_PAGE, result["tallest"] + 0.15)
    half_empty = [(number, blank) for number, blank in enumerate(result["blank"][:-1], start=1) if blank > allowed]
    assert not half_empty, f"{name}: pages (number, empty fraction) that are more than {allowed:.0%} empty: {half_empty}"


@pytest.mark.parametrize("name, number", PRINTED_CHAPTERS.items())
def test_printed_chapter_title_has_its_number(printed, name, number):
    """印刷した題(h1)に、サイドバーと同じ章の番号(例「3. 線形単回帰」)がある。"""
    result = printed(name)
    assert result["numbered"].startswith(f"{number}. "), result["numbered"]
    assert result["h1"] == [result["numbered"]], f"{name}: printed h1 {result['h1']}, expected {result['numbered']!r}"
    first_line = next(line for line in result["page_texts"][0].splitlines() if line.strip())
    assert _squeeze(first_line) == _squeeze(result["numbered"]), f"{name}: PDF starts with {first_line.strip()!r}"


@pytest.mark.parametrize("name", PRINTED_CHAPTERS)
def test_printed_chapter_shows_no_interactive_chrome(printed, site, name):
    """ボタン・サイドバー・検索・「質問・指摘」などは印刷されず、図・コード・出力は印刷される。"""
    result = printed(name)
    assert not result["chrome_on_desktop"], f"{name}: interface parts printed (desktop window): {result['chrome_on_desktop']}"
    assert not result["chrome"], f"{name}: interface parts printed (paper width): {result['chrome']}"
    html = (site / name).read_text(encoding="utf-8")
    assert "質問・指摘" in html and "コードを表示" in html  # 確認が空回りしていないこと
    words = [word for word in CHROME_WORDS if word in result["text"]]
    assert not words, f"{name}: interface text in the printed PDF: {words}"
    assert result["images"] >= 3 and result["pdf_images"] >= result["images"], (result["images"], result["pdf_images"])
    assert _squeeze(result["firstCode"]) in _squeeze(result["text"]), f"{name}: code missing: {result['firstCode']!r}"
