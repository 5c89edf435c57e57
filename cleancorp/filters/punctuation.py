"""The `punctuation` filter: full-width punctuation inside Chinese text.

Scraped Chinese often carries ASCII `, : ; ? !` and `( )` where the writer used
(or a reader expects) `，：；？！（）`. A mark is converted only when it touches
a CJK character; numbers (`1,000`, `3:30`), Latin text, URLs, e-mail addresses
and code keep their ASCII marks, and `.` is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions
from cleancorp.markup import code_lines, protected_spans

#: ASCII mark -> its full-width form (the pairs `( )` are handled together).
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
#: The ASCII marks this filter may convert.
MARKS = frozenset(",:;?!()")
#: Any of them: a line without one is left as it is, decided by one cheap scan (the
#: standard library's `re` is several times faster than `regex` on a plain class).
ANY_MARK_RE = re.compile(r"[,:;?!()]")
#: Any mark next to a CJK character, or any ASCII bracket: the lines worth a closer look.
CANDIDATE_RE = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef][,:;?!()]"
    r"|[,:;?!()][\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]|\("
)
_CJK = (
    r"\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003ffff"
    r"\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\uff00-\uffef"
)
#: A mark touching a CJK character (the same ranges as `_is_cjk`). Plain code point
#: ranges, so the faster standard `re` does it; the mark comes first in the pattern so
#: that the scan jumps from mark to mark instead of testing a neighbour everywhere.
MARK_RE = re.compile(rf"[,:;?!](?:(?<=[{_CJK}].)|(?=[{_CJK}]))")
#: The brackets of a line, ASCII and full-width (a pair may mix them).
BRACKET_RE = regex.compile(r"[()（）]")
#: Where the marks and brackets of a line are (full-width brackets pair with ASCII ones).
POSITION_RE = regex.compile(r"[,:;?!()（）]")
#: A line of code: it ends a statement or block (checked on the line's tail), starts
#: with a keyword (checked on its head), or uses operators prose does not.
CODE_END_RE = regex.compile(r"(?:[{}]|[\w)\]\"'];)\s*$")
CODE_START_RE = regex.compile(
    r"\s*(?:def|class|import|from|return|var|let|const|function|public|private|#include)\b"
)
CODE_OPERATORS = ("==", "!=", "&&", "||", "=>", ":=", "->")
#: Any of `CODE_OPERATORS`, in one scan of the line.
CODE_OPERATOR_RE = re.compile("|".join(map(re.escape, CODE_OPERATORS)))


def _is_cjk(ch: str) -> bool:
    """True for a Han, kana, CJK-punctuation or full-width character (by code point:
    this runs for the neighbours of every mark)."""
    if not ch:
        return False
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x30FF or 0xFF00 <= o <= 0xFFEF
            or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF
            or 0x3100 <= o <= 0x312F or 0x31A0 <= o <= 0x31FF)


def is_code_line(line: str) -> bool:
    """True for a line of code: more ASCII than CJK and a code shape.

    >>> is_code_line('print("你好, 世界");'), is_code_line("工作进行了安排;")
    (True, False)
    """
    if not (CODE_END_RE.search(line[-8:]) or CODE_START_RE.match(line)
            or CODE_OPERATOR_RE.search(line)):
        return False
    cjk = sum(1 for ch in line if _is_cjk(ch))
    return len(line) - cjk > cjk


def _pairs(chars: list[str], brackets: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    """Matching bracket pairs (ASCII or full-width on either side) and unmatched ASCII ones."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    lone: list[int] = []
    for k in brackets:
        ch = chars[k]
        if ch in "(（":
            stack.append(k)
        elif stack:
            pairs.append((stack.pop(), k))
        elif ch == ")":
            lone.append(k)
    lone.extend(k for k in stack if chars[k] == "(")
    return pairs, lone


def _fix_brackets(chars: list[str], brackets: list[int]) -> bool:
    """Convert the bracket pairs that enclose or touch CJK, both halves together, and
    lone ASCII brackets that touch CJK; True if anything changed."""
    changed = False
    n = len(chars)

    def touches(k: int) -> bool:
        return (k > 0 and _is_cjk(chars[k - 1])) or (k + 1 < n and _is_cjk(chars[k + 1]))

    pairs, lone = _pairs(chars, brackets)
    for i, j in pairs:
        if chars[i] == "（" and chars[j] == "）":
            continue
        if chars[i] == "（" or chars[j] == "）" or touches(i) or touches(j) or any(
            _is_cjk(c) for c in chars[i + 1 : j]
        ):
            # both or neither: a converted pair never leaves one ASCII half
            chars[i], chars[j] = "（", "）"
            changed = True
    for k in lone:
        if touches(k):
            chars[k] = FULL_WIDTH[chars[k]]
            changed = True
    return changed


