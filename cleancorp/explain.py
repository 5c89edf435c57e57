"""The explained view of one input: its lines, each kept, struck out or edited, with the rule.

`build_view` turns the change records of one input (report records, or
`Change.to_record()` of its documents) and, when known, its decoded input
lines into rows that `render.py` prints and `report_view.py` turns into a
side-by-side diff. No terminal, no click: pure data in, pure data out.

>>> lines = ["当前位置：首页 > 正文", "關於開展工作", "正文。"]
>>> records = [
...     {"filter": "t2s", "rule": "t2s", "action": "replace", "line": 2, "line_end": 2,
...      "before": "關於開展工作", "after": "关于开展工作"},
...     {"filter": "boilerplate", "rule": "breadcrumb", "action": "remove", "line": 1,
...      "line_end": 1, "before": "当前位置：首页 > 正文", "after": ""}]
>>> view = build_view(lines, records, source="a.txt")
>>> [(r.kind, r.line, r.rule) for r in view.rows]
[('remove', 1, 'breadcrumb'), ('edit', 2, 't2s'), ('keep', 3, None)]
>>> plain_segments(view.rows[1].segments)
'[-關於開-]{+关于开+}展工作'
>>> view.counts
{'t2s': 1, 'boilerplate': 1}
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import regex

#: Characters of unchanged text kept on each side of an edit in a compact step
#: row: enough to recognise the place, short enough for one terminal line.
STEP_CONTEXT = 24
#: Above this many characters a character-level diff gets slow (it is quadratic
#: in the worst case); longer texts are diffed line by line first.
CHAR_DIFF_LIMIT = 4000
#: Actions that take text out of the corpus (SPEC section 3).
REMOVALS = frozenset({"remove", "drop"})


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a row: unchanged (`same`), removed (`del`), added (`ins`) or elided (`gap`)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the view.

    kinds: `keep` (an unchanged input line), `remove` / `drop` (an input line
    taken out, by `filter`/`rule`), `edit` (an input line shown with its first
    edit inline), `step` (a later edit, or one spanning lines, shown compactly
    after the line it ends on), `note` (articles, drops, file-level facts),
    `skip` (a run of unchanged lines left out; `line` is the first, `note`
    says how many).
    """

    kind: str
    line: int | None
    segments: tuple[Segment, ...] = ()
    filter: str | None = None
    rule: str | None = None
    note: str = ""


@dataclass(slots=True)
class ExplainView:
    """Rows plus counts: per filter and per `filter/rule`, in first-seen order."""

    source: str
    rows: list[Row] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rule_counts: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    removed_lines: int = 0
    edited_lines: int = 0
    full: bool = True  # False: the input was unknown, only changed lines are shown


def diff_segments(before: str, after: str) -> list[Segment]:
    """Character diff of `before` -> `after` as same/del/ins segments.

    >>> plain_segments(diff_segments("视察中,大家", "视察中，大家"))
    '视察中[-,-]{+，+}大家'
    >>> plain_segments(diff_segments("", "新"))
    '{+新+}'
    """
    if len(before) + len(after) > CHAR_DIFF_LIMIT and ("\n" in before or "\n" in after):
        return _line_diff(before, after)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("same", before[i1:i2]))
            continue
        if i2 > i1:
            out.append(Segment("del", before[i1:i2]))
        if j2 > j1:
            out.append(Segment("ins", after[j1:j2]))
    return out


def _line_diff(before: str, after: str) -> list[Segment]:
    a, b = before.split("\n"), after.split("\n")
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("same", "\n".join(a[i1:i2]) + "\n"))
        elif op == "replace" and i2 - i1 == j2 - j1:
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                out.extend(diff_segments(x, y) if len(x) + len(y) <= CHAR_DIFF_LIMIT
                           else [Segment("del", x), Segment("ins", y)])
                out.append(Segment("same", "\n"))
        else:
            if i2 > i1:
                out.append(Segment("del", "\n".join(a[i1:i2]) + "\n"))
            if j2 > j1:
                out.append(Segment("ins", "\n".join(b[j1:j2]) + "\n"))
    return out


