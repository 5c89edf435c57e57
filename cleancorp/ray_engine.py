"""`--engine ray`: the same pipeline on Ray Data, the corpus steps as engine operations.

The local engine (`runner.py`) finishes inputs one by one in stable order, which is
what makes its corpus steps exact. This engine reaches the same outputs and report
records with the work spread over a Ray cluster; the driver plans the run and merges
the report, nothing else:

1. **units**: the inputs in stable order; JSON Lines inputs become batches of records
   (read by the workers, as the local engine's parent reads them). Parquet inputs
   are read by `ray.data.read_parquet`; one task per input row group cuts its rows
   from the blocks into the local engine's batches (`_parquet_units`).
2. **templates** (boilerplate's corpus step): each unit is decoded, its documents emit
   (line key, document hash) rows, the engine groups them by key and keeps the keys
   found in `template_min_docs` distinct documents.
3. **clean**: every filter up to `dedup`'s per-document step, the same filter objects
   as the local engine; change records are serialised in the worker. Per document a
   summary for the corpus step: hashes, MinHash signature, paragraph hashes, and
   whether the filters after `dedup` keep the document as it is.
4. **candidates**: exact hashes, LSH band keys and paragraph hashes grouped by the
   engine; a document that shares a key with another is *involved*. Documents that
   are not involved are never touched by the corpus step.
5. **resolve**: one task runs the local rule itself (`DedupFilter.corpus_apply` over a
   `CorpusIndex`, in stable order: a document is dropped only when it is close to a
   kept earlier one, never transitively) over the involved documents only. It sees
   summaries; texts travel only for documents that share a paragraph with another.
   It records every answer the corpus index gave.
6. **finish**: results and recorded answers grouped by input; `corpus_apply` runs
   again on the real documents with the recorded answers, then the filters after
   `dedup`; outputs are written in place (atomically, same names as the local engine)
   and the report records of the input form its shard. A table input's output rows
   come back with the shard; a Ray Data datasink (`TableSink`) writes them.
7. **merge**: the shards, sorted by input, are written into the one report (naming
   the output files of duplicates, which only now are all known) and the manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import numpy as np

from cleancorp.config import RunConfig, default_jobs
from cleancorp.dedup_index import band_keys
from cleancorp.document import Document
from cleancorp.errors import InputError, UsageError
from cleancorp.files import STATE_DIR, TABLE_KINDS, InputItem, OutputTree, StagedFile
from cleancorp.pipeline import Pipeline
from cleancorp.report import Report
from cleancorp.runner import (
    Batch,
    Observer,
    Runner,
    RunPlan,
    SilentObserver,
    UnitResult,
    plan_run,
    process_batch,
    process_item,
    record_result,
    template_keys,
    versions,
)

INSTALL_HINT = ("--engine ray needs Ray, an optional extra: pip install 'cleancorp[ray]' "
                "(or pip install 'ray[data]')")
#: Key kinds mixed into one int64 column for the candidate grouping. A collision of
#: two kinds can only make more documents "involved", which changes no result.
_EXACT, _BAND, _PARA = 0, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
#: Bits of the stable order of a document (one int64): input number (27 bits: 134 M
#: inputs), then its JSON Lines record (28 bits) and article (8 bits), or for a text
#: input the article (36 bits).
_ITEM_SHIFT, _RECORD_SHIFT = 36, 8


def import_ray() -> Any:
    """Ray, or a usage error saying how to install it (exit 2)."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return ray


def _int64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _uint64(value: int) -> int:
    return value & ((1 << 64) - 1)


def doc_order(item: int, doc: Document, position: int) -> int:
    """The stable order of a document as one integer: inputs in order, then JSON
    Lines records (and the articles of one record), or the articles of a file."""
    if doc.record_no is None:
        low = position
    elif doc.part < 1 << _RECORD_SHIFT:
        low = doc.record_no << _RECORD_SHIFT | doc.part
    else:
        low = 1 << _ITEM_SHIFT  # out of range: refused below
    if item >= 1 << (63 - _ITEM_SHIFT) or low >= 1 << _ITEM_SHIFT:
        raise UsageError("the corpus is too large for --engine ray's document order "
                         "(134 M inputs, 268 M records per input, 255 articles per record)")
    return item << _ITEM_SHIFT | low


# -- recording and replaying the corpus index's answers ------------------------------------


def _answer_key(method: str, source: str, arg: Any) -> tuple[str, str, Any]:
    if method == "find_near":
        arg = hashlib.blake2b(np.ascontiguousarray(arg).tobytes(), digest_size=8).digest()
    return method, source, arg


