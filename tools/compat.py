"""各章のノートブックを、読者の環境に近い 3 つの環境で 1 冊ずつ新しいカーネルで実行し、表にします(make compat)。

- declared: dlmath と、pyproject.toml で宣言した依存(とそれらが必要とするもの)だけ(版は requirements.txt と同じ)。
  本のビルド用の jupyter-book や、テスト用の pytest などは入れません。宣言し忘れた依存があれば、ここで失敗します。
- minimum: 宣言した依存の下限の版(pyproject.toml の ``>=`` の値そのもの)。
- newest: 宣言した依存のいま出ている最新版(版を固定しない)。あれば新しい Python(3.13)で。実行のたびに作り直します。

どの環境にも、ノートブックを動かすカーネル(ipykernel)だけは加えます。ノートブックは本のビルドが書いたもの
(_build/html/_notebooks/、_ext/notebooks.py。先に make book)を、空の一時ディレクトリで実行します。dlmath またはページのコードから出た
DeprecationWarning・PendingDeprecationWarning・FutureWarning はエラーとして扱い、stderr への出力も失敗とします。

環境は _build/compat/<名前>/ に作り、declared と minimum は pyproject.toml・requirements.txt・src/ が変わらない限り作り直しません。
使い方: .venv/bin/python tools/compat.py [declared minimum newest] [--only book/linear-regression] [--markdown]
make test は declared の環境だけを作り(--setup-only)、tests/test_notebooks.py がその環境で各章を実行します。
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import notebooks  # noqa: E402  (_ext/notebooks.py: ビルドしたノートブックの場所)

COMPAT = ROOT / "_build" / "compat"
HTML = Path(os.environ.get("DLMATH_SITE", ROOT / "_build" / "html"))  # tests/conftest.py と同じ
ENVIRONMENTS = ("declared", "minimum", "newest")
KERNEL_PACKAGE = "ipykernel"

# ノートブックの先頭に足すセル: dlmath かページのコード(__main__)から出た非推奨の警告をエラーにする。
STRICT_WARNINGS = """\
import warnings
for _category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
    warnings.filterwarnings("error", category=_category, module=r"(dlmath|__main__)")
"""


def declared_dependencies() -> list[str]:
    """pyproject.toml の [project] dependencies(例: "numpy>=1.26")。"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"])


def package_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower().replace("_", "-")


def lower_bounds() -> list[str]:
    """宣言した依存を、下限の版に固定した指定(numpy>=1.26 → numpy==1.26)。下限のない依存はエラー。"""
    pins = []
    for requirement in declared_dependencies():
        bound = re.search(r">=\s*([\w.]+)", requirement)
        if not bound:
            raise SystemExit(f"pyproject.toml の依存 {requirement!r} に下限(>=)がありません。下限を書き、minimum で試します。")
        pins.append(f"{package_name(requirement)}=={bound.group(1)}")
    return pins


def pinned_constraints() -> str:
    """requirements.txt の固定された版(`-e .` などの行を除く)。declared の環境の制約に使う。"""
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if re.match(r"^[A-Za-z0-9_.-]+(\[.*\])?==", line)) + "\n"


def newest_python() -> str:
    """newest の環境の Python: 3.13 があればそれ、なければこのスクリプトを動かしている Python。"""
    for candidate in ("python3.13", "python3.12"):
        found = shutil.which(candidate)
        if found and subprocess.run([found, "-c", "import venv, ensurepip"], capture_output=True).returncode == 0:
            return found
    return sys.executable


def plan(name: str) -> tuple[str, list[str], str]:
    """環境 name の (Python, pip install の引数, 制約ファイルの中身)。"""
    if name == "declared":
        return sys.executable, [str(ROOT), KERNEL_PACKAGE], pinned_constraints()
    if name == "minimum":
        return sys.executable, [str(ROOT), KERNEL_PACKAGE, *lower_bounds()], ""
    if name == "newest":
        return newest_python(), ["--upgrade", str(ROOT), KERNEL_PACKAGE], ""
    raise SystemExit(f"環境の名前は {ENVIRONMENTS} のどれかです: {name!r}")


