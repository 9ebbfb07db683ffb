"""The sections of an OCDS release (parties, planning, tender with lots, bids, awards, contracts with their
implementation), each built from the current state of a call's data."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from services.commissioning.clock import WARSAW
from services.commissioning.models.calls import CallStatus, Lot
from services.commissioning.models.contracts import (
    AwardDecision,
    Contract,
    ContractStatus,
    DeliveryReport,
    ReportStatus,
)
from services.commissioning.models.offers import OfferStatus
from services.commissioning.ocds.data import CONTRACT_STATUS, DIRECT_MODES, TENDER_STATUS, CallData
from services.commissioning.rules.modes import Mode, rules_version
from shared.schemas import utc_iso

iso = utc_iso


def day(d: date, *, end: bool = False) -> str:
    """A calendar day's first (or last) second in Warsaw, the legal calendar, as an instant in UTC."""
    return utc_iso(datetime.combine(d, time(23, 59, 59) if end else time.min, WARSAW))


def money(grosze: int) -> dict[str, Any]:
    return {"amount": float(Decimal(grosze) / 100), "currency": "PLN"}


def buyer_id(terc: str) -> str:
    return f"PL-TERC-{terc}"


def org_id(provider_id: Any, nip: str | None = None) -> str:
    """A provider's party id: its NIP (org-id scheme PL-NIP) when known, else its catalogue id."""
    return f"PL-NIP-{nip}" if nip else f"X-CUS-PROVIDER-{provider_id}"


def provider_party(provider_id: Any, nip: str | None, name: str, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": org_id(provider_id, nip), "name": name, "roles": roles}
    if nip:
        party["identifier"] = {"scheme": "PL-NIP", "id": nip, "legalName": name}
    return party


def parties(data: CallData) -> list[dict[str, Any]]:
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
        party = provider_party(offer.provider_id, offer.provider_nip, offer.provider_name, roles)
        parties[party["id"]] = party
    for award in data.awards:
        party = provider_party(award.provider_id, award.provider_nip, award.provider_name or "", ["supplier"])
        parties.setdefault(party["id"], party)
    return list(parties.values())


def tender(data: CallData, *, with_amendments: int | None = None) -> dict[str, Any]:
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
            {"id": str(lot.id), "title": lot.title, "value": money(lot.value_grosze), "status": lot_status(data, lot)}
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


def planning(data: CallData) -> dict[str, Any]:
    call = data.call
    return {
        "rationale": call.description or call.title,
        "budget": {
            "description": f"{call.title} ({call.period_start.isoformat()} – {call.period_end.isoformat()})",
            "amount": money(sum(lot.value_grosze for lot in data.lots)),
        },
    }


def lot_status(data: CallData, lot: Lot) -> str:
    decision = next((d for d in data.decisions if d.lot_id == lot.id), None)
    if data.status is CallStatus.CANCELLED:
        return "cancelled"
    if decision is None:
        return "active"
    return "complete" if any(a.decision_id == decision.id for a in data.awards) else "unsuccessful"


def bids(data: CallData) -> dict[str, Any]:
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
                "value": money(o.total_price_grosze),
                "relatedLots": [str(o.lot_id)],
            }
            for o in data.offers
        ],
    }


def awards(data: CallData, decisions: list[AwardDecision]) -> list[dict[str, Any]]:
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


def contract(data: CallData, contract: Contract, *, implementation: bool) -> dict[str, Any]:
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
                milestone(i, period, reports.get(period["period_start"]))
                for i, period in enumerate(contract.reporting_schedule)
            ],
        }
    return out


def milestone(i: int, period: dict[str, Any], report: DeliveryReport | None) -> dict[str, Any]:
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
