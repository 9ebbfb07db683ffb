"""A call as Open Contracting Data Standard 1.1 releases (with the official lots and bids extensions).

One release per stage: the tender at publication, each tender amendment, the bids once the deadline has passed
(never before: offers are sealed), each award decision, each contract's signature, and its implementation
(payments as transactions, reporting periods as milestones). Releases are built from the current state of their
section, so merging them gives the compiled release, which is built the same way with every section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.commissioning.calls.models import Amendment, Award, Call, CallStatus, Lot
from services.commissioning.contracts.models import (
    AwardDecision,
    Contract,
    ContractAmendment,
    ContractStatus,
    DeliveryReport,
    Payment,
    ReportStatus,
)
from services.commissioning.municipalities.models import Municipality
from services.commissioning.offers.models import Offer, OfferStatus
from services.commissioning.rules.modes import Mode, rules_version

EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
]
DIRECT_MODES = {Mode.SMALL_GRANT, Mode.IN_HOUSE, Mode.INTER_MUNICIPAL, Mode.LOCAL_INITIATIVE}
TENDER_STATUS = {
    CallStatus.OPEN: "active",
    CallStatus.EVALUATION: "active",
    CallStatus.AWARDED: "complete",
    CallStatus.UNSUCCESSFUL: "unsuccessful",
    CallStatus.CANCELLED: "cancelled",
    CallStatus.DRAFT: "planning",
}
# The order of stages, for releases that share a timestamp.
STAGES = [
    "planning",
    "tender",
    "tenderAmendment",
    "tenderCancellation",
    "tenderUpdate",
    "award",
    "contract",
    "implementation",
]
CONTRACT_STATUS = {
    ContractStatus.STANDSTILL: "pending",
    ContractStatus.ACTIVE: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}


@dataclass
class CallData:
    """Everything one call's releases are made of."""

    call: Call
    municipality: Municipality
    lots: list[Lot]
    amendments: list[Amendment]
    offers: list[Offer]  # empty until the deadline has passed
    decisions: list[AwardDecision]
    awards: list[Award]
    contracts: list[Contract]
    contract_amendments: list[ContractAmendment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    reports: list[DeliveryReport] = field(default_factory=list)
    status: CallStatus = CallStatus.OPEN
    opened: bool = False  # the deadline has passed


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def day(d: date, *, end: bool = False) -> str:
    return f"{d.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def money(grosze: int) -> dict[str, Any]:
    return {"amount": float(Decimal(grosze) / 100), "currency": "PLN"}


def buyer_id(terc: str) -> str:
    return f"PL-TERC-{terc}"


def org_id(provider_id: Any, nip: str | None = None) -> str:
    """A provider's party id: its NIP (org-id scheme PL-NIP) when known, else its catalogue id."""
    return f"PL-NIP-{nip}" if nip else f"X-CUS-PROVIDER-{provider_id}"


def _provider_party(provider_id: Any, nip: str | None, name: str, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": org_id(provider_id, nip), "name": name, "roles": roles}
    if nip:
        party["identifier"] = {"scheme": "PL-NIP", "id": nip, "legalName": name}
    return party


def _parties(data: CallData) -> list[dict[str, Any]]:
    m = data.municipality
    parties: dict[str, dict[str, Any]] = {
        buyer_id(m.terc): {
            "id": buyer_id(m.terc),
            "name": m.name,
            "identifier": {"scheme": "PL-TERC", "id": m.terc, "legalName": m.name},
            "address": {
                k: v
                for k, v in {
                    "streetAddress": m.street,
                    "locality": m.city,
                    "postalCode": m.postal_code,
                    "countryName": "Polska",
                }.items()
                if v
            },
            "contactPoint": {
                k: v for k, v in {"name": m.cus_name, "email": m.email, "telephone": m.phone}.items() if v
            },
            "roles": ["buyer", "procuringEntity"],
        }
    }
    suppliers = {a.provider_id for a in data.awards}
    for offer in data.offers:
        roles = ["tenderer", "supplier"] if offer.provider_id in suppliers else ["tenderer"]
        party = _provider_party(offer.provider_id, offer.provider_nip, offer.provider_name, roles)
        parties[party["id"]] = party
    for award in data.awards:
        party = _provider_party(award.provider_id, award.provider_nip, award.provider_name or "", ["supplier"])
        parties.setdefault(party["id"], party)
    return list(parties.values())


def _tender(data: CallData, *, with_amendments: int | None = None) -> dict[str, Any]:
    call = data.call
    rules = rules_version(call.rules_version).get(Mode(call.mode))
    criteria = "; ".join(f"{c['name']} ({c['kind']}): {c['weight']} pkt" for c in call.criteria)
    amendments = data.amendments if with_amendments is None else data.amendments[:with_amendments]
    tender: dict[str, Any] = {
        "id": str(call.id),
        "title": call.title,
        "status": TENDER_STATUS[data.status],
        "procurementMethod": "direct" if Mode(call.mode) in DIRECT_MODES else "open",
        "procurementMethodDetails": f"{rules.name_pl} ({rules.legal_basis})",
        "mainProcurementCategory": "services",
        "value": money(sum(lot.value_grosze for lot in data.lots)),
        "submissionMethod": ["electronicSubmission"],
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": criteria,
        "tenderPeriod": {"startDate": iso(call.published_at or call.created_at), "endDate": iso(call.deadline)},
        "contractPeriod": {"startDate": day(call.period_start), "endDate": day(call.period_end, end=True)},
        "items": [
            {
                "id": f"item-{lot.number}",
                "description": lot.title,
                "quantity": lot.quantity,
                "unit": {"name": lot.unit},
                "classification": {"scheme": "X-CUS-SERVICE-TYPE", "id": lot.service_type_code},
                "relatedLot": str(lot.id),
            }
            for lot in data.lots
        ],
        "lots": [
            {"id": str(lot.id), "title": lot.title, "value": money(lot.value_grosze), "status": _lot_status(data, lot)}
            for lot in data.lots
        ],
        "documents": [
            {
                "id": f"doc-{i + 1}",
                "documentType": "tenderNotice" if i == 0 else "biddingDocuments",
                "title": d["title"],
                "url": d["url"],
                "format": d["media_type"],
                "language": "pl",
            }
            for i, d in enumerate(call.documents)
        ],
    }
    if call.description:
        tender["description"] = call.description
    if call.cancelled_reason:
        tender["statusDetails"] = call.cancelled_reason
    if amendments:
        tender["amendments"] = [
            {
                "id": str(a.id),
                "date": iso(a.at),
                "rationale": a.description,
                "description": ", ".join(sorted(a.changes)) or a.description,
            }
            for a in amendments
        ]
    if data.opened:
        tender["numberOfTenderers"] = len({o.provider_id for o in data.offers})
    return tender


def _planning(data: CallData) -> dict[str, Any]:
    call = data.call
    return {
        "rationale": call.description or call.title,
        "budget": {
            "description": f"{call.title} ({call.period_start.isoformat()} – {call.period_end.isoformat()})",
            "amount": money(sum(lot.value_grosze for lot in data.lots)),
        },
    }


def _lot_status(data: CallData, lot: Lot) -> str:
    decision = next((d for d in data.decisions if d.lot_id == lot.id), None)
    if data.status is CallStatus.CANCELLED:
        return "cancelled"
    if decision is None:
        return "active"
    return "complete" if any(a.decision_id == decision.id for a in data.awards) else "unsuccessful"


def _bids(data: CallData) -> dict[str, Any]:
    return {
        "statistics": [
            {
                "id": f"bids-{lot.number}",
                "measure": "bids",
                "relatedLot": str(lot.id),
                "value": sum(1 for o in data.offers if o.lot_id == lot.id),
            }
            for lot in data.lots
        ],
        "details": [
            {
                "id": str(o.id),
                "date": iso(o.submitted_at),
                "status": "valid" if o.status == OfferStatus.SUBMITTED.value else "pending",
                "tenderers": [{"id": org_id(o.provider_id, o.provider_nip), "name": o.provider_name}],
                "value": money(o.price_grosze),
                "relatedLots": [str(o.lot_id)],
            }
            for o in data.offers
        ],
    }


def _awards(data: CallData, decisions: list[AwardDecision]) -> list[dict[str, Any]]:
    lots = {lot.id: lot for lot in data.lots}
    out: list[dict[str, Any]] = []
    for decision in decisions:
        winners = [a for a in data.awards if a.decision_id == decision.id]
        if not winners:
            out.append(
                {
                    "id": str(decision.id),
                    "title": f"Część {lots[decision.lot_id].number}: bez rozstrzygnięcia",
                    "description": decision.reason,
                    "status": "unsuccessful",
                    "date": iso(decision.decided_at),
                    "relatedLots": [str(decision.lot_id)],
                }
            )
        for award in winners:
            out.append(
                {
                    "id": str(award.id),
                    "title": f"Część {lots[decision.lot_id].number}: {award.provider_name}",
                    "description": decision.reason,
                    "status": "active",
                    "date": iso(decision.decided_at),
                    "value": money(award.value_grosze),
                    "suppliers": [
                        {"id": org_id(award.provider_id, award.provider_nip), "name": award.provider_name or ""}
                    ],
                    "relatedLots": [str(decision.lot_id)],
                }
            )
    return out


def _contract(data: CallData, contract: Contract, *, implementation: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(contract.id),
        "awardID": str(contract.award_id),
        "title": f"Umowa: {contract.provider_name}",
        "status": CONTRACT_STATUS[ContractStatus(contract.status)],
        "period": {"startDate": day(contract.period_start), "endDate": day(contract.period_end, end=True)},
        "value": money(contract.value_grosze),
    }
    if contract.signed_at:
        out["dateSigned"] = iso(contract.signed_at)
    amendments = [a for a in data.contract_amendments if a.contract_id == contract.id]
    if amendments:
        out["amendments"] = [{"id": str(a.id), "date": iso(a.at), "rationale": a.reason} for a in amendments]
    if implementation:
        payer = {"id": buyer_id(contract.municipality_terc), "name": data.municipality.name}
        nip = next((a.provider_nip for a in data.awards if a.id == contract.award_id), None)
        payee = {"id": org_id(contract.provider_id, nip), "name": contract.provider_name}
        reports = {r.period_start.isoformat(): r for r in data.reports if r.contract_id == contract.id}
        out["implementation"] = {
            "transactions": [
                {
                    "id": str(p.id),
                    "date": day(p.paid_on),
                    "value": money(p.amount_grosze),
                    "payer": payer,
                    "payee": payee,
                }
                for p in data.payments
                if p.contract_id == contract.id
            ],
            "milestones": [
                _milestone(i, period, reports.get(period["period_start"]))
                for i, period in enumerate(contract.reporting_schedule)
            ],
        }
    return out


def _milestone(i: int, period: dict[str, Any], report: DeliveryReport | None) -> dict[str, Any]:
    milestone: dict[str, Any] = {
        "id": f"report-{i + 1}",
        "title": f"Sprawozdanie {period['period_start']} – {period['period_end']}",
        "type": "reporting",
        "dueDate": day(date.fromisoformat(period["due_date"])),
        "status": "scheduled",
    }
    if report is not None and report.status == ReportStatus.ACCEPTED.value and report.reviewed_at:
        milestone["status"], milestone["dateMet"] = "met", iso(report.reviewed_at)
    return milestone


def prune(value: Any) -> Any:
    """Drop empty arrays and objects: OCDS merging treats absent and empty alike, so publishing none keeps a
    compiled release equal to the merge of its releases."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ([], {})}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def _release(data: CallData, rid: str, when: datetime, tags: list[str], **sections: Any) -> dict[str, Any]:
    call = data.call
    release: dict[str, Any] = prune(
        {
            "ocid": call.ocid,
            "id": f"{call.ocid}-{rid}",
            "date": iso(when),
            "tag": tags,
            "initiationType": "tender",
            "language": "pl",
            "parties": _parties(data),
            "buyer": {"id": buyer_id(data.municipality.terc), "name": data.municipality.name},
            **sections,
        }
    )
    return release


def releases(data: CallData) -> list[dict[str, Any]]:
    """The call's releases, oldest first (a draft has none)."""
    call = data.call
    if call.published_at is None:
        return []
    out = [
        _release(data, "planning", call.created_at, ["planning"], planning=_planning(data)),
        _release(data, "tender", call.published_at, ["tender"], tender=_tender(data, with_amendments=0)),
    ]
    for n, amendment in enumerate(data.amendments, start=1):
        out.append(
            _release(data, f"amendment-{n}", amendment.at, ["tenderAmendment"], tender=_tender(data, with_amendments=n))
        )
    if data.status is CallStatus.CANCELLED:
        out.append(_release(data, "cancellation", call.updated_at, ["tenderCancellation"], tender=_tender(data)))
    if data.opened:
        out.append(_release(data, "bids", call.deadline, ["tenderUpdate"], tender=_tender(data), bids=_bids(data)))
    for decision in data.decisions:
        out.append(
            _release(
                data,
                f"award-{decision.id}",
                decision.decided_at,
                ["award"],
                tender=_tender(data),
                awards=_awards(data, [decision]),
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
                contracts=[_contract(data, contract, implementation=False)],
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
                    contracts=[_contract(data, contract, implementation=True)],
                )
            )
    return sorted(out, key=lambda r: (r["date"], STAGES.index(r["tag"][0]), r["id"]))


def compiled_release(data: CallData) -> dict[str, Any]:
    """The current state of every section: what merging `releases` gives (a test checks it with ocdsmerge)."""
    call = data.call
    latest = max((r["date"] for r in releases(data)), default=iso(call.updated_at))
    sections: dict[str, Any] = {"planning": _planning(data), "tender": _tender(data)}
    if data.opened:
        sections["bids"] = _bids(data)
    if data.decisions:
        sections["awards"] = _awards(data, data.decisions)
    signed = [c for c in data.contracts if c.signed_at is not None]
    if signed:
        sections["contracts"] = [_contract(data, c, implementation=_has_implementation(data, c)) for c in signed]
    release = _release(
        data, "compiled", datetime.fromisoformat(latest.replace("Z", "+00:00")), ["compiled"], **sections
    )
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
