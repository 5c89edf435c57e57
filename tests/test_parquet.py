"""Parquet inputs and outputs: rows streamed by row group, other columns kept, split rows
numbered in `article`, dropped rows absent and reported (SPEC 1.2, as for JSON Lines)."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, SEEDS, read_report, run_cli, without_timing

from cleancorp import parquet_io

pa = pytest.importorskip("pyarrow", reason="Parquet support is the extra cleancorp[parquet]")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 10_000
GROUP_ROWS = 1_000


def sentences() -> list[str]:
    """Real Chinese sentences of the seeds and the clean fixtures (12-60 characters)."""
    found: set[str] = set()
    for path in [*sorted(SEEDS.glob("*.txt")), *sorted((FIXTURES / "clean").glob("*.txt"))]:
        for line in path.read_text("utf-8", errors="replace").splitlines():
            found.update(s.strip() for s in re.findall(r"[^。！？\s]+[。！？]", line)
                         if 12 <= len(s.strip()) <= 60
                         and sum("\u4e00" <= c <= "\u9fff" for c in s) > 0.8 * len(s.strip()))
    return sorted(found)


def planted(i: int) -> str:
    """What `make_rows` planted in row i."""
    if i % 97 == 40:
        return "null"
    if i % 101 == 50 and i > 100:
        return "copy"
    if i % 211 == 100:
        return "compilation"
    if i % 503 == 250:
        return "short"
    return "plain"


def make_rows(n: int, seed: int = 17) -> dict[str, list]:
    """`n` short documents with extra columns of several types. Planted: null texts
    (every 97th row), exact copies of an earlier row (every 101st), compilations of
    two articles (every 211th), texts too short to keep (every 503rd), and dirty text
    (ASCII commas inside Chinese, zero-width spaces) everywhere else now and then."""
    rng = random.Random(seed)
    pool = sentences()
    texts: list[str | None] = []
    for i in range(n):
        kind = planted(i)
        if kind == "null":
            texts.append(None)
        elif kind == "copy":
            texts.append(texts[i - 100] if texts[i - 100] is not None else texts[i - 99])
        elif kind == "compilation":
            a, b = rng.sample(pool, 4), rng.sample(pool, 4)
            texts.append(f"第一篇：春天的故事{i}\n{''.join(a)}\n第二篇：秋天的田野{i}\n{''.join(b)}")
        elif kind == "short":
            texts.append("太短了")
        else:
            text = "".join(rng.sample(pool, 3))
            if i % 3 == 0:
                text = text.replace("，", ",", 1)
            if i % 7 == 0:
                text = text[:5] + "\u200b" + text[5:]
            texts.append(text)
    return {
        "id": list(range(n)),
        "text": texts,
        "lang": ["zh-" + "abc"[i % 3] for i in range(n)],
        "tags": [[f"t{i % 7}", "web"] if i % 5 else [] for i in range(n)],
        "note": [None if i % 2 else f"n{i}" for i in range(n)],
        "nothing": [None] * n,
    }


SCHEMA = pa.schema([("id", pa.int64()), ("text", pa.string()), ("lang", pa.string()),
                    ("tags", pa.list_(pa.string())), ("note", pa.string()),
                    ("nothing", pa.null())], metadata={b"origin": b"test"})
CODECS = {"id": "zstd", "text": "snappy", "lang": "gzip", "tags": "zstd", "note": "snappy",
          "nothing": "zstd"}


def write_parquet(path: Path, columns: dict[str, list], schema=SCHEMA,
                  group_rows: int = GROUP_ROWS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table(columns, schema=schema)
    codecs = {name: CODECS.get(name, "snappy") for name in schema.names}
    if "tags" in codecs:
        codecs["tags.list.element"] = codecs.pop("tags")
    pq.write_table(table, path, row_group_size=group_rows, compression=codecs)


def codecs_of(path: Path) -> dict[str, str]:
    meta = pq.ParquetFile(path).metadata.row_group(0)
    return {meta.column(i).path_in_schema: meta.column(i).compression
            for i in range(meta.num_columns)}


def clean(raw: Path, out: Path, report: Path, *extra: str) -> object:
    return run_cli("clean", str(raw), "-o", str(out), "--include", "*.parquet",
                   "--report", str(report), "-q", *extra)


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """10,000 rows cleaned once at -j2 (the slow part, shared by the tests below)."""
    root = tmp_path_factory.mktemp("big")
    columns = make_rows(ROWS)
    write_parquet(root / "raw" / "sub" / "c.parquet", columns)
    result = clean(root / "raw", root / "out", root / "r.jsonl", "-j", "2")
    return {"root": root, "columns": columns, "result": result,
            "out": root / "out" / "sub" / "c.parquet", "report": read_report(root / "r.jsonl")}


def test_rows_round_trip_with_columns_order_splits_and_drops(big_run: dict) -> None:
    columns, records = big_run["columns"], big_run["report"]
    assert big_run["result"].exit_code == 3  # null texts are record errors (SPEC 1.2)
    out = big_run["out"]
    table = pq.read_table(out)
    # The schema is the input's (metadata included) plus `article`; codecs are kept.
    assert table.schema.names == [*SCHEMA.names, "article"]
    source = pq.read_schema(big_run["root"] / "raw" / "sub" / "c.parquet")
    assert table.schema.remove(len(SCHEMA)).equals(source, check_metadata=True)
    assert table.schema.field("article").type == pa.int32()
    assert codecs_of(out) == {**{k: v.upper() for k, v in CODECS.items() if k != "tags"},
                              "tags.list.element": "ZSTD", "article": "SNAPPY"}
    # One output row group per input row group.
    assert pq.ParquetFile(out).metadata.num_row_groups == ROWS // GROUP_ROWS
    rows = table.to_pylist()
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids)  # input order kept
    # Every other column is the input's value of that row.
    for r in rows:
        i = r["id"]
        assert (r["lang"], r["tags"], r["note"], r["nothing"]) == (
            columns["lang"][i], columns["tags"][i], columns["note"][i], None)
    # Dropped rows are absent, and each has a drop record naming its row (1-based).
    drops = {r["record"]: r for r in records if r["type"] == "change" and r["action"] == "drop"}
    missing = set(range(ROWS)) - set(ids)
    # (a compilation may lose one article and keep the other)
    assert missing and all(planted(n - 1) == "compilation" for n in drops if n - 1 not in missing)
    assert missing <= {n - 1 for n in drops}
    assert all(drops[i + 1]["rule"] == "exact-duplicate" for i in range(ROWS)
               if planted(i) == "copy" and planted(i - 100) == "plain"
               and i - 100 not in missing)  # a copy of a kept row
    assert all(drops[i + 1]["rule"] == "too-short" for i in range(ROWS) if planted(i) == "short")
    # Null texts pass through as they were, each reported as an error of its record.
    errors = [r for r in records if r["type"] == "error"]
    assert [e["record"] for e in errors] == [i + 1 for i in range(40, ROWS, 97)]
    assert all("passed through" in e["error"] and e["input"] == "sub/c.parquet" for e in errors)
    by_id: dict[int, list[dict]] = {}
    for r in rows:
        by_id.setdefault(r["id"], []).append(r)
    for i in range(40, ROWS, 97):
        assert by_id[i] == [{**{k: columns[k][i] for k in columns}, "article": 0}]
    # A compilation becomes one row per article, numbered 1..N, the markers gone.
    # (numbered over what is written: an article left alone is a plain row, article 0)
    compilations = [by_id.get(i, []) for i in range(ROWS) if planted(i) == "compilation"]
    assert sum(len(parts) == 2 for parts in compilations) > 0.8 * len(compilations)
    for parts in compilations:
        numbers = [p["article"] for p in parts]
        assert numbers == ([1, 2] if len(parts) == 2 else [0] * len(parts))
        if len(parts) == 2:
            i = parts[0]["id"]
            assert parts[0]["text"].startswith(f"春天的故事{i}\n")
            assert parts[1]["text"].startswith(f"秋天的田野{i}\n")
    # Cleaning happened, and only in the text column.
    assert "\u200b" not in "".join(r["text"] for r in rows if r["text"])
    assert all(r["article"] == 0 for i, parts in by_id.items() if len(parts) == 1
               for r in parts)
    # The report's records carry `record`; the file record names the output.
    changes = [r for r in records if r["type"] == "change"]
    assert changes and all(isinstance(r["record"], int) for r in changes)
    assert {r["filter"] for r in changes} >= {"unicode", "punctuation", "split", "dedup"}
    [file_rec] = [r for r in records if r["type"] == "file"]
    assert file_rec["outputs"] == ["sub/c.parquet"] and file_rec["status"] == "ok"
    assert file_rec["bytes_in"] == sum(len(t.encode()) for t in columns["text"] if t)


def test_jobs_do_not_change_the_output(big_run: dict, tmp_path: Path) -> None:
    root = big_run["root"]
    result = clean(root / "raw", tmp_path / "out", tmp_path / "r.jsonl", "-j", "1")
    assert result.exit_code == 3
    assert (tmp_path / "out" / "sub" / "c.parquet").read_bytes() == big_run["out"].read_bytes()
    assert without_timing(read_report(tmp_path / "r.jsonl")) == without_timing(
        big_run["report"])


def test_batches_and_row_groups_do_not_change_the_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of a row group and output groups cut by size give the same rows and report."""
    write_parquet(tmp_path / "raw" / "c.parquet", make_rows(600), group_rows=600)
    runs = {}
    for label, rows, group_bytes in (("whole", 10_000, 1 << 30), ("cut", 7, 20_000)):
        monkeypatch.setattr(parquet_io, "BATCH_ROWS", rows)
        monkeypatch.setattr(parquet_io, "ROW_GROUP_BYTES", group_bytes)
        out, rep = tmp_path / f"o-{label}", tmp_path / f"r-{label}.jsonl"
        clean(tmp_path / "raw", out, rep, "-j", "1")
        runs[label] = (pq.read_table(out / "c.parquet"), without_timing(read_report(rep)))
    assert runs["whole"][0].equals(runs["cut"][0])
    assert runs["whole"][1] == runs["cut"][1]
    groups = pq.ParquetFile(tmp_path / "o-cut" / "c.parquet").metadata.num_row_groups
    assert groups > 5  # cut by size (the whole run has one row group)


