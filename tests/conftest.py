"""Shared test helpers: the CLI through click's runner, small corpora on disk."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cleancorp.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"


def run_cli(*args: str, input: bytes | str | None = None, cwd: Path | None = None) -> Result:
    """Run `cleancorp ARGS` in-process (in folder `cwd`); stdout and stderr are kept apart."""
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def read_report(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_timing(records: list[dict]) -> list[dict]:
    """Report records with the fields that legitimately differ between runs removed."""
    out = []
    for rec in records:
        rec = dict(rec)
        if rec.get("type") == "summary":
            rec.pop("seconds", None)
            rec["config"] = {k: v for k, v in rec["config"].items()
                             if k not in ("jobs", "output", "report")}
        out.append(rec)
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below `root` (the .cleancorp state folder aside) by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".cleancorp" not in p.relative_to(root).parts}


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "raw"
    shutil.copytree(SEEDS, dst, ignore=shutil.ignore_patterns("README.md"))
    return dst


def load_cases(name: str) -> list[dict]:
    """The cases of `fixtures/cases/<name>.json` (ftfy's case-file format)."""
    return json.loads((FIXTURES / "cases" / f"{name}.json").read_text(encoding="utf-8"))


def case_params(name: str) -> list[object]:
    """The cases of a filter as pytest parameters: known failures (`expect: fail`)
    run as strict xfails, so a fix shows up as a loud XPASS."""
    return [pytest.param(c, id=c["label"],
                         marks=[pytest.mark.xfail(strict=True)] if c["expect"] == "fail" else [])
            for c in load_cases(name)]
