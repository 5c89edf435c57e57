#!/usr/bin/env python3
"""Build the web case set (scorer format) from its UTF-8 sources.

    python corpus/web/build.py OUT [--split tune|holdout|all] [--check]

Each ``src/<family>/<name>.case`` is one page written for this project (no copied
prose), in sections:

    encoding: gbk          utf-8 (default), utf-8-sig, gbk, gb18030, big5, big5hkscs,
                           utf-16le, utf-16be, utf-16 (with BOM)
    crlf: true             write the input with CRLF line ends (default false)
    t2s: on                the gold, must_keep and must_drop are given in traditional
                           Chinese and converted with OpenCC t2s here (default off)
    exact: true            the page is clean: the expected document is the input itself
    split: tune            tune (we tune on it) or holdout (scored only at the end)
    notes: why the gold is what it is
    --- input
    the page as a user has it (before encoding)
    --- document
    the expected clean text (repeat the section for each article of a compilation;
    none when exact, and write "--- document" with nothing under it... never: a page
    that should be dropped whole has "drop: true" in the header instead)
    --- keep
    one must_keep snippet per line
    --- drop
    one must_drop snippet per line

The builder writes ``OUT/<split>/input/<family>/<name>.txt`` and the matching
``gold/…txt.json``; ``--check`` also verifies that every must_keep snippet is in the
gold documents and no must_drop snippet is (in the scorer's normal form).
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
EXAMPLES = False  # set by --examples: build src/_example too

_FOLD = str.maketrans({"。": ".", "｡": ".", "“": '"', "”": '"', "„": '"', "‟": '"', "〝": '"',
                       "〞": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "【": "[", "】": "]",
                       "〔": "[", "〕": "]"})


def normalise(text: str) -> str:
    """The scorer's comparison form (NFKC, punctuation folded, no whitespace)."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return "".join(ch for ch in text if not ch.isspace())


