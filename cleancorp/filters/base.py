"""The filter interface: one narrow `apply` method over a `Document`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from cleancorp.document import Document


@dataclass(frozen=True)
class FilterOptions:
    """Options of a filter that has none. Subclasses add frozen fields with defaults;
    each field is a key of the filter's config table (``[tool.cleancorp.<name>]``)."""


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

    def __getstate__(self) -> dict:
        # Lazily built helpers (names starting with "_") are rebuilt in the worker.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"
