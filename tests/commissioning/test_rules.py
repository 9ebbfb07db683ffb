"""The rules table and the advisor, as plain functions: verdicts, reasons and the figures compared."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.commissioning.rules.advisor import (
    NeedFacts,
    ProviderFacts,
    Requirements,
    advise,
    call_violations,
    provider_violations,
)
from services.commissioning.rules.modes import Mode, rules_in_force, rules_version

RULES = rules_in_force(date(2026, 3, 2))


START = date(2027, 1, 1)


def verdicts(value_pln: int, days: int, local_pes: int | None = 3) -> dict[str, dict]:
    """The advice for a need of this value lasting `days` days from 1 January 2027."""
    facts = NeedFacts(
        value_grosze=value_pln * 100,
        period_start=START,
        period_end=START + timedelta(days=days - 1),
        local_pes_offerings=local_pes,
    )
    return {a["mode"]: a for a in advise(RULES, facts)}


def period_verdict(mode: str, start: date, end: date) -> dict:
    facts = NeedFacts(value_grosze=60_000_000, period_start=start, period_end=end, local_pes_offerings=3)
    return next(a for a in advise(RULES, facts) if a["mode"] == mode)


def test_small_need_recommends_small_grant_and_forbids_the_light_regime():
    v = verdicts(8_000, 60)
    assert v["small-grant"]["verdict"] == "recommended"
    assert v["open-competition"]["verdict"] == "recommended"
    below = v["below-threshold"]
    assert below["verdict"] == "recommended" and "by analogy to art. 94 and 361 Pzp" in below["reasons"][0]["detail"]
    light = v["light-regime"]
    assert light["verdict"] == "forbidden"
    assert light["reasons"][0]["compared"] == {"value_grosze": 800_000, "limit_grosze": 13_000_000}
    assert v["in-house"]["verdict"] == "not-a-call"


def test_small_grant_is_forbidden_over_10000_pln_or_90_days_with_the_figures():
    over_value = verdicts(10_001, 60)["small-grant"]
    assert over_value["verdict"] == "forbidden"
    assert over_value["reasons"][0]["rule"] == "small-grant-max-value"
    assert "UDPP art. 19a" in over_value["reasons"][0]["legal_basis"]
    assert over_value["reasons"][0]["compared"] == {"value_grosze": 1_000_100, "limit_grosze": 1_000_000}
    too_long = verdicts(5_000, 91)["small-grant"]
    assert too_long["reasons"][0]["compared"] == {"duration_days": 91, "limit_days": 90}
    assert verdicts(10_000, 90)["small-grant"]["verdict"] == "recommended"


def test_large_long_need():
    v = verdicts(600_000, 2 * 365)
    assert v["below-threshold"]["verdict"] == "forbidden"
    assert v["light-regime"]["verdict"] == "allowed"
    assert v["reserved-361"]["verdict"] == "recommended"
    four_years = verdicts(600_000, 4 * 365)["reserved-361"]
    assert four_years["verdict"] == "forbidden"
    assert four_years["reasons"][0]["compared"] == {
        "period_end": "2030-12-30",  # 4 x 365 days from 1 January 2027, one of them 29 February
        "latest_end": "2029-12-31",
        "limit_years": 3,
    }


def test_years_are_calendar_years_whatever_leap_days_they_hold():
    # An art. 361 contract for the whole of 2026, 2027 and 2028 lasts three years, though 2028 has 29 February
    # (1,096 days): allowed. One day more is not.
    assert period_verdict("reserved-361", date(2026, 1, 1), date(2028, 12, 31))["verdict"] != "forbidden"
    over = period_verdict("reserved-361", date(2026, 1, 1), date(2029, 1, 1))
    assert over["verdict"] == "forbidden" and "2028-12-31 at the latest" in over["reasons"][0]["detail"]
    # from 29 February, three years end on the last day of February
    assert period_verdict("reserved-361", date(2028, 2, 29), date(2031, 2, 27))["verdict"] != "forbidden"
    assert period_verdict("reserved-361", date(2028, 2, 29), date(2031, 2, 28))["verdict"] == "forbidden"
    # an open competition's multi-year contract: five calendar years
    assert period_verdict("open-competition", date(2026, 1, 1), date(2030, 12, 31))["verdict"] != "forbidden"
    assert period_verdict("open-competition", date(2026, 1, 1), date(2031, 1, 1))["verdict"] == "forbidden"


def test_the_repeat_award_look_back_is_three_calendar_years():
    from services.commissioning.clock import add_years

    assert add_years(date(2029, 3, 1), -3) == date(2026, 3, 1)
    assert add_years(date(2028, 2, 29), -3) == date(2025, 2, 28)


def test_reserved_modes_are_only_allowed_when_no_local_pes():
    v = verdicts(200_000, 300, local_pes=0)
    assert v["reserved-94"]["verdict"] == "allowed"
    assert any(r["rule"] == "reserved-94-no-local-pes" for r in v["reserved-94"]["reasons"])


def test_open_competition_needs_21_days_between_publication_and_deadline():
    published = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    june = {"period_start": date(2026, 6, 1), "period_end": date(2026, 6, 30)}

    def open_for(time: timedelta) -> list:
        """An open competition's violations when it is open this long after its publication."""
        deadline = published + time
        return call_violations(
            RULES, Mode.OPEN_COMPETITION, value_grosze=1, published_at=published, deadline=deadline, **june
        )

    short = open_for(timedelta(days=20, hours=23))
    assert [r.rule for r in short] == ["open-competition-min-publication"]
    assert short[0].compared["limit_days"] == 21 and short[0].legal_basis == "UDPP art. 13 ust. 1"
    assert open_for(timedelta(days=21)) == []
    assert [
        r.rule
        for r in call_violations(
            RULES, Mode.IN_HOUSE, value_grosze=1, period_start=date(2026, 6, 1), period_end=date(2026, 6, 1)
        )
    ] == ["in-house-not-a-call"]


