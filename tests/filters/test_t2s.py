"""The `t2s` filter: OpenCC's conversion, the auto decision, records and stability."""

from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path

import opencc
import pytest
from conftest import case_params, load_cases, run_cli

from cleancorp.document import Document
from cleancorp.errors import ConfigError
from cleancorp.filters.annotations import strip_annotations
from cleancorp.filters.t2s import (
    PARAGRAPH_MIN_HAN,
    CharTables,
    T2sFilter,
    T2sOptions,
    char_changes,
    choose_lines,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = load_cases("t2s")
SEED = ROOT / "seeds" / "002_3d36d2cc6aa885b6.txt"
if not SEED.exists():
    SEED = Path("/work/shared/seeds/002_3d36d2cc6aa885b6.txt")

#: Traditional inputs and what the official OpenCC (1.4.x, t2s) makes of them, checked
#: against the simplified norm: place names and set phrases keep 乾, 乾 'dry' and 幹
#: merge into 干, 剋/擡/甦/髮 map to their standard simplified forms, surnames follow
#: the simplified table (蕭 -> 萧, 鍾 -> 钟, 沈 stays, 瀋陽 -> 沈阳), variants fold.
OPENCC_CASES = [
    ("乾安縣 乾安鎮 乾縣", "乾安县 乾安镇 乾县"),
    ("五行相剋", "五行相克"),
    ("擡頭", "抬头"),
    ("頭髮和發展", "头发和发展"),
    ("甦醒", "苏醒"),
    ("楊聯陞", "杨联陞"),
    ("步步高陞", "步步高升"),
    ("乾淨 乾杯 幹部 樹幹 乾隆 乾坤", "干净 干杯 干部 树干 乾隆 乾坤"),
    ("蕭先生 鍾先生 沈先生 瀋陽", "萧先生 钟先生 沈先生 沈阳"),
    ("羣峯 裏面 麪條", "群峰 里面 面条"),
    ("皇后 後來 臺灣 颱風 檯燈", "皇后 后来 台湾 台风 台灯"),
    ("著作 顯著", "著作 显著"),
    ("幾週之後 這週複習", "几周之后 这周复习"),
    ("郭台銘 龍應臺", "郭台铭 龙应台"),
]


def run(text: str, **options: object) -> Document:
    doc = Document.from_text(text)
    assert T2sFilter(T2sOptions(**options)).apply(doc) == [doc]
    return doc


@pytest.fixture(scope="module")
def tables() -> CharTables:
    return CharTables.build(opencc.OpenCC("t2s"), opencc.OpenCC("s2t"))


@pytest.mark.parametrize("case", case_params("t2s"))
def test_case(case: dict) -> None:
    assert run(case["original"]).text == case["fixed"]


@pytest.mark.parametrize("mode", ["auto", "on"])
@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case_idempotent(case: dict, mode: str) -> None:
    once = run(case["original"], mode=mode).text
    again = run(once, mode=mode)
    assert again.text == once
    assert [c for c in again.changes if c.filter == "t2s"] == []


@pytest.mark.parametrize(("before", "after"), OPENCC_CASES)
def test_opencc_behaviour_through_the_cli(before: str, after: str) -> None:
    result = run_cli("clean", "-", "--only", "decode,t2s,encode", "--t2s", "on", "-q",
                     input=before.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == after + "\n"


def test_cli_reports_the_opencc_version(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("關於開展創建工作的匯報\n", encoding="utf-8")
    report = tmp_path / "r.jsonl"
    # `--report-level all`: the record with the line's window (the default packs it).
    result = run_cli("clean", str(src), "-o", str(tmp_path / "out"), "--report", str(report),
                     "--only", "decode,t2s,encode", "--report-level", "all")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    changes = [r for r in records if r["type"] == "change" and r["filter"] == "t2s"]
    assert [(c["rule"], c["line"], c["before"], c["after"]) for c in changes] == [
        ("t2s", 1, "關於開展創建工作的匯報", "关于开展创建工作的汇报"),
    ]
    summary = next(r for r in records if r["type"] == "summary")
    assert summary["versions"]["opencc"] == opencc.__version__


def test_one_record_per_changed_line_and_meta() -> None:
    doc = run("頭髮\n\n第一章\n乾安縣位於吉林省")
    assert doc.text == "头发\n\n第一章\n乾安县位于吉林省"
    assert [(c.rule, c.action, c.line, c.before, c.after) for c in doc.changes] == [
        ("t2s", "replace", 1, "頭髮", "头发"),
        ("t2s", "replace", 4, "乾安縣位於吉林省", "乾安县位于吉林省"),
    ]
    assert doc.meta["opencc"] == opencc.__version__


def test_simplified_document_is_considered_but_untouched() -> None:
    doc = run("苏轼（蘇軾）是北宋著名的文学家、书法家和画家，他的诗词流传至今。\n" * 3)
    assert doc.changes == []
    assert doc.meta["opencc"] == opencc.__version__


def test_mode_off_does_nothing() -> None:
    doc = run("頭髮", mode="off")
    assert doc.text == "頭髮"
    assert doc.changes == [] and "opencc" not in doc.meta


def test_mode_on_converts_even_a_mostly_simplified_document() -> None:
    text = "苏轼（蘇軾）是北宋著名的文学家、书法家和画家，他的诗词流传至今。"
    assert run(text).text == text
    assert run(text, mode="on").text == text.replace("蘇軾", "苏轼")


def test_long_traditional_paragraph_in_a_simplified_document() -> None:
    simplified = "这是一个简体中文的网页，介绍了这位作家的生平和主要的作品。" * 20
    quoted = "曾經有一份真誠的愛情放在我面前，我沒有珍惜，等我失去的時候才後悔莫及。" * 7
    short = "他說：「這樣很好。」"
    doc = run("\n\n".join([simplified, quoted, simplified, short, simplified]))
    lines = doc.text.split("\n")
    assert len(quoted) >= PARAGRAPH_MIN_HAN
    assert lines[2].startswith("曾经有一份真诚的爱情放在我面前")
    assert lines[6] == short  # a short traditional quote stays as written
    assert [(c.rule, c.line) for c in doc.changes] == [("t2s-paragraph", 3)]


def test_kana_never_converted() -> None:
    japanese = "東京都の學校へ行きます。\n國際會議"  # the kanji-only line belongs to it
    assert run(japanese, mode="on").text == japanese
    mixed = "我們去了東京，買了很多東西，還吃了「すき家」的牛肉飯，覺得很好吃。\n\n這是第二段，講的是回國以後的事情。"
    out = run(mixed, mode="on").text.split("\n")
    assert out[0] == mixed.split("\n")[0]
    assert out[2] == "这是第二段，讲的是回国以后的事情。"


def test_config_tw2s_uses_taiwan_variants() -> None:
    text = "為什麼你在床裡面睡著？"
    assert run(text).text == "为什么你在床里面睡著？"
    assert run(text, config="tw2s").text == "为什么你在床里面睡着？"
    assert run("著作很多，著裝整齊。", config="tw2s").text == "著作很多，着装整齐。"


def test_hk2s() -> None:
    assert run("潮濕的露台", config="hk2s").text == "潮湿的露台"


@pytest.mark.parametrize(
    ("key", "value"), [("mode", "yes"), ("config", "s2t"), ("config", "t2s.json")]
)
def test_bad_option_names_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        T2sOptions(**{key: value})
    assert err.value.key == f"t2s.{key}"


def test_pickles_without_the_converter() -> None:
    f = T2sFilter(T2sOptions(mode="on"))
    run("頭髮")  # another instance; f itself builds lazily:
    assert f.apply(Document.from_text("頭髮"))[0].text == "头发"
    assert f._converter is not None
    clone = pickle.loads(pickle.dumps(f))
    assert "_converter" not in vars(clone) and "_tables" not in vars(clone)
    assert clone.apply(Document.from_text("頭髮"))[0].text == "头发"


def test_choose_lines_keeps_opencc_output_stable(tables: CharTables) -> None:
    # `乾安县` (OpenCC's own output) would become 干安县 if converted again.
    assert choose_lines(["乾安县"], [0], tables, "on") == {}
    assert choose_lines(["乾安縣"], [0], tables, "on") == {0: "t2s"}


def test_char_changes_are_stable_apart_from_keep_chars(tables: CharTables) -> None:
    # Converting a converted character changes nothing, unless it is a keep character
    # (OpenCC chains 薴 -> 苧 -> 苎): that is what makes the line guard sufficient.
    changes = char_changes(opencc.OpenCC("t2s"))
    unstable = {b for b in changes.values() if b in changes}
    assert unstable <= tables.keep


def _dump(dict_name: str, tmp_path: Path) -> list[str] | None:
    """Keys of one of the installed OpenCC's dictionaries, via its `opencc_dict` tool."""
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    if not tool.exists() or not (share / f"{dict_name}.ocd2").exists():
        return None
    out = tmp_path / f"{dict_name}.txt"
    subprocess.run([str(tool), "-i", str(share / f"{dict_name}.ocd2"), "-o", str(out),
                    "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
    return [line.split("\t")[0] for line in out.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("config", ["t2s", "tw2s", "hk2s"])
def test_keep_chars_cover_the_installed_opencc(config: str, tmp_path: Path) -> None:
    keys: list[str] = []
    for name in ("TSPhrases", "TWVariantsRevPhrases", "HKVariantsRevPhrases"):
        dumped = _dump(name, tmp_path)
        if dumped is None:
            pytest.skip("the installed OpenCC has no opencc_dict tool")
        keys += dumped
    converter = opencc.OpenCC(config)
    changed = set(char_changes(converter))
    survivors = {ch for out in converter.convert("\n".join(keys)).split("\n")
                 for ch in out if ch in changed}
    keep = CharTables.build(converter, opencc.OpenCC("s2t")).keep
    assert survivors <= keep, f"add to cleancorp/data/t2s_keep_chars.txt: {survivors - keep}"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return "\n".join(strip_annotations(line) for line in SEED.read_text("utf-8").split("\n"))


def test_seed_002_converted_and_stable(seed_text: str) -> None:
    doc = run(seed_text)
    assert len(doc.lines) == len(seed_text.split("\n"))
    assert "关于开展创建全国科技进步先进城市情况汇报" in doc.text
    assert {c.rule for c in doc.changes} == {"t2s"}
    assert len(doc.changes) == sum(
        1 for a, b in zip(seed_text.split("\n"), doc.lines, strict=True) if a != b)
    for mode in ("auto", "on"):
        assert run(doc.text, mode=mode).changes == []
