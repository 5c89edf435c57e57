"""Run configuration: TOML discovery, one strict schema, command line on top.

The same keys work at the top level of ``cleancorp.toml`` and under
``[tool.cleancorp]`` in ``pyproject.toml``; each filter reads its own table
(``[tool.cleancorp.t2s]``) whose keys are the fields of its ``Options``
dataclass. Unknown keys and bad values raise `ConfigError` naming the key,
never a warning (SPEC section 4).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import regex

from cleancorp.errors import ConfigError
from cleancorp.filters import ALWAYS_ON, FILTERS, FILTERS_BY_NAME, FilterOptions

REPORT_LEVELS = ("all", "compact", "removals", "summary")
FORMATS = ("txt", "jsonl", "parquet")
INPUT_FORMATS = ("auto", "txt", "jsonl", "parquet", "arrow")
ENGINES = ("local", "ray")
#: `--fail-on` metrics (SPEC section 1).
FAIL_ON_METRICS = ("errors", "removed-ratio", "dropped-docs")
FAIL_ON_RE = regex.compile(r"^\s*(errors|removed-ratio|dropped-docs)\s*(>=|<=|==|>|<)\s*([0-9]*\.?[0-9]+)\s*$")
SIZE_RE = regex.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?i?b?)?\s*$", regex.IGNORECASE)
#: Binary multiples: `50MB` is 50 MiB, as most disk tools count.
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
#: Keys whose values are paths, resolved against the config file's folder.
PATH_KEYS = frozenset({"output", "report", "dedup_index"})


@dataclass(frozen=True)
class FailOn:
    """One `--fail-on` threshold: METRIC OP NUMBER."""

    metric: str
    op: str
    value: float

    def crossed(self, measured: float) -> bool:
        """True when the measured value crosses this threshold."""
        return {
            ">": measured > self.value, ">=": measured >= self.value, "<": measured < self.value,
            "<=": measured <= self.value, "==": measured == self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


@dataclass(frozen=True)
class RunConfig:
    """Every option of `cleancorp clean`; filter options live in `filters`."""

    output: str | None = None
    report: str | None = None
    report_level: str = "all"  # SPEC: default `all`, every change
    include: tuple[str, ...] = ("*.txt",)
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    encoding: str | None = None
    format: str = "txt"
    input_format: str = "auto"
    text_field: str = "text"
    corpus: bool = True
    dedup_index: str | None = None
    jobs: int = 0  # 0: all cores
    engine: str = "local"
    ray_address: str | None = None
    check: bool = False
    fail_on: tuple[FailOn, ...] = ()
    max_bytes: int | None = None
    force: bool = False
    quiet: bool = False
    verbose: bool = False
    filters: dict[str, FilterOptions] = field(default_factory=dict)

    def options_for(self, name: str) -> FilterOptions:
        """The options of filter `name` (its defaults when not configured)."""
        return self.filters.get(name) or FILTERS_BY_NAME[name].Options()

    def enabled_filters(self) -> list[str]:
        """The names of the filters that run, in SPEC order."""
        names = []
        for cls in FILTERS:
            on = cls.enabled_by_default and cls.name not in self.skip
            if self.only:
                on = cls.name in self.only
            if cls.name in ALWAYS_ON:
                on = True
            if on:
                names.append(cls.name)
        return names

    def to_json(self) -> dict[str, Any]:
        """The effective configuration for the report's summary record."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("filters", "quiet", "verbose", "force"):
                continue
            value = getattr(self, f.name)
            if f.name == "fail_on":
                value = [str(x) for x in value]
            out[f.name] = list(value) if isinstance(value, tuple) else value
        out["filters"] = self.enabled_filters()
        for name in out["filters"]:
            opts = self.options_for(name)
            table = dataclasses.asdict(opts)
            if table:
                out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in table.items()}
        return out

    def digest(self) -> str:
        """A hash of what decides the outputs (for the manifest: re-run when it changes)."""
        decisive = self.to_json()
        for key in ("output", "report", "report_level", "jobs", "engine", "ray_address",
                    "check", "fail_on", "include", "exclude"):
            decisive.pop(key, None)
        blob = json.dumps(decisive, sort_keys=True, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()[:16]


# -- parsing values -----------------------------------------------------------


def parse_size(text: str | int, key: str = "max_bytes") -> int:
    """Parse a size such as ``50MB``, ``512KB`` or a plain number of bytes.

    >>> parse_size("50MB"), parse_size("512kb"), parse_size(1000)
    (52428800, 524288, 1000)
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        m = SIZE_RE.match(str(text))
        if not m:
            raise ConfigError(key, f"not a size: {text!r} (use e.g. 50MB, 512KB)")
        unit = (m.group(2) or "").lower()[:1]
        value = int(float(m.group(1)) * SIZE_UNITS[unit])
    if value <= 0:
        raise ConfigError(key, f"must be positive, got {text!r}")
    return value


def parse_fail_on(expr: str) -> FailOn:
    """Parse ``METRIC OP NUMBER``.

    >>> parse_fail_on("removed-ratio>0.5")
    FailOn(metric='removed-ratio', op='>', value=0.5)
    """
    m = FAIL_ON_RE.match(expr)
    if not m:
        raise ConfigError(
            "fail_on",
            f"cannot parse {expr!r}: expected METRIC OP NUMBER with METRIC one of "
            f"{', '.join(FAIL_ON_METRICS)} and OP one of > >= < <= ==",
        )
    return FailOn(m.group(1), m.group(2), float(m.group(3)))


def _names(value: Any, key: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(x, str) for x in items):
        raise ConfigError(key, f"expected a list of filter names, got {value!r}")
    names = tuple(x.strip() for x in items if x.strip())
    for name in names:
        if name not in FILTERS_BY_NAME:
            raise ConfigError(key, f"unknown filter {name!r}{_did_you_mean(name, FILTERS_BY_NAME)}")
    return names


def _did_you_mean(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(key, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _coerce(value: Any, hint: Any, key: str, base: Path | None) -> Any:
    """Check `value` against a resolved field type (the few types options use)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], key, base)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"expected a string, got {value!r}")
        return value
    if origin is tuple:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(key, f"expected a list, got {value!r}")
        return tuple(_coerce(v, args[0], key, base) for v in items)
    return value


