"""The HTML report in a real headless browser: it opens, its JS fills the tables,
and the diff of a seed shows the breadcrumb struck out.

Needs Debian's Chromium (`apt-get install -y chromium`; `fonts-wqy-zenhei` for
readable Chinese in the screenshot); skipped when it is absent. The screenshot
goes to pytest's temporary folder (printed with `-s`), never into the repo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli

CHROMIUM = Path("/usr/bin/chromium")
SEED = "003_b459bf39d7e94cfc.txt"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs /usr/bin/chromium (Debian: apt-get install -y chromium fonts-wqy-zenhei)")


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throwaway profile and nothing that phones home."""
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    raw = tmp / "raw"
    raw.mkdir()
    shutil.copy(SEEDS / SEED, raw / SEED)
    report = tmp / "r.jsonl"
    res = run_cli("clean", str(raw), "-o", str(tmp / "out"), "--report", str(report),
                  "--no-config", "-j", "1", "-q")
    assert res.exit_code == 0, res.stderr
    html = tmp / "page.html"
    res = run_cli("report", str(report), "--html", str(html), "--inputs", str(raw))
    assert res.exit_code == 0, res.stderr
    return html


def test_page_opens_and_its_script_fills_tables_and_diff(page: Path) -> None:
    done = chromium(page.parent, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-ready="1"' in dom  # the inline script ran to its end
    for title in ("summary", "per filter", "per rule", "per file", "largest removals"):
        assert f"<h2>{title}</h2>" in dom
    rule_rows = re.findall(r'<tr><td data-v="boilerplate">boilerplate</td>'
                           r'<td data-v="breadcrumb">breadcrumb</td><td data-v="remove">', dom)
    assert len(rule_rows) == 1
    assert '<svg width=' in dom and "<rect" in dom  # the chart
    struck = re.findall(r'<del title="boilerplate/breadcrumb">([^<]*)</del>', dom)
    assert struck and struck[0].startswith("当前位置:主页 &gt; 各省市政策")
    assert f'data-input="{SEED}"' in dom


def test_screenshot(page: Path) -> None:
    shot = page.parent / "page.png"
    done = chromium(page.parent, "--window-size=1400,2600", f"--screenshot={shot}",
                    page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
    print(f"screenshot: {shot}")
