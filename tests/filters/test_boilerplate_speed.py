"""The fast paths of `boilerplate` and its rules decide exactly as the slow ones.

`RuleSet.line_hit`/`spans` run only the rules whose required literals occur in a
line, and `plan` converts a whole document to simplified at once; these tests
compare them with the rule-by-rule, line-by-line definitions they replace.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.boilerplate import BoilerplateFilter
from cleancorp.rules import Rule, RuleSet, load_rules, match_view, required_literals

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules()


def _all_lines() -> list[str]:
    lines: list[str] = []
    for rule in RULES.rules:
        lines += [*rule.match_examples, *rule.keep_examples]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        lines += path.read_text(encoding="utf-8").split("\n")
    for path in sorted((ROOT / "fixtures" / "pages").glob("*.txt")):
        lines += path.read_text(encoding="utf-8").split("\n")
    return lines


LINES = _all_lines()


def slow_line_hit(rules: RuleSet, view: str) -> Rule | None:
    """The definition: every rule, strongest first, each of its patterns."""
    compiled = rules.compiled()
    for rule in rules._by_weight:
        if rule.kind in ("line", "header") and len(view) <= rule.max_chars and any(
            p.search(view) for p in compiled[rule.id]
        ):
            return rule
    return None


def slow_spans(rules: RuleSet, text: str) -> list[tuple[int, int, Rule]]:
    compiled = rules.compiled()
    found = [
        (m.start(), m.end(), rule)
        for rule in rules.rules if rule.kind == "span"
        for p in compiled[rule.id] for m in p.finditer(text) if m.end() > m.start()
    ]
    found.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, Rule]] = []
    for start, end, rule in found:
        if not merged or start >= merged[-1][1]:
            merged.append((start, end, rule))
    return merged


def test_line_hit_equals_trying_every_rule() -> None:
    hits = 0
    for line in LINES:
        view = match_view(line)
        expected = slow_line_hit(RULES, view)
        assert RULES.line_hit(view) == expected, view
        hits += expected is not None
    assert hits > 50  # the lines do exercise the rules


def test_spans_equal_trying_every_span_rule() -> None:
    for line in LINES:
        assert RULES.spans(line) == slow_spans(RULES, line), line
    ad = "林风推开门。天才一秒记住本站地址：www.example.com 他摸到了开关。"
    assert [r.id for *_, r in RULES.spans(ad)] == ["spliced-ad"]


def test_every_match_example_passes_its_gate() -> None:
    gate = RULES._gate
    assert gate is not None
    # the gate is per pattern: some pattern of the rule that matches must be a candidate
    for rule in RULES._by_weight:
        ranks = [k for k, (r, _) in enumerate(RULES._entries) if r is rule]
        for example in rule.match_examples:
            text = match_view(example) if rule.kind != "span" else example
            matching = [k for k in ranks if RULES._entries[k][1].search(text)]
            if rule.kind == "span":
                continue  # spans have their own gate, tested below
            assert matching and set(matching) & set(gate.candidates(text)), (rule.id, example)


@pytest.mark.parametrize("pattern, literals", [
    ("^(?:上一篇|下一篇)\\s*[:：]", {"上一篇", "下一篇"}),
    ("版权所有(?![人者权])", {"版权所有"}),
    ("ICP\\s*[备证]", {"icp"}),  # case-insensitive: compared casefolded
    ("(?:微信|手机)\\s*扫一扫", {"扫一扫"}),  # the longest requirement wins
    ("[上下]一[章页]", {"上一章", "上一页", "下一章", "下一页"}),
    ("(?:下载)?本文", {"本文"}),  # an optional part is not required
    ("^\\d{4}-\\d{2}$", {"-"}),
    ("\\p{Han}{2}站点", {"站点"}),  # a Unicode property is a class like any other
    ("^(?=.*[(（]\\d)\\S+$", {"(", "（"}),  # what a lookahead requires is in the text
])
def test_required_literals(pattern: str, literals: set[str]) -> None:
    assert required_literals(pattern) == literals


@pytest.mark.parametrize("pattern", [
    "^\\d{6,}$",                 # nothing literal is required
    "(?:记住){e<=1}",            # fuzzy matching: `regex` syntax the stdlib misreads
    "[[:alpha:]]+站",            # a POSIX class
    "(?V1)[[a-z]--[aeiou]]",    # version 1 set operations
])
def test_patterns_without_a_safe_gate_are_always_run(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_user_rule_without_literals_is_always_tried(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'schema = 1\n[[rule]]\nid = "digits-only"\ncategory = "test"\n'
        "patterns = ['^\\d{6,}$']\nexamples.match = ['12345678']\n", encoding="utf-8")
    rules = load_rules([path])
    assert rules.line_hit("12345678").id == "digits-only"
    assert rules.line_hit("第12345678号文件。") is None


def test_whole_document_conversion_equals_line_by_line() -> None:
    flt = BoilerplateFilter()
    lines = [line.replace("\xa0", " ") for line in LINES]
    assert flt.simplified_lines(lines) == [flt.to_simplified(line) for line in lines]


def test_template_key_memo_gives_the_plain_function_result() -> None:
    from cleancorp.filters.boilerplate import template_key

    flt = BoilerplateFilter()
    exempt = flt.rules().is_template_exempt
    for line in LINES[:2000] * 2:  # the second time from the memo
        assert flt.template_key(line) == template_key(line, flt.to_simplified, exempt)


def test_plan_same_on_a_traditional_page() -> None:
    text = "當前位置：首頁 > 新聞 > 正文\n關於開展創建工作的通知\n各單位：現將有關事項通知如下。\n版權所有 © 2023"
    doc = Document.from_text(text)
    BoilerplateFilter().apply(doc)
    assert doc.text == "關於開展創建工作的通知\n各單位：現將有關事項通知如下。"
