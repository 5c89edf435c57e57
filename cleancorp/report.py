"""The change report: JSON Lines records (SPEC section 3), counters, the exit code."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from cleancorp.config import RunConfig

SCHEMA = 1
#: Actions kept at `--report-level removals` (text leaves the corpus).
REMOVAL_ACTIONS = frozenset({"remove", "drop"})


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

    >>> from cleancorp.document import Change
    >>> [rc] = record_changes([Change("t2s", "replace", 3, 3, "關", "关")], "removals")
    >>> rc.action, rc.removed_bytes, rc.body
    ('replace', 0, None)
    >>> record_changes([Change("length", "drop", 1, 1, "短")], "all")[0].body[:46]
    '{"filter": "length", "action": "drop", "line":'
    """
    out: list[Any] = []
    for change in changes:
        if isinstance(change, RecordedChange) or "duplicate_of" in change.extra:
            out.append(change)
            continue
        removal = change.action in REMOVAL_ACTIONS
        removed = len(change.before.encode("utf-8", "surrogatepass")) if removal else 0
        body = None
        if level == "all" or (level == "removals" and removal):
            body = json_line(change.to_record())
        out.append(RecordedChange(change.filter, change.rule, change.action, removed, body))
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
        if self.level == "all" or (self.level == "removals" and record.get("action") in REMOVAL_ACTIONS):
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
