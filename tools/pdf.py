"""本の PDF 版を作ります(make pdf)。

    .venv/bin/python tools/pdf.py [SITE] [--out _build/pdf/dlmath.pdf] [--parts]

SITE は印刷用にビルドしたサイト(既定は _build/print/_build/html。make pdf が図を SVG にしてビルドします)。
番号(章・節・式・図・表・演習問題)は、Web 版と同じ原稿と設定でビルドしたページのものをそのまま使うので、両方で同じです。
数式はビルドのときに組んだもの(MathJax の CommonHTML、フォントの文字)で、画像ではありません。

1. 目次(_toc.yml)の順に各ページを Chromium で開き、tools/pdf_page.js で本文を印刷用に直します
   (Web だけのものを除く、id をページごとに分ける、リンクを PDF の中へ、解答を章末へ)。
2. 表紙・目次・部の扉と合わせて 1 つの HTML(SITE/book/dlmath-print.html、部ごとは part-N-print.html)にし、tools/pdf.css で組みます。
3. Chromium で PDF にし(しおり付き、タグ付き)、qpdf で圧縮します。目次のページ番号は、1 回目の PDF のテキスト(pdftotext)で
   各見出しの印が何ページ目にあるかを調べ、書き入れてからもう 1 度 PDF にします。
--parts を付けると、部ごとの PDF(part-1.pdf …、番号は全体と同じ)も作ります。
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("DLMATH_CHROMIUM", "/usr/bin/chromium")
PAGE_JS = (ROOT / "tools" / "pdf_page.js").read_text(encoding="utf-8")
PRINT_CSS = (ROOT / "tools" / "pdf.css").read_text(encoding="utf-8")


def book_parts():
    """_toc.yml の並び: [(部の題 または None(はじめに), [ページのパス(拡張子なし)])]。"""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts = [(None, [toc["root"]])]
    for part in toc["parts"]:
        parts.append((part["caption"], [chapter["file"] for chapter in part["chapters"]]))
    return parts


def edition():
    """表紙に書く版: git の記述(タグがあればタグから)とコミットの日付。"""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    return git("describe", "--tags", "--always", "--dirty"), git("log", "-1", "--format=%cs")


def extract_pages(browser, site, parts):
    """各ページの本文を印刷用に直して返す: {path: {body, solutions, headings}} と、使う CSS の一覧。"""
    slugs = {f"{path}.html": Path(path).name for _, paths in parts for path in paths}
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    pages, stylesheets = {}, []
    for part, paths in parts:
        for path in paths:
            page.goto((site / f"{path}.html").as_uri())
            for href in page.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(l => l.href)"):
                if href not in stylesheets:
                    stylesheets.append(href)
            pages[path] = page.evaluate(PAGE_JS, {
                "slug": Path(path).name, "pages": slugs, "siteRoot": site.as_uri() + "/",
                "siteUrl": config["html"]["baseurl"], "shift": 0 if part is None else 1,
            })
    context.close()
    return pages, stylesheets


def toc_html(parts, pages, page_numbers):
    """目次: 部・章・節(章のすぐ下の節まで)。page_numbers があれば右にページ番号を書く。"""
    items = []
    for part, paths in parts:
        if part is not None:
            items.append(f'<li class="toc-part">{entry(part, "part-" + part, page_numbers)}</li>')
        for path in paths:
            for heading in pages[path]["headings"]:
                css = "toc-chapter" if heading["level"] == 1 else "toc-section"
                items.append(f'<li class="{css}">{entry(heading["text"], heading["id"], page_numbers)}</li>')
            if pages[path]["solutions"]:
                target = solutions_id(path)
                items.append(f'<li class="toc-section">{entry(SOLUTIONS, target, page_numbers)}</li>')
    return '<nav class="pdf-toc"><h1 id="pdf-toc">目次</h1><ol>' + "".join(items) + "</ol></nav>"


SOLUTIONS = "演習問題の解答"


def solutions_id(path):
    return f"{Path(path).name}--solutions"


def entry(text, target, page_numbers):
    number = page_numbers.get(target, "")
    return (f'<a href="#{html.escape(target)}"><span class="toc-text">{html.escape(text)}</span>'
            f'<span class="toc-page">{number}</span></a>')


def marker(target):
    """見出しの位置を 1 回目の PDF から探すための印(見えない大きさの文字。2 回目にはない)。"""
    return f'<span class="pdf-marker">[[@{html.escape(target)}@]]</span>'


def document(parts, pages, stylesheets, page_numbers, with_markers, only_part=None):
    """PDF にする 1 つの HTML。only_part を与えると、その部だけ(表紙と目次はその部の分)。"""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    version, date = edition()
    chosen = [(part, paths) for part, paths in parts if only_part is None or part == only_part]
    body = []
    for part, paths in chosen:
        if part is not None:
            mark = marker("part-" + part) if with_markers else ""
            body.append(f'<section class="pdf-part"><h1 id="part-{html.escape(part)}">{mark}{html.escape(part)}</h1>'
                        "</section>")
        for path in paths:
            content = pages[path]
            text = content["body"]
            if with_markers:
                for heading in content["headings"]:
                    text = text.replace(f'id="{heading["id"]}">', f'id="{heading["id"]}">{marker(heading["id"])}', 1)
            solutions = ""
            if content["solutions"]:
                level = 3 if part is not None else 2
                mark = marker(solutions_id(path)) if with_markers else ""
                solutions = (f'<section class="pdf-solutions"><h{level} id="{solutions_id(path)}">{mark}{SOLUTIONS}'
                             f'</h{level}>' + "".join(content["solutions"]) + "</section>")
            body.append(f'<section class="pdf-chapter">{text}{solutions}</section>')
    content = "".join(body)
    if only_part is not None:  # ほかの部へのリンクは、PDF の中に行き先がないので Web 版へ
        content = outside_links_to_web(content, [p for part, paths in chosen for p in paths], config)
    subtitle = "" if only_part is None else f'<p class="pdf-part-name">{html.escape(only_part)}(抜粋)</p>'
    cover = f"""<section class="pdf-cover">
