"""The UDPP grant's shapes: the call's terms of the grant, and the offer as the 2018 template (Dz.U. 2018 poz. 2057,
załącznik nr 1) structures it. Money in grosze; the totals are the server's (`grants.rules.totals`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from stdnum import iban

from shared.i18n import Refusal
from shared.schemas import Body, CalendarDate, Schema

MAX_GROSZE = 10**13
Grosze = Annotated[int, Field(ge=0, le=MAX_GROSZE)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class GrantForm(StrEnum):
    ENTRUSTING = "powierzenie"  # the grant covers the task (art. 5 ust. 4 pkt 1 UDPP)
    SUPPORTING = "wspieranie"  # co-funding: the organisation contributes (art. 5 ust. 4 pkt 2 UDPP)


class SheetElement(StrEnum):
    """What the committee must assess in an offer for a public task (art. 15 ust. 1 UDPP, pkt 1 to 6)."""

    FEASIBILITY = "feasibility"  # pkt 1: możliwość realizacji zadania przez organizację
    COSTS = "costs"  # pkt 2: kalkulacja kosztów, także w odniesieniu do zakresu rzeczowego zadania
    QUALITY = "quality"  # pkt 3: jakość wykonania zadania i kwalifikacje osób
    OWN_CONTRIBUTION = "own-contribution"  # pkt 4: udział środków własnych (przy wspieraniu)
    NON_FINANCIAL = "non-financial"  # pkt 5: wkład osobowy (wolontariusze, praca społeczna członków) i rzeczowy
    RELIABILITY = "reliability"  # pkt 6: rzetelność, terminowość i rozliczenie zadań zleconych wcześniej


class GrantTerms(Body):
    """What the call states of the grant (UDPP art. 13 ust. 2): the form, the minimum own contribution under
    *wspieranie*, whether in-kind contribution is reported, the ceiling on administrative costs and the shift
    allowed between cost lines."""

    form: GrantForm = Field(description="`powierzenie` (full funding) or `wspieranie` (co-funding).")
    min_own_contribution: Share | None = Field(
        default=None,
        description="Under `wspieranie`, the least share of the task's costs the offeror covers itself (financial "
        "and non-financial contribution), 0..1; the offer is refused below it.",
    )
    in_kind_reported: bool = Field(
        default=False, description="Whether in-kind (rzeczowy) non-financial contribution counts in the offer."
    )
    admin_cost_cap: Share | None = Field(
        default=None, description="The most administrative costs (category II) may be of the task's costs, 0..1."
    )
    allowed_shift: Share = Field(
        default=0.10, description="The shift allowed between cost lines in the settlement, 0..1."
    )

    @model_validator(mode="after")
    def _form(self) -> GrantTerms:
        if self.form is GrantForm.SUPPORTING and self.min_own_contribution is None:
            raise Refusal(
                "under wspieranie the call states the minimum own contribution (min_own_contribution)",
                "przy wspieraniu ogłoszenie określa minimalny wkład własny (min_own_contribution)",
            )
        if self.form is GrantForm.ENTRUSTING and self.min_own_contribution:
            raise Refusal(
                "under powierzenie the grant covers the task: no minimum own contribution",
                "przy powierzeniu dotacja pokrywa zadanie: bez minimalnego wkładu własnego",
            )
        return self


class OfferorRole(StrEnum):
    LEAD = "lead"
    PARTNER = "partner"  # a further offeror of a joint offer (art. 14 ust. 2 UDPP)


class Offeror(Body):
    name: str = Field(min_length=2, max_length=300, description="The organisation's name.")
    legal_form: str = Field(min_length=2, max_length=100, description="Its legal form.")
    register_number: str | None = Field(default=None, max_length=30, description="KRS or another register's number.")
    address: str = Field(min_length=2, max_length=300, description="Its seat's address.")
    role: OfferorRole = Field(description="`lead`, or `partner` in a joint offer.")


class Person(Body):
    name: str = Field(min_length=2, max_length=200, description="Who is authorised to explain the offer.")
    contact: str = Field(min_length=3, max_length=200, description="Their e-mail or phone.")


class Action(Body):
    name: str = Field(min_length=2, max_length=500, description="The action.")
    starts: CalendarDate = Field(description="When it starts.")
    ends: CalendarDate = Field(description="When it ends.")
    done_by: int | None = Field(
        default=None, ge=0, description="The offeror doing it, by its position in `offerors` (none: `done_by_other`)."
    )
    done_by_other: str | None = Field(
        default=None, max_length=300, description="An entity that is not a party doing it, if not an offeror."
    )

    @model_validator(mode="after")
    def _dates(self) -> Action:
        if self.ends < self.starts:
            raise Refusal("ends before it starts", "kończy się przed rozpoczęciem")
        if (self.done_by is None) == (self.done_by_other is None):
            raise Refusal(
                "name who does it: done_by (an offeror) or done_by_other (a non-party entity)",
                "wskaż wykonawcę działania: done_by (oferent) albo done_by_other (podmiot niebędący stroną)",
            )
        return self


class Result(Body):
    name: str = Field(min_length=2, max_length=500, description="The result.")
    planned_value: str = Field(min_length=1, max_length=200, description="Its planned value (wartość docelowa).")
    monitoring: str = Field(min_length=2, max_length=1000, description="How it will be monitored.")


class CostCategory(StrEnum):
    ACTIONS = "actions"  # I. koszty realizacji działań
    ADMINISTRATIVE = "administrative"  # II. koszty administracyjne


class CostLine(Body):
    category: CostCategory = Field(description="I. `actions` (koszty realizacji działań) or II. `administrative`.")
    name: str = Field(min_length=2, max_length=300, description="The kind of cost.")
    unit: str = Field(min_length=1, max_length=50, description="Its unit (godzina, sztuka, miesiąc...).")
    unit_cost_grosze: Grosze = Field(description="The cost of one unit, grosze.")
    units: Annotated[float, Field(gt=0, le=10**7, multiple_of=0.01, allow_inf_nan=False)] = Field(
        description="How many units (up to two decimal places)."
    )
    year: int = Field(ge=2000, le=2100, description="The year the cost falls in (multi-year tasks).")
    offeror: int = Field(default=0, ge=0, description="The offeror bearing it, by its position in `offerors`.")
    grant_grosze: Grosze = Field(description="Of it, from the grant asked for.")
    own_financial_grosze: Grosze = Field(default=0, description="Of it, the offeror's own financial contribution.")
    personal_grosze: Grosze = Field(
        default=0, description="Of it, non-financial personal contribution (volunteers' and members' work)."
    )
    in_kind_grosze: Grosze = Field(default=0, description="Of it, non-financial in-kind contribution.")
    recipients_grosze: Grosze = Field(default=0, description="Of it, payments from the task's recipients.")


class Statements(Body):
    """The template's statements (oświadczenia), which the offeror confirms."""

    not_for_profit: bool = Field(description="The task is carried out without profit (non-profit activity).")
    statutory_activity: bool = Field(description="The task falls within the offeror's statutory activity.")
    no_tax_arrears: bool = Field(description="No arrears of taxes or social-security contributions.")
    data_true: bool = Field(description="The data in the offer and the registers are true and current.")
    personal_data_consent: bool = Field(description="The people named consent to their data's processing.")

    @model_validator(mode="after")
    def _confirmed(self) -> Statements:
        unconfirmed = sorted(name for name, value in self.model_dump().items() if value is not True)
        if unconfirmed:
            raise Refusal(
                f"the offeror confirms every statement: not confirmed {unconfirmed}",
                f"oferent składa wszystkie oświadczenia: niepotwierdzone {unconfirmed}",
            )
        return self


