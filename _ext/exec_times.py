"""MyST-NB の実行時間の表(``nb-exec-table``)を、本書の言葉(章の題・秒・成功/失敗)で作り直す Sphinx 拡張。

MyST-NB 1.4 の表は見出しが英語(Document, Run Time (s), Status)で、ページを ``book/deep-learning`` のような
文書名で示します。表の置き場所(指示 ``nb-exec-table`` が置く印)と実行の記録(NbMetadataCollector)は
MyST-NB のものをそのまま使い、MyST-NB の変換(優先度 8)より先に、同じ印を日本語の表に置き換えます。
記録は全ページの実行が終わってから集まり、表のあるページはそのあと書き直されます(MyST-NB の仕組み)。

いつ外せるか: MyST-NB の実行時間の表の見出しが翻訳され、文書名の代わりに題を出せるようになれば要りません。
"""

from datetime import datetime

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from myst_nb.ext.execution_tables import ExecutionStatsNode
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

HEADERS = ("章", "実行時間(秒)", "結果", "実行した日時")


def _cell(content):
    paragraph = nodes.paragraph()
    paragraph += content
    return nodes.entry("", paragraph)


def _row(cells):
    row = nodes.row()
    row.extend(_cell(content) for content in cells)
    return row


def reading_order(env, root):
    """目次の読む順(前後のページのつながりをたどる)にページ名を並べる。"""
    relations, order, page = env.collect_relations(), [], root
    while page and page not in order:
        order.append(page)
        page = relations.get(page, (None, None, None))[2]
    return order


def execution_table(docname, metadata, order):
    """実行したページごとに目次の順で 1 行: 章(題へのリンク)、秒、成功/失敗、日時。"""
    table = nodes.table(classes=["colwidths-auto"])
    group = nodes.tgroup(cols=len(HEADERS))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in HEADERS)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    head += _row(nodes.Text(text) for text in HEADERS)
    rank = {page: i for i, page in enumerate(order)}
    for page in sorted(metadata, key=lambda page: (rank.get(page, len(rank)), page)):
        data = metadata[page].get("exec_data")
        if not data:
            continue
        link = addnodes.pending_xref("", refdoc=docname, reftarget="/" + page, reftype="doc", refdomain="std",
                                     refexplicit=False, refwarn=True)
        link += nodes.inline(text=page)  # 題に置き換わる(refexplicit=False)
        seconds = "-" if data["runtime"] is None else f"{data['runtime']:.1f}"
        when = datetime.fromtimestamp(data["mtime"]).astimezone().strftime("%Y-%m-%d %H:%M %Z") if data["mtime"] else ""
        body += _row([link, nodes.Text(seconds), nodes.Text("成功" if data["succeeded"] else "失敗"), nodes.Text(when)])
    return table


class JapaneseExecutionTable(SphinxPostTransform):
    default_priority = 7  # MyST-NB の ExecutionStatsPostTransform(8)より先

    def run(self, **kwargs):
        for node in list(self.document.findall(ExecutionStatsNode)):
            order = reading_order(self.env, self.config.root_doc)
            node.replace_self(execution_table(self.env.docname, NbMetadataCollector.get_doc_data(self.env), order))


def setup(app):
    app.add_post_transform(JapaneseExecutionTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
