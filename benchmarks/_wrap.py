"""Run one command and measure it: wall time, CPU time, peak RSS.

    python _wrap.py RESULT.json -- CMD ARG...

Runs in a fresh process per measured command, so `RUSAGE_CHILDREN` holds that
command alone: its ``ru_maxrss`` is the peak RSS of the largest single process
of the command's tree (parent or a worker), exact, measured by the kernel.
The peak of the *sum* over the tree (parent + workers at one moment) is
sampled from /proc every 20 ms; it can miss a short spike, so it is a lower
bound. Standard library only: it also runs under the peers' interpreters.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SAMPLE_SECONDS = 0.02
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out.extend(int(p) for p in (task / "children").read_text().split())
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, now."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss(pid)
        todo.extend(_children(pid))
    return total


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    result_path, cmd = argv[0], argv[2:]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak_tree = 0
    while proc.poll() is None:
        peak_tree = max(peak_tree, tree_rss(proc.pid))
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "cmd": cmd,
        "returncode": proc.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        # Linux reports ru_maxrss in KiB.
        "peak_rss_bytes": usage.ru_maxrss * 1024,
        "peak_tree_rss_bytes": peak_tree,
    }
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
