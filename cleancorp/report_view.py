"""Reading a change report back: summary tables, removed passages in context, an HTML page.

Everything here works on the JSON Lines report of SPEC section 3 (plus, when
the caller has them, the decoded inputs). No terminal and no click: tables
are (title, columns, rows) for `render.print_tables`, restore output and the
HTML page are strings.

>>> data = parse_report([
...     '{"type":"change","input":"a.txt","filter":"boilerplate","rule":"breadcrumb",'
...     '"action":"remove","line":2,"line_end":2,"before":"当前位置：首页","after":""}',
...     '{"type":"file","input":"a.txt","status":"ok","bytes_in":40,"bytes_out":20}'])
>>> [row[:3] for row in rule_rows(data)]
[['boilerplate', 'breadcrumb', 'remove']]
>>> print(restore_text(restore(data, "a.txt", ["标题", "当前位置：首页", "正文。"]), "a.txt"), end="")
== a.txt: 1 removed passage(s), 21 bytes ==
<BLANKLINE>
-- lines 2  boilerplate/breadcrumb (remove) --
      1 | 标题
-     2 | 当前位置：首页
      3 | 正文。
"""

from __future__ import annotations

import gzip
import html
import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleancorp.errors import CleancorpError
from cleancorp.explain import REMOVALS, build_view, match_input

#: Rows in the "largest removals" table: a screenful.
TOP_REMOVALS = 15
#: Files with a diff on the HTML page; beyond that the page would get too heavy for a
#: browser (the tables still count every file).
MAX_DIFF_FILES = 200
#: Characters of a removed passage shown in a table cell.
PREVIEW = 60

Table = tuple[str, list[str], list[list[Any]]]


class ReportError(CleancorpError):
    """A report file that cannot be read (not JSON Lines, not a cleancorp report)."""


@dataclass
class ReportData:
    """The records of one report, by type, in file order."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    @property
    def inputs(self) -> list[str]:
        """Every input named in the report, in first-seen order."""
        names = [r["input"] for r in (*self.files, *self.errors, *self.changes) if "input" in r]
        return list(dict.fromkeys(names))

    def changes_of(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.changes if r.get("input") == name]


def parse_report(lines: Iterable[str], source: str = "report") -> ReportData:
    """Records from JSON Lines text; a line that is not a JSON object is an error."""
    data = ReportData()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReportError(f"{source}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(rec, dict) or "type" not in rec:
            raise ReportError(f"{source}:{n}: not a cleancorp report record")
        kind = rec["type"]
        if kind == "change":
            if "edits" in rec:
                try:
                    data.changes.extend(expand_packed(rec))
                except (TypeError, ValueError, KeyError, IndexError):
                    raise ReportError(f"{source}:{n}: a packed change record whose `edits` "
                                      "are not [line, pieces] entries") from None
            else:
                data.changes.append(rec)
        elif kind == "file":
            data.files.append(rec)
        elif kind == "error":
            data.errors.append(rec)
        elif kind == "summary":
            data.summary = rec
    return data


#: Keys of a packed record (`--report-level compact`) that its edits do not inherit.
_PACKED_OWN = frozenset({"line", "line_end", "edits"})


def expand_packed(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The one-record-per-edit form of a packed record (`report.packed_record`): what
    `--report-level all` writes, with `before`/`after` the changed spans and the
    unchanged characters around them (`…` where a stretch between spans is left out)
    instead of the filter's whole window, and the packed `pieces` (which
    `explain` locates in the input line).

    >>> [rec] = expand_packed({"type": "change", "input": "a.txt", "filter": "punctuation",
    ...     "rule": "cjk-ascii", "action": "replace", "line": 3, "line_end": 3,
    ...     "edits": [[3, ["甲", [",", "，"], "乙", 20, "丙", [",", "，"], "丁"]]]})
    >>> rec["line"], rec["line_end"], rec["before"], rec["after"]
    (3, 3, '甲,乙…丙,丁', '甲，乙…丙，丁')
    """
    from cleancorp.report import unpack_edit

    head = {k: v for k, v in record.items() if k not in _PACKED_OWN}
    out = []
    for edit in record["edits"]:
        line, line_end, pieces = edit if len(edit) == 3 else (edit[0], edit[0], edit[1])
        before, after = unpack_edit(pieces)
        rec = dict(head)
        if line is not None:
            rec["line"], rec["line_end"] = line, line_end
        rec.update(before=before, after=after, pieces=pieces)
        out.append(rec)
    return out