def test_provider_eligibility_per_mode():
    coop = ProviderFacts("p", "social-cooperative", is_pes=True, social_enterprise=True, excluded_share=0.4)
    company = ProviderFacts("c", "company", is_pes=False, social_enterprise=False, excluded_share=0.0)
    none = Requirements()
    assert provider_violations(RULES, Mode.OPEN_COMPETITION, coop, none) == []
    assert [r.rule for r in provider_violations(RULES, Mode.OPEN_COMPETITION, company, none)] == ["eligibility-ngo"]
    low_share = ProviderFacts("z", "social-cooperative", is_pes=True, social_enterprise=False, excluded_share=0.2)
    reasons = provider_violations(RULES, Mode.RESERVED_94, low_share, none)
    assert [r.rule for r in reasons] == ["eligibility-reserved-94-share"]
    assert reasons[0].compared == {"share": 0.2, "limit": 0.3}
    assert [r.rule for r in provider_violations(RULES, Mode.RESERVED_361, coop, none, repeat_awards=1)] == [
        "eligibility-reserved-361-repeat"
    ]
    assert [r.rule for r in provider_violations(RULES, Mode.BELOW_THRESHOLD, company, Requirements(pes_only=True))] == [
        "requirement-pes"
    ]


def test_rules_are_versioned_by_date():
    assert rules_in_force(date(2025, 6, 1)).version == "2024-01"
    assert rules_in_force(date(2026, 6, 1)).version == "2026-01"
    assert rules_version("2024-01").get(Mode.SMALL_GRANT).max_value_grosze == 1_000_000
    with pytest.raises(LookupError):
        rules_in_force(date(2023, 12, 31))


def test_below_the_pzp_threshold_its_reserved_procedures_are_not_offered():
    """Pzp applies from 130 000 zł net (art. 2 ust. 1 pkt 1 Pzp): a need of 100 000 zł is commissioned under the
    municipality's own rules, which may reserve it for PES by analogy; art. 94 and 361 procedures do not apply."""
    v = verdicts(100_000, 300)
    for mode in ("reserved-94", "reserved-361", "light-regime"):
        assert v[mode]["verdict"] == "forbidden", mode
        reason = v[mode]["reasons"][0]
        assert reason["legal_basis"] == "Pzp art. 2 ust. 1 pkt 1" and "Pzp does not apply" in reason["detail"]
    assert v["below-threshold"]["verdict"] == "recommended"
    above = verdicts(130_000, 300)
    assert above["reserved-94"]["verdict"] == "recommended" and above["below-threshold"]["verdict"] == "forbidden"


