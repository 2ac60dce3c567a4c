"""_ext/ の Sphinx 拡張: どれも、なぜあるかと、いつ外せるか(上流の課題や条件)を最初の説明に書いていること。"""

import ast

import pytest

from conftest import ROOT

EXTENSIONS = sorted((ROOT / "_ext").glob("*.py"))


def test_extensions_are_found():
    assert len(EXTENSIONS) >= 10


@pytest.mark.parametrize("path", EXTENSIONS, ids=lambda path: path.stem)
def test_docstring_says_when_the_extension_can_go(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert docstring.count("\n") >= 2, f"{path.name}: 何をするか・なぜあるかの説明がありません"
    assert "いつ外せるか:" in docstring, f"{path.name}: 「いつ外せるか:」(上流の課題や、要らなくなる条件)がありません"