class _ZstdText:
    """The lines of a zstd-compressed report, decompressed as they are read. Unlike
    `zstandard`'s stream reader, it notices a file that ends before its frame does (a
    report cut short by a full disk or a copy) instead of yielding less text."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._raw = Path(path).open("rb")  # closed by __exit__

    def __enter__(self) -> _ZstdText:
        return self

    def __exit__(self, *exc: object) -> None:
        self._raw.close()

    def __iter__(self) -> Iterator[str]:
        import codecs

        import zstandard

        text = codecs.getincrementaldecoder("utf-8")()
        rest = ""
        inside = False  # in a frame that has not ended yet
        obj = zstandard.ZstdDecompressor().decompressobj()
        while chunk := self._raw.read(1 << 20):
            while chunk:
                rest += text.decode(obj.decompress(chunk))
                inside = not obj.eof
                if inside:
                    break
                # A frame ended; what follows is the next frame (concatenated files).
                chunk = obj.unused_data
                obj = zstandard.ZstdDecompressor().decompressobj()
            *lines, rest = rest.split("\n")
            for line in lines:
                yield line + "\n"
        if inside:
            raise ReportError(f"{self.path}: a truncated zstd file (the report was cut short)")
        rest += text.decode(b"", final=True)
        if rest:
            yield rest


def open_report(path: str | Path) -> Any:
    """A report file as UTF-8 lines (a context manager to iterate), decompressed when
    its name ends in `.zst` or `.gz` (how `clean --report` writes such names)."""
    name = str(path)
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if name.endswith(".zst"):
        return _ZstdText(path)
    return Path(path).open(encoding="utf-8")


def read_report(path: str | Path) -> ReportData:
    """Read a report file (UTF-8 JSON Lines, compressed when named `.zst` or `.gz`)."""
    try:
        with open_report(path) as fh:
            return parse_report(fh, str(path))
    except OSError as exc:
        raise ReportError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 (is it a cleancorp report?)") from None
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise ReportError(f"{path}: not a gzip file, or a truncated one") from None
    except Exception as exc:
        import zstandard  # imported here: reading a plain report does not need it

        if isinstance(exc, zstandard.ZstdError):
            raise ReportError(f"{path}: not a zstd file, or a damaged one ({exc})") from None
        raise


def removed_bytes(record: Mapping[str, Any]) -> int:
    """UTF-8 bytes a record took out of the corpus (0 for edits).

    >>> removed_bytes({"action": "remove", "before": "当前"}), removed_bytes({"action": "replace", "before": "x"})
    (6, 0)
    """
    if record.get("action") not in REMOVALS:
        return 0
    return len(str(record.get("before", "")).encode("utf-8", "surrogatepass"))


def _preview(text: str, width: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _lines(rec: Mapping[str, Any]) -> str:
    line, end = rec.get("line"), rec.get("line_end")
    if line is None:
        return ""
    prefix = f"#{rec['record']}:" if "record" in rec else ""
    return f"{prefix}{line}" if end in (None, line) else f"{prefix}{line}-{end}"


# -- tables ---------------------------------------------------------------------------


def filter_rows(data: ReportData) -> list[list[Any]]:
    """Per filter: changes, removals, removed bytes, inputs touched (most changes first)."""
    changes: Counter[str] = Counter()
    removals: Counter[str] = Counter()
    nbytes: Counter[str] = Counter()
    inputs: dict[str, set[str]] = defaultdict(set)
    for r in data.changes:
        f = str(r.get("filter"))
        changes[f] += 1
        removals[f] += r.get("action") in REMOVALS
        nbytes[f] += removed_bytes(r)
        inputs[f].add(str(r.get("input")))
    return [[f, n, removals[f], nbytes[f], len(inputs[f])]
            for f, n in sorted(changes.items(), key=lambda kv: (-kv[1], kv[0]))]


def rule_rows(data: ReportData) -> list[list[Any]]:
    """Per filter/rule: action(s), changes, removed bytes, inputs touched."""
    acc: dict[tuple[str, str], list[Any]] = {}
    for r in data.changes:
        key = (str(r.get("filter")), str(r.get("rule") or ""))
        row = acc.setdefault(key, [key[0], key[1], set(), 0, 0, set()])
        row[2].add(str(r.get("action")))
        row[3] += 1
        row[4] += removed_bytes(r)
        row[5].add(str(r.get("input")))
    rows = [[f, rule, ",".join(sorted(acts)), n, b, len(ins)]
            for f, rule, acts, n, b, ins in acc.values()]
    return sorted(rows, key=lambda r: (-r[4], -r[3], r[0], r[1]))


def file_rows(data: ReportData) -> list[list[Any]]:
    """Per input: status, encoding, outputs, bytes in/out, changes, removed bytes, drops."""
    removed: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    drops: Counter[str] = Counter()
    for r in data.changes:
        name = str(r.get("input"))
        removed[name] += removed_bytes(r)
        changes[name] += 1
        drops[name] += r.get("action") == "drop"
    rows = []
    for f in data.files:
        name = f.get("input", "")
        rows.append([name, f.get("status", ""), f.get("encoding") or "", len(f.get("outputs", [])),
                     f.get("bytes_in", 0), f.get("bytes_out", 0),
                     changes[name] or sum(f.get("changes", {}).values()), removed[name],
                     drops[name]])
    for e in data.errors:
        if "record" not in e:
            rows.append([e.get("input", ""), "error", "", 0, e.get("bytes_in", 0), 0, 0, 0, 0])
    return rows


def largest_rows(data: ReportData, top: int = TOP_REMOVALS) -> list[list[Any]]:
    """The removals that took out the most bytes."""
    biggest = sorted((r for r in data.changes if r.get("action") in REMOVALS),
                     key=lambda r: -removed_bytes(r))[:top]
    return [[r.get("input", ""), _lines(r), f"{r.get('filter')}/{r.get('rule')}",
             removed_bytes(r), _preview(str(r.get("before", "")))] for r in biggest]


def error_rows(data: ReportData) -> list[list[Any]]:
    return [[e.get("input", ""), e.get("record", ""), e.get("error", "")] for e in data.errors]


def summary_rows(data: ReportData) -> list[list[Any]]:
    """Key facts of the run from the summary record (or counted when it is missing)."""
    s = data.summary or {}
    bytes_in = s.get("bytes_in", sum(f.get("bytes_in", 0) for f in data.files))
    bytes_out = s.get("bytes_out", sum(f.get("bytes_out", 0) for f in data.files))
    removed = s.get("removed_bytes", sum(removed_bytes(r) for r in data.changes))
    rows: list[list[Any]] = [
        ["files", s.get("files", len(data.files) + len(data.errors))],
        ["ok", s.get("ok", sum(f.get("status") == "ok" for f in data.files))],
        ["failed", s.get("failed", len({e.get("input") for e in data.errors if "record" not in e}))],
        ["documents out", s.get("documents_out", "")],
        ["dropped documents", s.get("dropped_docs", sum(r.get("action") == "drop" for r in data.changes))],
        ["bytes in", bytes_in],
        ["bytes out", bytes_out],
        ["removed bytes", removed],
        ["removed ratio", f"{removed / bytes_in:.1%}" if bytes_in else ""],
        ["changes", len(data.changes)],
    ]
    if "seconds" in s:
        rows.append(["seconds", s["seconds"]])
    for name, version in (s.get("versions") or {}).items():
        rows.append([f"version {name}", version])
    return rows


def summary_tables(data: ReportData, top: int = TOP_REMOVALS) -> list[Table]:
    """The tables of `cleancorp report`, in reading order."""
    tables: list[Table] = [
        ("summary", ["what", "value"], summary_rows(data)),
        ("per filter", ["filter", "changes", "removals", "removed bytes", "inputs"],
         filter_rows(data)),
        ("per rule", ["filter", "rule", "action", "changes", "removed bytes", "inputs"],
         rule_rows(data)),
        ("per file", ["input", "status", "encoding", "outputs", "bytes in", "bytes out",
                      "changes", "removed bytes", "dropped"], file_rows(data)),
        ("largest removals", ["input", "lines", "rule", "bytes", "text"], largest_rows(data, top)),
    ]
    if data.errors:
        tables.append(("errors", ["input", "record", "error"], error_rows(data)))
    return tables


# -- restore ---------------------------------------------------------------------------


@dataclass
class Passage:
    """One removed passage of an input with what surrounds it.

    `context` holds (line number, text, removed?) rows: input lines when the
    input was available, otherwise the neighbouring records of the report.
    """

    record: dict[str, Any]
    context: list[tuple[int | None, str, bool]] = field(default_factory=list)
    from_input: bool = True


def resolve_input(data: ReportData, name: str) -> str:
    """The report's name for input `name` (exact, or a path ending with it)."""
    found = match_input(name, data.inputs)
    if found is None:
        raise ReportError(f"{name}: not an input of this report")
    return found


