"""日本語の改行を整える Sphinx 拡張。

1. 段落の途中にある改行を取り除く(doctree-read)。
2. 見出しに、BudouX で文節の切れ目(<wbr>)を入れる(html-page-context)。CSS(_static/dlmath.css)は見出しを
   word-break: keep-all にするので、スマートフォンの幅でも「偏微/分」のように語の途中で折り返さず、文節の
   切れ目で折り返します。word-break: auto-phrase に対応するブラウザは自分で文節を見つけるので、<wbr> はそれ以外の
   ブラウザのためのものです。BudouX は長いカタカナ語(ディープラーニングモデル)を 1 つの文節にするので、
   ``KATAKANA_WORDS`` の語の切れ目にも <wbr> を入れます。括弧や句読点の隣には入れません。
3. 行内の式と、その直後の「、」「。」・閉じ括弧(直前の開き括弧)を 1 つの折り返さない塊にする(html-page-context)。
   式(span.math)は inline-flex なので、line-break: strict の禁則が式の前後には効かず、行頭に「、」が来ていました。

1 について:

ソースでは読みやすさのために文の途中で改行しますが、HTML では改行が空白として表示され、
日本語の文中に不自然なすきまができます(ブラウザは CSS Text 3 の「CJK の改行は空白にしない」規則を
実装していません)。そこで、改行の前後のどちらかが日本語の文字であれば改行を消します。
改行がテキストの端にあるとき(直後がリンクや数式のとき)は、隣の要素の文字を見て判断します。
コード・数式・リテラルの中は触りません。

いつ外せるか: 1 はブラウザが CSS Text の「CJK の間の改行は空白にしない」規則を実装すれば、2 は読者のブラウザが
word-break: auto-phrase に対応すれば、3 はブラウザが inline-flex の前後にも禁則を効かせれば要りません。
"""

import html
import re
from functools import lru_cache

import budoux
from docutils import nodes

JA = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
BREAK = re.compile(r"[ \t]*\n[ \t]*")
SKIP = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


def _neighbour_char(text, step):
    """text の前 (step=-1) または後 (step=+1) の兄弟要素の、text に接する 1 文字。"""
    parent = text.parent
    index = parent.index(text) + step
    if not 0 <= index < len(parent.children):
        return ""
    neighbour = parent.children[index].astext()
    return neighbour[-1:] if step < 0 else neighbour[:1]


def _join(text):
    source = str(text)

    def replace(match):
        before = source[match.start() - 1] if match.start() > 0 else _neighbour_char(text, -1)
        after = source[match.end()] if match.end() < len(source) else _neighbour_char(text, +1)
        return "" if JA.match(before or " ") or JA.match(after or " ") else " "

    return BREAK.sub(replace, source)


def join_japanese_lines(app, doctree):
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, SKIP) or "\n" not in text:
            continue
        joined = _join(text)
        if joined != str(text):
            parent.replace(text, nodes.Text(joined))


# 見出し(h1〜h6)の中身。
TITLED = re.compile(r"(<(h[1-6])\b[^>]*>)(.*?)(</\2>)", re.DOTALL)
TAG = re.compile(r"(<[^>]+>)")
# 本書の見出しに出てくる長いカタカナ語を作る語(この切れ目で折り返してよい)
KATAKANA_WORDS = ("ディープ", "ラーニング", "ニューラル", "ネットワーク", "モデル", "ソフトマックス", "ロジスティック",
                  "シグモイド", "ミニバッチ", "エントロピー", "データ")
KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]{7,}")  # カタカナと長音符(中点「・」は除く)
NO_BREAK_BEFORE = "、。,.:;!?)）」』】・"
NO_BREAK_AFTER = "(（「『【"
INLINE_MATH = r'<span class="math notranslate nohighlight">\\\(.*?\\\)</span>'
MATH_WITH_PUNCTUATION = re.compile(
    rf"([{re.escape(NO_BREAK_AFTER)}]*{INLINE_MATH}[{re.escape(NO_BREAK_BEFORE)}]*)", re.DOTALL)


@lru_cache(maxsize=1)
def _parser():
    return budoux.load_default_japanese_parser()


def _katakana_words(run: str) -> list[str]:
    """長いカタカナ語を KATAKANA_WORDS の語に分ける(全部を分けられなければ分けない)。"""
    words, rest = [], run
    while rest:
        word = next((w for w in KATAKANA_WORDS if rest.startswith(w)), None)
        if word is None:
            return [run]
        words.append(word)
        rest = rest[len(word):]
    return words


def _phrases(text: str) -> str:
    """HTML の文字列 text(タグを含まない)の、日本語の文節の切れ目に <wbr> を入れる。"""
    if not JA.search(text):
        return text
    pieces = []
    for phrase in _parser().parse(html.unescape(text)):
        # 中点「・」の後ろ(「和・スカラー倍・ノルム」)と、長いカタカナ語の語の切れ目でも折り返してよい
        for item in filter(None, re.split(r"(?<=・)", phrase)):
            for part in filter(None, re.split(f"({KATAKANA_RUN.pattern})", item)):
                pieces += _katakana_words(part) if KATAKANA_RUN.fullmatch(part) else [part]
    # 括弧や句読点の隣では折り返さない
    joined = [pieces[0]]
    for piece in pieces[1:]:
        if piece[0] in NO_BREAK_BEFORE or joined[-1][-1] in NO_BREAK_AFTER:
            joined[-1] += piece
        else:
            joined.append(piece)
    return "<wbr>".join(html.escape(piece, quote=False) for piece in joined)


def _break_phrases(inner: str) -> str:
    """見出しなどの中身の文字の部分だけに <wbr> を入れる。数式(span.math)の中は触らない。"""
    out, in_math = [], 0
    for part in TAG.split(inner):
        if part.startswith("<"):
            if in_math and part.startswith("<span"):
                in_math += 1
            elif in_math and part.startswith("</span"):
                in_math -= 1
            elif part.startswith('<span class="math'):
                in_math = 1
            out.append(part)
        else:
            out.append(part if in_math else _phrases(part))
    return "".join(out)


def _keep_math_with_punctuation(match) -> str:
    text = match.group(1)
    return text if text.startswith("<span class=\"math") and text.endswith("</span>") else f'<span class="ja-nobreak">{text}</span>'


def add_phrase_breaks(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str):
        body = TITLED.sub(lambda m: m.group(1) + _break_phrases(m.group(3)) + m.group(4), body)
        context["body"] = MATH_WITH_PUNCTUATION.sub(_keep_math_with_punctuation, body)


def setup(app):
    app.connect("doctree-read", join_japanese_lines)
    app.connect("html-page-context", add_phrase_breaks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
