"""For other pages and browsers: the OpenSearch description and a page showing the embedded box."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

bp = Blueprint("embed", __name__)

OPENSEARCH_TYPE = "application/opensearchdescription+xml"


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """What a browser needs to search this site, and to suggest, from its address bar."""
    return Response(render_template("opensearch.xml"), mimetype=OPENSEARCH_TYPE)


@bp.get("/demo")
def demo() -> str:
    """A health library page with the search box embedded the way any site would embed it."""
    return render_template("demo.html")
