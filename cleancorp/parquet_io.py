"""Parquet and Arrow inputs and outputs: rows read by row group, written back alike.

A table input (a Parquet file, or an Arrow IPC file of a Hugging Face
``save_to_disk`` folder) is a sequence of records with a text column, like a JSON
Lines input: only that column is cleaned, every other column is taken over as it
was (Arrow ``take``, never through Python objects). The parent reads it as a
stream of row slices (`read_slices`), workers clean the texts, and `TableWriter`
writes the kept rows to the staged output, one output row group per input row
group (cut when it grows past `ROW_GROUP_BYTES`), with the input's schema and
compression codecs. A document that `split` cuts into articles becomes several
rows, numbered in the `article` column.

pyarrow is an optional extra (``cleancorp[parquet]``; Ray brings it too): nothing
here imports it at module level, so text and JSON Lines runs never need it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleancorp.errors import InputError, UsageError

#: The column numbering the rows a split document became: 0 for a row that was not
#: split, 1..N for the articles of one input row, in order.
ARTICLE = "article"
#: A batch of rows sent to a worker holds at most this many rows and about this many
#: bytes of text (as JSON Lines batches: far more work than its trip to a worker,
#: small enough that the batches in flight stay a few MB).
BATCH_ROWS = 512
BATCH_BYTES = 1 << 20
#: An output row group is the kept rows of one input row group, cut when its Arrow
#: data passes this size: the parent buffers one output row group per input.
ROW_GROUP_BYTES = 64 << 20
#: Rows read from a Parquet row group at a time (then cut to batches by bytes).
READ_ROWS = 4096
#: Codec of the Parquet files cleancorp makes from other inputs (text files with
#: `--format parquet`, Arrow files): zstd packs Chinese text well, and fast.
DEFAULT_CODEC = "zstd"
INSTALL_HINT = "pip install 'cleancorp[parquet]'"
#: Codec names of Parquet metadata that pyarrow's writer spells differently; LZO has
#: no writer, so such columns are written with the default codec.
_WRITABLE_CODECS = {"UNCOMPRESSED": "none", "LZ4_RAW": "lz4", "LZO": DEFAULT_CODEC}


def import_pyarrow(what: str) -> Any:
    """pyarrow, or a usage error (exit 2, before anything is written) naming the extra."""
    try:
        import pyarrow
        import pyarrow.ipc
        import pyarrow.parquet
    except ImportError:
        raise UsageError(f"{what} needs pyarrow: {INSTALL_HINT}") from None
    return pyarrow


def is_text_type(pa: Any, type_: Any) -> bool:
    """Whether an Arrow type holds strings (plain, large or view)."""
    return (pa.types.is_string(type_) or pa.types.is_large_string(type_)
            or getattr(pa.types, "is_string_view", lambda _t: False)(type_))


class Rows:
    """A slice of a table input's rows, as it travels to a worker and back.

    Pickled as an Arrow IPC stream: pickling a sliced record batch directly
    serialises the whole buffers it points into (a 10-row slice of a 30 MB row
    group pickled to 30 MB), the IPC writer only the slice.
    """

    __slots__ = ("batch",)

    def __init__(self, batch: Any) -> None:
        self.batch = batch

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _rows_from_ipc, (to_ipc(self.batch),)

    @property
    def num_rows(self) -> int:
        return int(self.batch.num_rows)

    def texts(self, text_field: str) -> list[Any]:
        """The text column as Python values (None for a null)."""
        return self.batch.column(text_field).to_pylist()


def to_ipc(batch: Any) -> bytes:
    """A record batch as Arrow IPC stream bytes."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def _rows_from_ipc(data: bytes) -> Rows:
    import pyarrow as pa

    return Rows(pa.ipc.open_stream(data).read_next_batch())


@dataclass(frozen=True)
class TableLayout:
    """How the output of a table input is written: its Arrow schema (the input's, plus
    `article` when `split` runs), the codec of each column and the Parquet version."""

    schema: Any
    text_field: str
    article: bool  # the output has an `article` column that cleancorp fills
    codecs: dict[str, str] | str = DEFAULT_CODEC
    version: str = "2.6"


