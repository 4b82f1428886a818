"""The OpenAPI description matches what the API really answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

SPEC = json.loads((Path(__file__).resolve().parent.parent / "search_app" / "static" / "openapi.json").read_text())


def schema_of(path: str, status: str, media: str = "application/json") -> dict:
    response = SPEC["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return {**response["content"][media]["schema"], "components": SPEC["components"]}


def check(body: object, path: str, status: str, media: str = "application/json") -> None:
    # The whole spec rides along so that "#/components/..." references resolve.
    Draft202012Validator(schema_of(path, status, media)).validate(body)


def test_every_documented_path_is_served(app: Flask) -> None:
    rules = {rule.rule.replace("<path:article_id>", "{id}") for rule in app.url_map.iter_rules()}
    assert set(SPEC["paths"]) <= rules


@pytest.mark.parametrize("query", ["boxcar scar treatment", "pink eye", "kout", "nothing-matches-this"])
def test_search_answers_match_the_schema(client: FlaskClient, query: str) -> None:
    check(client.get("/api/search", query_string={"q": query}).get_json(), "/api/search", "200")


def test_article_and_errors_match_the_schema(client: FlaskClient) -> None:
    check(client.get("/api/articles/acne-scars").get_json(), "/api/articles/{id}", "200")
    check(client.get("/api/articles/no-such").get_json(), "/api/articles/{id}", "404")
    check(client.get("/api/search?page=0").get_json(), "/api/search", "400")


def test_suggestions_match_the_schema(client: FlaskClient) -> None:
    check(client.get("/api/suggest?q=acn").get_json(), "/api/suggest", "200")
    opensearch = json.loads(client.get("/api/suggest?q=acn&format=opensearch").data)
    check(opensearch, "/api/suggest", "200", "application/x-suggestions+json")


def test_a_wrong_answer_would_be_caught() -> None:
    with pytest.raises(Exception, match="total"):
        check({"query": "x", "total": "many"}, "/api/search", "200")


def test_the_description_is_served(client: FlaskClient) -> None:
    with client.get("/static/openapi.json") as response:
        assert response.get_json()["openapi"].startswith("3.1")
