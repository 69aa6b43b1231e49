"""Append-only audit log: who did what, when, on which record, about which person.

Services call ``record()`` in the same transaction as the change they log. What a page
shows is logged with ``record_view()`` / ``record_views()`` (one entry per NISS shown) and
refused accesses with ``record_security_event()``; both are queued during the request and
written after it by ``flush_pending()`` in ONE multi-row INSERT in a transaction of their
own, so a page of 50 persons costs one statement, not 50 transactions. Updates and deletes
on the table are refused by a database trigger (see the migration that creates it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, cast

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model, db
from .timeutil import utcnow

#: Action code of a refused access to another organisation's record (answered with a 404).
CROSS_ORG = "security.cross_org"
SECURITY_PREFIX = "security."


class AuditEntry(Model):
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_user_at", "user_id", "at"),
        Index("ix_audit_entry_org_at", "organisation_id", "at"),
        Index("ix_audit_entry_niss_at", "niss", "at"),
        Index("ix_audit_entry_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    niss: Mapped[str | None] = mapped_column(String(11))
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------- labels

#: Every action code written by the code, as Admin-Logs shows it (a test collects the codes
#: of every ``record``/``record_view`` call in ``cpas/`` and fails on a missing label).
ACTION_LABELS: dict[str, Any] = {
    # sign-in
    "auth.login": _l("Connexion"),
    "auth.logout": _l("Déconnexion"),
    "auth.login_failed": _l("Connexion échouée (identifiants incorrects)"),
    "auth.login_throttled": _l("Connexion bloquée (trop de tentatives)"),
    "auth.password_reset_throttled": _l(
        "Demande de réinitialisation du mot de passe bloquée (trop de demandes)"
    ),
    "auth.account_request_throttled": _l("Demande de compte bloquée (trop de demandes)"),
    "auth.login_refused_inactive": _l("Connexion refusée (compte désactivé)"),
    "auth.password_reset_requested": _l("Demande de réinitialisation du mot de passe"),
    "auth.password_reset": _l("Réinitialisation du mot de passe"),
    # security events
    CROSS_ORG: _l("Accès refusé à un élément d'une autre organisation"),
    # access management
    "access.profile_create": _l("Création d'un profil"),
    "access.profile_update": _l("Modification d'un profil"),
    "access.profile_delete": _l("Suppression d'un profil"),
    "access.user_assign_profiles": _l("Affectation des profils d'un utilisateur"),
    "access.user_deactivate": _l("Désactivation d'un utilisateur"),
    "access.user_reactivate": _l("Réactivation d'un utilisateur"),
    "access.user_create": _l("Création d'un utilisateur"),
    "access.account_request_submit": _l("Demande de compte envoyée"),
    "access.account_request_duplicate": _l("Demande de compte en double refusée"),
    "access.account_request_update": _l("Modification d'une demande de compte"),
    "access.account_request_accept": _l("Acceptation d'une demande de compte"),
    "access.account_request_refuse": _l("Refus d'une demande de compte"),
    "access.export_review": _l("Export de la revue des accès"),
    "access.audit_view": _l("Consultation des Admin-Logs"),
    "access.audit_export": _l("Export des Admin-Logs"),
    # centre
    "centre.save_profile": _l("Modification de la fiche signalétique"),
    "centre.add_phone": _l("Ajout d'un numéro de téléphone"),
    "centre.remove_phone": _l("Suppression d'un numéro de téléphone"),
    "centre.save_logo": _l("Enregistrement du logo"),
    "centre.remove_logo": _l("Suppression du logo"),
    "centre.create_worker": _l("Création d'un assistant social"),
    "centre.update_worker": _l("Modification d'un assistant social"),
    "centre.archive_worker": _l("Archivage d'un assistant social"),
    "centre.reactivate_worker": _l("Réactivation d'un assistant social"),
    "centre.add_office_hour": _l("Ajout d'une permanence"),
    "centre.remove_office_hour": _l("Suppression d'une permanence"),
    # register
    "registry.search_niss": _l("Recherche au registre par NISS"),
    "registry.search_phonetic": _l("Recherche phonétique au registre (résultat)"),
    "registry.person_view": _l("Consultation d'une personne au registre"),
    "registry.assign_bis": _l("Attribution d'un numéro bis"),
    # dossiers
    "dossiers.create": _l("Création d'un dossier"),
    "dossiers.view": _l("Consultation d'un dossier"),
    "dossiers.index": _l("Liste des dossiers (index par lettre)"),
    "dossiers.search": _l("Recherche de dossiers (résultat)"),
    "dossiers.references": _l("Consultation des références d'un dossier"),
    "dossiers.update_references": _l("Modification des références d'un dossier"),
    "dossiers.archive": _l("Archivage d'un dossier"),
    "dossiers.unarchive": _l("Réactivation d'un dossier"),
    "household.view": _l("Consultation de la composition de ménage"),
    "household.refresh_official": _l("Mise à jour de la composition de ménage officielle"),
    "household.add_member": _l("Ajout d'un membre au ménage de fait"),
    "household.remove_member": _l("Retrait d'un membre du ménage de fait"),
    "household.restore_member": _l("Remise d'un membre dans le ménage de fait"),
    "household.refresh_member": _l("Mise à jour d'un membre depuis le registre"),
    "household.update_address": _l("Modification de l'adresse de résidence effective"),
    "integrations.integrate": _l("Intégration à la BCSS"),
    "integrations.deintegrate": _l("Désintégration à la BCSS"),
    "integrations.consult": _l("Consultation des intégrations BCSS"),
    # aid requests (the workflow steps are aid.<step>)
    "aid.create": _l("Création d'une demande d'aide"),
    "aid.view": _l("Consultation d'une demande d'aide"),
    "aid.history": _l("Consultation de l'historique des demandes d'aide"),
    "aid.modify": _l("Modification d'une demande d'aide"),
    "aid.report": _l("Enregistrement du rapport social"),
    "aid.proposal": _l("Enregistrement de la proposition"),
    "aid.submit": _l("Soumission d'une demande au Conseil"),
    "aid.complete": _l("Complétude de l'enquête sociale"),
    "aid.decide": _l("Encodage de la décision d'une demande"),
    "aid.send_form": _l("Envoi du formulaire d'une demande"),
    "aid.duplicate": _l("Duplication d'une demande d'aide"),
    "aid.close": _l("Clôture d'une demande d'aide"),
    "aid.revise": _l("Révision d'une demande d'aide"),
    "aid.archive": _l("Demande déplacée vers « Anciennes demandes »"),
    "aid.unarchive": _l("Demande replacée dans l'historique"),
    "aid.archive_closed": _l("Demandes clôturées déplacées vers « Anciennes demandes »"),
    "aid.retry_integration": _l("Nouvel essai d'intégration « en enquête »"),
    "aid.print": _l("Impression d'une demande pour le Conseil"),
    "aid.print_preview": _l("Prévisualisation de l'impression d'une demande"),
    # social inquiry (per member of the de facto household)
    "inquiry.view": _l("Consultation de l'enquête sociale d'un membre du ménage"),
    "inquiry.address": _l("Modification de l'adresse de résidence effective (enquête sociale)"),
    "inquiry.legal_refresh": _l(
        "Mise à jour des données légales depuis le registre (enquête sociale)"
    ),
    "inquiry.registre": _l("Registre d'inscription complété à la main (enquête sociale)"),
    "inquiry.information": _l("Enregistrement des informations d'un membre (enquête sociale)"),
    "inquiry.resource_add": _l("Ajout d'une ressource (enquête sociale)"),
    "inquiry.resource_edit": _l("Modification d'une ressource (enquête sociale)"),
    "inquiry.resource_delete": _l("Suppression d'une ressource (enquête sociale)"),
    "inquiry.no_resources": _l("« Pas de ressources » coché ou décoché (enquête sociale)"),
    "inquiry.expense_add": _l("Ajout d'une dépense (enquête sociale)"),
    "inquiry.expense_update": _l("Modification d'une dépense (enquête sociale)"),
    "inquiry.expense_delete": _l("Suppression d'une dépense (enquête sociale)"),
    "inquiry.form_a_save": _l(
        "Enregistrement du formulaire A (date d'entrée en vigueur, nationalité du "
        "bénéficiaire principal)"
    ),
    "inquiry.form_a_member_save": _l(
        "Enregistrement d'un membre du formulaire A (bénéficiaire secondaire, suffixe)"
    ),
    # water fund (one code per kind)
    "water.fat.create": _l("FAT : création d'une demande"),
    "water.fat.update": _l("FAT : modification d'une demande"),
    "water.fat.approve": _l("FAT : approbation d'une demande"),
    "water.fat.refuse": _l("FAT : refus d'une demande"),
    "water.fat.request_info": _l("FAT : demande d'information"),
    "water.fat.answer_info": _l("FAT : réponse à une demande d'information"),
    "water.fat.validate": _l("FAT : validation d'une demande"),
    "water.fat.pay": _l("FAT : confirmation du paiement"),
    "water.fat.cancel": _l("FAT : annulation d'une demande"),
    "water.fat.notifications": _l("FAT : réglage des notifications"),
    "water.fse.create": _l("FSE : création d'une demande"),
    "water.fse.update": _l("FSE : modification d'une demande"),
    "water.fse.approve": _l("FSE : approbation d'une demande"),
    "water.fse.refuse": _l("FSE : refus d'une demande"),
    "water.fse.request_info": _l("FSE : demande d'information"),
    "water.fse.answer_info": _l("FSE : réponse à une demande d'information"),
    "water.fse.validate": _l("FSE : validation d'une demande"),
    "water.fse.pay": _l("FSE : paiement et clôture"),
    "water.fse.cancel": _l("FSE : annulation d'une demande"),
    "water.fse.notifications": _l("FSE : réglage des notifications"),
    "water.file_add": _l("Ajout d'un fichier à une demande"),
    "water.rights_update": _l("Modification des droits de tirage"),
    # REDI
    "redi.campaign_create": _l("REDI : création d'une campagne"),
    "redi.campaign_view": _l("REDI : consultation du tableau d'encodage"),
    "redi.import_preview": _l("REDI : aperçu d'un import"),
    "redi.import": _l("REDI : import du tableur"),
    "redi.line_update": _l("REDI : encodage d'une ligne"),
    "redi.line_duplicate": _l("REDI : duplication d'une ligne"),
    "redi.line_remove": _l("REDI : suppression d'une ligne dupliquée"),
    "redi.export": _l("REDI : export Excel"),
    "redi.validate": _l("REDI : validation du rapport"),
    "redi.sign_president": _l("REDI : signature du président"),
    "redi.sign_director": _l("REDI : signature du directeur général"),
    "redi.close": _l("REDI : clôture du rapport"),
    "redi.reopen": _l("REDI : réouverture du rapport"),
}

OUTCOME_LABELS: dict[str, Any] = {
    "success": _l("Réussi"),
    "refused": _l("Refusé"),
    "denied": _l("Refusé"),
    "failure": _l("Échec"),
    "unknown_account": _l("Échec (compte inconnu)"),
}


def action_label(code: str) -> str:
    """The French (or Dutch) label of an action code; the code itself if it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def outcome_label(outcome: str) -> str:
    """« Réussi », « Refusé » or « Échec » for an entry's outcome."""
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


