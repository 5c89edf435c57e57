"""Run a corpus: inputs -> worker processes -> ordered results -> writes + report.

Workers read and clean inputs in parallel; the parent takes their results in
the stable input order (sorted paths), runs the corpus-level stage, names and
writes the outputs and feeds the report. That is what makes outputs and
report byte-identical whatever `--jobs` is. Nothing here prints: progress
and errors go to an `Observer` (see `render.py`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import numpy as np

from cleancorp import __version__
from cleancorp.config import RunConfig, default_jobs
from cleancorp.document import Document
from cleancorp.errors import InputError, UsageError
from cleancorp.files import (
    STREAMED_KINDS,
    TABLE_KINDS,
    InputItem,
    OutputTree,
    StagedFile,
    check_outputs,
    compress,
    digest,
    discover,
    open_input,
    part_names,
    read_bytes,
)
from cleancorp.pipeline import Pipeline, output_text
from cleancorp.report import (
    REMOVAL_ACTIONS,
    FileOutcome,
    RecordedChange,
    Report,
    change_prefix,
    record_changes,
)

#: Inputs handed to workers ahead of the one being written: enough to keep every
#: worker busy while the parent writes, few enough that memory stays bounded
#: by a handful of documents per worker.
IN_FLIGHT_PER_WORKER = 4
#: A "line" longer than this is not line-oriented text (a dump, a minified blob):
#: the input is refused rather than fed to line-based rules. 4 M characters is
#: over 1,000 times the longest paragraph of the seeds.
MAX_LINE_CHARS = 4 * 1024 * 1024
#: Test hook (never set by users): pause for good after this many inputs are
#: finished, so a test can interrupt a run at a known point.
PAUSE_ENV = "CLEANCORP_TEST_PAUSE_AFTER"
#: JSON Lines inputs go to workers in batches of about this size (bytes, records):
#: big enough that a batch costs far more than its trip to a worker, small enough
#: that `IN_FLIGHT_PER_WORKER` batches per worker stay a few MB.
JSONL_BATCH_BYTES = 1 << 20
JSONL_BATCH_RECORDS = 512
#: Cap of the template-line counts (16 bytes each: 64 MB).
MAX_TEMPLATE_KEYS = 4_000_000


class Observer(Protocol):
    """Receives progress; `render.py` implements it with rich."""

    def start(self, items: int, total_bytes: int) -> None: ...
    def advance(self, item: InputItem, bytes_in: int) -> None: ...
    def error(self, name: str, message: str) -> None: ...
    def note(self, message: str) -> None: ...
    def finish(self) -> None: ...


class SilentObserver:
    """An observer that shows nothing (the Python API, tests)."""

    def start(self, items: int, total_bytes: int) -> None: ...
    def advance(self, item: InputItem, bytes_in: int) -> None: ...
    def error(self, name: str, message: str) -> None: ...
    def note(self, message: str) -> None: ...
    def finish(self) -> None: ...


@dataclass
class JsonlLine:
    """One line of a JSON Lines input: passed through as is, or a cleaned record."""

    raw: bytes
    record_no: int
    obj: dict[str, Any] | None = None  # None: passed through as is


@dataclass
class Batch:
    """A slice of a JSON Lines or table input: lines (or rows) starting at record
    `first`. The parent reads these inputs as a stream and sends them to workers in
    batches, so a 1 GB file never sits in memory whole. The last batch of an input
    is `final`."""

    first: int
    lines: list[bytes]
    final: bool = False
    error: str | None = None  # reading stopped here (the input fails)
    total_bytes: int = 0  # with `final`: the input's size (a table's: its text bytes)
    digest: str = ""  # with `final`: the input's hash
    rows: Any = None  # a table input's rows (`parquet_io.Rows`) instead of `lines`
    layout: Any = None  # with `rows`: how the output is written (`parquet_io.TableLayout`)
    group_end: bool = False  # with `rows`: the last rows of an output row group
    text_bytes: int = 0  # with `rows`: the UTF-8 bytes of this batch's texts


@dataclass
class UnitResult:
    """What a worker returns for one input (picklable)."""

    item: InputItem
    docs: list[Document] = field(default_factory=list)
    dropped: list[Document] = field(default_factory=list)
    error: str | None = None
    bytes_in: int = 0
    digest: str = ""
    skipped: bool = False
    jsonl: list[JsonlLine] | None = None
    record_errors: list[tuple[int, str]] = field(default_factory=list)
    batch: Batch | None = None


# -- the worker side ------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(pipeline: Pipeline, text_field: str, record_level: str | None,
                 parent: int | None = None) -> None:
    # Per-process state of a worker (not of a filter): the pipeline is pickled
    # once per worker instead of once per input.
    _WORKER.clear()
    _WORKER.update(pipeline=pipeline, text_field=text_field, record_level=record_level)
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL, OOM) would otherwise wait for work
    forever: it leaves as soon as it is orphaned."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _keys_work(item: InputItem, data: bytes | None, batch: Batch | None, stop: int
               ) -> list[tuple[bytes, set[int]]]:
    return template_keys(item, _WORKER["pipeline"], stop, _WORKER["text_field"], data=data,
                         batch=batch)


def template_keys(item: InputItem, pipeline: Pipeline, stop: int, text_field: str, *,
                  data: bytes | None = None, batch: Batch | None = None
                  ) -> list[tuple[bytes, set[int]]]:
    """The corpus pre-pass for one input: for each of its documents, a hash of its
    text and the template keys of its decoded lines (run filters[:stop], i.e. only
    `decode`). Inputs that fail here fail again, with their error, in the main pass."""
    boiler = pipeline.filter("boilerplate")
    assert boiler is not None
    result = (process_batch(item, batch, pipeline, stop, text_field) if batch is not None
              else process_item(item, pipeline, stop, data=data))
    return [(hashlib.blake2b(doc.text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
             boiler.document_template_keys(doc))  # type: ignore[attr-defined]
            for doc in result.docs]


def _work(item: InputItem, data: bytes | None, batch: Batch | None, expected: str | None,
          stop: int, templates: str | None) -> UnitResult:
    pipeline = _WORKER["pipeline"]
    if templates is not None and _WORKER.get("templates") != templates:
        # The template lines the parent counted after this worker started: loaded
        # once per worker from the file the parent wrote.
        with open(templates, "rb") as fh:
            pipeline.filter("boilerplate").template_counts = pickle.load(fh)
        _WORKER["templates"] = templates
    if batch is not None:
        result = process_batch(item, batch, pipeline, stop, _WORKER["text_field"])
    else:
        result = process_item(item, pipeline, stop, data=data, expected=expected)
    record_result(result, _WORKER["record_level"])
    return result


def record_result(result: UnitResult, level: str | None) -> None:
    """Serialise a result's change records where it was made (see `RecordedChange`)."""
    for doc in (*result.docs, *result.dropped):
        doc.changes = record_changes(doc.changes, level)