@dataclass
class TableSlice:
    """A slice of rows starting at record `first` (1-based); `group_end` marks the last
    slice of an input row group (its output row group is written after it)."""

    first: int
    rows: Rows
    text_bytes: int = 0  # UTF-8 bytes of the slice's texts
    group_end: bool = False


@dataclass
class TableInput:
    """An open table input: its layout, number of rows and row groups."""

    path: Path
    kind: str
    layout: TableLayout
    num_rows: int
    group_rows: list[int] = field(default_factory=list)  # rows per row group (Parquet)


def _arrow_error(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def open_table(path: Path, kind: str, text_field: str, split: bool) -> TableInput:
    """Open a table input and check its text column; `InputError` if it cannot be used."""
    pa = import_pyarrow(f"reading {path.name}")
    try:
        if kind == "parquet":
            meta = pa.parquet.ParquetFile(path).metadata
            schema = meta.schema.to_arrow_schema()
            groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
            num_rows = meta.num_rows
            codecs: dict[str, str] | str = DEFAULT_CODEC
            if meta.num_row_groups:
                first = meta.row_group(0)
                codecs = {first.column(i).path_in_schema: first.column(i).compression
                          for i in range(first.num_columns)}
            version = meta.format_version
        else:
            with _open_ipc(pa, path) as reader:
                schema = reader.schema
            groups, num_rows, codecs, version = [], -1, DEFAULT_CODEC, "2.6"
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or _arrow_error(exc)}; skipped") from None
    except (pa.ArrowException, ValueError) as exc:
        what = "a Parquet file" if kind == "parquet" else "an Arrow file"
        raise InputError(f"not {what} ({_arrow_error(exc)}); skipped") from None
    if text_field not in schema.names:
        raise InputError(f"no column {text_field!r} (columns: {', '.join(schema.names)}); "
                         "--text-field names the text column; skipped")
    if not is_text_type(pa, schema.field(text_field).type):
        raise InputError(f"column {text_field!r} is {schema.field(text_field).type}, not "
                         "strings; skipped")
    article = False
    if split:
        if ARTICLE in schema.names:
            if not pa.types.is_integer(schema.field(ARTICLE).type):
                raise InputError(f"has a column {ARTICLE!r} of type "
                                 f"{schema.field(ARTICLE).type}; cleancorp numbers split "
                                 "documents in it (--no-split leaves the schema alone); skipped")
        else:
            schema = _with_article(pa, schema)
        article = True
    if num_rows == 0:
        raise InputError("empty file (no rows); skipped")
    layout = TableLayout(schema, text_field, article, codecs, version)
    return TableInput(path, kind, layout, num_rows, groups)


def _with_article(pa: Any, schema: Any) -> Any:
    """The schema with an int32 `article` column; a Hugging Face features record in
    the schema metadata learns it too (so `datasets` reads the column's type)."""
    schema = schema.append(pa.field(ARTICLE, pa.int32(), nullable=False))
    meta = dict(schema.metadata or {})
    if b"huggingface" in meta:
        try:
            info = json.loads(meta[b"huggingface"])
            info["info"]["features"][ARTICLE] = {"dtype": "int32", "_type": "Value"}
            meta[b"huggingface"] = json.dumps(info).encode()
        except (ValueError, KeyError, TypeError):
            del meta[b"huggingface"]  # unreadable: `datasets` infers from the Arrow types
    return schema.with_metadata(meta)


class _open_ipc:  # a context manager used like a function
    """An Arrow IPC reader over a file: the stream format (what `save_to_disk`
    writes), else the file format (Feather v2)."""

    def __init__(self, pa: Any, path: Path) -> None:
        self.pa, self.path = pa, path
        self.source: Any = None

    def __enter__(self) -> Any:
        pa = self.pa
        self.source = pa.OSFile(str(self.path))
        try:
            return pa.ipc.open_stream(self.source)
        except pa.ArrowInvalid:
            self.source.close()
            self.source = pa.memory_map(str(self.path))
            return pa.ipc.open_file(self.source)

    def __exit__(self, *exc: object) -> None:
        self.source.close()