class RecordingIndex:
    """A `CorpusIndex` that remembers every answer it gives, by question, in order."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.answers: list[tuple[tuple[str, str, Any], Any]] = []
        self.entries: list[Any] = []

    def find_exact(self, hash_: int, source: str) -> Any:
        found = self.index.find_exact(hash_, source)
        self.answers.append((_answer_key("find_exact", source, hash_), found))
        return found

    def find_near(self, sig: np.ndarray, source: str, threshold: float) -> Any:
        found = self.index.find_near(sig, source, threshold)
        self.answers.append((_answer_key("find_near", source, sig), found))
        return found

    def find_passage(self, phash: int, source: str) -> Any:
        found = self.index.find_passage(phash, source)
        self.answers.append((_answer_key("find_passage", source, phash), found))
        return found

    def add_pending(self, entry: Any) -> None:
        self.entries.append(entry)
        self.index.add_pending(entry)

    def discard(self, uid: str) -> None:
        self.index.discard(uid)


class ReplayIndex:
    """The corpus state of the finish stage: answers what the resolver's index
    answered to the same questions, in the same order; nothing for a question it never
    saw (a document that shares no key with another). It also collects the output
    names of the documents that others repeat, for the report's `duplicate_of`."""

    def __init__(self, answers: dict[Any, deque[Any]], targets: frozenset[str]) -> None:
        self.answers = answers
        self.targets = targets
        self.names: dict[str, str | None] = {}

    def _answer(self, method: str, source: str, arg: Any) -> Any:
        queue = self.answers.get(_answer_key(method, source, arg))
        return queue.popleft() if queue else None

    def find_exact(self, hash_: int, source: str) -> Any:
        return self._answer("find_exact", source, hash_)

    def find_near(self, sig: np.ndarray, source: str, threshold: float) -> Any:
        return self._answer("find_near", source, sig)

    def find_passage(self, phash: int, source: str) -> Any:
        return self._answer("find_passage", source, phash)

    def add_pending(self, entry: Any) -> None:
        pass

    def discard(self, uid: str) -> None:
        pass

    def commit(self, docs: list[Document], names: list[str | None]) -> None:
        for doc, name in zip(docs, names, strict=True):
            if doc.uid in self.targets:
                self.names[doc.uid] = name

    def output_name(self, uid: str) -> str | None:
        return None  # named when the shards are merged

    def close(self) -> None:
        pass


class CallRecorder:
    """Stands in for the `Report` and the `Observer` in a worker: the calls are kept
    and made again on the driver's, in stable order (the shard of an input)."""

    def __init__(self, stream: bool = False) -> None:
        self.stream = True if stream else None
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))
        return call

    def replay(self, target: Any) -> None:
        for name, args, kwargs in self.calls:
            getattr(target, name)(*args, **kwargs)


# -- the workers ---------------------------------------------------------------------------


@dataclass
class Job:
    """What every stage needs. A new `token` whenever the driver changes it."""

    plan: RunPlan
    pipeline: Pipeline
    writing_report: bool
    targets: frozenset[str] = frozenset()
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def changed(self) -> None:
        self.token = uuid.uuid4().hex


_PROCESS: dict[str, Any] = {}


def _in_process(job: Job, what: str = "job") -> Any:
    """This worker process's copy of the job (or of its shard runner). Stages run as
    Ray tasks, which reuse worker processes: keeping the job per process lets the
    filters build their helpers (OpenCC, compiled rule tables) once per process
    rather than once per task."""
    if _PROCESS.get("token") != job.token:
        _PROCESS.clear()
        _PROCESS.update(token=job.token, job=job)
    if what == "runner" and "runner" not in _PROCESS:
        _PROCESS["runner"] = _ShardRunner(_PROCESS["job"])
    return _PROCESS[what]


class TableCalls:
    """The output of a table input as the calls its `TableWriter` would get: the
    finish stage collects them (it stands in for the staged file and the writer),
    `TableSink` makes them on the real writer."""

    path = None

    def __init__(self, layout: Any) -> None:
        self.layout = layout
        self.calls: list[tuple[Any, bool]] = []  # (parquet_io.Rows | None, group_end)
        self.rows = 0

    def add(self, batch: Any, group_end: bool) -> None:
        from cleancorp.parquet_io import Rows

        kept = batch is not None and batch.num_rows > 0
        self.calls.append((Rows(batch) if kept else None, group_end))
        self.rows += batch.num_rows if kept else 0

    @property
    def started(self) -> bool:
        return self.rows > 0

    def close(self) -> None:
        pass

    def abort(self) -> None:
        self.calls = []

    discard = abort


