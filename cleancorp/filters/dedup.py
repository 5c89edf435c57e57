"""The `dedup` filter: repeated text inside a document and across the corpus.

Within a document (SPEC section 2), after normalisation (NFKC, case-folded,
whitespace and punctuation ignored) a line is removed when it

* repeats an earlier kept line and has at least 20 normalised characters
  (``repeated-line``);
* is a truncated copy of an earlier kept line (a prefix or substring) of at
  least 50 characters (``truncated-copy``);
* is a near repeat of one (edit similarity >= 0.9, at least 50 characters;
  ``near-repeat``);
* is shorter but repeats the title at the top (``repeated-title``) or the line
  right before it (``repeated-line``).

Text that repeats on purpose stays: dialogue, refrains, list items and table
rows repeat only as part of a repeated block of lines, verse keeps its
refrains, and rows that differ in their numbers are not near repeats.

Across the corpus (`corpus_apply`, in the parent, in stable order) a document
is dropped when it equals a kept earlier one (``exact-duplicate``) or when its
MinHash-estimated 5-gram Jaccard similarity with one is >= 0.8
(``near-duplicate``); in the documents that stay, a paragraph of >= 50
characters that repeats a paragraph of a kept earlier document goes
(``repeated-passage``). The workers do the expensive part (normalising,
signing) in `apply`; the parent only looks hashes up.

>>> doc = Document.from_text("高新产业自主创新视察报告\\n高新产业自主创新视察报告\\n视察中，大家一致认为。")
>>> DedupFilter().apply(doc)[0].text
'高新产业自主创新视察报告\\n视察中，大家一致认为。'
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import regex

from cleancorp.dedup_index import CorpusIndex, Entry, minhash, open_index, text_hash
from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions

#: What normalisation ignores: punctuation and every kind of space but the line break.
NOISE_RE = regex.compile(r"[\p{P}\p{Z}\t\x0b\x0c\r\x1c-\x1f\x85]+")


def _build_noise_table() -> np.ndarray:
    """A lookup table over all code points: True where `NOISE_RE` matches. Deleting
    characters through it with numpy runs at ~240 MB/s, the regex at ~35."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[0xD800:0xE000] = 0x41  # lone surrogates cannot be decoded: stand-ins
    everything = codes.tobytes().decode("utf-32-le")
    table = np.zeros(0x110000, dtype=bool)
    for m in NOISE_RE.finditer(everything):
        table[m.start() : m.end()] = True
    return table


#: `NOISE_RE` as a table (built once at import, ~30 ms).
NOISE_TABLE = _build_noise_table()
DIGITS_RE = regex.compile(r"\d+")
#: A list item: 1. 1、 (1) （一） A. ① • - and Chinese ordinals 一、
LIST_ITEM_RE = regex.compile(
    r"^\s*(?:[0-9０-９]{1,3}\s*[.、．)）]|[(（]\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）]"
    r"|[A-Za-zＡ-Ｚ]\s*[.、．)）]|[①-⑳⑴-⒇]|[•·▪●○◆◇■□\-*]|[一二三四五六七八九十]{1,3}\s*、)"
)
#: A table row: cells separated by tabs, bars or wide runs of spaces.
TABLE_CELL_RE = regex.compile(r"\t|[|｜]| {2,}|\u3000{1,}")
#: Dialogue: a quoted utterance, or a speaker's name and a colon (interviews, scripts).
DIALOGUE_RE = regex.compile(r"^\s*(?:[“「『\"‘]|[^\s：:，。]{1,8}[：:]\s*\S)")
#: Running prose: a line ending a sentence.
SENTENCE_END_RE = regex.compile(r"[。！？；…!?;]\s*[”」』\"’）)]?\s*$")

RULE_LINE = "repeated-line"
RULE_TITLE = "repeated-title"
RULE_TRUNCATED = "truncated-copy"
RULE_NEAR = "near-repeat"
RULE_EXACT_DOC = "exact-duplicate"
RULE_NEAR_DOC = "near-duplicate"
RULE_PASSAGE = "repeated-passage"

