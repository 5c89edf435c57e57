"""Character classes and compiled regexes shared by several filters.

Only knowledge that two or more filters need lives here; a filter's private
patterns stay at the top of its own module.
"""

from __future__ import annotations

import regex

#: A Han character (any CJK ideograph block, extensions included): `中`, `𠮷`.
HAN_RE = regex.compile(r"\p{Han}")
#: A run of Han characters. Counting Han by runs (``sum(map(len, findall))``) builds a
#: few strings per line instead of one per character: about five times faster.
HAN_RUN_RE = regex.compile(r"\p{Han}+")
#: Han, kana and CJK/full-width punctuation: the characters of CJK running text.
CJK_CHAR_CLASS = r"\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef"
CJK_RE = regex.compile(f"[{CJK_CHAR_CLASS}]")
#: Japanese kana: text with kana is never converted to simplified Chinese.
KANA_RE = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
#: Chinese sentence-ending punctuation (full-width), used as evidence of real prose.
SENTENCE_END_CHARS = "。！？；…"


def is_han(ch: str) -> bool:
    """True for one Han character.

    >>> is_han("中"), is_han("a"), is_han("，")
    (True, False, False)
    """
    return HAN_RE.match(ch) is not None


def han_count(text: str) -> int:
    """Number of Han characters in `text`.

    >>> han_count("中文abc字")
    3
    """
    return len(HAN_RE.findall(text))


def _build_common_han() -> frozenset[str]:
    """The most common Hanzi, read from the codecs themselves (no data download).

    GB2312's level-1 block (bytes B0A1-D7F9) is exactly the 3,755 most common
    simplified Hanzi; Big5's frequently-used block (A440-C67E) holds the 5,401
    common traditional ones. Their union is a frequency model good enough to
    tell real Chinese from mojibake, whose characters are mostly rare.
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            if (lead, trail) > (0xC6, 0x7E):
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(c for c in chars if len(c) == 1)


#: See `_build_common_han`: about 7,000 common simplified and traditional Hanzi.
COMMON_HAN: frozenset[str] = _build_common_han()


def common_han_ratio(text: str) -> float:
    """Share of the Han characters of `text` that are common (see `COMMON_HAN`).

    Returns 1.0 for text without Han characters, so it only ever speaks
    against text that has Hanzi.

    >>> common_han_ratio("你好，世界")
    1.0
    >>> common_han_ratio("浣犲ソ") < 0.7   # "你好" read as GBK: rare characters
    True
    """
    hans = HAN_RE.findall(text)
    if not hans:
        return 1.0
    return sum(1 for c in hans if c in COMMON_HAN) / len(hans)