<p class="pdf-title">{html.escape(config["title"])}</p>
{subtitle}<p class="pdf-author">{html.escape(config["author"])}</p>
<dl class="pdf-edition">
<dt>版</dt><dd>{html.escape(version)}({date} のコミット、{datetime.date.today().isoformat()} 作成)</dd>
<dt>Web 版</dt><dd><a href="{config["html"]["baseurl"]}">{config["html"]["baseurl"]}</a></dd>
<dt>リポジトリ</dt><dd><a href="{config["repository"]["url"]}">{config["repository"]["url"]}</a></dd>
<dt>ライセンス</dt><dd>本文と図は CC BY 4.0、コードは MIT ライセンス</dd>
</dl>
<p class="pdf-cover-note">章・節・式・図・表・演習問題の番号は Web 版と同じです。演習問題の解答は各章の終わりにあります。</p>
</section>"""
    links = "\n".join(f'<link rel="stylesheet" href="{href}">' for href in stylesheets)
    return f"""<!DOCTYPE html>
<html lang="ja" data-theme="light" data-mode="light"><head><meta charset="utf-8">
<title>{html.escape(config["title"])}</title>
{links}
<style>{PRINT_CSS}</style>
</head><body><main class="bd-main"><article class="bd-article">
{cover}
{toc_html(chosen, pages, page_numbers)}
{content}
</article></main></body></html>"""


def outside_links_to_web(content, paths, config):
    """#slug--id のリンクのうち、paths(この PDF に入るページ)にないものを公開先の URL に書き換える。"""
    inside = {Path(path).name for path in paths}
    pages = {Path(path).name: path for _, chapter_paths in book_parts() for path in chapter_paths}

    def to_web(match):
        slug, anchor = match.group(1), match.group(2)
        if slug in inside or slug not in pages:
            return match.group(0)
        url = config["html"]["baseurl"] + pages[slug] + ".html" + ("" if anchor == "top" else "#" + anchor)
        return f'href="{html.escape(url)}"'

    return re.sub(r'href="#([^"#]+?)--([^"]+)"', to_web, content)


