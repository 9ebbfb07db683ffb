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


# Joins the words of a search; never in a word (words are `\w+`), never made by unaccent.
WORD_SEPARATOR = "\x01"


def search_words(user_text: str) -> str | None:
    """The words of user text, joined by WORD_SEPARATOR (at most 8); None when it has no words."""
    words = _WORD.findall(user_text.lower())[:8]
    return WORD_SEPARATOR.join(words) if words else None


def words_tsquery(words: Any) -> Any:
    """Search-as-you-type tsquery from `search_words`: every word must match, the last one also as a prefix
    (`uslugi opiek` -> `'uslugi' & 'opiek':*`).

    Each word is unaccented, then quoted with its quotes and backslashes doubled, in SQL: unaccent turns some
    letters into tsquery syntax (ʼ into ', ⑴ into (1)), so quoting before unaccent would not hold. Whole words
    let the GIN index skip through common words' postings; prefix matching on every word would materialise them
    all (about 2x slower at 100,000 offerings).
    """
    escaped = func.replace(func.replace(func.cus_unaccent(words), "\\", "\\\\"), "'", "''")
    quoted = func.concat("'", func.replace(escaped, WORD_SEPARATOR, "' & '"), "':*")
    return func.to_tsquery(SIMPLE, quoted)


def tsquery(user_text: str) -> Any | None:
    words = search_words(user_text)
    return words_tsquery(words) if words else None
