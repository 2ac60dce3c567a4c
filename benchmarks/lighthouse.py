"""各ページを Lighthouse(スマートフォンの既定の条件)で測って表にします(make bench)。

    .venv/bin/python benchmarks/lighthouse.py [SITE] [--pages book/intro.html ...] [--json OUT]

サイト(既定は _build/html)を GitHub Pages と同じくサブパス /dlmath/ の下から、文字のファイルを gzip して配ります
(gzip しないと転送量もスコアも実際とかけ離れます)。Lighthouse 12 は npm から benchmarks/node_modules に入れ
(benchmarks/package.json と package-lock.json)、ブラウザは Debian の Chromium を使います。

表の列: 性能・アクセシビリティ・SEO のスコア、FCP・LCP・TBT・CLS、転送量(gzip 後、初回の読み込みで受け取る全部)。
Lighthouse の点は実行ごとに数点揺れるので、この表は傾向を見るためのものです。テストは点数ではなく、
点数を決める原因(読み込むファイル、画像の大きさの指定、ページごとの転送量)を確かめます(tests/test_site.py)。
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import toc_files  # noqa: E402  (ページの一覧は目次から)

LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("DLMATH_CHROMIUM", "/usr/bin/chromium")
PREFIX = "/dlmath/"
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".pf_meta", ".pf_fragment", ".pf_index")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """PREFIX の下だけを配り、文字のファイルは gzip して送る(GitHub Pages と同じ)。"""

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__outside_of_the_site__")
        return super().translate_path("/" + path[len(PREFIX):])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or not path.name.endswith(COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages と同じ
        self.end_headers()
        self.wfile.write(body)
        return None

    def do_GET(self):
        result = self.send_head()
        if result is not None:
            try:
                self.copyfile(result, self.wfile)
            finally:
                result.close()

    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"


def run_lighthouse(url: str) -> dict:
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--quiet", "--only-categories=performance,accessibility,seo",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        capture_output=True, text=True, env=env, check=True,
    )
    report = json.loads(result.stdout)
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "seo": round(report["categories"]["seo"]["score"] * 100),
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "transfer_kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "failed": sorted(
            key for key, audit in audits.items()
            if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--pages", nargs="*", help="測るページ(既定は目次のすべてと search.html)")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "lighthouse.json")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} がありません: npm ci --prefix benchmarks(make bench が行います)")
    pages = args.pages or [f"{name}.html" for name in toc_files()] + ["search.html"]
    server, base = serve(args.site)
    results = {}
    try:
        print("| ページ | 性能 | アクセシビリティ | SEO | FCP (s) | LCP (s) | TBT (ms) | CLS | 転送量 (KiB) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for page in pages:
            r = results[page] = run_lighthouse(base + page)
            print(f"| {page} | {r['performance']} | {r['accessibility']} | {r['seo']} | {r['fcp_s']:.1f} | "
                  f"{r['lcp_s']:.1f} | {r['tbt_ms']:.0f} | {r['cls']:.3f} | {r['transfer_kib']:.0f} |", flush=True)
    finally:
        server.shutdown()
    failed = sorted({audit for r in results.values() for audit in r["failed"]})
    if failed:
        print(f"\n満たしていない項目(どれかのページ): {', '.join(failed)}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
