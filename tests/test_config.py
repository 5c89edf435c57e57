"""Configuration (SPEC section 4): one strict schema for cleancorp.toml and pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleancorp.config import build_config, load_config, parse_fail_on, parse_size
from cleancorp.errors import ConfigError


def test_top_level_cleancorp_toml_and_filter_tables(tmp_path: Path) -> None:
    (tmp_path / "cleancorp.toml").write_text(
        'skip = ["unicode"]\njobs = 3\nreport = "r.jsonl"\n[encode]\nmax_bytes = "1KB"\n',
        encoding="utf-8")
    config = load_config({}, cwd=tmp_path)
    assert config.jobs == 3 and config.skip == ("unicode",)
    assert config.report == str(tmp_path / "r.jsonl")  # relative to the config file
    assert config.options_for("encode").max_bytes == 1024
    assert "unicode" not in config.enabled_filters()


def test_pyproject_tool_table_and_cli_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.cleancorp]\njobs = 4\nreport_level = "removals"\n',
        encoding="utf-8")
    config = load_config({"jobs": 1}, cwd=tmp_path)
    assert config.jobs == 1 and config.report_level == "removals"


def test_no_config_ignores_files(tmp_path: Path) -> None:
    (tmp_path / "cleancorp.toml").write_text("jobs = 3\n", encoding="utf-8")
    assert load_config({}, cwd=tmp_path, no_config=True).jobs == 0


@pytest.mark.parametrize(("settings", "key"), [
    ({"jbos": 2}, "jbos"),
    ({"jobs": "two"}, "jobs"),
    ({"report_level": "everything"}, "report_level"),
    ({"skip": ["unicod"]}, "skip"),
    ({"encode": {"max_byte": 3}}, "encode.max_byte"),
    ({"encode": {"max_bytes": "huge"}}, "max_bytes"),
    ({"fail_on": ["removed>0.5"]}, "fail_on"),
    ({"corpus": "yes"}, "corpus"),
])
def test_unknown_keys_and_bad_values_name_the_key(settings: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config(settings)
    assert info.value.key.endswith(key) or key in str(info.value)


def test_error_names_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "cleancorp.toml"
    path.write_text("[unicode]\nstrict = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cleancorp.toml: unicode.strict: unknown key"):
        load_config({}, cwd=tmp_path)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "cleancorp.toml").write_text("jobs = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config({}, cwd=tmp_path)


def test_only_keeps_decode_and_encode() -> None:
    assert build_config({"only": "unicode"}).enabled_filters() == ["decode", "unicode", "encode"]


def test_sizes_and_thresholds() -> None:
    assert parse_size("2MB") == 2 * 1024 * 1024
    with pytest.raises(ConfigError):
        parse_size("0")
    t = parse_fail_on("errors>0")
    assert t.crossed(1) and not t.crossed(0)
    assert parse_fail_on("dropped-docs >= 10").crossed(10)


def test_digest_ignores_where_outputs_go() -> None:
    a = build_config({"output": "x", "jobs": 1})
    b = build_config({"output": "y", "jobs": 2})
    c = build_config({"skip": ["unicode"]})
    assert a.digest() == b.digest() != c.digest()
