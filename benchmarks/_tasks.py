"""cleancorp's in-process measurements; run by `run.py` with the project's python.

    python _tasks.py perfilter CORPUS RESULT.json [--runs N] [--max-mb M] [--profile FILE]
    python _tasks.py index CORPUS RESULT.json
    python _tasks.py t2s TEXTS.jsonl OUT.jsonl RESULT.json
    python _tasks.py decode CORPUS RESULT.json
    python _tasks.py mojibake TEXTS.jsonl CASES.json RESULT.json

Each task runs in its own process so one task's memory never weighs on the
next. Timing covers the filters' `apply` calls alone (no file reading), the
same as `_peers.py` does for the peers.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import pickle
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from cleancorp.config import build_config
from cleancorp.document import Document
from cleancorp.filters import FILTERS_BY_NAME
from cleancorp.pipeline import Pipeline

#: Top entries shown per filter in a profile (the issue asks for the top costs).
PROFILE_TOP = 15
#: Documents a filter sees before timing starts: enough that lazily built helpers
#: (OpenCC, character tables, rule sets) exist, as they do in a long run.
WARM_UP_DOCS = 8


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def corpus_files(corpus: str, max_mb: float | None = None) -> list[tuple[str, bytes]]:
    """The corpus's .txt files in sorted order (the runner's stable order), up to `max_mb`."""
    out, total = [], 0
    limit = None if max_mb is None else int(max_mb * 1024 * 1024)
    for path in sorted(Path(corpus).iterdir()):
        if path.suffix != ".txt":
            continue
        name, data = path.name, path.read_bytes()
        if limit is not None and out and total + len(data) > limit:
            break
        out.append((name, data))
        total += len(data)
    return out


def read_texts(path: str) -> list[str]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Clock:
    """Wall and CPU time of a block; CPU time is the steadier figure on a shared machine."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


# -- perfilter ---------------------------------------------------------------------


