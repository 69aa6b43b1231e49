"""Read the REDI spreadsheet: columns found by their headers, every row validated first.

Defensive: size limit, zip entry count and uncompressed-size limits checked before
openpyxl opens anything, read-only mode (defusedxml is installed, openpyxl uses it).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..formfields import MAX_AMOUNT
from ..niss import normalise_niss
from ..templating import format_thousands
from ..textutil import fold
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 200
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_ROWS = 50_000

#: Column key → the header texts that name it: the French REDI tool's and the Dutch one's
#: (the sheet exists in both languages), with their usual variants. Compared folded, without
#: punctuation (``_key``): « N° NISS » and « n niss », « INSZ-nummer » and « insz nummer ».
HEADER_TEXTS: dict[str, tuple[str, ...]] = {
    "ins_code": (
        "INS CPAS", "Code INS", "Code INS du CPAS",
        "INS OCMW", "NIS OCMW", "NIS-code OCMW", "NIS-code", "INS-code OCMW",
    ),
    "niss": ("N° NISS", "NISS", "N° MSS", "Numéro NISS", "INSZ-nummer", "INSZ", "Nr. INSZ"),
    "budget_number": (
        "N° budget mensuel", "Numéro budget mensuel",
        "Maandelijks budget nr.", "Nr. maandelijks budget", "Nummer maandelijks budget",
    ),
    "budget_date": (
        "Date budget mensuel", "Date du budget mensuel",
        "Datum maandelijks budget", "Datum van het maandbudget", "Datum maandbudget",
    ),
    "balance": (
        "Solde budget mensuel", "Solde du budget mensuel",
        "Saldo maandelijks budget", "Saldo van het maandbudget", "Saldo maandbudget",
    ),
    "activation": ("Parcours d'activation", "Parcours activation", "Activeringstraject"),
    "decision_date": ("Date de décision", "Datum van beslissing", "Beslissingsdatum"),
    "monthly_granted": (
        "Montant mensuel octroyé", "Toegekend maandbedrag", "Toegekend maandelijks bedrag",
    ),
    "period_start": (
        "Période d'octroi début", "Période octroi début",
        "Begin van de toekenningsperiode", "Begin toekenningsperiode", "Toekenningsperiode begin",
    ),
    "period_end": (
        "Période d'octroi fin", "Période octroi fin",
        "Einde van de toekenningsperiode", "Einde toekenningsperiode", "Toekenningsperiode einde",
    ),
    "months": ("Nombre de mois", "Aantal maanden"),
    "payment": ("Paiement", "Betaling"),
    "total_paid": (
        "Montant total payé pendant la période de subvention",
        "Totaal betaald bedrag tijdens de subsidieperiode",
        "Totaal bedrag betaald tijdens de subsidieperiode",
    ),
}  # fmt: skip

#: The choices as the Dutch REDI tool writes them (the French ones are the labels of
#: ``calc``'s choice lists, also accepted in the user's language and by their codes).
DUTCH_CHOICES: dict[str, tuple[str, ...]] = {
    "non_equite": ("Nee – om billijkheidsredenen",),
    "non_deja_parcours": ("Nee – al in een activeringstraject",),
    "non_emploi": ("Nee – al aan het werk",),
    "oui_piis": ("Ja – GPMI", "Ja – PIIS"),
    "oui_autre": ("Ja – ander",),
    "mensuelle": ("Maandelijks",),
    "unique": ("Eenmalig",),
}

REQUIRED = ("ins_code", "niss", "budget_number", "budget_date", "balance")
ENCODED = (
    "activation", "decision_date", "monthly_granted", "period_start", "period_end", "months",
    "payment", "total_paid",
)  # fmt: skip


class ImportRefused(ValueError):
    """The whole file is refused; the message is for the user."""


@dataclass
class ParsedImport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    title: str = ""


def _key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).strip()


#: Column key → folded header texts (what ``parse_workbook`` compares a header cell with).
HEADERS: dict[str, frozenset[str]] = {
    name: frozenset(_key(text) for text in texts) for name, texts in HEADER_TEXTS.items()
}


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse 5 Mo."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportRefused(_("Ce n'est pas un classeur Excel (.xlsx).")) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ImportRefused(_("Classeur refusé : trop d'éléments dans le fichier."))
        if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
            raise ImportRefused(_("Classeur refusé : contenu décompressé trop volumineux."))
        if "[Content_Types].xml" not in archive.namelist():
            raise ImportRefused(_("Ce n'est pas un classeur Excel (.xlsx)."))


#: 31/12/9999, the last day Excel can write as a serial.
MAX_EXCEL_SERIAL = 2_958_465


def parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):  # an Excel serial that was not typed as a date
        if not 1 <= value <= MAX_EXCEL_SERIAL:  # also NaN and infinity: no OverflowError
            raise ValueError(_("date illisible « %(value)s » (JJ/MM/AAAA attendu)", value=value))
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("date illisible « %(value)s » (JJ/MM/AAAA attendu)", value=text))


def parse_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = str(value).replace("€", "").replace(" ", "").replace("\u00a0", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text[:40])
        # NaN, infinity and what a NUMERIC(12, 2) column cannot hold are no amounts
        if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
            raise InvalidOperation
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(_("montant illisible « %(value)s »", value=value)) from exc


def choice_keys(choices: dict[str, Any]) -> dict[str, str]:
    """Folded label → code: each code, its label in French, in Dutch and in the user's
    language, and the Dutch REDI tool's labels (a sheet may come from either tool)."""
    keys: dict[str, str] = {}
    for code, label in choices.items():
        texts = [code, str(label), *DUTCH_CHOICES.get(code, ())]
        for locale in ("fr", "nl"):
            with force_locale(locale):
                texts.append(str(label))
        keys.update((_key(text), code) for text in texts)
    return keys


