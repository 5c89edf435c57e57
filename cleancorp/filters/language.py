"""Remove long blocks written in another script than the document's main one.

The typical case is a machine-translated English block pasted after a Chinese article,
or interleaved with it (each Chinese paragraph followed, or preceded, by its
translation: the translation goes, the Chinese stays). English words, terms, code,
reference lists and short English sentences inside Chinese text stay, and so does
every block of a bilingual document (one that alternates scripts throughout with
paragraphs that are not each other's translation, by length).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions

# Runs of letters of each script we weigh. Kana goes with Han: Japanese text inside a
# Chinese page is not "another script" for this filter's purpose (t2s already refuses
# kana). Runs, not single letters, are matched: `letter_count` adds their lengths,
# which builds a few strings per line instead of one per letter (several times faster).
SCRIPT_RES = {
    "han": regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]+"),
    "latin": regex.compile(r"\p{Latin}+"),
    "cyrillic": regex.compile(r"\p{Cyrillic}+"),
    "hangul": regex.compile(r"\p{Hangul}+"),
    "arabic": regex.compile(r"\p{Arabic}+"),
    "greek": regex.compile(r"\p{Greek}+"),
}
# One Hanzi carries about as much text as three Latin letters (an English word averages
# some five letters, a Chinese word 1.5-2 Hanzi), so Hanzi count three times when the
# main script of a mixed document is decided.
SCRIPT_WEIGHT = {"han": 3}
# A sentence end in any script: "。", "!", "?", or "." before a space or the line end.
SENTENCE_RE = regex.compile(r"[。！？!?]+|\.(?=\s|$)")
# Code-like lines: program punctuation, keywords at line start, shell prompts.
CODE_PUNCT_RE = regex.compile(r"[{}();=<>\[\]_#$\\]")
CODE_START_RE = regex.compile(
    r"^\s*(?:def |class |import |from \S+ import|return\b|function\b|var |let |const |"
    r"#include|public |private |if\s*\(|for\s*\(|while\s*\(|SELECT |INSERT |UPDATE |"
    r"\$ |>>> |// |/\*|\* |<\w+[ >])"
)
FENCE_RE = regex.compile(r"^\s*(?:```|~~~)")
#: A bibliography entry: a number in brackets or with a point, then a year or the
#: marks of a reference (`et al.`, `doi:`, `pp.`, volume and pages `12(3): 45-67`).
CITATION_RE = regex.compile(
    r"^\s*(?:\[\d{1,3}\]|［\d{1,3}］|\d{1,3}[.、)]\s)"
    r".*(?:\b(?:1[89]|20)\d\d\b|\bet al\.|\bdoi:|\bpp\.|\d+\(\d+\)\s*:\s*\d+)"
)

#: A foreign block is long, and removed, from this many characters of its script...
MIN_BLOCK_CHARS = 200
#: ...or this many sentences. Below both, an English quotation or abstract sentence in
#: Chinese text stays. On the web dev corpus its foreign-script blocks (commands, URLs,
#: copyright lines, one English sentence) hold 5-176 characters and at most one sentence,
#: but a 215-character query plan (kept by `FOREIGN_VERSION_SHARE`); it has no pasted
#: translation, so nothing there bounds the two values from above.
MIN_BLOCK_SENTENCES = 3
#: A block belongs to a script when that script holds at least this share of its
#: weighted letters; mixed blocks (Chinese with English terms) are never foreign.
BLOCK_PURITY = 0.8
#: A document with foreign text in this many separate places (runs of blocks
#: separated by main-script text) alternates scripts: it is bilingual and left alone.
BILINGUAL_RUNS = 3
RULE = "foreign-script-block"
#: Foreign blocks go only when together they hold at least this share of the main
#: script's weighted letters: a translation of the page does, an abstract does not (on
#: the web dev corpus, English abstracts of Chinese papers hold 5-15%).
FOREIGN_VERSION_SHARE = 0.3
#: When the page opens in Chinese, Chinese stays the main script unless another carries
#: this many times its weighted letters (otherwise blocks vote): a machine translation appended to a Chinese article is about
#: as long as the article in weighted letters, a Chinese page pasted into an English
#: one is a small part of it.
FIRST_BLOCK_MARGIN = 3


#: Interleaved translation: a foreign paragraph is the translation of the Chinese
#: paragraph beside it when its letters number this many per Hanzi (English runs
#: 2.5-4.5 letters per Hanzi of the same text, by machine or by hand)...
TRANSLATION_RATIO = (1.5, 7.0)
#: ...and both are real paragraphs, not a glossary's term and gloss or a heading
#: (`人工智能` / `Artificial intelligence`): at least this many Hanzi and letters.
TRANSLATION_MIN_HAN = 12
TRANSLATION_MIN_LETTERS = 40
#: On a page that is an interleaved translation, the title's and headings'
#: translations pair from this size (`绿道全线贯通` / `Greenway fully opens`).
TRANSLATION_SHORT_HAN = 4
TRANSLATION_SHORT_LETTERS = 10
#: An interleaved translation has at least this many such pairs...
TRANSLATION_MIN_PAIRS = 2
#: ...and they hold at least this share of the foreign text (an English quotation
#: discussed in Chinese paragraphs pairs with them only by chance).
TRANSLATION_SHARE = 0.6
TRANSLATION_RULE = "interleaved-translation"


def letter_count(script: str, text: str) -> int:
    """Letters of `script` in `text`.

    >>> letter_count("latin", "We use 中文 too"), letter_count("han", "中文abc的")
    (8, 3)
    """
    return sum(map(len, SCRIPT_RES[script].findall(text)))


def script_counts(text: str) -> dict[str, int]:
    """Weighted letter counts per script.

    >>> script_counts("中文abc")
    {'han': 6, 'latin': 3}
    """
    counts: dict[str, int] = {}
    for name in SCRIPT_RES:
        n = letter_count(name, text)
        if n:
            counts[name] = n * SCRIPT_WEIGHT.get(name, 1)
    return counts


def dominant_script(text: str, purity: float = 0.0) -> str | None:
    """The script with most weighted letters (at least `purity` of them), or None.

    >>> dominant_script("视察中，大家一致认为")
    'han'
    >>> dominant_script("We use Python 的 pandas 库。", purity=0.8) is None
    True
    """
    return _dominant(script_counts(text), purity)


def _dominant(counts: dict[str, int], purity: float) -> str | None:
    if not counts:
        return None
    name = max(counts, key=lambda k: (counts[k], k))
    return name if counts[name] >= purity * sum(counts.values()) else None


def main_script(block_scripts: list[str | None],
                block_counts: list[dict[str, int]] | None = None) -> str | None:
    """The document's main script: the script of most blocks, the first one on a tie.

    Blocks, not letters, vote: a pasted English block may hold more letters than the
    Chinese article it follows holds Hanzi, but it is one block against the article's
    title, paragraphs and menus.

    >>> main_script(["han", "han", None, "latin", "han"])
    'han'
    >>> main_script(["latin", "han"])
    'latin'
    """
    votes: dict[str, int] = {}
    for script in block_scripts:
        if script is not None:
            votes[script] = votes.get(script, 0) + 1
    if not votes:
        return None
    if block_counts is not None:
        # The title and first block are the page's own language: it stays the main one
        # unless another script carries several times its text (weighted letters), as
        # a translation appended to the article does not.
        first = next(s for s in block_scripts if s is not None)
        totals: dict[str, int] = {}
        for script, counts in zip(block_scripts, block_counts, strict=True):
            if script is not None:
                totals[script] = totals.get(script, 0) + counts.get(script, 0)
        top = max(totals, key=lambda k: (totals[k], k))
        if first == "han" and totals[first] * FIRST_BLOCK_MARGIN >= totals[top]:
            return first  # a Chinese page's translation may be longer than the page
    best = max(votes.values())
    return next(s for s in block_scripts if s is not None and votes[s] == best)


def is_code_like(line: str) -> bool:
    """True for a line that looks like program code or a shell session.

    >>> is_code_like("for (int i = 0; i < n; i++) { sum += a[i]; }")
    True
    >>> is_code_like("The committee agreed to publish the report.")
    False
    """
    if CODE_START_RE.match(line):
        return True
    stripped = line.strip()
    return bool(stripped) and len(CODE_PUNCT_RE.findall(stripped)) >= max(2, len(stripped) // 25)


def is_citation(line: str) -> bool:
    """True for an entry of a reference list, which stays in any language.

    >>> is_citation("[2] Li Y, Yu R, Shahabi C, et al. Diffusion convolutional recurrent networks. ICLR, 2018.")
    True
    >>> is_citation("1. The committee agreed to publish the report.")
    False
    """
    return CITATION_RE.match(line) is not None


def is_long_block(
    text: str,
    script: str,
    min_chars: int = MIN_BLOCK_CHARS,
    min_sentences: int = MIN_BLOCK_SENTENCES,
) -> bool:
    """True when a block is long enough to be a pasted text rather than a quotation:
    at least 200 characters of its script or 3 sentences.

    >>> is_long_block("It works. It is fast.", "latin")
    False
    >>> is_long_block("One. Two. Three.", "latin")
    True
    """
    letters = letter_count(script, text) if script in SCRIPT_RES else 0
    spaces = text.count(" ") if script != "han" else 0
    return letters + spaces >= min_chars or len(SENTENCE_RE.findall(text)) >= min_sentences


def blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of non-blank lines as (i, j) ranges, fenced code counted as one run each.

    >>> blocks(["a", "b", "", "c"])
    [(0, 2), (3, 4)]
    """
    out: list[tuple[int, int]] = []
    start: int | None = None
    fenced = False
    for i, line in enumerate([*lines, ""]):
        if i < len(lines) and FENCE_RE.match(line):
            fenced = not fenced
        if line.strip() or (fenced and i < len(lines)):
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i))
            start = None
    return out