def is_security_event(action: str, outcome: str) -> bool:
    """Whether an entry belongs to « Événements de sécurité » (refusals, failures)."""
    return action.startswith(SECURITY_PREFIX) or outcome != "success"


# --------------------------------------------------------------------------- writing


def record(
    action: str,
    *,
    obj: object | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    niss: str | None = None,
    outcome: str = "success",
    user: object | None = None,
    organisation_id: int | None = None,
    details: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        **_values(
            action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            niss=niss,
            outcome=outcome,
            user=user if user is not None else _current_actor(),
            organisation_id=organisation_id,
            details=details,
        )
    )
    db.session.add(entry)
    return entry


def record_view(action: str, **kwargs: Any) -> None:
    """Log what a page shows; queued, written after the response is built."""
    g.setdefault("pending_views", []).append((action, kwargs))


def record_views(action: str, nisses: Iterable[str | None], **kwargs: Any) -> None:
    """Log one consultation per distinct NISS a page shows (a list, a table, an export)."""
    seen: set[str | None] = set()
    for niss in nisses:
        if niss not in seen:
            seen.add(niss)
            record_view(action, niss=niss, **kwargs)


def record_security_event(
    action: str = CROSS_ORG,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    details: str | None = None,
) -> None:
    """Log a refused access; written after the request whatever its answer (404, 403)."""
    g.setdefault("pending_security", []).append(
        (
            action,
            {
                "object_type": object_type,
                "object_id": object_id,
                "details": details,
                "outcome": "denied",
            },
        )
    )


