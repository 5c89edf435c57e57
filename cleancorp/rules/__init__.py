"""Boilerplate rules as data: load the packaged rules file and users' files, and validate them.

A rule is a named, categorised set of regex patterns with its own examples
(``examples.match`` must match, ``examples.keep`` must not). Rules are text,
not code, so users extend them with ``[tool.cleancorp.boilerplate]
extra_rules = "file.toml"`` and check a file with ``cleancorp rules check FILE``.

>>> rules = load_rules()
>>> rules.get("breadcrumb").category
'navigation'
>>> rules.line_hit("当前位置：首页 > 新闻 > 正文").id
'breadcrumb'
>>> rules.line_hit("他当前的位置很重要。") is None
True
>>> rules.digest.startswith("sha256:")
True
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import regex

try:  # the standard library's regex parser: only used to read literals out of patterns
    from re import _constants as _c
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - Python < 3.11 names
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

from cleancorp.errors import ConfigError, InputError

#: Where the packaged rules live (inside this package, read with importlib.resources).
PACKAGED_RULES = "boilerplate.toml"
#: How rules of the packaged file name their source.
PACKAGED_SOURCE = f"cleancorp/rules/{PACKAGED_RULES}"

#: What a rule does with its match: remove the line (`line`), cut the matched span out of
#: the line (`span`, for ads spliced into paragraphs), or remove the line and the list
#: that follows it (`header`, for "related articles" blocks).
KINDS = frozenset({"line", "span", "header"})
#: Where a rule may fire: anywhere, or only outside the main text (`edge`: the head and
#: tail zones around the first and last real sentence).
ZONES = frozenset({"any", "edge"})

#: Budget of one pattern on one line at run time (seconds). The longest real lines are
#: paragraphs of some 10 kB; a sane pattern scans them in well under a millisecond, so a
#: quarter of a second only ever trips on catastrophic backtracking.
RUN_TIMEOUT = 0.25
#: Budget of one pattern on one example (repeated to `STRESS_CHARS`) in `check_rules_file`.
CHECK_TIMEOUT = 0.2
#: Examples are also tried repeated up to this length: a pattern that is fast on a short
#: example but backtracks on a paragraph-sized line is caught before it reaches a corpus.
STRESS_CHARS = 4000

# Leading list marks and list numbers that rules never need to see ("• 当前位置" is a
# breadcrumb; "- 1. 本站..." is a site notice; "? 标题" is a bullet a codec lost).
_LEAD_RE = regex.compile(r"^(?:[\s•●○■▪▫◆◇►▶➤·\-*+>»]+|\d{1,2}\s*[.、．]\s*|\?\s)+")

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))

_KNOWN_RULE_KEYS = frozenset(
    {"id", "category", "kind", "zone", "weight", "max_chars", "patterns", "examples",
     "sentence_ok", "comment"}
)
_KNOWN_TOP_KEYS = frozenset({"schema", "rule", "template", "disable", "buttons"})


def match_view(line: str) -> str:
    """The form of a line that line rules see: no NBSP, no list marks, stripped.

    >>> match_view("  • 当前位置：首页")
    '当前位置：首页'
    >>> match_view("- 1. 本站所有资源如无特殊说明")
    '本站所有资源如无特殊说明'
    >>> match_view("2021-06-03 嵊州市 收藏")
    '2021-06-03 嵊州市 收藏'
    """
    text = line.replace("\xa0", " ").replace("\u3000", " ").strip()
    return _LEAD_RE.sub("", text, count=1).strip()


# -- literal gates --------------------------------------------------------------------
#
# Most lines match no rule, yet `line_hit` used to run every rule's regex on every line
# (the filter's main cost). Nearly every pattern needs some literal text ("当前位置",
# "ICP", "©"): a rule none of whose required literals occurs in a line cannot match it,
# so one scan for all literals picks the few rules worth running. The literals are
# derived from the patterns themselves, never written down twice.

# Syntax of the `regex` module that the standard library's parser (used below to read
# the patterns) would misread instead of rejecting: fuzzy constraints ("{e<=1}"), POSIX
# classes, Unicode properties, named lists, version and other `regex`-only flags. A
# pattern using any of them gets no gate (it is always run).
_PROPERTY_RE = regex.compile(r"\\[pP]\{\^?[\w=:-]+\}")
_NOT_PORTABLE_RE = regex.compile(
    r"\{(?!\d*(?:,\d*)?\})|\[:\^?\w+:\]|\\[pPLXmMGKNVRY]|\(\?[^:=!<>P#aiLmsux-]|\(\?[aiLmsux-]+[^:)aiLmsux-]"
)
# A set of at most this many literal strings is a usable gate; beyond it the product
# of alternatives ("[上下]一[章页篇]") is cut short and only the longest part is kept.
_MAX_LITERALS = 64


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains (casefolded), or None
    when no such set is known (then the pattern must always be run).

    >>> sorted(required_literals("^(?:当前位置|您的位置)\\\\s*[:：]"))
    ['当前位置', '您的位置']
    >>> sorted(required_literals("Copyright\\\\s*(?:©|\\\\(c\\\\)|\\\\d{4})"))
    ['copyright']
    >>> required_literals("^\\\\S{2,8}$") is None
    True
    >>> required_literals("(?:记住){e<=1}") is None   # fuzzy: `regex` syntax only
    True
    >>> sorted(required_literals("^(?=.*[(（]\\\\d)\\\\S+$"))   # what a lookahead requires
    ['(', '（']
    >>> sorted(required_literals("^这篇\\\\p{Han}{1,3}可能有"))   # a property is a class
    ['可能有']
    """
    # A Unicode property (`\p{Han}`) is a class of many characters: for what a match
    # must contain it is as good as `\w`, which the stdlib parser reads.
    pattern = _PROPERTY_RE.sub(r"\\w", pattern)
    if _NOT_PORTABLE_RE.search(pattern):
        return None
    try:
        parsed = _sre_parser.parse(pattern, 0)
    except Exception:  # noqa: BLE001 - any syntax the stdlib cannot read: no gate
        return None
    found = _required(list(parsed))
    if not found or "" in found:
        return None
    return frozenset(s.casefold() for s in found)


