"""The OCDS 1.1 packages as models for the OpenAPI document, so generated SDKs type them: release and record
packages, releases and their sections with the fields this service fills, the lots and bid extensions' fields
included. OCDS is extensible, so every object also keeps what it does not declare (`additionalProperties`);
the suite validates the output against the official schemas besides."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Ocds(BaseModel):
    model_config = ConfigDict(extra="allow")


class Value(Ocds):
    amount: float
    currency: str


class Period(Ocds):
    startDate: str | None = None
    endDate: str | None = None


class OrganizationReference(Ocds):
    id: str
    name: str


class Identifier(Ocds):
    scheme: str
    id: str
    legalName: str | None = None


class Organization(Ocds):
    id: str
    name: str
    identifier: Identifier | None = None
    roles: list[str] = Field(default_factory=list)


class Item(Ocds):
    id: str
    description: str | None = None
    quantity: float | None = None
    relatedLot: str | None = None


class Lot(Ocds):
    id: str
    title: str | None = None
    value: Value | None = None
    status: str | None = None


class Document(Ocds):
    id: str
    documentType: str | None = None
    title: str | None = None
    url: str | None = None


class Amendment(Ocds):
    id: str | None = None
    date: str | None = None
    description: str | None = None
    rationale: str | None = None


class Tender(Ocds):
    id: str
    title: str | None = None
    status: str | None = None
    procurementMethod: str | None = None
    procurementMethodDetails: str | None = None
    mainProcurementCategory: str | None = None
    value: Value | None = None
    tenderPeriod: Period | None = None
    contractPeriod: Period | None = None
    items: list[Item] = Field(default_factory=list)
    lots: list[Lot] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    amendments: list[Amendment] = Field(default_factory=list)


class Budget(Ocds):
    description: str | None = None
    amount: Value | None = None


class Planning(Ocds):
    rationale: str | None = None
    budget: Budget | None = None


class BidStatistic(Ocds):
    id: str
    measure: str
    value: float
    relatedLot: str | None = None


class Bid(Ocds):
    id: str
    date: str | None = None
    status: str | None = None
    tenderers: list[OrganizationReference] = Field(default_factory=list)
    value: Value | None = None
    relatedLots: list[str] = Field(default_factory=list)


class Bids(Ocds):
    statistics: list[BidStatistic] = Field(default_factory=list)
    details: list[Bid] = Field(default_factory=list)


class Award(Ocds):
    id: str
    title: str | None = None
    description: str | None = None
    status: str | None = None
    date: str | None = None
    value: Value | None = None
    suppliers: list[OrganizationReference] = Field(default_factory=list)
    relatedLots: list[str] = Field(default_factory=list)


class Transaction(Ocds):
    id: str
    date: str | None = None
    value: Value | None = None
    payer: OrganizationReference | None = None
    payee: OrganizationReference | None = None


class Milestone(Ocds):
    id: str
    title: str | None = None
    type: str | None = None
    dueDate: str | None = None
    status: str | None = None


class Implementation(Ocds):
    transactions: list[Transaction] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)


class Contract(Ocds):
    id: str
    awardID: str
    title: str | None = None
    status: str | None = None
    period: Period | None = None
    value: Value | None = None
    dateSigned: str | None = None
    implementation: Implementation | None = None
    amendments: list[Amendment] = Field(default_factory=list)


class Release(Ocds):
    ocid: str = Field(description="The contracting process's id: `{prefix}-{call id}`.")
    id: str
    date: str
    tag: list[str]
    initiationType: str
    language: str | None = None
    parties: list[Organization] = Field(default_factory=list)
    buyer: OrganizationReference | None = None
    planning: Planning | None = None
    tender: Tender | None = None
    bids: Bids | None = None
    awards: list[Award] = Field(default_factory=list)
    contracts: list[Contract] = Field(default_factory=list)


class Publisher(Ocds):
    name: str
    uri: str | None = None


class PackageLinks(Ocds):
    next: str | None = None


class ReleasePackage(Ocds):
    uri: str
    version: str
    publishedDate: str
    publisher: Publisher
    extensions: list[str] = Field(default_factory=list)
    releases: list[Release]
    links: PackageLinks | None = None


class Record(Ocds):
    ocid: str
    releases: list[Release]
    compiledRelease: Release


class RecordPackage(Ocds):
    uri: str
    version: str
    publishedDate: str
    publisher: Publisher
    extensions: list[str] = Field(default_factory=list)
    records: list[Record]
