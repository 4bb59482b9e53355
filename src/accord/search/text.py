"""Text normalisation shared by the write path and the query path.

Everything stored in the index and every query goes through the same functions, so matching is
a plain substring test on normalised strings:

- ``normalize("José  Müller-Lüdenscheidt")`` -> ``"jose muller-ludenscheidt"``: case folded,
  accents folded (NFKD, combining marks dropped, a few letters that do not decompose mapped by
  hand), whitespace collapsed.
- ``index_words(s)`` splits a normalised string into words; a word with punctuation inside
  (an email, a domain, a hyphenated name) is kept whole *and* followed by its pieces, so
  ``"john.smith@acme.com"`` yields ``john.smith@acme.com john smith acme com``.
- ``index_text(title, texts)`` is the stored ``text``: the words, de-duplicated, joined by
  single spaces, with a space at both ends. Thanks to these spaces a word-prefix test is the
  substring ``" " + word`` and a whole-word test is ``" " + word + " "``: the same trick
  works for SQLite's trigram index and PostgreSQL's ``pg_trgm``.
- ``index_digits(phones)`` is the stored ``digits``: every phone number as a digit string
  (plus its national form with trunk prefix, e.g. ``030...`` beside ``4930...``), space
  separated with spaces at both ends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

import phonenumbers

# Letters that NFKD does not split into a base letter and a combining mark.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ħ": "h",
        "\u0131": "i",
        "ŧ": "t",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ŋ": "n",
        "\u2019": "'",
        "\u2018": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_SPACE = re.compile(r"\s+")
_PIECES = re.compile(r"[^\W_]+")  # runs of letters and digits
_NON_DIGITS = re.compile(r"\D+")
_PHONE_QUERY = re.compile(r"^\+?[\d\s().\-/]+$")

MAX_TEXT_LENGTH = 4000
MAX_TITLE_LENGTH = 300
MIN_PHONE_DIGITS = 3


def normalize(value: str) -> str:
    """Case-fold, fold accents and collapse whitespace: the form everything is compared in."""
    if value.isascii():
        return " ".join(value.lower().split())
    folded = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.translate(_FOLD)).strip()


def index_words(value: str) -> list[str]:
    """The words of a normalised string, punctuated words followed by their pieces."""
    words: list[str] = []
    for word in value.split(" "):
        if not word:
            continue
        words.append(word)
        pieces = _PIECES.findall(word)
        if len(pieces) > 1 or (pieces and pieces[0] != word):
            words.extend(pieces)
    return words


def _join(words: list[str]) -> str:
    unique = list(dict.fromkeys(w for w in words if w))
    return " " + " ".join(unique) + " " if unique else ""


def index_title(title: str) -> str:
    """The normalised title: used for 1-2 character prefix look-ups and for ordering ties."""
    return normalize(title)[:MAX_TITLE_LENGTH]


def index_text(title: str, texts: list[str]) -> str:
    """The stored ``text``: the title's and the texts' words, space-delimited at both ends."""
    words: list[str] = []
    for value in [title, *texts]:
        words.extend(index_words(normalize(value)))
    text = _join(words)
    if len(text) > MAX_TEXT_LENGTH:
        text = text[: text.rfind(" ", 0, MAX_TEXT_LENGTH) + 1]
    return text


@cache
def _national_prefix(country_code: int) -> str:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return ""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, regions[0]
    )
    return (metadata.national_prefix or "") if metadata else ""


def _split_country_code(digits: str) -> tuple[int, str] | None:
    for length in (1, 2, 3):  # calling codes are prefix-free
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[length:]
    return None


def phone_digit_forms(phone: str) -> list[str]:
    """Digit strings a phone number can be found by: as stored, and national with trunk prefix.

    ``"+49 30 1234567"`` -> ``["49301234567", "0301234567"]``; ``"+7 495 1234567"`` also
    ``"84951234567"``. A number without ``+`` is kept as its digits only (its country is
    unknown). The national form is left out when it is already a substring (US, Italy).
    """
    digits = _NON_DIGITS.sub("", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return []
    forms = [digits]
    if phone.lstrip().startswith("+"):
        split = _split_country_code(digits)
        if split:
            national = _national_prefix(split[0]) + split[1]
            if len(national) >= MIN_PHONE_DIGITS and national not in digits:
                forms.append(national)
    return forms


def index_digits(phones: list[str]) -> str:
    """The stored ``digits``: every phone's digit forms, space-delimited at both ends."""
    forms: list[str] = []
    for phone in phones:
        forms.extend(phone_digit_forms(phone))
    return _join(forms)


