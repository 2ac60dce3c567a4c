"""はじめにの「手元でノートブックを動かす」(sec-intro-notebooks)の手順を、書いてあるとおりに新しい環境で行うテスト。

1. はじめにのページ(book/intro.md)のその節のコマンドを取り出し(README.md にも同じものがあること)、
2. リポジトリをクローンして(GitHub の代わりにこのリポジトリ)、新しい venv に pip install -e ".[notebook]" し、
3. 公開しているノートブック(_build/html/_notebooks/、サイトからダウンロードするもの)をクローンのフォルダーに移し、
   最後の ``jupyter lab`` の画面の代わりに、その環境の ``jupyter execute`` で実行して、すべてのセルがエラーなく動くことを
   確かめます。

パッケージはパッケージの登録所から入れるので、1〜2 分かかります(毎回作り直すのは、読者と同じ新しい環境で試すため)。
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import nbformat

from conftest import ROOT

SECTION = "(sec-intro-notebooks)="
CHAPTER = "book/linear-regression"


def documented_commands(text: str) -> list[str]:
    """はじめにの sec-intro-notebooks の節の最初の bash のコードブロックの行。"""
    section = text[text.index(SECTION):]
    block = re.search(r"```bash\n(.*?)\n```", section, re.S)
    assert block, "はじめにの「手元でノートブックを動かす」に bash のコードブロックがありません"
    return block.group(1).splitlines()


def test_readme_gives_the_same_commands_as_the_intro():
    commands = documented_commands((ROOT / "book" / "intro.md").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```bash\n" + "\n".join(commands) + "\n```" in readme, "README.md の手順がはじめにのページと違います"


def test_the_documented_commands_run_a_downloaded_notebook(site, tmp_path):
    commands = documented_commands((ROOT / "book" / "intro.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("git clone https://github.com/") and commands[-1] == "jupyter lab", commands
    notebook = site / "_notebooks" / f"{CHAPTER}.ipynb"
    assert notebook.is_file(), f"{notebook} がありません(make book で作ります)"
    downloaded = tmp_path / "downloaded.ipynb"
    shutil.copy(notebook, downloaded)
    # GitHub の代わりにこのリポジトリ(コミットしたもの)をクローンし、jupyter lab(開いたままになる)の代わりに
    # ダウンロードしたノートブックを実行します。ほかの行は書いてあるとおりです。
    script = [
        "set -euo pipefail",
        re.sub(r"https://github\.com/\S+", str(ROOT), commands[0]) + " clone",
        "cd clone",
        *commands[2:-1],
        "jupyter lab --version",
        # はじめにの「ダウンロードしたノートブックをクローンしたフォルダー dlmath に移して」開く
        f"mv {downloaded} .",
        f"jupyter execute --output executed.ipynb {downloaded.name}",
    ]
    assert commands[1] == "cd dlmath", commands
    # make test は .venv/bin を PATH の先頭に置くので外します(読者の python3 で新しい venv を作るため)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(str(ROOT)))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"PATH": path}
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=1200, env=env)
    assert result.returncode == 0, f"手順が失敗しました:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    executed = nbformat.read(tmp_path / "clone" / "executed.ipynb", as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    errors = [output for cell in code for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, errors
    assert all(cell.get("execution_count") for cell in code), "実行されなかったセルがあります"
    # 最初のセルは dlmath が入っているので何もしない(インストールもしない)
    assert not code[0].get("outputs"), code[0].get("outputs")
    installed = subprocess.run([str(tmp_path / "clone" / ".venv" / "bin" / "python"), "-c",
                                "import dlmath, pathlib; print(pathlib.Path(dlmath.__file__).resolve())"],
                               capture_output=True, text=True, check=True).stdout
    assert str(tmp_path / "clone" / "src" / "dlmath") in installed, "pip install -e でクローンの src/dlmath が使われていません"
