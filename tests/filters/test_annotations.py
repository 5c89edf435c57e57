"""The `annotations` filter: inline pinyin glosses after Hanzi go, everything else stays."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import case_params, load_cases

from cleancorp.document import Document
from cleancorp.errors import ConfigError
from cleancorp.filters.annotations import (
    AnnotationsFilter,
    AnnotationsOptions,
    find_annotations,
    pinyin_syllable_count,
    pinyin_syllables,
    strip_annotations,
)
from cleancorp.spans import apply_spans

ROOT = Path(__file__).resolve().parents[2]
CASES = load_cases("annotations")
SEED = ROOT / "seeds" / "002_3d36d2cc6aa885b6.txt"
if not SEED.exists():
    SEED = Path("/work/shared/seeds/002_3d36d2cc6aa885b6.txt")


def run(text: str, **options: object) -> Document:
    doc = Document.from_text(text)
    out = AnnotationsFilter(AnnotationsOptions(**options)).apply(doc)
    assert out == [doc]
    return doc


@pytest.mark.parametrize("case", case_params("annotations"))
def test_case(case: dict) -> None:
    assert run(case["original"]).text == case["fixed"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case_idempotent(case: dict) -> None:
    once = run(case["original"]).text
    again = run(once)
    assert again.text == once
    assert again.changes == []


def test_syllable_table() -> None:
    table = pinyin_syllables()
    # The standard table has about 410 toneless syllables.
    assert 400 <= len(table) <= 420
    assert {"a", "er", "ê", "lü", "nüe", "zhuang", "yo", "ri"} <= table
    assert not {"the", "and", "m", "ng", "fe", "bo1"} & table


@pytest.mark.parametrize(
    ("token", "count"),
    [
        ("guān", 1), ("GUĀN".capitalize(), 1), ("nǚ", 1), ("nv3", 1), ("lüè", 1), ("ér", 1),
        ("xī'ān", 2), ("xi1 an1", 2), ("zhōng-guó", 2), ("chuang4", 1),
        ("guan6", 0), ("guan1x", 0), ("guān1", 0), ("Guan1", 0), ("gUān", 0),
        ("a1", 0), ("xyz", 0), ("", 0), ("市、区", 0), ("2011", 0), ("bānana", 0),
    ],
)
def test_pinyin_syllable_count(token: str, count: int) -> None:
    assert pinyin_syllable_count(token) == count


def test_toneless_only_with_habit_and_single_syllable() -> None:
    assert pinyin_syllable_count("de", allow_toneless=True) == 1
    assert pinyin_syllable_count("de") == 0
    # English words that spell several syllables never pass, habit or not.
    for word in ("banana", "china", "panda", "Men", "a", "e"):
        assert pinyin_syllable_count(word, allow_toneless=True) == 0, word


def test_habit_threshold_is_an_option() -> None:
    text = "他們(men)的(de)書(shū)是(shì)"  # two toned glosses only
    assert run(text).text == "他們(men)的(de)書是"
    assert run(text, toneless_min_annotations=2).text == "他們的書是"


def test_bad_option_names_the_key() -> None:
    with pytest.raises(ConfigError) as err:
        AnnotationsOptions(toneless_min_annotations=0)
    assert err.value.key == "annotations.toneless_min_annotations"


def test_records_one_replace_per_line_listing_each_gloss() -> None:
    doc = run("標題\n關(guān)於開（kāi）展\n中(zhōng)(guó)人(rén)")
    assert [(c.filter, c.rule, c.action, c.line, c.before, c.after) for c in doc.changes] == [
        ("annotations", "inline-pinyin", "replace", 2, "關(guān)於開（kāi）展", "關於開展"),
        ("annotations", "inline-pinyin", "replace", 3, "中(zhōng)(guó)人(rén)", "中人"),
    ]
    # Three glosses, one record: the chained pair is one span, in input-line offsets.
    assert [c.extra["spans"] for c in doc.changes] == [
        [[1, "(guān)", ""], [9, "（kāi）", ""]],
        [[1, "(zhōng)(guó)", ""], [14, "(rén)", ""]],
    ]


def test_three_glosses_in_a_long_line_give_one_record_with_three_spans() -> None:
    # Long enough that the record's before/after are a trimmed window of the line.
    line = "前言" * 20 + "關(guān)於開(kāi)展創(chuàng)建" + "結語" * 20
    doc = run(line)
    [change] = doc.changes
    assert change.action == "replace"
    assert [s[1] for s in change.extra["spans"]] == ["(guān)", "(kāi)", "(chuàng)"]
    assert len(change.before) < len(line)
    assert change.before in line and change.after in doc.text
    assert apply_spans(change.before, change.extra["spans"]) == change.after


def test_find_and_strip_agree() -> None:
    line = "關(guān)於開(kāi)展(2011)"
    spans = find_annotations(line)
    assert [line[s:e] for s, e in spans] == ["(guān)", "(kāi)"]
    assert strip_annotations(line) == "關於開展(2011)"


@pytest.fixture(scope="module")
def seed_doc() -> tuple[str, Document]:
    text = SEED.read_text("utf-8")
    return text, run(text)


def test_seed_002(seed_doc: tuple[str, Document]) -> None:
    text, doc = seed_doc
    # Every parenthesised lowercase pinyin-looking token glued to a Hanzi in the seed
    # (all carry tone marks); counted independently of the filter's own regex.
    glued = re.findall(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", text)
    spans = [s for c in doc.changes for s in c.extra["spans"]]
    # One span per gloss (none of the seed's are chained), one record per glossed line.
    assert len(spans) == len(glued) == 1855
    assert len(doc.changes) == len({c.line for c in doc.changes})
    assert {(c.rule, c.action) for c in doc.changes} == {("inline-pinyin", "replace")}
    assert all(after == "" and before == glue[1:] for (_, before, after), glue
               in zip(spans, glued, strict=True))
    # Conservation: each record's before is its input line (no earlier filter ran)
    # and its spans replay to its after.
    for c in doc.changes:
        assert c.before in doc.input_lines[c.line - 1]
        assert apply_spans(c.before, c.extra["spans"]) == c.after
    out = doc.text
    assert "\n關于開展創建全國科技進步先進城市情況匯報\n" in out
    # What is not a gloss stays: notes in parentheses, and glosses glued to debris,
    # which the mojibake filter (earlier in the pipeline) removes.
    for kept in ("規劃(綱要)", "縣(市、區)", "彼a(chǎn)"):
        assert kept in out
    assert len(doc.lines) == len(text.split("\n"))


def test_seed_002_idempotent(seed_doc: tuple[str, Document]) -> None:
    _, doc = seed_doc
    assert run(doc.text).changes == []
