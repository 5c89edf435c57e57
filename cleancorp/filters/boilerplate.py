"""Remove what is not the document from plain text: menus, bylines, widgets, notices, lists.

Evidence is combined, never a phrase alone: rule patterns (data, `cleancorp/rules`),
structure (runs of short bullet lines, lines of many short tokens), position (the head
and tail zones around the real sentences) and the density of real sentences (a prose
line needs stronger evidence). With corpus steps on, short lines that recur in many
documents of the run are removed as a site's template.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import regex

from cleancorp.document import Document
from cleancorp.filters.base import Filter, FilterOptions
from cleancorp.filters.layout import is_page_number_line
from cleancorp.markup import (
    code_lines,
    front_matter,
    is_link_definition,
    link_share,
    pipe_table_lines,
    text_and_links,
)
from cleancorp.rules import Rule, RuleSet, button_row, load_rules, match_view

# A list mark at the start of a line: "• 美文", "- 2025年项目申请报告", "· 首页".
BULLET_RE = regex.compile(r"^\s*[•●○■▪▫◆◇►▶➤·\-*+»]\s*\S")
# A numbered heading or point: "一、主要做法", "（二）", "3.", "第五章". Never template.
NUMBERED_RE = regex.compile(
    r"^\s*(?:第[一二三四五六七八九十百千零〇\d]+[章节篇条部分回卷]"
    r"|[一二三四五六七八九十]+\s*[、.．]"
    r"|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+(?:\.\d+)*\s*[、.．]|[①-⑳])"
)
# The line ends as a sentence does: "...工作。", "...吗？", "...done." (closing quotes allowed).
SENTENCE_END_RE = regex.compile(r"[。！？；…!?;.．][\"”’」』）)]*$")
# Chinese and Latin sentence punctuation anywhere in a line: evidence of prose.
SENTENCE_PUNCT_RE = regex.compile(r"[。！？；!?;]|[.](?=\s|$)")
COMMA_RE = regex.compile(r"[，,、]")
HAN_RE = regex.compile(r"\p{Han}")
DIGIT_RE = regex.compile(r"\d")
# A lone short question or exclamation ("为什么天空是蓝色的？") is a headline or a list
# entry, not running text: it never anchors the main text.
HEADLINE_RE = regex.compile(r"^[^。！？；!?;，,]{1,24}[？！?!]$")
LATIN_WORD_RE = regex.compile(r"[A-Za-z]{2,}")
WORD_CHAR_RE = regex.compile(r"\w")
WHITESPACE_RE = regex.compile(r"[\s\u00a0\u3000]+")
TOKEN_SEP_RE = regex.compile(r"\s+")
PIPE_SEP_RE = regex.compile(r"\s*[|｜│]\s*")
# A line that is only a link: "https://www.example.com/a/1.html", "www.example.com".
LINK_RE = regex.compile(r"^(?:https?://|www\.)[\w\-./?=&%#:~+]+$")
# Parts of an official document that look like lists of terms or chrome but are content.
PROTECTED_RE = regex.compile(r"^(?:主题词|关键词|关键字|报送|抄送|抄报|印发|分送|附件)\s*[:：\s]")
# An ordered list item: `1. 番茄两个`, `2、`, `3）`.
ORDERED_RE = regex.compile(r"^\s*\d{1,3}\s*(?:[.．、)）](?!\d)|\s)")
# A line that introduces a list of its own ("四、注意事项：", "附件："): the list after it
# is the document's.
LEAD_IN_RE = regex.compile(r"[:：]\s*$")
# A `label：value` line (a credit, a field of a form).
FIELD_RE = regex.compile(r"^[^:：\s]{1,6}[:：]\s*\S")

#: Rule ids of the structural detectors (the pattern rules' ids are in the rules file).
NAV_LIST = "nav-list"
NAV_TOKENS = "nav-tokens"
KEYWORD_SPAM = "keyword-spam"
LINK_LINE = "link-line"
TEMPLATE_LINE = "template-line"
RUNNING_HEADER = "running-header"
REPEATED_LINE = "repeated-line"
COUNTER_LINE = "counter-line"
COMMENT_SECTION = "comment-section"
TOC = "toc"
SEO_LINE = "seo-line"
LINK_LIST = "link-list"
IMAGE_WIDGET = "image-widget"
FRONT_MATTER = "front-matter"
BUTTON_ROW = "button-row"
PAGE_TITLE = "page-title"
QUESTION_LIST = "question-list"
EDGE_RUN = "edge-run"
STRUCTURAL = frozenset({BUTTON_ROW, NAV_LIST, NAV_TOKENS, KEYWORD_SPAM, LINK_LINE, LINK_LIST, IMAGE_WIDGET,
                        RUNNING_HEADER, SEO_LINE, TOC, COMMENT_SECTION, COUNTER_LINE, QUESTION_LIST})

# A real sentence line holds at least this many Hanzi along with sentence punctuation
# (web dev corpus: 91% of the kept sentence lines do; the rest are dialogue turns such as
# “嗯。”, which no rule touches). Prose is an anchor and a penalty, not a verdict.
PROSE_MIN_HAN = 8
# ...or this many Latin words with sentence punctuation (a short English sentence).
PROSE_MIN_WORDS = 8
# A line of this many Hanzi is prose even without punctuation (web dev corpus: no
# unpunctuated chrome line holds more than 38; PDF lines cut mid-sentence hold 25-48).
PROSE_LONG_HAN = 40
# A menu item or list entry of a navigation run has at most this many characters (web
# dev corpus: menu items 2-8, widget lists 6-12; related-article titles are longer and
# are caught by their list's header instead).
NAV_ITEM_MAX = 20
# Bullet runs shorter than this are ordinary short lists (two alternatives, a pair).
NAV_RUN_MIN = 3
# Unmarked runs of very short lines (menus extracted one item per line) need more items,
# since a document's own short lines (title, author, date) come in twos and threes.
PLAIN_RUN_MIN = 5
PLAIN_ITEM_MAX = 6
# A token line has at least this many tokens (the web dev corpus's nav bars have 5-15;
# a document's own subject-word lines have 3-4), each at most TOKEN_MAX characters.
TOKEN_LINE_MIN = 5
TOKEN_MAX = 12
# A short menu bar (`百度首页 登录 注册`, `看贴 图片 精品 视频`): three or four words, each of
# at most four characters (web dev corpus: longer words are product titles such as
# `桐木关正山小种 传统松烟工艺 2024年春茶` as often as footer rows).
SHORT_MENU_MIN = 3
SHORT_MENU_WORD = 4
CAPS_WORD_RE = regex.compile(r"^[A-Z][A-Z0-9]{1,3}$")
# A token line of this many tokens is named keyword spam rather than a menu (the two
# weigh the same; web dev corpus: nav bars 5-15 tokens, keyword lists 10-40).
SPAM_MIN_TOKENS = 10
# Pipe-separated links: "首页 | 关于我们 | 联系我们" has 3 separators at least.
PIPE_MIN_TOKENS = 3
# Lines up to this length may be template lines. Longer repeated paragraphs are
# cross-document dedup's business (SPEC: >= 50 characters), so the two never compete.
TEMPLATE_MAX_CHARS = 49
# "At least N Hanzi", answered by a match that stops at the N-th one: a paragraph is
# not scanned to its end to count Hanzi beyond the thresholds.
PROSE_LONG_RE = regex.compile(rf"(?:\P{{Han}}*+\p{{Han}}){{{PROSE_LONG_HAN}}}")
PROSE_MIN_RE = regex.compile(rf"(?:\P{{Han}}*+\p{{Han}}){{{PROSE_MIN_HAN}}}")
# The view of a line that is only Markdown markup, with no text to read.
MARKUP_ONLY = "[link]"
# A line is a link line when at least this share of its visible characters is link text
# or addresses (set on the web dev corpus: menu, related-list and footer lines are 0.8-1.0,
# article sentences with an inline link 0.05-0.4).
LINK_SHARE_MIN = 0.6
# Consecutive link lines (blank lines between allowed) from this many on are a link list
# (a menu, a related list), evidence enough on their own unless a lead-in introduces them.
LINK_RUN_MIN = 2
# A line needs this much evidence to go (see the rules file header for the weights).
REMOVE_SCORE = 2
#: Weak clues of one rule on this many lines in a row make a widget (set on the web
#: corpus: a Q&A page's doctor card is three lines; two weak lines in a row are common
#: in text, a signature and its date).
WEAK_RUN_MIN = 3
# Template keys are remembered per filter instance (lines recur across a site's pages:
# that is what templates are); the memo is emptied when it holds this many lines.
KEY_MEMO_MAX = 100_000


#: Phrases joined by bare ASCII commas and nothing else (`羽绒服怎么选,羽绒服品牌排行,
#: 羽绒服清洗`): a page's meta keywords, not clauses of a sentence (which has its
#: sentence punctuation, or spaces, or full-width commas).
KEYWORD_LIST_RE = regex.compile(r"^[^,，、\s。！？；!?;]{2,16}(?:,[^,，、\s。！？；!?;]{2,16}){2,}$")


def _is_keyword_list(view: str) -> bool:
    return "," in view and KEYWORD_LIST_RE.match(view) is not None


def is_prose(view: str) -> bool:
    """True for a line of real sentences (Hanzi or Latin words with sentence punctuation,
    or a long run of Hanzi).

    >>> is_prose("视察中,大家一致认为,建市以来,历届市委、市政府坚持实施战略。")
    True
    >>> is_prose("进度: 0/0 (0%)"), is_prose("高新产业自主创新视察报告")
    (False, False)
    >>> is_prose("海水为什么是蓝色的？")
    False
    >>> is_prose("The committee agreed to publish the report next week.")
    True
    >>> is_prose("羽绒服怎么选,羽绒服品牌排行,羽绒服含绒量,羽绒服清洗")
    False
    """
    keywords = _is_keyword_list(view)
    if PROSE_LONG_RE.match(view) and not _is_token_list(view) and not keywords:
        return True
    if HEADLINE_RE.match(view):
        return False
    punct = SENTENCE_PUNCT_RE.search(view) is not None or (
        len(COMMA_RE.findall(view)) >= 2 and not keywords)
    if punct and PROSE_MIN_RE.match(view):
        return True
    return len(LATIN_WORD_RE.findall(view)) >= PROSE_MIN_WORDS and punct


def _is_token_list(view: str) -> bool:
    # Many space-separated short tokens (a keyword list) are not prose however many
    # Hanzi they hold.
    tokens = TOKEN_SEP_RE.split(view.strip())
    return len(tokens) >= TOKEN_LINE_MIN and sorted(map(len, tokens))[len(tokens) // 2] <= TOKEN_MAX


def is_verse(tokens: list[str]) -> bool:
    """Tokens of equal length (4, 5 or 7 Hanzi) are verse, not a menu.

    >>> is_verse(["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"])
    True
    >>> is_verse(["静夜思", "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"])
    True
    >>> is_verse(["首页", "新闻", "体育", "财经"])
    False
    """
    # Three in four lines of one length of 4+ (a title line may differ): verse has a
    # fixed measure, menus mix 2- to 6-character items.
    if not tokens:
        return False
    counts: dict[int, int] = {}
    for t in tokens:
        counts[len(t)] = counts.get(len(t), 0) + 1
    size, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return size >= 4 and n * 4 >= len(tokens) * 3


#: A word of a menu or keyword list: two or more Hanzi (maybe with Latin letters or
#: digits, as in `APP下载`, `限购政策2017`), or a capitalised Latin word. Menus hold no
#: bare numbers, no one-character
#: words and no lower-case Latin words: a line of those is a title, a date, a table row
#: or a command.
MENU_WORD_RE = regex.compile(r"^(?=.*\p{Han}.*\p{Han})[\p{Han}A-Za-z0-9·]+$|^[A-Z][A-Za-z&'-]*$")


def _is_menu_word(token: str) -> bool:
    return MENU_WORD_RE.match(token) is not None


def _has_han(token: str) -> bool:
    # a menu is in one script: `GDP Gross Domestic Product 国内生产总值` is a glossary line
    return HAN_RE.search(token) is not None


#: A counter, price or rating: `收藏 12万`, `有帮助(126)`, `￥59.90`, `好评率98%`, `4.8`.
COUNTER_RE = regex.compile(
    r"[￥¥$€£]\s*[\d,.]+|[\d,.]+\s*[万千kKwW]\+?|[(（]\s*[\d,.]+[万+]*\s*[)）]|\d[\d,.]*\s*%|\d[\d,.]*"
)
COUNTER_LINE_MAX = 40
#: What parts a widget's counters: spaces, colons, `·` and `|` (`1.2万粉丝 · 46视频`).
COUNTER_SEP_RE = regex.compile(r"[：:·|｜]")


def is_counter_line(view: str) -> bool:
    """True for a short line of labels and counters (a widget's numbers): every word
    holds a number, or is a short label beside one, and the numbers outweigh the rest.

    >>> [is_counter_line(s) for s in ("收藏 12万", "有帮助(126)　没帮助(3)", "价格 ￥59.90",
    ...  "店铺评分 描述 4.8 服务 4.9 物流 4.8", "咨询人数：12563　好评率：98%", "1.2万粉丝 · 46视频")]
    [True, True, True, True, True, True]
    >>> [is_counter_line(s) for s in ("鸡蛋 2个", "2024 年 9 月 26 日", "第三章 夜雨", "共 3 人", "学分：3",
    ...  "【有效期】24个月")]
    [False, False, False, False, False, False]
    """
    if len(view) > COUNTER_LINE_MAX or SENTENCE_PUNCT_RE.search(view):
        return False
    counters = COUNTER_RE.findall(view)
    if not counters or (len(counters) == 1 and ("：" in view or ":" in view or "】" in view)):
        return False  # one `key：value` field (学分：3, 【有效期】24个月) is a fact of the document
    rest = COUNTER_SEP_RE.sub(" ", COUNTER_RE.sub(" ", view))
    words = [w for w in TOKEN_SEP_RE.split(rest) if w]
    # labels are words of two to six characters; a one-character word (个, 年, 人)
    # next to a number is a quantity or a date, which is text
    if not words:
        # a bare counter (`184,903`, `1.2万`) under its label: a widget's number
        return len(counters) == 1 and any(c in view for c in ",万Kk")
    if any(len(w) < 2 or len(w) > 6 for w in words):
        return False
    return len(words) <= 2 * len(counters)


#: The home link a site's menu holds and no line of verse does.
HOME_RE = regex.compile(r"首页|主页")


def token_line_rule(view: str) -> str | None:
    """The structural rule of a line made of many short tokens, or None.

    >>> token_line_rule("首页 新闻 体育 财经 娱乐 科技 汽车")
    'nav-tokens'
    >>> token_line_rule("首页 | 关于我们 | 联系我们")
    'nav-tokens'
    >>> token_line_rule("宁波政策 宁波政策平台 宁波房贷政策 社保新政策 二胎政策 "
    ...                 "宁波补贴政策 宁波落户政策 宁波购房政策 宁波限购政策 宁波人才政策")
    'keyword-spam'
    >>> token_line_rule("https://www.example.com/a/20210603/231736.html")
    'link-line'
    >>> token_line_rule("主题词 工作计划 比学赶超创先争优 实施意见") is None
    True
    >>> token_line_rule("床前明月光 疑是地上霜 举头望明月 低头思故乡") is None
    True
    >>> [token_line_rule(s) for s in ("在 Ubuntu 24.04 上使用 Python 3.12", "2024 年 9 月 26 日",
    ...  "陈小雨 112 118 109 339", "GDP Gross Domestic Product 国内生产总值")]
    [None, None, None, None]
    >>> token_line_rule("首页 职位 公司 校园 海外 APP 资讯")
    'nav-tokens'
    >>> token_line_rule("Home News Sports Business About Contact")
    'nav-tokens'
    >>> token_line_rule("|  1 | SIMPLE | t_order | ALL | NULL |") is None
    True
    """
    if not view or PROTECTED_RE.match(view):
        return None
    if LINK_RE.match(view):
        return LINK_LINE
    if SENTENCE_PUNCT_RE.search(view):
        return None
    pipes = [t for t in PIPE_SEP_RE.split(view) if t]
    if view[:1] in "|｜" and view[-1:] in "|｜":
        return None  # a table's row (`| 1 | SIMPLE | t_order |`), not a menu
    if len(pipes) >= PIPE_MIN_TOKENS and all(len(t) <= TOKEN_MAX for t in pipes):
        return NAV_TOKENS
    if "\t" in view:
        return None  # tab-separated cells: a table's row (menus are not tabbed)
    # a bracketed label (`[切换]`, `【登录】`) is a button among the menu's words
    tokens = [t.strip("[]【】") or t for t in TOKEN_SEP_RE.split(view)]
    if len(tokens) < TOKEN_LINE_MIN and not (
        len(tokens) >= SHORT_MENU_MIN and all(len(t) <= SHORT_MENU_WORD for t in tokens)
    ):
        return None
    # a short capitalised word (APP, VIP, LRC) sits among a Chinese menu's words
    han = any(_has_han(t) for t in tokens)
    if not all(_is_menu_word(t) for t in tokens) or len(
            {_has_han(t) or (han and CAPS_WORD_RE.match(t) is not None) for t in tokens}) > 1:
        return None  # a title, a date, a table row, a glossary line, a command
    if len({len(t) for t in tokens}) == 1 and len(tokens[0]) >= 4 and not HOME_RE.search(view):
        # verse with spaces between its lines: "床前明月光 疑是地上霜 ..."; but a menu of
        # four-character items that opens on its home link (`学院首页 学院概况 ...`) is a menu
        return None
    if any(len(t) > 2 * TOKEN_MAX for t in tokens):
        return None
    if sum(len(t) <= TOKEN_MAX for t in tokens) < 0.8 * len(tokens):
        return None
    return KEYWORD_SPAM if len(tokens) >= SPAM_MIN_TOKENS else NAV_TOKENS


def template_key(
    line: str,
    convert: Callable[[str], str] | None = None,
    exempt: Callable[[str], bool] | None = None,
) -> int | None:
    """A stable 64-bit key of a line for corpus template counting, or None when the line
    can never be a template line (blank, longer than 49 characters, a numbered heading,
    ending in sentence punctuation, no word characters, or exempt).

    The key is the BLAKE2b hash of the line without whitespace (after `convert`, the
    t2s converter), so it is the same in every process and run.

    >>> template_key("本站 | 关于我们 | 联系我们") == template_key("本站|关于我们|联系我们")
    True
    >>> template_key("一、主要做法") is None, template_key("特此通知。") is None
    (True, True)
    >>> template_key("") is None, template_key("—— ——") is None
    (True, True)
    """
    text = WHITESPACE_RE.sub("", line)
    if len(text) > TEMPLATE_MAX_CHARS or len(WORD_CHAR_RE.findall(text)) < 2:
        return None
    if convert is not None:
        text = convert(text)
    if NUMBERED_RE.match(text) or SENTENCE_END_RE.search(text):
        return None
    if exempt is not None and exempt(text):
        return None
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class BoilerplateOptions(FilterOptions):
    """Options of the `boilerplate` filter (``[tool.cleancorp.boilerplate]``)."""

    #: user rules files merged on top of the packaged rules (paths)
    extra_rules: tuple[str, ...] = ()
    #: a short line found in at least this many documents of the run is a template line.
    #: An absolute count keeps re-runs stable (a share changes when documents are
    #: dropped). 10: a site's footer is on every page crawled from it, while a short
    #: unnumbered, unpunctuated line of real text (a title, a signature) rarely recurs
    #: verbatim in ten unrelated documents; numbered headings, sentences, dates and
    #: routing lines are excluded whatever their count.
    template_min_docs: int = 10


@dataclass
class _Plan:
    """Decisions for one document, made before any edit (a timeout leaves no half-edit)."""

    remove: dict[int, tuple[str, dict[str, Any]]]
    spans: dict[int, list[tuple[int, int, str]]]


class BoilerplateFilter(Filter):
    """Remove navigation, bylines, widgets, notices and related-lists from extracted text.

    Never touches what is the document even where it looks alike: the title, a
    notice's own date and sign-off, 主题词/报送/抄送 lines, numbered points, short list
    items inside the text, fenced code. Matching uses a t2s-simplified view; the kept
    text is never changed except for spans of spliced ads.

    >>> f = BoilerplateFilter()
    >>> doc = Document.from_text("当前位置：首页 > 新闻 > 正文\\n标题\\n正文第一段，说明情况。\\n"
    ...                          "版权所有 © 2023 某某网")
    >>> f.apply(doc)[0].text
    '标题\\n正文第一段，说明情况。'
    >>> [c.rule for c in doc.changes]
    ['copyright-notice', 'breadcrumb']
    >>> doc = Document.from_text("林风推开门。天才一秒记住本站地址：www.example.com 他摸到了开关。")
    >>> f.apply(doc)[0].text
    '林风推开门。他摸到了开关。'
    """

    name: ClassVar[str] = "boilerplate"
    summary: ClassVar[str] = (
        "remove menus, breadcrumbs, bylines, widgets, notices, related lists and site templates"
    )
    Options = BoilerplateOptions

    def __init__(self, options: FilterOptions | None = None) -> None:
        super().__init__(options)
        #: set by the runner before the second pass: template key -> number of documents
        #: containing it; None when corpus steps are off
        self.template_counts: Mapping[int, int] | None = None

    # -- lazily built helpers ---------------------------------------------------

    def rules(self) -> RuleSet:
        """The effective rules (packaged + `extra_rules`), loaded once per instance."""
        rules = self.__dict__.get("_rules")
        if rules is None:
            opts: Any = self.options
            rules = self._rules = load_rules(tuple(opts.extra_rules))
        return rules

    def to_simplified(self, text: str) -> str:
        """OpenCC t2s of `text`, for matching only."""
        conv = self.__dict__.get("_t2s")
        if conv is None:
            import opencc

            conv = self._t2s = opencc.OpenCC("t2s")
        if text.isascii():
            return text
        return conv.convert(text)

    def simplified_lines(self, lines: list[str]) -> list[str]:
        """`to_simplified` of each line, in one conversion of the whole text (one call
        into OpenCC instead of one per line). OpenCC converts phrase by phrase and no
        phrase holds a line break, so the lines come out as if converted one by one."""
        out = self.to_simplified("\n".join(lines)).split("\n")
        return out if len(out) == len(lines) else [self.to_simplified(t) for t in lines]

    def template_key(self, line: str) -> int | None:
        """`template_key` of `line` with this filter's converter and exemptions, memoised:
        a template line recurs in many documents by definition."""
        if (len(line) > TEMPLATE_MAX_CHARS
                and len(WHITESPACE_RE.sub("", line)) > TEMPLATE_MAX_CHARS):
            # Never a template line; and not memoised: the memo held 100,000 such
            # paragraphs (~70 MB per worker on a corpus of unique pages).
            return None
        memo = self.__dict__.get("_key_memo")
        if memo is None or len(memo) >= KEY_MEMO_MAX:
            memo = self._key_memo = {}
        try:
            return memo[line]
        except KeyError:
            key = memo[line] = template_key(line, self.to_simplified,
                                            self.rules().is_template_exempt)
            return key

    def document_template_keys(self, doc: Document) -> set[int]:
        """The template keys of a document's decoded input lines, each once (the
        runner's first pass, which therefore needs nothing but `decode`)."""
        keys = (self.template_key(line) for line in doc.input_lines)
        return {k for k in keys if k is not None}

    # -- the filter -----------------------------------------------------------

    def apply(self, doc: Document) -> list[Document]:
        plan = self.plan(doc)
        for i in sorted(plan.spans, reverse=True):
            for start, end, rule in sorted(plan.spans[i], reverse=True):
                doc.remove_span(i, start, end, filter=self.name, rule=rule)
        for i, j, rule, extra in reversed(_groups(doc.lines, plan.remove)):
            doc.remove_lines(i, j, filter=self.name, rule=rule, **extra)
        return [doc]

    def plan(self, doc: Document) -> _Plan:
        """Every decision for `doc`; raises `InputError` (rule timeout) before any edit."""
        rules = self.rules()
        opts: Any = self.options
        n = len(doc.lines)
        # fenced code is content, whatever it contains
        code = code_lines(doc.lines, indented=False)
        # a link reference definition goes with the links that use it: never alone
        code.update(i for i, line in enumerate(doc.lines) if line[:1] in " [" and
                    is_link_definition(line))
        remove: dict[int, tuple[str, dict[str, Any]]] = {}
        spans: dict[int, list[tuple[int, int, str]]] = {}
        views: list[str] = []
        #: line -> (link share, images) for lines with links or images
        links: dict[int, tuple[float, int]] = {}
        flats = [line.replace("\xa0", " ") for line in doc.lines]
        simples = self.simplified_lines(flats)
        # one scan of the page decides whether any line can hold an ad span
        any_spans = rules.may_have_spans("\n".join(simples)) or rules.may_have_spans(
            "\n".join(flats))
        for i, (flat, simple) in enumerate(zip(flats, simples)):
            if i in code or not flat.strip():
                views.append("" if i not in code else flat)
                continue
            # Span offsets must be offsets of the line itself: t2s is used when it kept
            # the length (almost always: it maps character to character).
            found = rules.spans(simple if len(simple) == len(flat) else flat) if any_spans else []
            if found:
                kept = _cut(flat, [(s, e) for s, e, _ in found])
                if not WORD_CHAR_RE.search(kept):
                    remove[i] = (found[0][2].id, {})  # the line was nothing but the ad
                    views.append("")
                    continue
                spans[i] = [(s, e, r.id) for s, e, r in found]
                simple = self.to_simplified(kept)
            text, link_chars, images = text_and_links(simple)
            view = match_view(text)
            if link_chars or images:
                links[i] = (link_share(view, link_chars) if view else 1.0, images)
                if not view:
                    view = MARKUP_ONLY  # `[![](logo.png)](/)`: nothing to read, a link line
            views.append(view)

        # A YAML front matter block of a crawler's Markdown is metadata, not text.
        for i in range(front_matter(doc.lines)):
            if doc.lines[i].strip():
                remove[i] = (FRONT_MATTER, {})

        # Template lines first: they are neither anchors nor evidence for anything else.
        if self.template_counts is not None:
            for i in range(len(doc.lines)):
                if i in code or i in remove:
                    continue
                # Keyed on the decoded input line, as the first pass counted it.
                key = self.template_key(doc.input_text(i))
                count = self.template_counts.get(key, 0) if key is not None else 0
                if count >= opts.template_min_docs:
                    remove[i] = (TEMPLATE_LINE, {"documents": count})

        live = [i for i in range(n) if views[i] and i not in code and i not in remove]
        hits: dict[int, Rule] = {}
        for i in live:
            rule = rules.line_hit(views[i])
            if rule is not None:
                hits[i] = rule
        prose = {i for i in live if is_prose(views[i])}
        # Readers' comments are sentences too: the article, whose edges the zone rules
        # look for, ends where its comment section starts.
        comments = _comment_section(views, live, prose, hits, rules)
        # A browser title over the page (`标题_频道-某某网`) is no anchor of the text:
        # the menu under it is the page's top.
        titled: dict[int, tuple[int, str]] = {}
        _page_title(views, live, titled)
        # a question listed with its answer count (`…怎么办？ 0回答`) is another page's
        anchors = [i for i in live if i in prose and i not in hits and i not in titled
                   and (comments is None or i < comments) and not ANSWER_COUNT_RE.search(views[i])]
        verses: set[int] = set()
        # a Markdown table is the text's, like its sentences: a page that ends on its
        # lists, headings and a table (a department page's 门诊安排) ends there
        live_set = set(live)
        tables = [i for i in pipe_table_lines(doc.lines) if i in live_set and i not in hits]
        if tables:
            anchors = sorted(set(anchors) | set(tables))
        if not anchors:
            anchors = _verse_anchors(views, live, hits, links, rules)
            verses = set(anchors)
        _drop_stray_anchors(anchors, live, hits)
        _end_at_related_list(anchors, views, live, prose, hits)
        first, last = (anchors[0], anchors[-1]) if anchors else (n, -1)

        def edge(i: int) -> bool:
            return bool(anchors) and (i < first or i > last)

        def tail(i: int) -> bool:
            return bool(anchors) and i > last

        evidence: dict[int, tuple[int, str]] = {}
        position = {i: k for k, i in enumerate(live)}
        anchor_views = {views[i] for i in anchors}
        for i, rule in hits.items():
            if rule.zone == "edge" and not edge(i):
                continue
            if rule.weight == 1 and _introduced(i, rule, views, live, position, hits):
                continue  # `附件：` then its files: a list the document introduces
            if rule.weight == 1 and _names_the_text(views[i], anchor_views):
                continue  # `晚风里的站台 - 林小舟` over a song whose line it is
            weight = rule.weight
            if i in prose and not rule.sentence_ok and weight < 3:
                weight -= 1
            if weight > 0:
                evidence[i] = (weight, rule.id)
        for i in live:
            if i not in evidence:
                labels = button_row(views[i], rules.buttons)
                if labels:
                    # a toolbar: two labels are sure, one needs another clue
                    evidence[i] = (2 if labels >= 2 else 1, BUTTON_ROW)
        evidence.update(titled)
        _question_list(views, live, evidence, tail)
        for i in live:
            if i not in evidence and _is_keyword_list(views[i]):
                evidence[i] = (1, KEYWORD_SPAM)  # meta keywords: the page's head decides
        bullets = {i for i in live if BULLET_RE.match(doc.lines[i].replace("\xa0", " "))}
        # Menus are not numbered: an ordered list (`1. 番茄两个`) is the document's.
        ordered = {i for i in live if ORDERED_RE.match(doc.lines[i])}
        live_items = [i for i in live if i not in ordered]
        suspects = _repeats(views, doc.lines, live, prose, evidence, verses)
        _toc(views, doc.lines, live, links, evidence)
        # Whether the page shows chrome of a kind only chrome has (a rule, a template
        # line, front matter): a clean text has none, and then a list or a line of words
        # at its top or bottom is the text's own, however menu-like its shape.
        chrome_seen = bool(remove) or any(w >= 2 for w, _ in evidence.values())
        # A Markdown heading that is a link is a title (`## [标题](url)`), not a menu item.
        headings = {i for i in live if doc.lines[i][:1] == "#"}
        _links(views, live, prose, links, evidence, headings)
        _structure(views, live_items, prose, bullets, evidence, edge)

        def bonus(i: int, rule_id: str) -> int:
            return 1 if edge(i) and (chrome_seen or rule_id not in STRUCTURAL) else 0

        score = {i: w + bonus(i, r) for i, (w, r) in evidence.items()}
        base = {i for i, s in score.items() if s >= REMOVE_SCORE}
        # A weak clue next to certain boilerplate is boilerplate too (one step only, so
        # removal never creeps into the text).
        for k, i in enumerate(live):
            if i in score and i not in base:
                near = [live[k - 1]] if k else []
                near += [live[k + 1]] if k + 1 < len(live) else []
                if any(j in base for j in near):
                    score[i] += 1
        _weak_runs(live, evidence, score)
        for i in live:
            if score.get(i, 0) >= REMOVE_SCORE:
                remove[i] = (evidence[i][1], {})
        _repeated_in_chrome(suspects, live, set(remove), remove)
        _edge_runs(views, live, prose, remove, tail,
                   lambda i: views[i] in anchor_views
                   or rules.is_template_exempt(WHITESPACE_RE.sub("", views[i])))
        if comments is not None:
            for i in live:
                if i >= comments and i not in remove:
                    remove[i] = (COMMENT_SECTION, {})
        for i in list(remove):
            rule_id = remove[i][0]
            if i in hits and hits[i].id == rule_id and hits[i].kind == "header":
                for j in _list_block(views, i, live, prose, bullets):
                    if j not in remove or remove[j][0] in STRUCTURAL:
                        remove[j] = (rule_id, {})
        for i in remove:
            spans.pop(i, None)
        return _Plan(remove=remove, spans=spans)


def _structure(
    views: list[str],
    live: list[int],
    prose: set[int],
    bullets: set[int],
    evidence: dict[int, tuple[int, str]],
    edge: Callable[[int], bool],
) -> None:
    """Add structural evidence (weight 1: it needs the edge zone or a neighbour)."""
    sure = {i for i, (w, _) in evidence.items() if w + edge(i) >= REMOVE_SCORE}
    table = _table_lines(views, live)
    for i in live:
        if i in evidence or i in prose or i in table:
            continue
        rule = token_line_rule(views[i]) or (COUNTER_LINE if is_counter_line(views[i]) else None)
        if rule is not None:
            evidence[i] = (1, rule)
    # Runs of short items. Lines that a rule removes anyway are transparent, so a run
    # reads the same before and after their removal (idempotence).
    seq = [i for i in live if i not in sure]
    for marked in (True, False):
        run: list[int] = []
        for i in [*seq, None]:
            if i is not None and _is_nav_item(views[i], i in prose, marked, i in bullets):
                run.append(i)
                continue
            _close_run(run, marked, views, seq, evidence)
            run = []


def introduces_list(view: str) -> bool:
    """True for a line after which a list is the document's own: a lead-in ending in a
    colon, or a numbered heading (`三、参加人员`, `（二）工作要求`).

    >>> introduces_list("四、注意事项："), introduces_list("三、参加人员"), introduces_list("首页")
    (True, True, False)
    >>> introduces_list("第十五条　本条例自2024年1月1日起施行。")
    False
    """
    # a numbered sentence (`第十五条　本条例自2024年1月1日起施行。`) is an article, no heading
    return LEAD_IN_RE.search(view) is not None or (
        NUMBERED_RE.match(view) is not None and SENTENCE_END_RE.search(view) is None)


#: A heading over a list of the document's own: short, no sentence punctuation.
LIST_HEADING_MAX = 16


def is_list_heading(view: str) -> bool:
    """True for a short heading line (`吃的`, `## 准备工作`) that a list may follow.

    >>> is_list_heading("吃的"), is_list_heading("这是一个完整的句子。")
    (True, False)
    """
    return (len(view) <= LIST_HEADING_MAX and SENTENCE_PUNCT_RE.search(view) is None
            and PIPE_SEP_RE.search(view) is None)


def _links(
    views: list[str],
    live: list[int],
    prose: set[int],
    links: dict[int, tuple[float, int]],
    evidence: dict[int, tuple[int, str]],
    headings: set[int],
) -> None:
    """Evidence from link density: a line that is mostly links, or only images, is weak
    evidence (the edge zone or a neighbour decides); a run of link lines is a menu or a
    related list, strong evidence unless a lead-in line ("…：") introduces it."""
    linky = [i for i in live if i in links and i not in prose and i not in headings
             and links[i][0] >= LINK_SHARE_MIN and not LEAD_IN_RE.search(views[i])]
    weak: set[int] = set()
    for i in linky:
        if i not in evidence:
            # an image line with a caption of its own words is a figure, not a button
            evidence[i] = (1, IMAGE_WIDGET if links[i][1] and links[i][0] >= 1.0 else LINK_LIST)
            weak.add(i)
    position = {i: k for k, i in enumerate(live)}
    run: list[int] = []
    for i in [*linky, None]:
        if run and i is not None and position[i] == position[run[-1]] + 1:
            run.append(i)
            continue
        if run:
            k = position[run[0]]
            lead = k and introduces_list(views[live[k - 1]]) and live[k - 1] not in evidence
            if lead:
                # the document's own list of links (`附件：` then its files): no clue at all
                for j in run:
                    if j in weak:
                        del evidence[j]
            elif len(run) >= LINK_RUN_MIN:
                for j in run:
                    if evidence[j][0] < 2:
                        evidence[j] = (2, LINK_LIST)
        run = [i] if i is not None else []


#: A running header or footer (journal name, company and manual title, a download
#: site's watermark) is a short line printed on every page: it recurs in one document
#: at least twice, this many lines apart (a page), or three times anywhere. Set on the
#: web dev corpus (PDF and DOC extractions), where no content line recurs so.
RUNNING_MIN_GAP = 8
RUNNING_MAX_CHARS = 40


#: Share of the page's prose that must come before a comment header for what follows
#: it to be the readers' comments, not the article (set on the web dev corpus: its
#: article pages put 70-95% of their prose before the comment box).
COMMENT_AFTER_SHARE = 0.6
#: ...or this many characters of it: on a comment-heavy page the comments outweigh the
#: article, which still comes first (the corpus's news articles run 300-1500).
COMMENT_AFTER_CHARS = 300
#: The rules whose line opens a comment section (a header such as 网友评论, 热门跟贴).
COMMENT_HEADERS = frozenset({"comment-header"})
#: What only a thread of posts shows (floors, the original poster, answer counters):
#: on a forum, tieba or Q&A page the replies and answers are the text.
THREAD_RE = (
    re.compile(r"人赞同了该回答|只看楼主|只看该作者|本帖最后由|\[复制链接\]|回复贴，共"),
    re.compile(r"^(?:楼主|\d{1,4}[^\S\n]*[楼#]|沙发|板凳)", re.MULTILINE),
    regex.compile(r"(?<=[\d,][^\S\n]*)个回答$", regex.MULTILINE),
)  # each searched once over the page's lines joined: split so each has a fast scan


#: A list of other questions under an answer (`膝盖有响声是关节退化吗？`): at least this
#: many bare questions in a row in the page's tail, set on the web corpus (its related
#: lists hold two to six; a text's own closing question stands alone).
QUESTION_RUN_MIN = 2
#: A question as a list's title: `膝盖有响声是关节退化吗？`, `咸鸭蛋煮多久才熟`, with
#: its answer count (`… 0回答`); no clause or sentence punctuation inside.
_ANSWER_COUNT = r"\s*\d+\s*个?回答$"
QUESTION_TITLE_RE = regex.compile(
    rf"^(?=[^。！；!;，,]{{2,30}}(?:[？?]|{_ANSWER_COUNT[:-1]})?$)"
    rf"(?:.*[？?吗呢]|.*(?:什么|怎么|多久|多少|为什么|如何|哪|几).*)(?:{_ANSWER_COUNT[:-1]})?$")
#: A video's chapter list (`00:58 为什么没有大满`) is the description's own, questions or not.
TIME_CODE_RE = regex.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s")
ANSWER_COUNT_RE = regex.compile(rf"[？?]{_ANSWER_COUNT}")


def _weak_runs(live: list[int], evidence: dict[int, tuple[int, str]],
               score: dict[int, int]) -> None:
    """Three weak clues of one rule in a row are a widget, not three chance hits (a
    doctor's card: name and title, hospital, specialty): their `score` becomes sure."""
    k = 0
    while k < len(live):
        rule_id = evidence.get(live[k], (0, ""))[1]
        j = k
        while j < len(live) and score.get(live[j], REMOVE_SCORE) < REMOVE_SCORE \
                and evidence[live[j]][1] == rule_id and rule_id not in STRUCTURAL:
            j += 1
        if j - k >= WEAK_RUN_MIN:
            for i in live[k:j]:
                score[i] = REMOVE_SCORE
        k = max(j, k + 1)


def _question_list(views: list[str], live: list[int], evidence: dict[int, tuple[int, str]],
                   tail: Callable[[int], bool]) -> None:
    """Weak evidence (the tail zone decides) for a run of bare questions after the last
    sentence of the text: the site's list of related questions."""
    run: list[int] = []
    for i in [*live, None]:
        if i is not None and tail(i) and i not in evidence and QUESTION_TITLE_RE.match(views[i]) \
                and not ORDERED_RE.match(views[i]) and not TIME_CODE_RE.match(views[i]):
            run.append(i)
            continue
        if len(run) >= QUESTION_RUN_MIN:
            for j in run:
                evidence[j] = (1, QUESTION_LIST)
        run = []


#: The longest run of unknown lines that chrome on both sides makes chrome (jusText's
#: rule for short blocks between bad ones): set on the web corpus, where runs of 1-4
#: short lines (a recruiter card, a price, a status badge) sit between a page's widgets.
EDGE_RUN_MAX = 4


def _edge_runs(views: list[str], live: list[int], prose: set[int],
               remove: dict[int, tuple[str, dict[str, Any]]], tail: Callable[[int], bool],
               own: Callable[[int], bool]) -> None:
    """In a page's tail (after its last sentence), a short run of lines that are no
    sentences, with removed chrome right above and right below it, is chrome too (one
    pass over the removals as they stand, so removal never creeps). A run holding a
    sign-off (an issuing body, a date) or a line the text itself has (a song's refrain
    after a lyric site's plug) is the text's own end. Not in the head: there the run is
    the title and byline under the site's menus."""
    sure = set(remove)
    k = 0
    while k < len(live):
        if live[k] in sure:
            k += 1
            continue
        j = k
        while j < len(live) and live[j] not in sure:
            j += 1
        run = live[k:j]
        if (0 < k and j < len(live) and len(run) <= EDGE_RUN_MAX
                and all(tail(i) and i not in prose and not SENTENCE_END_RE.search(views[i])
                        and not own(i) for i in run)):
            for i in run:
                remove[i] = (EDGE_RUN, {})
        k = j


def _comment_section(views: list[str], live: list[int], prose: set[int],
                     hits: dict[int, Rule], rules: RuleSet) -> int | None:
    """The line where a page's comment section starts (a comment header or box after
    most of the article's prose), or None. Readers' comments are sentences, so no
    other clue removes them; a corpus of articles keeps the article alone."""
    page = "\n".join(views[i] for i in live)
    if any(pattern.search(page) for pattern in THREAD_RE):
        return None  # in a thread the replies are the text

    def opens(i: int) -> bool:
        rule = hits.get(i)
        # a stronger rule may name the line (`评论（27）` is a comment box too)
        return rule is not None and i not in prose and (
            rule.id in COMMENT_HEADERS or any(rules.matches(h, views[i]) for h in COMMENT_HEADERS))

    return _after_most(live, {i: len(views[i]) for i in prose}, opens, COMMENT_AFTER_CHARS)


def _after_most(live: list[int], text: Mapping[int, int], opens: Callable[[int], bool],
                enough: int | None = None) -> int | None:
    """The first line that `opens` a section after most of the `text` (line -> its
    characters) has come, or after `enough` characters of it; None without text."""
    total = sum(text.values())
    before = 0
    for i in live:
        if total and opens(i) and (before >= COMMENT_AFTER_SHARE * total
                                   or (enough is not None and before >= enough)):
            return i
        before += text.get(i, 0)
    return None


#: A lone sentence beyond certain chrome is the page's, not the article's, when this
#: many lines stand between it and the article (set on the web dev corpus: a site's
#: notice under its related lists and footer links; a short list inside an article
#: holds no certain chrome).
STRAY_GAP_MIN = 2


#: The rules whose header line opens a list of other pages (相关文章, 猜你喜欢).
RELATED_HEADERS = frozenset({"related-list"})


def _end_at_related_list(anchors: list[int], views: list[str], live: list[int],
                         prose: set[int], hits: dict[int, Rule]) -> None:
    """Cut `anchors` (in place) at a related-list header that comes after most of the
    text (its sentences, or a song's lines on a page of verse), as a comment section
    ends the article: the titles under it read like sentences (`鹅绒和鸭绒哪个更保暖？`)
    but are other pages'."""
    def opens(i: int) -> bool:
        rule = hits.get(i)
        return (rule is not None and rule.id in RELATED_HEADERS and rule.kind == "header"
                and i not in prose)

    end = _after_most(live, {i: len(views[i]) for i in anchors}, opens)
    if end is not None:
        anchors[:] = [a for a in anchors if a < end]


def _drop_stray_anchors(anchors: list[int], live: list[int], hits: dict[int, Rule]) -> None:
    """Drop from `anchors` (in place) a first or last sentence that stands alone beyond
    certain chrome (`本库说明：本库法规文本仅供参考。` under a related list): the
    article's edges are where its run of sentences ends, not the page's last sentence.

    >>> class R: weight, zone, kind = 2, "any", "line"
    >>> anchors = [0, 1, 6]
    >>> _drop_stray_anchors(anchors, list(range(7)), {3: R()})
    >>> anchors
    [0, 1]
    """
    position = {i: k for k, i in enumerate(live)}

    def stray(a: int, b: int) -> bool:
        gap = live[position[a] + 1:position[b]]
        # certain chrome: a strong rule, or the header of a related list
        return len(gap) >= STRAY_GAP_MIN and any(
            j in hits and (hits[j].kind == "header" or hits[j].weight >= 2 and hits[j].zone == "any")
            for j in gap)

    # One sentence per side: a page whose sections are parted by toolbars (`播报 编辑`
    # under each heading of an encyclopedia entry) would otherwise lose its anchors
    # one section at a time.
    if len(anchors) >= 2 and stray(anchors[-2], anchors[-1]):
        anchors.pop()
    if len(anchors) >= 2 and stray(anchors[0], anchors[1]):
        anchors.pop(0)


#: A text of verse (lyrics, a poem, a list of proverbs) has no sentence to anchor its
#: edges on; its lines hold at least this many Hanzi and no separators, and it has at
#: least this many of them (set on the web dev corpus: lyric and poetry pages against
#: the short menus and cards of the other families).
VERSE_MIN_HAN = 4
VERSE_MIN_LINES = 4
VERSE_LINE_RE = regex.compile(r"^[\p{Han}，、？！“”‘’…—]+$")


def _verse_anchors(views: list[str], live: list[int], hits: dict[int, Rule],
                   links: dict[int, tuple[float, int]], rules: RuleSet) -> list[int]:
    """The lines of a page with no prose that read as verse: its edges' anchors."""
    verse = [i for i in live if i not in hits and i not in links
             and VERSE_LINE_RE.match(views[i]) and len(HAN_RE.findall(views[i])) >= VERSE_MIN_HAN
             and not button_row(views[i], rules.buttons)]
    return verse if len(verse) >= VERSE_MIN_LINES else []


def _names_the_text(view: str, anchor_views: set[str]) -> bool:
    """True for a `title - name` line whose title is a line of the text itself (a song
    named by its refrain): a heading, not a site's name."""
    sep = TITLE_SEP_RE.search(view)
    return sep is not None and view[:sep.start()].strip() in anchor_views


def _introduced(i: int, rule: Rule, views: list[str], live: list[int], position: dict[int, int],
                hits: dict[int, Rule]) -> bool:
    """True when line `i` is in a run of lines of one weak rule that a lead-in line of
    the document introduces (`附件：` before `1.承诺书.docx`, `2.登记表.xlsx`)."""
    k = position[i] - 1
    while k >= 0 and live[k] in hits and hits[live[k]].id == rule.id:
        k -= 1
    return k >= 0 and live[k] not in hits and introduces_list(views[live[k]])


#: Where a browser title puts the site's name after the page's: "标题 - 某某新闻网",
#: "标题_百度知道", "标题 | 某报".
TITLE_SEP_RE = regex.compile(r"\s+[-–—|｜]\s*|\s*[_｜|]\s*|\s*[–—]\s+")
#: A title is at least this long (a shorter head is a site's name or a section's).
TITLE_MIN_CHARS = 4
#: Where a page names its owner (`Copyright 2024 某某网`, `某某网 版权所有`, the ICP
#: line): among its last lines.
OWNER_RE = regex.compile(r"copyright|©|版权所有|ICP[备证]", regex.IGNORECASE)
FOOTER_LINES = 5
#: A site's name is at least two characters (百度, 知乎).
SITE_NAME_MIN_CHARS = 2


def _page_title(views: list[str], live: list[int], evidence: dict[int, tuple[int, str]]) -> None:
    """The browser title a saved page opens with (weight 3): its first line is the
    article's title, which the page shows again below, plus a separator and the site's
    name. The title itself stays where the article has it.

    >>> ev = {}
    >>> _page_title(["春游指南 - 江城新闻网", "江城新闻网", "春游指南", "正文。"], [0, 1, 2, 3], ev)
    >>> ev
    {0: (3, 'page-title')}
    >>> ev = {}
    >>> _page_title(["春游指南", "正文。"], [0, 1], ev)
    >>> ev
    {}
    >>> ev = {}
    >>> _page_title(["百药通 - 查药品、看说明书", "正文。", "Copyright 2024 百药通"], [0, 1, 2], ev)
    >>> ev
    {0: (3, 'page-title')}
    """
    if len(live) < 2:
        return
    head = views[live[0]]
    heads = [head[:sep.start()].strip() for sep in TITLE_SEP_RE.finditer(head)]
    titles = {t for t in heads if len(t) >= TITLE_MIN_CHARS}
    if titles and any(views[i] in titles for i in live[1:]):
        evidence[live[0]] = (3, PAGE_TITLE)
        return
    # `职达直聘 - 找工作上职达直聘` over a page whose footer names 职达直聘 as its owner:
    # the site's name and slogan
    footer = [views[i] for i in live[-FOOTER_LINES:] if i != live[0] and OWNER_RE.search(views[i])]
    if heads and any(len(heads[0]) >= SITE_NAME_MIN_CHARS and heads[0] in line for line in footer):
        evidence[live[0]] = (3, PAGE_TITLE)


def _repeats(views: list[str], lines: list[str], live: list[int], prose: set[int],
             evidence: dict[int, tuple[int, str]], verses: set[int]) -> list[list[int]]:
    """Evidence from repetition inside one document: page furniture (weight 2), and
    keyword lines whose words share one stem (`某书最新章节 某书全文阅读 某书txt下载`).

    A line printed twice with no page break beside it is only a suspect: a user's name
    over each post, but also a title shown twice, a signature or a quoted line. Those
    groups are returned, and the company their occurrences keep decides
    (`_repeated_in_chrome`). A line that recurs with the same neighbour (a chorus) is
    verse, never furniture, and so is a line of verse that recurs on a page of verse
    (`verses`: a song's one-line refrain).
    """
    seen: dict[str, list[int]] = {}
    for k, i in enumerate(live):
        view = views[i]
        if len(view) > RUNNING_MAX_CHARS or i in prose or SENTENCE_END_RE.search(view):
            continue
        if NUMBERED_RE.match(view) or PROTECTED_RE.match(view) or len(WORD_CHAR_RE.findall(view)) < 2:
            continue
        # keyed on the line as written: a heading and its table-of-contents link differ
        seen.setdefault(lines[i].strip(), []).append(k)
        if " " in view and i not in evidence:
            tokens = TOKEN_SEP_RE.split(view)
            if len(tokens) >= 3 and _common_stem(tokens) >= 2:
                evidence[i] = (2, SEO_LINE)
    groups = [ks for ks in seen.values() if len(ks) >= 2 and not _refrain(ks, views, live, evidence)]
    twice = {ks[0]: ks[1] for ks in groups if len(ks) == 2}
    suspects: list[list[int]] = []
    for ks in groups:
        if len(ks) == 2 and (ks[0] - 1 in twice or ks[0] + 1 in twice):
            # consecutive lines that each come back later: a table of contents (the
            # entries go, the headings stay), not page furniture
            if evidence.get(live[ks[0]], (0, ""))[0] < 2:
                evidence[live[ks[0]]] = (2, TOC)
        elif (len(ks) >= 3 and not all(live[k] in verses for k in ks)) \
                or _at_page_break(ks, lines, live):
            for k in ks:
                if evidence.get(live[k], (0, ""))[0] < 2:
                    evidence[live[k]] = (2, RUNNING_HEADER)
        elif ks[1] - ks[0] >= RUNNING_MIN_GAP:
            suspects.append([live[k] for k in ks])
    return suspects


#: How near (in lines) a page number must be for a repeated line to be a page's
#: header or footer: the header sits beside the page number or one line beyond it
#: (a download site's watermark between them).
PAGE_BREAK_REACH = 2


def _at_page_break(ks: list[int], lines: list[str], live: list[int]) -> bool:
    """True when some occurrence of a repeated line sits beside a page number (blank
    lines aside)."""
    for k in ks:
        for step in (1, -1):
            j, seen = live[k] + step, 0
            while 0 <= j < len(lines) and seen < PAGE_BREAK_REACH:
                if lines[j].strip():
                    if is_page_number_line(lines[j]):
                        return True
                    seen += 1
                j += step
    return False


def _refrain(ks: list[int], views: list[str], live: list[int],
             evidence: dict[int, tuple[int, str]]) -> bool:
    """True when a repeated line comes back as the head or tail of a block of at least
    three lines that no rule knows, as a chorus or a refrain does. (Furniture recurs
    alone or in pairs: a user's name over `回复`, `查看答案` over its login prompt.)"""
    for step in (1, -1):
        around: set[tuple[str, str]] = set()
        for k in ks:
            far = k + 2 * step
            if not 0 <= far < len(live):
                continue
            pair = (live[k + step], live[far])
            if any(j in evidence for j in pair):
                continue
            block = (views[pair[0]], views[pair[1]])
            if block in around:
                return True
            around.add(block)
    return False


def _repeated_in_chrome(suspects: list[list[int]], live: list[int], sure: set[int],
                        remove: dict[int, tuple[str, dict[str, Any]]]) -> None:
    """A line printed twice (a user's name over each post) goes where chrome stands
    beside it, if chrome stands beside at least half of its occurrences: a title shown
    twice, a signature, a poem's line quoted in a reply stand beside text somewhere."""
    position = {i: k for k, i in enumerate(live)}

    def enclosed(i: int) -> bool:
        k = position[i]
        return any(live[m] in sure for m in (k - 1, k + 1) if 0 <= m < len(live))

    for group in suspects:
        inside = [i for i in group if enclosed(i)]
        if inside and 2 * len(inside) >= len(group):
            for i in inside:
                if i not in remove:
                    remove[i] = (REPEATED_LINE, {"times": len(group)})


#: A table of contents: numbered or linked entries whose text is a later heading.
TOC_NUMBER_RE = regex.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[一二三四五六七八九十]{1,3}、)\s*")
TOC_MIN_ENTRIES = 2