def test_check_writes_nothing_and_says_what_would_change(tmp_path: Path) -> None:
    columns = make_rows(300)
    write_parquet(tmp_path / "dirty.parquet", columns)
    before = (tmp_path / "dirty.parquet").read_bytes()
    result = run_cli("clean", str(tmp_path / "dirty.parquet"), "--check", "--report",
                     str(tmp_path / "r.jsonl"))
    assert result.exit_code == 3  # a null text; 3 beats 1
    assert "would change" in result.stderr
    assert (tmp_path / "dirty.parquet").read_bytes() == before  # inputs are never modified
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dirty.parquet", "r.jsonl"]
    # Clean text: exit 0, nothing would change; dirty text without nulls: exit 1.
    clean_rows = {"id": [1, 2], "text": ["春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。",
                                         "傍晚时分，村里升起了炊烟，大人们陆续从田里回家，一天的劳作结束了。"]}
    schema = pa.schema([("id", pa.int64()), ("text", pa.string())])
    write_parquet(tmp_path / "clean.parquet", clean_rows, schema)
    assert run_cli("clean", str(tmp_path / "clean.parquet"), "--check", "-q").exit_code == 0
    dirty = {"id": [1], "text": [clean_rows["text"][0].replace("，", ",")]}
    write_parquet(tmp_path / "d2.parquet", dirty, schema)
    assert run_cli("clean", str(tmp_path / "d2.parquet"), "--check", "-q").exit_code == 1


