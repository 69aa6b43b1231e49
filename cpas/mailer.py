"""Outgoing mail: SMTP when configured, else .eml files in instance/outbox/.

Bodies never carry a NISS or social data; callers pass neutral texts and links.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_mail import Message

from .extensions import mail
from .timeutil import utcnow


def send_mail(to: str | list[str], subject: str, body: str) -> None:
    """Send a plain-text message to each recipient separately (SMTP, or the outbox folder).

    One message per recipient: a shared To: line would tell every user of an organisation
    who else was told, and whose address it is."""
    recipients = list(dict.fromkeys([to] if isinstance(to, str) else to))
    if not recipients:
        return
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if current_app.config.get("MAIL_SERVER"):
        with mail.connect() as connection:  # one SMTP session for all the messages
            for address in recipients:
                connection.send(
                    Message(subject=subject, recipients=[address], body=body, sender=sender)
                )
        return
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    for address in recipients:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = address
        message["Subject"] = subject
        message.set_content(body)
        name = f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(message))


def send_localised(
    recipients: Iterable[tuple[str, str | None]], compose: Callable[[], tuple[str, str]]
) -> None:
    """Send one message per recipient in the recipient's own language.

    ``recipients``: (address, locale) pairs (locale None: French); ``compose()`` returns
    (subject, body) and is called once per language inside ``force_locale``, so every
    ``_()`` in it speaks the recipient's language, never the sender's."""
    by_locale: dict[str, list[str]] = {}
    for address, locale in recipients:
        by_locale.setdefault(locale if locale in ("fr", "nl") else "fr", []).append(address)
    for locale, addresses in by_locale.items():
        with force_locale(locale):
            subject, body = compose()
        send_mail(addresses, subject, body)


def link_to(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, built from BASE_URL (never from the Host header)."""
    from flask import has_request_context, url_for

    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
