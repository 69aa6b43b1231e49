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


class PdfTooSlow(RuntimeError):
    """The bounded renderer's child did not finish within its time limit (it was killed)."""


class PdfFailed(RuntimeError):
    """The bounded renderer's child failed (out of its memory limit, or WeasyPrint raised)."""


def _render_in_child(html: str, fetcher: Any, memory_bytes: int, conn: Any) -> None:
    """In the forked child: cap the address space, render, send the bytes, leave at once."""
    import contextlib
    import os
    import resource

    status = 1
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            memory_bytes = min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))
        from weasyprint import HTML  # already imported by the parent: no cost here

        pdf = HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).write_pdf()
        conn.send_bytes(b"\x00" + pdf)
        status = 0
    except BaseException as exc:  # noqa: BLE001 - MemoryError included: say it to the parent
        with contextlib.suppress(BaseException):  # else the parent sees the pipe closed
            conn.send_bytes(b"\x01" + type(exc).__name__.encode()[:200])
    finally:
        conn.close()
        # Skip every exit handler: the child shares the parent's sockets (database pool).
        os._exit(status)


def _mapped_bytes() -> int:
    """This process's current virtual size (VmSize), 0 where /proc is absent."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@cache
def _warm_up() -> None:
    """Import WeasyPrint and load the fonts once in this process (a one-line PDF), before
    any fork: every child inherits them instead of paying for them on each print."""
    from weasyprint import HTML

    HTML(string="<p>.</p>").write_pdf()


def render_pdf_bounded(template: str, time_limit: float, memory_mb: int, **context: Any) -> bytes:
    """``render_pdf`` that never holds a worker longer than ``time_limit`` seconds nor lets
    WeasyPrint grow by more than ``memory_mb`` MB.

    The HTML is rendered here (the request's context, language, user); WeasyPrint runs in a
    forked child whose address space is capped with ``RLIMIT_AS`` at what the worker already
    maps plus ``memory_mb`` (a threaded worker maps far more than it uses, so an absolute cap
    would starve the child before it starts). The parent waits at most ``time_limit``, then
    kills the child: ``PdfTooSlow``; a child that fails or dies: ``PdfFailed``.
    """
    import multiprocessing

    _warm_up()
    html = render_template(template, **context)
    fetcher = local_fetcher()
    memory_bytes = _mapped_bytes() + memory_mb * 1024 * 1024
    fork = multiprocessing.get_context("fork")
    receiver, sender = fork.Pipe(duplex=False)
    child = fork.Process(
        target=_render_in_child, args=(html, fetcher, memory_bytes, sender), daemon=True
    )
    child.start()
    sender.close()  # the parent keeps only its reading end: EOF when the child is gone
    try:
        if not receiver.poll(time_limit):
            raise PdfTooSlow(f"PDF not rendered within {time_limit} s")
        try:
            message = receiver.recv_bytes()
        except EOFError as exc:
            raise PdfFailed("the PDF renderer died") from exc
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        if child.exitcode is not None:
            child.close()
    if message[:1] != b"\x00":
        raise PdfFailed(f"the PDF renderer failed: {message[1:].decode(errors='replace')}")
    return message[1:]