class GrantOffer(Body):
    """The offer for a public task as the 2018 template (Dz.U. 2018 poz. 2057, załącznik nr 1) structures it."""

    offerors: list[Offeror] = Field(min_length=1, max_length=10, description="II. The offeror(s); one `lead`.")
    representative: Person = Field(description="II. The person authorised to explain the offer.")
    bank_account: str = Field(description="The account the grant is paid to (IBAN, PL + 26 digits).")
    title: str = Field(min_length=2, max_length=300, description="I. The task's title.")
    place: str = Field(min_length=2, max_length=500, description="III.1 Where it is carried out.")
    description: str = Field(min_length=10, max_length=10_000, description="III.2 Its synthetic description.")
    starts: CalendarDate = Field(description="I. The task's start.")
    ends: CalendarDate = Field(description="I. The task's end.")
    schedule: list[Action] = Field(min_length=1, max_length=100, description="III.3 The plan and schedule.")
    results: list[Result] = Field(min_length=1, max_length=50, description="III.4 The results, with planned values.")
    resources: str = Field(min_length=10, max_length=10_000, description="IV. The offeror's resources and experience.")
    costs: list[CostLine] = Field(min_length=1, max_length=300, description="V.A The cost calculation.")
    other_information: str | None = Field(default=None, max_length=10_000, description="VI. Other information.")
    statements: Statements = Field(description="VII. The statements.")

    @field_validator("bank_account")
    @classmethod
    def _iban(cls, value: str) -> str:
        compact = iban.compact(value)
        if not compact.startswith("PL") or not iban.is_valid(compact):
            raise Refusal("not a valid Polish IBAN (PL + 26 digits)", "to nie jest poprawny polski IBAN (PL + 26 cyfr)")
        return compact

    @model_validator(mode="after")
    def _parties(self) -> GrantOffer:
        if [o.role for o in self.offerors].count(OfferorRole.LEAD) != 1:
            raise Refusal("one offeror leads (role lead)", "jeden oferent jest wiodący (role lead)")
        if self.ends < self.starts:
            raise Refusal("the task ends before it starts", "zadanie kończy się przed rozpoczęciem")
        parties = len(self.offerors)
        if any(a.done_by is not None and a.done_by >= parties for a in self.schedule):
            raise Refusal("an action's done_by names no offeror", "done_by działania nie wskazuje oferenta")
        if any(c.offeror >= parties for c in self.costs):
            raise Refusal("a cost line's offeror names no offeror", "oferent pozycji kosztorysu nie istnieje")
        years = set(range(self.starts.year, self.ends.year + 1))
        if any(c.year not in years for c in self.costs):
            raise Refusal(
                f"a cost line's year is outside the task's years {sorted(years)}",
                f"rok pozycji kosztorysu wykracza poza lata zadania {sorted(years)}",
            )
        return self


class EarlierContracts(Schema):
    count: int = Field(description="The offeror's contracts with this municipality from other calls.")
    completed: int = Field(description="Of them, completed.")
    terminated: int = Field(description="Of them, terminated.")
    value_grosze: int = Field(description="Their value.")


class EarlierReports(Schema):
    count: int = Field(description="Delivery reports submitted under those contracts.")
    accepted: int = Field(description="Of them, accepted.")
    returned: int = Field(description="Of them, returned for correction.")
    late: int = Field(description="Of them, submitted after the due date of their period.")


class ReliabilityOut(Schema):
    """The offeror's earlier public tasks for this municipality, from the records kept here: what the committee
    weighs under art. 15 ust. 1 pkt 6 UDPP (reliability, timeliness, settlement); none: the element does not
    apply."""

    provider_id: str = Field(description="The offeror (the lead).")
    municipality_terc: str = Field(description="The authority whose tasks count.")
    legal_basis: str = Field(description="The provision.")
    contracts: EarlierContracts = Field(description="Its earlier contracts.")
    reports: EarlierReports = Field(description="Their reports.")