def _exact(item: tuple[Any, Any]) -> set[str] | None:
    """The finite set of strings `item` matches exactly, or None."""
    op, av = item
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN:
        chars: set[str] = set()
        for sub_op, sub_av in av:
            if sub_op is _c.LITERAL:
                chars.add(chr(sub_av))
            elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] < _MAX_LITERALS:
                chars.update(map(chr, range(sub_av[0], sub_av[1] + 1)))
            else:
                return None  # negated sets, categories (\d, \s), wide ranges
        return chars if len(chars) <= _MAX_LITERALS else None
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return {""}  # zero-width: it restricts matches but consumes nothing
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _exact_seq(list(sub)) if not (add_flags or del_flags) else None
    if op is _c.ATOMIC_GROUP:
        return _exact_seq(list(av))
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            strings = _exact_seq(list(alt))
            if strings is None:
                return None
            out |= strings
        return out if len(out) <= _MAX_LITERALS else None
    if op in _REPEATS:
        low, high, sub = av
        if low == high == 1:
            return _exact_seq(list(sub))
    return None


def _exact_seq(items: list[Any]) -> set[str] | None:
    out = {""}
    for item in items:
        strings = _exact(item)
        if strings is None:
            return None
        out = {a + b for a in out for b in strings}
        if len(out) > _MAX_LITERALS:
            return None
    return out