MAX_PIECES = 64
MAX_PIECE_LENGTH = 100


def index_pieces(text: str) -> tuple[str, ...]:
    """The letter/digit runs of the stored text (PostgreSQL's word table).

    Phone digits are not among them: digit queries use the trigram index on ``digits``.
    """
    pieces = dict.fromkeys(p[:MAX_PIECE_LENGTH] for p in _PIECES.findall(text))
    return tuple(pieces)[:MAX_PIECES]


def anchored_piece(word: str, tier: Tier) -> tuple[str, bool] | None:
    """A piece every stored word matching ``word`` in ``tier`` must have, for B-tree look-ups.

    Returns ``(value, exact)``: the stored text then has a piece equal to ``value`` (exact) or
    starting with it. A letter/digit run of ``word`` starts a piece when punctuation comes
    before it inside ``word`` (``@gmail.com`` -> ``gmail``), or, for the exact and prefix
    tiers, when it opens ``word``; it ends one when punctuation follows it, or when it closes
    ``word`` in the exact tier. The longest such run is returned; None if there is none.
    """
    best: tuple[str, bool] | None = None
    for match in _PIECES.finditer(word):
        start, end = match.span()
        if start == 0 and tier == "substring":
            continue  # may begin in the middle of a stored piece
        exact = end < len(word) or tier == "exact"
        value = match.group()[:MAX_PIECE_LENGTH]
        if best is None or len(value) > len(best[0]):
            best = (value, exact)
    return best


def probable_piece(word: str) -> tuple[str, bool] | None:
    """For a fragment like ``hotmail.com``: its first run as a whole piece, if 3+ characters
    long and followed by punctuation (usually it starts the stored piece too)."""
    match = _PIECES.match(word)
    if match is None or len(match.group()) < 3 or match.end() == len(word):
        return None
    return match.group()[:MAX_PIECE_LENGTH], True


def like_escape(value: str) -> str:
    """Escape ``%``, ``_`` and the escape character itself for ``LIKE ... ESCAPE '\\'``."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


Kind = Literal["short", "text", "phone"]
Tier = Literal["exact", "prefix", "substring"]
TIERS: tuple[Tier, ...] = ("exact", "prefix", "substring")
_RANKS: tuple[tuple[int, Tier], ...] = ((4, "exact"), (3, "prefix"), (2, "substring"))


@dataclass(frozen=True)
class ParsedQuery:
    """A query after normalisation.

    ``kind`` is ``short`` (1-2 characters: title-prefix range), ``phone`` (digits and phone
    punctuation only, at least 3 digits: matched against ``digits``) or ``text``. ``words``
    are the normalised words (for ``phone``: the digit strings to look for, e.g. the digits as
    typed and, for ``0049...``, the same without the ``00``).
    """

    raw: str
    normalized: str
    kind: Kind
    words: tuple[str, ...]


def parse_query(query: str) -> ParsedQuery | None:
    """Normalise a query and decide how to look it up; ``None`` for an empty query."""
    normalized = normalize(query)
    if not normalized:
        return None
    if _PHONE_QUERY.match(normalized):
        digits = _NON_DIGITS.sub("", normalized)
        if len(digits) >= MIN_PHONE_DIGITS:
            variants = [digits]
            if digits.startswith("00") and len(digits) - 2 >= MIN_PHONE_DIGITS:
                variants.append(digits[2:])
            return ParsedQuery(query, normalized, "phone", tuple(variants))
    if len(normalized) <= 2:
        return ParsedQuery(query, normalized, "short", (normalized,))
    words = tuple(dict.fromkeys(normalized.split(" ")))
    return ParsedQuery(query, normalized, "text", words)


def pattern(word: str, tier: Tier) -> str:
    """The substring a tier looks for in the space-delimited stored text."""
    if tier == "exact":
        return f" {word} "
    if tier == "prefix":
        return f" {word}"
    return word


def tier_of(words: tuple[str, ...], stored: str) -> int:
    """4 if every word is a whole word of ``stored``, 3 if a word prefix, 2 if a substring."""
    if not stored:
        return 0
    for rank, tier in _RANKS:
        if all(pattern(w, tier) in stored for w in words):
            return rank
    return 0
