"""Rules of the codebase that keep it easy to change (STYLE sections 6-7)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from cleancorp.filters import FILTERS, SPEC_ORDER

PACKAGE = Path(__file__).resolve().parent.parent / "cleancorp"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_click_only_in_cli_and_rich_only_in_render() -> None:
    for path in PACKAGE.rglob("*.py"):
        found = imports_of(path)
        if "click" in found:
            assert path.name == "cli.py", path
        if "rich" in found:
            assert path.name == "render.py", path


def test_filters_never_do_io_or_print() -> None:
    banned = {"print", "open", "exit", "input"}
    for path in (PACKAGE / "filters").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in banned, f"{path.name}:{node.lineno} calls {name}()"
        assert not {"sys", "click", "rich", "logging"} & imports_of(path), path.name


def test_registry_is_in_spec_order_and_names_match_modules() -> None:
    names = [f.name for f in FILTERS]
    assert names == [n for n in SPEC_ORDER if n in names]
    assert names[0] == "decode" and names[-1] == "encode"
    for cls in FILTERS:
        assert cls.__module__ == f"cleancorp.filters.{cls.name}"
        assert cls.summary, cls.name


def test_every_filter_is_picklable_with_default_options() -> None:
    for cls in FILTERS:
        flt = cls()
        clone = pickle.loads(pickle.dumps(flt))
        assert type(clone) is cls and clone.options == flt.options