def _toc(views: list[str], lines: list[str], live: list[int],
         links: dict[int, tuple[float, int]], evidence: dict[int, tuple[int, str]]) -> None:
    """A table of contents is navigation (weight 2): entries, numbered (`1 历史渊源`) or
    links (`[修复建议](#h3)`), whose text comes back later as a heading of its own."""
    later: dict[str, int] = {}
    for i in reversed(live):
        if i not in links:
            later.setdefault(views[i], i)
    entries = []
    for i in live:
        numbered = TOC_NUMBER_RE.match(views[i])
        if not numbered and i not in links:
            continue
        text = views[i][numbered.end():] if numbered else views[i]
        j = later.get(text)
        if len(text) >= 2 and j is not None and j > i and (numbered is None or j != i):
            entries.append(i)
    if len(entries) >= TOC_MIN_ENTRIES:
        for i in entries:
            if evidence.get(i, (0, ""))[0] < 2:
                evidence[i] = (2, TOC)


def _common_stem(tokens: list[str]) -> int:
    """Length of the prefix all tokens share.

    >>> _common_stem(["星港守夜人最新章节", "星港守夜人全文阅读", "星港守夜人txt下载"])
    5
    """
    first = min(tokens, key=len)
    n = 0
    while n < len(first) and all(t[n] == first[n] for t in tokens):
        n += 1
    return n