def _ipc_batches(pa: Any, path: Path) -> Iterator[Any]:
    with _open_ipc(pa, path) as reader:
        if isinstance(reader, pa.ipc.RecordBatchFileReader):
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)
        else:
            yield from reader


def read_slices(table: TableInput) -> Iterator[TableSlice]:
    """The rows of a table input in order, as slices of at most `BATCH_ROWS` rows and
    about `BATCH_BYTES` of text; the last slice of each input row group says so.
    One Parquet row group is read at a time (never the whole file)."""
    import pyarrow as pa

    text_field = table.layout.text_field
    first = 1
    try:
        if table.kind == "parquet":
            pf = pa.parquet.ParquetFile(table.path, buffer_size=1 << 20)
            groups: Iterator[Iterator[Any]] = (
                pf.iter_batches(batch_size=READ_ROWS, row_groups=[g], use_threads=False)
                for g in range(len(table.group_rows)))
        else:
            # An Arrow file is one row group: its output groups are cut by size only.
            groups = iter([_ipc_batches(pa, table.path)])
        for group in groups:
            for piece in group_slices(group, first, text_field):
                first = piece.first + piece.rows.num_rows
                yield piece
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or _arrow_error(exc)}; skipped") from None
    except (pa.ArrowException, ValueError) as exc:
        raise InputError(f"unreadable at row {first} ({_arrow_error(exc)}); skipped") from None


def group_slices(batches: Iterator[Any], first: int, text_field: str) -> Iterator[TableSlice]:
    """The slices of one input row group (record batches of at most `READ_ROWS` rows,
    its first row numbered `first`); the last slice is marked `group_end`. Both
    engines cut a row group here, so their batches are the same."""
    import pyarrow.compute as pc

    pending: TableSlice | None = None
    for batch in batches:
        sizes = pc.binary_length(batch.column(text_field)).fill_null(0).to_pylist()
        start = 0
        while start < batch.num_rows:
            stop, size = start, 0
            while stop < batch.num_rows and stop - start < BATCH_ROWS and (
                    size < BATCH_BYTES or stop == start):
                size += sizes[stop]
                stop += 1
            if pending is not None:
                yield pending
            pending = TableSlice(first, Rows(batch.slice(start, stop - start)),
                                 sum(sizes[start:stop]))
            first += stop - start
            start = stop
    if pending is not None:
        pending.group_end = True
        yield pending


def file_digest(path: Path) -> tuple[int, str]:
    """Size and content hash of a file, read in 1 MB chunks (the manifest's hash)."""
    hasher = hashlib.blake2b(digest_size=16)
    size = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                hasher.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}; skipped") from None
    return size, "blake2b:" + hasher.hexdigest()


# -- building output rows ---------------------------------------------------------------


def output_rows(layout: TableLayout, rows: Rows, first: int,
                texts_by_record: dict[int, list[str]], passed: set[int]) -> tuple[Any, int]:
    """The output rows of a slice: a passed-through row as it was, each kept document
    of a row as that row with its text cleaned (several rows for a split document,
    numbered in `article`), dropped rows absent. Returns a record batch in the
    output schema (None when no row is left) and the UTF-8 bytes of its texts."""
    import pyarrow as pa

    batch = rows.batch
    take: list[int] = []
    texts: list[Any] = []
    articles: list[int | None] = []
    originals = batch.column(layout.text_field)
    old_article = batch.column(ARTICLE).to_pylist() if (
        layout.article and ARTICLE in batch.schema.names) else None
    for i in range(batch.num_rows):
        n = first + i
        if n in passed:
            take.append(i)
            texts.append(originals[i].as_py())
            articles.append(old_article[i] if old_article is not None else 0)
            continue
        parts = texts_by_record.get(n, [])
        for k, text in enumerate(parts, 1):
            take.append(i)
            texts.append(text)
            if len(parts) > 1:
                articles.append(k)
            else:
                articles.append(old_article[i] if old_article is not None else 0)
    if not take:
        return None, 0
    out = batch.take(pa.array(take, pa.int64()))
    schema = layout.schema
    columns = []
    for f in schema:
        if f.name == layout.text_field:
            columns.append(pa.array(texts, f.type))
        elif f.name == ARTICLE and layout.article:
            columns.append(pa.array(articles, f.type))
        else:
            columns.append(out.column(f.name))
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts if isinstance(t, str))
    return pa.RecordBatch.from_arrays(columns, schema=schema), size


