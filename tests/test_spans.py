"""Line records with spans (`annotations`): one record per changed line, and its spans
replay the edit. (`t2s` and `punctuation` also give one record per changed line, with
the changed window only: spans there cost 5x the filter's time and more report bytes
than they save.)"""

from __future__ import annotations

import json
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import read_report, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.document import Document
from cleancorp.filters.annotations import AnnotationsFilter
from cleancorp.spans import apply_spans, removal_spans, window_record

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPAN_FILTERS = {"annotations"}


@lru_cache(maxsize=1)
def seed_lines() -> list[str]:
    """Real lines of the seeds worth an edit: with an ASCII mark, a parenthesis or Han."""
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text("utf-8").split("\n"):
            marked = any(c in line for c in ",:;?!()（")
            if line.strip() and (marked or "\u4e00" <= line[:1] <= "\u9fff"):
                lines.append(line)
    return lines


#: The edits the span filters make, planted into real lines: ASCII marks, glosses
#: (also chained), and traditional characters.
PLANTS = st.sampled_from([",", ":", ";", "?", "!", ",,", "(", ")", "(guān)", "（kāi）",
                          "(zhōng)(guó)", "關於", "頭髮", "說明", "中(zhōng)", "(2011)"])


@st.composite
def lines(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(seed_lines()))
    for _ in range(draw(st.integers(0, 6))):
        k = draw(st.integers(0, len(line)))
        line = line[:k] + draw(PLANTS) + line[k:]
    return line


def check_records(doc: Document, old_lines: list[str]) -> None:
    """Every record of a span filter: one per (line, rule), spans sorted and disjoint,
    inside `before`, and replaying them turns `before` into `after`; `before` is a
    piece of the line before the edit and `after` a piece of the line after it."""
    keys = [(c.line, c.rule) for c in doc.changes]
    assert len(keys) == len(set(keys))
    for c in doc.changes:
        spans = c.extra["spans"]
        assert spans, c
        assert c.action == "replace"
        assert all(isinstance(s, list) and len(s) == 3 for s in spans)
        ends = [(col, col + len(b)) for col, b, _ in spans]
        assert all(a[1] <= b[0] for a, b in pairwise(ends))
        assert all(b != a for _, b, a in spans)
        assert apply_spans(c.before, spans) == c.after
        assert c.before in old_lines[c.line - 1]
        assert c.after in doc.lines[c.line - 1]
    assert len(doc.changes) == sum(a != b for a, b in zip(old_lines, doc.lines, strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(lines(), min_size=1, max_size=4))
def test_annotations_spans_replay(block: list[str]) -> None:
    doc = Document.from_text("\n".join(block))
    AnnotationsFilter().apply(doc)
    check_records(doc, doc.input_lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="甲乙,，(（)）g", min_size=1, max_size=80), st.data())
def test_window_record_replays_any_removal(old: str, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.tuples(st.integers(0, len(old)), st.integers(0, len(old))),
                              max_size=4))
    spans = removal_spans([(min(a, b), max(a, b)) for a, b in cuts], old)
    new = apply_spans(old, spans)
    before, after, shifted = window_record(old, new, spans)
    assert apply_spans(before, shifted) == after
    assert before in old and after in new


def test_window_record_trims_long_lines_and_shifts_spans() -> None:
    old = "甲" * 40 + "(a)" + "乙" * 3 + "(b)" + "丙" * 40
    new = old.replace("(a)", "").replace("(b)", "")
    before, after, spans = window_record(old, new, removal_spans([(40, 43), (46, 49)], old))
    assert before == "甲" * 12 + "(a)乙乙乙(b)" + "丙" * 12
    assert after == "甲" * 12 + "乙乙乙" + "丙" * 12
    assert spans == [[12, "(a)", ""], [18, "(b)", ""]]


def test_window_record_keeps_whole_lines_when_spans_fall_outside_the_window() -> None:
    # Deleting the second of two equal glosses: the common prefix runs past the span
    # the filter reports, so the window's alignment differs from the span's.
    old = "甲" * 20 + "中(a)(a)" + "乙" * 20
    new = "甲" * 20 + "中(a)" + "乙" * 20
    before, after, spans = window_record(old, new, [[24, "(a)", ""]])
    assert apply_spans(before, spans) == after
    assert (before, after) in ((old, new), ("甲" * 12 + "中(a)(a)" + "乙" * 12,
                                           "甲" * 12 + "中(a)" + "乙" * 12))


def test_apply_spans_refuses_a_span_that_does_not_match() -> None:
    with pytest.raises(ValueError):
        apply_spans("關於", [[0, "开", "开"]])


def test_report_has_one_record_per_glossed_line_with_replayable_spans(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = ("關(guān)於開(kāi)展創(chuàng)建工作的匯報\n"
            "第二段,內容:很好!\n"
            "第三段沒有注音。\n") * 3
    (src / "a.txt").write_text(text, encoding="utf-8")
    # `--report-level all`: one record per edited line (the default packs them further).
    result = run_cli("clean", str(src), "-o", str(tmp_path / "out"), "--report",
                     str(tmp_path / "r.jsonl"), "-q", "--report-level", "all")
    assert result.exit_code == 0, result.output
    records = read_report(tmp_path / "r.jsonl")
    changes = [r for r in records if r["type"] == "change" and r["filter"] in SPAN_FILTERS]
    punctuation = [r for r in records if r.get("filter") == "punctuation"]
    by_filter: dict[str, list[dict]] = {}
    for r in changes:
        by_filter.setdefault(r["filter"], []).append(r)
        assert apply_spans(r["before"], r["spans"]) == r["after"], json.dumps(r, ensure_ascii=False)
    # Three glossed lines, three glosses each: three records of three spans.
    assert [len(r["spans"]) for r in by_filter["annotations"]] == [3, 3, 3]
    assert {r["line"] for r in by_filter["annotations"]} == {1, 4, 7}
    assert len(punctuation) == 3 and all("spans" not in r for r in punctuation)
    # The file record counts records, which now are lines.
    file_rec = next(r for r in records if r["type"] == "file")
    assert file_rec["changes"]["annotations"] == 3
