"""日本語の段落の途中にある改行を取り除く Sphinx 拡張。

ソースでは読みやすさのために文の途中で改行しますが、HTML では改行が空白として表示され、
日本語の文中に不自然なすきまができます(ブラウザは CSS Text 3 の「CJK の改行は空白にしない」規則を
実装していません)。そこで、改行の前後のどちらかが日本語の文字であれば改行を消します。
コード・数式・リテラルの中は触りません。
"""

import re

from docutils import nodes

JA = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
BREAK = re.compile(rf"(?<={JA})[ \t]*\n[ \t]*|[ \t]*\n[ \t]*(?={JA})")
SKIP = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


def join_japanese_lines(app, doctree):
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, SKIP) or "\n" not in text:
            continue
        joined = BREAK.sub("", str(text))
        if joined != str(text):
            parent.replace(text, nodes.Text(joined))


def setup(app):
    app.connect("doctree-read", join_japanese_lines)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
