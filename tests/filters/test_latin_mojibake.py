"""Latin-family mojibake goes to ftfy's repair; Latin text never becomes Hanzi."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp.filters.mojibake import fix_mojibake

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
