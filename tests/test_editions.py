"""版(タグ vX.Y)・正誤表・更新履歴・節ごとの「質問・指摘」を確かめる。

前半は一時的なリポジトリで、小さな本(_ext/editions.py と _templates/page.html をそのまま使う 3 ページ)に
2 つのタグ v1.0・v1.1 を付け、tools/editions.py が main をルートに、各タグをその版として ``vX.Y/`` に置くこと、
版のメニューと古い版の帯、正誤表とページのお知らせが changes.yml から作られることを、実際にビルドして確かめます。
後半はこの本のサイト(make book の _build/html)で、正誤表・更新履歴・日付・報告のリンクを確かめます。
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

import dlmath
from conftest import ROOT, built_page, toc_files

sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402  (tools/editions.py)

JB = Path(sys.executable).with_name("jupyter-book")
BUILD = f"{JB} build --quiet ."
SITE = "https://example.org/book/"
REPO = "https://github.com/example/book"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _changes(versions: list[tuple[str, str]], errata: list[dict]) -> str:
    data = {
        "editions": [{"version": v, "date": datetime.date.fromisoformat(d), "summary": f"版 {v}",
                      "changes": [f"版 {v} の変更"]} for v, d in versions],
        "errata": errata,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _commit(repo: Path, message: str, tag: str | None = None) -> None:
    git = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "add", "--all"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "--quiet", "-m", message], check=True, capture_output=True)
    if tag:
        subprocess.run([*git, "tag", tag], check=True, capture_output=True)


ERRATUM = {"page": "page", "anchor": "sec-page-part", "wrong": "誤りの文(テスト)", "correct": "正しい文(テスト)",
           "found": "1.0", "fixed": "1.1"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """2 つのタグと、その後の main を持つ小さな本。main をビルドしてから tools/editions.py を走らせる。"""
    repo = tmp_path_factory.mktemp("editions") / "book"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(repo)], check=True)
    shutil.copytree(ROOT / "_ext", repo / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "_templates").mkdir()
    shutil.copy(ROOT / "_templates" / "page.html", repo / "_templates" / "page.html")
    _write(repo, {
        ".gitignore": "_build/\n",
        "_config.yml": f"""
            title: 小さな本
            only_build_toc_files: true
            execute: {{execute_notebooks: "off"}}
            repository: {{url: {REPO}, branch: main}}
            html: {{baseurl: "{SITE}", use_issues_button: true, use_repository_button: true}}
            sphinx:
              recursive_update: true
              local_extensions: {{editions: _ext}}
              config: {{language: ja, templates_path: [_templates]}}
            """,
        "_toc.yml": """
            format: jb-book
            root: book/intro
            chapters:
              - file: book/page
              - file: book/changes
            """,
        "book/intro.md": "# はじめに\n\n小さな本です。版のURLは{dlmath-edition}`url`です。\n",
        "book/page.md": "# ページ\n\n(sec-page-part)=\n## 節\n\n第1版の文です。\n",
        "book/changes.md": "# 正誤表と更新履歴\n\n## 正誤表\n\n```{dlmath-errata}\n```\n\n## 更新履歴\n\n```{dlmath-changelog}\n```\n",
        "book/changes.yml": _changes([("1.0", "2026-01-10")], []),
    })
    _commit(repo, "v1.0", tag="v1.0")
    _write(repo, {
        "book/page.md": "# ページ\n\n(sec-page-part)=\n## 節\n\n第1.1版の文です。\n",
        "book/changes.yml": _changes([("1.1", "2026-02-20"), ("1.0", "2026-01-10")], [ERRATUM]),
    })
    _commit(repo, "v1.1", tag="v1.1")
    _write(repo, {"book/page.md": "# ページ\n\n(sec-page-part)=\n## 節\n\nmain の文です。\n\n## 新しい節\n\n足した節です。\n",
                  "book/new.md": "# 新しいページ\n\nmain にだけあるページです。\n",
                  "_toc.yml": "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/page\n  - file: book/new\n"
                              "  - file: book/changes\n"})
    _commit(repo, "main")
    subprocess.run([str(JB), "build", "--quiet", "."], cwd=repo, check=True, capture_output=True)
    site, cache = repo / "_build" / "html", repo / "_build" / "editions"
    editions.main(["--repo", str(repo), "--site", str(site), "--cache", str(cache), "--build", BUILD])
    return repo, site, cache


def _page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def test_each_tag_is_built_from_its_own_commit_under_its_edition(tiny):
    _, site, _ = tiny
    assert "main の文です" in _page(site, "book/page.html").get_text()
    assert "第1.1版の文です" in _page(site, "v1.1/book/page.html").get_text()
    assert "第1版の文です" in _page(site, "v1.0/book/page.html").get_text()
    assert not (site / "v1.0" / "book" / "new.html").exists(), "a page added after v1.0 must not appear in v1.0"
    canonical = _page(site, "v1.0/book/page.html").find("link", rel="canonical")["href"]
    assert canonical == SITE + "v1.0/book/page.html"


@pytest.mark.parametrize("here", ["", "v1.1/", "v1.0/"])
def test_switcher_lists_the_editions_present_and_each_link_opens_a_page(tiny, here):
    _, site, _ = tiny
    for path in ("book/page.html", "book/intro.html"):
        menu = _page(site, here + path).select_one(".dropdown-edition-buttons")
        items = menu.select("a.btn-edition-button")
        assert [a.get_text(strip=True).lstrip("✓ ") for a in items] == ["最新版", "v1.1", "v1.0"]
        assert [a.get_text(strip=True) for a in menu.select('[aria-current="page"]')] == [f"✓ {here[:-1] or '最新版'}"]
        base = (site / here / path).parent
        for a in items:
            assert (base / a["href"]).resolve().is_file(), f"{here}{path}: {a['href']} does not exist"
        assert menu.select_one("a.btn-changes-button"), "the menu keeps the link to 正誤表と更新履歴"


def test_switcher_falls_back_to_the_first_page_for_a_page_an_edition_lacks(tiny):
    _, site, _ = tiny
    hrefs = [a["href"] for a in _page(site, "book/new.html").select("a.btn-edition-button")]
    assert hrefs == ["../book/new.html", "../v1.1/book/intro.html", "../v1.0/book/intro.html"]


def test_old_editions_have_a_banner_that_links_to_the_latest_page(tiny):
    _, site, _ = tiny
    assert _page(site, "book/page.html").select_one(".edition-banner") is None
    for edition in ("v1.0", "v1.1"):
        banner = _page(site, f"{edition}/book/page.html").select_one(".edition-banner")
        assert edition in banner.get_text()
        link = banner.select_one("a.edition-latest")["href"]
        assert (site / edition / "book" / link).resolve() == site / "book" / "page.html"


def _errata_items(soup, page):
    """正誤表のページの、page の項目(節へのリンク・誤・正・版を持つ li)。"""
    rubric = soup.find(id=f"errata-{page}")
    assert rubric is not None, f"no errata group for {page}"
    return rubric.find_next("ul").find_all("li", recursive=False)


def test_errata_come_from_changes_yml_on_the_page_and_as_a_notice(tiny):
    _, site, _ = tiny
    items = _errata_items(_page(site, "v1.1/book/changes.html"), "page")
    assert len(items) == 1
    assert items[0].find("a")["href"] == "page.html#sec-page-part"
    assert "誤りのあった版 v1.0、訂正した版 v1.1" in items[0].get_text()
    assert [li.get_text(strip=True) for li in items[0].select("ul > li")] == ["誤: 誤りの文(テスト)", "正: 正しい文(テスト)"]
    notice = _page(site, "v1.1/book/page.html").select_one(".page-status")
    assert "このページの訂正 1 件" in notice.get_text()
    assert notice.find("a")["href"] == "changes.html#errata-page"
    assert "訂正" not in _page(site, "v1.0/book/page.html").select_one(".page-status").get_text()
    history = _page(site, "v1.1/book/changes.html").get_text()
    assert "v1.1(2026年2月20日公開)" in history and "v1.0(2026年1月10日公開)" in history


def test_the_edition_role_gives_the_edition_url_once(tiny):
    _, site, _ = tiny
    assert f"版のURLは{SITE}v1.1/です" in _page(site, "v1.1/book/intro.html").get_text()
    assert f"版のURLは{SITE}v1.0/です" in _page(site, "v1.0/book/intro.html").get_text()


def test_report_links_prefill_page_section_edition_and_url(tiny):
    _, site, _ = tiny
    link = _page(site, "v1.1/book/page.html").select_one(".report-link a")["href"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REPO + "/issues/new"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["template"] == "report.yml"
    assert query["edition"] == "v1.1"
    assert query["url"] == SITE + "v1.1/book/page.html#sec-page-part"
    assert query["section"].endswith("節")


def test_a_second_run_reuses_the_built_editions(tiny):
    repo, site, cache = tiny
    # ビルドのコマンドが失敗するものでも、タグのコミットが変わっていなければ成功する(作り直さない)
    editions.main(["--repo", str(repo), "--site", str(site), "--cache", str(cache), "--build", "false"])
    assert "第1版の文です" in _page(site, "v1.0/book/page.html").get_text()
    hrefs = [a["href"] for a in _page(site, "v1.0/book/page.html").select("a.btn-edition-button")]
    assert len(hrefs) == 3, "stamping twice must not duplicate the menu items"


# --- この本のサイト(make book の _build/html) ------------------------------------------------------

CHANGES = yaml.safe_load((ROOT / "book" / "changes.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
FORM = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "report.yml").read_text(encoding="utf-8"))
PAGES = [name for name in toc_files() if name.startswith("book/")]
_pages = {}


def page(site, name) -> BeautifulSoup:
    """ビルドしたページ(このモジュールで 1 回だけ読む。読んだものを書き換えないこと)。"""
    if name not in _pages:
        _pages[name] = built_page(site, name)
    return _pages[name]


def test_errata_page_lists_every_entry_of_changes_yml_under_its_page(site):
    soup = page(site, "book/changes")
    for name in dict.fromkeys(e["page"] for e in CHANGES["errata"]):
        entries = [e for e in CHANGES["errata"] if e["page"] == name]
        items = _errata_items(soup, name)
        assert soup.find(id=f"errata-{name}").find("a")["href"] == f"{name}.html"
        assert len(items) == len(entries), f"{name}: {len(items)} items for {len(entries)} entries"
        target = page(site, f"book/{name}")
        for item, entry in zip(items, entries):
            assert item.find("a")["href"] == f"{name}.html#{entry['anchor']}"
            assert target.find(id=entry["anchor"]) is not None, f"{name}#{entry['anchor']} does not exist"
            assert f"誤りのあった版 v{entry['found']}、訂正した版 v{entry['fixed']}" in item.get_text()
            labels = [li.find("strong").get_text() for li in item.select("ul > li")]
            assert labels == ["誤", "正"], labels


def test_changelog_lists_every_edition_newest_first(site):
    soup = page(site, "book/changes")
    ids = [tag["id"] for tag in soup.select("p.rubric[id^=changes-v]")]
    assert ids == [f"changes-v{e['version'].replace('.', '-')}" for e in CHANGES["editions"]]
    for entry in CHANGES["editions"]:
        text = soup.find(id=f"changes-v{entry['version'].replace('.', '-')}").get_text()
        date = entry.get("date")
        assert (f"{date.year}年{date.month}月{date.day}日公開" if date else "未公開") in text


def test_pages_with_errata_carry_a_notice_with_their_count(site):
    for name in PAGES:
        count = sum(e["page"] == name.removeprefix("book/") for e in CHANGES["errata"])
        status = page(site, name).select_one("article .page-status")
        text = status.get_text() if status else ""
        if count:
            assert f"このページの訂正 {count} 件" in text, f"{name}: {text!r}"
            assert status.find("a")["href"] == f"changes.html#errata-{name.removeprefix('book/')}"
        else:
            assert "訂正" not in text, f"{name} has no errata but says {text!r}"


# changes.yml の内容(版・訂正の一覧、最新の版)を載せるページ。その日付は changes.yml の変更も数える
FROM_CHANGES_YML = {"book/changes", "book/citing"}


def test_each_page_shows_the_date_of_its_last_commit(site):
    for name in PAGES:
        sources = [f"{name}.md"] + (["book/changes.yml"] if name in FROM_CHANGES_YML else [])
        day = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%cs", "--", *sources],
                             capture_output=True, text=True, check=True).stdout.strip()
        date = datetime.date.fromisoformat(day)
        expected = f"最終更新: {date.year}年{date.month}月{date.day}日"
        assert expected in page(site, name).select_one("article .page-status").get_text(), name


def _query(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CONFIG["repository"]["url"] + "/issues/new", href
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_every_section_has_a_report_link_prefilled_for_that_section(site):
    fields = {item["id"] for item in FORM["body"] if "id" in item}
    site_url = CONFIG["html"]["baseurl"]
    count = 0
    for name in PAGES:
        soup = built_page(site, name)
        for heading in soup.select("article section > :is(h2, h3, h4)[id]"):
            link = heading.find_next_sibling()
            assert link is not None and "report-link" in (link.get("class") or []), f"{name}#{heading['id']}"
            query = _query(link.find("a")["href"])
            assert query.pop("template") == "report.yml" and query.pop("title").startswith("[指摘] ")
            assert set(query) <= fields, f"fields not in the form: {set(query) - fields}"
            # 自動の id(#id4)は節が増えると変わるので、その節ではページの URL だけ
            anchor = "" if re.fullmatch(r"id\d+", heading["id"]) else f"#{heading['id']}"
            assert query["url"] == f"{site_url}{name}.html{anchor}"
            number = heading.select_one(".section-number")
            number = number.extract().get_text(strip=True).rstrip(".") if number else ""
            title = heading.get_text("", strip=True).rstrip("#")
            plain = re.sub(r"\\[()]|\$|\s", "", query["section"])  # 見出しの式は $…$、ページでは \(…\)
            assert plain == re.sub(r"\\[()]|\s", "", number + title), (query["section"], title)
            assert query["edition"].startswith("最新版(main")
            count += 1
    assert count > 100, f"only {count} sections have a report link"
    assert count == sum(len(page(site, name).select(".report-link")) for name in PAGES), \
        "report links outside headed sections (e.g. inside an exercise solution)"


def test_header_opens_the_report_form_for_the_page_instead_of_the_theme_default(site):
    for name in PAGES:
        html = (site / f"{name}.html").read_text(encoding="utf-8")
        assert "Your issue content here" not in html, name
        soup = BeautifulSoup(html, "html.parser")
        query = _query(soup.select_one(".article-header-buttons a.btn-source-issues-button")["href"])
        assert query["url"] == f"{CONFIG['html']['baseurl']}{name}.html"


def test_a_plain_build_lists_the_latest_edition_and_the_changes_page(site):
    menu = page(site, "book/linear-regression").select_one(".dropdown-edition-buttons")
    assert [a.get_text(strip=True) for a in menu.select("a.btn-edition-button")] == ["最新版"]
    assert menu.select_one("a.btn-changes-button")["href"] == "changes.html"


def test_the_report_form_has_the_fields_the_links_fill():
    ids = [item.get("id") for item in FORM["body"]]
    assert {"kind", "page", "section", "edition", "url", "details"} <= set(ids)
    kind = next(item for item in FORM["body"] if item.get("id") == "kind")
    assert kind["attributes"]["options"] == ["誤り", "わかりにくい箇所", "質問"]


def test_the_package_version_is_the_released_edition():
    edition = next(e for e in CHANGES["editions"] if e.get("date"))
    assert dlmath.__version__ == f"{edition['version']}.0"
