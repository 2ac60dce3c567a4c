"""用語集の各項目に、英語の用語から作った変わらないアンカーを付ける Sphinx 拡張。

Sphinx は日本語の用語から ID を作れないため ``term-0``、``term-1`` のような通し番号を振ります。
これでは項目を 1 つ足すだけで後ろの項目のアドレスが変わり、授業資料などのリンクが壊れます。
そこで説明の先頭「よみ/English。」の English から ``term-loss-function`` のような ID を作り、
その用語への参照({term})と索引がすべて新しい ID を指すようにします。

いつ外せるか: Sphinx が日本語の用語から変わらない ID を作れるようになれば(sphinx-doc/sphinx #8709 は Unicode の ID を
扱わない方針)要りません。
"""

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)
ENGLISH = re.compile(r"^[^/]+/([^。]+)。")


def _slug(english):
    return "term-" + re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")


def stable_glossary_ids(app, doctree):
    std = app.env.get_domain("std")
    docname = app.env.docname
    seen = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            term, definition = item.next_node(nodes.term), item.next_node(nodes.definition)
            match = ENGLISH.match(definition.astext())
            if not match:
                logger.warning("glossary entry %r does not start with 'よみ/English。'", term.astext(), location=term)
                continue
            new_id, old_ids, text = _slug(match.group(1)), list(term["ids"]), term.astext()
            if new_id in seen:
                logger.warning("glossary entries %r and %r share the anchor %s", seen[new_id], text, new_id, location=term)
                continue
            seen[new_id] = text
            for old in old_ids:
                doctree.ids.pop(old, None)
            term["ids"] = [new_id]
            doctree.ids[new_id] = term
            std.objects["term", text] = (docname, new_id)
            std._terms[text.lower()] = (docname, new_id)
            for index in term.findall(addnodes.index):
                index["entries"] = [(kind, value, new_id, *rest) for kind, value, _, *rest in index["entries"]]


def setup(app):
    app.connect("doctree-read", stable_glossary_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