def filter_options(name: str, table: dict[str, Any], base: Path | None, source: str | None
                   ) -> FilterOptions:
    """Build filter `name`'s options from its config table, strictly."""
    cls = FILTERS_BY_NAME[name].Options
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{name}.{key}"
        if key not in known:
            raise ConfigError(full, f"unknown key{_did_you_mean(key, known)}", source)
        try:
            # Fields named `*_bytes` are sizes: `"50MB"` as well as a number.
            if key.endswith("bytes") and value is not None:
                value = parse_size(value, full)
            value = _coerce(value, typing.get_type_hints(cls)[key], full, base)
        except ConfigError as exc:
            raise ConfigError(full, str(exc).split(": ", 1)[-1], source) from None
        # Paths in a filter table (extra rules files) are relative to the config file.
        if base is not None and "rules" in key and isinstance(value, tuple):
            value = tuple(str(base / v) for v in value)
        values[key] = value
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(exc.key, str(exc).split(": ", 1)[-1], source) from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(name, str(exc), source) from None


# -- assembling ---------------------------------------------------------------

_RUN_FIELDS = {f.name: f for f in fields(RunConfig) if f.name != "filters"}
#: The fields' types, resolved (annotations are strings under `from __future__`).
_RUN_TYPES = typing.get_type_hints(RunConfig)


