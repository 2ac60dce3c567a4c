"""テーマと拡張の英語のままの表示(ボタンの題・読み上げ用のラベル)を日本語にする Sphinx 拡張。

pydata-sphinx-theme 0.17.1 と sphinx-book-theme 1.3.0 の日本語の翻訳には、ヘッダーのボタン
(「Color mode」「Source repositories」「Open issue」…)や見出しのリンク(「Link to this heading」)が
ありません。訳は翻訳カタログ ``locale/ja/LC_MESSAGES/`` にあります。Sphinx の ``sphinx`` カタログ(テンプレートの
``_()``)は、_config.yml の ``locale_dirs`` から Sphinx 自身が読みます。sphinx-book-theme の ``booktheme``
カタログ(テーマの Python コードの ``translation()``)は、この拡張が .mo にして ``add_message_catalog`` で足します
(テーマの翻訳にない語だけがここから引かれます)。ほかに、MyST-NB と Sphinx が書く HTML の英語のラベルと
廃止された role を直します。

いつ外せるか: カタログの語がテーマの翻訳に入り、下の 2 つの HTML の直しが上流で直れば要りません。

ブラウザの中でスクリプトが作る文字(コピーのボタンなど)は ``_static/dlmath.js`` が日本語にします。
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util.i18n import CatalogInfo

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def add_booktheme_labels(app) -> None:
    """locale/ja の booktheme.po を .mo にして、テーマの翻訳の後ろ(テーマにない語の訳)に足す。"""
    catalog = CatalogInfo(str(LOCALE / app.config.language / "LC_MESSAGES"), "booktheme", "utf-8")
    if catalog.is_outdated():
        catalog.write_mo(app.config.language)
    app.add_message_catalog("booktheme", str(LOCALE))


def drop_english_summary_label(app, pagename, templatename, context, doctree) -> None:
    """MyST-NB の隠したコードの <summary> の aria-label「Toggle hidden content」を外す。

    読み上げでは見えている「コードを表示」とは違う英語の名前になるので、ラベルを外して見えている文字を名前にします。
    """
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")


def citations_as_list_items(app, pagename, templatename, context, doctree) -> None:
    """参考文献の各項目の role を listitem にする。

    Sphinx 7 は文献の一覧を role="list" の中に role="doc-biblioentry" で書きますが、この role は DPUB-ARIA 1.1
    で廃止され、list の子に要る listitem でもないので、読み上げで一覧として扱われません(Lighthouse の
    aria-deprecated-role・aria-required-children)。
    """
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    add_booktheme_labels(app)
    app.connect("html-page-context", drop_english_summary_label)
    app.connect("html-page-context", citations_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
