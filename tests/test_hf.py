"""Hugging Face `datasets`: `Dataset.map` with `BatchCleaner` gives the CLI's rows and
records; `cleancorp clean` on a `save_to_disk` folder gives Parquet that `datasets` reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_report, run_cli
from test_parquet import SCHEMA, make_rows, write_parquet

import cleancorp
from cleancorp.batch import CHANGES

datasets = pytest.importorskip(
    "datasets", reason="the Hugging Face recipe needs the extra: pip install 'cleancorp[hf]'")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 600


def cli_records(report: Path, source: str) -> list[dict]:
    """The CLI's change and error records as the Python API writes them."""
    out = []
    for rec in read_report(report):
        if rec["type"] in ("change", "error"):
            rec = {k: v for k, v in rec.items() if k != "output"}
            rec["input"] = source
            out.append(rec)
    return out


def test_dataset_map_equals_the_cli_on_the_same_rows(tmp_path: Path) -> None:
    write_parquet(tmp_path / "rows.parquet", make_rows(ROWS))
    # `--report-level all`: BatchCleaner.records hold every edit's whole window, as it does.
    result = run_cli("clean", str(tmp_path / "rows.parquet"), "-o", str(tmp_path / "out"), "-q",
                     "--no-corpus", "--report", str(tmp_path / "r.jsonl"), "--report-level", "all")
    assert result.exit_code == 3  # null texts
    expected = pq.read_table(tmp_path / "out" / "rows.parquet").to_pylist()

    ds = datasets.Dataset.from_parquet(str(tmp_path / "rows.parquet"))
    cleaner = cleancorp.BatchCleaner(text_field="text", source="rows.parquet")
    cleaned = ds.map(cleaner, batched=True, batch_size=64, with_indices=True,
                     load_from_cache_file=False)
    assert len(cleaned) < len(ds)  # dropped rows are absent
    assert cleaned.column_names == [*SCHEMA.names, "article", CHANGES]
    rows = cleaned.remove_columns(CHANGES).to_list()
    assert rows == expected
    assert any(r["article"] == 2 for r in rows)  # split rows
    # The report's records are the CLI's (row numbers included).
    assert cleaner.records == cli_records(tmp_path / "r.jsonl", "rows.parquet")
    # Per-row change counts add up to the records of the rows that were kept.
    counts = cleaned[CHANGES]
    assert sum(counts) > 0 and all(c >= 0 for c in counts)


def test_clean_batch_is_a_map_function(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({"id": [1, 2], "content": [
        "当前位置：首页 > 新闻\n春天来了,河边的柳树发出了新芽,孩子们在草地上放风筝。", "太短"]})
    cleaned = ds.map(cleancorp.clean_batch, batched=True, fn_kwargs={"text_field": "content"})
    assert cleaned.to_list() == [{"id": 1, "content": "春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。",
                                  "article": 0, CHANGES: 2}]


def test_a_saved_dataset_is_cleaned_by_the_cli(tmp_path: Path) -> None:
    write_parquet(tmp_path / "rows.parquet", make_rows(ROWS))
    ds = datasets.Dataset.from_parquet(str(tmp_path / "rows.parquet"))
    ds.save_to_disk(str(tmp_path / "saved"), max_shard_size="100KB")
    shards = sorted(p.name for p in (tmp_path / "saved").glob("*.arrow"))
    assert len(shards) > 1
    result = run_cli("clean", str(tmp_path / "saved"), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 3
    outputs = sorted(p.name for p in (tmp_path / "out").glob("*.parquet"))
    assert outputs == [name.replace(".arrow", ".parquet") for name in shards]
    # `datasets` reads the outputs back, the added column typed from the metadata.
    back = datasets.Dataset.from_parquet([str(tmp_path / "out" / n) for n in outputs])
    assert back.features["article"] == datasets.Value("int32")
    assert back.features["tags"] == ds.features["tags"]
    # The same rows as the CLI on the Parquet file itself (one corpus either way).
    run_cli("clean", str(tmp_path / "rows.parquet"), "-o", str(tmp_path / "direct"), "-q")
    assert back.to_list() == pq.read_table(tmp_path / "direct" / "rows.parquet").to_pylist()