def print_pdf(browser, site, source, out, compress=True):
    """source(HTML)を site/book/<out の名前>-print.html に書いて Chromium で out(PDF)にする。
    compress=False は、ページ番号を調べるだけの 1 回目の PDF(qpdf で圧縮しない)。"""
    path = site / "book" / f"{out.stem}-print.html"
    path.write_text(source, encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.emulate_media(media="print", color_scheme="light")
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_suffix(".chromium.pdf")
    # tagged: 読み上げのための構造(しおり outline もこれから作られる)
    page.pdf(path=str(raw), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
    context.close()
    if not compress:
        raw.replace(out)
        return
    # Chromium の PDF は構造のオブジェクト(数万)を圧縮しないので、qpdf でまとめて圧縮する(26 → 14 MB ほど)。
    # linearize: Web で開いたとき、全部を受け取る前に最初のページを表示できるように。Chromium が圧縮済みの
    # ストリームは圧縮し直さない(--recompress-flate は本全体で 40 秒ほどかかり、2026-12 の測定で
    # PDF は 1.3% しか小さくなりませんでした)。
    result = subprocess.run(["qpdf", "--object-streams=generate", "--compression-level=9",
                             "--linearize", str(raw), str(out)], capture_output=True, text=True)
    # 終了コード 3 は「警告つきで成功」。Chromium の圧縮ストリームの一部に qpdf が「入力は終わったが出力は
    # 正しいかもしれない」と警告することがあります。書き直した PDF を qpdf --check で確かめ、問題がなければ使います
    # (PDF のテスト tests/test_pdf.py が、開けること・すべての見出しと番号があることも確かめます)。
    if result.returncode == 3:
        subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    elif result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)
    raw.unlink()


def marker_pages(pdf):
    """1 回目の PDF の各印のページ番号(1 から)。"""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    numbers = {}
    for page_number, page_text in enumerate(text.split("\f"), start=1):
        for target in re.findall(r"\[\[@(.+?)@\]\]", page_text):
            numbers.setdefault(html.unescape(target), page_number)
    return numbers


def build(browser, site, parts, pages, stylesheets, out, only_part=None):
    """目次のページ番号を入れた PDF を 2 回の組版で作る。見つからない見出しがあれば止まる。"""
    markers = out.with_suffix(".markers.pdf")  # 公開する名前に書かない(2 回目が失敗したとき残らないように)
    print_pdf(browser, site, document(parts, pages, stylesheets, {}, True, only_part), markers, compress=False)
    numbers = marker_pages(markers)
    markers.unlink()
    chosen = [p for part, paths in parts if only_part in (None, part) for p in paths]
    wanted = [h["id"] for p in chosen for h in pages[p]["headings"]]
    wanted += [solutions_id(p) for p in chosen if pages[p]["solutions"]]
    missing = [target for target in wanted if target not in numbers]
    if missing:
        sys.exit(f"PDF の中で見出しの位置が見つかりません: {missing[:5]}")
    print_pdf(browser, site, document(parts, pages, stylesheets, numbers, False, only_part), out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "print" / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "dlmath.pdf")
    parser.add_argument("--parts", action="store_true", help="部ごとの PDF も作る")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "index.html").exists():
        sys.exit(f"{site} にビルドしたサイトがありません(make pdf が作ります)")
    parts = book_parts()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pages, stylesheets = extract_pages(browser, site, parts)
        build(browser, site, parts, pages, stylesheets, args.out)
        if args.parts:
            for number, (part, _) in enumerate(parts[1:], start=1):
                build(browser, site, parts, pages, stylesheets, args.out.with_name(f"part-{number}.pdf"), part)
        browser.close()
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
