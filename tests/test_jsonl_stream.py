"""JSON Lines corpora: streamed in batches, compressed in and out, order and fields kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard
from conftest import FIXTURES, SEEDS, read_report, run_cli, without_timing

from cleancorp import runner

TEXTS = [p.read_text(encoding="utf-8") for p in
         [*sorted(SEEDS.glob("*.txt")), *sorted((FIXTURES / "clean").glob("*.txt"))]]


def corpus_lines(n: int) -> list[bytes]:
    """n records cycling through real documents (so later ones are duplicates),
    with a bad line and a record without text now and then."""
    lines = []
    for i in range(n):
        if i % 97 == 13:
            lines.append(b"{not json")
        elif i % 89 == 7:
            lines.append(json.dumps({"id": i, "body": "no text"}).encode())
        else:
            lines.append(json.dumps({"id": i, "text": TEXTS[i % len(TEXTS)], "lang": "zh"},
                                    ensure_ascii=False).encode())
    return lines


def write(path: Path, lines: list[bytes]) -> None:
    data = b"".join(line + b"\n" for line in lines)
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)


def read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data.decode("utf-8").splitlines()


@pytest.mark.parametrize("name", ["c.jsonl", "c.jsonl.gz", "c.jsonl.zst"])
def test_streamed_batches_give_the_same_result_as_one_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    write(raw / name, corpus_lines(120))
    results = {}
    for label, records in (("one-batch", 10_000), ("many-batches", 7)):
        monkeypatch.setattr(runner, "JSONL_BATCH_RECORDS", records)
        out, rep = tmp_path / f"out-{label}", tmp_path / f"r-{label}.jsonl"
        result = run_cli("clean", str(raw), "-o", str(out), "--include", "*.jsonl*",
                         "--report", str(rep), "-j", "1")
        assert result.exit_code == 3  # the bad records are errors, passed through
        results[label] = (read_lines(out / name), without_timing(read_report(rep)))
    assert results["one-batch"] == results["many-batches"]
    lines, report = results["many-batches"]
    objs = [json.loads(line) for line in lines if line.startswith('{"id"')]
    ids = [o["id"] for o in objs]
    assert ids == sorted(ids)  # input order kept
    assert "{not json" in lines and '{"id": 7, "body": "no text"}' in lines
    # the first copy of each document is kept; later copies are dropped, or keep only
    # what no earlier kept document has (a title line or two: dedup works by paragraph)
    kept_texts = [o for o in objs if "text" in o]
    first_id = {}
    for o in kept_texts:
        first_id.setdefault(o["id"] % len(TEXTS), o["id"])
    first_round = {o["text"] for o in kept_texts if o["id"] == first_id[o["id"] % len(TEXTS)]}
    later = [o for o in kept_texts if o["id"] != first_id[o["id"] % len(TEXTS)]]
    assert not any(o["text"] in first_round for o in later)
    assert all(len(o["text"]) < 40 for o in later)
    assert any("part" in o for o in kept_texts)  # compilations split into one object a part
    assert all(o["lang"] == "zh" for o in kept_texts)  # other fields untouched
    drops = [r for r in report if r["type"] == "change" and r["action"] == "drop"]
    assert drops and all(r["record"] > 10 for r in drops if r["rule"].endswith("duplicate"))
    file_rec = next(r for r in report if r["type"] == "file")
    assert file_rec["outputs"] == [name] and file_rec["bytes_in"] == len(
        b"".join(line + b"\n" for line in corpus_lines(120)))


def test_jobs_do_not_change_streamed_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.setattr(runner, "JSONL_BATCH_RECORDS", 5)  # read by the parent only
    raw = tmp_path / "raw"
    raw.mkdir()
    write(raw / "a.jsonl", corpus_lines(60))
    (raw / "b.txt").write_text(TEXTS[0], encoding="utf-8")
    runs = {}
    for jobs in ("1", "2"):
        out, rep = tmp_path / f"o{jobs}", tmp_path / f"r{jobs}.jsonl"
        run_cli("clean", str(raw), "-o", str(out), "--include", "*.jsonl", "--include", "*.txt",
                "--report", str(rep), "-j", jobs)
        runs[jobs] = (read_lines(out / "a.jsonl"), without_timing(read_report(rep)))
    assert runs["1"] == runs["2"]


def test_stdin_jsonl_is_streamed_to_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "JSONL_BATCH_RECORDS", 3)
    data = b"".join(line + b"\n" for line in corpus_lines(20))
    result = run_cli("clean", "-", "--input-format", "jsonl", "-q", input=data)
    assert result.exit_code == 3
    out = result.stdout_bytes.decode().splitlines()
    assert out[0].startswith('{"id": 0, "text": ') and "{not json" in out