def parse(path: Path) -> dict:
    header: dict[str, str] = {}
    sections: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("--- ") and line[4:].strip() in ("input", "document", "keep", "drop"):
            sections.append((line[4:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
    case = {"header": header, "input": None, "documents": [], "keep": [], "drop": []}
    for name, lines in sections:
        text = "\n".join(lines).strip("\n")
        if name == "input":
            case["input"] = text + "\n"
        elif name == "document":
            case["documents"].append(text + "\n")
        else:
            case[name] += [s for s in (x.strip() for x in lines) if s]
    if case["input"] is None:
        raise ValueError(f"{path}: no '--- input' section")
    return case


def _t2s():
    import opencc

    return opencc.OpenCC("t2s").convert


def build(out: Path, split: str, check: bool) -> int:
    problems = 0
    convert = None
    for path in sorted(SRC.glob("*/*.case")):
        if path.parent.name.startswith("_") and not EXAMPLES:
            continue  # _example: the format, not a case
        try:
            case = parse(path)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            problems += 1
            continue
        h = case["header"]
        case_split = h.get("split", "tune")
        if split != "all" and case_split != split:
            continue
        exact = h.get("exact", "false") == "true"
        docs = [case["input"]] if exact else case["documents"]
        if h.get("drop", "false") == "true":
            docs = []
        elif not docs:
            print(f"{path}: no document and neither exact nor drop", file=sys.stderr)
            problems += 1
        keep, drop = case["keep"], case["drop"]
        if h.get("t2s", "off") == "on":
            convert = convert or _t2s()
            docs = [convert(d) for d in docs]
            keep = [convert(s) for s in keep]
            drop = [convert(s) for s in drop]
        # must_drop snippets are given as the page has them (t2s: on converts them too)
        source = convert(case["input"]) if h.get("t2s", "off") == "on" else case["input"]
        if check:
            joined = normalise("\n".join(docs))
            for s in keep:
                if normalise(s) not in joined:
                    print(f"{path}: must_keep not in the gold: {s!r}", file=sys.stderr)
                    problems += 1
            for s in drop:
                if normalise(s) in joined:
                    print(f"{path}: must_drop is in the gold: {s!r}", file=sys.stderr)
                    problems += 1
                if normalise(s) not in normalise(source):
                    print(f"{path}: must_drop not in the input: {s!r}", file=sys.stderr)
                    problems += 1
        raw = case["input"]
        if h.get("crlf", "false") == "true":
            raw = raw.replace("\n", "\r\n")
        try:
            data = raw.encode(h.get("encoding", "utf-8"))
        except UnicodeEncodeError as exc:
            print(f"{path}: input not encodable as {h.get('encoding')}: {exc}", file=sys.stderr)
            problems += 1
            continue
        rel = Path(path.parent.name) / (path.stem + ".txt")
        dest = out / case_split
        (dest / "input" / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / "input" / rel).write_bytes(data)
        gold = {"documents": docs, "must_keep": keep, "must_drop": drop, "exact": exact,
                "notes": h.get("notes", "")}
        (dest / "gold" / rel.parent).mkdir(parents=True, exist_ok=True)
        (dest / "gold" / f"{rel}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1),
                                                  encoding="utf-8")
    return problems


#: The do-no-harm golden set (fixtures/clean): clean texts that must come out
#: byte-identical. Its simplified files join the tuning part as exact pages (the
#: traditional and Cantonese ones are kept only with --t2s off, which the scorer does
#: not pass); they were tuned against, so none is held out.
GOLDEN = HERE.parent.parent / "fixtures" / "clean"


def golden_cases(out: Path, split: str) -> int:
    """Write the golden clean texts as exact cases of the tuning part; their count."""
    if split == "holdout":
        return 0
    n = 0
    for path in sorted(GOLDEN.glob("*.txt")):
        if path.stem.startswith(("traditional", "cantonese")):
            continue
        rel = Path("golden_clean") / path.name
        text = path.read_text(encoding="utf-8")
        (out / "tune" / "input" / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / "tune" / "input" / rel).write_bytes(path.read_bytes())
        lines = [ln for ln in text.splitlines() if len(ln) >= 6]
        keep = [lines[0][:20], lines[len(lines) // 2][:20], lines[-1][:20]] if lines else []
        gold = {"documents": [text], "must_keep": keep, "must_drop": [], "exact": True,
                "notes": "do-no-harm golden set (fixtures/clean): clean text, byte-identical"}
        (out / "tune" / "gold" / rel.parent).mkdir(parents=True, exist_ok=True)
        (out / "tune" / "gold" / f"{rel}.json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
        n += 1
    return n


def table() -> str:
    """The README's table of pages: family, page, split, encoding, what it tests."""
    rows = ["| family | page | split | encoding | what the page tests |",
            "| --- | --- | --- | --- | --- |"]
    for path in sorted(SRC.glob("*/*.case")):
        if path.parent.name.startswith("_"):
            continue
        h = parse(path)["header"]
        enc = h.get("encoding", "utf-8") + (" crlf" if h.get("crlf") == "true" else "")
        kind = " (exact)" if h.get("exact") == "true" else ""
        notes = h.get("notes", "").replace("|", "/")
        rows.append(f"| {path.parent.name} | {path.stem}{kind} | {h.get('split', 'tune')} | "
                    f"{enc} | {notes} |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--table", action="store_true", help="print the README table and exit")
    ap.add_argument("--split", default="all", choices=["tune", "holdout", "all"])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--examples", action="store_true", help="build src/_example too")
    args = ap.parse_args()
    global EXAMPLES
    EXAMPLES = args.examples
    if args.table:
        print(table())
        return 0
    if args.out is None:
        ap.error("OUT is required")
    problems = build(args.out, args.split, args.check)
    golden_cases(args.out, args.split)
    if problems:
        print(f"{problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
