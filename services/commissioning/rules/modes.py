"""The legal commissioning modes as data: one versioned rules table.

Every figure carries its legal basis; figures the domain brief marks "verify" carry `verify=True` and are shown as
such in the API. Thresholds change by notice (the EU threshold in PLN is set every two years), so rule sets have
validity dates and a call keeps the rule set in force on the day it was published, when the procedure starts
(`Call.rules_version`). `SOURCES` lists the acts cited, with their publication and consolidated text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class Mode(StrEnum):
    OPEN_COMPETITION = "open-competition"  # otwarty konkurs ofert
    SMALL_GRANT = "small-grant"  # mały grant (tryb pozakonkursowy)
    LOCAL_INITIATIVE = "local-initiative"  # inicjatywa lokalna
    BELOW_THRESHOLD = "below-threshold"  # zamówienie poniżej progu stosowania Pzp
    LIGHT_REGIME = "light-regime"  # usługi społeczne, procedura uproszczona (Pzp)
    RESERVED_94 = "reserved-94"  # zamówienie zastrzeżone, art. 94 Pzp
    RESERVED_361 = "reserved-361"  # zamówienie zastrzeżone na usługi społeczne, art. 361 Pzp
    IN_HOUSE = "in-house"  # powierzenie spółdzielni socjalnej założonej przez gminę
    INTER_MUNICIPAL = "inter-municipal"  # porozumienie międzygminne


class Eligibility(StrEnum):
    """Who may take part: checked against the catalogue's facts about a provider at submission."""

    NGO = "ngo"  # organizacje pozarządowe i podmioty z art. 3 ust. 3 UDPP
    ANYONE = "anyone"
    RESERVED_94 = "reserved-94"  # spółdzielnie socjalne, ZAZ, podmioty reintegracji, >= 30 % osób wykluczonych
    RESERVED_361 = "reserved-361"  # misja publiczna, reinwestowanie zysków, partycypacja (PES)
    MUNICIPAL_COOPERATIVE = "municipal-cooperative"
    LOCAL_GOVERNMENT = "local-government"
    RESIDENTS = "residents"


# Legal forms that UDPP art. 3 ust. 2-3 admits to competitions (NGOs and the entities treated like them).
NGO_FORMS = frozenset(
    {
        "foundation",
        "association",
        "ordinary-association",
        "social-cooperative",
        "church-legal-person",
        "nonprofit-company",
    }
)
# Art. 94 Pzp: sheltered workplaces (ZAZ), social cooperatives, entities whose main aim is social and vocational
# integration of excluded people (CIS, KIS, WTZ run by them): with at least the minimum share of such employees.
RESERVED_94_FORMS = frozenset({"social-cooperative", "zaz", "cis", "kis", "wtz", "disabled-cooperative"})


@dataclass(frozen=True)
class ModeRules:
    mode: Mode
    name_pl: str
    name_en: str
    legal_basis: str
    eligibility: Eligibility
    by_call: bool = True  # commissioned through a published call with offers
    max_value_grosze: int | None = None  # per task / contract, gross unless noted
    min_value_grosze: int | None = None
    max_duration_days: int | None = None  # a limit in days (counted inclusively)
    max_duration_years: int | None = None  # a limit in calendar years (not multiples of 365 days)
    min_publication_days: int | None = None  # from publication to the deadline for offers
    publication_basis: str | None = None  # the provision setting min_publication_days, where it is not legal_basis
    offer_comment_days: int | None = None  # the winning offer is public for comments this long before the contract
    max_share_of_ngo_grants: float | None = None  # all grants in this mode, of the year's planned NGO grants
    compares_net: bool = False  # Pzp compares values without VAT (art. 28-32); grants are what is paid (gross)
    max_value_per_provider_year_grosze: int | None = None
    social_services_only: bool = False  # Annex XIV services (all catalogue service types are)
    min_excluded_share: float | None = None
    repeat_award_lookback_years: int | None = None  # art. 361 ust. 3: no repeat award for the same service
    reaches_pes: bool = False  # recommended to reach social-economy entities
    notes: str = ""
    legal_basis_pl: str = ""  # the provision in the form officials write it
    notes_pl: str = ""
    publication_basis_pl: str | None = None
    verify: tuple[str, ...] = ()  # figures the brief marks "(verify)"

    @property
    def reads_past_awards(self) -> bool:
        """Does deciding on an offer read the authority's past awards (the art. 361 look-back, the small grants'
        yearly cap)?"""
        return bool(self.repeat_award_lookback_years) or self.max_value_per_provider_year_grosze is not None


