"""番号のない章(数学の準備)では、式・図・演習問題の番号をページごとに 1 から振り直す。

Sphinx は章番号のないページの番号を、本全体で 1 つの通し番号にします。そのままでは「指数関数と対数関数」の
最初の式が(18)のようになり、前のページの式と区別がつきません。番号付きの章は「5.3」のように
章番号が付くので、ここでは章番号のないページだけを、種類(式・図・演習問題など)ごとに出てくる順で番号を振り直します。

Sphinx の TocTreeCollector が env-get-updated で番号を付けた後に動くよう、優先度を既定の 500 より後にしています。
"""

RENUMBER_AFTER_SPHINX = 900


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


def setup(app):
    app.connect("env-get-updated", restart_numbers_per_page, priority=RENUMBER_AFTER_SPHINX)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