class _ShardTree(OutputTree):
    """The output tree as a finish task sees it: text outputs are put in place as by
    the local engine; a table output is kept (`tables`) for `TableSink` to write."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.deferred = []
        self.tables: list[tuple[str, str, Any, list[tuple[Any, bool]]]] = []

    def commit(self, item: InputItem, staged: list[tuple[StagedFile, PurePosixPath]],
               entry: dict[str, Any], later: frozenset[str] = frozenset()) -> None:
        files = [(part, rel) for part, rel in staged if not isinstance(part, TableCalls)]
        for part, rel in staged:
            if isinstance(part, TableCalls):
                self.tables.append((item.display, str(rel), part.layout, part.calls))
        super().commit(item, files, entry, later | {str(rel) for _, rel in staged})


class _ShardRunner(Runner):
    """The local runner's per-input code, writing into a shard instead of the report."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.plan, CallRecorder(job.writing_report),  # type: ignore[arg-type]
                         CallRecorder())  # type: ignore[arg-type]
        self.pipeline = job.pipeline  # with the template lines the engine counted
        if self.tree is not None:
            self.tree = _ShardTree(self.tree.root)

    def unit_batches(self, item: InputItem) -> Iterator[Batch | None]:
        if item.kind == "jsonl" and item.error is None:
            for _, _, batch in self._jsonl_batches(item):
                yield batch
        elif item.kind == "arrow" and item.error is None:
            # An Arrow file of a `save_to_disk` folder (Ray Data has no reader for
            # Arrow IPC streams): read by the worker, as the local parent reads it.
            for _, _, batch in self._table_batches(item):
                yield batch
        else:
            yield None

    def _open_table_output(self, state: Any, layout: Any) -> None:
        state.part = state.writer = TableCalls(layout)


class ReadUnits:
    """Stage 1: one row per unit of work (a text input, a batch of a JSON Lines input)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        runner = _in_process(self.job, "runner")
        item = pickle.loads(row["item"])
        return [{"i": row["i"], "item": row["item"],
                 "first": batch.first if batch is not None else 0,
                 "unit": pickle.dumps(batch)} for batch in runner.unit_batches(item)]


def _run_unit(job: Job, row: dict[str, Any], stop: int) -> UnitResult:
    item = pickle.loads(row["item"])
    batch = pickle.loads(row["unit"])
    if batch is not None:
        return process_batch(item, batch, job.pipeline, stop, job.plan.config.text_field)
    return process_item(item, job.pipeline, stop)


class TemplateKeys:
    """Stage 2: (template key, document hash) rows of each decoded document. (Batches
    with typed columns: a block without rows must still have the grouping column.)"""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        job = _in_process(self.job)
        keys, hashes = [], []
        for item_blob, unit in zip(batch["item"], batch["unit"], strict=True):
            item = pickle.loads(item_blob)
            docs = template_keys(item, job.pipeline, 1, job.plan.config.text_field,
                                 batch=pickle.loads(unit))
            for text_hash, doc_keys in docs:
                h = int.from_bytes(text_hash, "big", signed=True)
                keys.extend(_int64(k) for k in doc_keys)
                hashes.extend([h] * len(doc_keys))
        return {"k": np.array(keys, np.int64), "h": np.array(hashes, np.int64)}


def count_templates(group: dict[str, np.ndarray], least: int) -> dict[str, np.ndarray]:
    """A key's number of distinct documents; only keys frequent enough to matter."""
    count = len(np.unique(group["h"]))
    if count < least:
        return {"k": np.zeros(0, np.int64), "c": np.zeros(0, np.int64)}
    return {"k": group["k"][:1], "c": np.array([count], np.int64)}


class Clean:
    """Stage 3: the filters up to the corpus step; a summary of each document for it."""

    def __init__(self, job: Job, stop: int, corpus_index: int | None, level: str | None) -> None:
        self.job, self.stop, self.corpus_index, self.level = job, stop, corpus_index, level

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        job = _in_process(self.job)
        result = _run_unit(job, row, self.stop)
        summaries = []
        if self.corpus_index is not None:
            tail = job.pipeline
            for pos, doc in enumerate(result.docs):
                info = doc.meta.get("dedup")
                if info is None:
                    continue
                summaries.append((doc_order(int(row["i"]), doc, pos), doc.uid, doc.source,
                                  info, len(doc.lines), _tail_keeps(tail, doc, self.stop)))
        record_result(result, self.level)
        return {"i": row["i"], "first": row["first"], "result": pickle.dumps(result),
                "summaries": pickle.dumps(summaries), "answers": b""}


