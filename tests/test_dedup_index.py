"""MinHash signing, LSH and the dedup indexes (memory and SQLite)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cleancorp.chardata import COMMON_HAN
from cleancorp.dedup_index import (
    CorpusIndex,
    Entry,
    HashMultiMap,
    MemoryIndex,
    estimate_jaccard,
    minhash,
    open_index,
    shingle_hashes,
    text_hash,
)
from cleancorp.errors import UsageError

HAN = sorted(COMMON_HAN)


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HAN) for _ in range(n))


def _jaccard(a: str, b: str, k: int = 5) -> float:
    sa = {a[i : i + k] for i in range(len(a) - k + 1)}
    sb = {b[i : i + k] for i in range(len(b) - k + 1)}
    return len(sa & sb) / len(sa | sb)


def _mutate(rng: random.Random, text: str, rate: float) -> str:
    chars = list(text)
    for _ in range(round(rate * len(chars))):
        i = rng.randrange(len(chars))
        if rng.random() < 0.7:
            chars[i] = rng.choice(HAN)
        else:
            del chars[i]
    return "".join(chars)


def _entry(uid: str, text: str, source: str | None = None, paras=()) -> Entry:
    return Entry(uid, source or uid.split("#")[0], text_hash(text), minhash(text), list(paras))


def test_signature_is_deterministic_and_position_free() -> None:
    rng = random.Random(1)
    text = _text(rng, 3000)
    a, b = minhash(text), minhash(text)
    assert a.dtype == np.uint32 and (a == b).all()
    # shingles are hashed independently of where they sit
    assert (shingle_hashes(text)[100:200] == shingle_hashes(text[100:])[:100]).all()
    assert estimate_jaccard(minhash(text), minhash(_text(rng, 3000))) < 0.05
    assert (minhash("") == minhash("")).all() and estimate_jaccard(minhash(""), minhash("甲乙丙丁戊")) == 0
    with pytest.raises(ValueError):
        minhash(text, 100)


def test_precision_recall_against_exact_jaccard() -> None:
    """A few thousand documents whose true 5-gram Jaccard with their original spreads
    over 0.6-1.0: the drop decision (LSH candidates + signature) against exact Jaccard."""
    rng = random.Random(20240501)
    index = CorpusIndex()
    originals = []
    for n in range(800):
        text = _text(rng, rng.randint(200, 2000))
        originals.append(text)
        index.add_pending(_entry(f"orig/{n}.txt#0.0", text, source="orig"))
    index.commit([SimpleNamespace(uid=e.uid) for e in index._pending],
                 [e.uid for e in index._pending])
    tp = fp = fn = tn = 0
    border: list[tuple[float, bool]] = []
    for n, text in enumerate(originals):
        for _ in range(3):
            # substitution/deletion rates of 0-6% give Jaccard 1.0 down to about 0.6
            variant = _mutate(rng, text, rng.uniform(0.0, 0.06))
            true_j = _jaccard(text, variant)
            found = index.find_near(minhash(variant), "variants", 0.8)
            assert found is None or found.uid == f"orig/{n}.txt#0.0"
            dropped, positive = found is not None, true_j >= 0.8
            if abs(true_j - 0.8) < 0.05:
                border.append((true_j, dropped))
                continue
            tp += dropped and positive
            fp += dropped and not positive
            fn += positive and not dropped
            tn += not dropped and not positive
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    border_agree = sum((j >= 0.8) == d for j, d in border) / len(border)
    print(f"\nprecision {precision:.4f} recall {recall:.4f} (n={tp + fp + fn + tn}); "
          f"within 0.05 of the threshold: {len(border)} pairs, {border_agree:.3f} agree")
    assert tp + fn > 500 and fp + tn > 300  # the spread really covers both sides
    assert precision >= 0.95 and recall >= 0.95
    assert border_agree >= 0.7  # the borderline pairs are reported, loosely checked


def test_multimap_flushes_and_keeps_insertion_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HashMultiMap, "FLUSH", 4)
    m = HashMultiMap()
    for v in range(50):
        m.add(v % 7 - 3, v)
    assert m.get(-3) == list(range(0, 50, 7))
    assert m.get(99) == [] and len(m) == 50
    assert len(m._levels) >= 2 and m.nbytes < 50 * 100


def test_memory_index_layers_and_passages() -> None:
    idx = MemoryIndex(128, 25, 5)
    rng = random.Random(5)
    a = _text(rng, 800)
    idx.add(_entry("a.txt#0.0", a, paras=[(text_hash("段落"), 7)]))
    assert idx.find_exact(text_hash(a)).uid == "a.txt#0.0"
    from cleancorp.dedup_index import band_keys
    sig = minhash(a[:-10] + "改")
    keys = band_keys(sig, 25, 5).view(np.int64).tolist()
    near = idx.find_near(sig, keys, 0.8)
    assert near.uid == "a.txt#0.0" and 0.9 < near.similarity < 1
    assert idx.find_passage(text_hash("段落")).line == 7


def test_bytes_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HashMultiMap, "FLUSH", 1024)
    idx = MemoryIndex(128, 25, 5)
    rng = random.Random(6)
    for n in range(3000):
        idx.add(_entry(f"d{n}.txt#0.0", _text(rng, 60)))
    per_doc = idx.nbytes / len(idx)
    print(f"\nmemory index: {per_doc:.0f} bytes per document (+ uid/output strings)")
    # signature 512 B + 25 bands x 16 B + exact hash 16 B = 928 B, plus unflushed slack
    assert 928 <= per_doc < 1100


def test_pending_documents_dropped_later_are_forgotten() -> None:
    state = CorpusIndex()
    state.add_pending(_entry("a.txt#0.1", "第一篇文章的内容在这里"))
    state.add_pending(_entry("a.txt#0.2", "第二篇文章的内容在这里"))
    # later articles of the same input see the earlier ones before commit
    assert state.find_exact(text_hash("第一篇文章的内容在这里"), "a.txt").uid == "a.txt#0.1"
    # article 2 was dropped by a later filter: commit gets article 1 only
    state.commit([SimpleNamespace(uid="a.txt#0.1")], ["a.001.txt"])
    assert state.find_exact(text_hash("第二篇文章的内容在这里"), "b.txt") is None
    assert state.output_name("a.txt#0.1") == "a.001.txt"
    # an input that never committed (its write failed) is not matched by the next one
    state.add_pending(_entry("c.txt#0.0", "丙文"))
    assert state.find_exact(text_hash("丙文"), "d.txt") is None


# -- SQLite ----------------------------------------------------------------------------


def _run(path: Path, docs: list[tuple[str, str, str]], *, check: bool = False) -> list:
    """One run over (uid, text, output): return each document's match (or None)."""
    state = open_index(str(path), check=check, num_perm=128, bands=25, rows=5)
    found = []
    try:
        for uid, text, output in docs:
            source = uid.split("#")[0]
            match = state.find_exact(text_hash(text), source) or state.find_near(
                minhash(text), source, 0.8)
            found.append(match and (match.uid, state.output_name(match.uid)))
            if match is None:
                state.add_pending(_entry(uid, text))
                state.commit([SimpleNamespace(uid=uid)], [output])
    finally:
        state.close()
    return found