def _fix_marks(chars: list[str], marks: list[int]) -> bool:
    """Convert `, : ; ? !` that touch CJK; True if anything changed. A mark with a CJK
    neighbour is never between two digits, so `1,000` and `3:30` stay by construction."""
    changed = False
    n = len(chars)
    for k in marks:
        ch = chars[k]
        if ch in ",:;?!" and (
            (k > 0 and _is_cjk(chars[k - 1])) or (k + 1 < n and _is_cjk(chars[k + 1]))
        ):
            chars[k] = FULL_WIDTH[ch]
            changed = True
    return changed


def _full_width(match: re.Match[str]) -> str:
    return FULL_WIDTH[match.group()]


def fix_punctuation(line: str) -> str:
    """Turn ASCII `, : ; ? !` next to a CJK character, and `( )` pairs enclosing or
    touching CJK, into their full-width forms.

    >>> fix_punctuation("视察中,大家一致认为:建市以来,成绩显著!")
    '视察中，大家一致认为：建市以来，成绩显著！'
    >>> fix_punctuation("(3)以中小企业为突破口")
    '（3）以中小企业为突破口'
    >>> fix_punctuation("以局党组(2008)7号文件印发")
    '以局党组（2008）7号文件印发'
    >>> fix_punctuation("共1,000人,会议3:30开始,第3条:5")
    '共1,000人，会议3:30开始，第3条：5'
    >>> fix_punctuation("详见 https://example.com/a?b=1,c=2 ,或发邮件到 a@b.cn")
    '详见 https://example.com/a?b=1,c=2 ，或发邮件到 a@b.cn'
    >>> fix_punctuation("Hello, world (test). 增长1.5倍。")
    'Hello, world (test). 增长1.5倍。'
    >>> fix_punctuation("多个,,中文")   # a converted mark is CJK too
    '多个，，中文'
    >>> fix_punctuation("见[转载声明](https://a.cn/x),分享到:![微信](/wx.png)")
    '见[转载声明](https://a.cn/x)，分享到：![微信](/wx.png)'
    """
    if ANY_MARK_RE.search(line) is None:
        return line  # most lines: no ASCII mark at all
    if CANDIDATE_RE.search(line) is None or is_code_line(line):
        return line
    spans = protected_spans(line)
    if not spans:
        # Fast path: no address on the line, a regex does the marks.
        prev = None
        while prev != line:
            prev = line
            line = MARK_RE.sub(_full_width, line)
            if "(" in line or ")" in line:
                chars = list(line)
                brackets = [m.start() for m in BRACKET_RE.finditer(line)]
                if _fix_brackets(chars, brackets):
                    line = "".join(chars)
            if ANY_MARK_RE.search(line) is None:
                break  # no ASCII mark left: another pass could not change anything
        return line
    chars = list(line)
    positions = [m.start() for m in POSITION_RE.finditer(line)]
    positions = [k for k in positions if not any(a <= k < b for a, b in spans)]
    marks = [k for k in positions if chars[k] in ",:;?!"]
    brackets = [k for k in positions if chars[k] not in ",:;?!"]
    # A converted mark is CJK itself and may make its neighbour touch CJK (`,,中`);
    # repeating to a fixpoint makes the filter idempotent.
    for _ in range(len(positions) + 1):
        changed = _fix_marks(chars, marks)
        if not (_fix_brackets(chars, brackets) or changed):
            break
    return "".join(chars)


@dataclass(frozen=True)
class PunctuationOptions(FilterOptions):
    """Options of `punctuation`.

    brackets: also convert `( )` pairs that enclose or touch CJK (default true).
    """

    brackets: bool = True


class PunctuationFilter(Filter):
    """Full-width `，：；？！（）` where ASCII marks touch Chinese text.

    Never changes marks between digits (`1,000`, `3:30`), in Latin text, URLs,
    e-mail addresses or code, never touches `.`, and never turns full-width
    punctuation into ASCII. One change record per changed line.

    >>> doc = Document.from_text("视察中,大家一致认为:\\nprint(a, b)\\n(1)加快发展")
    >>> _ = PunctuationFilter().apply(doc)
    >>> print(doc.text)
    视察中，大家一致认为：
    print(a, b)
    （1）加快发展
    """

    name = "punctuation"
    summary = "ASCII , : ; ? ! ( ) touching Chinese text become full-width"
    Options = PunctuationOptions

    def apply(self, doc: Document) -> list[Document]:
        opts: PunctuationOptions = self.options  # type: ignore[assignment]
        text = doc.text
        # Whole-text fast path: most clean documents have no ASCII mark at all.
        if not any(ch in text for ch in MARKS):
            return [doc]
        code = code_lines(doc.lines)  # returns at once when no line can start code
        for i, line in enumerate(doc.lines):
            if i in code:
                continue  # a fenced or indented code block is not Chinese prose
            new = fix_punctuation(line)
            if not opts.brackets and new != line:
                new = "".join(
                    o if o in "()" else c for o, c in zip(line, new, strict=True)
                )
            if new != line:
                doc.replace_line(i, new, filter=self.name, rule="cjk-ascii")
        return [doc]
