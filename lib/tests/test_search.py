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