def test_at_the_eu_threshold_the_procedure_becomes_european():
    """750 000 EUR is 3 232 500,00 zł at the 2026-27 rate (4,31 zł): Pzp procedures from it are announced in the
    Official Journal of the EU (directive 2014/24/EU, art. 75)."""
    below = verdicts(3_232_499, 300)["light-regime"]
    assert all(r["rule"] != "eu-threshold" for r in below["reasons"])
    above = verdicts(3_232_500, 300)
    for mode in ("light-regime", "reserved-361"):
        eu = next(r for r in above[mode]["reasons"] if r["rule"] == "eu-threshold")
        assert "Official Journal of the EU" in eu["detail"] and "2014/24/UE" in eu["legal_basis"]
        assert "(750 000 EUR, 3 232 500,00 zł by the notice in force)" in eu["detail"]
        assert eu["compared"]["threshold_grosze"] == 323_250_000
    assert all(r["rule"] != "eu-threshold" for r in above["open-competition"]["reasons"])  # UDPP, not Pzp


def test_each_rule_set_has_the_threshold_of_its_own_notice():
    """The 2024-25 notice's rate (4,6371 zł, M.P. 2023 poz. 1344) for procedures started in 2025; 4,31 zł from 2026."""
    assert rules_in_force(date(2025, 12, 31)).eu_social_threshold_grosze == 347_782_500
    assert rules_in_force(date(2026, 1, 1)).eu_social_threshold_grosze == 323_250_000
    assert rules_in_force(date(2026, 1, 1)).eur_rate == "4,31"


def test_the_readmes_rules_table_is_the_rules_module():
    from tests.conftest import REPO
    from tools.rules_table import END, START, rules_markdown

    readme = (REPO / "README.md").read_text()
    assert readme[readme.index(START) : readme.index(END) + len(END)] == rules_markdown(), (
        "the README's rules table is stale: paste `python -m tools.rules_table` into it"
    )


def test_pzp_thresholds_compare_net_values_grants_what_is_paid():
    """A need of 150 000 zł gross with 23 % VAT is 121 951,21 zł net: below the Pzp threshold (130 000 zł net), so
    the Pzp procedures are not offered; exempt from VAT (zw.), the same 150 000 zł is above it."""
    facts = {"value_grosze": 15_000_000, "period_start": START, "period_end": START + timedelta(days=299)}
    taxed = {a["mode"]: a for a in advise(RULES, NeedFacts(**facts, vat_rate_percent=23))}
    reason = taxed["light-regime"]["reasons"][0]
    assert taxed["light-regime"]["verdict"] == "forbidden" and reason["compared"]["value_grosze"] == 12_195_121
    assert reason["detail"].startswith("value 121 951,21 zł is below 130 000,00 zł net")
    assert taxed["below-threshold"]["verdict"] == "recommended"
    exempt = {a["mode"]: a for a in advise(RULES, NeedFacts(**facts))}
    assert exempt["light-regime"]["verdict"] != "forbidden" and exempt["below-threshold"]["verdict"] == "forbidden"


async def test_a_need_and_its_call_carry_their_vat_rate(api, client):
    from tests.commissioning.conftest import STARACHOWICE
    from tests.commissioning.factories import call_body, municipality, need

    await municipality(api)
    base = await need(api, client)
    body = {k: base[k] for k in ("title", "service_type_id", "quantity", "period_start", "period_end")}
    made = await api.post(
        "/v1/municipalities/2611011/needs",
        json={**body, "estimated_value_grosze": 15_000_000, "vat_rate_percent": 23},
        headers=STARACHOWICE,
    )
    assert made.status_code == 201, made.text
    assert made.json()["estimated_value_net_grosze"] == 12_195_121
    refused = await api.post(
        "/v1/municipalities/2611011/needs",
        json={**body, "estimated_value_grosze": 1, "vat_rate_percent": 7},
        headers=STARACHOWICE,
    )
    assert refused.status_code == 422  # not a VAT rate
    call = await api.post(
        "/v1/calls",
        json=call_body(made.json()["id"], mode="light-regime", value_pln=150_000),
        headers=STARACHOWICE,
    )
    assert call.status_code == 422 and call.json()["violations"][0]["rule"] == "light-regime-min-value"
    exempt = await api.post(
        "/v1/calls",
        json=call_body(made.json()["id"], mode="light-regime", value_pln=150_000, vat_rate_percent=None),
        headers=STARACHOWICE,
    )
    assert exempt.status_code == 201 and exempt.json()["vat_rate_percent"] is None
