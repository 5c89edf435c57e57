#!/usr/bin/env python3
"""cleancorp's benchmark harness: one command, a Markdown table.

    python benchmarks/run.py                       # full run (~100 MB corpora), peers installed
    python benchmarks/run.py --size-mb 30 --output results.md
    python benchmarks/run.py --quick --skip-peers  # seconds: proves the harness works

Builds the bench corpora with ``../shared/bench/make_corpus.py`` (deterministic,
cached under the work folder), then measures:

* the whole default pipeline, through the real CLI in a child process: MB/s,
  documents/s and peak RSS at ``-j1`` and ``-j2`` at 1x (median of ``--runs``,
  with min and max) and at 10x once (``-j2``); the same at 1x and 10x on the
  ``--unique`` corpus for memory and dedup index growth;
* each filter at 1x, in process, in pipeline order (each filter sees the input
  it really gets): MB/s of corpus input per second of that filter;
* dedup: documents/s, MB/s, and index bytes per document;
* side by side on the same input (a slice, ``--slice-mb``):
  opencc-python-reimplemented vs ``t2s`` (traditional-only text, ``--t2s on``),
  chardet and charset-normalizer vs ``decode`` (the ``--mixed-encodings``
  corpus: accuracy and speed), ftfy's ``fix_text`` vs ``mojibake``+``unicode``
  (speed, and how many mojibake cases each repairs).

Peers live in the benchmark's own virtual environments (``benchmarks/.venv-peers``
and, since opencc-python-reimplemented installs a module ``opencc`` too,
``benchmarks/.venv-reimpl``), created from ``requirements-peers.txt`` and
``requirements-reimpl.txt``; never in cleancorp's. Nothing here asserts a time:
the targets of the issue are reported as met or not.

Run it with the python that has cleancorp installed (the project's venv).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
MOJIBAKE_CASES = REPO / "fixtures" / "cases" / "mojibake.json"
MiB = 1024 * 1024

sys.path.insert(0, str(HERE))
from _peers import decode_with  # noqa: E402  (stdlib only)

#: The issue's targets (single machine, 2 cores).
TARGET_PIPELINE_MBS = 10.0
TARGET_SPEEDUP_J2 = 1.8
TARGET_T2S_MBS = 30.0
TARGET_DECODE_MBS = 200.0
TARGET_RSS_FACTOR = 1.2
#: Issue 16: the default report, as a user keeps it (`--report R.jsonl.zst`), at most
#: this fraction of the input bytes.
TARGET_REPORT_RATIO = 0.3

VENVS = {
    # venv folder: requirements file
    "peers": (HERE / ".venv-peers", HERE / "requirements-peers.txt"),
    "reimpl": (HERE / ".venv-reimpl", HERE / "requirements-reimpl.txt"),
}


# -- small helpers ----------------------------------------------------------------------

T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def median_min_max(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def fmt_range(values: list[float], digits: int = 2) -> str:
    """`median (min-max)`, or the single value for one run."""
    if not values:
        return "-"
    med, lo, hi = median_min_max(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def mib(n: float) -> str:
    return f"{n / MiB:.0f} MiB" if n >= 10 * MiB else f"{n / MiB:.1f} MiB"


def run_checked(cmd: list[str], what: str, timeout: float | None = None, **kw: Any) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


# -- corpora ------------------------------------------------------------------------------


def make_corpus(make: Path, workdir: Path, size_mb: float, kind: str, seed: int) -> Path:
    """A bench corpus, built once and reused while its recipe is unchanged."""
    flag = {"default": [], "mixed": ["--mixed-encodings"], "unique": ["--unique"]}[kind]
    out = workdir / "corpora" / f"{kind}-{size_mb:g}mb-s{seed}"
    recipe = {
        "size_mb": size_mb,
        "kind": kind,
        "seed": seed,
        "make_corpus": hashlib.sha256(make.read_bytes()).hexdigest(),
    }
    stamp = out / ".recipe.json"
    if stamp.is_file() and read_json(stamp) == recipe:
        return out
    shutil.rmtree(out, ignore_errors=True)
    log(f"building {kind} corpus, {size_mb:g} MiB -> {out}")
    run_checked(
        [sys.executable, str(make), f"{size_mb:g}", str(out), "--seed", str(seed), *flag],
        f"make_corpus {kind}",
    )
    stamp.write_text(json.dumps(recipe), encoding="utf-8")
    return out


def corpus_stats(corpus: Path) -> tuple[int, int]:
    files = [p for p in corpus.iterdir() if p.suffix == ".txt"]
    return len(files), sum(p.stat().st_size for p in files)


# -- the whole pipeline through the CLI --------------------------------------------------


def run_cli(corpus: Path, jobs: int, workdir: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """One measured `cleancorp clean` run in a fresh wrapper process."""
    out, report, result = (
        workdir / "run-out",
        # Compressed, as a user keeps a report (issue 16): its size is measured too.
        workdir / "run-report.jsonl.zst",
        workdir / "run-wrap.json",
    )
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "cleancorp",
        "clean",
        str(corpus),
        "-o",
        str(out),
        "--report",
        str(report),
        "-j",
        str(jobs),
        "-q",
        "--no-config",
        *extra,
    ]
    proc = subprocess.run(
        [sys.executable, str(HERE / "_wrap.py"), str(result), "--", *cmd],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not result.is_file():
        raise RuntimeError(f"wrapper failed: {proc.stderr[-3000:]}")
    wrap = read_json(result)
    if wrap["returncode"] not in (0, 3):
        raise RuntimeError(
            f"cleancorp exited {wrap['returncode']}: {' '.join(cmd)}\n{proc.stderr[-3000:]}"
        )
    summary: dict[str, Any] = {}
    report_bytes = report.stat().st_size
    import zstandard  # a dependency of cleancorp, in the environment that runs this

    with report.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as zf:
        for line in io.TextIOWrapper(zf, encoding="utf-8"):
            if line.startswith('{"type": "summary"') or '"type":"summary"' in line[:40]:
                summary = json.loads(line)
    files, size = corpus_stats(corpus)
    shutil.rmtree(out, ignore_errors=True)
    report.unlink(missing_ok=True)
    return {
        "jobs": jobs,
        "files": files,
        "bytes": size,
        "wall_s": wrap["wall_s"],
        "cpu_s": wrap["cpu_s"],
        "peak_rss": wrap["peak_rss_bytes"],
        "peak_tree_rss": wrap["peak_tree_rss_bytes"],
        "exit": wrap["returncode"],
        "docs_out": summary.get("documents_out"),
        "failed": summary.get("failed"),
        "bytes_out": summary.get("bytes_out"),
        "report_bytes": report_bytes,
    }


def measure_cli(label: str, corpus: Path, jobs: int, runs: int, workdir: Path,
                extra: tuple[str, ...] = ()) -> dict[str, Any]:
    results = []
    for r in range(runs):
        log(f"pipeline {label} -j{jobs} run {r + 1}/{runs}")
        results.append(run_cli(corpus, jobs, workdir, extra))
    return {"label": label, "jobs": jobs, "runs": results}


# -- peers -----------------------------------------------------------------------------------


def ensure_venv(name: str, mode: str) -> Path | None:
    """The python of a peer venv, created from its requirements file when `mode` is
    "install"; None when it is not there (and may not be made)."""
    folder, reqs = VENVS[name]
    python = folder / "bin" / "python"
    stamp = folder / ".requirements.sha256"
    want = hashlib.sha256(reqs.read_bytes()).hexdigest()
    if python.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return python
    if mode != "install":
        return python if python.is_file() else None
    log(f"creating {folder} from {reqs.name}")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        run_checked([sys.executable, "-m", "venv", str(folder)], f"venv {name}")
        run_checked(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(reqs),
            ],
            f"pip install -r {reqs.name}",
            timeout=900,
        )
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"peer venv {name} unavailable: {exc}")
        return None
    stamp.write_text(want)
    # Like Python 3.13's venv: the folder ignores itself, so it is never committed.
    (folder / ".gitignore").write_text("*\n")
    return python


def write_texts(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def text_slice(corpus: Path, slice_mb: float) -> list[str]:
    """The first `slice_mb` of a UTF-8 corpus as texts (no final newline, as the
    filters see a document)."""
    texts, total = [], 0
    for p in sorted(corpus.iterdir()):
        if p.suffix != ".txt":
            continue
        data = p.read_bytes()
        if texts and total + len(data) > slice_mb * MiB:
            break
        text = data.decode("utf-8")
        texts.append(text[:-1] if text.endswith("\n") else text)
        total += len(data)
    return texts


def task(
    args: list[str],
    what: str,
    python: str | Path = sys.executable,
    script: str = "_tasks.py",
    timeout: float = 3600,
) -> None:
    run_checked([str(python), str(HERE / script), *args], what, timeout=timeout, cwd=HERE)


def compare_t2s(a: list[str], b: list[str]) -> dict[str, Any]:
    """How far two conversions of the same texts agree: identical documents and
    the share of differing characters (OpenCC maps characters one to one)."""
    same_docs = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    diff_chars = total = 0
    for x, y in zip(a, b, strict=True):
        total += max(len(x), len(y))
        if len(x) == len(y):
            diff_chars += sum(1 for p, q in zip(x, y, strict=False) if p != q)
        else:
            diff_chars += abs(len(x) - len(y)) + sum(
                1 for p, q in zip(x, y, strict=False) if p != q
            )
    return {"same_docs": same_docs, "docs": len(a), "diff_chars": diff_chars, "chars": total}


def peers_t2s(slices: Path, text: list[str], mode: str) -> dict[str, Any]:
    import opencc  # the official one, in the project's venv

    s2t = opencc.OpenCC("s2t")
    trad_path = slices / "traditional.jsonl"
    if not trad_path.is_file():
        write_texts(trad_path, [s2t.convert(t) for t in text])
    ours_out, ours_res = slices / "t2s-cleancorp.jsonl", slices / "t2s-cleancorp.json"
    log("t2s: cleancorp (--t2s on) on traditional-only text")
    task(["t2s", str(trad_path), str(ours_out), str(ours_res)], "t2s task")
    result: dict[str, Any] = {"cleancorp": read_json(ours_res)}
    python = ensure_venv("reimpl", mode)
    if python is None:
        result["peer_skipped"] = "no .venv-reimpl"
        return result
    log("t2s: opencc-python-reimplemented")
    peer_out, peer_res = slices / "t2s-reimpl.jsonl", slices / "t2s-reimpl.json"
    task(
        ["t2s-reimpl", str(trad_path), str(peer_out), str(peer_res)],
        "t2s-reimpl",
        python,
        "_peers.py",
    )
    result["reimpl"] = read_json(peer_res)
    result["agreement"] = compare_t2s(read_texts(ours_out), read_texts(peer_out))
    result["roundtrip"] = compare_t2s(read_texts(ours_out), text)
    return result


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def peers_detect(mixed: Path, slices: Path, mode: str) -> dict[str, Any]:
    truth: dict[str, tuple[str, str | None]] = {}
    with (mixed / "_manifest.tsv").open(encoding="utf-8") as f:
        for line in f:
            name, enc = line.rstrip("\n").split("\t")
            text = decode_with((mixed / name).read_bytes(), enc)
            truth[name] = (enc, None if text is None else _digest(text))
    out: dict[str, Any] = {"truth": {}, "detectors": {}}
    for enc, _ in truth.values():
        out["truth"][enc] = out["truth"].get(enc, 0) + 1
    ours_res = slices / "detect-cleancorp.json"
    log("decode: cleancorp on the mixed-encodings corpus")
    task(["decode", str(mixed), str(ours_res)], "decode task")
    runs = {"cleancorp decode": read_json(ours_res)}
    python = ensure_venv("peers", mode)
    if python is not None:
        for which in ("chardet", "charset-normalizer"):
            log(f"decode: {which}")
            res = slices / f"detect-{which}.json"
            task(["detect", which, str(mixed), str(res)], which, python, "_peers.py")
            runs[which] = read_json(res)
    else:
        out["peer_skipped"] = "no .venv-peers"
    for name, res in runs.items():
        right = sum(1 for f, r in res["files"].items() if truth.get(f, (0, 1))[1] == r["digest"])
        wrong_by_enc: dict[str, int] = {}
        for f, r in res["files"].items():
            if truth[f][1] != r["digest"]:
                wrong_by_enc[truth[f][0]] = wrong_by_enc.get(truth[f][0], 0) + 1
        out["detectors"][name] = {
            "version": res.get("version", ""),
            "docs": res["docs"],
            "bytes": res["bytes"],
            "wall_s": res["wall_s"],
            "cpu_s": res["cpu_s"],
            "right": right,
            "wrong_by_encoding": wrong_by_enc,
        }
    return out


def peers_mojibake(slices: Path, text_path: Path, mode: str) -> dict[str, Any]:
    if not MOJIBAKE_CASES.is_file() or "mojibake" not in _filter_names():
        return {"skipped": "no mojibake filter or cases"}
    cases = read_json(MOJIBAKE_CASES)
    ours_res = slices / "mojibake-cleancorp.json"
    log("mojibake: cleancorp mojibake+unicode")
    task(["mojibake", str(text_path), str(MOJIBAKE_CASES), str(ours_res)], "mojibake task")
    ours = read_json(ours_res)
    out: dict[str, Any] = {
        "cases": len(cases),
        "positive": sum(1 for c in cases if c["original"] != c["fixed"]),
        "tools": {},
    }

    def score(outputs: list[str]) -> dict[str, int]:
        fixed = sum(
            1
            for c, o in zip(cases, outputs, strict=True)
            if c["original"] != c["fixed"] and o == c["fixed"]
        )
        improved = sum(
            1
            for c, o in zip(cases, outputs, strict=True)
            if c["original"] != c["fixed"] and o != c["original"]
        )
        harmed = sum(
            1
            for c, o in zip(cases, outputs, strict=True)
            if c["original"] == c["fixed"] and o != c["original"]
        )
        return {"repaired": fixed, "changed_damaged": improved, "harmed_clean": harmed}

    out["tools"]["cleancorp mojibake+unicode"] = {
        "wall_s": ours["wall_s"],
        "cpu_s": ours["cpu_s"],
        "bytes": ours["bytes"],
        "changed_docs": ours["changed_docs"],
        **score(ours["cases"]),
    }
    python = ensure_venv("peers", mode)
    if python is None:
        out["peer_skipped"] = "no .venv-peers"
        return out
    log("mojibake: ftfy")
    peer_res = slices / "mojibake-ftfy.json"
    task(["ftfy", str(text_path), str(MOJIBAKE_CASES), str(peer_res)], "ftfy", python, "_peers.py")
    peer = read_json(peer_res)
    for label in ("fix_text", "fix_encoding"):
        r = peer[label]
        out["tools"][f"ftfy {peer['version']} {label}"] = {
            "wall_s": r["wall_s"],
            "cpu_s": r["cpu_s"],
            "bytes": peer["bytes"],
            "changed_docs": r["changed_docs"],
            **score(r["cases"]),
        }
    return out


def _filter_names() -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cleancorp.filters import SPEC_ORDER, FILTERS_BY_NAME;"
            "print(' '.join(n for n in SPEC_ORDER if n in FILTERS_BY_NAME))",
        ],
        capture_output=True,
        text=True,
        cwd=HERE,
    )
    return out.stdout.split()


# -- the report ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "cleancorp"],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load": os.getloadavg(),
        "git": rev + ("+dirty" if dirty else ""),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def _pipeline_row(m: dict[str, Any], scale: str) -> str:
    runs = m["runs"]
    mbs = [r["bytes"] / MiB / r["wall_s"] for r in runs]
    cpu_mbs = [r["bytes"] / MiB / r["cpu_s"] for r in runs]
    dps = [r["files"] / r["wall_s"] for r in runs]
    rss = [r["peak_rss"] / MiB for r in runs]
    tree = [r["peak_tree_rss"] / MiB for r in runs]
    r0 = runs[0]
    return (
        f"| {m['label']} | {scale} | -j{m['jobs']} | {mib(r0['bytes'])} | {r0['files']} -> "
        f"{r0['docs_out']} | {len(runs)} | {fmt_range(mbs)} | {fmt_range(dps, 1)} | "
        f"{fmt_range(cpu_mbs)} | {fmt_range(rss, 0)} | {fmt_range(tree, 0)} |"
    )


def render(res: dict[str, Any]) -> str:
    a = res["args"]
    mach = res["machine"]
    lines = [
        "# cleancorp benchmark",
        "",
        f"{mach['date']}, cleancorp {mach['git']}, Python {mach['python']}, {mach['cpus']} CPUs "
        f"({mach['cpu']}), load average at start {', '.join(f'{x:.2f}' for x in mach['load'])}. "
        f"Corpora from `make_corpus.py --seed {a['seed']}`: default {a['size_mb']:g} MiB, "
        f"unique {a['unique_mb']:g} MiB, scale {a['scale']}x, {a['runs']} run(s) per figure; "
        f"peer slice {a['slice_mb']:g} MiB. MB = MiB (2^20 bytes). Wall {res['seconds']:.0f} s.",
        "",
        "## Whole default pipeline (CLI, `--report` to a `.jsonl.zst` file)",
        "",
        "Median (min-max) over the runs. MB/s and docs/s are input per wall second, including "
        "process start-up; CPU MB/s is input per CPU second of the whole process tree "
        "(steadier on a "
        "shared machine). Peak RSS: largest single process (kernel `ru_maxrss`, exact) and the "
        "whole tree at once (sampled every 20 ms).",
        "",
        "| corpus | scale | jobs | input | docs in -> out | runs | MB/s | docs/s | CPU MB/s | "
        "peak RSS MiB (largest process) | peak RSS MiB (tree) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in res["pipeline"]:
        lines.append(_pipeline_row(m, m["scale"]))
    pf = res.get("perfilter")
    if pf:
        total_b = pf["bytes"]
        lines += [
            "",
            f"## Per filter, 1x, in process, one core ({mib(total_b)}, "
            f"{pf['input_docs']} files, {pf['runs']} run(s))",
            "",
            "MB/s = corpus input MB per second spent in that filter alone (so the whole "
            "pipeline's time is the sum of the rows' times). Each filter sees the output of "
            "the filters before it.",
            "",
            "| filter | docs in | MB/s | docs/s | CPU MB/s | seconds (median) | share |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        med_total = sum(statistics.median(s["wall_s"]) for s in pf["stages"])
        for s in pf["stages"]:
            mbs = [total_b / MiB / max(w, 1e-9) for w in s["wall_s"]]
            cpu = [total_b / MiB / max(c, 1e-9) for c in s["cpu_s"]]
            dps = [s["docs_in"] / max(w, 1e-9) for w in s["wall_s"]]
            med = statistics.median(s["wall_s"])
            lines.append(
                f"| {s['filter']} | {s['docs_in']} | {fmt_range(mbs, 1)} | "
                f"{fmt_range(dps, 0)} | {fmt_range(cpu, 1)} | {med:.2f} | "
                f"{100 * med / max(med_total, 1e-9):.1f}% |"
            )
        lines.append(
            f"| **all filters** | | {total_b / MiB / max(med_total, 1e-9):.1f} | | | "
            f"{med_total:.2f} | 100% |"
        )
        j1 = next(
            (
                m
                for m in res["pipeline"]
                if m["label"] == "default" and m["scale"] == "1x" and m["jobs"] == 1
            ),
            None,
        )
        if j1:
            cli_cpu = statistics.median(r["cpu_s"] for r in j1["runs"])
            lines += [
                "",
                f"The CLI at -j1 spent {cli_cpu:.1f} CPU s on this corpus (median); the filters "
                f"account for {med_total:.1f} s ({100 * med_total / max(cli_cpu, 1e-9):.0f}%). The "
                "rest is start-up, the template pre-pass (which runs the filters before "
                "`boilerplate` a second time), the change report and writing outputs.",
            ]
    lines += _dedup_section(res)
    lines += _memory_section(res)
    lines += _peers_section(res)
    lines += _targets_section(res)
    return "\n".join(lines) + "\n"


def _dedup_section(res: dict[str, Any]) -> list[str]:
    pf, ix = res.get("perfilter") or {}, res.get("index") or {}
    rows = []
    for s in pf.get("stages", []):
        if s["filter"].startswith("dedup"):
            w = statistics.median(s["wall_s"])
            rows.append(
                f"| default 1x | {s['filter']} | {s['docs_in']} | "
                f"{s['docs_in'] / max(w, 1e-9):.0f} | {pf['bytes'] / MiB / max(w, 1e-9):.1f} |"
            )
    if ix and "apply" in ix:
        for key, label in (("apply", "dedup"), ("corpus_step", "dedup (corpus step)")):
            w = ix[key]["wall_s"]
            rows.append(
                f"| unique 1x | {label} | {ix['docs']} | {ix['docs'] / max(w, 1e-9):.0f} | "
                f"{ix['bytes'] / MiB / max(w, 1e-9):.1f} |"
            )
    if not rows:
        return []
    out = [
        "",
        "## Dedup",
        "",
        "| corpus | step | docs in | docs/s | MB/s |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]
    for label, fig in (("default 1x", pf.get("index")), ("unique 1x", ix.get("index"))):
        if fig:
            out.append(
                f"- index after {label}: {fig['docs']} documents, {fig['bytes']:,} bytes, "
                f"**{fig['bytes_per_doc']:,.0f} bytes per document** (the in-memory index's "
                f"own count: hashes, signatures, LSH buckets)"
            )
    return out


def _memory_section(res: dict[str, Any]) -> list[str]:
    mem = res.get("memory")
    if not mem:
        return []
    return [
        "",
        f"## Memory on the `--unique` corpus (-j{mem['jobs']}, largest process)",
        "",
        f"- 1x: {mem['docs1']} documents, peak RSS {mem['rss1'] / MiB:.1f} MiB; "
        f"{res['args']['scale']}x: {mem['docs10']} documents, "
        f"peak RSS {mem['rss10'] / MiB:.1f} MiB.",
        f"- measured growth: {mem['growth_per_doc']:,.0f} bytes per added document "
        f"(RSS difference / document difference); index's own count "
        f"{mem['index_per_doc']:,.0f} bytes per document.",
        f"- bound: {TARGET_RSS_FACTOR} x 1x peak + index bytes/doc x added documents = "
        f"{mem['bound'] / MiB:.1f} MiB -> {'met' if mem['rss10'] <= mem['bound'] else 'NOT met'}.",
    ]


def _peers_section(res: dict[str, Any]) -> list[str]:
    peers = res.get("peers")
    if not peers:
        return ["", "## Peers", "", "Skipped (`--skip-peers`)."]
    out = ["", f"## Side by side with peers (slice of {res['args']['slice_mb']:g} MiB)"]
    t2s = peers.get("t2s")
    if t2s:
        ours = t2s["cleancorp"]
        out += [
            "",
            "### Traditional -> simplified, traditional-only text (the slice through OpenCC s2t)",
            "",
            "| tool | MB | MB/s | CPU MB/s |",
            "| --- | --- | --- | --- |",
            f"| cleancorp `t2s` (`--t2s on`, OpenCC {ours['opencc_version']}) | "
            f"{ours['bytes'] / MiB:.1f} | {ours['bytes'] / MiB / ours['wall_s']:.1f} | "
            f"{ours['bytes'] / MiB / ours['cpu_s']:.1f} |",
            f"| bare `opencc.OpenCC('t2s').convert` (same venv) | {ours['bytes'] / MiB:.1f} | "
            f"{ours['bytes'] / MiB / ours['bare_opencc']['wall_s']:.1f} | "
            f"{ours['bytes'] / MiB / ours['bare_opencc']['cpu_s']:.1f} |",
        ]
        if "reimpl" in t2s:
            p = t2s["reimpl"]
            ag = t2s["agreement"]
            out += [
                f"| opencc-python-reimplemented {p['version']} | {p['bytes'] / MiB:.1f} | "
                f"{p['bytes'] / MiB / p['wall_s']:.1f} | {p['bytes'] / MiB / p['cpu_s']:.1f} |",
                "",
                f"The two outputs are identical on {ag['same_docs']} of {ag['docs']} documents and "
                f"differ on {ag['diff_chars']:,} of {ag['chars']:,} characters "
                f"({100 * ag['diff_chars'] / max(1, ag['chars']):.3f}%).",
            ]
        rt = t2s.get("roundtrip")
        if rt:
            out += [
                "",
                f"cleancorp's output vs the original simplified slice (s2t then t2s round trip): "
                f"{rt['diff_chars']:,} of {rt['chars']:,} characters differ "
                f"({100 * rt['diff_chars'] / max(1, rt['chars']):.3f}%).",
            ]
        else:
            out += ["", f"opencc-python-reimplemented: skipped ({t2s.get('peer_skipped')})."]
    det = peers.get("detect")
    if det:
        truth = ", ".join(f"{k} {v}" for k, v in sorted(det["truth"].items()))
        out += [
            "",
            f"### Encoding detection, `--mixed-encodings` corpus ({truth})",
            "",
            "Right = decoding with the detected codec gives exactly the text of the true codec "
            "(a superset codec that decodes the same counts as right).",
            "",
            "| detector | files | right | accuracy | wrong by true encoding | MB/s | CPU MB/s |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, d in det["detectors"].items():
            wrong = ", ".join(f"{k} {v}" for k, v in sorted(d["wrong_by_encoding"].items())) or "-"
            ver = f" {d['version']}" if d.get("version") else ""
            out.append(
                f"| {name}{ver} | {d['docs']} | {d['right']} | "
                f"{100 * d['right'] / max(1, d['docs']):.1f}% | "
                f"{wrong} | {d['bytes'] / MiB / max(d['wall_s'], 1e-9):.1f} | "
                f"{d['bytes'] / MiB / max(d['cpu_s'], 1e-9):.1f} |"
            )
        if det.get("peer_skipped"):
            out.append(f"\nchardet, charset-normalizer: skipped ({det['peer_skipped']}).")
    mj = peers.get("mojibake")
    if mj and "tools" in mj:
        out += [
            "",
            f"### Mojibake: `fixtures/cases/mojibake.json` ({mj['positive']} damaged cases, "
            f"{mj['cases'] - mj['positive']} clean ones) and speed on the slice",
            "",
            "Repaired = output equals the expected text exactly; "
            "changed = damaged case altered at all; "
            "harmed = clean case altered.",
            "",
            "| tool | repaired | changed | harmed | MB/s | CPU MB/s | slice docs changed |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, t in mj["tools"].items():
            out.append(
                f"| {name} | {t['repaired']}/{mj['positive']} | "
                f"{t['changed_damaged']}/{mj['positive']} | "
                f"{t['harmed_clean']}/{mj['cases'] - mj['positive']} | "
                f"{t['bytes'] / MiB / max(t['wall_s'], 1e-9):.1f} | "
                f"{t['bytes'] / MiB / max(t['cpu_s'], 1e-9):.1f} | {t['changed_docs']} |"
            )
        if mj.get("peer_skipped"):
            out.append(f"\nftfy: skipped ({mj['peer_skipped']}).")
    return out


def _targets_section(res: dict[str, Any]) -> list[str]:
    rows = []

    def row(target: str, value: float | None, ok: bool | None, unit: str = "") -> None:
        shown = "-" if value is None else f"{value:.2f}{unit}"
        verdict = "-" if ok is None else ("met" if ok else "**not met**")
        rows.append(f"| {target} | {shown} | {verdict} |")

    by = {(m["label"], m["scale"], m["jobs"]): m for m in res["pipeline"]}
    j1, j2 = by.get(("default", "1x", 1)), by.get(("default", "1x", 2))

    def med_mbs(m: dict[str, Any]) -> float:
        return statistics.median(r["bytes"] / MiB / r["wall_s"] for r in m["runs"])

    if j1:
        v = med_mbs(j1)
        row(
            f"default pipeline -j1 >= {TARGET_PIPELINE_MBS:g} MB/s",
            v,
            v >= TARGET_PIPELINE_MBS,
            " MB/s",
        )
    if j1 and j2:
        v = med_mbs(j2) / med_mbs(j1)
        row(f"-j2 >= {TARGET_SPEEDUP_J2}x -j1", v, v >= TARGET_SPEEDUP_J2, "x")
    pf = res.get("perfilter")
    if pf:
        for name, target in (("t2s", TARGET_T2S_MBS), ("decode", TARGET_DECODE_MBS)):
            st = next((s for s in pf["stages"] if s["filter"] == name), None)
            if st:
                v = pf["bytes"] / MiB / statistics.median(st["wall_s"])
                where = "inside the pipeline" if name == "t2s" else "on the UTF-8 corpus"
                row(f"`{name}` >= {target:g} MB/s {where}", v, v >= target, " MB/s")
    t2s = (res.get("peers") or {}).get("t2s")
    if t2s:
        ours = t2s["cleancorp"]
        v = ours["bytes"] / MiB / ours["wall_s"]
        row(
            f"`t2s` >= {TARGET_T2S_MBS:g} MB/s on traditional-only text (`--t2s on`)",
            v,
            v >= TARGET_T2S_MBS,
            " MB/s",
        )
    if j1 and all("report_bytes" in r for r in j1["runs"]):
        v = statistics.median(r["report_bytes"] / r["bytes"] for r in j1["runs"])
        row(f"default report (`.jsonl.zst`) <= {TARGET_REPORT_RATIO}x the input bytes", v,
            v <= TARGET_REPORT_RATIO, "x")
    mem = res.get("memory")
    if mem:
        row(
            f"unique {res['args']['scale']}x peak RSS <= {TARGET_RSS_FACTOR} x 1x + index growth "
            f"(MiB, bound {mem['bound'] / MiB:.1f})",
            mem["rss10"] / MiB,
            mem["rss10"] <= mem["bound"],
            " MiB",
        )
    return [
        "",
        "## Targets (issue 6)",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        *rows,
        "",
        "Wall-clock figures on a shared 2-core machine are noisy: compare CPU MB/s as well.",
    ]


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--size-mb", type=float, default=100, help="default corpus size, MiB (default 100)"
    )
    ap.add_argument("--unique-mb", type=float, help="--unique corpus size (default: --size-mb)")
    ap.add_argument("--scale", type=int, default=10, help="the large run's multiple (default 10)")
    ap.add_argument(
        "--slice-mb",
        type=float,
        default=20,
        help="input of the side-by-side comparisons, and size of the mixed-encodings corpus",
    )
    ap.add_argument(
        "--runs", type=int, default=3, help="runs per figure (default 3; 10x runs once)"
    )
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="tiny corpora, one run, 2x instead of 10x, -j2 only at 1x: "
        "proves the harness works in well under a minute",
    )
    ap.add_argument(
        "--peers",
        choices=["install", "existing", "skip"],
        default="install",
        help="install peer venvs when missing (default), use them only if present, or skip",
    )
    ap.add_argument("--skip-peers", action="store_true", help="same as --peers skip")
    ap.add_argument("--skip-large", action="store_true", help="leave out the 10x runs")
    ap.add_argument(
        "--ray",
        choices=("auto", "require", "skip"),
        default="auto",
        help="measure --engine ray when Ray is installed (auto), insist on it, or leave it out",
    )
    ap.add_argument(
        "--profile-mb",
        type=float,
        default=0,
        help="also write a cProfile per filter over this many MiB of the corpus",
    )
    ap.add_argument("--workdir", type=Path, default=HERE / "out", help="corpora and scratch files")
    ap.add_argument("--make-corpus", type=Path, default=DEFAULT_MAKE_CORPUS)
    ap.add_argument("--output", type=Path, help="also write the Markdown table here")
    ns = ap.parse_args(argv)
    if ns.quick:
        ns.size_mb, ns.slice_mb, ns.runs, ns.scale = (
            min(ns.size_mb, 0.3),
            min(ns.slice_mb, 0.3),
            1,
            2,
        )
    if ns.unique_mb is None:
        ns.unique_mb = ns.size_mb
    if ns.skip_peers:
        ns.peers = "skip"
    return ns


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    if not ns.make_corpus.is_file():
        print(f"error: {ns.make_corpus} not found (use --make-corpus)", file=sys.stderr)
        return 2
    work = ns.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    res: dict[str, Any] = {
        "machine": machine(),
        "args": {
            "size_mb": ns.size_mb,
            "unique_mb": ns.unique_mb,
            "scale": ns.scale,
            "slice_mb": ns.slice_mb,
            "runs": ns.runs,
            "seed": ns.seed,
            "quick": ns.quick,
        },
    }
    mk = ns.make_corpus.resolve()
    default1 = make_corpus(mk, work, ns.size_mb, "default", ns.seed)
    unique1 = make_corpus(mk, work, ns.unique_mb, "unique", ns.seed)
    large = not ns.skip_large
    default10 = make_corpus(mk, work, ns.size_mb * ns.scale, "default", ns.seed) if large else None
    unique10 = make_corpus(mk, work, ns.unique_mb * ns.scale, "unique", ns.seed) if large else None
    mixed = make_corpus(mk, work, ns.slice_mb, "mixed", ns.seed) if ns.peers != "skip" else None
    big = f"{ns.scale}x"

    pipeline = []
    if not ns.quick:
        # Fixed cost of a run (interpreter, imports, OpenCC): one small file.
        startup = work / "corpora" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        smallest = min(
            (p for p in default1.iterdir() if p.suffix == ".txt"), key=lambda p: p.stat().st_size
        )
        shutil.copyfile(smallest, startup / "one.txt")
        m = measure_cli("one file (start-up)", startup, 1, ns.runs, work)
        m["scale"] = "-"
        pipeline.append(m)
    # Worker start-up costs seconds: --quick runs -j2 once, the rest at -j1, to stay fast.
    large_jobs = 1 if ns.quick else 2
    for jobs in (1, 2):
        m = measure_cli("default", default1, jobs, ns.runs, work)
        m["scale"] = "1x"
        pipeline.append(m)
    if ns.ray != "skip" and importlib.util.find_spec("ray") is not None:
        # The Ray engine on this one machine (a local Ray instance with -j CPUs): its
        # overhead over the local engine, same corpus, same outputs.
        m = measure_cli("default, --engine ray", default1, 2, 1 if ns.quick else ns.runs, work,
                        ("--engine", "ray"))
        m["scale"] = "1x"
        pipeline.append(m)
    elif ns.ray == "require":
        print("error: --ray require, but Ray is not installed (pip install -e '.[ray]')",
              file=sys.stderr)
        return 2
    if default10 is not None:
        m = measure_cli("default", default10, large_jobs, 1, work)
        m["scale"] = big
        pipeline.append(m)
    u1 = measure_cli("unique", unique1, large_jobs, 1, work)
    u1["scale"] = "1x"
    pipeline.append(u1)
    u10 = None
    if unique10 is not None:
        u10 = measure_cli("unique", unique10, large_jobs, 1, work)
        u10["scale"] = big
        pipeline.append(u10)
    res["pipeline"] = pipeline

    log(f"per filter on {default1.name} ({ns.runs} run(s))")
    pf_json = work / "perfilter.json"
    task(["perfilter", str(default1), str(pf_json), "--runs", str(ns.runs)], "perfilter")
    res["perfilter"] = read_json(pf_json)
    if ns.profile_mb:
        log(f"profile on {ns.profile_mb:g} MiB")
        prof_json, prof_txt = work / "profile.json", work / "profile.txt"
        task(
            [
                "perfilter",
                str(default1),
                str(prof_json),
                "--max-mb",
                str(ns.profile_mb),
                "--profile",
                str(prof_txt),
            ],
            "profile",
        )
        res["profile"] = str(prof_txt)

    log(f"dedup index on {unique1.name}")
    ix_json = work / "index.json"
    task(["index", str(unique1), str(ix_json)], "index")
    res["index"] = read_json(ix_json)
    if u10 is not None and "index" in res["index"]:
        r1, r10 = u1["runs"][0], u10["runs"][0]
        docs1, docs10 = r1["docs_out"] or r1["files"], r10["docs_out"] or r10["files"]
        per_doc = res["index"]["index"]["bytes_per_doc"]
        res["memory"] = {
            "jobs": u1["jobs"],
            "docs1": docs1,
            "docs10": docs10,
            "rss1": r1["peak_rss"],
            "rss10": r10["peak_rss"],
            "growth_per_doc": (r10["peak_rss"] - r1["peak_rss"]) / max(1, docs10 - docs1),
            "index_per_doc": per_doc,
            "bound": TARGET_RSS_FACTOR * r1["peak_rss"] + per_doc * (docs10 - docs1),
        }

    if ns.peers != "skip":
        slices = work / f"slices-{ns.slice_mb:g}mb-s{ns.seed}"
        slices.mkdir(exist_ok=True)
        text = text_slice(default1, ns.slice_mb)
        text_path = slices / "text.jsonl"
        write_texts(text_path, text)
        peers: dict[str, Any] = {}
        peers["t2s"] = peers_t2s(slices, text, ns.peers)
        assert mixed is not None
        peers["detect"] = peers_detect(mixed, slices, ns.peers)
        peers["mojibake"] = peers_mojibake(slices, text_path, ns.peers)
        res["peers"] = peers

    res["seconds"] = time.perf_counter() - start
    (work / "results.json").write_text(
        json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    table = render(res)
    if ns.output:
        ns.output.write_text(table, encoding="utf-8")
    sys.stdout.write(table)
    log(f"done in {res['seconds']:.0f} s; raw figures in {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