def _template_counts(boiler: Any, docs: list[Document]) -> dict[int, int]:
    """The corpus pre-pass of `boilerplate` the way the runner does it: exact copies
    of a page count once."""
    counts: dict[int, int] = {}
    seen: set[bytes] = set()
    for doc in docs:
        key = hashlib.blake2b(doc.text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        if key in seen:
            continue
        seen.add(key)
        for k in boiler.document_template_keys(doc):
            counts[k] = counts.get(k, 0) + 1
    return counts


def _apply_all(flt: Any, docs: list[Document]) -> list[Document]:
    out: list[Document] = []
    for doc in docs:
        out.extend(d for d in flt.apply(doc) if not d.dropped)
    return out


def _corpus_all(flt: Any, state: Any, docs: list[Document]) -> list[Document]:
    """The dedup corpus step in stable order, committing input by input as the runner does."""
    out: list[Document] = []
    pending: list[Document] = []
    source = None
    for doc in docs:
        if source is not None and doc.source != source:
            state.commit(pending, [d.uid for d in pending])
            pending = []
        source = doc.source
        kept = [d for d in flt.corpus_apply(doc, state) if not d.dropped]
        pending.extend(kept)
        out.extend(kept)
    if pending:
        state.commit(pending, [d.uid for d in pending])
    return out


def _profile_text(prof: cProfile.Profile, title: str) -> str:
    buf = io.StringIO()
    for key in ("cumulative", "tottime"):
        buf.write(f"\n### {title}: top {PROFILE_TOP} by {key}\n\n")
        stats = pstats.Stats(prof, stream=buf)
        stats.strip_dirs().sort_stats(key).print_stats(PROFILE_TOP)
    return buf.getvalue()


def perfilter(
    corpus: str, runs: int = 1, max_mb: float | None = None, profile: str | None = None
) -> dict[str, Any]:
    """Each filter of the default pipeline over the whole corpus, in pipeline order, so
    each sees the input it really gets. Each stage is timed `runs` times on fresh
    copies of its input; the first run's output feeds the next stage."""
    files = corpus_files(corpus, max_mb)
    total_bytes = sum(len(d) for _, d in files)
    pipeline = Pipeline.from_config(build_config({}))
    docs = [Document(source=name, raw=data) for name, data in files]
    del files
    stages: list[dict[str, Any]] = []
    profiles: list[str] = []

    def stage(name: str, func: Any, docs_in: list[Document]) -> list[Document]:
        blob = (
            pickle.dumps(docs_in, protocol=pickle.HIGHEST_PROTOCOL) if runs > 1 or profile else None
        )
        walls, cpus, result = [], [], None
        text_bytes = sum(
            len(d.raw) if d.raw is not None else len(d.text.encode("utf-8", "surrogatepass"))
            for d in docs_in
        )
        if profile:
            # A profiled run is slower (the profiler's own cost): it feeds the next
            # stage but its time is not one of the timed runs.
            prof = cProfile.Profile()
            prof.enable()
            result = func(docs_in)
            prof.disable()
            profiles.append(_profile_text(prof, name))
        for r in range(runs):
            fresh = profile or r > 0
            work = pickle.loads(blob) if fresh else docs_in  # type: ignore[arg-type]
            gc.collect()
            with Clock() as clock:
                out = func(work)
            walls.append(clock.wall)
            cpus.append(clock.cpu)
            if result is None:
                result = out
        stages.append(
            {
                "filter": name,
                "docs_in": len(docs_in),
                "text_bytes_in": text_bytes,
                "wall_s": walls,
                "cpu_s": cpus,
            }
        )
        return result  # type: ignore[return-value]

    index_state = None
    for flt in pipeline.filters:
        _warm_up(flt, docs)
        if flt.name == "boilerplate" and hasattr(flt, "document_template_keys"):
            counts: dict[int, int] = {}

            def prepass(
                ds: list[Document], flt: Any = flt, counts: dict = counts
            ) -> list[Document]:
                counts.clear()
                counts.update(_template_counts(flt, ds))
                return ds

            docs = stage("boilerplate (template pre-pass)", prepass, docs)
            flt.template_counts = counts  # type: ignore[attr-defined]
        docs = stage(flt.name, lambda ds, flt=flt: _apply_all(flt, ds), docs)
        if flt.has_corpus_step:
            holder: dict[str, Any] = {}

            def corpus_step(
                ds: list[Document], flt: Any = flt, holder: dict = holder
            ) -> list[Document]:
                holder["state"] = flt.open_corpus(index_path=None, check=False)
                return _corpus_all(flt, holder["state"], ds)

            docs = stage(f"{flt.name} (corpus step)", corpus_step, docs)
            index_state = holder["state"]
    result: dict[str, Any] = {
        "corpus": corpus,
        "input_docs": stages[0]["docs_in"] if stages else 0,
        "bytes": total_bytes,
        "runs": runs,
        "stages": stages,
        "docs_out": len(docs),
    }
    if index_state is not None:
        result["index"] = _index_figures(index_state)
    if profile:
        with Path(profile).open("w", encoding="utf-8") as f:
            f.write(
                f"# cProfile of the default pipeline, in process, one job: {corpus} "
                f"({total_bytes / 1048576:.1f} MiB, {result['input_docs']} files)\n"
            )
            f.write("".join(profiles))
    return result


def _warm_up(flt: Any, docs: list[Document]) -> None:
    """Build a filter's lazy helpers (OpenCC, rule tables) outside the timing, on a
    throwaway copy of one document."""
    for doc in pickle.loads(pickle.dumps(docs[:WARM_UP_DOCS])):
        try:
            flt.apply(doc)
        except Exception:  # warm-up only: the timed run shows any real error
            return


def _index_figures(state: Any) -> dict[str, Any]:
    committed = getattr(state, "committed", None)
    docs = len(committed) if committed is not None else 0
    nbytes = committed.nbytes if committed is not None else 0
    return {
        "docs": docs,
        "bytes": nbytes,
        "bytes_per_doc": getattr(state, "bytes_per_document", nbytes / max(1, docs)),
    }


# -- index: dedup alone, for index growth ----------------------------------------------


def index_task(corpus: str) -> dict[str, Any]:
    """decode + dedup (worker part and corpus step) over a corpus: the dedup index's
    size per document and the dedup throughput on text that other filters would
    barely change (the `--unique` corpus is clean UTF-8)."""
    if "dedup" not in FILTERS_BY_NAME:
        return {"skipped": "no dedup filter in this version"}
    files = corpus_files(corpus)
    total = sum(len(d) for _, d in files)
    decode = FILTERS_BY_NAME["decode"]()
    dedup = FILTERS_BY_NAME["dedup"]()
    docs = _apply_all(decode, [Document(source=n, raw=d) for n, d in files])
    del files
    with Clock() as c1:
        docs = _apply_all(dedup, docs)
    state = dedup.open_corpus(index_path=None, check=False)
    with Clock() as c2:
        kept = _corpus_all(dedup, state, docs)
    return {
        "corpus": corpus,
        "bytes": total,
        "docs": len(docs),
        "kept": len(kept),
        "apply": {"wall_s": c1.wall, "cpu_s": c1.cpu},
        "corpus_step": {"wall_s": c2.wall, "cpu_s": c2.cpu},
        "index": _index_figures(state),
    }


# -- side by side with the peers ------------------------------------------------------------


def t2s_task(texts_path: str, out_path: str) -> dict[str, Any]:
    """cleancorp's t2s with `--t2s on` over traditional-only text (and bare OpenCC,
    to separate the filter's own cost from the converter's)."""
    import opencc

    texts = read_texts(texts_path)
    flt = FILTERS_BY_NAME["t2s"](build_config({"t2s": "on"}).options_for("t2s"))
    docs = [Document.from_text(t, source=f"t{i}") for i, t in enumerate(texts)]
    _warm_up(flt, docs)
    with Clock() as clock:
        for doc in docs:
            flt.apply(doc)
    converter = opencc.OpenCC("t2s")
    with Clock() as bare:
        for t in texts:
            converter.convert(t)
    with Path(out_path).open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc.text, ensure_ascii=False) + "\n")
    return {
        "docs": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
        "wall_s": clock.wall,
        "cpu_s": clock.cpu,
        "opencc_version": opencc.__version__,
        "bare_opencc": {"wall_s": bare.wall, "cpu_s": bare.cpu},
    }