def _table_lines(views: list[str], live: list[int]) -> set[int]:
    """Lines of a table written as text: consecutive lines with the same number (3 or
    more) of space- or tab-separated cells, with figures below the first. A table's
    header row reads like a menu (`姓名 语文 数学 英语 总分`); its rows say what it is.

    >>> sorted(_table_lines(["姓名 语文 数学", "陈小雨 112 118", "王浩然 105 120"], [0, 1, 2]))
    [0, 1, 2]
    >>> _table_lines(["百度首页 登录 注册", "进入贴吧 全吧搜索 吧内搜索"], [0, 1])
    set()
    """
    cells = [len(TOKEN_SEP_RE.split(views[i])) if " " in views[i] or "\t" in views[i] else 1
             for i in live]
    found: set[int] = set()
    run: list[int] = []
    for k in range(len(live)):
        if run and cells[k] >= 3 and cells[k] == cells[run[-1]] and live[k] == live[run[-1]] + 1:
            run.append(k)
            continue
        if _is_table(run, views, live):
            found.update(live[m] for m in run)
        run = [k] if cells[k] >= 3 else []
    if _is_table(run, views, live):
        found.update(live[m] for m in run)
    return found


def _is_table(run: list[int], views: list[str], live: list[int]) -> bool:
    # a table has figures in its rows, or tab-separated cells; stacked menu bars have
    # neither
    return len(run) >= 2 and any(DIGIT_RE.search(views[live[m]]) or "\t" in views[live[m]]
                                 for m in run[1:])