def test_sqlite_second_run_matches_earlier_runs(tmp_path: Path) -> None:
    rng = random.Random(7)
    a, b = _text(rng, 1500), _text(rng, 1500)
    db = tmp_path / "index.sqlite"
    assert _run(db, [("a.txt#0.0", a, "a.txt"), ("b.txt#0.0", b, "b.txt")]) == [None, None]
    assert not (tmp_path / "index.sqlite-wal").exists()  # one self-contained file
    # renamed copies (one slightly edited) match the first run's documents by name
    found = _run(db, [("x.txt#0.0", a, "x.txt"), ("y.txt#0.0", b[:-5], "y.txt"),
                      ("z.txt#0.0", _text(rng, 900), "z.txt")])
    assert found == [("a.txt#0.0", "a.txt"), ("b.txt#0.0", "b.txt"), None]
    # re-processing the same sources never matches their own rows (an interrupted run
    # completes instead of dropping its own work), and replaces them
    assert _run(db, [("a.txt#0.0", a, "a.txt"), ("b.txt#0.0", b, "b.txt")]) == [None, None]
    rows = sqlite3.connect(db).execute("SELECT source, COUNT(*) FROM docs GROUP BY source").fetchall()
    assert dict(rows) == {"a.txt": 1, "b.txt": 1, "z.txt": 1}
    size = db.stat().st_size
    print(f"\nSQLite index: {size} bytes for 3 documents")


def test_sqlite_check_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite"
    _run(db, [("a.txt#0.0", "甲乙丙丁戊己庚辛", "a.txt")], check=True)
    assert not db.exists()  # --check never creates the index
    _run(db, [("a.txt#0.0", "甲乙丙丁戊己庚辛", "a.txt")])
    before = db.read_bytes()
    found = _run(db, [("b.txt#0.0", "甲乙丙丁戊己庚辛", "b.txt"), ("c.txt#0.0", "新的文本内容", "c.txt")],
                 check=True)
    assert found == [("a.txt#0.0", "a.txt"), None]
    assert db.read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 40, "foreign", "params"])
def test_sqlite_foreign_or_corrupt_file_is_a_clear_error(tmp_path: Path, content) -> None:
    db = tmp_path / "index.sqlite"
    if content == "foreign":
        sqlite3.connect(db).executescript("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
    elif content == "params":
        _run(db, [("a.txt#0.0", "甲乙丙丁戊己", "a.txt")])
    else:
        db.write_bytes(content)
    before = db.read_bytes()
    bands = 16 if content == "params" else 25
    with pytest.raises(UsageError, match=r"--dedup-index .*index\.sqlite: "):
        open_index(str(db), check=False, num_perm=128, bands=bands, rows=5)
    assert db.read_bytes() == before  # never silently replaced
