"""The compact report (`--report-level compact`) against the default `all` on real inputs:
the same changes in the same order, removed text restored exactly, explain giving the
same reason for every removed line; compressed reports; pack/unpack of edits."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import regex
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.explain import build_view, decode_input
from cleancorp.report import pack_edit, unpack_edit
from cleancorp.report_view import read_report, restore, restore_text, summary_tables
from tests.conftest import FIXTURES, SEEDS, run_cli, without_timing

#: Real inputs: the seeds and every text input of the fixtures (pages, encodings, clean).
INPUT_DIRS = {"seeds": SEEDS, "pages": FIXTURES / "pages", "clean": FIXTURES / "clean",
              "encodings": FIXTURES / "encodings"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """For each input folder: the reports of one run at `compact` (the default, no
    option given), at `all`, and at the default written as .zst and .gz."""
    out: dict[str, dict[str, Path]] = {}
    for name, folder in INPUT_DIRS.items():
        tmp = tmp_path_factory.mktemp(name)
        raw = tmp / "raw"
        shutil.copytree(folder, raw, ignore=shutil.ignore_patterns("*.md", "*.json", "*.py",
                                                                  "*.expected.txt"))
        reports = {}
        compact = ("--report-level", "compact")
        for label, args in (("compact", compact), ("all", ()), ("zst", compact), ("gz", compact)):
            suffix = {"zst": ".jsonl.zst", "gz": ".jsonl.gz"}.get(label, ".jsonl")
            rep = tmp / f"{label}{suffix}"
            res = run_cli("clean", str(raw), "-o", str(tmp / f"out-{label}"), "--report", str(rep),
                          "--no-config", "-j", "1", "-q", *args)
            assert res.exit_code in (0, 3), res.stderr
            reports[label] = rep
        reports["raw"] = raw
        out[name] = reports
    return out


def inputs_of(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*.txt"))


def key(rec: dict) -> tuple:
    return (rec.get("input"), rec.get("output"), rec.get("record"), rec.get("filter"),
            rec.get("rule"), rec.get("action"), rec.get("line"), rec.get("line_end"))


def located(before: str, after: str, pieces: list) -> bool:
    """Whether the packed `pieces` are the edit `before` -> `after`: at some place of
    `before` its unchanged pieces, old sides and left-out lengths match, and putting
    the new sides there gives `after`, the rest untouched."""
    pattern = "".join(regex.escape(p) if isinstance(p, str) else f"(.{{{p}}})"
                      if isinstance(p, int) else regex.escape(p[0]) for p in pieces)
    for m in regex.finditer(pattern, before, flags=regex.DOTALL, overlapped=True):
        gaps = iter(m.groups())
        new = "".join(p if isinstance(p, str) else next(gaps) if isinstance(p, int) else p[1]
                      for p in pieces)
        if before[: m.start()] + new + before[m.end():] == after:
            return True
    return False


@pytest.mark.parametrize("name", list(INPUT_DIRS))
def test_compact_has_every_change_of_all_in_order(runs: dict, name: str) -> None:
    compact, full = read_report(runs[name]["compact"]), read_report(runs[name]["all"])
    assert [key(r) for r in compact.changes] == [key(r) for r in full.changes]
    assert len(full.changes) > 0
    packed = 0
    for c, f in zip(compact.changes, full.changes, strict=True):
        if "pieces" in c:
            packed += 1
            assert located(f["before"], f["after"], c["pieces"]), (c, f)
        else:  # removals, drops, splits: the very record of `all`
            assert c == f
    assert packed > 0 or name == "clean"
    assert without_timing([compact.summary])[0]["changes"] == full.summary["changes"]
    tables = [t for t in summary_tables(compact) if t[0] != "summary"]
    assert tables == [t for t in summary_tables(full) if t[0] != "summary"]


@pytest.mark.parametrize("name", list(INPUT_DIRS))
def test_restore_from_the_compact_report_is_the_input(runs: dict, name: str) -> None:
    """Every removed passage comes back as the input's own lines, as from `all`."""
    compact, full = read_report(runs[name]["compact"]), read_report(runs[name]["all"])
    checked = 0
    for path in inputs_of(runs[name]["raw"]):
        input_name = path.relative_to(runs[name]["raw"]).as_posix()
        if not compact.changes_of(input_name):
            continue
        lines = decode_input(path)
        passages = restore(compact, input_name, lines, context=2)
        assert restore_text(passages, input_name) == restore_text(
            restore(full, input_name, lines, context=2), input_name)
        for p in passages:
            removed = [(n, text) for n, text, is_removed in p.context if is_removed]
            assert "\n".join(text for _, text in removed) == p.record["before"]
            for n, text in removed:
                if n is not None and p.record["action"] == "remove" and len(removed) > 1:
                    assert lines[n - 1] == text
                    checked += 1
        # Without the input too (context from the neighbouring records).
        assert [p.record for p in restore(compact, input_name)] == [
            p.record for p in restore(full, input_name)]
    assert checked > 0 or name in ("clean", "encodings")


