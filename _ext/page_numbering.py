"""式・図・演習問題の番号を、読者が見る形にそろえる Sphinx 拡張。

1. 番号のない章(数学の準備)では、式・図・演習問題の番号をページごとに 1 から振り直します。
   Sphinx は章番号のないページの番号を、本全体で 1 つの通し番号にします。そのままでは「指数関数と対数関数」の
   最初の式が(18)のようになり、前のページの式と区別がつきません。番号付きの章は「5.3」のように
   章番号が付くので、ここでは章番号のないページだけを、種類(式・図・演習問題など)ごとに出てくる順で番号を振り直します。
   Sphinx の TocTreeCollector が env-get-updated で番号を付けた後に動くよう、優先度を既定の 500 より後にしています。
2. 表示するコード(literalinclude した src/dlmath の関数、コードセル)の docstring やコメントの「式 eq-ラベル」を、
   本文の {eq} と同じ「式(3.3)」のリンクにします。ソースはラベルのまま(番号は章を足すと変わる)です。
   Pygments が色分けした後の HTML(<pre> の中)を直します(literal_block にリンクを入れると色分けされない)。
   番号とリンク先は {eq} と同じ math ドメインの resolve_xref で、ない式のラベルは警告(-W では失敗)です。
   ノートブック(_ext/notebooks.py)も同じ EQUATION_IN_CODE で番号にします。
"""

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)
RENUMBER_AFTER_SPHINX = 900
# コードの中の「式 eq-ラベル」と、「式 eq-a と eq-b」の 2 つ目(group 1 が「 と」)。
EQUATION_IN_CODE = re.compile(r"(?:式|( と)) (eq-[A-Za-z0-9_-]+)")
PRE = re.compile(r"<pre\b.*?</pre>", re.S)


def restart_numbers_per_page(app, env):
    """章番号のないページの toc_fignumbers を、ページごと・種類ごとに 1 からの番号にする。"""
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        if env.toc_secnumbers.get(docname):
            continue  # 章番号のあるページは Sphinx の番号のまま
        for figtype, numbers in by_type.items():
            in_order = sorted(numbers, key=numbers.get)
            renumbered = {node_id: (k,) for k, node_id in enumerate(in_order, start=1)}
            if renumbered != numbers:
                by_type[figtype] = renumbered
                changed.append(docname)
    return sorted(set(changed))


def link_equations_in_code(app, pagename, templatename, context, doctree) -> None:
    """<pre> の中の「式 eq-ラベル」を「式<a href="…#equation-ラベル">(3.3)</a>」にする。"""
    body = context.get("body")
    if not isinstance(body, str) or "式 eq-" not in body:
        return
    math = app.env.get_domain("math")

    def link(match: re.Match) -> str:
        ref = math.resolve_xref(app.env, pagename, app.builder, "eq", match[2], None, None)
        if ref is None:
            logger.warning("コードの「式 %s」: その式のラベルがありません(docstring かコメントのラベルを直してください)",
                           match[2], location=pagename)
            return match[0]
        href = ref.get("refuri") or "#" + ref["refid"]
        return f'{"と" if match[1] else ""}式<a class="reference internal" href="{href}">{ref.astext()}</a>'

    context["body"] = PRE.sub(lambda pre: EQUATION_IN_CODE.sub(link, pre[0]), body)


def setup(app):
    app.connect("env-get-updated", restart_numbers_per_page, priority=RENUMBER_AFTER_SPHINX)
    app.connect("html-page-context", link_equations_in_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
