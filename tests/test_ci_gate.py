"""cleancorp as a CI data-prep step: --check, --fail-on thresholds, the pre-commit hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, SEEDS, read_report, run_cli

ESSAY = (FIXTURES / "clean" / "essay.txt").read_bytes()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    return raw


def test_fail_on_removed_ratio_and_dropped_docs(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok = run_cli("clean", str(corpus), "-o", str(out), "--fail-on", "removed-ratio>0.9",
                 "--report", str(tmp_path / "r.jsonl"))
    assert ok.exit_code == 0, ok.stderr
    summary = read_report(tmp_path / "r.jsonl")[-1]
    ratio = summary["removed_bytes"] / summary["bytes_in"]
    assert 0.05 < ratio < 0.9  # the seeds lose their boilerplate, not their text
    crossed = run_cli("clean", str(corpus), "-o", str(out), "--force",
                      "--fail-on", f"removed-ratio>{ratio / 2:.3f}", "--fail-on", "errors>0")
    assert crossed.exit_code == 1
    assert "fail-on: threshold crossed: removed-ratio>" in crossed.stderr
    assert "errors" not in crossed.stderr.split("crossed:")[-1]
    (corpus / "copy.txt").write_bytes((corpus / "003_b459bf39d7e94cfc.txt").read_bytes())
    dropped = run_cli("clean", str(corpus), "-o", str(tmp_path / "o2"), "-q",
                      "--fail-on", "dropped-docs>=1")
    assert dropped.exit_code == 1  # the copy is dropped as a duplicate


def test_fail_on_errors_and_exit_code_precedence(corpus: Path, tmp_path: Path) -> None:
    (corpus / "bad.txt").write_bytes(b"\x00\x01binary" * 10)
    result = run_cli("clean", str(corpus), "-o", str(tmp_path / "out"), "-q",
                     "--fail-on", "errors>0")
    assert result.exit_code == 3  # failed inputs (3) win over a crossed threshold (1)
    result = run_cli("clean", str(corpus), "-o", str(tmp_path / "out"), "--fail-on", "errors>")
    assert result.exit_code == 2 and "fail_on" in result.stderr


def test_check_is_a_gate_on_clean_outputs(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("clean", str(corpus), "-o", str(out), "-q").exit_code == 0
    assert run_cli("clean", str(corpus), "--check", "-q").exit_code == 1
    # cleaned output passes the gate (idempotence), and --check writes nothing
    before = sorted(p.name for p in out.rglob("*"))
    assert run_cli("clean", str(out), "--check", "-q").exit_code == 0
    assert sorted(p.name for p in out.rglob("*")) == before


def test_pre_commit_hook_runs_check_on_staged_files(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is needed for pre-commit")
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    repo = tmp_path / "corpus-repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    hook = next(h for h in _read_hooks() if h["id"] == "cleancorp-check")
    # A local hook with `language: system` runs the installed cleancorp: no network.
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n"
        f"  - id: {hook['id']}\n    name: {hook['name']}\n    entry: {hook['entry']}\n"
        f"    language: system\n    files: '{hook['files']}'\n    require_serial: true\n",
        encoding="utf-8")

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=60)

    git("init", "-q")
    (repo / "clean.txt").write_bytes(ESSAY.replace(b"\n\n", b"\n"))
    git("add", ".")
    run = subprocess.run([str(pre_commit), "run"], cwd=repo, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    (repo / "dirty.txt").write_bytes((SEEDS / "003_b459bf39d7e94cfc.txt").read_bytes())
    git("add", "dirty.txt")
    run = subprocess.run([str(pre_commit), "run"], cwd=repo, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "would change" in run.stdout + run.stderr


def _read_hooks() -> list[dict[str, str]]:
    """The hooks of .pre-commit-hooks.yaml (a flat list of `key: value` maps)."""
    hooks: list[dict[str, str]] = []
    path = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("- "):
            hooks.append({})
            line = line[2:]
        key, _, value = line.strip().partition(":")
        hooks[-1][key.strip()] = value.strip()
    return hooks
