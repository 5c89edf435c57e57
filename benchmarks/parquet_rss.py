#!/usr/bin/env python3
"""Peak RSS and MB/s of `cleancorp clean` on one large Parquet file (issue 17).

    python benchmarks/parquet_rss.py                      # ~500 MB Parquet, -j1 and -j2
    python benchmarks/parquet_rss.py --size-mb 40 --ray-mb 0 --jobs 2   # a quick look

Builds a Parquet file from the bench corpus (``../shared/bench/make_corpus.py
--seed 12345``, deterministic, cached under ``--workdir`` like ``run.py``'s):
one row per generated document, in file-name order, with extra columns of
several types (int ``id``, string ``source``, list ``tags``, a string column
that is null every other row), in row groups of ``--group-rows`` rows, with the
codec ``--compression`` (default none, so that the file is as large as its text). Then each measured run is the real CLI in a fresh
``_wrap.py`` process (peak RSS of the largest process, exact; of the whole tree,
sampled every 20 ms): the local engine at each ``--jobs``, on the whole file and
on its first quarter (the same rows: memory that stays put while the input
grows fourfold is memory bounded by the row group, not by the file), and the Ray
engine (``-j2``, a local Ray instance) on a file of the first ``--ray-mb`` MiB
of text when Ray is installed. MB/s is MiB of input text per wall second; MB
per CPU second (of the whole process tree) is steadier on a shared machine.

Nothing is committed but this script: the corpora and Parquet files stay in
``--workdir`` (default ``benchmarks/out/``, ignored by git). Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import DEFAULT_MAKE_CORPUS, MiB, log, make_corpus, mib, read_json  # noqa: E402

SEED = 12345


def build_parquet(corpus: Path, path: Path, group_rows: int, limit_bytes: int | None,
                  compression: str) -> dict:
    """The corpus as one Parquet file (rebuilt only when missing); its figures."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stamp = path.with_suffix(".json")
    if path.is_file() and stamp.is_file():
        return read_json(stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("id", pa.int64()), ("source", pa.string()), ("text", pa.string()),
                        ("tags", pa.list_(pa.string())), ("note", pa.string())])
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
    tmp = path.with_suffix(".tmp")
    text_bytes = rows = 0
    with pq.ParquetWriter(tmp, schema, compression=compression) as writer:
        for start in range(0, len(files), group_rows):
            chunk = files[start:start + group_rows]
            texts = [p.read_text("utf-8") for p in chunk]
            if limit_bytes is not None:
                room = limit_bytes - text_bytes
                kept = 0
                while kept < len(texts) and room > 0:
                    room -= len(texts[kept].encode("utf-8"))
                    kept += 1
                chunk, texts = chunk[:kept], texts[:kept]
            if not texts:
                break
            n = len(texts)
            writer.write_table(pa.table({
                "id": list(range(rows, rows + n)),
                "source": [p.name for p in chunk],
                "text": texts,
                "tags": [[p.stem.rsplit("_", 1)[-1], "bench"] for p in chunk],
                "note": [None if (rows + k) % 2 else f"row {rows + k}" for k in range(n)],
            }, schema=schema), row_group_size=n)
            rows += n
            text_bytes += sum(len(t.encode("utf-8")) for t in texts)
    tmp.replace(path)
    meta = pq.ParquetFile(path).metadata
    info = {"rows": rows, "text_bytes": text_bytes, "file_bytes": path.stat().st_size,
            "row_groups": meta.num_row_groups, "group_rows": group_rows,
            "compression": compression}
    stamp.write_text(json.dumps(info), encoding="utf-8")
    return info