def covered_lines(recs: Sequence[dict[str, Any]]) -> dict[int, list[int | None]]:
    """For each removal record (by position in `recs`, report order), the input line
    number of each line of its `before`. A whole-line removal records only the lines
    still present, so lines an earlier record took out of its range are skipped; when
    the count still does not fit (a span inside a line), only the first is known."""
    claimed: dict[tuple[int, int], set[int]] = defaultdict(set)  # (record no, part) -> lines
    out: dict[int, list[int | None]] = {}
    for k, r in enumerate(recs):
        line, end = r.get("line"), r.get("line_end") or r.get("line")
        if r.get("action") not in REMOVALS:
            continue
        body = str(r.get("before", "")).split("\n")
        if line is None:
            out[k] = [None] * len(body)
            continue
        taken = claimed[(r.get("record") or 0, 0)]
        free = [n for n in range(line, end + 1) if n not in taken]
        if len(body) == end - line + 1:
            nums: list[int | None] = list(range(line, end + 1))
        elif len(free) == len(body):
            nums = list(free)
        else:
            nums = [line] + [None] * (len(body) - 1)
        if len(body) > 1 or body[0] != "" or end == line:
            taken.update(n for n in nums if n is not None)
        out[k] = nums
    return out


def restore(data: ReportData, name: str, input_lines: Sequence[str] | None = None,
            context: int = 2) -> list[Passage]:
    """The removed passages (remove and drop records) of input `name`, in input order,
    each with `context` lines around it: input lines when given, else the
    neighbouring records of the report."""
    recs = data.changes_of(name)
    numbers = covered_lines(recs)
    order = sorted(numbers, key=lambda k: (recs[k].get("record") or 0, recs[k].get("line") or 0, k))
    out = []
    for k in order:
        r = recs[k]
        line, end = r.get("line"), r.get("line_end") or r.get("line")
        body = str(r.get("before", "")).split("\n")
        removed_rows = [(n, text, True) for n, text in zip(numbers[k], body, strict=True)]
        if input_lines is not None and line is not None and "record" not in r:
            rows = [(n, input_lines[n - 1], False)
                    for n in range(max(1, line - context), line) if n <= len(input_lines)]
            rows += removed_rows
            rows += [(n, input_lines[n - 1], False)
                     for n in range(end + 1, min(len(input_lines), end + context) + 1)]
            out.append(Passage(r, rows, True))
            continue
        near: list[dict[str, Any]] = []
        if line is not None:
            near = sorted((o for o in recs if o is not r and o.get("line") is not None
                           and o.get("record") == r.get("record") and o.get("action") != "split"
                           and (line - context <= o["line"] < line
                                or end < o["line"] <= end + context)),
                          key=lambda o: o["line"])
        def show(o: dict[str, Any]) -> tuple[int | None, str, bool]:
            return (o["line"], f"[{o.get('filter')}/{o.get('rule')} {o.get('action')}] "
                    f"{_preview(str(o.get('before', '')), 80)}", False)
        rows = [show(o) for o in near if o["line"] < line] + removed_rows  # type: ignore[operator]
        rows += [show(o) for o in near if o["line"] > end]  # type: ignore[operator]
        out.append(Passage(r, rows, False))
    return out


