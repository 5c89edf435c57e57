"""The `layout` filter: hard wraps, preview chunks, CJK spaces, page numbers, blank lines."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import case_params, load_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.document import Document
from cleancorp.filters.layout import (
    LayoutFilter,
    LayoutOptions,
    fix_cjk_spaces,
    join_reason,
    preview_chunks,
    typical_width,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = load_cases("layout")
SEEDS = ROOT / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")


def run(text: str, **options: object) -> Document:
    doc = Document.from_text(text)
    assert LayoutFilter(LayoutOptions(**options)).apply(doc) == [doc]
    return doc


def seed(name: str) -> str:
    # The unicode filter runs before layout and turns NBSP into a space.
    return next(SEEDS.glob(f"{name}_*.txt")).read_text("utf-8").replace("\xa0", " ")


@pytest.mark.parametrize("case", case_params("layout"))
def test_case(case: dict) -> None:
    doc = run(case["original"])
    assert doc.text == case["fixed"]
    if case["original"] == case["fixed"]:
        assert doc.changes == []
    else:
        assert doc.changes, "an edit without a record"
        assert {c.filter for c in doc.changes} == {"layout"}


def test_cases_have_both_kinds() -> None:
    changed = [c for c in CASES if c["original"] != c["fixed"]]
    unchanged = [c for c in CASES if c["original"] == c["fixed"]]
    assert len(changed) >= 8 and len(unchanged) >= 8


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["expect"] == "pass"], ids=lambda c: c["label"]
)
def test_case_idempotent(case: dict) -> None:
    once = run(case["original"]).text
    assert run(once).text == once


def test_rules_and_records() -> None:
    doc = run("  第一段没有写完，对接待工作中的每个环节、每个细节都做到了考虑周全、措施到位，工作细致，无 3\n"
              "处不体现着认真负责的态度。\n\n\n- 2 -\n二、下一节")
    rules = {c.rule for c in doc.changes}
    assert {"indentation", "page-number", "hard-wrap", "blank-lines"} <= rules
    removed = [c for c in doc.changes if c.action == "remove" and c.rule == "page-number"]
    assert any(c.before == "- 2 -" for c in removed)
    join = next(c for c in doc.changes if c.rule == "hard-wrap")
    assert (join.line, join.line_end) == (1, 2)


def test_options_switch_steps_off() -> None:
    text = "党委 办公室工作\n" + "武汉市委办公厅秘书处在常委会召开前提向" * 3 + "\n各位常委秘书发通知。"
    assert run(text, cjk_spaces=False).text.startswith("党委 办公室")
    assert "\n各位常委" in run(text, join_lines=False).text
    assert "办公室工作" in run(text).text


def test_typical_width_of_pdf_text_only() -> None:
    lines = seed("001").split("\n")
    assert typical_width(lines[35:]) == 50           # article 5: a PDF extraction
    assert typical_width(seed("000").split("\n")) is None
    assert typical_width(seed("002").split("\n")) is None


def test_join_reason_needs_han_and_no_item() -> None:
    english = "This line is English and long enough to wrap here"
    assert join_reason(english, "and goes on", None) is None
    assert join_reason("工作" * 50, "(1)加快发展", None) is None
    assert join_reason("工作" * 50, "加快发展", None) == "hard-wrap"


def test_fix_cjk_spaces_keeps_latin_and_lists() -> None:
    assert fix_cjk_spaces("使用 Python 3 编写") == "使用 Python 3 编写"
    assert fix_cjk_spaces("主题词 工作计划 实施意见") == "主题词 工作计划 实施意见"


def test_preview_chunks_need_cut_words() -> None:
    lines = ["1、" + "内容。" * 40, "2、" + "内容。" * 40, "3、" + "内容。" * 40]
    assert preview_chunks(lines) == []


def test_seed_004_preview_chunks_rejoined() -> None:
    lines = seed("004").split("\n")[3:9]           # the six chunks, without the page chrome
    out = run("\n".join(lines)).text
    assert "加强对大讨论活动的宣传" in out and "科技服务效能" in out and "该村的无公害" in out
    assert "\n2、" not in out and not out.startswith("1、")
    assert "基础。\n一、加强领导和宣传" in out
    assert "二、狠抓活动载体,以大讨论促进科技服务效能的提升\n在大讨论活动中" in out


def test_seed_001_article_5() -> None:
    lines = seed("001").split("\n")[36:]
    out = run("\n".join(lines)).text
    for cut in ("《催 2\n办通知》", "无 3\n处", "创新制度 4\n建设", "超前 5\n服务", "党委 办公室", "□"):
        assert cut not in out
    assert "超前服务。首先政务服务要主动" in out
    assert "高效运转。其次事务服务要主动" in out
    assert "落实情况。\n孝感市委督查室" in out
    paragraphs = out.split("\n")
    assert paragraphs[:2] == ["兄弟城市党委办公室工作的主要经验和体会", "荆州市委办公室"]
    # title, author, introduction, 2 headings, 7 numbered points, 2 unnumbered paragraphs
    assert len(paragraphs) == 14 and all(paragraphs)


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_seeds_idempotent(name: str) -> None:
    once = run(seed(name)).text
    assert run(once).text == once


def test_pickles() -> None:
    f = LayoutFilter(LayoutOptions(cjk_spaces=False))
    assert pickle.loads(pickle.dumps(f)).options == f.options


PIECES = st.sampled_from([
    "党委", "办公室", "工作", "，", "。", "、", " ", "\n", "\n\n", "1、", "（一）", "3", " 3",
    "- 2 -", "Python", "1,000", "：", "“", "”", "□", "1", "  ", "\u3000", "的", "服务",
    "进行了学习考察", "二、主要体会", "第3页 共10页",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=60))
def test_idempotent_on_generated_text(pieces: list[str]) -> None:
    once = run("".join(pieces)).text
    assert run(once).text == once


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_idempotent_on_seed_lines(data: st.DataObject) -> None:
    lines = seed(data.draw(st.sampled_from(["000", "001", "002", "003", "004"]))).split("\n")
    start = data.draw(st.integers(0, len(lines) - 1))
    chunk = lines[start : start + data.draw(st.integers(1, 12))]
    once = run("\n".join(chunk)).text
    assert run(once).text == once


def test_code_pasted_without_a_fence_keeps_its_indentation() -> None:
    # a blog copied from a page that drew its code box with HTML: no fence, no blank
    # line before the code, prose on both sides
    text = ("三、分块读取，边读边算\n"
            "设置 chunksize 之后，read_csv 返回的是一个迭代器。\n"
            "total = {}\n"
            "for chunk in pd.read_csv(\"orders.csv\", chunksize=500_000):\n"
            "    s = chunk.groupby(\"user_id\")[\"amount\"].sum()\n"
            "    for uid, amt in s.items():\n"
            "        total[uid] = total.get(uid, 0) + amt\n"
            "print(len(total))\n"
            "这样无论文件多大，内存里同时只有五十万行。\n")
    doc = Document.from_text(text)
    LayoutFilter().apply(doc)
    assert "\n        total[uid] = total.get(uid, 0) + amt\n" in doc.text
    assert "\n    s = chunk.groupby" in doc.text


def test_a_line_whose_end_was_lost_with_its_bytes_is_no_hard_wrap() -> None:
    # UTF-8 read as GBK with errors replaced: the `。` that ended each line of the
    # dialogue went with its bytes. The lines still end where the author ended them.
    from cleancorp.filters.mojibake import MojibakeFilter

    text = ("我接过橘子剥了一个，酸得直皱眉。窗外的球场上有人在喊加油，声音隔着玻璃传进来，闷闷的。\n"
            "“真的，”小林忽然压低了声音，“导师昨天找我谈话，问我要不要申请直博。”\n"
            "“那是好事啊，你怎么愁眉苦脸的？”\n")
    moj = text.encode("utf-8").decode("gb18030", errors="replace")
    doc = Document.from_text(moj)
    MojibakeFilter().apply(doc)
    assert doc.meta.get("lost_line_ends")  # the filter says which ends it could not read
    LayoutFilter().apply(doc)
    assert len([line for line in doc.lines if line.strip()]) == 3
