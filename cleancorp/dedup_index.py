"""Corpus memory of the `dedup` filter: MinHash signatures, LSH, and the indexes.

Everything here stores hashes and signatures, never text (SPEC section 6):

* `minhash` signs the normalised text of a document with one-permutation
  hashing over character 5-grams (word tokenisers do not work for Chinese),
  vectorised with numpy: one 64-bit hash per shingle, the top bits choose one
  of `num_perm` bins, the smallest value per bin is kept, empty bins borrow
  from their right neighbour (rotation densification). Constants are fixed, so
  signatures are comparable across runs and machines.
* `band_keys` cuts a signature into LSH bands; documents sharing a band key
  are *candidates*, and a drop is always confirmed on the full signatures.
* `MemoryIndex` holds one layer of documents (exact hash, signature, bands,
  paragraph hashes) in numpy arrays and a few dicts; `SqliteIndex` is the
  persistent ``--dedup-index``; `CorpusIndex` combines them into the state the
  runner drives (`commit`, `output_name`, `close`).

Bytes per document held in memory (num_perm=128, 25 bands): the signature
512, the exact hash 16, band entries 25 x 16 = 400, plus the uid/source/output
strings (about 150 with Python's overhead): about 1.1 kB, and 16 bytes per
paragraph of at least 50 characters. See `MemoryIndex.nbytes`.

>>> a = minhash("驾校在创业的历程中大力弘扬自主改革自求发展自加压力敢于争先的朔州精神")
>>> b = minhash("驾校在创业的历程中大力弘扬自主改革自求发展自加压力敢于争先的朔州精神们")
>>> a.dtype, a.shape, round(estimate_jaccard(a, b), 1)
(dtype('uint32'), (128,), 0.9)
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cleancorp.errors import UsageError

#: SPEC section 2: MinHash on character 5-grams of the normalised text.
SHINGLE_CHARS = 5
#: Format marker and version of the SQLite index (its `meta` table).
INDEX_FORMAT = "cleancorp-dedup-index"
INDEX_VERSION = 1

_M64 = (1 << 64) - 1
# Fixed odd 64-bit constants (the "fixed seeds"): the polynomial base of the
# shingle hash and the splitmix64 finaliser, which spreads it over all 64 bits.
_BASE = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
# Rotation densification adds this (odd) offset per bin travelled.
_DENSIFY = np.uint32(0x6A09E667)
_EMPTY = np.uint32(0xFFFFFFFF)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser over a uint64 array (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


def shingle_hashes(text: str, k: int = SHINGLE_CHARS) -> np.ndarray:
    """64-bit hashes of the character k-grams of `text`, computed all at once.

    A text shorter than k is one shingle.

    >>> len(shingle_hashes("一二三四五六")), len(shingle_hashes("一二")), len(shingle_hashes(""))
    (2, 1, 0)
    >>> bool((shingle_hashes("甲乙丙丁戊己") [1:] == shingle_hashes("乙丙丁戊己")).all())
    True
    """
    if not text:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        k, n = len(codes), 1
    with np.errstate(over="ignore"):
        h = codes[0:n].copy()
        for j in range(1, k):
            h = h * _BASE + codes[j : j + n]
        return _mix(h)


def minhash(text: str, num_perm: int = 128) -> np.ndarray:
    """The one-permutation MinHash signature (uint32 x num_perm) of normalised text.

    `num_perm` must be a power of two. Returns an all-``0xFFFFFFFF`` signature
    for empty text (it equals only other empty texts).
    """
    bits = num_perm.bit_length() - 1
    if num_perm < 2 or 1 << bits != num_perm:
        raise ValueError(f"num_perm must be a power of two, got {num_perm}")
    h = np.sort(shingle_hashes(text))
    sig = np.full(num_perm, _EMPTY, dtype=np.uint32)
    if not len(h):
        return sig
    bins = (h >> np.uint64(64 - bits)).astype(np.intp)
    values = ((h >> np.uint64(32 - bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    first = np.empty(len(h), dtype=bool)
    first[0] = True
    np.not_equal(bins[1:], bins[:-1], out=first[1:])
    sig[bins[first]] = values[first]
    filled = np.flatnonzero(np.bincount(bins[first], minlength=num_perm))
    if len(filled) < num_perm:
        # Rotation densification: an empty bin takes the value of the next filled
        # bin to its right (circularly), shifted by the distance, so two texts
        # agree on it exactly when they agree on that neighbour.
        empty = np.setdiff1d(np.arange(num_perm), filled)
        pos = np.searchsorted(filled, empty) % len(filled)
        src = filled[pos]
        dist = ((src - empty) % num_perm).astype(np.uint32)
        with np.errstate(over="ignore"):
            sig[empty] = sig[src] + dist * _DENSIFY
    return sig


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The share of equal signature slots: an estimate of the 5-gram Jaccard index."""
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per LSH band (rows consecutive slots and the band number).

    >>> band_keys(minhash("今天天气很好"), 25, 5).shape
    (25,)
    """
    block = sig[: bands * rows].reshape(bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.arange(1, bands + 1, dtype=np.uint64) * _MIX2
        for r in range(rows):
            acc = acc * _BASE + block[:, r]
        return _mix(acc)


def text_hash(text: str) -> int:
    """A stable signed 64-bit hash of a text (SQLite's INTEGER is signed).

    >>> text_hash("正文") == text_hash("正文"), text_hash("正文") == text_hash("正")
    (True, False)
    """
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _signed(keys: np.ndarray) -> list[int]:
    return keys.view(np.int64).tolist()


# -- one layer in memory ---------------------------------------------------------------


class HashMultiMap:
    """An append-only map from 64-bit keys to int values, several values per key.

    Recent entries live in a dict; every `FLUSH` entries they are frozen into
    sorted numpy arrays (merged like a binary counter, so each entry is re-sorted
    O(log n) times): 16 bytes per entry instead of a dict slot's ~100.
    """

    FLUSH = 1 << 15

    def __init__(self) -> None:
        self._recent: dict[int, list[int]] = {}
        self._recent_n = 0
        self._levels: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return self._recent_n + sum(len(k) for k, _ in self._levels)

    @property
    def nbytes(self) -> int:
        """Bytes held (arrays exactly, the dict part estimated at 100 per entry)."""
        return sum(k.nbytes + v.nbytes for k, v in self._levels) + 100 * self._recent_n

    def add(self, key: int, value: int) -> None:
        self._recent.setdefault(key, []).append(value)
        self._recent_n += 1
        if self._recent_n >= self.FLUSH:
            self._flush()

    def get(self, key: int) -> list[int]:
        """Every value stored under `key`, in insertion order."""
        out: list[int] = []
        for keys, values in self._levels:
            lo = np.searchsorted(keys, key, "left")
            hi = np.searchsorted(keys, key, "right")
            if hi > lo:
                out.extend(values[lo:hi].tolist())
        out.extend(self._recent.get(key, ()))
        return out

    def _flush(self) -> None:
        pairs = [(k, v) for k, vs in self._recent.items() for v in vs]
        keys = np.array([k for k, _ in pairs], dtype=np.int64)
        values = np.array([v for _, v in pairs], dtype=np.int64)
        self._recent, self._recent_n = {}, 0
        while self._levels and len(self._levels[-1][0]) <= len(keys):
            k2, v2 = self._levels.pop()
            keys, values = np.concatenate([k2, keys]), np.concatenate([v2, values])
        # A stable sort keeps insertion order among equal keys (earliest first).
        order = np.argsort(keys, kind="stable")
        self._levels.append((keys[order], values[order]))


@dataclass(slots=True)
class Entry:
    """What the index keeps of one kept document (no text)."""

    uid: str
    source: str
    hash: int
    sig: np.ndarray
    paras: list[tuple[int, int]]  # (paragraph hash, input line)
    output: str | None = None


@dataclass(slots=True)
class Match:
    """A kept document (or passage) that a new one repeats."""

    uid: str
    similarity: float = 1.0
    line: int | None = None


class MemoryIndex:
    """One layer of kept documents: exact hashes, signatures, LSH bands, paragraphs."""

    def __init__(self, num_perm: int, bands: int, rows: int) -> None:
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.uids: list[str] = []
        self.sources: list[str] = []
        self.outputs: list[str | None] = []
        self._sigs = np.zeros((16, num_perm), dtype=np.uint32)
        self._exact = HashMultiMap()
        self._bands = HashMultiMap()
        self._paras = HashMultiMap()  # value: doc << 32 | input line
        self._by_uid: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.uids)

    @property
    def nbytes(self) -> int:
        """Bytes of the index proper (signatures and hash maps; strings excluded)."""
        n = len(self.uids)
        return (n * self.num_perm * 4 + self._exact.nbytes + self._bands.nbytes
                + self._paras.nbytes)

    def add(self, entry: Entry) -> int:
        doc = len(self.uids)
        if doc == len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
        self._sigs[doc] = entry.sig
        self.uids.append(entry.uid)
        self.sources.append(entry.source)
        self.outputs.append(entry.output)
        self._by_uid[entry.uid] = doc
        self._exact.add(entry.hash, doc)
        for key in _signed(band_keys(entry.sig, self.bands, self.rows)):
            self._bands.add(key, doc)
        for phash, line in entry.paras:
            self._paras.add(phash, doc << 32 | (line & 0xFFFFFFFF))
        return doc

    def output_name(self, uid: str) -> str | None:
        doc = self._by_uid.get(uid)
        return None if doc is None else self.outputs[doc]

    def find_exact(self, hash_: int) -> Match | None:
        docs = self._exact.get(hash_)
        return Match(self.uids[docs[0]], 1.0) if docs else None

    def find_near(self, sig: np.ndarray, keys: Sequence[int], threshold: float) -> Match | None:
        """The kept document whose signature agrees most with `sig` (at least
        `threshold`), among the LSH candidates; the earliest on ties."""
        cands = sorted({d for key in keys for d in self._bands.get(key)})
        if not cands:
            return None
        sims = np.count_nonzero(self._sigs[cands] == sig, axis=1) / self.num_perm
        best = int(np.argmax(sims))  # argmax takes the first (earliest) maximum
        if sims[best] < threshold:
            return None
        return Match(self.uids[cands[best]], float(sims[best]))

    def find_passage(self, phash: int) -> Match | None:
        values = self._paras.get(phash)
        if not values:
            return None
        doc, line = values[0] >> 32, values[0] & 0xFFFFFFFF
        return Match(self.uids[doc], 1.0, line)


# -- the persistent index --------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (id INTEGER PRIMARY KEY, source TEXT NOT NULL, uid TEXT NOT NULL,
                   output TEXT, hash INTEGER NOT NULL, sig BLOB NOT NULL);
CREATE INDEX docs_hash ON docs (hash);
CREATE INDEX docs_source ON docs (source);
CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE paras (hash INTEGER NOT NULL, doc INTEGER NOT NULL, line INTEGER NOT NULL,
                    PRIMARY KEY (hash, doc, line)) WITHOUT ROWID;
"""


class SqliteIndex:
    """The ``--dedup-index`` file: documents kept by earlier runs (and this one).

    Rows carry their source; lookups ignore rows of the source being processed
    (a re-run after an interruption must not match its own earlier work) and
    rows written by this run (those are matched in memory).
    """

    def __init__(self, path: str, params: dict[str, int], *, readonly: bool) -> None:
        self.path = path
        self.params = params
        self.readonly = readonly
        self.conn: sqlite3.Connection | None = None
        exists = Path(path).exists() and Path(path).stat().st_size > 0
        if readonly and not exists:
            return  # --check against a missing index: nothing to match, nothing to create
        try:
            if readonly:
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True)
            else:
                self.conn = sqlite3.connect(path)
        except sqlite3.Error as exc:
            raise UsageError(f"--dedup-index {path}: cannot open ({exc})") from None
        try:
            if exists:
                self._check()
            else:
                self._create()
            if not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            row = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM docs").fetchone()
        except sqlite3.DatabaseError as exc:
            self._fail(f"not a cleancorp dedup index ({exc})")
        self.last_earlier = int(row[0])

    def _fail(self, why: str) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        raise UsageError(f"--dedup-index {self.path}: {why}")

    def _create(self) -> None:
        assert self.conn is not None
        with self.conn:
            self.conn.executescript(_SCHEMA)
            meta = {"format": INDEX_FORMAT, "version": str(INDEX_VERSION),
                    **{k: str(v) for k, v in self.params.items()}}
            self.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))

    def _check(self) -> None:
        assert self.conn is not None
        try:
            meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            self._fail("not a cleancorp dedup index")
        if meta.get("format") != INDEX_FORMAT:
            self._fail("not a cleancorp dedup index")
        if meta.get("version") != str(INDEX_VERSION):
            self._fail(f"index version {meta.get('version')}, this cleancorp writes {INDEX_VERSION}")
        for key, value in self.params.items():
            if meta.get(key) != str(value):
                self._fail(f"built with {key}={meta.get(key)}, this run uses {key}={value}; "
                           "signatures are not comparable (use another index file)")

    def _earlier(self, source: str) -> tuple[str, int]:
        return source, self.last_earlier

    def find_exact(self, hash_: int, source: str) -> Match | None:
        if self.conn is None:
            return None
        row = self.conn.execute(
            "SELECT uid FROM docs WHERE hash = ? AND source != ? AND id <= ? ORDER BY id LIMIT 1",
            (hash_, *self._earlier(source))).fetchone()
        return Match(row[0], 1.0) if row else None

    def find_near(self, sig: np.ndarray, keys: Sequence[int], source: str,
                  threshold: float) -> Match | None:
        if self.conn is None or not keys:
            return None
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT DISTINCT d.id, d.uid, d.sig FROM bands b JOIN docs d ON d.id = b.doc "
            f"WHERE b.key IN ({marks}) AND d.source != ? AND d.id <= ? ORDER BY d.id",
            (*keys, *self._earlier(source))).fetchall()
        best: Match | None = None
        for _, uid, blob in rows:
            sim = estimate_jaccard(np.frombuffer(blob, dtype=np.uint32), sig)
            if sim >= threshold and (best is None or sim > best.similarity):
                best = Match(uid, sim)
        return best

    def find_passage(self, phash: int, source: str) -> Match | None:
        if self.conn is None:
            return None
        row = self.conn.execute(
            "SELECT d.uid, p.line FROM paras p JOIN docs d ON d.id = p.doc "
            "WHERE p.hash = ? AND d.source != ? AND d.id <= ? ORDER BY d.id, p.line LIMIT 1",
            (phash, *self._earlier(source))).fetchone()
        return Match(row[0], 1.0, row[1]) if row else None

    def output_name(self, uid: str) -> str | None:
        if self.conn is None:
            return None
        row = self.conn.execute("SELECT output FROM docs WHERE uid = ? ORDER BY id DESC LIMIT 1",
                                (uid,)).fetchone()
        return row[0] if row else None

    def write(self, entries: Sequence[Entry], bands: int, rows: int) -> None:
        """Replace the rows of these entries' sources by the entries, in one transaction."""
        if self.conn is None or self.readonly or not entries:
            return
        with self.conn:
            for source in dict.fromkeys(e.source for e in entries):
                old = [r[0] for r in self.conn.execute(
                    "SELECT id FROM docs WHERE source = ?", (source,))]
                for table, col in (("bands", "doc"), ("paras", "doc"), ("docs", "id")):
                    self.conn.executemany(f"DELETE FROM {table} WHERE {col} = ?",
                                          [(i,) for i in old])
            for e in entries:
                cur = self.conn.execute(
                    "INSERT INTO docs (source, uid, output, hash, sig) VALUES (?, ?, ?, ?, ?)",
                    (e.source, e.uid, e.output, e.hash, e.sig.astype(np.uint32).tobytes()))
                doc = cur.lastrowid
                self.conn.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)",
                                      [(k, doc) for k in _signed(band_keys(e.sig, bands, rows))])
                self.conn.executemany("INSERT OR IGNORE INTO paras VALUES (?, ?, ?)",
                                      [(h, doc, line) for h, line in e.paras])

    def close(self) -> None:
        if self.conn is None:
            return
        if not self.readonly:
            # Leave one self-contained file (no -wal/-shm beside it) for the next run.
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("PRAGMA journal_mode=DELETE")
        self.conn.close()
        self.conn = None


