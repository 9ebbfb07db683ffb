"""Our catalogue as Open Referral HSDS 3.0 objects (plain dicts; optional fields are omitted, never null).

Offerings are HSDS services, providers are organizations, a provider's address is its physical location. The
taxonomies are ours: statutory areas, service types (children of areas) and target groups. Fields HSDS lacks ride
as extension properties prefixed `x_` (NIP, REGON, KRS, legal form, PES facts; capacity, unit, TERC areas).
Derived records (schedules, service areas, phones...) get stable uuid5 ids from their parent's id.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.catalogue.models.providers import LEGAL_FORM_NAMES_PL, LegalForm, Provider
from shared.schemas import utc_iso

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0003")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

TAXONOMIES = {
    "cus-areas": (
        "Obszary usług społecznych (ustawa o CUS, art. 2 ust. 1)",
        "The 14 statutory areas of social services under the Act on centres for social services (2019).",
    ),
    "cus-service-types": (
        "Rodzaje usług społecznych",
        "Service types of the CUS catalogue; each term's parent is its statutory area.",
    ),
    "cus-target-groups": ("Grupy docelowe", "Target groups of social services (open vocabulary)."),
}


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def taxonomy_id(key: str) -> str:
    return stable_id("taxonomy", key)


def term_id(taxonomy_key: str, code: str) -> str:
    return stable_id("term", taxonomy_key, code)


def compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop None values: HSDS types its optional fields strictly, so absent beats null."""
    return {k: v for k, v in obj.items() if v is not None}


iso = utc_iso


def taxonomy(key: str, base_url: str) -> dict[str, Any]:
    name, description = TAXONOMIES[key]
    return {
        "id": taxonomy_id(key),
        "name": name,
        "description": description,
        "uri": f"{base_url}/hsds/taxonomies/{taxonomy_id(key)}",
        "version": "1",
    }


def term(
    taxonomy_key: str, code: str, name: str, description: str, *, parent_code: str | None = None
) -> dict[str, Any]:
    return compact(
        {
            "id": term_id(taxonomy_key, code),
            "code": code,
            "name": name,
            "description": description,
            "parent_id": term_id("cus-areas", parent_code) if parent_code else None,
            "taxonomy": taxonomy_key,
            "taxonomy_id": taxonomy_id(taxonomy_key),
            "language": "pl",
        }
    )


def organization(p: Provider, *, full: bool, base_url: str) -> dict[str, Any]:
    org = compact(
        {
            "id": str(p.id),
            "name": p.name,
            "alternate_name": p.short_name,
            "description": p.description or p.name,
            "email": p.email,
            "website": p.website,
            "tax_id": p.nip,
            "legal_status": LEGAL_FORM_NAMES_PL[LegalForm(p.legal_form)],
            "uri": f"{base_url}/hsds/organizations/{p.id}",
            "x_nip": p.nip,
            "x_regon": p.regon,
            "x_krs": p.krs,
            "x_legal_form": p.legal_form,
            "x_is_pes": p.is_pes,
            "x_social_enterprise": compact(
                {
                    "decision_number": p.social_enterprise_decision_number,
                    "decision_date": p.social_enterprise_decision_date.isoformat()
                    if p.social_enterprise_decision_date
                    else None,
                }
            )
            if p.social_enterprise
            else None,
            "x_public_benefit": p.public_benefit,
            "x_employees": p.employees,
            "x_excluded_share": p.excluded_share,
            "x_terc": p.terc,
            "x_operating_areas_terc": list(p.operating_areas),
            "x_last_modified": iso(p.updated_at),
        }
    )
    if full:
        org["organization_identifiers"] = [
            {
                "id": stable_id(p.id, "identifier", scheme),
                "organization_id": str(p.id),
                "identifier_scheme": scheme,
                "identifier_type": kind,
                "identifier": value,
            }
            for scheme, kind, value in (
                ("PL-NIP", "NIP (Numer Identyfikacji Podatkowej)", p.nip),
                ("PL-REGON", "REGON", p.regon),
                ("PL-KRS", "KRS (Krajowy Rejestr Sądowy)", p.krs),
            )
            if value
        ]
        org["phones"] = (
            [{"id": stable_id(p.id, "phone"), "organization_id": str(p.id), "number": p.phone}] if p.phone else []
        )
        org["contacts"] = [
            compact(
                {
                    "id": stable_id(p.id, "contact", i),
                    "organization_id": str(p.id),
                    "name": c.get("name"),
                    "title": c.get("role"),
                    "email": c.get("email"),
                }
            )
            for i, c in enumerate(p.contacts)
        ]
        org["locations"] = [location(p, base_url=base_url)]
    return org


def location_id(provider_id: uuid.UUID) -> str:
    return stable_id(provider_id, "location")


