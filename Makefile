# 使い方は README.md を参照。`make book` と `make test` だけで、.venv の作成から行います。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB_FLAGS := --builder html -W -n --keep-going

.PHONY: setup book test test-book serve clean
.DEFAULT_GOAL := book

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 以上が必要です: " + sys.version) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

## サイトを _build/html に作ります(実行結果は _build/.jupyter_cache にキャッシュ)。
book: setup
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## ゲート: 差分ビルドでは変更のないページが読み直されないので、doctrees を消してから作り直します。
test-book: setup
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . $(JB_FLAGS)

test: test-book
	$(BIN)/python -m pytest

## 編集しながらプレビュー(保存すると再ビルドしてブラウザを再読み込み)。
serve: setup
	$(BIN)/sphinx-autobuild . _build/html --port 8000 \
	  --watch src --ignore "*/_build/*" --ignore "*/.venv/*" \
	  -c _build/sphinx-conf -b html -n || true

clean:
	rm -rf _build
