"""Changed spans of a line: one change record per edited line instead of one per edit.

High-volume filters (`annotations`, `t2s`, `punctuation`) record each changed
line once (SPEC section 3: "one record per line listing the changed spans").
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
from difflib import SequenceMatcher
from itertools import compress, count
from operator import ne
from typing import Any

from cleancorp.document import CONTEXT_CHARS, changed_window

#: A span as it goes to the report: [col, before, after] (a list, as JSON reads it back).
Span = list[Any]


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix (binary search on slices, compared in C).

    >>> common_prefix("關於開展", "关于开展"), common_prefix("中文a", "中文b")
    (0, 2)
    """
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def position_spans(old: str, new: str, positions: Iterable[int] | None = None) -> list[Span]:
    """Spans of two strings of the same length: runs of differing characters.

    `positions` (sorted) limits the comparison to the characters a filter may have
    changed (punctuation: the ASCII marks); by default every position is compared.

    >>> position_spans("視察中,大家:好", "视察中，大家：好")
    [[0, '視', '视'], [3, ',', '，'], [6, ':', '：']]
    >>> position_spans("多个,,中文", "多个，，中文", [2, 3])
    [[2, ',,', '，，']]
    """
    if len(old) != len(new):
        raise ValueError("position_spans needs strings of the same length")
    if positions is None:
        # map/compress run in C: t2s compares every character of its lines.
        positions = compress(count(), map(ne, old, new))
    else:
        positions = [k for k in positions if old[k] != new[k]]
    spans: list[Span] = []
    start = end = -1
    for k in positions:
        if k == end:
            end += 1
            continue
        if start >= 0:
            spans.append([start, old[start:end], new[start:end]])
        start, end = k, k + 1
    if start >= 0:
        spans.append([start, old[start:end], new[start:end]])
    return spans


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


def diff_spans(old: str, new: str) -> list[Span]:
    """Spans of any two strings: by position when the lengths agree (the usual case:
    conversions map characters one to one), else by `difflib` (slow on long lines;
    only for the rare phrase that changes length).

    >>> diff_spans("這裡的說明", "这里的说明")
    [[0, '這裡', '这里'], [3, '說', '说']]
    >>> diff_spans("一個電腦程式", "一个计算机程序")
    [[1, '個電腦', '个计算机'], [5, '式', '序']]
    """
    if len(old) == len(new):
        return position_spans(old, new)
    spans: list[Span] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            spans.append([i1, old[i1:i2], new[j1:j2]])
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