@dataclass(frozen=True)
class Source:
    """An act the rules cite: where it was published, and its consolidated text (tekst jednolity)."""

    code: str  # how the rules refer to it
    title_pl: str
    title_en: str
    published: str  # the original publication
    consolidated: str | None  # the consolidated text the citations were checked against
    articles: tuple[str, ...]  # the provisions the rules rely on
    verify: bool = False  # the consolidated text's reference comes from secondary sources only


SOURCES: tuple[Source, ...] = (
    Source(
        "UDPP",
        "ustawa z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego i o wolontariacie",
        "Act of 24 April 2003 on public-benefit activity and volunteering",
        "Dz.U. 2003 nr 96 poz. 873",
        "Dz.U. 2024 poz. 1491",
        ("art. 3 ust. 2-3", "art. 5a", "art. 11-19", "art. 13 ust. 1", "art. 15", "art. 19a", "art. 19b-19h"),
    ),
    Source(
        "Pzp",
        "ustawa z dnia 11 września 2019 r. – Prawo zamówień publicznych",
        "Public Procurement Law of 11 September 2019",
        "Dz.U. 2019 poz. 2019",
        "Dz.U. 2024 poz. 1320",
        ("art. 2 ust. 1 pkt 1", "art. 3", "art. 28-32", "art. 94", "art. 359-362", "art. 361", "art. 455"),
        verify=True,
    ),
    Source(
        "CUS",
        "ustawa z dnia 19 lipca 2019 r. o realizowaniu usług społecznych przez centrum usług społecznych",
        "Act of 19 July 2019 on the provision of social services by a centre for social services",
        "Dz.U. 2019 poz. 1818",
        None,
        ("art. 2 ust. 1",),
    ),
    Source(
        "USG",
        "ustawa z dnia 8 marca 1990 r. o samorządzie gminnym",
        "Act of 8 March 1990 on municipal self-government",
        "Dz.U. 1990 nr 16 poz. 95",
        "Dz.U. 2024 poz. 1465",
        ("art. 74",),
        verify=True,
    ),
    Source(
        "UGK",
        "ustawa z dnia 20 grudnia 1996 r. o gospodarce komunalnej",
        "Act of 20 December 1996 on municipal services",
        "Dz.U. 1997 nr 9 poz. 43",
        "Dz.U. 2021 poz. 679",
        ("art. 2-3",),
        verify=True,
    ),
    Source(
        "USS",
        "ustawa z dnia 27 kwietnia 2006 r. o spółdzielniach socjalnych",
        "Act of 27 April 2006 on social cooperatives",
        "Dz.U. 2006 nr 94 poz. 651",
        None,
        ("art. 4",),
    ),
    Source(
        "2014/24/UE",
        "dyrektywa Parlamentu Europejskiego i Rady 2014/24/UE z dnia 26 lutego 2014 r. w sprawie zamówień publicznych",
        "Directive 2014/24/EU of 26 February 2014 on public procurement",
        "Dz.Urz. UE L 94 z 28.3.2014, s. 65",
        None,
        ("art. 4 lit. d", "art. 74-77", "załącznik XIV"),
    ),
)


@dataclass(frozen=True)
class RuleSet:
    version: str
    valid_from: date
    valid_to: date | None
    modes: dict[Mode, ModeRules] = field(default_factory=dict)
    national_threshold_grosze: int = 13_000_000  # 130,000 PLN net (art. 2 ust. 1 pkt 1 Pzp)
    eu_social_threshold_eur: int = 750_000  # art. 4 lit. d of directive 2014/24/EU
    eu_social_threshold_grosze: int = 347_782_500  # 750 000 EUR at the notice's rate
    eur_rate: str = "4,6371"  # zł for 1 EUR in public procurement (art. 3 ust. 3 Pzp)
    eur_rate_source: str = (
        "obwieszczenie Prezesa Urzędu Zamówień Publicznych z dnia 3 grudnia 2023 r. (M.P. 2023 poz. 1344)"
    )
    min_days_after_amendment: int = 7  # an amendment this close to the deadline moves it (verify)

    def get(self, mode: Mode) -> ModeRules:
        return self.modes[mode]