def compact(segments: Sequence[Segment], context: int = STEP_CONTEXT) -> list[Segment]:
    """Keep `context` unchanged characters around each edit; elide the rest as `gap`.

    >>> plain_segments(compact(diff_segments("甲" * 50 + "," + "乙" * 50, "甲" * 50 + "，" + "乙" * 50), 3))
    '…甲甲甲[-,-]{+，+}乙乙乙…'
    """
    out: list[Segment] = []
    last = len(segments) - 1
    for n, seg in enumerate(segments):
        if seg.kind != "same":
            out.append(seg)
            continue
        text = seg.text
        head = text[:context] if n > 0 else ""
        tail = text[-context:] if n < last else ""
        if n == 0 and len(text) > context:
            out.extend([Segment("gap", "…"), Segment("same", tail)])
        elif n == last and len(text) > context:
            out.extend([Segment("same", head), Segment("gap", "…")])
        elif 0 < n < last and len(text) > 2 * context + 1:
            out.extend([Segment("same", head), Segment("gap", "…"), Segment("same", tail)])
        else:
            out.append(seg)
    return out


def plain_segments(segments: Iterable[Segment]) -> str:
    """Segments as wdiff-style plain text: ``[-removed-]{+added+}`` (for pipes and tests)."""
    marks = {"del": "[-{}-]", "ins": "{{+{}+}}", "same": "{}", "gap": "{}"}
    return "".join(marks[s.kind].format(s.text) for s in segments)


def note_of(record: dict[str, Any]) -> str:
    """The extra facts of a record worth showing (duplicate of, similarity, status...).

    >>> note_of({"filter": "dedup", "action": "drop", "duplicate_of": "a.txt", "similarity": 0.93})
    'duplicate_of=a.txt similarity=0.93'
    """
    skip = {"type", "input", "output", "record", "filter", "rule", "action", "line", "line_end",
            "before", "after", "part", "spans", "pieces"}
    return " ".join(f"{k}={v}" for k, v in record.items() if k not in skip)


def records_from_documents(docs: Iterable[Any]) -> list[dict[str, Any]]:
    """Change records (report form) of pipeline documents, kept and dropped alike."""
    return [c.to_record() for doc in docs for c in doc.changes]


def build_view(input_lines: Sequence[str] | None, records: Iterable[dict[str, Any]], *,
               source: str = "", filter: str | None = None,
               context: int | None = None) -> ExplainView:
    """The explained view of one input from its change records.

    With `input_lines` (the decoded input) every line is shown; without them
    (a report alone) only what the records hold. `filter` keeps one filter's
    records; `context` keeps only that many unchanged lines around changes.
    """
    recs = [r for r in records if filter is None or r.get("filter") == filter]
    view = ExplainView(source=source, full=input_lines is not None)
    for r in recs:
        name = str(r.get("filter"))
        view.counts[name] = view.counts.get(name, 0) + 1
        key = f"{name}/{r.get('rule')}"
        view.rule_counts[key] = view.rule_counts.get(key, 0) + 1
    if input_lines is None:
        view.rows = _rows_without_input(recs)
        view.removed_lines = sum(1 for r in view.rows if r.kind in REMOVALS)
        view.edited_lines = len({r.line for r in view.rows if r.kind == "step"})
        return view
    lines = list(input_lines)
    view.lines = len(lines)
    removed: dict[int, tuple[str, dict[str, Any]]] = {}  # line -> (kind, record)
    notes_at: dict[int, list[Row]] = {}
    edits_at: dict[int, list[dict[str, Any]]] = {}
    top: list[Row] = []
    for r in recs:
        action, line = r.get("action"), r.get("line")
        end = r.get("line_end") or line
        if action == "split":
            if line is not None:
                notes_at.setdefault(line, []).append(Row(
                    "note", line, filter=r.get("filter"), rule=r.get("rule"),
                    note=f"article {r.get('part', '?')} -> {r.get('output', '?')}"))
            continue
        if line is None or not 1 <= line <= len(lines):
            top.append(_note_row(r))
            continue
        end = min(max(end, line), len(lines))
        if action == "drop" or (action == "remove" and _covers_lines(r, lines, line, end, removed)):
            if action == "drop":
                notes_at.setdefault(line, []).append(_note_row(r))
            for n in range(line, end + 1):
                removed.setdefault(n, (action, r))
            continue
        edits_at.setdefault(end, []).append(r)
    rows: list[Row] = list(top)
    for n, text in enumerate(lines, 1):
        rows.extend(notes_at.get(n, ()))
        if n in removed:
            kind, r = removed[n]
            rows.append(Row(kind, n, (Segment("del", text),), r.get("filter"), r.get("rule")))
            continue
        edits = edits_at.get(n, [])
        first = edits[0] if edits else None
        inline = _inline(text, first) if first and (first.get("line") or n) == n else None
        if inline is not None and first is not None:
            rows.append(Row("edit", n, tuple(inline), first.get("filter"), first.get("rule")))
            edits = edits[1:]
        else:
            rows.append(Row("keep", n, (Segment("same", text),)))
        for r in edits:
            start = r.get("line") or n
            if all(m in removed for m in range(start, n + 1)):
                continue  # edited, then removed anyway: the removal is what matters
            rows.append(_step_row(r))
    view.removed_lines = len(removed)
    view.edited_lines = len({r.line for r in rows if r.kind in ("edit", "step")})
    view.rows = rows if context is None else _with_context(rows, context)
    return view


