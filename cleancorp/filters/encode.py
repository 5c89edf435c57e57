"""The `encode` filter: the last step, the output's shape and optional shards.

The runner writes each document as UTF-8 with ``\\n`` line ends and one final
newline; this filter makes sure what it writes is representable (no lone
surrogates from JSON escapes), has no leading or trailing blank lines, and
cuts documents into shards of at most ``max_bytes`` at line boundaries (after
`layout` a line is a paragraph).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions

#: A lone UTF-16 surrogate, which JSON (`"\\ud800"`) can carry but UTF-8 cannot.
SURROGATE_RE = regex.compile(r"[\ud800-\udfff]")


def replace_surrogates(line: str) -> str:
    """Lone surrogates become U+FFFD, so the output is always valid UTF-8.

    >>> replace_surrogates("ab\\ud800c")
    'ab\\ufffdc'
    """
    return SURROGATE_RE.sub("\ufffd", line)


def shard_bounds(sizes: list[int], max_bytes: int) -> list[tuple[int, int]]:
    """Group consecutive lines of the given encoded sizes (newline included) into
    shards of at most `max_bytes`; a line larger than that is a shard alone.

    >>> shard_bounds([4, 4, 4, 10, 2], 8)
    [(0, 2), (2, 3), (3, 4), (4, 5)]
    """
    bounds: list[tuple[int, int]] = []
    start, total = 0, 0
    for i, size in enumerate(sizes):
        if i > start and total + size > max_bytes:
            bounds.append((start, i))
            start, total = i, 0
        total += size
    if sizes:
        bounds.append((start, len(sizes)))
    return bounds


@dataclass(frozen=True)
class EncodeOptions(FilterOptions):
    """`max_bytes`: cut outputs into shards of at most this many bytes (None: never)."""

    max_bytes: int | None = None


class EncodeFilter(Filter):
    """Make the document writable as clean UTF-8; shard it when asked.

    >>> doc = Document.from_text("\\n正文\\ud800\\n\\n")
    >>> [d.text for d in EncodeFilter().apply(doc)]
    ['正文\\ufffd']
    >>> doc = Document.from_text("甲甲\\n乙乙\\n丙丙")
    >>> [d.text for d in EncodeFilter(EncodeOptions(max_bytes=14)).apply(doc)]
    ['甲甲\\n乙乙', '丙丙']
    """

    name = "encode"
    summary = "UTF-8, \\n line ends, final newline; --max-bytes shards at paragraph boundaries"
    Options = EncodeOptions

    def apply(self, doc: Document) -> list[Document]:
        for i, line in enumerate(doc.lines):
            if SURROGATE_RE.search(line):
                doc.replace_line(i, replace_surrogates(line), filter=self.name, rule="surrogate")
        end = len(doc.lines)
        while end and not doc.lines[end - 1].strip():
            end -= 1
        doc.remove_lines(end, len(doc.lines), filter=self.name, rule="blank-lines")
        start = 0
        while start < len(doc.lines) and not doc.lines[start].strip():
            start += 1
        doc.remove_lines(0, start, filter=self.name, rule="blank-lines")
        if not doc.lines:
            doc.drop(filter=self.name, rule="empty-document")
            return []
        max_bytes = self.options.max_bytes
        if max_bytes is None:
            return [doc]
        sizes = [len(line.encode("utf-8")) + 1 for line in doc.lines]
        if sum(sizes) <= max_bytes:
            return [doc]
        shards = []
        for n, (i, j) in enumerate(shard_bounds(sizes, max_bytes)):
            # The blank line that separated two paragraphs does not open or close a shard.
            while i < j and not doc.lines[i].strip():
                i += 1
            while j > i and not doc.lines[j - 1].strip():
                j -= 1
            if i == j:
                continue
            shard = doc.slice(i, j, part=doc.part)
            if not shards:
                shard.changes = doc.changes  # what happened before sharding stays with shard 1
            line, line_end = doc.span(i, j)
            shard.record(filter=self.name, action="split", rule="max-bytes", line=line,
                         line_end=line_end, shard=n + 1)
            if j - i == 1 and sizes[i] > max_bytes:
                shard.record(filter=self.name, action="split", rule="oversized-paragraph",
                             line=line, line_end=line_end, bytes=sizes[i], max_bytes=max_bytes)
            shards.append(shard)
        return shards
