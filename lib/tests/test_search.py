import pytest

from lib.search import WORD_SIMILARITY_THRESHOLD, digits_of, fold, word_similarity


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bodø kommune", "bodo kommune"),
        ("  ÅLESUND   Kommune ", "alesund kommune"),
        ("Sør-Fron", "sor fron"),
        ("Guovdageainnu gielda / Kautokeino kommune", "guovdageainnu gielda kautokeino kommune"),
        ("Deanu gielda – Tana kommune", "deanu gielda tana kommune"),
        ("Lærdal", "laerdal"),
        ("Kåfjord Gáivuona", "kafjord gaivuona"),
    ],
)
def test_it_folds_names_and_queries_to_the_same_plain_words(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("974 760 673", "974760673"),
        ("974.760.673", "974760673"),
        ("974-760-673", "974760673"),
        ("Bodø", None),
        ("", None),
    ],
)
def test_a_number_typed_any_way_is_read_as_its_digits(text, digits):
    assert digits_of(text) == digits


@pytest.mark.parametrize(
    ("query", "name"),
    [("ringsakker", "ringsaker kommune"), ("trondhem", "trondheim kommune"), ("bodo", "bodo kommune")],
)
def test_small_typos_stay_above_the_threshold(query, name):
    assert word_similarity(query, name) >= WORD_SIMILARITY_THRESHOLD


@pytest.mark.parametrize(("query", "name"), [("oslo", "osen kommune"), ("bergen", "bodo kommune"), ("x", "")])
def test_unrelated_names_stay_below_it(query, name):
    assert word_similarity(query, name) < WORD_SIMILARITY_THRESHOLD


# What PostgreSQL 16's pg_trgm answers for word_similarity(query, text): the SQLite function must agree,
# or the two databases find different organisations (organisations/tests/test_search_parity.py asks
# PostgreSQL itself).
PG_TRGM_WORD_SIMILARITY = [
    ("trondhem", "trondheim kommune", 0.7777778),
    ("ringsakker", "ringsaker kommune", 0.75),
    ("oslo", "osen kommune", 0.4),
    ("bergen", "bodo kommune", 0.14285715),
    ("tromsoe", "tromso kommune", 0.75),
    ("barum", "baerum kommune", 0.44444445),  # a letter missing in the middle: below the threshold
    ("berum", "baerum kommune", 0.5),
    ("lillehmamer", "lillehammer kommune", 0.5),  # swapped letters: below it too
    ("lillehamer", "lillehammer kommune", 0.7692308),
    ("kom bod", "bodo kommune", 0.6),
    ("lesund komm", "alesund kommune", 0.75),
    ("fjord", "fjordlegen as", 0.8333333),
    ("kommune bodo", "bodo kommune", 1.0),
]


@pytest.mark.parametrize(("query", "text", "expected"), PG_TRGM_WORD_SIMILARITY)
def test_it_scores_as_pg_trgm_does(query, text, expected):
    assert word_similarity(query, text) == pytest.approx(expected, abs=1e-6)
