"""The length filter: documents with too little text are dropped, with a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.length import LengthFilter, LengthOptions, text_amount

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "fixtures" / "cases" / "length.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["label"])
def test_cases(case: dict) -> None:
    doc = Document.from_text(case["original"])
    out = LengthFilter().apply(doc)
    assert (out[0].text if out else "") == case["fixed"]


def test_drop_record() -> None:
    doc = Document.from_text("返回首页\n联系我们")
    assert LengthFilter().apply(doc) == []
    (change,) = doc.changes
    assert (change.filter, change.action, change.rule) == ("length", "drop", "too-short")
    assert change.before == "返回首页\n联系我们"
    assert change.extra == {"cjk_chars": 8, "latin_words": 0}
    assert doc.dropped


@pytest.mark.parametrize(
    ("cjk", "kept"), [(19, False), (20, True)],
)
def test_cjk_boundary(cjk: int, kept: bool) -> None:
    doc = Document.from_text("字" * cjk + "，。0123")
    assert bool(LengthFilter().apply(doc)) is kept


def test_latin_boundary_and_options() -> None:
    nine = "one two three four five six seven eight nine"
    assert LengthFilter().apply(Document.from_text(nine)) == []
    assert LengthFilter().apply(Document.from_text(nine + " ten"))
    assert LengthFilter(LengthOptions(min_latin_words=5)).apply(Document.from_text(nine))
    assert text_amount("I a 中") == (1, 0)


def test_idempotent_on_kept_documents() -> None:
    doc = Document.from_text("今天天气很好，我们一起去公园散步，看见了很多花。")
    LengthFilter().apply(doc)
    LengthFilter().apply(doc)
    assert doc.changes == []
