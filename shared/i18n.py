"""The language of the texts people read: Polish or English, from the request's Accept-Language."""

from __future__ import annotations

import contextvars

from starlette.types import Receive, Scope, Send

from shared.middleware import HttpMiddleware

LANGUAGES = ("pl", "en")
_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


def language() -> str:
    """`pl` or `en` for the request being handled (English where none was asked for)."""
    return _language.get()


def preferred(accept_language: str) -> str:
    """The first of our languages the header prefers (q-values honoured), else English."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "en"


class LanguageMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        token = _language.set(preferred(header) if header else "en")
        try:
            await self.app(scope, receive, send)
        finally:
            _language.reset(token)


class Refusal(ValueError):
    """A ValueError said in English and in Polish. Validators raise it; the problem handlers answer in the
    request's language (`Accept-Language`)."""

    def __init__(self, en: str, pl: str) -> None:
        super().__init__(en)
        self.pl = pl


def polish_of(exc: BaseException) -> str:
    """The Polish text of a refusal (another exception's own text where it has none)."""
    return getattr(exc, "pl", None) or str(exc)


# Polish for pydantic's validation errors, by error type; `{name}` is filled from the error's context.
PYDANTIC_PL = {
    "missing": "pole wymagane",
    "extra_forbidden": "nieznane pole (niedozwolone)",
    "string_type": "oczekiwano tekstu",
    "string_too_short": "za krótkie (minimalna długość: {min_length})",
    "string_too_long": "za długie (maksymalna długość: {max_length})",
    "string_pattern_mismatch": "nie pasuje do wzorca {pattern}",
    "int_type": "oczekiwano liczby całkowitej",
    "int_parsing": "oczekiwano liczby całkowitej",
    "int_from_float": "oczekiwano liczby całkowitej, a nie ułamka",
    "float_type": "oczekiwano liczby",
    "float_parsing": "oczekiwano liczby",
    "finite_number": "oczekiwano liczby skończonej",
    "decimal_parsing": "oczekiwano liczby dziesiętnej",
    "bool_type": "oczekiwano wartości logicznej (true/false)",
    "bool_parsing": "oczekiwano wartości logicznej (true/false)",
    "greater_than": "musi być większe niż {gt}",
    "greater_than_equal": "musi być nie mniejsze niż {ge}",
    "less_than": "musi być mniejsze niż {lt}",
    "less_than_equal": "musi być nie większe niż {le}",
    "multiple_of": "musi być wielokrotnością {multiple_of}",
    "uuid_type": "oczekiwano identyfikatora UUID",
    "uuid_parsing": "oczekiwano identyfikatora UUID",
    "date_type": "oczekiwano daty (RRRR-MM-DD)",
    "date_parsing": "oczekiwano daty (RRRR-MM-DD)",
    "date_from_datetime_parsing": "oczekiwano daty (RRRR-MM-DD)",
    "date_from_datetime_inexact": "oczekiwano daty bez godziny",
    "datetime_type": "oczekiwano daty i godziny (ISO 8601)",
    "datetime_parsing": "oczekiwano daty i godziny (ISO 8601)",
    "datetime_from_date_parsing": "oczekiwano daty i godziny (ISO 8601)",
    "timezone_aware": "podaj strefę czasową (np. +01:00 lub Z)",
    "enum": "oczekiwano jednej z wartości: {expected}",
    "literal_error": "oczekiwano jednej z wartości: {expected}",
    "list_type": "oczekiwano listy",
    "tuple_type": "oczekiwano listy",
    "set_type": "oczekiwano listy",
    "too_short": "za mało elementów (minimum: {min_length})",
    "too_long": "za dużo elementów (maksimum: {max_length})",
    "dict_type": "oczekiwano obiektu",
    "model_type": "oczekiwano obiektu",
    "model_attributes_type": "oczekiwano obiektu",
    "url_parsing": "oczekiwano adresu URL",
    "url_scheme": "niedozwolony schemat adresu URL",
    "json_type": "oczekiwano JSON",
    "json_invalid": "nieprawidłowy JSON",
    "union_tag_invalid": "nieznany wariant: {tag}",
    "union_tag_not_found": "brak pola rozróżniającego wariant",
    "bytes_type": "oczekiwano danych binarnych",
}


def pydantic_reason_pl(error: dict[str, object]) -> str | None:
    """A pydantic error's reason in Polish, or None where we have no words for it (the English one is used)."""
    ctx = error.get("ctx")
    context = ctx if isinstance(ctx, dict) else {}
    raised = context.get("error")
    if isinstance(raised, Refusal):
        return raised.pl
    template = PYDANTIC_PL.get(str(error.get("type")))
    if template is None:
        return None
    try:
        return template.format(**{k: v for k, v in context.items() if k != "error"})
    except (KeyError, IndexError, ValueError):
        return template.split(" (")[0].split(":")[0]