def _tail_keeps(pipeline: Pipeline, doc: Document, stop: int) -> bool:
    """Whether the filters after the corpus step keep `doc` (under its uid) when the
    corpus step leaves it as it is: run on a copy, the document itself goes on."""
    probe = Document(source=doc.source, lines=list(doc.lines), origins=list(doc.origins),
                     input_lines=doc.input_lines, part=doc.part, record_no=doc.record_no,
                     meta=dict(doc.meta))
    kept, _ = pipeline.run([probe], stop, None)
    return any(d.uid == doc.uid for d in kept)


def corpus_keys(batch: dict[str, np.ndarray], bands: int, rows: int) -> dict[str, np.ndarray]:
    """Stage 4 input: every key by which a document could meet another."""
    keys, orders, paras = [], [], []
    for blob in batch["summaries"]:
        for order, _, _, info, _, _ in pickle.loads(blob):
            mine = _document_keys(info["hash"], info["sig"], bands, rows)
            shared = len(mine)
            mine += [_int64(phash ^ _PARA) for phash, _ in info["paras"]]
            keys.extend(mine)
            orders.extend([order] * len(mine))
            paras.extend([False] * shared + [True] * (len(mine) - shared))
    return {"k": np.array(keys, np.int64), "o": np.array(orders, np.int64),
            "p": np.array(paras, bool)}


