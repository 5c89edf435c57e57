"""The dedup filter: repeats within a document, duplicates and passages across the corpus."""

from __future__ import annotations

import json
import pickle
import random
import shutil
import time
from pathlib import Path

import pytest

from cleancorp.chardata import COMMON_HAN
from cleancorp.document import Document
from cleancorp.filters.dedup import DedupFilter, DedupOptions, edit_distance, find_repeats
from tests.conftest import read_report, run_cli, tree_bytes, without_timing

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "fixtures" / "cases" / "dedup.json").read_text(encoding="utf-8"))
HAN = sorted(COMMON_HAN)


def _apply(text: str) -> Document:
    doc = Document.from_text(text, source="t.txt")
    (out,) = DedupFilter().apply(doc)
    return out


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True)) if c["expect"] == "fail" else c
     for c in CASES],
    ids=lambda c: c["label"],
)
def test_cases(case: dict) -> None:
    assert _apply(case["original"]).text == case["fixed"]


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "pass"], ids=lambda c: c["label"])
def test_idempotent(case: dict) -> None:
    once = _apply(case["original"]).text
    doc = _apply(once)
    assert doc.text == once and doc.changes == []


def test_records_name_the_kept_line() -> None:
    p = "视察中，大家一致认为，建市以来，历届市委、市政府坚持实施科教兴市战略，高新产业发展迅速，创新能力不断增强，成绩显著。"
    doc = _apply("标题\n" + p + "\n\n" + p.replace("显著", "突出") + "\n\n结尾。")
    (change,) = doc.changes
    assert (change.filter, change.rule, change.action, change.line) == ("dedup", "near-repeat", "remove", 4)
    assert change.extra["duplicate_line"] == 2 and 0.9 <= change.extra["similarity"] < 1
    assert change.before == p.replace("显著", "突出") + "\n"  # the blank line after it goes too
    assert doc.text == "标题\n" + p + "\n\n结尾。"


def test_edit_distance_matches_dynamic_programming() -> None:
    rng = random.Random(3)

    def dp(a: str, b: str) -> int:
        row = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            prev, row[0] = row[0], i
            for j, cb in enumerate(b, 1):
                prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        return row[-1]

    for _ in range(300):
        a = "".join(rng.choice("甲乙丙丁") for _ in range(rng.randint(0, 70)))
        b = "".join(rng.choice("甲乙丙丁") for _ in range(rng.randint(0, 70)))
        assert edit_distance(a, b) == dp(a, b)


def test_signature_summary_is_compact_and_picklable() -> None:
    doc = _apply("正文第一段，内容很长很长。" * 50)
    info = doc.meta["dedup"]
    assert set(info) == {"lines", "hash", "sig", "paras"}
    assert len(pickle.dumps(info)) < 1000  # hashes and a signature, no text


def _text(rng: random.Random, n: int) -> str:
    """Chinese-looking prose: common Hanzi with a comma or full stop every few characters."""
    out = []
    for k in range(n):
        out.append(rng.choice(HAN))
        if k % 13 == 12:
            out.append("。" if rng.random() < 0.4 else "，")
    return "".join(out).rstrip("，") + "。"


def _corpus_run(docs: list[Document], state=None, flt: DedupFilter | None = None):
    flt = flt or DedupFilter()
    state = state or flt.open_corpus(index_path=None, check=False)
    kept = []
    for doc in docs:
        (doc,) = flt.apply(doc)
        out = flt.corpus_apply(doc, state)
        kept.extend(out)
        state.commit(out, [d.uid for d in out])
    return kept, state


def test_corpus_exact_near_and_never_transitive() -> None:
    rng = random.Random(11)
    a = "\n".join(_text(rng, 300) for _ in range(6))
    b = a.replace("。", ". ")  # equal after normalisation
    # c is near a; d is near c but not near a: d stays, as c (dropped) is not kept text
    chars = list(a)
    for i in rng.sample(range(len(chars)), 40):
        if chars[i] not in "。，\n":
            chars[i] = rng.choice(HAN)
    c = "".join(chars)
    chars = list(c)
    for i in rng.sample(range(len(chars)), 60):
        if chars[i] not in "。，\n":
            chars[i] = rng.choice(HAN)
    d = "".join(chars)
    docs = [Document.from_text(t, source=f"{n}.txt") for n, t in zip("abcd", [a, b, c, d], strict=True)]
    kept, _ = _corpus_run(docs)
    assert [k.source for k in kept] == ["a.txt", "d.txt"]
    rb, rc = docs[1].changes[-1], docs[2].changes[-1]
    assert (rb.rule, rb.extra) == ("exact-duplicate", {"duplicate_of": "a.txt#0.0", "similarity": 1.0})
    assert rc.rule == "near-duplicate" and rc.extra["duplicate_of"] == "a.txt#0.0"
    assert 0.8 <= rc.extra["similarity"] < 1


