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
