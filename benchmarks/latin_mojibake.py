"""Latin-family mojibake: cleancorp next to ftfy on ftfy's public test cases (issue 15).

    python benchmarks/latin_mojibake.py PATH [--no-cli] [--show-failures] [--json OUT]

PATH is ftfy's ``tests/test-cases`` folder, or one or more of its JSON files
(``in-the-wild.json``, ``synthetic.json``, ``negative.json``, ...). The suite is
ftfy's data, not ours: it is read from where you put it and never committed here;
nothing runs over the network.

Each case has ``original``, ``fixed`` (what ``ftfy.fix_text`` gives) and maybe
``fixed-encoding`` (what ``ftfy.fix_encoding`` gives, when the two differ). The
encoding repair is what cleancorp does, so a case's *expected* text is
``fixed-encoding`` when given, else ``fixed``. A case whose expected text is its
original is a *must stay unchanged* case (every negative but one, and a few
others whose only fix is outside encodings: HTML entities, ligatures).

Per kind (the JSON file's name), per tool:

* ``repaired``: damaged cases (expected != original) whose output is exactly the
  expected text;
* ``repaired, U+FFFD removed``: the same, counting as right an output that is the
  expected text without its U+FFFD (SPEC section 2 has cleancorp's repair filter
  remove U+FFFD, which ftfy keeps: six in-the-wild cases expect one);
* ``changed``: must-stay-unchanged cases whose output differs from the original;
* ``right``: repaired plus must-stay-unchanged cases left unchanged, of all cases;
* ``hanzi``: cases whose output holds a Han character that neither the original
  nor the expected text has (Latin text turned into Chinese); for the CLI, nor its
  output for the expected text (t2s makes `正体` of `正體`).

Tools: ``ftfy.fix_encoding`` and ``ftfy.fix_text`` (each judged against its own
expected text), cleancorp's ``mojibake`` filter alone (``fix_mojibake``), and the
whole CLI, ``cleancorp clean - --no-config --skip length`` once per case (the
length filter would drop most cases: they are one short line each). The CLI does
more than repair (it normalises odd spaces, punctuation next to Hanzi, converts
traditional to simplified, ...), so its output for a damaged case is compared with
its output for the expected text: it repaired the case when it treats both alike
and keeps something (either of ftfy's two expected texts counts). A
must-stay-unchanged case is changed when the CLI's output differs from its output
with the repair filter off (``--skip length,mojibake``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import ftfy

from cleancorp.filters.mojibake import fix_mojibake

KIND_ORDER = ["in-the-wild", "synthetic", "negative", "language-names", "known-failures"]


def load_cases(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.glob("*.json")))
        elif p.is_file():
            files.append(p)
        else:
            raise SystemExit(f"latin_mojibake: {p}: no such file or folder")
    if not files:
        raise SystemExit(f"latin_mojibake: no *.json case files in {', '.join(map(str, paths))}")
    kinds: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SystemExit(f"latin_mojibake: {f}: not a JSON case file ({exc})") from None
        if not isinstance(data, list) or not all(
            isinstance(c, dict) and isinstance(c.get("original"), str)
            and isinstance(c.get("fixed"), str) for c in data
        ):
            raise SystemExit(f"latin_mojibake: {f}: expected a list of cases with "
                             "'original' and 'fixed' strings")
        kinds.setdefault(f.stem, []).extend(data)
    return dict(sorted(kinds.items(), key=lambda kv: (
        KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else len(KIND_ORDER), kv[0])))


def han(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Lo" and "CJK" in unicodedata.name(c, "")}


def default_cli() -> str | None:
    here = Path(sys.executable).parent / "cleancorp"
    return str(here) if here.is_file() else shutil.which("cleancorp")


class Cli:
    """`cleancorp clean -` on one text at a time, memoised (expected texts repeat)."""

    def __init__(self, exe: str, skip: str = "length") -> None:
        self.exe = exe
        self.skip = skip
        self.memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if text not in self.memo:
            proc = subprocess.run(
                [self.exe, "clean", "-", "--no-config", "-q", "--skip", self.skip],
                input=text.encode("utf-8", "surrogatepass"), capture_output=True, check=False,
            )
            if proc.returncode not in (0, 3):
                raise SystemExit(f"latin_mojibake: {self.exe} exited {proc.returncode}: "
                                 f"{proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
            out = proc.stdout.decode("utf-8", "surrogateescape")
            self.memo[text] = out[:-1] if out.endswith("\n") else out
        return self.memo[text]


def evaluate(kinds: dict[str, list[dict[str, Any]]], cli: Cli | None,
             plain: Cli | None, show: bool) -> dict[str, dict[str, dict[str, int]]]:
    results: dict[str, dict[str, dict[str, int]]] = {}
    for kind, cases in kinds.items():
        row: dict[str, dict[str, int]] = {}

        def tally(tool: str, case: dict[str, Any], out: str, expected: str | tuple[str, ...],
                  same_as_expected: bool, allowed: str = "") -> None:
            r = row.setdefault(tool, {"damaged": 0, "repaired": 0, "repaired_spec": 0,
                                      "unchanged_cases": 0, "changed": 0, "hanzi": 0})
            orig = case["original"]
            exp = (expected,) if isinstance(expected, str) else expected
            if exp[0] == orig:
                r["unchanged_cases"] += 1
                bad = out != orig
                r["changed"] += bad
            else:
                r["damaged"] += 1
                bad = not same_as_expected
                r["repaired"] += not bad
                # SPEC section 2 has the repair filter remove U+FFFD, where ftfy keeps it
                r["repaired_spec"] += not bad or out == exp[0].replace("\ufffd", "")
            if han(out) - han(orig) - han(allowed) - set().union(*map(han, exp)):
                r["hanzi"] += 1
            if bad and show:
                print(f"[{kind}] {tool}: {case.get('label', '')}\n"
                      f"    original {orig!r}\n    expected {exp[0]!r}\n    output   {out!r}",
                      file=sys.stderr)

        for case in cases:
            orig, fixed = case["original"], case["fixed"]
            fe = case.get("fixed-encoding", fixed)
            out = ftfy.fix_encoding(orig)
            tally("ftfy fix_encoding", case, out, fe, out == fe)
            out = ftfy.fix_text(orig)
            tally("ftfy fix_text", case, out, fixed, out == fixed)
            out = fix_mojibake(orig)
            tally("cleancorp mojibake filter", case, out, fe, out == fe)
            if cli is not None:
                assert plain is not None
                out = cli(orig)
                if fe == orig:
                    # judged against the CLI's own normalisation of the text (odd spaces
                    # and the like), which the repair filter must leave as it is
                    ref = plain(orig)
                    tally("cleancorp clean -", case, out if out != ref else orig, orig,
                          out == ref)
                else:
                    # the CLI's own Hanzi of the right text (t2s: 正體 -> 正体) are not new
                    tally("cleancorp clean -", case, out, (fe, fixed),
                          bool(out) and out in (cli(fe), cli(fixed)), cli(fe) + cli(fixed))
        results[kind] = row
    return results


def table(results: dict[str, dict[str, dict[str, int]]]) -> str:
    lines = ["| kind | tool | right | repaired | repaired, U+FFFD removed | "
             "must-stay-unchanged changed | Latin turned Hanzi |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind, row in results.items():
        for tool, r in row.items():
            total = r["damaged"] + r["unchanged_cases"]
            right = r["repaired"] + r["unchanged_cases"] - r["changed"]
            rep = f"{r['repaired']}/{r['damaged']}" if r["damaged"] else "-"
            spec = f"{r['repaired_spec']}/{r['damaged']}" if r["damaged"] else "-"
            chg = f"{r['changed']}/{r['unchanged_cases']}" if r["unchanged_cases"] else "-"
            lines.append(f"| {kind} | {tool} | {right}/{total} | {rep} | {spec} | {chg} "
                         f"| {r['hanzi']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path,
                    help="ftfy's tests/test-cases folder, or its JSON files")
    ap.add_argument("--no-cli", action="store_true",
                    help="leave out the whole-CLI run (about 0.4 s per case)")
    ap.add_argument("--cli", help="the cleancorp executable (default: the one beside python)")
    ap.add_argument("--show-failures", action="store_true",
                    help="print every case a tool gets wrong to stderr")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    kinds = load_cases(args.paths)
    cli = plain = None
    if not args.no_cli:
        exe = args.cli or default_cli()
        if exe is None:
            raise SystemExit("latin_mojibake: no cleancorp executable found (use --cli or --no-cli)")
        cli, plain = Cli(exe), Cli(exe, "length,mojibake")
    results = evaluate(kinds, cli, plain if cli else None, args.show_failures)
    print(f"ftfy {ftfy.__version__}; cases: "
          + ", ".join(f"{k} {len(v)}" for k, v in kinds.items()))
    print(table(results))
    if args.json:
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps(results, indent=1), encoding="utf-8")
        tmp.replace(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