def process_item(item: InputItem, pipeline: Pipeline, stop: int, *,
                 data: bytes | None = None, expected: str | None = None) -> UnitResult:
    """Read and clean one text input through filters[:stop]; never raises for bad
    input. (JSON Lines inputs are streamed in batches: `process_batch`.)"""
    result = UnitResult(item)
    try:
        if item.error is not None:
            raise InputError(item.error)
        raw = data if data is not None else read_bytes(item)
        result.bytes_in = len(raw)
        result.digest = digest(raw)
        if expected is not None and expected == result.digest:
            result.skipped = True
            return result
        if not raw:
            raise InputError("empty file; skipped")
        doc = Document(source=item.display, raw=raw)
        kept, dropped = pipeline.run([doc], 0, 1)  # decode
        if kept and not kept[0].text.strip():
            raise InputError("no text (only whitespace); skipped")
        longest = max((len(line) for line in kept[0].lines), default=0) if kept else 0
        if longest > MAX_LINE_CHARS:
            raise InputError(f"a line of {longest:,} characters without a line break; "
                             "skipped (not line-oriented text)")
        result.docs, more = pipeline.run(kept, 1, stop)
        result.dropped = dropped + more
    except InputError as exc:
        result.error = str(exc)
        result.docs, result.dropped, result.jsonl = [], [], None
    except Exception as exc:  # noqa: BLE001
        # Never take the whole run down for one input; say it is our bug.
        result.error = f"internal error (please report): {type(exc).__name__}: {exc}"
        result.docs, result.dropped, result.jsonl = [], [], None
    return result


def process_batch(item: InputItem, batch: Batch, pipeline: Pipeline, stop: int,
                  text_field: str) -> UnitResult:
    """Clean one batch of a JSON Lines or table input through filters[:stop]."""
    result = UnitResult(item, batch=batch, jsonl=[])
    result.bytes_in = sum(len(line) + 1 for line in batch.lines)
    try:
        if batch.rows is not None:
            _process_table_rows(result, batch.rows.texts(text_field), batch.first, pipeline,
                                stop, text_field)
        else:
            _process_jsonl_lines(result, batch.lines, batch.first, pipeline, stop, text_field)
    except Exception as exc:  # noqa: BLE001
        result.error = f"internal error (please report): {type(exc).__name__}: {exc}"
        result.docs, result.dropped, result.jsonl = [], [], None
    return result


def _process_jsonl_lines(result: UnitResult, lines: list[bytes], first: int, pipeline: Pipeline,
                         stop: int, text_field: str) -> None:
    assert result.jsonl is not None
    for n, line in enumerate(lines, first):
        entry = JsonlLine(line, n)
        result.jsonl.append(entry)
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            result.record_errors.append((n, f"not JSON ({getattr(exc, 'msg', exc)}); passed through"))
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get(text_field), str):
            result.record_errors.append((n, f"no string field {text_field!r}; passed through"))
            continue
        entry.obj = obj
        text = obj[text_field].replace("\r\n", "\n").replace("\r", "\n")
        doc = Document.from_text(text, source=result.item.display, record_no=n)
        doc.meta["encoding"] = "utf-8"
        try:
            kept, dropped = pipeline.run([doc], 0, stop)
        except InputError as exc:
            entry.obj = None
            result.record_errors.append((n, f"{exc}; passed through"))
            continue
        result.docs.extend(kept)
        result.dropped.extend(dropped)