def _modes() -> dict[Mode, ModeRules]:
    rules = [
        ModeRules(
            Mode.OPEN_COMPETITION,
            "otwarty konkurs ofert",
            "open competition of offers",
            "ustawa o działalności pożytku publicznego i o wolontariacie (UDPP), art. 11-19",
            Eligibility.NGO,
            min_publication_days=21,
            publication_basis="UDPP art. 13 ust. 1",
            max_duration_years=5,
            reaches_pes=True,
            notes="Powierzenie (full funding) or wspieranie (co-funding); a committee with NGO nominees; any "
            "number of winners.",
            verify=("max_duration_years",),
            legal_basis_pl=(
                "art. 11–19 ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego i o wolontariacie"
            ),
            publication_basis_pl="art. 13 ust. 1 ustawy o działalności pożytku publicznego i o wolontariacie",
        ),
        ModeRules(
            Mode.SMALL_GRANT,
            "mały grant (tryb pozakonkursowy)",
            "small grant (non-competitive)",
            "UDPP art. 19a",
            Eligibility.NGO,
            max_value_grosze=1_000_000,
            max_duration_days=90,
            offer_comment_days=7,  # for the offer, not the call: it has no statutory period
            max_value_per_provider_year_grosze=2_000_000,
            reaches_pes=True,
            notes="The offer is published for 7 days for comments before the contract.",
            legal_basis_pl="art. 19a ustawy o działalności pożytku publicznego i o wolontariacie",
            notes_pl="Oferta jest publikowana na 7 dni w celu zgłaszania uwag przed zawarciem umowy.",
            max_share_of_ngo_grants=0.20,
        ),
        ModeRules(
            Mode.LOCAL_INITIATIVE,
            "inicjatywa lokalna",
            "local initiative",
            "UDPP art. 19b-19h",
            Eligibility.RESIDENTS,
            by_call=False,
            notes="Started by residents (with an NGO) under criteria set by the council; not a call.",
            legal_basis_pl="art. 19b–19h ustawy o działalności pożytku publicznego i o wolontariacie",
            notes_pl=(
                "Z inicjatywy mieszkańców (z organizacją pozarządową), według kryteriów określonych przez radę gminy; "
                "nie w drodze ogłoszenia."
            ),
        ),
        ModeRules(
            Mode.BELOW_THRESHOLD,
            "zamówienie poniżej 130 000 zł",
            "procurement below the national threshold",
            "ustawa Prawo zamówień publicznych (Pzp), art. 2 ust. 1 pkt 1 (poza ustawą)",
            Eligibility.ANYONE,
            compares_net=True,  # Pzp values are net
            max_value_grosze=13_000_000 - 1,
            min_publication_days=7,
            reaches_pes=True,
            notes="The municipality's own rules, not Pzp: they may reserve the contract for social-economy entities, "
            "by analogy to art. 94 and 361 Pzp, and add social clauses.",
            verify=("min_publication_days",),
            legal_basis_pl="art. 2 ust. 1 pkt 1 ustawy – Prawo zamówień publicznych (zamówienie poza ustawą)",
            notes_pl=(
                "zasady własne gminy, nie ustawa Prawo zamówień publicznych: mogą zastrzec zamówienie dla podmiotów "
                "ekonomii społecznej na zasadzie analogii do art. 94 i 361 tej ustawy i przewidywać klauzule społeczne"
            ),
        ),
        ModeRules(
            Mode.LIGHT_REGIME,
            "usługi społeczne – procedura uproszczona",
            "social services light regime",
            "Pzp art. 359-362 (usługi społeczne i inne szczególne usługi, załącznik XIV dyrektywy 2014/24/UE)",
            Eligibility.ANYONE,
            compares_net=True,  # Pzp values are net
            min_value_grosze=13_000_000,
            min_publication_days=14,
            social_services_only=True,
            verify=("min_publication_days",),
            legal_basis_pl=(
                "art. 359–362 ustawy – Prawo zamówień publicznych (usługi społeczne i inne szczególne usługi)"
            ),
        ),
        ModeRules(
            Mode.RESERVED_94,
            "zamówienie zastrzeżone (art. 94 Pzp)",
            "reserved contract (art. 94 Pzp)",
            "Pzp art. 94",
            Eligibility.RESERVED_94,
            compares_net=True,  # Pzp values are net
            min_value_grosze=13_000_000,  # Pzp applies from the national threshold (130 000 zł net)
            min_publication_days=14,
            min_excluded_share=0.30,
            reaches_pes=True,
            notes="The reservation is stated in the notice.",
            verify=("min_excluded_share", "min_publication_days"),
            legal_basis_pl="art. 94 ustawy – Prawo zamówień publicznych",
            notes_pl="Zastrzeżenie podaje się w ogłoszeniu o zamówieniu.",
        ),
        ModeRules(
            Mode.RESERVED_361,
            "zamówienie zastrzeżone na usługi społeczne (art. 361 Pzp)",
            "reserved social-services contract (art. 361 Pzp)",
            "Pzp art. 361",
            Eligibility.RESERVED_361,
            compares_net=True,  # Pzp values are net
            max_duration_years=3,
            min_value_grosze=13_000_000,  # Pzp applies from the national threshold (130 000 zł net)
            min_publication_days=14,
            social_services_only=True,
            repeat_award_lookback_years=3,
            reaches_pes=True,
            notes="Only for a contractor with a public-service mission, reinvested profits and participatory "
            "ownership or management; not for one that won such a reserved contract for the same service from "
            "the same buyer in the last 3 years.",
            verify=("min_publication_days",),
            legal_basis_pl="art. 361 ustawy – Prawo zamówień publicznych",
            notes_pl=(
                "Wyłącznie dla wykonawcy realizującego misję publiczną, reinwestującego zyski i o partycypacyjnej "
                "strukturze własności lub zarządzania; nie dla wykonawcy, który w ciągu ostatnich 3 lat uzyskał od tego"
                " zamawiającego takie zamówienie zastrzeżone na tę samą usługę."
            ),
        ),
        ModeRules(
            Mode.IN_HOUSE,
            "powierzenie spółdzielni socjalnej gminy",
            "in-house (municipal social cooperative)",
            "ustawa o gospodarce komunalnej; ustawa o spółdzielniach socjalnych",
            Eligibility.MUNICIPAL_COOPERATIVE,
            by_call=False,
            reaches_pes=True,
            notes="No competition: a social cooperative the municipality founded.",
            legal_basis_pl="ustawa o gospodarce komunalnej; ustawa o spółdzielniach socjalnych",
            notes_pl="Bez konkurencji: spółdzielnia socjalna założona przez gminę.",
        ),
        ModeRules(
            Mode.INTER_MUNICIPAL,
            "porozumienie międzygminne",
            "inter-municipal agreement",
            "ustawa o samorządzie gminnym, art. 74; ustawa o CUS (wspólne CUS)",
            Eligibility.LOCAL_GOVERNMENT,
            by_call=False,
            notes="An agreement with another gmina or a powiat; not a call.",
            legal_basis_pl=(
                "art. 74 ustawy o samorządzie gminnym; ustawa o realizowaniu usług społecznych przez centrum usług "
                "społecznych"
            ),
            notes_pl="Porozumienie z inną gminą lub powiatem; nie w drodze ogłoszenia.",
        ),
    ]
    return {r.mode: r for r in rules}


