"""Gunicorn settings for the intranet: ``gunicorn -c gunicorn.conf.py app:app``.

The access log never shows query strings (beneficiaries' names in searches) nor
password-reset tokens; command-line options still override what is set here.
"""

from gunicorn.glogging import Logger

from cpas.accesslog import ScrubFilter, scrub

accesslog = "-"
# gunicorn's default format without the query string ("%(r)s" is scrubbed below too).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'


class ScrubbedLogger(Logger):
    """Gunicorn's logger with the URL atoms scrubbed (path, request line, referer)."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        # « Error handling request /path?query »: the error log gets the same treatment.
        self.error_log.addFilter(ScrubFilter())

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["q"] = ""
        for key in list(atoms):
            if key in {"r", "U", "f"} or key.endswith("}i"):
                value = atoms[key]
                if isinstance(value, str):
                    atoms[key] = scrub(value)
        return atoms


logger_class = ScrubbedLogger
