"""Access-log lines without query strings or password-reset tokens.

Searches carry beneficiaries' names in their query string (``?q=``, ``?nom=``) and the
reset link carries its token in its path: neither may end up in a log file. Gunicorn
(``gunicorn.conf.py``) and Flask's development server write their access lines through
``scrub``.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# The reset link is /reinitialiser/<token> (auth.reset_password).
_RESET_SEGMENT = re.compile(r"(/reinitialiser/)[^/\s?#\"]+")
_QUERY = re.compile(r"\?[^\s\"]*")


def scrub(text: str) -> str:
    """Drop every query string and mask the reset token of the URLs in ``text``."""
    return _RESET_SEGMENT.sub(r"\g<1>" + MASK, _QUERY.sub("", text))


class ScrubFilter(logging.Filter):
    """Rewrite a log record's message through ``scrub`` (werkzeug's request lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg = scrub(message)
        record.args = ()
        return True


def scrub_werkzeug_log() -> None:
    """Filter the development server's access lines (once per process)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, ScrubFilter) for f in logger.filters):
        logger.addFilter(ScrubFilter())