def _required(items: list[Any]) -> set[str] | None:
    """A set of strings one of which every match of the sequence `items` contains."""
    candidates: list[set[str]] = []
    run = {""}
    for item in [*items, None]:
        if item is not None and item[0] is _c.ASSERT:
            # a positive lookaround consumes nothing, but what it requires is in the text
            inner = _required(list(item[1][1]))
            if inner:
                candidates.append(inner)
            continue
        strings = _exact(item) if item is not None else None
        if strings is not None:
            product = {a + b for a in run for b in strings}
            if len(product) <= _MAX_LITERALS:
                run = product
                continue
            candidates.append(run)  # too many combinations: keep what came before
            run = strings
            continue
        candidates.append(run)
        run = {""}
        if item is None:
            break
        op, av = item
        inner: set[str] | None = None
        if op in (_c.SUBPATTERN, _c.ATOMIC_GROUP):
            sub = av[3] if op is _c.SUBPATTERN else av
            if op is _c.ATOMIC_GROUP or not (av[1] or av[2]):
                inner = _required(list(sub))
        elif op is _c.BRANCH:
            alts = [_required(list(alt)) for alt in av[1]]
            if all(alts):
                inner = set().union(*alts)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(list(av[2]))
        if inner:
            candidates.append(inner)
    usable = [c for c in candidates if c and "" not in c]
    if not usable:
        return None
    # The most selective requirement: longest shortest string, then fewest strings.
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)))


@dataclass(frozen=True)
class Rule:
    """One rule of a rules file; `source` names the file it came from."""

    id: str
    category: str
    patterns: tuple[str, ...]
    kind: str = "line"
    zone: str = "any"
    #: evidence the rule gives: 1 needs another clue (edge zone, a removed neighbour),
    #: 2 removes a line that is not a real sentence, 3 removes even a sentence.
    weight: int = 2
    #: lines longer than this (in characters) are prose, never this boilerplate
    max_chars: int = 80
    #: the rule describes sentences (notices, disclaimers): no penalty for prose
    sentence_ok: bool = False
    match_examples: tuple[str, ...] = ()
    keep_examples: tuple[str, ...] = ()
    source: str = PACKAGED_SOURCE