def _choice(value: Any, keys: dict[str, str]) -> str | None:
    if value in (None, ""):
        return None
    code = keys.get(_key(value))
    if code is None:
        raise ValueError(_("valeur inconnue « %(value)s »", value=value))
    return code


def _digits(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\D", "", str(value or ""))


def parse_workbook(data: bytes, ins_code: str | None) -> ParsedImport:
    """Parse and validate every row; nothing is saved here."""
    if not ins_code:
        # Without the CPAS's own INS code nothing tells its rows from another CPAS's.
        raise ImportRefused(
            _(
                "Le code INS de votre CPAS n'est pas encodé : complétez-le dans la fiche "
                "signalétique avant d'importer le tableur REDI."
            )
        )
    _check_archive(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise ImportRefused(_("Le classeur ne peut pas être lu.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        result = ParsedImport()
        columns: dict[str, int] = {}
        header_row = 0
        for number, row in enumerate(rows, start=1):
            if number > 20:
                break
            keys = [_key(c) for c in row]
            if not result.title and any("periode" in k for k in keys):
                result.title = next(
                    str(c) for c, k in zip(row, keys, strict=False) if "periode" in k
                )
            found = {
                name: index
                for index, k in enumerate(keys)
                for name, texts in HEADERS.items()
                if k in texts
            }
            if {"niss", "budget_number", "balance"} <= set(found):
                columns, header_row = found, number
                break
        missing = [name for name in REQUIRED if name not in columns]
        if not header_row or missing:
            raise ImportRefused(
                _(
                    "En-têtes REDI introuvables (INS CPAS, N° NISS, N° budget mensuel, date et "
                    "solde du budget mensuel)."
                )
            )
        choices = {
            "activation": choice_keys(ACTIVATION_CHOICES),
            "payment": choice_keys(PAYMENT_CHOICES),
        }
        for number, row in enumerate(rows, start=header_row + 1):
            if number - header_row > MAX_ROWS:
                raise ImportRefused(
                    _("Trop de lignes (plus de %(count)s).", count=format_thousands(MAX_ROWS))
                )
            cells = {name: row[i] if i < len(row) else None for name, i in columns.items()}
            if all(cells.get(n) in (None, "") for n in ("niss", "budget_number")):
                continue
            parsed, problems = _parse_row(cells, ins_code, choices)
            for problem in problems:
                result.errors.append((number, problem))
            parsed["row"] = number
            result.rows.append(parsed)
        if not result.rows:
            raise ImportRefused(_("Aucune ligne de simulation dans ce classeur."))
        return result
    finally:
        workbook.close()


def _parse_row(
    cells: dict[str, Any], ins_code: str | None, choices: dict[str, dict[str, str]]
) -> tuple[dict, list[str]]:
    problems: list[str] = []
    out: dict[str, Any] = {}
    ins = _digits(cells.get("ins_code"))
    if ins_code and ins != ins_code:
        problems.append(
            _(
                "code INS %(found)s : ce n'est pas celui de votre CPAS (%(own)s).",
                found=ins or "—",
                own=ins_code,
            )
        )
    out["ins_code"] = ins
    raw_niss = _digits(cells.get("niss"))
    if len(raw_niss) == 10:  # a spreadsheet dropped the leading zero
        raw_niss = "0" + raw_niss
    niss = normalise_niss(raw_niss)
    if niss is None:
        problems.append(_("NISS %(niss)s invalide (chiffres de contrôle).", niss=raw_niss or "—"))
    out["niss"] = niss or raw_niss
    out["budget_number"] = _digits(cells.get("budget_number")) or str(
        cells.get("budget_number") or ""
    )
    if not out["budget_number"]:
        problems.append(_("N° de budget mensuel manquant."))
    unreadable: set[str] = set()
    for name in ("budget_date", "decision_date", "period_start", "period_end"):
        try:
            out[name] = parse_date(cells.get(name))
        except ValueError as exc:
            problems.append(_field_problem(name, exc))
            unreadable.add(name)
            out[name] = None
    if out["budget_date"] is None and "budget_date" not in unreadable:
        problems.append(_("Date du budget mensuel manquante."))
    for name in ("balance", "monthly_granted", "total_paid"):
        try:
            out[name] = parse_amount(cells.get(name))
        except ValueError as exc:
            problems.append(_field_problem(name, exc))
            unreadable.add(name)
            out[name] = None
    if out["balance"] is None and "balance" not in unreadable:
        problems.append(_("Solde du budget mensuel manquant."))
    months = cells.get("months")
    try:
        out["months"] = int(months) if months not in (None, "") else None
        if out["months"] is not None and not 0 <= out["months"] <= 1200:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(_("nombre de mois illisible « %(value)s ».", value=months))
        out["months"] = None
    for name in ("activation", "payment"):
        try:
            out[name] = _choice(cells.get(name), choices[name])
        except ValueError as exc:
            problems.append(_field_problem(name, exc))
            out[name] = None
    return out, problems


def _field_problem(name: str, exc: ValueError) -> str:
    """« date du budget mensuel : date illisible … »: the column as the sheet names it."""
    return _("%(column)s : %(problem)s.", column=_COLUMN_NAMES[name], problem=exc)


#: What a message calls each column: the sheet's own words, in the user's language.
_COLUMN_NAMES = {
    "budget_date": _l("date du budget mensuel"),
    "decision_date": _l("date de décision"),
    "period_start": _l("période d'octroi début"),
    "period_end": _l("période d'octroi fin"),
    "balance": _l("solde du budget mensuel"),
    "monthly_granted": _l("montant mensuel octroyé"),
    "total_paid": _l("montant total payé pendant la période de subvention"),
    "activation": _l("parcours d'activation"),
    "payment": _l("paiement"),
}
