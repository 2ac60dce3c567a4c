"""ネットにつながらない所で読むための、サイト全体の zip を作ります(make downloads)。

    .venv/bin/python tools/offline.py [SITE] [--out _build/downloads/dlmath-offline.zip]

SITE(既定は _build/html)の全部(各章のノートブック _notebooks/ と検索の索引 pagefind/ を含む)を、
dlmath/ というフォルダーに入れて zip にします。公開用の downloads/(PDF とこの zip 自身)は入れません。
検索(Pagefind)はブラウザが file:// では索引を読めないので、解凍したら HTTP で配って読みます(下の README)。
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "dlmath"
README = """Pythonで理解するディープラーニングの数学(オフライン版)

読み方:
  1. このフォルダー(dlmath)で端末を開き、次を実行します(Python 3 があれば、ほかに何も要りません)。
       python3 -m http.server 8000
     (Windows では python -m http.server 8000)
  2. ブラウザで http://localhost:8000/ を開きます。検索もそのまま使えます。
  3. 読み終わったら、端末で Ctrl+C を押して止めます。

index.html をダブルクリックして開くと(file://)本文は読めますが、ブラウザの制限で検索が使えません。
各章のノートブックは _notebooks/book/ にあります。最新版は https://dlmath-book.github.io/dlmath/ で読めます。
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "downloads" / "dlmath-offline.zip")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "index.html").exists() or not (site / "pagefind").is_dir():
        raise SystemExit(f"{site} にビルドしたサイト(検索の索引を含む)がありません(make book が作ります)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in site.rglob("*") if p.is_file() and p.relative_to(site).parts[0] != "downloads")
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(f"{FOLDER}/README.txt", README)
        for path in files:
            archive.write(path, f"{FOLDER}/{path.relative_to(site).as_posix()}")
    print(f"{args.out}: {len(files)} files, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
