"""Do no harm: text that is already clean comes out byte-identical.

The golden set is `fixtures/clean/`: clean texts of many genres (prose with blank
lines, classical Chinese, verse, dialogue, drama, legal clauses, lists, tables, tech
notes, Markdown, glossaries, traditional Chinese and Cantonese, letters, news,
English). Each must pass through the default pipeline unchanged; traditional and
Cantonese files with `--t2s off`, as a user who keeps traditional text runs it. A
Hypothesis property mixes paragraphs of these genres into new documents, which must
come out unchanged too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cleancorp.config import build_config
from cleancorp.document import Document
from cleancorp.pipeline import Pipeline, output_text

CLEAN = FIXTURES / "clean"
GOLDEN = sorted(CLEAN.glob("*.txt"))
#: Files in traditional characters: kept as they are only with --t2s off.
TRADITIONAL = ("traditional", "cantonese")

DEFAULT = Pipeline.from_config(build_config({"corpus": False}))
T2S_OFF = Pipeline.from_config(build_config({"corpus": False, "t2s": "off"}))

EXAMPLES = int(os.environ.get("CLEANCORP_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CLEANCORP_FUZZ_EXAMPLES"
                not in os.environ, suppress_health_check=[HealthCheck.too_slow])


def genre(path: Path) -> str:
    return re.sub(r"_?\d*$", "", path.stem)


def pipeline_for(path: Path) -> Pipeline:
    return T2S_OFF if genre(path) in TRADITIONAL else DEFAULT


def clean(pipeline: Pipeline, text: str) -> list[str]:
    kept, _ = pipeline.run([Document(source="x", raw=text.encode("utf-8"))])
    return [output_text(d) for d in kept]


def test_the_golden_set_is_broad() -> None:
    genres = {genre(p) for p in GOLDEN}
    assert len(GOLDEN) >= 40 and len(genres) >= 12, (len(GOLDEN), sorted(genres))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_clean_text_comes_out_byte_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert clean(pipeline_for(path), text) == [text]


def test_golden_set_through_the_command_line(tmp_path: Path) -> None:
    """The same through a real process: a folder in, the same bytes out."""
    out = tmp_path / "out"
    simplified = [p for p in GOLDEN if genre(p) not in TRADITIONAL]
    for p in simplified:
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / p.name).write_bytes(p.read_bytes())
    result = subprocess.run([sys.executable, "-m", "cleancorp", "clean", str(tmp_path / "in"),
                             "-o", str(out), "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for p in simplified:
        assert (out / p.name).read_bytes() == p.read_bytes(), p.name


def _blocks() -> list[str]:
    """Paragraph blocks (text between blank lines) of the simplified golden files."""
    blocks: list[str] = []
    for p in GOLDEN:
        if genre(p) in TRADITIONAL:
            continue
        text = p.read_text(encoding="utf-8")
        if "```" in text:
            blocks.append(text.rstrip("\n"))  # a fence must not be cut in two
            continue
        blocks.extend(b for b in text.rstrip("\n").split("\n\n") if b.strip())
    return blocks


BLOCKS = _blocks()
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@FUZZ
@given(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=6, unique=True))
def test_clean_paragraphs_in_any_mix_come_out_unchanged(blocks: list[str]) -> None:
    text = "\n\n".join(blocks) + "\n"
    assume(len(CJK_RE.findall(text)) >= 20)  # shorter documents are dropped by `length`
    assert clean(DEFAULT, text) == [text]


def test_markdown_capture_loses_its_chrome_and_keeps_every_construct() -> None:
    """A crawler's Markdown capture of a news page (front matter, link-list menus, share
    images, a comment box, an author card, related lists, a footer) comes out as the
    article alone, and every line kept is the input's line byte for byte: headings,
    inline links, an image, code spans, a fence, an ordered list."""
    page = FIXTURES / "pages" / "markdown_capture.txt"
    text = page.read_text(encoding="utf-8")
    expected = page.with_suffix(".expected.txt").read_text(encoding="utf-8")
    assert clean(DEFAULT, text) == [expected]
    source_lines = set(text.splitlines())
    assert all(line in source_lines for line in expected.splitlines())
    for construct in ("# 某某路由器", "[安全公告](https://vendor.example.com/advisory/2024-007)",
                      "![图1 攻击流程示意](https://p0.example-sec.com/t01.png)", "```bash",
                      "`ping.cgi`", "## 修复建议", "1. 尽快升级"):
        assert construct in expected
