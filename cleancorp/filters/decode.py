"""Bytes to text: find the codec of a file, decode it, report what could not be decoded.

The order of evidence, strongest first (SPEC section 2, filter 1):

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. strict UTF-8 over the whole file: a valid UTF-8 file is always read as
   UTF-8, however odd its text (mojibake in it is the `mojibake` filter's job);
3. NUL bytes at regular positions: UTF-16 without a BOM, if it decodes to
   plausible text; any other NUL byte means a binary file, refused;
4. a trial decode of a bounded sample with the few codecs a Chinese file
   plausibly uses (GB18030, which reads GB2312 and GBK; CP950 and Big5-HKSCS;
   UTF-8 with stray bad bytes; UTF-16), each result scored by how common its
   Hanzi are (`cleancorp.chardata.COMMON_HAN`), how many bytes failed and how
   much of it is control or private-use junk;
5. chardet, only when no Chinese reading is convincing (Latin-1/CP1252,
   Shift-JIS, EUC-KR text), and kept only when its reading scores better.

Why not chardet or charset-normalizer first: both are general detectors that
spend their time and their errors on telling dozens of codecs apart, and
both stumble on a sample cut mid-character.  Here the question is almost
always "which of four Chinese codecs", and the decoded Hanzi answer it: a
wrong codec turns Big5 into rare GBK characters (`大家好` in Big5 read as
GBK is `瓣產n`) and GBK into decode errors or kana under Big5.

>>> raw = "你好，世界\\r\\n".encode("gb18030")
>>> decode_bytes(raw, detect(raw).codec)
('你好，世界\\n', [])
>>> detect("關於開展工作的通知。".encode("big5")).codec
'cp950'
>>> decode_bytes(b"ok\\n\\xe4\\xb8\\xad\\xff\\n", "utf-8")
('ok\\n中\\ufffd\\n', [(2, '\\\\xff')])
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import NamedTuple

import regex

from cleancorp.chardata import COMMON_HAN, HAN_RE
from cleancorp.document import Document
from cleancorp.errors import ConfigError, InputError
from cleancorp.filters.base import Filter, FilterOptions

#: First byte that is not ASCII: detection looks at the text from there on.
NON_ASCII_BYTE_RE = re.compile(rb"[\x80-\xff]")
#: CRLF and lone CR (old Mac files) both become "\n".
LINE_END_RE = re.compile(r"\r\n?")
#: Characters of Chinese running text that are neither Hanzi nor ASCII, and
#: count as neutral evidence: CJK and full-width punctuation, general
#: punctuation (…, —, “”), the middle dot, and U+FFFD itself (real errors are
#: counted separately, a U+FFFD that was already in the file proves nothing).
NEUTRAL_RE = regex.compile(r"[\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00b7\ufffd]")
#: Junk no text codec should produce from a real text file: C0/C1 controls
#: (not tab, newlines, form feed), private-use characters, lone surrogates.
JUNK_RE = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff]")
#: A Hanzi, a single space, a Hanzi: Korean word spacing when EUC-KR Hangul is
#: read as GBK (Hangul rows land on common Hanzi), rare in Chinese prose.
HAN_SPACE_HAN_RE = regex.compile(r"\p{Han} \p{Han}")
#: A Hanzi run wedged inside a Latin word: accented Latin letters read as GBK
#: (`caf\xe9s` -> `caf閟`); Chinese text puts Hanzi next to Latin on one side
#: (`Wi-Fi服务`), hardly ever inside a word.
LATIN_HAN_LATIN_RE = regex.compile(r"[A-Za-z]\p{Han}{1,2}[A-Za-z]")
#: Hangul syllables and jamo, to check that a Korean reading is Korean.
HANGUL_RE = regex.compile(r"\p{Hangul}")

#: Bytes of the sample the trial decode looks at.  64 KB holds thousands of
#: characters, far more than scoring needs, and keeps detection O(1) per file.
SAMPLE_BYTES = 64 * 1024
#: Characters of a trial reading that are scored: a thousand Hanzi tell
#: common from rare as surely as 64 KB of them, and scoring is the slow part.
SCORE_CHARS = 1024
#: A trial decode stops after this many errors: the codec is plainly wrong,
#: and decoding a whole GBK sample as UTF-8 error by error would be slow.
MAX_TRIAL_ERRORS = 48
#: Weights of the badness score, per non-ASCII unit of the decoded sample.  An
#: undecodable byte is stronger evidence against a codec than a rare Hanzi (a
#: real text can hold rare characters, 赵孟𫖯, but never undecodable bytes);
#: control and private-use characters nearly as strong; other scripts (kana,
#: Hangul, Cyrillic) in a supposedly Chinese reading are half a rare Hanzi.
W_ERROR, W_JUNK, W_RARE, W_OTHER = 2.0, 1.5, 1.0, 0.5
#: A Chinese reading worse than this is doubtful; chardet is asked.  Correct
#: readings of the seeds and the eval texts score below 0.05 (a few rare or
#: GBK-only characters); wrong ones above 0.25 (measured on encoding/dev and
#: the 20 MB mixed corpus, see the filter's tests).
DOUBTFUL = 0.15
#: A first reading this good on at least this many Hanzi is taken without
#: trying the others: a wrong codec cannot reach it on a text this long
#: (wrong readings measured at >= 0.25 badness).
CERTAIN, CERTAIN_MIN_HAN = 0.03, 64
#: Korean-style spacing: above this share of Hanzi pairs separated by one
#: space, a GBK reading may be EUC-KR Hangul (a Korean sentence read as GBK
#: measured 0.17); Chinese prose stays far below, even PDF extractions with
#: inserted spaces and space-separated keyword lists (seeds: 0.0001 to 0.03).
KOREAN_SPACING = 0.1

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Trial order is also the tie-break order: mainland files outnumber Big5 ones.
#: Translation table deleting ASCII and common Hanzi: what is left of a
#: reading is what can speak against it.
_PLAIN_CHARS: dict[int, None] = dict.fromkeys([*range(128), *map(ord, COMMON_HAN)])
_CHINESE_CODECS = ("gb18030", "cp950", "big5hkscs", "utf-8")
#: Codecs of `_CHINESE_CODECS` that a later one extends (its bytes read the same there,
#: plus more): Big5-HKSCS holds the Cantonese characters CP950 cannot read.
_SUPERSETS = {"cp950": "big5hkscs"}
#: Where Microsoft's CP950 table reads a Big5 byte pair as a sign nobody types in
#: Chinese (DIVISION SLASH for A241, SMALL REVERSE SOLIDUS for A242), the Big5 table
#: (Python's big5, iconv's BIG5, the WHATWG index) has the full-width solidus people
#: mean: `記者某某／台北報導` saved by any tool but Windows'.
_CP950_TO_BIG5 = str.maketrans({"\u2215": "\uff0f", "\ufe68": "\uff3c"})
_UTF16 = ("utf-16-le", "utf-16-be")
#: What Python's codecs say about a character cut by the end of the data.
_CUT_REASONS = frozenset(
    {"incomplete multibyte sequence", "unexpected end of data", "truncated data"}
)
_KOREAN = frozenset({"euc_kr", "cp949", "johab", "iso2022_kr"})


class Detection(NamedTuple):
    """A codec as reported in the `file` record, how sure we are, and whether a BOM said so."""

    codec: str
    confidence: float
    bom: bool = False


class _Trial(NamedTuple):
    codec: str
    badness: float
    han: int
    text: str
    errors: int = 0


# -- decoding ------------------------------------------------------------------


def _codec_for_decoding(data: bytes, codec: str) -> str:
    """A stateless codec name to decode `data` with: resumable after an error.

    The generic "utf-16"/"utf-32" codecs look for a BOM at every restart, so
    they are resolved to one byte order here; "utf-8-sig" becomes "utf-8"
    (the BOM decodes to U+FEFF, which `decode_bytes` strips).
    """
    name = codecs.lookup(codec).name
    if name in ("utf-16", "utf-32"):
        for bom, fixed in _BOMS:
            if data.startswith(bom) and fixed.startswith(name):
                return fixed
        return f"{name}-le"
    if name == "utf-8-sig":
        return "utf-8"
    return name


def _decode_tracked(
    data: bytes | memoryview, codec: str, max_errors: int | None = None
) -> tuple[list[str], list[tuple[int, bytes]], bool]:
    """Decode, replacing each undecodable sequence by U+FFFD as errors="replace"
    would, and return (pieces, [(index of its U+FFFD piece, bad bytes)], cut).

    Each retry starts at the byte after an error, so the work stays linear in
    the input whatever the number of errors.  With `max_errors`, decoding
    stops there (`cut` is True) and the pieces hold what was decoded so far.
    """
    mv = memoryview(data)
    pieces: list[str] = []
    errors: list[tuple[int, bytes]] = []
    pos, n = 0, len(mv)
    while pos < n:
        try:
            pieces.append(str(mv[pos:], codec))
            break
        except UnicodeDecodeError as exc:
            if exc.start:
                pieces.append(str(mv[pos : pos + exc.start], codec))
            errors.append((len(pieces), bytes(mv[pos + exc.start : pos + exc.end])))
            pieces.append("\ufffd")
            pos += exc.end
            if max_errors is not None and len(errors) >= max_errors:
                return pieces, errors, True
    return pieces, errors, False


def _hex(raw: bytes) -> str:
    r"""Bytes as the report shows them.

    >>> _hex(b"\xff\xfe")
    '\\xff\\xfe'
    """
    return "".join(f"\\x{b:02x}" for b in raw)


def decode_bytes(data: bytes, codec: str) -> tuple[str, list[tuple[int, str]]]:
    r"""Decode `data` with `codec` into text with "\n" line ends and no BOM.

    Undecodable bytes become U+FFFD; each one is returned as (1-based line of
    the returned text, its bytes in ``\xNN`` form), so nothing is lost silently.

    >>> decode_bytes("第一行\r\n第二行\r第三行".encode("gbk"), "gb18030")
    ('第一行\n第二行\n第三行', [])
    >>> decode_bytes(b"\xef\xbb\xbf\xe4\xb8\xad\xe6\x96\x87", "utf-8-sig")
    ('中文', [])
    >>> decode_bytes("甲\n乙".encode("gbk") + b"\xff" + "丙".encode("gbk"), "gbk")
    ('甲\n乙\ufffd丙', [(2, '\\xff')])
    >>> decode_bytes(b"\xff\xfe" + "中\n文".encode("utf-16-le"), "utf-16")
    ('中\n文', [])
    """
    pieces, errors, _ = _decode_tracked(data, _codec_for_decoding(data, codec))
    if not errors:
        text = pieces[0] if len(pieces) == 1 else "".join(pieces)
        if "\r" in text:
            text = LINE_END_RE.sub("\n", text)
        return text.removeprefix("\ufeff"), []
    bad: list[tuple[int, str]] = []
    line, k = 1, 0
    for i, piece in enumerate(pieces):
        if k < len(errors) and errors[k][0] == i:
            bad.append((line, _hex(errors[k][1])))
            k += 1
            continue
        if "\r" in piece:
            # A CR LF pair never straddles two pieces: a U+FFFD piece sits between.
            piece = pieces[i] = LINE_END_RE.sub("\n", piece)
        line += piece.count("\n")
    return "".join(pieces).removeprefix("\ufeff"), bad


# -- detection -----------------------------------------------------------------


def _score(text: str, errors: int) -> tuple[float, int]:
    """(badness per non-ASCII unit, number of Hanzi scored) of a reading of Chinese text.

    Decode errors are rated over the whole text; the characters only over its
    first `SCORE_CHARS`, which already hold thousands of Hanzi.

    >>> _score("你好，世界。", 0)
    (0.0, 4)
    >>> _score("浣犲ソ锛屼笘鐣屻€", 0)[0] > 0.3   # UTF-8 read as GBK: rare Hanzi and kana
    True
    """
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii + errors:
        return 0.0, 0
    error_rate = W_ERROR * errors / (non_ascii + errors)
    head = text[:SCORE_CHARS] if len(text) > SCORE_CHARS else text
    if head is not text:
        non_ascii = len(head) - len(head.encode("ascii", "ignore"))
    # Deleting ASCII and common Hanzi first leaves the few characters that need
    # a closer look (five times faster than running the patterns over it all).
    rest = head.translate(_PLAIN_CHARS)
    rare = len(HAN_RE.findall(rest))
    junk = len(JUNK_RE.findall(rest))
    other = len(rest) - rare - junk - len(NEUTRAL_RE.findall(rest))
    char_rate = (W_JUNK * junk + W_RARE * rare + W_OTHER * other) / non_ascii if non_ascii else 0.0
    return min(1.0, error_rate + char_rate), non_ascii - len(rest) + rare


def _trial(sample: bytes, codec: str) -> _Trial:
    """Decode the sample with `codec` and score it.

    An incomplete character at the very end does not count against the codec:
    whether the sample was cut there or the file itself was truncated, every
    multi-byte codec fails there alike, so it says nothing about which is right.
    """
    pieces, errors, stopped = _decode_tracked(sample, codec, MAX_TRIAL_ERRORS)
    n_err = len(errors)
    if n_err and not stopped and errors[-1][0] == len(pieces) - 1:
        try:
            errors[-1][1].decode(codec)
        except UnicodeDecodeError as exc:
            if exc.reason in _CUT_REASONS:
                pieces.pop()
                n_err -= 1
    text = "".join(pieces)
    badness, han = _score(text, n_err)
    return _Trial(codec, badness, han, text, n_err)


def _confidence(best: _Trial, runner_up: _Trial | None) -> float:
    """How sure a trial decision is: its quality, lowered when the runner-up was close.

    Short samples with few Hanzi cannot be sure however clean they read.
    """
    quality = 1.0 - best.badness
    margin = 1.0 if runner_up is None else runner_up.badness - best.badness
    sureness = min(1.0, 0.5 + 2.0 * margin) * min(1.0, 0.6 + best.han / 50)
    return round(max(0.01, quality * sureness), 3)


def _utf16_without_bom(data: bytes) -> Detection | None:
    """UTF-16 recognised by its NUL bytes (the high bytes of ASCII characters),
    if the byte order they point to decodes to plausible text.

    >>> _utf16_without_bom("第1章\\n总则".encode("utf-16-le")).codec
    'utf-16-le'
    >>> _utf16_without_bom(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR") is None
    True
    """
    sample = data[: SAMPLE_BYTES - SAMPLE_BYTES % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even == odd:
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    trial = _trial(sample, codec)
    # Text in the wrong byte order, or binary data, is full of junk and rare
    # characters; plausible text (ASCII, common Hanzi, punctuation) is not.
    if trial.badness > DOUBTFUL:
        return None
    return Detection(codec, _confidence(trial, None), False)


def _chardet_reading(sample: bytes) -> _Trial | None:
    """chardet's guess for a sample no Chinese codec reads well, scored for any language.

    Letters of every script count as fine here: chardet's own language models
    picked the codec, the question is only whether its reading is cleaner.
    """
    import chardet  # slow import, needed only for non-Chinese files

    guess = chardet.detect(sample, prefer_superset=True, compat_names=False)
    name = guess.get("encoding")
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    pieces, errors, _ = _decode_tracked(sample, codec, MAX_TRIAL_ERRORS)
    text = "".join(pieces)
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    units = non_ascii + len(errors)
    junk = len(JUNK_RE.findall(text))
    badness = (W_ERROR * len(errors) + W_JUNK * junk) / units if units else 0.0
    return _Trial(codec, min(1.0, badness), len(HAN_RE.findall(text)), text)


def _is_korean(reading: _Trial) -> bool:
    """True for a Korean-codec reading that is Hangul with at most a little Hanja.

    Chinese text read as EUC-KR also gives Hangul (the GB2312 rows of common
    Hanzi overlap the Hangul rows), but its later rows come out as Hanja,
    which modern Korean prose hardly uses.

    >>> _is_korean(_Trial("cp949", 0.0, 0, "한국어 텍스트입니다."))
    True
    """
    if reading.codec not in _KOREAN:
        return False
    hangul = len(HANGUL_RE.findall(reading.text))
    # 10%: Korean prose writes a few Hanja at most; Chinese read as EUC-KR gives
    # a third or more (rows C9 and up of GB2312 land on Hanja).
    return hangul > 0 and reading.han <= 0.1 * (hangul + reading.han)


def _utf8_cut(data: bytes) -> bool:
    """True for valid UTF-8 cut inside its last character (a truncated download).

    Only with real UTF-8 text before the cut: two stray bytes alone prove nothing.

    >>> _utf8_cut("中文".encode()[:-1]), _utf8_cut(b"ab\\xe4\\xb8")
    (True, False)
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            # The first error is the cut, so everything before it is valid UTF-8.
            return not data[: exc.start].isascii()
    return False


def _detect(data: bytes) -> tuple[Detection, str | None]:
    """`detect`, plus the text already decoded on the UTF-8 path (saves a second decode)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Detection(codec, 1.0, True), None
    if b"\x00" in data:
        found = _utf16_without_bom(data)
        if found is not None:
            return found, None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return Detection("utf-8", 1.0 if data.isascii() else 0.99), text
        if _utf8_cut(data):
            return Detection("utf-8", 0.9), None
    # Everything before the first non-ASCII byte reads the same in every candidate
    # (and ends on a character boundary: lead bytes are all >= 0x81).
    first = NON_ASCII_BYTE_RE.search(data)
    start = first.start() if first else 0
    sample = data[start : start + SAMPLE_BYTES]
    if start + len(sample) < len(data):
        # End the sample at a line end when one is near: no character is cut there.
        nl = sample.rfind(b"\n")
        if nl > len(sample) // 2:
            sample = sample[: nl + 1]
    trials: list[_Trial] = []
    for codec in _CHINESE_CODECS:
        trial = _trial(sample, codec)
        trials.append(trial)
        # A superset comes later in the list (Big5-HKSCS after CP950): a reading with
        # decode errors is not certain while one may still read those bytes.
        if trial.badness <= CERTAIN and trial.han >= CERTAIN_MIN_HAN and (
                not trial.errors or codec not in _SUPERSETS):
            return Detection(codec, _confidence(trial, None), False), None
    trials.sort(key=lambda t: t.badness)  # stable: ties keep the trial order
    if trials[0].badness > DOUBTFUL:
        # A Chinese file with no ASCII at all (not even a newline) has no NUL in UTF-16.
        even = data[: SAMPLE_BYTES - SAMPLE_BYTES % 2]
        # Kept only when plausible, as with NUL bytes: any even-length bytes decode
        # as UTF-16 without error, and a poor reading must not outbid chardet.
        trials += [t for t in (_trial(even, c) for c in _UTF16) if t.badness <= DOUBTFUL]
        trials.sort(key=lambda t: t.badness)
    best = trials[0]
    korean = (
        best.codec == "gb18030"
        and best.han
        and len(HAN_SPACE_HAN_RE.findall(best.text, overlapped=True)) > KOREAN_SPACING * best.han
    )
    # Valid multi-byte UTF-8 sequences do not happen by chance in other codecs'
    # bytes: a UTF-8 reading with many of them per error is damaged UTF-8, not a
    # case for chardet (whose single-byte guesses decode anything without error).
    damaged_utf8 = best.codec == "utf-8" and (
        len(best.text) - len(best.text.encode("ascii", "ignore")) >= 2 * best.errors
    )
    if (best.badness > DOUBTFUL and not damaged_utf8) or korean:
        other = _chardet_reading(sample)
        # A single-byte codec decodes any bytes without error, so its guess only
        # beats a Chinese reading that failed somewhere or looks like Latin text:
        # `2021-06-03 嵊州` (a rare Hanzi) must not become Arabic CP1256.
        single_byte = other is not None and len(other.text) == len(sample)
        latin = len(LATIN_HAN_LATIN_RE.findall(best.text)) >= 0.3 * max(1, best.han)
        if other is not None and (
            (other.badness < best.badness and (best.errors or latin or not single_byte))
            or (korean and _is_korean(other))
        ):
            return Detection(other.codec, _confidence(other, best), False), None
    return Detection(best.codec, _confidence(best, trials[1]), False), None


def detect(data: bytes) -> Detection:
    """The codec of `data` (see the module docstring for the order of evidence).

    Call `is_binary` first: binary data gets a guess like any other.

    >>> detect("第一章 总则\\n".encode("gbk")).codec
    'gb18030'
    >>> detect("中文".encode()).codec, detect(b"plain ascii").confidence
    ('utf-8', 1.0)
    >>> detect(codecs.BOM_UTF16_BE + "中文".encode("utf-16-be"))
    Detection(codec='utf-16-be', confidence=1.0, bom=True)
    >>> detect("Le café est très élégant, à la française.\\n".encode("cp1252") * 3).codec
    'cp1252'
    """
    return _detect(data)[0]


def is_binary(data: bytes) -> bool:
    """True when `data` has NUL bytes that are not those of UTF-16 or UTF-32 text.

    >>> is_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x01\\x00")
    True
    >>> is_binary("第1章 总则\\n".encode("utf-16-be")), is_binary("中文".encode())
    (False, False)
    """
    if b"\x00" not in data:
        return False
    if any(data.startswith(bom) for bom, codec in _BOMS if codec.startswith("utf-16")
           or codec.startswith("utf-32")):
        return False
    return _utf16_without_bom(data) is None


# -- the filter ----------------------------------------------------------------


#: Characters no text file holds: C0/C1 controls other than white space, private
#: use, unassigned code points, U+FFFD. Random or binary bytes read as GB18030,
#: CP950 or a single-byte codec give 15-45% of them; no legacy-encoded text of
#: the mixed-encodings bench corpus or the encoding eval sets gives any.
NOT_TEXT_RE = regex.compile(r"(?![\t\n\r\f\v])[\p{Cc}\p{Co}\p{Cn}\p{Cs}\ufffd]")
#: A legacy-decoded file with this share (or more) of such characters is refused.
MAX_NOT_TEXT_SHARE = 0.05
#: The share is measured on the head of the text: enough to judge, bounded cost.
NOT_TEXT_SAMPLE = 65536
#: Below this many visible characters nothing is refused: a prefix cut inside its
#: last character is mostly that one U+FFFD, and `length` judges tiny texts anyway.
NOT_TEXT_MIN_CHARS = 64


def not_text_share(text: str) -> float:
    r"""Share of non-space characters that no text holds (see `NOT_TEXT_RE`).

    >>> not_text_share("第一章 总则\n")
    0.0
    >>> round(not_text_share("\x01\x02ab\ue000\ufffd" * 20), 2)
    0.67
    """
    head = text[:NOT_TEXT_SAMPLE]
    visible = len(head) - sum(head.count(c) for c in " \t\n\r\f\v\u3000")
    if visible < NOT_TEXT_MIN_CHARS:
        return 0.0
    return len(NOT_TEXT_RE.findall(head)) / visible


@dataclass(frozen=True)
class DecodeOptions(FilterOptions):
    """Options of `decode`.

    encoding: decode every input with this codec instead of detecting one
        (any name Python knows: "gbk", "big5", "utf-16"). Default None: detect.
    """

    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is None:
            return
        try:
            info = codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise ConfigError("encoding", f"unknown encoding {self.encoding!r}") from None
        if not getattr(info, "_is_text_encoding", True):
            raise ConfigError("encoding", f"{self.encoding!r} is not a text encoding")


class DecodeFilter(Filter):
    """Turn the raw bytes of an input into text with "\\n" line ends.

    Records one `replace` change (rule `undecodable-bytes`) per line where
    bytes could not be decoded and became U+FFFD; line-end normalisation and
    the BOM are the encoding's, not content, and are not recorded.  Refuses
    binary files with an `InputError`.  A document that is already text
    (JSON Lines records, the Python API) passes unchanged.

    >>> doc = Document(source="a.txt", raw="關於\\r\\n開展".encode("big5"))
    >>> [d.text for d in DecodeFilter().apply(doc)], doc.meta["encoding"]
    (['關於\\n開展'], 'cp950')
    >>> doc = DecodeFilter(DecodeOptions(encoding="gbk")).apply(
    ...     Document(source="b.txt", raw=b"ok\\n\\xd6\\xd0\\xff"))[0]
    >>> doc.text, [(c.line, c.before, c.after) for c in doc.changes]
    ('ok\\n中\\ufffd', [(2, '\\\\xff', '\\ufffd')])
    """

    name = "decode"
    summary = "bytes to text: BOM, strict UTF-8, Chinese-aware detection; bad bytes -> U+FFFD"
    Options = DecodeOptions

    def apply(self, doc: Document) -> list[Document]:
        if doc.raw is None:
            doc.meta.setdefault("encoding", "utf-8")
            doc.meta.setdefault("confidence", 1.0)
            return [doc]
        data = bytes(doc.raw)
        forced = self.options.encoding  # type: ignore[attr-defined]
        text: str | None = None
        if forced is not None:
            name = codecs.lookup(forced).name
            if not name.startswith(("utf-16", "utf-32")) and is_binary(data):
                raise InputError("binary file (NUL bytes); skipped")
            detection = Detection(name, 1.0, False)
        else:
            if is_binary(data):
                raise InputError("binary file (NUL bytes); skipped")
            detection, text = _detect(data)
        bad: list[tuple[int, str]] = []
        if text is not None:
            if "\r" in text:
                text = LINE_END_RE.sub("\n", text)
            text = text.removeprefix("\ufeff")
        else:
            text, bad = decode_bytes(data, detection.codec)
            wider = _SUPERSETS.get(detection.codec) if bad and forced is None else None
            if wider is not None:
                # bytes beyond the detection sample that the narrower codec lost
                wide_text, wide_bad = decode_bytes(data, wider)
                if len(wide_bad) < len(bad):
                    text, bad = wide_text, wide_bad
                    detection = Detection(wider, detection.confidence, False)
        if detection.codec == "cp950":
            text = text.translate(_CP950_TO_BIG5)
        if forced is None and not detection.codec.startswith("utf"):
            junk = not_text_share(text)
            if junk >= MAX_NOT_TEXT_SHARE:
                raise InputError(
                    f"not text in any supported encoding ({junk:.0%} control or invalid "
                    f"characters as {detection.codec}); skipped (use --encoding to force one)")
        doc.set_decoded(text)
        doc.meta["encoding"] = detection.codec
        doc.meta["confidence"] = detection.confidence
        by_line: dict[int, list[str]] = {}
        for line, hexed in bad:
            by_line.setdefault(line, []).append(hexed)
        for line, hexes in by_line.items():
            doc.record(
                filter=self.name,
                action="replace",
                rule="undecodable-bytes",
                line=line,
                line_end=line,
                before="".join(hexes),
                after="\ufffd" * len(hexes),
            )
        return [doc]