def restore_text(passages: Sequence[Passage], name: str) -> str:
    """Passages as plain text: removed lines start with `-`, context with spaces."""
    total = sum(removed_bytes(p.record) for p in passages)
    parts = [f"== {name}: {len(passages)} removed passage(s), {total} bytes ==\n"]
    if passages and not all(p.from_input for p in passages):
        parts.append("(input not available: context is the neighbouring records of the report;"
                     " give the input file or --inputs DIR for its lines)\n")
    for p in passages:
        r = p.record
        extra = " ".join(f"{k}={v}" for k, v in r.items() if k in ("duplicate_of", "similarity",
                                                                   "status", "duplicate_line"))
        parts.append(f"\n-- lines {_lines(r) or '?'}  {r.get('filter')}/{r.get('rule')} "
                     f"({r.get('action')}){(' ' + extra) if extra else ''} --\n")
        for n, text, removed in p.context:
            mark = "-" if removed else " "
            parts.append(f"{mark} {'' if n is None else n:>5} | {text}\n")
    return "".join(parts)


# -- the HTML page ---------------------------------------------------------------------


def _segs(segments: Iterable[Any], keep: set[str]) -> list[list[str]]:
    return [[s.kind, s.text] for s in segments if s.kind in keep]


def diff_rows(data: ReportData, name: str, input_lines: Sequence[str] | None
              ) -> list[list[Any]]:
    """Side-by-side rows of one input: [kind, line, left, right, "filter/rule", note] with
    left/right lists of [segment kind, text]; left has no insertions, right no deletions."""
    recs = data.changes_of(name)
    if any("record" in r for r in recs):
        input_lines = None  # JSON Lines: line numbers are per record, not of the file
    view = build_view(input_lines, recs, source=name, context=3 if input_lines else None)
    rows = []
    for row in view.rows:
        tag = f"{row.filter}/{row.rule}" if row.filter else ""
        rows.append([row.kind, row.line, _segs(row.segments, {"same", "del", "gap"}),
                     _segs(row.segments, {"same", "ins", "gap"}), tag, row.note])
    return rows


