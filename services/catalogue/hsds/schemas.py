"""The HSDS 3.0 answers as models, so the OpenAPI document types them and generated SDKs parse them: the fields
of the standard's objects this catalogue fills (services, organizations, locations, taxonomies...) with their
meaning in the standard, and our `x_` extensions. The suite checks both ways: our output validates against the
official schemas and against these models (which refuse any field they do not declare)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Hsds(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HsdsTaxonomy(Hsds):
    id: str
    name: str
    description: str
    uri: str
    version: str


class HsdsTaxonomyTerm(Hsds):
    id: str
    code: str
    name: str
    description: str
    parent_id: str | None = None
    taxonomy: str = Field(description="The taxonomy's key: cus-areas, cus-service-types or cus-target-groups.")
    taxonomy_id: str
    language: str | None = None


class HsdsOrganizationIdentifier(Hsds):
    id: str
    organization_id: str
    identifier_scheme: str = Field(description="PL-NIP, PL-REGON or PL-KRS (org-id.guide).")
    identifier_type: str
    identifier: str


class HsdsPhone(Hsds):
    id: str
    organization_id: str
    number: str


class HsdsContact(Hsds):
    id: str
    organization_id: str
    name: str | None = None
    title: str | None = None
    email: str | None = None


class HsdsAddress(Hsds):
    id: str
    location_id: str
    address_1: str
    city: str
    state_province: str = Field(description="The voivodeship (TERC code).")
    postal_code: str
    country: str
    address_type: str


class HsdsLocation(Hsds):
    id: str
    location_type: str
    organization_id: str
    name: str
    addresses: list[HsdsAddress]
    external_identifier: str = Field(description="The gmina's TERC code.")
    external_identifier_type: str


class SocialEnterprise(Hsds):
    decision_number: str | None = None
    decision_date: str | None = None


class HsdsOrganization(Hsds):
    id: str
    name: str
    alternate_name: str | None = None
    description: str
    email: str | None = None
    website: str | None = None
    tax_id: str | None = Field(default=None, description="The NIP.")
    legal_status: str
    uri: str
    x_nip: str | None = None
    x_regon: str | None = None
    x_krs: str | None = None
    x_legal_form: str
    x_is_pes: bool
    x_social_enterprise: SocialEnterprise | None = None
    x_public_benefit: bool | None = None
    x_employees: int | None = None
    x_excluded_share: float | None = None
    x_terc: str
    x_operating_areas_terc: list[str]
    x_last_modified: str
    organization_identifiers: list[HsdsOrganizationIdentifier] | None = None
    phones: list[HsdsPhone] | None = None
    contacts: list[HsdsContact] | None = None
    locations: list[HsdsLocation] | None = None
    services: list[HsdsService] | None = Field(default=None, description="Its services (the single organization).")


class HsdsAttribute(Hsds):
    id: str
    link_id: str
    taxonomy_term_id: str
    link_type: str
    link_entity: str
    taxonomy_term: HsdsTaxonomyTerm


class HsdsServiceArea(Hsds):
    id: str
    service_id: str
    name: str
    description: str
    extent_type: str
    extent: str = Field(description="The TERC code of the area.")


class HsdsSchedule(Hsds):
    id: str
    service_id: str
    freq: str
    wkst: str
    byday: str
    opens_at: str
    closes_at: str
    description: str


class HsdsCostOption(Hsds):
    id: str
    service_id: str
    option: str
    currency: str
    amount: float = Field(description="The price of one unit, in złoty.")
    amount_description: str


class HsdsLanguage(Hsds):
    id: str
    service_id: str
    name: str
    code: str


class HsdsServiceAtLocation(Hsds):
    id: str
    service_id: str
    location_id: str
    description: str
    location: HsdsLocation | None = None
    service: HsdsService | None = None


class HsdsService(Hsds):
    id: str
    organization_id: str
    name: str
    description: str
    url: str
    status: str
    fees_description: str
    last_modified: str
    x_service_type_code: str
    x_area_code: str
    x_unit: str
    x_unit_price_grosze: int
    x_capacity_per_month: int
    x_free_capacity: int
    x_delivery_areas_terc: list[str]
    x_accessibility: str | None = None
    organization: HsdsOrganization | None = None
    attributes: list[HsdsAttribute] | None = None
    service_areas: list[HsdsServiceArea] | None = None
    schedules: list[HsdsSchedule] | None = None
    cost_options: list[HsdsCostOption] | None = None
    languages: list[HsdsLanguage] | None = None
    service_at_locations: list[HsdsServiceAtLocation] | None = None


class HsdsPage(Hsds, Generic[T]):
    """The standard's paging envelope."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[T]


class HsdsRoot(Hsds):
    version: str
    profile: str
    openapi_url: str
    x_extensions: dict[str, str]


HsdsServiceAtLocation.model_rebuild()
HsdsOrganization.model_rebuild()
