"""The filter registry: every filter in the order of SPEC section 2.

The order is deliberate (each filter relies on the earlier ones), so it is
written down once, here, and everything else (the pipeline, `--only`/`--skip`,
config tables, `cleancorp filters`) reads it from `FILTERS`.
"""

from __future__ import annotations

import importlib

from cleancorp.filters.base import Filter, FilterOptions

#: SPEC section 2, in order. `decode` and `encode` always run.
SPEC_ORDER: tuple[str, ...] = (
    "decode", "mojibake", "unicode", "annotations", "t2s", "boilerplate", "language",
    "layout", "punctuation", "split", "dedup", "length", "encode",
)
ALWAYS_ON = frozenset({"decode", "encode"})


def _load() -> tuple[type[Filter], ...]:
    classes = []
    for name in SPEC_ORDER:
        try:
            module = importlib.import_module(f"cleancorp.filters.{name}")
        except ModuleNotFoundError as exc:
            # A filter of SPEC that this version does not ship yet is absent from
            # the registry (and so an unknown name), never a silent no-op.
            if exc.name == f"cleancorp.filters.{name}":
                continue
            raise
        found = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Filter) and obj is not Filter
            and getattr(obj, "name", None) == name
        ]
        if len(found) != 1:
            raise ImportError(f"cleancorp.filters.{name} must define exactly one filter named {name!r}")
        classes.append(found[0])
    return tuple(classes)


#: The filter classes, in SPEC order.
FILTERS: tuple[type[Filter], ...] = _load()
FILTERS_BY_NAME: dict[str, type[Filter]] = {f.name: f for f in FILTERS}

__all__ = ["ALWAYS_ON", "FILTERS", "FILTERS_BY_NAME", "SPEC_ORDER", "Filter", "FilterOptions"]
