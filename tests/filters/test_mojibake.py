"""Tests of the `mojibake` filter: case file, records, idempotence, spans, speed path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.mojibake import (
    MojibakeFilter,
    MojibakeOptions,
    fix_mojibake,
    needs_check,
    plausibility,
    repair_utf8_as_gbk,
)

CASES = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "cases" / "mojibake.json").read_text("utf-8")
)


def _params() -> list:
    return [
        pytest.param(
            case,
            id=case["label"],
            marks=[pytest.mark.xfail(strict=True)] if case["expect"] == "fail" else [],
        )
        for case in CASES
    ]


@pytest.mark.parametrize("case", _params())
def test_case(case: dict) -> None:
    doc = Document.from_text(case["original"])
    MojibakeFilter().apply(doc)
    assert doc.text == case["fixed"]
    assert fix_mojibake(case["original"]) == case["fixed"]
    if case["original"] == case["fixed"]:
        assert doc.changes == []


@pytest.mark.parametrize("case", _params())
def test_idempotent(case: dict) -> None:
    once = Document.from_text(case["original"])
    MojibakeFilter().apply(once)
    twice = Document.from_text(once.text)
    MojibakeFilter().apply(twice)
    assert twice.text == once.text
    assert twice.changes == []


def test_case_file_covers_every_family_and_negatives() -> None:
    labels = {c["label"] for c in CASES}
    for family in ("utf8-as-gbk", "gbk-as-latin1", "gbk-as-cp1252", "utf8-as-latin1",
                   "utf8-as-cp1252", "big5-as-gbk", "gbk-as-big5", "two-layers"):
        assert family in labels
    assert sum(1 for c in CASES if c["original"] == c["fixed"]) >= 15


def test_repair_records_one_change_per_span() -> None:
    damaged = "你好，世界！".encode().decode("gbk", "replace")
    doc = Document.from_text(f"第一段正常。\n标题：{damaged}\nÄãºÃ£¬ÊÀ½ç")
    MojibakeFilter().apply(doc)
    assert doc.text == "第一段正常。\n标题：你好，世界！\n你好，世界"
    records = [c.to_record() for c in doc.changes]
    assert [(r["rule"], r["line"], r["before"], r["after"], r["status"]) for r in records] == [
        ("utf8-as-gbk", 2, damaged, "你好，世界！", "repaired"),
        ("gbk-as-latin1", 3, "ÄãºÃ£¬ÊÀ½ç", "你好，世界", "repaired"),
    ]
    assert all(r["filter"] == "mojibake" and r["action"] == "replace" for r in records)


def test_removals_are_reported_as_unrepairable() -> None:
    doc = Document.from_text("提示锟斤拷锟斤拷重试\n整理完成??h級(jí)科技")
    MojibakeFilter().apply(doc)
    assert doc.text == "提示重试\n整理完成級(jí)科技"
    assert [(c.action, c.rule, c.line, c.before, c.extra["status"]) for c in doc.changes] == [
        ("remove", "garbage-run", 1, "锟斤拷锟斤拷", "removed as unrepairable"),
        ("remove", "unrepairable-debris", 2, "??h", "removed as unrepairable"),
    ]


def test_lost_bytes_are_never_guessed() -> None:
    # 第, 一, 容 and 。 lost a byte to U+FFFD: they go, their neighbours come back
    damaged = "正文第一段，内容。".encode().decode("gbk", "replace")
    assert damaged.count("\ufffd") == 5  # 。 lost two
    assert repair_utf8_as_gbk(damaged) == "正文段，内"


def test_options_switch_parts_off() -> None:
    text = "浣犲ソ锛屼笘鐣岋紒锟斤拷"
    doc = Document.from_text(text)
    MojibakeFilter(MojibakeOptions(repair=False)).apply(doc)
    assert doc.text == "浣犲ソ锛屼笘鐣岋紒"
    doc = Document.from_text(text)
    MojibakeFilter().apply(doc)
    assert doc.text == "你好，世界！"
    doc = Document.from_text("浣犲ソ锛屼笘鐣岋紒 锟斤拷")
    MojibakeFilter(MojibakeOptions(remove_debris=False)).apply(doc)
    assert doc.text == "你好，世界！ 锟斤拷"


def test_fast_path_skips_clean_lines() -> None:
    assert not needs_check("根据市供热工作安排，今年冬季集中供暖将于11月15日零时正式开始。")
    assert needs_check("ÄãºÃ")
    assert needs_check("缓冲区烫烫烫")


def test_plausibility_orders_text_and_mojibake() -> None:
    good = "元代定都大都以后，为了缩短南粮北运的路程。"
    assert plausibility(good) > 0.9
    assert plausibility(good.encode().decode("gbk", "replace")) < 0.2
    assert plausibility(good.encode("gbk").decode("latin-1")) == -1.0


def test_seed_002_debris(tmp_path: Path) -> None:
    seed = Path("/work/shared/seeds/002_3d36d2cc6aa885b6.txt")
    if not seed.exists():
        pytest.skip("seeds not available")
    doc = Document.from_text(seed.read_text("utf-8"))
    MojibakeFilter().apply(doc)
    text = doc.text
    for debris in ("??彼a(chǎn)", "?jǐn)M", "?,F(xiàn)", "焙献魅〉眯鲁尚", "萍疾考磳", "笆晃濉币",
                   "赡赀", "yè)P", "??h"):
        assert debris not in text
    for kept in ("我局成立電子信息行業(yè)協(xié)會(huì)", "體現(xiàn)創(chuàng)新要求將項(xiàng)目",
                 "八是“市大學(xué)", "“八達(dá)”通訊設(shè)備、“德興”"):
        assert kept in text
    assert {c.rule for c in doc.changes} == {"unrepairable-debris"}
    assert len(doc.changes) == 9