def _load_function_chars() -> frozenset[str]:
    text = resources.files("cleancorp").joinpath("data/function_chars.txt").read_text("utf-8")
    return frozenset(ch for line in text.splitlines() if not line.startswith("#")
                     for ch in line if not ch.isspace())


#: See `data/function_chars.txt`.
FUNCTION_CHARS = _load_function_chars()


def _speaks(view: str) -> bool:
    """True when a short line holds a function character: a piece of verse or speech.

    >>> _speaks("它会不会"), _speaks("读后感"), _speaks("文学百科")
    (True, False, False)
    """
    return any(ch in FUNCTION_CHARS for ch in view)


def _close_run(
    run: list[int],
    marked: bool,
    views: list[str],
    seq: list[int],
    evidence: dict[int, tuple[int, str]],
) -> None:
    if len(run) < (NAV_RUN_MIN if marked else PLAIN_RUN_MIN):
        return
    if not marked and (is_verse([views[i] for i in run])
                       or 2 * sum(_speaks(views[i]) for i in run) >= len(run)):
        return  # verse, or sentence pieces: a menu's items are nouns
    k = seq.index(run[0])
    if k and seq[k - 1] not in evidence and (
        introduces_list(views[seq[k - 1]]) or (k > 1 and is_list_heading(views[seq[k - 1]]))
    ):
        # the document's own list, introduced by "...：", a numbered heading or a heading
        # of its own (not the page's first line, where a site name stands over its menu)
        return
    for i in run:
        if i not in evidence:
            evidence[i] = (1, NAV_LIST)