def decode_task(corpus: str) -> dict[str, Any]:
    """cleancorp's `decode` over every file of the mixed-encodings corpus."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _peers import normalize_decoded

    files = corpus_files(corpus)
    flt = FILTERS_BY_NAME["decode"]()
    docs = [Document(source=n, raw=d) for n, d in files]
    outs: list[Document | None] = []
    errors = 0
    with Clock() as clock:
        for doc in docs:
            try:
                flt.apply(doc)
                outs.append(doc)
            except Exception:  # a refusal (binary) is a failed detection here
                outs.append(None)
                errors += 1
    result_files = {}
    for (name, _), doc in zip(files, outs, strict=True):
        if doc is None:
            result_files[name] = {"encoding": None, "digest": None}
        else:
            result_files[name] = {
                "encoding": doc.meta.get("encoding"),
                # `set_decoded` already dropped one final newline: give it back so that
                # the same normalisation as the truth's applies.
                "digest": digest(normalize_decoded(doc.text + "\n")),
            }
    return {
        "peer": "cleancorp decode",
        "docs": len(files),
        "bytes": sum(len(d) for _, d in files),
        "wall_s": clock.wall,
        "cpu_s": clock.cpu,
        "errors": errors,
        "files": result_files,
    }


def mojibake_task(texts_path: str, cases_path: str) -> dict[str, Any]:
    """cleancorp's `mojibake` then `unicode` (pipeline order): speed over the text
    slice and the output of every mojibake case."""
    texts = read_texts(texts_path)
    with Path(cases_path).open(encoding="utf-8") as f:
        cases = json.load(f)
    filters = [FILTERS_BY_NAME[n]() for n in ("mojibake", "unicode") if n in FILTERS_BY_NAME]
    docs = [Document.from_text(t, source=f"m{i}") for i, t in enumerate(texts)]
    for flt in filters:
        _warm_up(flt, docs)
    with Clock() as clock:
        for doc in docs:
            for flt in filters:
                flt.apply(doc)
    outputs = []
    for case in cases:
        doc = Document.from_text(case["original"])
        for flt in filters:
            flt.apply(doc)
        # Document.from_text drops one final newline; the case texts rarely have one.
        text = doc.text + ("\n" if case["original"].endswith("\n") else "")
        outputs.append(text)
    return {
        "filters": [f.name for f in filters],
        "docs": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
        "wall_s": clock.wall,
        "cpu_s": clock.cpu,
        "changed_docs": sum(1 for d, t in zip(docs, texts, strict=True) if d.text != t),
        "cases": outputs,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("task", choices=["perfilter", "index", "t2s", "decode", "mojibake"])
    ap.add_argument("args", nargs="+")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--max-mb", type=float)
    ap.add_argument("--profile")
    ns = ap.parse_args(argv)
    *inputs, result_path = ns.args
    if ns.task == "perfilter":
        result = perfilter(inputs[0], ns.runs, ns.max_mb, ns.profile)
    elif ns.task == "index":
        result = index_task(inputs[0])
    elif ns.task == "t2s":
        result = t2s_task(inputs[0], inputs[1])
    elif ns.task == "decode":
        result = decode_task(inputs[0])
    else:
        result = mojibake_task(inputs[0], inputs[1])
    with Path(result_path).open("w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
