from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _in_english(english: Any) -> None:
    """Every test here reads the English texts (the root conftest's ``english``); a test of the Norwegian
    text asks for it with ``HTTP_ACCEPT_LANGUAGE="nb"``."""
