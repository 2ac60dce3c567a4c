"""テーマと拡張の英語のままの表示(ボタンの題・見出し・読み上げ用のラベル)を日本語にする Sphinx 拡張。

pydata-sphinx-theme 0.17.1 と sphinx-book-theme 1.3.0 の日本語の翻訳には、ヘッダーのボタン
(「Color mode」「Source repositories」「Open issue」…)や見出しのリンク(「Link to this heading」)がなく、
sphinx-exercise 1.2.1 の翻訳には解答の見出し「Solution」がありません。訳は翻訳カタログ
``locale/ja/LC_MESSAGES/`` にあります。Sphinx の ``sphinx`` カタログ(テンプレートの ``_()``)は、_config.yml の
``locale_dirs`` から Sphinx 自身が読みます。ほかのカタログ(sphinx-book-theme の ``booktheme``、sphinx-exercise の
``exercise``)は、この拡張が .mo にして ``add_message_catalog`` で足します(拡張自身の翻訳にない語だけが
ここから引かれます)。ほかに、MyST-NB と Sphinx が書く HTML の英語のラベルと廃止された role を直します。

いつ外せるか: カタログの語が上流の翻訳に入り(各 .po の先頭に上流の課題)、下の 2 つの HTML の直しが
上流で直れば要りません。

ブラウザの中でスクリプトが作る文字(コピーのボタンなど)は ``_static/dlmath.js`` が日本語にします。
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.util.i18n import CatalogInfo

LOCALE = Path(__file__).resolve().parent.parent / "locale"
UPSTREAM = {"booktheme": "sphinx_book_theme", "exercise": "sphinx_exercise"}  # カタログ → それを使う拡張


def add_catalogs(app) -> None:
    """locale/<言語> の .po(sphinx.po 以外)を .mo にして、同じ名前の拡張の翻訳の後ろに足す(その拡張の
    翻訳にない語だけが、ここから引かれます)。拡張の翻訳を先に登録させるため、拡張を先に読み込みます。"""
    folder = _catalog_dir(app)
    for po in sorted(folder.glob("*.po")):
        if po.stem == "sphinx":  # Sphinx が locale_dirs から読む
            continue
        app.setup_extension(UPSTREAM[po.stem])
        catalog = CatalogInfo(str(folder), po.stem, "utf-8")
        if catalog.is_outdated():
            catalog.write_mo(app.config.language)
        app.add_message_catalog(po.stem, str(LOCALE))


def _catalog_dir(app) -> Path:
    return LOCALE / app.config.language / "LC_MESSAGES"


def reread_when_catalogs_change(app, env, added, changed, removed) -> list[str]:
    """.po を直したら全ページを読み直す(訳は読むときに doctree に入り、HTML は読み直したページだけ書かれるため)。"""
    digest = hashlib.sha256(b"".join(po.read_bytes() for po in sorted(_catalog_dir(app).glob("*.po")))).hexdigest()
    if getattr(env, "dlmath_catalogs_digest", None) == digest:
        return []
    env.dlmath_catalogs_digest = digest
    return sorted(env.found_docs - added - removed)


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
    add_catalogs(app)
    app.connect("env-get-outdated", reread_when_catalogs_change)
    app.connect("html-page-context", drop_english_summary_label)
    app.connect("html-page-context", citations_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
