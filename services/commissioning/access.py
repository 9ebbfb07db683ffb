"""Tenancy: a municipality acts only on its own programmes, needs and calls."""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.errors import Forbidden


def acts_for_municipality(principal: Principal | None, terc: str) -> bool:
    if principal is None:
        return False
    return principal.is_admin or (principal.role is Role.MUNICIPALITY and principal.terc == terc)


def require_municipality_role(principal: Principal) -> None:
    if principal.role not in (Role.MUNICIPALITY, Role.ADMIN):
        raise Forbidden(f"Role {principal.role.value} may not do this (allowed: municipality, admin).")
