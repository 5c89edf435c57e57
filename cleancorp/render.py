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
