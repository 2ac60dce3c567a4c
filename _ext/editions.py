"""版・正誤表・更新履歴と「質問・指摘」のリンクを、book/changes.yml(ただ一つの元)からページに出す Sphinx 拡張。

なぜ: 本は公開後も直し続けるので、読者にはいつ何が変わったか、授業にはどの版を使ったかが要ります。Sphinx と
Jupyter Book 1 には、正誤表・版の切り替え・節ごとの報告のリンクの仕組みがありません(pydata-sphinx-theme の
版の切り替えは、ブラウザで JSON を取りに行くスクリプトで、sphinx-book-theme のヘッダーには置けません)。

- 付録「正誤表と更新履歴」(book/changes.md): ``{dlmath-changelog}`` と ``{dlmath-errata}`` が changes.yml から作ります。
- 各ページの題の下: 最終更新日(原稿を最後に変えたコミットの日付、git)と、訂正があればその件数と正誤表へのリンク。
- 各節の見出しの下: 「質問・指摘」のリンク。ページ・節・版・URL を入れた GitHub の issue のフォーム
  (.github/ISSUE_TEMPLATE/report.yml)を開きます。ヘッダーのテーマの「Open issue」も同じフォームにします。
- 版: 環境変数 ``DLMATH_EDITION=vX.Y`` のビルド(tools/editions.py がタグから作る)は、その版として公開先の URL に
  ``vX.Y/`` を足し、ページの上に固定された版であることと最新版へのリンクを出します(_templates/page.html)。
  ヘッダーの「版」のメニューには、ビルドのときはこの版と正誤表だけが入り、公開する版の一覧は tools/editions.py が
  サイトを組み立てるときに書き入れます(古い版を作り直さずに、新しい版を足せるように)。
- ``{dlmath-edition}`` ロール: ``version``・``date``・``url`` で、公開した最新の版の番号・日付・URL(引用のページ)。

いつ外せるか: 上流に同じ機能はなく(Jupyter Book 2 の mystmd にもありません)、本に版と正誤表があるかぎり要ります。
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

SOURCE = Path("book") / "changes.yml"
CHANGES_DOC = "book/changes"
USERS = {CHANGES_DOC, "book/citing"}  # changes.yml の内容を載せるページ
FORM = "report.yml"  # .github/ISSUE_TEMPLATE/ のフォーム。項目の id は report_url() のキーと同じ
EDITION = re.compile(r"\d+\.\d+")


# --- changes.yml を読む ---------------------------------------------------------------------------


def load(srcdir) -> dict:
    """changes.yml を読み、書き方を確かめる。誤りはどの項目の何かを書いた ExtensionError にする。"""
    path = Path(srcdir) / SOURCE
    if not path.is_file():  # changes.yml のない本(テストの小さな本など): 版も訂正もない
        return {"editions": [], "errata": [], "digest": ""}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    editions, errata = data.get("editions") or [], data.get("errata") or []
    versions = [str(e.get("version", "")) for e in editions]
    for entry, version in zip(editions, versions):
        if not EDITION.fullmatch(version):
            raise ExtensionError(f"{path}: 版の番号 {version!r} は X.Y の形にしてください")
        if entry.get("date") is not None and not isinstance(entry["date"], datetime.date):
            raise ExtensionError(f"{path}: 版 {version} の date {entry['date']!r} は YYYY-MM-DD にしてください")
        if not entry.get("summary") or not isinstance(entry.get("changes"), list):
            raise ExtensionError(f"{path}: 版 {version} に summary と changes(箇条書き)を書いてください")
    if len(set(versions)) != len(versions):
        raise ExtensionError(f"{path}: 同じ版が 2 回あります: {versions}")
    for number, entry in enumerate(errata, 1):
        missing = [k for k in ("page", "anchor", "wrong", "correct", "found", "fixed") if not entry.get(k)]
        if missing:
            raise ExtensionError(f"{path}: 正誤表の {number} 番目に {', '.join(missing)} がありません")
        for key in ("found", "fixed"):
            if str(entry[key]) not in versions:
                raise ExtensionError(f"{path}: 正誤表の {number} 番目の {key}: {entry[key]!r} は editions にない版です")
    return {"editions": editions, "errata": errata, "digest": hashlib.sha256(path.read_bytes()).hexdigest()}


def released(data: dict) -> dict | None:
    """公開した最新の版(date のある最初の版)。"""
    return next((e for e in data["editions"] if e.get("date")), None)


def ja_date(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def build_edition(app) -> dict | None:
    """このビルドの版(DLMATH_EDITION=vX.Y)。ないときは None(main の最新版)。"""
    tag = os.environ.get("DLMATH_EDITION")
    if not tag:
        return None
    for entry in app.dlmath_changes["editions"]:
        if tag == f"v{entry['version']}" and entry.get("date"):
            return entry
    raise ExtensionError(f"DLMATH_EDITION={tag}: book/changes.yml に日付のある版 {tag[1:]} がありません")


def edition_label(app) -> str:
    """報告のフォームの「版」に入れる文字(ビルドに 1 回だけ git に聞く)。"""
    if not hasattr(app, "dlmath_edition_label"):
        edition = build_edition(app)
        commit = git(app, "rev-parse", "--short", "HEAD")
        app.dlmath_edition_label = (
            f"v{edition['version']}" if edition else f"最新版(main、コミット {commit})" if commit else "最新版(main)"
        )
    return app.dlmath_edition_label


def git(app, *args) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=app.srcdir, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def last_updated(app, docname: str) -> datetime.date | None:
    """ページの原稿(changes.yml から作るページはそれも)を最後に変えたコミットの日付。git の履歴がなければ None。"""
    sources = [str(app.env.doc2path(docname))] + ([str(SOURCE)] if docname in USERS else [])
    day = git(app, "log", "-1", "--format=%cs", "--", *sources)
    return datetime.date.fromisoformat(day) if day else None


def config_inited(app, config) -> None:
    app.dlmath_changes = load(app.srcdir)
    app.dlmath_site_url = (config.html_baseurl or "").rstrip("/")  # 版の URL を足す前のサイトの URL
    edition = build_edition(app)
    if edition and config.html_baseurl:
        config.html_baseurl = config.html_baseurl.rstrip("/") + f"/v{edition['version']}/"


def _digest(app) -> str:
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()  # この拡張を直したときも
    return app.dlmath_changes["digest"] + code + os.environ.get("DLMATH_EDITION", "")


def env_get_outdated(app, env, added, changed, removed):
    """changes.yml・版・この拡張が変わったら、全ページを読み直す(題の下のお知らせと正誤表のページが変わるため)。"""
    if getattr(env, "dlmath_changes_digest", None) == _digest(app):
        return []
    return sorted(env.found_docs - added - removed)


def env_updated(app, env):
    """読んだページがどの changes.yml・版・拡張で作られたかを記録する(次の差分ビルドで比べる)。"""
    env.dlmath_changes_digest = _digest(app)


# --- 正誤表と更新履歴のページ ----------------------------------------------------------------------


class _MystDirective(SphinxDirective):
    """changes.yml から MyST の原稿を作り、それを読んだ節点を返すディレクティブ。"""

    def markdown(self, data: dict) -> list[str]:
        raise NotImplementedError

    def run(self):
        container = nodes.container(classes=[self.name])
        lines = self.markdown(self.env.app.dlmath_changes)
        self.state.nested_parse(StringList(lines, source=str(SOURCE)), self.content_offset, container)
        return container.children


def _one_line(text) -> str:
    """YAML の文を 1 行に(箇条書きの 1 項目に収める)。"""
    return " ".join(str(text).split())


class Changelog(_MystDirective):
    def markdown(self, data):
        lines = []
        for entry in data["editions"]:
            version = entry["version"]
            when = f"{ja_date(entry['date'])}公開" if entry.get("date") else "未公開"
            lines += [f"(changes-v{version.replace('.', '-')})=", f"~~~{{rubric}} v{version}({when})", "~~~", ""]
            lines += [_one_line(entry["summary"]), ""] + [f"- {_one_line(c)}" for c in entry["changes"]] + [""]
        return lines


class Errata(_MystDirective):
    """ページごとに、節へのリンク・誤・正・版の箇条書き(表にするとスマートフォンで誤と正の区別が消える)。"""

    def markdown(self, data):
        if not data["errata"]:
            return ["公開した版に見つかった誤りは、まだありません。", ""]
        lines = []
        for page in dict.fromkeys(e["page"] for e in data["errata"]):
            lines += [f"(errata-{page})=", f"~~~{{rubric}} {{doc}}`{page}`", "~~~", ""]  # ``` の行には ` を書けない
            for e in (e for e in data["errata"] if e["page"] == page):
                lines += [
                    f"- {{ref}}`{e['anchor']}`(誤りのあった版 v{e['found']}、訂正した版 v{e['fixed']})",
                    f"  - **誤**: {_one_line(e['wrong'])}",
                    f"  - **正**: {_one_line(e['correct'])}",
                ]
            lines.append("")
        return lines


class EditionRole:
    """{dlmath-edition}`version` / `date` / `url`: 公開した最新の版。"""

    def __call__(self, name, rawtext, text, lineno, inliner, options=None, content=None):
        app = inliner.document.settings.env.app
        edition = released(app.dlmath_changes)
        if edition is None:
            message = inliner.reporter.error("book/changes.yml に日付のある版がありません", line=lineno)
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        base = app.dlmath_site_url
        value = {
            "version": edition["version"],
            "date": ja_date(edition["date"]),
            "url": f"{base}/v{edition['version']}/",
        }.get(text)
        if value is None:
            message = inliner.reporter.error(f"dlmath-edition: {text!r} は version・date・url のどれか", line=lineno)
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        node = nodes.reference(value, value, refuri=value) if text == "url" else nodes.Text(value)
        return [node], []


# --- ページの題の下のお知らせと、節ごとの「質問・指摘」 --------------------------------------------


class page_status(nodes.General, nodes.TextElement):
    """題の下の 1 行(最終更新日と訂正の件数)。段落ではないので、ページの説明(page_meta)には入りません。"""


class report_link(nodes.General, nodes.Element):
    """節の見出しの下の「質問・指摘」のリンク(HTML だけ)。"""


def add_page_status(app, doctree) -> None:
    docname = app.env.docname
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not docname.startswith("book/"):
        return
    status = page_status()
    day = last_updated(app, docname)
    if day:
        status += nodes.Text(f"最終更新: {ja_date(day)}")
    count = sum(e["page"] == docname.removeprefix("book/") for e in app.dlmath_changes["errata"])
    if count:
        if day:
            status += nodes.Text("・")
        ref = addnodes.pending_xref(
            "", refdomain="std", reftype="ref", reftarget=f"errata-{docname.removeprefix('book/')}",
            refexplicit=True, refwarn=True, refdoc=docname,
        )
        ref += nodes.inline("", f"このページの訂正 {count} 件(正誤表)")
        status += ref
    if len(status):
        section.insert(1, status)


def report_url(app, docname: str, section_id: str, section: str) -> str:
    """質問・指摘のフォームを、ページ・節・版・URL を入れて開く URL。"""
    repo = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    number = ".".join(map(str, app.env.toc_secnumbers.get(docname, {}).get("", ())))
    title = f"{number + '. ' if number else ''}{app.env.titles[docname].astext()}"
    base = app.config.html_baseurl.rstrip("/") + "/" if app.config.html_baseurl else ""
    stable = section_id and not re.fullmatch(r"id\d+", section_id)  # 自動の id(#id4)は節が増えると変わる
    fields = {
        "template": FORM,
        "title": f"[指摘] {section or title}",
        "page": f"{title}({docname}.html)",
        "section": section,
        "edition": edition_label(app),
        "url": f"{base}{docname}.html" + (f"#{section_id}" if stable else ""),
    }
    return f"{repo}/issues/new?{urlencode({k: v for k, v in fields.items() if v}, quote_via=quote)}"


def _tex_text(node) -> str:
    """見出しの文字。式は $…$ の TeX にする(フォームに貼られても読めるように)。"""
    return "".join(f"${n.astext()}$" if isinstance(n, nodes.math) else n.astext()
                   for n in node.findall(lambda n: isinstance(n, (nodes.math, nodes.Text)))
                   if isinstance(n, nodes.math) or not isinstance(n.parent, nodes.math))


def label_ids_first(app, doctree) -> None:
    """見出しの節の id で、ラベル(sec-…)を先頭にする。Sphinx は英字だけの見出し(「ReLU」など)に題名から
    id(#relu)を作って先頭に置くので、そのままでは目次・「#」のリンク・報告のリンクが題名の id を使い、見出しを
    変えるとリンクが変わります。題名の id も残る(<span id>)ので、前からのリンクもそのまま使えます。
    目次の番号より前に(doctree-read の既定より早く)動かします。"""
    for section in doctree.findall(nodes.section):
        labels = [i for i in section["ids"] if i.startswith("sec-")]
        if labels and not section["ids"][0].startswith("sec-"):
            section["ids"] = [labels[0]] + [i for i in section["ids"] if i != labels[0]]


def add_report_links(app, doctree, docname) -> None:
    if app.builder.format != "html" or not docname.startswith("book/"):
        return
    numbers = app.env.toc_secnumbers.get(docname, {})
    top = next(iter(doctree.findall(nodes.section)), None)
    for section in list(doctree.findall(nodes.section)):
        # 見出しのない節(sphinx-exercise の解答の本文 solution-content など)には付けない
        if section is top or not section["ids"] or not isinstance(section[0], nodes.title):
            continue
        anchor = section["ids"][0]
        number = ".".join(map(str, numbers.get(f"#{anchor}", ())))
        title = " ".join(_tex_text(section[0]).split())
        section.insert(1, report_link(href=report_url(app, docname, anchor, f"{number} {title}".strip())))


def visit_page_status(self, node) -> None:
    self.body.append('<p class="page-status" data-pagefind-ignore="all">')


def depart_page_status(self, node) -> None:
    self.body.append("</p>\n")


def visit_report_link(self, node) -> None:
    href = self.attval(node["href"])
    self.body.append(
        f'<p class="report-link" data-pagefind-ignore="all"><a href="{href}" rel="nofollow noopener" target="_blank" '
        'title="この節への質問・誤りの指摘を GitHub の issue で送る">質問・指摘</a></p>\n'
    )
    raise nodes.SkipNode


def skip(self, node) -> None:
    raise nodes.SkipNode


# --- ヘッダーのメニューと、古い版の帯 ----------------------------------------------------------------


def add_header_items(app, pagename, templatename, context, doctree) -> None:
    """ヘッダー: 「Open issue」をこのページのフォームに、「版」のメニューを足す。古い版には帯の情報。"""
    docname = pagename if pagename in app.env.titles else None
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if "/issues/new" in str(button.get("url", "")) and docname:
                button["url"] = report_url(app, docname, "", "")
    pathto = context["pathto"]
    root = pathto("index.html", 1)[: -len("index.html")]
    edition = build_edition(app)
    items = [{
        "type": "link", "url": pathto("index.html", 1), "label": "edition-button",
        "text": f"v{edition['version']}" if edition else "最新版",
        "tooltip": f"この版(v{edition['version']})のはじめのページ" if edition else "最新版のはじめのページ",
    }]
    if CHANGES_DOC in app.env.titles:
        items.append({"type": "link", "url": pathto(CHANGES_DOC), "text": "正誤表と更新履歴",
                      "icon": "fas fa-list", "tooltip": "正誤表と版ごとの更新履歴", "label": "changes-button"})
    context["header_buttons"].insert(0, {
        "type": "group", "tooltip": "版と正誤表", "icon": "fas fa-code-branch", "buttons": items,
        "label": "edition-buttons",
    })
    if edition:
        context["edition_banner"] = {
            "version": edition["version"], "date": ja_date(edition["date"]),
            "latest": f"{root}../{pagename}{app.builder.out_suffix}",
        }


def setup(app):
    app.connect("config-inited", config_inited)
    app.connect("env-get-outdated", env_get_outdated)
    app.connect("env-updated", env_updated)
    app.connect("doctree-read", label_ids_first, priority=100)
    app.connect("doctree-read", add_page_status)
    app.connect("doctree-resolved", add_report_links)
    # テーマがヘッダーのボタンを作る(priority 501)より後に書き換える。
    app.connect("html-page-context", add_header_items, priority=600)
    app.add_directive("dlmath-changelog", Changelog)
    app.add_directive("dlmath-errata", Errata)
    app.add_role("dlmath-edition", EditionRole())
    others = {b: (skip, None) for b in ("latex", "text", "man", "texinfo")}
    app.add_node(page_status, html=(visit_page_status, depart_page_status), **others)
    app.add_node(report_link, html=(visit_report_link, None), **others)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
