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
from cleancorp.config import load_config
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


@main.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("-o", "--output", metavar="DIR", help="Where outputs go (mirrors input folders).")
@click.option("--report", metavar="FILE", help="Write the change report as JSON Lines (- = stdout).")
@click.option("--report-level", type=click.Choice(["all", "removals", "summary"]),
              help="How much the report holds (default: all).")
@click.option("--config", "config_path", metavar="FILE", help="A TOML config file.")
@click.option("--no-config", is_flag=True, help="Ignore cleancorp.toml / pyproject.toml.")
@click.option("--only", multiple=True, metavar="A,B", help="Run only these filters.")
@click.option("--skip", multiple=True, metavar="A,B", help="Skip these filters.")
@click.option("--t2s", type=click.Choice(["auto", "on", "off"]),
              help="Traditional -> simplified (default: auto).")
@click.option("--split/--no-split", default=None, help="Split compilations into articles.")
@click.option("--max-bytes", metavar="SIZE", help="Cut outputs into shards of at most SIZE.")
@click.option("--encoding", metavar="NAME", help="Skip detection; decode with this codec.")
@click.option("--format", "format_", type=click.Choice(["txt", "jsonl"]), help="Output format.")
@click.option("--input-format", type=click.Choice(["auto", "txt", "jsonl"]),
              help="Input format (auto: by file name).")
@click.option("--text-field", metavar="NAME", help="JSON Lines field holding the text.")
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

    cli: dict[str, Any] = {k: v for k, v in options.items() if v not in (None, (), False)}
    if format_:
        cli["format"] = format_
    for key in ("only", "skip"):
        if key in cli:
            cli[key] = [n for part in cli[key] for n in part.split(",") if n.strip()]
    for key in ("split", "corpus"):
        if options.get(key) is False:
            cli[key] = False
    try:
        config = load_config(cli, config_path=config_path, no_config=no_config)
    except UsageError as exc:
        _fail(str(exc))
    if config.engine == "ray":
        _fail("--engine ray is not available in this version; use --engine local")
    stdin = sys.stdin.buffer
    stdin_piped = not _isatty(stdin)
    observer = render.TerminalObserver(quiet=config.quiet, verbose=config.verbose)
    with contextlib.ExitStack() as stack:
        report_stream = None
        if config.report == "-":
            report_stream = click.get_text_stream("stdout")
        elif config.report:
            try:
                report_stream = stack.enter_context(open(config.report, "w", encoding="utf-8"))  # noqa: SIM115
            except OSError as exc:
                _fail(f"--report {config.report}: {exc.strerror}")
        try:
            report = runner.run(config, list(inputs), report_stream=report_stream,
                                observer=observer, stdin=stdin,
                                stdout=sys.stdout.buffer, stdin_piped=stdin_piped)
        except UsageError as exc:
            _fail(str(exc))
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


if __name__ == "__main__":  # pragma: no cover
    main()