def shared_keys(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The documents of a key that more than one document has."""
    if len(np.unique(group["o"])) < 2:
        return {"o": np.zeros(0, np.int64), "p": np.zeros(0, bool)}
    return {"o": group["o"], "p": group["p"]}


class SelectInvolved:
    """Stage 5 input: the summaries of involved documents; the document itself (its
    text) for those that share a paragraph with another document."""

    def __init__(self, involved: Any, passages: Any) -> None:
        self.involved, self.passages = involved, passages

    def __call__(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        summaries = pickle.loads(row["summaries"])
        orders = np.array([s[0] for s in summaries], dtype=np.int64)
        wanted = np.isin(orders, self.involved)
        if not wanted.any():
            return []
        texts = np.isin(orders, self.passages)
        docs = pickle.loads(row["result"]).docs if texts.any() else []
        out = []
        for n, summary in enumerate(summaries):
            if wanted[n]:
                doc = next(d for d in docs if d.uid == summary[1]) if texts[n] else None
                out.append({"o": summary[0], "s": pickle.dumps((summary, doc))})
        return out


def resolve(rows: Any, job: Job, corpus_index: int) -> tuple[dict[int, list], np.ndarray]:
    """Stage 5: the local corpus rule over the involved documents, in stable order.
    Returns, per input, the corpus index's answers to each question asked; and the
    keys of the kept documents that lost paragraphs (re-signed, they may now meet a
    document that met none of their original keys)."""
    pipeline = job.pipeline
    opts: Any = pipeline.filters[corpus_index].options
    resigned: list[int] = []
    dedup = pipeline.filters[corpus_index]
    index = dedup.open_corpus(index_path=None, check=False)
    answers: dict[int, list] = defaultdict(list)
    current, kept = None, []
    selected = (pickle.loads(row["s"]) for row in rows.iter_rows())
    for summary, doc in sorted(selected, key=lambda sd: sd[0][0]):
        order, uid, source, info, n_lines, tail_keeps = summary
        item = order >> _ITEM_SHIFT
        if item != current:
            if kept:
                index.commit(kept, [None] * len(kept))
            current, kept = item, []
        if doc is None:
            # Only the summary travelled: enough, as this document shares no paragraph.
            doc = _Stub(source, uid, n_lines)
        doc.meta["dedup"] = info
        recorder = RecordingIndex(index)
        dedup.corpus_apply(doc, recorder)
        answers[item].extend(recorder.answers)
        if doc.dropped:
            continue
        trimmed = any(key[0] == "find_passage" and found is not None
                      for key, found in recorder.answers)
        if trimmed:
            survivors, _ = pipeline.run([doc], corpus_index + 1, None)
            tail_keeps = any(d.uid == uid for d in survivors)
            if tail_keeps:
                resigned.extend(_document_keys(recorder.entries[-1].hash, recorder.entries[-1].sig,
                                               opts.bands, opts.rows))
        if tail_keeps:
            kept.append(_Stub(source, uid, 0))
        else:
            index.discard(uid)  # as the local engine: never kept, so nothing copies it
    if kept:
        index.commit(kept, [None] * len(kept))
    return dict(answers), np.array(resigned, np.int64)


def _document_keys(hash_: int, sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """The keys by which a document can be found a duplicate: exact hash, LSH bands."""
    return [_int64(hash_ ^ _EXACT), *(_int64(k ^ _BAND) for k in
                                      band_keys(sig, bands, rows).view(np.int64).tolist())]


def newly_involved(batch: dict[str, np.ndarray], keys: np.ndarray, involved: np.ndarray
                   ) -> dict[str, np.ndarray]:
    """Documents not yet involved that have one of `keys` (`corpus_keys` rows in)."""
    hit = np.isin(batch["k"], keys) & ~batch["p"] & ~np.isin(batch["o"], involved)
    return {"o": np.unique(batch["o"][hit])}


@dataclass
class _Stub:
    """A document known by its summary: what `corpus_apply` reads of a document that
    shares no paragraph with another (its source, uid and number of lines)."""

    source: str
    uid: str
    n_lines: int
    meta: dict[str, Any] = field(default_factory=dict)
    dropped: bool = False

    @property
    def lines(self) -> list[str]:
        return [""] * self.n_lines

    @property
    def origins(self) -> list[tuple[int, int]]:
        return [(0, 0)] * self.n_lines  # its paragraphs are its own: no one asks where

    def drop(self, **_: Any) -> None:
        self.dropped = True


def finish_input(group: dict[str, np.ndarray], job: Job) -> dict[str, np.ndarray]:
    """Stage 6: one input's results and answers -> its outputs and its report shard."""
    runner = _in_process(job, "runner")
    runner.report = CallRecorder(job.writing_report)
    runner.observer = CallRecorder()
    if runner.tree is not None:
        runner.tree.deferred, runner.tree.tables = [], []
    answers: dict[Any, deque[Any]] = defaultdict(deque)
    results = []
    for n in np.argsort(group["first"], kind="stable"):
        if len(group["answers"][n]):
            for key, found in pickle.loads(group["answers"][n]):
                answers[key].append(found)
        else:
            results.append(pickle.loads(group["result"][n]))
    state = ReplayIndex(answers, job.targets)
    runner.corpus_state = state
    last = results[-1].batch if results else None
    if last is not None and last.final and last.total_bytes < 0:
        # A Parquet input read by Ray Data: its size (text bytes) is only known here.
        last.total_bytes = sum(r.batch.text_bytes for r in results if r.batch is not None)
    for result in results:
        runner._finish(result)
    shard = (runner.report.calls, runner.observer.calls,
             runner.tree.deferred if runner.tree is not None else [], state.names)
    tables = runner.tree.tables if runner.tree is not None else []
    return {"i": group["i"][:1], "shard": np.array([pickle.dumps(shard)], dtype=object),
            "table": np.array([pickle.dumps(tables) if tables else b""], dtype=object)}


# -- Parquet inputs: read by Ray Data, written by a datasink --------------------------------


def _num_rows(block: Any) -> int:
    return int(block.num_rows)


def group_units(i: int, item_blob: bytes, layout: Any, first: int, num_rows: int,
                final: bool, starts: list[int], *blocks: Any) -> Any:
    """The units of one input row group (rows `first`.. of the file, 1-based) from the
    Ray Data blocks that hold them (block k starts at row `starts[k]`): the local
    engine's batches (`parquet_io.group_slices`), the last of the input `final`."""
    import pyarrow as pa

    from cleancorp import parquet_io

    item = pickle.loads(item_blob)
    pieces = []
    begin, end = first - 1, first - 1 + num_rows
    for start, block in zip(starts, blocks, strict=True):
        lo, hi = max(begin, start), min(end, start + block.num_rows)
        if hi > lo:
            piece = block.slice(lo - start, hi - lo)
            # Ray Data may widen types (large_string, large_list): the input's own
            # schema, as the footer gives it, is what the output is written with.
            names = [f.name for f in layout.schema if f.name in piece.schema.names]
            schema = pa.schema([layout.schema.field(n) for n in names],
                               metadata=layout.schema.metadata)
            pieces.append(piece.select(names).cast(schema))
    rows = pa.concat_tables(pieces).combine_chunks() if pieces else None
    if rows is None or rows.num_rows != num_rows:
        raise RuntimeError(f"{item.display}: Ray Data gave {rows.num_rows if rows else 0} "
                           f"rows for the row group at row {first}, not {num_rows}")
    batches = rows.to_batches(max_chunksize=parquet_io.READ_ROWS)
    units = [Batch(piece.first, [], rows=piece.rows, layout=layout, group_end=piece.group_end,
                   text_bytes=piece.text_bytes)
             for piece in parquet_io.group_slices(iter(batches), first, layout.text_field)]
    if final:
        last = units[-1]
        try:
            _, last.digest = parquet_io.file_digest(item.path)
            last.final, last.total_bytes = True, -1  # summed by the finish stage
        except InputError as exc:
            units.append(Batch(last.first + last.rows.num_rows, [], final=True, error=str(exc),
                               total_bytes=-1))
    return _units_table(i, item_blob, units)


def _units_table(i: int, item_blob: bytes, units: list[Batch]) -> Any:
    import pyarrow as pa

    return pa.table({"i": pa.array([i] * len(units), pa.int64()),
                     "item": pa.array([item_blob] * len(units), pa.binary()),
                     "first": pa.array([u.first for u in units], pa.int64()),
                     "unit": pa.array([pickle.dumps(u) for u in units], pa.binary())})


def write_table_output(root: Path, rel: str, layout: Any, calls: list[tuple[Any, bool]]
                       ) -> str | None:
    """One table output, written as the local engine writes it (staged, then renamed
    into place); an error message if it cannot be written."""
    from cleancorp.parquet_io import TableWriter

    fd, tmp = tempfile.mkstemp(dir=root / STATE_DIR / "tmp", prefix="part-")
    part = StagedFile(Path(tmp), os.fdopen(fd, "wb"), "")
    writer = TableWriter(part.stream, layout)
    try:
        for rows, group_end in calls:
            writer.add(rows.batch if rows is not None else None, group_end)
        writer.close()
        part.close()
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part.path, target)
    except (OSError, ValueError) as exc:
        writer.abort()
        part.discard()
        return f"cannot write output: {exc}"
    return None


