"""The change report: JSON Lines records (SPEC section 3), counters, the exit code."""

from __future__ import annotations

import contextlib
import difflib
import gzip
import io
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from cleancorp.config import RunConfig
from cleancorp.document import common_prefix

SCHEMA = 1
#: Actions kept at `--report-level removals` (text leaves the corpus).
REMOVAL_ACTIONS = frozenset({"remove", "drop"})
#: The levels that write a record for every change (`compact` packs the edits).
EVERY_CHANGE = frozenset({"all", "compact"})
#: Unchanged characters kept on each side of a changed span in a packed edit: with the
#: spans and the lengths left out between them, enough to find the place in the input
#: line (explain, the HTML page); a third of what `--report-level all` keeps around a
#: window (`document.CONTEXT_CHARS`), and nothing of the unchanged text between spans
#: (on the bench corpus, 4 characters gave a third less than 8 and located as often).
PACK_CONTEXT = 4
#: Above this many characters what `_align` cannot follow is kept as one span rather
#: than aligned by difflib (quadratic in the worst case; it was 80% of the packing time
#: when it aligned every edit whose length changed).
ALIGN_LIMIT = 300


#: Characters that JSON leaves raw but line-splitting readers (Python's
#: `str.splitlines`, many editors) treat as line breaks: escaped so that one
#: record is always one line. They only occur inside strings, so this is safe.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


#: One encoder for every record (json.dumps builds a new one per call with these options).
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_line(record: dict[str, Any]) -> str:
    r"""One JSON Lines record, UTF-8 text kept readable, line breaks escaped.

    >>> json_line({"before": "a\x85b"})
    '{"before": "a\\u0085b"}\n'
    """
    line = _ENCODER.encode(record)
    # The translation is costly on every record and almost never needed.
    if "\x85" in line or "\u2028" in line or "\u2029" in line:
        line = line.translate(_LINE_BREAKS)
    return line + "\n"


