"""The language filter: long foreign-script blocks go, terms, code and bilingual text stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.language import RULE, LanguageFilter, LanguageOptions

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "fixtures" / "cases" / "language.json").read_text(encoding="utf-8"))
ZH = "视察中，大家一致认为，自主创新是推动发展的第一动力，必须坚持不懈地抓下去。"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["label"])
def test_cases(case: dict) -> None:
    doc = Document.from_text(case["original"])
    LanguageFilter().apply(doc)
    # blank lines left behind are layout's to collapse
    assert doc.text.rstrip("\n") == case["fixed"].rstrip("\n")


def test_seed_000_english_blocks_removed_whole() -> None:
    path = next((ROOT / "seeds").glob("000_*.txt"))
    doc = Document.from_text(path.read_text(encoding="utf-8"))
    LanguageFilter().apply(doc)
    assert [(c.rule, c.line, c.extra["script"], c.extra["main_script"]) for c in doc.changes] == [
        (RULE, 46, "latin", "han"), (RULE, 44, "latin", "han")
    ]
    assert "Communist Youth League" not in doc.text and "六抓科技投入" in doc.text
    again = Document.from_text(doc.text)
    LanguageFilter().apply(again)
    assert again.changes == []


@pytest.mark.parametrize("seed", ["001", "002", "003", "004"])
def test_other_seeds_untouched(seed: str) -> None:
    path = next((ROOT / "seeds").glob(f"{seed}_*.txt"))
    doc = Document.from_text(path.read_text(encoding="utf-8"))
    LanguageFilter().apply(doc)
    assert doc.changes == []


def test_thresholds_are_options() -> None:
    english = "It works well. It is fast. It is cheap. " * 5
    text = f"{ZH}\n\n{english}\n\n{ZH}"
    doc = Document.from_text(text)
    LanguageFilter().apply(doc)
    assert len(doc.changes) == 1  # fifteen sentences make a long block
    doc = Document.from_text(text)
    LanguageFilter(LanguageOptions(min_block_sentences=16, min_block_chars=1000)).apply(doc)
    assert doc.changes == []


def test_a_short_english_quotation_in_chinese_text_stays() -> None:
    english = "It works well. It is fast. It is cheap."
    doc = Document.from_text(f"{ZH}\n\n{english}\n\n{ZH}")
    LanguageFilter().apply(doc)
    assert doc.changes == []  # three short sentences: a quotation, not a second version


def test_an_appended_translation_goes_glued_or_apart() -> None:
    """A Chinese article with its machine translation appended (about as long in
    weighted letters): the translation goes, with or without a blank line between."""
    zh = ("社区图书馆今年春天完成了改造，新增了儿童阅读区和自习室。\n"
          "馆长介绍，改造后每天的到馆人数比去年增加了一倍，周末常常一座难求。\n")
    en = ("The community library completed its renovation this spring, adding a children's "
          "reading area and a study room. According to the curator, daily visitors have "
          "doubled since last year, and seats are often hard to find on weekends.")
    for text in (zh + en, zh + "\n" + en):
        doc = Document.from_text(text)
        LanguageFilter().apply(doc)
        assert doc.text.rstrip("\n") == zh.rstrip("\n")


def test_chinese_block_in_english_document() -> None:
    english = "The committee met on Monday and agreed to publish the annual report next week."
    chinese = "。".join([ZH] * 3)
    text = "\n\n".join([english, english, chinese, english])
    doc = Document.from_text(text)
    LanguageFilter().apply(doc)
    assert [c.extra["script"] for c in doc.changes] == ["han"]
