"""What a person sees on the terminal: progress, error lines, the summary table.

The only module that imports rich. Everything goes to stderr; nothing
decorative is printed when stderr is not a terminal.
"""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from cleancorp.files import InputItem
from cleancorp.report import Report


class TerminalObserver:
    """Progress bar (files, MB, MB/s) on a terminal; one line per error always."""

    def __init__(self, stream: IO[str] | None = None, *, quiet: bool = False,
                 verbose: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.quiet = quiet
        self.verbose = verbose
        self.progress: Progress | None = None
        self.task = None
        self.files_task = None

    def start(self, items: int, total_bytes: int) -> None:
        if self.quiet or not self.console.is_terminal or items < 2:
            return
        self.progress = Progress(
            TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=self.console, transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("bytes", total=total_bytes or None)
        self._items = items

    def advance(self, item: InputItem, bytes_in: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, bytes_in)
        elif self.verbose:
            self.console.print(f"cleaned {item.display}", markup=False)

    def error(self, name: str, message: str) -> None:
        line = f"error: {name}: {message}"
        if self.console.is_terminal:
            self.console.print(f"[red]{_escape(line)}[/red]")
        else:
            self.stream.write(line + "\n")
            self.stream.flush()

    def note(self, message: str) -> None:
        """A one-line remark that is not an error (unless -q)."""
        if not self.quiet:
            self.stream.write(message + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def print_summary(report: Report, stream: IO[str] | None = None) -> None:
    """The short summary shown when there is no `--report` (and no `-q`)."""
    console = Console(file=stream or sys.stderr, highlight=False)
    summary = report.summary or {}
    mb = report.bytes_in / 1e6
    seconds = summary.get("seconds", 0) or 0
    speed = f", {mb / seconds:.1f} MB/s" if seconds > 0 and mb > 0 else ""
    head = (f"{report.files} files ({report.ok} ok, {report.failed} failed"
            f"{f', {report.skipped} already done' if report.skipped else ''}), "
            f"{report.documents_out} documents out, {report.dropped_docs} dropped; "
            f"{mb:.2f} MB in, {report.bytes_out / 1e6:.2f} MB out, "
            f"{report.removed_ratio:.1%} removed, {seconds:.2f} s{speed}")
    if not console.is_terminal:
        console.file.write(head + "\n")
        for name, count in sorted(report.changes.items()):
            console.file.write(f"  {name}: {count} changes\n")
        return
    table = Table(title=None, show_header=True, header_style="bold")
    table.add_column("filter")
    table.add_column("rule")
    table.add_column("changes", justify="right")
    for key, count in sorted(report.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:20]:
        flt, _, rule = key.partition("/")
        table.add_row(flt, rule if rule != "None" else "", str(count))
    console.print(head, markup=False)
    if report.rules:
        console.print(table)


def print_filters(rows: list[tuple[int, str, bool, str, str]], stream: IO[str] | None = None) -> None:
    """The table of `cleancorp filters`: order, name, default, options, summary."""
    console = Console(file=stream or sys.stdout, highlight=False)
    if not console.is_terminal:
        for n, name, on, options, summary in rows:
            console.file.write(f"{n:>2}  {name:<12} {'on ' if on else 'off'}  {summary}"
                               f"{f'  [{options}]' if options else ''}\n")
        return
    table = Table(show_header=True, header_style="bold")
    for col in ("#", "filter", "default", "options", "what it does"):
        table.add_column(col)
    for n, name, on, options, summary in rows:
        table.add_row(str(n), name, "on" if on else "off", options, summary)
    console.print(table)


# -- explain and report views ----------------------------------------------------------

#: Styles of the explain view: struck red for removed text, green for added text.
_STYLES = {"same": "", "del": "red strike", "ins": "bold green", "gap": "dim"}
_VISIBLE = str.maketrans({"\n": "⏎", "\t": "⇥"})


def _segments_text(segments: object) -> object:
    from rich.text import Text

    text = Text()
    for seg in segments:  # type: ignore[attr-defined]
        shown = seg.text.translate(_VISIBLE)
        if seg.kind == "del" and not shown.strip():
            shown = shown.replace(" ", "·") or "∅"  # a removed blank line is still visible
        text.append(shown, style=_STYLES.get(seg.kind, ""))
    return text


def print_explain(view: object, stream: IO[str] | None = None, *,
                  color: bool | None = None) -> None:
    """`cleancorp explain`: the rows of an `ExplainView`, coloured on a terminal and as
    wdiff-style plain text (``[-removed-]{+added+}``) otherwise; then the counts."""
    from rich.text import Text

    from cleancorp.explain import plain_segments

    out = stream or sys.stdout
    console = Console(file=out, highlight=False, soft_wrap=True,
                      force_terminal=color if color is not None else None,
                      no_color=color is False)
    rich_out = console.is_terminal
    v = view  # an ExplainView
    marks = {"keep": " ", "remove": "-", "drop": "-", "edit": "~", "step": "~", "note": "#",
             "skip": "."}
    for row in v.rows:  # type: ignore[attr-defined]
        num = "" if row.line is None else str(row.line)
        tag = f"{row.filter}/{row.rule}" if row.filter else ""
        if row.kind in ("note", "skip"):
            line = f"{marks[row.kind]} {num:>5}  {(tag + ' ') if tag else ''}{row.note}"
            if rich_out:
                console.print(Text(line, style="bold cyan" if row.kind == "note" else "dim"))
            else:
                out.write(line + "\n")
            continue
        suffix = f"  <- {tag}{(' ' + row.note) if row.note else ''}" if tag else ""
        if row.kind == "step":
            num = "↳" if rich_out else "^"
        if rich_out:
            text = Text()
            text.append(f"{marks[row.kind]} {num:>5} ", style="dim")
            text.append_text(_segments_text(row.segments))  # type: ignore[arg-type]
            text.append(suffix, style="yellow")
            console.print(text)
        else:
            body = plain_segments(row.segments).translate(_VISIBLE)
            out.write(f"{marks[row.kind]} {num:>5} {body}{suffix}\n")
    counts = ", ".join(f"{k}: {n}" for k, n in v.counts.items()) or "no changes"  # type: ignore[attr-defined]
    scope = "" if v.full else " (from the report; changed lines only)"  # type: ignore[attr-defined]
    head = (f"{v.source}: {v.removed_lines} line(s) removed, {v.edited_lines} edited"  # type: ignore[attr-defined]
            f"{scope}; changes per filter: {counts}")
    if not rich_out:
        out.write(head + "\n")
        return
    console.print(head, markup=False, style="bold")
    if v.rule_counts:  # type: ignore[attr-defined]
        table = Table(show_header=True, header_style="bold")
        table.add_column("filter")
        table.add_column("rule")
        table.add_column("changes", justify="right")
        for key, n in v.rule_counts.items():  # type: ignore[attr-defined]
            flt, _, rule = key.partition("/")
            table.add_row(flt, "" if rule == "None" else rule, str(n))
        console.print(table)


def print_tables(tables: list[tuple[str, list[str], list[list[object]]]],
                 stream: IO[str] | None = None) -> None:
    """`cleancorp report`: titled tables (title, columns, rows); tab-separated text
    when not on a terminal, so the output can be piped to other tools."""
    out = stream or sys.stdout
    console = Console(file=out, highlight=False)
    for title, columns, rows in tables:
        if not console.is_terminal:
            out.write(f"# {title}\n" + "\t".join(columns) + "\n")
            for row in rows:
                out.write("\t".join(str(c).replace("\t", " ").replace("\n", "⏎") for c in row)
                          + "\n")
            out.write("\n")
            continue
        table = Table(title=title, title_justify="left", title_style="bold",
                      show_header=True, header_style="bold")
        for col in columns:
            numeric = rows and all(isinstance(r[columns.index(col)], int | float) for r in rows)
            table.add_column(col, justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(f"{c:,}" if isinstance(c, int) else str(c) for c in row), end_section=False)
        console.print(table)


def print_restore(text: str, stream: IO[str] | None = None) -> None:
    """`cleancorp report --restore`: removed lines (marked `-`) red on a terminal."""
    out = stream or sys.stdout
    console = Console(file=out, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        out.write(text)
        return
    for line in text.splitlines():
        style = ("red" if line.startswith("-") else "bold cyan" if line.startswith(("==", "--"))
                 else "dim" if line.startswith(" ") else "")
        console.print(line, style=style, markup=False)
