"""Tests of the `decode` filter: golden files in every encoding, cases, edge inputs, properties."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.chardata import COMMON_HAN
from cleancorp.document import Document
from cleancorp.errors import ConfigError, InputError
from cleancorp.filters.decode import (
    DecodeFilter,
    DecodeOptions,
    decode_bytes,
    detect,
    is_binary,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ENCODINGS = FIXTURES / "encodings"
GOLDEN = json.loads((ENCODINGS / "cases.json").read_text(encoding="utf-8"))
CASES = json.loads((FIXTURES / "cases" / "decode.json").read_text(encoding="utf-8"))

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"
GBK_TEXT = "中华人民共和国成立于1949年。\n"


def decode(raw: bytes, **options: str) -> Document:
    doc = Document(source="t.txt", raw=raw)
    out = DecodeFilter(DecodeOptions(**options)).apply(doc)
    assert out == [doc]
    return doc


# -- golden files ----------------------------------------------------------


@pytest.mark.parametrize("case", GOLDEN, ids=[c["input"] for c in GOLDEN])
def test_golden_file_decodes_to_the_reference_text(case: dict) -> None:
    raw = (ENCODINGS / case["input"]).read_bytes()
    expected = (ENCODINGS / case["expected"]).read_text(encoding="utf-8")
    detection = detect(raw)
    assert detection.codec == case["codec"]
    text, bad = decode_bytes(raw, detection.codec)
    assert text == expected
    assert bad == []
    doc = decode(raw)
    # Document keeps the final newline as the end of the last line.
    assert doc.text + "\n" == expected
    assert doc.meta["encoding"] == case["codec"]
    assert 0.5 < doc.meta["confidence"] <= 1.0
    assert doc.changes == []


def test_golden_files_cover_every_encoding_of_the_issue() -> None:
    codecs_seen = {c["codec"] for c in GOLDEN}
    assert codecs_seen == {"utf-8", "utf-8-sig", "gb18030", "cp950", "utf-16-le", "utf-16-be"}
    assert any("crlf" in c["input"] for c in GOLDEN)
    original = (ENCODINGS / "original.txt").read_text(encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        original.encode("gbk")  # the GB18030 files really need four-byte sequences


# -- case file ---------------------------------------------------------------


def _case_param(case: dict):
    marks = [pytest.mark.xfail(strict=True)] if case["expect"] == "fail" else []
    return pytest.param(case, id=case["label"], marks=marks)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_case(case: dict) -> None:
    raw = case["original"].encode(case["codec"])
    doc = decode(raw)
    accepted = case["encoding"] if isinstance(case["encoding"], list) else [case["encoding"]]
    assert doc.meta["encoding"] in accepted
    assert doc.text == case["fixed"].removesuffix("\n")


# -- binary ----------------------------------------------------------------------


def test_binary_file_is_refused_with_one_line() -> None:
    assert is_binary(PNG_HEADER)
    with pytest.raises(InputError) as err:
        decode(PNG_HEADER)
    assert str(err.value) == "binary file (NUL bytes); skipped"


def test_nul_inside_utf8_text_is_binary() -> None:
    assert is_binary("正文第一段。\n".encode() + b"\x00\x01\x02" + "第二段。".encode())


def test_utf16_without_bom_is_not_binary() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        assert not is_binary("第1章 总则\n本办法自2024年起施行。\n".encode(codec))
        assert not is_binary(b"plain English in UTF-16".decode().encode(codec))


def test_forced_utf16_skips_the_binary_check() -> None:
    doc = decode("abc".encode("utf-16-le"), encoding="utf-16-le")
    assert doc.text == "abc"


def test_binary_check_still_applies_to_forced_single_byte_codecs() -> None:
    with pytest.raises(InputError):
        decode(PNG_HEADER, encoding="latin-1")


# -- short and cut inputs -------------------------------------------------------


def test_gbk_prefix_cut_mid_character() -> None:
    raw = GBK_TEXT.encode("gbk")[:7]  # three characters and half of the fourth
    doc = decode(raw)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.text == "中华人\ufffd"
    assert [(c.rule, c.line, c.before, c.after) for c in doc.changes] == [
        ("undecodable-bytes", 1, "\\xc3", "\ufffd")
    ]


def test_three_byte_file() -> None:
    doc = decode("中".encode("gbk") + b"\n")
    assert doc.meta["encoding"] == "gb18030"
    assert doc.text == "中"


def test_big5_prefix_cut_mid_character() -> None:
    raw = "關於開展工作的通知".encode("big5")[:9]
    doc = decode(raw)
    assert doc.meta["encoding"] == "cp950"
    assert doc.text == "關於開展\ufffd"


def test_utf8_cut_mid_character_stays_utf8() -> None:
    raw = "这是一个被截断的下载文件".encode()[:-1]
    doc = decode(raw)
    assert doc.meta["encoding"] == "utf-8"
    assert doc.text == "这是一个被截断的下载文\ufffd"
    assert [(c.line, c.before) for c in doc.changes] == [(1, "\\xe4\\xbb")]


@pytest.mark.parametrize("raw", [b"", b"\n", b"a", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_tiny_inputs(raw: bytes) -> None:
    doc = decode(raw)
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")


# -- undecodable bytes -------------------------------------------------------------


def test_invalid_bytes_in_utf8_become_replacement_characters_with_their_lines() -> None:
    raw = ("第一行\r\n第二行".encode() + b"\xff" + "好\r\n第三行\r第四".encode()
           + b"\xc0\xfe" + b"\n")
    doc = decode(raw)
    assert doc.meta["encoding"] == "utf-8"
    assert doc.text == "第一行\n第二行\ufffd好\n第三行\n第四\ufffd\ufffd"
    records = [(c.filter, c.action, c.rule, c.line, c.line_end, c.before, c.after)
               for c in doc.changes]
    assert records == [
        ("decode", "replace", "undecodable-bytes", 2, 2, "\\xff", "\ufffd"),
        ("decode", "replace", "undecodable-bytes", 4, 4, "\\xc0\\xfe", "\ufffd\ufffd"),
    ]
    # The recorded line is where the U+FFFD is in the decoded input.
    for change in doc.changes:
        assert "\ufffd" in doc.input_lines[change.line - 1]


def test_invalid_byte_in_gbk_text() -> None:
    raw = ("甲乙丙丁戊己庚辛壬癸。\n" * 3).encode("gbk") + b"\xff"
    raw += "子丑寅卯。\n".encode("gbk")
    doc = decode(raw)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.input_lines[3] == "\ufffd子丑寅卯。"
    assert [(c.line, c.before) for c in doc.changes] == [(4, "\\xff")]


def test_many_errors_stay_linear() -> None:
    raw = bytes(range(0x80, 0x100)) * 2000  # 256 KB of junk, no NUL
    text, bad = decode_bytes(raw, "utf-8")
    assert len(bad) == text.count("\ufffd") > 0


# -- forced encoding ----------------------------------------------------------------


def test_forced_encoding_skips_detection() -> None:
    raw = "你好".encode()  # valid UTF-8, forced to be read as GBK: mojibake, as asked
    doc = decode(raw, encoding="gbk")
    assert doc.meta == {"encoding": "gbk", "confidence": 1.0}
    assert doc.text == raw.decode("gbk", "replace")


def test_forced_generic_utf16_uses_the_bom() -> None:
    doc = decode(codecs.BOM_UTF16_BE + "中文\r\n".encode("utf-16-be"), encoding="utf-16")
    assert doc.text == "中文"


@pytest.mark.parametrize("name", ["no-such-codec", "rot13", "base64"])
def test_bad_encoding_name_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError) as err:
        DecodeOptions(encoding=name)
    assert err.value.key == "encoding"


# -- documents that are already text ---------------------------------------------------


def test_already_decoded_document_passes_unchanged() -> None:
    doc = Document.from_text("已经是文本了\n第二行")
    before = (list(doc.lines), list(doc.changes))
    assert DecodeFilter().apply(doc) == [doc]
    assert (doc.lines, doc.changes) == before
    assert doc.meta["encoding"] == "utf-8"


def test_idempotent_on_its_own_output() -> None:
    raw = "第一行\r\n第二\xff行\r\n".encode("gbk", "replace")
    first = decode(raw)
    again = decode((first.text + "\n").encode("utf-8"))
    assert again.text == first.text
    assert again.changes == []
    assert DecodeFilter().apply(first) == [first]


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_input_error(raw: bytes) -> None:
    try:
        doc = decode(raw)
    except InputError as exc:
        # Refused only as binary (NUL bytes) or, for legacy readings, as not text.
        assert b"\x00" in raw or str(exc).startswith("not text in any supported encoding")
        return
    text = doc.text
    assert isinstance(text, str) and "\r" not in text and not text.startswith("\ufeff")
    text.encode("utf-8")  # no lone surrogates
    assert doc.meta["encoding"] and 0.0 < doc.meta["confidence"] <= 1.0
    # every U+FFFD made by decode is recorded on its line
    made = sum(c.after.count("\ufffd") for c in doc.changes)
    assert made <= text.count("\ufffd")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_valid_utf8_is_always_read_as_utf8(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    if b"\x00" in raw or text.startswith("\ufeff"):
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    doc = decode(raw)
    assert doc.meta["encoding"] == "utf-8"
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert doc.text == expected.removesuffix("\n")


def _gb2312_common() -> list[str]:
    chars = []
    for c in sorted(COMMON_HAN):
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.append(c)
    return chars


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_gb2312_common()), min_size=20, max_size=200),
       st.sampled_from(["，", "。", "\n", "、", "1"]))
def test_gbk_text_round_trips(chars: list[str], sep: str) -> None:
    text = sep.join("".join(chars[i : i + 7]) for i in range(0, len(chars), 7))
    raw = text.encode("gbk")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return  # GBK bytes that happen to be valid UTF-8: see the next test
    doc = decode(raw)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.text == text.removesuffix("\n")


def test_strict_utf8_wins_even_over_gbk_bytes_that_happen_to_be_valid_utf8() -> None:
    # SPEC: strict UTF-8 first.  一 is D2 BB in GBK, also UTF-8 for U+04BB; such
    # files are vanishingly rare beyond a few characters, and guessing against
    # valid UTF-8 would endanger real Cyrillic or Latin text.
    assert decode("一一一".encode("gbk")).meta["encoding"] == "utf-8"


@pytest.mark.parametrize("text", [
    "主题词 工作计划 实施意见 通知\n",
    "党委 办公室 的 同志 们 工作 细致 认真 负责 ，\n受到 了 领导 的 一致 好评 。\n" * 3,
    "标签： 北京 上海 广州 深圳 天津 重庆 成都 杭州 南京 武汉\n",
])
def test_chinese_with_spaces_between_words_is_not_korean(text: str) -> None:
    # Spaces between Hanzi (PDF extractions, keyword lists) trigger the EUC-KR
    # check; the Hanja share of the Korean reading turns it down.
    doc = decode(text.encode("gbk"))
    assert doc.meta["encoding"] == "gb18030"
    assert doc.text == text.removesuffix("\n")


def test_random_bytes_are_refused_as_not_text() -> None:
    import random

    rng = random.Random(5)
    data = bytes(rng.randrange(1, 256) for _ in range(4000))  # no NUL: not "binary"
    with pytest.raises(InputError, match=r"not text in any supported encoding .*--encoding"):
        decode(data)
    # ... while a forced codec decodes whatever it is given.
    assert DecodeFilter(DecodeOptions(encoding="latin-1")).apply(
        Document(source="x", raw=data))[0].text


def test_big5_hkscs_page_equals_its_utf8_twin() -> None:
    """A Hong Kong page in Big5-HKSCS with Cantonese characters (哋 啲 嚟 嘅 咗 喺 冇 嘢)
    and the same text in UTF-8 come out identical, no character lost."""
    from cleancorp.pipeline import clean_text

    text = ("記者問佢哋點睇，佢話：「我哋喺呢度住咗廿年，啲街坊好好，唔想搬走，嚟咗就唔走。」"
            "另一位居民講：「冇辦法，嘢貴咗好多，我哋嘅生活真係頂唔順。」政府發言人表示會研究"
            "有關建議，並會盡快公佈詳細安排。\n")
    big5 = clean_text(text.encode("big5hkscs")).text
    utf8 = clean_text(text.encode("utf-8")).text
    assert big5 == utf8
    for ch in "哋啲嚟嘅咗喺冇嘢":
        assert ch in big5


@pytest.mark.parametrize("where", ["among_standard_text", "beyond_the_sample"])
def test_big5_page_with_a_few_hkscs_characters_loses_none(where: str) -> None:
    """A mostly-standard Big5 page with one HKSCS character (綫, as in 觀塘綫) reads
    under CP950 with a single decode error: the superset Big5-HKSCS must be chosen,
    whether the character sits among thousands of standard ones or past the bytes
    that detection samples."""
    from cleancorp.filters.decode import SAMPLE_BYTES

    standard = "港鐵今早七時四十分左右發生信號故障，油塘至藍田一段列車需以較慢速度行駛。\n"
    special = "觀塘綫服務於九時前逐步回復正常。\n"
    if where == "among_standard_text":
        text = standard * 20 + special + standard * 20
    else:
        text = standard * (SAMPLE_BYTES // len(standard.encode("big5")) + 10) + special
    doc = DecodeFilter().apply(Document(source="hk.txt", raw=text.encode("big5hkscs")))[0]
    assert doc.meta["encoding"] == "big5hkscs"
    assert doc.text == text.removesuffix("\n")  # the document's text has no final newline
    assert not [c for c in doc.changes if c.rule == "undecodable-bytes"]


def test_big5_solidus_reads_as_the_full_width_solidus_people_type() -> None:
    # A Taiwanese byline saved as Big5 by a tool other than Windows: A241 is `／` in the
    # Big5 table, DIVISION SLASH in CP950's; the text keeps the sign its author typed.
    text = "〔記者陳怡君／台南報導〕台南市中西區一棟建於日治初期的三合院古厝，今天正式對外開放。路徑寫作 a＼b。\n"
    assert decode(text.encode("big5"), encoding="cp950").text == text.rstrip("\n")
    assert decode(text.encode("big5")).text == text.rstrip("\n")  # whatever is detected
