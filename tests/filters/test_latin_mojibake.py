"""Latin-family mojibake goes to ftfy's repair; Latin text never becomes Hanzi."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.config import build_config
from cleancorp.document import Document
from cleancorp.filters.mojibake import MojibakeFilter, _is_han, fix_mojibake
from cleancorp.pipeline import Pipeline

REPAIRED = [
    # UTF-8 read as CP1252/Latin-1, in English, single and double encoded
    ("We ordered cafÃ© au lait; the naÃ¯ve waiter handed us a rÃ©sumÃ©.",
     "We ordered café au lait; the naïve waiter handed us a résumé."),
    ("It doesnÃ¢â‚¬â„¢t matter.", "It doesn’t matter."),
    ("Ã¼ber cool, seÃ±or", "über cool, señor"),
    # inside Chinese prose
    ("我们在街角点了一杯cafÃ©，味道很好。", "我们在街角点了一杯café，味道很好。"),
]
UNCHANGED = [
    "We ordered café au lait; the naïve waiter handed us a résumé.",
    "Ça va? Très bien, merci. Größe: 42, Øre, Æsir.",
    "The price is 5 € or £4 — “quoted” ‘text’ … done.",
    "我们在街角点了一杯café，味道很好。",
]


@pytest.mark.parametrize(("before", "after"), REPAIRED)
def test_utf8_read_as_latin_is_repaired_like_ftfy(before: str, after: str) -> None:
    assert fix_mojibake(before) == after


@pytest.mark.parametrize("text", UNCHANGED)
def test_valid_latin_text_is_unchanged(text: str) -> None:
    assert fix_mojibake(text) == text


#: Words of Latin-script languages with their accents, and plain English words: the
#: property draws sentences of them (random accented letters are what GBK mojibake
#: looks like, so they are not "Latin text").
WORDS = ("café crème naïve résumé déjà vu façade fiancée élève être où très français "
         "über Größe Straße Mädchen schön Fußball Öl Ärger müde "
         "señor niño mañana año corazón canción Perú "
         "São Paulo coração ação não irmã avô "
         "Ærø Øresund smørrebrød Åland "
         "the and of report price market tea room quick brown fox jumps over lazy dog "
         "Chloë Zoë Noël Björk Dvořák").split()
LATIN_WORDS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=20).map(" ".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(LATIN_WORDS)
def test_latin_text_never_becomes_hanzi(text: str) -> None:
    out = fix_mojibake(text)
    assert not any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in out), out


# --------------------------------------------------------------------------- ftfy's kinds
# Our own cases of the kinds ftfy's public suite has (in-the-wild, synthetic, negative),
# written for this project: the damage is made the way real software makes it (UTF-8
# bytes decoded with a single-byte codec, once or twice, sometimes losing a byte).


def _as(text: str, codec: str) -> str:
    """`text`'s UTF-8 bytes read with `codec` (ftfy's sloppy codecs read every byte)."""
    return text.encode("utf-8").decode(codec)


#: Real-world shapes: Windows-1252, MacRoman and Windows-1251 readings; damage in part
#: of a line only; a non-breaking space that a later step turned into a space; two layers.
IN_THE_WILD = [
    "The committee’s report — “final” — is due on Friday…",
    "Le château était fermé à cause de la grève des employés.",
    "Die Straße war nass, die Bäume grün und die Brücke geöffnet.",
    "¿Dónde está la estación? Mañana salimos a las ocho.",
    "A programação da exposição começa às nove horas.",
    "Grüße aus Zürich, München und Köln",
]
IN_THE_WILD_CASES = [
    *((_as(t, "sloppy-windows-1252"), t) for t in IN_THE_WILD),
    (_as("Un café crème et une crêpe, s’il vous plaît.", "macroman"),
     "Un café crème et une crêpe, s’il vous plaît."),
    (_as("Weekly digest – links, notes and “quotes”", "sloppy-windows-1251"),
     "Weekly digest – links, notes and “quotes”"),
    # a title still fine, the rest of the line misread (inconsistent damage)
    ("Liste des élèves – " + _as("inscrits à l’école", "sloppy-windows-1252"),
     "Liste des élèves – inscrits à l’école"),
    # the non-breaking space after `Ã` (the second byte of `à`) became a plain space
    ("Rendez-vous Ã  la gare, puis Ã  l'hÃ´tel", "Rendez-vous à la gare, puis à l'hôtel"),
    # double encoded
    (_as(_as("naïve café", "sloppy-windows-1252"), "sloppy-windows-1252"), "naïve café"),
    # inside Chinese prose, single and double encoded, beside Chinese punctuation
    ("这家店的" + _as("crème brûlée", "sloppy-windows-1252") + "很有名，价格是5欧元。",
     "这家店的crème brûlée很有名，价格是5欧元。"),
    ("他在" + _as(_as("São Paulo", "sloppy-windows-1252"), "sloppy-windows-1252") + "工作了三年。",
     "他在São Paulo工作了三年。"),
]
#: Made to test one mechanism each: other scripts through Windows-1252, Chinese itself
#: through Windows-1252 (`ä½ å¥½`), a lost byte that became U+FFFD (removed, as SPEC
#: section 2 asks), a C1 control of Windows-1252 read as Latin-1.
SYNTHETIC_CASES = [
    (_as("Καλημέρα κόσμε", "sloppy-windows-1252"), "Καλημέρα κόσμε"),
    (_as("שלום עולם", "sloppy-windows-1252"), "שלום עולם"),
    (_as("Привет, мир", "sloppy-windows-1252"), "Привет, мир"),
    (_as("他说：“这家店的咖啡很好喝。”", "sloppy-windows-1252"), "他说：“这家店的咖啡很好喝。”"),
    ("the â€œlossy quoteâ€\ufffd ends here", "the “lossy quote ends here"),
    ("tout est dit\x85 enfin", "tout est dit… enfin"),
]
#: Valid text that looks a little like mojibake: capitals with tildes, runs of two or
#: three accented letters, Latin-1 symbols, leetspeak, and all of it inside Chinese.
NEGATIVE = [
    "SÃO PAULO, AÇÃO E ORAÇÃO: NÃO É FÁCIL",
    "À BIENTÔT ! ÉTÉ 2024, CRÉÉE À PARIS",
    "pääsy hääyöhön, työpäivä ja yötä",
    "Þórður og Ægir fóru í bæinn; Øystein kom seinna.",
    "½ cup sugar, 2 × 3 cm, 20 °C ± 2, £5 or ¥600 § 4 ¶ 2 © 2024 ®",
    "¡¿Qué?! «Très bien» — dit-il · fin",
    "MÉÑÄK BÄDÄÑ ÌÑÌ GÄLÄW ÑÍCH",
    "Portuguese writes SÃO, IRMÃ and MAÇÃ.",  # (`Ã ` before a space is ftfy's `à `)
    "温度为25°C，误差±0.5，面积为3×4米，《Les Misérables》是雨果的作品。",
    "我们在巴黎喝了café au lait，还去了Zürich和São Paulo。",
]


@pytest.mark.parametrize(("before", "after"), IN_THE_WILD_CASES + SYNTHETIC_CASES)
def test_ftfy_kinds_of_damage_are_repaired(before: str, after: str) -> None:
    assert before != after
    assert fix_mojibake(before) == after


@pytest.mark.parametrize("text", NEGATIVE + IN_THE_WILD)
def test_ftfy_kinds_of_valid_text_stay_unchanged(text: str) -> None:
    assert fix_mojibake(text) == text


def test_gbk_read_as_latin1_is_still_chinese_not_ftfy() -> None:
    # GBK bytes read as Latin-1 hold a few pairs that look like UTF-8 by chance
    # (`ì£¬Ëµ`): ftfy must not take those, the GBK reading wins.
    text = "茶餐厅里聊天，说起周末的计划。"
    damaged = text.encode("gbk").decode("latin-1")
    assert fix_mojibake(damaged) == text


def test_report_names_the_codec_ftfy_undid() -> None:
    doc = Document.from_text(_as("Un café crème", "macroman") + "\n"
                             + _as("Weekly digest – links", "sloppy-windows-1251"))
    MojibakeFilter().apply(doc)
    assert doc.text == "Un café crème\nWeekly digest – links"
    assert {c.rule for c in doc.changes} == {"utf8-as-macroman", "utf8-as-cp1251"}
    assert all(c.extra["status"] == "repaired" for c in doc.changes)


def test_question_marks_and_lost_bytes_in_latin_text_take_no_words() -> None:
    # no double-byte character lost a byte here: only the U+FFFD itself goes
    assert fix_mojibake("Tại sao giá hạt lại lên giá?") == "Tại sao giá hạt lại lên giá?"
    assert fix_mojibake("upgraded to “bb+\ufffd from “bb\ufffd") == "upgraded to “bb+ from “bb"
    assert fix_mojibake("Ру\ufffd\ufffdкий") == "Рукий"


# --------------------------------------------------------------------------- property

#: Latin-1 letters but the three in 0x80-0xBF (ª µ º), which are also continuation
#: bytes of UTF-8.
_ACCENTED = [chr(c) for c in range(0xC0, 0x100) if chr(c) not in "×÷"]
_ASCII_LETTERS = [chr(c) for c in range(0x41, 0x5B)] + [chr(c) for c in range(0x61, 0x7B)]


@st.composite
def latin_words(draw: st.DrawFn) -> str:
    """A word of ASCII and Latin-1 letters with at most three accented letters in a
    row: four in a row are GBK read as Latin-1 (`ÄãºÃ` is 你好), which no cleaner can
    tell from a word, and no Latin-script language writes them."""
    letters = draw(st.lists(st.one_of(st.sampled_from(_ASCII_LETTERS),
                                      st.sampled_from(_ACCENTED)), min_size=1, max_size=12))
    out, run = [], 0
    for ch in letters:
        run = run + 1 if not ch.isascii() else 0
        if run > 3:
            ch, run = "a", 0
        out.append(ch)
    return "".join(out)


#: What stands between words: ASCII and Latin-1 punctuation and symbols, one at a
#: time (two symbols 0x80-0xBF after an accented letter would be a UTF-8 sequence).
_SEPARATORS = [" ", ", ", ". ", "; ", ": ", "! ", "? ", " - ", " (", ") ", "'", "\"",
               " « ", " » ", " ¡", " ¿", "· ", " ½ ", " £", " ° ", " § ", " ± ", "…", " — "]


@st.composite
def latin_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(latin_words(), min_size=1, max_size=15))
    seps = draw(st.lists(st.sampled_from(_SEPARATORS), min_size=len(words),
                         max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps)).strip()


def _has_han(text: str) -> bool:
    return any(_is_han(c) for c in text)


_PIPELINE = Pipeline.from_config(build_config({"skip": ("length",)}))


def _through_pipeline(text: str) -> str:
    kept, _ = _PIPELINE.run([Document.from_text(text)])
    return "\n".join(d.text for d in kept)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(latin_text())
def test_latin_text_and_its_mojibake_never_gain_hanzi_through_the_pipeline(text: str) -> None:
    assert not _has_han(fix_mojibake(text)), text
    assert not _has_han(_through_pipeline(text)), text
    damaged = _as(text, "sloppy-windows-1252")
    assert not _has_han(fix_mojibake(damaged)), damaged
    assert not _has_han(_through_pipeline(damaged)), damaged
