"""How figures and dates read on the pages: Polish money, dates in Warsaw time, time left to a deadline, names."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")

UNITS = {"hour": "godz.", "visit": "wizyta", "session": "sesja", "day": "dzień", "place-month": "miejsce/mies."}
CALL_STATUS = {
    "open": "otwarte",
    "evaluation": "ocena ofert",
    "awarded": "rozstrzygnięte",
    "unsuccessful": "nierozstrzygnięte",
    "cancelled": "unieważnione",
}
MODES = {
    "open-competition": "otwarty konkurs ofert",
    "small-grant": "tryb pozakonkursowy (mały grant)",
    "local-initiative": "inicjatywa lokalna",
    "below-threshold": "zamówienie poniżej progu",
    "light-regime": "zamówienie na usługi społeczne",
    "reserved-94": "zamówienie zastrzeżone (art. 94 Pzp)",
    "reserved-361": "zamówienie zastrzeżone (art. 361 Pzp)",
    "in-house": "zamówienie in-house",
    "inter-municipal": "porozumienie międzygminne",
}
CONTRACT_STATUS = {
    "standstill": "okres zawieszenia",
    "awaiting-signature": "czeka na podpis",
    "awaiting-confirmation": "czeka na potwierdzenie",
    "active": "w realizacji",
    "completed": "zakończona",
    "terminated": "rozwiązana",
}
PROVIDER_STATUS = {
    "pending": "czeka na weryfikację",
    "verified": "zweryfikowany",
    "rejected": "odrzucony",
    "suspended": "zawieszony",
}


def money(grosze: int | None) -> str:
    """`123456789` → `1 234 567,89 zł` (non-breaking spaces between thousands, as Polish prints them)."""
    if grosze is None:
        return "—"
    sign = "-" if grosze < 0 else ""
    zloty, rest = divmod(abs(grosze), 100)
    return f"{sign}{zloty:,}".replace(",", "\u00a0") + f",{rest:02d}\u00a0zł"


def number(value: float | None) -> str:
    """Points and other decimals as Polish writes them: `38,88`, `40`."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def moment(value: str | None) -> str:
    """An instant as Warsaw's local date and time."""
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(WARSAW).strftime("%d.%m.%Y, %H:%M")


def day(value: str | None) -> str:
    if not value:
        return "—"
    return datetime.fromisoformat(value).strftime("%d.%m.%Y")


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n == 1:
        return f"{n} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} {few}"
    return f"{n} {many}"


def time_left(deadline: str, now: datetime) -> str:
    """Time to a deadline by the server's clock: `zostało 3 dni 4 godziny`, or that it has passed."""
    seconds = int((datetime.fromisoformat(deadline) - now).total_seconds())
    if seconds <= 0:
        return "termin minął"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"zostało {_plural(days, 'dzień', 'dni', 'dni')} {_plural(hours, 'godzina', 'godziny', 'godzin')}"
    if hours:
        return (
            f"zostało {_plural(hours, 'godzina', 'godziny', 'godzin')} {_plural(minutes, 'minuta', 'minuty', 'minut')}"
        )
    return f"zostało {_plural(max(minutes, 1), 'minuta', 'minuty', 'minut')}"


LEGAL_FORMS = {
    "foundation": "fundacja",
    "association": "stowarzyszenie",
    "ordinary-association": "stowarzyszenie zwykłe",
    "social-cooperative": "spółdzielnia socjalna",
    "workers-cooperative": "spółdzielnia pracy",
    "disabled-cooperative": "spółdzielnia inwalidów i niewidomych",
    "cis": "centrum integracji społecznej (CIS)",
    "kis": "klub integracji społecznej (KIS)",
    "zaz": "zakład aktywności zawodowej (ZAZ)",
    "wtz": "warsztat terapii zajęciowej (WTZ)",
    "nonprofit-company": "spółka non-profit",
    "church-legal-person": "kościelna osoba prawna",
    "company": "spółka",
    "sole-trader": "jednoosobowa działalność gospodarcza",
    "public-unit": "jednostka publiczna",
}