@dataclass
class RuleSet:
    """The effective rules: packaged ones, overridden or extended by user files.

    Picklable: it holds only text; compiled patterns are built lazily in `_compiled`
    and dropped when pickled.
    """

    rules: tuple[Rule, ...]
    sources: tuple[tuple[str, str], ...]
    template_never: tuple[str, ...] = ()
    #: labels of buttons, tabs and toolbar links (the `[buttons]` table): a line made of
    #: them and nothing else (counters aside) is a toolbar
    buttons: frozenset[str] = frozenset()
    _compiled: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)
    _never: list[Any] | None = field(default=None, repr=False, compare=False)
    _by_weight: list[Rule] = field(default_factory=list, repr=False, compare=False)
    #: literal gates of all rules (in `_by_weight` order) and of the `span` rules (in
    #: file order, the order `spans` reports ties in)
    _gate: _Gate | None = field(default=None, repr=False, compare=False)
    #: (rule, compiled pattern) of every pattern, in `_by_weight` order: what `_gate` gates
    _entries: list[tuple[Rule, Any]] = field(default_factory=list, repr=False, compare=False)
    _span_rules: list[Rule] = field(default_factory=list, repr=False, compare=False)
    _span_gate: _Gate | None = field(default=None, repr=False, compare=False)
    _max_chars: int = field(default=0, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._compiled = None
        self._never = None
        self._gate = None
        self._span_gate = None

    @property
    def digest(self) -> str:
        """``sha256:...`` of the rule sources, for the report's ``versions.rules``."""
        h = hashlib.sha256()
        for name, text in self.sources:
            h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
        return "sha256:" + h.hexdigest()

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def matches(self, rule_id: str, view: str) -> bool:
        """True when rule `rule_id` (of any kind) fires on `view`; False for an unknown
        or disabled id."""
        patterns = self.compiled().get(rule_id)
        if not patterns:
            return False
        rule = self.get(rule_id)
        return len(view) <= rule.max_chars and any(_search(p, view, rule) for p in patterns)

    def compiled(self) -> dict[str, list[Any]]:
        """One compiled alternation per rule (one scan of a line per rule, not per pattern)."""
        if self._compiled is None:
            self._compiled = {
                r.id: [_compile("|".join(f"(?:{p})" for p in r.patterns))] for r in self.rules
            }
            # Strongest rules first, so the first hit of a line is its answer; among equals
            # a user's rule (more specific to the user's sites) names the removal.
            self._by_weight = sorted(
                self.rules, key=lambda r: (-r.weight, r.source == PACKAGED_SOURCE)
            )
            # Line rules are gated pattern by pattern: a rule with one pattern on a
            # common literal (`：`) would otherwise run all its patterns on most lines.
            self._entries = [(rule, _compile(p)) for rule in self._by_weight
                             for p in rule.patterns]
            self._gate = _Gate.build([Rule(id=r.id, category=r.category, patterns=(p.pattern,))
                                      for r, p in self._entries])
            self._span_rules = [r for r in self.rules if r.kind == "span"]
            self._span_gate = _Gate.build(self._span_rules)
            self._max_chars = max((r.max_chars for r in self.rules), default=0)
        return self._compiled

    def of_kind(self, *kinds: str) -> list[Rule]:
        return [r for r in self.rules if r.kind in kinds]

    def line_hit(self, view: str, kinds: Sequence[str] = ("line", "header")) -> Rule | None:
        """The strongest rule of `kinds` whose pattern is found in `view` (first in file
        order among equals), or None. A timeout raises `InputError`."""
        self.compiled()  # builds the gate
        gate = self._gate
        assert gate is not None
        if len(view) > self._max_chars:
            return None
        # Only patterns whose literals occur can match; `candidates` keeps weight order
        # (rule by rule, then pattern by pattern), so the first hit names the rule.
        entries = self._entries
        for k in gate.candidates(view):
            rule, pattern = entries[k]
            if rule.kind not in kinds or len(view) > rule.max_chars:
                continue
            if _search(pattern, view, rule):
                return rule
        return None

    def may_have_spans(self, text: str) -> bool:
        """False when no `span` rule can match anywhere in `text` (a whole document:
        one scan, then no line needs `spans`)."""
        self.compiled()
        gate = self._span_gate
        assert gate is not None
        return bool(gate.candidates(text))

    def spans(self, text: str) -> list[tuple[int, int, Rule]]:
        """Non-overlapping (start, end, rule) spans of `span` rules in `text`, in order."""
        found: list[tuple[int, int, Rule]] = []
        compiled = self.compiled()
        gate = self._span_gate
        assert gate is not None
        for k in gate.candidates(text):  # only rules whose literals occur can match
            rule = self._span_rules[k]
            for pattern in compiled[rule.id]:
                for m in _finditer(pattern, text, rule):
                    if m.end() > m.start():
                        found.append((m.start(), m.end(), rule))
        found.sort(key=lambda s: (s[0], -s[1]))
        merged: list[tuple[int, int, Rule]] = []
        for start, end, rule in found:
            if merged and start < merged[-1][1]:
                continue
            merged.append((start, end, rule))
        return merged

    def is_template_exempt(self, key_text: str) -> bool:
        """True when a line may never be a template line (a document's own routing
        lines, closing formulae, common section headings: see ``[template] never``)."""
        if self._never is None:
            self._never = [_compile(p) for p in self.template_never]
        return any(p.search(key_text) for p in self._never)


@dataclass
class _Gate:
    """Which of some rules can possibly match a text, from one scan for their literals.

    `candidates` returns the positions (in the list the gate was built from) of the
    rules worth running, in that order.
    """

    #: every required literal in one Aho-Corasick automaton: one pass in C reports
    #: each occurrence of each literal, overlapping ones included (3x faster than a
    #: trie-shaped `re` pattern restarted after each hit, measured on the bench corpus)
    scanner: Any | None
    #: literal -> positions of the rules that require it
    ranks_of: dict[str, frozenset[int]]
    #: positions of rules without a gate: always run
    always: frozenset[int]

    @classmethod
    def build(cls, rules: Sequence[Rule]) -> _Gate:
        needs: dict[str, set[int]] = {}
        always: set[int] = set()
        for rank, rule in enumerate(rules):
            literals: set[str] = set()
            for pattern in rule.patterns:
                found = required_literals(pattern)
                if found is None:
                    always.add(rank)
                    break
                literals |= found
            else:
                for literal in literals:
                    needs.setdefault(literal, set()).add(rank)
        scanner = None
        if needs:
            scanner = ahocorasick.Automaton()
            for literal in needs:
                scanner.add_word(literal, literal)
            scanner.make_automaton()
        return cls(scanner, {k: frozenset(v) for k, v in needs.items()}, frozenset(always))

    def candidates(self, text: str) -> list[int]:
        """Positions of the rules that may match `text`, in order."""
        found = set(self.always)
        if self.scanner is not None:
            ranks_of = self.ranks_of
            # the patterns are case-insensitive
            for _, literal in self.scanner.iter(text.casefold()):
                found |= ranks_of[literal]
        return sorted(found)


def _compile(pattern: str) -> Any:
    return regex.compile(pattern, regex.IGNORECASE)


def _search(pattern: Any, text: str, rule: Rule) -> bool:
    try:
        return pattern.search(text, timeout=RUN_TIMEOUT) is not None
    except TimeoutError:
        raise InputError(
            f"rule {rule.id!r} timed out after {RUN_TIMEOUT}s on a line of {len(text)} "
            f"characters; fix its pattern in {rule.source} (check it with "
            f"`cleancorp rules check`)"
        ) from None


def _finditer(pattern: Any, text: str, rule: Rule) -> list[Any]:
    try:
        return list(pattern.finditer(text, timeout=RUN_TIMEOUT))
    except TimeoutError:
        raise InputError(
            f"rule {rule.id!r} timed out after {RUN_TIMEOUT}s on a line of {len(text)} "
            f"characters; fix its pattern in {rule.source}"
        ) from None


# -- loading ------------------------------------------------------------------


def _parse(text: str, source: str) -> tuple[list[Rule], list[str], list[str], list[str], set[str]]:
    """Rules, template exemptions, disabled ids, problems and button labels of one rules
    file."""
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [], [], [f"{source}: not valid TOML: {exc}"], set()
    for key in data:
        if key not in _KNOWN_TOP_KEYS:
            problems.append(f"{source}: unknown top-level key {key!r}")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("rule", []), 1):
        where = f"{source}: rule {n}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a table")
            continue
        rid = raw.get("id")
        if not isinstance(rid, str) or not regex.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rid):
            problems.append(f"{where}: 'id' must be a kebab-case string, got {rid!r}")
            continue
        where = f"{source}: rule {rid!r}"
        if rid in seen:
            problems.append(f"{where}: defined twice")
        seen.add(rid)
        for key in raw:
            if key not in _KNOWN_RULE_KEYS:
                problems.append(f"{where}: unknown key {key!r}")
        patterns = raw.get("patterns")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not patterns or not all(isinstance(p, str) and p for p in patterns):
            problems.append(f"{where}: 'patterns' must be a non-empty list of strings")
            continue
        examples = raw.get("examples", {})
        kind, zone = raw.get("kind", "line"), raw.get("zone", "any")
        weight, max_chars = raw.get("weight", 2), raw.get("max_chars", 80)
        if kind not in KINDS:
            problems.append(f"{where}: 'kind' must be one of {sorted(KINDS)}, got {kind!r}")
        if zone not in ZONES:
            problems.append(f"{where}: 'zone' must be one of {sorted(ZONES)}, got {zone!r}")
        if weight not in (1, 2, 3):
            problems.append(f"{where}: 'weight' must be 1, 2 or 3, got {weight!r}")
        if not isinstance(max_chars, int) or max_chars < 1:
            problems.append(f"{where}: 'max_chars' must be a positive integer")
        if not isinstance(raw.get("category", ""), str) or not raw.get("category"):
            problems.append(f"{where}: 'category' is required")
        match = tuple(examples.get("match", ())) if isinstance(examples, dict) else ()
        keep = tuple(examples.get("keep", ())) if isinstance(examples, dict) else ()
        if not match:
            problems.append(f"{where}: needs at least one example in 'examples.match'")
        rules.append(
            Rule(
                id=rid,
                category=str(raw.get("category", "")),
                patterns=tuple(patterns),
                kind=kind,
                zone=zone,
                weight=weight if isinstance(weight, int) else 2,
                max_chars=max_chars if isinstance(max_chars, int) else 80,
                sentence_ok=bool(raw.get("sentence_ok", False)),
                match_examples=match,
                keep_examples=keep,
                source=source,
            )
        )
    template = data.get("template", {})
    never = list(template.get("never", [])) if isinstance(template, dict) else []
    disable = data.get("disable", [])
    if not isinstance(disable, list):
        problems.append(f"{source}: 'disable' must be a list of rule ids")
        disable = []
    buttons, button_problems = _parse_buttons(data.get("buttons", {}), source)
    return rules, never, [str(d) for d in disable], problems + button_problems, buttons