def documents_table(rows: Sequence[dict[str, str]]) -> bytes:
    """A Parquet file of `{id, source, text}` rows (text inputs with `--format parquet`)."""
    pa = import_pyarrow("--format parquet")
    table = pa.table({key: pa.array([r[key] for r in rows], pa.string())
                      for key in ("id", "source", "text")})
    sink = pa.BufferOutputStream()
    pa.parquet.write_table(table, sink, compression=DEFAULT_CODEC)
    return sink.getvalue().to_pybytes()


class TableWriter:
    """Writes the output rows of one table input to a staged file as Parquet: rows are
    buffered until their input row group ends (or they pass `ROW_GROUP_BYTES`), then
    written as one row group. The Parquet writer is opened with the first rows."""

    def __init__(self, sink: IO[bytes], layout: TableLayout) -> None:
        self.sink = sink
        self.layout = layout
        self._writer: Any = None
        self._buffer: list[Any] = []
        self._buffered = 0
        self.rows = 0

    def add(self, batch: Any, group_end: bool) -> None:
        """Rows of the current output row group (`batch` may be None: no rows)."""
        if batch is not None and batch.num_rows:
            self._buffer.append(batch)
            self._buffered += batch.nbytes
            self.rows += batch.num_rows
        if group_end or self._buffered >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        import pyarrow as pa

        table = pa.Table.from_batches(self._buffer, schema=self.layout.schema)
        self._buffer, self._buffered = [], 0
        if self._writer is None:
            self._writer = pa.parquet.ParquetWriter(
                self.sink, self.layout.schema, compression=self._codecs(),
                version=self.layout.version)
        self._writer.write_table(table, row_group_size=max(1, table.num_rows))

    def _codecs(self) -> dict[str, str] | str:
        """The input's codec per column; a column cleancorp adds gets the text's."""
        codecs = self.layout.codecs
        if isinstance(codecs, str):
            return codecs
        known = {path.split(".")[0]: codec for path, codec in codecs.items()}
        out = dict(codecs)
        if self.layout.article and ARTICLE not in known:
            out[ARTICLE] = known.get(self.layout.text_field, DEFAULT_CODEC)
        return {path: _WRITABLE_CODECS.get(codec, codec.lower()) for path, codec in out.items()}

    @property
    def started(self) -> bool:
        """Whether any row was written (an input whose rows are all dropped has no file)."""
        return self.rows > 0

    def abort(self) -> None:
        """Stop writing (the staged file is discarded): close the Parquet writer now,
        as it would otherwise write its footer into a closed file when collected."""
        self._buffer = []
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None

    def close(self) -> None:
        """Write the last row group and the footer."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def read_table(path: Path) -> Any:
    """A whole Parquet output as an Arrow table (tests, the Python API)."""
    pa = import_pyarrow(f"reading {path.name}")
    return pa.parquet.read_table(path)


def dataset_data_files(folder: Path) -> list[str] | None:
    """The Arrow data files of a Hugging Face ``save_to_disk`` folder, in order (from its
    ``state.json``), or None when `folder` is not one. Cache files (``cache-*.arrow``)
    left by `Dataset.map` are not data files and are not listed."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = state.get("_data_files") if isinstance(state, dict) else None
    if not isinstance(files, list):
        return None
    names = [f.get("filename") for f in files if isinstance(f, dict)]
    return [n for n in names if isinstance(n, str) and n.endswith(".arrow")]


__all__ = [
    "ARTICLE", "Rows", "TableInput", "TableLayout", "TableSlice", "TableWriter",
    "dataset_data_files", "documents_table", "file_digest", "import_pyarrow", "open_table",
    "group_slices", "output_rows", "read_slices", "read_table",
]