def test_manifest_and_rerun_complete_the_job(tmp_path: Path) -> None:
    write_parquet(tmp_path / "raw" / "a.parquet", make_rows(200))
    write_parquet(tmp_path / "raw" / "b.parquet", make_rows(150, seed=3))
    out = tmp_path / "out"
    clean(tmp_path / "raw", out, tmp_path / "r1.jsonl")
    manifest = [json.loads(line) for line in
                (out / ".cleancorp" / "manifest.jsonl").read_text().splitlines()]
    assert [(m["input"], m["outputs"]) for m in manifest] == [
        ("a.parquet", ["a.parquet"]), ("b.parquet", ["b.parquet"])]
    assert all(m["hash"].startswith("blake2b:") for m in manifest)
    good = (out / "b.parquet").read_bytes()
    # A run killed while writing b leaves its old output or none, never half of one
    # (outputs are staged, then renamed); the next run redoes streamed inputs.
    (out / "b.parquet").unlink()
    (out / ".cleancorp" / "tmp" / "part-leftover").write_bytes(b"PAR1 half")
    clean(tmp_path / "raw", out, tmp_path / "r2.jsonl")
    assert (out / "b.parquet").read_bytes() == good
    assert not list((out / ".cleancorp" / "tmp").iterdir())
    assert without_timing(read_report(tmp_path / "r1.jsonl")) == without_timing(
        read_report(tmp_path / "r2.jsonl"))


