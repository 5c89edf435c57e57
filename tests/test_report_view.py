"""`cleancorp report`: tables, restore in context, the HTML page as text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cleancorp.explain import decode_input
from cleancorp.report_view import (
    ReportError,
    build_html,
    covered_lines,
    parse_report,
    read_report,
    removed_bytes,
    restore,
    summary_tables,
)
from tests.conftest import SEEDS, run_cli


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of a real run over the seeds (one run for the whole module)."""
    tmp = tmp_path_factory.mktemp("run")
    report = tmp / "r.jsonl"
    res = run_cli("clean", str(SEEDS), "-o", str(tmp / "out"), "--report", str(report),
                  "--no-config", "-j", "1", "-q")
    assert res.exit_code == 0, res.stderr
    return report


def test_tables_add_up(seeds_report: Path) -> None:
    data = read_report(seeds_report)
    tables = {title: (cols, rows) for title, cols, rows in summary_tables(data, top=5)}
    per_filter = tables["per filter"][1]
    assert sum(r[1] for r in per_filter) == len(data.changes)
    assert sum(r[3] for r in per_filter) == sum(removed_bytes(r) for r in data.changes)
    assert sum(r[3] for r in tables["per rule"][1]) == len(data.changes)
    assert [r[0] for r in tables["per file"][1]] == sorted(p.name for p in SEEDS.glob("*.txt"))
    sizes = [r[3] for r in tables["largest removals"][1]]
    assert len(sizes) == 5 and sizes == sorted(sizes, reverse=True)
    assert "errors" not in tables


def test_restore_with_the_input_gives_back_the_exact_input_lines(seeds_report: Path) -> None:
    data = read_report(seeds_report)
    checked = 0
    for path in sorted(SEEDS.glob("*.txt")):
        lines = decode_input(path)
        for p in restore(data, path.name, lines, context=1):
            removed = [(n, text) for n, text, is_removed in p.context if is_removed]
            assert "\n".join(text for _, text in removed) == p.record["before"]
            if p.record["action"] == "remove" and p.record["before"] == lines[
                    p.record["line"] - 1]:
                assert removed == [(p.record["line"], lines[p.record["line"] - 1])]
                checked += 1
            elif len(removed) > 1:  # whole-line removals: each numbered line is that line
                assert all(lines[n - 1] == text for n, text in removed), (path.name, removed)
                checked += 1
    assert checked > 30


def test_covered_lines_skip_lines_removed_earlier() -> None:
    recs = [{"action": "remove", "line": 5, "line_end": 5, "before": "x"},
            {"action": "remove", "line": 4, "line_end": 7, "before": "\n\n"}]
    assert covered_lines(recs) == {0: [5], 1: [4, 6, 7]}


def test_restore_cli_without_input_uses_neighbouring_records(seeds_report: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "restored.txt"
    res = run_cli("report", str(seeds_report), "--restore", "003_b459bf39d7e94cfc.txt",
                  "-o", str(out), cwd=tmp_path)
    assert res.exit_code == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("== 003_b459bf39d7e94cfc.txt: ")
    assert "input not available" in text
    assert "\n-     1 | 当前位置:主页 > 各省市政策" in text
    assert "[punctuation/cjk-ascii replace]" in text  # a neighbouring record as context


def test_restore_cli_with_the_input_path(seeds_report: Path) -> None:
    res = run_cli("report", str(seeds_report), "--restore",
                  str(SEEDS / "000_d11bd7c3ab91ad2b.txt"), "--context", "1")
    assert res.exit_code == 0, res.stderr
    assert "input not available" not in res.stdout
    assert "-    16 |   • 当前位置: 柠檬阅读网 > 文章 > 正文\n" in res.stdout
    assert "     17 | \n" in res.stdout  # context line from the input


def test_report_tables_cli_plain(seeds_report: Path) -> None:
    res = run_cli("report", str(seeds_report))
    assert res.exit_code == 0, res.stderr
    assert "# per rule\nfilter\trule\taction\tchanges\tremoved bytes\tinputs\n" in res.stdout
    assert re.search(r"\nboilerplate\tbreadcrumb\tremove\t2\t\d+\t2\n", res.stdout)


def test_bad_reports_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"file","input":"a.txt"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ReportError, match=r"bad.jsonl:2: not JSON"):
        read_report(bad)
    res = run_cli("report", str(bad))
    assert res.exit_code == 2 and "bad.jsonl:2" in res.stderr
    good = tmp_path / "good.jsonl"
    good.write_text('{"type":"file","input":"a.txt","status":"ok"}\n', encoding="utf-8")
    res = run_cli("report", str(good), "--restore", "zzz.txt")
    assert res.exit_code == 2 and "not an input" in res.stderr


def test_errors_table() -> None:
    data = parse_report(['{"type":"error","input":"x.bin","error":"binary file; skipped"}'])
    tables = {t: rows for t, _, rows in summary_tables(data)}
    assert tables["errors"] == [["x.bin", "", "binary file; skipped"]]
    assert tables["per file"][0][:2] == ["x.bin", "error"]


def test_html_page_is_self_contained_and_escapes_scraped_text() -> None:
    evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'
    data = parse_report([json.dumps({
        "type": "change", "input": "a<b>.txt", "filter": "boilerplate", "rule": "nav-list",
        "action": "remove", "line": 1, "line_end": 1, "before": evil, "after": ""},
        ensure_ascii=False)])
    page = build_html(data, title="t<i>")
    assert "alert(1)" in page  # the text is there...
    assert "<script>alert" not in page and "<img" not in page  # ...but never as markup
    assert "<title>t&lt;i&gt;</title>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no network
    payload = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert payload is not None
    obj = json.loads(payload.group(1))
    assert obj["diffs"][0]["rows"][0][2] == [["del", evil]]
    assert obj["chart"] == [["boilerplate/nav-list", len(evil.encode())]]
