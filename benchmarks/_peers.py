"""The peers' side of the side-by-side comparisons; runs under a peer venv's python.

    python _peers.py t2s-reimpl TEXTS.jsonl OUT.jsonl RESULT.json
    python _peers.py detect chardet|charset-normalizer CORPUS_DIR RESULT.json
    python _peers.py ftfy TEXTS.jsonl CASES.json RESULT.json

Standard library plus the peer only (never cleancorp: the peers live in their
own venvs, `opencc-python-reimplemented` even in one of its own because it
installs a module called `opencc` too). TEXTS.jsonl holds one JSON string (a
document) per line. Timing covers the peer's call alone, never reading files,
exactly as `_tasks.py` times cleancorp's side.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_texts(path: str) -> list[str]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def timed(func: Any, items: list[Any]) -> tuple[list[Any], float, float]:
    """Apply `func` to every item; (results, wall seconds, CPU seconds)."""
    out = []
    wall, cpu = time.perf_counter(), time.process_time()
    for item in items:
        out.append(func(item))
    return out, time.perf_counter() - wall, time.process_time() - cpu


def normalize_decoded(text: str) -> str:
    """The decoded text as cleancorp's `decode` leaves it: no BOM, `\\n` line ends,
    no final newline (comparisons are about the decoding, not these details)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text[:-1] if text.endswith("\n") else text


def codec_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_with(data: bytes, name: str | None) -> str | None:
    codec = codec_name(name)
    if codec is None:
        return None
    return normalize_decoded(data.decode(codec, errors="replace"))


def t2s_reimpl(texts_path: str, out_path: str, result_path: str) -> dict[str, Any]:
    from opencc import OpenCC  # opencc-python-reimplemented

    texts = read_texts(texts_path)
    converter = OpenCC("t2s")
    outs, wall, cpu = timed(converter.convert, texts)
    with Path(out_path).open("w", encoding="utf-8") as f:
        for o in outs:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    return {
        "peer": "opencc-python-reimplemented",
        "version": _version("opencc-python-reimplemented"),
        "docs": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
        "wall_s": wall,
        "cpu_s": cpu,
    }


def detect(which: str, corpus: str, result_path: str) -> dict[str, Any]:
    paths = sorted(p for p in Path(corpus).iterdir() if p.suffix == ".txt")
    names = [p.name for p in paths]
    blobs = [p.read_bytes() for p in paths]
    if which == "chardet":
        import chardet

        def guess(data: bytes) -> str | None:
            return chardet.detect(data)["encoding"]

        version = chardet.__version__
    elif which == "charset-normalizer":
        import charset_normalizer

        def guess(data: bytes) -> str | None:
            best = charset_normalizer.from_bytes(data).best()
            return None if best is None else best.encoding

        version = charset_normalizer.__version__
    else:
        raise SystemExit(f"unknown detector {which!r}")
    guesses, wall, cpu = timed(guess, blobs)
    # Decoding with the guess is part of the job but not of the timing: it is
    # the codec's speed, the same for everybody.
    files = {}
    for name, data, enc in zip(names, blobs, guesses, strict=True):
        text = decode_with(data, enc)
        files[name] = {"encoding": enc, "digest": None if text is None else digest(text)}
    return {
        "peer": which,
        "version": version,
        "docs": len(blobs),
        "bytes": sum(len(b) for b in blobs),
        "wall_s": wall,
        "cpu_s": cpu,
        "files": files,
    }


def ftfy_task(texts_path: str, cases_path: str, result_path: str) -> dict[str, Any]:
    import ftfy

    texts = read_texts(texts_path)
    with Path(cases_path).open(encoding="utf-8") as f:
        cases = json.load(f)
    out: dict[str, Any] = {
        "peer": "ftfy",
        "version": ftfy.__version__,
        "docs": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
    }
    for label, func in (("fix_text", ftfy.fix_text), ("fix_encoding", ftfy.fix_encoding)):
        results, wall, cpu = timed(func, texts)
        out[label] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "changed_docs": sum(1 for a, b in zip(texts, results, strict=True) if a != b),
            "cases": [func(c["original"]) for c in cases],
        }
    return out


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # a version is informative only
        return "unknown"


def main(argv: list[str]) -> int:
    task, args = argv[0], argv[1:]
    if task == "t2s-reimpl":
        result = t2s_reimpl(*args)
    elif task == "detect":
        result = detect(*args)
    elif task == "ftfy":
        result = ftfy_task(*args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    with Path(args[-1]).open("w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
