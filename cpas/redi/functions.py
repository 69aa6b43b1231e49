"""Function codes and menu entry of the REDI subsidy report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..access.function_types import CPAS, FunctionGroup, NavItem
from ..access.function_types import Function as F

#: The organisations that use REDI; the blueprint refuses every other kind.
KINDS: tuple[str, ...] = (CPAS,)

GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "redi",
        "Subvention REDI – Rapport Unique",
        "REDI-subsidie – Enig Verslag",
        (
            F("redi.view", "Consulter le rapport REDI", "REDI-verslag raadplegen"),
            F(
                "redi.import",
                "Gérer les campagnes et importer le tableur REDI",
                "Campagnes beheren en REDI-rekenblad importeren",
                ("redi.view",),
            ),
            F(
                "redi.encode",
                "Encoder les lignes (partie du CPAS)",
                "Lijnen invoeren (deel van het OCMW)",
                ("redi.view",),
            ),
            F(
                "redi.validate",
                "Valider et clôturer le rapport",
                "Verslag valideren en afsluiten",
                ("redi.view",),
            ),
            F(
                "redi.sign_president",
                "Signer en tant que Président",
                "Ondertekenen als Voorzitter",
                ("redi.view",),
            ),
            F(
                "redi.sign_director",
                "Signer en tant que Directeur général",
                "Ondertekenen als Algemeen directeur",
                ("redi.view",),
            ),
            F(
                "redi.export",
                "Exporter le tableur et le PDF du rapport",
                "Rekenblad en pdf van het verslag exporteren",
                ("redi.view",),
            ),
        ),
        # A subsidy of the CPAS: distributors and the fund manager have no part in it.
        kinds=KINDS,
    ),
)
NAV: tuple[NavItem, ...] = (
    NavItem("redi.index", _l("Subvention REDI"), "redi.view", 40, group="subsidies"),
)
