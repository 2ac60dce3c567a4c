"""テーマと拡張の英語のままの表示(ボタンの題・読み上げ用のラベル)を日本語にする Sphinx 拡張。

pydata-sphinx-theme 0.17.1 と sphinx-book-theme 1.3.0 の日本語の翻訳には、ヘッダーのボタン
(「Color mode」「Source repositories」「Open issue」…)や見出しのリンク(「Link to this heading」)が
ありません。テーマの翻訳カタログ(Sphinx の ``sphinx`` と sphinx-book-theme の ``booktheme``)の前に
``LABELS`` を置き、テンプレートの ``_()`` とテーマの Python コードの ``translation()`` の両方が引けるようにします。

いつ外せるか: テーマの翻訳が揃えば(LABELS の語がテーマの .po に入れば)要りません。

ブラウザの中でスクリプトが作る文字(コピーのボタンなど)は ``_static/dlmath.js`` が日本語にします。
"""

from __future__ import annotations

import gettext

from sphinx import locale

LABELS = {
    # pydata-sphinx-theme のテンプレート
    "Color mode": "表示の色",
    "Light": "明るい表示",
    "Dark": "暗い表示",
    "System Settings": "OS の設定に従う",
    # Sphinx の見出し・式・図のリンク(日本語の翻訳がない)
    "Link to this heading": "この見出しへのリンク",
    "Link to this equation": "この式へのリンク",
    "Link to this image": "この図へのリンク",
    "Link to this table": "この表へのリンク",
    "Link to this code": "このコードへのリンク",
    "Link to this definition": "この定義へのリンク",
    "Link to this term": "この用語へのリンク",
    # sphinx-book-theme のヘッダーのボタン(header_buttons/source.py)
    "Source repositories": "ソースコード",
    "Repository": "リポジトリ",
    "Open issue": "質問・指摘を送る",
    "Suggest edit": "修正を提案",
    "Fullscreen mode": "全画面表示",
    "logo": "のロゴ",  # 起動のボタンの画像の代替テキスト(「Colab のロゴ」)
    # pydata-sphinx-theme のページの下の著作権の表示
    "© Copyright %(copyright)s.": "© %(copyright)s",
}

CATALOGS = ("sphinx", "booktheme")


class _Labels(gettext.NullTranslations):
    """LABELS にある語はその訳を、ない語は元の翻訳(fallback)を返す翻訳。"""

    def gettext(self, message):
        return LABELS.get(message) or super().gettext(message)


def install_labels(app) -> None:
    for catalog in CATALOGS:
        key = ("general", catalog)
        if isinstance(locale.translators.get(key), _Labels):
            continue
        labels = _Labels()
        if key in locale.translators:
            labels.add_fallback(locale.translators[key])
        locale.translators[key] = labels
    # テンプレートの _() はビルダーの初期化のときの翻訳を持っているので、入れ直します。
    app.translator = locale.translators[("general", "sphinx")]
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.install_gettext_translations(app.translator)


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
    app.connect("builder-inited", install_labels)
    app.connect("html-page-context", drop_english_summary_label)
    app.connect("html-page-context", citations_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
