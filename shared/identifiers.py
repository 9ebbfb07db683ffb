"""Polish identifiers: NIP and REGON (checksums via python-stdnum), KRS (format), TERYT TERC codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from shared.i18n import Refusal


class IdentifierError(Refusal):
    """A value that is not a valid identifier; the message says why, in English and in Polish."""


def _stdnum_reason(exc: ValidationError, what: str) -> IdentifierError:
    if isinstance(exc, InvalidChecksum):
        return IdentifierError(f"{what} checksum is invalid", f"{what}: nieprawidłowa suma kontrolna")
    if isinstance(exc, InvalidLength):
        return IdentifierError(f"{what} has the wrong number of digits", f"{what}: nieprawidłowa liczba cyfr")
    if isinstance(exc, InvalidFormat | InvalidComponent):
        return IdentifierError(f"{what} must contain digits only", f"{what} może zawierać tylko cyfry")
    return IdentifierError(f"{what} is invalid", f"{what} jest nieprawidłowy")


def normalize_nip(value: str) -> str:
    """NIP: 10 digits with a mod-11 checksum; separators (spaces, dashes) and a `PL` prefix are accepted."""
    try:
        return str(stdnum_nip.validate(value))
    except ValidationError as exc:
        raise _stdnum_reason(exc, "NIP") from exc


def normalize_regon(value: str) -> str:
    """REGON: 9 or 14 digits with checksums."""
    try:
        return str(stdnum_regon.validate(value))
    except ValidationError as exc:
        raise _stdnum_reason(exc, "REGON") from exc


_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def complete_nip(first_nine: str) -> str | None:
    """The valid NIP starting with these nine digits, or None when no check digit exists (sum mod 11 is 10)."""
    check = sum(w * int(d) for w, d in zip(_NIP_WEIGHTS, first_nine, strict=True)) % 11
    return None if check == 10 else first_nine + str(check)


def demo_nip(index: int) -> str:
    """The made-up NIP of the demo data's provider `index`, the same in every service's demo: 66, the index, and
    the first four-digit counter that has a check digit."""
    for k in range(20):
        nip = complete_nip(f"66{index:03d}{k:04d}")
        if nip:
            return nip
    raise RuntimeError("no NIP")


def complete_regon(first_eight: str) -> str:
    """The valid 9-digit REGON starting with these eight digits."""
    return first_eight + str(stdnum_regon.calc_check_digit(first_eight))


_KRS = re.compile(r"^\d{10}$")


def normalize_krs(value: str) -> str:
    """KRS: exactly 10 digits (leading zeros kept); the register has no checksum."""
    compact = value.strip()
    if not _KRS.match(compact):
        raise IdentifierError("KRS must be exactly 10 digits", "KRS ma dokładnie 10 cyfr")
    if compact == "0000000000":
        raise IdentifierError("KRS 0000000000 is not a register number", "KRS 0000000000 nie jest numerem w rejestrze")
    return compact


class TercLevel(StrEnum):
    VOIVODESHIP = "voivodeship"
    POWIAT = "powiat"
    GMINA = "gmina"


VOIVODESHIPS: dict[str, str] = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}

GMINA_KINDS = {"1": "urban", "2": "rural", "3": "urban-rural"}


@dataclass(frozen=True)
class Terc:
    """A TERC code of a voivodeship (WW), powiat (WWPP) or gmina (WWPPGGR)."""

    code: str

    @property
    def level(self) -> TercLevel:
        return {2: TercLevel.VOIVODESHIP, 4: TercLevel.POWIAT, 7: TercLevel.GMINA}[len(self.code)]

    @property
    def voivodeship(self) -> str:
        return self.code[:2]

    def enclosing(self) -> list[str]:
        """This code and the codes of the units that contain it, broadest first: 26, 2611, 2611011."""
        return [self.code[:n] for n in (2, 4, 7) if n <= len(self.code)]


def parse_terc(value: str, *, levels: tuple[TercLevel, ...] = tuple(TercLevel)) -> Terc:
    """Validate a TERC code's structure: WW even 02-32, PP 01-99, GG 01-99, R 1-3 for a gmina."""
    code = value.strip()
    if not code.isdigit() or len(code) not in (2, 4, 7):
        raise IdentifierError(
            "TERC code must be 2 (voivodeship), 4 (powiat) or 7 (gmina) digits",
            "kod TERC ma 2 (województwo), 4 (powiat) lub 7 (gmina) cyfr",
        )
    if code[:2] not in VOIVODESHIPS:
        raise IdentifierError(
            f"TERC voivodeship {code[:2]} does not exist (even numbers 02 to 32)",
            f"województwo {code[:2]} nie istnieje w TERC (liczby parzyste od 02 do 32)",
        )
    if len(code) >= 4 and code[2:4] == "00":
        raise IdentifierError("TERC powiat part must be 01 to 99", "część powiatowa kodu TERC to 01–99")
    if len(code) == 7:
        if code[4:6] == "00":
            raise IdentifierError("TERC gmina part must be 01 to 99", "część gminna kodu TERC to 01–99")
        if code[6] not in GMINA_KINDS:
            raise IdentifierError(
                "TERC kind digit must be 1 (urban), 2 (rural) or 3 (urban-rural) gmina; 4, 5, 8, 9 are parts",
                "cyfra rodzaju w kodzie TERC to 1 (gmina miejska), 2 (wiejska) lub 3 (miejsko-wiejska); 4, 5, 8, 9 to "
                "części gmin",
            )
    terc = Terc(code)
    if terc.level not in levels:
        allowed = ", ".join(level.value for level in levels)
        raise IdentifierError(f"TERC code must be at level: {allowed}", f"kod TERC musi być poziomu: {allowed}")
    return terc


# Pydantic field types: validation errors name the field and say why (IdentifierError is a ValueError).
NipStr = Annotated[str, StringConstraints(max_length=20), AfterValidator(normalize_nip)]
RegonStr = Annotated[str, StringConstraints(max_length=20), AfterValidator(normalize_regon)]
KrsStr = Annotated[str, StringConstraints(max_length=12), AfterValidator(normalize_krs)]
TercStr = Annotated[str, StringConstraints(max_length=7), AfterValidator(lambda v: parse_terc(v).code)]
GminaTercStr = Annotated[
    str,
    StringConstraints(max_length=7),
    AfterValidator(lambda v: parse_terc(v, levels=(TercLevel.GMINA,)).code),
]