def test_a_bad_file_is_one_error_and_the_run_goes_on(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_parquet(raw / "good.parquet", make_rows(50))
    (raw / "broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    write_parquet(raw / "untitled.parquet", {"id": [1], "body": ["正文"]},
                  pa.schema([("id", pa.int64()), ("body", pa.string())]))
    write_parquet(raw / "ints.parquet", {"id": [1], "text": [5]},
                  pa.schema([("id", pa.int64()), ("text", pa.int64())]))
    result = clean(raw, tmp_path / "out", tmp_path / "r.jsonl")
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")
             and ":" not in line.split(": ", 2)[1]]
    assert any(line.startswith("error: broken.parquet: not a Parquet file") for line in lines)
    assert any("untitled.parquet: no column 'text' (columns: id, body)" in line
               and "--text-field" in line for line in lines)
    assert any("ints.parquet: column 'text' is int64, not strings" in line for line in lines)
    assert (tmp_path / "out" / "good.parquet").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".cleancorp", "good.parquet"]
    errors = {r["input"] for r in read_report(tmp_path / "r.jsonl")
              if r["type"] == "error" and "record" not in r}
    assert errors == {"broken.parquet", "untitled.parquet", "ints.parquet"}


def test_text_field_names_the_column(tmp_path: Path) -> None:
    schema = pa.schema([("content", pa.large_string()), ("url", pa.string())])
    text = "当前位置：首页 > 新闻\n春天来了,河边的柳树发出了新芽,孩子们在草地上放风筝。"
    write_parquet(tmp_path / "a.parquet", {"content": [text], "url": ["http://a"]}, schema)
    result = run_cli("clean", str(tmp_path / "a.parquet"), "-o", str(tmp_path / "o"), "-q",
                     "--text-field", "content", "--no-split")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(tmp_path / "o" / "a.parquet")
    assert table.schema.equals(schema)  # --no-split: exactly the input's schema
    assert table.to_pylist() == [{"content": "春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。",
                                  "url": "http://a"}]


def test_cleaning_its_own_output_changes_nothing(tmp_path: Path) -> None:
    write_parquet(tmp_path / "raw" / "c.parquet", make_rows(400))
    first = run_cli("clean", str(tmp_path / "raw" / "c.parquet"), "-o", str(tmp_path / "o1"),
                    "-q", "--no-corpus")
    assert first.exit_code == 3
    second = run_cli("clean", str(tmp_path / "o1" / "c.parquet"), "-o", str(tmp_path / "o2"),
                     "-q", "--no-corpus", "--report", str(tmp_path / "r2.jsonl"))
    assert second.exit_code == 3  # the null texts are still null
    assert (tmp_path / "o2" / "c.parquet").read_bytes() == (
        tmp_path / "o1" / "c.parquet").read_bytes()
    assert not [r for r in read_report(tmp_path / "r2.jsonl") if r["type"] == "change"]


