"""Fast paths of the filters decide exactly as the plain definitions they replace.

Each test keeps the slow definition next to the fast one and compares them on the
seeds, the fixture pages and synthetic lines; a few also bound the time of inputs
that used to be quadratic.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import regex

from cleancorp.document import Document
from cleancorp.filters import annotations, language, mojibake, punctuation, unicode
from cleancorp.filters.boilerplate import is_prose
from cleancorp.markup import protected_spans
from cleancorp.filters.length import LengthFilter, text_amount
from cleancorp.rules import match_view

ROOT = Path(__file__).resolve().parents[2]
HAN_RE = regex.compile(r"\p{Han}")


def _lines() -> list[str]:
    lines: list[str] = []
    for folder in (ROOT / "seeds", ROOT / "fixtures" / "pages", ROOT / "fixtures" / "clean"):
        for path in sorted(folder.glob("*.txt")):
            lines += path.read_text(encoding="utf-8").split("\n")
    rnd = random.Random(7)
    alphabet = "ab,:;?!() \x80\xe4\xbd\xa0€’中文關於(guān)（zhōng）&nbsp;\u3000\u200b\xa0é"
    lines += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
              for _ in range(3000)]
    return lines


LINES = _lines()


def test_latin_run_finders_equal_the_plain_patterns() -> None:
    for line in LINES:
        for plain, fast in ((mojibake.LATIN_RUN_RE, mojibake.LATIN_RUN_FIND_RE),
                            (mojibake.LATIN_RUN3_RE, mojibake.LATIN_RUN3_FIND_RE)):
            assert [m.span() for m in fast.finditer(line)] == \
                [m.span() for m in plain.finditer(line)], line


def test_long_english_line_is_linear() -> None:
    line = "The city will strengthen innovation and cooperation, " * 400  # 21,200 chars
    start = time.perf_counter()
    assert mojibake.fix_mojibake(line) == line
    assert time.perf_counter() - start < 1.0  # was 5 s: quadratic in the line length


def slow_fix_punctuation_marks(line: str) -> str:
    """The fast path as it was: `regex` lookarounds, repeated to a fixpoint."""
    cjk = punctuation._CJK
    mark_re = regex.compile(rf"(?<=[{cjk}])[,:;?!]|[,:;?!](?=[{cjk}])")
    prev = None
    while prev != line:
        prev = line
        line = mark_re.sub(lambda m: punctuation.FULL_WIDTH[m.group()], line)
        if "(" in line or ")" in line:
            chars = list(line)
            brackets = [m.start() for m in punctuation.BRACKET_RE.finditer(line)]
            if punctuation._fix_brackets(chars, brackets):
                line = "".join(chars)
    return line


def test_fix_punctuation_fast_path_unchanged() -> None:
    for line in LINES:
        if protected_spans(line) or not punctuation.CANDIDATE_RE.search(
                line) or punctuation.is_code_line(line):
            continue
        assert punctuation.fix_punctuation(line) == slow_fix_punctuation_marks(line), line


def test_letter_counts_by_runs_equal_counts_by_letter() -> None:
    singles = {name: regex.compile(pattern.pattern.rstrip("+"))
               for name, pattern in language.SCRIPT_RES.items()}
    for line in LINES:
        for name, single in singles.items():
            assert language.letter_count(name, line) == len(single.findall(line))


def test_prose_thresholds_by_early_match() -> None:
    for line in LINES:
        view = match_view(line)
        han = len(HAN_RE.findall(view))
        assert (bool(is_prose(view))) == _slow_is_prose(view, han), view


def _slow_is_prose(view: str, han: int) -> bool:
    from cleancorp.filters import boilerplate as b

    keywords = b.KEYWORD_LIST_RE.match(view) is not None  # `甲,乙,丙`: a meta keywords line
    if han >= b.PROSE_LONG_HAN and not b._is_token_list(view) and not keywords:
        return True
    if b.HEADLINE_RE.match(view):
        return False
    punct = b.SENTENCE_PUNCT_RE.search(view) is not None or (
        len(b.COMMA_RE.findall(view)) >= 2 and not keywords)
    if han >= b.PROSE_MIN_HAN and punct:
        return True
    return len(b.LATIN_WORD_RE.findall(view)) >= b.PROSE_MIN_WORDS and punct


def test_gloss_needs_a_run_of_as_many_hanzi() -> None:
    assert annotations.find_annotations("中國(zhōngguó)很大，國(zhōngguó)") == [(2, 12)]
    assert annotations.find_annotations("a國(zhōngguó)") == []
    assert annotations.find_annotations("國(zhōngguó)") == []  # one Hanzi, two syllables


def test_unicode_precheck_covers_every_suspect_start() -> None:
    for code in range(0x3100):  # every class of SUSPECT_RE lies below U+3100 or is U+FEFF
        ch = chr(code)
        if unicode.SUSPECT_RE.match(ch + "amp;"):
            assert unicode.SUSPECT_START_RE.match(ch), hex(code)
    assert unicode.SUSPECT_START_RE.match("\ufeff")


def test_length_stops_counting_but_records_full_counts() -> None:
    long_doc = Document.from_text("视察中，大家一致认为，建市以来，历届市委、市政府坚持实施战略。" * 50)
    assert LengthFilter().apply(long_doc) == [long_doc]
    short = Document.from_text("提交评论 Read more 0/150")
    assert LengthFilter().apply(short) == []
    cjk, words = text_amount(short.text)
    assert short.changes[0].extra == {"cjk_chars": cjk, "latin_words": words}


def _slow_unicode_apply(doc: Document) -> None:
    """`UnicodeFilter.apply` as it was: every line looked at."""
    import unicodedata

    i = 0
    while i < len(doc.lines):
        line = doc.lines[i]
        if unicode.SUSPECT_RE.search(line) or not unicodedata.is_normalized("NFC", line):
            for rule, step in unicode.STEPS:
                doc.replace_line(i, step(doc.lines[i]), filter="unicode", rule=rule)
        i += 1


def test_unicode_visits_only_suspect_lines_with_the_same_result() -> None:
    rnd = random.Random(11)
    pieces = ["正文", "\u3000", "\u2028", "&#x2028;", "&amp;lt;", "\u200b", "e\u0301",
              "\x0c", "\n", "ok", "👨\u200d👩", "\xa0", "&copyright;", "\ufeff"]
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30))) for _ in range(800)]
    texts += ["\n".join(LINES[:400]), "\n".join(LINES[400:800])]
    for text in texts:
        fast, slow = Document.from_text(text), Document.from_text(text)
        unicode.UnicodeFilter().apply(fast)
        _slow_unicode_apply(slow)
        assert fast.lines == slow.lines, text
        assert fast.origins == slow.origins
        assert [(c.rule, c.line, c.before, c.after) for c in fast.changes] == \
            [(c.rule, c.line, c.before, c.after) for c in slow.changes]
