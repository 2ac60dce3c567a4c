"""各ページの説明(meta description)と、リンクを貼ったときのカード(Open Graph・Twitter)を作る Sphinx 拡張。

授業のページやチャットに章の URL を貼ると、説明もカードの画像もないので何のページか分かりませんでした。

- 説明: フロントマターの ``description:`` があればそれを、なければページの最初の段落(数式は TeX のまま
  ではなく、読める形に直したもの)を、120 字までにして使います。
- カードの画像: 本の題とページの題を、ページを書き出すたびに Matplotlib(matplotlib-fontja の IPAexゴシック)で
  1200×630 の PNG に描きます(``_static/cards/<ページ>.png``)。外のサービスは使いません。
- サイトのルート(``index.html``): jupyter-book は ``book/intro.html`` へ移る meta refresh のページを書くので、
  ルートの URL を開くたびに 1 往復と約 0.6 秒の待ちがありました。ビルドの終わりに ``book/intro.html`` の写しで
  置き換え、``<base href="book/intro.html">`` で相対リンクと画像がそのまま動くようにします。正規の URL
  (canonical)は ``book/intro.html`` のままなので、検索エンジンには 1 つのページです。
- タグ(og:title・og:description・og:url・og:image・twitter:card など)は ``_templates/layout.html`` が書きます。
  og:url と og:image は公開先の URL(``html_baseurl``)からの絶対 URL です。

いつ外せるか: sphinxext-opengraph のカードが日本語のフォントと本の題を扱えるようになり、jupyter-book がルートを
リダイレクトではなく表紙のページにすれば要りません。
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

CARDS = Path("_static") / "cards"
LIMIT = 120
CARD_SIZE = (12, 6.3)  # インチ。100 dpi で 1200×630


def _readable(node) -> str:
    """段落の文字。数式は TeX の命令を外した形にする(\\boldsymbol{x} → x)。"""
    parts = []
    for child in node.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(child, nodes.math):
            tex = child.astext()
            tex = re.sub(r"\\(?:boldsymbol|mathrm|mathbf|operatorname|text)\{([^}]*)\}", r"\1", tex)
            parts.append(re.sub(r"[{}\\]", "", tex))
        elif not isinstance(child.parent, nodes.math):
            parts.append(child.astext())
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def describe(doctree, metadata: dict) -> str:
    text = str(metadata.get("description") or "")
    if not text and doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            text = _readable(paragraph)
            if len(text) >= 20:
                break
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def card_name(pagename: str) -> str:
    return pagename.replace("/", "-") + ".png"


def draw_card(path: Path, book: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401  (日本語のフォントを登録する)

    fig = plt.figure(figsize=CARD_SIZE, dpi=100)
    fig.patch.set_facecolor("#176de8")
    fig.text(0.06, 0.80, book, color="white", fontsize=30, va="top")
    fig.text(0.06, 0.45, title, color="white", fontsize=54, va="center", wrap=True)
    fig.text(0.06, 0.10, "dlmath-book.github.io/dlmath", color="#dbe7fb", fontsize=22)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, facecolor=fig.get_facecolor())
    plt.close(fig)


def add_meta(app, pagename, templatename, context, doctree) -> None:
    if doctree is None:  # 検索・索引のページ: 本の最初のページの説明を使う
        doctree = app.env.get_doctree(app.config.root_doc)
    base = (app.config.html_baseurl or "").rstrip("/") + "/"
    title = re.sub(r"<[^>]+>", "", context.get("title") or "")
    draw_card(Path(app.outdir) / CARDS / card_name(pagename), app.config.project, title)
    context["page_description"] = describe(doctree, context.get("meta") or {})
    context["page_card"] = base + (CARDS / card_name(pagename)).as_posix()
    context["page_url"] = base + pagename + app.builder.out_suffix


def root_page(app, exception) -> None:
    """ルートの index.html を、最初のページ(root_doc)の写しにする。"""
    if exception is not None or app.builder.format != "html":
        return
    first = app.config.root_doc + app.builder.out_suffix
    source = (Path(app.outdir) / first).read_text(encoding="utf-8")
    head = '<meta charset="utf-8" />'
    if head not in source:
        raise RuntimeError(f"{first} に {head} がありません(ルートのページを作れません)")
    page = source.replace(head, f'{head}\n    <base href="{first}" />', 1)
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", add_meta)
    # jupyter-book(sphinx-external-toc)がリダイレクトの index.html を書いた後に置き換えます。
    app.connect("build-finished", root_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
