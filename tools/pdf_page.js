// PDF 版(tools/pdf.py)のために、ビルドしたページ 1 枚の本文を印刷用に直して返します。
// Playwright の page.evaluate に関数として渡します。引数 args:
//   slug: このページの名前(例 "linear-regression")。id の前に付けて、1 つの文書の中で重ならないようにします。
//   pages: サイトの中のパス(例 "book/glossary.html")→ そのページの slug。PDF に入るページへのリンクは PDF の中へ。
//   siteRoot: ビルドしたサイトの根の file:// URL。siteUrl: 公開先(PDF に入らないページとファイルはそこへリンク)。
//   shift: 見出しの段を下げる数(部の中の章は 1: 章が h2 になり、PDF のしおりで部の下に入ります)。
// 返り値: {body: 本文の HTML, solutions: 章末に回す解答の HTML の配列, headings: 目次にのせる見出し}
(args) => {
  const article = document.querySelector("article.bd-article [data-pagefind-body]")
    || document.querySelector("article.bd-article");
  const prefix = (id) => `${args.slug}--${id}`;

  // Web だけのもの: 見出しのリンク記号、隠したコード(出力は残す)、スクリプト、Web でだけ意味のある文(web-only)、
  // アニメーション(印刷用に添えてある最後のコマの図 .dlmath-animation-still が残る: dlmath.plotting.animation_html)。
  // 読み上げ用の MathML は、数式の字形がそのまま PDF の文字になるので除く(PDF の構造が数万の要素で重くなる)。
  // 見出しの中の式は、その文字(例 w0)を見えない大きさの文字で残す: PDF のしおりの題は見出しの描かれた文字から
  // 作られ、式の字形(CSS の content)も隠した MathML も入らないので、ないと「3.7.1. での偏微分」になる。
  article.querySelectorAll(".headerlink, .tag_hide-input details.above-input, script, style, .web-only, .animation")
    .forEach((el) => el.remove());
  article.querySelectorAll("mjx-assistive-mml").forEach((el) => {
    if (el.closest("h1, h2, h3, h4, h5, h6")) {
      const text = document.createElement("span");
      text.className = "pdf-outline-text";
      el.querySelectorAll("annotation").forEach((tex) => tex.remove());  // TeX の原文は除き、MathML の文字だけ
      text.textContent = el.textContent.replace(/\s+/g, "");
      el.replaceWith(text);
    } else {
      el.remove();
    }
  });
  // 図をクリックすると画像のファイルを開くリンク(Sphinx)は、紙では意味がないので外す
  article.querySelectorAll("a.reference.image").forEach((a) => a.replaceWith(...a.childNodes));
  // 画像は遅延読み込みにしない(印刷のときに読み込まれていないと空白になる)
  article.querySelectorAll("img").forEach((img) => {
    img.removeAttribute("loading");
    img.removeAttribute("decoding");
  });
  // セルが出した図(印刷用のビルドでは SVG)の幅・高さは pt 単位の大きさ。Web 版の PNG(100 dpi: 1 インチ = 100 px)と
  // 同じ大きさに見せるため 100/72 倍する(はみ出す分は CSS の max-width で段の幅に収まる)。
  article.querySelectorAll('.cell_output img[src$=".svg"]').forEach((img) => {
    for (const side of ["width", "height"]) {
      if (img.hasAttribute(side)) img.setAttribute(side, Math.round(Number(img.getAttribute(side)) * 100 / 72));
    }
  });

  // リンク: PDF に入るページへはこの文書の中の id へ、それ以外のサイトのファイルは公開先の URL へ
  article.querySelectorAll("a[href]").forEach((a) => {
    const url = new URL(a.getAttribute("href"), location.href);
    if (!url.href.startsWith(args.siteRoot)) return;  // 外部のリンクはそのまま
    const path = decodeURI(url.pathname.slice(new URL(args.siteRoot).pathname.length));
    const target = args.pages[path];
    if (target === undefined) {
      a.setAttribute("href", args.siteUrl + path + url.hash);
    } else {
      a.setAttribute("href", "#" + `${target}--` + (url.hash ? decodeURIComponent(url.hash.slice(1)) : "top"));
    }
  });
  article.querySelectorAll("[id]").forEach((el) => { el.id = prefix(el.id); });

  // 解答: 演習問題の直後から抜き出し、章末の「演習問題の解答」に回す。演習問題には解答へのリンクを付ける。
  const solutions = [];
  article.querySelectorAll(".solution").forEach((solution, index) => {
    const exercise = solution.previousElementSibling;
    const number = exercise && exercise.classList.contains("exercise")
      ? exercise.querySelector(".caption-number").textContent.trim() : null;
    if (!number) throw new Error(`${args.slug}: 解答 ${index + 1} の直前に演習問題がありません`);
    const id = prefix(`solution-${index + 1}`);
    const title = solution.querySelector(".admonition-title");
    title.innerHTML = `<a href="#${exercise.id}">${number}</a> の解答`;
    solution.id = id;
    solution.classList.remove("dropdown");
    const link = document.createElement("p");
    link.className = "pdf-solution-link";
    link.innerHTML = `<a href="#${id}">解答(章末)</a>`;
    exercise.append(link);
    solutions.push(solution.outerHTML);
    solution.remove();
  });

  // 見出しの段を下げる(h1 → h2 …)。属性と中身はそのまま移す。
  if (args.shift) {
    article.querySelectorAll("h1, h2, h3, h4, h5").forEach((h) => {
      const level = Math.min(6, Number(h.tagName[1]) + args.shift);
      const moved = document.createElement(`h${level}`);
      for (const attr of h.attributes) moved.setAttribute(attr.name, attr.value);
      moved.append(...h.childNodes);
      h.replaceWith(moved);
    });
  }

  // 目次にのせる見出し: ページの題(最初の見出し)とその直下の節
  const top = 1 + args.shift;
  const headings = [...article.querySelectorAll(`h${top}, h${top + 1}`)].map((h) => ({
    level: Number(h.tagName[1]) - args.shift,
    id: h.id || h.closest("[id]").id,
    text: h.textContent.replace(/\s+/g, " ").trim(),
  }));

  const first = article.querySelector(`h${top}`);
  const anchor = document.createElement("span");
  anchor.id = `${args.slug}--top`;
  first.before(anchor);
  return { body: article.innerHTML, solutions, headings };
}
