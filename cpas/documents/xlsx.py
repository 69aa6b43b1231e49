"""The one Excel writer: streamed (write-only workbook), formula-safe, formatted columns.

Every export of the app goes through ``write_workbook`` (to a path or a file object) or
``send_xlsx`` (a streamed download): headers are labels, never ids or codes; text that a
spreadsheet would run as a formula is neutralised; amounts and dates get Belgian number
formats. Columns without a format are written as plain values (a styled cell per value
costs time and memory on large exports).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GREY = "D9D9D9"


@dataclass(frozen=True)
class Column:
    """One column: its header label, the number format of its cells, a grey fill."""

    header: Any
    number_format: str | None = None
    grey: bool = False


def safe_value(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _columns(headers: Sequence[Column | Any]) -> list[Column]:
    return [h if isinstance(h, Column) else Column(h) for h in headers]


def write_workbook(
    target: str | os.PathLike[str] | IO[bytes],
    headers: Sequence[Column | Any],
    rows: Iterable[Sequence[Any]],
    title: Any = "Export",
    *,
    preamble: Sequence[Sequence[Any]] = (),
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a write-only workbook; return the number of data rows.

    ``preamble``: rows written above the headers (a title, blank lines); ``progress(n)`` is
    called every 1000 rows. Decimal and date cells of a column without a declared format
    get the euro and date formats."""
    columns = _columns(headers)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor=GREY)
    for line in preamble:
        ws.append([safe_value(v) for v in line])
    header_cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column.header))
        cell.font = bold
        if column.grey:
            cell.fill = grey
        header_cells.append(cell)
    ws.append(header_cells)
    styled = [c.number_format is not None or c.grey for c in columns]
    try:
        count = _write_rows(ws, columns, styled, rows, grey, progress)
    except BaseException:
        _discard(ws)
        raise
    wb.save(target)
    return count


def _write_rows(
    ws: Any,
    columns: list[Column],
    styled: list[bool],
    rows: Iterable[Sequence[Any]],
    grey: PatternFill,
    progress: Callable[[int], None] | None,
) -> int:
    count = 0
    for row in rows:
        out: list[Any] = []
        for index, value in enumerate(row):
            column = columns[index] if index < len(columns) else Column("")
            number_format = column.number_format
            if number_format is None and isinstance(value, Decimal):
                number_format = EURO_FORMAT
            elif number_format is None and isinstance(value, datetime | date):
                number_format = DATE_FORMAT
            if not (styled[index] if index < len(styled) else False) and number_format is None:
                out.append(safe_value(value))
                continue
            cell = WriteOnlyCell(ws, value=safe_value(value))
            if number_format is not None and value is not None:
                cell.number_format = number_format
            if column.grey:
                cell.fill = grey
            out.append(cell)
        ws.append(out)
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    return count


def _discard(ws: Any) -> None:
    """Close a sheet whose rows failed and remove its temporary file: openpyxl would keep
    it until the process exits (a long-lived worker would pile them up)."""
    with suppress(Exception):
        ws.close()
    writer = getattr(ws, "_writer", None)
    if writer is not None:
        with suppress(Exception):
            writer.cleanup()


def send_xlsx(
    filename: str,
    headers: Sequence[Column | Any],
    rows: Iterable[Sequence[Any]],
    title: Any = "Export",
    *,
    preamble: Sequence[Sequence[Any]] = (),
) -> Response:
    """Build the workbook in a temporary file and stream it back in chunks."""
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    tmp.close()
    try:
        write_workbook(tmp.name, headers, rows, title, preamble=preamble)
    except BaseException:
        os.unlink(tmp.name)
        raise

    def stream() -> Iterator[bytes]:
        try:
            with open(tmp.name, "rb") as fh:
                while chunk := fh.read(64 * 1024):
                    yield chunk
        finally:
            os.unlink(tmp.name)

    response = Response(stream(), mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
