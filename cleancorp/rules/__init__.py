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

import regex

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
# breadcrumb; "- 1. 本站..." is a site notice).
_LEAD_RE = regex.compile(r"^(?:[\s•●○■▪▫◆◇►▶➤·\-*+>»]+|\d{1,2}\s*[.、．]\s*)+")

_KNOWN_RULE_KEYS = frozenset(
    {"id", "category", "kind", "zone", "weight", "max_chars", "patterns", "examples",
     "sentence_ok", "comment"}
)
_KNOWN_TOP_KEYS = frozenset({"schema", "rule", "template", "disable"})


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
    _compiled: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)
    _never: list[Any] | None = field(default=None, repr=False, compare=False)
    _by_weight: list[Rule] = field(default_factory=list, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._compiled = None
        self._never = None

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
        return self._compiled

    def of_kind(self, *kinds: str) -> list[Rule]:
        return [r for r in self.rules if r.kind in kinds]

    def line_hit(self, view: str, kinds: Sequence[str] = ("line", "header")) -> Rule | None:
        """The strongest rule of `kinds` whose pattern is found in `view` (first in file
        order among equals), or None. A timeout raises `InputError`."""
        compiled = self.compiled()
        for rule in self._by_weight:
            if rule.kind not in kinds or len(view) > rule.max_chars:
                continue
            if any(_search(p, view, rule) for p in compiled[rule.id]):
                return rule
        return None

    def spans(self, text: str) -> list[tuple[int, int, Rule]]:
        """Non-overlapping (start, end, rule) spans of `span` rules in `text`, in order."""
        found: list[tuple[int, int, Rule]] = []
        compiled = self.compiled()
        for rule in self.rules:
            if rule.kind != "span":
                continue
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


def _parse(text: str, source: str) -> tuple[list[Rule], list[str], list[str], list[str]]:
    """Rules, template exemptions, disabled ids and problems of one rules file."""
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [], [], [f"{source}: not valid TOML: {exc}"]
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
    return rules, never, [str(d) for d in disable], problems


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
    rules, never, _, problems = _parse(text, PACKAGED_SOURCE)
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
        user_rules, user_never, disable, user_problems = _parse(user_text, str(path))
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
        sources.append((str(path), user_text))
    return RuleSet(rules=tuple(by_id.values()), sources=tuple(sources),
                   template_never=tuple(never))


def check_rules_file(path: str | Path) -> list[str]:
    """Problems of a user rules file (empty = valid): TOML and schema errors, patterns
    that do not compile, examples that do not behave, patterns over the time budget."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot read: {exc}"]
    rules, never, _, problems = _parse(text, str(path))
    for rule in rules:
        problems += [f"{path}: {p}" for p in rule_problems(rule)]
    for pattern in never:
        try:
            _compile(pattern)
        except regex.error as exc:
            problems.append(f"{path}: template.never pattern {pattern!r} does not compile: {exc}")
    return problems
