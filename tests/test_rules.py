"""Boilerplate rules as data: every packaged rule's own examples, user files, `rules check`."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from cleancorp import rules as rules_mod
from cleancorp.document import Document
from cleancorp.errors import ConfigError, InputError
from cleancorp.filters.boilerplate import BoilerplateFilter, BoilerplateOptions
from cleancorp.rules import check_rules_file, load_rules, rule_problems

PACKAGED = load_rules()

GOOD_USER_FILE = """
disable = ["chapter-nav"]

[[rule]]
id = "my-site-footer"
category = "notice"
weight = 2
patterns = ['某某网\\s*版权所有']
examples.match = ["某某网 版权所有"]
examples.keep = ["某某网站的版权问题很复杂。"]

[[rule]]
id = "breadcrumb"
category = "navigation"
weight = 3
patterns = ['^导航\\s*[:：]']
examples.match = ["导航：首页"]
"""


@pytest.mark.parametrize("rule", PACKAGED.rules, ids=lambda r: r.id)
def test_packaged_rule_examples(rule: rules_mod.Rule) -> None:
    assert rule.match_examples, "every rule carries examples that must match"
    assert rule_problems(rule) == []


def test_rule_ids_unique_and_kebab() -> None:
    ids = [r.id for r in PACKAGED.rules]
    assert len(ids) == len(set(ids))
    assert all(r.kind in rules_mod.KINDS and r.zone in rules_mod.ZONES for r in PACKAGED.rules)


def test_packaged_file_checks_clean() -> None:
    path = Path(rules_mod.__file__).with_name("boilerplate.toml")
    assert check_rules_file(path) == []


def test_user_file_adds_overrides_and_disables(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD_USER_FILE, encoding="utf-8")
    assert check_rules_file(path) == []
    merged = load_rules([path])
    ids = {r.id for r in merged.rules}
    assert "my-site-footer" in ids and "chapter-nav" not in ids
    assert merged.get("breadcrumb").source == str(path)
    assert merged.line_hit("当前位置：首页 > 正文") is None  # the packaged breadcrumb is replaced
    assert merged.line_hit("导航：首页").id == "breadcrumb"
    assert merged.digest != PACKAGED.digest and merged.digest.startswith("sha256:")


def test_filter_uses_extra_rules(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD_USER_FILE, encoding="utf-8")
    f = BoilerplateFilter(BoilerplateOptions(extra_rules=(str(path),)))
    doc = Document.from_text("正文第一段，介绍基本情况。\n某某网 版权所有")
    f.apply(doc)
    assert doc.lines == ["正文第一段，介绍基本情况。"]
    assert doc.changes[0].rule == "my-site-footer"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['(未闭合']\nexamples.match = ['a']\n",
         "does not compile"),
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['^版权']\n"
         "examples.match = ['本站版权']\n",
         "example does not match"),
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['版权']\nexamples.match = ['版权']\n"
         "examples.keep = ['版权法']\n", "'keep' example matches"),
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['(a|aa)+$']\n"
         "examples.match = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!a']\n", "exceeds"),
        ("[[rule]]\nid = 'Bad_Id'\ncategory = 'c'\npatterns = ['x']\nexamples.match = ['x']\n",
         "kebab-case"),
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['x']\nexamples.match = ['x']\n"
         "wieght = 2\n", "unknown key 'wieght'"),
        ("[[rule]]\nid = 'x'\ncategory = 'c'\npatterns = ['x']\n", "needs at least one example"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_check_rules_file_problems(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    problems = check_rules_file(path)
    assert any(problem in p for p in problems), problems
    with pytest.raises(ConfigError):
        load_rules([path])


def test_missing_user_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules([tmp_path / "absent.toml"])
    assert check_rules_file(tmp_path / "absent.toml")


def test_ruleset_pickles_without_compiled_patterns() -> None:
    rs = load_rules()
    assert rs.line_hit("浙ICP备12345678号").id == "icp-notice"  # compiles lazily
    clone = pickle.loads(pickle.dumps(rs))
    assert clone._compiled is None
    assert clone.digest == rs.digest
    assert clone.line_hit("浙ICP备12345678号").id == "icp-notice"


def test_runtime_timeout_fails_the_file_without_edits(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "slow.toml"
    path.write_text(
        "[[rule]]\nid = 'slow'\ncategory = 'c'\nmax_chars = 200\npatterns = ['(a|aa)+$']\n"
        "examples.match = ['aa']\n",
        encoding="utf-8",
    )
    f = BoilerplateFilter(BoilerplateOptions(extra_rules=(str(path),)))
    f.rules()  # loading checks examples with the normal budget: these are tiny
    monkeypatch.setattr(rules_mod, "RUN_TIMEOUT", 0.01)
    text = "当前位置：首页 > 正文\n" + "a" * 60 + "!"
    doc = Document.from_text(text)
    with pytest.raises(InputError, match="rule 'slow' timed out"):
        f.apply(doc)
    assert doc.changes == [] and doc.text == text