def _parse_buttons(raw: Any, source: str) -> tuple[set[str], list[str]]:
    """The `[buttons]` table: `words`, and examples of toolbar lines (`examples.match`)
    and of lines that are not (`examples.keep`), checked with `is_button_row`."""
    if not isinstance(raw, dict):
        return set(), [f"{source}: 'buttons' must be a table"]
    words = raw.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        return set(), [f"{source}: 'buttons.words' must be a list of non-empty strings"]
    found = {w.strip().casefold() for w in words}
    problems = []
    examples = raw.get("examples", {})
    for example in examples.get("match", ()) if isinstance(examples, dict) else ():
        if not button_row(match_view(example), found):
            problems.append(f"{source}: buttons: example is not a toolbar: {example!r}")
    for example in examples.get("keep", ()) if isinstance(examples, dict) else ():
        if button_row(match_view(example), found):
            problems.append(f"{source}: buttons: 'keep' example is a toolbar: {example!r}")
    return found, problems


#: What separates the labels of a toolbar, and the counters beside them (`点赞(48)`,
#: `评论 12`, `收藏 1.2万`).
_BUTTON_SEP_RE = regex.compile(r"[\s|｜│/·•:：,，\[\]【】<>«»‹›←→↑↓∨∧▼▲▽△]+")
_BUTTON_COUNT_RE = regex.compile(r"[(（\[]?\s*[\d,.]+\s*[万千kKwW+]*\s*[)）\]]?")


