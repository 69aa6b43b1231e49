"""PDF rendering with WeasyPrint, allowed to read only our static files and data: URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, render_template


def local_fetcher(url: str, *args: Any, **kwargs: Any) -> dict:
    """Serve /static/ files from disk and data: URLs; refuse everything else."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    marker = "/static/"
    if marker in url:
        static_root = Path(current_app.static_folder or "").resolve()
        relative = url.split(marker, 1)[1].split("?", 1)[0]
        path = (static_root / relative).resolve()
        if static_root in path.parents and path.is_file():
            return {"string": path.read_bytes(), "mime_type": _mime(path), "redirected_url": url}
    raise ValueError(f"PDF resource refused: {url[:80]}")


def _mime(path: Path) -> str:
    return {
        ".css": "text/css",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".svg": "image/svg+xml",
    }.get(path.suffix.lower(), "application/octet-stream")


def render_pdf(template: str, **context: Any) -> bytes:
    """Render a template to PDF bytes."""
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url="http://localhost/", url_fetcher=local_fetcher).write_pdf()


def send_pdf(filename: str, template: str, **context: Any) -> Response:
    response = Response(render_pdf(template, **context), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
