"""`cleancorp explain`: the explained view (pure) and the command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleancorp.explain import build_view, match_input, plain_segments
from tests.conftest import SEEDS, run_cli

SEED_003 = SEEDS / "003_b459bf39d7e94cfc.txt"


def rec(filter: str, rule: str, action: str, line: int | None, line_end: int | None,
        before: str = "", after: str = "", **extra: object) -> dict:
    return {"filter": filter, "rule": rule, "action": action, "line": line,
            "line_end": line_end, "before": before, "after": after, **extra}


LINES = ["当前位置：首页 > 正文", "", "關(guān)於開展工作", "", "正文第一段,内容。", "正文第二段。"]


def test_removed_line_is_struck_with_its_rule_and_others_kept() -> None:
    view = build_view(LINES, [rec("boilerplate", "breadcrumb", "remove", 1, 1, LINES[0])])
    assert [(r.kind, r.line) for r in view.rows] == [("remove", 1)] + [
        ("keep", n) for n in range(2, 7)]
    assert view.rows[0].rule == "breadcrumb" and view.rows[0].segments[0].kind == "del"
    assert view.removed_lines == 1 and view.counts == {"boilerplate": 1}


def test_span_removal_and_later_edit_of_the_same_line() -> None:
    records = [rec("annotations", "inline-pinyin", "remove", 3, 3, "(guān)"),
               rec("t2s", "t2s", "replace", 3, 3, "關於開展工作", "关于开展工作")]
    rows = build_view(LINES, records).rows
    edit, step = rows[2], rows[3]
    assert (edit.kind, edit.rule) == ("edit", "inline-pinyin")
    assert plain_segments(edit.segments) == "關[-(guān)-]於開展工作"
    assert (step.kind, step.line, step.filter) == ("step", 3, "t2s")
    assert "{+关于开+}" in plain_segments(step.segments)


def test_line_records_with_spans_draw_inline_and_keep_spans_out_of_the_note() -> None:
    lines = ["關(guān)於開(kāi)展工作,好"]
    records = [rec("annotations", "inline-pinyin", "replace", 1, 1, lines[0], "關於開展工作,好",
                   spans=[[1, "(guān)", ""], [9, "(kāi)", ""]]),
               rec("punctuation", "cjk-ascii", "replace", 1, 1, "關於開展工作,好", "關於開展工作，好",
                   spans=[[6, ",", "，"]])]
    for view in (build_view(lines, records), build_view(None, records)):
        edits = [r for r in view.rows if r.kind in ("edit", "step")]
        assert [r.rule for r in edits] == ["inline-pinyin", "cjk-ascii"]
        assert "[-(guān)-]" in plain_segments(edits[0].segments)
        assert "[-(kāi)-]" in plain_segments(edits[0].segments)
        assert "[-,-]{+，+}" in plain_segments(edits[1].segments)
        assert all("spans" not in r.note for r in view.rows)


def test_multi_line_removal_skips_lines_an_earlier_filter_removed() -> None:
    # blank-lines records only the lines still present (1 was removed before it ran).
    records = [rec("boilerplate", "breadcrumb", "remove", 1, 1, LINES[0]),
               rec("layout", "blank-lines", "remove", 1, 2, "")]
    rows = build_view(LINES, records).rows
    assert [(r.line, r.rule) for r in rows[:2]] == [(1, "breadcrumb"), (2, "blank-lines")]


def test_edits_of_removed_lines_are_not_shown_and_filter_option_selects() -> None:
    records = [rec("punctuation", "cjk-ascii", "replace", 5, 5, LINES[4], "正文第一段，内容。"),
               rec("boilerplate", "closing", "remove", 5, 6, "\n".join(LINES[4:6]))]
    view = build_view(LINES, records)
    assert [r.kind for r in view.rows if r.line in (5, 6)] == ["remove", "remove"]
    only = build_view(LINES, records, filter="punctuation")
    assert [r.kind for r in only.rows if r.line == 5] == ["edit"]
    assert only.counts == {"punctuation": 1}


def test_drop_split_and_context() -> None:
    records = [rec("split", "article", "split", 3, 6, part=2, output="a.002.txt"),
               rec("dedup", "near-duplicate", "drop", 3, 6, "x", duplicate_of="b.txt",
                   similarity=0.93)]
    view = build_view(LINES, records, context=0)
    notes = [r.note for r in view.rows if r.kind == "note"]
    assert notes[0] == "article 2 -> a.002.txt"
    assert "duplicate_of=b.txt" in notes[1] and "similarity=0.93" in notes[1]
    assert [r.kind for r in view.rows if r.line and r.line >= 3 and r.kind != "note"] == ["drop"] * 4
    assert view.rows[0].kind == "skip" and view.rows[0].note == "2 unchanged line(s)"


def test_without_the_input_only_changed_lines_are_shown() -> None:
    records = [rec("boilerplate", "nav-list", "remove", 10, 11, "• 首页\n• 新闻"),
               rec("punctuation", "cjk-ascii", "replace", 3, 3, "甲,乙", "甲，乙")]
    view = build_view(None, records)
    assert not view.full
    assert [(r.kind, r.line) for r in view.rows] == [("step", 3), ("remove", 10), ("remove", 11)]


def test_match_input_by_path_suffix() -> None:
    assert match_input("/data/raw/a/b.txt", ["b.txt", "a/b.txt"]) == "a/b.txt"
    assert match_input("x.txt", ["b.txt"]) is None


# -- the command ------------------------------------------------------------------------


def test_explain_plain_output_on_a_pipe() -> None:
    res = run_cli("explain", str(SEED_003), "--no-config")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert "\x1b[" not in out  # not a terminal: no colour codes
    first = out.splitlines()[0]
    assert first.startswith("-     1 [-当前位置") and first.endswith("<- boilerplate/breadcrumb")
    assert "[-,-]{+，+}" in out  # punctuation shown inline
    last = out.splitlines()[-1]
    assert "changes per filter:" in last and "boilerplate: 8" in last


def test_explain_one_filter_with_context_and_colour() -> None:
    res = run_cli("explain", str(SEED_003), "--no-config", "--filter", "boilerplate",
                  "--context", "0", "--color")
    assert res.exit_code == 0, res.stderr
    assert "\x1b[" in res.stdout and "punctuation" not in res.stdout
    assert "unchanged line(s)" in res.stdout


def test_explain_with_a_report_shows_corpus_drops(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED_003, raw / "a.txt")
    shutil.copy(SEED_003, raw / "b.txt")
    report = tmp_path / "r.jsonl"
    res = run_cli("clean", str(raw), "-o", str(tmp_path / "out"), "--report", str(report),
                  "--no-config", "-j", "1")
    assert res.exit_code == 0, res.stderr
    alone = run_cli("explain", str(raw / "b.txt"), "--no-config")
    assert "duplicate_of" not in alone.stdout
    real = run_cli("explain", str(raw / "b.txt"), "--report", str(report), "--no-config")
    assert real.exit_code == 0, real.stderr
    assert "duplicate_of=a.txt" in real.stdout
    assert any(line.startswith("-    14 [-嵊州市科学技术局文件-]  <- dedup/exact-duplicate")
               for line in real.stdout.splitlines())


@pytest.mark.parametrize("args, message", [
    (["--filter", "nosuch"], "unknown filter"),
    (["--report", "__REPORT__"], "not an input of"),
])
def test_explain_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    report = tmp_path / "r.jsonl"
    report.write_text('{"type":"file","input":"other.txt","status":"ok"}\n', encoding="utf-8")
    args = [str(report) if a == "__REPORT__" else a for a in args]
    res = run_cli("explain", str(SEED_003), "--no-config", *args)
    assert res.exit_code == 2 and message in res.stderr


def test_explain_refused_input_exits_3(tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    res = run_cli("explain", str(binary), "--no-config")
    assert res.exit_code == 3 and "binary" in res.stderr
