"""The pipeline: the enabled filters in SPEC order, run over one document.

>>> result = clean_text("春天来了，河边的柳树发出了新芽\\u200b，孩子们在草地上放风筝。\\n\\n")
>>> result.text
'春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。\\n'
>>> [(c.filter, c.rule) for c in result.changes]
[('unicode', 'invisible-char'), ('layout', 'blank-lines')]
>>> clean_text("太短了").documents   # dropped by `length`
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleancorp.config import RunConfig, build_config, load_config
from cleancorp.document import Change, Document
from cleancorp.errors import CleancorpError
from cleancorp.filters import FILTERS_BY_NAME, Filter


class InternalError(CleancorpError):
    """A filter broke an invariant of the pipeline: a bug to report."""


@dataclass(slots=True)
class CleanResult:
    """What `clean_text` returns: the documents that remain and every change."""

    documents: list[str]
    changes: list[Change] = field(default_factory=list)
    dropped: list[Document] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The cleaned text when there is exactly one document."""
        if len(self.documents) != 1:
            raise ValueError(f"{len(self.documents)} documents; use .documents")
        return self.documents[0]


class Pipeline:
    """Filters in SPEC order. `run` pushes documents through all of them."""

    def __init__(self, filters: Sequence[Filter]) -> None:
        self.filters: tuple[Filter, ...] = tuple(filters)

    @classmethod
    def from_config(cls, config: RunConfig | str | Path | None = None) -> Pipeline:
        """Build the pipeline a `RunConfig` (or a TOML config file) asks for."""
        if config is None:
            config = build_config({})
        elif not isinstance(config, RunConfig):
            config = load_config({}, config_path=str(config))
        return cls([FILTERS_BY_NAME[name](config.options_for(name))
                    for name in config.enabled_filters()])

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.filters]

    def filter(self, name: str) -> Filter | None:
        """The filter instance called `name`, if it runs."""
        return next((f for f in self.filters if f.name == name), None)

    def run(self, docs: Iterable[Document], start: int = 0, stop: int | None = None
            ) -> tuple[list[Document], list[Document]]:
        """Run filters[start:stop] over `docs`; return (kept, dropped) documents.

        Dropped documents keep their change records for the report.
        """
        kept = list(docs)
        dropped: list[Document] = []
        for flt in self.filters[start:stop]:
            nxt: list[Document] = []
            for doc in kept:
                out = flt.apply(doc)
                if not out and not doc.dropped:
                    raise InternalError(f"filter {flt.name} dropped a document without a record")
                if doc.dropped:
                    dropped.append(doc)
                nxt.extend(d for d in out if not d.dropped)
            kept = nxt
        return kept, dropped


def output_text(doc: Document) -> str:
    """The text a document is written as: lines, ``\\n``, one final newline."""
    return "\n".join(doc.lines) + "\n"


def clean_text(text: str | bytes, config: RunConfig | None = None) -> CleanResult:
    """Run the default pipeline (or `config`'s) over one text.

    Corpus-level steps see this one document only.
    """
    pipeline = Pipeline.from_config(config)
    doc = Document(source="<text>", raw=text) if isinstance(text, bytes) else Document.from_text(text)
    kept, dropped = pipeline.run([doc])
    changes = [c for d in (*kept, *dropped) for c in d.changes]
    return CleanResult([output_text(d) for d in kept], changes, dropped)