def _is_nav_item(view: str, is_prose_line: bool, marked: bool, has_bullet: bool) -> bool:
    if is_prose_line or NUMBERED_RE.match(view) or PROTECTED_RE.match(view):
        return False
    if not marked and FIELD_RE.match(view):
        return False  # `演唱：陈若晴`, `作词：某某`: a field of the text, not a menu item
    if SENTENCE_END_RE.search(view):
        return False
    if marked:
        return has_bullet and len(view) <= NAV_ITEM_MAX
    return not has_bullet and len(view) <= PLAIN_ITEM_MAX


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


#: A page title in a list: short, no clause or sentence punctuation.
TITLE_SHAPE_RE = regex.compile(r"^[^。，,；;：:]{1,30}$")


def _list_block(
    views: list[str], header: int, live: list[int], prose: set[int], bullets: set[int]
) -> list[int]:
    """The list right after a header line: bullet items (blank lines allowed between),
    or consecutive short unpunctuated lines up to the first blank line."""
    block: list[int] = []
    k = live.index(header) + 1
    bulleted = None
    while k < len(live):
        i = live[k]
        view = views[i]
        tokens = token_line_rule(view) in (NAV_TOKENS, KEYWORD_SPAM)
        if (i in prose and not TITLE_SHAPE_RE.match(view)) or (
                SENTENCE_END_RE.search(view) and not HEADLINE_RE.match(view)):
            break  # a title may ask a question (`鹅绒和鸭绒哪个更保暖？鹅绒鸭绒的区别`)
        if len(view) > 2 * NAV_ITEM_MAX and not tokens:
            break
        has_bullet = i in bullets
        if bulleted is None:
            bulleted = has_bullet
        if has_bullet != bulleted:
            break
        if not bulleted and block and i != block[-1] + 1:
            break  # an unmarked list ends at a blank line (the title may follow)
        block.append(i)
        k += 1
    return block


def _groups(
    lines: list[str], remove: dict[int, tuple[str, dict[str, Any]]]
) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Consecutive removed lines with the same rule, as (i, j, rule, extra) ranges; blank
    lines between two removed lines of one group go with it."""
    groups: list[tuple[int, int, str, dict[str, Any]]] = []
    for i in sorted(remove):
        rule, extra = remove[i]
        if groups and not extra and not groups[-1][3] and groups[-1][2] == rule and all(
            not lines[k].strip() for k in range(groups[-1][1], i)
        ):
            groups[-1] = (groups[-1][0], i + 1, rule, extra)
        else:
            groups.append((i, i + 1, rule, extra))
    return groups