def _process_table_rows(result: UnitResult, texts: list[Any], first: int, pipeline: Pipeline,
                        stop: int, text_field: str) -> None:
    """The rows of a table input: a row whose text is null passes through, reported;
    the others are documents, as JSON Lines records are."""
    for n, text in enumerate(texts, first):
        if not isinstance(text, str):
            result.record_errors.append((n, f"field {text_field!r} is null; passed through"))
            continue
        result.bytes_in += len(text.encode("utf-8", "surrogatepass"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        doc = Document.from_text(text, source=result.item.display, record_no=n)
        doc.meta["encoding"] = "utf-8"
        try:
            kept, dropped = pipeline.run([doc], 0, stop)
        except InputError as exc:
            result.record_errors.append((n, f"{exc}; passed through"))
            continue
        result.docs.extend(kept)
        result.dropped.extend(dropped)


# -- the parent side --------------------------------------------------------------


class TemplateCounter:
    """Counts, per template key, the distinct documents it occurs in.

    Keys are kept in numpy arrays merged in chunks: 16 bytes per key against ~100
    in a dict, so the cap below (64 MB) holds four times the keys the dict's ~100 MB
    did. (The parent's memory on the --unique bench corpus was not these counts but
    the index: 90 -> 130 MiB from 1x to 10x, ~4 KB per document.) Exact copies of a page count once: ten copies of one article must not
    make its title a "template line" (dedup drops the copies later anyway). Memory
    is bounded by `MAX_TEMPLATE_KEYS`: beyond it, keys seen in one document only
    are forgotten, which can only make template removal more conservative.

    >>> counter = TemplateCounter()
    >>> counter.add(b"doc-a", {1, 2}); counter.add(b"doc-b", {2, 3}); counter.add(b"doc-a", {1, 2})
    >>> counter.at_least(2)
    {2: 2}
    """

    #: keys buffered before a merge
    CHUNK = 1 << 18

    def __init__(self) -> None:
        self.keys = np.zeros(0, np.uint64)
        self.counts = np.zeros(0, np.int64)
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._seen: set[bytes] = set()

    def add(self, text_hash: bytes, keys: set[int]) -> None:
        """The distinct keys of one document (ignored when its text was seen)."""
        if text_hash in self._seen:
            return
        self._seen.add(text_hash)
        if keys:
            self._buffer.append(np.fromiter(keys, np.uint64, len(keys)))
            self._buffered += len(keys)
            if self._buffered >= self.CHUNK:
                self._merge()

    def _merge(self) -> None:
        if not self._buffer:
            return
        new = np.concatenate(self._buffer)
        self._buffer, self._buffered = [], 0
        keys, inverse = np.unique(np.concatenate([self.keys, new]), return_inverse=True)
        weights = np.concatenate([self.counts, np.ones(len(new), np.int64)])
        self.keys, self.counts = keys, np.bincount(inverse, weights=weights).astype(np.int64)
        if len(self.keys) > MAX_TEMPLATE_KEYS:
            more = self.counts > 1
            self.keys, self.counts = self.keys[more], self.counts[more]

    def at_least(self, least: int) -> dict[int, int]:
        """The keys found in at least `least` documents, with their counts."""
        self._merge()
        frequent = self.counts >= least
        return dict(zip(self.keys[frequent].tolist(), self.counts[frequent].tolist(),
                        strict=True))


@dataclass
class RunPlan:
    """Everything a run needs, checked before anything is written."""

    config: RunConfig
    items: list[InputItem]
    output: Path | None
    to_stdout: bool


def plan_run(config: RunConfig, inputs: list[str], *, stdin_piped: bool) -> RunPlan:
    """Discover inputs and validate outputs; raises `UsageError` (exit 2)."""
    if not inputs:
        if not stdin_piped:
            raise UsageError("no INPUT given (and nothing piped on stdin)")
        inputs = ["-"]
    if "-" in inputs and len(inputs) > 1:
        raise UsageError("'-' (stdin) cannot be mixed with other inputs")
    items = discover(inputs, include=config.include, exclude=config.exclude,
                     input_format=config.input_format, output_format=config.format)
    to_stdout = inputs == ["-"]
    output = Path(config.output) if config.output else None
    if to_stdout:
        if output is not None:
            raise UsageError("-o cannot be used with stdin input: the output goes to stdout")
        if config.report == "-" and not config.check:
            raise UsageError("--report - would mix the report with the cleaned text on stdout")
    elif output is None and not config.check:
        raise UsageError("-o/--output is required for path inputs (or use --check)")
    if to_stdout and config.format == "parquet" and not config.check:
        raise UsageError("--format parquet writes files: give file inputs and -o DIR")
    table = next((it for it in items if it.kind in TABLE_KINDS), None)
    if table is not None or config.format == "parquet":
        from cleancorp.parquet_io import import_pyarrow

        import_pyarrow(f"reading {table.display}" if table else "--format parquet")
    if output is not None:
        check_outputs(items, output)
    return RunPlan(config, items, output, to_stdout)


def versions(pipeline: Pipeline) -> dict[str, str]:
    """The versions that decide the output, for the summary record."""
    import ftfy
    import opencc

    out = {"cleancorp": __version__, "opencc": getattr(opencc, "__version__", "unknown"),
           "ftfy": ftfy.__version__}
    boiler = pipeline.filter("boilerplate")
    if boiler is not None:
        out["rules"] = boiler.rules().digest  # type: ignore[attr-defined]
    return out


class Runner:
    """Drives one run of `cleancorp clean` over a `RunPlan`."""

    def __init__(self, plan: RunPlan, report: Report, observer: Observer | None = None,
                 stdout: IO[bytes] | None = None, stdin: IO[bytes] | None = None) -> None:
        self.plan = plan
        self.config = plan.config
        self.report = report
        self.observer = observer or SilentObserver()
        self.stdout = stdout
        self.stdin = stdin
        self.pipeline = Pipeline.from_config(self.config)
        filters = self.pipeline.filters
        # Workers run everything up to and including the `apply` of the first filter
        # with a corpus step; its `corpus_apply` and the filters after it run here,
        # one input at a time in stable order.
        self.corpus_index = next((i for i, f in enumerate(filters) if f.has_corpus_step),
                                 None) if self.config.corpus else None
        self.stop = len(filters) if self.corpus_index is None else self.corpus_index + 1
        self.corpus_state = None
        if self.corpus_index is not None:
            self.corpus_state = filters[self.corpus_index].open_corpus(
                index_path=self.config.dedup_index, check=self.config.check)
        self.tree = OutputTree(plan.output) if plan.output and not self.config.check else None
        self.config_digest = self.config.digest()
        self._stdout_docs = 0
        self._stdin_bytes: bytes | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._jobs = 1
        self._templates_file: str | None = None
        self._streams: dict[str, _Stream] = {}
        # The level of the change records workers serialise (None: none are written).
        self._record_level = (None if report.stream is None or self.config.report_level == "summary"
                              else self.config.report_level)

    def run(self) -> int:
        """Process every input; return the exit code."""
        if self.tree is not None:
            self.tree.prepare()
        sizes = 0
        for it in self.plan.items:
            try:
                sizes += it.path.stat().st_size if not it.is_stdin else 0
            except OSError:
                pass
        self.observer.start(len(self.plan.items), sizes)
        try:
            self._start_pool()
            self._count_templates()
            pause_after = int(os.environ.get(PAUSE_ENV, "0") or 0)
            done = 0
            for result in self._results():
                self._finish(result)
                if result.batch is None or result.batch.final:
                    done += 1
                    if done == pause_after:
                        _pause_for_test(done)
        finally:
            self._stop_pool()
            if self.tree is not None:
                self.tree.close()
            if self.corpus_state is not None:
                self.corpus_state.close()
            self.observer.finish()
        self.report.close(versions(self.pipeline))
        return self.report.exit_code

    # -- dispatch ----------------------------------------------------------------

    def _expected(self, item: InputItem) -> str | None:
        """The manifest's hash for an input that a resumed run may skip."""
        if self.tree is None or self.config.force:
            return None
        if item.kind in STREAMED_KINDS:
            return None  # streamed: hashed only as it is read, so it is redone
        if self.corpus_index is not None and self.config.format != "txt":
            return None  # only plain-text outputs can be read back into the corpus state
        entry = self.tree.previous.get(item.display)
        if not entry or entry.get("config") != self.config_digest:
            return None
        if not all((self.tree.root / o).is_file() for o in entry.get("outputs", [])):
            return None
        return entry.get("hash")

    def _count_templates(self) -> None:
        """The corpus pre-pass of `boilerplate`: in how many documents each short
        line occurs (`TemplateCounter`)."""
        boiler_at = next((i for i, f in enumerate(self.pipeline.filters)
                          if f.name == "boilerplate"), None)
        if not self.config.corpus or boiler_at is None:
            return
        boiler = self.pipeline.filters[boiler_at]
        counter = TemplateCounter()
        # Template keys are taken on decoded lines: the pre-pass runs `decode` only.
        for docs in self._map(_keys_work, lambda it, data, batch: (it, data, batch, 1)):
            for text_hash, keys in docs:
                counter.add(text_hash, keys)
        # Only lines frequent enough to be removed matter from here on.
        templates = counter.at_least(boiler.options.template_min_docs)  # type: ignore[attr-defined]
        boiler.template_counts = templates  # type: ignore[attr-defined]
        if self._pool is not None:
            fd, path = tempfile.mkstemp(prefix="cleancorp-templates-", suffix=".pickle")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(templates, fh)
            self._templates_file = path

    def _stdin_data(self, item: InputItem) -> bytes | None:
        """Standard input, read once (both passes over the corpus need it)."""
        if not item.is_stdin:
            return None
        if self._stdin_bytes is None:
            self._stdin_bytes = self.stdin.read() if self.stdin is not None else b""
        return self._stdin_bytes

    def _results(self) -> Iterator[UnitResult]:
        return self._map(_work, lambda it, data, batch: (
            it, data, batch, self._expected(it), self.stop, self._templates_file))

    def _units(self) -> Iterator[tuple[InputItem, bytes | None, Batch | None]]:
        """The work of a pass, in stable order: whole text inputs, and JSON Lines
        inputs read as a stream in batches."""
        for it in self.plan.items:
            if it.kind == "jsonl" and it.error is None:
                yield from self._jsonl_batches(it)
            elif it.kind in TABLE_KINDS and it.error is None:
                yield from self._table_batches(it)
            else:
                yield it, self._stdin_data(it), None

    def _jsonl_batches(self, item: InputItem) -> Iterator[tuple[InputItem, None, Batch]]:
        hasher = hashlib.blake2b(digest_size=16)
        total = 0
        first, lines, size = 1, [], 0
        try:
            with (contextlib.nullcontext(io.BytesIO(self._stdin_data(item) or b""))
                  if item.is_stdin else open_input(item)) as fh:
                for n, line in enumerate(fh, 1):
                    hasher.update(line)
                    total += len(line)
                    lines.append(line.rstrip(b"\n"))
                    size += len(line)
                    if size >= JSONL_BATCH_BYTES or len(lines) >= JSONL_BATCH_RECORDS:
                        yield item, None, Batch(first, lines)
                        first, lines, size = n + 1, [], 0
        except OSError as exc:
            error = f"cannot read: {exc.strerror or exc}; skipped"
            yield item, None, Batch(first, [], final=True, error=error, total_bytes=total)
            return
        except EOFError:
            error = f"truncated {item.compression} stream; skipped"
            yield item, None, Batch(first, [], final=True, error=error, total_bytes=total)
            return
        yield item, None, Batch(first, lines, final=True, total_bytes=total,
                                digest="blake2b:" + hasher.hexdigest())

    def _table_batches(self, item: InputItem) -> Iterator[tuple[InputItem, None, Batch]]:
        """A table input as batches of rows (one row group read at a time), each
        carrying how the output is written; the last one its size and hash."""
        from cleancorp import parquet_io

        split = self.pipeline.filter("split") is not None
        last: Batch | None = None
        total = 0
        try:
            table = parquet_io.open_table(item.path, item.kind, self.config.text_field, split)
            for piece in parquet_io.read_slices(table):
                if last is not None:
                    yield item, None, last
                total += piece.text_bytes
                last = Batch(piece.first, [], rows=piece.rows, layout=table.layout,
                             group_end=piece.group_end, text_bytes=piece.text_bytes)
            if last is None:
                raise InputError("empty file (no rows); skipped")
            _, file_hash = parquet_io.file_digest(item.path)
        except InputError as exc:
            if last is not None:
                yield item, None, last
            yield item, None, Batch(last.first if last else 1, [], final=True, error=str(exc),
                                    total_bytes=total)
            return
        last.final, last.total_bytes, last.digest = True, total, file_hash
        yield item, None, last

    def _map(self, func: Any, args: Any) -> Iterator[Any]:
        """`func(*args(unit))` for every unit of work, in stable order, on the worker
        pool (in this process with one job), with a bounded number in flight. Both
        passes over the corpus share one pool: starting workers costs a second each."""
        if self._pool is None:
            _init_worker(self.pipeline, self.config.text_field, self._record_level)
            for unit in self._units():
                yield func(*args(*unit))
            return
        window: deque[Future[Any]] = deque()
        limit = self._jobs * IN_FLIGHT_PER_WORKER
        try:
            for unit in self._units():
                window.append(self._pool.submit(func, *args(*unit)))
                if len(window) >= limit:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        except BaseException:
            for fut in window:
                fut.cancel()
            raise

    def _start_pool(self) -> None:
        # No more workers than units of work: an input is one unit, but a streamed
        # input (JSON Lines, a table) is many batches, so one keeps every worker busy.
        streamed = any(it.kind in STREAMED_KINDS and it.error is None for it in self.plan.items)
        self._jobs = default_jobs(self.config) if streamed else min(
            default_jobs(self.config), max(1, len(self.plan.items)))
        if self._jobs > 1:
            method = os.environ.get("CLEANCORP_MP_START", "spawn")
            self._pool = ProcessPoolExecutor(
                self._jobs, mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(self.pipeline, self.config.text_field, self._record_level,
                          os.getpid()))

    def _stop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _WORKER.clear()
        if self._templates_file is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._templates_file)
            self._templates_file = None

    # -- finishing one input -------------------------------------------------------

    def _corpus_stage(self, result: UnitResult) -> None:
        """The corpus step and the filters after it, in this process, in stable order."""
        if self.corpus_index is None:
            return
        corpus_filter = self.pipeline.filters[self.corpus_index]
        kept: list[Document] = []
        dropped: list[Document] = []
        for doc in result.docs:
            out = corpus_filter.corpus_apply(doc, self.corpus_state)
            if doc.dropped:
                result.dropped.append(doc)
                continue
            # The filters after the corpus step run document by document: one they
            # drop (too short once deduplicated) was never kept, so no later document
            # of the same batch may be found a copy of it (SPEC: "a kept earlier
            # document"; otherwise the result would depend on the batch size).
            survivors, gone = self.pipeline.run([d for d in out if not d.dropped], self.stop,
                                                None)
            if not any(d.uid == doc.uid for d in survivors):
                self.corpus_state.discard(doc.uid)
            kept.extend(survivors)
            dropped.extend(gone)
        result.docs, result.dropped = kept, result.dropped + dropped

    def _entry(self, outcome: FileOutcome, input_hash: str) -> dict[str, Any]:
        """The manifest line of a finished input (SPEC 1.1)."""
        return {"input": outcome.input, "size": outcome.bytes_in, "hash": input_hash,
                "config": self.config_digest, "outputs": outcome.outputs,
                "bytes_out": outcome.bytes_out}

    def _fail(self, item: InputItem, message: str, bytes_in: int) -> None:
        self.report.error(item.display, message, bytes_in=bytes_in)
        self.observer.error(item.display, message)
        self.observer.advance(item, bytes_in)

    def _finish(self, result: UnitResult) -> None:
        item = result.item
        if result.batch is not None:
            self._finish_batch(result)
            return
        if result.error is not None:
            self._fail(item, result.error, result.bytes_in)
            return
        if result.skipped:
            entry = self.tree.previous[item.display] if self.tree else {}
            if self.corpus_index is not None:
                self._register_done(item, list(entry.get("outputs", [])))
            outcome = FileOutcome(input=item.display, outputs=list(entry.get("outputs", [])),
                                  status="skipped", bytes_in=result.bytes_in,
                                  bytes_out=int(entry.get("bytes_out", 0)))
            self.report.file(outcome)
            self.observer.advance(item, result.bytes_in)
            return
        self._corpus_stage(result)
        files, names = self._render_outputs(result)
        outcome = self._outcome(result, files)
        if self.plan.to_stdout:
            if not self.config.check:
                self._write_stdout(result, files)
            if item.is_stdin and not result.docs and result.dropped:
                # A pipe that prints nothing must say why (SPEC 1: exit 0 all the same).
                self.observer.note(why_dropped(result.dropped[0], self.config))
        elif self.tree is not None:
            try:
                self.tree.write_input(item, files, self._entry(outcome, result.digest))
            except InputError as exc:
                self._fail(item, str(exc), result.bytes_in)
                return
        if self.corpus_state is not None:
            self.corpus_state.commit(result.docs, names)
        self._report_changes(result, names)
        self.report.file(outcome)
        self.observer.advance(item, result.bytes_in)

    def _finish_batch(self, result: UnitResult) -> None:
        """One batch of a streamed JSON Lines input: its records are cleaned, written
        to the input's staged output and reported now; the last batch puts the output
        in place and writes the `file` record."""
        item, batch = result.item, result.batch
        assert batch is not None
        state = self._streams.get(item.display)
        if state is None:
            outcome = FileOutcome(input=item.display, encoding="utf-8", confidence=1.0)
            state = self._streams[item.display] = _Stream(outcome)
        error = batch.error or result.error
        if error is None:
            self._corpus_stage(result)
            if batch.rows is not None:
                error = self._write_rows(result, state)
            else:
                data = b"".join(line + b"\n" for line in self._jsonl_lines(result))
                try:
                    if data and self.plan.to_stdout and not self.config.check:
                        assert self.stdout is not None
                        self.stdout.write(data)
                    elif data and self.tree is not None:
                        if state.part is None:
                            state.part = self.tree.stage(item.compression)
                        state.part.write(data)
                except OSError as exc:
                    error = f"cannot write output: {exc.strerror or exc}"
                state.written += len(data)
            names: list[str | None] = [str(item.rel_out)] * len(result.docs)
            if self.corpus_state is not None:
                self.corpus_state.commit(result.docs, names)
            self._report_changes(result, names)
            _count_changes(state.outcome, result)
            state.outcome.changed |= bool(result.record_errors)
            if state.outcome.opencc is None and result.docs:
                state.outcome.opencc = result.docs[0].meta.get("opencc")
        if error is not None:
            if state.writer is not None:
                state.writer.abort()
            if state.part is not None:
                state.part.discard()
            del self._streams[item.display]
            self._fail(item, error, batch.total_bytes or result.bytes_in)
            return
        if not batch.final:
            return
        del self._streams[item.display]
        outcome = state.outcome
        outcome.bytes_in, outcome.bytes_out = batch.total_bytes, state.written
        if batch.total_bytes == 0 and batch.rows is None:
            self._fail(item, "empty file; skipped", 0)
            return
        if state.writer is not None:
            try:
                state.writer.close()
            except (OSError, ValueError) as exc:
                assert state.part is not None
                state.part.discard()
                self._fail(item, f"cannot write output: {exc}", batch.total_bytes)
                return
            if not state.writer.started:  # every row was dropped: no output file
                assert state.part is not None
                state.part.discard()
                state.part = None
        staged = [(state.part, item.rel_out)] if state.part is not None else []
        outcome.outputs = [str(item.rel_out)] if staged else []
        if self.tree is not None:
            try:
                self.tree.commit(item, staged, self._entry(outcome, batch.digest))
            except InputError as exc:
                self._fail(item, str(exc), batch.total_bytes)
                return
        self.report.file(outcome)
        self.observer.advance(item, batch.total_bytes)

    def _write_rows(self, result: UnitResult, state: _Stream) -> str | None:
        """The kept rows of one batch of a table input, into its output's current row
        group; an error message if the output cannot be written."""
        from cleancorp import parquet_io

        batch = result.batch
        assert batch is not None
        texts: dict[int, list[str]] = {}
        for doc in result.docs:
            texts.setdefault(doc.record_no or 0, []).append("\n".join(doc.lines))
        passed = {n for n, _ in result.record_errors}
        rows, size = parquet_io.output_rows(batch.layout, batch.rows, batch.first, texts, passed)
        state.written += size
        if self.tree is None:
            return None  # --check: nothing is written
        try:
            if state.writer is None:
                self._open_table_output(state, batch.layout)
            state.writer.add(rows, batch.group_end)
        except (OSError, ValueError) as exc:
            return f"cannot write output: {exc}"
        return None

    def _open_table_output(self, state: _Stream, layout: Any) -> None:
        """The staged output of a table input and its Parquet writer (`state.part`,
        `state.writer`); the Ray engine defers the writing to its datasink instead."""
        from cleancorp import parquet_io

        assert self.tree is not None
        state.part = self.tree.stage("")
        state.writer = parquet_io.TableWriter(state.part.stream, layout)

    def _jsonl_lines(self, result: UnitResult) -> list[bytes]:
        """The output lines of JSON Lines records: bad lines passed through as they
        were, each kept document of a record as the record with its text cleaned."""
        by_record: dict[int, list[Document]] = {}
        for doc in result.docs:
            by_record.setdefault(doc.record_no or 0, []).append(doc)
        lines: list[bytes] = []
        for entry in result.jsonl or []:
            if entry.obj is None:
                lines.append(entry.raw)
                continue
            parts = by_record.get(entry.record_no, [])
            for n, doc in enumerate(parts, 1):
                obj = dict(entry.obj)
                obj[self.config.text_field] = "\n".join(doc.lines)
                if len(parts) > 1:
                    obj["part"] = n
                lines.append(json.dumps(obj, ensure_ascii=False).encode("utf-8"))
        return lines

    def _register_done(self, item: InputItem, outputs: list[str]) -> None:
        """Feed the outputs of an input a previous run finished into the corpus state,
        so later inputs are deduplicated against it exactly as in an uninterrupted run
        (its outputs are its kept documents; cleaning them again changes nothing)."""
        assert self.tree is not None and self.corpus_index is not None
        corpus_filter = self.pipeline.filters[self.corpus_index]
        docs = []
        for n, name in enumerate(outputs, 1):
            probe = InputItem(self.tree.root / name, name, PurePosixPath(name), "txt",
                              item.compression)
            text = read_bytes(probe).decode("utf-8")
            doc = Document.from_text(text, source=item.display, part=n if len(outputs) > 1 else 0)
            for kept in corpus_filter.apply(doc):
                corpus_filter.corpus_apply(kept, self.corpus_state)
            docs.append(doc)
        self.corpus_state.commit(docs, outputs)

    def _render_outputs(self, result: UnitResult
                        ) -> tuple[list[tuple[PurePosixPath, bytes]], list[str | None]]:
        """The output files of one input and, per kept document, its output name."""
        item = result.item
        docs = result.docs
        if self.config.format == "parquet":
            from cleancorp.parquet_io import documents_table

            rows = [{"id": item.display if len(docs) == 1 else f"{item.display}#{n}",
                     "source": item.display, "text": "\n".join(doc.lines)}
                    for n, doc in enumerate(docs, 1)]
            names = [str(item.rel_out)] * len(docs)
            return ([(item.rel_out, documents_table(rows))] if rows else []), names
        if self.config.format == "jsonl":
            objs = []
            for n, doc in enumerate(docs, 1):
                doc_id = item.display if len(docs) == 1 else f"{item.display}#{n}"
                objs.append(json.dumps({"id": doc_id, "source": item.display,
                                        "text": "\n".join(doc.lines)}, ensure_ascii=False))
            data = "".join(o + "\n" for o in objs).encode("utf-8")
            names = [str(item.rel_out)] * len(docs)
            return ([(item.rel_out, compress(data, item.compression))] if objs else []), names
        rels = part_names(item.rel_out, len(docs))
        files = [(rel, compress(output_text(d).encode("utf-8"), item.compression))
                 for rel, d in zip(rels, docs, strict=True)]
        return files, [str(r) for r in rels]

    def _outcome(self, result: UnitResult, files: list[tuple[PurePosixPath, bytes]]
                 ) -> FileOutcome:
        meta = result.docs[0].meta if result.docs else (
            result.dropped[0].meta if result.dropped else {})
        outcome = FileOutcome(
            input=result.item.display, outputs=[str(rel) for rel, _ in files],
            encoding=meta.get("encoding"), confidence=meta.get("confidence"),
            opencc=meta.get("opencc"), bytes_in=result.bytes_in,
            bytes_out=sum(len(data) for _, data in files),
        )
        _count_changes(outcome, result)
        # Changed unless exactly one document is written and its text is the input's bytes.
        outcome.changed = not (len(result.docs) == 1 and len(files) == 1 and digest(
            output_text(result.docs[0]).encode("utf-8")) == result.digest)
        return outcome

    def _report_changes(self, result: UnitResult, names: list[str | None]) -> None:
        """Change records (and JSON Lines record errors) of one result, in input order:
        by record number, so the report does not depend on how records were batched."""
        display = result.item.display
        # (record number, error message | serialised record | record to serialise)
        entries: list[tuple[int, Any]] = [
            (n, ("error", message)) for n, message in result.record_errors]
        level = self._record_level
        for doc, name in [*zip(result.docs, names, strict=True),
                          *((d, None) for d in result.dropped)]:
            if level is None:
                break  # no change record is written: do not build them
            stamp: dict[str, Any] = {"type": "change", "input": display}
            if name is not None:
                stamp["output"] = name
            if doc.record_no is not None:
                stamp["record"] = doc.record_no
            prefix = change_prefix(stamp)
            for change in doc.changes:
                if level == "removals" and change.action not in REMOVAL_ACTIONS:
                    continue
                if isinstance(change, RecordedChange):
                    if change.body is not None:
                        entries.append((doc.record_no or 0, prefix + change.body[1:]))
                    continue
                record: dict[str, Any] = dict(stamp)
                record.update(change.to_record())
                if "duplicate_of" in record and self.corpus_state is not None:
                    # Filters name the kept document by uid; users want its output file.
                    uid = record["duplicate_of"]
                    record["duplicate_of"] = self.corpus_state.output_name(uid) or uid
                entries.append((doc.record_no or 0, record))
        entries.sort(key=lambda e: e[0])  # stable: a document's own order is kept
        lines: list[str] = []  # serialised records, written together (one write, not 100s)
        for n, entry in entries:
            if isinstance(entry, str):
                lines.append(entry)
                continue
            if lines:
                self.report.change_text("".join(lines))
                lines = []
            if isinstance(entry, tuple):
                self.report.error(display, entry[1], record=n)
                self.observer.error(f"{display}:{n}", entry[1])
            else:
                self.report.change(entry)
        if lines:
            self.report.change_text("".join(lines))

    def _write_stdout(self, result: UnitResult, files: list[tuple[PurePosixPath, bytes]]) -> None:
        assert self.stdout is not None
        if self.config.format == "txt":
            # SPEC 1.1: documents on stdout are separated by one blank line.
            for doc in result.docs:
                if self._stdout_docs:
                    self.stdout.write(b"\n")
                self.stdout.write(output_text(doc).encode("utf-8"))
                self._stdout_docs += 1
        else:
            for _, data in files:
                self.stdout.write(data)
        self.stdout.flush()


@dataclass
class _Stream:
    """A JSON Lines or table input being written batch by batch."""

    outcome: FileOutcome
    part: StagedFile | None = None
    written: int = 0
    writer: Any = None  # a table input's `parquet_io.TableWriter`


def _count_changes(outcome: FileOutcome, result: UnitResult) -> None:
    """Add a result's changes to an input's counters (per filter, per rule, removed bytes)."""
    outcome.dropped_docs += len(result.dropped)
    for doc in (*result.docs, *result.dropped):
        for change in doc.changes:
            outcome.changes[change.filter] += 1
            outcome.rules[f"{change.filter}/{change.rule}"] += 1
            if isinstance(change, RecordedChange):
                outcome.removed_bytes += change.removed_bytes
            elif change.action in REMOVAL_ACTIONS:
                outcome.removed_bytes += len(change.before.encode("utf-8", "surrogatepass"))
    if result.item.kind in STREAMED_KINDS:
        outcome.changed |= any(doc.changes for doc in (*result.docs, *result.dropped))


def _pause_for_test(done: int) -> None:
    sys.stderr.write(f"cleancorp-test: paused after {done} inputs\n")
    sys.stderr.flush()
    while True:
        time.sleep(3600)


def why_dropped(doc: Document, config: RunConfig) -> str:
    """One line saying which filter dropped a piped text, why, and how to keep it.

    >>> doc = Document.from_text("這是一句話")
    >>> doc.drop(filter="length", rule="too-short", cjk_chars=5, latin_words=0)
    >>> from cleancorp.config import build_config
    >>> print(why_dropped(doc, build_config({})))
    cleancorp: the input was dropped by length: 5 CJK characters < 20 and 0 Latin words < 10; --skip length keeps it
    """
    change = next(c for c in reversed(doc.changes) if c.action == "drop")
    extra = change.extra
    if change.filter == "length":
        opts: Any = config.options_for("length")
        reason = (f"{extra.get('cjk_chars', 0)} CJK characters < {opts.min_cjk_chars} and "
                  f"{extra.get('latin_words', 0)} Latin words < {opts.min_latin_words}")
    elif change.filter == "dedup":
        reason = f"a duplicate of {extra.get('duplicate_of', 'an earlier document')}"
    else:
        reason = "no text was left after cleaning"
        return f"cleancorp: the input was emptied ({change.rule}): {reason}; -v --report - shows each removal"
    return f"cleancorp: the input was dropped by {change.filter}: {reason}; --skip {change.filter} keeps it"


def run(config: RunConfig, inputs: list[str], *, report_stream: IO[str] | None = None,
        observer: Observer | None = None, stdin: IO[bytes] | None = None,
        stdout: IO[bytes] | None = None, stdin_piped: bool = False) -> Report:
    """Plan and run `cleancorp clean`; returns the report (its `exit_code` is the result)."""
    plan = plan_run(config, inputs, stdin_piped=stdin_piped)
    report = Report(config, report_stream)
    Runner(plan, report, observer, stdout=stdout or sys.stdout.buffer,
           stdin=stdin or sys.stdin.buffer).run()
    return report


__all__ = ["Observer", "Runner", "UnitResult", "plan_run", "run"]
