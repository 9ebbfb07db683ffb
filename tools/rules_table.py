"""The README's table of commissioning rules, generated from the rules module so the two cannot disagree:
`python -m tools.rules_table` prints it; a test checks the README holds exactly this."""

from __future__ import annotations

from services.commissioning.rules.modes import RULE_SETS, SOURCES, VERIFY_FLAGS, ModeRules, RuleSet
from shared.money import format_pln

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def _pln(grosze: int | None) -> str | None:
    return None if grosze is None else format_pln(grosze)


def _limits(rules: ModeRules) -> str:
    """The mode's limits in words, in the README's order: each template with the value it has (None: none)."""
    valued = rules.max_value_grosze is not None or rules.min_value_grosze is not None
    basis = f" ({rules.publication_basis})" if rules.publication_basis else ""
    limits: list[tuple[object, str]] = [
        (_pln(rules.max_value_grosze), "value ≤ {}"),
        (_pln(rules.min_value_grosze), "value ≥ {}"),
        (("net (without VAT)" if rules.compares_net else "gross") if valued else None, "values compared {}"),
        (_pln(rules.max_value_per_provider_year_grosze), "≤ {} a year per organisation"),
        (rules.max_duration_days, "≤ {} days"),
        (rules.max_duration_years, "≤ {} calendar years"),
        (rules.min_publication_days, "≥ {} days to the deadline" + basis),
        (rules.max_share_of_ngo_grants, "all together ≤ {:.0%} of the year's planned NGO grants"),
        (rules.offer_comment_days, "the winning offer public {} days for comments before the contract"),
        (rules.min_excluded_share, "≥ {:.0%} excluded employees"),
        (rules.repeat_award_lookback_years, "no repeat award within {} years"),
        (None if rules.by_call else "not a call", "{}"),
    ]
    return "; ".join(template.format(value) for value, template in limits if value is not None) or "–"


def _rule_set(rule_set: RuleSet) -> list[str]:
    until = rule_set.valid_to.isoformat() if rule_set.valid_to else "until changed"
    flags = ", ".join(VERIFY_FLAGS.get(rule_set.version, ()))
    euros = f"{rule_set.eu_social_threshold_eur:,}".replace(",", " ")
    lines = [
        f"**Rule set {rule_set.version}** ({rule_set.valid_from.isoformat()} – {until}): national threshold "
        f"{format_pln(rule_set.national_threshold_grosze)} net; EU threshold for social services {euros} EUR = "
        f"{format_pln(rule_set.eu_social_threshold_grosze)} at {rule_set.eur_rate} zł/EUR ({rule_set.eur_rate_source})"
        + (f" (to verify: {flags})" if flags else "")
        + ".",
        "",
        "| mode | legal basis | limits | to verify |",
        "| --- | --- | --- | --- |",
    ]
    for rules in rule_set.modes.values():
        lines.append(
            f"| {rules.name_pl} (`{rules.mode.value}`) | {rules.legal_basis} | {_limits(rules)} | "
            f"{', '.join(rules.verify) or '–'} |"
        )
    return lines


def rules_markdown() -> str:
    lines = [START]
    for rule_set in RULE_SETS:
        lines += [*_rule_set(rule_set), ""]
    lines += ["Sources (`GET /v1/rules/sources`):", "", "| act | published | consolidated text | provisions |"]
    lines.append("| --- | --- | --- | --- |")
    for source in SOURCES:
        consolidated = (source.consolidated or "–") + (" (to verify)" if source.verify else "")
        lines.append(f"| {source.title_pl} | {source.published} | {consolidated} | {', '.join(source.articles)} |")
    lines += ["", END]
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_markdown())
