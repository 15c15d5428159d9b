"""The SQLite search function (lib.search.word_similarity) and PostgreSQL's pg_trgm score alike."""

from __future__ import annotations

import pytest
from django.db import connection

from lib.search import word_similarity
from lib.tests.test_search import PG_TRGM_WORD_SIMILARITY

PAIRS = [(query, text) for query, text, _score in PG_TRGM_WORD_SIMILARITY] + [
    ("baerumm", "baerum kommune"),
    ("tromsoo", "tromso kommune"),
    ("nord", "nord fron kommune nordre land"),
    ("helse fjord", "fjord helse 3 as"),
    ("aa", "alesund kommune"),
]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="asks PostgreSQL's pg_trgm")
@pytest.mark.parametrize(("query", "text"), PAIRS)
def test_the_sqlite_function_agrees_with_pg_trgm(query: str, text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word_similarity(%s, %s)", [query, text])
        (expected,) = cursor.fetchone()
    assert word_similarity(query, text) == pytest.approx(expected, abs=1e-6)
