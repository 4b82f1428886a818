"""HTTP errors as the asker expects them: JSON under /api/, a page everywhere else.

A visitor who mistypes an address, sends too much, or asks too often gets a
short explanation in the site's own page; a program gets {"error": ...}.  An
unexpected exception becomes the same calm 500 page, its details only in the log.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "The request is too large: at most {max_body} bytes.",
    414: "The address is too long.",
    429: "Too many requests ({limit}). Please wait a moment and try again.",
    500: "Something went wrong on our side. Please try again.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)


def http_error(error: HTTPException) -> Response | HTTPException:
    """Answer `error` as JSON for the API and as a page for visitors, keeping its headers (Allow)."""
    code = error.code or 500
    if code < 400:
        return error
    message = _message(error, code)
    if request.path.startswith("/api/"):
        response = jsonify(error=message)
    else:
        response = current_app.make_response(render_template("error.html", code=code, message=message))
    response.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _message(error: HTTPException, code: int) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return error.description or error.name
    return template.format(max_body=current_app.config["MAX_CONTENT_LENGTH"], limit=error.description)