def _covers_lines(r: dict[str, Any], lines: Sequence[str], line: int, end: int,
                  removed: dict[int, Any]) -> bool:
    """Whether a `remove` took out whole input lines (not a span inside one).

    Whole-line removals record the decoded input of the lines still present,
    so lines an earlier filter removed are left out of `before`."""
    before = r.get("before", "")
    if before == "\n".join(lines[line - 1 : end]):
        return True
    present = [lines[n - 1] for n in range(line, end + 1) if n not in removed]
    return bool(present) and before == "\n".join(present) and end > line


def _inline_pieces(text: str, pieces: list[Any]) -> list[Segment] | None:
    """A packed edit (`report.pack_edit`) drawn inside the input line: its unchanged
    pieces, old sides and left-out lengths must match exactly one place of the line.

    >>> pieces = ["乙", [",", "，"], "丙", 2, "己", [",", "，"], "庚"]
    >>> plain_segments(_inline_pieces("甲乙,丙丁戊己,庚", pieces))
    '甲乙[-,-]{+，+}丙丁戊己[-,-]{+，+}庚'
    """
    pattern = "".join(regex.escape(p) if isinstance(p, str) else f"(.{{{p}}})"
                      if isinstance(p, int) else regex.escape(p[0]) for p in pieces)
    if not pattern:
        return None
    found = list(regex.finditer(pattern, text, flags=regex.DOTALL, overlapped=True))
    if len(found) != 1:
        return None
    match = found[0]
    out = [Segment("same", text[: match.start()])]
    groups = iter(match.groups())
    for p in pieces:
        if isinstance(p, str):
            out.append(Segment("same", p))
        elif isinstance(p, int):
            out.append(Segment("same", next(groups)))
        else:
            out += [Segment("del", p[0]), Segment("ins", p[1])]
    out.append(Segment("same", text[match.end():]))
    return [seg for seg in out if seg.text]


def _inline(text: str, r: dict[str, Any]) -> list[Segment] | None:
    """The first edit of a line drawn inside the input line, when it applies to it."""
    if r.get("pieces"):
        return _inline_pieces(text, r["pieces"])
    before, after = r.get("before", ""), r.get("after", "")
    if before == text:
        return diff_segments(before, after)
    if before and "\n" not in before and text.count(before) == 1:
        i = text.index(before)
        return [Segment("same", text[:i]), *diff_segments(before, after),
                Segment("same", text[i + len(before):])]
    return None


def _step_row(r: dict[str, Any]) -> Row:
    segs = compact(diff_segments(r.get("before", ""), r.get("after", "")))
    return Row("step", r.get("line"), tuple(segs), r.get("filter"), r.get("rule"), note_of(r))


def _note_row(r: dict[str, Any]) -> Row:
    what = f"{r.get('action')}"
    extra = note_of(r)
    return Row("note", r.get("line"), filter=r.get("filter"), rule=r.get("rule"),
               note=f"{what} {extra}".strip())


