"""The `cleancorp` command line. Parse -> config -> runner -> exit code; nothing else.

The only module that imports click.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from typing import Any

import click

from cleancorp import __version__
from cleancorp.config import FORMATS, INPUT_FORMATS, load_config
from cleancorp.errors import UsageError
from cleancorp.filters import ALWAYS_ON, FILTERS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _versions() -> str:
    import ftfy
    import opencc

    return (f"cleancorp {__version__} (OpenCC {getattr(opencc, '__version__', 'unknown')}, "
            f"ftfy {ftfy.__version__})")


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", message="%(version)s",
                      package_name="cleancorp")
def main() -> None:
    """Turn dirty scraped text (mostly Chinese) into clean UTF-8, and report every change."""


# click's version_option prints only our version; SPEC wants OpenCC and ftfy too.
def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_versions())
        ctx.exit()


main.params = [p for p in main.params if p.name != "version"]
main.params.append(click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True,
                                callback=_print_version, help="Show versions and exit."))


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    """The config keys of the options a user gave (as `clean` builds them)."""
    cli = {k: v for k, v in options.items() if v not in (None, (), False)}
    for key in ("only", "skip"):
        if key in cli:
            cli[key] = [n for part in cli[key] for n in part.split(",") if n.strip()]
    for key in ("split", "corpus"):
        if options.get(key) is False:
            cli[key] = False
    return cli


@main.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("-o", "--output", metavar="DIR", help="Where outputs go (mirrors input folders).")
@click.option("--report", metavar="FILE", help="Write the change report as JSON Lines (- = stdout; "
              "FILE.zst or FILE.gz: compressed).")
@click.option("--report-level", type=click.Choice(["all", "compact", "removals", "summary"]),
              help="How much the report holds (default: all: every change with its context; "
              "compact: every change, removed text in full, edits packed per run).")
@click.option("--config", "config_path", metavar="FILE", help="A TOML config file.")
@click.option("--no-config", is_flag=True, help="Ignore cleancorp.toml / pyproject.toml.")
@click.option("--only", multiple=True, metavar="A,B", help="Run only these filters.")
@click.option("--skip", multiple=True, metavar="A,B", help="Skip these filters.")
@click.option("--t2s", type=click.Choice(["auto", "on", "off"]),
              help="Traditional -> simplified (default: auto).")
@click.option("--split/--no-split", default=None, help="Split compilations into articles.")
@click.option("--max-bytes", metavar="SIZE", help="Cut outputs into shards of at most SIZE.")
@click.option("--encoding", metavar="NAME", help="Skip detection; decode with this codec.")
@click.option("--format", "format_", type=click.Choice(FORMATS),
              help="Output format of text inputs (tables stay tables).")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS),
              help="Input format (auto: by file name).")
@click.option("--text-field", metavar="NAME",
              help="JSON Lines field / Parquet column holding the text.")
@click.option("--include", multiple=True, metavar="GLOB", help="Files to clean in folders (*.txt).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Files to leave out.")
@click.option("--corpus/--no-corpus", default=None, help="Corpus-level steps (default on).")
@click.option("--dedup-index", metavar="FILE", help="Persistent dedup index (SQLite).")
@click.option("-j", "--jobs", type=int, help="Worker processes (default: all cores).")
@click.option("--engine", type=click.Choice(["local", "ray"]), help="Execution engine.")
@click.option("--ray-address", metavar="ADDR", help="Ray cluster address.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any input would change.")
@click.option("--fail-on", multiple=True, metavar="EXPR",
              help="Exit 1 when e.g. removed-ratio>0.5, errors>0, dropped-docs>10.")
@click.option("--force", is_flag=True, help="Redo inputs the manifest says are done.")
@click.option("-q", "--quiet", is_flag=True, help="Less on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="More on stderr.")
def clean(inputs: tuple[str, ...], config_path: str | None, no_config: bool,
          format_: str | None, **options: Any) -> None:
    """Clean INPUT files and folders into -o DIR (or stdin to stdout)."""
    from cleancorp import render, runner

    cli = _settings(options)
    if format_:
        cli["format"] = format_
    try:
        config = load_config(cli, config_path=config_path, no_config=no_config)
    except UsageError as exc:
        _fail(str(exc))
    if config.engine == "ray":
        try:
            from cleancorp.ray_engine import import_ray
            import_ray()
        except UsageError as exc:
            _fail(str(exc))
    stdin = sys.stdin.buffer
    stdin_piped = not _isatty(stdin)
    observer = render.TerminalObserver(quiet=config.quiet, verbose=config.verbose)
    with contextlib.ExitStack() as stack:
        report_stream = None
        if config.report == "-":
            report_stream = click.get_text_stream("stdout")
        elif config.report:
            from cleancorp.report import report_file

            try:
                report_stream = stack.enter_context(report_file(config.report))
            except OSError as exc:
                _fail(f"--report {config.report}: {exc.strerror}")
        try:
            if config.engine == "ray":
                from cleancorp import ray_engine
                report = ray_engine.run(config, list(inputs), report_stream=report_stream,
                                        observer=observer)
            else:
                report = runner.run(config, list(inputs), report_stream=report_stream,
                                    observer=observer, stdin=stdin,
                                    stdout=sys.stdout.buffer, stdin_piped=stdin_piped)
        except UsageError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            click.echo("interrupted: outputs written so far are complete; run the same command "
                       "again to finish", err=True)
            sys.exit(130)
    if report.summary is not None and not config.report and not config.quiet:
        render.print_summary(report)
    for crossed in report.crossed_thresholds():
        click.echo(f"fail-on: threshold crossed: {crossed}", err=True)
    if config.check and report.changed_inputs and not config.quiet:
        click.echo(f"check: {report.changed_inputs} input(s) would change", err=True)
    sys.exit(report.exit_code)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@main.command(context_settings=CONTEXT)
def filters() -> None:
    """List the filters in pipeline order, with their default and options."""
    from cleancorp import render

    rows = []
    for n, cls in enumerate(FILTERS, 1):
        opts = ", ".join(f"{f.name}={f.default!r}" for f in dataclasses.fields(cls.Options))
        rows.append((n, cls.name, cls.enabled_by_default or cls.name in ALWAYS_ON, opts,
                     cls.summary))
    render.print_filters(rows)


@main.group(context_settings=CONTEXT)
def rules() -> None:
    """Work with boilerplate rules files."""


@rules.command("check", context_settings=CONTEXT)
@click.argument("path", metavar="FILE")
def rules_check(path: str) -> None:
    """Validate a rules FILE: patterns compile, examples match, no slow pattern."""
    from cleancorp.rules import check_rules_file

    problems = check_rules_file(path)
    for problem in problems:
        click.echo(f"error: {path}: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{path}: ok")


def _explain_records(path: str, report_path: str | None, config: Any
                     ) -> tuple[list[dict[str, Any]], list[str], Any]:
    """FILE's change records and errors: from a real run's report, or a run on FILE alone."""
    from cleancorp import explain as ex
    from cleancorp.config import with_options
    from cleancorp.report_view import read_report

    if report_path is None:
        records = ex.run_one(path, config)
    else:
        data = read_report(report_path)
        name = ex.match_input(path, data.inputs)
        if name is None:
            raise UsageError(f"{path}: not an input of {report_path}")
        records = [r for r in (*data.changes, *data.errors) if r.get("input") == name]
        encoding = ((data.summary or {}).get("config") or {}).get("encoding")
        if encoding:  # decode as that run did, so line numbers match
            config = with_options(config, encoding=encoding)
    errors = [r["error"] for r in records if r.get("type") == "error" and "record" not in r]
    return [r for r in records if r.get("type") == "change"], errors, config


@main.command(context_settings=CONTEXT)
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", "report_path", metavar="R",
              help="Show what the run that wrote report R did to FILE (corpus steps included).")
@click.option("--filter", "filter_name", metavar="NAME", help="Show one filter's changes only.")
@click.option("--context", type=click.IntRange(0), metavar="N",
              help="Show only N unchanged lines around each change (default: all lines).")
@click.option("--color/--no-color", default=None, help="Colours (default: on a terminal).")
@click.option("--config", "config_path", metavar="FILE", help="A TOML config file.")
@click.option("--no-config", is_flag=True, help="Ignore cleancorp.toml / pyproject.toml.")
@click.option("--only", multiple=True, metavar="A,B", help="Run only these filters.")
@click.option("--skip", multiple=True, metavar="A,B", help="Skip these filters.")
@click.option("--t2s", type=click.Choice(["auto", "on", "off"]), help="Traditional -> simplified.")
@click.option("--split/--no-split", default=None, help="Split compilations into articles.")
@click.option("--encoding", metavar="NAME", help="Skip detection; decode with this codec.")
@click.option("--corpus/--no-corpus", default=None, help="Corpus-level steps within FILE.")
def explain(path: str, report_path: str | None, filter_name: str | None, context: int | None,
            color: bool | None, config_path: str | None, no_config: bool,
            **options: Any) -> None:
    """Show what cleaning does to FILE: removed lines struck out with their rule, edits inline.

    FILE is cleaned alone (its own corpus) unless --report R names a real run."""
    from cleancorp import explain as ex
    from cleancorp import render
    from cleancorp.errors import InputError
    from cleancorp.filters import FILTERS_BY_NAME

    if filter_name is not None and filter_name not in FILTERS_BY_NAME:
        _fail(f"--filter: unknown filter {filter_name!r} (see `cleancorp filters`)")
    try:
        config = load_config(_settings(options), config_path=config_path, no_config=no_config)
        records, errors, config = _explain_records(path, report_path, config)
        for message in errors:
            click.echo(f"error: {path}: {message}", err=True)
        if errors:
            sys.exit(3)
        lines = None if any("record" in r for r in records) else ex.decode_input(path, config)
    except (UsageError, InputError) as exc:
        _fail(str(exc))
    view = ex.build_view(lines, records, source=path, filter=filter_name, context=context)
    render.print_explain(view, color=color)


def _input_lines(candidates: list[Any], encoding: str | None) -> list[str] | None:
    """The decoded lines of the first existing candidate path, or None."""
    from pathlib import Path

    from cleancorp.config import build_config
    from cleancorp.errors import InputError
    from cleancorp.explain import decode_input

    for cand in candidates:
        if cand is not None and Path(cand).is_file():
            try:
                return decode_input(cand, build_config({"encoding": encoding} if encoding else {}))
            except InputError:
                return None
    return None


@main.command(context_settings=CONTEXT)
@click.argument("report_path", metavar="REPORT.jsonl",
                type=click.Path(exists=True, dir_okay=False))
@click.option("--html", "html_path", metavar="PAGE.html", help="Write a self-contained HTML page.")
@click.option("--inputs", "inputs_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="The run's input folder: whole files in diffs and restore context.")
@click.option("--restore", "restore_input", metavar="INPUT",
              help="Show the passages removed from INPUT, in context.")
@click.option("-o", "--output", metavar="FILE", help="With --restore: write the passages to FILE.")
@click.option("--context", type=click.IntRange(0), default=2, show_default=True,
              help="Lines of context around a restored passage.")
@click.option("--top", type=click.IntRange(1), default=15, show_default=True,
              help="Rows of the largest-removals table.")
def report(report_path: str, html_path: str | None, inputs_dir: str | None,
           restore_input: str | None, output: str | None, context: int, top: int) -> None:
    """Summarise a change report; render it as an HTML page; restore removed text."""
    from pathlib import Path

    from cleancorp import render
    from cleancorp import report_view as rv

    try:
        data = rv.read_report(report_path)
        encoding = ((data.summary or {}).get("config") or {}).get("encoding")
        base = Path(inputs_dir) if inputs_dir else None
        if restore_input is not None:
            name = rv.resolve_input(data, restore_input)
            lines = _input_lines([restore_input, base / name if base else None], encoding)
            text = rv.restore_text(rv.restore(data, name, lines, context), name)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                render.print_restore(text)
            return
        if html_path:
            inputs = {n: lines for n in data.inputs if base and data.changes_of(n)
                      and (lines := _input_lines([base / n], encoding)) is not None}
            Path(html_path).write_text(rv.build_html(data, inputs, title=f"cleancorp report: "
                                                     f"{Path(report_path).name}"), encoding="utf-8")
        render.print_tables(rv.summary_tables(data, top), sys.stderr if html_path else None)
    except (rv.ReportError, OSError) as exc:
        _fail(str(exc))


if __name__ == "__main__":  # pragma: no cover
    main()
