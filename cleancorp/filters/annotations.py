"""Remove inline pinyin glosses after Hanzi: 關(guān)於 -> 關於, 中國(zhong1 guo2) -> 中國.

A parenthesised token goes only when it is pinyin by a real syllable table
(``data/pinyin_syllables.txt``), carries tones (marks on the vowel or digits
1-5), has no more syllables than the Hanzi run it follows, and is glued to that
run. English words that happen to spell a syllable, `(an)`, `(men)`, `(he)`,
carry no tone and stay; toneless glosses (neutral tone: 們(men)) are removed only
in a document that already shows the annotation habit (see `AnnotationsOptions`).

>>> strip_annotations("關(guān)於開(kāi)展創(chuàng)建工作")
'關於開展創建工作'
>>> strip_annotations("規劃(綱要)（注）(2011)（市、区）苹果(apple)和(hé)")
'規劃(綱要)（注）(2011)（市、区）苹果(apple)和'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import ClassVar

import regex

from cleancorp.chardata import HAN_RE, HAN_RUN_RE
from cleancorp.document import Document
from cleancorp.errors import ConfigError
from cleancorp.filters.base import Filter, FilterOptions
from cleancorp.spans import removal_spans, window_record

#: A parenthesised token glued to a Hanzi, half- or full-width parentheses in any mix:
#: `關(guān)`, `中國（zhōngguó）`. The token is then checked by `pinyin_syllable_count`.
ANNOTATION_RE = regex.compile(r"(?<=\p{Han})([ \t\u3000]{0,2})[(（]([^()（）\n]{1,60})[)）]")
#: Separators inside a multi-syllable gloss: `zhōng guó`, `xī'ān`, `zhong1-guo2`.
SEPARATOR_RE = regex.compile(r"[\s'’\-]+")

#: Tone-marked vowels -> (vowel, tone). ü is a vowel of its own (lü, nüe).
_TONED = {
    **{c: ("a", t) for t, c in enumerate("āáǎà", 1)},
    **{c: ("e", t) for t, c in enumerate("ēéěè", 1)},
    **{c: ("i", t) for t, c in enumerate("īíǐì", 1)},
    **{c: ("o", t) for t, c in enumerate("ōóǒò", 1)},
    **{c: ("u", t) for t, c in enumerate("ūúǔù", 1)},
    **{c: ("ü", t) for t, c in enumerate("ǖǘǚǜ", 1)},
    "ế": ("ê", 2),  # ê with tones 1 and 3 has no precomposed form
    "ề": ("ê", 4),
}
#: Input-method and informal spellings of the ü syllables.
_U_SPELLINGS = {"lv": "lü", "nv": "nü", "lve": "lüe", "nve": "nüe", "lue": "lüe", "nue": "nüe"}
#: zhuang, chuang, shuang are the longest syllables (6 letters).
_MAX_SYLLABLE_LEN = 6
TONE_DIGITS = "12345"

RULE = "inline-pinyin"


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """The toneless syllables of ``data/pinyin_syllables.txt`` (loaded once; immutable).

    >>> {"guan", "lü", "er", "zhuang"} <= pinyin_syllables(), "the" in pinyin_syllables()
    (True, False)
    """
    text = resources.files("cleancorp").joinpath("data/pinyin_syllables.txt").read_text("utf-8")
    return frozenset(
        word
        for line in text.splitlines()
        if not line.startswith("#")
        for word in line.split()
    )


def _syllable(piece: str) -> tuple[bool, bool]:
    """(is a syllable, carries a tone mark) for one lowercase letter run."""
    base = []
    marks = 0
    for ch in piece:
        toned = _TONED.get(ch)
        if toned is None:
            base.append(ch)
        else:
            base.append(toned[0])
            marks += 1
    if marks > 1:
        return False, False
    plain = "".join(base)
    plain = _U_SPELLINGS.get(plain, plain)
    return plain in pinyin_syllables(), marks == 1


def _segment(word: str) -> tuple[int, int] | None:
    """Split one separator-free word into syllables: (syllables, toneless ones), or None.

    Among the segmentations, the one with the fewest toneless syllables wins, so
    `xian1` reads as one toned syllable, not `xi` + `an1`.
    """
    # best[i]: (toneless, syllables) of the best segmentation of word[:i]
    best: list[tuple[int, int] | None] = [None] * (len(word) + 1)
    best[0] = (0, 0)
    for i in range(len(word)):
        if best[i] is None:
            continue
        toneless0, count0 = best[i]  # type: ignore[misc]
        for j in range(i + 1, min(i + _MAX_SYLLABLE_LEN, len(word)) + 1):
            ok, marked = _syllable(word[i:j])
            if not ok:
                continue
            end, toned = j, marked
            if j < len(word) and word[j] in TONE_DIGITS:
                # A mark and a digit is no gloss style; a digit after a lone vowel is
                # a cell or paper size more often than 啊(a1): (A4), (e2).
                if marked or j - i == 1:
                    continue
                end, toned = j + 1, True
            elif j < len(word) and word[j].isdigit():
                continue
            cand = (toneless0 + (not toned), count0 + 1)
            if best[end] is None or cand < best[end]:  # type: ignore[operator]
                best[end] = cand
    return best[len(word)]


# A pure function of a short token; glossed texts repeat a few hundred syllables
# thousands of times, so a bounded memo makes the segmentation cost vanish.
@lru_cache(maxsize=8192)
def pinyin_syllable_count(token: str, allow_toneless: bool = False) -> int:
    """How many pinyin syllables `token` is, or 0 when it is not a pinyin gloss.

    Every syllable needs a tone (mark or digit 1-5). With `allow_toneless`, a single
    toneless syllable of two or more letters is accepted too (a neutral-tone gloss,
    們(men)); never a toneless multi-syllable word (`banana`, `panda`, `china` would
    pass the table) nor a lone `a`/`e`/`o` (list markers, articles). A capital first
    letter is accepted only on toned glosses; capitals elsewhere mean a name or an
    acronym.

    >>> [pinyin_syllable_count(t) for t in ("guān", "lǜ", "guan1", "zhōngguó", "zhong1 guo2")]
    [1, 1, 1, 2, 2]
    >>> [pinyin_syllable_count(t) for t in ("an", "men", "a", "A4", "a1", "2011", "café", "注")]
    [0, 0, 0, 0, 0, 0, 0, 0]
    >>> pinyin_syllable_count("men", allow_toneless=True), pinyin_syllable_count("panda", True)
    (1, 0)
    """
    token = unicodedata.normalize("NFC", token.strip())
    if not token:
        return 0
    lower = token.lower()
    if lower[1:] != token[1:] or (lower[0] != token[0] and any(c.isdigit() for c in token)):
        return 0
    words = [w for w in SEPARATOR_RE.split(lower) if w]
    total = toneless = 0
    for word in words:
        seg = _segment(word)
        if seg is None:
            return 0
        toneless += seg[0]
        total += seg[1]
    if toneless == 0:
        return total
    if (
        allow_toneless
        and total == 1
        and len(words) == 1
        and len(lower) >= 2
        and lower == token
    ):
        return 1
    return 0


def find_annotations(line: str, allow_toneless: bool = False, before: str = ""
                     ) -> list[tuple[int, int]]:
    """The [start, end) spans of the pinyin glosses of one line, parentheses included.

    A gloss may not have more syllables than the Hanzi run it follows. `before`
    is the end of the previous line, for a line that opens with a gloss: a hard
    wrap can fall between a Hanzi and its gloss, and `layout` joins them later.

    >>> find_annotations("  (píng)問", before="战")
    [(2, 8)]

    >>> find_annotations("關(guān)於"), find_annotations("關 (guān)於")
    ([(1, 7)], [(1, 8)])
    >>> find_annotations("中 (an)")   # spaced and toneless: English, not a gloss
    []
    >>> find_annotations("中國(zhōngguó)很大，國(zhōngguó)")   # two syllables after one Hanzi
    [(2, 12)]
    """
    indent = len(line) - len(line.lstrip()) if before else 0
    text = before + line[indent:]
    shift = indent - len(before)
    spans = []
    for m in ANNOTATION_RE.finditer(text):
        # A space between a Hanzi and its gloss (`關 (guān)`) is allowed only when the
        # tones prove it is pinyin: `layout` would glue them, and a second run with them.
        n = pinyin_syllable_count(m.group(2), allow_toneless and not m.group(1))
        # glued to a run of at least n Hanzi: the n characters before it are all Hanzi
        if n and m.start() >= len(before) and m.start() >= n and HAN_RUN_RE.fullmatch(
                text, m.start() - n, m.start()):
            spans.append((m.start() + shift, m.end() + shift))
    return spans


def strip_annotations(line: str, allow_toneless: bool = False) -> str:
    """`line` without its pinyin glosses (repeated until none is left: 中(zhōng)(guó)).

    >>> strip_annotations("中(zhōng)(guó)人（rén）")
    '中人'
    >>> strip_annotations("他們(men)是(shì)", allow_toneless=True)
    '他們是'
    """
    while spans := find_annotations(line, allow_toneless):
        for start, end in reversed(spans):
            line = line[:start] + line[end:]
    return line


def _cut(line: str, ranges: list[tuple[int, int]]) -> str:
    """`line` without the sorted, disjoint [start, end) `ranges`."""
    parts = []
    pos = 0
    for start, end in ranges:
        parts.append(line[pos:start])
        pos = end
    parts.append(line[pos:])
    return "".join(parts)


def strip_spans(line: str, spans: list[tuple[int, int]], allow_toneless: bool = False
                ) -> tuple[str, list[tuple[int, int]]]:
    """`line` without the glosses at `spans` (from `find_annotations`) and the glosses
    this uncovers (中(zhōng)(guó)), with every removed range in `line`'s coordinates.

    >>> strip_spans("中(zhōng)(guó)人", [(1, 8)])
    ('中人', [(1, 13)])
    """
    removed = sorted(spans)
    new = _cut(line, removed)
    while True:
        # Only a gloss right after a removed one can appear (see strip_annotations).
        shift = 0
        chained = False
        for start, end in removed:
            shift += end - start
            chained = chained or new[end - shift : end - shift + 1] in ("(", "（")
        more = find_annotations(new, allow_toneless) if chained else []
        if not more:
            return new, removed
        # Input position of each character left: maps the new glosses back to `line`.
        origin: list[int] = []
        pos = 0
        for start, end in removed:
            origin.extend(range(pos, start))
            pos = end
        origin.extend(range(pos, len(line)))
        for start, end in more:
            run = origin[start:end]
            first = prev = run[0]
            for k in run[1:]:
                if k != prev + 1:  # the gloss straddles an earlier removal
                    removed.append((first, prev + 1))
                    first = k
                prev = k
            removed.append((first, prev + 1))
        removed = _merge(removed)
        new = _cut(line, removed)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with the touching and overlapping ones merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class AnnotationsOptions(FilterOptions):
    """Options of the `annotations` filter.

    toneless_min_annotations: toneless glosses (neutral tone, 們(men)) are removed
    only in a document with at least this many toned glosses (default 3). One or two
    toned glosses can be a dictionary-style aside; three show a text annotated
    throughout, where a toneless `(de)` after 的 is a gloss too, while in other text
    `(an)`, `(men)` are more likely English.
    """

    toneless_min_annotations: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.toneless_min_annotations, int) or self.toneless_min_annotations < 1:
            raise ConfigError(
                key="annotations.toneless_min_annotations",
                message=f"must be an integer >= 1, not {self.toneless_min_annotations!r}",
            )


class AnnotationsFilter(Filter):
    """Remove inline pinyin glosses glued to Hanzi, one ``replace`` record per changed line.

    Never touches parentheses after non-Hanzi (debris like `彼a(chǎn)` is the
    `mojibake` filter's), notes and numbers in parentheses (`（注）`, `(2011)`,
    `（市、区）`), English words (`(an)`, `(apple)`), names (`(Li)`), nor toneless
    glosses in a text without the annotation habit.

    A glossed text has a gloss every few characters, so the record of a line lists
    its removed glosses in ``spans`` (``[col, gloss, ""]``, `col` the 0-based offset
    in the record's `before`; see `cleancorp.spans`): 180,000 records of one gloss
    each made the report of a 22 MB corpus a quarter of its size.

    >>> doc = Document.from_text("關(guān)於開(kāi)展\\n規劃(綱要)")
    >>> AnnotationsFilter().apply(doc)[0].text
    '關於開展\\n規劃(綱要)'
    >>> [(c.rule, c.action, c.line, c.before, c.after) for c in doc.changes]
    [('inline-pinyin', 'replace', 1, '關(guān)於開(kāi)展', '關於開展')]
    >>> doc.changes[0].extra["spans"]
    [[1, '(guān)', ''], [9, '(kāi)', '']]
    """

    name = "annotations"
    summary = "remove inline pinyin after Hanzi: 關(guān)於 -> 關於"
    Options: ClassVar[type[FilterOptions]] = AnnotationsOptions
    options: AnnotationsOptions

    @staticmethod
    def _before(doc: Document, i: int) -> str:
        """The Hanzi that end the previous non-blank line when line i opens with a
        parenthesis (`layout` may join the two, across a blank line too)."""
        if i == 0 or not doc.lines[i].lstrip().startswith(("(", "（")):
            return ""
        k = i - 1
        while k > 0 and not doc.lines[k].strip():
            k -= 1
        prev = doc.lines[k].rstrip()
        return prev[-16:] if prev and HAN_RE.match(prev[-1]) else ""

    def apply(self, doc: Document) -> list[Document]:
        candidates = [i for i, line in enumerate(doc.lines) if "(" in line or "（" in line]
        if not candidates:
            return [doc]
        # Toned glosses are counted only up to the threshold: past it, every line is
        # searched again with toneless glosses allowed anyway.
        toned: dict[int, list[tuple[int, int]]] = {}
        count = 0
        allow_toneless = False
        for i in candidates:
            toned[i] = find_annotations(doc.lines[i], before=self._before(doc, i))
            count += len(toned[i])
            if count >= self.options.toneless_min_annotations:
                allow_toneless = True
                break
        for i in candidates:
            line = doc.lines[i]
            spans = (find_annotations(line, True, self._before(doc, i)) if allow_toneless
                     else toned[i])
            if not spans:
                continue
            new, removed = strip_spans(line, spans, allow_toneless)
            before, after, record_spans = window_record(line, new, removal_spans(removed, line))
            doc.replace_line(i, new, filter=self.name, rule=RULE, before=before, after=after,
                             spans=record_spans)
        return [doc]
