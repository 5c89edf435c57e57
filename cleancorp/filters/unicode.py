"""The `unicode` filter: invisible characters, HTML entities, odd spaces, NFC.

It runs after `mojibake` because C1 controls, NBSP and soft hyphens are bytes
of Latin-1/CP1252 mojibake that the repair still needs.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5 as HTML5_ENTITIES

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter

#: Control characters except tab and newline (C0, DEL, C1), e.g. "\x00", "\x85".
CONTROL_RE = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Invisible format characters that extraction leaves behind: zero-width space,
#: joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator, bidi marks.
#: ZWJ (U+200D) stays where it glues emoji, see `drop_invisible`.
INVISIBLE_RE = regex.compile(r"[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]|(?<!\p{Emoji})\u200d|\u200d(?!\p{Emoji})")
#: An HTML entity with its semicolon: `&nbsp;`, `&#x4e2d;`, `&#20013;`. Entities
#: without a semicolon are left alone: `&copy` inside `&copyright` is not one.
ENTITY_RE = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: Non-breaking and typographic spaces. Not the ideographic space U+3000: it is Chinese
#: typography (`第一条　为营造…`) and stays; `layout` strips it only as indentation.
ODD_SPACE_RE = regex.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f]")
#: Line and paragraph separators and the page/vertical feeds that PDF tools emit.
LINE_BREAK_RE = regex.compile(r"[\u2028\u2029\x0b\x0c\x85]")
#: Anything any of the steps below would change, for the fast path.
SUSPECT_RE = regex.compile(
    "|".join(p.pattern for p in (CONTROL_RE, INVISIBLE_RE, ENTITY_RE, ODD_SPACE_RE, LINE_BREAK_RE))
)
#: Every character a `SUSPECT_RE` match can start with (the classes above, ZWJ, `&`).
#: Most lines hold none, which this plain class tells several times faster than
#: `SUSPECT_RE` with its emoji lookarounds.
SUSPECT_START_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # controls, incl. \x85
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e"  # invisible
    "&"  # entities
    "\u00a0\u1680\u2000-\u200a\u202f\u205f"  # odd spaces
    "\u2028\u2029]"  # separators
)


def _suspect(text: str) -> bool:
    """True when some step may change `text` (`SUSPECT_RE` finds something)."""
    return SUSPECT_START_RE.search(text) is not None and SUSPECT_RE.search(text) is not None


def break_lines(line: str) -> str:
    """Turn Unicode line separators and form feeds into ``\\n``.

    >>> break_lines("第一页\\x0c第二页")
    '第一页\\n第二页'
    """
    return LINE_BREAK_RE.sub("\n", line)


def drop_controls(line: str) -> str:
    """Remove control characters other than tab and newline.

    >>> drop_controls("正文\\x07内容\\x9d")
    '正文内容'
    """
    return CONTROL_RE.sub("", line)


def drop_invisible(line: str) -> str:
    """Remove zero-width and other invisible format characters.

    >>> drop_invisible("党\\u200b委\\ufeff办\\u00ad公室")
    '党委办公室'
    >>> drop_invisible("👨\\u200d👩")   # a ZWJ emoji sequence stays
    '👨\\u200d👩'
    """
    return INVISIBLE_RE.sub("", line)


def _unescape(match: regex.Match[str]) -> str:
    entity = match.group()
    if entity[1] != "#" and entity[1:] not in HTML5_ENTITIES:
        return entity  # html.unescape would decode a known prefix: `&copyright;`
    text = html.unescape(entity)
    # An unknown name stays as it was; a decoded control or invisible character
    # would only be removed again, so it is dropped here for one-pass stability.
    return drop_invisible(drop_controls(text))


def decode_entities(line: str) -> str:
    """Decode HTML entities to a fixpoint, so doubly escaped text comes out plain.

    >>> decode_entities("A&amp;lt;B&gt;&nbsp;&#x4e2d;&#25991;")
    'A<B>\\xa0中文'
    >>> decode_entities("&copyright; R&D")   # unknown names stay
    '&copyright; R&D'
    """
    for _ in range(8):  # `&amp;amp;...` nests; 8 levels is far beyond real pages
        new = ENTITY_RE.sub(_unescape, line)
        if new == line:
            break
        line = new
    return line


def normalize_spaces(line: str) -> str:
    """Non-breaking and typographic spaces become a plain space.

    >>> normalize_spaces("\\u3000\\u3000第一条\\u3000正文\\u00a0内容")
    '\\u3000\\u3000第一条\\u3000正文 内容'
    """
    return ODD_SPACE_RE.sub(" ", line)


def normalize_nfc(line: str) -> str:
    """Compose to NFC (decomposed accents and Hangul jamo from some extractors).

    >>> normalize_nfc("cafe\\u0301")
    'café'
    """
    if unicodedata.is_normalized("NFC", line):
        return line
    return unicodedata.normalize("NFC", line)


#: The steps in order with their rule ids. Entities first: they can produce
#: NBSP and composed characters that the later steps then handle.
STEPS = (
    ("html-entity", decode_entities),
    ("line-separator", break_lines),
    ("control-char", drop_controls),
    ("invisible-char", drop_invisible),
    ("odd-space", normalize_spaces),
    ("nfc", normalize_nfc),
)


class UnicodeFilter(Filter):
    """Drop control and zero-width characters, decode HTML entities, plain spaces, NFC.

    Never touches full-width punctuation, curly quotes or CJK characters (NFC,
    unlike NFKC, keeps `，` and `“”`).

    >>> doc = Document.from_text("\\u3000\\u3000第一段&nbsp;正文\\u200b。")
    >>> _ = UnicodeFilter().apply(doc)
    >>> doc.text, [c.rule for c in doc.changes]
    ('\\u3000\\u3000第一段 正文。', ['html-entity', 'invisible-char', 'odd-space'])
    """

    name = "unicode"
    summary = "drop control/zero-width characters, decode HTML entities, odd spaces -> space, NFC"

    def apply(self, doc: Document) -> list[Document]:
        text = doc.text
        nfc = unicodedata.is_normalized("NFC", text)
        if nfc and not _suspect(text):
            return [doc]
        if nfc:
            # Every line of an NFC text is NFC (a line break never composes), so only
            # the lines holding a character a suspect match starts with need a look.
            lines = _lines_with(text, SUSPECT_START_RE)
        else:
            lines = range(len(doc.lines))
        grown = 0  # lines added so far by splits at line separators
        for k in lines:
            i = k + grown
            end = i + 1
            while i < end:  # line k, then the pieces a split made of it
                line = doc.lines[i]
                if _suspect(line) or not unicodedata.is_normalized("NFC", line):
                    before = len(doc.lines)
                    for rule, step in STEPS:
                        doc.replace_line(i, step(doc.lines[i]), filter=self.name, rule=rule)
                    # A line separator split line i: the pieces are handled next.
                    end += len(doc.lines) - before
                    grown += len(doc.lines) - before
                i += 1
        return [doc]


def _lines_with(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the lines of `text` where `pattern` matches, in order, each once."""
    found: list[int] = []
    line = pos = 0
    for m in pattern.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if not found or found[-1] != line:
            found.append(line)
    return found
