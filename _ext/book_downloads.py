"""ヘッダーのダウンロードのメニューに、本全体の PDF 版とオフライン版(zip)を加えます。

なぜ: sphinx-book-theme のダウンロードのメニュー(header_buttons/__init__.py)は、そのページの .ipynb・.md と
印刷だけで、本全体のファイルを足す設定がありません。ファイルは make downloads(tools/pdf.py、tools/offline.py)が
サイトの downloads/ に置きます。

いつ外せるか: テーマにメニューの項目を足す設定ができれば(sphinx-book-theme の html_theme_options)要りません。
"""

DOWNLOADS = "downloads"
ITEMS = [
    ("dlmath.pdf", "本全体の PDF", "fas fa-file-pdf", "本全体の PDF 版(番号は Web 版と同じ)をダウンロード"),
    ("dlmath-offline.zip", "オフライン版(zip)", "fas fa-download", "サイト全体とノートブックの zip をダウンロード"),
]


def add_book_downloads(app, pagename, templatename, context, doctree) -> None:
    """ダウンロードのメニューの最後に、本全体のファイルへのリンクを足す。"""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].extend(
                {"type": "link", "url": context["pathto"](f"{DOWNLOADS}/{name}", 1), "text": text, "icon": icon,
                 "tooltip": tooltip, "label": "download-book-button"}
                for name, text, icon, tooltip in ITEMS
            )


def setup(app):
    # テーマがヘッダーのボタンを作る(priority 501)より後に足す。
    app.connect("html-page-context", add_book_downloads, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
