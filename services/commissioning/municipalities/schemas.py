"""Municipality API shapes."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from shared.identifiers import GminaTercStr
from shared.schemas import Body, CreatedAt, Schema, UpdatedAt, Version, examples

EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE = r"^\+?[0-9 ()-]{7,20}$"
MAX_BUDGET_GROSZE = 100_000_000_000_00  # 10 bn zł: above any gmina's budget


class MunicipalityFields(Body):
    name: str = Field(min_length=2, max_length=200, description="Name of the gmina.", examples=["Gmina Starachowice"])
    cus_name: str = Field(
        min_length=2,
        max_length=300,
        description="Its centre for social services (CUS) or OPS.",
        examples=["Centrum Usług Społecznych w Starachowicach"],
    )
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL, description="CUS e-mail.")
    phone: str | None = Field(default=None, pattern=PHONE, description="CUS phone.")
    street: str | None = Field(default=None, max_length=200, description="CUS street address.")
    postal_code: str | None = Field(default=None, pattern=r"^\d{2}-\d{3}$", description="Postal code NN-NNN.")
    city: str | None = Field(default=None, max_length=100, description="Town.")


class MunicipalityCreate(MunicipalityFields):
    model_config = examples(
        {
            "terc": "2611011",
            "name": "Gmina Starachowice",
            "cus_name": "Centrum Usług Społecznych w Starachowicach",
        },
        extra="forbid",
    )

    terc: GminaTercStr = Field(description="TERC code of the gmina (7 digits).")


class MunicipalityOut(MunicipalityFields):
    model_config = ConfigDict(from_attributes=True)

    terc: str = Field(description="TERC code of the gmina.")
    created_at: CreatedAt
    updated_at: UpdatedAt
    version: Version


class BudgetIn(Body):
    model_config = examples({"ngo_grants_planned_grosze": 150000000})

    ngo_grants_planned_grosze: int = Field(
        ge=0, le=MAX_BUDGET_GROSZE, description="Grants to NGOs for public tasks the year's budget plans, grosze."
    )


class BudgetOut(Schema):
    terc: str = Field(description="Municipality.")
    year: int = Field(description="Budget year.")
    ngo_grants_planned_grosze: int = Field(description="Grants to NGOs for public tasks planned, grosze.")
