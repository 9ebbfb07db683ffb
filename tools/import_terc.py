"""`make import-terc FILE=TERC_Urzedowy_2026-01-01.csv`: load GUS's TERC register into the catalogue (idempotent)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.catalogue.places.repository import upsert
from services.catalogue.places.service import parse_terc_csv
from tools.devstack import database_urls


async def load(url: str, text: str) -> int:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            return await upsert(session, parse_terc_csv(text))
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="the TERC CSV export from GUS (semicolon-separated)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(
            f"import-terc: {str(args.file) or '(none)'} is not a file: give GUS's TERC export, "
            "make import-terc FILE=TERC_Urzedowy_2026-01-01.csv",
            file=sys.stderr,
        )
        return 2
    raw = args.file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1250")  # GUS has published Windows-1250 exports too
    try:
        count = asyncio.run(load(database_urls()["catalogue"], text))
    except ValueError as exc:
        print(f"import-terc: {exc}", file=sys.stderr)
        return 2
    print(f"{count} TERC units loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