def split_by_script(lines: list[str], i: int, j: int) -> list[tuple[int, int]]:
    """Cut the block lines[i:j] where the lines' script changes (an English version
    glued to the Chinese article without a blank line); lines of no clear script
    (mixed, numbers, code) stay with the lines before them.

    >>> split_by_script(["中文第一行。", "中文第二行。", "An English line.", "Another one."], 0, 4)
    [(0, 2), (2, 4)]
    """
    if j - i < 2:
        return [(i, j)]
    pieces: list[tuple[int, int]] = []
    start, current = i, None
    for k in range(i, j):
        script = dominant_script(lines[k], BLOCK_PURITY)
        if script is None or FENCE_RE.match(lines[k]):
            continue
        if current is not None and script != current:
            pieces.append((start, k))
            start = k
        current = script
    pieces.append((start, j))
    return pieces


def translation_pairs(scripts: list[str | None], counts: list[dict[str, int]]) -> list[int]:
    """The foreign paragraphs of an interleaved translation: a Chinese page where
    paragraphs in another script stand each beside the Chinese paragraph they
    translate (after it, or before it), judged by length. Returns their indices,
    or [] when the page is not one.

    A paragraph pairs with its neighbour when both are real paragraphs and its
    letters number 1.5-7 per Hanzi (`TRANSLATION_RATIO`); an interleaved
    translation has two pairs or more, and they hold most of the foreign text.
    Blocks of no clear script (code, mixed lines, numbers) are neither, and a
    glossary's term lines are too short to pair.

    >>> zh = {"han": 3 * 30}
    >>> translation_pairs(["han", "han", "latin", "han", "latin"],
    ...                   [{"han": 30}, zh, {"latin": 110}, zh, {"latin": 95}])
    [2, 4]
    >>> translation_pairs(["han", "latin", "han", "latin"],   # three times too long
    ...                   [zh, {"latin": 400}, zh, {"latin": 420}])
    []
    """
    lo, hi = TRANSLATION_RATIO

    def pair(zh: dict[str, int], other: dict[str, int], script: str, min_han: int,
             min_letters: int) -> bool:
        han = zh.get("han", 0) // SCRIPT_WEIGHT["han"]
        letters = other.get(script, 0) // SCRIPT_WEIGHT.get(script, 1)
        return han >= min_han and letters >= min_letters and lo * han <= letters <= hi * han

    def scan(min_han: int, min_letters: int, taken: set[int]) -> list[tuple[int, int]]:
        """(Chinese paragraph, its translation) pairs, left to right."""
        found: list[tuple[int, int]] = []
        k = 0
        while k + 1 < len(scripts):
            a, b = scripts[k], scripts[k + 1]
            if k in taken or k + 1 in taken:
                k += 1
            elif a == "han" and b not in (None, "han") and pair(
                    counts[k], counts[k + 1], b, min_han, min_letters):
                found.append((k, k + 1))
                k += 2
            elif b == "han" and a not in (None, "han") and pair(
                    counts[k + 1], counts[k], a, min_han, min_letters):
                found.append((k + 1, k))
                k += 2
            else:
                k += 1
        return found

    pairs = scan(TRANSLATION_MIN_HAN, TRANSLATION_MIN_LETTERS, set())
    if len(pairs) < TRANSLATION_MIN_PAIRS:
        return []
    foreign = sum(sum(c.values()) for s, c in zip(scripts, counts, strict=True)
                  if s not in (None, "han"))
    paired = sum(sum(counts[f].values()) for _, f in pairs)
    if paired < TRANSLATION_SHARE * foreign:
        return []
    # On a page shown to be one, the title's and headings' translations beside them
    # go too, judged by the same ratio on shorter lines.
    taken = {k for p in pairs for k in p}
    pairs += scan(TRANSLATION_SHORT_HAN, TRANSLATION_SHORT_LETTERS, taken)
    return sorted(f for _, f in pairs)


