"""A UDPP award as a 360Giving 1.4 grant: the award (and its contract once made) with the offer's asked amount,
the municipality as the funder, the call as the grant programme and the contract's payments as disbursements.
Organisation ids are the ones the OCDS publication gives the same parties."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.commissioning.models.calls import Award
from services.commissioning.ocds.data import CallData
from services.commissioning.ocds.sections import buyer_id, iso, money, org_id
from services.commissioning.rules.modes import Mode

# The publisher's 360Giving prefix: a real deployment registers its own with 360Giving (360G-<name>) and sets it.
PREFIX = "360G-cus"
TITLE_LENGTH = 140  # the standard's advice for a grant's title


def grant_id(award_id: uuid.UUID) -> str:
    return f"{PREFIX}-{award_id}"


def award_id_of(grant_id: str) -> uuid.UUID | None:
    """The award a grant id names; None when it is not one this service gives."""
    try:
        return uuid.UUID(grant_id.removeprefix(f"{PREFIX}-")) if grant_id.startswith(f"{PREFIX}-") else None
    except ValueError:
        return None


def pln(grosze: int) -> float:
    amount: float = money(grosze)["amount"]
    return amount


def grant(data: CallData, award: Award, base_url: str) -> dict[str, Any]:
    call, municipality = data.call, data.municipality
    lot = next(lot for lot in data.lots if lot.id == award.lot_id)
    contract = next((c for c in data.contracts if c.award_id == award.id), None)
    offer = next((o for o in data.offers if o.id == award.offer_id), None)
    payments = sorted(
        (p for p in data.payments if contract is not None and p.contract_id == contract.id),
        key=lambda p: (p.paid_on, p.recorded_at),
    )
    name = award.provider_name or (contract.provider_name if contract else "")
    funder, recipient = buyer_id(municipality.terc), org_id(award.provider_id, award.provider_nip)
    period = (contract or call).period_start, (contract or call).period_end
    changes: list[datetime] = [award.awarded_at, *([contract.updated_at] if contract else [])]
    title = f"{lot.title}: {name}"
    out: dict[str, Any] = {
        "id": grant_id(award.id),
        "title": title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…",
        "description": call.description or call.title,
        "currency": "PLN",
        "amountAwarded": pln(contract.value_grosze if contract else award.value_grosze),
        "awardDate": iso(award.awarded_at),
        "plannedDates": [{"startDate": period[0].isoformat(), "endDate": period[1].isoformat()}],
        "recipientOrganization": [{"id": recipient, "name": name}],
        "fundingOrganization": [
            {
                "id": funder,
                "name": municipality.name,
                **({"department": municipality.cus_name} if municipality.cus_name else {}),
            }
        ],
        "grantProgramme": [{"code": call.ocid, "title": call.title}],
        "fromOpenCall": "Yes" if call.mode == Mode.OPEN_COMPETITION.value else "No",
        "beneficiaryLocation": [
            {"name": municipality.name, "countryCode": "PL", "geoCode": municipality.terc, "geoCodeType": "TERC"}
        ],
        "dataSource": f"{base_url}/ocds/records/{call.ocid}",
        "dateModified": iso(max(changes + [p.recorded_at for p in payments])),
    }
    if offer is not None:
        out["amountAppliedFor"] = pln(offer.total_price_grosze)
    if payments:
        out["amountDisbursed"] = pln(sum(p.amount_grosze for p in payments))
        out["disbursementTransaction"] = [
            {
                "id": str(p.id),
                "transactionDate": p.paid_on.isoformat(),
                "currency": "PLN",
                "value": pln(p.amount_grosze),
                "provider": funder,
                "recipient": recipient,
            }
            for p in payments
        ]
    return out


def package(grants: list[dict[str, Any]], base_url: str, uri: str, now: datetime) -> dict[str, Any]:
    return {
        "version": "1.4",
        "title": "Dotacje UDPP: otwarte konkursy ofert i małe granty",
        "description": "Grants of Polish municipalities to NGOs (UDPP open competitions and small grants).",
        "modified": iso(now),
        "publisher": {"name": "CUS commissioning (usługi społeczne)", "website": base_url},
        "accessURL": uri,
        "grants": grants,
    }
