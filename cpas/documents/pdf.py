"""PDF rendering with WeasyPrint, allowed to read only our static files and data: URLs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from flask import Response, current_app, render_template

MIME_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}


@cache
def _fetcher_class() -> type:
    """The fetcher class, built on first use: importing WeasyPrint costs ~25 MB, which
    processes that never print (web workers serving other pages, export jobs) are spared."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalURLFetcher(URLFetcher):
        """Serve /static/ files from disk and data: URLs; refuse everything else (no network)."""

        def __init__(self, static_root: str | Path) -> None:
            super().__init__(allowed_protocols=("data", "http"), allow_redirects=False)
            self.static_root = Path(static_root).resolve()

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            marker = "/static/"
            if url.startswith("http://localhost/") and marker in url:
                relative = url.split(marker, 1)[1].split("?", 1)[0]
                path = (self.static_root / relative).resolve()
                if self.static_root in path.parents and path.is_file():
                    mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise ValueError(f"PDF resource refused: {url[:80]}")

    return LocalURLFetcher


def local_fetcher() -> Any:
    """Serve /static/ files from disk and data: URLs; refuse everything else (no network)."""
    return _fetcher_class()(current_app.static_folder or "static")


def render_pdf(template: str, **context: Any) -> bytes:
    """Render a template to PDF bytes (static files resolve under http://localhost/static/)."""
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url="http://localhost/", url_fetcher=local_fetcher()).write_pdf()


def send_pdf(filename: str, template: str, **context: Any) -> Response:
    response = Response(render_pdf(template, **context), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
