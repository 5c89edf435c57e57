"""The command line contract (SPEC section 1): outputs, exit codes, stdin, errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT, read_report, run_cli, tree_bytes

CLEAN_TEXT = "春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。\n傍晚时分，村里升起了炊烟，大人们陆续从田里回家。\n"
#: A clean sentence long enough to pass the `length` filter.
BODY = "这项研究历时三年，覆盖了全国二十个省份的农村学校。"


def checksum_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_folder_in_folder_out_mirrors_paths(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "a").mkdir(parents=True)
    (raw / "a" / "b.txt").write_text(f"正文\u200b内容。{BODY}\n", encoding="utf-8")
    (raw / "c.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    (raw / "skip.md").write_text("not included\n", encoding="utf-8")
    (raw / ".git").mkdir()
    (raw / ".git" / "x.txt").write_text("hidden\n", encoding="utf-8")
    before = checksum_tree(raw)
    out = tmp_path / "out"
    # At `all`, the record of the edit with its whole window (the default packs it).
    result = run_cli("clean", str(raw), "-o", str(out), "--report", str(tmp_path / "r.jsonl"),
                     "--report-level", "all")
    assert result.exit_code == 0, result.stderr
    assert tree_bytes(out) == {"a/b.txt": f"正文内容。{BODY}\n".encode(), "c.txt": CLEAN_TEXT.encode()}
    assert checksum_tree(raw) == before  # inputs are never modified
    records = read_report(tmp_path / "r.jsonl")
    files = [r for r in records if r["type"] == "file"]
    assert [f["input"] for f in files] == ["a/b.txt", "c.txt"]
    assert files[0]["outputs"] == ["a/b.txt"] and files[0]["encoding"] == "utf-8"
    change = next(r for r in records if r["type"] == "change")
    assert change == {"type": "change", "input": "a/b.txt", "output": "a/b.txt",
                      "filter": "unicode", "rule": "invisible-char", "action": "replace",
                      "line": 1, "line_end": 1, "before": f"正文\u200b内容。{BODY}",
                      "after": f"正文内容。{BODY}"}
    summary = records[-1]
    assert summary["type"] == "summary" and summary["files"] == 2 and summary["failed"] == 0
    assert (out / ".cleancorp" / "manifest.jsonl").is_file()


def test_file_input_keeps_base_name(tmp_path: Path) -> None:
    src = tmp_path / "deep" / "doc.txt"
    src.parent.mkdir()
    src.write_text(CLEAN_TEXT, encoding="utf-8")
    result = run_cli("clean", str(src), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "doc.txt").read_text(encoding="utf-8") == CLEAN_TEXT


def test_stdin_to_stdout() -> None:
    result = run_cli("clean", "-", input=f"{BODY}\r\n第二行&amp;结束".encode())
    assert result.exit_code == 0
    assert result.stdout_bytes == f"{BODY}\n第二行&结束\n".encode()


def test_stdin_jsonl_cleans_text_field_and_passes_bad_lines_through() -> None:
    data = (f'{{"id": 1, "text": "正文\\u200b。{BODY}"}}\n'
            'not json\n'
            '{"id": 3, "body": "x"}\n').encode()
    result = run_cli("clean", "-", "--input-format", "jsonl", "--report", "/dev/null", input=data)
    assert result.exit_code == 3  # two records failed
    assert Path("/dev/null").is_char_device()  # written in place, never renamed over
    lines = result.stdout_bytes.decode().splitlines()
    assert json.loads(lines[0]) == {"id": 1, "text": f"正文。{BODY}"}
    assert lines[1:] == ["not json", '{"id": 3, "body": "x"}']
    assert "error: -:2: not JSON" in result.stderr


def test_check_exits_1_when_something_would_change(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "clean.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    assert run_cli("clean", str(raw), "--check", "-q").exit_code == 0
    (raw / "dirty.txt").write_text(f"正文&nbsp;内容{BODY}\n", encoding="utf-8")
    result = run_cli("clean", str(raw), "--check")
    assert result.exit_code == 1
    assert "1 input(s) would change" in result.stderr
    assert sorted(p.name for p in raw.iterdir()) == ["clean.txt", "dirty.txt"]


def test_bad_config_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    config = tmp_path / "cleancorp.toml"
    config.write_text('jbos = 2\n', encoding="utf-8")
    result = run_cli("clean", str(tmp_path / "raw"), "-o", str(tmp_path / "out"),
                     "--config", str(config))
    assert result.exit_code == 2
    assert "jbos" in result.stderr and "did you mean 'jobs'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_filter_option_value_exits_2(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cleancorp.encode]\nmax_bytes = "lots"\n', encoding="utf-8")
    result = run_cli("clean", "raw", "-o", "out", cwd=tmp_path)
    assert result.exit_code == 2
    assert "encode.max_bytes" in result.stderr


def test_binary_file_fails_alone_exit_3(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    (raw / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20)
    (raw / "c.txt").write_bytes((FIXTURES / "clean" / "essay.txt").read_bytes())
    out = tmp_path / "out"
    result = run_cli("clean", str(raw), "-o", str(out), "--report", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 3
    assert sorted(tree_bytes(out)) == ["a.txt", "c.txt"]
    assert "error: b.txt: binary file" in result.stderr
    errors = [r for r in read_report(tmp_path / "r.jsonl") if r["type"] == "error"]
    assert [(e["input"], e["error"].split(";")[0]) for e in errors] == [("b.txt", "binary file (NUL bytes)")]


def test_output_inside_input_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    for out in (raw, raw / "out"):
        result = run_cli("clean", str(raw), "-o", str(out))
        assert result.exit_code == 2
        assert "inside one" in result.stderr
    assert sorted(p.name for p in raw.iterdir()) == ["a.txt"]


def test_two_inputs_to_one_output_are_refused(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    result = run_cli("clean", str(tmp_path / "x" / "a.txt"), str(tmp_path / "y" / "a.txt"),
                     "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "would both be written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_output_option_is_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    result = run_cli("clean", str(tmp_path / "a.txt"))
    assert result.exit_code == 2 and "-o/--output is required" in result.stderr


def test_max_bytes_writes_numbered_shards(tmp_path: Path) -> None:
    src = tmp_path / "b.txt"
    src.write_bytes((FIXTURES / "clean" / "essay.txt").read_bytes())
    assert run_cli("clean", str(src), "-o", str(tmp_path / "whole"), "-q").exit_code == 0
    whole = (tmp_path / "whole" / "b.txt").read_bytes()
    result = run_cli("clean", str(src), "-o", str(tmp_path / "out"), "--max-bytes", "300",
                     "--report", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 0
    shards = tree_bytes(tmp_path / "out")
    names = sorted(shards)
    assert names == [f"b.{n:03d}.txt" for n in range(1, len(names) + 1)] and len(names) > 2
    assert all(len(data) <= 300 for data in shards.values())
    # Sharding never drops text: the shards put back together are the whole output.
    assert b"".join(shards[n] for n in names).replace(b"\n", b"") == whole.replace(b"\n", b"")
    file_rec = next(r for r in read_report(tmp_path / "r.jsonl") if r["type"] == "file")
    assert file_rec["outputs"] == names


def test_version_names_opencc_and_ftfy() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert "cleancorp" in result.stdout and "OpenCC" in result.stdout and "ftfy" in result.stdout


def test_filters_lists_registry_in_order() -> None:
    from cleancorp.filters import FILTERS

    result = run_cli("filters")
    names = [line.split()[1] for line in result.stdout.splitlines()]
    assert names == [f.name for f in FILTERS]


def test_subprocess_entry_point_on_seeds(tmp_path: Path) -> None:
    """The installed `cleancorp` script, as a user runs it (README's second command)."""
    exe = Path(sys.executable).with_name("cleancorp")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cleancorp"]
    out = tmp_path / "clean"
    proc = subprocess.run([*cmd, "clean", str(ROOT / "seeds"), "-o", str(out), "--report",
                           str(tmp_path / "report.jsonl"), "-j", "2"],
                          capture_output=True, timeout=300, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(list(out.glob("*.txt"))) >= 5
    types = [json.loads(line)["type"] for line in (tmp_path / "report.jsonl").read_text().splitlines()]
    assert types.count("file") == 5 and types[-1] == "summary"
    # stdin to stdout through a real pipe
    proc = subprocess.run([*cmd, "clean", "-"], input=f"正文\u200b。{BODY}".encode(),
                          capture_output=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == f"正文。{BODY}\n".encode()


def test_a_dropped_pipe_says_why_and_how_to_keep_it() -> None:
    """A piped text that the pipeline drops prints one line on stderr naming the filter
    and the reason; --skip length returns the text (through a real process)."""
    import subprocess
    import sys

    run = [sys.executable, "-m", "cleancorp", "clean", "-"]
    dropped = subprocess.run(run, input="這是一句話\n".encode(), capture_output=True)
    assert dropped.returncode == 0 and dropped.stdout == b""
    assert ("cleancorp: the input was dropped by length: 5 CJK characters < 20 and 0 Latin "
            "words < 10; --skip length keeps it\n") in dropped.stderr.decode()
    kept = subprocess.run([*run, "--skip", "length"], input="這是一句話\n".encode(),
                          capture_output=True)
    assert kept.returncode == 0 and kept.stdout.decode() == "这是一句话\n"
    quiet = subprocess.run([*run, "-q"], input="這是一句話\n".encode(), capture_output=True)
    assert quiet.stderr == b""
