"""ページに同じ <script> が 2 回書かれないようにする Sphinx 拡張。

sphinx-thebe 0.3.1 は設定を ``const THEBE_JS_URL = ...`` というインラインのスクリプトで入れますが、
Sphinx 7 ではこれがアプリとビルダーの両方に登録され、全ページに 2 回書き出されます。2 回目は
「Identifier 'THEBE_JS_URL' has already been declared」というエラーになり、ブラウザのテスト
(tests/test_browser.py: ページのエラーなし)で見つかりました。中身も属性も同じものは、最初の 1 つだけ残します。
"""

from __future__ import annotations


def _key(script) -> tuple:
    return (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # ほかの拡張がページごとのスクリプトを足し終えた後に整理します。
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