def test_text_inputs_with_format_parquet(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("第一篇：春天的校园\n校园里开满了花，孩子们在草地上放风筝，老师在一旁看着。\n"
                               "第二篇：秋天的田野\n田野里一片金黄，农民们正在收割庄稼，脸上洋溢着笑容。\n",
                               encoding="utf-8")
    (raw / "b.txt").write_text("傍晚时分,村里升起了炊烟,大人们陆续从田里回家,一天的劳作结束了。\n",
                               encoding="utf-8")
    result = run_cli("clean", str(raw), "-o", str(tmp_path / "out"), "-q", "--format", "parquet")
    assert result.exit_code == 0, result.stderr
    a = pq.read_table(tmp_path / "out" / "a.parquet").to_pylist()
    assert [(r["id"], r["source"]) for r in a] == [("a.txt#1", "a.txt"), ("a.txt#2", "a.txt")]
    assert a[0]["text"].startswith("春天的校园\n")
    b = pq.read_table(tmp_path / "out" / "b.parquet").to_pylist()
    assert b == [{"id": "b.txt", "source": "b.txt",
                  "text": "傍晚时分，村里升起了炊烟，大人们陆续从田里回家，一天的劳作结束了。"}]
    result = run_cli("clean", "-", "--format", "parquet", input="正文。\n")
    assert result.exit_code == 2 and "--format parquet writes files" in result.stderr


def test_an_existing_article_column_is_reused(tmp_path: Path) -> None:
    schema = pa.schema([("text", pa.string()), ("article", pa.int64())])
    text = ("第一篇：春天的校园\n校园里开满了花，孩子们在草地上放风筝，老师在一旁看着。\n"
            "第二篇：秋天的田野\n田野里一片金黄，农民们正在收割庄稼，脸上洋溢着笑容。")
    plain = "傍晚时分，村里升起了炊烟，大人们陆续从田里回家，一天的劳作结束了。"
    write_parquet(tmp_path / "a.parquet", {"text": [text, plain], "article": [0, 7]}, schema)
    run_cli("clean", str(tmp_path / "a.parquet"), "-o", str(tmp_path / "o"), "-q")
    table = pq.read_table(tmp_path / "o" / "a.parquet")
    assert table.schema.equals(schema)
    assert table.column("article").to_pylist() == [1, 2, 7]
    write_parquet(tmp_path / "b.parquet", {"text": [plain], "article": ["x"]},
                  pa.schema([("text", pa.string()), ("article", pa.string())]))
    result = run_cli("clean", str(tmp_path / "b.parquet"), "-o", str(tmp_path / "o"), "-q")
    assert result.exit_code == 3 and "--no-split" in result.stderr


def test_parquet_needs_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_parquet(tmp_path / "a.parquet", make_rows(5))
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    result = run_cli("clean", "a.parquet", "-o", "o", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: reading a.parquet needs pyarrow: "
                                     "pip install 'cleancorp[parquet]'")
    assert not (tmp_path / "o").exists()


def test_a_save_to_disk_folder_is_cleaned_into_parquet(tmp_path: Path) -> None:
    """The layout `Dataset.save_to_disk` writes (Arrow IPC streams listed in state.json),
    made here with pyarrow alone: its data files are inputs whatever --include says."""
    ds = tmp_path / "ds"
    ds.mkdir()
    columns = make_rows(120)
    table = pa.table(columns, schema=SCHEMA)
    for n, piece in enumerate((table.slice(0, 70), table.slice(70))):
        with pa.ipc.new_stream(ds / f"data-0000{n}-of-00002.arrow", table.schema) as writer:
            for batch in piece.to_batches(max_chunksize=30):
                writer.write_batch(batch)
    (ds / "cache-1234.arrow").write_bytes(b"not data")
    (ds / "state.json").write_text(json.dumps({"_data_files": [
        {"filename": "data-00000-of-00002.arrow"}, {"filename": "data-00001-of-00002.arrow"}]}))
    (ds / "dataset_info.json").write_text("{}")
    result = run_cli("clean", str(ds), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 3  # a null text
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [".cleancorp", "data-00000-of-00002.parquet", "data-00001-of-00002.parquet"]
    out = pa.concat_tables([pq.read_table(tmp_path / "out" / n) for n in names[1:]])
    # Parquet spells a list's item `element`: otherwise the Arrow schema is kept.
    assert out.schema.remove(len(SCHEMA)).equals(
        SCHEMA.set(3, pa.field("tags", pa.list_(pa.field("element", pa.string())))),
        check_metadata=True)
    assert out.column("id").to_pylist() == sorted(out.column("id").to_pylist())
