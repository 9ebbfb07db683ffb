"""The 360Giving 1.4 package and grant as models for the OpenAPI document, with the fields this service fills;
every object keeps what it does not declare (the suite validates the output against the official schemas)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Giving(BaseModel):
    model_config = ConfigDict(extra="allow")


class GivingOrganization(Giving):
    id: str
    name: str
    department: str | None = None


class GivingTransaction(Giving):
    id: str
    transactionDate: str
    value: float


class GivingGrant(Giving):
    id: str = Field(description="`{360Giving prefix}-{award id}`: stable from the award on.")
    title: str
    description: str
    currency: str
    amountAwarded: float
    amountAppliedFor: float | None = None
    amountDisbursed: float | None = None
    awardDate: str
    plannedDates: list[Giving] = Field(default_factory=list, description="The contract's period.")
    recipientOrganization: list[GivingOrganization]
    fundingOrganization: list[GivingOrganization]
    grantProgramme: list[Giving] = Field(default_factory=list, description="The call: its ocid and title.")
    fromOpenCall: str
    beneficiaryLocation: list[Giving] = Field(default_factory=list, description="The municipality's TERC.")
    disbursementTransaction: list[GivingTransaction] = Field(default_factory=list)
    dataSource: str | None = Field(None, description="The call's OCDS record.")
    dateModified: str | None = None


class GivingPublisher(Giving):
    name: str
    website: str | None = None


class GivingPackage(Giving):
    version: str
    title: str | None = None
    description: str | None = None
    modified: str | None = None
    publisher: GivingPublisher
    accessURL: str | None = None
    grants: list[GivingGrant]