def ensure_environment(name: str) -> Path:
    """_build/compat/<name> に venv を作り(入力が変わったときだけ)、その Python のパスを返す。

    依存(Python・pip の引数・制約・pyproject.toml)が変わったら作り直し、src/ だけが変わったときは dlmath だけを
    入れ直します(dlmath はコピーして入れるので、そのままでは古い dlmath でノートブックを実行してしまう)。
    """
    python, args, constraints = plan(name)
    home = COMPAT / name
    env_digest = _digest([python, args, constraints, (ROOT / "pyproject.toml").read_text(encoding="utf-8")])
    src_digest = _digest([(str(f.relative_to(ROOT)), f.read_bytes().hex()) for f in sorted((ROOT / "src").rglob("*.py"))])
    env_stamp, src_stamp = home / ".dlmath-compat", home / ".dlmath-src"
    env_python = home / "bin" / "python"
    pip = [str(env_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    fresh = name != "newest" and env_python.exists() and env_stamp.exists() and env_stamp.read_text() == env_digest
    if fresh and src_stamp.exists() and src_stamp.read_text() == src_digest:
        return env_python
    if fresh:
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True, cwd=home)
        src_stamp.write_text(src_digest)
        return env_python
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(home)], check=True)
    if constraints:
        constraint_file = home / "constraints.txt"
        constraint_file.write_text(constraints, encoding="utf-8")
        pip += ["-c", str(constraint_file)]
    # dlmath はコピーして入れる(-e にしない): 読者が pip install したときと同じ形
    subprocess.run([*pip, *args], check=True, cwd=home)
    kernel = home / "share" / "jupyter" / "kernels" / f"dlmath-{name}"
    kernel.mkdir(parents=True, exist_ok=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(env_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"dlmath ({name})", "language": "python",
    }), encoding="utf-8")
    env_stamp.write_text(env_digest)
    src_stamp.write_text(src_digest)
    return env_python


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def use_kernel(name: str) -> None:
    """このプロセスから開くカーネルの一覧に、環境 name のカーネル dlmath-<name> を加える。"""
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(COMPAT / name / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    ).rstrip(os.pathsep)


def versions(env_python: Path) -> dict[str, str]:
    """環境の Python と、宣言した依存の版。"""
    packages = [package_name(r) for r in declared_dependencies()]
    script = (
        "import json, platform; from importlib.metadata import version; "
        f"print(json.dumps({{'python': platform.python_version(), **{{p: version(p) for p in {packages!r}}}}}))"
    )
    return json.loads(subprocess.run([str(env_python), "-c", script], capture_output=True, text=True, check=True).stdout)


def chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [name for name in names if notebooks.has_code_cells(ROOT / f"{name}.md")]


def run_notebook(docname: str, name: str) -> tuple[float, list[str], nbformat.NotebookNode]:
    """ビルドした章 docname のノートブックを環境 name のカーネルで実行し、(秒, 問題のリスト, 実行した
    ノートブック) を返す。実行したノートブックのセルは、先頭のインストールのセルの後に STRICT_WARNINGS が 1 つ入る。"""
    notebook = notebooks.built_notebook(docname, HTML)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(STRICT_WARNINGS))
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(notebook, timeout=900, kernel_name=f"dlmath-{name}", allow_errors=True,
                                resources={"metadata": {"path": workdir}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{docname} セル {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"{docname} セル {index} の stderr: {output.text.strip()[:300]}")
    if notebook.cells[0].get("outputs"):  # dlmath は入っているので、インストールのセルは何もしないはず
        problems.append(f"{docname}: インストールのセルが動きました(dlmath が import できない)")
    return seconds, problems, notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", nargs="*", help=f"環境の名前({', '.join(ENVIRONMENTS)})。省くとすべて")
    parser.add_argument("--only", action="append", help="この章だけ(例: book/linear-regression)。何度でも")
    parser.add_argument("--markdown", action="store_true", help="結果を Markdown の表で出す")
    parser.add_argument("--setup-only", action="store_true", help="環境を作るだけ(tests/test_notebooks.py が使う)")
    args = parser.parse_args()
    names = args.environments or list(ENVIRONMENTS)
    docnames = args.only or chapters()
    results, problems, env_versions = {}, [], {}
    for name in names:
        env_python = ensure_environment(name)
        env_versions[name] = versions(env_python)
        if args.setup_only:
            continue
        use_kernel(name)
        for docname in docnames:
            seconds, found, _ = run_notebook(docname, name)
            results[docname, name] = (seconds, not found)
            problems += [f"[{name}] {p}" for p in found]
            print(f"{name:9} {docname:40} {seconds:6.1f} s  {'ok' if not found else 'FAILED'}", flush=True)
    if args.setup_only:
        return 0
    print()
    print_table(names, docnames, results, env_versions, args.markdown)
    if problems:
        print("\n" + "\n".join(problems), file=sys.stderr)
        return 1
    return 0


def print_table(names, docnames, results, env_versions, markdown):
    packages = list(next(iter(env_versions.values())).keys())
    rows = [["環境", *packages]] + [[name, *(env_versions[name][p] for p in packages)] for name in names]
    chapter_rows = [["章", *names]] + [
        [docname, *(f"{results[docname, n][0]:.1f}" + ("" if results[docname, n][1] else " 失敗") for n in names)]
        for docname in docnames
    ]
    print(f"マシン: {platform.machine()}, {platform.system()} {platform.release()}")
    for table in (rows, chapter_rows):
        if markdown:
            print("| " + " | ".join(table[0]) + " |\n|" + "---|" * len(table[0]))
            print("\n".join("| " + " | ".join(row) + " |" for row in table[1:]))
        else:
            widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
            print("\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in table))
        print()


if __name__ == "__main__":
    sys.exit(main())
