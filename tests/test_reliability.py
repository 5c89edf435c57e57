"""Bad input, interruptions and paths: one bad file never stops the run or loses data."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS, read_report, run_cli, tree_bytes

from cleancorp.cli import main
from cleancorp.config import build_config
from cleancorp.report import Report
from cleancorp.runner import Runner, plan_run

PYTHON = sys.executable
GOOD = (FIXTURES / "clean" / "essay.txt").read_bytes()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534


def cleancorp_cmd(*args: str) -> list[str]:
    return [PYTHON, "-m", "cleancorp", *args]


def checksums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder an unprivileged user can work in (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="cleancorp-rel-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_unprivileged(*args: str) -> tuple[int, str]:
    """`cleancorp ARGS` in a forked child that drops root (CI runs as root, where
    permissions would not bite). Forked, not exec'd: the interpreter may live
    where `nobody` cannot execute it. Returns (exit code, stderr)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.close(read_end)
            if IS_ROOT:
                # The interpreter's own files may be unreadable to `nobody`: do one
                # privileged run first so every module the command needs is imported.
                import encodings
                import pkgutil

                for info in pkgutil.iter_modules(encodings.__path__):
                    with contextlib.suppress(Exception):
                        importlib.import_module(f"encodings.{info.name}")
                warm = Path(tempfile.mkdtemp())
                (warm / "in").mkdir()
                (warm / "in" / "a.txt").write_bytes(GOOD)
                (warm / "in" / "b.txt").write_bytes(b"")
                rng = random.Random(1)
                (warm / "in" / "c.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(999)))
                (warm / "in" / "d.txt").write_bytes(GOOD.decode().encode("gb18030"))
                CliRunner().invoke(main, ["clean", str(warm / "in"), "-o", str(warm / "out"),
                                          "--report", str(warm / "r.jsonl"), "-j", "1"])
                CliRunner().invoke(main, ["clean", str(warm / "in"), "-o", str(warm / "o2")])
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = CliRunner().invoke(main, list(args))
            payload = {"code": result.exit_code, "stderr": result.stderr}
            if result.exception and not isinstance(result.exception, SystemExit):
                import traceback

                payload["stderr"] += "".join(traceback.format_exception(*result.exc_info))
            os.write(write_end, json.dumps(payload).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    payload = json.loads(data)
    return payload["code"], payload["stderr"]


def test_each_bad_input_gets_one_line_and_the_rest_is_written(shared_tmp: Path) -> None:
    raw = shared_tmp / "raw"
    raw.mkdir()
    (raw / "good.txt").write_bytes(GOOD)
    (raw / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    rng = random.Random(3)
    (raw / "invalid.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(3000)))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(" \n\t\n\u3000\n".encode())
    (raw / "oneline.txt").write_bytes(b"x" * (50 * 1024 * 1024))
    (raw / "secret.txt").write_bytes(GOOD)
    (raw / "secret.txt").chmod(0o000)
    os.symlink("loop.txt", raw / "loop.txt")
    os.symlink("missing-target.txt", raw / "dangling.txt")
    (raw / "records.jsonl").write_text(
        json.dumps({"text": (FIXTURES / "clean" / "dialogue.txt").read_text(encoding="utf-8")},
                   ensure_ascii=False) + "\n{oops\n{\"body\": 1}\n",
        encoding="utf-8")
    for p in raw.iterdir():
        if not p.is_symlink() and p.name != "secret.txt":
            p.chmod(0o644)
    before = checksums(raw)
    out = shared_tmp / "out"
    code, stderr = run_unprivileged("clean", str(raw), "-o", str(out), "--include", "*.txt",
                                    "--include", "*.jsonl", "--report",
                                    str(shared_tmp / "r.jsonl"), "-j", "1")
    assert code == 3, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    expected = {
        "binary.txt": "binary file (NUL bytes)",
        "invalid.txt": "not text in any supported encoding",
        "empty.txt": "empty file",
        "blank.txt": "no text (only whitespace)",
        "oneline.txt": "without a line break",
        "secret.txt": "permission denied",
        "loop.txt": "symlink loop",
        "dangling.txt": "dangling symlink",
        "records.jsonl:2": "not JSON",
        "records.jsonl:3": "no string field 'text'",
    }
    for name, message in expected.items():
        assert any(line.startswith(f"error: {name}: ") and message in line for line in errors), (
            name, errors)
    assert len(errors) == len(expected)
    written = tree_bytes(out)
    assert sorted(written) == ["good.txt", "records.jsonl"]
    assert written["records.jsonl"].decode().splitlines()[1:] == ["{oops", '{"body": 1}']
    report = read_report(shared_tmp / "r.jsonl")
    assert {r["input"] for r in report if r["type"] == "error"} == {
        name.split(":")[0] for name in expected}
    (raw / "secret.txt").chmod(0o644)
    assert checksums(raw) == {**before, **{"secret.txt": checksums(raw)["secret.txt"]}}


def test_unwritable_output_subfolder_fails_that_input_only(shared_tmp: Path) -> None:
    if not IS_ROOT:
        pytest.skip("needs root to make a folder another user cannot write")
    raw = shared_tmp / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "locked" / "a.txt").write_bytes((FIXTURES / "clean" / "notice.txt").read_bytes())
    (raw / "b.txt").write_bytes(GOOD)
    for p in raw.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    raw.chmod(0o755)
    out = shared_tmp / "out"
    (out / "locked").mkdir(parents=True)
    out.chmod(0o777)  # the output root is writable, its subfolder `locked` is not
    code, stderr = run_unprivileged("clean", str(raw), "-o", str(out), "-j", "1")
    assert code == 3, stderr
    assert "error: locked/a.txt: cannot write output: Permission denied" in stderr
    assert (out / "b.txt").read_bytes().startswith("故乡的秋天\n".encode())


def test_file_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, kind in (("a.txt", "essay"), ("b.txt", "dialogue"), ("c.txt", "notice")):
        (raw / name).write_bytes((FIXTURES / "clean" / f"{kind}.txt").read_bytes())
    config = build_config({"output": str(tmp_path / "out"), "jobs": 1})
    plan = plan_run(config, [str(raw)], stdin_piped=False)
    (raw / "b.txt").unlink()
    report = Report(config)
    assert Runner(plan, report).run() == 3
    assert report.errors == [("b.txt", "file not found (deleted after listing?); skipped")]
    assert sorted(tree_bytes(tmp_path / "out")) == ["a.txt", "c.txt"]


# -- interruptions --------------------------------------------------------------


def child_pids(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def default_sigint() -> None:
    """In the child: SIGINT as a user's terminal delivers it. The suite's process may
    have it ignored or blocked by then (both are inherited through exec), which made
    the interrupted run wait forever in CI and never outside it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted_run(raw: Path, out: Path, sig: int, after: int) -> None:
    """Start a run that pauses after `after` inputs, then send it `sig`; its worker
    processes must not outlive it."""
    env = {**os.environ, "CLEANCORP_TEST_PAUSE_AFTER": str(after)}
    env.pop("PYTHONBREAKPOINT", None)  # set by ray.init in this process (the Ray tests)
    proc = subprocess.Popen(cleancorp_cmd("clean", str(raw), "-o", str(out), "-j", "2"),
                            stderr=subprocess.PIPE, env=env, preexec_fn=default_sigint)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(b"cleancorp-test: paused after"):
            break
    else:
        pytest.fail(f"the run ended without pausing: exit {proc.wait()}")
    # Keep reading stderr: a run writing into a full pipe nobody reads would hang
    # in the test, not in real use.
    drain = threading.Thread(target=proc.stderr.read, daemon=True)
    drain.start()
    workers = child_pids(proc.pid)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    drain.join(timeout=10)
    deadline = time.monotonic() + 30
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(w) for w in workers), "worker processes outlived their run"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_leaves_complete_outputs_and_resumes(tmp_path: Path, sig: int) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw, ignore=shutil.ignore_patterns("README.md"))
    reference = tmp_path / "reference"
    subprocess.run(cleancorp_cmd("clean", str(raw), "-o", str(reference), "-q"), check=True,
                   timeout=600)
    expected = tree_bytes(reference)
    out = tmp_path / "out"
    interrupted_run(raw, out, sig, after=2)
    partial = tree_bytes(out)
    # Only whole inputs are there: every file present is byte-identical to the
    # uninterrupted run's, and the inputs done are complete sets of parts.
    assert partial and set(partial) < set(expected)
    assert all(partial[name] == expected[name] for name in partial)
    done_inputs = {name.split(".")[0] for name in partial}
    assert len(done_inputs) == 2
    for stem in done_inputs:
        assert {n for n in partial if n.startswith(stem)} == {n for n in expected if n.startswith(stem)}
    # The next run completes the job and skips what the manifest says is done.
    proc = subprocess.run(cleancorp_cmd("clean", str(raw), "-o", str(out), "--report",
                                        str(tmp_path / "r.jsonl")), capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    assert tree_bytes(out) == expected
    statuses = [r["status"] for r in read_report(tmp_path / "r.jsonl") if r["type"] == "file"]
    assert statuses.count("skipped") == 2 and statuses.count("ok") == 3
    assert not any((out / ".cleancorp" / "tmp").iterdir())
    # --force redoes everything, with the same result.
    proc = subprocess.run(cleancorp_cmd("clean", str(raw), "-o", str(out), "--force", "--report",
                                        str(tmp_path / "r2.jsonl")), capture_output=True, timeout=600)
    assert proc.returncode == 0
    assert [r["status"] for r in read_report(tmp_path / "r2.jsonl") if r["type"] == "file"] == ["ok"] * 5
    assert tree_bytes(out) == expected


def test_stale_parts_are_removed_when_an_input_gives_fewer_outputs(tmp_path: Path) -> None:
    src = tmp_path / "raw"
    src.mkdir()
    (src / "b.txt").write_bytes(GOOD)
    out = tmp_path / "out"
    subprocess.run(cleancorp_cmd("clean", str(src), "-o", str(out), "--max-bytes", "300", "-q"),
                   check=True, timeout=300)
    assert len(tree_bytes(out)) > 2
    subprocess.run(cleancorp_cmd("clean", str(src), "-o", str(out), "-q"), check=True, timeout=300)
    assert sorted(tree_bytes(out)) == ["b.txt"]


# -- paths ------------------------------------------------------------------------


def test_nothing_is_written_outside_the_output_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_bytes(GOOD)
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    names = ["..txt", "a..b.txt", "文档 (1).txt", "cafe\u0301.txt", "emoji-😀.txt", "-dash.txt",
             "sub/deep.txt"]
    sources = sorted((FIXTURES / "clean").glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    for name, source in zip(names, sources, strict=False):
        (raw / name).write_bytes(source.read_bytes())
    os.symlink(outside / "victim.txt", raw / "abs-link.txt")  # absolute, leads outside: ignored
    os.symlink(os.path.relpath(raw / "sub" / "deep.txt", raw), raw / "inside-link.txt")
    before_inputs, before_outside = checksums(raw), checksums(outside)
    out = tmp_path / "out"
    proc = subprocess.run(cleancorp_cmd("clean", str(raw), "-o", str(out), "-q", "--no-split",
                                        "--no-corpus"),
                          capture_output=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(tree_bytes(out)) == sorted([*names, "inside-link.txt"])
    assert checksums(raw) == before_inputs and checksums(outside) == before_outside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "outside", "raw"]


def test_catastrophic_user_rule_fails_its_file_with_a_clear_error(tmp_path: Path) -> None:
    rules = tmp_path / "my_rules.toml"
    rules.write_text(
        "[[rule]]\nid = 'slow'\ncategory = 'site'\nmax_chars = 200\npatterns = ['(a|aa)+$']\n"
        "examples.match = ['aa']\n", encoding="utf-8")
    (tmp_path / "cleancorp.toml").write_text(
        '[boilerplate]\nextra_rules = "my_rules.toml"\n', encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(GOOD)
    (raw / "b.txt").write_bytes(GOOD.replace("原来有些东西".encode(), ("a" * 80 + "!").encode()))
    result = run_cli("clean", str(raw), "-o", str(tmp_path / "out"), "-j", "1", cwd=tmp_path)
    assert result.exit_code == 3
    assert "error: b.txt: rule 'slow' timed out" in result.stderr
    assert sorted(tree_bytes(tmp_path / "out")) == ["a.txt"]