#: A document is verse (a poem, lyrics) when at least this share of at least 6 lines
#: are short: refrains there are the text, not scraping debris (the layout filter
#: uses the same 70% / 20 Hanzi reading of "verse").
VERSE_SHARE = 0.7
VERSE_LINE_CHARS = 20
#: Candidate pairs of long lines come from an index of hashed n-grams, never from all
#: pairs (a 50 MB list must not stall a worker). n-gram length and winnowing window of that index: any shared run of at least
#: K + W - 1 = 11 characters yields a shared fingerprint, so a truncated copy (>= 50
#: characters) is always found and a near repeat (<= 10% edits) almost always.
GRAM_K = 4
WINDOW_W = 8
#: Earlier lines checked per fingerprint: a fingerprint shared by more lines is
#: template text, and the rarest fingerprints of a line find its true copies.
MAX_POSTINGS = 4
RAREST_FINGERPRINTS = 3


def strip_noise(text: str) -> str:
    """`text` without punctuation and spaces (line breaks kept), through `NOISE_TABLE`.

    >>> strip_noise("你好，世界！ ok\\n再见。")
    '你好世界ok\\n再见'
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes[~NOISE_TABLE[codes]].tobytes().decode("utf-32-le", "surrogatepass")


def normalize_lines(lines: list[str]) -> list[str]:
    """The normalised form of each line: NFKC, case-folded, without whitespace or
    punctuation (done over the whole text at once: C speed, not a Python loop).

    >>> normalize_lines(["XX驾校，在创业的 历程中。", "Ｈｅｌｌｏ, World!"])
    ['xx驾校在创业的历程中', 'helloworld']
    """
    text = strip_noise("\n".join(lines))
    # Punctuation goes first: full-width punctuation is most of what NFKC would
    # change, and text already in NFKC (a quick check) is not rebuilt.
    if not unicodedata.is_normalized("NFKC", text):
        text = strip_noise(unicodedata.normalize("NFKC", text))
    text = text.casefold()
    out = text.split("\n")
    if len(out) != len(lines):  # a character that normalised into a line break
        out = [NOISE_RE.sub("", unicodedata.normalize("NFKC", ln).casefold()).replace("\n", "")
               for ln in lines]
    return out


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (Myers/Hyyrö bit-parallel: one big-int step per character).

    >>> edit_distance("kitten", "sitting"), edit_distance("", "abc"), edit_distance("驾校", "驾校")
    (3, 3, 0)
    """
    if len(a) > len(b):
        a, b = b, a
    m = len(a)
    if m == 0:
        return len(b)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def edit_similarity(a: str, b: str) -> float:
    """1 - edit distance / length of the longer text.

    >>> round(edit_similarity("一二三四五六七八九十", "一二三四五六七八九拾"), 2)
    0.9
    """
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - edit_distance(a, b) / longest


def is_structural(line: str) -> bool:
    """True for a list item, a table row or a line of dialogue: lines that repeat on
    purpose (a questionnaire's options, a timetable's rows, a catchphrase).

    >>> [is_structural(s) for s in ("A. 以上说法都正确", "星期一\\t语文\\t数学", "“你好。”他说。", "今天天气很好。")]
    [True, True, True, False]
    """
    return bool(LIST_ITEM_RE.match(line) or len(TABLE_CELL_RE.findall(line.strip())) >= 2
                or DIALOGUE_RE.match(line))


def is_verse(lines: list[str]) -> bool:
    """True when most lines are short (a poem, lyrics): refrains are the text.

    >>> is_verse(["我爱你中国", "百灵鸟从蓝天飞过", "我爱你中国", "我要把美好的青春献给你", "我爱你中国", "我的母亲"])
    True
    """
    text = [ln for ln in lines if ln.strip()]
    if len(text) < 6:
        return False
    short = sum(1 for ln in text if len(ln.strip()) < VERSE_LINE_CHARS)
    return short >= VERSE_SHARE * len(text)


@dataclass(frozen=True, slots=True)
class Repeat:
    """Line `index` repeats kept line `kept` (indices into the document's lines)."""

    index: int
    kept: int
    rule: str
    similarity: float = 1.0


