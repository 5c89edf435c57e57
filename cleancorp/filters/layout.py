"""The `layout` filter: one paragraph per line, as the text was written.

Scraped and extracted Chinese text arrives hard-wrapped (PDF lines), cut into
preview chunks, with spaces between characters, page numbers, indentation and
blank lines between paragraphs. This module decides, with pure functions,
where a line break or a space is an artefact; the filter applies the decisions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib import resources

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions
from cleancorp.filters.mojibake import LOST_LINE_ENDS
from cleancorp.filters.punctuation import fix_punctuation
from cleancorp.markup import code_lines, front_matter, is_structure

# -- patterns ----------------------------------------------------------------

#: Characters of CJK running text: Han, kana, CJK and full-width punctuation.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef“”‘’"
#: A space an extraction put between two CJK characters (`党委 办公室`), or between
#: Chinese text and a list item that starts with ASCII (`实效性。 (一)整合`, `提升 1、`).
#: An ASCII `, : ; ? ! ( )` touching CJK counts as CJK here: `punctuation` (after
#: this filter) makes it full width, and a second run would then delete the space.
#: The ideographic space U+3000 inside a line is typography (`第一条　为营造`), not an
#: extraction gap, and a number after the space must be a list marker followed by
#: Chinese (`提升 1、加强`), not a version (`升级到 23.x`).
CJK_SPACE_RE = regex.compile(
    rf"(?<=[{_CJK}]|[{_CJK}][,:;?!()])[ \t]+"
    rf"(?=[{_CJK}]|[,:;?!()][{_CJK}]|\([一二三四五六七八九十\d]{{1,3}}\)|\d{{1,3}}[、．](?=\p{{Han}})"
    rf"|\d{{1,3}}\.(?=\p{{Han}}))"
)
#: Whitespace at the start or end of a line (the unicode filter already made NBSP a space).
INDENT_RE = regex.compile(r"^[\s\u3000\u00a0\ufeff]+")
TRAILING_RE = regex.compile(r"[\s\u3000\u00a0\ufeff]+$")
#: ASCII punctuation that stood full-width in the source (`,` between Hanzi was `，`).
NARROW_PUNCT = ",:;?!()"  # counted one by one in `display_width`
#: The start of a list item or a numbered heading: `一、` `1.` `1、` `(1)` `（一）`
#: `第三章` `①` or a bullet. `1.5` is a number, not a list item.
LIST_MARKER_RE = regex.compile(
    r"""^(?:
        [一二三四五六七八九十百零〇]{1,3}\s*[、.．]
      | \d{1,3}\s*(?:[、．]|\.(?!\d)|[)）])
      | [(（]\s*(?:[一二三四五六七八九十]{1,3}|\d{1,3})\s*[)）]
      | 第[一二三四五六七八九十百零〇\d]{1,4}[章节条篇部款回讲课]
      | [①-⑳⑴-⒇⒈-⒛❶-❿]
      | [•●■◆◇▪►▶★☆※]
      | [-*]\s
    )""",
    regex.X,
)
#: The characters a list item, numbered heading or date line can start with.
ITEM_FIRST_CHARS = frozenset(
    "0123456789一二三四五六七八九十百零〇○(（第•●■◆◇▪►▶★☆※-*"
    # circled and parenthesised numbers ①-⑳ ⑴-⒇, dingbat numbers ❶-❿
    + "".join(chr(c) for c in [*range(0x2460, 0x249C), *range(0x2776, 0x2780)])
)
#: A number glued to the Hanzi after it: `2新增...` (a point without separator) or `3家`.
DIGIT_ITEM_RE = regex.compile(r"^\d{1,2}(\p{Han})")
#: A date line: `2011年5月4日`, `二○一一年五月四日`, `2011-05-04`.
DATE_LINE_RE = regex.compile(
    r"^(?:[\d〇○零一二三四五六七八九]{2,4}\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
    r"(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*$"
)
#: Page-number lines: `- 3 -`, `— 17 —`, `第3页 共10页`, `共10页 第3页`, `3/10`, `Page 3 of 10`.
PAGE_LINE_RE = regex.compile(
    r"""^(?:
        [-—–－~～·•]\s*\d{1,4}\s*[-—–－~～·•]
      | 第\s*\d{1,4}\s*页\s*[,，/]?\s*(?:共\s*\d{1,4}\s*页)?
      | 共\s*\d{1,4}\s*页\s*[,，/]?\s*第\s*\d{1,4}\s*页
      | \d{1,4}\s*/\s*\d{1,4}
      | [Pp]age\s+\d{1,4}(?:\s+of\s+\d{1,4})?
    )$""",
    regex.X,
)
#: A line wholly inside brackets: `（西北大学城市与资源学系，陕西西安，710069）`.
BRACKETED_LINE_RE = regex.compile(r"^[(（【\[〔][^()（）【】\[\]〔〕]*[)）】\]〕]$")
#: A bare number line (a page number when it sits inside a cut sentence).
BARE_NUMBER_RE = regex.compile(r"^\d{1,4}$")
#: A page number glued to the end of a line by the extraction: `...工作细致,无 3`.
TRAILING_PAGE_RE = regex.compile(rf"(?<=[{_CJK}]) \d{{1,3}}$")
#: A page number inside a line: `以“项目化”的方 1 式推进` (spaces on both sides).
INLINE_PAGE_RE = regex.compile(r"(?<=(\p{Han})) \d{1,3} (?=(\p{Han}))")
#: A page mark of a scanned book after a sentence: `...的大创建格局。【208】`. The web dev
#: corpus and golden texts hold none; their bracketed numbers (`[1]`, `顶[352]`) never match.
PAGE_MARK_RE = regex.compile(r"(?<=[。！？；!?;”’）)])【\d{1,4}】(?=$|[ \p{Han}“‘（(])")
#: A footnote mark glued before the text of a line: `1刘科伟`, `1本书由...`.
FOOTNOTE_RE = regex.compile(r"^([1-9])(?=(\p{Han}))")
#: The box a PDF tool prints for a glyph it cannot map, before an author line: `□荆州市委办公室`.
PLACEHOLDER_RE = regex.compile(r"^□(?=\p{Han})")
#: A preview-chunk marker: `3、` at the start of a line.
CHUNK_MARKER_RE = regex.compile(r"^(\d{1,2})、")
#: Sentence-final punctuation, with closing quotes or brackets that may follow it, and
#: a reference or page mark after it (`...格局。【208】`, `...实施。[1]`).
SENTENCE_END_RE = regex.compile(
    r"[。！？；…!?;.．:：][”’」』）)》】\]\"']*(?:[【\[［〔][\w\s]{1,8}[】\]］〕])?$"
)
#: Closing brackets and quotes.
CLOSERS = frozenset("）)】]」』”’》〕")
#: Punctuation that says the sentence goes on: `，` `、` or an opening quote or bracket.
CONTINUES_RE = regex.compile(r"[，,、“‘「『（(《【—-]$")
#: Sentence-final punctuation anywhere in a line (a heading has none).
SENTENCE_PUNCT_RE = regex.compile(r"[。！？；…]|(?<=[\p{Han}])[!?;]")
#: Code: a line that ends a block or an ASCII statement (`x = f(a);`, not `...运行;`),
#: or starts with a keyword. Searched on a line's head and tail only (see `_code_shape`).
CODE_LINE_RE = regex.compile(
    r"(?:[{}]|[A-Za-z0-9_)\]\"'];)\s*$|^\s*(?:def|class|return|import|from|if|for|while|"
    r"var|let|const|function|public|private|#include|//)\b"
)
#: A list of terms: short items separated by spaces, no punctuation
#: (`主题词 工作计划 比学赶超创先争优 实施意见`).
TERM_LIST_RE = regex.compile(
    r"^(?:[^\s\p{P}]{1,8}[:：]\s*)?[^\s\p{P}]{1,12}(?:[ \u3000]+[^\s\p{P}]{1,12}){2,}$"
)
#: A verse line of spaced hemistichs (`床前明月光 疑是地上霜`): its spaces are the poet's
#: when the hemistichs have the same length (`is_verse_line`).
VERSE_LINE_RE = regex.compile(r"^\p{Han}{3,9}[，。！？；、]?(?:[ \u3000]+\p{Han}{3,9}[，。！？；、]?)+$")
HEMISTICH_RE = regex.compile(r"\p{Han}+")
#: At most three Hanzi up to the next mark or the end: a fragment cut from its word
#: (`务效能`, `务效能。使用...`); no heading or paragraph starts that short.
FRAGMENT_RE = regex.compile(r"^\p{Han}{1,3}(?:$|[\p{P}\s])")
HAN_RE = regex.compile(r"\p{Han}")
#: A quotation or bracketed part of a line, whose commas do not make the line a sentence.
QUOTED_RE = regex.compile(r"“[^”]*”|《[^》]*》|[(（][^)）]*[)）]|\"[^\"]*\"")
COMMA_RE = regex.compile(r"[，,]")
ALNUM_END_RE = regex.compile(r"[A-Za-z0-9]$")
ALNUM_START_RE = regex.compile(r"^[A-Za-z0-9]")

# -- thresholds --------------------------------------------------------------

#: A heading or title is at most this wide (40 Hanzi), set on the web dev corpus: its titles
#: and headings are up to 70 columns, product titles and captions 77; its PDF lines are 71-81,
#: so one without a sentence mark is heading-like too (`join_reason` then misses 2 joins).
HEADING_MAX_WIDTH = 80
#: Lines narrower than this (20 Hanzi) are verse or list lines when most lines are:
#: a PDF column narrower than 20 Hanzi is rare, a poem line wider is rare.
VERSE_WIDTH = 40
#: A line is a full visual line when it is at most this many columns short of the
#: typical width. On the web dev corpus's PDF pages wrapped lines end 0-2 columns short of
#: it (or up to 4 past), paragraph ends 6 or more short (those at 6 end a sentence); 6 leaves
#: room for a first line that lost a 2-Hanzi indent (4 columns), plus rounding.
FULL_SLACK = 6
#: Rounds of the steps when a round split lines (see `LayoutFilter.apply`); a split
#: line has no spaces left to split, so the second round is the last in practice.
MAX_ROUNDS = 3
#: The narrowest printed line considered (24 Hanzi): a page, or a column of two, holds
#: more; clean lines of similar length (glossary entries, verse, dialogue) fall below.
MIN_PRINTED_WIDTH = 48
#: The widest printed line considered (100 Hanzi): wider "lines" are paragraphs.
MAX_TYPICAL = 200
#: Spaces between CJK characters inside long lines (outside brackets, where a news lead
#: spaces its credits: `（记者 林可 通讯员 陈默）`) that say a page preview flattened
#: paragraphs: one or two can be the author's or a typo; no clean page of the golden
#: set or the web dev corpus has three.
SPACE_ARTEFACTS_MIN = 3
#: Characters between two page numbers at the least: a printed page of Chinese holds
#: several hundred, two quantities of one paragraph stand closer.
PAGE_MIN_CHARS = 200
#: Cells of a table aligned with runs of spaces or tabs.
COLUMNS_RE = regex.compile(r"\S(?: {2,}|\t)\S")
#: A bracketed part of a line.
BRACKETED_RE = regex.compile(r"[(（][^()（）]*[)）]")


def _load_measure_words() -> frozenset[str]:
    text = resources.files("cleancorp").joinpath("data/layout_measure_words.txt").read_text("utf-8")
    chars: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        chars.update(ch for ch in line if not ch.isspace())
    return frozenset(chars)


#: See `data/layout_measure_words.txt`: a number followed by one of these is content.
MEASURE_WORDS: frozenset[str] = _load_measure_words()
#: Characters after which a number is a quantity (`第 3 章`, `共 5 页`), never a page number.
#: Units after which a leading digit is a date or time, whatever else the document holds.
DATE_UNITS = frozenset("年月日号时分秒")
NUMBER_PREFIXES = frozenset("第共约近达计每逾超占")


# -- pure functions ----------------------------------------------------------


def is_code_shaped(line: str) -> bool:
    """True for a line shaped like code (only its head and tail are looked at).

    >>> is_code_shaped("    return 0"), is_code_shaped("x = f(a);"), is_code_shaped("工作运行;")
    (True, True, False)
    """
    return CODE_LINE_RE.search(line[:12] + "\n" + line[-4:]) is not None


def is_code(lines: list[str]) -> bool:
    """True when a fifth of the lines, and at least two, are shaped like code: then
    indentation is meaning and stays.

    >>> is_code(["def main():", "    print(1)", "    return 0"]), is_code(["正文。", "工作运行;"])
    (True, False)
    """
    text_lines = [line for line in lines if line.strip()]
    code = sum(1 for line in text_lines if is_code_shaped(line))
    return code >= 2 and code * 5 >= len(text_lines)


def display_width(text: str) -> int:
    """Columns `text` takes in a fixed-width layout: Hanzi and full-width signs take two,
    and so does ASCII punctuation, which stood full-width in the extracted layout.

    Computed from the UTF-8 length (three-byte characters are the wide ones) because
    this runs on every line and segment of every document.

    >>> display_width("党委办公室"), display_width("abc"), display_width("近期,我们")
    (10, 3, 10)
    """
    wide = (len(text.encode("utf-8")) + len(text)) >> 1
    if wide == len(text):
        return wide  # ASCII only
    return wide + sum(map(text.count, ",:;?!()"))


def strip_line(line: str) -> str:
    """Remove indentation (spaces, tabs, NBSP, U+3000) and trailing spaces.

    >>> strip_line("\\u3000\\u3000为贯彻落实市委精神。 ")
    '为贯彻落实市委精神。'
    """
    return TRAILING_RE.sub("", INDENT_RE.sub("", line))


def is_page_number_line(line: str) -> bool:
    """True for a line that is only a page number.

    >>> [is_page_number_line(s) for s in ("- 3 -", "— 17 —", "第3页 共10页", "3/10", "· 311 ·")]
    [True, True, True, True, True]
    >>> is_page_number_line("第3章 总则"), is_page_number_line("2011年5月4日")
    (False, False)
    """
    return len(line) <= 24 and PAGE_LINE_RE.match(line.strip()) is not None


def starts_item(line: str) -> bool:
    """True when `line` starts a list item, a numbered heading or a date line: such a
    line is never joined to the line before it.

    >>> [starts_item(s) for s in ("一、主要经验", "1.建立体系", "(3)以中小企业", "（一）整合")]
    [True, True, True, True]
    >>> starts_item("1.5倍于去年"), starts_item("二○一一年五月四日"), starts_item("题的评论")
    (False, True, False)
    >>> starts_item("2新增国家级高新技术企业3家"), starts_item("3家企业")
    (True, False)
    """
    if line[:1] not in ITEM_FIRST_CHARS:
        return False  # most lines, decided without a regex
    if LIST_MARKER_RE.match(line) or DATE_LINE_RE.match(line):
        return True
    # `2新增国家级...`: a point whose separator was lost; `3家企业` is a quantity.
    m = DIGIT_ITEM_RE.match(line)
    return m is not None and m.group(1) not in MEASURE_WORDS


def ends_sentence(line: str) -> bool:
    """True when `line` ends a sentence (or introduces what follows, with a colon).

    >>> ends_sentence("落实情况。"), ends_sentence("“五个转变”。”"), ends_sentence("各位副主任:")
    (True, True, True)
    >>> ends_sentence("每周五提前向"), ends_sentence("使命光荣，"), ends_sentence("的大创建格局。【208】")
    (False, False, True)
    """
    # The pattern is anchored at the end; searching a short tail keeps it linear.
    return SENTENCE_END_RE.search(line[-24:]) is not None


def is_heading_like(line: str, comma_ends: bool = False) -> bool:
    """True for a title, heading, author or date line: short, no sentence inside, and
    not ending in a mark that says the sentence goes on.

    Titles may hold a comma (`充分发挥科技人才作用，积极创建全国科技进步先进市`); with
    `comma_ends`, a comma outside quotes and brackets makes a sentence instead, except
    in a numbered heading: inside one line, a phrase before a space is more likely a
    sentence start than a title.

    >>> is_heading_like("一、加强领导和宣传,营造开展大讨论活动的良好氛围")
    True
    >>> is_heading_like("荆州市委办公室"), is_heading_like("作为党委核心部门。但")
    (True, False)
    >>> is_heading_like("题的评论和建议、外地的经验和作法等需要引起市委领导、")
    False
    >>> is_heading_like("“破解纳税服务难题,提升持续改进指标”大讨论总结", comma_ends=True)
    True
    >>> is_heading_like("我们认为，这个问题"), is_heading_like("我们认为，这个问题", comma_ends=True)
    (True, False)
    """
    # A line is at least as wide as it is long and at most twice: most lines are
    # decided without measuring.
    if len(line) > HEADING_MAX_WIDTH or ends_sentence(line):
        return False
    if 2 * len(line) > HEADING_MAX_WIDTH and display_width(line) > HEADING_MAX_WIDTH:
        return False
    if SENTENCE_PUNCT_RE.search(line) or CONTINUES_RE.search(line[-1:]):
        return False
    if not comma_ends or starts_item(line):
        return True  # `一、加强领导和宣传，营造...氛围` is a heading
    return COMMA_RE.search(QUOTED_RE.sub("", line)) is None


def visual_segments(line: str) -> list[str]:
    """The pieces of a line between spaces that sit between CJK characters: in a PDF
    extraction each such space is where a printed line ended.

    >>> visual_segments("就党委 办公室工作 进行了")
    ['就党委', '办公室工作', '进行了']
    """
    if " " not in line and "\u3000" not in line and "\t" not in line:
        return [line]
    return CJK_SPACE_RE.split(line)


def typical_width(lines: list[str]) -> int | None:
    """The printed line width of a hard-wrapped (PDF) text, in columns, or None.

    The width is the most common segment width (give or take two columns) when
    it is wide enough for prose and common enough to be a layout, not chance:
    at least 8 segments and a quarter of all segments of Han text.

    >>> typical_width(["各位市委常委秘书发出通知单征求下周常委会议题,收集"] * 8)
    50
    >>> typical_width(["短句。"] * 20) is None
    True
    """
    # Segments longer than MAX_TYPICAL columns are counted but not measured: a
    # segment is at least as wide as it is long, so they cannot be in the band.
    widths: list[int] = []
    cut: Counter[int] = Counter()  # width -> segments of that width that end mid-sentence
    total = 0
    for line in lines:
        if HAN_RE.search(line) is None or COLUMNS_RE.search(line):
            continue  # a table row aligned in columns is no printed line of prose
        for seg in visual_segments(line):
            total += 1
            if len(seg) <= MAX_TYPICAL:
                width = display_width(seg)
                widths.append(width)
                if not ends_sentence(seg):
                    cut[width] += 1
    if not widths:
        return None
    counts = Counter(widths)
    best, best_count = 0, 0
    for w in counts:
        if w < MIN_PRINTED_WIDTH or w > MAX_TYPICAL:
            continue
        n = sum(counts.get(w + d, 0) for d in (-2, -1, 0, 1, 2))
        if n > best_count or (n == best_count and w > best):
            best, best_count = w, n
    # Set on the web dev corpus: its PDF pages have 8-18 segments in the band, 37-43% of
    # all (22%, missed, where a space-separated table adds cells); no other page or golden
    # text has over 7.
    if best_count < 8 or best_count * 4 < total:
        return None
    # Printed lines end where the margin falls, mostly inside a sentence; lines of one
    # width that end their sentences are a clean text's similar lines (a glossary).
    if 2 * sum(cut.get(best + d, 0) for d in (-2, -1, 0, 1, 2)) < best_count:
        return None
    # The mode of a band is its upper edge: most printed lines are full.
    band = [w for w in range(best - 2, best + 3) if counts.get(w)]
    return max(band, key=lambda w: (counts[w], w))


def is_full(width: int, typical: int | None) -> bool:
    """True when a segment this wide fills its last printed line.

    >>> is_full(45, 50), is_full(102, 50), is_full(30, 50), is_full(172, 50), is_full(45, None)
    (True, True, False, False, False)
    """
    if typical is None or width < typical - FULL_SLACK:
        return False
    rest = width % typical
    return rest <= 3 or rest >= typical - FULL_SLACK


def join_reason(
    a: str, b: str, typical: int | None, verse: bool = False, last: str | None = None
) -> str | None:
    """Why line `b` continues line `a` (a rule id), or None when they stay apart.

    `typical` is the printed width of a hard-wrapped text (`typical_width`). A list
    item is never joined to the line before it, but its own continuation is. When
    `a` is already several lines joined, `last` is the last of them as printed: its
    width decides the printed-line test, the joined text decides the rest (so a
    second run, which sees the joined text, decides the same).

    >>> join_reason("武汉市委办公厅秘书处每周五提前向" * 3, "各位市委常委秘书发出通知单", None)
    'hard-wrap'
    >>> join_reason("2、信息工作开拓创新。武汉市委办公厅信息处不断", "解放思想、更新观念", 50)
    'hard-wrap'
    >>> join_reason("一、主要经验", "1、秘书督查工作主动超前。", 50) is None
    True
    >>> join_reason("兄弟城市党委办公室工作的主要经验和体会", "荆州市委办公室", 50) is None
    True
    >>> join_reason("及时向常委会反馈 落实情况。", "孝感市委督查室在加强对省委", 50) is None
    True
    """
    if not a or not b:
        return None
    if typical is None and ends_sentence(a):
        return None  # the common case, decided before any other test
    if HAN_RE.search(a) is None or HAN_RE.search(b) is None:
        return None
    if starts_item(b) or is_page_number_line(b) or is_code_shaped(a):
        return None
    if BRACKETED_LINE_RE.match(a):
        return None  # a whole line in brackets is a unit: `（西北大学城市与资源学系，710069）`
    tail = display_width(visual_segments(a if last is None else last)[-1])
    # A heading that happens to be as wide as a printed line stays alone when it is
    # numbered (`第一篇：...`) or a title follows it.
    heading = is_heading_like(a) and (starts_item(a) or is_heading_like(b))
    if is_full(tail, typical) and not heading:
        # A full printed line goes on; ending at the margin with a full stop (a one- or
        # two-line tail) is also taken for a wrap: on the web dev corpus's PDF pages that
        # is right for one such line and wrong for one (a paragraph end, joined to the next).
        if not ends_sentence(a) or (typical and tail >= typical and tail % typical <= 3
                                    and tail < 3 * typical):
            return "hard-wrap"
        return None
    if verse or ends_sentence(a) or is_heading_like(a):
        return None
    if typical is None and (display_width(a) < VERSE_WIDTH or a[-1] in CLOSERS):
        # with no printed margin in sight, a short line ends where its author ended it,
        # and so does a line closed by a bracket or quote (a caption `（记者某某摄）`)
        return None
    return "hard-wrap"


def glue(a: str, b: str) -> str:
    """Join two pieces of one paragraph: no space in Chinese, one between Latin words.

    >>> glue("每周五提前向", "各位常委"), glue("the", "wrapped line")
    ('每周五提前向各位常委', 'the wrapped line')
    """
    if ALNUM_END_RE.search(a[-1:]) and ALNUM_START_RE.match(b):
        return f"{a} {b}"
    return a + b


def fix_cjk_spaces(line: str, typical: int | None = None) -> str:
    """Delete the spaces an extraction put between CJK characters, or turn them back into
    the line breaks they stood for where a page preview flattened paragraphs into one line.

    Only called on documents that show such artefacts (`has_space_artefacts`): in any
    other text a line is never broken. A space is a flattened paragraph break after a
    full stop, before a list item, and after a heading that a paragraph follows; a space
    of a printed line end, or inside a word, goes. Spaces separating the terms of a list, the hemistichs of a verse line, and spaces
    beside Latin letters and digits stay.

    >>> fix_cjk_spaces("我们赴省内孝感等8个地级城市就党委 办公室工作进行了学习考察", 50)
    '我们赴省内孝感等8个地级城市就党委办公室工作进行了学习考察'
    >>> fix_cjk_spaces("主题词 工作计划 比学赶超创先争优 实施意见")
    '主题词 工作计划 比学赶超创先争优 实施意见'
    >>> fix_cjk_spaces("主题词：消防 培训 通知"), fix_cjk_spaces("床前明月光 疑是地上霜")
    ('主题词：消防 培训 通知', '床前明月光 疑是地上霜')
    >>> fix_cjk_spaces("推进科技创新发展 构建和谐驾校")
    '推进科技创新发展构建和谐驾校'
    >>> print(fix_cjk_spaces("活动扎实进行。 二、狠抓活动载体 在大讨论活动中,我们注重结合科技工作实际。"))
    活动扎实进行。
    二、狠抓活动载体
    在大讨论活动中,我们注重结合科技工作实际。
    >>> fix_cjk_spaces("我们要提升科技服 务效能。使用 Python 3 编程，升级到 23.x 版")
    '我们要提升科技服务效能。使用 Python 3 编程，升级到 23.x 版'
    """
    if CJK_SPACE_RE.search(line) is None or TERM_LIST_RE.match(line):
        return line
    if typical is None and is_verse_line(line):
        return line  # in a hard-wrapped text a space is a printed line end, even here
    parts = CJK_SPACE_RE.split(line)
    widths = [display_width(p) for p in parts]
    rest_width = widths[:]
    for k in range(len(parts) - 2, -1, -1):
        rest_width[k] += rest_width[k + 1]
    out: list[str] = []
    current = parts[0]
    segment_width = widths[0]
    for k in range(1, len(parts)):
        seg = parts[k]
        last_piece = widths[k - 1]
        tiny = FRAGMENT_RE.match(seg) is not None
        if is_full(last_piece, typical) and not starts_item(seg):
            brk = False  # the end of a printed line inside a paragraph
        elif starts_item(seg):
            brk = True
        elif ends_sentence(current):
            brk = True
        elif tiny:
            brk = False  # three Hanzi alone are a word cut in two, not a paragraph
        elif segment_width <= HEADING_MAX_WIDTH and is_heading_like(current, True) and (
            # the rest is short when this is evaluated, so the join is cheap
            rest_width[k] > HEADING_MAX_WIDTH or SENTENCE_PUNCT_RE.search(" ".join(parts[k:]))
        ):
            brk = True
        else:
            brk = False
        if brk:
            out.append(current)
            current, segment_width = seg, widths[k]
        else:
            current, segment_width = current + seg, segment_width + widths[k]
    out.append(current)
    # a piece of a split line starts and ends where a paragraph does: no edge spaces
    return "\n".join(strip_line(piece) for piece in out) if len(out) > 1 else out[0]


def is_verse_line(line: str) -> bool:
    """True for a line of hemistichs of one length separated by spaces.

    >>> is_verse_line("床前明月光 疑是地上霜"), is_verse_line("推进科技创新发展 构建和谐驾校")
    (True, False)
    """
    if VERSE_LINE_RE.match(line) is None:
        return False
    return len({len(h) for h in HEMISTICH_RE.findall(line)}) == 1


def has_space_artefacts(lines: list[str], typical: int | None) -> bool:
    """True when the spaces between CJK characters of this document are extraction
    artefacts: it is hard-wrapped at a printed width, or page previews flattened
    paragraphs into long lines with spaces cut into them. In other text such a space
    is the author's (a term list, a verse line, a name) and stays.

    >>> has_space_artefacts(["就党委 办公室" + "工作进行了学习考察" * 10, "正文 第二个 空格" * 9], None)
    True
    >>> has_space_artefacts(["本报讯（记者 林可 通讯员 陈默）" + "清早六点半，村口热闹起来。" * 8], None)
    False
    >>> has_space_artefacts(["床前明月光 疑是地上霜", "举头望明月 低头思故乡"], None)
    False
    """
    if typical is not None:
        return True
    spaces = 0
    for line in lines:
        if len(line) > HEADING_MAX_WIDTH and (" " in line or "\t" in line):
            # spaces inside brackets separate a credit list, as authors write it
            spaces += len(CJK_SPACE_RE.findall(BRACKETED_RE.sub("", line)))
            if spaces >= SPACE_ARTEFACTS_MIN:
                return True
    return False


def fix_inline_page_numbers(line: str, pages: set[int] | None = None) -> str:
    """Remove page numbers a PDF extraction left between two characters of a word, and
    bracketed page marks after a sentence. With `pages`, only those numbers go.

    >>> fix_inline_page_numbers("以“项目化”的方 1 式推进创建")
    '以“项目化”的方式推进创建'
    >>> fix_inline_page_numbers("形成了大创建格局。【208】")
    '形成了大创建格局。'
    >>> fix_inline_page_numbers("全市共有 3 家企业，第 2 名，见【附件1】")
    '全市共有 3 家企业，第 2 名，见【附件1】'
    """
    if "【" in line:
        line = PAGE_MARK_RE.sub("", line)
    if " " not in line:
        return line

    def _sub(m: regex.Match[str]) -> str:
        if m.group(1) in NUMBER_PREFIXES or m.group(2) in MEASURE_WORDS:
            return m.group()
        if pages is not None and int(m.group().strip()) not in pages:
            return m.group()
        return ""

    return INLINE_PAGE_RE.sub(_sub, line)


def page_sequence(lines: list[str]) -> set[int]:
    """The numbers between two Hanzi (`的方 1 式`) that count up one by one through the
    document (1, 2, 3 …): page numbers a scan or an extraction left inside the text,
    even where nothing else shows an extraction. Quantities in clean text
    (`买 3 双袜子`, `300 至 500 蚊`) do not count up page by page.

    >>> page = "正文。" * 100
    >>> sorted(page_sequence(["以“项目化”的方 1 式推进", page, "特色公益广 2 告打造工程"]))
    [1, 2]
    >>> page_sequence(["跑完喝 2 杯温水", "有人劝我买 3 双袜子"])
    set()
    >>> page_sequence(["一般收 300 至 500 蚊", "买 3 双"])
    set()
    """
    values: list[tuple[int, int]] = []  # (number, position in the text)
    pos = 0
    for line in lines:
        if " " in line:
            for m in INLINE_PAGE_RE.finditer(line):
                if m.group(1) not in NUMBER_PREFIXES and m.group(2) not in MEASURE_WORDS:
                    values.append((int(m.group().strip()), pos + m.start()))
        pos += len(line) + 1
    found: set[int] = set()
    run: list[tuple[int, int]] = []
    for v in [*values, None]:
        # the next page's number comes a page of text later, not a sentence later
        if v is not None and run and v[0] == run[-1][0] + 1 and v[1] - run[-1][1] >= PAGE_MIN_CHARS:
            run.append(v)
            continue
        if len(run) >= 2:
            found.update(n for n, _ in run)
        run = [v] if v is not None else []
    return found


def strip_trailing_page_number(line: str, next_line: str) -> str:
    """Remove a page number glued to the end of a line whose sentence goes on.

    >>> strip_trailing_page_number("工作细致,无 3", "处不体现着认真负责的态度")
    '工作细致,无'
    >>> strip_trailing_page_number("全市共有 3", "家企业")
    '全市共有 3'
    >>> strip_trailing_page_number("我们的目标是 3", "")
    '我们的目标是 3'
    """
    if not next_line or HAN_RE.match(next_line) is None:
        return line
    m = TRAILING_PAGE_RE.search(line, max(0, len(line) - 6))
    if m is None:
        return line
    if next_line[0] in MEASURE_WORDS or starts_item(next_line):
        return line
    head = TRAILING_RE.sub("", line[: m.start()])
    if not head or head[-1] in NUMBER_PREFIXES:
        return line
    return head


def strip_marks(line: str, footnotes: bool) -> str:
    """Remove a missing-glyph box before an author line and, when the document's
    digit-initial lines are footnotes (`footnotes`), the footnote mark.

    >>> strip_marks("□荆州市委办公室", False), strip_marks("1刘科伟", True)
    ('荆州市委办公室', '刘科伟')
    >>> strip_marks("1规模以上工业企业", False), strip_marks("1月5日召开会议", True)
    ('1规模以上工业企业', '1月5日召开会议')
    >>> strip_marks("1本书由王圣学、刘科伟著", True)
    '本书由王圣学、刘科伟著'
    """
    if PLACEHOLDER_RE.match(line) and line.count("□") == 1:
        line = line[1:]
    if footnotes:
        m = FOOTNOTE_RE.match(line)
        # The document's mark also stands before words that could follow a number
        # (`1本书由...`); only a date or time after it says it is a number.
        if m and m.group(2) not in DATE_UNITS:
            line = line[1:]
    return line


def has_footnote_marks(lines: list[str]) -> bool:
    """True when the lines that start with a digit glued to a Hanzi all use the same
    digit: footnote marks (`1刘科伟` ... `1本书由`), not a numbered list (`1规模...`,
    `2新增...`).

    >>> has_footnote_marks(["《陕西城市发展研究》", "1刘科伟", "正文。", "1本书由王圣学著"])
    True
    >>> has_footnote_marks(["1规模以上工业企业", "2新增国家级高新技术企业"])
    False
    """
    digits = set()
    for line in lines:
        m = FOOTNOTE_RE.match(line)
        if m and m.group(2) not in MEASURE_WORDS:
            digits.add(m.group(1))
    return len(digits) == 1


def preview_chunks(lines: list[str]) -> list[int]:
    """Indexes of the lines that start with a preview-chunk marker, or [] if none.

    Document sites show a long text as numbered chunks `1、` `2、` ... cut at fixed
    sizes, so most chunks end in the middle of a word. A run of at least three
    consecutive numbers counts when most chunk ends are such cuts: long lines that
    stop without any punctuation (a real list's items are short or end in one).

    >>> chunks = ["1、" + "开展大讨论活动。" * 20 + "基础。",
    ...           "2、一、加强领导" + "，宣传工具" * 20 + "加强对大讨",
    ...           "3、论活动的宣传" + "，营造氛围" * 20 + "通过狠抓主题讨论",
    ...           "4、会收集意见建议。"]
    >>> preview_chunks(chunks)
    [0, 1, 2, 3]
    >>> preview_chunks(["1、工作目标", "2、工作措施", "3、工作要求"])
    []
    """
    found: list[int] = []
    expect = 1
    for i, line in enumerate(lines):
        m = CHUNK_MARKER_RE.match(line)
        if m and int(m.group(1)) == expect:
            found.append(i)
            expect += 1
        elif m and int(m.group(1)) == 1:
            found, expect = [i], 2
    if len(found) < 3:
        return []
    cuts = 0
    for k in found[1:]:
        before = lines[k - 1]
        if (display_width(before) >= 2 * HEADING_MAX_WIDTH and HAN_RE.search(before[-1:])):
            cuts += 1
    # Most, not all: a chunk boundary may fall between two paragraphs. The web dev corpus
    # has no preview-chunk page: the lines before its `1、` list markers (3-5 items, 19-89
    # columns) are never cut.
    return found if cuts * 2 >= len(found) - 1 else []


def is_verse(lines: list[str]) -> bool:
    """True when most lines are short (a poem, lyrics, a list): nothing is joined.

    >>> is_verse(["静夜思", "李白", "床前明月光，", "疑是地上霜。", "举头望明月，", "低头思故乡。"])
    True
    """
    han_lines = [line for line in lines if HAN_RE.search(line)]
    # Fewer lines say too little: a title, a date and two short paragraphs are not a poem.
    if len(han_lines) < 6:
        return False
    short = sum(
        1 for line in han_lines if len(line) < VERSE_WIDTH and display_width(line) < VERSE_WIDTH
    )
    return short * 10 >= len(han_lines) * 7


#: Lines shaped like code that a run of Han-free lines must hold to be code pasted
#: without a fence (a blog copied from a page that drew its code box with HTML).
CODE_RUN_MIN = 2


def unfenced_code(lines: list[str]) -> set[int]:
    """Indexes of the lines of code pasted without a fence: runs of consecutive
    Han-free lines that hold at least two code-shaped lines and an indented one.

    >>> sorted(unfenced_code(["说明如下。", "total = {}", "for x in xs:", "    total[x] = 1", "完。"]))
    [1, 2, 3]
    >>> sorted(unfenced_code(["    The first paragraph of a quoted letter.", "    Another one."]))
    []
    """
    found: set[int] = set()
    run: list[int] = []
    for i in [*range(len(lines)), None]:
        if i is not None and lines[i].strip() and HAN_RE.search(lines[i]) is None:
            run.append(i)
            continue
        if (any(lines[k][:1] in " \t" for k in run)
                and sum(1 for k in run if is_code_shaped(lines[k])) >= CODE_RUN_MIN):
            found.update(run)
        run = []
    return found


def verse_indented(lines: list[str]) -> set[int]:
    """Indexes of indented lines that are verse: short lines in a block (lines between
    blank lines) of short lines where some are indented and some are not. Paragraph
    indentation indents every paragraph alike; a poem indents some of its lines.

    >>> sorted(verse_indented(["在所有的光都熄灭以后", "\u3000\u3000它还站着", "在所有的路口", "\u3000\u3000它还望着"]))
    [1, 3]
    >>> sorted(verse_indented(["\u3000\u3000第一段。", "\u3000\u3000第二段。"]))
    []
    """
    found: set[int] = set()
    block: list[int] = []
    for i in [*range(len(lines)), None]:
        if i is not None and lines[i].strip():
            # only lines of text count: a page number goes, and the block with it
            if HAN_RE.search(lines[i]) and not is_page_number_line(lines[i]):
                block.append(i)
            continue
        if len(block) >= 2 and all(display_width(lines[k].strip()) < VERSE_WIDTH for k in block):
            indented = [k for k in block if lines[k][:1].isspace()]
            if indented and len(indented) < len(block):
                found.update(indented)
        block = []
    return found


# -- the filter --------------------------------------------------------------


@dataclass(frozen=True)
class LayoutOptions(FilterOptions):
    """Options of `layout`.

    join_lines: join lines that a hard wrap, a PDF page or a preview chunk cut (default true).
    cjk_spaces: delete spaces between CJK characters that are extraction artefacts (default true).
    page_numbers: remove page-number debris (default true).
    """

    join_lines: bool = True
    cjk_spaces: bool = True
    page_numbers: bool = True


class LayoutFilter(Filter):
    """Undo hard wraps, PDF breaks and preview chunks; tidy spaces, page numbers, blank lines.

    Output: one paragraph per line, no indentation, blank lines between paragraphs
    as the author put them (a run of them becomes one). Never joins
    code, verse, list items to the line before them, or headings, signatures and
    dates to their neighbours; keeps spaces between Latin words and between the
    terms of a list.

    >>> doc = Document.from_text(
    ...     "  近期，我们赴孝感、鄂州等8个城市就党委 办公室工作进行了学习考察，重点了解了各 地党委\\n"
    ...     "各地在秘书、督查、接待等工作中的做法，工作细致，无 3\\n"
    ...     "处不体现着认真的态度。\\n\\n\\n- 2 -\\n二、主要体会")
    >>> _ = LayoutFilter().apply(doc)
    >>> print(doc.text)
    近期，我们赴孝感、鄂州等8个城市就党委 办公室工作进行了学习考察，重点了解了各 地党委各地在秘书、督查、接待等工作中的做法，工作细致，无处不体现着认真的态度。
    <BLANKLINE>
    二、主要体会

    (Two spaces in short lines are not enough evidence of an extraction to delete
    them: `has_space_artefacts`.)
    """

    name = "layout"
    summary = "join hard-wrapped lines and preview chunks; drop page numbers, odd spaces, indents"
    Options = LayoutOptions

    def apply(self, doc: Document) -> list[Document]:
        # A line split at a flattened paragraph break is new input for the earlier
        # steps (a page number, a mark at its start); they run again on it so that a
        # second run of the filter finds nothing left to do. Splits are rare (page
        # previews), so the extra round costs nothing on most documents.
        # `fix_punctuation` of line texts, shared by every step and round: the steps
        # look at mostly the same lines, and it is a pure function of the text.
        punctuated: dict[str, str] = {}
        for _ in range(MAX_ROUNDS):
            if not self._round(doc, punctuated):
                break
        return [doc]

    def _round(self, doc: Document, punctuated: dict[str, str]) -> bool:
        """One pass of every step; True when a line was split into paragraphs."""
        opts: LayoutOptions = self.options  # type: ignore[assignment]
        split = False
        self._strip(doc)
        self._marks(doc)
        # Measured once, before any join, on the lines as printed (and as `punctuation`
        # will leave them: a full-width mark is two columns wide). Page-number debris
        # is narrower than any printed width, so its removal below leaves it as it is.
        typical = typical_width(_punctuated(doc.lines, punctuated))
        if opts.page_numbers:
            # A number between two Hanzi (`买 3 双袜子`) or at a line's end (`东城区 12`)
            # is a page number only in an extraction: a printed width, flattened
            # preview chunks, or spaces cut into words say the text is one.
            extracted = (typical is not None or has_space_artefacts(doc.lines, None)
                         or bool(opts.join_lines and preview_chunks(doc.lines)))
            self._page_numbers(doc, extracted)
        # Preview chunks are a page site's flattening: evidence for the spaces too.
        chunked = bool(opts.join_lines and self._preview_chunks(doc))
        if opts.join_lines:
            self._hard_wraps(doc, typical, punctuated)
        # A blank line between paragraphs is the author's (SPEC section 2): it stays,
        # and no line is ever joined across it; only runs of blank lines become one.
        if opts.cjk_spaces:
            split = self._spaces(doc, typical, chunked)
        if opts.page_numbers:
            # a split line may have held a page line (`...第3页 共10页 ...`), a join
            # may have put a page mark after a sentence end
            self._page_lines(doc)
        self._remove_blank_lines(doc, keep_one=True)
        return split

    # Each step walks the lines once and records its edits through the Document.

    def _strip(self, doc: Document) -> None:
        code = is_code(doc.lines)
        blocks = code_lines(doc.lines) | unfenced_code(doc.lines) if not code else ()
        verse = verse_indented(doc.lines)
        for i, line in enumerate(doc.lines):
            if line and (line[0].isspace() or line[-1].isspace() or line[0] == "\ufeff"):
                # indentation is meaning in code and verse, and Markdown nests lists with it
                keep = code or i in blocks or i in verse or (
                    line[0] == " " and is_structure(line.lstrip()))
                new = TRAILING_RE.sub("", line) if keep else strip_line(line)
                doc.replace_line(i, new, filter=self.name, rule="indentation")

    def _page_numbers(self, doc: Document, extracted: bool) -> None:
        pages = None if extracted else page_sequence(doc.lines)
        i = 0
        while i < len(doc.lines):
            line = doc.lines[i]
            if not line:
                i += 1
                continue
            bare = line.isdigit()
            nxt = _neighbour(doc.lines, i, 1) if bare or " " in line else ""
            prev = _neighbour(doc.lines, i, -1) if bare else ""
            if is_page_number_line(line) or (
                extracted and bare and BARE_NUMBER_RE.match(line) and prev and nxt
                and not ends_sentence(prev) and HAN_RE.match(nxt) and not starts_item(nxt)
                and HAN_RE.search(prev[-1:])
            ):
                doc.remove_lines(i, i + 1, filter=self.name, rule="page-number")
                continue
            if not extracted and " " in line:
                new = fix_inline_page_numbers(line, pages) if pages else line
                if nxt and display_width(new) >= VERSE_WIDTH:
                    # a long line cut mid-sentence with a number at its end: a page
                    # break (a short line such as a table row `东城区 12` is not)
                    new = strip_trailing_page_number(new, nxt)
                doc.replace_line(i, new, filter=self.name, rule="page-number")
            elif extracted and (" " in line or "【" in line):
                new = fix_inline_page_numbers(line)
                if nxt:
                    new = strip_trailing_page_number(new, nxt)
                doc.replace_line(i, new, filter=self.name, rule="page-number")
            i += 1

    def _page_lines(self, doc: Document) -> None:
        for i in reversed(range(len(doc.lines))):
            line = doc.lines[i]
            if is_page_number_line(line):
                doc.remove_lines(i, i + 1, filter=self.name, rule="page-number")
            elif "【" in line:
                # a join may have put a page mark after a sentence end
                doc.replace_line(i, PAGE_MARK_RE.sub("", line), filter=self.name,
                                 rule="page-number")

    def _marks(self, doc: Document) -> None:
        footnotes = has_footnote_marks(doc.lines)
        for i, line in enumerate(doc.lines):
            if line[:1] == "□" or (footnotes and line[:1].isdigit()):
                doc.replace_line(i, strip_marks(line, footnotes), filter=self.name,
                                 rule="footnote-mark")

    def _preview_chunks(self, doc: Document) -> bool:
        found = preview_chunks(doc.lines)
        if not found:
            return False
        for i in reversed(found):
            line = doc.lines[i]
            body = strip_line(CHUNK_MARKER_RE.sub("", line, count=1))
            prev = doc.lines[i - 1] if i > 0 else ""
            if i != found[0] and prev and not ends_sentence(prev):
                doc.join_lines(i - 1, i + 1, glue(prev, body), filter=self.name,
                               rule="preview-chunk")
            else:
                doc.replace_line(i, body, filter=self.name, rule="preview-chunk")
        return True

    def _hard_wraps(self, doc: Document, typical: int | None, punctuated: dict[str, str]
                    ) -> None:
        lines = doc.lines
        if not any(HAN_RE.search(line) for line in lines):
            return
        verse = typical is None and is_verse(lines)
        # Lines are judged as `punctuation` (the next filter) will leave them, so that
        # a second run, which sees `和：` where this one saw `和:`, decides the same.
        views = _punctuated(lines, punctuated)
        fixed = _fixed_lines(lines)
        # a line whose end was lost with its bytes (mojibake) ended there: no wrap
        lost = set(doc.meta.get(LOST_LINE_ENDS, ()))
        cut = {k for k in range(len(lines)) if doc.origins[k][1] in lost} if lost else set()
        groups: list[tuple[int, int, str]] = []
        i = 0
        while i < len(lines):
            j, text, view = i + 1, lines[i], views[i]
            while j < len(lines) and i not in fixed and j not in fixed and j - 1 not in cut \
                    and join_reason(view, views[j], typical, verse, views[j - 1]):
                text = glue(text, lines[j])
                view = glue(view, views[j])
                j += 1
            if j - i > 1:
                groups.append((i, j, text))
            i = j
        for i, j, text in reversed(groups):
            doc.join_lines(i, j, text, filter=self.name, rule="hard-wrap")

    def _spaces(self, doc: Document, typical: int | None, chunked: bool) -> bool:
        split = False
        if not chunked and not has_space_artefacts(doc.lines, typical):
            return False
        code = code_lines(doc.lines)
        for i in reversed(range(len(doc.lines))):
            if i in code:
                continue
            line = doc.lines[i]
            if " " in line or "\u3000" in line or "\t" in line:
                new = fix_cjk_spaces(line, typical)
                split = split or "\n" in new
                doc.replace_line(i, new, filter=self.name, rule="cjk-space")
        return split

    def _remove_blank_lines(self, doc: Document, *, keep_one: bool) -> None:
        i = len(doc.lines)
        while i > 0:
            j = i
            while i > 0 and not doc.lines[i - 1]:
                i -= 1
            # lines[i:j] is a run of blank lines (maybe empty)
            at_edge = i == 0 or j == len(doc.lines)
            keep = 1 if keep_one and not at_edge else 0
            if j - i > keep:
                doc.remove_lines(i + keep, j, filter=self.name, rule="blank-lines")
            i -= 1


def _fixed_lines(lines: list[str]) -> set[int]:
    """Lines that are never joined to a neighbour: code, Markdown structure (headings,
    list items, quotes, tables, link and image lines) and front matter."""
    fixed = code_lines(lines)
    fixed.update(range(front_matter(lines)))
    fixed.update(i for i, line in enumerate(lines) if is_structure(line))
    return fixed


def _punctuated(lines: list[str], memo: dict[str, str]) -> list[str]:
    """`fix_punctuation` of each line, through `memo` (line -> result)."""
    out = []
    for line in lines:
        view = memo.get(line)
        if view is None:
            view = memo[line] = fix_punctuation(line)
        out.append(view)
    return out


def _neighbour(lines: list[str], i: int, step: int) -> str:
    """The nearest non-blank line before (step -1) or after (step 1) line i."""
    k = i + step
    while 0 <= k < len(lines):
        if lines[k]:
            return lines[k]
        k += step
    return ""