def _table_sink_class() -> Any:
    """`TableSink`, defined once Ray is imported (its base class is Ray's)."""
    from ray.data import Datasink
    from ray.data.block import BlockAccessor

    class TableSink(Datasink):
        """Writes the Parquet outputs of table inputs: rows of (input, output path,
        layout, writer calls) from the finish stage, one output file per row."""

        def __init__(self, root: Path) -> None:
            self.root = root
            self.errors: dict[str, str] = {}

        def write(self, blocks: Iterable[Any], ctx: Any) -> list[tuple[str, str]]:
            errors = []
            for block in blocks:  # a finish shard without a table output has b""
                for blob in BlockAccessor.for_block(block).to_arrow().column("table").to_pylist():
                    for display, rel, layout, calls in pickle.loads(blob):
                        error = write_table_output(self.root, rel, layout, calls)
                        if error is not None:
                            errors.append((display, error))
            return errors

        def on_write_complete(self, write_result: Any) -> None:
            for errors in write_result.write_returns:
                self.errors.update(errors)

    return TableSink


# -- the driver ----------------------------------------------------------------------------


class RayRunner:
    """Plans the stages, runs them on Ray, merges the shards."""

    def __init__(self, plan: RunPlan, report: Report, observer: Observer | None = None) -> None:
        self.plan, self.config, self.report = plan, plan.config, report
        self.observer = observer or SilentObserver()
        self.ray = import_ray()
        probe = Runner(plan, report)  # the local engine's view of the pipeline
        self.pipeline, self.stop, self.corpus_index = probe.pipeline, probe.stop, probe.corpus_index
        self.level = probe._record_level
        #: Wall seconds per stage, for `-v` and the benchmark.
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def _lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._clock
        self._clock = now

    def run(self) -> int:
        ray = self.ray
        started_here = not ray.is_initialized()
        for name in ("ray", "ray.data"):
            # Ray's own INFO/WARNING chatter (progress, deprecations) is not the user's.
            logging.getLogger(name).setLevel(logging.ERROR)
        if started_here:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "logging_level": logging.WARNING}
            if self.config.ray_address:
                ray.init(address=self.config.ray_address, **kwargs)
            else:
                ray.init(num_cpus=default_jobs(self.config), **kwargs)
        try:
            return self._run()
        finally:
            if started_here:
                ray.shutdown()
            if self.config.verbose:
                print("ray engine, seconds per stage: " + ", ".join(
                    f"{k} {v:.1f}" for k, v in self.timings.items()), file=sys.stderr)

    def _context(self) -> Any:
        ctx = self.ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        # Small corpora must not pay for 200 shuffle partitions.
        ctx.default_hash_shuffle_parallelism = max(2, min(200, len(self.plan.items) // 64 + 2))
        return ctx

    def _run(self) -> int:
        rd = self.ray.data
        self._context()
        tree = OutputTree(self.plan.output) if self.plan.output and not self.config.check else None
        if tree is not None:
            tree.prepare()
        items = self.plan.items
        sizes = 0
        for it in items:
            with contextlib.suppress(OSError):
                sizes += it.path.stat().st_size
        self.observer.start(len(items), sizes)
        if not items:
            self.observer.finish()
            self.report.close(versions(self.pipeline))
            return self.report.exit_code
        workers = max(1, int(self.ray.available_resources().get("CPU", 1)))
        # Tasks get their input with their row: the job does not carry the list of
        # inputs (millions of them on a large corpus).
        job = Job(dataclasses.replace(self.plan, items=[]), self.pipeline,
                  self.level is not None)
        # Parquet inputs are read by Ray Data's reader; the others by the workers.
        others = [(i, it) for i, it in enumerate(items)
                  if it.kind != "parquet" or it.error is not None]
        tables = [self._parquet_units(i, it) for i, it in enumerate(items)
                  if it.kind == "parquet" and it.error is None]
        units = None
        if others:
            blocks = max(1, min(len(others), workers * 16))
            units = rd.from_items([{"i": i, "item": pickle.dumps(it)} for i, it in others],
                                  override_num_blocks=blocks).flat_map(ReadUnits(job))
        if tables:
            table_units = rd.from_arrow_refs([ref for refs in tables for ref in refs])
            units = table_units if units is None else units.union(table_units)
        self._lap("start")
        self._count_templates(units, job)
        self._lap("templates")
        cleaned = units.map(Clean(job, self.stop, self.corpus_index, self.level))
        cleaned = cleaned.materialize()
        self._lap("clean")
        answers = self._resolve(cleaned, job)
        self._lap("resolve")
        finished = cleaned.union(answers) if answers is not None else cleaned
        shards = (finished.groupby("i").map_groups(
            finish_input, fn_kwargs={"job": job}, batch_format="numpy")
            .sort("i")).materialize()
        failed: dict[str, str] = {}
        if tree is not None and any(it.kind in TABLE_KINDS for it in items):
            # Table outputs are written by Ray Data's writer machinery: a datasink
            # whose tasks write each output file (staged, renamed into place).
            sink = _table_sink_class()(tree.root)
            shards.select_columns(["table"]).write_datasink(sink)
            failed = sink.errors
        names: dict[str, str | None] = {}
        for row in shards.select_columns(["i", "shard"]).iter_rows():
            report_calls, observer_calls, entries, shard_names = pickle.loads(row["shard"])
            names.update(shard_names)
            for name, args, kwargs in report_calls:
                if name == "file" and args[0].input in failed:
                    # The datasink could not write this input's output: it failed.
                    outcome = args[0]
                    self.report.error(outcome.input, failed[outcome.input],
                                      bytes_in=outcome.bytes_in)
                    self.observer.error(outcome.input, failed[outcome.input])
                    continue
                if name == "change" and "duplicate_of" in args[0]:
                    record = dict(args[0])
                    record["duplicate_of"] = names.get(record["duplicate_of"]) or record[
                        "duplicate_of"]
                    args = (record,)
                getattr(self.report, name)(*args, **kwargs)
            for name, args, kwargs in observer_calls:
                getattr(self.observer, name)(*args, **kwargs)
            if tree is not None:
                for entry in entries:
                    if entry["input"] not in failed:
                        tree.record(entry)
        if tree is not None:
            tree.close()
        self._lap("finish")
        self.observer.finish()
        self.report.close(versions(self.pipeline))
        return self.report.exit_code

    def _parquet_units(self, i: int, item: InputItem) -> list[Any]:
        """The units of a Parquet input, read by `ray.data.read_parquet`: object refs
        of tables of unit rows, one per input row group (`group_units`). The footer,
        read here as the local parent reads it, gives the row groups; the rows of
        each are cut from the blocks Ray Data read, numbered by the blocks' sizes."""
        from cleancorp import parquet_io

        ray = self.ray
        blob = pickle.dumps(item)
        split = self.pipeline.filter("split") is not None
        try:
            table = parquet_io.open_table(item.path, "parquet", self.config.text_field, split)
        except InputError as exc:
            return [ray.put(_units_table(i, blob, [Batch(1, [], final=True, error=str(exc))]))]
        try:
            blocks = self.ray.data.read_parquet(
                str(item.path), partitioning=None, file_extensions=None).to_arrow_refs()
            sizes = ray.get([ray.remote(_num_rows).remote(b) for b in blocks])
        except Exception as exc:  # noqa: BLE001 -- a Ray task error wraps pyarrow's
            message = str(getattr(exc, "cause", None) or exc).strip().splitlines()
            error = f"unreadable ({message[-1] if message else type(exc).__name__}); skipped"
            return [ray.put(_units_table(i, blob, [Batch(1, [], final=True, error=error)]))]
        starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).tolist()
        task = ray.remote(group_units)
        groups = [(first, rows) for first, rows in zip(
            np.concatenate([[0], np.cumsum(table.group_rows, dtype=np.int64)]).tolist(),
            table.group_rows) if rows]
        refs = []
        for n, (first, rows) in enumerate(groups):
            mine = [k for k in range(len(blocks))
                    if starts[k] < first + rows and starts[k + 1] > first]
            refs.append(task.remote(i, blob, table.layout, first + 1, rows, n == len(groups) - 1,
                                    [starts[k] for k in mine], *[blocks[k] for k in mine]))
        return refs

    def _count_templates(self, units: Any, job: Job) -> None:
        boiler = self.pipeline.filter("boilerplate")
        if not self.config.corpus or boiler is None:
            return
        least = boiler.options.template_min_docs  # type: ignore[attr-defined]
        counts = (units.map_batches(TemplateKeys(job), batch_format="numpy")
                  .groupby("k").map_groups(count_templates, fn_kwargs={"least": least},
                                           batch_format="numpy"))
        templates = {}
        for batch in counts.iter_batches(batch_format="numpy"):
            for key, count in zip(batch["k"].tolist(), batch["c"].tolist(), strict=True):
                templates[_uint64(key)] = count
        boiler.template_counts = templates  # type: ignore[attr-defined]
        job.changed()

    def _resolve(self, cleaned: Any, job: Job) -> Any:
        """Stages 4 and 5; the answers as rows to group with the results by input."""
        if self.corpus_index is None:
            return None
        opts: Any = self.pipeline.filters[self.corpus_index].options
        keys = cleaned.map_batches(corpus_keys, batch_format="numpy",
                                   fn_kwargs={"bands": opts.bands, "rows": opts.rows})
        shared = keys.groupby("k").map_groups(shared_keys, batch_format="numpy")
        involved, passages = [], []
        for batch in shared.iter_batches(batch_format="numpy"):
            involved.append(batch["o"])
            passages.append(batch["o"][batch["p"]])
        involved_ids = np.unique(np.concatenate(involved)) if involved else np.zeros(0, np.int64)
        passage_ids = np.unique(np.concatenate(passages)) if passages else np.zeros(0, np.int64)
        if not len(involved_ids):
            return None
        self._lap("candidates")
        resolver = self.ray.remote(resolve)
        while True:
            rows = cleaned.flat_map(SelectInvolved(involved_ids, passage_ids))
            rows = rows.materialize()
            self._lap("select")
            by_item, resigned = self.ray.get(resolver.remote(rows, job, self.corpus_index))
            self._lap("resolve")
            if not len(resigned):
                break
            # Rare: a trimmed document's new signature may meet a document that shares
            # none of the original keys. Such documents join the resolution (which is
            # then redone) until no new one appears: the local rule, exactly.
            extra = [b["o"] for b in keys.map_batches(
                newly_involved, batch_format="numpy",
                fn_kwargs={"keys": np.unique(resigned), "involved": involved_ids},
            ).iter_batches(batch_format="numpy")]
            extra_ids = np.unique(np.concatenate(extra)) if extra else np.zeros(0, np.int64)
            if not len(extra_ids):
                break
            involved_ids = np.union1d(involved_ids, extra_ids)
        job.targets = frozenset(found.uid for answers in by_item.values()
                                for _, found in answers if found is not None)
        job.changed()
        return self.ray.data.from_items([
            {"i": item, "first": -1, "result": b"", "summaries": b"",
             "answers": pickle.dumps(answers)} for item, answers in sorted(by_item.items())])


def run(config: RunConfig, inputs: list[str], *, report_stream: IO[str] | None = None,
        observer: Observer | None = None) -> Report:
    """`cleancorp clean --engine ray`; returns the report (its `exit_code` is the result)."""
    import_ray()
    if "-" in inputs or not inputs:
        raise UsageError("--engine ray reads files and folders, not stdin")
    if config.dedup_index:
        raise UsageError("--dedup-index is not supported with --engine ray yet")
    plan = plan_run(config, inputs, stdin_piped=False)
    report = Report(config, report_stream)
    RayRunner(plan, report, observer).run()
    return report


__all__ = ["INSTALL_HINT", "RayRunner", "import_ray", "run"]
