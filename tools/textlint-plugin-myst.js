// textlint のプラグイン: MyST Markdown(Jupyter Book のページ)を、散文だけが校正されるように読みます。
//
// textlint 標準の Markdown パーサー(remark)は MyST の拡張を知らないので、そのままでは数式や
// ディレクティブの行まで日本語の文として校正してしまいます。そこで、パースの前に MyST の構文を
// 「同じ長さの別の文字列」に置き換えます(長さを変えないので、エラーの行・桁は元のファイルのままです)。
//
//   $...$(インライン数式)           → `...`(インラインコード。規則は中身を校正しない)
//   {role}`...`({eq} {ref} {term} 等) → `.......`(インラインコード)
//   $$ ... $$ (label)(別行立ての数式) → 空白(段落の区切り)。パース後に下のとおり段落へ戻す
//   (label)= の行                       → 空白
//   :::{directive} の行・:option: の行・閉じの ::: → 空白(中身の段落は散文として校正する)
//   ```{code-cell} などのコードブロック    → そのまま(もともとコードとして扱われる)
//
// パース後、数式とロールのノードの value を短い記号に置き換えます。TeX のソース
// (\boldsymbol{x}\cdot\boldsymbol{w} など)の長さで文の長さが決まらないようにするためです。
// また、別行立ての数式の直前の段落が句点で終わっていない(文が数式をはさんで続いている)ときは、
// 「前の段落 + 数式 + 後の段落」を 1 つの段落にまとめ、文の途中として扱います。
"use strict";

const { parse, Syntax } = require("@textlint/markdown-to-ast");

const FENCE = /^\s*(`{3,}|~{3,})/;
const LABEL = /^(\s*(?:\d+\.\s+|[-*]\s+)?)(\([\w-]+\)=)\s*$/;
const DIRECTIVE = /^\s*:{3,}/;
const OPTION = /^\s*:[\w-]+:/;
const INLINE = /(\{[\w:-]+\})?(`+)[\s\S]*?\2|\$[^$\n]+\$/g;
const MATH_VALUE = "X";
const ROLE_VALUE = "X";

const blank = (s) => s.replace(/[^\n]/g, " ");

function mask(text) {
  const lines = text.split("\n");
  const mathBlocks = [];
  let offset = 0;
  let i = 0;
  let fence = null;
  let inMath = null;
  let afterDirective = false;
  if (lines[0] === "---") {
    // 先頭のメタデータ(jupytext の設定)は remark-frontmatter が扱う
    const end = lines.indexOf("---", 1);
    for (; i <= end; i++) offset += lines[i].length + 1;
  }
  for (; i < lines.length; i++) {
    const line = lines[i];
    const s = line.trim();
    const start = offset;
    offset += line.length + 1;
    if (fence) {
      if (s.startsWith(fence) && /^(`+|~+)$/.test(s)) fence = null;
      continue;
    }
    if (inMath) {
      lines[i] = blank(line);
      if (s.startsWith("$$")) {
        mathBlocks.push({ start: inMath.start, end: start + line.length });
        inMath = null;
      }
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      fence = fenceMatch[1];
      continue;
    }
    if (s.startsWith("$$")) {
      lines[i] = blank(line);
      const closed = s.length > 2 && s.slice(2).includes("$$");
      if (closed) mathBlocks.push({ start, end: start + line.length });
      else inMath = { start };
      continue;
    }
    if (DIRECTIVE.test(line)) {
      lines[i] = blank(line);
      afterDirective = s.replace(/^:+/, "").length > 0;
      continue;
    }
    if (afterDirective && OPTION.test(line)) {
      lines[i] = blank(line);
      continue;
    }
    afterDirective = false;
    const label = LABEL.exec(line);
    if (label) {
      lines[i] = label[1] + blank(line.slice(label[1].length));
      continue;
    }
    lines[i] = line.replace(INLINE, (m, role) => {
      if (m.startsWith("$")) return "`" + m.slice(1, -1).replace(/`/g, "'") + "`";
      if (role) return "`" + m.slice(1, -1).replace(/`/g, "'") + "`";
      return m;
    });
  }
  return { masked: lines.join("\n"), mathBlocks };
}

function walk(node, fn) {
  fn(node);
  if (node.children) node.children.forEach((child) => walk(child, fn));
}

function roleValue(source) {
  // {term}`表示 <用語>` と {term}`用語` は、表示される語をそのまま値にする
  const term = /^\{term\}`([^<`]*?)\s*(<[^>]*>)?`$/.exec(source);
  return term ? term[1] : ROLE_VALUE;
}

function mergeAroundMath(ast, text, mathBlocks) {
  walk(ast, (parent) => {
    if (!parent.children) return;
    for (const block of mathBlocks) {
      const kids = parent.children;
      const before = kids.findIndex((n) => n.type === Syntax.Paragraph && n.range[1] <= block.start &&
        /^\s*$/.test(text.slice(n.range[1], block.start)));
      if (before < 0) continue;
      const prev = kids[before];
      const last = prev.children[prev.children.length - 1];
      if (!last || last.type !== Syntax.Str || /[。:]\s*$/.test(last.value)) continue;
      const math = {
        type: Syntax.Code,
        value: MATH_VALUE,
        raw: text.slice(block.start, block.end),
        range: [block.start, block.end],
        loc: null
      };
      const next = kids[before + 1];
      const joined = [...prev.children, math];
      let end = block.end;
      let remove = 1;
      if (next && next.type === Syntax.Paragraph && /^\s*$/.test(text.slice(block.end, next.range[0]))) {
        joined.push(...next.children);
        end = next.range[1];
        remove = 2;
      }
      const merged = { ...prev, children: joined, range: [prev.range[0], end], raw: text.slice(prev.range[0], end) };
      merged.loc = { start: prev.loc.start, end: next && remove === 2 ? next.loc.end : prev.loc.end };
      math.loc = { start: prev.loc.end, end: merged.loc.end };
      kids.splice(before, remove, merged);
    }
  });
}

function parseMyst(text) {
  const { masked, mathBlocks } = mask(text);
  const ast = parse(masked);
  walk(ast, (node) => {
    if (node.type === Syntax.Code && node.range) {
      const source = text.slice(node.range[0], node.range[1]);
      if (source.startsWith("$")) node.value = MATH_VALUE;
      else if (source.startsWith("{")) node.value = roleValue(source);
    }
  });
  mergeAroundMath(ast, text, mathBlocks);
  return ast;
}

class MystProcessor {
  constructor(options = {}) {
    this.options = options;
  }

  static availableExtensions() {
    return [".md"];
  }

  processor() {
    return {
      preProcess(text) {
        return parseMyst(text);
      },
      postProcess(messages, filePath) {
        return { messages, filePath: filePath || "<myst>" };
      }
    };
  }
}

module.exports = { Processor: MystProcessor, mask, parseMyst };
