"""Clean batches of records in Python: a map function for Hugging Face ``datasets``.

A batch is a dict of columns (``{"text": [...], "id": [...]}``), as
``Dataset.map(..., batched=True)`` passes it. Each row's text goes through the same
pipeline as ``cleancorp clean``; the batch that comes back has every column, and a row
per kept document: a dropped document's row is absent, a split document becomes one
row per article (numbered in ``article``, as in Parquet outputs), and
``cleancorp_changes`` counts the changes of each row. Rows are cleaned one by one,
as ``cleancorp clean --no-corpus`` does: cross-document dedup and template lines need
the whole corpus, so for those save the dataset (``save_to_disk`` or
``to_parquet``) and run ``cleancorp clean`` on it.

>>> cleaner = BatchCleaner()
>>> out = cleaner({"id": [1, 2, 3], "text": ["春天来了,河边的柳树发出了新芽,孩子们在草地上放风筝。",
...                                        "太短", None]})
>>> out["id"], out["text"][0]
([1, 3], '春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。')
>>> out["article"], out["cleancorp_changes"]
([0, 0], [1, 0])
>>> [(r["type"], r["record"], r.get("rule") or r.get("error")) for r in cleaner.records]
[('change', 1, 'cjk-ascii'), ('change', 2, 'too-short'), ('error', 3, "field 'text' is null; passed through")]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cleancorp.config import RunConfig
from cleancorp.document import Document
from cleancorp.errors import InputError
from cleancorp.parquet_io import ARTICLE
from cleancorp.pipeline import Pipeline

#: The column counting each output row's change records.
CHANGES = "cleancorp_changes"


class BatchCleaner:
    """A `Dataset.map(batched=True)` function that cleans one text column and keeps
    the report's records (`records`: SPEC section 3 change and error records, with
    `record` the 1-based row number).

    Build it once: the pipeline (OpenCC, rule tables) is built with it. Row numbers
    are the dataset's with ``with_indices=True``; otherwise rows are counted in the
    order batches arrive. `records` fills in this process only (with ``num_proc=1``;
    each worker process of ``num_proc > 1`` has its own copy).
    """

    def __init__(self, config: RunConfig | str | Path | None = None, *, text_field: str = "text",
                 source: str = "<dataset>") -> None:
        self.pipeline = Pipeline.from_config(config)
        self.text_field = text_field
        self.source = source
        self.records: list[dict[str, Any]] = []
        self._rows_seen = 0

    def __call__(self, batch: Mapping[str, Sequence[Any]],
                 indices: Sequence[int] | None = None) -> dict[str, list[Any]]:
        if self.text_field not in batch:
            raise KeyError(f"no column {self.text_field!r} (columns: {', '.join(batch)}); "
                           "text_field names the text column")
        texts = list(batch[self.text_field])
        numbers = ([i + 1 for i in indices] if indices is not None else
                   range(self._rows_seen + 1, self._rows_seen + len(texts) + 1))
        self._rows_seen += len(texts)
        names = [k for k in batch if k not in (ARTICLE, CHANGES)]
        out: dict[str, list[Any]] = {k: [] for k in (*names, ARTICLE, CHANGES)}
        old_articles = batch.get(ARTICLE)

        def emit(i: int, text: Any, article: int | None, changes: int) -> None:
            for k in names:
                out[k].append(text if k == self.text_field else batch[k][i])
            out[ARTICLE].append(article if article is not None else (
                old_articles[i] if old_articles is not None else 0))
            out[CHANGES].append(changes)

        for i, (n, text) in enumerate(zip(numbers, texts, strict=True)):
            if not isinstance(text, str):
                self._error(n, f"field {self.text_field!r} is null; passed through")
                emit(i, text, None, 0)
                continue
            doc = Document.from_text(text.replace("\r\n", "\n").replace("\r", "\n"),
                                     source=self.source, record_no=n)
            doc.meta["encoding"] = "utf-8"
            try:
                kept, dropped = self.pipeline.run([doc])
            except InputError as exc:
                self._error(n, f"{exc}; passed through")
                emit(i, text, None, 0)
                continue
            for d in (*kept, *dropped):
                self.records.extend({"type": "change", "input": self.source, "record": n,
                                     **c.to_record()} for c in d.changes)
            for k, d in enumerate(kept, 1):
                emit(i, "\n".join(d.lines), k if len(kept) > 1 else None, len(d.changes))
        return out

    def _error(self, record: int, message: str) -> None:
        self.records.append({"type": "error", "input": self.source, "record": record,
                             "error": message})


def clean_batch(batch: Mapping[str, Sequence[Any]], text_field: str = "text",
                config: RunConfig | str | Path | None = None) -> dict[str, list[Any]]:
    """Clean one batch (``ds.map(cleancorp.clean_batch, batched=True)``): what a new
    `BatchCleaner` returns. It builds the pipeline on every call; to clean a large
    dataset, or to keep the report's records, build a `BatchCleaner` once instead.

    >>> clean_batch({"text": ["正文\\u200b内容。这项研究历时三年，覆盖了全国二十个省份的农村学校。"]})["text"]
    ['正文内容。这项研究历时三年，覆盖了全国二十个省份的农村学校。']
    """
    return BatchCleaner(config, text_field=text_field)(batch)


__all__ = ["CHANGES", "BatchCleaner", "clean_batch"]