def test_corpus_repeated_passage_like_seed_001() -> None:
    """Articles 3 and 4 of seed 001: article 4 repeats article 3's paragraph (xx -> XX)
    but adds its own; as documents they are not near duplicates."""
    rng = random.Random(12)
    para = "xx驾校" + _text(rng, 400)
    art3 = Document.from_text("驾校创新发展经验材料\n" + para, source="s.txt", part=3)
    art4 = Document.from_text("驾校创新发展经验材料\n推进创新发展构建和谐驾校\n" + para.replace("xx", "XX")
                              + "\n" + _text(rng, 200), source="s.txt", part=4)
    kept, state = _corpus_run([art3, art4])
    assert len(kept) == 2
    change = art4.changes[-1]
    assert (change.rule, change.line, change.extra) == (
        "repeated-passage", 3, {"duplicate_of": "s.txt#0.3", "duplicate_line": 2})
    assert art4.lines[:2] == ["驾校创新发展经验材料", "推进创新发展构建和谐驾校"] and len(art4.lines) == 3
    # short lines (the shared title) are not passages
    assert state.output_name("s.txt#0.3") == "s.txt#0.3"


def test_large_list_like_document_does_not_stall() -> None:
    """A list of many similar long items (a product catalogue): candidates come from
    hashed n-grams with a length bound, never from all pairs."""
    rng = random.Random(13)
    items = [f"{n}、商品名称：{_text(rng, 8)} 规格：{rng.randint(1, 999)}克 产地：{_text(rng, 4)} "
             f"说明：本产品采用优质原料精心制作而成，口感细腻，营养丰富，适合各类人群食用。"
             for n in range(20000)]
    items += items[:200]  # a block scraped twice at the end
    text = "\n".join(items)
    start = time.perf_counter()
    doc = _apply(text)
    seconds = time.perf_counter() - start
    mb = len(text.encode()) / 1e6
    print(f"\nlist-like document: {mb:.1f} MB in {seconds:.2f} s ({mb / seconds:.1f} MB/s)")
    assert len(doc.lines) == 20000
    assert seconds < 20


def test_options_are_validated() -> None:
    with pytest.raises(ValueError):
        DedupOptions(num_perm=100)
    with pytest.raises(ValueError):
        DedupOptions(bands=30, rows=5)
    with pytest.raises(ValueError):
        DedupOptions(near_duplicate_threshold=1.5)


def test_find_repeats_title_only_in_header() -> None:
    lines = ["工作总结报告", "今天我们开了一个会议，讨论了明年的工作安排，大家都积极发言。", "工作总结报告"]
    assert find_repeats(lines) == []


# -- the whole tool --------------------------------------------------------------------


def _write_corpus(root: Path) -> None:
    rng = random.Random(14)
    root.mkdir(parents=True)
    template = "本站所有文章均来自网络，如有侵权请联系删除"
    body = [_text(rng, 250) for _ in range(12)]
    (root / "a_first.txt").write_text("城市发展研究报告\n" + "\n".join(body) + "\n" + template + "\n", "utf-8")
    # exact after normalisation (spacing, punctuation)
    (root / "b_copy.txt").write_text("城市发展研究报告\n" + "\n".join(p.replace("，", ", ") for p in body)
                                     + "\n" + template + "\n", "utf-8")
    near = [p if k != 3 else p[:100] + "改动" + p[102:] for k, p in enumerate(body)]
    (root / "c_near.txt").write_text("城市发展研究报告\n" + "\n".join(near) + "\n", "utf-8")
    (root / "d_passage.txt").write_text("另一篇文章\n" + _text(rng, 300) + "\n" + body[5] + "\n"
                                        + _text(rng, 200) + "\n" + template + "\n", "utf-8")
    (root / "e_other.txt").write_text("第一篇：甲文\n" + _text(rng, 300) + "\n第二篇：乙文\n"
                                      + _text(rng, 300) + "\n" + template + "\n", "utf-8")


def _dedup_records(report: Path) -> list[dict]:
    return [r for r in read_report(report) if r.get("filter") == "dedup"]