def _fingerprints(norms: list[str], idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed n-gram fingerprints of the given lines, computed with numpy: the
    unique (line, fingerprint) pairs as two arrays."""
    texts = [norms[i] for i in idx]
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    lens = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
    n = len(codes) - GRAM_K + 1
    empty = np.zeros(0, dtype=np.int64)
    if n < WINDOW_W:
        return empty, empty
    assert WINDOW_W == 8, "the window minimum below is written for W = 8"
    with np.errstate(over="ignore"):
        h = codes[:n].copy()
        for j in range(1, GRAM_K):
            h = h * np.uint64(0x100000001B3) + codes[j : j + n]
        h = h * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    # Minimum over each window of W = 8 hashes by three pairwise halvings (a strided
    # view's min(axis=1) is several times slower).
    windows = h
    for step in (1, 2, 4):
        windows = np.minimum(windows[:-step], windows[step:])
    # Window p is inside its line when p + K + W - 1 <= the line's end.
    count = np.maximum(lens - GRAM_K - WINDOW_W + 2, 0)
    line_of = np.repeat(np.asarray(idx, dtype=np.int64), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    fps = windows[np.repeat(starts, count) + offset].view(np.int64)
    return _unique_pairs(line_of, fps)


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs, sorted by b then a (faster than np.unique(axis=0))."""
    order = np.lexsort((a, b))
    a, b = a[order], b[order]
    keep = np.ones(len(a), dtype=bool)
    keep[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[keep], b[keep]


def _candidates(norms: list[str], idx: list[int]) -> dict[int, list[int]]:
    """For each line of `idx`, earlier lines of `idx` worth comparing with it.

    These are the earlier lines sharing one of its rarest fingerprints (at most
    MAX_POSTINGS per fingerprint), so the work grows with the number of lines,
    never with its square, and unrelated paragraphs are never compared.
    """
    lines, fps = _fingerprints(norms, idx)
    out: dict[int, list[int]] = {}
    if not len(fps):
        return out
    group_start = np.searchsorted(fps, fps, "left")
    group_size = np.searchsorted(fps, fps, "right") - group_start
    # Each line's rarest shared fingerprints (a fingerprint of one line alone says nothing).
    order = np.lexsort((group_size, lines))
    order = order[group_size[order] > 1]
    rank = np.arange(len(order)) - np.searchsorted(lines[order], lines[order], "left")
    chosen = order[rank < RAREST_FINGERPRINTS]
    cand_line, cand_earlier = [], []
    for back in range(1, MAX_POSTINGS + 1):
        prev = chosen - back
        ok = prev >= group_start[chosen]
        cand_line.append(lines[chosen[ok]])
        cand_earlier.append(lines[prev[ok]])
    earlier, line = _unique_pairs(np.concatenate(cand_earlier), np.concatenate(cand_line))
    for k, e in zip(line.tolist(), earlier.tolist(), strict=True):
        out.setdefault(k, []).append(e)
    return out


def find_repeats(lines: list[str], norms: list[str] | None = None, *, min_line_chars: int = 20,
                 min_passage_chars: int = 50, near_similarity: float = 0.9,
                 min_title_chars: int = 6) -> list[Repeat]:
    """The lines of a document that repeat earlier kept ones (SPEC's dedup row).

    >>> lines = ["工作总结", "今年我们完成了全部工作任务，得到了上级领导的充分肯定。",
    ...          "今年我们完成了全部工作任务，得到了上级领导的充分肯定。", "工作总结"]
    >>> [(r.index, r.rule) for r in find_repeats(lines)]
    [(2, 'repeated-line')]
    >>> find_repeats(["问：你好吗？", "答：我很好。", "问：你好吗？"])
    []
    """
    if norms is None:
        norms = normalize_lines(lines)
    units = [i for i, n in enumerate(norms) if n]
    if len(units) < 2:
        return []
    pos = {i: k for k, i in enumerate(units)}
    verse = is_verse(lines)
    counts = Counter(norms[i] for i in units)
    first_seen: dict[str, int] = {}
    removed: set[int] = set()
    repeats: list[Repeat] = []
    title = units[0]
    # A scraper repeats a title once; a title that recurs more often is a refrain
    # (a song called after its chorus), and a list item is no title.
    title_repeatable = counts[norms[title]] == 2 and not is_structural(lines[title])
    in_header = True  # no running prose kept yet: the title may still be repeated

    def block_repeat(i: int, q: int) -> bool:
        # Part of a run of >= 3 consecutive lines repeating an earlier run.
        k, kq = pos[i], pos[q]
        run = [norms[units[k + d]] == norms[units[kq + d]]
               if 0 <= kq + d and k + d < len(units) and kq + d < k + d else False
               for d in (-2, -1, 1, 2)]
        return (run[0] and run[1]) or (run[1] and run[2]) or (run[2] and run[3])

    long_idx = [i for i in units if len(norms[i]) >= near_similarity * min_passage_chars]
    cands = _candidates(norms, long_idx) if len(long_idx) > 1 else {}
    prev_kept: int | None = None
    facts: dict[int, tuple[list[str], Counter[str]]] = {}
    for i in units:
        n = norms[i]
        rep: Repeat | None = None
        q = first_seen.get(n)
        if q is not None and len(n) >= min_line_chars:
            structural = verse or is_structural(lines[i])
            if not structural or q == prev_kept or block_repeat(i, q):
                rep = Repeat(i, q, RULE_LINE)
        elif q is not None and q == prev_kept and not (
                verse and not (i == units[1] and title_repeatable)):
            # In verse a line repeated right away is a refrain, except a title written
            # twice (only twice: with a third copy, removing the second would make the
            # third a new "title repeat" on the next run).
            rep = Repeat(i, q, RULE_LINE)
        elif q == title and in_header and title_repeatable and len(n) >= min_title_chars:
            rep = Repeat(i, q, RULE_TITLE)
        if rep is None and q is None and len(n) >= min_passage_chars:
            rep = _long_repeat(i, n, norms, cands.get(i, ()), removed, near_similarity, facts)
        if rep is not None:
            repeats.append(rep)
            removed.add(i)
            continue
        first_seen.setdefault(n, i)
        prev_kept = i
        if i != title and (len(n) >= min_passage_chars or SENTENCE_END_RE.search(lines[i])):
            in_header = False
    return repeats


def _long_repeat(i: int, n: str, norms: list[str], cands: Any, removed: set[int],
                 near_similarity: float, facts: dict[int, tuple[list[str], Counter[str]]]
                 ) -> Repeat | None:
    """A truncated copy or a near repeat of an earlier kept long line, if any.

    `facts` caches each line's numbers and character bag across calls.
    """

    def fact(k: int) -> tuple[list[str], Counter[str]]:
        if k not in facts:
            facts[k] = (DIGITS_RE.findall(norms[k]), Counter(norms[k]))
        return facts[k]

    best: Repeat | None = None
    for j in cands:
        if j in removed:
            continue
        m = norms[j]
        if len(m) > len(n) and n in m:
            return Repeat(i, j, RULE_TRUNCATED)
        # Edit similarity s >= t bounds the length ratio by t: skip the rest cheaply.
        if min(len(m), len(n)) < near_similarity * max(len(m), len(n)):
            continue
        (digits_n, bag_n), (digits_m, bag_m) = fact(i), fact(j)
        # Rows that differ in their numbers (a table, dated entries) are not repeats.
        if digits_m != digits_n:
            continue
        # The bag distance (characters one line has and the other lacks) bounds the
        # edit distance from below and costs a tenth of computing it.
        budget = (1.0 - near_similarity) * max(len(m), len(n))
        if max(sum((bag_n - bag_m).values()), sum((bag_m - bag_n).values())) > budget:
            continue
        sim = edit_similarity(n, m)
        if sim >= near_similarity and (best is None or sim > best.similarity):
            best = Repeat(i, j, RULE_NEAR, round(sim, 4))
    return best


@dataclass(frozen=True)
class DedupOptions(FilterOptions):
    """Options of the `dedup` filter (``[tool.cleancorp.dedup]``); defaults are SPEC's."""

    #: drop a document whose estimated 5-gram Jaccard with a kept one is at least this
    near_duplicate_threshold: float = 0.8
    #: a repeated line is removed from this many normalised characters on
    min_line_chars: int = 20
    #: truncated copies, near repeats and repeated passages count from this length
    min_passage_chars: int = 50
    #: edit similarity from which two long lines are near repeats
    near_line_similarity: float = 0.9
    #: a shorter line repeating the title away from it is removed from this length (6
    #: Hanzi: shorter "titles" are refrains and headings such as 前言, 总结)
    min_title_chars: int = 6
    #: MinHash signature size (a power of two): 128 slots estimate a Jaccard of 0.8
    #: within +-0.035 (one standard deviation)
    num_perm: int = 128
    #: LSH bands x rows (<= num_perm): 25 x 5 proposes 99.99% of pairs at 0.8 and 27%
    #: of pairs at 0.5 (all confirmed on the full signature)
    bands: int = 25
    rows: int = 5

    def __post_init__(self) -> None:
        if not 0.0 < self.near_duplicate_threshold <= 1.0:
            raise ValueError("near_duplicate_threshold must be in (0, 1]")
        if not 0.0 < self.near_line_similarity <= 1.0:
            raise ValueError("near_line_similarity must be in (0, 1]")
        if self.num_perm < 2 or self.num_perm & (self.num_perm - 1):
            raise ValueError("num_perm must be a power of two")
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm:
            raise ValueError("bands x rows must be at least 1 and at most num_perm")
        if min(self.min_line_chars, self.min_passage_chars, self.min_title_chars) < 1:
            raise ValueError("character thresholds must be at least 1")


def _remove(doc: Document, i: int, *, filter: str, rule: str, **extra: Any) -> None:
    """Remove line i, and a blank line after it that would double a blank before it."""
    j = i + 1
    if j < len(doc.lines) and not doc.lines[j].strip() and (i == 0 or not doc.lines[i - 1].strip()):
        j += 1
    doc.remove_lines(i, j, filter=filter, rule=rule, **extra)


class DedupFilter(Filter):
    """Remove repeats within a document; drop and trim repeats across the corpus."""

    name: ClassVar[str] = "dedup"
    summary: ClassVar[str] = ("repeated lines within a document; exact/near-duplicate documents "
                              "and repeated passages across the corpus (MinHash + LSH)")
    Options = DedupOptions
    has_corpus_step: ClassVar[bool] = True

    # -- in the workers ---------------------------------------------------------------

    def apply(self, doc: Document) -> list[Document]:
        opts: Any = self.options
        norms = normalize_lines(doc.lines)
        repeats = find_repeats(doc.lines, norms, min_line_chars=opts.min_line_chars,
                               min_passage_chars=opts.min_passage_chars,
                               near_similarity=opts.near_line_similarity,
                               min_title_chars=opts.min_title_chars)
        if repeats:
            for r in reversed(repeats):
                extra: dict[str, Any] = {"duplicate_line": doc.origins[r.kept][0]}
                if r.rule == RULE_NEAR:
                    extra["similarity"] = r.similarity
                _remove(doc, r.index, filter=self.name, rule=r.rule, **extra)
            norms = normalize_lines(doc.lines)
        doc.meta["dedup"] = self._summary(doc, norms)
        return [doc]

    def _summary(self, doc: Document, norms: list[str]) -> dict[str, Any]:
        """What the corpus step needs: hashes and a signature, no text (~0.6 kB)."""
        opts: Any = self.options
        whole = "".join(norms)
        return {
            "lines": len(doc.lines),
            "hash": text_hash(whole),
            "sig": minhash(whole, opts.num_perm),
            "paras": [(text_hash(n), k) for k, n in enumerate(norms)
                      if len(n) >= opts.min_passage_chars],
        }

    # -- in the parent, in stable order ------------------------------------------------

    def open_corpus(self, *, index_path: str | None, check: bool) -> CorpusIndex:
        opts: Any = self.options
        return open_index(index_path, check=check, num_perm=opts.num_perm, bands=opts.bands,
                          rows=opts.rows)

    def corpus_apply(self, doc: Document, state: CorpusIndex) -> list[Document]:
        opts: Any = self.options
        info = doc.meta.pop("dedup", None)
        if info is None or info["lines"] != len(doc.lines):
            info = self._summary(doc, normalize_lines(doc.lines))
        found = state.find_exact(info["hash"], doc.source)
        rule = RULE_EXACT_DOC
        if found is None:
            found = state.find_near(info["sig"], doc.source, opts.near_duplicate_threshold)
            rule = RULE_NEAR_DOC
        if found is not None:
            doc.drop(filter=self.name, rule=rule, duplicate_of=found.uid,
                     similarity=round(found.similarity, 4))
            return []
        removed = False
        for phash, k in reversed(info["paras"]):
            match = state.find_passage(phash, doc.source)
            if match is not None:
                _remove(doc, k, filter=self.name, rule=RULE_PASSAGE, duplicate_of=match.uid,
                        duplicate_line=match.line)
                removed = True
        if removed:
            # Only kept text enters the index: sign what is left (rare, so the parent can).
            info = self._summary(doc, normalize_lines(doc.lines))
        state.add_pending(Entry(
            doc.uid, doc.source, info["hash"], info["sig"],
            [(h, doc.origins[k][0]) for h, k in info["paras"]],
        ))
        return [doc]


__all__ = ["DedupFilter", "DedupOptions", "edit_similarity", "find_repeats", "normalize_lines"]
