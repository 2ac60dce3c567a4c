/* テーマの足りないところを補う小さなスクリプト(_config.yml の html_js_files で defer で読み込む)。 */
"use strict";

/* 章の一覧(☰)とこのページの目次のボタン。pydata-sphinx-theme 0.17.1 と sphinx-book-theme 1.3.0 は、
   ページで最初の .primary-toggle / .secondary-toggle(ヘッダーの中の、常に隠れているボタン)にだけ動きを
   付けるので、見えているボタンは押しても何も起きません(pydata-sphinx-theme #2451、sphinx-book-theme #988)。
   見えているボタンのクリック(タップ、Enter、スペース)を、動きの付いた最初のボタンに渡します。
   幅 992px 以上では章の一覧を畳み、それより狭いと一覧をダイアログで開きます(どちらもテーマの動き)。 */
function forwardSidebarToggles() {
  for (const kind of ["primary", "secondary"]) {
    const [wired, ...visible] = document.querySelectorAll(`.${kind}-toggle`);
    const dialog = document.getElementById(`pst-${kind}-sidebar-modal`);
    const sidebar = document.getElementById(`pst-${kind}-sidebar`);
    // ボタンが開いているかどうかを読み上げにも伝える(aria-expanded)。狭い画面ではダイアログ、広い画面では横の欄。
    const update = () => {
      const open = dialog?.open || (sidebar !== null && sidebar.offsetWidth > 0 && getComputedStyle(sidebar).visibility !== "hidden");
      for (const button of visible) button.setAttribute("aria-expanded", String(Boolean(open)));
    };
    for (const button of visible) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        wired.click();
        setTimeout(update, 400);  // 広い画面で欄を畳むテーマの動き(CSS の transition)が終わってから
        update();
      });
    }
    // 最初の値は load のあとで読む(読み込みの途中で幅を読むと、ページ全体のレイアウトをその場でさせてしまう)
    if (document.readyState === "complete") update(); else window.addEventListener("load", update);
    window.addEventListener("resize", update);
    // 一覧のリンクをタップしたら一覧を閉じる(同じページの中の節へのリンクでは、閉じないと後ろで移った本文が見えない)
    dialog?.addEventListener("click", (event) => {
      if (event.target.closest("a[href]")) dialog.close();
    });
    dialog?.addEventListener("close", update);
  }
}

/* 式をコピーしたときに TeX で渡します。ページの式はビルドのときに組版した HTML(mjx-container)で、
   そのままコピーすると記号がばらばらの文字になるか、消えます(字形は CSS が描くので)。選んだ範囲にかかる式は
   まるごと含め、読み上げ用の MathML に入れてある TeX(annotation)に置き換えます: 文中の式は $...$、
   別の行の式は $$...$$。 */
function copyFormulasAsTex(event) {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0).cloneRange();
  const formulaOf = (node) => (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest("mjx-container");
  const [start, end] = [formulaOf(range.startContainer), formulaOf(range.endContainer)];
  if (start) range.setStartBefore(start);
  if (end) range.setEndAfter(end);
  const fragment = range.cloneContents();
  const formulas = fragment.querySelectorAll("mjx-container");
  if (formulas.length === 0) return;
  for (const formula of formulas) {
    const tex = formula.querySelector('annotation[encoding="application/x-tex"]')?.textContent.trim() ?? "";
    formula.replaceWith(formula.hasAttribute("display") ? `\n$$${tex}$$\n` : `$${tex}$`);
  }
  // 段落の区切りを改行として残すため、画面の外に置いて innerText で読む
  const holder = document.createElement("div");
  holder.style.cssText = "position: fixed; left: -10000px; top: 0; white-space: normal;";
  holder.append(fragment);
  document.body.append(holder);
  const text = holder.innerText;
  holder.remove();
  event.clipboardData.setData("text/plain", text);
  event.preventDefault();
}

/* sphinx-copybutton 0.5.2 のコピーのボタンの文字には日本語がないので足します。copybutton.js はページの
   言語(html lang="ja")の文字を DOMContentLoaded で使うので、それより前(defer のスクリプトの実行時)に入れます。 */
function japaneseCopyButton() {
  if (typeof messages !== "object" || typeof locale !== "string") return;
  messages.ja = {
    copy: "コピー",
    copy_to_clipboard: "クリップボードにコピー",
    copy_success: "コピーしました",
    copy_failure: "コピーできませんでした",
  };
  if (document.documentElement.lang === "ja") locale = "ja";
  // copybutton.js も defer なので、ボタンはこのスクリプトより先に英語で作られています。作られたボタンの文字も直します。
  for (const button of document.querySelectorAll(".copybtn")) {
    button.dataset.tooltip = messages.ja.copy;
    const title = button.querySelector("title");
    if (title) title.textContent = messages.ja.copy_to_clipboard;
  }
}

/* テンプレートに英語で直接書かれた読み上げ用の名前(翻訳の仕組みを通らないもの)と、sphinx-togglebutton が
   折りたたんだ解答のボタンに付ける名前を日本語にします。 */
const ARIA_LABELS = {
  "nav.bd-docs-nav": "章の一覧",             // sphinx-book-theme の sbt-sidebar-nav.html の "Main"
  "#jb-print-toc nav": "目次",               // sphinx-book-theme の layout.html の印刷用の目次 "Page"
  "button.toggle-button": "解答を表示・非表示",  // sphinx-togglebutton の "Toggle hidden content"
  "#pst-primary-sidebar-modal": "章の一覧",   // テーマのダイアログには名前がない
  "#pst-secondary-sidebar-modal": "このページの目次",
  "#pst-search-dialog": "検索",
};

function japaneseAriaLabels() {
  for (const [selector, label] of Object.entries(ARIA_LABELS)) {
    for (const element of document.querySelectorAll(selector)) element.setAttribute("aria-label", label);
  }
}

/* 検索結果から開いたとき(URL に ?pagefind-highlight=語)、本文のその語に印を付け、開いた節の中の最初の印を
   画面に出します。Pagefind の pagefind-highlight.js(約 44 KB)は、このときだけ読みます。 */
async function highlightSearchTerms() {
  if (!new URLSearchParams(location.search).has("pagefind-highlight")) return;
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  const {default: PagefindHighlight} = await import(new URL("pagefind/pagefind-highlight.js", root).href);
  new PagefindHighlight({addStyles: false});
  const section = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1)))?.closest("section") : null;
  const first = (section || document).querySelector("mark.pagefind-highlight");
  if (first) first.scrollIntoView({block: "center"});
}

japaneseCopyButton();
highlightSearchTerms().catch((error) => console.warn("検索語に印を付けられませんでした:", error));
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", forwardSidebarToggles);
} else {
  forwardSidebarToggles();
}
document.addEventListener("copy", copyFormulasAsTex);
// sphinx-togglebutton は DOMContentLoaded でボタンを作るので、その後(load)にも名前を直します。
japaneseAriaLabels();
window.addEventListener("load", japaneseAriaLabels);