def flush_pending(status_code: int) -> None:
    """Write the queued consultations and security events in one statement.

    Consultations count only when the page was shown (2xx/3xx, or a 409/422 form that still
    shows its data: a refused or conflicting change draws the page again); security events
    are written whatever the answer. On an error answer
    the request's own transaction is rolled back first: nothing it left half-done may be
    committed with the audit entries.
    """
    views = g.pop("pending_views", None) or []
    security = g.pop("pending_security", None) or []
    if status_code >= 400 and status_code not in (409, 422):
        views = []
    if not views and not security:
        return
    from .database import write_transaction

    # Read the actor and the objects' ids now: the write transaction starts with a commit
    # (or the rollback below) that expires them, and reloading them there would hold
    # SQLite's write lock for a SELECT.
    actor = _current_actor()
    snapshot = _Actor(getattr(actor, "id", None), getattr(actor, "organisation_id", None))
    at = utcnow()
    rows: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for action, kwargs in [*views, *security]:
        values = _values(action, **{"user": snapshot, **kwargs})
        values["at"] = at
        key = tuple(values.values())
        if key not in seen:  # the same fact queued twice is logged once
            seen.add(key)
            rows.append(values)
    if status_code >= 400:
        db.session.rollback()
    with write_transaction():
        # One executemany / multi-row INSERT, not one statement per person. A Core insert
        # of the table: the ORM's bulk insert would split the rows by which values are None.
        db.session.execute(cast(Table, AuditEntry.__table__).insert(), rows)


def flush_pending_views() -> None:
    """Write what ``record_view`` queued, as after a successful page (kept for callers)."""
    flush_pending(200)


def _values(
    action: str,
    *,
    obj: object | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    niss: str | None = None,
    outcome: str = "success",
    user: object | None = None,
    organisation_id: int | None = None,
    details: str | None = None,
) -> dict[str, Any]:
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    return {
        "user_id": getattr(user, "id", None),
        "organisation_id": organisation_id
        if organisation_id is not None
        else getattr(user, "organisation_id", None),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id)[:60],
        "niss": niss,
        "outcome": outcome,
        "ip": request.remote_addr if has_request_context() else None,
        "details": details,
    }


class _Actor(NamedTuple):
    id: int | None
    organisation_id: int | None


def _current_actor() -> object | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
