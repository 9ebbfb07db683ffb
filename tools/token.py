"""`make token ROLE=... [TERC=...] [PROVIDER=...] [VOIVODESHIP=...]`: a development JWT for a role."""

from __future__ import annotations

import argparse
import sys
import uuid

from shared.auth import Role, mint_token
from shared.identifiers import IdentifierError, TercLevel, parse_terc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, help="municipality, provider, evaluator, regional or admin")
    parser.add_argument("--terc", default="", help="gmina TERC code (municipality)")
    parser.add_argument("--provider", default="", help="provider id (provider; empty for a new registration)")
    parser.add_argument("--voivodeship", default="", help="two-digit voivodeship code (regional)")
    parser.add_argument("--subject", default="", help="user id (default: derived from the role)")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    try:
        role = Role(args.role)
    except ValueError:
        parser.error(f"ROLE must be one of: {', '.join(r.value for r in Role)}")
    try:
        if role is Role.MUNICIPALITY:
            if not args.terc:
                parser.error("a municipality token needs TERC=<7-digit gmina code>, e.g. TERC=2611011")
            parse_terc(args.terc, levels=(TercLevel.GMINA,))
        if role is Role.REGIONAL:
            if not args.voivodeship:
                parser.error("a regional token needs VOIVODESHIP=<2 digits>, e.g. VOIVODESHIP=26")
            parse_terc(args.voivodeship, levels=(TercLevel.VOIVODESHIP,))
    except IdentifierError as exc:
        parser.error(str(exc))
    if args.provider:
        try:
            uuid.UUID(args.provider)
        except ValueError:
            parser.error("PROVIDER must be a provider id (UUID)")
    print(
        mint_token(
            role=role,
            subject=args.subject or None,
            terc=args.terc or None,
            provider_id=args.provider or None,
            voivodeship=args.voivodeship or None,
            ttl_seconds=args.ttl,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
