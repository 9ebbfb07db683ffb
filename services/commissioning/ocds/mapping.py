"""A call as Open Contracting Data Standard 1.1 releases (with the official lots and bids extensions).

One release per stage: the planning and the tender at publication, each tender amendment, the bids once the
deadline has passed (never before: offers are sealed), each award decision, each contract's signature, and its
implementation (payments as transactions, reporting periods as milestones). Releases are built from the current
state of their section, so merging them gives the compiled release, which is built the same way with every section.
"""

from __future__ import annotations

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


def releases(data: CallData) -> list[dict[str, Any]]:
    """The call's releases, oldest first (a draft has none)."""
    call = data.call
    if call.published_at is None:
        return []
    out = [
        _release(data, "planning", call.created_at, ["planning"], planning=sections.planning(data)),
        _release(data, "tender", call.published_at, ["tender"], tender=sections.tender(data, with_amendments=0)),
    ]
    for n, amendment in enumerate(data.amendments, start=1):
        out.append(
            _release(
                data,
                f"amendment-{n}",
                amendment.at,
                ["tenderAmendment"],
                tender=sections.tender(data, with_amendments=n),
            )
        )
    if data.status is CallStatus.CANCELLED:
        out.append(
            _release(data, "cancellation", call.updated_at, ["tenderCancellation"], tender=sections.tender(data))
        )
    if data.opened:
        out.append(
            _release(
                data, "bids", call.deadline, ["tenderUpdate"], tender=sections.tender(data), bids=sections.bids(data)
            )
        )
    for decision in data.decisions:
        out.append(
            _release(
                data,
                f"award-{decision.id}",
                decision.decided_at,
                ["award"],
                tender=sections.tender(data),
                awards=sections.awards(data, [decision]),
            )
        )
    for contract in data.contracts:
        if contract.signed_at is None:
            continue
        out.append(
            _release(
                data,
                f"contract-{contract.id}",
                contract.signed_at,
                ["contract"],
                contracts=[sections.contract(data, contract, implementation=False)],
            )
        )
        if (
            any(p.contract_id == contract.id for p in data.payments)
            or any(r.contract_id == contract.id for r in data.reports)
            or contract.status != ContractStatus.ACTIVE.value
        ):
            out.append(
                _release(
                    data,
                    f"implementation-{contract.id}",
                    contract.updated_at,
                    ["implementation"],
                    contracts=[sections.contract(data, contract, implementation=True)],
                )
            )
    return sorted(out, key=package_order)


def package_order(release: dict[str, Any]) -> tuple[datetime, int, str]:
    """Date, then stage, then id: as instants, not strings (`…:00.5Z` sorts before `…:00Z` as text)."""
    return datetime.fromisoformat(release["date"]), STAGES.index(release["tag"][0]), release["id"]


def compiled_release(data: CallData) -> dict[str, Any]:
    """The current state of every section: what merging `releases` gives (a test checks it with ocdsmerge)."""
    call = data.call
    latest = max((r["date"] for r in releases(data)), default=iso(call.updated_at), key=datetime.fromisoformat)
    parts: dict[str, Any] = {"planning": sections.planning(data), "tender": sections.tender(data)}
    if data.opened:
        parts["bids"] = sections.bids(data)
    if data.decisions:
        parts["awards"] = sections.awards(data, data.decisions)
    signed = [c for c in data.contracts if c.signed_at is not None]
    if signed:
        parts["contracts"] = [sections.contract(data, c, implementation=_has_implementation(data, c)) for c in signed]
    release = _release(data, "compiled", datetime.fromisoformat(latest.replace("Z", "+00:00")), ["compiled"], **parts)
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