_BASE = RuleSet(version="2024-01", valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31), modes=_modes())

RULE_SETS: tuple[RuleSet, ...] = (
    _BASE,
    # 2026-2027: the EU threshold for social services stays 750 000 EUR (the Commission's delegated regulations
    # revise the other thresholds only); the rate falls to 4,31 zł, so 3 232 500,00 zł. The rate is the one the
    # President of UZP announced for 2026-2027 as reported by the professional press (January 2026); the notice's
    # Monitor Polski reference is not checked here, so the figure stays flagged.
    replace(
        _BASE,
        version="2026-01",
        valid_from=date(2026, 1, 1),
        valid_to=None,
        eu_social_threshold_grosze=323_250_000,
        eur_rate="4,31",
        eur_rate_source="obwieszczenie Prezesa Urzędu Zamówień Publicznych na lata 2026–2027 (art. 3 ust. 3 Pzp)",
    ),
)

VERIFY_FLAGS = {"2026-01": ("eu_social_threshold_grosze",)}


def rules_in_force(on: date) -> RuleSet:
    for rule_set in RULE_SETS:
        if rule_set.valid_from <= on and (rule_set.valid_to is None or on <= rule_set.valid_to):
            return rule_set
    raise LookupError(f"no commissioning rules in force on {on.isoformat()}")


def rules_version(version: str) -> RuleSet:
    for rule_set in RULE_SETS:
        if rule_set.version == version:
            return rule_set
    raise LookupError(f"unknown rules version {version}")


# Legal forms the catalogue knows (a call may restrict offers to some of them).
LEGAL_FORMS = frozenset(
    {
        "foundation",
        "association",
        "ordinary-association",
        "social-cooperative",
        "workers-cooperative",
        "disabled-cooperative",
        "cis",
        "kis",
        "zaz",
        "wtz",
        "nonprofit-company",
        "church-legal-person",
        "company",
        "sole-trader",
        "public-unit",
    }
)
