"""The OCDS 1.1 packages as models for the OpenAPI document, so generated SDKs type them: release and record
packages, releases and their sections with the fields this service fills, the lots and bid extensions' fields
included. OCDS is extensible, so every object also keeps what it does not declare (`additionalProperties`);
the suite validates the output against the official schemas besides."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Ocds(BaseModel):
    model_config = ConfigDict(extra="allow")


class OcdsValue(Ocds):
    amount: float
    currency: str


class OcdsPeriod(Ocds):
    startDate: str | None = None
    endDate: str | None = None


class OcdsOrganizationReference(Ocds):
    id: str
    name: str


class OcdsIdentifier(Ocds):
    scheme: str
    id: str
    legalName: str | None = None


class OcdsOrganization(Ocds):
    id: str
    name: str
    identifier: OcdsIdentifier | None = None
    roles: list[str] = Field(default_factory=list)


class OcdsItem(Ocds):
    id: str
    description: str | None = None
    quantity: float | None = None
    relatedLot: str | None = None


class OcdsLot(Ocds):
    id: str
    title: str | None = None
    value: OcdsValue | None = None
    status: str | None = None


class OcdsDocument(Ocds):
    id: str
    documentType: str | None = None
    title: str | None = None
    url: str | None = None


class OcdsAmendment(Ocds):
    id: str | None = None
    date: str | None = None
    description: str | None = None
    rationale: str | None = None


class OcdsTender(Ocds):
    id: str
    title: str | None = None
    status: str | None = None
    procurementMethod: str | None = None
    procurementMethodDetails: str | None = None
    mainProcurementCategory: str | None = None
    value: OcdsValue | None = None
    tenderPeriod: OcdsPeriod | None = None
    contractPeriod: OcdsPeriod | None = None
    items: list[OcdsItem] = Field(default_factory=list)
    lots: list[OcdsLot] = Field(default_factory=list)
    documents: list[OcdsDocument] = Field(default_factory=list)
    amendments: list[OcdsAmendment] = Field(default_factory=list)


class OcdsBudget(Ocds):
    description: str | None = None
    amount: OcdsValue | None = None


class OcdsPlanning(Ocds):
    rationale: str | None = None
    budget: OcdsBudget | None = None


class OcdsBidStatistic(Ocds):
    id: str
    measure: str
    value: float
    relatedLot: str | None = None


class OcdsBid(Ocds):
    id: str
    date: str | None = None
    status: str | None = None
    tenderers: list[OcdsOrganizationReference] = Field(default_factory=list)
    value: OcdsValue | None = None
    relatedLots: list[str] = Field(default_factory=list)


class OcdsBids(Ocds):
    statistics: list[OcdsBidStatistic] = Field(default_factory=list)
    details: list[OcdsBid] = Field(default_factory=list)


class OcdsAward(Ocds):
    id: str
    title: str | None = None
    description: str | None = None
    status: str | None = None
    date: str | None = None
    value: OcdsValue | None = None
    suppliers: list[OcdsOrganizationReference] = Field(default_factory=list)
    relatedLots: list[str] = Field(default_factory=list)


class OcdsTransaction(Ocds):
    id: str
    date: str | None = None
    value: OcdsValue | None = None
    payer: OcdsOrganizationReference | None = None
    payee: OcdsOrganizationReference | None = None


class OcdsMilestone(Ocds):
    id: str
    title: str | None = None
    type: str | None = None
    dueDate: str | None = None
    status: str | None = None


class OcdsImplementation(Ocds):
    transactions: list[OcdsTransaction] = Field(default_factory=list)
    milestones: list[OcdsMilestone] = Field(default_factory=list)


class OcdsContract(Ocds):
    id: str
    awardID: str
    title: str | None = None
    status: str | None = None
    period: OcdsPeriod | None = None
    value: OcdsValue | None = None
    dateSigned: str | None = None
    implementation: OcdsImplementation | None = None
    amendments: list[OcdsAmendment] = Field(default_factory=list)


class OcdsRelease(Ocds):
    ocid: str = Field(description="The contracting process's id: `{prefix}-{call id}`.")
    id: str
    date: str
    tag: list[str]
    initiationType: str
    language: str | None = None
    parties: list[OcdsOrganization] = Field(default_factory=list)
    buyer: OcdsOrganizationReference | None = None
    planning: OcdsPlanning | None = None
    tender: OcdsTender | None = None
    bids: OcdsBids | None = None
    awards: list[OcdsAward] = Field(default_factory=list)
    contracts: list[OcdsContract] = Field(default_factory=list)


class OcdsPublisher(Ocds):
    name: str
    uri: str | None = None


class OcdsPackageLinks(Ocds):
    next: str | None = None


class OcdsReleasePackage(Ocds):
    uri: str
    version: str
    publishedDate: str
    publisher: OcdsPublisher
    extensions: list[str] = Field(default_factory=list)
    releases: list[OcdsRelease]
    links: OcdsPackageLinks | None = None


class OcdsRecord(Ocds):
    ocid: str
    releases: list[OcdsRelease]
    compiledRelease: OcdsRelease


class OcdsRecordPackage(Ocds):
    uri: str
    version: str
    publishedDate: str
    publisher: OcdsPublisher
    extensions: list[str] = Field(default_factory=list)
    records: list[OcdsRecord]
