"""式・図・演習問題の番号を、読者が見る形にそろえる Sphinx 拡張。

1. 番号のない章(数学の準備)では、式・図・演習問題の番号をページごとに 1 から振り直します。
   Sphinx は章番号のないページの番号を、本全体で 1 つの通し番号にします。そのままでは「指数関数と対数関数」の
   最初の式が(18)のようになり、前のページの式と区別がつきません。番号付きの章は「5.3」のように
   章番号が付くので、ここでは章番号のないページだけを、種類(式・図・演習問題など)ごとに出てくる順で番号を振り直します。
   Sphinx の TocTreeCollector が env-get-updated で番号を付けた後に動くよう、優先度を既定の 500 より後にしています。
2. 表示するコード(literalinclude した src/dlmath の関数、コードセル)の docstring やコメントの「式 eq-ラベル」を、
   本文の {eq} と同じ「式(3.3)」のリンクに、「節 sec-ラベル」を「3.2節」(番号のない節は「節「題名」」)のリンクに
   します。ソースはラベルのまま(番号は章を足すと変わる)です。リンク先が章番号のないページ(数学の準備)で、
   いま見ているページと違うときは、「関数と微分の式(5)」のようにページの題名を前に付けます(番号はページごと)。
   Pygments が色分けした後の HTML(<pre> の中)を直します(literal_block にリンクを入れると色分けされない)。
   番号は {eq}・{numref} と同じ toc_fignumbers・toc_secnumbers から取り、ないラベルは警告(-W では失敗)です。
   ノートブック(_ext/notebooks.py)も同じ EQUATION_IN_CODE と code_reference で同じ文字にします。

いつ外せるか: 1 は Sphinx が番号のない章の式・図を章ごとに振れるようになれば、2 はコードの中の参照を上流が
解決できれば要りません。
"""

import html
import re

from sphinx.util import logging

logger = logging.getLogger(__name__)
RENUMBER_AFTER_SPHINX = 900
# コードの中の「式 eq-ラベル」「節 sec-ラベル」と、「式 eq-a と eq-b」の 2 つ目(group 1 が「 と」)。
EQUATION_IN_CODE = re.compile(r"(?:式|節|( と)) ((?:eq|sec)-[A-Za-z0-9_-]+)")
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


def code_reference(env, fromdoc: str, label: str) -> tuple[str, str, str, str] | None:
    """コードの「式 eq-…」「節 sec-…」を (前に置く文字, リンクにする文字, ページ, アンカー) にする。ないラベルは None。"""
    if label.startswith("eq-"):
        if label not in env.get_domain("math").equations:
            return None
        docname, number = env.get_domain("math").equations[label]
        anchor = f"equation-{label}"
        number = env.toc_fignumbers.get(docname, {}).get("displaymath", {}).get(anchor) or (number,)
        before, text = "式", f"({'.'.join(map(str, number))})"
    else:
        if label not in env.get_domain("std").labels:
            return None
        docname, anchor, title = env.get_domain("std").labels[label]
        secnumbers = env.toc_secnumbers.get(docname, {})
        # {numref} と同じ: アンカーが番号表にないのはページの最初の見出し(番号は "" の項)
        number = secnumbers.get("#" + anchor, secnumbers.get("")) if secnumbers else None
        if number:
            before, text = "", ".".join(map(str, number)) + ("章" if len(number) == 1 else "節")
        else:
            before, text = "節", f"「{title}」"
    page = env.titles[docname].astext()
    if docname != fromdoc and not env.toc_secnumbers.get(docname) and text != f"「{page}」":
        before = f"{page}の{before}"
    return before, text, docname, anchor


def link_equations_in_code(app, pagename, templatename, context, doctree) -> None:
    """<pre> の中の「式 eq-ラベル」を「式<a href="…#equation-ラベル">(3.3)</a>」に、「節 sec-ラベル」を節へのリンクにする。"""
    body = context.get("body")
    if not isinstance(body, str) or not EQUATION_IN_CODE.search(body):
        return

    def link(match: re.Match) -> str:
        found = code_reference(app.env, pagename, match[2])
        if found is None:
            kind = "式" if match[2].startswith("eq-") else "節"
            logger.warning("コードの「%s %s」: そのラベルがありません(docstring かコメントのラベルを直してください)",
                           kind, match[2], location=pagename)
            return match[0]
        before, text, docname, anchor = found
        uri = "" if docname == pagename else app.builder.get_relative_uri(pagename, docname)
        return (f'{"と" if match[1] else ""}{html.escape(before)}'
                f'<a class="reference internal" href="{uri}#{anchor}">{html.escape(text)}</a>')

    context["body"] = PRE.sub(lambda pre: EQUATION_IN_CODE.sub(link, pre[0]), body)


def setup(app):
    app.connect("env-get-updated", restart_numbers_per_page, priority=RENUMBER_AFTER_SPHINX)
    app.connect("html-page-context", link_equations_in_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
