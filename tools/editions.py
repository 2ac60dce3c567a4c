"""公開する版をサイトに組み込みます(make editions、deploy のワークフロー)。

サイトのルート(_build/html)は main の最新版です。リポジトリのタグ ``vX.Y`` のそれぞれを、そのタグの作業ツリーで
ビルドし(``DLMATH_EDITION=vX.Y``、_ext/editions.py がその版の URL と帯にします)、サイトの ``vX.Y/`` に置きます。
版のビルドは ``_build/editions/vX.Y/`` にとっておき(タグのコミットを ``.commit`` に記録)、タグが同じコミットを
指している間は作り直しません。

最後に、ルートとすべての版のページのヘッダーの「版」のメニューを、公開する版の一覧で書き直します。各項目は
その版の同じページ(その版にないページなら、その版のはじめのページ)を指します。古い版の帯の「最新版のこのページ」も、
最新版にないページならはじめのページを指すようにします。

    python tools/editions.py [--build "make book pdf downloads"] [--site _build/html] [--cache _build/editions]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

TAG = re.compile(r"v(\d+)\.(\d+)")
MENU = re.compile(r'(<div class="dropdown dropdown-edition-buttons">.*?<ul class="dropdown-menu">)(.*?)(</ul>)', re.S)
ITEM = re.compile(r"\s*<li>(?:(?!</li>).)*?btn-edition-button.*?</li>", re.S)
LATEST = re.compile(r'(<a class="edition-latest" href=")([^"]*)(")')
START = "book/intro.html"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def release_tags(repo: Path) -> list[str]:
    """公開する版のタグ(vX.Y)を、新しい版から順に。"""
    tags = [t for t in git(repo, "tag", "--list", "v*").split() if TAG.fullmatch(t)]
    return sorted(tags, key=lambda t: tuple(map(int, TAG.fullmatch(t).groups())), reverse=True)


def build_edition(repo: Path, tag: str, cache: Path, command: list[str]) -> Path:
    """タグの版のサイトを cache/tag に作る(同じコミットの版があれば作らない)。"""
    commit = git(repo, "rev-list", "-n", "1", tag)
    target = cache / tag
    if (target / ".commit").is_file() and (target / ".commit").read_text().strip() == commit:
        print(f"editions: {tag} ({commit[:7]}) は作ってあるので、そのまま使います")
        return target
    work = cache / f".work-{tag}"
    if work.exists():
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    git(repo, "worktree", "add", "--detach", str(work), tag)
    try:
        print(f"editions: {tag} ({commit[:7]}) をビルドします: {shlex.join(command)}", flush=True)
        subprocess.run(command, cwd=work, check=True, env={**os.environ, "DLMATH_EDITION": tag})
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(work / "_build" / "html", target)
        (target / ".commit").write_text(commit + "\n")
    finally:
        git(repo, "worktree", "remove", "--force", str(work))
    return target


def menu_items(page: str, here: str, editions: list[tuple[str, Path]], site: Path) -> str:
    """page(版の中のパス)を開いている版 here のメニューの項目。"""
    page = START if page == "index.html" else page  # ルートの index.html は <base href="book/intro.html"> の写し
    up = "../" * (page.count("/") + (0 if here == "" else 1))
    items = []
    for name, root in editions:
        target = page if (root / page).is_file() else START
        href = up + (f"{name}/" if name else "") + target
        label = name or "最新版"
        current = ' aria-current="page"' if name == here else ""
        mark = "✓ " if name == here else ""
        items.append(
            f'\n<li><a href="{html.escape(href)}" class="btn btn-sm btn-edition-button dropdown-item"{current} '
            f'title="{html.escape(label)}の同じページ"><span class="btn__text-container">{mark}{label}</span></a></li>'
        )
    return "".join(items)


def stamp(site: Path, editions: list[tuple[str, Path]]) -> int:
    """すべての版のページの「版」のメニューを書き直し、古い版の帯のリンクを確かめる。書き直したページの数を返す。"""
    count = 0
    for name, root in editions:
        for path in root.rglob("*.html"):
            page = path.relative_to(root).as_posix()
            if name == "" and TAG.fullmatch(page.split("/", 1)[0]):
                continue  # ルートの中の版は、その版として書き直す
            text = path.read_text(encoding="utf-8")
            match = MENU.search(text)
            if not match:
                continue  # 検索の索引の断片など、ヘッダーのないファイル
            body = ITEM.sub("", match.group(2))
            new = text[: match.start(2)] + menu_items(page, name, editions, site) + body + text[match.end(2) :]
            if name and not (site / page).is_file():
                new = LATEST.sub(lambda m: m.group(1) + "../" * (page.count("/") + 1) + START + m.group(3), new)
            path.write_text(new, encoding="utf-8")
            count += 1
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="タグを読むリポジトリ")
    parser.add_argument("--site", type=Path, default=Path("_build/html"), help="main のサイト(ここに版を置く)")
    parser.add_argument("--cache", type=Path, default=Path("_build/editions"), help="版のビルドをとっておく場所")
    parser.add_argument("--build", default="make book pdf downloads", help="タグの作業ツリーでサイトを作るコマンド")
    args = parser.parse_args(argv)
    repo, site, cache = args.repo.resolve(), args.site.resolve(), args.cache.resolve()
    if not (site / START).is_file():
        sys.exit(f"editions: {site / START} がありません。先に main のサイトを作ってください(make book)")
    cache.mkdir(parents=True, exist_ok=True)
    tags = release_tags(repo)
    for old in site.iterdir():
        if old.is_dir() and TAG.fullmatch(old.name) and old.name not in tags:
            shutil.rmtree(old)
    editions = [("", site)]
    for tag in tags:
        built = build_edition(repo, tag, cache, shlex.split(args.build))
        shutil.rmtree(site / tag, ignore_errors=True)
        shutil.copytree(built, site / tag, ignore=shutil.ignore_patterns(".commit"))
        editions.append((tag, site / tag))
    count = stamp(site, editions)
    print(f"editions: 最新版と {len(tags)} 個の版({', '.join(tags) or 'なし'})、{count} ページの版のメニューを書き直しました")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