def test_jobs_do_not_change_outputs_or_report(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write_corpus(raw)
    results = []
    for jobs in ("1", "2"):
        out, rep = tmp_path / f"out{jobs}", tmp_path / f"r{jobs}.jsonl"
        result = run_cli("clean", str(raw), "-o", str(out), "--report", str(rep), "-j", jobs, "-q")
        assert result.exit_code == 0, result.stderr
        results.append((tree_bytes(out), without_timing(read_report(rep))))
    assert results[0] == results[1]
    files, _ = results[0]
    assert sorted(files) == ["a_first.txt", "d_passage.txt", "e_other.001.txt", "e_other.002.txt"]
    drops = {r["input"]: r for r in _dedup_records(tmp_path / "r1.jsonl") if r["action"] == "drop"}
    assert drops["b_copy.txt"]["rule"] == "exact-duplicate"
    assert drops["b_copy.txt"]["duplicate_of"] == "a_first.txt"
    assert drops["c_near.txt"]["rule"] == "near-duplicate" and drops["c_near.txt"]["similarity"] >= 0.8
    (passage,) = [r for r in _dedup_records(tmp_path / "r1.jsonl") if r["rule"] == "repeated-passage"]
    assert (passage["input"], passage["duplicate_of"], passage["duplicate_line"]) == (
        "d_passage.txt", "a_first.txt", 7)


def test_second_run_with_dedup_index(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write_corpus(raw)
    db = tmp_path / "index.sqlite"
    result = run_cli("clean", str(raw), "-o", str(tmp_path / "out1"), "--dedup-index", str(db), "-q", "-j1")
    assert result.exit_code == 0, result.stderr
    # a new batch: renamed copies of the first run's outputs and one new document
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(raw / "a_first.txt", batch / "renamed_a.txt")
    shutil.copy(tmp_path / "out1" / "e_other.002.txt", batch / "renamed_e2.txt")
    (batch / "new.txt").write_text("新的文章\n" + _text(random.Random(99), 300) + "\n", "utf-8")
    before = db.read_bytes()
    check = run_cli("clean", str(batch), "--check", "--dedup-index", str(db), "-q", "-j1")
    assert check.exit_code == 1 and db.read_bytes() == before  # --check adds nothing
    rep = tmp_path / "r2.jsonl"
    result = run_cli("clean", str(batch), "-o", str(tmp_path / "out2"), "--dedup-index", str(db),
                     "--report", str(rep), "-q", "-j1")
    assert result.exit_code == 0, result.stderr
    drops = {r["input"]: r["duplicate_of"] for r in _dedup_records(rep) if r["action"] == "drop"}
    assert drops == {"renamed_a.txt": "a_first.txt", "renamed_e2.txt": "e_other.002.txt"}
    assert sorted(tree_bytes(tmp_path / "out2")) == ["new.txt"]
    # re-running the first batch against the same index completes it instead of
    # dropping its own work
    again = run_cli("clean", str(raw), "-o", str(tmp_path / "out1"), "--dedup-index", str(db),
                    "--force", "-q", "-j1")
    assert again.exit_code == 0
    assert sorted(tree_bytes(tmp_path / "out1")) == [
        "a_first.txt", "d_passage.txt", "e_other.001.txt", "e_other.002.txt"]


def test_corrupt_index_is_a_usage_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("今天天气很好，我们一起去公园散步，看见了很多花。\n", "utf-8")
    db = tmp_path / "index.sqlite"
    db.write_bytes(b"garbage" * 100)
    result = run_cli("clean", str(raw), "-o", str(tmp_path / "out"), "--dedup-index", str(db))
    assert result.exit_code == 2
    assert "not a cleancorp dedup index" in result.stderr
    assert db.read_bytes() == b"garbage" * 100


def test_a_line_written_four_times_in_verse_is_a_refrain_and_stays() -> None:
    """Found by fuzzing: the 'title written twice' exception removed the second of
    four copies, and each further run removed one more."""
    text = "的的的的的\n的的的的的\n的的的的的\n的的的的的\n的的的的的的的的\n的\n的"
    doc = Document.from_text(text)
    DedupFilter().apply(doc)
    assert doc.text == text
    twice = Document.from_text("春晓\n春晓\n春眠不觉晓\n处处闻啼鸟\n夜来风雨声\n花落知多少")
    DedupFilter().apply(twice)
    assert twice.text == "春晓\n春眠不觉晓\n处处闻啼鸟\n夜来风雨声\n花落知多少"