def _rows_without_input(recs: list[dict[str, Any]]) -> list[Row]:
    """Only the report: each removal as its struck lines, each edit as a step row, in
    input line order (stable, so records of one line keep their pipeline order)."""
    rows: list[tuple[int, int, Row]] = []
    for k, r in enumerate(recs):
        line = r.get("line")
        order = line if isinstance(line, int) else 0
        action = r.get("action")
        if action == "split":
            rows.append((order, k, Row("note", line, filter=r.get("filter"), rule=r.get("rule"),
                                       note=f"article {r.get('part', '?')} -> {r.get('output', '?')}")))
        elif action in REMOVALS and "\n" in r.get("before", "") or action == "drop":
            if action == "drop":
                rows.append((order, k, _note_row(r)))
            for n, text in enumerate(r.get("before", "").split("\n")):
                num = line + n if isinstance(line, int) else None
                rows.append((order, k, Row(action, num, (Segment("del", text),),
                                           r.get("filter"), r.get("rule"))))
        elif action == "remove" and r.get("line") == r.get("line_end"):
            rows.append((order, k, Row("remove", line, (Segment("del", r.get("before", "")),),
                                       r.get("filter"), r.get("rule"), note_of(r))))
        else:
            rows.append((order, k, _step_row(r)))
    rows.sort(key=lambda t: (t[0], t[1]))
    return [row for _, _, row in rows]


def _with_context(rows: list[Row], context: int) -> list[Row]:
    """Replace runs of unchanged lines farther than `context` from a change by a `skip` row."""
    changed = [i for i, r in enumerate(rows) if r.kind != "keep"]
    keep = set()
    for i in changed:
        keep.update(range(i - context, i + context + 1))
    out: list[Row] = []
    run: list[Row] = []
    for i, row in enumerate(rows):
        if row.kind == "keep" and i not in keep:
            run.append(row)
            continue
        if run:
            out.append(Row("skip", run[0].line, note=f"{len(run)} unchanged line(s)"))
            run = []
        out.append(row)
    if run:
        out.append(Row("skip", run[0].line, note=f"{len(run)} unchanged line(s)"))
    return out


# -- finding an input's records in a report -------------------------------------------


def match_input(name: str, inputs: Iterable[str]) -> str | None:
    """The report input that path `name` designates: equal, or the longest one whose
    path is a suffix of `name` (`seeds/a.txt` matches a report input `a.txt`).

    >>> match_input("raw/sub/a.txt", ["a.txt", "sub/a.txt", "b.txt"])
    'sub/a.txt'
    >>> match_input("c.txt", ["a.txt"]) is None
    True
    """
    candidates = list(dict.fromkeys(inputs))
    if name in candidates:
        return name
    parts = PurePosixPath(Path(name).as_posix()).parts
    best: tuple[int, str] | None = None
    for cand in candidates:
        cparts = PurePosixPath(cand).parts
        if cparts and parts[-len(cparts):] == cparts and (best is None or len(cparts) > best[0]):
            best = (len(cparts), cand)
    return best[1] if best else None


def decode_input(path: str | Path, config: Any = None) -> list[str]:
    """The decoded input lines of a file, as the `decode` filter reads it (report line
    numbers refer to these). Raises `InputError` for what `decode` refuses."""
    from cleancorp.document import Document
    from cleancorp.files import discover, read_bytes
    from cleancorp.pipeline import Pipeline

    item = discover([str(path)], include=("*",), exclude=(), input_format="txt",
                    output_format="txt")[0]
    doc = Document(source=str(path), raw=read_bytes(item))
    kept, dropped = Pipeline.from_config(config).run([doc], 0, 1)
    return (kept or dropped)[0].input_lines


def run_one(path: str, config: Any) -> list[dict[str, Any]]:
    """Report records of a run of `cleancorp clean --check` on `path` alone (its own
    corpus): the same pipeline, corpus steps included, nothing written."""
    import io

    from cleancorp import runner
    from cleancorp.config import with_options

    config = with_options(config, check=True, jobs=1, report_level="all", output=None,
                          report=None, dedup_index=None, quiet=True)
    stream = io.StringIO()
    runner.run(config, [path], report_stream=stream)
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
