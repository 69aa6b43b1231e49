"""Streamed Excel exports with formula injection neutralised."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_value(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_workbook(
    path: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export"
) -> int:
    """Write a write-only workbook to ``path``; return the number of data rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = EURO_FORMAT
            elif isinstance(value, datetime | date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
            else:
                cell = WriteOnlyCell(ws, value=safe_value(value))
            out.append(cell)
        ws.append(out)
        count += 1
    wb.save(path)
    return count


def send_xlsx(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export"
) -> Response:
    """Build the workbook in a temporary file and stream it back in chunks."""
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    tmp.close()
    write_workbook(tmp.name, headers, rows, title)

    def stream() -> Iterator[bytes]:
        import os

        try:
            with open(tmp.name, "rb") as fh:
                while chunk := fh.read(64 * 1024):
                    yield chunk
        finally:
            os.unlink(tmp.name)

    response = Response(stream(), mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
