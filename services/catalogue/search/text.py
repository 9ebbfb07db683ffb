"""Diacritics-insensitive full-text search: `simple` configuration over `cus_unaccent` (see migration 0001)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, literal_column

SIMPLE: Any = literal_column("'simple'::regconfig")
_WORD = re.compile(r"\w+", re.UNICODE)


def weighted_vector(text: Any, weight: str) -> Any:
    """setweight(to_tsvector('simple', cus_unaccent(text)), weight) for stored search vectors."""
    assert weight in "ABCD"
    return func.setweight(func.to_tsvector(SIMPLE, func.cus_unaccent(text)), literal_column(f"'{weight}'::\"char\""))


def prefix_tsquery_text(user_text: str) -> str | None:
    """User text as a search-as-you-type tsquery: every word must match, the last one also as a prefix:
    `uslugi opiek` -> `uslugi & opiek:*`; None when it has no words.

    Whole words let the GIN index skip through common words' postings; prefix matching on every word would
    materialise them all (about 2x slower at 100,000 offerings).
    """
    words = _WORD.findall(user_text.lower())[:8]
    if not words:
        return None
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def tsquery(user_text: str) -> Any | None:
    text = prefix_tsquery_text(user_text)
    return func.to_tsquery(SIMPLE, func.cus_unaccent(text)) if text else None
