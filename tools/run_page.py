"""1 ページのコードセルを、本のビルドと同じ読み方(MyST-NB)で実行し、各セルの出力を表示します。

本全体をビルドせずにページの数値・エラー・stderr を確かめるためのものです(執筆とレビュー用)。
使い方: .venv/bin/python tools/run_page.py book/linear-regression.md [--out 出力.ipynb]
"""

import argparse
import os
import sys
from pathlib import Path

import nbclient
import nbformat
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--out", type=Path, help="実行済みのノートブックを保存する場所")
    args = parser.parse_args()
    os.environ.setdefault("DLMATH_CHECK_FIGURES", "1")  # 本のビルドと同じく、小さすぎる図の文字を警告する
    notebook = read_myst_markdown_notebook(args.page.read_text(encoding="utf-8"))
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / args.page.parent)}})
    failed = False
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        failed = True
        print(f"!!! cell error: {error}", file=sys.stderr)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        print(f"===== cell {index} =====")
        print(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                tag = "STDERR" if output.name == "stderr" else "out"
                print(f"--- {tag}:\n{output.text}")
                failed |= output.name == "stderr"
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                shown = data.get("text/plain", "") if "image/png" not in data else "[image]"
                print(f"--- result:\n{shown}")
            elif output.output_type == "error":
                print(f"--- ERROR: {output.ename}: {output.evalue}")
    if args.out:
        nbformat.write(notebook, args.out)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