# -- the run's state ---------------------------------------------------------------------


@dataclass
class CorpusIndex:
    """The corpus state of one run (what `DedupFilter.open_corpus` returns).

    Three layers, searched earliest first: the persistent index (earlier runs),
    the documents this run has committed, and the pending documents of the
    input being finished (later articles of a file must see earlier ones before
    the file's outputs are written). `commit` moves the documents that survived
    the whole pipeline from pending to committed (and to the SQLite file);
    pending documents that a later filter dropped are forgotten.
    """

    num_perm: int = 128
    bands: int = 25
    rows: int = 5
    persistent: SqliteIndex | None = None
    committed: MemoryIndex = field(init=False)
    pending: MemoryIndex = field(init=False)
    _pending: list[Entry] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.committed = MemoryIndex(self.num_perm, self.bands, self.rows)
        self.pending = MemoryIndex(self.num_perm, self.bands, self.rows)

    def _layers(self) -> Iterable[MemoryIndex]:
        return (self.committed, self.pending)

    def _new_input(self, source: str) -> None:
        # An input whose outputs failed never commits: its pending documents
        # must not be matched by the next input.
        if self._pending and self._pending[-1].source != source:
            self._reset_pending()

    def _reset_pending(self) -> None:
        self.pending = MemoryIndex(self.num_perm, self.bands, self.rows)
        self._pending = []

    def keys(self, sig: np.ndarray) -> list[int]:
        return _signed(band_keys(sig, self.bands, self.rows))

    def _earliest(self, method: str, key: int, source: str) -> Match | None:
        """The first layer's answer to `method(key)`, earliest layer first (the
        persistent index also needs the source, to skip the input's own rows)."""
        self._new_input(source)
        if self.persistent is not None:
            found = getattr(self.persistent, method)(key, source)
            if found:
                return found
        for layer in self._layers():
            found = getattr(layer, method)(key)
            if found:
                return found
        return None

    def find_exact(self, hash_: int, source: str) -> Match | None:
        return self._earliest("find_exact", hash_, source)

    def find_near(self, sig: np.ndarray, source: str, threshold: float) -> Match | None:
        self._new_input(source)
        keys = self.keys(sig)
        best: Match | None = None
        found = [self.persistent.find_near(sig, keys, source, threshold)
                 if self.persistent is not None else None]
        found += [layer.find_near(sig, keys, threshold) for layer in self._layers()]
        for match in found:
            # Strictly better only: on a tie the earlier layer's document wins.
            if match is not None and (best is None or match.similarity > best.similarity):
                best = match
        return best

    def find_passage(self, phash: int, source: str) -> Match | None:
        return self._earliest("find_passage", phash, source)

    def add_pending(self, entry: Entry) -> None:
        self._new_input(entry.source)
        self.pending.add(entry)
        self._pending.append(entry)

    def discard(self, uid: str) -> None:
        """Forget a pending document that a later filter dropped: it was never kept, so
        nothing is a copy of it. (Rare: the pending layer is rebuilt without it.)"""
        rest = [e for e in self._pending if e.uid != uid]
        if len(rest) == len(self._pending):
            return
        self._reset_pending()
        for entry in rest:
            self.pending.add(entry)
            self._pending.append(entry)

    def commit(self, docs: Sequence[Any], names: Sequence[str | None]) -> None:
        """Make the documents that were written permanent, with their output names."""
        name_of = {d.uid: n for d, n in zip(docs, names, strict=True)}
        kept = [e for e in self._pending if e.uid in name_of]
        for e in kept:
            e.output = name_of[e.uid]
            self.committed.add(e)
        if self.persistent is not None:
            self.persistent.write(kept, self.bands, self.rows)
        self._reset_pending()

    def output_name(self, uid: str) -> str | None:
        """The output file of a kept document: this run's, else an earlier run's."""
        name = self.committed.output_name(uid)
        if name is None and self.persistent is not None:
            name = self.persistent.output_name(uid)
        return name

    @property
    def bytes_per_document(self) -> float:
        """Memory of the committed layer per document (index proper, no strings)."""
        return self.committed.nbytes / max(1, len(self.committed))

    def close(self) -> None:
        if self.persistent is not None:
            self.persistent.close()


def open_index(path: str | None, *, check: bool, num_perm: int, bands: int,
               rows: int) -> CorpusIndex:
    """The corpus state of a run; with `path`, backed by the SQLite index there
    (created when missing, never written with `check`)."""
    persistent = None
    if path is not None:
        params = {"shingle_chars": SHINGLE_CHARS, "num_perm": num_perm, "bands": bands,
                  "rows": rows}
        persistent = SqliteIndex(path, params, readonly=check)
    return CorpusIndex(num_perm, bands, rows, persistent)


__all__ = ["CorpusIndex", "Entry", "Match", "MemoryIndex", "SqliteIndex", "band_keys",
           "estimate_jaccard", "minhash", "open_index", "shingle_hashes", "text_hash"]