def _changed_spans(before: str, after: str, spans: Any = None) -> list[tuple[int, int, str]]:
    r"""The changed spans of an edit `before` -> `after` as (start, end, replacement) in
    `before`'s coordinates, sorted and disjoint: the filter's own `spans` when it gave
    them, a character comparison when the length is unchanged (t2s, punctuation), else
    the changed middle aligned by `_align` (unicode, layout joins).

    >>> _changed_spans("甲,乙,丙", "甲，乙，丙")
    [(1, 2, '，'), (3, 4, '，')]
    >>> _changed_spans("上一行\n下一行", "上一行下一行")
    [(3, 4, '')]
    """
    if spans:
        return [(col, col + len(b), a) for col, b, a in spans]
    if len(before) == len(after):
        # Compared in C (numpy over UTF-32 code units): a character loop in Python over
        # 40,000 paragraph-long windows costs seconds.
        a = np.frombuffer(before.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        b = np.frombuffer(after.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        diff = np.flatnonzero(a != b)
        if not len(diff):
            return []
        breaks = np.flatnonzero(np.diff(diff) > 1)
        starts = np.concatenate(([diff[0]], diff[breaks + 1]))
        ends = np.concatenate((diff[breaks], [diff[-1]])) + 1
        return [(int(i), int(j), after[i:j]) for i, j in zip(starts, ends, strict=True)]
    prefix = common_prefix(before, after)
    suffix = common_prefix(before[prefix:][::-1], after[prefix:][::-1])
    suffix = min(suffix, len(before) - prefix, len(after) - prefix)
    old, new = before[prefix : len(before) - suffix], after[prefix : len(after) - suffix]
    if not old or not new:
        return [(prefix, prefix + len(old), new)]
    return [(prefix + i, prefix + j, rep) for i, j, rep in _align(old, new)]


def _align(old: str, new: str) -> list[tuple[int, int, str]]:
    r"""Spans turning `old` into `new`, for edits that delete, insert or replace a few
    characters here and there (a join's line breaks and glue, spaces between CJK,
    entities): unchanged stretches are skipped in C (`common_prefix`), and at each
    difference the nearest place where `SYNC` characters agree again is searched
    within `LOOKAHEAD` characters of each side. Where none is, the rest is aligned by
    difflib when it is short, else kept as one span. Any alignment is exact (the spans
    always turn `old` into `new`); a better one only makes the record smaller.

    >>> _align("党委 办公室 召开", "党委办公室召开")
    [(2, 3, ''), (6, 7, '')]
    >>> _align("the\nend", "the end")
    [(3, 4, ' ')]
    """
    out: list[tuple[int, int, str]] = []
    i = j = 0
    while True:
        k = common_prefix(old[i:], new[j:])
        i, j = i + k, j + k
        if i == len(old) and j == len(new):
            return out
        sync = _sync(old, new, i, j)
        if sync is None:
            rest_old, rest_new = old[i:], new[j:]
            if len(rest_old) + len(rest_new) <= ALIGN_LIMIT:
                matcher = difflib.SequenceMatcher(None, rest_old, rest_new, autojunk=False)
                out += [(i + i1, i + i2, rest_new[j1:j2])
                        for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
            else:
                out.append((i, len(old), rest_new))
            return out
        di, dj = sync
        out.append((i, i + di, new[j : j + dj]))
        i, j = i + di, j + dj


#: `_align`: characters that must agree after a difference, and how far to look for them.
SYNC = 3
LOOKAHEAD = 8


def _sync(old: str, new: str, i: int, j: int) -> tuple[int, int] | None:
    """The smallest (deleted, inserted) counts after which `old[i:]` and `new[j:]`
    agree on `SYNC` characters (or both end), None beyond `LOOKAHEAD`."""
    n_old, n_new = len(old), len(new)
    for total in range(1, 2 * LOOKAHEAD + 1):
        for di in range(max(0, total - LOOKAHEAD), min(total, LOOKAHEAD) + 1):
            dj = total - di
            a, b = i + di, j + dj
            if a > n_old or b > n_new:
                continue
            if a == n_old or b == n_new:
                if a == n_old and b == n_new:
                    return di, dj
                continue
            if old[a : a + SYNC] == new[b : b + SYNC]:
                return di, dj
    return None


def pack_edit(before: str, after: str, spans: Any = None,
              context: int = PACK_CONTEXT,
              changed: list[tuple[int, int, str]] | None = None) -> list[Any]:
    """An edit as pieces: strings are unchanged text, `[old, new]` pairs the changed
    spans, and an integer the number of unchanged characters left out between
    them (more than twice `context`). Filling each integer with that many
    characters of `before` and joining gives back `before` (old sides) and `after`
    (new sides) from the first piece on; the text outside the pieces is unchanged.

    >>> old = "甲" * 30 + "," + "乙" * 30 + "," + "丙" * 5
    >>> pack_edit(old, old.replace(",", "，"), context=2)
    ['甲甲', [',', '，'], '乙乙', 26, '乙乙', [',', '，'], '丙丙']
    """
    if changed is None:
        changed = _changed_spans(before, after, spans)
    if not changed:
        return []
    start = changed[0][0]
    pieces: list[Any] = [before[max(0, start - context) : start]]
    pos = start
    wide = 2 * context
    for start, end, new in changed:
        if start - pos > wide:
            pieces += (before[pos : pos + context], start - pos - wide,
                       before[start - context : start])
        elif start > pos:
            pieces.append(before[pos:start])
        pieces.append([before[start:end], new])
        pos = end
    pieces.append(before[pos : pos + context])
    return [p for p in pieces if p != ""]


def unpack_edit(pieces: list[Any], gap: str = "…") -> tuple[str, str]:
    """(before, after) of packed pieces, each left-out stretch shown as `gap`.

    >>> unpack_edit(['甲甲', [',', '，'], '乙乙', 26, '乙乙', [',', '，'], '丙丙'])
    ('甲甲,乙乙…乙乙,丙丙', '甲甲，乙乙…乙乙，丙丙')
    """
    old: list[str] = []
    new: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            old.append(piece)
            new.append(piece)
        elif isinstance(piece, int):
            old.append(gap)
            new.append(gap)
        else:
            old.append(piece[0])
            new.append(piece[1])
    return "".join(old), "".join(new)


def _run_spans(changes: list[Any]) -> list[list[tuple[int, int, str]]]:
    """`_changed_spans` of each change of a run, the same-length edits (t2s,
    punctuation: most of them) compared all at once: one numpy comparison per run
    instead of one per edit, whose fixed cost was most of the packing time."""
    out: list[Any] = [None] * len(changes)
    same: list[int] = []
    for k, c in enumerate(changes):
        spans = c.extra.get("spans")
        if spans or len(c.before) != len(c.after):
            out[k] = _changed_spans(c.before, c.after, spans)
        else:
            same.append(k)
            out[k] = []
    if not same:
        return out
    before = "".join([changes[k].before for k in same])
    after = "".join([changes[k].after for k in same])
    a = np.frombuffer(before.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    b = np.frombuffer(after.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    diff = np.flatnonzero(a != b)
    if not len(diff):
        return out
    lengths = np.array([len(changes[k].before) for k in same], dtype=np.int64)
    ends_of = np.cumsum(lengths)
    owner = np.searchsorted(ends_of, diff, side="right")
    first = np.ones(len(diff), dtype=bool)
    first[1:] = (np.diff(diff) > 1) | (np.diff(owner) != 0)
    heads = np.flatnonzero(first)
    starts = diff[heads]
    stops = np.append(diff[heads[1:] - 1], diff[-1]) + 1
    offsets = (ends_of - lengths).tolist()
    for i, j, o in zip(starts.tolist(), stops.tolist(), owner[heads].tolist(), strict=True):
        base = offsets[o]
        out[same[o]].append((i - base, j - base, after[i:j]))
    return out


def _packable(change: Any) -> bool:
    """An edit `compact` packs: a replace whose only extra facts are its spans."""
    return change.action == "replace" and all(k == "spans" for k in change.extra)


def packed_record(changes: list[Any]) -> dict[str, Any]:
    """The one record of a run of consecutive packable edits of one filter and rule:
    `line`/`line_end` cover them all, `edits` is [line, pieces] per edit (or
    [line, line_end, pieces] when it covers several input lines) in pipeline order
    (`pack_edit`). Readers expand it into one record per edit
    (`report_view.expand_packed`)."""
    first = changes[0]
    record: dict[str, Any] = {"filter": first.filter}
    if first.rule is not None:
        record["rule"] = first.rule
    record["action"] = "replace"
    lines = [c.line for c in changes if c.line is not None]
    if lines:
        record["line"] = min(lines)
        record["line_end"] = max(c.line_end or c.line for c in changes if c.line is not None)
    # [line, pieces] when the edit is on one input line (most are), else
    # [line, line_end, pieces].
    edits: list[list[Any]] = []
    for c, changed in zip(changes, _run_spans(changes), strict=True):
        pieces = pack_edit(c.before, c.after, changed=changed)
        edits.append([c.line, pieces] if c.line_end in (None, c.line)
                     else [c.line, c.line_end, pieces])
    record["edits"] = edits
    return record


@dataclass(slots=True, frozen=True)
class RecordedChange:
    """A change serialised where it was made (in a worker): what the parent needs to
    count it, and the JSON body of its record (None when the report will not carry it).
    Workers send these instead of `Change` objects: a string pickles far faster than
    an object with a dict, and the JSON encoding is spread over the workers."""

    filter: str
    rule: str | None
    action: str
    removed_bytes: int
    body: str | None


def record_changes(changes: list[Any], level: str | None) -> list[Any]:
    """`changes` as `RecordedChange`s, with bodies for the records `level` writes
    (None: no report stream). Changes naming another document (`duplicate_of`) stay
    as they are: the output name is only known where outputs are named.

    At `compact`, a run of consecutive edits of one filter and rule becomes one
    record (`packed_record`): the first change of the run carries its body, the
    others none, so every change is still counted once and in its place.

    >>> from cleancorp.document import Change
    >>> [rc] = record_changes([Change("t2s", "replace", 3, 3, "關", "关")], "removals")
    >>> rc.action, rc.removed_bytes, rc.body
    ('replace', 0, None)
    >>> record_changes([Change("length", "drop", 1, 1, "短")], "all")[0].body[:46]
    '{"filter": "length", "action": "drop", "line":'
    >>> edits = [Change("t2s", "replace", n, n, "關於", "关于", "t2s") for n in (1, 2)]
    >>> [rc.body for rc in record_changes(edits, "compact")][1:]
    [None]
    """
    out: list[Any] = []
    n = 0
    while n < len(changes):
        change = changes[n]
        if isinstance(change, RecordedChange) or "duplicate_of" in change.extra:
            out.append(change)
            n += 1
            continue
        if level == "compact" and _packable(change):
            run = n + 1
            while (run < len(changes) and not isinstance(changes[run], RecordedChange)
                   and changes[run].filter == change.filter
                   and changes[run].rule == change.rule and _packable(changes[run])):
                run += 1
            body: str | None = json_line(packed_record(changes[n:run]))
            for c in changes[n:run]:
                out.append(RecordedChange(c.filter, c.rule, c.action, 0, body))
                body = None
            n = run
            continue
        removal = change.action in REMOVAL_ACTIONS
        removed = len(change.before.encode("utf-8", "surrogatepass")) if removal else 0
        body = None
        if level in EVERY_CHANGE or (level == "removals" and removal):
            body = json_line(change.to_record())
        out.append(RecordedChange(change.filter, change.rule, change.action, removed, body))
        n += 1
    return out


def change_prefix(stamp: dict[str, Any]) -> str:
    """The start of the change records of one document, from their stamp (type,
    input, output, record): `change_prefix(stamp) + body[1:]` with a body made by
    `record_changes` is the line `json_line` makes of the whole record.

    >>> body = json_line({"filter": "t2s", "before": "關", "after": "关"})
    >>> change_prefix({"type": "change", "input": "a.txt"}) + body[1:] == json_line(
    ...     {"type": "change", "input": "a.txt", "filter": "t2s", "before": "關", "after": "关"})
    True
    """
    return json_line(stamp)[:-2] + ", "


@contextlib.contextmanager
def report_file(path: str | Path) -> Iterator[IO[str]]:
    """A text stream for the report at `path`, compressed when the name ends in `.zst`
    (zstandard, a dependency already) or `.gz` (no timestamp, so the same run gives
    the same bytes). A regular file (or a new one) is written to a temporary file
    beside it and renamed when the block ends normally: a failed or interrupted run
    leaves no half report, and an earlier report at that path stays until the new one
    is complete (through a symlink, the file it points to is replaced, not the link).
    Anything else (`/dev/null`, `/dev/stderr`, a FIFO) is written in place: renaming
    over a device would replace the device itself. Raises OSError when the folder or
    the file cannot be written."""
    target = Path(path)
    if target.exists() and not target.is_file():
        with target.open("wb") as raw, _report_stream(raw, target.name) as text:
            yield text
        return
    target = target.resolve() if target.is_symlink() else target
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                               dir=target.parent if str(target.parent) else ".")
    done = False
    try:
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as raw, _report_stream(raw, target.name) as text:
            yield text
        done = True
    finally:
        if done:
            Path(tmp).replace(target)
        else:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()


@contextlib.contextmanager
def _report_stream(raw: IO[bytes], name: str) -> Iterator[IO[str]]:
    """UTF-8 text over `raw`, compressed by `name`'s suffix; the gzip member or zstd
    frame is ended only when the block ends normally (a half report is discarded)."""
    out: IO[bytes]
    if name.endswith(".gz"):
        out = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0)
    elif name.endswith(".zst"):
        import zstandard

        out = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)
    else:
        out = raw
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    try:
        yield text
    except BaseException:
        with contextlib.suppress(Exception):  # a half report: its end does not matter
            text.close()
        raise
    text.close()  # ends the gzip member / zstd frame; a GzipFile leaves `raw` open


@dataclass
class FileOutcome:
    """What the runner tells the report about one input."""

    input: str
    outputs: list[str] = field(default_factory=list)
    encoding: str | None = None
    confidence: float | None = None
    opencc: str | None = None
    status: str = "ok"
    bytes_in: int = 0
    bytes_out: int = 0
    changed: bool = False
    dropped_docs: int = 0
    removed_bytes: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)


class Report:
    """Accumulates the run's records and counters; writes JSON Lines when asked.

    The exit-code policy lives here, in one place (black's ``Report.return_code``).
    """

    def __init__(self, config: RunConfig, stream: IO[str] | None = None) -> None:
        self.config = config
        self.stream = stream
        self.level = config.report_level
        self.started = time.perf_counter()
        self.files = self.ok = self.failed = self.skipped = 0
        self.record_errors = 0
        self.documents_out = self.dropped_docs = 0
        self.bytes_in = self.bytes_out = self.removed_bytes = 0
        self.changed_inputs = 0
        self.changes: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.errors: list[tuple[str, str]] = []
        self.summary: dict[str, Any] | None = None

    def _write(self, record: dict[str, Any]) -> None:
        if self.stream is not None:
            self.stream.write(json_line(record))

    def change(self, record: dict[str, Any]) -> None:
        """A change record (already stamped with input/output by the runner)."""
        if self.level in EVERY_CHANGE or (self.level == "removals"
                                          and record.get("action") in REMOVAL_ACTIONS):
            self._write({"type": "change", **record})

    def change_text(self, line: str) -> None:
        """A change record already serialised (`change_prefix` + body) for this report's level."""
        if self.stream is not None:
            self.stream.write(line)

    def file(self, outcome: FileOutcome) -> None:
        """The `file` record of an input that was processed (or skipped as done)."""
        self.files += 1
        if outcome.status == "skipped":
            self.skipped += 1
        self.ok += 1
        self.documents_out += len(outcome.outputs)
        self.dropped_docs += outcome.dropped_docs
        self.bytes_in += outcome.bytes_in
        self.bytes_out += outcome.bytes_out
        self.removed_bytes += outcome.removed_bytes
        self.changed_inputs += outcome.changed
        self.changes.update(outcome.changes)
        self.rules.update(outcome.rules)
        record: dict[str, Any] = {"type": "file", "input": outcome.input}
        if outcome.encoding is not None:
            record["encoding"] = outcome.encoding
            record["confidence"] = outcome.confidence
        if outcome.opencc is not None:
            record["opencc"] = outcome.opencc
        record.update(status=outcome.status, outputs=outcome.outputs, bytes_in=outcome.bytes_in,
                      bytes_out=outcome.bytes_out, changes=dict(outcome.changes))
        self._write(record)

    def error(self, input: str, message: str, *, record: int | None = None,
              bytes_in: int = 0) -> None:
        """An `error` record: an input failed (or, with `record`, one JSON Lines record)."""
        entry: dict[str, Any] = {"type": "error", "input": input}
        if record is not None:
            entry["record"] = record
            self.record_errors += 1
        else:
            self.files += 1
            self.failed += 1
            self.bytes_in += bytes_in
        entry["error"] = message
        self.errors.append((input if record is None else f"{input}:{record}", message))
        self._write(entry)

    @property
    def removed_ratio(self) -> float:
        return self.removed_bytes / self.bytes_in if self.bytes_in else 0.0

    def crossed_thresholds(self) -> list[str]:
        """The `--fail-on` thresholds this run crossed, as text."""
        measured = {"errors": float(self.failed + self.record_errors),
                    "removed-ratio": self.removed_ratio,
                    "dropped-docs": float(self.dropped_docs)}
        return [f"{t} (measured {measured[t.metric]:g})" for t in self.config.fail_on
                if t.crossed(measured[t.metric])]

    def close(self, versions: dict[str, str]) -> dict[str, Any]:
        """Write the summary record (last line of the report) and return it."""
        self.summary = {
            "type": "summary", "schema": SCHEMA, "versions": versions,
            "config": self.config.to_json(), "files": self.files, "ok": self.ok,
            "failed": self.failed, "skipped": self.skipped, "record_errors": self.record_errors,
            "documents_out": self.documents_out, "dropped_docs": self.dropped_docs,
            "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
            "removed_bytes": self.removed_bytes, "changed_inputs": self.changed_inputs,
            "seconds": round(time.perf_counter() - self.started, 3),
            "changes": dict(sorted(self.changes.items())),
            "failed_thresholds": self.crossed_thresholds(),
        }
        self._write(self.summary)
        if self.stream is not None:
            self.stream.flush()
        return self.summary

    @property
    def exit_code(self) -> int:
        """3 when inputs failed; 1 when `--check` found changes or a `--fail-on`
        threshold was crossed; else 0. (2 is raised before a run starts.)"""
        if self.failed or self.record_errors:
            return 3
        if (self.config.check and self.changed_inputs) or self.crossed_thresholds():
            return 1
        return 0
