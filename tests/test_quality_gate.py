"""The quality gate: the project's scorer on the web dev corpus (its tuning part).

`corpus/web/` holds pages of many site families written for this project (see its
README); `build.py` turns them into the scorer's case format. This test runs the
yardstick (`../shared/eval/score.py`, the same scorer the project is judged with) on
the tuning part and fails when a metric falls below the level the work reached, so a
later change cannot quietly undo it. The held-out part is scored only by hand, at the
end of a piece of work (see corpus/web/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
BUILD = ROOT / "corpus" / "web" / "build.py"

#: The levels reached on the tuning part (corpus/web/README.md gives the measurements).
FLOORS = {"keep_recall": 0.995, "drop_rate": 0.945, "similarity": 0.945, "exact_ok_rate": 1.0,
          "report_ok": 1}


def score(cases: Path) -> dict:
    cmd = f"{sys.executable} -m cleancorp"
    out = subprocess.run([sys.executable, str(SCORER), str(cases), "--cmd", cmd],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not SCORER.exists(), reason="../shared/eval/score.py is not beside the repo")
def test_web_corpus_tuning_part_stays_above_its_floors(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, str(BUILD), str(tmp_path), "--split", "tune",
                            "--check"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    totals = score(tmp_path / "tune")
    assert totals["files"] >= 80
    low = {k: totals[k] for k, floor in FLOORS.items() if totals[k] < floor}
    assert not low, f"below the floors {FLOORS}: {low}"