def measure(label: str, parquet: Path, info: dict, jobs: int, workdir: Path,
            engine: str = "local") -> dict[str, Any]:
    """One `cleancorp clean` of the file, in a fresh `_wrap.py` process."""
    out, report, result = workdir / "pq-out", workdir / "pq-report.jsonl", workdir / "pq-wrap.json"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "cleancorp", "clean", str(parquet), "-o", str(out),
           "--report", str(report), "--report-level", "summary", "-j", str(jobs), "-q",
           "--no-config", "--engine", engine]
    log(f"{label}: {engine} -j{jobs}, {mib(info['text_bytes'])} of text, "
        f"{mib(info['file_bytes'])} file")
    proc = subprocess.run([sys.executable, str(HERE / "_wrap.py"), str(result), "--", *cmd],
                          cwd=workdir, capture_output=True, text=True)
    wrap = read_json(result) if result.is_file() else {}
    if proc.returncode != 0 or wrap.get("returncode") not in (0, 3):
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    summary = {}
    for line in report.read_text("utf-8").splitlines():
        record = json.loads(line)
        if record.get("type") == "summary":
            summary = record
    outputs = list(out.rglob("*.parquet"))
    out_bytes = sum(p.stat().st_size for p in outputs)
    shutil.rmtree(out, ignore_errors=True)
    report.unlink(missing_ok=True)
    return {"label": label, "engine": engine, "jobs": jobs, **info,
            "wall_s": wrap["wall_s"], "cpu_s": wrap["cpu_s"],
            "peak_rss": wrap["peak_rss_bytes"], "peak_tree_rss": wrap["peak_tree_rss_bytes"],
            "mb_s": info["text_bytes"] / MiB / wrap["wall_s"], "out_file_bytes": out_bytes,
            "docs_out": summary.get("documents_out"), "dropped": summary.get("dropped_docs")}


def render(results: list[dict[str, Any]]) -> str:
    lines = ["| input | engine | -j | rows (row groups) | text | file | wall s | MB/s "
             "| MB per CPU s | peak RSS, largest process | peak RSS, tree |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['engine']} | {r['jobs']} | {r['rows']:,} ({r['row_groups']}) "
            f"| {mib(r['text_bytes'])} | {mib(r['file_bytes'])} | {r['wall_s']:.0f} "
            f"| {r['mb_s']:.2f} | {r['text_bytes'] / MiB / r['cpu_s']:.2f} "
            f"| {mib(r['peak_rss'])} | {mib(r['peak_tree_rss'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=500, help="MiB of corpus text")
    ap.add_argument("--compression", default="none",
                    help="codec of the file (default none: the file is as large as its "
                    "text; snappy packs this corpus 2.6x, so a 500 MB snappy file would "
                    "take 1.3 GB of text and three times as long)")
    ap.add_argument("--group-rows", type=int, default=2000, help="rows per input row group")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--ray-mb", type=float, default=20,
                    help="MiB of text for the Ray engine's run (0: no Ray run)")
    ap.add_argument("--workdir", type=Path, default=HERE / "out")
    ap.add_argument("--make-corpus", type=Path, default=DEFAULT_MAKE_CORPUS)
    ap.add_argument("--output", type=Path, help="also write the Markdown table here")
    ns = ap.parse_args(argv)
    work = ns.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(ns.make_corpus, work, ns.size_mb, "default", SEED)
    tag = f"{ns.size_mb:g}mb-g{ns.group_rows}-{ns.compression}"
    full_path = work / "parquet" / f"bench-{tag}.parquet"
    full = build_parquet(corpus, full_path, ns.group_rows, None, ns.compression)
    quarter_path = work / "parquet" / f"bench-{tag}-quarter.parquet"
    quarter = build_parquet(corpus, quarter_path, ns.group_rows, full["text_bytes"] // 4,
                            ns.compression)
    results = []
    for jobs in ns.jobs:
        results.append(measure("quarter", quarter_path, quarter, jobs, work))
        results.append(measure("whole", full_path, full, jobs, work))
    if ns.ray_mb and importlib.util.find_spec("ray") is not None:
        ray_path = work / "parquet" / f"bench-{tag}-ray{ns.ray_mb:g}.parquet"
        small = build_parquet(corpus, ray_path, ns.group_rows, int(ns.ray_mb * MiB),
                              ns.compression)
        results.append(measure(f"first {ns.ray_mb:g} MiB", ray_path, small, 2, work, "ray"))
        results.append(measure(f"first {ns.ray_mb:g} MiB", ray_path, small, 2, work))
    table = render(results)
    (work / "parquet-results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table)
    if ns.output:
        ns.output.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
