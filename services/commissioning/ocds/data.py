"""What a call's OCDS releases are made of, and the codelist mappings."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.commissioning.models.calls import Amendment, Award, Call, CallStatus, Lot
from services.commissioning.models.contracts import (
    AwardDecision,
    Contract,
    ContractAmendment,
    ContractStatus,
    DeliveryReport,
    Payment,
)
from services.commissioning.models.municipalities import Municipality
from services.commissioning.models.offers import Offer
from services.commissioning.rules.modes import Mode

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
    ContractStatus.AWAITING_SIGNATURE: "pending",
    ContractStatus.AWAITING_CONFIRMATION: "pending",
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
