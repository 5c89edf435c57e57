"""Markup that no filter rewrites: URLs, e-mail addresses, Markdown and HTML syntax, code.

Crawlers write Markdown more and more, and clean text carries URLs, paths and code.
A character inside a link target, a code span or a fenced block is not Chinese prose,
however Chinese its neighbours are: `punctuation` must not turn the `(` of
`[转载声明](https://…)` into `（`, `layout` must not join a heading to the next line
or strip a code block's indentation. This module recognises those spans and lines
once, with pure functions, so every filter asks the same question the same way.

>>> line = "见[转载声明](https://a.cn/x?b=1)和![微信](/wx.png),`a(b)`"
>>> [line[a:b] for a, b in protected_spans(line)]
['[转载声明](https://a.cn/x?b=1)', '![微信](/wx.png)', '`a(b)`']
>>> sorted(code_lines(["正文", "```", "x = 1", "```", "    ls -l", "正文。"]))
[1, 2, 3, 4]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Any character a protected span can start with: most lines have none and are
#: decided by this one scan.
HINT_RE = re.compile(r"[\[`<@]|://|www\.")
#: The spans, in the order they are tried at a position (longest constructs first):
#: a Markdown image or link with its target (`![alt](url)`, `[text](url "title")`,
#: `[text][ref]`), an autolink `<https://…>`, an HTML tag, a code span, a bare URL
#: (its trailing sentence mark excluded) and an e-mail address.
SPAN_RE = re.compile(
    r"""!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+"[^"\n]*")?\)
      | !?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\[[^\[\]\n]*\]
      | <(?:[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+|[^\s<>@]+@[^\s<>@]+)>
      | </?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>
      | (`+)[^`\n].*?\1
      | (?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+
        (?:\([A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*\)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*)*
        (?<![,.;:!?])
      | [A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}
    """,
    re.X,
)
#: A fence line: three or more backticks or tildes, maybe indented, maybe an info string.
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: A line of an indented code block (four spaces or a tab) that holds no Han: a
#: paragraph indented by spaces is prose and `layout` strips it; code is ASCII.
INDENTED_CODE_RE = re.compile(r"^(?: {4}|\t)(?=\S)[^\u3400-\u9fff\uf900-\ufaff]*$")
#: A Markdown line whose first characters are structure: a heading, a block quote, a
#: list item, a table row, a thematic break, an image or link line, an HTML block.
STRUCTURE_RE = re.compile(
    r"^ {0,3}(?:\#{1,6}(?:\s|$)|>|[*+-]\s|\d{1,9}[.)]\s|\|.*\||!?\[|<[A-Za-z/!]"
    r"|(?:[-*_]\s*){3,}$)"
)


#: A pipe table's separator row (`| --- | :---: |`) and any of its rows.
PIPE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")


def pipe_table_lines(lines: Sequence[str]) -> list[int]:
    """The rows of Markdown pipe tables (header, separator, body), by line index.

    >>> pipe_table_lines(["前言", "| 时间 | 上午 |", "| --- | --- |", "| 周一 | 林某 |", "结语"])
    [1, 2, 3]
    """
    found: list[int] = []
    for k, line in enumerate(lines):
        # most lines hold no `|` and `-`: the patterns run on the few that do
        if "-" in line and "|" in line and PIPE_SEPARATOR_RE.match(line) and k \
                and PIPE_ROW_RE.match(lines[k - 1]):
            found += [k - 1, k]
            j = k + 1
            while j < len(lines) and PIPE_ROW_RE.match(lines[j]):
                found.append(j)
                j += 1
    return found


def protected_spans(line: str) -> list[tuple[int, int]]:
    """The [start, end) spans of `line` that filters must leave as they are.

    >>> line = "详见 https://example.com/a?b=1,c=2 ,或 <b>粗</b> a@b.cn"
    >>> [line[a:b] for a, b in protected_spans(line)]
    ['https://example.com/a?b=1,c=2', '<b>', '</b>', 'a@b.cn']
    >>> protected_spans("普通的一句话，没有链接。")
    []
    """
    if HINT_RE.search(line) is None:
        return []
    return [m.span() for m in SPAN_RE.finditer(line)]


def outside(line: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The [start, end) pieces of `line` between `spans` (all of it when there are none).

    >>> outside("ab[c](d)ef", [(2, 8)])
    [(0, 2), (8, 10)]
    """
    pieces, pos = [], 0
    for start, end in spans:
        if start > pos:
            pieces.append((pos, start))
        pos = max(pos, end)
    if pos < len(line) or not pieces:
        pieces.append((pos, len(line)))
    return pieces


#: The first characters of a fence or an indented code line.
CODE_STARTS = frozenset(" \t`~")


def code_lines(lines: Sequence[str], indented: bool = True) -> set[int]:
    """Indexes of the lines that are code: fenced blocks (fences included; an unclosed
    fence runs to the end, as CommonMark says) and, unless `indented` is False,
    indented blocks of Han-free lines after a blank line or another code line.

    >>> sorted(code_lines(["说明：", "", "    pip install x", "    cleancorp --help", "完。"]))
    [2, 3]
    >>> sorted(code_lines(["```", "x = 1", "```", "", "    ls -l"], indented=False))
    [0, 1, 2]
    >>> sorted(code_lines(["　　正文缩进的段落。", "    也是缩进的中文段落。"]))
    []
    """
    found: set[int] = set()
    if not any(line[:1] in CODE_STARTS for line in lines):
        return found  # most documents: no line can open a fence or an indented block
    fence: str | None = None
    prev_blank = True
    for i, line in enumerate(lines):
        if fence is not None:
            found.add(i)
            m = FENCE_RE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            continue
        m = FENCE_RE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in line.strip()[len(m.group(1)):]):
            fence = m.group(1)
            found.add(i)
        elif indented and INDENTED_CODE_RE.match(line) and (prev_blank or i - 1 in found):
            found.add(i)
        prev_blank = not line.strip()
    return found


def front_matter(lines: Sequence[str]) -> int:
    """The number of lines of a YAML front matter block at the top (`---` … `---`), or 0.

    >>> front_matter(["---", "title: 标题", "url: https://a.cn", "---", "# 标题"])
    4
    >>> front_matter(["---", "不是前言"])
    0
    """
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
        if not re.match(r"^(?:[A-Za-z_][\w-]*\s*:|\s+\S|-\s|\s*$)", lines[i]):
            return 0
    return 0


#: A Markdown link reference definition: `[spec]: https://… "title"`.
LINK_DEFINITION_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*\S+")


def is_link_definition(line: str) -> bool:
    """True for a link reference definition, which a kept `[text][spec]` link needs.

    >>> is_link_definition('[spec]: https://a.cn/g?v=2 "规范"'), is_link_definition("[1] 张三")
    (True, False)
    """
    return LINK_DEFINITION_RE.match(line) is not None


def is_structure(line: str) -> bool:
    """True for a Markdown line whose start is syntax (heading, quote, list item, table
    row, rule, image/link line, HTML block): such a line is never joined to another.

    >>> is_structure("## 小节"), is_structure("* [首页](/)"), is_structure("正文。")
    (True, True, False)
    """
    return STRUCTURE_RE.match(line) is not None


#: Markdown inline constructs as the text a reader sees: an image (its alt text, but
#: counted as an image), a link (its text), an autolink or a bare URL (the address).
_IMAGE_RE = re.compile(r"!\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"\n]*\")?\)")
_LINK_RE = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\](?:\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"\n]*\")?\)|\[[^\[\]\n]*\])")
_AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+)>")
_BARE_URL_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>()\[\]，。；！？、]+")
#: Line-start syntax a reader does not see: heading marks, quote marks, list bullets.
_LEAD_SYNTAX_RE = re.compile(r"^ {0,3}(?:#{1,6}\s+|>\s?)*(?:[*+-]\s+)?(?:#{1,6}\s+)?")
_EMPHASIS_RE = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")