@pytest.mark.parametrize("name", list(INPUT_DIRS))
def test_explain_says_why_each_line_went(runs: dict, name: str) -> None:
    compact, full = read_report(runs[name]["compact"]), read_report(runs[name]["all"])
    inline = 0
    for path in inputs_of(runs[name]["raw"]):
        input_name = path.relative_to(runs[name]["raw"]).as_posix()
        lines = decode_input(path)
        a = build_view(lines, compact.changes_of(input_name), source=input_name)
        b = build_view(lines, full.changes_of(input_name), source=input_name)
        gone = [(r.kind, r.line, r.filter, r.rule) for r in a.rows if r.kind in ("remove", "drop")]
        assert gone == [(r.kind, r.line, r.filter, r.rule) for r in b.rows
                        if r.kind in ("remove", "drop")]
        assert a.counts == b.counts and a.rule_counts == b.rule_counts
        assert a.removed_lines == b.removed_lines
        for r in a.rows:
            if r.kind == "edit":
                inline += 1
                # The edit drawn in the line: its old side is the input line.
                assert "".join(s.text for s in r.segments if s.kind != "ins") == lines[r.line - 1]
    assert inline > 0 or name == "clean"


@pytest.mark.parametrize("name", ["seeds", "pages"])
def test_compressed_reports_are_the_same_records(runs: dict, name: str) -> None:
    plain = runs[name]["compact"].read_bytes()
    zst, gz = runs[name]["zst"].read_bytes(), runs[name]["gz"].read_bytes()
    assert zst[:4] == b"\x28\xb5\x2f\xfd" and gz[:2] == b"\x1f\x8b"
    assert len(zst) < len(plain) / 3 and len(gz) < len(plain) / 3
    with zstandard.ZstdDecompressor().stream_reader(runs[name]["zst"].open("rb")) as fh:
        from_zst = fh.read()

    def records(data: bytes) -> list[dict]:
        return without_timing([json.loads(line) for line in data.decode().splitlines()])

    assert records(from_zst) == records(plain) == records(gzip.decompress(gz))
    for label in ("zst", "gz"):
        data = read_report(runs[name][label])
        assert data.changes == read_report(runs[name]["compact"]).changes
        res = run_cli("report", str(runs[name][label]))
        assert res.exit_code == 0, res.stderr
        assert "# per rule\n" in res.stdout


def test_explain_and_restore_read_a_compressed_report(runs: dict) -> None:
    seeds = runs["seeds"]
    path = seeds["raw"] / "000_d11bd7c3ab91ad2b.txt"
    res = run_cli("report", str(seeds["zst"]), "--restore", str(path), "--context", "1")
    assert res.exit_code == 0, res.stderr
    assert "-    16 |   • 当前位置: 柠檬阅读网 > 文章 > 正文\n" in res.stdout
    res = run_cli("explain", str(path), "--report", str(seeds["gz"]), "--no-color")
    assert res.exit_code == 0, res.stderr
    assert "boilerplate" in res.stdout and "当前位置: 柠檬阅读网" in res.stdout


def test_a_truncated_compressed_report_is_a_clear_error(runs: dict, tmp_path: Path) -> None:
    for label in ("zst", "gz"):
        bad = tmp_path / runs["seeds"][label].name
        bad.write_bytes(runs["seeds"][label].read_bytes()[:200])
        res = run_cli("report", str(bad))
        assert res.exit_code == 2
        assert res.stderr.startswith(f"error: {bad}: ") and res.stderr.count("\n") == 1


def test_level_all_keeps_the_whole_window_of_every_edit(runs: dict) -> None:
    full = runs["seeds"]["all"].read_text(encoding="utf-8")
    assert '"edits"' not in full
    records = [json.loads(line) for line in full.splitlines()]
    replaces = [r for r in records if r.get("action") == "replace"]
    assert replaces and all(isinstance(r["before"], str) and "pieces" not in r for r in replaces)


