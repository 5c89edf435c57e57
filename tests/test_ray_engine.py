"""`--engine ray` gives the local engine's outputs, byte for byte, and its report records.

One local Ray instance (2 CPUs) serves the module; starting it costs seconds.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SEEDS, read_report, run_cli, tree_bytes, without_timing

ray = pytest.importorskip("ray", reason="the Ray engine is an optional extra: cleancorp[ray]")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def comparable(records: list[dict]) -> list[dict]:
    """Report records that must be equal across engines (the summary names the engine)."""
    out = []
    for rec in without_timing(records):
        if rec["type"] == "summary":
            rec["config"] = {k: v for k, v in rec["config"].items() if k != "engine"}
        out.append(rec)
    return out


def run_both(raw: Path, tmp_path: Path, *extra: str) -> dict[str, tuple[dict, list[dict]]]:
    runs = {}
    for engine in ("local", "ray"):
        out, rep = tmp_path / f"out-{engine}", tmp_path / f"r-{engine}.jsonl"
        result = run_cli("clean", str(raw), "-o", str(out), "--report", str(rep), "-q",
                         "-j", "2", "--engine", engine, *extra)
        assert result.exit_code == 0, result.stderr
        runs[engine] = (tree_bytes(out), comparable(read_report(rep)))
    return runs


# -- a corpus with known duplicates --------------------------------------------------------


def sentences() -> list[str]:
    """Real Chinese sentences: the body paragraphs of the seeds and the clean fixtures."""
    found: set[str] = set()
    files = [*sorted(SEEDS.glob("*.txt")), *sorted((ROOT / "fixtures" / "clean").glob("*.txt"))]
    for path in files:
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = line.strip()
            if len(line) >= 40 and sum("\u4e00" <= c <= "\u9fff" for c in line) > 0.7 * len(line):
                found.update(s.strip() for s in re.findall(r"[^。！？]+[。！？]", line)
                             if 12 <= len(s.strip()) <= 80)
    return sorted(found)


def make_corpus(root: Path, n_docs: int = 2400, seed: int = 5) -> Counter[str]:
    """`n_docs` documents in a JSON Lines file and 60 text files: random paragraphs of
    real sentences, with exact copies, near copies (a few characters changed), chains
    of near copies, and documents repeating a paragraph of an earlier one. Returns how
    many of each kind were planted."""
    rng = random.Random(seed)
    pool = sentences()
    docs: list[str] = []
    planted: Counter[str] = Counter()

    def fresh() -> str:
        picked = rng.sample(pool, 9)
        return "\n\n".join("".join(picked[i:i + 3]) for i in range(0, 9, 3))

    def nudge(text: str) -> str:
        chars = list(text)
        for _ in range(3):
            k = rng.randrange(len(chars))
            if "\u4e00" <= chars[k] <= "\u9fff":
                chars[k] = rng.choice("的一是在不了有和人这中大为上个国")
        return "".join(chars)

    while len(docs) < n_docs:
        roll = rng.random()
        if docs and roll < 0.10:
            docs.append(rng.choice(docs))
            planted["exact"] += 1
        elif docs and roll < 0.20:
            docs.append(nudge(rng.choice(docs)))
            planted["near"] += 1
        elif docs and roll < 0.25:
            docs.append(nudge(docs[-1]))  # a chain: a copy of a copy
            planted["chain"] += 1
        elif docs and roll < 0.32:
            borrowed = rng.choice(rng.choice(docs).split("\n\n"))
            docs.append(fresh() + "\n\n" + borrowed)
            planted["passage"] += 1
        else:
            docs.append(fresh())
    root.mkdir()
    with (root / "records.jsonl").open("w", encoding="utf-8") as fh:
        for n, text in enumerate(docs[:-60]):
            fh.write(json.dumps({"id": n, "text": text}, ensure_ascii=False) + "\n")
    for n, text in enumerate(docs[-60:]):
        (root / f"page-{n:02d}.txt").write_text(text + "\n", encoding="utf-8")
    return planted


# -- the tests -----------------------------------------------------------------------------


def test_seeds_are_byte_identical_with_ray(local_ray: None, seeds_copy: Path,
                                           tmp_path: Path) -> None:
    runs = run_both(seeds_copy, tmp_path)
    outputs, records = runs["local"]
    assert len(outputs) >= 8  # the seeds give several articles: a real comparison
    assert any(r.get("rule") == "repeated-passage" for r in records)
    assert runs["ray"][0] == outputs
    assert runs["ray"][1] == records


def test_generated_corpus_with_duplicates_is_identical_with_ray(local_ray: None,
                                                                tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    planted = make_corpus(raw)
    runs = run_both(raw, tmp_path, "--include", "*.jsonl", "--include", "*.txt")
    outputs, records = runs["local"]
    rules = Counter(r.get("rule") for r in records if r.get("filter") == "dedup")
    # The local engine finds what was planted (exact copies that copy a dropped
    # document are near/exact duplicates of its kept original: counts are lower bounds).
    assert rules["exact-duplicate"] >= planted["exact"] * 0.8
    assert rules["near-duplicate"] >= (planted["near"] + planted["chain"]) * 0.6
    assert rules["repeated-passage"] >= planted["passage"] * 0.5
    assert runs["ray"][0] == outputs
    ray_records = runs["ray"][1]
    # Same records, and in the same order (the shards are merged in stable order).
    assert ray_records == records


def test_ray_engine_needs_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    (tmp_path / "a.txt").write_text("正文。\n", encoding="utf-8")
    result = run_cli("clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"),
                     "--engine", "ray")
    assert result.exit_code == 2
    assert "pip install 'cleancorp[ray]'" in result.stderr
    assert not (tmp_path / "o").exists()


def test_ray_engine_refuses_stdin_and_a_persistent_index(tmp_path: Path) -> None:
    result = run_cli("clean", "-", "--engine", "ray", input="正文。\n")
    assert result.exit_code == 2 and "stdin" in result.stderr
    (tmp_path / "a.txt").write_text("正文。\n", encoding="utf-8")
    result = run_cli("clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"),
                     "--engine", "ray", "--dedup-index", str(tmp_path / "i.sqlite"))
    assert result.exit_code == 2 and "--dedup-index" in result.stderr


def test_a_trimmed_document_meets_a_new_near_duplicate(local_ray: None, tmp_path: Path) -> None:
    """b.txt loses the paragraph it shares with a.txt; what is left of it is a near copy
    of c.txt, which shares no key with b.txt as it was: the resolution must take c.txt
    in (its keys are only known once b.txt is re-signed)."""
    pool = sentences()
    long_a, short, long_b = "".join(pool[:12]), "".join(pool[12:16]), "".join(pool[16:28])
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(f"{long_a}\n\n{long_b}\n", encoding="utf-8")
    (raw / "b.txt").write_text(f"{long_a}\n\n{short}\n", encoding="utf-8")
    nudged = short[:20] + ("的" if short[20] != "的" else "是") + short[21:]
    (raw / "c.txt").write_text(f"{nudged}\n", encoding="utf-8")
    runs = run_both(raw, tmp_path)
    outputs, records = runs["local"]
    rules = {(r["input"], r.get("rule")) for r in records if r.get("filter") == "dedup"}
    assert ("b.txt", "repeated-passage") in rules and ("c.txt", "near-duplicate") in rules
    assert runs["ray"][0] == outputs
    assert runs["ray"][1] == records


def test_parquet_is_read_and_written_by_ray_data_as_by_the_local_engine(
        local_ray: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Parquet file with extra columns (int, string, list, null), several row groups,
    split, dropped and duplicate rows and null texts: the Ray engine (Ray Data's reader,
    a datasink) writes the local engine's file: same path, schema, rows, row groups."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from tests.test_parquet import make_rows, planted, write_parquet

    rows = 1_200
    columns = make_rows(rows)
    assert {planted(i) for i in range(rows)} == {"null", "copy", "compilation", "short", "plain"}
    raw = tmp_path / "raw"
    write_parquet(raw / "sub" / "c.parquet", columns, group_rows=300)
    # And a `save_to_disk` folder (Arrow IPC streams, read by the workers).
    ds = raw / "ds"
    ds.mkdir()
    table = pq.read_table(raw / "sub" / "c.parquet").slice(0, 200)
    with pa.ipc.new_stream(ds / "data-00000-of-00001.arrow", table.schema) as writer:
        for batch in table.to_batches(max_chunksize=70):
            writer.write_batch(batch)
    (ds / "state.json").write_text(json.dumps({"_data_files": [
        {"filename": "data-00000-of-00001.arrow"}]}))
    # Ray Data's blocks far smaller than a row group (as a large file's row groups are
    # to 128 MB blocks): a row group's rows come from several blocks, and blocks hold
    # the end of one row group and the start of the next.
    monkeypatch.setattr(ray.data.DataContext.get_current(), "target_max_block_size", 16 << 10)
    runs = {}
    for engine in ("local", "ray"):
        out, rep = tmp_path / f"out-{engine}", tmp_path / f"r-{engine}.jsonl"
        result = run_cli("clean", str(raw), "-o", str(out), "--report", str(rep), "-q",
                         "-j", "2", "--engine", engine, "--include", "*.parquet")
        assert result.exit_code == 3, result.stderr  # null texts are record errors
        runs[engine] = (out, comparable(read_report(rep)))
    (local, records), (ray_out, ray_records) = runs["local"], runs["ray"]
    names = sorted(p.relative_to(local) for p in local.rglob("*.parquet"))
    assert names == [Path("ds/data-00000-of-00001.parquet"), Path("sub/c.parquet")]
    assert sorted(p.relative_to(ray_out) for p in ray_out.rglob("*.parquet")) == names
    for name in names:
        expected, got = pq.read_table(local / name), pq.read_table(ray_out / name)
        assert got.equals(expected, check_metadata=True), name
        assert "article" in got.schema.names and 1 < got.num_rows < rows + 100
    assert (pq.ParquetFile(ray_out / names[1]).metadata.num_row_groups
            == pq.ParquetFile(local / names[1]).metadata.num_row_groups == 4)
    rules = Counter(r.get("rule") for r in records if r["type"] == "change")
    assert rules["too-short"] and rules["exact-duplicate"] and any(
        r["type"] == "error" for r in records)
    assert ray_records == records
    manifest = [json.loads(line) for line in
                (ray_out / ".cleancorp" / "manifest.jsonl").read_text().splitlines()]
    assert [m["input"] for m in manifest] == ["ds/data-00000-of-00001.arrow", "sub/c.parquet"]


def test_the_datasink_reports_an_output_it_cannot_write(tmp_path: Path) -> None:
    """`write_table_output` (what the datasink's tasks run) stages the file and renames
    it into place; where the target cannot be made, a one-line message, no leftovers."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from cleancorp.parquet_io import Rows, TableLayout
    from cleancorp.ray_engine import write_table_output

    (tmp_path / ".cleancorp" / "tmp").mkdir(parents=True)
    batch = pa.record_batch({"text": ["一", "二", "三"]})
    layout = TableLayout(batch.schema, "text", article=False)
    calls = [(Rows(batch.slice(0, 2)), False), (None, False), (Rows(batch.slice(2)), True)]
    assert write_table_output(tmp_path, "a/b.parquet", layout, calls) is None
    written = pq.ParquetFile(tmp_path / "a" / "b.parquet")
    assert written.read().column("text").to_pylist() == ["一", "二", "三"]
    assert written.metadata.num_row_groups == 1
    (tmp_path / "blocked").write_text("a file where a folder should be")
    error = write_table_output(tmp_path, "blocked/c.parquet", layout, calls)
    assert error is not None and error.startswith("cannot write output:")
    assert "\n" not in error and not list((tmp_path / ".cleancorp" / "tmp").iterdir())
