"""The split filter: compilations become one document per article, other text is left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.split import SplitFilter, find_articles, parse_heading

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "fixtures" / "cases" / "split.json").read_text(encoding="utf-8"))


def _split(text: str) -> list[str]:
    return [d.text for d in SplitFilter().apply(Document.from_text(text, source="c.txt"))]


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True)) if c["expect"] == "fail" else c
     for c in CASES],
    ids=lambda c: c["label"],
)
def test_cases(case: dict) -> None:
    assert _split(case["original"]) == case["fixed"]


def test_records_and_origins() -> None:
    doc = Document.from_text("前面的变化\n第一篇：甲方案\n甲方案\n正文甲。\n第二篇：乙方案\n正文乙。",
                             source="a.txt")
    doc.lines[0] = "前面的变化"
    doc.record(filter="decode", action="replace", rule="x")  # a change made before split
    arts = SplitFilter().apply(doc)
    assert [a.part for a in arts] == [1, 2]
    assert [a.uid for a in arts] == ["a.txt#0.1", "a.txt#0.2"]
    # the compilation title before article 1 is recorded as removed, on article 1
    first = [(c.filter, c.action, c.rule, c.line, c.line_end, c.before) for c in arts[0].changes]
    assert first[0][0] == "decode"
    assert ("split", "split", "article", 2, 4, "") in first
    assert ("split", "remove", "article-heading", 2, 2, "第一篇：") in first
    assert ("split", "remove", "repeated-title", 3, 3, "甲方案") in first
    assert ("split", "remove", "compilation-title", 1, 1, "前面的变化") in first
    second = [(c.action, c.rule, c.line, c.line_end) for c in arts[1].changes]
    assert second == [("split", "article", 5, 6), ("remove", "article-heading", 5, 5)]
    assert arts[1].changes[0].extra == {"part": 2}
    # line numbers of the slices are those of the input
    assert arts[1].origins == [(5, 5), (6, 6)]


def test_seed_compilation_headings() -> None:
    lines = (ROOT / "seeds" / "001_20c651d4bffc88d9.txt").read_text("utf-8").splitlines()
    heads = find_articles([ln.replace(":", "：") for ln in lines])
    assert [h.number for _, h in heads] == [1, 2, 3, 4, 5]


def test_heading_forms() -> None:
    assert parse_heading("第十二篇：标题").number == 12
    assert parse_heading("【第3篇】标题").title == "标题"
    assert parse_heading("精选范文三：标题").number == 3
    assert parse_heading("工作总结（篇二）").title == "工作总结"
    assert parse_heading("第一篇：这是一个很长的句子，它以逗号结尾，") is None
    assert parse_heading("一、指导思想") is None and parse_heading("第一章 总则") is None


def test_stray_heading_quoted_inside_article_is_not_a_boundary() -> None:
    text = "第一篇：甲\n正文甲。\n第三篇：误引\n正文。\n第二篇：乙\n正文乙。"
    assert _split(text) == ["甲\n正文甲。\n第三篇：误引\n正文。", "乙\n正文乙。"]


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "pass"], ids=lambda c: c["label"])
def test_idempotent(case: dict) -> None:
    for text in _split(case["original"]):
        doc = Document.from_text(text)
        out = SplitFilter().apply(doc)
        assert [d.text for d in out] == [text] and doc.changes == []
