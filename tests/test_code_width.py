"""コードの行がデスクトップの本文の幅に収まる(横にスクロールしなくても 1 行が読める)。

幅は 1280 px のページで測った値です: コードブロックの文字の領域は 652 px(pre の幅 684 px − 左右の余白
16 px × 2)、等幅フォント 14 px で英数字 1 文字が 8.43 px、日本語 1 文字が 14 px。英数字を 1、日本語を
14 / 8.43 ≈ 5/3 と数えて 77 までなら 1 行に収まります(652 / 8.43 = 77.3)。本文の列は 992〜1440 px で
これより広いので、1280 px で収まればデスクトップのどの幅でも収まります。
枠の中のコードブロックはそのぶん狭くなります(1280 px で測った pre の幅): 「コードを表示」で開くセル
(hide-input)は 666 px で 75 まで、演習問題の解答の中は 617 px で 69 まで、解答の中の hide-input は 67 まで。
"""

import ast
import re
import unicodedata

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, toc_files

LIMIT = 77
HIDDEN_INPUT_NARROWER = 2   # hide-input のセルは details の枠のぶん 18 px 狭い
SOLUTION_LIMIT = 69
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*)$")


def code_width(line: str) -> float:
    """行の表示幅(英数字 1、全角の文字 5/3)。"""
    return sum(5 / 3 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.expandtabs(4))


def too_wide(lines, limit=LIMIT):
    return [(number, line) for number, line in lines if code_width(line) > limit + 1e-9]


def code_blocks(text: str):
    """MyST のページの中でコードとして表示されるブロック ((行番号, 行) のリストと、そのブロックの幅の上限) と、
    literalinclude の (ファイル, 対象)。

    ```{note} のような指令の中身は本文なので読み飛ばし、その中の入れ子のコードブロックは拾います。
    セルの設定(``:tags:`` の行や ``---`` で囲んだ YAML)と、remove-input / remove-cell のセル(ページに
    表示されない)は数えません。
    """
    blocks, includes, directives = [], [], []
    lines = text.splitlines()
    index, limit = 0, LIMIT
    while index < len(lines):
        if lines[index].startswith((":::{solution-start}", ":::{solution-end}")):
            limit = SOLUTION_LIMIT if "start" in lines[index] else LIMIT
        match = FENCE.match(lines[index])
        index += 1
        if not match:
            continue
        fence, info = match.groups()
        if info.startswith("{literalinclude}"):
            options = {}
            while index < len(lines) and lines[index].startswith(":"):
                key, _, value = lines[index][1:].partition(":")
                options[key] = value.strip()
                index += 1
            includes.append((info.split(maxsplit=1)[1], options.get("pyobject")))
        if info.startswith("{") and not info.startswith("{code-cell}"):
            directives.append(fence)
            continue
        if not info and directives and directives[-1] == fence:
            directives.pop()
            continue
        block, options = [], []
        if info.startswith("{code-cell}") and index < len(lines) and lines[index].strip() == "---":
            end = lines.index("---", index + 1)  # YAML のセルの設定(図の説明など)はコードとして表示されない
            options, index = lines[index:end], end + 1
        while index < len(lines) and lines[index].strip() != fence:
            if info.startswith("{code-cell}") and not block and lines[index].startswith(":"):
                options.append(lines[index])
            else:
                block.append((index + 1, lines[index]))
            index += 1
        index += 1
        if not any(re.search(r"remove-(input|cell)", option) for option in options):
            hidden = any("hide-input" in option for option in options)
            blocks.append((block, limit - HIDDEN_INPUT_NARROWER * hidden))
    return blocks, includes


def shown_object_lines(path, name):
    """literalinclude の :pyobject: が表示する関数・クラスの (行番号, 行)。"""
    source = path.read_text(encoding="utf-8")
    nodes = ast.parse(source).body
    for part in name.split("."):
        node = next(n for n in nodes if getattr(n, "name", None) == part)
        nodes = getattr(node, "body", [])
    lines = source.splitlines()
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return [(number, lines[number - 1]) for number in range(start, node.end_lineno + 1)]


PAGES = [name for name in toc_files() if (ROOT / f"{name}.md").exists()]


@pytest.mark.parametrize("name", PAGES)
def test_code_in_the_page_source_fits_the_desktop_column(name):
    path = ROOT / f"{name}.md"
    blocks, includes = code_blocks(path.read_text(encoding="utf-8"))
    wide = [f"{path.name}:{n}: {line}" for block, limit in blocks for n, line in too_wide(block, limit)]
    for file, pyobject in includes:
        source = (path.parent / file).resolve()
        lines = shown_object_lines(source, pyobject) if pyobject else list(enumerate(source.read_text().splitlines(), 1))
        wide += [f"{source.relative_to(ROOT)}:{n}: {line}" for n, line in too_wide(lines)]
    assert not wide, f"{len(wide)} code lines wider than {LIMIT} columns:\n" + "\n".join(wide)


@pytest.mark.parametrize("name", PAGES)
def test_cell_outputs_fit_the_desktop_column(site, name):
    soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    wide = []
    for pre in soup.select("div.cell_output pre"):
        limit = SOLUTION_LIMIT if pre.find_parent("div", class_="solution") else LIMIT
        wide += [f"({limit}) {line}" for line in pre.get_text().splitlines() if code_width(line) > limit + 1e-9]
    assert not wide, f"{len(wide)} output lines wider than the code block:\n" + "\n".join(wide)


def test_the_width_counts_what_the_reader_sees():
    assert code_width("x" * 77) == 77
    assert code_width("あ" * 3) == 5
    blocks, includes = code_blocks(
        "```{note}\n" + "本文" * 60 + "\n```python\nprint(1)\n```\n```\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\n" + "y" * 80 + "\n```\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\n" + "z" * 80 + "\n```\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    caption: " + "図" * 60 + "\n---\nplot()\n```\n"
        "```{literalinclude} ../src/dlmath/linear.py\n:pyobject: predict\n```\n"
    )
    assert [[line for _, line in block] for block, _ in blocks] == [["print(1)"], ["y" * 80], ["plot()"]]
    solution = (":::{solution-start} ex\n```{code-cell} ipython3\nx\n```\n:::{solution-end}\n"
                "```{code-cell} ipython3\n:tags: [hide-input]\ny\n```\n")
    assert [limit for _, limit in code_blocks(solution)[0]] == [SOLUTION_LIMIT, LIMIT - HIDDEN_INPUT_NARROWER]
    assert includes == [("../src/dlmath/linear.py", "predict")]
