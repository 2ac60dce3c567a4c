"""日本語の段落の途中にある改行を取り除く Sphinx 拡張。

ソースでは読みやすさのために文の途中で改行しますが、HTML では改行が空白として表示され、
日本語の文中に不自然なすきまができます(ブラウザは CSS Text 3 の「CJK の改行は空白にしない」規則を
実装していません)。そこで、改行の前後のどちらかが日本語の文字であれば改行を消します。
改行がテキストの端にあるとき(直後がリンクや数式のとき)は、隣の要素の文字を見て判断します。
コード・数式・リテラルの中は触りません。
"""

import re

from docutils import nodes

JA = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
BREAK = re.compile(r"[ \t]*\n[ \t]*")
SKIP = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


def _neighbour_char(text, step):
    """text の前 (step=-1) または後 (step=+1) の兄弟要素の、text に接する 1 文字。"""
    parent = text.parent
    index = parent.index(text) + step
    if not 0 <= index < len(parent.children):
        return ""
    neighbour = parent.children[index].astext()
    return neighbour[-1:] if step < 0 else neighbour[:1]


def _join(text):
    source = str(text)

    def replace(match):
        before = source[match.start() - 1] if match.start() > 0 else _neighbour_char(text, -1)
        after = source[match.end()] if match.end() < len(source) else _neighbour_char(text, +1)
        return "" if JA.match(before or " ") or JA.match(after or " ") else " "

    return BREAK.sub(replace, source)


def join_japanese_lines(app, doctree):
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, SKIP) or "\n" not in text:
            continue
        joined = _join(text)
        if joined != str(text):
            parent.replace(text, nodes.Text(joined))


def setup(app):
    app.connect("doctree-read", join_japanese_lines)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