#: A toolbar is short: longer lines are not tried (most lines of a page are longer).
BUTTON_ROW_MAX = 60


def button_row(view: str, buttons: frozenset[str] | set[str]) -> int:
    """How many button labels `view` is made of, or 0 when anything else is in it.

    >>> words = {"回复", "举报", "使用道具", "点赞"}
    >>> button_row("回复 使用道具 举报", words), button_row("点赞(48) | 回复", words)
    (3, 2)
    >>> button_row("回复楼主的问题", words), button_row("12", words)
    (0, 0)
    """
    if len(view) > BUTTON_ROW_MAX or "。" in view:
        return 0  # a sentence, not a toolbar
    labels = 0
    for token in _BUTTON_SEP_RE.split(_BUTTON_COUNT_RE.sub(" ", view)):
        if not token:
            continue
        if token.casefold() not in buttons:
            return 0
        labels += 1
    return labels


def rule_problems(rule: Rule) -> list[str]:
    """What is wrong with one rule: patterns that do not compile, examples that do not
    behave, patterns over the time budget on (repeated) examples.

    >>> bad = Rule("x", "test", ("(当前位置",), match_examples=("当前位置：首页",))
    >>> rule_problems(bad)[0].startswith("rule 'x': pattern 1 does not compile")
    True
    """
    problems: list[str] = []
    compiled = []
    for n, pattern in enumerate(rule.patterns, 1):
        try:
            compiled.append(_compile(pattern))
        except regex.error as exc:
            problems.append(f"rule {rule.id!r}: pattern {n} does not compile: {exc}")
    if problems:
        return problems
    for example in (*rule.match_examples, *rule.keep_examples):
        stress = (example + " ") * max(1, STRESS_CHARS // (len(example) + 1))
        for n, pattern in enumerate(compiled, 1):
            for text in (example, stress):
                try:
                    pattern.search(text, timeout=CHECK_TIMEOUT)
                except TimeoutError:
                    problems.append(
                        f"rule {rule.id!r}: pattern {n} exceeds {CHECK_TIMEOUT}s on "
                        f"{len(text)} characters built from example {example!r}"
                    )
    if problems:
        return problems
    for example in rule.match_examples:
        if not example_matches(rule, compiled, example):
            problems.append(f"rule {rule.id!r}: example does not match: {example!r}")
    for example in rule.keep_examples:
        if example_matches(rule, compiled, example):
            problems.append(f"rule {rule.id!r}: 'keep' example matches: {example!r}")
    return problems


def example_matches(rule: Rule, compiled: Sequence[Any], example: str) -> bool:
    """Does `rule` fire on `example` as the filter would see it (list marks stripped for
    line rules, `max_chars` honoured)?"""
    if rule.kind == "span":
        text = example.replace("\xa0", " ")
        return any(p.search(text) for p in compiled)
    view = match_view(example)
    if len(view) > rule.max_chars:
        return False
    return any(p.search(view) for p in compiled)


def _packaged_text() -> str:
    return resources.files(__package__).joinpath(PACKAGED_RULES).read_text(encoding="utf-8")


def load_rules(extra_paths: Iterable[str | Path] = ()) -> RuleSet:
    """The packaged rules, then each user file in order: a user rule with the id of an
    earlier one replaces it, a new id is added, and ``disable = [ids]`` switches rules
    off. A user file with problems raises `ConfigError` naming the file."""
    text = _packaged_text()
    rules, never, _, problems, buttons = _parse(text, PACKAGED_SOURCE)
    if problems:  # pragma: no cover - the test suite keeps the packaged file valid
        raise ConfigError("boilerplate.extra_rules", "; ".join(problems))
    by_id: dict[str, Rule] = {r.id: r for r in rules}
    sources = [(PACKAGED_RULES, text)]
    for path in extra_paths:
        path = Path(path)
        try:
            user_text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("boilerplate.extra_rules", f"cannot read {path}: {exc}") from None
        user_rules, user_never, disable, user_problems, user_buttons = _parse(user_text, str(path))
        user_problems += [p for r in user_rules for p in rule_problems(r)]
        if user_problems:
            raise ConfigError(
                "boilerplate.extra_rules",
                "; ".join(user_problems) + f" (run `cleancorp rules check {path}`)",
            )
        for rid in disable:
            by_id.pop(rid, None)
        for rule in user_rules:
            by_id[rule.id] = rule
        never += user_never
        buttons |= user_buttons
        sources.append((str(path), user_text))
    return RuleSet(rules=tuple(by_id.values()), sources=tuple(sources),
                   template_never=tuple(never), buttons=frozenset(buttons))


def check_rules_file(path: str | Path) -> list[str]:
    """Problems of a user rules file (empty = valid): TOML and schema errors, patterns
    that do not compile, examples that do not behave, patterns over the time budget."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot read: {exc}"]
    rules, never, _, problems, _ = _parse(text, str(path))
    for rule in rules:
        problems += [f"{path}: {p}" for p in rule_problems(rule)]
    for pattern in never:
        try:
            _compile(pattern)
        except regex.error as exc:
            problems.append(f"{path}: template.never pattern {pattern!r} does not compile: {exc}")
    return problems
