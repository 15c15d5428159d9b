"""Norwegian alphabetical order, the same on PostgreSQL and SQLite.

PostgreSQL sorts names with the ICU collation ``norwegian`` (locale nb-NO, created by a migration).
SQLite has no ICU, so every SQLite connection gets a collation of the same name whose order comes from
``sort_key`` below, written to agree with ICU's Norwegian rules as far as names go: Æ, Ø and Å come
after Z (Ä sorts with Æ, Ö with Ø, Ü with Y), "Aa" is Å, accents on other letters only break ties,
digits come before letters, a space before a hyphen before a letter, and lower case before upper case
when all else is equal. ``tests`` compare the two orders on the same names.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

NORWEGIAN = "norwegian"

_LAST = {"æ": 27, "ä": 27, "ø": 28, "ö": 28, "å": 29}
_LETTER_LIKE = {"ü": "y", "ð": "d", "þ": "t", "ß": "s"}
_SPACE, _PUNCTUATION, _DIGIT, _LETTER = 1, 2, 10, 100


@lru_cache(maxsize=200_000)
def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(primary, secondary, tertiary) weights: letters, then accents, then case."""
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        ch = chars[i]
        lower = ch.casefold()[:1] or ch
        tertiary.append(0 if ch == lower else 1)
        if lower == "a" and i + 1 < len(chars) and chars[i + 1].casefold() == "a":  # "Aa" is Å
            primary.append(_LETTER + _LAST["å"])
            secondary.append(1)
            i += 2
            continue
        if lower in _LAST:
            primary.append(_LETTER + _LAST[lower])
            secondary.append(0 if lower in "æøå" else 1)
        elif lower in _LETTER_LIKE:
            primary.append(_LETTER + ord(_LETTER_LIKE[lower]) - ord("a"))
            secondary.append(1)
        else:
            base = unicodedata.normalize("NFKD", lower)
            letter = base[:1]
            if "a" <= letter <= "z":
                primary.append(_LETTER + ord(letter) - ord("a"))
                secondary.append(0 if len(base) == 1 else 1)
            elif letter.isdigit():
                primary.append(_DIGIT + int(unicodedata.digit(letter, 0)))
                secondary.append(0)
            elif letter.isspace():
                primary.append(_SPACE)
                secondary.append(0)
            elif letter.isalpha():  # other scripts: after the Norwegian alphabet, by code point
                primary.append(_LETTER + 100 + ord(letter))
                secondary.append(0)
            else:
                primary.append(_PUNCTUATION)
                secondary.append(ord(letter) if letter else 0)
        i += 1
    return tuple(primary), tuple(secondary), tuple(tertiary)


def compare(a: str | None, b: str | None) -> int:
    """The SQLite collation: -1, 0 or 1, as Norwegian order has it."""
    key_a, key_b = sort_key(a or ""), sort_key(b or "")
    return (key_a > key_b) - (key_a < key_b)