def build_config(settings: dict[str, Any], *, base: Path | None = None,
                 source: str | None = None) -> RunConfig:
    """Validate a flat dict of top-level keys plus filter tables into a `RunConfig`.

    `settings` is a config file's table or the command line's values (the
    command line already merged on top by the caller).
    """
    values: dict[str, Any] = {}
    tables: dict[str, dict[str, Any]] = {}
    skip: list[str] = []
    for raw_key, value in settings.items():
        key = raw_key.replace("-", "_")
        if key in FILTERS_BY_NAME or key in ("split", "t2s", "dedup"):
            # `t2s = "on"` and `split = false` are shorthands for their tables.
            if key == "t2s" and isinstance(value, str):
                value = {"mode": value}
            if key == "split" and isinstance(value, bool):
                value = {"enabled": value}
            if not isinstance(value, dict):
                raise ConfigError(key, f"expected a table of {key} options, got {value!r}", source)
            table = dict(value)
            if table.pop("enabled", True) is False:
                skip.append(key)
            if key == "split" and "max_bytes" in table:
                values["max_bytes"] = table.pop("max_bytes")
            if key not in FILTERS_BY_NAME:
                if table:
                    raise ConfigError(f"{key}.{next(iter(table))}",
                                      "filter not available in this version", source)
                continue
            tables[key] = table
            continue
        if key not in _RUN_FIELDS:
            raise ConfigError(key, f"unknown key{_did_you_mean(key, _RUN_FIELDS)}", source)
        values[key] = value
    run: dict[str, Any] = {}
    try:
        for key, value in values.items():
            if value is None:
                continue
            if key in ("only", "skip"):
                run[key] = _names(value, key)
            elif key == "fail_on":
                items = [value] if isinstance(value, str) else value
                run[key] = tuple(x if isinstance(x, FailOn) else parse_fail_on(x) for x in items)
            elif key == "max_bytes":
                run[key] = parse_size(value)
            elif key == "report_level":
                run[key] = _choice(value, key, REPORT_LEVELS)
            elif key == "format":
                run[key] = _choice(value, key, FORMATS)
            elif key == "input_format":
                run[key] = _choice(value, key, INPUT_FORMATS)
            elif key == "engine":
                run[key] = _choice(value, key, ENGINES)
            else:
                run[key] = _coerce(value, _RUN_TYPES[key], key, base)
                if key in PATH_KEYS and base is not None and run[key] not in (None, "-"):
                    run[key] = str(base / run[key])
                if key == "jobs" and run[key] < 0:
                    raise ConfigError(key, "must be 0 (all cores) or more")
    except ConfigError as exc:
        if exc.source is None and source is not None:
            raise ConfigError(exc.key, str(exc).split(": ", 1)[-1], source) from None
        raise
    run["skip"] = tuple(dict.fromkeys([*run.get("skip", ()), *skip]))
    # Top-level shorthands that belong to one filter.
    if "encoding" in run and "decode" in FILTERS_BY_NAME:
        tables.setdefault("decode", {})["encoding"] = run["encoding"]
    if "max_bytes" in run and "encode" in FILTERS_BY_NAME:
        tables.setdefault("encode", {})["max_bytes"] = run["max_bytes"]
    run["filters"] = {
        name: filter_options(name, table, base, source) for name, table in tables.items()
    }
    return RunConfig(**run)


def find_config(cwd: Path) -> tuple[dict[str, Any], Path | None]:
    """The settings of ``cleancorp.toml`` in `cwd`, else ``[tool.cleancorp]`` of its
    ``pyproject.toml``; no search upwards (SPEC section 1). Returns (table, file)."""
    for name in ("cleancorp.toml", "pyproject.toml"):
        path = cwd / name
        if path.is_file():
            table = read_config(path)
            if table is not None:
                return table, path
    return {}, None


def read_config(path: Path) -> dict[str, Any] | None:
    """Read a config file; None for a pyproject.toml without a cleancorp table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("config", f"cannot read: {exc.strerror}", str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config", f"not valid TOML: {exc}", str(path)) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("cleancorp")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError("tool.cleancorp", "must be a table", str(path))
        return table
    return data


def load_config(cli: dict[str, Any], *, config_path: str | None = None,
                no_config: bool = False, cwd: Path | None = None) -> RunConfig:
    """The effective configuration: the config file, with the command line on top.

    `cli` holds only the options the user actually gave (None values are left out).
    """
    cwd = cwd or Path.cwd()
    file_settings: dict[str, Any] = {}
    path: Path | None = None
    if config_path is not None:
        path = Path(config_path)
        table = read_config(path)
        file_settings = table if table is not None else {}
    elif not no_config:
        file_settings, path = find_config(cwd)
    source = str(path) if path else None
    # Validate the file alone first, so its errors name the file.
    build_config(file_settings, base=path.parent if path else None, source=source)
    merged = _merge_for_cli(file_settings, path)
    for key, value in cli.items():
        if value is None:
            continue
        if key in ("t2s", "split") and key in merged and isinstance(merged[key], dict):
            table = dict(merged[key])
            table["mode" if key == "t2s" else "enabled"] = value
            merged[key] = table
        else:
            merged[key] = value
    return build_config(merged, base=None, source=None)


def _merge_for_cli(settings: dict[str, Any], path: Path | None) -> dict[str, Any]:
    """The file's settings with its relative paths made absolute (so the command
    line can be merged on top without a base folder)."""
    if path is None:
        return dict(settings)
    base = path.parent
    out: dict[str, Any] = {}
    for key, value in settings.items():
        k = key.replace("-", "_")
        if k in PATH_KEYS and isinstance(value, str) and value != "-":
            value = str(base / value)
        elif isinstance(value, dict):
            value = {
                sk: (
                    [str(base / v) for v in ([sv] if isinstance(sv, str) else sv)]
                    if "rules" in sk and isinstance(sv, str | list) else sv
                )
                for sk, sv in value.items()
            }
        out[k] = value
    return out


def with_options(config: RunConfig, **changes: Any) -> RunConfig:
    """A copy of `config` with some top-level fields replaced."""
    return replace(config, **changes)


def default_jobs(config: RunConfig) -> int:
    """The number of worker processes: `jobs`, or all cores."""
    return config.jobs or os.cpu_count() or 1
