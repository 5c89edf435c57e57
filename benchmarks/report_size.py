"""Where the bytes of a change report go: per record type, filter/action, and key.

    python benchmarks/report_size.py REPORT.jsonl[.zst|.gz] [--inputs DIR]

Prints, largest first, the bytes (UTF-8, newline included) and record counts per
record type and per filter/action of the change records, then what each key of
the change records costs (its name, its value and the JSON punctuation around
it), so a decision about the report's format starts from a measurement. With
`--inputs DIR` (the run's input folder) it also prints the report's size as a
multiple of the input bytes, the figure of issue 16 (target <= 0.3).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleancorp.report_view import open_report


def key_cost(record: dict) -> dict[str, int]:
    """Bytes of each `"key": value, ` of a record as `json_line` writes it."""
    return {k: len(json.dumps({k: v}, ensure_ascii=False).encode()) - 2 + 2
            for k, v in record.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report")
    ap.add_argument("--inputs", help="the run's input folder (for the size ratio)")
    ap.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    args = ap.parse_args(argv)

    by_type: Counter[str] = Counter()
    n_type: Counter[str] = Counter()
    by_fa: Counter[str] = Counter()
    n_fa: Counter[str] = Counter()
    by_key: Counter[str] = Counter()
    by_fkey: Counter[str] = Counter()
    total = 0
    with open_report(args.report) as fh:
        for line in fh:
            size = len(line.encode("utf-8"))
            total += size
            rec = json.loads(line)
            kind = rec.get("type", "?")
            by_type[kind] += size
            n_type[kind] += 1
            if kind != "change":
                continue
            fa = f"{rec.get('filter')}/{rec.get('action')}"
            by_fa[fa] += size
            n_fa[fa] += 1
            for k, cost in key_cost(rec).items():
                by_key[k] += cost
                by_fkey[f"{rec.get('filter')}.{k}"] += cost
    on_disk = Path(args.report).stat().st_size
    print(f"report: {args.report}: {on_disk:,} bytes on disk, {total:,} bytes of JSON Lines")
    if args.inputs:
        inputs = sum(p.stat().st_size for p in Path(args.inputs).rglob("*") if p.is_file())
        print(f"inputs: {inputs:,} bytes; report / input = {on_disk / inputs:.3f} on disk, "
              f"{total / inputs:.3f} as JSON Lines")

    def table(title: str, sizes: Counter[str], counts: Counter[str] | None = None) -> None:
        print(f"\n## {title}\n")
        print("| what | bytes | share |" + (" records | bytes/record |" if counts else ""))
        print("| --- | ---: | ---: |" + (" ---: | ---: |" if counts else ""))
        for name, size in sizes.most_common(args.top):
            row = f"| {name} | {size:,} | {size / total:.1%} |"
            if counts:
                row += f" {counts[name]:,} | {size / counts[name]:.0f} |"
            print(row)

    table("per record type", by_type, n_type)
    table("change records per filter/action", by_fa, n_fa)
    table("change records per key (name, value and punctuation)", by_key)
    table("change records per filter and key", by_fkey)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
