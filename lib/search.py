"""Text folding and trigram similarity for finding organisations the way people type them.

People search for "Bodo" and mean Bodø, type "Tromso", "aalesund" or "Ringsakker", and paste
organisation numbers with spaces or dots. ``fold`` turns a name and a query into the same plain form
(lower case, Norwegian letters spelt out, accents dropped), and ``word_similarity`` measures how well
a query matches the best-fitting run of words in a name, as PostgreSQL's ``pg_trgm`` does. PostgreSQL
answers with its own trigram index; the embedded SQLite default calls this module's function (see
``organisations.apps``), so both databases find the same organisations.
"""

from __future__ import annotations

import re
import unicodedata

# Norwegian and Nordic letters that Unicode does not decompose into a base letter and a mark.
_SPELLED = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ð": "d", "þ": "th", "ß": "ss", "œ": "oe", "ł": "l"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NUMBER_LIKE = re.compile(r"^[0-9\s.\-]+$")

# PostgreSQL's default pg_trgm.word_similarity_threshold: the `<%` operator and the SQLite function
# use the same threshold.
WORD_SIMILARITY_THRESHOLD = 0.6


def fold(text: str) -> str:
    """Lower case ASCII words separated by single spaces: "Bodø kommune" -> "bodo kommune"."""
    lowered = text.casefold().translate(_SPELLED)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


def digits_of(text: str) -> str | None:
    """The digits of a query that is only a number typed with spaces, dots or dashes, else None."""
    if not _NUMBER_LIKE.match(text) or not any(ch.isdigit() for ch in text):
        return None
    return re.sub(r"\D", "", text)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(query: str, text: str) -> float:
    """The share of the query's trigrams found in the best-matching run of words of ``text`` (0-1).

    Both arguments are folded already. Close to pg_trgm's ``word_similarity``: a query contained in
    the text scores 1, a small typo in a word of some length scores above the threshold.
    """
    query_words = query.split()
    text_words = text.split()
    if not query_words or not text_words:
        return 0.0
    wanted: set[str] = set().union(*(_trigrams(w) for w in query_words))
    width = len(query_words)
    best = 0.0
    for start in range(max(len(text_words) - width + 1, 1)):
        window: set[str] = set().union(*(_trigrams(w) for w in text_words[start : start + width]))
        best = max(best, len(wanted & window) / len(wanted))
        if best == 1.0:
            break
    return best