def page_data(data: ReportData, inputs: Mapping[str, Sequence[str]] | None = None,
              max_files: int = MAX_DIFF_FILES) -> dict[str, Any]:
    """Everything the page shows, as one JSON-able object (the page's JS draws it)."""
    tables = summary_tables(data)
    names = [n for n in data.inputs if data.changes_of(n)]
    diffs = [{"input": n, "full": bool(inputs and n in inputs),
              "rows": diff_rows(data, n, (inputs or {}).get(n))} for n in names[:max_files]]
    return {
        "tables": [{"title": t, "columns": c, "rows": r} for t, c, r in tables],
        "chart": [[f"{r[0]}/{r[1]}", r[4]] for r in rule_rows(data) if r[4] > 0],
        "diffs": diffs,
        "omitted": max(0, len(names) - max_files),
    }


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element: no `<`, `>`, `&` can end or confuse it."""
    text = json.dumps(obj, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def build_html(data: ReportData, inputs: Mapping[str, Sequence[str]] | None = None, *,
               title: str = "cleancorp report", max_files: int = MAX_DIFF_FILES) -> str:
    """One self-contained page: inline CSS and JS, the data as JSON, no network."""
    payload = _script_json(page_data(data, inputs, max_files))
    return (_PAGE.replace("@@TITLE@@", html.escape(title))
            .replace("@@CSS@@", _CSS).replace("@@JS@@", _JS).replace("@@DATA@@", payload))


_PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body>
<h1>@@TITLE@@</h1>
<noscript><p>This page draws its tables with JavaScript; please enable it.</p></noscript>
<nav id="toc"></nav>
<div id="tables"></div>
<section id="chart-section"><h2>Removed bytes per rule</h2><div id="chart"></div></section>
<section id="diffs-section"><h2 id="diffs-title">Changes per file</h2>
<p class="help">Left: the input, removed text <del>struck out</del> (hover for the rule).
Right: the output, added text <ins>highlighted</ins>.</p>
<div id="diffs"></div></section>
<script type="application/json" id="data">@@DATA@@</script>
<script>@@JS@@</script>
</body>
</html>
"""

_CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222;font-size:14px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:2px 8px;
vertical-align:top}th{background:#f4f4f4;cursor:pointer;user-select:none}
td.num{text-align:right;font-variant-numeric:tabular-nums}
del{background:#fdd;color:#a00;text-decoration:line-through}
ins{background:#dfd;color:#060;text-decoration:none}
.gap{color:#999}.help{color:#555}
table.diff{width:100%;table-layout:fixed;font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;
font-size:13px}table.diff td{white-space:pre-wrap;word-break:break-all;border:none;
border-bottom:1px solid #f0f0f0}table.diff td.ln{width:4em;color:#999;text-align:right}
table.diff td.tag{width:15em;color:#776;font-size:12px;word-break:normal;white-space:normal}
tr.remove td.left,tr.drop td.left{background:#fff3f3}tr.edit td,tr.step td{background:#fffbe8}
tr.note td{background:#eef4ff;color:#235;font-style:italic}tr.skip td{color:#999;text-align:center}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
.bar{fill:#d9534f}.barlabel{font-size:12px}
"""

_JS = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined)
    e.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
  return e;
}
function fmt(v) { return typeof v === "number" ? v.toLocaleString("en") : String(v); }
function sortable(table) {
  table.querySelectorAll("th").forEach((th, i) => th.addEventListener("click", () => {
    const body = table.tBodies[0], rows = Array.from(body.rows);
    const dir = th.dataset.dir === "asc" ? -1 : 1; th.dataset.dir = dir > 0 ? "asc" : "desc";
    rows.sort((a, b) => {
      const x = a.cells[i].dataset.v, y = b.cells[i].dataset.v;
      const nx = Number(x), ny = Number(y);
      return dir * (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y));
    });
    rows.forEach(r => body.appendChild(r));
  }));
}
function drawTable(t) {
  const id = "t-" + t.title.replace(/\W+/g, "-");
  const sec = el("section", {id: id}, el("h2", {}, t.title));
  const table = el("table", {"class": "data"});
  table.appendChild(el("thead", {}, el("tr", {}, ...t.columns.map(c => el("th", {}, c)))));
  const body = el("tbody");
  for (const row of t.rows) {
    const tr = el("tr");
    row.forEach(v => { const td = el("td", typeof v === "number" ? {"class": "num"} : {}, fmt(v));
      td.dataset.v = String(v); tr.appendChild(td); });
    body.appendChild(tr);
  }
  if (!t.rows.length) body.appendChild(el("tr", {}, el("td", {colspan: t.columns.length}, "none")));
  table.appendChild(body); sec.appendChild(table); sortable(table);
  document.getElementById("toc").appendChild(el("a", {href: "#" + id}, t.title));
  document.getElementById("toc").appendChild(document.createTextNode(" · "));
  return sec;
}
function drawChart(items) {
  const NS = "http://www.w3.org/2000/svg", box = document.getElementById("chart");
  if (!items.length) { box.appendChild(el("p", {}, "Nothing was removed.")); return; }
  const rowH = 20, labelW = 260, barW = 520, max = Math.max(...items.map(i => i[1]));
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", labelW + barW + 120); svg.setAttribute("height", rowH * items.length + 4);
  svg.setAttribute("role", "img"); svg.setAttribute("aria-label", "removed bytes per rule");
  items.forEach(([label, value], i) => {
    const y = i * rowH + 2, w = Math.max(1, Math.round(barW * value / max));
    const t = document.createElementNS(NS, "text");
    t.setAttribute("x", labelW - 6); t.setAttribute("y", y + 14); t.setAttribute("text-anchor", "end");
    t.setAttribute("class", "barlabel"); t.textContent = label; svg.appendChild(t);
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("x", labelW); r.setAttribute("y", y + 2); r.setAttribute("width", w);
    r.setAttribute("height", rowH - 5); r.setAttribute("class", "bar");
    const tip = document.createElementNS(NS, "title"); tip.textContent = label + ": " + fmt(value) + " bytes";
    r.appendChild(tip); svg.appendChild(r);
    const v = document.createElementNS(NS, "text");
    v.setAttribute("x", labelW + w + 6); v.setAttribute("y", y + 14); v.setAttribute("class", "barlabel");
    v.textContent = fmt(value); svg.appendChild(v);
  });
  box.appendChild(svg);
}
function segs(list, tag) {
  const td = el("td", {"class": "side"});
  for (const [kind, text] of list) {
    if (kind === "del") td.appendChild(el("del", tag ? {title: tag} : {}, text === "" ? "\u00b6" : text));
    else if (kind === "ins") td.appendChild(el("ins", tag ? {title: tag} : {}, text));
    else if (kind === "gap") td.appendChild(el("span", {"class": "gap"}, text));
    else td.appendChild(document.createTextNode(text));
  }
  return td;
}
function drawDiff(d) {
  const removed = d.rows.filter(r => r[0] === "remove" || r[0] === "drop").length;
  const det = el("details", {"class": "file", "data-input": d.input},
    el("summary", {}, d.input + " \u2014 " + d.rows.length + " rows, " + removed + " removed line(s)" +
       (d.full ? "" : " (report only: changed lines)")));
  const table = el("table", {"class": "diff"});
  for (const [kind, line, left, right, tag, note] of d.rows) {
    const tr = el("tr", {"class": kind});
    const ln = el("td", {"class": "ln"}, kind === "step" ? "\u21b3" : line === null ? "" : String(line));
    if (kind === "note" || kind === "skip") {
      tr.appendChild(ln);
      tr.appendChild(el("td", {colspan: 3}, (tag ? tag + " " : "") + note));
    } else {
      const l = segs(left, tag); l.classList.add("left");
      const r = segs(kind === "remove" || kind === "drop" ? [] : right, tag); r.classList.add("right");
      tr.append(ln, l, r, el("td", {"class": "tag"}, tag + (note ? " " + note : "")));
    }
    table.appendChild(tr);
  }
  det.appendChild(table);
  return det;
}
const tables = document.getElementById("tables");
for (const t of DATA.tables) tables.appendChild(drawTable(t));
drawChart(DATA.chart);
const diffs = document.getElementById("diffs");
for (const d of DATA.diffs) diffs.appendChild(drawDiff(d));
if (DATA.omitted) diffs.appendChild(el("p", {}, DATA.omitted + " more file(s) not shown."));
if (DATA.diffs.length) diffs.querySelector("details").open = true;
// The sections are drawn after load: honour a #fragment now that its target exists.
if (location.hash) { const t = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (t) t.scrollIntoView(); }
document.body.dataset.ready = "1";
"""
