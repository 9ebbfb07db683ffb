"""Tenancy: a municipality acts only on its own programmes, needs and calls."""

from __future__ import annotations

import uuid

from shared.auth import Principal, Role, require_role
from shared.errors import Forbidden, ValidationProblem


def acts_for_municipality(principal: Principal | None, terc: str) -> bool:
    if principal is None:
        return False
    return principal.is_admin or (principal.role is Role.MUNICIPALITY and principal.terc == terc)


def require_municipality_role(principal: Principal) -> None:
    if principal.role not in (Role.MUNICIPALITY, Role.ADMIN):
        raise Forbidden(
            f"Role {principal.role.value} may not do this (allowed: municipality, admin).",
            pl=f"Rola {principal.role.value} nie może tego zrobić (dozwolone: municipality, admin).",
        )


def acting_provider(principal: Principal, named: uuid.UUID | None = None) -> uuid.UUID:
    """The provider a caller acts for: the one it names (if it acts for it), else its token's provider, else the
    one provider its account is a member of; 403 for anyone else."""
    require_role(principal, Role.PROVIDER)
    if named is not None:
        if not principal.acts_for_provider(named):
            raise Forbidden(
                f"Your account does not act for provider {named}.",
                pl=f"Twoje konto nie działa w imieniu podmiotu {named}.",
            )
        return named
    if principal.provider_id is not None:
        return principal.provider_id
    if len(principal.memberships) == 1:
        return next(iter(principal.memberships))
    if principal.memberships:
        raise ValidationProblem.field(
            "provider_id",
            "your account acts for several providers: name one",
            pl="Twoje konto działa w imieniu kilku podmiotów: wskaż jeden",
        )
    raise Forbidden(
        "Register your provider in the catalogue first: offers come from providers.",
        pl="Najpierw zarejestruj swój podmiot w katalogu: oferty składają podmioty.",
    )
