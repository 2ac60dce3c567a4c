"""ビルドの速さと、読者がダウンロードする量を測って表にします。

    .venv/bin/python benchmarks/build.py            # 両方(make bench)
    .venv/bin/python benchmarks/build.py --build    # ビルドの速さだけ
    .venv/bin/python benchmarks/build.py --reader [SITE]  # 読者の側だけ(SITE は既存のビルド、省略時は一時コピーをビルド)

ビルドの速さは、リポジトリの作業ツリーを一時ディレクトリにコピーして測ります(本物の _build には触れません)。
5 つの場面で、壁時計の時間・読み直したページ・実行したノートブックを、Sphinx と MyST-NB のログから数えます。

1. コールドビルド(_build が空)
2. 何も変えずに再ビルド(make book は入力が変わっていなければ jupyter-book を起動しない。
   参考に jupyter-book build を直接実行した時間も載せます)
3. 1 ページの本文を編集して再ビルド
4. 1 ページのコードセルを編集して再ビルド
5. src/dlmath を編集して再ビルド

PDF 版(make pdf)も一時コピーで、コールドと変更なしの時間、PDF(本全体と部ごと)のページ数と大きさを測ります。

目標: 2 はコールドビルドの 10 % 未満、3 は再実行なし、4 はそのページだけ再実行、
5 は dlmath を import するページだけ再実行。

読者の側は、book/linear-regression.html を Chromium(Playwright)で開き、読み込まれたすべての
レスポンスの大きさと gzip したときの大きさ(GitHub Pages は文字のファイルを gzip で送ります)を記録します。
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
PAGE = "book/linear-regression"  # 編集するページと、読者の側を測るページ
SRC_FILE = "src/dlmath/linear.py"
SKIP = {"_build", ".venv", "node_modules", ".git", "reports", ".pytest_cache"}

READING = re.compile(r"reading sources\.\.\. \[\s*\d+%\] (\S+)")
EXECUTING = re.compile(r"(\S+): Executing notebook")
CACHED = re.compile(r"(\S+): Using cached notebook")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---- ビルドの速さ ----------------------------------------------------------------------------


def copy_worktree(dest: Path) -> None:
    """git が追跡している(または無視していない)ファイルを dest にコピーする。"""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not (set(Path(name).parts) & SKIP):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build(book: Path, direct: bool = False, target: str = "book") -> tuple[float, dict]:
    """make target(既定は book。direct なら jupyter-book build を直接)を実行し、(秒, ログから数えたもの) を返す。"""
    env = dict(os.environ, PYTHONPATH=str(book / "src"))  # カーネルがコピーの dlmath を import するように
    env.pop("MAKEFLAGS", None)
    if direct:
        command = [str(JUPYTER_BOOK), "build", str(book), "--builder", "html", "-W", "-n", "--keep-going"]
    else:  # .venv は本物へのリンク。-o でインストールの手順は省く(コピーで pip を動かさない)
        command = ["make", "--no-print-directory", "-C", str(book), "-o", ".venv/.installed", target]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    log = ANSI.sub("", result.stdout + result.stderr)
    if result.returncode != 0:
        sys.exit(f"ビルドに失敗しました(終了コード {result.returncode}):\n{log[-4000:]}")
    short = lambda path: Path(path).relative_to(book).with_suffix("").as_posix()  # noqa: E731
    if not direct and ("ビルドを省きます" in log or "作り直しません" in log):
        return seconds, {"read": [], "executed": [], "cached": [], "skipped": True}
    return seconds, {
        "read": sorted(set(READING.findall(log))),
        "executed": sorted(short(p) for p in EXECUTING.findall(log)),
        "cached": sorted(short(p) for p in CACHED.findall(log)),
    }


def edit_prose(book: Path) -> None:
    path = book / f"{PAGE}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nベンチマークのために足した段落です。\n", encoding="utf-8")


def edit_code_cell(book: Path) -> None:
    """最初のコードセルの最後に、コメントの行を足す。"""
    path = book / f"{PAGE}.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("```{code-cell}")
    end = text.index("\n```", start + 3)
    path.write_text(text[:end] + "\n# ベンチマークのための編集" + text[end:], encoding="utf-8")


def edit_src(book: Path) -> None:
    path = book / SRC_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n# ベンチマークのための編集\n", encoding="utf-8")


def importing_pages(book: Path) -> list[str]:
    return sorted(
        p.relative_to(book).with_suffix("").as_posix()
        for p in (book / "book").rglob("*.md")
        if "dlmath" in p.read_text(encoding="utf-8") and "```{code-cell}" in p.read_text(encoding="utf-8")
    )


def bench_build() -> list[str]:
    rows, problems = [], []
    with tempfile.TemporaryDirectory(prefix="dlmath-bench-") as tmp:
        book = Path(tmp)
        copy_worktree(book)
        (book / ".venv").symlink_to(ROOT / ".venv")
        importers = importing_pages(book)
        steps = [
            ("コールドビルド(_build が空)", None, None),
            ("変更なしで再ビルド(make book)", lambda: None, []),
            ("変更なしで再ビルド(jupyter-book build を直接)", "direct", []),
            (f"本文を編集({PAGE})", lambda: edit_prose(book), []),
            (f"コードセルを編集({PAGE})", lambda: edit_code_cell(book), [PAGE]),
            (f"src を編集({SRC_FILE})", lambda: edit_src(book), importers),
        ]
        cold = None
        print(f"一時コピー: {book}", file=sys.stderr)
        for label, change, expected in steps:
            if callable(change):
                change()
            seconds, found = build(book, direct=change == "direct")
            cold = cold or seconds
            ratio = seconds / cold
            rows.append((label, seconds, ratio, found))
            print(f"  {label}: {seconds:.1f} 秒", file=sys.stderr)
            if expected is not None and found["executed"] != expected:
                problems.append(f"{label}: 実行されたのは {found['executed']}、期待は {expected}")
            if label == "変更なしで再ビルド(make book)" and ratio >= 0.10:
                problems.append(f"{label}: コールドビルドの {ratio:.0%}(目標は 10 % 未満)")
    lines = [
        "| 場面 | 時間 (秒) | コールド比 | 読み直したページ | 実行したノートブック |",
        "|---|---:|---:|---|---|",
    ]
    for label, seconds, ratio, found in rows:
        read = f"{len(found['read'])}: " + ", ".join(found["read"]) if found["read"] else "0"
        executed = f"{len(found['executed'])}: " + ", ".join(found["executed"]) if found["executed"] else "0"
        lines.append(f"| {label} | {seconds:.1f} | {ratio:.0%} | {read} | {executed} |")
    lines.append("")
    lines.append("目標: " + ("すべて達成" if not problems else "未達 → " + " / ".join(problems)))
    return lines


def bench_pdf() -> list[str]:
    """make pdf(印刷用のビルドと PDF、tools/pdf.py)を一時コピーでコールドと変更なしで実行し、時間と PDF を表にする。"""
    with tempfile.TemporaryDirectory(prefix="dlmath-bench-pdf-") as tmp:
        book = Path(tmp)
        copy_worktree(book)
        (book / ".venv").symlink_to(ROOT / ".venv")
        print(f"一時コピー(PDF): {book}", file=sys.stderr)
        lines = ["| 場面 | 時間 (秒) | 実行したノートブック |", "|---|---:|---:|"]
        for label in ("コールド(印刷用のビルド + 本全体と部ごとの PDF)", "変更なしで make pdf"):
            seconds, found = build(book, target="pdf")
            lines.append(f"| {label} | {seconds:.1f} | {len(found['executed'])} |")
            print(f"  {label}: {seconds:.1f} 秒", file=sys.stderr)
        lines += ["", "| ファイル | ページ | 大きさ (MB) |", "|---|---:|---:|"]
        for pdf in sorted((book / "_build" / "pdf").glob("*.pdf")):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            pages = re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)
            lines.append(f"| {pdf.name} | {pages} | {pdf.stat().st_size / 1e6:.1f} |")
    return lines


# ---- 読者の側 --------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure_page(site: Path, page: str = PAGE, screenshot: Path | None = None) -> dict:
    """ページを Chromium で開き、読み込まれたリソースを記録する。ほかのホストへのリクエストは止めて数える。"""
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    resources, external = {}, []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-background-networking"]
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            host = urlparse(base).netloc

            def route(r):
                if urlparse(r.request.url).netloc != host:
                    external.append(r.request.url)
                    return r.abort()
                return r.continue_()

            context.route("**/*", route)
            page_ = context.new_page()

            def on_response(response):
                # 大きさはサイトのファイルから測る(response.body() は読み込み後に取れないことがあり、
                # 取りこぼすと数字が小さく出てしまう)
                path = site / unquote(urlparse(response.url).path).lstrip("/")
                if response.status >= 300 or not path.is_file():
                    return
                body = path.read_bytes()
                resources[response.url] = {
                    "type": response.request.resource_type,
                    "raw": len(body),
                    "gzip": len(gzip.compress(body, compresslevel=6)),
                }

            page_.on("response", on_response)
            page_.goto(base + page + ".html", wait_until="networkidle")
            # 読者がページの最後までスクロールしたときに読み込まれるもの(遅延読み込みの図など)も数える
            page_.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page_.wait_for_load_state("networkidle")
            page_.wait_for_timeout(500)
            if screenshot:
                page_.screenshot(path=str(screenshot), clip={"x": 0, "y": 0, "width": 1280, "height": 160})
            browser.close()
    finally:
        server.shutdown()
    return {"resources": resources, "external": external, "base": base}


def reader_report(site: Path, top: int = 8) -> list[str]:
    result = measure_page(site)
    resources = result["resources"]
    total_raw = sum(r["raw"] for r in resources.values())
    total_gzip = sum(r["gzip"] for r in resources.values())
    lines = [
        f"{PAGE}.html: {len(resources)} リソース、合計 {total_raw / 1024:.0f} KiB(gzip で {total_gzip / 1024:.0f} KiB)、"
        f"ほかのホストへのリクエスト {len(result['external'])} 件" + (f": {sorted(set(result['external']))}" if result["external"] else ""),
        "",
        "| リソース | 種類 | 大きさ (KiB) | gzip (KiB) |",
        "|---|---|---:|---:|",
    ]
    for url, r in sorted(resources.items(), key=lambda item: -item[1]["gzip"])[:top]:
        name = urlparse(url).path
        lines.append(f"| {name} | {r['type']} | {r['raw'] / 1024:.1f} | {r['gzip'] / 1024:.1f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="ビルドの速さだけを測る")
    parser.add_argument("--reader", nargs="?", const="", metavar="SITE", help="読者の側だけを測る")
    args = parser.parse_args()
    both = not args.build and args.reader is None
    if args.build or both:
        print("## ビルドの速さ\n")
        print("\n".join(bench_build()))
        print()
        print("## PDF 版(make pdf)\n")
        print("\n".join(bench_pdf()))
        print()
    if args.reader is not None or both:
        print("## 読者の側\n")
        if args.reader:
            print("\n".join(reader_report(Path(args.reader))))
        else:
            with tempfile.TemporaryDirectory(prefix="dlmath-bench-site-") as tmp:
                copy_worktree(Path(tmp))
                build(Path(tmp), direct=True)
                print("\n".join(reader_report(Path(tmp) / "_build" / "html")))


if __name__ == "__main__":
    main()
