"""用語集のページと、各ページでの用語の最初の出現からのリンクを、ビルド済みのサイトで確かめる。

BOOK.md の決まり「用語は各ページで最初に使うところで用語集にリンクする」を検査します。
新しいページを足してリンクを忘れると、ここが失敗します。
"""

import re
import unicodedata

import pytest
from bs4 import NavigableString

from conftest import built_page, toc_files

GLOSSARY = "book/glossary"
# 用語集へのリンクを求めないページ: 用語集そのものと、文献・引用の案内のページ、ほかのページの文を引く正誤表と更新履歴。
NOT_CHECKED = {GLOSSARY, "book/references", "book/citing", "book/changes"}
MIN_ENTRIES = 60

# BOOK.md の「Terms are fixed」に挙がっている用語。すべて用語集に載っていること。
FIXED_TERMS = [
    "予測関数", "損失関数", "勾配降下法", "学習率", "正解値", "予測値", "誤差", "重み", "偏微分", "勾配",
    "内積", "転置行列", "ダミー変数", "学習曲線", "繰り返し回数", "シグモイド関数", "交差エントロピー",
    "ソフトマックス関数", "誤差逆伝播法", "ミニバッチ", "過学習",
]

# 説明の1行目: 「よみ/English。説明。」(読みはひらがな、英語は半角の英字で始まる)
DEFINITION = re.compile(r"^(?P<yomi>[ぁ-ゖー]+)/(?P<en>[A-Za-z][^。]*)。(?P<text>.+。)$")

# 本文の散文ではないところ: 見出し、コード、数式、図の説明、注記の題、用語集以外へのリンク。
NOT_PROSE = {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "kbd", "script", "style", "figcaption", "nav"}
NOT_PROSE_CLASSES = {
    "math", "highlight", "cell_input", "cell_output", "output", "caption", "caption-text",
    "admonition-title", "headerlink", "toctree-wrapper", "MathJax",
}



def glossary_entries(site):
    """用語集の {用語: (dt の id, 説明の文字列)}。"""
    soup = built_page(site, GLOSSARY)
    entries = {}
    for dl in soup.select("article dl.glossary"):
        for dt in dl.find_all("dt", recursive=False):
            dd = dt.find_next_sibling("dd")
            for anchor in dt.select("a.headerlink"):
                anchor.decompose()
            term = dt.get_text("", strip=True)
            entries[term] = (dt.get("id"), dd.get_text(" ", strip=True) if dd else "")
    return entries


@pytest.fixture(scope="module")
def entries(site):
    found = glossary_entries(site)
    assert found, "用語集のページに glossary の項目が 1 つもありません"
    return found


def test_glossary_has_enough_entries(entries):
    assert len(entries) >= MIN_ENTRIES, f"用語集は {len(entries)} 項目です({MIN_ENTRIES} 以上必要)"


def test_every_entry_has_reading_english_and_definition(entries):
    bad = {term: text for term, (_, text) in entries.items() if not DEFINITION.match(text)}
    assert not bad, f"「よみ/English。説明。」の形になっていない項目: {bad}"


def test_every_fixed_term_of_book_md_is_in_the_glossary(entries):
    missing = [term for term in FIXED_TERMS if term not in entries]
    assert not missing, f"BOOK.md の用語が用語集にありません: {missing}"


def reading_key(yomi):
    """五十音順の並べ替えの鍵: 濁点・半濁点と小書きを区別せず、長音は直前の母音として扱う。"""
    plain = "".join(c for c in unicodedata.normalize("NFD", yomi) if c not in "\u3099\u309a")
    plain = unicodedata.normalize("NFC", plain).translate(str.maketrans("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ"))
    out = []
    for c in plain:
        if c == "ー" and out:
            vowel = unicodedata.name(out[-1]).split()[-1][-1].lower()
            c = {"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お"}.get(vowel, "う")
        out.append(c)
    return "".join(out), yomi


def test_entries_are_in_gojuon_order_of_their_reading(entries):
    readings = [DEFINITION.match(text)["yomi"] for _, text in entries.values() if DEFINITION.match(text)]
    assert readings == sorted(readings, key=reading_key), "用語集が読みの五十音順に並んでいません"


def is_prose(node, article):
    """node(文字列)が本文の散文の中にあれば True。用語集へのリンクの中は散文として扱う。"""
    for parent in node.parents:
        if parent is article:
            return True
        if parent.name in NOT_PROSE or NOT_PROSE_CLASSES & set(parent.get("class", [])):
            return False
        if parent.name == "a" and "glossary.html#" not in parent.get("href", ""):
            return False
    return False


def glossary_target(node):
    """node が用語集へのリンクの中にあれば、そのリンク先の id。"""
    link = node.find_parent("a", href=re.compile(r"glossary\.html#"))
    return link["href"].split("#", 1)[1] if link else None


def occurrences(text, terms):
    """text の中の用語の出現を、長いほうを優先して左から順に返す(「勾配降下法」の中の「勾配」は数えない)。"""
    found, k = [], 0
    while k < len(text):
        for term in terms:
            if text.startswith(term, k):
                ascii_term = term[0].isascii()
                before = text[k - 1] if k else ""
                after = text[k + len(term)] if k + len(term) < len(text) else ""
                if ascii_term and (re.match(r"[A-Za-z0-9_-]", before) or re.match(r"[A-Za-z0-9_-]", after)):
                    continue
                found.append((k, term))
                k += len(term)
                break
        else:
            k += 1
    return found


def first_uses(soup, terms):
    """{用語: (リンク先の id または None, 前後の文字列)}。ページの本文での最初の出現だけ。"""
    article = soup.select_one("article.bd-article")
    assert article is not None, "article.bd-article がありません"
    first = {}
    for node in article.find_all(string=True):
        if not isinstance(node, NavigableString) or not is_prose(node, article):
            continue
        text = str(node)
        target = glossary_target(node)
        for k, term in occurrences(text, terms):
            if term not in first:
                first[term] = (target, text[max(0, k - 15): k + len(term) + 15])
    return first


CHECKED_PAGES = [name for name in toc_files() if name not in NOT_CHECKED]


@pytest.mark.parametrize("name", CHECKED_PAGES)
def test_first_use_of_each_term_links_to_the_glossary(site, entries, name):
    ids = {term: entry_id for term, (entry_id, _) in entries.items()}
    terms = sorted(ids, key=len, reverse=True)
    problems = []
    for term, (target, context) in first_uses(built_page(site, name), terms).items():
        if target != ids[term]:
            where = "リンクなし" if target is None else f"別の項目 #{target} へのリンク"
            problems.append(f"{term}: {where}: …{context}…")
    assert not problems, (
        f"{name} で、用語の最初の出現が用語集にリンクしていません"
        "(MyST では {term}`用語` と書きます):\n" + "\n".join(problems)
    )


def test_term_links_resolve_to_glossary_entries(site, entries):
    """{term} のリンク先がすべて用語集の項目にあること(リンク切れの検出)。"""
    ids = {entry_id for entry_id, _ in entries.values()}
    broken = []
    for name in CHECKED_PAGES:
        for link in built_page(site, name).select('article a[href*="glossary.html#"]'):
            if link["href"].split("#", 1)[1] not in ids:
                broken.append(f"{name}: {link['href']}")
    assert not broken, broken
