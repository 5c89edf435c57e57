"""Documents, change records, and the only helpers that edit a document.

A filter never assigns text directly: every edit goes through a method of
`Document` that changes the lines *and* appends a `Change` in one call, so
"every change is recorded" holds by construction (ftfy's ``_try_fix`` idea).
Each current line knows which lines of the decoded input it came from
(`origins`), so no filter computes report line numbers itself.

>>> doc = Document.from_text("标题\\n当前位置：首页 > 正文\\n正文第一段。", source="a.txt")
>>> doc.remove_lines(1, 2, filter="boilerplate", rule="breadcrumb")
>>> doc.replace_line(1, "正文第一段！", filter="punctuation", rule="cjk-ascii")
True
>>> doc.text
'标题\\n正文第一段！'
>>> [(c.action, c.line, c.before) for c in doc.changes]
[('remove', 2, '当前位置：首页 > 正文'), ('replace', 3, '正文第一段。')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: The actions a change record may carry (SPEC section 3).
ACTIONS = frozenset({"replace", "remove", "drop", "split"})


@dataclass(slots=True)
class Change:
    """One recorded edit: which filter and rule, what it did, where, and the text.

    `line`/`line_end` are 1-based lines of the decoded input (None for changes
    that concern the whole input, like decoding itself). For `remove` and
    `drop`, `before` is the removed text so it can be audited and restored.
    """

    filter: str
    action: str
    line: int | None = None
    line_end: int | None = None
    before: str = ""
    after: str = ""
    rule: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The change as the body of a report ``change`` record (SPEC section 3)."""
        record: dict[str, Any] = {"filter": self.filter}
        if self.rule is not None:
            record["rule"] = self.rule
        record["action"] = self.action
        if self.line is not None:
            record["line"] = self.line
            record["line_end"] = self.line_end if self.line_end is not None else self.line
        record["before"] = self.before
        record["after"] = self.after
        record.update(self.extra)
        return record


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline.

    `lines` is the current text split on ``\\n``; `origins[i]` is the
    (first, last) 1-based input line that current line i came from, so joined
    lines cover several input lines. `input_lines` keeps the decoded input
    for the report's `before` texts. `raw` holds the bytes until `decode`
    has run. `part` numbers the articles of a split file (0 = unsplit);
    `record_no` is the 1-based record number of a JSON Lines input.
    """

    source: str
    raw: bytes | None = None
    lines: list[str] = field(default_factory=list)
    origins: list[tuple[int, int]] = field(default_factory=list)
    input_lines: list[str] = field(default_factory=list)
    part: int = 0
    record_no: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    dropped: bool = False

    # -- construction ---------------------------------------------------

    @classmethod
    def from_text(cls, text: str, source: str = "<text>", **kwargs: Any) -> Document:
        """A document whose decoded input is `text` (tests and the Python API)."""
        doc = cls(source=source, **kwargs)
        doc.set_decoded(text)
        return doc

    def set_decoded(self, text: str) -> None:
        """Install the decoded input text; only `decode` (or a constructor) calls this.

        A final ``\n`` ends the last line rather than starting an empty one.
        """
        if text.endswith("\n"):
            text = text[:-1]
        lines = text.split("\n")
        self.lines = lines
        self.input_lines = list(lines)
        numbers = range(1, len(lines) + 1)
        self.origins = list(zip(numbers, numbers))  # (n, n) pairs, built in C
        self.raw = None

    # -- views ------------------------------------------------------------

    @property
    def uid(self) -> str:
        """A stable id within a run: source, JSON Lines record, article number.

        >>> Document(source="a/b.txt", record_no=3, part=2).uid
        'a/b.txt#3.2'
        """
        return f"{self.source}#{self.record_no or 0}.{self.part}"

    @property
    def text(self) -> str:
        """The current text, lines joined with ``\\n``."""
        return "\n".join(self.lines)

    def input_text(self, i: int, j: int | None = None) -> str:
        """The decoded input behind current lines i..j-1 (default: line i alone)."""
        if j is None:
            first, last = self.origins[i]
            if first == last and first >= 1:  # the common case: one input line
                return self.input_lines[first - 1]
            j = i + 1
        parts: list[str] = []
        last_seen = 0
        for first, last in self.origins[i:j]:
            # Lines joined from the same input line (or already shown) are not repeated.
            first = max(first, last_seen + 1)
            if first <= last:
                parts.extend(self.input_lines[first - 1 : last])
                last_seen = last
        return "\n".join(parts)

    def span(self, i: int, j: int | None = None) -> tuple[int | None, int | None]:
        """The (line, line_end) input range of current lines i..j-1."""
        j = i + 1 if j is None else j
        if not self.origins or i >= len(self.origins):
            return None, None
        return self.origins[i][0], self.origins[max(i, j - 1)][1]

    # -- recording edits --------------------------------------------------

    def record(
        self,
        *,
        filter: str,
        action: str,
        rule: str | None = None,
        line: int | None = None,
        line_end: int | None = None,
        before: str = "",
        after: str = "",
        **extra: Any,
    ) -> None:
        """Append a change that is not an edit of the lines (decode, split, shard)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        self.changes.append(
            Change(filter, action, line, line_end, before, after, rule, dict(extra))
        )

    def replace_line(
        self,
        i: int,
        new: str,
        *,
        filter: str,
        rule: str | None = None,
        before: str | None = None,
        after: str | None = None,
        action: str = "replace",
        **extra: Any,
    ) -> bool:
        """Replace current line i by `new` and record it; return False if nothing changed.

        `before`/`after` default to the whole old and new line; a filter that
        edits a span may record only that span. `new` may contain ``\\n``: the
        pieces all keep line i's origin.
        """
        old = self.lines[i]
        if new == old:
            return False
        line, line_end = self.origins[i]
        if before is None and after is None:
            before, after = changed_window(old, new)
        self.changes.append(
            Change(
                filter,
                action,
                line,
                line_end,
                old if before is None else before,
                new if after is None else after,
                rule,
                dict(extra),
            )
        )
        if "\n" in new:
            pieces = new.split("\n")
            self.lines[i : i + 1] = pieces
            self.origins[i : i + 1] = [self.origins[i]] * len(pieces)
        else:
            self.lines[i] = new
        return True

    def remove_span(
        self, i: int, start: int, end: int, *, filter: str, rule: str, **extra: Any
    ) -> bool:
        """Cut characters [start, end) out of line i, recorded as a `remove` of that span."""
        old = self.lines[i]
        if start >= end:
            return False
        return self.replace_line(
            i,
            old[:start] + old[end:],
            filter=filter,
            rule=rule,
            before=old[start:end],
            after="",
            action="remove",
            **extra,
        )

    def remove_lines(self, i: int, j: int, *, filter: str, rule: str, **extra: Any) -> None:
        """Remove current lines i..j-1, recording their decoded input text."""
        if i >= j:
            return
        line, line_end = self.span(i, j)
        self.changes.append(
            Change(filter, "remove", line, line_end, self.input_text(i, j), "", rule, dict(extra))
        )
        del self.lines[i:j]
        del self.origins[i:j]

    def join_lines(
        self, i: int, j: int, new: str, *, filter: str, rule: str, **extra: Any
    ) -> None:
        """Replace current lines i..j-1 by one line `new` (a reflow), recorded as `replace`."""
        old = "\n".join(self.lines[i:j])
        line, line_end = self.span(i, j)
        self.changes.append(Change(filter, "replace", line, line_end, old, new, rule, dict(extra)))
        self.lines[i:j] = [new]
        self.origins[i:j] = [(line, line_end)]  # type: ignore[list-item]

    def set_lines(
        self,
        new_lines: Iterable[tuple[str, tuple[int, int]]],
        *,
        filter: str,
        rule: str,
    ) -> None:
        """Replace every line at once from (text, origin) pairs: for filters that rebuild
        the text wholesale. Records one `replace` per changed input range."""
        new = list(new_lines)
        if [t for t, _ in new] == self.lines:
            return
        self.changes.append(
            Change(filter, "replace", *self.span(0, len(self.lines)), self.text,
                   "\n".join(t for t, _ in new), rule, {})
        )
        self.lines = [t for t, _ in new]
        self.origins = [o for _, o in new]

    def drop(self, *, filter: str, rule: str, **extra: Any) -> None:
        """Drop the whole document; its current text is kept in the record."""
        line, line_end = self.span(0, len(self.lines))
        self.changes.append(Change(filter, "drop", line, line_end, self.text, "", rule, dict(extra)))
        self.dropped = True

    def slice(self, i: int, j: int, part: int) -> Document:
        """A new document made of current lines i..j-1 (an article of a compilation).

        The slice shares the decoded input (so report line numbers stay those of
        the input file) and starts with no changes of its own.
        """
        return Document(
            source=self.source,
            lines=self.lines[i:j],
            origins=self.origins[i:j],
            input_lines=self.input_lines,
            part=part,
            record_no=self.record_no,
            meta=dict(self.meta),
        )


#: Characters of unchanged text kept on each side of an edit in a `replace` record.
CONTEXT_CHARS = 12


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by binary search on slice equality (compared in
    C: a character loop in Python was a top cost on long paragraphs).

    >>> common_prefix("中文abc", "中文abd"), common_prefix("", "x")
    (4, 0)
    """
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def changed_window(old: str, new: str, context: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The part of a line that an edit changed, with `context` characters around it.

    A punctuation fix in a 1,000-character paragraph is recorded as a few dozen
    characters, not the paragraph twice (the report was six times the corpus).

    >>> changed_window("甲" * 30 + "," + "乙" * 30, "甲" * 30 + "，" + "乙" * 30, 2)
    ('甲甲,乙乙', '甲甲，乙乙')
    >>> changed_window("短句,", "短句，")   # short lines are kept whole
    ('短句,', '短句，')
    """
    prefix = common_prefix(old, new)
    suffix = min(common_prefix(old[prefix:][::-1], new[prefix:][::-1]),
                 min(len(old), len(new)) - prefix)
    start = max(0, prefix - context)
    cut = max(0, suffix - context)
    if start + cut < 2 * context:
        return old, new  # trimming would save little: keep the whole line
    return old[start : len(old) - cut], new[start : len(new) - cut]
