// textlint の設定(`make lint` / `npx textlint "book/**/*.md"`)。
// 文体の決まりは BOOK.md の「Writing style」: です・ます調、全角の「、」「。」、半角の数字と英字、
// 日本語と半角文字のあいだに空白を入れない。例外は規則ごと・パターンごとに、理由を添えてここに書きます。
"use strict";
const path = require("node:path");

module.exports = {
  plugins: {
    // MyST の数式・ロール・ディレクティブ・ラベルを散文として校正しないための、リポジトリ内のプラグイン。
    // 何をどう読み替えるかは tools/textlint-plugin-myst.js の冒頭に書いてあります。
    [path.join(__dirname, "tools", "textlint-plugin-myst.js")]: true
  },
  rules: {
    "preset-ja-technical-writing": {
      // 本文も箇条書きも、です・ます調にそろえます(プリセットの既定では箇条書きは「である」調)。
      // 箇条書きの体言止め(「〜の関係」)は、どちらの調子とも判定されないのでそのまま使えます。
      "no-mix-dearu-desumasu": {
        preferInHeader: "",
        preferInBody: "ですます",
        preferInList: "ですます",
        strict: false
      }
    },
    // BOOK.md の決まり: 日本語と半角の英数字のあいだに空白を入れない(`5人分`、`NumPyの配列`)。
    "ja-space-between-half-and-full-width": { space: "never" },
    // 同じ決まりを、インラインコード・インライン数式・MyST のロールの前後にも当てはめます
    // (プラグインが数式とロールをインラインコードとして渡すので、この規則が数式の前後も見ます)。
    "ja-space-around-code": { before: false, after: false },
    // 全角文字どうしのあいだにも空白を入れない。
    "ja-no-space-between-full-width": true
  }
};
