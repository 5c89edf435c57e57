"""The filter interface: one narrow `apply` method over a `Document`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from cleancorp.document import Document


@dataclass(frozen=True)
class FilterOptions:
    """Options of a filter that has none. Subclasses add frozen fields with defaults;
    each field is a key of the filter's config table (``[tool.cleancorp.<name>]``)."""


class CorpusState(Protocol):
    """The corpus-level memory of a filter with a corpus step (e.g. the dedup index).

    The runner drives it in the stable order of SPEC section 2: for each input,
    `corpus_apply` for its documents, then (after the input's outputs are in
    place) `commit` with the output name of each kept document, and `close`
    at the end of the run.
    """

    def commit(self, docs: list[Document], names: list[str | None]) -> None: ...
    def output_name(self, uid: str) -> str | None: ...
    def close(self) -> None: ...


class Filter(ABC):
    """A step of the pipeline.

    A filter does no I/O and holds no global state; expensive helpers (the
    OpenCC converter, compiled rule tables) are built lazily per instance and
    dropped when pickled, so filters travel to worker processes.
    """

    #: the one name used by --only/--skip, the config table and the report
    name: ClassVar[str]
    #: one line for `cleancorp filters`
    summary: ClassVar[str] = ""
    enabled_by_default: ClassVar[bool] = True
    Options: ClassVar[type[FilterOptions]] = FilterOptions

    def __init__(self, options: FilterOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def apply(self, doc: Document) -> list[Document]:
        """Return the documents that continue: ``[doc]`` usually, several after a
        split, ``[]`` only after ``doc.drop(...)`` recorded why."""

    #: True for a filter with a corpus-level step (`corpus_apply`). Its `apply` runs
    #: in the workers; `corpus_apply` runs in the parent process, one document at
    #: a time in stable order, and so do all filters after it.
    has_corpus_step: ClassVar[bool] = False

    def open_corpus(self, *, index_path: str | None, check: bool) -> CorpusState:
        """Create the corpus-level state for one run (only with `has_corpus_step`)."""
        raise NotImplementedError(f"{self.name} has no corpus step")

    def corpus_apply(self, doc: Document, state: Any) -> list[Document]:
        """The corpus-level step for one document, in stable order (parent process)."""
        raise NotImplementedError(f"{self.name} has no corpus step")

    def __getstate__(self) -> dict:
        # Lazily built helpers (names starting with "_") are rebuilt in the worker.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"
