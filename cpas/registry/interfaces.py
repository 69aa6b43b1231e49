"""What the app asks the National Register and the BCSS: the data it gets back, and the two
interfaces (``RegisterAdapter``, ``BcssAdapter``) every adapter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from .birthdates import PartialDate, format_birth

SOURCE_LABEL = _l("Registre local (personnes fictives)")
MAX_RESULTS = 50
#: Rows read from the table before ranking.
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class PersonRecord:
    """A person as the register returns it (immutable register data)."""

    ref: int  # the adapter's own reference: used in URLs instead of the NISS
    niss: str
    last_name: str
    first_name: str
    sex: str
    birth_date: date
    birth_precision: str
    birth_place: str | None
    nationality: str
    civil_state: str | None
    registre: str
    street: str | None
    house_number: str | None
    box: str | None
    postal_code: str | None
    locality: str | None
    household_id: int | None
    is_head: bool
    relation_to_head: str | None
    is_bis: bool = False
    score: int = 0

    @property
    def birth_display(self) -> str:
        return format_birth(self.birth_date, self.birth_precision)

    @property
    def address_display(self) -> str:
        if not self.street:
            return ""
        box = f" bte {self.box}" if self.box else ""
        return f"{self.street} {self.house_number or ''}{box}, {self.postal_code} {self.locality}"


@dataclass(frozen=True)
class PhoneticQuery:
    last_name: str
    first_name: str
    birth: PartialDate
    tolerance: int


@dataclass(frozen=True)
class BisRequest:
    """What « Attribuer un numéro bis » needs (validated by the form)."""

    last_name: str
    first_name: str
    sex: str
    birth: PartialDate
    birth_place: str | None = None
    nationality: str = "Inconnue"
    street: str | None = None
    house_number: str | None = None
    box: str | None = None
    postal_code: str | None = None
    locality: str | None = None


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # None: open-ended


@dataclass(frozen=True)
class IntegrationResult:
    """Outcome of an integration or de-integration for one person (green / red)."""

    niss: str
    ok: bool
    message: str
    periods: tuple[tuple[str, Period], ...] = field(default_factory=tuple)


#: The register's information types (« types d'information », TI) shown under
#: « Information(s) supplémentaire(s) » of a member's identification (seed 001 §9.2).
INFORMATION_TYPES: dict[str, Any] = {
    "001": _l("Commune de résidence"),
    "010": _l("Nom et prénom"),
    "031": _l("Nationalité"),
    "100": _l("Lieu de naissance"),
    "120": _l("État civil"),
    "140": _l("Membres du ménage"),
    "141": _l("Historique des chefs de ménage"),
    "210": _l("Mention de registre"),
}


@dataclass(frozen=True)
class InformationType:
    """One information type of a person in the register: its code (« 001 »), its label and
    its lines as the adapter words them."""

    code: str
    label: Any
    lines: tuple[str, ...]
    #: The NISS of the persons the lines show (each one shown is a consultation).
    people: tuple[str, ...] = ()


class RegisterAdapter(Protocol):
    source_label: str

    def by_niss(self, niss: str) -> PersonRecord | None: ...

    def by_ref(self, ref: int) -> PersonRecord | None: ...

    def phonetic(self, query: PhoneticQuery) -> list[PersonRecord]: ...

    def household(self, niss: str) -> list[PersonRecord]: ...

    def assign_bis(self, request: BisRequest) -> PersonRecord: ...

    def information_types(self, niss: str) -> list[InformationType]: ...


class BcssAdapter(Protocol):
    def integrate(
        self, organisation_id: int, niss: str, code: str, period: Period, by_id: int | None
    ) -> IntegrationResult: ...

    def deintegrate(
        self, organisation_id: int, niss: str, period: Period, by_id: int | None
    ) -> IntegrationResult: ...

    def consult(
        self, organisation_id: int, niss: str, start: date, end: date | None
    ) -> list[tuple[str, Period]]: ...


# --------------------------------------------------------------------------- local register
