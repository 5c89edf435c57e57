"""Changed spans of a line: one change record per edited line instead of one per edit.

`annotations` records each changed line once, however many glosses it lost (SPEC
section 3: "one record per line listing the changed spans"; a page with pinyin
glosses has dozens per line). (`t2s` and `punctuation` also record a changed line
once, with its changed window only: there, spans would cost more than they save.)
The record keeps `before`/`after` as `Document.replace_line` makes them by
default (the changed window of the line, see `document.changed_window`) and adds

    "spans": [[col, before, after], ...]

where `col` is the 0-based character offset of the span in the record's own
`before` text (which is the whole line before the edit unless the window was
trimmed), `before` the text the span had and `after` what replaced it. Spans are
sorted, do not overlap, and applying them to the record's `before` gives its
`after` (`apply_spans`), so a report alone is enough to check or replay an edit.

>>> old, new = "關(guān)於開(kāi)展", "關於開展"
>>> before, after, spans = window_record(old, new, removal_spans([(1, 7), (9, 14)], old))
>>> spans
[[1, '(guān)', ''], [9, '(kāi)', '']]
>>> apply_spans(before, spans) == after == new
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cleancorp.document import CONTEXT_CHARS, changed_window, common_prefix

#: A span as it goes to the report: [col, before, after] (a list, as JSON reads it back).
Span = list[Any]


def removal_spans(ranges: Iterable[tuple[int, int]], old: str) -> list[Span]:
    """Spans that delete the [start, end) `ranges` of `old` (merged where they touch).

    >>> removal_spans([(18, 23), (1, 8), (8, 13)], "中(zhōng)(guó)人民共和國(guó)")
    [[1, '(zhōng)(guó)', ''], [18, '(guó)', '']]
    """
    spans: list[Span] = []
    for start, end in sorted(ranges):
        if start >= end:
            continue
        if spans and start <= spans[-1][0] + len(spans[-1][1]):
            last = spans[-1]
            stop = max(end, last[0] + len(last[1]))
            last[1] = old[last[0] : stop]
        else:
            spans.append([start, old[start:end], ""])
    return spans


def apply_spans(text: str, spans: Sequence[Sequence[Any]]) -> str:
    """`text` with each [col, before, after] span replaced (the inverse check of a record).

    >>> apply_spans("關(guān)於開(kāi)展", [[1, "(guān)", ""], [9, "(kāi)", ""]])
    '關於開展'
    >>> apply_spans("短句,", [[2, ",", "，"]])
    '短句，'
    """
    parts: list[str] = []
    pos = 0
    for col, before, after in spans:
        if col < pos or text[col : col + len(before)] != before:
            raise ValueError(f"span {[col, before, after]!r} does not match the text")
        parts.append(text[pos:col])
        parts.append(after)
        pos = col + len(before)
    parts.append(text[pos:])
    return "".join(parts)


def window_record(old: str, new: str, spans: list[Span]) -> tuple[str, str, list[Span]]:
    """(before, after, spans) of the record of an edit `old` -> `new` whose `spans` are
    given in `old`'s coordinates.

    `before`/`after` are `changed_window(old, new)`, what `replace_line` records by
    default; the spans are shifted to start in that window. When the spans do not
    fall inside it (an alignment that differs from the window's common prefix and
    suffix), the record keeps the whole lines instead, so the spans always replay.

    >>> old = "甲" * 30 + "," + "乙" * 30
    >>> before, after, spans = window_record(old, old.replace(",", "，"), [[30, ",", "，"]])
    >>> len(before), spans
    (25, [[12, ',', '，']])
    """
    before, after = changed_window(old, new)
    if len(before) == len(old):
        return before, after, spans
    # changed_window keeps CONTEXT_CHARS before the first changed character.
    start = max(0, common_prefix(old, new) - CONTEXT_CHARS)
    shifted = [[col - start, b, a] for col, b, a in spans] if start else spans
    if (shifted and shifted[0][0] >= 0 and old[start : start + len(before)] == before
            and shifted[-1][0] + len(shifted[-1][1]) <= len(before)):
        try:
            if apply_spans(before, shifted) == after:
                return before, after, shifted
        except ValueError:
            pass
    return old, new, spans