#: Anything `text_and_links` could change: link or image brackets, an address, an
#: autolink or tag, emphasis, or line-start syntax.
MARKDOWN_HINT_RE = re.compile(r"[\[<]|://|www\.|\*\*|__|^\s*[#>*+-]")


def text_and_links(line: str) -> tuple[str, int, int]:
    """(visible text, characters of it that are link text or addresses, images) of a
    Markdown line; plain text comes back as it is, with its bare URLs counted.

    Link density, the share of a line that is links, is the strongest single signal of
    page chrome (jusText and trafilatura both rely on it): menus, related lists and
    footers are links, an article's sentences are not.

    >>> text_and_links("* [安全资讯](https://a.cn/news)")
    ('安全资讯', 4, 0)
    >>> text_and_links("分享到：![微信](https://a.cn/wx.png)![微博](/wb.png)")
    ('分享到：微信微博', 4, 2)
    >>> text_and_links("* ##### [某组件被曝漏洞](/post/id/301100)")
    ('某组件被曝漏洞', 7, 0)
    >>> text_and_links("厂商已在 [安全公告](https://v.cn/a) 中发布**补丁**。")
    ('厂商已在 安全公告 中发布补丁。', 4, 0)
    """
    if MARKDOWN_HINT_RE.search(line) is None:
        return line, 0, 0
    images = link_chars = 0
    text = _LEAD_SYNTAX_RE.sub("", line, count=1)
    # Images first (their alt text is not link text), then links, then autolinks: each
    # construct reads as its inner text.
    for pattern, hint in ((_IMAGE_RE, "!["), (_LINK_RE, "["), (_AUTOLINK_RE, "<")):
        if hint not in text:
            continue
        parts: list[str] = []
        pos = 0
        for m in pattern.finditer(text):
            images += pattern is _IMAGE_RE
            link_chars += len(m.group(1).strip())
            parts += (text[pos:m.start()], m.group(1))
            pos = m.end()
        parts.append(text[pos:])
        text = "".join(parts)
    for m in _BARE_URL_RE.finditer(text):
        link_chars += len(m.group())
    return _EMPHASIS_RE.sub(r"\2", text), link_chars, images


def link_share(text: str, link_chars: int) -> float:
    """Share of the visible characters (no spaces) that are links.

    >>> link_share("安全资讯", 4), link_share("厂商已在 安全公告 中发布补丁。", 4)
    (1.0, 0.2857142857142857)
    """
    visible = len(text) - text.count(" ")
    return min(1.0, link_chars / visible) if visible else 0.0
