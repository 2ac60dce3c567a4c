// ビルドしたサイトの数式を、ビルドのときに MathJax で組んでおく(Node.js、_ext/offline_mathjax.py が呼ぶ)。
//
//   node _ext/mathjax_prerender.js <サイトのディレクトリ> <記録のJSON>
//
// 読者のブラウザで MathJax(gzip で約 300 KB のスクリプト)が全部の式を組むと、スマートフォンでは 5〜7 秒
// かかっていました。ここで組んだ HTML(CommonHTML)をページに書き込み、ページは CSS とフォントだけを読みます。
// 読み上げのために、どの式にも MathML(mjx-assistive-mml)を添えます。
//
// - 対象は Sphinx が書く <span class="math …">\(…\)</span> と <div class="math …">…\[…\]</div> です。
// - TeX の誤りはビルドの失敗にします(MathJax の noerrors/noundefined は使いません)。
// - CSS は全ページの式で使う字形のぶんだけ作ります(_static/mathjax/chtml.css)。差分ビルドでは書き直さない
//   ページもあるので、ページごとの式の TeX を記録の JSON に残し、CSS はすべてのページの式から作ります。
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {CHTML} = require("mathjax-full/js/output/chtml.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {AssistiveMmlHandler} = require("mathjax-full/js/a11y/assistive-mml.js");
const {AllPackages} = require("mathjax-full/js/input/tex/AllPackages.js");

const INLINE = /(<span class="math notranslate nohighlight">)\\\(([\s\S]*?)\\\)(<\/span>)/g;
const DISPLAY = /(<div class="math notranslate nohighlight"[^>]*>\s*(?:<span class="eqno">[\s\S]*?<\/span>)?)\s*\\\[([\s\S]*?)\\\]\s*(<\/div>)/g;
const ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"};

function unescapeHtml(text) {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]);
}

// 読み上げ用の MathML に、元の TeX を <annotation> として添えます(MathML の決まった書き方)。読み上げソフトは
// 読まず、式の TeX を取り出したい人やテストが使います。検索の索引には入れません(data-pagefind-ignore)。
function withSource(html, tex) {
  const escaped = tex.trim().replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return html.replace(/(<math\b[^>]*>)([\s\S]*)(<\/math>)/, (match, open, body, close) =>
    `${open}<semantics><mrow>${body}</mrow><annotation encoding="application/x-tex" data-pagefind-ignore>` +
    `${escaped}</annotation></semantics>${close}`);
}

function makeConverter() {
  const adaptor = liteAdaptor();
  AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
  const packages = AllPackages.filter((name) => !["noerrors", "noundefined"].includes(name));
  const doc = mathjax.document("", {
    InputJax: new TeX({packages}),
    OutputJax: new CHTML({fontURL: "fonts", adaptiveCSS: true}),
  });
  const convert = (tex, display, where) => {
    const html = adaptor.outerHTML(doc.convert(tex, {display}));
    const error = html.match(/data-mjx-error="([^"]*)"/);
    if (error) throw new Error(`${where}: TeX の誤り「${error[1]}」: ${tex.trim()}`);
    return withSource(html, tex);
  };
  const styleSheet = () => adaptor.textContent(doc.outputJax.styleSheet(doc));
  return {convert, styleSheet};
}

function htmlFiles(dir) {
  return fs.readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile() && entry.name.endsWith(".html"))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

function main(site, recordPath) {
  const {convert, styleSheet} = makeConverter();
  const record = fs.existsSync(recordPath) ? JSON.parse(fs.readFileSync(recordPath, "utf-8")) : {};
  const pages = new Set();
  const rendered = new Set();  // 今回組んだページ(その字形はもう数えてある)
  let converted = 0;
  for (const file of htmlFiles(site)) {
    const page = path.relative(site, file);
    pages.add(page);
    const source = fs.readFileSync(file, "utf-8");
    const formulas = [];
    const render = (display) => (match, open, tex, close) => {
      tex = unescapeHtml(tex);
      formulas.push([tex, display]);
      return open + convert(tex, display, page) + close;
    };
    const html = source.replace(INLINE, render(false)).replace(DISPLAY, render(true));
    if (formulas.length) {
      fs.writeFileSync(file, html);
      record[page] = formulas;
      rendered.add(page);
      converted += formulas.length;
    } else if (!(page in record) || !source.includes("mjx-container")) {
      record[page] = [];
    }
  }
  for (const page of Object.keys(record)) if (!pages.has(page)) delete record[page];
  // CSS: 今回書き直さなかったページの式も組み直して、使う字形をすべて数えます。
  for (const [page, formulas] of Object.entries(record)) {
    if (!rendered.has(page)) for (const [tex, display] of formulas) convert(tex, display, page);
  }
  const css = path.join(site, "_static", "mathjax", "chtml.css");
  fs.mkdirSync(path.dirname(css), {recursive: true});
  fs.writeFileSync(css, styleSheet());
  fs.mkdirSync(path.dirname(recordPath), {recursive: true});
  fs.writeFileSync(recordPath, JSON.stringify(record));
  const total = Object.values(record).reduce((n, formulas) => n + formulas.length, 0);
  console.log(`MathJax: ${converted} 個の式を組みました(サイト全体で ${total} 個、CSS ${fs.statSync(css).size} バイト)`);
}

main(process.argv[2], process.argv[3]);
