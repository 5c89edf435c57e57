"""Drop documents with too little real text left after cleaning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions

# CJK characters of running text: Hanzi and kana (punctuation and digits are not text).
CJK_TEXT_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
# Runs of them: the filter counts run by run and stops once the document has enough.
CJK_RUN_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+")
# A Latin word: two letters at least ("a" and "I" alone are rarely all a page holds).
LATIN_WORD_RE = regex.compile(r"\p{Latin}{2,}(?:['’]\p{Latin}+)?")
RULE = "too-short"


def text_amount(text: str) -> tuple[int, int]:
    """(CJK characters, Latin words) of `text`.

    >>> text_amount("提交评论 0/150")
    (4, 0)
    >>> text_amount("Read more at example.com 更多")
    (2, 5)
    """
    return len(CJK_TEXT_RE.findall(text)), len(LATIN_WORD_RE.findall(text))


def is_too_short(text: str, min_cjk_chars: int = 20, min_latin_words: int = 10) -> bool:
    """True when `text` has fewer than `min_cjk_chars` CJK characters *and* fewer than
    `min_latin_words` Latin words (SPEC section 2 defaults).

    >>> is_too_short("返回首页 联系我们")
    True
    >>> is_too_short("视察中，大家一致认为，建市以来，历届市委、市政府坚持实施科教兴市战略。")
    False
    """
    cjk, words = text_amount(text)
    return cjk < min_cjk_chars and words < min_latin_words


@dataclass(frozen=True)
class LengthOptions(FilterOptions):
    """Options of the `length` filter (``[tool.cleancorp.length]``)."""

    #: a document is kept from this many CJK characters (Hanzi, kana, Hangul)...
    min_cjk_chars: int = 20
    #: ...or this many Latin words; SPEC section 2 defaults: 20 and 10
    min_latin_words: int = 10


class LengthFilter(Filter):
    """Drop a document whose remaining text is too short to be worth keeping.

    >>> doc = Document.from_text("提交评论\\n0/150")
    >>> LengthFilter().apply(doc), doc.changes[0].rule
    ([], 'too-short')
    >>> doc = Document.from_text("视察中，大家一致认为，建市以来，历届市委、市政府坚持实施战略。")
    >>> len(LengthFilter().apply(doc))
    1
    """

    name: ClassVar[str] = "length"
    summary: ClassVar[str] = (
        "drop documents with too little text (< 20 CJK chars and < 10 Latin words)"
    )
    Options = LengthOptions

    def apply(self, doc: Document) -> list[Document]:
        opts: Any = self.options
        text = doc.text
        # Most documents reach the CJK minimum within their first lines: stop counting
        # there (only a drop needs the full counts, for its record).
        cjk = 0
        for m in CJK_RUN_RE.finditer(text):
            cjk += m.end() - m.start()
            if cjk >= opts.min_cjk_chars:
                return [doc]
        words = len(LATIN_WORD_RE.findall(text))
        if cjk < opts.min_cjk_chars and words < opts.min_latin_words:
            doc.drop(filter=self.name, rule=RULE, cjk_chars=cjk, latin_words=words)
            return []
        return [doc]
