"""The `split` filter: cut a compilation file into one document per article.

Document and essay sites sell "five model texts" as one file: each article sits
behind a numbered marker (``第一篇：标题``, ``篇一：``, ``【篇一】``, ``范文1``,
``标题 篇1``) and the title is often repeated on the next line. Each article
becomes its own document: the marker goes, the title stays once. Numbered
sections inside one article (``一、指导思想``, ``第一章``) are not articles, and
``（一）标题`` counts only in a file that announces itself as a compilation.

>>> doc = Document.from_text("第一篇：春天的校园\\n春天的校园\\n校园里开满了花。\\n"
...                          "第二篇：秋天的田野\\n田野里一片金黄。")
>>> [d.text for d in SplitFilter().apply(doc)]
['春天的校园\\n校园里开满了花。', '秋天的田野\\n田野里一片金黄。']
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions

RULE_HEADING = "article-heading"
RULE_REPEATED_TITLE = "repeated-title"
RULE_COMPILATION_TITLE = "compilation-title"


def _load_markers() -> dict[str, Any]:
    text = resources.files("cleancorp").joinpath("data/split_markers.toml").read_text("utf-8")
    return tomllib.loads(text)


_MARKERS = _load_markers()

# Arabic (half or full width) or Chinese numerals; three digits is more articles
# than any compilation holds.
_NUM = r"(?:[0-9０-９]{1,3}|[一二三四五六七八九十百零〇两]{1,4})"
_OPEN = r"[【\[〔［(（]"
_CLOSE = r"[】\]〕］)）]"
_WORDS = "|".join(map(regex.escape, _MARKERS["article_words"]))
_PREFIXES = "|".join(map(regex.escape, _MARKERS["article_word_prefixes"]))
# The marker itself: 第N篇, 篇N, or an article word with its number (范文一).
_CORE = rf"(?:第\s*(?P<n1>{_NUM})\s*篇|篇\s*(?P<n2>{_NUM})|(?:{_PREFIXES})?(?:{_WORDS})\s*(?P<n3>{_NUM}))"
_TAIL_CORE = rf"(?:第\s*(?P<n1>{_NUM})\s*篇|篇\s*(?P<n2>{_NUM}))"

#: A marker at the start of the line, bracketed (``【篇一】标题``) or followed by a
#: colon, a space or the end of the line (``第一篇：标题``, ``第1篇``): "第一篇文章" is prose.
LEADING_HEADING_RE = regex.compile(
    rf"^\s*(?P<marker>(?:{_OPEN}\s*{_CORE}\s*{_CLOSE}\s*[:：]?|{_CORE}(?:\s*[:：、.．]|(?=\s)|$))\s*)"
    rf"(?P<title>.*?)\s*$"
)
#: A marker after the title (``工作总结 篇1``, ``工作总结（篇一）``, ``标题【第1篇】``).
TRAILING_HEADING_RE = regex.compile(
    rf"^\s*(?P<title>\S.*?)(?P<marker>\s*{_OPEN}\s*{_TAIL_CORE}\s*{_CLOSE}|\s+{_TAIL_CORE})\s*$"
)
#: ``（一）标题``: an article only in a file announcing a compilation.
PAREN_HEADING_RE = regex.compile(rf"^\s*(?P<marker>[(（]\s*(?P<n1>{_NUM})\s*[)）]\s*)(?P<title>\S.*?)\s*$")
COMPILATION_CUE_RES = [regex.compile(p) for p in _MARKERS["compilation_cues"]]
#: Characters ignored when two titles are compared (spaces, punctuation, symbols).
TITLE_NOISE_RE = regex.compile(r"[\s\p{P}\p{S}]+")
#: A heading's title never ends like a sentence of running text.
PROSE_END_RE = regex.compile(r"[。；，,;：:]$")

#: A heading line is at most this long (60 characters), set on the web dev corpus: its titles
#: after an article marker are 2-13 characters, its documents' titles up to 52 (95% up to 35)
#: but for a Markdown link; a longer "title" after 第一篇 is a sentence that starts that way.
MAX_TITLE_CHARS = 60
#: A compilation's own title before the first article is at most this many lines
#: (title, subtitle, date); more is a preamble worth keeping as its own document.
MAX_COMPILATION_TITLE_LINES = 3

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def chinese_number(text: str) -> int | None:
    """The value of an article number: Arabic or Chinese numerals up to 999.

    >>> [chinese_number(s) for s in ("3", "１２", "一", "十", "十二", "二十", "二十三", "一百零五", "甲")]
    [3, 12, 1, 10, 12, 20, 23, 105, None]
    """
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total, current = 0, None
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current if current is not None else 1) * 10
            current = None
        elif ch == "百":
            total += (current if current is not None else 1) * 100
            current = None
        else:
            return None
    return total + (current or 0)


@dataclass(frozen=True, slots=True)
class Heading:
    """An article marker found on a line: its style, number, title and marker span."""

    style: str
    number: int
    title: str
    start: int  # the marker is line[start:end]; the rest of the line is the title
    end: int


def is_title_like(text: str, max_chars: int = MAX_TITLE_CHARS) -> bool:
    """True for text that can be a title: short, not ending like running prose.

    >>> is_title_like("兄弟城市高新区创新发展的经验借鉴研究"), is_title_like("我们去了公园。")
    (True, False)
    """
    text = text.strip()
    return 0 < len(text) <= max_chars and not PROSE_END_RE.search(text)


def parse_heading(line: str) -> Heading | None:
    """The article marker of `line`, if it is an article heading.

    >>> h = parse_heading("第一篇：兄弟城市高新区创新发展的经验借鉴研究")
    >>> h.number, h.title, h.style
    (1, '兄弟城市高新区创新发展的经验借鉴研究', 'lead-第篇')
    >>> parse_heading("【篇二】我的家乡").title, parse_heading("范文3").number
    ('我的家乡', 3)
    >>> parse_heading("工作总结 篇2").title
    '工作总结'
    >>> parse_heading("（一）秋天的雨").style
    'paren'
    >>> parse_heading("第一篇文章是他写的。") is None, parse_heading("一、指导思想") is None
    (True, True)
    """
    m = LEADING_HEADING_RE.match(line)
    if m and (not m.group("title") or is_title_like(m.group("title"))):
        kind = "第篇" if m.group("n1") else "篇" if m.group("n2") else "word"
        bracketed = "b" if line.lstrip()[:1] in "【[〔［(（" else ""
        number = chinese_number(m.group("n1") or m.group("n2") or m.group("n3"))
        if number is not None:
            return Heading(f"lead-{kind}{bracketed}", number, m.group("title"),
                           m.start("marker"), m.end("marker"))
    m = TRAILING_HEADING_RE.match(line)
    if m and is_title_like(m.group("title")):
        number = chinese_number(m.group("n1") or m.group("n2"))
        if number is not None:
            kind = "第篇" if m.group("n1") else "篇"
            return Heading(f"trail-{kind}", number, m.group("title"),
                           m.start("marker"), len(line))
    m = PAREN_HEADING_RE.match(line)
    if m and is_title_like(m.group("title"), 40) and "。" not in m.group("title"):
        number = chinese_number(m.group("n1"))
        if number is not None:
            return Heading("paren", number, m.group("title"), m.start("marker"), m.end("marker"))
    return None


def _chain(found: list[tuple[int, Heading]]) -> list[tuple[int, Heading]]:
    """The headings numbered 1, 2, 3 ... (or n, n+1 ...) in file order: a stray
    "第二篇" quoted inside an article breaks no compilation."""
    chain: list[tuple[int, Heading]] = []
    for i, h in found:
        if not chain or h.number == chain[-1][1].number + 1:
            chain.append((i, h))
    return chain


def compilation_count(lines: list[str]) -> tuple[bool, int | None]:
    """Whether these lines (a file's first lines) announce a compilation, and how
    many articles they announce if they say.

    >>> compilation_count(["工作总结范文（精选5篇）"])
    (True, 5)
    >>> compilation_count(["关于开展安全生产检查的通知"])
    (False, None)
    """
    announced, count = False, None
    for line in lines:
        for cue in COMPILATION_CUE_RES:
            m = cue.search(line)
            if m:
                announced = True
                if count is None and m.groupdict().get("count"):
                    count = chinese_number(m.group("count"))
    return announced, count


def find_articles(lines: list[str]) -> list[tuple[int, Heading]]:
    """The heading lines of a compilation's articles (empty when it is not one).

    >>> [i for i, _ in find_articles(["第一篇：甲", "正文。", "第二篇：乙", "正文。"])]
    [0, 2]
    >>> find_articles(["一、指导思想", "正文。", "二、工作目标", "正文。"])
    []
    """
    by_style: dict[str, list[tuple[int, Heading]]] = {}
    for i, line in enumerate(lines):
        if len(line) > MAX_TITLE_CHARS + 12:
            continue
        h = parse_heading(line)
        if h is not None:
            by_style.setdefault(h.style, []).append((i, h))
    best: list[tuple[int, Heading]] = []
    for style, found in sorted(by_style.items()):
        if style == "paren":
            chain = _paren_chain(lines, found)
        else:
            chain = _chain(found)
        if len(chain) >= 2 and len(chain) > len(best):
            best = chain
    return best


def _paren_chain(lines: list[str], found: list[tuple[int, Heading]]) -> list[tuple[int, Heading]]:
    # （一） numbers sections in countless articles: only a file that says it is a
    # compilation splits, only when no number repeats (sections inside the articles
    # would restart at （一）), and when it announces N articles, only on exactly N.
    first = found[0][0]
    head = [line for line in lines[:first] if line.strip()][:MAX_COMPILATION_TITLE_LINES]
    announced, count = compilation_count(head)
    numbers = [h.number for _, h in found]
    if not announced or len(set(numbers)) != len(numbers):
        return []
    chain = _chain(found)
    if chain[0][1].number != 1 or (count is not None and len(chain) != count):
        return []
    return chain


def same_title(a: str, b: str) -> bool:
    """True when two lines are the same title, spacing and punctuation aside.

    >>> same_title("充分发挥科技人才作用，积极创建全国科技进步先进市",
    ...            "充分发挥科技人才作用 积极创建全国科技进步先进市")
    True
    """
    na = TITLE_NOISE_RE.sub("", unicodedata.normalize("NFKC", a).casefold())
    nb = TITLE_NOISE_RE.sub("", unicodedata.normalize("NFKC", b).casefold())
    return bool(na) and na == nb


@dataclass(frozen=True)
class SplitOptions(FilterOptions):
    """Options of the `split` filter (``[tool.cleancorp.split]``; `enabled = false`
    is ``--no-split``). Output sharding (``max_bytes``) belongs to `encode`."""


class SplitFilter(Filter):
    """Split a compilation into its articles; other documents pass unchanged."""

    name: ClassVar[str] = "split"
    summary: ClassVar[str] = "split compilations at article headings (第一篇：, 篇一：, 【篇一】, 范文一)"
    Options = SplitOptions

    def apply(self, doc: Document) -> list[Document]:
        heads = find_articles(doc.lines)
        if not heads:
            return [doc]
        pieces: list[tuple[int, int, Heading | None]] = []
        first = heads[0][0]
        preamble = [k for k in range(first) if doc.lines[k].strip()]
        title_only = len(preamble) <= MAX_COMPILATION_TITLE_LINES and all(
            is_title_like(doc.lines[k]) for k in preamble)
        if preamble and not title_only:
            # A real introduction is text of its own, not part of article 1.
            pieces.append((0, first, None))
        bounds = [i for i, _ in heads] + [len(doc.lines)]
        pieces.extend((i, bounds[n + 1], h) for n, (i, h) in enumerate(heads))
        articles: list[Document] = []
        for n, (i, j, heading) in enumerate(pieces, 1):
            article = doc.slice(i, j, part=n)
            if n == 1:
                article.changes = doc.changes
            line, line_end = doc.span(i, j)
            article.record(filter=self.name, action="split", rule="article",
                           line=line, line_end=line_end, part=n)
            if heading is not None:
                self._strip_heading(article, heading)
            articles.append(article)
        if preamble and title_only:
            line, line_end = doc.span(preamble[0], preamble[-1] + 1)
            articles[0].record(filter=self.name, action="remove", rule=RULE_COMPILATION_TITLE,
                               line=line, line_end=line_end,
                               before=doc.input_text(preamble[0], preamble[-1] + 1))
        return articles

    def _strip_heading(self, article: Document, heading: Heading) -> None:
        """Remove the marker of line 0 and a repeat of the title after it."""
        if not heading.title:
            end = 1
            while end < len(article.lines) and not article.lines[end].strip():
                end += 1
            article.remove_lines(0, end, filter=self.name, rule=RULE_HEADING)
            return
        article.remove_span(0, heading.start, heading.end, filter=self.name, rule=RULE_HEADING)
        if article.lines[0] != article.lines[0].strip():
            article.replace_line(0, article.lines[0].strip(), filter=self.name, rule=RULE_HEADING)
        nxt = 1
        while nxt < len(article.lines) and not article.lines[nxt].strip():
            nxt += 1
        if nxt < len(article.lines) and same_title(article.lines[0], article.lines[nxt]):
            article.remove_lines(1, nxt + 1, filter=self.name, rule=RULE_REPEATED_TITLE)


__all__ = ["SplitFilter", "SplitOptions", "find_articles", "parse_heading", "same_title"]
