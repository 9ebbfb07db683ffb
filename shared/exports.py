"""Lists as spreadsheets for the officials who live in them: CSV (UTF-8 with BOM, `;` between fields, decimal
comma, as Polish Excel opens it) and XLSX (xlsxwriter; money as numbers formatted in złoty, dates as dates), with
Polish headers. Asked for by `?format=csv|xlsx` or the Accept header; rows are read and written a batch at a time,
so a large export is streamed, never held whole.

Text that people typed (a provider's name, a call's title, a criterion) never runs as a formula in the official's
spreadsheet: a CSV text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
(OWASP's advice on CSV injection), and in XLSX text is written as text, marked so it stays text when edited.
Numbers are written as numbers, negative ones too.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import xlsxwriter
from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask

from shared.db import database_of
from shared.schemas import utc_iso

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind = Literal["text", "int", "money", "date", "datetime", "decimal"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Column:
    header: str  # Polish, as officials read it
    value: Callable[[Any], Any]
    kind: Kind = "text"


@dataclass
class Sheet:
    name: str  # at most 31 characters (XLSX)
    columns: list[Column]
    rows: AsyncIterator[Any] | Iterable[Any]


def wanted(request: Request, format_: ExportFormat | None) -> ExportFormat:
    """`?format=` wins; else the Accept header; else JSON."""
    if format_ is not None:
        return format_
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return ExportFormat.CSV
    if XLSX_TYPE in accept:
        return ExportFormat.XLSX
    return ExportFormat.JSON


def runs_as_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula? (A plain number, `-5` or `-5,50`, is read as a number.)"""
    return text.startswith(FORMULA_STARTS) and PLAIN_NUMBER.fullmatch(text) is None


def inert(text: str) -> str:
    """The text as a CSV cell no spreadsheet runs: a leading `'` before what would be a formula."""
    return "'" + text if runs_as_formula(text) else text


def _csv_cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        zloty, grosze = divmod(abs(int(value)), 100)
        return f"{'-' if value < 0 else ''}{zloty},{grosze:02d}"
    if kind == "decimal":
        return f"{float(value):.4f}".rstrip("0").rstrip(".").replace(".", ",")
    if kind == "datetime" and isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "tak" if value else "nie"
    return inert(str(value)) if kind == "text" else str(value)


async def _rows(rows: AsyncIterator[Any] | Iterable[Any]) -> AsyncIterator[Any]:
    if hasattr(rows, "__aiter__"):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row


async def _csv(sheets: list[Sheet]) -> AsyncIterator[bytes]:
    yield "\ufeff".encode()  # the BOM: Excel then reads UTF-8 (ą, ę, ł...)
    for number, sheet in enumerate(sheets):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        if len(sheets) > 1:
            if number:
                writer.writerow([])
            writer.writerow([inert(sheet.name)])
        writer.writerow([inert(c.header) for c in sheet.columns])
        yield buffer.getvalue().encode()
        async for row in _rows(sheet.rows):
            buffer.seek(0), buffer.truncate()
            writer.writerow([_csv_cell(c.value(row), c.kind) for c in sheet.columns])
            yield buffer.getvalue().encode()


async def _xlsx(sheets: list[Sheet]) -> str:
    """The workbook in a temporary file (constant memory: rows go to disk as they come); its path."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    # text is written as text (write_string); these keep it so should a plain write() ever be used
    options = {"constant_memory": True, "remove_timezone": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(path, options)
    try:
        bold = book.add_format({"bold": True})
        # a text that looks like a formula keeps Excel's quote prefix: it stays text when the cell is edited
        quoted, quoted_bold = (
            book.add_format({"quote_prefix": True}),
            book.add_format({"bold": True, "quote_prefix": True}),
        )
        formats = {
            "money": book.add_format({"num_format": '#,##0.00 "zł"'}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "decimal": book.add_format({"num_format": "0.00##"}),
        }
        for sheet in sheets:
            page = book.add_worksheet(sheet.name[:31])
            for col, column in enumerate(sheet.columns):
                page.write_string(0, col, column.header, quoted_bold if runs_as_formula(column.header) else bold)
                page.set_column(col, col, max(12, min(len(column.header) + 2, 40)))
            line = 1
            async for row in _rows(sheet.rows):
                for col, column in enumerate(sheet.columns):
                    value = column.value(row)
                    if value is None:
                        continue
                    if column.kind == "money":
                        page.write_number(line, col, int(value) / 100, formats["money"])
                    elif column.kind in ("int", "decimal"):
                        page.write_number(line, col, float(value), formats.get(column.kind))
                    elif column.kind == "datetime" and isinstance(value, datetime):
                        page.write_datetime(line, col, value.replace(tzinfo=None), formats["datetime"])
                    elif column.kind == "date" and isinstance(value, date):
                        page.write_datetime(line, col, datetime.combine(value, datetime.min.time()), formats["date"])
                    elif isinstance(value, bool):
                        page.write_string(line, col, "tak" if value else "nie")
                    else:
                        text = str(value)
                        page.write_string(line, col, text, quoted if runs_as_formula(text) else None)
                line += 1
    finally:
        book.close()
    return path


def _file(path: str, chunk: int = 64 * 1024) -> Iterable[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            yield block


async def export(sheets: list[Sheet], format_: ExportFormat, filename: str) -> StreamingResponse:
    if format_ is ExportFormat.CSV:
        return StreamingResponse(
            _csv(sheets),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    path = await _xlsx(sheets)
    return StreamingResponse(
        _file(path),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        background=BackgroundTask(os.remove, path),
    )


def export_responses() -> dict[int | str, dict[str, Any]]:
    """The 200 answer's other media types, for `responses=` of a route that exports."""
    return {
        200: {
            "description": "JSON, or with `format=csv` / `format=xlsx` (or Accept) a spreadsheet with Polish headers",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


EXPORT_BATCH = 500  # rows read from the database at a time while exporting


async def in_batches(
    request: Request, fetch: Callable[[AsyncSession, int, int], Awaitable[Sequence[Any]]], size: int
) -> AsyncIterator[Any]:
    """Every row `fetch(session, offset, limit)` gives, a batch at a time, until a batch comes back short; in a
    read session of its own: a spreadsheet is written after the endpoint returned and closed the request's one."""
    async with database_of(request.app).read() as session:
        for offset in itertools.count(0, size):
            batch = await fetch(session, offset, size)
            for row in batch:
                yield row
            if len(batch) < size:
                return


ExportFormatQuery = Annotated[
    ExportFormat | None,
    Query(alias="format", description="json (default), or csv / xlsx for a spreadsheet of the whole result."),
]
