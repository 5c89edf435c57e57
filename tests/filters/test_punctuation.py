"""The `punctuation` filter: full-width marks inside Chinese text, nothing else."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import case_params, load_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.document import Document
from cleancorp.filters.punctuation import (
    PunctuationFilter,
    PunctuationOptions,
    fix_punctuation,
    is_code_line,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = load_cases("punctuation")
SEEDS = ROOT / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")

ASCII_MARKS = set(",:;?!()")


def _is_cjk(ch: str) -> bool:
    # The scorer's definition (eval/score.py `is_cjk`), restated so the test is independent.
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3FFFF or 0x3000 <= o <= 0x30FF or 0x3100 <= o <= 0x312F
            or 0x31A0 <= o <= 0x31FF or 0xFF00 <= o <= 0xFFEF)


def ascii_next_to_cjk(text: str) -> int:
    return sum(
        1 for i, ch in enumerate(text)
        if ch in ASCII_MARKS and ((i > 0 and _is_cjk(text[i - 1]))
                                  or (i + 1 < len(text) and _is_cjk(text[i + 1])))
    )


def run(text: str, **options: object) -> Document:
    doc = Document.from_text(text)
    assert PunctuationFilter(PunctuationOptions(**options)).apply(doc) == [doc]
    return doc


@pytest.mark.parametrize("case", case_params("punctuation"))
def test_case(case: dict) -> None:
    doc = run(case["original"])
    assert doc.text == case["fixed"]
    assert bool(doc.changes) == (case["original"] != case["fixed"])
    assert all(c.rule == "cjk-ascii" and c.filter == "punctuation" for c in doc.changes)


def test_cases_have_negatives() -> None:
    assert sum(c["original"] == c["fixed"] for c in CASES) >= 5


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seeds_leave_no_ascii_mark_next_to_cjk(path: Path) -> None:
    text = path.read_text("utf-8")
    doc = run(text)
    # URLs, e-mail addresses and code lines are the only places a mark may stay ASCII;
    # the seeds' URLs have no mark touching Chinese.
    assert ascii_next_to_cjk(doc.text) == 0
    assert run(doc.text).changes == []
    # full-width marks are never turned into ASCII, and `.` is never touched
    for before, after in zip(text, doc.text, strict=True):
        if before != after:
            assert before in ASCII_MARKS and after in "，：；？！（）"


def test_one_record_per_changed_line() -> None:
    doc = run("甲,乙\n丙\n丁:戊")
    assert [(c.line, c.before, c.after) for c in doc.changes] == [
        (1, "甲,乙", "甲，乙"), (3, "丁:戊", "丁：戊"),
    ]


def test_brackets_option() -> None:
    assert run("(1)加快,发展", brackets=False).text == "(1)加快，发展"
    assert run("(1)加快,发展").text == "（1）加快，发展"


def test_code_lines() -> None:
    assert is_code_line("if (a == b) { return 1; }")
    assert not is_code_line("各科室要高度重视;")


def test_pickles() -> None:
    f = PunctuationFilter(PunctuationOptions(brackets=False))
    assert pickle.loads(pickle.dumps(f)).options == f.options


PIECES = st.sampled_from([
    "中文", "党委", ",", ":", ";", "?", "!", "(", ")", "（", "）", "，", "1", "000", "3:30",
    "1.5", ".", "abc", " ", "http://a.cn/x?y=1,2", "a@b.cn", "\n", "ok", "“", "”", "(1)",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_idempotent_and_complete(pieces: list[str]) -> None:
    text = "".join(pieces)
    once = fix_punctuation(text)
    assert fix_punctuation(once) == once
    # only ASCII marks change, each into its own full-width form
    assert len(once) == len(text)
    for a, b in zip(text, once, strict=True):
        assert a == b or (a in ASCII_MARKS and b == chr(ord(a) + 0xFEE0))
    # no ASCII full-width counterpart is introduced
    assert sum(ch in ASCII_MARKS for ch in once) <= sum(ch in ASCII_MARKS for ch in text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("中文,:;?!()1 a.（），"), max_size=30))
def test_no_mark_next_to_cjk_outside_addresses(text: str) -> None:
    out = fix_punctuation(text)
    if not is_code_line(text):
        assert ascii_next_to_cjk(out) == 0


def test_seed_lines_idempotent() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text("utf-8").split("\n"):
            once = fix_punctuation(line)
            assert fix_punctuation(once) == once, line
