"""The benchmark harness runs end to end on a tiny corpus (issue 6).

No timing is asserted, ever: this only proves that `benchmarks/run.py --quick`
builds its corpora, drives the real CLI, times every filter and writes its
Markdown table. Peers are measured only when their venvs already exist
(`--peers existing`): the test never installs anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / "benchmarks" / "run.py"
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


@pytest.mark.skipif(not MAKE_CORPUS.is_file(), reason="../shared/bench/make_corpus.py not present")
def test_quick_run_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--peers",
            "existing",
            "--ray",
            "skip",  # the Ray engine has its own tests; starting Ray here costs ~30 s
            "--workdir",
            str(tmp_path / "work"),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    table = out.read_text(encoding="utf-8")
    assert table == proc.stdout
    for heading in ("## Whole default pipeline", "## Per filter", "## Targets (issue 6)"):
        assert heading in table
    results = json.loads((tmp_path / "work" / "results.json").read_text(encoding="utf-8"))

    # The CLI really ran, at both job counts, on the default and the --unique corpus.
    runs = {(m["label"], m["scale"], m["jobs"]) for m in results["pipeline"]}
    assert {
        ("default", "1x", 1),
        ("default", "1x", 2),
        ("default", "2x", 1),
        ("unique", "1x", 1),
        ("unique", "2x", 1),
    } <= runs
    for m in results["pipeline"]:
        for r in m["runs"]:
            assert r["exit"] == 0 and r["docs_out"] > 0
            assert r["peak_rss"] > 10 * 1024 * 1024  # a Python process, measured, not a default 0
    large = next(m for m in results["pipeline"] if m["scale"] == "2x" and m["label"] == "default")
    small = next(m for m in results["pipeline"] if m["scale"] == "1x" and m["label"] == "default")
    assert large["runs"][0]["bytes"] > 1.5 * small["runs"][0]["bytes"]

    # Every filter of the default pipeline was timed, in pipeline order, on every document.
    from cleancorp.config import build_config

    names = [s["filter"] for s in results["perfilter"]["stages"] if "(" not in s["filter"]]
    assert names == build_config({}).enabled_filters()
    first = results["perfilter"]["stages"][0]
    assert (
        first["filter"] == "decode"
        and first["docs_in"] == results["pipeline"][0]["runs"][0]["files"]
    )
    assert all(len(s["wall_s"]) == 1 for s in results["perfilter"]["stages"])
    if "dedup" in names:
        assert results["index"]["index"]["bytes_per_doc"] > 0
        assert "memory" in results and "## Memory" in table


LATIN = REPO / "benchmarks" / "latin_mojibake.py"


def _case_files(folder: Path) -> Path:
    """Case files in ftfy's format, written here (ftfy's own suite is not committed)."""
    folder.mkdir()
    (folder / "in-the-wild.json").write_text(json.dumps([
        {"label": "cp1252", "original": "cafÃ© au lait", "fixed": "café au lait",
         "expect": "pass"},
        {"label": "lossy", "original": "â€œlossyâ€\ufffd", "fixed": "“lossy\ufffd",
         "expect": "pass"},
    ]), encoding="utf-8")
    (folder / "negative.json").write_text(json.dumps([
        {"label": "valid", "original": "Ça va très bien", "fixed": "Ça va très bien",
         "expect": "pass"},
    ]), encoding="utf-8")
    return folder


def test_latin_mojibake_benchmark_counts_per_kind(tmp_path: Path) -> None:
    folder = _case_files(tmp_path / "cases")
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, str(LATIN), str(folder), "--json", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert list(figures) == ["in-the-wild", "negative"]
    wild = figures["in-the-wild"]["cleancorp mojibake filter"]
    # the lossy case keeps no U+FFFD here (SPEC section 2 removes it): right only
    # when U+FFFD removal is allowed
    assert (wild["damaged"], wild["repaired"], wild["repaired_spec"]) == (2, 1, 2)
    cli = figures["in-the-wild"]["cleancorp clean -"]
    assert cli["repaired"] == 2  # the CLI treats the lossy text as it treats ftfy's answer
    neg = figures["negative"]["cleancorp clean -"]
    assert (neg["unchanged_cases"], neg["changed"]) == (1, 0)
    assert "| in-the-wild | cleancorp mojibake filter | 1/2 | 1/2 | 2/2 | - | 0 |" in proc.stdout


def test_latin_mojibake_benchmark_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(LATIN), str(bad), "--no-cli"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and str(bad) in proc.stderr