@dataclass(frozen=True)
class LanguageOptions(FilterOptions):
    """Options of the `language` filter (``[tool.cleancorp.language]``)."""

    #: a foreign block is removed from this many characters of its script (letters and
    #: the spaces between words)...
    min_block_chars: int = MIN_BLOCK_CHARS
    #: ...or this many sentences
    min_block_sentences: int = MIN_BLOCK_SENTENCES


class LanguageFilter(Filter):
    """Remove long blocks in a script other than the document's main one.

    Never removes a mixed block (Chinese with English terms), a code-like block, a
    reference list, a short foreign quotation, or anything in a bilingual document;
    in an interleaved translation (each Chinese paragraph beside its translation)
    the translation goes and the Chinese stays.

    >>> chinese = "视察中，大家一致认为，自主创新是推动发展的第一动力，必须坚持不懈地抓下去。" * 3
    >>> english = "The city will strengthen innovation and cooperation. " * 4
    >>> doc = Document.from_text(chinese + "\\n\\n" + english)
    >>> LanguageFilter().apply(doc)[0].text == chinese + "\\n"
    True
    >>> doc = Document.from_text("我们用 Python 的 pandas 库处理数据。It is fast.")
    >>> LanguageFilter().apply(doc)[0].text == doc.input_lines[0]
    True
    """

    name: ClassVar[str] = "language"
    summary: ClassVar[str] = "remove long blocks in another script than the document's main one"
    Options = LanguageOptions

    def apply(self, doc: Document) -> list[Document]:
        opts: Any = self.options
        runs: list[tuple[int, int, dict[str, int]]] = []
        for i, j in blocks(doc.lines):
            counts = script_counts("\n".join(doc.lines[i:j]))
            # only a mixed block can hide an appended version in another script
            if j - i > 1 and _dominant(counts, BLOCK_PURITY) is None:
                runs.extend((a, b, script_counts("\n".join(doc.lines[a:b])))
                            for a, b in split_by_script(doc.lines, i, j))
            else:
                runs.append((i, j, counts))
        info: list[tuple[int, int, str | None, bool]] = []
        for i, j, counts in runs:
            # code and reference lists are the page's own, whatever their script
            code = FENCE_RE.match(doc.lines[i]) is not None or (
                sum(is_code_like(line) for line in doc.lines[i:j]) * 2 >= j - i
            ) or sum(is_citation(line) for line in doc.lines[i:j]) * 2 >= j - i
            script = None if code else _dominant(counts, BLOCK_PURITY)
            info.append((i, j, script, code))
        weighted = [counts for _, _, counts in runs]
        pairs = translation_pairs([script for _, _, script, _ in info], weighted)
        if pairs:
            for k in reversed(pairs):
                i, j, script, _ = info[k]
                doc.remove_lines(i, j, filter=self.name, rule=TRANSLATION_RULE,
                                 script=script, main_script="han")
            return [doc]
        main = main_script([script for _, _, script, _ in info], weighted)
        if main is None:
            return [doc]
        foreign = [k for k, (_, _, script, _) in enumerate(info) if script not in (None, main)]
        # Separate places of foreign text: a new run starts after a main-script block.
        places, previous = 0, None
        for k in foreign:
            if previous is None or any(info[m][2] == main for m in range(previous + 1, k)):
                places += 1
            previous = k
        if places >= BILINGUAL_RUNS:
            return [doc]
        # An English abstract or quotation in a Chinese paper is a small part of it and
        # stays; a version of the page in another script (a pasted translation, a
        # second site's text) is comparable to the page itself.
        main_total = sum(c.get(main, 0) for c in weighted)
        foreign_total = sum(sum(weighted[k].values()) for k in foreign)
        if foreign_total < FOREIGN_VERSION_SHARE * main_total:
            return [doc]
        doomed: list[tuple[int, int, str]] = []
        for k in foreign:
            i, j, script, _ = info[k]
            text = "\n".join(doc.lines[i:j])
            assert script is not None  # foreign blocks have a script
            if is_long_block(text, script, opts.min_block_chars, opts.min_block_sentences):
                doomed.append((i, j, script))
        for i, j, script in reversed(doomed):
            doc.remove_lines(i, j, filter=self.name, rule=RULE, script=script, main_script=main)
        return [doc]
