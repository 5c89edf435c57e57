"""Traditional -> simplified Chinese with OpenCC, decided per document (and per long paragraph).

The conversion itself is OpenCC's (the official ``opencc`` package, phrase level);
this module only decides *which* lines to hand to it and records what changed.

>>> import opencc
>>> tables = CharTables.build(opencc.OpenCC("t2s"), opencc.OpenCC("s2t"))
>>> round(traditional_share("關於開展創建工作的匯報", tables), 2)   # 於 is a keep char
0.45
>>> traditional_share("乾隆年间的著作", tables)   # simplified text with 乾 and 著
0.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import ClassVar

import opencc

from cleancorp.document import Document
from cleancorp.errors import ConfigError
from cleancorp.filters.base import Filter, FilterOptions

#: Han ideographs by code point, for counting. `re` with plain ranges runs about 4x
#: faster than ``regex``'s ``\p{Han}`` on megabytes of text, and a share only needs
#: the ideograph blocks (CJK unified A-H, compatibility).
HAN_RANGES_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
#: Hiragana, katakana (and their phonetic extensions, half-width katakana): cheap
#: first test before counting.
KANA_FAST_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")

#: The code point blocks whose characters are run through OpenCC one by one to learn
#: which characters it converts (see `CharTables`).
_HAN_BLOCKS = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F),
)

MODES = ("auto", "on", "off")
CONFIGS = ("t2s", "tw2s", "hk2s")

#: A document is converted when at least this share of its Han characters are
#: traditional-only. Set on the web dev corpus (OpenCC 1.4.2): its traditional pages and
#: golden texts have 0.19-0.39 (0.19: a Cantonese post under simplified site chrome), the
#: encoding cases' traditional texts 0.22-0.37; every simplified page and text there 0.0.
#: 0.10 sits well between them: a simplified page needs one traditional name per 20 Han
#: characters to cross it.
DOC_THRESHOLD = 0.10
#: A paragraph of a document judged simplified is still converted when it has at least
#: this many Han characters and this share of traditional-only ones: a simplified page
#: that quotes a long traditional passage. Stricter than the document threshold because
#: it overrides the document's verdict; 200 Han characters is about a full paragraph of
#: prose, far more than any name or title a simplified text would quote.
PARAGRAPH_MIN_HAN = 200
PARAGRAPH_THRESHOLD = 0.15
#: Kana in at least this share of the CJK letters (Han + kana) makes a document Japanese
#: (running Japanese prose has 35-70% kana, kanji-dense news and legal text still over
#: 25%); it is then left alone, kanji-only lines included. Below it, only the paragraphs
#: that contain kana are left alone (a Chinese text quoting a Japanese shop name has a
#: few percent).
JAPANESE_KANA_SHARE = 0.20

RULE = "t2s"
RULE_PARAGRAPH = "t2s-paragraph"


def _load_keep_chars() -> frozenset[str]:
    """The characters of ``data/t2s_keep_chars.txt`` (first character of each line)."""
    text = resources.files("cleancorp").joinpath("data/t2s_keep_chars.txt").read_text("utf-8")
    return frozenset(
        line[0] for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def char_changes(converter: opencc.OpenCC) -> dict[str, str]:
    """What `converter` does to each Han character standing alone: {before: after}.

    One OpenCC call over every ideograph, one per line (a line break stops phrase
    matching), takes about 15 ms.

    >>> changes = char_changes(opencc.OpenCC("t2s"))
    >>> changes["髮"], changes["乾"], "著" in changes, "干" in changes
    ('发', '干', False, False)
    """
    chars = [chr(c) for first, last in _HAN_BLOCKS for c in range(first, last + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("INTERNAL ERROR, please report: OpenCC changed the number of lines")
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b}


@dataclass(frozen=True)
class CharTables:
    """Which characters are evidence of a script.

    `traditional` holds the traditional-only characters: those OpenCC's conversion
    changes when they stand alone, minus the `keep` characters that OpenCC itself
    keeps in some phrases (乾 in 乾隆, see ``data/t2s_keep_chars.txt``).
    `simplified` holds the characters that s2t changes alone (县, 么, 发): text that
    has them is not traditional.
    """

    traditional: frozenset[str]
    keep: frozenset[str]
    simplified: frozenset[str]

    @classmethod
    def build(cls, to_simplified: opencc.OpenCC, to_traditional: opencc.OpenCC) -> CharTables:
        """The tables for one OpenCC configuration (and s2t for the simplified side)."""
        keep = _load_keep_chars()
        changed = char_changes(to_simplified)
        return cls(
            traditional=frozenset(changed) - keep,
            keep=keep & frozenset(changed),
            simplified=frozenset(char_changes(to_traditional)),
        )


def han_count(text: str) -> int:
    """Number of Han ideographs in `text` (fast: a deletion, not a match list).

    >>> han_count("關於2011年的(市、區)")
    6
    """
    return len(text) - len(HAN_RANGES_RE.sub("", text))


def traditional_count(text: str, tables: CharTables) -> int:
    """Number of traditional-only characters in `text`.

    >>> import opencc
    >>> tables = CharTables.build(opencc.OpenCC("t2s"), opencc.OpenCC("s2t"))
    >>> traditional_count("頭髮乾了", tables), traditional_count("乾隆", tables)  # 乾: keep
    (2, 0)
    """
    return sum(map(tables.traditional.__contains__, text))


def traditional_share(text: str, tables: CharTables) -> float:
    """Share of the Han characters of `text` that are traditional-only (0.0 without Han)."""
    han = han_count(text)
    return traditional_count(text, tables) / han if han else 0.0


def may_convert_line(line: str, tables: CharTables) -> bool:
    """Whether a line that OpenCC would change may be converted.

    Yes when it has a traditional-only character. Otherwise OpenCC changes it through
    a `keep` character (乾, 於, 陞) or a phrase of characters common to both scripts
    (甦醒): then only when it has no simplified-only character either. `步步高陞`
    and `甦醒` are traditional (-> 步步高升, 苏醒); `乾安县` is OpenCC's own output for
    `乾安縣` and must stay (a second run would make it 干安县).

    >>> import opencc
    >>> tables = CharTables.build(opencc.OpenCC("t2s"), opencc.OpenCC("s2t"))
    >>> [may_convert_line(s, tables) for s in ("乾安縣", "步步高陞", "甦醒", "乾安县")]
    [True, True, True, False]
    """
    if not tables.traditional.isdisjoint(line):
        return True
    return tables.simplified.isdisjoint(line)


def paragraphs(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) line ranges of the blocks of non-blank lines.

    >>> paragraphs(["甲", "乙", "", " ", "丙"])
    [(0, 2), (4, 5)]
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(lines)))
    return spans


def is_japanese(text: str) -> bool:
    """Whether kana make up at least `JAPANESE_KANA_SHARE` of the CJK letters.

    >>> is_japanese("東京都の天気は晴れです")
    True
    >>> is_japanese("他在东京的「すき家」吃了一碗牛肉饭，觉得味道和国内的连锁店差不多，价格也便宜。")
    False
    """
    if KANA_FAST_RE.search(text) is None:
        return False
    kana = len(KANA_FAST_RE.findall(text))
    return kana >= JAPANESE_KANA_SHARE * (kana + han_count(text))


def choose_lines(
    old: Sequence[str],
    changed: Iterable[int],
    tables: CharTables,
    mode: str,
) -> dict[int, str]:
    """Which changed lines to convert, each with its rule id.

    `old` are the document's lines, `changed` the indices OpenCC would change. Lines
    in a paragraph with kana are never converted. With mode "on" every other
    convertible line is; with "auto" all of them when the document's traditional
    share reaches `DOC_THRESHOLD`, else those of long, clearly traditional paragraphs.
    """
    changed = [i for i in changed if may_convert_line(old[i], tables)]
    if not changed:
        return {}
    spans = paragraphs(old)
    para_of = {}
    for n, (start, end) in enumerate(spans):
        for i in range(start, end):
            para_of[i] = n
    kana_paras = {
        n for n, (start, end) in enumerate(spans)
        if any(KANA_FAST_RE.search(old[i]) for i in range(start, end))
    }
    changed = [i for i in changed if para_of.get(i) not in kana_paras]
    if mode == "on":
        return dict.fromkeys(changed, RULE)
    # Unchanged lines hold no traditional-only character (OpenCC converts each one, see
    # CharTables), so counting on the changed lines is exact; counting stops as soon
    # as the document is known to be traditional.
    need = DOC_THRESHOLD * sum(map(han_count, old))
    counts: dict[int, int] = {}
    seen = 0
    for i in changed:
        counts[i] = traditional_count(old[i], tables)
        seen += counts[i]
        if seen >= need:
            return dict.fromkeys(changed, RULE)
    chosen: dict[int, str] = {}
    for n in {para_of[i] for i in changed}:
        start, end = spans[n]
        han = sum(han_count(old[i]) for i in range(start, end))
        trad = sum(counts.get(i, 0) for i in range(start, end))
        if han >= PARAGRAPH_MIN_HAN and trad >= PARAGRAPH_THRESHOLD * han:
            chosen.update((i, RULE_PARAGRAPH) for i in changed if start <= i < end)
    return chosen


@dataclass(frozen=True)
class T2sOptions(FilterOptions):
    """Options of the `t2s` filter.

    mode: "auto" (default) converts documents (and long paragraphs) judged
    traditional, "on" converts every line with traditional characters, "off" does
    nothing. config: the OpenCC configuration, "t2s" (default, OpenCC's standard
    traditional), "tw2s" (Taiwan variants) or "hk2s" (Hong Kong variants).
    """

    mode: str = "auto"
    config: str = "t2s"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(
                key="t2s.mode", message=f"must be one of {', '.join(MODES)}, not {self.mode!r}"
            )
        if self.config not in CONFIGS:
            raise ConfigError(
                key="t2s.config",
                message=f"must be one of {', '.join(CONFIGS)}, not {self.config!r}",
            )


class T2sFilter(Filter):
    """Convert traditional Chinese to simplified with OpenCC (phrase level).

    Changes whole lines, one ``replace`` record per changed line (rule ``t2s``, or
    ``t2s-paragraph`` for a long traditional paragraph inside a simplified document).
    Never touches text with kana, simplified text with a few traditional-looking
    names (乾隆, 著作, 蘇軾 in a simplified page) under ``auto``, nor line breaks.
    Sets ``doc.meta["opencc"]`` to the OpenCC version whenever it looks at a
    document, since OpenCC's output changes between versions.

    >>> doc = Document.from_text("頭髮\\n乾安縣位於吉林省\\n相剋")
    >>> T2sFilter().apply(doc)[0].text
    '头发\\n乾安县位于吉林省\\n相克'
    >>> doc = Document.from_text("乾隆年间，他的著作很多。")
    >>> T2sFilter().apply(doc)[0].text, doc.changes
    ('乾隆年间，他的著作很多。', [])
    """

    name = "t2s"
    summary = "traditional -> simplified Chinese with OpenCC (auto: per document)"
    Options: ClassVar[type[FilterOptions]] = T2sOptions
    options: T2sOptions

    @property
    def converter(self) -> opencc.OpenCC:
        """The OpenCC converter of the configured `config`, built on first use."""
        if getattr(self, "_converter", None) is None:
            self._converter = opencc.OpenCC(self.options.config)
        return self._converter

    @property
    def tables(self) -> CharTables:
        """The character tables of the configured `config`, built on first use."""
        if getattr(self, "_tables", None) is None:
            self._tables = CharTables.build(self.converter, opencc.OpenCC("s2t"))
        return self._tables

    def apply(self, doc: Document) -> list[Document]:
        if self.options.mode == "off":
            return [doc]
        doc.meta["opencc"] = opencc.__version__
        text = doc.text
        if is_japanese(text):
            return [doc]
        # One OpenCC call for the whole document: per-line calls cost about 3x.
        converted = self.converter.convert(text)
        if converted == text:
            return [doc]
        old = doc.lines
        new = converted.split("\n")
        if len(new) != len(old):
            # OpenCC maps characters to characters and never touches line breaks.
            raise RuntimeError(
                "INTERNAL ERROR, please report: OpenCC changed the number of lines "
                f"({len(old)} -> {len(new)}) in {doc.source}"
            )
        changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        chosen = choose_lines(old, changed, self.tables, self.options.mode)
        for i in sorted(chosen):
            doc.replace_line(i, new[i], filter=self.name, rule=chosen[i])
        return [doc]