def location(p: Provider, *, base_url: str) -> dict[str, Any]:
    return {
        "id": location_id(p.id),
        "location_type": "physical",
        "organization_id": str(p.id),
        "name": f"{p.name} – siedziba",
        "addresses": [
            {
                "id": stable_id(p.id, "address"),
                "location_id": location_id(p.id),
                "address_1": p.street,
                "city": p.city,
                "state_province": p.voivodeship,
                "postal_code": p.postal_code,
                "country": "PL",
                "address_type": "physical",
            }
        ],
        "external_identifier": p.terc,
        "external_identifier_type": "TERYT TERC",
    }


def _service_core(row: Any, *, base_url: str) -> dict[str, Any]:
    price_pln = row.price_grosze / 100
    return compact(
        {
            "id": str(row.id),
            "organization_id": str(row.provider_id),
            "name": row.title,
            "description": row.description or row.st_name_pl,
            "url": f"{base_url}/v1/offerings/{row.id}",
            "status": "active" if row.active else "inactive",
            "fees_description": f"{price_pln:.2f} {row.currency} za jednostkę ({row.unit})",
            "last_modified": iso(row.updated_at),
            "x_service_type_code": row.st_code,
            "x_area_code": row.area_code,
            "x_unit": row.unit,
            "x_unit_price_grosze": row.price_grosze,
            "x_capacity_per_month": row.capacity_per_month,
            "x_free_capacity": max(row.capacity_per_month - row.capacity_committed - row.capacity_contracted, 0),
            "x_delivery_areas_terc": list(row.delivery_areas),
        }
    )


def service_list_item(row: Any, *, base_url: str) -> dict[str, Any]:
    return _service_core(row, base_url=base_url)


def _attribute(service_id: str, taxonomy_key: str, code: str, name: str) -> dict[str, Any]:
    tid = term_id(taxonomy_key, code)
    return {
        "id": stable_id(service_id, "attribute", tid),
        "link_id": service_id,
        "taxonomy_term_id": tid,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term": {
            "id": tid,
            "code": code,
            "name": name,
            "description": name,
            "taxonomy": taxonomy_key,
            "taxonomy_id": taxonomy_id(taxonomy_key),
        },
    }


def service_full(
    row: Any, provider: Provider, *, area_name: str, place_names: dict[str, str], base_url: str
) -> dict[str, Any]:
    service = _service_core(row, base_url=base_url)
    sid = service["id"]
    service["organization"] = organization(provider, full=False, base_url=base_url)
    service["attributes"] = [
        _attribute(sid, "cus-areas", row.area_code, area_name),
        _attribute(sid, "cus-service-types", row.st_code, row.st_name_pl),
        *[_attribute(sid, "cus-target-groups", g, g) for g in row.target_groups],
    ]
    service["service_areas"] = [
        {
            "id": stable_id(sid, "area", code),
            "service_id": sid,
            "name": f"{place_names[code]} (TERC {code})" if code in place_names else f"TERC {code}",
            "description": {2: "województwo", 4: "powiat", 7: "gmina"}[len(code)],
            "extent_type": "TERYT TERC",
            "extent": code,
        }
        for code in row.delivery_areas
    ]
    service["schedules"] = [
        {
            "id": stable_id(sid, "schedule", i),
            "service_id": sid,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": WEEKDAYS[slot["weekday"] - 1],
            "opens_at": slot["opens_at"],
            "closes_at": slot["closes_at"],
            "description": row.schedule_notes or "godziny otwarcia (Europe/Warsaw)",
        }
        for i, slot in enumerate(row.schedule)
    ]
    service["cost_options"] = [
        {
            "id": stable_id(sid, "cost"),
            "service_id": sid,
            "option": f"cena za jednostkę: {row.unit}",
            "currency": row.currency,
            "amount": row.price_grosze / 100,
            "amount_description": f"{row.price_grosze / 100:.2f} {row.currency} / {row.unit}",
        }
    ]
    service["languages"] = [{"id": stable_id(sid, "language", "pl"), "service_id": sid, "name": "polski", "code": "pl"}]
    service["service_at_locations"] = [service_at_location(row, provider, base_url=base_url, nested=True)]
    if row.accessibility:
        service["x_accessibility"] = row.accessibility
    return service


def service_at_location_id(offering_id: uuid.UUID) -> str:
    """An offering is delivered from its provider's one location: the pair takes the offering's id (HSDS ids are
    unique per entity type)."""
    return str(offering_id)


def service_at_location(row: Any, provider: Provider, *, base_url: str, nested: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": service_at_location_id(row.id),
        "service_id": str(row.id),
        "location_id": location_id(provider.id),
        "description": f"{row.title} – {provider.city}",
    }
    if not nested:
        item["location"] = location(provider, base_url=base_url)
        item["service"] = service_list_item(row, base_url=base_url)
    return item


def page(contents: list[dict[str, Any]], *, total: int, page_number: int, per_page: int) -> dict[str, Any]:
    """The HSDS paging envelope."""
    total_pages = max((total + per_page - 1) // per_page, 1)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }
