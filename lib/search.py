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


def _trigrams(word: str) -> list[str]:
    """The word's trigrams in order, padded as pg_trgm pads a word (two spaces before, one after)."""
    padded = f"  {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def word_similarity(query: str, text: str) -> float:
    """How well ``query`` matches the best-fitting run of ``text`` (0-1), as PostgreSQL's pg_trgm
    ``word_similarity`` computes it, so that SQLite and PostgreSQL find the same organisations.

    Both arguments are folded already. The text's trigrams are taken in order; for every run of them
    that starts and ends with one of the query's trigrams, the score is the query's trigrams found in
    the run over the trigrams of both together (|Q ∩ R| / |Q ∪ R|), and the best run counts. A query
    contained in the text scores 1; "trondhem" scores 0.78 against "trondheim kommune", "barum" 0.44
    against "baerum kommune" (a letter left out of the middle costs more than one left off the end).
    """
    wanted: set[str] = {trigram for word in query.split() for trigram in _trigrams(word)}
    sequence = [trigram for word in text.split() for trigram in _trigrams(word)]
    hits = [i for i, trigram in enumerate(sequence) if trigram in wanted]
    best = 0.0
    for n, start in enumerate(hits):
        run: set[str] = set()
        common = 0
        end = start
        for stop in hits[n:]:
            for trigram in sequence[end : stop + 1]:
                if trigram not in run:
                    run.add(trigram)
                    common += trigram in wanted
            end = stop + 1
            best = max(best, common / (len(wanted) + len(run) - common))
        if best == 1.0:
            break
    return best
