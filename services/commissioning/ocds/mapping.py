"""A call as Open Contracting Data Standard 1.1 releases (with the official lots and bids extensions).

One release per stage: the planning and the tender at publication, each tender amendment, the bids once the
deadline has passed (never before: offers are sealed), each award decision, each contract's signature, and its
implementation (payments as transactions, reporting periods as milestones). Releases are built from the current
state of their section, so merging them gives the compiled release, which is built the same way with every section.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.commissioning.models.calls import CallStatus
from services.commissioning.models.contracts import Contract, ContractStatus
from services.commissioning.ocds import sections
from services.commissioning.ocds.data import EXTENSIONS, STAGES, CallData
from services.commissioning.ocds.sections import buyer_id, iso


def prune(value: Any) -> Any:
    """Drop empty arrays and objects: OCDS merging treats absent and empty alike, so publishing none keeps a
    compiled release equal to the merge of its releases."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ([], {})}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def _release(data: CallData, rid: str, when: datetime, tags: list[str], **parts: Any) -> dict[str, Any]:
    call = data.call
    release: dict[str, Any] = prune(
        {
            "ocid": call.ocid,
            "id": f"{call.ocid}-{rid}",
            "date": iso(when),
            "tag": tags,
            "initiationType": "tender",
            "language": "pl",
            "parties": sections.parties(data),
            "buyer": {"id": buyer_id(data.municipality.terc), "name": data.municipality.name},
            **parts,
        }
    )
    return release


@dataclass(frozen=True)
class Stage:
    """One release a call has: its id's suffix, date and tag, and its sections, built only when asked for."""

    rid: str
    when: datetime
    tag: str
    parts: Callable[[], dict[str, Any]]


def stages(data: CallData) -> list[Stage]:
    """Which releases the call has, and when (a draft has none); nothing is built yet."""
    call = data.call
    if call.published_at is None:
        return []
    out = [
        Stage("planning", call.created_at, "planning", lambda: {"planning": sections.planning(data)}),
        Stage("tender", call.published_at, "tender", lambda: {"tender": sections.tender(data, with_amendments=0)}),
    ]
    for n, amendment in enumerate(data.amendments, start=1):
        out.append(
            Stage(
                f"amendment-{n}",
                amendment.at,
                "tenderAmendment",
                lambda n=n: {"tender": sections.tender(data, with_amendments=n)},  # type: ignore[misc]
            )
        )
    if data.status is CallStatus.CANCELLED:
        out.append(
            Stage("cancellation", call.updated_at, "tenderCancellation", lambda: {"tender": sections.tender(data)})
        )
    if data.opened:
        out.append(
            Stage(
                "bids",
                call.deadline,
                "tenderUpdate",
                lambda: {"tender": sections.tender(data), "bids": sections.bids(data)},
            )
        )
    for decision in data.decisions:
        out.append(
            Stage(
                f"award-{decision.id}",
                decision.decided_at,
                "award",
                lambda d=decision: {"tender": sections.tender(data), "awards": sections.awards(data, [d])},  # type: ignore[misc]
            )
        )
    for contract in data.contracts:
        if contract.signed_at is None:
            continue
        out.append(
            Stage(
                f"contract-{contract.id}",
                contract.signed_at,
                "contract",
                lambda c=contract: {"contracts": [sections.contract(data, c, implementation=False)]},  # type: ignore[misc]
            )
        )
        if _has_implementation(data, contract):
            out.append(
                Stage(
                    f"implementation-{contract.id}",
                    contract.updated_at,
                    "implementation",
                    lambda c=contract: {"contracts": [sections.contract(data, c, implementation=True)]},  # type: ignore[misc]
                )
            )
    return out


def releases(data: CallData, only: Container[str] | None = None) -> list[dict[str, Any]]:
    """The call's releases, oldest first (a draft has none); with `only`, just those of these release ids."""
    ocid = data.call.ocid
    out = [
        _release(data, stage.rid, stage.when, [stage.tag], **stage.parts())
        for stage in stages(data)
        if only is None or f"{ocid}-{stage.rid}" in only
    ]
    return sorted(out, key=package_order)


def package_order(release: dict[str, Any]) -> tuple[datetime, int, str]:
    """Date, then stage, then id: as instants, not strings (`…:00.5Z` sorts before `…:00Z` as text)."""
    return datetime.fromisoformat(release["date"]), STAGES.index(release["tag"][0]), release["id"]


def compiled_release(data: CallData) -> dict[str, Any]:
    """The current state of every section: what merging `releases` gives (a test checks it with ocdsmerge)."""
    call = data.call
    latest = max((stage.when for stage in stages(data)), default=call.updated_at)
    parts: dict[str, Any] = {"planning": sections.planning(data), "tender": sections.tender(data)}
    if data.opened:
        parts["bids"] = sections.bids(data)
    if data.decisions:
        parts["awards"] = sections.awards(data, data.decisions)
    signed = [c for c in data.contracts if c.signed_at is not None]
    if signed:
        parts["contracts"] = [sections.contract(data, c, implementation=_has_implementation(data, c)) for c in signed]
    release = _release(data, "compiled", latest, ["compiled"], **parts)
    return release


def _has_implementation(data: CallData, contract: Contract) -> bool:
    return (
        any(p.contract_id == contract.id for p in data.payments)
        or any(r.contract_id == contract.id for r in data.reports)
        or contract.status != ContractStatus.ACTIVE.value
    )


def package_meta(base_url: str, published: datetime) -> dict[str, Any]:
    return {
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": iso(published),
        "publisher": {"name": "CUS commissioning (usługi społeczne)", "uri": base_url},
    }