def test_a_failed_run_leaves_no_report_and_keeps_the_old_one(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw, ignore=shutil.ignore_patterns("*.md"))
    rep = tmp_path / "r.jsonl.zst"
    rep.write_bytes(b"old")
    # The output inside the input folder is refused (exit 2) after the report was opened.
    res = run_cli("clean", str(raw), "-o", str(raw / "out"), "--report", str(rep), "-q")
    assert res.exit_code == 2
    assert rep.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl.zst", "raw"]


# -- pack / unpack -----------------------------------------------------------------------

TEXT = st.text(alphabet="甲乙丙丁關於開展,，:：()（） ab\n", max_size=80)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.integers(0, 6))
def test_packed_pieces_are_the_edit(before: str, after: str, context: int) -> None:
    pieces = pack_edit(before, after, context=context)
    if before == after:
        assert pieces == []
        return
    assert located(before, after, pieces)
    old, new = unpack_edit(pieces)
    # Unpacked, each side is its text with left-out stretches as one character.
    assert len(old) <= len(before) + 1 and len(new) <= len(after) + 1
    assert all(not isinstance(p, int) or p > 0 for p in pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙丙丁(guān)(kāi)", max_size=60), st.data())
def test_a_filters_own_spans_are_kept(text: str, data: st.DataObject) -> None:
    """Removal spans as annotations gives them: the pieces are those spans."""
    from cleancorp.spans import apply_spans, removal_spans

    starts = sorted(data.draw(st.sets(st.integers(0, max(0, len(text) - 1)), max_size=4)))
    ranges = [(s, min(len(text), s + 2)) for s in starts]
    spans = removal_spans(ranges, text)
    after = apply_spans(text, spans)
    pieces = pack_edit(text, after, spans, context=2)
    assert [p for p in pieces if isinstance(p, list)] == [[b, a] for _, b, a in spans]
    if spans:
        assert located(text, after, pieces)


def test_a_report_to_a_fifo_or_through_a_symlink_keeps_them(tmp_path: Path) -> None:
    """Only a regular file is replaced by renaming: a FIFO (like /dev/null or
    /dev/stderr, devices) is written in place, a symlink's target is replaced."""
    import os
    import threading

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = run_cli("clean", str(SEEDS / "000_d11bd7c3ab91ad2b.txt"), "-o", str(tmp_path / "o1"),
                  "--report", str(fifo), "-q")
    reader.join(timeout=60)
    assert res.exit_code == 0, res.stderr
    assert fifo.is_fifo()
    assert got and got[0].decode().splitlines()[-1].startswith('{"type": "summary"')
    real = tmp_path / "kept" / "r.jsonl.zst"
    real.parent.mkdir()
    link = tmp_path / "r.jsonl.zst"
    link.symlink_to(real)
    res = run_cli("clean", str(SEEDS / "000_d11bd7c3ab91ad2b.txt"), "-o", str(tmp_path / "o2"),
                  "--report", str(link), "-q")
    assert res.exit_code == 0, res.stderr
    assert link.is_symlink() and real.is_file()
    assert read_report(link).summary is not None
    assert sorted(p.name for p in real.parent.iterdir()) == ["r.jsonl.zst"]  # no leftovers


def test_concatenated_zstd_frames_are_one_report_and_other_bytes_an_error(
        runs: dict, tmp_path: Path) -> None:
    plain = runs["seeds"]["compact"].read_bytes()
    head, tail = plain[: len(plain) // 2], plain[len(plain) // 2:]
    joined = tmp_path / "joined.jsonl.zst"
    joined.write_bytes(zstandard.ZstdCompressor().compress(head)
                       + zstandard.ZstdCompressor().compress(tail))
    assert read_report(joined).changes == read_report(runs["seeds"]["compact"]).changes
    bad = tmp_path / "bad.jsonl.zst"
    bad.write_bytes(plain[:300])  # JSON Lines under a .zst name
    res = run_cli("report", str(bad))
    assert res.exit_code == 2 and "not a zstd file" in res.stderr


def test_a_packed_record_with_bad_edits_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "r.jsonl"
    bad.write_text('{"type": "change", "input": "a.txt", "filter": "t2s", "action": "replace",'
                   ' "edits": [[3]]}\n', encoding="utf-8")
    res = run_cli("report", str(bad))
    assert res.exit_code == 2
    assert res.stderr == f"error: {bad}:1: a packed change record whose `edits` are not " \
                         "[line, pieces] entries\n"
