"""htmx glue: one URL serves the page or its fragment; toasts go out of band."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    """Tell whether the request was made by htmx (and is not a history restore)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page_or_fragment(
    page_template: str, fragment_template: str, /, **context: Any
) -> Response:
    """Render the fragment for htmx requests, the full page otherwise (Vary: HX-Request)."""
    template = fragment_template if is_htmx() else page_template
    response = make_response(render_template(template, **context))
    response.headers.add("Vary", "HX-Request")
    return response


def hx_redirect(url: str) -> Response:
    """Make htmx navigate to ``url`` (full page load)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response


def redirect_after_post(url: str) -> Response:
    """After a successful form: htmx navigates with HX-Redirect, a plain form gets a 302."""
    if is_htmx():
        return hx_redirect(url)
    from flask import redirect

    return redirect(url)  # type: ignore[return-value]


def toast_oob(response: Response) -> Response:
    """Append pending flash messages to an htmx response as an out-of-band toast."""
    if not is_htmx() or (response.status_code >= 300 and response.status_code != 422):
        return response
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    from flask import get_flashed_messages

    messages = get_flashed_messages(with_categories=True)
    if messages:
        html = render_template("_toasts_oob.html", messages=messages)
        response.set_data(response.get_data(as_text=True) + html)
    return response
